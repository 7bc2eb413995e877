#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes tests/fuzz/corpus/fuzz_pscan/: slices of mkpscan.py's hand-made rings in fuzz_pscan.c's input format.
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "fuzz_pscan")
IMG_BASE = 0x10000
with tempfile.TemporaryDirectory() as d:
    subprocess.run([sys.executable, os.path.join(HERE, "..", "cli", "mkpscan.py"), os.path.join(d, "img")], check=True)
    img = open(os.path.join(d, "img"), "rb").read()
os.makedirs(OUT, exist_ok=True)


def seed(name, start, length, flags=0, sizes=0xf0):
    """Memory from guest address @start, @length bytes; header: step flag,
    sizes 1 .. 32768 by default."""
    mem = img[start - IMG_BASE:start - IMG_BASE + length]
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(bytes([flags, sizes]) + struct.pack("<Q", start) + mem)


# Event pages, then the wrapped 64-slot ring (1 KiB of it and the rest zero).
seed("wrapped-with-events", 0x12000, 0x2400)
seed("first-round-with-events", 0x16000, 0x2200)
seed("split-ring", 0x1a000, 0x400)
seed("not-rings", 0x1c000, 0x3000)
seed("first-round-step16", 0x18000, 0x400, flags=1)
