#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: `vqdump blk --bench` on a split and on a packed ring against Linux's virtio_blk on the same device in one QEMU guest, as ratios.
#
# usage: bench/blk.sh [SECONDS]   (default 10 per measurement; VQDUMP=path
#        overrides build/vqdump; BENCH_MEM=MiB guest memory, default 768)
#
# One PCI guest (TCG, one vCPU) with one modern virtio-blk-pci device
# offering packed rings (packed=on) on a 64 MiB image of random bytes
# (page-cached on the host):
#   1. no driver bound: vqdump -d DEV blk --bench S --depth 1, then --depth 32
#      (4 KiB random reads; latency = publish to used, per request), on a
#      split ring (RING_PACKED not accepted), then the same two with
#      --packed (queue 0 a packed ring); BENCH_PACKED=0 leaves the packed
#      runs (and packed=on) out
#   2. insmod virtio_blk; Linux's driver on the same device, 4 KiB random
#      reads with O_DIRECT at queue depth 1 and 32:
#        fio (io_uring engine, lat_percentiles) if the host has fio: it is
#        copied into the initramfs with the libraries ldd lists
#        (apt-get install fio; about 80 MiB of libraries, hence BENCH_MEM);
#        otherwise busybox dd iflag=direct: one dd reading 4 KiB blocks in
#        sequence for QD1 (its mean time per block is the latency: one
#        syscall per request, no percentile) and 32 such dd at once for
#        QD32 (BENCH_KTOOL=dd forces this).  The dd numbers understate
#        the kernel: prefer fio.
# Linux negotiates RING_PACKED when the device offers it: the line
# "Linux's ring" says which layout it took (bit 34 of the features it
# wrote, from sysfs).
# Prints the numbers and ratios, each "higher is better for vqdump":
# IOPS vqdump/kernel at QD32, p50 latency kernel/vqdump at QD1, for the
# split and the packed runs, and packed against split (IOPS packed/split,
# p50 latency split/packed) at both depths.
# The latencies are not taken at the same points: vqdump's run from
# publishing a request to seeing it in the used ring (it polls); fio's
# from submission to completion as fio sees them (system call and
# interrupt included).  So the QD1 IOPS ratio, end to end on both sides,
# is printed as well.
# Target: both >= 1.  TCG timings are slow and noisy and a second core
# may be busy with other work: compare ratios from one run, not absolute
# numbers across runs.  Not a test: it never fails on the ratios, and
# `make check` does not run it.
set -u -o pipefail
cd "$(dirname "$0")/.." || exit 2
SECS=${1:-${BENCH_SECS:-10}}
HERE=$PWD/tests/qemu
VQDUMP=${VQDUMP:-$PWD/build/vqdump}
# Read by lib.sh: a hard limit on the QEMU run.
export QEMU_TIMEOUT=$((SECS * 6 + 240))
[ -x "$VQDUMP" ] || make -s all || exit 2
# shellcheck source=tests/qemu/blk_lib.sh
. "$HERE/blk_lib.sh"

blk_init VQBLK-BENCH ""
BLK_OUT=
extra=()
if [ "${BENCH_KTOOL:-fio}" = fio ] && command -v fio >/dev/null 2>&1; then
	KTOOL=fio
	extra=("bin:$(command -v fio)=/bin/fio")
else
	KTOOL="dd"
	echo "# bench: fio not installed on the host (apt-get install fio): measuring Linux with dd"
fi
qemu_initramfs "$TMP/initrd.gz" "$HERE/blk_guest.sh" "virtio_blk" \
	"bin:$VQDUMP=/bin/vqdump" "${extra[@]}" || fatal "initramfs"
head -c $((64 << 20)) /dev/urandom >"$BLK_IMG" || fatal "disk image"
cat "$BLK_IMG" >/dev/null

export BLK_LABEL=bench # blk_lib.sh names failures with it
PACKED=${BENCH_PACKED:-1}
packed_opt=
[ "$PACKED" = 1 ] && packed_opt=,packed=on
live_boot bench "$TMP/initrd.gz" -m "${BENCH_MEM:-768}" -vga none -nic none \
	-drive "file=$BLK_IMG,format=raw,if=none,id=dvblk" \
	-device "virtio-blk-pci,drive=dvblk,id=vblk,serial=$BLK_SERIAL,disable-legacy=on,addr=0x4$packed_opt"
BLK_OUT=$LIVE_DIR
live_snapshot "$BLK_OUT/boot.json" || fatal "QMP snapshot"
BLK_DEV=$("${BLK_CHK[@]}" snapdev "$BLK_OUT/boot.json" vblk transport.name) || fatal "device name"
wait_secs=$((SECS * 3 + 60))

# bench_g KEY CMDLINE: like blk_g with a longer wait.
bench_g() {
	local key=$1
	shift
	live_cmd "$wait_secs" run "$key" "$*" || fatal "guest runs '$*'"
	"${BLK_CHK[@]}" block "$QEMU_SERIAL" "$key" "$BLK_OUT/$key" || fatal "no output for '$*'"
	if [ "$(blk_rc "$key")" != 0 ]; then
		not_ok "bench: '$*' exit status $(blk_rc "$key")"
		blk_why "$key"
		finish
	fi
}

for q in 1 32; do
	bench_g "vq$q" "vqdump -d $BLK_DEV blk --bench $SECS --depth $q --json"
	if [ "$PACKED" = 1 ]; then
		bench_g "vp$q" "vqdump -d $BLK_DEV blk --packed --bench $SECS --depth $q --json"
	fi
done
live_cmd 60 load || fatal "guest loads virtio_blk"
bench_g vd "vq_disk $BLK_SERIAL"
vd=$(tr -d '\n' <"$BLK_OUT/vd.out")
[ -n "$vd" ] || fatal "Linux made no disk with serial $BLK_SERIAL"
# The features Linux wrote (sysfs: one character per bit, bit 0 first).
bench_g kf "cat /sys/block/${vd#/dev/}/device/features"
for q in 1 32; do
	if [ "$KTOOL" = fio ]; then
		bench_g "k$q" "fio --name=k$q --filename=$vd --direct=1 --rw=randread --bs=4k" \
			"--ioengine=io_uring --iodepth=$q --runtime=$SECS --time_based" \
			"--lat_percentiles=1 --randrepeat=0 --norandommap --output-format=json"
	else
		# n dd processes read 4 KiB blocks with O_DIRECT, each from its
		# own offset, for about SECS seconds; prints requests and elapsed ns
		# (busybox date has no %N: /proc/uptime's centiseconds).
		n=$q
		bench_g "k$q" "t0=\$(cut -d' ' -f1 /proc/uptime | tr -d .); end=\$((\$(cut -d. -f1 /proc/uptime) + $SECS)); total=0;" \
			"for i in \$(seq $n); do (c=0; while [ \$(cut -d. -f1 /proc/uptime) -lt \$end ]; do" \
			"dd if=$vd of=/dev/null bs=4096 count=256 skip=\$(((i * 997 + c * 256) % 16000)) iflag=direct 2>/dev/null;" \
			"c=\$((c + 1)); done; echo \$c >/tmp/dd.\$i) & done; wait;" \
			"for i in \$(seq $n); do total=\$((total + \$(cat /tmp/dd.\$i))); done;" \
			"echo \"{\\\"requests\\\": \$((total * 256)), \\\"ns\\\": \$(((\$(cut -d' ' -f1 /proc/uptime | tr -d .) - t0) * 10000000))}\""
	fi
done
live_shutdown

python3 - "$BLK_OUT" "$KTOOL" "$PACKED" <<'EOF'
import json
import sys

out, tool, packed = sys.argv[1], sys.argv[2], sys.argv[3] == "1"


def load(key):
    with open("%s/%s.out" % (out, key)) as f:
        return json.load(f)


def vq(key):
    b = load(key)["bench"]
    return b["iops"], b["latency_ns"]["p50"], b["requests"], b["errors"]


def kern(key):
    j = load(key)
    if tool == "fio":
        r = j["jobs"][0]["read"]
        lat = r.get("lat_ns", {})
        p50 = (lat.get("percentile") or {}).get("50.000000") or lat.get("mean")
        return r["iops"], p50, r["total_ios"], j["jobs"][0].get("error", 0)
    # dd: at QD1 the mean time per request of one sequential reader; at
    # QD32 no latency (32 processes, each its own syscalls)
    iops = j["requests"] / (j["ns"] / 1e9)
    return iops, 1e9 / iops if key == "k1" else None, j["requests"], 0


def layout(key):
    """What the run's JSON says queue 0 was ("split" when it predates the field)."""
    return load(key).get("layout") or "split"


with open("%s/kf.out" % out) as f:
    bits = f.read().strip()
kring = "packed" if len(bits) > 34 and bits[34] == "1" else "split"

v1, v32, k1, k32 = vq("vq1"), vq("vq32"), kern("k1"), kern("k32")
rows = [("vqdump blk (%s), QD1" % layout("vq1"), v1), ("vqdump blk (%s), QD32" % layout("vq32"), v32)]
if packed:
    p1, p32 = vq("vp1"), vq("vp32")
    for key in ("vp1", "vp32"):
        if layout(key) != "packed":
            sys.exit("bench: %s ran on a %s ring, not packed" % (key, layout(key)))
    rows += [("vqdump blk (packed), QD1", p1), ("vqdump blk (packed), QD32", p32)]
rows += [("Linux virtio_blk (%s, %s), QD1" % (tool, kring), k1),
         ("Linux virtio_blk (%s, %s), QD32" % (tool, kring), k32)]
print("%-40s %12s %14s %10s %7s" % ("", "IOPS", "p50 latency", "requests", "errors"))
for name, r in rows:
    lat = "%11.1f us" % (r[1] / 1000.0) if r[1] is not None else "%14s" % "-"
    print("%-40s %12.0f %s %10d %7s" % (name, r[0], lat, r[2], r[3]))
print()
print("Linux's ring: %s (RING_PACKED %s in the features it wrote)"
      % (kring, "set" if kring == "packed" else "not set"))


def against_kernel(label, q1, q32):
    ri, rl = q32[0] / k32[0], k1[1] / q1[1]
    print("%s ratio IOPS vqdump/kernel at QD32:    %.2f (target >= 1.00: %s)"
          % (label, ri, "met" if ri >= 1 else "NOT met"))
    print("%s ratio latency kernel/vqdump at QD1:  %.2f (target >= 1.00: %s)"
          % (label, rl, "met" if rl >= 1 else "NOT met"))
    # The two latencies are not measured the same way (vqdump: publish to
    # used, polled; fio: submission to completion as the program sees it,
    # syscall and interrupt included); QD1 IOPS is end to end for both.
    print("%s (for reference) QD1 IOPS vqdump/kernel: %.2f" % (label, q1[0] / k1[0]))


print("vqdump QD1 p50 latency:  %.1f us" % (v1[1] / 1000.0))
print("kernel QD1 p50 latency:  %.1f us" % (k1[1] / 1000.0))
print("vqdump QD32 IOPS:        %.0f" % v32[0])
print("kernel QD32 IOPS:        %.0f" % k32[0])
against_kernel("split: ", v1, v32)
if packed:
    against_kernel("packed:", p1, p32)
    print("packed against split on the same device (higher is better for packed):")
    for q, s_, p_ in ((1, v1, p1), (32, v32, p32)):
        print("  QD%-2d IOPS packed/split: %.2f   p50 latency split/packed: %.2f"
              % (q, p_[0] / s_[0], s_[1] / p_[1]))
EOF
