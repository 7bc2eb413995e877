#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The interactive shell in a real terminal (tmux): completion, a failing command returning to the prompt, history; and piped input.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh

if ! command -v tmux >/dev/null; then
    echo "skip: tmux is not installed (make deps)"
    exit 77
fi

FIX=$PWD/tests/fixtures/pci-modern/core.elf
SOCK=vqdump-shell-$$
cleanup() {
    tmux -L "$SOCK" kill-server 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
# -L sockets live under $TMUX_TMPDIR: keep them in the temporary directory
# (tmux leaves the socket file behind after kill-server).
export TMUX_TMPDIR=$T
mkdir -p "$T/home" "$T/state"

# One ring to decode, from the fixture itself (its addresses are not fixed).
ring_args=$("$VQDUMP" --core "$FIX" --json scan 2>/dev/null | python3 -c 'import json, sys
r = json.load(sys.stdin)["rings"][0]
print("--at %d,%d,%d --size %d" % (r["desc"], r["avail"], r["used"], r["size"]))' 2>/dev/null)

# pane: the whole pane, scrollback included, without trailing blanks
# (so the prompt "vqdump> " reads "vqdump>").
pane() {
    tmux -L "$SOCK" capture-pane -p -S - -J 2>/dev/null | sed 's/[[:space:]]*$//'
}
# wait_for PATTERN [SECONDS]: poll the pane until PATTERN (grep -E) is in it.
wait_for() {
    local pat=$1 secs=${2:-20} i
    for ((i = 0; i < secs * 10; i++)); do
        pane >"$T/pane"
        grep -qE -- "$pat" "$T/pane" && return 0
        sleep 0.1
    done
    return 1
}
# wait_prompt_last: poll until the last non-empty line is the bare prompt.
wait_prompt_last() {
    local i
    for ((i = 0; i < 200; i++)); do
        pane >"$T/pane"
        [ "$(grep -v '^[[:space:]]*$' "$T/pane" | tail -n 1)" = "vqdump>" ] && return 0
        sleep 0.1
    done
    return 1
}
keys() {
    tmux -L "$SOCK" send-keys "$@"
}
show() {
    grep -v '^[[:space:]]*$' "$T/pane" | tail -n "${1:-6}" | tr '\n' '|'
}

# The session's shell prints the exit status and stays, so that the end
# can be checked; the sanitizer build's leak check runs at that exit too.
tmux -L "$SOCK" -f /dev/null new-session -d -x 200 -y 50 \
    "env HOME='$T/home' XDG_STATE_HOME='$T/state' '$VQDUMP' --core '$FIX' shell; echo \"shell exit status \$?\"; sleep 600"

if wait_for '^vqdump>' 30; then
    ok "prompt 'vqdump> ' appears"
else
    not_ok "no prompt: $(show)"
    finish
    exit 1
fi

# Ctrl-C at the prompt cancels the line being typed, as in bash: the
# shell stays, the prompt comes back empty, the cancelled text is not run
# nor kept in the history.
keys 'mem 0 cancelled-line'
wait_for '^vqdump> mem 0 cancelled-line' 10
keys C-c
sleep 0.5
if wait_prompt_last && ! grep -q '^shell exit status' "$T/pane"; then
    ok "Ctrl-C at the prompt: the shell stays, the prompt comes back"
else
    not_ok "Ctrl-C at the prompt: $(show 4)"
fi
keys C-c
sleep 0.3
keys 'mem 0 16' Enter
wait_for '^0000000000000000 ' 20 && ok "after Ctrl-C a command runs" ||
    not_ok "after Ctrl-C: $(show 4)"
grep -q "cancelled-line" "$T/state/vqdump/history" 2>/dev/null &&
    not_ok "the cancelled line went into the history" ||
    ok "the cancelled line is not in the history"
# History is written line by line: a session that ends by a signal keeps it.
grep -qx 'mem 0 16' "$T/state/vqdump/history" 2>/dev/null &&
    ok "history saved as each line is entered" ||
    not_ok "history not saved after 'mem 0 16': $(cat "$T/state/vqdump/history" 2>&1 | head -3 | tr '\n' '|')"
wait_prompt_last
keys C-l

keys sc Tab
wait_for '^vqdump> scan' 10 && ok "sc<TAB> completes to 'scan'" ||
    not_ok "sc<TAB>: $(show 2)"
keys Enter
wait_for '^[0-9]+ rings? found' 120 && ok "scan runs: $(grep -E '^[0-9]+ rings? found' "$T/pane")" ||
    not_ok "scan: no 'rings found': $(show)"
grep -qE '^0x[0-9a-f]+ +0x[0-9a-f]+ +0x[0-9a-f]+ +[0-9]+' "$T/pane" && ok "scan lists rings" ||
    not_ok "scan lists no ring: $(show)"
wait_prompt_last && ok "prompt back after scan" || not_ok "no prompt after scan: $(show 2)"

keys 'ring --al' Tab
wait_for '^vqdump> ring --align' 10 && ok "ring --al<TAB> completes to '--align'" ||
    not_ok "ring --al<TAB>: $(show 2)"
keys C-u

keys 'ring --size 3 --at 0' Enter
wait_for 'vqdump: ring: .*power of two' 20 && ok "failing command prints its error" ||
    not_ok "ring --size 3: no error shown: $(show)"
wait_prompt_last && ok "failing command returns to the prompt" ||
    not_ok "no prompt after the failing command: $(show)"
# The hint points to the shell's own help, not to the command line's.
if grep -qx "Try 'help ring' for more information." "$T/pane" && ! grep -q "Try 'vqdump" "$T/pane"; then
    ok "a usage error in the shell says \"Try 'help ring'\", not \"Try 'vqdump ...\""
else
    not_ok "usage error hint in the shell: $(grep Try "$T/pane" | tail -n 2 | tr '\n' '|')"
fi

# 'help' lists what the shell takes: the commands and the shell's own
# words, not the command line's source options nor 'shell' itself.
keys help Enter
wait_for '^Shell commands:' 10
wait_prompt_last
awk '/^vqdump> help$/ { on = 1; next } on' "$T/pane" >"$T/help"
if grep -qE '^  ring +--queue' "$T/help" && grep -qE '^  device +\[SEL\]' "$T/help" &&
    grep -qxE '  quit' "$T/help" && grep -qxE '  exit' "$T/help" && grep -qE '^  help +\[COMMAND\]' "$T/help"; then
    ok "'help' lists the commands and the shell's device, help, quit and exit"
else
    not_ok "'help' in the shell: $(head -c 300 "$T/help" | tr '\n' '|')"
fi
if grep -qE -- '--core|--raw|--mmio|--color|--version' "$T/help" || grep -qE '^  shell( |$)' "$T/help"; then
    not_ok "'help' in the shell names the command line's source options or 'shell': $(grep -E -- '--core|--raw|--mmio|--color|--version|^  shell' "$T/help" | head -n 3 | tr '\n' '|')"
else
    ok "'help' in the shell does not list --core, --raw, --mmio, --color, --version or 'shell'"
fi
keys C-l

if [ -n "$ring_args" ]; then
    keys "ring $ring_args" Enter
    wait_for '^in flight: [0-9]+' 60 && ok "a command after the failing one works (ring $ring_args)" ||
        not_ok "ring after the failure: $(show)"
    wait_prompt_last || not_ok "no prompt after ring: $(show 2)"
else
    not_ok "could not take a ring from scan --json of $FIX"
fi

# The shell's own "device" command: completed like a command, shows and
# sets the device later commands use.
keys dev Tab
wait_for '^vqdump> device' 10 && ok "dev<TAB> completes to the shell's 'device'" ||
    not_ok "dev<TAB>: $(show 2)"
keys Enter
wait_for '^device: \(none' 10 && ok "'device' alone: no device chosen yet" ||
    not_ok "'device' alone: $(show 3)"
wait_prompt_last || not_ok "no prompt after 'device': $(show 2)"
keys 'device 0000:00:04.0' Enter
wait_for '^device: 0000:00:04\.0$' 10 && ok "'device 0000:00:04.0' sets it" ||
    not_ok "'device 0000:00:04.0': $(show 3)"
wait_prompt_last
keys device Enter
wait_for '^vqdump> device$' 10
sleep 0.3
pane >"$T/pane"
[ "$(grep -c '^device: 0000:00:04\.0$' "$T/pane")" -ge 2 ] && ok "'device' then shows 0000:00:04.0" ||
    not_ok "'device' after setting it: $(show 3)"
wait_prompt_last
keys 'device a b' Enter
wait_for 'vqdump: shell: device takes one selector' 10 && ok "'device a b': error, prompt back" ||
    not_ok "'device a b': $(show 3)"
wait_prompt_last || not_ok "no prompt after 'device a b': $(show 2)"
# A live command on a memory image fails and returns to the prompt.
keys 'status' Enter
wait_for 'vqdump: .*live device' 20 && ok "'status' on a core: error naming the need for a live device" ||
    not_ok "'status' on a core: $(show 3)"
wait_prompt_last || not_ok "no prompt after 'status' on a core: $(show 2)"

# Completion of device names and queue numbers on a core file: there are
# no devices, so nothing is offered, and nothing is printed into the
# prompt (no error, no warning).
# complete_nothing LINE: type LINE, TAB twice; the line must stay as typed
# and no line be added to the session.
complete_nothing() {
    local line=$1 before after
    pane >"$T/pane"
    before=$(grep -c . "$T/pane")
    keys "$line" Tab Tab
    wait_for "^vqdump> ${line% }\$" 10
    sleep 1
    pane >"$T/pane"
    after=$(grep -c . "$T/pane")
    # (the prompt line was counted before: typing on it adds no line)
    if [ "$(grep -v '^[[:space:]]*$' "$T/pane" | tail -n 1)" = "vqdump> ${line% }" ] &&
        [ "$after" -eq "$before" ]; then
        ok "'$line<TAB><TAB>' on a core: nothing offered, nothing printed"
    else
        not_ok "'$line<TAB><TAB>' on a core: $(show 3)"
    fi
    keys C-u
    sleep 0.2
}
errs_before=$(grep -c 'vqdump: ' "$T/pane")
complete_nothing 'status -d '
complete_nothing 'ring --device '
complete_nothing 'device '
complete_nothing 'ring --queue '
pane >"$T/pane"
[ "$(grep -c 'vqdump: ' "$T/pane")" -eq "$errs_before" ] && ok "device completion printed no error into the session" ||
    not_ok "device completion printed: $(grep 'vqdump: ' "$T/pane" | tail -n 2 | tr '\n' '|')"
keys 'status --' Tab Tab
wait_for '--device' 10 && grep -q -- '--json' "$T/pane" && ok "status --<TAB><TAB> lists --device and --json" ||
    not_ok "status --<TAB><TAB>: $(show 3)"
keys C-u
wait_prompt_last

keys quit Enter
if wait_for '^shell exit status [0-9]+' 30; then
    st=$(grep -oE '^shell exit status [0-9]+' "$T/pane" | grep -oE '[0-9]+$')
    [ "$st" = 0 ] && ok "quit leaves with status 0" || not_ok "quit: status $st: $(show 12)"
else
    not_ok "quit did not end the shell: $(show)"
fi
grep -qE 'Sanitizer|runtime error' "$T/pane" && not_ok "sanitizer report in the session: $(grep -m3 -E 'Sanitizer|runtime error' "$T/pane")"

H=$T/state/vqdump/history
# (completion leaves a blank after "scan")
if [ -s "$H" ] && grep -qE '^scan ?$' "$H" && grep -qx 'ring --size 3 --at 0' "$H"; then
    ok "history written to \$XDG_STATE_HOME/vqdump/history"
else
    not_ok "history file $H: $(cat "$H" 2>&1 | head -5 | tr '\n' '|')"
fi
[ ! -e "$T/home/.local/state/vqdump/history" ] && ok "no history under \$HOME when XDG_STATE_HOME is set" ||
    not_ok "history also written under \$HOME"
tmux -L "$SOCK" kill-server 2>/dev/null

# Not a terminal: no prompt, no history, commands run in order.
mkdir -p "$T/state2"
printf 'scan --json\nmem 0 16\n' |
    env HOME="$T/home" XDG_STATE_HOME="$T/state2" "$VQDUMP" --core "$FIX" shell >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && python3 -c 'import json, re, sys
text = open(sys.argv[1]).read()
end = text.index("\n}\n") + 3
rings = json.loads(text[:end])["rings"]
sys.exit(0 if rings and re.search(r"^0000000000000000 ", text[end:], re.M) else 1)' "$T/out"; then
    ok "piped: 'scan --json' then 'mem 0 16' both print, exit 0"
else
    not_ok "piped scan --json; mem 0 16: exit $rc, $(head -c 300 "$T/err")"
fi
grep -q 'vqdump>' "$T/out" && not_ok "piped: a prompt was printed" || ok "piped: no prompt"
[ -s "$T/err" ] && not_ok "piped: stderr: $(head -c 300 "$T/err")" || ok "piped: nothing on stderr"
[ ! -e "$T/state2/vqdump/history" ] && ok "piped: no history written" || not_ok "piped: history written"

# A script: a failing command names its line (comments and blank lines
# count), does not stop the next, and makes the exit status that of the
# last command that failed.
printf '# a script\n\nring --size 3 --at 0\nscan\n' | "$VQDUMP" --core "$FIX" shell >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 2 ] && grep -q '^vqdump: line 3: ring: .*power of two' "$T/err" &&
    grep -qE '^[0-9]+ rings? found' "$T/out"; then
    ok "piped: a failing command says 'line 3:', does not stop the next; exit 2 though the last succeeded"
else
    not_ok "piped failure then scan: exit $rc, err '$(head -c 200 "$T/err")'"
fi
printf 'mem 0 16\nmem 0x7fffffffffff0000 16\nring --size 3 --at 0\nmem 0 16\n' |
    "$VQDUMP" --core "$FIX" shell >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 2 ] && grep -q '^vqdump: line 2: ' "$T/err" && grep -q '^vqdump: line 3: ' "$T/err" &&
    [ "$(grep -c '^0000000000000000 ' "$T/out")" -eq 2 ]; then
    ok "piped: two failures (exit 3, then 2): both lines named, status the last failure's (2)"
else
    not_ok "piped two failures: exit $rc, err '$(head -c 300 "$T/err" | tr '\n' '|')'"
fi
printf 'mem 0 16\nmem 0x7fffffffffff0000 16\nmem 0 16\n' |
    "$VQDUMP" --core "$FIX" shell --stop-on-error >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 3 ] && [ "$(grep -c '^0000000000000000 ' "$T/out")" -eq 1 ] &&
    grep -q '^vqdump: line 2: stopped' "$T/err"; then
    ok "piped --stop-on-error: stops at line 2, exit 3 (its status), line 3 not run"
else
    not_ok "piped --stop-on-error: exit $rc, $(grep -c '^0000000000000000 ' "$T/out") dumps, err '$(head -c 300 "$T/err" | tr '\n' '|')'"
fi
printf 'mem 0 16\n' | "$VQDUMP" --core "$FIX" shell --stop-on-error >/dev/null 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && [ ! -s "$T/err" ] && ok "piped --stop-on-error, nothing fails: exit 0, quiet" ||
    not_ok "piped --stop-on-error with no failure: exit $rc $(head -c 200 "$T/err")"
printf 'mem 0 16\n' | "$VQDUMP" --core "$FIX" shell --no-such >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] && ok "shell --no-such: usage error, exit 2" || not_ok "shell --no-such: exit $rc"
printf 'scan\nring --size 3 --at 0\n' | "$VQDUMP" --core "$FIX" shell >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] && ok "piped: ending with a usage error exits 2" || not_ok "piped: ending with a usage error exits $rc"
printf 'ring --no-such-option\nno-such-command\nmem 0\n' | "$VQDUMP" --core "$FIX" shell >"$T/out" 2>"$T/err"
if [ "$(grep -c "^Try 'help" "$T/err")" -eq 3 ] && ! grep -q "Try 'vqdump" "$T/err" &&
    grep -qx "Try 'help ring' for more information." "$T/err" && grep -qx "Try 'help' for more information." "$T/err"; then
    ok "piped: usage errors point to 'help' and 'help COMMAND'"
else
    not_ok "piped: usage error hints: $(head -c 300 "$T/err" | tr '\n' '|')"
fi
printf 'help\n' | "$VQDUMP" --core "$FIX" shell >"$T/out" 2>"$T/err"
if grep -qE '^  device +\[SEL\]' "$T/out" && ! grep -qE -- '--core|--raw|--mmio|--color|--version' "$T/out" &&
    ! grep -qE '^  shell( |$)' "$T/out" && [ ! -s "$T/err" ]; then
    ok "piped: 'help' lists the shell's commands, without the source options"
else
    not_ok "piped: 'help': $(head -c 300 "$T/out" | tr '\n' '|') $(head -c 200 "$T/err")"
fi
printf 'ring --help\n' | "$VQDUMP" --core "$FIX" shell >"$T/out" 2>"$T/err"
grep -q '^Usage: ring ' "$T/out" && grep -qE '^      --queue N +[a-z]' "$T/out" &&
    ok "piped: 'ring --help' in the shell: usage without 'vqdump [SOURCE]', options described" ||
    not_ok "piped: 'ring --help': $(head -c 300 "$T/out" | tr '\n' '|')"

finish
