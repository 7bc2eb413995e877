#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Compares text and JSON output on the real fixtures with the reviewed golden files (diff -u).
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
. tests/cli/golden.sh

one() {
	local name=$1 fixture=$2
	shift 2
	local want=tests/cli/golden/$name.out
	if [ ! -f "$want" ]; then
		not_ok "golden $name: $want missing (make update-golden, then review)"
		return
	fi
	"$VQDUMP" --color=never --core "tests/fixtures/$fixture/core.elf" "$@" >"$T/got" 2>&1
	if diff -u "$want" "$T/got" >"$T/diff"; then
		ok "golden $name: vqdump $*"
	else
		not_ok "golden $name: vqdump $* differs"
		sed 's/^/# /' "$T/diff" | head -40
	fi
}
golden_each one
finish
