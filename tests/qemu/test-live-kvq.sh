#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System test: ring addresses read from Linux's own records (src/access/kvq.c: BTF + /proc/kcore; src/decode/kvqsearch.c: the search) against QEMU's QMP view.
#
# virtio-mmio version 2 cannot say where a queue's rings are (QueueDesc,
# QueueDriver and QueueDevice are write-only); kvq finds each queue's
# struct vring_virtqueue in kernel memory instead.  This test boots a
# microvm guest (TCG) with virtio-blk, -net, -rng, -serial+console and a
# -balloon whose driver is never loaded, runs a small probe program built
# from build/libvqdump.a inside it, and compares what the probe says for
# every queue of every device with x-query-virtio-queue-status (vring-desc,
# vring-avail, vring-used, vring-num), taken with the VM stopped just
# before and just after the probe ran (ring addresses do not move while a
# driver is bound; both snapshots must agree):
#   * a queue QEMU has rings for: the probe found it, all four values equal;
#   * a queue QEMU has no rings for (balloon: no driver): the probe found none;
#   * after `rmmod virtio_rng` (the device is reset, its vring_virtqueue
#     freed but still in RAM): the probe must not find it;
#   * after `insmod virtio_rng` again: found, at QEMU's new addresses.
# The same comparison runs on a version-1 (legacy) boot, where Linux lays
# the rings out differently (one PFN, 4096 alignment).
#
# microvm needs the TSC frequency on the command line under TCG
# (tsc_early_khz, see test-live-mmio.sh).
#
# Usage: tests/qemu/test-live-kvq.sh   (LIBVQDUMP=path overrides
#        ../../build/libvqdump.a; VQ_KEEP=DIR keeps consoles and snapshots)
# Output: "ok - ..." / "not ok - ..." lines, then "N passed, N failed";
# exit 1 if any check failed, 77 ("skipped: ...") without QEMU.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=live_lib.sh
. "$HERE/live_lib.sh"
START=$SECONDS
LIBVQDUMP=${LIBVQDUMP:-$ROOT/build/libvqdump.a}
CC=${CC:-cc}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}

if ! qemu_available; then
	echo "skipped: qemu-system-x86_64, busybox or python3 not installed"
	exit 77
fi
qemu_kernel >/dev/null || fatal "guest kernel (apt-get download of the Debian kernel package)"
qemu_tmpdir || fatal "mktemp -d"
TMP=$QEMU_TMP

# ---- the probe: every queue Linux has, as kvq.c finds it ------------------
cat >"$TMP/kvq_probe.c" <<'EOF'
/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test probe: every virtioN queue's rings as src/access/kvq.c reads them from Linux's records (the search: src/decode/kvqsearch.c). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "access/access.h"
#include "access/transport.h"
#include "access/kvq.h"
#include "decode/kvqsearch.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *tag = argc > 1 ? argv[1] : "probe";
	double t0 = now(), t1, t2 = 0, t3;
	struct vq_kvq_queue r;
	struct vq_kvq *k;
	struct vq_mem m;
	struct dirent *de;
	char err[512];
	DIR *dir;
	int first = 1;

	if (vq_mem_open(&m, &vq_mem_elf, VQ_KCORE_PATH)) {
		printf("KVQ-FAIL %s open %s\n", tag, m.err);
		return 1;
	}
	if (vq_kvq_open(&k, &m, NULL, NULL, err, sizeof(err))) {
		printf("KVQ-FAIL %s open %s\n", tag, err);
		return 1;
	}
	t1 = now();
	dir = opendir("/sys/bus/virtio/devices");
	while (dir && (de = readdir(dir))) {
		unsigned n, q;

		if (sscanf(de->d_name, "virtio%u", &n) != 1)
			continue;
		for (q = 0; q < VQ_QUEUES_MAX; q++) {
			int ret = vq_kvq_find(k, n, q, &r, err, sizeof(err));

			if (first) {
				t2 = now();
				first = 0;
			}
			if (ret == -ENOENT)
				continue;
			if (ret) {
				printf("KVQ-ERR %s virtio%u %u %d %s\n", tag, n, q, ret, err);
				continue;
			}
			printf("KVQ %s virtio%u %u desc=0x%llx avail=0x%llx used=0x%llx num=%u align=%u device=%u\n",
			       tag, n, q, (unsigned long long)r.layout.desc,
			       (unsigned long long)r.layout.avail, (unsigned long long)r.layout.used,
			       r.layout.size, r.layout.align, r.device_id);
		}
	}
	if (dir)
		closedir(dir);
	t3 = now();
	printf("KVQ-TIME %s open=%.3f search=%.3f total=%.3f\n", tag, t1 - t0,
	       first ? 0.0 : t2 - t1, t3 - t0);
	vq_kvq_close(k);
	vq_mem_close(&m);
	return 0;
}
EOF

# ---- the guest: a command loop on ttyS1 (live_lib.sh's protocol) ----------
cat >"$TMP/init.sh" <<'EOF'
#!/bin/sh
# Guest /init: load the drivers, then run the host's commands from ttyS1.
. /lib/vq-common.sh
vq_setup
vq_load_modules
sleep 2
# virtioN -> MMIO window (the platform parent's /proc/iomem range).
map() {
	for v in /sys/bus/virtio/devices/virtio*; do
		[ -e "$v" ] || continue
		p=$(basename "$(readlink -f "$v/..")")
		base=$(grep -F " : $p" /proc/iomem | head -n 1 | sed 's/^ *//; s/-.*//')
		echo "KVQ-MAP $1 ${v##*/} 0x$base $(cat "$v/device") driver=$(basename "$(readlink "$v/driver" 2>/dev/null)" 2>/dev/null)"
	done
}
exec 3<>/dev/ttyS1
stty -F /dev/ttyS1 raw -echo
echo "VQ-READY"
while read -r seq cmd args <&3; do
	case $cmd in
	probe)
		map "$args"
		/bin/kvq_probe "$args" 2>&1
		;;
	rmmod)
		rmmod "$args" && echo "KVQ-DID $seq" || echo "KVQ-FAIL $seq rmmod $args"
		;;
	insmod)
		# Module files keep the kernel's spelling (virtio-rng.ko).
		ko=/modules/$args.ko
		[ -e "$ko" ] || ko=$(echo "$ko" | tr _ -)
		insmod "$ko" && echo "KVQ-DID $seq" || echo "KVQ-FAIL $seq insmod $args"
		sleep 1
		;;
	quit)
		echo "VQ-ACK $seq"
		poweroff -f
		;;
	esac
	echo "VQ-ACK $seq"
done
EOF

if [ ! -e "$LIBVQDUMP" ]; then
	make -s -C "$ROOT" build/libvqdump.a >"$TMP/make.out" 2>&1 ||
		fatal "build libvqdump.a: $(tail -n 3 "$TMP/make.out")"
fi
# shellcheck disable=SC2046 # pkg-config prints a word list
if ! $CC -std=gnu11 -D_GNU_SOURCE -O2 -Wall -I"$ROOT/src" -o "$TMP/kvq_probe" "$TMP/kvq_probe.c" \
	"$LIBVQDUMP" $($PKG_CONFIG --libs libelf libpci json-c libkdumpfile 2>/dev/null || echo -lelf -lpci -ljson-c -lkdumpfile) \
	>"$TMP/cc.out" 2>&1; then
	fatal "build the probe against $LIBVQDUMP: $(head -n 5 "$TMP/cc.out")"
fi
ok "probe built against $(basename "$LIBVQDUMP")"
qemu_initramfs "$TMP/initrd.gz" "$TMP/init.sh" "virtio_mmio virtio_blk virtio_net virtio_console virtio_rng" \
	"bin:$TMP/kvq_probe=/bin/kvq_probe" || fatal "initramfs"
truncate -s 16M "$TMP/blk.img" || fatal "disk image"
KHZ=$(awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
LIVE_APPEND="tsc_early_khz=${KHZ:-2000000}"

# shellcheck disable=SC2054 # QEMU options are comma-separated
DEVICES=(
	-drive "file=$TMP/blk.img,format=raw,if=none,id=dblk"
	-device virtio-blk-device,drive=dblk,id=blk
	-netdev user,id=n0,restrict=on
	-device virtio-net-device,netdev=n0,id=net,mac=52:54:00:00:01:01
	-object rng-random,id=rng0,filename=/dev/urandom
	-device virtio-rng-device,rng=rng0,id=rng
	-chardev "file,id=con0,path=$TMP/hvc0.log"
	-device virtio-serial-device,id=ser,max_ports=4
	-device virtconsole,chardev=con0,bus=ser.0,id=con
	-device virtio-balloon-device,id=balloon
)

# kvq_mod NAME rmmod|insmod MODULE: one module change in the guest, checked.
kvq_mod() {
	live_cmd 30 "$2" "$3" || fatal "$1: $2 $3 (no answer)"
	if grep -aq "^KVQ-DID $LIVE_SEQ" "$QEMU_SERIAL"; then
		ok "$1: $2 $3 in the guest"
	else
		not_ok "$1: $2 $3 in the guest -- $(grep -a "^KVQ-FAIL $LIVE_SEQ\|^$2: " "$QEMU_SERIAL" | tail -n 2 | tr '\n' ' ')"
	fi
}

# kvq_round NAME TAG [ID=0|1 ...]: QEMU's view, the probe, QEMU's view;
# compare.  ID=0 / ID=1: QEMU must show device ID's queue 0 without / with
# rings (so a round about a removed or reloaded driver is not vacuous).
kvq_round() {
	local name=$1 tag=$2 a b
	a=$LIVE_DIR/$tag-before.json
	b=$LIVE_DIR/$tag-after.json
	live_snapshot "$a" || fatal "$name $tag: QMP snapshot before the probe"
	live_cmd 120 probe "$tag" || fatal "$name $tag: the probe runs in the guest"
	live_snapshot "$b" || fatal "$name $tag: QMP snapshot after the probe"
	shift 2
	live_fold < <(python3 - "$name $tag" "$tag" "$QEMU_SERIAL" "$a" "$b" "$@" <<'EOF'
import json, sys

label, tag, serial, fa, fb = sys.argv[1:6]
expect = dict(x.split("=", 1) for x in sys.argv[6:])
passed = failed = 0


def check(good, text, detail=""):
    global passed, failed
    if good:
        passed += 1
        print("ok - %s: %s" % (label, text))
    else:
        failed += 1
        print("not ok - %s: %s%s" % (label, text, " -- " + detail if detail else ""))
    return good


with open(fa) as f:
    snap_a = json.load(f)
with open(fb) as f:
    snap_b = json.load(f)
lines = open(serial, "rb").read().decode(errors="replace").replace("\r", "").split("\n")
vmap, found, errs, fails, times = {}, {}, [], [], None
for line in lines:
    w = line.split()
    if len(w) < 2 or w[1] != tag:
        continue
    if w[0] == "KVQ-MAP" and len(w) >= 5:
        vmap[int(w[3], 16)] = (w[2], w[5] if len(w) > 5 else "")
    elif w[0] == "KVQ" and len(w) >= 6:
        kv = dict(x.split("=", 1) for x in w[4:] if "=" in x)
        found[(w[2], int(w[3]))] = {k: int(v, 0) for k, v in kv.items()}
    elif w[0] == "KVQ-ERR":
        errs.append(line)
    elif w[0] == "KVQ-FAIL":
        fails.append(line)
    elif w[0] == "KVQ-TIME":
        times = dict(x.split("=", 1) for x in w[2:])
check(not fails, "probe opened /proc/kcore and the BTF", "; ".join(fails))
check(times is not None, "probe ran to the end")
check(not errs, "no lookup failed other than 'no such queue'", "; ".join(errs[:3]))
devs_b = {d["path"]: d for d in snap_b["devices"]}
for dev in snap_a["devices"]:
    if dev["id"] in expect:
        has = bool(dev["queues"] and dev["queues"][0]["status"].get("vring-desc"))
        check(has == (expect[dev["id"]] == "1"), "QEMU shows %s q0 %s rings (the round's premise)"
              % (dev["id"], "with" if expect[dev["id"]] == "1" else "without"))
seen = set()
for dev in snap_a["devices"]:
    base = dev["transport"].get("mmio_base")
    vname, drv = vmap.get(base, (None, ""))
    what = "%s (%s, %s)" % (dev["id"], dev["transport"].get("name"), vname)
    if not check(vname is not None, "%s: Linux has a virtioN for the window" % what):
        continue
    db = devs_b.get(dev["path"], dev)
    for i, qa in enumerate(dev["queues"]):
        sa = qa["status"]
        sb = db["queues"][i]["status"] if i < len(db["queues"]) else sa
        want = tuple(sa.get(k) for k in ("vring-desc", "vring-avail", "vring-used", "vring-num"))
        want_b = tuple(sb.get(k) for k in ("vring-desc", "vring-avail", "vring-used", "vring-num"))
        got = found.get((vname, i))
        seen.add((vname, i))
        w = "%s q%d" % (what, i)
        if want != want_b:
            print("# %s: QEMU's rings moved during the probe: %s -> %s" % (w, want, want_b))
        if not want[0]:
            check(got is None, "%s: no rings in QEMU, none found in Linux's records" % w,
                  "probe found %s" % got)
            continue
        if not check(got is not None, "%s: found in Linux's records" % w,
                     "QEMU has desc=0x%x (driver %s)" % (want[0], drv or "none")):
            continue
        g = (got.get("desc"), got.get("avail"), got.get("used"), got.get("num"))
        check(g == want or g == want_b,
              "%s: desc/avail/used/num = 0x%x/0x%x/0x%x/%d as QEMU's" % ((w,) + want),
              "got 0x%x/0x%x/0x%x/%d" % g)
extra = sorted(k for k in found if k not in seen)
check(not extra, "no queue found that QEMU does not have", "extra: %s" % extra)
if times:
    print("# %s: probe open %.3f s, search %.3f s, total %.3f s (TCG)"
          % (label, float(times["open"]), float(times["search"]), float(times["total"])))
    check(float(times["search"]) < 20, "first lookup (a search of RAM) in under 20 s (TCG)",
          "%s s" % times["search"])
print("%d passed, %d failed" % (passed, failed))
EOF
	)
}

kvq_boot() {
	local name=$1 legacy=$2 t0=$SECONDS
	echo "# === $name"
	live_boot "$name" "$TMP/initrd.gz" -M microvm -global "virtio-mmio.force-legacy=$legacy" \
		"${DEVICES[@]}"
	ok "$name: guest booted ($(live_elapsed "$t0") s)"
}

kvq_boot mmio2 false
kvq_round mmio2 loaded rng=1 balloon=0
kvq_mod mmio2 rmmod virtio_rng
kvq_round mmio2 rng-removed rng=0
kvq_mod mmio2 insmod virtio_rng
kvq_round mmio2 rng-again rng=1
live_shutdown

kvq_boot mmio1 true
kvq_round mmio1 loaded rng=1 balloon=0
live_shutdown

echo "# total: $(live_elapsed "$START") s"
finish
