/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Device bring-up (virtio 1.3, 3.1.1), feature negotiation and the rules a blk completion must follow. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_config.h>

#include "../access/clock.h"
#include "../decode/payload.h"
#include "../model/num.h"
#include "vblk.h"

int vb_step_add(struct vb_steps *s, const char *name, int ok, const char *fmt, ...)
{
	struct vb_step *st;
	va_list ap;

	if (s->n >= VB_STEPS_MAX)
		return ok;
	st = &s->v[s->n++];
	snprintf(st->name, sizeof(st->name), "%s", name);
	st->ok = ok;
	va_start(ap, fmt);
	vsnprintf(st->detail, sizeof(st->detail), fmt, ap);
	va_end(ap);
	return ok;
}

#define BIT(n) (1ull << (n))

int vb_negotiate(uint64_t offered, int modern, unsigned want_extra, uint64_t *accepted, char *why,
		 size_t whylen)
{
	int indirect = !!(want_extra & VB_WANT_INDIRECT);
	/* What this driver implements; everything else stays off.  SEG_MAX
	 * and SIZE_MAX are not taken: chains stay short (a few pieces). */
	uint64_t want = BIT(VIRTIO_BLK_F_FLUSH) | BIT(VIRTIO_BLK_F_BLK_SIZE) | BIT(VIRTIO_BLK_F_RO) |
			BIT(VIRTIO_BLK_F_DISCARD) | BIT(VIRTIO_BLK_F_WRITE_ZEROES);

	if (indirect)
		want |= BIT(VIRTIO_RING_F_INDIRECT_DESC);
	if (modern) {
		if (!(offered & BIT(VIRTIO_F_VERSION_1))) {
			snprintf(why, whylen,
				 "device does not offer VERSION_1, which this transport requires");
			return -ENOTSUP;
		}
		want |= BIT(VIRTIO_F_VERSION_1);
	}
	if (indirect && !(offered & BIT(VIRTIO_RING_F_INDIRECT_DESC))) {
		snprintf(why, whylen, "device does not offer INDIRECT_DESC, which this --inject kind needs");
		return -ENOTSUP;
	}
	if (want_extra & VB_WANT_PACKED) {
		if (!(offered & BIT(VIRTIO_F_RING_PACKED))) {
			snprintf(why, whylen,
				 "device does not offer VIRTIO_F_RING_PACKED (bit 34), which --packed needs");
			return -ENOTSUP;
		}
		want |= BIT(VIRTIO_F_RING_PACKED);
	}
	*accepted = offered & want;
	if (why && whylen)
		why[0] = 0;
	return 0;
}

static int st_read(const struct vb_transport *t, uint8_t *s)
{
	return t->ops->get_status(t->h, s);
}

int vb_reset(const struct vb_transport *t, unsigned timeout_ms)
{
	unsigned waited = 0;
	uint8_t s;
	int ret;

	ret = t->ops->set_status(t->h, 0);
	if (ret)
		return ret;
	for (;;) {
		ret = st_read(t, &s);
		if (ret)
			return ret;
		if (!s)
			return 0;
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		vq_sleep_ms(1);
		waited++;
	}
}

/* After a step: NEEDS_RESET means the device gave up (3.1.1, 2.1.2). */
static int needs_reset(const struct vb_transport *t, struct vb_steps *steps, const char *name,
		       uint8_t *status)
{
	int ret = st_read(t, status);

	if (ret) {
		vb_step_add(steps, name, 0, "read status: %s", t->err);
		return ret;
	}
	if (*status & VIRTIO_CONFIG_S_NEEDS_RESET) {
		vb_step_add(steps, name, 0, "device set NEEDS_RESET (status 0x%02x)", *status);
		return -EIO;
	}
	return 0;
}

/* Give up: FAILED, then reset so the device is reusable. */
static int fail(const struct vb_transport *t, struct vb_steps *steps, uint8_t status, int ret)
{
	int r;

	t->ops->set_status(t->h, status | VIRTIO_CONFIG_S_FAILED);
	r = vb_reset(t, 1000);
	vb_step_add(steps, "reset", r == 0, r ? "device did not read status 0 after the failure"
					       : "FAILED set, device reset (status 0)");
	return ret;
}

/* Set @bit on top of @status and check it stuck. */
static int add_status(const struct vb_transport *t, struct vb_steps *steps, const char *name,
		      uint8_t *status, uint8_t bit)
{
	uint8_t s;
	int ret;

	ret = t->ops->set_status(t->h, *status | bit);
	if (ret) {
		vb_step_add(steps, name, 0, "write status: %s", t->err);
		return ret;
	}
	ret = needs_reset(t, steps, name, &s);
	if (ret)
		return ret;
	if (!(s & bit)) {
		vb_step_add(steps, name, 0, "status reads 0x%02x after writing 0x%02x", s,
			    *status | bit);
		return -EIO;
	}
	*status = s;
	return 0;
}

/* Step "features": read the offer, choose, write what is accepted (3.1.1 step 4). */
static int step_features(const struct vb_transport *t, unsigned want, struct vb_bringup *out,
			 struct vb_steps *steps, uint8_t *status)
{
	char why[200];
	int ret;

	ret = t->ops->get_features(t->h, &out->offered);
	if (ret) {
		vb_step_add(steps, "features", 0, "read device features: %s", t->err);
		return ret;
	}
	ret = vb_negotiate(out->offered, t->modern, want, &out->accepted, why, sizeof(why));
	if (ret) {
		vb_step_add(steps, "features", 0, "%s", why);
		return ret;
	}
	ret = t->ops->set_features(t->h, out->accepted);
	if (ret) {
		vb_step_add(steps, "features", 0, "write driver features: %s", t->err);
		return ret;
	}
	if (out->offered & BIT(VIRTIO_F_ACCESS_PLATFORM))
		vb_step_add(steps, "features", 1,
			    "offered 0x%llx, accepted 0x%llx; ACCESS_PLATFORM offered and NOT accepted: "
			    "vqdump hands the device physical addresses",
			    (unsigned long long)out->offered, (unsigned long long)out->accepted);
	else
		vb_step_add(steps, "features", 1, "offered 0x%llx, accepted 0x%llx",
			    (unsigned long long)out->offered, (unsigned long long)out->accepted);
	return needs_reset(t, steps, "features", status);
}

/* Step "features_ok" (modern devices only, 3.1.1 steps 5 and 6). */
static int step_features_ok(const struct vb_transport *t, const struct vb_bringup *out,
			    struct vb_steps *steps, uint8_t *status)
{
	int ret;

	ret = t->ops->set_status(t->h, *status | VIRTIO_CONFIG_S_FEATURES_OK);
	if (!ret)
		ret = needs_reset(t, steps, "features_ok", status);
	if (ret)
		return ret;
	if (!(*status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		vb_step_add(steps, "features_ok", 0,
			    "device refused the features (FEATURES_OK not read back, status 0x%02x)%s",
			    *status, out->offered & BIT(VIRTIO_F_ACCESS_PLATFORM)
			    ? "; it offers ACCESS_PLATFORM, which vqdump does not accept (it gives the device physical addresses)"
			    : "");
		return -ENOTSUP;
	}
	vb_step_add(steps, "features_ok", 1, "status 0x%02x", *status);
	return 0;
}

/* Step "queue": check queue 0, give it ring memory, enable it (3.1.1 step 7). */
static int step_queue(const struct vb_transport *t, unsigned want, uint16_t want_size,
		      vb_ring_alloc_fn alloc, void *alloc_arg, struct vb_bringup *out,
		      struct vb_steps *steps, uint8_t *status)
{
	int packed = !!(want & VB_WANT_PACKED);
	uint64_t desc, avail, used;
	uint16_t max, size;
	int ret, enabled;

	ret = t->ops->queue_info(t->h, 0, &max, &enabled);
	if (ret) {
		vb_step_add(steps, "queue", 0, "read queue 0: %s", t->err);
		return ret;
	}
	out->max_size = max;
	if (!max) {
		vb_step_add(steps, "queue", 0, "queue 0 has maximum size 0: no queue");
		return -ENODEV;
	}
	/* Packed rings take any size up to 32768 (2.8.10.1). */
	if (!packed && (max & (max - 1))) {
		vb_step_add(steps, "queue", 0,
			    "queue 0 maximum size %u is not a power of 2 (split rings need one, 2.7)", max);
		return -EPROTO;
	}
	if (enabled) {
		vb_step_add(steps, "queue", 0, "queue 0 is already enabled after reset");
		return -EBUSY;
	}
	size = max;
	if (!t->fixed_size && want_size && size > want_size)
		size = want_size;
	out->size = size;
	ret = alloc(alloc_arg, size, &desc, &avail, &used);
	if (ret) {
		vb_step_add(steps, "queue", 0, "no DMA memory for a ring of %u entries: %s", size,
			    t->err);
		return ret;
	}
	ret = t->ops->queue_activate(t->h, 0, size, desc, avail, used);
	if (ret) {
		vb_step_add(steps, "queue", 0, "set up queue 0: %s", t->err);
		return ret;
	}
	ret = needs_reset(t, steps, "queue", status);
	if (ret)
		return ret;
	if (packed)
		vb_step_add(steps, "queue", 1,
			    "queue 0 (packed): size %u of %u, descriptor ring 0x%llx driver area 0x%llx device area 0x%llx",
			    size, max, (unsigned long long)desc, (unsigned long long)avail,
			    (unsigned long long)used);
	else
		vb_step_add(steps, "queue", 1,
			    "queue 0: size %u of %u, desc 0x%llx avail 0x%llx used 0x%llx", size, max,
			    (unsigned long long)desc, (unsigned long long)avail,
			    (unsigned long long)used);
	return 0;
}

int vb_bring_up(const struct vb_transport *t, unsigned want, uint16_t want_size,
		vb_ring_alloc_fn alloc, void *alloc_arg, struct vb_bringup *out, struct vb_steps *steps)
{
	uint8_t status = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = vb_reset(t, 1000);
	if (ret) {
		vb_step_add(steps, "reset", 0, ret == -ETIMEDOUT
			    ? "status did not read 0 within 1 s of writing 0"
			    : "%s", t->err);
		return ret;
	}
	vb_step_add(steps, "reset", 1, "status written 0, reads 0");
	ret = add_status(t, steps, "acknowledge", &status, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	if (ret)
		return fail(t, steps, status, ret);
	vb_step_add(steps, "acknowledge", 1, "status 0x%02x", status);
	ret = add_status(t, steps, "driver", &status, VIRTIO_CONFIG_S_DRIVER);
	if (ret)
		return fail(t, steps, status, ret);
	vb_step_add(steps, "driver", 1, "status 0x%02x", status);
	ret = step_features(t, want, out, steps, &status);
	if (!ret && t->modern)
		ret = step_features_ok(t, out, steps, &status);
	if (!ret)
		ret = step_queue(t, want, want_size, alloc, alloc_arg, out, steps, &status);
	if (!ret)
		ret = add_status(t, steps, "driver_ok", &status, VIRTIO_CONFIG_S_DRIVER_OK);
	if (ret)
		return fail(t, steps, status, ret);
	vb_step_add(steps, "driver_ok", 1, "status 0x%02x", status);
	return 0;
}

const char *vb_status_name(uint8_t status, char *buf, size_t len)
{
	const char *n = vq_blk_status_name(status);

	if (n)
		return n;
	/* The byte every request's status starts as (the device never wrote it). */
	if (status == 0xff)
		return "none(0xff)";
	snprintf(buf, len, "0x%02x", status);
	return buf;
}

const char *vb_type_name(uint32_t type)
{
	const char *n = vq_blk_type_name(type);

	return n ? n : "UNKNOWN";
}

int vb_parse_range(const char *s, uint64_t *lba, uint64_t *n)
{
	uint64_t a, b;
	const char *end;

	/* Decimal, or hexadecimal with 0x: never octal, so that 010 is ten,
	 * not the eight a destructive option would silently take. */
	if (vq_parse_u64_prefix(s, &a, &end) || *end != '+' || vq_parse_u64(end + 1, &b) || !b)
		return -EINVAL;
	/* Sector numbers must stay byte-addressable (<< 9) and not wrap. */
	if (a > (UINT64_MAX >> 9) || b > (UINT64_MAX >> 9) - a)
		return -EINVAL;
	*lba = a;
	*n = b;
	return 0;
}

int vb_range_check(uint64_t lba, uint64_t n, uint64_t capacity)
{
	if (!n || lba >= capacity || n > capacity - lba)
		return -ERANGE;
	return 0;
}

int vb_check_completion(uint32_t type, uint8_t status, uint32_t len, uint32_t data_in,
			uint32_t writable, uint8_t expect, char *why, size_t whylen)
{
	char b1[16], b2[16];

	why[0] = 0;
	if (len > writable) {
		snprintf(why, whylen, "used len %u is more than the %u writable bytes", len, writable);
		return -EPROTO;
	}
	if (status != expect) {
		snprintf(why, whylen, "status %s, the spec requires %s",
			 vb_status_name(status, b1, sizeof(b1)), vb_status_name(expect, b2, sizeof(b2)));
		return -EPROTO;
	}
	/* A read that succeeded wrote every data byte and the status (2.7.8:
	 * len is what the device wrote). */
	if (type == VIRTIO_BLK_T_IN && status == VIRTIO_BLK_S_OK && len != data_in + 1) {
		snprintf(why, whylen, "used len %u for a read of %u bytes (expected %u: data + status)",
			 len, data_in, data_in + 1);
		return -EPROTO;
	}
	return 0;
}

uint64_t vb_percentile(const uint64_t *sorted, size_t n, unsigned p)
{
	size_t rank;

	if (!n)
		return 0;
	if (p >= 100)
		return sorted[n - 1];
	/* Nearest rank: ceil(p/100 * n), 1-based. */
	rank = ((size_t)p * n + 99) / 100;
	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}
