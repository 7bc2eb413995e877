#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerates the virtio-mmio test vectors (mmio-qemu72-*.txt) from QEMU microvm guests; see mmio-README.md.
#
# Usage: tests/unit/data/mmio-capture.sh [OUTDIR]   (default: this directory)
# Needs what tests/qemu/lib.sh needs (qemu-system-x86, busybox-static,
# python3, the Debian guest kernel it fetches).  Takes about a minute.
# No set -e: lib.sh's helpers return non-zero on purpose (qemu_stop).
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
# shellcheck source=../../qemu/lib.sh
. "$here/../../qemu/lib.sh"
qemu_available || { echo "mmio-capture: qemu-system-x86_64, busybox or python3 missing" >&2; exit 77; }
qemu_kernel >/dev/null || exit 1
qemu_tmpdir || exit 1

# The guest side: busybox devmem only.  Per transport with a device: the
# identification registers, InterruptStatus, Status (and for version 2
# ConfigGeneration and the shared-memory registers), DeviceFeatures for
# DeviceFeaturesSel 0..3, the readable per-queue registers for QueueSel
# 0.. until QueueNumMax is 0, the write-only per-queue registers as QEMU
# answers them ("w" lines, to document that answer; vqdump never reads
# them), 96 bytes of device configuration, the platform device name and
# Linux's driver features from sysfs.  Selectors end at 0.
cat >"$QEMU_TMP/init" <<'EOF'
#!/bin/sh
. /lib/vq-common.sh
vq_setup
vq_load_modules
sleep 1
hex() { printf '%03x' "$1"; }
echo "IOMEM-BEGIN"
cat /proc/iomem
echo "IOMEM-END"
echo "VQ-BEGIN"
i=0
while [ $i -lt 24 ]; do
	b=$((0xfeb00000 + 0x200 * i))
	i=$((i + 1))
	[ "$(devmem $((b + 8)) 32)" = 0x00000000 ] && continue
	ver=$(devmem $((b + 4)) 32)
	echo "device $(printf 0x%x $b)"
	regs="0x000 0x004 0x008 0x00c 0x060 0x070"
	[ "$ver" = 0x00000002 ] && regs="$regs 0x0b0 0x0b4 0x0b8 0x0bc 0x0fc"
	for o in $regs; do echo "r $(hex $o) $(devmem $((b + o)) 32)"; done
	for s in 0 1 2 3; do
		devmem $((b + 0x14)) 32 $s
		echo "f $s $(devmem $((b + 0x10)) 32)"
	done
	devmem $((b + 0x14)) 32 0
	q=0
	while [ $q -lt 1024 ]; do
		devmem $((b + 0x30)) 32 $q
		max=$(devmem $((b + 0x34)) 32)
		[ "$max" = 0x00000000 ] && break
		echo "q $q 034 $max"
		if [ "$ver" = 0x00000001 ]; then
			echo "q $q 040 $(devmem $((b + 0x40)) 32)"
			echo "w $q 038 $(devmem $((b + 0x38)) 32)"
		else
			echo "q $q 044 $(devmem $((b + 0x44)) 32)"
			for o in 0x038 0x080 0x084 0x090 0x094 0x0a0 0x0a4; do
				echo "w $q $(hex $o) $(devmem $((b + o)) 32)"
			done
		fi
		q=$((q + 1))
	done
	devmem $((b + 0x30)) 32 0
	c=""
	k=0
	while [ $k -lt 96 ]; do
		c="$c $(devmem $((b + 0x100 + k)) 8 | cut -c3-)"
		k=$((k + 1))
	done
	echo "c$c"
	# The platform device /proc/iomem names, and Linux's record of the
	# driver features (/sys/bus/virtio/devices/virtioN/features).
	plat=$(grep "^$(printf %x $b)-" /proc/iomem | sed 's/.* : //')
	echo "p $plat"
	for v in /sys/bus/platform/devices/$plat/virtio*/features; do
		[ -e "$v" ] && echo "s $(cat "$v")"
	done
done
echo "VQ-END"
sleep 1000
EOF

# The host side: QEMU's own view, as "x" lines after each device.
merge() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, re, sys, glob
serial, snap, ver = sys.argv[1], json.load(open(sys.argv[2])), int(sys.argv[3])
bit = {}
for h in glob.glob("/usr/include/linux/virtio_*.h"):
    for m in re.finditer(r"#define\s+(VIRTIO_\w*F_\w+|VHOST_\w+_F_\w+)\s+(\d+)\b", open(h).read()):
        bit.setdefault(m.group(1), int(m.group(2)))
bit.setdefault("VIRTIO_F_RING_RESET", 40)
stat = {"ACKNOWLEDGE": 1, "DRIVER": 2, "DRIVER_OK": 4, "FEATURES_OK": 8, "NEEDS_RESET": 0x40, "FAILED": 0x80}

def feats(f):
    v = f.get("unknown-dev-features", 0)
    for k in ("transports", "dev-features"):
        for s in f.get(k, []):
            v |= 1 << bit[s.split(":")[0]]
    return v

byid = {d["status"]["device-id"]: d for d in snap["devices"]}
lines = open(serial, errors="replace").read().split("VQ-BEGIN", 1)[1].split("VQ-END", 1)[0]
out = []
def qemu_lines(devid):
    d = byid[devid]
    s = d["status"]
    host = feats(s["host-features"])
    # What the transport offers: QEMU keeps legacy-only bits (NOTIFY_ON_EMPTY,
    # ANY_LAYOUT, net GSO) off the version 2 interface, and its legacy MMIO
    # has only feature word 0.
    if ver == 2:
        host &= ~((1 << 24) | (1 << 27) | ((1 << 6) if devid == 1 else 0))
    else:
        host &= 0xFFFFFFFF
    st = sum(stat[x.split(":")[0].replace("VIRTIO_CONFIG_S_", "")] for x in s["status"]["statuses"])
    r = ["x path %s" % d["path"], "x status %02x" % st, "x host %032x" % host,
         "x guest %032x" % feats(s["guest-features"])]
    for q in d["queues"]:
        qs = q["status"]
        r.append("x queue %d num %d desc %x avail %x used %x" % (q["queue"], qs["vring-num"],
                 qs["vring-desc"], qs["vring-avail"], qs["vring-used"]))
    return r
devid = None
for l in lines.splitlines():
    l = l.strip()
    if not re.match(r"^(device|[rfqwcps]) ", l):
        continue
    if l.startswith("device ") and devid is not None:
        out += qemu_lines(devid)
    if l.startswith("r 008 "):
        devid = int(l.split()[2], 16)
    out.append(l)
out += qemu_lines(devid)
print("\n".join(out))
PY
}

capture() {
	local name=$1 ver=$2 file
	file=$out/mmio-qemu72-$name.txt
	qemu_initramfs "$QEMU_TMP/initrd.gz" "$QEMU_TMP/init" \
		"virtio_mmio virtio_blk virtio_net virtio_console virtio_scsi virtio_balloon virtio_rng" ||
		return 1
	truncate -s 16M "$QEMU_TMP/disk.img"
	truncate -s 8M "$QEMU_TMP/disk2.img"
	local g=()
	[ "$ver" = 2 ] && g=(-global virtio-mmio.force-legacy=false)
	# tsc_early_khz: without it the kernel can hang calibrating the TSC
	# against the PIT when the host is busy (TCG).
	qemu_start "$QEMU_TMP" -M microvm -m 256 "${g[@]}" -kernel "$QEMU_VMLINUZ" \
		-initrd "$QEMU_TMP/initrd.gz" \
		-append "console=ttyS0 quiet panic=-1 iomem=relaxed tsc_early_khz=2000000" \
		-drive file="$QEMU_TMP/disk.img",if=none,id=d0,format=raw \
		-device virtio-blk-device,drive=d0,id=vblk0 \
		-netdev user,id=n0,restrict=on -device virtio-net-device,netdev=n0,id=vnet0 \
		-device virtio-rng-device,id=vrng0 \
		-device virtio-serial-device,id=vser0 \
		-drive file="$QEMU_TMP/disk2.img",if=none,id=d1,format=raw \
		-device virtio-scsi-device,id=vscsi0 -device scsi-hd,drive=d1 \
		-device virtio-balloon-device,id=vbal0 || return 1
	qemu_wait_serial VQ-END 240 || return 1
	qemu_qmp @virtio-snapshot >"$QEMU_TMP/qmp.json" || return 1
	qemu_stop
	{
		echo "# SPDX-License-Identifier: GPL-2.0-or-later"
		echo "# virtio-mmio registers of a QEMU 7.2 microvm guest (version $ver, Linux drivers bound); made by mmio-capture.sh, see mmio-README.md."
		echo "# qemu: $($QEMU_BIN --version | head -n 1); guest kernel: $QEMU_KERNEL_PKG"
		merge "$QEMU_SERIAL" "$QEMU_TMP/qmp.json" "$ver"
	} >"$file.tmp" && mv "$file.tmp" "$file" || return 1
	echo "wrote $file"
	# /proc/iomem as root, with the drivers holding their windows (the
	# same in both guests: one copy).
	[ "$ver" = 1 ] || return 0
	file=$out/mmio-qemu72-iomem-bound.txt
	{
		echo "# SPDX-License-Identifier: GPL-2.0-or-later"
		echo "# /proc/iomem of the guest of mmio-qemu72-v1-bound.txt, read as root; made by mmio-capture.sh, see mmio-README.md."
		tr -d '\r' <"$QEMU_SERIAL" | sed -n '/^IOMEM-BEGIN/,/^IOMEM-END/p' | sed '1d;$d'
	} >"$file"
	echo "wrote $file"
}

capture v1-bound 1 || exit 1
capture v2-bound 2 || exit 1
