/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Packed-ring scanner: the rules of virtio 1.3 section 2.8, and of how Linux allocates packed rings, applied to raw memory. */
#include <linux/virtio_ring.h>
#include <string.h>

#include "le.h"
#include "scan.h"

/*
 * A candidate is a descriptor ring start and a Queue Size n (a power of
 * two, as Linux and QEMU use).  Its n 16-byte slots (addr, len, id, flags)
 * must pass every one of these:
 *   - the written slots are a prefix: drivers fill slots 0, 1, 2... in
 *     order, the ring is allocated zeroed, and a device's used write
 *     leaves the driver's non-zero address in place, so an all-zero slot
 *     was never written and no written slot follows one;
 *   - a written slot has only the flags NEXT, WRITE, INDIRECT, AVAIL
 *     (bit 7) and USED (bit 15), a non-zero address below 2^52, and a
 *     Buffer ID below n (Linux's IDs index its per-ring state);
 *   - a slot whose AVAIL and USED bits are equal was written by the
 *     device (2.8.1: a driver always writes them unequal) and has neither
 *     NEXT nor INDIRECT; an INDIRECT slot has a non-zero multiple-of-16
 *     length and no NEXT (2.8.7);
 *   - the AVAIL bits are one driver position's (2.8.1: every write, the
 *     driver's and the device's, sets AVAIL to the writer's wrap counter):
 *     in a ring not yet wrapped (some slot unwritten) all written slots
 *     carry the first round's AVAIL = 1 (both wrap counters start at 1),
 *     in a full ring they change at most once around it.
 * A slot with AVAIL = USED = 0 (a used slot of the second round) is what
 * any 16 bytes ending in four zero bytes look like: some slot must carry
 * AVAIL = 1, the mark of the first round, which a ring that has wrapped
 * keeps past the driver's position.
 * A split descriptor table read this way fails at once: its "flags" are
 * the split "next" field, Linux's free list links i to i + 1, and those
 * values set bits that no packed flag has.  And evidence of use is
 * needed: two written slots, or one the device has written back used.
 *
 * Size: a prefix of a full ring looks like a smaller full ring, and a
 * ring not yet wrapped followed by zero pages like a larger one; the size
 * chosen is the smallest that holds every written slot seen (written
 * slots past it would have broken the rules of the larger sizes), and
 * size_ambiguous says that a larger one fits as well.
 *
 * Event suppression areas: Linux allocates the descriptor ring, then the
 * driver area, then the device area, each zeroed and on pages of its own
 * (vring_alloc_queue); the page allocator hands them out downward, so
 * they are looked for on the two pages below the ring: each must have
 * valid flags (2.8.14: mode 0-2, other bits 0; a DESC offset inside the
 * ring) and zeroes in the rest of its page.  A DESC offset there is a
 * slot number, so it bounds the size from below as well.
 */

#define F_AVAIL (1u << VRING_PACKED_DESC_F_AVAIL)
#define F_USED (1u << VRING_PACKED_DESC_F_USED)
#define F_KNOWN (VRING_DESC_F_NEXT | VRING_DESC_F_WRITE | VRING_DESC_F_INDIRECT | F_AVAIL | F_USED)
#define ADDR_LIMIT (1ull << 52)
#define PAGE 4096u

/* What the slot rules counted over slots 0 to the walk's end. */
struct pwalk {
	uint32_t written;    /* written slots (a prefix) */
	uint32_t used;       /* written slots with AVAIL == USED */
	uint32_t avail1;     /* written slots with AVAIL = 1 */
	uint32_t steps;      /* AVAIL changes between written neighbours */
	uint32_t maxid;      /* largest Buffer ID of a written slot */
	uint8_t avail0;      /* slot 0's AVAIL bit */
	uint8_t prev;        /* the last written slot's AVAIL bit */
	uint8_t zero_seen;   /* an unwritten slot was met */
};

static int slot_zero(const uint8_t *b)
{
	static const uint8_t z[16];

	return !memcmp(b, z, 16);
}

/* The rules for one slot alone (no size needed); 0 when they hold. */
static int slot_alone_ok(const uint8_t *b)
{
	uint64_t addr = le64(b);
	uint32_t len = le32(b + 8);
	uint16_t flags = le16(b + 14);

	if (flags & ~F_KNOWN || !addr || addr >= ADDR_LIMIT)
		return -1;
	if (!(flags & F_AVAIL) == !(flags & F_USED))
		return flags & (VRING_DESC_F_NEXT | VRING_DESC_F_INDIRECT) ? -1 : 0;
	if (flags & VRING_DESC_F_INDIRECT && (flags & VRING_DESC_F_NEXT || !len || len % 16))
		return -1;
	return 0;
}

int vq_packed_slot0_ok(const uint8_t *b)
{
	return !slot_zero(b) && !slot_alone_ok(b);
}

/* Count slot @s (at @b) into @w; -1 when a rule no larger size can
 * mend is broken. */
static int count_slot(struct pwalk *w, uint32_t s, const uint8_t *b)
{
	unsigned a;

	if (slot_zero(b)) {
		w->zero_seen = 1;
		return 0;
	}
	if (w->zero_seen || slot_alone_ok(b))
		return -1;
	a = !!(le16(b + 14) & F_AVAIL);
	if (!(le16(b + 14) & F_USED) == !a)
		w->used++;
	w->avail1 += a;
	if (!s)
		w->avail0 = (uint8_t)a;
	else if (a != w->prev)
		w->steps++;
	w->prev = (uint8_t)a;
	if (le16(b + 12) > w->maxid)
		w->maxid = le16(b + 12);
	w->written++;
	return 0;
}

/* Walk slots [@from, @to) of the ring at @desc into @w, reading 256 at a
 * time; -1 when one is not in memory or breaks a rule. */
static int walk(const struct vq_fetch *f, uint64_t desc, uint32_t from, uint32_t to,
		struct pwalk *w)
{
	uint8_t buf[PAGE];

	while (from < to) {
		uint32_t k = to - from < PAGE / 16 ? to - from : PAGE / 16, j;

		if (vq_fetch(f, desc + 16ull * from, buf, 16ull * k, "packed ring candidate") < 0)
			return -1;
		for (j = 0; j < k; j++)
			if (count_slot(w, from + j, buf + 16 * j))
				return -1;
		from += k;
	}
	return 0;
}

/* Whether the first @n slots, as @w counted them, are a packed ring
 * that has been used. */
static int fits(const struct pwalk *w, uint32_t n)
{
	if (!w->written || w->maxid >= n || !w->avail1 || (w->written < 2 && !w->used))
		return 0;
	/* Tiny rings pass the rules by chance: they need both sides' work. */
	if (n < 8 && (w->written < 2 || !w->used))
		return 0;
	if (w->written < n)
		return !w->steps && w->avail0;
	return w->steps <= 1;
}

/* The round slot @s was last written in, the driver at @a (2.8.1). */
static unsigned round_of(const struct vq_packed_pos *a, uint32_t s)
{
	return s < a->idx ? a->wrap : !a->wrap;
}

/*
 * The positions `ring --packed` infers from the same slots (packed.c):
 * the driver's where the AVAIL bits change (none: slot 0 of the next
 * round), the device's just after the newest slot, counted from the
 * driver's, whose AVAIL and USED bits equal its round.  Reads the slots
 * again, 256 at a time; -1 when they are no longer there.
 */
static int positions(const struct vq_fetch *f, uint64_t desc, uint32_t n, const struct pwalk *w,
		     struct vq_pscan_info *pk)
{
	uint8_t buf[PAGE];
	uint32_t s = 0, last = 0, first_step = 0;
	unsigned prev = w->avail0;

	/* Pass one: the first AVAIL change (unwritten slots read AVAIL 0). */
	for (s = 0; s < n && !first_step; s++) {
		if (s % (PAGE / 16) == 0 &&
		    vq_fetch(f, desc + 16ull * s, buf, 16ull * (n - s < PAGE / 16 ? n - s : PAGE / 16),
			     "packed ring candidate") < 0)
			return -1;
		if (s && !!(le16(buf + 16 * (s % (PAGE / 16)) + 14) & F_AVAIL) != prev)
			first_step = s;
	}
	pk->avail.known = pk->used.known = 0;
	pk->avail.idx = (uint16_t)first_step;
	pk->avail.wrap = (uint8_t)(first_step ? w->avail0 : !w->avail0);
	/* Pass two: the last used slot in the window that starts there. */
	for (s = 0; s < n; s++) {
		uint16_t fl;
		unsigned a;

		if (s % (PAGE / 16) == 0 &&
		    vq_fetch(f, desc + 16ull * s, buf, 16ull * (n - s < PAGE / 16 ? n - s : PAGE / 16),
			     "packed ring candidate") < 0)
			return -1;
		fl = le16(buf + 16 * (s % (PAGE / 16)) + 14);
		a = !!(fl & F_AVAIL);
		if (a == !!(fl & F_USED) && a == round_of(&pk->avail, s)) {
			uint32_t i = (s + n - pk->avail.idx) % n + 1;

			if (i > last)
				last = i;
		}
	}
	pk->pending_slots = last < n ? n - last : 0;
	pk->used.idx = (uint16_t)((pk->avail.idx + last % n) % n);
	pk->used.wrap = (uint8_t)(last == n ? pk->avail.wrap : round_of(&pk->avail, pk->used.idx));
	return 0;
}

int vq_packed_score(const struct vq_fetch *f, uint64_t desc, uint32_t n,
		    struct vq_pscan_info *pk, enum vq_confidence *conf)
{
	struct pwalk w;
	int score;

	memset(&w, 0, sizeof(w));
	if (!n || n > VQ_PACKED_MAX_SIZE || desc % VQ_PACKED_DESC_ALIGN ||
	    desc + VQ_PACKED_DESC_BYTES(n) - 1 < desc)
		return -1;
	if (walk(f, desc, 0, n, &w) || !fits(&w, n))
		return -1;
	memset(pk, 0, sizeof(*pk));
	pk->layout.desc = desc;
	pk->layout.size = n;
	pk->written = w.written;
	pk->used_slots = w.used;
	if (positions(f, desc, n, &w, pk))
		return -1;
	score = 16 + (w.used ? 16 : 0) + (w.written < 8 ? (int)w.written : 8) +
		2 * (w.used < 4 ? (int)w.used : 4) + (w.written == n ? 8 : 0);
	if (w.used && (w.written >= 8 || w.written == n))
		*conf = VQ_CONF_HIGH;
	else if ((w.used && w.written >= 2) || w.written >= 4)
		*conf = VQ_CONF_MEDIUM;
	else
		*conf = VQ_CONF_LOW;
	return score;
}

/* One event suppression area candidate on the page at @at: 0 when it
 * fits (*@written set if it is not all zero, *@need raised to the ring
 * size its DESC offset needs), -1 when not. */
static int event_page(const struct vq_fetch *f, uint64_t at, int *written, uint32_t *need)
{
	uint8_t b[PAGE];
	uint16_t off, flags;
	uint32_t i;

	if (vq_fetch(f, at, b, PAGE, "packed event area candidate") < 0)
		return -1;
	off = le16(b);
	flags = le16(b + 2);
	if (flags & ~3u || (flags & 3) == 3)
		return -1;
	for (i = 4; i < PAGE; i++)
		if (b[i])
			return -1;
	if (off || flags)
		*written = 1;
	/* 2.8.14: a DESC offset names a slot of the ring. */
	if ((flags & 3) == VRING_PACKED_EVENT_FLAG_DESC && (uint32_t)(off & 0x7fff) + 1 > *need)
		*need = (off & 0x7fff) + 1u;
	return 0;
}

/* Linux's event areas for a ring at @desc: the driver area on the page
 * below it, the device area on the page below that, each judged alone
 * (the page allocator does not always hand out the third page next).
 * Fills @pk's driver, device and events; returns the smallest ring size
 * their offsets allow (0 when neither was found). */
static uint32_t find_events(const struct vq_fetch *f, uint64_t desc, struct vq_pscan_info *pk)
{
	int written = 0, drv = 0, dev = 0;
	uint32_t need = 1;

	pk->events = VQ_PEVENTS_NONE;
	pk->layout.driver = pk->layout.device = 0;
	if (desc % PAGE || desc < 2ull * PAGE)
		return 0;
	drv = !event_page(f, desc - PAGE, &written, &need);
	dev = !event_page(f, desc - 2ull * PAGE, &written, &need);
	if (drv)
		pk->layout.driver = desc - PAGE;
	if (dev)
		pk->layout.device = desc - 2ull * PAGE;
	if (!drv && !dev)
		return 0;
	pk->events = !(drv && dev) ? VQ_PEVENTS_PARTIAL : written ? VQ_PEVENTS_WRITTEN : VQ_PEVENTS_ZERO;
	return need;
}

int vq_packed_best(const struct vq_fetch *f, uint64_t desc, uint32_t min, uint32_t max,
		   struct vq_scan_hit *hit)
{
	uint32_t fit_n[32], fit_w[32], nfit = 0, kmax = 0, s = 0, n, i, after = 0, need;
	struct vq_pscan_info ev;
	struct pwalk w;
	int score;

	memset(&w, 0, sizeof(w));
	memset(&ev, 0, sizeof(ev));
	if (desc % VQ_PACKED_DESC_ALIGN)
		return -1;
	/* The event areas' DESC offsets name slots: the ring holds them. */
	need = find_events(f, desc, &ev);
	/* One walk over the slots, each size judged as the walk reaches its
	 * end.  Past the written prefix only zeroes can follow; once the
	 * smallest size holding it (and the offsets) fits, one more size
	 * tells whether a larger one does too, and the walk stops. */
	for (n = min ? min : 1; n && n <= VQ_PACKED_MAX_SIZE && n <= (max ? max : VQ_PACKED_MAX_SIZE);
	     n <<= 1) {
		if (desc + VQ_PACKED_DESC_BYTES(n) - 1 < desc || walk(f, desc, s, n, &w))
			break;
		s = n;
		if (!fits(&w, n))
			continue;
		fit_n[nfit] = n;
		fit_w[nfit++] = w.written;
		if (w.written > kmax)
			kmax = w.written;
		if (w.zero_seen && n >= need && ++after == 2)
			break;
	}
	if (!nfit)
		return -1;
	memset(hit, 0, sizeof(*hit));
	for (i = 0; i < nfit && (fit_n[i] < kmax || fit_n[i] < need); i++)
		;
	if (i == nfit) {
		/* Offsets past every size that fits: not this ring's areas. */
		ev.events = VQ_PEVENTS_NONE;
		ev.layout.driver = ev.layout.device = 0;
		for (i = 0; i < nfit && fit_n[i] < kmax; i++)
			;
	}
	score = vq_packed_score(f, desc, fit_n[i], &hit->pk, &hit->confidence);
	if (score < 0)
		return -1;
	hit->pk.size_ambiguous = i + 1 < nfit && fit_w[i + 1] == fit_w[i];
	hit->pk.events = ev.events;
	if (ev.events) {
		hit->pk.layout.driver = ev.layout.driver;
		hit->pk.layout.device = ev.layout.device;
	}
	hit->packed = 1;
	hit->score = score;
	hit->layout.desc = desc;
	hit->layout.size = fit_n[i];
	return score;
}
