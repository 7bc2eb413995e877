#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: vqdump --qemu on the host reads a running TCG guest (QMP and its RAM) and agrees with QEMU asked directly; the guest keeps running.
#
# Two guests, one after the other, Linux's drivers bound, left idle after
# boot:
#   host-pci    virtio-blk-pci (modern) at 00:04.0, virtio-rng-pci at 00:05.0
#               and one without an id= at 00:06.0
#   host-mmio   -M microvm, virtio-blk-device on virtio-mmio version 2
# From the host, for each: vqdump --qemu SOCK list/status --json,
# ring -d DISK --queue 0 --json, features, mem and scan; a second client
# while one holds the socket; then host_compare.py asks QEMU itself on its
# own connection (x-query-virtio-*, query-pci, HMP xp; see there), and the
# guest must be running (query-status) before and after.  On the PCI
# guest a write is then held at a blkdebug breakpoint and must show as
# in flight, taken by the device, as QMP says.
# VQ_CAPTURE=DIR saves QEMU's answers (host_capture.py) for the unit tests.
#
# Usage: tests/qemu/test-host-qemu.sh   (VQDUMP=path overrides ../../build/vqdump)
# Output: "ok - ..." lines, then "N passed, N failed"; exit 1 on failure,
# 77 without QEMU or vqdump.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=live_lib.sh
. "$HERE/live_lib.sh"

running() {
	python3 "$HERE/qmp.py" "$QEMU_QMP" query-status |
		python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["running"] else 1)'
}

# vq NAME OUT ARGS...: vqdump --qemu SOCK ARGS > OUT, exit 0 wanted.
vq() {
	local name=$1 out=$2
	shift 2
	if "$VQDUMP" --qemu "$QEMU_QMP" "$@" >"$out" 2>"$out.err"; then
		ok "$name"
	else
		not_ok "$name: exit $? ($(head -c 300 "$out.err"))"
	fi
}

# second_client NAME: a client holds the socket; vqdump says so in one line, exit 3.
second_client() {
	local rc
	python3 - "$QEMU_QMP" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.recv(4096); time.sleep(8)
PY
	local hold=$!
	sleep 1
	"$VQDUMP" --qemu "unix:$QEMU_QMP" list >"$LIVE_DIR/second.out" 2>"$LIVE_DIR/second.err"
	rc=$?
	wait "$hold"
	if [ "$rc" = 3 ] && [ "$(wc -l <"$LIVE_DIR/second.err")" = 1 ] &&
		grep -q "another client holds it" "$LIVE_DIR/second.err"; then
		ok "$1: second client: one line, exit 3"
	else
		not_ok "$1: second client: exit $rc, $(cat "$LIVE_DIR/second.err")"
	fi
}

# pause_round NAME DISK: --pause stops the running guest for the read and
# lets it run again: the view line says vqdump paused it, QEMU says it
# runs afterwards, and the disk's queue 0 has QMP's indices exactly
# (QMP asked after: the idle disk does not move), guest RAM's as HMP xp
# reads them.
pause_round() {
	local name=$1 disk=$2 D=$LIVE_DIR
	vq "$name: --pause status --json" "$D/pause.json" --pause -d "$disk" status --json
	if running; then ok "$name: --pause: guest running again afterwards"; else not_ok "$name: --pause: guest left paused"; fi
	if python3 - "$HERE" "$QEMU_QMP" "$D/pause.json" <<'PY'; then
import json, sys
sys.path.insert(0, sys.argv[1])
from qmp import QMP
d = json.load(open(sys.argv[3]))["devices"][0]
q = d["queues"][0]
with QMP(sys.argv[2]) as m:
    path = [v["path"] for v in m.cmd("x-query-virtio") if v["name"] == "virtio-blk"][0]
    w = m.cmd("x-query-virtio-queue-status", path=path, queue=0)
    def word16(addr):
        t = m.cmd("human-monitor-command", {"command-line": "xp /1hx %#x" % addr})
        return int(t.split(":")[1].split()[0], 16)
    avail = word16(w["vring-avail"] + 2)
    used = word16(w["vring-used"] + 2)
dv = q["device_view"]
print("# QMP", w, "# RAM avail/used", avail, used, "# vqdump", d["view"], q, file=sys.stderr)
ok = ("paused by vqdump" in d["view"] and dv["last_avail_idx"] == w["last-avail-idx"] and
      dv["shadow_avail_idx"] == w["shadow-avail-idx"] and dv["used_idx"] == w["used-idx"] and
      dv["inuse"] == w["inuse"] and q["avail_idx"] == avail and q["used_idx"] == used)
sys.exit(0 if ok else 1)
PY
		ok "$name: --pause: view says paused by vqdump; queue 0 has QMP's and guest RAM's indices exactly"
	else
		not_ok "$name: --pause: $(head -c 600 "$D/pause.json")"
	fi
}

# host_round NAME DISK: everything above on the running guest.
host_round() {
	local name=$1 disk=$2 D=$LIVE_DIR
	sleep 2
	if running; then ok "$name: guest running before vqdump"; else not_ok "$name: guest running before vqdump"; fi
	if [ -n "${VQ_CAPTURE:-}" ]; then
		mkdir -p "$VQ_CAPTURE" && python3 "$HERE/host_capture.py" "$QEMU_QMP" "$VQ_CAPTURE" "qemu72-$name"
	fi
	vq "$name: list --json" "$D/list.json" list --json
	vq "$name: status --json" "$D/status.json" status --json
	vq "$name: ring -d $disk --queue 0 --json" "$D/ring.json" -d "$disk" ring --queue 0 --json
	vq "$name: features -d $disk" "$D/features.txt" -d "$disk" features
	vq "$name: list" "$D/list.txt" list
	if grep -q "$disk" "$D/list.txt"; then
		ok "$name: list names the disk $disk"
	else
		not_ok "$name: list names the disk $disk: $(cat "$D/list.txt")"
	fi
	# The descriptor table's first bytes through mem, as QEMU's monitor shows them.
	local desc
	desc=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["desc"])' "$D/ring.json")
	vq "$name: mem desc 16 --json" "$D/mem.json" --json mem "$desc" 16
	if python3 - "$HERE" "$QEMU_QMP" "$desc" "$D/mem.json" <<'PY'; then
import json, sys
sys.path.insert(0, sys.argv[1])
from qmp import QMP
with QMP(sys.argv[2]) as q:
    text = q.cmd("human-monitor-command", {"command-line": "xp /4wx %s" % sys.argv[3]})
words = [int(w, 16) for w in text.split(":")[1].split()]
want = b"".join(w.to_bytes(4, "little") for w in words).hex()
sys.exit(0 if json.load(open(sys.argv[4]))["hex"] == want else 1)
PY
		ok "$name: mem shows the descriptor bytes QEMU's monitor shows (xp)"
	else
		not_ok "$name: mem differs from QEMU's xp"
	fi
	# scan reads all of guest RAM through the translation: the disk's
	# queue 0 must be among the rings it finds.
	vq "$name: scan --json" "$D/scan.json" --json scan
	if python3 -c 'import json,sys; sys.exit(0 if int(sys.argv[2]) in [r["desc"] for r in json.load(open(sys.argv[1]))["rings"]] else 1)' \
		"$D/scan.json" "$desc"; then
		ok "$name: scan of guest RAM finds the disk's queue 0 at its QMP address"
	else
		not_ok "$name: scan does not find the ring at $desc"
	fi
	# The idle guest: diagnose finds nothing wrong, and the disk's queue 0
	# has both sides (DEVICE_VIEW) with QMP's and guest RAM's numbers equal
	# to what status read a moment ago (nothing moves on the idle disk).
	vq "$name: diagnose --json (idle: exit 0)" "$D/diag.json" -d "$disk" diagnose --json
	if python3 - "$D/diag.json" "$D/status.json" "$disk" <<'PY'; then
import json, sys
f = json.load(open(sys.argv[1]))["findings"]
q = [d for d in json.load(open(sys.argv[2]))["devices"] if d["name"] == sys.argv[3]][0]["queues"][0]
v = [x for x in f if x["code"] == "DEVICE_VIEW" and x["queue"] == 0]
e = v[0]["evidence"] if v else {}
dv = q["device_view"]
sys.exit(0 if v and e["avail_idx"] == q["avail_idx"] and e["used_idx"] == q["used_idx"] and
         e["device_last_avail_idx"] == dv["last_avail_idx"] and e["device_used_idx"] == dv["used_idx"] and
         e["device_inuse"] == dv["inuse"] == 0 and not [x for x in f if x["severity"] != "info"] else 1)
PY
		ok "$name: diagnose: queue 0's DEVICE_VIEW has status's numbers, no warning"
	else
		not_ok "$name: diagnose: $(head -c 600 "$D/diag.json")"
	fi
	pause_round "$name" "$disk"
	second_client "$name"
	live_fold < <(python3 "$HERE/host_compare.py" "$QEMU_QMP" "$D/list.json" "$D/status.json" \
		"$D/ring.json" "$disk" 2>&1)
}

# layout_round: no guest, QEMU held before its first instruction (-S):
# RAM split around the PCI hole (4200 MiB: 3 GiB below 4 GiB, the rest
# from 4 GiB on), backed by a file (memory-backend-file), and a DIMM.  A
# 24-byte pattern naming its own address is loaded (-device loader) into
# each kind of range; vqdump --qemu mem must read each one back, and the
# file behind the RAM must hold the same bytes where the pc machine puts
# them (guest 4 GiB + x is file offset 3 GiB + x).
layout_round() {
	local d=$TMP/host-layout shm=/dev/shm/vqdump-test-$$ a args=() got
	mkdir -p "$d"
	for a in 1000 80000000 140000000 180000000; do
		python3 -c 'import sys; open(sys.argv[1], "wb").write(int(sys.argv[2], 16).to_bytes(8, "big") + b"VQDUMP-PATTERN!!")' \
			"$d/pat-$a" "$a"
		args+=(-device "loader,addr=0x$a,file=$d/pat-$a")
	done
	# shellcheck disable=SC2054
	qemu_start "$d" -S -nodefaults -m 4200M,slots=2,maxmem=8G \
		-object "memory-backend-file,id=ram,size=4200M,mem-path=$shm,share=on" \
		-machine memory-backend=ram \
		-object memory-backend-ram,id=m1,size=128M -device pc-dimm,id=dimm1,memdev=m1 \
		"${args[@]}" || { not_ok "host-layout: QEMU starts"; rm -f "$shm"; return; }
	if [ "$(python3 "$HERE/qmp.py" "$QEMU_QMP" query-memory-devices |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["data"]["addr"])')" = $((0x180000000)) ]; then
		ok "host-layout: QEMU put the DIMM at 0x180000000"
	else
		not_ok "host-layout: the DIMM is not at 0x180000000"
	fi
	for a in 1000 80000000 140000000 180000000; do
		got=$("$VQDUMP" --qemu "$QEMU_QMP" --json mem "0x$a" 24 2>"$d/err" |
			python3 -c 'import json,sys; print(json.load(sys.stdin)["hex"])')
		if [ "$got" = "$(od -An -tx1 -v "$d/pat-$a" | tr -d ' \n')" ]; then
			ok "host-layout: mem 0x$a reads the pattern loaded there"
		else
			not_ok "host-layout: mem 0x$a: '$got' $(cat "$d/err")"
		fi
	done
	if [ "$(od -An -tx1 -v -j $((0xc0000000 + 0x40000000)) -N 24 "$shm" | tr -d ' \n')" = \
		"$(od -An -tx1 -v "$d/pat-140000000" | tr -d ' \n')" ]; then
		ok "host-layout: the RAM file holds the pattern at 0x140000000's offset (the oracle agrees)"
	else
		not_ok "host-layout: the RAM file does not hold the pattern where expected"
	fi
	got=$(python3 "$HERE/qmp.py" "$QEMU_QMP" query-status |
		python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["status"], s["running"])')
	if [ "$got" = "prelaunch False" ]; then
		ok "host-layout: QEMU still held (prelaunch): vqdump did not start it"
	else
		not_ok "host-layout: run state changed: $got"
	fi
	qemu_stop
	rm -f "$shm"
}

# held_round: a write the blkdebug breakpoint holds in QEMU; --qemu must
# show it in flight on the disk's queue 0, taken by the device, as QMP
# says (inuse 1); then the write is let go.
held_round() {
	local D=$LIVE_DIR P=/machine/peripheral/vblk0/virtio-backend i inuse
	hmp() { python3 "$HERE/qmp.py" "$QEMU_QMP" human-monitor-command "{\"command-line\": \"$1\"}" >/dev/null; }
	hmp 'qemu-io d0 \"break write_aio held\"' || { not_ok "held: blkdebug breakpoint set"; return; }
	live_cmd 30 bgwrite vda 100 || { not_ok "held: guest starts a write"; return; }
	for ((i = 0; i < 60; i++)); do
		inuse=$(python3 "$HERE/qmp.py" "$QEMU_QMP" x-query-virtio-queue-status "{\"path\": \"$P\", \"queue\": 0}" |
			python3 -c 'import json,sys; print(json.load(sys.stdin)["inuse"])')
		[ "$inuse" -ge 1 ] 2>/dev/null && break
		sleep 0.5
	done
	if [ "${inuse:-0}" -ge 1 ] 2>/dev/null; then ok "held: QEMU holds $inuse request(s)"; else not_ok "held: no request held"; return; fi
	vq "held: ring --json" "$D/held-ring.json" -d 0000:00:04.0 ring --queue 0 --json
	vq "held: status --json" "$D/held-status.json" -d 0000:00:04.0 status --json
	if python3 - "$HERE" "$QEMU_QMP" "$P" "$D/held-ring.json" "$D/held-status.json" <<'PY'; then
import json, sys
sys.path.insert(0, sys.argv[1])
from qmp import QMP
with QMP(sys.argv[2]) as q:
    w = q.cmd("x-query-virtio-queue-status", path=sys.argv[3], queue=0)
ring = json.load(open(sys.argv[4]))
dv = json.load(open(sys.argv[5]))["devices"][0]["queues"][0]["device_view"]
# Held: nothing moves, so QEMU's answer now is the one vqdump had.
ok = (w["inuse"] >= 1 and dv["inuse"] == w["inuse"] and dv["last_avail_idx"] == w["last-avail-idx"]
      and ring["in_flight"] == w["inuse"] and len(ring["chains"]) == w["inuse"]
      and all(c["taken_by_device"] for c in ring["chains"])
      and ring["used_idx"] == w["used-idx"])
print("# QMP", w, "# vqdump ring in flight", ring["in_flight"], "taken", [c["taken_by_device"] for c in ring["chains"]], file=sys.stderr)
sys.exit(0 if ok else 1)
PY
		ok "held: the write is in flight and taken by the device, as QMP says"
	else
		not_ok "held: ring/status differ from QMP"
	fi
	# diagnose names the held write: the device took it (QMP inuse) and the
	# used idx in guest RAM does not move.  Held: QMP's answer now is the
	# one vqdump had.
	"$VQDUMP" --qemu "$QEMU_QMP" -d 0000:00:04.0 diagnose --json >"$D/held-diag.json" 2>"$D/held-diag.err"
	i=$?
	if [ "$i" = 1 ] && python3 - "$HERE" "$QEMU_QMP" "$P" "$D/held-diag.json" <<'PY'; then
import json, sys
sys.path.insert(0, sys.argv[1])
from qmp import QMP
with QMP(sys.argv[2]) as q:
    w = q.cmd("x-query-virtio-queue-status", path=sys.argv[3], queue=0)
f = json.load(open(sys.argv[4]))["findings"]
h = [x for x in f if x["code"] == "DEVICE_HOLDS" and x["queue"] == 0]
v = [x for x in f if x["code"] == "DEVICE_VIEW" and x["queue"] == 0]
print("# QMP", w, "# vqdump", h, v, file=sys.stderr)
ok = (h and v and h[0]["evidence"]["device_inuse"] == w["inuse"] and
      h[0]["evidence"]["used_idx"] == w["used-idx"] and
      v[0]["evidence"]["device_last_avail_idx"] == w["last-avail-idx"] and
      v[0]["evidence"]["avail_idx"] == w["last-avail-idx"] and
      v[0]["evidence"]["device_used_idx"] == w["used-idx"])
sys.exit(0 if ok else 1)
PY
		ok "held: diagnose names the write the device took and has not completed (DEVICE_HOLDS), as QMP says"
	else
		not_ok "held: diagnose: exit $i: $(head -c 600 "$D/held-diag.json") $(head -c 300 "$D/held-diag.err")"
	fi
	# watch and a host-side snapshot of the held write: both sides as QMP
	# says (held, nothing moves), the snapshot read back with --core.
	vq "held: watch --json" "$D/held-watch.json" -d 0000:00:04.0 watch --count 2 --interval 200 --json
	vq "held: snapshot -o FILE" "$D/held-snap.out" -d 0000:00:04.0 snapshot -o "$D/held.elf" --force
	"$VQDUMP" --core "$D/held.elf" status --json >"$D/held-snap-status.json" 2>"$D/held-snap-status.err"
	"$VQDUMP" --core "$D/held.elf" diagnose >"$D/held-snap-diag.txt" 2>&1
	i=$?
	if [ "$i" = 1 ] && grep -q "DEVICE_HOLDS" "$D/held-snap-diag.txt" &&
		python3 - "$HERE" "$QEMU_QMP" "$P" "$D/held-watch.json" "$D/held-snap-status.json" <<'PY'; then
import json, sys
sys.path.insert(0, sys.argv[1])
from qmp import QMP
with QMP(sys.argv[2]) as q:
    w = q.cmd("x-query-virtio-queue-status", path=sys.argv[3], queue=0)
want = {"source": "qmp", "last_avail_idx": w["last-avail-idx"], "shadow_avail_idx": w["shadow-avail-idx"],
        "used_idx": w["used-idx"], "signalled_used": w["signalled-used"], "inuse": w["inuse"]}
rows = [[r for r in json.loads(l)["queues"] if r["queue"] == 0][0] for l in open(sys.argv[4])]
snap = json.load(open(sys.argv[5]))["devices"][0]["queues"][0]
print("# QMP", want, "# watch", rows, "# snapshot", snap.get("device_view"), file=sys.stderr)
ok = (len(rows) == 2 and all(r["device_view"] == want and r["avail_idx"] == w["last-avail-idx"] and
                             r["used_idx"] == w["used-idx"] for r in rows) and
      snap["device_view"] == want and snap["avail_idx"] == w["last-avail-idx"] and
      snap["used_idx"] == w["used-idx"])
sys.exit(0 if ok else 1)
PY
		ok "held: watch and the host-side snapshot (read back) show both sides as QMP says; diagnose of the file names the hold"
	else
		not_ok "held: watch/snapshot: diagnose of the file exit $i: $(head -c 300 "$D/held-snap-diag.txt")"
	fi
	hmp 'qemu-io d0 \"resume held\"'
	if running; then ok "held: guest running after"; else not_ok "held: guest not running after"; fi
}

live_init
layout_round
# virtio_rng is not loaded: Linux would read entropy all along and the
# rng queues would move between vqdump's reads and the oracle's.
live_initramfs "$TMP/initrd-pci.gz" 1 "virtio_blk" || fatal "initramfs (pci)"
live_initramfs "$TMP/initrd-mmio.gz" 1 "virtio_mmio virtio_blk" || fatal "initramfs (mmio)"
truncate -s 16M "$TMP/blk.img" || fatal "disk image"

# shellcheck disable=SC2054 # QEMU options are comma-separated
live_boot host-pci "$TMP/initrd-pci.gz" -vga none -nic none \
	-drive "driver=raw,file.driver=blkdebug,file.image.driver=file,file.image.filename=$TMP/blk.img,if=none,id=d0" \
	-device virtio-blk-pci,drive=d0,id=vblk0,disable-legacy=on,addr=04.0 \
	-device virtio-rng-pci,id=vrng0,disable-legacy=on,addr=05.0 \
	-device virtio-rng-pci,disable-legacy=on,addr=06.0
ok "host-pci: guest booted"
host_round host-pci 0000:00:04.0
held_round
live_shutdown

KHZ=$(awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
LIVE_APPEND="tsc_early_khz=${KHZ:-2000000}"
# shellcheck disable=SC2054
live_boot host-mmio "$TMP/initrd-mmio.gz" -M microvm -global virtio-mmio.force-legacy=false \
	-nic none -drive "file=$TMP/blk.img,format=raw,if=none,id=d0" \
	-device virtio-blk-device,drive=d0,id=mblk
ok "host-mmio: guest booted"
# microvm fills its transports from the top: the first device is on bus 23.
host_round host-mmio mmio:0xfeb02e00
live_shutdown
finish
