/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What one blk run is asked to do (struct vb_plan), sent in a fixed order and judged: an outcome and a verdict in words. */
#ifndef VQDUMP_DRIVER_BLKPLAN_H
#define VQDUMP_DRIVER_BLKPLAN_H

#include <stddef.h>
#include <stdint.h>

#include "blkrun.h"

#define VB_DEFAULT_PATTERN 0xa5 /* the byte a write fills with when the plan names none */

/* Sectors one request kind was asked to cover. */
struct vb_range {
	int set;       /* asked for */
	uint64_t lba;  /* first sector */
	uint64_t n;    /* sectors, more than 0 */
};

/*
 * What a run is asked to do.  vb_run_plan sends it in this order: GET_ID,
 * OUT, WRITE_ZEROES, DISCARD, FLUSH, IN, the negative requests, the bench;
 * or, with @inject, only the malformed chain.
 */
struct vb_plan {
	int id;                   /* GET_ID */
	struct vb_range write;    /* OUT over the range, every byte @pattern */
	int pattern;              /* the byte @write fills with; -1: VB_DEFAULT_PATTERN */
	struct vb_range wz;       /* WRITE_ZEROES over the range */
	struct vb_range discard;  /* DISCARD over the range */
	int flush;                /* FLUSH */
	struct vb_range read;     /* IN over the range; the data goes to vb_plan_io.sink */
	int negative;             /* the two requests that must fail (vb_run_negative) */
	double bench;             /* seconds of random reads, 0: no bench */
	unsigned depth;           /* bench requests in flight (vb_run_init's too) */
	uint32_t size;            /* bench bytes per read (vb_run_init's too) */
	enum vb_inject inject;    /* a malformed chain instead of all the above; VB_INJ_NONE: none */
	int packed;               /* queue 0 as a packed virtqueue (RING_PACKED); not with @inject */
};

/* How a run hands things to its caller while it goes; any member may be NULL. */
struct vb_plan_io {
	/* A message for the user, when it happens: a range refused, a doorbell
	 * write that failed mid-run. */
	void (*say)(void *arg, const char *msg);
	/* A read is planned and every check passed; called before anything is
	 * sent, to get the data's destination ready.  0, or -errno (the
	 * callee says why): nothing is sent. */
	int (*open_sink)(void *arg);
	/* Where the read's data goes (vb_run_rw); an error ends the read and
	 * makes the outcome VB_ERROR. */
	vb_run_sink_fn sink;
	void *arg;  /* passed to each of the above */
};

/* What a run came to; r->verdict says it in words. */
enum vb_outcome {
	VB_PASS,     /* as the spec says (--inject: the device flagged the chain) */
	VB_FAIL,     /* the device did not: bring-up, a request judged wrong, no reset; or interrupted */
	VB_REFUSED,  /* the plan does not fit the device (a range, read-only, the depth, no packed
		      * rings): nothing sent */
	VB_ERROR,    /* this machine's problem: memory, the sink, DMA pages that moved */
};

/*
 * Carry out @p on the device r was opened (or attached) on with
 * vb_run_init(r, p->depth, p->size, p->bench): bring it up, check the plan
 * against it, send what the plan asks in order, judge the answers, and
 * reset it (except after an injected chain the device flagged, which is
 * left for 'vqdump diagnose').  Fills r->verdict.  Prints nothing: messages
 * go to @io (may be NULL).
 */
enum vb_outcome vb_run_plan(struct vb_run *r, const struct vb_plan *p, const struct vb_plan_io *io);

#endif
