/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Transports: the interface through which a source finds devices and fills the device model. */
#ifndef VQDUMP_ACCESS_TRANSPORT_H
#define VQDUMP_ACCESS_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "../model/device.h"
#include "regwin.h"

struct vq_regs;
struct vq_mem;

/* Where a transport finds its devices. */
enum vq_scope {
	VQ_SCOPE_LIVE,  /* the running system (sysfs, libpci, firmware tables) */
	VQ_SCOPE_IMAGE, /* records in a memory image given with --core */
	VQ_SCOPE_QEMU,  /* a running QEMU named with --qemu: enumerate() gets the
			 * open "qemu" memory source, whose QMP connection
			 * vq_mem_qemu_qmp() (qemumem.h) gives */
};

/* One transport, in the manner of the memory accessors. */
struct vq_transport {
	const char *name;    /* "pci", "mmio", "snapshot" */
	const char *help;    /* one line for --help: what it needs */
	enum vq_scope scope; /* which sources it enumerates */
	/*
	 * Append every virtio device this transport finds to @list (MMIO
	 * transports with device ID 0 are skipped): on the live system
	 * (@image NULL), or in the open memory image @image.  Returns how
	 * many were added, -ENOENT when @image holds no records of this
	 * transport, or another negative errno with @err (errlen bytes)
	 * saying why nothing could be looked at.
	 */
	int (*enumerate)(struct vq_dev_list *list, struct vq_mem *image, char *err, size_t errlen);
	/*
	 * Read status, features, queues and config into @d.  Inspection only:
	 * the one write allowed is a selector (queue/feature select), restored
	 * before returning; never the ISR.  Returns 0 or -errno with d->err.
	 */
	int (*read_state)(struct vq_dev *d);
	/* Release d->priv and d->queues. */
	void (*release)(struct vq_dev *d);
	/*
	 * Driver only: open @d's registers for writing and set @r up for them
	 * (ops and the layout's data).  r->win[] point at the caller's window
	 * storage, one per space: those the layout uses are opened (the
	 * caller closes them, vq_regs_close()), the others set to NULL.  PCI
	 * turns on memory or I/O decoding and bus mastering first and says so
	 * in r->enabled.  No ownership check: the caller makes it.  NULL when
	 * the source has no registers to write (a saved snapshot).  Returns 0
	 * or -errno with @err.
	 */
	int (*open_regs)(const struct vq_dev *d, struct vq_regs *r, char *err, size_t errlen);
};

extern const struct vq_transport vq_transport_pci;
extern const struct vq_transport vq_transport_mmio;
extern const struct vq_transport vq_transport_vbus;
extern const struct vq_transport vq_transport_qemu;
extern const struct vq_transport vq_transport_kdev;

/* Queue @i of a device of vq_transport_qemu read again into @q (QEMU's
 * x-query-virtio-queue-status: its address, size and q->dv_*), without
 * touching d->queues: 0, -ENOTSUP for another transport's device, or
 * -errno with d->err. */
int vq_qemu_queue_view(struct vq_dev *d, unsigned i, struct vq_queue_state *q);

/* The registered transports, in the order their devices are listed;
 * NULL-terminated, at most VQ_TRANSPORTS_MAX.  A new transport is one
 * file and one line there (access/transports.c). */
extern const struct vq_transport *const vq_transports[];
#define VQ_TRANSPORTS_MAX 16

/* Probe one virtio-mmio window at @base (for --mmio ADDR).  Returns 0 and
 * fills one entry, 1 when the window is a transport with device ID 0, or
 * -errno with @err set. */
int vq_mmio_probe_at(uint64_t base, struct vq_dev_list *list, char *err, size_t errlen);

/* ---- register operations: one table per register layout ----
 *
 * The registers of a virtio transport, as named operations over one
 * register access function.  Inspection (read_state) runs them over an
 * access function that refuses every write but a selector's, and puts the
 * selectors back; the driver runs them over writable windows.  No
 * operation reads the virtio-pci ISR.
 */

/* The register structures an access may go to. */
enum vq_reg_space {
	VQ_RS_COMMON, /* PCI modern: common configuration; PCI legacy: the I/O BAR; MMIO: the window */
	VQ_RS_NOTIFY, /* PCI modern: the notify structure */
	VQ_RS_DEVICE, /* PCI modern: the device configuration structure */
	VQ_RS_N,      /* how many */
};

/* One register access of @width bytes (1, 2, 4; 8 as two 4-byte accesses,
 * low first) at @off of @space, value in host order.  0 or -errno with
 * r->err set. */
typedef int (*vq_reg_io_fn)(struct vq_regs *r, enum vq_reg_space space, uint64_t off,
			    unsigned width, uint64_t *v, int write);

/* A device's registers as the operations reach them. */
struct vq_regs {
	const struct vq_reg_ops *ops;    /* the layout: vq_regs_pci_modern, ... */
	vq_reg_io_fn io;                 /* how one register is reached */
	void *io_ctx;                    /* @io's own state */
	struct vq_regwin *win[VQ_RS_N];  /* vq_regs_win_io: the window of each space, NULL: none */
	uint64_t len[VQ_RS_N];           /* bytes of each space (range checks of config_read) */
	char *err;                       /* where a failure is described */
	size_t errlen;                   /* bytes at @err */
	int mmio_version;                /* MMIO: 1 (legacy) or 2 */
	int msix;                        /* PCI legacy: MSI-X on (vectors present, config at 24) */
	uint32_t notify_mult;            /* PCI modern: notify_off_multiplier */
	uint64_t notify_at;              /* PCI modern: the selected queue's doorbell in VQ_RS_NOTIFY */
	uint32_t align;                  /* MMIO v1: QueueAlign written by queue_activate */
	char enabled[160];               /* open_regs: what it turned on (PCI command register), "" if nothing */
};

/* The registers of the selected queue, as queue_read found them. */
struct vq_reg_queue {
	uint32_t size;        /* PCI modern queue_size, legacy QUEUE_NUM, MMIO QueueNumMax; 0: no queue */
	int enabled;          /* queue_enable, QueueReady, or a non-zero PFN */
	uint32_t ready;       /* PCI modern queue_enable, MMIO v2 QueueReady */
	uint32_t pfn;         /* PCI legacy QUEUE_PFN, MMIO v1 QueuePFN */
	uint16_t msix_vector; /* PCI: the queue's MSI-X vector, VIRTIO_MSI_NO_VECTOR without */
	uint16_t notify_off;  /* PCI modern: queue_notify_off */
	uint64_t desc;        /* PCI modern: queue_desc */
	uint64_t avail;       /* PCI modern: queue_driver */
	uint64_t used;        /* PCI modern: queue_device */
};

/* One register layout.  Every operation returns 0 or -errno with r->err. */
struct vq_reg_ops {
	const char *name; /* "pci-modern", "pci-legacy", "mmio" */
	int (*get_status)(struct vq_regs *r, uint8_t *status);
	int (*set_status)(struct vq_regs *r, uint8_t status);
	/* Offered feature word @sel: the selector written, then the word
	 * read (PCI legacy: word 0 only, the others read as 0). */
	int (*device_features)(struct vq_regs *r, unsigned sel, uint32_t *word);
	/* Accepted feature word @sel; NULL where the register is write-only (MMIO). */
	int (*driver_features)(struct vq_regs *r, unsigned sel, uint32_t *word);
	int (*set_driver_features)(struct vq_regs *r, unsigned sel, uint32_t word);
	/* The queue count register; NULL where the queues are probed (until
	 * a queue's size reads 0). */
	int (*num_queues)(struct vq_regs *r, uint16_t *n);
	/* The configuration-change MSI-X vector; NULL where there is none (MMIO). */
	int (*config_vector)(struct vq_regs *r, uint16_t *vector);
	/* Write the queue selector. */
	int (*queue_select)(struct vq_regs *r, unsigned q);
	/* The selected queue's registers (PCI legacy, MMIO: only the size
	 * when it reads 0, since the queue does not exist). */
	int (*queue_read)(struct vq_regs *r, struct vq_reg_queue *q);
	/* Driver only: where @q's notifications go (r->notify_at); -EPROTO
	 * when outside the notify structure.  NULL: a fixed register. */
	int (*queue_doorbell)(struct vq_regs *r, const struct vq_reg_queue *q);
	/* Driver only: select queue @q, give it @size (where settable) and
	 * its rings, enable it. */
	int (*queue_activate)(struct vq_regs *r, unsigned q, uint16_t size, uint64_t desc,
			      uint64_t avail, uint64_t used);
	/* Driver only: notify queue @q. */
	int (*notify)(struct vq_regs *r, unsigned q);
	/* The configuration generation; -EOPNOTSUPP where there is none
	 * (PCI legacy, MMIO v1). */
	int (*config_generation)(struct vq_regs *r, uint32_t *gen);
	/* @len bytes of device-specific configuration at @off of a device
	 * of type @device_id, each field read with its own width; -ERANGE
	 * beyond the structure. */
	int (*config_read)(struct vq_regs *r, uint32_t device_id, unsigned off, void *buf,
			   unsigned len);
};

extern const struct vq_reg_ops vq_regs_pci_modern;
extern const struct vq_reg_ops vq_regs_pci_legacy;
extern const struct vq_reg_ops vq_regs_mmio; /* v1 and v2, by r->mmio_version */

/* Set up @r (zeroed) with @ops, reaching the registers through the
 * windows r->win[] (set them afterwards), failures described in @err. */
void vq_regs_init(struct vq_regs *r, const struct vq_reg_ops *ops, char *err, size_t errlen);
/* The access function over r->win[]: regwin accesses, -ENODEV for a space without a window. */
int vq_regs_win_io(struct vq_regs *r, enum vq_reg_space space, uint64_t off, unsigned width,
		   uint64_t *v, int write);
/* One read / write through r->io (reads start from 0). */
int vq_regs_rd(struct vq_regs *r, enum vq_reg_space space, uint64_t off, unsigned width,
	       uint64_t *v);
int vq_regs_wr(struct vq_regs *r, enum vq_reg_space space, uint64_t off, unsigned width,
	       uint64_t v);
/* @len bytes at @off of the device configuration of a device of type
 * @device_id, which starts at @at of @space, into @buf: each field read
 * with its own width (vq_config_access_width(), decode/config.h). */
int vq_regs_read_config(struct vq_regs *r, enum vq_reg_space space, uint64_t at,
			uint32_t device_id, unsigned off, uint8_t *buf, unsigned len);
/* Close every window in r->win[]. */
void vq_regs_close(struct vq_regs *r);

/* The kernel driver bound to PCI device @name ("0000:00:04.0") right now,
 * from its sysfs driver link; "" when none (the driver's ownership check). */
void vq_pci_driver(const char *name, char *out, size_t len);

/* Add a device slot to @list (zeroed); NULL when out of memory. */
struct vq_dev *vq_dev_list_add(struct vq_dev_list *list);
void vq_dev_list_free(struct vq_dev_list *list);

#endif
