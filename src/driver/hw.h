/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The driver's transports on real hardware: virtio-pci (modern, legacy) and virtio-mmio (v1, v2), opened for writing. */
#ifndef VQDUMP_DRIVER_HW_H
#define VQDUMP_DRIVER_HW_H

#include "../access/transport.h"
#include "../access/regwin.h"
#include "vblk.h"

enum vb_hw_kind {
	VB_HW_PCI_MODERN,  /* common/notify/device cfg capabilities in a memory BAR */
	VB_HW_PCI_LEGACY,  /* the legacy header in I/O BAR0 */
	VB_HW_MMIO_V2,     /* virtio-mmio version 2 */
	VB_HW_MMIO_V1,     /* virtio-mmio version 1 (legacy) */
};

struct vb_hw {
	struct vb_transport t;    /* what the bring-up uses; t.h points here */
	enum vb_hw_kind kind;
	const char *kind_name;    /* "pci-modern", ... for output */
	struct vq_regwin common;  /* modern: common cfg; legacy: the I/O BAR; mmio: the window */
	struct vq_regwin notify;  /* modern: the notify structure */
	struct vq_regwin devcfg;  /* modern: the device cfg structure */
	struct vq_regs regs;      /* the access layer's register operations over the windows */
	char err[256];            /* last failure */
};

/*
 * Check that no kernel driver owns @d and that it is a virtio-blk device,
 * turn on what a driver needs (PCI command: memory or I/O space and bus
 * master; reported as a step), and open its registers for writing.
 * Returns 0, -EBUSY when a driver owns it (@err says how to unbind),
 * -ENODEV when it is not virtio-blk or its source cannot open registers
 * for writing (no vq_transport.open_regs: a snapshot), or another -errno.
 */
int vb_hw_open(struct vb_hw *hw, const struct vq_dev *d, struct vb_steps *steps, char *err,
	       size_t errlen);
void vb_hw_close(struct vb_hw *hw);

/* Drive @kind (VB_HW_PCI_LEGACY, VB_HW_MMIO_V1 or VB_HW_MMIO_V2) through
 * the already open window @w (taken over; the unit tests use a file):
 * the register layer without the ownership checks.  0 or -EINVAL. */
int vb_hw_attach(struct vb_hw *hw, enum vb_hw_kind kind, const struct vq_regwin *w);

/* /proc/iomem text: is the window at @base claimed by a driver (an entry
 * nested inside the one starting at @base)?  1 with the names, 0 no, -ENOENT
 * when no entry starts at @base. */
int vb_iomem_busy(const char *iomem_text, uint64_t base, char *top, size_t toplen, char *claim,
		  size_t claimlen);

#endif
