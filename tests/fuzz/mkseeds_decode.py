#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes the seed corpora of fuzz_config, fuzz_pcicap and fuzz_mmio from the unit-test captures.
"""usage: mkseeds_decode.py

Regenerates tests/fuzz/corpus/{fuzz_config,fuzz_pcicap,fuzz_mmio}/ (each
directory is emptied first; mkseeds.py writes the other targets' seeds).
Sources, all under tests/unit/data/:

  config-qemu-pci/capture.txt   device IDs, offered features, config bytes
  qemu72-*.lspci                PCI config spaces (lspci -xxx), as raw bytes
  mmio-qemu72-*.txt             virtio-mmio registers, QMP ring addresses,
                                /proc/iomem, platform names, sysfs features

plus a few device-tree properties written here (no fixture has any).
The header of each target's input is described at the top of its .c file.
"""
import glob
import hashlib
import os
import re
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")
DATA = os.path.join(ROOT, "tests", "unit", "data")
TARGETS = ("fuzz_config", "fuzz_pcicap", "fuzz_mmio")
SEED_MAX = 4096  # run.sh's -max_len for these targets


def write(target, name, data):
    if len(data) > SEED_MAX:
        raise SystemExit("seed %s/%s is %d bytes (limit %d)" % (target, name, len(data), SEED_MAX))
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- fuzz_config: [id][max][flags][features 4 x le32][cut le16][cfg] ----

def config_seeds():
    seen = set()
    for line in open(os.path.join(DATA, "config-qemu-pci", "capture.txt")):
        m = re.match(r"VQ-DEV pci=(\S+) id=(\d+) features= (\S+) (\S+) (\S+) (\S+)"
                     r"(?: select=(\d+) subsel=(\d+))? cfg=([0-9a-f]*)", line)
        if not m:
            continue
        dev_id = int(m.group(2))
        feats = [int(m.group(i), 16) for i in range(3, 7)]
        cfg = bytes.fromhex(m.group(9))
        name = "id%d" % dev_id + ("-select%s" % m.group(7) if m.group(7) else "")
        hdr = struct.pack("<BBB4IH", dev_id, 64, 0, *feats, len(cfg) // 2)
        write("fuzz_config", name, hdr + cfg)
        seen.add(dev_id)
        # Every feature bit (fields the device did not offer), few fields of room.
        hdr = struct.pack("<BBB4IH", dev_id, 3, 0, *([0xffffffff] * 4), len(cfg))
        write("fuzz_config", name + "-allfeat-max3", hdr + cfg)
    # A 9P tag_len past the end, with no features (NULL).
    write("fuzz_config", "id9-taglen-past-end",
          struct.pack("<BBB4IH", 9, 64, 1, 0, 0, 0, 0, 3) + b"\x40\x00tag")
    write("fuzz_config", "id9-taglen-past-end-mounttag",
          struct.pack("<BBB4IH", 9, 64, 0, 1, 0, 0, 0, 3) + b"\x40\x00tag")


# ---- fuzz_pcicap: [flags][maxcaps][maxfind][capid][type][nq][6 x le64 BAR sizes][cfg][notify offs] ----

def lspci_bytes(path):
    b = bytearray()
    for line in open(path):
        m = re.match(r"^([0-9a-f]{2,3}): ((?:[0-9a-f]{2} ?)+)$", line.strip())
        if m:
            if int(m.group(1), 16) != len(b):
                raise SystemExit("%s: offset %s out of order" % (path, m.group(1)))
            b += bytes.fromhex(m.group(2))
    if len(b) not in (256, 4096):
        raise SystemExit("%s: %d bytes of config space" % (path, len(b)))
    return bytes(b)


def pcicap_seeds():
    # QEMU 7.2: BAR0 legacy I/O, BAR1 MSI-X table (4 KiB), BAR4 the modern structures (16 KiB).
    bars = struct.pack("<6Q", 0x40, 0x1000, 0, 0, 0x4000, 0)
    offs = struct.pack("<3H", 0, 1, 2)
    for path in sorted(glob.glob(os.path.join(DATA, "qemu72-*.lspci"))):
        name = os.path.basename(path)[len("qemu72-"):-len(".lspci")]
        cfg = lspci_bytes(path)
        # 256 bytes, 16 capabilities and 32 findings of room, MSI-X, common, 3 queues.
        write("fuzz_pcicap", name, bytes([0x08, 16, 32, 0x11, 1, 3]) + bars + cfg + offs)
        if name == "blk-modern":
            # As PCI Express config space (4096 bytes; the rest reads as 0),
            # NOTIFICATION_DATA, BAR sizes unknown, small arrays.
            write("fuzz_pcicap", name + "-4096", bytes([0x32, 2, 3, 0x09, 2, 3]) + bars + cfg + offs)
            # A config space of another size (refused).
            write("fuzz_pcicap", name + "-len255", bytes([0x03, 16, 32, 0x11, 1, 0]) + bars + cfg[:255])
            # The same list behind a CardBus bridge header (type 2: head at 0x14).
            cb = bytearray(cfg)
            cb[0x0e], cb[0x14] = 0x02, cfg[0x34]
            write("fuzz_pcicap", name + "-cardbus", bytes([0x08, 16, 32, 0x11, 1, 3]) + bars + bytes(cb) + offs)


# ---- fuzz_mmio: [group][bytes] ----

G_REGS, G_QUEUE, G_IOMEM, G_NAME, G_SYSFS, G_DT = range(6)


def mmio_devices(path):
    devs, d = [], None
    for line in open(path):
        w = line.split()
        if not w or w[0].startswith("#"):
            continue
        if w[0] == "device":
            d = {"base": int(w[1], 16), "r": {}, "f": {}, "q": {}, "w": {}, "x": {}, "p": None,
                 "s": None}
            devs.append(d)
        elif w[0] == "r":
            d["r"][int(w[1], 16)] = int(w[2], 16)
        elif w[0] == "f":
            d["f"][int(w[1])] = int(w[2], 16)
        elif w[0] in ("q", "w"):
            d[w[0]].setdefault(int(w[1]), {})[int(w[2], 16)] = int(w[3], 16)
        elif w[0] == "p":
            d["p"] = w[1]
        elif w[0] == "s":
            d["s"] = w[1]
        elif w[0] == "x" and w[1] == "queue":
            d["x"][int(w[2])] = {k: int(v, 16 if k != "num" else 10)
                                 for k, v in zip(w[3::2], w[4::2])}
    return devs


def queue_seed(version, flags, num_max, pfn, ready, num, desc, avail, used):
    return bytes([G_QUEUE]) + struct.pack(
        "<IB10I", version, flags, num_max, pfn, ready, num, desc & 0xffffffff, desc >> 32,
        avail & 0xffffffff, avail >> 32, used & 0xffffffff, used >> 32)


def mmio_seeds():
    names = set()
    for path in sorted(glob.glob(os.path.join(DATA, "mmio-qemu72-v*-bound.txt"))):
        tag = os.path.basename(path).split("-")[2]  # v1, v2
        for d in mmio_devices(path):
            r = d["r"]
            dev = "%s-id%d" % (tag, r[8])
            feats = [d["f"].get(i, 0) for i in range(4)]
            write("fuzz_mmio", dev + "-regs",
                  bytes([G_REGS]) + struct.pack("<3I4IBBHI", r[0], r[4], r[8], *feats,
                                                r.get(0x70, 0), 80, 0x034, r[4]))
            # The first two queues: as read, and as a snapshot with the
            # addresses the driver wrote (from QMP), with and without QueueNum.
            for qi in sorted(d["q"])[:2]:
                q, x = d["q"][qi], d["x"].get(qi)
                version = r[4]
                write("fuzz_mmio", "%s-q%d" % (dev, qi),
                      queue_seed(version, 0, q.get(0x34, 0), q.get(0x40, 0), q.get(0x44, 0),
                                 0, 0, 0, 0))
                if x and version == 2:
                    for num in (x["num"], 0):
                        write("fuzz_mmio", "%s-q%d-written-num%d" % (dev, qi, num),
                              queue_seed(2, 2, q.get(0x34, 0), 0, q.get(0x44, 0), num,
                                         x["desc"], x["avail"], x["used"]))
            if r[8] == 1:
                # An empty transport (DeviceID 0), and a reason buffer of 1 byte.
                write("fuzz_mmio", "%s-empty-regs" % tag,
                      bytes([G_REGS]) + struct.pack("<3I4IBBHI", r[0], r[4], 0, 0, 0, 0, 0, 0, 1,
                                                    0x070, r[4]))
            if d["s"]:
                write("fuzz_mmio", dev + "-sysfs", bytes([G_SYSFS]) + d["s"].encode() + b"\n")
            if d["p"]:
                names.add(d["p"])
    for i, n in enumerate(sorted(names)):
        write("fuzz_mmio", "name-%d" % i, bytes([G_NAME]) + n.encode())
    # A packed ring (VIRTIO_F_RING_PACKED) whose driver area is 2- but not 4-byte aligned.
    write("fuzz_mmio", "v2-packed-misaligned", queue_seed(2, 3, 256, 0, 1, 256, 0x1000, 0x2002, 0x3000))
    for n in ("virtio-mmio", "virtio-mmio.0", "a003e00.virtio_mmio", "LNRO0005:00 LNRO0005:00"):
        write("fuzz_mmio", "name-" + n.split()[0], bytes([G_NAME]) + n.encode())
    for i, line in enumerate(open(os.path.join(DATA, "mmio-qemu72-iomem-bound.txt"))):
        if line.startswith("#"):
            continue
        write("fuzz_mmio", "iomem-%02d" % i, bytes([G_IOMEM]) + line.encode())
    # Device tree: [ac][sc][parent ac][cells][addr le64][property].
    compat = b"virtio,mmio\0"
    write("fuzz_mmio", "dt-compatible", bytes([G_DT, 2, 1, 2, 2]) + struct.pack("<Q", 0) + compat)
    write("fuzz_mmio", "dt-compatible-second",
          bytes([G_DT, 2, 1, 2, 2]) + struct.pack("<Q", 0) + b"arm,foo\0" + compat)
    write("fuzz_mmio", "dt-reg-2-1",
          bytes([G_DT, 2, 1, 2, 3]) + struct.pack("<Q", 0xa003e00) +
          struct.pack(">III", 0, 0xa003e00, 0x200))
    # ranges: child 0x0 -> parent 0x40000000, 0x10000000 bytes (1, 2, 1 cells).
    write("fuzz_mmio", "dt-ranges-1-2-1",
          bytes([G_DT, 1, 1, 2, 1]) + struct.pack("<Q", 0x3e00) +
          struct.pack(">IIII", 0, 0, 0x40000000, 0x10000000))


def main():
    if sys.argv[1:]:
        raise SystemExit(__doc__)
    for t in TARGETS:
        shutil.rmtree(os.path.join(CORPUS, t), ignore_errors=True)
    config_seeds()
    pcicap_seeds()
    mmio_seeds()
    for t in TARGETS:
        d = os.path.join(CORPUS, t)
        files = os.listdir(d)
        # Identical seeds only cost load time.
        by_hash = {}
        for f in sorted(files):
            h = hashlib.sha1(open(os.path.join(d, f), "rb").read()).hexdigest()
            if h in by_hash:
                os.remove(os.path.join(d, f))
            else:
                by_hash[h] = f
        size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
        print("%s: %d seeds, %d bytes" % (t, len(os.listdir(d)), size))
    return 0


sys.exit(main())
