/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One name table per enum of the device model: the names JSON output and the snapshot note use. */
#include <errno.h>
#include <string.h>

#include "names.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const kind_names[] = {
	[VQ_T_PCI] = "pci",
	[VQ_T_PCI_LEGACY] = "pci-legacy",
	[VQ_T_MMIO] = "mmio",
	[VQ_T_OTHER] = "other",
};

static const char *const access_names[] = {
	[VQ_ACCESS_NONE] = "none",
	[VQ_ACCESS_MAPPED] = "mapped",
	[VQ_ACCESS_PCI_CFG] = "pci-cfg",
	[VQ_ACCESS_SYSFS] = "sysfs",
	[VQ_ACCESS_QMP] = "qmp",
	[VQ_ACCESS_KERNEL] = "kernel",
};

static const char *const source_names[] = {
	[VQ_SRC_NONE] = "unknown",
	[VQ_SRC_REGISTERS] = "registers",
	[VQ_SRC_SYSFS] = "sysfs",
	[VQ_SRC_ASSUMED] = "assumed",
	[VQ_SRC_STATUS] = "status",
	[VQ_SRC_KERNEL] = "kernel",
	[VQ_SRC_QMP] = "qmp",
};

static const char *name_of(const char *const *names, size_t n, unsigned v)
{
	return v < n && names[v] ? names[v] : "?";
}

static int value_of(const char *const *names, size_t n, const char *name, unsigned *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name)) {
			*out = (unsigned)i;
			return 0;
		}
	return -EINVAL;
}

const char *vq_transport_kind_name(enum vq_transport_kind k)
{
	return name_of(kind_names, NELEM(kind_names), k);
}

const char *vq_access_name(enum vq_access_path a)
{
	return name_of(access_names, NELEM(access_names), a);
}

const char *vq_source_name(enum vq_source s)
{
	return name_of(source_names, NELEM(source_names), s);
}

int vq_transport_kind_parse(const char *name, unsigned *out)
{
	return value_of(kind_names, NELEM(kind_names), name, out);
}

int vq_access_parse(const char *name, unsigned *out)
{
	return value_of(access_names, NELEM(access_names), name, out);
}

int vq_source_parse(const char *name, unsigned *out)
{
	return value_of(source_names, NELEM(source_names), name, out);
}
