# SPDX-License-Identifier: GPL-2.0-or-later
# Checks the values in one golden file that QEMU also knows against the fixture's qmp.json.
"""golden-qemu.py GOLDEN FIXTURE_DIR ARGS...

GOLDEN is a reviewed golden output of `vqdump --core FIXTURE_DIR/core.elf
ARGS...` (test-golden.sh has already shown that vqdump prints exactly it).
This script compares the values in it that QEMU reported when the fixture
was made (FIXTURE_DIR/qmp.json, see tests/fixtures/README.md):

  scan (text or --json), for every ring QEMU lists with activity: the row
      with QEMU's desc exists and has QEMU's avail, used, size, avail idx
      (QEMU's element answer), used idx and in flight (their difference);
  ring --at (text or --json): desc, avail, used, size, avail idx, used idx,
      in flight; avail and used flags (JSON); every pending chain: its slot
      and head against QEMU's window (x-query-virtio-queue-element per avail
      slot), its descriptors' addr, len and NEXT/WRITE flags (where the
      file lists them, -v) against QEMU's descs (in reverse order, indirect
      entries listed), their count and the bytes out and in; in text, the
      chain's summary ("16 B out + 16 x 4096 B out, 1 B in": each buffer's
      len and direction) and the chains a run line ("slots 31-40 heads
      31-40: 10 chains of ...") stands for, each checked as its own chain.

Everything else in the file (layout notes, confidence, score, used ring
entries, event indices, payload decodes, text layout) is not known to QEMU
and only pinned; tests/cli/golden/README.md says so per case.  Prints
"ok - ..." / "not ok - ..." lines; exit 1 if any failed.
"""

import json
import re
import sys

FLAGS = ("next", "write", "indirect")


class Check:
    """Comparisons grouped by what they compare: one "ok"/"not ok" line per
    group (the first few differences shown), so a ring of 225 chains is a
    handful of lines."""

    def __init__(self, name):
        self.name = name
        self.groups = {}  # group -> [count, [differences]]

    def __call__(self, ok, group, got=None, want=None, where=""):
        g = self.groups.setdefault(group, [0, []])
        g[0] += 1
        if not ok:
            g[1].append("%s: golden has %s, QEMU %s" % (where or group, got, want))

    def report(self):
        failed = 0
        for group, (n, diffs) in self.groups.items():
            if diffs:
                failed += 1
                print("not ok - golden %s: %s: %d of %d differ from QEMU (%s)"
                      % (self.name, group, len(diffs), n, "; ".join(diffs[:3])))
            else:
                print("ok - golden %s: %s = QEMU's (%d checked)" % (self.name, group, n))
        return failed


def qemu_rings(qmp):
    """{desc: ring} for every queue QEMU lists with a descriptor table."""
    out = {}
    for dev in qmp["devices"]:
        for q in dev["queues"]:
            st = q.get("status", {})
            if "error" in st or not st.get("vring-desc"):
                continue
            el = q.get("element", {})
            out[st["vring-desc"]] = {
                "label": "%s q%d" % (dev.get("name", "?"), q["queue"]),
                "desc": st["vring-desc"], "avail": st["vring-avail"],
                "used": st["vring-used"], "size": st["vring-num"],
                "avail_idx": el.get("avail", {}).get("idx"),
                "used_idx": st["used-idx"],
                "avail_flags": el.get("avail", {}).get("flags"),
                "used_flags": el.get("used", {}).get("flags"),
                "window": q.get("window", []),
            }
    return out


def in_flight(r):
    return None if r["avail_idx"] is None else (r["avail_idx"] - r["used_idx"]) & 0xFFFF


def check_row(check, r, row):
    """ROW: a scan or ring answer as a dict with the layout and indices."""
    lay = tuple(row.get(k) for k in ("desc", "avail", "used", "size"))
    want = tuple(r[k] for k in ("desc", "avail", "used", "size"))
    check(lay == want, "desc/avail/used/size", lay, want, r["label"])
    for k, want in (("avail_idx", r["avail_idx"]), ("used_idx", r["used_idx"]),
                    ("in_flight", in_flight(r))):
        check(row.get(k) == want, "avail_idx/used_idx/in_flight", row.get(k), want,
              "%s %s" % (r["label"], k))


def qemu_descs(el):
    """QEMU's descs in chain order: [(addr, len, frozenset of flag names)]."""
    return [(d["addr"], d["len"], frozenset(f for f in d["flags"] if f in FLAGS))
            for d in reversed(el["descs"])]


def check_chains(check, r, chains):
    """CHAINS: [{"slot", "head", "descs": [(addr, len, flags)] or None (text
    without descriptor lines), "ndesc", "out", "in"}] as the golden file
    shows them."""
    win = {w["avail-index"] % r["size"]: w["element"] for w in r["window"]}
    n = min(len(r["window"]), in_flight(r) or 0)
    check(len(chains) == n, "number of pending chains (QEMU's window)", len(chains), n,
          r["label"])
    for c in chains:
        el = win.get(c["slot"])
        where = "%s slot %d" % (r["label"], c["slot"])
        check(el is not None, "chain slots in QEMU's window", "slot", "no such slot", where)
        if el is None:
            continue
        check(c["head"] == el["index"], "chain heads", c["head"], el["index"], where)
        want = qemu_descs(el)
        if c["descs"] is not None:
            check(c["descs"] == want, "descriptor addr/len/flags", c["descs"], want, where)
        if c.get("shape") is not None:
            shape = [(d[1], "write" in d[2]) for d in want]
            check(c["shape"] == shape or (not c["shape"] and not shape),
                  "chain summary: each buffer's len and direction", c["shape"], shape, where)
        out = sum(d[1] for d in want if "write" not in d[2])
        inb = sum(d[1] for d in want if "write" in d[2])
        got = (c["ndesc"], c["out"], c["in"])
        check(got == (len(want), out, inb), "chain descriptors/bytes out/bytes in", got,
              (len(want), out, inb), where)


def scan_text(text):
    rows = []
    for line in text.splitlines():
        m = re.match(r"^(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(\d+)\s+(\d+)\s+"
                     r"(\d+)\s+(\d+)\s+(\d+)\s", line)
        if m:
            v = [int(x, 0) for x in m.groups()]
            rows.append(dict(zip(("desc", "avail", "used", "size", "align", "avail_idx",
                                  "used_idx", "in_flight"), v)))
    return rows


def summary_shape(summary):
    """"16 B out + 16 x 4096 B out, 1 B in" -> [(16, False), (4096, False)
    * 16, (1, True)]: each buffer's length and whether it is device-writable."""
    shape = []
    for part in re.split(r", | \+ ", summary or ""):
        m = re.match(r"^(?:(\d+) x )?(\d+) B (out|in)$", part)
        if not m:
            raise ValueError("chain summary part %r" % part)
        shape += [(int(m.group(2)), m.group(3) == "in")] * int(m.group(1) or 1)
    return shape


def chain_from_summary(slot, head, ndesc, summary):
    shape = summary_shape(summary)
    return {"slot": slot, "head": head, "ndesc": ndesc, "shape": shape, "descs": None,
            "out": sum(n for n, w in shape if not w), "in": sum(n for n, w in shape if w)}


def check_run(s0, s1, h0, h1, k, size):
    """A run line's ranges must be as long as its count says."""
    if (s1 - s0) % size != k - 1 or (h1 - h0) % size != k - 1:
        raise ValueError("run slots %d-%d heads %d-%d is not %d chains" % (s0, s1, h0, h1, k))


def ring_text(text):
    row, chains = {}, []
    for line in text.splitlines():
        m = re.match(r"^ring: size (\d+)\s+desc (0x[0-9a-f]+)\s+avail (0x[0-9a-f]+)\s+"
                     r"used (0x[0-9a-f]+)", line)
        if m:
            row.update(zip(("size", "desc", "avail", "used"), (int(x, 0) for x in m.groups())))
        m = re.match(r"^(avail|used):\s+flags (0x[0-9a-f]+) .*\bidx (\d+)", line)
        if m:
            row[m.group(1) + "_idx"] = int(m.group(3))
            row[m.group(1) + "_flags"] = int(m.group(2), 16)
        m = re.match(r"^in flight: (\d+)", line)
        if m:
            row["in_flight"] = int(m.group(1))
        m = re.match(r"^  slot (\d+) head (\d+): (\d+) descriptors?(?:: (.*?))?(?: \(incomplete\))?$",
                     line)
        if m:
            chains.append(chain_from_summary(int(m.group(1)), int(m.group(2)),
                                             int(m.group(3)), m.group(4)))
        m = re.match(r"^  slots (\d+)-(\d+) heads (\d+)-(\d+): (\d+) chains of (\d+) "
                     r"descriptors?(?:: (.*))?$", line)
        if m:
            s0, s1, h0, h1, k, nd = (int(x) for x in m.groups()[:6])
            size = row.get("size", 1 << 16)
            check_run(s0, s1, h0, h1, k, size)
            chains += [chain_from_summary((s0 + j) % size, (h0 + j) % size, nd, m.group(7))
                       for j in range(k)]
        m = re.match(r"^    (?:indirect|desc)\[\d+\] addr (0x[0-9a-f]+) len (\d+) flags (\S+)",
                     line)
        if m and chains:
            fl = frozenset(f.lower() for f in m.group(3).split("|") if f.lower() in FLAGS)
            chains[-1]["descs"] = (chains[-1]["descs"] or []) + \
                [(int(m.group(1), 16), int(m.group(2)), fl)]
    return row, chains


def ring_json(j):
    chains = []
    for c in j.get("chains", []):
        descs = [(d["addr"], d["len"], frozenset(f.lower() for f in d["flags"]
                                                 if f.lower() in FLAGS))
                 for d in c.get("descriptors", [])]
        chains.append({"slot": c["slot"], "head": c["head"], "descs": descs,
                       "ndesc": len(descs), "out": c.get("out_bytes"), "in": c.get("in_bytes")})
    return j, chains


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    golden, fixture, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    name = re.sub(r"\.out$", "", golden.rsplit("/", 1)[-1])
    check = Check(name)
    with open(fixture + "/qmp.json") as f:
        rings = qemu_rings(json.load(f))
    with open(golden) as f:
        text = f.read()
    is_json = "--json" in args
    if "scan" in args:
        rows = json.loads(text)["rings"] if is_json else scan_text(text)
        found = {row["desc"]: row for row in rows}
        for r in rings.values():
            if not (r["avail_idx"] or r["used_idx"]):
                continue  # never used: compare.py says why it is not required
            row = found.get(r["desc"])
            check(row is not None, "scan rows for QEMU's active rings", None,
                  "desc 0x%x" % r["desc"], r["label"])
            if row is not None:
                check_row(check, r, row)
    elif "ring" in args:
        try:
            row, chains = ring_json(json.loads(text)) if is_json else ring_text(text)
        except ValueError as e:
            print("not ok - golden %s: cannot read it: %s" % (name, e))
            return 1
        r = rings.get(row.get("desc"))
        check(r is not None, "ring is a queue QEMU lists", row.get("desc"), "no such desc")
        if r is not None:
            check_row(check, r, row)
            for k in ("avail_flags", "used_flags"):
                if k in row:
                    check(row[k] == r[k], "avail_flags/used_flags", row[k], r[k],
                          "%s %s" % (r["label"], k))
            check_chains(check, r, chains)
    else:
        print("# golden %s: no value QEMU knows (not a scan or ring case)" % name)
    return 1 if check.report() else 0


if __name__ == "__main__":
    sys.exit(main())
