/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a device's view is based on, in one line: the summary text and JSON ("view") both print. */
#ifndef VQDUMP_MODEL_VIEW_H
#define VQDUMP_MODEL_VIEW_H

#include <stddef.h>

#include "device.h"

/*
 * One line saying where @d's status, features and queues came from, and
 * what is missing ("registers (mapped window)"; "sysfs status and
 * features, queues from kernel records; registers refused"...).  The
 * reason for a refusal is d->refused, printed apart.  Returns @out.
 */
const char *vq_dev_view(const struct vq_dev *d, char *out, size_t len);

/* 1 when a driver has set @d up (DRIVER_OK) but none of its queues is
 * known: the registers were refused and Linux's records gave nothing. */
static inline int vq_dev_queues_unknown(const struct vq_dev *d)
{
	return d->access == VQ_ACCESS_SYSFS && !d->num_queues &&
	       (d->status & VIRTIO_CONFIG_S_DRIVER_OK);
}

/* The source of @d's status byte: registers, sysfs, or unknown (nothing read). */
enum vq_source vq_dev_status_source(const struct vq_dev *d);

#endif
