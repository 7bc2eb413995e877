/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One run of the minimal virtio-blk driver: bring-up, test requests judged against the spec, the bench, --inject, reset. */
#ifndef VQDUMP_DRIVER_BLKRUN_H
#define VQDUMP_DRIVER_BLKRUN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "../model/device.h"
#include "hw.h"
#include "vblk.h"

#define VB_SECTOR 512u                  /* virtio-blk sector: the unit of every LBA and count */
#define VB_BENCH_MAX_BYTES (1u << 20)   /* bench depth * size: the DMA memory it may take */

/* --inject: one malformed chain QEMU's virtqueue_pop rejects. */
enum vb_inject {
	VB_INJ_NONE,           /* no injection: a normal run */
	VB_INJ_LOOP,           /* a chain whose next links loop (2.7.5.2) */
	VB_INJ_NEXT_RANGE,     /* a next link beyond the table (2.7.5.2) */
	VB_INJ_INDIRECT_SIZE,  /* an indirect table not a multiple of 16 bytes (2.7.5.3.1) */
};

/* "loop", "next-range", "indirect-size", indexed by enum vb_inject. */
extern const char *const vb_inject_names[];
/* The kind a name means; VB_INJ_NONE when it names none. */
enum vb_inject vb_inject_kind(const char *name);

/* One request as sent and judged. */
struct vb_req {
	uint32_t type;      /* VIRTIO_BLK_T_* or VB_T_UNKNOWN */
	uint64_t lba;       /* first sector */
	uint64_t count;     /* sectors (0 for GET_ID, FLUSH) */
	uint8_t expect;     /* status the spec requires */
	uint8_t status;     /* what the device left (0xff: nothing) */
	int done;           /* completed (else timed out / not sent) */
	int skipped;        /* not sent: the feature was not negotiated */
	int ok;             /* completed as the spec says */
	uint32_t len;       /* used length */
	uint64_t latency;   /* ns */
	char why[200];      /* what was wrong, or why skipped */
};

/* Bench slot: its header block and data, and when it went out. */
struct vb_bslot {
	uint8_t *hdr;   /* one request slot: header, status */
	uint8_t *buf;   /* r->bsize bytes */
	uint64_t t0;    /* submit time */
	uint64_t lba;   /* sector read */
	int busy;       /* in flight */
};

/* Everything one run holds: the device, its DMA memory, the requests and their results. */
struct vb_run {
	const struct vq_dev *d;       /* the device driven (its name for messages) */
	struct vb_hw hw;              /* its registers; hw.t is what the run drives */
	int hw_open;                  /* @hw went through vb_hw_open: vb_hw_close it */
	struct vb_dma dma;            /* ring, request slots and data buffers */
	int packed;                   /* queue 0 is to be packed (--packed): RING_PACKED negotiated */
	struct vb_vq vq;              /* queue 0 when split */
	struct vb_pvq pvq;            /* queue 0 when packed */
	const struct vb_ring_ops *ring; /* queue 0's operations (vb_split_ring or vb_packed_ring), set with vq_ready */
	void *rq;                     /* &vq or &pvq: what @ring drives */
	uint16_t qsize;               /* queue 0's size, whichever its layout */
	struct vb_steps steps;        /* bring-up, config, inject, reset, dma checks, in order */
	struct vb_bringup bu;         /* features offered and accepted, queue size */
	volatile sig_atomic_t stop;   /* set by vb_run_interrupt: send nothing more */
	int vq_ready;                 /* vq set up */
	int device_up;                /* DRIVER_OK reached: reset at the end */
	int broken;                   /* a protocol error or timeout: stop sending */
	uint64_t capacity;            /* sectors */
	uint32_t blk_size;            /* when BLK_SIZE was negotiated, else 0 */
	uint32_t max_discard;         /* sectors per DISCARD, 0: no limit given */
	uint32_t max_wz;              /* sectors per WRITE_ZEROES, 0: no limit given */
	char id[21];                  /* GET_ID answer */
	int have_id;                  /* @id holds the device's answer */
	struct vb_req *reqs;          /* judged requests, in order */
	size_t nreqs;                 /* entries used in @reqs */
	size_t capreqs;               /* entries allocated in @reqs */
	uint8_t *slot;                /* synchronous requests: header @0, status @16,
	                               * segment @32, id @64 */
	uint8_t *data;                /* one chunk: the largest single IN/OUT request */
	struct vb_bslot *bs;          /* @depth bench slots, allocated before bring-up */
	int bench_done;               /* the bench ran: the bench_ and lat_ fields hold */
	double bench_secs;            /* asked for */
	double bench_elapsed;         /* how long it ran (less when interrupted) */
	unsigned depth;               /* bench requests kept in flight */
	uint32_t bsize;               /* bench read size, bytes */
	uint64_t bench_n;             /* bench requests completed */
	uint64_t bench_errors;        /* of those, not as the spec says */
	uint64_t lat_min, lat_p50, lat_p99, lat_max; /* bench latencies, ns */
	double iops;                  /* bench_n / bench_elapsed */
	char clocksource[32];         /* what CLOCK_MONOTONIC runs on, "" if unknown */
	char bench_why[300];          /* first wrong bench completion */
	char err[512];                /* why the last call failed, for the caller to print */
	char verdict[200];            /* vb_run_plan (blkplan.h): what the run came to, in words */
};

/* Zero @r for a run with @bench_secs seconds of bench (0: none) at
 * @depth requests of @bsize bytes. */
void vb_run_init(struct vb_run *r, unsigned depth, uint32_t bsize, double bench_secs);

/*
 * Open @d for the run: its registers (vb_hw_open: no kernel driver may
 * own it), DMA memory for the ring, the requests and the bench, and the
 * request memory in it.  0, or -errno with r->err.  vb_run_close in
 * every case.
 */
int vb_run_open(struct vb_run *r, const struct vq_dev *d);

/*
 * The same for @d over a transport and DMA memory the caller set up (the
 * unit tests' fake device): copies @t (the run's transport errors are then
 * read from r->hw.err) and takes the request memory from r->dma, which the
 * caller filled.  0 or -ENOMEM with r->err.
 */
int vb_run_attach(struct vb_run *r, const struct vq_dev *d, const struct vb_transport *t);

/*
 * Bring the device up to DRIVER_OK with queue 0 (accepting INDIRECT_DESC
 * for VB_INJ_INDIRECT_SIZE; a packed queue when r->packed, which needs
 * RING_PACKED: -ENOTSUP when the device does not offer it), then read its
 * configuration.  0 or the bring-up's -errno (vb_run_failed_step says where).
 */
int vb_run_bring_up(struct vb_run *r, enum vb_inject inject);
/* Name of the last step that failed, "?" if none. */
const char *vb_run_failed_step(const struct vb_run *r);
/* 1 when feature @bit was negotiated. */
int vb_run_has(const struct vb_run *r, unsigned bit);

/*
 * Publish one malformed chain of @kind at head 0 and wait up to 5 s for
 * NEEDS_RESET, recording an "inject" step.  0 the device set NEEDS_RESET,
 * 1 it did not, -EIO the doorbell failed (r->err), -EINVAL no such kind.
 */
int vb_run_inject(struct vb_run *r, enum vb_inject kind);

/* Whether the bench's @depth chains fit queue 0: 0, or -ENOSPC with
 * @need the descriptors they take. */
int vb_run_bench_fits(const struct vb_run *r, unsigned *need);

/*
 * The request kinds.  Each records its requests in r->reqs, judged
 * against the spec, and sends nothing once the queue broke or the run was
 * interrupted.  They return 0, -ENOMEM (no room for the record), or -EIO
 * when the doorbell write failed (r->err says so; the queue is broken).
 */
int vb_run_get_id(struct vb_run *r);

/* What a read got back: @len bytes at byte @off of the range.  Return 0
 * to go on, or a negative errno to stop (vb_run_rw returns it). */
typedef int (*vb_run_sink_fn)(void *arg, uint64_t off, const uint8_t *data, size_t len);

/* OUT (@is_write, every byte @pattern) or IN over [lba, lba+n), in chunks
 * as large as the queue allows; each chunk read OK goes to @sink. */
int vb_run_rw(struct vb_run *r, int is_write, uint64_t lba, uint64_t n, int pattern,
	      vb_run_sink_fn sink, void *sink_arg);
/* WRITE_ZEROES / DISCARD over [lba, lba+n), split by the device's limit;
 * recorded as skipped when the feature was not negotiated. */
int vb_run_write_zeroes(struct vb_run *r, uint64_t lba, uint64_t n);
int vb_run_discard(struct vb_run *r, uint64_t lba, uint64_t n);
/* FLUSH; recorded as skipped when not negotiated. */
int vb_run_flush(struct vb_run *r);
/* A read at the capacity (IOERR) and an unknown type (UNSUPP), 5.2.6.1. */
int vb_run_negative(struct vb_run *r);

/*
 * Random reads of r->bsize bytes, r->depth in flight, for r->bench_secs
 * (or until interrupted or a completion breaks the rules); fills the
 * bench_ and lat_ fields.  Nothing (0) once the queue broke or the run was
 * interrupted.  0, -EIO when the doorbell failed (r->err), or another
 * -errno when the bench could not go on (no memory, a chain not built).
 */
int vb_run_bench(struct vb_run *r);

/* Requests not completed as the spec says, the bench counting as one
 * when any of its completions was wrong. */
unsigned vb_run_wrong(const struct vb_run *r);

/* Reset the device (a "reset" step): 0, or -ETIMEDOUT when its status
 * did not read 0 within 1 s. */
int vb_run_reset(struct vb_run *r);
/* Check the DMA pages did not move (a "dma_check" step): 0 or -errno. */
int vb_run_dma_check(struct vb_run *r);

/* Ask the run to stop sending (async-signal-safe: a signal handler's call). */
void vb_run_interrupt(struct vb_run *r);

/* Give back everything the run holds (the device is not touched). */
void vb_run_close(struct vb_run *r);

#endif
