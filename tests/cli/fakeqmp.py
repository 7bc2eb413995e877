# SPDX-License-Identifier: GPL-2.0-or-later
# A stand-in for QEMU's QMP socket, for the --qemu tests without a QEMU: misbehaviours, or replies taken from a real QEMU.
"""fakeqmp.py SOCKET MODE [REPLIES.json] [--pause] [--many]

Listens on the unix socket SOCKET, serves one client, then exits; with
--many, serves one client after another until killed (the fake virsh of
test-libvirt-source.sh connects once per command), and answers
query-version (the greeting's version) and query-cpus-fast (one vCPU
whose thread ID is this process's, as a QEMU's vCPU thread belongs to
QEMU's process).
MODE:
  notqmp     greets with a line that is not QMP
  silent     accepts and never greets (as QEMU does for a second client)
  old        QEMU 7.1: x-query-virtio is CommandNotFound
  replay     answers from REPLIES.json: {"greeting": {...}, "replies":
             {"KEY": return-value}, "hmp": {"command line": "text"}}, KEY
             being the command and its arguments as "cmd path queue"; a
             command not listed is CommandNotFound.  "gpa2hva ADDR" is
             answered from "ram": [[start, end, hex bytes or ""]], as
             addresses inside this process (a buffer per range), so that
             vqdump reads them back through /proc/PID/mem; then
             "info mtree -f" shows those ranges as the RAM.
             "hang": ["KEY", ...] are read and never answered (vqdump
             then waits: the tests signal it there).
Any "stop", "cont" or x-query-virtio-queue-element is written to
SOCKET.forbidden (the tests assert it stays absent), except that with
--pause (the test runs vqdump --pause) "stop" and "cont" are allowed:
they change what query-status says (running, unless REPLIES.json has
"running": false).  Every command received is appended to SOCKET.log,
one per line, in order ("cmd path queue property", or for HMP
"human-monitor-command LINE").  A reply carries the command's "id" back.
"""
import ctypes
import json
import os
import socket
import sys

GREET_72 = {"QMP": {"version": {"qemu": {"major": 7, "minor": 2, "micro": 0},
                                "package": "fake"}, "capabilities": []}}


def send(c, obj, msg=None):
    if msg is not None and "id" in msg:
        obj["id"] = msg["id"]
    c.sendall(json.dumps(obj).encode() + b"\r\n")


def key_of(msg):
    a = msg.get("arguments", {})
    parts = [msg["execute"]] + [str(a[k]) for k in ("path", "queue", "property") if k in a]
    return " ".join(parts)


class Ram:
    """Guest RAM ranges backed by buffers of this process."""

    def __init__(self, ranges):
        self.ranges = []
        for start, end, data in ranges:
            buf = ctypes.create_string_buffer(end - start + 1)
            raw = bytes.fromhex(data) if data else b""
            ctypes.memmove(buf, raw, len(raw))
            self.ranges.append((start, end, buf))

    def word(self, gpa):
        h = self.hva(gpa)
        return None if h is None else int.from_bytes(ctypes.string_at(h, 4), "little")

    def hva(self, gpa):
        for start, end, buf in self.ranges:
            if start <= gpa <= end:
                return ctypes.addressof(buf) + gpa - start
        return None


def hmp(line, data, ram):
    if line.startswith("gpa2hva "):
        gpa = int(line.split()[1], 0)
        h = ram.hva(gpa) if ram else None
        if h is None:
            return "Memory at address 0x%x is not RAM\r\n" % gpa
        return "Host virtual address for 0x%x (pc.ram) is 0x%x\r\n" % (gpa, h)
    if line == "info mtree -f" and ram:
        # Only the ranges this process backs: those are its guest RAM.
        lines = ["FlatView #0", ' AS "memory", root: system', " Root memory region: system"]
        for start, end, _ in ram.ranges:
            lines.append("  %016x-%016x (prio 0, ram): pc.ram @%016x" % (start, end, start))
        return "\r\n".join(lines) + "\r\n"
    if line.startswith("xp /1wx "):
        gpa = int(line.split()[2], 0)
        w = ram.word(gpa) if ram else None
        if w is None:
            return "Cannot access memory\r\n"
        return "%016x: 0x%08x\r\n" % (gpa, w)
    return data.get("hmp", {}).get(line)


class State:
    """What the fake keeps between commands."""

    def __init__(self, sock, data, pause_ok, many):
        self.forbidden = sock + ".forbidden"
        self.log = sock + ".log"
        self.pause_ok = pause_ok
        self.many = many
        self.running = data.get("running", True)


def answer(c, msg, mode, data, ram, st):
    cmd = msg.get("execute")
    with open(st.log, "a") as f:
        line = msg.get("arguments", {}).get("command-line") if cmd == "human-monitor-command" else None
        f.write("%s\n" % (key_of(msg) + (" " + line if line else "") if cmd else cmd))
    if cmd in ("stop", "cont") and st.pause_ok:
        st.running = cmd == "cont"
        return send(c, {"return": {}}, msg)
    if cmd in ("stop", "cont", "x-query-virtio-queue-element"):
        with open(st.forbidden, "a") as f:
            f.write(cmd + "\n")
    if cmd == "qmp_capabilities":
        return send(c, {"return": {}}, msg)
    if cmd == "query-version" and st.many:
        return send(c, {"return": data.get("greeting", GREET_72)["QMP"]["version"]}, msg)
    if cmd == "query-cpus-fast" and st.many:
        return send(c, {"return": [{"cpu-index": 0, "thread-id": os.getpid(),
                                    "qom-path": "/machine/unattached/device[0]",
                                    "target": "x86_64"}]}, msg)
    if key_of(msg) in data.get("hang", []):
        return None
    if cmd == "query-status" and st.pause_ok:
        return send(c, {"return": {"running": st.running, "singlestep": False,
                                   "status": "running" if st.running else "paused"}}, msg)
    if mode == "old" or cmd is None:
        return send(c, {"error": {"class": "CommandNotFound",
                                  "desc": "The command %s has not been found" % cmd}}, msg)
    if cmd == "human-monitor-command":
        text = hmp(msg["arguments"]["command-line"], data, ram)
        if text is not None:
            return send(c, {"return": text}, msg)
    elif key_of(msg) in data.get("replies", {}):
        return send(c, {"return": data["replies"][key_of(msg)]}, msg)
    send(c, {"error": {"class": "CommandNotFound",
                       "desc": "The command %s has not been found" % cmd}}, msg)


def serve(c, mode, data, ram, st):
    if mode == "notqmp":
        c.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
        c.recv(100)
        return
    if mode == "silent":
        c.recv(100)
        return
    greet = data.get("greeting", GREET_72)
    if mode == "old":
        greet = json.loads(json.dumps(GREET_72))
        greet["QMP"]["version"]["qemu"]["minor"] = 1
    send(c, greet)
    buf = b""
    while True:
        d = c.recv(65536)
        if not d:
            return
        buf += d
        while b"\n" in buf or buf.strip().endswith(b"}"):
            dec = json.JSONDecoder()
            try:
                msg, end = dec.raw_decode(buf.decode().lstrip())
            except ValueError:
                break
            buf = buf.decode().lstrip()[end:].encode()
            answer(c, msg, mode, data, ram, st)


def main():
    args = [a for a in sys.argv[1:] if a not in ("--pause", "--many")]
    many = "--many" in sys.argv[1:]
    path, mode = args[0], args[1]
    data = json.load(open(args[2])) if len(args) > 2 else {}
    ram = Ram(data["ram"]) if "ram" in data else None
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(1)
    s.settimeout(30)
    # Ready: the socket exists.
    print("ready", flush=True)
    st = State(path, data, "--pause" in sys.argv[1:], many)
    while True:
        try:
            c, _ = s.accept()
        except socket.timeout:
            break
        c.settimeout(30)
        try:
            serve(c, mode, data, ram, st)
        except (OSError, socket.timeout):
            pass
        c.close()
        if not many:
            break
    s.close()
    os.unlink(path)


if __name__ == "__main__":
    main()
