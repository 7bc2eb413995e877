#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The include graph of src/ has no upward edge (docs/architecture.md), and the check itself can fail.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh

# The real tree.
if python3 tests/cli/layers.py src >"$T/real" 2>&1; then
	ok "src/: every include points down the layers"
else
	not_ok "src/: includes against the layering:"
	sed 's/^/# /' "$T/real"
fi

# Self-tests on small trees: each breaks one rule and must be reported.
mk() { mkdir -p "$(dirname "$T/$1")"; printf '%s\n' "$2" >"$T/$1"; }
selftest() {
	local name=$1 want=$2
	if python3 tests/cli/layers.py "$T/$name" >"$T/$name.out" 2>&1; then
		not_ok "self-test $name: not reported"
	elif grep -q -- "$want" "$T/$name.out"; then
		ok "self-test $name: reported"
	else
		not_ok "self-test $name: wrong report: $(head -c 200 "$T/$name.out")"
	fi
}

mk up/model/device.h '/* model */'
mk up/access/transport.h '#include "../model/device.h"'
mk up/decode/diag.h '#include "../access/transport.h"'
selftest up 'points up (decode -> access)'

mk priv/model/device.h '/* model */'
mk priv/cli/cli.h '#include "../model/device.h"'
mk priv/cli/diagcli.h '#include "cli.h"'
mk priv/cli/cmd_watch.c '#include "diagcli.h"'
selftest priv 'private cli header'

mk typo/decode/ring.c '#include "../model/no-such.h"'
selftest typo 'names no file'

mk clean/model/device.h '/* model */'
mk clean/decode/ring.h '#include "../model/device.h"'
mk clean/cli/cli.h '#include "../decode/ring.h"'
if python3 tests/cli/layers.py "$T/clean" >"$T/clean.out" 2>&1; then
	ok "self-test clean: a tree that keeps the rules passes"
else
	not_ok "self-test clean: reported $(head -c 200 "$T/clean.out")"
fi

finish
