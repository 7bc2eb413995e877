#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: `vqdump blk` drives a virtio-blk device on virtio-mmio version 1 (legacy) in a live microvm guest; checked against QMP and the disk image.
#
# One microvm guest (TCG), one virtio-blk-device on a virtio-mmio transport,
# version 1, the legacy layout (QEMU's default),
# and a 16 MiB image of seeded random bytes.  blk_lib.sh says what is
# checked.  microvm under TCG needs the TSC frequency on the kernel command
# line (see test-live-mmio.sh).
# The guest reserves one 2 MiB huge page (BLK_HUGEPAGE=1), so this test takes
# the driver's huge-page memory path; the other three use normal pages.
#
# Usage: tests/qemu/test-blk-mmio1.sh  (VQDUMP=path overrides ../../build/vqdump;
#        VQ_KEEP=DIR keeps consoles)
# Output: "ok - ..." / "not ok - ..." lines, then "N passed, N failed";
# exit 1 if any check failed, 77 ("skipped: ...") without QEMU or vqdump.
set -u -o pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=blk_lib.sh
. "$HERE/blk_lib.sh"

# --packed is refused on this legacy transport (blk_lib.sh).
blk_extra() { blk_packed_legacy; }

# The driver's huge-page path (see above).
BLK_HUGEPAGE=1
blk_init VQBLK-MMIO1 virtio_mmio
KHZ=$(awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
LIVE_APPEND="tsc_early_khz=${KHZ:-2000000}"
blk_test mmio1 mmio:1 0 -M microvm -global virtio-mmio.force-legacy=true \
	-drive "$(blk_drive_opts)" \
	-device "virtio-blk-device,drive=dvblk,id=vblk,serial=$BLK_SERIAL"
finish
