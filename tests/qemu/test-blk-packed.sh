#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: `vqdump blk --packed` drives a virtio-blk-pci device with packed=on (a packed virtqueue) in a live guest, and is refused on one with packed=off.
#
# One PCI guest (TCG), two modern-only virtio-blk-pci devices:
#   vblk     packed=on, the 16 MiB image of seeded random bytes: every run of
#            blk_lib.sh's blk_test gets --packed (BLK_ARGS), so each request
#            kind goes over a packed ring and is checked as on split rings
#            (bytes read against the image, writes against the host's image
#            after power-off, flush, GET_ID, discard/write-zeroes when
#            offered, the negative pair, the device left reset, Linux's
#            driver afterwards, which takes the packed ring too); the JSON's
#            "layout" must say packed
#   vblkoff  packed=off (QEMU's default), a small image: blk --packed must
#            be refused with exit 2 and one line naming the missing
#            VIRTIO_F_RING_PACKED, send nothing, and leave the device reset;
#            without --packed the same device works (split)
# QMP's host-features say which device offers RING_PACKED: the test checks
# that first, so that the two cases are what they claim.
#
# Usage: tests/qemu/test-blk-packed.sh  (VQDUMP=path overrides ../../build/vqdump;
#        VQ_KEEP=DIR keeps consoles)
# Output: "ok - ..." / "not ok - ..." lines, then "N passed, N failed";
# exit 1 if any check failed, 77 ("skipped: ...") without QEMU or vqdump.
set -u -o pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=blk_lib.sh
. "$HERE/blk_lib.sh"

BLK_ARGS=--packed
BLK_LAYOUT=packed
# QEMU's name for the feature in x-query-virtio-status host-features.
PACKED_FEATURE=VIRTIO_F_RING_PACKED

# The second device, packed=off: the refusal, then a split run.
blk_extra() {
	local dev path st
	"${BLK_CHK[@]}" snapdev "$BLK_OUT/boot.json" vblkoff status >"$BLK_OUT/qmp-off-status.json"
	if has "$PACKED_FEATURE" &&
		! "${BLK_CHK[@]}" qmp-has-feature "$BLK_OUT/qmp-off-status.json" "$PACKED_FEATURE"; then
		ok "$BLK_LABEL: QMP: vblk offers $PACKED_FEATURE, vblkoff (packed=off) does not"
	else
		not_ok "$BLK_LABEL: QMP host-features: expected $PACKED_FEATURE on vblk only"
	fi
	dev=$("${BLK_CHK[@]}" snapdev "$BLK_OUT/boot.json" vblkoff transport.name) ||
		fatal "$BLK_LABEL: QEMU's name for the packed=off device: $dev"
	path=$("${BLK_CHK[@]}" snapdev "$BLK_OUT/boot.json" vblkoff path)
	blk_g off "vqdump -d $dev blk --packed --id --json"
	if [ "$(blk_rc off)" = 2 ] && [ "$(wc -l <"$BLK_OUT/off.err")" = 1 ] &&
		grep -q "^vqdump: blk: --packed: $dev does not offer VIRTIO_F_RING_PACKED" "$BLK_OUT/off.err"; then
		ok "$BLK_LABEL: packed=off: blk --packed refused, exit 2, one line: $(cat "$BLK_OUT/off.err")"
	else
		not_ok "$BLK_LABEL: packed=off: blk --packed exit $(blk_rc off), expected 2 and one line naming VIRTIO_F_RING_PACKED"
		blk_why off
	fi
	blk_same "packed=off: nothing sent" "$(blk_get off requests)" "[]"
	blk_same "packed=off: no queue set up (layout null)" "$(blk_get off layout)" "null"
	st=$(qemu_qmp x-query-virtio-status "{\"path\": \"$path\"}" >"$BLK_OUT/qmp-off-after.json" 2>&1 &&
		"${BLK_CHK[@]}" qmp-status "$BLK_OUT/qmp-off-after.json")
	blk_same "packed=off: QMP: the device is left reset (status 0), not broken" "$st" "0x0 broken=false"
	blk_g off-split "vqdump -d $dev blk --id --json"
	blk_expect off-split 0 "packed=off: blk without --packed works" "GET_ID 0 0 OK" &&
		blk_same "packed=off: layout without --packed" "$(blk_get off-split layout)" "split"
}

blk_init VQBLK-PCI-PACKED ""
head -c $((1 << 20)) /dev/zero >"$TMP/off.img" || fatal "second image"
blk_test pci-packed pci 0 -vga none -nic none \
	-drive "$(blk_drive_opts)" \
	-device "virtio-blk-pci,drive=dvblk,id=vblk,serial=$BLK_SERIAL,disable-legacy=on,packed=on,addr=0x4" \
	-drive "file=$TMP/off.img,format=raw,if=none,id=dvoff" \
	-device "virtio-blk-pci,drive=dvoff,id=vblkoff,serial=VQBLK-UNPACKED,disable-legacy=on,packed=off,addr=0x5"
finish
