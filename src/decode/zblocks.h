/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Zero blocks of a search buffer: memory searches step over the bytes where no record they look for can start. */
#ifndef VQDUMP_DECODE_ZBLOCKS_H
#define VQDUMP_DECODE_ZBLOCKS_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of a block (a page, when the buffer starts on one). */
#define VQ_ZBLOCK 4096u

/* Which VQ_ZBLOCK-byte blocks of a buffer are all zeros. */
struct vq_zblocks {
	uint8_t *zero; /* 1 for an all-zero block */
	size_t n, cap; /* blocks filled, allocated */
};

/* Fill @z for the @len bytes at @buf (the last block may be short).
 * 0 or -ENOMEM; free @z->zero when done. */
int vq_zblocks_fill(struct vq_zblocks *z, const uint8_t *buf, size_t len);

/*
 * The first candidate start at or after @s, in steps of @step from @s,
 * whose window [start + @lo, start + @hi) touches a block that is not all
 * zeros; @lim (or more) when there is none before @lim.  For searches
 * whose every record has a non-zero byte in that window, and whose
 * windows for starts below @lim lie in the buffer given to fill.
 */
uint64_t vq_zblocks_skip(const struct vq_zblocks *z, uint64_t s, uint64_t lo, uint64_t hi,
			 uint64_t step, uint64_t lim);

/* vq_zblocks_skip, where the common case (a window whose first or last
 * block is not zero, or past the buffer: @s itself) is decided inline. */
static inline uint64_t vq_zblocks_next(const struct vq_zblocks *z, uint64_t s, uint64_t lo,
				       uint64_t hi, uint64_t step, uint64_t lim)
{
	uint64_t b0 = (s + lo) / VQ_ZBLOCK, b1 = (s + hi - 1) / VQ_ZBLOCK;

	if (b1 >= z->n || !z->zero[b0] || !z->zero[b1] || hi <= lo)
		return s;
	return vq_zblocks_skip(z, s, lo, hi, step, lim);
}

#endif
