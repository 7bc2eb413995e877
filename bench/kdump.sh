#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: `vqdump scan` on kdump-compressed dumps against `grep -c` over the same file, as a ratio.
#
# usage: bench/kdump.sh [DUMP...]   (a kdump-compressed file, or an ELF dump of
#        QEMU's, from which makedumpfile makes two: -c -d 0 and -c -d 31;
#        default: the newest tests/fixtures/work/*-full.elf, made by
#        tests/fixtures/mkfixtures.sh)
# Both commands read the same page-cached file in the same run, alternately,
# ROUNDS times; the medians are compared.  A kdump file is compressed, so
# scan decompresses every page grep reads compressed: the ratio says what
# that costs.  No target is asserted; the numbers are for people.
set -eu
cd "$(dirname "$0")/.."
VQDUMP=${VQDUMP:-build/vqdump}
ROUNDS=${ROUNDS:-5}
[ -x "$VQDUMP" ] || make -s all
if [ $# -eq 0 ]; then
	d=$(ls -t tests/fixtures/work/*-full.elf 2>/dev/null | head -n 1 || true)
	if [ -z "$d" ]; then
		echo "bench: no dump: give one, or run tests/fixtures/mkfixtures.sh (boots QEMU)" >&2
		exit 2
	fi
	set -- "$d"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# bench FILE LABEL: one line of medians and the ratio.
bench() {
	local f=$1 label=$2 g_times=() s_times=() g s t0 t1 t2 size rings
	cat "$f" >/dev/null
	for _ in $(seq "$ROUNDS"); do
		t0=$(now)
		grep -c 'vqdump-bench-absent-7c1f0e' "$f" >/dev/null || true
		t1=$(now)
		"$VQDUMP" --core "$f" scan --json >/dev/null
		t2=$(now)
		g_times+=($((t1 - t0)))
		s_times+=($((t2 - t1)))
	done
	g=$(printf '%s\n' "${g_times[@]}" | median)
	s=$(printf '%s\n' "${s_times[@]}" | median)
	size=$(stat -c %s "$f")
	rings=$("$VQDUMP" --core "$f" scan --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["rings"]))')
	awk -v l="$label" -v g="$g" -v s="$s" -v mb="$size" -v r="$rings" 'BEGIN {
		printf "%-22s %7.1f MiB  grep -c %8.1f ms  scan %8.1f ms (%s rings)  ratio grep/scan %.2f\n",
		       l, mb / 1048576, g / 1e6, s / 1e6, r, g / s
	}'
}

for d in "$@"; do
	case $(head -c 8 "$d" | tr -d "\0") in
	"KDUMP   ") bench "$d" "$(basename "$d")" ;;
	$'\x7fELF'*)
		command -v makedumpfile >/dev/null || { echo "bench: makedumpfile not installed" >&2; exit 2; }
		python3 tests/qemu/elf_phdrs_first.py "$d" "$tmp/m.elf"
		makedumpfile -c -d 0 "$tmp/m.elf" "$tmp/d0.kdump" >/dev/null 2>&1
		makedumpfile -c -d 31 "$tmp/m.elf" "$tmp/d31.kdump" >/dev/null 2>&1
		rm -f "$tmp/m.elf"
		echo "dump: $d"
		bench "$d" "ELF (for reference)"
		bench "$tmp/d0.kdump" "kdump -c -d 0"
		bench "$tmp/d31.kdump" "kdump -c -d 31"
		;;
	*) echo "bench: $d: neither a kdump-compressed file nor an ELF dump" >&2; exit 2 ;;
	esac
done
