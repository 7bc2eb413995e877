#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Makefile honours CPPFLAGS and LDFLAGS on every compile and link line, includes the unit tests' dependency files, and `make clean` removes $(B).
# Works from `make -n` and a scratch build tree, so it builds nothing and
# leaves build/ alone.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh

if ! command -v make >/dev/null 2>&1; then
	echo "skipped: make not found"
	exit 77
fi

PROBE_CC=vqprobe-cc
PROBE_CPP=-DVQ_PROBE_X
PROBE_LD=-Wl,--vq-probe-ld
B=$T/tree

# dry NAME TARGETS...: `make -n` with the probe flags into $T/NAME, one
# command a line (backslash-newlines joined).
dry() {
	local name=$1
	shift
	make -n B="$B" CC="$PROBE_CC" CPPFLAGS="$PROBE_CPP" LDFLAGS="$PROBE_LD" "$@" \
		>"$T/$name.raw" 2>"$T/$name.err" || return
	sed -e ':a' -e '/\\$/N; s/\\\n[[:space:]]*/ /; ta' "$T/$name.raw" >"$T/$name"
}

# check_lines NAME WHAT: every line of $T/NAME.WHAT must hold the flag
# its kind needs: a compile (-c) CPPFLAGS, a compile-and-link both, a
# link LDFLAGS.
check_lines() {
	local name=$1 what=$2 line bad=0 n=0
	while IFS= read -r line; do
		n=$((n + 1))
		case " $line " in
		*" -c "*) case $line in *" $PROBE_CPP "*) ;; *) bad=$((bad + 1)) ;; esac ;;
		*" $PROBE_CPP "*" $PROBE_LD "* | *" $PROBE_LD "*" $PROBE_CPP "*) ;;
		*.c" "*) bad=$((bad + 1)) ;;
		*) case $line in *" $PROBE_LD "*) ;; *) bad=$((bad + 1)) ;; esac ;;
		esac
	done <"$T/$name.$what"
	if [ "$n" -eq 0 ]; then
		not_ok "$name: no $what lines in make -n output"
	elif [ "$bad" -ne 0 ]; then
		not_ok "$name: $bad of $n $what lines lack CPPFLAGS/LDFLAGS"
		grep -vE -- "$PROBE_CPP|$PROBE_LD" "$T/$name.$what" | head -5 | sed 's/^/# /'
	else
		ok "$name: all $n $what lines carry CPPFLAGS ($PROBE_CPP) and/or LDFLAGS ($PROBE_LD) as they need"
	fi
}

nsrc=$(ls src/model/*.c src/access/*.c src/decode/*.c src/driver/*.c src/cli/*.c 2>/dev/null | wc -l)
nunit=$(ls tests/unit/test_*.c | wc -l)

# Plain build: every object, the binary and every unit test.
if dry plain all unit; then
	grep "^$PROBE_CC " "$T/plain" >"$T/plain.cc"
	check_lines plain cc
	got=$(grep -c -- " -c " "$T/plain.cc")
	[ "$got" -eq "$nsrc" ] && ok "plain: $got compile lines, one per source file" ||
		not_ok "plain: $got compile lines, want $nsrc"
	got=$(grep -c " tests/unit/test_[a-z_]*\.c " "$T/plain.cc")
	[ "$got" -eq "$nunit" ] && ok "plain: $got unit test lines (CPPFLAGS and LDFLAGS in each)" ||
		not_ok "plain: $got unit test lines, want $nunit"
	grep -q -- "-o $B/vqdump .*" "$T/plain.cc" && ok "plain: the binary is linked in \$(B)" ||
		not_ok "plain: no link line for $B/vqdump"
else
	not_ok "make -n all unit failed: $(head -c 300 "$T/plain.err")"
fi

# Sanitizer build: CPPFLAGS passes through, the user's LDFLAGS stay.
if dry asan asan; then
	grep "^$PROBE_CC " "$T/asan" >"$T/asan.cc"
	check_lines asan cc
	if grep -q -- "-o $B/asan/vqdump " "$T/asan.cc" && ! grep -q -- "-o build/" "$T/asan.cc"; then
		ok "asan: the tree is \$(B)/asan"
	else
		not_ok "asan: the tree is not $B/asan"
	fi
else
	not_ok "make -n asan failed: $(head -c 300 "$T/asan.err")"
fi

# Fuzz targets (clang): CPPFLAGS and LDFLAGS too, in $(B)/fuzz.
fuzz=$(ls tests/fuzz/fuzz_*.c 2>/dev/null | head -n 1)
if [ -n "$fuzz" ]; then
	t=$(basename "$fuzz" .c)
	if dry fuzz "$B/fuzz/$t"; then
		grep "^clang " "$T/fuzz" >"$T/fuzz.cc"
		check_lines fuzz cc
	else
		not_ok "make -n $B/fuzz/$t failed: $(head -c 300 "$T/fuzz.err")"
	fi
fi

# The unit tests' dependency files are read: one naming a header that
# does not exist must stop make with that header's name.
mkdir -p "$B/tests"
echo "$B/tests/test_ring: tests/unit/VQ_PROBE_DEP.h" >"$B/tests/test_ring.d"
make -n B="$B" "$B/tests/test_ring" >"$T/dep" 2>&1
if grep -q "VQ_PROBE_DEP.h" "$T/dep"; then
	ok "unit test dependency file \$(B)/tests/test_ring.d is included"
else
	not_ok "\$(B)/tests/test_ring.d is not read: $(head -c 300 "$T/dep")"
fi
rm -f "$B/tests/test_ring.d"

# make clean B=...: removes that tree, with its asan and fuzz trees, and
# leaves the default tree (which the other tests may be using) alone.
mkdir -p "$B/asan/tests" "$B/fuzz" "$B/src"
touch "$B/vqdump" "$B/asan/vqdump" "$B/fuzz/fuzz_ring" "$B/src/x.o"
had_build=$([ -d build ] && echo 1)
if make clean B="$B" >"$T/clean" 2>&1 && [ ! -e "$B" ] && { [ -z "$had_build" ] || [ -d build ]; }; then
	ok "make clean B=DIR removes DIR (asan and fuzz trees included)"
else
	not_ok "make clean B=$B left $(find "$B" 2>/dev/null | head -5 | tr '\n' ' ')"
fi
if make -n clean 2>/dev/null | grep -qx "rm -rf build"; then
	ok "make clean without B removes build"
else
	not_ok "make -n clean: $(make -n clean 2>&1 | head -c 200)"
fi

finish
