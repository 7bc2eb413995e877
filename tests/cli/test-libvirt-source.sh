#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --libvirt DOMAIN without libvirt: a fake virsh on PATH (fakevirsh.py) says each of virsh's failures (one line, exit 3) or passes QMP to a fake QEMU (fakeqmp.py --many), read like --qemu.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=lib.sh
. tests/cli/lib.sh

FAKE=tests/cli/fakeqmp.py
mkdir -p "$T/bin"
printf '#!/bin/sh\nexec python3 %s "$@"\n' "$PWD/tests/cli/fakevirsh.py" >"$T/bin/virsh"
chmod +x "$T/bin/virsh"
export PATH="$T/bin:$PATH" FAKE_QMP="$T/qmp.sock" FAKE_VIRSH_LOG="$T/virsh.log"

# fake [ARGS]: fakeqmp.py --many on $T/qmp.sock, until fake_end.
fake() {
	rm -f "$T/qmp.sock" "$T/qmp.sock.log" "$T/fake.out" "$T/virsh.log"
	python3 "$FAKE" "$T/qmp.sock" replay "$T/replay.json" --many "$@" >"$T/fake.out" 2>&1 &
	FAKE_PID=$!
	for _ in $(seq 50); do
		grep -q ready "$T/fake.out" 2>/dev/null && break
		sleep 0.1
	done
}
fake_end() {
	kill "$FAKE_PID" 2>/dev/null
	wait "$FAKE_PID" 2>/dev/null
}

# --- usage and virsh's failures --------------------------------------------

expect "--libvirt with --qemu" 2 "give one source: --core, --raw, --qemu or --libvirt" -- --libvirt d --qemu "$T/x" list
expect "--libvirt with an empty name" 2 "--libvirt takes a domain name" -- --libvirt "" list
expect "--mmio with --libvirt" 2 "refused with --libvirt" -- --libvirt d --mmio 0x1000 list
# No virsh on PATH (and nothing else: checked here, not by expect).
PATH=/nonexistent "$VQDUMP" --libvirt d list >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" = 3 ] && [ "$(wc -l <"$T/err")" = 1 ] &&
	grep -q -- "--libvirt runs virsh: No such file or directory (install libvirt-clients" "$T/err"; then
	ok "virsh missing: one line, exit 3"
else
	not_ok "virsh missing: exit $rc: $(cat "$T/err")"
fi
expect "no such domain" 3 "libvirt has no domain nosuch \(virsh list --all names them; LIBVIRT_DEFAULT_URI" -- \
	--libvirt nosuch list
expect "domain not running" 3 "libvirt domain off is not running \(start it: virsh start off\)" -- --libvirt off list
expect "daemon not reachable" 3 "libvirt domain unreach: libvirt daemon not reachable: .*No such file.* \(start libvirtd or virtqemud, or set LIBVIRT_DEFAULT_URI" -- \
	--libvirt unreach list
expect "permission" 3 "libvirt domain denied: .*Permission denied \(run as root, or as a user libvirt lets manage" -- \
	--libvirt denied status
expect "virsh prints no QMP reply" 3 "libvirt domain garbage: virsh qemu-monitor-command printed no QMP reply" -- \
	--libvirt garbage list

# --- a QEMU behind the fake virsh ------------------------------------------
# The replay is built as test-qemu-source.sh's (QEMU 7.2's schema,
# qapi/virtio.json): split ring of 8 at 0x10000, avail idx 3 at 0x10080,
# used idx 2 at 0x100c0 (virtio 1.3, 2.7), in a page this test wrote.
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
        "host-features": {"transports": ["VIRTIO_F_VERSION_1: Device compliant for v1 spec (legacy)"],
                          "dev-features": []},
        "guest-features": {"transports": ["VIRTIO_F_VERSION_1: Device compliant for v1 spec (legacy)"],
                           "dev-features": []}},
    "x-query-virtio-queue-status %s 0" % P: {
        "name": "virtio-blk", "queue-index": 0, "inuse": 1, "vring-num": 8,
        "vring-num-default": 256, "vring-align": 4096, "vring-desc": 0x10000,
        "vring-avail": 0x10080, "vring-used": 0x100c0, "last-avail-idx": 3,
        "shadow-avail-idx": 3, "used-idx": 2, "signalled-used": 1, "signalled-used-valid": True}},
    "ram": [[0x10000, 0x10fff, page.hex()]]}, open(sys.argv[1], "w"))
PY

fake
expect "list through virsh names the PCI device by query-pci" 0 "^0 +0000:00:04.0 +pci +2 +blk" out -- --libvirt vm1 list
expect_json "status --json through virsh: QMP's values, and the indices read from the fake's memory (PID from query-cpus-fast's thread)" \
	'((d := j["devices"][0]) and (q := d["queues"][0]) and d["status"]["value"] == 15 and d["status_source"] == "qmp" and
	 q["size"] == 8 and q["desc"] == 0x10000 and q["avail_idx"] == 3 and q["used_idx"] == 2 and
	 q["device_view"] == {"source": "qmp", "last_avail_idx": 3, "shadow_avail_idx": 3,
	                      "used_idx": 2, "signalled_used": 1, "inuse": 1})' \
	-- --libvirt vm1 status --json
expect "mem reads the ring page from the fake's process" 0 "^0000000000010080  00 00 03 00" out -- --libvirt vm1 mem 0x10080 4
fake_end
# Every virsh run: qemu-monitor-command -- DOMAIN JSON, the domain name as
# one argument however it is spelt (no shell between).
fake
"$VQDUMP" --libvirt "odd name; 'quoted' \$x" list >"$T/out" 2>"$T/err"
rc=$?
fake_end
if [ "$rc" = 0 ] && python3 -c '
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
ok = runs and all(r[:3] == ["qemu-monitor-command", "--", sys.argv[2]] and len(r) == 4 and
                  "execute" in json.loads(r[3]) for r in runs)
sys.exit(0 if ok else 1)' "$T/virsh.log" "odd name; 'quoted' \$x"; then
	ok "virsh gets qemu-monitor-command -- DOMAIN JSON, the name as one argument as given"
else
	not_ok "virsh argv: exit $rc $(head -c 300 "$T/err"); $(head -c 400 "$T/virsh.log")"
fi

# --- --pause: stop, cont; and cont by the guard when vqdump is killed --------
pause_cmds() { grep -xE 'query-status|stop|cont' "$T/qmp.sock.log" 2>/dev/null | tr '\n' ' '; }
fake --pause
expect "--pause through virsh: read with the guest paused by vqdump" 0 \
	"paused by vqdump \(--pause\)" out -- --libvirt vm1 --pause status
fake_end
if [ "$(pause_cmds)" = "query-status stop cont " ]; then
	ok "--pause through virsh: query-status, stop, cont, each once"
else
	not_ok "--pause through virsh: sent: $(tr '\n' ' ' <"$T/qmp.sock.log")"
fi
# SIGKILL while vqdump waits for an answer that never comes: no handler
# runs, the guard process sends the cont.
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["hang"]=["x-query-virtio-queue-status /machine/peripheral/vblk0/virtio-backend 0"]; json.dump(d, open(sys.argv[1], "w"))' \
	"$T/replay.json"
fake --pause
"$VQDUMP" --libvirt vm1 --pause status >"$T/out" 2>"$T/err" &
vq=$!
# A virsh run is a python3 start here: on a loaded machine this takes a while.
for _ in $(seq 300); do
	grep -q x-query-virtio-queue-status "$T/qmp.sock.log" 2>/dev/null && break
	sleep 0.1
done
kill -KILL "$vq"
wait "$vq" 2>/dev/null
# The hung virsh gives up after 3 s, then the guard's cont is served.
for _ in $(seq 200); do
	[ "$(tail -n 1 "$T/qmp.sock.log")" = cont ] && break
	sleep 0.1
done
fake_end
if [ "$(pause_cmds)" = "query-status stop cont " ] && grep -q x-query-virtio-queue-status "$T/qmp.sock.log"; then
	ok "--pause: vqdump killed (SIGKILL) while the guest is stopped: the guard sends cont"
else
	not_ok "--pause, SIGKILL: sent: $(tr '\n' ' ' <"$T/qmp.sock.log")"
fi

finish
