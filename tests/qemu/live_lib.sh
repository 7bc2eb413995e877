# SPDX-License-Identifier: GPL-2.0-or-later
# Host-side steps shared by the live tests: boot a guest with vqdump inside, drive it, snapshot QEMU, compare.
# shellcheck shell=bash
#
# Source after setting nothing; provides:
#   ok / not_ok / fatal / finish   TAP-style lines and the "N passed, N failed" end
#   live_init                      skip (77) without QEMU or vqdump; kernel; temp dir (TMP)
#   live_initramfs OUT LOAD "MODS" initramfs with live_guest.sh as /init and vqdump
#   live_boot NAME INITRD ARGS...  start QEMU (own dir $TMP/NAME) with a control
#                                  serial port, wait for the guest's VQ-READY
#   live_cmd SECS CMD...           send one command to the guest, wait for its ACK
#   live_round NAME TAG            snapshot, let the guest run vqdump, snapshot, compare
#   live_busy_host on|off          host-side load: balloon statistics, key presses
#   live_shutdown                  power the guest off, stop QEMU
#   live_elapsed START             seconds since START ($SECONDS value)

HERE=${HERE:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
# Hard limit on one QEMU run (lib.sh's default is 300 s); set before lib.sh reads it.
QEMU_TIMEOUT=${QEMU_TIMEOUT:-150}
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
VQDUMP=${VQDUMP:-$HERE/../../build/vqdump}
PASSED=0
FAILED=0
LIVE_SEQ=0
LIVE_DIR=

ok() {
	echo "ok - $*"
	PASSED=$((PASSED + 1))
}
not_ok() {
	echo "not ok - $*"
	FAILED=$((FAILED + 1))
}
finish() {
	live_keep
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ] && exit 0
	exit 1
}
# A setup step failed: report it, show the end of the guest console, stop.
fatal() {
	not_ok "$*"
	if [ -n "${QEMU_SERIAL:-}" ] && [ -s "$QEMU_SERIAL" ]; then
		echo "# guest console (last lines):"
		tail -n 25 "$QEMU_SERIAL" | tr -d '\r' | sed 's/^/#   /'
	fi
	if [ -n "$LIVE_DIR" ] && [ -s "$LIVE_DIR/qemu.out" ]; then
		echo "# QEMU said:"
		tail -n 5 "$LIVE_DIR/qemu.out" | sed 's/^/#   /'
	fi
	finish
}

# VQ_KEEP=DIR keeps every guest console and QMP snapshot.
live_keep() {
	if [ -n "${VQ_KEEP:-}" ] && [ -n "${TMP:-}" ] && [ -d "$TMP" ]; then
		mkdir -p "$VQ_KEEP" &&
			(cd "$TMP" && find . \( -name '*.json' -o -name '*.log' -o -name qemu.out \) -print0 |
				xargs -0 -r cp --parents -t "$VQ_KEEP") &&
			echo "# kept consoles and snapshots in $VQ_KEEP"
	fi
}

live_elapsed() {
	echo $((SECONDS - $1))
}

live_init() {
	if ! qemu_available; then
		echo "skipped: qemu-system-x86_64, busybox or python3 not installed"
		exit 77
	fi
	if [ ! -x "$VQDUMP" ]; then
		echo "skipped: vqdump binary not found at $VQDUMP (build it, or set VQDUMP)"
		exit 77
	fi
	VQDUMP=$(cd "$(dirname "$VQDUMP")" && pwd)/$(basename "$VQDUMP")
	qemu_kernel >/dev/null || fatal "guest kernel (apt-get download of the Debian kernel package)"
	qemu_tmpdir || fatal "mktemp -d"
	TMP=$QEMU_TMP
	# One copy for every guest of this run, checked to be a whole binary
	# (a rebuild running next to the test must not give guests different,
	# or half-written, programs).
	if ! cp "$VQDUMP" "$TMP/vqdump" || ! "$TMP/vqdump" --version >/dev/null 2>&1; then
		fatal "a working copy of $VQDUMP (is it being rebuilt?)"
	fi
	VQDUMP=$TMP/vqdump
	python3 "$HERE/live_compare.py" features-self-test >"$TMP/selftest.out" 2>&1
	case $(cat "$TMP/selftest.out") in
	"ok - "*) ok "$(sed 's/^ok - //' "$TMP/selftest.out")" ;;
	*) fatal "feature-name oracle: $(cat "$TMP/selftest.out")" ;;
	esac
}

# live_initramfs OUT LOAD "MODULES"
live_initramfs() {
	local out=$1 load=$2 mods=$3
	printf 'LOAD=%s\n' "$load" >"$TMP/vq-live.conf.$load"
	qemu_initramfs "$out" "$HERE/live_guest.sh" "$mods" \
		"bin:$VQDUMP=/bin/vqdump" "$TMP/vq-live.conf.$load=/etc/vq-live.conf"
}

# live_boot NAME INITRD ARGS... (kernel command line: LIVE_IOMEM, then
# LIVE_APPEND).  LIVE_IOMEM defaults to "iomem=relaxed", which lets /dev/mem
# map MMIO that a driver owns; LIVE_IOMEM= (empty) boots the stock command
# line a production kernel runs with (test-live-stock.sh).
LIVE_IOMEM=${LIVE_IOMEM-iomem=relaxed}
live_boot() {
	local name=$1 initrd=$2
	shift 2
	LIVE_DIR=$TMP/$name
	LIVE_SEQ=0
	mkdir -p "$LIVE_DIR"
	qemu_start "$LIVE_DIR" -smp 1 -m 256 \
		-kernel "$QEMU_VMLINUZ" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1 ${LIVE_IOMEM} ${LIVE_APPEND:-}" \
		-chardev "socket,id=vqctl,path=$LIVE_DIR/ctl.sock,server=on,wait=off" \
		-device isa-serial,chardev=vqctl \
		"$@" || fatal "$name: QEMU starts"
	qemu_wait_serial '^VQ-READY' 90 || fatal "$name: guest boots to its command loop"
}

# live_cmd SECS CMD ARGS...: one command, wait for the guest's acknowledgement.
live_cmd() {
	local secs=$1 try start rc
	shift
	for try in 1 2; do
		LIVE_SEQ=$((LIVE_SEQ + 1))
		start=$(stat -c %s "$QEMU_SERIAL" 2>/dev/null || echo 0)
		python3 "$HERE/live_qmp.py" send "$LIVE_DIR/ctl.sock" "$LIVE_SEQ $*" ||
			return 1
		live_wait_ack "$LIVE_SEQ" "$secs" "$start"
		rc=$?
		[ "$rc" -eq 2 ] || return "$rc"
		# Seen twice under heavy load on the microvm guest: the line
		# reached the guest's shell in pieces.  Nothing ran for it (the
		# pieces are not commands); send it once more.
		echo "# control line $LIVE_SEQ reached the guest garbled (VQ-BAD-COMMAND); sending it again"
	done
	return 1
}

# live_wait_ack SEQ SECS START: 0 when the guest acknowledged SEQ, 2 when it
# reported a garbled command after byte START of the console, 1 otherwise.
live_wait_ack() {
	local seq=$1 secs=$2 start=$3 i
	for ((i = 0; i < secs * 5; i++)); do
		if tail -c +"$((start + 1))" "$QEMU_SERIAL" 2>/dev/null | grep -aqE "^VQ-ACK ${seq}[[:space:]]*\$"; then
			return 0
		fi
		if tail -c +"$((start + 1))" "$QEMU_SERIAL" 2>/dev/null | grep -aq "^VQ-BAD-COMMAND"; then
			sleep 1
			return 2
		fi
		if [ -n "$QEMU_PID" ] && ! kill -0 "$QEMU_PID" 2>/dev/null; then
			qemu_log "live_cmd: QEMU is gone"
			return 1
		fi
		sleep 0.2
	done
	qemu_log "live_cmd: 'VQ-ACK $seq' not seen in ${secs} s"
	return 1
}

live_snapshot() {
	python3 "$HERE/live_qmp.py" snapshot "$QEMU_QMP" "$1"
}

# Fold live_compare.py's lines into ours; a comparison that ends without
# its summary line (a Python exception) is a failure, not silence.
live_fold() {
	local line done=0
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) not_ok "${line#not ok - }" ;;
		[0-9]*" passed, "[0-9]*" failed") done=1 ;;
		*) echo "$line" ;;
		esac
	done
	[ "$done" = 1 ] || not_ok "live_compare.py ended without its summary (see the traceback above)"
}

# live_round NAME TAG: QEMU's view before, vqdump in the guest, QEMU's view after.
live_round() {
	local name=$1 tag=$2 load=$3 a b specs t0=$SECONDS t1 t2
	a=$LIVE_DIR/$tag-before.json
	b=$LIVE_DIR/$tag-after.json
	live_snapshot "$a" || fatal "$name $tag: QMP snapshot before the round"
	specs=$(python3 "$HERE/live_compare.py" specs "$a" --load "$load") ||
		fatal "$name $tag: choose what to run"
	t1=$SECONDS
	live_cmd 120 run "$tag" "$specs" || fatal "$name $tag: guest runs vqdump"
	t2=$SECONDS
	live_snapshot "$b" || fatal "$name $tag: QMP snapshot after the round"
	echo "# $name $tag: $(($(wc -w <<<"$specs") - 1)) vqdump runs in the guest: $((t2 - t1)) s;" \
		"the two QMP snapshots: $((SECONDS - t2 + t1 - t0)) s"
	live_fold < <(python3 "$HERE/live_compare.py" compare --label "$name $tag" \
		--serial "$QEMU_SERIAL" --tag "$tag" --before "$a" --after "$b" 2>&1)
}

# Host-side load that needs QMP: balloon statistics every second, key presses.
live_busy_host() {
	local mode=$1 path id interval=0
	[ "$mode" = on ] && interval=1
	for path in $(python3 "$HERE/qmp.py" "$QEMU_QMP" x-query-virtio |
		python3 -c 'import json,sys; [print(d["path"]) for d in json.load(sys.stdin) if d["name"] == "virtio-balloon"]'); do
		id=${path#/machine/peripheral/}
		id=${id%/virtio-backend}
		python3 "$HERE/qmp.py" "$QEMU_QMP" qom-set \
			"{\"path\": \"/machine/peripheral/$id\", \"property\": \"guest-stats-polling-interval\", \"value\": $interval}" \
			>/dev/null 2>&1
	done
	if [ "$mode" = on ]; then
		local k
		for k in a b c; do
			python3 "$HERE/qmp.py" "$QEMU_QMP" input-send-event \
				"{\"events\": [{\"type\": \"key\", \"data\": {\"down\": true, \"key\": {\"type\": \"qcode\", \"data\": \"$k\"}}}, {\"type\": \"key\", \"data\": {\"down\": false, \"key\": {\"type\": \"qcode\", \"data\": \"$k\"}}}]}" \
				>/dev/null 2>&1
		done
	fi
}

live_shutdown() {
	LIVE_SEQ=$((LIVE_SEQ + 1))
	python3 "$HERE/live_qmp.py" send "$LIVE_DIR/ctl.sock" "$LIVE_SEQ quit" >/dev/null 2>&1
	local i
	for ((i = 0; i < 50; i++)); do
		kill -0 "$QEMU_PID" 2>/dev/null || break
		sleep 0.1
	done
	qemu_stop
}

# live_scenario NAME LOAD INITRD ARGS...: one boot; with LOAD=1 a busy round
# and a quiet round, with LOAD=0 one round.
live_scenario() {
	local name=$1 load=$2 initrd=$3 t0=$SECONDS
	shift 3
	echo "# === $name: $([ "$load" = 1 ] && echo "Linux drivers loaded" || echo "no driver loaded")"
	live_boot "$name" "$initrd" "$@"
	ok "$name: guest booted ($(live_elapsed "$t0") s)"
	if [ "$load" = 1 ]; then
		live_cmd 30 busy-start || fatal "$name: guest starts its I/O"
		live_busy_host on
		sleep 2
		live_round "$name" busy "$load"
		live_cmd 30 busy-stop || fatal "$name: guest stops its I/O"
		live_busy_host off
		sleep 1
		live_round "$name" quiet "$load"
	else
		live_round "$name" idle "$load"
	fi
	live_shutdown
	echo "# $name: $(live_elapsed "$t0") s"
}
