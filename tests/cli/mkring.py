#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes a raw memory image holding one hand-made split ring, broken in a chosen way.
"""usage: mkring.py OUT KIND   (image is meant to be loaded at 0x10000)

KIND: loop (a chain whose next fields loop), ahead (avail idx 65535 ahead
of used), huge-indirect (indirect table longer than the queue),
overflow (addr + len wraps past 2^64), healthy (one blk request pending),
missing (the pending request's indirect table lies past the image, as a
page missing from a dump does).
Ring: descriptor table at 0x10000, size 8, used ring aligned to 64.
"""
import struct
import sys

BASE, N = 0x10000, 8
img = bytearray(0x4000)


def put(addr, fmt, *v):
    struct.pack_into("<" + fmt, img, addr - BASE, *v)


def desc(i, addr, ln, flags, nxt, table=BASE):
    put(table + 16 * i, "QIHH", addr, ln, flags, nxt)


avail = BASE + 16 * N
used = (avail + 6 + 2 * N + 63) & ~63
out, kind = sys.argv[1], sys.argv[2]
put(avail + 2, "H", 1)          # avail idx
put(avail + 4, "H", 0)          # slot 0 -> head 0
if kind == "loop":
    desc(0, 0x12000, 16, 1, 1)
    desc(1, 0x12100, 16, 1, 2)
    desc(2, 0x12200, 16, 1, 0)
elif kind == "ahead":
    desc(0, 0x12000, 16, 0, 0)
    put(avail + 2, "H", 65535)
elif kind == "huge-indirect":
    desc(0, 0x12000, 16 * 4096, 4, 0)
elif kind == "overflow":
    desc(0, 0xFFFFFFFFFFFFF000, 0x2000, 0, 0)
elif kind == "healthy":
    t = 0x12000
    desc(0, t, 48, 4, 0)
    desc(0, 0x13000, 16, 1, 1, table=t)
    desc(1, 0x13100, 512, 1, 2, table=t)
    desc(2, 0x13400, 1, 2, 0, table=t)
    put(0x13000, "IIQ", 1, 0, 2048)   # VIRTIO_BLK_T_OUT, sector 2048
    img[0x13400 - BASE] = 0xFF
elif kind == "missing":
    desc(0, 0x40000, 48, 4, 0)        # indirect table not in the 16 KiB image
else:
    raise SystemExit(__doc__)
open(out, "wb").write(img)
