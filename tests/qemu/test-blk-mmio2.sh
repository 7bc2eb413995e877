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
# A second virtio-blk-device with packed=on (a 1 MiB image of zeros) gets
# one blk --packed run: --id, --write 0+16 --pattern 0x5a, --flush and
# --read 0+32 together, each request OK, the JSON's layout "packed", the
# bytes read the pattern then zeros, and after power-off the host's image
# holds exactly the pattern.
#
# Usage: tests/qemu/test-blk-mmio2.sh  (VQDUMP=path overrides ../../build/vqdump;
#        VQ_KEEP=DIR keeps consoles)
# Output: "ok - ..." / "not ok - ..." lines, then "N passed, N failed";
# exit 1 if any check failed, 77 ("skipped: ...") without QEMU or vqdump.
set -u -o pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=blk_lib.sh
. "$HERE/blk_lib.sh"

# The packed=on device: one run of every request kind but the negative pair.
blk_extra() {
	local dev
	dev=$("${BLK_CHK[@]}" snapdev "$BLK_OUT/boot.json" vblkp transport.name) ||
		fatal "$BLK_LABEL: QEMU's name for the packed=on device: $dev"
	blk_g mp "vqdump -d $dev blk --packed --id --write 0+16 --pattern 0x5a --flush --read 0+32 -o /tmp/mp.bin --json"
	blk_expect mp 0 "packed=on device $dev: blk --packed --id --write --flush --read" \
		"GET_ID 0 0 OK" "OUT 0 16 OK" "FLUSH 0 0 OK" "IN 0 32 OK" &&
		blk_same "packed=on device: layout" "$(blk_get mp layout)" "packed" &&
		blk_same "packed=on device: id is the drive's serial" "$(blk_get mp id)" "VQBLK-MMIO2-PACKED"
	"${BLK_CHK[@]}" pattern 0x5a 16 "$TMP/mp-pat.bin"
	"${BLK_CHK[@]}" expect "$TMP/mp-orig.img" "$TMP/mp-expected.img" "0:$TMP/mp-pat.bin" ||
		fatal "expected image"
	blk_same "packed=on device: bytes read back are the pattern, then the image's zeros" \
		"$(tr -d '\n' <"$BLK_OUT/mp.sha")" "$("${BLK_CHK[@]}" sha "$TMP/mp-expected.img" 0 32)"
}

blk_init VQBLK-MMIO2 virtio_mmio
if ! head -c $((1 << 20)) /dev/zero >"$TMP/mp-orig.img" || ! cp "$TMP/mp-orig.img" "$TMP/mp.img"; then
	fatal "second image"
fi
KHZ=$(awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
LIVE_APPEND="tsc_early_khz=${KHZ:-2000000}"
blk_test mmio2 mmio:2 0 -M microvm -global virtio-mmio.force-legacy=false \
	-drive "$(blk_drive_opts)" \
	-device "virtio-blk-device,drive=dvblk,id=vblk,serial=$BLK_SERIAL" \
	-drive "file=$TMP/mp.img,format=raw,if=none,id=dvblkp" \
	-device "virtio-blk-device,drive=dvblkp,id=vblkp,serial=VQBLK-MMIO2-PACKED,packed=on"
# Powered off by blk_test: the packed=on device's image on the host.
if "${BLK_CHK[@]}" imgdiff "$TMP/mp-expected.img" "$TMP/mp.img" >"$TMP/mp-imgdiff.txt"; then
	ok "mmio2: packed=on device: after power-off its image holds exactly the pattern at 0+16"
else
	not_ok "mmio2: packed=on device: its image after power-off is not zeros plus the pattern at 0+16"
	sed 's/^/#   /' "$TMP/mp-imgdiff.txt"
fi
finish
