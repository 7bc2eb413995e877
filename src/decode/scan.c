/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Split-ring scanner: structural rules of virtio 1.3 section 2.7 applied to raw memory. */
#include <linux/virtio_ring.h>
#include <string.h>

#include "le.h"
#include "scan.h"

/*
 * How false positives are bounded.  A candidate is a descriptor table
 * start, a Queue Size n and a used-ring alignment.  It must pass every one
 * of these, each a rule of the spec or of how drivers allocate rings:
 *   - descriptor 0 is written (every driver takes it first) and all n
 *     descriptors have only NEXT/WRITE/INDIRECT flags, NEXT pointing inside
 *     the table, INDIRECT with a non-zero multiple-of-16 length and no NEXT,
 *     and addresses below 2^52 (no architecture has more physical bits);
 *   - avail and used flags are 0 or 1, (avail_idx - used_idx) mod 2^16 <= n;
 *   - all n available-ring entries and all n used-ring ids are < n;
 *   - the padding between the available and used rings is zero (rings are
 *     allocated zeroed and nothing writes there) where the source holds it;
 *   - every pending chain's head descriptor is written.
 * Zero memory passes the structural rules, so a candidate also needs
 * evidence of use: written descriptors and an index that has moved.  For n >= 8 the chance
 * that unrelated data meets all of this is negligible (n small numbers in
 * a row in three places); small sizes only count with written indices.
 */

#define ADDR_LIMIT (1ull << 52)

const char *vq_confidence_name(enum vq_confidence c)
{
	switch (c) {
	case VQ_CONF_LOW:
		return "low";
	case VQ_CONF_MEDIUM:
		return "medium";
	case VQ_CONF_HIGH:
		return "high";
	}
	return "unknown";
}

static int desc_ok(const uint8_t *b, uint32_t n)
{
	uint64_t addr = le64(b);
	uint32_t len = le32(b + 8);
	uint16_t flags = le16(b + 12), next = le16(b + 14);

	if (flags & ~(VRING_DESC_F_NEXT | VRING_DESC_F_WRITE | VRING_DESC_F_INDIRECT))
		return 0;
	if ((flags & VRING_DESC_F_NEXT) && next >= n)
		return 0;
	if (flags & VRING_DESC_F_INDIRECT &&
	    (!len || len % 16 || (flags & VRING_DESC_F_NEXT)))
		return 0;
	return addr < ADDR_LIMIT;
}

/* Read @len bytes at @addr in pieces; call @check on each element of
 * @esize bytes.  Returns 0 when every element passes. */
static int check_array(const struct vq_fetch *f, uint64_t addr, uint64_t count, unsigned esize,
		       int (*check)(const uint8_t *e, uint32_t n, void *acc), uint32_t n, void *acc)
{
	uint8_t buf[4096];
	uint64_t per = sizeof(buf) / esize, i = 0;

	while (i < count) {
		uint64_t k = count - i < per ? count - i : per, j;

		if (vq_fetch(f, addr + i * esize, buf, k * esize, "ring candidate") < 0)
			return -1;
		for (j = 0; j < k; j++)
			if (check(buf + j * esize, n, acc))
				return -1;
		i += k;
	}
	return 0;
}

static int check_desc(const uint8_t *e, uint32_t n, void *acc)
{
	if (!desc_ok(e, n))
		return 1;
	if (le64(e) || le32(e + 8))
		++*(uint32_t *)acc;
	return 0;
}

static int check_avail_entry(const uint8_t *e, uint32_t n, void *acc)
{
	(void)acc;
	return le16(e) >= n;
}

static int check_used_entry(const uint8_t *e, uint32_t n, void *acc)
{
	(void)acc;
	return le32(e) >= n;
}

/*
 * The padding [@start, @end) between the available and used rings holds
 * only zeroes where the source has it.  A source may lack it while holding
 * both rings (a vqdump snapshot saves only the rings): what cannot be read
 * is not evidence either way.  Read in pieces of 64 bytes (a cache line;
 * sources hold whole ones) so a partly saved gap is still checked.
 * Returns 0 when no byte read is non-zero.
 */
static int padding_zero(const struct vq_fetch *f, uint64_t start, uint64_t end)
{
	uint8_t buf[64];
	uint64_t a, n, i;

	for (a = start; a < end; a += n) {
		n = 64 - a % 64;
		if (n > end - a)
			n = end - a;
		if (vq_fetch(f, a, buf, n, "ring candidate") < 0)
			continue;
		for (i = 0; i < n; i++)
			if (buf[i])
				return -1;
	}
	return 0;
}

int vq_ring_score(const struct vq_fetch *f, const struct vq_ring_layout *l,
		  struct vq_ring_hdr *h, enum vq_confidence *conf)
{
	const uint32_t n = l->size;
	uint64_t avail_end = l->avail + VQ_AVAIL_BYTES(n);
	uint32_t written = 0, i, heads_ok = 0;
	int score;

	if (vq_ring_size_problem(n) || vq_ring_read_hdr(f, l, h) < 0)
		return -1;
	if (h->avail_flags & ~VRING_AVAIL_F_NO_INTERRUPT || h->used_flags & ~VRING_USED_F_NO_NOTIFY)
		return -1;
	if (h->in_flight > n)
		return -1;
	/* A ring the driver has used has a moved index (zeroed memory and the
	 * unused tail of a real table have none), and tiny rings pass the
	 * structural rules by chance, so they need both.  Both tests need only
	 * the header: make them before walking the arrays. */
	if (!(h->avail_idx || h->used_idx) || (n < 8 && !(h->avail_idx && h->used_idx)))
		return -1;
	/* Contiguous layouts leave padding before the used ring. */
	if (l->align && l->used > avail_end && padding_zero(f, avail_end, l->used))
		return -1;
	if (check_array(f, l->avail + 4, n, 2, check_avail_entry, n, NULL) ||
	    check_array(f, l->used + 4, n, 8, check_used_entry, n, NULL) ||
	    check_array(f, l->desc, n, 16, check_desc, n, &written))
		return -1;
	/* ... and written descriptors. */
	if (!written)
		return -1;
	for (i = 0; i < h->in_flight; i++) {
		uint8_t b[16];
		uint16_t head;

		if (vq_fetch(f, l->avail + 4 + 2ull * ((uint16_t)(h->used_idx + i) % n), b, 2,
			     "ring candidate") < 0)
			return -1;
		head = le16(b);
		if (vq_fetch(f, l->desc + 16ull * head, b, 16, "ring candidate") < 0)
			return -1;
		if (!le64(b) && !le32(b + 8))
			return -1;
		heads_ok++;
	}
	score = (h->avail_idx ? 16 : 0) + (h->used_idx ? 16 : 0) + (written < 8 ? (int)written : 8) +
		(heads_ok < 4 ? (int)heads_ok : 4) * 2;
	if (h->avail_idx && h->used_idx && n >= 8)
		*conf = VQ_CONF_HIGH;
	else if (h->avail_idx || h->used_idx)
		*conf = VQ_CONF_MEDIUM;
	else
		*conf = VQ_CONF_LOW;
	return score;
}

int vq_ring_best_layout(const struct vq_fetch *f, uint64_t desc, uint32_t n,
			struct vq_ring_layout *out, struct vq_ring_hdr *h,
			enum vq_confidence *conf)
{
	static const uint32_t aligns[] = { VQ_ALIGN_LINUX, VQ_ALIGN_LEGACY };
	int best = -1;
	size_t i;

	for (i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		struct vq_ring_layout l;
		struct vq_ring_hdr hh;
		enum vq_confidence c;
		int s;

		vq_ring_layout_contig(desc, n, aligns[i], &l);
		s = vq_ring_score(f, &l, &hh, &c);
		/* On a tie the first (Linux's 64) wins: the two only tie when
		 * the used ring was never written, and modern drivers are the
		 * common case. */
		if (s > best) {
			best = s;
			*out = l;
			*h = hh;
			*conf = c;
		}
	}
	return best;
}

/* Whether the alignment not chosen scores as well: then memory cannot
 * tell where the used ring is (it was never written). */
static int other_align_fits(const struct vq_fetch *f, const struct vq_scan_hit *hit)
{
	struct vq_ring_layout l;
	struct vq_ring_hdr h;
	enum vq_confidence c;
	uint32_t other = hit->layout.align == VQ_ALIGN_LINUX ? VQ_ALIGN_LEGACY : VQ_ALIGN_LINUX;

	vq_ring_layout_contig(hit->layout.desc, hit->layout.size, other, &l);
	if (l.used == hit->layout.used)
		return 0;
	return vq_ring_score(f, &l, &h, &c) == hit->score;
}

/* The end of a hit's rings: the used ring's, or a packed descriptor
 * ring's (its event areas lie elsewhere, below it where Linux puts them). */
static uint64_t ring_end(const struct vq_scan_hit *h)
{
	if (h->packed)
		return h->layout.desc + VQ_PACKED_DESC_BYTES(h->layout.size);
	return h->layout.used + VQ_USED_BYTES(h->layout.size);
}

/* Add @hit, keeping hits disjoint: of two that overlap the better stays.
 * Hits arrive in address order, so only the tail can overlap. */
static int add_hit(struct vq_scan_hit *hits, size_t max, size_t *nhits,
		   const struct vq_scan_hit *hit)
{
	size_t i = *nhits;

	while (i > 0) {
		struct vq_scan_hit *o = &hits[i - 1];

		if (ring_end(o) <= hit->layout.desc)
			break;
		if (o->score >= hit->score)
			return 0;
		/* The newcomer is better: drop the old one. */
		memmove(o, o + 1, (*nhits - i) * sizeof(*o));
		(*nhits)--;
		i--;
	}
	if (*nhits >= max)
		return 1;
	hits[(*nhits)++] = *hit;
	return 0;
}

/* The best split ring starting at @a, over o's sizes; its score. */
static int best_split_at(const struct vq_fetch *f, uint64_t a, const struct vq_scan_opts *o,
			 struct vq_scan_hit *best)
{
	uint32_t n;

	memset(best, 0, sizeof(*best));
	best->score = -1;
	/* n stops at 32768 whatever the caller asks: doubling past
	 * 2^31 would wrap to 0 and never end. */
	for (n = o->min_size ? o->min_size : 1;
	     n && n <= VQ_RING_MAX_SIZE && n <= (o->max_size ? o->max_size : VQ_RING_MAX_SIZE);
	     n <<= 1) {
		struct vq_scan_hit h;
		uint8_t b[2];

		/* Cheap test before the full judgement. */
		if (vq_fetch(f, a + VQ_DESC_BYTES(n), b, 2, "ring candidate") < 0)
			break;
		if (le16(b) & ~VRING_AVAIL_F_NO_INTERRUPT)
			continue;
		memset(&h, 0, sizeof(h));
		h.score = vq_ring_best_layout(f, a, n, &h.layout, &h.hdr, &h.confidence);
		if (h.score > best->score)
			*best = h;
	}
	if (best->score > 0)
		best->align_ambiguous = other_align_fits(f, best);
	return best->score;
}

/* The best ring starting at @a: split, or with o->packed packed, the
 * better-scored when both fit (a tie goes to split, the older layout).
 * Its score, <= 0 when none. */
static int best_at(const struct vq_fetch *f, uint64_t a, const struct vq_scan_opts *o,
		   struct vq_scan_hit *best)
{
	struct vq_scan_hit p;
	uint8_t d0[16];

	best->score = -1;
	/* Descriptor (slot) 0 is the first any driver uses. */
	if (vq_fetch(f, a, d0, sizeof(d0), "ring candidate") < 0)
		return -1;
	if ((le64(d0) || le32(d0 + 8)) && desc_ok(d0, VQ_RING_MAX_SIZE))
		best_split_at(f, a, o, best);
	if (o->packed && vq_packed_slot0_ok(d0) &&
	    vq_packed_best(f, a, o->min_size, o->max_size, &p) > best->score)
		*best = p;
	return best->score;
}

int vq_scan(const struct vq_fetch *f, const struct vq_scan_region *regions, size_t nregions,
	    const struct vq_scan_opts *o, struct vq_scan_hit *hits, size_t max, size_t *nhits)
{
	uint64_t step = o->step ? o->step : 4096;
	int overflow = 0;
	size_t r;

	*nhits = 0;
	for (r = 0; r < nregions; r++) {
		uint64_t start = regions[r].start, len = regions[r].len, a, end;

		/* Regions near 2^64 must not wrap: clip the end, and stop when
		 * the next step would pass it. */
		end = len > UINT64_MAX - start ? UINT64_MAX : start + len;
		if (start % step) {
			if (start > UINT64_MAX - (step - start % step))
				continue;
			a = start + (step - start % step);
		} else {
			a = start;
		}
		for (; a < end && end - a >= 16; a = a > UINT64_MAX - step ? end : a + step) {
			struct vq_scan_hit best;

			if (best_at(f, a, o, &best) <= 0)
				continue;
			if (add_hit(hits, max, nhits, &best))
				overflow = 1;
		}
	}
	return overflow;
}

uint64_t vq_scan_chunk(const struct vq_scan_region *r, size_t n, uint64_t cap)
{
	uint64_t m = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i].len > m)
			m = r[i].len;
	return m < cap ? m : cap;
}
