#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes a small kdump-compressed file (pages stored uncompressed or zlib) from a raw image, with filtered pages.
"""usage: mkkdump.py RAW BASE OUT [--filter PFN...] [--zlib] [--flat] [--vmcoreinfo TEXT]
                  [--no-notes] [--machine NAME]

Lays the raw image RAW at guest-physical BASE (page-aligned) in a machine
of max(BASE + len(RAW)) rounded up to 16 pages, and writes OUT in the
kdump-compressed format as makedumpfile's IMPLEMENTATION file describes
it (header version 6, block size 4096, x86_64): the 1st bitmap marks every
page of the machine as RAM, the 2nd every page the dump holds, i.e. all
pages of RAW except the --filter PFNs (absolute page frame numbers); a page
outside RAW is RAM not in the dump, as a filter leaves it.  Pages are
stored raw, or zlib-compressed with --zlib.  --vmcoreinfo puts TEXT in the
sub header's VMCOREINFO and in a VMCOREINFO ELF note (--no-notes: in the
sub header only, as older makedumpfile versions write it).  --flat writes the
flattened format instead (makedumpfile -F: a 4096-byte "makedumpfile"
header, then (offset, size, data) records, big-endian), for refusal tests.
--machine NAME puts NAME (uname -m, e.g. aarch64) in the header's utsname
instead of x86_64.
"""
import struct
import sys
import zlib

PAGE = 4096


def note(owner, ntype, desc):
    name = owner.encode() + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)  # noqa: E731
    return struct.pack("<III", len(name), len(desc), ntype) + pad(name) + pad(desc)


def build(raw, base, filtered, use_zlib, vmcoreinfo, with_notes=True, machine=b"x86_64"):
    first = base // PAGE
    npages = (len(raw) + PAGE - 1) // PAGE
    raw = raw + b"\0" * (npages * PAGE - len(raw))
    max_mapnr = (first + npages + 15) // 16 * 16
    bitmap_blocks = 2 * ((max_mapnr + 8 * PAGE - 1) // (8 * PAGE))
    half = bitmap_blocks * PAGE // 2
    bm1, bm2 = bytearray(half), bytearray(half)
    dumped = [p for p in range(first, first + npages) if p not in filtered]
    for p in range(max_mapnr):
        bm1[p // 8] |= 1 << (p % 8)
    for p in dumped:
        bm2[p // 8] |= 1 << (p % 8)
    vmci = vmcoreinfo.encode() if vmcoreinfo else b""
    notes = note("VMCOREINFO", 0, vmci) if vmci and with_notes else b""
    # VMCOREINFO and the notes follow the sub header's 112 bytes, in its
    # blocks; the bitmaps and the page descriptors come after them.
    off_vmci = PAGE + 112
    off_note = off_vmci + len(vmci)
    sub_blocks = (off_note + len(notes) + PAGE - 1) // PAGE - 1
    off_desc = (1 + sub_blocks + bitmap_blocks) * PAGE
    off_data = off_desc + 24 * len(dumped)
    descs, data = bytearray(), bytearray()
    for p in dumped:
        page = raw[(p - first) * PAGE:(p - first + 1) * PAGE]
        stored, flags = page, 0
        if use_zlib:
            c = zlib.compress(page)
            if len(c) < PAGE:
                stored, flags = c, 1  # DUMP_DH_COMPRESSED_ZLIB
        descs += struct.pack("<qIIQ", off_data + len(data), len(stored), flags, 0)
        data += stored
    hdr = bytearray(PAGE)
    hdr[0:8] = b"KDUMP   "
    struct.pack_into("<i", hdr, 8, 6)                   # header_version
    for i, s in enumerate([b"Linux", b"vqdump-test", b"6.1.0", b"#1", machine, b"(none)"]):
        hdr[12 + 65 * i:12 + 65 * i + len(s)] = s       # struct new_utsname
    struct.pack_into("<IiiIIIIIIi", hdr, 424,
                     1 if use_zlib else 0,              # status
                     PAGE,                              # block_size
                     sub_blocks,                        # sub_hdr_size (blocks)
                     bitmap_blocks,
                     max_mapnr,
                     max_mapnr,                         # total_ram_blocks
                     0, 0, 0,                           # device, written blocks, current_cpu
                     1)                                 # nr_cpus
    sub = bytearray(sub_blocks * PAGE)
    struct.pack_into("<QiiQQqQqQqQQQQ", sub, 0,
                     0, 31 if filtered else 0, 0,       # phys_base, dump_level, split
                     0, max_mapnr,                      # start_pfn, end_pfn
                     off_vmci if vmci else 0, len(vmci),
                     off_note if notes else 0, len(notes),
                     0, 0,                              # eraseinfo
                     0, max_mapnr, max_mapnr)           # start/end_pfn_64, max_mapnr_64
    sub[112:112 + len(vmci) + len(notes)] = vmci + notes
    out = hdr + sub + bm1 + bm2
    return bytes(out + descs + data)


def flatten(dump):
    head = bytearray(PAGE)
    head[0:12] = b"makedumpfile"
    struct.pack_into(">qq", head, 16, 1, 1)             # type, version
    out = bytearray(head)
    for off in range(0, len(dump), 1 << 16):
        chunk = dump[off:off + (1 << 16)]
        out += struct.pack(">qq", off, len(chunk)) + chunk
    return bytes(out + struct.pack(">qq", -1, -1))      # end marker


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    raw = open(argv[1], "rb").read()
    base, out = int(argv[2], 0), argv[3]
    filtered, use_zlib, flat, vmci, with_notes = set(), False, False, None, True
    machine = b"x86_64"
    rest = argv[4:]
    while rest:
        a = rest.pop(0)
        if a == "--filter":
            while rest and not rest[0].startswith("--"):
                filtered.add(int(rest.pop(0), 0))
        elif a == "--zlib":
            use_zlib = True
        elif a == "--flat":
            flat = True
        elif a == "--no-notes":
            with_notes = False
        elif a == "--vmcoreinfo":
            vmci = rest.pop(0)
        elif a == "--machine":
            machine = rest.pop(0).encode()
        else:
            sys.stderr.write("mkkdump.py: unknown option %s\n" % a)
            return 2
    if base % PAGE:
        sys.stderr.write("mkkdump.py: BASE must be page-aligned\n")
        return 2
    dump = build(raw, base, filtered, use_zlib, vmci, with_notes, machine)
    with open(out, "wb") as f:
        f.write(flatten(dump) if flat else dump)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
