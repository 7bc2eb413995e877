/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stuck-queue findings of a packed ring: progress from positions and wrap counters, the device's fetch point from its event area. */
#include <linux/virtio_ring.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"

/* Slots from position @a forward to position @b. */
static uint32_t pdist(const struct vq_packed_pos *a, const struct vq_packed_pos *b, uint32_t n)
{
	return vq_packed_distance(a, b, n);
}

static int same_pos(const struct vq_packed_pos *a, const struct vq_packed_pos *b)
{
	return a->idx == b->idx && a->wrap == b->wrap;
}

/* What the device event area says the device has fetched.  QEMU keeps
 * it, in desc mode, at the next slot it will look at (2.8.14: notify me
 * when that descriptor is made available); trusted only when it lies
 * between the used and the avail position, as avail_event for a split
 * ring. */
struct ptaken {
	int known;        /* desc mode, inside the pending range */
	uint32_t slots;   /* slots from the used position to the event offset */
	unsigned chains;  /* pending chains starting in those slots */
	unsigned untaken; /* pending chains after them */
	char ids[64];     /* the Buffer IDs of the taken chains, "3, 7, ..." */
};

static void append_id(char *b, size_t len, unsigned k, uint16_t id)
{
	size_t at = strlen(b);

	if (k < 6)
		snprintf(b + at, len - at, "%s%u", k ? ", " : "", id);
	else if (k == 6)
		snprintf(b + at, len - at, ", ...");
}

static void find_taken(const struct vq_packed_view *v, struct ptaken *t)
{
	uint32_t n = v->layout.size, i;
	struct vq_packed_pos e;

	memset(t, 0, sizeof(*t));
	t->untaken = v->rv.nchains;
	if ((v->device_event.flags & 3) != VRING_PACKED_EVENT_FLAG_DESC)
		return;
	e.idx = v->device_event.off_wrap & 0x7fff;
	e.wrap = (uint8_t)(v->device_event.off_wrap >> 15);
	if (e.idx >= n || pdist(&v->used, &e, n) > pdist(&v->used, &v->avail, n))
		return;
	t->known = 1;
	t->slots = pdist(&v->used, &e, n);
	for (i = 0; i < v->rv.nchains; i++) {
		const struct vq_chain *c = &v->rv.chains[i];

		/* A chain from the driver's records lost its slot to a used
		 * descriptor: the device had read it, so took it. */
		if (!c->from_driver && (c->slot + n - v->used.idx) % n >= t->slots)
			continue;
		append_id(t->ids, sizeof(t->ids), t->chains, c->id);
		t->chains++;
	}
	t->untaken = v->rv.nchains - t->chains;
}

/* The numbers behind a packed progress finding: positions at the latest
 * sample @b (and, with two, how long and how many samples). */
static void add_positions(struct vq_diag_finding *f, const struct vq_diag_queue_in *in,
			  const struct vq_packed_view *b)
{
	vq_diag_ev(f, "next_avail", b->avail.idx, 0);
	vq_diag_ev(f, "avail_wrap_counter", b->avail.wrap, 0);
	vq_diag_ev(f, "next_used", b->used.idx, 0);
	vq_diag_ev(f, "used_wrap_counter", b->used.wrap, 0);
	vq_diag_ev(f, "device_event_off_wrap", b->device_event.off_wrap, 1);
	vq_diag_ev(f, "in_flight", b->rv.nchains, 0);
	if (in->p_first) {
		vq_diag_ev(f, "interval_ms", in->interval_ms, 0);
		vq_diag_ev(f, "samples", vq_diag_samples_of(in), 0);
	}
}

/* One sample (an image): requests held through a QEMU dump, or pending. */
static void packed_one(const struct vq_diag_queue_in *in, const struct ptaken *t, unsigned reqs,
		       struct vq_diag_report *r)
{
	const struct vq_packed_view *b = in->p;
	struct vq_diag_finding *f;

	if (in->held_dump && t->known && t->chains) {
		f = vq_diag_add(r, in->queue, "NOT_COMPLETING", VQ_SEV_WARNING,
				"the device took %u request%s (ID %s: from slot %u to the device's event offset %u) and had not completed them when QEMU dumped memory; QEMU finishes the I/O it can before a dump, so these were held",
				t->chains, t->chains == 1 ? "" : "s", t->ids, b->used.idx,
				b->device_event.off_wrap & 0x7fff);
		add_positions(f, in, b);
		return;
	}
	f = vq_diag_add(r, in->queue, "PENDING_AT_DUMP", VQ_SEV_INFO,
			"%u request%s pending in this image%s%s%s; one sample cannot tell a stuck queue from a busy one",
			reqs, reqs == 1 ? "" : "s", t->known && t->chains ? " (taken by the device: ID " : "",
			t->known && t->chains ? t->ids : "", t->known && t->chains ? ")" : "");
	add_positions(f, in, b);
	vq_diag_ev(f, "taken", t->known ? t->chains : 0, 0);
}

/* Two samples, used position unmoved: NOT_COMPLETING, NOT_CONSUMING where
 * the device event area shows the fetch point, else NO_NOTIFY_PENDING or
 * STALLED. */
static void packed_two(const struct vq_diag_queue_in *in, const struct ptaken *t, unsigned reqs,
		       struct vq_diag_report *r)
{
	const struct vq_packed_view *a = in->p_first, *b = in->p;
	const int trusted = t->known && a->device_event.off_wrap == b->device_event.off_wrap &&
			    a->device_event.flags == b->device_event.flags;
	struct vq_diag_finding *f;

	if (trusted && t->chains) {
		f = vq_diag_add(r, in->queue, "NOT_COMPLETING", VQ_SEV_WARNING,
				"%s: the device took %u request%s (ID %s: from slot %u to the device's event offset %u) and completed none in %u ms (%u samples)",
				vq_diag_verdict(in), t->chains, t->chains == 1 ? "" : "s", t->ids,
				b->used.idx, b->device_event.off_wrap & 0x7fff, in->interval_ms,
				vq_diag_samples_of(in));
		add_positions(f, in, b);
		vq_diag_ev(f, "taken", t->chains, 0);
	}
	if (trusted && t->untaken) {
		f = vq_diag_add(r, in->queue, "NOT_CONSUMING", VQ_SEV_WARNING,
				"%s: %u available request%s from the device's event offset %u on not fetched in %u ms (%u samples); making that slot available obliged the driver to notify (2.8.14, desc mode): a lost notification or a device that stopped looking",
				vq_diag_verdict(in), t->untaken, t->untaken == 1 ? "" : "s",
				b->device_event.off_wrap & 0x7fff, in->interval_ms, vq_diag_samples_of(in));
		add_positions(f, in, b);
	}
	if (trusted)
		return;
	if ((a->device_event.flags & 3) == VRING_PACKED_EVENT_FLAG_DISABLE &&
	    (b->device_event.flags & 3) == VRING_PACKED_EVENT_FLAG_DISABLE) {
		f = vq_diag_add(r, in->queue, "NO_NOTIFY_PENDING", VQ_SEV_WARNING,
				"%s: the device disabled available buffer notifications (device event area, mode disable) and %u request%s waited %u ms (%u samples) with none completed: a device that suppresses notifications must be polling, and is not",
				vq_diag_verdict(in), reqs, reqs == 1 ? "" : "s", in->interval_ms,
				vq_diag_samples_of(in));
		add_positions(f, in, b);
		return;
	}
	f = vq_diag_add(r, in->queue, "STALLED", VQ_SEV_WARNING,
			"%s: %u request%s pending and none completed in %u ms (%u samples); the device event area (mode %s) does not show which the device fetched",
			vq_diag_verdict(in), b->rv.nchains, b->rv.nchains == 1 ? "" : "s", in->interval_ms,
			vq_diag_samples_of(in), vq_pevent_mode_name(b->device_event.flags));
	add_positions(f, in, b);
}

/* A position Linux keeps as slot | wrap counter << 15. */
static struct vq_packed_pos drv_pos(uint16_t v)
{
	struct vq_packed_pos p = { (uint16_t)(v & 0x7fff), (uint8_t)(v >> 15), 1 };

	return p;
}

/*
 * DRIVER_VIEW of a packed queue in an image: the driver's own positions
 * (Linux's vring_virtqueue) beside the ring's: used slots the device wrote
 * that the driver has not taken (from its last_used_idx to the ring's used
 * position), requests the device has not completed.  QUEUE_BROKEN as for
 * a split queue.
 */
static void packed_driver_view(const struct vq_diag_queue_in *in, struct vq_diag_report *r)
{
	const struct vq_queue_state *q = in->drv;
	const struct vq_packed_view *b = in->p;
	uint32_t n = b->layout.size;
	struct vq_packed_pos du = drv_pos(q->drv_last_used_idx), da = drv_pos(q->drv_avail_idx);
	uint32_t unseen = du.idx < n ? pdist(&du, &b->used, n) : 0;
	struct vq_diag_finding *f;

	/* An idle queue's record, or one whose pending chains are no
	 * requests (a receive queue's posted buffers), says nothing worth a
	 * line. */
	if (!unseen && !q->drv_broken &&
	    (!vq_diag_requests(&b->rv) || vq_diag_held_by_design(in->device_id, in->queue)))
		return;
	f = vq_diag_add(r, in->queue, "DRIVER_VIEW", VQ_SEV_INFO,
			"driver (its vring_virtqueue in kernel memory): next avail slot %u (wrap %u)%s, takes used entries from slot %u (wrap %u): the device wrote %u used slot%s the driver has not looked at, and has not completed %u request%s (ring: used position %u, wrap %u); %u descriptor%s free; callbacks %s, event index %s",
			da.idx, da.wrap, same_pos(&da, &b->avail) ? ", the ring's" : ", NOT the ring's avail position",
			du.idx, du.wrap, unseen, unseen == 1 ? "" : "s", b->rv.nchains,
			b->rv.nchains == 1 ? "" : "s", b->used.idx, b->used.wrap, q->drv_num_free,
			q->drv_num_free == 1 ? "" : "s", q->drv_callbacks ? "on" : "off",
			q->drv_event_idx ? "in use" : "not used");
	vq_diag_ev(f, "next_avail", b->avail.idx, 0);
	vq_diag_ev(f, "next_used", b->used.idx, 0);
	vq_diag_ev(f, "driver_next_avail", da.idx, 0);
	vq_diag_ev(f, "driver_avail_wrap_counter", da.wrap, 0);
	vq_diag_ev(f, "driver_next_used", du.idx, 0);
	vq_diag_ev(f, "driver_used_wrap_counter", du.wrap, 0);
	vq_diag_ev(f, "driver_num_free", q->drv_num_free, 0);
	vq_diag_ev(f, "completed_not_seen", unseen, 0);
	vq_diag_ev(f, "not_completed", b->rv.nchains, 0);
	if (!q->drv_broken)
		return;
	f = vq_diag_add(r, in->queue, "QUEUE_BROKEN", VQ_SEV_ERROR,
			"Linux marked the queue broken (its vring_virtqueue's broken flag): the driver neither adds requests nor takes completions any more");
	vq_diag_ev(f, "driver_broken", 1, 0);
}

void vq_diag_packed_progress(const struct vq_diag_queue_in *in, struct vq_diag_report *r)
{
	const struct vq_packed_view *b = in->p, *a = in->p_first ? in->p_first : in->p;
	uint32_t n = b->layout.size;
	unsigned reqs = vq_diag_requests(&b->rv);
	struct vq_diag_finding *f;
	struct ptaken t;

	/* Positions are known only when every slot was read. */
	if (!n || a->nslots < n || b->nslots < n)
		return;
	if (in->image && in->drv && in->drv->drv_valid)
		packed_driver_view(in, r);
	if (!same_pos(&a->used, &b->used)) {
		if (!in->slow_ms)
			return;
		f = vq_diag_add(r, in->queue, "SLOW", VQ_SEV_INFO,
				"slow, not stuck: requests pending and none completed for %u ms, then the device used %u slot%s (its used position moved by the sample %u ms after the first)",
				in->slow_ms, pdist(&a->used, &b->used, n),
				pdist(&a->used, &b->used, n) == 1 ? "" : "s", in->interval_ms);
		add_positions(f, in, b);
		return;
	}
	if (!a->rv.nchains || !b->rv.nchains || !reqs)
		return;
	if (vq_diag_held_by_design(in->device_id, in->queue))
		return;
	if (!in->device_id && b->rv.nchains == 1 && vq_diag_looks_like_stats(&b->rv.chains[0]))
		return;
	find_taken(b, &t);
	if (!in->p_first)
		packed_one(in, &t, reqs, r);
	else
		packed_two(in, &t, reqs, r);
}
