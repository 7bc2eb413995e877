#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Dumps the kernel's records cannot be read from: one line says what is missing and that 'ring --at' and 'scan' still work; exit 2 then, 3 only when the file cannot be read.
#
# The real dumps (truncated, BTF or page tables damaged, no BTF) are made
# by tests/qemu/test-dump-kvq.sh from a booted guest; here what is cheap
# without one: the pci-modern fixture (a QEMU dump of a guest whose RAM
# holds no BTF) with another e_machine or cut short, and hand-made cores.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=lib.sh
. tests/cli/lib.sh
FIX=tests/fixtures/pci-modern
STILL="'ring --at' and 'scan' still read it"

if ! command -v python3 >/dev/null 2>&1 || [ ! -x "$VQDUMP" ]; then
	echo "skipped: python3 or $VQDUMP missing"
	exit 77
fi

# A ring QEMU reported in the fixture (qmp.json: vring-desc, -avail,
# -used and -num of the first queue with requests in flight).
read -r DESC AVAIL USED NUM < <(python3 -c '
import json, sys
for d in json.load(open(sys.argv[1]))["devices"]:
    for q in d["queues"]:
        s = q["status"]
        if s["inuse"]:
            print(hex(s["vring-desc"]), hex(s["vring-avail"]), hex(s["vring-used"]), s["vring-num"]); sys.exit(0)' "$FIX/qmp.json")
RING="$DESC,$AVAIL,$USED"

# 1. Another architecture: the fixture with e_machine EM_AARCH64 (183,
# <elf.h>).  The kernel's records are read for x86-64 only; rings are
# virtio's little-endian layout on any machine.
python3 - "$FIX/core.elf" "$T/aarch64.elf" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[18:20] = (183).to_bytes(2, "little")
open(sys.argv[2], "wb").write(b)
PY
for c in list status features; do
	expect "aarch64 dump: $c says x86-64 only, exit 2" 2 \
		"read for x86-64 dumps only, and this one is of aarch64 \(ELF machine 183\).*$STILL" \
		-- --core "$T/aarch64.elf" $c
done
expect "aarch64 dump: ring -d 0 --queue 0 as list, exit 2" 2 "x86-64 dumps only" \
	-- --core "$T/aarch64.elf" ring -d 0 --queue 0
expect "aarch64 dump: scan still finds QEMU's ring" 0 "^$DESC " out -- --core "$T/aarch64.elf" scan
expect "aarch64 dump: ring --at still decodes it" 0 "^ring: size $NUM  desc $DESC" out \
	-- --core "$T/aarch64.elf" ring --at "$RING" --size "$NUM"
# The same machine, with nothing but a header: a real aarch64 core header
# as mkcore.py writes it.
python3 tests/cli/mkcore.py "$T/a64-empty.elf" --machine 183 --seg 0x40000000:zeros:4096
expect "aarch64 core (hand-made): list says x86-64 only" 2 "x86-64 dumps only.*aarch64" \
	-- --core "$T/a64-empty.elf" list
python3 tests/cli/mkcore.py "$T/x86-empty.elf" --seg 0x40000000:zeros:4096
expect "the same core of x86-64 (hand-made): no BTF in its memory, exit 2" 2 "no BTF in its memory.*$STILL" \
	-- --core "$T/x86-empty.elf" list

# 2. A copy cut short (the fixture's RAM past 1 MiB gone): what the
# kernel's records lack is said with the truncation.
head -c 1048576 "$FIX/core.elf" >"$T/trunc.elf"
for c in list status; do
	expect "truncated dump: $c says what is missing and that it is truncated, exit 2" 2 \
		"no BTF in its memory.*; the dump is truncated: [0-9.]+ of [0-9.]+ MiB of memory missing; .*$STILL" \
		-- --core "$T/trunc.elf" $c
done

# 3. A BTF blob the file cuts in half (hand-made: no real dump has one
# where this test can cut it): header whole, sections past the file's
# end.  struct btf_header (Documentation/bpf/btf.rst): magic 0xeB9F,
# version 1, flags 0, hdr_len 24, type_off 0, type_len 0x8000, str_off
# 0x8000, str_len 0x100.
python3 - "$T/btfhead.bin" <<'PY'
import struct, sys
h = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, 0x8000, 0x8000, 0x100)
open(sys.argv[1], "wb").write(h + bytes(4096 - len(h)))
PY
python3 tests/cli/mkcore.py "$T/btfcut.elf" --seg "0x1000000:@$T/btfhead.bin" --filesz-extra 0x10000
expect "BTF cut by the file's end: says none is vmlinux's and that the dump is truncated" 2 \
	"none of the 1 BTF blob in its memory is vmlinux's .*; the dump is truncated: .*$STILL" \
	-- --core "$T/btfcut.elf" list

# 4. Nothing can be done: exit 3, and scan and ring --at say the same.
head -c 100 "$FIX/core.elf" >"$T/hdr.elf"
for c in list scan; do
	expect "cut inside the program headers: $c exits 3" 3 "truncated: program headers end past the file's" \
		-- --core "$T/hdr.elf" $c
done
expect "cut inside the program headers: ring --at exits 3" 3 "truncated: program headers end past the file's" \
	-- --core "$T/hdr.elf" ring --at "$RING" --size "$NUM"

finish
