/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the packed-ring decoder (vq_packed_decode) over guest memory made of the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decode/packed.h"
#include "fuzzmem.h"

/*
 * Input: a header, then the guest memory.
 *
 *   [0]       Queue Size: index into sizes[] (valid and invalid ones)
 *   [1]       bits 0-1: bit 0 the avail position below is given, bit 1
 *                       the used position; bits 2-7: array limits, 0 as
 *                       vq_ring_view_sizes() says (see set_limits())
 *   [2]       device ID: index into devices[]
 *   [3]       recent used entries asked for
 *   [4..7]    descriptor ring, offset from base0 (le32)
 *   [8..11]   driver event area, offset from base0 (le32)
 *   [12..15]  device event area, offset from base0 (le32)
 *   [16..23]  base0: guest-physical address of the memory (le64)
 *   [24..31]  base1: address of the second region (le64)
 *   [32..35]  bytes of the memory that form region 0 (le32); the rest is
 *             region 1 (indirect tables and buffers far from the ring)
 *   [36..37]  avail position when given: bits 0-14 slot, 15 wrap (le16)
 *   [38..39]  used position, the same way
 *   [40..]    the memory
 */
#define HDR 40

static const uint32_t sizes[] = {
    1, 2, 3, 4, 5, 7, 8, 16, 24, 64, 100, 256, 1000, 1024, 4096, 32768, 0, 32769, 65535, 0xffffffffu,
};
static const uint32_t devices[] = {0, 1, 2, 3, 19, 5, 7, 8, 9, 16, 18, 26};

/* As in fuzz_ring.c: arrays at the end of static stores, so that a write
 * past the count the decoder was given lands in ASan's redzone. */
#define MAX_POOL (4u * VQ_PACKED_MAX_SIZE + 256)
static struct vq_packed_slot slot_store[VQ_PACKED_MAX_SIZE];
static struct vq_chain chain_store[VQ_PACKED_MAX_SIZE];
static struct vq_chain_desc pool_store[MAX_POOL];
static struct vq_used_elem used_store[256];
static struct vq_finding finding_store[64];

#define TAIL(store, count) ((store) + (sizeof(store) / sizeof((store)[0]) - (count)))

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

FUZZ_HARNESS static void check_chain(const struct vq_packed_view *v, const struct vq_chain *c)
{
	uint64_t out = 0, in = 0;
	unsigned j;

	FUZZ_CHECK(c->slot < v->layout.size && c->head == c->slot);
	FUZZ_CHECK(v->slots[c->slot].pending);
	if (c->ndesc)
		FUZZ_CHECK(c->descs >= v->rv.pool && c->descs + c->ndesc <= v->rv.pool + v->rv.pool_used);
	for (j = 0; j < c->ndesc; j++) {
		const struct vq_chain_desc *d = &c->descs[j];

		FUZZ_CHECK(d->in_indirect <= 1);
		if (!d->in_indirect)
			FUZZ_CHECK(d->index < v->layout.size);
		/* An indirect descriptor of the ring is followed, never kept. */
		FUZZ_CHECK(d->in_indirect || !(d->flags & 4));
		if (d->flags & 2)
			in += d->len;
		else
			out += d->len;
	}
	FUZZ_CHECK(out == c->out_bytes && in == c->in_bytes);
	/* Pending: nothing the device writes is read as its answer. */
	FUZZ_CHECK(!c->req.final);
	FUZZ_CHECK(c->req.kind <= VQ_REQ_RPMSG);
	if (!c->broken && c->ndesc && !c->ind_len)
		FUZZ_CHECK(c->id == v->slots[c->descs[c->ndesc - 1].index].id);
}

FUZZ_HARNESS static void check_event(const struct vq_packed_event *e)
{
	FUZZ_CHECK(e->due >= -1 && e->due <= 1);
	FUZZ_CHECK(e->reached >= -1 && e->reached <= 1);
	FUZZ_CHECK((e->reached < 0) == ((e->flags & 3) != 2));
}

/* What the decoder promises whatever the memory held. */
FUZZ_HARNESS static void check_view(const struct vq_packed_view *v, int ret, uint32_t n,
				    const struct fuzzmem *m)
{
	unsigned i, total = 0;
	/*
	 * Bounded work, from packed.c: 2 event reads and n slots; indirect
	 * entries kept, all chains together at most pool_len = 4n + 256,
	 * plus one refused read per chain; per chain (at most n) a few
	 * payload reads.  16n + 4096 leaves room without hiding a walk
	 * that is quadratic.
	 */
	uint64_t limit = 16ull * n + 4096;

	FUZZ_CHECK(v->rv.nchains <= v->rv.max_chains && v->rv.nused <= v->rv.max_used);
	FUZZ_CHECK(v->rv.pool_used <= v->rv.pool_len && v->rv.nfindings <= v->rv.max_findings);
	for (i = 0; i < v->rv.nfindings; i++) {
		FUZZ_CHECK(v->rv.findings[i].code && v->rv.findings[i].code[0]);
		FUZZ_CHECK(memchr(v->rv.findings[i].message, 0, sizeof(v->rv.findings[i].message)));
	}
	if (vq_packed_size_problem(n)) {
		FUZZ_CHECK(ret < 0 && m->fetches == 0);
		return;
	}
	FUZZ_CHECK(m->fetches <= limit);
	FUZZ_CHECK(m->bytes <= VQ_PAYLOAD_MAX_READ * m->fetches);
	if (ret < 0) {
		FUZZ_CHECK(m->fetches <= 3 && !v->rv.nchains && !v->rv.nused);
		return;
	}
	FUZZ_CHECK(v->nslots <= n);
	if (v->nslots < n) {
		FUZZ_CHECK(!v->rv.nchains && !v->rv.nused);
		return;
	}
	FUZZ_CHECK(v->avail.idx < n && v->avail.wrap <= 1);
	FUZZ_CHECK(v->used.idx < n && v->used.wrap <= 1);
	FUZZ_CHECK(v->pending_slots <= n && v->rv.nchains <= v->pending_slots);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(v->slots[i].state <= VQ_PSLOT_STALE && v->slots[i].pending <= 1);
	for (i = 0; i < v->rv.nchains; i++) {
		check_chain(v, &v->rv.chains[i]);
		total += v->rv.chains[i].ndesc;
	}
	FUZZ_CHECK(total == v->rv.pool_used);
	for (i = 0; i < v->rv.nused; i++) {
		FUZZ_CHECK(v->rv.used[i].slot < n);
		FUZZ_CHECK(v->slots[v->rv.used[i].slot].state == VQ_PSLOT_USED);
		FUZZ_CHECK(!v->slots[v->rv.used[i].slot].pending);
		FUZZ_CHECK(v->rv.used[i].req.kind == VQ_REQ_NONE);
	}
	check_event(&v->driver_event);
	check_event(&v->device_event);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzzmem m = {0};
	struct vq_fetch f = fuzzmem_fetch(&m);
	struct vq_packed_view v;
	unsigned nch, npool, nfind, recent;
	uint64_t base0, base1, len0, memlen;
	uint32_t n;
	int ret;

	if (size < HDR)
		return -1;
	n = sizes[data[0] % (sizeof(sizes) / sizeof(sizes[0]))];
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
	v.layout = (struct vq_packed_layout){
	    .desc = base0 + fuzz_le(data + 4, 4),
	    .driver = base0 + fuzz_le(data + 8, 4),
	    .device = base0 + fuzz_le(data + 12, 4),
	    .size = n,
	};
	if (data[1] & 1)
		v.avail = (struct vq_packed_pos){(uint16_t)(fuzz_le(data + 36, 2) & 0x7fff),
						 (uint8_t)(data[37] >> 7), 1};
	if (data[1] & 2)
		v.used = (struct vq_packed_pos){(uint16_t)(fuzz_le(data + 38, 2) & 0x7fff),
						(uint8_t)(data[39] >> 7), 1};
	else /* the driver's own next used slot (its record): PACKED_ID_USED_TWICE */
		v.drv_used = (struct vq_packed_pos){(uint16_t)(fuzz_le(data + 38, 2) & 0x7fff),
						    (uint8_t)(data[39] >> 7), 1};
	v.rv.device_id = devices[data[2] % (sizeof(devices) / sizeof(devices[0]))];
	vq_ring_view_sizes(vq_packed_size_problem(n) ? 1 : n, recent, &nch, &npool, &nfind);
	FUZZ_CHECK(nch <= VQ_PACKED_MAX_SIZE && npool <= MAX_POOL && nfind <= 64);
	v.rv.max_chains = nch;
	v.rv.pool_len = npool;
	v.rv.max_findings = nfind;
	v.rv.max_used = recent;
	set_limits(&v.rv, data[1] >> 2, recent);
	v.slots = TAIL(slot_store, vq_packed_size_problem(n) ? 1 : n);
	v.rv.chains = TAIL(chain_store, v.rv.max_chains);
	v.rv.pool = TAIL(pool_store, v.rv.pool_len);
	v.rv.used = TAIL(used_store, v.rv.max_used);
	v.rv.findings = TAIL(finding_store, v.rv.max_findings);

	ret = vq_packed_decode(&f, &v, recent);
	check_view(&v, ret, n, &m);
	return 0;
}
