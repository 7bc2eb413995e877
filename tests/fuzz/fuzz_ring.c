/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the split-ring decoder (vq_ring_decode) over guest memory made of the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decode/ring.h"
#include "fuzzmem.h"

/*
 * Input: a header, then the guest memory.
 *
 *   [0]       Queue Size: index into sizes[] (valid and invalid ones)
 *   [1]       bits 0-1: layout: 0 contiguous, used aligned to 64;
 *                       1 contiguous, used aligned to 4096; 2, 3 explicit
 *             bits 2-7: array limits: 0 as vq_ring_view_sizes() says,
 *                       otherwise smaller (see set_limits())
 *   [2]       device ID: index into devices[]
 *   [3]       recent used entries asked for
 *   [4..7]    descriptor table, as an offset from base0 (le32)
 *   [8..11]   available ring, offset from base0 (le32; explicit layout)
 *   [12..15]  used ring, offset from base0 (le32; explicit layout)
 *   [16..23]  base0: guest-physical address of the memory (le64)
 *   [24..31]  base1: address of the second region (le64)
 *   [32..35]  bytes of the memory that form region 0 (le32); the rest, if
 *             any, is region 1 (so a seed can hold the ring pages and the
 *             buffer pages its chains point at, far apart)
 *   [36..]    the memory
 *
 * Offsets from base0 wrap modulo 2^64, so layouts straddling the top of
 * the address space are reachable.
 */
#define HDR 36

static const uint32_t sizes[] = {
    1,	  2,	 4,	8, 16,	  32, 64, 128,	 256,	512,	     1024,	  2048,	       4096,
    8192, 16384, 32768, 0, 65536, 3,  24, 32767, 32769, 0x40000000u, 0x80000000u, 0xffffffffu,
};
/* none (guess), net, blk, console, vsock */
static const uint32_t devices[] = {0, 1, 2, 3, 19, 5, 7, 8, 9, 16, 18, 26};

/*
 * The view's arrays are carved from the end of static stores, so that an
 * entry written past the count the decoder was given lands in ASan's
 * redzone after the object, without a large allocation per run.
 */
#define MAX_POOL (4u * VQ_RING_MAX_SIZE + 256)
static struct vq_chain chain_store[VQ_RING_MAX_SIZE];
static struct vq_chain_desc pool_store[MAX_POOL];
static struct vq_used_elem used_store[256];
static struct vq_finding finding_store[64];

#define TAIL(store, count) ((store) + (sizeof(store) / sizeof((store)[0]) - (count)))

/* Shrink the arrays below what vq_ring_view_sizes() asks for, as a caller
 * with a fixed budget might: the decoder must stop at every limit. */
FUZZ_HARNESS static void set_limits(struct vq_ring_view *v, unsigned lim, unsigned recent)
{
	if (lim & 1)
		v->max_findings = (lim >> 1) & 7;
	if (lim & 2)
		v->max_used = recent / 2;
	if (lim & 4)
		v->max_chains /= 2;
	if (lim & 8)
		v->pool_len = (lim >> 4) * 3;
}

FUZZ_HARNESS static void check_findings(const struct vq_ring_view *v)
{
	unsigned i;

	for (i = 0; i < v->nfindings; i++) {
		const struct vq_finding *fd = &v->findings[i];

		FUZZ_CHECK(fd->code && fd->code[0]);
		FUZZ_CHECK(fd->severity <= VQ_SEV_ERROR);
		FUZZ_CHECK(strcmp(vq_severity_name(fd->severity), "unknown") != 0);
		FUZZ_CHECK(memchr(fd->message, 0, sizeof(fd->message)) != NULL);
	}
}

FUZZ_HARNESS static void check_chain(const struct vq_ring_view *v, const struct vq_chain *c,
				     uint32_t n)
{
	uint64_t out = 0, in = 0;
	unsigned j;

	if (!c->broken)
		FUZZ_CHECK(c->head < n);
	if (c->ndesc) {
		FUZZ_CHECK(c->descs >= v->pool && c->descs + c->ndesc <= v->pool + v->pool_used);
	}
	for (j = 0; j < c->ndesc; j++) {
		const struct vq_chain_desc *d = &c->descs[j];

		FUZZ_CHECK(d->index < n);
		FUZZ_CHECK(d->in_indirect <= 1);
		/* Indirect descriptors are followed, never kept as buffers. */
		FUZZ_CHECK(!(d->flags & 4 /* VRING_DESC_F_INDIRECT */));
		if (d->flags & 2 /* VRING_DESC_F_WRITE */)
			in += d->len;
		else
			out += d->len;
	}
	FUZZ_CHECK(out == c->out_bytes && in == c->in_bytes);
	switch (c->req.kind) {
	case VQ_REQ_NONE:
		break;
	case VQ_REQ_BLK:
		FUZZ_CHECK(c->ndesc >= 1);
		FUZZ_CHECK(c->req.u.blk.status_read <= 1);
		break;
	case VQ_REQ_NET:
		FUZZ_CHECK(c->ndesc >= 1);
		FUZZ_CHECK(c->req.u.net.hdr_size == 10 || c->req.u.net.hdr_size == 12);
		FUZZ_CHECK(c->req.u.net.packet_len <= c->out_bytes);
		break;
	case VQ_REQ_VSOCK:
		FUZZ_CHECK(c->ndesc >= 1);
		break;
	case VQ_REQ_CONSOLE:
		FUZZ_CHECK(c->ndesc >= 1);
		FUZZ_CHECK(c->req.u.console.nbytes <= VQ_CONSOLE_PEEK);
		FUZZ_CHECK(c->req.u.console.nbytes <= c->req.u.console.len);
		break;
	case VQ_REQ_SCSI:
	case VQ_REQ_FUSE:
	case VQ_REQ_9P:
	case VQ_REQ_GPU:
	case VQ_REQ_RPMSG:
		FUZZ_CHECK(c->ndesc >= 1);
		break;
	case VQ_REQ_INPUT:
		/* A pending chain's device-writable buffer holds no event yet. */
		FUZZ_CHECK(c->ndesc >= 1 && !c->req.u.input.from_device);
		break;
	case VQ_REQ_BALLOON:
		FUZZ_CHECK(c->req.u.balloon.nread <= VQ_BALLOON_STATS_MAX);
		FUZZ_CHECK(c->req.u.balloon.nread <= c->req.u.balloon.count);
		break;
	default:
		FUZZ_CHECK(!"unknown request kind");
	}
	/* Pending: nothing the device writes is read as its answer. */
	FUZZ_CHECK(!c->req.final);
	FUZZ_CHECK(c->req.kind != VQ_REQ_SCSI || !c->req.u.scsi.resp_read);
	FUZZ_CHECK(c->req.kind != VQ_REQ_FUSE || !c->req.u.fuse.reply_read);
	FUZZ_CHECK(c->req.kind != VQ_REQ_9P || !c->req.u.p9.reply_read);
	FUZZ_CHECK(c->req.kind != VQ_REQ_GPU || !c->req.u.gpu.reply_read);
	FUZZ_CHECK(c->req.kind != VQ_REQ_RPMSG || !c->req.u.rpmsg.from_device);
}

/* What the decoder promises whatever the memory held. */
FUZZ_HARNESS static void check_view(const struct vq_ring_view *v, int ret, uint32_t n,
				    unsigned recent, const struct fuzzmem *m)
{
	const struct vq_ring_hdr *h = &v->hdr;
	unsigned i, total = 0;
	/*
	 * Bounded work, from ring.c: 4 header reads; per pending chain (at
	 * most n) one avail slot, the descriptors kept (all chains together
	 * at most pool_len = 4n + 256), one indirect descriptor, one failed
	 * or refused read, two payload reads; then at most recent (< 256)
	 * used entries, each one slot, a walk of its chain and two payload
	 * reads, the walks together at most n + 64 descriptors.  That is
	 * about 11n + 1900; 16n + 4096 leaves room without hiding a walk
	 * that is quadratic or unbounded.
	 */
	uint64_t limit = 16ull * n + 4096;

	FUZZ_CHECK(v->nchains <= v->max_chains);
	FUZZ_CHECK(v->nused <= v->max_used);
	FUZZ_CHECK(v->pool_used <= v->pool_len);
	FUZZ_CHECK(v->nfindings <= v->max_findings);
	check_findings(v);
	if (vq_ring_size_problem(n)) {
		/* Refused before any memory is read. */
		FUZZ_CHECK(ret < 0 && m->fetches == 0 && !v->nchains && !v->nused);
		return;
	}
	FUZZ_CHECK(m->fetches <= limit);
	/* No structure the decoder reads is longer than the longest payload
	 * read (the balloon's statistics). */
	FUZZ_CHECK(m->bytes <= VQ_PAYLOAD_MAX_READ * m->fetches);
	if (ret < 0) {
		/* Only the header reads can fail the whole decode. */
		FUZZ_CHECK(m->fetches <= 4 && !v->nchains && !v->nused);
		return;
	}
	FUZZ_CHECK(ret == 0);
	FUZZ_CHECK(h->in_flight == (uint16_t)(h->avail_idx - h->used_idx));
	FUZZ_CHECK(v->nchains <= h->in_flight && v->nchains <= n);
	for (i = 0; i < v->nchains; i++) {
		const struct vq_chain *c = &v->chains[i];

		FUZZ_CHECK(c->slot == (uint16_t)(h->used_idx + i));
		check_chain(v, c, n);
		total += c->ndesc;
	}
	/* Chains own disjoint, consecutive parts of the pool. */
	FUZZ_CHECK(total == v->pool_used);
	FUZZ_CHECK(v->nused <= recent && v->nused <= n && v->nused <= h->used_idx);
	for (i = 0; i < v->nused; i++) {
		const struct vq_request *q = &v->used[i].req;

		FUZZ_CHECK(v->used[i].slot == (uint16_t)(h->used_idx - 1 - i));
		/* Decoded from a used entry: the device's answer, or nothing. */
		FUZZ_CHECK(q->kind == VQ_REQ_NONE ? !q->final : q->final == 1);
		FUZZ_CHECK(q->kind <= VQ_REQ_RPMSG);
		if (q->kind == VQ_REQ_INPUT && q->u.input.from_device)
			FUZZ_CHECK(v->used[i].len >= VQ_INPUT_EVENT);
	}
}

FUZZ_HARNESS static void check_contig(const struct vq_ring_layout *l, uint64_t desc, uint32_t n,
				      uint32_t align)
{
	uint64_t avail_end = l->avail + VQ_AVAIL_BYTES(n);

	FUZZ_CHECK(l->desc == desc && l->size == n && l->align == align);
	FUZZ_CHECK(l->avail == desc + VQ_DESC_BYTES(n));
	FUZZ_CHECK(l->used % align == 0);
	/* The first aligned address at or after the avail ring's end
	 * (modulo 2^64, as the addresses themselves are). */
	FUZZ_CHECK(l->used - avail_end < align);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzzmem m = {0};
	struct vq_fetch f = fuzzmem_fetch(&m);
	struct vq_ring_view v;
	unsigned nch, npool, nfind, recent, lim;
	uint64_t base0, base1, len0, memlen;
	uint32_t n;
	int ret;

	if (size < HDR)
		return -1;
	n = sizes[data[0] % (sizeof(sizes) / sizeof(sizes[0]))];
	lim = data[1] >> 2;
	recent = data[3];
	base0 = fuzz_le(data + 16, 8);
	base1 = fuzz_le(data + 24, 8);
	memlen = size - HDR;
	len0 = fuzz_le(data + 32, 4);
	if (len0 > memlen)
		len0 = memlen;
	fuzzmem_add(&m, base0, data + HDR, len0);
	fuzzmem_add(&m, base1, data + HDR + len0, memlen - len0);

	memset(&v, 0, sizeof(v));
	v.device_id = devices[data[2] % (sizeof(devices) / sizeof(devices[0]))];
	switch (data[1] & 3) {
	case 0:
	case 1: {
		uint32_t align = data[1] & 1 ? VQ_ALIGN_LEGACY : VQ_ALIGN_LINUX;
		uint64_t desc = base0 + fuzz_le(data + 4, 4);

		vq_ring_layout_contig(desc, n, align, &v.layout);
		check_contig(&v.layout, desc, n, align);
		break;
	}
	default:
		v.layout = (struct vq_ring_layout){
		    .desc = base0 + fuzz_le(data + 4, 4),
		    .avail = base0 + fuzz_le(data + 8, 4),
		    .used = base0 + fuzz_le(data + 12, 4),
		    .size = n,
		};
		break;
	}

	/* A caller sizes the arrays only for a size it has checked (the
	 * CLI refuses others first); the decoder must still refuse a bad
	 * one without touching them. */
	vq_ring_view_sizes(vq_ring_size_problem(n) ? 1 : n, recent, &nch, &npool, &nfind);
	FUZZ_CHECK(nch <= VQ_RING_MAX_SIZE && npool <= MAX_POOL && nfind <= 64);
	v.max_chains = nch;
	v.pool_len = npool;
	v.max_findings = nfind;
	v.max_used = recent;
	set_limits(&v, lim, recent);
	v.chains = TAIL(chain_store, v.max_chains);
	v.pool = TAIL(pool_store, v.pool_len);
	v.used = TAIL(used_store, v.max_used);
	v.findings = TAIL(finding_store, v.max_findings);

	ret = vq_ring_decode(&f, &v, recent);
	check_view(&v, ret, n, recent, &m);
	return 0;
}
