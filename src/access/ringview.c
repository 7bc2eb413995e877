/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A device's queues as rings to decode: which can be read, and ring views with their arrays allocated. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_ring.h>

#include "../decode/scan.h"
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

int vq_packed_view_alloc(struct vq_packed_view *v, uint32_t size, unsigned recent)
{
	memset(v, 0, sizeof(*v));
	if (vq_ring_view_alloc(&v->rv, size, recent) < 0)
		return -ENOMEM;
	v->slots = calloc(size ? size : 1, sizeof(*v->slots));
	if (!v->slots) {
		vq_ring_view_free(&v->rv);
		return -ENOMEM;
	}
	return 0;
}

void vq_packed_view_free(struct vq_packed_view *v)
{
	vq_ring_view_free(&v->rv);
	free(v->slots);
	v->slots = NULL;
}

void vq_ring_view_of_queue(struct vq_ring_view *v, const struct vq_dev *d,
			   const struct vq_queue_state *q)
{
	v->layout = (struct vq_ring_layout){ q->desc, q->avail, q->used, q->size, 0 };
	v->device_id = d->device_id;
}

int vq_ring_guess_layout(const struct vq_fetch *f, uint64_t desc, uint32_t size, uint32_t align,
			 struct vq_ring_layout *l, char *note, size_t notelen)
{
	struct vq_ring_layout l64, l4k;
	struct vq_ring_hdr h;
	enum vq_confidence conf;
	int s64, s4k, ambiguous;

	if (align) {
		vq_ring_layout_contig(desc, size, align, l);
		snprintf(note, notelen, "contiguous, used ring aligned to %llu (as given)",
			 (unsigned long long)align);
		return 0;
	}
	vq_ring_layout_contig(desc, size, VQ_ALIGN_LINUX, &l64);
	vq_ring_layout_contig(desc, size, VQ_ALIGN_LEGACY, &l4k);
	s64 = vq_ring_score(f, &l64, &h, &conf);
	s4k = vq_ring_score(f, &l4k, &h, &conf);
	if (s4k > s64) {
		*l = l4k;
		snprintf(note, notelen, "contiguous, used ring aligned to 4096 (legacy): fits%s",
			 s64 > 0 ? "; 64 fits less well" : "; 64 does not");
		return 0;
	}
	*l = l64;
	ambiguous = s64 > 0 && s4k == s64;
	if (s64 <= 0) {
		snprintf(note, notelen,
			 "contiguous, used ring aligned to 64 (Linux) assumed: neither 64 nor 4096 fits the memory; give DESC,AVAIL,USED");
		return VQ_LAYOUT_GUESSED;
	}
	snprintf(note, notelen, "contiguous, used ring aligned to 64 (Linux): fits%s",
		 ambiguous ? "; 4096 fits as well (used ring never written): ambiguous"
			   : s4k > 0 ? "; 4096 fits less well" : "; 4096 does not");
	return ambiguous ? VQ_LAYOUT_AMBIGUOUS : 0;
}

/* The three parts of @l: where each is, how long, its section 2.7 alignment. */
struct ring_part {
	const char *name;
	uint64_t addr, len;
	uint32_t align;
};

static void ring_parts(const struct vq_ring_layout *l, struct ring_part p[3])
{
	p[0] = (struct ring_part){ "descriptor table", l->desc, VQ_DESC_BYTES(l->size), VQ_DESC_ALIGN };
	p[1] = (struct ring_part){ "available ring", l->avail, VQ_AVAIL_BYTES(l->size), VQ_AVAIL_ALIGN };
	p[2] = (struct ring_part){ "used ring", l->used, VQ_USED_BYTES(l->size), VQ_USED_ALIGN };
}

const char *vq_ring_misaligned(const struct vq_ring_layout *l, uint64_t *addr, uint32_t *align)
{
	struct ring_part p[3];
	unsigned i;

	ring_parts(l, p);
	for (i = 0; i < 3; i++)
		if (p[i].addr & (p[i].align - 1)) {
			*addr = p[i].addr;
			*align = p[i].align;
			return p[i].name;
		}
	return NULL;
}

const char *vq_ring_wraps(const struct vq_ring_layout *l)
{
	struct ring_part p[3];
	unsigned i;

	ring_parts(l, p);
	for (i = 0; i < 3; i++)
		if (p[i].len - 1 > UINT64_MAX - p[i].addr)
			return p[i].name;
	return NULL;
}

/* Bytes read at a time when checking that a part is present. */
#define PRESENT_CHUNK 4096u

int vq_ring_parts_present(const struct vq_fetch *f, const struct vq_ring_layout *l)
{
	struct ring_part p[3];
	uint8_t buf[PRESENT_CHUNK];
	uint64_t off, n;
	unsigned i;
	int ret;

	ring_parts(l, p);
	for (i = 0; i < 3; i++)
		for (off = 0; off < p[i].len; off += n) {
			n = p[i].len - off < PRESENT_CHUNK ? p[i].len - off : PRESENT_CHUNK;
			ret = vq_fetch(f, p[i].addr + off, buf, (size_t)n, p[i].name);
			if (ret < 0)
				return ret;
		}
	return 0;
}

uint32_t vq_queue_ring_size(const struct vq_queue_state *q, enum vq_ring_size_rule rule)
{
	if (rule == VQ_SIZE_OR_MAX && !q->size)
		return q->max_size;
	return q->size;
}

enum vq_ring_access vq_queue_ring_access(const struct vq_dev *d, const struct vq_queue_state *q,
					 enum vq_ring_size_rule rule)
{
	if (!q->enabled)
		return VQ_RING_DISABLED;
	if (!q->desc || !q->avail || !q->used)
		return VQ_RING_NO_ADDRS;
	if (vq_dev_packed(d))
		return VQ_RING_PACKED;
	/* A size of 0 (not known) is a problem too. */
	if (vq_ring_size_problem(vq_queue_ring_size(q, rule)))
		return VQ_RING_BAD_SIZE;
	return VQ_RING_READABLE;
}

const char *vq_queue_unreadable(const struct vq_dev *d, const struct vq_queue_state *q)
{
	static const char *const why[] = {
		[VQ_RING_READABLE] = NULL,
		[VQ_RING_DISABLED] = "not enabled",
		[VQ_RING_NO_ADDRS] = "ring addresses unknown",
		[VQ_RING_PACKED] = "packed ring",
		[VQ_RING_BAD_SIZE] = "no valid size",
	};

	return why[vq_queue_ring_access(d, q, VQ_SIZE_IN_USE)];
}

int vq_dev_event_idx(const struct vq_dev *d)
{
	if (!vq_dev_driver_features_known(d))
		return -1;
	return vq_feature_has(d->driver_features, VIRTIO_RING_F_EVENT_IDX);
}

int vq_ring_decode_settled(const struct vq_fetch *f, struct vq_ring_view *v, unsigned recent,
			   int live, int *moved)
{
	uint16_t a, u;
	int tries, ret = 0;

	*moved = 0;
	for (tries = 0; tries < 3; tries++) {
		ret = vq_ring_decode(f, v, recent);
		if (ret < 0 || !live)
			return ret;
		if (vq_ring_read_indices(f, v->layout.avail, v->layout.used, &a, &u) < 0)
			return ret;
		*moved = a != v->hdr.avail_idx || u != v->hdr.used_idx;
		if (!*moved)
			break;
	}
	return ret;
}
