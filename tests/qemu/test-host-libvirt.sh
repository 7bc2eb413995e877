#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: vqdump --libvirt reads a libvirt domain (TCG) booted by the test under its own libvirt daemon, and agrees with QEMU asked through virsh.
#
# The test starts its own libvirtd in session mode, everything under its
# temporary directory (config, sockets, run, state and cache dirs through
# XDG_*; as root, the daemon runs as nobody, since a root libvirtd
# always uses the system's /etc, /run and /var directories), connected to
# with LIBVIRT_DEFAULT_URI=qemu:///session?socket=....  It creates a
# transient domain (virsh create): type qemu (TCG), 1 vCPU, direct kernel
# boot of the test kernel and the live tests' initramfs (live_guest.sh,
# virtio_blk loaded), a raw virtio-blk disk at 00:04.0, no balloon, no
# network.  Then, from the host as root, vqdump --libvirt DOMAIN list,
# status --json, ring -d DISK --queue 0 --json, diagnose, features,
# watch, snapshot (read back with --core), mem, scan and --pause status; host_compare.py asks QEMU itself through
# "virsh qemu-monitor-command" (x-query-virtio-*, query-pci, HMP xp) and
# compares.  The guest must run (query-status) before and after, and its
# clock (/proc/uptime, read by the guest) must advance.  Then the domain
# is destroyed, the daemon stopped and the directory removed.
#
# Usage: tests/qemu/test-host-libvirt.sh   (VQDUMP=path overrides ../../build/vqdump)
# Output: "ok - ..." lines, then "N passed, N failed"; exit 1 on failure,
# 77 without QEMU, libvirt (libvirtd, virsh) or vqdump.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=live_lib.sh
. "$HERE/live_lib.sh"

DOM=vqdump-test
DISK=0000:00:04.0
LV=
DAEMON_PID=
GUEST_PID=

if ! command -v virsh >/dev/null 2>&1 || ! command -v libvirtd >/dev/null 2>&1; then
	# libvirtd is in /usr/sbin, not on every user's PATH.
	if ! command -v virsh >/dev/null 2>&1 || [ ! -x /usr/sbin/libvirtd ]; then
		echo "skipped: libvirt not installed (libvirt-daemon, libvirt-daemon-driver-qemu, libvirt-clients)"
		exit 77
	fi
fi
LIBVIRTD=$(command -v libvirtd || echo /usr/sbin/libvirtd)

# Destroy the domain (and its QEMU, should libvirt not), stop the daemon.
lv_cleanup() {
	if [ -n "$DAEMON_PID" ]; then
		virsh destroy "$DOM" >/dev/null 2>&1
		[ -n "$GUEST_PID" ] && kill "$GUEST_PID" 2>/dev/null
		kill "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
		DAEMON_PID=
	fi
}

# vq NAME OUT ARGS...: vqdump --libvirt DOM ARGS > OUT, exit 0 wanted.
vq() {
	local name=$1 out=$2
	shift 2
	if "$VQDUMP" --libvirt "$DOM" "$@" >"$out" 2>"$out.err"; then
		ok "$name"
	else
		not_ok "$name: exit $? ($(head -c 300 "$out.err"))"
	fi
}

# qmp CMD [JSON-ARGS]: QEMU's "return", asked through virsh directly.
qmp() {
	local req="{\"execute\": \"$1\"${2:+, \"arguments\": $2}}"
	virsh qemu-monitor-command -- "$DOM" "$req" |
		python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["return"]))'
}

running() {
	qmp query-status | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["running"] else 1)'
}

# The guest's own clock: /proc/uptime read in the guest, printed on its console.
guest_uptime() {
	local tag=$1
	live_cmd 30 cmd "$tag" up cat /proc/uptime || return 1
	sed -n "/^VQ-OUT $tag up rc=0/{n;p}" "$QEMU_SERIAL" | tr -d '\r' | cut -d' ' -f1 | cut -d. -f1
}

# The daemon's own tree, readable by the user it runs as.
lv_setup() {
	local run_as=()
	LV=$TMP/lv
	mkdir -p "$LV"/config/libvirt "$LV"/run "$LV"/cache "$LV"/data "$LV"/home || return 1
	printf 'unix_sock_dir = "%s"\n' "$LV/run" >"$LV/config/libvirt/libvirtd.conf"
	# No virtlogd (the console goes to a file), no security driver.
	printf 'stdio_handler = "file"\nsecurity_driver = "none"\n' >"$LV/config/libvirt/qemu.conf"
	cp "$QEMU_VMLINUZ" "$LV/vmlinuz" && cp "$TMP/initrd.gz" "$LV/initrd.gz" || return 1
	truncate -s 16M "$LV/disk.img" || return 1
	: >"$LV/console.log"
	if [ "$(id -u)" = 0 ]; then
		chmod 711 "$TMP"
		chown -R nobody:nogroup "$LV" || return 1
		run_as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
		if ! "${run_as[@]}" test -w "$LV/run"; then
			echo "# $LV is not reachable by nobody: set TMPDIR to a directory every user may traverse"
			return 1
		fi
	fi
	"${run_as[@]}" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$LV/home" \
		XDG_CONFIG_HOME="$LV/config" XDG_RUNTIME_DIR="$LV/run" XDG_CACHE_HOME="$LV/cache" \
		XDG_DATA_HOME="$LV/data" "$LIBVIRTD" -f "$LV/config/libvirt/libvirtd.conf" \
		>"$LV/daemon.log" 2>&1 &
	DAEMON_PID=$!
	export LIBVIRT_DEFAULT_URI="qemu:///session?socket=$LV/run/libvirt-sock"
	local i
	for ((i = 0; i < 100; i++)); do
		virsh version >/dev/null 2>&1 && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

lv_domain_xml() {
	cat <<EOF
<domain type='qemu'>
  <name>$DOM</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$LV/vmlinuz</kernel>
    <initrd>$LV/initrd.gz</initrd>
    <cmdline>console=ttyS0 quiet panic=-1 ${LIVE_IOMEM}</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>$(command -v "$QEMU_BIN")</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$LV/disk.img'/>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/>
    </disk>
    <serial type='file'><source path='$LV/console.log'/><target port='0'/></serial>
    <serial type='unix'><source mode='bind' path='$LV/ctl.sock'/><target port='1'/></serial>
    <controller type='usb' model='none'/>
    <video><model type='none'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}

live_init
trap 'lv_cleanup; qemu_cleanup' EXIT
t0=$SECONDS
live_initramfs "$TMP/initrd.gz" 1 "virtio_blk" || fatal "initramfs"
lv_setup || fatal "own libvirt daemon starts: $(tail -n 5 "$LV/daemon.log" 2>/dev/null)"
ok "own libvirt daemon (session mode, all under the test's directory) answers"
lv_domain_xml >"$TMP/dom.xml"
virsh create "$TMP/dom.xml" >"$TMP/create.out" 2>&1 || fatal "virsh create: $(cat "$TMP/create.out")"
LIVE_DIR=$TMP/host-libvirt
mkdir -p "$LIVE_DIR"
QEMU_SERIAL=$LV/console.log
ln -s "$LV/ctl.sock" "$LIVE_DIR/ctl.sock"
qemu_wait_serial '^VQ-READY' 90 || fatal "guest boots to its command loop"
ok "domain $DOM booted ($(live_elapsed "$t0") s)"
D=$LIVE_DIR
sleep 2

if running; then ok "guest running before vqdump"; else not_ok "guest running before vqdump"; fi
t_up0=$SECONDS
up0=$(guest_uptime up0) || not_ok "guest clock read before"
vq "list --json" "$D/list.json" list --json
ts=$(date +%s%N)
vq "status --json" "$D/status.json" status --json
echo "# status --json took $((($(date +%s%N) - ts) / 1000000)) ms"
vq "ring -d $DISK --queue 0 --json" "$D/ring.json" -d "$DISK" ring --queue 0 --json
vq "features -d $DISK" "$D/features.txt" -d "$DISK" features
vq "diagnose -d $DISK (idle: exit 0)" "$D/diag.txt" -d "$DISK" diagnose
# QEMU's process, for the cleanup should libvirt not stop it.
GUEST_PID=$(grep -la "guest=$DOM" /proc/[0-9]*/cmdline 2>/dev/null | head -n 1 | cut -d/ -f3)
if python3 -c 'import json,sys; sys.exit(0 if [d["type"] for d in json.load(open(sys.argv[1]))["devices"] if d["name"] == sys.argv[2]] == ["blk"] else 1)' "$D/list.json" "$DISK"; then
	ok "list names the disk $DISK, type blk"
else
	not_ok "list names the disk $DISK: $(head -c 300 "$D/list.json")"
fi
live_fold < <(python3 "$HERE/host_compare.py" "libvirt:$DOM" "$D/list.json" "$D/status.json" \
	"$D/ring.json" "$DISK" 2>&1)
# watch, a host-side snapshot read back with --core, mem and scan: the
# idle disk's queue 0 as QEMU says through virsh (x-query-virtio-queue-status,
# HMP xp), nothing moving.
vq "watch --count 2 --json" "$D/watch.json" -d "$DISK" watch --count 2 --interval 200 --json
vq "snapshot -o FILE" "$D/snap.out" -d "$DISK" snapshot -o "$D/host.elf" --force
"$VQDUMP" --core "$D/host.elf" status --json >"$D/snap-status.json" 2>"$D/snap-status.err" ||
	not_ok "--core of the host-side snapshot: $(head -c 300 "$D/snap-status.err")"
desc=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["desc"])' "$D/ring.json")
vq "mem DESC 16 --json" "$D/mem.json" --json mem "$desc" 16
vq "scan --json" "$D/scan.json" --json scan
live_fold < <(python3 - "$HERE" "libvirt:$DOM" "$D" "$desc" 2>&1 <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
from qmp import connect
D, desc = sys.argv[3], int(sys.argv[4])
with connect(sys.argv[2]) as m:
    path = [v["path"] for v in m.cmd("x-query-virtio") if v["name"] == "virtio-blk"][0]
    w = m.cmd("x-query-virtio-queue-status", path=path, queue=0)
    text = m.cmd("human-monitor-command", {"command-line": "xp /4wx %#x" % desc})
want = {"source": "qmp", "last_avail_idx": w["last-avail-idx"], "shadow_avail_idx": w["shadow-avail-idx"],
        "used_idx": w["used-idx"], "signalled_used": w["signalled-used"], "inuse": w["inuse"]}
rows = [[r for r in json.loads(l)["queues"] if r["queue"] == 0][0] for l in open(D + "/watch.json")]
snap = json.load(open(D + "/snap-status.json"))["devices"][0]["queues"][0]
words = [int(x, 16) for x in text.split(":")[1].split()]
hexw = b"".join(x.to_bytes(4, "little") for x in words).hex()
checks = {
    "watch: 2 samples, each with QMP's device view and guest RAM's indices":
        len(rows) == 2 and all(r["device_view"] == want and r["avail_idx"] == w["last-avail-idx"] and
                               r["used_idx"] == w["used-idx"] for r in rows),
    "snapshot read back with --core: QMP's device view, ring at QMP's address":
        snap.get("device_view") == want and snap["desc"] == w["vring-desc"] and
        snap["avail_idx"] == w["last-avail-idx"] and snap["used_idx"] == w["used-idx"],
    "mem: the descriptor bytes QEMU's monitor shows (xp)": json.load(open(D + "/mem.json"))["hex"] == hexw,
    "scan of guest RAM finds queue 0 at QMP's address":
        w["vring-desc"] in [r["desc"] for r in json.load(open(D + "/scan.json"))["rings"]],
}
for k, v in checks.items():
    print(("ok - " if v else "not ok - ") + k)
if not all(checks.values()):
    print("# QMP", w, "# watch", rows, "# snapshot", snap.get("device_view"))
print("%d passed, %d failed" % (sum(checks.values()), len(checks) - sum(checks.values())))
PY
)
vq "--pause status --json" "$D/pause.json" --pause -d "$DISK" status --json
if grep -q "paused by vqdump" "$D/pause.json" && running; then
	ok "--pause: the view says paused by vqdump, the guest runs again afterwards"
else
	not_ok "--pause: $(head -c 300 "$D/pause.json")"
fi
if running; then ok "guest running after vqdump"; else not_ok "guest running after vqdump"; fi
sleep 2
up1=$(guest_uptime up1) || not_ok "guest clock read after"
if [ -n "${up0:-}" ] && [ -n "${up1:-}" ] && [ "$up1" -gt "$up0" ]; then
	ok "guest clock advanced: uptime $up0 s -> $up1 s over $((SECONDS - t_up0)) s of the host's"
else
	not_ok "guest clock did not advance: uptime ${up0:-?} -> ${up1:-?}"
fi
lv_cleanup
echo "# $(live_elapsed "$t0") s"
finish
