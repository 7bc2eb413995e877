/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Taking a snapshot of a session's devices: registers, ring memory as the decoder reads it, a second index sample; then the file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../decode/errbuf.h"
#include "../decode/packed.h"
#include "../decode/ring.h"
#include "../model/jsonin.h"
#include "../model/view.h"
#include "clock.h"
#include "ringview.h"
#include "snapcapture.h"

/* Reads that go to the live memory once and are kept: the decoder sees
 * exactly the bytes the snapshot will hold. */
struct rec {
	struct vq_session *s;    /* live memory (s->fetch) */
	struct vq_snap_mem *mem; /* what was read so far */
	int oom;                 /* an add failed: out of memory */
};

static int rec_fetch(void *c, uint64_t addr, void *buf, size_t len, const char *what)
{
	struct rec *r = c;
	int ret;

	if (vq_snap_mem_overlay(r->mem, addr, buf, len))
		return 0;
	ret = vq_fetch(&r->s->fetch, addr, buf, len, what);
	if (ret < 0)
		return ret;
	/* Bytes saved earlier win, so the decoder sees what is kept. */
	vq_snap_mem_overlay(r->mem, addr, buf, len);
	if (vq_snap_mem_add(r->mem, addr, buf, len) < 0)
		r->oom = 1;
	return 0;
}

/* Read one range whole through @f into the snapshot; 0 or the error. */
static int save_range(const struct vq_fetch *f, uint64_t addr, uint64_t len, const char *what)
{
	uint8_t *b;
	int ret;

	if (!len || len > (1u << 20))
		return -EINVAL;
	b = malloc((size_t)len);
	if (!b)
		return -ENOMEM;
	ret = vq_fetch(f, addr, b, (size_t)len, what);
	free(b);
	return ret;
}

/* The first VQ_SNAP_PEEK bytes and the last byte of every buffer the
 * decoded chains of @v name. */
static void save_buffers(const struct vq_fetch *f, const struct vq_ring_view *v)
{
	unsigned i, j;

	for (i = 0; i < v->nchains; i++)
		for (j = 0; j < v->chains[i].ndesc; j++) {
			const struct vq_chain_desc *cd = &v->chains[i].descs[j];
			uint8_t peek[VQ_SNAP_PEEK];
			uint32_t n = cd->len < VQ_SNAP_PEEK ? cd->len : VQ_SNAP_PEEK;

			if (!n)
				continue;
			/* Unreadable buffers are left out: a read of them
			 * fails on the snapshot as it did live. */
			vq_fetch(f, cd->addr, peek, n, "buffer");
			vq_fetch(f, cd->addr + cd->len - 1, peek, 1, "buffer end");
		}
}

/* The pending chains of the ring @v describes, as the decoder walks them
 * (descriptors, indirect tables, payload headers), then their buffers
 * (save_buffers). */
static void save_chains(const struct vq_fetch *f, struct vq_ring_view *v)
{
	if (vq_ring_decode(f, v, 0) == 0)
		save_buffers(f, v);
}

/*
 * A packed queue (virtio 1.3 2.8.10): the descriptor ring and both event
 * suppression areas whole, then the chains the decoder finds pending, as
 * 'ring --queue' walks them (positions inferred from the kept slots), and
 * their buffers.  A packed ring has no idx words: no indices are recorded.
 */
static void save_packed(struct rec *r, const struct vq_dev *d, const struct vq_queue_state *q,
			struct vq_snap_qmark *mark)
{
	const struct vq_fetch f = { rec_fetch, r, NULL };
	uint32_t size = vq_queue_ring_size(q, VQ_SIZE_OR_MAX);
	struct vq_packed_view v;
	int ok;

	if (!q->enabled || !q->desc || !q->avail || !q->used || vq_packed_size_problem(size))
		return;
	ok = save_range(&f, q->desc, VQ_PACKED_DESC_BYTES(size), "descriptor ring") == 0;
	ok &= save_range(&f, q->avail, VQ_PACKED_EVENT_BYTES, "driver event area") == 0;
	ok &= save_range(&f, q->used, VQ_PACKED_EVENT_BYTES, "device event area") == 0;
	mark->t_ms = vq_clock_ms();
	if (!ok)
		return;
	mark->saved = 1;
	mark->packed = 1;
	if (vq_packed_view_alloc(&v, size, 0) < 0)
		return;
	v.layout = (struct vq_packed_layout){ q->desc, q->avail, q->used, size };
	v.rv.device_id = d->device_id;
	if (vq_packed_decode(&f, &v, 0) == 0)
		save_buffers(&f, &v.rv);
	vq_packed_view_free(&v);
}

/*
 * One queue: the three ring parts whole (as 'ring --queue' reads them),
 * then its pending chains and their buffers (save_chains).  The indices
 * recorded are those of the saved ring memory.
 */
static void save_queue(struct rec *r, const struct vq_dev *d, struct vq_queue_state *q,
		       struct vq_snap_qmark *mark)
{
	const struct vq_fetch f = { rec_fetch, r, NULL };
	uint32_t size = vq_queue_ring_size(q, VQ_SIZE_OR_MAX);
	struct vq_ring_view v;
	int have_avail, have_used;

	if (vq_queue_ring_access(d, q, VQ_SIZE_OR_MAX) != VQ_RING_READABLE)
		return;
	save_range(&f, q->desc, VQ_DESC_BYTES(size), "descriptor table");
	have_avail = save_range(&f, q->avail, VQ_AVAIL_BYTES(size), "available ring") == 0;
	have_used = save_range(&f, q->used, VQ_USED_BYTES(size), "used ring") == 0;
	mark->t_ms = vq_clock_ms();
	if (!have_avail || !have_used)
		return;
	mark->saved = 1;
	/* Both rings are saved whole: this reads the kept bytes. */
	vq_ring_read_indices(&f, q->avail, q->used, &q->avail_idx, &q->used_idx);
	q->idx_valid = 1;
	if (vq_ring_view_alloc(&v, size, 0) == 0) {
		v.layout = (struct vq_ring_layout){ q->desc, q->avail, q->used, size, 0 };
		v.device_id = d->device_id;
		save_chains(&f, &v);
		vq_ring_view_free(&v);
	}
}

/* One device: registers, then its rings into cap->mem.  0 or -ENOMEM. */
static int capture_device(struct vq_session *s, struct rec *r, struct vq_dev *d, size_t i,
			  struct vq_snap_capture *cap)
{
	unsigned k;

	/* The same view as the other commands: registers, then the
	 * ring addresses Linux knows of when the registers lack them,
	 * and the indices. */
	if (vq_session_refresh(s, d) < 0) {
		vq_session_say(s, "%s", d->err);
		/* Kept with the reason (said above), so that reading
		 * the snapshot fails on this device as the live
		 * commands do. */
		cap->devs[i] = *d;
		snprintf(cap->devs[i].read_error, sizeof(cap->devs[i].read_error), "%s", d->err);
		cap->devs[i].queues = NULL;
		cap->devs[i].num_queues = 0;
		cap->nblind++;
		return 0;
	}
	if (vq_dev_queues_unknown(d))
		cap->nblind++;
	cap->marks[i] = calloc(d->num_queues ? d->num_queues : 1, sizeof(**cap->marks));
	if (!cap->marks[i])
		return -ENOMEM;
	for (k = 0; k < d->num_queues; k++) {
		d->queues[k].idx2_valid = 0;
		/* Reading split indices opened the live memory; a packed
		 * ring has none, so open it here (said once on failure). */
		if (vq_dev_packed(d) && d->queues[k].enabled && !s->mem_open && !s->mem_failed &&
		    vq_session_need_mem(s) < 0)
			s->mem_failed = 1;
		if (s->mem_open && vq_dev_packed(d))
			save_packed(r, d, &d->queues[k], &cap->marks[i][k]);
		else if (s->mem_open)
			save_queue(r, d, &d->queues[k], &cap->marks[i][k]);
		cap->nsaved += cap->marks[i][k].saved;
		cap->nwanted += d->queues[k].enabled != 0;
	}
	cap->nq += d->num_queues;
	cap->devs[i] = *d;
	return 0;
}

/* The second sample of one queue: the live indices again, some time after
 * the first. */
static void second_sample(struct vq_session *s, struct vq_queue_state *q,
			  const struct vq_snap_qmark *mark)
{
	/* A packed ring has no idx words to sample. */
	if (!mark->saved || mark->packed)
		return;
	if (vq_ring_read_indices(&s->fetch, q->avail, q->used, &q->avail_idx2, &q->used_idx2) < 0)
		return;
	q->sample_ms = (uint32_t)(vq_clock_ms() - mark->t_ms);
	q->idx2_valid = 1;
}

/* Second pass: the indices again, cap->interval_ms later, for progress
 * evidence. */
static void second_pass(struct vq_session *s, struct vq_snap_capture *cap)
{
	size_t i;
	unsigned k;

	if (!cap->nsaved || !cap->interval_ms)
		return;
	vq_sleep_ms(cap->interval_ms);
	for (i = 0; i < cap->ndev; i++)
		for (k = 0; cap->marks[i] && k < cap->devs[i].num_queues; k++)
			second_sample(s, &cap->devs[i].queues[k], &cap->marks[i][k]);
}

int vq_snap_capture(struct vq_session *s, size_t first, size_t last, uint32_t interval_ms,
		    struct vq_snap_capture *cap, char *err, size_t errlen)
{
	struct rec r = { s, &cap->mem, 0 };
	size_t i, ndev = last - first;

	memset(cap, 0, sizeof(*cap));
	cap->ndev = ndev;
	cap->interval_ms = interval_ms;
	cap->devs = calloc(ndev ? ndev : 1, sizeof(*cap->devs));
	cap->marks = calloc(ndev ? ndev : 1, sizeof(*cap->marks));
	if (!cap->devs || !cap->marks)
		goto oom;
	for (i = 0; i < ndev; i++)
		if (capture_device(s, &r, &s->devs.devs[first + i], i, cap) < 0)
			goto oom;
	if (r.oom)
		goto oom;
	second_pass(s, cap);
	return 0;
oom:
	return vq_errbuf(err, errlen, -ENOMEM, "snapshot: out of memory");
}

int vq_snap_capture_write(struct vq_snap_capture *cap, const char *out, int force,
			  const char *version, char *err, size_t errlen)
{
	struct vq_dev *devs = cap->devs;
	size_t i, ndev = cap->ndev;
	struct vq_snap_info info;
	char *json;
	int ret;

	memset(&info, 0, sizeof(info));
	info.version = VQ_SNAP_VERSION;
	info.time = (int64_t)time(NULL);
	info.interval_ms = cap->interval_ms;
	if (gethostname(info.host, sizeof(info.host) - 1) < 0)
		info.host[0] = 0;
	/* The host name must pass the note reader's string check. */
	for (i = 0; info.host[i]; i++)
		if (!vq_jin_char_ok(info.host[i]))
			info.host[i] = '?';
	snprintf(info.vqdump_version, sizeof(info.vqdump_version), "%s", version);
	json = vq_snap_to_json(&info, devs, ndev);
	/* The second sample belongs to the snapshot: live devices kept
	 * across shell commands must not offer it to a later 'diagnose'. */
	for (i = 0; i < ndev; i++) {
		unsigned k;

		for (k = 0; devs[i].queues && k < devs[i].num_queues; k++)
			devs[i].queues[k].idx2_valid = 0;
	}
	if (!json)
		return vq_errbuf(err, errlen, -ENOMEM, "snapshot: out of memory");
	ret = vq_snap_write(out, json, &cap->mem, force, err, errlen);
	free(json);
	return ret;
}

void vq_snap_capture_free(struct vq_snap_capture *cap)
{
	size_t i;

	for (i = 0; cap->marks && i < cap->ndev; i++)
		free(cap->marks[i]);
	free(cap->marks);
	free(cap->devs);
	vq_snap_mem_free(&cap->mem);
	memset(cap, 0, sizeof(*cap));
}
