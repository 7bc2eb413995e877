/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The device model: what every source (registers, sysfs, kernel records, a snapshot) fills and every view reads. */
#ifndef VQDUMP_MODEL_DEVICE_H
#define VQDUMP_MODEL_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_config.h>

/* Largest device-specific config read (bytes); PCI caps may be longer. */
#define VQ_CONFIG_MAX 1024
/* Most queues read per device (virtio-serial has 64, multiqueue net 2N+1). */
#define VQ_QUEUES_MAX 1024

enum vq_transport_kind {
	VQ_T_PCI,      /* virtio-pci, modern capabilities (may also be transitional) */
	VQ_T_PCI_LEGACY, /* virtio-pci through the legacy I/O BAR only */
	VQ_T_MMIO,     /* virtio-mmio, version in mmio_version */
	VQ_T_OTHER,    /* a transport vqdump does not read (virtio-ccw, vDPA,
			* remoteproc...): Linux's virtio bus shows it */
};

/* How read_state() reached the device's registers. */
enum vq_access_path {
	VQ_ACCESS_NONE,    /* nothing read */
	VQ_ACCESS_MAPPED,  /* a mapped BAR or MMIO window, or the legacy I/O BAR file */
	VQ_ACCESS_PCI_CFG, /* modern registers through VIRTIO_PCI_CAP_PCI_CFG in config space */
	VQ_ACCESS_SYSFS,   /* status and negotiated features from /sys/bus/virtio only:
			    * no queues, no config */
	VQ_ACCESS_QMP,     /* no registers: a running QEMU's own account over QMP (--qemu) */
	VQ_ACCESS_KERNEL,  /* no registers: the guest kernel's own records in a dump
			    * (struct virtio_device, vring_virtqueue; --core) */
};

/* Where a value came from, for fields some transports cannot read back. */
enum vq_source {
	VQ_SRC_NONE,      /* not known: JSON null, text "unknown" */
	VQ_SRC_REGISTERS, /* read from the device's registers */
	VQ_SRC_SYSFS,     /* from Linux (/sys/bus/virtio/devices/virtioN/features) */
	VQ_SRC_ASSUMED,   /* what Linux would have used (say so where shown) */
	VQ_SRC_STATUS,    /* implied by the status register: no negotiation since reset */
	VQ_SRC_KERNEL,    /* from Linux's own records in kernel memory (BTF, /proc/kcore) */
	VQ_SRC_QMP,       /* from a running QEMU's monitor (x-query-virtio-*, --qemu) */
};

struct vq_queue_state {
	uint16_t index;       /* queue number */
	uint16_t size;        /* Queue Size in use (0: unknown) */
	uint16_t max_size;    /* device maximum (0: not readable any more) */
	enum vq_source size_src; /* how @size was learnt */
	uint8_t enabled;      /* queue_enable / QueueReady / PFN != 0 */
	uint64_t desc;        /* descriptor table address */
	uint64_t avail;       /* available ring address */
	uint64_t used;        /* used ring address */
	enum vq_source addr_src; /* how desc/avail/used were learnt: REGISTERS, or KERNEL
				  * when the session asked Linux (write-only on virtio-mmio v2) */
	uint16_t msix_vector; /* modern PCI: queue_msix_vector (0xffff none) */
	uint16_t notify_off;  /* modern PCI: queue_notify_off */
	/* Filled by the session from ring memory when it can be read. */
	uint8_t idx_valid;    /* 1 when avail_idx/used_idx below are real */
	uint16_t avail_idx;
	uint16_t used_idx;
	/* A second sample of the indices, @sample_ms after the first, when the
	 * source recorded one (a snapshot does); diagnose uses it for the
	 * progress findings instead of sampling again. */
	uint8_t idx2_valid;
	uint16_t avail_idx2;
	uint16_t used_idx2;
	uint32_t sample_ms;
	/* 1 when the source gave the ring addresses and indices as they were
	 * (a snapshot saved them with the ring memory): the session neither
	 * reads ring memory for them nor asks Linux's records. */
	uint8_t idx_from_source;
	/* The driver's own view of the queue, from Linux's records (its
	 * struct vring_virtqueue), when the session read them (drv_valid). */
	uint8_t drv_valid;
	uint16_t drv_last_used_idx; /* used entries the driver has taken up to (last_used_idx);
				     * packed: its next used slot | used wrap counter << 15 */
	uint16_t drv_num_free;      /* descriptors free (vq.num_free) */
	uint16_t drv_avail_idx;     /* the avail index it last wrote (avail_idx_shadow); packed:
				     * its next avail slot | avail wrap counter << 15 */
	uint8_t drv_broken;         /* vq->broken: Linux gave up on the queue */
	uint8_t drv_callbacks;      /* 1: it wants interrupts (NO_INTERRUPT clear in its shadow) */
	uint8_t drv_event_idx;      /* 1: it uses event indices (vq->event) */
	char name[32];              /* the driver's name for it ("requestq"), "" if not known */
	/* A packed queue's per-Buffer-ID records from Linux (its desc_state
	 * and desc_extra, decode/packed.h's struct vq_packed_drvrec, one
	 * allocation), or NULL; the transport that set it frees it in its
	 * release().  Read at the same instant as drv_last_used_idx. */
	struct vq_packed_drvrec *drv_rec;
	/* The device side's own view of the queue (design.md "device_view"),
	 * as QEMU reports it (x-query-virtio-queue-status), when dv_valid. */
	uint8_t dv_valid;
	enum vq_source dv_src;      /* where it came from: VQ_SRC_QMP */
	uint16_t dv_last_avail_idx; /* avail entries the device has taken (last-avail-idx) */
	uint16_t dv_shadow_avail_idx; /* avail idx it last read from the ring (shadow-avail-idx) */
	uint16_t dv_used_idx;       /* used idx it has written (used-idx) */
	uint16_t dv_signalled_used; /* used idx when it last notified the driver (signalled-used) */
	uint32_t dv_inuse;          /* chains taken and not completed (inuse) */
};

/* A virtio-pci vendor capability (virtio 1.3, 4.1.4). */
struct vq_pci_cap {
	uint8_t cfg_type; /* VIRTIO_PCI_CAP_*_CFG */
	uint8_t bar;      /* BAR index */
	uint8_t id;       /* shared-memory id */
	uint8_t pos;      /* offset in config space */
	uint64_t offset;  /* within the BAR */
	uint64_t length;  /* bytes */
	uint32_t notify_off_multiplier; /* notify cap only */
};

#define VQ_PCI_CAPS_MAX 16

/* Who fills and refreshes a device: defined by the access layer (access/transport.h). */
struct vq_transport;

struct vq_dev {
	const struct vq_transport *t;  /* who reads it */
	enum vq_transport_kind kind;
	char name[40];        /* "0000:00:04.0" or "mmio:0xfeb00000" (design.md) */
	char virtio_name[16]; /* "virtio3" when the virtio bus has it, else "" */
	char driver[64];      /* kernel driver bound to the transport device, "" if none */
	uint32_t device_id;   /* virtio device ID */
	uint32_t vendor_id;   /* virtio vendor (MMIO) or PCI subsystem vendor */
	uint16_t pci_device;  /* PCI device ID (0x1000..0x107f) */
	int mmio_version;     /* 1 (legacy) or 2; 0 for PCI */
	uint64_t mmio_base;   /* physical address of the MMIO window */
	struct vq_pci_cap caps[VQ_PCI_CAPS_MAX]; /* modern PCI capabilities */
	unsigned ncaps;

	/* State, from read_state(). */
	uint8_t status;                /* device status register */
	uint32_t device_features[4];   /* 128 bits offered */
	enum vq_source device_features_src;
	uint32_t driver_features[4];   /* 128 bits accepted by the driver */
	enum vq_source driver_features_src;
	uint16_t num_queues;           /* queues the device has (read or probed) */
	struct vq_queue_state *queues; /* num_queues entries, owned by the device */
	uint8_t config[VQ_CONFIG_MAX]; /* device-specific configuration */
	unsigned config_len;           /* bytes valid in @config */
	int config_generation;         /* -1 when the transport has none (legacy) */
	int config_consistent;         /* generation equal before and after */
	uint16_t msix_config;          /* modern PCI: msix_config vector */
	enum vq_access_path access;    /* how the registers were reached */

	void *priv;                    /* transport's own state (mapped BARs...) */
	char err[256];                 /* last failure, one line */

	/* What a source records beside the registers: live transports look
	 * up the driver in read_state(); a snapshot gives back both. */
	char virtio_driver[64];        /* driver bound on the virtio bus ("virtio_blk"), "" if none */
	char read_error[256];          /* a recorded failure to read the state ("" if none):
					* read_state() fails with it, as reading the device
					* did when the snapshot was taken */
	char source_note[320];          /* how the source was read, when it matters to the
					* numbers ("guest running: ..."), "" if nothing */
	char refused[256];             /* why the registers could not be read while Linux's
					* sysfs view could (access VQ_ACCESS_SYSFS), with the
					* way out; "" when they were read */
};

struct vq_dev_list {
	struct vq_dev *devs; /* array, in discovery order */
	size_t n;
	size_t cap;
};

/* Set a bit of a 128-bit feature array. */
static inline int vq_feature_has(const uint32_t f[4], unsigned bit)
{
	return bit < 128 && (f[bit / 32] >> (bit % 32)) & 1;
}

/* 1 when the features the driver accepted are known: read from the device
 * or Linux, not missing (VQ_SRC_NONE) nor assumed (VQ_SRC_ASSUMED). */
static inline int vq_dev_driver_features_known(const struct vq_dev *d)
{
	return d->driver_features_src != VQ_SRC_NONE && d->driver_features_src != VQ_SRC_ASSUMED;
}

/* 1 when @d's driver accepted VIRTIO_F_RING_PACKED: its rings have the
 * packed layout (virtio 1.3, 2.8), not the split one. */
static inline int vq_dev_packed(const struct vq_dev *d)
{
	return vq_feature_has(d->driver_features, VIRTIO_F_RING_PACKED);
}

#endif
