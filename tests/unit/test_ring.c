/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the split-ring decoder, one case per rule of virtio 1.3 section 2.7. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

#include "access/ringview.h"
#include "decode/ring.h"
#include "fakemem.h"

#define BASE 0x100000ull
#define DESC 0x101000ull

struct rig {
	struct fakemem m;
	struct vq_fetch f;
	struct vq_ring_view v;
	struct vq_chain chains[VQ_RING_MAX_SIZE];
	struct vq_used_elem used[16];
	struct vq_chain_desc pool[4 * VQ_RING_MAX_SIZE + 256];
	struct vq_finding findings[64];
};

static struct rig *rig_new(uint32_t n, uint32_t align)
{
	struct rig *r = calloc(1, sizeof(*r));
	unsigned nch, npool, nf;

	fake_init(&r->m, BASE, 4 << 20);
	r->f = fake_fetch(&r->m);
	vq_ring_layout_contig(DESC, n, align, &r->v.layout);
	vq_ring_view_sizes(n, 8, &nch, &npool, &nf);
	r->v.chains = r->chains;
	r->v.max_chains = nch;
	r->v.used = r->used;
	r->v.max_used = 16;
	r->v.pool = r->pool;
	r->v.pool_len = npool;
	r->v.findings = r->findings;
	r->v.max_findings = nf;
	return r;
}

static void rig_free(struct rig *r)
{
	fake_free(&r->m);
	free(r);
}

/* Make @head available in slot @slot and set avail idx. */
static void avail_put(struct rig *r, uint16_t slot, uint16_t head)
{
	put16(&r->m, r->v.layout.avail + 4 + 2u * (slot % r->v.layout.size), head);
}

static void set_idx(struct rig *r, uint16_t avail_idx, uint16_t used_idx)
{
	put16(&r->m, r->v.layout.avail + 2, avail_idx);
	put16(&r->m, r->v.layout.used + 2, used_idx);
}

static int has_finding(const struct rig *r, const char *code)
{
	unsigned i;

	for (i = 0; i < r->v.nfindings; i++)
		if (!strcmp(r->v.findings[i].code, code))
			return 1;
	return 0;
}

/* 2.7.2 legacy layout: used ring at ALIGN(16n + 2(3+n), 4096). */
static void test_layout_legacy(void **state)
{
	struct vq_ring_layout l;

	(void)state;
	vq_ring_layout_contig(0x10000, 256, 4096, &l);
	assert_int_equal(l.avail, 0x10000 + 4096);
	assert_int_equal(l.used, 0x10000 + 8192);
	vq_ring_layout_contig(0x10000, 128, 4096, &l);
	assert_int_equal(l.avail, 0x10000 + 2048);
	assert_int_equal(l.used, 0x10000 + 4096);
}

/* Linux modern: same formula with 64 (SMP_CACHE_BYTES). */
static void test_layout_linux(void **state)
{
	struct vq_ring_layout l;

	(void)state;
	vq_ring_layout_contig(0x10000, 256, 64, &l);
	assert_int_equal(l.used, 0x10000 + 4096 + 576);
	vq_ring_layout_contig(0x10000, 1024, 64, &l);
	assert_int_equal(l.avail, 0x10000 + 16384);
	assert_int_equal(l.used, 0x10000 + 16384 + 2112); /* 6+2048 -> 2112 */
}

/* 2.7: Queue Size is a power of 2, at most 32768. */
static void test_size_rules(void **state)
{
	(void)state;
	assert_non_null(vq_ring_size_problem(0));
	assert_non_null(vq_ring_size_problem(3));
	assert_non_null(vq_ring_size_problem(384));
	assert_non_null(vq_ring_size_problem(65536));
	assert_null(vq_ring_size_problem(1));
	assert_null(vq_ring_size_problem(256));
	assert_null(vq_ring_size_problem(32768));
}

/* 2.7.6/2.7.8: idx fields wrap at 2^16; event words follow the rings. */
static void test_indices_wrap(void **state)
{
	struct rig *r = rig_new(8, 64);

	(void)state;
	set_idx(r, 2, 65534);
	put16(&r->m, r->v.layout.avail + 4 + 2 * 8, 0x1234); /* used_event */
	put16(&r->m, r->v.layout.used + 4 + 8 * 8, 0x5678);  /* avail_event */
	for (uint16_t s = 65534; s != 2; s++) {
		avail_put(r, s, s % 8);
		put_desc(&r->m, DESC, s % 8, 0x200000 + (s % 8) * 0x1000, 512, 0, 0);
	}
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 4), 0);
	assert_int_equal(r->v.hdr.in_flight, 4);
	assert_int_equal(r->v.hdr.used_event, 0x1234);
	assert_int_equal(r->v.hdr.avail_event, 0x5678);
	assert_int_equal(r->v.nchains, 4);
	assert_int_equal(r->v.chains[0].head, 65534 % 8);
	assert_int_equal(r->v.chains[3].head, 1);
	assert_int_equal(r->v.nfindings, 0);
	rig_free(r);
}

/* A running guest: between any two reads the driver makes 3 more buffers
 * available and the device uses 3 (never more than were available). */
struct moving {
	struct rig *r;
	uint16_t idx;
};

static int moving_read(void *ctx, uint64_t addr, void *buf, size_t len, const char *what)
{
	struct moving *mv = ctx;

	mv->idx = (uint16_t)(mv->idx + 3);
	set_idx(mv->r, mv->idx, mv->idx);
	return mv->r->f.read(mv->r->f.ctx, addr, buf, len, what);
}

/* Read on a moving ring, the indices are never a full ring in flight
 * (seen in test-payloads: avail idx read before the device passed it). */
static void test_moving_ring(void **state)
{
	struct rig *r = rig_new(8, 64);
	struct moving mv = { r, 100 };
	struct vq_fetch f = { moving_read, &mv, NULL };
	uint16_t a, u;
	int moved;

	(void)state;
	for (uint16_t s = 0; s < 8; s++) {
		avail_put(r, s, s);
		put_desc(&r->m, DESC, s, 0x200000 + s * 0x1000, 512, 0, 0);
	}
	assert_int_equal(vq_ring_decode(&f, &r->v, 4), 0);
	assert_true(r->v.hdr.in_flight <= 8);
	assert_false(has_finding(r, "IN_FLIGHT_OVER_SIZE"));
	assert_int_equal(vq_ring_read_indices(&f, r->v.layout.avail, r->v.layout.used, &a, &u), 0);
	assert_true((uint16_t)(a - u) <= 8);
	/* Always moving: said so; still: not. */
	assert_int_equal(vq_ring_decode_settled(&f, &r->v, 4, 1, &moved), 0);
	assert_int_equal(moved, 1);
	assert_int_equal(vq_ring_decode_settled(&r->f, &r->v, 4, 1, &moved), 0);
	assert_int_equal(moved, 0);
	rig_free(r);
}

/* 2.7.5: a chain follows next while NEXT is set; WRITE marks device-writable. */
static void test_chain_next(void **state)
{
	struct rig *r = rig_new(16, 64);

	(void)state;
	set_idx(r, 1, 0);
	avail_put(r, 0, 3);
	put_desc(&r->m, DESC, 3, 0x200000, 16, VRING_DESC_F_NEXT, 7);
	put_desc(&r->m, DESC, 7, 0x201000, 4096, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 9);
	put_desc(&r->m, DESC, 9, 0x202000, 1, VRING_DESC_F_WRITE, 0);
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 0), 0);
	assert_int_equal(r->v.nchains, 1);
	assert_int_equal(r->v.chains[0].ndesc, 3);
	assert_int_equal(r->v.chains[0].descs[1].index, 7);
	assert_int_equal(r->v.chains[0].out_bytes, 16);
	assert_int_equal(r->v.chains[0].in_bytes, 4097);
	assert_int_equal(r->v.chains[0].ind_len, 0); /* no indirect table */
	assert_int_equal(r->v.nfindings, 0);
	rig_free(r);
}

/* 2.7.5.3: an INDIRECT descriptor points at a table of len/16 entries. */
static void test_chain_indirect_blk(void **state)
{
	struct rig *r = rig_new(16, 64);
	const uint64_t table = 0x180000, hdr = 0x190000, st = 0x191000;

	(void)state;
	set_idx(r, 1, 0);
	avail_put(r, 0, 0);
	put_desc(&r->m, DESC, 0, table, 48, VRING_DESC_F_INDIRECT, 0);
	put_desc(&r->m, table, 0, hdr, 16, VRING_DESC_F_NEXT, 1);
	put_desc(&r->m, table, 1, 0x1a0000, 8192, VRING_DESC_F_NEXT, 2);
	put_desc(&r->m, table, 2, st, 1, VRING_DESC_F_WRITE, 0);
	put32(&r->m, hdr, VIRTIO_BLK_T_OUT);
	put64(&r->m, hdr + 8, 123456);
	r->m.buf[st - BASE] = 0xff;
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 0), 0);
	assert_int_equal(r->v.chains[0].ndesc, 3);
	assert_true(r->v.chains[0].descs[0].in_indirect);
	/* guessed as blk from its shape (5.2.6): 16-byte header, 1-byte status */
	assert_int_equal(r->v.chains[0].req.kind, VQ_REQ_BLK);
	assert_int_equal(r->v.chains[0].req.u.blk.type, 1);
	assert_int_equal(r->v.chains[0].req.u.blk.sector, 123456);
	assert_int_equal(r->v.chains[0].req.u.blk.data_len, 8192);
	assert_int_equal(r->v.chains[0].req.u.blk.status, 0xff);
	/* the ring's descriptor that points at the table is remembered */
	assert_int_equal(r->v.chains[0].ind_index, 0);
	assert_int_equal(r->v.chains[0].ind_addr, table);
	assert_int_equal(r->v.chains[0].ind_len, 48);
	rig_free(r);
}

/* A chain whose next fields loop must end with a finding. */
static void test_chain_loop(void **state)
{
	struct rig *r = rig_new(8, 64);

	(void)state;
	set_idx(r, 1, 0);
	avail_put(r, 0, 0);
	put_desc(&r->m, DESC, 0, 0x200000, 10, VRING_DESC_F_NEXT, 1);
	put_desc(&r->m, DESC, 1, 0x200000, 10, VRING_DESC_F_NEXT, 0);
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 0), 0);
	assert_true(has_finding(r, "CHAIN_LOOP"));
	assert_true(r->v.chains[0].broken);
	assert_true(r->v.chains[0].ndesc <= 8);
	rig_free(r);
}

/* next must be inside the table. */
static void test_next_out_of_range(void **state)
{
	struct rig *r = rig_new(8, 64);

	(void)state;
	set_idx(r, 1, 0);
	avail_put(r, 0, 2);
	put_desc(&r->m, DESC, 2, 0x200000, 10, VRING_DESC_F_NEXT, 8);
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 0), 0);
	assert_true(has_finding(r, "NEXT_OUT_OF_RANGE"));
	rig_free(r);
}

/* 2.7.5.3.1: no INDIRECT inside an indirect table; not INDIRECT with NEXT;
 * the table length is a multiple of 16. */
static void test_indirect_rules(void **state)
{
	struct rig *r = rig_new(8, 64);

	(void)state;
	set_idx(r, 3, 0);
	avail_put(r, 0, 0);
	avail_put(r, 1, 1);
	avail_put(r, 2, 2);
	put_desc(&r->m, DESC, 0, 0x180000, 32, VRING_DESC_F_INDIRECT, 0);
	put_desc(&r->m, 0x180000, 0, 0x181000, 32, VRING_DESC_F_INDIRECT, 0);
	put_desc(&r->m, DESC, 1, 0x182000, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 2);
	put_desc(&r->m, 0x182000, 0, 0x183000, 100, 0, 0);
	put_desc(&r->m, DESC, 2, 0x184000, 17, VRING_DESC_F_INDIRECT, 0);
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 0), 0);
	assert_true(has_finding(r, "INDIRECT_NESTED"));
	assert_true(has_finding(r, "INDIRECT_WITH_NEXT"));
	assert_true(has_finding(r, "INDIRECT_BAD_LEN"));
	rig_free(r);
}

/* 2.7.4.2: device-writable descriptors come after device-readable ones. */
static void test_read_after_write(void **state)
{
	struct rig *r = rig_new(8, 64);

	(void)state;
	set_idx(r, 1, 0);
	avail_put(r, 0, 0);
	put_desc(&r->m, DESC, 0, 0x200000, 10, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	put_desc(&r->m, DESC, 1, 0x201000, 0, 0, 0);
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 0), 0);
	assert_true(has_finding(r, "READ_AFTER_WRITE"));
	assert_true(has_finding(r, "DESC_ZERO_LEN"));
	rig_free(r);
}

/* Heads and used ids name descriptors: they must be < Queue Size; more
 * in flight than the ring holds is impossible. */
static void test_out_of_range_indices(void **state)
{
	struct rig *r = rig_new(8, 64);

	(void)state;
	set_idx(r, 100, 3);
	avail_put(r, 3, 9);
	put32(&r->m, r->v.layout.used + 4 + 8 * 2, 12);
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 3), 0);
	assert_true(has_finding(r, "IN_FLIGHT_OVER_SIZE"));
	assert_true(has_finding(r, "HEAD_OUT_OF_RANGE"));
	assert_true(has_finding(r, "USED_ID_OUT_OF_RANGE"));
	assert_int_equal(r->v.nchains, 8);
	rig_free(r);
}

/* Flags beyond NO_INTERRUPT / NO_NOTIFY are not defined (2.7.6, 2.7.8). */
static void test_unknown_ring_flags(void **state)
{
	struct rig *r = rig_new(8, 64);

	(void)state;
	put16(&r->m, r->v.layout.avail, 0x8001);
	put16(&r->m, r->v.layout.used, 0x0002);
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 0), 0);
	assert_true(has_finding(r, "AVAIL_FLAGS_UNKNOWN"));
	assert_true(has_finding(r, "USED_FLAGS_UNKNOWN"));
	rig_free(r);
}

/* Hostile: 32768 descriptors in one loop with every slot pending; the
 * work must stay linear in the ring size. */
static void test_bounded_work(void **state)
{
	struct rig *r = rig_new(VQ_RING_MAX_SIZE, 64);
	unsigned i;

	(void)state;
	set_idx(r, 32768, 0);
	for (i = 0; i < VQ_RING_MAX_SIZE; i++) {
		put_desc(&r->m, DESC, i, 0x200000, 1, VRING_DESC_F_NEXT, (uint16_t)((i + 1) % VQ_RING_MAX_SIZE));
		avail_put(r, (uint16_t)i, (uint16_t)i);
	}
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 8), 0);
	assert_true(has_finding(r, "DECODE_LIMIT") || has_finding(r, "CHAIN_LOOP"));
	/* fetches: header + per chain a slot + at most pool descriptors */
	assert_true(r->m.reads < 8ul * VQ_RING_MAX_SIZE + 1024);
	rig_free(r);
}

/* The ring's own indices missing from memory is an error, not a guess. */
/* Array sizes stay linear and never wrap, whatever size is asked about. */
static void test_view_sizes_any_n(void **state)
{
	static const uint32_t ns[] = { 1, 256, 32768, 32769, 1u << 30, 0xffffffffu };
	unsigned chains, pool, findings;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		vq_ring_view_sizes(ns[i], 8, &chains, &pool, &findings);
		assert_true(chains >= 1 && chains <= 32768);
		assert_true(chains <= ns[i]);
		assert_int_equal(pool, 4 * chains + 256);
		assert_true(findings > 0);
	}
}

static void test_unreadable(void **state)
{
	struct rig *r = rig_new(8, 64);

	(void)state;
	r->v.layout.used = 0x10;
	assert_true(vq_ring_decode(&r->f, &r->v, 0) < 0);
	rig_free(r);
}

/* Used entries newest first; none shown before the index ever moved. */
static void test_used_entries(void **state)
{
	struct rig *r = rig_new(8, 64);

	(void)state;
	set_idx(r, 2, 2);
	put32(&r->m, r->v.layout.used + 4, 5);
	put32(&r->m, r->v.layout.used + 8, 4097);
	put32(&r->m, r->v.layout.used + 12, 6);
	put32(&r->m, r->v.layout.used + 16, 513);
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.nused, 2);
	assert_int_equal(r->v.used[0].id, 6);
	assert_int_equal(r->v.used[0].len, 513);
	assert_int_equal(r->v.used[1].id, 5);
	rig_free(r);
}

/* A used entry carries the payload of the chain its id names, decoded as
 * the device's answer (final); walking that chain again leaves no finding
 * and no pool space behind, even when the descriptors have gone bad since. */
static void test_used_payload(void **state)
{
	struct rig *r = rig_new(8, 64);
	const uint64_t hdr = BASE + 0x10000;

	(void)state;
	r->v.device_id = VIRTIO_ID_BLOCK;
	set_idx(r, 2, 2);
	/* id 3: blk IN, 512 data bytes, status IOERR written by the device. */
	put_desc(&r->m, DESC, 3, hdr, 16, VRING_DESC_F_NEXT, 4);
	put_desc(&r->m, DESC, 4, hdr + 0x100, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 5);
	put_desc(&r->m, DESC, 5, hdr + 0x400, 1, VRING_DESC_F_WRITE, 0);
	put32(&r->m, hdr, VIRTIO_BLK_T_IN);
	put64(&r->m, hdr + 8, 77);
	r->m.buf[hdr + 0x400 - BASE] = VIRTIO_BLK_S_IOERR;
	/* id 6: a descriptor that loops on itself (reused since). */
	put_desc(&r->m, DESC, 6, hdr, 16, VRING_DESC_F_NEXT, 6);
	put32(&r->m, r->v.layout.used + 4, 3);
	put32(&r->m, r->v.layout.used + 8, 513);
	put32(&r->m, r->v.layout.used + 12, 6);
	put32(&r->m, r->v.layout.used + 16, 1);
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 8), 0);
	assert_int_equal(r->v.nused, 2);
	assert_int_equal(r->v.used[1].id, 3);
	assert_int_equal(r->v.used[1].req.kind, VQ_REQ_BLK);
	assert_int_equal(r->v.used[1].req.final, 1);
	assert_int_equal(r->v.used[1].req.u.blk.sector, 77);
	assert_int_equal(r->v.used[1].req.u.blk.status, VIRTIO_BLK_S_IOERR);
	assert_int_equal(r->v.nfindings, 0);
	assert_int_equal(r->v.pool_used, 0);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_legacy),
		cmocka_unit_test(test_layout_linux),
		cmocka_unit_test(test_size_rules),
		cmocka_unit_test(test_indices_wrap),
		cmocka_unit_test(test_moving_ring),
		cmocka_unit_test(test_chain_next),
		cmocka_unit_test(test_chain_indirect_blk),
		cmocka_unit_test(test_chain_loop),
		cmocka_unit_test(test_next_out_of_range),
		cmocka_unit_test(test_indirect_rules),
		cmocka_unit_test(test_read_after_write),
		cmocka_unit_test(test_out_of_range_indices),
		cmocka_unit_test(test_unknown_ring_flags),
		cmocka_unit_test(test_bounded_work),
		cmocka_unit_test(test_view_sizes_any_n),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_used_entries),
		cmocka_unit_test(test_used_payload),
	};

	return cmocka_run_group_tests_name("ring", tests, NULL, NULL);
}
