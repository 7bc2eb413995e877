#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: `vqdump blk` drives a legacy virtio-blk-pci device (I/O BAR) in a live guest; checked against QMP and the disk image.
#
# One PCI guest (TCG), one virtio-blk-pci device with disable-modern=on and
# a 16 MiB image of seeded random bytes.  blk_lib.sh says what is checked.
# The driver uses normal 4 KiB pages here (its legacy ring on physically
# consecutive pages); test-blk-mmio1.sh gives it a huge page instead.
#
# Usage: tests/qemu/test-blk-pci-legacy.sh  (VQDUMP=path overrides ../../build/vqdump;
#        VQ_KEEP=DIR keeps consoles)
# Output: "ok - ..." / "not ok - ..." lines, then "N passed, N failed";
# exit 1 if any check failed, 77 ("skipped: ...") without QEMU or vqdump.
set -u -o pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=blk_lib.sh
. "$HERE/blk_lib.sh"

# --packed is refused on this legacy transport (blk_lib.sh).
blk_extra() { blk_packed_legacy; }

blk_init VQBLK-PCI-LEGACY ""
blk_test pci-legacy pci-legacy 0 -vga none -nic none \
	-drive "$(blk_drive_opts)" \
	-device "virtio-blk-pci,drive=dvblk,id=vblk,serial=$BLK_SERIAL,disable-modern=on,addr=0x4"
finish
