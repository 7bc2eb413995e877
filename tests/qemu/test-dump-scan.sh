#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: vqdump scan/ring on a new QEMU dump of a guest with many virtio devices busy.
#
# Boots a Linux guest (TCG) with virtio-blk (throttled, writers, and a sector
# where blkdebug injects EIO so that werror=stop keeps requests in flight),
# virtio-net (traffic), virtio-rng, virtio-serial (console), virtio-scsi (a
# disk being read) and virtio-balloon, mixing modern-only, transitional and
# legacy-only devices.  When QEMU has stopped the VM with blk requests in
# flight it records every device and queue over QMP, dumps all guest memory
# to a temporary directory and runs compare.py: `vqdump --core DUMP scan
# --json` must find every ring with activity and `ring --at DESC --size N
# --json` must agree with QEMU.
#
# Usage: tests/qemu/test-dump-scan.sh     (VQDUMP=path overrides ../../build/vqdump;
#        VQ_KEEP=DIR keeps dump.elf, qmp.json and the guest console there)
# Output: "ok - ..." / "not ok - ..." lines, then "N passed, N failed";
# exit 1 if any check failed, 77 ("skipped: ...") without QEMU or vqdump.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
VQDUMP=${VQDUMP:-$HERE/../../build/vqdump}
PASSED=0
FAILED=0

ok() {
	echo "ok - $*"
	PASSED=$((PASSED + 1))
}
not_ok() {
	echo "not ok - $*"
	FAILED=$((FAILED + 1))
}
finish() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ] && exit 0
	exit 1
}
# A setup step failed: report it, show the end of the guest console, stop.
fatal() {
	not_ok "$*"
	if [ -n "${QEMU_SERIAL:-}" ] && [ -s "$QEMU_SERIAL" ]; then
		echo "# guest console (last lines):"
		tail -n 20 "$QEMU_SERIAL" | sed 's/^/#   /'
	fi
	finish
}

if ! qemu_available; then
	echo "skipped: qemu-system-x86_64, busybox or python3 not installed"
	exit 77
fi
if [ ! -x "$VQDUMP" ]; then
	echo "skipped: vqdump binary not found at $VQDUMP (build it, or set VQDUMP)"
	exit 77
fi
VQDUMP=$(cd "$(dirname "$VQDUMP")" && pwd)/$(basename "$VQDUMP")

qemu_kernel >/dev/null || fatal "guest kernel (apt-get download of the Debian kernel package)"
qemu_tmpdir || fatal "mktemp -d"
TMP=$QEMU_TMP

cat >"$TMP/init" <<'EOF'
#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# dump-scan guest: use every virtio device, then hit the bad blk sector.
. /lib/vq-common.sh
vq_setup
vq_load_modules
sleep 1
ifc=$(ls /sys/class/net | grep -v '^lo$' | head -n 1)
ip link set lo up
ip link set "$ifc" up
ip addr add 10.0.2.15/24 dev "$ifc"
ip route add default via 10.0.2.2
# TX traffic; with restrict=on nothing leaves QEMU's user-mode network.
(ping -c 100000 -i 0.2 10.0.2.2 >/dev/null 2>&1) &
(while :; do echo vqdump-test | nc -u -w 1 10.0.2.2 9 >/dev/null 2>&1; sleep 1; done) &
(while :; do echo "vqdump console line" >/dev/hvc0; sleep 0.5; done) 2>/dev/null &
(while :; do dd if=/dev/hwrng of=/dev/null bs=64 count=4 2>/dev/null; sleep 0.5; done) &
(while :; do dd if=/dev/sda of=/dev/null bs=4096 count=64 iflag=direct 2>/dev/null; sleep 0.2; done) &
i=0
while [ $i -lt 3 ]; do
	yes "vqdump test writer $i " | head -c 1048576 >/tmp/pat$i
	(while :; do dd if=/tmp/pat$i of=/dev/vda bs=65536 seek=$((i * 16)) count=16 \
		oflag=direct conv=notrunc 2>/dev/null; done) &
	i=$((i + 1))
done
for j in 0 1; do
	(while :; do dd if=/dev/vda of=/dev/null bs=4096 skip=$((8192 + j * 256)) count=256 \
		iflag=direct 2>/dev/null; done) &
done
sleep 5
echo VQ-READY
for k in 0 1 2 3; do
	dd if=/tmp/pat0 of=/dev/vda bs=4096 seek=15000 count=1 oflag=direct conv=notrunc 2>/dev/null &
done
while :; do sleep 10; done
EOF

cat >"$TMP/blkdebug.conf" <<'EOF'
[inject-error]
event = "write_aio"
errno = "5"
sector = "120000"
EOF

qemu_initramfs "$TMP/initrd.gz" "$TMP/init" \
	"virtio_blk virtio_net virtio_console virtio_rng virtio_scsi sd_mod virtio_balloon" ||
	fatal "initramfs"
truncate -s 64M "$TMP/disk.img"
truncate -s 16M "$TMP/scsi.img"

qemu_start "$TMP" -m 256 -smp 1 -vga none \
	-kernel "$QEMU_VMLINUZ" -initrd "$TMP/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1" \
	-drive "driver=raw,file.driver=blkdebug,file.config=$TMP/blkdebug.conf,file.image.driver=file,file.image.filename=$TMP/disk.img,if=none,id=d0,werror=stop,throttling.iops-total=100" \
	-device virtio-blk-pci,drive=d0,id=vblk0,disable-legacy=on \
	-netdev "user,id=n0,restrict=on" \
	-device virtio-net-pci,netdev=n0,id=vnet0 \
	-object rng-random,id=rng0,filename=/dev/urandom \
	-device virtio-rng-pci,rng=rng0,id=vrng0,disable-modern=on \
	-chardev "file,id=con0,path=$TMP/hvc0.log" \
	-device virtio-serial-pci,id=vser0,disable-legacy=on \
	-device virtconsole,chardev=con0,id=vcon0 \
	-drive "file=$TMP/scsi.img,format=raw,if=none,id=d1" \
	-device virtio-scsi-pci,id=vscsi0,disable-modern=on \
	-device scsi-hd,drive=d1,bus=vscsi0.0 \
	-device virtio-balloon-pci,id=vballoon0 ||
	fatal "QEMU starts"
qemu_wait_serial VQ-READY 180 || fatal "guest boots and starts its workload"
ok "guest booted with virtio-blk, -net, -rng, -serial, -scsi, -balloon"

if qemu_qmp @wait-inflight \
	'{"path": "/machine/peripheral/vblk0/virtio-backend", "queue": 0, "timeout": 60}' \
	>"$TMP/wait.json"; then
	ok "QEMU stopped the VM with blk requests in flight ($(python3 -c '
import json, sys
w = json.load(open(sys.argv[1]))
print("run state %s, inuse %d" % (w["run-state"], w["queue-status"]["inuse"]))' "$TMP/wait.json"))"
else
	fatal "blk requests in flight with the VM stopped"
fi
qemu_qmp stop >/dev/null || fatal "QMP stop"
qemu_qmp @virtio-snapshot >"$TMP/qmp.json" || fatal "QMP x-query-virtio-* snapshot"
qemu_qmp dump-guest-memory "{\"paging\": false, \"protocol\": \"file:$TMP/dump.elf\"}" \
	>/dev/null || fatal "QMP dump-guest-memory"
qemu_stop
if [ -n "${VQ_KEEP:-}" ]; then
	mkdir -p "$VQ_KEEP" && cp "$TMP/dump.elf" "$TMP/qmp.json" "$QEMU_SERIAL" "$VQ_KEEP/" &&
		echo "# kept dump.elf, qmp.json and serial.log in $VQ_KEEP"
fi
ok "memory dumped ($(($(stat -c %s "$TMP/dump.elf") / 1048576)) MiB)"

# Every device must have been taken over by its Linux driver.
while read -r line; do
	case $line in
	ok\ *) ok "${line#ok }" ;;
	*) not_ok "${line#bad }" ;;
	esac
done < <(python3 - "$TMP/qmp.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for dev in d["devices"]:
    st = dev["status"]["status"]["statuses"]
    good = any(s.startswith("VIRTIO_CONFIG_S_DRIVER_OK") for s in st)
    print("%s %s %s: DRIVER_OK, %d queues" % ("ok" if good else "bad", dev["name"],
          dev["path"], dev["status"]["num-vqs"]))
EOF
)

# compare.py prints its own checks and summary; fold its counts into ours.
while read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) not_ok "${line#not ok - }" ;;
	skipped:*) not_ok "compare.py $line" ;;
	[0-9]*" passed, "[0-9]*" failed") ;;
	*) echo "$line" ;;
	esac
done < <(python3 "$HERE/compare.py" --vqdump "$VQDUMP" --name dump-scan \
	"$TMP/dump.elf" "$TMP/qmp.json" 2>&1)
finish
