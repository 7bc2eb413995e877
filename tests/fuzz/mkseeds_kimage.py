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


DIRECT = 0xffff888000000000   # x86-64 direct map: DIRECT + physical


def packed_records(variant):
    """A packed queue of 8 (byte 0: size - 1, kernel variant in bits 6-7)
    whose vring_virtqueue is at +0x400 (bytes 12-15), with Linux 6.1's
    offsets as fuzz_kimage.c has them: use_dma_api (65) and indirect (68)
    set, do_unmap (71) too, desc_state (112) at +0x800, desc_extra (120)
    at +0x900.  ID 0 an indirect table at +0xa00 (desc_extra[0] its copy),
    ID 1 a chain of two (desc_extra[1], then [3] by next), ID 2 free."""
    m = bytearray(0xb00)
    m[0] = 7 | variant << 6
    struct.pack_into("<I", m, 12, 0x400)
    o = 0x400
    m[o + 65] = m[o + 68] = m[o + 71] = 1
    struct.pack_into("<QQ", m, o + 112, DIRECT + MEMBASE + 0x800, DIRECT + MEMBASE + 0x900)
    struct.pack_into("<QQH", m, 0x800, DIRECT + 0x5000, DIRECT + MEMBASE + 0xa00, 1)
    struct.pack_into("<QQH", m, 0x800 + 24, DIRECT + 0x6000, 0, 2)
    struct.pack_into("<QIHH", m, 0x900, MEMBASE + 0xa00, 48, 4, 2)
    struct.pack_into("<QIHH", m, 0x900 + 16, 0xa000, 16, 1, 3)
    struct.pack_into("<QIHH", m, 0x900 + 48, 0xb000, 1, 2, 4)
    return bytes(m)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in (("tables", tables()), ("vmcoreinfo-btf", vmcoreinfo()),
                       ("cpu-note", cpu_note()), ("packed-records", packed_records(0)),
                       ("packed-records-6.8", packed_records(1)),
                       ("packed-records-6.18", packed_records(2))):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
