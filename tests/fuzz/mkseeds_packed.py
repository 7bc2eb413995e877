#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes tests/fuzz/corpus/fuzz_packed/: hand-made packed rings (virtio 1.3 section 2.8) in fuzz_packed.c's input format.
"""usage: mkseeds_packed.py

Every seed is a ring of 8 (sizes[6]) at offset 0 of region 0 (base
0x100000), its driver event area at 0x800 and device event area at 0x810;
region 1 (base 0x200000) holds indirect tables and buffers.  Slots follow
2.8.1 and 2.8.13: made available in wrap W with AVAIL = W, USED = !W;
written back used with AVAIL = USED = W.

The drv-* seeds add the driver's per-ID records (Linux's desc_state and
desc_extra, in fuzz_packed.c's record format) and its next used slot:
a device that completed out of order (2.8.6: the used descriptor goes
to the next used slot, over a request still in flight), records that
agree with the ring, records without a copy of the descriptors, and
records no driver could hold.
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_packed")
SIZE_INDEX, N = 6, 8        # sizes[6] == 8 in fuzz_packed.c
BLK = 2                     # devices[2] == VIRTIO_ID_BLOCK
B0, B1 = 0x100000, 0x200000
AV, US = 1 << 7, 1 << 15
NEXT, WRITE, INDIRECT = 1, 2, 4


def avail(w):
    return AV if w else US


def used(w):
    return AV | US if w else 0


# Header byte 40 (fuzz_packed.c): records given, the driver's next used
# slot given, records of a ring of another size.
REC, DRV_USED, OTHER_SIZE = 1, 2, 4
# An ID record's indirect-table byte: 1 is region 1's first byte (B1).
IND_B1 = 1


def rec_id(ident, inflight, num, first=0, ndesc=0, indir=0):
    """An ID record: le16 id, u8 in flight, u8 table, le16 num, first, ndesc."""
    return struct.pack("<HBBHHH", ident, inflight, indir, num, first, ndesc)


def rec_desc(addr, ln, flags):
    """A descriptor record: le64 addr, le32 len, le16 flags, 2 unused."""
    return struct.pack("<QIHH", addr, ln, flags, 0)


def seed(name, slots, region1=b"", known=0, apos=0, upos=0, dev_event=(0, 0), drv_event=(0, 0),
         rflags=0, drv_used=0, ids=(), descs=()):
    r0 = bytearray(0x820)
    for i, (addr, ln, ident, flags) in slots.items():
        struct.pack_into("<QIHH", r0, 16 * i, addr, ln, ident, flags)
    struct.pack_into("<HH", r0, 0x800, *drv_event)
    struct.pack_into("<HH", r0, 0x810, *dev_event)
    hdr = struct.pack("<BBBBIIIQQIHHBBHHH", SIZE_INDEX, known, BLK, 8, 0, 0x800, 0x810,
                      B0, B1, len(r0), apos, upos, rflags, len(ids), len(descs), drv_used, 0)
    assert len(hdr) == 48
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(hdr + bytes(r0) + region1 + b"".join(ids) + b"".join(descs))


def blk_table():
    """An indirect table of 3 (header, data, status) and the header at its end."""
    t = bytearray(0x100)
    struct.pack_into("<QIHH", t, 0, B1 + 0x80, 16, 0, 0)
    struct.pack_into("<QIHH", t, 16, B1 + 0xc0, 512, 0, WRITE)
    struct.pack_into("<QIHH", t, 32, B1 + 0xf0, 1, 0, WRITE)
    struct.pack_into("<IIQ", t, 0x80, 0, 0, 2048)    # VIRTIO_BLK_T_IN, sector 2048
    return bytes(t)


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    seed("fresh", {})
    seed("avail-used", {0: (B1, 1, 5, used(1) | WRITE), 1: (B1 + 0x80, 16, 6, avail(1) | NEXT),
                        2: (B1 + 0xc0, 1, 6, avail(1) | WRITE)},
         region1=blk_table(), dev_event=(1 | 0x8000, 2), drv_event=(0, 1))
    seed("indirect", {0: (B1, 48, 3, avail(1) | INDIRECT)}, region1=blk_table())
    wrapped = {i: (B1, 1, i, used(1)) for i in range(1, 7)}
    wrapped[7] = (B1 + 0x80, 16, 0, avail(1) | NEXT)
    wrapped[0] = (B1 + 0xf0, 1, 9, avail(0) | WRITE)
    seed("wrapped", wrapped, region1=blk_table())
    seed("wrapped-given", wrapped, region1=blk_table(), known=3, apos=1, upos=7 | 0x8000)
    seed("full", {i: (B1, 1, i, avail(1)) for i in range(N)}, dev_event=(0, 0))
    drv_seeds()


def drv_seeds():
    """Driver records.  The ring: IDs 0, 1, 2 made available in slots 0-2
    (wrap 1), then the device completed ID 1 first and wrote its used
    descriptor to slot 0 (over ID 0's); the driver has taken nothing
    (next used slot 0 wrap 1), the device is at slot 1 wrap 1."""
    ooo = {0: (B1, 1, 1, used(1)), 1: (B1 + 0x80, 16, 1, avail(1)),
           2: (B1 + 0xc0, 1, 2, avail(1) | WRITE)}
    pos = dict(known=3, apos=3 | 0x8000, upos=1 | 0x8000, rflags=REC | DRV_USED,
               drv_used=0 | 0x8000, region1=blk_table())
    # ID 0 went indirect (its table in region 1), as desc_extra keeps it
    # with the DMA API: PACKED_OUT_OF_ORDER, ID 0 from the records.
    seed("drv-out-of-order", ooo, ids=[rec_id(0, 1, 1, 0, 1, IND_B1), rec_id(1, 1, 1),
                                       rec_id(2, 1, 1)],
         descs=[rec_desc(B1, 48, INDIRECT)], **pos)
    # The same without the DMA API: no copy, PACKED_PENDING_UNKNOWN.
    seed("drv-no-copy", ooo, ids=[rec_id(0, 1, 1, indir=IND_B1), rec_id(1, 1, 1),
                                  rec_id(2, 1, 1)], **pos)
    # ID 0 as a NEXT list of two kept descriptors.
    seed("drv-list", ooo, ids=[rec_id(0, 1, 2, 0, 2), rec_id(1, 1, 1), rec_id(2, 1, 1)],
         descs=[rec_desc(B1 + 0x80, 16, NEXT), rec_desc(B1 + 0xf0, 1, WRITE)], **pos)
    # Records that agree with the ring: in order, nothing overwritten.
    seed("drv-agrees", {0: (B1, 1, 0, used(1)), 1: (B1 + 0x80, 16, 1, avail(1)),
                        2: (B1 + 0xc0, 1, 2, avail(1) | WRITE)},
         ids=[rec_id(1, 1, 1), rec_id(2, 1, 1)], **dict(pos, drv_used=1 | 0x8000))
    # Five IDs in flight, two slots pending: PACKED_DRIVER_RECORDS_INCONSISTENT.
    seed("drv-inconsistent", ooo, ids=[rec_id(i, 1, 1) for i in range(5)], **pos)
    # Records no driver holds: num 0 and past the size, a copy past the
    # array's end, a table at 2^64 - 1, an ID past the size.
    seed("drv-garbage", ooo, ids=[rec_id(0, 1, 0, 1, 3, 0xff), rec_id(1, 1, 40),
                                  rec_id(2, 1, 1, 0, 0xffff), rec_id(9, 1, 1, 0, 1)],
         descs=[rec_desc(B1, 0xffffffff, INDIRECT), rec_desc(2**64 - 8, 16, NEXT)], **pos)
    # Records of a ring of 9 for a ring of 8: not used.
    seed("drv-other-size", ooo, ids=[rec_id(0, 1, 1)], **dict(pos, rflags=REC | DRV_USED | OTHER_SIZE))


if __name__ == "__main__":
    main()
