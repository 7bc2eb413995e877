/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A device's queues as rings to decode: which can be read, and ring views with their arrays allocated. */
#ifndef VQDUMP_ACCESS_RINGVIEW_H
#define VQDUMP_ACCESS_RINGVIEW_H

#include <stdint.h>

#include "../decode/ring.h"
#include "../model/device.h"

/* Allocate the arrays of @v (zeroed first) for a ring of @size entries
 * with the @recent newest used entries kept.  Returns 0 or -ENOMEM
 * (then nothing is left allocated). */
int vq_ring_view_alloc(struct vq_ring_view *v, uint32_t size, unsigned recent);
/* Release what vq_ring_view_alloc took (safe on a zeroed view). */
void vq_ring_view_free(struct vq_ring_view *v);

/* Point @v at queue @q of @d: its ring addresses and size, and @d's
 * device type for payload decoding. */
void vq_ring_view_of_queue(struct vq_ring_view *v, const struct vq_dev *d,
			   const struct vq_queue_state *q);

/*
 * The contiguous layout of a ring of @size entries at @desc: with the
 * used ring aligned to @align when it is not 0, else to whichever of
 * Linux's 64 and the legacy 4096 fits the memory better (64 when neither
 * does).  @note (@notelen bytes) says which and why, as 'ring' shows it.
 * Returns 1 when 64 and 4096 fit alike (the used ring never written),
 * else 0.
 */
int vq_ring_guess_layout(const struct vq_fetch *f, uint64_t desc, uint32_t size, uint32_t align,
			 struct vq_ring_layout *l, char *note, size_t notelen);

/* NULL when queue @q of @d has a split ring whose memory can be read (enabled, all
 * three addresses known, a valid size), else why not, in a few words. */
const char *vq_queue_unreadable(const struct vq_dev *d, const struct vq_queue_state *q);

/* VIRTIO_RING_F_EVENT_IDX for @d: 1 negotiated, 0 not, -1 not known. */
int vq_dev_event_idx(const struct vq_dev *d);

#endif
