/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Linux's struct virtio_device in kernel memory: what it says of a device and its transport, through a vq_fetch; no I/O. */
#ifndef VQDUMP_DECODE_KVDEV_H
#define VQDUMP_DECODE_KVDEV_H

#include <stddef.h>
#include <stdint.h>

#include "btf.h"
#include "fetch.h"
#include "kvqsearch.h"

/*
 * A virtio device Linux registered is a struct virtio_device
 * (include/linux/virtio.h): its index (virtioN), id.device and id.vendor,
 * the features the driver accepted (features, what the kernel wrote to
 * the device), failed and config_enabled, and the struct device it
 * embeds, whose driver pointer says whether a driver is bound and whose
 * parent is the transport's device: a PCI function named by its address
 * ("0000:00:04.0"), or a platform device (virtio-mmio) whose first
 * memory resource is the register window.  Offsets come from BTF; every
 * member but index and id is optional (size 0: not in this kernel).
 */
struct vq_kvdev_layout {
	uint64_t size;                  /* sizeof(struct virtio_device) */
	struct vq_btf_field index;      /* virtio_device.index */
	struct vq_btf_field id_device;  /* .id.device */
	struct vq_btf_field id_vendor;  /* .id.vendor */
	struct vq_btf_field features;   /* .features (u64) */
	struct vq_btf_field failed;     /* .failed (bool) */
	struct vq_btf_field config_enabled; /* .config_enabled (bool) */
	struct vq_btf_field dev;        /* .dev (struct device) */
	struct vq_btf_field parent;     /* device.parent */
	struct vq_btf_field driver;     /* device.driver */
	struct vq_btf_field kobj_name;  /* device.kobj.name */
	struct vq_btf_field drv_name;   /* device_driver.name */
	struct vq_btf_field pdev_dev;   /* platform_device.dev */
	struct vq_btf_field pdev_nres;  /* platform_device.num_resources */
	struct vq_btf_field pdev_res;   /* platform_device.resource */
	struct vq_btf_field res_start;  /* resource.start */
	struct vq_btf_field res_end;    /* resource.end */
	struct vq_btf_field res_flags;  /* resource.flags */
	uint64_t res_size;              /* sizeof(struct resource) */
	struct vq_btf_field vqs;        /* virtio_device.vqs (list_head): offset only */
	struct vq_btf_field list_next;  /* list_head.next */
	struct vq_btf_field list_prev;  /* list_head.prev */
};

/* Fill @l from @b: 0, or -ENOENT with @err when struct virtio_device or
 * its index and id are not there. */
int vq_kvdev_layout_from_btf(const struct vq_btf *b, struct vq_kvdev_layout *l, char *err,
			     size_t errlen);

/* Kernel virtual to physical: the linear maps, then page tables when the
 * caller has their root (@levels 0: none). */
struct vq_kxlat {
	const struct vq_kmap *map; /* sorted by vaddr */
	size_t nmap;
	uint64_t root;             /* physical address of the top page table */
	unsigned levels;           /* 4 or 5; 0 when @root is not known */
};

/* What a struct virtio_device says. */
struct vq_kvdev {
	uint32_t index;          /* N of virtioN */
	uint32_t device_id;      /* id.device */
	uint32_t vendor;         /* id.vendor */
	uint8_t have_features;   /* @features read */
	uint64_t features;       /* features the driver accepted */
	int failed;              /* 1, 0, or -1 when not known */
	int config_enabled;      /* 1, 0, or -1 */
	int bound;               /* a driver is bound: 1, 0, or -1 */
	char driver[64];         /* its name, "" when not readable */
	char name[32];           /* the device's own name ("virtio0"), "" when not readable */
	char parent[64];         /* the transport device's name ("0000:00:04.0"), or "" */
	char parent_driver[64];  /* the driver bound to it ("virtio-pci"), "" when not readable */
	int pci;                 /* 1 when @parent is a PCI address */
	uint64_t mmio_base;      /* a platform parent's first memory resource, 0 if none */
};

/* Read the virtio_device at kernel virtual @vdev: 0 and @d, or -EFAULT
 * when its index and id cannot be read. */
int vq_kvdev_read(const struct vq_fetch *f, const struct vq_kxlat *x,
		  const struct vq_kvdev_layout *l, uint64_t vdev, struct vq_kvdev *d);

/*
 * The virtio devices no driver set a queue up for: every place in
 * @regions (read through @f in chunks) that holds a struct virtio_device
 * at direct-map address @dmap + its physical address whose vqs list is
 * empty (its head points at itself both ways), whose index and id.device
 * are plausible and whose struct device is named "virtio<index>" (read
 * through @x).  Their kernel virtual addresses, at most @max into @out in
 * address order: how many, or -ENOMEM / -EIO.
 */
long vq_kvdev_scan_idle(const struct vq_fetch *f, const struct vq_scan_region *regions,
			size_t nregions, const struct vq_kxlat *x, uint64_t dmap,
			const struct vq_kvdev_layout *l, uint64_t *out, size_t max);

/* Kernel virtual to physical through @x: 0 or -EFAULT. */
int vq_kxlat_v2p(const struct vq_fetch *f, const struct vq_kxlat *x, uint64_t vaddr,
		 uint64_t len, uint64_t *paddr);

/* A NUL-terminated name of printable ASCII at kernel virtual @vaddr into
 * @out (@len bytes): 0, or -EFAULT / -EINVAL. */
int vq_kxlat_string(const struct vq_fetch *f, const struct vq_kxlat *x, uint64_t vaddr,
		    char *out, size_t len);

#endif
