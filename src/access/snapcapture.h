/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Taking a snapshot of a session's devices: registers, ring memory as the decoder reads it, a second index sample; then the file. */
#ifndef VQDUMP_ACCESS_SNAPCAPTURE_H
#define VQDUMP_ACCESS_SNAPCAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "session.h"
#include "snapshot.h"

/* Per queue of a captured device: whether its ring was saved, and when. */
struct vq_snap_qmark {
	uint8_t saved;  /* avail and used ring headers are in the snapshot (packed:
			 * the descriptor ring and both event areas) */
	uint8_t packed; /* the ring is packed: no indices to sample again */
	uint64_t t_ms; /* when they were read (CLOCK_MONOTONIC, ms) */
};

/* What a capture read: the devices as saved and their ring memory. */
struct vq_snap_capture {
	size_t ndev;                  /* devices saved */
	struct vq_dev *devs;          /* shallow copies of the session's devices (queues
				       * shared with them) */
	struct vq_snap_qmark **marks; /* per device, per queue; NULL for a device that
				       * could not be read */
	size_t nq;                    /* queues seen */
	size_t nsaved;                /* rings saved */
	size_t nwanted;               /* queues set up (enabled): rings that should be saved */
	size_t nblind;                /* devices whose state or queues could not be read at all */
	uint32_t interval_ms;         /* time between the two index samples (0: one) */
	struct vq_snap_mem mem;       /* ring memory read */
};

/*
 * Capture the devices [@first, @last) of s->devs.  Each is read again
 * (vq_session_refresh); one that cannot be read is said through s->say and
 * kept with the reason in its read_error, so that reading the snapshot
 * fails on it as the live commands do.  Of each queue whose split ring can
 * be read (vq_queue_ring_access, VQ_SIZE_OR_MAX) the three ring parts are
 * read whole, then every pending chain as the ring decoder walks it, then
 * the first VQ_SNAP_PEEK bytes and the last byte of each buffer those
 * chains name: each byte read once from s->fetch and kept in cap->mem, and
 * the indices recorded are those of the kept memory.  Then, @interval_ms
 * later (0: not), the indices of every saved ring are read again as the
 * second sample.  Returns 0, or -ENOMEM with @err set; release @cap with
 * vq_snap_capture_free either way.
 */
int vq_snap_capture(struct vq_session *s, size_t first, size_t last, uint32_t interval_ms,
		    struct vq_snap_capture *cap, char *err, size_t errlen);

/*
 * Write @cap to the file @out (vq_snap_write: replaced only with @force),
 * with the note's header: now, this host's name (characters the note
 * reader refuses made '?'), cap->interval_ms and @version, the version of
 * the vqdump writing it.
 * The second sample belongs to the file: it is taken back from the
 * session's devices (which share their queues with @cap's), so that a
 * later command of the same session does not take it for its own.
 * Returns 0, or -errno with @err set.
 */
int vq_snap_capture_write(struct vq_snap_capture *cap, const char *out, int force,
			  const char *version, char *err, size_t errlen);

/* Release what a capture holds (not the session's devices). */
void vq_snap_capture_free(struct vq_snap_capture *cap);

#endif
