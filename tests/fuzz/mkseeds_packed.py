#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes tests/fuzz/corpus/fuzz_packed/: hand-made packed rings (virtio 1.3 section 2.8) in fuzz_packed.c's input format.
"""usage: mkseeds_packed.py

Every seed is a ring of 8 (sizes[6]) at offset 0 of region 0 (base
0x100000), its driver event area at 0x800 and device event area at 0x810;
region 1 (base 0x200000) holds indirect tables and buffers.  Slots follow
2.8.1 and 2.8.13: made available in wrap W with AVAIL = W, USED = !W;
written back used with AVAIL = USED = W.
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


def seed(name, slots, region1=b"", known=0, apos=0, upos=0, dev_event=(0, 0), drv_event=(0, 0)):
    r0 = bytearray(0x820)
    for i, (addr, ln, ident, flags) in slots.items():
        struct.pack_into("<QIHH", r0, 16 * i, addr, ln, ident, flags)
    struct.pack_into("<HH", r0, 0x800, *drv_event)
    struct.pack_into("<HH", r0, 0x810, *dev_event)
    hdr = struct.pack("<BBBBIIIQQIHH", SIZE_INDEX, known, BLK, 8, 0, 0x800, 0x810,
                      B0, B1, len(r0), apos, upos)
    assert len(hdr) == 40
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(hdr + bytes(r0) + region1)


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


if __name__ == "__main__":
    main()
