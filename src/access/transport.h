/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Transports: the interface through which a source finds devices and fills the device model. */
#ifndef VQDUMP_ACCESS_TRANSPORT_H
#define VQDUMP_ACCESS_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "../model/device.h"

/* One transport, in the manner of the memory accessors. */
struct vq_transport {
	const char *name; /* "pci", "mmio" */
	const char *help; /* one line for --help: what it needs */
	/*
	 * Append every virtio device this transport finds to @list (MMIO
	 * transports with device ID 0 are skipped).  Returns how many were
	 * added, or a negative errno with @err (errlen bytes) saying why
	 * nothing could be looked at.
	 */
	int (*enumerate)(struct vq_dev_list *list, char *err, size_t errlen);
	/*
	 * Read status, features, queues and config into @d.  Inspection only:
	 * the one write allowed is a selector (queue/feature select), restored
	 * before returning; never the ISR.  Returns 0 or -errno with d->err.
	 */
	int (*read_state)(struct vq_dev *d);
	/* Release d->priv and d->queues. */
	void (*release)(struct vq_dev *d);
};

extern const struct vq_transport vq_transport_pci;
extern const struct vq_transport vq_transport_mmio;

/* Probe one virtio-mmio window at @base (for --mmio ADDR).  Returns 0 and
 * fills one entry, 1 when the window is a transport with device ID 0, or
 * -errno with @err set. */
int vq_mmio_probe_at(uint64_t base, struct vq_dev_list *list, char *err, size_t errlen);

/* Add a device slot to @list (zeroed); NULL when out of memory. */
struct vq_dev *vq_dev_list_add(struct vq_dev_list *list);
void vq_dev_list_free(struct vq_dev_list *list);

#endif
