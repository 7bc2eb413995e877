#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `scan` for packed rings on hand-made memory (tests/cli/mkpscan.py, virtio 1.3 section 2.8): found with their event areas, positions as `ring --packed` infers them, split rings not taken for packed ones, non-rings refused.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh

python3 tests/cli/mkpscan.py "$T/ps.img"
R=(--raw "$T/ps.img@0x10000")
# Expected values are mkpscan.py's construction (its docstring), not
# vqdump's output.
expect_json "scan: the wrapped packed ring at 0x14000, size 64, driver at slot 10 wrap 0, device at slot 8 wrap 0, events below it" \
	'[(r["desc"], r["size"], r["size_ambiguous"], r["driver"], r["device"], r["event_areas"], r["next_avail"], r["avail_wrap_counter"], r["next_used"], r["used_wrap_counter"], r["pending_slots"]) for r in j["rings"] if r["layout"] == "packed" and r["desc"] == 0x14000] == [(0x14000, 64, False, 0x13000, 0x12000, "written", 10, 0, 8, 0, 2)]' \
	-- "${R[@]}" scan --json
expect_json "scan: the first-round packed ring at 0x18000: size 64 at least (its driver area names slot 40; ambiguous), the driver area only (the device page holds other data), driver slot 5 wrap 1, device slot 3 wrap 1" \
	'[(r["size"], r["size_ambiguous"], r["driver"], r["device"], r["event_areas"], r["next_avail"], r["avail_wrap_counter"], r["next_used"], r["used_wrap_counter"]) for r in j["rings"] if r["layout"] == "packed" and r["desc"] == 0x18000] == [(64, True, 0x17000, None, "partial", 5, 1, 3, 1)]' \
	-- "${R[@]}" scan --json
expect_json "scan: the split ring at 0x1a000 is split (its layout, indices), not packed" \
	'[(r["layout"], r["avail"], r["used"], r["size"], r["avail_idx"], r["used_idx"]) for r in j["rings"] if r["desc"] == 0x1a000] == [("split", 0x1a080, 0x1a0c0, 8, 3, 2)]' \
	-- "${R[@]}" scan --json
expect_json "scan: exactly these three rings (a written slot after an unwritten one, an unknown flag bit, AVAIL bits of no one position: none a ring)" \
	'sorted((r["desc"], r["layout"]) for r in j["rings"]) == [(0x14000, "packed"), (0x18000, "packed"), (0x1a000, "split")]' \
	-- "${R[@]}" scan --json
expect "scan text: the packed table, with positions as slot/wrap" 0 '^0x14000 +0x13000 +0x12000 +64  +10/w0 +8/w0 +2 high$' out -- "${R[@]}" scan
expect "scan text: the split count line names split rings when packed ones are listed" 0 '^1 split ring found$' out -- "${R[@]}" scan
expect "scan text: SIZE ? explained" 0 '^SIZE \?: the ring has not wrapped' out -- "${R[@]}" scan
expect "scan text: an area not found is -" 0 '^0x18000 +0x17000 +- +64\? ' out -- "${R[@]}" scan

# What scan suggests is what `ring --packed` reads: the same positions.
"$VQDUMP" "${R[@]}" scan --json >"$T/scan.json" 2>"$T/err" || not_ok "scan --json exits 0"
while read -r at size na aw nu uw pend; do
	expect_json "ring --packed --at $at --size $size (scan's suggestion): scan's positions, no findings" \
		"j['next_avail'] == $na and j['avail_wrap_counter'] == $aw and j['next_used'] == $nu and j['used_wrap_counter'] == $uw and j['pending_slots'] == $pend and j['findings'] == []" \
		-- "${R[@]}" ring --packed --at "$at" --size "$size" --json
done < <(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["rings"]:
    if r["layout"] == "packed" and (r["driver"] or r["device"]):
        # An area not found: the other one stands in (the slots and
        # positions do not depend on it).
        print("%d,%d,%d" % (r["desc"], r["driver"] or r["device"], r["device"] or r["driver"]), r["size"], r["next_avail"], r["avail_wrap_counter"],
              r["next_used"], r["used_wrap_counter"], r["pending_slots"])' "$T/scan.json")

# The split fixtures hold no packed ring (their devices were not started
# with packed=on): none may be reported.
for fx in pci-modern pci-legacy; do
	expect_json "scan $fx: no packed ring on a guest with split rings only" \
		'j["rings"] and all(r["layout"] == "split" for r in j["rings"])' \
		-- --core "tests/fixtures/$fx/core.elf" scan --json
done
# Zero memory is no ring; one slot written back used and zeroes after it
# (a ring that served one request, as Linux's virtio-blk on microvm
# shows after boot) is reported, with low confidence.
head -c 65536 /dev/zero >"$T/zero.img"
expect_json "scan: zero memory holds no ring" 'j["rings"] == []' -- --raw "$T/zero.img@0x100000" scan --json
printf '\x00\x10\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00\x00\x00\x80\x80' >"$T/one.img"
head -c 8176 /dev/zero >>"$T/one.img"
expect_json "scan: one used slot and zeroes: a packed ring of low confidence, size ambiguous" '[(r["layout"], r["desc"], r["confidence"], r["size_ambiguous"], r["next_avail"], r["next_used"]) for r in j["rings"]] == [("packed", 0x100000, "low", True, 1, 1)]' -- --raw "$T/one.img@0x100000" scan --json
finish
