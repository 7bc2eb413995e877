#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes small valid BTF blobs (the kernel's type format) as seeds for fuzz_btf.
"""Each seed is: mode byte, cut byte, then BTF (base, or base + split)."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "fuzz_btf")


class Btf:
    def __init__(self, first_id=1, str_base=0):
        self.types = b""
        self.strs = b"\0" if not str_base else b""
        self.str_base = str_base
        self.next_id = first_id

    def s(self, name):
        off = self.str_base + len(self.strs)
        self.strs += name.encode() + b"\0"
        return off

    def add(self, name, kind, vlen, size_or_type, extra=b""):
        info = (kind << 24) | vlen
        self.types += struct.pack("<III", self.s(name) if name else 0, info, size_or_type) + extra
        self.next_id += 1
        return self.next_id - 1

    def int_(self, name, size):
        return self.add(name, 1, 0, size, struct.pack("<I", size * 8))

    def ptr(self, to):
        return self.add("", 2, 0, to)

    def struct(self, name, size, members, kind=4):
        extra = b"".join(struct.pack("<III", self.s(m) if m else 0, t, off * 8)
                         for m, t, off in members)
        return self.add(name, kind, len(members), size, extra)

    def blob(self):
        hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(self.types),
                          len(self.types), len(self.strs))
        return hdr + self.types + self.strs


def vmlinux():
    b = Btf()
    u32 = b.int_("unsigned int", 4)
    lh = b.struct("list_head", 16, [])
    ptr_lh = b.ptr(lh)
    lh2 = b.struct("list_head", 16, [("next", ptr_lh, 0), ("prev", ptr_lh, 8)])
    vd = b.struct("virtio_device", 816, [("index", u32, 0), ("vqs", lh2, 784)])
    pvd = b.ptr(vd)
    b.struct("virtqueue", 72, [("list", lh2, 0), ("vdev", pvd, 32), ("index", u32, 40)])
    return b


def main():
    os.makedirs(OUT, exist_ok=True)
    base = vmlinux()
    seeds = {"base-only": b"\x00\x00" + base.blob()}
    blob = base.blob()
    split = Btf(first_id=base.next_id, str_base=len(base.strs))
    u8 = split.int_("_Bool", 1)
    split.struct("vring_virtqueue", 208, [("packed_ring", u8, 72)])
    both = blob + split.blob()
    cut = round(len(blob) * 255 / len(both))
    seeds["base-and-split"] = bytes([1, cut]) + both
    seeds["empty-header"] = b"\x00\x00" + struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, 0, 0, 1) + b"\0"
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


main()
