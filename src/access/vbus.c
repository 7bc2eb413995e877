/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The virtio bus in sysfs: which driver Linux has bound to a virtio device. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/virtio_pci.h>

#include "../decode/mmio.h"
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

int vq_vbus_attr(const char *name, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, e;

	snprintf(path, sizeof(path), "%s/%s/%s", VQ_VBUS_DIR, name, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = 0;
	return 0;
}

static void clear_state(struct vq_dev *d)
{
	free(d->queues);
	d->queues = NULL;
	d->num_queues = 0;
	d->status = 0;
	memset(d->device_features, 0, sizeof(d->device_features));
	memset(d->driver_features, 0, sizeof(d->driver_features));
	d->device_features_src = d->driver_features_src = VQ_SRC_NONE;
	d->config_len = 0;
	d->config_generation = -1;
	d->config_consistent = 1;
	d->msix_config = VIRTIO_MSI_NO_VECTOR;
	d->access = VQ_ACCESS_NONE;
}

int vq_vbus_read_state(struct vq_dev *d, const char *why, const char *hint)
{
	char buf[160], *end;
	const char *sep = "; ";
	unsigned long st;
	int ret;

	/* The refusal may have named the way out already. */
	if (!hint[0] || strstr(why, hint))
		sep = hint = "";
	clear_state(d);
	snprintf(d->refused, sizeof(d->refused), "%s%s%s", why, sep, hint);
	if (!d->virtio_name[0]) {
		snprintf(d->err, sizeof(d->err), "read %s: %s; and no virtio device in %s (no driver for the transport)%s%s",
			 d->name, why, VQ_VBUS_DIR, sep, hint);
		return -EACCES;
	}
	ret = vq_vbus_attr(d->virtio_name, "status", buf, sizeof(buf));
	if (ret) {
		snprintf(d->err, sizeof(d->err), "read %s: %s; and %s/%s/status: %s%s%s", d->name, why,
			 VQ_VBUS_DIR, d->virtio_name, strerror(-ret), sep, hint);
		return ret;
	}
	errno = 0;
	st = strtoul(buf, &end, 16);
	if (errno || end == buf || (*end && *end != '\n') || st > 0xff) {
		snprintf(d->err, sizeof(d->err), "read %s: %s; and %s/%s/status holds \"%.20s\"%s%s",
			 d->name, why, VQ_VBUS_DIR, d->virtio_name, buf, sep, hint);
		return -EPROTO;
	}
	d->status = (uint8_t)st;
	d->access = VQ_ACCESS_SYSFS;
	d->err[0] = 0;
	/* dev->features: what the driver asked for, bit 0 first.  They are
	 * the negotiated set once FEATURES_OK is set, or, for a legacy
	 * device (which has no FEATURES_OK), once DRIVER_OK is; before that
	 * (or with no driver) they mean nothing. */
	if (!(d->status & (VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK)) ||
	    vq_vbus_attr(d->virtio_name, "features", buf, sizeof(buf)))
		return 0;
	if (vq_mmio_sysfs_features(buf, d->driver_features) > 0)
		d->driver_features_src = VQ_SRC_SYSFS;
	else
		memset(d->driver_features, 0, sizeof(d->driver_features));
	return 0;
}
