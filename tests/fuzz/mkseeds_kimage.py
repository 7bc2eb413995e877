#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes seeds for fuzz_kimage: guest memory with x86-64 page tables, VMCOREINFO text, a BTF header, a QEMU CPU note.
"""Each seed is guest memory at 0x200000; its first 16 bytes are also the
harness's choices (page-table root offset, level bit, virtual address,
virtio_device offset)."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "fuzz_kimage")
MEMBASE = 0x200000


def tables():
    m = bytearray(0x3000)
    # root offset 0, 4 levels, va 0xffff88e1_80000000 >> 12 in bytes 3..7
    m[0:2] = b"\0\0"
    m[2] = 0
    struct.pack_into("<Q", m, 3, (0x88e180000000 >> 12) & 0xffffffffff)
    struct.pack_into("<Q", m, 8, 0x2000)          # the virtio_device at +0x2000
    struct.pack_into("<Q", m, 273 * 8, (MEMBASE + 0x1000) | 3)
    struct.pack_into("<Q", m, 0x1000 + 390 * 8, 0x83)   # 1 GiB page at 0
    struct.pack_into("<Q", m, 0x1000 + 391 * 8, MEMBASE | 3)  # a loop back to the root
    struct.pack_into("<i", m, 0x2000, 3)           # index
    struct.pack_into("<I", m, 0x2000 + 768, 2)     # id.device
    return bytes(m)


def vmcoreinfo():
    t = (b"\0" * 16 + b"OSRELEASE=6.1.0\nSYMBOL(init_top_pgt)=ffffffff9cc10000\n"
         b"NUMBER(phys_base)=-364904448\nNUMBER(pgtable_l5_enabled)=0\nKERNELOFFSET=1a200000\n")
    hdr = struct.pack("<HBBIIIII", 0xeb9f, 1, 0, 24, 0, 16, 16, 8)
    return t + b"\0" * (-len(t) % 4) + hdr + b"\0" * 24


def cpu_note():
    d = bytearray(440)
    struct.pack_into("<II", d, 0, 1, 440)
    struct.pack_into("<QQ", d, 392 + 24, 0x1000, 0x1000)
    return bytes(d)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in (("tables", tables()), ("vmcoreinfo-btf", vmcoreinfo()),
                       ("cpu-note", cpu_note())):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
