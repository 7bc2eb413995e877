/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where Linux put a live queue's rings, from its own records: /sys/kernel/btf, /proc/kcore's segments, kernel memory. */
#ifndef VQDUMP_ACCESS_KVQ_H
#define VQDUMP_ACCESS_KVQ_H

#include <stddef.h>
#include <stdint.h>

#include "../decode/btf.h"
#include "../decode/kvdev.h"
#include "../decode/kvqsearch.h"
#include "../decode/ring.h"
#include "access.h"

/*
 * The live half of decode/kvqsearch.h (which says how the search works):
 * this file reads the running kernel's BTF, takes the kernel's virtual
 * addresses of RAM from /proc/kcore's segments as the memory source read
 * them (struct vq_seg.vaddr), searches the memory of an open struct
 * vq_mem, and remembers what it found in a struct vq_kvq the caller holds.
 * It only reads.
 */

/* ---- The live lookup -------------------------------------------------- */

#define VQ_KVQ_BTF_PATH "/sys/kernel/btf/vmlinux"
#define VQ_KCORE_PATH "/proc/kcore"

struct vq_kvq;

/*
 * Open the kernel's records: BTF at @btf_path (default VQ_KVQ_BTF_PATH)
 * with "virtio_ring" beside it when that module's types are not in
 * vmlinux (the kernel's pointer size is its list_head's half).  Memory is
 * read through @mem (any physical-memory accessor of the same system; the
 * caller keeps it open while *@out lives).  The virtual-to-physical table
 * is @mem's segments' vaddr when it has them (/proc/kcore, alone or under
 * an overlay's top); for a source without them (/dev/mem), the segments
 * of the ELF core @kcore_path (default VQ_KCORE_PATH), opened with
 * vq_mem_elf and closed again.  Nothing is searched yet.  Returns 0 or
 * -errno with @err set.
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
 * The same in one call, through the context *@cache the caller holds
 * (NULL at first; vq_kvq_forget(*@cache) makes the next call search
 * again, its BTF staying): opened on first use, and made anew when @mem or
 * a path differs from what it was opened with.  What the session uses.
 */
int vq_kvq_lookup(struct vq_kvq **cache, struct vq_mem *mem, const char *kcore_path,
		  const char *btf_path, unsigned virtio_index, unsigned queue,
		  struct vq_kvq_queue *out, char *err, size_t errlen);
/*
 * Every split queue Linux has for virtioN @virtio_index, through *@cache
 * as vq_kvq_lookup: how many (at most @max into @out, by queue number; 0
 * when it has none), or -errno with @err (-EAGAIN when they changed while
 * being read).  For a device whose registers cannot be read at all.
 */
long vq_kvq_lookup_device(struct vq_kvq **cache, struct vq_mem *mem, const char *kcore_path,
			  const char *btf_path, unsigned virtio_index, struct vq_kvq_queue *out,
			  size_t max, char *err, size_t errlen);
/* The driver's name for queue @q ("requestq") into @out: 0, or -errno
 * when it is not in the kernel's linear map or not a plain name. */
int vq_kvq_read_name(struct vq_kvq *k, const struct vq_kvq_queue *q, char *out, size_t len);
/* Close the context *@cache (before its vq_mem is closed) and set it to NULL. */
void vq_kvq_lookup_release(struct vq_kvq **cache);

/* ---- A dump's kernel -------------------------------------------------- */

/*
 * Open the records of the kernel whose memory @mem holds (a dump, through
 * any memory source): its BTF found in that memory (decode/kimage.h:
 * vmlinux's, and virtio_ring's split BTF when the module has the types),
 * and the direct map's offset from, in this order, the source's own
 * program headers (p_vaddr), VMCOREINFO's init_top_pgt and the page
 * tables, QEMU's CPU note (CR3) and the page tables, or a vote among
 * candidate vring_virtqueue objects.  @how gets one line saying where
 * each came from.  Returns 0, -ENOENT with @err saying what is missing,
 * or another -errno.
 */
int vq_kvq_open_image(struct vq_kvq **out, struct vq_mem *mem, char *how, size_t howlen,
		      char *err, size_t errlen);
/* Every split or packed queue the kernel has, each checked through its
 * device's list, sorted by (virtioN, queue) into a new array *@out (free()
 * it): how many, or -errno with @err. */
long vq_kvq_all(struct vq_kvq *k, struct vq_kvq_queue **out, char *err, size_t errlen);
/* The virtio devices with no queue (decode/kvdev.h, vq_kvdev_scan_idle):
 * their kernel virtual addresses, at most @max into @out; how many, 0
 * when the direct map is not known as one offset, or -errno. */
long vq_kvq_idle_devices(struct vq_kvq *k, uint64_t *out, size_t max);
/* The per-Buffer-ID records of the packed queue @q
 * (vq_kvq_packed_records) in one new allocation *@out (free() it): 0, or
 * -errno (-ENOENT: not a packed queue, or this kernel's BTF lacks them). */
int vq_kvq_packed_drvrec(struct vq_kvq *k, const struct vq_kvq_queue *q,
			 struct vq_packed_drvrec **out);
/* The virtio_device at kernel virtual @vdev (decode/kvdev.h): 0, or
 * -ENOENT when this kernel's BTF does not describe it, -EFAULT. */
int vq_kvq_read_device(struct vq_kvq *k, uint64_t vdev, struct vq_kvdev *d);

#endif
