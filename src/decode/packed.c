/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Packed virtqueue decoder: every slot, address and length read from the ring is untrusted. */
#include <linux/virtio_ring.h>
#include <stdio.h>
#include <string.h>

#include "le.h"
#include "packed.h"

#define F_AVAIL (1u << VRING_PACKED_DESC_F_AVAIL)
#define F_USED (1u << VRING_PACKED_DESC_F_USED)

const char *vq_packed_size_problem(uint32_t n)
{
	if (n == 0)
		return "queue size 0";
	if (n > VQ_PACKED_MAX_SIZE)
		return "queue size over 32768";
	return NULL;
}

const char *vq_packed_misaligned(const struct vq_packed_layout *l, uint64_t *addr,
				 uint32_t *align)
{
	if (l->desc % VQ_PACKED_DESC_ALIGN) {
		*addr = l->desc;
		*align = VQ_PACKED_DESC_ALIGN;
		return "descriptor ring";
	}
	*align = VQ_PACKED_EVENT_ALIGN;
	*addr = l->driver;
	if (l->driver % VQ_PACKED_EVENT_ALIGN)
		return "driver event area";
	*addr = l->device;
	if (l->device % VQ_PACKED_EVENT_ALIGN)
		return "device event area";
	return NULL;
}

const char *vq_packed_wraps(const struct vq_packed_layout *l)
{
	if (l->size && l->desc + VQ_PACKED_DESC_BYTES(l->size) - 1 < l->desc)
		return "descriptor ring";
	if (l->driver + VQ_PACKED_EVENT_BYTES - 1 < l->driver)
		return "driver event area";
	if (l->device + VQ_PACKED_EVENT_BYTES - 1 < l->device)
		return "device event area";
	return NULL;
}

const char *vq_pevent_mode_name(uint16_t flags)
{
	static const char *const names[] = { "enable", "disable", "desc", "reserved" };

	return names[flags & 3];
}

const char *vq_pslot_state_name(unsigned state)
{
	switch (state) {
	case VQ_PSLOT_AVAIL:
		return "available";
	case VQ_PSLOT_USED:
		return "used";
	}
	return "stale";
}

const char *vq_pending_source_name(unsigned src)
{
	return src == VQ_PENDING_DRIVER ? "driver" : "ring";
}

static unsigned bit_avail(uint16_t flags)
{
	return !!(flags & F_AVAIL);
}

static unsigned bit_used(uint16_t flags)
{
	return !!(flags & F_USED);
}

/* The round (wrap counter value) slot @s was last written in, if the
 * driver stands at v->avail: slots before it in this round, the others
 * in the round before (2.8.1). */
static unsigned round_of(const struct vq_packed_view *v, uint32_t s)
{
	return s < v->avail.idx ? v->avail.wrap : !v->avail.wrap;
}

/* Slot @s, counted from the oldest of the last n positions the driver
 * wrote (the slot at the avail position). */
static uint32_t window_slot(const struct vq_packed_view *v, uint32_t i)
{
	return (uint32_t)((v->avail.idx + i) % v->layout.size);
}

/* Read every slot; a slot not in memory ends the read with a finding.
 * Returns the fetch error when not even slot 0 can be read. */
static int read_slots(const struct vq_fetch *f, struct vq_packed_view *v)
{
	const uint32_t n = v->layout.size;
	uint8_t b[16];
	uint32_t s;
	int ret;

	for (s = 0; s < n; s++) {
		struct vq_packed_slot *p = &v->slots[s];

		ret = vq_fetch(f, v->layout.desc + 16ull * s, b, 16, "packed descriptor");
		if (ret < 0) {
			if (!s)
				return ret;
			vq_ring_finding(&v->rv, "RING_UNREADABLE", VQ_SEV_WARNING,
					"descriptor ring slot %u at 0x%llx not in memory: slots from there on not decoded",
					s, (unsigned long long)(v->layout.desc + 16ull * s));
			break;
		}
		memset(p, 0, sizeof(*p));
		p->addr = le64(b);
		p->len = le32(b + 8);
		p->id = le16(b + 12);
		p->flags = le16(b + 14);
	}
	v->nslots = s;
	return 0;
}

/*
 * The driver's position from the AVAIL bits alone: every write, the
 * driver's and the device's, sets AVAIL to the writer's wrap counter
 * (2.8.1, 2.8.13), so the slots before the driver's position carry this
 * round's value and the rest the last round's: one step.  All equal: the
 * driver is at slot 0 of the next round.
 */
static void infer_avail(struct vq_packed_view *v)
{
	const uint32_t n = v->nslots;
	uint32_t s, first = 0, steps = 0, second = 0;

	for (s = 1; s < n; s++) {
		if (bit_avail(v->slots[s].flags) == bit_avail(v->slots[s - 1].flags))
			continue;
		if (!steps++)
			first = s;
		else if (steps == 2)
			second = s;
	}
	v->avail.known = 0;
	if (!steps) {
		v->avail.idx = 0;
		v->avail.wrap = (uint8_t)!bit_avail(v->slots[0].flags);
		return;
	}
	v->avail.idx = (uint16_t)first;
	v->avail.wrap = (uint8_t)bit_avail(v->slots[0].flags);
	if (steps > 1)
		vq_ring_finding(&v->rv, "PACKED_AVAIL_BITS_INCONSISTENT", VQ_SEV_WARNING,
				"AVAIL bits change %u times around the ring (slots %u and %u): no one driver position explains them (2.8.1); taken as slot %u, wrap %u (a driver adding a chain shows this for an instant)",
				steps, first, second, first, v->avail.wrap);
}

/* Each slot's state against its round; findings for the slots whose bits
 * no round explains. */
static void classify(struct vq_packed_view *v)
{
	uint32_t s, stale = 0, first = 0;

	for (s = 0; s < v->nslots; s++) {
		struct vq_packed_slot *p = &v->slots[s];
		unsigned a = bit_avail(p->flags), u = bit_used(p->flags);

		if (a != round_of(v, s)) {
			p->state = VQ_PSLOT_STALE;
			if (!stale++)
				first = s;
			if (a == u)
				vq_ring_finding(&v->rv, "PACKED_USED_NOT_AVAILABLE", VQ_SEV_ERROR,
						"slot %u is marked used in wrap %u, a round the driver has not made it available in (driver at slot %u wrap %u; 2.8.1)",
						s, a, v->avail.idx, v->avail.wrap);
		} else {
			p->state = a == u ? VQ_PSLOT_USED : VQ_PSLOT_AVAIL;
		}
	}
	if (stale && v->avail.known)
		vq_ring_finding(&v->rv, "PACKED_BITS_VS_POSITION", VQ_SEV_WARNING,
				"%u slots (first %u) carry AVAIL bits the given driver position (slot %u wrap %u) does not explain",
				stale, first, v->avail.idx, v->avail.wrap);
}

/* Window index (0 = oldest) of the device's used position: given, or
 * just after the newest slot written back used. */
static uint32_t used_window_pos(struct vq_packed_view *v)
{
	const uint32_t n = v->layout.size;
	uint32_t i, last = 0;

	if (v->used.known) {
		if (v->used.idx == v->avail.idx)
			return v->used.wrap == v->avail.wrap ? n : 0;
		i = (uint32_t)((v->used.idx + n - v->avail.idx) % n);
		if (v->used.wrap != round_of(v, v->used.idx) || v->used.idx >= n)
			vq_ring_finding(&v->rv, "PACKED_POSITIONS_INCONSISTENT", VQ_SEV_WARNING,
					"used position slot %u wrap %u cannot follow the avail position slot %u wrap %u",
					v->used.idx, v->used.wrap, v->avail.idx, v->avail.wrap);
		return i < n ? i : n;
	}
	for (i = 0; i < v->nslots; i++)
		if (v->slots[window_slot(v, i)].state == VQ_PSLOT_USED)
			last = i + 1;
	return last;
}

/* The device's position from @pos (window index); pending slots marked. */
static void set_used(struct vq_packed_view *v, uint32_t pos)
{
	const uint32_t n = v->layout.size;
	uint32_t i, s;

	v->pending_slots = pos < n ? n - pos : 0;
	if (!v->used.known) {
		s = window_slot(v, pos % n);
		v->used.idx = (uint16_t)s;
		v->used.wrap = (uint8_t)(pos == n ? v->avail.wrap : round_of(v, s));
	}
	for (i = pos; i < n && i < v->nslots; i++) {
		s = window_slot(v, i);
		v->slots[s].pending = 1;
		if (v->used.known && v->slots[s].state == VQ_PSLOT_USED)
			vq_ring_finding(&v->rv, "PACKED_USED_AHEAD", VQ_SEV_WARNING,
					"slot %u is written back used but lies past the device's used position (slot %u wrap %u)",
					s, v->used.idx, v->used.wrap);
	}
	if (!v->used.known && pos > 0 && pos < n) {
		const struct vq_packed_slot *u = &v->slots[window_slot(v, pos - 1)];
		const struct vq_packed_slot *next = &v->slots[window_slot(v, pos)];

		/* An INDIRECT descriptor is a chain of its own (2.8.7): no
		 * doubt then, as on Linux's rings with indirect tables, whose
		 * free IDs are reused newest first. */
		if (next->id == u->id && !(next->flags & VRING_DESC_F_INDIRECT))
			vq_ring_finding(&v->rv, "PACKED_USED_POS_INFERRED", VQ_SEV_INFO,
					"slot %u has the Buffer ID %u of the used entry just before it: it may be the rest of that chain (2.8.6: the device skips a used chain's other slots), not a pending request",
					window_slot(v, pos), u->id);
	}
}

/* How findings name chain @c: by its first slot, or, taken from the
 * driver's records (its slots overwritten, slot 0xffff), by its Buffer ID. */
static const char *chain_name(const struct vq_chain *c, char *b, size_t n)
{
	if (c->from_driver)
		snprintf(b, n, "chain of Buffer ID %u (driver's records)", c->id);
	else
		snprintf(b, n, "chain at slot %u", c->slot);
	return b;
}

/* Append descriptor @s / @p to chain @c in the pool (the caller checked
 * room); count its bytes. */
static void keep(struct vq_packed_view *v, struct vq_chain *c, uint32_t index, uint64_t addr,
		 uint32_t len, uint16_t id, uint16_t flags, int in_ind)
{
	struct vq_chain_desc *d = &v->rv.pool[v->rv.pool_used++];
	char nm[64];

	memset(d, 0, sizeof(*d));
	d->index = index;
	d->addr = addr;
	d->len = len;
	d->id = id;
	d->flags = flags;
	d->in_indirect = (uint8_t)in_ind;
	c->ndesc++;
	if (flags & VRING_DESC_F_WRITE)
		c->in_bytes += len;
	else
		c->out_bytes += len;
	if (addr + len < addr)
		vq_ring_finding(&v->rv, "DESC_ADDR_OVERFLOW", VQ_SEV_ERROR,
				"%s: descriptor 0x%llx + %u wraps past 2^64", chain_name(c, nm, sizeof(nm)),
				(unsigned long long)addr, len);
}

/* The indirect table @p names, for chain @c (2.8.7): entries read and
 * kept, as many as the pool and the queue size allow. */
static void walk_indirect(const struct vq_fetch *f, struct vq_packed_view *v,
			  struct vq_chain *c, const struct vq_packed_slot *p)
{
	uint32_t i, entries = p->len / 16;
	uint8_t b[16];
	int said = 0;
	char nm[64];
	const char *cn = chain_name(c, nm, sizeof(nm));

	c->ind_index = c->slot;
	c->ind_addr = p->addr;
	c->ind_len = p->len;
	if (!p->len || p->len % 16 || p->addr + p->len < p->addr) {
		vq_ring_finding(&v->rv, "INDIRECT_BAD_LEN", VQ_SEV_ERROR,
				"%s: indirect table 0x%llx length %u is not a non-zero multiple of 16 in the address space (2.8.7)",
				cn, (unsigned long long)p->addr, p->len);
		c->broken = 1;
		return;
	}
	if (entries > v->layout.size) {
		vq_ring_finding(&v->rv, "INDIRECT_TOO_LONG", VQ_SEV_WARNING,
				"%s: indirect table of %u entries, more than the queue size %u: the first %u decoded",
				cn, entries, v->layout.size, v->layout.size);
		entries = v->layout.size;
	}
	for (i = 0; i < entries; i++) {
		uint16_t fl;

		if (v->rv.pool_used >= v->rv.pool_len) {
			vq_ring_finding(&v->rv, "DECODE_LIMIT", VQ_SEV_WARNING,
					"%s: descriptor budget (%u) used up; rest not decoded",
					cn, v->rv.pool_len);
			c->broken = 1;
			return;
		}
		if (vq_fetch(f, p->addr + 16ull * i, b, 16, "indirect descriptor") < 0) {
			vq_ring_finding(&v->rv, "DESC_UNREADABLE", VQ_SEV_WARNING,
					"%s: indirect descriptor %u not in memory", cn, i);
			c->broken = 1;
			return;
		}
		fl = le16(b + 14);
		/* One finding per table: a table of garbage says it once. */
		if (fl & ~VRING_DESC_F_WRITE && !said++)
			vq_ring_finding(&v->rv, fl & VRING_DESC_F_INDIRECT ? "INDIRECT_NESTED" : "INDIRECT_BAD_FLAGS",
					VQ_SEV_ERROR,
					"%s: indirect descriptor %u has flags 0x%x: only WRITE is allowed in an indirect table (2.8.7)",
					cn, i, fl);
		keep(v, c, i, le64(b), le32(b + 8), le16(b + 12), fl, 1);
	}
}

/*
 * Chain @c from window index *@i: slots linked by NEXT, each one made
 * available (a chain crossing the ring's end carries the flipped wrap
 * counter after it, 2.8.6), ending within the driver's position; an
 * INDIRECT descriptor alone (2.8.7).  *@i is left after the chain.
 */
static void walk_chain(const struct vq_fetch *f, struct vq_packed_view *v, struct vq_chain *c,
		       uint32_t *i)
{
	const uint32_t n = v->layout.size;

	for (;;) {
		uint32_t s = window_slot(v, *i);
		const struct vq_packed_slot *p = &v->slots[s];

		if (p->state != VQ_PSLOT_AVAIL) {
			vq_ring_finding(&v->rv, s == 0 && c->ndesc ? "CHAIN_WRAP_BITS" : "CHAIN_NOT_AVAILABLE",
					VQ_SEV_ERROR,
					"chain at slot %u: slot %u in it is %s, not made available in wrap %u%s",
					c->slot, s, vq_pslot_state_name(p->state), round_of(v, s),
					s == 0 && c->ndesc ? " (crossing the ring's end flips the wrap counter, 2.8.1)" : "");
			c->broken = 1;
			(*i)++;
			return;
		}
		c->id = p->id;
		(*i)++;
		if (p->flags & VRING_DESC_F_INDIRECT) {
			if (c->ndesc || p->flags & VRING_DESC_F_NEXT)
				vq_ring_finding(&v->rv, "INDIRECT_IN_LIST", VQ_SEV_ERROR,
						"chain at slot %u: slot %u is INDIRECT inside a NEXT list (2.8.7)",
						c->slot, s);
			walk_indirect(f, v, c, p);
		} else if (v->rv.pool_used < v->rv.pool_len) {
			keep(v, c, s, p->addr, p->len, p->id, p->flags, 0);
		} else {
			vq_ring_finding(&v->rv, "DECODE_LIMIT", VQ_SEV_WARNING,
					"chain at slot %u: descriptor budget (%u) used up", c->slot,
					v->rv.pool_len);
			c->broken = 1;
		}
		if (c->broken || !(p->flags & VRING_DESC_F_NEXT))
			return;
		if (*i >= n) {
			vq_ring_finding(&v->rv, "CHAIN_UNTERMINATED", VQ_SEV_WARNING,
					"chain at slot %u: slot %u has NEXT but is the last the driver made available (a driver still adding it shows this, as does a chain whose slots after the ring's end keep the old wrap counter)",
					c->slot, s);
			c->broken = 1;
			return;
		}
	}
}

/* The chain at window index *@i into the next chain entry (the caller
 * checked room), its payload decoded; *@i is left after it. */
static struct vq_chain *one_chain(const struct vq_fetch *f, struct vq_packed_view *v, uint32_t *i)
{
	struct vq_chain *c = &v->rv.chains[v->rv.nchains++];

	memset(c, 0, sizeof(*c));
	c->slot = c->head = (uint16_t)window_slot(v, *i);
	c->descs = v->rv.pool + v->rv.pool_used;
	walk_chain(f, v, c, i);
	if (!c->broken)
		vq_payload_decode(f, v->rv.device_id, c, 0, 0, &c->req);
	return c;
}

/* The chains between the used and the avail position, oldest first. */
static void decode_pending(const struct vq_fetch *f, struct vq_packed_view *v, uint32_t pos)
{
	static const unsigned words = 65536 / 32;
	uint32_t seen[65536 / 32];
	uint32_t i = pos;

	memset(seen, 0, sizeof(uint32_t) * words);
	while (i < v->layout.size && i < v->nslots && v->rv.nchains < v->rv.max_chains) {
		const struct vq_chain *c = one_chain(f, v, &i);

		if (c->broken)
			continue;
		if (seen[c->id / 32] & (1u << (c->id % 32)))
			vq_ring_finding(&v->rv, "PACKED_ID_PENDING_TWICE", VQ_SEV_WARNING,
					"Buffer ID %u is pending twice (again at slot %u): the driver reused an ID before the device used it, unless the device completed the earlier one out of order",
					c->id, c->slot);
		seen[c->id / 32] |= 1u << (c->id % 32);
	}
}

/*
 * The used entries the driver has not taken yet: from its own next used
 * slot (its record) to the device's used position.  The driver makes a
 * Buffer ID available again only after it has taken that ID's used
 * entry, so one ID twice there is the device using a buffer twice.
 * Slots the device skipped (a chain's tail) are not used entries.
 */
static void check_unseen_used(struct vq_packed_view *v)
{
	static const unsigned words = 65536 / 32;
	uint32_t seen[65536 / 32];
	uint32_t n = v->layout.size, d, k;

	if (!v->drv_used.known || v->drv_used.idx >= n || v->drv_used.wrap > 1)
		return;
	d = vq_packed_distance(&v->drv_used, &v->used, n);
	if (d > n)
		return;
	memset(seen, 0, sizeof(uint32_t) * words);
	for (k = 0; k < d; k++) {
		uint32_t s = (v->drv_used.idx + k) % n;
		const struct vq_packed_slot *x = &v->slots[s];

		if (x->state != VQ_PSLOT_USED)
			continue;
		if (seen[x->id / 32] & (1u << (x->id % 32))) {
			vq_ring_finding(&v->rv, "PACKED_ID_USED_TWICE", VQ_SEV_ERROR,
					"Buffer ID %u is used twice (again at slot %u) among the used entries the driver has not taken yet (from its next used slot %u): the device used one buffer twice",
					x->id, s, v->drv_used.idx);
			continue;
		}
		seen[x->id / 32] |= 1u << (x->id % 32);
	}
}

/* ---- The driver's records (Linux's desc_state / desc_extra) ----------- */

#define ID_WORDS (65536 / 32)
#define ID_SET(b, id) ((b)[(id) / 32] |= 1u << ((id) % 32))
#define ID_HAS(b, id) (((b)[(id) / 32] >> ((id) % 32)) & 1u)

/*
 * The IDs the device has used and the driver not yet taken into @done:
 * walked as the driver takes them, from its next used slot, each used
 * descriptor followed by the slots of its chain (the driver's num, 2.8.6)
 * up to the device's used position.  A slot there that is not a used
 * descriptor with an ID of the ring ends the walk.
 */
static void driver_done(const struct vq_packed_view *v, const struct vq_packed_drvrec *d,
			uint32_t *done)
{
	const uint32_t n = v->layout.size;
	uint32_t dist = vq_packed_distance(&v->drv_used, &v->used, n), k = 0;

	if (dist > n)
		return;
	while (k < dist) {
		const struct vq_packed_slot *x = &v->slots[(v->drv_used.idx + k) % n];

		if (x->state != VQ_PSLOT_USED || x->id >= n)
			return;
		ID_SET(done, x->id);
		k += d->ids[x->id].num ? d->ids[x->id].num : 1;
	}
}

/* A pending request from the records alone: its descriptors as the
 * driver kept them (an indirect table read from memory), else unknown. */
static void chain_from_driver(const struct vq_fetch *f, struct vq_packed_view *v,
			      const struct vq_packed_drvrec *d, uint16_t id)
{
	const struct vq_packed_drv_id *r = &d->ids[id];
	struct vq_chain *c = &v->rv.chains[v->rv.nchains++];
	uint32_t k;

	memset(c, 0, sizeof(*c));
	c->slot = c->head = 0xffff;
	c->id = id;
	c->from_driver = 1;
	c->descs = v->rv.pool + v->rv.pool_used;
	if ((!r->ndesc || r->first > d->ndescs || r->ndesc > d->ndescs - r->first) && r->indir) {
		/* Its indirect table's address is known, not its length: the
		 * first entry, where a request's header lies, names it. */
		struct vq_packed_slot p = { .addr = r->indir, .len = 16, .id = id };

		walk_indirect(f, v, c, &p);
		c->ind_len = 0;
		c->ind_index = 0;
		if (!c->broken)
			vq_payload_decode(f, v->rv.device_id, c, 0, 0, &c->req);
		c->broken = 1;
		vq_ring_finding(&v->rv, "PACKED_PENDING_PARTIAL", VQ_SEV_INFO,
				"Buffer ID %u is in flight but its ring slot was overwritten and the driver keeps no copy of its descriptors (Linux fills desc_extra only with the DMA API): its indirect table at 0x%llx is known from the driver's record, not its length, so only its first descriptor is shown",
				id, (unsigned long long)r->indir);
		return;
	}
	if (!r->ndesc || r->first > d->ndescs || r->ndesc > d->ndescs - r->first) {
		c->broken = 1;
		vq_ring_finding(&v->rv, "PACKED_PENDING_UNKNOWN", VQ_SEV_INFO,
				"Buffer ID %u is in flight but its ring slots were overwritten and the driver keeps no copy of its descriptors (Linux fills desc_extra only with the DMA API)",
				id);
		return;
	}
	for (k = 0; k < r->ndesc && !c->broken; k++) {
		const struct vq_packed_drv_desc *x = &d->descs[r->first + k];

		if (x->flags & VRING_DESC_F_INDIRECT) {
			struct vq_packed_slot p = { .addr = r->indir ? r->indir : x->addr,
						    .len = x->len, .id = id, .flags = x->flags };

			walk_indirect(f, v, c, &p);
		} else if (v->rv.pool_used < v->rv.pool_len) {
			keep(v, c, k, x->addr, x->len, id, x->flags, 0);
		} else {
			vq_ring_finding(&v->rv, "DECODE_LIMIT", VQ_SEV_WARNING,
					"chain of Buffer ID %u (driver's records): descriptor budget (%u) used up",
					id, v->rv.pool_len);
			c->broken = 1;
		}
	}
	if (!c->broken)
		vq_payload_decode(f, v->rv.device_id, c, 0, 0, &c->req);
}

/* Whether the ring's pending chains name exactly the IDs in @pend (@npend
 * of them); the ring's IDs into @ring. */
static int ring_agrees(const struct vq_packed_view *v, const uint32_t *pend, uint32_t npend,
		       uint32_t *ring)
{
	uint32_t i, same = 0;

	for (i = 0; i < v->rv.nchains; i++) {
		const struct vq_chain *c = &v->rv.chains[i];

		if (!c->ndesc || ID_HAS(ring, c->id))
			return 0;
		ID_SET(ring, c->id);
		if (!ID_HAS(pend, c->id))
			return 0;
		same++;
	}
	return same == npend;
}

/* The pending IDs by the driver's records into @pend: its in-flight
 * IDs less the used ones it has not taken.  How many. */
static uint32_t driver_pending(const struct vq_packed_view *v, uint32_t *pend)
{
	const struct vq_packed_drvrec *d = v->drv;
	uint32_t done[ID_WORDS], id, npend = 0;

	memset(done, 0, sizeof(done));
	memset(pend, 0, sizeof(uint32_t) * ID_WORDS);
	driver_done(v, d, done);
	for (id = 0; id < v->layout.size; id++)
		if (d->ids[id].inflight && !ID_HAS(done, id)) {
			ID_SET(pend, id);
			npend++;
		}
	return npend;
}

/*
 * The pending requests by the driver's records, where the ring's chains
 * (decoded from window index @pos, their findings from the @nf0th on)
 * disagree with them: the ring's chains of pending IDs are decoded again
 * (the others are no requests, nor are their findings), and the missing
 * IDs come from the records, in ID order (the ring no longer says which
 * is older).
 */
static void apply_driver(const struct vq_fetch *f, struct vq_packed_view *v, uint32_t pos,
			 unsigned nf0)
{
	const struct vq_packed_drvrec *d = v->drv;
	const uint32_t n = v->layout.size;
	uint32_t pend[ID_WORDS], ring[ID_WORDS], keep_slot[ID_WORDS];
	uint32_t id, npend, i, first_ring = 0, nring = v->rv.nchains;

	if (!d || d->n != n || !d->ids || !v->drv_used.known || v->drv_used.idx >= n ||
	    v->nslots < n)
		return;
	npend = driver_pending(v, pend);
	/* Each pending request holds at least one slot past the device's
	 * used position (the ones it used lie before it): more is no
	 * driver's state of this ring, and the ring's view stays. */
	if (npend > v->pending_slots) {
		vq_ring_finding(&v->rv, "PACKED_DRIVER_RECORDS_INCONSISTENT", VQ_SEV_WARNING,
				"the driver's records have %u requests in flight and not used, more than the %u slots from the device's used position to the driver's avail position: not used for the pending list",
				npend, v->pending_slots);
		return;
	}
	memset(ring, 0, sizeof(ring));
	if (ring_agrees(v, pend, npend, ring)) {
		v->drv_agrees = 1;
		return;
	}
	if (nring)
		first_ring = v->rv.chains[0].id;
	memset(ring, 0, sizeof(ring));
	memset(keep_slot, 0, sizeof(keep_slot));
	for (i = 0; i < v->rv.nchains; i++) {
		const struct vq_chain *c = &v->rv.chains[i];

		if (!c->ndesc || !ID_HAS(pend, c->id) || ID_HAS(ring, c->id))
			continue;
		ID_SET(ring, c->id);
		ID_SET(keep_slot, c->slot);
	}
	v->rv.nchains = v->rv.pool_used = 0;
	v->rv.nfindings = nf0;
	for (i = pos; i < n; i++)
		if (ID_HAS(keep_slot, window_slot(v, i))) {
			uint32_t w = i;

			one_chain(f, v, &w);
		}
	for (id = 0; id < n && v->rv.nchains < v->rv.max_chains; id++)
		if (ID_HAS(pend, id) && !ID_HAS(ring, id))
			chain_from_driver(f, v, d, (uint16_t)id);
	v->pending_source = VQ_PENDING_DRIVER;
	vq_ring_finding(&v->rv, "PACKED_OUT_OF_ORDER", VQ_SEV_INFO,
			"the device completed out of order (2.8.6: a used descriptor goes to the next used slot, over a request still in flight): the ring's slots name %u pending request(s) (first Buffer ID %d), the driver's records %u; pending requests taken from the driver's records",
			nring, nring ? (int)first_ring : -1, npend);
}

/*
 * Without the driver's per-ID records but with its next used slot: a
 * pending chain whose Buffer ID the device has used in a slot the driver
 * has not taken yet cannot be a new request under a reused ID (the
 * driver reuses an ID only after taking its used entry, 2.8.21); it is
 * more likely the completed request's own slot, left behind when the
 * device wrote its used descriptor over another request's (out of order).
 */
static void doubt_out_of_order(struct vq_packed_view *v)
{
	const uint32_t n = v->layout.size;
	uint32_t used[ID_WORDS], dist, k, i;

	if (v->drv || !v->drv_used.known || v->drv_used.idx >= n || v->nslots < n)
		return;
	dist = vq_packed_distance(&v->drv_used, &v->used, n);
	if (dist > n)
		return;
	memset(used, 0, sizeof(used));
	for (k = 0; k < dist; k++) {
		const struct vq_packed_slot *x = &v->slots[(v->drv_used.idx + k) % n];

		if (x->state == VQ_PSLOT_USED)
			ID_SET(used, x->id);
	}
	for (i = 0; i < v->rv.nchains; i++) {
		const struct vq_chain *c = &v->rv.chains[i];

		if (!c->ndesc || !ID_HAS(used, c->id))
			continue;
		vq_ring_finding(&v->rv, "PACKED_OUT_OF_ORDER_SUSPECTED", VQ_SEV_INFO,
				"pending chain at slot %u has Buffer ID %u, which the device has used in a slot the driver has not taken yet: the device may have completed out of order over a request still in flight, and the ring alone cannot say which requests are pending (the driver's records can)",
				c->slot, c->id);
		return;
	}
}

/* The @recent newest used entries, newest first. */
static void read_recent(struct vq_packed_view *v, uint32_t pos, unsigned recent)
{
	uint32_t i;

	for (i = pos; i > 0 && v->rv.nused < recent && v->rv.nused < v->rv.max_used; i--) {
		uint32_t s = window_slot(v, i - 1);
		const struct vq_packed_slot *p = &v->slots[s];
		struct vq_used_elem *u;

		/* A slot all zero was never written (2.8.1: zeroed memory reads
		 * as used in wrap 0), not a used buffer: the driver wrote an
		 * address there, which devices leave as it is (QEMU writes a
		 * used descriptor's id, len and flags only). */
		if (p->state != VQ_PSLOT_USED || (!p->addr && !p->len && !p->id && !p->flags))
			continue;
		u = &v->rv.used[v->rv.nused++];
		memset(u, 0, sizeof(*u));
		u->slot = (uint16_t)s;
		u->id = p->id;
		u->len = p->len;
	}
}

/* Read one event suppression structure and check its reserved bits. */
static int read_event(const struct vq_fetch *f, struct vq_packed_view *v, uint64_t at,
		      struct vq_packed_event *e, const char *what)
{
	uint8_t b[4];
	int ret = vq_fetch(f, at, b, 4, what);

	if (ret < 0)
		return ret;
	e->off_wrap = le16(b);
	e->flags = le16(b + 2);
	if ((e->flags & 3) == 3 || e->flags & ~3u)
		vq_ring_finding(&v->rv, "EVENT_FLAGS_RESERVED", VQ_SEV_WARNING,
				"%s flags 0x%x use reserved values (2.8.14)", what, e->flags);
	if ((e->flags & 3) == VRING_PACKED_EVENT_FLAG_DESC &&
	    (e->off_wrap & 0x7fff) >= v->layout.size)
		vq_ring_finding(&v->rv, "EVENT_OFF_OUT_OF_RANGE", VQ_SEV_ERROR,
				"%s names slot %u of a ring of %u", what, e->off_wrap & 0x7fff,
				v->layout.size);
	return 0;
}

/* Whether position (@idx, @wrap) is among the n positions before @cur. */
static int passed(uint32_t n, const struct vq_packed_pos *cur, uint32_t idx, unsigned wrap)
{
	uint32_t c = cur->idx + (cur->wrap ? 0 : n), e = idx + (wrap ? 0 : n);
	uint32_t d = (c + 2 * n - e) % (2 * n);

	return d >= 1 && d <= n;
}

/* What each structure asks for now (2.8.10): the device event area
 * against the driver's position, the driver's against the device's. */
static void judge_event(struct vq_packed_event *e, uint32_t n, const struct vq_packed_pos *cur,
			int work)
{
	e->reached = -1;
	switch (e->flags & 3) {
	case VRING_PACKED_EVENT_FLAG_ENABLE:
		/* @work < 0: memory cannot tell (what the driver has taken of
		 * the used buffers is in no ring). */
		e->due = work;
		break;
	case VRING_PACKED_EVENT_FLAG_DESC:
		e->reached = (e->off_wrap & 0x7fff) < n &&
			     passed(n, cur, e->off_wrap & 0x7fff, e->off_wrap >> VRING_PACKED_EVENT_F_WRAP_CTR);
		e->due = e->reached;
		break;
	default:
		e->due = 0;
	}
}

uint32_t vq_packed_distance(const struct vq_packed_pos *a, const struct vq_packed_pos *b,
			    uint32_t n)
{
	uint32_t pa = a->idx + (a->wrap ? 0 : n), pb = b->idx + (b->wrap ? 0 : n);

	return n ? (pb + 2 * n - pa) % (2 * n) : 0;
}

int vq_packed_drvrec_equal(uint16_t u1, const struct vq_packed_drvrec *a, uint16_t u2,
			   const struct vq_packed_drvrec *b)
{
	uint32_t i;

	if (u1 != u2 || a->n != b->n || a->ndescs != b->ndescs)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->ids[i].inflight != b->ids[i].inflight || a->ids[i].num != b->ids[i].num ||
		    a->ids[i].indir != b->ids[i].indir || a->ids[i].first != b->ids[i].first ||
		    a->ids[i].ndesc != b->ids[i].ndesc)
			return 0;
	for (i = 0; i < a->ndescs; i++)
		if (a->descs[i].addr != b->descs[i].addr || a->descs[i].len != b->descs[i].len ||
		    a->descs[i].flags != b->descs[i].flags)
			return 0;
	return 1;
}

int vq_packed_decode(const struct vq_fetch *f, struct vq_packed_view *v, unsigned recent)
{
	const uint32_t n = v->layout.size;
	uint32_t pos;
	unsigned nf0;
	int ret;

	v->rv.nchains = v->rv.nused = v->rv.pool_used = v->rv.nfindings = 0;
	v->rv.layout.desc = v->layout.desc;
	v->rv.layout.size = n;
	v->nslots = v->pending_slots = 0;
	v->pending_source = VQ_PENDING_RING;
	v->drv_agrees = 0;
	if (vq_packed_size_problem(n)) {
		vq_ring_finding(&v->rv, "BAD_QUEUE_SIZE", VQ_SEV_ERROR, "%s (%u)",
				vq_packed_size_problem(n), n);
		return -22; /* -EINVAL, as vq_ring_decode */
	}
	ret = read_event(f, v, v->layout.driver, &v->driver_event, "driver event area");
	if (!ret)
		ret = read_event(f, v, v->layout.device, &v->device_event, "device event area");
	if (!ret)
		ret = read_slots(f, v);
	if (ret < 0)
		return ret;
	/* Positions come from all the slots or none (RING_UNREADABLE). */
	if (v->nslots < n)
		return 0;
	if (!v->avail.known || v->avail.idx >= n || v->avail.wrap > 1)
		infer_avail(v);
	if (v->used.known && (v->used.idx >= n || v->used.wrap > 1))
		v->used.known = 0;
	classify(v);
	pos = used_window_pos(v);
	set_used(v, pos);
	nf0 = v->rv.nfindings;
	decode_pending(f, v, pos);
	apply_driver(f, v, pos, nf0);
	check_unseen_used(v);
	doubt_out_of_order(v);
	read_recent(v, pos, recent);
	/* The device asked for available buffer notifications (device
	 * area) about the driver's progress, the driver for used buffer
	 * notifications about the device's. */
	judge_event(&v->device_event, n, &v->avail, v->pending_slots > 0);
	judge_event(&v->driver_event, n, &v->used, -1);
	return 0;
}
