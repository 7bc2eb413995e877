#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes a raw memory image holding one hand-made packed ring (virtio 1.3 section 2.8).
"""usage: mkpacked.py OUT KIND [BASE]   (image is meant to be loaded at BASE, default 0x10000)

Ring: descriptor ring at BASE, size 8; driver event area at BASE + 0x800,
device event area at BASE + 0x810; buffers from BASE + 0x2000.
Every slot follows 2.8.1 and 2.8.13: the
driver makes a slot available in wrap W with AVAIL = W, USED = !W; the
device writes it back used with AVAIL = USED = W.

KIND: healthy (wrap 1: slot 0 used with Buffer ID 5; slot 1 a blk write
request through an indirect table, Buffer ID 6, pending; the device asks
to be notified at slot 1 wrap 1), wrapped (a chain from slot 7 that goes
on at slot 0 with the flipped wrap counter, pending), badwrap (the same
with slot 0 keeping the old wrap counter), dup-id (two pending buffers
with one Buffer ID).
"""
import struct
import sys

BASE = int(sys.argv[3], 0) if len(sys.argv) > 3 else 0x10000
N = 8
DRV, DEV = BASE + 0x800, BASE + 0x810
AVAIL, USED = 1 << 7, 1 << 15
NEXT, WRITE, INDIRECT = 1, 2, 4
img = bytearray(0x4000)


def put(addr, fmt, *v):
    struct.pack_into("<" + fmt, img, addr - BASE, *v)


def avail(w):
    return AVAIL if w else USED


def used(w):
    return AVAIL | USED if w else 0


def desc(i, addr, ln, ident, flags, table=BASE):
    put(table + 16 * i, "QIHH", addr, ln, ident, flags)


out, kind = sys.argv[1], sys.argv[2]
if kind == "healthy":
    desc(0, BASE + 0x3800, 1, 5, used(1) | WRITE)
    t = BASE + 0x2000
    desc(1, t, 48, 6, avail(1) | INDIRECT)
    desc(0, BASE + 0x3000, 16, 0, 0, table=t)
    desc(1, BASE + 0x3100, 512, 0, 0, table=t)
    desc(2, BASE + 0x3400, 1, 0, WRITE, table=t)
    put(BASE + 0x3000, "IIQ", 1, 0, 2048)   # VIRTIO_BLK_T_OUT, sector 2048
    put(DEV, "HH", 1 | (1 << 15), 2)  # off 1 wrap 1, VRING_PACKED_EVENT_FLAG_DESC
    put(DRV, "HH", 0, 1)              # VRING_PACKED_EVENT_FLAG_DISABLE
elif kind in ("wrapped", "badwrap"):
    for i in range(1, 7):
        desc(i, BASE + 0x3000, 1, i, used(1))
    desc(7, BASE + 0x3000, 16, 0, avail(1) | NEXT)
    desc(0, BASE + 0x3100, 1, 9, (avail(0) if kind == "wrapped" else avail(1)) | WRITE)
elif kind == "dup-id":
    desc(0, BASE + 0x3000, 1, 4, avail(1))
    desc(1, BASE + 0x3100, 1, 4, avail(1))
else:
    sys.exit(__doc__)
with open(out, "wb") as f:
    f.write(img)
