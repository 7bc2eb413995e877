/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Find split virtqueues in memory with no register state, and judge a candidate layout. */
#ifndef VQDUMP_DECODE_SCAN_H
#define VQDUMP_DECODE_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "fetch.h"
#include "ring.h"

/* A physical range to search. */
struct vq_scan_region {
	uint64_t start; /* first address */
	uint64_t len;   /* bytes */
};

enum vq_confidence { VQ_CONF_LOW, VQ_CONF_MEDIUM, VQ_CONF_HIGH };

struct vq_scan_hit {
	struct vq_ring_layout layout; /* addresses, size, alignment used */
	struct vq_ring_hdr hdr;       /* indices read there */
	int score;                    /* evidence points (see scan.c) */
	enum vq_confidence confidence;
	int align_ambiguous;          /* the other used-ring alignment fits as well */
};

struct vq_scan_opts {
	uint32_t step;     /* descriptor-table alignment searched (4096 default) */
	uint32_t min_size; /* smallest Queue Size tried (power of two) */
	uint32_t max_size; /* largest Queue Size tried (power of two) */
};

const char *vq_confidence_name(enum vq_confidence c);

/*
 * Judge whether a split ring with layout @l sits in memory.  Returns a
 * score >= 1 and fills @h when every structural rule holds and the memory
 * shows use (indices or descriptors written); -1 otherwise.
 */
int vq_ring_score(const struct vq_fetch *f, const struct vq_ring_layout *l,
		  struct vq_ring_hdr *h, enum vq_confidence *conf);

/*
 * For a descriptor table at @desc of @n entries, try the contiguous
 * layouts (used ring aligned to 64 and to 4096) and keep the better one in
 * @out.  Returns its score, or -1 when neither fits.
 */
int vq_ring_best_layout(const struct vq_fetch *f, uint64_t desc, uint32_t n,
			struct vq_ring_layout *out, struct vq_ring_hdr *h,
			enum vq_confidence *conf);

/*
 * Search @regions for rings whose descriptor table starts on a multiple of
 * o->step.  Hits go to @hits (at most @max, in address order, never two
 * that overlap: the better-scored one stays); *@nhits gets how many; returns 1 if more were found than fit,
 * else 0.
 */
int vq_scan(const struct vq_fetch *f, const struct vq_scan_region *regions, size_t nregions,
	    const struct vq_scan_opts *o, struct vq_scan_hit *hits, size_t max, size_t *nhits);

#endif
