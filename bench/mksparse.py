#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A QEMU ELF dump of a small guest grown into one of a bigger guest, sparsely.

usage: bench/mksparse.py IN.elf OUT.elf RAM_MIB

OUT holds IN's notes and every byte of IN's RAM at its own guest-physical
address; the RAM the bigger guest would have had beyond it is file bytes
that read as zeros (a hole: OUT takes little disk).  RAM is laid out as
QEMU's pc machine lays out a guest of RAM_MIB MiB (hw/i386/pc_piix.c): all
below 4 GiB when it is under 3.5 GiB, else 3 GiB below 4 GiB and the rest
from 4 GiB.  IN's PT_LOADs other than the one at 0 (the BIOS ROM) are kept
as they are.  Only ELF64 little-endian cores are handled.
"""
import struct
import sys

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
PT_LOAD, PT_NOTE = 1, 4
GIB = 1 << 30
PAGE = 4096


def layout(ram):
    """(paddr, size) of each RAM block of a pc guest with @ram bytes."""
    low = ram if ram < 0xE0000000 else 3 * GIB
    blocks = [(0, low)]
    if ram > low:
        blocks.append((4 * GIB, ram - low))
    return blocks


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[2])
    src, dst, ram = sys.argv[1], sys.argv[2], int(sys.argv[3]) << 20
    with open(src, "rb") as f:
        eh = EHDR.unpack(f.read(EHDR.size))
        if eh[0][:6] != b"\x7fELF\x02\x01" or eh[1] != 4:
            sys.exit(f"{src}: not an ELF64 little-endian core")
        phoff, phentsize, phnum = eh[5], eh[9], eh[10]
        phdrs = []
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            phdrs.append(list(PHDR.unpack(f.read(PHDR.size))))
        notes = [p for p in phdrs if p[0] == PT_NOTE]
        loads = [p for p in phdrs if p[0] == PT_LOAD]
        low = [p for p in loads if p[3] == 0]
        if len(low) != 1 or low[0][5] >= ram:
            sys.exit(f"{src}: no RAM at 0, or already {ram >> 20} MiB or more")
        real = low[0]
        # (phdr, source offset or None, length to copy)
        out = [(list(p), p[2], p[5]) for p in notes]
        for paddr, size in layout(ram):
            copy = real[5] if paddr == 0 else 0
            ph = [PT_LOAD, real[1], paddr, paddr, paddr, size, size, 0]
            out.append((ph, real[2] if copy else None, copy))
        out += [(list(p), p[2], p[5]) for p in loads if p is not real]
        out.sort(key=lambda e: (e[0][0] != PT_NOTE, e[0][3]))
        off = EHDR.size + len(out) * PHDR.size
        for ph, _, _ in out:
            if ph[0] == PT_LOAD:
                off = (off + PAGE - 1) // PAGE * PAGE
            ph[2] = off
            off += ph[5]
        with open(dst, "wb") as g:
            g.write(EHDR.pack(eh[0], eh[1], eh[2], eh[3], 0, EHDR.size, 0, eh[7],
                              EHDR.size, PHDR.size, len(out), 0, 0, 0))
            for ph, _, _ in out:
                g.write(PHDR.pack(*ph))
            for ph, s, n in out:
                if s is None:
                    continue
                g.seek(ph[2])
                f.seek(s)
                while n:
                    b = f.read(min(n, 8 << 20))
                    if not b:
                        sys.exit(f"{src}: truncated")
                    g.write(b)
                    n -= len(b)
            g.truncate(off)


if __name__ == "__main__":
    main()
