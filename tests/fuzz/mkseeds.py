#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes the fuzz seed corpora (tests/fuzz/corpus/fuzz_*/) from the QEMU fixtures and tests/cli/mkcore.py.
"""usage: mkseeds.py [--check]

Regenerates every seed under tests/fuzz/corpus/ (the directories are
emptied first).  Sources:

  tests/fixtures/*/core.elf + qmp.json   real rings, their pages, buffers
  tests/cli/mkcore.py                    tiny hand-made cores

Each seed is small (< 64 KiB) and the whole corpus stays < 2 MiB; --check
only verifies those limits for what is on disk.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
MKCORE = os.path.join(ROOT, "tests", "cli", "mkcore.py")
SEED_MAX = 64 * 1024
CORPUS_MAX = 2 * 1024 * 1024
PAGE = 4096

# Must match sizes[] and devices[] in fuzz_ring.c and fuzz_scan.c.
RING_SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192,
              16384, 32768]
RING_DEVICES = [0, 1, 2, 3, 19]


class Core:
    """Guest-physical reads from an ELF64 core, as vq_mem_read does them."""

    def __init__(self, path):
        self.data = open(path, "rb").read()
        d = self.data
        if d[:4] != b"\x7fELF" or d[4] != 2:
            raise SystemExit(path + ": not an ELF64 file")
        (self.phoff,) = struct.unpack_from("<Q", d, 32)
        self.phentsize, self.phnum = struct.unpack_from("<HH", d, 54)
        self.phdrs = [struct.unpack_from("<IIQQQQQQ", d, self.phoff + i * self.phentsize)
                      for i in range(self.phnum)]
        self.loads = [(p[4], p[2], p[5], p[6]) for p in self.phdrs if p[0] == 1]

    def read(self, addr, length):
        out = b""
        while length:
            for paddr, off, filesz, memsz in self.loads:
                if paddr <= addr < paddr + memsz:
                    n = min(length, paddr + memsz - addr)
                    k = addr - paddr
                    part = self.data[off + k:off + min(k + n, filesz)]
                    out += part + bytes(n - len(part))
                    addr += n
                    length -= n
                    break
            else:
                return None
        return out

    def notes(self):
        return [(self.data[p[2]:p[2] + p[5]]) for p in self.phdrs if p[0] == 4]


def elf64_core(segs, notes=()):
    """An ELF64 ET_CORE: PT_NOTEs, then one PT_LOAD per (paddr, bytes)."""
    nph = len(notes) + len(segs)
    off = 64 + 56 * nph
    phdrs, blobs = b"", b""
    for n in notes:
        phdrs += struct.pack("<IIQQQQQQ", 4, 0, off, 0, 0, len(n), 0, 0)
        off += len(n)
        blobs += n
    for paddr, data in segs:
        phdrs += struct.pack("<IIQQQQQQ", 1, 4, off, paddr, paddr, len(data), len(data), 0)
        off += len(data)
        blobs += data
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    eh = ident + struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0, 0, 64, 56, nph, 64, 0, 0)
    return eh + phdrs + blobs


def elf32_core(segs):
    """An ELF32 ET_CORE (i386 dumps): one PT_LOAD per (paddr, bytes)."""
    off = 52 + 32 * len(segs)
    phdrs, blobs = b"", b""
    for paddr, data in segs:
        phdrs += struct.pack("<IIIIIIII", 1, off, paddr, paddr, len(data), len(data), 4, 0)
        off += len(data)
        blobs += data
    ident = b"\x7fELF" + bytes([1, 1, 1, 0]) + bytes(8)
    eh = ident + struct.pack("<HHIIIIIHHHHHH", 4, 3, 1, 0, 52, 0, 0, 52, 32, len(segs), 40, 0, 0)
    return eh + phdrs + blobs


def pattern(n, seed=1):
    return bytes((i * 7 + seed) & 0xff for i in range(n))


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if len(data) > SEED_MAX:
        raise SystemExit("seed %s/%s is %d bytes (limit %d)" % (target, name, len(data), SEED_MAX))
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def fixture_rings():
    """(fixture, core, [ring dicts]) for every fixture with a qmp.json."""
    out = []
    for fx in sorted(os.listdir(FIXTURES)):
        core = os.path.join(FIXTURES, fx, "core.elf")
        qmp = os.path.join(FIXTURES, fx, "qmp.json")
        if not (os.path.isfile(core) and os.path.isfile(qmp)):
            continue
        c = Core(core)
        rings = []
        for dev in json.load(open(qmp))["devices"]:
            st = dev["status"]
            for q in dev["queues"]:
                s = q["status"]
                n = s["vring-num"]
                if n not in RING_SIZES or not s["vring-desc"]:
                    continue
                rings.append({
                    "name": "%s-q%d" % (dev["name"].replace("virtio-", ""), q["queue"]),
                    "device_id": st.get("device-id", 0),
                    "desc": s["vring-desc"], "avail": s["vring-avail"],
                    "used": s["vring-used"], "size": n,
                })
        out.append((fx, c, rings))
    return out


def ring_span(r):
    return r["used"] + 6 + 8 * r["size"] - r["desc"]


def first_buffer_page(c, r):
    """Page holding what the oldest pending chain's head descriptor points
    at (an indirect table or a header), or None."""
    hdr = c.read(r["avail"], 4)
    used = c.read(r["used"], 4)
    if not hdr or not used:
        return None
    used_idx = struct.unpack_from("<H", used, 2)[0]
    slot = c.read(r["avail"] + 4 + 2 * (used_idx % r["size"]), 2)
    if not slot:
        return None
    head = struct.unpack("<H", slot)[0] % r["size"]
    d = c.read(r["desc"] + 16 * head, 16)
    if not d:
        return None
    addr = struct.unpack_from("<Q", d)[0]
    page = addr & ~(PAGE - 1)
    data = c.read(page, PAGE)
    return (page, data) if data else None


def ring_seeds(fixtures):
    for fx, c, rings in fixtures:
        for r in rings:
            span = ring_span(r)
            mem = c.read(r["desc"], span)
            if mem is None:
                print("skip %s %s: ring not in the core" % (fx, r["name"]))
                continue
            avail_end = r["avail"] + 6 + 2 * r["size"]
            if r["avail"] != r["desc"] + 16 * r["size"]:
                mode = 2
            elif r["used"] == (avail_end + 63) // 64 * 64:
                mode = 0
            elif r["used"] == (avail_end + 4095) // 4096 * 4096:
                mode = 1
            else:
                mode = 2
            dev = RING_DEVICES.index(r["device_id"]) if r["device_id"] in RING_DEVICES else 0
            buf = first_buffer_page(c, r)
            base1, extra = (buf[0], buf[1]) if buf else (0, b"")
            for layout, tag in ((mode, ""), (2, "-explicit")):
                hdr = struct.pack("<BBBBIIIQQI", RING_SIZES.index(r["size"]), layout, dev, 8,
                                  0, r["avail"] - r["desc"], r["used"] - r["desc"],
                                  r["desc"], base1, len(mem))
                write("fuzz_ring", "%s-%s%s" % (fx, r["name"], tag), hdr + mem + extra)
            # Same ring, payload type guessed from the chains' shape.
            hdr = struct.pack("<BBBBIIIQQI", RING_SIZES.index(r["size"]), mode, 0, 4,
                              0, r["avail"] - r["desc"], r["used"] - r["desc"],
                              r["desc"], base1, len(mem))
            write("fuzz_ring", "%s-%s-guess" % (fx, r["name"]), hdr + mem + extra)


def synthetic_ring(device, descs, buf, heads=(0,), ndone=0):
    """A ring of 8 at offset 0 (used aligned to 64) in 2 KiB of memory at
    0x10000000, with @descs as (index, offset, len, flags, next), buffer
    bytes @buf at offset 0x200, @heads made available and @ndone of them
    completed: chains that reach the payload decoders."""
    base, n = 0x10000000, 8
    mem = bytearray(0x800)
    for i, off, ln, flags, nxt in descs:
        struct.pack_into("<QIHH", mem, 16 * i, base + off, ln, flags, nxt)
    avail, used = 16 * n, 192
    struct.pack_into("<HH", mem, avail, 0, len(heads))
    for k, h in enumerate(heads):
        struct.pack_into("<H", mem, avail + 4 + 2 * k, h)
    struct.pack_into("<HH", mem, used, 0, ndone)
    for k in range(ndone):
        struct.pack_into("<II", mem, used + 4 + 8 * k, heads[k], 1)
    mem[0x200:0x200 + len(buf)] = buf
    hdr = struct.pack("<BBBBIIIQQI", RING_SIZES.index(n), 0, RING_DEVICES.index(device), 8,
                      0, avail, used, base, 0, len(mem))
    return hdr + bytes(mem)


def synthetic_ring_seeds():
    NEXT, WRITE, INDIRECT = 1, 2, 4
    blk = struct.pack("<IIQ", 1, 0, 8)
    write("fuzz_ring", "synthetic-blk", synthetic_ring(
        2, [(0, 0x200, 16, NEXT, 1), (1, 0x400, 512, NEXT, 2), (2, 0x210, 1, WRITE, 0)], blk))
    # Header, data and status in one table reached through INDIRECT.
    table = b"".join(struct.pack("<QIHH", 0x10000000 + a, ln, f, nx) for a, ln, f, nx in
                     ((0x200, 16, NEXT, 1), (0x400, 4096, NEXT | WRITE, 2), (0x210, 1, WRITE, 0)))
    write("fuzz_ring", "synthetic-blk-indirect", synthetic_ring(
        0, [(0, 0x300, len(table), INDIRECT, 0)], blk + bytes(0x100 - len(blk)) + table))
    write("fuzz_ring", "synthetic-net-tx", synthetic_ring(
        1, [(0, 0x200, 12, NEXT, 1), (1, 0x280, 60, 0, 0)],
        struct.pack("<BBHHHHH", 1, 1, 54, 1448, 34, 16, 1)))
    write("fuzz_ring", "synthetic-vsock", synthetic_ring(
        19, [(0, 0x200, 44, 0, 0)],
        struct.pack("<QQIIIHHIII", 2, 3, 1024, 5000, 0, 1, 1, 0, 262144, 0)))
    write("fuzz_ring", "synthetic-console", synthetic_ring(
        3, [(0, 0x200, 6, 0, 0), (1, 0x208, 3, 0, 0)], b"hello\n\0\0ok\n", heads=(0, 1), ndone=1))
    # A chain whose next fields loop, and one that names itself through INDIRECT.
    write("fuzz_ring", "synthetic-loop", synthetic_ring(
        2, [(0, 0x200, 16, NEXT, 1), (1, 0x200, 16, NEXT, 0)], blk))
    write("fuzz_ring", "synthetic-indirect-nested", synthetic_ring(
        0, [(0, 0x200, 32, INDIRECT, 0)],
        struct.pack("<QIHH", 0x10000200, 32, INDIRECT, 0) * 2))


def scan_seeds(fixtures):
    for fx, c, rings in fixtures:
        for r in rings:
            span = ring_span(r)
            mem = c.read(r["desc"], span)
            if mem is None:
                continue
            # Step 4096, every size, room for 1024 hits, one region.
            hdr = struct.pack("<BBBBIQIII", 0, RING_SIZES.index(r["size"]), 0xf0, 0, 0,
                              r["desc"], 0, 0, 0)
            write("fuzz_scan", "%s-%s" % (fx, r["name"]), hdr + mem)
        # Step 16 over a ring that starts 48 bytes into the memory, and
        # the same memory as two regions split at the available ring.
        r = rings[0]
        mem = c.read(r["desc"] - 48, ring_span(r) + 48)
        if mem is not None:
            hdr = struct.pack("<BBBBIQIII", 1, RING_SIZES.index(r["size"]), 0xf0, 0, 0,
                              r["desc"] - 48, 0, 0, 0)
            write("fuzz_scan", "%s-%s-step16" % (fx, r["name"]), hdr + mem)
            hdr = struct.pack("<BBBBIQIII", 2, 0, 0xf0, 2, r["avail"] - r["desc"] + 48,
                              r["desc"] - 48, 0, 0, 0)
            write("fuzz_scan", "%s-%s-split" % (fx, r["name"]), hdr + mem)
            # Sizes straight through the API: 64..0 (0 = the default).
            hdr = struct.pack("<BBBBIQIII", 4, 0, 0, 0, 0, r["desc"] - 48, 0, 64, 0)
            write("fuzz_scan", "%s-%s-api-sizes" % (fx, r["name"]), hdr + mem)
        # Ordinary memory next to a ring: nothing to find.
        page = (r["used"] + 6 + 8 * r["size"] + PAGE - 1) // PAGE * PAGE
        mem = c.read(page, PAGE)
        if mem is not None:
            hdr = struct.pack("<BBBBIQIII", 0, 8, 0xf0, 0, 0, page, 0, 0, 0)
            write("fuzz_scan", "%s-not-a-ring" % fx, hdr + mem)


def mkcore(segs, *opts):
    """tests/cli/mkcore.py with one --seg per (paddr, bytes or "zeros:N")."""
    with tempfile.TemporaryDirectory() as t:
        out = os.path.join(t, "core")
        argv = [sys.executable, MKCORE, out]
        for i, (paddr, data) in enumerate(segs):
            if isinstance(data, bytes):
                p = os.path.join(t, "seg%d" % i)
                with open(p, "wb") as f:
                    f.write(data)
                data = "@" + p
            argv += ["--seg", "%#x:%s" % (paddr, data)]
        subprocess.run(argv + list(opts), check=True)
        with open(out, "rb") as f:
            return f.read()


def set_phdr(core, i, field, value):
    """Patch field (p_offset, p_paddr, p_filesz, p_memsz) of ELF64 phdr i."""
    off = {"p_offset": 8, "p_paddr": 24, "p_filesz": 32, "p_memsz": 40}[field]
    b = bytearray(core)
    struct.pack_into("<Q", b, 64 + 56 * i + off, value)
    return bytes(b)


def elfcore_seeds(fixtures):
    c1 = mkcore([(0x1000, pattern(256))])
    write("fuzz_elfcore", "mkcore-one-segment", c1)
    write("fuzz_elfcore", "mkcore-two-adjacent", mkcore([(0, "zeros:64"), (0x40, pattern(64, 3))]))
    write("fuzz_elfcore", "mkcore-truncated",
          mkcore([(0x2000, pattern(128, 5))], "--filesz-extra", "100"))
    write("fuzz_elfcore", "mkcore-kcore-like", mkcore([(0x3000, pattern(32))], "--paddr-none"))
    write("fuzz_elfcore", "mkcore-not-core", mkcore([(0x1000, pattern(256))], "--type", "2"))
    write("fuzz_elfcore", "mkcore-zero-fill", set_phdr(c1, 0, "p_memsz", 4096))
    write("fuzz_elfcore", "mkcore-overlap",
          mkcore([(0x1000, pattern(128, 9)), (0x1040, pattern(128, 11))]))
    # Ends one byte short of 2^64, zero-filled after the file part.
    write("fuzz_elfcore", "mkcore-top-of-space",
          set_phdr(set_phdr(c1, 0, "p_paddr", 0xfffffffffffffe00), 0, "p_memsz", 0x1ff))
    write("fuzz_elfcore", "elf32-two-segments",
          elf32_core([(0x1000, pattern(64)), (0x3000, pattern(64, 2))]))
    for fx, c, rings in fixtures:
        # The ring pages of the first two queues, with the notes.
        pages = set()
        for r in rings[:2]:
            for a in range(r["desc"] & ~(PAGE - 1), r["desc"] + ring_span(r), PAGE):
                pages.add(a)
        segs = []
        for a in sorted(pages):
            d = c.read(a, PAGE)
            if d is None:
                continue
            if segs and segs[-1][0] + len(segs[-1][1]) == a:
                segs[-1] = (segs[-1][0], segs[-1][1] + d)
            else:
                segs.append((a, d))
        write("fuzz_elfcore", "%s-ring-pages" % fx, elf64_core(segs, c.notes()))
        # The head of the real file: every header, few segments' bytes.
        head = c.phoff + c.phnum * c.phentsize
        write("fuzz_elfcore", "%s-head" % fx, c.data[:min(len(c.data), head + 2048)])


def payload_seeds():
    write("fuzz_payload", "blk-out", struct.pack("<IIQ", 1, 0, 120000))
    write("fuzz_payload", "blk-in-status", struct.pack("<IIQ", 0, 0, 8) + b"\x00")
    write("fuzz_payload", "net-v1", struct.pack("<BBHHHHH", 1, 1, 54, 1448, 34, 16, 1))
    write("fuzz_payload", "net-legacy", struct.pack("<BBHHHH", 0, 0x81, 0, 0, 0, 0))
    write("fuzz_payload", "vsock-rw",
          struct.pack("<QQIIIHHIII", 2, 3, 1024, 5000, 512, 1, 5, 0, 262144, 4096))
    write("fuzz_payload", "type-console", b"console")
    write("fuzz_payload", "type-vsock", b"vsock")


def total_size():
    t = 0
    for d, _, files in os.walk(CORPUS):
        for f in files:
            s = os.path.getsize(os.path.join(d, f))
            if s > SEED_MAX:
                raise SystemExit("seed %s is %d bytes (limit %d)" % (os.path.join(d, f), s, SEED_MAX))
            t += s
    return t


def main():
    if sys.argv[1:] == ["--check"]:
        t = total_size()
        print("corpus: %d bytes" % t)
        return 0 if t <= CORPUS_MAX else 1
    if sys.argv[1:]:
        raise SystemExit(__doc__)
    for t in ("fuzz_elfcore", "fuzz_ring", "fuzz_scan", "fuzz_payload"):
        shutil.rmtree(os.path.join(CORPUS, t), ignore_errors=True)
    fixtures = fixture_rings()
    ring_seeds(fixtures)
    synthetic_ring_seeds()
    scan_seeds(fixtures)
    elfcore_seeds(fixtures)
    payload_seeds()
    t = total_size()
    print("corpus: %d bytes in %s" % (t, CORPUS))
    if t > CORPUS_MAX:
        raise SystemExit("corpus over %d bytes" % CORPUS_MAX)
    return 0


if __name__ == "__main__":
    sys.exit(main())
