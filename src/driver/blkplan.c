/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One blk run's plan carried out: the checks before anything is sent, the requests in order, the verdict, the reset. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <linux/virtio_config.h>

#include "blkplan.h"

#define VERDICT(r, ...) snprintf((r)->verdict, sizeof((r)->verdict), __VA_ARGS__)

static const struct vb_plan_io no_io; /* a caller that wants to hear nothing */

/* Pass a message on to the caller. */
static void __attribute__((format(printf, 2, 3))) say(const struct vb_plan_io *io,
						      const char *fmt, ...)
{
	char msg[640];
	va_list ap;

	if (!io->say)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	io->say(io->arg, msg);
}

/* Say what the engine left in r->err (a doorbell write that failed
 * mid-run), once; passes @ret on. */
static int said(struct vb_run *r, const struct vb_plan_io *io, int ret)
{
	if (r->err[0]) {
		say(io, "%s", r->err);
		r->err[0] = 0;
	}
	return ret;
}

/* 1 when range @g was asked for and lies outside the capacity (said):
 * nothing outside it is touched. */
static int outside(const struct vb_run *r, const struct vb_plan_io *io, const char *opt,
		   const struct vb_range *g)
{
	if (!g->set || vb_range_check(g->lba, g->n, r->capacity) == 0)
		return 0;
	say(io, "%s %llu+%llu is outside the device's %llu sectors; nothing was sent", opt,
	    (unsigned long long)g->lba, (unsigned long long)g->n, (unsigned long long)r->capacity);
	return 1;
}

/* Before anything is sent: the ranges, a read-only device, the bench's
 * depth, then the read's destination.  VB_PASS, or what stops the run. */
static enum vb_outcome preflight(struct vb_run *r, const struct vb_plan *p,
				 const struct vb_plan_io *io)
{
	unsigned need;

	if (outside(r, io, "--read", &p->read) || outside(r, io, "--write", &p->write) ||
	    outside(r, io, "--discard", &p->discard) || outside(r, io, "--write-zeroes", &p->wz)) {
		VERDICT(r, "a range is outside the device; nothing sent");
		return VB_REFUSED;
	}
	if ((p->write.set || p->discard.set || p->wz.set) && vb_run_has(r, VIRTIO_BLK_F_RO)) {
		say(io, "the device is read-only (VIRTIO_BLK_F_RO); --write, --discard and --write-zeroes are not sent");
		VERDICT(r, "device is read-only; nothing sent");
		return VB_REFUSED;
	}
	if (p->bench > 0 && vb_run_bench_fits(r, &need)) {
		say(io, "--depth %u needs %u descriptors, queue 0 has %u", r->depth, need, r->qsize);
		VERDICT(r, "--depth too large for the queue; nothing sent");
		return VB_REFUSED;
	}
	/* Only once a read is going to be sent (a file is truncated). */
	if (p->read.set && io->open_sink && io->open_sink(io->arg)) {
		VERDICT(r, "cannot open the output file; nothing sent");
		return VB_ERROR;
	}
	return VB_PASS;
}

/* The caller's sink, watched: whether it failed is the caller's problem. */
struct sink_watch {
	const struct vb_plan_io *io;  /* the caller's sink and its argument */
	int failed;                   /* the sink returned an error */
};

static int watched_sink(void *arg, uint64_t off, const uint8_t *data, size_t len)
{
	struct sink_watch *w = arg;
	int ret = w->io->sink(w->io->arg, off, data, len);

	if (ret)
		w->failed = 1;
	return ret;
}

/* Send what the plan asks for, in this order.  VB_PASS, or VB_ERROR when
 * the sink failed or the bench could not go on; what the device did is
 * judged afterwards. */
static enum vb_outcome send_plan(struct vb_run *r, const struct vb_plan *p,
				 const struct vb_plan_io *io)
{
	struct sink_watch w = { .io = io };
	enum vb_outcome out = VB_PASS;
	int ret;

	if (p->id)
		said(r, io, vb_run_get_id(r));
	if (p->write.set)
		said(r, io, vb_run_rw(r, 1, p->write.lba, p->write.n,
				      p->pattern >= 0 ? p->pattern : VB_DEFAULT_PATTERN, NULL, NULL));
	if (p->wz.set)
		said(r, io, vb_run_write_zeroes(r, p->wz.lba, p->wz.n));
	if (p->discard.set)
		said(r, io, vb_run_discard(r, p->discard.lba, p->discard.n));
	if (p->flush)
		said(r, io, vb_run_flush(r));
	if (p->read.set) {
		said(r, io, vb_run_rw(r, 0, p->read.lba, p->read.n, 0,
				      io->sink ? watched_sink : NULL, &w));
		if (w.failed)
			out = VB_ERROR;
	}
	if (p->negative)
		said(r, io, vb_run_negative(r));
	if (p->bench > 0) {
		ret = said(r, io, vb_run_bench(r));
		if (ret < 0 && ret != -EIO) /* a failed doorbell is the device's: judged */
			out = VB_ERROR;
	}
	return out;
}

/* The verdict on what was sent; @out from send_plan. */
static enum vb_outcome judge(struct vb_run *r, enum vb_outcome out)
{
	unsigned wrong = vb_run_wrong(r);

	if (r->stop)
		VERDICT(r, "interrupted; device reset");
	else if (wrong)
		VERDICT(r, "%u request%s did not complete as the spec says", wrong,
			wrong == 1 ? "" : "s");
	else
		VERDICT(r, "every request completed as the spec says");
	if ((wrong || r->stop) && out == VB_PASS)
		out = VB_FAIL;
	return out;
}

/* Reset the device and check the DMA pages; @out unless that fails. */
static enum vb_outcome reset(struct vb_run *r, enum vb_outcome out)
{
	if (vb_run_reset(r) && out == VB_PASS) {
		out = VB_FAIL;
		VERDICT(r, "device did not reset");
	}
	if (vb_run_dma_check(r) && out == VB_PASS) {
		out = VB_ERROR;
		VERDICT(r, "DMA pages moved during the run: results not trustworthy");
	}
	return out;
}

/* The malformed chain of p->inject, and what the device made of it. */
static enum vb_outcome inject(struct vb_run *r, const struct vb_plan *p,
			      const struct vb_plan_io *io)
{
	int ret = said(r, io, vb_run_inject(r, p->inject));

	if (ret == 0) {
		VERDICT(r, "device flagged the malformed chain with NEEDS_RESET; device left unreset");
		/* No reset: diagnose is to see the device as it is.  The
		 * device has stopped (NEEDS_RESET), so it no longer uses
		 * the ring memory given back at exit. */
		return VB_PASS;
	}
	if (ret < 0)
		VERDICT(r, "could not publish the injected chain");
	else
		VERDICT(r, "device did not set NEEDS_RESET for the malformed chain; device reset");
	/* A device still running must not keep memory we give back. */
	return reset(r, VB_FAIL);
}

/* --packed on a device that cannot have it: before bring-up (a legacy
 * transport: 32 feature bits, RING_PACKED is bit 34), or after the
 * features step found it not offered (@ret its result).  1 when refused
 * (said, r->verdict set). */
static int packed_refused(struct vb_run *r, const struct vb_plan_io *io, int ret)
{
	const char *kind = r->hw.kind_name ? r->hw.kind_name : "legacy";

	if (!r->packed)
		return 0;
	if (!r->hw.t.modern) {
		say(io, "--packed: %s is on a legacy transport (%s, 32 feature bits), which cannot offer VIRTIO_F_RING_PACKED (bit 34); nothing was sent",
		    r->d->name, kind);
		VERDICT(r, "no packed virtqueue on a legacy transport; nothing sent");
		return 1;
	}
	if (ret != -ENOTSUP || !(r->bu.offered & (1ull << VIRTIO_F_VERSION_1)) ||
	    (r->bu.offered & (1ull << VIRTIO_F_RING_PACKED)))
		return 0;
	say(io, "--packed: %s does not offer VIRTIO_F_RING_PACKED (bit 34; in QEMU, packed=on); nothing was sent",
	    r->d->name);
	VERDICT(r, "device does not offer packed virtqueues; nothing sent");
	return 1;
}

enum vb_outcome vb_run_plan(struct vb_run *r, const struct vb_plan *p, const struct vb_plan_io *io)
{
	enum vb_outcome out;
	int ret;

	if (!io)
		io = &no_io;
	r->packed = p->packed;
	if (p->packed && p->inject) {
		VERDICT(r, "--inject writes split-ring chains, not with --packed; nothing sent");
		return VB_REFUSED;
	}
	if (packed_refused(r, io, 0))
		return VB_REFUSED;
	ret = vb_run_bring_up(r, p->inject);
	if (packed_refused(r, io, ret))
		return reset(r, VB_REFUSED); /* the bring-up reset it already: a second one is harmless */
	if (ret) {
		VERDICT(r, "bring-up failed at step '%s'", vb_run_failed_step(r));
		/* No memory for the ring is the machine's problem, not the device's. */
		return ret == -ENOMEM ? VB_ERROR : VB_FAIL;
	}
	if (p->inject)
		return inject(r, p, io);
	out = preflight(r, p, io);
	if (out == VB_PASS)
		out = judge(r, send_plan(r, p, io));
	return reset(r, out);
}
