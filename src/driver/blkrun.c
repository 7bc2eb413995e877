/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One run of the minimal virtio-blk driver: bring-up, test requests judged against the spec, the bench, --inject, reset. */
#include <endian.h>
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_config.h>

#include "blkrun.h"

#define QUEUE_WANT 256u            /* queue size asked for (at most the device's maximum) */
#define CHUNK_SECTORS 256u         /* largest single IN/OUT request: 128 KiB */
#define REQ_TIMEOUT_NS 5000000000ull /* a request not completed by then: "did not complete" */
#define SLOT 128u                  /* per request: header @0, status @16, segment @32, id @64 */
#define RING_RESERVE (256u * 1024) /* DMA bytes for the ring: room to find consecutive pages */
#define INJECT_WAIT_MS 5000u       /* how long to wait for NEEDS_RESET after an injection */

const char *const vb_inject_names[] = {
	[VB_INJ_LOOP] = "loop",
	[VB_INJ_NEXT_RANGE] = "next-range",
	[VB_INJ_INDIRECT_SIZE] = "indirect-size",
};

enum vb_inject vb_inject_kind(const char *name)
{
	enum vb_inject k;

	for (k = VB_INJ_LOOP; k <= VB_INJ_INDIRECT_SIZE; k++)
		if (!strcmp(name, vb_inject_names[k]))
			return k;
	return VB_INJ_NONE;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void vb_run_init(struct vb_run *r, unsigned depth, uint32_t bsize, double bench_secs)
{
	memset(r, 0, sizeof(*r));
	r->depth = depth;
	r->bsize = bsize;
	r->bench_secs = bench_secs;
}

void vb_run_interrupt(struct vb_run *r)
{
	r->stop = 1;
}

int vb_run_has(const struct vb_run *r, unsigned bit)
{
	return (r->bu.accepted >> bit) & 1;
}

static struct vb_req *req_new(struct vb_run *r)
{
	struct vb_req *q;

	if (r->nreqs == r->capreqs) {
		size_t cap = r->capreqs ? 2 * r->capreqs : 16;
		struct vb_req *p = realloc(r->reqs, cap * sizeof(*p));

		if (!p)
			return NULL;
		r->reqs = p;
		r->capreqs = cap;
	}
	q = &r->reqs[r->nreqs++];
	memset(q, 0, sizeof(*q));
	q->status = 0xff;
	return q;
}

/* ---- memory ---- */

/* Request memory, taken before the ring so that a legacy ring's search
 * for consecutive pages cannot leave too little behind it. */
static int alloc_requests(struct vb_run *r)
{
	unsigned i;

	r->slot = vb_dma_alloc(&r->dma, SLOT, SLOT, 1);
	r->data = r->slot ? vb_dma_alloc(&r->dma, CHUNK_SECTORS * VB_SECTOR, 4096, r->dma.huge) : NULL;
	if (!r->data)
		return -ENOMEM;
	if (!(r->bench_secs > 0))
		return 0;
	r->bs = calloc(r->depth, sizeof(*r->bs));
	if (!r->bs)
		return -ENOMEM;
	/* Headers together, then the page-aligned buffers: no page wasted. */
	for (i = 0; i < r->depth; i++) {
		r->bs[i].hdr = vb_dma_alloc(&r->dma, SLOT, SLOT, 1);
		if (!r->bs[i].hdr)
			return -ENOMEM;
	}
	for (i = 0; i < r->depth; i++) {
		r->bs[i].buf = vb_dma_alloc(&r->dma, r->bsize, 4096, 0);
		if (!r->bs[i].buf)
			return -ENOMEM;
	}
	return 0;
}

/* The request memory in r->dma: 0 or -ENOMEM with r->err. */
static int take_requests(struct vb_run *r)
{
	if (!alloc_requests(r))
		return 0;
	snprintf(r->err, sizeof(r->err), "DMA memory for requests: %s", r->dma.err);
	return -ENOMEM;
}

int vb_run_attach(struct vb_run *r, const struct vq_dev *d, const struct vb_transport *t)
{
	r->d = d;
	r->hw.t = *t;
	r->hw.t.err = r->hw.err;
	return take_requests(r);
}

int vb_run_open(struct vb_run *r, const struct vq_dev *d)
{
	size_t need;
	int ret;

	r->d = d;
	r->hw_open = 1; /* closed even when opening fails half-way */
	ret = vb_hw_open(&r->hw, d, &r->steps, r->err, sizeof(r->err));
	if (ret)
		return ret;
	/* DMA: the ring, one request slot and a chunk, and the bench slots. */
	need = RING_RESERVE + SLOT + CHUNK_SECTORS * VB_SECTOR + 4096;
	if (r->bench_secs > 0)
		need += (size_t)r->depth * (SLOT + (r->bsize + 4095) / 4096 * 4096) + 4096;
	ret = vb_dma_open(&r->dma, need);
	if (ret) {
		snprintf(r->err, sizeof(r->err), "DMA memory: %s", r->dma.err);
		return ret;
	}
	ret = take_requests(r);
	if (ret)
		return ret;
	vb_step_add(&r->steps, "dma", 1, "%zu bytes of %s, first page at 0x%llx (pagemap)", r->dma.len,
		    r->dma.huge ? "one locked 2 MiB huge page" : "locked 4 KiB pages",
		    (unsigned long long)r->dma.pa[0]);
	r->err[0] = 0;
	return 0;
}

void vb_run_close(struct vb_run *r)
{
	if (r->vq_ready)
		r->ring->free(r->rq);
	r->vq_ready = 0;
	vb_dma_close(&r->dma);
	if (r->hw_open)
		vb_hw_close(&r->hw);
	r->hw_open = 0;
	free(r->reqs);
	free(r->bs);
	r->reqs = NULL;
	r->bs = NULL;
	r->nreqs = r->capreqs = 0;
}

/* ---- bring-up ---- */

/* Ring memory for a legacy transport: one block, the used ring aligned. */
static int ring_alloc_legacy(struct vb_run *r, uint16_t size, void **d, void **a, void **u)
{
	size_t used_off, len = vb_vq_legacy_bytes(size, r->hw.t.align, &used_off);
	size_t npages = (len + 4095) / 4096, aoff = vb_vq_desc_bytes(size);
	uint8_t *p = vb_dma_alloc(&r->dma, len, 4096, 1), *pages[64];

	if (p) {
		*d = p;
		*a = p + aoff;
		*u = p + used_off;
		return 0;
	}
	if (npages <= 64 && vb_vq_desc_bytes(size) <= 4096 &&
	    aoff % 4096 + vb_vq_avail_bytes(size) <= 4096 &&
	    !vb_dma_phys_run(&r->dma, npages, pages)) {
		/* One physical block; each part inside one page, so the
		 * virtual order of the pages does not matter. */
		*d = pages[0];
		*a = pages[aoff / 4096] + aoff % 4096;
		*u = pages[used_off / 4096];
		return 0;
	}
	return -ENOMEM;
}

/* Packed ring memory (2.8.10.1: the descriptor ring 16-byte aligned, the
 * event areas 4-byte): set up queue 0 over it.  0 or -ENOMEM. */
static int ring_alloc_packed(struct vb_run *r, uint16_t size, uint64_t *desc, uint64_t *drv,
			     uint64_t *dev)
{
	void *d = vb_dma_alloc(&r->dma, vb_pvq_desc_bytes(size), 4096, 1);
	void *a = d ? vb_dma_alloc(&r->dma, vb_pvq_event_bytes(), 64, 1) : NULL;
	void *u = a ? vb_dma_alloc(&r->dma, vb_pvq_event_bytes(), 64, 1) : NULL;

	if (!u) {
		snprintf(r->hw.err, sizeof(r->hw.err), "%s", r->dma.err);
		return -ENOMEM;
	}
	if (vb_pvq_init(&r->pvq, size, d, a, u))
		return -ENOMEM;
	r->ring = &vb_packed_ring;
	r->rq = &r->pvq;
	r->qsize = size;
	r->vq_ready = 1;
	*desc = vb_dma_pa(&r->dma, d);
	*drv = vb_dma_pa(&r->dma, a);
	*dev = vb_dma_pa(&r->dma, u);
	return 0;
}

/* Ring memory for bring-up: contiguous parts in the DMA buffer. */
static int ring_alloc(void *arg, uint16_t size, uint64_t *desc, uint64_t *avail, uint64_t *used)
{
	struct vb_run *r = arg;
	void *d, *a, *u;

	if (r->packed)
		return ring_alloc_packed(r, size, desc, avail, used);
	if (r->hw.t.legacy_layout) {
		if (ring_alloc_legacy(r, size, &d, &a, &u)) {
			snprintf(r->hw.err, sizeof(r->hw.err), "%s", r->dma.err);
			return -ENOMEM;
		}
	} else {
		d = vb_dma_alloc(&r->dma, vb_vq_desc_bytes(size), 4096, 1);
		a = d ? vb_dma_alloc(&r->dma, vb_vq_avail_bytes(size), 64, 1) : NULL;
		u = a ? vb_dma_alloc(&r->dma, vb_vq_used_bytes(size), 64, 1) : NULL;
		if (!u) {
			snprintf(r->hw.err, sizeof(r->hw.err), "%s", r->dma.err);
			return -ENOMEM;
		}
	}
	if (vb_vq_init(&r->vq, size, d, a, u))
		return -ENOMEM;
	r->ring = &vb_split_ring;
	r->rq = &r->vq;
	r->qsize = size;
	r->vq_ready = 1;
	*desc = vb_dma_pa(&r->dma, d);
	*avail = vb_dma_pa(&r->dma, a);
	*used = vb_dma_pa(&r->dma, u);
	return 0;
}

static void read_config(struct vb_run *r)
{
	const struct vb_transport *t = &r->hw.t;
	uint8_t cfg[64];
	uint64_t cap;
	uint32_t v;

	memset(cfg, 0, sizeof(cfg));
	if (t->ops->config_read(t->h, 0, cfg, 8)) {
		vb_step_add(&r->steps, "config", 0, "read capacity: %s", r->hw.err);
		return;
	}
	memcpy(&cap, cfg, 8);
	r->capacity = le64toh(cap);
	if (vb_run_has(r, VIRTIO_BLK_F_BLK_SIZE) &&
	    !t->ops->config_read(t->h, offsetof(struct virtio_blk_config, blk_size), &v, 4))
		r->blk_size = le32toh(v);
	if (vb_run_has(r, VIRTIO_BLK_F_DISCARD) &&
	    !t->ops->config_read(t->h, offsetof(struct virtio_blk_config, max_discard_sectors), &v, 4))
		r->max_discard = le32toh(v);
	if (vb_run_has(r, VIRTIO_BLK_F_WRITE_ZEROES) &&
	    !t->ops->config_read(t->h, offsetof(struct virtio_blk_config, max_write_zeroes_sectors),
				 &v, 4))
		r->max_wz = le32toh(v);
	vb_step_add(&r->steps, "config", 1, "capacity %llu sectors", (unsigned long long)r->capacity);
}

int vb_run_bring_up(struct vb_run *r, enum vb_inject inject)
{
	unsigned want = (inject == VB_INJ_INDIRECT_SIZE ? VB_WANT_INDIRECT : 0) |
			(r->packed ? VB_WANT_PACKED : 0);
	int ret = vb_bring_up(&r->hw.t, want, QUEUE_WANT, ring_alloc, r, &r->bu, &r->steps);

	if (ret)
		return ret;
	r->device_up = 1;
	read_config(r);
	return 0;
}

const char *vb_run_failed_step(const struct vb_run *r)
{
	const char *at = "?";
	unsigned i;

	for (i = 0; i < r->steps.n; i++)
		if (!r->steps.v[i].ok)
			at = r->steps.v[i].name;
	return at;
}

/* ---- sending one request ---- */

/* Descriptors one data buffer of @bytes may need. */
static unsigned data_pieces(const struct vb_run *r, size_t bytes)
{
	/* Buffers start on a page: one piece per page they cover. */
	return r->dma.huge ? 1 : (unsigned)((bytes + 4095) / 4096);
}

int vb_run_bench_fits(const struct vb_run *r, unsigned *need)
{
	*need = r->depth * (2 + data_pieces(r, r->bsize));
	return *need > r->qsize ? -ENOSPC : 0;
}

/*
 * Build a request chain in @slot/@buf and add it (not published).
 * @data_bytes of @buf (device-writable when @in), @seg: a discard /
 * write-zeroes segment, @id: a GET_ID buffer.  Returns the head or -errno.
 */
static int add_request(struct vb_run *r, uint8_t *slot, uint32_t type, uint64_t sector,
		       uint8_t *buf, size_t data_bytes, int in, void *cookie)
{
	struct virtio_blk_outhdr *h = (struct virtio_blk_outhdr *)slot;
	struct vb_sg sg[72];
	unsigned n = 0;
	int k;

	h->type = htole32(type);
	h->ioprio = 0;
	h->sector = htole64(sector);
	slot[16] = 0xff; /* a device that never writes the status is caught */
	sg[n].addr = vb_dma_pa(&r->dma, slot);
	sg[n].len = sizeof(*h);
	sg[n++].write = 0;
	if (data_bytes) {
		k = vb_dma_sg(&r->dma, buf, data_bytes, in, sg + n, 70);
		if (k < 0)
			return k;
		n += (unsigned)k;
	}
	sg[n].addr = vb_dma_pa(&r->dma, slot + 16);
	sg[n].len = 1;
	sg[n++].write = 1;
	return r->ring->add(r->rq, sg, n, cookie);
}

/* Ring queue 0's doorbell: 0, or -EIO with r->err. */
static int notify(struct vb_run *r)
{
	if (!r->hw.t.ops->notify(r->hw.t.h, 0))
		return 0;
	snprintf(r->err, sizeof(r->err), "notify %s: %s", r->d->name, r->hw.err);
	return -EIO;
}

/* Wait for the one request in flight.  1 done, 0 timed out (or stopped), -EPROTO. */
static int wait_one(struct vb_run *r, uint32_t *len, uint64_t t0, char *why, size_t whylen)
{
	void *cookie;
	int ret;

	for (;;) {
		ret = r->ring->get_used(r->rq, &cookie, len, why, whylen);
		if (ret)
			return ret;
		if (now_ns() - t0 > REQ_TIMEOUT_NS) {
			snprintf(why, whylen, "device did not complete within %llu s",
				 REQ_TIMEOUT_NS / 1000000000ull);
			return 0;
		}
		if (r->stop) {
			snprintf(why, whylen, "interrupted before the device completed it");
			return 0;
		}
		sched_yield();
	}
}

/* A request not sent because the run cannot go on: 1 (said in @q), else 0. */
static int not_sendable(const struct vb_run *r, struct vb_req *q)
{
	if (!r->broken && !r->stop)
		return 0;
	q->skipped = 1;
	snprintf(q->why, sizeof(q->why), "not sent: %s",
		 r->stop ? "interrupted" : "an earlier request broke the queue");
	return 1;
}

/*
 * Publish the chain @q was added as, ring, and wait for it: 1 completed
 * (its status byte is r->slot[16]), 0 not (@q says why; the queue is
 * broken), -EIO the doorbell failed (r->err).
 */
static int send_wait(struct vb_run *r, struct vb_req *q)
{
	uint64_t t0 = now_ns();
	int ret;

	r->ring->publish(r->rq);
	if (notify(r)) {
		r->broken = 1;
		return -EIO;
	}
	ret = wait_one(r, &q->len, t0, q->why, sizeof(q->why));
	q->latency = now_ns() - t0;
	if (ret <= 0) {
		r->broken = 1;
		return 0;
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	q->done = 1;
	q->status = r->slot[16];
	return 1;
}

/* Send one request synchronously and judge it.  0, or -EIO (r->err). */
static int do_request(struct vb_run *r, struct vb_req *q, uint8_t *buf, size_t data_bytes, int in,
		      uint32_t data_in)
{
	int ret;

	if (not_sendable(r, q)) {
		q->ok = 0;
		return 0;
	}
	ret = add_request(r, r->slot, q->type, q->lba, buf, data_bytes, in, q);
	if (ret < 0) {
		snprintf(q->why, sizeof(q->why), "cannot build the chain: %s", strerror(-ret));
		r->broken = 1;
		return 0;
	}
	ret = send_wait(r, q);
	if (ret == -EIO)
		snprintf(q->why, sizeof(q->why), "notify failed");
	if (ret <= 0)
		return ret;
	q->ok = vb_check_completion(q->type, q->status, q->len, data_in,
				    (uint32_t)(in ? data_bytes : 0) + 1, q->expect, q->why,
				    sizeof(q->why)) == 0;
	return 0;
}

/* ---- the request kinds ---- */

/* A request the device cannot take (feature not negotiated): recorded, not sent. */
static int skipped(struct vb_run *r, uint32_t type, uint64_t lba, uint64_t n, const char *why)
{
	struct vb_req *q = req_new(r);

	if (!q)
		return -ENOMEM;
	q->type = type;
	q->lba = lba;
	q->count = n;
	q->skipped = 1;
	q->ok = 1;
	snprintf(q->why, sizeof(q->why), "%s", why);
	return 0;
}

int vb_run_get_id(struct vb_run *r)
{
	struct vb_req *q = req_new(r);
	uint8_t *idbuf = r->slot + 64;
	int ret;

	if (!q)
		return -ENOMEM;
	q->type = VIRTIO_BLK_T_GET_ID;
	q->expect = VIRTIO_BLK_S_OK;
	memset(idbuf, 0, 20);
	ret = do_request(r, q, idbuf, 20, 1, 20);
	if (q->done && q->status == VIRTIO_BLK_S_OK) {
		memcpy(r->id, idbuf, 20);
		r->id[20] = 0;
		r->have_id = 1;
	}
	return ret;
}

int vb_run_rw(struct vb_run *r, int is_write, uint64_t lba, uint64_t n, int pattern,
	      vb_run_sink_fn sink, void *sink_arg)
{
	uint64_t chunk = CHUNK_SECTORS, done = 0;
	unsigned pieces = r->qsize > 3 ? r->qsize - 2u : 1u;
	int ret;

	if (!r->dma.huge && chunk > (uint64_t)(pieces - 1) * 8)
		chunk = (uint64_t)(pieces > 1 ? pieces - 1 : 1) * 8;
	while (done < n) {
		uint64_t c = n - done < chunk ? n - done : chunk;
		size_t bytes = (size_t)c * VB_SECTOR;
		struct vb_req *q = req_new(r);

		if (!q)
			return -ENOMEM;
		q->type = is_write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
		q->lba = lba + done;
		q->count = c;
		q->expect = VIRTIO_BLK_S_OK;
		memset(r->data, is_write ? pattern : 0, bytes);
		ret = do_request(r, q, r->data, bytes, !is_write, is_write ? 0 : (uint32_t)bytes);
		if (!is_write && sink && q->done && q->status == VIRTIO_BLK_S_OK) {
			int sret = sink(sink_arg, done * VB_SECTOR, r->data, bytes);

			if (sret)
				return sret;
		}
		if (!q->ok)
			return ret;
		done += c;
	}
	return 0;
}

/* Send one DISCARD or WRITE_ZEROES segment in @q and judge it.  0 or -EIO. */
static int dwz_one(struct vb_run *r, struct vb_req *q)
{
	struct virtio_blk_discard_write_zeroes *seg =
		(struct virtio_blk_discard_write_zeroes *)(r->slot + 32);
	struct vb_sg sg[3];
	int ret;

	/* The segment is the data (5.2.6): the header's sector is unused. */
	memset(r->slot, 0, 64);
	((struct virtio_blk_outhdr *)r->slot)->type = htole32(q->type);
	seg->sector = htole64(q->lba);
	seg->num_sectors = htole32((uint32_t)q->count);
	seg->flags = 0;
	r->slot[16] = 0xff;
	sg[0] = (struct vb_sg){ vb_dma_pa(&r->dma, r->slot), 16, 0 };
	sg[1] = (struct vb_sg){ vb_dma_pa(&r->dma, seg), sizeof(*seg), 0 };
	sg[2] = (struct vb_sg){ vb_dma_pa(&r->dma, r->slot + 16), 1, 1 };
	ret = r->ring->add(r->rq, sg, 3, q);
	if (ret < 0) {
		snprintf(q->why, sizeof(q->why), "cannot build the chain: %s", strerror(-ret));
		r->broken = 1;
		return 0;
	}
	ret = send_wait(r, q);
	if (ret <= 0)
		return ret;
	q->ok = vb_check_completion(q->type, q->status, q->len, 0, 1, q->expect, q->why,
				    sizeof(q->why)) == 0;
	return 0;
}

/* DISCARD or WRITE_ZEROES over [lba, lba+n), split by the device's limit. */
static int do_dwz(struct vb_run *r, uint32_t type, uint64_t lba, uint64_t n, uint32_t max)
{
	uint64_t done = 0, chunk = max ? max : UINT32_MAX;

	while (done < n) {
		uint64_t c = n - done < chunk ? n - done : chunk;
		struct vb_req *q = req_new(r);
		int ret;

		if (!q)
			return -ENOMEM;
		q->type = type;
		q->lba = lba + done;
		q->count = c;
		q->expect = VIRTIO_BLK_S_OK;
		if (not_sendable(r, q))
			return 0;
		ret = dwz_one(r, q);
		if (!q->ok)
			return ret;
		done += c;
	}
	return 0;
}

int vb_run_write_zeroes(struct vb_run *r, uint64_t lba, uint64_t n)
{
	if (!vb_run_has(r, VIRTIO_BLK_F_WRITE_ZEROES))
		return skipped(r, VIRTIO_BLK_T_WRITE_ZEROES, lba, n,
			       "WRITE_ZEROES not offered by the device: not sent");
	return do_dwz(r, VIRTIO_BLK_T_WRITE_ZEROES, lba, n, r->max_wz);
}

int vb_run_discard(struct vb_run *r, uint64_t lba, uint64_t n)
{
	if (!vb_run_has(r, VIRTIO_BLK_F_DISCARD))
		return skipped(r, VIRTIO_BLK_T_DISCARD, lba, n,
			       "DISCARD not offered by the device: not sent");
	return do_dwz(r, VIRTIO_BLK_T_DISCARD, lba, n, r->max_discard);
}

int vb_run_flush(struct vb_run *r)
{
	struct vb_req *q;

	if (!vb_run_has(r, VIRTIO_BLK_F_FLUSH))
		return skipped(r, VIRTIO_BLK_T_FLUSH, 0, 0, "FLUSH not offered by the device: not sent");
	q = req_new(r);
	if (!q)
		return -ENOMEM;
	q->type = VIRTIO_BLK_T_FLUSH;
	q->expect = VIRTIO_BLK_S_OK;
	return do_request(r, q, NULL, 0, 0, 0);
}

int vb_run_negative(struct vb_run *r)
{
	struct vb_req *q = req_new(r);
	int ret, ret2;

	/* One sector at the capacity: beyond the end, IOERR (5.2.6.1). */
	if (!q)
		return -ENOMEM;
	q->type = VIRTIO_BLK_T_IN;
	q->lba = r->capacity;
	q->count = 1;
	q->expect = VIRTIO_BLK_S_IOERR;
	ret = do_request(r, q, r->data, VB_SECTOR, 1, VB_SECTOR);
	/* A type the spec does not define: UNSUPP (5.2.6.1). */
	q = req_new(r);
	if (!q)
		return -ENOMEM;
	q->type = VB_T_UNKNOWN;
	q->expect = VIRTIO_BLK_S_UNSUPP;
	ret2 = do_request(r, q, NULL, 0, 0, 0);
	return ret ? ret : ret2;
}

unsigned vb_run_wrong(const struct vb_run *r)
{
	unsigned wrong = 0;
	size_t i;

	for (i = 0; i < r->nreqs; i++)
		wrong += !r->reqs[i].ok;
	return wrong + (r->bench_errors ? 1 : 0);
}

/* ---- the bench ---- */

/* What one bench keeps while it runs. */
struct bench {
	uint64_t per;       /* sectors per read */
	uint64_t blocks;    /* reads of that size the capacity holds */
	uint64_t seed;      /* xorshift state */
	uint64_t end;       /* when to stop submitting */
	uint64_t *lat;      /* latency of each completion, ns */
	size_t nlat;        /* entries used in @lat */
	size_t caplat;      /* entries allocated in @lat */
	unsigned inflight;  /* requests out */
	int ret;            /* last chain built (head) or the first failure */
	int notify_failed;  /* the doorbell failed (r->err) */
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The kernel's clocksource: with "jiffies" every latency is a multiple
 * of a tick, which the bench line should say. */
static void read_clocksource(char *out, size_t len)
{
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "re");

	out[0] = 0;
	if (!f)
		return;
	if (fgets(out, (int)len, f))
		out[strcspn(out, "\n")] = 0;
	fclose(f);
}

/* Keep depth requests in flight until the time is up. */
static void bench_submit(struct vb_run *r, struct bench *b)
{
	struct vb_bslot *s = r->bs;
	unsigned i;

	for (i = 0; i < r->depth && !r->stop && !r->broken && now_ns() < b->end; i++) {
		if (s[i].busy)
			continue;
		s[i].lba = (xorshift(&b->seed) % b->blocks) * b->per;
		b->ret = add_request(r, s[i].hdr, VIRTIO_BLK_T_IN, s[i].lba, s[i].buf, r->bsize, 1,
				     &s[i]);
		if (b->ret < 0) {
			snprintf(r->bench_why, sizeof(r->bench_why), "cannot build a chain: %s",
				 strerror(-b->ret));
			r->broken = 1;
			break;
		}
		s[i].busy = 1;
		s[i].t0 = now_ns();
		b->inflight++;
		r->ring->publish(r->rq);
		if (notify(r)) {
			b->notify_failed = 1;
			r->broken = 1;
			break;
		}
	}
}

/* Nothing used yet: a request out for too long breaks the run.  1 when it did. */
static int bench_timeouts(struct vb_run *r)
{
	uint64_t t = now_ns();
	unsigned i;

	for (i = 0; i < r->depth; i++)
		if (r->bs[i].busy && t - r->bs[i].t0 > REQ_TIMEOUT_NS) {
			snprintf(r->bench_why, sizeof(r->bench_why),
				 "read of sector %llu: device did not complete within 5 s",
				 (unsigned long long)r->bs[i].lba);
			r->bench_errors++;
			r->broken = 1;
		}
	return r->broken;
}

/* Judge the completion of slot @s (@len used bytes) and keep its latency. */
static int bench_complete(struct vb_run *r, struct bench *b, struct vb_bslot *s, uint32_t len)
{
	uint64_t l = now_ns() - s->t0;
	char why[200];

	s->busy = 0;
	b->inflight--;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (vb_check_completion(VIRTIO_BLK_T_IN, s->hdr[16], len, r->bsize, r->bsize + 1,
				VIRTIO_BLK_S_OK, why, sizeof(why))) {
		if (!r->bench_errors)
			snprintf(r->bench_why, sizeof(r->bench_why), "read of sector %llu: %s",
				 (unsigned long long)s->lba, why);
		r->bench_errors++;
	}
	if (b->nlat == b->caplat) {
		size_t cap = b->caplat ? 2 * b->caplat : 4096;
		uint64_t *p = realloc(b->lat, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		b->lat = p;
		b->caplat = cap;
	}
	b->lat[b->nlat++] = l;
	return 0;
}

/* The bench's numbers from what it kept; @t_start when it began. */
static void bench_stats(struct vb_run *r, struct bench *b, uint64_t t_start)
{
	double secs;

	r->bench_n = b->nlat;
	r->bench_done = 1;
	read_clocksource(r->clocksource, sizeof(r->clocksource));
	if (!b->nlat)
		return;
	secs = (double)(now_ns() - t_start) / 1e9;
	r->bench_elapsed = secs;
	qsort(b->lat, b->nlat, sizeof(*b->lat), cmp_u64);
	r->lat_min = b->lat[0];
	r->lat_max = b->lat[b->nlat - 1];
	r->lat_p50 = vb_percentile(b->lat, b->nlat, 50);
	r->lat_p99 = vb_percentile(b->lat, b->nlat, 99);
	r->iops = secs > 0 ? (double)b->nlat / secs : 0;
}

int vb_run_bench(struct vb_run *r)
{
	struct bench b = { .per = r->bsize / VB_SECTOR, .seed = now_ns() | 1 };
	uint64_t t_start;

	if (r->broken || r->stop)
		return 0;
	b.blocks = r->capacity / b.per;
	if (!b.blocks) {
		snprintf(r->bench_why, sizeof(r->bench_why), "device smaller than one %u-byte read",
			 r->bsize);
		r->bench_errors = 1;
		return 0;
	}
	t_start = now_ns();
	b.end = t_start + (uint64_t)(r->bench_secs * 1e9);
	for (;;) {
		void *cookie;
		uint32_t len;
		int got;

		bench_submit(r, &b);
		if (!b.inflight)
			break;
		got = r->ring->get_used(r->rq, &cookie, &len, r->bench_why, sizeof(r->bench_why));
		if (got < 0) {
			r->bench_errors++;
			r->broken = 1;
			break;
		}
		if (!got) {
			if (bench_timeouts(r))
				break;
			sched_yield();
			continue;
		}
		if (bench_complete(r, &b, cookie, len)) {
			b.ret = -ENOMEM;
			break;
		}
	}
	bench_stats(r, &b, t_start);
	free(b.lat);
	if (b.ret < 0 && b.ret != -ENOSPC)
		return b.ret;
	return b.notify_failed ? -EIO : 0;
}

/* ---- --inject ---- */

/* Write the malformed chain of @kind at head 0.  0 or -EINVAL. */
static int inject_chain(struct vb_run *r, enum vb_inject kind)
{
	struct vring_desc *d = r->vq.desc;
	uint64_t hdr = vb_dma_pa(&r->dma, r->slot), data = vb_dma_pa(&r->dma, r->data);

	/* A type no device implements: a lenient device that followed the
	 * broken chain anyway would answer UNSUPP and touch no sector. */
	((struct virtio_blk_outhdr *)r->slot)->type = htole32(0xff);
	switch (kind) {
	case VB_INJ_LOOP: /* 0 -> 1 -> 0 -> ...: never ends (2.7.5.2) */
		d[0] = (struct vring_desc){ htole64(hdr), htole32(16), htole16(VRING_DESC_F_NEXT),
					    htole16(1) };
		d[1] = (struct vring_desc){ htole64(data), htole32(VB_SECTOR),
					    htole16(VRING_DESC_F_NEXT), htole16(0) };
		return 0;
	case VB_INJ_NEXT_RANGE: /* next beyond the table (2.7.5.2) */
		d[0] = (struct vring_desc){ htole64(hdr), htole32(16), htole16(VRING_DESC_F_NEXT),
					    htole16(r->vq.size) };
		return 0;
	case VB_INJ_INDIRECT_SIZE: /* table length not a multiple of 16 (2.7.5.3.1) */
		d[0] = (struct vring_desc){ htole64(data), htole32(24),
					    htole16(VRING_DESC_F_INDIRECT), 0 };
		return 0;
	default:
		return -EINVAL;
	}
}

int vb_run_inject(struct vb_run *r, enum vb_inject kind)
{
	unsigned waited = 0;
	uint8_t st = 0;

	if (inject_chain(r, kind))
		return -EINVAL;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->vq.avail->ring[r->vq.avail_idx % r->vq.size] = 0;
	r->vq.avail_idx++;
	vb_vq_publish(&r->vq);
	if (notify(r))
		return -EIO;
	while (waited < INJECT_WAIT_MS && !r->stop) {
		if (r->hw.t.ops->get_status(r->hw.t.h, &st))
			break;
		if (st & VIRTIO_CONFIG_S_NEEDS_RESET)
			break;
		usleep(1000);
		waited++;
	}
	if (st & VIRTIO_CONFIG_S_NEEDS_RESET)
		vb_step_add(&r->steps, "inject", 1,
			    "%s chain published at head 0; device set NEEDS_RESET (status 0x%02x) after %u ms; left as it is (not reset) for 'vqdump diagnose'",
			    vb_inject_names[kind], st, waited);
	else
		vb_step_add(&r->steps, "inject", 0,
			    "%s chain published at head 0; no NEEDS_RESET within %u ms (status 0x%02x)%s; left as it is (not reset)",
			    vb_inject_names[kind], INJECT_WAIT_MS, st,
			    r->hw.t.modern ? "" : " (legacy transports have no NEEDS_RESET)");
	return (st & VIRTIO_CONFIG_S_NEEDS_RESET) ? 0 : 1;
}

/* ---- the end of a run ---- */

int vb_run_reset(struct vb_run *r)
{
	int ret = vb_reset(&r->hw.t, 1000);

	vb_step_add(&r->steps, "reset", ret == 0,
		    ret ? "status did not read 0 within 1 s: the device is not reusable"
			: "status written 0, reads 0: device reset and unbound, reusable");
	return ret;
}

int vb_run_dma_check(struct vb_run *r)
{
	int ret = vb_dma_verify(&r->dma);

	if (ret)
		vb_step_add(&r->steps, "dma_check", 0, "%s", r->dma.err);
	else
		vb_step_add(&r->steps, "dma_check", 1,
			    "DMA pages at the same physical addresses after the run");
	return ret;
}
