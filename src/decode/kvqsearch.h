/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Linux's virtqueue records (split and packed) in kernel memory: their layout from BTF, and the search for them through a vq_fetch. */
#ifndef VQDUMP_DECODE_KVQSEARCH_H
#define VQDUMP_DECODE_KVQSEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "../model/device.h"
#include "btf.h"
#include "packed.h"
#include "fetch.h"
#include "ring.h"
#include "scan.h"

/*
 * Some transports cannot say where a queue's rings are: virtio-mmio
 * version 2's QueueDesc/Driver/Device registers are write-only (virtio
 * 1.3, 4.2.2) and QEMU reads them as 0.  Linux knows: every split queue it
 * drives is a struct vring_virtqueue (drivers/virtio/virtio_ring.c) whose
 * split.queue_dma_addr is the descriptor table's bus address and whose
 * split.vring holds the three parts' kernel virtual addresses.  This file
 * finds those objects in kernel memory and reads them, with the member
 * offsets taken from the running kernel's BTF (never hard-coded).  It only
 * reads, and only through a struct vq_fetch (its one allocation is the
 * buffer it reads into); opening the kernel's records and keeping what was
 * found between calls is access/kvq.h's part.  A packed queue's object (packed_ring
 * true) holds packed.ring_dma_addr and packed.vring.desc instead, and the
 * DMA and direct-map addresses of its two event suppression areas.
 *
 * The search: every vring_virtqueue of a split queue holds, at two offsets
 * BTF gives, the descriptor table's physical address P (queue_dma_addr)
 * and its direct-map address (split.vring.desc), and those differ by the
 * direct map's offset, which /proc/kcore's program headers give (p_vaddr -
 * p_paddr of its RAM segments).  A pass over RAM finds the places that
 * hold such a pair; each is then checked as a whole (see vq_kvq_scan) and
 * kept only when it is linked into its virtio_device's list of queues.
 * The pass stops at the first queue of the device asked about: its other
 * queues are on that device's list.
 */

/* ---- Kernel virtual to physical -------------------------------------- */

/* One linear mapping: /proc/kcore PT_LOAD with a physical address. */
struct vq_kmap {
	uint64_t vaddr; /* first kernel virtual address */
	uint64_t paddr; /* physical address of @vaddr */
	uint64_t len;   /* bytes */
};

/* Physical address of [@vaddr, @vaddr + @len) when one mapping of @map
 * (sorted by vaddr) holds all of it: 0, else -EFAULT. */
int vq_kmap_v2p(const struct vq_kmap *map, size_t n, uint64_t vaddr, uint64_t len,
		uint64_t *paddr);

/* ---- The search ------------------------------------------------------- */

/* Byte offsets and sizes from BTF: what the search reads. */
struct vq_kvq_layout {
	uint64_t obj_size;       /* sizeof(struct vring_virtqueue) */
	struct vq_btf_field packed_ring; /* vring_virtqueue.packed_ring (bool) */
	struct vq_btf_field vq_list;     /* vring_virtqueue.vq.list */
	struct vq_btf_field vq_vdev;     /* vring_virtqueue.vq.vdev */
	struct vq_btf_field vq_index;    /* vring_virtqueue.vq.index */
	struct vq_btf_field num;         /* vring_virtqueue.split.vring.num */
	struct vq_btf_field desc;        /* ... split.vring.desc (direct-map pointer) */
	struct vq_btf_field avail;       /* ... split.vring.avail */
	struct vq_btf_field used;        /* ... split.vring.used */
	struct vq_btf_field dma;         /* ... split.queue_dma_addr */
	struct vq_btf_field bytes;       /* ... split.queue_size_in_bytes */
	struct vq_btf_field align;       /* ... split.vring_align */
	struct vq_btf_field list_next;   /* list_head.next */
	struct vq_btf_field list_prev;   /* list_head.prev */
	struct vq_btf_field dev_index;   /* virtio_device.index (the N of virtioN) */
	struct vq_btf_field dev_id;      /* virtio_device.id.device */
	struct vq_btf_field dev_vqs;     /* virtio_device.vqs (list_head) */
	uint64_t dev_size;               /* sizeof(struct virtio_device) */
	/* The driver's own state, each optional (size 0: this kernel has
	 * no such member, and the state is not given). */
	struct vq_btf_field last_used;   /* vring_virtqueue.last_used_idx */
	struct vq_btf_field num_free;    /* ... vq.num_free */
	struct vq_btf_field broken;      /* ... broken */
	struct vq_btf_field event;       /* ... event (event indices in use) */
	struct vq_btf_field flags_shadow; /* ... split.avail_flags_shadow */
	struct vq_btf_field idx_shadow;  /* ... split.avail_idx_shadow */
	struct vq_btf_field vq_name;     /* ... vq.name (const char *) */
	/* A packed queue (packed_ring true): its three parts are separate
	 * allocations, each with its direct-map pointer and its DMA address.
	 * All sizes 0 when this kernel has no packed rings. */
	struct vq_btf_field p_num;       /* ... packed.vring.num */
	struct vq_btf_field p_desc;      /* ... packed.vring.desc */
	struct vq_btf_field p_driver;    /* ... packed.vring.driver */
	struct vq_btf_field p_device;    /* ... packed.vring.device */
	struct vq_btf_field p_dma;       /* ... packed.ring_dma_addr */
	struct vq_btf_field p_driver_dma; /* ... packed.driver_event_dma_addr */
	struct vq_btf_field p_device_dma; /* ... packed.device_event_dma_addr */
	/* A packed queue's driver state, each optional as above. */
	struct vq_btf_field p_next_avail; /* ... packed.next_avail_idx */
	struct vq_btf_field p_avail_wrap; /* ... packed.avail_wrap_counter */
	struct vq_btf_field p_event_flags; /* ... packed.event_flags_shadow */
	struct vq_btf_field p_used_wrap;  /* ... packed.used_wrap_counter (before 5.19;
					   * later in last_used_idx's bit 15) */
	/* A packed queue's per-ID records (vq_kvq_packed_records), all
	 * present or all sizes 0; use_dma_api and indirect may be missing. */
	struct vq_btf_field use_dma_api;  /* vring_virtqueue.use_dma_api (bool) */
	struct vq_btf_field do_unmap;     /* ... do_unmap (bool; Linux 6.6 until
					   * vring_need_unmap_buffer() replaced it) */
	struct vq_btf_field use_map_api;  /* ... use_map_api (bool; use_dma_api
					   * renamed, Linux 6.18 on) */
	struct vq_btf_field indirect;     /* vring_virtqueue.indirect (bool): when
					   * false, desc_state's indir_desc holds the
					   * driver's ctx, no table */
	struct vq_btf_field p_desc_state; /* ... packed.desc_state (pointer) */
	struct vq_btf_field p_desc_extra; /* ... packed.desc_extra (pointer) */
	uint64_t ds_size;                 /* sizeof(struct vring_desc_state_packed) */
	struct vq_btf_field ds_data;      /* its data (pointer: NULL when the ID is free) */
	struct vq_btf_field ds_indir;     /* its indir_desc (pointer) */
	struct vq_btf_field ds_num;       /* its num (u16) */
	uint64_t de_size;                 /* sizeof(struct vring_desc_extra) */
	struct vq_btf_field de_addr;      /* its addr (dma_addr_t) */
	struct vq_btf_field de_len;       /* its len (u32) */
	struct vq_btf_field de_flags;     /* its flags (u16) */
	struct vq_btf_field de_next;      /* its next (u16) */
};

/* Fill @l's per-ID record members from @b (decode/kvqrec.c; called by
 * vq_kvq_layout_from_btf once obj_size is known). */
void vq_kvq_record_fields(const struct vq_btf *b, struct vq_kvq_layout *l);



/* Fill @l from @b (vmlinux, with virtio_ring's split BTF on top when the
 * module has it).  Returns 0, or -ENOENT/-EINVAL with @err naming what
 * this kernel lacks. */
int vq_kvq_layout_from_btf(const struct vq_btf *b, struct vq_kvq_layout *l, char *err,
			   size_t errlen);

/* Entries of a device's vqs list walked before giving up: also the most
 * queues vq_kvq_device_queues can find. */
#define VQ_KVQ_MAX_LIST (VQ_QUEUES_MAX + 1u)

/* One queue Linux drives, as its vring_virtqueue says. */
struct vq_kvq_queue {
	uint32_t virtio_index;  /* N of /sys/bus/virtio/devices/virtioN */
	uint32_t device_id;     /* virtio device ID the kernel holds */
	uint32_t queue;         /* queue number (virtqueue.index) */
	uint8_t packed;         /* a packed ring: layout's avail and used are its
				 * driver and device event areas, align 0 */
	struct vq_ring_layout layout; /* physical addresses, vring.num; align = vring_align */
	uint64_t obj_paddr;     /* physical address of the vring_virtqueue */
	uint64_t vdev_vaddr;    /* its struct virtio_device */
	/* The driver's state (valid when the kernel's BTF has every member).
	 * A packed queue's positions carry their wrap counter in bit 15, as
	 * Linux (5.19 on) keeps last_used_idx: slot | wrap << 15. */
	struct {
		uint8_t valid;
		uint16_t last_used_idx;  /* last_used_idx (packed: with the used wrap counter) */
		uint16_t num_free;       /* vq.num_free */
		uint16_t avail_idx;      /* split.avail_idx_shadow; packed: packed.next_avail_idx
					  * | packed.avail_wrap_counter << 15 */
		uint16_t avail_flags;    /* split.avail_flags_shadow; packed: VRING_AVAIL_F_NO_INTERRUPT
					  * when packed.event_flags_shadow says disable */
		uint8_t broken;          /* broken */
		uint8_t event;           /* event */
	} drv;
	uint64_t name_vaddr;    /* vq.name, 0 when not known; the caller reads the string */
};

/*
 * Search @regions (physical memory read through @f, in chunks) for the
 * vring_virtqueue objects of live split queues, with @map translating
 * kernel virtual addresses.  A candidate is kept only when everything read
 * holds: for a split queue, vring.num a power of two up to 32768; desc,
 * avail and used one physically contiguous ring inside
 * queue_size_in_bytes, desc's physical address equal to queue_dma_addr;
 * for a packed one (when BTF describes it), vring.num from 1 to 32768, the
 * descriptor ring and both event areas each in one linear mapping at
 * their DMA addresses; vdev a mapped virtio_device;
 * the queue's list entry linked both ways and found by walking the
 * device's vqs list.  With @stop_index >= 0 the search ends at the first
 * queue of virtioN @stop_index, which is then the last entry written (in
 * out[max - 1] if the array was full).  Returns the number of queues found
 * (at most @max in @out, in address order), or a negative errno when
 * memory could not be read at all.
 */
long vq_kvq_scan(const struct vq_fetch *f, const struct vq_scan_region *regions, size_t nregions,
		 const struct vq_kmap *map, size_t nmap, const struct vq_kvq_layout *l,
		 long stop_index, struct vq_kvq_queue *out, size_t max);

/* Every queue on the vqs list of the virtio_device at @vdev_vaddr, each
 * checked as vq_kvq_scan does: how many (at most @max in @out), or
 * -EFAULT / -ELOOP when the list cannot be followed to its end. */
long vq_kvq_device_queues(const struct vq_fetch *f, const struct vq_kmap *map, size_t nmap,
			  const struct vq_kvq_layout *l, uint64_t vdev_vaddr,
			  struct vq_kvq_queue *out, size_t max);

/*
 * Without the kernel's map of RAM (a dump without program headers that
 * say it): the direct map's offset by a vote.  Every place in @regions
 * that has the shape of a split queue's object (vring.num a power of two,
 * the avail and used pointers where vring_init puts them after desc) and
 * where the pair vq_kvq_scan looks for (a DMA address on 16 bytes and a
 * pointer) differs by a multiple of @align inside [@lo, @hi) is a vote
 * for that difference.  The differences with the most votes, most first,
 * into @out (at most @max, with their votes in @votes): how many, or a
 * negative errno when memory could not be read at all.  Only a guess:
 * the caller keeps the first under which vq_kvq_scan finds queues.
 */
long vq_kvq_vote_offset(const struct vq_fetch *f, const struct vq_scan_region *regions,
			size_t nregions, const struct vq_kvq_layout *l, uint64_t lo, uint64_t hi,
			uint64_t align, uint64_t *out, uint64_t *votes, size_t max);

/* Check one candidate at @obj_paddr again (for a cached result): 0 and
 * @q filled when it still holds, else -ESTALE. */
int vq_kvq_check(const struct vq_fetch *f, const struct vq_kmap *map, size_t nmap,
		 const struct vq_kvq_layout *l, uint64_t obj_paddr, struct vq_kvq_queue *q);

/*
 * The per-ID records of the packed queue @q (Linux's
 * vring_virtqueue.packed.desc_state[] and desc_extra[], virtio_ring.c),
 * read through @f with @map translating kernel virtual addresses:
 * @ids gets q->layout.size entries; each in-flight ID's descriptors, as
 * the driver copied them into desc_extra (desc_extra[id] then its .next
 * links, desc_state[id].num of them), go to @descs (at most @max, the
 * count in *@ndescs), only when this kernel's fields say the driver
 * wrote that copy (decode/kvqrec.c: use_dma_api, do_unmap or use_map_api
 * by version; else ndesc 0), and not for an ID with a premapped buffer
 * (its address not kept).  An indirect table's kernel address
 * (indir_desc, a table only when the queue uses indirect descriptors:
 * vring_virtqueue.indirect) is translated to physical.  Returns 0, -ENOENT when this
 * kernel's BTF lacks the records, -EFAULT when they cannot be read,
 * -ENOMEM.
 */
int vq_kvq_packed_records(const struct vq_fetch *f, const struct vq_kmap *map, size_t nmap,
			  const struct vq_kvq_layout *l, const struct vq_kvq_queue *q,
			  struct vq_packed_drv_id *ids, struct vq_packed_drv_desc *descs,
			  uint32_t max, uint32_t *ndescs);

#endif
