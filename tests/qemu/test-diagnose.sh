#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: `vqdump diagnose` on real faults in QEMU guests, checked against QEMU's own view.
#
# Guest 1 (Linux drivers loaded; virtio-blk behind blkdebug, -net, -rng,
# -balloon, -serial):
#   healthy  disk, network, rng, console and balloon statistics busy:
#            diagnose inside the guest must exit 0 with no warning, and
#            watch --json must show the disk completing and nothing stalled;
#   quiet    watch's used idx and in flight for the disk equal QEMU's;
#   held     a blkdebug breakpoint holds one write (QMP
#            x-query-virtio-queue-status shows it in use): diagnose inside
#            the guest must exit 1 naming the blk device (its PCI address
#            from QMP query-pci) and queue 0, watch must flag that queue
#            STALLED with QEMU's in-use count; after "resume" diagnose
#            exits 0 again;
#   slow     the same breakpoint let go 3 s after diagnose starts: the
#            queue's used idx moves while diagnose watches it, so it is
#            SLOW (info), exit 0, not stuck;
#   dump     a write to the sector where blkdebug injects EIO, with
#            werror=stop: QEMU stops the VM holding the request; the
#            dump-guest-memory core, diagnosed on the host, must name the
#            ring QEMU reports for that queue (vring-desc) with the number
#            of requests QEMU holds (inuse).  (Not the breakpoint: with a
#            request suspended by blkdebug, dump-guest-memory waits for the
#            block-layer drain and does not return.)
# Guest 2 (no driver; SeaBIOS boots it): SeaBIOS leaves the virtio-blk
#   device initialised (QMP x-query-virtio-status shows its status): diagnose
#   must report NO_DRIVER_INITIALISED for that device, and no other device.
# Guests 3 and 4 (microvm, virtio-mmio v2 and v1, drivers loaded and busy):
#   diagnose exits 0 with no warning, having read the rings.
#
# Usage: tests/qemu/test-diagnose.sh   (VQDUMP=path overrides ../../build/vqdump)
# Output: "ok - ..." / "not ok - ..." lines, then "N passed, N failed";
# exit 1 if any check failed, 77 ("skipped: ...") without QEMU or vqdump.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
QEMU_TIMEOUT=${QEMU_TIMEOUT:-600}
# shellcheck source-path=SCRIPTDIR source=live_lib.sh
. "$HERE/live_lib.sh"

live_init

# block TAG KEY: a vqdump block from the guest console -> $TMP/TAG.out, its rc
guest_block() {
	python3 - "$QEMU_SERIAL" "$1" "$2" "$TMP/$1.out" "$TMP/$1.err" <<'EOF'
import sys
serial, tag, key, out, err = sys.argv[1:]
lines = open(serial, errors="replace").read().replace("\r", "").split("\n")
start = "VQ-OUT %s %s rc=" % (tag, key)
for i, l in enumerate(lines):
    if l.startswith(start):
        rc = l[len(start):]
        j = lines.index("VQ-ERR", i)
        k = lines.index("VQ-END %s %s" % (tag, key), j)
        open(out, "w").write("\n".join(lines[i + 1:j]) + "\n")
        open(err, "w").write("\n".join(lines[j + 1:k]) + "\n")
        print(rc)
        sys.exit(0)
sys.exit(1)
EOF
}

# run_diag TAG ARGS...: diagnose in the guest; sets RC
run_diag() {
	local tag=$1
	shift
	live_cmd 90 vq "$tag" diag diagnose --json "$@" || fatal "$tag: guest runs diagnose"
	RC=$(guest_block "$tag" diag) || fatal "$tag: diagnose output on the console"
}

# run_watch TAG ARGS...: watch --json in the guest; sets RC
run_watch() {
	local tag=$1
	shift
	live_cmd 90 vq "$tag" watch watch --json "$@" || fatal "$tag: guest runs watch"
	RC=$(guest_block "$tag" watch) || fatal "$tag: watch output on the console"
}

# watch_q FILE DEV FIELD: FIELD of DEV queue 0 in each sample, one a line
watch_q() {
	python3 - "$@" <<'EOF'
import json, sys
path, dev, field = sys.argv[1:]
for line in open(path):
    line = line.strip()
    if not line:
        continue
    s = json.loads(line)
    for q in s["queues"]:
        if q["device"] == dev and q["queue"] == 0:
            print(q[field])
EOF
}

# findings FILE [MINSEV]: "device queue code severity" lines
findings() {
	python3 - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["findings"]:
    print(f["device"], f["queue"], f["code"], f["severity"], f.get("ring"))
EOF
}

warnings() {
	findings "$1" | awk '$4 != "info"'
}

# The PCI address QEMU gave the device with this qdev id (QMP query-pci).
pci_addr() {
	qemu_qmp query-pci | python3 -c '
import json, sys
want = sys.argv[1]
for bus in json.load(sys.stdin):
    for d in bus["devices"]:
        if d.get("qdev_id") == want:
            print("0000:%02x:%02x.%x" % (d["bus"], d["slot"], d["function"]))
' "$1"
}

qstat() { # qstat ID FIELD: x-query-virtio-queue-status of queue 0
	qemu_qmp x-query-virtio-queue-status "{\"path\": \"/machine/peripheral/$1/virtio-backend\", \"queue\": 0}" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}

hmp() {
	qemu_qmp human-monitor-command "{\"command-line\": \"$1\"}" >/dev/null
}

# ---------------------------------------------------------------- guest 1
live_initramfs "$TMP/initrd-drivers.gz" 1 \
	"virtio_blk virtio_net virtio_rng virtio_balloon virtio_console" ||
	fatal "initramfs with drivers"
truncate -s 64M "$TMP/disk.img"
# 4 KiB block 15000 = sector 120000: writes there fail with EIO.
cat >"$TMP/blkdebug.conf" <<'EOF'
[inject-error]
event = "write_aio"
errno = "5"
sector = "120000"
EOF
t0=$SECONDS
live_boot g1 "$TMP/initrd-drivers.gz" \
	-drive "driver=raw,file.driver=blkdebug,file.config=$TMP/blkdebug.conf,file.image.driver=file,file.image.filename=$TMP/disk.img,if=none,id=d0,werror=stop,rerror=stop" \
	-device virtio-blk-pci,drive=d0,id=vblk0 \
	-netdev "user,id=n0,restrict=on" -device virtio-net-pci,netdev=n0,id=vnet0 \
	-object rng-random,id=rng0,filename=/dev/urandom -device virtio-rng-pci,rng=rng0,id=vrng0 \
	-device virtio-balloon-pci,id=vballoon0 \
	-chardev "file,id=con0,path=$TMP/hvc0.log" -device virtio-serial-pci,id=vser0 \
	-device virtconsole,chardev=con0,id=vcon0
ok "guest 1 booted ($(live_elapsed "$t0") s)"
BLK=$(pci_addr vblk0)
[ -n "$BLK" ] || fatal "QMP query-pci names vblk0"

# healthy and busy
live_cmd 30 busy-start || fatal "guest starts its I/O"
live_busy_host on
sleep 2
run_diag healthy
HRC=$RC
run_watch healthy-watch --count 4 --interval 500
live_busy_host off
live_cmd 60 busy-stop || fatal "guest stops its I/O"
stalls=$(grep -c '"stalled":true' "$TMP/healthy-watch.out")
moved=$(watch_q "$TMP/healthy-watch.out" "$BLK" used_rate | awk '$1 != "None" && $1 > 0' | wc -l)
if [ "$RC" = 0 ] && [ "$stalls" = 0 ] && [ "$moved" -ge 1 ] && [ "$(grep -c '^{' "$TMP/healthy-watch.out")" = 4 ]; then
	ok "healthy busy guest: watch --count 4 gives 4 JSON lines, blk queue 0 completing, nothing stalled"
else
	not_ok "healthy busy guest: watch exit $RC, stalled $stalls, blk completing in $moved samples: $(head -c 400 "$TMP/healthy-watch.out")"
fi
run_watch quiet-watch --count 2 --interval 200
w_used=$(watch_q "$TMP/quiet-watch.out" "$BLK" used_idx | tail -n 1)
w_infl=$(watch_q "$TMP/quiet-watch.out" "$BLK" in_flight | tail -n 1)
q_used=$(qstat vblk0 used-idx)
q_inuse=$(qstat vblk0 inuse)
if [ -n "$w_used" ] && [ "$w_used" = "$q_used" ] && [ "$w_infl" = "$q_inuse" ]; then
	ok "quiet guest: watch shows blk queue 0 used idx $w_used, in flight $w_infl, as QEMU does"
else
	not_ok "quiet guest: watch used idx $w_used in flight $w_infl; QEMU used-idx $q_used inuse $q_inuse"
fi
# Text: a table per sample with a row for the disk's queue 0.
live_cmd 60 vq quiet-text watchtext watch --count 2 --interval 200 || fatal "guest runs watch (text)"
RC=$(guest_block quiet-text watchtext) || fatal "quiet-text: watch output on the console"
rows=$(grep -cE "^$BLK +0 +[0-9]+ +[0-9]+ .* idle\$" "$TMP/quiet-text.out")
if [ "$RC" = 0 ] && [ "$(grep -c '^sample ' "$TMP/quiet-text.out")" = 2 ] &&
	[ "$(grep -c '^DEVICE ' "$TMP/quiet-text.out")" = 2 ] && [ "$rows" = 2 ]; then
	ok "watch text: two tables, the quiet disk's queue 0 idle in both"
else
	not_ok "watch text: exit $RC, $rows idle rows for $BLK: $(head -c 400 "$TMP/quiet-text.out")"
fi

# Ctrl-C: watch without --count, interrupted after 3 s, ends cleanly.
live_cmd 60 vqint ctrlc watch 3 watch --json --interval 500 || fatal "guest runs watch until SIGINT"
RC=$(guest_block ctrlc watch) || fatal "ctrlc: watch output on the console"
if [ "$RC" = 0 ] && n=$(python3 -c '
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
[json.loads(l) for l in lines]
print(len(lines))' "$TMP/ctrlc.out") && [ "$n" -ge 2 ]; then
	ok "watch ended by Ctrl-C: exit 0 after $n whole JSON lines"
else
	not_ok "watch ended by Ctrl-C: exit $RC: $(tail -c 300 "$TMP/ctrlc.out") $(head -c 200 "$TMP/ctrlc.err")"
fi
RC=$HRC
if [ "$RC" = 0 ] && [ -z "$(warnings "$TMP/healthy.out")" ]; then
	ok "healthy busy guest: diagnose exits 0, no warning ($(findings "$TMP/healthy.out" | wc -l) notes)"
else
	not_ok "healthy busy guest: diagnose exit $RC, findings: $(findings "$TMP/healthy.out" | tr '\n' ';') $(head -c 300 "$TMP/healthy.err")"
fi

# a write held by a blkdebug breakpoint
hmp 'qemu-io d0 \"break write_aio held\"' || fatal "blkdebug breakpoint set"
live_cmd 30 bgwrite vda 100 || fatal "guest starts a write"
for ((i = 0; i < 60; i++)); do
	[ "$(qstat vblk0 inuse)" -ge 1 ] 2>/dev/null && break
	sleep 0.5
done
inuse=$(qstat vblk0 inuse)
if [ "$inuse" -ge 1 ] 2>/dev/null; then
	ok "QEMU holds $inuse blk request(s) at the breakpoint"
else
	fatal "blk request held at the breakpoint (inuse $inuse)"
fi
run_diag held
hit=$(warnings "$TMP/held.out" | awk -v d="$BLK" '$1 == d && $2 == 0 {print $3}' | head -n 1)
if [ "$RC" = 1 ] && [ -n "$hit" ]; then
	ok "held write: diagnose exits 1 and names $BLK queue 0 ($hit)"
else
	not_ok "held write: diagnose exit $RC, want 1 with $BLK queue 0; findings: $(findings "$TMP/held.out" | tr '\n' ';')"
fi
others=$(warnings "$TMP/held.out" | awk -v d="$BLK" '!($1 == d && $2 == 0)')
if [ -z "$others" ]; then
	ok "held write: no warning about any other device or queue"
else
	not_ok "held write: unexpected warnings: $(tr '\n' ';' <<<"$others")"
fi
run_watch held-watch -d "$BLK" --count 4 --interval 500
last=$(tail -n 1 "$TMP/held-watch.out")
w_stalled=$(watch_q "$TMP/held-watch.out" "$BLK" stalled | tail -n 1)
w_infl=$(watch_q "$TMP/held-watch.out" "$BLK" in_flight | tail -n 1)
w_used=$(watch_q "$TMP/held-watch.out" "$BLK" used_idx | tail -n 1)
q_used=$(qstat vblk0 used-idx)
if [ "$RC" = 0 ] && [ "$w_stalled" = True ] && [ "$w_infl" = "$inuse" ] && [ "$w_used" = "$q_used" ]; then
	ok "held write: watch flags blk queue 0 STALLED with $w_infl in flight at used idx $w_used, as QEMU says"
else
	not_ok "held write: watch exit $RC stalled $w_stalled in flight $w_infl used $w_used (QEMU inuse $inuse used-idx $q_used): $last"
fi
live_cmd 90 vq held-text diagtext diagnose --interval 500 || fatal "guest runs diagnose (text)"
RC=$(guest_block held-text diagtext) || fatal "held-text: diagnose output on the console"
if [ "$RC" = 1 ] && grep -qE "^$BLK queue 0: warning NOT_COMPLETING: stuck: the device took [0-9]+ request.* \([0-9]+ samples\)" "$TMP/held-text.out" &&
	grep -qE '^    .*used_idx=[0-9]+' "$TMP/held-text.out" &&
	grep -qE '^[0-9]+ devices, [0-9]+ queues checked: 0 errors, 1 warning' "$TMP/held-text.out"; then
	ok "held write, text: the finding line, its evidence indented, the summary"
else
	not_ok "held write, text: exit $RC: $(head -c 500 "$TMP/held-text.out")"
fi
# The same evidence, saved: a snapshot taken while the write is held
# (its second sample is the progress evidence), read back with --core.
live_cmd 90 vq held-snap snap snapshot -o /tmp/held.elf --interval 500 ||
	fatal "guest takes a snapshot while the write is held"
RC=$(guest_block held-snap snap) || fatal "held-snap: snapshot output on the console"
if [ "$RC" = 0 ]; then
	ok "held write: snapshot -o taken (exit 0)"
else
	not_ok "held write: snapshot exit $RC: $(head -c 300 "$TMP/held-snap.err")"
fi
live_cmd 90 vq held-snapdiag diag --core /tmp/held.elf diagnose --json ||
	fatal "guest runs diagnose on the snapshot"
RC=$(guest_block held-snapdiag diag) || fatal "held-snapdiag: diagnose output on the console"
hit=$(warnings "$TMP/held-snapdiag.out" | awk -v d="$BLK" '$1 == d && $2 == 0 {print $3}' | head -n 1)
others=$(warnings "$TMP/held-snapdiag.out" | awk -v d="$BLK" '!($1 == d && $2 == 0)')
if [ "$RC" = 1 ] && [ -n "$hit" ] && [ -z "$others" ]; then
	ok "held write, on the snapshot: diagnose --core exits 1 and names $BLK queue 0 ($hit) and nothing else"
else
	not_ok "held write, on the snapshot: diagnose exit $RC, want 1 with $BLK queue 0 only; findings: $(findings "$TMP/held-snapdiag.out" | tr '\n' ';')"
fi
hmp 'qemu-io d0 \"resume held\"' || fatal "blkdebug resume"
for ((i = 0; i < 60; i++)); do
	[ "$(qstat vblk0 inuse)" = 0 ] && break
	sleep 0.5
done
run_diag resumed --interval 300
if [ "$RC" = 0 ] && [ -z "$(warnings "$TMP/resumed.out")" ]; then
	ok "after resume: diagnose exits 0 again"
else
	not_ok "after resume: diagnose exit $RC, findings: $(findings "$TMP/resumed.out" | tr '\n' ';')"
fi

# a write held for a few seconds, then let go while diagnose watches:
# slow, not stuck (a FLUSH may take that long)
hmp 'qemu-io d0 \"break write_aio slow\"' || fatal "blkdebug breakpoint set (slow)"
live_cmd 30 bgwrite vda 200 || fatal "guest starts a write (slow)"
for ((i = 0; i < 60; i++)); do
	[ "$(qstat vblk0 inuse)" -ge 1 ] 2>/dev/null && break
	sleep 0.5
done
# diagnose samples at 0 and 300 ms, then every 250 ms up to 5 s: the
# resume 3 s after the command is sent lands inside that watch.
(
	sleep 3
	hmp 'qemu-io d0 \"resume slow\"'
) &
resumer=$!
run_diag slow --interval 300
wait "$resumer"
slow=$(findings "$TMP/slow.out" | awk -v d="$BLK" '$1 == d && $2 == 0 && $3 == "SLOW" && $4 == "info"')
if [ "$RC" = 0 ] && [ -n "$slow" ] && [ -z "$(warnings "$TMP/slow.out")" ]; then
	ok "write held 3 s then resumed: diagnose exits 0 and calls $BLK queue 0 SLOW (info), not stuck"
else
	not_ok "write held 3 s then resumed: diagnose exit $RC, want 0 with SLOW on $BLK queue 0; findings: $(findings "$TMP/slow.out" | tr '\n' ';')"
fi
for ((i = 0; i < 60; i++)); do
	[ "$(qstat vblk0 inuse)" = 0 ] && break
	sleep 0.5
done

# dump taken while a request is held (werror=stop)
# QEMU stops the VM at once: the guest cannot acknowledge; send and go on.
LIVE_SEQ=$((LIVE_SEQ + 1))
python3 "$HERE/live_qmp.py" send "$LIVE_DIR/ctl.sock" "$LIVE_SEQ bgwrite vda 15000" ||
	fatal "guest told to write the failing sector"
qemu_qmp @wait-inflight '{"path": "/machine/peripheral/vblk0/virtio-backend", "queue": 0, "timeout": 60}' \
	>"$TMP/wait.json" || fatal "QEMU stops the VM with the blk request in flight"
DESC=$(qstat vblk0 vring-desc)
INUSE=$(qstat vblk0 inuse)
qemu_qmp dump-guest-memory "{\"paging\": false, \"protocol\": \"file:$TMP/dump.elf\"}" >/dev/null ||
	fatal "QMP dump-guest-memory"
qemu_stop
ok "VM stopped with $INUSE request(s) held; memory dumped"
"$VQDUMP" --core "$TMP/dump.elf" diagnose --json >"$TMP/dump.out" 2>"$TMP/dump.err"
RC=$?
# The guest kernel's records give the devices (the kernel transport), so
# findings name a device and queue; `status --json` says where its ring is.
"$VQDUMP" --core "$TMP/dump.elf" status --json >"$TMP/dump-status.json" 2>/dev/null
python3 - "$TMP/dump.out" "$DESC" "$INUSE" "$TMP/dump-status.json" <<'EOF' >"$TMP/dump.check"
import json, sys
d = json.load(open(sys.argv[1]))
desc, inuse = int(sys.argv[2]), int(sys.argv[3])
try:
    st = json.load(open(sys.argv[4]))
except ValueError:
    st = {"devices": []}
rings = {(v["name"], q["index"]): q.get("desc") for v in st["devices"] for q in v.get("queues", [])}
for f in d["findings"]:
    if f.get("ring") is None and f.get("device") is not None:
        f["ring"] = rings.get((f["device"], f.get("queue")))
hits = [f for f in d["findings"] if f.get("ring") == desc and f["severity"] != "info"]
other = [f for f in d["findings"] if f.get("ring") != desc and f["severity"] != "info"]
good = [f for f in hits if f["code"] == "NOT_COMPLETING" and f["evidence"].get("avail_event", -1) - f["evidence"].get("used_idx", 0) == inuse]
print("ok" if good and not other else "bad", [(f["code"], f.get("ring"), f["evidence"]) for f in hits + other])
EOF
if [ "$RC" = 1 ] && grep -q '^ok' "$TMP/dump.check"; then
	ok "dump: diagnose --core exits 1 with NOT_COMPLETING on the ring at $DESC, $INUSE held as QEMU says"
else
	not_ok "dump: diagnose --core exit $RC; want NOT_COMPLETING on ring $DESC with $INUSE taken: $(cat "$TMP/dump.check") $(head -c 300 "$TMP/dump.err")"
fi
rm -f "$TMP/dump.elf"

# ---------------------------------------------------------------- guest 2
live_initramfs "$TMP/initrd-none.gz" 0 "" || fatal "initramfs without drivers"
truncate -s 16M "$TMP/disk2.img"
t0=$SECONDS
live_boot g2 "$TMP/initrd-none.gz" \
	-drive "file=$TMP/disk2.img,format=raw,if=none,id=d1" -device virtio-blk-pci,drive=d1,id=vblk1 \
	-object rng-random,id=rng1,filename=/dev/urandom -device virtio-rng-pci,rng=rng1,id=vrng1
ok "guest 2 booted without drivers ($(live_elapsed "$t0") s)"
BLK=$(pci_addr vblk1)
RNG=$(pci_addr vrng1)
qemu_qmp x-query-virtio-status '{"path": "/machine/peripheral/vblk1/virtio-backend"}' >"$TMP/fw.json" ||
	fatal "QMP x-query-virtio-status"
fwok=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["status"]["statuses"]; print(int(any(x.startswith("VIRTIO_CONFIG_S_DRIVER_OK") for x in s)))' "$TMP/fw.json")
run_diag firmware
codes=$(findings "$TMP/firmware.out" | awk -v d="$BLK" '$1 == d && $3 == "NO_DRIVER_INITIALISED" {print $4}')
if [ "$fwok" = 1 ]; then
	if [ "$RC" = 1 ] && [ "$codes" = warning ]; then
		ok "SeaBIOS left $BLK live (QEMU: DRIVER_OK): NO_DRIVER_INITIALISED warning, exit 1"
	else
		not_ok "SeaBIOS left $BLK live: diagnose exit $RC, findings: $(findings "$TMP/firmware.out" | tr '\n' ';')"
	fi
else
	not_ok "QEMU does not show DRIVER_OK on the SeaBIOS-booted disk: $(cat "$TMP/fw.json" | head -c 300)"
fi
if findings "$TMP/firmware.out" | awk -v d="$RNG" '$1 == d' | grep -q .; then
	not_ok "the rng device SeaBIOS never touches is flagged: $(findings "$TMP/firmware.out" | tr '\n' ';')"
else
	ok "the rng device SeaBIOS never touches ($RNG) is not flagged"
fi
# The firmware's leftovers, saved: a snapshot, read back with --core.
live_cmd 90 vq fw-snap snap snapshot -o /tmp/fw.elf --interval 200 ||
	fatal "guest 2 takes a snapshot"
RC=$(guest_block fw-snap snap) || fatal "fw-snap: snapshot output on the console"
[ "$RC" = 0 ] || not_ok "guest 2: snapshot exit $RC: $(head -c 300 "$TMP/fw-snap.err")"
live_cmd 90 vq firmware-snap diag --core /tmp/fw.elf diagnose --json ||
	fatal "guest 2 runs diagnose on the snapshot"
RC=$(guest_block firmware-snap diag) || fatal "firmware-snap: diagnose output on the console"
codes=$(findings "$TMP/firmware-snap.out" | awk -v d="$BLK" '$1 == d && $3 == "NO_DRIVER_INITIALISED" {print $4}')
if [ "$fwok" = 1 ] && [ "$RC" = 1 ] && [ "$codes" = warning ]; then
	ok "on a snapshot of guest 2: NO_DRIVER_INITIALISED warning on $BLK, exit 1"
else
	not_ok "on a snapshot of guest 2: diagnose exit $RC, findings: $(findings "$TMP/firmware-snap.out" | tr '\n' ';')"
fi
live_shutdown

# ---------------------------------------------------------------- guests 3, 4
# virtio-mmio (microvm), versions 2 and 1, drivers loaded and busy: no
# warning.  Version 2 cannot read ring addresses back (they come from
# Linux's records), version 1 gives them through QueuePFN.
live_initramfs "$TMP/initrd-mmio.gz" 1 \
	"virtio_mmio virtio_blk virtio_net virtio_rng virtio_console virtio_balloon" ||
	fatal "initramfs for virtio-mmio"
truncate -s 16M "$TMP/disk3.img"
KHZ=$(awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
LIVE_APPEND="tsc_early_khz=${KHZ:-2000000}"
for v in 2 1; do
	legacy=false
	[ "$v" = 1 ] && legacy=true
	t0=$SECONDS
	live_boot "mmio$v" "$TMP/initrd-mmio.gz" -M microvm -global "virtio-mmio.force-legacy=$legacy" \
		-drive "file=$TMP/disk3.img,format=raw,if=none,id=d3" -device virtio-blk-device,drive=d3,id=vblk3 \
		-netdev "user,id=n3,restrict=on" -device virtio-net-device,netdev=n3,id=vnet3 \
		-object rng-random,id=rng3,filename=/dev/urandom -device virtio-rng-device,rng=rng3,id=vrng3 \
		-chardev "file,id=con3,path=$TMP/hvc3.log" -device virtio-serial-device,id=vser3,max_ports=4 \
		-device virtconsole,chardev=con3,bus=vser3.0,id=vcon3 \
		-device virtio-balloon-device,id=vballoon3
	ok "microvm guest (virtio-mmio v$v) booted ($(live_elapsed "$t0") s)"
	live_cmd 30 busy-start || fatal "mmio$v: guest starts its I/O"
	live_busy_host on
	sleep 2
	run_diag "mmio$v-healthy"
	live_busy_host off
	if [ "$RC" = 0 ] && [ -z "$(warnings "$TMP/mmio$v-healthy.out")" ] &&
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["queues_checked"] > d["queues_unreadable"] and d["devices_checked"] >= 5 else 1)' "$TMP/mmio$v-healthy.out"; then
		ok "virtio-mmio v$v busy guest: diagnose exits 0, no warning, rings checked"
	else
		not_ok "virtio-mmio v$v busy guest: diagnose exit $RC, findings: $(findings "$TMP/mmio$v-healthy.out" | tr '\n' ';') $(head -c 300 "$TMP/mmio$v-healthy.err")"
	fi
	live_shutdown
done
finish
