#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input gives a one-line error and a defined exit status, never a crash.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
MK=tests/cli/mkcore.py

printf 'hello, not an ELF file\n' >"$T/text"
: >"$T/empty"
python3 $MK "$T/good.elf" --seg 0x10000:zeros:8192
head -c 80 "$T/good.elf" >"$T/trunc.elf"
python3 $MK "$T/exec.elf" --type 2 --seg 0x10000:zeros:4096
python3 $MK "$T/noseg.elf"
python3 $MK "$T/nopaddr.elf" --paddr-none --seg 0:zeros:4096
python3 $MK "$T/short.elf" --seg 0x10000:zeros:4096 --filesz-extra 8192
python3 $MK "$T/overlap.elf" --seg 0x10000:zeros:8192 --seg 0x11000:zeros:8192 --seg 0x10800:zeros:64

expect "non-ELF file" 3 'not an ELF file' -- --core "$T/text" mem 0 16
expect "empty file" 3 'not an ELF file|ELF' -- --core "$T/empty" mem 0 16
expect "missing file" 3 'No such file' -- --core "$T/nonexistent" mem 0 16
expect "directory" 3 'directory' -- --core "$T" mem 0 16
expect "truncated ELF headers" 3 'program header|truncated|corrupt' -- --core "$T/trunc.elf" mem 0x10000 16
expect "ELF that is not a core" 3 'not a core file' -- --core "$T/exec.elf" mem 0x10000 16
expect "core with no segments" 3 'no memory segment' -- --core "$T/noseg.elf" mem 0x10000 16
expect "kcore-like segments without p_paddr" 3 'no memory segment with a physical address' -- --core "$T/nopaddr.elf" mem 0 16
expect "address outside the dump" 3 'memory at 0xdead0000: address 0xdead0000 not in the dump' -- --core "$T/good.elf" mem 0xdead0000 16
expect "range running off the dump" 3 'not in the dump' -- --core "$T/good.elf" mem 0x11ff0 32
expect "read inside the dump" 0 '^0000000000010000 +00 00' out -- --core "$T/good.elf" mem 0x10000 16
expect "p_filesz beyond the file: present part" 0 '00 00' out -- --core "$T/short.elf" mem 0x10ff0 16
expect "p_filesz beyond the file: missing part" 3 'not in the dump' -- --core "$T/short.elf" mem 0x11000 16
expect "overlapping segments" 0 '00 00' out -- --core "$T/overlap.elf" mem 0x10000 0x3000
expect "ring outside the dump" 3 'descriptor table at 0x80000: address 0x80000 not in the dump' -- --core "$T/good.elf" ring --at 0x80000,0x90000,0xa0000 --size 8
expect "avail ring outside the dump" 3 'available ring (header )?at 0x90000: address 0x90000 not in the dump' -- --core "$T/good.elf" ring --at 0x10000,0x90000,0x10100 --size 8
expect "size 0" 2 'queue size 0' -- --core "$T/good.elf" ring --at 0x10000 --size 0
expect "size not a power of two" 2 'not a power of two' -- --core "$T/good.elf" ring --at 0x10000 --size 384
expect "size over 32768" 2 'over 32768' -- --core "$T/good.elf" ring --at 0x10000 --size 65536
expect "size not a number" 2 'takes a number' -- --core "$T/good.elf" ring --at 0x10000 --size lots
expect "missing --size" 2 'give the queue size' -- --core "$T/good.elf" ring --at 0x10000
expect "bad --at" 2 'DESC or DESC,AVAIL,USED' -- --core "$T/good.elf" ring --at 1,2 --size 8
expect "--at with junk" 2 'DESC or DESC,AVAIL,USED' -- --core "$T/good.elf" ring --at 0x10zz --size 8
expect "two sources" 2 'one source' -- --core a --raw b@0 mem 0 1
# Item 8 of issue 16: a malformed --raw is a usage error (2), not an access one.
expect "raw without base" 2 'FILE@BASE' -- --raw "$T/text" mem 0 1
expect "raw with a bad base" 2 "bad base address 'zz'" -- --raw "$T/text@zz" mem 0 1
expect "mem LEN 0" 2 'LEN must be' -- --core "$T/good.elf" mem 0x10000 0

python3 tests/cli/mkring.py "$T/loop.img" loop
expect "chain that loops: finding" 0 '"code": "CHAIN_LOOP"' out -- --raw "$T/loop.img@0x10000" ring --at 0x10000 --size 8 --json
python3 tests/cli/mkring.py "$T/ahead.img" ahead
expect "avail idx 65535 ahead: finding" 0 '"code": "IN_FLIGHT_OVER_SIZE"' out -- --raw "$T/ahead.img@0x10000" ring --at 0x10000 --size 8 --json
python3 tests/cli/mkring.py "$T/huge.img" huge-indirect
expect "indirect table longer than the queue: finding" 0 '"code": "INDIRECT_TOO_LONG"' out -- --raw "$T/huge.img@0x10000" ring --at 0x10000 --size 8 --json
python3 tests/cli/mkring.py "$T/ovf.img" overflow
expect "address + len wraps: finding" 0 '"code": "DESC_ADDR_OVERFLOW"' out -- --raw "$T/ovf.img@0x10000" ring --at 0x10000 --size 8 --json
python3 tests/cli/mkring.py "$T/ok.img" healthy
expect "healthy blk ring: request decoded" 0 '"type_name": "OUT"' out -- --raw "$T/ok.img@0x10000" ring --at 0x10000 --size 8 --json
expect_json "healthy blk ring: no findings, one pending chain" 'j["findings"] == [] and j["in_flight"] == 1 and len(j["chains"]) == 1 and j["chains"][0]["request"]["sector"] == 2048' -- --raw "$T/ok.img@0x10000" ring --at 0x10000 --size 8 --json
expect "healthy blk ring: text" 0 'blk OUT sector 2048 data 512 bytes' out -- --raw "$T/ok.img@0x10000" ring --at 0x10000 --size 8

# Item 7 of issue 16: numbers are decimal or 0x-hex, never octal (man page,
# "Numbers").  010 is ten: the dump line starts at 0xa, not 0x8.
FIX=tests/fixtures/pci-modern/core.elf
expect "leading 0 is decimal (mem)" 0 '^000000000000000a ' out -- --core "$FIX" mem 010 16
expect "0x alone is not a number" 2 "bad address '0x'" -- --core "$FIX" mem 0x 16
expect "0x then a sign is not a number" 2 "bad address" -- --core "$FIX" mem 0x-1 16
# 0200000 as octal is 0x10000 (in good.elf); as decimal 0x30d40 (not).
expect "leading 0 is decimal (ring --at)" 3 'address 0x30(d40|e08) not in the dump' -- --core "$T/good.elf" ring --at 0200000,0200200,0200400 --size 8
printf 'x' >"$T/one.img"
expect "leading 0 is decimal (--raw BASE)" 3 'address 0x8 not in' -- --raw "$T/one.img@010" mem 8 1

# Item 3 of issue 16: a ring --at that is wrong, misaligned, partly missing
# or past 2^64 is refused in one line, never hundreds of lines of garbage.
# Alignment: virtio 1.3 section 2.7 (desc 16, avail 2, used 4).
expect "--at desc not 16-aligned" 2 'descriptor table at 0x1 is not 16-byte aligned' -- --core "$FIX" ring --at 0x1 --size 256
expect "--at avail not 2-aligned" 2 'available ring at 0x29e9001 is not 2-byte aligned' -- --core "$FIX" ring --at 0x29e8000,0x29e9001,0x29e9240 --size 256
expect "--at used not 4-aligned" 2 'used ring at 0x29e9242 is not 4-byte aligned' -- --core "$FIX" ring --at 0x29e8000,0x29e9000,0x29e9242 --size 256
# 16 * 2 + 6 + 2 * 2 = 42 bytes before the used ring: --align 2 puts it at +42, off 4.
expect "--at DESC --align 2: derived used ring not 4-aligned" 2 'used ring at 0x29e802a is not 4-byte aligned' -- --core "$FIX" ring --at 0x29e8000 --size 2 --align 2
expect "--force reads a misaligned --at" 0 '^ring: size 256 +desc 0x29e8000 +avail 0x29e9001' out -- --core "$FIX" ring --force --at 0x29e8000,0x29e9001,0x29e9240 --size 256
expect "--at 2^64-1" 2 'not 16-byte aligned|past the end of the 64-bit address space' -- --core "$FIX" ring --at 0xffffffffffffffff --size 8
expect "--at 2^64-1 with --force: no wrap" 2 'descriptor table of a ring of 8 entries there runs past the end of the 64-bit address space' -- --core "$FIX" ring --force --at 0xffffffffffffffff --size 8
expect "--at whose contiguous avail ring wraps" 2 'available ring of a ring of 256 entries there runs past' -- --core "$FIX" ring --at 0xfffffffffffff000 --size 256
expect "--at with three parts, used ring wraps" 2 'used ring of a ring of 8 entries there runs past' -- --core "$FIX" ring --at 0x29e8000,0x29e9000,0xfffffffffffffff0 --size 8
expect "descriptor table partly in the dump" 3 'descriptor table at 0x11f00: address 0x12000 not in the dump' -- --core "$T/good.elf" ring --at 0x11f00,0x10000,0x10100 --size 256
expect "used ring outside the dump" 3 'used ring (header )?at 0x80000: address 0x80000 not in the dump' -- --core "$T/good.elf" ring --at 0x10000,0x10100,0x80000 --size 8
printf 'abcd' >"$T/four.img"
expect "--raw image past 2^64" 2 'run past the end of the 64-bit address space' -- --raw "$T/four.img@0xfffffffffffffffe" mem 0xfffffffffffffffe 2
expect "--raw image ending below 2^64" 0 'abcd' out -- --raw "$T/four.img@0xfffffffffffffffb" mem 0xfffffffffffffffb 4

# Item 8 of issue 16: the interface agrees with the man page (OPTIONS,
# EXIT STATUS) and with itself.
SNAP=tests/fixtures/snap-pci/snapshot.elf
expect "--mmio with --core is refused" 2 'mmio.*refused with --core' -- --core "$FIX" --mmio 0xfeb00000 mem 0x29e9000 16
expect "--mmio with --raw is refused" 2 'mmio.*refused with --raw' -- --raw "$T/four.img@0" --mmio 0xfeb00000 mem 0 4
expect "-c given twice is refused" 2 'core given twice' -- --core "$FIX" -c "$FIX" mem 0x29e9000 16
expect "--raw given twice is refused" 2 'raw given twice' -- --raw "$T/four.img@0" --raw "$T/four.img@0" mem 0 4
# (with --core, so that no build, fixed or not, ever reads this machine's devices)
expect "--mmio given twice is refused" 2 'mmio given twice' -- --core "$FIX" --mmio 0xfeb00000 --mmio 0xfeb00000 mem 0x29e9000 16
expect "-d given twice before the command is refused" 2 'device given twice' -- --core "$SNAP" -d 0 -d 1 status
expect "-d given twice after the command is refused" 2 'device given twice' -- --core "$SNAP" status -d 0 --device 1
expect "a command's -d replaces the global one (as the shell's device)" 0 '^0000:00:05\.0 ' out -- --core "$SNAP" -d 0 status -d 1
expect "-d after scan: it reads memory, not devices" 2 'scan reads memory, not devices' -- --core "$FIX" scan -d 0
expect "--device= after mem: it reads memory, not devices" 2 'mem reads memory, not devices' -- --core "$FIX" mem 0x29e9000 16 --device=0
expect "-d before mem is accepted and not used" 0 '^00000000029e9000 ' out -- --core "$FIX" -d 0 mem 0x29e9000 16
expect "--color after the command, as --json" 0 $'\033\\[' out -- --raw "$T/loop.img@0x10000" ring --at 0x10000 --size 8 --color=always
expect "--color after the command: bad value" 2 'color takes auto, always or never' -- --core "$FIX" scan --color=sometimes
expect "--help names every exit status" 0 '0 ok, 1 a problem found.*2 usage error' out -- --help

# Item 9 of issue 16: 'ring --queue N' without -d, several devices: queue N
# of every device that has one, as status shows every device.  Expected
# devices, addresses and sizes: QEMU's own view saved with the fixture
# (qmp.json: x-query-virtio-queue-status vring-desc, vring-num).
QMP=tests/fixtures/snap-pci/qmp.json
expect_json "ring --queue 0, several devices: every device's queue 0 (QEMU's addresses)" \
	'sorted((r["device"], r["queue"], r["desc"], r["size"]) for r in j["rings"]) == sorted((d["transport"]["name"], 0, d["queues"][0]["status"]["vring-desc"], d["queues"][0]["status"]["vring-num"]) for d in json.load(open("'"$QMP"'"))["devices"] if d["queues"]) and j["skipped"] == []' \
	-- --core "$SNAP" ring --queue 0 --json
expect_json "ring --queue 2: only the devices with a queue 2 (QEMU's)" \
	'sorted(r["device"] for r in j["rings"]) == sorted(d["transport"]["name"] for d in json.load(open("'"$QMP"'"))["devices"] if len(d["queues"]) > 2)' \
	-- --core "$SNAP" ring --queue 2 --json
want=$(python3 -c 'import json,sys; print(sum(1 for d in json.load(open(sys.argv[1]))["devices"] if d["queues"]))' "$QMP")
"$VQDUMP" --core "$SNAP" ring --queue 0 >"$T/out" 2>"$T/err"
rc=$?
got=$(grep -cE '^device [0-9a-f:.]+ queue 0$' "$T/out")
[ $rc -eq 0 ] && [ "$got" = "$want" ] && [ "$(grep -c '^ring: size' "$T/out")" = "$want" ] &&
	ok "ring --queue 0, several devices, text: $want rings, each under its device line" ||
	not_ok "ring --queue 0, several devices, text: exit $rc, $got device lines, want $want ($(head -c 200 "$T/err"))"
# --size 32768 stretches each descriptor table far past the ring memory
# the snapshot saved: every queue is listed as not shown, exit 3.
expect "ring --queue 0, several devices, none readable: exit 3" 3 "no device's queue 0 could be shown" -- --core "$SNAP" ring --queue 0 --size 32768
expect "... each device says why in the text" 3 '^device 0000:00:04\.0 queue 0: not shown: read descriptor table at' out -- --core "$SNAP" ring --queue 0 --size 32768
"$VQDUMP" --core "$SNAP" ring --queue 0 --size 32768 --json >"$T/out" 2>/dev/null
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); q=json.load(open(sys.argv[2])); sys.exit(0 if j["rings"] == [] and sorted(e["device"] for e in j["skipped"]) == sorted(d["transport"]["name"] for d in q["devices"] if d["queues"]) and all("descriptor table" in e["reason"] for e in j["skipped"]) else 1)' "$T/out" "$QMP" &&
	ok "... and in the JSON's skipped list, one per device" || not_ok "... skipped list: $(head -c 300 "$T/out")"
expect "ring --queue N that no device has" 2 'no device has a queue 9' -- --core "$SNAP" ring --queue 9
expect_json "ring --queue with -d: the single-ring object, unchanged" \
	'"rings" not in j and j["device"] == "0000:00:05.0" and j["queue"] == 0' -- --core "$SNAP" -d 1 ring --queue 0 --json

# blk --inject writes split-ring chains: refused with --packed before any device is looked at.
expect "blk --packed with --inject" 2 'blk: --inject writes split-ring chains: not with --packed' -- blk --packed --inject loop

finish
