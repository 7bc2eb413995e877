#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: vqdump --qemu on a queue a vhost-user backend runs (qemu-storage-daemon's vhost-user-blk): guest RAM's side shown, and where QEMU's view stops said.
#
# One guest (shared memory, as vhost-user needs), Linux's virtio_blk bound
# to a vhost-user-blk-pci disk at 0000:00:04.0 whose backend is
# qemu-storage-daemon (in Debian's qemu-system-common).  The guest reads
# from the disk first, so the ring has moved through the backend.  Then,
# from the host, status --json, ring --json and diagnose --json, checked
# against QEMU on its own connection: QMP leaves last-avail-idx out for
# the queue (the backend runs it), so vqdump must show no device view and
# say BACKEND_VIEW (not DEVICE_VIEW or DEVICE_HOLDS); the ring indices
# must be what QEMU's monitor reads in guest RAM (HMP xp) and the ring
# addresses those QEMU gave the backend (x-query-virtio-vhost-queue-status
# desc-phys, avail-phys, used-phys); and the host's ring equals the
# in-guest vqdump's.  The guest runs throughout.
#
# Usage: tests/qemu/test-host-vhost.sh   (VQDUMP=path overrides ../../build/vqdump)
# Output: "ok - ..." lines, then "N passed, N failed"; exit 1 on failure,
# 77 without QEMU, qemu-storage-daemon or vqdump.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=live_lib.sh
. "$HERE/live_lib.sh"

if ! command -v qemu-storage-daemon >/dev/null; then
	echo "skipped: qemu-storage-daemon not installed (apt-get install qemu-system-common)"
	exit 77
fi

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

live_init
t_start=$SECONDS
live_initramfs "$TMP/initrd.gz" 1 "virtio_blk" || fatal "initramfs"
truncate -s 16M "$TMP/vu.img" || fatal "disk image"
qemu-storage-daemon --blockdev "driver=file,node-name=file0,filename=$TMP/vu.img" \
	--export "type=vhost-user-blk,id=exp0,addr.type=unix,addr.path=$TMP/vub.sock,node-name=file0,writable=on" \
	>"$TMP/qsd.out" 2>&1 &
QSD=$!
for _ in $(seq 50); do [ -S "$TMP/vub.sock" ] && break; sleep 0.1; done
[ -S "$TMP/vub.sock" ] || fatal "qemu-storage-daemon listens ($(cat "$TMP/qsd.out"))"
# shellcheck disable=SC2054 # QEMU options are comma-separated
live_boot host-vhost "$TMP/initrd.gz" -vga none -nic none \
	-object memory-backend-memfd,id=mem,size=256M,share=on -machine memory-backend=mem \
	-chardev "socket,id=vuc,path=$TMP/vub.sock" \
	-device vhost-user-blk-pci,chardev=vuc,id=vub0,num-queues=1,addr=04.0
D=$LIVE_DIR
ok "guest booted with a vhost-user-blk disk ($(live_elapsed "$t_start") s)"
# guest_read KEY SKIP: 64 O_DIRECT 4 KiB reads from the vhost-user disk in the guest.
guest_read() {
	live_cmd 60 cmd g "$1" dd if=/dev/vda of=/dev/null bs=4096 skip="$2" count=64 iflag=direct || return 1
	[ "$(guest_block g "$1" "$D/$1.out")" = 0 ]
}
# oracle OUT: QEMU's account of the disk now, asked only what cannot
# touch the backend: x-query-virtio-status, x-query-virtio-vhost-queue-status
# (QEMU's copy of the ring it gave the backend), HMP xp of the ring's
# index words in guest RAM.
oracle() {
	python3 - "$HERE" "$QEMU_QMP" "$1" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
from qmp import QMP
P = "/machine/peripheral/vub0/virtio-backend"
def xp16(q, a):
    return int(q.cmd("human-monitor-command", {"command-line": "xp /1hx %#x" % a}).split(":")[1].split()[0], 16)
with QMP(sys.argv[2]) as q:
    st = q.cmd("x-query-virtio-status", path=P)
    vh = q.cmd("x-query-virtio-vhost-queue-status", path=P, queue=0)
    o = {"vhost-started": st.get("vhost-started"), "vhost": vh, "running": q.cmd("query-status")["running"],
         "ram": [xp16(q, vh["avail-phys"] + 2), xp16(q, vh["used-phys"] + 2)]}
json.dump(o, open(sys.argv[3], "w"))
PY
}

if guest_read read1 0; then ok "the guest reads through the vhost-user backend"; else fatal "guest reads the disk"; fi
# The control: a second read works without vqdump in between.
if guest_read read2 512; then ok "the guest reads again (the control for the read after vqdump)"; else fatal "guest reads the disk again"; fi

for what in "status:status --json" "ring:-d 0000:00:04.0 ring --queue 0 --json"; do
	# shellcheck disable=SC2086 # the arguments are words on purpose
	if "$VQDUMP" --qemu "$QEMU_QMP" ${what#*:} >"$D/host-${what%%:*}.json" 2>"$D/host-${what%%:*}.err"; then
		ok "host: ${what#*:}"
	else
		not_ok "host: ${what#*:}: $(head -c 300 "$D/host-${what%%:*}.err")"
	fi
done
"$VQDUMP" --qemu "$QEMU_QMP" -d 0000:00:04.0 diagnose --json >"$D/host-diag.json" 2>"$D/host-diag.err"
rc=$?
if [ "$rc" = 0 ]; then ok "host: diagnose --json (idle: exit 0)"; else not_ok "host: diagnose: exit $rc ($(head -c 300 "$D/host-diag.err"))"; fi
"$VQDUMP" --qemu "$QEMU_QMP" watch --count 2 --interval 100 --json >"$D/host-watch.json" 2>"$D/host-watch.err" ||
	not_ok "host: watch --count 2: $(head -c 300 "$D/host-watch.err")"
oracle "$D/oracle-host.json" || fatal "QEMU's account after vqdump's reads"
# Not perturbed: the backend still serves the guest after vqdump read it.
# (dd waits in the kernel for a queue a backend stopped: no timeout can
# end it, live_cmd gives up.)
if guest_read read3 1024; then
	ok "after vqdump: the guest still reads through the vhost-user backend (the queue was not stopped)"
else
	fatal "after vqdump: the guest's read hangs: the backend's queue was stopped"
fi
live_cmd 60 vq g ring -d 0000:00:04.0 ring --queue 0 --json || fatal "guest runs vqdump ring"
rc=$(guest_block g ring "$D/guest-ring.json")
if [ "$rc" = 0 ]; then ok "in the guest: vqdump ring of the disk"; else not_ok "in the guest: vqdump ring: rc $rc"; fi
oracle "$D/oracle-guest.json" || fatal "QEMU's account after the guest's vqdump"

live_fold < <(python3 - "$D" <<'PY' 2>&1
import json, os, sys
d = sys.argv[1]
n_ok = n_fail = 0
def check(c, what, why=""):
    global n_ok, n_fail
    n_ok, n_fail = n_ok + bool(c), n_fail + (not c)
    print(("ok - " if c else "not ok - ") + what + ("" if c or not why else ": " + why))
def load(f):
    return json.load(open(os.path.join(d, f)))
o, og = load("oracle-host.json"), load("oracle-guest.json")
vh, ram = o["vhost"], tuple(o["ram"])
print("# QEMU after vqdump's reads:", o)
check(o["vhost-started"], "QEMU: the backend runs the disk's queues (vhost-started)")
dev = [x for x in load("host-status.json")["devices"] if x["name"] == "0000:00:04.0"]
g = dev[0]["queues"][0] if dev else {}
check(dev and g.get("device_view") is None and (g["avail_idx"], g["used_idx"]) == ram and g["used_idx"] > 0,
      "host: status shows no device view for the queue, and guest RAM's indices as QEMU's monitor reads them %s" % (ram,),
      str(g)[:300])
check(g and (g["desc"], g["avail"], g["used"], g["size"]) ==
      (vh["desc-phys"], vh["avail-phys"], vh["used-phys"], vh["num"]),
      "host: the ring is the one QEMU gave the backend (x-query-virtio-vhost-queue-status)")
f = load("host-diag.json")["findings"]
b = [x for x in f if x["code"] == "BACKEND_VIEW" and x["queue"] == 0]
check(b and b[0]["evidence"] == {"avail_idx": ram[0], "used_idx": ram[1]} and "backend" in b[0]["message"] and
      not [x for x in f if x["code"] in ("DEVICE_VIEW", "DEVICE_HOLDS")],
      "host: diagnose says BACKEND_VIEW (where QEMU's view stops) with guest RAM's indices, no device-side finding",
      str(f)[:400])
rows = [[r for r in json.loads(l)["queues"] if r["device"] == "0000:00:04.0"][0] for l in open(os.path.join(d, "host-watch.json"))]
check(len(rows) == 2 and all(r.get("device_view") is None and (r["avail_idx"], r["used_idx"]) == ram for r in rows),
      "host: watch: both samples with guest RAM's indices, no device view for the backend's queue", str(rows)[:300])
h, gr = load("host-ring.json"), load("guest-ring.json")
ch = lambda r: [(c["head"], [(x["addr"], x["len"], x["flags"]) for x in c["descriptors"]]) for c in r["chains"]]
check((h["desc"], h["avail"], h["used"], h["size"]) == (gr["desc"], gr["avail"], gr["used"], gr["size"]),
      "host vs guest: the ring's addresses and size equal those the guest's vqdump reads from the device")
check((gr["avail_idx"], gr["used_idx"]) == tuple(og["ram"]) and h["used_idx"] == ram[1] and
      gr["used_idx"] - h["used_idx"] >= 64 // 8 and not ch(h) and not ch(gr),
      "host vs guest: the guest's vqdump sees the indices QEMU's monitor reads, moved on from the host's view by the read after it")
check(o["running"] and og["running"], "the guest ran at every look")
print("%d passed, %d failed" % (n_ok, n_fail))
PY
)
live_shutdown
kill "$QSD" 2>/dev/null
wait "$QSD" 2>/dev/null
echo "# test-host-vhost: $(live_elapsed "$t_start") s"
finish
