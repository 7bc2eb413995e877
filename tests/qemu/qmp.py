# SPDX-License-Identifier: GPL-2.0-or-later
# Minimal QMP client (stdlib only): command line tool and importable module.
"""Talk to QEMU's QMP unix socket.

Command line:
    qmp.py [--timeout SECS] SOCKET CMD [JSON-ARGS]
        runs one command and prints its "return" value as JSON;
        an error answer is printed to stderr and the exit status is 1.
    qmp.py [--timeout SECS] SOCKET @virtio-snapshot
        collects x-query-virtio, and for every device x-query-virtio-status
        and, per queue, x-query-virtio-queue-status and
        x-query-virtio-queue-element, and prints them as
        {"devices": [{"path", "name", "status", "queues": [{"queue",
        "status", "element", "window"}]}]}; "window" lists QEMU's decoding
        of the chains in avail ring slots used_idx .. avail_idx-1 as
        [{"avail-index", "element"}] (indices as read from guest memory).
    qmp.py [--timeout SECS] SOCKET @wait-inflight '{"path": P, "queue": 0,
        "timeout": 60, "stopped": true}'
        waits until the queue has requests in flight (inuse > 0) and, with
        "stopped", the VM is not running (e.g. stopped by werror=stop);
        prints {"run-state", "queue-status"}; exit 1 on timeout.

Module:
    with QMP(path) as q:          (or connect(SPEC): a path, or libvirt:DOMAIN
                                   for VirshQMP, one virsh run per command)
        q.cmd("query-status")
        virtio_snapshot(q)
"""

import json
import socket
import sys
import time


class QMPError(Exception):
    """QEMU answered with an "error" object."""

    def __init__(self, cmd, error):
        self.cmd = cmd
        self.error = error
        super().__init__("%s: %s: %s" % (cmd, error.get("class"), error.get("desc")))


class QMP:
    def __init__(self, path, timeout=60.0):
        self.path = path
        self.timeout = timeout
        self.sock = None
        self.buf = b""
        self.events = []
        self.greeting = None
        self._id = 0

    def __enter__(self):
        self.connect()
        return self

    def __exit__(self, *exc):
        self.close()

    def connect(self, retry_secs=10.0):
        deadline = time.monotonic() + retry_secs
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.path)
                break
            except OSError:
                s.close()
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.1)
        s.settimeout(self.timeout)
        self.sock = s
        self.greeting = self._read_msg()
        if "QMP" not in self.greeting:
            raise RuntimeError("unexpected QMP greeting: %r" % (self.greeting,))
        self.cmd("qmp_capabilities")

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _read_msg(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        line = line.strip()
        if not line:
            return self._read_msg()
        return json.loads(line)

    def cmd(self, name, args=None, **kwargs):
        """Run one command; return its "return" value or raise QMPError."""
        self._id += 1
        req = {"execute": name, "id": self._id}
        a = dict(args or {})
        a.update(kwargs)
        if a:
            req["arguments"] = a
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        while True:
            msg = self._read_msg()
            if "event" in msg:
                self.events.append(msg)
                continue
            if msg.get("id") != self._id:
                continue
            if "error" in msg:
                raise QMPError(name, msg["error"])
            return msg.get("return")


class VirshQMP:
    """QMP of a libvirt domain through "virsh qemu-monitor-command" (the
    connection LIBVIRT_DEFAULT_URI picks): the same cmd() as QMP's, one
    virsh run per command, nothing shared with vqdump's own client."""

    def __init__(self, domain, timeout=60.0):
        self.domain = domain
        self.timeout = timeout

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def cmd(self, name, args=None, **kwargs):
        import subprocess
        req = {"execute": name}
        a = dict(args or {})
        a.update(kwargs)
        if a:
            req["arguments"] = a
        argv = ["virsh", "qemu-monitor-command", "--", self.domain, json.dumps(req)]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=self.timeout,
                             check=True).stdout
        msg = json.loads(out)
        if "error" in msg:
            raise QMPError(name, msg["error"])
        return msg.get("return")


def connect(spec, timeout=60.0):
    """A QMP client for SPEC: a socket path, or libvirt:DOMAIN."""
    if spec.startswith("libvirt:"):
        return VirshQMP(spec[len("libvirt:"):], timeout)
    return QMP(spec, timeout)


def _try(q, name, **args):
    try:
        return q.cmd(name, **args)
    except QMPError as e:
        return {"error": e.error}


def virtio_snapshot(q):
    """QEMU's view of every virtio device and queue (VM should be stopped)."""
    devices = []
    for dev in q.cmd("x-query-virtio"):
        path = dev["path"]
        status = q.cmd("x-query-virtio-status", path=path)
        queues = []
        for i in range(status.get("num-vqs", 0)):
            st = _try(q, "x-query-virtio-queue-status", path=path, queue=i)
            el = _try(q, "x-query-virtio-queue-element", path=path, queue=i)
            window = []
            if "error" not in el and "error" not in st and st.get("vring-num"):
                aidx, uidx = el["avail"]["idx"], el["used"]["idx"]
                n = min((aidx - uidx) & 0xFFFF, st["vring-num"])
                for k in range(n):
                    idx = (uidx + k) & 0xFFFF
                    window.append({"avail-index": idx,
                                   "element": _try(q, "x-query-virtio-queue-element",
                                                   path=path, queue=i, index=idx)})
            queues.append({"queue": i, "status": st, "element": el, "window": window})
        devices.append({"path": path, "name": dev.get("name"),
                        "status": status, "queues": queues})
    return {"devices": devices}


def wait_inflight(q, path, queue=0, timeout=60, stopped=True):
    """Wait for inuse > 0 on one queue (and a stopped VM if asked)."""
    deadline = time.monotonic() + timeout
    while True:
        st = q.cmd("x-query-virtio-queue-status", path=path, queue=queue)
        rs = q.cmd("query-status")
        if st.get("inuse", 0) > 0 and not (stopped and rs.get("running")):
            return {"run-state": rs.get("status"), "queue-status": st}
        if time.monotonic() >= deadline:
            raise QMPError("@wait-inflight", {
                "class": "Timeout",
                "desc": "no request in flight after %ss (run state %s, inuse %s)"
                        % (timeout, rs.get("status"), st.get("inuse"))})
        time.sleep(0.25)


def main(argv):
    timeout = 120.0
    args = list(argv[1:])
    if args and args[0] == "--timeout":
        timeout = float(args[1])
        args = args[2:]
    if len(args) < 2 or len(args) > 3:
        sys.stderr.write("usage: qmp.py [--timeout SECS] SOCKET CMD [JSON-ARGS]\n"
                         "       qmp.py [--timeout SECS] SOCKET @virtio-snapshot\n")
        return 2
    path, name = args[0], args[1]
    cmd_args = json.loads(args[2]) if len(args) == 3 else None
    try:
        with QMP(path, timeout=timeout) as q:
            if name == "@virtio-snapshot":
                ret = virtio_snapshot(q)
            elif name == "@wait-inflight":
                ret = wait_inflight(q, **(cmd_args or {}))
            else:
                ret = q.cmd(name, cmd_args)
    except QMPError as e:
        sys.stderr.write("qmp.py: %s\n" % e)
        return 1
    except (OSError, EOFError, ValueError) as e:
        if name == "quit" and isinstance(e, EOFError):
            return 0
        sys.stderr.write("qmp.py: %s: %s\n" % (path, e))
        return 1
    json.dump(ret, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
