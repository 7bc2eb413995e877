/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the ring scanner (vq_scan, vq_ring_best_layout) over memory from the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decode/scan.h"
#include "fuzzmem.h"

/*
 * Input: a header, then the guest memory.
 *
 *   [0]       bit 0: step 16 (else 4096, the CLI's default);
 *             bit 1: two regions (the memory split at [4..7], the second
 *             part placed [16..19] bytes after the first part's end);
 *             bit 2: sizes from [20..27] as they are, not as the CLI
 *             would accept them (the API takes any uint32_t)
 *   [1]       Queue Size for vq_ring_best_layout() at the memory's start,
 *             an index into sizes[] (valid and invalid ones)
 *   [2]       --min-size and --max-size: powers of two 2^(low nibble)
 *             and 2^(high nibble), so at most 32768, swapped if out of
 *             order: what the CLI accepts
 *   [3]       room for hits: 0 = 1024, else 1..15 (small, to reach the
 *             "list truncated" path)
 *   [4..7]    where the memory splits into two regions (le32, modulo)
 *   [8..15]   base: guest-physical address of the memory (le64)
 *   [16..19]  gap between the two regions (le32)
 *   [20..23]  min_size with bit 2 of [0] (le32)
 *   [24..27]  max_size with bit 2 of [0] (le32)
 *   [28..]    the memory
 *
 * With step 16 only the first 1 KiB of each region is searched (64
 * candidates); every candidate may still read all of the memory.
 *
 * Regions never wrap past 2^64 (vq_mem_finish_segments clamps segments
 * the same way), but they may end at the very top of the address space,
 * as a hostile core's segments can.
 */
#define HDR 28
#define MAX_HITS 1024
#define STEP16_SPAN 1024

static const uint32_t sizes[] = {
    1,	  2,	4,     8,     16, 32,	 64, 128, 256,	 512,	      1024,	   2048,
    4096, 8192, 16384, 32768, 0,  65536, 3,  24,  32767, 0x80000000u, 0xffffffffu,
};

static struct vq_scan_hit hit_store[MAX_HITS];

/*
 * Work bound for one vq_ring_score() over M bytes of memory, from scan.c:
 * 4 header reads, one read of the padding before the used ring (shorter
 * than the 4096-byte alignment, so one chunk), then three arrays read in
 * 4096-byte chunks, each stopping at the first chunk that is not all in
 * memory (at most M/4096 + 2 chunks each), then two reads per pending
 * chain.  The head loop is reached only when the whole descriptor table
 * was in memory (16n <= M), so over all sizes n (powers of two) it costs
 * at most 2 * (2 * M/16) = M/4 reads, per alignment.
 */
FUZZ_HARNESS static uint64_t score_bound_fixed(uint64_t mem)
{
	return 5 + 3 * (mem / 4096 + 2);
}

/*
 * For vq_scan(): per candidate address (at most len/step + 1 per region),
 * one read of descriptor 0, then for each size tried one cheap read and
 * two vq_ring_score() calls (alignments 64 and 4096): 16 sizes from the
 * CLI, at most 32 for any min_size and max_size (the size doubles, and a
 * uint32_t doubles 32 times), plus the
 * head loops summed over sizes (M/4 per alignment), plus one more
 * vq_ring_score() for a hit (is the other alignment as good?), whose head
 * loop costs at most 2 * M/16.  That is linear in M per candidate and
 * (M/step) * O(M) in all, quadratic in the memory for small steps: hence
 * the search span for step 16 and the input size cap in run.sh.  A
 * scanner that rereads without bound, loops, or walks outside its
 * regions breaks it.
 */
FUZZ_HARNESS static uint64_t scan_bound(uint64_t cands, uint64_t mem)
{
	uint64_t fixed = score_bound_fixed(mem);
	uint64_t per = 1 + 32 * (1 + 2 * fixed) + 2 * (mem / 4) + fixed + mem / 8;

	return cands * per;
}

FUZZ_HARNESS static void check_hits(const struct vq_fetch *f, const struct vq_scan_region *reg,
				    size_t nreg, const struct vq_scan_opts *o,
				    const struct vq_scan_hit *hits, size_t nhits, size_t max,
				    int ret)
{
	size_t i, r;

	FUZZ_CHECK(ret == 0 || ret == 1);
	FUZZ_CHECK(nhits <= max);
	/* "more were found than fit" leaves the list full. */
	if (ret == 1)
		FUZZ_CHECK(nhits == max);
	for (i = 0; i < nhits; i++) {
		const struct vq_scan_hit *h = &hits[i];
		const struct vq_ring_layout *l = &h->layout;
		struct vq_ring_layout other;
		struct vq_ring_hdr hh;
		enum vq_confidence c;
		int inside = 0;

		FUZZ_CHECK(h->score >= 1);
		FUZZ_CHECK(!vq_ring_size_problem(l->size));
		FUZZ_CHECK(l->size >= o->min_size &&
			   l->size <= (o->max_size ? o->max_size : VQ_RING_MAX_SIZE));
		FUZZ_CHECK(l->desc % o->step == 0);
		FUZZ_CHECK(l->align == VQ_ALIGN_LINUX || l->align == VQ_ALIGN_LEGACY);
		FUZZ_CHECK(h->confidence <= VQ_CONF_HIGH);
		FUZZ_CHECK(strcmp(vq_confidence_name(h->confidence), "unknown") != 0);
		FUZZ_CHECK(h->hdr.in_flight <= l->size);
		/* Candidates start inside a region searched. */
		for (r = 0; r < nreg; r++)
			if (l->desc >= reg[r].start && l->desc - reg[r].start < reg[r].len)
				inside = 1;
		FUZZ_CHECK(inside);
		/* In address order, never overlapping. */
		if (i)
			FUZZ_CHECK(hits[i - 1].layout.used +
				       VQ_USED_BYTES(hits[i - 1].layout.size) <=
				   l->desc);
		/* The scanner's judgement is vq_ring_score()'s. */
		FUZZ_CHECK(vq_ring_score(f, l, &hh, &c) == h->score);
		FUZZ_CHECK(c == h->confidence && !memcmp(&hh, &h->hdr, sizeof(hh)));
		/* "Ambiguous" means the other alignment, at another address,
		 * scores the same. */
		FUZZ_CHECK(h->align_ambiguous == 0 || h->align_ambiguous == 1);
		vq_ring_layout_contig(l->desc, l->size,
				      l->align == VQ_ALIGN_LINUX ? VQ_ALIGN_LEGACY : VQ_ALIGN_LINUX,
				      &other);
		FUZZ_CHECK(h->align_ambiguous == (other.used != l->used &&
						  vq_ring_score(f, &other, &hh, &c) == h->score));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzzmem m = {0};
	struct vq_fetch f = fuzzmem_fetch(&m);
	struct vq_scan_region reg[FUZZMEM_MAX_REGIONS];
	struct vq_scan_opts o;
	struct vq_ring_layout l;
	struct vq_ring_hdr h;
	enum vq_confidence conf;
	uint64_t base, memlen, split, cands = 0;
	size_t nhits, max, i;
	unsigned lo, hi;
	uint32_t n;
	int ret, s;

	if (size < HDR)
		return -1;
	memlen = size - HDR;
	base = fuzz_le(data + 8, 8);
	split = memlen;
	if (data[0] & 2 && memlen)
		split = fuzz_le(data + 4, 4) % memlen;
	fuzzmem_add(&m, base, data + HDR, split);
	if (split < memlen) {
		/* The second part starts after the first, with a gap. */
		uint64_t start = base + split + fuzz_le(data + 16, 4);

		if (start >= base)
			fuzzmem_add(&m, start, data + HDR + split, memlen - split);
	}
	for (i = 0; i < m.nr; i++) {
		reg[i] = (struct vq_scan_region){m.r[i].base, m.r[i].len};
		/* Every candidate costs a read of up to all the memory, so
		 * step 16 searches the first STEP16_SPAN bytes of each region
		 * only (the rest can still be read as ring memory). */
		if (data[0] & 1 && reg[i].len > STEP16_SPAN)
			reg[i].len = STEP16_SPAN;
	}

	lo = data[2] & 15;
	hi = data[2] >> 4;
	if (lo > hi) {
		unsigned t = lo;

		lo = hi;
		hi = t;
	}
	o = (struct vq_scan_opts){
	    .step = data[0] & 1 ? 16 : 4096,
	    .min_size = 1u << lo,
	    .max_size = 1u << hi,
	};
	if (data[0] & 4) {
		o.min_size = (uint32_t)fuzz_le(data + 20, 4);
		o.max_size = (uint32_t)fuzz_le(data + 24, 4);
	}
	max = data[3] ? data[3] % 16 : MAX_HITS;
	if (!max)
		max = 1;
	for (i = 0; i < m.nr; i++)
		cands += reg[i].len / o.step + 1;

	ret = vq_scan(&f, reg, m.nr, &o, hit_store + (MAX_HITS - max), max, &nhits);
	FUZZ_CHECK(m.fetches <= scan_bound(cands, memlen));
	check_hits(&f, reg, m.nr, &o, hit_store + (MAX_HITS - max), nhits, max, ret);

	/* `ring --at DESC` without --align judges both layouts this way. */
	n = sizes[data[1] % (sizeof(sizes) / sizeof(sizes[0]))];
	m.fetches = 0;
	s = vq_ring_best_layout(&f, base, n, &l, &h, &conf);
	FUZZ_CHECK(s == -1 || s >= 1);
	FUZZ_CHECK(m.fetches <= 2 * (score_bound_fixed(memlen) + 2 * (memlen / 16)));
	if (s > 0) {
		FUZZ_CHECK(!vq_ring_size_problem(n));
		FUZZ_CHECK(l.desc == base && l.size == n);
		FUZZ_CHECK(l.align == VQ_ALIGN_LINUX || l.align == VQ_ALIGN_LEGACY);
		FUZZ_CHECK(h.in_flight <= n && conf <= VQ_CONF_HIGH);
	} else if (vq_ring_size_problem(n)) {
		FUZZ_CHECK(m.fetches == 0);
	}
	return 0;
}
