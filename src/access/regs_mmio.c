/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Register operations of virtio-mmio, version 2 (virtio 1.3, 4.2.2) and legacy version 1 (4.2.4), by r->mmio_version. */
#include <errno.h>
#include <stdio.h>

#include <linux/virtio_mmio.h>

#include "transport.h"

#define PAGE 4096u /* GuestPageSize written on version 1 */

static int rd(struct vq_regs *r, uint64_t off, uint64_t *v)
{
	return vq_regs_rd(r, VQ_RS_COMMON, off, 4, v);
}

static int wr(struct vq_regs *r, uint64_t off, uint64_t v)
{
	return vq_regs_wr(r, VQ_RS_COMMON, off, 4, v);
}

static int get_status(struct vq_regs *r, uint8_t *status)
{
	uint64_t v;
	int ret = rd(r, VIRTIO_MMIO_STATUS, &v);

	*status = (uint8_t)v;
	return ret;
}

static int set_status(struct vq_regs *r, uint8_t status)
{
	return wr(r, VIRTIO_MMIO_STATUS, status);
}

static int device_features(struct vq_regs *r, unsigned sel, uint32_t *word)
{
	uint64_t v = 0;
	int ret = wr(r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, sel);

	if (!ret)
		ret = rd(r, VIRTIO_MMIO_DEVICE_FEATURES, &v);
	*word = (uint32_t)v;
	return ret;
}

static int set_driver_features(struct vq_regs *r, unsigned sel, uint32_t word)
{
	int ret = wr(r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, sel);

	return ret ? ret : wr(r, VIRTIO_MMIO_DRIVER_FEATURES, word);
}

static int queue_select(struct vq_regs *r, unsigned q)
{
	return wr(r, VIRTIO_MMIO_QUEUE_SEL, q);
}

/* Only registers the spec lets a driver read: QueueNumMax, then QueuePFN
 * (v1) or QueueReady (v2). */
static int queue_read(struct vq_regs *r, struct vq_reg_queue *q)
{
	uint64_t v;
	int ret;

	q->msix_vector = 0xffff;
	if ((ret = rd(r, VIRTIO_MMIO_QUEUE_NUM_MAX, &v)))
		return ret;
	q->size = (uint32_t)v;
	if (!q->size)
		return 0;
	if ((ret = rd(r, r->mmio_version == 1 ? VIRTIO_MMIO_QUEUE_PFN : VIRTIO_MMIO_QUEUE_READY, &v)))
		return ret;
	if (r->mmio_version == 1)
		q->pfn = (uint32_t)v;
	else
		q->ready = (uint32_t)v;
	q->enabled = v != 0;
	return 0;
}

static int activate_v1(struct vq_regs *r, uint64_t desc)
{
	int ret;

	if (desc % PAGE || desc / PAGE > UINT32_MAX) {
		snprintf(r->err, r->errlen, "ring at 0x%llx cannot be given as a 32-bit page number",
			 (unsigned long long)desc);
		return -ERANGE;
	}
	ret = wr(r, VIRTIO_MMIO_GUEST_PAGE_SIZE, PAGE);
	if (!ret)
		ret = wr(r, VIRTIO_MMIO_QUEUE_ALIGN, r->align);
	if (!ret)
		ret = wr(r, VIRTIO_MMIO_QUEUE_PFN, desc / PAGE);
	return ret;
}

static int queue_activate(struct vq_regs *r, unsigned q, uint16_t size, uint64_t desc,
			  uint64_t avail, uint64_t used)
{
	int ret;

	ret = wr(r, VIRTIO_MMIO_QUEUE_SEL, q);
	if (!ret)
		ret = wr(r, VIRTIO_MMIO_QUEUE_NUM, size);
	if (ret)
		return ret;
	if (r->mmio_version == 1)
		return activate_v1(r, desc);
	ret = wr(r, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	if (!ret)
		ret = wr(r, VIRTIO_MMIO_QUEUE_DESC_HIGH, desc >> 32);
	if (!ret)
		ret = wr(r, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)avail);
	if (!ret)
		ret = wr(r, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, avail >> 32);
	if (!ret)
		ret = wr(r, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)used);
	if (!ret)
		ret = wr(r, VIRTIO_MMIO_QUEUE_USED_HIGH, used >> 32);
	if (!ret)
		ret = wr(r, VIRTIO_MMIO_QUEUE_READY, 1);
	return ret;
}

static int notify(struct vq_regs *r, unsigned q)
{
	return wr(r, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

static int config_generation(struct vq_regs *r, uint32_t *gen)
{
	uint64_t v = 0;
	int ret = r->mmio_version == 1 ? -EOPNOTSUPP : rd(r, VIRTIO_MMIO_CONFIG_GENERATION, &v);

	*gen = (uint32_t)v;
	return ret;
}

/* Each field with its own width (4.2.2.2; version 1 accepts the same). */
static int config_read(struct vq_regs *r, uint32_t device_id, unsigned off, void *buf,
		       unsigned len)
{
	if ((uint64_t)VIRTIO_MMIO_CONFIG + off + len > r->len[VQ_RS_COMMON]) {
		snprintf(r->err, r->errlen, "device configuration beyond the window");
		return -ERANGE;
	}
	return vq_regs_read_config(r, VQ_RS_COMMON, VIRTIO_MMIO_CONFIG, device_id, off, buf, len);
}

const struct vq_reg_ops vq_regs_mmio = {
	.name = "mmio",
	.get_status = get_status,
	.set_status = set_status,
	.device_features = device_features,
	.set_driver_features = set_driver_features,
	.queue_select = queue_select,
	.queue_read = queue_read,
	.queue_activate = queue_activate,
	.notify = notify,
	.config_generation = config_generation,
	.config_read = config_read,
};
