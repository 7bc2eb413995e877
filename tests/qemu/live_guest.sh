#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest /init for the live tests: optionally loads the virtio drivers, then runs the host's commands from ttyS1.
# shellcheck disable=SC2086 # $VQ, $PIDS and $args are word lists on purpose
#
# /etc/vq-live.conf sets LOAD=1 (insmod /modules/order) or LOAD=0 (no
# driver at all: devices stay as the firmware left them).  Results go to
# the console (ttyS0) between marker lines; commands come one per line on
# the second serial port (ttyS1, a socket on the host), each prefixed by a
# sequence number SEQ that the answer repeats:
#   SEQ busy-start            start I/O on every device that has a driver
#   SEQ busy-stop             stop it, and wait until the devices are quiet
#   SEQ run TAG SPEC...       run vqdump (or read sysfs), one block per SPEC:
#                               list | status | sysfs | ring:DEV:Q | sel:SELECTOR
#   SEQ np SECS SERIAL RINGDEV   non-perturbation run (see test-live-noperturb.sh)
#   SEQ isr-read PCIADDR      read the ISR byte of a modern virtio-pci device
#                             with devmem (the test's positive control)
#   SEQ vq TAG KEY ARGS...    run "vqdump ARGS..." as one block (test-diagnose.sh)
#   SEQ vqint TAG KEY SECS ARGS...  the same, ended by SIGINT (Ctrl-C) after SECS
#   SEQ bgwrite DEV BLOCK     one 4 KiB O_DIRECT write to /dev/DEV at 4 KiB block
#                             BLOCK, in the background (it may be held on purpose)
#   SEQ oooid DEV FIRST BLOCK 4 KiB O_DIRECT writes to blocks FIRST and
#                             FIRST+1 (a throttled disk's budget taken), one to
#                             BLOCK in the background, and 0.3 s later the disk's
#                             serial: a GET_ID request answered ahead of it
#   SEQ bgread SERIAL N       N loops of 4 KiB O_DIRECT reads of the disk whose
#                             serial is SERIAL (or the disk vdX, named so: no
#                             disk's serial read, which is a request to it),
#                             in the background (busy-stop ends them): N
#                             requests kept going, one per loop
#   SEQ cmd TAG KEY CMD...    run any guest command as one block (the
#                             probes of test-live-stock.sh)
#   SEQ quit                  power off
# Every command ends with "VQ-ACK SEQ" on the console.  A vqdump block is
#   VQ-OUT TAG KEY rc=N / stdout lines / VQ-ERR / stderr lines / VQ-END TAG KEY
# shellcheck source=/dev/null # written by lib.sh into the initramfs
. /lib/vq-common.sh
vq_setup
# A vqdump that hangs must not hang the test: it fails that one block.
VQ="timeout 30 vqdump"
LOAD=0
# shellcheck source=/dev/null
[ -r /etc/vq-live.conf ] && . /etc/vq-live.conf
if [ "$LOAD" = 1 ]; then
	vq_load_modules
	# Let the drivers finish probing (partition and SCSI scans).
	sleep 2
fi
echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null
echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null

say() { echo "$*"; }

block() { # block TAG KEY CMD...: run CMD, print its output as one block
	tag=$1 key=$2
	shift 2
	"$@" >/tmp/out 2>/tmp/err
	rc=$?
	say "VQ-OUT $tag $key rc=$rc"
	cat /tmp/out
	# The markers must start a line.
	[ -n "$(tail -c 1 /tmp/out)" ] && echo
	say "VQ-ERR"
	cat /tmp/err
	[ -n "$(tail -c 1 /tmp/err)" ] && echo
	say "VQ-END $tag $key"
}

# What Linux says about every virtio device: the oracle for vqdump's
# virtio_name, driver and virtio_driver fields.
sysfs_report() {
	for v in /sys/bus/virtio/devices/virtio*; do
		[ -e "$v" ] || continue
		n=${v##*/}
		parent=$(readlink -f "$v/..")
		pdrv=$(readlink "$parent/driver" 2>/dev/null)
		vdrv=$(readlink "$v/driver" 2>/dev/null)
		# What the driver took from the device configuration: a disk's
		# size and segment limit (virtio_blk), a SCSI host's (virtio_scsi).
		extra=
		for b in "$v"/block/*; do
			[ -e "$b/size" ] && extra="$extra blk_sectors=$(cat "$b/size") max_segments=$(cat "$b/queue/max_segments")"
		done
		for h in "$v"/host*/scsi_host/host*; do
			[ -e "$h/sg_tablesize" ] && extra="$extra sg_tablesize=$(cat "$h/sg_tablesize") nr_hw_queues=$(cat "$h/nr_hw_queues")"
		done
		echo "virtio $n parent=${parent##*/} parent_driver=${pdrv##*/} driver=${vdrv##*/} device=$(cat "$v/device") features=$(cat "$v/features")$extra"
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
	tag=$1
	shift
	for spec in "$@"; do
		case $spec in
		list) block "$tag" list $VQ list --json ;;
		status) block "$tag" status $VQ status --json ;;
		sysfs) block "$tag" sysfs sysfs_report ;;
		ring:*)
			rest=${spec#ring:}
			q=${rest##*:}
			dev=${rest%:*}
			block "$tag" "$spec" $VQ -d "$dev" ring --queue "$q" --json
			;;
		sel:*) block "$tag" "$spec" $VQ -d "${spec#sel:}" status --json ;;
		*) say "VQ-BAD-SPEC $spec" ;;
		esac
	done
}

PIDS=
# Background load; its complaints must not land inside a JSON block.
bg() { "$@" >/dev/null 2>&1 & PIDS="$PIDS $!"; }

busy_start() {
	yes "vqdump live test busy writer" | head -c 262144 >/tmp/busy.pat
	for b in /sys/block/vd*; do
		[ -e "$b" ] || continue
		d=/dev/${b##*/}
		bg sh -c "while :; do dd if=/tmp/busy.pat of=$d bs=4096 seek=256 count=64 oflag=direct conv=notrunc 2>/dev/null; dd if=$d of=/dev/null bs=4096 count=64 iflag=direct 2>/dev/null; sleep 0.5; done"
	done
	for b in /sys/block/sd*; do
		[ -e "$b" ] || continue
		bg sh -c "while :; do dd if=/dev/${b##*/} of=/dev/null bs=4096 count=64 iflag=direct 2>/dev/null; sleep 0.5; done"
	done
	k=0
	for n in /sys/class/net/*; do
		ifc=${n##*/}
		[ "$ifc" = lo ] && continue
		ip link set "$ifc" up
		ip addr add "10.0.2.$((15 + k))/24" dev "$ifc"
		bg ping -I "$ifc" -i 1 -q 10.0.2.2
		k=$((k + 1))
	done
	for h in /dev/hvc*; do
		# hvc1..7 exist whether or not a console port backs them.
		echo vqdump-live-console-start 2>/dev/null >"$h" || continue
		bg sh -c "while :; do echo vqdump-live-console-line >$h; sleep 0.5; done"
	done
	if [ -r /sys/class/misc/hw_random/rng_available ] &&
		[ -n "$(cat /sys/class/misc/hw_random/rng_available)" ]; then
		# shellcheck disable=SC2016 # expanded by the inner shell
		bg sh -c 'while :; do for r in $(cat /sys/class/misc/hw_random/rng_available); do echo $r >/sys/class/misc/hw_random/rng_current; dd if=/dev/hwrng of=/dev/null bs=64 count=2 2>/dev/null; done; sleep 0.5; done'
	fi
}

busy_stop() {
	[ -n "$PIDS" ] && kill $PIDS 2>/dev/null
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	PIDS=
	for n in /sys/class/net/*; do
		[ "${n##*/}" = lo ] || ip link set "${n##*/}" down
	done
	sync
	sleep 1
}

# Non-perturbation: write a known pattern to the disk whose serial is
# SERIAL and read it back, while vqdump reads every device and one ring.
np_run() {
	secs=$1 serial=$2 ringdev=$3
	disk=
	for b in /sys/block/vd*; do
		[ "$(cat "$b/serial" 2>/dev/null)" = "$serial" ] && disk=/dev/${b##*/}
	done
	if [ -z "$disk" ]; then
		say "VQ-NP error=no-disk-with-serial-$serial"
		return
	fi
	yes "vqdump noperturb pattern A 0123456789abcdef" | head -c 1048576 >/tmp/patA
	yes "vqdump noperturb pattern B fedcba9876543210" | head -c 1048576 >/tmp/patB
	dmesg -c >/dev/null
	rm -f /tmp/np.stop
	(
		r=0 werr=0 rerr=0 cerr=0 last=none
		while [ ! -e /tmp/np.stop ]; do
			if [ $((r % 2)) = 0 ]; then p=A; else p=B; fi
			dd if=/tmp/pat$p of="$disk" bs=65536 seek=64 count=16 oflag=direct conv=notrunc 2>/dev/null || werr=$((werr + 1))
			last=$p
			dd if="$disk" of=/tmp/rd bs=65536 skip=64 count=16 iflag=direct 2>/dev/null || rerr=$((rerr + 1))
			cmp -s /tmp/rd /tmp/pat$p || cerr=$((cerr + 1))
			r=$((r + 1))
		done
		echo "rounds=$r write_errors=$werr read_errors=$rerr compare_errors=$cerr last_pattern=$last" >/tmp/np.io
	) &
	iopid=$!
	sleep 2
	say "VQ-NP-START"
	end=$(($(cut -d. -f1 /proc/uptime) + secs))
	s=0 sf=0 g=0 gf=0
	: >/tmp/np.used
	while [ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ]; do
		if ! $VQ status --json >/tmp/np.st 2>/tmp/np.err || [ ! -s /tmp/np.st ]; then
			sf=$((sf + 1))
			head -n 3 /tmp/np.err | sed 's/^/VQ-NP-STDERR /'
		fi
		s=$((s + 1))
		if ! $VQ -d "$ringdev" ring --queue 0 --json >/tmp/np.ring 2>/tmp/np.err || [ ! -s /tmp/np.ring ]; then
			gf=$((gf + 1))
			head -n 3 /tmp/np.err | sed 's/^/VQ-NP-STDERR /'
		fi
		grep -o '"used_idx": *[0-9]*' /tmp/np.ring | head -n 1 | tr -dc '0-9' >>/tmp/np.used
		echo >>/tmp/np.used
		g=$((g + 1))
	done
	touch /tmp/np.stop
	wait $iopid
	ioerr=$(dmesg | grep -ciE 'I/O error|blk_update_request|critical (medium|target)|Buffer I/O')
	dmesg | grep -iE 'I/O error|blk_update_request|Buffer I/O' | head -n 5 | sed 's/^/VQ-NP-DMESG /'
	distinct=$(sort -u /tmp/np.used | grep -c .)
	say "VQ-NP $(cat /tmp/np.io) status_runs=$s status_failures=$sf ring_runs=$g ring_failures=$gf ring_used_idx_distinct=$distinct dmesg_io_errors=$ioerr disk=$disk"
}

# Read the ISR byte of modern virtio-pci device ADDR the way a careless
# tool would: find the ISR capability (cfg_type 3) in config space, add
# its offset to the BAR's address, and read one byte through /dev/mem.
isr_read() {
	cfg=/sys/bus/pci/devices/$1/config
	byte() { od -An -tu1 -j "$1" -N 1 "$cfg" | tr -d ' \n'; }
	le32() { od -An -tu4 -j "$1" -N 4 "$cfg" | tr -d ' \n'; }
	p=$(byte 52)
	bar='' off=''
	n=0
	while [ "$p" -ne 0 ] && [ $n -lt 48 ]; do
		if [ "$(byte "$p")" = 9 ] && [ "$(byte $((p + 3)))" = 3 ]; then
			bar=$(byte $((p + 4)))
			off=$(le32 $((p + 8)))
		fi
		p=$(byte $((p + 1)))
		n=$((n + 1))
	done
	if [ -z "$bar" ]; then
		say "VQ-ISR-READ error=no-isr-capability"
		return
	fi
	base=$(sed -n "$((bar + 1))p" "/sys/bus/pci/devices/$1/resource" | cut -d' ' -f1)
	addr=$(printf '0x%x' $((base + off)))
	say "VQ-ISR-READ addr=$addr value=$(devmem "$addr" 8 2>&1)"
}

exec 3<>/dev/ttyS1
stty -F /dev/ttyS1 raw -echo
say "VQ-READY load=$LOAD"
while read -r seq cmd args <&3; do
	case $cmd in
	busy-start) busy_start ;;
	busy-stop) busy_stop ;;
	run) do_run $args ;;
	np) np_run $args ;;
	isr-read) isr_read "$args" ;;
	vq)
		set -- $args
		tag=$1 key=$2
		shift 2
		block "$tag" "$key" $VQ "$@"
		;;
	vqint)
		set -- $args
		tag=$1 key=$2 secs=$3
		shift 3
		block "$tag" "$key" timeout -s INT "$secs" vqdump "$@"
		;;
	cmd)
		set -- $args
		tag=$1 key=$2
		shift 2
		block "$tag" "$key" "$@"
		;;
	bgread)
		set -- $args
		for b in /sys/block/vd*; do
			case $1 in
			vd*) [ "${b##*/}" = "$1" ] || continue ;;
			*) [ "$(cat "$b/serial" 2>/dev/null)" = "$1" ] || continue ;;
			esac
			k=0
			while [ "$k" -lt "$2" ]; do
				bg sh -c "while :; do dd if=/dev/${b##*/} of=/dev/null bs=4096 skip=$k count=8 iflag=direct; done"
				k=$((k + 1))
			done
		done
		;;
	bgwrite)
		set -- $args
		(dd if=/dev/urandom of="/dev/$1" bs=4096 seek="$2" count=1 oflag=direct conv=notrunc >/dev/null 2>&1 &)
		;;
	oooid)
		set -- $args
		dd if=/dev/urandom of="/dev/$1" bs=4096 seek="$2" count=1 oflag=direct conv=notrunc >/dev/null 2>&1
		dd if=/dev/urandom of="/dev/$1" bs=4096 seek="$(($2 + 1))" count=1 oflag=direct conv=notrunc >/dev/null 2>&1
		(dd if=/dev/urandom of="/dev/$1" bs=4096 seek="$3" count=1 oflag=direct conv=notrunc >/dev/null 2>&1 &)
		sleep 0.3
		cat "/sys/block/$1/serial" >/dev/null
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
