#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerates tests/cli/golden/*.out for a person to review (git diff) before committing.
set -eu
cd "$(dirname "$0")/../.."
VQDUMP=${VQDUMP:-build/vqdump}
. tests/cli/golden.sh
mkdir -p tests/cli/golden
one() {
	local name=$1 fixture=$2
	shift 2
	"$VQDUMP" --color=never --core "tests/fixtures/$fixture/core.elf" "$@" >"tests/cli/golden/$name.out" 2>&1 || true
	echo "wrote tests/cli/golden/$name.out"
}
golden_each one
echo "review with: git diff tests/cli/golden"
