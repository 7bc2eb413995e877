/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-mmio register block decoder (virtio 1.3 sections 4.2.2 and 4.2.4, legacy): pure, no I/O. */
#ifndef VQDUMP_DECODE_MMIO_H
#define VQDUMP_DECODE_MMIO_H

#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_mmio.h>

/*
 * Register offsets are the kernel's (<linux/virtio_mmio.h>, VIRTIO_MMIO_*).
 * What that header lacks:
 */
#define VQ_MMIO_QUEUE_RESET 0x0c0 /* QueueReset, virtio 1.2+ (4.2.2) */

#define VQ_MMIO_MAGIC 0x74726976u /* MagicValue: "virt" read as a little-endian word */
#define VQ_MMIO_HDR_LEN 0x100u    /* registers before the device configuration */
#define VQ_MMIO_WINDOW 0x200u     /* the window QEMU (and most device trees) give a transport */

/*
 * Legacy (version 1) queues are placed with two write-only registers,
 * GuestPageSize and QueueAlign, which cannot be read back.  Linux writes
 * PAGE_SIZE to both (VIRTIO_MMIO_VRING_ALIGN); 4096 on x86, and on arm64
 * and riscv kernels with 4 KiB pages.
 */
#define VQ_MMIO_LEGACY_PAGE 4096u  /* GuestPageSize assumed for QueuePFN */
#define VQ_MMIO_LEGACY_ALIGN 4096u /* QueueAlign assumed for the used ring */

/* ---- the register map as data ---- */

enum vq_mmio_dir {
	VQ_MMIO_R = 1,  /* the driver may read it */
	VQ_MMIO_W = 2,  /* the driver may write it; reading is forbidden (4.2.2.2) */
	VQ_MMIO_RW = 3, /* both */
};

/* Bits of vq_mmio_reg.versions. */
#define VQ_MMIO_V1 1u /* legacy interface, 4.2.4 */
#define VQ_MMIO_V2 2u /* 4.2.2 */

/* The selector a per-queue or per-word register depends on. */
enum vq_mmio_sel {
	VQ_MMIO_SEL_NONE,     /* not selected */
	VQ_MMIO_SEL_QUEUE,    /* QueueSel */
	VQ_MMIO_SEL_DEVFEAT,  /* DeviceFeaturesSel (legacy HostFeaturesSel) */
	VQ_MMIO_SEL_DRVFEAT,  /* DriverFeaturesSel (legacy GuestFeaturesSel) */
	VQ_MMIO_SEL_SHM,      /* SHMSel */
};

struct vq_mmio_reg {
	uint16_t off;          /* byte offset in the window */
	uint8_t dir;           /* enum vq_mmio_dir, as the spec's table gives it */
	uint8_t versions;      /* VQ_MMIO_V1 | VQ_MMIO_V2: which layouts have it */
	uint8_t sel;           /* enum vq_mmio_sel */
	const char *name;      /* the spec's name for it in that layout */
};

/* Every 32-bit register of both layouts (the configuration space at 0x100
 * is not listed); sorted by offset, then version. */
extern const struct vq_mmio_reg vq_mmio_regs[];
extern const size_t vq_mmio_nregs;

/* The register at @off in layout @version (1 or 2); NULL when that layout
 * has none there (a driver must not touch it, 4.2.2.2). */
const struct vq_mmio_reg *vq_mmio_reg_at(unsigned off, unsigned version);

/* 1 when the spec lets a driver read the register at @off of layout
 * @version: it exists there and is not write-only. */
int vq_mmio_may_read(unsigned off, unsigned version);

/* ---- a snapshot of the readable registers, and its decoding ---- */

/* One queue's registers, read with QueueSel = its index. */
struct vq_mmio_queue_regs {
	uint32_t num_max;   /* QueueNumMax (0x034); 0: no such queue */
	uint32_t pfn;       /* QueuePFN (0x040), legacy only */
	uint32_t ready;     /* QueueReady (0x044), version 2 only */
	/* Write-only in the spec, so vqdump never reads them from a live
	 * device; a snapshot from elsewhere (another tool, a device model's
	 * state) may have them.  Only looked at when @wo_valid is 1. */
	uint8_t wo_valid;   /* 1 when the fields below hold the values the driver wrote */
	uint32_t num;       /* QueueNum (0x038) */
	uint32_t desc_lo;   /* QueueDescLow (0x080) */
	uint32_t desc_hi;   /* QueueDescHigh (0x084) */
	uint32_t driver_lo; /* QueueDriverLow (0x090): available ring */
	uint32_t driver_hi; /* QueueDriverHigh (0x094) */
	uint32_t device_lo; /* QueueDeviceLow (0x0a0): used ring */
	uint32_t device_hi; /* QueueDeviceHigh (0x0a4) */
};

/* The device-wide registers. */
struct vq_mmio_regs {
	uint32_t magic;              /* MagicValue (0x000) */
	uint32_t version;            /* Version (0x004) */
	uint32_t device_id;          /* DeviceID (0x008) */
	uint32_t vendor_id;          /* VendorID (0x00c) */
	uint32_t device_features[4]; /* DeviceFeatures (0x010) with DeviceFeaturesSel 0..3 */
	uint32_t status;             /* Status (0x070) */
	uint32_t config_generation;  /* ConfigGeneration (0x0fc), version 2 only */
};

/* Outcome of the identification registers (4.2.2.2 driver rules). */
enum vq_mmio_ident {
	VQ_MMIO_DEVICE = 0,    /* a device: version 1 or 2, device ID not 0 */
	VQ_MMIO_EMPTY = 1,     /* a transport with device ID 0: ignore, no error */
};

/*
 * Check MagicValue, Version and DeviceID.  Returns VQ_MMIO_DEVICE,
 * VQ_MMIO_EMPTY, -ENODEV (not a virtio-mmio window: wrong magic) or
 * -EPROTONOSUPPORT (a version this decoder does not know), with a one-line
 * reason in @why for the errors.
 */
int vq_mmio_identify(uint32_t magic, uint32_t version, uint32_t device_id, char *why,
		     size_t whylen);

/* Quirks found while decoding the feature words (bits of a mask). */
#define VQ_MMIO_QUIRK_FSEL_CLAMPED 1u /* DeviceFeaturesSel >= 2 read as word 1 (QEMU 7.2) */
#define VQ_MMIO_QUIRK_FSEL_IGNORED 2u /* DeviceFeaturesSel ignored: every word read as word 0 */

/*
 * The 128 offered feature bits from the four words read with
 * DeviceFeaturesSel 0..3.  A device that does not decode the whole
 * selector repeats a lower word for the higher ones (QEMU 7.2 answers
 * selectors 2 and 3 with word 1, which holds VIRTIO_F_VERSION_1, so bit
 * 64 and bit 96 would appear to be offered).  Words 2 and 3 equal to a
 * non-zero word 1, or words 1-3 all equal to a non-zero word 0, are taken
 * for such copies: they are cleared, and the returned mask says so.
 */
unsigned vq_mmio_device_features(const uint32_t raw[4], uint32_t out[4]);

/*
 * 1 when @status alone proves that no features have been negotiated, so
 * that the driver features are exactly 0: version 2 without FEATURES_OK
 * (3.1.1: the device accepts the features when FEATURES_OK is set);
 * legacy without DRIVER (legacy drivers never set FEATURES_OK and write
 * GuestFeatures after DRIVER).  0 when only the driver knows.
 */
int vq_mmio_driver_features_zero(unsigned version, uint8_t status);

/* How a queue's size was learnt. */
enum vq_mmio_size_how {
	VQ_MMIO_SIZE_UNKNOWN,  /* not known */
	VQ_MMIO_SIZE_WRITTEN,  /* QueueNum as the driver wrote it (wo_valid snapshots) */
	VQ_MMIO_SIZE_RINGS,    /* (avail - desc) / 16 of the addresses the driver wrote */
	VQ_MMIO_SIZE_MAX,      /* QueueNumMax: what Linux uses (an assumption) */
};

/* How a queue's ring addresses were learnt. */
enum vq_mmio_addr_how {
	VQ_MMIO_ADDR_UNKNOWN, /* not readable: version 2 address registers are write-only */
	VQ_MMIO_ADDR_PFN,     /* legacy QueuePFN * page size, avail and used laid out after it */
	VQ_MMIO_ADDR_WRITTEN, /* the 64-bit values the driver wrote (wo_valid snapshots) */
};

/* Flags for vq_mmio_decode_queue(). */
#define VQ_MMIO_QF_PACKED 1u /* VIRTIO_F_RING_PACKED negotiated: no split-ring inference */

struct vq_mmio_queue {
	uint32_t max_size;              /* QueueNumMax (0: the queue does not exist) */
	uint32_t size;                  /* Queue Size in use; 0 when unknown */
	enum vq_mmio_size_how size_how; /* where @size came from */
	uint8_t enabled;                /* QueueReady != 0 (v2), QueuePFN != 0 (legacy) */
	enum vq_mmio_addr_how addr_how; /* where the addresses came from */
	uint64_t desc;                  /* descriptor table (packed: descriptor ring) */
	uint64_t avail;                 /* available ring (packed: driver event suppression) */
	uint64_t used;                  /* used ring (packed: device event suppression) */
	const char *problem;            /* a spec rule the registers break, or NULL */
};

/*
 * Decode one queue of a layout-@version device.  Legacy: the ring is
 * contiguous at QueuePFN * VQ_MMIO_LEGACY_PAGE with the used ring aligned
 * to VQ_MMIO_LEGACY_ALIGN (4.2.4 and 2.7.2 legacy layout); its size is
 * QueueNumMax as Linux picks it.  Version 2: enabled from QueueReady; the
 * addresses only from a wo_valid snapshot.  Returns 0, or -EINVAL when
 * the registers break a rule (then out->problem says which).
 */
int vq_mmio_decode_queue(unsigned version, const struct vq_mmio_queue_regs *r, unsigned flags,
			 struct vq_mmio_queue *out);

/* ---- discovery: names and firmware descriptions of transports ---- */

/*
 * 1 when @name (a /proc/iomem entry or a platform device name; only the
 * text before the first blank counts) names a virtio-mmio transport:
 * "LNRO0005:NN" (ACPI), "virtio-mmio" and "virtio-mmio.N" (the driver's
 * own name, kernel command-line devices), "ADDR.virtio_mmio" (device
 * tree).
 */
int vq_mmio_name_match(const char *name);

/*
 * Parse one /proc/iomem line ("  feb02e00-feb02fff : LNRO0005:00").
 * Returns 1 and fills @start, @end (inclusive), @depth (nesting level)
 * and @name (points into @line, without the newline; @namelen bytes);
 * 0 for a line of another shape.
 */
int vq_mmio_iomem_line(const char *line, uint64_t *start, uint64_t *end, unsigned *depth,
		       const char **name, size_t *namelen);

/* The address a device-tree platform device name starts with
 * ("a003e00.virtio_mmio"): 0 and @addr set, or -EINVAL. */
int vq_mmio_platform_addr(const char *name, uint64_t *addr);

/* 1 when a device-tree "compatible" property (@len bytes of
 * NUL-separated strings) lists "virtio,mmio". */
int vq_mmio_dt_compatible(const uint8_t *prop, size_t len);

/* A big-endian number of @cells 32-bit cells (1 or 2; 0 gives 0).
 * Returns -EINVAL for more than 2 cells unless the extra high cells are 0. */
int vq_mmio_dt_cells(const uint8_t *p, unsigned cells, uint64_t *val);

/*
 * First (address, size) of a "reg" property of @len bytes under a parent
 * with @addr_cells and @size_cells.  Returns 0, or -EINVAL when the
 * property is too short or the cells do not fit 64 bits.
 */
int vq_mmio_dt_reg(const uint8_t *reg, size_t len, unsigned addr_cells, unsigned size_cells,
		   uint64_t *addr, uint64_t *size);

/*
 * Translate @addr through a bus's "ranges" property (@len bytes of
 * (child address, parent address, size) triples with @child_ac,
 * @parent_ac and @child_sc cells).  An empty property is the identity.
 * Returns 0 and sets @out, or -ENOENT when no range covers @addr, or
 * -EINVAL for a malformed property.
 */
int vq_mmio_dt_translate(uint64_t addr, const uint8_t *ranges, size_t len, unsigned child_ac,
			 unsigned parent_ac, unsigned child_sc, uint64_t *out);

/*
 * The driver features from Linux's /sys/bus/virtio/devices/virtioN/features:
 * one '0' or '1' per bit, bit 0 first (64 of them in Linux 6.1), then a
 * newline.  Returns the number of bits read, or -EINVAL for another
 * character or more than 128 bits.
 */
int vq_mmio_sysfs_features(const char *s, uint32_t out[4]);

#endif
