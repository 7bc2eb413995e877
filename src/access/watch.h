/* SPDX-License-Identifier: GPL-2.0-or-later */
/* watch's work on a session: the queues to follow, and one sample of one queue judged. */
#ifndef VQDUMP_ACCESS_WATCH_H
#define VQDUMP_ACCESS_WATCH_H

#include <stddef.h>
#include <stdint.h>

#include "../decode/packed.h"
#include "../decode/ring.h"
#include "session.h"

/* No completion for this long with requests pending: flagged (at least
 * one interval). */
#define VQ_WATCH_STALL_MS 1000

/* One queue followed over time. */
struct vq_watch_queue {
	struct vq_dev *d;
	struct vq_queue_state *q;
	struct vq_ring_view v;  /* for the request count when a stall is suspected */
	int have_prev;          /* a previous sample exists */
	int readable;           /* the last read worked */
	uint16_t avail, used;   /* last sample */
	double progress_ms;     /* time of the last completion (or of an empty queue) */
	int packed;             /* a packed ring (virtio 1.3 2.8): positions, no indices */
	struct vq_packed_view p;              /* packed: decoded at every sample */
	struct vq_packed_pos pavail, pused;   /* packed: last sample's positions */
	struct vq_queue_state dv; /* QEMU: its view at the last sample (row->dv) */
	int dv_fresh;             /* @dv is the view collect's read just took: the
				   * first sample uses it instead of asking again */
};

/* One queue at one sample, as shown. */
struct vq_watch_row {
	struct vq_ring_hdr h; /* indices read now */
	double ar, ur;        /* avail and used index rates (per second) */
	int rates;            /* @ar and @ur are known (a previous sample) */
	double idle;          /* ms since the last completion, with requests in flight */
	int stalled;          /* requests in flight and no completion for VQ_WATCH_STALL_MS */
	const char *state;    /* ok, idle, busy, waiting, STALLED, bad-indices */
	int packed;           /* a packed ring: @h's indices are not set; @pavail and
			       * @pused are its positions, @ar and @ur slots per second,
			       * h.in_flight its pending chains */
	struct vq_packed_pos pavail, pused;
	const struct vq_queue_state *dv; /* the device side's view read just before @h
					  * (QEMU over QMP; dv->dv_valid 0: none for this
					  * queue, a vhost backend runs it), or NULL */
};

/*
 * Every queue with a readable ring of the devices [@first, @last) of
 * s->devs, each read again (a device that cannot be read is said through
 * s->say and left out), each with a ring view: *@out (*@nout entries,
 * vq_watch_free them).  Returns 0 or -ENOMEM.
 */
int vq_watch_collect(struct vq_session *s, size_t first, size_t last, struct vq_watch_queue **out,
		     size_t *nout);
void vq_watch_free(struct vq_watch_queue *w, size_t n);

/*
 * Read queue @q now (@t, @dt ms after the previous sample) and judge its
 * progress into @row.  Returns 0, or -1 when its ring could not be read
 * (said once through s->say, until it can be read again).
 */
int vq_watch_sample(struct vq_session *s, struct vq_watch_queue *q, double t, double dt,
		    struct vq_watch_row *row);

#endif
