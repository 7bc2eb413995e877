/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Driver transports on real devices: the ownership checks, the access layer's writable open, and the bring-up's operations over its register operations. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_ids.h>
#include <linux/virtio_pci.h>

#include "../decode/mmio.h"
#include "hw.h"

#define PAGE 4096u        /* GuestPageSize written on virtio-mmio v1 */

/* ---- the bring-up's operations over the access layer's register operations ---- */

static int hw_get_status(void *h, uint8_t *s)
{
	struct vb_hw *hw = h;

	return hw->regs.ops->get_status(&hw->regs, s);
}

static int hw_set_status(void *h, uint8_t s)
{
	struct vb_hw *hw = h;

	return hw->regs.ops->set_status(&hw->regs, s);
}

/* Two feature words; a legacy device has no VERSION_1 to offer, so its
 * first word is all this driver could use. */
static int hw_get_features(void *h, uint64_t *f)
{
	struct vb_hw *hw = h;
	uint32_t lo, hi = 0;
	int ret;

	ret = hw->regs.ops->device_features(&hw->regs, 0, &lo);
	if (!ret && hw->t.modern)
		ret = hw->regs.ops->device_features(&hw->regs, 1, &hi);
	if (!ret)
		*f = lo | (uint64_t)hi << 32;
	return ret;
}

static int hw_set_features(void *h, uint64_t f)
{
	struct vb_hw *hw = h;
	int ret;

	ret = hw->regs.ops->set_driver_features(&hw->regs, 0, (uint32_t)f);
	if (!ret && hw->t.modern)
		ret = hw->regs.ops->set_driver_features(&hw->regs, 1, (uint32_t)(f >> 32));
	return ret;
}

static int hw_queue_info(void *h, unsigned q, uint16_t *max, int *enabled)
{
	struct vb_hw *hw = h;
	struct vq_reg_queue rq = { 0 };
	int ret;

	ret = hw->regs.ops->queue_select(&hw->regs, q);
	if (!ret)
		ret = hw->regs.ops->queue_read(&hw->regs, &rq);
	if (ret)
		return ret;
	/* QueueNumMax is 32 bits wide; the split ring stops at 32768. */
	if ((hw->kind == VB_HW_MMIO_V1 || hw->kind == VB_HW_MMIO_V2) && rq.size > 0x8000) {
		snprintf(hw->err, sizeof(hw->err), "QueueNumMax %llu is beyond the split-ring limit 32768",
			 (unsigned long long)rq.size);
		return -EPROTO;
	}
	*max = (uint16_t)rq.size;
	*enabled = rq.enabled;
	if (hw->regs.ops->queue_doorbell)
		return hw->regs.ops->queue_doorbell(&hw->regs, &rq);
	return 0;
}

static int hw_queue_activate(void *h, unsigned q, uint16_t size, uint64_t desc, uint64_t avail,
			     uint64_t used)
{
	struct vb_hw *hw = h;

	return hw->regs.ops->queue_activate(&hw->regs, q, size, desc, avail, used);
}

static int hw_notify(void *h, unsigned q)
{
	struct vb_hw *hw = h;

	return hw->regs.ops->notify(&hw->regs, q);
}

static int hw_config_read(void *h, unsigned off, void *buf, unsigned len)
{
	struct vb_hw *hw = h;

	/* vb_hw_open() opens block devices only. */
	return hw->regs.ops->config_read(&hw->regs, VIRTIO_ID_BLOCK, off, buf, len);
}

static const struct vb_ops hw_ops = {
	.get_status = hw_get_status,
	.set_status = hw_set_status,
	.get_features = hw_get_features,
	.set_features = hw_set_features,
	.queue_info = hw_queue_info,
	.queue_activate = hw_queue_activate,
	.notify = hw_notify,
	.config_read = hw_config_read,
};

/* ---- ownership and opening ---- */

int vb_iomem_busy(const char *text, uint64_t base, char *top, size_t toplen, char *claim,
		  size_t claimlen)
{
	const char *line = text;
	int found = 0;
	unsigned top_depth = 0;
	uint64_t top_end = 0;

	while (line && *line) {
		const char *nl = strchr(line, '\n'), *name;
		uint64_t start, end;
		unsigned depth;
		size_t namelen;
		char buf[256];
		size_t l = nl ? (size_t)(nl - line) : strlen(line);

		if (l >= sizeof(buf))
			l = sizeof(buf) - 1;
		memcpy(buf, line, l);
		buf[l] = 0;
		line = nl ? nl + 1 : NULL;
		if (!vq_mmio_iomem_line(buf, &start, &end, &depth, &name, &namelen))
			continue;
		if (!found) {
			if (start == base) {
				found = 1;
				top_depth = depth;
				top_end = end;
				snprintf(top, toplen, "%.*s", (int)namelen, name);
			}
			continue;
		}
		/* The first line after it: nested inside means claimed. */
		if (depth > top_depth && start >= base && end <= top_end) {
			snprintf(claim, claimlen, "%.*s", (int)namelen, name);
			return 1;
		}
		return 0;
	}
	return found ? 0 : -ENOENT;
}

/* A PCI device is free when no kernel driver is bound to it. */
static int pci_owner(const struct vq_dev *d, struct vb_steps *steps, char *err, size_t errlen)
{
	char drv[64];

	vq_pci_driver(d->name, drv, sizeof(drv));
	if (drv[0]) {
		snprintf(err, errlen,
			 "%s is bound to the kernel driver %s; unbind it first: echo %s > /sys/bus/pci/drivers/%s/unbind",
			 d->name, drv, d->name, drv);
		return -EBUSY;
	}
	vb_step_add(steps, "ownership", 1, "%s: no kernel driver bound", d->name);
	return 0;
}

/* A virtio-mmio window is free when nothing claims it in /proc/iomem. */
static int mmio_owner(const struct vq_dev *d, struct vb_steps *steps, char *err, size_t errlen)
{
	char top[64] = "", claim[64] = "";
	char *text = NULL;
	size_t cap = 0, n = 0;
	FILE *f;
	int busy = 0;

	f = fopen("/proc/iomem", "re");
	if (f) {
		for (;;) {
			char *p;
			size_t r;

			if (n + 4096 + 1 > cap) {
				cap = cap ? cap * 2 : 65536;
				p = realloc(text, cap);
				if (!p)
					break;
				text = p;
			}
			r = fread(text + n, 1, 4096, f);
			n += r;
			if (!r)
				break;
		}
		fclose(f);
		if (text) {
			text[n] = 0;
			busy = vb_iomem_busy(text, d->mmio_base, top, sizeof(top), claim, sizeof(claim));
		}
		free(text);
	}
	/* Fail closed: without /proc/iomem nothing shows the window is free.
	 * (No entry at all is fine: a driver claims its window there.) */
	if (!f || !text) {
		snprintf(err, errlen, "%s: cannot read /proc/iomem to check that no driver owns the window: %s",
			 d->name, f ? "out of memory" : strerror(errno));
		return -EACCES;
	}
	if (d->driver[0] || busy == 1) {
		const char *drv = d->driver[0] ? d->driver : "virtio-mmio";

		if (top[0])
			snprintf(err, errlen,
				 "%s is owned by the kernel driver %s (/proc/iomem: %s claimed); unbind it first: echo %s > /sys/bus/platform/drivers/%s/unbind",
				 d->name, drv, claim[0] ? claim : top, top, drv);
		else
			snprintf(err, errlen, "%s is bound to the kernel driver %s; unbind it first",
				 d->name, drv);
		return -EBUSY;
	}
	vb_step_add(steps, "ownership", 1, "%s: not claimed in /proc/iomem", d->name);
	return 0;
}

/* What each kind of transport wants from the bring-up. */
static const struct {
	const char *name;       /* kind_name */
	int modern;             /* vb_transport.modern */
	int legacy_layout;      /* vb_transport.legacy_layout */
	int fixed_size;         /* vb_transport.fixed_size */
	uint32_t align;         /* vb_transport.align (and QueueAlign on MMIO v1) */
} kinds[] = {
	[VB_HW_PCI_MODERN] = { "pci-modern", 1, 0, 0, 0 },
	[VB_HW_PCI_LEGACY] = { "pci-legacy", 0, 1, 1, VIRTIO_PCI_VRING_ALIGN },
	[VB_HW_MMIO_V2] = { "mmio-v2", 1, 0, 0, 0 },
	[VB_HW_MMIO_V1] = { "mmio-v1", 0, 1, 0, PAGE },
};

/* Point the bring-up at the register operations of @kind. */
static void set_kind(struct vb_hw *hw, enum vb_hw_kind kind)
{
	hw->kind = kind;
	hw->kind_name = kinds[kind].name;
	hw->t.ops = &hw_ops;
	hw->t.modern = kinds[kind].modern;
	hw->t.legacy_layout = kinds[kind].legacy_layout;
	hw->t.fixed_size = kinds[kind].fixed_size;
	hw->t.align = kinds[kind].align;
	hw->regs.align = kinds[kind].align;
}

/* The bring-up state, with the register operations over the three windows. */
static void hw_init(struct vb_hw *hw)
{
	memset(hw, 0, sizeof(*hw));
	hw->common.fd = hw->notify.fd = hw->devcfg.fd = -1;
	hw->t.h = hw;
	hw->t.err = hw->err;
	vq_regs_init(&hw->regs, NULL, hw->err, sizeof(hw->err));
	hw->regs.win[VQ_RS_COMMON] = &hw->common;
	hw->regs.win[VQ_RS_NOTIFY] = &hw->notify;
	hw->regs.win[VQ_RS_DEVICE] = &hw->devcfg;
}

int vb_hw_open(struct vb_hw *hw, const struct vq_dev *d, struct vb_steps *steps, char *err,
	       size_t errlen)
{
	int ret;

	hw_init(hw);
	/* Only a device whose source can open its registers for writing:
	 * records of a device (a snapshot's) name hardware that may not be here. */
	if (!d->t || !d->t->open_regs) {
		snprintf(err, errlen, "%s comes from the %s source, which has no registers to write; blk drives live devices only",
			 d->name, d->t ? d->t->name : "unknown");
		return -ENODEV;
	}
	if (d->device_id != VIRTIO_ID_BLOCK) {
		snprintf(err, errlen, "%s is virtio device type %u, not a block device (2)", d->name,
			 d->device_id);
		return -ENODEV;
	}
	ret = d->kind == VQ_T_MMIO ? mmio_owner(d, steps, err, errlen)
				   : pci_owner(d, steps, err, errlen);
	if (ret)
		return ret;
	ret = d->t->open_regs(d, &hw->regs, err, errlen);
	if (hw->regs.enabled[0])
		vb_step_add(steps, "pci_command", 1, "%s", hw->regs.enabled);
	if (ret)
		return ret;
	if (hw->regs.ops == &vq_regs_pci_modern)
		set_kind(hw, VB_HW_PCI_MODERN);
	else if (hw->regs.ops == &vq_regs_pci_legacy)
		set_kind(hw, VB_HW_PCI_LEGACY);
	else
		set_kind(hw, hw->regs.mmio_version == 1 ? VB_HW_MMIO_V1 : VB_HW_MMIO_V2);
	return 0;
}

int vb_hw_attach(struct vb_hw *hw, enum vb_hw_kind kind, const struct vq_regwin *w)
{
	hw_init(hw);
	hw->common = *w;
	hw->regs.win[VQ_RS_NOTIFY] = hw->regs.win[VQ_RS_DEVICE] = NULL;
	hw->regs.len[VQ_RS_COMMON] = w->len;
	switch (kind) {
	case VB_HW_PCI_LEGACY:
		hw->regs.ops = &vq_regs_pci_legacy;
		break;
	case VB_HW_MMIO_V1:
	case VB_HW_MMIO_V2:
		hw->regs.ops = &vq_regs_mmio;
		hw->regs.mmio_version = kind == VB_HW_MMIO_V1 ? 1 : 2;
		break;
	default:
		return -EINVAL;
	}
	set_kind(hw, kind);
	return 0;
}

void vb_hw_close(struct vb_hw *hw)
{
	vq_regs_close(&hw->regs);
}
