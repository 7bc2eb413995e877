#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: vqdump on production command lines (no iomem=relaxed; kernel lockdown) against QEMU's QMP view.
#
# Debian's kernel is built with CONFIG_STRICT_DEVMEM and
# CONFIG_IO_STRICT_DEVMEM: without iomem=relaxed, /dev/mem refuses RAM and
# every MMIO window a driver owns.  With lockdown=integrity it refuses
# /dev/mem altogether, and PCI config writes and BAR access through sysfs.
# Five guests (TCG, one at a time, 5-10 s each), every virtio driver loaded:
#   stock-pc        pc: a modern virtio-blk, a legacy-only virtio-blk and a
#                   modern virtio-rng (virtio-pci)
#   stock-mmio2     microvm, virtio-mmio version 2: blk, net, rng
#   stock-mmio1     microvm, virtio-mmio version 1 (QEMU's default): the same
#   lockdown-pc     the stock-pc machine booted with lockdown=integrity
#                   (no /dev/mem, no PCI config or I/O BAR writes; /proc/kcore
#                   stays readable: it is a confidentiality-level reason)
#   lockdown-conf-pc  the same with lockdown=confidentiality: /proc/kcore
#                   refused too, so only sysfs is left
# In each guest: a probe of what the kernel lets root reach (stock_probe.sh,
# recorded as "# ..." lines), then `vqdump list`, `status --json`,
# `-d DEV ring --queue 0 --json` for every device whose queue 0 the driver
# set up, `diagnose`, `snapshot -o FILE` and `snapshot --allow-partial`
# (read back with `-c FILE status`), between two QMP snapshots of
# QEMU's view taken with the VM stopped (live_qmp.py).  stock_compare.py
# checks what vqdump printed against QEMU's view (see its docstring for
# every assertion): every device listed with its status and negotiated
# features, every queue the driver set up with QEMU's ring addresses, size
# and indices, where each value came from ("status_source",
# "addr_source", "driver_state"), one-line reasons for what was refused
# (naming iomem=relaxed or lockdown, never "run as root": the test runs
# as root) and the exit statuses (3 where something asked could not be
# read; snapshot 0 when it saved a ring, 3 when it saved none).
#
# Usage: tests/qemu/test-live-stock.sh   (VQDUMP=path overrides ../../build/vqdump;
#        VQ_KEEP=DIR keeps consoles and QMP snapshots; STOCK_GUESTS="stock-pc
#        lockdown-pc" runs only those guests)
# Output: "ok - ..." / "not ok - ..." lines, then "N passed, N failed";
# exit 1 if any check failed, 77 ("skipped: ...") without QEMU or vqdump.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=live_lib.sh
. "$HERE/live_lib.sh"
START=$SECONDS
# The production command line: no iomem=relaxed.
LIVE_IOMEM=
GUESTS=${STOCK_GUESTS:-stock-pc stock-mmio2 stock-mmio1 lockdown-pc lockdown-conf-pc}

live_init
# The probe goes into the initramfs as /bin/vq-probe.
live_initramfs_probe() {
	local out=$1 mods=$2
	printf 'LOAD=1\n' >"$TMP/vq-live.conf.stock"
	# shellcheck disable=SC2086 # a module list
	qemu_initramfs "$out" "$HERE/live_guest.sh" "$mods" \
		"bin:$VQDUMP=/bin/vqdump" "$TMP/vq-live.conf.stock=/etc/vq-live.conf" \
		"$HERE/stock_probe.sh=/bin/vq-probe"
}
live_initramfs_probe "$TMP/initrd-pci.gz" "virtio_blk virtio_rng" || fatal "initramfs (pci)"
live_initramfs_probe "$TMP/initrd-mmio.gz" "virtio_mmio virtio_blk virtio_net virtio_rng" ||
	fatal "initramfs (mmio)"
for d in mblk lblk blk; do
	truncate -s 16M "$TMP/$d.img" || fatal "disk images"
done
KHZ=$(awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)

# shellcheck disable=SC2054 # QEMU options are comma-separated
PCI_DEVICES=(
	-vga none -nic none
	-drive "file=$TMP/mblk.img,format=raw,if=none,id=dmblk"
	-device virtio-blk-pci,drive=dmblk,id=mblk,disable-legacy=on,addr=0x4
	-drive "file=$TMP/lblk.img,format=raw,if=none,id=dlblk"
	-device virtio-blk-pci,drive=dlblk,id=lblk,disable-modern=on,addr=0x5
	-object rng-random,id=rng0,filename=/dev/urandom
	-device virtio-rng-pci,rng=rng0,id=mrng,disable-legacy=on,addr=0x6
)
# shellcheck disable=SC2054
MMIO_DEVICES=(
	-drive "file=$TMP/blk.img,format=raw,if=none,id=dblk"
	-device virtio-blk-device,drive=dblk,id=blk
	-netdev user,id=n0,restrict=on
	-device virtio-net-device,netdev=n0,id=net,mac=52:54:00:00:01:01
	-object rng-random,id=rng0,filename=/dev/urandom
	-device virtio-rng-device,rng=rng0,id=rng
)

# stock_guest NAME INITRD ARGS...: one boot, every check of this test on it.
stock_guest() {
	local name=$1 initrd=$2 t0=$SECONDS a b specs dev dev0 k m
	shift 2
	echo "# === $name: kernel command line: console=ttyS0 quiet panic=-1 ${LIVE_APPEND:-}"
	live_boot "$name" "$initrd" "$@"
	ok "$name: guest booted without iomem=relaxed ($(live_elapsed "$t0") s)"
	a=$LIVE_DIR/before.json
	b=$LIVE_DIR/after.json
	live_snapshot "$a" || fatal "$name: QMP snapshot before vqdump ran"
	specs=$(python3 "$HERE/stock_compare.py" specs "$a") || fatal "$name: choose what to run"
	live_cmd 60 cmd r probe sh /bin/vq-probe || fatal "$name: guest runs the probe"
	# shellcheck disable=SC2086 # a list of SPEC words
	live_cmd 180 run r $specs || fatal "$name: guest runs vqdump list/status/ring --json"
	live_cmd 30 vq r list-text list || fatal "$name: guest runs vqdump list"
	dev0=
	for k in $specs; do
		case $k in ring:*)
			dev=${k#ring:}
			dev=${dev%:*}
			[ -n "$dev0" ] || dev0=$dev
			;;
		esac
	done
	if [ -n "$dev0" ]; then
		live_cmd 30 vq r "ring-text:$dev0" -d "$dev0" ring --queue 0 ||
			fatal "$name: guest runs vqdump ring (text)"
	fi
	live_cmd 60 vq r diagnose diagnose || fatal "$name: guest runs vqdump diagnose"
	live_cmd 60 vq r watch watch --count 2 --interval 200 --json ||
		fatal "$name: guest runs vqdump watch"
	live_cmd 60 vq r snapshot snapshot -o /tmp/x.core || fatal "$name: guest runs vqdump snapshot"
	live_cmd 60 vq r snapshot-partial snapshot --allow-partial -o /tmp/y.core ||
		fatal "$name: guest runs vqdump snapshot --allow-partial"
	# What the snapshot holds, read back the way a user would (the
	# --allow-partial file: where no ring could be saved it is the one
	# that must still hold every device's state).
	live_cmd 30 vq r snap-status -c /tmp/y.core status --json ||
		fatal "$name: guest reads the snapshot back"
	# One used ring (flags, idx) through the live system's memory source
	# and through /proc/kcore named explicitly.
	m=$(python3 "$HERE/stock_compare.py" memaddr "$a")
	live_cmd 30 vq r mem mem "$m" 4 || fatal "$name: guest runs vqdump mem"
	live_cmd 30 vq r mem-kcore --core /proc/kcore mem "$m" 4 ||
		fatal "$name: guest runs vqdump --core /proc/kcore mem"
	if [ -n "${STOCK_HIDE:-}" ]; then
		# A sandbox that hides the transports' own sources: no PCI
		# devices in /sys/bus/pci, an empty /proc/iomem, no platform
		# devices; /sys/bus/virtio stays, as it does in such sandboxes.
		live_cmd 30 cmd r hide1 touch /tmp/empty &&
			live_cmd 30 cmd r hide2 mount -t tmpfs none /sys/bus/pci/devices &&
			live_cmd 30 cmd r hide3 mount -t tmpfs none /sys/bus/platform/devices &&
			live_cmd 30 cmd r hide4 mount --bind /tmp/empty /proc/iomem ||
			fatal "$name: guest hides /sys/bus/pci, /sys/bus/platform, /proc/iomem"
		live_cmd 120 vq r hidden-status status --json || fatal "$name: guest runs vqdump status (hidden)"
		live_cmd 30 cmd r unhide1 umount /proc/iomem &&
			live_cmd 30 cmd r unhide2 umount /sys/bus/platform/devices &&
			live_cmd 30 cmd r unhide3 umount /sys/bus/pci/devices ||
			fatal "$name: guest shows them again"
	fi
	live_snapshot "$b" || fatal "$name: QMP snapshot after vqdump ran"
	live_fold < <(python3 "$HERE/stock_compare.py" compare --label "$name" \
		--serial "$QEMU_SERIAL" --tag r --before "$a" --after "$b" 2>&1)
	live_shutdown
	echo "# $name: $(live_elapsed "$t0") s"
}

for g in $GUESTS; do
	case $g in
	stock-pc)
		STOCK_HIDE=1 LIVE_APPEND='' stock_guest "$g" "$TMP/initrd-pci.gz" "${PCI_DEVICES[@]}"
		;;
	stock-mmio2)
		STOCK_HIDE=1 LIVE_APPEND="tsc_early_khz=${KHZ:-2000000}" stock_guest "$g" "$TMP/initrd-mmio.gz" \
			-M microvm -global virtio-mmio.force-legacy=false "${MMIO_DEVICES[@]}"
		;;
	stock-mmio1)
		LIVE_APPEND="tsc_early_khz=${KHZ:-2000000}" stock_guest "$g" "$TMP/initrd-mmio.gz" \
			-M microvm -global virtio-mmio.force-legacy=true "${MMIO_DEVICES[@]}"
		;;
	lockdown-pc)
		LIVE_APPEND=lockdown=integrity stock_guest "$g" "$TMP/initrd-pci.gz" "${PCI_DEVICES[@]}"
		;;
	lockdown-conf-pc)
		LIVE_APPEND=lockdown=confidentiality stock_guest "$g" "$TMP/initrd-pci.gz" "${PCI_DEVICES[@]}"
		;;
	*) fatal "unknown guest $g (STOCK_GUESTS)" ;;
	esac
done
echo "# total: $(live_elapsed "$START") s"
finish
