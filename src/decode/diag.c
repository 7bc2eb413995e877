/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stuck-queue findings: each check names what it saw, and stays silent where the evidence cannot tell. */
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"

/* Status bits the UAPI header lacks (virtio 1.3, 2.1). */
#ifndef VIRTIO_CONFIG_S_NEEDS_RESET
#define VIRTIO_CONFIG_S_NEEDS_RESET 0x40
#endif

struct vq_diag_finding *vq_diag_add(struct vq_diag_report *r, int queue, const char *code,
				    enum vq_severity sev, const char *fmt, ...)
{
	struct vq_diag_finding *f;
	va_list ap;

	if (r->n >= r->max) {
		r->dropped++;
		return NULL;
	}
	f = &r->f[r->n++];
	memset(f, 0, sizeof(*f));
	f->device = r->device;
	f->ring = r->ring;
	f->size = r->size;
	f->guessed_type = r->guessed_type;
	f->queue = queue;
	f->code = code;
	f->severity = sev;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
	return f;
}

void vq_diag_ev(struct vq_diag_finding *f, const char *key, uint64_t value, int hex)
{
	if (!f || f->nev >= VQ_DIAG_EV_MAX)
		return;
	f->ev[f->nev].key = key;
	f->ev[f->nev].value = value;
	f->ev[f->nev].hex = (uint8_t)hex;
	f->nev++;
}

unsigned vq_diag_count_sev(const struct vq_diag_report *r, enum vq_severity min)
{
	unsigned i, n = 0;

	for (i = 0; i < r->n; i++)
		if (r->f[i].severity >= min)
			n++;
	return n;
}

/* Is a VERSION_1 driver (one that must set FEATURES_OK) driving @d? */
static int modern_driver(const struct vq_dev *d)
{
	if (vq_dev_driver_features_known(d))
		return vq_feature_has(d->driver_features, VIRTIO_F_VERSION_1);
	/* Driver features unknown: a device without a legacy interface can
	 * only be driven through the 1.x registers (virtio-pci IDs 0x1040 and
	 * up are non-transitional, 4.1.2.1; virtio-mmio version 2, 4.2.4). */
	if (d->kind == VQ_T_PCI && d->pci_device >= 0x1040)
		return 1;
	return d->kind == VQ_T_MMIO && d->mmio_version == 2;
}

/* Can a zero address be told from "not readable back"? */
static int addrs_readable(const struct vq_dev *d, const struct vq_queue_state *q)
{
	if (q->addr_src == VQ_SRC_KERNEL)
		return 1;
	/* virtio-mmio v2: QueueDesc/Driver/Device are write-only. */
	return !(d->kind == VQ_T_MMIO && d->mmio_version == 2);
}

static void queue_regs(const struct vq_dev *d, const struct vq_queue_state *q,
		       struct vq_diag_report *r)
{
	struct vq_diag_finding *f;
	int legacy = d->kind == VQ_T_PCI_LEGACY || (d->kind == VQ_T_MMIO && d->mmio_version == 1);
	int packed = vq_dev_packed(d);
	const char *why;

	if (!q->enabled)
		return;
	if (addrs_readable(d, q) && (!q->desc || !q->avail || !q->used)) {
		f = vq_diag_add(r, q->index, "QUEUE_ADDR_ZERO", VQ_SEV_ERROR,
				"queue enabled with a zero ring address: the device would use guest-physical address 0");
		vq_diag_ev(f, "desc", q->desc, 1);
		vq_diag_ev(f, "avail", q->avail, 1);
		vq_diag_ev(f, "used", q->used, 1);
		return;
	}
	if (q->desc && !packed) {
		/* 2.7: descriptor table 16, available ring 2, used ring 4;
		 * the legacy interface puts the table on a 4096 boundary
		 * (2.7.2, PFN registers). */
		uint64_t da = legacy ? VQ_ALIGN_LEGACY : 16;

		if (q->desc % da || q->avail % 2 || q->used % 4) {
			f = vq_diag_add(r, q->index, "QUEUE_MISALIGNED", VQ_SEV_ERROR,
					"ring parts misaligned: the descriptor table needs %llu-byte, the available ring 2-byte, the used ring 4-byte alignment (2.7)",
					(unsigned long long)da);
			vq_diag_ev(f, "desc", q->desc, 1);
			vq_diag_ev(f, "avail", q->avail, 1);
			vq_diag_ev(f, "used", q->used, 1);
		}
	}
	if (q->size_src != VQ_SRC_REGISTERS && q->size_src != VQ_SRC_KERNEL)
		return;
	why = packed ? (q->size == 0 || q->size > VQ_RING_MAX_SIZE ? "queue size 0 or over 32768" : NULL)
		     : vq_ring_size_problem(q->size);
	if (!why && q->max_size && q->size > q->max_size)
		why = "queue size larger than the device's maximum";
	if (why) {
		f = vq_diag_add(r, q->index, "QUEUE_SIZE_INVALID", VQ_SEV_ERROR,
				packed ? "%s (a packed ring's size is 1 to 32768, any number, at most the device's maximum; 2.8)"
				       : "%s (a split ring's size is a power of two up to 32768, at most the device's maximum; 2.7)",
				why);
		vq_diag_ev(f, "size", q->size, 0);
		vq_diag_ev(f, "max_size", q->max_size, 0);
	}
}

void vq_diag_device(const struct vq_dev *d, struct vq_diag_report *r)
{
	struct vq_diag_finding *f;
	const uint8_t st = d->status;
	unsigned i;

	if (st & VIRTIO_CONFIG_S_FAILED) {
		f = vq_diag_add(r, -1, "DEVICE_FAILED", VQ_SEV_ERROR,
				"the driver gave up on the device (status FAILED, 2.1): it will not be used until reset");
		vq_diag_ev(f, "status", st, 1);
	}
	if (st & VIRTIO_CONFIG_S_NEEDS_RESET) {
		f = vq_diag_add(r, -1, "DEVICE_NEEDS_RESET", VQ_SEV_ERROR,
				"the device hit an error it cannot recover from (status DEVICE_NEEDS_RESET, 2.1.2): it will complete nothing until the driver resets it");
		vq_diag_ev(f, "status", st, 1);
	}
	if ((st & VIRTIO_CONFIG_S_DRIVER_OK) && !(st & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    modern_driver(d)) {
		f = vq_diag_add(r, -1, "DRIVER_OK_WITHOUT_FEATURES_OK", VQ_SEV_ERROR,
				"DRIVER_OK set without FEATURES_OK on a VERSION_1 device: feature negotiation never completed (3.1.1)");
		vq_diag_ev(f, "status", st, 1);
		vq_diag_ev(f, "driver_features_lo", d->driver_features[0], 1);
		vq_diag_ev(f, "driver_features_hi", d->driver_features[1], 1);
	}
	/* A live transport reports its kernel driver; with none bound, a
	 * non-zero status was left by someone else: firmware (SeaBIOS drives
	 * virtio-blk/scsi to boot), a boot loader, or a user-space driver. */
	if ((st & (VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_DRIVER_OK)) &&
	    !d->driver[0] && d->access != VQ_ACCESS_SYSFS && d->access != VQ_ACCESS_QMP &&
	    d->access != VQ_ACCESS_KERNEL) {
		int live = st & VIRTIO_CONFIG_S_DRIVER_OK;

		f = vq_diag_add(r, -1, "NO_DRIVER_INITIALISED", live ? VQ_SEV_WARNING : VQ_SEV_INFO,
				live ? "device is live (DRIVER_OK) but no kernel driver is bound: state left by firmware (e.g. SeaBIOS), a boot loader or a user-space driver; its rings may sit in memory the OS now uses"
				     : "device was partly initialised but no kernel driver is bound: left by firmware or a user-space driver (not live: no DRIVER_OK)");
		vq_diag_ev(f, "status", st, 1);
		for (i = 0; i < d->num_queues && f; i++)
			if (d->queues[i].enabled && d->queues[i].desc) {
				vq_diag_ev(f, "queue", i, 0);
				vq_diag_ev(f, "desc", d->queues[i].desc, 1);
				if (d->queues[i].idx_valid) {
					vq_diag_ev(f, "avail_idx", d->queues[i].avail_idx, 0);
					vq_diag_ev(f, "used_idx", d->queues[i].used_idx, 0);
				}
				break;
			}
	}
	for (i = 0; i < d->num_queues; i++)
		queue_regs(d, &d->queues[i], r);
}

int vq_diag_held_by_design(uint32_t device_id, int queue)
{
	/* virtio-balloon statsq (5.5.2): the device returns the stats buffer
	 * only when it wants new statistics. */
	return device_id == VIRTIO_ID_BALLOON && queue == 2;
}

/* A balloon stats buffer seen without knowing the device (scan): one
 * device-readable descriptor of whole 10-byte statistics (5.5.6.3). */
int vq_diag_looks_like_stats(const struct vq_chain *c)
{
	return c->ndesc == 1 && !(c->descs[0].flags & VRING_DESC_F_WRITE) && c->descs[0].len &&
	       c->descs[0].len % 10 == 0 && c->descs[0].len <= 160;
}

uint32_t vq_diag_guess_type(const struct vq_ring_view *v)
{
	unsigned i, blk = 0, stats = 0;

	for (i = 0; v && i < v->nchains; i++) {
		const struct vq_chain *c = &v->chains[i];

		/* A 16-byte header of a known request type, a status byte last. */
		if (c->req.kind == VQ_REQ_BLK && vq_blk_type_name(c->req.u.blk.type))
			blk++;
		else if (vq_diag_looks_like_stats(c))
			stats++;
	}
	if (blk && !stats)
		return VIRTIO_ID_BLOCK;
	/* The balloon's statsq holds one buffer. */
	if (stats == 1 && v->nchains == 1)
		return VIRTIO_ID_BALLOON;
	return 0;
}

unsigned vq_diag_requests(const struct vq_ring_view *v)
{
	unsigned i, n = 0;

	for (i = 0; v && i < v->nchains; i++)
		if (v->chains[i].out_bytes || (v->chains[i].broken && !v->chains[i].ndesc))
			n++;
	return n;
}

static int has_finding(const struct vq_ring_view *v, const struct vq_finding *x)
{
	unsigned i;

	for (i = 0; i < v->nfindings; i++)
		if (!strcmp(v->findings[i].code, x->code) && !strcmp(v->findings[i].message, x->message))
			return 1;
	return 0;
}

/* Samples behind a progress finding: the caller's count, else what is valid. */
unsigned vq_diag_samples_of(const struct vq_diag_queue_in *in)
{
	if (in->nsamples)
		return in->nsamples;
	return in->s2.valid ? 2 : 1;
}

/* What the samples let a stall be called: "stuck" only when more than two
 * samples spanning VQ_DIAG_WATCH_MS saw no completion, else "slow or
 * stuck" (two samples a short interval apart cannot tell a FLUSH that
 * takes seconds from a device that stopped). */
const char *vq_diag_verdict(const struct vq_diag_queue_in *in)
{
	return vq_diag_samples_of(in) > 2 && in->interval_ms >= VQ_DIAG_WATCH_MS ? "stuck" : "slow or stuck";
}

static void add_samples(struct vq_diag_finding *f, const struct vq_diag_queue_in *in)
{
	vq_diag_ev(f, "avail_idx", in->s1.avail_idx, 0);
	vq_diag_ev(f, "used_idx", in->s1.used_idx, 0);
	if (in->s2.valid) {
		vq_diag_ev(f, "avail_idx_later", in->s2.avail_idx, 0);
		vq_diag_ev(f, "used_idx_later", in->s2.used_idx, 0);
		vq_diag_ev(f, "interval_ms", in->interval_ms, 0);
		vq_diag_ev(f, "samples", vq_diag_samples_of(in), 0);
	}
}

/* Driver side, EVENT_IDX: used_event is where the driver asked to be
 * interrupted.  Completions past it with used_event still in place after
 * the interval: the interrupt was due (vring_need_event) and the driver
 * has not reaped them.  Linux writes used_event 0 when it turns callbacks
 * off (polling): then nothing can be told.  @a, @b: the first and the
 * later sample; @n: the queue size. */
static void unreaped(const struct vq_diag_queue_in *in, const struct vq_diag_sample *a,
		     const struct vq_diag_sample *b, uint16_t n, struct vq_diag_report *r)
{
	struct vq_diag_finding *f;
	uint16_t count;
	int eager;

	if (!(in->s2.valid && a->full && b->full && in->event_idx == 1 &&
	      a->used_event == b->used_event && a->used_idx == b->used_idx && b->used_event != 0))
		return;
	count = (uint16_t)(b->used_idx - b->used_event);
	if (count < 1 || count > n || !vq_need_event(b->used_event, b->used_idx, b->used_event))
		return;
	/* Linux's blk and scsi drivers take every completion in their
	 * interrupt handler; others (virtio_console's transmit queues) reap
	 * lazily on the next send, so there it is only worth a note. */
	eager = in->device_id == VIRTIO_ID_BLOCK || in->device_id == VIRTIO_ID_SCSI;
	f = vq_diag_add(r, in->queue, "COMPLETIONS_UNREAPED", eager ? VQ_SEV_WARNING : VQ_SEV_INFO,
			"%u completions past the driver's used_event for %u ms: an interrupt was due (vring_need_event) but the driver has not taken them (interrupt lost, or driver stuck)",
			count, in->interval_ms);
	vq_diag_ev(f, "used_idx", b->used_idx, 0);
	vq_diag_ev(f, "used_event", b->used_event, 0);
	vq_diag_ev(f, "interval_ms", in->interval_ms, 0);
}

/* Where the device stands in the pending range, from avail_event. */
struct fetch_point {
	const struct vq_diag_sample *e; /* the sample whose event words are known, or NULL */
	uint16_t taken;                 /* requests between used idx and avail_event */
	uint16_t untaken;               /* requests between avail_event and avail idx */
	int window;                     /* avail_event lies between used idx and avail idx */
	int stable_event;               /* avail_event the same at both samples (or one known) */
};

/* Device side, EVENT_IDX: QEMU (and the spec's intent, 2.7.10) keep
 * avail_event at the device's consumption point; trusted only when it
 * lies between used idx and avail idx.  The sample whose event words are
 * known: the later one, else the first (a snapshot's second sample holds
 * indices only).  Requests taken by then and not completed by the later
 * sample (used idx did not move) were held for the whole interval. */
static void find_fetch_point(const struct vq_diag_queue_in *in, const struct vq_diag_sample *a,
			     const struct vq_diag_sample *b, struct fetch_point *p)
{
	const struct vq_diag_sample *e = b->full ? b : a->full ? a : NULL;
	uint16_t infl_e;

	p->e = e;
	p->taken = p->untaken = 0;
	p->window = 0;
	p->stable_event = 1;
	if (in->event_idx == 0 || !e)
		return;
	infl_e = (uint16_t)(e->avail_idx - e->used_idx);
	p->taken = (uint16_t)(e->avail_event - e->used_idx);
	p->untaken = (uint16_t)(e->avail_idx - e->avail_event);
	p->window = p->taken <= infl_e && p->untaken <= infl_e;
	if (a->full && b->full && a->avail_event != b->avail_event)
		p->stable_event = 0;
}

/* One sample (a core): requests held through a QEMU dump, or merely
 * pending.  @b: the sample; @reqs, @infl: requests and chains pending. */
static void one_sample(const struct vq_diag_queue_in *in, const struct vq_diag_sample *b,
		       const struct fetch_point *p, unsigned reqs, uint16_t infl,
		       struct vq_diag_report *r)
{
	struct vq_diag_finding *f;

	if (in->held_dump && p->window && p->taken) {
		f = vq_diag_add(r, in->queue, "NOT_COMPLETING", VQ_SEV_WARNING,
				"the device took %u request%s (used idx %u to avail_event %u) and had not completed them when QEMU dumped memory; QEMU finishes the I/O it can before a dump, so these were held (an I/O error kept for retry by werror/rerror=stop, a request the backend never finished)",
				p->taken, p->taken == 1 ? "" : "s", b->used_idx, b->avail_event);
		vq_diag_ev(f, "avail_idx", b->avail_idx, 0);
		vq_diag_ev(f, "used_idx", b->used_idx, 0);
		vq_diag_ev(f, "avail_event", b->avail_event, 0);
		vq_diag_ev(f, "in_flight", infl, 0);
		vq_diag_ev(f, "samples", 1, 0);
		return;
	}
	f = vq_diag_add(r, in->queue, "PENDING_AT_DUMP", VQ_SEV_INFO,
			"%u request%s pending in this image; one sample cannot tell a stuck queue from a busy one%s",
			reqs, reqs == 1 ? "" : "s",
			in->held_dump ? " (the device had not fetched them, or fetched them without EVENT_IDX to show it)" : "");
	vq_diag_ev(f, "avail_idx", b->avail_idx, 0);
	vq_diag_ev(f, "used_idx", b->used_idx, 0);
	vq_diag_ev(f, "in_flight", infl, 0);
}

/* Two samples, used idx unmoved: what the event words say about the device
 * (NOT_COMPLETING, NOT_CONSUMING); when they cannot say it, NO_NOTIFY_PENDING
 * or STALLED.  @a, @b: the samples; @reqs, @infl: as for one_sample(). */
static void two_samples(const struct vq_diag_queue_in *in, const struct vq_diag_sample *a,
			const struct vq_diag_sample *b, const struct fetch_point *p,
			unsigned reqs, uint16_t infl, struct vq_diag_report *r)
{
	const int trusted = p->window && p->stable_event;
	struct vq_diag_finding *f;

	if (trusted && p->taken) {
		f = vq_diag_add(r, in->queue, "NOT_COMPLETING", VQ_SEV_WARNING,
				"%s: the device took %u request%s (used idx %u to avail_event %u) and completed none in %u ms (%u samples)",
				vq_diag_verdict(in), p->taken, p->taken == 1 ? "" : "s", b->used_idx,
				p->e->avail_event, in->interval_ms, vq_diag_samples_of(in));
		add_samples(f, in);
		vq_diag_ev(f, "avail_event", p->e->avail_event, 0);
		vq_diag_ev(f, "in_flight", infl, 0);
	}
	if (trusted && p->untaken && b->full) {
		f = vq_diag_add(r, in->queue, "NOT_CONSUMING", VQ_SEV_WARNING,
				"%s: %u available request%s not fetched by the device in %u ms (%u samples) although avail idx %u is past avail_event %u, so the driver had to notify (vring_need_event): a lost notification or a device that stopped looking",
				vq_diag_verdict(in), p->untaken, p->untaken == 1 ? "" : "s", in->interval_ms,
				vq_diag_samples_of(in), b->avail_idx, b->avail_event);
		add_samples(f, in);
		vq_diag_ev(f, "avail_event", b->avail_event, 0);
		vq_diag_ev(f, "kick_due_in_interval",
			   a->avail_idx != b->avail_idx &&
				   vq_need_event(b->avail_event, b->avail_idx, a->avail_idx),
			   0);
	}
	if (trusted && (b->full || p->taken))
		return;
	if (in->event_idx != 1 && b->full && (a->used_flags & b->used_flags & VRING_USED_F_NO_NOTIFY)) {
		f = vq_diag_add(r, in->queue, "NO_NOTIFY_PENDING", VQ_SEV_WARNING,
				"%s: the device set NO_NOTIFY (do not kick me) and %u request%s waited %u ms (%u samples) with none completed: a device that suppresses notifications must be polling, and is not",
				vq_diag_verdict(in), reqs, reqs == 1 ? "" : "s", in->interval_ms, vq_diag_samples_of(in));
		add_samples(f, in);
		vq_diag_ev(f, "used_flags", b->used_flags, 1);
		return;
	}
	f = vq_diag_add(r, in->queue, "STALLED", VQ_SEV_WARNING,
			"%s: %u request%s pending and none completed in %u ms (%u samples); %s",
			vq_diag_verdict(in), infl, infl == 1 ? "" : "s", in->interval_ms, vq_diag_samples_of(in),
			in->event_idx == 1 ? "avail_event moved or lies outside the pending range: cannot tell whether the device fetched them"
					   : "without EVENT_IDX the device's fetch point is not in memory: cannot tell whether it fetched them");
	add_samples(f, in);
	vq_diag_ev(f, "in_flight", infl, 0);
}

/*
 * Progress findings.  Everything rests on these facts: used idx did not
 * move, requests (chains with device-readable bytes) were pending at both
 * samples; receive buffers alone prove nothing, a device may hold them
 * until traffic comes.
 */
static void progress(const struct vq_diag_queue_in *in, struct vq_diag_report *r)
{
	const struct vq_diag_sample *a = &in->s1, *b = in->s2.valid ? &in->s2 : &in->s1;
	uint16_t n = (uint16_t)in->size, infl1, infl2;
	unsigned reqs = vq_diag_requests(in->v);
	struct vq_diag_finding *f;
	struct fetch_point p;

	if (!a->valid || !n)
		return;
	infl1 = (uint16_t)(a->avail_idx - a->used_idx);
	infl2 = (uint16_t)(b->avail_idx - b->used_idx);
	if (infl1 > n || infl2 > n)
		return; /* IN_FLIGHT_OVER_SIZE says it; nothing else is sound */

	unreaped(in, a, b, n, r);

	if (in->slow_ms && in->s2.valid && a->used_idx != b->used_idx) {
		f = vq_diag_add(r, in->queue, "SLOW", VQ_SEV_INFO,
				"slow, not stuck: %u request%s pending and none completed for %u ms, then the device completed %u (used idx moved by the sample %u ms after the first)",
				infl1, infl1 == 1 ? "" : "s", in->slow_ms,
				(unsigned)(uint16_t)(b->used_idx - a->used_idx), in->interval_ms);
		add_samples(f, in);
		return;
	}
	if (!infl1 || !infl2 || a->used_idx != b->used_idx || !reqs)
		return;
	if (vq_diag_held_by_design(in->device_id, in->queue))
		return;
	if (!in->device_id && in->v && in->v->nchains == 1 && vq_diag_looks_like_stats(&in->v->chains[0]))
		return;

	find_fetch_point(in, a, b, &p);
	if (!in->s2.valid)
		one_sample(in, b, &p, reqs, infl2, r);
	else
		two_samples(in, a, b, &p, reqs, infl2, r);
}

/* The ring decoder's findings that mean "not in the source". */
static int is_missing_memory(const struct vq_finding *x)
{
	return !strcmp(x->code, "DESC_UNREADABLE") || !strcmp(x->code, "RING_UNREADABLE");
}

/* The ring decoder's findings of @v: with @other (the other sample's
 * decode), only those both show. */
static void ring_findings(const struct vq_diag_queue_in *in, const struct vq_ring_view *v,
			  const struct vq_ring_view *other, struct vq_diag_report *r)
{
	unsigned i;

	for (i = 0; v && i < v->nfindings; i++) {
		const struct vq_finding *x = &v->findings[i];
		struct vq_diag_finding *f;

		if (other && !has_finding(other, x))
			continue;
		if (in->image && is_missing_memory(x)) {
			/* A page the image lacks: the image's gap, not the device's. */
			r->not_in_source++;
			f = vq_diag_add(r, in->queue, x->code, VQ_SEV_INFO,
					"%s: missing from this image, so the ring cannot be judged (inconclusive)",
					x->message);
			vq_diag_ev(f, "desc", v->layout.desc, 1);
			continue;
		}
		f = vq_diag_add(r, in->queue, x->code, x->severity, "%s", x->message);
		vq_diag_ev(f, "desc", v->layout.desc, 1);
		if (f && !strcmp(x->code, "IN_FLIGHT_OVER_SIZE")) {
			vq_diag_ev(f, "avail_idx", v->hdr.avail_idx, 0);
			vq_diag_ev(f, "used_idx", v->hdr.used_idx, 0);
			vq_diag_ev(f, "size", in->size, 0);
		}
	}
}

void vq_diag_queue(const struct vq_diag_queue_in *in, struct vq_diag_report *r)
{
	if (in->p) {
		ring_findings(in, &in->p->rv, in->p_first ? &in->p_first->rv : NULL, r);
		vq_diag_packed_progress(in, r);
		return;
	}
	ring_findings(in, in->v, in->v_other, r);
	progress(in, r);
	vq_diag_sides(in, r);
}
