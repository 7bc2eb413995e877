/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Find split and packed virtqueues in memory with no register state, and judge a candidate layout. */
#ifndef VQDUMP_DECODE_SCAN_H
#define VQDUMP_DECODE_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "fetch.h"
#include "packed.h"
#include "ring.h"

/* A physical range to search. */
struct vq_scan_region {
	uint64_t start; /* first address */
	uint64_t len;   /* bytes */
};

/* Bytes of the largest of @n regions, at most @cap: a search's buffer
 * need not be larger (small images, fuzzing). */
uint64_t vq_scan_chunk(const struct vq_scan_region *r, size_t n, uint64_t cap);

enum vq_confidence { VQ_CONF_LOW, VQ_CONF_MEDIUM, VQ_CONF_HIGH };

/* Where a packed ring's event suppression areas were found (pscan.c). */
enum vq_pevents {
	VQ_PEVENTS_NONE,    /* not found: the pages Linux puts them on do not fit */
	VQ_PEVENTS_ZERO,    /* Linux's pages fit, but hold only zeroes (as any zero page would) */
	VQ_PEVENTS_WRITTEN, /* Linux's pages fit and one of the areas is written */
	VQ_PEVENTS_PARTIAL, /* one of the two pages fits, the other does not (its address 0) */
};

/* What the packed scanner saw of one packed ring (layout.desc/size valid
 * always, layout.driver/device when found, else 0). */
struct vq_pscan_info {
	struct vq_packed_layout layout;
	struct vq_packed_pos avail; /* inferred driver position, as `ring --packed` infers it */
	struct vq_packed_pos used;  /* inferred device position */
	uint32_t written;           /* slots the driver has written (from slot 0 on) */
	uint32_t used_slots;        /* slots whose AVAIL and USED bits are equal */
	uint32_t pending_slots;     /* slots from the used to the avail position */
	uint8_t size_ambiguous;     /* a larger size fits as well (the ring has not wrapped) */
	uint8_t events;             /* enum vq_pevents */
};

struct vq_scan_hit {
	struct vq_ring_layout layout; /* addresses, size, alignment used (packed: desc and size) */
	struct vq_ring_hdr hdr;       /* indices read there (split only) */
	int score;                    /* evidence points (see scan.c, pscan.c) */
	enum vq_confidence confidence;
	int align_ambiguous;          /* the other used-ring alignment fits as well */
	int packed;                   /* 1: a packed ring, described by @pk */
	struct vq_pscan_info pk;
};

struct vq_scan_opts {
	uint32_t step;     /* descriptor-table alignment searched (4096 default) */
	uint32_t min_size; /* smallest Queue Size tried (power of two) */
	uint32_t max_size; /* largest Queue Size tried (power of two) */
	int packed;        /* also look for packed rings (0: split rings only) */
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
 * Judge whether a packed descriptor ring of @n slots starts at @desc
 * (virtio 1.3 section 2.8; rules in pscan.c).  Returns a score >= 1 and
 * fills @pk (positions, counts; not the event areas) when it does, -1
 * when not.  Reads at most the @n slots, in 4096-byte pieces.
 */
int vq_packed_score(const struct vq_fetch *f, uint64_t desc, uint32_t n,
		    struct vq_pscan_info *pk, enum vq_confidence *conf);

/* Whether the 16 bytes at @b can be slot 0 of a packed ring that has
 * been used (written, with valid flags and address): the scanner's cheap
 * first test. */
int vq_packed_slot0_ok(const uint8_t *b);

/*
 * The packed ring at @desc, if there is one, over the power-of-two sizes
 * from @min to @max: the size chosen as pscan.c says, its event areas
 * looked for where Linux allocates them.  Returns the score (hit filled,
 * packed = 1) or -1.
 */
int vq_packed_best(const struct vq_fetch *f, uint64_t desc, uint32_t min, uint32_t max,
		   struct vq_scan_hit *hit);

/*
 * Search @regions for rings whose descriptor table starts on a multiple of
 * o->step (split rings; packed ones too with o->packed: of the two at one
 * address the better-scored is kept).  Hits go to @hits (at most @max, in address order, never two
 * that overlap: the better-scored one stays); *@nhits gets how many; returns 1 if more were found than fit,
 * else 0.
 */
int vq_scan(const struct vq_fetch *f, const struct vq_scan_region *regions, size_t nregions,
	    const struct vq_scan_opts *o, struct vq_scan_hit *hits, size_t max, size_t *nhits);

#endif
