#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: `vqdump blk` drives a modern-only virtio-blk-pci device in a live guest; checked against QMP and the disk image.
#
# One PCI guest (TCG), one virtio-blk-pci device with disable-legacy=on and a
# 16 MiB image of seeded random bytes.  blk_lib.sh says what is checked; this
# transport also runs every --inject kind, since QEMU sets DEVICE_NEEDS_RESET
# only when VERSION_1 was negotiated, and puts the image behind QEMU's
# blkdebug driver so that one sector's reads fail (BLK_FAULT_SECTOR).
#
# Usage: tests/qemu/test-blk-pci-modern.sh  (VQDUMP=path overrides ../../build/vqdump;
#        VQ_KEEP=DIR keeps consoles; BLK_INJECT_KINDS="loop ..." narrows --inject)
# Output: "ok - ..." / "not ok - ..." lines, then "N passed, N failed";
# exit 1 if any check failed, 77 ("skipped: ...") without QEMU or vqdump.
set -u -o pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=blk_lib.sh
. "$HERE/blk_lib.sh"

# Reads of sector 16000 fail in QEMU's block layer (blkdebug): blk must exit 1.
BLK_FAULT_SECTOR=16000
blk_init VQBLK-PCI-MODERN ""
blk_test pci-modern pci 1 -vga none -nic none \
	-drive "$(blk_drive_opts)" \
	-device "virtio-blk-pci,drive=dvblk,id=vblk,serial=$BLK_SERIAL,disable-legacy=on,addr=0x4"
finish
