/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The minimal virtio-blk driver: transport operations, bring-up, split and packed virtqueues, DMA memory, requests. */
#ifndef VQDUMP_DRIVER_VBLK_H
#define VQDUMP_DRIVER_VBLK_H

#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_ring.h>

/* ---- transport operations (a fake device in the unit tests drives them too) ---- */

/*
 * What the bring-up needs from a transport.  Every function returns 0 or
 * a negative errno value with the transport's err[] set.  @h is the
 * transport's own state.
 */
struct vb_ops {
	int (*get_status)(void *h, uint8_t *status);
	int (*set_status)(void *h, uint8_t status);
	/* Offered features (legacy transports: 32 bits). */
	int (*get_features)(void *h, uint64_t *features);
	int (*set_features)(void *h, uint64_t features);
	/* Select queue @q and report its maximum size and whether it is
	 * already enabled (queue_enable, QueueReady, or a non-zero PFN). */
	int (*queue_info)(void *h, unsigned q, uint16_t *max, int *enabled);
	/* Give queue @q (selected by queue_info) its size and ring addresses
	 * and enable it. */
	int (*queue_activate)(void *h, unsigned q, uint16_t size, uint64_t desc, uint64_t avail,
			      uint64_t used);
	int (*notify)(void *h, unsigned q);
	/* Device-specific configuration. */
	int (*config_read)(void *h, unsigned off, void *buf, unsigned len);
};

/* How the transport wants its rings (bring-up and memory layout). */
struct vb_transport {
	const struct vb_ops *ops; /* the register accesses */
	void *h;                  /* their state */
	int modern;               /* VERSION_1 required, FEATURES_OK used */
	int legacy_layout;        /* rings in one block, used ring aligned (QueuePFN) */
	int fixed_size;           /* queue size cannot be set: use the maximum (legacy PCI) */
	uint32_t align;           /* legacy layout: used ring alignment */
	char *err;                /* the transport's last failure */
};

/* ---- bring-up steps (virtio 1.3, 3.1.1) ---- */

#define VB_STEPS_MAX 24

struct vb_step {
	char name[24];    /* "reset", "features_ok", ... */
	int ok;           /* 1: done as the spec says */
	char detail[200]; /* one line */
};

struct vb_steps {
	struct vb_step v[VB_STEPS_MAX]; /* in order */
	unsigned n;                     /* used entries */
};

/* Append a step; returns @ok for "return vb_step_add(...)" chains. */
int vb_step_add(struct vb_steps *s, const char *name, int ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* What the driver asks for beyond its base features (vb_negotiate, vb_bring_up). */
#define VB_WANT_INDIRECT 0x1u /* INDIRECT_DESC (--inject indirect-size only) */
#define VB_WANT_PACKED 0x2u   /* RING_PACKED: queue 0 is a packed virtqueue (--packed) */

/*
 * Features the driver accepts from @offered.  @modern: VERSION_1 is
 * required (0 when not offered, with @why set).  @want (VB_WANT_*): also
 * INDIRECT_DESC / RING_PACKED, each required when asked for (-ENOTSUP
 * with @why when not offered).  Never EVENT_IDX, ACCESS_PLATFORM, or
 * anything not implemented.  Returns 0 or -ENOTSUP.
 */
int vb_negotiate(uint64_t offered, int modern, unsigned want, uint64_t *accepted, char *why,
		 size_t whylen);

/* Reset (write 0) and wait up to @timeout_ms for the status to read 0. */
int vb_reset(const struct vb_transport *t, unsigned timeout_ms);

/* What bring-up decided. */
struct vb_bringup {
	uint64_t offered;   /* device features */
	uint64_t accepted;  /* driver features written (and, modern, kept by FEATURES_OK) */
	uint16_t max_size;  /* queue 0 maximum */
	uint16_t size;      /* queue 0 size in use */
};

/* Ring memory for a queue of @size: the caller provides it once the size
 * is known (so bring-up stays free of memory allocation). */
typedef int (*vb_ring_alloc_fn)(void *arg, uint16_t size, uint64_t *desc, uint64_t *avail,
				uint64_t *used);

/*
 * Bring the device up to DRIVER_OK with queue 0 (3.1.1), recording every
 * step.  On failure sets FAILED, resets the device and returns a negative
 * errno; @steps says which step.  @want: VB_WANT_* (vb_negotiate); with
 * VB_WANT_PACKED the three addresses @alloc returns are the descriptor
 * ring and the driver and device event suppression areas (2.8.10), given
 * through the same queue registers.  @want_size caps the queue size.
 */
int vb_bring_up(const struct vb_transport *t, unsigned want, uint16_t want_size,
		vb_ring_alloc_fn alloc, void *alloc_arg, struct vb_bringup *out, struct vb_steps *steps);

/* ---- split virtqueue (2.7) ---- */

/* One physically contiguous piece of a buffer. */
struct vb_sg {
	uint64_t addr;  /* guest-physical */
	uint32_t len;   /* bytes */
	int write;      /* device-writable */
};

/* What the driver knows about a chain in flight, per head. */
struct vb_inflight {
	int busy;          /* published and not yet used */
	uint16_t ndesc;    /* descriptors in the chain */
	uint32_t writable; /* bytes the device may write */
	void *cookie;      /* the caller's request */
};

struct vb_vq {
	uint16_t size;               /* entries */
	struct vring_desc *desc;     /* descriptor table (mapped) */
	struct vring_avail *avail;   /* available ring */
	struct vring_used *used;     /* used ring */
	uint16_t free_head;          /* first free descriptor */
	uint16_t num_free;           /* descriptors free */
	uint16_t avail_idx;          /* our copy of avail->idx */
	uint16_t last_used;          /* next used entry to look at */
	struct vb_inflight *heads;   /* @size entries */
	uint16_t *next;              /* @size entries: the driver's own copy of every
				      * descriptor's next link (free list and chains);
				      * the table is shared memory a broken device may
				      * overwrite, so it is written, never read back */
};

/* Set up over memory the caller provides (zeroed here); avail flags get
 * VRING_AVAIL_F_NO_INTERRUPT: the driver polls.  0 or -ENOMEM. */
int vb_vq_init(struct vb_vq *vq, uint16_t size, void *desc, void *avail, void *used);
void vb_vq_free(struct vb_vq *vq);

/*
 * Write one chain (readable pieces first, then writable) and put its head
 * in the available ring, without publishing the index.  Returns the head
 * or -ENOSPC (not enough free descriptors) / -EINVAL (empty chain, or a
 * readable piece after a writable one).
 */
int vb_vq_add(struct vb_vq *vq, const struct vb_sg *sg, unsigned n, void *cookie);

/* Publish what vb_vq_add queued: barrier, then avail->idx. */
void vb_vq_publish(struct vb_vq *vq);

/*
 * Take the next used element.  Returns 1 with @cookie/@len, 0 when there
 * is none yet, or -EPROTO with @err when the device broke the rules (an id
 * not in flight, a len beyond the chain's writable bytes, an index that
 * ran ahead of what was published).
 */
int vb_vq_get_used(struct vb_vq *vq, void **cookie, uint32_t *len, char *err, size_t errlen);

/* Bytes of each part for @size entries, and the legacy single-block
 * layout (desc, avail, then used at the next multiple of @align). */
size_t vb_vq_desc_bytes(uint16_t size);
size_t vb_vq_avail_bytes(uint16_t size);
size_t vb_vq_used_bytes(uint16_t size);
size_t vb_vq_legacy_bytes(uint16_t size, uint32_t align, size_t *used_off);

/* ---- packed virtqueue (2.8) ---- */

struct vb_pvq {
	uint16_t size;                          /* descriptors in the ring */
	struct vring_packed_desc *desc;         /* descriptor ring (mapped) */
	struct vring_packed_desc_event *driver; /* driver event suppression area (written here) */
	struct vring_packed_desc_event *device; /* device event suppression area (the device's) */
	uint16_t next_avail;                    /* slot the next chain starts at */
	uint16_t avail_wrap;                    /* Driver Ring Wrap Counter (1 at start) */
	uint16_t next_used;                     /* slot the device writes its next used descriptor to */
	uint16_t used_wrap;                     /* the wrap counter that used descriptor carries */
	uint16_t num_free;                      /* descriptors free */
	uint16_t free_id;                       /* first free buffer ID (== size: none) */
	int pending;                            /* chains added since the last publish */
	uint16_t pend_slot;                     /* the first of them: its head slot */
	uint16_t pend_flags;                    /* and its head's flags, written by publish */
	struct vb_inflight *ids;                /* @size entries, by buffer ID */
	uint16_t *next_id;                      /* @size entries: the free buffer ID list */
};

/* Bytes of the descriptor ring and of one event suppression area. */
size_t vb_pvq_desc_bytes(uint16_t size);
size_t vb_pvq_event_bytes(void);

/* Set up over memory the caller provides (zeroed here); the driver area
 * gets RING_EVENT_FLAGS_DISABLE: the driver polls.  0 or -ENOMEM. */
int vb_pvq_init(struct vb_pvq *vq, uint16_t size, void *desc, void *driver, void *device);
void vb_pvq_free(struct vb_pvq *vq);

/*
 * Write one chain in the next free slots under a free buffer ID, without
 * making the first chain since the last publish available (its head's
 * flags wait for vb_pvq_publish).  Returns the buffer ID, or -ENOSPC /
 * -EINVAL as vb_vq_add.
 */
int vb_pvq_add(struct vb_pvq *vq, const struct vb_sg *sg, unsigned n, void *cookie);

/* Make what vb_pvq_add wrote available: barrier, then the held head flags. */
void vb_pvq_publish(struct vb_pvq *vq);

/*
 * Take the used descriptor at the device's next slot.  Returns 1 with
 * @cookie/@len, 0 when that slot is not used yet, or -EPROTO with @err
 * when the device broke the rules (a used descriptor with nothing in
 * flight, a buffer ID not in flight, a len beyond its writable bytes).
 */
int vb_pvq_get_used(struct vb_pvq *vq, void **cookie, uint32_t *len, char *err, size_t errlen);

/* ---- the virtqueue the request engine drives, whichever its layout ---- */

struct vb_ring_ops {
	const char *layout; /* "split" or "packed": blk's JSON "layout" */
	int (*add)(void *vq, const struct vb_sg *sg, unsigned n, void *cookie);
	void (*publish)(void *vq);
	int (*get_used)(void *vq, void **cookie, uint32_t *len, char *err, size_t errlen);
	void (*free)(void *vq);
};

extern const struct vb_ring_ops vb_split_ring;  /* struct vb_vq (vring.c) */
extern const struct vb_ring_ops vb_packed_ring; /* struct vb_pvq (vring_packed.c) */

/* ---- DMA memory ---- */

/* PFN of a pagemap entry: 0 and @pfn, -ENOENT when not present, -EPERM
 * when the PFN reads 0 (no CAP_SYS_ADMIN). */
int vb_pagemap_pfn(uint64_t entry, uint64_t *pfn);

/* Physical addresses of @npages pages from @va on through @path
 * (/proc/self/pagemap); 0 or -errno with @err. */
int vb_pagemap_read(const char *path, const void *va, size_t npages, size_t pagesize,
		    uint64_t *pa, char *err, size_t errlen);

struct vb_dma {
	uint8_t *va;          /* the mapping */
	size_t len;           /* bytes */
	size_t page;          /* granule of @pa (4 KiB pages; huge pages are contiguous) */
	int huge;             /* one 2 MiB huge page */
	uint64_t *pa;         /* physical address of each granule */
	size_t next;          /* bump allocator: first free byte */
	const char *pagemap;  /* /proc/self/pagemap (a test may point elsewhere) */
	char err[256];        /* last failure */
};

/* Memory for @len bytes: a 2 MiB huge page when one is free and @len
 * fits, else locked normal pages.  0 or -errno with m->err. */
int vb_dma_open(struct vb_dma *m, size_t len);
void vb_dma_close(struct vb_dma *m);
/* Fill m->pa from the pagemap (done by vb_dma_open). */
int vb_dma_map_pages(struct vb_dma *m);

/* @len bytes aligned to @align; @contig: physically contiguous (skips
 * ahead to a run that is).  NULL with m->err when there is no room. */
void *vb_dma_alloc(struct vb_dma *m, size_t len, size_t align, int contig);
uint64_t vb_dma_pa(const struct vb_dma *m, const void *p);
/*
 * @npages free pages with consecutive physical addresses, in any virtual
 * order (normal pages often come in descending physical order): fills
 * @pages[i] with the page at physical start + i * 4096, and moves the
 * allocator past the highest of them.  0 or -ENOMEM with m->err.
 */
int vb_dma_phys_run(struct vb_dma *m, size_t npages, uint8_t **pages);
/* Split [p, p+len) into physically contiguous pieces; returns how many
 * (at most @max), or -ENOSPC. */
int vb_dma_sg(const struct vb_dma *m, const void *p, size_t len, int write, struct vb_sg *sg,
	      unsigned max);
/* Re-read the pagemap: 0 when every page is where it was. */
int vb_dma_verify(struct vb_dma *m);

/* ---- requests and results ---- */

/* The request type the spec has no name for (--negative). */
#define VB_T_UNKNOWN 0xffu

/* The spec's name (vq_blk_status_name: "OK", "IOERR", "UNSUPP", "ZONE_..."),
 * "none(0xff)" (never written), else "0xNN" in @buf. */
const char *vb_status_name(uint8_t status, char *buf, size_t len);
const char *vb_type_name(uint32_t type);

/* Parse "LBA+N" (N 512-byte sectors, N > 0, no overflow; decimal, or hex
 * with 0x, never octal).  0 or -EINVAL. */
int vb_parse_range(const char *s, uint64_t *lba, uint64_t *n);
/* 0 when [lba, lba+n) fits @capacity sectors, else -ERANGE. */
int vb_range_check(uint64_t lba, uint64_t n, uint64_t capacity);

/*
 * Check one completion: @status the byte the device left, @len the used
 * length, @data_in bytes of device-writable data (IN, GET_ID), @writable
 * all writable bytes, @expect the status the spec requires.  0 when right,
 * else -EPROTO with @why.
 */
int vb_check_completion(uint32_t type, uint8_t status, uint32_t len, uint32_t data_in,
			uint32_t writable, uint8_t expect, char *why, size_t whylen);

/* Nearest-rank percentile @p (0..100) of @n sorted values. */
uint64_t vb_percentile(const uint64_t *sorted, size_t n, unsigned p);

#endif
