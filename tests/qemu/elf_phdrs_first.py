# SPDX-License-Identifier: GPL-2.0-or-later
# Rewrite a QEMU ELF dump with its program headers right after the ELF header, for makedumpfile.
"""elf_phdrs_first.py IN.elf OUT.elf

makedumpfile 1.7.2 cannot read QEMU's ELF dumps ("Can't get the number of
PT_LOAD"): it expects the program headers right after the ELF header, and
QEMU 7.2 puts section headers there (program headers at 192).  This writes
the same segments (notes and memory, byte for byte) with the program
headers at 64 and no section headers.  ELF64 little-endian only, and not
for dumps with PN_XNUM program headers.
"""
import struct
import sys


def main(src, dst):
    with open(src, "rb") as f, open(dst, "wb") as o:
        eh = bytearray(f.read(64))
        if eh[:4] != b"\x7fELF" or eh[4] != 2 or eh[5] != 1:
            sys.exit("%s: not an ELF64 little-endian file" % src)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        if phnum == 0xFFFF:
            sys.exit("%s: PN_XNUM program headers are not handled" % src)
        f.seek(phoff)
        phs = [list(struct.unpack("<IIQQQQQQ", f.read(phentsize)[:56])) for _ in range(phnum)]
        struct.pack_into("<QQ", eh, 32, 64, 0)           # e_phoff, e_shoff
        struct.pack_into("<HHHH", eh, 56, phnum, 0, 0, 0)  # e_phnum, e_shentsize, e_shnum, e_shstrndx
        struct.pack_into("<H", eh, 54, 56)                # e_phentsize
        o.write(eh)
        off = 64 + 56 * phnum
        for p in phs:
            q = list(p)
            q[2] = off
            off += p[5]
            o.write(struct.pack("<IIQQQQQQ", *q))
        for p in phs:
            f.seek(p[2])
            left = p[5]
            while left:
                b = f.read(min(left, 1 << 20))
                if not b:
                    sys.exit("%s: ends inside a segment" % src)
                o.write(b)
                left -= len(b)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
