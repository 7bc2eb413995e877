#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Capture real virtio-pci (modern) config spaces from QEMU into capture.txt (see README.md;
# test_config.c embeds the same bytes: update real_cases[] when they change).
# Needs qemu-system-x86, busybox-static (see tests/qemu/lib.sh); no root, no KVM.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=/dev/null
. "$here/../../../qemu/lib.sh"
qemu_available || { echo "mkvectors: needs qemu-system-x86_64 and busybox" >&2; exit 77; }
QEMU_TIMEOUT=${QEMU_TIMEOUT:-900}
qemu_kernel >/dev/null
qemu_tmpdir
qemu_initramfs "$QEMU_TMP/initrd.gz" "$here/guest-init.sh" ""
truncate -s 64M "$QEMU_TMP/disk.img"
mkdir -p "$QEMU_TMP/share"
qemu_start "$QEMU_TMP" -m 256 \
	-kernel "$QEMU_VMLINUZ" -initrd "$QEMU_TMP/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1" \
	-drive "file=$QEMU_TMP/disk.img,if=none,id=d0,format=raw" \
	-device virtio-blk-pci,drive=d0,disable-legacy=on,num-queues=2 \
	-netdev user,id=n0 \
	-device virtio-net-pci,netdev=n0,disable-legacy=on,mac=52:54:00:12:34:56,host_mtu=1400,speed=1000,duplex=full \
	-device virtio-serial-pci,disable-legacy=on,max_ports=4 \
	-device virtio-balloon-pci,disable-legacy=on \
	-device virtio-scsi-pci,disable-legacy=on,num_queues=2 \
	-fsdev "local,id=fs0,path=$QEMU_TMP/share,security_model=none" \
	-device virtio-9p-pci,disable-legacy=on,fsdev=fs0,mount_tag=hostshare \
	-device virtio-keyboard-pci \
	-device virtio-gpu-pci \
	-object cryptodev-backend-builtin,id=cr0 \
	-device virtio-crypto-pci,disable-legacy=on,cryptodev=cr0 \
	-device virtio-iommu-pci
qemu_wait_serial 'VQ-END' 600 || { cat "$QEMU_TMP/qemu.out" "$QEMU_SERIAL" >&2; exit 1; }
{
	echo "# $("$QEMU_BIN" --version | head -n 1); guest kernel $QEMU_KERNEL_PKG"
	grep '^VQ-DEV ' "$QEMU_SERIAL" | tr -d '\r'
} >"$here/capture.txt"
qemu_stop
echo "mkvectors: wrote $here/capture.txt"
