/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One name per value of the model's enums, as JSON and the snapshot note spell them, and back. */
#ifndef VQDUMP_MODEL_NAMES_H
#define VQDUMP_MODEL_NAMES_H

#include "device.h"

/* "pci", "pci-legacy", "mmio", "other"; "?" for a value outside the enum. */
const char *vq_transport_kind_name(enum vq_transport_kind k);
/* "none", "mapped", "pci-cfg", "sysfs"; "?" outside the enum. */
const char *vq_access_name(enum vq_access_path a);
/* "unknown", "registers", "sysfs", "assumed", "status", "kernel" (design.md's
 * source names); "?" outside the enum. */
const char *vq_source_name(enum vq_source s);

/* The value named @name (an enum vq_transport_kind, vq_access_path or
 * vq_source): 0 and *@out set, or -EINVAL when no value has it. */
int vq_transport_kind_parse(const char *name, unsigned *out);
int vq_access_parse(const char *name, unsigned *out);
int vq_source_parse(const char *name, unsigned *out);

#endif
