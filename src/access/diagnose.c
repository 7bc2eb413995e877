/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diagnose's work on a session: every device and queue read (live: twice), or every ring scan finds, and judged. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "../model/view.h"
#include "diagnose.h"
#include "ringview.h"

static void sample_of(const struct vq_ring_hdr *h, struct vq_diag_sample *s)
{
	s->valid = 1;
	s->full = 1;
	s->avail_idx = h->avail_idx;
	s->used_idx = h->used_idx;
	s->avail_flags = h->avail_flags;
	s->used_flags = h->used_flags;
	s->used_event = h->used_event;
	s->avail_event = h->avail_event;
}

/* One queue of a live device, decoded at both samples. */
struct qwork {
	struct vq_dev *d;
	struct vq_queue_state *q;
	struct vq_ring_view v1, v2;      /* a split ring's samples */
	struct vq_packed_view p1, p2;    /* a packed ring's (packed) */
	int packed;                      /* the device accepted VIRTIO_F_RING_PACKED */
	int ok1, ok2;
	unsigned samples;  /* live: samples taken (v1 the first, v2 the latest) */
	uint32_t seen_ms;  /* live: time from v1 to v2 */
	uint32_t slow_ms;  /* live: still for this long, then v2 saw used idx move; 0: not so */
};

static int moving(const struct vq_session *s);

/* Live, a packed ring's later sample: between two reads of Linux's
 * records of the queue, which name the pending requests after an
 * out-of-order completion (vq_session_packed_decode).  1 when decoded. */
static int decode_packed_live(struct vq_session *s, struct qwork *w, struct vq_packed_view *p)
{
	const char *state;
	char why[200];

	return vq_session_packed_decode(s, w->d, w->q, p, 0, &state, why, sizeof(why)) == 0;
}

/* Decode @w's ring into its first (@second 0) or later sample's view. */
static int decode(struct vq_session *s, struct qwork *w, int second)
{
	struct vq_ring_view *v = second ? &w->v2 : &w->v1;
	struct vq_packed_view *p = second ? &w->p2 : &w->p1;

	if (w->packed) {
		p->layout = (struct vq_packed_layout){ w->q->desc, w->q->avail, w->q->used, w->q->size };
		p->rv.device_id = w->d->device_id;
		/* Positions inferred from the slots at each sample; in an
		 * image, the driver's own next used slot (its record, read
		 * at the same instant) bounds the entries it has not taken. */
		p->avail.known = p->used.known = 0;
		p->drv_used = (struct vq_packed_pos){ 0, 0, 0 };
		/* With them, the driver's per-ID records name the pending
		 * requests after an out-of-order completion. */
		p->drv = !moving(s) && w->q->drv_valid ? w->q->drv_rec : NULL;
		if (!moving(s) && w->q->drv_valid)
			p->drv_used = (struct vq_packed_pos){ (uint16_t)(w->q->drv_last_used_idx & 0x7fff),
							      (uint8_t)(w->q->drv_last_used_idx >> 15), 1 };
		if (moving(s) && second)
			return decode_packed_live(s, w, p);
		return vq_packed_decode(&s->fetch, p, 0) == 0;
	}
	vq_ring_view_of_queue(v, w->d, w->q);
	return vq_ring_decode(&s->fetch, v, 0) == 0;
}

/* The used position or index moved from the first sample to the later one. */
static int used_moved(const struct qwork *w)
{
	if (w->packed)
		return w->p1.used.idx != w->p2.used.idx || w->p1.used.wrap != w->p2.used.wrap;
	return w->v1.hdr.used_idx != w->v2.hdr.used_idx;
}

/* NULL when queue @q of @d has a ring diagnose can read (split or
 * packed), else why not. */
static const char *unreadable(const struct vq_dev *d, const struct vq_queue_state *q)
{
	if (!vq_dev_packed(d))
		return vq_queue_unreadable(d, q);
	if (!q->desc || !q->avail || !q->used)
		return "ring addresses unknown";
	return vq_packed_size_problem(q->size);
}

static void free_work(struct qwork *work, size_t nw)
{
	size_t i;

	for (i = 0; i < nw; i++) {
		vq_ring_view_free(&work[i].v1);
		vq_ring_view_free(&work[i].v2);
		vq_packed_view_free(&work[i].p1);
		vq_packed_view_free(&work[i].p2);
	}
	free(work);
}

/* Room for one more queue in *@work; 0 or -ENOMEM. */
static int add_work(struct qwork **work, size_t nw, size_t *cap, struct vq_dev *d,
		    struct vq_queue_state *q)
{
	struct qwork *w;

	if (nw == *cap) {
		w = realloc(*work, (*cap ? 2 * *cap : 16) * sizeof(**work));
		if (!w)
			return -ENOMEM;
		*work = w;
		*cap = *cap ? 2 * *cap : 16;
	}
	w = &(*work)[nw];
	memset(w, 0, sizeof(*w));
	w->d = d;
	w->q = q;
	w->packed = vq_dev_packed(d);
	if (w->packed) {
		if (vq_packed_view_alloc(&w->p1, q->size, 0) ||
		    vq_packed_view_alloc(&w->p2, q->size, 0)) {
			vq_packed_view_free(&w->p1);
			return -ENOMEM;
		}
		return 0;
	}
	if (vq_ring_view_alloc(&w->v1, q->size, 0) || vq_ring_view_alloc(&w->v2, q->size, 0)) {
		vq_ring_view_free(&w->v1);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Every device in [@first, @last) of s->devs read again and checked on
 * its own; each queue whose ring can be read gets a work entry (*@work,
 * *@nw).  0 or -ENOMEM (the entries so far are kept for the caller to
 * free).
 */
static int collect_work(struct vq_session *s, size_t first, size_t last, struct vq_diagnosis *r,
			struct qwork **work, size_t *nw)
{
	size_t i, cap = 0;
	unsigned j;

	for (i = first; i < last; i++) {
		struct vq_dev *d = &s->devs.devs[i];

		/* Live: read the registers now; a snapshot's transport gives
		 * back what it saved. */
		if (vq_session_refresh(s, d) < 0) {
			vq_session_say(s, "%s", d->err);
			r->access_failed = 1;
			continue;
		}
		r->devices++;
		if (vq_dev_queues_unknown(d)) {
			/* Status only: nothing about queues can be said. */
			vq_session_say(s, "warning: %s: its queues are not checked: registers refused (%s) and Linux's records not read",
				       d->name, d->refused);
			r->access_failed = 1;
		}
		r->rep.device = d->name;
		r->rep.ring = 0;
		r->rep.size = 0;
		r->rep.guessed_type = 0;
		vq_diag_device(d, &r->rep);
		for (j = 0; j < d->num_queues; j++) {
			struct vq_queue_state *q = &d->queues[j];

			if (!q->enabled)
				continue;
			r->queues++;
			if (unreadable(d, q)) {
				r->skipped++;
				continue;
			}
			if (vq_session_need_mem(s)) {
				/* Said once; nothing about rings can be told. */
				r->access_failed = 1;
				r->skipped++;
				continue;
			}
			if (add_work(work, *nw, &cap, d, q) < 0)
				return -ENOMEM;
			(*nw)++;
		}
	}
	return 0;
}

/* 1 when the rings move while we look (the live system, a running QEMU):
 * they are sampled again after the interval. */
static int moving(const struct vq_session *s)
{
	return vq_session_is_live(s) || s->qemu;
}

/* One queue's samples judged: the second sample live, or the one the
 * snapshot saved. */
static void judge_queue(struct vq_session *s, struct vq_diagnosis *r, struct qwork *w)
{
	struct vq_diag_queue_in in;

	memset(&in, 0, sizeof(in));
	in.queue = w->q->index;
	in.device_id = w->d->device_id;
	in.size = w->q->size;
	in.event_idx = vq_dev_event_idx(w->d);
	in.image = !moving(s);
	in.dv = w->q->dv_valid ? w->q : NULL;
	in.dv_expected = s->qemu != NULL;
	in.drv = w->q->drv_valid ? w->q : NULL;
	/* A QEMU dump read through the kernel's records: QEMU finished the
	 * I/O it could before dumping, as for rings found by scan. */
	in.held_dump = !moving(s) && w->d->access == VQ_ACCESS_KERNEL && vq_mem_qemu_dump(&s->mem);
	sample_of(&w->v1.hdr, &in.s1);
	in.v = &w->v1;
	if (w->packed) {
		/* Its own rules (virtio 1.3 2.8): positions, not indices; a
		 * snapshot saved no second sample of a packed ring. */
		in.v = NULL;
		in.p = &w->p1;
		if (moving(s) && w->ok2) {
			in.p = &w->p2;
			in.p_first = &w->p1;
			in.interval_ms = w->seen_ms;
			in.nsamples = w->samples;
			in.slow_ms = w->slow_ms;
		}
	} else if (moving(s)) {
		if (w->ok2) {
			sample_of(&w->v2.hdr, &in.s2);
			in.v = &w->v2;
			in.v_other = &w->v1;
			in.interval_ms = w->seen_ms;
			in.nsamples = w->samples;
			in.slow_ms = w->slow_ms;
		}
	} else if (w->q->idx2_valid) {
		/* The snapshot's memory is the first sample; the second
		 * holds indices only. */
		in.s2.valid = 1;
		in.s2.avail_idx = w->q->avail_idx2;
		in.s2.used_idx = w->q->used_idx2;
		in.interval_ms = w->q->sample_ms;
	}
	r->rep.device = w->d->name;
	r->rep.ring = 0;
	r->rep.size = w->q->size;
	r->rep.guessed_type = 0;
	vq_diag_queue(&in, &r->rep);
}

/* Live: does @w look stalled so far (requests pending, used idx still)? */
static int looks_stalled(const struct qwork *w)
{
	const struct vq_ring_hdr *a = &w->v1.hdr, *b = &w->v2.hdr;

	if (w->packed)
		return w->ok1 && w->ok2 && !used_moved(w) && w->p1.rv.nchains &&
		       vq_diag_requests(&w->p2.rv) &&
		       !vq_diag_held_by_design(w->d->device_id, (int)w->q->index);
	return w->ok1 && w->ok2 && a->used_idx == b->used_idx && a->avail_idx != a->used_idx &&
	       b->avail_idx != b->used_idx && vq_diag_requests(&w->v2) &&
	       !vq_diag_held_by_design(w->d->device_id, (int)w->q->index);
}

/*
 * Live: the second sample of every queue @interval ms after the first;
 * then the queues that look stalled are sampled again every
 * VQ_DIAG_WATCH_STEP_MS until VQ_DIAG_WATCH_MS have passed since the
 * first sample.  One whose used idx moves meanwhile is slow, not stuck.
 */
static void later_samples(struct vq_session *s, struct qwork *work, size_t nw, unsigned interval)
{
	uint32_t t = interval;
	size_t i;
	int watching = 0;

	for (i = 0; i < nw; i++) {
		work[i].samples = 1;
		if (!work[i].ok1)
			continue;
		work[i].ok2 = decode(s, &work[i], 1);
		work[i].samples = 2;
		work[i].seen_ms = t;
		watching |= looks_stalled(&work[i]);
	}
	while (watching && t < VQ_DIAG_WATCH_MS) {
		vq_sleep_ms(VQ_DIAG_WATCH_STEP_MS);
		t += VQ_DIAG_WATCH_STEP_MS;
		watching = 0;
		for (i = 0; i < nw; i++) {
			struct qwork *w = &work[i];

			if (!looks_stalled(w))
				continue;
			/* The ring went unreadable while watched: judged on
			 * its first sample alone. */
			if (!decode(s, w, 1)) {
				w->ok2 = 0;
				continue;
			}
			w->samples++;
			if (used_moved(w))
				w->slow_ms = w->seen_ms;
			w->seen_ms = t;
			watching |= looks_stalled(w);
		}
	}
}

/* Say once that memory the rings point at is not in the image. */
static void say_missing(struct vq_session *s, const struct vq_diagnosis *r)
{
	if (r->rep.not_in_source)
		vq_session_say(s, "warning: diagnose: %u finding%s of memory missing from the image (DESC_UNREADABLE, RING_UNREADABLE): the result is inconclusive",
			       r->rep.not_in_source, r->rep.not_in_source == 1 ? "" : "s");
}

/* A truncated dump cannot show the guest healthy: say so once and make
 * the result inconclusive. */
static void note_truncation(struct vq_session *s, struct vq_diagnosis *r)
{
	char why[128];

	if (!s->mem_open || r->missing || !vq_mem_truncation(&s->mem, why, sizeof(why)))
		return;
	r->missing = s->mem.missing;
	vq_session_say(s, "warning: %s is %s: what was there cannot be checked", s->mem.path, why);
}

int vq_diagnose_devices(struct vq_session *s, size_t first, size_t last, unsigned interval,
			struct vq_diagnosis *r)
{
	struct qwork *work = NULL;
	size_t i, nw = 0;
	int ret;

	ret = collect_work(s, first, last, r, &work, &nw);
	note_truncation(s, r);
	if (ret)
		goto out;
	for (i = 0; i < nw; i++) {
		work[i].ok1 = decode(s, &work[i], 0);
		if (!work[i].ok1) {
			vq_session_say(s, "warning: %s queue %u: ring not readable: %s", work[i].d->name,
				       work[i].q->index, s->mem.err);
			r->access_failed = 1;
		}
	}
	/* A source that recorded a second sample (a snapshot) needs no wait. */
	if (moving(s) && nw) {
		vq_sleep_ms(interval);
		later_samples(s, work, nw, interval);
	}
	for (i = 0; i < nw; i++) {
		if (!work[i].ok1)
			r->skipped++;
		else
			judge_queue(s, r, &work[i]);
	}
	say_missing(s, r);
out:
	free_work(work, nw);
	return ret;
}

int vq_diagnose_scan(struct vq_session *s, struct vq_diagnosis *r)
{
	struct vq_scan_hit *hits = NULL;
	/* Packed rings are looked for too, so that a split candidate lying on
	 * one loses to it, but only split rings are judged here. */
	struct vq_scan_opts o = { 4096, 1, VQ_RING_MAX_SIZE, 1 };
	size_t i, nhits = 0;
	int ret, held;

	if (vq_session_need_mem(s))
		return -EIO;
	note_truncation(s, r);
	if (vq_mem_zero_fill(&s->mem))
		vq_session_say(s, "note: 0x%llx bytes of zero fill in %s not searched: no ring can start in zeroes",
			       (unsigned long long)vq_mem_zero_fill(&s->mem), s->mem.path);
	held = vq_mem_qemu_dump(&s->mem);
	hits = calloc(VQ_DIAG_MAX_HITS, sizeof(*hits));
	if (!hits || (ret = vq_mem_scan(&s->mem, &o, hits, VQ_DIAG_MAX_HITS, &nhits)) < 0) {
		ret = -ENOMEM;
		goto out;
	}
	if (ret)
		vq_session_say(s, "warning: diagnose: more than %d ring candidates; the rest not checked",
			       VQ_DIAG_MAX_HITS);
	ret = 0;
	for (i = 0; i < nhits; i++) {
		struct vq_ring_view v;
		struct vq_diag_queue_in in;

		/* A low-confidence candidate may be any bytes: its "findings"
		 * would be noise. */
		if (hits[i].confidence == VQ_CONF_LOW || hits[i].packed)
			continue;
		r->queues++;
		if (vq_ring_view_alloc(&v, hits[i].layout.size, 0)) {
			ret = -ENOMEM;
			goto out;
		}
		v.layout = hits[i].layout;
		if (vq_ring_decode(&s->fetch, &v, 0) == 0) {
			memset(&in, 0, sizeof(in));
			in.queue = -1;
			in.size = v.layout.size;
			in.v = &v;
			in.event_idx = -1;
			in.held_dump = held;
			in.image = 1;
			sample_of(&v.hdr, &in.s1);
			r->rep.device = NULL;
			r->rep.ring = v.layout.desc;
			r->rep.size = v.layout.size;
			r->rep.guessed_type = vq_diag_guess_type(&v);
			vq_diag_queue(&in, &r->rep);
		} else {
			r->skipped++;
		}
		vq_ring_view_free(&v);
	}
	say_missing(s, r);
out:
	free(hits);
	return ret;
}
