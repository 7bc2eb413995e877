# SPDX-License-Identifier: GPL-2.0-or-later
# Compare vqdump's scan and ring --at answers on a core with QEMU's QMP view of the rings.
"""compare.py [--vqdump BIN] [--timeout SECS] CORE QMP.json [CORE QMP.json ...]

QMP.json is {"devices": [{"path", "name", "status", "queues": [{"queue",
"status", "element"}]}]} as written by qmp.py @virtio-snapshot (the
fixtures' qmp.json).  For every queue QEMU reports with a non-zero
vring-desc:

  * rings the driver never touched (avail idx 0, used idx 0 and an all-zero
    descriptor table) look like zeroed memory: they are listed as
    "not required" and not checked;
  * every other ring must be in `vqdump --core CORE scan --json` with the same
    desc, avail, used and size (a different used address is accepted, with
    a "not required" note, only when memory cannot decide it: the used ring
    is all zero both where QEMU has it and where vqdump put it, at another
    alignment after the avail ring);
  * `vqdump --core CORE ring --at DESC --size N --json` must give QEMU's
    desc/avail/used/size, avail_idx equal to the avail idx QEMU read from
    guest memory (x-query-virtio-queue-element), used_idx equal to QEMU's
    used-idx, and in_flight == (avail_idx - used_idx) mod 65536.

Prints "ok - ..." / "not ok - ..." per check and ends with "N passed, N
failed"; exit 1 if any failed, 77 ("skipped: ...") if vqdump is missing.
"""

import argparse
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import elfcore  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_VQDUMP = os.path.join(HERE, "..", "..", "build", "vqdump")


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, text, detail=None):
        if ok:
            self.passed += 1
            print("ok - %s" % text)
        else:
            self.failed += 1
            print("not ok - %s%s" % (text, ": " + detail if detail else ""))
        sys.stdout.flush()
        return ok


def run_json(cmd, timeout):
    """Run vqdump; return (parsed JSON or None, error text or None)."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timed out after %ss" % timeout
    except OSError as e:
        return None, str(e)
    err = p.stderr.decode(errors="replace").strip().splitlines()
    if p.returncode != 0:
        return None, "exit %d%s" % (p.returncode, ": " + err[0] if err else "")
    try:
        return json.loads(p.stdout.decode(errors="replace")), None
    except ValueError as e:
        return None, "bad JSON (%s)" % e


def device_label(dev):
    m = re.match(r"^/machine/peripheral/([^/]+)/virtio-backend$", dev.get("path", ""))
    ident = m.group(1) if m else dev.get("path", "?")
    return "%s(%s)" % (dev.get("name", "?"), ident)


def qemu_rings(snap, core):
    """[(label, ring dict, active, reason)] for every queue with a desc table."""
    out = []
    for dev in snap["devices"]:
        for q in dev["queues"]:
            st = q.get("status", {})
            if "error" in st or not st.get("vring-desc"):
                continue
            el = q.get("element", {})
            num = st["vring-num"]
            r = {"desc": st["vring-desc"], "avail": st["vring-avail"],
                 "used": st["vring-used"], "size": num,
                 "used_idx": st["used-idx"]}
            if "avail" in el and "idx" in el["avail"]:
                r["avail_idx"] = el["avail"]["idx"]
            else:
                # No element answer (e.g. QEMU refused): read it from the core.
                r["avail_idx"] = core.u16(r["avail"] + 2)
            label = "%s q%d" % (device_label(dev), q["queue"])
            descs = core.read(r["desc"], 16 * num)
            if r["avail_idx"] or r["used_idx"]:
                active, reason = True, None
            elif descs is None:
                active, reason = True, None  # cannot tell: require it
            elif descs.count(0) != len(descs):
                active, reason = True, None
            else:
                active = False
                reason = "avail idx 0, used idx 0, descriptors all zero"
            out.append((label, r, active, reason))
    return out


def align_up(x, a):
    return (x + a - 1) // a * a


def used_undecidable(core, r, got):
    """True if memory cannot tell QEMU's used address from GOT: both are
    layouts Linux or the spec use (used ring aligned to 4, 64 or 4096 bytes
    after the avail ring) and the used ring is all zero at both (used idx 0,
    no used entry, no avail_event written), so the alignment is unknowable."""
    if not isinstance(got, int) or got == r["used"]:
        return False
    avail_end = r["avail"] + 6 + 2 * r["size"]
    if got not in {align_up(avail_end, a) for a in (4, 64, 4096)}:
        return False
    n = 6 + 8 * r["size"] + 2
    for addr in (r["used"], got):
        b = core.read(addr, n)
        if b is None or b.count(0) != n:
            return False
    return True


def layout_diffs(core, r, got, label, what, notes):
    diffs = []
    for k in ("desc", "avail", "used", "size"):
        if got.get(k) == r[k]:
            continue
        if k == "used" and used_undecidable(core, r, got.get(k)):
            # vqdump must say so itself rather than present a guess as fact.
            if got.get("align_ambiguous") is not True:
                diffs.append("used 0x%x differs and vqdump does not flag align_ambiguous"
                             % got[k])
                continue
            notes.append("# not required: %s %s used 0x%x (QEMU: 0x%x): the used ring is "
                         "all zero at both, so its alignment cannot be told from memory"
                         % (label, what, got[k], r[k]))
            continue
        diffs.append("%s %s != %s" % (k, fmt(got.get(k)), fmt(r[k])))
    return diffs


def compare_one(res, vqdump, core_path, qmp_path, name, timeout, memory=None):
    with open(qmp_path) as f:
        snap = json.load(f)
    # The checks' own reads of guest memory come from @memory (an ELF dump
    # of the same guest) when CORE is a format elfcore.py cannot read.
    with elfcore.Core(memory or core_path) as core:
        _compare_core(res, vqdump, core, core_path, snap, name, timeout)


def _compare_core(res, vqdump, core, core_path, snap, name, timeout):
    rings = qemu_rings(snap, core)
    notes = []
    required = [x for x in rings if x[2]]
    idle = [x for x in rings if not x[2]]
    print("# %s: %d rings reported by QEMU, %d with activity, %d never used"
          % (name, len(rings), len(required), len(idle)))

    scan, err = run_json([vqdump, "--core", core_path, "scan", "--json"], timeout)
    if scan is not None and not isinstance(scan.get("rings"), list):
        scan, err = None, 'no "rings" list in scan output'
    res.check(scan is not None, "%s: vqdump scan --json runs" % name, err)
    found = {}
    for s in (scan or {}).get("rings", []):
        if isinstance(s, dict) and "desc" in s:
            found.setdefault(s["desc"], s)
    # These guests' devices run split rings (none was started with
    # packed=on): a packed entry would be a split ring, or other memory,
    # taken for a packed one.
    if scan is not None:
        packed = [s for s in scan["rings"] if isinstance(s, dict) and s.get("layout") != "split"]
        res.check(not packed, "%s: scan reports every ring as split (no device of this guest is packed)" % name,
                  json.dumps(packed)[:300])

    for label, r, _, _ in required:
        t = "%s %s" % (name, label)
        s = found.get(r["desc"])
        if res.check(s is not None, "%s: scan finds desc 0x%x" % (t, r["desc"]),
                     "not in scan output" if scan is not None else "scan failed"):
            diffs = layout_diffs(core, r, s, t, "scan", notes)
            res.check(not diffs, "%s: scan avail/used/size = 0x%x/0x%x/%d"
                      % (t, r["avail"], r["used"], r["size"]), ", ".join(diffs))

        ring, err = run_json([vqdump, "--core", core_path, "ring", "--at",
                              "0x%x" % r["desc"], "--size", str(r["size"]), "--json"],
                             timeout)
        if not res.check(ring is not None, "%s: ring --at 0x%x --size %d runs"
                         % (t, r["desc"], r["size"]), err):
            continue
        diffs = layout_diffs(core, r, ring, t, "ring --at", notes)
        res.check(not diffs, "%s: ring desc/avail/used/size = 0x%x/0x%x/0x%x/%d"
                  % (t, r["desc"], r["avail"], r["used"], r["size"]), ", ".join(diffs))
        res.check(ring.get("avail_idx") == r["avail_idx"],
                  "%s: ring avail_idx = %s" % (t, r["avail_idx"]),
                  "got %s" % ring.get("avail_idx"))
        res.check(ring.get("used_idx") == r["used_idx"],
                  "%s: ring used_idx = %d" % (t, r["used_idx"]),
                  "got %s" % ring.get("used_idx"))
        want = (r["avail_idx"] - r["used_idx"]) & 0xFFFF if r["avail_idx"] is not None else None
        res.check(ring.get("in_flight") == want,
                  "%s: ring in_flight = %s" % (t, want), "got %s" % ring.get("in_flight"))

    for line in notes:
        print(line)
    # Rings QEMU does not list (firmware's leftovers, such as SeaBIOS's
    # boot-time rings, are real): shown for a person to judge.
    known = {r["desc"] for _, r, _, _ in rings}
    for d in sorted(set(found) - known):
        x = found[d]
        print("# note: %s: scan also found desc 0x%x size %s avail_idx %s used_idx %s (%s),"
              " not a queue QEMU reports now" % (name, d, x.get("size"), x.get("avail_idx"),
                                                  x.get("used_idx"), x.get("confidence")))
    # Never-used rings, one line per device: "virtio-serial(vser0) q4-q63".
    groups = {}
    for label, r, _, reason in idle:
        dev, q = label.rsplit(" q", 1)
        groups.setdefault(dev, []).append((int(q), r["desc"] in found))
    for dev, qs in groups.items():
        spans = []
        for q, _ in sorted(qs):
            if spans and spans[-1][1] == q - 1:
                spans[-1][1] = q
            else:
                spans.append([q, q])
        text = ",".join("q%d" % a if a == b else "q%d-q%d" % (a, b) for a, b in spans)
        also = [q for q, f in qs if f]
        print("# not required: %s %s %s: never used by the driver (avail idx 0, used idx 0, "
              "descriptors all zero), indistinguishable from zeroed memory%s"
              % (name, dev, text, "; scan found %s anyway" % also if also else ""))


def fmt(v):
    return "0x%x" % v if isinstance(v, int) and v > 4096 else str(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vqdump", default=os.environ.get("VQDUMP", DEFAULT_VQDUMP))
    ap.add_argument("--timeout", type=float, default=600.0,
                    help="seconds allowed for one vqdump run")
    ap.add_argument("--name", action="append", default=[],
                    help="label for the n-th CORE/QMP pair (default: QMP's folder)")
    ap.add_argument("--memory", metavar="ELF",
                    help="an ELF dump of the same guest, read by this script where CORE "
                         "is another format (kdump); vqdump still reads CORE")
    ap.add_argument("pairs", nargs="+", metavar="CORE QMP")
    a = ap.parse_args()
    if len(a.pairs) % 2:
        ap.error("CORE and QMP.json come in pairs")
    if not (os.path.isfile(a.vqdump) and os.access(a.vqdump, os.X_OK)):
        print("skipped: vqdump binary not found at %s (build it, or set VQDUMP)" % a.vqdump)
        return 77
    res = Results()
    for i in range(0, len(a.pairs), 2):
        core, qmp = a.pairs[i], a.pairs[i + 1]
        k = i // 2
        name = a.name[k] if k < len(a.name) else \
            os.path.basename(os.path.dirname(os.path.abspath(qmp)))
        try:
            compare_one(res, a.vqdump, core, qmp, name, a.timeout, a.memory)
        except (OSError, ValueError, KeyError, elfcore.ElfError) as e:
            res.check(False, "%s: read %s and %s" % (name, core, qmp), str(e))
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
