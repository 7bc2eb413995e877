/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The virtio bus in sysfs: which driver Linux has bound to a virtio device. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vbus.h"

void vq_vbus_driver(struct vq_dev *d)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	d->virtio_driver[0] = 0;
	if (!d->virtio_name[0])
		return;
	snprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/driver", d->virtio_name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = 0;
	base = strrchr(target, '/');
	snprintf(d->virtio_driver, sizeof(d->virtio_driver), "%.63s", base ? base + 1 : target);
}
