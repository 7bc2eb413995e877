#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --qemu SOCKET without a QEMU: each way the socket can be wrong is one line and exit 3; a fake QMP (fakeqmp.py) replaying a real QEMU's answers is read like QEMU.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh

FAKE=tests/cli/fakeqmp.py

# fake MODE [DATA]: start fakeqmp.py on $T/qmp.sock, wait until it listens.
fake() {
	# qmp.sock.forbidden is kept: the check at the end covers every run.
	rm -f "$T/qmp.sock" "$T/qmp.sock.log" "$T/fake.out"
	python3 "$FAKE" "$T/qmp.sock" "$@" >"$T/fake.out" 2>&1 &
	FAKE_PID=$!
	for _ in $(seq 50); do
		grep -q ready "$T/fake.out" 2>/dev/null && return
		sleep 0.1
	done
}
fake_end() {
	kill "$FAKE_PID" 2>/dev/null
	wait "$FAKE_PID" 2>/dev/null
}

# --- the socket is wrong --------------------------------------------------

expect "no such socket" 3 "QMP socket $T/none: No such file" -- --qemu "$T/none" list
: >"$T/plain"
expect "a regular file" 3 "not a socket" -- --qemu "unix:$T/plain" list
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/dead.sock"
expect "nobody listens" 3 "Connection refused \(no QEMU listens there" -- --qemu "$T/dead.sock" list
expect "two sources" 2 "give one source" -- --qemu "$T/dead.sock" --raw "$T/plain@0" list

fake notqmp
expect "not QMP" 3 "is not QMP \(give the path of QEMU's -qmp socket" -- --qemu "$T/qmp.sock" list
fake_end
fake silent
expect "second client" 3 "no greeting within 5 s: another client holds it" -- --qemu "$T/qmp.sock" list
fake_end
fake old
expect "QEMU before 7.2" 3 "QEMU 7.1 at .* has no x-query-virtio: .* from QEMU 7.2 on" -- --qemu "unix:$T/qmp.sock" list
fake_end

# --- a QEMU as its answers say, with one ring in memory this test wrote ----
# The QMP answers follow QEMU 7.2's schema (qapi/virtio.json); the ring
# page is built here: split ring of 8 at 0x10000, avail idx 3 at
# 0x10080, used idx 2 at 0x100c0 (virtio 1.3, 2.7), so every value
# vqdump shows is known from this file, not from vqdump.
python3 - "$T/replay.json" <<'PY'
import json, struct, sys
page = bytearray(4096)
struct.pack_into("<QIHH", page, 0, 0x20000, 512, 0, 0)
struct.pack_into("<HHH", page, 0x80, 0, 3, 0)
struct.pack_into("<HH", page, 0xc0, 0, 2)
P = "/machine/peripheral/vblk0/virtio-backend"
json.dump({"replies": {
    "x-query-virtio": [{"path": P, "name": "virtio-blk"}],
    "query-pci": [{"bus": 0, "devices": [{"bus": 0, "slot": 4, "function": 0, "qdev_id": "vblk0",
                                          "id": {"device": 0x1042, "vendor": 0x1af4}}]}],
    "x-query-virtio-status " + P: {
        "name": "virtio-blk", "device-id": 2, "bus-name": "virtio-bus", "num-vqs": 1,
        "status": {"statuses": ["VIRTIO_CONFIG_S_ACKNOWLEDGE: Valid virtio device found",
                                "VIRTIO_CONFIG_S_DRIVER: Guest OS compatible with device",
                                "VIRTIO_CONFIG_S_FEATURES_OK: Feature negotiation complete",
                                "VIRTIO_CONFIG_S_DRIVER_OK: Driver setup and ready"]},
        "host-features": {"transports": ["VIRTIO_RING_F_EVENT_IDX: Used & avail event fields enabled",
                                         "VIRTIO_F_VERSION_1: Device compliant for v1 spec (legacy)"],
                          "dev-features": ["VIRTIO_BLK_F_SEG_MAX: Max segments in a request is seg_max"],
                          "unknown-dev-features": 0x800000},
        "guest-features": {"transports": ["VIRTIO_F_VERSION_1: Device compliant for v1 spec (legacy)"],
                           "dev-features": []}},
    "x-query-virtio-queue-status %s 0" % P: {
        "name": "virtio-blk", "queue-index": 0, "inuse": 1, "vring-num": 8,
        "vring-num-default": 256, "vring-align": 4096, "vring-desc": 0x10000,
        "vring-avail": 0x10080, "vring-used": 0x100c0, "last-avail-idx": 3,
        "shadow-avail-idx": 3, "used-idx": 2, "signalled-used": 1, "signalled-used-valid": True}},
    "ram": [[0x10000, 0x10fff, page.hex()]]}, open(sys.argv[1], "w"))
PY
fake replay "$T/replay.json"
expect "replay: list names the PCI device by query-pci" 0 "^0 +0000:00:04.0 +pci +2 +blk" out -- --qemu "$T/qmp.sock" list
fake_end
fake replay "$T/replay.json"
expect_json "replay: status --json: QMP's values, device_view, indices from the ring page" \
	'((d := j["devices"][0]) and (q := d["queues"][0]) and d["status"]["value"] == 15 and d["status_source"] == "qmp" and
	 d["device_features"]["bits"] == [2, 23, 29, 32] and d["driver_features"]["bits"] == [32] and
	 q["size"] == 8 and q["max_size"] == 256 and q["desc"] == 0x10000 and q["addr_source"] == "qmp" and
	 q["avail_idx"] == 3 and q["used_idx"] == 2 and
	 q["device_view"] == {"source": "qmp", "last_avail_idx": 3, "shadow_avail_idx": 3,
	                      "used_idx": 2, "signalled_used": 1, "inuse": 1})' \
	-- --qemu "$T/qmp.sock" status --json
fake_end
fake replay "$T/replay.json"
expect "replay: mem reads the ring page from the fake's process" 0 "^0000000000010080  00 00 03 00" out -- --qemu "$T/qmp.sock" mem 0x10080 4
fake_end
fake replay "$T/replay.json"
expect "replay: ring -d 0000:00:04.0 --queue 0" 0 "avail: .*idx 3" out -- --qemu "$T/qmp.sock" -d 0000:00:04.0 ring --queue 0
fake_end
fake replay "$T/replay.json"
expect_json "replay: ring --json: the pending chain is taken by the device (last-avail-idx 3 > avail entry 2)" \
	'j["device_view"]["last_avail_idx"] == 3 and [c["taken_by_device"] for c in j["chains"]] == [True]' \
	-- --qemu "$T/qmp.sock" -d 0000:00:04.0 ring --queue 0 --json
fake_end
# The same ring while QEMU has not fetched the request yet (last-avail-idx 2).
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); q=[v for k, v in d["replies"].items() if "queue-status" in k][0]; q["last-avail-idx"]=2; q["inuse"]=0; json.dump(d, open(sys.argv[2], "w"))' \
	"$T/replay.json" "$T/replay2.json"
fake replay "$T/replay2.json"
expect "replay: ring says the chain is not taken yet" 0 "device \(qmp\): last_avail 2 inuse 0: 0 of them taken by the device, 1 not yet" out \
	-- --qemu "$T/qmp.sock" -d 0000:00:04.0 ring --queue 0
fake_end
# diagnose: both sides.  The replay's QEMU took entry 2 (last-avail-idx 3,
# inuse 1) and has not completed it (used-idx 2); the ring page this test
# wrote has avail idx 3 and used idx 2, and it never moves: the device
# holds one request.  Every number below is from the replay above.
fake replay "$T/replay.json"
"$VQDUMP" --qemu "$T/qmp.sock" diagnose --interval 5000 --json >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" = 1 ] && python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/out" \
	'((h := [f for f in j["findings"] if f["code"] == "DEVICE_HOLDS"]) and
	  (v := [f for f in j["findings"] if f["code"] == "DEVICE_VIEW"]) and
	  h[0]["device"] == "0000:00:04.0" and h[0]["queue"] == 0 and h[0]["severity"] == "warning" and
	  h[0]["evidence"]["device_inuse"] == 1 and h[0]["evidence"]["used_idx"] == 2 and
	  v[0]["evidence"] == {"avail_idx": 3, "used_idx": 2, "device_last_avail_idx": 3,
	                       "device_shadow_avail_idx": 3, "device_used_idx": 2, "device_inuse": 1,
	                       "device_signalled_used": 1, "avail_flags": 0} and
	  "not visible from the host" in v[0]["message"])'; then
	ok "replay: diagnose --json: exit 1, DEVICE_HOLDS and DEVICE_VIEW with QMP's and guest RAM's numbers"
else
	not_ok "replay: diagnose --json: exit $rc: $(head -c 600 "$T/out") $(head -c 300 "$T/err")"
fi
fake_end
# watch: both sides at every sample, QEMU's as the replay answers it, guest
# RAM's from the ring page (avail idx 3, used idx 2).
fake replay "$T/replay.json"
"$VQDUMP" --qemu "$T/qmp.sock" watch --count 2 --interval 10 --json >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" = 0 ] && [ "$(wc -l <"$T/out")" = 2 ] && python3 -c '
import json, sys
for l in open(sys.argv[1]):
    q = json.loads(l)["queues"]
    assert len(q) == 1 and q[0]["avail_idx"] == 3 and q[0]["used_idx"] == 2 and q[0]["in_flight"] == 1
    assert q[0]["device_view"] == {"source": "qmp", "last_avail_idx": 3, "shadow_avail_idx": 3,
                                   "used_idx": 2, "signalled_used": 1, "inuse": 1}
' "$T/out"; then
	ok "replay: watch --json: two samples, each with QEMU's device_view beside guest RAM's indices"
else
	not_ok "replay: watch --json: exit $rc: $(head -c 400 "$T/out") $(head -c 300 "$T/err")"
fi
fake_end
fake replay "$T/replay.json"
expect "replay: watch text shows the device side after the state" 0 \
	"^0000:00:04.0 +0 +3 +2 .* busy  device: last_avail 3 used 2 inuse 1\$" out \
	-- --qemu "$T/qmp.sock" watch --count 1 --interval 10
fake_end
# snapshot -o FILE --qemu: read back with --core, QEMU's device view and
# the ring page's indices are the replay's (the oracle is the replay file,
# read here, not vqdump), and status from the file equals status through
# QMP but for the QMP timing in "view".
fake replay "$T/replay.json"
expect "replay: snapshot -o FILE through QMP" 0 "1 device, 1 queue \(1 ring saved\)" out \
	-- --qemu "$T/qmp.sock" snapshot -o "$T/qsnap.elf" --interval 10
fake_end
expect_json "replay: the snapshot read back: QEMU's device view, QMP's sources, the ring page's indices" \
	'((q := j["devices"][0]["queues"][0]) and j["devices"][0]["name"] == "0000:00:04.0" and
	 j["devices"][0]["status"]["value"] == 15 and j["devices"][0]["status_source"] == "qmp" and
	 q["desc"] == 0x10000 and q["avail_idx"] == 3 and q["used_idx"] == 2 and
	 q["device_view"] == {"source": "qmp", "last_avail_idx": 3, "shadow_avail_idx": 3,
	                      "used_idx": 2, "signalled_used": 1, "inuse": 1} and
	 "guest running" not in j["devices"][0]["view"] and "QMP read over" in j["devices"][0]["view"])' \
	-- --core "$T/qsnap.elf" status --json
cp "$T/out" "$T/snap-status.json"
fake replay "$T/replay.json"
expect "replay: status --json through QMP for comparison" 0 '"device_view"' out -- --qemu "$T/qmp.sock" status --json
fake_end
if python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for j in (a, b):
    for d in j["devices"]:
        d.pop("view")
sys.exit(0 if a == b else 1)' "$T/snap-status.json" "$T/out"; then
	ok "replay: status from the snapshot equals status through QMP (but the QMP timing)"
else
	not_ok "replay: status from the snapshot differs from status through QMP: $(diff "$T/snap-status.json" "$T/out" | head -c 400)"
fi
expect "replay: diagnose of the snapshot names the held request" 1 "warning DEVICE_HOLDS: the device took 1 request" out \
	-- --core "$T/qsnap.elf" diagnose
expect_json "replay: ring from the snapshot: the pending chain taken by the device" \
	'j["device_view"]["last_avail_idx"] == 3 and [c["taken_by_device"] for c in j["chains"]] == [True]' \
	-- --core "$T/qsnap.elf" -d 0000:00:04.0 ring --queue 0 --json
# A queue a vhost backend runs: QEMU 7.2 leaves last-avail-idx and
# shadow-avail-idx out of its answer (qapi/virtio.json: optional, "not
# displayed" with a running vhost device).  diagnose
# says where the view stops; watch's device_view is null.
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); q=[v for k, v in d["replies"].items() if "queue-status" in k][0]
for k in ("last-avail-idx", "shadow-avail-idx"): q.pop(k)
json.dump(d, open(sys.argv[2], "w"))' "$T/replay.json" "$T/replay-vhost.json"
fake replay "$T/replay-vhost.json"
"$VQDUMP" --qemu "$T/qmp.sock" diagnose --interval 5000 --json >"$T/out" 2>"$T/err"
rc=$?
if python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["findings"]; b=[x for x in f if x["code"] == "BACKEND_VIEW"]
sys.exit(0 if b and b[0]["queue"] == 0 and b[0]["evidence"] == {"avail_idx": 3, "used_idx": 2} and
         not [x for x in f if x["code"] in ("DEVICE_VIEW", "DEVICE_HOLDS")] else 1)' "$T/out"; then
	ok "replay, vhost queue: diagnose says BACKEND_VIEW with guest RAM's indices, no device-side finding (exit $rc)"
else
	not_ok "replay, vhost queue: diagnose: exit $rc: $(head -c 500 "$T/out") $(head -c 300 "$T/err")"
fi
fake_end
fake replay "$T/replay-vhost.json"
expect "replay, vhost queue: watch says the device side has no last_avail" 0 "busy  device: no last_avail \(vhost\)\$" out \
	-- --qemu "$T/qmp.sock" watch --count 1 --interval 10
fake_end
# config: QEMU 7.2's x-query-virtio-status has no config field (qapi/
# virtio.json, VirtioStatus), so from the host there is none to show.
fake replay "$T/replay.json"
expect "replay: config says in one line it cannot be read from the host, and where it can (exit 3)" 3 \
	"config of 0000:00:04.0: not readable from the host: .*no guest-visible device configuration; read it inside the guest" \
	-- --qemu "$T/qmp.sock" -d 0000:00:04.0 config
fake_end
fake replay "$T/replay.json"
expect "replay: config --json without -d: the same line, exit 3" 3 "config of 0000:00:04.0: not readable from the host" \
	-- --qemu "$T/qmp.sock" config --json
fake_end
# features: the replay's host-features / guest-features, named as QEMU's.
fake replay "$T/replay.json"
expect "replay: features says they are QEMU's host-features / guest-features" 0 \
	"as QEMU reports them: x-query-virtio-status host-features / guest-features" out \
	-- --qemu "$T/qmp.sock" -d 0000:00:04.0 features
fake_end
fake replay "$T/replay.json"
expect_json "replay: features --json: QMP's bits with source qmp" \
	'((d := j["devices"][0]) and d["device_features"]["bits"] == [2, 23, 29, 32] and d["device_features"]["source"] == "qmp" and
	 d["driver_features"]["bits"] == [32] and d["driver_features"]["source"] == "qmp")' \
	-- --qemu "$T/qmp.sock" -d 0000:00:04.0 features --json
fake_end
# The same queue with the device saying its vhost backend runs (QEMU 7.2
# x-query-virtio-status: vhost-started, vhost-dev vq-index 0 nvqs 1).
# Then x-query-virtio-queue-status must not be sent: QEMU would ask the
# backend VHOST_USER_GET_VRING_BASE, which stops a vhost-user queue
# (test-host-vhost.sh).  The ring comes from x-query-virtio-vhost-queue-status
# (what QEMU gave the backend; the answer below follows qapi/virtio.json).
python3 - "$T/replay.json" "$T/replay-vhost-started.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
P = "/machine/peripheral/vblk0/virtio-backend"
st = d["replies"]["x-query-virtio-status " + P]
st["vhost-started"] = True
st["vhost-dev"] = {"n-mem-sections": 4, "n-tmp-sections": 4, "nvqs": 1, "vq-index": 0, "features": 0,
                   "acked-features": 0, "backend-features": 0, "protocol-features": 0, "max-queues": 1,
                   "backend-cap": 1, "log-enabled": False, "log-size": 0}
d["replies"]["x-query-virtio-vhost-queue-status %s 0" % P] = {
    "name": "virtio-blk", "kick": 0, "call": 0, "desc": 0x7f0000010000, "avail": 0x7f0000010080,
    "used": 0x7f00000100c0, "num": 8, "desc-phys": 0x10000, "desc-size": 128, "avail-phys": 0x10080,
    "avail-size": 22, "used-phys": 0x100c0, "used-size": 70}
json.dump(d, open(sys.argv[2], "w"))
PY
fake replay "$T/replay-vhost-started.json"
expect_json "replay, vhost started: status shows the backend's ring (vhost queue status) and guest RAM's indices, no device view" \
	'((q := j["devices"][0]["queues"][0]) and q["size"] == 8 and q["desc"] == 0x10000 and q["avail"] == 0x10080 and
	 q["used"] == 0x100c0 and q["avail_idx"] == 3 and q["used_idx"] == 2 and q.get("device_view") is None)' \
	-- --qemu "$T/qmp.sock" status --json
fake_end
if grep -q '^x-query-virtio-queue-status' "$T/qmp.sock.log"; then
	not_ok "replay, vhost started: status sent x-query-virtio-queue-status for a queue the backend runs"
else
	ok "replay, vhost started: status sent no x-query-virtio-queue-status for the backend's queue"
fi
fake replay "$T/replay-vhost-started.json"
"$VQDUMP" --qemu "$T/qmp.sock" watch --count 2 --interval 10 --json >"$T/out" 2>"$T/err"
rc=$?
fake_end
if [ "$rc" = 0 ] && ! grep -q '^x-query-virtio-queue-status' "$T/qmp.sock.log" &&
	[ "$(grep -c '^x-query-virtio-vhost-queue-status' "$T/qmp.sock.log")" -ge 2 ]; then
	ok "replay, vhost started: watch asks the vhost queue status at each sample, never the queue status"
else
	not_ok "replay, vhost started: watch: exit $rc, sent $(grep -c queue-status "$T/qmp.sock.log") queue queries: $(grep queue-status "$T/qmp.sock.log" | sort | uniq -c | tr '\n' ';')"
fi
fake replay "$T/replay.json"
expect "replay: a guest address outside RAM is not in QEMU's guest RAM" 3 "not in QEMU's guest RAM" -- --qemu "$T/qmp.sock" mem 0x30000 4
fake_end
# --- real answers of QEMU 7.2 (tests/fixtures/qemu-host/README.md) -------
# replay_check NAME JSON: status --json through the fake, checked against
# the answers the fake served.
replay_check() {
	local name=$1 data=$2
	fake replay "$data"
	"$VQDUMP" --qemu "$T/qmp.sock" status --json >"$T/out" 2>"$T/err"
	local rc=$?
	fake_end
	if [ "$rc" != 0 ]; then
		not_ok "$name: status --json: exit $rc: $(head -c 300 "$T/err")"
		return
	fi
	while IFS= read -r l; do
		case $l in
		"ok "*) ok "${l#ok }" ;;
		*) not_ok "$l" ;;
		esac
	done < <(python3 "$T/replay_check.py" "$data" "$T/out" "$name" 2>&1)
}
# The oracle: the answers the fake served, read independently of vqdump.
cat >"$T/replay_check.py" <<'PY'
import json, sys
data, got, name = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))["devices"], sys.argv[3]
r = data["replies"]
def u16(gpa):
    for start, end, hx in data["ram"]:
        if start <= gpa <= end - 1:
            b = bytes.fromhex(hx)[gpa - start:gpa - start + 2]
            return int.from_bytes(b, "little")
pci = {}
for bus in r["query-pci"]:
    for d in bus["devices"]:
        pci[d["qdev_id"] or d["slot"] << 3 | d["function"]] = "0000:%02x:%02x.%x" % (d["bus"], d["slot"], d["function"])
print(("ok " if len(got) == len(r["x-query-virtio"]) else "") + "%s: every device QEMU lists" % name)
for dev in r["x-query-virtio"]:
    p = dev["path"]
    bus = r["qom-get %s parent_bus" % p].split("/")[-1]
    if bus.startswith("virtio-mmio-bus."):
        want = "mmio:0x%x" % (0xfeb00000 + 0x200 * int(bus.split(".")[1]))
    else:
        proxy = p[:-len("/virtio-backend")]
        want = pci.get(proxy.split("/")[-1]) if proxy.startswith("/machine/peripheral/") \
            else pci.get(r["qom-get %s addr" % proxy])
    g = [d for d in got if d["name"] == want]
    st = r["x-query-virtio-status " + p]
    ok = len(g) == 1 and g[0]["device_id"] == st["device-id"] and g[0]["num_queues"] == st["num-vqs"]
    for i in range(st["num-vqs"]):
        w, q = r["x-query-virtio-queue-status %s %d" % (p, i)], g[0]["queues"][i] if ok else {}
        ok = ok and q["size"] == w["vring-num"] and (q["desc"] or 0) == w["vring-desc"] and \
            (q["used"] or 0) == w["vring-used"] and q["device_view"]["used_idx"] == w["used-idx"] and \
            q["device_view"]["last_avail_idx"] == w["last-avail-idx"] and \
            q["device_view"]["inuse"] == w["inuse"]
        if ok and w["vring-avail"]:
            ok = q["avail_idx"] == u16(w["vring-avail"] + 2) and q["used_idx"] == u16(w["vring-used"] + 2)
    print(("ok " if ok else "") + "%s: %s named %s, its status and queues as QEMU answered" % (name, p, want))
PY
replay_check "replay of QEMU 7.2 (pc)" tests/fixtures/qemu-host/pci-qmp.json
# QEMU said vm-running: the view says the numbers come from a running guest.
fake replay tests/fixtures/qemu-host/pci-qmp.json
expect "replay: status says the guest was running and how long QMP took" 0 \
	"view: QEMU's own account .*; guest running; QMP read over [0-9]+\.[0-9] ms" out -- --qemu "$T/qmp.sock" -d 0000:00:04.0 status
fake_end
replay_check "replay of QEMU 7.2 (microvm)" tests/fixtures/qemu-host/mmio-qmp.json

# What status asks (the fake logs every command): x-query-virtio-status
# once a device (the answer listing took is read again, not asked again),
# a device's parent bus only when query-pci does not name it by its id
# (here the one without an id=), and no `info qtree` on a machine without
# virtio-mmio.  Each QMP command costs QEMU about as much as a queue's
# (bench/host-status.sh), so these are what status adds to the queues.
fake replay tests/fixtures/qemu-host/pci-qmp.json
"$VQDUMP" --qemu "$T/qmp.sock" status --json >/dev/null 2>"$T/err"
fake_end
if [ "$(grep -c '^x-query-virtio-status ' "$T/qmp.sock.log")" = 3 ] &&
	[ "$(grep '^qom-get ' "$T/qmp.sock.log" | sort | tr '\n' ' ')" = \
		"qom-get /machine/peripheral-anon/device[1] addr qom-get /machine/peripheral-anon/device[1]/virtio-backend parent_bus " ] &&
	! grep -q 'info qtree' "$T/qmp.sock.log"; then
	ok "replay: status asks each device's status once, the parent bus only of the device without an id, no info qtree"
else
	not_ok "replay: status sent: $(grep -v queue-status "$T/qmp.sock.log" | tr '\n' ';')"
fi
# watch: the first sample takes QEMU's view read with the device (one
# x-query-virtio-queue-status a queue QEMU has), each later sample asks
# again for each queue it shows (those with a ring set up).
for n in 1 3; do
	fake replay tests/fixtures/qemu-host/pci-qmp.json
	"$VQDUMP" --qemu "$T/qmp.sock" watch --count "$n" --interval 10 --json >"$T/out" 2>"$T/err"
	rc=$?
	fake_end
	want=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["replies"]
shown = sum(1 for k, v in d.items() if k.startswith("x-query-virtio-queue-status ") and v["vring-desc"])
print(sum(1 for k in d if k.startswith("x-query-virtio-queue-status ")) + shown * (int(sys.argv[2]) - 1))' \
		tests/fixtures/qemu-host/pci-qmp.json "$n")
	got=$(grep -c '^x-query-virtio-queue-status ' "$T/qmp.sock.log")
	if [ "$rc" = 0 ] && [ "$got" = "$want" ] && [ "$(wc -l <"$T/out")" = "$n" ]; then
		ok "replay: watch --count $n asks each queue's view $n time(s) ($got in all)"
	else
		not_ok "replay: watch --count $n: exit $rc, $got queue-status sent, want $want"
	fi
done

# x-query-virtio-status's bus-name is the bus a device provides, not the
# one it sits on: QEMU 7.2 gives a virtio-serial "vser0.0" (seen on
# test-host-serial.sh's guest).  The same microvm device with such a
# bus-name must still be found on its virtio-mmio transport (parent_bus).
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for k, v in d["replies"].items():
    if k.startswith("x-query-virtio-status "): v["bus-name"] = "vser0.0"
json.dump(d, open(sys.argv[2], "w"))' tests/fixtures/qemu-host/mmio-qmp.json "$T/mmio-busname.json"
replay_check "replay of QEMU 7.2 (microvm), a device with a bus of its own" "$T/mmio-busname.json"

# Another user's QEMU: QMP answers (the socket lets us in), its memory is
# refused (/proc/PID/mem needs ptrace rights).  Only as root, which can
# become someone else.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && [ -x "$VQDUMP" ]; then
	chmod 755 "$T"
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$VQDUMP" "$@"; }
	fake replay "$T/replay.json"
	chmod 777 "$T/qmp.sock"
	as_nobody --qemu "$T/qmp.sock" mem 0x10080 4 >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" = 3 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q "Permission denied (run as root" "$T/err"; then
		ok "ptrace refused: one line naming the way out, exit 3"
	else
		not_ok "ptrace refused: exit $rc: $(cat "$T/err")"
	fi
	fake_end
	fake replay "$T/replay.json"
	chmod 777 "$T/qmp.sock"
	as_nobody --qemu "$T/qmp.sock" status >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" = 0 ] && grep -q "device (qmp): last_avail 3" "$T/out" &&
		grep -q "Permission denied" "$T/err" && grep -q "ring indices not shown" "$T/err" &&
		[ "$(wc -l <"$T/err")" = 2 ]; then
		ok "ptrace refused: status still shows QEMU's view, says once why the indices are missing"
	else
		not_ok "ptrace refused: status: exit $rc: $(cat "$T/err")"
	fi
	fake_end
fi
# --- --pause: stop, read, cont; nothing for a guest already paused -----------
# The fake (started with --pause) allows stop and cont and logs every
# command in order; query-status says what the last stop/cont made it.
pause_cmds() { grep -xE 'query-status|stop|cont' "$T/qmp.sock.log" 2>/dev/null | tr '\n' ' '; }
expect "--pause without --qemu is refused" 2 "--pause stops a running QEMU: it needs --qemu" -- --pause --raw "$T/plain@0" list
expect "--pause alone is refused" 2 "needs --qemu" -- --pause list
fake replay "$T/replay.json" --pause
expect "--pause: status says the view was taken with the guest paused by vqdump" 0 \
	"paused by vqdump \(--pause\): indices consistent" out -- --qemu "$T/qmp.sock" --pause status
fake_end
# stop before the first device query (the RAM map, read before, does not
# move), cont after the last one.
if [ "$(pause_cmds)" = "query-status stop cont " ] &&
	[ "$(grep -nxE 'stop|x-query-virtio.*' "$T/qmp.sock.log" | head -n 1 | cut -d: -f2)" = stop ] &&
	[ "$(tail -n 1 "$T/qmp.sock.log")" = cont ]; then
	ok "--pause: query-status, stop first, cont last, each once"
else
	not_ok "--pause: sent: $(tr '\n' ' ' <"$T/qmp.sock.log")"
fi
fake replay "$T/replay.json" --pause
expect "--pause, an error mid-way (no such device)" 3 "no virtio device 'nosuch'" -- --qemu "$T/qmp.sock" --pause -d nosuch status
fake_end
if [ "$(pause_cmds)" = "query-status stop cont " ] && [ "$(tail -n 1 "$T/qmp.sock.log")" = cont ]; then
	ok "--pause: cont also after an error mid-way"
else
	not_ok "--pause, error mid-way: sent: $(tr '\n' ' ' <"$T/qmp.sock.log")"
fi
python3 - "$T/replay.json" "$T/replay-paused.json" "$T/replay-hang.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["running"] = False
P = "x-query-virtio-status /machine/peripheral/vblk0/virtio-backend"
d["replies"][P] = dict(d["replies"][P], **{"vm-running": False})
json.dump(d, open(sys.argv[2], "w"))
d["running"] = True
d["hang"] = ["x-query-virtio-queue-status /machine/peripheral/vblk0/virtio-backend 0"]
json.dump(d, open(sys.argv[3], "w"))
PY
fake replay "$T/replay-paused.json" --pause
expect "--pause, guest already paused: read as paused, not by vqdump" 0 \
	"guest paused; QMP read over" out -- --qemu "$T/qmp.sock" --pause status
fake_end
if [ "$(pause_cmds)" = "query-status " ]; then
	ok "--pause, guest already paused: neither stop nor cont sent (it stays paused)"
else
	not_ok "--pause, already paused: sent: $(tr '\n' ' ' <"$T/qmp.sock.log")"
fi
# A signal while vqdump waits for QEMU's answer (the fake never gives it).
for sig in TERM HUP; do
	fake replay "$T/replay-hang.json" --pause
	"$VQDUMP" --qemu "$T/qmp.sock" --pause status >"$T/out" 2>"$T/err" &
	vq=$!
	for _ in $(seq 40); do
		grep -q x-query-virtio-queue-status "$T/qmp.sock.log" 2>/dev/null && break
		sleep 0.1
	done
	kill -s "$sig" "$vq"
	wait "$vq" 2>/dev/null
	rc=$?
	fake_end
	if [ "$rc" = $((128 + $(kill -l "$sig"))) ] && [ "$(pause_cmds)" = "query-status stop cont " ] &&
		[ "$(tail -n 1 "$T/qmp.sock.log")" = cont ]; then
		ok "--pause: SIG$sig during a blocked read: cont sent, then the signal ends vqdump"
	else
		not_ok "--pause, SIG$sig: exit $rc, sent: $(tr '\n' ' ' <"$T/qmp.sock.log")"
	fi
done
fake replay "$T/replay.json" --pause
expect "--pause refused with watch" 2 "watch follows a running guest" -- --qemu "$T/qmp.sock" --pause watch --count 1
fake_end
if [ -e "$T/qmp.sock.forbidden" ]; then
	not_ok "only queries: vqdump sent $(tr '\n' ' ' <"$T/qmp.sock.forbidden")"
else
	ok "only queries: no stop, cont or x-query-virtio-queue-element was sent"
fi

finish
