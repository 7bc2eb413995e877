#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: every device and queue of a dumped guest from its kernel's own records (vqdump --core DUMP status), checked against QMP.
#
# Boots a guest with Debian's kernel (TCG, 1 vCPU) with virtio-blk-pci (a
# throttled disk whose write to one sector blkdebug fails, so that
# werror=stop holds the request in flight), virtio-serial-pci with
# max_ports=31 (64 queues, most never used: `scan` cannot find those, the
# kernel's records can), virtio-rng-pci whose driver is not loaded (a
# device Linux registered with no queue) and -device vmcoreinfo.  When QEMU has stopped the
# VM with the write in flight it records QEMU's view of every device and
# queue (live_qmp.py snapshot: x-query-virtio, -status, -queue-status and
# the ring index words read with `xp`) and dumps guest memory as ELF.  The
# dump is then read three ways, each a different way to the kernel's
# direct map:
#   dump.elf         as QEMU wrote it: VMCOREINFO (QEMU copies the guest's note);
#   dump-novmci.elf  its VMCOREINFO note renamed: CR3 from QEMU's CPU note;
#   dump-nonotes.elf the QEMU CPU notes renamed too: the vote among records;
# then a microvm guest with the same devices on virtio-mmio version 2 (whose
# ring addresses its registers cannot give back), dumped without
# VMCOREINFO (CR3).  On each dump dump_compare.py checks that
# `vqdump --core DUMP status --json`
# lists every device QEMU reports (named and typed by its transport) with
# every queue (used or not), QEMU's
# ring addresses and size, the ring indices in guest RAM and the driver
# features QEMU calls guest-features, and (with VMCOREINFO, and on
# microvm) that `diagnose`
# names the held write with the driver's own state as evidence.
# From the PCI dump, dump_damage.py then derives bad and partial copies
# (truncated inside the headers, before and after the kernel's BTF; the
# vmlinux BTF's magic or strings damaged; the virtio_ring module's BTF
# damaged; no BTF at all; page-table roots zeroed with no VMCOREINFO;
# e_machine aarch64) and checks, on each, the line vqdump prints, its exit
# status, and that `scan` and `ring --at` still work where the RAM is
# there; the same under the ASan build when it exists (make asan).
#
# Usage: tests/qemu/test-dump-kvq.sh     (VQDUMP=path overrides ../../build/vqdump,
#        VQDUMP_ASAN=path ../../build/asan/vqdump;
#        VQ_KEEP=DIR keeps the dumps, qmp.json and the guest console there)
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
VQDUMP_ASAN=${VQDUMP_ASAN:-$HERE/../../build/asan/vqdump}

qemu_kernel >/dev/null || fatal "guest kernel (apt-get download of the Debian kernel package)"
qemu_tmpdir || fatal "mktemp -d"
TMP=$QEMU_TMP

cat >"$TMP/init" <<'EOF'
#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# dump-kvq guest: some disk traffic, then a write to the sector blkdebug fails.
. /lib/vq-common.sh
vq_setup
vq_load_modules
sleep 1
yes "vqdump dump-kvq writer " | head -c 65536 >/tmp/pat
dd if=/tmp/pat of=/dev/vda bs=4096 count=16 oflag=direct conv=notrunc 2>/dev/null
dd if=/dev/vda of=/dev/null bs=4096 count=64 iflag=direct 2>/dev/null
echo VQ-READY
dd if=/tmp/pat of=/dev/vda bs=4096 seek=15000 count=1 oflag=direct conv=notrunc 2>/dev/null &
while :; do sleep 10; done
EOF

cat >"$TMP/blkdebug.conf" <<'EOF'
[inject-error]
event = "write_aio"
errno = "5"
sector = "120000"
EOF

# qemu_fw_cfg hands the kernel's VMCOREINFO note to QEMU's vmcoreinfo device.
qemu_initramfs "$TMP/initrd.gz" "$TMP/init" "virtio_blk virtio_console qemu_fw_cfg" || fatal "initramfs"
qemu_initramfs "$TMP/initrd-mmio.gz" "$TMP/init" "virtio_mmio virtio_blk virtio_console" ||
	fatal "initramfs (virtio-mmio)"
BLKDRIVE="driver=raw,file.driver=blkdebug,file.config=$TMP/blkdebug.conf,file.image.driver=file,file.image.filename=$TMP/disk.img,if=none,id=d0,werror=stop,throttling.iops-total=200"

# fold: a python checker's "ok"/"not ok" lines, folded into ours.
fold() {
	while read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) not_ok "${line#not ok - }" ;;
		[0-9]*" passed, "[0-9]*" failed") ;;
		*) echo "$line" ;;
		esac
	done
}

# compare DIR FILE HOW [--diagnose]: dump_compare.py's checks.
compare() {
	local dir=$1 file=$2 how=$3 diag=${4:-}
	fold < <(python3 "$HERE/dump_compare.py" compare --vqdump "$VQDUMP" \
		--label "$(basename "$dir")/$file" --how "$how" $diag "$dir/$file" "$dir/qmp.json" 2>&1)
}

# damaged DUMP: dump_damage.py's bad and partial copies of DUMP, checked
# (under the ASan build too when there is one).
damaged() {
	local asan=()
	[ -x "$VQDUMP_ASAN" ] && asan=(--asan "$VQDUMP_ASAN")
	fold < <(python3 "$HERE/dump_damage.py" check --vqdump "$VQDUMP" "${asan[@]}" "$1" 2>&1)
}

# scenario NAME BLKPATH INITRD QEMU-ARGS...: boot, wait for the held
# write, snapshot QEMU's view, dump into $TMP/NAME, stop the guest.
scenario() {
	local name=$1 blkpath=$2 initrd=$3 dir=$TMP/$1
	shift 3
	mkdir -p "$dir"
	truncate -s 64M "$TMP/disk.img"
	qemu_start "$dir" -smp 1 -vga none -nodefaults -kernel "$QEMU_VMLINUZ" -initrd "$initrd" "$@" ||
		fatal "$name: QEMU starts"
	qemu_wait_serial VQ-READY 180 || fatal "$name: guest boots and uses its disk"
	qemu_qmp @wait-inflight "{\"path\": \"$blkpath\", \"queue\": 0, \"timeout\": 60, \"stopped\": true}" \
		>"$dir/wait.json" || fatal "$name: a blk request in flight with the VM stopped"
	ok "$name: QEMU stopped the VM with the write in flight"
	qemu_qmp stop >/dev/null || fatal "$name: QMP stop"
	python3 "$HERE/live_qmp.py" snapshot "$QEMU_QMP" "$dir/qmp.json" ||
		fatal "$name: QMP snapshot of every device and queue"
	qemu_qmp dump-guest-memory "{\"paging\": false, \"protocol\": \"file:$dir/dump.elf\"}" \
		>/dev/null || fatal "$name: QMP dump-guest-memory"
	qemu_stop
	ok "$name: memory dumped ($(($(stat -c %s "$dir/dump.elf") / 1048576)) MiB)"
	if [ -n "${VQ_KEEP:-}" ]; then
		mkdir -p "$VQ_KEEP/$name" && cp "$dir/qmp.json" "$QEMU_SERIAL" "$VQ_KEEP/$name/"
	fi
}

# PCI: VMCOREINFO, then the same dump without it (CR3), then without
# QEMU's CPU notes too (the vote): the notes' owner names changed in
# place (same length), nothing else.
scenario pci /machine/peripheral/vblk0/virtio-backend "$TMP/initrd.gz" -m 192 \
	-append "console=ttyS0 quiet panic=-1" -device vmcoreinfo \
	-drive "$BLKDRIVE" -device virtio-blk-pci,drive=d0,id=vblk0,disable-legacy=on \
	-device virtio-serial-pci,id=vser0,max_ports=31,disable-legacy=on \
	-object rng-random,id=rng0,filename=/dev/urandom \
	-device virtio-rng-pci,rng=rng0,id=vrng0,disable-legacy=on
D=$TMP/pci
python3 "$HERE/dump_compare.py" rename-note "$D/dump.elf" "$D/dump-novmci.elf" VMCOREINFO ||
	fatal "copy of the dump without its VMCOREINFO note"
python3 "$HERE/dump_compare.py" rename-note "$D/dump-novmci.elf" "$D/dump-nonotes.elf" QEMU ||
	fatal "copy of the dump without QEMU's CPU notes"
[ -n "${VQ_KEEP:-}" ] && cp "$D"/dump*.elf "$VQ_KEEP/pci/"
compare "$D" dump.elf VMCOREINFO --diagnose
damaged "$D/dump.elf"
rm -f "$D/dump.elf"
compare "$D" dump-novmci.elf CR3
rm -f "$D/dump-novmci.elf"
compare "$D" dump-nonotes.elf vote
rm -f "$D/dump-nonotes.elf"

# microvm: virtio-mmio v2 (ring addresses write-only in the registers),
# no VMCOREINFO.  microvm has no PIT port 0x61 nor HPET: the kernel is
# told the TSC's frequency (tsc_early_khz, the host's, which TCG's follows).
KHZ=$(awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
scenario mmio /machine/peripheral/vblk0 "$TMP/initrd-mmio.gz" -M microvm -m 128 \
	-global virtio-mmio.force-legacy=false \
	-append "console=ttyS0 quiet panic=-1 tsc_early_khz=${KHZ:-2000000}" \
	-drive "$BLKDRIVE" -device virtio-blk-device,drive=d0,id=vblk0 \
	-device virtio-serial-device,id=vser0,max_ports=31 \
	-object rng-random,id=rng0,filename=/dev/urandom -device virtio-rng-device,rng=rng0,id=vrng0
[ -n "${VQ_KEEP:-}" ] && cp "$TMP/mmio/dump.elf" "$VQ_KEEP/mmio/"
compare "$TMP/mmio" dump.elf CR3 --diagnose
finish
