/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where Linux put a live queue's rings, from its own records: BTF type layouts, kernel memory through /proc/kcore. */
#ifndef VQDUMP_ACCESS_KVQ_H
#define VQDUMP_ACCESS_KVQ_H

#include <stddef.h>
#include <stdint.h>

#include "../decode/fetch.h"
#include "../decode/ring.h"
#include "../decode/scan.h"
#include "access.h"

/*
 * Some transports cannot say where a queue's rings are: virtio-mmio
 * version 2's QueueDesc/Driver/Device registers are write-only (virtio
 * 1.3, 4.2.2) and QEMU reads them as 0.  Linux knows: every split queue it
 * drives is a struct vring_virtqueue (drivers/virtio/virtio_ring.c) whose
 * split.queue_dma_addr is the descriptor table's bus address and whose
 * split.vring holds the three parts' kernel virtual addresses.  This file
 * finds those objects in kernel memory and reads them, with the member
 * offsets taken from the running kernel's BTF (never hard-coded).  It only
 * reads.
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

/* ---- BTF (Documentation/bpf/btf.rst) --------------------------------- */

/* Kinds used here (BTF_KIND_* of linux/btf.h). */
#define VQ_BTF_KIND_INT 1
#define VQ_BTF_KIND_PTR 2
#define VQ_BTF_KIND_ARRAY 3
#define VQ_BTF_KIND_STRUCT 4
#define VQ_BTF_KIND_UNION 5
#define VQ_BTF_KIND_ENUM 6
#define VQ_BTF_KIND_FWD 7
#define VQ_BTF_KIND_TYPEDEF 8
#define VQ_BTF_KIND_VOLATILE 9
#define VQ_BTF_KIND_CONST 10
#define VQ_BTF_KIND_RESTRICT 11
#define VQ_BTF_KIND_FUNC 12
#define VQ_BTF_KIND_FUNC_PROTO 13
#define VQ_BTF_KIND_VAR 14
#define VQ_BTF_KIND_DATASEC 15
#define VQ_BTF_KIND_FLOAT 16
#define VQ_BTF_KIND_DECL_TAG 17
#define VQ_BTF_KIND_TYPE_TAG 18
#define VQ_BTF_KIND_ENUM64 19
#define VQ_BTF_KIND_MAX 19

#define VQ_BTF_MAGIC 0xeb9f

/*
 * One parsed BTF blob: vmlinux's, or a module's "split" BTF whose type IDs
 * and string offsets continue those of @base (/sys/kernel/btf/virtio_ring
 * on top of /sys/kernel/btf/vmlinux).  Only the host's byte order is
 * accepted: the BTF read is the running kernel's.
 */
struct vq_btf {
	uint8_t *data;              /* owned copy of the whole blob */
	size_t len;                 /* bytes of @data */
	const uint8_t *types;       /* type section */
	const char *strs;           /* string section */
	uint32_t str_len;           /* bytes of @strs */
	uint32_t str_first;         /* string offset of strs[0]: base's total, 0 for a base */
	uint32_t *offs;             /* offset in @types of each of this blob's types */
	uint32_t first_id;          /* type ID of offs[0] (1, or after the base's last) */
	uint32_t ntypes;            /* entries in @offs */
	const struct vq_btf *base;  /* types and strings below ours, or NULL */
	unsigned ptr_size;          /* bytes of a pointer in the described kernel */
};

/* A member found by path: where and what it is. */
struct vq_btf_field {
	uint64_t offset;  /* bytes from the start of the outer type */
	uint64_t size;    /* bytes of the member's (resolved) type */
	uint32_t type_id; /* its type, typedefs and qualifiers peeled */
	unsigned kind;    /* VQ_BTF_KIND_* of @type_id */
};

/*
 * Parse @len bytes at @data (copied) as BTF, split on top of @base when
 * @base is not NULL.  Every section offset and record is checked against
 * the blob; a pointer is @ptr_size bytes.  Returns 0, or a negative errno
 * with @err saying what is wrong.
 */
int vq_btf_parse(struct vq_btf *b, const void *data, size_t len, const struct vq_btf *base,
		 unsigned ptr_size, char *err, size_t errlen);
void vq_btf_free(struct vq_btf *b);

/* Type ID of the struct/union/... named @name (this blob, then its base);
 * -ENOENT when there is none. */
long vq_btf_find(const struct vq_btf *b, unsigned kind, const char *name);

/*
 * The member @path ("split.vring.desc") of the struct or union @type_id:
 * members of anonymous structs and unions are found as if they were the
 * outer type's own (C's rule).  Bit-fields are refused.  Returns 0, or
 * -ENOENT / -EINVAL with @err naming the member.
 */
int vq_btf_member(const struct vq_btf *b, uint32_t type_id, const char *path,
		  struct vq_btf_field *out, char *err, size_t errlen);

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
};

/* Fill @l from @b (vmlinux, with virtio_ring's split BTF on top when the
 * module has it).  Returns 0, or -ENOENT/-EINVAL with @err naming what
 * this kernel lacks. */
int vq_kvq_layout_from_btf(const struct vq_btf *b, struct vq_kvq_layout *l, char *err,
			   size_t errlen);

/* One split queue Linux drives, as its vring_virtqueue says. */
struct vq_kvq_queue {
	uint32_t virtio_index;  /* N of /sys/bus/virtio/devices/virtioN */
	uint32_t device_id;     /* virtio device ID the kernel holds */
	uint32_t queue;         /* queue number (virtqueue.index) */
	struct vq_ring_layout layout; /* physical addresses, vring.num; align = vring_align */
	uint64_t obj_paddr;     /* physical address of the vring_virtqueue */
	uint64_t vdev_vaddr;    /* its struct virtio_device */
};

/*
 * Search @regions (physical memory read through @f, in chunks) for the
 * vring_virtqueue objects of live split queues, with @map translating
 * kernel virtual addresses.  A candidate is kept only when everything read
 * holds: not packed; vring.num a power of two up to 32768; desc, avail and
 * used one physically contiguous ring inside queue_size_in_bytes, desc's
 * physical address equal to queue_dma_addr; vdev a mapped virtio_device;
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

/* Check one candidate at @obj_paddr again (for a cached result): 0 and
 * @q filled when it still holds, else -ESTALE. */
int vq_kvq_check(const struct vq_fetch *f, const struct vq_kmap *map, size_t nmap,
		 const struct vq_kvq_layout *l, uint64_t obj_paddr, struct vq_kvq_queue *q);

/* ---- The live lookup -------------------------------------------------- */

#define VQ_KVQ_BTF_PATH "/sys/kernel/btf/vmlinux"
#define VQ_KCORE_PATH "/proc/kcore"

struct vq_kvq;

/*
 * Open the kernel's records: BTF at @btf_path (default VQ_KVQ_BTF_PATH)
 * with "virtio_ring" beside it when that module's types are not in
 * vmlinux, and @kcore_path's program headers (default VQ_KCORE_PATH) for
 * the virtual-to-physical table.  Memory is read through @mem (any
 * physical-memory accessor of the same system; the caller keeps it open
 * while *@out lives).  Nothing is searched yet.  Returns 0 or -errno with
 * @err set.
 */
int vq_kvq_open(struct vq_kvq **out, struct vq_mem *mem, const char *kcore_path,
		const char *btf_path, char *err, size_t errlen);
void vq_kvq_close(struct vq_kvq *k);

/*
 * Where Linux put queue @queue of virtioN (@virtio_index).  The first call
 * for a device searches RAM until one of its queues turns up and takes the
 * others from the device's list of queues; every other device met on the
 * way is learnt from its list as well (a device Linux has no queue for
 * costs one whole pass, which teaches every device's queues).
 * Later calls check the remembered object again and search anew only when
 * it no longer holds.  A queue missing from a device already learnt is
 * reported missing without a new search (until vq_kvq_forget).  Returns 0 with @out
 * filled; -ENOENT when Linux has no such queue (no driver, queue not set
 * up, or a packed ring); -ENOTUNIQ when two live objects claim it; another
 * -errno when memory or BTF cannot be read.  @err says which.
 */
int vq_kvq_find(struct vq_kvq *k, unsigned virtio_index, unsigned queue,
		struct vq_kvq_queue *out, char *err, size_t errlen);
/* Make the next vq_kvq_find search again (e.g. at each shell command). */
void vq_kvq_forget(struct vq_kvq *k);

/*
 * The same in one call, with one context kept between calls and made anew
 * when @mem or a path changes: what the CLI uses.  @out gets the ring's
 * physical addresses and size.
 */
int vq_kvq_lookup(struct vq_mem *mem, const char *kcore_path, const char *btf_path,
		  unsigned virtio_index, unsigned queue, struct vq_ring_layout *out, char *err,
		  size_t errlen);
/* vq_kvq_forget on the context vq_kvq_lookup keeps (its BTF stays). */
void vq_kvq_lookup_forget(void);
/* Drop the context vq_kvq_lookup keeps. */
void vq_kvq_lookup_release(void);

#endif
