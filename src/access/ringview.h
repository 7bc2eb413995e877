/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A device's queues as rings to decode: which can be read, and ring views with their arrays allocated. */
#ifndef VQDUMP_ACCESS_RINGVIEW_H
#define VQDUMP_ACCESS_RINGVIEW_H

#include <stdint.h>

#include "../decode/packed.h"
#include "../decode/ring.h"
#include "../model/device.h"

/* Allocate the arrays of @v (zeroed first) for a ring of @size entries
 * with the @recent newest used entries kept.  Returns 0 or -ENOMEM
 * (then nothing is left allocated). */
int vq_ring_view_alloc(struct vq_ring_view *v, uint32_t size, unsigned recent);
/* Release what vq_ring_view_alloc took (safe on a zeroed view). */
void vq_ring_view_free(struct vq_ring_view *v);

/* The same for a packed ring of @size slots: @v's shared part (v->rv)
 * as above and one slot entry per slot.  0 or -ENOMEM (nothing left
 * allocated). */
int vq_packed_view_alloc(struct vq_packed_view *v, uint32_t size, unsigned recent);
/* Release what vq_packed_view_alloc took (safe on a zeroed view). */
void vq_packed_view_free(struct vq_packed_view *v);

/* Point @v at queue @q of @d: its ring addresses and size, and @d's
 * device type for payload decoding. */
void vq_ring_view_of_queue(struct vq_ring_view *v, const struct vq_dev *d,
			   const struct vq_queue_state *q);

/* What vq_ring_guess_layout() found, as bits. */
enum {
	VQ_LAYOUT_AMBIGUOUS = 1, /* 64 and 4096 fit alike (the used ring never written) */
	VQ_LAYOUT_GUESSED = 2,   /* neither fits the memory: 64 assumed */
};

/*
 * The contiguous layout of a ring of @size entries at @desc: with the
 * used ring aligned to @align when it is not 0, else to whichever of
 * Linux's 64 and the legacy 4096 fits the memory better (64 when neither
 * does).  @note (@notelen bytes) says which and why, as 'ring' shows it.
 * Returns VQ_LAYOUT_* bits (0: the layout was given or one fits best).
 */
int vq_ring_guess_layout(const struct vq_fetch *f, uint64_t desc, uint32_t size, uint32_t align,
			 struct vq_ring_layout *l, char *note, size_t notelen);

/* The alignment virtio 1.3 section 2.7 requires of each part of a split
 * ring: descriptor table 16, available ring 2, used ring 4. */
#define VQ_DESC_ALIGN 16u
#define VQ_AVAIL_ALIGN 2u
#define VQ_USED_ALIGN 4u

/* The first part of @l (a ring of l->size entries) whose address breaks
 * section 2.7's alignment, as "descriptor table", "available ring" or
 * "used ring", with its address in *@addr and its required alignment in
 * *@align; NULL when none. */
const char *vq_ring_misaligned(const struct vq_ring_layout *l, uint64_t *addr, uint32_t *align);

/* The first part of @l whose bytes run past 2^64 - 1 (as
 * vq_ring_misaligned names it); NULL when every part has an address. */
const char *vq_ring_wraps(const struct vq_ring_layout *l);

/* Whether every byte of @l's three parts is in @f's memory: 0, or the
 * first fetch error (the source's message names the part and address). */
int vq_ring_parts_present(const struct vq_fetch *f, const struct vq_ring_layout *l);

/*
 * vq_ring_decode() of a ring that may be moving (@live: a running
 * system): the indices are read again after the decode, and the decode
 * is repeated (at most 3 times in all) until they did not change
 * meanwhile.  *@moved says whether the view returned is of a ring that
 * moved while it was read: its pending chains may include requests
 * completed by then, whose descriptors the driver may have reused.
 */
int vq_ring_decode_settled(const struct vq_fetch *f, struct vq_ring_view *v, unsigned recent,
			   int live, int *moved);

/* Which size a queue's ring is read with. */
enum vq_ring_size_rule {
	VQ_SIZE_IN_USE, /* the Queue Size in use; unknown (0): no ring to read (diagnose, watch) */
	VQ_SIZE_OR_MAX, /* the Queue Size in use, else the device's maximum (ring --queue,
			 * snapshot) */
};

/* The size of @q's ring under @rule; 0 when not known. */
uint32_t vq_queue_ring_size(const struct vq_queue_state *q, enum vq_ring_size_rule rule);

/* Whether a queue's split ring can be read, and if not the first reason
 * found, in this order. */
enum vq_ring_access {
	VQ_RING_READABLE,  /* enabled, three addresses, split, a valid size */
	VQ_RING_DISABLED,  /* the queue is not enabled */
	VQ_RING_NO_ADDRS,  /* enabled, but a ring address is not known */
	VQ_RING_PACKED,    /* the driver accepted VIRTIO_F_RING_PACKED (vq_dev_packed) */
	VQ_RING_BAD_SIZE,  /* no valid split-ring size under the size rule */
};

/* Whether queue @q of @d has a split ring whose memory can be read, its
 * size taken by @rule (vq_queue_ring_size). */
enum vq_ring_access vq_queue_ring_access(const struct vq_dev *d, const struct vq_queue_state *q,
					 enum vq_ring_size_rule rule);

/* NULL when queue @q of @d has a split ring whose memory can be read
 * (vq_queue_ring_access with VQ_SIZE_IN_USE), else why not, in a few words. */
const char *vq_queue_unreadable(const struct vq_dev *d, const struct vq_queue_state *q);

/* VIRTIO_RING_F_EVENT_IDX for @d: 1 negotiated, 0 not, -1 not known. */
int vq_dev_event_idx(const struct vq_dev *d);

#endif
