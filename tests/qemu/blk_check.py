# SPDX-License-Identifier: GPL-2.0-or-later
# Host-side helpers for the blk system tests: disk images, expected contents, guest output blocks, JSON fields.
"""blk_check.py COMMAND ...

  mkimage SEED SIZE OUT
      OUT gets SIZE bytes from Python's Mersenne Twister seeded with SEED:
      the same seed gives the same image on every machine.
  pattern BYTE COUNT OUT
      OUT gets what `vqdump blk --write LBA+COUNT --pattern BYTE` promises to
      write: COUNT 512-byte sectors, every byte BYTE.
  text LINE SIZE OUT
      OUT gets LINE and a newline repeated and cut to SIZE bytes (what the
      guest's `yes LINE | head -c SIZE` makes).
  sha FILE [LBA COUNT]
      sha256 of FILE, or of COUNT sectors of it from sector LBA.
  expect ORIG OUT OP...
      OUT = ORIG with each OP applied in order: LBA:FILE puts FILE's bytes
      at sector LBA; LBA+COUNT:zero zeroes COUNT sectors.
  imgdiff EXPECTED ACTUAL
      Prints the sector ranges where the two differ (at most 8) and the
      number of differing sectors; exit 1 if they differ at all.
  block LOG KEY PREFIX
      The last block KEY in the guest console LOG (VQ-OUT KEY rc=N ...
      VQ-ERR ... VQ-END KEY, written by blk_guest.sh) into PREFIX.rc,
      PREFIX.out and PREFIX.err, and its VQ-SHA / VQ-HEX lines (if any)
      into PREFIX.sha and PREFIX.hex; exit 1 if there is none.
  get JSONFILE PATH
      One field (PATH: dot-separated keys and list indices) as JSON text,
      or "<missing>".
  snapdev SNAP.json QDEV_ID PATH
      One field (as get) of the device with qdev id QDEV_ID in a
      live_qmp.py snapshot.
  why JSONFILE
      For a failure report: blk's "verdict", every step with "ok": false and
      every request with "ok": false, one a line; nothing if not blk JSON.
  reqcover JSONFILE TYPE LBA COUNT STATUS
      exit 0 if "requests" is one or more entries of TYPE and STATUS that
      follow each other and together cover exactly sectors LBA..LBA+COUNT-1
      (however the driver splits a large range).
  requests JSONFILE
      One line per entry of "requests": TYPE LBA COUNT STATUS.
  reqmatch JSONFILE SPEC...
      exit 0 if "requests" has exactly one entry per SPEC, in order, each
      "TYPE LBA COUNT STATUS" with * for any value; types compare without
      case, "-" or "_" (write-zeroes = WRITE_ZEROES).
  qmp-status QMPSTATUS.json
      The status byte QEMU's x-query-virtio-status answer gives, as hex,
      then "broken=" its broken flag.
  qmp-wait-status SOCK PATH MASK SECS
      Polls QEMU's x-query-virtio-status for PATH until the status byte has
      every bit of MASK, at most SECS seconds; prints the last status as
      qmp-status does; exit 1 on timeout.
  qmp-has-feature QMPSTATUS.json NAME
      exit 0 if QEMU's host-features name NAME (e.g. VIRTIO_BLK_F_DISCARD).
"""

import hashlib
import json
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import live_compare  # noqa: E402
from qmp import QMP, QMPError  # noqa: E402

SECTOR = 512


def mkimage(seed, size, out):
    rnd = random.Random(int(seed))
    with open(out, "wb") as f:
        left = int(size)
        while left > 0:
            n = min(left, 1 << 20)
            f.write(rnd.getrandbits(8 * n).to_bytes(n, "little"))
            left -= n


def read_range(path, lba=None, count=None):
    with open(path, "rb") as f:
        if lba is None:
            return f.read()
        f.seek(int(lba) * SECTOR)
        return f.read(int(count) * SECTOR)


def expect(orig, out, ops):
    data = bytearray(read_range(orig))
    for op in ops:
        where, what = op.split(":", 1)
        if what == "zero":
            lba, count = (int(x, 0) for x in where.split("+"))
            data[lba * SECTOR:(lba + count) * SECTOR] = bytes(count * SECTOR)
        else:
            lba = int(where, 0)
            b = read_range(what)
            data[lba * SECTOR:lba * SECTOR + len(b)] = b
    with open(out, "wb") as f:
        f.write(data)


def imgdiff(a, b):
    da, db = read_range(a), read_range(b)
    ranges, n = [], 0
    if len(da) != len(db):
        print("sizes differ: expected %d bytes, image has %d" % (len(da), len(db)))
    for s in range(min(len(da), len(db)) // SECTOR):
        if da[s * SECTOR:(s + 1) * SECTOR] != db[s * SECTOR:(s + 1) * SECTOR]:
            n += 1
            if ranges and ranges[-1][1] == s - 1:
                ranges[-1][1] = s
            else:
                ranges.append([s, s])
    for lo, hi in ranges[:8]:
        print("sectors %d..%d differ" % (lo, hi))
    if len(ranges) > 8:
        print("... %d more ranges" % (len(ranges) - 8))
    print("%d differing sectors" % n)
    return 1 if n or len(da) != len(db) else 0


def block(log, key, prefix):
    with open(log, "rb") as f:
        text = f.read().decode(errors="replace").replace("\r", "")
    rx = re.compile(r"^VQ-OUT %s rc=(\d+)\n(.*?)^VQ-ERR\n(.*?)^VQ-END %s$"
                    % (re.escape(key), re.escape(key)), re.M | re.S)
    found = rx.findall(text)
    if not found:
        return 1
    rc, out, err = found[-1]
    files = [("rc", rc + "\n"), ("out", out), ("err", err)]
    for tag in ("SHA", "HEX"):
        extra = re.findall(r"^VQ-%s %s (.*)$" % (tag, re.escape(key)), text, re.M)
        files.append((tag.lower(), extra[-1] + "\n" if extra else ""))
    for ext, val in files:
        with open(prefix + "." + ext, "w") as f:
            f.write(val)
    return 0


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def get(obj, path):
    for part in path.split(".") if path else []:
        if isinstance(obj, list) and re.match(r"^-?\d+$", part):
            i = int(part)
            if -len(obj) <= i < len(obj):
                obj = obj[i]
                continue
            return "<missing>"
        if isinstance(obj, dict) and part in obj:
            obj = obj[part]
            continue
        return "<missing>"
    return obj if isinstance(obj, str) else json.dumps(obj)


def norm(v):
    return re.sub(r"[-_]", "", str(v)).lower()


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    cmd, a = argv[1], argv[2:]
    if cmd == "mkimage" and len(a) == 3:
        mkimage(*a)
        return 0
    if cmd == "pattern" and len(a) == 3:
        with open(a[2], "wb") as f:
            f.write(bytes([int(a[0], 0)]) * (int(a[1], 0) * SECTOR))
        return 0
    if cmd == "text" and len(a) == 3:
        size = int(a[1], 0)
        line = (a[0] + "\n").encode()
        with open(a[2], "wb") as f:
            f.write((line * (size // len(line) + 1))[:size])
        return 0
    if cmd == "sha" and len(a) in (1, 3):
        print(hashlib.sha256(read_range(*a)).hexdigest())
        return 0
    if cmd == "expect" and len(a) >= 2:
        expect(a[0], a[1], a[2:])
        return 0
    if cmd == "imgdiff" and len(a) == 2:
        return imgdiff(*a)
    if cmd == "block" and len(a) == 3:
        return block(*a)
    if cmd == "get" and len(a) == 2:
        obj = load_json(a[0])
        print("<not JSON>" if obj is None else get(obj, a[1]))
        return 0
    if cmd == "snapdev" and len(a) == 3:
        snap = load_json(a[0]) or {}
        for d in snap.get("devices", []):
            if d.get("id") == a[1]:
                print(get(d, a[2]))
                return 0
        print("<no device %s>" % a[1])
        return 1
    if cmd == "reqmatch" and len(a) >= 1:
        obj = load_json(a[0])
        reqs = obj.get("requests") if isinstance(obj, dict) else None
        if not isinstance(reqs, list) or len(reqs) != len(a) - 1:
            return 1
        for r, spec in zip(reqs, a[1:]):
            for k, want in zip(("type", "lba", "count", "status"), spec.split()):
                if want != "*" and norm(r.get(k)) != norm(want):
                    return 1
        return 0
    if cmd == "why" and len(a) == 1:
        obj = load_json(a[0])
        if not isinstance(obj, dict) or "verdict" not in obj:
            return 0
        print("verdict: %s" % obj.get("verdict"))
        for st in obj.get("steps") or []:
            if isinstance(st, dict) and st.get("ok") is False:
                print("step %s failed: %s" % (st.get("step"), st.get("detail")))
        for r in obj.get("requests") or []:
            if isinstance(r, dict) and r.get("ok") is False:
                print("request %s %s+%s: status %s, expected %s: %s"
                      % tuple(r.get(k) for k in ("type", "lba", "count", "status",
                                                 "expected", "message")))
        return 0
    if cmd == "reqcover" and len(a) == 5:
        obj = load_json(a[0])
        reqs = obj.get("requests") if isinstance(obj, dict) else None
        if not isinstance(reqs, list) or not reqs:
            return 1
        at, end = int(a[2], 0), int(a[2], 0) + int(a[3], 0)
        for r in reqs:
            if norm(r.get("type")) != norm(a[1]) or norm(r.get("status")) != norm(a[4]):
                return 1
            if r.get("lba") != at or not isinstance(r.get("count"), int) or r["count"] <= 0:
                return 1
            at += r["count"]
        return 0 if at == end else 1
    if cmd == "requests" and len(a) == 1:
        obj = load_json(a[0])
        reqs = obj.get("requests") if isinstance(obj, dict) else None
        for r in reqs if isinstance(reqs, list) else []:
            print(" ".join(str(r.get(k)) for k in ("type", "lba", "count", "status")))
        return 0
    if cmd == "qmp-status" and len(a) == 1:
        st = load_json(a[0]) or {}
        v, _ = live_compare.qmp_status_value(st.get("status") or {})
        print("0x%x broken=%s" % (v, str(st.get("broken")).lower()))
        return 0
    if cmd == "qmp-wait-status" and len(a) == 4:
        mask, deadline = int(a[2], 0), time.monotonic() + float(a[3])
        try:
            with QMP(a[0], timeout=30) as q:
                while True:
                    st = q.cmd("x-query-virtio-status", path=a[1])
                    v, _ = live_compare.qmp_status_value(st.get("status") or {})
                    if v & mask == mask or time.monotonic() > deadline:
                        break
                    time.sleep(0.1)
        except (QMPError, OSError, EOFError, ValueError) as e:
            print("qmp: %s" % e)
            return 1
        print("0x%x broken=%s" % (v, str(st.get("broken")).lower()))
        return 0 if v & mask == mask else 1
    if cmd == "qmp-has-feature" and len(a) == 2:
        st = load_json(a[0]) or {}
        hf = st.get("host-features") or {}
        names = [s.split(":", 1)[0].strip()
                 for k in ("transports", "dev-features") for s in hf.get(k, []) or []]
        return 0 if a[1] in names else 1
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
