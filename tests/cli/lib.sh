# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the command-line tests: run vqdump, check status and output, print ok/not ok.
VQDUMP=${VQDUMP:-build/vqdump}
case $VQDUMP in /*) ;; *) VQDUMP=$PWD/$VQDUMP ;; esac
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n_ok=0 n_fail=0

ok() { echo "ok - $*"; n_ok=$((n_ok + 1)); }
not_ok() { echo "not ok - $*"; n_fail=$((n_fail + 1)); }

# expect NAME RC PATTERN [STREAM] -- ARGS...: run vqdump ARGS, want exit RC and
# PATTERN (grep -E) in STREAM (err or out, default err).  Errors with RC 3
# must be exactly one line; no run may print a sanitizer report.
expect() {
	local name=$1 rc=$2 pat=$3 stream=err got lines
	shift 3
	if [ "$1" = out ] || [ "$1" = err ]; then stream=$1; shift; fi
	[ "$1" = -- ] && shift
	"$VQDUMP" "$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne "$rc" ]; then
		not_ok "$name: exit $got, want $rc ($(head -c 300 "$T/err"))"
		return
	fi
	if grep -qE 'Sanitizer|runtime error' "$T/err"; then
		not_ok "$name: sanitizer report"; sed 's/^/# /' "$T/err" | head -30
		return
	fi
	if ! grep -qE -- "$pat" "$T/$stream"; then
		not_ok "$name: /$pat/ not in std$stream: $(head -c 300 "$T/$stream")"
		return
	fi
	lines=$(wc -l <"$T/err")
	if [ "$rc" -eq 3 ] && [ "$lines" -ne 1 ]; then
		not_ok "$name: error is $lines lines, want one"
		return
	fi
	ok "$name"
}

# expect_json NAME PYEXPR -- ARGS...: run vqdump ARGS (exit 0 wanted), parse
# stdout as JSON into j, and want the Python expression PYEXPR true.
expect_json() {
	local name=$1 expr=$2 got
	shift 2
	[ "$1" = -- ] && shift
	"$VQDUMP" "$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne 0 ]; then
		not_ok "$name: exit $got ($(head -c 300 "$T/err"))"
		return
	fi
	if python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/out" "$expr"; then
		ok "$name"
	else
		not_ok "$name: $expr is false"
	fi
}

finish() {
	echo "$n_ok passed, $n_fail failed"
	[ "$n_fail" -eq 0 ]
}
