# SPDX-License-Identifier: GPL-2.0-or-later
# Read guest-physical memory from an ELF64 core (QEMU dump-guest-memory style).
"""Small ELF64 little-endian core reader used by the test scripts.

    core = Core(path)
    core.read(paddr, n)      -> bytes, or None if any byte is not in the core
    core.loads               -> [(paddr, offset, filesz, memsz)] sorted by paddr
    core.notes               -> [(offset, filesz)] of PT_NOTE segments
"""

import mmap
import struct

PT_LOAD = 1
PT_NOTE = 4
PN_XNUM = 0xFFFF

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
SHDR = struct.Struct("<IIQQQQIIQQ")


class ElfError(Exception):
    pass


class Core:
    def __init__(self, path):
        self.path = path
        self.f = open(path, "rb")
        try:
            self.m = mmap.mmap(self.f.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError as e:  # empty file
            raise ElfError("%s: %s" % (path, e))
        m = self.m
        if len(m) < EHDR.size or m[:4] != b"\x7fELF":
            raise ElfError("%s: not an ELF file" % path)
        if m[4] != 2 or m[5] != 1:
            raise ElfError("%s: not ELF64 little-endian" % path)
        (self.ident, self.e_type, self.e_machine, self.e_version, self.e_entry,
         self.e_phoff, self.e_shoff, self.e_flags, self.e_ehsize,
         self.e_phentsize, self.e_phnum, self.e_shentsize, self.e_shnum,
         self.e_shstrndx) = EHDR.unpack_from(m, 0)
        phnum = self.e_phnum
        if phnum == PN_XNUM:
            if not self.e_shoff:
                raise ElfError("%s: PN_XNUM without section header" % path)
            phnum = SHDR.unpack_from(m, self.e_shoff)[7]  # sh_info
        self.phnum = phnum
        self.phdrs = []
        self.loads = []
        self.notes = []
        for i in range(phnum):
            off = self.e_phoff + i * self.e_phentsize
            if off + PHDR.size > len(m):
                raise ElfError("%s: program header %d past end of file" % (path, i))
            ph = PHDR.unpack_from(m, off)
            p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align = ph
            if p_offset + p_filesz > len(m):
                raise ElfError("%s: segment %d past end of file" % (path, i))
            self.phdrs.append(ph)
            if p_type == PT_LOAD:
                self.loads.append((p_paddr, p_offset, p_filesz, p_memsz))
            elif p_type == PT_NOTE:
                self.notes.append((p_offset, p_filesz))
        self.loads.sort()

    def close(self):
        self.m.close()
        self.f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _find(self, paddr):
        lo, hi = 0, len(self.loads)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.loads[mid][0] <= paddr:
                lo = mid + 1
            else:
                hi = mid
        if lo == 0:
            return None
        seg = self.loads[lo - 1]
        if paddr < seg[0] + seg[2]:
            return seg
        return None

    def read(self, paddr, n):
        """Bytes at guest-physical [paddr, paddr+n), or None if not all present."""
        out = bytearray()
        while n > 0:
            seg = self._find(paddr)
            if seg is None:
                return None
            base, off, filesz, _ = seg
            k = min(n, base + filesz - paddr)
            start = off + (paddr - base)
            out += self.m[start:start + k]
            paddr += k
            n -= k
        return bytes(out)

    def u16(self, paddr):
        b = self.read(paddr, 2)
        return None if b is None else struct.unpack("<H", b)[0]

    def note_bytes(self):
        return [self.m[off:off + size] for off, size in self.notes]

    def ram_ranges(self):
        """(paddr, size) of every PT_LOAD with file contents."""
        return [(p, s) for p, _, s, _ in self.loads if s]
