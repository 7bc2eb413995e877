#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest /init for test-snapshot.sh: loads the virtio drivers, then runs vqdump live and on its own snapshot as the host asks.
# shellcheck disable=SC2086 # $VQ and $args are word lists on purpose
#
# The protocol is live_guest.sh's (commands one per line on ttyS1, each
# prefixed by SEQ and answered by "VQ-ACK SEQ" on the console; results
# between VQ-OUT TAG KEY rc=N / VQ-ERR / VQ-END TAG KEY lines):
#   SEQ run TAG SRC SPEC...   run vqdump on SRC ("live", or a snapshot file
#                             in the guest) once per SPEC:
#     list | status | sysfs | ring:DEV:Q | sel:SELECTOR    as live_guest.sh (JSON)
#     text:CMD          CMD (list, status, features, config, regs) as text
#     tring:DEV:Q       -d DEV ring --queue Q, text
#     mem:ADDR:LEN      mem ADDR LEN
#     at:DESC,AVAIL,USED:SIZE   ring --at ... --size SIZE --json
#   SEQ snap FILE MS [TAG]    vqdump snapshot -o FILE --interval MS --json (block "snap"
#                             of round TAG, default snap),
#                             then again without --force (block "snap-exists"; must
#                             be refused) and FILE's md5sum before and after ("snap-md5")
#   SEQ hold SERIAL SEEK      a background direct write of 4 KiB at block SEEK of
#                             the disk with serial SERIAL (held by the host)
#   SEQ dump FILE             FILE in base64 between VQ-FILE-BEGIN / VQ-FILE-END
#   SEQ quit                  power off
# shellcheck source=/dev/null # written by lib.sh into the initramfs
. /lib/vq-common.sh
vq_setup
vq_load_modules
# Let the drivers finish probing.
sleep 2
echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null
# hwrng: no kernel thread reading the device behind the test's back.
echo none >/sys/class/misc/hw_random/rng_current 2>/dev/null

say() { echo "$*"; }

block() { # block TAG KEY CMD...
	tag=$1 key=$2
	shift 2
	"$@" >/tmp/out 2>/tmp/err
	rc=$?
	say "VQ-OUT $tag $key rc=$rc"
	cat /tmp/out
	[ -n "$(tail -c 1 /tmp/out)" ] && echo
	say "VQ-ERR"
	cat /tmp/err
	[ -n "$(tail -c 1 /tmp/err)" ] && echo
	say "VQ-END $tag $key"
}

sysfs_report() {
	for v in /sys/bus/virtio/devices/virtio*; do
		[ -e "$v" ] || continue
		n=${v##*/}
		parent=$(readlink -f "$v/..")
		pdrv=$(readlink "$parent/driver" 2>/dev/null)
		vdrv=$(readlink "$v/driver" 2>/dev/null)
		echo "virtio $n parent=${parent##*/} parent_driver=${pdrv##*/} driver=${vdrv##*/} device=$(cat "$v/device") features=$(cat "$v/features")"
	done
	# MMIO windows by platform device name (LNRO0005:NN).
	grep -i 'LNRO0005' /proc/iomem | sed 's/^ *//' | while read -r range _ name _; do
		echo "iomem ${range%%-*} $name"
	done
	for p in /sys/bus/pci/devices/*; do
		[ -e "$p/vendor" ] || continue
		[ "$(cat "$p/vendor")" = 0x1af4 ] || continue
		drv=$(readlink "$p/driver" 2>/dev/null)
		echo "pci ${p##*/} driver=${drv##*/}"
	done
	for p in /sys/bus/platform/devices/LNRO0005:*; do
		[ -e "$p" ] || continue
		drv=$(readlink "$p/driver" 2>/dev/null)
		echo "platform ${p##*/} driver=${drv##*/}"
	done
}

do_run() {
	tag=$1 src=$2
	shift 2
	VQ="timeout 60 vqdump"
	[ "$src" = live ] || VQ="$VQ --core $src"
	for spec in "$@"; do
		case $spec in
		list) block "$tag" list $VQ list --json ;;
		status) block "$tag" status $VQ status --json ;;
		sysfs) block "$tag" sysfs sysfs_report ;;
		ring:*)
			rest=${spec#ring:}
			block "$tag" "$spec" $VQ -d "${rest%:*}" ring --queue "${rest##*:}" --json
			;;
		tring:*)
			rest=${spec#tring:}
			block "$tag" "$spec" $VQ -d "${rest%:*}" ring --queue "${rest##*:}"
			;;
		sel:*) block "$tag" "$spec" $VQ -d "${spec#sel:}" status --json ;;
		text:*) block "$tag" "$spec" $VQ "${spec#text:}" ;;
		mem:*)
			rest=${spec#mem:}
			block "$tag" "$spec" $VQ mem "${rest%:*}" "${rest##*:}"
			;;
		at:*)
			rest=${spec#at:}
			block "$tag" "$spec" $VQ ring --at "${rest%:*}" --size "${rest##*:}" --json
			;;
		*) say "VQ-BAD-SPEC $spec" ;;
		esac
	done
}

exec 3<>/dev/ttyS1
stty -F /dev/ttyS1 raw -echo
say "VQ-READY load=1"
while read -r seq cmd args <&3; do
	case $cmd in
	run) do_run $args ;;
	snap)
		set -- $args
		tag=${3:-snap}
		rm -f "$1"
		block "$tag" snap timeout 120 vqdump snapshot -o "$1" --interval "$2" --json
		md5sum "$1" >/tmp/md5.before
		block "$tag" snap-exists timeout 120 vqdump snapshot -o "$1" --interval 0
		md5sum "$1" >/tmp/md5.after
		block "$tag" snap-md5 cat /tmp/md5.before /tmp/md5.after
		;;
	hold)
		# hold SERIAL SEEK: a 4 KiB direct write at block SEEK of the disk
		# whose serial is SERIAL, in the background (the host holds it
		# in QEMU with blkdebug: a request in flight).
		set -- $args
		disk=
		for b in /sys/block/vd*; do
			[ "$(cat "$b/serial" 2>/dev/null)" = "$1" ] && disk=/dev/${b##*/}
		done
		if [ -n "$disk" ]; then
			dd if=/dev/zero of="$disk" bs=4096 count=1 seek="$2" oflag=direct conv=notrunc >/dev/null 2>&1 &
			say "VQ-HOLD $disk"
		else
			say "VQ-HOLD none"
		fi
		;;
	dump)
		say "VQ-FILE-BEGIN $args"
		base64 "$args"
		say "VQ-FILE-END"
		;;
	quit)
		say "VQ-ACK $seq"
		poweroff -f
		;;
	*) say "VQ-BAD-COMMAND $cmd" ;;
	esac
	say "VQ-ACK $seq"
done
say "VQ-CONTROL-EOF"
while :; do sleep 60; done
