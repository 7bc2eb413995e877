#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The structure of src/: no include points up the layers (docs/architecture.md), no function runs past 80 lines without saying why; each check can fail.
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

# Function length: over 80 lines only with a reason ("Long: ...") above.
if python3 tests/cli/funclen.py src >"$T/len" 2>&1; then
	ok "src/: no function over 80 lines without a reason above it"
else
	not_ok "src/: functions over 80 lines without a reason:"
	sed 's/^/# /' "$T/len"
fi
mkdir -p "$T/lentree/long" "$T/lentree/why"
{
	echo '/* Adds up. */'
	echo 'static int f(void)'
	echo '{'
	for i in $(seq 90); do echo "	x += $i;"; done
	echo '}'
} >"$T/lentree/long/a.c"
{
	echo '/* Adds up.  Long: one table of cases, clearer in one place. */'
	sed 1d "$T/lentree/long/a.c"
} >"$T/lentree/why/a.c"
if python3 tests/cli/funclen.py "$T/lentree/long" | grep -q 'f is 92 lines'; then
	ok "self-test funclen: a 92-line function is reported"
else
	not_ok "self-test funclen: a 92-line function is not reported"
fi
if python3 tests/cli/funclen.py "$T/lentree/why" >/dev/null; then
	ok "self-test funclen: the same function with a reason passes"
else
	not_ok "self-test funclen: a function with a reason is reported"
fi

finish
