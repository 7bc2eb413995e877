# SPDX-License-Identifier: GPL-2.0-or-later
# Checks vqdump --qemu's JSON against QEMU asked directly over QMP (x-query-virtio-*, query-pci, HMP xp), for test-host-qemu.sh.
"""host_compare.py SOCKET LIST.json STATUS.json RING.json RINGDEV

SOCKET is QEMU's QMP socket, or libvirt:DOMAIN (QEMU asked through
"virsh qemu-monitor-command", test-host-libvirt.sh).
RINGDEV is the device's name ("0000:00:04.0", "mmio:0xfeb02e00").
The oracle is QEMU itself, asked by this script on its own connection
after vqdump has closed its own: the device list and PCI addresses
(x-query-virtio, query-pci by qdev id), each device's status and queues
(x-query-virtio-status, x-query-virtio-queue-status) and the ring index
words in guest memory read by QEMU's monitor (HMP xp), a path that shares
nothing with vqdump's /proc/PID/mem and gpa2hva.  The guest is idle (its
disk was probed at boot, then nothing), so every value is compared exactly.
Only queries: never x-query-virtio-queue-element, never stop.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp import connect  # noqa: E402

N_OK = 0
N_FAIL = 0

STATUS_BITS = {"ACKNOWLEDGE": 1, "DRIVER": 2, "DRIVER_OK": 4, "FEATURES_OK": 8,
               "NEEDS_RESET": 64, "FAILED": 128}


def check(cond, what):
    global N_OK, N_FAIL
    if cond:
        N_OK += 1
        print("ok - %s" % what)
    else:
        N_FAIL += 1
        print("not ok - %s" % what)


def pci_names(buses, out):
    for bus in buses:
        for d in bus.get("devices", []):
            name = "0000:%02x:%02x.%x" % (d["bus"], d["slot"], d["function"])
            if d.get("qdev_id"):
                out[d["qdev_id"]] = name
            elif d["id"]["vendor"] == 0x1af4:
                # The test gives one virtio device without an id.
                out["(anonymous)"] = name
            if "pci_bridge" in d:
                pci_names([d["pci_bridge"]], out)
    return out


def xp16(q, addr):
    """One little-endian 16-bit word of guest memory, as QEMU's monitor reads it."""
    text = q.cmd("human-monitor-command", {"command-line": "xp /1hx 0x%x" % addr})
    return int(text.split(":")[1].split()[0], 16)


def oracle(sock):
    with connect(sock) as q:
        ids = pci_names(q.cmd("query-pci"), {})
        devs = []
        for d in q.cmd("x-query-virtio"):
            st = q.cmd("x-query-virtio-status", path=d["path"])
            qs = []
            for i in range(st["num-vqs"]):
                s = q.cmd("x-query-virtio-queue-status", path=d["path"], queue=i)
                if s["vring-avail"]:
                    s["ram-avail-idx"] = xp16(q, s["vring-avail"] + 2)
                    s["ram-used-idx"] = xp16(q, s["vring-used"] + 2)
                qs.append(s)
            qid = d["path"].split("/")[3] if d["path"].startswith("/machine/peripheral/") else \
                "(anonymous)"
            name = ids.get(qid)
            bus = q.cmd("qom-get", path=d["path"], property="parent_bus")
            if bus.split("/")[-1].startswith("virtio-mmio-bus."):
                # microvm's transports: 0xfeb00000 + 0x200 * N for bus N
                # (QEMU's hw/i386/microvm.c; qemu-notes.md).
                name = "mmio:0x%x" % (0xfeb00000 + 0x200 * int(bus.split(".")[-1]))
            devs.append({"path": d["path"], "status": st, "queues": qs, "pci": name})
        run = q.cmd("query-status")
    return devs, run


def status_byte(st):
    b = 0
    for s in st["status"]["statuses"]:
        b |= STATUS_BITS.get(s.split(":")[0].replace("VIRTIO_CONFIG_S_", ""), 0)
    return b


def compare_queue(name, want, got):
    i = want["queue-index"]
    # vqdump writes an address of 0 (a queue not set up) as null.
    check(got["size"] == want["vring-num"] and (got["desc"] or 0) == want["vring-desc"] and
          (got["avail"] or 0) == want["vring-avail"] and (got["used"] or 0) == want["vring-used"],
          "%s q%d: size and ring addresses are QMP's (%s)" % (name, i, want["vring-num"]))
    dv = got.get("device_view") or {}
    check(dv.get("source") == "qmp" and dv.get("last_avail_idx") == want["last-avail-idx"] and
          dv.get("shadow_avail_idx") == want["shadow-avail-idx"] and
          dv.get("used_idx") == want["used-idx"] and
          dv.get("signalled_used") == want["signalled-used"] and dv.get("inuse") == want["inuse"],
          "%s q%d: device_view is QMP's (used-idx %d, inuse %d)" % (name, i, want["used-idx"],
                                                                      want["inuse"]))
    if "ram-avail-idx" in want:
        check(got["avail_idx"] == want["ram-avail-idx"] and got["used_idx"] == want["ram-used-idx"],
              "%s q%d: ring indices from guest RAM are those QEMU's monitor reads (avail %d used %d)"
              % (name, i, want["ram-avail-idx"], want["ram-used-idx"]))


def main(argv):
    sock, lst, sta, ring, ringdev = argv[1:6]
    lst, sta, ring = (json.load(open(p)) for p in (lst, sta, ring))
    lst = lst["devices"] if isinstance(lst, dict) else lst
    sta = sta["devices"] if isinstance(sta, dict) else sta
    devs, run = oracle(sock)
    check(run.get("running") is True, "guest still running after vqdump (query-status %s)"
          % run.get("status"))
    check(len(lst) == len(devs), "list has QEMU's %d virtio devices" % len(devs))
    by_name = {d["name"]: d for d in sta}
    for d in devs:
        name = d["pci"]
        check(name in by_name, "%s listed as %s" % (d["path"], name))
        got = by_name.get(name)
        if not got:
            continue
        st = d["status"]
        check(got["device_id"] == st["device-id"] and got["status"]["value"] == status_byte(st) and
              got["status_source"] == "qmp",
              "%s: device ID %d and status 0x%02x are QMP's" % (name, st["device-id"],
                                                                 status_byte(st)))
        check(got["num_queues"] == st["num-vqs"], "%s: %d queues" % (name, st["num-vqs"]))
        for key, mine in (("host-features", "device_features"), ("guest-features", "driver_features")):
            f = st[key]
            n = len(f.get("transports", [])) + len(f.get("dev-features", [])) + \
                bin(f.get("unknown-dev-features", 0)).count("1")
            got_bits = (got.get(mine) or {}).get("bits", [])
            check(len(got_bits) == n and (not n or 32 in got_bits),
                  "%s: %s has as many bits as QEMU names (%d), VERSION_1 among them"
                  % (name, mine, n))
        for w, g in zip(d["queues"], got["queues"]):
            compare_queue(name, w, g)
    want = next((d for d in devs if d["pci"] == ringdev), None)
    if want:
        q0 = want["queues"][0]
        check(ring["desc"] == q0["vring-desc"] and ring["avail_idx"] == q0["ram-avail-idx"] and
              ring["used_idx"] == q0["ram-used-idx"] and
              ring["device_view"]["last_avail_idx"] == q0["last-avail-idx"] and
              not ring["chains"],  # idle: nothing in flight
              "ring -d %s --queue 0: addresses QMP's, indices those QEMU's monitor reads, "
              "device_view QEMU's, nothing pending" % ringdev)
    print("%d passed, %d failed" % (N_OK, N_FAIL))
    return 1 if N_FAIL else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
