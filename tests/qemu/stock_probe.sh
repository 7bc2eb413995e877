#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest-side probe for test-live-stock.sh: what a stock (or locked-down) kernel lets root reach, one "KEY: result" line each.
#
# Runs inside the guest (busybox sh) as root, after the virtio drivers are
# loaded.  Every access is read-only toward the devices, except two writes
# that put back the value just read: one byte of a PCI device's config
# space (cache line size, 0x0c) and the legacy queue selector (I/O BAR
# offset 14), to learn whether such writes are allowed at all.
# Output lines (parsed by stock_compare.py, shown by the test as "# ..."):
#   kernel: RELEASE | cmdline: ... | lockdown: ...
#   devmem-open: ok | ERROR          open("/dev/mem") (and read of byte 0)
#   devmem-ram ADDR: ok | ERROR      read(2) of RAM above 1 MiB through /dev/mem
#   devmem-mmap KIND ADDR: ok VALUE | ERROR   busybox devmem (mmap) of a
#                                    claimed window: KIND mmio or pci-bar
#   kcore-open: ok | ERROR           /proc/kcore's ELF header
#   pci-config-write DEV: ok | ERROR
#   pci-io-read DEV: ok VALUE | ERROR   / pci-io-write DEV: ok | ERROR
#   virtio NAME: parent=... device=... vendor=... status=... features=... driver=...
#   btf: NAMES                       /sys/kernel/btf entries (vmlinux, virtio*)

# run CMD...: "ok OUTPUT" or the command's own error text (errno words).
run() {
	out=$("$@" 2>/tmp/probe.err)
	rc=$?
	if [ "$rc" = 0 ]; then
		echo "ok $out" | head -n 1
	else
		err=$(tr '\n' ' ' </tmp/probe.err)
		echo "error rc=$rc ${err:-no message}"
	fi
}

# putback BYTES FILE BS SEEK: write BYTES (printf octal escapes, the value
# just read) back at block SEEK of FILE; dd's error text on failure.
putback() {
	# shellcheck disable=SC2059 # $1 is octal escapes on purpose
	printf "$1" | dd of="$2" bs="$3" seek="$4" count=1 conv=notrunc 2>/tmp/putback.err
	prc=$?
	grep -v records /tmp/putback.err >&2
	return $prc
}

# A production system mounts securityfs (systemd does); the bare test
# initramfs does not, and the lockdown file lives there.
grep -q ' /sys/kernel/security ' /proc/mounts ||
	mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
echo "kernel: $(uname -r)"
echo "cmdline: $(cat /proc/cmdline)"
echo "lockdown: $(cat /sys/kernel/security/lockdown 2>&1)"
echo "devmem-open: $(run dd if=/dev/mem of=/dev/null bs=1 count=1)"
# The first System RAM range that ends above 16 MiB: read one page there.
ram=$(grep 'System RAM' /proc/iomem | sed 's/^ *//' | while IFS='-: ' read -r lo hi _; do
	if [ $((0x$hi)) -gt $((0x1000000)) ]; then
		echo 4096
		break
	fi
done)
[ -n "$ram" ] && echo "devmem-ram 0x1000000: $(run dd if=/dev/mem of=/dev/null bs=4096 skip="$ram" count=1)"
# virtio-mmio windows (ACPI LNRO0005 platform devices) the kernel lists.
grep -i 'LNRO0005' /proc/iomem | sed 's/^ *//' | sort -u | head -n 3 | while IFS='-' read -r lo _; do
	echo "devmem-mmap mmio 0x$lo: $(run devmem "0x$lo" 32)"
done
for p in /sys/bus/pci/devices/*; do
	[ "$(cat "$p/vendor" 2>/dev/null)" = 0x1af4 ] || continue
	dev=${p##*/}
	# Every memory BAR (the modern registers' BAR, the MSI-X table's):
	# mmap through /dev/mem, as a tool would.
	n=0
	while read -r start _ flags; do
		if [ $((flags & 0x200)) -ne 0 ] && [ $((start)) -ne 0 ]; then
			echo "devmem-mmap pci-bar $dev bar$n $start: $(run devmem "$start" 32)"
		fi
		n=$((n + 1))
	done <"$p/resource"
	# I/O BAR 0 (legacy and transitional devices): read the device
	# features word, then read the queue selector and write it back.
	read -r start _ flags <"$p/resource"
	if [ $((flags & 0x100)) -ne 0 ]; then
		r=$(run dd if="$p/resource0" of=/tmp/io4 bs=4 count=1)
		[ "${r%% *}" = ok ] && r="ok features=0x$(od -An -tx4 /tmp/io4 | tr -d ' ')"
		echo "pci-io-read $dev: $r"
		sel=$(dd if="$p/resource0" bs=2 skip=7 count=1 2>/dev/null | od -An -to1 | tr -s ' ' '\134')
		echo "pci-io-write $dev: $(run putback "$sel" "$p/resource0" 2 7)"
	fi
	if [ -z "${cfgdone:-}" ]; then
		cl=$(dd if="$p/config" bs=1 skip=12 count=1 2>/dev/null | od -An -to1 | tr -s ' ' '\134')
		echo "pci-config-write $dev: $(run putback "$cl" "$p/config" 1 12)"
		cfgdone=1
	fi
done
r=$(run dd if=/proc/kcore of=/tmp/kc bs=64 count=1)
[ "${r%% *}" = ok ] && r="ok $(od -An -c -N 4 /tmp/kc | tr -d ' ')"
echo "kcore-open: $r"
for v in /sys/bus/virtio/devices/virtio*; do
	[ -e "$v" ] || continue
	t=$(readlink -f "$v")
	drv=$(readlink "$v/driver" 2>/dev/null)
	echo "virtio ${v##*/}: target=$t device=$(cat "$v/device") vendor=$(cat "$v/vendor") status=$(cat "$v/status" 2>&1) features=$(cat "$v/features" 2>&1) driver=${drv##*/}"
done
btf=
for f in /sys/kernel/btf/vmlinux /sys/kernel/btf/virtio*; do
	[ -e "$f" ] && btf="$btf ${f##*/}"
done
echo "btf:${btf:- none}"
