#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Dumps whose headers promise more than the file holds: a truncated copy says
# so and is never called healthy; claimed zero fill costs no time.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=lib.sh
. tests/cli/lib.sh
FIX=tests/fixtures/pci-modern

if ! command -v python3 >/dev/null 2>&1 || [ ! -x "$VQDUMP" ]; then
	echo "skipped: python3 or $VQDUMP missing"
	exit 77
fi

# A descriptor table QEMU reported in this fixture (qmp.json, vring-desc
# and vring-num of the first queue with requests in flight).
read -r DESC NUM < <(python3 -c '
import json, sys
for d in json.load(open(sys.argv[1]))["devices"]:
    for q in d["queues"]:
        s = q["status"]
        if s["inuse"]:
            print(hex(s["vring-desc"]), s["vring-num"]); sys.exit(0)' "$FIX/qmp.json")

# 1. A truncated copy, as `head -c` makes it.  What it lacks, from the
# program headers themselves: PT_LOAD bytes past the file's end.
head -c 100000 "$FIX/core.elf" >"$T/trunc.elf"
MISSING=$(python3 - "$T/trunc.elf" <<'PY'
import struct, sys, os
b = open(sys.argv[1], "rb").read()
size = os.path.getsize(sys.argv[1])
phoff, = struct.unpack_from("<Q", b, 0x20)
phentsize, phnum = struct.unpack_from("<HH", b, 0x36)
lost = 0
for i in range(phnum):
    t, _, off, _, _, filesz, memsz = struct.unpack_from("<IIQQQQQ", b, phoff + i * phentsize)
    if t == 1 and off + filesz > size:
        lost += memsz - max(0, size - off)
print(lost)
PY
)
expect "truncated dump: scan says so" 0 'truncated: [0-9.]+ of [0-9.]+ MiB of memory missing' out -- --core "$T/trunc.elf" scan
expect_json "truncated dump: scan --json counts the missing bytes" "j['missing_bytes'] == $MISSING and $MISSING > 0" -- --core "$T/trunc.elf" --json scan
expect "truncated dump: diagnose is inconclusive, exit 3" 3 'truncated: [0-9.]+ of [0-9.]+ MiB of memory missing' -- --core "$T/trunc.elf" diagnose
expect "truncated dump: diagnose does not say healthy" 3 'inconclusive: the dump is truncated' out -- --core "$T/trunc.elf" diagnose
expect "truncated dump: a ring in the missing part" 3 "not in the dump \(truncated file\)" -- --core "$T/trunc.elf" ring --at "$DESC" --size "$NUM"
expect "truncated dump: mem in the missing part" 3 "address $DESC not in the dump \(truncated file\)" -- --core "$T/trunc.elf" mem "$DESC" 16
expect "the whole fixture: no truncation claimed" 0 '^[0-9]+ rings found$' out -- --core "$FIX/core.elf" scan
if grep -q truncated "$T/out"; then not_ok "the whole fixture: says truncated"; else ok "the whole fixture: not called truncated"; fi

# A truncated vqdump snapshot: its device records read, its rings do not.
head -c 40000 tests/fixtures/snap-pci/snapshot.elf >"$T/trunc-snap.elf"
# (Not expect: each unreadable ring gets its own warning line.)
"$VQDUMP" --core "$T/trunc-snap.elf" diagnose >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -eq 3 ] && grep -q 'inconclusive: the dump is truncated' "$T/out" &&
	grep -q 'truncated: [0-9.]* of [0-9.]* MiB of memory missing' "$T/err"; then
	ok "truncated snapshot: diagnose is inconclusive, exit 3"
else
	not_ok "truncated snapshot: diagnose exit $rc: $(tail -c 300 "$T/out")"
fi

# 6. One PT_LOAD claims 0x57000000001000 bytes of memory (p_memsz) but
# keeps its few KiB in the file: zero fill, where no ring can start.  The
# highest segment (nothing after it), then the lowest (its claimed zero
# fill covers every other segment, whose file bytes must still count).
for which in highest lowest; do
	python3 - "$FIX/core.elf" "$T/huge.elf" "$which" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
phoff, = struct.unpack_from("<Q", b, 0x20)
phentsize, phnum = struct.unpack_from("<HH", b, 0x36)
loads = [phoff + i * phentsize for i in range(phnum)
         if struct.unpack_from("<I", b, phoff + i * phentsize)[0] == 1]
pick = max if sys.argv[3] == "highest" else min
seg = pick(loads, key=lambda o: struct.unpack_from("<Q", b, o + 24)[0])
struct.pack_into("<Q", b, seg + 40, 0x57000000001000)
open(sys.argv[2], "wb").write(b)
PY
	bounded=1
	for c in scan diagnose; do
		start=$(date +%s)
		timeout 60 "$VQDUMP" --core "$T/huge.elf" "$c" >"$T/out" 2>"$T/err"
		rc=$?
		secs=$(($(date +%s) - start))
		if [ "$rc" -eq 124 ] || [ "$secs" -gt 20 ]; then
			not_ok "huge zero fill ($which): $c took ${secs}s (exit $rc): bounded by the headers, not the file"
			bounded=0
		else
			ok "huge zero fill ($which): $c done in ${secs}s"
		fi
	done
	[ "$bounded" -eq 1 ] || continue
	expect "huge zero fill ($which): scan says how much was zero fill" 0 'zero fill not searched' out -- --core "$T/huge.elf" scan
	expect "huge zero fill ($which): the rings in the file are still found (qmp.json)" 0 "^$DESC " out -- --core "$T/huge.elf" scan
	expect "huge zero fill ($which): diagnose says how much was zero fill" 1 'zero fill .* not searched' -- --core "$T/huge.elf" diagnose
done

finish
	exit
fi
expect "huge zero fill: scan says how much was zero fill" 0 'zero fill not searched' out -- --core "$T/huge.elf" scan
expect "huge zero fill: the rings in the file are still found (qmp.json)" 0 "^$DESC " out -- --core "$T/huge.elf" scan
expect "huge zero fill: diagnose says how much was zero fill" 1 'zero fill .* not searched' -- --core "$T/huge.elf" diagnose

finish
