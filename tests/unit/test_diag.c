/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the diagnose findings: each fires on a hand-built case and stays silent on a healthy one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

#include "decode/diag.h"
#include "fakemem.h"

#define BASE 0x100000ull
#define DESC 0x101000ull
#define N 8

/* ------------------------------------------------------------ helpers */

struct rep {
	struct vq_diag_finding f[64];
	struct vq_diag_report r;
};

static void rep_init(struct rep *p)
{
	memset(p, 0, sizeof(*p));
	p->r.f = p->f;
	p->r.max = 64;
	p->r.device = "0000:00:04.0";
}

static const struct vq_diag_finding *find(const struct rep *p, const char *code)
{
	unsigned i;

	for (i = 0; i < p->r.n; i++)
		if (!strcmp(p->f[i].code, code))
			return &p->f[i];
	return NULL;
}

static uint64_t ev(const struct vq_diag_finding *f, const char *key)
{
	unsigned i;

	for (i = 0; i < f->nev; i++)
		if (!strcmp(f->ev[i].key, key))
			return f->ev[i].value;
	fail_msg("evidence %s missing from %s", key, f->code);
	return 0;
}

/* A healthy modern virtio-blk device driven by Linux, one queue. */
struct devrig {
	struct vq_dev d;
	struct vq_queue_state q[2];
};

static void dev_healthy(struct devrig *g)
{
	memset(g, 0, sizeof(*g));
	g->d.kind = VQ_T_PCI;
	g->d.pci_device = 0x1042;
	snprintf(g->d.name, sizeof(g->d.name), "0000:00:04.0");
	snprintf(g->d.driver, sizeof(g->d.driver), "virtio-pci");
	g->d.device_id = VIRTIO_ID_BLOCK;
	g->d.status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		      VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK;
	g->d.driver_features[1] = 1u << (VIRTIO_F_VERSION_1 - 32);
	g->d.driver_features[0] = 1u << VIRTIO_RING_F_EVENT_IDX;
	g->d.driver_features_src = VQ_SRC_REGISTERS;
	g->d.device_features_src = VQ_SRC_REGISTERS;
	g->d.access = VQ_ACCESS_MAPPED;
	g->d.num_queues = 1;
	g->d.queues = g->q;
	g->q[0] = (struct vq_queue_state){ .index = 0, .size = 256, .max_size = 1024,
					   .size_src = VQ_SRC_REGISTERS, .enabled = 1,
					   .desc = 0x2000000, .avail = 0x2001000, .used = 0x2001240,
					   .addr_src = VQ_SRC_REGISTERS };
}

static unsigned dev_run(const struct devrig *g, struct rep *p)
{
	rep_init(p);
	vq_diag_device(&g->d, &p->r);
	return p->r.n;
}

/* A split ring of N entries in fake memory. */
struct rig {
	struct fakemem m;
	struct vq_fetch f;
	struct vq_ring_view v;
	struct vq_chain chains[N];
	struct vq_used_elem used[1];
	struct vq_chain_desc pool[4 * N + 256];
	struct vq_finding findings[64];
};

static struct rig *rig_new(void)
{
	struct rig *r = calloc(1, sizeof(*r));
	unsigned nch, npool, nf;

	fake_init(&r->m, BASE, 1 << 20);
	r->f = fake_fetch(&r->m);
	vq_ring_layout_contig(DESC, N, 64, &r->v.layout);
	vq_ring_view_sizes(N, 0, &nch, &npool, &nf);
	r->v.chains = r->chains;
	r->v.max_chains = nch;
	r->v.used = r->used;
	r->v.pool = r->pool;
	r->v.pool_len = npool;
	r->v.findings = r->findings;
	r->v.max_findings = nf;
	r->v.device_id = VIRTIO_ID_BLOCK;
	return r;
}

static void rig_free(struct rig *r)
{
	fake_free(&r->m);
	free(r);
}

/* Slots used_idx .. avail_idx-1 name blk-shaped chains (16-byte header
 * out, 1-byte status in); @rx makes them receive buffers (all in). */
static void rig_fill(struct rig *r, uint16_t avail, uint16_t used, int rx)
{
	uint16_t s;

	put16(&r->m, r->v.layout.avail + 2, avail);
	put16(&r->m, r->v.layout.used + 2, used);
	for (s = used; s != avail; s++) {
		unsigned head = (2u * s) % N;

		put16(&r->m, r->v.layout.avail + 4 + 2u * (s % N), (uint16_t)head);
		put_desc(&r->m, DESC, head, 0x80000 + 0x100 * head, rx ? 1500 : 16,
			 VRING_DESC_F_NEXT | (rx ? VRING_DESC_F_WRITE : 0), (uint16_t)(head + 1));
		put_desc(&r->m, DESC, head + 1, 0x80010 + 0x100 * head, 1, VRING_DESC_F_WRITE, 0);
	}
}

static void set_events(struct rig *r, uint16_t used_event, uint16_t avail_event)
{
	put16(&r->m, r->v.layout.avail + 4 + 2u * N, used_event);
	put16(&r->m, r->v.layout.used + 4 + 8u * N, avail_event);
}

static void set_used_flags(struct rig *r, uint16_t fl)
{
	put16(&r->m, r->v.layout.used, fl);
}

static void sample(const struct rig *r, struct vq_diag_sample *s)
{
	s->valid = 1;
	s->full = 1;
	s->avail_idx = r->v.hdr.avail_idx;
	s->used_idx = r->v.hdr.used_idx;
	s->avail_flags = r->v.hdr.avail_flags;
	s->used_flags = r->v.hdr.used_flags;
	s->used_event = r->v.hdr.used_event;
	s->avail_event = r->v.hdr.avail_event;
}

/* Decode, take sample 1, let @later change the memory, decode again as
 * sample 2, and run the queue checks. */
/* As two_samples() below, with the device side's account @dv (QEMU's
 * over QMP) or, @dv NULL and @dv_expected, a source that has none for
 * this queue (vhost). */
static void two_samples_dv(struct rig *r, struct rep *p, int event_idx, uint32_t device_id,
			   int queue, void (*later)(struct rig *), const struct vq_queue_state *dv,
			   int dv_expected)
{
	struct vq_diag_queue_in in;

	memset(&in, 0, sizeof(in));
	in.dv = dv;
	in.dv_expected = dv_expected;
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 0), 0);
	sample(r, &in.s1);
	if (later)
		later(r);
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 0), 0);
	sample(r, &in.s2);
	in.queue = queue;
	in.device_id = device_id;
	in.size = N;
	in.v = &r->v;
	in.interval_ms = 1000;
	in.event_idx = event_idx;
	rep_init(p);
	vq_diag_queue(&in, &p->r);
}

static void two_samples(struct rig *r, struct rep *p, int event_idx, uint32_t device_id,
			int queue, void (*later)(struct rig *))
{
	two_samples_dv(r, p, event_idx, device_id, queue, later, NULL, 0);
}

static void one_sample(struct rig *r, struct rep *p, int event_idx, int held_dump)
{
	struct vq_diag_queue_in in;

	memset(&in, 0, sizeof(in));
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 0), 0);
	sample(r, &in.s1);
	in.queue = -1;
	in.size = N;
	in.v = &r->v;
	in.event_idx = event_idx;
	in.held_dump = held_dump;
	rep_init(p);
	vq_diag_queue(&in, &p->r);
}

/* ------------------------------------------------------------ device */

static void test_healthy_device(void **state)
{
	struct devrig g;
	struct rep p;

	(void)state;
	dev_healthy(&g);
	assert_int_equal(dev_run(&g, &p), 0);
}

/* 2.1.2: DEVICE_NEEDS_RESET (0x40), what `blk --inject` provokes. */
static void test_needs_reset(void **state)
{
	struct devrig g;
	struct rep p;
	const struct vq_diag_finding *f;

	(void)state;
	dev_healthy(&g);
	g.d.status |= 0x40;
	dev_run(&g, &p);
	f = find(&p, "DEVICE_NEEDS_RESET");
	assert_non_null(f);
	assert_int_equal(f->severity, VQ_SEV_ERROR);
	assert_int_equal(f->queue, -1);
	assert_string_equal(f->device, "0000:00:04.0");
	assert_int_equal(ev(f, "status"), 0x4f);
	assert_int_equal(p.r.n, 1);
}

static void test_failed(void **state)
{
	struct devrig g;
	struct rep p;

	(void)state;
	dev_healthy(&g);
	g.d.status |= VIRTIO_CONFIG_S_FAILED;
	dev_run(&g, &p);
	assert_non_null(find(&p, "DEVICE_FAILED"));
	assert_int_equal(p.r.n, 1);
}

/* 3.1.1: a VERSION_1 driver sets FEATURES_OK before DRIVER_OK. */
static void test_driver_ok_without_features_ok(void **state)
{
	struct devrig g;
	struct rep p;

	(void)state;
	dev_healthy(&g);
	g.d.status &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
	dev_run(&g, &p);
	assert_non_null(find(&p, "DRIVER_OK_WITHOUT_FEATURES_OK"));
	/* A legacy driver on a transitional device never sets FEATURES_OK. */
	g.d.pci_device = 0x1001;
	g.d.driver_features[1] = 0;
	assert_int_equal(dev_run(&g, &p), 0);
	/* Driver features unknown, device non-transitional: must be 1.x. */
	g.d.pci_device = 0x1042;
	g.d.driver_features_src = VQ_SRC_NONE;
	dev_run(&g, &p);
	assert_non_null(find(&p, "DRIVER_OK_WITHOUT_FEATURES_OK"));
}

/* SeaBIOS leaves virtio-blk at DRIVER_OK with no OS driver bound. */
static void test_no_driver_initialised(void **state)
{
	struct devrig g;
	struct rep p;
	const struct vq_diag_finding *f;

	(void)state;
	dev_healthy(&g);
	g.d.driver[0] = 0;
	dev_run(&g, &p);
	f = find(&p, "NO_DRIVER_INITIALISED");
	assert_non_null(f);
	assert_int_equal(f->severity, VQ_SEV_WARNING);
	assert_int_equal(ev(f, "desc"), 0x2000000);
	/* Partly initialised, never live: a note only. */
	g.d.status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
	dev_run(&g, &p);
	assert_int_equal(find(&p, "NO_DRIVER_INITIALISED")->severity, VQ_SEV_INFO);
	/* Reset and unbound: nothing to say. */
	g.d.status = 0;
	assert_int_equal(dev_run(&g, &p), 0);
	/* Bound (Linux's virtio-pci with no virtio driver leaves ACKNOWLEDGE). */
	snprintf(g.d.driver, sizeof(g.d.driver), "virtio-pci");
	g.d.status = VIRTIO_CONFIG_S_ACKNOWLEDGE;
	assert_int_equal(dev_run(&g, &p), 0);
}

static void test_queue_addr_zero(void **state)
{
	struct devrig g;
	struct rep p;

	(void)state;
	dev_healthy(&g);
	g.q[0].used = 0;
	dev_run(&g, &p);
	assert_non_null(find(&p, "QUEUE_ADDR_ZERO"));
	assert_int_equal(p.f[0].queue, 0);
	/* virtio-mmio v2 cannot read the addresses back: zero means unknown. */
	g.d.kind = VQ_T_MMIO;
	g.d.mmio_version = 2;
	g.q[0].desc = g.q[0].avail = 0;
	assert_int_equal(dev_run(&g, &p), 0);
	/* ... unless Linux's records gave them. */
	g.q[0].addr_src = VQ_SRC_KERNEL;
	dev_run(&g, &p);
	assert_non_null(find(&p, "QUEUE_ADDR_ZERO"));
	/* A disabled queue with zero addresses is fine. */
	g.q[0].enabled = 0;
	assert_int_equal(dev_run(&g, &p), 0);
}

/* 2.7: desc 16, avail 2, used 4; legacy 4096. */
static void test_queue_misaligned(void **state)
{
	struct devrig g;
	struct rep p;

	(void)state;
	dev_healthy(&g);
	g.q[0].desc = 0x2000008;
	dev_run(&g, &p);
	assert_non_null(find(&p, "QUEUE_MISALIGNED"));
	dev_healthy(&g);
	g.q[0].avail = 0x2001001;
	dev_run(&g, &p);
	assert_non_null(find(&p, "QUEUE_MISALIGNED"));
	dev_healthy(&g);
	g.q[0].used = 0x2001242;
	dev_run(&g, &p);
	assert_non_null(find(&p, "QUEUE_MISALIGNED"));
	/* Smallest legal alignments pass. */
	dev_healthy(&g);
	g.q[0].desc = 0x2000010;
	g.q[0].avail = 0x2001002;
	g.q[0].used = 0x2001244;
	assert_int_equal(dev_run(&g, &p), 0);
	/* Legacy: the table sits on a page. */
	g.d.kind = VQ_T_PCI_LEGACY;
	dev_run(&g, &p);
	assert_non_null(find(&p, "QUEUE_MISALIGNED"));
	g.q[0].desc = 0x2000000;
	assert_int_equal(dev_run(&g, &p), 0);
}

static void test_queue_size_invalid(void **state)
{
	struct devrig g;
	struct rep p;

	(void)state;
	dev_healthy(&g);
	g.q[0].size = 384;
	dev_run(&g, &p);
	assert_non_null(find(&p, "QUEUE_SIZE_INVALID"));
	g.q[0].size = 2048; /* over max_size 1024 */
	dev_run(&g, &p);
	assert_non_null(find(&p, "QUEUE_SIZE_INVALID"));
	/* A size only assumed (QueueNumMax) proves nothing. */
	g.q[0].size_src = VQ_SRC_ASSUMED;
	assert_int_equal(dev_run(&g, &p), 0);
	g.q[0].size_src = VQ_SRC_REGISTERS;
	g.q[0].size = 1024;
	assert_int_equal(dev_run(&g, &p), 0);
}

/* The rule the message states is the queue's layout's: 2.7 for a split
 * ring (a power of two), 2.8 for a packed one (any size up to 32768). */
static void test_queue_size_invalid_layout(void **state)
{
	struct devrig g;
	struct rep p;
	const struct vq_diag_finding *f;

	(void)state;
	dev_healthy(&g);
	g.q[0].size = 2048; /* over max_size 1024 */
	dev_run(&g, &p);
	f = find(&p, "QUEUE_SIZE_INVALID");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "split ring's size is a power of two"));
	assert_null(strstr(f->message, "packed"));
	g.d.driver_features[1] |= 1u << (VIRTIO_F_RING_PACKED - 32);
	dev_run(&g, &p);
	f = find(&p, "QUEUE_SIZE_INVALID");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "packed ring's size is 1 to 32768"));
	assert_non_null(strstr(f->message, "2.8)"));
	assert_null(strstr(f->message, "power of two"));
	/* 384 is no power of two, but a legal packed size. */
	g.q[0].size = 384;
	dev_run(&g, &p);
	assert_null(find(&p, "QUEUE_SIZE_INVALID"));
}

/* ------------------------------------------------------------ rings */

/* 2.7.10 vring_need_event, wrap-aware. */
static void test_need_event(void **state)
{
	(void)state;
	assert_true(vq_need_event(4, 5, 4));
	assert_true(vq_need_event(4, 6, 3));
	assert_false(vq_need_event(5, 5, 3));
	assert_false(vq_need_event(10, 6, 3));
	assert_true(vq_need_event(65535, 1, 65534));
	assert_false(vq_need_event(1, 0, 65534));
}

static void complete_one(struct rig *r)
{
	put16(&r->m, r->v.layout.used + 2, (uint16_t)(r->v.hdr.used_idx + 1));
	set_events(r, r->v.hdr.used_event, r->v.hdr.avail_event);
}

static void nothing(struct rig *r)
{
	(void)r;
}

/* Device took the requests (avail_event == avail idx) and completes none. */
static void test_not_completing(void **state)
{
	struct rig *r = rig_new();
	const struct vq_diag_finding *f;
	struct rep p;

	(void)state;
	rig_fill(r, 7, 5, 0);
	set_events(r, 5, 7);
	two_samples(r, &p, 1, VIRTIO_ID_BLOCK, 0, nothing);
	f = find(&p, "NOT_COMPLETING");
	assert_non_null(f);
	assert_int_equal(f->queue, 0);
	assert_int_equal(ev(f, "avail_event"), 7);
	assert_int_equal(ev(f, "used_idx"), 5);
	assert_int_equal(p.r.n, 1);
	/* Healthy: one completion within the interval. */
	rig_fill(r, 7, 5, 0);
	two_samples(r, &p, 1, VIRTIO_ID_BLOCK, 0, complete_one);
	assert_int_equal(p.r.n, 0);
	rig_free(r);
}

/* Requests past avail_event the device never fetched: a kick was due. */
static void test_not_consuming(void **state)
{
	struct rig *r = rig_new();
	const struct vq_diag_finding *f;
	struct rep p;

	(void)state;
	rig_fill(r, 65535, 65532, 0); /* across the wrap */
	set_events(r, 65532, 65532);
	two_samples(r, &p, 1, VIRTIO_ID_BLOCK, 0, nothing);
	f = find(&p, "NOT_CONSUMING");
	assert_non_null(f);
	assert_null(find(&p, "NOT_COMPLETING"));
	assert_int_equal(ev(f, "avail_event"), 65532);
	assert_int_equal(ev(f, "avail_idx_later"), 65535);
	/* The device moved avail_event between samples: it is fetching. */
	rig_fill(r, 65535, 65532, 0);
	set_events(r, 65532, 65532);
	{
		struct vq_diag_queue_in in;

		memset(&in, 0, sizeof(in));
		assert_int_equal(vq_ring_decode(&r->f, &r->v, 0), 0);
		sample(r, &in.s1);
		set_events(r, 65532, 65534);
		assert_int_equal(vq_ring_decode(&r->f, &r->v, 0), 0);
		sample(r, &in.s2);
		in.queue = 0;
		in.device_id = VIRTIO_ID_BLOCK;
		in.size = N;
		in.v = &r->v;
		in.interval_ms = 1000;
		in.event_idx = 1;
		rep_init(&p);
		vq_diag_queue(&in, &p.r);
		/* No completion, but avail_event moved: only the generic stall. */
		assert_null(find(&p, "NOT_CONSUMING"));
		assert_non_null(find(&p, "STALLED"));
	}
	rig_free(r);
}

/* Without EVENT_IDX the device's fetch point is unknown. */
static void test_stalled(void **state)
{
	struct rig *r = rig_new();
	struct rep p;

	(void)state;
	rig_fill(r, 3, 1, 0);
	two_samples(r, &p, 0, VIRTIO_ID_BLOCK, 0, nothing);
	assert_non_null(find(&p, "STALLED"));
	assert_int_equal(p.r.n, 1);
	two_samples(r, &p, 0, VIRTIO_ID_BLOCK, 0, complete_one);
	assert_int_equal(p.r.n, 0);
	rig_free(r);
}

/* NO_NOTIFY while requests wait, without EVENT_IDX. */
static void test_no_notify_pending(void **state)
{
	struct rig *r = rig_new();
	struct rep p;

	(void)state;
	rig_fill(r, 3, 1, 0);
	set_used_flags(r, VRING_USED_F_NO_NOTIFY);
	two_samples(r, &p, 0, VIRTIO_ID_BLOCK, 0, nothing);
	assert_non_null(find(&p, "NO_NOTIFY_PENDING"));
	assert_null(find(&p, "STALLED"));
	/* Busy device polling with NO_NOTIFY: it completes, no finding. */
	two_samples(r, &p, 0, VIRTIO_ID_BLOCK, 0, complete_one);
	assert_int_equal(p.r.n, 0);
	/* With EVENT_IDX the flag is ignored by the driver (2.7.10). */
	set_events(r, 1, 1);
	two_samples(r, &p, 1, VIRTIO_ID_BLOCK, 0, nothing);
	assert_null(find(&p, "NO_NOTIFY_PENDING"));
	rig_free(r);
}

/* Receive buffers (device-writable only) may wait for traffic forever;
 * so may the balloon's statistics buffer. */
static void test_receive_buffers_silent(void **state)
{
	struct rig *r = rig_new();
	struct rep p;

	(void)state;
	rig_fill(r, 8, 0, 1);
	set_events(r, 0, 8);
	two_samples(r, &p, 1, VIRTIO_ID_NET, 0, nothing);
	assert_int_equal(p.r.n, 0);
	rig_fill(r, 1, 0, 0);
	set_events(r, 0, 1);
	two_samples(r, &p, 1, VIRTIO_ID_BALLOON, 2, nothing);
	assert_int_equal(p.r.n, 0);
	two_samples(r, &p, 1, VIRTIO_ID_BALLOON, 0, nothing);
	assert_non_null(find(&p, "NOT_COMPLETING"));
	rig_free(r);
}

/* Driver side: completions past used_event that stay unreaped. */
static void test_completions_unreaped(void **state)
{
	struct rig *r = rig_new();
	const struct vq_diag_finding *f;
	struct rep p;

	(void)state;
	rig_fill(r, 12, 12, 0);
	set_events(r, 10, 12);
	two_samples(r, &p, 1, VIRTIO_ID_BLOCK, 0, nothing);
	f = find(&p, "COMPLETIONS_UNREAPED");
	assert_non_null(f);
	assert_int_equal(f->severity, VQ_SEV_WARNING);
	assert_int_equal(ev(f, "used_event"), 10);
	/* Lazy reapers (console transmit): a note. */
	two_samples(r, &p, 1, VIRTIO_ID_CONSOLE, 1, nothing);
	assert_int_equal(find(&p, "COMPLETIONS_UNREAPED")->severity, VQ_SEV_INFO);
	/* Caught up, or callbacks off (Linux writes 0), or asked for later. */
	set_events(r, 12, 12);
	two_samples(r, &p, 1, VIRTIO_ID_BLOCK, 0, nothing);
	assert_int_equal(p.r.n, 0);
	set_events(r, 0, 12);
	two_samples(r, &p, 1, VIRTIO_ID_BLOCK, 0, nothing);
	assert_int_equal(p.r.n, 0);
	set_events(r, 15, 12);
	two_samples(r, &p, 1, VIRTIO_ID_BLOCK, 0, nothing);
	assert_int_equal(p.r.n, 0);
	/* Without EVENT_IDX nothing tells where the driver is. */
	set_events(r, 10, 12);
	two_samples(r, &p, 0, VIRTIO_ID_BLOCK, 0, nothing);
	assert_int_equal(p.r.n, 0);
	rig_free(r);
}

/* One sample: a QEMU dump's held requests vs. any other image. */
static void test_single_sample(void **state)
{
	struct rig *r = rig_new();
	const struct vq_diag_finding *f;
	struct rep p;

	(void)state;
	rig_fill(r, 576, 572, 0);
	set_events(r, 572, 576);
	one_sample(r, &p, -1, 1);
	f = find(&p, "NOT_COMPLETING");
	assert_non_null(f);
	assert_int_equal(ev(f, "samples"), 1);
	assert_int_equal(ev(f, "in_flight"), 4);
	one_sample(r, &p, -1, 0);
	assert_null(find(&p, "NOT_COMPLETING"));
	assert_int_equal(find(&p, "PENDING_AT_DUMP")->severity, VQ_SEV_INFO);
	/* Not yet fetched in a QEMU dump: QEMU may not have run the kick. */
	set_events(r, 572, 572);
	one_sample(r, &p, -1, 1);
	assert_null(find(&p, "NOT_COMPLETING"));
	assert_non_null(find(&p, "PENDING_AT_DUMP"));
	/* Idle ring: nothing. */
	rig_fill(r, 576, 576, 0);
	one_sample(r, &p, -1, 1);
	assert_int_equal(p.r.n, 0);
	rig_free(r);
}

/* A snapshot: ring memory at the first sample, indices only at the
 * second (struct vq_queue_state idx2). */
static void test_snapshot_second_sample(void **state)
{
	struct rig *r = rig_new();
	struct vq_diag_queue_in in;
	struct rep p;

	(void)state;
	rig_fill(r, 7, 5, 0);
	set_events(r, 5, 6); /* one taken, one not yet */
	memset(&in, 0, sizeof(in));
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 0), 0);
	sample(r, &in.s1);
	in.s2.valid = 1;
	in.s2.avail_idx = 7;
	in.s2.used_idx = 5;
	in.queue = 0;
	in.device_id = VIRTIO_ID_BLOCK;
	in.size = N;
	in.v = &r->v;
	in.interval_ms = 500;
	in.event_idx = 1;
	rep_init(&p);
	vq_diag_queue(&in, &p.r);
	/* Taken by the first sample, not completed by the second: sound. */
	assert_non_null(find(&p, "NOT_COMPLETING"));
	assert_int_equal(ev(find(&p, "NOT_COMPLETING"), "avail_event"), 6);
	/* Untaken at the first: the device may have fetched it since. */
	assert_null(find(&p, "NOT_CONSUMING"));
	/* Nothing taken: only the generic stall. */
	set_events(r, 5, 5);
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 0), 0);
	sample(r, &in.s1);
	rep_init(&p);
	vq_diag_queue(&in, &p.r);
	assert_null(find(&p, "NOT_CONSUMING"));
	assert_non_null(find(&p, "STALLED"));
	/* One completion in between: silent. */
	in.s2.used_idx = 6;
	rep_init(&p);
	vq_diag_queue(&in, &p.r);
	assert_int_equal(p.r.n, 0);
	rig_free(r);
}

/* Ring decoder findings are passed on, under their own codes. */
static void test_ring_findings_reused(void **state)
{
	struct rig *r = rig_new();
	struct vq_diag_queue_in in;
	struct rig *other = rig_new();
	struct rep p;

	(void)state;
	rig_fill(r, 1, 0, 0);
	put_desc(&r->m, DESC, 0, 0x80000, 16, VRING_DESC_F_NEXT, 1);
	put_desc(&r->m, DESC, 1, 0x80010, 1, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 0);
	one_sample(r, &p, -1, 0);
	assert_non_null(find(&p, "CHAIN_LOOP"));
	/* Live: a finding seen in one decode only (a ring read while it
	 * moved) is dropped. */
	rig_fill(other, 1, 0, 0);
	assert_int_equal(vq_ring_decode(&other->f, &other->v, 0), 0);
	memset(&in, 0, sizeof(in));
	in.queue = 0;
	in.size = N;
	in.v = &r->v;
	in.v_other = &other->v;
	sample(r, &in.s1);
	rep_init(&p);
	vq_diag_queue(&in, &p.r);
	assert_null(find(&p, "CHAIN_LOOP"));
	/* More in flight than the ring holds. */
	put16(&r->m, r->v.layout.avail + 2, 20);
	one_sample(r, &p, -1, 1);
	assert_non_null(find(&p, "IN_FLIGHT_OVER_SIZE"));
	assert_int_equal(ev(find(&p, "IN_FLIGHT_OVER_SIZE"), "avail_idx"), 20);
	/* A healthy ring: nothing from the decoder. */
	rig_fill(other, 3, 1, 0);
	one_sample(other, &p, -1, 0);
	assert_null(find(&p, "CHAIN_LOOP"));
	rig_free(r);
	rig_free(other);
}


/* A descriptor a memory image lacks: the image's gap, not the device's
 * (info, counted as inconclusive); live it stays a warning. */
static void test_missing_from_image(void **state)
{
	struct rig *r = rig_new();
	const struct vq_diag_finding *f;
	struct vq_diag_queue_in in;
	struct rep p;
	int image;

	(void)state;
	rig_fill(r, 1, 0, 0);
	put_desc(&r->m, DESC, 0, 0x900000, 48, VRING_DESC_F_INDIRECT, 0); /* outside fakemem */
	for (image = 0; image < 2; image++) {
		memset(&in, 0, sizeof(in));
		assert_int_equal(vq_ring_decode(&r->f, &r->v, 0), 0);
		sample(r, &in.s1);
		in.queue = -1;
		in.size = N;
		in.v = &r->v;
		in.event_idx = -1;
		in.image = image;
		rep_init(&p);
		vq_diag_queue(&in, &p.r);
		f = find(&p, "DESC_UNREADABLE");
		assert_non_null(f);
		assert_int_equal(f->severity, image ? VQ_SEV_INFO : VQ_SEV_WARNING);
		assert_int_equal(p.r.not_in_source, image ? 1 : 0);
		if (image)
			assert_non_null(strstr(f->message, "inconclusive"));
	}
	rig_free(r);
}

/* Every finding of a ring found by address names its size and the device
 * type its payloads suggest. */
static void test_size_and_guess(void **state)
{
	struct rig *r = rig_new();
	struct rep p;

	(void)state;
	rig_fill(r, 3, 1, 0);
	r->v.device_id = 0; /* found by scan: the type is guessed */
	/* Heads 2 and 4: a 16-byte header in memory, a status byte. */
	put_desc(&r->m, DESC, 2, BASE + 0x80000, 16, VRING_DESC_F_NEXT, 3);
	put_desc(&r->m, DESC, 4, BASE + 0x80100, 16, VRING_DESC_F_NEXT, 5);
	put32(&r->m, BASE + 0x80000, 1); /* VIRTIO_BLK_T_OUT */
	put32(&r->m, BASE + 0x80100, 4); /* VIRTIO_BLK_T_FLUSH */
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 0), 0);
	assert_int_equal(vq_diag_guess_type(&r->v), VIRTIO_ID_BLOCK);
	rep_init(&p);
	p.r.device = NULL;
	p.r.ring = DESC;
	p.r.size = N;
	p.r.guessed_type = vq_diag_guess_type(&r->v);
	assert_non_null(vq_diag_add(&p.r, -1, "X", VQ_SEV_INFO, "x"));
	assert_int_equal(p.f[0].size, N);
	assert_int_equal(p.f[0].guessed_type, VIRTIO_ID_BLOCK);
	/* Receive buffers say nothing about the type. */
	rig_fill(r, 3, 1, 1);
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 0), 0);
	assert_int_equal(vq_diag_guess_type(&r->v), 0);
	rig_free(r);
}

/* Two samples a second apart call a stall "slow or stuck"; more samples
 * over VQ_DIAG_WATCH_MS call it stuck; a used idx that moved in a later
 * sample is slow, not stuck. */
static void test_slow_or_stuck(void **state)
{
	struct rig *r = rig_new();
	const struct vq_diag_finding *f;
	struct vq_diag_queue_in in;
	struct rep p;

	(void)state;
	rig_fill(r, 3, 1, 0);
	two_samples(r, &p, 0, VIRTIO_ID_BLOCK, 0, nothing);
	f = find(&p, "STALLED");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "slow or stuck:"));
	assert_int_equal(ev(f, "samples"), 2);

	memset(&in, 0, sizeof(in));
	assert_int_equal(vq_ring_decode(&r->f, &r->v, 0), 0);
	sample(r, &in.s1);
	in.s2 = in.s1;
	in.queue = 0;
	in.device_id = VIRTIO_ID_BLOCK;
	in.size = N;
	in.v = &r->v;
	in.event_idx = 0;
	in.interval_ms = VQ_DIAG_WATCH_MS;
	in.nsamples = 2 + (VQ_DIAG_WATCH_MS - 1000) / VQ_DIAG_WATCH_STEP_MS;
	rep_init(&p);
	vq_diag_queue(&in, &p.r);
	f = find(&p, "STALLED");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "stuck:"));
	assert_null(strstr(f->message, "slow"));
	assert_int_equal(ev(f, "samples"), in.nsamples);

	/* Still for 2500 ms, then one completion at 2750 ms: slow. */
	in.s2.used_idx = 2;
	in.interval_ms = 2750;
	in.nsamples = 9;
	in.slow_ms = 2500;
	rep_init(&p);
	vq_diag_queue(&in, &p.r);
	assert_null(find(&p, "STALLED"));
	f = find(&p, "SLOW");
	assert_non_null(f);
	assert_int_equal(f->severity, VQ_SEV_INFO);
	assert_non_null(strstr(f->message, "2500 ms"));
	assert_int_equal(vq_diag_count_sev(&p.r, VQ_SEV_WARNING), 0);
	rig_free(r);
}

static void test_report_full(void **state)
{
	struct vq_diag_finding f[1];
	struct vq_diag_report r = { .f = f, .max = 1, .device = "x" };

	(void)state;
	assert_non_null(vq_diag_add(&r, 0, "A", VQ_SEV_WARNING, "one"));
	assert_null(vq_diag_add(&r, 0, "B", VQ_SEV_WARNING, "two"));
	vq_diag_ev(NULL, "k", 1, 0);
	assert_int_equal(r.dropped, 1);
	assert_int_equal(vq_diag_count_sev(&r, VQ_SEV_WARNING), 1);
	assert_int_equal(vq_diag_count_sev(&r, VQ_SEV_ERROR), 0);
}

/* QEMU's account of a queue (x-query-virtio-queue-status), numbers as a
 * QEMU 7.2 gives them for a write held at a blkdebug breakpoint: the
 * driver made 7 available, the device took all 7 (last-avail-idx),
 * completed 5 (used-idx), holds 2 (inuse), last signalled at 4. */
static void qemu_view(struct vq_queue_state *q, uint32_t inuse, uint16_t used)
{
	memset(q, 0, sizeof(*q));
	q->dv_valid = 1;
	q->dv_src = VQ_SRC_QMP;
	q->dv_last_avail_idx = 7;
	q->dv_shadow_avail_idx = 7;
	q->dv_used_idx = used;
	q->dv_signalled_used = 4;
	q->dv_inuse = inuse;
}

/* --qemu: both sides' numbers in DEVICE_VIEW; DEVICE_HOLDS when QEMU holds
 * requests and the used idx in RAM stands still; silent when it moves. */
static void test_device_sides(void **state)
{
	struct rig *r = rig_new();
	const struct vq_diag_finding *f;
	struct vq_queue_state q;
	struct rep p;

	(void)state;
	qemu_view(&q, 2, 5);
	rig_fill(r, 7, 5, 0);
	set_events(r, 3, 7);
	two_samples_dv(r, &p, 1, VIRTIO_ID_BLOCK, 0, nothing, &q, 1);
	f = find(&p, "DEVICE_VIEW");
	assert_non_null(f);
	assert_int_equal(f->severity, VQ_SEV_INFO);
	assert_int_equal(ev(f, "avail_idx"), 7);
	assert_int_equal(ev(f, "used_idx"), 5);
	assert_int_equal(ev(f, "device_last_avail_idx"), 7);
	assert_int_equal(ev(f, "device_used_idx"), 5);
	assert_int_equal(ev(f, "device_inuse"), 2);
	assert_int_equal(ev(f, "device_signalled_used"), 4);
	assert_int_equal(ev(f, "used_event"), 3);
	assert_non_null(strstr(f->message, "device took 7 of 7 made available (0 not)"));
	assert_non_null(strstr(f->message, "2 taken not completed"));
	assert_non_null(strstr(f->message, "after used idx 3 (used_event, 2 past it)"));
	assert_non_null(strstr(f->message, "last_used_idx is not visible from the host"));
	f = find(&p, "DEVICE_HOLDS");
	assert_non_null(f);
	assert_int_equal(f->severity, VQ_SEV_WARNING);
	assert_int_equal(ev(f, "device_inuse"), 2);
	assert_int_equal(ev(f, "used_idx"), 5);
	assert_int_equal(ev(f, "interval_ms"), 1000);
	/* The device completes one in the interval: not held. */
	rig_fill(r, 7, 5, 0);
	two_samples_dv(r, &p, 1, VIRTIO_ID_BLOCK, 0, complete_one, &q, 1);
	assert_non_null(find(&p, "DEVICE_VIEW"));
	assert_null(find(&p, "DEVICE_HOLDS"));
	/* Nothing taken and not completed (inuse 0), two not yet taken:
	 * no DEVICE_HOLDS, the view counts them as not taken. */
	qemu_view(&q, 0, 5);
	q.dv_last_avail_idx = 5;
	rig_fill(r, 7, 5, 0);
	two_samples_dv(r, &p, 0, VIRTIO_ID_BLOCK, 0, nothing, &q, 1);
	assert_null(find(&p, "DEVICE_HOLDS"));
	f = find(&p, "DEVICE_VIEW");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "device took 5 of 7 made available (2 not)"));
	assert_non_null(strstr(f->message, "it wants interrupts"));
	assert_int_equal(ev(f, "avail_flags"), 0);
	rig_free(r);
}

/* --qemu, a queue QEMU gives no indices for (vhost): BACKEND_VIEW with the
 * RAM indices; other sources say nothing of either side. */
static void test_backend_view(void **state)
{
	struct rig *r = rig_new();
	const struct vq_diag_finding *f;
	struct rep p;

	(void)state;
	rig_fill(r, 6, 6, 0);
	two_samples_dv(r, &p, 1, VIRTIO_ID_NET, 1, nothing, NULL, 1);
	f = find(&p, "BACKEND_VIEW");
	assert_non_null(f);
	assert_int_equal(f->severity, VQ_SEV_INFO);
	assert_int_equal(ev(f, "avail_idx"), 6);
	assert_int_equal(ev(f, "used_idx"), 6);
	assert_null(find(&p, "DEVICE_VIEW"));
	two_samples_dv(r, &p, 1, VIRTIO_ID_NET, 1, nothing, NULL, 0);
	assert_int_equal(p.r.n, 0);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy_device),
		cmocka_unit_test(test_needs_reset),
		cmocka_unit_test(test_failed),
		cmocka_unit_test(test_driver_ok_without_features_ok),
		cmocka_unit_test(test_no_driver_initialised),
		cmocka_unit_test(test_queue_addr_zero),
		cmocka_unit_test(test_queue_misaligned),
		cmocka_unit_test(test_queue_size_invalid),
		cmocka_unit_test(test_queue_size_invalid_layout),
		cmocka_unit_test(test_need_event),
		cmocka_unit_test(test_not_completing),
		cmocka_unit_test(test_not_consuming),
		cmocka_unit_test(test_stalled),
		cmocka_unit_test(test_no_notify_pending),
		cmocka_unit_test(test_receive_buffers_silent),
		cmocka_unit_test(test_completions_unreaped),
		cmocka_unit_test(test_single_sample),
		cmocka_unit_test(test_snapshot_second_sample),
		cmocka_unit_test(test_ring_findings_reused),
		cmocka_unit_test(test_report_full),
		cmocka_unit_test(test_missing_from_image),
		cmocka_unit_test(test_size_and_guess),
		cmocka_unit_test(test_slow_or_stuck),
		cmocka_unit_test(test_device_sides),
		cmocka_unit_test(test_backend_view),
	};

	return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
