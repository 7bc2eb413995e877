# SPDX-License-Identifier: GPL-2.0-or-later
# Saves what a running QEMU answers to the queries vqdump --qemu makes, as data for the unit tests and fakeqmp.py.
"""host_capture.py SOCKET OUTDIR PREFIX

Writes OUTDIR/PREFIX-mtree-f.txt and PREFIX-qtree.txt (HMP text as
human-monitor-command returns it) and PREFIX-qmp.json: {"greeting",
"replies": {"cmd path queue": return}, "hmp": {...}, "ram": [[start, end,
hex]]} in fakeqmp.py's replay form, the "ram" holding the pages of every
ring (read with HMP xp, so the bytes are QEMU's).  Queries only.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp import QMP  # noqa: E402


def hmp(q, line):
    return q.cmd("human-monitor-command", {"command-line": line})


def page_hex(q, base):
    """4 KiB of guest memory at BASE, as QEMU's monitor reads it."""
    words = []
    text = hmp(q, "xp /1024wx 0x%x" % base)
    for line in text.splitlines():
        if ":" in line:
            words += [int(w, 16) for w in line.split(":")[1].split()]
    return b"".join(w.to_bytes(4, "little") for w in words).hex()


def raw_lines(sock):
    """QEMU's own bytes for the unit tests of the reply parser: each
    answer line as it came, after a tag naming what was asked."""
    import socket
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    f = s.makefile("rwb")
    out = [b"greeting\t" + f.readline().rstrip(b"\r\n")]
    asks = [
        ("capabilities", {"execute": "qmp_capabilities"}),
        ("not-found", {"execute": "x-query-no-such-command"}),
        ("bad-path", {"execute": "x-query-virtio-status", "arguments": {"path": "/machine/none"}}),
        ("list", {"execute": "x-query-virtio"}),
        ("gpa2hva-ram", {"execute": "human-monitor-command",
                         "arguments": {"command-line": "gpa2hva 0x1000"}}),
        ("gpa2hva-hole", {"execute": "human-monitor-command",
                          "arguments": {"command-line": "gpa2hva 0xfee00000"}}),
        ("xp", {"execute": "human-monitor-command",
                "arguments": {"command-line": "xp /1wx 0x1000"}}),
    ]
    for tag, msg in asks:
        f.write(json.dumps(msg).encode() + b"\n")
        f.flush()
        while True:
            line = f.readline().rstrip(b"\r\n")
            if b'"event"' not in line:
                break
        out.append(tag.encode() + b"\t" + line)
    s.close()
    return b"\n".join(out) + b"\n"


def main(argv):
    sock, out, prefix = argv[1:4]
    data = {"replies": {}, "hmp": {}, "ram": []}
    pages = set()
    with QMP(sock) as q:
        data["greeting"] = q.greeting
        devs = q.cmd("x-query-virtio")
        data["replies"]["x-query-virtio"] = devs
        data["replies"]["query-pci"] = q.cmd("query-pci")
        for d in devs:
            st = q.cmd("x-query-virtio-status", path=d["path"])
            # What names a device: its bus, and a PCI proxy's devfn.
            proxy = d["path"][:-len("/virtio-backend")] if d["path"].endswith("/virtio-backend") \
                else d["path"]
            for path, prop in ((d["path"], "parent_bus"), (proxy, "addr")):
                try:
                    data["replies"]["qom-get %s %s" % (path, prop)] = \
                        q.cmd("qom-get", path=path, property=prop)
                except Exception:  # noqa: BLE001 (not every device has an addr)
                    pass
            data["replies"]["x-query-virtio-status " + d["path"]] = st
            for i in range(st["num-vqs"]):
                s = q.cmd("x-query-virtio-queue-status", path=d["path"], queue=i)
                data["replies"]["x-query-virtio-queue-status %s %d" % (d["path"], i)] = s
                for a in ("vring-desc", "vring-avail", "vring-used"):
                    if s[a]:
                        pages.add(s[a] & ~0xfff)
        for line in ("info mtree -f", "info qtree"):
            data["hmp"][line] = hmp(q, line)
        for p in sorted(pages):
            data["ram"].append([p, p + 0xfff, page_hex(q, p)])
    open(os.path.join(out, prefix + "-lines.txt"), "wb").write(raw_lines(sock))
    open(os.path.join(out, prefix + "-mtree-f.txt"), "w").write(data["hmp"]["info mtree -f"])
    open(os.path.join(out, prefix + "-qtree.txt"), "w").write(data["hmp"]["info qtree"])
    json.dump(data, open(os.path.join(out, prefix + "-qmp.json"), "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
