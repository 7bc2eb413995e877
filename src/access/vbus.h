/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The virtio bus in sysfs, as live transports see it. */
#ifndef VQDUMP_ACCESS_VBUS_H
#define VQDUMP_ACCESS_VBUS_H

#include "../model/device.h"

/* Set d->virtio_driver to the driver Linux has bound to d->virtio_name
 * ("virtio_blk"), or "" when there is none or no virtio device. */
void vq_vbus_driver(struct vq_dev *d);

#define VQ_VBUS_DIR "/sys/bus/virtio/devices"

/* Small attribute @attr of virtio device @name ("virtio3") into @buf: 0 or -errno. */
int vq_vbus_attr(const char *name, const char *attr, char *buf, size_t len);

/*
 * The registers of @d could not be read (@why, with the way out @hint, ""
 * when none applies): take what Linux's virtio core says instead, from
 * its read-only sysfs attributes of d->virtio_name: the status (read for
 * us by the driver) and, once FEATURES_OK is set, the features it
 * negotiated.  Queues and config are cleared (the session may find the
 * queues in Linux's records); d->access becomes VQ_ACCESS_SYSFS and
 * d->refused says why.  Returns 0, or -errno with d->err when not even
 * sysfs could be read.
 */
int vq_vbus_read_state(struct vq_dev *d, const char *why, const char *hint);

#endif
