/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Packed virtqueue decoder (virtio 1.3 section 2.8): slots, wrap counters, chains, used entries, event suppression. */
#ifndef VQDUMP_DECODE_PACKED_H
#define VQDUMP_DECODE_PACKED_H

#include <stdint.h>

#include "fetch.h"
#include "ring.h"

/* 2.8: a packed ring's Queue Size is any value from 1 to 32768 (no power
 * of two needed; 2^15, so that an offset fits off_wrap's 15 bits). */
#define VQ_PACKED_MAX_SIZE 32768u

/* 2.8.13 and 2.8.14: a descriptor is 16 bytes, an event suppression
 * structure 4 (le16 off_wrap, le16 flags). */
#define VQ_PACKED_DESC_BYTES(n) (16ull * (n))
#define VQ_PACKED_EVENT_BYTES 4u

/* 2.8.10.1: the descriptor ring is 16-byte aligned, each event
 * suppression structure 4-byte aligned. */
#define VQ_PACKED_DESC_ALIGN 16u
#define VQ_PACKED_EVENT_ALIGN 4u

struct vq_packed_layout {
	uint64_t desc;   /* Descriptor Ring (queue_desc) */
	uint64_t driver; /* Driver Event Suppression (queue_driver) */
	uint64_t device; /* Device Event Suppression (queue_device) */
	uint32_t size;   /* Queue Size: slots in the descriptor ring */
};

/* A position in the ring: the next slot one side will write, with its
 * wrap counter (2.8.1). */
struct vq_packed_pos {
	uint16_t idx;  /* slot, 0 to size - 1 */
	uint8_t wrap;  /* wrap counter, 0 or 1 */
	uint8_t known; /* in: 1 when the caller knows it; out: 1 given, 0 inferred from memory */
};

/* What a slot's AVAIL and USED bits say against the round the positions
 * put it in (2.8.1: written in round W, AVAIL = W). */
enum vq_pslot_state {
	VQ_PSLOT_AVAIL, /* AVAIL != USED, AVAIL = its round: made available */
	VQ_PSLOT_USED,  /* AVAIL == USED == its round: written back used */
	VQ_PSLOT_STALE, /* AVAIL is not its round's: the bits and the positions disagree */
};

/* One slot of the descriptor ring as memory holds it. */
struct vq_packed_slot {
	uint64_t addr;  /* Buffer Address */
	uint32_t len;   /* Buffer Length (used: bytes written, if WRITE) */
	uint16_t id;    /* Buffer ID */
	uint16_t flags; /* VRING_DESC_F_*, AVAIL (bit 7), USED (bit 15) */
	uint8_t state;  /* enum vq_pslot_state */
	uint8_t pending; /* 1 when between the used and the avail position */
};

/* The event suppression modes (2.8.14, linux/virtio_ring.h). */
enum vq_pevent_mode { VQ_PEVENT_ENABLE, VQ_PEVENT_DISABLE, VQ_PEVENT_DESC, VQ_PEVENT_RESERVED };

/* One event suppression structure and what it asks for now. */
struct vq_packed_event {
	uint16_t off_wrap; /* bits 0-14 offset, bit 15 wrap counter */
	uint16_t flags;    /* bits 0-1 mode, others reserved */
	int reached;       /* DESC mode: 1 when the other side has passed
			    * (offset, wrap); -1 in the other modes */
	int due;           /* a notification is due: 1 yes, 0 no, -1 memory
			    * cannot tell (driver area, mode enable) */
};

/* One descriptor of a chain as the driver keeps it (Linux: a
 * vring_desc_extra entry, written only when it uses the DMA API). */
struct vq_packed_drv_desc {
	uint64_t addr;  /* buffer's (DMA) address */
	uint32_t len;   /* its length */
	uint16_t flags; /* VRING_DESC_F_NEXT / WRITE / INDIRECT as written to the ring */
};

/* One Buffer ID as the driver's records hold it (Linux:
 * vring_virtqueue.packed.desc_state[id], and the desc_extra entries
 * from desc_extra[id] on, linked by .next). */
struct vq_packed_drv_id {
	uint8_t inflight;  /* desc_state[id].data != NULL: the driver has not
			    * taken this ID back */
	uint16_t num;      /* desc_state[id].num: ring slots the chain took
			    * (1 for an indirect table) */
	uint64_t indir;    /* physical address of its indirect table
			    * (desc_state[id].indir_desc translated), 0: none */
	uint32_t first;    /* its first entry in vq_packed_drvrec.descs */
	uint16_t ndesc;    /* entries there, 0: the driver kept no copy */
};

/* The driver's per-ID records of a packed ring, when a source has them. */
struct vq_packed_drvrec {
	uint32_t n;                          /* IDs (the ring's size); 0: none */
	const struct vq_packed_drv_id *ids;  /* @n entries, by Buffer ID */
	const struct vq_packed_drv_desc *descs; /* the chains' descriptors */
	uint32_t ndescs;                     /* entries in @descs */
};

/* Where a packed view's pending chains come from. */
enum vq_pending_source {
	VQ_PENDING_RING,   /* the slots between the used and the avail position */
	VQ_PENDING_DRIVER, /* the driver's records (the ring disagreed with them) */
};

/*
 * Everything decoded from one packed ring.  @rv carries what split and
 * packed rings share, with arrays the caller allocates as for
 * vq_ring_decode (vq_ring_view_sizes): pending chains (slot and head: the
 * chain's first slot; id: its Buffer ID), recent used entries (slot, id,
 * len; no payload, its descriptors are overwritten), the descriptor pool,
 * findings, device_id.  rv.layout gets desc and size.
 */
struct vq_packed_view {
	struct vq_packed_layout layout;
	struct vq_packed_pos avail;        /* driver: next slot to make available,
					    * Driver Ring Wrap Counter */
	struct vq_packed_pos used;         /* device: next slot to write used,
					    * Device Ring Wrap Counter */
	struct vq_packed_event driver_event; /* written by the driver: used
					      * buffer notifications */
	struct vq_packed_event device_event; /* written by the device: available
					      * buffer notifications */
	struct vq_packed_slot *slots;      /* layout.size entries, the caller's */
	uint32_t nslots;                   /* slots read */
	uint32_t pending_slots;            /* slots from the used position to the
					    * avail position */
	struct vq_packed_pos drv_used;     /* in: the driver's next used slot from
					    * its own record (known 1), else known 0:
					    * the used entries it has not taken yet
					    * are judged (PACKED_ID_USED_TWICE) */
	const struct vq_packed_drvrec *drv; /* in: the driver's per-ID records, or
					    * NULL; used with drv_used (see
					    * vq_packed_decode) */
	uint8_t pending_source;            /* out: enum vq_pending_source */
	uint8_t drv_agrees;                /* out, with drv: 1 when the ring's pending
					    * IDs are the driver's in-flight ones */
	struct vq_ring_view rv;            /* the shared part, above */
};

/* NULL when @n is a valid packed Queue Size, else why not. */
const char *vq_packed_size_problem(uint32_t n);

/* The first part of @l misaligned per 2.8.10.1 ("descriptor ring",
 * "driver event area", "device event area"), its address and alignment
 * in *@addr and *@align; NULL when none. */
const char *vq_packed_misaligned(const struct vq_packed_layout *l, uint64_t *addr,
				 uint32_t *align);

/* The first part of @l whose bytes run past 2^64 - 1; NULL when none. */
const char *vq_packed_wraps(const struct vq_packed_layout *l);

/*
 * Decode the packed ring at v->layout.  v->avail and v->used are inputs
 * where their .known is 1 (a device's or driver's own record) and are
 * otherwise inferred from the slots' AVAIL/USED bits (.known 0 on
 * return).  The work is linear in the ring size whatever memory holds.
 * With v->drv (the driver's records, n the ring's size) and v->drv_used
 * known, the pending requests are the IDs the driver has in flight less
 * those whose used entries lie between its next used slot and the
 * device's used position; where the ring's slots name other IDs (the
 * device completed out of order and wrote a used descriptor over a
 * request still in flight, 2.8.6, 2.8.21) the chains are taken from the
 * records instead (finding PACKED_OUT_OF_ORDER, pending_source DRIVER).
 * Returns 0; -22 for a bad size (finding BAD_QUEUE_SIZE); or the fetch
 * error when the event areas or the first slot cannot be read.
 */
int vq_packed_decode(const struct vq_fetch *f, struct vq_packed_view *v, unsigned recent);

/* Slots from position @a forward to position @b in a ring of @n slots,
 * over two rounds (the wrap counter flips each round, 2.8.1): 0 to
 * 2n - 1. */
uint32_t vq_packed_distance(const struct vq_packed_pos *a, const struct vq_packed_pos *b,
			    uint32_t n);

/* Name of an event suppression mode: "enable", "disable", "desc", "reserved". */
const char *vq_pevent_mode_name(uint16_t flags);

/* 1 when two reads of the driver's records (its next used position
 * @u1/@u2, slot | wrap << 15, and the per-ID records) are the same: the
 * driver took nothing back and added nothing in between. */
int vq_packed_drvrec_equal(uint16_t u1, const struct vq_packed_drvrec *a, uint16_t u2,
			   const struct vq_packed_drvrec *b);

/* Name of a pending source: "ring", "driver". */
const char *vq_pending_source_name(unsigned src);

/* Name of a slot state: "available", "used", "stale". */
const char *vq_pslot_state_name(unsigned state);

#endif
