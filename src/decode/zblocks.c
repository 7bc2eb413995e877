/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Zero blocks of a search buffer (zblocks.h); no I/O. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zblocks.h"

/* 1 when the @n bytes at @p are all zero (words ORed: vectorised). */
static int all_zero(const uint8_t *p, size_t n)
{
	uint64_t acc = 0, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

int vq_zblocks_fill(struct vq_zblocks *z, const uint8_t *buf, size_t len)
{
	size_t n = (len + VQ_ZBLOCK - 1) / VQ_ZBLOCK, i;

	if (n > z->cap) {
		uint8_t *p = realloc(z->zero, n ? n : 1);

		if (!p)
			return -ENOMEM;
		z->zero = p;
		z->cap = n;
	}
	for (i = 0; i < n; i++) {
		size_t off = i * VQ_ZBLOCK, k = len - off < VQ_ZBLOCK ? len - off : VQ_ZBLOCK;

		z->zero[i] = (uint8_t)all_zero(buf + off, k);
	}
	z->n = n;
	return 0;
}

uint64_t vq_zblocks_skip(const struct vq_zblocks *z, uint64_t s, uint64_t lo, uint64_t hi,
			 uint64_t step, uint64_t lim)
{
	uint64_t b, b1, first;

	if (s >= lim || hi <= lo || !step)
		return s;
	b = (s + lo) / VQ_ZBLOCK;
	b1 = (s + hi - 1) / VQ_ZBLOCK;
	/* Blocks past the buffer are not known to be zero. */
	for (; b <= b1; b++)
		if (b >= z->n || !z->zero[b])
			return s;
	while (b < z->n && z->zero[b])
		b++;
	/* Zeros to the buffer's end: every window below @lim is in it. */
	if (b >= z->n)
		return lim;
	/* The first start whose window reaches block @b. */
	first = b * VQ_ZBLOCK - hi + 1;
	return s + (first - s + step - 1) / step * step;
}
