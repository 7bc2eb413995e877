/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Devices only Linux's virtio bus shows: every /sys/bus/virtio device no other transport listed, read from sysfs and Linux's records. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/virtio_config.h>

#include "transport.h"
#include "vbus.h"

#define IOMEM_PATH "/proc/iomem"

/* 1 when a device of @l already stands for virtioN @vname. */
static int listed(const struct vq_dev_list *l, const char *vname)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->devs[i].virtio_name, vname))
			return 1;
	return 0;
}

/* Basename of the link @dir/@link into @out ("" when there is none). */
static void link_name(const char *dir, const char *link, char *out, size_t len)
{
	char p[PATH_MAX], t[PATH_MAX];
	const char *b;
	ssize_t n;

	out[0] = 0;
	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, link) >= sizeof(p))
		return;
	n = readlink(p, t, sizeof(t) - 1);
	if (n <= 0)
		return;
	t[n] = 0;
	b = strrchr(t, '/');
	snprintf(out, len, "%.*s", (int)(len ? len - 1 : 0), b ? b + 1 : t);
}

/* The start of platform device @plat's range in /proc/iomem: 0 when not
 * shown (not root, or no such line). */
static uint64_t iomem_base(const char *plat)
{
	unsigned long long a, b;
	char line[256], name[128];
	uint64_t base = 0;
	FILE *f = fopen(IOMEM_PATH, "re");

	if (!f)
		return 0;
	while (!base && fgets(line, sizeof(line), f))
		if (sscanf(line, " %llx-%llx : %127[^\n]", &a, &b, name) == 3 && !strcmp(name, plat))
			base = a;
	fclose(f);
	return base;
}

/* Copy a sysfs name into a fixed field; one that does not fit is left
 * out (the field keeps what it had) rather than cut to a wrong name. */
static void copy_name(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n < len)
		memcpy(dst, src, n + 1);
}

/* Name, kind and driver of virtioN @d->virtio_name from its parent device. */
static void place(struct vq_dev *d)
{
	char dir[PATH_MAX], parent[64] = "", bus[32] = "";
	unsigned long long a;
	const char *b;
	char *real, *end;

	snprintf(dir, sizeof(dir), "%s/%s/..", VQ_VBUS_DIR, d->virtio_name);
	real = realpath(dir, NULL);
	if (real) {
		b = strrchr(real, '/');
		snprintf(parent, sizeof(parent), "%s", b ? b + 1 : real);
		link_name(real, "subsystem", bus, sizeof(bus));
		link_name(real, "driver", d->driver, sizeof(d->driver));
		free(real);
	}
	snprintf(d->name, sizeof(d->name), "%s", d->virtio_name);
	d->kind = VQ_T_OTHER;
	if (!strcmp(bus, "pci") && parent[0]) {
		d->kind = VQ_T_PCI;
		copy_name(d->name, sizeof(d->name), parent);
	} else if (!strcmp(bus, "platform") && parent[0]) {
		d->kind = VQ_T_MMIO;
		/* A device-tree node is named ADDR.virtio_mmio; others are
		 * placed by /proc/iomem (root only). */
		a = strtoull(parent, &end, 16);
		d->mmio_base = end != parent && *end == '.' ? a : iomem_base(parent);
		if (d->mmio_base)
			snprintf(d->name, sizeof(d->name), "mmio:0x%llx",
				 (unsigned long long)d->mmio_base);
	}
}

/* A hexadecimal attribute ("0x0002") of virtioN @name: 0 when unreadable. */
static uint32_t hex_attr(const char *name, const char *attr)
{
	char buf[32];

	if (vq_vbus_attr(name, attr, buf, sizeof(buf)))
		return 0;
	return (uint32_t)strtoul(buf, NULL, 16);
}

static int vbusdev_enumerate(struct vq_dev_list *list, struct vq_mem *image, char *err,
			     size_t errlen)
{
	struct dirent *de;
	struct vq_dev *d;
	int added = 0;
	DIR *dir;

	(void)image; /* live only */
	err[0] = 0;
	dir = opendir(VQ_VBUS_DIR);
	/* No virtio bus: no virtio driver at all, nothing to add. */
	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		unsigned n;
		char extra;

		if (sscanf(de->d_name, "virtio%u%c", &n, &extra) != 1 ||
		    strlen(de->d_name) >= sizeof(d->virtio_name) || listed(list, de->d_name))
			continue;
		d = vq_dev_list_add(list);
		if (!d) {
			snprintf(err, errlen, "list %s: out of memory", VQ_VBUS_DIR);
			break;
		}
		d->t = &vq_transport_vbus;
		copy_name(d->virtio_name, sizeof(d->virtio_name), de->d_name);
		d->device_id = hex_attr(d->virtio_name, "device");
		d->vendor_id = hex_attr(d->virtio_name, "vendor");
		place(d);
		added++;
	}
	closedir(dir);
	return added;
}

static int vbusdev_read_state(struct vq_dev *d)
{
	const char *why;

	switch (d->kind) {
	case VQ_T_PCI:
		why = "registers not reached: the pci transport could not list the device (see the warning above)";
		break;
	case VQ_T_MMIO:
		why = "registers not reached: the mmio transport could not find its window (see the warning above)";
		break;
	default:
		why = "registers not read: vqdump has no transport for this device's bus";
		break;
	}
	vq_vbus_driver(d);
	if (vq_vbus_read_state(d, why, ""))
		return -EIO;
	/* Linux negotiates VERSION_1 only with a modern PCI device and
	 * accepts a version-2 virtio-mmio device only with it. */
	if (vq_dev_driver_features_known(d)) {
		int v1 = vq_feature_has(d->driver_features, VIRTIO_F_VERSION_1);

		if (d->kind == VQ_T_PCI && !v1)
			d->kind = VQ_T_PCI_LEGACY;
		if (d->kind == VQ_T_MMIO)
			d->mmio_version = v1 ? 2 : 1;
	}
	return 0;
}

static void vbusdev_release(struct vq_dev *d)
{
	free(d->queues);
	d->queues = NULL;
	d->num_queues = 0;
}

const struct vq_transport vq_transport_vbus = {
	.name = "vbus",
	.help = "any other device Linux's virtio bus shows (/sys/bus/virtio): status and features from sysfs, queues from Linux's records",
	.scope = VQ_SCOPE_LIVE,
	.enumerate = vbusdev_enumerate,
	.read_state = vbusdev_read_state,
	.release = vbusdev_release,
	.open_regs = NULL,
};
