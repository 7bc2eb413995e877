#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: host-side `vqdump --qemu SOCK status --json` and one `watch` sample of a 69-queue VM against one QMP x-query-virtio-queue-status round trip per queue by hand, as ratios.
#
# usage: bench/host-status.sh [ROUNDS]   (default 9; VQDUMP=path overrides build/vqdump)
#
# One PCI guest (TCG, one vCPU), Linux's drivers bound, idle after boot,
# with 69 queues: virtio-serial-pci max_ports=31 (64), virtio-blk (1),
# virtio-rng (1), virtio-balloon (3).  Each round, one after the other on
# the same QMP socket:
#   by hand   a small Python client: connect, greeting, qmp_capabilities,
#             then one x-query-virtio-queue-status round trip per queue,
#             in turn (the paths and queue counts given to it, so it asks
#             nothing else); its whole process, and the loop alone
#   status    vqdump --qemu SOCK status --json (every device and queue:
#             QMP's view, guest RAM's ring indices, the memory map)
#   watch     vqdump --qemu SOCK watch --count 1 --json (one sample of
#             every queue, both sides)
# Printed: the median of each over ROUNDS rounds, the QMP commands one
# status sends (strace of its send calls, one extra run), and the ratios
# by-hand/status and by-hand/watch, "higher is better for vqdump".
# Target: status in less time than the by-hand loop (ratio >= 1).  The
# whole client's time is mostly Python starting; the loop alone is the
# floor: QEMU 7.2 takes about the same time for each QMP command whether
# the client waits for each reply or sends them all at once (tried), and
# status needs one x-query-virtio-queue-status a queue too, plus the
# memory map and the device list, so against the bare loop the ratio
# stays below 1 (0.74-0.86 here).  Not a test: no assertion, `make
# check` does not run it.
set -u -o pipefail
cd "$(dirname "$0")/.." || exit 2
ROUNDS=${1:-${ROUNDS:-9}}
HERE=$PWD/tests/qemu
VQDUMP=${VQDUMP:-$PWD/build/vqdump}
export QEMU_TIMEOUT=600
[ -x "$VQDUMP" ] || make -s all || exit 2
# shellcheck source=tests/qemu/live_lib.sh
. "$HERE/live_lib.sh"

live_init >/dev/null
live_initramfs "$TMP/initrd.gz" 1 "virtio_blk virtio_console virtio_balloon" || fatal "initramfs"
truncate -s 16M "$TMP/blk.img" || fatal "disk image"
# shellcheck disable=SC2054 # QEMU options are comma-separated
live_boot bench-host "$TMP/initrd.gz" -vga none -nic none \
	-drive "file=$TMP/blk.img,format=raw,if=none,id=d0" \
	-device virtio-blk-pci,drive=d0,id=vblk0,disable-legacy=on,addr=04.0 \
	-device virtio-serial-pci,id=vser0,max_ports=31,disable-legacy=on,addr=05.0 \
	-device virtio-rng-pci,id=vrng0,disable-legacy=on,addr=06.0 \
	-device virtio-balloon-pci,id=vbal0,disable-legacy=on,addr=07.0
sleep 2

# The queues, asked once before timing: "PATH NQUEUES" lines.
python3 - "$HERE" "$QEMU_QMP" >"$TMP/queues" <<'PY' || fatal "the queue list over QMP"
import sys
sys.path.insert(0, sys.argv[1])
from qmp import QMP
with QMP(sys.argv[2]) as q:
    for d in q.cmd("x-query-virtio"):
        print(d["path"], q.cmd("x-query-virtio-status", path=d["path"])["num-vqs"])
PY
nq=$(awk '{ n += $2 } END { print n }' "$TMP/queues")

# The by-hand client: plain socket, one command line, one reply line.
cat >"$TMP/byhand.py" <<'PY'
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rb")
f.readline()
def cmd(c, a=None):
    m = {"execute": c}
    if a:
        m["arguments"] = a
    s.sendall(json.dumps(m).encode() + b"\n")
    while True:
        r = json.loads(f.readline())
        if "event" not in r:
            return r
cmd("qmp_capabilities")
queues = [(p, i) for p, n in (l.split() for l in open(sys.argv[2])) for i in range(int(n))]
t0 = time.monotonic_ns()
for p, i in queues:
    r = cmd("x-query-virtio-queue-status", {"path": p, "queue": i})
    assert "return" in r, r
print(time.monotonic_ns() - t0)
PY

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

h_times=() l_times=() s_times=() w_times=()
for _ in $(seq "$ROUNDS"); do
	t0=$(now)
	loop=$(python3 "$TMP/byhand.py" "$QEMU_QMP" "$TMP/queues") || fatal "by-hand client"
	t1=$(now)
	"$VQDUMP" --qemu "$QEMU_QMP" status --json >"$TMP/status.json" || fatal "vqdump status"
	t2=$(now)
	"$VQDUMP" --qemu "$QEMU_QMP" watch --count 1 --json >"$TMP/watch.json" || fatal "vqdump watch"
	t3=$(now)
	h_times+=($((t1 - t0)))
	l_times+=("$loop")
	s_times+=($((t2 - t1)))
	w_times+=($((t3 - t2)))
done
shown=$(python3 -c 'import json,sys; print(sum(len(d["queues"]) for d in json.load(open(sys.argv[1]))["devices"]))' "$TMP/status.json")

# How many QMP commands one status sends, and which (strace of its
# send calls; skipped without strace).
if command -v strace >/dev/null; then
	strace -qq -e trace=sendto -s 300 -o "$TMP/strace" "$VQDUMP" --qemu "$QEMU_QMP" status --json >/dev/null 2>&1
	grep -o '\\"execute\\":\\"[^\\]*' "$TMP/strace" | sed 's/.*"//' >"$TMP/cmds"
fi
live_shutdown

h=$(printf '%s\n' "${h_times[@]}" | median)
l=$(printf '%s\n' "${l_times[@]}" | median)
s=$(printf '%s\n' "${s_times[@]}" | median)
w=$(printf '%s\n' "${w_times[@]}" | median)
echo "VM: $(wc -l <"$TMP/queues") devices, $nq queues (status shows $shown); $ROUNDS rounds, medians:"
awk -v h="$h" -v l="$l" -v s="$s" -v w="$w" -v n="$nq" 'BEGIN {
	printf "by hand, whole client:   %7.1f ms (%d x-query-virtio-queue-status round trips)\n", h / 1e6, n
	printf "by hand, the loop alone: %7.1f ms (%.3f ms a round trip)\n", l / 1e6, l / 1e6 / n
	printf "vqdump status --json:    %7.1f ms\n", s / 1e6
	printf "vqdump watch --count 1:  %7.1f ms\n", w / 1e6
	printf "ratio by-hand client / status: %.2f (target >= 1.00: %s)\n", h / s, (h / s >= 1 ? "met" : "NOT met")
	printf "ratio by-hand loop / status:   %.2f\n", l / s
	printf "ratio by-hand client / watch:  %.2f\n", h / w
}'
echo "QMP commands one status sent: $(wc -l <"$TMP/cmds" 2>/dev/null || echo ?) ($(sort "$TMP/cmds" 2>/dev/null | uniq -c | sort -rn | awk '{ printf "%s%s %d", sep, $2, $1; sep = ", " }'))"
rm -rf "$TMP"
