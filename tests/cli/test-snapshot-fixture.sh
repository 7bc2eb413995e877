#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The shipped snapshot fixture (tests/fixtures/snap-pci) read with --core, checked against QEMU's view captured with it; snapshot errors.
#
# No QEMU needed.  list, status, ring --queue and -d SEL (JSON) run on
# snapshot.elf and go through tests/qemu/live_compare.py's checks against
# qmp-before.json and qmp.json, QEMU's own view (QMP, VM stopped) taken
# just before and just after the guest ran vqdump, and sysfs.txt, what
# Linux said about the devices: the same checks the live system test makes.
# Then the errors: damaged notes, a core without a note, options that do
# not apply to a snapshot.  (Regenerate with tests/fixtures/mksnapfixture.sh.)
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=lib.sh
. tests/cli/lib.sh
FIX=tests/fixtures/snap-pci
SNAP=$FIX/snapshot.elf

if ! command -v python3 >/dev/null 2>&1 || [ ! -x "$VQDUMP" ]; then
	echo "skipped: python3 or $VQDUMP missing"
	exit 77
fi

# Blocks as snapshot_guest.sh prints them, for live_compare.py.
block() { # block KEY ARGS...
	local key=$1 rc
	shift
	"$VQDUMP" --core "$SNAP" "$@" >"$T/o" 2>"$T/e"
	rc=$?
	{
		echo "VQ-OUT fix $key rc=$rc"
		cat "$T/o"
		echo "VQ-ERR"
		cat "$T/e"
		echo "VQ-END fix $key"
	} >>"$T/serial"
}
: >"$T/serial"
{
	echo "VQ-OUT fix sysfs rc=0"
	cat "$FIX/sysfs.txt"
	echo "VQ-ERR"
	echo "VQ-END fix sysfs"
} >>"$T/serial"
for spec in $(python3 tests/qemu/live_compare.py specs "$FIX/qmp-before.json" --load 1); do
	case $spec in
	list | status) block "$spec" "$spec" --json ;;
	ring:*)
		rest=${spec#ring:}
		block "$spec" -d "${rest%:*}" ring --queue "${rest##*:}" --json
		;;
	sel:*) block "$spec" -d "${spec#sel:}" status --json ;;
	esac
done
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) not_ok "${line#not ok - }" ;;
	[0-9]*" passed, "*) ;;
	*) echo "$line" ;;
	esac
done < <(python3 tests/qemu/live_compare.py compare --label "fixture snap-pci" --serial "$T/serial" \
	--tag fix --before "$FIX/qmp-before.json" --after "$FIX/qmp.json" 2>&1)

# Every read command answers (text), and the saved memory is readable.
for c in list status features config regs; do
	expect "fixture: $c (text)" 0 '.' out -- --core "$SNAP" "$c"
done
expect "fixture: scan finds the saved rings" 0 '"rings"' out -- --core "$SNAP" scan --json
# The snapshot saves each ring but not the padding before the used ring:
# scan and ring --at must still find every ring QEMU says was used
# (qmp.json: vring-desc/avail/used/num of each queue with an index moved;
# scan cannot see a ring whose indices are both 0).
python3 - "$FIX/qmp.json" >"$T/want" <<'EOF2'
import json, sys
for d in json.load(open(sys.argv[1]))["devices"]:
    for q in d["queues"]:
        s = q["status"]
        if s["used-idx"] or s["shadow-avail-idx"]:
            print(s["vring-desc"], s["vring-avail"], s["vring-used"], s["vring-num"])
EOF2
"$VQDUMP" --core "$SNAP" --json scan 2>"$T/err" | python3 -c '
import json, sys
for r in json.load(sys.stdin)["rings"]:
    print(r["desc"], r["avail"], r["used"], r["size"])' >"$T/got"
if [ -s "$T/want" ] && [ "$(sort "$T/want")" = "$(sort "$T/got")" ]; then
	ok "fixture: scan finds exactly the rings QEMU shows used (qmp.json)"
else
	not_ok "fixture: scan rings $(tr '\n' ';' <"$T/got") differ from qmp.json's $(tr '\n' ';' <"$T/want")"
fi
while read -r desc avail used num; do
	expect_json "fixture: ring --at $(printf 0x%x "$desc") finds its layout (qmp.json)" \
		"j['avail'] == $avail and j['used'] == $used" -- --core "$SNAP" --json ring --at "$desc" --size "$num"
done <"$T/want"
expect "fixture: -d with a PCI address that is not there" 3 "no virtio device '0000:00:1f.0'" -- --core "$SNAP" -d 0000:00:1f.0 status

# Errors.
cp "$SNAP" "$T/bad.elf"
python3 - "$T/bad.elf" <<'EOF'
import sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
i = d.find(b'"num_queues":')
j = d.find(b",", i)
# Same length: the note's size stays right, its content is wrong.
d[i:j] = (b'"num_queues":' + b"9" * (j - i - len(b'"num_queues":')))
open(p, "wb").write(d)
EOF
expect "damaged note: one line naming the device and the field" 3 'snapshot note: device 0: num_queues is 9 but 1 queues are described' -- --core "$T/bad.elf" status
cp "$SNAP" "$T/ver.elf"
python3 - "$T/ver.elf" <<'EOF'
import sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
# The note's own format version (1 or 2), whichever the fixture has.
k = b'"format":"vqdump-snapshot","version":'
i = d.find(k) + len(k)
d[i:i + 1] = b"7"
open(p, "wb").write(d)
EOF
expect "newer format version refused" 3 'format version 7; this vqdump reads version 1' -- --core "$T/ver.elf" list
cp "$SNAP" "$T/cut.elf"
python3 - "$T/cut.elf" <<'EOF'
import sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
i = d.find(b'{"format"')
d[i:i + 1] = b"["
open(p, "wb").write(d)
EOF
expect "note that is not JSON" 3 'snapshot note: not valid JSON' -- --core "$T/cut.elf" list
# Input bytes quoted in a message never reach the terminal raw: every byte of
# the error is printable ASCII (a hostile file must not write escape
# sequences or invalid UTF-8).
plain_err() { # plain_err NAME: $T/err is printable ASCII lines
	if python3 -c 'import sys; b = open(sys.argv[1], "rb").read(); sys.exit(0 if b and all(0x20 <= c <= 0x7e or c == 10 for c in b) else 1)' "$T/err"; then
		ok "$1: message is printable ASCII"
	else
		not_ok "$1: message holds raw bytes: $(od -c "$T/err" | head -3 | tr '\n' ' ')"
	fi
}
for val in 'mapp\xd5d' '\x1b[31md' '\\u001b' 'map\xe2\x80d'; do
	cp "$SNAP" "$T/esc.elf"
	python3 - "$T/esc.elf" "$val" <<'EOF2'
import sys
p, val = sys.argv[1], sys.argv[2].encode().decode("unicode_escape").encode("latin-1")
d = bytearray(open(p, "rb").read())
i = d.find(b'"access":"mapped"') + len(b'"access":"')
assert len(val) == 6 and i > 10
d[i:i + 6] = val  # same length: only the value is wrong
open(p, "wb").write(d)
EOF2
	expect "damaged note, access '$val': refused" 3 "access" -- --core "$T/esc.elf" status
	plain_err "damaged note, access '$val'"
done
expect "argument with terminal controls: refused" 2 'unexpected argument' -- --core "$SNAP" scan "$(printf 'x\033]0;owned\007\033[2J')"
plain_err "argument with terminal controls"
cp "$SNAP" "$T/nonote.elf"
python3 - "$T/nonote.elf" <<'EOF'
import sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
i = d.find(b"VQDUMP\0")
d[i:i + 1] = b"X"
open(p, "wb").write(d)
EOF
expect "a core without the note: registers not in it" 2 'live device registers.*a .vqdump snapshot. file holds them' -- --core "$T/nonote.elf" status
expect "a core without the note: its memory still reads" 0 '"rings"' out -- --core "$T/nonote.elf" scan --json
expect "--mmio with a snapshot" 2 'has its own list' -- --core "$SNAP" --mmio 0xfeb00000 list
expect "snapshot of a snapshot refused" 2 'taken of the live system' -- --core "$SNAP" snapshot -o "$T/x.elf"
expect "snapshot without -o" 2 'give the file to write with -o FILE' -- --core "$SNAP" snapshot
expect "snapshot --interval out of range" 2 '--interval takes milliseconds' -- snapshot -o "$T/x.elf" --interval 70000
expect "snapshot --help" 0 '--output' out -- snapshot --help

finish
