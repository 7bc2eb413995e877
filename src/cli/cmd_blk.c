/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `blk`: bring up an unbound virtio-blk device with the minimal driver, push test requests, judge the answers. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_config.h>

#include "../decode/names.h"
#include "../driver/hw.h"
#include "../driver/vblk.h"
#include "cli.h"

const struct vq_opt vq_blk_options[] = {
	{ "id", no_argument, 'I', 0, NULL, "GET_ID: read the device's ID string" },
	{ "read", required_argument, 'r', 0, "LBA+N", "read N sectors from LBA (IN)" },
	{ "output", required_argument, 'o', 1, "FILE", "write the data --read returns to FILE" },
	{ "write", required_argument, 'w', 0, "LBA+N", "write N sectors from LBA with --pattern (OUT)" },
	{ "pattern", required_argument, 'p', 0, "BYTE", "the byte --write fills with (default 0xa5)" },
	{ "flush", no_argument, 'F', 0, NULL, "send a FLUSH request" },
	{ "discard", required_argument, 'D', 0, "LBA+N", "DISCARD N sectors from LBA" },
	{ "write-zeroes", required_argument, 'Z', 0, "LBA+N", "WRITE_ZEROES N sectors from LBA" },
	{ "negative", no_argument, 'N', 0, NULL, "two requests that must fail: IOERR, UNSUPP" },
	{ "bench", required_argument, 'b', 0, "SECONDS", "random reads across the device for SECONDS" },
	{ "depth", required_argument, 'q', 0, "Q", "--bench: requests in flight (default 1)" },
	{ "size", required_argument, 's', 0, "BYTES", "--bench: bytes per read (default 4096)" },
	{ "inject", required_argument, 'i', 0, "KIND", "malformed chain: loop, next-range or indirect-size" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

#define SECTOR 512u
#define QUEUE_WANT 256u            /* queue size asked for (at most the device's maximum) */
#define CHUNK_SECTORS 256u         /* largest single IN/OUT request: 128 KiB */
#define REQ_TIMEOUT_NS 5000000000ull /* a request not completed by then: "did not complete" */
#define SLOT 128u                  /* per request: header @0, status @16, segment @32, id @64 */
#define RING_RESERVE (256u * 1024) /* DMA bytes for the ring: room to find consecutive pages */
#define BENCH_MAX_BYTES (1u << 20) /* depth * size */
#define INJECT_WAIT_MS 5000u       /* how long to wait for NEEDS_RESET after --inject */
#define DEFAULT_PATTERN 0xa5

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* One request as sent and judged. */
struct req {
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
struct bslot {
	uint8_t *hdr;   /* SLOT bytes */
	uint8_t *buf;   /* r->bsize bytes */
	uint64_t t0;    /* submit time */
	uint64_t lba;   /* sector read */
	int busy;       /* in flight */
};

/* Everything one run holds. */
struct run {
	struct vq_ctx *ctx;
	struct vq_dev *d;
	struct vb_hw hw;
	struct vb_dma dma;
	struct vb_vq vq;
	struct vb_steps steps;
	struct vb_bringup bu;
	int vq_ready;           /* vq set up */
	int device_up;          /* DRIVER_OK reached: reset at the end */
	int broken;             /* a protocol error or timeout: stop sending */
	uint64_t capacity;      /* sectors */
	uint32_t blk_size;      /* when BLK_SIZE was negotiated, else 0 */
	uint32_t max_discard, max_wz; /* sectors per request, 0: no limit given */
	uint8_t peek[64];       /* first bytes --read returned (no -o) */
	size_t peek_len;        /* bytes in @peek, 0: none */
	uint64_t peek_lba, peek_total; /* where they came from, bytes read */
	char id[21];            /* GET_ID answer */
	int have_id;
	struct req *reqs;       /* judged requests, in order */
	size_t nreqs, capreqs;
	uint8_t *slot;          /* SLOT bytes for the synchronous requests */
	uint8_t *data;          /* CHUNK_SECTORS * SECTOR bytes */
	/* bench */
	struct bslot *bs;       /* --depth slots, allocated before bring-up */
	int bench_done;
	double bench_secs;      /* asked for */
	double bench_elapsed;   /* how long it ran (less when interrupted) */
	unsigned depth;
	uint32_t bsize;
	uint64_t bench_n, bench_errors;
	uint64_t lat_min, lat_p50, lat_p99, lat_max;
	double iops;
	char clocksource[32];   /* what CLOCK_MONOTONIC runs on, "" if unknown */
	char bench_why[300];    /* first wrong bench completion */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct req *req_new(struct run *r)
{
	struct req *q;

	if (r->nreqs == r->capreqs) {
		size_t cap = r->capreqs ? 2 * r->capreqs : 16;
		struct req *p = realloc(r->reqs, cap * sizeof(*p));

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

/* Ring memory for bring-up: contiguous parts in the DMA buffer. */
static int ring_alloc(void *arg, uint16_t size, uint64_t *desc, uint64_t *avail, uint64_t *used)
{
	struct run *r = arg;
	void *d, *a, *u;

	if (r->hw.t.legacy_layout) {
		size_t used_off, len = vb_vq_legacy_bytes(size, r->hw.t.align, &used_off);
		size_t npages = (len + 4095) / 4096, aoff = vb_vq_desc_bytes(size);
		uint8_t *p = vb_dma_alloc(&r->dma, len, 4096, 1), *pages[64];

		if (p) {
			d = p;
			a = p + aoff;
			u = p + used_off;
		} else if (npages <= 64 && vb_vq_desc_bytes(size) <= 4096 &&
			   aoff % 4096 + vb_vq_avail_bytes(size) <= 4096 &&
			   !vb_dma_phys_run(&r->dma, npages, pages)) {
			/* One physical block; each part inside one page, so the
			 * virtual order of the pages does not matter. */
			d = pages[0];
			a = pages[aoff / 4096] + aoff % 4096;
			u = pages[used_off / 4096];
		} else {
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
	r->vq_ready = 1;
	*desc = vb_dma_pa(&r->dma, d);
	*avail = vb_dma_pa(&r->dma, a);
	*used = vb_dma_pa(&r->dma, u);
	return 0;
}

/* Descriptors one data buffer of @bytes may need. */
static unsigned data_pieces(const struct run *r, size_t bytes)
{
	/* Buffers start on a page: one piece per page they cover. */
	return r->dma.huge ? 1 : (unsigned)((bytes + 4095) / 4096);
}

/*
 * Build a request chain in @slot/@buf and add it (not published).
 * @data_bytes of @buf (device-writable when @in), @seg: a discard /
 * write-zeroes segment, @id: a GET_ID buffer.  Returns the head or -errno.
 */
static int add_request(struct run *r, uint8_t *slot, uint32_t type, uint64_t sector, uint8_t *buf,
		       size_t data_bytes, int in, void *cookie)
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
	return vb_vq_add(&r->vq, sg, n, cookie);
}

static int notify(struct run *r)
{
	int ret = r->hw.t.ops->notify(r->hw.t.h, 0);

	if (ret)
		vq_err("blk: notify %s: %s", r->d->name, r->hw.err);
	return ret;
}

/* Wait for the one request in flight.  1 done, 0 timed out (or stopped), -EPROTO. */
static int wait_one(struct run *r, uint32_t *len, uint64_t t0, char *why, size_t whylen)
{
	void *cookie;
	int ret;

	for (;;) {
		ret = vb_vq_get_used(&r->vq, &cookie, len, why, whylen);
		if (ret)
			return ret;
		if (now_ns() - t0 > REQ_TIMEOUT_NS) {
			snprintf(why, whylen, "device did not complete within %llu s",
				 REQ_TIMEOUT_NS / 1000000000ull);
			return 0;
		}
		if (stop_flag) {
			snprintf(why, whylen, "interrupted before the device completed it");
			return 0;
		}
		sched_yield();
	}
}

/* Send one request synchronously and judge it. */
static void do_request(struct run *r, struct req *q, uint8_t *buf, size_t data_bytes, int in,
		       uint32_t data_in)
{
	uint64_t t0;
	int ret;

	if (r->broken || stop_flag) {
		q->skipped = 1;
		snprintf(q->why, sizeof(q->why), "not sent: %s",
			 stop_flag ? "interrupted" : "an earlier request broke the queue");
		q->ok = 0;
		return;
	}
	ret = add_request(r, r->slot, q->type, q->lba, buf, data_bytes, in, q);
	if (ret < 0) {
		snprintf(q->why, sizeof(q->why), "cannot build the chain: %s", strerror(-ret));
		r->broken = 1;
		return;
	}
	t0 = now_ns();
	vb_vq_publish(&r->vq);
	if (notify(r)) {
		snprintf(q->why, sizeof(q->why), "notify failed");
		r->broken = 1;
		return;
	}
	ret = wait_one(r, &q->len, t0, q->why, sizeof(q->why));
	q->latency = now_ns() - t0;
	if (ret <= 0) {
		r->broken = 1;
		return;
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	q->done = 1;
	q->status = r->slot[16];
	q->ok = vb_check_completion(q->type, q->status, q->len, data_in,
				    (uint32_t)(in ? data_bytes : 0) + 1, q->expect, q->why,
				    sizeof(q->why)) == 0;
}

static int has(const struct run *r, unsigned bit)
{
	return (r->bu.accepted >> bit) & 1;
}

static struct req *skipped(struct run *r, uint32_t type, uint64_t lba, uint64_t n, const char *why)
{
	struct req *q = req_new(r);

	if (!q)
		return NULL;
	q->type = type;
	q->lba = lba;
	q->count = n;
	q->skipped = 1;
	q->ok = 1;
	snprintf(q->why, sizeof(q->why), "%s", why);
	return q;
}

static int do_get_id(struct run *r)
{
	struct req *q = req_new(r);
	uint8_t *idbuf = r->slot + 64;

	if (!q)
		return -ENOMEM;
	q->type = VIRTIO_BLK_T_GET_ID;
	q->expect = VIRTIO_BLK_S_OK;
	memset(idbuf, 0, 20);
	do_request(r, q, idbuf, 20, 1, 20);
	if (q->done && q->status == VIRTIO_BLK_S_OK) {
		memcpy(r->id, idbuf, 20);
		r->id[20] = 0;
		r->have_id = 1;
	}
	return 0;
}

/* IN or OUT over [lba, lba+n) in chunks; reads go to @out (fd, or -1). */
static int do_rw(struct run *r, int is_write, uint64_t lba, uint64_t n, int pattern, int out_fd,
		 int show)
{
	uint64_t chunk = CHUNK_SECTORS, done = 0;
	unsigned pieces = r->vq.size > 3 ? r->vq.size - 2u : 1u;

	if (!r->dma.huge && chunk > (uint64_t)(pieces - 1) * 8)
		chunk = (uint64_t)(pieces > 1 ? pieces - 1 : 1) * 8;
	while (done < n) {
		uint64_t c = n - done < chunk ? n - done : chunk;
		size_t bytes = (size_t)c * SECTOR;
		struct req *q = req_new(r);

		if (!q)
			return -ENOMEM;
		q->type = is_write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
		q->lba = lba + done;
		q->count = c;
		q->expect = VIRTIO_BLK_S_OK;
		if (is_write)
			memset(r->data, pattern, bytes);
		else
			memset(r->data, 0, bytes);
		do_request(r, q, r->data, bytes, !is_write, is_write ? 0 : (uint32_t)bytes);
		if (!is_write && q->done && q->status == VIRTIO_BLK_S_OK) {
			if (out_fd >= 0) {
				size_t off = 0;

				while (off < bytes) {
					ssize_t w = write(out_fd, r->data + off, bytes - off);

					if (w <= 0) {
						vq_err("blk: write the output file: %s", strerror(errno));
						return -EIO;
					}
					off += (size_t)w;
				}
			} else if (show && done == 0) {
				r->peek_len = bytes < sizeof(r->peek) ? bytes : sizeof(r->peek);
				memcpy(r->peek, r->data, r->peek_len);
				r->peek_lba = lba;
				r->peek_total = n * SECTOR;
			}
		}
		if (!q->ok)
			break;
		done += c;
	}
	return 0;
}

/* DISCARD or WRITE_ZEROES over [lba, lba+n), split by the device's limit. */
static int do_dwz(struct run *r, uint32_t type, uint64_t lba, uint64_t n, uint32_t max)
{
	uint64_t done = 0, chunk = max ? max : UINT32_MAX;

	while (done < n) {
		uint64_t c = n - done < chunk ? n - done : chunk;
		struct virtio_blk_discard_write_zeroes *seg =
			(struct virtio_blk_discard_write_zeroes *)(r->slot + 32);
		struct req *q = req_new(r);
		struct vb_sg sg[3];
		uint64_t t0;
		int ret;

		if (!q)
			return -ENOMEM;
		q->type = type;
		q->lba = lba + done;
		q->count = c;
		q->expect = VIRTIO_BLK_S_OK;
		if (r->broken || stop_flag) {
			q->skipped = 1;
			snprintf(q->why, sizeof(q->why), "not sent: %s",
				 stop_flag ? "interrupted" : "an earlier request broke the queue");
			return 0;
		}
		/* The segment is the data (5.2.6): the header's sector is unused. */
		memset(r->slot, 0, 64);
		((struct virtio_blk_outhdr *)r->slot)->type = htole32(type);
		seg->sector = htole64(lba + done);
		seg->num_sectors = htole32((uint32_t)c);
		seg->flags = 0;
		r->slot[16] = 0xff;
		sg[0] = (struct vb_sg){ vb_dma_pa(&r->dma, r->slot), 16, 0 };
		sg[1] = (struct vb_sg){ vb_dma_pa(&r->dma, seg), sizeof(*seg), 0 };
		sg[2] = (struct vb_sg){ vb_dma_pa(&r->dma, r->slot + 16), 1, 1 };
		ret = vb_vq_add(&r->vq, sg, 3, q);
		if (ret < 0) {
			snprintf(q->why, sizeof(q->why), "cannot build the chain: %s", strerror(-ret));
			r->broken = 1;
			return 0;
		}
		t0 = now_ns();
		vb_vq_publish(&r->vq);
		if (notify(r)) {
			r->broken = 1;
			return 0;
		}
		ret = wait_one(r, &q->len, t0, q->why, sizeof(q->why));
		q->latency = now_ns() - t0;
		if (ret <= 0) {
			r->broken = 1;
			return 0;
		}
		q->done = 1;
		q->status = r->slot[16];
		q->ok = vb_check_completion(type, q->status, q->len, 0, 1, q->expect, q->why,
					    sizeof(q->why)) == 0;
		if (!q->ok)
			break;
		done += c;
	}
	return 0;
}

static void do_flush(struct run *r)
{
	struct req *q;

	if (!has(r, VIRTIO_BLK_F_FLUSH)) {
		skipped(r, VIRTIO_BLK_T_FLUSH, 0, 0, "FLUSH not offered by the device: not sent");
		return;
	}
	q = req_new(r);
	if (!q)
		return;
	q->type = VIRTIO_BLK_T_FLUSH;
	q->expect = VIRTIO_BLK_S_OK;
	do_request(r, q, NULL, 0, 0, 0);
}

static void do_negative(struct run *r)
{
	struct req *q = req_new(r);

	/* One sector at the capacity: beyond the end, IOERR (5.2.6.1). */
	if (!q)
		return;
	q->type = VIRTIO_BLK_T_IN;
	q->lba = r->capacity;
	q->count = 1;
	q->expect = VIRTIO_BLK_S_IOERR;
	do_request(r, q, r->data, SECTOR, 1, SECTOR);
	/* A type the spec does not define: UNSUPP (5.2.6.1). */
	q = req_new(r);
	if (!q)
		return;
	q->type = VB_T_UNKNOWN;
	q->expect = VIRTIO_BLK_S_UNSUPP;
	do_request(r, q, NULL, 0, 0, 0);
}

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

/* Request memory, taken before the ring so that a legacy ring's search
 * for consecutive pages cannot leave too little behind it. */
static int alloc_requests(struct run *r, int bench_slots)
{
	unsigned i;

	r->slot = vb_dma_alloc(&r->dma, SLOT, SLOT, 1);
	r->data = r->slot ? vb_dma_alloc(&r->dma, CHUNK_SECTORS * SECTOR, 4096, r->dma.huge) : NULL;
	if (!r->data)
		return -ENOMEM;
	if (!bench_slots)
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

static int bench(struct run *r)
{
	uint64_t per = r->bsize / SECTOR, blocks = r->capacity / per, seed = now_ns() | 1, end;
	uint64_t *lat = NULL, t_start;
	size_t nlat = 0, caplat = 0;
	struct bslot *s;
	unsigned i, inflight = 0;
	int ret = 0;

	if (!blocks) {
		snprintf(r->bench_why, sizeof(r->bench_why), "device smaller than one %u-byte read",
			 r->bsize);
		r->bench_errors = 1;
		return 0;
	}
	s = r->bs;
	t_start = now_ns();
	end = t_start + (uint64_t)(r->bench_secs * 1e9);
	for (;;) {
		void *cookie;
		uint32_t len;
		int got;

		/* Keep depth requests in flight until the time is up. */
		for (i = 0; i < r->depth && !stop_flag && !r->broken && now_ns() < end; i++) {
			if (s[i].busy)
				continue;
			s[i].lba = (xorshift(&seed) % blocks) * per;
			ret = add_request(r, s[i].hdr, VIRTIO_BLK_T_IN, s[i].lba, s[i].buf, r->bsize, 1,
					  &s[i]);
			if (ret < 0) {
				snprintf(r->bench_why, sizeof(r->bench_why),
					 "cannot build a chain: %s", strerror(-ret));
				r->broken = 1;
				break;
			}
			s[i].busy = 1;
			s[i].t0 = now_ns();
			inflight++;
			vb_vq_publish(&r->vq);
			if (notify(r)) {
				r->broken = 1;
				break;
			}
		}
		if (!inflight)
			break;
		got = vb_vq_get_used(&r->vq, &cookie, &len, r->bench_why, sizeof(r->bench_why));
		if (got < 0) {
			r->bench_errors++;
			r->broken = 1;
			break;
		}
		if (!got) {
			uint64_t t = now_ns();

			for (i = 0; i < r->depth; i++)
				if (s[i].busy && t - s[i].t0 > REQ_TIMEOUT_NS) {
					snprintf(r->bench_why, sizeof(r->bench_why),
						 "read of sector %llu: device did not complete within 5 s",
						 (unsigned long long)s[i].lba);
					r->bench_errors++;
					r->broken = 1;
				}
			if (r->broken)
				break;
			sched_yield();
			continue;
		}
		{
			struct bslot *b = cookie;
			uint64_t l = now_ns() - b->t0;
			char why[200];

			b->busy = 0;
			inflight--;
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			if (vb_check_completion(VIRTIO_BLK_T_IN, b->hdr[16], len, r->bsize, r->bsize + 1,
						VIRTIO_BLK_S_OK, why, sizeof(why))) {
				if (!r->bench_errors)
					snprintf(r->bench_why, sizeof(r->bench_why), "read of sector %llu: %s",
						 (unsigned long long)b->lba, why);
				r->bench_errors++;
			}
			if (nlat == caplat) {
				size_t cap = caplat ? 2 * caplat : 4096;
				uint64_t *p = realloc(lat, cap * sizeof(*p));

				if (!p) {
					ret = -ENOMEM;
					break;
				}
				lat = p;
				caplat = cap;
			}
			lat[nlat++] = l;
		}
	}
	r->bench_n = nlat;
	r->bench_done = 1;
	read_clocksource(r->clocksource, sizeof(r->clocksource));
	if (nlat) {
		double secs = (double)(now_ns() - t_start) / 1e9;

		r->bench_elapsed = secs;

		qsort(lat, nlat, sizeof(*lat), cmp_u64);
		r->lat_min = lat[0];
		r->lat_max = lat[nlat - 1];
		r->lat_p50 = vb_percentile(lat, nlat, 50);
		r->lat_p99 = vb_percentile(lat, nlat, 99);
		r->iops = secs > 0 ? (double)nlat / secs : 0;
	}
	free(lat);
	return ret < 0 && ret != -ENOSPC ? ret : 0;
}

/* ---- --inject: one malformed chain QEMU's virtqueue_pop rejects ---- */

enum inject_kind { INJ_NONE, INJ_LOOP, INJ_NEXT_RANGE, INJ_INDIRECT_SIZE };

static const char *const inject_names[] = {
	[INJ_LOOP] = "loop",
	[INJ_NEXT_RANGE] = "next-range",
	[INJ_INDIRECT_SIZE] = "indirect-size",
};

static int inject(struct run *r, enum inject_kind kind)
{
	struct vring_desc *d = r->vq.desc;
	uint64_t hdr = vb_dma_pa(&r->dma, r->slot), data = vb_dma_pa(&r->dma, r->data);
	unsigned waited = 0;
	uint8_t st = 0;

	/* A type no device implements: a lenient device that followed the
	 * broken chain anyway would answer UNSUPP and touch no sector. */
	((struct virtio_blk_outhdr *)r->slot)->type = htole32(0xff);
	switch (kind) {
	case INJ_LOOP: /* 0 -> 1 -> 0 -> ...: never ends (2.7.5.2) */
		d[0] = (struct vring_desc){ htole64(hdr), htole32(16), htole16(VRING_DESC_F_NEXT),
					    htole16(1) };
		d[1] = (struct vring_desc){ htole64(data), htole32(SECTOR),
					    htole16(VRING_DESC_F_NEXT), htole16(0) };
		break;
	case INJ_NEXT_RANGE: /* next beyond the table (2.7.5.2) */
		d[0] = (struct vring_desc){ htole64(hdr), htole32(16), htole16(VRING_DESC_F_NEXT),
					    htole16(r->vq.size) };
		break;
	case INJ_INDIRECT_SIZE: /* table length not a multiple of 16 (2.7.5.3.1) */
		d[0] = (struct vring_desc){ htole64(data), htole32(24),
					    htole16(VRING_DESC_F_INDIRECT), 0 };
		break;
	default:
		return -EINVAL;
	}
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->vq.avail->ring[r->vq.avail_idx % r->vq.size] = 0;
	r->vq.avail_idx++;
	vb_vq_publish(&r->vq);
	if (notify(r))
		return -EIO;
	while (waited < INJECT_WAIT_MS && !stop_flag) {
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
			    inject_names[kind], st, waited);
	else
		vb_step_add(&r->steps, "inject", 0,
			    "%s chain published at head 0; no NEEDS_RESET within %u ms (status 0x%02x)%s; left as it is (not reset)",
			    inject_names[kind], INJECT_WAIT_MS, st,
			    r->hw.t.modern ? "" : " (legacy transports have no NEEDS_RESET)");
	return (st & VIRTIO_CONFIG_S_NEEDS_RESET) ? 0 : 1;
}

/* ---- output ---- */

static struct json_object *feature_json(uint64_t f)
{
	struct json_object *o = json_object_new_object(), *bits = json_object_new_array(),
			   *names = json_object_new_array();
	char buf[32];
	unsigned b;

	for (b = 0; b < 64; b++)
		if ((f >> b) & 1) {
			json_object_array_add(bits, json_object_new_int((int)b));
			json_object_array_add(names, json_object_new_string(
				vq_feature_name_buf(2, b, buf, sizeof(buf))));
		}
	json_object_object_add(o, "bits", bits);
	json_object_object_add(o, "names", names);
	return o;
}

static void feature_text(const char *label, uint64_t f)
{
	char buf[32];
	unsigned b;

	printf("%s 0x%llx:", label, (unsigned long long)f);
	for (b = 0; b < 64; b++)
		if ((f >> b) & 1)
			printf(" %s", vq_feature_name_buf(2, b, buf, sizeof(buf)));
	printf("\n");
}

static const char *req_status(const struct req *q, char *buf, size_t len)
{
	if (q->skipped)
		return "SKIPPED";
	if (!q->done)
		return "none";
	return vb_status_name(q->status, buf, len);
}

static void print_text(const struct run *r, int verdict_ok, const char *verdict)
{
	char b[16], b2[16];
	size_t i;

	for (i = 0; i < r->steps.n; i++)
		printf("%-4s %-12s %s\n", r->steps.v[i].ok ? "ok" : "FAIL", r->steps.v[i].name,
		       r->steps.v[i].detail);
	if (r->device_up) {
		feature_text("features offered", r->bu.offered);
		feature_text("features accepted", r->bu.accepted);
		printf("capacity %llu sectors (%llu bytes)", (unsigned long long)r->capacity,
		       (unsigned long long)r->capacity * SECTOR);
		if (r->blk_size)
			printf(", blk_size %u", r->blk_size);
		printf("\n");
	}
	if (r->have_id)
		printf("id \"%s\"\n", r->id);
	for (i = 0; i < r->nreqs; i++) {
		const struct req *q = &r->reqs[i];
		char lat[32] = "-", range[48];

		if (q->done)
			snprintf(lat, sizeof(lat), "%.1f us", (double)q->latency / 1000.0);
		snprintf(range, sizeof(range), "lba %llu+%llu", (unsigned long long)q->lba,
			 (unsigned long long)q->count);
		printf("%-4s %-12s %-18s status %-10s", q->ok ? "ok" : "FAIL",
		       q->type == VB_T_UNKNOWN ? "type 0xff" : vb_type_name(q->type), range,
		       req_status(q, b, sizeof(b)));
		if (!q->skipped)
			printf(" expected %-6s len %-6u %s", vb_status_name(q->expect, b2, sizeof(b2)),
			       q->len, lat);
		if (q->why[0])
			printf("  (%s)", q->why);
		printf("\n");
	}
	if (r->peek_len) {
		printf("data at sector %llu (first %zu of %llu bytes; -o FILE saves all):\n",
		       (unsigned long long)r->peek_lba, r->peek_len, (unsigned long long)r->peek_total);
		for (i = 0; i < r->peek_len; i++)
			printf("%s%02x%s", i % 16 ? " " : "  ", r->peek[i],
			       i % 16 == 15 || i + 1 == r->peek_len ? "\n" : "");
	}
	if (r->bench_done)
		printf("bench: %.1f s, depth %u, %u-byte random reads: %llu requests, %llu wrong, %.0f IOPS, latency min %.1f us, p50 %.1f us, p99 %.1f us, max %.1f us%s%s\n",
		       r->bench_elapsed, r->depth, r->bsize, (unsigned long long)r->bench_n,
		       (unsigned long long)r->bench_errors, r->iops, r->lat_min / 1000.0,
		       r->lat_p50 / 1000.0, r->lat_p99 / 1000.0, r->lat_max / 1000.0,
		       r->bench_why[0] ? "; first problem: " : "", r->bench_why);
	if (r->bench_done && strstr(r->clocksource, "jiffies"))
		printf("bench: note: the clocksource is %s, so latencies are whole timer ticks\n",
		       r->clocksource);
	printf("verdict: %s: %s\n", verdict_ok ? "PASS" : "FAIL", verdict);
}

static void print_json(const struct run *r, int verdict_ok, const char *verdict)
{
	struct json_object *o = json_object_new_object(), *a;
	char b[16];
	size_t i;

	json_object_object_add(o, "device", json_object_new_string(r->d->name));
	json_object_object_add(o, "transport", json_object_new_string(r->hw.kind_name ? r->hw.kind_name : "unknown"));
	json_object_object_add(o, "capacity",
			       r->device_up ? json_object_new_uint64(r->capacity) : NULL);
	json_object_object_add(o, "blk_size", r->blk_size ? json_object_new_int64(r->blk_size) : NULL);
	json_object_object_add(o, "id", r->have_id ? json_object_new_string(r->id) : NULL);
	if (r->device_up) {
		struct json_object *f = json_object_new_object();

		json_object_object_add(f, "offered", feature_json(r->bu.offered));
		json_object_object_add(f, "accepted", feature_json(r->bu.accepted));
		json_object_object_add(o, "features", f);
	} else {
		json_object_object_add(o, "features", NULL);
	}
	a = json_object_new_array();
	for (i = 0; i < r->steps.n; i++) {
		struct json_object *s = json_object_new_object();

		json_object_object_add(s, "step", json_object_new_string(r->steps.v[i].name));
		json_object_object_add(s, "ok", json_object_new_boolean(r->steps.v[i].ok));
		json_object_object_add(s, "detail", json_object_new_string(r->steps.v[i].detail));
		json_object_array_add(a, s);
	}
	json_object_object_add(o, "steps", a);
	a = json_object_new_array();
	for (i = 0; i < r->nreqs; i++) {
		const struct req *q = &r->reqs[i];
		struct json_object *s = json_object_new_object();

		json_object_object_add(s, "type", json_object_new_string(
			q->type == VB_T_UNKNOWN ? "UNKNOWN" : vb_type_name(q->type)));
		json_object_object_add(s, "type_value", json_object_new_int64(q->type));
		json_object_object_add(s, "lba", json_object_new_uint64(q->lba));
		json_object_object_add(s, "count", json_object_new_uint64(q->count));
		json_object_object_add(s, "status", json_object_new_string(req_status(q, b, sizeof(b))));
		json_object_object_add(s, "status_value",
				       q->done ? json_object_new_int(q->status) : NULL);
		json_object_object_add(s, "expected", json_object_new_string(
			vb_status_name(q->expect, b, sizeof(b))));
		json_object_object_add(s, "len", q->done ? json_object_new_int64(q->len) : NULL);
		json_object_object_add(s, "latency_ns", q->done ? json_object_new_uint64(q->latency) : NULL);
		json_object_object_add(s, "ok", json_object_new_boolean(q->ok));
		json_object_object_add(s, "message", q->why[0] ? json_object_new_string(q->why) : NULL);
		json_object_array_add(a, s);
	}
	json_object_object_add(o, "requests", a);
	if (r->bench_done) {
		struct json_object *bj = json_object_new_object(), *l = json_object_new_object();

		json_object_object_add(bj, "seconds", json_object_new_double(r->bench_secs));
		json_object_object_add(bj, "elapsed", json_object_new_double(r->bench_elapsed));
		json_object_object_add(bj, "depth", json_object_new_int64(r->depth));
		json_object_object_add(bj, "size", json_object_new_int64(r->bsize));
		json_object_object_add(bj, "requests", json_object_new_uint64(r->bench_n));
		json_object_object_add(bj, "errors", json_object_new_uint64(r->bench_errors));
		json_object_object_add(bj, "iops", json_object_new_double(r->iops));
		json_object_object_add(l, "min", json_object_new_uint64(r->lat_min));
		json_object_object_add(l, "p50", json_object_new_uint64(r->lat_p50));
		json_object_object_add(l, "p99", json_object_new_uint64(r->lat_p99));
		json_object_object_add(l, "max", json_object_new_uint64(r->lat_max));
		json_object_object_add(bj, "latency_ns", l);
		json_object_object_add(bj, "clocksource", r->clocksource[0]
				       ? json_object_new_string(r->clocksource) : NULL);
		json_object_object_add(bj, "message",
				       r->bench_why[0] ? json_object_new_string(r->bench_why) : NULL);
		json_object_object_add(o, "bench", bj);
	} else {
		json_object_object_add(o, "bench", NULL);
	}
	json_object_object_add(o, "ok", json_object_new_boolean(verdict_ok));
	json_object_object_add(o, "verdict", json_object_new_string(verdict));
	vq_json_print(o);
}

/* ---- the command ---- */

struct opts {
	int id, flush, negative;
	int have_read, have_write, have_discard, have_wz;
	uint64_t read_lba, read_n, write_lba, write_n, disc_lba, disc_n, wz_lba, wz_n;
	const char *out;
	int pattern;              /* -1: not given */
	double bench;             /* seconds, 0: no bench */
	unsigned depth;           /* 0: not given */
	uint32_t size;            /* 0: not given */
	enum inject_kind inject;
};

static int parse_range_opt(const char *opt, const char *arg, uint64_t *lba, uint64_t *n)
{
	if (vb_parse_range(arg, lba, n))
		return vq_usage_err("blk", "%s takes LBA+N (N 512-byte sectors from LBA, N > 0), not '%s'",
				    opt, arg);
	return 0;
}

static int parse_opts(struct vq_ctx *ctx, int argc, char **argv, struct opts *o)
{
	const struct vq_cmd *cmd = vq_find_cmd("blk");
	uint64_t v;
	char *end;
	int c, ret;

	(void)ctx; /* --help, -d, --json and -v were taken by the dispatcher */
	memset(o, 0, sizeof(*o));
	o->pattern = -1;
	while ((c = vq_cmd_getopt(cmd, argc, argv)) != -1) {
		ret = 0;
		switch (c) {
		case 'I':
			o->id = 1;
			break;
		case 'r':
			ret = parse_range_opt("--read", optarg, &o->read_lba, &o->read_n);
			o->have_read = 1;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'w':
			ret = parse_range_opt("--write", optarg, &o->write_lba, &o->write_n);
			o->have_write = 1;
			break;
		case 'p':
			if (vq_parse_u64(optarg, &v) || v > 255)
				return vq_usage_err("blk", "--pattern takes a byte (0 to 255, or 0xNN), not '%s'",
						    optarg);
			o->pattern = (int)v;
			break;
		case 'F':
			o->flush = 1;
			break;
		case 'D':
			ret = parse_range_opt("--discard", optarg, &o->disc_lba, &o->disc_n);
			o->have_discard = 1;
			break;
		case 'Z':
			ret = parse_range_opt("--write-zeroes", optarg, &o->wz_lba, &o->wz_n);
			o->have_wz = 1;
			break;
		case 'N':
			o->negative = 1;
			break;
		case 'b':
			errno = 0;
			o->bench = strtod(optarg, &end);
			if (errno || *end || !(o->bench > 0) || o->bench > 86400)
				return vq_usage_err("blk", "--bench takes seconds (more than 0, at most 86400), not '%s'",
						    optarg);
			break;
		case 'q':
			if (vq_parse_u64(optarg, &v) || !v || v > 32768)
				return vq_usage_err("blk", "--depth takes 1 to 32768, not '%s'", optarg);
			o->depth = (unsigned)v;
			break;
		case 's':
			if (vq_parse_u64(optarg, &v) || !v || v % SECTOR || v > BENCH_MAX_BYTES)
				return vq_usage_err("blk", "--size takes a multiple of 512 up to %u bytes, not '%s'",
						    BENCH_MAX_BYTES, optarg);
			o->size = (uint32_t)v;
			break;
		case 'i':
			for (o->inject = INJ_LOOP; o->inject <= INJ_INDIRECT_SIZE; o->inject++)
				if (!strcmp(optarg, inject_names[o->inject]))
					break;
			if (o->inject > INJ_INDIRECT_SIZE)
				return vq_usage_err("blk", "--inject takes loop, next-range or indirect-size, not '%s'",
						    optarg);
			break;
		}
		if (ret)
			return ret;
	}
	if (optind < argc)
		return vq_usage_err("blk", "unexpected argument '%s'", argv[optind]);
	if (o->out && !o->have_read)
		return vq_usage_err("blk", "-o/--output goes with --read");
	if (o->pattern >= 0 && !o->have_write)
		return vq_usage_err("blk", "--pattern goes with --write");
	if ((o->depth || o->size) && !o->bench)
		return vq_usage_err("blk", "--depth and --size go with --bench");
	if (o->inject && (o->id || o->have_read || o->have_write || o->flush || o->have_discard ||
			  o->have_wz || o->negative || o->bench))
		return vq_usage_err("blk", "--inject runs alone: it leaves the device broken on purpose");
	if (!o->depth)
		o->depth = 1;
	if (!o->size)
		o->size = 4096;
	if (o->bench && (uint64_t)o->depth * o->size > BENCH_MAX_BYTES)
		return vq_usage_err("blk", "--depth * --size must stay within %u bytes of DMA memory",
				    BENCH_MAX_BYTES);
	if (!o->id && !o->have_read && !o->have_write && !o->flush && !o->have_discard &&
	    !o->have_wz && !o->negative && !o->bench && !o->inject)
		o->id = 1; /* nothing asked: bring-up and GET_ID */
	return 0;
}

/* A range option against the capacity (nothing outside it is touched). */
static int check_range(const struct run *r, const char *opt, uint64_t lba, uint64_t n)
{
	if (vb_range_check(lba, n, r->capacity) == 0)
		return 0;
	vq_err("blk: %s %llu+%llu is outside the device's %llu sectors; nothing was sent", opt,
	       (unsigned long long)lba, (unsigned long long)n, (unsigned long long)r->capacity);
	return -ERANGE;
}

static void read_config(struct run *r)
{
	uint8_t cfg[64];
	uint64_t cap;
	uint32_t v;

	memset(cfg, 0, sizeof(cfg));
	if (r->hw.t.ops->config_read(r->hw.t.h, 0, cfg, 8)) {
		vb_step_add(&r->steps, "config", 0, "read capacity: %s", r->hw.err);
		return;
	}
	memcpy(&cap, cfg, 8);
	r->capacity = le64toh(cap);
	if (has(r, VIRTIO_BLK_F_BLK_SIZE) &&
	    !r->hw.t.ops->config_read(r->hw.t.h, offsetof(struct virtio_blk_config, blk_size), &v, 4))
		r->blk_size = le32toh(v);
	if (has(r, VIRTIO_BLK_F_DISCARD) &&
	    !r->hw.t.ops->config_read(r->hw.t.h, offsetof(struct virtio_blk_config, max_discard_sectors),
				      &v, 4))
		r->max_discard = le32toh(v);
	if (has(r, VIRTIO_BLK_F_WRITE_ZEROES) &&
	    !r->hw.t.ops->config_read(r->hw.t.h,
				      offsetof(struct virtio_blk_config, max_write_zeroes_sectors), &v, 4))
		r->max_wz = le32toh(v);
	vb_step_add(&r->steps, "config", 1, "capacity %llu sectors", (unsigned long long)r->capacity);
}

static int fail_access(const char *msg)
{
	vq_err("blk: %s", msg);
	return EXIT_ACCESS;
}

int vq_cmd_blk(struct vq_ctx *ctx, int argc, char **argv)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
	struct sigaction sa, old_sa[sizeof(sigs) / sizeof(sigs[0])];
	struct opts o;
	struct run r;
	char err[512], verdict[200];
	int ret, code = EXIT_OK, out_fd = -1, wrong = 0, inject_result = 0;
	size_t need, i;

	ret = parse_opts(ctx, argc, argv, &o);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.depth = o.depth;
	r.bsize = o.size;
	r.bench_secs = o.bench;
	r.hw.common.fd = r.hw.notify.fd = r.hw.devcfg.fd = -1;
	if (ctx->core || ctx->raw)
		return vq_usage_err("blk", "blk drives a live device; --core and --raw are memory images");
	r.d = vq_ctx_device(ctx, &code);
	if (!r.d)
		return code;
	ret = vb_hw_open(&r.hw, r.d, &r.steps, err, sizeof(err));
	if (ret) {
		vb_hw_close(&r.hw);
		return fail_access(err);
	}
	/* DMA: the ring, one request slot and a chunk, and the bench slots. */
	need = RING_RESERVE + SLOT + CHUNK_SECTORS * SECTOR + 4096;
	if (o.bench)
		need += (size_t)o.depth * (SLOT + (o.size + 4095) / 4096 * 4096) + 4096;
	ret = vb_dma_open(&r.dma, need);
	if (ret) {
		vb_hw_close(&r.hw);
		snprintf(err, sizeof(err), "DMA memory: %s", r.dma.err);
		return fail_access(err);
	}
	if (alloc_requests(&r, o.bench > 0)) {
		snprintf(err, sizeof(err), "DMA memory for requests: %s", r.dma.err);
		free(r.bs);
		vb_dma_close(&r.dma);
		vb_hw_close(&r.hw);
		return fail_access(err);
	}
	vb_step_add(&r.steps, "dma", 1, "%zu bytes of %s, first page at 0x%llx (pagemap)", r.dma.len,
		    r.dma.huge ? "one locked 2 MiB huge page" : "locked 4 KiB pages",
		    (unsigned long long)r.dma.pa[0]);

	/* Every signal that would end the process ends the run instead, so the
	 * device is reset; a closed output pipe becomes a write error (EPIPE). */
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sa.sa_handler = sigs[i] == SIGPIPE ? SIG_IGN : on_signal;
		sigaction(sigs[i], &sa, &old_sa[i]);
	}
	stop_flag = 0;

	ret = vb_bring_up(&r.hw.t, o.inject == INJ_INDIRECT_SIZE, QUEUE_WANT, ring_alloc, &r, &r.bu,
			  &r.steps);
	if (ret) {
		const char *at = "?";

		for (i = 0; i < r.steps.n; i++)
			if (!r.steps.v[i].ok)
				at = r.steps.v[i].name;
		snprintf(verdict, sizeof(verdict), "bring-up failed at step '%s'", at);
		/* No memory for the ring is the machine's problem, not the device's. */
		code = ret == -ENOMEM ? EXIT_ACCESS : EXIT_FOUND;
		goto report;
	}
	r.device_up = 1;
	read_config(&r);

	if (o.inject) {
		inject_result = inject(&r, o.inject);
		if (inject_result < 0) {
			code = EXIT_FOUND;
			snprintf(verdict, sizeof(verdict), "could not publish the injected chain");
		} else if (inject_result == 0) {
			snprintf(verdict, sizeof(verdict),
				 "device flagged the malformed chain with NEEDS_RESET; device left unreset");
			/* No reset: diagnose is to see the device as it is.  The
			 * device has stopped (NEEDS_RESET), so it no longer uses
			 * the ring memory given back at exit. */
			goto report;
		} else {
			code = EXIT_FOUND;
			snprintf(verdict, sizeof(verdict),
				 "device did not set NEEDS_RESET for the malformed chain; device reset");
		}
		goto reset; /* a device still running must not keep memory we give back */
	}

	/* Ranges against the capacity, before anything is sent. */
	if ((o.have_read && check_range(&r, "--read", o.read_lba, o.read_n)) ||
	    (o.have_write && check_range(&r, "--write", o.write_lba, o.write_n)) ||
	    (o.have_discard && check_range(&r, "--discard", o.disc_lba, o.disc_n)) ||
	    (o.have_wz && check_range(&r, "--write-zeroes", o.wz_lba, o.wz_n))) {
		code = EXIT_USAGE;
		snprintf(verdict, sizeof(verdict), "a range is outside the device; nothing sent");
		goto reset;
	}
	if ((o.have_write || o.have_discard || o.have_wz) && has(&r, VIRTIO_BLK_F_RO)) {
		vq_err("blk: the device is read-only (VIRTIO_BLK_F_RO); --write, --discard and --write-zeroes are not sent");
		code = EXIT_USAGE;
		snprintf(verdict, sizeof(verdict), "device is read-only; nothing sent");
		goto reset;
	}
	if (o.bench && r.depth * (2 + data_pieces(&r, r.bsize)) > r.vq.size) {
		vq_err("blk: --depth %u needs %u descriptors, queue 0 has %u", r.depth,
		       r.depth * (2 + data_pieces(&r, r.bsize)), r.vq.size);
		code = EXIT_USAGE;
		snprintf(verdict, sizeof(verdict), "--depth too large for the queue; nothing sent");
		goto reset;
	}

	/* Truncate the output file only once a read is going to be sent. */
	if (o.out) {
		out_fd = open(o.out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out_fd < 0) {
			vq_err("blk: open %s: %s", o.out, strerror(errno));
			code = EXIT_ACCESS;
			snprintf(verdict, sizeof(verdict), "cannot open the output file; nothing sent");
			goto reset;
		}
	}
	if (o.id)
		do_get_id(&r);
	if (o.have_write)
		do_rw(&r, 1, o.write_lba, o.write_n, o.pattern >= 0 ? o.pattern : DEFAULT_PATTERN, -1, 0);
	if (o.have_wz) {
		if (has(&r, VIRTIO_BLK_F_WRITE_ZEROES))
			do_dwz(&r, VIRTIO_BLK_T_WRITE_ZEROES, o.wz_lba, o.wz_n, r.max_wz);
		else
			skipped(&r, VIRTIO_BLK_T_WRITE_ZEROES, o.wz_lba, o.wz_n,
				"WRITE_ZEROES not offered by the device: not sent");
	}
	if (o.have_discard) {
		if (has(&r, VIRTIO_BLK_F_DISCARD))
			do_dwz(&r, VIRTIO_BLK_T_DISCARD, o.disc_lba, o.disc_n, r.max_discard);
		else
			skipped(&r, VIRTIO_BLK_T_DISCARD, o.disc_lba, o.disc_n,
				"DISCARD not offered by the device: not sent");
	}
	if (o.flush)
		do_flush(&r);
	if (o.have_read && do_rw(&r, 0, o.read_lba, o.read_n, 0, out_fd, 1) == -EIO)
		code = EXIT_ACCESS;
	if (o.negative)
		do_negative(&r);
	if (o.bench && !r.broken && !stop_flag && bench(&r) < 0)
		code = EXIT_ACCESS;

	for (i = 0; i < r.nreqs; i++)
		wrong += !r.reqs[i].ok;
	if (r.bench_errors)
		wrong++;
	if (stop_flag)
		snprintf(verdict, sizeof(verdict), "interrupted; device reset");
	else if (wrong)
		snprintf(verdict, sizeof(verdict), "%d request%s did not complete as the spec says",
			 wrong, wrong == 1 ? "" : "s");
	else
		snprintf(verdict, sizeof(verdict), "every request completed as the spec says");
	if ((wrong || stop_flag) && code == EXIT_OK)
		code = EXIT_FOUND;

reset:
	ret = vb_reset(&r.hw.t, 1000);
	vb_step_add(&r.steps, "reset", ret == 0,
		    ret ? "status did not read 0 within 1 s: the device is not reusable"
			: "status written 0, reads 0: device reset and unbound, reusable");
	if (ret && code == EXIT_OK) {
		code = EXIT_FOUND;
		snprintf(verdict, sizeof(verdict), "device did not reset");
	}
	if (vb_dma_verify(&r.dma)) {
		vb_step_add(&r.steps, "dma_check", 0, "%s", r.dma.err);
		if (code == EXIT_OK) {
			code = EXIT_ACCESS;
			snprintf(verdict, sizeof(verdict), "DMA pages moved during the run: results not trustworthy");
		}
	} else {
		vb_step_add(&r.steps, "dma_check", 1, "DMA pages at the same physical addresses after the run");
	}
report:
	if (ctx->json)
		print_json(&r, code == EXIT_OK, verdict);
	else
		print_text(&r, code == EXIT_OK, verdict);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &old_sa[i], NULL);
	if (out_fd >= 0)
		close(out_fd);
	if (r.vq_ready)
		vb_vq_free(&r.vq);
	vb_dma_close(&r.dma);
	vb_hw_close(&r.hw);
	free(r.reqs);
	free(r.bs);
	return code;
}
