/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Overlay accessor: one source read first, a second one for the addresses the first does not hold. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"

/* The two sources an overlay owns. */
struct overlay {
	struct vq_mem top;   /* read first; its segments are the overlay's */
	struct vq_mem under; /* read where @top says "not in" */
};

static int overlay_open(struct vq_mem *m, const char *arg)
{
	(void)arg;
	return vq_mem_fail(m, -EINVAL, "an overlay is built from two open sources, not opened by name");
}

static void overlay_close(struct vq_mem *m)
{
	struct overlay *o = m->priv;

	if (!o)
		return;
	vq_mem_close(&o->top);
	vq_mem_close(&o->under);
	free(o);
	m->priv = NULL;
}

static int overlay_read(struct vq_mem *m, uint64_t addr, void *buf, size_t len, const char *what)
{
	struct overlay *o = m->priv;
	int ret = vq_mem_read(&o->top, addr, buf, len, what);

	if (ret == -VQ_ENOTINDUMP && vq_mem_read(&o->under, addr, buf, len, what) == 0)
		return 0;
	/* The reason is the top source's: the other is only a fallback. */
	if (ret < 0)
		memcpy(m->err, o->top.err, sizeof(m->err));
	return ret;
}

const struct vq_mem_ops vq_mem_overlay = {
	.name = "overlay",
	.help = "one source, with a second for the addresses it lacks",
	.open = overlay_open,
	.close = overlay_close,
	.read = overlay_read,
};

int vq_mem_open_overlay(struct vq_mem *m, struct vq_mem *top, struct vq_mem *under)
{
	struct overlay *o = calloc(1, sizeof(*o));

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	m->ops = &vq_mem_overlay;
	if (o && top->nsegs)
		m->segs = malloc(top->nsegs * sizeof(*m->segs));
	if (top->path)
		m->path = strdup(top->path);
	if (!o || (top->nsegs && !m->segs) || (top->path && !m->path)) {
		free(o);
		vq_mem_close(m);
		return vq_mem_fail(m, -ENOMEM, "open %s: out of memory", top->path ? top->path : "memory");
	}
	/* Scans and lookups see the top source's ranges, as without the
	 * overlay, and kvq.c their kernel virtual addresses (vq_seg.vaddr). */
	if (top->nsegs)
		memcpy(m->segs, top->segs, top->nsegs * sizeof(*m->segs));
	m->nsegs = top->nsegs;
	m->where = top->where;
	m->claimed = top->claimed;
	m->missing = top->missing;
	o->top = *top;
	o->under = *under;
	m->priv = o;
	return 0;
}
