#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Compares text and JSON output and exit status on the real fixtures with the reviewed golden files (diff -u), and their QEMU-known values with qmp.json.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
. tests/cli/golden.sh

# relay CMD...: CMD's "ok"/"not ok" lines counted as ours, others shown.
relay() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) not_ok "${line#not ok - }" ;;
		*) echo "$line" ;;
		esac
	done < <("$@" 2>&1)
}

one() {
	local name=$1 fixture=$2 want_rc=$3 rc
	shift 3
	local want=$GOLDEN_DIR/$name.out
	if [ ! -f "$want" ]; then
		not_ok "golden $name: $want missing (make update-golden, then review)"
		return
	fi
	"$VQDUMP" --color=never --core "$(golden_image "$fixture")" "$@" >"$T/got" 2>&1
	rc=$?
	if [ "$rc" -eq "$want_rc" ]; then
		ok "golden $name: exit $rc"
	else
		not_ok "golden $name: vqdump $* exited $rc, want $want_rc"
	fi
	if diff -u "$want" "$T/got" >"$T/diff"; then
		ok "golden $name: vqdump $*"
	else
		not_ok "golden $name: vqdump $* differs"
		sed 's/^/# /' "$T/diff" | head -40
	fi
	# What the golden file says and QEMU also knows must be what QEMU said.
	if ! command -v python3 >/dev/null 2>&1; then
		not_ok "golden $name: python3 needed to check it against qmp.json"
	elif [ -f "tests/fixtures/$fixture/qmp.json" ] && [ -f "tests/fixtures/$fixture/core.elf" ]; then
		# (a snapshot fixture's qmp.json is live_compare.py's, checked by
		# test-snapshot-fixture.sh)
		relay python3 tests/cli/golden-qemu.py "$want" "tests/fixtures/$fixture" "$@"
	fi
	# Every golden file says which of its values were checked, and how.
	if grep -qx "## $name" "$GOLDEN_DIR/README.md"; then
		ok "golden $name: README.md says what was checked against QEMU or the spec"
	else
		not_ok "golden $name: no '## $name' section in $GOLDEN_DIR/README.md"
	fi
}
golden_each one || not_ok "golden-cases has malformed lines"

# Names are unique, every golden file belongs to a case, every README
# section to a golden file: nothing stale (an old numbered name) is left.
dups=$(golden_names | sort | uniq -d)
[ -z "$dups" ] && ok "golden case names are unique" || not_ok "golden case names used twice: $dups"
stale=
for f in "$GOLDEN_DIR"/*.out; do
	n=$(basename "$f" .out)
	golden_names | grep -qx "$n" || stale="$stale $f"
done
while IFS= read -r n; do
	golden_names | grep -qx "$n" || stale="$stale README.md#$n"
done < <(sed -n 's/^## //p' "$GOLDEN_DIR/README.md")
if [ -z "$stale" ]; then
	ok "every golden file and README.md section belongs to a case"
else
	not_ok "golden files or README.md sections with no case in $GOLDEN_CASES:$stale"
fi
finish
