#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kdump-compressed dumps through --core: the same bytes and ring as the raw image they were made
# from, filtered pages as "not in the dump (filtered)", flattened files refused, bad files one line.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=lib.sh
. tests/cli/lib.sh

if ! command -v python3 >/dev/null 2>&1 || [ ! -x "$VQDUMP" ]; then
	echo "skipped: python3 or $VQDUMP missing"
	exit 77
fi

# The raw image is the independent source: raw.c reads it byte for byte,
# tests/cli/mkkdump.py lays the same bytes out in the kdump format.
python3 tests/cli/mkring.py "$T/ring.img" healthy
VMCI=$'OSRELEASE=6.1.0-vqdump-test\nPAGESIZE=4096\n'
python3 tests/cli/mkkdump.py "$T/ring.img" 0x10000 "$T/raw.kdump" --vmcoreinfo "$VMCI"
python3 tests/cli/mkkdump.py "$T/ring.img" 0x10000 "$T/zlib.kdump" --zlib
# Page 0x12 holds the pending request's indirect table (mkring.py).
python3 tests/cli/mkkdump.py "$T/ring.img" 0x10000 "$T/d31.kdump" --zlib --filter 0x12
python3 tests/cli/mkkdump.py "$T/ring.img" 0x10000 "$T/flat" --zlib --flat

# 1. Every byte of the image, through each layout of the pages.
"$VQDUMP" --raw "$T/ring.img@0x10000" mem 0x10000 0x4000 >"$T/want" 2>&1
for k in raw zlib; do
	if "$VQDUMP" --core "$T/$k.kdump" mem 0x10000 0x4000 >"$T/got" 2>&1 &&
		cmp -s "$T/want" "$T/got"; then
		ok "mem on the $k kdump equals the raw image"
	else
		not_ok "mem on the $k kdump differs from the raw image: $(diff "$T/want" "$T/got" | head -3)"
	fi
done

# 2. The ring decodes as from the raw image.
"$VQDUMP" --raw "$T/ring.img@0x10000" ring --at 0x10000 --size 8 --json >"$T/want" 2>&1
for k in raw zlib; do
	"$VQDUMP" --core "$T/$k.kdump" ring --at 0x10000 --size 8 --json >"$T/got" 2>&1
	if python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' \
		"$T/want" "$T/got"; then
		ok "ring --at --json on the $k kdump equals the raw image's"
	else
		not_ok "ring --at on the $k kdump differs: $(diff "$T/want" "$T/got" | head -3)"
	fi
done
expect_json "scan on the kdump finds the one ring at 0x10000, the RAM around the image filtered" \
	'[(r["desc"], r["size"]) for r in j["rings"]] == [(0x10000, 8)] and j["filtered_bytes"] == (0x20 - 4) * 4096' \
	-- --core "$T/zlib.kdump" scan --json

# 2b. A kdump file of another architecture (its header's utsname machine):
# the kernel's records are refused as for an aarch64 ELF core, and the
# memory still reads (libkdumpfile names the architecture "aarch64").
python3 tests/cli/mkkdump.py "$T/ring.img" 0x10000 "$T/arm.kdump" --zlib --machine aarch64
expect "aarch64 kdump: list says x86-64 only, exit 2" 2 \
	"read for x86-64 dumps only, and this one is of aarch64 \\(ELF machine 183\\).*'scan' still read it\$" \
	-- --core "$T/arm.kdump" list
expect_json "aarch64 kdump: scan still finds the ring at 0x10000" \
	'[(r["desc"], r["size"]) for r in j["rings"]] == [(0x10000, 8)]' \
	-- --core "$T/arm.kdump" scan --json

# 3. A page the filter left out: its own outcome, never zeros.  The
# machine is 0x20 pages (mkkdump.py rounds up to 16), all RAM; the dump
# holds pages 0x10-0x13 but 0x12.
expect "filtered page: mem" 3 'address 0x12000 not in the dump \(filtered\)$' \
	-- --core "$T/d31.kdump" mem 0x12000 16
expect "filtered page: mem across into it" 3 'address 0x12000 not in the dump \(filtered\)$' \
	-- --core "$T/d31.kdump" mem 0x11ff0 32
expect "filtered page: RAM below the image" 3 'address 0x2000 not in the dump \(filtered\)$' \
	-- --core "$T/d31.kdump" mem 0x2000 1
expect "past the machine: not in the dump, not filtered" 3 'address 0x20000 not in the dump$' \
	-- --core "$T/d31.kdump" mem 0x20000 1
expect "filtered page: ring --at on a table in it" 3 'not in the dump \(filtered\)' \
	-- --core "$T/d31.kdump" ring --at 0x12000 --size 8
expect_json "scan on the filtered kdump counts the filtered RAM" \
	'j["filtered_bytes"] == (0x20 - 3) * 4096 and len(j["rings"]) == 1' \
	-- --core "$T/d31.kdump" scan --json
expect "scan text says what it could not search" 0 'bytes of RAM filtered out of the dump' out \
	-- --core "$T/d31.kdump" scan
expect "mem of a page the filtered dump kept" 0 '^0000000000013000' out \
	-- --core "$T/d31.kdump" mem 0x13000 16

# 4. A makedumpfile -E ELF vmcore: zero fill in a core with VMCOREINFO is
# what the filter left out; in a core without it, zeros as before.
head -c 8192 "$T/ring.img" >"$T/head.img"
python3 tests/cli/mkcore.py "$T/E.elf" --seg "0x10000:@$T/head.img" --memsz-extra 8192 \
	--vmcoreinfo "$VMCI"
python3 tests/cli/mkcore.py "$T/Z.elf" --seg "0x10000:@$T/head.img" --memsz-extra 8192
expect "ELF vmcore: zero fill is filtered" 3 'address 0x12000 not in the dump \(filtered\)$' \
	-- --core "$T/E.elf" mem 0x12000 16
expect "ELF vmcore: kept bytes read" 0 '^0000000000011000' out -- --core "$T/E.elf" mem 0x11000 16
expect "ELF core without VMCOREINFO: zero fill reads as zeros" 0 \
	'^0000000000012000  00 00 00 00' out -- --core "$T/Z.elf" mem 0x12000 16
expect_json "ELF vmcore: scan counts the filtered bytes" 'j["filtered_bytes"] == 8192' \
	-- --core "$T/E.elf" scan --json

# 5. The flattened format: named, with the command that reassembles it.
expect "flattened file refused" 3 "flattened format.*makedumpfile -R OUT < $T/flat'$" \
	-- --core "$T/flat" scan

# 6. Truncated copies and garbage: one line, exit 3, never a crash.
size=$(stat -c %s "$T/zlib.kdump")
for cut in 8 100 600 4096 5000 8192 12288 $((size - 5000)) $((size - 100)); do
	head -c "$cut" "$T/zlib.kdump" >"$T/cut.kdump"
	expect "kdump cut at $cut bytes" 3 '' -- --core "$T/cut.kdump" mem 0x10000 0x4000
done
# Cut inside the last page's data (pages stored raw, in page order): that
# page is missing, never zeros, and scan says the dump is truncated.
size=$(stat -c %s "$T/raw.kdump")
head -c $((size - 100)) "$T/raw.kdump" >"$T/cut.kdump"
expect "truncated kdump: the cut page" 3 'address 0x13000 not in the dump \(truncated file\)$' \
	-- --core "$T/cut.kdump" mem 0x13000 16
expect "truncated kdump: a page before the cut" 0 '^0000000000012000' out \
	-- --core "$T/cut.kdump" mem 0x12000 16
expect_json "truncated kdump: scan counts the missing page" 'j["missing_bytes"] == 4096' \
	-- --core "$T/cut.kdump" scan --json

# A header libkdumpfile itself refuses (max_mapnr past the bitmaps): its
# context must not be freed (libkdumpfile 0.5.1 crashes there, kdump.c).
python3 - "$T/zlib.kdump" "$T/mapnr.kdump" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
struct.pack_into("<I", d, 440, 0xffffffff)  # disk_dump_header.max_mapnr
open(sys.argv[2], "wb").write(d)
PY
expect "header libkdumpfile refuses" 3 'mapnr.kdump' -- --core "$T/mapnr.kdump" mem 0x10000 16
{ printf 'KDUMP   '; head -c 20000 /dev/urandom; } >"$T/garbage.kdump"
expect "garbage after the KDUMP signature" 3 'garbage.kdump' -- --core "$T/garbage.kdump" scan
head -c 16 "$T/flat" >"$T/flat16"
expect "flattened header alone" 3 'makedumpfile -R' -- --core "$T/flat16" scan

finish
