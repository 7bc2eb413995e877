#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes small hand-made ELF64 cores for cases no real dump has (bad headers, odd segments).
"""usage: mkcore.py OUT [--seg PADDR:HEXFILE_OR_@RAWFILE_OR_ZEROS:N] ... [--type N]
       [--filesz-extra N] [--no-segments] [--paddr-none]

Each --seg adds a PT_LOAD at guest-physical PADDR whose bytes come from a
raw file (@path) or are N zero bytes (zeros:N).  --filesz-extra claims
more bytes in the last segment than the file holds (a truncated dump).
"""
import struct
import sys


def main():
    args = sys.argv[1:]
    out = args.pop(0)
    segs, etype, extra, paddr_none = [], 4, 0, False
    while args:
        a = args.pop(0)
        if a == "--seg":
            paddr, src = args.pop(0).split(":", 1)
            if src.startswith("@"):
                data = open(src[1:], "rb").read()
            elif src.startswith("zeros"):
                data = bytes(int(src.split(":")[1], 0))
            else:
                raise SystemExit("bad --seg " + src)
            segs.append((int(paddr, 0), data))
        elif a == "--type":
            etype = int(args.pop(0), 0)
        elif a == "--filesz-extra":
            extra = int(args.pop(0), 0)
        elif a == "--paddr-none":
            paddr_none = True
        else:
            raise SystemExit(__doc__)
    ehsize, phsize = 64, 56
    off = ehsize + phsize * len(segs)
    phdrs, blobs = b"", b""
    for i, (paddr, data) in enumerate(segs):
        filesz = len(data) + (extra if i == len(segs) - 1 else 0)
        pa = 0xFFFFFFFFFFFFFFFF if paddr_none else paddr
        phdrs += struct.pack("<IIQQQQQQ", 1, 4, off, 0, pa, filesz, filesz, 0)
        off += len(data)
        blobs += data
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    eh = ident + struct.pack("<HHIQQQIHHHHHH", etype, 62, 1, 0,
                             ehsize if segs else 0, 0, 0, ehsize, phsize,
                             len(segs), 64, 0, 0)
    with open(out, "wb") as f:
        f.write(eh + phdrs + blobs)


main()
