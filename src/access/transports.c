/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The registry of transports: every source of devices vqdump knows, in the order their devices are listed. */
#include <stddef.h>

#include "snapshot.h"
#include "transport.h"

const struct vq_transport *const vq_transports[] = {
	&vq_transport_pci,      /* live: libpci and sysfs */
	&vq_transport_mmio,     /* live: firmware tables, /proc/iomem, /dev/mem */
	&vq_transport_vbus,     /* live: what only /sys/bus/virtio shows (last: the
				 * devices no transport above listed) */
	&vq_transport_snapshot, /* --core: the note of a vqdump snapshot */
	&vq_transport_kdev,     /* --core: a dumped Linux's own records (after the
				 * snapshot: it lists a snapshot's devices itself) */
	&vq_transport_qemu,     /* --qemu: a running QEMU's account over QMP */
	NULL,
};
