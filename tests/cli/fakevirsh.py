# SPDX-License-Identifier: GPL-2.0-or-later
# A stand-in for virsh, for the --libvirt tests without libvirt: virsh's failures by domain name, else one QMP command passed to fakeqmp.py.
"""fakevirsh.py qemu-monitor-command -- DOMAIN JSON   (run as "virsh")

Appends its argv (as JSON, one line) to $FAKE_VIRSH_LOG.  The domain
name picks what libvirt 9.0's virsh says and its exit status:
  nosuch    "error: failed to get domain 'nosuch'", exit 1
  off       "error: Requested operation is not valid: domain is not running"
  unreach   "error: failed to connect to the hypervisor" / "Failed to connect
            socket to '/var/run/libvirt/libvirt-sock': No such file or directory"
  denied    the same with "Permission denied"
  garbage   prints a line that is not JSON, exit 0
Any other domain: JSON goes to the QMP socket $FAKE_QMP (greeting and
qmp_capabilities first, as libvirt did when it started QEMU) and QEMU's
reply is printed as it came, exit 0, as qemu-monitor-command does, also
for an error reply.  No reply within 3 s: "error: timed out", exit 1.
(The error texts are those virsh 9.0 printed on Debian 12.)
"""
import json
import os
import socket
import sys

CONNECT = ("error: failed to connect to the hypervisor\n"
           "error: Failed to connect socket to '/var/run/libvirt/libvirt-sock': %s\n")


def lines(sock):
    buf = b""
    while True:
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if line.strip():
                yield json.loads(line)
        d = sock.recv(65536)
        if not d:
            return
        buf += d


def forward(cmd):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(3)
    s.connect(os.environ["FAKE_QMP"])
    msgs = lines(s)
    next(msgs)  # greeting
    s.sendall(b'{"execute": "qmp_capabilities"}\n')
    next(msgs)
    s.sendall(cmd.encode() + b"\n")
    for m in msgs:
        if "event" not in m:
            print(json.dumps(m))
            return 0
    return 1


def main(argv):
    with open(os.environ.get("FAKE_VIRSH_LOG", os.devnull), "a") as f:
        f.write(json.dumps(argv) + "\n")
    if argv[:2] != ["qemu-monitor-command", "--"] or len(argv) != 4:
        sys.stderr.write("error: fakevirsh.py knows only qemu-monitor-command -- DOMAIN JSON\n")
        return 1
    dom = argv[2]
    if dom == "nosuch":
        sys.stderr.write("error: failed to get domain 'nosuch'\n")
        return 1
    if dom == "off":
        sys.stderr.write("error: Requested operation is not valid: domain is not running\n")
        return 1
    if dom in ("unreach", "denied"):
        why = "No such file or directory" if dom == "unreach" else "Permission denied"
        sys.stderr.write(CONNECT % why)
        return 1
    if dom == "garbage":
        print("Welcome to virsh")
        return 0
    try:
        return forward(argv[3])
    except (OSError, StopIteration):
        sys.stderr.write("error: timed out\n")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
