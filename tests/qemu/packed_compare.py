#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# QEMU's view of a packed virtqueue (QMP, VM stopped) and its comparison with what vqdump printed inside the guest.
"""usage:
    packed_compare.py qmp SOCKET QDEV_ID [--no-stop]
        stop the VM (not with --no-stop: QMP stop drains the block layer,
        which waits forever for a request a blkdebug breakpoint holds), print {"status": x-query-virtio-status, "queue":
        x-query-virtio-queue-status of queue 0} of the device whose QOM path
        is /machine/peripheral/QDEV_ID(/virtio-backend) ("queues": every
        queue's), its parent_bus, continue the VM.
        (x-query-virtio-queue-element is never asked: QEMU 7.2 refuses
        packed queues there, and the test must not lean on it.)
    packed_compare.py snapfile SERIAL TAG OUT
        the guest's base64 block "file" of round TAG, decoded into OUT.
    packed_compare.py snapcompare SERIAL LIVETAG PCIADDR BEFORE AFTER RING STATUS
        the host's 'ring --queue 0 --json' (RING) and 'status --json'
        (STATUS) read from the guest's snapshot: the same checks against
        the QMP views BEFORE and AFTER (taken around the snapshot) as
        compare, and the same positions, chains and slots as the guest's
        live view of round LIVETAG (the queue held still in between).
    packed_compare.py dumpscan SERIAL PCIADDR SCANJSON [BEFORE AFTER]...
        scan --json (SCANJSON) of a dump-guest-memory core taken after the
        wrapped round: no split ring on the packed descriptor ring; with
        QMP views of a device taken just BEFORE and AFTER the dump, each
        of its queues is found as a packed ring at QEMU's vring-desc, with
        QEMU's vring-avail/vring-used as its event areas, QEMU's
        vring-num as its size (or a smaller size marked ambiguous that
        holds every written slot: a ring not yet wrapped), QEMU's used-idx
        as its next used slot, and no split ring on any part of it.
    packed_compare.py moving SERIAL TAG PCIADDR BEFORE AFTER
        a busy queue 0 (the throttled disk) in round TAG: layout exact,
        positions between QEMU's answers BEFORE and AFTER, the pending
        chains the readers' reads.
    packed_compare.py thrdiag SERIAL TAG THRADDR PCIADDR HELDTAG
        diagnose of round TAG: the held write on PCIADDR named (its ID
        from round HELDTAG's ring view), nothing stuck said of THRADDR.
    packed_compare.py helddump DIR PCIADDR NETADDR THRADDR [QDEV BEFORE AFTER]...
        the files the test wrote in DIR (hd-status.json, hd-ring-*.json,
        hd-diag.json) from a dump taken with a write held, against QMP
        views of each QDEV (pblk, pnet, pthr) with the VM stopped.
    packed_compare.py notes SERIAL
        the guest's "notes" round: diagnose judges the quiet packed queue
        healthy; watch follows it by its positions (not as a split ring).
    packed_compare.py heldwatch SERIAL
        watch while the write is held (STALLED, one in flight) and while
        the guest's I/O runs (the used position moves).
    packed_compare.py helddiag SERIAL PCIADDR [DIAGTAG RINGTAG]
        diagnose in the guest while the write is held (round DIAGTAG,
        default helddiag): NOT_COMPLETING naming the held chain's Buffer
        ID from round RINGTAG's (held) ring view, exit 1.
    packed_compare.py compare SERIAL TAG PCIADDR BEFORE AFTER [QUEUE [rx]]
        the guest's "ring:PCIADDR:QUEUE" (QUEUE 0 unless given) and
        "sel:PCIADDR" blocks of round TAG on the console log SERIAL, against
        the QMP views BEFORE and AFTER: ok / not ok lines and "N passed, N
        failed".  "rx": a receive queue at rest (buffers posted, none
        taken), whose driver position QEMU does not report.
    packed_compare.py netup SERIAL
        the guest's "netup" round: pings answered, frames both ways.
    packed_compare.py idlediag SERIAL TAG
        diagnose of round TAG on idle devices: nothing found, exit 0.
    packed_compare.py mmiobus VIEW NAME
        NAME (mmio:0x...) is the transport QEMU's parent_bus in the QMP
        view VIEW says.

QEMU 7.2 reports a packed queue's last-avail-idx and used-idx as slot
numbers (0 .. vring-num - 1) without their wrap counters; vqdump's
next_avail and next_used are the same kind of number, inferred in the
guest from the slots' AVAIL/USED bits (virtio 1.3 section 2.8.1).  In a
round where QEMU's numbers did not move between BEFORE and AFTER (no I/O,
inuse 0), they must be equal.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qmp  # noqa: E402

PASSED = FAILED = 0


def ok(msg):
    global PASSED
    PASSED += 1
    print("ok - " + msg)


def not_ok(msg):
    global FAILED
    FAILED += 1
    print("not ok - " + msg)


def check(cond, msg, detail=""):
    if cond:
        ok(msg)
    else:
        not_ok(msg + (": " + detail if detail else ""))
    return cond


def do_qmp(sock, ident, stop=True):
    with qmp.QMP(sock) as q:
        # A PCI proxy's virtio device is its virtio-backend child; a
        # virtio-mmio one (virtio-blk-device) is the device itself.
        top = "/machine/peripheral/" + ident
        paths = [d["path"] for d in q.cmd("x-query-virtio") if d["path"] in (top, top + "/virtio-backend")]
        if len(paths) != 1:
            sys.exit("no one virtio device at %s: %s" % (top, paths))
        path = paths[0]
        running = stop and q.cmd("query-status").get("running")
        if running:
            q.cmd("stop")
        try:
            st = q.cmd("x-query-virtio-status", path=path)
            qs = [q.cmd("x-query-virtio-queue-status", path=path, queue=i) for i in range(st["num-vqs"])]
            out = {"status": st, "queue": qs[0], "queues": qs,
                   "parent_bus": q.cmd("qom-get", path=top, property="parent_bus")}
        finally:
            if running:
                q.cmd("cont")
    print(json.dumps(out))


def blocks(serial, tag):
    """{key: (rc, stdout text)} of the guest's VQ-OUT blocks for TAG."""
    text = open(serial, "rb").read().decode("utf-8", "replace").replace("\r", "")
    out = {}
    pat = re.compile(r"^VQ-OUT %s (\S+) rc=(\d+)\n(.*?)^VQ-ERR\n(.*?)^VQ-END %s \1$"
                     % (re.escape(tag), re.escape(tag)), re.S | re.M)
    for m in pat.finditer(text):
        out[m.group(1)] = (int(m.group(2)), m.group(3), m.group(4))
    return out


def ring_block(got, pci, label, queue=0):
    """The JSON of the ring:PCI:QUEUE block in got, or None (said)."""
    key = "ring:%s:%d" % (pci, queue)
    if key not in got:
        not_ok(label + ": the guest printed no block for " + key)
        return None
    rc, text, err = got[key]
    check(rc == 0, label + ": ring --queue %d exits 0" % queue, "rc=%d %s" % (rc, err.strip()[:200]))
    try:
        return json.loads(text)
    except ValueError:
        not_ok(label + ": ring --queue %d printed JSON" % queue)
        return None


def compare(serial, tag, pci, before, after, queue=0, kind=""):
    got = blocks(serial, tag)
    label = "packed %s" % tag
    r = ring_block(got, pci, label, queue)
    if r is None:
        return
    if kind == "rx":
        check_rx(label, r, before, after, queue)
    else:
        check_ring(label, tag, r, before, after, queue)
    key = "sel:" + pci
    if key in got and got[key][0] == 0:
        check_status(label, json.loads(got[key][1]), queue)
    else:
        not_ok(label + ": status -d %s ran" % pci)


def check_status(label, s, queue=0):
    q0 = s["devices"][0]["queues"][queue]
    check(q0.get("layout") == "packed" and q0.get("avail_idx") is None and q0.get("in_flight") is None,
          label + ": status: queue %d layout packed, no split indices" % queue,
          json.dumps({k: q0.get(k) for k in ("layout", "avail_idx", "used_idx", "in_flight")}))


def qmp_views(before, after, queue):
    """QEMU's device status and queue QUEUE, before and after."""
    a = json.load(open(before))
    b = json.load(open(after))
    return a["status"], a["queues"][queue], b["queues"][queue]


def check_layout(label, r, st, qa):
    """The ring's layout, size and addresses are QEMU's."""
    feats = json.dumps(st.get("guest-features", {}))
    check("VIRTIO_F_RING_PACKED" in feats, label + ": QEMU says the driver accepted VIRTIO_F_RING_PACKED",
          feats[:200])
    check(r.get("layout") == "packed", label + ": ring says layout packed", str(r.get("layout")))
    check(r.get("size") == qa["vring-num"], label + ": size is QEMU's vring-num",
          "%s vs %s" % (r.get("size"), qa["vring-num"]))
    check(r.get("desc") == qa["vring-desc"], label + ": desc is QEMU's vring-desc")
    check(r["driver_event"]["addr"] == qa["vring-avail"],
          label + ": driver event area is QEMU's vring-avail (queue_driver)")
    check(r["device_event"]["addr"] == qa["vring-used"],
          label + ": device event area is QEMU's vring-used (queue_device)")


def check_rx(label, r, before, after, queue):
    """A receive queue at rest: Linux posted device-writable buffers the
    device has not taken (QEMU takes one only when a packet arrives), so
    the driver's next avail slot is not QEMU's; the device's side is."""
    st, qa, qb = qmp_views(before, after, queue)
    check_layout(label, r, st, qa)
    still = qa == qb
    print("# QEMU before: last-avail-idx %s used-idx %s inuse %s; vqdump: next_avail %s (wrap %s) next_used %s "
          "(wrap %s) in_flight %s pending_slots %s" % (
              qa.get("last-avail-idx"), qa["used-idx"], qa["inuse"], r["next_avail"], r["avail_wrap_counter"],
              r["next_used"], r["used_wrap_counter"], r["in_flight"], r["pending_slots"]))
    if not still:
        not_ok(label + ": QEMU's queue moved during the round; nothing exact to compare")
        return
    check(qa["inuse"] == 0 and qa.get("last-avail-idx") == qa["used-idx"],
          label + ": QEMU holds no receive buffer (inuse 0, last-avail-idx = used-idx)", json.dumps(qa)[:300])
    check(r["next_used"] == qa["used-idx"], label + ": next_used (inferred) is QEMU's used-idx (slot number)")
    # Linux's virtio_net keeps the receive ring stocked: buffers the
    # device may fill are pending, each one device-writable descriptor
    # (mergeable buffers) whose ID the ring says once.
    ch = r["chains"]
    check(r["in_flight"] > 0 and len(ch) == r["in_flight"] and r["pending_slots"] == r["in_flight"],
          label + ": posted receive buffers pending (%s), one slot each" % r["in_flight"],
          "chains %d pending_slots %s" % (len(ch), r["pending_slots"]))
    check(ch and ch[0]["slot"] == qa["used-idx"],
          label + ": the first pending buffer is at QEMU's last-avail-idx (where the device takes next)",
          json.dumps(ch[:1])[:300])
    # Linux 6.1 fills the whole ring when the link goes up (try_fill_recv
    # until no descriptor is free) and refills only once more than half
    # is free (virtnet_receive): after a few frames in the first round,
    # the buffers posted are vring-num less the ones QEMU used (used-idx).
    if qa["used-idx"] < qa["vring-num"] // 2 and r["used_wrap_counter"] == 1:
        check(r["in_flight"] == qa["vring-num"] - qa["used-idx"],
              label + ": receive buffers pending = vring-num - QEMU's used-idx (%d - %d)" % (
                  qa["vring-num"], qa["used-idx"]), "vqdump %s" % r["in_flight"])
    check(len(set(c["id"] for c in ch)) == len(ch), label + ": every pending Buffer ID once")
    check(not r["findings"], label + ": no findings on Linux's own packed receive ring",
          json.dumps(r["findings"])[:300])


def check_ring(label, tag, r, before, after, queue=0):
    """vqdump's ring view r against QEMU's views BEFORE and AFTER."""
    st, qa, qb = qmp_views(before, after, queue)
    check_layout(label, r, st, qa)
    still = (qa.get("last-avail-idx") == qb.get("last-avail-idx") and qa["used-idx"] == qb["used-idx"]
             and qa["inuse"] == qb["inuse"])
    print("# QEMU before: last-avail-idx %s used-idx %s inuse %s; after: %s %s %s; vqdump: next_avail %s "
          "(wrap %s) next_used %s (wrap %s) in_flight %s, %s" % (
              qa.get("last-avail-idx"), qa["used-idx"], qa["inuse"], qb.get("last-avail-idx"),
              qb["used-idx"], qb["inuse"], r["next_avail"], r["avail_wrap_counter"], r["next_used"],
              r["used_wrap_counter"], r["in_flight"], r["avail_position_source"]))
    if still:
        check(r["next_avail"] == qa.get("last-avail-idx"),
              label + ": next_avail (inferred) is QEMU's last-avail-idx (slot number)")
        check(r["next_used"] == qa["used-idx"], label + ": next_used (inferred) is QEMU's used-idx (slot number)")
        check(r["in_flight"] == qa["inuse"], label + ": in flight is QEMU's inuse (%d)" % qa["inuse"],
              "vqdump %s" % r["in_flight"])
        if qa["inuse"] == 0:
            check(r["pending_slots"] == 0, label + ": no pending slot")
        # Out of order, the driver's records name the pending request
        # (info findings saying so); nothing else may be found.
        expect = {"ooo": ("PACKED_OUT_OF_ORDER", "PACKED_PENDING_PARTIAL"),
                  "dmaooo": ("PACKED_OUT_OF_ORDER",)}.get(tag, ())
        check(not [f for f in r["findings"] if f["code"] not in expect],
              label + ": no findings on Linux's own packed ring%s" % (
                  " but the out-of-order ones" if expect else ""), json.dumps(r["findings"])[:300])
    else:
        not_ok(label + ": QEMU's queue moved during the round; nothing exact to compare")
    if tag == "dmaooo":
        feats = json.dumps(st.get("guest-features", {}))
        check("VIRTIO_F_IOMMU_PLATFORM" in feats,
              label + ": QEMU says the driver accepted VIRTIO_F_IOMMU_PLATFORM (Linux uses the DMA API)",
              feats[:300])
    if tag in ("ooo", "dmaooo"):
        ooo_checks(label, r, 800, whole=tag == "dmaooo")
    if tag in ("held", "snap", "ooo", "dmaooo"):
        # The guest's one 4 KiB write at 4 KiB block 100 (sector 800),
        # held in QEMU by a blkdebug breakpoint: the one pending chain.
        c = r["chains"][0] if r["chains"] else {}
        req = c.get("request") or {}
        check(req.get("type_name") == "OUT" and req.get("sector") == 800,
              label + ": the pending chain is the held blk write to sector 800", json.dumps(c)[:300])
    if tag == "wrapped":
        # The busy load's hundreds of requests went round the ring: every
        # slot was written, so the positions were inferred past a flip of
        # the wrap counters (QEMU 7.2 reports neither counter).
        written = sum(1 for x in r["slots"] if x["addr"] or x["flags_value"])
        check(written == r["size"], label + ": every slot was written (the ring went round)",
              "%d of %d" % (written, r["size"]))


def snapfile(serial, tag, out):
    import base64
    got = blocks(serial, tag)
    if "file" not in got or got["file"][0] != 0:
        sys.exit("no base64 block 'file' of round %s on the console" % tag)
    with open(out, "wb") as f:
        f.write(base64.b64decode("".join(got["file"][1].split())))


def snapcompare(serial, livetag, pci, before, after, ring, status):
    label = "packed snapshot"
    try:
        r = json.load(open(ring))
        s = json.load(open(status))
    except ValueError:
        not_ok(label + ": ring --queue 0 and status on the snapshot printed JSON")
        return
    check_ring(label, "snap", r, before, after)
    check_status(label, s)
    live = ring_block(blocks(serial, livetag), pci, label + " (the live view of round %s)" % livetag)
    if live is None:
        return
    keys = ("desc", "size", "next_avail", "avail_wrap_counter", "next_used", "used_wrap_counter",
            "pending_slots", "in_flight", "slots")
    diff = [k for k in keys if r.get(k) != live.get(k)]
    check(not diff, label + ": positions, wrap counters and every slot as the guest saw them live "
          "in round %s" % livetag, ", ".join(diff))
    ids = [(c["slot"], c["id"], c["request"]) for c in r["chains"]]
    lids = [(c["slot"], c["id"], c["request"]) for c in live["chains"]]
    check(ids == lids, label + ": the pending chains (slot, id, decoded request) as live",
          json.dumps([ids, lids])[:300])


def ooo_checks(label, r, sector, whole=False):
    """A GET_ID (the disk's serial, read in the guest) answered at once
    while the write to SECTOR was held: QEMU wrote its used descriptor at
    its next used slot, the write's (virtio 1.3 2.8.6), and the write's
    slot in the ring no longer says it.  The pending request must be the
    write all the same, from Linux's own records; before they were read,
    the GET_ID's stale slot was shown as pending."""
    codes = [f["code"] for f in r["findings"]]
    print("# %s: pending_source %s driver_records %s (%s) findings %s" % (
        label, r.get("pending_source"), r.get("driver_records"), r.get("driver_records_reason"), codes))
    check(r.get("driver_records") == "read" and r.get("pending_source") == "driver" and
          "PACKED_OUT_OF_ORDER" in codes,
          label + ": the driver's records read, the pending request taken from them (PACKED_OUT_OF_ORDER)",
          json.dumps({k: r.get(k) for k in ("driver_records", "driver_records_reason", "pending_source")}))
    c = r["chains"][0] if r["chains"] else {}
    req = c.get("request") or {}
    check(len(r["chains"]) == 1 and c.get("from_driver") is True and c.get("slot") is None and
          req.get("type_name") == "OUT" and req.get("sector") == sector,
          label + ": the one pending chain is the held write to sector %d, from the driver's records "
          "(its slot overwritten)" % sector, json.dumps(r["chains"])[:400])
    if whole:
        # With the DMA API Linux keeps each descriptor (desc_extra): the
        # indirect table's length with it, so the whole request, as
        # virtio-blk lays it out (5.2.6): a 16-byte header, the 4 KiB the
        # guest wrote, a 1-byte status.
        check(c.get("complete") is True and c.get("out_bytes") == 16 + 4096 and c.get("in_bytes") == 1,
              label + ": its whole chain from the driver's copy (16 + 4096 bytes out, 1 in)",
              json.dumps({k: c.get(k) for k in ("complete", "out_bytes", "in_bytes")}))
    else:
        # Without it, only the indirect table's address is recorded.
        check(c.get("complete") is False and "PACKED_PENDING_PARTIAL" in codes,
              label + ": without the DMA API only its indirect table's first descriptor (PACKED_PENDING_PARTIAL)",
              json.dumps({k: c.get(k) for k in ("complete", "out_bytes", "in_bytes")}))


def diag_of_held(serial, diagtag, ringtag, pci, name):
    """The guest's diagnose block of round DIAGTAG and the held chain's
    Buffer ID from round RINGTAG's ring view of PCI's queue 0: (rc,
    stderr, findings, that ring view, held ID, NOT_COMPLETING findings on
    PCI's queue 0), or None after a "not ok" when either is missing.  NAME labels
    the checks ("packed NAME diagnose")."""
    got = blocks(serial, diagtag)
    live = ring_block(blocks(serial, ringtag), pci, "packed %s diagnose (the %s round's ring view)"
                      % (name, ringtag))
    if "diag" not in got or live is None or not live.get("chains"):
        not_ok("packed %s diagnose: the guest printed the diagnose block and the held chain" % name)
        return None
    rc, text, err = got["diag"]
    try:
        fs = json.loads(text).get("findings", [])
    except ValueError:
        fs = []
    held_id = live["chains"][0]["id"]
    nc = [f for f in fs if f.get("device") == pci and f.get("queue") == 0 and f.get("code") == "NOT_COMPLETING"]
    return rc, err, fs, live, held_id, nc


def helddiag(serial, pci, diagtag="helddiag", ringtag="held"):
    """diagnose in the guest while the write is held: NOT_COMPLETING on
    queue 0 naming the held chain's Buffer ID (from the held round's
    ring view), exit 1."""
    got = diag_of_held(serial, diagtag, ringtag, pci, ringtag)
    if got is None:
        return
    rc, err, fs, live, held_id, nc = got
    check(rc == 1, "packed %s diagnose: exit 1 (a problem found)" % ringtag, "rc=%d %s" % (rc, err.strip()[:200]))
    check(len(nc) == 1 and nc[0]["evidence"].get("taken") == 1 and
          ("ID %d:" % held_id) in nc[0]["message"] and nc[0]["evidence"].get("next_used") == live["next_used"],
          "packed %s diagnose: NOT_COMPLETING names the held request (ID %d) taken by the device and "
          "not completed" % (ringtag, held_id), json.dumps(fs)[:400])
    check(not [f for f in fs if f.get("queue") == 0 and f.get("code") in ("NOT_CONSUMING", "STALLED")],
          "packed %s diagnose: nothing said untaken or unknown on queue 0" % ringtag, json.dumps(fs)[:300])


def dumpscan(serial, pci, scanjson):
    """scan (split rings) on a dump of the guest: none of its rings may lie
    on the packed ring's descriptor ring (a packed ring read as split)."""
    live = ring_block(blocks(serial, "wrapped"), pci, "packed dump scan (the wrapped round's ring view)")
    try:
        rings = json.load(open(scanjson))["rings"]
    except (ValueError, KeyError):
        not_ok("packed dump scan: scan --json on the dump printed its rings")
        return
    if live is None:
        return
    lo, hi = live["desc"], live["desc"] + 16 * live["size"]
    bad = [r for r in rings if r.get("layout", "split") == "split" and r["desc"] < hi and r["desc"] + 16 * r["size"] > lo]
    check(not bad, "packed dump scan: no split ring reported on the packed descriptor ring (0x%x, %d slots; "
          "%d split rings found elsewhere)" % (lo, live["size"], len(rings)), json.dumps(bad)[:300])


def dumpscan_device(rings, before, after):
    """Each queue of the device (QMP views around the dump) is one packed
    ring of the scan, as QEMU has it; no split ring lies on it."""
    a, b = json.load(open(before)), json.load(open(after))
    name = os.path.basename(before).replace("-before.json", "")
    for qi, (qa, qb) in enumerate(zip(a["queues"], b["queues"])):
        label = "packed dump scan %s q%d" % (name, qi)
        desc, num = qa["vring-desc"], qa["vring-num"]
        hits = [r for r in rings if r.get("layout") == "packed" and r["desc"] == desc]
        if not check(len(hits) == 1, label + ": scan finds a packed ring at QEMU's vring-desc 0x%x" % desc,
                     json.dumps([r for r in rings if r.get("layout") == "packed"])[:400]):
            continue
        r = hits[0]
        print("# %s: QEMU vring-num %d last-avail-idx %s used-idx %s inuse %s; scan size %d%s next_avail %d/w%d "
              "next_used %d/w%d written %d used %d events %s" % (
                  label, num, qa.get("last-avail-idx"), qa["used-idx"], qa["inuse"], r["size"],
                  "?" if r["size_ambiguous"] else "", r["next_avail"], r["avail_wrap_counter"], r["next_used"],
                  r["used_wrap_counter"], r["written_slots"], r["used_slots"], r["event_areas"]))
        # Where Linux's page allocator put an area elsewhere than below
        # the ring, scan says it did not find it; what it names must be
        # QEMU's.
        check(r["driver"] in (None, qa["vring-avail"]) and r["device"] in (None, qa["vring-used"]),
              label + ": the event areas it names are QEMU's vring-avail/vring-used (queue_driver/queue_device)",
              "%s %s vs 0x%x 0x%x" % (r["driver"], r["device"], qa["vring-avail"], qa["vring-used"]))
        if r["driver"] is None or r["device"] is None:
            print("# %s: event area not found below the ring (QEMU: driver 0x%x device 0x%x)"
                  % (label, qa["vring-avail"], qa["vring-used"]))
        # Memory shows a ring's end only once it has wrapped: a ring not
        # yet wrapped may be reported smaller, marked so, holding every
        # written slot.
        check(r["size"] == num or (r["size_ambiguous"] and r["written_slots"] <= r["size"] < num),
              label + ": size is QEMU's vring-num %d (or smaller, marked ambiguous, holding every written slot)" % num,
              "size %d ambiguous %s written %d" % (r["size"], r["size_ambiguous"], r["written_slots"]))
        if qa != qb:
            print("# %s: QEMU's queue moved during the dump; positions not compared" % label)
            continue
        # At a smaller size a ring whose written slots fill it exactly
        # reads as wrapped: positions are the ring's only below that.
        if r["size"] == num or r["written_slots"] < r["size"]:
            check(r["next_used"] == qa["used-idx"], label + ": next_used is QEMU's used-idx (slot number)",
                  "%d vs %d" % (r["next_used"], qa["used-idx"]))
        lo = min(desc, qa["vring-avail"], qa["vring-used"])
        hi = desc + 16 * num
        bad = [x for x in rings if x.get("layout") == "split" and x["desc"] < hi and
               x["used"] + 6 + 8 * x["size"] > lo]
        check(not bad, label + ": no split ring on any part of it (0x%x-0x%x: event pages and descriptor ring)"
              % (lo, hi), json.dumps(bad)[:300])


def fwd(a, b, n):
    """Slots from slot number a forward to b on a ring of n."""
    return (b - a) % n


def between(label, what, v, a, b, n):
    """v lies from a forward to b (QEMU's answers before and after)."""
    return check(v is not None and fwd(a, v, n) <= fwd(a, b, n),
                 "%s: %s %s lies between QEMU's answers before (%d) and after (%d)" % (label, what, v, a, b))


def moving(serial, tag, pci, before, after):
    """The throttled disk's queue 0, read in the guest while two reader
    loops kept it busy: QEMU's answers just before and just after bound
    vqdump's numbers (the device cannot fetch past the driver's avail
    position, and QEMU pops a notified request at once, queueing it in its
    throttle: its last-avail-idx after the read is at or past the driver's
    position during it)."""
    label = "packed %s" % tag
    got = blocks(serial, tag)
    r = ring_block(got, pci, label)
    if r is None:
        return
    st, qa, qb = qmp_views(before, after, 0)
    check_layout(label, r, st, qa)
    n = qa["vring-num"]
    print("# QEMU before: last-avail-idx %s used-idx %s inuse %s; after: %s %s %s; vqdump: next_avail %s "
          "(wrap %s) next_used %s (wrap %s) in_flight %s" % (
              qa["last-avail-idx"], qa["used-idx"], qa["inuse"], qb["last-avail-idx"], qb["used-idx"],
              qb["inuse"], r["next_avail"], r["avail_wrap_counter"], r["next_used"], r["used_wrap_counter"],
              r["in_flight"]))
    check(qa["used-idx"] != qb["used-idx"] and max(qa["inuse"], qb["inuse"]) > 0,
          label + ": QEMU says the throttled queue was busy (requests in use, used-idx moved) during the round",
          json.dumps([qa, qb])[:300])
    between(label, "next_avail", r["next_avail"], qa["last-avail-idx"], qb["last-avail-idx"], n)
    between(label, "next_used", r["next_used"], qa["used-idx"], qb["used-idx"], n)
    ch = r["chains"]
    # Two reader loops, each one O_DIRECT read at a time.
    check(r["in_flight"] == len(ch) and r["in_flight"] <= 2,
          label + ": in flight (%s) is the pending chains, at most the two readers' requests" % r["in_flight"],
          "chains %d pending_slots %s" % (len(ch), r["pending_slots"]))
    check(all((c.get("request") or {}).get("type_name") == "IN" for c in ch),
          label + ": every pending chain is a blk read (the readers')", json.dumps(ch)[:300])
    check(not r["findings"], label + ": no findings on Linux's own packed ring", json.dumps(r["findings"])[:300])
    key = "sel:" + pci
    if key in got and got[key][0] == 0:
        check_status(label, json.loads(got[key][1]))
    else:
        not_ok(label + ": status -d %s ran" % pci)


def thrdiag(serial, tag, thr, pci, heldtag):
    """diagnose in the guest with the write held and the throttled disk
    busy: the held write (its ID from round HELDTAG's ring view) named on
    PCI's queue 0, nothing stuck said of the throttled queue (which QEMU
    saw move, see moving)."""
    got = diag_of_held(serial, tag, heldtag, pci, tag)
    if got is None:
        return
    rc, _, fs, _, held_id, nc = got
    check(rc == 1 and len(nc) == 1 and ("ID %d:" % held_id) in nc[0]["message"],
          "packed %s diagnose: exit 1, NOT_COMPLETING names the held write (ID %d)" % (tag, held_id),
          "rc=%d %s" % (rc, json.dumps(fs)[:400]))
    bad = [f for f in fs if f.get("device") == thr and f.get("severity") != "info"]
    check(not bad, "packed %s diagnose: the busy throttled queue is not called stuck" % tag, json.dumps(bad)[:400])


def helddump(d, pci, net, thr, views):
    """A dump taken while a write was held (werror=stop stopped the VM
    with it in flight) and the throttled disk's readers ran, read on the
    host from the dumped kernel's records: status lists every packed
    queue with QEMU's addresses and size; ring on each queue gives QEMU's
    positions (between its answers before and after the dump, should they
    differ); ring and diagnose name the held write."""
    names = {"pblk": pci, "pnet": net, "pthr": thr}
    label = "packed held dump"
    rc = open(os.path.join(d, "hd-status.rc")).read().strip()
    try:
        st = json.load(open(os.path.join(d, "hd-status.json")))
    except ValueError:
        st = {}
    check(rc == "0" and st.get("devices"), label + ": status --json on the dump exits 0",
          "rc %s %s" % (rc, open(os.path.join(d, "hd-status.err")).read()[:200]))
    mine = {x["name"]: x for x in st.get("devices", [])}
    for i in range(0, len(views), 3):
        qdev, a, b = views[i], json.load(open(views[i + 1])), json.load(open(views[i + 2]))
        name = names[qdev]
        dev = mine.get(name)
        if not check(dev is not None, "%s: %s (%s) listed" % (label, name, qdev), ", ".join(mine)):
            continue
        qs = {q["index"]: q for q in dev.get("queues", [])}
        for qi, (qa, qb) in enumerate(zip(a["queues"], b["queues"])):
            w = "%s %s q%d" % (label, qdev, qi)
            q = qs.get(qi, {})
            check(q.get("layout") == "packed" and q.get("desc") == qa["vring-desc"] and
                  q.get("avail") == qa["vring-avail"] and q.get("used") == qa["vring-used"] and
                  q.get("size") == qa["vring-num"] and q.get("addr_source") == "kernel",
                  w + ": status: layout packed, QEMU's vring-desc/-avail/-used and vring-num, from the kernel",
                  json.dumps({k: q.get(k) for k in ("layout", "desc", "avail", "used", "size", "addr_source")}))
            dump_ring(w, d, name, qi, qa, qb, qdev == "pblk" and qi == 0)
    fs = dump_diag(label, d, pci)
    if fs is not None:
        dump_driver(label, fs, st, pci, thr, views)


def dump_ring(w, d, name, qi, qa, qb, held):
    """ring --queue QI on the dump against QEMU's views around it."""
    try:
        r = json.load(open(os.path.join(d, "hd-ring-%s:%d.json" % (name, qi))))
    except ValueError:
        not_ok(w + ": ring --json on the dump: " + open(os.path.join(d, "hd-ring-%s:%d.err" % (name, qi))).read()[:200])
        return
    n = qa["vring-num"]
    print("# %s: QEMU before last-avail-idx %s used-idx %s inuse %s, after %s %s %s; dump next_avail %s "
          "next_used %s in_flight %s" % (w, qa["last-avail-idx"], qa["used-idx"], qa["inuse"], qb["last-avail-idx"],
                                          qb["used-idx"], qb["inuse"], r["next_avail"], r["next_used"],
                                          r["in_flight"]))
    check(r.get("layout") == "packed" and r.get("desc") == qa["vring-desc"] and r.get("size") == n and
          r["driver_event"]["addr"] == qa["vring-avail"] and r["device_event"]["addr"] == qa["vring-used"],
          w + ": ring on the dump: packed, QEMU's addresses and size")
    if qa == qb:
        check(r["next_used"] == qa["used-idx"], w + ": next_used is QEMU's used-idx (still across the dump)",
              "%s vs %s" % (r["next_used"], qa["used-idx"]))
        if qi != 0 or name != "0000:00:05.0":
            # (a receive queue's driver position is its posted buffers, not QEMU's)
            check(r["next_avail"] == qa["last-avail-idx"] and r["in_flight"] == qa["inuse"],
                  w + ": next_avail and in flight are QEMU's last-avail-idx and inuse",
                  "%s/%s vs %s/%s" % (r["next_avail"], r["in_flight"], qa["last-avail-idx"], qa["inuse"]))
    else:
        between(w, "next_used", r["next_used"], qa["used-idx"], qb["used-idx"], n)
        between(w, "next_avail", r["next_avail"], qa["last-avail-idx"], qb["last-avail-idx"], n)
    if held:
        c = r["chains"][0] if r["chains"] else {}
        req = c.get("request") or {}
        # The guest's write to 4 KiB block 200, failed once by blkdebug
        # and kept in flight by werror=stop.
        check(len(r["chains"]) == 1 and req.get("type_name") == "OUT" and req.get("sector") == 1600,
              w + ": the one pending chain on the dump is the held blk write to sector 1600", json.dumps(c)[:300])
        # The guest read the disk's serial while the write waited in
        # QEMU's throttle: answered first, out of order.
        ooo_checks(w + " (out of order)", r, 1600)


def dump_diag(label, d, pci):
    """diagnose on the dump: the held write named, with its Buffer ID."""
    rc = open(os.path.join(d, "hd-diag.rc")).read().strip()
    try:
        fs = json.load(open(os.path.join(d, "hd-diag.json"))).get("findings", [])
        r = json.load(open(os.path.join(d, "hd-ring-%s:0.json" % pci)))
        held_id = r["chains"][0]["id"]
    except (ValueError, IndexError, KeyError):
        not_ok(label + ": diagnose --json and ring --json on the dump: " + open(os.path.join(d, "hd-diag.err")).read()[:200])
        return
    hit = [f for f in fs if f.get("device") == pci and f.get("queue") == 0 and
           f.get("code") in ("NOT_COMPLETING", "PENDING_AT_DUMP") and ("ID %d" % held_id) in f.get("message", "")]
    check(rc in ("0", "1") and len(hit) == 1,
          label + ": diagnose names the held write (ID %d) on %s queue 0" % (held_id, pci),
          "rc %s %s" % (rc, json.dumps([f for f in fs if f.get("device") == pci])[:400]))
    print("# diagnose on the held dump: %s" % json.dumps([(f.get("device"), f.get("queue"), f.get("code"))
                                                         for f in fs]))
    return fs


def dump_driver(label, fs, st, pci, thr, views):
    """The packed driver's own state from the dumped kernel's records
    (status's driver_state, diagnose's DRIVER_VIEW), against QEMU with the
    VM stopped: on the held disk Linux made available up to QEMU's
    last-avail-idx and took every completion up to QEMU's used-idx (the
    earlier writes completed seconds before), one request not completed."""
    qv = {views[i]: json.load(open(views[i + 1]))["queues"][0] for i in range(0, len(views), 3)}
    devs = {x["name"]: x for x in st.get("devices", [])}
    for qdev, name in (("pblk", pci), ("pthr", thr)):
        qa = qv[qdev]
        ds = ((devs.get(name) or {}).get("queues") or [{}])[0].get("driver_state") or {}
        w = "%s %s q0" % (label, qdev)
        print("# %s: QEMU last-avail-idx %s used-idx %s inuse %s; driver_state %s" % (
            w, qa["last-avail-idx"], qa["used-idx"], qa["inuse"], json.dumps(ds)))
        dv = [f for f in fs if f.get("device") == name and f.get("queue") == 0 and f.get("code") == "DRIVER_VIEW"]
        ev = dv[0]["evidence"] if dv else {}
        if qdev == "pblk":
            check(ds.get("source") == "kernel" and ds.get("next_avail") == qa["last-avail-idx"] and
                  ds.get("next_used") == qa["used-idx"],
                  w + ": status driver_state: the driver's next avail/used slots are QEMU's last-avail-idx/used-idx",
                  json.dumps(ds))
            want = {"driver_next_avail": qa["last-avail-idx"], "driver_next_used": qa["used-idx"],
                    "next_used": qa["used-idx"], "completed_not_seen": 0, "not_completed": qa["inuse"]}
            check(len(dv) == 1 and all(ev.get(k) == v for k, v in want.items()),
                  w + ": diagnose DRIVER_VIEW with the driver's state %s" % json.dumps(want), json.dumps(dv)[:400])
        elif dv:
            # Stopping the VM drained the throttled requests: completions
            # the stopped vCPU may not have taken yet.
            n = qa["vring-num"]
            check(ev.get("next_used") == qa["used-idx"] and
                  fwd(ev.get("driver_next_used", 0), qa["used-idx"], n) == ev.get("completed_not_seen"),
                  w + ": diagnose DRIVER_VIEW: the driver's next used slot plus the completions it has not "
                  "seen is QEMU's used-idx", json.dumps(ev))


def notes(serial):
    got = blocks(serial, "notes")
    if "diag" not in got or "watch" not in got:
        not_ok("packed notes: the guest printed the diagnose and watch blocks")
        return
    rc, text, err = got["diag"]
    check("not judged" not in err and "unreadable" not in err,
          "packed: diagnose judges the packed queue (no 'not judged' note)", err.strip()[:200])
    try:
        d = json.loads(text)
        fs = d.get("findings", [])
    except ValueError:
        d, fs = {}, None
    check(fs is not None and not [f for f in fs if f.get("queue") == 0] and d.get("queues_unreadable") == 0
          and rc == 0, "packed: diagnose: the quiet packed queue read and healthy (no finding, exit 0)",
          "rc=%d %s" % (rc, json.dumps(fs)[:300]))
    live = ring_block(blocks(serial, "quiet"), "0000:00:04.0", "packed notes (the quiet round's ring view)")
    rows = watch_rows(got["watch"], "packed: watch (quiet)")
    check(rows and len(rows) == 2 and live is not None and all(
        r.get("layout") == "packed" and r.get("avail_idx") is None and r.get("used_idx") is None and
        r.get("next_avail") == live["next_avail"] and r.get("next_used") == live["next_used"] and
        r.get("used_wrap_counter") == live["used_wrap_counter"] and r.get("in_flight") == 0 and
        r.get("state") == "idle" for r in rows) and rows[1].get("used_rate") == 0,
          "packed: watch follows the quiet packed queue: layout packed, no split indices, the ring's positions, "
          "idle", json.dumps(rows)[:400])


def netup(serial):
    """The guest's "netup" round: eth0 (the packed virtio-net) up, three
    pings answered by QEMU's user-net gateway, so frames went both ways."""
    got = blocks(serial, "netup")
    rc = got.get("ping", (1, "", "no block"))[0]
    check(rc == 0, "packed net: the guest's pings to 10.0.2.2 answered (exit 0)",
          "rc=%d %s" % (rc, (got.get("ping", (1, "", ""))[1] + got.get("ping", (1, "", "no block"))[2])[-200:]))
    try:
        tx, rx = (int(x) for x in got["stats"][1].split())
    except (KeyError, ValueError):
        tx = rx = -1
    check(tx >= 3 and rx >= 3, "packed net: eth0 sent and received frames (tx %d, rx %d)" % (tx, rx))


def idlediag(serial, tag):
    """diagnose of round TAG with every device idle: every queue of every
    device read (packed ones too) and nothing found, exit 0."""
    got = blocks(serial, tag)
    if "diag" not in got:
        not_ok("packed %s: the guest printed the diagnose block" % tag)
        return
    rc, text, err = got["diag"]
    try:
        d = json.loads(text)
    except ValueError:
        d = {}
    check(rc == 0 and d.get("findings") == [] and d.get("queues_unreadable") == 0 and "not judged" not in err,
          "packed %s: diagnose reads every queue of the idle devices and finds nothing (exit 0)" % tag,
          "rc=%d %s %s" % (rc, json.dumps(d.get("findings"))[:300], err.strip()[:200]))


def mmiobus(view, name):
    """NAME, the transport the test asks vqdump about, is the one QEMU put
    the device on: microvm's transports sit at 0xfeb00000 + 0x200 * N for
    bus N (QEMU's hw/i386/microvm.c)."""
    bus = json.load(open(view))["parent_bus"].split("/")[-1]
    want = "mmio:0x%x" % (0xfeb00000 + 0x200 * int(bus.split(".")[-1])) if bus.startswith("virtio-mmio-bus.") else None
    check(want == name, "packed mmio: the device is on %s (QEMU's %s)" % (name, bus), "want %s" % want)


def watch_rows(block, label):
    """Queue 0 of 0000:00:04.0 in every JSON line of a watch block."""
    rc, text, err = block
    rows = []
    try:
        for line in text.splitlines():
            if line.strip():
                rows += [q for q in json.loads(line)["queues"]
                         if q.get("device") == "0000:00:04.0" and q.get("queue") == 0]
    except ValueError:
        rows = None
    check(rc == 0 and rows, label + ": exit 0, queue 0 in its JSON lines",
          "rc=%d %s" % (rc, (err + text).strip()[:200]))
    return rows


def heldwatch(serial):
    """watch while the write is held, and while the guest's I/O runs."""
    live = ring_block(blocks(serial, "held"), "0000:00:04.0", "packed held watch (the held round's ring view)")
    got = blocks(serial, "heldwatch")
    rows = watch_rows(got.get("watch", (1, "", "no block")), "packed held watch") or []
    last = rows[-1] if rows else {}
    check(live is not None and last.get("state") == "STALLED" and last.get("stalled") is True and
          last.get("in_flight") == 1 and last.get("next_used") == live["next_used"] and
          last.get("next_avail") == live["next_avail"] and last.get("since_progress_ms", 0) >= 1000,
          "packed held watch: the held write's queue STALLED, 1 in flight, at the ring's positions",
          json.dumps(rows)[:400])
    got = blocks(serial, "busywatch")
    rows = watch_rows(got.get("watch", (1, "", "no block")), "packed busy watch") or []
    check(len(rows) >= 2 and any((r.get("used_rate") or 0) > 0 for r in rows[1:]) and
          len(set((r["next_used"], r["used_wrap_counter"]) for r in rows)) > 1,
          "packed busy watch: the used position moves and the used rate is above 0 under the guest's I/O",
          json.dumps(rows)[:400])


def main(argv):
    if len(argv) == 3 and argv[1] == "netup":
        netup(argv[2])
        print("%d passed, %d failed" % (PASSED, FAILED))
        return 0 if FAILED == 0 else 1
    if len(argv) == 4 and argv[1] == "idlediag":
        idlediag(argv[2], argv[3])
        print("%d passed, %d failed" % (PASSED, FAILED))
        return 0 if FAILED == 0 else 1
    if len(argv) == 4 and argv[1] == "mmiobus":
        mmiobus(argv[2], argv[3])
        print("%d passed, %d failed" % (PASSED, FAILED))
        return 0 if FAILED == 0 else 1
    if len(argv) == 3 and argv[1] == "notes":
        notes(argv[2])
        print("%d passed, %d failed" % (PASSED, FAILED))
        return 0 if FAILED == 0 else 1
    if len(argv) >= 5 and len(argv) % 2 == 1 and argv[1] == "dumpscan":
        dumpscan(*argv[2:5])
        rings = json.load(open(argv[4])).get("rings", [])
        for i in range(5, len(argv), 2):
            dumpscan_device(rings, argv[i], argv[i + 1])
        print("%d passed, %d failed" % (PASSED, FAILED))
        return 0 if FAILED == 0 else 1
    if len(argv) == 7 and argv[1] == "moving":
        moving(*argv[2:7])
        print("%d passed, %d failed" % (PASSED, FAILED))
        return 0 if FAILED == 0 else 1
    if len(argv) == 7 and argv[1] == "thrdiag":
        thrdiag(*argv[2:7])
        print("%d passed, %d failed" % (PASSED, FAILED))
        return 0 if FAILED == 0 else 1
    if len(argv) >= 6 and (len(argv) - 6) % 3 == 0 and argv[1] == "helddump":
        helddump(argv[2], argv[3], argv[4], argv[5], argv[6:])
        print("%d passed, %d failed" % (PASSED, FAILED))
        return 0 if FAILED == 0 else 1
    if len(argv) == 3 and argv[1] == "heldwatch":
        heldwatch(argv[2])
        print("%d passed, %d failed" % (PASSED, FAILED))
        return 0 if FAILED == 0 else 1
    if len(argv) in (4, 6) and argv[1] == "helddiag":
        helddiag(*argv[2:])
        print("%d passed, %d failed" % (PASSED, FAILED))
        return 0 if FAILED == 0 else 1
    if len(argv) >= 4 and argv[1] == "qmp":
        do_qmp(argv[2], argv[3], "--no-stop" not in argv[4:])
        return 0
    if len(argv) == 5 and argv[1] == "snapfile":
        snapfile(*argv[2:5])
        return 0
    if len(argv) == 9 and argv[1] == "snapcompare":
        snapcompare(*argv[2:9])
        print("%d passed, %d failed" % (PASSED, FAILED))
        return 0 if FAILED == 0 else 1
    if len(argv) in (7, 8, 9) and argv[1] == "compare":
        compare(*argv[2:7], queue=int(argv[7]) if len(argv) > 7 else 0, kind=argv[8] if len(argv) > 8 else "")
        print("%d passed, %d failed" % (PASSED, FAILED))
        return 0 if FAILED == 0 else 1
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
