#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --qemu SOCKET without a QEMU: each way the socket can be wrong is one line and exit 3; a fake QMP (fakeqmp.py) replaying a real QEMU's answers is read like QEMU.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh

FAKE=tests/cli/fakeqmp.py

# fake MODE [DATA]: start fakeqmp.py on $T/qmp.sock, wait until it listens.
fake() {
	rm -f "$T/qmp.sock" "$T/qmp.sock.forbidden" "$T/fake.out"
	python3 "$FAKE" "$T/qmp.sock" "$@" >"$T/fake.out" 2>&1 &
	FAKE_PID=$!
	for _ in $(seq 50); do
		grep -q ready "$T/fake.out" 2>/dev/null && return
		sleep 0.1
	done
}
fake_end() {
	kill "$FAKE_PID" 2>/dev/null
	wait "$FAKE_PID" 2>/dev/null
}

# --- the socket is wrong --------------------------------------------------

expect "no such socket" 3 "QMP socket $T/none: No such file" -- --qemu "$T/none" list
: >"$T/plain"
expect "a regular file" 3 "not a socket" -- --qemu "unix:$T/plain" list
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/dead.sock"
expect "nobody listens" 3 "Connection refused \(no QEMU listens there" -- --qemu "$T/dead.sock" list
expect "two sources" 2 "give one source" -- --qemu "$T/dead.sock" --raw "$T/plain@0" list

fake notqmp
expect "not QMP" 3 "is not QMP \(give the path of QEMU's -qmp socket" -- --qemu "$T/qmp.sock" list
fake_end
fake silent
expect "second client" 3 "no greeting within 5 s: another client holds it" -- --qemu "$T/qmp.sock" list
fake_end
fake old
expect "QEMU before 7.2" 3 "QEMU 7.1 at .* has no x-query-virtio: .* from QEMU 7.2 on" -- --qemu "unix:$T/qmp.sock" list
fake_end

finish
