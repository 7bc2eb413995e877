#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: vqdump list/status/ring inside a live PCI guest against QEMU's QMP view, drivers loaded and not.
#
# One PCI machine (TCG) with modern-only devices (disable-legacy=on: blk,
# net, rng, serial+console, scsi+disk, balloon, keyboard, gpu), legacy-only
# devices (disable-modern=on: blk, net, rng, serial+console, scsi+disk; QEMU
# allows one balloon) and a
# transitional rng, booted twice:
#   pci-drivers  every Linux driver that exists is loaded (the gpu has none
#                in the cloud kernel: a bound and an unbound device side by
#                side).  Round "busy": disks written and read, pings on both
#                NICs, console writes, hwrng reads, balloon statistics every
#                second and key presses from the host.  Round "quiet": the
#                same after the load is stopped.
#   pci-none     no driver at all: devices as SeaBIOS left them (it drives
#                the virtio-blk and virtio-scsi boot candidates to DRIVER_OK
#                and leaves their rings behind), the rest reset.
#
# How a round makes the comparison exact (details in live_compare.py):
#   1. host: QMP stop, QEMU's view of every device and queue, plus the two
#      ring index words read from guest memory with the monitor's `xp`; cont
#   2. host -> guest (second serial port, not a virtio device, so the
#      command itself moves no ring): "run": the guest runs vqdump list,
#      status, ring for up to four queues per device and -d in every form,
#      prints the JSON between marker lines on the console, then says done
#   3. host: QMP stop, the same view again; cont
# Everything vqdump read happened between 1 and 3.  Registers that do not
# move (IDs, status, features, addresses, sizes) must equal QEMU's; ring
# indices must lie in QEMU's [before, after] window, which is a single
# value (an exact comparison) for every queue that did not move, as in the
# quiet and no-driver rounds; in the busy round moving queues are checked
# within the window.
#
# Usage: tests/qemu/test-live-pci.sh    (VQDUMP=path overrides ../../build/vqdump;
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
	"virtio_blk virtio_net virtio_console virtio_rng virtio_scsi sd_mod virtio_balloon virtio_input" ||
	fatal "initramfs with drivers"
live_initramfs "$TMP/initrd-none.gz" 0 "" || fatal "initramfs without drivers"
for d in mblk lblk scsi lscsi; do
	truncate -s 16M "$TMP/$d.img" || fatal "disk images"
done

# Slots are fixed so that QEMU's and Linux's names are predictable in logs;
# the test itself takes every address from QMP (query-pci).
# shellcheck disable=SC2054 # QEMU options are comma-separated
DEVICES=(
	-vga none -nic none
	-drive "file=$TMP/mblk.img,format=raw,if=none,id=dmblk"
	-device virtio-blk-pci,drive=dmblk,id=mblk,disable-legacy=on,addr=0x4
	-netdev user,id=n0,restrict=on
	-device virtio-net-pci,netdev=n0,id=mnet,disable-legacy=on,mac=52:54:00:00:00:05,romfile=,addr=0x5
	-object rng-random,id=rng0,filename=/dev/urandom
	-device virtio-rng-pci,rng=rng0,id=mrng,disable-legacy=on,addr=0x6
	-chardev "file,id=con0,path=$TMP/hvc0.log"
	-device virtio-serial-pci,id=mser,disable-legacy=on,addr=0x7
	-device virtconsole,chardev=con0,bus=mser.0,id=mcon
	-drive "file=$TMP/scsi.img,format=raw,if=none,id=dscsi"
	-device virtio-scsi-pci,id=mscsi,disable-legacy=on,addr=0x8
	-device scsi-hd,drive=dscsi,bus=mscsi.0
	-device virtio-balloon-pci,id=mballoon,disable-legacy=on,addr=0x9
	-device virtio-keyboard-pci,id=mkbd,addr=0xa
	-device virtio-gpu-pci,id=mgpu,addr=0xb
	-drive "file=$TMP/lblk.img,format=raw,if=none,id=dlblk"
	-device virtio-blk-pci,drive=dlblk,id=lblk,disable-modern=on,addr=0xc
	-netdev user,id=n1,restrict=on
	-device virtio-net-pci,netdev=n1,id=lnet,disable-modern=on,mac=52:54:00:00:00:0d,romfile=,addr=0xd
	-object rng-random,id=rng1,filename=/dev/urandom
	-device virtio-rng-pci,rng=rng1,id=lrng,disable-modern=on,addr=0xe
	-drive "file=$TMP/lscsi.img,format=raw,if=none,id=dlscsi"
	-device virtio-scsi-pci,id=lscsi,disable-modern=on,addr=0xf
	-device scsi-hd,drive=dlscsi,bus=lscsi.0
	-chardev null,id=con1
	-device virtio-serial-pci,id=lser,disable-modern=on,max_ports=2,addr=0x10
	-device virtconsole,chardev=con1,bus=lser.0,id=lcon
	-object rng-random,id=rng2,filename=/dev/urandom
	-device virtio-rng-pci,rng=rng2,id=trng,addr=0x11
)

live_scenario pci-drivers 1 "$TMP/initrd-drivers.gz" "${DEVICES[@]}"
live_scenario pci-none 0 "$TMP/initrd-none.gz" "${DEVICES[@]}"
echo "# total: $(live_elapsed "$START") s"
finish
