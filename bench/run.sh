#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: `vqdump scan` on a page-cached full QEMU dump against `grep -c` for an absent string, as a ratio.
#
# usage: bench/run.sh [DUMP]   (default: the newest tests/fixtures/work/*-full.elf,
#        made by tests/fixtures/mkfixtures.sh; or $DUMP)
# Both commands read the same page-cached file in the same run, alternately,
# ROUNDS times; the medians are compared.  Target: ratio grep/scan >= 1.
set -eu
cd "$(dirname "$0")/.."
VQDUMP=${VQDUMP:-build/vqdump}
ROUNDS=${ROUNDS:-7}
dump=${1:-${DUMP:-}}
if [ -z "$dump" ]; then
	dump=$(ls -t tests/fixtures/work/*-full.elf 2>/dev/null | head -n 1 || true)
fi
if [ -z "$dump" ] || [ ! -r "$dump" ]; then
	echo "bench: no full dump: run tests/fixtures/mkfixtures.sh (boots QEMU) or give one" >&2
	exit 2
fi
[ -x "$VQDUMP" ] || make -s all

# Warm the page cache so both read memory, not disk.
cat "$dump" >/dev/null

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

g_times=() s_times=()
for _ in $(seq "$ROUNDS"); do
	t0=$(now)
	grep -c 'vqdump-bench-absent-7c1f0e' "$dump" >/dev/null || true
	t1=$(now)
	"$VQDUMP" --core "$dump" scan --json >/dev/null
	t2=$(now)
	g_times+=($((t1 - t0)))
	s_times+=($((t2 - t1)))
done
g=$(printf '%s\n' "${g_times[@]}" | median)
s=$(printf '%s\n' "${s_times[@]}" | median)
size=$(stat -c %s "$dump")
rings=$("$VQDUMP" --core "$dump" scan --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["rings"]))')
echo "dump: $dump ($((size / 1048576)) MiB, $rings rings found)"
awk -v g="$g" -v s="$s" -v mb="$size" 'BEGIN {
	printf "grep -c (absent string): median %.1f ms, %.0f MiB/s\n", g / 1e6, mb / 1048576 / (g / 1e9)
	printf "vqdump scan:             median %.1f ms, %.0f MiB/s\n", s / 1e6, mb / 1048576 / (s / 1e9)
	printf "ratio grep/scan: %.2f (target >= 1.00: %s)\n", g / s, (g / s >= 1 ? "met" : "NOT met")
}'
