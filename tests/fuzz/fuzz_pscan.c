/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the packed-ring scanner (vq_packed_best, and vq_scan with packed rings) over memory from the input. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode/scan.h"
#include "fuzzmem.h"

/*
 * Input: a header, then the guest memory.
 *
 *   [0]      bit 0: step 16 (else 4096, the CLI's default)
 *   [1]      --min-size and --max-size: 2^(low nibble) and 2^(high
 *            nibble), swapped if out of order
 *   [2..9]   base: guest-physical address of the memory (le64)
 *   [10..]   the memory
 *
 * With step 16 only the first 1 KiB is searched (64 candidates).
 */
#define HDR 10
#define MAX_HITS 256
#define STEP16_SPAN 1024

static struct vq_scan_hit hits[MAX_HITS];

/*
 * Work bound for vq_packed_best() at one address over M bytes of memory
 * (pscan.c): the walk reads each slot once over all sizes, 256 slots a
 * read, plus one partial read per size (at most 32 sizes); then the
 * chosen size is judged again (one more walk) and its positions read
 * twice, and the two event pages once each.  Linear in M.
 */
FUZZ_HARNESS static uint64_t packed_bound(uint64_t mem)
{
	uint64_t chunks = mem / 4096 + 2;

	return (chunks + 32) + 3 * chunks + 2;
}

/* For vq_scan() with split rings as well: the split scanner's bound
 * (fuzz_scan.c), then the packed one, per candidate. */
FUZZ_HARNESS static uint64_t scan_bound(uint64_t cands, uint64_t mem)
{
	uint64_t fixed = 5 + 3 * (mem / 4096 + 2);
	uint64_t split = 1 + 32 * (1 + 2 * fixed) + 2 * (mem / 4) + fixed + mem / 8;

	return cands * (split + packed_bound(mem));
}

FUZZ_HARNESS static void check_packed(const struct vq_fetch *f, const struct vq_scan_hit *h,
				      uint32_t min, uint32_t max)
{
	const struct vq_pscan_info *p = &h->pk;
	struct vq_pscan_info again;
	enum vq_confidence c;

	FUZZ_CHECK(h->packed == 1 && h->score >= 1 && h->confidence <= VQ_CONF_HIGH);
	FUZZ_CHECK(h->layout.size >= min && h->layout.size <= max);
	FUZZ_CHECK(h->layout.size == p->layout.size && h->layout.desc == p->layout.desc);
	FUZZ_CHECK(!vq_packed_size_problem(h->layout.size) && h->layout.desc % 16 == 0);
	FUZZ_CHECK(p->written >= 1 && p->written <= h->layout.size && p->used_slots <= p->written);
	FUZZ_CHECK(p->avail.idx < h->layout.size && p->used.idx < h->layout.size);
	FUZZ_CHECK(p->avail.wrap <= 1 && p->used.wrap <= 1 && p->pending_slots <= h->layout.size);
	FUZZ_CHECK(p->size_ambiguous <= 1 && p->events <= VQ_PEVENTS_PARTIAL);
	FUZZ_CHECK(!p->layout.driver || p->layout.driver == h->layout.desc - 4096);
	FUZZ_CHECK(!p->layout.device || p->layout.device == h->layout.desc - 8192);
	FUZZ_CHECK(!p->events == (!p->layout.driver && !p->layout.device));
	FUZZ_CHECK((p->events == VQ_PEVENTS_PARTIAL) == (!p->layout.driver != !p->layout.device));
	/* The size chosen is judged as vq_packed_score() judges it. */
	FUZZ_CHECK(vq_packed_score(f, h->layout.desc, h->layout.size, &again, &c) == h->score);
	FUZZ_CHECK(c == h->confidence && again.avail.idx == p->avail.idx &&
		   again.used.idx == p->used.idx && again.pending_slots == p->pending_slots);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzzmem m = {0};
	struct vq_fetch f = fuzzmem_fetch(&m);
	struct vq_scan_region reg;
	struct vq_scan_opts o;
	struct vq_scan_hit one;
	uint64_t base, memlen, cands;
	unsigned lo, hi;
	size_t nhits, i;
	int ret, s;

	if (size < HDR)
		return -1;
	memlen = size - HDR;
	base = fuzz_le(data + 2, 8);
	if (memlen > UINT64_MAX - base)
		base = UINT64_MAX - memlen;
	fuzzmem_add(&m, base, data + HDR, memlen);
	lo = data[1] & 15;
	hi = data[1] >> 4;
	if (lo > hi) {
		unsigned t = lo;

		lo = hi;
		hi = t;
	}
	o = (struct vq_scan_opts){ data[0] & 1 ? 16 : 4096, 1u << lo, 1u << hi, 1 };
	reg = (struct vq_scan_region){ base, memlen };
	if (data[0] & 1 && reg.len > STEP16_SPAN)
		reg.len = STEP16_SPAN;
	cands = reg.len / o.step + 1;

	ret = vq_scan(&f, &reg, 1, &o, hits, MAX_HITS, &nhits);
	FUZZ_CHECK(ret == 0 || ret == 1);
	FUZZ_CHECK(m.fetches <= scan_bound(cands, memlen));
	for (i = 0; i < nhits; i++) {
		const struct vq_scan_hit *h = &hits[i];

		FUZZ_CHECK(h->layout.desc >= reg.start && h->layout.desc - reg.start < reg.len);
		FUZZ_CHECK(h->layout.desc % o.step == 0);
		if (h->packed)
			check_packed(&f, h, o.min_size, o.max_size);
		/* In address order, never overlapping. */
		if (i) {
			const struct vq_scan_hit *q = &hits[i - 1];
			uint64_t end = q->packed ? q->layout.desc + 16ull * q->layout.size
						 : q->layout.used + VQ_USED_BYTES(q->layout.size);

			FUZZ_CHECK(end <= h->layout.desc);
		}
	}

	/* The memory's start judged alone, over every size. */
	m.fetches = 0;
	s = vq_packed_best(&f, base, 1, VQ_PACKED_MAX_SIZE, &one);
	FUZZ_CHECK(s == -1 || s >= 1);
	FUZZ_CHECK(m.fetches <= packed_bound(memlen));
	if (s > 0) {
		FUZZ_CHECK(one.layout.desc == base);
		check_packed(&f, &one, 1, VQ_PACKED_MAX_SIZE);
	}
	return 0;
}
