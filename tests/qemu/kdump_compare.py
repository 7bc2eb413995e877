# SPDX-License-Identifier: GPL-2.0-or-later
# Compare vqdump's reads of kdump-format dumps with the ELF dump of the same stopped guest and with QMP.
"""kdump_compare.py [--vqdump BIN] ELF QMP.json [--filtered KDUMP] [--filtered-elf ELF]
                    NAME=KDUMP...

ELF is QEMU's dump-guest-memory of the guest, read here by elfcore.py (not
by vqdump); QMP.json is qmp.py @virtio-snapshot, taken before the dumps.
For each NAME=KDUMP (an unfiltered kdump-compressed dump of the same
guest):

  * `vqdump --core KDUMP mem ADDR LEN` gives the ELF dump's bytes for every
    ring QEMU reports (descriptor table, avail and used ring) and for some
    other ranges (low memory, the kernel's first MiB at 16 MiB, the last
    page of RAM);
  * the used ring's idx read that way equals QEMU's used-idx.

--filtered names a `makedumpfile -d 31` dump: its page bitmaps are parsed
here (makedumpfile's IMPLEMENTATION: 1st bitmap RAM, 2nd bitmap the pages
the file holds); up to four pages in the 1st and not the 2nd must read as
one line "not in the dump (filtered)", exit 3, and up to four held pages
as the ELF dump's bytes.  --filtered-elf names a `makedumpfile -E -d 31`
ELF dump: an address in a PT_LOAD's zero fill (p_memsz past p_filesz)
must read as filtered too.

Prints "ok - ..." / "not ok - ..." and "N passed, N failed"; exit 1 if any
check failed.
"""

import argparse
import json
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import elfcore  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE = 4096
passed = failed = 0


def check(good, text, detail=""):
    global passed, failed
    if good:
        passed += 1
        print("ok - %s" % text)
    else:
        failed += 1
        print("not ok - %s%s" % (text, ": " + detail if detail else ""))
    sys.stdout.flush()


def vq_mem(vq, core, addr, n):
    """(bytes or None, exit status, stderr lines) of vqdump mem."""
    p = subprocess.run([vq, "--core", core, "mem", hex(addr), hex(n)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    err = p.stderr.decode(errors="replace").splitlines()
    if p.returncode:
        return None, p.returncode, err
    out = bytearray()
    for line in p.stdout.decode().splitlines():
        hexpart = line.split("|")[0].split()[1:]
        out += bytes(int(h, 16) for h in hexpart)
    return bytes(out), 0, err


def ring_ranges(snap):
    """(label, addr, len) of every ring part QEMU reports, and used-idx checks."""
    out = []
    for dev in snap["devices"]:
        for q in dev["queues"]:
            st = q["status"]
            if "error" in st or not st.get("vring-desc") or not st.get("vring-num"):
                continue
            n = st["vring-num"]
            lab = "%s q%d" % (dev["name"], q["queue"])
            out.append((lab + " desc", st["vring-desc"], 16 * n, None))
            out.append((lab + " avail", st["vring-avail"], 6 + 2 * n, None))
            out.append((lab + " used", st["vring-used"], 6 + 8 * n, st["used-idx"]))
    return out


def kdump_bitmaps(path):
    """The 1st and 2nd bitmaps of a kdump-compressed file and max_mapnr."""
    with open(path, "rb") as f:
        hdr = f.read(PAGE)
        if hdr[:8] != b"KDUMP   ":
            raise ValueError("%s: not a kdump-compressed file" % path)
        block, sub_blocks, bm_blocks, max_mapnr = struct.unpack_from("<iiII", hdr, 428)
        f.seek((1 + sub_blocks) * block)
        bm = f.read(bm_blocks * block)
    half = len(bm) // 2
    return bm[:half], bm[half:], max_mapnr


def bit(bm, i):
    return i // 8 < len(bm) and (bm[i // 8] >> (i % 8)) & 1


def check_kdump(vq, core, name, path, rings):
    # The end of the RAM QEMU dumps from address 0 (pc.ram below the PCI
    # hole; the BIOS ROM above it is not RAM, makedumpfile leaves it out).
    ram_end = min((a + f for a, _, f, _ in core.loads if a == 0), default=PAGE)
    fixed = [("low memory", 0, PAGE), ("16 MiB", 0x1000000, 0x100000),
             ("last page of RAM", ram_end - PAGE, PAGE)]
    bad = []
    for lab, addr, n, _ in rings + [(a, b, c, None) for a, b, c in fixed]:
        got, rc, err = vq_mem(vq, path, addr, n)
        want = core.read(addr, n)
        if got != want:
            bad.append("%s at %#x: %s" % (lab, addr, "exit %d %s" % (rc, err[:1]) if rc
                                          else "bytes differ"))
    check(not bad, "%s: mem equals the ELF dump at %d ranges (every ring part QEMU reports, and %d others)"
          % (name, len(rings) + len(fixed), len(fixed)), "; ".join(bad[:3]))
    bad = []
    for lab, addr, n, used_idx in rings:
        if used_idx is None:
            continue
        got, rc, err = vq_mem(vq, path, addr + 2, 2)
        if got is None or struct.unpack("<H", got)[0] != used_idx:
            bad.append("%s: %s, QMP used-idx %d" % (lab, got and struct.unpack("<H", got)[0], used_idx))
    check(not bad, "%s: used idx of every queue equals QMP's used-idx" % name, "; ".join(bad[:3]))


def check_filtered(vq, core, path):
    ram, held, max_mapnr = kdump_bitmaps(path)
    out = [p for p in range(max_mapnr) if bit(ram, p) and not bit(held, p)]
    kept = [p for p in range(max_mapnr) if bit(held, p)]
    check(out and kept, "-d 31 dump: its bitmaps hold %d pages and leave out %d pages of RAM"
          % (len(kept), len(out)))
    for p in [out[i * (len(out) - 1) // 3] for i in range(4)] if out else []:
        got, rc, err = vq_mem(vq, path, p * PAGE, 64)
        good = rc == 3 and len(err) == 1 and err[0].endswith(
            "address %#x not in the dump (filtered)" % (p * PAGE))
        check(good, "-d 31 dump: page %#x it left out reads as not in the dump (filtered)"
              % (p * PAGE), "exit %d, %s" % (rc, err))
    for p in [kept[i * (len(kept) - 1) // 3] for i in range(4)] if kept else []:
        got, rc, err = vq_mem(vq, path, p * PAGE, PAGE)
        check(got == core.read(p * PAGE, PAGE),
              "-d 31 dump: page %#x it kept reads as in the ELF dump" % (p * PAGE),
              "exit %d %s" % (rc, err[:1]))


def check_filtered_elf(vq, path):
    fcore = elfcore.Core(path)
    holes = [(a + f, m - f) for a, _, f, m in fcore.loads if m > f]
    check(holes, "-E -d 31 ELF dump: %d PT_LOADs end in zero fill" % len(holes))
    if holes:
        addr = holes[0][0]
        got, rc, err = vq_mem(vq, path, addr, 16)
        check(rc == 3 and len(err) == 1 and err[0].endswith("not in the dump (filtered)"),
              "-E -d 31 ELF dump: zero fill at %#x reads as not in the dump (filtered)" % addr,
              "exit %d, %s" % (rc, err))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vqdump", default=os.path.join(HERE, "..", "..", "build", "vqdump"))
    ap.add_argument("--filtered")
    ap.add_argument("--filtered-elf")
    ap.add_argument("elf")
    ap.add_argument("qmp")
    ap.add_argument("kdumps", nargs="*")
    a = ap.parse_intermixed_args()
    core = elfcore.Core(a.elf)
    rings = ring_ranges(json.load(open(a.qmp)))
    check(rings, "QMP reports %d ring parts" % len(rings))
    for spec in a.kdumps:
        name, path = spec.split("=", 1)
        check_kdump(a.vqdump, core, name, path, rings)
    if a.filtered:
        check_filtered(a.vqdump, core, a.filtered)
    if a.filtered_elf:
        check_filtered_elf(a.vqdump, a.filtered_elf)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
