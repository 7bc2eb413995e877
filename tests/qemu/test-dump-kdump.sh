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
# dump's bytes at a page it kept.  On every format, the kernel's records
# (status --json, diagnose) must give QEMU's devices and queues
# (dump_compare.py).
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
# QEMU's view with the index words in guest RAM (HMP xp), taken first: @virtio-snapshot
# below asks x-query-virtio-queue-element, which can make QEMU set
# NEEDS_RESET on an idle virtio-net (seen: status 0x4f); for the kernel
# records' check (dump_compare.py).
python3 "$HERE/live_qmp.py" snapshot "$QEMU_QMP" "$TMP/live-qmp.json" ||
	fatal "QMP snapshot with the RAM index words (live_qmp.py)"
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

# QEMU 7.2 writes every kdump format flattened: refused, with the way out.
for f in $FORMATS; do
	"$VQDUMP" --core "$TMP/$f.flat" scan >/dev/null 2>"$TMP/flat.err"
	rc=$?
	if [ "$rc" -eq 3 ] && [ "$(wc -l <"$TMP/flat.err")" -eq 1 ] &&
		grep -q "flattened format.*makedumpfile -R OUT < $TMP/$f.flat'\$" "$TMP/flat.err"; then
		ok "QEMU's kdump-$f (flattened) refused with the makedumpfile -R line"
	else
		not_ok "QEMU's kdump-$f (flattened): exit $rc, $(head -c 300 "$TMP/flat.err")"
	fi
	makedumpfile -R "$TMP/qemu-$f.kdump" <"$TMP/$f.flat" >"$TMP/$f.R.log" 2>&1 ||
		fatal "makedumpfile -R of kdump-$f: $(tail -n 1 "$TMP/$f.R.log")"
	rm -f "$TMP/$f.flat"
done
ok "makedumpfile -R reassembled kdump-{${FORMATS# }}"

# makedumpfile's own formats, from the ELF dump (it reads QEMU's only with
# the program headers first, elf_phdrs_first.py; it filters with the
# VMCOREINFO note alone, no vmlinux).
python3 "$HERE/elf_phdrs_first.py" "$TMP/dump.elf" "$TMP/mdf.elf" || fatal "elf_phdrs_first.py"
KDUMPS=
for f in $FORMATS; do KDUMPS="$KDUMPS qemu-$f"; done
mdf() {
	local out=$1
	shift
	if makedumpfile "$@" "$TMP/mdf.elf" "$TMP/$out" >"$TMP/$out.log" 2>&1; then
		return 0
	fi
	not_ok "makedumpfile $* failed: $(grep -v '^$' "$TMP/$out.log" | tail -n 2 | tr '\n' ' ')"
	return 1
}
mdf mdf-zlib.kdump -c -d 0 && KDUMPS="$KDUMPS mdf-zlib"
mdf mdf-lzo.kdump -l -d 0 && KDUMPS="$KDUMPS mdf-lzo"
mdf d31.kdump -c -d 31 && ok "makedumpfile -d 31 -c without vmlinux ($(($(stat -c %s "$TMP/d31.kdump") / 1024)) KiB)"
mdf d31.elf -E -d 31 && ok "makedumpfile -E -d 31 (an ELF vmcore)"
makedumpfile -F -c -d 31 "$TMP/mdf.elf" >"$TMP/d31.flat" 2>"$TMP/F.log" ||
	not_ok "makedumpfile -F failed: $(tail -n 1 "$TMP/F.log")"
rm -f "$TMP/mdf.elf"
if [ -n "${VQ_KEEP:-}" ]; then
	mkdir -p "$VQ_KEEP" && cp "$TMP"/*.elf "$TMP"/*.kdump "$TMP/d31.flat" "$TMP/qmp.json" \
		"$QEMU_SERIAL" "$VQ_KEEP/" && echo "# kept the dumps, qmp.json and serial.log in $VQ_KEEP"
fi

"$VQDUMP" --core "$TMP/d31.flat" scan >/dev/null 2>"$TMP/flat.err"
rc=$?
if [ "$rc" -eq 3 ] && grep -q 'makedumpfile -R OUT <' "$TMP/flat.err"; then
	ok "makedumpfile -F output refused with the makedumpfile -R line"
else
	not_ok "makedumpfile -F output: exit $rc, $(head -c 300 "$TMP/flat.err")"
fi

# fold CMD...: run a checker that prints ok/not ok lines and a summary.
fold() {
	local line
	while read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) not_ok "${line#not ok - }" ;;
		skipped:*) not_ok "$1 $line" ;;
		[0-9]*" passed, "[0-9]*" failed") ;;
		*) echo "$line" ;;
		esac
	done < <("$@" 2>&1)
}

# scan finds on each format exactly the rings it finds on the ELF dump.
"$VQDUMP" --core "$TMP/dump.elf" scan --json >"$TMP/scan-elf.json" 2>/dev/null ||
	not_ok "scan on the ELF dump"
for k in $KDUMPS d31; do
	"$VQDUMP" --core "$TMP/$k.kdump" scan --json >"$TMP/scan-$k.json" 2>"$TMP/scan.err"
	if python3 - "$TMP/scan-elf.json" "$TMP/scan-$k.json" <<'PY'; then
import json, sys
key = lambda r: (r["desc"], r["avail"], r["used"], r["size"], r["avail_idx"], r["used_idx"])
a, b = (sorted(map(key, json.load(open(p))["rings"])) for p in sys.argv[1:3])
sys.exit(not a or a != b)
PY
		ok "$k: scan finds the rings scan finds on the ELF dump ($(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["rings"]))' "$TMP/scan-elf.json"))"
	else
		not_ok "$k: scan differs from the ELF dump's ($(head -c 200 "$TMP/scan.err"))"
	fi
	# scan and ring --at against QEMU's own view (the ELF dump is the
	# script's memory, vqdump reads the kdump file).
	fold python3 "$HERE/compare.py" --vqdump "$VQDUMP" --memory "$TMP/dump.elf" --name "$k" \
		"$TMP/$k.kdump" "$TMP/qmp.json"
done

# Bytes against the ELF dump, used idx against QMP, filtered pages.
args=()
for k in $KDUMPS; do args+=("$k=$TMP/$k.kdump"); done
fold python3 "$HERE/kdump_compare.py" --vqdump "$VQDUMP" --filtered "$TMP/d31.kdump" \
	--filtered-elf "$TMP/d31.elf" "$TMP/dump.elf" "$TMP/qmp.json" "${args[@]}"

# The guest kernel's records read from every format: status --json lists
# every device and queue QEMU reported before the dump, with QEMU's ring
# addresses, size and the index words HMP xp read in guest RAM, the
# direct map found through the VMCOREINFO note each format carries, and
# diagnose names what QEMU holds with the driver's own state.
for k in dump.elf $KDUMPS d31 d31.elf; do
	case $k in *.elf) f=$k ;; *) f=$k.kdump ;; esac
	fold python3 "$HERE/dump_compare.py" compare --vqdump "$VQDUMP" --label "$k" \
		--how VMCOREINFO --diagnose "$TMP/$f" "$TMP/live-qmp.json"
done
finish
