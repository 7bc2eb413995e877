#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: vqdump --qemu from the host on a running, busy TCG guest (virtio-serial's 64 queues, a throttled disk in use, a held write), against QMP and the in-guest vqdump.
#
# One guest, Linux's drivers bound:
#   0000:00:04.0  virtio-blk behind blkdebug (serial "held"): one write held
#                 at a breakpoint (QMP inuse 1) for the whole test
#   0000:00:05.0  virtio-serial-pci, max_ports=31: 64 queues, no port, so
#                 only the control queues ever carry buffers
#   0000:00:06.0  virtio-blk throttled to 4 requests a second (serial
#                 "thr"), three reader loops in the guest keep requests in
#                 flight and the indices moving all along
# From the host, while the guest runs: status --json, ring --json of the
# held disk, of the serial control receive queue and of the moving disk,
# diagnose --json, config and features, and QEMU's HMP socket given
# instead of QMP (one line, exit 3).  host_serial.py then checks them
# against QEMU (its own QMP connection: x-query-virtio-*, HMP xp), the
# moving queue between QEMU's answers just before and just after vqdump's
# read; and against vqdump run inside the guest (status and the same
# rings, read from guest RAM by the guest's kernel): equal for what does
# not move.  The guest keeps running throughout: query-status at every
# sample, its I/O going on, and its clock (/proc/uptime) advancing.
#
# Usage: tests/qemu/test-host-serial.sh   (VQDUMP=path overrides ../../build/vqdump)
# Output: "ok - ..." lines, then "N passed, N failed"; exit 1 on failure,
# 77 without QEMU or vqdump.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=live_lib.sh
. "$HERE/live_lib.sh"

SER=/machine/peripheral/vser0/virtio-backend
HELD=/machine/peripheral/vblk0/virtio-backend
THR=/machine/peripheral/vblk1/virtio-backend

# sample NAME: QEMU's view of the throttled disk's queue 0 now -> $D/NAME.
sample() {
	python3 "$HERE/host_serial.py" sample "$QEMU_QMP" "$THR" 0 >"$D/$1" ||
		not_ok "QMP sample $1"
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

# guest_block TAG KEY OUT: a block from the guest console into OUT; prints its rc.
guest_block() {
	python3 - "$QEMU_SERIAL" "$1" "$2" "$3" <<'EOF'
import sys
serial, tag, key, out = sys.argv[1:]
lines = open(serial, errors="replace").read().replace("\r", "").split("\n")
start = "VQ-OUT %s %s rc=" % (tag, key)
for i, l in enumerate(lines):
    if l.startswith(start):
        j = lines.index("VQ-ERR", i)
        open(out, "w").write("\n".join(lines[i + 1:j]) + "\n")
        print(l[len(start):])
        sys.exit(0)
sys.exit(1)
EOF
}

# in_guest KEY OUT ARGS...: vqdump ARGS inside the guest, its stdout -> OUT, exit 0 wanted.
in_guest() {
	local key=$1 out=$2 rc
	shift 2
	live_cmd 60 vq g "$key" "$@" || fatal "guest runs vqdump $*"
	rc=$(guest_block g "$key" "$out")
	if [ "$rc" = 0 ]; then ok "in the guest: vqdump $*"; else not_ok "in the guest: vqdump $*: exit $rc"; fi
}

# guest_uptime KEY: the guest's /proc/uptime seconds, read inside it.
guest_uptime() {
	live_cmd 30 cmd u "$1" cat /proc/uptime >/dev/null || fatal "guest reads its clock"
	guest_block u "$1" "$D/uptime-$1" >/dev/null
	cut -d' ' -f1 "$D/uptime-$1"
}

live_init
t_start=$SECONDS
live_initramfs "$TMP/initrd.gz" 1 "virtio_blk virtio_console" || fatal "initramfs"
truncate -s 16M "$TMP/held.img" "$TMP/thr.img" || fatal "disk images"
# shellcheck disable=SC2054 # QEMU options are comma-separated
live_boot host-serial "$TMP/initrd.gz" -vga none -nic none \
	-drive "driver=raw,file.driver=blkdebug,file.image.driver=file,file.image.filename=$TMP/held.img,if=none,id=d0" \
	-device virtio-blk-pci,drive=d0,id=vblk0,disable-legacy=on,addr=04.0,serial=held \
	-device virtio-serial-pci,id=vser0,max_ports=31,disable-legacy=on,addr=05.0 \
	-drive "file=$TMP/thr.img,format=raw,if=none,id=d1,throttling.iops-total=4" \
	-device virtio-blk-pci,drive=d1,id=vblk1,disable-legacy=on,addr=06.0,serial=thr \
	-chardev "socket,id=hmp,path=$TMP/hmp.sock,server=on,wait=off" -mon chardev=hmp,mode=readline
D=$LIVE_DIR
ok "guest booted ($(live_elapsed "$t_start") s)"
up0=$(guest_uptime start)

# The moving disk, then the held write on the other one.
live_cmd 30 bgread thr 3 || fatal "guest starts its reads of the throttled disk"
python3 "$HERE/qmp.py" "$QEMU_QMP" human-monitor-command \
	'{"command-line": "qemu-io d0 \"break write_aio held\""}' >/dev/null || fatal "blkdebug breakpoint"
live_cmd 30 bgwrite vda 100 || fatal "guest starts the write to hold"
for ((i = 0; i < 60; i++)); do
	inuse=$(python3 "$HERE/qmp.py" "$QEMU_QMP" x-query-virtio-queue-status "{\"path\": \"$HELD\", \"queue\": 0}" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["inuse"])')
	[ "${inuse:-0}" -ge 1 ] 2>/dev/null && break
	sleep 0.5
done
if [ "${inuse:-0}" -ge 1 ] 2>/dev/null; then ok "QEMU holds the write ($inuse in use)"; else fatal "no write held"; fi
sleep 1
sample first.sample

# From the host, the moving queue's reads bracketed by QEMU's answers.
sample status.before
vq "host: status --json (every device, the serial device's 64 queues)" "$D/host-status.json" status --json
sample status.after
sample ring-thr.before
vq "host: ring of the throttled disk, moving" "$D/host-ring-thr.json" -d 0000:00:06.0 ring --queue 0 --json
sample ring-thr.after
vq "host: ring of the held write" "$D/host-ring-held.json" -d 0000:00:04.0 ring --queue 0 --json
vq "host: ring of the serial control receive queue" "$D/host-ring-ser.json" -d 0000:00:05.0 ring --queue 2 --json
"$VQDUMP" --qemu "$QEMU_QMP" diagnose --json >"$D/host-diag.json" 2>"$D/host-diag.err"
rc=$?
if [ "$rc" = 1 ]; then ok "host: diagnose --json finds a problem (exit 1)"; else not_ok "host: diagnose: exit $rc, want 1 ($(head -c 300 "$D/host-diag.err"))"; fi
# config: QMP has none of it (QEMU 7.2's x-query-virtio-status has no
# config field): one line, exit 3, naming where it can be read.
"$VQDUMP" --qemu "$QEMU_QMP" -d 0000:00:05.0 config >"$D/config.out" 2>"$D/config.err"
rc=$?
if [ "$rc" = 3 ] && [ "$(wc -l <"$D/config.err")" = 1 ] && [ ! -s "$D/config.out" ] &&
	grep -q "not readable from the host: .*read it inside the guest" "$D/config.err"; then
	ok "host: config says in one line it cannot be read from the host, exit 3"
else
	not_ok "host: config: exit $rc: $(cat "$D/config.err")"
fi
# QEMU's human monitor, given by mistake: one line, exit 3, the way out.
"$VQDUMP" --qemu "$TMP/hmp.sock" list >"$D/hmp.out" 2>"$D/hmp.err"
rc=$?
if [ "$rc" = 3 ] && [ "$(wc -l <"$D/hmp.err")" = 1 ] && grep -q "is not QMP (give the path of QEMU's -qmp socket" "$D/hmp.err"; then
	ok "host: QEMU's HMP socket instead of QMP: one line naming the way out, exit 3"
else
	not_ok "host: HMP socket: exit $rc: $(cat "$D/hmp.err")"
fi
vq "host: features --json of the serial device" "$D/host-features.json" -d 0000:00:05.0 features --json
if python3 - "$HERE" "$QEMU_QMP" "$SER" "$D/host-features.json" <<'PY'; then
import json, sys
sys.path.insert(0, sys.argv[1])
from qmp import QMP
from live_compare import qmp_feature_bits
with QMP(sys.argv[2]) as q:
    st = q.cmd("x-query-virtio-status", path=sys.argv[3])
d = json.load(open(sys.argv[4]))["devices"][0]
# QEMU's names to bits by the kernel's UAPI headers (live_compare.py),
# its unknown-dev-features as they are: compared as bits, never names.
ok = True
for mine, qemu in (("device_features", "host-features"), ("driver_features", "guest-features")):
    want, unmapped = qmp_feature_bits(st[qemu])
    print("#", mine, d[mine]["bits"], "QMP", sorted(want), "unmapped", unmapped, file=sys.stderr)
    ok = ok and d[mine]["source"] == "qmp" and not unmapped and d[mine]["bits"] == sorted(want)
ok = ok and 1 in d["driver_features"]["bits"]  # VIRTIO_CONSOLE_F_MULTIPORT: max_ports is used
sys.exit(0 if ok else 1)
PY
	ok "host: features: the serial device's offered and accepted bits are QMP's, source qmp"
else
	not_ok "host: features differ from QMP's host-features / guest-features"
fi

# The same rings from inside the guest: its own vqdump, its own way to RAM.
in_guest ser "$D/guest-ser.json" -d 0000:00:05.0 status --json
in_guest held "$D/guest-held.json" -d 0000:00:04.0 status --json
in_guest ringheld "$D/guest-ring-held.json" -d 0000:00:04.0 ring --queue 0 --json
in_guest ringser "$D/guest-ring-ser.json" -d 0000:00:05.0 ring --queue 2 --json
sample last.sample

live_fold < <(python3 "$HERE/host_serial.py" compare "$QEMU_QMP" "$D" 2>&1)
up1=$(guest_uptime end)
if python3 -c 'import sys; sys.exit(0 if float(sys.argv[2]) > float(sys.argv[1]) + 1 else 1)' "$up0" "$up1"; then
	ok "the guest's clock advanced ($up0 s -> $up1 s of uptime) and it still answers"
else
	not_ok "the guest's clock: $up0 -> $up1"
fi
python3 "$HERE/qmp.py" "$QEMU_QMP" human-monitor-command '{"command-line": "qemu-io d0 \"resume held\""}' >/dev/null
live_shutdown
echo "# test-host-serial: $(live_elapsed "$t_start") s"
finish
