#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes a raw memory image with hand-made packed and split rings for `scan` (virtio 1.3 sections 2.7 and 2.8).
"""usage: mkpscan.py OUT   (image loaded at 0x10000, 0x20000 bytes)

Each ring is written the way the spec says a driver and a device write
it, laid out the way Linux allocates packed rings (vring_alloc_queue:
descriptor ring, then the driver event area, then the device event area,
each on zeroed pages of its own, handed out downward):

  0x14000  packed, 64 slots, wrapped: round 1 wrote every slot (AVAIL 1),
           round 0 (AVAIL 0) has rewritten slots 0-9; the device wrote
           slots 0-7 back used in round 0 (AVAIL = USED = 0).  So the
           driver is at slot 10 wrap 0, the device at slot 8 wrap 0, and
           slots 8-9 are pending.  Driver event area (0x13000): DESC,
           slot 8 wrap 0; device event area (0x12000): ENABLE.
  0x18000  packed, first round, 5 slots: 0-2 used (AVAIL = USED = 1),
           3-4 available; driver event area (0x17000): DESC, slot 40
           wrap 1, so the ring has at least 41 slots; 0x16000 holds
           other data (a byte at 0x16100), so only the driver area is
           found there.  Any size from 64 up fits: driver at slot 5 wrap
           1, device at slot 3 wrap 1.
  0x1a000  split, 8 entries, Linux's 64-byte alignment (avail 0x1a080,
           used 0x1a0c0): 3 requests made available, 2 used.  Its
           descriptors' next fields are 0, so read as packed slots their
           flags are 0 (AVAIL = USED = 0): no slot carries AVAIL 1.
  0x1c000  not a ring: slots 0-1 written in round 1, slot 2 zero, slot 3
           written (a written slot after an unwritten one).
  0x1d000  not a ring: slot 1's flags have bit 3 set (no packed flag).
  0x1e000  not a ring: 8 slots made available in alternating rounds (AVAIL
           bits that no one driver position explains), none used.
"""
import struct
import sys

BASE = 0x10000
AVAIL, USED = 1 << 7, 1 << 15
NEXT, WRITE = 1, 2
img = bytearray(0x20000)


def put(addr, fmt, *v):
    struct.pack_into("<" + fmt, img, addr - BASE, *v)


def slot(ring, i, addr, ln, ident, flags):
    put(ring + 16 * i, "QIHH", addr, ln, ident, flags)


def avail(w):
    return AVAIL if w else USED


def used(w):
    return AVAIL | USED if w else 0


BUF = 0x7000000
# Ring A: wrapped, 64 slots.
A = 0x14000
for i in range(64):
    slot(A, i, BUF + 0x1000 * i, 512, i % 16, avail(1))
for i in range(10):
    slot(A, i, BUF + 0x1000 * i, 512, i, avail(0))
for i in range(8):
    slot(A, i, BUF + 0x1000 * i, 0, i, used(0))
put(A - 0x1000, "HH", 8, 2)      # driver area: DESC, off 8, wrap 0
put(A - 0x2000, "HH", 0, 0)      # device area: ENABLE
# Ring B: first round, 5 slots.
B = 0x18000
for i in range(3):
    slot(B, i, BUF + 0x100 * i, 16, i, used(1))
slot(B, 3, BUF + 0x300, 16, 3, avail(1))
slot(B, 4, BUF + 0x400, 4096, 4, avail(1) | WRITE)
put(0x16100, "B", 0x5a)
put(B - 0x1000, "HH", 40 | 1 << 15, 2)
# Split ring C: 8 entries; desc 16 bytes each, avail at +128, used at +192.
C = 0x1a000
for i in range(3):
    put(C + 16 * i, "QIHH", BUF + 0x2000 + 0x100 * i, 64, WRITE if i == 2 else 0, 0)
put(C + 128, "HH", 0, 3)                      # avail flags, idx 3
put(C + 132, "HHH", 0, 1, 2)                  # avail ring
put(C + 192, "HH", 0, 2)                      # used flags, idx 2
put(C + 196, "IIII", 0, 64, 1, 64)            # used ring
# Not rings.
D = 0x1c000
for i in (0, 1, 3):
    slot(D, i, BUF + 0x100 * i, 16, i, avail(1))
E = 0x1d000
slot(E, 0, BUF, 16, 0, used(1))
slot(E, 1, BUF + 0x100, 16, 1, avail(1) | 8)
F = 0x1e000
for i in range(8):
    slot(F, i, BUF + 0x100 * i, 16, i, avail(i % 2))
with open(sys.argv[1], "wb") as f:
    f.write(img)
