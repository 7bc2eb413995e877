/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What `diagnose` and `watch` share: which queues can be read, and one ring decoded into heap arrays. */
#ifndef VQDUMP_CLI_DIAGCLI_H
#define VQDUMP_CLI_DIAGCLI_H

#include "../decode/ring.h"
#include "cli.h"

/* Arrays of @v sized for a ring of @size entries; 0 or -1 (out of memory). */
int vq_view_alloc(struct vq_ring_view *v, uint32_t size);
void vq_view_free(struct vq_ring_view *v);

/* NULL when queue @q of @d has a split ring whose memory can be read (enabled, all
 * three addresses known, a valid size), else why not, in a few words. */
const char *vq_queue_unreadable(const struct vq_dev *d, const struct vq_queue_state *q);

/* VIRTIO_RING_F_EVENT_IDX for @d: 1 negotiated, 0 not, -1 not known. */
int vq_dev_event_idx(const struct vq_dev *d);

#endif
