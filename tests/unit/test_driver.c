/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the minimal blk driver: bring-up against a fake device, the split ring, DMA helpers, request rules. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_input.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_net.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#include "access/snapshot.h"
#include "decode/config.h"
#include "driver/blkplan.h"
#include "driver/blkrun.h"
#include "driver/hw.h"
#include "driver/vblk.h"

#define BIT(n) (1ull << (n))

/* ---- a fake device behind struct vb_ops ---- */

struct fake {
	uint8_t status;            /* the status register */
	uint64_t offered;          /* device features */
	uint64_t driver;           /* what the driver wrote */
	uint16_t qmax;             /* queue 0 maximum */
	int qenabled;              /* queue 0 enabled */
	int refuse_features;       /* FEATURES_OK does not stick */
	uint8_t needs_reset_on;    /* set NEEDS_RESET when this status bit is written */
	int stuck_reset;           /* status never reads 0 */
	uint16_t qsize;            /* size activated */
	uint64_t qdesc, qavail, qused; /* addresses activated */
	uint8_t writes[32];        /* status writes, in order */
	unsigned nwrites;
	unsigned notifies;         /* notify() calls */
	char err[64];
};

static int f_get_status(void *h, uint8_t *s)
{
	struct fake *f = h;

	*s = f->stuck_reset && !f->status ? 0x01 : f->status;
	return 0;
}

static int f_set_status(void *h, uint8_t s)
{
	struct fake *f = h;

	if (f->nwrites < sizeof(f->writes))
		f->writes[f->nwrites++] = s;
	if (!s) {
		f->status = 0;
		f->qenabled = 0;
		return 0;
	}
	if ((s & VIRTIO_CONFIG_S_FEATURES_OK) && f->refuse_features)
		s &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
	if (f->needs_reset_on && (s & f->needs_reset_on))
		s |= VIRTIO_CONFIG_S_NEEDS_RESET;
	f->status = s;
	return 0;
}

static int f_get_features(void *h, uint64_t *v)
{
	*v = ((struct fake *)h)->offered;
	return 0;
}

static int f_set_features(void *h, uint64_t v)
{
	((struct fake *)h)->driver = v;
	return 0;
}

static int f_queue_info(void *h, unsigned q, uint16_t *max, int *enabled)
{
	struct fake *f = h;

	*max = q == 0 ? f->qmax : 0;
	*enabled = f->qenabled;
	return 0;
}

static int f_queue_activate(void *h, unsigned q, uint16_t size, uint64_t desc, uint64_t avail,
			    uint64_t used)
{
	struct fake *f = h;

	(void)q;
	f->qsize = size;
	f->qdesc = desc;
	f->qavail = avail;
	f->qused = used;
	f->qenabled = 1;
	return 0;
}

static int f_notify(void *h, unsigned q)
{
	(void)q;
	((struct fake *)h)->notifies++;
	return 0;
}

static int f_config_read(void *h, unsigned off, void *buf, unsigned len)
{
	(void)h;
	(void)off;
	memset(buf, 0, len);
	return 0;
}

static const struct vb_ops fake_ops = {
	.get_status = f_get_status,
	.set_status = f_set_status,
	.get_features = f_get_features,
	.set_features = f_set_features,
	.queue_info = f_queue_info,
	.queue_activate = f_queue_activate,
	.notify = f_notify,
	.config_read = f_config_read,
};

static void fake_init(struct fake *f, struct vb_transport *t, int modern)
{
	memset(f, 0, sizeof(*f));
	f->offered = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_BLK_F_FLUSH) | BIT(VIRTIO_BLK_F_SEG_MAX) |
		     BIT(VIRTIO_RING_F_EVENT_IDX) | BIT(VIRTIO_RING_F_INDIRECT_DESC) |
		     BIT(VIRTIO_F_ACCESS_PLATFORM);
	f->qmax = 1024;
	memset(t, 0, sizeof(*t));
	t->ops = &fake_ops;
	t->h = f;
	t->modern = modern;
	t->err = f->err;
}

static int alloc_calls;

static int fake_alloc(void *arg, uint16_t size, uint64_t *d, uint64_t *a, uint64_t *u)
{
	(void)arg;
	alloc_calls++;
	*d = 0x100000;
	*a = 0x100000 + 16u * size;
	*u = 0x200000;
	return 0;
}

/* The step named @name, last one of that name. */
static const struct vb_step *step(const struct vb_steps *s, const char *name)
{
	const struct vb_step *r = NULL;
	unsigned i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			r = &s->v[i];
	return r;
}

/* ---- bring-up ---- */

static void test_bringup_modern(void **state)
{
	struct vb_transport t;
	struct vb_bringup bu;
	struct vb_steps steps = { .n = 0 };
	struct fake f;
	/* 3.1.1: reset, ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK, each on
	 * top of the previous bits. */
	const uint8_t want[] = { 0, 1, 3, 0x0b, 0x0f };

	(void)state;
	fake_init(&f, &t, 1);
	assert_int_equal(vb_bring_up(&t, 0, 256, fake_alloc, NULL, &bu, &steps), 0);
	assert_int_equal(f.nwrites, sizeof(want));
	assert_memory_equal(f.writes, want, sizeof(want));
	assert_int_equal(f.status, 0x0f);
	/* Only what the driver implements; never EVENT_IDX, INDIRECT,
	 * ACCESS_PLATFORM or SEG_MAX. */
	assert_int_equal(f.driver, BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_BLK_F_FLUSH));
	assert_int_equal(bu.offered, f.offered);
	/* Size: the smaller of the maximum and what was asked for. */
	assert_int_equal(f.qsize, 256);
	assert_int_equal(bu.max_size, 1024);
	assert_int_equal(f.qdesc, 0x100000);
	assert_int_equal(f.qused, 0x200000);
	assert_non_null(step(&steps, "driver_ok"));
	assert_true(step(&steps, "driver_ok")->ok);
	/* ACCESS_PLATFORM offered and not accepted: said, not silent. */
	assert_non_null(strstr(step(&steps, "features")->detail, "ACCESS_PLATFORM"));
}

static void test_bringup_legacy_fixed(void **state)
{
	struct vb_transport t;
	struct vb_bringup bu;
	struct vb_steps steps = { .n = 0 };
	struct fake f;
	/* Legacy: no FEATURES_OK step (3.1.2). */
	const uint8_t want[] = { 0, 1, 3, 7 };

	(void)state;
	fake_init(&f, &t, 0);
	f.offered = BIT(VIRTIO_BLK_F_FLUSH);
	t.fixed_size = 1;
	assert_int_equal(vb_bring_up(&t, 0, 256, fake_alloc, NULL, &bu, &steps), 0);
	assert_int_equal(f.nwrites, sizeof(want));
	assert_memory_equal(f.writes, want, sizeof(want));
	assert_int_equal(f.qsize, 1024); /* fixed: the device's size */
	assert_null(step(&steps, "features_ok"));
}

static void test_bringup_no_version1(void **state)
{
	struct vb_transport t;
	struct vb_bringup bu;
	struct vb_steps steps = { .n = 0 };
	struct fake f;

	(void)state;
	fake_init(&f, &t, 1);
	f.offered = BIT(VIRTIO_BLK_F_FLUSH);
	assert_int_equal(vb_bring_up(&t, 0, 256, fake_alloc, NULL, &bu, &steps), -ENOTSUP);
	assert_false(step(&steps, "features")->ok);
	/* FAILED written, then a reset leaves it at 0. */
	assert_true(f.writes[f.nwrites - 2] & VIRTIO_CONFIG_S_FAILED);
	assert_int_equal(f.writes[f.nwrites - 1], 0);
	assert_int_equal(f.status, 0);
}

static void test_bringup_features_refused(void **state)
{
	struct vb_transport t;
	struct vb_bringup bu;
	struct vb_steps steps = { .n = 0 };
	struct fake f;

	(void)state;
	fake_init(&f, &t, 1);
	f.refuse_features = 1;
	alloc_calls = 0;
	assert_true(vb_bring_up(&t, 0, 256, fake_alloc, NULL, &bu, &steps) < 0);
	assert_false(step(&steps, "features_ok")->ok);
	assert_true(f.writes[f.nwrites - 2] & VIRTIO_CONFIG_S_FAILED);
	assert_int_equal(f.status, 0);
	assert_int_equal(alloc_calls, 0); /* no queue set up */
	assert_null(step(&steps, "driver_ok"));
}

static void test_bringup_needs_reset(void **state)
{
	struct vb_transport t;
	struct vb_bringup bu;
	struct vb_steps steps = { .n = 0 };
	struct fake f;

	(void)state;
	fake_init(&f, &t, 1);
	f.needs_reset_on = VIRTIO_CONFIG_S_DRIVER;
	assert_int_equal(vb_bring_up(&t, 0, 256, fake_alloc, NULL, &bu, &steps), -EIO);
	assert_false(step(&steps, "driver")->ok);
	assert_non_null(strstr(step(&steps, "driver")->detail, "NEEDS_RESET"));
	assert_int_equal(f.status, 0);
}

static void queue_case(uint16_t qmax, int enabled, int want_ret)
{
	struct vb_transport t;
	struct vb_bringup bu;
	struct vb_steps steps = { .n = 0 };
	struct fake f;

	fake_init(&f, &t, 1);
	f.qmax = qmax;
	f.qenabled = enabled;
	/* queue_info runs after the FEATURES_OK write, which keeps qenabled. */
	assert_int_equal(vb_bring_up(&t, 0, 256, fake_alloc, NULL, &bu, &steps), want_ret);
	assert_false(step(&steps, "queue")->ok);
	assert_true(f.writes[f.nwrites - 2] & VIRTIO_CONFIG_S_FAILED);
	assert_int_equal(f.status, 0);
}

static int f_set_status_keep_queue(void *h, uint8_t s)
{
	struct fake *f = h;
	int en = f->qenabled;
	int ret = f_set_status(h, s);

	/* A broken device: the queue stays enabled across the reset. */
	f->qenabled = en;
	return ret;
}

static void test_bringup_queue_checks(void **state)
{
	struct vb_ops ops = fake_ops;
	struct vb_transport t;
	struct vb_bringup bu;
	struct vb_steps steps = { .n = 0 };
	struct fake f;

	(void)state;
	queue_case(0, 0, -ENODEV);
	queue_case(100, 0, -EPROTO); /* not a power of 2 (2.7) */
	fake_init(&f, &t, 1);
	ops.set_status = f_set_status_keep_queue;
	t.ops = &ops;
	f.qenabled = 1;
	assert_int_equal(vb_bring_up(&t, 0, 256, fake_alloc, NULL, &bu, &steps), -EBUSY);
	assert_false(step(&steps, "queue")->ok);
	/* A packed ring takes a size that is not a power of 2 (2.8.10.1); the
	 * three addresses are the descriptor ring and the two event areas. */
	fake_init(&f, &t, 1);
	f.offered |= BIT(VIRTIO_F_RING_PACKED);
	f.qmax = 100;
	steps.n = 0;
	assert_int_equal(vb_bring_up(&t, VB_WANT_PACKED, 256, fake_alloc, NULL, &bu, &steps), 0);
	assert_int_equal(f.qsize, 100);
	assert_true(f.driver & BIT(VIRTIO_F_RING_PACKED));
	assert_non_null(strstr(step(&steps, "queue")->detail,
			       "queue 0 (packed): size 100 of 100, descriptor ring 0x100000 driver area 0x100640 device area 0x200000"));
}

static void test_reset_timeout(void **state)
{
	struct vb_transport t;
	struct vb_bringup bu;
	struct vb_steps steps = { .n = 0 };
	struct fake f;

	(void)state;
	fake_init(&f, &t, 1);
	f.stuck_reset = 1;
	assert_int_equal(vb_reset(&t, 5), -ETIMEDOUT);
	assert_int_equal(vb_bring_up(&t, 0, 256, fake_alloc, NULL, &bu, &steps), -ETIMEDOUT);
	assert_false(step(&steps, "reset")->ok);
}

static void test_negotiate(void **state)
{
	uint64_t acc;
	char why[128];

	(void)state;
	/* Modern without VERSION_1: refused. */
	assert_int_equal(vb_negotiate(BIT(VIRTIO_BLK_F_FLUSH), 1, 0, &acc, why, sizeof(why)),
			 -ENOTSUP);
	/* Legacy: fine, and VERSION_1 never accepted there. */
	assert_int_equal(vb_negotiate(BIT(VIRTIO_BLK_F_FLUSH) | BIT(VIRTIO_F_VERSION_1), 0, 0, &acc,
				      why, sizeof(why)), 0);
	assert_int_equal(acc, BIT(VIRTIO_BLK_F_FLUSH));
	/* INDIRECT only when asked for, and then it must be offered. */
	assert_int_equal(vb_negotiate(BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_INDIRECT_DESC), 1, 1,
				      &acc, why, sizeof(why)), 0);
	assert_true(acc & BIT(VIRTIO_RING_F_INDIRECT_DESC));
	assert_int_equal(vb_negotiate(BIT(VIRTIO_F_VERSION_1), 1, 1, &acc, why, sizeof(why)),
			 -ENOTSUP);
	/* Everything offered: only the implemented set. */
	assert_int_equal(vb_negotiate(~0ull, 1, 0, &acc, why, sizeof(why)), 0);
	assert_int_equal(acc, BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_BLK_F_FLUSH) |
				      BIT(VIRTIO_BLK_F_BLK_SIZE) | BIT(VIRTIO_BLK_F_RO) |
				      BIT(VIRTIO_BLK_F_DISCARD) | BIT(VIRTIO_BLK_F_WRITE_ZEROES));
	/* RING_PACKED only when asked for (--packed), and then it must be offered. */
	assert_int_equal(vb_negotiate(~0ull, 1, VB_WANT_PACKED, &acc, why, sizeof(why)), 0);
	assert_int_equal(acc, BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_BLK_F_FLUSH) |
				      BIT(VIRTIO_BLK_F_BLK_SIZE) | BIT(VIRTIO_BLK_F_RO) |
				      BIT(VIRTIO_BLK_F_DISCARD) | BIT(VIRTIO_BLK_F_WRITE_ZEROES) |
				      BIT(VIRTIO_F_RING_PACKED));
	assert_int_equal(vb_negotiate(BIT(VIRTIO_F_VERSION_1), 1, VB_WANT_PACKED, &acc, why,
				      sizeof(why)), -ENOTSUP);
	assert_non_null(strstr(why, "VIRTIO_F_RING_PACKED"));
}

/* ---- split ring ---- */

struct ringmem {
	struct vring_desc desc[8];
	uint8_t avail[6 + 2 * 8];
	uint8_t used[6 + 8 * 8] __attribute__((aligned(4)));
};

static void test_vq_chain(void **state)
{
	struct ringmem m;
	struct vb_vq vq;
	struct vb_sg sg[3] = {
		{ 0x1000, 16, 0 }, { 0x2000, 512, 1 }, { 0x3000, 1, 1 },
	};
	struct vb_sg bad[2] = { { 0x1000, 16, 1 }, { 0x2000, 16, 0 } };
	int cookie = 7, head;

	(void)state;
	assert_int_equal(vb_vq_init(&vq, 8, m.desc, m.avail, m.used), 0);
	assert_int_equal(vq.avail->flags, VRING_AVAIL_F_NO_INTERRUPT);
	head = vb_vq_add(&vq, sg, 3, &cookie);
	assert_int_equal(head, 0);
	/* 2.7.5: NEXT on all but the last, WRITE on the device-writable ones. */
	assert_int_equal(m.desc[0].flags, VRING_DESC_F_NEXT);
	assert_int_equal(m.desc[0].addr, 0x1000);
	assert_int_equal(m.desc[0].len, 16);
	assert_int_equal(m.desc[m.desc[0].next].flags, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE);
	assert_int_equal(m.desc[m.desc[m.desc[0].next].next].flags, VRING_DESC_F_WRITE);
	assert_int_equal(vq.avail->ring[0], 0);
	/* Not visible before publish. */
	assert_int_equal(vq.avail->idx, 0);
	vb_vq_publish(&vq);
	assert_int_equal(vq.avail->idx, 1);
	assert_int_equal(vq.num_free, 5);
	/* Readable after writable is refused (2.7.4.2); too long a chain too. */
	assert_int_equal(vb_vq_add(&vq, bad, 2, NULL), -EINVAL);
	{
		struct vb_sg many[6];

		memset(many, 0, sizeof(many));
		assert_int_equal(vb_vq_add(&vq, many, 6, NULL), -ENOSPC);
	}
	vb_vq_free(&vq);
}

static void test_vq_used_checks(void **state)
{
	struct ringmem m;
	struct vb_vq vq;
	struct vb_sg sg[3] = {
		{ 0x1000, 16, 0 }, { 0x2000, 512, 1 }, { 0x3000, 1, 1 },
	};
	struct vring_used *u = (struct vring_used *)m.used;
	char err[200];
	void *cookie;
	uint32_t len;
	int c1 = 1;

	(void)state;
	assert_int_equal(vb_vq_init(&vq, 8, m.desc, m.avail, m.used), 0);
	/* Nothing used yet. */
	assert_int_equal(vb_vq_get_used(&vq, &cookie, &len, err, sizeof(err)), 0);
	vb_vq_add(&vq, sg, 3, &c1);
	vb_vq_publish(&vq);
	/* An index ahead of what is in flight. */
	u->idx = 2;
	assert_int_equal(vb_vq_get_used(&vq, &cookie, &len, err, sizeof(err)), -EPROTO);
	/* An id that is not a head in flight. */
	u->idx = 1;
	u->ring[0].id = 5;
	u->ring[0].len = 1;
	assert_int_equal(vb_vq_get_used(&vq, &cookie, &len, err, sizeof(err)), -EPROTO);
	u->ring[0].id = 9; /* beyond the ring */
	assert_int_equal(vb_vq_get_used(&vq, &cookie, &len, err, sizeof(err)), -EPROTO);
	/* More than the writable bytes (512 + 1). */
	u->ring[0].id = 0;
	u->ring[0].len = 514;
	assert_int_equal(vb_vq_get_used(&vq, &cookie, &len, err, sizeof(err)), -EPROTO);
	/* Right: taken, and its descriptors free again. */
	u->ring[0].len = 513;
	assert_int_equal(vb_vq_get_used(&vq, &cookie, &len, err, sizeof(err)), 1);
	assert_ptr_equal(cookie, &c1);
	assert_int_equal(len, 513);
	assert_int_equal(vq.num_free, 8);
	/* The same element again: no longer in flight. */
	u->idx = 2;
	assert_int_equal(vb_vq_get_used(&vq, &cookie, &len, err, sizeof(err)), -EPROTO);
	vb_vq_free(&vq);
}

/* ---- the packed ring (driver/vring_packed.c) ---- */

#define PA (1u << VRING_PACKED_DESC_F_AVAIL) /* 0x80 (2.8.1) */
#define PU (1u << VRING_PACKED_DESC_F_USED)  /* 0x8000 */

/* The device marks the chain of buffer @id at @slot used in lap @wrap (2.8.1). */
static void pvq_used(struct vring_packed_desc *d, uint16_t slot, uint16_t id, uint32_t len,
		     int wrap)
{
	d[slot].id = htole16(id);
	d[slot].len = htole32(len);
	d[slot].flags = htole16(wrap ? PA | PU : 0);
}

static void test_pvq_chain(void **state)
{
	struct vring_packed_desc d[4];
	struct vring_packed_desc_event drv, dev;
	struct vb_pvq vq;
	struct vb_sg sg[3] = {
		{ 0x1000, 16, 0 }, { 0x2000, 512, 1 }, { 0x3000, 1, 1 },
	};
	struct vb_sg bad[2] = { { 0x1000, 16, 1 }, { 0x2000, 16, 0 } };
	char err[200];
	void *cookie;
	uint32_t len;
	int c1 = 1, c2 = 2;

	(void)state;
	assert_int_equal(vb_pvq_desc_bytes(256), 4096);
	assert_int_equal(vb_pvq_event_bytes(), 4);
	assert_int_equal(vb_pvq_init(&vq, 4, d, &drv, &dev), 0);
	/* The driver polls: RING_EVENT_FLAGS_DISABLE (2.8.10). */
	assert_int_equal(le16toh(drv.flags), VRING_PACKED_EVENT_FLAG_DISABLE);
	assert_int_equal(vb_pvq_add(&vq, sg, 3, &c1), 0);
	/* Lap 1: AVAIL set, USED clear; NEXT on all but the last; the buffer
	 * ID in each.  The head's flags wait for publish. */
	assert_int_equal(le16toh(d[0].flags), 0);
	assert_int_equal(le16toh(d[1].flags), PA | VRING_DESC_F_NEXT | VRING_DESC_F_WRITE);
	assert_int_equal(le16toh(d[2].flags), PA | VRING_DESC_F_WRITE);
	assert_int_equal(le64toh(d[0].addr), 0x1000);
	assert_int_equal(le16toh(d[2].id), 0);
	vb_pvq_publish(&vq);
	assert_int_equal(le16toh(d[0].flags), PA | VRING_DESC_F_NEXT);
	assert_int_equal(vq.num_free, 1);
	assert_int_equal(vb_pvq_add(&vq, sg, 3, &c2), -ENOSPC);
	assert_int_equal(vb_pvq_add(&vq, bad, 2, NULL), -EINVAL);
	/* Nothing used yet: the slot still reads available. */
	assert_int_equal(vb_pvq_get_used(&vq, &cookie, &len, err, sizeof(err)), 0);
	pvq_used(d, 0, 0, 513, 1);
	assert_int_equal(vb_pvq_get_used(&vq, &cookie, &len, err, sizeof(err)), 1);
	assert_ptr_equal(cookie, &c1);
	assert_int_equal(len, 513);
	assert_int_equal(vq.num_free, 4);
	assert_int_equal(vq.next_used, 3);
	/* The next chain crosses the ring's end: slot 3 in lap 1, slots 0
	 * and 1 in lap 2 (AVAIL clear, USED set). */
	assert_int_equal(vb_pvq_add(&vq, sg, 3, &c2), 0);
	vb_pvq_publish(&vq);
	assert_int_equal(le16toh(d[3].flags), PA | VRING_DESC_F_NEXT);
	assert_int_equal(le16toh(d[0].flags), PU | VRING_DESC_F_NEXT | VRING_DESC_F_WRITE);
	assert_int_equal(le16toh(d[1].flags), PU | VRING_DESC_F_WRITE);
	assert_int_equal(vq.next_avail, 2);
	assert_int_equal(vq.avail_wrap, 0);
	/* Used at slot 3 in lap 1; the device's next slot is then 2 in lap 2. */
	pvq_used(d, 3, 0, 1, 1);
	assert_int_equal(vb_pvq_get_used(&vq, &cookie, &len, err, sizeof(err)), 1);
	assert_ptr_equal(cookie, &c2);
	assert_int_equal(vq.next_used, 2);
	assert_int_equal(vq.used_wrap, 0);
	/* Slot 2 holds lap 1's used-looking descriptor (flags PA|WRITE):
	 * not used for lap 2. */
	assert_int_equal(vb_pvq_get_used(&vq, &cookie, &len, err, sizeof(err)), 0);
	vb_pvq_free(&vq);
}

static void test_pvq_used_checks(void **state)
{
	struct vring_packed_desc d[8];
	struct vring_packed_desc_event drv, dev;
	struct vb_pvq vq;
	struct vb_sg sg[2] = { { 0x1000, 16, 0 }, { 0x3000, 1, 1 } };
	char err[200];
	void *cookie;
	uint32_t len;
	int c[3] = { 0, 1, 2 };

	(void)state;
	assert_int_equal(vb_pvq_init(&vq, 8, d, &drv, &dev), 0);
	/* A used-looking slot with nothing in flight. */
	pvq_used(d, 0, 0, 1, 1);
	assert_int_equal(vb_pvq_get_used(&vq, &cookie, &len, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "no buffer is in flight"));
	vb_pvq_free(&vq);
	assert_int_equal(vb_pvq_init(&vq, 8, d, &drv, &dev), 0);
	assert_int_equal(vb_pvq_add(&vq, sg, 2, &c[0]), 0);
	assert_int_equal(vb_pvq_add(&vq, sg, 2, &c[1]), 1);
	assert_int_equal(vb_pvq_add(&vq, sg, 2, &c[2]), 2);
	vb_pvq_publish(&vq);
	/* A buffer ID not in flight, one beyond the ring, too long a len. */
	pvq_used(d, 0, 5, 1, 1);
	assert_int_equal(vb_pvq_get_used(&vq, &cookie, &len, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "buffer ID 5, which is not in flight"));
	pvq_used(d, 0, 9, 1, 1);
	assert_int_equal(vb_pvq_get_used(&vq, &cookie, &len, err, sizeof(err)), -EPROTO);
	pvq_used(d, 0, 1, 2, 1);
	assert_int_equal(vb_pvq_get_used(&vq, &cookie, &len, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "exceeds the 1 writable bytes"));
	assert_int_equal(vq.num_free, 2);
	assert_int_equal(vq.next_used, 0);
	/* Out of order: ID 2 first, at slot 0; then ID 0 at slot 2. */
	pvq_used(d, 0, 2, 1, 1);
	assert_int_equal(vb_pvq_get_used(&vq, &cookie, &len, err, sizeof(err)), 1);
	assert_ptr_equal(cookie, &c[2]);
	assert_int_equal(vq.next_used, 2);
	/* The same ID again: no longer in flight. */
	pvq_used(d, 2, 2, 1, 1);
	assert_int_equal(vb_pvq_get_used(&vq, &cookie, &len, err, sizeof(err)), -EPROTO);
	pvq_used(d, 2, 0, 1, 1);
	assert_int_equal(vb_pvq_get_used(&vq, &cookie, &len, err, sizeof(err)), 1);
	assert_ptr_equal(cookie, &c[0]);
	/* The freed ID is reused first. */
	assert_int_equal(vb_pvq_add(&vq, sg, 2, &c[0]), 0);
	vb_pvq_free(&vq);
}

static void test_vq_layout(void **state)
{
	size_t used_off;

	(void)state;
	/* 2.7: desc 16*N, avail 6+2*N, used 6+8*N; legacy used ring aligned. */
	assert_int_equal(vb_vq_desc_bytes(256), 4096);
	assert_int_equal(vb_vq_avail_bytes(256), 518);
	assert_int_equal(vb_vq_used_bytes(256), 2054);
	assert_int_equal(vb_vq_legacy_bytes(256, 4096, &used_off), 8192 + 2054);
	assert_int_equal(used_off, 8192);
	assert_int_equal(vb_vq_legacy_bytes(128, 4096, &used_off), 4096 + 1030);
	assert_int_equal(used_off, 4096);
}

/* ---- DMA helpers ---- */

static void test_pagemap_entries(void **state)
{
	uint64_t pfn;

	(void)state;
	assert_int_equal(vb_pagemap_pfn((1ull << 63) | 0x1234, &pfn), 0);
	assert_int_equal(pfn, 0x1234);
	/* Bits 55-62 are flags, not PFN. */
	assert_int_equal(vb_pagemap_pfn((1ull << 63) | (1ull << 55) | 0x10, &pfn), 0);
	assert_int_equal(pfn, 0x10);
	assert_int_equal(vb_pagemap_pfn(0x1234, &pfn), -ENOENT);
	assert_int_equal(vb_pagemap_pfn(1ull << 63, &pfn), -EPERM);
}

static void test_pagemap_file(void **state)
{
	char path[] = "/tmp/vqdump-pagemap-XXXXXX", err[256];
	uint64_t e[4] = { (1ull << 63) | 0x100, (1ull << 63) | 0x101, (1ull << 63), 0x5 };
	uint64_t pa[4];
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, e, sizeof(e)), sizeof(e));
	close(fd);
	/* va 0: entries from offset 0. */
	assert_int_equal(vb_pagemap_read(path, (void *)0, 2, 4096, pa, err, sizeof(err)), 0);
	assert_int_equal(pa[0], 0x100000);
	assert_int_equal(pa[1], 0x101000);
	/* Entry 2 has PFN 0: no CAP_SYS_ADMIN, a clear error. */
	assert_int_equal(vb_pagemap_read(path, (void *)0, 3, 4096, pa, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "CAP_SYS_ADMIN"));
	/* Entry 3 not present. */
	assert_int_equal(vb_pagemap_read(path, (void *)(uintptr_t)(3 * 4096), 1, 4096, pa, err,
					 sizeof(err)), -ENOENT);
	/* Past the end of the file. */
	assert_true(vb_pagemap_read(path, (void *)(uintptr_t)(4 * 4096), 1, 4096, pa, err,
				    sizeof(err)) < 0);
	unlink(path);
}

static void test_dma_split(void **state)
{
	static uint8_t buf[4 * 4096] __attribute__((aligned(4096)));
	/* Pages 0,1 contiguous, 2 elsewhere, 3 right below 2. */
	uint64_t pa[4] = { 0x10000, 0x11000, 0x50000, 0x4f000 };
	struct vb_dma m = { .va = buf, .len = sizeof(buf), .page = 4096, .pa = pa };
	struct vb_sg sg[4];
	uint8_t *pages[2];

	(void)state;
	/* 100 bytes before the end of page 0 to 100 bytes into page 2. */
	assert_int_equal(vb_dma_sg(&m, buf + 4096 - 100, 4096 + 200, 1, sg, 4), 2);
	assert_int_equal(sg[0].addr, 0x10000 + 4096 - 100);
	assert_int_equal(sg[0].len, 4096 + 100);
	assert_int_equal(sg[1].addr, 0x50000);
	assert_int_equal(sg[1].len, 100);
	assert_true(sg[0].write && sg[1].write);
	assert_int_equal(vb_dma_sg(&m, buf, 4 * 4096, 0, sg, 2), -ENOSPC);
	assert_int_equal(vb_dma_pa(&m, buf + 2 * 4096 + 5), 0x50005);
	/* Contiguous allocation: pages 0-1 are, 1-2 and 2-3 are not. */
	assert_ptr_equal(vb_dma_alloc(&m, 2 * 4096, 4096, 1), buf);
	m.next = 4096;
	assert_null(vb_dma_alloc(&m, 2 * 4096, 4096, 1));
	m.next = 4096;
	assert_ptr_equal(vb_dma_alloc(&m, 100, 8, 0), buf + 4096);
	/* Physically consecutive pages in reverse virtual order: 3 then 2. */
	m.next = 0;
	assert_int_equal(vb_dma_phys_run(&m, 2, pages), 0);
	assert_ptr_equal(pages[0], buf);
	m.next = 2 * 4096;
	assert_int_equal(vb_dma_phys_run(&m, 2, pages), 0);
	assert_ptr_equal(pages[0], buf + 3 * 4096);
	assert_ptr_equal(pages[1], buf + 2 * 4096);
	assert_int_equal(m.next, 4 * 4096);
	assert_int_equal(vb_dma_phys_run(&m, 1, pages), -ENOMEM);
}

/* ---- requests ---- */

static void test_ranges(void **state)
{
	uint64_t lba, n;

	(void)state;
	assert_int_equal(vb_parse_range("0+8", &lba, &n), 0);
	assert_int_equal(lba, 0);
	assert_int_equal(n, 8);
	assert_int_equal(vb_parse_range("0x10+0x2", &lba, &n), 0);
	assert_int_equal(lba, 16);
	assert_int_equal(n, 2);
	/* Never octal: a leading zero is still decimal. */
	assert_int_equal(vb_parse_range("010+010", &lba, &n), 0);
	assert_int_equal(lba, 10);
	assert_int_equal(n, 10);
	assert_int_equal(vb_parse_range("08+09", &lba, &n), 0);
	assert_int_equal(lba, 8);
	assert_int_equal(vb_parse_range("0x+5", &lba, &n), -EINVAL);
	assert_int_equal(vb_parse_range("5+0", &lba, &n), -EINVAL);
	assert_int_equal(vb_parse_range("5", &lba, &n), -EINVAL);
	assert_int_equal(vb_parse_range("+5", &lba, &n), -EINVAL);
	assert_int_equal(vb_parse_range("-1+5", &lba, &n), -EINVAL);
	assert_int_equal(vb_parse_range("5+-1", &lba, &n), -EINVAL);
	assert_int_equal(vb_parse_range("5+1x", &lba, &n), -EINVAL);
	assert_int_equal(vb_parse_range("", &lba, &n), -EINVAL);
	assert_int_equal(vb_parse_range("18446744073709551615+1", &lba, &n), -EINVAL);
	assert_int_equal(vb_parse_range("36028797018963967+1", &lba, &n), -EINVAL);
	/* Capacity: [lba, lba+n) must fit. */
	assert_int_equal(vb_range_check(0, 16, 16), 0);
	assert_int_equal(vb_range_check(15, 1, 16), 0);
	assert_int_equal(vb_range_check(15, 2, 16), -ERANGE);
	assert_int_equal(vb_range_check(16, 1, 16), -ERANGE);
	assert_int_equal(vb_range_check(1, UINT64_MAX, 16), -ERANGE);
}

static void test_status_names(void **state)
{
	char b[16];

	(void)state;
	assert_string_equal(vb_status_name(VIRTIO_BLK_S_OK, b, sizeof(b)), "OK");
	assert_string_equal(vb_status_name(VIRTIO_BLK_S_IOERR, b, sizeof(b)), "IOERR");
	assert_string_equal(vb_status_name(VIRTIO_BLK_S_UNSUPP, b, sizeof(b)), "UNSUPP");
	/* 3 is VIRTIO_BLK_S_ZONE_INVALID_CMD: named from the decoder's table. */
	assert_string_equal(vb_status_name(3, b, sizeof(b)), "ZONE_INVALID_CMD");
	assert_string_equal(vb_status_name(0xff, b, sizeof(b)), "none(0xff)");
	assert_string_equal(vb_status_name(0x07, b, sizeof(b)), "0x07");
	assert_string_equal(vb_type_name(VIRTIO_BLK_T_GET_ID), "GET_ID");
	assert_string_equal(vb_type_name(VB_T_UNKNOWN), "UNKNOWN");
}

static void test_completion_rules(void **state)
{
	char why[200];

	(void)state;
	/* A read of 4096 bytes: len must be data + status. */
	assert_int_equal(vb_check_completion(VIRTIO_BLK_T_IN, 0, 4097, 4096, 4097, 0, why,
					     sizeof(why)), 0);
	assert_int_equal(vb_check_completion(VIRTIO_BLK_T_IN, 0, 1, 4096, 4097, 0, why,
					     sizeof(why)), -EPROTO);
	/* Beyond the writable bytes. */
	assert_int_equal(vb_check_completion(VIRTIO_BLK_T_OUT, 0, 2, 0, 1, 0, why, sizeof(why)),
			 -EPROTO);
	/* Status never written. */
	assert_int_equal(vb_check_completion(VIRTIO_BLK_T_OUT, 0xff, 1, 0, 1, 0, why, sizeof(why)),
			 -EPROTO);
	assert_non_null(strstr(why, "none(0xff)"));
	/* Negative cases: the expected error is right, OK is wrong. */
	assert_int_equal(vb_check_completion(VIRTIO_BLK_T_IN, VIRTIO_BLK_S_IOERR, 1, 512, 513,
					     VIRTIO_BLK_S_IOERR, why, sizeof(why)), 0);
	assert_int_equal(vb_check_completion(VB_T_UNKNOWN, VIRTIO_BLK_S_OK, 1, 0, 1,
					     VIRTIO_BLK_S_UNSUPP, why, sizeof(why)), -EPROTO);
}

static void test_percentiles(void **state)
{
	uint64_t v[100];
	unsigned i;

	(void)state;
	for (i = 0; i < 100; i++)
		v[i] = i + 1;
	/* Nearest rank: ceil(p * n / 100). */
	assert_int_equal(vb_percentile(v, 100, 50), 50);
	assert_int_equal(vb_percentile(v, 100, 99), 99);
	assert_int_equal(vb_percentile(v, 100, 100), 100);
	assert_int_equal(vb_percentile(v, 100, 0), 1);
	assert_int_equal(vb_percentile(v, 3, 50), 2);
	assert_int_equal(vb_percentile(v, 3, 99), 3);
	assert_int_equal(vb_percentile(v, 1, 99), 1);
	assert_int_equal(vb_percentile(v, 0, 50), 0);
}

static void test_iomem_claims(void **state)
{
	const char *bound = "00000000-00000fff : Reserved\n"
			    "feb02e00-feb02fff : LNRO0005:00\n"
			    "  feb02e00-feb02fff : LNRO0005:00 LNRO0005:00\n"
			    "fee00000-fee00fff : Local APIC\n";
	const char *free_ = "feb02e00-feb02fff : LNRO0005:00\n"
			    "fee00000-fee00fff : Local APIC\n";
	char top[64], claim[64];

	(void)state;
	assert_int_equal(vb_iomem_busy(bound, 0xfeb02e00, top, sizeof(top), claim, sizeof(claim)), 1);
	assert_string_equal(top, "LNRO0005:00");
	assert_int_equal(vb_iomem_busy(free_, 0xfeb02e00, top, sizeof(top), claim, sizeof(claim)), 0);
	assert_int_equal(vb_iomem_busy(free_, 0xfeb00000, top, sizeof(top), claim, sizeof(claim)),
			 -ENOENT);
}


/* ---- the register layer, on a file standing in for the registers ---- */

/* A temp file of @len bytes holding @init (32-bit words at their offsets),
 * opened as a writable file window. */
static void regfile(char *path, size_t len, const uint32_t (*init)[2], unsigned n,
		    struct vq_regwin *w)
{
	char err[256];
	uint8_t *buf = calloc(1, len);
	unsigned i;
	int fd;

	assert_non_null(buf);
	for (i = 0; i < n; i++)
		memcpy(buf + init[i][0], &init[i][1], 4);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
	free(buf);
	assert_int_equal(vq_regwin_open_file(w, path, 0, len, 1, "test registers", err, sizeof(err)),
			 0);
}

static uint32_t reg32(const char *path, unsigned off)
{
	uint32_t v = 0;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &v, 4, off), 4);
	close(fd);
	return v;
}

static int legacy_alloc(void *arg, uint16_t size, uint64_t *d, uint64_t *a, uint64_t *u)
{
	size_t used_off;

	(void)arg;
	vb_vq_legacy_bytes(size, 4096, &used_off);
	*d = 0x12345000;
	*a = *d + 16u * size;
	*u = *d + used_off;
	return 0;
}

static void test_hw_mmio_v2_registers(void **state)
{
	/* A v2 window as the device presents it after reset (4.2.2). */
	const uint32_t init[][2] = {
		{ VIRTIO_MMIO_MAGIC_VALUE, 0x74726976 },
		{ VIRTIO_MMIO_VERSION, 2 },
		{ VIRTIO_MMIO_DEVICE_ID, 2 },
		/* Both feature words read from the one register: bit 0 and bit 32 (VERSION_1). */
		{ VIRTIO_MMIO_DEVICE_FEATURES, 1 },
		{ VIRTIO_MMIO_QUEUE_NUM_MAX, 1024 },
		{ VIRTIO_MMIO_CONFIG, 2048 }, /* capacity, low word */
	};
	char path[] = "/tmp/vqdump-mmio2-XXXXXX";
	struct vq_regwin w;
	struct vb_hw hw;
	struct vb_bringup bu;
	struct vb_steps steps = { .n = 0 };
	uint64_t cap = 0;

	(void)state;
	regfile(path, 0x200, init, sizeof(init) / sizeof(init[0]), &w);
	assert_int_equal(vb_hw_attach(&hw, VB_HW_MMIO_V2, &w), 0);
	assert_int_equal(vb_bring_up(&hw.t, 0, 256, fake_alloc, NULL, &bu, &steps), 0);
	/* Status: ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK. */
	assert_int_equal(reg32(path, VIRTIO_MMIO_STATUS), 0x0f);
	/* The last driver-feature word written is the high one: VERSION_1. */
	assert_int_equal(reg32(path, VIRTIO_MMIO_DRIVER_FEATURES_SEL), 1);
	assert_int_equal(reg32(path, VIRTIO_MMIO_DRIVER_FEATURES), 1);
	assert_int_equal(bu.accepted, BIT(VIRTIO_F_VERSION_1));
	assert_int_equal(reg32(path, VIRTIO_MMIO_QUEUE_SEL), 0);
	assert_int_equal(reg32(path, VIRTIO_MMIO_QUEUE_NUM), 256);
	assert_int_equal(reg32(path, VIRTIO_MMIO_QUEUE_DESC_LOW), 0x100000);
	assert_int_equal(reg32(path, VIRTIO_MMIO_QUEUE_DESC_HIGH), 0);
	assert_int_equal(reg32(path, VIRTIO_MMIO_QUEUE_AVAIL_LOW), 0x100000 + 16 * 256);
	assert_int_equal(reg32(path, VIRTIO_MMIO_QUEUE_USED_LOW), 0x200000);
	assert_int_equal(reg32(path, VIRTIO_MMIO_QUEUE_READY), 1);
	assert_int_equal(hw.t.ops->config_read(hw.t.h, 0, &cap, 8), 0);
	assert_int_equal(cap, 2048);
	assert_int_equal(hw.t.ops->notify(hw.t.h, 0), 0);
	assert_int_equal(reg32(path, VIRTIO_MMIO_QUEUE_NOTIFY), 0);
	vq_regwin_close(&w);
	unlink(path);
}

static void test_hw_mmio_v1_registers(void **state)
{
	const uint32_t init[][2] = {
		{ VIRTIO_MMIO_VERSION, 1 },
		{ VIRTIO_MMIO_DEVICE_FEATURES, BIT(VIRTIO_BLK_F_FLUSH) },
		{ VIRTIO_MMIO_QUEUE_NUM_MAX, 1024 },
	};
	char path[] = "/tmp/vqdump-mmio1-XXXXXX";
	struct vq_regwin w;
	struct vb_hw hw;
	struct vb_bringup bu;
	struct vb_steps steps = { .n = 0 };

	(void)state;
	regfile(path, 0x200, init, sizeof(init) / sizeof(init[0]), &w);
	assert_int_equal(vb_hw_attach(&hw, VB_HW_MMIO_V1, &w), 0);
	assert_int_equal(vb_bring_up(&hw.t, 0, 256, legacy_alloc, NULL, &bu, &steps), 0);
	/* Legacy: no FEATURES_OK (3.1.2). */
	assert_int_equal(reg32(path, VIRTIO_MMIO_STATUS), 0x07);
	assert_int_equal(reg32(path, VIRTIO_MMIO_DRIVER_FEATURES), BIT(VIRTIO_BLK_F_FLUSH));
	/* 4.2.4: GuestPageSize, QueueNum, QueueAlign, QueuePFN in pages. */
	assert_int_equal(reg32(path, VIRTIO_MMIO_GUEST_PAGE_SIZE), 4096);
	assert_int_equal(reg32(path, VIRTIO_MMIO_QUEUE_NUM), 256);
	assert_int_equal(reg32(path, VIRTIO_MMIO_QUEUE_ALIGN), 4096);
	assert_int_equal(reg32(path, VIRTIO_MMIO_QUEUE_PFN), 0x12345);
	/* QueueReady is not a v1 register: untouched. */
	assert_int_equal(reg32(path, VIRTIO_MMIO_QUEUE_READY), 0);
	vq_regwin_close(&w);
	unlink(path);
}

static void test_hw_pci_legacy_registers(void **state)
{
	/* The legacy header (4.1.4.8); QUEUE_NUM is the device's fixed size. */
	const uint32_t init[][2] = {
		{ VIRTIO_PCI_HOST_FEATURES, BIT(VIRTIO_BLK_F_FLUSH) | BIT(VIRTIO_RING_F_EVENT_IDX) },
		{ VIRTIO_PCI_QUEUE_NUM, 128 },
		{ VIRTIO_PCI_CONFIG_OFF(0), 4096 }, /* capacity, low word */
	};
	char path[] = "/tmp/vqdump-pcileg-XXXXXX";
	struct vq_regwin w;
	struct vb_hw hw;
	struct vb_bringup bu;
	struct vb_steps steps = { .n = 0 };
	uint64_t cap = 0;

	(void)state;
	regfile(path, 32, init, sizeof(init) / sizeof(init[0]), &w);
	assert_int_equal(vb_hw_attach(&hw, VB_HW_PCI_LEGACY, &w), 0);
	assert_int_equal(vb_bring_up(&hw.t, 0, 256, legacy_alloc, NULL, &bu, &steps), 0);
	assert_int_equal(reg32(path, 16) >> 16 & 0xff, 0x07); /* status byte at 18 */
	assert_int_equal(reg32(path, VIRTIO_PCI_GUEST_FEATURES), BIT(VIRTIO_BLK_F_FLUSH));
	assert_int_equal(bu.size, 128);
	assert_int_equal(reg32(path, VIRTIO_PCI_QUEUE_PFN), 0x12345);
	assert_int_equal(hw.t.ops->config_read(hw.t.h, 0, &cap, 8), 0);
	assert_int_equal(cap, 4096);
	vq_regwin_close(&w);
	unlink(path);
}

/* ---- the request engine (driver/blkrun.c) against a fake device that serves requests ---- */

#define FD_PA 0x40000000ull   /* physical address of the fake DMA memory (contiguous) */
#define FD_DMA (1u << 20)     /* its bytes */
#define FD_SECTORS 2048u      /* the fake disk's capacity */

/* A virtio-blk device in memory: the registers of struct fake, and on
 * each notify it serves what the driver made available. */
struct fakedev {
	struct fake f;         /* the registers (first: the ops' @h is both) */
	uint8_t *va;           /* the run's DMA memory */
	uint8_t *disk;         /* FD_SECTORS sectors */
	uint16_t last_avail;   /* next available entry to serve */
	int fail_notify;       /* the doorbell write fails */
	int silent;            /* never completes anything */
	int reset_on_notify;   /* set NEEDS_RESET instead of serving */
	int status;            /* >= 0: answer this status to every request */
	unsigned served;       /* requests completed */
	/* Packed queue (RING_PACKED accepted): the device's side (2.8.1). */
	int p_started;         /* the fields below are set */
	uint16_t p_avail;      /* next slot to look for an available chain */
	uint16_t p_awrap;      /* the wrap counter expected there */
	uint16_t p_used;       /* next slot to write a used descriptor to */
	uint16_t p_uwrap;      /* Device Ring Wrap Counter for it */
};

/* A chain the packed fake device took. */
struct fd_pchain {
	uint16_t id, ndesc; /* buffer ID, descriptors */
	uint32_t used;      /* used length */
};

/* One piece of a chain, as the device sees it. */
struct fd_seg {
	uint8_t *p;     /* where it is */
	uint32_t len;   /* bytes */
};

static void *fd_ptr(struct fakedev *fd, uint64_t pa, size_t len)
{
	assert_true(pa >= FD_PA && pa + len <= FD_PA + FD_DMA);
	return fd->va + (pa - FD_PA);
}

/* Copy between the data pieces (all but the first and last) and @buf. */
static void fd_copy(struct fd_seg *seg, unsigned n, uint8_t *buf, int to_device)
{
	unsigned i;

	for (i = 1; i + 1 < n; i++) {
		if (to_device)
			memcpy(buf, seg[i].p, seg[i].len);
		else
			memcpy(seg[i].p, buf, seg[i].len);
		buf += seg[i].len;
	}
}

/* The status for a request of @type on @n pieces (@bytes of data), doing
 * it on the disk; *@used gets the bytes written. */
static uint8_t fd_do(struct fakedev *fd, uint32_t type, uint64_t sector, struct fd_seg *seg,
		     unsigned n, uint32_t bytes, uint32_t *used)
{
	const struct virtio_blk_discard_write_zeroes *dz = (const void *)seg[1].p;
	char id[20] = "fake-serial";

	switch (type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (sector > FD_SECTORS || bytes / 512 > FD_SECTORS - sector)
			return VIRTIO_BLK_S_IOERR;
		fd_copy(seg, n, fd->disk + sector * 512, type == VIRTIO_BLK_T_OUT);
		*used += type == VIRTIO_BLK_T_IN ? bytes : 0;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		fd_copy(seg, n, (uint8_t *)id, 0);
		*used += 20;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		assert_int_equal(n, 3);
		assert_int_equal(seg[1].len, sizeof(*dz));
		if (le64toh(dz->sector) + le32toh(dz->num_sectors) > FD_SECTORS)
			return VIRTIO_BLK_S_IOERR;
		if (type == VIRTIO_BLK_T_WRITE_ZEROES)
			memset(fd->disk + le64toh(dz->sector) * 512, 0, le32toh(dz->num_sectors) * 512u);
		return VIRTIO_BLK_S_OK;
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/* Do the request in @seg: header first, status byte last (5.2.6).
 * Returns the used length. */
static uint32_t fd_handle(struct fakedev *fd, struct fd_seg *seg, unsigned n)
{
	const struct virtio_blk_outhdr *h;
	uint32_t bytes = 0, used = 1;
	unsigned i;
	uint8_t st;

	assert_true(n >= 2);
	assert_int_equal(seg[0].len, sizeof(*h));
	assert_int_equal(seg[n - 1].len, 1);
	for (i = 1; i + 1 < n; i++)
		bytes += seg[i].len;
	h = (const void *)seg[0].p;
	st = fd_do(fd, le32toh(h->type), le64toh(h->sector), seg, n, bytes, &used);
	*seg[n - 1].p = fd->status >= 0 ? (uint8_t)fd->status : st;
	return used;
}

/* Serve the chain at @head of the split ring. */
static void fd_serve(struct fakedev *fd, uint16_t head)
{
	struct vring_desc *tab = fd_ptr(fd, fd->f.qdesc, 16u * fd->f.qsize);
	struct vring_used *u = fd_ptr(fd, fd->f.qused, 4 + 8u * fd->f.qsize);
	struct fd_seg seg[80];
	uint32_t used;
	unsigned n = 0;
	uint16_t d = head;

	for (;;) {
		assert_true(d < fd->f.qsize && n < 80);
		seg[n].len = le32toh(tab[d].len);
		seg[n].p = fd_ptr(fd, le64toh(tab[d].addr), seg[n].len);
		n++;
		if (!(le16toh(tab[d].flags) & VRING_DESC_F_NEXT))
			break;
		d = le16toh(tab[d].next);
	}
	used = fd_handle(fd, seg, n);
	u->ring[le16toh(u->idx) % fd->f.qsize].id = htole32(head);
	u->ring[le16toh(u->idx) % fd->f.qsize].len = htole32(used);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	u->idx = htole16(le16toh(u->idx) + 1);
	fd->served++;
}

/* Take the chain available at the device's slot, if any, and do it (not yet
 * marked used).  1 taken, 0 none available. */
static int fd_packed_take(struct fakedev *fd, struct fd_pchain *c)
{
	struct vring_packed_desc *ring = fd_ptr(fd, fd->f.qdesc, 16u * fd->f.qsize);
	struct fd_seg seg[80];
	unsigned n = 0;

	for (;;) {
		struct vring_packed_desc *d = &ring[fd->p_avail];
		uint16_t fl = le16toh(d->flags);
		unsigned av = !!(fl & (1u << VRING_PACKED_DESC_F_AVAIL));
		unsigned us = !!(fl & (1u << VRING_PACKED_DESC_F_USED));

		/* Available in this lap: AVAIL == wrap, USED != wrap (2.8.1). */
		if (av != fd->p_awrap || us == fd->p_awrap) {
			assert_int_equal(n, 0); /* a chain is made available whole */
			return 0;
		}
		assert_true(n < 80);
		seg[n].len = le32toh(d->len);
		seg[n].p = fd_ptr(fd, le64toh(d->addr), seg[n].len);
		c->id = le16toh(d->id);
		n++;
		if (++fd->p_avail == fd->f.qsize) {
			fd->p_avail = 0;
			fd->p_awrap ^= 1;
		}
		if (!(fl & VRING_DESC_F_NEXT))
			break;
	}
	c->ndesc = (uint16_t)n;
	c->used = fd_handle(fd, seg, n);
	return 1;
}

/* Write the used descriptor of @c at the device's slot (2.8.1: id, len,
 * then flags with AVAIL == USED == its wrap counter) and skip the chain. */
static void fd_packed_used(struct fakedev *fd, const struct fd_pchain *c)
{
	struct vring_packed_desc *d = fd_ptr(fd, fd->f.qdesc + 16u * fd->p_used, 16);
	uint16_t w = fd->p_uwrap ? (1u << VRING_PACKED_DESC_F_AVAIL) | (1u << VRING_PACKED_DESC_F_USED) : 0;

	d->id = htole16(c->id);
	d->len = htole32(c->used);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	d->flags = htole16(w);
	fd->p_used = (uint16_t)(fd->p_used + c->ndesc);
	if (fd->p_used >= fd->f.qsize) {
		fd->p_used = (uint16_t)(fd->p_used - fd->f.qsize);
		fd->p_uwrap ^= 1;
	}
	fd->served++;
}

/* Serve every chain available on the packed ring, in order (the unit
 * tests of vring_packed.c complete out of order). */
static void fd_packed_serve(struct fakedev *fd)
{
	struct fd_pchain c;

	if (!fd->p_started) {
		fd->p_started = 1;
		fd->p_awrap = fd->p_uwrap = 1;
	}
	while (fd_packed_take(fd, &c))
		fd_packed_used(fd, &c);
}

static int fd_notify(void *h, unsigned q)
{
	struct fakedev *fd = h;
	struct vring_avail *a;

	assert_int_equal(q, 0);
	fd->f.notifies++;
	if (fd->fail_notify)
		return -EIO;
	if (fd->reset_on_notify) {
		fd->f.status |= VIRTIO_CONFIG_S_NEEDS_RESET;
		return 0;
	}
	if (fd->silent)
		return 0;
	if (fd->f.driver & BIT(VIRTIO_F_RING_PACKED)) {
		fd_packed_serve(fd);
		return 0;
	}
	a = fd_ptr(fd, fd->f.qavail, 4 + 2u * fd->f.qsize);
	while (fd->last_avail != le16toh(a->idx)) {
		fd_serve(fd, le16toh(a->ring[fd->last_avail % fd->f.qsize]));
		fd->last_avail++;
	}
	return 0;
}

static int fd_config_read(void *h, unsigned off, void *buf, unsigned len)
{
	struct virtio_blk_config c;

	(void)h;
	memset(&c, 0, sizeof(c));
	c.capacity = htole64(FD_SECTORS);
	c.blk_size = htole32(4096);
	c.max_discard_sectors = htole32(4);
	assert_true(off + len <= sizeof(c));
	memcpy(buf, (uint8_t *)&c + off, len);
	return 0;
}

static const struct vb_ops fakedev_ops = {
	.get_status = f_get_status,
	.set_status = f_set_status,
	.get_features = f_get_features,
	.set_features = f_set_features,
	.queue_info = f_queue_info,
	.queue_activate = f_queue_activate,
	.notify = fd_notify,
	.config_read = fd_config_read,
};

/* A run of @depth x @bsize bench slots over a fake device offering
 * @offered, attached (not yet brought up). */
static void run_setup(struct vb_run *r, struct fakedev *fd, struct vq_dev *d, uint64_t offered,
		      unsigned depth, uint32_t bsize, double bench)
{
	struct vb_transport t;
	size_t i;

	memset(fd, 0, sizeof(*fd));
	fake_init(&fd->f, &t, 1);
	t.ops = &fakedev_ops;
	t.h = fd;
	fd->f.offered = offered;
	fd->status = -1;
	fd->disk = calloc(FD_SECTORS, 512);
	assert_non_null(fd->disk);
	for (i = 0; i < FD_SECTORS * 512u; i++)
		fd->disk[i] = (uint8_t)(i * 7 + i / 512);
	vb_run_init(r, depth, bsize, bench);
	r->dma.va = mmap(NULL, FD_DMA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(r->dma.va != MAP_FAILED);
	r->dma.len = FD_DMA;
	r->dma.page = 4096;
	r->dma.pa = malloc(FD_DMA / 4096 * sizeof(*r->dma.pa));
	assert_non_null(r->dma.pa);
	for (i = 0; i < FD_DMA / 4096; i++)
		r->dma.pa[i] = FD_PA + i * 4096;
	fd->va = r->dma.va;
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "test0");
	assert_int_equal(vb_run_attach(r, d, &t), 0);
}

static void run_teardown(struct vb_run *r, struct fakedev *fd)
{
	vb_run_close(r);
	free(fd->disk);
}

#define ALL_BLK (BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_BLK_F_FLUSH) | BIT(VIRTIO_BLK_F_BLK_SIZE) | \
		 BIT(VIRTIO_BLK_F_DISCARD) | BIT(VIRTIO_BLK_F_WRITE_ZEROES))

/* What a --read handed its sink. */
struct collected {
	uint8_t buf[600 * 512]; /* the bytes, at their offsets */
	uint64_t off[8];        /* offset of each call */
	unsigned calls;         /* calls */
	int fail;               /* return this from the first call */
};

static int collect(void *arg, uint64_t off, const uint8_t *data, size_t len)
{
	struct collected *c = arg;

	assert_true(off + len <= sizeof(c->buf));
	memcpy(c->buf + off, data, len);
	if (c->calls < 8)
		c->off[c->calls] = off;
	c->calls++;
	return c->fail;
}

/* Every request kind on a split or (@packed) a packed queue. */
static void run_requests(int packed)
{
	static struct collected c;
	struct fakedev fd;
	struct vq_dev d;
	struct vb_run r;
	uint8_t want[16 * 512];
	size_t i;

	memset(&c, 0, sizeof(c));
	run_setup(&r, &fd, &d, ALL_BLK | BIT(VIRTIO_F_RING_PACKED), 1, 4096, 0);
	r.packed = packed;
	assert_int_equal(vb_run_bring_up(&r, VB_INJ_NONE), 0);
	/* RING_PACKED accepted only when asked for, and the layout follows. */
	assert_int_equal(vb_run_has(&r, VIRTIO_F_RING_PACKED), packed);
	assert_string_equal(r.ring->layout, packed ? "packed" : "split");
	assert_int_equal(r.qsize, 256);
	assert_true(r.device_up);
	assert_int_equal(r.capacity, FD_SECTORS);
	assert_int_equal(r.blk_size, 4096);
	assert_int_equal(r.max_discard, 4);
	assert_int_equal(r.max_wz, 0);
	assert_true(step(&r.steps, "config")->ok);

	assert_int_equal(vb_run_get_id(&r), 0);
	assert_true(r.have_id);
	assert_string_equal(r.id, "fake-serial");

	/* A write, then a read of the same range gives the pattern back. */
	assert_int_equal(vb_run_rw(&r, 1, 100, 16, 0xa5, NULL, NULL), 0);
	memset(want, 0xa5, sizeof(want));
	assert_memory_equal(fd.disk + 100 * 512, want, sizeof(want));
	assert_int_equal(vb_run_rw(&r, 0, 100, 16, 0, collect, &c), 0);
	assert_int_equal(c.calls, 1);
	assert_memory_equal(c.buf, want, sizeof(want));

	/* 600 sectors: three requests of at most 256, each chunk to the sink
	 * at its offset, together the disk's bytes. */
	memset(&c, 0, sizeof(c));
	i = r.nreqs;
	assert_int_equal(vb_run_rw(&r, 0, 1000, 600, 0, collect, &c), 0);
	assert_int_equal(r.nreqs - i, 3);
	assert_int_equal(r.reqs[i].lba, 1000);
	assert_int_equal(r.reqs[i].count, 256);
	assert_int_equal(r.reqs[i + 2].lba, 1512);
	assert_int_equal(r.reqs[i + 2].count, 88);
	assert_int_equal(r.reqs[i + 2].len, 88 * 512 + 1);
	assert_int_equal(c.calls, 3);
	assert_int_equal(c.off[1], 256 * 512);
	assert_memory_equal(c.buf, fd.disk + 1000 * 512, 600 * 512);

	assert_int_equal(vb_run_flush(&r), 0);
	/* No limit given: one WRITE_ZEROES; DISCARD split by max_discard 4. */
	i = r.nreqs;
	assert_int_equal(vb_run_write_zeroes(&r, 200, 8), 0);
	memset(want, 0, sizeof(want));
	assert_memory_equal(fd.disk + 200 * 512, want, 8 * 512);
	assert_int_equal(vb_run_discard(&r, 300, 10), 0);
	assert_int_equal(r.nreqs - i, 4);
	assert_int_equal(r.reqs[i + 3].lba, 308);
	assert_int_equal(r.reqs[i + 3].count, 2);

	/* 5.2.6.1: past the end IOERR, an unknown type UNSUPP: both right. */
	i = r.nreqs;
	assert_int_equal(vb_run_negative(&r), 0);
	assert_int_equal(r.reqs[i].lba, FD_SECTORS);
	assert_int_equal(r.reqs[i].status, VIRTIO_BLK_S_IOERR);
	assert_int_equal(r.reqs[i + 1].status, VIRTIO_BLK_S_UNSUPP);
	for (i = 0; i < r.nreqs; i++) {
		assert_true(r.reqs[i].done);
		assert_true(r.reqs[i].ok);
	}
	assert_int_equal(vb_run_wrong(&r), 0);
	assert_int_equal(fd.served, r.nreqs);
	assert_int_equal(vb_run_reset(&r), 0);
	assert_int_equal(fd.f.status, 0);
	assert_true(step(&r.steps, "reset")->ok);
	run_teardown(&r, &fd);
}

static void test_run_requests(void **state)
{
	(void)state;
	run_requests(0);
}

static void test_run_requests_packed(void **state)
{
	(void)state;
	run_requests(1);
}

static void test_run_judged_wrong(void **state)
{
	struct collected c = { .fail = -EPIPE };
	struct fakedev fd;
	struct vq_dev d;
	struct vb_run r;

	(void)state;
	/* No FLUSH, DISCARD or WRITE_ZEROES offered: recorded, not sent. */
	run_setup(&r, &fd, &d, BIT(VIRTIO_F_VERSION_1), 1, 4096, 0);
	assert_int_equal(vb_run_bring_up(&r, VB_INJ_NONE), 0);
	assert_int_equal(vb_run_flush(&r), 0);
	assert_int_equal(vb_run_discard(&r, 0, 8), 0);
	assert_int_equal(vb_run_write_zeroes(&r, 0, 8), 0);
	assert_int_equal(r.nreqs, 3);
	assert_true(r.reqs[0].skipped && r.reqs[0].ok);
	assert_non_null(strstr(r.reqs[1].why, "DISCARD not offered"));
	assert_int_equal(fd.served, 0);
	/* The sink's error stops the read and comes back. */
	assert_int_equal(vb_run_rw(&r, 0, 0, 600, 0, collect, &c), -EPIPE);
	assert_int_equal(c.calls, 1);
	assert_int_equal(r.nreqs, 4);
	/* A device answering IOERR to a read: judged wrong. */
	fd.status = VIRTIO_BLK_S_IOERR;
	assert_int_equal(vb_run_rw(&r, 0, 0, 8, 0, NULL, NULL), 0);
	assert_false(r.reqs[4].ok);
	assert_true(r.reqs[4].done);
	assert_non_null(strstr(r.reqs[4].why, "IOERR"));
	assert_int_equal(vb_run_wrong(&r), 1);
	run_teardown(&r, &fd);
}

static void test_run_notify_fails(void **state)
{
	struct fakedev fd;
	struct vq_dev d;
	struct vb_run r;

	(void)state;
	run_setup(&r, &fd, &d, ALL_BLK, 1, 4096, 0);
	assert_int_equal(vb_run_bring_up(&r, VB_INJ_NONE), 0);
	fd.fail_notify = 1;
	assert_int_equal(vb_run_get_id(&r), -EIO);
	assert_non_null(strstr(r.err, "notify test0"));
	assert_string_equal(r.reqs[0].why, "notify failed");
	assert_true(r.broken);
	/* The queue is broken: nothing more goes out. */
	assert_int_equal(vb_run_flush(&r), 0);
	assert_true(r.reqs[1].skipped);
	assert_string_equal(r.reqs[1].why, "not sent: an earlier request broke the queue");
	assert_int_equal(vb_run_bench(&r), 0);
	assert_false(r.bench_done);
	assert_int_equal(fd.f.notifies, 1);
	assert_int_equal(vb_run_wrong(&r), 2);
	run_teardown(&r, &fd);
}

static struct vb_run *alarm_run;

static void on_alarm(int sig)
{
	(void)sig;
	vb_run_interrupt(alarm_run);
}

static void test_run_interrupted(void **state)
{
	struct itimerval it = { .it_value = { .tv_usec = 50000 } };
	struct sigaction sa, old;
	struct fakedev fd;
	struct vq_dev d;
	struct vb_run r;

	(void)state;
	run_setup(&r, &fd, &d, ALL_BLK, 1, 4096, 0);
	assert_int_equal(vb_run_bring_up(&r, VB_INJ_NONE), 0);
	/* A device that never answers, and a signal 50 ms later. */
	fd.silent = 1;
	alarm_run = &r;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	assert_int_equal(vb_run_get_id(&r), 0);
	sigaction(SIGALRM, &old, NULL);
	assert_false(r.reqs[0].done);
	assert_string_equal(r.reqs[0].why, "interrupted before the device completed it");
	assert_int_equal(vb_run_negative(&r), 0);
	assert_string_equal(r.reqs[1].why, "not sent: interrupted");
	assert_int_equal(fd.f.notifies, 1);
	run_teardown(&r, &fd);
}

static void test_run_bench(void **state)
{
	struct fakedev fd;
	struct vq_dev d;
	struct vb_run r;
	unsigned need;

	(void)state;
	run_setup(&r, &fd, &d, ALL_BLK, 4, 8192, 0.05);
	assert_int_equal(vb_run_bring_up(&r, VB_INJ_NONE), 0);
	/* Header, two pages, status: 4 descriptors per request. */
	assert_int_equal(vb_run_bench_fits(&r, &need), 0);
	assert_int_equal(need, 16);
	assert_int_equal(vb_run_bench(&r), 0);
	assert_true(r.bench_done);
	assert_true(r.bench_n > 0);
	assert_int_equal(r.bench_n, fd.served);
	assert_int_equal(r.bench_errors, 0);
	assert_null(r.bench_why[0] ? r.bench_why : NULL);
	assert_true(r.lat_min <= r.lat_p50 && r.lat_p50 <= r.lat_p99 && r.lat_p99 <= r.lat_max);
	assert_true(r.iops > 0);
	assert_int_equal(vb_run_wrong(&r), 0);
	/* Wrong completions count once in the verdict, the first one said. */
	fd.status = VIRTIO_BLK_S_IOERR;
	r.bench_secs = 0.01;
	assert_int_equal(vb_run_bench(&r), 0);
	assert_int_equal(r.bench_errors, r.bench_n);
	assert_non_null(strstr(r.bench_why, "read of sector"));
	assert_int_equal(vb_run_wrong(&r), 1);
	run_teardown(&r, &fd);

	/* 100 x 8 KiB needs 400 descriptors; the queue has 256. */
	run_setup(&r, &fd, &d, ALL_BLK, 100, 8192, 1);
	assert_int_equal(vb_run_bring_up(&r, VB_INJ_NONE), 0);
	assert_int_equal(vb_run_bench_fits(&r, &need), -ENOSPC);
	assert_int_equal(need, 400);
	run_teardown(&r, &fd);
}

/* The bench on a packed ring: many laps of the ring, every completion
 * matched to its request. */
static void test_run_bench_packed(void **state)
{
	struct fakedev fd;
	struct vq_dev d;
	struct vb_run r;

	(void)state;
	run_setup(&r, &fd, &d, ALL_BLK | BIT(VIRTIO_F_RING_PACKED), 8, 4096, 0.05);
	r.packed = 1;
	assert_int_equal(vb_run_bring_up(&r, VB_INJ_NONE), 0);
	assert_int_equal(vb_run_bench(&r), 0);
	assert_true(r.bench_done);
	/* 3 descriptors a read, 256 slots: more than 86 reads wrap the ring. */
	assert_true(r.bench_n > 200);
	assert_int_equal(r.bench_n, fd.served);
	assert_int_equal(r.bench_errors, 0);
	assert_int_equal(r.pvq.num_free, 256);
	run_teardown(&r, &fd);
}

static void test_run_inject(void **state)
{
	struct fakedev fd;
	struct vq_dev d;
	struct vb_run r;

	(void)state;
	assert_int_equal(vb_inject_kind("next-range"), VB_INJ_NEXT_RANGE);
	assert_int_equal(vb_inject_kind("loop"), VB_INJ_LOOP);
	assert_int_equal(vb_inject_kind("bogus"), VB_INJ_NONE);

	run_setup(&r, &fd, &d, ALL_BLK | BIT(VIRTIO_RING_F_INDIRECT_DESC), 1, 4096, 0);
	/* indirect-size needs INDIRECT_DESC: asked for at bring-up. */
	assert_int_equal(vb_run_bring_up(&r, VB_INJ_INDIRECT_SIZE), 0);
	assert_true(vb_run_has(&r, VIRTIO_RING_F_INDIRECT_DESC));
	fd.reset_on_notify = 1;
	assert_int_equal(vb_run_inject(&r, VB_INJ_NEXT_RANGE), 0);
	assert_int_equal(le16toh(r.vq.desc[0].next), r.vq.size);
	assert_int_equal(le16toh(r.vq.avail->idx), 1);
	assert_true(step(&r.steps, "inject")->ok);
	assert_non_null(strstr(step(&r.steps, "inject")->detail, "next-range chain published"));
	run_teardown(&r, &fd);

	/* A device that does not react; the wait ends at once when stopped. */
	run_setup(&r, &fd, &d, ALL_BLK, 1, 4096, 0);
	assert_int_equal(vb_run_bring_up(&r, VB_INJ_NONE), 0);
	assert_false(vb_run_has(&r, VIRTIO_RING_F_INDIRECT_DESC));
	fd.silent = 1;
	vb_run_interrupt(&r);
	assert_int_equal(vb_run_inject(&r, VB_INJ_LOOP), 1);
	assert_int_equal(le16toh(r.vq.desc[1].next), 0);
	assert_false(step(&r.steps, "inject")->ok);
	run_teardown(&r, &fd);
}

static void test_run_legacy_ring(void **state)
{
	struct fakedev fd;
	struct vq_dev d;
	struct vb_run r;
	size_t used_off;

	(void)state;
	run_setup(&r, &fd, &d, BIT(VIRTIO_BLK_F_FLUSH), 1, 4096, 0);
	/* A legacy transport: one block, the used ring page-aligned. */
	r.hw.t.modern = 0;
	r.hw.t.legacy_layout = 1;
	r.hw.t.fixed_size = 1;
	r.hw.t.align = 4096;
	fd.f.qmax = 128;
	assert_int_equal(vb_run_bring_up(&r, VB_INJ_NONE), 0);
	vb_vq_legacy_bytes(128, 4096, &used_off);
	assert_int_equal(fd.f.qsize, 128);
	assert_int_equal(fd.f.qdesc % 4096, 0);
	assert_int_equal(fd.f.qavail, fd.f.qdesc + 16 * 128);
	assert_int_equal(fd.f.qused, fd.f.qdesc + used_off);
	assert_int_equal(vb_run_flush(&r), 0);
	assert_true(r.reqs[0].ok);
	run_teardown(&r, &fd);
}

/* ---- a whole run's plan (driver/blkplan.c) against the same fake device ---- */

/* What a plan's run handed to its caller through struct vb_plan_io. */
struct heard {
	char msg[4][640];         /* the messages, in order */
	unsigned nmsg;            /* messages said */
	unsigned opens;           /* open_sink calls */
	int open_ret;             /* what open_sink returns */
	struct collected c;       /* what the sink got */
};

static void heard_say(void *arg, const char *msg)
{
	struct heard *h = arg;

	if (h->nmsg < 4)
		snprintf(h->msg[h->nmsg], sizeof(h->msg[0]), "%s", msg);
	h->nmsg++;
}

static int heard_open(void *arg)
{
	struct heard *h = arg;

	h->opens++;
	return h->open_ret;
}

static int heard_sink(void *arg, uint64_t off, const uint8_t *data, size_t len)
{
	return collect(&((struct heard *)arg)->c, off, data, len);
}

/* Callbacks that record into @h (zeroed). */
static struct vb_plan_io heard_io(struct heard *h)
{
	memset(h, 0, sizeof(*h));
	return (struct vb_plan_io){ .say = heard_say, .open_sink = heard_open, .sink = heard_sink,
				    .arg = h };
}

/* A pagemap file that puts the run's DMA memory at @pa: at FD_PA, where
 * run_setup told the run it is, the closing dma_check passes.  @path: a
 * mkstemp template the first time (rewritten after), unlinked by the
 * caller. */
static void fake_pagemap(struct vb_run *r, char *path, uint64_t pa)
{
	uint64_t first = (uint64_t)(uintptr_t)r->dma.va / 4096, e;
	int fd = strstr(path, "XXXXXX") ? mkstemp(path) : open(path, O_WRONLY | O_TRUNC);
	size_t i;

	assert_true(fd >= 0);
	for (i = 0; i < FD_DMA / 4096; i++) {
		e = (1ull << 63) | (pa / 4096 + i);
		assert_int_equal(pwrite(fd, &e, sizeof(e), (off_t)((first + i) * sizeof(e))),
				 sizeof(e));
	}
	close(fd);
	r->dma.pagemap = path;
}

/* The name of the step @back from the last (0: the last). */
static const char *step_back(const struct vb_run *r, unsigned back)
{
	assert_true(back < r->steps.n);
	return r->steps.v[r->steps.n - 1 - back].name;
}

/* A plan asking nothing, as the options leave it before parsing. */
static struct vb_plan plan_none(void)
{
	return (struct vb_plan){ .pattern = -1, .depth = 1, .size = 4096 };
}

static void test_plan_pass(void **state)
{
	static const uint32_t order[] = {
		VIRTIO_BLK_T_GET_ID, VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_WRITE_ZEROES, VIRTIO_BLK_T_DISCARD,
		VIRTIO_BLK_T_DISCARD, VIRTIO_BLK_T_DISCARD, VIRTIO_BLK_T_FLUSH, VIRTIO_BLK_T_IN,
		VIRTIO_BLK_T_IN, VB_T_UNKNOWN,
	};
	char path[] = "/tmp/vqdump-pagemap-XXXXXX";
	struct vb_plan p = plan_none();
	static struct heard h;
	struct vb_plan_io io = heard_io(&h);
	uint8_t want[16 * 512];
	struct fakedev fd;
	struct vq_dev d;
	struct vb_run r;
	size_t i;

	(void)state;
	run_setup(&r, &fd, &d, ALL_BLK, 1, 4096, 0);
	fake_pagemap(&r, path, FD_PA);
	/* Every kind at once: sent in the plan's order, whatever the fields' order. */
	p.id = p.flush = p.negative = 1;
	p.read = (struct vb_range){ 1, 100, 16 };
	p.write = (struct vb_range){ 1, 100, 16 };
	p.wz = (struct vb_range){ 1, 200, 8 };
	p.discard = (struct vb_range){ 1, 300, 10 };
	assert_int_equal(vb_run_plan(&r, &p, &io), VB_PASS);
	assert_string_equal(r.verdict, "every request completed as the spec says");
	assert_int_equal(r.nreqs, sizeof(order) / sizeof(order[0]));
	for (i = 0; i < r.nreqs; i++) {
		assert_int_equal(r.reqs[i].type, order[i]);
		assert_true(r.reqs[i].ok);
	}
	/* The read came after the write: the default pattern, to the sink. */
	memset(want, VB_DEFAULT_PATTERN, sizeof(want));
	assert_int_equal(h.opens, 1);
	assert_int_equal(h.c.calls, 1);
	assert_memory_equal(h.c.buf, want, sizeof(want));
	assert_int_equal(h.nmsg, 0);
	assert_string_equal(step_back(&r, 1), "reset");
	assert_true(step(&r.steps, "reset")->ok);
	assert_string_equal(step_back(&r, 0), "dma_check");
	assert_true(step(&r.steps, "dma_check")->ok);
	assert_int_equal(fd.f.status, 0);
	run_teardown(&r, &fd);
	unlink(path);
}

/* A plan the device cannot take: nothing sent, the device reset. */
static void refused(uint64_t offered, const struct vb_plan *p, unsigned depth, uint32_t bsize,
		    const char *msg, const char *verdict)
{
	char path[] = "/tmp/vqdump-pagemap-XXXXXX";
	static struct heard h;
	struct vb_plan_io io = heard_io(&h);
	struct fakedev fd;
	struct vq_dev d;
	struct vb_run r;

	run_setup(&r, &fd, &d, offered, depth, bsize, p->bench);
	fake_pagemap(&r, path, FD_PA);
	assert_int_equal(vb_run_plan(&r, p, &io), VB_REFUSED);
	assert_string_equal(r.verdict, verdict);
	assert_int_equal(h.nmsg, 1);
	assert_string_equal(h.msg[0], msg);
	assert_int_equal(h.opens, 0);
	assert_int_equal(r.nreqs, 0);
	assert_int_equal(fd.served, 0);
	assert_string_equal(step_back(&r, 1), "reset");
	assert_true(step(&r.steps, "reset")->ok);
	assert_true(step(&r.steps, "dma_check")->ok);
	run_teardown(&r, &fd);
	unlink(path);
}

static void test_plan_refused(void **state)
{
	struct vb_plan p = plan_none();

	(void)state;
	p.id = 1;
	p.write = (struct vb_range){ 1, 0, 8 };
	p.read = (struct vb_range){ 1, 2040, 16 };
	refused(ALL_BLK, &p, 1, 4096,
		"--read 2040+16 is outside the device's 2048 sectors; nothing was sent",
		"a range is outside the device; nothing sent");
	p.read.set = 0;
	refused(ALL_BLK | BIT(VIRTIO_BLK_F_RO), &p, 1, 4096,
		"the device is read-only (VIRTIO_BLK_F_RO); --write, --discard and --write-zeroes are not sent",
		"device is read-only; nothing sent");
	p = plan_none();
	p.bench = 1;
	p.depth = 100;
	p.size = 8192;
	refused(ALL_BLK, &p, 100, 8192, "--depth 100 needs 400 descriptors, queue 0 has 256",
		"--depth too large for the queue; nothing sent");
	/* --packed on a modern device that does not offer RING_PACKED. */
	p = plan_none();
	p.id = 1;
	p.packed = 1;
	refused(ALL_BLK, &p, 1, 4096,
		"--packed: test0 does not offer VIRTIO_F_RING_PACKED (bit 34; in QEMU, packed=on); nothing was sent",
		"device does not offer packed virtqueues; nothing sent");
}

/* --packed on a legacy transport: refused before the device is touched. */
static void test_plan_packed_legacy(void **state)
{
	static struct heard h;
	struct vb_plan_io io = heard_io(&h);
	struct vb_plan p = plan_none();
	struct fakedev fd;
	struct vq_dev d;
	struct vb_run r;

	(void)state;
	run_setup(&r, &fd, &d, ALL_BLK | BIT(VIRTIO_F_RING_PACKED), 1, 4096, 0);
	r.hw.t.modern = 0;
	r.hw.kind_name = "pci-legacy";
	p.id = 1;
	p.packed = 1;
	assert_int_equal(vb_run_plan(&r, &p, &io), VB_REFUSED);
	assert_int_equal(h.nmsg, 1);
	assert_string_equal(h.msg[0],
			    "--packed: test0 is on a legacy transport (pci-legacy, 32 feature bits), which cannot offer VIRTIO_F_RING_PACKED (bit 34); nothing was sent");
	assert_string_equal(r.verdict, "no packed virtqueue on a legacy transport; nothing sent");
	assert_int_equal(fd.f.nwrites, 0);
	assert_int_equal(r.nreqs, 0);
	/* --inject with --packed: refused, nothing written either. */
	p.inject = VB_INJ_LOOP;
	r.hw.t.modern = 1;
	assert_int_equal(vb_run_plan(&r, &p, &io), VB_REFUSED);
	assert_int_equal(fd.f.nwrites, 0);
	run_teardown(&r, &fd);
}

static void test_plan_errors(void **state)
{
	char path[] = "/tmp/vqdump-pagemap-XXXXXX";
	struct vb_plan p = plan_none();
	static struct heard h;
	struct vb_plan_io io = heard_io(&h);
	struct fakedev fd;
	struct vq_dev d;
	struct vb_run r;

	(void)state;
	/* The read's destination cannot be opened: nothing sent. */
	h.open_ret = -EACCES;
	p.id = 1;
	p.read = (struct vb_range){ 1, 0, 8 };
	run_setup(&r, &fd, &d, ALL_BLK, 1, 4096, 0);
	fake_pagemap(&r, path, FD_PA);
	assert_int_equal(vb_run_plan(&r, &p, &io), VB_ERROR);
	assert_string_equal(r.verdict, "cannot open the output file; nothing sent");
	assert_int_equal(h.opens, 1);
	assert_int_equal(fd.served, 0);
	run_teardown(&r, &fd);

	/* The sink fails: the read stops; the device did right, the run did not. */
	io = heard_io(&h);
	h.c.fail = -EIO;
	p.read = (struct vb_range){ 1, 0, 600 };
	run_setup(&r, &fd, &d, ALL_BLK, 1, 4096, 0);
	fake_pagemap(&r, path, FD_PA);
	assert_int_equal(vb_run_plan(&r, &p, &io), VB_ERROR);
	assert_string_equal(r.verdict, "every request completed as the spec says");
	assert_int_equal(h.c.calls, 1);
	assert_int_equal(r.nreqs, 2);
	run_teardown(&r, &fd);

	/* The pagemap has the DMA memory elsewhere at the end: pages moved. */
	io = heard_io(&h);
	p.read.set = 0;
	run_setup(&r, &fd, &d, ALL_BLK, 1, 4096, 0);
	fake_pagemap(&r, path, FD_PA + FD_DMA);
	assert_int_equal(vb_run_plan(&r, &p, &io), VB_ERROR);
	assert_string_equal(r.verdict, "DMA pages moved during the run: results not trustworthy");
	assert_string_equal(step_back(&r, 0), "dma_check");
	assert_false(step(&r.steps, "dma_check")->ok);
	assert_true(r.reqs[0].ok);
	run_teardown(&r, &fd);
	unlink(path);
}

static void test_plan_fail(void **state)
{
	char path[] = "/tmp/vqdump-pagemap-XXXXXX";
	struct vb_plan p = plan_none();
	static struct heard h;
	struct vb_plan_io io = heard_io(&h);
	struct fakedev fd;
	struct vq_dev d;
	struct vb_run r;

	(void)state;
	/* A device answering IOERR to everything: each request counted. */
	p.id = p.flush = 1;
	run_setup(&r, &fd, &d, ALL_BLK, 1, 4096, 0);
	fake_pagemap(&r, path, FD_PA);
	fd.status = VIRTIO_BLK_S_IOERR;
	assert_int_equal(vb_run_plan(&r, &p, &io), VB_FAIL);
	assert_string_equal(r.verdict, "2 requests did not complete as the spec says");
	assert_string_equal(step_back(&r, 1), "reset");
	assert_true(step(&r.steps, "reset")->ok);
	run_teardown(&r, &fd);

	/* The doorbell fails: said when it happens, the rest not sent. */
	io = heard_io(&h);
	run_setup(&r, &fd, &d, ALL_BLK, 1, 4096, 0);
	fake_pagemap(&r, path, FD_PA);
	fd.fail_notify = 1;
	assert_int_equal(vb_run_plan(&r, &p, &io), VB_FAIL);
	assert_int_equal(h.nmsg, 1);
	assert_non_null(strstr(h.msg[0], "notify test0"));
	assert_string_equal(r.verdict, "2 requests did not complete as the spec says");
	run_teardown(&r, &fd);

	/* Interrupted before anything went out. */
	io = heard_io(&h);
	run_setup(&r, &fd, &d, ALL_BLK, 1, 4096, 0);
	fake_pagemap(&r, path, FD_PA);
	vb_run_interrupt(&r);
	assert_int_equal(vb_run_plan(&r, &p, &io), VB_FAIL);
	assert_string_equal(r.verdict, "interrupted; device reset");
	assert_int_equal(fd.served, 0);
	run_teardown(&r, &fd);

	/* Bring-up fails: said by step, nothing else done. */
	io = heard_io(&h);
	run_setup(&r, &fd, &d, BIT(VIRTIO_BLK_F_FLUSH), 1, 4096, 0);
	assert_int_equal(vb_run_plan(&r, &p, &io), VB_FAIL);
	assert_string_equal(r.verdict, "bring-up failed at step 'features'");
	assert_int_equal(r.nreqs, 0);
	assert_null(step(&r.steps, "dma_check"));
	run_teardown(&r, &fd);
	unlink(path);
}

static void test_plan_inject(void **state)
{
	char path[] = "/tmp/vqdump-pagemap-XXXXXX";
	struct vb_plan p = plan_none();
	struct fakedev fd;
	struct vq_dev d;
	struct vb_run r;

	(void)state;
	/* Flagged: left as it is for diagnose, not reset. */
	p.inject = VB_INJ_LOOP;
	run_setup(&r, &fd, &d, ALL_BLK, 1, 4096, 0);
	fd.reset_on_notify = 1;
	assert_int_equal(vb_run_plan(&r, &p, NULL), VB_PASS);
	assert_string_equal(r.verdict,
			    "device flagged the malformed chain with NEEDS_RESET; device left unreset");
	assert_string_equal(step_back(&r, 0), "inject");
	assert_true(fd.f.status & VIRTIO_CONFIG_S_NEEDS_RESET);
	run_teardown(&r, &fd);

	/* Not flagged: the device is reset. */
	run_setup(&r, &fd, &d, ALL_BLK, 1, 4096, 0);
	fake_pagemap(&r, path, FD_PA);
	fd.silent = 1;
	vb_run_interrupt(&r);
	assert_int_equal(vb_run_plan(&r, &p, NULL), VB_FAIL);
	assert_string_equal(r.verdict,
			    "device did not set NEEDS_RESET for the malformed chain; device reset");
	assert_string_equal(step_back(&r, 1), "reset");
	assert_true(step(&r.steps, "reset")->ok);
	assert_int_equal(fd.f.status, 0);
	run_teardown(&r, &fd);
	unlink(path);
}

/* A source without a writable open (a snapshot) is refused before any
 * ownership check, by what its transport offers rather than its type. */
static void test_hw_needs_open_regs(void **state)
{
	static const struct vq_transport no_regs = { .name = "test" };
	struct vq_dev d = { .t = &no_regs, .device_id = 2, .kind = VQ_T_PCI };
	struct vb_steps steps = { .n = 0 };
	struct vb_hw hw;
	char err[256];

	(void)state;
	snprintf(d.name, sizeof(d.name), "0000:00:04.0");
	assert_int_equal(vb_hw_open(&hw, &d, &steps, err, sizeof(err)), -ENODEV);
	assert_string_equal(err, "0000:00:04.0 comes from the test source, which has no registers to write; blk drives live devices only");
	d.t = &vq_transport_snapshot;
	assert_int_equal(vb_hw_open(&hw, &d, &steps, err, sizeof(err)), -ENODEV);
	assert_non_null(strstr(err, "from the snapshot source, which has no registers to write"));
	assert_int_equal(steps.n, 0);
	vb_hw_close(&hw);
}

/* The modern layout over three file windows: selectors, the doorbell and
 * the bounds of the device configuration. */
static void test_regs_pci_modern(void **state)
{
	const uint32_t common_init[][2] = {
		{ VIRTIO_PCI_COMMON_Q_SIZE, 256 | 1u << 16 }, /* queue_size, queue_msix_vector 1 */
		{ VIRTIO_PCI_COMMON_Q_ENABLE, 1 | 2u << 16 }, /* queue_enable, queue_notify_off 2 */
	};
	const uint32_t dev_init[][2] = { { 0, 0x1000 } };
	char cpath[] = "/tmp/vqdump-pcim-c-XXXXXX", npath[] = "/tmp/vqdump-pcim-n-XXXXXX",
	     dpath[] = "/tmp/vqdump-pcim-d-XXXXXX";
	struct vq_regwin c, n, dv;
	struct vq_reg_queue q = { 0 };
	struct vq_regs r;
	char err[256];
	uint64_t cap = 0;

	(void)state;
	regfile(cpath, 0x38, common_init, 2, &c);
	regfile(npath, 16, NULL, 0, &n);
	regfile(dpath, 8, dev_init, 1, &dv);
	vq_regs_init(&r, &vq_regs_pci_modern, err, sizeof(err));
	r.win[VQ_RS_COMMON] = &c;
	r.win[VQ_RS_NOTIFY] = &n;
	r.win[VQ_RS_DEVICE] = &dv;
	r.len[VQ_RS_COMMON] = 0x38;
	r.len[VQ_RS_NOTIFY] = 16;
	r.len[VQ_RS_DEVICE] = 8;
	r.notify_mult = 4;
	assert_int_equal(r.ops->set_driver_features(&r, 1, 1), 0);
	assert_int_equal(reg32(cpath, VIRTIO_PCI_COMMON_GFSELECT), 1);
	assert_int_equal(reg32(cpath, VIRTIO_PCI_COMMON_GF), 1);
	assert_int_equal(r.ops->queue_select(&r, 0), 0);
	assert_int_equal(r.ops->queue_read(&r, &q), 0);
	assert_int_equal(q.size, 256);
	assert_int_equal(q.msix_vector, 1);
	assert_true(q.enabled);
	assert_int_equal(q.notify_off, 2);
	assert_int_equal(r.ops->queue_doorbell(&r, &q), 0);
	assert_int_equal(r.notify_at, 8);
	assert_int_equal(r.ops->notify(&r, 3), 0);
	assert_int_equal(reg32(npath, 8), 3);
	q.notify_off = 4; /* 16 + 2 bytes: past the structure */
	assert_int_equal(r.ops->queue_doorbell(&r, &q), -EPROTO);
	assert_int_equal(r.ops->config_read(&r, VIRTIO_ID_BLOCK, 0, &cap, 8), 0);
	assert_int_equal(cap, 0x1000);
	assert_int_equal(r.ops->config_read(&r, VIRTIO_ID_BLOCK, 4, &cap, 8), -ERANGE);
	vq_regs_close(&r);
	unlink(cpath);
	unlink(npath);
	unlink(dpath);
}

/* MMIO v1: no configuration generation; a queue whose QueueNumMax reads 0
 * does not exist, so nothing else of it is read. */
static void test_regs_mmio_v1(void **state)
{
	const uint32_t init[][2] = { { VIRTIO_MMIO_QUEUE_PFN, 5 } };
	char path[] = "/tmp/vqdump-mmio1r-XXXXXX";
	struct vq_reg_queue q = { 0 };
	struct vq_regwin w;
	struct vq_regs r;
	char err[256];
	uint32_t gen;

	(void)state;
	regfile(path, 0x200, init, 1, &w);
	vq_regs_init(&r, &vq_regs_mmio, err, sizeof(err));
	r.win[VQ_RS_COMMON] = &w;
	r.len[VQ_RS_COMMON] = 0x200;
	r.mmio_version = 1;
	assert_int_equal(r.ops->config_generation(&r, &gen), -EOPNOTSUPP);
	assert_null(r.ops->driver_features);
	assert_int_equal(r.ops->queue_read(&r, &q), 0);
	assert_int_equal(q.size, 0);
	assert_int_equal(q.pfn, 0);
	r.mmio_version = 2;
	assert_int_equal(r.ops->config_generation(&r, &gen), 0);
	vq_regs_close(&r);
	unlink(path);
}


/* ---- device configuration read field by field ---- */

/* A device configuration as QEMU answers it (hw/virtio/virtio.c,
 * virtio_config_*_read*): an access that does not fit in the @len bytes
 * the device implements reads all ones.  Each access is logged. */
struct cfgdev {
	uint8_t bytes[256]; /* the configuration, little-endian */
	unsigned len;       /* bytes the device implements */
	uint64_t at;        /* where offset 0 is in the space */
	uint8_t width[256]; /* the width each offset was read with, 0: not read */
	unsigned bad;       /* accesses that were not aligned to their width */
};

static int cfgdev_io(struct vq_regs *r, enum vq_reg_space space, uint64_t off, unsigned width,
		     uint64_t *v, int write)
{
	struct cfgdev *c = r->io_ctx;
	unsigned k, o;

	(void)space;
	assert_false(write);
	assert_true(off >= c->at && off - c->at < sizeof(c->bytes));
	o = (unsigned)(off - c->at);
	c->width[o] = (uint8_t)width;
	if (off % width)
		c->bad++;
	*v = 0;
	if (o + width > c->len) {
		*v = width == 4 ? 0xffffffffu : width == 2 ? 0xffff : 0xff;
		return 0;
	}
	for (k = 0; k < width; k++)
		*v |= (uint64_t)c->bytes[o + k] << (8 * k);
	return 0;
}

/* The width each field of struct virtio_blk_config (the UAPI header's
 * member sizes, not vqdump's table) must be read with: 4.1.3.1, 4.2.2.2. */
#define BLK_FIELD(m, w) { offsetof(struct virtio_blk_config, m), w }
static const unsigned blk_widths[][2] = {
	BLK_FIELD(capacity, 4),
	{ offsetof(struct virtio_blk_config, capacity) + 4, 4 },
	BLK_FIELD(size_max, sizeof(((struct virtio_blk_config *)0)->size_max)),
	BLK_FIELD(seg_max, sizeof(((struct virtio_blk_config *)0)->seg_max)),
	BLK_FIELD(geometry.cylinders, sizeof(((struct virtio_blk_config *)0)->geometry.cylinders)),
	BLK_FIELD(geometry.heads, 1),
	BLK_FIELD(geometry.sectors, 1),
	BLK_FIELD(blk_size, sizeof(((struct virtio_blk_config *)0)->blk_size)),
	BLK_FIELD(physical_block_exp, 1),
	BLK_FIELD(alignment_offset, 1),
	BLK_FIELD(min_io_size, sizeof(((struct virtio_blk_config *)0)->min_io_size)),
	BLK_FIELD(opt_io_size, sizeof(((struct virtio_blk_config *)0)->opt_io_size)),
	BLK_FIELD(wce, 1),
	BLK_FIELD(num_queues, sizeof(((struct virtio_blk_config *)0)->num_queues)),
	BLK_FIELD(max_discard_sectors, 4),
	BLK_FIELD(max_discard_seg, 4),
	BLK_FIELD(discard_sector_alignment, 4),
	BLK_FIELD(max_write_zeroes_sectors, 4),
	BLK_FIELD(max_write_zeroes_seg, 4),
	BLK_FIELD(write_zeroes_may_unmap, 1),
};

/* One layout's config_read of a blk device whose configuration ends
 * right after write_zeroes_may_unmap, as QEMU 7.2's does. */
static void blk_config_via(const struct vq_reg_ops *ops, int mmio_version, int msix)
{
	const unsigned end = offsetof(struct virtio_blk_config, write_zeroes_may_unmap) + 1;
	const uint32_t feats[4] = { 1u << VIRTIO_BLK_F_SEG_MAX | 1u << VIRTIO_BLK_F_WRITE_ZEROES };
	struct vq_cfg_field out[64];
	struct cfgdev c = { .len = end };
	uint8_t cfg[60];
	struct vq_regs r;
	char err[256];
	size_t i, n;

	c.bytes[0] = 0x00; /* capacity 0x8000 sectors */
	c.bytes[1] = 0x80;
	c.bytes[offsetof(struct virtio_blk_config, seg_max)] = 254;
	c.bytes[offsetof(struct virtio_blk_config, write_zeroes_may_unmap)] = 1;
	vq_regs_init(&r, ops, err, sizeof(err));
	r.io = cfgdev_io;
	r.io_ctx = &c;
	r.mmio_version = mmio_version;
	r.msix = msix;
	if (ops == &vq_regs_pci_modern)
		r.len[VQ_RS_DEVICE] = sizeof(cfg);
	else
		r.len[VQ_RS_COMMON] = 0x200;
	c.at = ops == &vq_regs_mmio ? VIRTIO_MMIO_CONFIG
	       : ops == &vq_regs_pci_legacy ? VIRTIO_PCI_CONFIG_OFF(msix) : 0;
	assert_int_equal(r.ops->config_read(&r, VIRTIO_ID_BLOCK, 0, cfg, sizeof(cfg)), 0);
	for (i = 0; i < sizeof(blk_widths) / sizeof(blk_widths[0]); i++) {
		if (c.width[blk_widths[i][0]] != blk_widths[i][1])
			fail_msg("%s: config offset %u read with width %u, its field is %u wide",
				 ops->name, blk_widths[i][0], c.width[blk_widths[i][0]],
				 blk_widths[i][1]);
	}
	assert_int_equal(c.bad, 0);
	n = vq_config_decode(VIRTIO_ID_BLOCK, cfg, sizeof(cfg), feats, out, 64);
	for (i = 0; i < n; i++) {
		if (!strcmp(out[i].name, "write_zeroes_may_unmap"))
			assert_int_equal(out[i].value, 1);
		if (!strcmp(out[i].name, "capacity"))
			assert_int_equal(out[i].value, 0x8000);
		if (!strcmp(out[i].name, "seg_max"))
			assert_int_equal(out[i].value, 254);
	}
	assert_int_equal(cfg[offsetof(struct virtio_blk_config, write_zeroes_may_unmap)], 1);
}

/* Every transport reads each field with its own width, so a u8 near the
 * end of a short configuration is not lost to a wider access. */
static void test_config_field_widths(void **state)
{
	(void)state;
	blk_config_via(&vq_regs_pci_modern, 0, 0);
	blk_config_via(&vq_regs_pci_legacy, 0, 0);
	blk_config_via(&vq_regs_pci_legacy, 0, 1);
	blk_config_via(&vq_regs_mmio, 1, 0);
	blk_config_via(&vq_regs_mmio, 2, 0);
}

/* Byte arrays by bytes, the input union by what select says it holds. */
static void test_config_widths_other_types(void **state)
{
	struct cfgdev c = { .len = 136 };
	uint8_t cfg[136];
	struct vq_regs r;
	char err[256];

	(void)state;
	vq_regs_init(&r, &vq_regs_pci_modern, err, sizeof(err));
	r.io = cfgdev_io;
	r.io_ctx = &c;
	r.len[VQ_RS_DEVICE] = sizeof(cfg);
	/* net: mac[6] by bytes, status le16 (5.1.4) */
	assert_int_equal(r.ops->config_read(&r, VIRTIO_ID_NET, 0, cfg, 12), 0);
	assert_int_equal(c.width[0], 1);
	assert_int_equal(c.width[4], 1);
	assert_int_equal(c.width[5], 1);
	assert_int_equal(c.width[offsetof(struct virtio_net_config, status)], 2);
	assert_int_equal(c.width[offsetof(struct virtio_net_config, max_virtqueue_pairs)], 2);
	/* input, select ID_DEVIDS: u.ids are four le16 (5.8.4) */
	memset(c.width, 0, sizeof(c.width));
	c.bytes[0] = VIRTIO_INPUT_CFG_ID_DEVIDS;
	c.bytes[2] = 8;
	assert_int_equal(r.ops->config_read(&r, VIRTIO_ID_INPUT, 0, cfg, sizeof(cfg)), 0);
	assert_int_equal(c.width[0], 1);
	assert_int_equal(c.width[8], 2);
	assert_int_equal(c.width[14], 2);
	assert_int_equal(c.width[16], 1);
	/* select ABS_INFO: le32 each */
	memset(c.width, 0, sizeof(c.width));
	c.bytes[0] = VIRTIO_INPUT_CFG_ABS_INFO;
	assert_int_equal(r.ops->config_read(&r, VIRTIO_ID_INPUT, 0, cfg, sizeof(cfg)), 0);
	assert_int_equal(c.width[8], 4);
	assert_int_equal(c.width[24], 4);
	/* a type vqdump has no layout for: bytes */
	memset(c.width, 0, sizeof(c.width));
	assert_int_equal(r.ops->config_read(&r, 0x7f, 0, cfg, 16), 0);
	assert_int_equal(c.width[0], 1);
	assert_int_equal(c.width[12], 1);
	assert_int_equal(c.bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bringup_modern),
	    cmocka_unit_test(test_config_field_widths),
	    cmocka_unit_test(test_config_widths_other_types),
	    cmocka_unit_test(test_bringup_legacy_fixed),
	    cmocka_unit_test(test_bringup_no_version1),
	    cmocka_unit_test(test_bringup_features_refused),
	    cmocka_unit_test(test_bringup_needs_reset),
	    cmocka_unit_test(test_bringup_queue_checks),
	    cmocka_unit_test(test_reset_timeout),
	    cmocka_unit_test(test_negotiate),
	    cmocka_unit_test(test_vq_chain),
	    cmocka_unit_test(test_vq_used_checks),
	    cmocka_unit_test(test_vq_layout),
	    cmocka_unit_test(test_pvq_chain),
	    cmocka_unit_test(test_pvq_used_checks),
	    cmocka_unit_test(test_pagemap_entries),
	    cmocka_unit_test(test_pagemap_file),
	    cmocka_unit_test(test_dma_split),
	    cmocka_unit_test(test_ranges),
	    cmocka_unit_test(test_status_names),
	    cmocka_unit_test(test_completion_rules),
	    cmocka_unit_test(test_percentiles),
	    cmocka_unit_test(test_iomem_claims),
	    cmocka_unit_test(test_hw_mmio_v2_registers),
	    cmocka_unit_test(test_hw_mmio_v1_registers),
	    cmocka_unit_test(test_hw_pci_legacy_registers),
	    cmocka_unit_test(test_run_requests),
	    cmocka_unit_test(test_run_requests_packed),
	    cmocka_unit_test(test_run_judged_wrong),
	    cmocka_unit_test(test_run_notify_fails),
	    cmocka_unit_test(test_run_interrupted),
	    cmocka_unit_test(test_run_bench),
	    cmocka_unit_test(test_run_bench_packed),
	    cmocka_unit_test(test_run_inject),
	    cmocka_unit_test(test_run_legacy_ring),
	    cmocka_unit_test(test_plan_pass),
	    cmocka_unit_test(test_plan_refused),
	    cmocka_unit_test(test_plan_packed_legacy),
	    cmocka_unit_test(test_plan_errors),
	    cmocka_unit_test(test_plan_fail),
	    cmocka_unit_test(test_plan_inject),
	    cmocka_unit_test(test_hw_needs_open_regs),
	    cmocka_unit_test(test_regs_pci_modern),
	    cmocka_unit_test(test_regs_mmio_v1),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
