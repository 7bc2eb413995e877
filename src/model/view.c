/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a device's view is based on, in one line. */
#include <stdio.h>

#include "view.h"

enum vq_source vq_dev_status_source(const struct vq_dev *d)
{
	switch (d->access) {
	case VQ_ACCESS_MAPPED:
	case VQ_ACCESS_PCI_CFG:
		return VQ_SRC_REGISTERS;
	case VQ_ACCESS_SYSFS:
		return VQ_SRC_SYSFS;
	case VQ_ACCESS_QMP:
		return VQ_SRC_QMP;
	case VQ_ACCESS_KERNEL:
		return VQ_SRC_KERNEL;
	default:
		return VQ_SRC_NONE;
	}
}

/* How many of @d's queues have their rings from @src, and how many were
 * set up at all. */
static void count_queues(const struct vq_dev *d, enum vq_source src, unsigned *from,
			 unsigned *set_up)
{
	unsigned i;

	*from = *set_up = 0;
	for (i = 0; i < d->num_queues && d->queues; i++) {
		const struct vq_queue_state *q = &d->queues[i];

		if (!q->enabled)
			continue;
		(*set_up)++;
		if (q->desc && q->addr_src == src)
			(*from)++;
	}
}

const char *vq_dev_view(const struct vq_dev *d, char *out, size_t len)
{
	unsigned kern, set_up;

	count_queues(d, VQ_SRC_KERNEL, &kern, &set_up);
	switch (d->access) {
	case VQ_ACCESS_MAPPED:
	case VQ_ACCESS_PCI_CFG:
		snprintf(out, len, "registers (%s)%s",
			 d->access == VQ_ACCESS_MAPPED ? "mapped" : "PCI configuration access",
			 kern ? "; ring addresses from kernel records" : "");
		break;
	case VQ_ACCESS_SYSFS:
		if (!set_up)
			snprintf(out, len, "status and features from sysfs; %s",
				 vq_dev_queues_unknown(d) ? "queues unknown (kernel records not read)"
							  : "no queues (no driver has set any up)");
		else
			snprintf(out, len, "status and features from sysfs; %u queue%s from kernel records",
				 set_up, set_up == 1 ? "" : "s");
		break;
	case VQ_ACCESS_QMP:
		snprintf(out, len, "QEMU's own account over QMP (x-query-virtio-*); ring indices from guest RAM%s%s",
			 d->source_note[0] ? "; " : "", d->source_note);
		break;
	case VQ_ACCESS_KERNEL:
		snprintf(out, len, "the guest kernel's records in the dump (no registers); %u queue%s from kernel records%s%s",
			 set_up, set_up == 1 ? "" : "s", d->source_note[0] ? "; " : "", d->source_note);
		break;
	default:
		snprintf(out, len, "nothing read");
		break;
	}
	return out;
}
