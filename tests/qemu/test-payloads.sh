#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: vqdump's payload decoders (scsi, 9p, virtio-fs, input, gpu, balloon) on real QEMU devices, checked against what the test made them do.
#
# One PCI guest (TCG) with virtio-scsi (+ scsi-hd at target 1 LUN 2),
# virtio-9p (-fsdev local), vhost-user-fs (QEMU's virtiofsd, started and
# stopped here), virtio-keyboard, virtio-balloon and virtio-gpu, their Linux
# drivers loaded.  For each device the guest does one operation, then
# `vqdump ring --queue N --json` runs in the guest and payload_check.py
# compares the decoded payloads with what the test knows without vqdump:
#   scsi     dd of one sector: READ(10), opcode 0x28 (SBC-3), to target 1
#            LUN 2 (QEMU's command line), response OK, status GOOD
#   9p       cat of a file in a loop, vqdump sampling until it catches
#            requests in flight: each one of the 9P2000.L messages of
#            open-read-close (walk/getattr/lopen/read/clunk); the used
#            entries point at freed, zeroed buffers and must decode as no
#            message at all
#   fs       cat of a file: FUSE LOOKUP/GETATTR/OPEN/READ/FLUSH/RELEASE
#            (linux/fuse.h), the last FLUSH or RELEASE answered without error
#            and with its unique; a stat while virtiofsd is stopped
#            (SIGSTOP) leaves its first request (GETATTR of the root or
#            LOOKUP in it) in flight: nodeid FUSE_ROOT_ID
#   input    keys q and z pressed and released over QMP input-send-event:
#            EV_KEY events with KEY_Q/KEY_Z from linux/input-event-codes.h
#   gpu      a write to /dev/fb0: the fbdev damage flush sends
#            TRANSFER_TO_HOST_2D then RESOURCE_FLUSH (5.7.6.8), each
#            answered OK_NODATA
#   balloon  statistics polling on, then off: the buffer the device holds
#            equals QEMU's qom-get guest-stats, statistic by statistic
# The devices run with indirect_desc=off: a used entry is decoded from the
# descriptors as memory holds them afterwards, and Linux frees indirect
# tables on completion (kmalloc memory that the next allocation reuses);
# direct descriptors stay until the driver reuses them for the next request.
#
# rpmsg is not here: no QEMU x86 device speaks it (unit tests only).
# Needs the full Debian kernel (linux-image-amd64: the cloud kernel has no
# 9p and no virtio-gpu).  Debian 12 has no virtiofsd package in main; QEMU
# 7.2's own /usr/lib/qemu/virtiofsd (qemu-system-common) is used when no
# virtiofsd is on PATH.
#
# Usage: tests/qemu/test-payloads.sh   (VQDUMP=path; VQ_KEEP=DIR keeps the console)
# Output: "ok - ..." / "not ok - ..." lines, then "N passed, N failed"; exit 1
# if any check failed, 77 ("skipped: ...") without QEMU, vqdump, the kernel
# modules or virtiofsd.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export QEMU_KERNEL_META=${QEMU_KERNEL_META:-linux-image-amd64}
# shellcheck source-path=SCRIPTDIR source=live_lib.sh
. "$HERE/live_lib.sh"
START=$SECONDS

VFSD=$(command -v virtiofsd || true)
[ -n "$VFSD" ] || VFSD=/usr/lib/qemu/virtiofsd
if [ ! -x "$VFSD" ]; then
	echo "skipped: virtiofsd not installed (QEMU 7.2's is in qemu-system-common)"
	exit 77
fi
live_init
MODS="virtio_scsi sd_mod 9pnet_virtio 9p virtiofs virtio_input virtio_balloon virtio_gpu"
for m in $MODS; do
	if [ -z "$(_qemu_mod_path "$m")" ]; then
		echo "skipped: module $m is not in $QEMU_KERNEL_PKG"
		exit 77
	fi
done
qemu_initramfs "$TMP/initrd.gz" "$HERE/payload_guest.sh" "$MODS" \
	"bin:$VQDUMP=/bin/vqdump" || fatal "initramfs"

mkdir -p "$TMP/share9" "$TMP/sharefs"
echo "hello over 9p" >"$TMP/share9/hello.txt"
echo "hello over virtio-fs" >"$TMP/sharefs/hello.txt"
truncate -s 16M "$TMP/scsi.img"

# virtiofsd: QEMU's C daemon sandboxes itself in namespaces (needs root);
# the Rust one takes --sandbox none.
VFS_SOCK=$TMP/vfs.sock
case $("$VFSD" --version 2>&1 | head -n 1) in
*"virtiofsd version"*) "$VFSD" --socket-path="$VFS_SOCK" -o source="$TMP/sharefs" -o cache=none \
	>"$TMP/virtiofsd.log" 2>&1 & ;;
*) "$VFSD" --socket-path="$VFS_SOCK" --shared-dir "$TMP/sharefs" --cache never --sandbox none \
	>"$TMP/virtiofsd.log" 2>&1 & ;;
esac
VFSD_PID=$!
# vfsd_signal SIG: to virtiofsd and the processes it forked (QEMU's C
# daemon sandboxes itself in a child).
vfsd_signal() {
	local all=$VFSD_PID next=$VFSD_PID
	while next=$(pgrep -d, -P "$next") && [ -n "$next" ]; do
		all="$all,$next"
	done
	# shellcheck disable=SC2046 # one PID per word
	kill -"$1" $(echo "$all" | tr , ' ') 2>/dev/null
}
# shellcheck disable=SC2317 # called from the EXIT trap
stop_vfsd() {
	vfsd_signal CONT
	kill "$VFSD_PID" 2>/dev/null
	wait "$VFSD_PID" 2>/dev/null
}
trap 'stop_vfsd; qemu_cleanup' EXIT
for ((i = 0; i < 50; i++)); do
	[ -S "$VFS_SOCK" ] && break
	kill -0 "$VFSD_PID" 2>/dev/null || break
	sleep 0.1
done
[ -S "$VFS_SOCK" ] || fatal "virtiofsd starts: $(tail -n 3 "$TMP/virtiofsd.log")"

# shellcheck disable=SC2054 # QEMU options are comma-separated
live_boot payloads "$TMP/initrd.gz" -vga none -nic none \
	-object memory-backend-memfd,id=mem,size=256M,share=on -machine memory-backend=mem \
	-drive "file=$TMP/scsi.img,format=raw,if=none,id=dscsi" \
	-device virtio-scsi-pci,id=scsi0,addr=0x4,disable-legacy=on,indirect_desc=off \
	-device scsi-hd,drive=dscsi,bus=scsi0.0,scsi-id=1,lun=2 \
	-fsdev "local,id=fs9,path=$TMP/share9,security_model=none" \
	-device virtio-9p-pci,fsdev=fs9,mount_tag=vq9p,addr=0x5,disable-legacy=on,indirect_desc=off \
	-chardev "socket,id=vfs,path=$VFS_SOCK" \
	-device vhost-user-fs-pci,chardev=vfs,tag=vqfs,addr=0x6,indirect_desc=off \
	-device virtio-keyboard-pci,id=kbd0,addr=0x7,disable-legacy=on \
	-device virtio-balloon-pci,id=bal0,addr=0x8,disable-legacy=on \
	-device virtio-gpu-pci,id=gpu0,addr=0x9,indirect_desc=off
ok "guest with scsi, 9p, virtio-fs, keyboard, balloon and gpu boots ($(live_elapsed "$START") s)"
grep -a "^VQ: " "$QEMU_SERIAL" | tr -d '\r' | sed 's/^/# /'

check() { # check TAG KIND ARGS...
	live_fold < <(python3 "$HERE/payload_check.py" "$QEMU_SERIAL" "$@")
}
ring() { # ring TAG PCI QUEUE [RECENT]
	live_cmd 60 vq "$1" -d "0000:00:$2.0" ring --queue "$3" --json --recent "${4:-4}" ||
		fatal "$1: vqdump ring in the guest"
}

# scsi: READ(10) is SBC-3 opcode 0x28, what sd sends for a 16 MiB disk.
live_cmd 60 sh scsi-io "dd if=/dev/sda of=/dev/null bs=512 count=1 skip=100 iflag=direct" ||
	fatal "scsi: dd in the guest"
ring scsi 04 2
check scsi scsi 1 2 0x28

# 9p: Twalk 110, Tgetattr 24, Tlopen 12, Tread 116, Tclunk 120, Txattrwalk 30.
live_cmd 60 sh p9-io "cat /mnt9/hello.txt" || fatal "9p: cat in the guest"
if grep -aq "hello over 9p" "$QEMU_SERIAL"; then ok "9p: the guest read the file"; else not_ok "9p: the guest read the file"; fi
ring p9 05 0
check p9 9p-used
# The same operation in a loop while vqdump samples the ring until it
# catches requests in flight (the reading process sleeps on each one, so
# vqdump runs exactly then).
# A view of a ring that moved while read (3 tries) may hold requests
# completed meanwhile, their descriptors reused: only a settled one counts.
# Sampling goes on for up to 60 s (not a count: a loaded host is slower).
catch() { # catch TAG PCI QUEUE CMD PATTERN: until the JSON has PATTERN
	live_cmd 90 sh "$1" "($4) >/dev/null 2>&1 & p=\$!; t0=\$(date +%s); while [ \$((\$(date +%s) - t0)) -lt 60 ]; do vqdump -d 0000:00:$2.0 ring --queue $3 --json --recent 0 >/tmp/r.json; grep -q '$5' /tmp/r.json && grep -q '\"moved_while_read\": false' /tmp/r.json && break; done; kill \$p; cat /tmp/r.json" ||
		fatal "$1: vqdump ring in the guest while the operation loops"
}
catch p9-pending 05 0 "while :; do cat /mnt9/hello.txt; done" '\"in_flight\": [1-9]'
check p9-pending 9p-pending 110,24,12,116,120,30

# virtio-fs: LOOKUP 1, GETATTR 3, OPEN 14, READ 15, FLUSH 25, RELEASE 18
# (queue 1: the first request queue; queue 0 is hiprio).
live_cmd 60 sh fs-io "cat /mntfs/hello.txt" || fatal "fs: cat in the guest"
if grep -aq "hello over virtio-fs" "$QEMU_SERIAL"; then ok "fs: the guest read the file"; else
	not_ok "fs: the guest read the file"; fi
ring fs 06 1
check fs fs 1,3,14,15,25,18 25,18
ROOT=$(awk '$2 == "FUSE_ROOT_ID" { print $3 }' /usr/include/linux/fuse.h)
# stat: its first request is a GETATTR of the root or a LOOKUP of the name
# in it (cache=none: every time).  The device here is virtiofsd, so the
# test stops it (SIGSTOP) and that request stays in flight until it
# continues.  Sampling a stat loop instead raced
# the daemon: on a loaded 2-core CI machine 60 s of samples caught nothing.
live_cmd 60 sh fs-drop "echo 2 >/proc/sys/vm/drop_caches" || fatal "fs: drop_caches in the guest"
vfsd_signal STOP
live_cmd 90 sh fs-pending "stat /mntfs/hello.txt >/dev/null 2>&1 & t0=\$(date +%s); while [ \$((\$(date +%s) - t0)) -lt 60 ]; do vqdump -d 0000:00:06.0 ring --queue 1 --json --recent 0 >/tmp/r.json; grep -q '\"in_flight\": [1-9]' /tmp/r.json && grep -q '\"moved_while_read\": false' /tmp/r.json && break; sleep 0.2; done; cat /tmp/r.json" ||
	fatal "fs-pending: vqdump ring in the guest while virtiofsd is stopped"
vfsd_signal CONT
check fs-pending fs-pending 1,3 "$ROOT"

# input: codes from the kernel's header, not from vqdump.
KEY_Q=$(awk '$2 == "KEY_Q" { print $3 }' /usr/include/linux/input-event-codes.h)
KEY_Z=$(awk '$2 == "KEY_Z" { print $3 }' /usr/include/linux/input-event-codes.h)
for ev in "q true" "q false" "z true" "z false"; do
	# shellcheck disable=SC2086 # KEY DOWN, split on purpose
	set -- $ev
	qemu_qmp input-send-event "{\"events\": [{\"type\": \"key\", \"data\": {\"down\": $2, \"key\": {\"type\": \"qcode\", \"data\": \"$1\"}}}]}" \
		>/dev/null || fatal "input: QMP input-send-event"
	sleep 0.3
done
sleep 1
ring input 07 0 8
check input input "$KEY_Z:0,$KEY_Z:1,$KEY_Q:0,$KEY_Q:1"

# gpu: TRANSFER_TO_HOST_2D 0x105, RESOURCE_FLUSH 0x104 (the damage flush).
live_cmd 60 sh gpu-io "dd if=/dev/urandom of=/dev/fb0 bs=4096 count=4 && sleep 1" ||
	fatal "gpu: write to /dev/fb0"
ring gpu 09 0
check gpu gpu 0x105,0x104 0x104

# balloon: poll every second until QEMU has statistics, then stop polling
# so the buffer the device holds stays the one QEMU read.
qemu_qmp qom-set '{"path": "/machine/peripheral/bal0", "property": "guest-stats-polling-interval", "value": 1}' \
	>/dev/null || fatal "balloon: qom-set guest-stats-polling-interval"
for ((i = 0; i < 30; i++)); do
	qemu_qmp qom-get '{"path": "/machine/peripheral/bal0", "property": "guest-stats"}' >"$TMP/stats.json" &&
		python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["last-update"] else 1)' \
			"$TMP/stats.json" && break
	sleep 1
done
qemu_qmp qom-set '{"path": "/machine/peripheral/bal0", "property": "guest-stats-polling-interval", "value": 0}' \
	>/dev/null || fatal "balloon: polling off"
sleep 1
qemu_qmp qom-get '{"path": "/machine/peripheral/bal0", "property": "guest-stats"}' >"$TMP/stats.json" ||
	fatal "balloon: qom-get guest-stats"
ring balloon 08 2
check balloon balloon "$TMP/stats.json"

live_cmd 30 quit || true
echo "# total $(live_elapsed "$START") s"
finish
