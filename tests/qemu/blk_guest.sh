#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest /init for the blk system tests and bench: runs the host's command lines from ttyS1, loads drivers on request.
# shellcheck disable=SC2086 # word lists on purpose
#
# Boots with no module loaded (every virtio device unbound).  Commands come
# one per line on the second serial port (ttyS1, a socket on the host),
# each prefixed by a sequence number SEQ that the answer repeats:
#   SEQ run KEY CMDLINE...   run CMDLINE with sh (eval) and print one block:
#                              VQ-OUT KEY rc=N / stdout / VQ-ERR / stderr /
#                              VQ-END KEY; and if CMDLINE made /tmp/KEY.bin,
#                              VQ-SHA KEY <sha256 of it> and VQ-HEX KEY <its
#                              first 16 bytes>
#   SEQ load                 insmod /modules/order (virtio transports and
#                            virtio_blk), wait for the disks to appear
#   SEQ quit                 sync and power off
# Every command ends with "VQ-ACK SEQ" on the console (ttyS0).
# shellcheck source=/dev/null # written by lib.sh into the initramfs
. /lib/vq-common.sh
vq_setup

say() { echo "$*"; }

block() { # block KEY CMDLINE: run CMDLINE, print its output as one block
	key=$1
	rm -f "/tmp/$key.bin"
	(eval "$2") >/tmp/out 2>/tmp/err
	rc=$?
	say "VQ-OUT $key rc=$rc"
	cat /tmp/out
	# The markers must start a line.
	[ -n "$(tail -c 1 /tmp/out)" ] && echo
	say "VQ-ERR"
	cat /tmp/err
	[ -n "$(tail -c 1 /tmp/err)" ] && echo
	say "VQ-END $key"
	if [ -f "/tmp/$key.bin" ]; then
		say "VQ-SHA $key $(sha256sum "/tmp/$key.bin" | cut -d' ' -f1)"
		say "VQ-HEX $key $(od -An -tx1 -N 16 "/tmp/$key.bin" | tr -s ' \n' ' ') size=$(wc -c <"/tmp/$key.bin")"
	fi
}

load() {
	vq_load_modules
	i=0
	while [ $i -lt 50 ]; do
		ls /sys/block/vd* >/dev/null 2>&1 && break
		sleep 0.2
		i=$((i + 1))
	done
	# Let virtio_blk finish its partition scan.
	sleep 1
	say "VQ-LOADED" /sys/block/*
}

# Which /dev/vdX carries the disk with serial $1.
vq_disk() {
	for b in /sys/block/vd*; do
		[ "$(cat "$b/serial" 2>/dev/null)" = "$1" ] && echo "/dev/${b##*/}" && return 0
	done
	return 1
}

exec 3<>/dev/ttyS1
stty -F /dev/ttyS1 raw -echo
say "VQ-READY"
while read -r seq cmd args <&3; do
	case $cmd in
	run) block "${args%% *}" "${args#* }" ;;
	load) load ;;
	quit)
		sync
		say "VQ-ACK $seq"
		poweroff -f
		;;
	*) say "VQ-BAD-COMMAND $cmd" ;;
	esac
	say "VQ-ACK $seq"
done
say "VQ-CONTROL-EOF"
while :; do sleep 60; done
