#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes small hand-made ELF64 cores for cases no real dump has (bad headers, odd segments).
"""usage: mkcore.py OUT [--seg PADDR:HEXFILE_OR_@RAWFILE_OR_ZEROS:N] ... [--type N]
       [--filesz-extra N] [--memsz-extra N] [--vmcoreinfo TEXT] [--no-segments]
       [--paddr-none] [--machine N]

Each --seg adds a PT_LOAD at guest-physical PADDR whose bytes come from a
raw file (@path) or are N zero bytes (zeros:N).  --filesz-extra claims
more bytes in the last segment than the file holds (a truncated dump).
--memsz-extra gives the last segment N bytes of zero fill (p_memsz past
p_filesz, as makedumpfile -E writes pages it filtered out); --vmcoreinfo
adds a PT_NOTE holding a VMCOREINFO note with TEXT (a kernel vmcore).
--machine sets e_machine (default 62, EM_X86_64; 183 is EM_AARCH64).
"""
import struct
import sys


def main():
    args = sys.argv[1:]
    out = args.pop(0)
    segs, etype, extra, paddr_none, memextra, vmci = [], 4, 0, False, 0, None
    machine = 62
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
        elif a == "--memsz-extra":
            memextra = int(args.pop(0), 0)
        elif a == "--vmcoreinfo":
            vmci = args.pop(0).encode()
        elif a == "--machine":
            machine = int(args.pop(0), 0)
        elif a == "--paddr-none":
            paddr_none = True
        else:
            raise SystemExit(__doc__)
    ehsize, phsize = 64, 56
    nph = len(segs) + (1 if vmci is not None else 0)
    off = ehsize + phsize * nph
    phdrs, blobs = b"", b""
    if vmci is not None:
        pad = lambda b: b + bytes(-len(b) % 4)  # noqa: E731
        note = struct.pack("<III", 11, len(vmci), 0) + pad(b"VMCOREINFO\0") + pad(vmci)
        phdrs += struct.pack("<IIQQQQQQ", 4, 0, off, 0, 0, len(note), len(note), 0)
        off += len(note)
        blobs += note
    for i, (paddr, data) in enumerate(segs):
        last = i == len(segs) - 1
        filesz = len(data) + (extra if last else 0)
        memsz = filesz + (memextra if last else 0)
        pa = 0xFFFFFFFFFFFFFFFF if paddr_none else paddr
        phdrs += struct.pack("<IIQQQQQQ", 1, 4, off, 0, pa, filesz, memsz, 0)
        off += len(data)
        blobs += data
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    eh = ident + struct.pack("<HHIQQQIHHHHHH", etype, machine, 1, 0,
                             ehsize if nph else 0, 0, 0, ehsize, phsize,
                             nph, 64, 0, 0)
    with open(out, "wb") as f:
        f.write(eh + phdrs + blobs)


main()
