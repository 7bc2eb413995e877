/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A device's queues as rings to decode: which can be read, and ring views with their arrays allocated. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_ring.h>

#include "ringview.h"

int vq_ring_view_alloc(struct vq_ring_view *v, uint32_t size, unsigned recent)
{
	unsigned nch, npool, nfind;

	memset(v, 0, sizeof(*v));
	vq_ring_view_sizes(size, recent, &nch, &npool, &nfind);
	v->max_chains = nch;
	v->max_used = recent;
	v->pool_len = npool;
	v->max_findings = nfind;
	v->chains = calloc(nch ? nch : 1, sizeof(*v->chains));
	v->used = calloc(recent ? recent : 1, sizeof(*v->used));
	v->pool = calloc(npool, sizeof(*v->pool));
	v->findings = calloc(nfind, sizeof(*v->findings));
	if (!v->chains || !v->used || !v->pool || !v->findings) {
		vq_ring_view_free(v);
		return -ENOMEM;
	}
	return 0;
}

void vq_ring_view_free(struct vq_ring_view *v)
{
	free(v->chains);
	free(v->used);
	free(v->pool);
	free(v->findings);
	v->chains = NULL;
	v->used = NULL;
	v->pool = NULL;
	v->findings = NULL;
}

void vq_ring_view_of_queue(struct vq_ring_view *v, const struct vq_dev *d,
			   const struct vq_queue_state *q)
{
	v->layout = (struct vq_ring_layout){ q->desc, q->avail, q->used, q->size, 0 };
	v->device_id = d->device_id;
}

const char *vq_queue_unreadable(const struct vq_dev *d, const struct vq_queue_state *q)
{
	if (!q->enabled)
		return "not enabled";
	if (!q->desc || !q->avail || !q->used)
		return "ring addresses unknown";
	/* VIRTIO_F_RING_PACKED (bit 34). */
	if (vq_feature_has(d->driver_features, 34))
		return "packed ring";
	if (!q->size || vq_ring_size_problem(q->size))
		return "no valid size";
	return NULL;
}

int vq_dev_event_idx(const struct vq_dev *d)
{
	if (d->driver_features_src == VQ_SRC_NONE || d->driver_features_src == VQ_SRC_ASSUMED)
		return -1;
	return vq_feature_has(d->driver_features, VIRTIO_RING_F_EVENT_IDX);
}
