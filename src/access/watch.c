/* SPDX-License-Identifier: GPL-2.0-or-later */
/* watch's work on a session: the queues to follow, and one sample of one queue judged. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../decode/diag.h"
#include "ringview.h"
#include "watch.h"

void vq_watch_free(struct vq_watch_queue *w, size_t nw)
{
	size_t i;

	for (i = 0; i < nw; i++)
		vq_ring_view_free(&w[i].v);
	free(w);
}

int vq_watch_collect(struct vq_session *s, size_t first, size_t last, struct vq_watch_queue **out,
		     size_t *nout)
{
	struct vq_watch_queue *w = NULL, *nwk;
	size_t i, nw = 0;
	unsigned j;

	*out = NULL;
	*nout = 0;
	for (i = first; i < last; i++) {
		struct vq_dev *d = &s->devs.devs[i];

		if (vq_session_refresh(s, d) < 0) {
			vq_session_say(s, "%s", d->err);
			continue;
		}
		for (j = 0; j < d->num_queues; j++) {
			struct vq_queue_state *q = &d->queues[j];

			if (vq_queue_unreadable(d, q)) {
				/* Split indices only, so far (virtio 1.3 2.8). */
				if (vq_queue_ring_access(d, q, VQ_SIZE_IN_USE) == VQ_RING_PACKED)
					vq_session_say(s, "note: %s queue %u: packed ring: not watched yet",
						       d->name, q->index);
				continue;
			}
			nwk = realloc(w, (nw + 1) * sizeof(*w));
			if (nwk) {
				w = nwk;
				memset(&w[nw], 0, sizeof(w[nw]));
			}
			if (!nwk || vq_ring_view_alloc(&w[nw].v, q->size, 0)) {
				vq_watch_free(w, nw);
				return -ENOMEM;
			}
			w[nw].d = d;
			w[nw].q = q;
			vq_ring_view_of_queue(&w[nw].v, d, q);
			nw++;
		}
	}
	*out = w;
	*nout = nw;
	return 0;
}

int vq_watch_sample(struct vq_session *s, struct vq_watch_queue *q, double t, double dt,
		    struct vq_watch_row *row)
{
	struct vq_ring_hdr *h = &row->h;

	memset(row, 0, sizeof(*row));
	row->state = "ok";
	/* QEMU's side first, then guest RAM's: the device cannot be ahead of
	 * what the RAM read shows of it. */
	if (q->d->t == &vq_transport_qemu) {
		if (vq_qemu_queue_view(q->d, q->q->index, &q->dv) < 0) {
			vq_session_say(s, "warning: %s", q->d->err);
			memset(&q->dv, 0, sizeof(q->dv));
		}
		row->dv = &q->dv;
	}
	if (vq_ring_read_hdr(&s->fetch, &q->v.layout, h) < 0) {
		if (q->readable)
			vq_session_say(s, "warning: %s queue %u: %s", q->d->name, q->q->index,
				       s->mem.err);
		q->readable = 0;
		q->have_prev = 0;
		return -1;
	}
	q->readable = 1;
	if (q->have_prev && dt > 0) {
		row->ar = (uint16_t)(h->avail_idx - q->avail) * 1000.0 / dt;
		row->ur = (uint16_t)(h->used_idx - q->used) * 1000.0 / dt;
		row->rates = 1;
	}
	if (!q->have_prev || h->used_idx != q->used || !h->in_flight)
		q->progress_ms = t;
	row->idle = h->in_flight ? t - q->progress_ms : 0;
	if (h->in_flight > q->v.layout.size) {
		row->state = "bad-indices";
	} else if (h->in_flight && row->idle >= VQ_WATCH_STALL_MS) {
		/* Receive buffers may wait for traffic forever: only
		 * pending requests (device-readable bytes) count. */
		if (vq_ring_decode(&s->fetch, &q->v, 0) == 0 && vq_diag_requests(&q->v) &&
		    !vq_diag_held_by_design(q->d->device_id, q->q->index)) {
			row->stalled = 1;
			row->state = "STALLED";
		} else {
			row->state = "waiting";
		}
	} else if (h->in_flight) {
		row->state = "busy";
	} else {
		row->state = "idle";
	}
	q->avail = h->avail_idx;
	q->used = h->used_idx;
	q->have_prev = 1;
	return 0;
}

