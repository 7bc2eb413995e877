#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the libFuzzer targets: `run.sh smoke` for make check, `run.sh SECONDS BIN...` for a campaign.
#
#   run.sh smoke          every built target in build/fuzz/: its regression
#                         inputs (tests/fuzz/regress/TARGET/*), its seeds
#                         (tests/fuzz/corpus/TARGET/) and a short run on a
#                         temporary copy of the seeds; TAP-style lines.
#   run.sh SECONDS BIN... each BIN for SECONDS on tests/fuzz/work/TARGET
#                         (seeded from the corpus, kept between runs).
#
# Environment: FUZZ_SMOKE_SECONDS (default 5) per target in smoke mode;
# FUZZ_ARGS, extra libFuzzer flags (e.g. -runs=10000000); FUZZ_JOBS,
# targets run at once in a campaign (default 1).  A crash, timeout,
# leak or out-of-memory input is copied to tests/fuzz/regress/TARGET/ and
# the run fails.  See docs/fuzzing.md.
set -u
cd "$(dirname "$0")/../.." || exit 2

FUZZ=tests/fuzz
SMOKE_SECONDS=${FUZZ_SMOKE_SECONDS:-5}
JOBS=${FUZZ_JOBS:-1}
# Flags every run shares: per-input time and memory limits, final stats.
COMMON=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
# UBSan stops at the first report (the build already has
# -fno-sanitize-recover); ASan keeps leak checking on.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

usage() {
	echo "usage: $0 smoke | SECONDS BIN..." >&2
	exit 2
}

# Largest input per target: what the parser needs, no more (the scanner's
# work grows with the square of its memory, see fuzz_scan.c).
max_len() {
	case $1 in
	fuzz_elfcore) echo 65536 ;;
	fuzz_ring | fuzz_packed) echo 16384 ;;
	fuzz_scan | fuzz_pscan) echo 12288 ;;
	fuzz_payload) echo 512 ;;
	fuzz_snapnote) echo 16384 ;;
	fuzz_kimage) echo 16384 ;;
	fuzz_kdump) echo 40960 ;;
	*) echo 4096 ;;
	esac
}

# save_artifacts TARGET DIR: keep what libFuzzer wrote there as
# regression inputs; prints their paths.
save_artifacts() {
	local t=$1 dir=$2 f
	for f in "$dir"/crash-* "$dir"/timeout-* "$dir"/leak-* "$dir"/oom-* "$dir"/slow-unit-*; do
		[ -f "$f" ] || continue
		case $f in */slow-unit-*) continue ;; esac
		mkdir -p "$FUZZ/regress/$t"
		cp "$f" "$FUZZ/regress/$t/"
		echo "$FUZZ/regress/$t/$(basename "$f")"
	done
}

# show_saved PATHS: one comment line per saved input.
show_saved() {
	local f
	[ -n "$1" ] || return 0
	while read -r f; do
		echo "#   saved $f (see docs/fuzzing.md)"
	done <<<"$1"
}

# stats LOG: "N execs (R/s), cov: C ft: F, corpus K inputs/SIZE" from
# libFuzzer's last status line and -print_final_stats output.
stats() {
	local log=$1 execs rate line cov ft corp
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	line=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$line")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$line")
	corp=$(sed -n 's/.* corp: \([^ ]*\).*/\1/p' <<<"$line")
	echo "${execs:-?} execs (${rate:-?}/s), cov: ${cov:-?} ft: ${ft:-?}, corpus ${corp:-?}"
}

# regress BIN TARGET: each saved input once; one TAP line each.
regress() {
	local bin=$1 t=$2 f log fail=0
	for f in "$FUZZ/regress/$t"/*; do
		[ -f "$f" ] || continue
		log=$(mktemp)
		if timeout 120 "$bin" "${COMMON[@]}" "$f" >"$log" 2>&1; then
			echo "ok - fuzz $t regress $(basename "$f")"
		else
			echo "not ok - fuzz $t regress $(basename "$f"): still fails"
			grep -E 'ERROR|fuzz check|runtime error|SUMMARY' "$log" | head -5 | sed 's/^/#   /'
			fail=1
		fi
		rm -f "$log"
	done
	return $fail
}

smoke() {
	local bin t tmp log n saved fail=0 any=0
	for bin in build/fuzz/fuzz_*; do
		if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
			continue
		fi
		case $bin in *.d | *.o) continue ;; esac
		any=1
		t=$(basename "$bin")
		# A known failure would only be found again, under new names.
		if ! regress "$bin" "$t"; then
			echo "not ok - fuzz $t: not fuzzed while its regression inputs fail"
			fail=1
			continue
		fi

		tmp=$(mktemp -d)
		mkdir -p "$tmp/corpus" "$tmp/art"
		log=$tmp/log
		n=0
		if [ -d "$FUZZ/corpus/$t" ]; then
			cp "$FUZZ/corpus/$t"/* "$tmp/corpus/" 2>/dev/null
			n=$(find "$FUZZ/corpus/$t" -type f | wc -l)
		fi
		# Seeds as plain inputs: -runs=0 loads (runs) them all, fuzzes nothing.
		if "$bin" "${COMMON[@]}" -runs=0 -artifact_prefix="$tmp/art/" "$tmp/corpus" >"$log" 2>&1; then
			echo "ok - fuzz $t seeds: $n inputs"
		else
			echo "not ok - fuzz $t seeds: $n inputs, one fails"
			grep -E 'ERROR|fuzz check|runtime error|SUMMARY' "$log" | head -5 | sed 's/^/#   /'
			show_saved "$(save_artifacts "$t" "$tmp/art")"
			fail=1
			rm -rf "$tmp"
			continue
		fi
		if "$bin" "${COMMON[@]}" -max_len="$(max_len "$t")" -max_total_time="$SMOKE_SECONDS" \
			-artifact_prefix="$tmp/art/" "$tmp/corpus" >"$log" 2>&1; then
			echo "ok - fuzz $t: ${SMOKE_SECONDS} s, $(stats "$log")"
		else
			echo "not ok - fuzz $t: ${SMOKE_SECONDS} s found a failing input"
			grep -E 'ERROR|fuzz check|runtime error|SUMMARY' "$log" | head -5 | sed 's/^/#   /'
			saved=$(save_artifacts "$t" "$tmp/art")
			show_saved "$saved"
			fail=1
		fi
		rm -rf "$tmp"
	done
	if [ "$any" = 0 ]; then
		echo "not ok - fuzz: no target in build/fuzz/ (make fuzz-smoke)"
		return 1
	fi
	return $fail
}

# campaign_one SECONDS BIN: one target's long run; prints one TAP line.
campaign_one() {
	local secs=$1 bin=$2 t work art log start end saved
	t=$(basename "$bin")
	work=$FUZZ/work/$t
	mkdir -p "$work"
	[ -d "$FUZZ/corpus/$t" ] && cp -n "$FUZZ/corpus/$t"/* "$work/" 2>/dev/null
	art=$(mktemp -d)
	log=$FUZZ/work/$t.log
	start=$(date +%s)
	# shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
	"$bin" "${COMMON[@]}" -max_len="$(max_len "$t")" -max_total_time="$secs" \
		-artifact_prefix="$art/" ${FUZZ_ARGS:-} "$work" >"$log" 2>&1
	local rc=$?
	end=$(date +%s)
	saved=$(save_artifacts "$t" "$art")
	rm -rf "$art"
	if [ $rc -eq 0 ] && [ -z "$saved" ]; then
		echo "ok - fuzz $t: $((end - start)) s, $(stats "$log"), $(find "$work" -type f | wc -l) files in $work"
	elif [ $rc -eq 72 ] && [ -z "$saved" ]; then
		# libFuzzer's exit status when a signal (SIGINT, SIGTERM) stops it.
		echo "not ok - fuzz $t: interrupted after $((end - start)) s, $(stats "$log")"
		echo "#   log: $log"
		return 1
	else
		echo "not ok - fuzz $t: exit $rc after $((end - start)) s, $(stats "$log")"
		grep -E 'ERROR|fuzz check|runtime error|SUMMARY' "$log" | head -5 | sed 's/^/#   /'
		show_saved "$saved"
		echo "#   log: $log"
		return 1
	fi
}

campaign() {
	local secs=$1 bin fail=0 running=0
	shift
	[ $# -gt 0 ] || usage
	for bin in "$@"; do
		[ -x "$bin" ] || { echo "not ok - fuzz $(basename "$bin"): $bin not built"; fail=1; continue; }
		regress "$bin" "$(basename "$bin")" || fail=1
	done
	for bin in "$@"; do
		[ -x "$bin" ] || continue
		if [ "$JOBS" -le 1 ]; then
			campaign_one "$secs" "$bin" || fail=1
			continue
		fi
		campaign_one "$secs" "$bin" &
		running=$((running + 1))
		if [ "$running" -ge "$JOBS" ]; then
			wait -n || fail=1
			running=$((running - 1))
		fi
	done
	while [ "$running" -gt 0 ]; do
		wait -n || fail=1
		running=$((running - 1))
	done
	return $fail
}

[ $# -ge 1 ] || usage
case $1 in
smoke)
	[ $# -eq 1 ] || usage
	smoke
	;;
*[!0-9]* | '')
	usage
	;;
*)
	campaign "$@"
	;;
esac
