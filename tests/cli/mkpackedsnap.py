#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Turns the snap-pci snapshot into one whose blk device negotiated VIRTIO_F_RING_PACKED, its queue 0 a hand-made packed ring.
"""usage: mkpackedsnap.py SNAPSHOT RINGIMAGE BASE OUT

SNAPSHOT: tests/fixtures/snap-pci/snapshot.elf (a vqdump snapshot: a
VQDUMP note holding the device model as JSON, and PT_LOAD segments).
RINGIMAGE: a raw image from mkpacked.py made for BASE.  OUT gets the same
note with device 0000:00:04.0 changed as a driver on a packed ring would
have left it (feature bit 34, VIRTIO_F_RING_PACKED, offered and accepted;
queue 0 of size 8 with queue_desc/queue_driver/queue_device at BASE,
BASE + 0x800, BASE + 0x810; no split indices saved), the same segments,
and RINGIMAGE as one more segment at BASE.  No real packed snapshot
exists yet (issue 15 item 5); this one only tests how a packed queue is
routed, not what QEMU does.
"""
import json
import struct
import sys

PT_LOAD, PT_NOTE = 1, 4


def notes_of(d, off, size):
    out, p = [], 0
    n = d[off:off + size]
    while p + 12 <= len(n):
        nsz, dsz, typ = struct.unpack_from("<III", n, p)
        name = n[p + 12:p + 12 + nsz]
        q = p + 12 + ((nsz + 3) & ~3)
        out.append((name, typ, n[q:q + dsz]))
        p = q + ((dsz + 3) & ~3)
    return out


def pack_notes(notes):
    b = b""
    for name, typ, desc in notes:
        b += struct.pack("<III", len(name), len(desc), typ)
        b += name + bytes(-len(name) % 4) + desc + bytes(-len(desc) % 4)
    return b


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    snap, ring, base, out = sys.argv[1], sys.argv[2], int(sys.argv[3], 0), sys.argv[4]
    d = open(snap, "rb").read()
    phoff, = struct.unpack_from("<Q", d, 32)
    phnum, = struct.unpack_from("<H", d, 56)
    notes, loads = [], []
    for i in range(phnum):
        t, fl, off, va, pa, fsz, msz, al = struct.unpack_from("<IIQQQQQQ", d, phoff + 56 * i)
        if t == PT_NOTE:
            notes += notes_of(d, off, fsz)
        elif t == PT_LOAD:
            loads.append((pa, d[off:off + fsz], msz))
    for k, (name, typ, desc) in enumerate(notes):
        if not name.startswith(b"VQDUMP"):
            continue
        o = json.loads(desc.rstrip(b"\0"))
        dev = next(x for x in o["devices"] if x["name"] == "0000:00:04.0")
        for f in ("device_features", "driver_features"):
            dev[f]["bits"] = sorted(set(dev[f]["bits"]) | {34})
        q = dev["queues"][0]
        q.update(size=8, desc=base, avail=base + 0x800, used=base + 0x810,
                 avail_idx=None, used_idx=None, second_sample=None)
        notes[k] = (name, typ, json.dumps(o, separators=(",", ":")).encode())
    ringdata = open(ring, "rb").read()
    loads.append((base, ringdata, len(ringdata)))
    nb = pack_notes(notes)
    ehdr = bytearray(d[:64])
    struct.pack_into("<Q", ehdr, 32, 64)               # e_phoff
    struct.pack_into("<H", ehdr, 56, 1 + len(loads))   # e_phnum
    off = 64 + 56 * (1 + len(loads))
    ph = struct.pack("<IIQQQQQQ", PT_NOTE, 0, off, 0, 0, len(nb), 0, 4)
    body = nb
    off += len(nb)
    for pa, data, msz in loads:
        ph += struct.pack("<IIQQQQQQ", PT_LOAD, 6, off, 0, pa, len(data), msz, 1)
        body += data
        off += len(data)
    with open(out, "wb") as f:
        f.write(bytes(ehdr) + ph + body)


if __name__ == "__main__":
    main()
