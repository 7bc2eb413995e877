# SPDX-License-Identifier: GPL-2.0-or-later
# Compare what vqdump printed inside a live guest with QEMU's QMP view taken just before and just after.
"""live_compare.py compare --label L --serial LOG --tag T --before A.json --after B.json
   live_compare.py specs A.json [--load 0|1]
   live_compare.py features-self-test

compare: LOG is the guest console; the blocks of round T (VQ-OUT T KEY
rc=N ... VQ-END T KEY, written by live_guest.sh) hold `vqdump list --json`,
`vqdump status --json`, `vqdump -d DEV ring --queue N --json`, `vqdump -d
SEL status --json` and what Linux's sysfs says about each device.  A.json
and B.json are live_qmp.py snapshots taken (VM stopped) before the guest
was told to run the round and after it said it had finished, so every
value vqdump read lies between them:

  * values that do not move while the system runs (device ID, status,
    features, queue addresses and sizes, the number of queues) must equal
    QEMU's (both snapshots agree on them; if they do not, either is
    accepted and a note says so);
  * ring indices read from guest memory must lie in QEMU's window
    [before, after] (16-bit, wrapping); when before == after the queue did
    not move during the round and the comparison is exact;
  * in_flight must be (avail_idx - used_idx) mod 65536 of the same output.

How QEMU's answers are turned into the numbers vqdump shows:

  * feature names ("VIRTIO_BLK_F_SEG_MAX: ...") become bit numbers through
    the kernel's UAPI headers (/usr/include/linux/virtio_*.h,
    vhost_types.h), parsed here, independent of vqdump's own name tables;
    QEMU's "unknown-dev-features" number is added as raw bits.  Bit sets
    are compared, never names.  One name QEMU uses is not in the UAPI
    headers: VHOST_USER_F_PROTOCOL_FEATURES, bit 30 (QEMU's
    include/hw/virtio/vhost-user.h); QEMU prints that name for bit 30,
    which virtio-pci sets in every device's host features (VIRTIO_F_BAD_FEATURE).
  * the features a transport shows to a driver are not always QEMU's
    host-features.  A legacy interface (virtio-pci legacy I/O BAR, MMIO
    version 1) has one 32-bit feature word: bits 32 and up are invisible.
    A modern interface (virtio-pci capabilities, MMIO version 2) does not
    offer the legacy-only bits (virtio 1.2 section 6.3, "Legacy Interface:
    Reserved Feature Bits": 24 NOTIFY_ON_EMPTY, 27 ANY_LAYOUT, 30; and for
    virtio-net 6 GSO, section 5.1.3.1): QEMU masks them out
    (VIRTIO_LEGACY_FEATURES and virtio-net's legacy_features).  The test
    expects exactly that.
  * status strings ("VIRTIO_CONFIG_S_DRIVER_OK: ...") become bits through
    the VIRTIO_CONFIG_S_* values of linux/virtio_config.h.

specs: prints the SPEC words live_guest.sh's `run` takes for a round,
chosen from QEMU's devices in A.json: list, status, sysfs, up to three ring
specs per device (the first two and the last queue with rings; `status`
covers every queue), and -d in every form (index, short PCI address,
mmio:ADDR, virtioN when drivers are loaded, one that does not exist; the
full PCI address and mmio:ADDR are used by every ring spec).

Prints "ok - ..." / "not ok - ..." lines and notes ("# ...");
exit 1 if a check failed.
"""

import argparse
import glob
import json
import os
import re
import sys

UAPI_DIR = os.environ.get("VQ_UAPI_DIR", "/usr/include/linux")

# Not in the Linux UAPI headers; QEMU's name for bit 30 (see the docstring).
EXTRA_FEATURES = {"VHOST_USER_F_PROTOCOL_FEATURES": 30}

# Legacy-only feature bits a modern interface does not offer (see above).
LEGACY_ONLY = {24, 27, 30}
LEGACY_ONLY_BY_DEVICE = {1: {6}}

VIRTIO_ID_BLOCK = 2
VIRTIO_ID_NET = 1
VIRTIO_ID_CONSOLE = 3
VIRTIO_ID_SCSI = 8
VIRTIO_ID_GPU = 16
VIRTIO_BLK_F_SEG_MAX = 2
VIRTIO_BLK_F_WRITE_ZEROES = 14
VIRTIO_CONSOLE_F_MULTIPORT = 1


def uapi_defines():
    """NAME -> integer for every simple #define in the virtio UAPI headers."""
    raw = {}
    files = sorted(glob.glob(os.path.join(UAPI_DIR, "virtio_*.h")))
    files.append(os.path.join(UAPI_DIR, "vhost_types.h"))
    rx = re.compile(r"^\s*#\s*define\s+([A-Z][A-Z0-9_]*)\s+([^\s/][^/]*?)\s*(?:/[*/].*)?$", re.M)
    for path in files:
        try:
            with open(path) as f:
                text = f.read()
        except OSError:
            continue
        for name, value in rx.findall(text):
            raw.setdefault(name, value.strip())

    def resolve(name, depth=0):
        v = raw.get(name)
        if v is None or depth > 8:
            return None
        v = v.strip()
        while v.startswith("(") and v.endswith(")"):
            v = v[1:-1].strip()
        m = re.match(r"^(0[xX][0-9a-fA-F]+|\d+)[uUlL]*$", v)
        if m:
            return int(m.group(1), 0)
        m = re.match(r"^1[uUlL]*\s*<<\s*(\d+)$", v)
        if m:
            return 1 << int(m.group(1))
        if re.match(r"^[A-Z][A-Z0-9_]*$", v):
            return resolve(v, depth + 1)
        return None

    out = {}
    for name in raw:
        val = resolve(name)
        if val is not None:
            out[name] = val
    return out


_DEFS = None


def defs():
    global _DEFS
    if _DEFS is None:
        _DEFS = uapi_defines()
    return _DEFS


def feature_bit(name):
    if name in EXTRA_FEATURES:
        return EXTRA_FEATURES[name]
    if "_F_" not in name:
        return None
    v = defs().get(name)
    return v if v is not None and 0 <= v < 128 else None


def qmp_feature_bits(obj):
    """QEMU's {"transports", "dev-features", "unknown-dev-features"} -> (set of bits, [unmapped names])."""
    bits, unmapped = set(), []
    if not obj:
        return bits, unmapped
    for key in ("transports", "dev-features"):
        for s in obj.get(key, []) or []:
            name = s.split(":", 1)[0].strip()
            b = feature_bit(name)
            if b is None:
                unmapped.append(name)
            else:
                bits.add(b)
    unk = obj.get("unknown-dev-features") or 0
    for b in range(128):
        if unk >> b & 1:
            bits.add(b)
    return bits, unmapped


STATUS_NAMES = ("ACKNOWLEDGE", "DRIVER", "DRIVER_OK", "FEATURES_OK", "NEEDS_RESET", "FAILED")


def qmp_status_value(st):
    """QEMU's status {"statuses": [...], "unknown-statuses"} -> (byte, [unmapped])."""
    v, unmapped = 0, []
    for s in st.get("statuses", []) or []:
        name = s.split(":", 1)[0].strip()
        bit = defs().get(name) if name.startswith("VIRTIO_CONFIG_S_") else None
        if bit is None:
            unmapped.append(name)
        else:
            v |= bit
    v |= st.get("unknown-statuses", 0) or 0
    return v, unmapped


def status_names(value):
    out = set()
    for n in STATUS_NAMES:
        m = defs().get("VIRTIO_CONFIG_S_" + n)
        if m is not None and value & m:
            out.add(n)
    return out


def fmt_bits(bits):
    return "{" + ",".join(str(b) for b in sorted(bits)) + "}"


def hx(v):
    return "0x%x" % v if isinstance(v, int) else str(v)


class Results:
    def __init__(self, label):
        self.label = label
        self.passed = 0
        self.failed = 0

    def check(self, good, text, detail=None):
        if good:
            self.passed += 1
            print("ok - %s: %s" % (self.label, text))
        else:
            self.failed += 1
            print("not ok - %s: %s%s" % (self.label, text, " -- " + detail if detail else ""))
        sys.stdout.flush()
        return good

    def note(self, text):
        print("# %s: %s" % (self.label, text))


def parse_blocks(serial_path, tag):
    """{KEY: {"rc", "out", "err"}} for round TAG of the guest console."""
    with open(serial_path, "rb") as f:
        lines = f.read().decode(errors="replace").replace("\r", "").split("\n")
    blocks = {}
    cur = None
    for line in lines:
        if cur is None:
            m = re.match(r"^VQ-OUT (\S+) (\S+) rc=(\d+)$", line)
            if m and m.group(1) == tag:
                cur = {"key": m.group(2), "rc": int(m.group(3)), "out": [], "err": [], "in": "out"}
            continue
        if line == "VQ-ERR" and cur["in"] == "out":
            cur["in"] = "err"
            continue
        if line == "VQ-END %s %s" % (tag, cur["key"]):
            blocks[cur["key"]] = {"rc": cur["rc"], "out": "\n".join(cur["out"]),
                                  "err": "\n".join(cur["err"]).strip()}
            cur = None
            continue
        cur[cur["in"]].append(line)
    return blocks


def block_json(res, blocks, key, what):
    b = blocks.get(key)
    if not res.check(b is not None, "%s: output present on the console" % what,
                     "no VQ-OUT block %s" % key):
        return None
    err = b["err"].splitlines()[0] if b["err"] else ""
    if not res.check(b["rc"] == 0, "%s: exit status 0" % what,
                     "exit %d%s" % (b["rc"], ": " + err if err else "")):
        return None
    try:
        j = json.loads(b["out"])
    except ValueError as e:
        res.check(False, "%s: valid JSON" % what, str(e))
        return None
    return j


def parse_sysfs(text):
    s = {"virtio": {}, "iomem": {}, "pci": {}, "platform": {}}
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        kv = dict(p.split("=", 1) for p in parts[2:] if "=" in p)
        if parts[0] == "virtio" and len(parts) > 1:
            s["virtio"][parts[1]] = kv
        elif parts[0] == "iomem" and len(parts) > 2:
            s["iomem"].setdefault(int(parts[1], 16), parts[2])
        elif parts[0] in ("pci", "platform") and len(parts) > 1:
            s[parts[0]][parts[1]] = kv.get("driver", "")
    return s


def expected_transport(t):
    """(transport string, mmio version or None)."""
    if t.get("kind") == "pci":
        return ("pci-legacy" if t.get("disable_modern") else "pci"), None
    if t.get("kind") == "mmio":
        return "mmio", (1 if t.get("force_legacy") else 2)
    return None, None


def is_legacy(t):
    tr, ver = expected_transport(t)
    return tr == "pci-legacy" or (tr == "mmio" and ver == 1)


def expected_device_features(dev):
    bits, unmapped = qmp_feature_bits(dev["status"].get("host-features"))
    if is_legacy(dev["transport"]):
        return {b for b in bits if b < 32}, unmapped
    hide = LEGACY_ONLY | LEGACY_ONLY_BY_DEVICE.get(dev["status"].get("device-id"), set())
    return bits - hide, unmapped


def sysfs_expect(dev, sysfs):
    """(virtio_name, driver, virtio_driver) Linux reports for this QEMU device."""
    t = dev["transport"]
    if t.get("kind") == "pci":
        parent = t.get("name")
        pdrv = sysfs["pci"].get(parent) or None
    else:
        parent = sysfs["iomem"].get(t.get("mmio_base"))
        pdrv = sysfs["platform"].get(parent) or None if parent else None
    vname = vdrv = None
    for n, kv in sysfs["virtio"].items():
        if parent and kv.get("parent") == parent:
            vname = n
            vdrv = kv.get("driver") or None
    return vname, pdrv, vdrv


def window(res, what, v, a, b, counts):
    """v (vqdump) against QEMU's a (before) and b (after), 16-bit."""
    if a is None or b is None:
        return res.check(v is None, "%s is null (QEMU: no ring)" % what, "got %s" % v)
    if not isinstance(v, int):
        return res.check(False, "%s = %s" % (what, a if a == b else "[%s..%s]" % (a, b)),
                         "got %s" % json.dumps(v))
    if a == b:
        counts["exact"] += 1
        return res.check(v == a, "%s = %d" % (what, a), "got %d" % v)
    counts["moved"] += 1
    good = ((v - a) & 0xFFFF) <= ((b - a) & 0xFFFF)
    return res.check(good, "%s = %d within QEMU's [%d (before), %d (after)]" % (what, v, a, b),
                     "not in the window")


def same(res, what, got, a, b, fmt=str):
    if a == b:
        return res.check(got == a, "%s = %s" % (what, fmt(a)), "got %s" % fmt(got))
    return res.check(got in (a, b), "%s = %s or %s (QEMU changed it during the round)"
                     % (what, fmt(a), fmt(b)), "got %s" % fmt(got))


def check_header(res, what, d, dev_a, dev_b, sysfs):
    """Fields list and status share: device_id, transport, version, status, queues, names."""
    tr, ver = expected_transport(dev_a["transport"])
    res.check(d.get("device_id") == dev_a["status"]["device-id"],
              "%s device_id = %d" % (what, dev_a["status"]["device-id"]),
              "got %s" % d.get("device_id"))
    res.check(d.get("transport") == tr, "%s transport = %s" % (what, tr),
              "got %s" % d.get("transport"))
    if ver is not None:
        res.check(d.get("mmio_version") == ver, "%s mmio_version = %d" % (what, ver),
                  "got %s" % d.get("mmio_version"))
        res.check(d.get("mmio_base") == dev_a["transport"]["mmio_base"],
                  "%s mmio_base = %s" % (what, hx(dev_a["transport"]["mmio_base"])),
                  "got %s" % hx(d.get("mmio_base")))
    sa, ua = qmp_status_value(dev_a["status"]["status"])
    sb, _ = qmp_status_value(dev_b["status"]["status"]) if dev_b else (sa, [])
    if ua:
        res.check(False, "%s QEMU status names map to bits" % what, "unknown: %s" % ua)
    st = d.get("status") or {}
    same(res, "%s status.value" % what, st.get("value"), sa, sb, hx)
    want_names = status_names(st.get("value") if isinstance(st.get("value"), int) else sa)
    res.check(set(st.get("names") or []) == want_names,
              "%s status.names = %s" % (what, sorted(want_names)),
              "got %s" % st.get("names"))
    nq = dev_a["status"].get("num-vqs")
    res.check(d.get("num_queues") == nq, "%s num_queues = %s" % (what, nq),
              "got %s" % d.get("num_queues"))
    if sysfs is not None:
        vname, pdrv, vdrv = sysfs_expect(dev_a, sysfs)
        res.check(d.get("virtio_name") == vname, "%s virtio_name = %s (sysfs)" % (what, vname),
                  "got %s" % d.get("virtio_name"))
        res.check(d.get("driver") == pdrv, "%s driver = %s (sysfs)" % (what, pdrv),
                  "got %s" % d.get("driver"))
        res.check(d.get("virtio_driver") == vdrv,
                  "%s virtio_driver = %s (sysfs)" % (what, vdrv),
                  "got %s" % d.get("virtio_driver"))


def check_features(res, what, d, dev_a, dev_b, sysfs):
    want, unmapped = expected_device_features(dev_a)
    want_b = expected_device_features(dev_b)[0] if dev_b else want
    if unmapped:
        res.check(False, "%s QEMU's feature names are in the UAPI headers" % what,
                  "unknown: %s" % sorted(set(unmapped)))
    f = d.get("device_features")
    got = set(f.get("bits", [])) if isinstance(f, dict) else None
    legacy = " (legacy interface: low 32 bits)" if is_legacy(dev_a["transport"]) else \
        " (modern interface: without legacy-only bits)"
    if got is None:
        res.check(False, "%s device_features = %s%s" % (what, fmt_bits(want), legacy),
                  "got null")
    else:
        good = got == want or got == want_b
        detail = None
        if not good:
            detail = "got %s; missing %s, extra %s" % (fmt_bits(got), fmt_bits(want - got),
                                                      fmt_bits(got - want))
        res.check(good, "%s device_features = %s%s" % (what, fmt_bits(want), legacy), detail)
        if isinstance(f.get("names"), list):
            res.check(len(f["names"]) == len(f.get("bits", [])),
                      "%s device_features has one name per bit" % what,
                      "%d names, %d bits" % (len(f["names"]), len(f.get("bits", []))))

    gwant, gun = qmp_feature_bits(dev_a["status"].get("guest-features"))
    gwant_b = qmp_feature_bits(dev_b["status"].get("guest-features"))[0] if dev_b else gwant
    if gun:
        res.check(False, "%s QEMU's guest feature names are in the UAPI headers" % what,
                  "unknown: %s" % sorted(set(gun)))
    g = d.get("driver_features")
    t = dev_a["transport"]
    if t.get("kind") == "mmio":
        # The driver-features register is write-only: only Linux can say,
        # through /sys/bus/virtio/devices/virtioN/features.
        if sysfs is None:
            return
        vname, _, bound = sysfs_expect(dev_a, sysfs)
        if bound:
            if not res.check(isinstance(g, dict) and g.get("source") == "sysfs",
                             "%s driver_features from sysfs (driver %s bound)" % (what, bound),
                             "got %s" % json.dumps(g)):
                return
        elif isinstance(g, dict) and g.get("source") == "status":
            # Not read: the status shows no negotiation since reset, so
            # the accepted set is empty; QEMU must agree.
            res.check(g.get("bits") == [] and not gwant,
                      "%s driver_features empty, implied by the status (QEMU: %s)"
                      % (what, fmt_bits(gwant)), "got %s" % json.dumps(g))
            return
        elif vname and isinstance(g, dict) and g.get("source") == "sysfs":
            # Linux has the device but no driver (a probe that failed):
            # sysfs still holds what Linux wrote; accepted if it is right.
            res.note("%s: no driver bound to %s, vqdump still takes driver_features from sysfs"
                     % (what, vname))
        else:
            res.check(g is None, "%s driver_features = null (register write-only, %s)"
                      % (what, "%s has no driver" % vname if vname else "Linux does not know "
                         "the device"), "got %s" % json.dumps(g))
            if g is None:
                res.note("%s: QEMU's guest-features are %s (not readable by vqdump)"
                         % (what, fmt_bits(gwant)))
            return
    else:
        if not res.check(isinstance(g, dict) and g.get("source") == "registers",
                         "%s driver_features read from the registers" % what,
                         "got %s" % json.dumps(g if not isinstance(g, dict) else g.get("source"))):
            if not isinstance(g, dict):
                return
    got = set(g.get("bits", []))
    good = got == gwant or got == gwant_b
    res.check(good, "%s driver_features = %s (QEMU guest-features)" % (what, fmt_bits(gwant)),
              None if good else "got %s; missing %s, extra %s"
              % (fmt_bits(got), fmt_bits(gwant - got), fmt_bits(got - gwant)))


def queue_pair(dev_a, dev_b, i):
    qa = dev_a["queues"][i] if i < len(dev_a["queues"]) else None
    qb = dev_b["queues"][i] if dev_b and i < len(dev_b["queues"]) else qa
    return qa, qb


ADDR_KEYS = (("desc", "vring-desc"), ("avail", "vring-avail"), ("used", "vring-used"))


def mmio_v2(dev):
    return expected_transport(dev["transport"]) == ("mmio", 2)


def check_addrs(res, w, q, sa, sb, setup, write_only=False):
    """Ring addresses of one queue; False when there is nothing more to compare.

    write_only: virtio-mmio version 2, whose QueueDesc/Driver/Device
    registers are write-only (virtio 1.3, 4.2.2: the driver MUST NOT read
    them; QEMU 7.2 returns 0).  There vqdump takes the addresses from
    Linux's own records (src/access/kvq.c: BTF and /proc/kcore) and says
    so with addr_source "kernel"; elsewhere addr_source is "registers"."""
    if not setup:
        # No rings: QEMU says 0; vqdump may say 0 or null ("none").
        got = [q.get(k) for k, _ in ADDR_KEYS]
        res.check(all(v in (0, None) for v in got) and all(not sb.get(qk) for _, qk in ADDR_KEYS),
                  "%s has no rings (desc/avail/used 0 or null, QEMU 0)" % w,
                  "got %s" % "/".join(hx(v) for v in got))
        return True
    if all(q.get(k) is None for k, _ in ADDR_KEYS):
        # vqdump does not know where the rings are: one failure, not five.
        res.check(False, "%s desc/avail/used = %s" % (w, "/".join(hx(sa.get(qk)) for _, qk in ADDR_KEYS)),
                  "vqdump has null (unknown): indices not compared either")
        return False
    for k, qk in ADDR_KEYS:
        same(res, "%s %s" % (w, k), q.get(k), sa.get(qk), sb.get(qk), hx)
    src = "kernel" if write_only else "registers"
    res.check(q.get("addr_source") == src, "%s addr_source = %s" % (w, src),
              "got %s" % json.dumps(q.get("addr_source")))
    return True


def check_queues(res, what, d, dev_a, dev_b, counts):
    qs = d.get("queues")
    if not res.check(isinstance(qs, list), "%s queues is a list" % what, "got %s" % type(qs)):
        return
    nq = len(dev_a["queues"])
    res.check(len(qs) == nq, "%s %d queues listed" % (what, nq), "got %d" % len(qs))
    mmio = dev_a["transport"].get("kind") == "mmio"
    unset = []
    for i, q in enumerate(qs[:nq]):
        qa, qb = queue_pair(dev_a, dev_b, i)
        sa, sb = qa["status"], qb["status"]
        w = "%s q%d" % (what, i)
        if q.get("index") != i:
            res.check(False, "%s index = %d" % (w, i), "got %s" % q.get("index"))
        setup = bool(sa.get("vring-desc"))
        if not check_addrs(res, w, q, sa, sb, setup, write_only=setup and mmio_v2(dev_a)):
            continue
        if setup:
            same(res, "%s size" % w, q.get("size"), sa.get("vring-num"), sb.get("vring-num"))
            res.check(q.get("enabled") is True, "%s enabled (QEMU has its rings)" % w,
                      "got %s" % q.get("enabled"))
        else:
            res.check(q.get("enabled") is False, "%s not enabled (QEMU has no rings)" % w,
                      "got %s" % q.get("enabled"))
            if q.get("size_source") == "registers":
                same(res, "%s size (read from the registers)" % w, q.get("size"),
                     sa.get("vring-num"), sb.get("vring-num"))
            elif q.get("size") != sa.get("vring-num"):
                unset.append((i, "%s (%s)" % (json.dumps(q.get("size")), q.get("size_source")),
                              sa.get("vring-num")))
        window(res, "%s avail_idx" % w, q.get("avail_idx"), qa["mem_avail_idx"],
               qb["mem_avail_idx"], counts)
        window(res, "%s used_idx" % w, q.get("used_idx"), qa["mem_used_idx"],
               qb["mem_used_idx"], counts)
        if isinstance(q.get("avail_idx"), int) and isinstance(q.get("used_idx"), int):
            want = (q["avail_idx"] - q["used_idx"]) & 0xFFFF
            res.check(q.get("in_flight") == want, "%s in_flight = avail_idx - used_idx = %d"
                      % (w, want), "got %s" % q.get("in_flight"))
    if unset:
        got = sorted({g for _, g, _ in unset})
        qemu = sorted({n for _, _, n in unset})
        res.note("%s %s: size not compared for %d queue(s) no driver set up (no size is in use;"
                 " %s): vqdump %s, QEMU's vring-num %s"
                 % (what, spans([i for i, _, _ in unset]), len(unset),
                    "QueueNum is write-only on MMIO" if mmio else "not a register value",
                    "/".join(got), "/".join(str(n) for n in qemu)))


def spans(nums):
    out = []
    for n in sorted(nums):
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return ",".join("q%d" % a if a == b else "q%d-q%d" % (a, b) for a, b in out)


def truthy(v):
    return str(v).lower() in ("on", "true", "1", "yes")


def prop_int(props, key, default=None):
    """A number from `info qtree` ("256 (0x100)"), or @default."""
    m = re.match(r"^(\d+)", str(props.get(key, "")))
    return int(m.group(1)) if m else default


def config_features(dev_a):
    """The features that govern the layout vqdump decodes: what the driver
    accepted, else what the device offers (decode/config.c)."""
    got = qmp_feature_bits(dev_a["status"].get("guest-features"))[0]
    return got or expected_device_features(dev_a)[0]


def cfg_is(res, what, cfg, key, want, source):
    res.check(cfg.get(key) == want, "%s config %s = %s (%s)" % (what, key, want, source),
              "got %s" % json.dumps(cfg.get(key)))


def check_config_blk(res, what, cfg, dev_a, props, feats, snap, linux):
    drive = props.get("drive")
    size = snap.get("blocks", {}).get(drive)
    if size is not None:
        cfg_is(res, what, cfg, "capacity", size // 512, "drive %s" % drive)
    if "blk_sectors" in linux:
        cfg_is(res, what, cfg, "capacity", int(linux["blk_sectors"]), "Linux's /sys/block size")
    if VIRTIO_BLK_F_SEG_MAX in feats:
        # QEMU: seg-max-adjust (default on) makes it queue-size - 2.
        qs = prop_int(props, "queue-size", 256)
        adj = truthy(props.get("seg-max-adjust", "on"))
        cfg_is(res, what, cfg, "seg_max", qs - 2 if adj else 126, "QEMU queue-size %d - 2" % qs)
        if "max_segments" in linux:
            cfg_is(res, what, cfg, "seg_max", int(linux["max_segments"]),
                   "Linux's queue/max_segments")
    if VIRTIO_BLK_F_WRITE_ZEROES in feats:
        # QEMU's virtio_blk_update_config sets both to 1.
        cfg_is(res, what, cfg, "write_zeroes_may_unmap", 1, "QEMU sets 1")
        cfg_is(res, what, cfg, "max_write_zeroes_seg", 1, "QEMU sets 1")


def check_config(res, what, d, dev_a, snap, sysfs=None):
    cfg = d.get("config")
    if not isinstance(cfg, dict):
        res.check(False, "%s config is an object" % what, "got %s" % json.dumps(cfg))
        return
    props = dev_a["transport"].get("backend_props") or dev_a["transport"].get("props") or {}
    devid = dev_a["status"]["device-id"]
    feats = config_features(dev_a)
    linux = {}
    if sysfs is not None:
        vname = sysfs_expect(dev_a, sysfs)[0]
        linux = sysfs["virtio"].get(vname, {}) if vname else {}
    if devid == VIRTIO_ID_BLOCK:
        check_config_blk(res, what, cfg, dev_a, props, feats, snap, linux)
    if devid == VIRTIO_ID_NET and props.get("mac"):
        got = cfg.get("mac")
        res.check(isinstance(got, str) and got.lower() == props["mac"].lower(),
                  "%s config mac = %s" % (what, props["mac"]), "got %s" % got)
    if devid == VIRTIO_ID_CONSOLE and VIRTIO_CONSOLE_F_MULTIPORT in feats:
        cfg_is(res, what, cfg, "max_nr_ports", prop_int(props, "max_ports", 31),
               "-device max_ports=")
    if devid == VIRTIO_ID_SCSI:
        nvq = dev_a["status"].get("num-vqs")
        if isinstance(nvq, int):
            cfg_is(res, what, cfg, "num_queues", nvq - 2, "QMP num-vqs - control - event")
        for key, prop in (("cmd_per_lun", "cmd_per_lun"), ("max_sectors", "max_sectors")):
            if prop_int(props, prop) is not None:
                cfg_is(res, what, cfg, key, prop_int(props, prop), "QEMU's %s" % prop)
        if "sg_tablesize" in linux:
            cfg_is(res, what, cfg, "seg_max", int(linux["sg_tablesize"]),
                   "Linux's scsi_host sg_tablesize")
    if devid == VIRTIO_ID_GPU and prop_int(props, "max_outputs") is not None:
        cfg_is(res, what, cfg, "num_scanouts", prop_int(props, "max_outputs"),
               "QEMU's max_outputs")


def check_ring(res, what, r, dev_a, dev_b, qn, counts):
    qa, qb = queue_pair(dev_a, dev_b, qn)
    if qa is None:
        res.check(False, "%s: QEMU has queue %d" % (what, qn))
        return
    sa, sb = qa["status"], qb["status"]
    res.check(r.get("queue") == qn, "%s queue = %d" % (what, qn), "got %s" % r.get("queue"))
    res.check(r.get("device") == dev_a["transport"]["name"],
              "%s device = %s" % (what, dev_a["transport"]["name"]), "got %s" % r.get("device"))
    same(res, "%s size" % what, r.get("size"), sa.get("vring-num"), sb.get("vring-num"))
    for k, qk in (("desc", "vring-desc"), ("avail", "vring-avail"), ("used", "vring-used")):
        same(res, "%s %s" % (what, k), r.get(k), sa.get(qk), sb.get(qk), hx)
    window(res, "%s avail_idx" % what, r.get("avail_idx"), qa["mem_avail_idx"],
           qb["mem_avail_idx"], counts)
    window(res, "%s used_idx" % what, r.get("used_idx"), qa["mem_used_idx"],
           qb["mem_used_idx"], counts)
    if isinstance(r.get("avail_idx"), int) and isinstance(r.get("used_idx"), int):
        want = (r["avail_idx"] - r["used_idx"]) & 0xFFFF
        res.check(r.get("in_flight") == want, "%s in_flight = %d" % (what, want),
                  "got %s" % r.get("in_flight"))
    # A queue that did not move: the first chain in flight must be the one
    # QEMU decodes at avail slot used_idx (x-query-virtio-queue-element).
    el = qa.get("element")
    still = (qa["mem_avail_idx"] == qb["mem_avail_idx"] and
             qa["mem_used_idx"] == qb["mem_used_idx"] and qa["mem_avail_idx"] is not None)
    if not (still and el and "error" not in el and qa["mem_avail_idx"] != qa["mem_used_idx"]):
        if still and el and "error" in el:
            res.note("%s: QEMU could not decode the first chain in flight: %s"
                     % (what, el["error"].get("desc")))
        return
    chains = r.get("chains") or []
    head = el.get("index")
    ch = next((c for c in chains if c.get("head") == head), None)
    if not res.check(ch is not None, "%s chain with head %s (first in flight) decoded"
                     % (what, head), "heads decoded: %s" % [c.get("head") for c in chains[:8]]):
        return
    want = [(x["addr"], x["len"], "write" in x.get("flags", [])) for x in el.get("descs", [])]
    got = [(x.get("addr"), x.get("len"), "WRITE" in (x.get("flags") or []))
           for x in ch.get("descriptors", []) if "INDIRECT" not in (x.get("flags") or [])]
    res.check(got == want, "%s chain %s: %d buffers (addr, len, write) as QEMU decodes them"
              % (what, head, len(want)),
              "got %s, QEMU %s" % ([(hx(a), n, wr) for a, n, wr in got][:6],
                                   [(hx(a), n, wr) for a, n, wr in want][:6]))


def by_name(snap):
    return {d["transport"].get("name"): d for d in snap["devices"] if d["transport"].get("name")}


def compare(a):
    res = Results(a.label)
    with open(a.before) as f:
        snap_a = json.load(f)
    with open(a.after) as f:
        snap_b = json.load(f)
    blocks = parse_blocks(a.serial, a.tag)
    devs_b = {d["path"]: d for d in snap_b["devices"]}
    counts = {"exact": 0, "moved": 0}

    unplaced = ["%s (%s, %s)" % (d["id"], d["name"], d["transport"].get("kind"))
                for d in snap_a["devices"] if d["transport"].get("name") is None]
    res.check(not unplaced, "every QEMU device has a PCI address or an MMIO window (qtree, query-pci)",
              "not found for %s" % ", ".join(unplaced))
    expected = by_name(snap_a)
    res.note("QEMU reports %d virtio devices: %s" % (len(snap_a["devices"]), ", ".join(
        "%s=%s" % (d["id"], d["transport"].get("name")) for d in snap_a["devices"])))

    sysfs = None
    if res.check("sysfs" in blocks, "Linux's sysfs report present on the console",
                 "no VQ-OUT block sysfs"):
        sysfs = parse_sysfs(blocks["sysfs"]["out"])

    def label(dev):
        return "%s(%s)" % (dev["id"], dev["transport"].get("name"))

    # list
    lst = block_json(res, blocks, "list", "vqdump list --json")
    list_devs = []
    if lst is not None:
        list_devs = lst.get("devices") if isinstance(lst.get("devices"), list) else []
        names = [x.get("name") for x in list_devs]
        for name, dev in expected.items():
            n = names.count(name)
            res.check(n == 1, "list: %s (%s, QEMU %s) listed exactly once"
                      % (name, dev["name"], dev["id"]), "listed %d times" % n)
        extra = [n for n in names if n not in expected]
        res.check(not extra, "list: no device QEMU does not report", "extra: %s" % extra)
        for x in list_devs:
            dev = expected.get(x.get("name"))
            if dev:
                check_header(res, "list %s" % label(dev), x, dev, devs_b.get(dev["path"]), sysfs)

    # status
    st = block_json(res, blocks, "status", "vqdump status --json")
    if st is not None:
        sdevs = st.get("devices") if isinstance(st.get("devices"), list) else []
        names = [x.get("name") for x in sdevs]
        for name, dev in expected.items():
            n = names.count(name)
            if not res.check(n == 1, "status: %s (%s) shown exactly once" % (name, dev["id"]),
                             "shown %d times" % n):
                continue
            x = sdevs[names.index(name)]
            w = "status %s" % label(dev)
            dev_b = devs_b.get(dev["path"])
            check_header(res, w, x, dev, dev_b, sysfs)
            check_features(res, w, x, dev, dev_b, sysfs)
            check_queues(res, w, x, dev, dev_b, counts)
            check_config(res, w, x, dev, snap_a, sysfs)
        extra = [n for n in names if n not in expected]
        res.check(not extra, "status: no device QEMU does not report", "extra: %s" % extra)

    # rings
    for key in sorted(k for k in blocks if k.startswith("ring:")):
        rest = key[len("ring:"):]
        name, qn = rest.rsplit(":", 1)
        dev = expected.get(name)
        what = "ring %s q%s" % (label(dev) if dev else name, qn)
        r = block_json(res, blocks, key, "vqdump -d %s ring --queue %s --json" % (name, qn))
        if r is None or dev is None:
            continue
        check_ring(res, what, r, dev, devs_b.get(dev["path"]), int(qn), counts)

    # selectors
    for key in sorted(k for k in blocks if k.startswith("sel:")):
        sel = key[len("sel:"):]
        b = blocks[key]
        if sel.startswith("virtio9"):
            res.check(b["rc"] == 3 and b["err"] and len(b["err"].splitlines()) == 1,
                      "-d %s (no such device): exit 3 with a one-line message" % sel,
                      "exit %d, stderr %r" % (b["rc"], b["err"]))
            continue
        want = None
        if re.match(r"^\d+$", sel):
            k = int(sel)
            want = list_devs[k].get("name") if k < len(list_devs) else None
        elif sel.startswith("virtio") and sysfs is not None:
            for dev in snap_a["devices"]:
                if sysfs_expect(dev, sysfs)[0] == sel:
                    want = dev["transport"]["name"]
        elif sel.startswith("mmio:"):
            want = "mmio:0x%x" % int(sel[5:], 16)
        else:
            want = sel if sel.startswith("0000:") else "0000:" + sel
        j = block_json(res, blocks, key, "vqdump -d %s status --json" % sel)
        if j is None:
            continue
        got = [x.get("name") for x in j.get("devices", [])] if isinstance(j.get("devices"), list) \
            else None
        res.check(want is not None and got == [want], "-d %s selects %s" % (sel, want),
                  "got %s" % got)

    res.note("ring indices: %d compared exactly (queue still between the snapshots), "
             "%d within QEMU's before/after window (queue moving)"
             % (counts["exact"], counts["moved"]))
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


def specs(a):
    with open(a.snapshot) as f:
        snap = json.load(f)
    out = ["list", "status", "sysfs"]
    names = []
    for d in snap["devices"]:
        name = d["transport"].get("name")
        if not name:
            continue
        names.append(name)
        setup = [q["queue"] for q in d["queues"] if q["status"].get("vring-desc")]
        out += ["ring:%s:%d" % (name, q) for q in sorted(set(setup[:2] + setup[-1:]))]
    n = len(names)
    if n:
        out.append("sel:%d" % (n - 1))
    pci = sorted(x for x in names if x.startswith("0000:"))
    mmio = sorted(x for x in names if x.startswith("mmio:"))
    if pci:
        out += ["sel:%s" % pci[0][5:]]
    if mmio:
        out += ["sel:%s" % mmio[0]]
    if a.load == 1 and n:
        out.append("sel:virtio%d" % (n - 1))
    out.append("sel:virtio99")
    print(" ".join(out))
    return 0


def self_test():
    """The header parse gives the numbers the spec gives (a sanity check of this script)."""
    want = {"VIRTIO_F_VERSION_1": 32, "VIRTIO_RING_F_EVENT_IDX": 29,
            "VIRTIO_RING_F_INDIRECT_DESC": 28, "VIRTIO_BLK_F_SEG_MAX": 2,
            "VIRTIO_NET_F_MRG_RXBUF": 15, "VIRTIO_F_IOMMU_PLATFORM": 33,
            "VIRTIO_F_NOTIFY_ON_EMPTY": 24, "VIRTIO_F_ANY_LAYOUT": 27,
            "VIRTIO_F_RING_RESET": 40, "VHOST_F_LOG_ALL": 26,
            "VIRTIO_CONFIG_S_DRIVER_OK": 4, "VIRTIO_CONFIG_S_FEATURES_OK": 8}
    bad = []
    for k, v in want.items():
        got = feature_bit(k) if "_F_" in k else defs().get(k)
        if got != v:
            bad.append("%s=%s (want %d)" % (k, got, v))
    if bad:
        print("not ok - UAPI header parse: %s" % ", ".join(bad))
        return 1
    print("ok - UAPI header parse (%d defines from %s)" % (len(defs()), UAPI_DIR))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compare")
    c.add_argument("--label", required=True)
    c.add_argument("--serial", required=True)
    c.add_argument("--tag", required=True)
    c.add_argument("--before", required=True)
    c.add_argument("--after", required=True)
    s = sub.add_parser("specs")
    s.add_argument("snapshot")
    s.add_argument("--load", type=int, default=1)
    sub.add_parser("features-self-test")
    a = ap.parse_args()
    if a.cmd == "compare":
        return compare(a)
    if a.cmd == "specs":
        return specs(a)
    return self_test()


if __name__ == "__main__":
    sys.exit(main())
