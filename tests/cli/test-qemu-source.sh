#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --qemu SOCKET without a QEMU: each way the socket can be wrong is one line and exit 3; a fake QMP (fakeqmp.py) replaying a real QEMU's answers is read like QEMU.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh

FAKE=tests/cli/fakeqmp.py

# fake MODE [DATA]: start fakeqmp.py on $T/qmp.sock, wait until it listens.
fake() {
	rm -f "$T/qmp.sock" "$T/qmp.sock.forbidden" "$T/fake.out"
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
expect "replay: a guest address outside RAM is not in QEMU's guest RAM" 3 "not in QEMU's guest RAM" -- --qemu "$T/qmp.sock" mem 0x30000 4
fake_end
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
if [ -e "$T/qmp.sock.forbidden" ]; then
	not_ok "only queries: vqdump sent $(tr '\n' ' ' <"$T/qmp.sock.forbidden")"
else
	ok "only queries: no stop, cont or x-query-virtio-queue-element was sent"
fi

finish
