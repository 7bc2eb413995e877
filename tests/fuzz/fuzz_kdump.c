/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the kdump adapter's own parsing (decode/kdumpfmt.c): probe, headers, page maps to runs and gaps. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/kdumpfmt.h"
#include "fuzzmem.h"

/*
 * The input is used twice.  As a file's first bytes (the seeds are small
 * kdump files from tests/cli/mkkdump.py): vq_kdump_kind(),
 * vq_kdump_header(), vq_kdump_fits() against the input's size and
 * vq_kdump_sub_header() on the bytes one block in.  And as two page maps
 * (libkdumpfile is not fuzzed here: its find_set/find_clear are modelled
 * by a search over the bits; the adapter's own vq_kdump_bitmap_find is
 * checked against it): the first half "RAM", the second half "held",
 * searched below a limit taken from byte 0, with a run limit from byte 1.  The runs must be exactly the set bits (each run all set, bounded
 * by clear bits or the limit, in order, their pages counted once), or
 * -E2BIG exactly when there are more runs than allowed; the gaps must be
 * exactly the pages RAM has and held lacks.
 */

#define MAX_BITS (8 * 4096)

/* One page map made of the fuzzer's bytes. */
struct bits {
	const uint8_t *b; /* bit i is b[i / 8] >> (i % 8), as libkdumpfile's raw bitmaps */
	uint64_t n;       /* bits in the map; past them, every bit is clear */
};

FUZZ_HARNESS static int bit(const struct bits *m, uint64_t i)
{
	return i < m->n && (m->b[i / 8] >> (i % 8)) & 1;
}

/* kdump_bmp_find_set/find_clear over @ctx (a struct bits): clear bits go
 * on forever past the map, as libkdumpfile's do past max_pfn. */
FUZZ_HARNESS static int find(void *ctx, int set, uint64_t *idx)
{
	const struct bits *m = ctx;
	uint64_t i;

	for (i = *idx; i < m->n; i++)
		if (bit(m, i) == set) {
			*idx = i;
			return 0;
		}
	if (set)
		return 1;
	*idx = i > m->n ? i : m->n;
	return 0;
}

FUZZ_HARNESS static void check_header(const uint8_t *data, size_t size)
{
	enum vq_kdump_kind k = vq_kdump_kind(data, size);
	struct vq_kdump_hdr h;
	uint64_t off, len;
	char err[160];
	int r;

	FUZZ_CHECK(k == VQ_KDUMP_NONE || k == VQ_KDUMP_COMPRESSED || k == VQ_KDUMP_FLATTENED);
	err[0] = 0;
	r = vq_kdump_header(data, size, &h, err, sizeof(err));
	if (r < 0) {
		FUZZ_CHECK(r == -EINVAL && err[0] && memchr(err, 0, sizeof(err)));
		return;
	}
	FUZZ_CHECK(k == VQ_KDUMP_COMPRESSED && size >= VQ_KDUMP_HEAD_LEN);
	FUZZ_CHECK(h.block_size >= 512 && h.block_size <= (1u << 20));
	FUZZ_CHECK(!(h.block_size & (h.block_size - 1)));
	err[0] = 0;
	r = vq_kdump_fits(&h, size, err, sizeof(err));
	if (r < 0) {
		FUZZ_CHECK(err[0]);
		return;
	}
	/* The fixed part lies in the input: the sub header is readable. */
	FUZZ_CHECK(h.bitmap_blocks > 0);
	FUZZ_CHECK((1 + (unsigned __int128)h.sub_hdr_size + h.bitmap_blocks) * h.block_size <=
		   size);
	/* The RAM bitmap is the first half of the bitmap blocks. */
	vq_kdump_ram_bitmap(&h, fuzz_le(data + 440, 4), &off, &len);
	if (len)
		FUZZ_CHECK(off == (1 + (uint64_t)h.sub_hdr_size) * h.block_size &&
			   2 * len <= (uint64_t)h.bitmap_blocks * h.block_size && off + len <= size);
	vq_kdump_sub_header(data + h.block_size, size - h.block_size, &h);
	if (!h.is64 || h.version < 4)
		FUZZ_CHECK(!h.note_off && !h.note_size);
	if (!h.is64 || h.version < 3)
		FUZZ_CHECK(!h.vmcoreinfo_off && !h.vmcoreinfo_size);
}

/* The runs of @m below @limit are exactly its set bits; returns how many
 * runs the map has (counted apart from the code under test). */
FUZZ_HARNESS static size_t check_runs(const struct bits *m, uint64_t limit,
				      const struct vq_kdump_run *r, size_t n)
{
	uint64_t i, set = 0, pages = 0;
	size_t k, runs = 0;

	for (i = 0; i < limit; i++) {
		set += bit(m, i);
		runs += bit(m, i) && (i == 0 || !bit(m, i - 1));
	}
	if (!r)
		return runs;
	for (k = 0; k < n; k++) {
		FUZZ_CHECK(r[k].count > 0 && r[k].first + r[k].count <= limit);
		FUZZ_CHECK(!k || r[k - 1].first + r[k - 1].count < r[k].first);
		FUZZ_CHECK(!r[k].first || !bit(m, r[k].first - 1));
		FUZZ_CHECK(r[k].first + r[k].count == limit || !bit(m, r[k].first + r[k].count));
		for (i = r[k].first; i < r[k].first + r[k].count; i++)
			FUZZ_CHECK(bit(m, i));
		pages += r[k].count;
	}
	FUZZ_CHECK(pages == set && n == runs);
	return runs;
}

/* The gaps are exactly RAM's pages that held lacks, in order. */
FUZZ_HARNESS static void check_gaps(const struct bits *ram, const struct bits *held,
				    uint64_t limit, const struct vq_kdump_run *g, size_t n)
{
	uint64_t i, want = 0, got = 0;
	size_t k;

	for (i = 0; i < limit; i++)
		want += bit(ram, i) && !bit(held, i);
	for (k = 0; k < n; k++) {
		FUZZ_CHECK(g[k].count > 0);
		FUZZ_CHECK(!k || g[k - 1].first + g[k - 1].count <= g[k].first);
		for (i = g[k].first; i < g[k].first + g[k].count; i++)
			FUZZ_CHECK(bit(ram, i) && !bit(held, i));
		got += g[k].count;
	}
	FUZZ_CHECK(got == want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vq_kdump_run *rr = NULL, *hr = NULL, *gaps = NULL;
	size_t nr = 0, nh = 0, ng = 0, half, max;
	struct vq_kdump_bitmap bm;
	struct bits ram, held;
	uint64_t limit;
	int r;

	check_header(data, size);
	if (size < 4)
		return 0;
	half = (size - 2) / 2;
	if (half > MAX_BITS / 8)
		half = MAX_BITS / 8;
	ram = (struct bits){ data + 2, 8 * (uint64_t)half };
	held = (struct bits){ data + 2 + half, 8 * (uint64_t)half };
	/* Below, at and past the maps' end. */
	limit = 8 * (uint64_t)half + 8 - data[0] % 17;
	max = data[1] % 8 ? data[1] % 8 : SIZE_MAX;

	r = vq_kdump_runs(find, &ram, limit, max, &rr, &nr);
	if (r == -E2BIG) {
		FUZZ_CHECK(check_runs(&ram, limit, NULL, 0) > max && !rr && !nr);
		r = vq_kdump_runs(find, &ram, limit, SIZE_MAX, &rr, &nr);
	}
	FUZZ_CHECK(r == 0);
	check_runs(&ram, limit, rr, nr);
	/* The held map through the adapter's own search over raw bytes. */
	bm = (struct vq_kdump_bitmap){ held.b, held.n };
	FUZZ_CHECK(vq_kdump_runs(vq_kdump_bitmap_find, &bm, limit, SIZE_MAX, &hr, &nh) == 0);
	check_runs(&held, limit, hr, nh);
	FUZZ_CHECK(vq_kdump_gaps(rr, nr, hr, nh, &gaps, &ng) == 0);
	check_gaps(&ram, &held, limit, gaps, ng);
	free(rr);
	free(hr);
	free(gaps);
	return 0;
}
