#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Checks vqdump's decoded payloads (ring --json from a guest console) against what test-payloads.sh made the device do.
"""payload_check.py SERIAL_LOG TAG KIND [ARGS...]

Reads the last "VQ-OUT TAG" block of the console log (vqdump ring --json
run in the guest) and checks the decoded payloads against values the test
knows independently of vqdump:
  scsi TARGET LUN OPCODE   newest used entry: the command the guest issued
                           (TARGET/LUN from QEMU's command line, OPCODE the
                           SBC opcode of that read), response OK, status GOOD
  9p-used                  no used entry decodes as a 9p message of size < 7
  9p TYPES LAST            every decoded request is one of TYPES (9P2000.L
                           messages of the operation), the newest is LAST,
                           its reply LAST+1 with the same tag
  fs OPCODES LASTS         every decoded FUSE opcode in OPCODES, the newest
                           in LASTS, replies without error
  input EVENTS             the EV_KEY events the device wrote, newest first,
                           are EVENTS ("code:value,...") as sent over QMP
  balloon QMP_JSON         every decoded statistic equals QEMU's qom-get
                           guest-stats value for it
  gpu TYPES LAST           every decoded command type in TYPES, the newest
                           LAST with reply OK_NODATA
  9p-pending TYPES         requests caught in flight: each a 9p message of
                           one of TYPES, tags distinct, no reply read yet
  fs-pending OPCODES ROOT  requests caught in flight: FUSE opcodes among
                           OPCODES, each with nodeid ROOT (FUSE_ROOT_ID:
                           GETATTR of the root, LOOKUP in it), no reply
                           read yet
Prints "ok - ..." / "not ok - ..." lines; exit 1 if any check failed.
"""
import json
import sys

FAILED = 0
PASSED = 0


def check(cond, what):
    global FAILED, PASSED
    print(("ok - " if cond else "not ok - ") + what)
    if cond:
        PASSED += 1
    else:
        FAILED += 1


def block(log, tag):
    lines = open(log, encoding="utf-8", errors="replace").read().replace("\r", "").split("\n")
    start = None
    for i, l in enumerate(lines):
        if l.startswith("VQ-OUT %s " % tag):
            start = i
    if start is None:
        return None, "no VQ-OUT %s block" % tag
    out = []
    for l in lines[start + 1:]:
        if l == "VQ-ERR":
            break
        out.append(l)
    try:
        return json.loads("\n".join(out)), None
    except ValueError as e:
        return None, "vqdump output is not JSON (%s): %s" % (e, " ".join(out)[:300])


def used_requests(ring):
    return [u.get("request") for u in ring["used_entries"] if u.get("request")]


def nums(s):
    return [int(x, 0) for x in s.split(",") if x]


def scsi(ring, tag, target, lun, opcode):
    reqs = used_requests(ring)
    check(len(reqs) > 0, "%s: used entries decode as scsi commands" % tag)
    if not reqs:
        return
    r = ring["used_entries"][0].get("request") or {}
    check(r.get("kind") == "scsi" and r.get("final") is True,
          "%s: newest used entry is a completed scsi command" % tag)
    check(r.get("target") == int(target) and r.get("lun") == int(lun),
          "%s: LUN field names target %s LUN %s (QEMU's scsi-id/lun): got %s/%s"
          % (tag, target, lun, r.get("target"), r.get("lun")))
    check(r.get("cdb_opcode") == int(opcode, 0),
          "%s: CDB opcode 0x%02x of the read the guest issued: got %s (%s)"
          % (tag, int(opcode, 0), r.get("cdb_opcode"), r.get("cdb_opcode_name")))
    check(r.get("response") == 0 and r.get("response_name") == "OK" and r.get("scsi_status") == 0,
          "%s: response OK, status GOOD (the read succeeded): got %s/%s"
          % (tag, r.get("response_name"), r.get("scsi_status_name")))
    check(all(x.get("tag") for x in reqs), "%s: every command has a non-zero tag" % tag)


def p9_used(ring, tag):
    # Linux frees a 9p request's buffers on completion and the next
    # allocation zeroes them (init_on_alloc): a used entry then points at
    # zeroes, which are no 9P message (size 0 < 7) and must not be shown
    # as one.
    got = [r for r in used_requests(ring) if r.get("kind") == "9p"]
    check(all(r["size"] >= 7 for r in got),
          "%s: used entries decode no 9p message smaller than its header: got %s"
          % (tag, [(r["size"], r["type"]) for r in got]))


def p9(ring, tag, types, last):
    types, last = nums(types), int(last)
    reqs = [r for r in used_requests(ring) if r.get("kind") == "9p"]
    check(len(reqs) > 0, "%s: used entries decode as 9p messages" % tag)
    if not reqs:
        return
    got = [r["type"] for r in reqs]
    check(all(t in types for t in got), "%s: every message is one of the operation's %s: got %s"
          % (tag, types, got))
    r = ring["used_entries"][0].get("request") or {}
    check(r.get("type") == last, "%s: newest message is type %d: got %s (%s)"
          % (tag, last, r.get("type"), r.get("type_name")))
    check(r.get("reply_type") == last + 1 and r.get("reply_tag") == r.get("tag"),
          "%s: its reply is type %d with the same tag: got %s tag %s/%s"
          % (tag, last + 1, r.get("reply_type"), r.get("reply_tag"), r.get("tag")))


def fs(ring, tag, opcodes, lasts):
    opcodes, lasts = nums(opcodes), nums(lasts)
    reqs = [r for r in used_requests(ring) if r.get("kind") == "fs"]
    check(len(reqs) > 0, "%s: used entries decode as FUSE requests" % tag)
    if not reqs:
        return
    got = [r["opcode"] for r in reqs]
    check(all(o in opcodes for o in got), "%s: every opcode is one of the operation's %s: got %s"
          % (tag, opcodes, got))
    r = ring["used_entries"][0].get("request") or {}
    check(r.get("opcode") in lasts, "%s: newest request is one of %s: got %s (%s)"
          % (tag, lasts, r.get("opcode"), r.get("opcode_name")))
    check(r.get("error") == 0 and r.get("reply_unique") == r.get("unique") and r.get("unique"),
          "%s: its reply has error 0 and the request's unique %s: got %s/%s"
          % (tag, r.get("unique"), r.get("error"), r.get("reply_unique")))


def input_(ring, tag, events):
    want = [tuple(int(x) for x in e.split(":")) for e in events.split(",")]
    reqs = [r for r in used_requests(ring) if r.get("kind") == "input"]
    check(all(r.get("from") == "device" and r.get("final") for r in reqs) and reqs,
          "%s: used entries decode as events the device wrote" % tag)
    keys = [(r["code"], r["value"]) for r in reqs if r.get("type_name") == "EV_KEY"]
    check(keys == want, "%s: EV_KEY events, newest first, are the keys sent over QMP %s: got %s"
          % (tag, want, keys))
    check(any(r.get("type_name") == "EV_SYN" for r in reqs), "%s: EV_SYN between them" % tag)


BALLOON_QMP = {
    "SWAP_IN": "stat-swap-in", "SWAP_OUT": "stat-swap-out", "MAJFLT": "stat-major-faults",
    "MINFLT": "stat-minor-faults", "MEMFREE": "stat-free-memory",
    "MEMTOT": "stat-total-memory", "AVAIL": "stat-available-memory",
    "CACHES": "stat-disk-caches", "HTLB_PGALLOC": "stat-htlb-pgalloc",
    "HTLB_PGFAIL": "stat-htlb-pgfail",
}


def balloon(ring, tag, qmp_json):
    qmp = json.load(open(qmp_json))["stats"]
    reqs = [c["request"] for c in ring["chains"] if c.get("request")]
    check(len(reqs) == 1 and reqs[0]["kind"] == "balloon_stats",
          "%s: the pending chain decodes as balloon statistics" % tag)
    if not reqs:
        return
    stats = reqs[0].get("stats", [])
    check(len(stats) >= 6, "%s: %d statistics decoded" % (tag, len(stats)))
    for s in stats:
        key = BALLOON_QMP.get(s.get("name"))
        check(key is not None and qmp.get(key) == s["value"],
              "%s: %s (tag %s) = %s, QEMU's %s = %s" % (tag, s.get("name"), s["tag"], s["value"],
                                                      key, qmp.get(key)))


def gpu(ring, tag, types, last):
    types, last = nums(types), int(last, 0)
    reqs = [r for r in used_requests(ring) if r.get("kind") == "gpu"]
    check(len(reqs) > 0, "%s: used entries decode as gpu commands" % tag)
    if not reqs:
        return
    got = [r["type"] for r in reqs]
    check(all(t in types for t in got), "%s: every command is one of %s: got %s"
          % (tag, [hex(t) for t in types], [hex(t) for t in got]))
    r = ring["used_entries"][0].get("request") or {}
    check(r.get("type") == last and r.get("reply_type_name") == "OK_NODATA",
          "%s: newest command is 0x%x answered OK_NODATA: got %s (%s) -> %s"
          % (tag, last, r.get("type"), r.get("type_name"), r.get("reply_type_name")))


def pending(ring, tag, kind):
    reqs = [c["request"] for c in ring["chains"] if c.get("request")]
    check(ring["in_flight"] > 0 and reqs and all(r["kind"] == kind for r in reqs),
          "%s: %d request(s) caught in flight decode as %s" % (tag, len(reqs), kind))
    check(all(r["final"] is False for r in reqs), "%s: pending: marked not final" % tag)
    return reqs


def p9_pending(ring, tag, types):
    types = nums(types)
    reqs = pending(ring, tag, "9p")
    got = [r["type"] for r in reqs]
    check(reqs and all(t in types for t in got),
          "%s: each is one of the operation's messages %s: got %s (%s)"
          % (tag, types, got, [r["type_name"] for r in reqs]))
    tags = [r["tag"] for r in reqs]
    check(len(set(tags)) == len(tags), "%s: tags %s distinct" % (tag, tags))
    check(all(r["reply_type"] is None for r in reqs), "%s: no reply read yet" % tag)


def fs_pending(ring, tag, opcodes, root):
    opcodes = nums(opcodes)
    reqs = pending(ring, tag, "fs")
    got = [r["opcode"] for r in reqs]
    check(reqs and all(o in opcodes for o in got),
          "%s: each is one of the operation's opcodes %s: got %s" % (tag, opcodes, got))
    # The stat's first request: GETATTR of the root (the permission check
    # of the path walk) or LOOKUP of the name in it; both carry the root's
    # nodeid in the FUSE header.
    check(reqs and all(r["nodeid"] == int(root) for r in reqs),
          "%s: each names the share's root, nodeid %s: got %s"
          % (tag, root, [(r["opcode_name"], r["nodeid"]) for r in reqs]))
    check(all(r["error"] is None and r["unique"] for r in reqs),
          "%s: a non-zero unique, no reply read yet" % tag)


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    ring, err = block(argv[1], argv[2])
    if err:
        check(False, "%s: %s" % (argv[2], err))
        print("%d passed, %d failed" % (PASSED, FAILED))
        return 1
    fn = {"scsi": scsi, "9p": p9, "fs": fs, "input": input_, "balloon": balloon, "gpu": gpu,
          "9p-pending": p9_pending, "9p-used": p9_used, "fs-pending": fs_pending}
    fn[argv[3]](ring, argv[2], *argv[4:])
    # The summary live_fold waits for: without it the run ended early.
    print("%d passed, %d failed" % (PASSED, FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
