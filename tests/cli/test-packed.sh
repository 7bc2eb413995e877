#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `ring --packed` on hand-made packed rings (tests/cli/mkpacked.py, virtio 1.3 section 2.8): text, JSON, findings, usage errors.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh

AT=0x10000,0x10800,0x10810
for k in healthy wrapped badwrap dup-id; do
	python3 tests/cli/mkpacked.py "$T/$k.img" "$k"
done
R() { echo "--raw" "$T/$1.img@0x10000"; }

# healthy: slot 0 used (ID 5), slot 1 pending (ID 6, indirect blk write);
# by 2.8.1 the driver is at slot 2 wrap 1 and the device at slot 1 wrap 1.
expect_json "packed healthy: positions, chain, used entry, events" \
	'j["layout"] == "packed" and j["next_avail"] == 2 and j["avail_wrap_counter"] == 1 and j["next_used"] == 1 and j["used_wrap_counter"] == 1 and j["avail_position_source"] == "inferred" and j["in_flight"] == 1 and j["pending_slots"] == 1 and j["chains"][0]["id"] == 6 and j["chains"][0]["slot"] == 1 and len(j["chains"][0]["descriptors"]) == 3 and j["chains"][0]["request"]["sector"] == 2048 and j["used_entries"][0]["id"] == 5 and j["findings"] == []' \
	-- $(R healthy) ring --at $AT --size 8 --packed --json
expect_json "packed healthy: event areas (device asks for slot 1 wrap 1: reached; driver disables)" \
	'j["device_event"]["mode"] == "desc" and j["device_event"]["offset"] == 1 and j["device_event"]["wrap"] == 1 and j["device_event"]["reached"] is True and j["device_event"]["notification_due"] is True and j["driver_event"]["mode"] == "disable" and j["driver_event"]["notification_due"] is False' \
	-- $(R healthy) ring --at $AT --size 8 --packed --json
expect_json "packed healthy: per-slot flags carry AVAIL/USED and the id" \
	'len(j["slots"]) == 8 and j["slots"][0]["flags"] == ["WRITE", "AVAIL", "USED"] and j["slots"][0]["state"] == "used" and j["slots"][1]["id"] == 6 and j["slots"][1]["pending"] is True' \
	-- $(R healthy) ring --at $AT --size 8 --packed --json
# design.md's ring --json fields hold on a packed ring too: the areas as
# avail/used, null for the split-only flags and indices, head per chain.
expect_json "packed healthy: design.md's ring fields (areas, nulls, head)" \
	'j["avail"] == 0x10800 and j["used"] == 0x10810 and all(k in j and j[k] is None for k in ("avail_flags", "avail_idx", "used_event", "used_flags", "used_idx", "avail_event")) and j["chains"][0]["head"] == 1' \
	-- $(R healthy) ring --at $AT --size 8 --packed --json
# No driver records with --at: the pending list is the ring's, each chain in its slot.
expect_json "packed healthy: pending list from the ring" \
	'j["pending_source"] == "ring" and j["chains"][0]["from_driver"] is False' \
	-- $(R healthy) ring --at $AT --size 8 --packed --json
expect "packed healthy: text names the pending request" 0 'slot 1 id 6: 3 descriptors' out -- $(R healthy) ring --at $AT --size 8 --packed
expect "packed healthy: text decodes its blk header" 0 'blk OUT sector 2048' out -- $(R healthy) ring --at $AT --size 8 --packed
expect "packed healthy: -v lists every slot" 0 '\[1\] addr 0x12000 len 48 id 6 flags 0x0084 \[INDIRECT\|AVAIL\] available, pending' out -- -v $(R healthy) ring --at $AT --size 8 --packed
expect_json "split ring JSON says its layout" 'j["layout"] == "split"' -- $(R healthy) ring --at 0x10000 --size 8 --json
# 2.8.6/2.8.1: a chain from the last slot goes on at slot 0 with the
# flipped wrap counter.
expect_json "packed chain across the ring's end" \
	'j["next_avail"] == 1 and j["avail_wrap_counter"] == 0 and j["chains"][0]["slot"] == 7 and j["chains"][0]["id"] == 9 and len(j["chains"][0]["descriptors"]) == 2 and j["findings"] == []' \
	-- $(R wrapped) ring --at $AT --size 8 --packed --json
expect "packed chain across the end, old wrap counter at slot 0: finding" 0 '"code": "CHAIN_UNTERMINATED"' out -- $(R badwrap) ring --at $AT --size 8 --packed --json
expect "packed Buffer ID pending twice: finding" 0 '"code": "PACKED_ID_PENDING_TWICE"' out -- $(R dup-id) ring --at $AT --size 8 --packed --json
# A packed Queue Size need not be a power of two (2.8).
expect_json "packed size 6 is accepted" 'j["size"] == 6' -- $(R healthy) ring --at $AT --size 6 --packed --json
expect "packed size 0: usage error" 2 'size 0' -- $(R healthy) ring --at $AT --size 0 --packed
expect "packed size 32769: usage error" 2 'over 32768' -- $(R healthy) ring --at $AT --size 32769 --packed
expect "packed with DESC alone: usage error" 2 'DESC,DRIVER,DEVICE' -- $(R healthy) ring --at 0x10000 --size 8 --packed
expect "packed with --align: usage error" 2 'align' -- $(R healthy) ring --at $AT --size 8 --align 64 --packed
expect "packed event area misaligned (2.8.10.1): usage error" 2 'driver event area at 0x10802' -- $(R healthy) ring --at 0x10000,0x10802,0x10810 --size 8 --packed
expect "packed misaligned with --force: read" 0 'packed ring' out -- $(R healthy) ring --at 0x10000,0x10802,0x10810 --size 8 --packed --force
expect "packed ring past 2^64: usage error" 2 'runs past the end' -- $(R healthy) ring --at 0xfffffffffffffff0,0x10800,0x10810 --size 8 --packed
expect "packed ring not in the image: one line, exit 3" 3 'vqdump' -- $(R healthy) ring --at 0x900000,0x10800,0x10810 --size 8 --packed

# Item 4: a device that negotiated VIRTIO_F_RING_PACKED.  The snap-pci
# snapshot, rewritten by mkpackedsnap.py so that its blk device accepted
# feature bit 34 and its queue 0 (size 8) is mkpacked.py's healthy ring.
python3 tests/cli/mkpacked.py "$T/ring3.img" healthy 0x3000000
python3 tests/cli/mkpackedsnap.py tests/fixtures/snap-pci/snapshot.elf "$T/ring3.img" 0x3000000 "$T/psnap.elf"
PS=(--core "$T/psnap.elf")
expect_json "ring --queue on a packed device: the packed decoder, from queue_desc/driver/device" \
	'j["layout"] == "packed" and j["device"] == "0000:00:04.0" and j["queue"] == 0 and j["desc"] == 0x3000000 and j["driver_event"]["addr"] == 0x3000800 and j["device_event"]["addr"] == 0x3000810 and j["chains"][0]["id"] == 6 and j["chains"][0]["request"]["kind"] == "blk"' \
	-- "${PS[@]}" -d 0000:00:04.0 ring --queue 0 --json
expect "ring --queue on a packed device: text" 0 'packed ring: size 8' out -- "${PS[@]}" -d 0000:00:04.0 ring --queue 0
# A snapshot keeps no driver's per-ID records: the view says so, and
# that its pending chain is the ring's slot (ID 6 here, which may be the
# wrong request after an out-of-order completion).
expect_json "ring --queue on a snapshot: driver_records none, with the reason" \
	'j["driver_records"] == "none" and "no driver" in j["driver_records_reason"] and j["pending_source"] == "ring"' \
	-- "${PS[@]}" -d 0000:00:04.0 ring --queue 0 --json
expect "ring --queue on a snapshot: a note under the pending chains" 0 "note: this image holds no driver's per-ID records" out -- "${PS[@]}" -d 0000:00:04.0 ring --queue 0
expect_json "ring --at: driver_records none, no reason (nothing to read them by)" \
	'j["driver_records"] == "none" and j["driver_records_reason"] is None' \
	-- $(R healthy) ring --at $AT --size 8 --packed --json
expect "ring --queue --packed on a split device: usage error" 2 'did not negotiate VIRTIO_F_RING_PACKED' -- "${PS[@]}" -d 0000:00:05.0 ring --queue 0 --packed
expect_json "status: queue layout packed for the packed device, split for the others, no split indices for it" \
	'[q["layout"] for q in j["devices"][0]["queues"]] == ["packed"] and j["devices"][0]["queues"][0]["avail_idx"] is None and all(q["layout"] == "split" for d in j["devices"][1:] for q in d["queues"])' \
	-- "${PS[@]}" status --json
# mkpacked.py's healthy ring: slot 0 used, slot 1 (ID 6) pending, the
# device asks to be notified at slot 1 wrap 1, i.e. it has fetched nothing
# pending: one sample of an image, a note; nothing taken.
expect_json "diagnose: a packed queue judged by its own rules: one sample, a pending request noted, none taken" \
	'[(f["device"], f["queue"], f["code"], f["evidence"]["next_used"], f["evidence"]["next_avail"], f["evidence"]["taken"]) for f in j["findings"] if f["queue"] == 0 and f["device"] == "0000:00:04.0"] == [("0000:00:04.0", 0, "PENDING_AT_DUMP", 1, 2, 0)] and j["queues_unreadable"] == 0' \
	-- "${PS[@]}" diagnose --json
expect "diagnose: the packed queue judged (exit 0 where main said 'not judged', exit 3): one note" 0 '0 errors, 0 warnings, 1 note' out -- "${PS[@]}" diagnose
finish
