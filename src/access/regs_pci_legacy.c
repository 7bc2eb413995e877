/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Register operations of the virtio-pci legacy header in I/O BAR0 (virtio 1.3, 4.1.4.8): guest-native endian, little on x86. */
#include <errno.h>
#include <stdio.h>

#include <linux/virtio_pci.h>

#include "transport.h"

/* Never VIRTIO_PCI_ISR (offset 19): reading it clears it. */

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
	int ret = rd(r, VIRTIO_PCI_STATUS, 1, &v);

	*status = (uint8_t)v;
	return ret;
}

static int set_status(struct vq_regs *r, uint8_t status)
{
	return wr(r, VIRTIO_PCI_STATUS, 1, status);
}

/* The header has one 32-bit word of each: the others read as 0. */
static int device_features(struct vq_regs *r, unsigned sel, uint32_t *word)
{
	uint64_t v = 0;
	int ret = sel ? 0 : rd(r, VIRTIO_PCI_HOST_FEATURES, 4, &v);

	*word = (uint32_t)v;
	return ret;
}

static int driver_features(struct vq_regs *r, unsigned sel, uint32_t *word)
{
	uint64_t v = 0;
	int ret = sel ? 0 : rd(r, VIRTIO_PCI_GUEST_FEATURES, 4, &v);

	*word = (uint32_t)v;
	return ret;
}

static int set_driver_features(struct vq_regs *r, unsigned sel, uint32_t word)
{
	if (!sel)
		return wr(r, VIRTIO_PCI_GUEST_FEATURES, 4, word);
	if (!word)
		return 0;
	snprintf(r->err, r->errlen, "the legacy header has no driver feature word %u", sel);
	return -EINVAL;
}

static int config_vector(struct vq_regs *r, uint16_t *vector)
{
	uint64_t v = VIRTIO_MSI_NO_VECTOR;
	int ret = r->msix ? rd(r, VIRTIO_MSI_CONFIG_VECTOR, 2, &v) : 0;

	*vector = (uint16_t)v;
	return ret;
}

static int queue_select(struct vq_regs *r, unsigned q)
{
	return wr(r, VIRTIO_PCI_QUEUE_SEL, 2, q);
}

static int queue_read(struct vq_regs *r, struct vq_reg_queue *q)
{
	uint64_t v;
	int ret;

	q->msix_vector = VIRTIO_MSI_NO_VECTOR;
	if ((ret = rd(r, VIRTIO_PCI_QUEUE_NUM, 2, &v)))
		return ret;
	q->size = (uint32_t)v;
	if (!q->size)
		return 0;
	if ((ret = rd(r, VIRTIO_PCI_QUEUE_PFN, 4, &v)))
		return ret;
	q->pfn = (uint32_t)v;
	q->enabled = v != 0;
	if (r->msix) {
		if ((ret = rd(r, VIRTIO_MSI_QUEUE_VECTOR, 2, &v)))
			return ret;
		q->msix_vector = (uint16_t)v;
	}
	return 0;
}

/* The size is fixed by the device; the rings are one block at a page. */
static int queue_activate(struct vq_regs *r, unsigned q, uint16_t size, uint64_t desc,
			  uint64_t avail, uint64_t used)
{
	int ret;

	(void)size;
	(void)avail;
	(void)used;
	if (desc % VIRTIO_PCI_VRING_ALIGN || (desc >> VIRTIO_PCI_QUEUE_ADDR_SHIFT) > UINT32_MAX) {
		snprintf(r->err, r->errlen, "ring at 0x%llx cannot be given as a 32-bit page number",
			 (unsigned long long)desc);
		return -ERANGE;
	}
	ret = wr(r, VIRTIO_PCI_QUEUE_SEL, 2, q);
	if (!ret)
		ret = wr(r, VIRTIO_PCI_QUEUE_PFN, 4, desc >> VIRTIO_PCI_QUEUE_ADDR_SHIFT);
	return ret;
}

static int notify(struct vq_regs *r, unsigned q)
{
	return wr(r, VIRTIO_PCI_QUEUE_NOTIFY, 2, q);
}

static int config_generation(struct vq_regs *r, uint32_t *gen)
{
	(void)r;
	*gen = 0;
	return -EOPNOTSUPP;
}

static int config_read(struct vq_regs *r, uint32_t device_id, unsigned off, void *buf,
		       unsigned len)
{
	unsigned base = VIRTIO_PCI_CONFIG_OFF(r->msix);

	if ((uint64_t)base + off + len > r->len[VQ_RS_COMMON]) {
		snprintf(r->err, r->errlen, "device configuration beyond the I/O BAR");
		return -ERANGE;
	}
	return vq_regs_read_config(r, VQ_RS_COMMON, base, device_id, off, buf, len);
}

const struct vq_reg_ops vq_regs_pci_legacy = {
	.name = "pci-legacy",
	.get_status = get_status,
	.set_status = set_status,
	.device_features = device_features,
	.driver_features = driver_features,
	.set_driver_features = set_driver_features,
	.config_vector = config_vector,
	.queue_select = queue_select,
	.queue_read = queue_read,
	.queue_activate = queue_activate,
	.notify = notify,
	.config_generation = config_generation,
	.config_read = config_read,
};
