/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diagnose's work on a session: every device and queue read (live: twice), or every ring scan finds, and judged. */
#ifndef VQDUMP_ACCESS_DIAGNOSE_H
#define VQDUMP_ACCESS_DIAGNOSE_H

#include <stddef.h>

#include "../decode/diag.h"
#include "session.h"

/* Rings found by scan that diagnose decodes in a plain core. */
#define VQ_DIAG_MAX_HITS 4096

/* What a diagnosis found and how much it could look at. */
struct vq_diagnosis {
	struct vq_diag_report rep; /* findings (the caller provides rep.f and rep.max) */
	unsigned devices, queues;  /* checked */
	unsigned skipped;          /* queues with a ring that could not be read */
	int access_failed;         /* some device or ring unreadable (said through s->say) */
	uint64_t missing;          /* bytes of memory the dump's headers promise but its
				    * file lacks (said through s->say): inconclusive */
};

/*
 * The devices [@first, @last) of s->devs: each read again and checked,
 * each readable ring decoded and, live, decoded again @interval ms later
 * (a snapshot gives its saved second sample instead).  Returns 0 or
 * -ENOMEM; what could not be read is said through s->say and counted.
 */
int vq_diagnose_devices(struct vq_session *s, size_t first, size_t last, unsigned interval,
			struct vq_diagnosis *r);

/*
 * A memory image without device records: the rings scan finds (not the
 * low-confidence ones) checked on their own.  Returns 0, -EIO when the
 * memory cannot be opened (said through s->say), or -ENOMEM.
 */
int vq_diagnose_scan(struct vq_session *s, struct vq_diagnosis *r);

#endif
