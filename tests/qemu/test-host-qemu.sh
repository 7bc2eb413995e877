#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: vqdump --qemu on the host reads a running TCG guest (QMP and its RAM) and agrees with QEMU asked directly; the guest keeps running.
#
# One PCI guest (virtio-blk-pci modern, with Linux's virtio_blk driving it,
# and a virtio-rng-pci nobody drives), left idle after boot.  From the host:
#   vqdump --qemu SOCK list --json, status --json, ring -d DISK --queue 0 --json,
#   mem, scan; the errors of a second client;
# then host_compare.py asks QEMU itself on its own connection (see there)
# and the guest must still be running (query-status) before and after.
#
# Usage: tests/qemu/test-host-qemu.sh   (VQDUMP=path overrides ../../build/vqdump)
# Output: "ok - ..." lines, then "N passed, N failed"; exit 1 on failure,
# 77 without QEMU or vqdump.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=live_lib.sh
. "$HERE/live_lib.sh"

live_init
live_initramfs "$TMP/initrd.gz" 1 "virtio_blk virtio_rng" || fatal "initramfs with drivers"
truncate -s 16M "$TMP/blk.img" || fatal "disk image"
# shellcheck disable=SC2054 # QEMU options are comma-separated
live_boot host "$TMP/initrd.gz" -vga none -nic none \
	-drive "file=$TMP/blk.img,format=raw,if=none,id=d0" \
	-device virtio-blk-pci,drive=d0,id=vblk0,disable-legacy=on,addr=04.0 \
	-device virtio-rng-pci,id=vrng0,disable-legacy=on,addr=05.0
ok "guest booted"
SOCK=$QEMU_QMP
sleep 2

running() {
	python3 "$HERE/qmp.py" "$SOCK" query-status | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["running"] else 1)'
}
running && ok "guest running before vqdump" || not_ok "guest running before vqdump"

# vq NAME OUT ARGS...: vqdump --qemu SOCK ARGS > OUT, exit 0 wanted.
vq() {
	local name=$1 out=$2
	shift 2
	if "$VQDUMP" --qemu "$SOCK" "$@" >"$out" 2>"$out.err"; then
		ok "$name"
	else
		not_ok "$name: exit $? ($(head -c 300 "$out.err"))"
	fi
}
D=$LIVE_DIR
vq "list --json" "$D/list.json" list --json
vq "status --json" "$D/status.json" status --json
vq "ring -d 0000:00:04.0 --queue 0 --json" "$D/ring.json" -d 0000:00:04.0 ring --queue 0 --json
vq "features -d 0000:00:04.0" "$D/features.txt" -d 0000:00:04.0 features
vq "list (text, unix:PATH)" "$D/list.txt" list
grep -q '0000:00:04.0' "$D/list.txt" && ok "list names the disk by its PCI address" ||
	not_ok "list names the disk by its PCI address: $(cat "$D/list.txt")"

# A second client while one holds the socket: one line, exit 3.
python3 - "$SOCK" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.recv(4096); time.sleep(8)
PY
HOLD=$!
sleep 1
"$VQDUMP" --qemu "$SOCK" list >"$D/second.out" 2>"$D/second.err"
rc=$?
wait "$HOLD"
if [ "$rc" = 3 ] && [ "$(wc -l <"$D/second.err")" = 1 ] && grep -q "another client holds it" "$D/second.err"; then
	ok "second client: one line, exit 3"
else
	not_ok "second client: exit $rc, $(cat "$D/second.err")"
fi

live_fold < <(python3 "$HERE/host_compare.py" "$SOCK" "$D/list.json" "$D/status.json" \
	"$D/ring.json" 0000:00:04.0 2>&1)
live_shutdown
finish
