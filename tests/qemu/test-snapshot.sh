#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: `vqdump snapshot` in live PCI and MMIO guests; every read command on the snapshot against the live output and QEMU.
#
# Two boots (TCG), Linux drivers loaded, devices quiet: a PCI machine
# (modern blk, net, rng and console, a legacy blk) and a microvm with
# virtio-mmio version 2 devices (blk, net, rng: ring addresses from
# Linux's records; VQ_SNAP_MMIO=0 skips it).  The guest (snapshot_guest.sh):
#   1. runs list/status/ring --json, -d in every form, and list, status,
#      features, config, regs, ring --queue as text, mem and ring --at, live;
#   2. takes `vqdump snapshot -o /tmp/s.elf --interval 300`; asks for it
#      again without --force (must be refused, file unchanged);
#   3. runs the same commands with --core /tmp/s.elf;
#   4. runs the live commands again (what moved live is not compared);
#   5. sends the snapshot to the host (base64 on the console);
#   6. (PCI) starts a 4 KiB direct write that QEMU holds (blkdebug
#      breakpoint): a pending chain with a blk request header; runs ring
#      and status live, on a new snapshot, and live again.
# QEMU's view (QMP, VM stopped) is taken before 1 and after 4.
# Checks:
#   - the snapshot's outputs pass live_compare.py's checks against QEMU
#     (IDs, status, features, queue addresses and sizes, indices, the first
#     chain in flight), exactly as the live ones do;
#   - the held write's chain is decoded from the snapshot and live as the
#     guest issued it (OUT, sector 800, 4096 bytes) and its buffers are
#     those QEMU decodes (snapshot_compare.py held), and the outputs on that
#     snapshot equal the live ones;
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
# Block (4 KiB) of the held write: sector 8 * HOLD_BLOCK.
HOLD_BLOCK=100

live_init
qemu_initramfs "$TMP/initrd-pci.gz" "$HERE/snapshot_guest.sh" \
	"virtio_blk virtio_net virtio_console virtio_rng" "bin:$VQDUMP=/bin/vqdump" ||
	fatal "initramfs"
qemu_initramfs "$TMP/initrd-mmio.gz" "$HERE/snapshot_guest.sh" \
	"virtio_mmio virtio_blk virtio_net virtio_rng" "bin:$VQDUMP=/bin/vqdump" ||
	fatal "initramfs (mmio)"
for d in mblk lblk; do
	truncate -s 16M "$TMP/$d.img" || fatal "disk images"
done

# held_round NAME: after the main round (QMP cannot stop the VM while a
# request is held: stopping drains the disk), hold one write in QEMU
# (blkdebug breakpoint), then run ring and status live, take a snapshot,
# run them on it and live again; QEMU's decoding of the chain in flight
# (x-query-virtio-queue-element) is kept for the comparison.
held_round() {
	local name=$1 specs="ring:0000:00:04.0:0 tring:0000:00:04.0:0 status text:status"
	python3 "$HERE/qmp.py" "$QEMU_QMP" human-monitor-command \
		'{"command-line": "qemu-io dmblk \"break write_aio A\""}' >/dev/null ||
		fatal "$name: blkdebug breakpoint"
	live_cmd 30 hold held "$HOLD_BLOCK" || fatal "$name: guest starts the held write"
	python3 "$HERE/qmp.py" "$QEMU_QMP" @wait-inflight \
		'{"path": "/machine/peripheral/mblk/virtio-backend", "queue": 0, "timeout": 60, "stopped": false}' \
		>/dev/null || fatal "$name: the write is held in flight"
	live_cmd 300 run heldlive live "$specs" || fatal "$name: guest runs vqdump live (held write)"
	live_cmd 300 snap /tmp/h.elf 0 heldsnapcmd || fatal "$name: guest takes a snapshot (held write)"
	live_cmd 300 run heldsnap /tmp/h.elf "$specs" || fatal "$name: guest reads it (held write)"
	live_cmd 300 run heldlive2 live "$specs" || fatal "$name: guest runs vqdump live again (held write)"
	python3 "$HERE/qmp.py" "$QEMU_QMP" x-query-virtio-queue-element \
		'{"path": "/machine/peripheral/mblk/virtio-backend", "queue": 0}' >"$LIVE_DIR/element.json" ||
		fatal "$name: QEMU's view of the held chain"
}

# scan_check NAME SNAP BEFORE AFTER: the host's `scan --json` on the
# snapshot (which saves the rings but not the padding between avail and
# used) finds every ring QEMU showed used before the snapshot (an index
# not 0 in BEFORE), and only rings QEMU knows (vring-desc/avail/used/num
# of a queue in AFTER).
scan_check() {
	local name=$1 snap=$2 before=$3 after=$4
	if ! "$VQDUMP" --core "$snap" --json scan >"$TMP/scan.json" 2>"$TMP/scan.err"; then
		not_ok "$name: scan on the snapshot: $(head -c 300 "$TMP/scan.err")"
		return
	fi
	if python3 - "$TMP/scan.json" "$before" "$after" <<'EOF2'; then
import json, sys
got = {(r["desc"], r["avail"], r["used"], r["size"]) for r in json.load(open(sys.argv[1]))["rings"]}
def queues(path, used_only):
    out = set()
    for d in json.load(open(path))["devices"]:
        for q in d["queues"]:
            s = q["status"]
            if not used_only or s["used-idx"] or s["shadow-avail-idx"]:
                out.add((s["vring-desc"], s["vring-avail"], s["vring-used"], s["vring-num"]))
    return out
need, known = queues(sys.argv[2], True), queues(sys.argv[3], False)
print("# scan: %d rings, %d used before the snapshot, %d missing, %d unknown"
      % (len(got), len(need), len(need - got), len(got - known)))
sys.exit(0 if need and need <= got and got <= known else 1)
EOF2
		ok "$name: scan on the snapshot finds QEMU's used rings, and only QEMU's rings"
	else
		not_ok "$name: scan on the snapshot disagrees with QEMU ($(head -c 300 "$TMP/scan.json"))"
	fi
}

# snap_scenario NAME QEMU-ARGS...: one boot, the whole check list above.
snap_scenario() {
	local name=$1 t0=$SECONDS t A B SPECS EXTRA snap
	shift
	echo "# === $name"
	live_boot "$name" "$TMP/initrd-$KIND.gz" "$@"
	ok "$name: guest booted ($(live_elapsed "$t0") s)"
	A=$LIVE_DIR/before.json
	B=$LIVE_DIR/after.json
	snap=$LIVE_DIR/s.elf
	live_snapshot "$A" || fatal "$name: QMP snapshot before"
	SPECS=$(python3 "$HERE/live_compare.py" specs "$A" --load 1) || fatal "$name: choose the specs"
	EXTRA=$(python3 "$HERE/snapshot_compare.py" extra-specs "$A") || fatal "$name: choose the text specs"
	t=$SECONDS
	live_cmd 600 run live live "$SPECS $EXTRA" || fatal "$name: guest runs vqdump live"
	echo "# $name: live commands: $((SECONDS - t)) s"
	t=$SECONDS
	live_cmd 300 snap /tmp/s.elf "$INTERVAL" || fatal "$name: guest takes the snapshot"
	echo "# $name: snapshot: $((SECONDS - t)) s"
	t=$SECONDS
	live_cmd 600 run snap /tmp/s.elf "$SPECS $EXTRA" || fatal "$name: guest runs vqdump on the snapshot"
	echo "# $name: commands on the snapshot: $((SECONDS - t)) s"
	live_cmd 600 run live2 live "$SPECS $EXTRA" || fatal "$name: guest runs vqdump live again"
	live_snapshot "$B" || fatal "$name: QMP snapshot after"
	live_cmd 300 dump /tmp/s.elf || fatal "$name: guest sends the snapshot"
	[ "$name" = pci ] && held_round "$name"
	live_shutdown

	echo "# --- $name: the snapshot command, and the file out of the guest"
	live_fold < <(python3 "$HERE/snapshot_compare.py" console --label "$name" \
		--serial "$QEMU_SERIAL" --out "$snap" 2>&1)
	echo "# --- $name: the live outputs against QEMU (sanity: the oracle holds)"
	live_fold < <(python3 "$HERE/live_compare.py" compare --label "$name live" \
		--serial "$QEMU_SERIAL" --tag live --before "$A" --after "$B" 2>&1)
	echo "# --- $name: the snapshot's outputs against QEMU"
	live_fold < <(python3 "$HERE/live_compare.py" compare --label "$name on the snapshot" \
		--serial "$QEMU_SERIAL" --tag snap --before "$A" --after "$B" 2>&1)
	if [ "$name" = pci ]; then
		echo "# --- $name: a held write: its chain and request header, live and on a snapshot"
		live_fold < <(python3 "$HERE/snapshot_compare.py" held --label "$name" \
			--serial "$QEMU_SERIAL" --key ring:0000:00:04.0:0 --sector $((HOLD_BLOCK * 8)) \
			--len 4096 --element "$LIVE_DIR/element.json" 2>&1)
		live_fold < <(python3 "$HERE/snapshot_compare.py" same --label "$name held" \
			--serial "$QEMU_SERIAL" --live heldlive --snap heldsnap --after heldlive2 2>&1)
	fi
	echo "# --- $name: the snapshot's outputs against the live ones"
	live_fold < <(python3 "$HERE/snapshot_compare.py" same --label "$name" \
		--serial "$QEMU_SERIAL" --live live --snap snap --after live2 2>&1)
	[ -s "$snap" ] || return 0
	echo "# --- $name: the file, parsed independently"
	live_fold < <(python3 "$HERE/snapshot_compare.py" file --label "$name" --core "$snap" \
		--qmp "$B" --before "$A" --interval "$INTERVAL" 2>&1)
	echo "# --- $name: the host's vqdump on the copied file"
	live_fold < <(python3 "$HERE/snapshot_compare.py" host --label "$name" \
		--serial "$QEMU_SERIAL" --snap snap --vqdump "$VQDUMP" --core "$snap" 2>&1)
	echo "# --- $name: scan on the copied file finds QEMU's used rings"
	scan_check "$name" "$snap" "$A" "$B"
	if [ "$name" = pci ] && [ -n "${VQ_SNAP_FIXTURE:-}" ]; then
		mkdir -p "$VQ_SNAP_FIXTURE" &&
			cp "$snap" "$VQ_SNAP_FIXTURE/snapshot.elf" &&
			cp "$A" "$VQ_SNAP_FIXTURE/qmp-before.json" &&
			cp "$B" "$VQ_SNAP_FIXTURE/qmp.json" &&
			python3 "$HERE/snapshot_compare.py" sysfs --serial "$QEMU_SERIAL" --tag snap \
				>"$VQ_SNAP_FIXTURE/sysfs.txt" &&
			echo "# fixture written to $VQ_SNAP_FIXTURE"
	fi
}

# shellcheck disable=SC2054 # QEMU options are comma-separated
PCI=(
	-vga none -nic none
	-drive "driver=raw,file.driver=blkdebug,file.image.driver=file,file.image.filename=$TMP/mblk.img,if=none,id=dmblk"
	-device virtio-blk-pci,drive=dmblk,id=mblk,disable-legacy=on,addr=0x4,serial=held
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
# virtio-mmio version 2 on microvm: its ring addresses are write-only
# registers, so vqdump takes them from Linux's records (kvq.c) and the
# snapshot must keep them with addr_source "kernel".
# shellcheck disable=SC2054
MMIO=(
	-M microvm -global virtio-mmio.force-legacy=false
	-drive "file=$TMP/mblk.img,format=raw,if=none,id=dblk"
	-device virtio-blk-device,drive=dblk,id=blk
	-netdev user,id=n0,restrict=on
	-device virtio-net-device,netdev=n0,id=net,mac=52:54:00:00:01:01
	-object rng-random,id=rng0,filename=/dev/urandom
	-device virtio-rng-device,rng=rng0,id=rng
)

KIND=pci
snap_scenario pci "${PCI[@]}"
if [ "${VQ_SNAP_MMIO:-1}" = 1 ]; then
	KIND=mmio
	KHZ=$(awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
	# shellcheck disable=SC2034 # read by live_boot (live_lib.sh)
	LIVE_APPEND="tsc_early_khz=${KHZ:-2000000}"
	snap_scenario mmio2 "${MMIO[@]}"
fi
echo "# total: $(live_elapsed "$START") s"
finish
