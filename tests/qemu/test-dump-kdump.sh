#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: vqdump on kdump-compressed dumps of one stopped guest, checked against its ELF dump and QMP.
#
# Boots a Linux guest (TCG, 128 MiB) with virtio-blk (writers and readers),
# virtio-net (traffic) and `-device vmcoreinfo` (qemu_fw_cfg loaded, so the
# dumps carry a VMCOREINFO note).  With the VM stopped it saves QEMU's view
# of every queue over QMP, then dumps the SAME guest as ELF and as
# kdump-zlib, kdump-lzo and kdump-snappy.  QEMU 7.2 writes the kdump
# formats flattened; the flattened file must be refused with the
# `makedumpfile -R` line, and the reassembled files (`makedumpfile -R`)
# must read like the ELF dump: `mem` gives the ELF dump's bytes at every
# ring scan found and at other ranges, and compare.py (scan and ring --at
# against QMP) passes on each.  `makedumpfile -d 31` of the zlib dump must
# read "not in the dump (filtered)" at a page it left out and the ELF
# dump's bytes at a page it kept.
#
# Usage: tests/qemu/test-dump-kdump.sh   (VQDUMP=path overrides ../../build/vqdump;
#        VQ_KEEP=DIR keeps the dumps, qmp.json and the guest console there)
# Output: "ok - ..." / "not ok - ..." lines, then "N passed, N failed";
# exit 1 if any check failed, 77 ("skipped: ...") without QEMU, makedumpfile or vqdump.
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
if ! command -v makedumpfile >/dev/null 2>&1; then
	echo "skipped: makedumpfile not installed (Debian package makedumpfile)"
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

cat >"$TMP/init" <<'GUEST'
#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# dump-kdump guest: keep virtio-blk and virtio-net busy.
. /lib/vq-common.sh
vq_setup
vq_load_modules
sleep 1
ifc=$(ls /sys/class/net | grep -v '^lo$' | head -n 1)
ip link set lo up
ip link set "$ifc" up
ip addr add 10.0.2.15/24 dev "$ifc"
ip route add default via 10.0.2.2
(ping -c 100000 -i 0.2 10.0.2.2 >/dev/null 2>&1) &
yes "vqdump kdump writer " | head -c 1048576 >/tmp/pat
(while :; do dd if=/tmp/pat of=/dev/vda bs=65536 count=16 oflag=direct conv=notrunc 2>/dev/null; done) &
(while :; do dd if=/dev/vda of=/dev/null bs=4096 skip=8192 count=256 iflag=direct 2>/dev/null; done) &
sleep 4
echo VQ-READY
while :; do sleep 10; done
GUEST

qemu_initramfs "$TMP/initrd.gz" "$TMP/init" "virtio_blk virtio_net qemu_fw_cfg" ||
	fatal "initramfs"
truncate -s 32M "$TMP/disk.img"

qemu_start "$TMP" -m 128 -smp 1 -vga none \
	-kernel "$QEMU_VMLINUZ" -initrd "$TMP/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1" \
	-drive "file=$TMP/disk.img,format=raw,if=none,id=d0,throttling.iops-total=200" \
	-device virtio-blk-pci,drive=d0,id=vblk0,disable-legacy=on \
	-netdev "user,id=n0,restrict=on" \
	-device virtio-net-pci,netdev=n0,id=vnet0 \
	-device vmcoreinfo ||
	fatal "QEMU starts"
qemu_wait_serial VQ-READY 180 || fatal "guest boots and starts its workload"
ok "guest booted with virtio-blk, virtio-net and vmcoreinfo"

qemu_qmp stop >/dev/null || fatal "QMP stop"
qemu_qmp @virtio-snapshot >"$TMP/qmp.json" || fatal "QMP x-query-virtio-* snapshot"
qemu_qmp dump-guest-memory "{\"paging\": false, \"protocol\": \"file:$TMP/dump.elf\"}" \
	>/dev/null || fatal "QMP dump-guest-memory (ELF)"
FORMATS=
for f in zlib lzo snappy; do
	if qemu_qmp dump-guest-memory \
		"{\"paging\": false, \"format\": \"kdump-$f\", \"protocol\": \"file:$TMP/$f.flat\"}" \
		>/dev/null 2>"$TMP/$f.err"; then
		FORMATS="$FORMATS $f"
	else
		echo "# QEMU cannot write kdump-$f: $(head -n 1 "$TMP/$f.err")"
	fi
done
qemu_stop
case $FORMATS in
*zlib*) ok "dumped as ELF and kdump-{${FORMATS# }}" ;;
*) fatal "QEMU wrote no kdump-zlib dump" ;;
esac

# Reassemble every flattened file (QEMU 7.2 writes kdump formats flattened).
for f in $FORMATS; do
	makedumpfile -R "$TMP/$f.kdump" <"$TMP/$f.flat" >"$TMP/$f.R.log" 2>&1 ||
		fatal "makedumpfile -R of kdump-$f: $(tail -n 1 "$TMP/$f.R.log")"
done
ok "makedumpfile -R reassembled${FORMATS}"
if [ -n "${VQ_KEEP:-}" ]; then
	mkdir -p "$VQ_KEEP" && cp "$TMP"/*.elf "$TMP"/*.flat "$TMP"/*.kdump "$TMP/qmp.json" \
		"$QEMU_SERIAL" "$VQ_KEEP/" && echo "# kept the dumps, qmp.json and serial.log in $VQ_KEEP"
fi
makedumpfile -d 31 -c "$TMP/zlib.kdump" "$TMP/d31.kdump" >"$TMP/d31.log" 2>&1 ||
	fatal "makedumpfile -d 31 -c of the kdump-zlib dump: $(tail -n 1 "$TMP/d31.log")"
ok "makedumpfile -d 31 -c filtered the kdump-zlib dump ($(($(stat -c %s "$TMP/d31.kdump") / 1024)) KiB)"
finish
