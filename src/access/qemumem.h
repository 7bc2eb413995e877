/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Memory source "qemu": what the transport and the session ask of it beyond struct vq_mem_ops. */
#ifndef VQDUMP_ACCESS_QEMUMEM_H
#define VQDUMP_ACCESS_QEMUMEM_H

#include "access.h"

struct vq_qmp;

/* The QMP connection of @m when it is open with vq_mem_qemu, else NULL. */
struct vq_qmp *vq_mem_qemu_qmp(const struct vq_mem *m);

/* 0 when @m's guest RAM can be read (or @m is not a QEMU source), else
 * -errno with m->err saying why and the way out (ptrace, not root). */
int vq_mem_qemu_ram(struct vq_mem *m);

#endif
