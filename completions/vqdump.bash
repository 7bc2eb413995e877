# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for vqdump: global options, commands, each command's options and their values, live device names.

# Command and option names come from the vqdump being completed (its
# --help and `help COMMAND`), read once per binary, so that a new option
# needs no edit here.  The static lists in _vqdump_static are the
# fallback when that binary cannot be run; tests/cli/test-consistency.sh
# checks that they name everything --help does.  Device names and queue
# numbers come from the live system, asked of that vqdump on each TAB.

# Values for options whose arguments come from a fixed set.
_vqdump_types='blk net vsock console scsi fs 9p gpu input balloon rpmsg'
_vqdump_when='auto always never'
# Longest wait (seconds) for vqdump to list devices; slower means none.
_vqdump_timeout=2

# Fill the tables with the names this version is known to have.  Each
# command's list is what `vqdump help COMMAND` prints.
_vqdump_static() {
    _vqdump_cmds='list status features config regs ring diagnose watch snapshot blk scan mem shell help'
    _vqdump_gopts='--core --raw --qemu --libvirt --pause --mmio --device --json --verbose --color --help --version'
    # Global options that take their argument in the next word.
    _vqdump_gargs='--core -c --raw --qemu --libvirt --mmio --device -d'
    # Live commands take -d/--device; scan and mem read memory only.
    local c common='--json --verbose --color --help'
    for c in list status features config regs diagnose watch snapshot blk; do
        _vqdump_copts[$c]="--device $common"
        _vqdump_cargs[$c]='--device -d'
        _vqdump_cpos[$c]=''
    done
    _vqdump_copts[snapshot]="--output --interval --force --allow-partial --device $common"
    _vqdump_cargs[snapshot]='--output -o --interval --device -d'
    _vqdump_copts[mem]=$common
    _vqdump_cargs[mem]=''
    _vqdump_copts[blk]="--id --read --output --write --pattern --flush --discard --write-zeroes --negative --bench --depth --size --inject --packed --device $common"
    _vqdump_cargs[blk]='--read --output -o --write --pattern --discard --write-zeroes --bench --depth --size --inject --device -d'
    _vqdump_copts[ring]="--at --size --align --type --recent --queue --force --packed --device $common"
    _vqdump_cargs[ring]='--at --size --align --type --recent --queue --device -d'
    _vqdump_copts[scan]="--step --min-size --max-size $common"
    _vqdump_copts[diagnose]="--interval --device $common"
    _vqdump_cargs[diagnose]='--interval --device -d'
    _vqdump_copts[watch]="--interval --count --device $common"
    _vqdump_cargs[watch]='--interval --count --device -d'
    _vqdump_cargs[scan]='--step --min-size --max-size'
    # help takes no option but --help.
    _vqdump_copts[shell]="--stop-on-error $common"
    _vqdump_copts[help]='--help'
    _vqdump_cargs[shell]='' _vqdump_cargs[help]=''
    _vqdump_cpos[ring]='' _vqdump_cpos[scan]='' _vqdump_cpos[shell]=''
    _vqdump_cpos[mem]='ADDR LEN'
    _vqdump_cpos[help]='[COMMAND]'
}

# Read the tables from BIN's own help.  Returns 1 if BIN cannot say.
_vqdump_dynamic() {
    local bin=$1 line section=opts cmd name re_opt re_cmd cmds='' gopts='' gargs=''
    local out word prevw pos re_pos='^\[?[A-Z]' re_dash='^\[?-'
    local -a words
    # "  -c, --core FILE   ..." / "      --color[=WHEN]  ..." / "  --at ARG"
    # (a description's further lines are indented deeper).
    # Group 4 is " X" when an argument follows, "[=X" when it is optional.
    re_opt='^ {2,6}(-([A-Za-z0-9]), )?--([a-z][a-z0-9-]*)( [A-Z]|\[=[A-Z])?'
    # "  ring   --at ..." (a command line in the Commands: section)
    re_cmd='^  ([a-z][a-z0-9-]*)( |$)'

    out=$("$bin" --help 2>/dev/null </dev/null) || return 1
    while IFS= read -r line; do
        case $line in
        Commands:*) section=cmds; continue ;;
        [A-Za-z]*:*) [ "$section" = cmds ] && section=rest ;;
        esac
        if [ "$section" = cmds ]; then
            [[ $line =~ $re_cmd ]] && cmds+=" ${BASH_REMATCH[1]}"
        elif [ "$section" = opts ] && [[ $line =~ $re_opt ]]; then
            name=--${BASH_REMATCH[3]}
            # A continuation line may name an option again ("--color alone").
            [[ " $gopts " == *" $name "* ]] && continue
            gopts+=" $name"
            # "--core FILE" takes the next word; "--color[=WHEN]" does not.
            if [[ ${BASH_REMATCH[4]} == ' '* ]]; then
                gargs+=" $name"
                [ -n "${BASH_REMATCH[2]}" ] && gargs+=" -${BASH_REMATCH[2]}"
            fi
        fi
    done <<<"$out"
    [ -n "$cmds" ] || return 1

    _vqdump_cmds=${cmds# }
    _vqdump_gopts=${gopts# }
    _vqdump_gargs=${gargs# }
    _vqdump_copts=()
    _vqdump_cargs=()
    _vqdump_cpos=()
    for cmd in $_vqdump_cmds; do
        local copts='' cargs=''
        pos=''
        out=$("$bin" help "$cmd" 2>/dev/null </dev/null) || out=
        while IFS= read -r line; do
            if [[ $line == 'Usage: '* ]]; then
                # Positional arguments: upper-case words of the synopsis
                # after the command that are not an option's argument.
                prevw='' name=''
                read -ra words <<<"$line"
                for word in "${words[@]}"; do
                    if [ -n "$name" ] && [[ $word =~ $re_pos && ! $prevw =~ $re_dash ]]; then
                        pos+=" $word"
                    fi
                    [ "$word" = "$cmd" ] && name=$cmd
                    prevw=$word
                done
                continue
            fi
            [[ $line =~ $re_opt ]] || continue
            name=--${BASH_REMATCH[3]}
            [[ " $copts " == *" $name "* ]] && continue
            copts+=" $name"
            if [[ ${BASH_REMATCH[4]} == ' '* ]]; then
                cargs+=" $name"
                [ -n "${BASH_REMATCH[2]}" ] && cargs+=" -${BASH_REMATCH[2]}"
            fi
        done <<<"$out"
        _vqdump_copts[$cmd]=${copts# }
        _vqdump_cargs[$cmd]=${cargs# }
        _vqdump_cpos[$cmd]=${pos# }
    done
    return 0
}

# Make the tables describe BIN (cached until another binary is completed).
_vqdump_load() {
    local bin=$1 path
    path=$(type -P -- "$bin" 2>/dev/null)
    if [ -n "$path" ] && [ "${_vqdump_loaded_for-}" = "$path" ]; then
        return
    fi
    declare -gA _vqdump_copts=() _vqdump_cargs=() _vqdump_cpos=()
    declare -g _vqdump_cmds _vqdump_gopts _vqdump_gargs _vqdump_loaded_for
    if [ -n "$path" ] && _vqdump_dynamic "$path"; then
        _vqdump_loaded_for=$path
    else
        _vqdump_static
        _vqdump_loaded_for=
    fi
}

_vqdump_files() {
    if declare -F _filedir >/dev/null; then
        cur=$1 _filedir
    else
        compopt -o filenames 2>/dev/null
        local IFS=$'\n'
        COMPREPLY=($(compgen -f -- "$1"))
    fi
}

# Run BIN with the source options of the line being completed and ARGS,
# quietly and briefly; its standard output on success.
_vqdump_ask() {
    local bin=$1
    shift
    if command -v timeout >/dev/null; then
        timeout "$_vqdump_timeout" "$bin" "${_vqdump_src[@]}" "$@" 2>/dev/null </dev/null
    else
        "$bin" "${_vqdump_src[@]}" "$@" 2>/dev/null </dev/null
    fi
}

# Device names for -d/--device: the "name" of each device `vqdump list
# --json` reports (and its "virtio_name" once the word starts with v).
# Nothing when the line reads a memory image, or when vqdump cannot list
# the live devices quickly (no access to them, no devices, no vqdump).
_vqdump_devices() {
    local bin=$1 val=$2 out names
    COMPREPLY=()
    ((_vqdump_image)) && return
    out=$(_vqdump_ask "$bin" list --json) || return
    # The JSON is parsed with grep and sed: "name" is only ever a device's
    # name, and names hold no quotes.
    names=$(grep -oE '"name": *"[^"]*"' <<<"$out" | sed -E 's/.*: *"(.*)"/\1/')
    [[ $val == v* ]] &&
        names+=$'\n'$(grep -oE '"virtio_name": *"[^"]*"' <<<"$out" | sed -E 's/.*: *"(.*)"/\1/')
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$names" -- "$val"))
}

# Queue numbers for --queue: 0 to num_queues - 1 of the device -d names
# (without -d: of the device with the most, as ring --queue then shows
# every device's), as `vqdump status --json` reports it.
_vqdump_queues() {
    local bin=$1 val=$2 out n
    COMPREPLY=()
    ((_vqdump_image)) && return
    local -a sel=()
    [ -n "$_vqdump_dev" ] && sel=(-d "$_vqdump_dev")
    out=$(_vqdump_ask "$bin" "${sel[@]}" status --json) || return
    n=$(grep -oE '"num_queues": *[0-9]+' <<<"$out" | grep -oE '[0-9]+$' | sort -n | tail -1)
    [ -n "$n" ] && ((n > 0)) || return
    COMPREPLY=($(compgen -W "$(seq 0 $((n - 1)))" -- "$val"))
}

# libvirt's running domains (virsh list --name, a query) for --libvirt.
_vqdump_domains() {
    local names
    names=$(timeout "$_vqdump_timeout" virsh list --name 2>/dev/null </dev/null)
    COMPREPLY=($(compgen -W "$names" -- "$1"))
}

# Complete the value VAL of option OPT.
_vqdump_value() {
    local bin=$1 opt=$2 val=$3
    case $opt in
    -c | --core | --raw | --qemu) _vqdump_files "$val" ;;
    --libvirt) _vqdump_domains "$val" ;;
    --color) COMPREPLY=($(compgen -W "$_vqdump_when" -- "$val")) ;;
    --type) COMPREPLY=($(compgen -W "$_vqdump_types" -- "$val")) ;;
    -d | --device) _vqdump_devices "$bin" "$val" ;;
    --queue) _vqdump_queues "$bin" "$val" ;;
    -o | --output) _vqdump_files "$val" ;;
    --inject) COMPREPLY=($(compgen -W "loop next-range indirect-size" -- "$val")) ;;
    *) COMPREPLY=() ;;
    esac
}

# COMPREPLY holds whole words for WORD, but bash replaces only what
# follows the last word-break character (":" and "=" by default), which
# it put in RAW: drop the part before it.
_vqdump_trim() {
    local word=$1 raw=$2 prefix i
    case $raw in
    "$word") return ;;
    [:=]) prefix=$word ;;
    *) prefix=${word%"$raw"} ;;
    esac
    for i in "${!COMPREPLY[@]}"; do
        COMPREPLY[i]=${COMPREPLY[i]#"$prefix"}
    done
}

_vqdump() {
    local bin=${COMP_WORDS[0]} raw=${COMP_WORDS[COMP_CWORD]}
    local -a w=() _vqdump_src=()
    local i j=-1 glue=0 x v cur prev cmd='' k opts _vqdump_image=0 _vqdump_dev=''
    COMPREPLY=()
    bin=${bin/#\~/$HOME}
    _vqdump_load "$bin"

    # Put "--opt=value" and "0000:00:04.0" back together: "=" and ":"
    # are word breaks by default.
    for ((i = 0; i <= COMP_CWORD; i++)); do
        x=${COMP_WORDS[i]}
        if ((glue)); then
            w[j]+=$x
            glue=0
        elif [ "$x" = = ] && ((j >= 0)) && [[ ${w[j]} == -* && ${w[j]} != *=* ]]; then
            w[j]+==
            glue=1
        elif [ "$x" = : ] && ((j > 0)); then
            w[j]+=:
            glue=1
        else
            w[++j]=$x
        fi
    done
    cur=${w[j]}
    prev=
    ((j > 0)) && prev=${w[j - 1]}

    # The command is the first word that is not a global option or its
    # argument.  Note the source and device the line gives, for the
    # device names and queue numbers.
    for ((k = 1; k < j; k++)); do
        x=${w[k]} v=${w[k + 1]-}
        case $x in
        -c | --core | --raw | -c?* | --core=* | --raw=* | --qemu | --qemu=* | --libvirt | --libvirt=*) _vqdump_image=1 ;;
        --mmio) _vqdump_src+=(--mmio "$v") ;;
        --mmio=*) _vqdump_src+=("$x") ;;
        -d | --device) _vqdump_dev=$v ;;
        -d?*) _vqdump_dev=${x#-d} ;;
        --device=*) _vqdump_dev=${x#*=} ;;
        esac
        case $x in
        -*=*) ;;
        -*) [[ " $_vqdump_gargs " == *" $x "* ]] && ((k++)) ;;
        *) cmd=$x; break ;;
        esac
    done
    # Command options may come after its arguments: -d anywhere counts.
    for ((i = k + 1; i < j; i++)); do
        case ${w[i]} in
        -d | --device) ((i + 1 < j)) && _vqdump_dev=${w[i + 1]} ;;
        -d?*) _vqdump_dev=${w[i]#-d} ;;
        --device=*) _vqdump_dev=${w[i]#*=} ;;
        esac
    done

    # A value: "--opt=val", or the word after an option that takes one.
    if [[ $cur == -*=* ]]; then
        _vqdump_value "$bin" "${cur%%=*}" "${cur#*=}"
        for i in "${!COMPREPLY[@]}"; do
            COMPREPLY[i]=${cur%%=*}=${COMPREPLY[i]}
        done
        _vqdump_trim "$cur" "$raw"
        return
    fi
    if [ -z "$cmd" ] || ((k >= j)); then
        if [[ " $_vqdump_gargs " == *" $prev "* ]]; then
            _vqdump_value "$bin" "$prev" "$cur"
            _vqdump_trim "$cur" "$raw"
            return
        fi
    elif [[ " ${_vqdump_cargs[$cmd]-} " == *" $prev "* ]]; then
        _vqdump_value "$bin" "$prev" "$cur"
        _vqdump_trim "$cur" "$raw"
        return
    fi

    if [ -z "$cmd" ]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$_vqdump_gopts" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$_vqdump_cmds" -- "$cur"))
        fi
        return
    fi
    # help takes one command name.
    if [ "$cmd" = help ] && [[ $cur != -* ]]; then
        ((j == k + 1)) && COMPREPLY=($(compgen -W "$_vqdump_cmds" -- "$cur"))
        return
    fi
    opts=${_vqdump_copts[$cmd]-}
    # Commands without positional arguments get their options offered on
    # an empty word too; others (mem ADDR LEN) only after a dash.
    if [[ $cur == -* ]] || { [ -z "$cur" ] && [ -z "${_vqdump_cpos[$cmd]-}" ]; }; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    fi
}

complete -F _vqdump vqdump
