#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: `vqdump blk` drives a virtio-blk device on virtio-mmio version 2 in a live microvm guest; checked against QMP and the disk image.
#
# One microvm guest (TCG), one virtio-blk-device on a virtio-mmio transport,
# version 2 (-global virtio-mmio.force-legacy=false),
# and a 16 MiB image of seeded random bytes.  blk_lib.sh says what is
# checked.  microvm under TCG needs the TSC frequency on the kernel command
# line (see test-live-mmio.sh).
#
# Usage: tests/qemu/test-blk-mmio2.sh  (VQDUMP=path overrides ../../build/vqdump;
#        VQ_KEEP=DIR keeps consoles)
# Output: "ok - ..." / "not ok - ..." lines, then "N passed, N failed";
# exit 1 if any check failed, 77 ("skipped: ...") without QEMU or vqdump.
set -u -o pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=blk_lib.sh
. "$HERE/blk_lib.sh"

blk_init VQBLK-MMIO2 virtio_mmio
KHZ=$(awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
LIVE_APPEND="tsc_early_khz=${KHZ:-2000000}"
blk_test mmio2 mmio:2 0 -M microvm -global virtio-mmio.force-legacy=false \
	-drive "$(blk_drive_opts)" \
	-device "virtio-blk-device,drive=dvblk,id=vblk,serial=$BLK_SERIAL"
finish
