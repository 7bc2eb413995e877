/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stuck-queue findings: pure checks over device state, decoded rings and two index samples. */
#ifndef VQDUMP_DECODE_DIAG_H
#define VQDUMP_DECODE_DIAG_H

#include <stddef.h>
#include <stdint.h>

#include "../model/device.h"
#include "packed.h"
#include "ring.h"

/* Evidence fields one finding carries at most. */
#define VQ_DIAG_EV_MAX 10

/* One piece of evidence: a named number (register, index, address). */
struct vq_diag_ev {
	const char *key; /* stable name, e.g. "used_idx" */
	uint64_t value;
	uint8_t hex;     /* print as hex in text (addresses, flags) */
};

struct vq_diag_finding {
	const char *device;       /* device name (design.md) or NULL: a ring found by scan */
	int queue;                /* queue index, -1 for the device as a whole */
	uint64_t ring;            /* descriptor table address when no device is known, else 0 */
	uint32_t size;            /* the ring's Queue Size (for ring --at ... --size), 0: not a ring's */
	uint32_t guessed_type;    /* no device known: virtio device ID guessed from the ring's
				   * payloads (vq_diag_guess_type), 0: no guess */
	const char *code;         /* stable identifier (man page, FINDINGS) */
	enum vq_severity severity;
	char message[320];        /* one line, plain words */
	struct vq_diag_ev ev[VQ_DIAG_EV_MAX]; /* the fields that show it */
	unsigned nev;
};

/* Findings go into a caller-provided array (nothing is allocated). */
struct vq_diag_report {
	struct vq_diag_finding *f; /* storage */
	unsigned n;                /* used */
	unsigned max;              /* entries in @f */
	unsigned dropped;          /* findings that did not fit */
	const char *device;        /* copied into each new finding */
	uint64_t ring;             /* copied into each new finding */
	uint32_t size;             /* copied into each new finding of a queue (queue >= 0 or ring) */
	uint32_t guessed_type;     /* copied into each new finding */
	unsigned not_in_source;    /* findings that only say memory is missing from an image:
				    * the result is inconclusive, not a device problem */
};

/* One reading of a ring's indices (and, when @full, flags and event words). */
struct vq_diag_sample {
	uint8_t valid;        /* sample taken */
	uint8_t full;         /* flags and event words below are real */
	uint16_t avail_idx;
	uint16_t used_idx;
	uint16_t avail_flags; /* VRING_AVAIL_F_NO_INTERRUPT */
	uint16_t used_flags;  /* VRING_USED_F_NO_NOTIFY */
	uint16_t used_event;  /* driver's event index (after the avail ring) */
	uint16_t avail_event; /* device's event index (after the used ring) */
};

/* What the queue checks get. */
struct vq_diag_queue_in {
	int queue;                    /* queue index, -1 when unknown (scan) */
	uint32_t device_id;           /* virtio device ID, 0 when unknown (scan) */
	uint32_t size;                /* Queue Size */
	const struct vq_ring_view *v; /* the ring decoded at @s1 or @s2 (chains, findings); or NULL */
	const struct vq_ring_view *v_other; /* live: the other sample's decode; ring findings are
					     * kept only when both decodes have them (a ring read
					     * while it moves can look torn); NULL: keep all */
	struct vq_diag_sample s1;     /* first sample */
	struct vq_diag_sample s2;     /* second sample, @interval_ms later (s2.valid 0: none) */
	uint32_t interval_ms;         /* time between the samples */
	int event_idx;                /* VIRTIO_RING_F_EVENT_IDX: 1 negotiated, 0 not, -1 unknown */
	int held_dump;                /* single sample from a QEMU dump-guest-memory core: QEMU
				       * finished all I/O it could before dumping */
	int image;                    /* the memory is an image (dump, snapshot): what is not in
				       * it is the image's gap, not the device's fault */
	unsigned nsamples;            /* samples seen from @s1 to @s2 (0: as @s2.valid says) */
	uint32_t slow_ms;             /* live: used idx stood still with requests pending for
				       * this long, then a later sample (@s2) saw it move: slow,
				       * not stuck; 0: not so */
	const struct vq_packed_view *p;       /* a packed ring (virtio 1.3 2.8) decoded at the
					       * latest sample, judged by its own rules (@v, @s1,
					       * @s2 unused); NULL: a split ring */
	const struct vq_packed_view *p_first; /* live: the packed ring's first sample; NULL:
					       * one sample (an image) */
	const struct vq_queue_state *dv; /* the device side's own account (dv_valid), read
					  * just before @s1 (QEMU over QMP); NULL: none */
	int dv_expected;              /* the source gives device views (QEMU) but not this
				       * queue's: a vhost backend runs it */
	const struct vq_queue_state *drv; /* the driver's own state (drv_valid: Linux's
					   * vring_virtqueue in an image's kernel memory);
					   * NULL: none */
};

/* Live: a queue that shows no completion over the interval is watched
 * further, every VQ_DIAG_WATCH_STEP_MS, until this much time has passed
 * since the first sample, before it is called stuck (a FLUSH, a SCSI
 * command to a slow medium may take seconds). */
#define VQ_DIAG_WATCH_MS 5000
#define VQ_DIAG_WATCH_STEP_MS 250

/* Append a finding; evidence added with vq_diag_ev() afterwards.  Returns
 * the finding or NULL when the array is full (counted in r->dropped). */
struct vq_diag_finding *vq_diag_add(struct vq_diag_report *r, int queue, const char *code,
				    enum vq_severity sev, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void vq_diag_ev(struct vq_diag_finding *f, const char *key, uint64_t value, int hex);

/* wrap-aware vring_need_event (virtio 1.3, 2.7.10): does moving an index
 * from @old to @new_idx cross the event index @event? */
static inline int vq_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

/* Device-wide checks and each queue's register checks: status bits,
 * FEATURES_OK, state left by firmware, queue addresses, alignment, size. */
void vq_diag_device(const struct vq_dev *d, struct vq_diag_report *r);

/* Ring findings (from the ring decoder) and the progress findings over
 * one or two samples. */
void vq_diag_queue(const struct vq_diag_queue_in *in, struct vq_diag_report *r);

/* Both sides of a queue (vq_diag_queue calls it): with in->dv, did the
 * device take the driver's requests, did it complete them, what the ring
 * shows of the driver seeing the completions (DEVICE_VIEW, DEVICE_HOLDS);
 * with in->dv_expected, where the view stops (BACKEND_VIEW); with in->drv
 * in an image, the driver's side from its own records (DRIVER_VIEW,
 * QUEUE_BROKEN). */
void vq_diag_sides(const struct vq_diag_queue_in *in, struct vq_diag_report *r);

/* Number of pending chains in @v that carry device-readable bytes (a
 * request, as opposed to an empty receive buffer the device may keep for
 * as long as it likes). */
unsigned vq_diag_requests(const struct vq_ring_view *v);

/* 1 when a device of type @device_id may keep queue @queue's buffers as
 * long as it likes by design (the balloon's statsq): no stall there. */
int vq_diag_held_by_design(uint32_t device_id, int queue);

/* The virtio device ID a ring's pending chains look like (a blk request
 * header, a balloon statistics buffer), 0 when they say nothing. */
uint32_t vq_diag_guess_type(const struct vq_ring_view *v);

/* Shared by the split and the packed progress checks (diag_packed.c). */
/* 1 when chain @c looks like a balloon statistics buffer. */
int vq_diag_looks_like_stats(const struct vq_chain *c);
/* Samples behind a progress finding: the caller's count, else what is valid. */
unsigned vq_diag_samples_of(const struct vq_diag_queue_in *in);
/* "stuck" when more than two samples spanning VQ_DIAG_WATCH_MS saw no
 * completion, else "slow or stuck". */
const char *vq_diag_verdict(const struct vq_diag_queue_in *in);
/* The progress findings of a packed ring (in->p): positions and wrap
 * counters instead of idx words, the device event area instead of
 * avail_event. */
void vq_diag_packed_progress(const struct vq_diag_queue_in *in, struct vq_diag_report *r);

/* Number of findings of warning severity or worse. */
unsigned vq_diag_count_sev(const struct vq_diag_report *r, enum vq_severity min);

#endif
