#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every test level of `make check` and ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."

pass=0 fail=0 skip=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

# run_suite NAME CMD...: counts the "ok"/"not ok" lines CMD prints (TAP
# style, as cmocka's TAP output and our scripts write).  A suite that
# exits non-zero without any "not ok" line counts as one failure; one
# that exits 77 is skipped, and says so.
run_suite() {
	local name=$1 out rc p f t0=$SECONDS took
	shift
	out="$log/$(echo "$name" | tr -c 'A-Za-z0-9_-' _).log"
	"$@" >"$out" 2>&1
	rc=$?
	took="$((SECONDS - t0)) s"
	p=$(grep -cE '^ok ' "$out")
	f=$(grep -cE '^not ok ' "$out")
	if [ "$rc" -eq 77 ]; then
		echo "SKIP $name: $(grep -m1 -i 'skip' "$out")"
		skip=$((skip + 1))
		return
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited $rc" >>"$out"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	if [ "$f" -ne 0 ]; then
		echo "FAIL $name: $p passed, $f failed ($took)"
		grep -E '^not ok |ERROR|Sanitizer|runtime error' "$out" | head -40 | sed 's/^/    /'
		tail -n 15 "$out" | sed 's/^/    | /'
	else
		echo "PASS $name: $p passed ($took)"
	fi
}

export CMOCKA_MESSAGE_OUTPUT=TAP
# UBSan: report and fail on the first problem; ASan: no leak noise from
# readline/libelf internals would hide real errors, so keep leaks on.
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=abort_on_error=0:detect_leaks=1

for t in build/tests/test_*; do
	case $t in *.d) continue ;; esac
	run_suite "unit $(basename "$t")" "$t"
done
for t in build/asan/tests/test_*; do
	case $t in *.d) continue ;; esac
	run_suite "unit+asan $(basename "$t")" "$t"
done
for bin in build/vqdump build/asan/vqdump; do
	tag=$([ "$bin" = build/vqdump ] && echo plain || echo asan)
	for t in tests/cli/test-*.sh; do
		run_suite "cli($tag) $(basename "$t" .sh)" env VQDUMP="$bin" bash "$t"
	done
	run_suite "fixtures($tag)" env VQDUMP="$bin" bash tests/fixtures/check-fixtures.sh
done
if [ -x tests/fuzz/run.sh ] && ls build/fuzz/fuzz_* >/dev/null 2>&1; then
	run_suite "fuzz smoke + regression corpus" tests/fuzz/run.sh smoke
fi
if [ "${QEMU:-1}" = 0 ]; then
	echo "SKIP qemu system tests: QEMU=0 given"
	skip=$((skip + 1))
else
	for t in tests/qemu/test-*.sh; do
		[ -e "$t" ] || continue
		run_suite "qemu $(basename "$t" .sh)" env VQDUMP=build/vqdump bash "$t"
	done
fi

echo
if [ "$skip" -gt 0 ]; then
	echo "($skip suite(s) skipped, listed above as SKIP: not counted as passed)"
fi
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
