/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Register operations of virtio-pci modern (virtio 1.3, 4.1.4): common, notify and device configuration structures. */
#include <errno.h>
#include <stdio.h>

#include <linux/virtio_pci.h>

#include "transport.h"

static int rd(struct vq_regs *r, uint64_t off, unsigned width, uint64_t *v)
{
	return vq_regs_rd(r, VQ_RS_COMMON, off, width, v);
}

static int wr(struct vq_regs *r, uint64_t off, unsigned width, uint64_t v)
{
	return vq_regs_wr(r, VQ_RS_COMMON, off, width, v);
}

static int get_status(struct vq_regs *r, uint8_t *status)
{
	uint64_t v;
	int ret = rd(r, VIRTIO_PCI_COMMON_STATUS, 1, &v);

	*status = (uint8_t)v;
	return ret;
}

static int set_status(struct vq_regs *r, uint8_t status)
{
	return wr(r, VIRTIO_PCI_COMMON_STATUS, 1, status);
}

static int device_features(struct vq_regs *r, unsigned sel, uint32_t *word)
{
	uint64_t v = 0;
	int ret = wr(r, VIRTIO_PCI_COMMON_DFSELECT, 4, sel);

	if (!ret)
		ret = rd(r, VIRTIO_PCI_COMMON_DF, 4, &v);
	*word = (uint32_t)v;
	return ret;
}

static int driver_features(struct vq_regs *r, unsigned sel, uint32_t *word)
{
	uint64_t v = 0;
	int ret = wr(r, VIRTIO_PCI_COMMON_GFSELECT, 4, sel);

	if (!ret)
		ret = rd(r, VIRTIO_PCI_COMMON_GF, 4, &v);
	*word = (uint32_t)v;
	return ret;
}

static int set_driver_features(struct vq_regs *r, unsigned sel, uint32_t word)
{
	int ret = wr(r, VIRTIO_PCI_COMMON_GFSELECT, 4, sel);

	return ret ? ret : wr(r, VIRTIO_PCI_COMMON_GF, 4, word);
}

static int num_queues(struct vq_regs *r, uint16_t *n)
{
	uint64_t v;
	int ret = rd(r, VIRTIO_PCI_COMMON_NUMQ, 2, &v);

	*n = (uint16_t)v;
	return ret;
}

static int config_vector(struct vq_regs *r, uint16_t *vector)
{
	uint64_t v;
	int ret = rd(r, VIRTIO_PCI_COMMON_MSIX, 2, &v);

	*vector = (uint16_t)v;
	return ret;
}

static int queue_select(struct vq_regs *r, unsigned q)
{
	return wr(r, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
}

static int queue_read(struct vq_regs *r, struct vq_reg_queue *q)
{
	uint64_t v;
	int ret;

	if ((ret = rd(r, VIRTIO_PCI_COMMON_Q_SIZE, 2, &v)))
		return ret;
	q->size = (uint32_t)v;
	if ((ret = rd(r, VIRTIO_PCI_COMMON_Q_ENABLE, 2, &v)))
		return ret;
	q->ready = (uint32_t)v;
	q->enabled = v != 0;
	if ((ret = rd(r, VIRTIO_PCI_COMMON_Q_MSIX, 2, &v)))
		return ret;
	q->msix_vector = (uint16_t)v;
	if ((ret = rd(r, VIRTIO_PCI_COMMON_Q_NOFF, 2, &v)))
		return ret;
	q->notify_off = (uint16_t)v;
	if ((ret = rd(r, VIRTIO_PCI_COMMON_Q_DESCLO, 8, &q->desc)) ||
	    (ret = rd(r, VIRTIO_PCI_COMMON_Q_AVAILLO, 8, &q->avail)) ||
	    (ret = rd(r, VIRTIO_PCI_COMMON_Q_USEDLO, 8, &q->used)))
		return ret;
	return 0;
}

static int queue_doorbell(struct vq_regs *r, const struct vq_reg_queue *q)
{
	r->notify_at = (uint64_t)q->notify_off * r->notify_mult;
	if (r->notify_at + 2 > r->len[VQ_RS_NOTIFY]) {
		snprintf(r->err, r->errlen,
			 "queue_notify_off %llu * multiplier %u is outside the %llu-byte notify structure",
			 (unsigned long long)q->notify_off, r->notify_mult,
			 (unsigned long long)r->len[VQ_RS_NOTIFY]);
		return -EPROTO;
	}
	return 0;
}

static int queue_activate(struct vq_regs *r, unsigned q, uint16_t size, uint64_t desc,
			  uint64_t avail, uint64_t used)
{
	int ret;

	ret = wr(r, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	if (!ret)
		ret = wr(r, VIRTIO_PCI_COMMON_Q_SIZE, 2, size);
	if (!ret)
		ret = wr(r, VIRTIO_PCI_COMMON_Q_DESCLO, 4, (uint32_t)desc);
	if (!ret)
		ret = wr(r, VIRTIO_PCI_COMMON_Q_DESCHI, 4, desc >> 32);
	if (!ret)
		ret = wr(r, VIRTIO_PCI_COMMON_Q_AVAILLO, 4, (uint32_t)avail);
	if (!ret)
		ret = wr(r, VIRTIO_PCI_COMMON_Q_AVAILHI, 4, avail >> 32);
	if (!ret)
		ret = wr(r, VIRTIO_PCI_COMMON_Q_USEDLO, 4, (uint32_t)used);
	if (!ret)
		ret = wr(r, VIRTIO_PCI_COMMON_Q_USEDHI, 4, used >> 32);
	if (!ret)
		ret = wr(r, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	return ret;
}

static int notify(struct vq_regs *r, unsigned q)
{
	return vq_regs_wr(r, VQ_RS_NOTIFY, r->notify_at, 2, q);
}

static int config_generation(struct vq_regs *r, uint32_t *gen)
{
	uint64_t v;
	int ret = rd(r, VIRTIO_PCI_COMMON_CFGGENERATION, 1, &v);

	*gen = (uint32_t)v;
	return ret;
}

static int config_read(struct vq_regs *r, uint32_t device_id, unsigned off, void *buf,
		       unsigned len)
{
	if ((uint64_t)off + len > r->len[VQ_RS_DEVICE]) {
		snprintf(r->err, r->errlen, "device configuration is only %llu bytes",
			 (unsigned long long)r->len[VQ_RS_DEVICE]);
		return -ERANGE;
	}
	return vq_regs_read_config(r, VQ_RS_DEVICE, 0, device_id, off, buf, len);
}

const struct vq_reg_ops vq_regs_pci_modern = {
	.name = "pci-modern",
	.get_status = get_status,
	.set_status = set_status,
	.device_features = device_features,
	.driver_features = driver_features,
	.set_driver_features = set_driver_features,
	.num_queues = num_queues,
	.config_vector = config_vector,
	.queue_select = queue_select,
	.queue_read = queue_read,
	.queue_doorbell = queue_doorbell,
	.queue_activate = queue_activate,
	.notify = notify,
	.config_generation = config_generation,
	.config_read = config_read,
};
