# SPDX-License-Identifier: GPL-2.0-or-later
# Bad and partial copies of a real QEMU ELF dump (truncated, BTF or page tables damaged, another e_machine), for test-dump-kvq.sh.
"""dump_damage.py SRC DST VARIANT
   dump_damage.py check --vqdump BIN [--asan BIN] DUMP

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

check: for each VARIANT, a damaged copy of DUMP (an intact dump whose
kernel records vqdump reads) beside it, then `vqdump --core COPY list`
and `status` must exit with the status the man page's EXIT STATUS gives
(3 only when the file itself cannot be read, 2 when device commands
cannot run but `ring --at` and `scan` can, 0 when the records were read)
and print the reason expected below (the reason, not only the status);
`scan` must still run, and `ring --at` of the first queue the intact
dump's `status --json` lists must decode when the copy still holds its
RAM, else fail with "not in the dump (truncated file)".  With --asan,
the same commands under an AddressSanitizer build must not report.
Prints "ok - ..." / "not ok - ..." lines and "N passed, N failed".
"""

import argparse
import json
import mmap
import os
import re
import shutil
import struct
import subprocess
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


def make(src, dst, variant):
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
    return {"variant": variant, "what": what, "ram_end": ram_end}


# variant: (exit statuses of list and status, reason they print (a
# regular expression), scan's exit status).  A file cut inside its
# headers cannot be read at all (3); the others still give 'ring --at'
# and 'scan' (2); the records read in part or through the vote give 0.
TRUNC = r"truncated: [0-9.]+ of [0-9.]+ MiB of memory missing"
CASES = [
    ("trunc-phdrs", {3}, r"truncated: program headers end past the file's", 3),
    ("trunc-notes", {3}, r"truncated: the file holds none of its segments' bytes", 3),
    ("trunc-pre-btf", {2}, r"the guest kernel's records: .*; the dump is " + TRUNC +
     r"; .*'ring --at' and 'scan' still read it", 0),
    # Where vmlinux's BTF ends, the rest may or may not hold the records.
    ("trunc-post-btf", {0, 2}, r"(warning: dump |the dump is )" + TRUNC, 0),
    ("btf-magic", {2}, r"the guest kernel's records: none of the [0-9]+ BTF blobs? in its memory "
     r"is vmlinux's \(a damaged or filtered dump\?\).*'ring --at' and 'scan' still read it", 0),
    ("btf-strings", {2}, r"the guest kernel's records: none of the [0-9]+ BTF blobs? in its "
     r"memory is vmlinux's", 0),
    ("mod-btf", {2}, r"the guest kernel's records: the guest kernel's BTF has no struct "
     r"vring_virtqueue and no module's BTF in its memory has it", 0),
    ("no-btf", {2}, r"the guest kernel's records: no BTF in its memory \(a kernel without "
     r"CONFIG_DEBUG_INFO_BTF.*'ring --at' and 'scan' still read it", 0),
    # list has no column for it: status's view line says it.
    ("pgtables", {0}, r"direct map 0x[0-9a-f]+ by a vote of vring_virtqueue records", 0,
     ("status",)),
    ("aarch64", {2}, r"the guest kernel's records: read for x86-64 dumps only, and this one "
     r"is of aarch64 \(ELF machine 183\).*'ring --at' and 'scan' still read it", 0),
]


class Results:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, cond, what, detail=""):
        if cond:
            self.passed += 1
            print("ok - " + what)
        else:
            self.failed += 1
            print("not ok - %s%s" % (what, (": " + detail) if detail else ""))


def run(argv):
    p = subprocess.run(argv, capture_output=True, text=True, errors="replace", timeout=300)
    return p.returncode, p.stdout + p.stderr


def first_ring(binary, dump):
    """(desc, avail, used, size) of the first queue with rings the intact dump lists."""
    rc, out = run([binary, "--core", dump, "status", "--json"])
    if rc:
        raise SystemExit("intact dump: status --json exits %d: %s" % (rc, out))
    j = json.loads(out[out.index("{"):])
    for d in j["devices"]:
        for q in d.get("queues") or []:
            if q.get("desc") and q.get("used") and q.get("size"):
                return q["desc"], q["avail"], q["used"], q["size"]
    raise SystemExit("intact dump: no queue with rings")


def check_case(r, args, ring, case):
    variant, codes, reason, scan_rc = case[:4]
    says = case[4] if len(case) > 4 else ("list", "status")
    dst = os.path.join(os.path.dirname(os.path.abspath(args.dump)), "bad-%s.elf" % variant)
    made = make(args.dump, dst, variant)
    print("# %s: %s" % (variant, made["what"]))
    desc, avail, used, size = ring
    ring_end = used + 6 + 8 * size
    cmds = {"list": ["list"], "status": ["status"], "scan": ["scan"],
            "ring": ["ring", "--at", "0x%x,0x%x,0x%x" % (desc, avail, used), "--size", str(size)]}
    bins = [("", args.vqdump)] + ([("asan ", args.asan)] if args.asan else [])
    for tag, binary in bins:
        got = {k: run([binary, "--core", dst] + v) for k, v in cmds.items()}
        for k in ("list", "status"):
            rc, out = got[k]
            line = [ln for ln in out.splitlines() if re.search(reason, ln)]
            if not tag and k == says[0]:
                print("# %s: %s exit %d: %s" % (variant, k, rc, (line or [out.strip()])[0]))
            r.check(rc in codes and (bool(line) or k not in says),
                    "%s%s: %s exits %s%s" % (tag, variant, k, "/".join(map(str, sorted(codes))),
                                             " and says why" if k in says else ""),
                    "exit %d: %s" % (rc, out.strip()[-400:]))
        rc, out = got["scan"]
        r.check(rc == scan_rc and (scan_rc or "rings found" in out or "ring found" in out),
                "%s%s: scan exits %d" % (tag, variant, scan_rc), "exit %d: %s" % (rc, out.strip()[-300:]))
        rc, out = got["ring"]
        whole = made["ram_end"] is None or ring_end <= made["ram_end"]
        if scan_rc == 3:
            ok, want = rc == 3, "exits 3"
        elif whole:
            ok, want = rc == 0 and ("ring: size %d  desc 0x%x" % (size, desc)) in out, "decodes the ring"
        else:
            ok, want = rc == 3 and "not in the dump (truncated file)" in out, "says the ring was cut off"
        r.check(ok, "%s%s: ring --at 0x%x %s" % (tag, variant, desc, want),
                "exit %d: %s" % (rc, out.strip()[-300:]))
        if tag:
            r.check("AddressSanitizer" not in "".join(o for _, o in got.values()),
                    "asan %s: no AddressSanitizer report" % variant)
    os.unlink(dst)


def check(argv):
    ap = argparse.ArgumentParser(prog="dump_damage.py check")
    ap.add_argument("--vqdump", required=True)
    ap.add_argument("--asan")
    ap.add_argument("--only", action="append")
    ap.add_argument("dump")
    args = ap.parse_args(argv)
    r = Results()
    ring = first_ring(args.vqdump, args.dump)
    for case in CASES:
        if not args.only or case[0] in args.only:
            check_case(r, args, ring, case)
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 1 if r.failed else 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2:]))
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    print(json.dumps(make(*sys.argv[1:])))


if __name__ == "__main__":
    main()
