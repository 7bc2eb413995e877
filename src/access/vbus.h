/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The virtio bus in sysfs, as live transports see it. */
#ifndef VQDUMP_ACCESS_VBUS_H
#define VQDUMP_ACCESS_VBUS_H

#include "../model/device.h"

/* Set d->virtio_driver to the driver Linux has bound to d->virtio_name
 * ("virtio_blk"), or "" when there is none or no virtio device. */
void vq_vbus_driver(struct vq_dev *d);

#endif
