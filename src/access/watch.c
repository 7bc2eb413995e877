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

	for (i = 0; i < nw; i++) {
		vq_ring_view_free(&w[i].v);
		vq_packed_view_free(&w[i].p);
	}
	free(w);
}

/* NULL when queue @q of @d has a ring watch can read (split or packed),
 * else why not. */
static const char *unreadable(const struct vq_dev *d, const struct vq_queue_state *q)
{
	if (!vq_dev_packed(d))
		return vq_queue_unreadable(d, q);
	if (!q->enabled)
		return "not enabled";
	if (!q->desc || !q->avail || !q->used)
		return "ring addresses unknown";
	return vq_packed_size_problem(q->size);
}

/* @w's view for queue @q of @d: split or packed.  0 or -ENOMEM. */
static int view_alloc(struct vq_watch_queue *w, const struct vq_dev *d,
		      const struct vq_queue_state *q)
{
	w->packed = vq_dev_packed(d);
	if (!w->packed)
		return vq_ring_view_alloc(&w->v, q->size, 0);
	if (vq_packed_view_alloc(&w->p, q->size, 0) < 0)
		return -ENOMEM;
	w->p.layout = (struct vq_packed_layout){ q->desc, q->avail, q->used, q->size };
	w->p.rv.device_id = d->device_id;
	return 0;
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

			if (unreadable(d, q))
				continue;
			nwk = realloc(w, (nw + 1) * sizeof(*w));
			if (nwk) {
				w = nwk;
				memset(&w[nw], 0, sizeof(w[nw]));
			}
			if (!nwk || view_alloc(&w[nw], d, q)) {
				vq_watch_free(w, nw + (nwk != NULL));
				return -ENOMEM;
			}
			w[nw].d = d;
			w[nw].q = q;
			/* QEMU's view was read with the device, just now and
			 * before the ring: the first sample's (one QMP round
			 * trip a queue saved, bench/host-status.sh). */
			if (d->t == &vq_transport_qemu) {
				w[nw].dv = *q;
				w[nw].dv_fresh = 1;
			}
			vq_ring_view_of_queue(&w[nw].v, d, q);
			nw++;
		}
	}
	*out = w;
	*nout = nw;
	return 0;
}

/* The state of a queue with @infl chains in flight, @reqs of them
 * requests, idle for row->idle ms. */
static void judge_row(const struct vq_watch_queue *q, unsigned infl, int reqs,
		      struct vq_watch_row *row)
{
	if (infl && row->idle >= VQ_WATCH_STALL_MS) {
		/* Receive buffers may wait for traffic forever: only
		 * pending requests (device-readable bytes) count. */
		if (reqs && !vq_diag_held_by_design(q->d->device_id, q->q->index)) {
			row->stalled = 1;
			row->state = "STALLED";
		} else {
			row->state = "waiting";
		}
	} else {
		row->state = infl ? "busy" : "idle";
	}
}

/* A packed ring's sample: the whole ring decoded, its positions inferred
 * from the slots (2.8.1); progress is the used position moving. */
static int packed_sample(struct vq_session *s, struct vq_watch_queue *q, double t, double dt,
			 struct vq_watch_row *row)
{
	struct vq_packed_view *p = &q->p;
	uint32_t n = p->layout.size;

	p->avail.known = p->used.known = 0;
	if (vq_packed_decode(&s->fetch, p, 0) < 0 || p->nslots < n) {
		if (q->readable)
			vq_session_say(s, "warning: %s queue %u: %s", q->d->name, q->q->index,
				       s->mem.err);
		q->readable = 0;
		q->have_prev = 0;
		return -1;
	}
	q->readable = 1;
	row->packed = 1;
	row->pavail = p->avail;
	row->pused = p->used;
	row->h.in_flight = (uint16_t)p->rv.nchains;
	if (q->have_prev && dt > 0) {
		row->ar = vq_packed_distance(&q->pavail, &p->avail, n) * 1000.0 / dt;
		row->ur = vq_packed_distance(&q->pused, &p->used, n) * 1000.0 / dt;
		row->rates = 1;
	}
	if (!q->have_prev || vq_packed_distance(&q->pused, &p->used, n) || !p->rv.nchains)
		q->progress_ms = t;
	row->idle = p->rv.nchains ? t - q->progress_ms : 0;
	judge_row(q, p->rv.nchains, vq_diag_requests(&p->rv) != 0, row);
	q->pavail = p->avail;
	q->pused = p->used;
	q->have_prev = 1;
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
		if (q->dv_fresh)
			q->dv_fresh = 0;
		else if (vq_qemu_queue_view(q->d, q->q->index, &q->dv) < 0) {
			vq_session_say(s, "warning: %s", q->d->err);
			memset(&q->dv, 0, sizeof(q->dv));
		}
		row->dv = &q->dv;
	}
	if (q->packed)
		return packed_sample(s, q, t, dt, row);
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
	if (h->in_flight > q->v.layout.size)
		row->state = "bad-indices";
	else
		judge_row(q, h->in_flight,
			  h->in_flight && row->idle >= VQ_WATCH_STALL_MS &&
				  vq_ring_decode(&s->fetch, &q->v, 0) == 0 && vq_diag_requests(&q->v),
			  row);
	q->avail = h->avail_idx;
	q->used = h->used_idx;
	q->have_prev = 1;
	return 0;
}

