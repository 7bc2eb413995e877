#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: `vqdump --core DUMP list` (the guest kernel's records, no debuginfo) on dumps of 1 and 8 GiB guests against `grep -c` over the same file, as ratios, and its growth with size.
#
# usage: bench/dump-list.sh [DUMP]   (DUMP: a QEMU ELF dump, dump-guest-memory
#        paging=false, of a guest whose kernel has BTF, like the ones
#        tests/qemu/test-dump-kvq.sh makes; default $DUMP, else that test is
#        run once with VQ_KEEP to make one: it boots QEMU, ~1.5 min)
#        ROUNDS=N (default 5), SIZES="1024 8192" (guest RAM in MiB; "": the
#        source dump only),
#        VQDUMP=path (default build/vqdump), BENCH_TMP=dir (default /tmp)
#
# The dumps of bigger guests are sparse: bench/mksparse.py copies DUMP's
# notes and RAM to their own addresses and adds the RAM a pc guest of that
# size has (below 4 GiB up to 3 GiB, the rest from 4 GiB) as file holes,
# which read as zero pages.  They are N GiB files that take little disk,
# but a real big guest's RAM is mostly not zeros: a search that skips zero
# pages gains more here than on such a dump (GNU grep -c skips holes
# too: SEEK_DATA); the first row, the source dump itself, is all data
# and the fair one for "one grep pass".  The files are page-cached (each
# command run once before timing), then `grep -c` for an absent string and `vqdump --core F list` run
# alternately ROUNDS times; medians are compared.  Target: the ratio
# grep/list at least 1 (list no longer than one grep pass), and list's
# time growing no faster than the file (8 GiB / 1 GiB time <= 8).
set -eu
cd "$(dirname "$0")/.."
VQDUMP=${VQDUMP:-build/vqdump}
ROUNDS=${ROUNDS:-5}
SIZES=${SIZES-1024 8192}
TMPD=$(mktemp -d "${BENCH_TMP:-/tmp}/vqdump-bench.XXXXXX")
trap 'rm -rf "$TMPD"' EXIT
[ -x "$VQDUMP" ] || make -s all

dump=${1:-${DUMP:-}}
if [ -z "$dump" ]; then
	echo "bench: no DUMP given: running tests/qemu/test-dump-kvq.sh to make one" >&2
	VQ_KEEP=$TMPD/keep VQDUMP=$VQDUMP tests/qemu/test-dump-kvq.sh >"$TMPD/test.log" 2>&1 || {
		tail -n 5 "$TMPD/test.log" >&2
		echo "bench: test-dump-kvq.sh failed" >&2
		exit 2
	}
	dump=$TMPD/keep/pci/dump.elf
	rm -f "$TMPD"/keep/pci/dump-*.elf "$TMPD"/keep/mmio/*.elf
fi
if [ ! -r "$dump" ]; then
	echo "bench: cannot read $dump" >&2
	exit 2
fi

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# run FILE: prints "grep_ns list_ns"
run() {
	local f=$1 g=() l=() t0 t1 t2
	# Warm the page cache with what both read (not the holes: neither
	# reads them, and cat would fill memory with zero pages).
	grep -c 'vqdump-bench-absent-7c1f0e' "$f" >/dev/null || true
	"$VQDUMP" --core "$f" list >/dev/null
	for _ in $(seq "$ROUNDS"); do
		t0=$(now)
		grep -c 'vqdump-bench-absent-7c1f0e' "$f" >/dev/null || true
		t1=$(now)
		"$VQDUMP" --core "$f" list >/dev/null
		t2=$(now)
		g+=($((t1 - t0)))
		l+=($((t2 - t1)))
	done
	echo "$(printf '%s\n' "${g[@]}" | median) $(printf '%s\n' "${l[@]}" | median)"
}

real=$(stat -c %s "$dump")
echo "source dump: $dump ($((real / 1048576)) MiB); $ROUNDS rounds, medians"
"$VQDUMP" --core "$dump" list | sed 's/^/  /'
printf '%-8s %9s %11s %11s %10s %10s\n' guest file grep_ms list_ms grep/list list_MiB/s
# The source dump itself: every byte data, as in a dump from the field.
read -r g l < <(run "$dump")
awk -v sz="$real" -v g="$g" -v l="$l" 'BEGIN {
	printf "%-8s %8.0fM %11.1f %11.1f %10.2f %10.0f   (source, no holes)\n", "source", sz / 1048576,
		g / 1e6, l / 1e6, g / l, sz / 1048576 / (l / 1e9) }'
first_l='' first_size=''
for mib in $SIZES; do
	f=$TMPD/guest-$mib.elf
	python3 bench/mksparse.py "$dump" "$f" "$mib"
	if ! "$VQDUMP" --core "$f" list >"$TMPD/list.out" 2>&1 ||
	    ! diff -q <("$VQDUMP" --core "$dump" list) "$TMPD/list.out" >/dev/null; then
		echo "bench: list on the $mib MiB dump differs from the source dump's" >&2
		exit 1
	fi
	read -r g l < <(run "$f")
	size=$(stat -c %s "$f")
	awk -v m="$mib" -v sz="$size" -v g="$g" -v l="$l" 'BEGIN {
		printf "%-8s %8.0fM %11.1f %11.1f %10.2f %10.0f\n", m "M", sz / 1048576, g / 1e6, l / 1e6,
			g / l, sz / 1048576 / (l / 1e9) }'
	if [ -z "$first_l" ]; then
		first_l=$l first_size=$size
	else
		awk -v a="$first_l" -v b="$l" -v sa="$first_size" -v sb="$size" 'BEGIN {
			printf "growth: list %.2fx for a %.2fx bigger file (linear or better: %s)\n",
				b / a, sb / sa, (b / a <= sb / sa ? "yes" : "NO") }'
	fi
	rm -f "$f"
done
echo "target: grep/list >= 1.00 (list no longer than one grep -c pass)"
