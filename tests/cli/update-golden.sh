#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerates tests/cli/golden/*.out and the exit statuses in golden-cases for a person to review (git diff) before committing.
set -eu
cd "$(dirname "$0")/../.."
VQDUMP=${VQDUMP:-build/vqdump}
. tests/cli/golden.sh
mkdir -p "$GOLDEN_DIR"
one() {
	local name=$1 fixture=$2 want_rc=$3 rc=0
	shift 3
	"$VQDUMP" --color=never --core "$(golden_image "$fixture")" "$@" >"$GOLDEN_DIR/$name.out" 2>&1 || rc=$?
	echo "wrote $GOLDEN_DIR/$name.out"
	if [ "$rc" -ne "$want_rc" ]; then
		# Only this case's line: its exit field, nothing else.
		sed -i "s/^$name|$fixture|$want_rc|/$name|$fixture|$rc|/" "$GOLDEN_CASES"
		echo "exit status of $name is now $rc (was $want_rc): updated $GOLDEN_CASES"
	fi
	grep -qx "## $name" "$GOLDEN_DIR/README.md" 2>/dev/null ||
		echo "add a '## $name' section to $GOLDEN_DIR/README.md: what was checked against QEMU or the spec"
}
golden_each one
echo "review with: git diff tests/cli/golden tests/cli/golden-cases"
