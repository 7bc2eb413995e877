# SPDX-License-Identifier: GPL-2.0-or-later
# For test-host-serial.sh: QEMU's own view of a queue (sample), and the checks of vqdump --qemu against QMP and the in-guest vqdump (compare).
"""host_serial.py sample SOCKET QOMPATH QUEUE
       QMP x-query-virtio-queue-status of one queue, the ring's avail and
       used idx as QEMU's monitor reads them (HMP xp), query-status and a
       host timestamp, as one JSON object on stdout.
   host_serial.py compare SOCKET DIR
       the checks, as "ok - " / "not ok - " lines and a summary; DIR holds
       what test-host-serial.sh saved (see there for the file names).

The oracle is QEMU asked on this script's own connection (x-query-virtio*,
query-pci, HMP xp: a path that shares nothing with vqdump's /proc/PID/mem
and gpa2hva) and vqdump run inside the guest (rings read from guest RAM
by the guest's own kernel).  The serial device and the held disk do not
move, so they are compared exactly; the throttled disk moves, so each of
vqdump's numbers must lie between QEMU's answers just before and just
after vqdump read it (16-bit indices, counted modulo 65536).
Only queries: never x-query-virtio-queue-element, never stop.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp import QMP  # noqa: E402

N_OK = 0
N_FAIL = 0
SER = "/machine/peripheral/vser0/virtio-backend"
HELD = "/machine/peripheral/vblk0/virtio-backend"
THR = "/machine/peripheral/vblk1/virtio-backend"


def check(cond, what, why=""):
    global N_OK, N_FAIL
    if cond:
        N_OK += 1
        print("ok - %s" % what)
    else:
        N_FAIL += 1
        print("not ok - %s%s" % (what, (": " + why) if why else ""))


def xp16(q, addr):
    """A little-endian 16-bit word of guest memory, as QEMU's monitor reads it."""
    text = q.cmd("human-monitor-command", {"command-line": "xp /1hx 0x%x" % addr})
    return int(text.split(":")[1].split()[0], 16)


def sample(q, path, queue):
    w = q.cmd("x-query-virtio-queue-status", path=path, queue=queue)
    w["ram-avail-idx"] = xp16(q, w["vring-avail"] + 2)
    w["ram-used-idx"] = xp16(q, w["vring-used"] + 2)
    w["running"] = q.cmd("query-status")["running"]
    w["time"] = time.time()
    return w


def load(d, name):
    with open(os.path.join(d, name)) as f:
        return json.load(f)


def within(x, lo, hi):
    """lo <= x <= hi for indices that wrap at 65536."""
    return (x - lo) % 65536 <= (hi - lo) % 65536


def dev_named(status, name):
    m = [d for d in status["devices"] if d["name"] == name]
    return m[0] if len(m) == 1 else None


def chains(ring):
    """Each pending chain's head and descriptors: what both views must share."""
    return [(c["head"], [(x["addr"], x["len"], x["flags"]) for x in c["descriptors"]])
            for c in ring["chains"]]


def check_serial(q, host, name):
    """Every queue of the serial device as QMP and QEMU's monitor give it, exactly."""
    st = q.cmd("x-query-virtio-status", path=SER)
    d = dev_named(host, name)
    check(d is not None and st["num-vqs"] == 64 and d["num_queues"] == 64 and len(d["queues"]) == 64,
          "serial: %s with QMP's num-vqs (64) queues, all listed" % name,
          "QMP num-vqs %s, vqdump %s" % (st["num-vqs"], d and d["num_queues"]))
    if d is None:
        return
    bad = []
    for i in range(st["num-vqs"]):
        w, g = sample(q, SER, i), d["queues"][i]
        dv = g.get("device_view") or {}
        want = (w["vring-num"], w["vring-desc"], w["vring-avail"], w["vring-used"],
                w["last-avail-idx"], w["shadow-avail-idx"], w["used-idx"], w["inuse"],
                w["ram-avail-idx"], w["ram-used-idx"])
        got = (g["size"], g["desc"] or 0, g["avail"] or 0, g["used"] or 0,
               dv.get("last_avail_idx"), dv.get("shadow_avail_idx"), dv.get("used_idx"),
               dv.get("inuse"), g.get("avail_idx"), g.get("used_idx"))
        if want != got:
            bad.append("q%d QMP/xp %s vqdump %s" % (i, want, got))
    check(not bad, "serial: all 64 queues: QMP's size, addresses and device-side indices, "
          "and the ring indices QEMU's monitor reads, exactly", "; ".join(bad[:4]))
    used = [i for i in range(64) if d["queues"][i].get("avail_idx")]
    print("# serial: queues the guest posted buffers on: %s" % used)


def check_held(q, host, ring, diag):
    w = sample(q, HELD, 0)
    d = dev_named(host, "0000:00:04.0")
    g = d["queues"][0] if d else {}
    dv = g.get("device_view") or {}
    print("# held: QMP %s" % {k: w[k] for k in ("last-avail-idx", "used-idx", "inuse")})
    check(w["inuse"] >= 1 and dv.get("inuse") == w["inuse"] and
          dv.get("last_avail_idx") == w["last-avail-idx"] and dv.get("used_idx") == w["used-idx"] and
          g.get("avail_idx") == w["ram-avail-idx"] and g.get("used_idx") == w["ram-used-idx"],
          "held: status: the disk's queue 0 has QMP's inuse (%d), last_avail and used idx, "
          "and guest RAM's indices as xp reads them" % w["inuse"])
    check(ring["in_flight"] == w["inuse"] and len(ring["chains"]) == w["inuse"] and
          all(c.get("taken_by_device") for c in ring["chains"]),
          "held: ring: the held write's chain(s) pending and taken by the device, as QMP's inuse says",
          "in flight %s, taken %s" % (ring["in_flight"], [c.get("taken_by_device") for c in ring["chains"]]))
    h = [x for x in diag["findings"] if x["code"] == "DEVICE_HOLDS" and
         x["device"] == "0000:00:04.0" and x["queue"] == 0]
    check(h and h[0]["evidence"]["device_inuse"] == w["inuse"] and
          h[0]["evidence"]["used_idx"] == w["used-idx"],
          "held: diagnose names the held write (DEVICE_HOLDS on 0000:00:04.0 queue 0) with QMP's numbers",
          str(h)[:300])


def check_window(name, got, before, after):
    """vqdump's view of the moving queue between QEMU's answers around it."""
    dv = got.get("device_view") or {}
    pairs = [("device used_idx", dv.get("used_idx"), "used-idx"),
             ("device last_avail_idx", dv.get("last_avail_idx"), "last-avail-idx"),
             ("guest RAM avail_idx", got.get("avail_idx"), "ram-avail-idx"),
             ("guest RAM used_idx", got.get("used_idx"), "ram-used-idx")]
    bad = ["%s %s not in [%s, %s]" % (what, v, before[k], after[k]) for what, v, k in pairs
           if v is None or not within(v, before[k], after[k])]
    check(not bad, "%s: every index between QEMU's answers just before and just after "
          "(%s..%s used)" % (name, before["used-idx"], after["used-idx"]), "; ".join(bad))


def check_thr(d):
    host = load(d, "host-status.json")
    g = dev_named(host, "0000:00:06.0")
    check_window("throttled: status", g["queues"][0] if g else {}, load(d, "status.before"),
                 load(d, "status.after"))
    ring = load(d, "host-ring-thr.json")
    check_window("throttled: ring", ring, load(d, "ring-thr.before"), load(d, "ring-thr.after"))
    # While the indices moved under it, the chains shown are what one
    # consistent read gave, or the view says it was not.
    check(isinstance(ring.get("moved_while_read"), bool) and
          (ring["moved_while_read"] or
           len(ring["chains"]) == (ring["avail_idx"] - ring["used_idx"]) % 65536),
          "throttled: ring: its pending chains match its indices, or moved_while_read says why not",
          "moved %s, chains %d, avail %s used %s" % (ring.get("moved_while_read"), len(ring["chains"]),
                                                   ring["avail_idx"], ring["used_idx"]))
    samples = [load(d, f) for f in ("first.sample", "status.before", "status.after",
                                    "ring-thr.before", "ring-thr.after", "last.sample")]
    check(max(s["inuse"] for s in samples) >= 1,
          "throttled: QEMU holds requests in flight (inuse %s in QMP's samples)" %
          [s["inuse"] for s in samples])
    moved = (samples[-1]["used-idx"] - samples[0]["used-idx"]) % 65536
    check(all(s["running"] for s in samples) and moved > max(s["inuse"] for s in samples),
          "guest running at every sample, and its I/O went on: used idx moved by %d in %.1f s "
          "(more than were in flight: new requests came)" % (moved, samples[-1]["time"] - samples[0]["time"]))


def check_guest(d):
    """The host's view equal to the guest's own vqdump (a different path to the same RAM)."""
    host = load(d, "host-status.json")
    for name, f in (("0000:00:05.0", "guest-ser.json"), ("0000:00:04.0", "guest-held.json")):
        h, g = dev_named(host, name), dev_named(load(d, f), name)
        keys = ("size", "desc", "avail", "used", "avail_idx", "used_idx")
        bad = ["q%d %s host %s guest %s" % (i, k, hq[k], gq[k])
               for i, (hq, gq) in enumerate(zip(h["queues"], g["queues"])) for k in keys if hq[k] != gq[k]]
        check(h and g and len(h["queues"]) == len(g["queues"]) and not bad,
              "host vs guest: %s: %d queues, their addresses, sizes and ring indices equal to the "
              "in-guest vqdump's" % (name, len(g["queues"]) if g else 0), "; ".join(bad[:4]))
    for what, hf, gf in (("the held write's ring (0000:00:04.0 queue 0)", "host-ring-held.json",
                          "guest-ring-held.json"),
                         ("the serial control receive queue (0000:00:05.0 queue 2)", "host-ring-ser.json",
                          "guest-ring-ser.json")):
        h, g = load(d, hf), load(d, gf)
        check(h["avail_idx"] == g["avail_idx"] and h["used_idx"] == g["used_idx"] and
              chains(h) and chains(h) == chains(g),
              "host vs guest: %s: indices and %d pending chain(s), heads and descriptors, equal" %
              (what, len(chains(h))), "host %s guest %s" % (chains(h)[:2], chains(g)[:2]))


def main():
    if sys.argv[1] == "sample":
        with QMP(sys.argv[2]) as q:
            print(json.dumps(sample(q, sys.argv[3], int(sys.argv[4]))))
        return 0
    sock, d = sys.argv[2], sys.argv[3]
    with QMP(sock) as q:
        host = load(d, "host-status.json")
        check_serial(q, host, "0000:00:05.0")
        check_held(q, host, load(d, "host-ring-held.json"), load(d, "host-diag.json"))
    check_thr(d)
    check_guest(d)
    print("%d passed, %d failed" % (N_OK, N_FAIL))
    return 1 if N_FAIL else 0


if __name__ == "__main__":
    sys.exit(main())
