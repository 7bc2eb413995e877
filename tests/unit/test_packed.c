/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the packed-ring decoder, from rings built by hand per virtio 1.3 section 2.8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

#include "decode/diag.h"
#include "decode/packed.h"
#include "fakemem.h"

#define BASE 0x100000ull
#define DESC 0x101000ull
#define DRV 0x100000ull  /* driver event suppression area */
#define DEV 0x100010ull  /* device event suppression area */
#define BUF 0x180000ull  /* buffers and indirect tables */

/* 2.8.1 and 2.8.13: a driver makes a slot available in round W with
 * AVAIL = W and USED = !W; a device writes it back used with AVAIL =
 * USED = W. */
#define AV(w) ((uint16_t)((w) ? 1u << VRING_PACKED_DESC_F_AVAIL : 1u << VRING_PACKED_DESC_F_USED))
#define US(w) ((uint16_t)((w) ? (1u << VRING_PACKED_DESC_F_AVAIL) | (1u << VRING_PACKED_DESC_F_USED) : 0))

struct rig {
	struct fakemem m;
	struct vq_fetch f;
	struct vq_packed_view v;
	struct vq_packed_slot slots[VQ_PACKED_MAX_SIZE];
	struct vq_chain chains[VQ_PACKED_MAX_SIZE];
	struct vq_used_elem used[16];
	struct vq_chain_desc pool[4 * VQ_PACKED_MAX_SIZE + 256];
	struct vq_finding findings[64];
};

static struct rig *rig_new(uint32_t n)
{
	struct rig *r = calloc(1, sizeof(*r));
	unsigned nch, npool, nf;

	fake_init(&r->m, BASE, 4 << 20);
	r->f = fake_fetch(&r->m);
	r->v.layout = (struct vq_packed_layout){ DESC, DRV, DEV, n };
	vq_ring_view_sizes(n, 8, &nch, &npool, &nf);
	r->v.slots = r->slots;
	r->v.rv.chains = r->chains;
	r->v.rv.max_chains = nch;
	r->v.rv.used = r->used;
	r->v.rv.max_used = 16;
	r->v.rv.pool = r->pool;
	r->v.rv.pool_len = npool;
	r->v.rv.findings = r->findings;
	r->v.rv.max_findings = nf;
	return r;
}

static void rig_free(struct rig *r)
{
	fake_free(&r->m);
	free(r);
}

/* 2.8.13: le64 addr, le32 len, le16 id, le16 flags. */
static void pdesc(struct rig *r, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
		  uint16_t id, uint16_t flags)
{
	uint64_t a = table + 16ull * i;

	put64(&r->m, a, addr);
	put32(&r->m, a + 8, len);
	put16(&r->m, a + 12, id);
	put16(&r->m, a + 14, flags);
}

/* 2.8.14: le16 off_wrap, le16 flags. */
static void pevent(struct rig *r, uint64_t at, uint16_t off, unsigned wrap, uint16_t flags)
{
	put16(&r->m, at, (uint16_t)(off | (wrap << 15)));
	put16(&r->m, at + 2, flags);
}

static int has_finding(const struct rig *r, const char *code)
{
	unsigned i;

	for (i = 0; i < r->v.rv.nfindings; i++)
		if (!strcmp(r->v.rv.findings[i].code, code))
			return 1;
	return 0;
}

/* 2.8.1: both wrap counters start at 1, and zeroed slots read as used in
 * the round before: nothing pending, the driver at slot 0 wrap 1. */
static void test_fresh_ring(void **state)
{
	struct rig *r = rig_new(8);

	(void)state;
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.avail.idx, 0);
	assert_int_equal(r->v.avail.wrap, 1);
	assert_int_equal(r->v.avail.known, 0);
	assert_int_equal(r->v.used.idx, 0);
	assert_int_equal(r->v.used.wrap, 1);
	assert_int_equal(r->v.pending_slots, 0);
	assert_int_equal(r->v.rv.nchains, 0);
	assert_int_equal(r->v.rv.nfindings, 0);
	rig_free(r);
}

/* Three buffers made available in wrap 1 (slots 0-2), the first written
 * back used with Buffer ID 5 (2.8.21, 2.8.22): driver at 3, device at 1. */
static void test_avail_and_used(void **state)
{
	struct rig *r = rig_new(8);

	(void)state;
	pdesc(r, DESC, 0, BUF, 100, 5, US(1));
	pdesc(r, DESC, 1, BUF + 0x1000, 200, 6, AV(1));
	pdesc(r, DESC, 2, BUF + 0x2000, 300, 7, AV(1) | VRING_DESC_F_WRITE);
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.avail.idx, 3);
	assert_int_equal(r->v.avail.wrap, 1);
	assert_int_equal(r->v.used.idx, 1);
	assert_int_equal(r->v.used.wrap, 1);
	assert_int_equal(r->v.pending_slots, 2);
	assert_int_equal(r->v.rv.nchains, 2);
	assert_int_equal(r->v.rv.chains[0].slot, 1);
	assert_int_equal(r->v.rv.chains[0].id, 6);
	assert_int_equal(r->v.rv.chains[0].out_bytes, 200);
	assert_int_equal(r->v.rv.chains[1].id, 7);
	assert_int_equal(r->v.rv.chains[1].in_bytes, 300);
	assert_int_equal(r->v.rv.nused, 1);
	assert_int_equal(r->v.rv.used[0].id, 5);
	assert_int_equal(r->v.rv.used[0].slot, 0);
	assert_int_equal(r->v.slots[0].state, VQ_PSLOT_USED);
	assert_int_equal(r->v.slots[1].state, VQ_PSLOT_AVAIL);
	assert_int_equal(r->v.rv.nfindings, 0);
	rig_free(r);
}

/* 2.8.6 and 2.8.1: a chain from slot 3 of a ring of 4 goes on at slot 0,
 * which carries the flipped wrap counter (AVAIL 0, USED 1); the Buffer ID
 * is the last descriptor's. */
static void test_chain_crosses_end(void **state)
{
	struct rig *r = rig_new(4);

	(void)state;
	pdesc(r, DESC, 1, BUF, 1, 1, US(1));
	pdesc(r, DESC, 2, BUF, 1, 2, US(1));
	pdesc(r, DESC, 3, BUF, 16, 0, AV(1) | VRING_DESC_F_NEXT);
	pdesc(r, DESC, 0, BUF + 0x1000, 512, 9, AV(0) | VRING_DESC_F_WRITE);
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.avail.idx, 1);
	assert_int_equal(r->v.avail.wrap, 0);
	assert_int_equal(r->v.used.idx, 3);
	assert_int_equal(r->v.used.wrap, 1);
	assert_int_equal(r->v.rv.nchains, 1);
	assert_int_equal(r->v.rv.chains[0].slot, 3);
	assert_int_equal(r->v.rv.chains[0].ndesc, 2);
	assert_int_equal(r->v.rv.chains[0].id, 9);
	assert_false(r->v.rv.chains[0].broken);
	assert_int_equal(r->v.rv.nfindings, 0);
	rig_free(r);
}

/* The same chain with slot 0 keeping the old wrap counter: from memory
 * alone the list runs into slots never made available; with the
 * driver's position given, slot 0 is named. */
static void test_chain_wrap_bits_wrong(void **state)
{
	struct rig *r = rig_new(4);

	(void)state;
	pdesc(r, DESC, 1, BUF, 1, 1, US(1));
	pdesc(r, DESC, 2, BUF, 1, 2, US(1));
	pdesc(r, DESC, 3, BUF, 16, 0, AV(1) | VRING_DESC_F_NEXT);
	pdesc(r, DESC, 0, BUF + 0x1000, 512, 9, AV(1) | VRING_DESC_F_WRITE);
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_true(has_finding(r, "CHAIN_UNTERMINATED"));
	r->v.avail = (struct vq_packed_pos){ 1, 0, 1 };
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.avail.known, 1);
	assert_true(has_finding(r, "CHAIN_WRAP_BITS"));
	assert_true(r->v.rv.chains[0].broken);
	rig_free(r);
}

/* 2.8.7: an indirect table of packed descriptors; a blk request in it
 * (5.2.6) is decoded as in a split ring. */
static void test_indirect_blk(void **state)
{
	struct rig *r = rig_new(8);
	const uint64_t t = BUF + 0x8000;

	(void)state;
	pdesc(r, DESC, 0, t, 48, 3, AV(1) | VRING_DESC_F_INDIRECT);
	pdesc(r, t, 0, BUF, 16, 0, 0);
	pdesc(r, t, 1, BUF + 0x1000, 512, 0, VRING_DESC_F_WRITE);
	pdesc(r, t, 2, BUF + 0x2000, 1, 0, VRING_DESC_F_WRITE);
	put32(&r->m, BUF, VIRTIO_BLK_T_IN);
	put64(&r->m, BUF + 8, 2048);
	r->v.rv.device_id = VIRTIO_ID_BLOCK;
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.rv.nchains, 1);
	assert_int_equal(r->v.rv.chains[0].ndesc, 3);
	assert_int_equal(r->v.rv.chains[0].id, 3);
	assert_int_equal(r->v.rv.chains[0].ind_len, 48);
	assert_int_equal(r->v.rv.chains[0].req.kind, VQ_REQ_BLK);
	assert_int_equal(r->v.rv.chains[0].req.u.blk.sector, 2048);
	assert_int_equal(r->v.rv.nfindings, 0);
	rig_free(r);
}

/* 2.8.7: bad indirect tables. */
static void test_indirect_bad(void **state)
{
	struct rig *r = rig_new(8);
	const uint64_t t = BUF + 0x8000;

	(void)state;
	pdesc(r, DESC, 0, t, 20, 1, AV(1) | VRING_DESC_F_INDIRECT);
	pdesc(r, DESC, 1, t, 32, 2, AV(1) | VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT);
	pdesc(r, DESC, 2, BUF, 1, 2, AV(1));
	pdesc(r, DESC, 3, t + 0x100, 32, 3, AV(1) | VRING_DESC_F_INDIRECT);
	pdesc(r, t, 0, BUF, 16, 0, VRING_DESC_F_NEXT);
	pdesc(r, t + 0x100, 0, BUF, 16, 0, VRING_DESC_F_INDIRECT);
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_true(has_finding(r, "INDIRECT_BAD_LEN"));
	assert_true(has_finding(r, "INDIRECT_IN_LIST"));
	assert_true(has_finding(r, "INDIRECT_BAD_FLAGS"));
	assert_true(has_finding(r, "INDIRECT_NESTED"));
	rig_free(r);
}

/* A Buffer ID made available twice with no use between (2.8.21: the
 * driver gives each outstanding buffer its own ID). */
static void test_id_pending_twice(void **state)
{
	struct rig *r = rig_new(8);

	(void)state;
	pdesc(r, DESC, 0, BUF, 1, 4, AV(1));
	pdesc(r, DESC, 1, BUF, 1, 4, AV(1));
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_true(has_finding(r, "PACKED_ID_PENDING_TWICE"));
	rig_free(r);
}

/* Used entries at slots 0-2 (IDs 3, 3, 4), slot 3 pending: with the
 * driver's own next used slot at 0 (it took none), ID 3 was used twice;
 * at slot 1 it took the first and may have made ID 3 available again;
 * without the driver's record nothing can be said. */
static void test_id_used_twice(void **state)
{
	struct rig *r = rig_new(8);

	(void)state;
	pdesc(r, DESC, 0, BUF, 1, 3, US(1));
	pdesc(r, DESC, 1, BUF, 1, 3, US(1));
	pdesc(r, DESC, 2, BUF, 1, 4, US(1));
	pdesc(r, DESC, 3, BUF, 1, 5, AV(1));
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.used.idx, 3);
	assert_false(has_finding(r, "PACKED_ID_USED_TWICE"));
	r->v.drv_used = (struct vq_packed_pos){ 0, 1, 1 };
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_true(has_finding(r, "PACKED_ID_USED_TWICE"));
	r->v.drv_used = (struct vq_packed_pos){ 1, 1, 1 };
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_false(has_finding(r, "PACKED_ID_USED_TWICE"));
	rig_free(r);
}

/* A slot written back used in wrap 1 past the driver's position in that
 * wrap: the device used a descriptor the driver never made available. */
static void test_used_not_available(void **state)
{
	struct rig *r = rig_new(8);

	(void)state;
	pdesc(r, DESC, 0, BUF, 1, 0, AV(1));
	pdesc(r, DESC, 1, BUF, 1, 1, AV(1));
	pdesc(r, DESC, 5, BUF, 1, 9, US(1));
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.avail.idx, 2);
	assert_true(has_finding(r, "PACKED_AVAIL_BITS_INCONSISTENT"));
	assert_true(has_finding(r, "PACKED_USED_NOT_AVAILABLE"));
	assert_int_equal(r->v.slots[5].state, VQ_PSLOT_STALE);
	rig_free(r);
}

/* 2.8.10 and 2.8.14: the device asks for a notification once the driver
 * makes slot 2 of wrap 1 available (DESC mode): passed at position 4
 * wrap 1, not for slot 6; the driver disables used notifications. */
static void test_events(void **state)
{
	struct rig *r = rig_new(8);
	unsigned i;

	(void)state;
	for (i = 0; i < 4; i++)
		pdesc(r, DESC, i, BUF, 1, (uint16_t)i, AV(1));
	pevent(r, DEV, 2, 1, VRING_PACKED_EVENT_FLAG_DESC);
	pevent(r, DRV, 0, 0, VRING_PACKED_EVENT_FLAG_DISABLE);
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.device_event.reached, 1);
	assert_int_equal(r->v.device_event.due, 1);
	assert_int_equal(r->v.driver_event.due, 0);
	assert_int_equal(r->v.driver_event.reached, -1);
	pevent(r, DEV, 6, 1, VRING_PACKED_EVENT_FLAG_DESC);
	/* The same slot one wrap earlier was passed long ago. */
	pevent(r, DRV, 6, 0, 3);
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.device_event.reached, 0);
	assert_true(has_finding(r, "EVENT_FLAGS_RESERVED"));
	pevent(r, DEV, 9, 1, VRING_PACKED_EVENT_FLAG_DESC);
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_true(has_finding(r, "EVENT_OFF_OUT_OF_RANGE"));
	/* ENABLE: every available buffer is to be notified; 4 pending. */
	pevent(r, DEV, 0, 0, VRING_PACKED_EVENT_FLAG_ENABLE);
	pevent(r, DRV, 0, 0, VRING_PACKED_EVENT_FLAG_ENABLE);
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.device_event.due, 1);
	/* ENABLE in the driver area: what the driver has taken is in no
	 * ring, so whether a used buffer notification is due is unknown. */
	assert_int_equal(r->v.driver_event.due, -1);
	rig_free(r);
}

/* The device's position given (as QEMU reports it): pending from there,
 * and a used slot past it is named. */
static void test_positions_given(void **state)
{
	struct rig *r = rig_new(8);

	(void)state;
	pdesc(r, DESC, 0, BUF, 1, 0, US(1));
	pdesc(r, DESC, 1, BUF, 1, 1, AV(1));
	pdesc(r, DESC, 2, BUF, 1, 2, US(1));
	r->v.used = (struct vq_packed_pos){ 1, 1, 1 };
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.used.known, 1);
	assert_int_equal(r->v.pending_slots, 2);
	assert_true(has_finding(r, "PACKED_USED_AHEAD"));
	rig_free(r);
}

/* 2.8.6: a used chain's other slots keep their available bits: after a
 * used slot, a slot with the same Buffer ID may be their rest, and the
 * inferred position says so; an INDIRECT slot is a chain of its own
 * (2.8.7), so no doubt. */
static void test_used_pos_doubt(void **state)
{
	struct rig *r = rig_new(8);

	(void)state;
	pdesc(r, DESC, 0, BUF, 16, 4, US(1));
	pdesc(r, DESC, 1, BUF + 0x100, 1, 4, AV(1) | VRING_DESC_F_WRITE);
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.used.idx, 1);
	assert_true(has_finding(r, "PACKED_USED_POS_INFERRED"));
	pdesc(r, DESC, 1, BUF + 0x8000, 48, 4, AV(1) | VRING_DESC_F_INDIRECT);
	pdesc(r, BUF + 0x8000, 0, BUF, 16, 0, 0);
	pdesc(r, BUF + 0x8000, 1, BUF, 1, 0, VRING_DESC_F_WRITE);
	pdesc(r, BUF + 0x8000, 2, BUF, 1, 0, VRING_DESC_F_WRITE);
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_false(has_finding(r, "PACKED_USED_POS_INFERRED"));
	assert_int_equal(r->v.rv.nchains, 1);
	rig_free(r);
}

/*
 * Out of order (2.8.6, 2.8.21), as QEMU showed it: a write (Buffer ID 0,
 * indirect table T0, held by blkdebug) at slot 0, a read (ID 1, table T1)
 * at slot 1; the device completes the read first and writes its used
 * descriptor at its next used slot, 0, over the write's.  The ring alone
 * then shows slot 1 (ID 1, whose table the driver has freed) as pending.
 * The driver's records (Linux's desc_state, desc_extra) say ID 0 is in
 * flight: that is the pending request, its buffers from the records.
 */
#define T0 (BUF + 0x8000)
#define T1 (BUF + 0x9000)
static struct rig *ooo_ring(void)
{
	struct rig *r = rig_new(8);

	pdesc(r, DESC, 0, 0, 513, 1, US(1));                    /* ID 1's used descriptor */
	pdesc(r, DESC, 1, T1, 48, 1, AV(1) | VRING_DESC_F_INDIRECT); /* ID 1's stale slot */
	/* T1 freed and reused: garbage, as kfree left it in QEMU. */
	pdesc(r, T1, 0, 0xdead0000, 7, 0, VRING_DESC_F_INDIRECT);
	/* T0: header (write, sector 4096), 512 bytes out, status in. */
	pdesc(r, T0, 0, BUF, 16, 0, 0);
	pdesc(r, T0, 1, BUF + 0x1000, 512, 0, 0);
	pdesc(r, T0, 2, BUF + 0x2000, 1, 0, VRING_DESC_F_WRITE);
	put32(&r->m, BUF, VIRTIO_BLK_T_OUT);
	put64(&r->m, BUF + 8, 4096);
	r->v.rv.device_id = VIRTIO_ID_BLOCK;
	return r;
}

static void test_out_of_order_driver(void **state)
{
	struct rig *r = ooo_ring();
	struct vq_packed_drv_id ids[8] = {
		[0] = { .inflight = 1, .num = 1, .indir = T0, .first = 0, .ndesc = 1 },
		[1] = { .inflight = 1, .num = 1, .indir = T1, .first = 1, .ndesc = 1 },
	};
	const struct vq_packed_drv_desc descs[2] = {
		{ T0, 48, VRING_DESC_F_INDIRECT },
		{ T1, 48, VRING_DESC_F_INDIRECT },
	};
	struct vq_packed_drvrec d = { 8, ids, descs, 2 };

	(void)state;
	/* Without the records: the defect, ID 1 named (and, with the
	 * driver's next used slot at 0, the doubt said). */
	r->v.drv_used = (struct vq_packed_pos){ 0, 1, 1 };
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.rv.nchains, 1);
	assert_int_equal(r->v.rv.chains[0].id, 1);
	assert_int_equal(r->v.pending_source, VQ_PENDING_RING);
	assert_true(has_finding(r, "PACKED_OUT_OF_ORDER_SUSPECTED"));
	/* With them, the driver not having taken ID 1's used entry yet. */
	r->v.drv = &d;
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.pending_source, VQ_PENDING_DRIVER);
	assert_true(has_finding(r, "PACKED_OUT_OF_ORDER"));
	assert_false(has_finding(r, "PACKED_OUT_OF_ORDER_SUSPECTED"));
	assert_false(has_finding(r, "INDIRECT_NESTED"));
	assert_int_equal(r->v.rv.nchains, 1);
	assert_int_equal(r->v.rv.chains[0].id, 0);
	assert_int_equal(r->v.rv.chains[0].from_driver, 1);
	assert_int_equal(r->v.rv.chains[0].slot, 0xffff);
	assert_int_equal(r->v.rv.chains[0].ndesc, 3);
	assert_int_equal(r->v.rv.chains[0].ind_addr, T0);
	assert_int_equal(r->v.rv.chains[0].out_bytes, 528);
	assert_int_equal(r->v.rv.chains[0].in_bytes, 1);
	assert_int_equal(r->v.rv.chains[0].req.kind, VQ_REQ_BLK);
	assert_int_equal(r->v.rv.chains[0].req.u.blk.type, VIRTIO_BLK_T_OUT);
	assert_int_equal(r->v.rv.chains[0].req.u.blk.sector, 4096);
	/* Records that cannot be this ring's: more requests pending than
	 * slots past the used position (1 here); the ring's view stays. */
	ids[5] = ids[0];
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.pending_source, VQ_PENDING_RING);
	assert_true(has_finding(r, "PACKED_DRIVER_RECORDS_INCONSISTENT"));
	assert_int_equal(r->v.rv.chains[0].id, 1);
	ids[5].inflight = 0;
	/* The driver has taken ID 1 (next used slot 1, ID 1 free): the same. */
	ids[1].inflight = 0;
	r->v.drv_used = (struct vq_packed_pos){ 1, 1, 1 };
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.rv.nchains, 1);
	assert_int_equal(r->v.rv.chains[0].id, 0);
	assert_true(has_finding(r, "PACKED_OUT_OF_ORDER"));
	rig_free(r);
}

/* Linux without the DMA API keeps no copy of a chain's descriptors
 * (desc_extra's addr, len, flags are not written): the pending ID is
 * still named, its buffers said unknown. */
static void test_out_of_order_no_copy(void **state)
{
	struct rig *r = ooo_ring();
	struct vq_packed_drv_id ids[8] = {
		[0] = { .inflight = 1, .num = 1, .indir = T0 },
		[1] = { .inflight = 1, .num = 1, .indir = T1 },
	};
	struct vq_packed_drvrec d = { 8, ids, NULL, 0 };

	(void)state;
	r->v.drv_used = (struct vq_packed_pos){ 0, 1, 1 };
	r->v.drv = &d;
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.pending_source, VQ_PENDING_DRIVER);
	assert_int_equal(r->v.rv.nchains, 1);
	assert_int_equal(r->v.rv.chains[0].id, 0);
	/* Its indirect table's address is in the record, not its length:
	 * the first entry, the blk header, names the held write. */
	assert_int_equal(r->v.rv.chains[0].ndesc, 1);
	assert_int_equal(r->v.rv.chains[0].descs[0].addr, BUF);
	assert_true(r->v.rv.chains[0].broken);
	assert_int_equal(r->v.rv.chains[0].req.kind, VQ_REQ_BLK);
	assert_int_equal(r->v.rv.chains[0].req.u.blk.type, VIRTIO_BLK_T_OUT);
	assert_int_equal(r->v.rv.chains[0].req.u.blk.sector, 4096);
	assert_true(has_finding(r, "PACKED_PENDING_PARTIAL"));
	assert_false(has_finding(r, "PACKED_PENDING_UNKNOWN"));
	/* No table either (a direct chain): named by its ID alone. */
	ids[0].indir = 0;
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.rv.nchains, 1);
	assert_int_equal(r->v.rv.chains[0].ndesc, 0);
	assert_true(has_finding(r, "PACKED_PENDING_UNKNOWN"));
	rig_free(r);
}

/* The message of the first finding @code, or NULL. */
static const char *finding_msg(const struct rig *r, const char *code)
{
	unsigned i;

	for (i = 0; i < r->v.rv.nfindings; i++)
		if (!strcmp(r->v.rv.findings[i].code, code))
			return r->v.rv.findings[i].message;
	return NULL;
}

/*
 * A chain from the driver's records has no slot (0xffff): the findings
 * about its descriptors name it by Buffer ID.  They said "chain at slot
 * 65535" in a ring of 8 (fuzz_packed found it: tests/fuzz/regress/
 * fuzz_packed/crash-driver-chain-named-slot-65535).  Here its copy
 * names the freed table T1, whose entry is INDIRECT; then
 * a buffer that runs past 2^64; then a descriptor budget of 1 for a
 * copy of two (which ended the chain without a word).
 */
static void test_out_of_order_copy_findings(void **state)
{
	struct rig *r = ooo_ring();
	struct vq_packed_drv_id ids[8] = {
		[0] = { .inflight = 1, .num = 1, .first = 0, .ndesc = 1 },
		[1] = { .inflight = 1, .num = 1, .indir = T1, .first = 1, .ndesc = 1 },
	};
	struct vq_packed_drv_desc descs[3] = {
		{ T1, 16, VRING_DESC_F_INDIRECT },
		{ T1, 48, VRING_DESC_F_INDIRECT },
	};
	struct vq_packed_drvrec d = { 8, ids, descs, 2 };
	const char *m;

	(void)state;
	r->v.drv_used = (struct vq_packed_pos){ 0, 1, 1 };
	r->v.drv = &d;
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.pending_source, VQ_PENDING_DRIVER);
	assert_int_equal(r->v.rv.chains[0].from_driver, 1);
	m = finding_msg(r, "INDIRECT_NESTED");
	assert_non_null(m);
	assert_null(strstr(m, "65535"));
	assert_non_null(strstr(m, "Buffer ID 0"));
	descs[0] = (struct vq_packed_drv_desc){ UINT64_MAX - 3, 16, 0 };
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	m = finding_msg(r, "DESC_ADDR_OVERFLOW");
	assert_non_null(m);
	assert_null(strstr(m, "65535"));
	assert_non_null(strstr(m, "Buffer ID 0"));
	descs[1] = (struct vq_packed_drv_desc){ BUF, 16, VRING_DESC_F_NEXT };
	descs[2] = (struct vq_packed_drv_desc){ BUF + 0x2000, 1, VRING_DESC_F_WRITE };
	ids[0] = (struct vq_packed_drv_id){ .inflight = 1, .num = 2, .first = 1, .ndesc = 2 };
	d.ndescs = 3;
	r->v.rv.pool_len = 1;
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.rv.chains[0].ndesc, 1);
	assert_true(r->v.rv.chains[0].broken);
	m = finding_msg(r, "DECODE_LIMIT");
	assert_non_null(m);
	assert_non_null(strstr(m, "Buffer ID 0"));
	rig_free(r);
}

/* In order: the ring's pending IDs are the driver's; nothing changes. */
static void test_in_order_driver_agrees(void **state)
{
	struct rig *r = rig_new(8);
	const struct vq_packed_drv_id ids[8] = {
		[6] = { .inflight = 1, .num = 1 },
		[7] = { .inflight = 1, .num = 1 },
	};
	struct vq_packed_drvrec d = { 8, ids, NULL, 0 };

	(void)state;
	pdesc(r, DESC, 0, BUF, 100, 5, US(1));
	pdesc(r, DESC, 1, BUF + 0x1000, 200, 6, AV(1));
	pdesc(r, DESC, 2, BUF + 0x2000, 300, 7, AV(1) | VRING_DESC_F_WRITE);
	r->v.drv_used = (struct vq_packed_pos){ 1, 1, 1 };
	r->v.drv = &d;
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.pending_source, VQ_PENDING_RING);
	assert_int_equal(r->v.drv_agrees, 1);
	assert_int_equal(r->v.rv.nchains, 2);
	assert_int_equal(r->v.rv.nfindings, 0);
	rig_free(r);
}

/* 2.8: any Queue Size from 1 to 32768, no power of two needed. */
static void test_sizes(void **state)
{
	struct rig *r = rig_new(3);

	(void)state;
	assert_null(vq_packed_size_problem(3));
	assert_null(vq_packed_size_problem(32768));
	assert_non_null(vq_packed_size_problem(0));
	assert_non_null(vq_packed_size_problem(32769));
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	r->v.layout.size = 0;
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), -22);
	assert_int_equal(r->m.reads, 0 + 3 + 2); /* the first decode only */
	assert_true(has_finding(r, "BAD_QUEUE_SIZE"));
	rig_free(r);
}

/* Work stays linear: every slot a chain of NEXT, and many indirect
 * tables of the largest size. */
static void test_bounded_work(void **state)
{
	struct rig *r = rig_new(VQ_PACKED_MAX_SIZE);
	unsigned i;

	(void)state;
	for (i = 0; i < VQ_PACKED_MAX_SIZE; i++)
		pdesc(r, DESC, i, BUF + 0x100000, 0x80000, 0,
		      AV(1) | (i % 2 ? VRING_DESC_F_INDIRECT : VRING_DESC_F_NEXT));
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_true(has_finding(r, "DECODE_LIMIT"));
	assert_true(r->m.reads < 8ul * VQ_PACKED_MAX_SIZE + 1024);
	rig_free(r);
}

/* A ring outside memory is an error; a ring cut short is a finding. */
static void test_unreadable(void **state)
{
	struct rig *r = rig_new(8);

	(void)state;
	r->v.layout.desc = 0x10000000ull;
	assert_true(vq_packed_decode(&r->f, &r->v, 8) < 0);
	r->v.layout.desc = BASE + (4 << 20) - 64;
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.nslots, 4);
	assert_true(has_finding(r, "RING_UNREADABLE"));
	assert_int_equal(r->v.rv.nchains, 0);
	rig_free(r);
}

/* ---- diagnose on packed rings (decode/diag_packed.c) ---- */

/* A blk queue of 8 slots in round 1: slot 0 used (ID 5), slots 1 and 2
 * two requests (IDs 6 and 7, 16 bytes out each); the device's event area
 * in desc mode at slot @ev_off wrap @ev_wrap (QEMU keeps it at the next
 * slot it will fetch), mode @mode. */
static struct rig *held_ring(uint16_t ev_off, unsigned ev_wrap, uint16_t mode)
{
	struct rig *r = rig_new(8);

	pdesc(r, DESC, 0, BUF, 16, 5, US(1));
	pdesc(r, DESC, 1, BUF + 0x1000, 16, 6, AV(1));
	pdesc(r, DESC, 2, BUF + 0x2000, 16, 7, AV(1));
	pevent(r, DEV, ev_off, ev_wrap, mode);
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	return r;
}

struct dres {
	struct vq_diag_finding f[16];
	struct vq_diag_report rep;
};

/* Judge @b (the later sample, @a the first; @a NULL: one sample of an
 * image) as diagnose does. */
static struct dres *judge(const struct rig *a, const struct rig *b, uint32_t ms, unsigned nsamples,
			  uint32_t slow_ms, int held_dump)
{
	static struct dres d;
	struct vq_diag_queue_in in;

	memset(&d, 0, sizeof(d));
	d.rep.f = d.f;
	d.rep.max = 16;
	memset(&in, 0, sizeof(in));
	in.queue = 0;
	in.device_id = VIRTIO_ID_BLOCK;
	in.size = 8;
	in.p = &b->v;
	in.p_first = a ? &a->v : NULL;
	in.image = !a;
	in.held_dump = held_dump;
	in.interval_ms = ms;
	in.nsamples = nsamples;
	in.slow_ms = slow_ms;
	vq_diag_queue(&in, &d.rep);
	return &d;
}

static const struct vq_diag_finding *dfind(const struct dres *d, const char *code)
{
	unsigned i;

	for (i = 0; i < d->rep.n; i++)
		if (!strcmp(d->f[i].code, code))
			return &d->f[i];
	return NULL;
}

static uint64_t dev_of(const struct vq_diag_finding *f, const char *key)
{
	unsigned i;

	for (i = 0; i < f->nev; i++)
		if (!strcmp(f->ev[i].key, key))
			return f->ev[i].value;
	fail_msg("no evidence %s", key);
	return 0;
}

/* The device event area at slot 2 wrap 1: the device fetched slot 1
 * (ID 6) and not slot 2 (ID 7); nothing used over 5 s of samples: ID 6
 * taken and not completed, ID 7 not consumed though the driver had to
 * notify (2.8.14, desc mode). */
static void test_diag_taken_not_completed(void **state)
{
	struct rig *a = held_ring(2, 1, VRING_PACKED_EVENT_FLAG_DESC);
	struct rig *b = held_ring(2, 1, VRING_PACKED_EVENT_FLAG_DESC);
	const struct vq_diag_finding *f;
	struct dres *d;

	(void)state;
	d = judge(a, b, 5000, 21, 0, 0);
	f = dfind(d, "NOT_COMPLETING");
	assert_non_null(f);
	assert_int_equal(f->severity, VQ_SEV_WARNING);
	assert_non_null(strstr(f->message, "took 1 request (ID 6:"));
	assert_non_null(strstr(f->message, "stuck: "));
	assert_int_equal(dev_of(f, "taken"), 1);
	assert_int_equal(dev_of(f, "next_used"), 1);
	assert_int_equal(dev_of(f, "next_avail"), 3);
	assert_int_equal(dev_of(f, "in_flight"), 2);
	assert_int_equal(dev_of(f, "samples"), 21);
	f = dfind(d, "NOT_CONSUMING");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "1 available request from the device's event offset 2"));
	assert_null(dfind(d, "STALLED"));
	rig_free(a);
	rig_free(b);
}

/* The used position moved between the samples: no stall; watched for
 * 3 s still before it moved: SLOW. */
static void test_diag_progress(void **state)
{
	struct rig *a = held_ring(2, 1, VRING_PACKED_EVENT_FLAG_DESC);
	struct rig *b = held_ring(2, 1, VRING_PACKED_EVENT_FLAG_DESC);
	struct dres *d;

	(void)state;
	pdesc(b, DESC, 1, BUF + 0x1000, 0, 6, US(1));
	assert_int_equal(vq_packed_decode(&b->f, &b->v, 8), 0);
	assert_int_equal(b->v.used.idx, 2);
	d = judge(a, b, 1000, 2, 0, 0);
	assert_int_equal(d->rep.n, 0);
	d = judge(a, b, 3250, 14, 3000, 0);
	assert_int_equal(d->rep.n, 1);
	assert_string_equal(d->f[0].code, "SLOW");
	assert_non_null(strstr(d->f[0].message, "used 1 slot "));
	rig_free(a);
	rig_free(b);
}

/* The device event area cannot show the fetch point: mode enable
 * (STALLED), an offset outside the pending range (slot 2 of the round
 * before: STALLED), mode disable (NO_NOTIFY_PENDING); an offset that
 * moved between the samples is not trusted either. */
static void test_diag_fetch_point_unknown(void **state)
{
	static const struct {
		uint16_t off1, off2;
		unsigned wrap;
		uint16_t mode;
		const char *code;
	} c[] = {
		{ 2, 2, 1, VRING_PACKED_EVENT_FLAG_ENABLE, "STALLED" },
		{ 2, 2, 0, VRING_PACKED_EVENT_FLAG_DESC, "STALLED" },
		{ 5, 5, 1, VRING_PACKED_EVENT_FLAG_DESC, "STALLED" },
		{ 1, 2, 1, VRING_PACKED_EVENT_FLAG_DESC, "STALLED" },
		{ 2, 2, 1, VRING_PACKED_EVENT_FLAG_DISABLE, "NO_NOTIFY_PENDING" },
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct rig *a = held_ring(c[i].off1, c[i].wrap, c[i].mode);
		struct rig *b = held_ring(c[i].off2, c[i].wrap, c[i].mode);
		struct dres *d = judge(a, b, 1000, 2, 0, 0);

		assert_int_equal(d->rep.n, 1);
		assert_string_equal(d->f[0].code, c[i].code);
		assert_non_null(strstr(d->f[0].message, "slow or stuck: "));
		rig_free(a);
		rig_free(b);
	}
}

/* One sample (an image): pending requests are a note, with the taken
 * ones named; from a QEMU dump (which finishes the I/O it can first),
 * taken ones are held: NOT_COMPLETING. */
static void test_diag_one_sample(void **state)
{
	struct rig *b = held_ring(2, 1, VRING_PACKED_EVENT_FLAG_DESC);
	struct dres *d;

	(void)state;
	d = judge(NULL, b, 0, 0, 0, 0);
	assert_int_equal(d->rep.n, 1);
	assert_string_equal(d->f[0].code, "PENDING_AT_DUMP");
	assert_int_equal(d->f[0].severity, VQ_SEV_INFO);
	assert_non_null(strstr(d->f[0].message, "2 requests pending in this image (taken by the device: ID 6)"));
	assert_int_equal(dev_of(&d->f[0], "taken"), 1);
	d = judge(NULL, b, 0, 0, 0, 1);
	assert_int_equal(d->rep.n, 1);
	assert_string_equal(d->f[0].code, "NOT_COMPLETING");
	rig_free(b);
}

/* Only receive buffers pending (nothing device-readable): a device may
 * keep them as long as it likes; no finding. */
static void test_diag_receive_only(void **state)
{
	struct rig *a = rig_new(8), *b = rig_new(8);

	(void)state;
	pdesc(a, DESC, 0, BUF, 1514, 1, AV(1) | VRING_DESC_F_WRITE);
	pdesc(b, DESC, 0, BUF, 1514, 1, AV(1) | VRING_DESC_F_WRITE);
	assert_int_equal(vq_packed_decode(&a->f, &a->v, 8), 0);
	assert_int_equal(vq_packed_decode(&b->f, &b->v, 8), 0);
	assert_int_equal(b->v.rv.nchains, 1);
	assert_int_equal(judge(a, b, 5000, 21, 0, 0)->rep.n, 0);
	rig_free(a);
	rig_free(b);
}

/* diagnose on the out-of-order dump (QEMU fetched both slots: its event
 * offset at slot 2): the held request named is the write, ID 0, from
 * the driver's records; from the ring alone it was the read, ID 1. */
static void test_diag_out_of_order(void **state)
{
	struct rig *r = ooo_ring();
	const struct vq_packed_drv_id ids[8] = {
		[0] = { .inflight = 1, .num = 1, .indir = T0, .first = 0, .ndesc = 1 },
		[1] = { .inflight = 1, .num = 1, .indir = T1, .first = 1, .ndesc = 1 },
	};
	const struct vq_packed_drv_desc descs[2] = {
		{ T0, 48, VRING_DESC_F_INDIRECT },
		{ T1, 48, VRING_DESC_F_INDIRECT },
	};
	struct vq_packed_drvrec d = { 8, ids, descs, 2 };
	const struct vq_diag_finding *f;

	(void)state;
	pevent(r, DEV, 2, 1, VRING_PACKED_EVENT_FLAG_DESC);
	r->v.drv_used = (struct vq_packed_pos){ 0, 1, 1 };
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	f = dfind(judge(NULL, r, 0, 1, 0, 1), "NOT_COMPLETING");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "took 1 request (ID 1:"));
	r->v.drv = &d;
	assert_int_equal(vq_packed_decode(&r->f, &r->v, 8), 0);
	f = dfind(judge(NULL, r, 0, 1, 0, 1), "NOT_COMPLETING");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "took 1 request (ID 0:"));
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_ring),
		cmocka_unit_test(test_avail_and_used),
		cmocka_unit_test(test_chain_crosses_end),
		cmocka_unit_test(test_chain_wrap_bits_wrong),
		cmocka_unit_test(test_indirect_blk),
		cmocka_unit_test(test_indirect_bad),
		cmocka_unit_test(test_id_pending_twice),
		cmocka_unit_test(test_id_used_twice),
		cmocka_unit_test(test_used_not_available),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_positions_given),
		cmocka_unit_test(test_used_pos_doubt),
		cmocka_unit_test(test_out_of_order_driver),
		cmocka_unit_test(test_out_of_order_no_copy),
		cmocka_unit_test(test_out_of_order_copy_findings),
		cmocka_unit_test(test_in_order_driver_agrees),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_bounded_work),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_diag_taken_not_completed),
		cmocka_unit_test(test_diag_progress),
		cmocka_unit_test(test_diag_fetch_point_unknown),
		cmocka_unit_test(test_diag_one_sample),
		cmocka_unit_test(test_diag_receive_only),
		cmocka_unit_test(test_diag_out_of_order),
	};

	return cmocka_run_group_tests_name("packed", tests, NULL, NULL);
}
