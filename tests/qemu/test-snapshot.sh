#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: `vqdump snapshot` in a live PCI guest; every read command on the snapshot against the live output and QEMU.
#
# One PCI machine (TCG), Linux drivers loaded, devices quiet: modern blk,
# net, rng and console, a legacy blk.  The guest (snapshot_guest.sh):
#   1. runs list/status/ring --json, -d in every form, and list, status,
#      features, config, regs, ring --queue as text, mem and ring --at, live;
#   2. takes `vqdump snapshot -o /tmp/s.elf --interval 300`; asks for it
#      again without --force (must be refused, file unchanged);
#   3. runs the same commands with --core /tmp/s.elf;
#   4. runs the live commands again (what moved live is not compared);
#   5. sends the snapshot to the host (base64 on the console).
# QEMU's view (QMP, VM stopped) is taken before 1 and after 4.
# Checks:
#   - the snapshot's outputs pass live_compare.py's checks against QEMU
#     (IDs, status, features, queue addresses and sizes, indices, the first
#     chain in flight), exactly as the live ones do;
#   - each output on the snapshot equals the live one (snapshot_compare.py
#     same: JSON as data, text line for line, exit status and stderr);
#   - the host's vqdump reads the copied file as the guest did;
#   - the file, parsed independently: ELF core, one VQDUMP note naming
#     QEMU's devices, rings whole in the PT_LOADs with QEMU's index words,
#     a second sample per queue.
# VQ_SNAP_FIXTURE=DIR also writes DIR/snapshot.elf, DIR/qmp-before.json,
# DIR/qmp.json and DIR/sysfs.txt (tests/fixtures/mksnapfixture.sh).
#
# Usage: tests/qemu/test-snapshot.sh   (VQDUMP=path overrides ../../build/vqdump;
#        VQ_KEEP=DIR keeps consoles and QMP snapshots)
# Output: "ok - ..." / "not ok - ..." lines, then "N passed, N failed";
# exit 1 if any check failed, 77 ("skipped: ...") without QEMU or vqdump.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
QEMU_TIMEOUT=${QEMU_TIMEOUT:-900}
# shellcheck source-path=SCRIPTDIR source=live_lib.sh
. "$HERE/live_lib.sh"
START=$SECONDS
INTERVAL=300

live_init
qemu_initramfs "$TMP/initrd.gz" "$HERE/snapshot_guest.sh" \
	"virtio_blk virtio_net virtio_console virtio_rng" "bin:$VQDUMP=/bin/vqdump" ||
	fatal "initramfs"
for d in mblk lblk; do
	truncate -s 16M "$TMP/$d.img" || fatal "disk images"
done

# shellcheck disable=SC2054 # QEMU options are comma-separated
DEVICES=(
	-vga none -nic none
	-drive "file=$TMP/mblk.img,format=raw,if=none,id=dmblk"
	-device virtio-blk-pci,drive=dmblk,id=mblk,disable-legacy=on,addr=0x4
	-netdev user,id=n0,restrict=on
	-device virtio-net-pci,netdev=n0,id=mnet,disable-legacy=on,mac=52:54:00:00:00:05,romfile=,addr=0x5
	-object rng-random,id=rng0,filename=/dev/urandom
	-device virtio-rng-pci,rng=rng0,id=mrng,disable-legacy=on,addr=0x6
	-chardev null,id=con0
	-device virtio-serial-pci,id=mser,disable-legacy=on,max_ports=2,addr=0x7
	-device virtconsole,chardev=con0,bus=mser.0,id=mcon
	-drive "file=$TMP/lblk.img,format=raw,if=none,id=dlblk"
	-device virtio-blk-pci,drive=dlblk,id=lblk,disable-modern=on,addr=0x8
)

live_boot snap "$TMP/initrd.gz" "${DEVICES[@]}"
ok "guest booted ($(live_elapsed "$START") s)"

A=$LIVE_DIR/before.json
B=$LIVE_DIR/after.json
live_snapshot "$A" || fatal "QMP snapshot before"
SPECS=$(python3 "$HERE/live_compare.py" specs "$A" --load 1) || fatal "choose the specs"
EXTRA=$(python3 "$HERE/snapshot_compare.py" extra-specs "$A") || fatal "choose the text specs"
t=$SECONDS
live_cmd 600 run live live "$SPECS $EXTRA" || fatal "guest runs vqdump live"
echo "# live commands: $((SECONDS - t)) s"
t=$SECONDS
live_cmd 300 snap /tmp/s.elf "$INTERVAL" || fatal "guest takes the snapshot"
echo "# snapshot: $((SECONDS - t)) s"
t=$SECONDS
live_cmd 600 run snap /tmp/s.elf "$SPECS $EXTRA" || fatal "guest runs vqdump on the snapshot"
echo "# commands on the snapshot: $((SECONDS - t)) s"
live_cmd 600 run live2 live "$SPECS $EXTRA" || fatal "guest runs vqdump live again"
live_snapshot "$B" || fatal "QMP snapshot after"
live_cmd 300 dump /tmp/s.elf || fatal "guest sends the snapshot"
live_shutdown

# The snapshot command's own answer, and the refusal to overwrite.
python3 - "$QEMU_SERIAL" "$TMP/s.elf" <<'EOF' >"$TMP/snapcmd.out" 2>&1
import base64, json, re, sys
text = open(sys.argv[1], "rb").read().decode(errors="replace").replace("\r", "")
m = re.search(r"^VQ-OUT snap snap rc=(\d+)\n(.*?)^VQ-ERR\n(.*?)^VQ-END snap snap$", text, re.M | re.S)
if not m:
    print("not ok - snapshot: its output is on the console"); sys.exit(0)
j = json.loads(m.group(2))
ok = m.group(1) == "0" and j.get("file") == "/tmp/s.elf" and j.get("rings_saved", 0) > 0
print("%s - snapshot -o /tmp/s.elf: exit 0, %s rings saved, %s bytes in %s ranges%s" % (
    "ok" if ok else "not ok", j.get("rings_saved"), j.get("memory_bytes"), j.get("memory_ranges"),
    "" if ok else " -- rc %s stderr %r" % (m.group(1), m.group(3))))
m = re.search(r"^VQ-OUT snap snap-exists rc=(\d+)\n(.*?)^VQ-ERR\n(.*?)^VQ-END snap snap-exists$", text, re.M | re.S)
good = m and m.group(1) == "2" and "exists" in m.group(3) and len(m.group(3).strip().splitlines()) >= 1
print("%s - snapshot onto an existing file without --force: exit 2, refused%s" % (
    "ok" if good else "not ok", "" if good else " -- %r" % (m.groups() if m else None,)))
m = re.search(r"^VQ-OUT snap snap-md5 rc=0\n(\S+)\s+\S+\n(\S+)\s+\S+\n", text, re.M)
print("%s - the refused snapshot left the file as it was (md5 before and after)" % (
    "ok" if m and m.group(1) == m.group(2) else "not ok"))
m = re.search(r"^VQ-FILE-BEGIN /tmp/s.elf\n(.*?)^VQ-FILE-END$", text, re.M | re.S)
if not m:
    print("not ok - the snapshot file came out of the guest"); sys.exit(0)
data = base64.b64decode("".join(m.group(1).split()))
open(sys.argv[2], "wb").write(data)
print("ok - the snapshot file came out of the guest (%d bytes)" % len(data))
EOF
live_fold <"$TMP/snapcmd.out"

echo "# --- the live outputs against QEMU (sanity: the oracle holds)"
live_fold < <(python3 "$HERE/live_compare.py" compare --label "live" --serial "$QEMU_SERIAL" \
	--tag live --before "$A" --after "$B" 2>&1)
echo "# --- the snapshot's outputs against QEMU"
live_fold < <(python3 "$HERE/live_compare.py" compare --label "on the snapshot" \
	--serial "$QEMU_SERIAL" --tag snap --before "$A" --after "$B" 2>&1)
echo "# --- the snapshot's outputs against the live ones"
live_fold < <(python3 "$HERE/snapshot_compare.py" same --serial "$QEMU_SERIAL" --live live \
	--snap snap --after live2 2>&1)
if [ -s "$TMP/s.elf" ]; then
	echo "# --- the file, parsed independently"
	live_fold < <(python3 "$HERE/snapshot_compare.py" file --core "$TMP/s.elf" --qmp "$B" \
		--before "$A" --interval "$INTERVAL" 2>&1)
	echo "# --- the host's vqdump on the copied file"
	live_fold < <(python3 "$HERE/snapshot_compare.py" host --serial "$QEMU_SERIAL" --snap snap \
		--vqdump "$VQDUMP" --core "$TMP/s.elf" 2>&1)
	if [ -n "${VQ_SNAP_FIXTURE:-}" ]; then
		mkdir -p "$VQ_SNAP_FIXTURE" &&
			cp "$TMP/s.elf" "$VQ_SNAP_FIXTURE/snapshot.elf" &&
			cp "$A" "$VQ_SNAP_FIXTURE/qmp-before.json" &&
			cp "$B" "$VQ_SNAP_FIXTURE/qmp.json" &&
			python3 -c '
import sys
sys.path.insert(0, sys.argv[1])
from live_compare import parse_blocks
print(parse_blocks(sys.argv[2], "snap")["sysfs"]["out"])' "$HERE" "$QEMU_SERIAL" \
				>"$VQ_SNAP_FIXTURE/sysfs.txt" &&
			echo "# fixture written to $VQ_SNAP_FIXTURE"
	fi
fi
echo "# total: $(live_elapsed "$START") s"
finish
