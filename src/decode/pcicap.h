/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-pci capability list decoder (virtio 1.3, 4.1.4): config-space bytes in, structures out. */
#ifndef VQDUMP_DECODE_PCICAP_H
#define VQDUMP_DECODE_PCICAP_H

#include <stddef.h>
#include <stdint.h>

#include "../model/device.h"
#include "ring.h"

/*
 * Capability types come from <linux/virtio_pci.h> (VIRTIO_PCI_CAP_*_CFG);
 * the ones it lacks are defined here.
 */
/* virtio 1.3, 4.1.4 (cfg_type table): vendor-specific data. */
#define VQ_PCI_CAP_VENDOR_CFG 9

/* Layout of struct virtio_pci_cap beyond what the UAPI header names. */
#define VQ_PCI_CAP_ID 5          /* u8 id: shared-memory region id */
#define VQ_PCI_CAP64_OFFSET_HI 16 /* virtio_pci_cap64: le32 offset_hi */
#define VQ_PCI_CAP64_LENGTH_HI 20 /* virtio_pci_cap64: le32 length_hi */
#define VQ_PCI_VNDR_VENDOR_ID 4  /* virtio_pci_vndr_data: le16 vendor_id */
#define VQ_PCI_CFG_CAP_DATA 16   /* virtio_pci_cfg_cap: u8 pci_cfg_data[4], the data window */

/* Config space sizes the decoder accepts: conventional PCI and PCI Express. */
#define VQ_PCI_CFG_SIZE 256
#define VQ_PCI_CFG_SIZE_EXP 4096

/* vq_pci_cap.bar of a vendor data capability, which names no BAR. */
#define VQ_PCI_CAP_NO_BAR 0xff

/* What one walk of the capability list met, besides the capabilities. */
struct vq_pcicap_walk {
	unsigned n;        /* capabilities stored (also the return value) */
	unsigned ignored;  /* vendor capabilities skipped: reserved cfg_type or bar, too short */
	unsigned dropped;  /* valid virtio capabilities that did not fit in the array */
	unsigned visited;  /* capabilities of any kind on the list */
	uint8_t msix_pos;  /* position of the MSI-X capability, 0 if none */
	char note[160];    /* why the first capability was ignored, or why the walk failed */
};

/*
 * Walk the capability list of @cfg (@len bytes: 256, or 4096 for PCI
 * Express; the list lives in the first 256) and store the virtio vendor
 * capabilities in list order, which is the device's order of preference,
 * in @caps (at most @max).  A capability is ignored (and counted in
 * w->ignored, first reason in w->note) when the driver rules of 4.1.4 say
 * so: reserved cfg_type, reserved bar, or a cap_len shorter than its
 * structure or running past the end of config space.  Longer cap_len is
 * accepted.  Shared-memory capabilities are read as virtio_pci_cap64
 * (64-bit offset and length), notify capabilities with their
 * notify_off_multiplier; a vendor data capability gets bar
 * VQ_PCI_CAP_NO_BAR, offset 0 and length cap_len.
 *
 * Returns the number stored, or: -EINVAL when @len is not a config space
 * size, -ERANGE when a pointer leads into the 64-byte header, -ELOOP when
 * the list loops.  On error w->note says where; @caps holds what was found
 * before it.  Never reads outside @cfg; at most 48 steps.
 */
int vq_pcicap_parse(const uint8_t *cfg, size_t len, struct vq_pci_cap *caps, unsigned max,
		    struct vq_pcicap_walk *w);

/*
 * Position of the first standard capability with ID @cap_id (a
 * PCI_CAP_ID_* value), 0 when absent, or the negative error of
 * vq_pcicap_parse() when the list is broken.
 */
int vq_pci_find_std_cap(const uint8_t *cfg, size_t len, uint8_t cap_id);

/* 1 when the MSI-X capability is present and enabled (Message Control bit
 * 15), 0 when not, negative when the list is broken.  Decides where the
 * legacy device-specific config starts (20 or 24). */
int vq_pci_msix_enabled(const uint8_t *cfg, size_t len);

/* The first capability of @cfg_type (the one a driver SHOULD use), or NULL. */
const struct vq_pci_cap *vq_pcicap_first(const struct vq_pci_cap *caps, unsigned n,
					 uint8_t cfg_type);

/* Short name of a capability type ("common", "notify", "isr", "device",
 * "pci-cfg", "shared-memory", "vendor"); NULL for reserved types. */
const char *vq_pcicap_type_name(uint8_t cfg_type);

/* Smallest cap_len the structure of @cfg_type needs (bytes); 0 for
 * reserved types. */
unsigned vq_pcicap_min_len(uint8_t cfg_type);

/* What the device rules need beyond the capabilities themselves. */
struct vq_pcicap_lint_in {
	const uint64_t *bar_size;    /* six BAR sizes (0: not implemented), or NULL: unknown */
	int notification_data;       /* device offers VIRTIO_F_NOTIFICATION_DATA */
	int needs_device_cfg;        /* 1: the device type has a device-specific config,
				      * 0: it has none, -1: unknown */
	const uint16_t *notify_offs; /* queue_notify_off of each queue, or NULL */
	unsigned nqueues;            /* entries in @notify_offs */
};

/*
 * Check the capabilities @caps (from vq_pcicap_parse() on @cfg) against the
 * device requirements of 4.1.4: the structures every device presents, the
 * alignment of each offset, notify_off_multiplier and notify length, ISR
 * length, regions inside their BAR, shared-memory ids unique, vendor data
 * vendor_id and size.  Writes at most @max findings (codes "PCICAP_*") and
 * returns how many.
 */
unsigned vq_pcicap_lint(const uint8_t *cfg, size_t len, const struct vq_pci_cap *caps,
			unsigned n, const struct vq_pcicap_lint_in *in, struct vq_finding *out,
			unsigned max);

#endif
