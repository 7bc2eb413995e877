# SPDX-License-Identifier: GPL-2.0-or-later
# Compare what vqdump reads from a dumped guest kernel's records with QEMU's view saved before the dump; make note-less copies of a dump.
"""dump_compare.py compare [--vqdump BIN] --label L [--how WORD] [--diagnose] DUMP QMP.json
   dump_compare.py rename-note SRC DST OWNER

compare: QMP.json is a live_qmp.py snapshot taken with the VM stopped just
before DUMP was written (QEMU dump-guest-memory, ELF).  `vqdump --core DUMP
status --json` must list every device QEMU reports, by its PCI address, and
for each:
  * device_id = QEMU's device-id;
  * driver_features = QEMU's guest-features (names turned into bits through
    the kernel's UAPI headers by live_compare.qmp_feature_bits), source
    "kernel";
  * status = QEMU's status, source "kernel" (vqdump infers it from the
    kernel's records: the test checks the inference on a bound driver);
  * every queue QEMU has rings for (x-query-virtio-queue-status vring-desc
    non-zero), used or not: its index with QEMU's vring-desc/-avail/-used
    and vring-num, sources "kernel", and avail_idx / used_idx equal to the
    index words in guest RAM that live_qmp.py read with the monitor's `xp`
    (mem_avail_idx, mem_used_idx), and the driver's state ("driver_state",
    source "kernel") present;
  * no queue vqdump lists that QEMU has no rings for (a device whose
    driver is not loaded is listed with none).
`vqdump --core DUMP scan --json` must give each ring it finds at QEMU's
vring-desc that queue as its device_queue (device, queue, source
"kernel"), and null to any other ring it finds.
With --how WORD the device's view must name how the kernel's direct map
was found (VMCOREINFO, CR3, vote).  With --diagnose, `vqdump --core DUMP
diagnose --json` must report, for every queue where QEMU's last-avail-idx
differs from its used-idx (requests QEMU holds), a finding on that queue
whose evidence carries the driver's own state (last_used_idx, source
kernel) equal to the used idx in guest RAM.

rename-note: copies SRC to DST with every ELF note owned by OWNER renamed
(its first letter made 'X'), so that a reader no longer knows it.
Prints "ok - ..." / "not ok - ..." lines; exit 1 if a check failed.
"""

import argparse
import json
import os
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import live_compare as lc  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


class Results:
    def __init__(self, label):
        self.label = label
        self.passed = 0
        self.failed = 0

    def check(self, good, text, detail=None):
        if good:
            self.passed += 1
            print("ok - %s: %s" % (self.label, text))
        else:
            self.failed += 1
            print("not ok - %s: %s%s" % (self.label, text, " (%s)" % detail if detail else ""))
        sys.stdout.flush()
        return good


def run_json(cmd, rcs=(0,)):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    err = p.stderr.decode(errors="replace").strip()
    if p.returncode not in rcs:
        return None, "exit %d: %s" % (p.returncode, err.splitlines()[0] if err else "")
    try:
        return json.loads(p.stdout.decode(errors="replace")), None
    except ValueError as e:
        return None, "bad JSON (%s)" % e


def rename_note(src, dst, owner):
    shutil.copyfile(src, dst)
    want = owner.encode() + b"\0"
    n = 0
    with open(dst, "r+b") as f:
        eh = f.read(64)
        if eh[:4] != b"\x7fELF" or eh[4] != 2 or eh[5] != 1:
            raise SystemExit("%s: not a little-endian ELF64 file" % src)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            ph = f.read(phentsize)
            ptype, = struct.unpack_from("<I", ph, 0)
            off, = struct.unpack_from("<Q", ph, 8)
            size, = struct.unpack_from("<Q", ph, 32)
            if ptype != 4:  # PT_NOTE
                continue
            f.seek(off)
            notes = bytearray(f.read(size))
            pos = 0
            while pos + 12 <= len(notes):
                namesz, descsz, _ = struct.unpack_from("<III", notes, pos)
                name_at = pos + 12
                if bytes(notes[name_at:name_at + namesz]) == want:
                    notes[name_at] = ord("X")
                    n += 1
                pos = name_at + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
            f.seek(off)
            f.write(notes)
    if not n:
        raise SystemExit("%s: no note owned by %s" % (src, owner))


def check_queue(res, w, q, mine):
    st = q["status"]
    if not mine:
        return res.check(False, "%s listed" % w)
    good = True
    for key, qkey in (("desc", "vring-desc"), ("avail", "vring-avail"), ("used", "vring-used"),
                      ("size", "vring-num")):
        if mine.get(key) != st[qkey]:
            good = res.check(False, "%s %s = QEMU's %s" % (w, key, qkey),
                             "vqdump %s, QEMU %s" % (lc.hx(mine.get(key)), lc.hx(st[qkey])))
    for key, qkey in (("avail_idx", "mem_avail_idx"), ("used_idx", "mem_used_idx")):
        if mine.get(key) != q.get(qkey):
            good = res.check(False, "%s %s = guest RAM's (xp)" % (w, key),
                             "vqdump %s, RAM %s" % (mine.get(key), q.get(qkey)))
    if mine.get("addr_source") != "kernel" or mine.get("size_source") != "kernel":
        good = res.check(False, "%s sources" % w, "addr %s, size %s" % (
            mine.get("addr_source"), mine.get("size_source")))
    ds = mine.get("driver_state")
    if not ds or ds.get("source") != "kernel":
        good = res.check(False, "%s driver_state from the kernel" % w, str(ds))
    return good


def check_device(res, dev, mine, how):
    w = "%s %s" % (dev["name"], dev["transport"].get("name"))
    st = dev["status"]
    res.check(mine.get("device_id") == st.get("device-id"),
              "%s device_id %s" % (w, st.get("device-id")), str(mine.get("device_id")))
    gbits = lc.qmp_feature_bits(st.get("guest-features"))[0]
    df = mine.get("driver_features") or {}
    res.check(set(df.get("bits", [])) == gbits and df.get("source") == "kernel",
              "%s driver_features = QEMU guest-features %s, source kernel" % (w, lc.fmt_bits(gbits)),
              "vqdump %s source %s" % (lc.fmt_bits(df.get("bits", [])), df.get("source")))
    tr, ver = lc.expected_transport(dev["transport"])
    if "DRIVER" not in lc.status_names(lc.qmp_status_value(st["status"])[0]):
        # No driver negotiated: which interface it would have is not in
        # the kernel's records (said as "pci" and MMIO version 0).
        tr, ver = ("pci", None) if tr in ("pci", "pci-legacy") else (tr, 0 if ver else None)
    res.check(mine.get("transport") == tr and (ver is None or mine.get("mmio_version") == ver),
              "%s transport %s%s" % (w, tr, " v%s" % ver if ver else ""),
              "vqdump %s v%s" % (mine.get("transport"), mine.get("mmio_version")))
    sv = lc.qmp_status_value(st["status"])[0]
    res.check(mine.get("status", {}).get("value") == sv and mine.get("status_source") == "kernel",
              "%s status 0x%x (QEMU's), source kernel" % (w, sv),
              "vqdump %s source %s" % (mine.get("status"), mine.get("status_source")))
    if how:
        res.check(how in (mine.get("view") or ""), "%s view names the way to the direct map (%s)" % (w, how),
                  mine.get("view"))
    qs = {q["index"]: q for q in mine.get("queues", [])}
    nq = used = good = 0
    for q in dev["queues"]:
        if not q["status"].get("vring-desc"):
            if qs.get(q["queue"], {}).get("desc"):
                res.check(False, "%s q%d: QEMU has no rings, vqdump lists some" % (w, q["queue"]))
            continue
        nq += 1
        used += bool(q.get("mem_avail_idx") or q.get("mem_used_idx"))
        good += bool(check_queue(res, "%s q%d" % (w, q["queue"]), q, qs.get(q["queue"])))
    if not nq:
        # No driver set a queue up: none listed with rings either.
        res.check(not any(q.get("desc") for q in qs.values()),
                  "%s: no queue set up, none listed with rings" % w)
        return
    res.check(good == nq,
              "%s: %d of %d queues with QEMU's addresses, size and RAM indices (%d never used)"
              % (w, good, nq, nq - used))


def check_diagnose(res, vqdump, dump, snap, status):
    out, err = run_json([vqdump, "--core", dump, "diagnose", "--json"], rcs=(0, 1))
    if not res.check(out is not None, "diagnose --json", err):
        return
    names = {d["name"]: d for d in status["devices"]}
    for dev in snap["devices"]:
        for q in dev["queues"]:
            st = q["status"]
            if "last-avail-idx" not in st or st["last-avail-idx"] == st.get("used-idx"):
                continue
            name = dev["transport"].get("name")
            w = "%s q%d (QEMU holds %d)" % (name, q["queue"],
                                            (st["last-avail-idx"] - st["used-idx"]) & 0xffff)
            hits = {f.get("code"): f for f in out.get("findings", [])
                    if f.get("device") == name and f.get("queue") == q["queue"]}
            held = (st["last-avail-idx"] - st["used-idx"]) & 0xffff
            nc = hits.get("NOT_COMPLETING", {})
            res.check(nc.get("severity") == "warning" and
                      (nc.get("evidence") or {}).get("in_flight") == held,
                      "%s: diagnose says NOT_COMPLETING, %d held" % (w, held), json.dumps(nc)[:300])
            ev = hits.get("DRIVER_VIEW", {}).get("evidence") or {}
            # The driver's own numbers beside RAM's: its shadow of the avail
            # idx is what it wrote there; the guest sat idle long enough to
            # have taken every completion the device wrote.
            want = {"driver_avail_idx_shadow": q.get("mem_avail_idx"),
                    "driver_last_used_idx": q.get("mem_used_idx"),
                    "avail_idx": q.get("mem_avail_idx"), "used_idx": q.get("mem_used_idx"),
                    "completed_not_seen": 0, "not_completed": held}
            res.check(all(ev.get(k) == v for k, v in want.items()),
                      "%s: DRIVER_VIEW with the driver's state %s" % (w, json.dumps(want)),
                      json.dumps(ev))
            assert name in names


def compare(a):
    res = Results(a.label)
    with open(a.qmp) as f:
        snap = json.load(f)
    out, err = run_json([a.vqdump, "--core", a.dump, "status", "--json"])
    if not res.check(out is not None, "status --json", err):
        return res
    mine = {d["name"]: d for d in out.get("devices", [])}
    for dev in snap["devices"]:
        name = dev["transport"].get("name")
        if res.check(name in mine, "%s (%s) listed" % (name, dev["name"]), ", ".join(mine)):
            check_device(res, dev, mine[name], a.how)
    check_scan_queues(res, a.vqdump, a.dump, snap)
    if a.diagnose:
        check_diagnose(res, a.vqdump, a.dump, snap, out)
    return res


def check_scan_queues(res, vqdump, dump, snap):
    """scan --json names, for each ring it finds, the queue the kernel's
    records put there: QEMU's device and queue index for a ring at QEMU's
    vring-desc (source kernel), null for a ring QEMU has no queue at."""
    out, err = run_json([vqdump, "--core", dump, "scan", "--json"])
    if not res.check(out is not None, "scan --json", err):
        return
    at = {}
    for dev in snap["devices"]:
        for q in dev["queues"]:
            desc = q["status"].get("vring-desc")
            if desc:
                at[desc] = {"device": dev["transport"].get("name"), "queue": q["queue"], "source": "kernel"}
    bad = [(r["desc"], r.get("device_queue", "absent"), at.get(r["desc"])) for r in out.get("rings", [])
           if r.get("device_queue", "absent") != at.get(r["desc"])]
    named = sum(1 for r in out.get("rings", []) if r.get("device_queue"))
    res.check(not bad and named > 0,
              "scan names the kernel's queue at each of its %d rings QEMU has (%d rings found)"
              % (named, len(out.get("rings", []))),
              "; ".join("0x%x: %s, QEMU %s" % b for b in bad[:4]))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compare")
    c.add_argument("--vqdump", default=os.path.join(HERE, "..", "..", "build", "vqdump"))
    c.add_argument("--label", required=True)
    c.add_argument("--how")
    c.add_argument("--diagnose", action="store_true")
    c.add_argument("dump")
    c.add_argument("qmp")
    r = sub.add_parser("rename-note")
    r.add_argument("src")
    r.add_argument("dst")
    r.add_argument("owner")
    a = ap.parse_args()
    if a.cmd == "rename-note":
        rename_note(a.src, a.dst, a.owner)
        return 0
    res = compare(a)
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
