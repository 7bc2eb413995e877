#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: vqdump status/ring in a loop must not disturb a virtio disk Linux is writing and reading back.
#
# PCI guest (TCG), virtio_blk loaded, three virtio-blk disks:
#   data      modern-only, 32 MiB, filled on the host with a known background
#   msentinel modern-only, idle after Linux's partition scan
#   lsentinel legacy-only (disable-modern=on), idle likewise
# For 30 s the guest writes 1 MiB at 4 MiB on the data disk with O_DIRECT,
# alternating two known patterns, reads it back with O_DIRECT and compares,
# while a second loop runs `vqdump status --json` (every device) and
# `vqdump -d DATA ring --queue 0 --json` back to back.  Checks:
#   * every round read back what it wrote, no dd failed, no I/O error in
#     dmesg, every vqdump run succeeded, and vqdump saw the data ring move;
#   * QEMU's ISR of every device (x-query-virtio-status "isr", sampled over
#     QMP four times a second during the run) never drops to 0 once it was
#     non-zero.  Why this catches an ISR read: QEMU sets ISR bit 0 on every
#     used-buffer notification, MSI-X or not, and clears it only when the
#     ISR register is read (or the device is reset).  Linux uses MSI-X here
#     and so never reads ISR (only its INTx handler does).  A tool that
#     reads ISR therefore turns QEMU's isr to 0: on the idle sentinels it
#     stays 0 until the test's next sample (certain to be seen), on the busy
#     data disk until the next completion (likely to be seen);
#   * positive control: after the run the guest reads the msentinel's ISR
#     byte through /dev/mem once (as a careless tool would) and QEMU's isr
#     must then be 0, so the check above can fail;
#   * on the host, the data image holds the last pattern written at 4 MiB
#     and the background everywhere else: nothing outside the range changed.
#
# Usage: tests/qemu/test-live-noperturb.sh  (VQDUMP=path overrides ../../build/vqdump;
#        VQ_KEEP=DIR keeps the console and ISR samples; VQ_NP_SECS=N changes the 30 s)
# Output: "ok - ..." / "not ok - ..." lines, then "N passed, N failed";
# exit 1 if any check failed, 77 ("skipped: ...") without QEMU or vqdump.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=live_lib.sh
. "$HERE/live_lib.sh"
START=$SECONDS
SECS=${VQ_NP_SECS:-30}
DATA_ADDR=0000:00:04.0
MSENT_ADDR=0000:00:05.0

live_init
live_initramfs "$TMP/initrd.gz" 1 "virtio_blk" || fatal "initramfs"

# The background: every 512-byte sector names itself.
python3 - "$TMP/data.img" "$TMP/msent.img" "$TMP/lsent.img" <<'EOF' || fatal "disk images"
import sys
def background(sectors):
    return b"".join(("vqdump background sector %08d " % s).encode().ljust(511, b".") + b"\n"
                    for s in range(sectors))
with open(sys.argv[1], "wb") as f:
    f.write(background(65536))
for p in sys.argv[2:]:
    with open(p, "wb") as f:
        f.truncate(16 << 20)
EOF

live_boot noperturb "$TMP/initrd.gz" -vga none -nic none \
	-drive "file=$TMP/data.img,format=raw,if=none,id=ddata" \
	-device virtio-blk-pci,drive=ddata,id=data,serial=vqdata,disable-legacy=on,addr=0x4 \
	-drive "file=$TMP/msent.img,format=raw,if=none,id=dmsent" \
	-device virtio-blk-pci,drive=dmsent,id=msentinel,serial=vqmsent,disable-legacy=on,addr=0x5 \
	-drive "file=$TMP/lsent.img,format=raw,if=none,id=dlsent" \
	-device virtio-blk-pci,drive=dlsent,id=lsentinel,serial=vqlsent,disable-modern=on,addr=0x6
ok "guest booted with virtio_blk bound to three disks ($(live_elapsed "$START") s)"

python3 "$HERE/live_qmp.py" isr "$QEMU_QMP" >"$LIVE_DIR/isr-start.json" || fatal "QMP isr sample"
python3 "$HERE/live_qmp.py" isr-watch "$QEMU_QMP" "$QEMU_SERIAL" '^VQ-NP-START' '^VQ-NP ' \
	"$LIVE_DIR/isr-watch.json" --interval 0.25 --timeout $((SECS + 90)) \
	>"$LIVE_DIR/isr-watch.out" 2>&1 &
WATCH=$!
trap 'kill "$WATCH" 2>/dev/null; qemu_cleanup' EXIT
live_cmd $((SECS + 60)) np "$SECS" vqdata "$DATA_ADDR" || fatal "guest runs the ${SECS} s I/O and vqdump loops"
wait "$WATCH" || fatal "ISR sampling over QMP: $(cat "$LIVE_DIR/isr-watch.out")"
trap qemu_cleanup EXIT

# The guest's own account.
NP=$(tr -d '\r' <"$QEMU_SERIAL" | grep -m1 '^VQ-NP ')
echo "# guest: ${NP#VQ-NP }"
tr -d '\r' <"$QEMU_SERIAL" | grep -E '^VQ-NP-(STDERR|DMESG)' | head -n 10 | sed 's/^/# /'
val() { printf '%s\n' "$NP" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
num() { local v; v=$(val "$1"); [ -n "$v" ] && [ "$v" -ge 0 ] 2>/dev/null && echo "$v" || echo -1; }
[ -n "$NP" ] || fatal "guest reported its results"
R=$(num rounds)
# at_least VALUE MIN TEXT
at_least() {
	if [ "$1" -ge "$2" ]; then ok "$3"; else not_ok "$3 (want at least $2)"; fi
}
R=$(num rounds)
at_least "$R" 5 "write/read/compare rounds: $R in ${SECS} s"
for k in write_errors read_errors compare_errors dmesg_io_errors status_failures ring_failures; do
	v=$(num $k)
	if [ "$v" = 0 ]; then ok "$k = 0"; else not_ok "$k = 0 (got $v)"; fi
done
for k in status_runs ring_runs; do
	v=$(num $k)
	at_least "$v" 5 "$k: $v vqdump runs during the I/O"
done
v=$(num ring_used_idx_distinct)
at_least "$v" 2 "vqdump ring saw the data queue move ($v distinct used_idx values)"

# QEMU's ISR, before and during the run.
while IFS= read -r line; do
	case $line in
	"ok "*) ok "${line#ok }" ;;
	"bad "*) not_ok "${line#bad }" ;;
	*) echo "# $line" ;;
	esac
done < <(python3 - "$LIVE_DIR/isr-start.json" "$LIVE_DIR/isr-watch.json" <<'EOF'
import json, sys
start = json.load(open(sys.argv[1]))
samples = json.load(open(sys.argv[2]))["samples"]
print("%d ISR samples over %.1f s" % (len(samples), samples[-1]["t"] if samples else 0))
print(("ok" if len(samples) >= 20 else "bad") + " ISR sampled during the run (%d samples)" % len(samples))
for path in sorted(start):
    dev = path.split("/")[3]
    seq = [start[path]] + [s["isr"].get(path) for s in samples]
    seen = None
    bad = []
    for i, v in enumerate(seq):
        if v:
            seen = i
        elif seen is not None:
            bad.append(i)
    if dev in ("msentinel", "lsentinel"):
        # An idle device: detection is certain only if its isr was set.
        print(("ok" if start[path] else "bad") + " %s: isr %s before the run (set by the partition scan's completions)"
              % (dev, start[path]))
    if dev == "data":
        n = sum(1 for v in seq if v)
        print(("ok" if n else "bad") + " data: isr non-zero in %d of %d samples" % (n, len(seq)))
    print(("ok" if not bad else "bad") + " %s: isr never cleared once set (values %s)"
          % (dev, "".join(str(v) if v is not None else "?" for v in seq)[:120]))
EOF
)

# Positive control: one deliberate ISR read must show.
live_cmd 30 isr-read "$MSENT_ADDR" || fatal "guest reads the ISR once (positive control)"
READ=$(tr -d '\r' <"$QEMU_SERIAL" | grep -m1 '^VQ-ISR-READ')
python3 "$HERE/live_qmp.py" isr "$QEMU_QMP" >"$LIVE_DIR/isr-control.json" || fatal "QMP isr sample"
CTRL=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get("/machine/peripheral/msentinel/virtio-backend"))' \
	"$LIVE_DIR/isr-control.json")
if [ "$CTRL" = 0 ]; then
	ok "positive control: one ISR read by the guest (${READ#VQ-ISR-READ }) turns QEMU's isr to 0"
else
	not_ok "positive control: one ISR read by the guest (${READ#VQ-ISR-READ }) turns QEMU's isr to 0 (isr is $CTRL)"
fi
live_shutdown

# The image on the host.
LAST=$(val last_pattern)
while IFS= read -r line; do
	case $line in
	"ok "*) ok "${line#ok }" ;;
	*) not_ok "${line#bad }" ;;
	esac
done < <(python3 - "$TMP/data.img" "$LAST" <<'EOF'
import sys
img, last = sys.argv[1], sys.argv[2]
MiB = 1 << 20
def background(first, count):
    return b"".join(("vqdump background sector %08d " % s).encode().ljust(511, b".") + b"\n"
                    for s in range(first, first + count))
texts = {"A": "vqdump noperturb pattern A 0123456789abcdef\n",
         "B": "vqdump noperturb pattern B fedcba9876543210\n"}
data = open(img, "rb").read()
print(("ok" if len(data) == 32 * MiB else "bad") + " data image still 32 MiB (%d bytes)" % len(data))
if last in texts:
    t = texts[last].encode()
    want = (t * (MiB // len(t) + 1))[:MiB]
    got = data[4 * MiB:5 * MiB]
    diff = next((i for i in range(MiB) if got[i] != want[i]), None) if got != want else None
    print(("ok" if got == want else "bad") + " 1 MiB at 4 MiB holds pattern %s, the last one written%s"
          % (last, "" if got == want else " (first difference at byte %d)" % (4 * MiB + diff)))
else:
    print("bad the guest named the last pattern written (got %r)" % last)
changed = [s for s in list(range(0, 8192)) + list(range(10240, 65536))
           if data[s * 512:(s + 1) * 512] != background(s, 1)]
print(("ok" if not changed else "bad") + " every other sector unchanged%s"
      % ("" if not changed else " (%d changed, first %d)" % (len(changed), changed[0])))
EOF
)
echo "# total: $(live_elapsed "$START") s"
finish
