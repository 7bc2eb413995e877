# SPDX-License-Identifier: GPL-2.0-or-later
# Check vqdump's output inside a guest booted on a production command line (no iomem=relaxed, lockdown) against QEMU's QMP view.
"""stock_compare.py compare --label L --serial LOG --tag T --before A.json --after B.json
   stock_compare.py specs A.json
   stock_compare.py memaddr A.json

compare: LOG is the guest console of one test-live-stock.sh guest; round
T holds the blocks live_guest.sh printed (VQ-OUT T KEY rc=N ... VQ-END):
  probe            stock_probe.sh: what the kernel lets root reach
  list, status     vqdump list --json, vqdump status --json
  sysfs            what Linux's sysfs says about each virtio device
  ring:DEV:0       vqdump -d DEV ring --queue 0 --json
  list-text, ring-text:DEV, diagnose, snapshot   the text commands
  mem, mem-kcore   vqdump [--core /proc/kcore] mem USED_RING 4
A.json and B.json are live_qmp.py snapshots (VM stopped) taken before
and after, so every value vqdump read lies between them (live_compare.py
explains the window comparison of ring indices, and the feature
oracle: QEMU's names to bits through the UAPI headers).

The guest's kind comes from the probe, not from the test's word: the
kernel command line (no iomem=relaxed), /sys/kernel/security/lockdown
(none, integrity, confidentiality) and whether /proc/kcore opened.  The
registers of a device are "refused" when the kernel does not let root
reach them: every virtio-mmio window (IO_STRICT_DEVMEM, the driver owns
it), and under lockdown the modern virtio-pci devices (no /dev/mem, no
PCI config writes for the VIRTIO_PCI_CAP_PCI_CFG window); a legacy
virtio-pci device under lockdown keeps its I/O BAR reads but loses the
queue-selector writes, so either answer is accepted there.

What is checked, per QEMU device (all of them have a Linux driver here):
  * list and status --json: listed exactly once, by name (PCI address,
    mmio:0x...), with transport, device_id, type, virtio_name (sysfs),
    status.value = QMP's status; status: driver_features bits = QMP's
    guest-features;
  * new fields: status_source "registers" | "sysfs" ("sysfs" where the
    registers are refused); refused: null where the registers are
    readable, else one line naming the errno text and the way out
    ("iomem=relaxed" for a refused MMIO window, "lockdown" under
    lockdown), never "run as root" (the test runs as root); view: one
    non-empty line;
  * every queue the driver set up (QMP vring-desc non-zero): desc, avail,
    used, size = QMP; addr_source "registers" | "kernel" ("kernel" where
    the registers are refused); avail_idx / used_idx within QEMU's
    window; when addr_source is "kernel": a "name" key (string or null)
    and driver_state {"source": "kernel", last_used_idx = used_idx,
    num_free <= size, broken false, callbacks bool, event_idx = whether
    QEMU's guest-features have VIRTIO_RING_F_EVENT_IDX, avail_idx_shadow
    = avail_idx};
  * where /proc/kcore is refused too (lockdown=confidentiality) the
    queues cannot be known: the device's refused names lockdown, status
    exits 3, ring --queue 0 exits 3 with a lockdown reason;
  * ring -d DEV --queue 0 --json: exit 0 and QMP's addresses, size and
    indices (live_compare.check_ring) wherever kernel memory is readable;
  * diagnose: exit 0 and every device and set-up queue checked where all
    could be read; exit 3 and "inconclusive" where queues are unreadable;
  * snapshot -o FILE: exit 0 when a ring was saved (all of them here),
    exit 3 when none could be; --allow-partial: exit 0 either way, and
    its file read back (-c FILE status --json) has every device with
    QEMU's status and, where ring memory was readable, every set-up
    queue's rings at QEMU's addresses and indices;
  * mem: the used ring's bytes = QEMU's (kcore readable), else exit 3
    with a lockdown reason;
  * every vqdump run: no crash (signal exit), no "run as root" on stderr.
Notes ("# ...") record what the kernel refused and vqdump's own
refused/view lines per device.

specs: the SPEC words for live_guest.sh's `run`: list, status, sysfs and
ring:DEV:0 for every device whose queue 0 QEMU has rings for.
memaddr: the used ring of the first such queue.

Prints "ok - ..." / "not ok - ..." lines and notes; exit 1 if a check failed.
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import live_compare as lc  # noqa: E402

TYPE_NAMES = {1: "net", 2: "blk", 3: "console", 4: "rng", 5: "balloon", 8: "scsi", 18: "input"}
EVENT_IDX = 29
# Exit statuses of a process killed by a signal, as the guest's shell reports them.
CRASH = 128


def parse_probe(text):
    """{"kernel", "cmdline", "lockdown", "kcore": bool, "lines": [(key, result)]}."""
    p = {"lines": []}
    for line in text.splitlines():
        if ": " not in line:
            continue
        key, val = line.split(": ", 1)
        p["lines"].append((key, val))
        if key in ("kernel", "cmdline"):
            p[key] = val
        elif key == "lockdown":
            m = re.search(r"\[(\w+)\]", val)
            p["lockdown"] = m.group(1) if m else None
        elif key == "kcore-open":
            p["kcore"] = val.startswith("ok")
        elif key == "devmem-open":
            p["devmem"] = val.startswith("ok")
    return p


def one_line(s):
    return isinstance(s, str) and s.strip() != "" and "\n" not in s.strip()


def json_block(res, blocks, key, what, rcs=(0,)):
    """The JSON of block KEY when its exit status is one of RCS (else a failure)."""
    b = blocks.get(key)
    if not res.check(b is not None, "%s: output present on the console" % what,
                     "no VQ-OUT block %s" % key):
        return None
    err = b["err"].splitlines()[0] if b["err"] else ""
    want = " or ".join(str(r) for r in rcs)
    if not res.check(b["rc"] in rcs, "%s: exit status %s" % (what, want),
                     "exit %d%s" % (b["rc"], ": " + err if err else "")):
        return None
    try:
        j = json.loads(b["out"])
    except ValueError as e:
        res.check(False, "%s: valid JSON" % what, str(e))
        return None
    if not res.check(isinstance(j, dict) and isinstance(j.get("devices", []), list),
                     "%s: a JSON object" % what, "got %s" % type(j)):
        return None
    return j


class Guest:
    """What the kernel refuses in this guest, from the probe."""

    def __init__(self, probe):
        self.probe = probe
        self.lockdown = probe.get("lockdown") or "none"
        self.kcore = probe.get("kcore", False)

    def regs_refused(self, dev):
        """True: refused, False: readable, None: either is accepted."""
        tr, _ = lc.expected_transport(dev["transport"])
        if tr == "mmio":
            return True
        if self.lockdown != "none":
            return True if tr == "pci" else None
        return False

    def reason_word(self):
        return "lockdown" if self.lockdown != "none" else "iomem=relaxed"


def check_refusal(res, w, d, guest, dev):
    refused = guest.regs_refused(dev)
    ss = d.get("status_source")
    res.check(ss in ("registers", "sysfs"), "%s status_source is registers or sysfs" % w,
              "got %s" % json.dumps(ss))
    if refused:
        res.check(ss == "sysfs", "%s status_source = sysfs (registers refused)" % w,
                  "got %s" % json.dumps(ss))
    rf = d.get("refused")
    if refused is False:
        res.check("refused" in d and rf is None, "%s refused = null (registers readable)" % w,
                  "got %s" % (json.dumps(rf) if "refused" in d else "no refused key"))
    elif refused or rf is not None:
        word = guest.reason_word()
        good = one_line(rf) and word in rf and "Operation not permitted" in rf
        res.check(good, "%s refused: one line naming the errno text and %s" % (w, word),
                  "got %s" % json.dumps(rf))
    if isinstance(rf, str):
        # A reason cut off by a short buffer leaves a parenthesis open.
        res.check(rf.count("(") == rf.count(")"), "%s refused is whole (parentheses balanced)" % w,
                  "got %s" % json.dumps(rf))
        res.check("run as root" not in rf, "%s refused does not say 'run as root'" % w,
                  "got %s" % json.dumps(rf))
    v = d.get("view")
    res.check(one_line(v), "%s view: one non-empty line" % w,
              "got %s" % (json.dumps(v) if "view" in d else "no view key"))
    res.note("%s: refused=%s; view=%s" % (w, json.dumps(d.get("refused", "(no key)")),
                                          json.dumps(d.get("view", "(no key)"))))


def check_driver_state(res, w, q, gbits, qa, qb, counts):
    ds = q.get("driver_state")
    if not res.check(isinstance(ds, dict), "%s driver_state present (addr_source kernel)" % w,
                     "got %s" % json.dumps(ds)):
        return
    res.check(ds.get("source") == "kernel", "%s driver_state.source = kernel" % w,
              "got %s" % json.dumps(ds.get("source")))
    res.check(ds.get("broken") is False, "%s driver_state.broken = false" % w,
              "got %s" % json.dumps(ds.get("broken")))
    res.check(isinstance(ds.get("callbacks"), bool), "%s driver_state.callbacks is a bool" % w,
              "got %s" % json.dumps(ds.get("callbacks")))
    ev = EVENT_IDX in gbits
    res.check(ds.get("event_idx") is ev, "%s driver_state.event_idx = %s (QEMU guest-features)"
              % (w, json.dumps(ev)), "got %s" % json.dumps(ds.get("event_idx")))
    size = q.get("size")
    nf = ds.get("num_free")
    res.check(isinstance(nf, int) and isinstance(size, int) and 0 <= nf <= size,
              "%s driver_state.num_free <= size (%s)" % (w, size), "got %s" % json.dumps(nf))
    # An idle queue: Linux has seen every used entry, so its last_used_idx
    # is the ring's used index, and its shadow the ring's avail index.
    lc.window(res, "%s driver_state.last_used_idx" % w, ds.get("last_used_idx"),
              qa["mem_used_idx"], qb["mem_used_idx"], counts)
    lc.window(res, "%s driver_state.avail_idx_shadow" % w, ds.get("avail_idx_shadow"),
              qa["mem_avail_idx"], qb["mem_avail_idx"], counts)


def check_queues(res, w, d, dev_a, dev_b, guest, counts):
    qs = d.get("queues")
    if not res.check(isinstance(qs, list), "%s queues is a list" % w, "got %s" % json.dumps(qs)):
        return
    byidx = {q.get("index"): q for q in qs if isinstance(q, dict)}
    gbits = lc.qmp_feature_bits(dev_a["status"].get("guest-features"))[0]
    refused = guest.regs_refused(dev_a)
    for i, qa_ent in enumerate(dev_a["queues"]):
        qa, qb = lc.queue_pair(dev_a, dev_b, i)
        sa, sb = qa["status"], qb["status"]
        if not sa.get("vring-desc"):
            continue
        wq = "%s q%d" % (w, i)
        q = byidx.get(i)
        if not guest.kcore:
            # No kernel memory: ring indices cannot be read, and without the
            # registers neither can the addresses.  What vqdump does say
            # must not be wrong, and it must say why the rest is missing.
            if q is not None and q.get("desc") is not None:
                lc.same(res, "%s desc (kernel memory refused, yet known)" % wq, q.get("desc"),
                        sa.get("vring-desc"), sb.get("vring-desc"), lc.hx)
            why = [d.get("refused")] + ([v for v in q.values() if isinstance(v, str)]
                                        if q is not None else [])
            res.check(any(isinstance(v, str) and "lockdown" in v for v in why),
                      "%s not readable: the device or the queue says lockdown" % wq,
                      "refused %s, queue %s" % (json.dumps(d.get("refused")), json.dumps(q)))
            continue
        if not res.check(q is not None, "%s listed (the driver set it up)" % wq,
                         "indices listed: %s" % sorted(k for k in byidx if isinstance(k, int))):
            continue
        if all(q.get(k) is None for k, _ in lc.ADDR_KEYS):
            res.check(False, "%s desc/avail/used = %s" % (wq, "/".join(
                lc.hx(sa.get(qk)) for _, qk in lc.ADDR_KEYS)),
                "vqdump has null (unknown)%s" % (
                    ": reason %s" % json.dumps(q.get("reason")) if q.get("reason") else ""))
            continue
        for k, qk in lc.ADDR_KEYS:
            lc.same(res, "%s %s" % (wq, k), q.get(k), sa.get(qk), sb.get(qk), lc.hx)
        lc.same(res, "%s size" % wq, q.get("size"), sa.get("vring-num"), sb.get("vring-num"))
        src = q.get("addr_source")
        if refused:
            res.check(src == "kernel", "%s addr_source = kernel (registers refused)" % wq,
                      "got %s" % json.dumps(src))
        else:
            res.check(src in ("registers", "kernel"), "%s addr_source is registers or kernel" % wq,
                      "got %s" % json.dumps(src))
        lc.window(res, "%s avail_idx" % wq, q.get("avail_idx"), qa["mem_avail_idx"],
                  qb["mem_avail_idx"], counts)
        lc.window(res, "%s used_idx" % wq, q.get("used_idx"), qa["mem_used_idx"],
                  qb["mem_used_idx"], counts)
        # QEMU's own used index (the device's shadow) is the ring's while
        # the VM is stopped: the same window from the device's side.
        lc.window(res, "%s used_idx against QEMU's used-idx" % wq, q.get("used_idx"),
                  sa.get("used-idx"), sb.get("used-idx"), counts)
        if src == "kernel":
            res.check("name" in q and (q["name"] is None or isinstance(q["name"], str)),
                      "%s name (kernel records): a string or null" % wq,
                      "got %s" % json.dumps(q.get("name", "absent")))
            check_driver_state(res, wq, q, gbits, qa, qb, counts)


def check_device(res, w, d, dev_a, dev_b, sysfs, full):
    """Identity fields list and status share; with FULL the status-only ones too."""
    tr, _ = lc.expected_transport(dev_a["transport"])
    devid = dev_a["status"]["device-id"]
    res.check(d.get("transport") == tr, "%s transport = %s" % (w, tr),
              "got %s" % json.dumps(d.get("transport")))
    if tr == "mmio" and "mmio_version" in d:
        # Known from the registers, or inferred; never a wrong number.
        ver = lc.expected_transport(dev_a["transport"])[1]
        res.check(d["mmio_version"] in (ver, None), "%s mmio_version = %d or null" % (w, ver),
                  "got %s" % json.dumps(d["mmio_version"]))
    res.check(d.get("device_id") == devid, "%s device_id = %d" % (w, devid),
              "got %s" % json.dumps(d.get("device_id")))
    if devid in TYPE_NAMES:
        res.check(d.get("type") == TYPE_NAMES[devid], "%s type = %s" % (w, TYPE_NAMES[devid]),
                  "got %s" % json.dumps(d.get("type")))
    if sysfs is not None:
        vname = lc.sysfs_expect(dev_a, sysfs)[0]
        res.check(d.get("virtio_name") == vname, "%s virtio_name = %s (sysfs)" % (w, vname),
                  "got %s" % json.dumps(d.get("virtio_name")))
    sa, _ = lc.qmp_status_value(dev_a["status"]["status"])
    sb, _ = lc.qmp_status_value(dev_b["status"]["status"]) if dev_b else (sa, [])
    st = d.get("status") if isinstance(d.get("status"), dict) else {}
    lc.same(res, "%s status.value" % w, st.get("value"), sa, sb, lc.hx)
    if not full:
        return
    gwant = lc.qmp_feature_bits(dev_a["status"].get("guest-features"))[0]
    g = d.get("driver_features")
    got = set(g.get("bits") or []) if isinstance(g, dict) else None
    res.check(got == gwant, "%s driver_features = %s (QEMU guest-features)"
              % (w, lc.fmt_bits(gwant)),
              "got %s" % (lc.fmt_bits(got) if got is not None else json.dumps(g)))


def check_snapshot_back(res, blocks, expected, devs_b, counts, rings):
    """The --allow-partial snapshot read back (-c FILE status --json): every
    device with QEMU's status, and (RINGS: where ring memory was readable)
    every set-up queue's rings at QEMU's addresses with QEMU's indices."""
    # Where the queues could not be known live, the snapshot says so as
    # status did: exit 3 (and no attempt to read this system's memory).
    j = json_block(res, blocks, "snap-status", "vqdump -c SNAPSHOT status --json",
                   (0,) if rings else (3,))
    b = blocks.get("snap-status")
    if b is not None:
        res.check("/proc/kcore" not in b["err"],
                  "vqdump -c SNAPSHOT status: reads the file, not this system's kernel memory",
                  "stderr: %s" % b["err"][:300])
    if j is None:
        return
    got = {x.get("name"): x for x in j.get("devices") or [] if isinstance(x, dict)}
    for name, dev in expected.items():
        w = "snapshot %s(%s)" % (dev["id"], name)
        x = got.get(name)
        if not res.check(x is not None, "%s saved" % w, "devices: %s" % sorted(got)):
            continue
        dev_b = devs_b.get(dev["path"])
        sa, _ = lc.qmp_status_value(dev["status"]["status"])
        sb, _ = lc.qmp_status_value(dev_b["status"]["status"]) if dev_b else (sa, [])
        st = x.get("status") if isinstance(x.get("status"), dict) else {}
        lc.same(res, "%s status.value" % w, st.get("value"), sa, sb, lc.hx)
        if not rings:
            continue
        qs = {q.get("index"): q for q in x.get("queues") or [] if isinstance(q, dict)}
        for i, ent in enumerate(dev["queues"]):
            if not ent["status"].get("vring-desc"):
                continue
            qa, qb = lc.queue_pair(dev, dev_b, i)
            q = qs.get(i)
            if not res.check(q is not None and q.get("desc") is not None,
                             "%s q%d saved with its rings" % (w, i), "got %s" % json.dumps(q)):
                continue
            for k, qk in lc.ADDR_KEYS:
                lc.same(res, "%s q%d %s" % (w, i, k), q.get(k), qa["status"].get(qk),
                        qb["status"].get(qk), lc.hx)
            lc.window(res, "%s q%d used_idx" % (w, i), q.get("used_idx"), qa["mem_used_idx"],
                      qb["mem_used_idx"], counts)


def check_watch(res, blocks, expected, setup, devs_b, whole, counts):
    """watch --count 2 --json: JSON lines, one per sample; every set-up
    queue of every device in the last, its used index within QEMU's
    window (whole: kernel memory readable), else an exit without a crash."""
    b = blocks.get("watch")
    if not res.check(b is not None, "watch: output present", "no block"):
        return
    if not whole:
        res.check(b["rc"] in (0, 3), "watch: exit 0 or 3 where ring memory is refused",
                  "exit %d" % b["rc"])
        return
    if not res.check(b["rc"] == 0, "watch --count 2 --json: exit 0",
                     "exit %d: %s" % (b["rc"], b["err"][:300])):
        return
    samples = []
    for line in b["out"].splitlines():
        try:
            samples.append(json.loads(line))
        except ValueError:
            pass
    if not res.check(len(samples) == 2, "watch: two samples (JSON lines)", "got %d" % len(samples)):
        return
    seen = {(q.get("device"), q.get("queue")): q for q in samples[-1].get("queues") or []}
    for name, dev in expected.items():
        dev_b = devs_b.get(dev["path"])
        for i in setup[name]:
            q = seen.get((name, i))
            w = "watch %s(%s) q%d" % (dev["id"], name, i)
            if res.check(q is not None, "%s sampled" % w, "queues: %s" % sorted(seen)):
                qa, qb = lc.queue_pair(dev, dev_b, i)
                lc.window(res, "%s used_idx" % w, q.get("used_idx"), qa["mem_used_idx"],
                          qb["mem_used_idx"], counts)


def check_hidden(res, blocks, expected, setup, devs_b, sysfs, counts):
    """status --json with /sys/bus/pci/devices, /sys/bus/platform/devices
    and /proc/iomem hidden: every device still there once (found by its
    virtioN), from /sys/bus/virtio, with QEMU's status and its set-up
    queues' rings from Linux's records."""
    j = json_block(res, blocks, "hidden-status", "status --json (transports' sources hidden)")
    if j is None or sysfs is None:
        return
    devs = [x for x in j.get("devices") or [] if isinstance(x, dict)]
    by_vname = {}
    for x in devs:
        by_vname.setdefault(x.get("virtio_name"), []).append(x)
    for name, dev in expected.items():
        vname = lc.sysfs_expect(dev, sysfs)[0]
        w = "hidden: %s(%s)" % (dev["id"], vname)
        xs = by_vname.get(vname, [])
        if not res.check(len(xs) == 1, "%s listed once (from /sys/bus/virtio)" % w,
                         "listed %d times" % len(xs)):
            continue
        x = xs[0]
        tr = lc.expected_transport(dev["transport"])[0]
        res.check(x.get("transport") == tr, "%s transport = %s" % (w, tr),
                  "got %s" % json.dumps(x.get("transport")))
        if tr != "mmio":
            res.check(x.get("name") == name, "%s name = %s (its PCI address)" % (w, name),
                      "got %s" % json.dumps(x.get("name")))
        dev_b = devs_b.get(dev["path"])
        sa, _ = lc.qmp_status_value(dev["status"]["status"])
        sb, _ = lc.qmp_status_value(dev_b["status"]["status"]) if dev_b else (sa, [])
        st = x.get("status") if isinstance(x.get("status"), dict) else {}
        lc.same(res, "%s status.value" % w, st.get("value"), sa, sb, lc.hx)
        res.check(x.get("status_source") == "sysfs", "%s status_source = sysfs" % w,
                  "got %s" % json.dumps(x.get("status_source")))
        ref = x.get("refused") or ""
        res.check("could not" in ref and "run as root" not in ref,
                  "%s refused says its transport could not list it" % w, "got %r" % ref)
        qs = {q.get("index"): q for q in x.get("queues") or [] if isinstance(q, dict)}
        for i in setup[name]:
            qa, qb = lc.queue_pair(dev, dev_b, i)
            q = qs.get(i)
            if not res.check(q is not None and q.get("addr_source") == "kernel",
                             "%s q%d from Linux's records" % (w, i), "got %s" % json.dumps(q)):
                continue
            for k, qk in lc.ADDR_KEYS:
                lc.same(res, "%s q%d %s" % (w, i, k), q.get(k), qa["status"].get(qk),
                        qb["status"].get(qk), lc.hx)
            lc.window(res, "%s q%d used_idx" % (w, i), q.get("used_idx"), qa["mem_used_idx"],
                      qb["mem_used_idx"], counts)


def vq_blocks(blocks):
    return [k for k in blocks if k not in ("probe", "sysfs")]


def compare(a):
    res = lc.Results(a.label)
    with open(a.before) as f:
        snap_a = json.load(f)
    with open(a.after) as f:
        snap_b = json.load(f)
    blocks = lc.parse_blocks(a.serial, a.tag)
    devs_b = {d["path"]: d for d in snap_b["devices"]}
    counts = {"exact": 0, "moved": 0}
    expected = lc.by_name(snap_a)
    setup = {n: [q["queue"] for q in d["queues"] if q["status"].get("vring-desc")]
             for n, d in expected.items()}

    # ---- the guest itself: the premise of this test ---------------------
    if not res.check("probe" in blocks, "the probe's report is on the console", "no probe block"):
        print("%d passed, %d failed" % (res.passed, res.failed))
        return 1
    probe = parse_probe(blocks["probe"]["out"])
    guest = Guest(probe)
    res.note("kernel %s; command line: %s" % (probe.get("kernel"), probe.get("cmdline")))
    res.check("iomem=relaxed" not in (probe.get("cmdline") or "iomem=relaxed"),
              "the guest runs without iomem=relaxed", "cmdline %s" % probe.get("cmdline"))
    m = re.search(r"\blockdown=(\w+)", probe.get("cmdline") or "")
    want_ld = m.group(1) if m else "none"
    res.check(guest.lockdown == want_ld,
              "/sys/kernel/security/lockdown shows [%s]" % want_ld,
              "the kernel says %s" % json.dumps(dict(probe["lines"]).get("lockdown")))
    refusals = ["%s (%s)" % (k, v[6:].strip()) for k, v in probe["lines"] if v.startswith("error")]
    allowed = [k for k, v in probe["lines"] if v.startswith("ok")]
    res.note("the kernel refused: %s" % ("; ".join(refusals) or "nothing probed"))
    res.note("the kernel allowed: %s" % (", ".join(allowed) or "nothing probed"))
    mmio_probe = [v for k, v in probe["lines"] if k.startswith("devmem-mmap mmio")]
    if any(lc.expected_transport(d["transport"])[0] == "mmio" for d in expected.values()):
        res.check(mmio_probe and all(not v.startswith("ok") for v in mmio_probe),
                  "the kernel refuses to map the virtio-mmio windows (the case under test)",
                  "probe: %s" % mmio_probe)

    sysfs = lc.parse_sysfs(blocks["sysfs"]["out"]) if "sysfs" in blocks else None
    res.check(sysfs is not None, "Linux's sysfs report present on the console", "no sysfs block")
    if sysfs is not None:
        for name, dev in expected.items():
            res.check(lc.sysfs_expect(dev, sysfs)[2] is not None,
                      "%s (%s) has a Linux driver bound (sysfs)" % (name, dev["id"]),
                      "no virtio driver bound")

    # ---- every vqdump run: no crash, no "run as root" to root -----------
    for k in sorted(vq_blocks(blocks)):
        b = blocks[k]
        res.check(b["rc"] < CRASH, "vqdump %s: no crash" % k, "exit %d" % b["rc"])
        res.check("run as root" not in b["err"], "vqdump %s: stderr does not say 'run as root'" % k,
                  "stderr: %s" % " | ".join(l for l in b["err"].splitlines() if "run as root" in l))
        if b["err"]:
            res.note("vqdump %s (exit %d) said: %s" % (k, b["rc"], " | ".join(b["err"].splitlines())))

    whole = guest.kcore  # ring memory and Linux's records readable
    locked = guest.lockdown != "none"

    def label(dev):
        return "%s(%s)" % (dev["id"], dev["transport"].get("name"))

    # ---- list ----------------------------------------------------------
    lst = json_block(res, blocks, "list", "vqdump list --json", (0, 3) if locked else (0,))
    if lst is not None:
        ldevs = [x for x in lst.get("devices") or [] if isinstance(x, dict)]
        names = [x.get("name") for x in ldevs]
        for name, dev in expected.items():
            n = names.count(name)
            if res.check(n == 1, "list: %s listed exactly once" % label(dev), "listed %d times" % n):
                check_device(res, "list %s" % label(dev), ldevs[names.index(name)], dev,
                             devs_b.get(dev["path"]), sysfs, False)
        extra = [n for n in names if n not in expected]
        res.check(not extra, "list: no device QEMU does not report", "extra: %s" % extra)
    lt = blocks.get("list-text")
    if res.check(lt is not None, "vqdump list (text): output present", "no block"):
        rows = [l for l in lt["out"].splitlines() if l.strip() and not l.startswith("#")]
        for name, dev in expected.items():
            res.check(any(name in r.split() for r in rows), "list (text): %s has a row" % label(dev),
                      "rows: %s" % rows)

    # ---- status --------------------------------------------------------
    st_rcs = (3,) if not whole else ((0, 3) if locked else (0,))
    st = json_block(res, blocks, "status", "vqdump status --json", st_rcs)
    if st is not None:
        sdevs = [x for x in st.get("devices") or [] if isinstance(x, dict)]
        names = [x.get("name") for x in sdevs]
        for name, dev in expected.items():
            n = names.count(name)
            if not res.check(n == 1, "status: %s shown exactly once" % label(dev),
                             "shown %d times" % n):
                continue
            x = sdevs[names.index(name)]
            w = "status %s" % label(dev)
            dev_b = devs_b.get(dev["path"])
            check_device(res, w, x, dev, dev_b, sysfs, True)
            check_refusal(res, w, x, guest, dev)
            check_queues(res, w, x, dev, dev_b, guest, counts)
        extra = [n for n in names if n not in expected]
        res.check(not extra, "status: no device QEMU does not report", "extra: %s" % extra)

    # ---- ring -d DEV --queue 0 --json ----------------------------------
    for name, dev in expected.items():
        if 0 not in setup[name]:
            continue
        key = "ring:%s:0" % name
        what = "ring -d %s --queue 0" % label(dev)
        if whole:
            b = blocks.get(key)
            r = json_block(res, blocks, key, what + " --json")
            if r is not None:
                lc.check_ring(res, what, r, dev, devs_b.get(dev["path"]), 0, counts)
        else:
            b = blocks.get(key)
            if res.check(b is not None, "%s: output present" % what, "no block %s" % key):
                res.check(b["rc"] == 3 and "lockdown" in b["err"],
                          "%s: exit 3 naming lockdown (no registers, no kernel memory)" % what,
                          "exit %d, stderr %r" % (b["rc"], b["err"]))

    # ---- diagnose, snapshot, mem ---------------------------------------
    nq = sum(len(v) for v in setup.values())
    b = blocks.get("diagnose")
    if res.check(b is not None, "diagnose: output present", "no block"):
        if whole:
            res.check(b["rc"] == 0, "diagnose: exit 0 (idle guest, every queue readable)",
                      "exit %d: %s" % (b["rc"], (b["out"] + " " + b["err"]).strip()[:300]))
            m = re.search(r"(\d+) devices?, (\d+) queues? checked", b["out"])
            if m:
                res.check(int(m.group(1)) == len(expected) and int(m.group(2)) >= nq,
                          "diagnose: %d devices and their %d set-up queues checked"
                          % (len(expected), nq), "said: %s" % m.group(0))
            else:
                res.note("diagnose said: %s" % b["out"].strip()[:200])
        else:
            res.check(b["rc"] == 3 and "inconclusive" in (b["out"] + b["err"]),
                      "diagnose: exit 3, inconclusive (queues unreadable)",
                      "exit %d: %s" % (b["rc"], (b["out"] + " " + b["err"]).strip()[:300]))
    b = blocks.get("snapshot")
    if res.check(b is not None, "snapshot: output present", "no block"):
        if whole:
            res.check(b["rc"] == 0, "snapshot -o FILE: exit 0 (rings saved)",
                      "exit %d: %s" % (b["rc"], b["err"][:300]))
            m = re.search(r"\((\d+) rings? saved\)", b["out"])
            if m:
                res.check(int(m.group(1)) >= nq, "snapshot: the %d set-up queues' rings saved" % nq,
                          "said: %s" % b["out"].strip())
            else:
                res.note("snapshot said: %s" % b["out"].strip()[:200])
        else:
            res.check(b["rc"] == 3, "snapshot -o FILE: exit 3 (no ring could be saved)",
                      "exit %d: %s" % (b["rc"], (b["out"] + " " + b["err"]).strip()[:300]))
    b = blocks.get("snapshot-partial")
    if res.check(b is not None, "snapshot --allow-partial: output present", "no block"):
        res.check(b["rc"] == 0, "snapshot --allow-partial -o FILE: exit 0",
                  "exit %d: %s" % (b["rc"], (b["out"] + " " + b["err"]).strip()[:300]))
    check_snapshot_back(res, blocks, expected, devs_b, counts, whole)
    check_watch(res, blocks, expected, setup, devs_b, whole, counts)
    if "hidden-status" in blocks:
        check_hidden(res, blocks, expected, setup, devs_b, sysfs, counts)

    pick = pick_used(snap_a)
    used = None
    if pick is not None:
        qa, qb = lc.queue_pair(pick[0], devs_b.get(pick[0]["path"]), pick[1])
        used = (qa["mem_used_idx"], qb["mem_used_idx"])
    for key, what in (("mem", "mem USED 4 (live memory)"),
                      ("mem-kcore", "--core /proc/kcore mem USED 4")):
        b = blocks.get(key)
        if not res.check(b is not None, "%s: output present" % what, "no block"):
            continue
        if whole and used is not None:
            m = re.match(r"^[0-9a-fA-F]+\s+([0-9a-f]{2}) ([0-9a-f]{2}) ([0-9a-f]{2}) ([0-9a-f]{2})",
                         b["out"].strip())
            idx = int(m.group(4) + m.group(3), 16) if m else None
            if res.check(b["rc"] == 0 and m is not None, "%s: exit 0, four bytes" % what,
                         "exit %d: %s" % (b["rc"], (b["out"] + b["err"])[:200])):
                lc.window(res, "%s: the used ring's idx" % what, idx, used[0], used[1], counts)
        elif not whole:
            res.check(b["rc"] == 3 and "lockdown" in b["err"],
                      "%s: exit 3 naming lockdown" % what,
                      "exit %d, stderr %r" % (b["rc"], b["err"]))

    res.note("ring indices: %d compared exactly, %d within QEMU's before/after window"
             % (counts["exact"], counts["moved"]))
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


def specs(a):
    with open(a.snapshot) as f:
        snap = json.load(f)
    out = ["list", "status", "sysfs"]
    for d in snap["devices"]:
        name = d["transport"].get("name")
        if name and d["queues"] and d["queues"][0]["status"].get("vring-desc"):
            out.append("ring:%s:0" % name)
    print(" ".join(out))
    return 0


def pick_used(snap):
    """(device, queue) whose used ring `vqdump mem` reads: a blk queue if any
    (idle here; the rng queue refills on its own), else the first with rings."""
    cands = [(d, q["queue"]) for d in snap["devices"] for q in d["queues"]
             if q["status"].get("vring-used")]
    cands.sort(key=lambda c: c[0]["status"].get("device-id") != 2)
    return cands[0] if cands else None


def memaddr(a):
    with open(a.snapshot) as f:
        snap = json.load(f)
    pick = pick_used(snap)
    if pick is None:
        print("0x1000000")
    else:
        print("0x%x" % pick[0]["queues"][pick[1]]["status"]["vring-used"])
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compare")
    for k in ("label", "serial", "tag", "before", "after"):
        c.add_argument("--" + k, required=True)
    s = sub.add_parser("specs")
    s.add_argument("snapshot")
    m = sub.add_parser("memaddr")
    m.add_argument("snapshot")
    a = ap.parse_args()
    return {"compare": compare, "specs": specs, "memaddr": memaddr}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
