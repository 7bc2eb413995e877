#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by test-golden.sh and update-golden.sh: runs each golden case on its fixture.
# golden_each FUNC: calls FUNC NAME FIXTURE ARGS... for every case.
golden_each() {
	local fn=$1 line fixture args n=0
	while IFS= read -r line; do
		case $line in '#'* | '') continue ;; esac
		fixture=${line%%|*}
		args=${line#*|}
		n=$((n + 1))
		# shellcheck disable=SC2086
		"$fn" "$(printf '%s-%02d' "$fixture" "$n")" "$fixture" $args
	done <tests/cli/golden-cases
}
