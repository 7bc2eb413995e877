#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by test-golden.sh and update-golden.sh: runs each golden case on its fixture.
GOLDEN_CASES=tests/cli/golden-cases
# shellcheck disable=SC2034 # used by the scripts that source this one
GOLDEN_DIR=tests/cli/golden

# golden_each FUNC: calls FUNC NAME FIXTURE EXIT ARGS... for every case of
# golden-cases (NAME|FIXTURE|EXIT|ARGS); returns 1 after naming a line
# that is not of that form.
golden_each() {
	local fn=$1 line name fixture rc args bad=0
	while IFS= read -r line; do
		case $line in '#'* | '') continue ;; esac
		IFS='|' read -r name fixture rc args <<<"$line"
		if ! [[ $name =~ ^[a-z0-9][a-z0-9-]*$ && $fixture =~ ^[a-z0-9-]+$ && $rc =~ ^[0-9]+$ ]]; then
			echo "golden-cases: bad line (want NAME|FIXTURE|EXIT|ARGS): $line" >&2
			bad=1
			continue
		fi
		# shellcheck disable=SC2086
		"$fn" "$name" "$fixture" "$rc" $args
	done <"$GOLDEN_CASES"
	return $bad
}

# golden_image FIXTURE: the memory image of a fixture: its QEMU dump
# (core.elf), else its vqdump snapshot (snapshot.elf, which also records
# the devices' registers: status, regs...).
golden_image() {
	if [ -f "tests/fixtures/$1/core.elf" ]; then
		echo "tests/fixtures/$1/core.elf"
	else
		echo "tests/fixtures/$1/snapshot.elf"
	fi
}

# golden_names: every case's NAME, one a line.
golden_names() {
	grep -v -e '^#' -e '^$' "$GOLDEN_CASES" | cut -d'|' -f1
}
