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
  v2-*               the same in format version 2 (the fixture is version 1;
                     converted as src/access/snapnote_v1.c reads it)
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


def v2_source(s):
    return "unknown" if s == "none" else s


def v2_features(words, src):
    if src == "none":
        return None
    f = {"bits": [b for b in range(128) if words[b // 32] >> (b % 32) & 1]}
    if src != "assumed":
        f["source"] = v2_source(src)
    return f


def v2_queue(q):
    addr = "registers" if q["addr_src"] == "none" and q["desc"] else v2_source(q["addr_src"])
    return {"index": q["index"], "size": q["size"] or None, "size_source": v2_source(q["size_src"]),
            "max_size": q["max_size"] or None, "enabled": bool(q["enabled"]),
            "desc": q["desc"] or None, "avail": q["avail"] or None, "used": q["used"] or None,
            "addr_source": addr,
            "avail_idx": q["avail_idx"] if q["idx_valid"] else None,
            "used_idx": q["used_idx"] if q["idx_valid"] else None,
            "msix_vector": q["msix_vector"], "notify_off": q["notify_off"],
            "second_sample": {"avail_idx": q["avail_idx2"], "used_idx": q["used_idx2"],
                              "after_ms": q["sample_ms"]} if q["idx2_valid"] else None}


def v2_device(d):
    return {"name": d["name"], "transport": d["kind"], "device_id": d["device_id"],
            "status": {"value": d["status"]}, "driver": d["driver"],
            "virtio_driver": d["virtio_driver"], "virtio_name": d["virtio_name"],
            "mmio_base": d["mmio_base"], "mmio_version": d["mmio_version"],
            "num_queues": d["num_queues"], "access": d["access"],
            "device_features": v2_features(d["device_features"], d["device_features_src"]),
            "driver_features": v2_features(d["driver_features"], d["driver_features_src"]),
            "queues": [v2_queue(q) for q in d["queues"]], "config_raw": d["config"],
            "config_generation": None if d["config_generation"] < 0 else d["config_generation"],
            "config_consistent": d["config_consistent"], "error": d["error"],
            "vendor_id": d["vendor_id"], "pci_device": d["pci_device"], "caps": d["caps"],
            "msix_config": d["msix_config"]}


doc2 = dict(doc, version=2, devices=[v2_device(d) for d in doc["devices"]])
body2 = json.dumps(doc2, separators=(",", ":")).encode()
# The name as the fixture has it (padded), the descriptor padded to 4.
put("v2-note-segment", 0, struct.pack("<III", namesz, len(body2), typ) + notes[12:d0] + body2 + bytes(-len(body2) % 4))
put("v2-json-full", 2, body2)
put("v2-json-one-device", 2, json.dumps(dict(doc2, devices=doc2["devices"][:1]), separators=(",", ":")).encode())
put("v2-json-error-device", 2, json.dumps(dict(doc2, devices=[dict(doc2["devices"][-1], error="read BAR4 of 0000:00:08.0: bus error")]), separators=(",", ":")).encode())
print("seeds written to %s (note %d bytes, %d devices)" % (out, len(notes), len(doc["devices"])))
