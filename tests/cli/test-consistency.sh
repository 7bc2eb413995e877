#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --help, `help CMD`, the man page and both completions name the same commands and options; help and misuse behave.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh

MAN=man/vqdump.1
BASHC=completions/vqdump.bash
ZSHC=completions/_vqdump

# --- what vqdump itself says ---------------------------------------------

# Commands: the Commands: section of --help, one name a line.
help_commands() {
    "$VQDUMP" --help | awk '/^Commands:/ { on = 1; next }
        on && /^[A-Za-z]/ { on = 0 }
        on && /^  [a-z]/ { print $1 }'
}

# The option tables, as --help and `help CMD` print them: one line an
# option, "  -X, --name ARG   what it does" or "      --name[=ARG]  ...";
# a description's further lines are indented past the names.
OPT_LINE='^(  -[A-Za-z], |      )--[a-z][a-z0-9-]*'

# table_options: the options of a help text's table, "--name" a line, sorted.
table_options() {
    grep -E -- "$OPT_LINE" | sed -E 's/^ +(-[A-Za-z], )?(--[a-z][a-z0-9-]*).*/\2/' | sort -u
}

# table_shorts: "--name -X" for each option of a help text's table with a
# short form.
table_shorts() {
    grep -E -- '^  -[A-Za-z], --' | sed -E 's/^  (-[A-Za-z]), (--[a-z][a-z0-9-]*).*/\2 \1/'
}

# undescribed: the option lines of a help text with no words after the
# option and its argument.
undescribed() {
    grep -E -- "$OPT_LINE" |
        grep -vE -- "${OPT_LINE}( [^ ]+|\[=[A-Z]+\])? {2,}[^ ]"
}

# Global options: the table of --help before Commands:.
help_global_options() {
    "$VQDUMP" --help | awk '/^Commands:/ { exit } { print }' | table_options
}

# Every long option a help text prints (for `help CMD`: that command's).
options_in() {
    grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

# --- what the man page and completion files say ---------------------------

# man_missing FILE OPT...: print each OPT that FILE does not mention as
# \-\-name (every hyphen escaped, as the page writes them).
man_missing() {
    local file=$1 opt esc
    shift
    for opt in "$@"; do
        esc=${opt//-/\\\\-}
        grep -qE -- "${esc}(\$|[^a-z0-9\\\\]|\\\\[^-])" "$file" || echo "$opt"
    done
}

# file_missing FILE OPT...: print each OPT that FILE does not mention as a
# whole word.
file_missing() {
    local file=$1 opt
    shift
    for opt in "$@"; do
        grep -qE -- "${opt}(\$|[^a-z0-9-])" "$file" || echo "$opt"
    done
}

# bash_offers BIN WORD...: what _vqdump offers for the words (the last one
# being completed), one a line, sorted.
bash_offers() {
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vqdump
        printf "%s\n" "${COMPREPLY[@]}"' bash "$BASHC" "$@" | sort -u
}

# zsh_tables BIN: the zsh completion's tables as "cmd opt..." lines and a
# "global opt..." line, as loaded for BIN (static when BIN cannot run).
zsh_tables() {
    zsh -fc 'source "$1"; _vqdump_load "$2"
        local c e; local -a f
        for c in ${_vqdump_cmds%%:*}; do
            print -rn -- "$c"
            for e in ${(s: :)_vqdump_copts[$c]}; do f=("${(@s:|:)e}"); print -rn -- " $f[2]"; done
            print
        done
        print -rn -- global
        for e in "${_vqdump_gopts[@]}"; do f=("${(@s:|:)e}"); print -rn -- " $f[2]"; done
        print' zsh "$ZSHC" "$1"
}

# sect NAME: the man page's .SH NAME section.
sect() { awk -v s="$1" '/^\.SH / { on = ($0 == ".SH " s) } on' "$MAN"; }

same_set() {
    [ "$(printf '%s\n' $1 | sort -u)" = "$(printf '%s\n' $2 | sort -u)" ]
}

# --- gather ---------------------------------------------------------------

if ! "$VQDUMP" --help >"$T/help" 2>"$T/help.err"; then
    not_ok "--help runs"
    finish
    exit 1
fi
cmds=$(help_commands)
gopts=$(help_global_options)
all_opts=$(options_in <"$T/help")
for c in $cmds; do
    "$VQDUMP" help "$c" >"$T/help-$c" 2>/dev/null
    all_opts=$(printf '%s\n' $all_opts $(options_in <"$T/help-$c") | sort -u)
done
if [ -n "$cmds" ] && [ -n "$gopts" ]; then
    ok "--help lists commands ($(echo $cmds)) and global options"
else
    not_ok "--help lists commands and global options: got '$cmds' / '$gopts'"
fi

# --- the option tables --------------------------------------------------------

# `COMMAND --help` and `help COMMAND` print the same table; every option
# in it, and in --help, has its line of description.
for c in $cmds; do
    "$VQDUMP" "$c" --help >"$T/help2-$c" 2>/dev/null
    cmp -s "$T/help-$c" "$T/help2-$c" && ok "'$c --help' and 'help $c' print the same" ||
        not_ok "'$c --help' and 'help $c' differ: $(diff "$T/help-$c" "$T/help2-$c" | head -3 | tr '\n' '|')"
    opts=$(table_options <"$T/help-$c")
    bare=$(undescribed <"$T/help-$c")
    if [ -n "$opts" ] && [ -z "$bare" ]; then
        ok "every option of '$c --help' has a description ($(echo $opts))"
    else
        not_ok "'$c --help': options without a description: '$(echo $bare)' (table: '$(echo $opts)')"
    fi
done
bare=$(awk '/^Commands:/ { exit } { print }' "$T/help" | undescribed)
[ -z "$bare" ] && ok "every global option of --help has a description" ||
    not_ok "--help: global options without a description: $bare"
# (the checks can fail)
bare=$(printf '      --at ADDR\n  -o, --output FILE   where\n      --json\n' | undescribed | table_options)
same_set "$bare" "--at --json" && ok "self-test: option lines without a description are caught" ||
    not_ok "self-test: undescribed options: '$(echo $bare)'"
got=$(printf '  -d, --device SEL     one\n                       --color alone means\n--queue N reads\n' | table_options)
[ "$got" = --device ] && ok "self-test: continuation and details lines are not options" ||
    not_ok "self-test: table_options read '$(echo $got)'"

# --- names agree ------------------------------------------------------------

missing=$(man_missing "$MAN" $all_opts)
[ -z "$missing" ] && ok "every long option is in $MAN" ||
    not_ok "options missing from $MAN: $(echo $missing)"
for f in "$BASHC" "$ZSHC"; do
    missing=$(file_missing "$f" $all_opts)
    [ -z "$missing" ] && ok "every long option is in $f" ||
        not_ok "options missing from $f: $(echo $missing)"
done
for c in $cmds; do
    grep -qE "^\.SS $c( |\$)" "$MAN" && ok "command $c has a section in $MAN" ||
        not_ok "command $c: no '.SS $c' in $MAN"
    grep -qE "^ *_vqdump_cmds='([^']* )?$c( [^']*)?'" "$BASHC" &&
        ok "command $c is in the static list of $BASHC" ||
        not_ok "command $c is not in the static list of $BASHC"
    grep -qE "^ *'$c:" "$ZSHC" && ok "command $c is in the static list of $ZSHC" ||
        not_ok "command $c is not in the static list of $ZSHC"
done

# The man page names exactly the options of the tables: each command's
# synopsis (its .SS up to the first paragraph) names its own options (the
# table's but -d, --json, -v, --color and --help), long or short, and no other; the
# .TP items of OPTIONS are the global options.
# man_synopsis FILE CMD: the options (long, or short as the page writes
# them) named in CMD's synopsis in FILE, one a line, sorted.
man_synopsis() {
    awk -v c="$2" '$0 ~ "^\\.SS "c"$" { on = 1; next } on && /^\.(PP|SS|SH|TP)/ { exit } on' "$1" |
        grep -oE -- '\\-(\\-[a-z]([a-z0-9]|\\-)*|[A-Za-z])' | sed 's/\\//g' | sort -u
}
# man_global_items FILE: the long options the top-level .TP items of
# OPTIONS in FILE describe.
man_global_items() {
    awk '/^\.SH / { on = ($0 == ".SH OPTIONS") } on' "$1" |
        awk '/^\.RS/ { nest++ } /^\.RE/ { nest-- } prev == ".TP" && !nest { print } { prev = $0 }' |
        grep -oE -- '\\-\\-[a-z]([a-z0-9]|\\-)*' | sed 's/\\//g' | sort -u
}
for c in $cmds; do
    own=$(table_options <"$T/help-$c" | grep -vxF -e --device -e --json -e --verbose -e --color -e --help)
    syn=$(man_synopsis "$MAN" "$c")
    # A short form in the synopsis stands for its long option.
    while read -r long short; do
        [ -n "$short" ] && syn=$(printf '%s\n' $syn | sed "s/^$short\$/$long/" | sort -u)
    done < <(table_shorts <"$T/help-$c")
    same_set "$syn" "$own" && ok "$MAN: the synopsis of $c names exactly its options ($(echo ${own:-none}))" ||
        not_ok "$MAN: synopsis of $c names '$(echo $syn)', its table has '$(echo $own)'"
done
got=$(man_global_items "$MAN")
same_set "$got" "$gopts" && ok "$MAN: OPTIONS describes exactly the global options" ||
    not_ok "$MAN: OPTIONS items '$(echo $got)', --help has '$(echo $gopts)'"
# (the checks can fail)
sed '/^\.SS scan$/,/^\.PP/ s/\\-\\-step/\\-\\-stride/' "$MAN" >"$T/man-syn.1"
got=$(man_synopsis "$T/man-syn.1" scan)
same_set "$got" "--max-size --min-size --stride" && ok "self-test: a synopsis naming another option is seen" ||
    not_ok "self-test: synopsis of scan in a changed page: '$(echo $got)'"
sed 's/^\\fB\\-\\-mmio\\fP //' "$MAN" >"$T/man-opt.1"
got=$(man_global_items "$T/man-opt.1")
same_set "$got" "$(printf '%s\n' $gopts | grep -vx -- --mmio)" && ok "self-test: OPTIONS without --mmio is seen" ||
    not_ok "self-test: OPTIONS items of a page without --mmio: '$(echo $got)'"

# Every short option --help and `help CMD` print is in the man page.
shorts=$(cat "$T/help" "$T"/help-* | grep -oE '^ +-[A-Za-z],' | tr -d ' ,' | sort -u)
missing=$(man_missing "$MAN" $shorts)
[ -n "$shorts" ] && [ -z "$missing" ] && ok "every short option ($(echo $shorts)) is in $MAN" ||
    not_ok "short options missing from $MAN: '$(echo $missing)' (of '$(echo $shorts)')"

# The sections style.md asks for, and the ones live access needs.
for sec in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "ACCESS METHODS" SAFETY OUTPUT FINDINGS \
    "EXIT STATUS" FILES EXAMPLES; do
    grep -qx "\.SH $sec" "$MAN" && ok "$MAN has a $sec section" || not_ok "$MAN has no '.SH $sec'"
done
# The shell's own command, the transports and the safety rules are described.
sect COMMANDS | grep -q '^\.BR device :' &&
    ok "the shell's 'device' command is described under COMMANDS" ||
    not_ok "the shell's 'device' command is not described under COMMANDS"
# The access methods and transports --help lists come from the registries
# (vq_mem_methods[], vq_transports[]): each needs its ACCESS METHODS entry.
awk '/^Access methods:/ { on = 1; next } on && /^  [a-z]/ { print $1; next } on && !/^ / { exit }' \
    "$T/help" >"$T/methods"
for t in pci mmio devmem core raw snapshot; do
    grep -qx "$t" "$T/methods" || not_ok "--help does not list the access method '$t'"
done
while read -r t; do
    sect "ACCESS METHODS" | grep -qx "\.B $t" && ok "ACCESS METHODS describes '$t' (as --help names it)" ||
        not_ok "ACCESS METHODS has no '.B $t' entry"
done <"$T/methods"
sect SAFETY | grep -q 'ISR' && sect SAFETY | grep -q 'queue_select' && sect SAFETY | grep -q 'QueueSel' &&
    ok "SAFETY names the selectors written and the ISR never read" ||
    not_ok "SAFETY does not name queue_select, QueueSel and the ISR"

# Every JSON field the commands print is named under OUTPUT (the decoded
# payload headers of ring's "request" and config's fields excepted).  A
# device's form is model/json.c's, less what only the snapshot note
# records (record_json and the "if (record)" blocks).
{
    cat src/cli/live.c src/cli/cmd_scan.c src/cli/cmd_mem.c
    awk '/^static struct json_object \*ring_json/,/^}/' src/cli/cmd_ring.c
    cat src/cli/ring_packed.c
    awk '/^static void record_json/ { skip = 1 } skip && /^}/ { skip = 0; next }
         /^\tif \(record\) \{/ { rec = 1 } rec && /^\t}/ { rec = 0; next }
         !skip && !rec' src/model/json.c | sed -E 's/\badd\(([a-z]+), "/json_object_object_add(\1, "/'
} | grep -oE 'json_object_object_add\([a-z]+, "[a-z_]+"' | sed -E 's/.*"(.*)"/\1/' | sort -u >"$T/keys"
grep -qx 'addr_source' "$T/keys" && grep -qx 'driver_features_not_offered' "$T/keys" &&
    ! grep -qx 'second_sample' "$T/keys" && ! grep -qx 'caps' "$T/keys" &&
    ok "the device's JSON keys are read from src/model/json.c, the note's own left out" ||
    not_ok "the JSON key scan of src/model/json.c no longer finds the device form"
sect OUTPUT >"$T/man-output"
missing=$(while read -r k; do grep -qE "(^|[^a-z_])${k}([^a-z_]|\$)" "$T/man-output" || echo "$k"; done <"$T/keys")
if [ "$(wc -l <"$T/keys")" -ge 40 ] && [ -z "$missing" ]; then
    ok "all $(wc -l <"$T/keys") JSON field names printed by src/cli are under OUTPUT"
else
    not_ok "JSON fields not under OUTPUT: '$(echo $missing)' ($(wc -l <"$T/keys") found in src/cli)"
fi

# Finding codes the decoder and the ring command can emit, each with its
# severity, are listed under FINDINGS.
awk '/vq_ring_finding\(&?v, "[A-Z_]+", VQ_SEV_[A-Z]+/ {
        match($0, /"[A-Z_]+"/); code = substr($0, RSTART + 1, RLENGTH - 2)
        match($0, /VQ_SEV_[A-Z]+/); sev = substr($0, RSTART + 7, RLENGTH - 7)
        print code, tolower(sev) }
     /->code = "[A-Z_]+"/ { match($0, /"[A-Z_]+"/); code = substr($0, RSTART + 1, RLENGTH - 2) }
     code != "" && /->severity = VQ_SEV_/ {
        match($0, /VQ_SEV_[A-Z]+/); print code, tolower(substr($0, RSTART + 7, RLENGTH - 7)); code = "" }' \
    src/decode/ring.c src/cli/*.c | sort -u >"$T/codes"
if [ -s "$T/codes" ]; then
    bad=$(while read -r code sev; do
        grep -qF ".BR $code \" ($sev)\"" "$MAN" || echo "$code($sev)"
    done <"$T/codes")
    [ -z "$bad" ] && ok "all $(wc -l <"$T/codes") finding codes are in FINDINGS with their severity" ||
        not_ok "finding codes missing from FINDINGS or with another severity: $(echo $bad)"
else
    not_ok "no finding codes found in src/ (did the call form change?)"
fi

ver=$("$VQDUMP" --version 2>/dev/null)
grep -qF "\"$ver\"" "$MAN" && ok "man page .TH names '$ver'" ||
    not_ok "man page .TH does not name '$ver': $(grep '^\.TH' "$MAN")"

# The completions' own tables, dynamic (read from vqdump) and static (the
# fallback), name exactly what --help and `help CMD` do.
for mode in dynamic static; do
    [ $mode = dynamic ] && bin=$VQDUMP || bin=$T/no-such-dir/vqdump
    got=$(bash_offers "$bin" "")
    same_set "$got" "$cmds" && ok "bash completion ($mode): commands" ||
        not_ok "bash completion ($mode): commands $(echo $got), want $(echo $cmds)"
    got=$(bash_offers "$bin" --)
    same_set "$got" "$gopts" && ok "bash completion ($mode): global options" ||
        not_ok "bash completion ($mode): global options $(echo $got), want $(echo $gopts)"
    for c in $cmds; do
        want=$(table_options <"$T/help-$c")
        got=$(bash_offers "$bin" "$c" --)
        same_set "$got" "$want" && ok "bash completion ($mode): options of $c" ||
            not_ok "bash completion ($mode): options of $c: $(echo $got), want $(echo $want)"
    done
    if command -v zsh >/dev/null; then
        zsh_tables "$bin" >"$T/zsh-$mode" 2>"$T/zsh-$mode.err"
        got=$(awk '$1 != "global" { print $1 }' "$T/zsh-$mode")
        same_set "$got" "$cmds" && ok "zsh completion ($mode): commands" ||
            not_ok "zsh completion ($mode): commands $(echo $got), want $(echo $cmds) $(head -c 200 "$T/zsh-$mode.err")"
        got=$(awk '$1 == "global" { $1 = ""; print }' "$T/zsh-$mode")
        same_set "$got" "$gopts" && ok "zsh completion ($mode): global options" ||
            not_ok "zsh completion ($mode): global options $(echo $got), want $(echo $gopts)"
        for c in $cmds; do
            want=$(table_options <"$T/help-$c")
            got=$(awk -v c="$c" '$1 == c { $1 = ""; print }' "$T/zsh-$mode")
            same_set "$got" "$want" && ok "zsh completion ($mode): options of $c" ||
                not_ok "zsh completion ($mode): options of $c: $(echo $got), want $(echo $want)"
        done
    fi
done
got=$(bash_offers "$VQDUMP" ring --type "")
# The names the program takes, from its own refusal of one it does not.
want=$("$VQDUMP" ring --type no-such-type 2>&1 | sed -n "s/.*--type takes one of \(.*\), not .*/\1/p" | tr -d ,)
[ -n "$want" ] && same_set "$got" "$want" && ok "bash completion: --type values are the program's ($want)" ||
    not_ok "bash completion: --type values: $(echo $got), the program takes: $want"
got=$(bash_offers "$VQDUMP" --color = "")
same_set "$got" "auto always never" && ok "bash completion: --color=WHEN values" ||
    not_ok "bash completion: --color= values: $(echo $got)"
mkdir -p "$T/files" && : >"$T/files/guest.elf"
got=$(bash_offers "$VQDUMP" --core "$T/files/gu")
[ "$got" = "$T/files/guest.elf" ] && ok "bash completion: file name after --core" ||
    not_ok "bash completion: file name after --core: '$got'"

# --- live device names and queue numbers -----------------------------------

# The completions ask vqdump itself (`list --json`, `status --json`).  A
# stand-in vqdump answers those from canned JSON, as json-c prints it, and
# logs how it was called; everything else goes to the real one.  No test
# here reads a live device of the machine running it.
FAKE=$T/fake
mkdir -p "$FAKE"
cat >"$FAKE/list.json" <<'JSON'
{
  "devices": [
    {
      "name": "0000:00:04.0",
      "transport": "pci",
      "device_id": 2,
      "type": "blk",
      "status": {
        "value": 15,
        "names": [
          "ACKNOWLEDGE",
          "DRIVER",
          "DRIVER_OK",
          "FEATURES_OK"
        ]
      },
      "driver": "virtio-pci",
      "virtio_driver": "virtio_blk",
      "virtio_name": "virtio3",
      "num_queues": 3
    },
    {
      "name": "mmio:0xfeb00000",
      "transport": "mmio",
      "device_id": 1,
      "type": "net",
      "status": {
        "value": 0,
        "names": [ ]
      },
      "driver": null,
      "virtio_driver": null,
      "virtio_name": null,
      "mmio_base": 4273995776,
      "mmio_version": 2,
      "num_queues": 2
    }
  ]
}
JSON
# fake_vqdump NAME MODE: a stand-in at $FAKE/NAME/vqdump; MODE ok (canned
# answers), fail (exit 3 with an error, as without root) or slow (hangs).
fake_vqdump() {
    mkdir -p "$FAKE/$1"
    cat >"$FAKE/$1/vqdump" <<FAKESCRIPT
#!/usr/bin/env bash
echo "\$*" >>"$FAKE/$1/calls"
live=
for a in "\$@"; do case \$a in list|status) live=\$a ;; help|--help|-h) live= ; break ;; esac; done
[ -z "\$live" ] && exec "$VQDUMP" "\$@"
case $2 in
fail) echo "vqdump: read config space of 0000:00:04.0: only the first 64 bytes are readable (run as root)" >&2; exit 3 ;;
slow) exec sleep 30 ;;
esac
if [ "\$live" = list ]; then cat "$FAKE/list.json"; exit 0; fi
# status: one device with -d, else both (as vqdump prints them).
case " \$* " in
*" -d "*) printf '{ "devices": [ { "name": "0000:00:04.0", "num_queues": 3 } ] }\n' ;;
*) printf '{ "devices": [ { "name": "0000:00:04.0", "num_queues": 3 }, { "name": "mmio:0xfeb00000", "num_queues": 2 } ] }\n' ;;
esac
FAKESCRIPT
    chmod +x "$FAKE/$1/vqdump"
    : >"$FAKE/$1/calls"
}
fake_vqdump ok ok
fake_vqdump fail fail
fake_vqdump slow slow
F=$FAKE/ok/vqdump

# want_offers NAME WANT WORD...: bash offers exactly WANT (a space-separated
# set; "" for nothing) for the words, and its completion prints nothing.
want_offers() {
    local name=$1 want=$2 got err
    shift 2
    got=$(bash_offers "$@" 2>"$T/compl.err")
    err=$(head -c 200 "$T/compl.err")
    if same_set "$got" "$want" && [ -z "$err" ]; then
        ok "bash completion: $name -> ${want:-nothing}"
    else
        not_ok "bash completion: $name -> '$(echo $got)', want '$want'${err:+; stderr: $err}"
    fi
}
want_offers "-d <TAB>: device names from 'list --json'" "0000:00:04.0 mmio:0xfeb00000" "$F" -d ""
want_offers "-d v<TAB>: virtio names" "virtio3" "$F" -d v
want_offers "--device <TAB> after the command" "0000:00:04.0 mmio:0xfeb00000" "$F" status --device ""
# bash splits words at ":" and "=" (COMP_WORDBREAKS) and replaces only
# what follows the last one: what is offered must be that part.
want_offers "-d 0000:00:0<TAB> (split at ':')" "04.0" "$F" -d 0000 : 00 : 0
want_offers "-d 0000:<TAB> (word ends with ':')" "00:04.0" "$F" -d 0000 :
want_offers "--device=mm<TAB>" "mmio:0xfeb00000" "$F" --device = mm
want_offers "--device=mmio:<TAB>" "0xfeb00000" "$F" --device = mmio :
want_offers "ring --queue <TAB> with -d: queue numbers" "0 1 2" "$F" -d 0000 : 00 : 04.0 ring --queue ""
want_offers "ring --queue <TAB>, -d after the command" "0 1 2" "$F" ring -d 0000 : 00 : 04.0 --queue ""
# Without -d ring --queue shows every device's queue N: the numbers of
# the device with the most (the stand-in's 3 and 2).
want_offers "ring --queue <TAB> without -d, two devices" "0 1 2" "$F" ring --queue ""
: >"$FAKE/ok/calls"
want_offers "--core FILE -d <TAB>: a memory image has no devices" "" "$F" --core "$T/files/guest.elf" -d ""
want_offers "--raw FILE@0 ring --queue <TAB>" "" "$F" --raw "$T/files/guest.elf@0" ring --queue ""
if grep -qE '(^| )(list|status) --json' "$FAKE/ok/calls"; then
    not_ok "with --core or --raw the completion still ran: $(grep -E -- '--json' "$FAKE/ok/calls" | head -2)"
else
    ok "with --core or --raw the completion does not run vqdump list/status"
fi
: >"$FAKE/ok/calls"
bash_offers "$F" --mmio 0xfeb00000 -d "" >/dev/null
grep -qx -- '--mmio 0xfeb00000 list --json' "$FAKE/ok/calls" &&
    ok "--mmio ADDR on the line is passed to 'vqdump list --json'" ||
    not_ok "--mmio on the line: vqdump was called as: $(grep list "$FAKE/ok/calls")"
want_offers "-d <TAB> when 'vqdump list' fails (not root)" "" "$FAKE/fail/vqdump" -d ""
want_offers "ring --queue <TAB> when 'vqdump status' fails" "" "$FAKE/fail/vqdump" -d 0 ring --queue ""
start=$SECONDS
want_offers "-d <TAB> when 'vqdump list' hangs" "" "$FAKE/slow/vqdump" -d ""
[ $((SECONDS - start)) -le 6 ] && ok "a hanging 'vqdump list' is given up within seconds" ||
    not_ok "completion waited $((SECONDS - start)) s for a hanging 'vqdump list'"
# The real vqdump on a memory image: nothing, silently.
want_offers "real vqdump, --core FILE -d <TAB>" "" "$VQDUMP" --core "$T/files/guest.elf" -d ""
want_offers "real vqdump, --core FILE ring --queue <TAB>" "" "$VQDUMP" --core "$T/files/guest.elf" ring --queue ""
# The shell's own "device" is not a command of the command line.
want_offers "de<TAB>: no 'device' command" "" "$VQDUMP" de
want_offers "list <TAB>: its options" "--device --json --verbose --color --help" "$VQDUMP" list ""
want_offers "mem 0 16 --j<TAB>: options after arguments" "--json" "$VQDUMP" mem 0 16 --j
want_offers "mem <TAB>: an argument, not options" "" "$VQDUMP" mem ""
want_offers "shell <TAB>: --stop-on-error and the common options" "--color --help --json --stop-on-error --verbose" "$VQDUMP" shell ""

# zsh, in a real terminal (its completion functions need the completion
# system): device names, queue numbers, nothing for a memory image.
if command -v zsh >/dev/null && command -v tmux >/dev/null; then
    SOCK=vqdump-consistency-$$
    # -L sockets live under $TMUX_TMPDIR: keep them in the temporary directory.
    export TMUX_TMPDIR=$T
    mkdir -p "$T/zdot" "$T/zfunc"
    cp "$ZSHC" "$T/zfunc/_vqdump"
    cat >"$T/zdot/.zshrc" <<ZSHRC
fpath=("$T/zfunc" \$fpath)
path=("$FAKE/ok" \$path)
autoload -Uz compinit && compinit -u -d "$T/zcompdump"
PS1='zsh%% '
ZSHRC
    trap 'tmux -L "$SOCK" kill-server 2>/dev/null; rm -rf "$T"' EXIT
    tmux -L "$SOCK" -f /dev/null new-session -d -x 150 -y 40 "env ZDOTDIR='$T/zdot' HOME='$T' zsh -i"
    # zpane PATTERN: poll the pane (up to 10 s) for PATTERN (grep -E).
    zpane() {
        local i
        for i in $(seq 100); do
            tmux -L "$SOCK" capture-pane -p >"$T/zpane" 2>/dev/null
            grep -qE -- "$1" "$T/zpane" && return 0
            sleep 0.1
        done
        return 1
    }
    zkeys() { tmux -L "$SOCK" send-keys "$@"; }
    zshow() { grep -v '^$' "$T/zpane" | tail -n 4 | tr '\n' '|'; }
    # zfresh: abandon the line and wait for a new, empty prompt below it.
    zfresh() {
        local i
        zkeys C-c
        for i in $(seq 100); do
            tmux -L "$SOCK" capture-pane -p >"$T/zpane" 2>/dev/null
            [ "$(grep -v '^$' "$T/zpane" | tail -n 1)" = "zsh%" ] && break
            sleep 0.1
        done
        zkeys C-l
        sleep 0.3
    }
    if zpane '^zsh%'; then
        zkeys 'vqdump -d ' Tab
        zpane 'mmio:0xfeb00000' && grep -q '0000:00:04.0' "$T/zpane" && grep -q virtio3 "$T/zpane" &&
            ok "zsh: vqdump -d <TAB> lists the device names" ||
            not_ok "zsh: vqdump -d <TAB>: $(zshow)"
        zfresh
        zkeys 'vqdump -d 0000:00:04.0 ring --queue ' Tab
        zpane '(^| )0 +1 +2( |$)' &&
            ok "zsh: -d DEV ring --queue <TAB> lists queue numbers 0 1 2" ||
            not_ok "zsh: ring --queue <TAB>: $(zshow)"
        zfresh
        : >"$FAKE/ok/calls"
        zkeys "vqdump --core $T/files/guest.elf -d " Tab
        sleep 1.5
        tmux -L "$SOCK" capture-pane -p >"$T/zpane"
        if ! grep -qE 'mmio:|0000:00|vqdump:' "$T/zpane" && ! grep -qE -- '--json' "$FAKE/ok/calls"; then
            ok "zsh: --core FILE -d <TAB> offers no device and runs nothing"
        else
            not_ok "zsh: --core FILE -d <TAB>: $(zshow)"
        fi
    else
        not_ok "zsh in tmux: no prompt: $(zshow)"
    fi
    tmux -L "$SOCK" kill-server 2>/dev/null
else
    ok "# SKIP zsh device completion: zsh or tmux is not installed (make deps)"
fi

# --- the checks above can fail ----------------------------------------------

victim=--recent
case " $(echo $all_opts) " in *" $victim "*) ;; *) victim=$(echo $all_opts | cut -d' ' -f1) ;; esac
grep -vF -- "${victim//-/\\-}" "$MAN" >"$T/man-cut.1"
missing=$(man_missing "$T/man-cut.1" $all_opts)
[ "$missing" = "$victim" ] && ok "self-test: a man page without $victim is caught" ||
    not_ok "self-test: man page without $victim: the check reported '$missing'"
sed -E "s/${victim}(\$|[^a-z0-9-])/\\1/g" "$BASHC" >"$T/cut.bash"
missing=$(file_missing "$T/cut.bash" $all_opts)
[ "$missing" = "$victim" ] && ok "self-test: a completion without $victim is caught" ||
    not_ok "self-test: completion without $victim: the check reported '$missing'"

# --- help and misuse behave -------------------------------------------------

# want_help NAME ARGS...: exit 0, text on stdout, nothing on stderr.
want_help() {
    local name=$1 rc
    shift
    "$VQDUMP" "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ $rc -eq 0 ] && [ -s "$T/out" ] && [ ! -s "$T/err" ]; then
        ok "$name: stdout, exit 0, empty stderr"
    else
        not_ok "$name: exit $rc, stdout $(wc -c <"$T/out") bytes, stderr '$(head -c 200 "$T/err")'"
    fi
}
want_help "--help" --help
want_help "-h" -h
for c in $cmds; do
    want_help "$c --help" "$c" --help
    want_help "help $c" help "$c"
done

# want_usage NAME ARGS...: exit 2, "Try 'vqdump" on stderr, nothing on stdout.
want_usage() {
    local name=$1 rc
    shift
    "$VQDUMP" "$@" >"$T/out" 2>"$T/err" </dev/null
    rc=$?
    if [ $rc -eq 2 ] && grep -q "Try 'vqdump" "$T/err" && [ ! -s "$T/out" ]; then
        ok "$name: exit 2, hint on stderr, empty stdout"
    else
        not_ok "$name: exit $rc, stderr '$(head -c 200 "$T/err")', stdout $(wc -c <"$T/out") bytes"
    fi
}
want_usage "bad global option" --no-such-option
want_usage "bad ring option" ring --no-such-option
for c in $cmds; do
    [ "$c" = ring ] || want_usage "bad $c option" "$c" --no-such-option
done
want_usage "no command" --core /dev/null
want_usage "unknown command" no-such-command
want_usage "no -j short option (it is --json)" -j --core /dev/null scan
want_usage "abbreviated global option" --js --core /dev/null scan
want_usage "abbreviated command option" --core /dev/null list --dev 0
want_usage "abbreviated ring option" --core /dev/null ring --que 0
want_usage "--color WHEN needs '='" --color always --core /dev/null scan
want_usage "bad --mmio address" --mmio nowhere list
# Options may follow a command's arguments.
"$VQDUMP" --core tests/fixtures/pci-modern/core.elf mem 0x29e9000 16 --json >"$T/out" 2>"$T/err"
rc=$?
python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); sys.exit(0 if j["len"] == 16 else 1)' \
    "$T/out" 2>/dev/null && [ $rc -eq 0 ] && ok "mem ADDR LEN --json: option after the arguments" ||
    not_ok "mem ADDR LEN --json: exit $rc, $(head -c 200 "$T/err")"
# A live command on a memory image is refused (never reaches a device).
for c in list status features config regs "ring --queue 0"; do
    "$VQDUMP" --core tests/fixtures/pci-modern/core.elf $c >"$T/out" 2>"$T/err" </dev/null
    rc=$?
    [ $rc -eq 2 ] && grep -q 'live device' "$T/err" && [ ! -s "$T/out" ] &&
        ok "'$c' on a memory image: exit 2, says it needs a live device" ||
        not_ok "'$c' on a memory image: exit $rc, '$(head -c 200 "$T/err")'"
done

"$VQDUMP" --version >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && grep -q '^vqdump ' "$T/out" && [ ! -s "$T/err" ] &&
    ok "--version: 'vqdump VERSION', exit 0" ||
    not_ok "--version: exit $rc, '$(head -c 100 "$T/out")'"

# Every option `help CMD` lists is one CMD accepts.  (The source does not
# exist: getting past option parsing is enough.)
for c in $cmds; do
    for o in $(table_options <"$T/help-$c"); do
        arg=()
        grep -qE -- "^ +(-[A-Za-z], )?$o [A-Z]" "$T/help-$c" && arg=(1)
        "$VQDUMP" --core "$T/no-such-core" "$c" "$o" "${arg[@]}" </dev/null >"$T/out" 2>"$T/err"
        if grep -qE "unknown (option|command)|unexpected argument" "$T/err"; then
            not_ok "'help $c' lists $o but '$c $o' says: $(head -n1 "$T/err")"
        else
            ok "'help $c' lists $o and $c accepts it"
        fi
    done
done

# --- the files themselves ---------------------------------------------------

if command -v man >/dev/null; then
    out=$(man --warnings -l "$MAN" 2>&1 >/dev/null)
    [ -z "$out" ] && ok "man --warnings: no warnings" ||
        not_ok "man --warnings: $(echo "$out" | head -5)"
else
    ok "# SKIP man --warnings: man is not installed (make deps)"
fi
if command -v groff >/dev/null; then
    out=$(groff -man -ww -z "$MAN" 2>&1)
    [ -z "$out" ] && ok "groff -man -ww: no warnings" ||
        not_ok "groff -man -ww: $(echo "$out" | head -5)"
fi
for f in "$MAN" "$BASHC" "$ZSHC"; do
    grep -q 'SPDX-License-Identifier: GPL-2.0-or-later' "$f" && ok "$f has an SPDX line" ||
        not_ok "$f has no SPDX line"
done
bash -n "$BASHC" && ok "bash -n $BASHC" || not_ok "bash -n $BASHC"
if command -v zsh >/dev/null; then
    zsh -n "$ZSHC" && ok "zsh -n $ZSHC" || not_ok "zsh -n $ZSHC"
    [ "$(head -n1 "$ZSHC")" = "#compdef vqdump" ] && ok "$ZSHC starts with #compdef vqdump" ||
        not_ok "$ZSHC does not start with #compdef vqdump"
fi

finish
