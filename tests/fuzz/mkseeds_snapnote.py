#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Seeds for fuzz_snapnote from the real snapshot fixture (tests/fixtures/snap-pci/snapshot.elf).
"""mkseeds_snapnote.py [SNAPSHOT.elf] [OUTDIR]

Writes, in fuzz_snapnote's input format (flag byte, then bytes):
  note-segment       the fixture's PT_NOTE contents, as the file has them
  note-segment-msb   the same notes with big-endian words (flag bit 0)
  json-full          the note's JSON alone (flag bit 1)
  json-one-device    the JSON with only its first device
  json-error-device  one device saved with a read error
"""
import json
import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))
src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "../fixtures/snap-pci/snapshot.elf")
out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "corpus/fuzz_snapnote")
data = open(src, "rb").read()
phoff, = struct.unpack_from("<Q", data, 32)
phentsize, phnum = struct.unpack_from("<HH", data, 54)
notes = None
for i in range(phnum):
    p_type, _, off, _, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)
    if p_type == 4:
        notes = data[off:off + filesz]
assert notes, "no PT_NOTE"
namesz, descsz, typ = struct.unpack_from("<III", notes, 0)
d0 = 12 + ((namesz + 3) & ~3)
doc = json.loads(notes[d0:d0 + descsz])
os.makedirs(out, exist_ok=True)


def put(name, flag, body):
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes([flag]) + body)


put("note-segment", 0, notes)
put("note-segment-msb", 1, struct.pack(">III", namesz, descsz, typ) + notes[12:])
put("json-full", 2, json.dumps(doc, separators=(",", ":")).encode())
one = dict(doc, devices=doc["devices"][:1])
put("json-one-device", 2, json.dumps(one, separators=(",", ":")).encode())
err = dict(doc, devices=[dict(doc["devices"][-1], error="read BAR4 of 0000:00:08.0: bus error")])
put("json-error-device", 2, json.dumps(err, separators=(",", ":")).encode())
print("seeds written to %s (note %d bytes, %d devices)" % (out, len(notes), len(doc["devices"])))
