# SPDX-License-Identifier: GPL-2.0-or-later
# Host side of the live tests: QEMU's view of every virtio device (snapshots, ISR samples) and the guest's control port.
"""live_qmp.py COMMAND ...

  snapshot SOCK OUT.json
      Stops the VM (if it runs), records QEMU's view of every virtio device
      and lets the VM run again (only if it was running).  OUT.json:
        {"devices": [{"path", "name", "id", "status" (x-query-virtio-status),
                      "transport": {"kind": "pci"|"mmio", "name", "pci_addr",
                                    "disable_modern", "disable_legacy",
                                    "mmio_base", "force_legacy", "qtree_type",
                                    "props": {...}},
                      "queues": [{"queue", "status" (x-query-virtio-queue-status),
                                  "mem_avail_idx", "mem_used_idx",
                                  "element" (first chain in flight, or null)}]}],
         "blocks": {drive id: virtual size}, "run_state_before"}
      mem_avail_idx / mem_used_idx are the two index words as they are in
      guest memory, read with the monitor's `xp` (the same bytes vqdump
      reads inside the guest); null when the queue has no rings.

  isr-watch SOCK SERIAL START_RE STOP_RE OUT.json [--interval S] [--timeout S]
      Waits for START_RE in the serial log, then samples "isr" of every
      virtio device (x-query-virtio-status, VM running) every S seconds
      until STOP_RE appears; writes {"samples": [{"t", "isr": {path: v}}]}.

  isr SOCK
      One sample: {path: isr}.

  send CTL_SOCK LINE
      Writes LINE and a newline to the guest's control serial port (a
      chardev socket in server mode).

  qmp SOCK CMD [JSON]
      Same as qmp.py, for convenience.
"""

import fcntl
import json
import os
import re
import socket
import struct
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp import QMP, QMPError  # noqa: E402


def hmp(q, line):
    return q.cmd("human-monitor-command", **{"command-line": line})


def read_u16(q, addr):
    """A little-endian 16-bit word of guest-physical memory (monitor `xp`)."""
    out = hmp(q, "xp /1hx 0x%x" % addr)
    m = re.search(r"^\s*[0-9a-fA-F]+:\s*0x([0-9a-fA-F]+)", out, re.M)
    if not m:
        raise RuntimeError("xp 0x%x: unexpected answer %r" % (addr, out))
    return int(m.group(1), 16)


def parse_qtree(text):
    """Flatten `info qtree`: [{"type", "id", "props", "mmio": [base...],
    "parent": index of the device that owns the bus it sits on, or None}]."""
    devs = []
    stack = []  # (indent, kind, dev index)
    for raw in text.replace("\r", "").split("\n"):
        if not raw.strip():
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        line = raw.strip()
        while stack and stack[-1][0] >= indent:
            stack.pop()
        m = re.match(r'^dev: ([^,]+), id "(.*)"$', line)
        if m:
            parent = None
            for _, kind, idx in reversed(stack):
                if kind == "dev":
                    parent = idx
                    break
            devs.append({"type": m.group(1), "id": m.group(2), "props": {},
                         "mmio": [], "parent": parent, "addr": None})
            stack.append((indent, "dev", len(devs) - 1))
            continue
        if line.startswith("bus: "):
            stack.append((indent, "bus", None))
            continue
        owner = None
        if stack and stack[-1][1] == "dev":
            owner = devs[stack[-1][2]]
        if owner is None:
            continue
        m = re.match(r"^mmio ([0-9a-fA-F]+)/([0-9a-fA-F]+)$", line)
        if m:
            owner["mmio"].append(int(m.group(1), 16))
            continue
        m = re.match(r"^class .*, addr ([0-9a-fA-F]+):([0-9a-fA-F]+)\.([0-7]),", line)
        if m:
            owner["addr"] = (int(m.group(1), 16), int(m.group(2), 16), int(m.group(3)))
            continue
        m = re.match(r"^([A-Za-z0-9_.-]+) = (.*)$", line)
        if m:
            owner["props"][m.group(1)] = m.group(2).strip('"')
    return devs


def truthy(v):
    return str(v).lower() in ("on", "true", "1", "yes")


def transports(q):
    """qdev id -> how QEMU attached that virtio device (PCI address or MMIO window)."""
    tree = parse_qtree(hmp(q, "info qtree"))
    pci = {}
    try:
        for bus in q.cmd("query-pci"):
            for d in bus.get("devices", []):
                if d.get("qdev_id"):
                    pci[d["qdev_id"]] = "0000:%02x:%02x.%x" % (d["bus"], d["slot"], d["function"])
    except QMPError:
        pass  # microvm has no PCI
    out = {}
    for i, d in enumerate(tree):
        if not d["id"]:
            continue
        # A virtio-pci proxy's device properties (drive, mac) are on the
        # virtio device on its virtio-bus.
        backend = dict(d["props"])
        for c in tree:
            if c["parent"] == i:
                backend.update(c["props"])
        t = {"qtree_type": d["type"], "props": d["props"], "backend_props": backend}
        if d["type"].endswith("-pci"):
            t["kind"] = "pci"
            addr = pci.get(d["id"])
            if addr is None and d["addr"]:
                addr = "0000:%02x:%02x.%x" % d["addr"]
            t["pci_addr"] = addr
            t["name"] = addr
            t["disable_modern"] = truthy(d["props"].get("disable-modern", "false"))
            t["disable_legacy"] = d["props"].get("disable-legacy")
        elif d["parent"] is not None and tree[d["parent"]]["type"] == "virtio-mmio":
            p = tree[d["parent"]]
            t["kind"] = "mmio"
            t["mmio_base"] = p["mmio"][0] if p["mmio"] else None
            t["name"] = "mmio:0x%x" % t["mmio_base"] if p["mmio"] else None
            t["force_legacy"] = truthy(p["props"].get("force-legacy", "true"))
        else:
            t["kind"] = "other"
            t["name"] = None
        out[d["id"]] = t
    return out


def qdev_id(path):
    m = re.match(r"^/machine/peripheral/([^/]+)(/virtio-backend)?$", path)
    return m.group(1) if m else None


def snapshot(q):
    rs = q.cmd("query-status")
    running = rs.get("running")
    if running:
        q.cmd("stop")
    try:
        snap = {"run_state_before": rs.get("status"), "devices": [], "blocks": {}}
        tr = transports(q)
        for b in q.cmd("query-block"):
            ins = b.get("inserted")
            if ins:
                snap["blocks"][b.get("device") or b.get("qdev")] = ins["image"]["virtual-size"]
        for dev in q.cmd("x-query-virtio"):
            path = dev["path"]
            ident = qdev_id(path)
            st = q.cmd("x-query-virtio-status", path=path)
            queues = []
            for i in range(st.get("num-vqs", 0)):
                qs = q.cmd("x-query-virtio-queue-status", path=path, queue=i)
                ent = {"queue": i, "status": qs, "mem_avail_idx": None,
                       "mem_used_idx": None, "element": None}
                if qs.get("vring-desc") and qs.get("vring-avail") and qs.get("vring-used"):
                    ent["mem_avail_idx"] = read_u16(q, qs["vring-avail"] + 2)
                    ent["mem_used_idx"] = read_u16(q, qs["vring-used"] + 2)
                    if ent["mem_avail_idx"] != ent["mem_used_idx"]:
                        try:
                            ent["element"] = q.cmd("x-query-virtio-queue-element", path=path,
                                                   queue=i, index=ent["mem_used_idx"])
                        except QMPError as e:
                            ent["element"] = {"error": e.error}
                queues.append(ent)
            snap["devices"].append({"path": path, "name": dev.get("name"), "id": ident,
                                    "status": st, "queues": queues,
                                    "transport": tr.get(ident, {"kind": "unknown", "name": None})})
        return snap
    finally:
        if running:
            q.cmd("cont")


def isr_sample(q):
    return {d["path"]: q.cmd("x-query-virtio-status", path=d["path"]).get("isr")
            for d in q.cmd("x-query-virtio")}


def grep_file(path, rx):
    try:
        with open(path, "rb") as f:
            return rx.search(f.read().decode(errors="replace")) is not None
    except OSError:
        return False


def isr_watch(sock, serial, start_re, stop_re, out, interval=0.25, timeout=120.0):
    start_rx, stop_rx = re.compile(start_re, re.M), re.compile(stop_re, re.M)
    deadline = time.monotonic() + timeout
    while not grep_file(serial, start_rx):
        if time.monotonic() > deadline:
            raise RuntimeError("isr-watch: %r not seen in the serial log" % start_re)
        time.sleep(0.1)
    samples = []
    t0 = time.monotonic()
    with QMP(sock, timeout=30) as q:
        while True:
            done = grep_file(serial, stop_rx)
            samples.append({"t": round(time.monotonic() - t0, 3), "isr": isr_sample(q)})
            if done:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("isr-watch: %r not seen in the serial log" % stop_re)
            time.sleep(interval)
    with open(out, "w") as f:
        json.dump({"samples": samples}, f, indent=1)


def send(ctl, line):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(ctl)
    s.sendall(line.encode() + b"\n")
    # QEMU drops what it has not read when the connection closes, and it
    # reads only as fast as the guest's UART takes bytes: a long line to a
    # busy guest needs seconds.  Wait until the socket's queue is empty
    # (SIOCOUTQ: bytes the peer has not read yet), then a moment more.
    deadline = time.time() + 120
    while time.time() < deadline:
        left = struct.unpack("i", fcntl.ioctl(s.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]
        if left <= 0:
            break
        time.sleep(0.05)
    time.sleep(0.3)
    s.close()


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    cmd = argv[1]
    try:
        if cmd == "snapshot" and len(argv) == 4:
            with QMP(argv[2], timeout=60) as q:
                snap = snapshot(q)
            with open(argv[3], "w") as f:
                json.dump(snap, f, indent=1)
            return 0
        if cmd == "isr" and len(argv) == 3:
            with QMP(argv[2], timeout=30) as q:
                json.dump(isr_sample(q), sys.stdout)
            sys.stdout.write("\n")
            return 0
        if cmd == "isr-watch" and len(argv) >= 7:
            opts = {"interval": 0.25, "timeout": 120.0}
            rest = argv[7:]
            while rest:
                if rest[0] in ("--interval", "--timeout") and len(rest) > 1:
                    opts[rest[0][2:]] = float(rest[1])
                    rest = rest[2:]
                else:
                    sys.stderr.write("live_qmp.py isr-watch: bad option %s\n" % rest[0])
                    return 2
            isr_watch(argv[2], argv[3], argv[4], argv[5], argv[6], **opts)
            return 0
        if cmd == "send" and len(argv) == 4:
            send(argv[2], argv[3])
            return 0
        if cmd == "qmp" and len(argv) in (4, 5):
            with QMP(argv[2], timeout=60) as q:
                ret = q.cmd(argv[3], json.loads(argv[4]) if len(argv) == 5 else None)
            json.dump(ret, sys.stdout, indent=1)
            sys.stdout.write("\n")
            return 0
    except (QMPError, OSError, EOFError, ValueError, RuntimeError) as e:
        sys.stderr.write("live_qmp.py %s: %s\n" % (cmd, e))
        return 1
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
