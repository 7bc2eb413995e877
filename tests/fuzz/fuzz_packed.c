/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the packed-ring decoder (vq_packed_decode) over guest memory made of the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decode/packed.h"
#include "fuzzmem.h"

/*
 * Input: a header, the guest memory, then the driver's records.
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
 *   [40]      driver records (see set_records()): bit 0 records given
 *             (vq_packed_view.drv), bit 1 the driver's next used slot
 *             is [44..45] (else, when the used position is not given,
 *             [38..39]: PACKED_ID_USED_TWICE and
 *             PACKED_OUT_OF_ORDER_SUSPECTED without records), bit 2
 *             records for a ring of another size (n + 1)
 *   [41]      ID records at the end of the input (REC_ID bytes each)
 *   [42..43]  descriptor records after them (REC_DESC bytes each, le16)
 *   [44..45]  the driver's next used slot: bits 0-14 slot (any value,
 *             past the ring too), 15 wrap (le16)
 *   [46..47]  unused
 *   [48..]    the memory, then the records (as many as fit)
 *
 * An ID record (REC_ID): le16 Buffer ID (taken modulo the size; a later
 * record of the same ID wins), u8 bit 0 in flight, u8 indirect table
 * (indir_at()), le16 num, le16 first, le16 ndesc: any values, consistent
 * or not.  A descriptor record (REC_DESC): le64 addr, le32 len, le16
 * flags, 2 unused.
 */
#define HDR 48
#define REC_ID 10u
#define REC_DESC 16u

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

/* The driver's records, at the end of stores as above (n + 1 IDs for
 * records of a ring of another size). */
#define MAX_DREC (16384u / REC_DESC)
static struct vq_packed_drv_id id_store[VQ_PACKED_MAX_SIZE + 1];
static struct vq_packed_drv_desc drec_store[MAX_DREC];
static struct vq_packed_drvrec drec;

/* An indirect table's address from a record's byte: none (0), into
 * region 0 or 1, across region 0's end, or up to 2^64 - 1. */
FUZZ_HARNESS static uint64_t indir_at(unsigned sel, uint64_t base0, uint64_t base1, uint64_t len0)
{
	uint64_t k = sel >> 2;

	if (!sel)
		return 0;
	switch (sel & 3) {
	case 0:
		return base0 + 16 * k;
	case 1:
		return base1 + 16 * k;
	case 2:
		return base0 + len0 - k;
	}
	return UINT64_MAX - k;
}

/* Bytes at the end of the @size input that the records of header
 * [41..43] take (as many whole records as fit after the header). */
FUZZ_HARNESS static size_t record_bytes(const uint8_t *data, size_t size, unsigned *nid,
					unsigned *nd)
{
	size_t room = size - HDR;

	*nid = data[41];
	if (*nid > room / REC_ID)
		*nid = (unsigned)(room / REC_ID);
	room -= *nid * REC_ID;
	*nd = (unsigned)fuzz_le(data + 42, 2);
	if (*nd > room / REC_DESC)
		*nd = (unsigned)(room / REC_DESC);
	if (*nd > MAX_DREC)
		*nd = MAX_DREC;
	return *nid * REC_ID + *nd * REC_DESC;
}

/* The driver's records for a ring of @n from @rec (@nid ID records, then
 * @nd descriptor records) into v->drv, when header [40] asks for them. */
FUZZ_HARNESS static void set_records(struct vq_packed_view *v, const uint8_t *data, uint32_t n,
				     const uint8_t *rec, unsigned nid, unsigned nd,
				     const uint64_t *where)
{
	struct vq_packed_drv_id *ids;
	struct vq_packed_drv_desc *descs;
	uint32_t nids = data[40] & 4 ? n + 1 : n;
	unsigned j;

	if (data[40] & 2)
		v->drv_used = (struct vq_packed_pos){(uint16_t)(fuzz_le(data + 44, 2) & 0x7fff),
						    (uint8_t)(data[45] >> 7), 1};
	if (!(data[40] & 1) || !n || n > VQ_PACKED_MAX_SIZE)
		return;
	ids = TAIL(id_store, nids);
	memset(ids, 0, sizeof(*ids) * nids);
	for (j = 0; j < nid; j++, rec += REC_ID) {
		struct vq_packed_drv_id *r = &ids[fuzz_le(rec, 2) % nids];

		r->inflight = rec[2] & 1;
		r->indir = indir_at(rec[3], where[0], where[1], where[2]);
		r->num = (uint16_t)fuzz_le(rec + 4, 2);
		r->first = (uint32_t)fuzz_le(rec + 6, 2);
		r->ndesc = (uint16_t)fuzz_le(rec + 8, 2);
	}
	descs = TAIL(drec_store, nd);
	for (j = 0; j < nd; j++, rec += REC_DESC)
		descs[j] = (struct vq_packed_drv_desc){fuzz_le(rec, 8), (uint32_t)fuzz_le(rec + 8, 4),
						       (uint16_t)fuzz_le(rec + 12, 2)};
	drec = (struct vq_packed_drvrec){nids, ids, descs, nd};
	v->drv = &drec;
}

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

/* What every chain's descriptors keep: in the pool, bytes counted by
 * direction, an INDIRECT descriptor followed and never kept, an indirect
 * table's entry within the queue size (2.8.7: no more entries). */
FUZZ_HARNESS static void check_descs(const struct vq_packed_view *v, const struct vq_chain *c)
{
	uint64_t out = 0, in = 0;
	unsigned j;

	if (c->ndesc)
		FUZZ_CHECK(c->descs >= v->rv.pool && c->descs + c->ndesc <= v->rv.pool + v->rv.pool_used);
	for (j = 0; j < c->ndesc; j++) {
		const struct vq_chain_desc *d = &c->descs[j];

		FUZZ_CHECK(d->in_indirect <= 1);
		FUZZ_CHECK(d->in_indirect || !(d->flags & 4));
		if (d->in_indirect)
			FUZZ_CHECK(d->index < v->layout.size);
		if (d->flags & 2)
			in += d->len;
		else
			out += d->len;
	}
	FUZZ_CHECK(out == c->out_bytes && in == c->in_bytes);
	/* Pending: nothing the device writes is read as its answer. */
	FUZZ_CHECK(!c->req.final);
	FUZZ_CHECK(c->req.kind <= VQ_REQ_RPMSG);
}

/* A chain decoded from the ring: its first slot pending, its ring
 * descriptors slots of the ring, its ID its last slot's (2.8.6). */
FUZZ_HARNESS static void check_ring_chain(const struct vq_packed_view *v, const struct vq_chain *c)
{
	unsigned j;

	FUZZ_CHECK(c->slot < v->layout.size && c->head == c->slot);
	FUZZ_CHECK(v->slots[c->slot].pending);
	for (j = 0; j < c->ndesc; j++)
		if (!c->descs[j].in_indirect)
			FUZZ_CHECK(c->descs[j].index < v->layout.size);
	if (!c->broken && c->ndesc && !c->ind_len)
		FUZZ_CHECK(c->id == v->slots[c->descs[c->ndesc - 1].index].id);
}

/*
 * A chain from the driver's records (its slots overwritten, so slot and
 * head 0xffff): an ID the records have in flight; when the records
 * hold no copy within their array, its indirect table's first entry at
 * most; otherwise each ring
 * descriptor is the record's entry at its index, as the driver kept it.
 */
FUZZ_HARNESS static void check_driver_chain(const struct vq_packed_view *v, const struct vq_chain *c)
{
	const struct vq_packed_drvrec *d = v->drv;
	const struct vq_packed_drv_id *r;
	unsigned j;

	FUZZ_CHECK(d && v->pending_source == VQ_PENDING_DRIVER);
	FUZZ_CHECK(c->slot == 0xffff && c->head == 0xffff && c->id < v->layout.size);
	r = &d->ids[c->id];
	FUZZ_CHECK(r->inflight);
	if (!r->ndesc || r->first > d->ndescs || r->ndesc > d->ndescs - r->first) {
		/* No copy: with an indirect table's address, its first
		 * entry at most (PACKED_PENDING_PARTIAL), else nothing. */
		FUZZ_CHECK(c->broken && c->ndesc <= (r->indir ? 1u : 0u));
		FUZZ_CHECK(!c->ndesc || (c->descs[0].in_indirect && c->descs[0].index == 0));
		return;
	}
	for (j = 0; j < c->ndesc; j++) {
		const struct vq_chain_desc *x = &c->descs[j];
		const struct vq_packed_drv_desc *k;

		if (x->in_indirect)
			continue;
		FUZZ_CHECK(x->index < r->ndesc);
		k = &d->descs[r->first + x->index];
		FUZZ_CHECK(x->addr == k->addr && x->len == k->len && x->flags == k->flags);
		FUZZ_CHECK(x->id == c->id);
	}
}

/* Where the pending chains came from, against the records given: the
 * driver's records only when given and usable, its chains after the
 * ring's in ID order, no ID twice, every ID one the records have in
 * flight, and the finding that says so. */
FUZZ_HARNESS static void check_source(const struct vq_packed_view *v, uint32_t n)
{
	static uint32_t ids[65536 / 32];
	const struct vq_packed_drvrec *d = v->drv;
	unsigned i, found = 0, prev = 0, seen_drv = 0;

	FUZZ_CHECK(v->pending_source <= VQ_PENDING_DRIVER && v->drv_agrees <= 1);
	if (v->drv_agrees)
		FUZZ_CHECK(d && v->pending_source == VQ_PENDING_RING);
	if (v->pending_source == VQ_PENDING_RING) {
		for (i = 0; i < v->rv.nchains; i++)
			FUZZ_CHECK(!v->rv.chains[i].from_driver);
		return;
	}
	FUZZ_CHECK(d && d->n == n && d->ids && v->drv_used.known && v->drv_used.idx < n);
	memset(ids, 0, sizeof(ids));
	for (i = 0; i < v->rv.nchains; i++) {
		const struct vq_chain *c = &v->rv.chains[i];

		FUZZ_CHECK(c->id < n && d->ids[c->id].inflight);
		FUZZ_CHECK(!(ids[c->id / 32] & (1u << (c->id % 32))));
		ids[c->id / 32] |= 1u << (c->id % 32);
		if (seen_drv)
			FUZZ_CHECK(c->from_driver && c->id > prev);
		seen_drv |= c->from_driver;
		prev = c->id;
	}
	for (i = 0; i < v->rv.nfindings; i++)
		found |= !strcmp(v->rv.findings[i].code, "PACKED_OUT_OF_ORDER");
	if (v->rv.nfindings < v->rv.max_findings)
		FUZZ_CHECK(found);
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
		/* No ring has a slot 65535 (at most 32768 slots): a chain from
		 * the driver's records (slot 0xffff) is named by its ID. */
		FUZZ_CHECK(!strstr(v->rv.findings[i].message, "slot 65535"));
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
		const struct vq_chain *c = &v->rv.chains[i];

		check_descs(v, c);
		if (c->from_driver)
			check_driver_chain(v, c);
		else
			check_ring_chain(v, c);
		total += c->ndesc;
	}
	check_source(v, n);
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
	uint64_t base0, base1, len0, memlen, where[3];
	unsigned nid, nd;
	size_t rbytes;
	uint32_t n;
	int ret;

	if (size < HDR)
		return -1;
	n = sizes[data[0] % (sizeof(sizes) / sizeof(sizes[0]))];
	recent = data[3];
	base0 = fuzz_le(data + 16, 8);
	base1 = fuzz_le(data + 24, 8);
	rbytes = record_bytes(data, size, &nid, &nd);
	memlen = size - HDR - rbytes;
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
	where[0] = base0;
	where[1] = base1;
	where[2] = len0;
	set_records(&v, data, n, data + size - rbytes, nid, nd, where);
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
