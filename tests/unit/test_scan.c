/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the ring scanner: finds rings laid out as drivers do, rejects other memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/virtio_ring.h>

#include "decode/scan.h"
#include "fakemem.h"

#define BASE 0x100000ull
#define LEN (8u << 20)

static struct vq_scan_hit hits[64];

/* Lay out a used ring as a driver and device would leave it: @ndone
 * requests completed, @npend pending, one descriptor each. */
static void build_ring(struct fakemem *m, uint64_t desc, uint32_t n, uint32_t align,
		       uint16_t ndone, uint16_t npend)
{
	struct vq_ring_layout l;
	uint16_t i;

	vq_ring_layout_contig(desc, n, align, &l);
	for (i = 0; i < ndone + npend; i++) {
		uint16_t head = i % n;

		put_desc(m, desc, head, 0x400000 + 0x1000ull * head, 512, VRING_DESC_F_WRITE, 0);
		put16(m, l.avail + 4 + 2u * (i % n), head);
		if (i < ndone) {
			put32(m, l.used + 4 + 8u * (i % n), head);
			put32(m, l.used + 8 + 8u * (i % n), 512);
		}
	}
	put16(m, l.avail + 2, (uint16_t)(ndone + npend));
	put16(m, l.used + 2, ndone);
}

static size_t run_scan_opts(struct fakemem *m, int packed)
{
	struct vq_fetch f = fake_fetch(m);
	struct vq_scan_region r = { m->base, m->len };
	struct vq_scan_opts o = { 4096, 1, 32768, packed };
	size_t n = 0;

	assert_int_equal(vq_scan(&f, &r, 1, &o, hits, 64, &n), 0);
	return n;
}

static size_t run_scan(struct fakemem *m)
{
	return run_scan_opts(m, 0);
}

/* A packed ring of @n slots as a driver and device leave it after
 * @total chains of one slot each (2.8.1: the driver writes AVAIL = W,
 * USED = !W in round W; the device writes a used slot back with
 * AVAIL = USED = W), the last @npend not yet used; Buffer IDs cycle
 * through 0-15. */
static void build_packed(struct fakemem *m, uint64_t desc, uint32_t n, uint32_t total,
			 uint32_t npend)
{
	const uint16_t av = 1u << VRING_PACKED_DESC_F_AVAIL, us = 1u << VRING_PACKED_DESC_F_USED;
	uint32_t i;

	for (i = 0; i < total; i++) {
		unsigned w = !((i / n) & 1);
		uint64_t a = desc + 16ull * (i % n);

		put64(m, a, 0x400000 + 0x1000ull * (i % n));
		put32(m, a + 8, 512);
		put16(m, a + 12, (uint16_t)(i % 16));
		if (i + npend < total)
			put16(m, a + 14, w ? av | us : 0);
		else
			put16(m, a + 14, (w ? av : us) | VRING_DESC_F_WRITE);
	}
}

static void test_finds_linux_modern_ring(void **state)
{
	struct fakemem m;

	(void)state;
	fake_init(&m, BASE, LEN);
	build_ring(&m, 0x180000, 256, 64, 40, 3);
	assert_int_equal(run_scan(&m), 1);
	assert_int_equal(hits[0].layout.desc, 0x180000);
	assert_int_equal(hits[0].layout.size, 256);
	assert_int_equal(hits[0].layout.avail, 0x180000 + 4096);
	assert_int_equal(hits[0].layout.used, 0x180000 + 4096 + 576);
	assert_int_equal(hits[0].hdr.avail_idx, 43);
	assert_int_equal(hits[0].hdr.used_idx, 40);
	assert_int_equal(hits[0].confidence, VQ_CONF_HIGH);
	fake_free(&m);
}

static void test_finds_legacy_ring(void **state)
{
	struct fakemem m;

	(void)state;
	fake_init(&m, BASE, LEN);
	build_ring(&m, 0x200000, 128, 4096, 300, 5);
	assert_int_equal(run_scan(&m), 1);
	assert_int_equal(hits[0].layout.size, 128);
	assert_int_equal(hits[0].layout.align, 4096);
	assert_int_equal(hits[0].layout.used, 0x200000 + 4096);
	assert_int_equal(hits[0].hdr.in_flight, 5);
	fake_free(&m);
}

static void test_finds_several(void **state)
{
	struct fakemem m;

	(void)state;
	fake_init(&m, BASE, LEN);
	build_ring(&m, 0x180000, 256, 64, 1000, 0);
	build_ring(&m, 0x183000, 256, 64, 7, 256);
	build_ring(&m, 0x300000, 1024, 64, 2, 1);
	assert_int_equal(run_scan(&m), 3);
	assert_int_equal(hits[1].layout.desc, 0x183000);
	assert_int_equal(hits[1].hdr.in_flight, 256);
	assert_int_equal(hits[2].layout.size, 1024);
	fake_free(&m);
}

static void test_zero_memory_is_no_ring(void **state)
{
	struct fakemem m;

	(void)state;
	fake_init(&m, BASE, LEN);
	assert_int_equal(run_scan(&m), 0);
	fake_free(&m);
}

static void test_random_memory_is_no_ring(void **state)
{
	struct fakemem m;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t i;

	(void)state;
	fake_init(&m, BASE, LEN);
	for (i = 0; i < LEN; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* Mostly small values and zeroes, like kernel data. */
		m.buf[i] = (x & 7) ? 0 : (uint8_t)(x >> 32) & 0x0f;
	}
	assert_int_equal(run_scan(&m), 0);
	fake_free(&m);
}

/* A ring that breaks a spec rule (a head beyond the table) is not a ring. */
static void test_rejects_rule_breaker(void **state)
{
	struct fakemem m;
	struct vq_ring_layout l;

	(void)state;
	fake_init(&m, BASE, LEN);
	build_ring(&m, 0x180000, 64, 64, 10, 2);
	vq_ring_layout_contig(0x180000, 64, 64, &l);
	put16(&m, l.avail + 4 + 2 * 5, 64);
	assert_int_equal(run_scan(&m), 0);
	fake_free(&m);
}

/* Split rings as Linux fills them (free list: next = i + 1) are split,
 * not packed, with the packed scanner on. */
static void test_split_not_packed(void **state)
{
	struct fakemem m;
	uint16_t i;

	(void)state;
	fake_init(&m, BASE, LEN);
	build_ring(&m, 0x180000, 256, 64, 40, 3);
	build_ring(&m, 0x200000, 128, 4096, 7, 0);
	for (i = 0; i < 256; i++)
		put16(&m, 0x180000 + 16u * i + 14, (uint16_t)(i + 1));
	assert_int_equal(run_scan_opts(&m, 1), 2);
	assert_int_equal(hits[0].packed, 0);
	assert_int_equal(hits[0].layout.desc, 0x180000);
	assert_int_equal(hits[1].packed, 0);
	assert_int_equal(hits[1].layout.desc, 0x200000);
	fake_free(&m);
}

/* A wrapped packed ring (600 chains through 256 slots: the third round,
 * wrap 1, up to slot 88, 4 pending) is packed, of size 256 (smaller sizes are prefixes
 * that fit, 512 would put AVAIL 0 slots in a ring not yet wrapped), and
 * not split; without the packed scanner it is no ring at all. */
static void test_packed_wrapped(void **state)
{
	struct fakemem m;

	(void)state;
	fake_init(&m, BASE, LEN);
	build_packed(&m, 0x180000, 256, 600, 4);
	assert_int_equal(run_scan(&m), 0);
	assert_int_equal(run_scan_opts(&m, 1), 1);
	assert_int_equal(hits[0].packed, 1);
	assert_int_equal(hits[0].layout.desc, 0x180000);
	assert_int_equal(hits[0].layout.size, 256);
	assert_int_equal(hits[0].pk.size_ambiguous, 0);
	assert_int_equal(hits[0].pk.avail.idx, 600 % 256);
	assert_int_equal(hits[0].pk.avail.wrap, 1);
	assert_int_equal(hits[0].pk.used.idx, 596 % 256);
	assert_int_equal(hits[0].pk.pending_slots, 4);
	fake_free(&m);
}

/* Random small-valued memory holds no packed ring either. */
static void test_random_memory_no_packed(void **state)
{
	struct fakemem m;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t i;

	(void)state;
	fake_init(&m, BASE, LEN);
	for (i = 0; i < LEN; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		m.buf[i] = (x & 7) ? 0 : (uint8_t)(x >> 32);
	}
	assert_int_equal(run_scan_opts(&m, 1), 0);
	fake_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_linux_modern_ring),
		cmocka_unit_test(test_finds_legacy_ring),
		cmocka_unit_test(test_finds_several),
		cmocka_unit_test(test_zero_memory_is_no_ring),
		cmocka_unit_test(test_random_memory_is_no_ring),
		cmocka_unit_test(test_rejects_rule_breaker),
		cmocka_unit_test(test_split_not_packed),
		cmocka_unit_test(test_packed_wrapped),
		cmocka_unit_test(test_random_memory_no_packed),
	};

	return cmocka_run_group_tests_name("scan", tests, NULL, NULL);
}
