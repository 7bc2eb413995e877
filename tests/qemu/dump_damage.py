# SPDX-License-Identifier: GPL-2.0-or-later
# Bad and partial copies of a real QEMU ELF dump (truncated, BTF or page tables damaged, another e_machine), for test-dump-kvq.sh.
"""dump_damage.py SRC DST VARIANT

Writes DST, a damaged copy of SRC (a little-endian ELF64 core written by
QEMU's dump-guest-memory without paging), and prints one JSON line saying
what was done: {"variant", "what", "ram_end"} where ram_end is the first
guest-physical address whose bytes the copy no longer holds (null when
all RAM is there), so that the caller knows which rings are still whole.

The kernel's BTF blobs are found as vqdump's reader documents them
(decode/kimage.h, from Documentation/bpf/btf.rst): struct btf_header on a
4-byte boundary: magic 0xeB9F, version 1, flags 0, hdr_len 24, then
type_off, type_len, str_off, str_len from the header's end.  vmlinux's is
the one whose strings name task_struct; the virtio_ring module's (split
BTF) any other whose strings name vring_virtqueue.

VARIANT:
  trunc-phdrs      cut inside the program headers
  trunc-notes      cut inside the note segment (program headers whole)
  trunc-pre-btf    cut in RAM 1 MiB before vmlinux's BTF
  trunc-post-btf   cut in RAM 1 MiB after vmlinux's BTF ends
  btf-magic        vmlinux's BTF header magic zeroed
  btf-strings      vmlinux's BTF string section zeroed
  mod-btf          the magic of every virtio_ring module BTF blob zeroed
  no-btf           the magic of every BTF blob zeroed (a kernel without BTF)
  pgtables         VMCOREINFO note renamed, the page-table roots CR3 names
                   (and CR3 - 4 KiB, the PTI kernel root) zeroed
  aarch64          e_machine set to EM_AARCH64 (183)
"""

import json
import mmap
import re
import shutil
import struct
import sys

BTF_HDR = re.compile(rb"\x9f\xeb\x01\x00\x18\x00\x00\x00", re.DOTALL)
PT_LOAD, PT_NOTE = 1, 4
# QEMUCPUState (target/i386/arch_dump.c): version, size, 16 GPRs, rip,
# rflags, 10 segments of 24 bytes, then cr[0..4].
QEMU_CR0 = 8 + 18 * 8 + 10 * 24


def phdrs(m):
    if m[:4] != b"\x7fELF" or m[4] != 2 or m[5] != 1:
        raise SystemExit("not a little-endian ELF64 file")
    phoff, = struct.unpack_from("<Q", m, 32)
    phentsize, phnum = struct.unpack_from("<HH", m, 54)
    out = []
    for i in range(phnum):
        ptype, _, off, _, paddr, filesz, memsz = struct.unpack_from(
            "<IIQQQQQ", m, phoff + i * phentsize)
        out.append((ptype, off, paddr, filesz, memsz))
    return phoff, phentsize, out


def notes(m, segs):
    """(owner, desc_offset, desc_size, name_offset) of every note."""
    out = []
    for ptype, off, _, filesz, _ in segs:
        if ptype != PT_NOTE:
            continue
        pos = off
        while pos + 12 <= off + filesz:
            namesz, descsz, _ = struct.unpack_from("<III", m, pos)
            name = bytes(m[pos + 12:pos + 12 + namesz]).rstrip(b"\0").decode("latin-1")
            desc = pos + 12 + (namesz + 3) // 4 * 4
            out.append((name, desc, descsz, pos + 12))
            pos = desc + (descsz + 3) // 4 * 4
    return out


def paddr_to_off(segs, paddr):
    for ptype, off, base, filesz, _ in segs:
        if ptype == PT_LOAD and base <= paddr < base + filesz:
            return off + paddr - base
    raise SystemExit("0x%x is not in the dump's file" % paddr)


def off_to_paddr(segs, fo):
    for ptype, off, base, filesz, _ in segs:
        if ptype == PT_LOAD and off <= fo < off + filesz:
            return base + fo - off
    return None


def blobs(m, segs):
    """Every BTF blob: dict(off, len, str_off, str_len, vmlinux, vring)."""
    out = []
    for ptype, off, _, filesz, _ in segs:
        if ptype != PT_LOAD:
            continue
        for hit in BTF_HDR.finditer(m, off, off + filesz):
            at = hit.start()
            if (at - off) % 4:
                continue
            t_off, t_len, s_off, s_len = struct.unpack_from("<IIII", m, at + 8)
            end = 24 + max(t_off + t_len, s_off + s_len)
            if not s_len or at + end > off + filesz:
                continue
            strs = bytes(m[at + 24 + s_off:at + 24 + s_off + s_len])
            out.append({"off": at, "len": end, "str_off": at + 24 + s_off, "str_len": s_len,
                        "vmlinux": b"\0task_struct\0" in strs,
                        "vring": b"\0vring_virtqueue\0" in strs})
    return out


def vmlinux_blob(bl):
    v = [b for b in bl if b["vmlinux"]]
    if not v:
        raise SystemExit("no vmlinux BTF in the dump")
    return v[0]


def cut(src, dst, length, segs):
    with open(src, "rb") as f, open(dst, "wb") as o:
        left = length
        while left:
            buf = f.read(min(left, 1 << 22))
            if not buf:
                break
            o.write(buf)
            left -= len(buf)
    return off_to_paddr(segs, length)


def zero_magic(m, bl):
    for b in bl:
        m[b["off"]:b["off"] + 2] = b"\0\0"
    return len(bl)


def damage(m, segs, variant):
    """Patch the mapped copy @m in place: what was done."""
    bl = blobs(m, segs)
    if variant == "btf-magic":
        v = vmlinux_blob(bl)
        zero_magic(m, [v])
        return "vmlinux BTF magic at file offset 0x%x zeroed" % v["off"]
    if variant == "btf-strings":
        v = vmlinux_blob(bl)
        m[v["str_off"]:v["str_off"] + v["str_len"]] = bytes(v["str_len"])
        return "vmlinux BTF strings (%d bytes) zeroed" % v["str_len"]
    if variant == "mod-btf":
        mods = [b for b in bl if b["vring"] and not b["vmlinux"]]
        if not mods:
            raise SystemExit("no virtio_ring module BTF in the dump (built into vmlinux?)")
        return "%d virtio_ring module BTF blob(s) damaged" % zero_magic(m, mods)
    if variant == "no-btf":
        return "%d BTF blob(s) damaged" % zero_magic(m, bl)
    if variant == "pgtables":
        roots = set()
        for owner, desc, size, name_at in notes(m, segs):
            if owner == "VMCOREINFO":
                m[name_at] = ord("X")
            elif owner == "QEMU" and size >= QEMU_CR0 + 40:
                cr3, = struct.unpack_from("<Q", m, desc + QEMU_CR0 + 24)
                roots.update({cr3 & ~0xfff, cr3 & ~0x1fff})
        for r in roots:
            at = paddr_to_off(segs, r)
            m[at:at + 4096] = bytes(4096)
        return "VMCOREINFO renamed, page-table roots %s zeroed" % \
            ",".join("0x%x" % r for r in sorted(roots))
    if variant == "aarch64":
        struct.pack_into("<H", m, 18, 183)
        return "e_machine 183 (EM_AARCH64)"
    raise SystemExit("unknown variant %s" % variant)


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    src, dst, variant = sys.argv[1:]
    with open(src, "rb") as f:
        m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        phoff, phentsize, segs = phdrs(m)
        ram_end = None
        what = None
        if variant == "trunc-phdrs":
            ram_end = 0
            cut(src, dst, phoff + phentsize + phentsize // 2, segs)
            what = "cut inside the second program header"
        elif variant == "trunc-notes":
            note = [s for s in segs if s[0] == PT_NOTE][0]
            ram_end = 0
            cut(src, dst, note[1] + note[3] // 2, segs)
            what = "cut in the middle of the note segment"
        elif variant in ("trunc-pre-btf", "trunc-post-btf"):
            v = vmlinux_blob(blobs(m, segs))
            at = v["off"] - (1 << 20) if variant == "trunc-pre-btf" else \
                v["off"] + v["len"] + (1 << 20)
            at &= ~0xfff
            ram_end = cut(src, dst, at, segs)
            what = "cut at file offset 0x%x (vmlinux BTF at 0x%x, %d bytes)" % (
                at, v["off"], v["len"])
        m.close()
    if what is None:
        shutil.copyfile(src, dst)
        with open(dst, "r+b") as f:
            m = mmap.mmap(f.fileno(), 0)
            _, _, segs = phdrs(m)
            what = damage(m, segs, variant)
            m.flush()
            m.close()
    print(json.dumps({"variant": variant, "what": what, "ram_end": ram_end}))


if __name__ == "__main__":
    main()
