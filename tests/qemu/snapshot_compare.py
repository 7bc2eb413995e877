# SPDX-License-Identifier: GPL-2.0-or-later
# Checks for test-snapshot.sh: outputs on a snapshot against the live ones, and the snapshot file against QEMU.
"""snapshot_compare.py same --serial LOG --live TAG --snap TAG [--after TAG] [--label L]
   snapshot_compare.py host --serial LOG --snap TAG --vqdump BIN --core FILE [--label L]
   snapshot_compare.py file --core FILE --qmp AFTER.json [--before BEFORE.json] [--interval MS]
   snapshot_compare.py console --serial LOG --out FILE [--label L]
   snapshot_compare.py held --serial LOG --key KEY --sector N --len N --element E.json [--label L]
   snapshot_compare.py sysfs --serial LOG --tag TAG
   snapshot_compare.py extra-specs A.json

console: the blocks of the snapshot command itself (exit 0 and its JSON
summary; the second run onto the same file refused with exit 2 and the
file unchanged) and the file, base64 on the console, written to FILE.

held: the ring block KEY of rounds heldlive and heldsnap has exactly one
pending blk OUT request at SECTOR of LEN bytes (the write the test holds in
QEMU), in the chain QEMU has in flight (ELEMENT: x-query-virtio-queue-element)
with QEMU's buffers.

sysfs: the sysfs report of round TAG (for the fixture).

same: every block of round --live (vqdump run on the live system) must
have a block of round --snap (the same command with --core SNAPSHOT) with
the same exit status, the same standard error and the same output: JSON
compared as data, text line for line.  What may legitimately differ is
listed in DIFFER below (nothing today: the snapshot keeps the access path
and the virtio driver's name as they were).  A command whose live output
changed between --live and --after (a queue that moved while the test
ran) is compared only where it did not change, and a note says so.

host: the same commands run on the host against the copied-out snapshot
give the same answers as inside the guest (the file is self-contained).

file: the snapshot as an ELF file, read here independently of vqdump:
ELF64 ET_CORE, one PT_NOTE holding one VQDUMP note whose JSON names
exactly QEMU's devices with QEMU's device IDs; PT_LOADs sorted and
disjoint, with p_paddr == p_vaddr; for every queue QEMU has rings for,
the descriptor table, avail and used rings are whole in the PT_LOADs, and
the index words there equal the ones QEMU's monitor read (`xp`) when the
queue did not move; the second sample (second_sample) is present and no
older than the first, after_ms at least the interval.

extra-specs: the text and memory specs snapshot_guest.sh takes, chosen
from QEMU's devices in A.json.

Prints "ok - ..." / "not ok - ..." lines; exit 1 if a check failed.
"""

import argparse
import json
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from live_compare import Results, parse_blocks  # noqa: E402

# (JSON key path suffix) -> why it may differ between live and snapshot.
DIFFER = {}

NOTE_TYPE = 0x56510001


def strip(obj, path=""):
    """Drop the keys DIFFER lists (by their last path component)."""
    if isinstance(obj, dict):
        return {k: strip(v, path + "/" + k) for k, v in obj.items() if k not in DIFFER}
    if isinstance(obj, list):
        return [strip(v, path) for v in obj]
    return obj


def diff_json(a, b, path=""):
    """Paths where a and b differ (at most a few)."""
    out = []
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append("%s/%s only in %s" % (path, k, "live" if k in a else "snapshot"))
            else:
                out += diff_json(a[k], b[k], path + "/" + k)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append("%s: %d entries live, %d on the snapshot" % (path or "/", len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            out += diff_json(x, y, "%s[%d]" % (path, i))
    elif a != b:
        out.append("%s: live %s, snapshot %s" % (path or "/", json.dumps(a), json.dumps(b)))
    return out


def as_json(text):
    try:
        return json.loads(text)
    except ValueError:
        return None


def compare_block(res, key, lv, sn, moved_paths):
    if not res.check(sn is not None, "%s: run on the snapshot too" % key):
        return
    res.check(sn["rc"] == lv["rc"], "%s: exit status %d as live" % (key, lv["rc"]),
              "snapshot exit %d: %s" % (sn["rc"], sn["err"][:200]))
    res.check(sn["err"] == lv["err"], "%s: standard error as live" % key,
              "live %r, snapshot %r" % (lv["err"][:200], sn["err"][:200]))
    jl, js = as_json(lv["out"]), as_json(sn["out"])
    if jl is not None or js is not None:
        d = diff_json(strip(jl), strip(js))
        d = [x for x in d if x.split(":")[0].split(" ")[0] not in moved_paths]
        res.check(not d, "%s: JSON output equals the live one%s" % (
            key, " (except %d path(s) that moved live)" % len(moved_paths) if moved_paths else ""),
            "; ".join(d[:5]))
        return
    ll = lv["out"].splitlines()
    ls = sn["out"].splitlines()
    bad = [i for i in range(max(len(ll), len(ls)))
           if (ll[i] if i < len(ll) else None) != (ls[i] if i < len(ls) else None)
           and i not in moved_paths]
    res.check(not bad, "%s: text output equals the live one (%d lines)%s" % (
        key, len(ll), " (except %d line(s) that moved live)" % len(moved_paths) if moved_paths
        else ""),
        "first difference, line %d: live %r, snapshot %r" % (
            bad[0] + 1, ll[bad[0]] if bad[0] < len(ll) else None,
            ls[bad[0]] if bad[0] < len(ls) else None) if bad else None)


def moved(lv, lv2):
    """What changed live between the two live runs: JSON paths or text line numbers."""
    if lv2 is None:
        return set()
    jl, jl2 = as_json(lv["out"]), as_json(lv2["out"])
    if jl is not None and jl2 is not None:
        return {x.split(":")[0].split(" ")[0] for x in diff_json(jl, jl2)}
    a, b = lv["out"].splitlines(), lv2["out"].splitlines()
    return {i for i in range(max(len(a), len(b)))
            if (a[i] if i < len(a) else None) != (b[i] if i < len(b) else None)}


def cmd_same(a):
    res = Results("%s: snapshot vs live" % a.label)
    live = parse_blocks(a.serial, a.live)
    snap = parse_blocks(a.serial, a.snap)
    after = parse_blocks(a.serial, a.after) if a.after else {}
    res.check(len(live) > 0, "live outputs present (%d commands)" % len(live))
    for key in sorted(live):
        if key == "sysfs":
            continue
        mv = moved(live[key], after.get(key))
        if mv:
            res.note("%s: the live output changed between two live runs (%s): those parts are"
                     " not compared" % (key, ", ".join(sorted(str(x) for x in mv))[:200]))
        compare_block(res, key, live[key], snap.get(key), mv)
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


def cmd_host(a):
    res = Results("%s: snapshot on the host" % a.label)
    snap = parse_blocks(a.serial, a.snap)
    n = 0
    for key in sorted(snap):
        argv = spec_argv(key)
        if argv is None:
            continue
        p = subprocess.run([a.vqdump, "--core", a.core] + argv, capture_output=True, text=True,
                           timeout=120)
        got = {"rc": p.returncode, "out": p.stdout.rstrip("\n"), "err": p.stderr.strip()}
        want = dict(snap[key])
        want["out"] = want["out"].rstrip("\n")
        ok = got == want
        d = None
        if not ok:
            d = "exit %d/%d; " % (got["rc"], want["rc"]) + "; ".join(
                diff_json(as_json(want["out"]), as_json(got["out"]))[:3]) if as_json(
                got["out"]) is not None else "exit %d/%d stderr %r" % (got["rc"], want["rc"],
                                                                      got["err"][:200])
        res.check(ok, "%s: the host reads the copied snapshot as the guest did" % key, d)
        n += 1
    res.check(n > 0, "host comparisons made (%d)" % n)
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


def spec_argv(key):
    if key in ("list", "status"):
        return [key, "--json"]
    kind, _, rest = key.partition(":")
    if kind == "ring":
        dev, q = rest.rsplit(":", 1)
        return ["-d", dev, "ring", "--queue", q, "--json"]
    if kind == "tring":
        dev, q = rest.rsplit(":", 1)
        return ["-d", dev, "ring", "--queue", q]
    if kind == "sel":
        return ["-d", rest, "status", "--json"]
    if kind == "text":
        return [rest]
    if kind == "mem":
        addr, n = rest.rsplit(":", 1)
        return ["mem", addr, n]
    if kind == "at":
        at, n = rest.rsplit(":", 1)
        return ["ring", "--at", at, "--size", n, "--json"]
    return None


# ---- the file itself ----

def read_elf(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not a little-endian ELF64 file")
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    e_phoff, = struct.unpack_from("<Q", data, 32)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 54)
    phs = []
    for i in range(e_phnum):
        p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align = \
            struct.unpack_from("<IIQQQQQQ", data, e_phoff + i * e_phentsize)
        phs.append(dict(type=p_type, offset=p_offset, vaddr=p_vaddr, paddr=p_paddr,
                        filesz=p_filesz, memsz=p_memsz))
    return data, e_type, phs


def notes_of(data, ph):
    out = []
    off, end = ph["offset"], ph["offset"] + ph["filesz"]
    while off + 12 <= end:
        namesz, descsz, typ = struct.unpack_from("<III", data, off)
        name = data[off + 12:off + 12 + namesz]
        d0 = off + 12 + ((namesz + 3) & ~3)
        out.append((name, typ, data[d0:d0 + descsz]))
        off = d0 + ((descsz + 3) & ~3)
    return out


def mem_read(data, loads, addr, n):
    for ph in loads:
        if ph["paddr"] <= addr and addr + n <= ph["paddr"] + ph["filesz"]:
            o = ph["offset"] + addr - ph["paddr"]
            return data[o:o + n]
    return None


def cmd_file(a):
    res = Results("%s: snapshot file" % a.label)
    data, e_type, phs = read_elf(a.core)
    res.check(e_type == 4, "ELF type ET_CORE", "got %d" % e_type)
    notes = [ph for ph in phs if ph["type"] == 4]
    loads = [ph for ph in phs if ph["type"] == 1]
    res.check(len(notes) == 1, "one PT_NOTE", "got %d" % len(notes))
    ours = [n for ph in notes for n in notes_of(data, ph) if n[0] == b"VQDUMP\0"]
    if not res.check(len(ours) == 1 and ours[0][1] == NOTE_TYPE,
                     "one VQDUMP note of type 0x%x" % NOTE_TYPE, "got %s" % [(n[0], n[1]) for n in ours]):
        print("%d passed, %d failed" % (res.passed, res.failed))
        return 1
    doc = json.loads(ours[0][2].decode())
    res.check(doc.get("format") == "vqdump-snapshot" and doc.get("version") == 2,
              "note: format vqdump-snapshot, version 2", "got %s %s" % (doc.get("format"), doc.get("version")))
    ok = all(ph["paddr"] == ph["vaddr"] and ph["filesz"] == ph["memsz"] and
             ph["offset"] + ph["filesz"] <= len(data) for ph in loads)
    res.check(ok, "every PT_LOAD: p_paddr == p_vaddr, whole in the file")
    srt = sorted(loads, key=lambda p: p["paddr"])
    res.check(srt == loads and all(x["paddr"] + x["memsz"] < y["paddr"] for x, y in zip(srt, srt[1:])),
              "PT_LOADs sorted, disjoint and not adjacent (merged)")
    with open(a.qmp) as f:
        q_after = json.load(f)
    q_before = q_after
    if a.before:
        with open(a.before) as f:
            q_before = json.load(f)
    before = {d["path"]: d for d in q_before["devices"]}
    names = {d["transport"].get("name"): d for d in q_after["devices"]}
    ndevs = {d["name"]: d for d in doc.get("devices", [])}
    res.check(set(ndevs) == set(names), "note names QEMU's devices: %s" % sorted(names),
              "note has %s" % sorted(ndevs))
    exact = 0
    for name, qd in sorted(names.items()):
        nd = ndevs.get(name)
        if nd is None:
            continue
        res.check(nd.get("device_id") == qd["status"]["device-id"],
                  "%s device_id %d" % (name, qd["status"]["device-id"]), "got %s" % nd.get("device_id"))
        qb = before.get(qd["path"], qd)
        for i, qq in enumerate(qd["queues"]):
            st = qq["status"]
            if not st.get("vring-desc"):
                continue
            n = st["vring-num"]
            w = "%s q%d" % (name, i)
            parts = [(st["vring-desc"], 16 * n, "descriptor table"),
                     (st["vring-avail"], 6 + 2 * n, "avail ring"),
                     (st["vring-used"], 6 + 8 * n, "used ring")]
            res.check(all(mem_read(data, loads, ad, ln) is not None for ad, ln, _ in parts),
                      "%s: descriptor table, avail and used rings whole in the PT_LOADs" % w)
            qbq = qb["queues"][i]
            still = (qbq["mem_avail_idx"] == qq["mem_avail_idx"] and
                     qbq["mem_used_idx"] == qq["mem_used_idx"])
            ai = mem_read(data, loads, st["vring-avail"] + 2, 2)
            ui = mem_read(data, loads, st["vring-used"] + 2, 2)
            if still and ai and ui:
                exact += 1
                got = (struct.unpack("<H", ai)[0], struct.unpack("<H", ui)[0])
                res.check(got == (qq["mem_avail_idx"], qq["mem_used_idx"]),
                          "%s: saved avail/used idx = %d/%d (QEMU's xp)" % (
                              w, qq["mem_avail_idx"], qq["mem_used_idx"]), "got %d/%d" % got)
            nq = nd["queues"][i] if i < len(nd.get("queues", [])) else {}
            s2 = nq.get("second_sample") or {}
            if a.interval:
                res.check(bool(s2) and s2.get("after_ms", 0) >= a.interval,
                          "%s: second sample recorded, %s ms after the first (>= %d)" % (
                              w, s2.get("after_ms"), a.interval),
                          "second_sample %s" % nq.get("second_sample"))
                if still and s2:
                    res.check((s2.get("avail_idx"), s2.get("used_idx")) ==
                              (qq["mem_avail_idx"], qq["mem_used_idx"]),
                              "%s: second sample = QEMU's indices (queue still)" % w,
                              "got %s/%s" % (s2.get("avail_idx"), s2.get("used_idx")))
    res.note("%d queues compared exactly with QEMU's index words" % exact)
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


def cmd_console(a):
    """The snapshot command's own blocks, and the file out of the guest."""
    import base64
    import re
    res = Results("%s: snapshot command" % a.label)
    blocks = parse_blocks(a.serial, "snap")
    b = blocks.get("snap")
    j = as_json(b["out"]) if b else None
    res.check(b is not None and b["rc"] == 0 and isinstance(j, dict) and j.get("file") == "/tmp/s.elf"
              and j.get("rings_saved", 0) > 0,
              "snapshot -o /tmp/s.elf --json: exit 0, %s rings saved, %s bytes in %s ranges" % (
                  j.get("rings_saved"), j.get("memory_bytes"), j.get("memory_ranges"))
              if isinstance(j, dict) else "snapshot -o /tmp/s.elf --json: exit 0",
              "block %s" % (b,))
    b = blocks.get("snap-exists")
    res.check(b is not None and b["rc"] == 2 and "exists" in b["err"] and b["out"].strip() == "",
              "snapshot onto an existing file without --force: exit 2, refused, nothing printed",
              "block %s" % (b,))
    b = blocks.get("snap-md5")
    sums = [x.split()[0] for x in b["out"].splitlines() if x.strip()] if b else []
    res.check(len(sums) == 2 and sums[0] == sums[1],
              "the refused snapshot left the file as it was (md5 before and after)", "got %s" % sums)
    with open(a.serial, "rb") as f:
        text = f.read().decode(errors="replace").replace("\r", "")
    m = re.search(r"^VQ-FILE-BEGIN /tmp/s.elf\n(.*?)^VQ-FILE-END$", text, re.M | re.S)
    if res.check(m is not None, "the snapshot file came out of the guest"):
        data = base64.b64decode("".join(m.group(1).split()))
        with open(a.out, "wb") as f:
            f.write(data)
        res.note("%d bytes" % len(data))
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


def cmd_held(a):
    """The held write is a pending chain, live and on the snapshot."""
    res = Results("%s: held write" % a.label)
    with open(a.element) as f:
        el = json.load(f)
    want = [(x["addr"], x["len"], "write" in x.get("flags", [])) for x in el.get("descs", [])]
    res.note("QEMU's chain in flight: head %s, %d buffers" % (el.get("index"), len(want)))
    for tag in ("heldlive", "heldsnap"):
        b = parse_blocks(a.serial, tag).get(a.key)
        j = as_json(b["out"]) if b else None
        reqs = [c.get("request") for c in (j or {}).get("chains", []) if c.get("request")]
        hit = [r for r in reqs if r.get("kind") == "blk" and r.get("type") == 1 and
               r.get("sector") == a.sector and r.get("data_len") == a.len]
        res.check(len(hit) == 1, "%s: %s has the pending write: blk OUT sector %d, %d bytes" % (
            tag, a.key, a.sector, a.len), "requests: %s" % reqs[:4])
        ch = next((c for c in (j or {}).get("chains", []) if c.get("head") == el.get("index")), None)
        got = [(x.get("addr"), x.get("len"), "WRITE" in (x.get("flags") or []))
               for x in (ch or {}).get("descriptors", []) if "INDIRECT" not in (x.get("flags") or [])]
        # QEMU 7.2 lists an element's descriptors in reverse chain order.
        res.check(ch is not None and sorted(got) == sorted(want),
                  "%s: chain %s has QEMU's buffers (addr, len, write)" % (tag, el.get("index")),
                  "got %s, QEMU %s" % (got, want))
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


def cmd_sysfs(a):
    print(parse_blocks(a.serial, a.tag)["sysfs"]["out"])
    return 0


def cmd_extra_specs(a):
    with open(a.snapshot) as f:
        snap = json.load(f)
    out = ["text:list", "text:status", "text:features", "text:config", "text:regs"]
    at_done = False
    for d in snap["devices"]:
        name = d["transport"].get("name")
        setup = [q for q in d["queues"] if q["status"].get("vring-desc")]
        for q in setup[:2]:
            out.append("tring:%s:%d" % (name, q["queue"]))
        if setup and not at_done:
            st = setup[0]["status"]
            out.append("mem:0x%x:64" % st["vring-avail"])
            out.append("at:0x%x,0x%x,0x%x:%d" % (st["vring-desc"], st["vring-avail"],
                                                  st["vring-used"], st["vring-num"]))
            at_done = True
    print(" ".join(out))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("console")
    c.add_argument("--label", default="")
    c.add_argument("--serial", required=True)
    c.add_argument("--out", required=True)
    w = sub.add_parser("held")
    w.add_argument("--label", default="")
    w.add_argument("--serial", required=True)
    w.add_argument("--key", required=True)
    w.add_argument("--sector", type=int, required=True)
    w.add_argument("--len", type=int, required=True)
    w.add_argument("--element", required=True)
    y = sub.add_parser("sysfs")
    y.add_argument("--serial", required=True)
    y.add_argument("--tag", required=True)
    s = sub.add_parser("same")
    s.add_argument("--label", default="")
    s.add_argument("--serial", required=True)
    s.add_argument("--live", required=True)
    s.add_argument("--snap", required=True)
    s.add_argument("--after")
    h = sub.add_parser("host")
    h.add_argument("--label", default="")
    h.add_argument("--serial", required=True)
    h.add_argument("--snap", required=True)
    h.add_argument("--vqdump", required=True)
    h.add_argument("--core", required=True)
    f = sub.add_parser("file")
    f.add_argument("--label", default="")
    f.add_argument("--core", required=True)
    f.add_argument("--qmp", required=True)
    f.add_argument("--before")
    f.add_argument("--interval", type=int, default=0)
    e = sub.add_parser("extra-specs")
    e.add_argument("snapshot")
    a = ap.parse_args()
    return {"same": cmd_same, "host": cmd_host, "file": cmd_file, "console": cmd_console,
            "held": cmd_held, "sysfs": cmd_sysfs, "extra-specs": cmd_extra_specs}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
