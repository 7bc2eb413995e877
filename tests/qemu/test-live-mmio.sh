#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: vqdump list/status/ring inside a live microvm guest (virtio-mmio v2 and v1) against QEMU's QMP view.
#
# -M microvm (TCG) with virtio-blk, -net, -rng, -serial+console,
# -scsi+disk, -balloon and -keyboard on virtio-mmio transports, booted four
# times:
#   mmio2-drivers / mmio2-none   version 2 (-global virtio-mmio.force-legacy=false)
#   mmio1-drivers / mmio1-none   version 1, the legacy layout (QEMU's default)
# "-drivers" loads virtio_mmio and every device driver and runs a busy and a
# quiet round (see test-live-pci.sh for what the rounds do and why the
# comparison is exact); "-none" loads nothing, so the transports are found
# without Linux's help and every device is still reset.
#
# virtio-mmio specifics the comparison follows (live_compare.py): the
# driver-features register is write-only, so vqdump must take the driver's
# features from sysfs when a driver is bound and say null otherwise;
# QueueNum is write-only too, so a size vqdump shows for a queue no driver
# set up is not compared; on version 2 QueueDesc/Driver/Device are
# write-only as well, and vqdump takes a bound driver's ring addresses and
# sizes from Linux's records (src/access/kvq.c): they must equal QEMU's,
# with addr_source "kernel".
#
# microvm has no PIT port 0x61 and no HPET: Linux cannot calibrate the TSC
# and hangs at boot under TCG, so the kernel is told the frequency
# (tsc_early_khz, the host's, which TCG's TSC follows).
#
# Usage: tests/qemu/test-live-mmio.sh   (VQDUMP=path overrides ../../build/vqdump;
#        VQ_KEEP=DIR keeps consoles and QMP snapshots)
# Output: "ok - ..." / "not ok - ..." lines, then "N passed, N failed";
# exit 1 if any check failed, 77 ("skipped: ...") without QEMU or vqdump.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=live_lib.sh
. "$HERE/live_lib.sh"
START=$SECONDS

live_init
live_initramfs "$TMP/initrd-drivers.gz" 1 \
	"virtio_mmio virtio_blk virtio_net virtio_console virtio_rng virtio_scsi sd_mod virtio_balloon virtio_input" ||
	fatal "initramfs with drivers"
live_initramfs "$TMP/initrd-none.gz" 0 "" || fatal "initramfs without drivers"
for d in blk scsi; do
	truncate -s 16M "$TMP/$d.img" || fatal "disk images"
done
KHZ=$(awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
LIVE_APPEND="tsc_early_khz=${KHZ:-2000000}"

# shellcheck disable=SC2054 # QEMU options are comma-separated
DEVICES=(
	-drive "file=$TMP/blk.img,format=raw,if=none,id=dblk"
	-device virtio-blk-device,drive=dblk,id=blk
	-netdev user,id=n0,restrict=on
	-device virtio-net-device,netdev=n0,id=net,mac=52:54:00:00:01:01
	-object rng-random,id=rng0,filename=/dev/urandom
	-device virtio-rng-device,rng=rng0,id=rng
	-chardev "file,id=con0,path=$TMP/hvc0.log"
	-device virtio-serial-device,id=ser,max_ports=4
	-device virtconsole,chardev=con0,bus=ser.0,id=con
	-drive "file=$TMP/scsi.img,format=raw,if=none,id=dscsi"
	-device virtio-scsi-device,id=scsi
	-device scsi-hd,drive=dscsi,bus=scsi.0
	-device virtio-balloon-device,id=balloon
	-device virtio-keyboard-device,id=kbd
)

live_scenario mmio2-drivers 1 "$TMP/initrd-drivers.gz" -M microvm \
	-global virtio-mmio.force-legacy=false "${DEVICES[@]}"
live_scenario mmio2-none 0 "$TMP/initrd-none.gz" -M microvm \
	-global virtio-mmio.force-legacy=false "${DEVICES[@]}"
live_scenario mmio1-drivers 1 "$TMP/initrd-drivers.gz" -M microvm \
	-global virtio-mmio.force-legacy=true "${DEVICES[@]}"
live_scenario mmio1-none 0 "$TMP/initrd-none.gz" -M microvm \
	-global virtio-mmio.force-legacy=true "${DEVICES[@]}"
echo "# total: $(live_elapsed "$START") s"
finish
