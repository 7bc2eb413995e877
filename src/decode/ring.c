/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Split virtqueue decoder: every address in a ring is untrusted and checked before use. */
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "le.h"
#include "ring.h"

const char *vq_severity_name(enum vq_severity s)
{
	switch (s) {
	case VQ_SEV_INFO:
		return "info";
	case VQ_SEV_WARNING:
		return "warning";
	case VQ_SEV_ERROR:
		return "error";
	}
	return "unknown";
}

const char *vq_ring_size_problem(uint32_t n)
{
	if (n == 0)
		return "queue size 0";
	if (n > VQ_RING_MAX_SIZE)
		return "queue size over 32768";
	if (n & (n - 1))
		return "queue size not a power of two";
	return NULL;
}

void vq_ring_layout_contig(uint64_t desc, uint32_t n, uint32_t align, struct vq_ring_layout *out)
{
	uint64_t avail_end;

	out->desc = desc;
	out->size = n;
	out->align = align;
	out->avail = desc + VQ_DESC_BYTES(n);
	avail_end = out->avail + VQ_AVAIL_BYTES(n);
	out->used = (avail_end + align - 1) & ~((uint64_t)align - 1);
}

int vq_ring_read_hdr(const struct vq_fetch *f, const struct vq_ring_layout *l,
		     struct vq_ring_hdr *h)
{
	uint8_t b[4];
	int ret;
	uint32_t n = l->size;

	/* On a running guest the used idx (the device's) is read before the
	 * avail idx (the driver's): the device never uses more than the
	 * driver made available, so the avail idx read later is at least the
	 * used idx read first.  The other order can see the device pass an
	 * old avail idx and report a full ring in flight. */
	ret = vq_fetch(f, l->used, b, 4, "used ring header");
	if (ret < 0)
		return ret;
	h->used_flags = le16(b);
	h->used_idx = le16(b + 2);
	ret = vq_fetch(f, l->used + 4 + 8ull * n, b, 2, "avail_event");
	if (ret < 0)
		return ret;
	h->avail_event = le16(b);
	ret = vq_fetch(f, l->avail, b, 4, "available ring header");
	if (ret < 0)
		return ret;
	h->avail_flags = le16(b);
	h->avail_idx = le16(b + 2);
	ret = vq_fetch(f, l->avail + 4 + 2ull * n, b, 2, "used_event");
	if (ret < 0)
		return ret;
	h->used_event = le16(b);
	h->in_flight = (uint16_t)(h->avail_idx - h->used_idx);
	return 0;
}

int vq_ring_read_indices(const struct vq_fetch *f, uint64_t avail, uint64_t used,
			 uint16_t *avail_idx, uint16_t *used_idx)
{
	uint8_t a[2], u[2];
	int ret;

	/* struct vring_avail and vring_used: le16 flags, then le16 idx.
	 * The used idx first, as in vq_ring_read_hdr().  Nothing is stored
	 * unless both were read. */
	ret = vq_fetch(f, used + 2, u, 2, "used idx");
	if (ret < 0)
		return ret;
	ret = vq_fetch(f, avail + 2, a, 2, "avail idx");
	if (ret < 0)
		return ret;
	*avail_idx = le16(a);
	*used_idx = le16(u);
	return 0;
}

void vq_ring_view_sizes(uint32_t n, unsigned recent, unsigned *chains, unsigned *pool,
			unsigned *findings)
{
	(void)recent;
	/* Sizes above the spec's maximum are refused by the decoder before it
	 * uses any array; clamping keeps 4n + 256 from wrapping for callers
	 * that ask before checking the size. */
	if (n > VQ_RING_MAX_SIZE)
		n = VQ_RING_MAX_SIZE;
	*chains = n;
	/*
	 * A valid ring holds at most n descriptors in its table and each chain
	 * at most n in all (2.7.5.3.1: no chain longer than the Queue Size);
	 * four times the table plus some slack covers healthy rings that use
	 * indirect tables, and bounds the work on hostile ones.
	 */
	*pool = 4 * n + 256;
	*findings = 64;
}

void vq_ring_finding(struct vq_ring_view *v, const char *code, enum vq_severity sev,
		     const char *fmt, ...)
{
	struct vq_finding *fd;
	va_list ap;

	if (v->nfindings >= v->max_findings)
		return;
	fd = &v->findings[v->nfindings++];
	if (v->nfindings == v->max_findings) {
		fd->code = "TOO_MANY_FINDINGS";
		fd->severity = VQ_SEV_INFO;
		snprintf(fd->message, sizeof(fd->message),
			 "further findings on this ring not listed");
		return;
	}
	fd->code = code;
	fd->severity = sev;
	va_start(ap, fmt);
	vsnprintf(fd->message, sizeof(fd->message), fmt, ap);
	va_end(ap);
}

static void read_desc(const uint8_t *b, uint32_t index, int in_indirect, struct vq_chain_desc *d)
{
	d->index = index;
	d->addr = le64(b);
	d->len = le32(b + 8);
	d->flags = le16(b + 12);
	d->next = le16(b + 14);
	d->in_indirect = (uint8_t)in_indirect;
}

/* Where a chain walk stands. */
struct walk {
	uint64_t table;  /* guest address of the descriptor table being walked */
	uint32_t count;  /* entries in that table: the most steps taken in it */
	uint32_t idx;    /* index in that table of the descriptor to read next */
	uint32_t steps;  /* descriptors read from that table so far */
	int in_ind;      /* 1 once inside an indirect table */
	int seen_write;  /* 1 once a device-writable descriptor was kept */
};

/* Read the descriptor @w points at into the next free pool entry (not yet
 * counted as used).  NULL, with a finding and @c broken, when the table
 * loops, the pool is used up or the descriptor is not in memory. */
static struct vq_chain_desc *next_desc(const struct vq_fetch *f, struct vq_ring_view *v,
				       struct vq_chain *c, struct walk *w)
{
	uint64_t at = w->table + 16ull * w->idx;
	struct vq_chain_desc *d;
	uint8_t b[16];

	if (w->steps >= w->count) {
		vq_ring_finding(v, "CHAIN_LOOP", VQ_SEV_ERROR,
				"chain at head %u: more than %u descriptors in %s table: next fields loop",
				c->head, w->count, w->in_ind ? "an indirect" : "the");
		c->broken = 1;
		return NULL;
	}
	if (v->pool_used >= v->pool_len) {
		vq_ring_finding(v, "DECODE_LIMIT", VQ_SEV_WARNING,
				"chain at head %u: descriptor budget (%u) used up; rest not decoded",
				c->head, v->pool_len);
		c->broken = 1;
		return NULL;
	}
	if (vq_fetch(f, at, b, 16, "descriptor") < 0) {
		vq_ring_finding(v, "DESC_UNREADABLE", VQ_SEV_WARNING,
				"chain at head %u: descriptor %u at 0x%llx not in memory", c->head,
				w->idx, (unsigned long long)at);
		c->broken = 1;
		return NULL;
	}
	w->steps++;
	d = &v->pool[v->pool_used];
	read_desc(b, w->idx, w->in_ind, d);
	return d;
}

/* @d is an INDIRECT descriptor: check it and point @w at the start of its
 * table.  -1, with @c broken, when the table cannot be walked. */
static int enter_indirect(struct vq_ring_view *v, struct vq_chain *c, struct walk *w,
			  const struct vq_chain_desc *d)
{
	const uint32_t n = v->layout.size;
	uint32_t entries;

	if (w->in_ind) {
		vq_ring_finding(v, "INDIRECT_NESTED", VQ_SEV_ERROR,
				"chain at head %u: indirect descriptor inside an indirect table (2.7.5.3.1)",
				c->head);
		c->broken = 1;
		return -1;
	}
	if (d->flags & VRING_DESC_F_NEXT)
		vq_ring_finding(v, "INDIRECT_WITH_NEXT", VQ_SEV_ERROR,
				"chain at head %u: descriptor %u has both INDIRECT and NEXT (2.7.5.3.1)",
				c->head, w->idx);
	if (d->len == 0 || d->len % 16) {
		vq_ring_finding(v, "INDIRECT_BAD_LEN", VQ_SEV_ERROR,
				"chain at head %u: indirect table length %u is not a non-zero multiple of 16",
				c->head, d->len);
		c->broken = 1;
		return -1;
	}
	if (d->addr + d->len < d->addr) {
		vq_ring_finding(v, "DESC_ADDR_OVERFLOW", VQ_SEV_ERROR,
				"chain at head %u: indirect table 0x%llx + %u wraps past 2^64",
				c->head, (unsigned long long)d->addr, d->len);
		c->broken = 1;
		return -1;
	}
	entries = d->len / 16;
	if (entries > n) {
		vq_ring_finding(v, "INDIRECT_TOO_LONG", VQ_SEV_ERROR,
				"chain at head %u: indirect table of %u entries exceeds the queue size %u",
				c->head, entries, n);
		entries = n;
	}
	w->table = d->addr;
	w->count = entries;
	w->idx = 0;
	w->steps = 0;
	w->in_ind = 1;
	return 0;
}

/* Keep buffer descriptor @d in @c: count its bytes and check its length,
 * address and direction. */
static void keep_desc(struct vq_ring_view *v, struct vq_chain *c, struct walk *w,
		      const struct vq_chain_desc *d)
{
	v->pool_used++;
	c->ndesc++;
	if (d->len == 0)
		vq_ring_finding(v, "DESC_ZERO_LEN", VQ_SEV_WARNING,
				"chain at head %u: descriptor %u has length 0", c->head, w->idx);
	if (d->addr + d->len < d->addr)
		vq_ring_finding(v, "DESC_ADDR_OVERFLOW", VQ_SEV_ERROR,
				"chain at head %u: descriptor %u: 0x%llx + %u wraps past 2^64", c->head,
				w->idx, (unsigned long long)d->addr, d->len);
	if (d->flags & VRING_DESC_F_WRITE) {
		w->seen_write = 1;
		c->in_bytes += d->len;
	} else {
		if (w->seen_write)
			vq_ring_finding(v, "READ_AFTER_WRITE", VQ_SEV_ERROR,
					"chain at head %u: device-readable descriptor %u after a device-writable one (2.7.4.2)",
					c->head, w->idx);
		c->out_bytes += d->len;
	}
}

/*
 * Walk one chain from @head, following NEXT and at most one level of
 * INDIRECT.  Each table is walked at most as many steps as it has entries,
 * so a loop ends the walk with a finding instead of spinning.
 */
static void walk_chain(const struct vq_fetch *f, struct vq_ring_view *v, struct vq_chain *c)
{
	struct walk w = { .table = v->layout.desc, .count = v->layout.size, .idx = c->head };
	struct vq_chain_desc *d;

	c->descs = v->pool + v->pool_used;
	c->ndesc = 0;
	c->ind_len = 0;
	for (;;) {
		d = next_desc(f, v, c, &w);
		if (!d)
			return;
		if (d->flags & VRING_DESC_F_INDIRECT) {
			/* The indirect descriptor itself is no buffer: not
			 * kept among the buffers, only remembered. */
			if (!w.in_ind) {
				c->ind_index = d->index;
				c->ind_addr = d->addr;
				c->ind_len = d->len;
			}
			if (enter_indirect(v, c, &w, d) < 0)
				return;
			continue;
		}
		keep_desc(v, c, &w, d);
		if (!(d->flags & VRING_DESC_F_NEXT))
			return;
		if (d->next >= w.count) {
			vq_ring_finding(v, "NEXT_OUT_OF_RANGE", VQ_SEV_ERROR,
					"chain at head %u: descriptor %u next=%u outside a table of %u",
					c->head, w.idx, d->next, w.count);
			c->broken = 1;
			return;
		}
		w.idx = d->next;
	}
}

/* Findings on the ring header: undefined flag bits. */
static void check_hdr(struct vq_ring_view *v)
{
	const struct vq_ring_hdr *h = &v->hdr;

	if (h->avail_flags & ~VRING_AVAIL_F_NO_INTERRUPT)
		vq_ring_finding(v, "AVAIL_FLAGS_UNKNOWN", VQ_SEV_WARNING,
				"available ring flags 0x%x has bits the spec does not define",
				h->avail_flags);
	if (h->used_flags & ~VRING_USED_F_NO_NOTIFY)
		vq_ring_finding(v, "USED_FLAGS_UNKNOWN", VQ_SEV_WARNING,
				"used ring flags 0x%x has bits the spec does not define", h->used_flags);
}

/* Decode the chains made available and not yet used (avail ring slots
 * from used idx to avail idx), as many as fit in the view. */
static void decode_pending(const struct vq_fetch *f, struct vq_ring_view *v)
{
	const uint32_t n = v->layout.size;
	const struct vq_ring_hdr *h = &v->hdr;
	unsigned pending = h->in_flight, i;

	if (pending > n) {
		vq_ring_finding(v, "IN_FLIGHT_OVER_SIZE", VQ_SEV_ERROR,
				"%u requests in flight (avail idx %u, used idx %u) but the ring holds %u",
				pending, h->avail_idx, h->used_idx, n);
		pending = n;
	}
	if (pending > v->max_chains)
		pending = v->max_chains;
	for (i = 0; i < pending; i++) {
		uint16_t slot = (uint16_t)(h->used_idx + i);
		struct vq_chain *c = &v->chains[v->nchains];
		uint8_t b[2];

		memset(c, 0, sizeof(*c));
		c->slot = slot;
		if (vq_fetch(f, v->layout.avail + 4 + 2ull * (slot % n), b, 2, "available ring") < 0) {
			vq_ring_finding(v, "RING_UNREADABLE", VQ_SEV_WARNING,
					"available ring slot %u not in memory", slot % n);
			break;
		}
		c->head = le16(b);
		v->nchains++;
		if (c->head >= n) {
			vq_ring_finding(v, "HEAD_OUT_OF_RANGE", VQ_SEV_ERROR,
					"available ring slot %u names head %u outside a table of %u",
					slot % n, c->head, n);
			c->broken = 1;
			continue;
		}
		walk_chain(f, v, c);
		vq_payload_decode(f, v->device_id, c, 0, 0, &c->req);
	}
}

/*
 * Decode what used entry @u points at: the chain from descriptor @u->id as
 * the table holds it now.  The driver may have freed or reused those
 * descriptors since, so the walk leaves no findings and no pool space
 * behind; the payload is the device's answer as far as memory still
 * holds it.
 */
static void decode_used_payload(const struct vq_fetch *f, struct vq_ring_view *v,
				struct vq_used_elem *u, unsigned *budget)
{
	unsigned nfindings = v->nfindings, pool_used = v->pool_used, pool_len = v->pool_len;
	struct vq_chain c;

	memset(&c, 0, sizeof(c));
	if (u->id >= v->layout.size || !*budget)
		return;
	c.head = (uint16_t)u->id;
	/* All the used entries together walk at most *@budget descriptors,
	 * so that the work stays linear in the ring size. */
	if (v->pool_len - v->pool_used > *budget)
		v->pool_len = v->pool_used + *budget;
	walk_chain(f, v, &c);
	*budget -= c.ndesc < *budget ? c.ndesc : *budget;
	/* A chain that no longer walks to its end is not the one the device
	 * answered: its last buffer is no status, its headers no request. */
	if (!c.broken)
		vq_payload_decode(f, v->device_id, &c, 1, u->len, &u->req);
	v->pool_len = pool_len;
	v->nfindings = nfindings;
	v->pool_used = pool_used;
}

/* Read the @recent newest used ring entries, newest first. */
static void read_recent(const struct vq_fetch *f, struct vq_ring_view *v, unsigned recent)
{
	const uint32_t n = v->layout.size;
	const struct vq_ring_hdr *h = &v->hdr;
	unsigned i, budget = n + 64;

	if (recent > n)
		recent = n;
	/* Before the first wrap of the 16-bit index, slots past used_idx were
	 * never written; showing their zeroes would mislead. */
	if (h->used_idx < recent)
		recent = h->used_idx;
	if (recent > v->max_used)
		recent = v->max_used;
	for (i = 0; i < recent; i++) {
		uint16_t slot = (uint16_t)(h->used_idx - 1 - i);
		struct vq_used_elem *u = &v->used[v->nused];
		uint8_t b[8];

		if (vq_fetch(f, v->layout.used + 4 + 8ull * (slot % n), b, 8, "used ring") < 0) {
			vq_ring_finding(v, "RING_UNREADABLE", VQ_SEV_WARNING,
					"used ring slot %u not in memory", slot % n);
			break;
		}
		memset(u, 0, sizeof(*u));
		u->slot = slot;
		u->id = le32(b);
		u->len = le32(b + 4);
		v->nused++;
		if (u->id >= n)
			vq_ring_finding(v, "USED_ID_OUT_OF_RANGE", VQ_SEV_ERROR,
					"used ring slot %u names id %u outside a table of %u", slot % n,
					u->id, n);
		else
			decode_used_payload(f, v, u, &budget);
	}
}

int vq_ring_decode(const struct vq_fetch *f, struct vq_ring_view *v, unsigned recent)
{
	const uint32_t n = v->layout.size;
	int ret;

	v->nchains = v->nused = v->pool_used = v->nfindings = 0;
	if (vq_ring_size_problem(n)) {
		vq_ring_finding(v, "BAD_QUEUE_SIZE", VQ_SEV_ERROR, "%s (%u)",
				vq_ring_size_problem(n), n);
		return -22; /* -EINVAL, without dragging errno.h into the API */
	}
	ret = vq_ring_read_hdr(f, &v->layout, &v->hdr);
	if (ret < 0)
		return ret;
	check_hdr(v);
	decode_pending(f, v);
	read_recent(f, v, recent);
	return 0;
}
