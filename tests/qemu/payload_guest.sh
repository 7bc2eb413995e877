#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest /init for test-payloads.sh: loads the virtio drivers, mounts 9p and virtio-fs, then runs the host's commands from ttyS1.
#
# Commands, one a line on ttyS1, each prefixed by a sequence number SEQ:
#   sh TAG CMD...     run CMD with sh -c, its output as a block
#   vq TAG ARGS...    run vqdump ARGS, its output as a block
#   quit              power off
# A block is "VQ-OUT TAG - rc=N", stdout, "VQ-ERR", stderr, "VQ-END TAG -";
# every command ends with "VQ-ACK SEQ" on the console.
. /lib/vq-common.sh
vq_setup
vq_load_modules
# Let the drivers finish probing (the SCSI scan, the framebuffer).
sleep 2
mkdir -p /mnt9 /mntfs
mount -t 9p -o trans=virtio,version=9p2000.L,cache=none vq9p /mnt9 2>&1 || echo "VQ: 9p mount failed"
mount -t virtiofs vqfs /mntfs 2>&1 || echo "VQ: virtiofs mount failed"

block() { # block TAG CMD...
	tag=$1
	shift
	"$@" >/tmp/out 2>/tmp/err
	rc=$?
	echo "VQ-OUT $tag - rc=$rc"
	cat /tmp/out
	[ -n "$(tail -c 1 /tmp/out)" ] && echo
	echo "VQ-ERR"
	cat /tmp/err
	[ -n "$(tail -c 1 /tmp/err)" ] && echo
	echo "VQ-END $tag -"
}

exec 3<>/dev/ttyS1
stty -F /dev/ttyS1 raw -echo
echo "VQ-READY"
while read -r seq cmd tag args <&3; do
	case $cmd in
	sh) block "$tag" sh -c "$args" ;;
	vq) block "$tag" timeout 30 vqdump $args ;;
	quit)
		echo "VQ-ACK $seq"
		poweroff -f
		;;
	*) echo "VQ-BAD-COMMAND $cmd" ;;
	esac
	echo "VQ-ACK $seq"
done
while :; do sleep 60; done
