/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Why Linux refused an open, a mapping or a write, and the way out that applies on this system. */
#ifndef VQDUMP_ACCESS_REFUSAL_H
#define VQDUMP_ACCESS_REFUSAL_H

#include <stddef.h>

/* What was refused. */
enum vq_refusal_op {
	VQ_REFUSE_OPEN,   /* opening a file (/dev/mem, /proc/kcore, a sysfs file) */
	VQ_REFUSE_MAP_IO, /* mapping a device's registers (/dev/mem, a BAR's resource file) */
	VQ_REFUSE_RAM,    /* reading RAM through /dev/mem */
	VQ_REFUSE_WRITE,  /* a write to a PCI device's config space or I/O BAR file */
};

/* What decides the way out: the kernel's lockdown mode and who we are. */
struct vq_refusal_env {
	char lockdown[24]; /* "none", "integrity", "confidentiality"; "" when not known */
	int root;          /* effective UID 0 */
};

/* The running system's (/sys/kernel/security/lockdown, geteuid()). */
void vq_refusal_env_read(struct vq_refusal_env *env);

/*
 * The way out of errno @e from @op on @path under @env, as text to append
 * to a message (" (boot with iomem=relaxed ...)"), or "" when there is
 * none to give.  Never "run as root" to root.  Returns @buf.
 */
const char *vq_refusal_hint_env(const struct vq_refusal_env *env, const char *path, int e,
				enum vq_refusal_op op, char *buf, size_t len);
/* The same on the running system. */
const char *vq_refusal_hint(const char *path, int e, enum vq_refusal_op op, char *buf, size_t len);

#endif
