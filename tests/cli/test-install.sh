#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make install DESTDIR=... PREFIX=/usr` puts a working binary, man page and bash/zsh completions where their tools look.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh

FIX=tests/fixtures/pci-modern/core.elf
D=$T/root
SOCK=vqdump-install-$$
cleanup() {
    command -v tmux >/dev/null && tmux -L "$SOCK" kill-server 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
# -L sockets live under $TMUX_TMPDIR: keep them in the temporary directory
# (tmux leaves the socket file behind after kill-server).
export TMUX_TMPDIR=$T

# Install the build tree VQDUMP comes from (build, or build/asan) when it
# is up to date, so that the sanitizer run installs the sanitizer binary;
# otherwise the default tree, which `make install` brings up to date.
B=build
case $VQDUMP in
"$PWD"/*/vqdump)
    b=${VQDUMP#"$PWD"/}
    b=${b%/vqdump}
    make -q B="$b" all >/dev/null 2>&1 && B=$b
    ;;
esac

if make install DESTDIR="$D" PREFIX=/usr B="$B" >"$T/make.log" 2>&1; then
    ok "make install DESTDIR=... PREFIX=/usr (B=$B)"
else
    not_ok "make install failed: $(tail -n 5 "$T/make.log")"
    finish
    exit 1
fi

BIN=$D/usr/bin/vqdump
MANP=$D/usr/share/man/man1/vqdump.1
BC=$D/usr/share/bash-completion/completions/vqdump
ZC=$D/usr/share/zsh/site-functions/_vqdump
for pair in "$BIN:$B/vqdump" "$MANP:man/vqdump.1" "$BC:completions/vqdump.bash" "$ZC:completions/_vqdump"; do
    f=${pair%%:*}
    src=${pair#*:}
    if [ -f "$f" ] && cmp -s "$f" "$src"; then
        ok "installed ${f#"$D"} (same as $src)"
    else
        not_ok "${f#"$D"}: missing or not the same as $src"
    fi
done
[ -x "$BIN" ] && ok "installed binary is executable" || not_ok "installed binary is not executable"

# The installed binary runs on its own.
out=$("$BIN" --version 2>&1)
case $out in
"vqdump "*) ok "installed --version: $out" ;;
*) not_ok "installed --version: '$out'" ;;
esac
if "$BIN" --core "$FIX" scan --json >"$T/scan.json" 2>"$T/scan.err" &&
    python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["rings"]
sys.exit(0 if r and all(k in x for x in r for k in ("desc", "avail", "used", "size", "avail_idx", "used_idx", "confidence")) else 1)' "$T/scan.json"; then
    ok "installed binary: scan --json finds rings in $FIX"
else
    not_ok "installed binary: scan --json on $FIX: $(head -c 300 "$T/scan.err")"
fi

# The installed page formats, with a NAME section and no warnings.
if command -v man >/dev/null; then
    MANWIDTH=80 man -l "$MANP" >"$T/man.txt" 2>"$T/man.err"
    if grep -q '^NAME' "$T/man.txt" && grep -q 'vqdump.*inspect' "$T/man.txt" &&
        grep -q '^ACCESS METHODS' "$T/man.txt" && grep -q '^SAFETY' "$T/man.txt"; then
        ok "man -l on the installed page shows NAME, ACCESS METHODS and SAFETY"
    else
        not_ok "man -l on the installed page: $(head -c 300 "$T/man.err")"
    fi
    out=$(MANWIDTH=80 man --warnings -l "$MANP" 2>&1 >/dev/null)
    [ -z "$out" ] && ok "installed page: man --warnings silent" || not_ok "installed page: $out"
else
    ok "# SKIP man -l: man is not installed (make deps)"
fi

# The installed bash completion, with the installed vqdump on PATH.
# complete_bash WORD...: COMPREPLY for the words, the last being completed.
complete_bash() {
    PATH=$D/usr/bin:$PATH bash -c '. "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vqdump
        echo "${COMPREPLY[*]}"' bash "$BC" "$@"
}
got=$(complete_bash vqdump sc)
[ "$got" = scan ] && ok "bash: vqdump sc<TAB> -> scan" || not_ok "bash: vqdump sc<TAB> -> '$got'"
got=$(complete_bash vqdump ring --a)
if [[ " $got " == *" --at "* && " $got " == *" --align "* ]]; then
    ok "bash: vqdump ring --a<TAB> -> $got"
else
    not_ok "bash: vqdump ring --a<TAB> -> '$got', want --at and --align"
fi
got=$(complete_bash vqdump li)
[ "$got" = list ] && ok "bash: vqdump li<TAB> -> list" || not_ok "bash: vqdump li<TAB> -> '$got'"
got=$(complete_bash vqdump ring --q)
[ "$got" = --queue ] && ok "bash: vqdump ring --q<TAB> -> --queue" || not_ok "bash: vqdump ring --q<TAB> -> '$got'"
got=$(complete_bash vqdump --m)
[ "$got" = --mmio ] && ok "bash: vqdump --m<TAB> -> --mmio" || not_ok "bash: vqdump --m<TAB> -> '$got'"
# Device names come from the live system; a memory image has none, and
# asking must print nothing.
got=$(complete_bash vqdump --core "$FIX" -d "" 2>"$T/compl.err")
[ -z "$got" ] && [ ! -s "$T/compl.err" ] && ok "bash: vqdump --core FILE -d <TAB> offers nothing, quietly" ||
    not_ok "bash: vqdump --core FILE -d <TAB> -> '$got' $(head -c 200 "$T/compl.err")"
out=$(bash -c '. "$1"; complete -p vqdump' bash "$BC" 2>&1)
[ "$out" = "complete -F _vqdump vqdump" ] && ok "bash: registers 'complete -F _vqdump vqdump'" ||
    not_ok "bash: complete -p vqdump: '$out'"

# bash-completion finds it by itself under $PREFIX/share (XDG_DATA_DIRS).
if [ -r /usr/share/bash-completion/bash_completion ]; then
    out=$(XDG_DATA_DIRS=$D/usr/share bash -c '. /usr/share/bash-completion/bash_completion
        _completion_loader vqdump >/dev/null 2>&1 || __load_completion vqdump
        complete -p vqdump' 2>&1)
    case $out in
    *"-F _vqdump"*) ok "bash-completion loads the installed file on demand" ;;
    *) not_ok "bash-completion did not load the installed file: '$out'" ;;
    esac
else
    ok "# SKIP bash-completion loader: bash-completion is not installed (make deps)"
fi

# zsh's compinit picks up the installed function through #compdef, and
# completes with it in a real terminal.
if command -v zsh >/dev/null; then
    out=$(zsh -fc 'fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -d "$2"
        print -r -- $_comps[vqdump]' zsh "$D/usr/share/zsh/site-functions" "$T/zcompdump" 2>&1)
    [ "$out" = _vqdump ] && ok "zsh: compinit maps vqdump to _vqdump" ||
        not_ok "zsh: compinit: '$out'"
    if command -v tmux >/dev/null; then
        mkdir -p "$T/zdot"
        cat >"$T/zdot/.zshrc" <<EOF
fpath=("$D/usr/share/zsh/site-functions" \$fpath)
path=("$D/usr/bin" \$path)
autoload -Uz compinit && compinit -u -d "$T/zcompdump2"
PS1='zsh%% '
EOF
        tmux -L "$SOCK" -f /dev/null new-session -d -x 120 -y 30 \
            "env ZDOTDIR=$T/zdot HOME=$T zsh -i"
        # wait_pane PATTERN: poll the pane (up to 10 s) for PATTERN (grep -E).
        wait_pane() {
            local i
            for i in $(seq 100); do
                tmux -L "$SOCK" capture-pane -p >"$T/pane" 2>/dev/null
                grep -qE -- "$1" "$T/pane" && return 0
                sleep 0.1
            done
            return 1
        }
        # (capture-pane drops trailing blanks: the prompt is "zsh%")
        wait_pane '^zsh%' &&
            tmux -L "$SOCK" send-keys 'vqdump sc' Tab &&
            wait_pane '^zsh% vqdump scan' &&
            tmux -L "$SOCK" send-keys ' --m' Tab &&
            wait_pane 'scan --m.*size' &&
            tmux -L "$SOCK" send-keys Tab &&
            wait_pane '--max-size' && wait_pane '--min-size'
        if [ $? -eq 0 ]; then
            ok "zsh: vqdump sc<TAB> -> scan, scan --m<TAB><TAB> lists --max-size and --min-size"
        else
            not_ok "zsh completion in a terminal: $(grep -v '^$' "$T/pane" | tail -n 5)"
        fi
        tmux -L "$SOCK" kill-server 2>/dev/null
    fi
else
    ok "# SKIP zsh checks: zsh is not installed (make deps)"
fi

if make uninstall DESTDIR="$D" PREFIX=/usr >>"$T/make.log" 2>&1 &&
    [ ! -e "$BIN" ] && [ ! -e "$MANP" ] && [ ! -e "$BC" ] && [ ! -e "$ZC" ]; then
    ok "make uninstall removes the four files"
else
    not_ok "make uninstall: $(ls -R "$D/usr" 2>&1 | head -20)"
fi

finish
