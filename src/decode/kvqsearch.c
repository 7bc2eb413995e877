/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The vring_virtqueue search: its layout from BTF, kernel virtual to physical, and the checks, all through a vq_fetch. */
#include <errno.h>
#include <linux/virtio_ring.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "le.h"
#include "kvqsearch.h"
#include "zblocks.h"

/* RAM is searched in chunks of this many bytes. */
#define KVQ_CHUNK (4u << 20)
/* Largest struct read whole (vring_virtqueue is ~200 bytes, virtio_device ~800). */
#define KVQ_MAX_OBJ 65536u
/* Distinct virtual-minus-physical offsets tried (direct map, kernel text). */
#define KVQ_MAX_DELTAS 8u

/* ---- What the search reads -------------------------------------------- */

/* One member of @sname into @f, checked: @kind (0: any scalar) and a size
 * from 1 to 8 bytes unless @any_size. */
static int field(const struct vq_btf *b, const char *sname, const char *path,
		 struct vq_btf_field *f, unsigned kind, int any_size, char *err, size_t errlen)
{
	char why[200];
	long id = vq_btf_find(b, VQ_BTF_KIND_STRUCT, sname);

	if (id < 0) {
		vq_errbuf(err, errlen, 0, "struct %s not in the kernel's BTF", sname);
		return -ENOENT;
	}
	if (vq_btf_member(b, (uint32_t)id, path, f, why, sizeof(why))) {
		vq_errbuf(err, errlen, 0, "struct %s: %s", sname, why);
		return -ENOENT;
	}
	if ((kind && f->kind != kind) ||
	    (!any_size && (f->size < 1 || f->size > 8 || (f->size & (f->size - 1))))) {
		vq_errbuf(err, errlen, 0, "struct %s member %s: unexpected type (BTF kind %u, %llu bytes)",
			  sname, path, f->kind, (unsigned long long)f->size);
		return -EINVAL;
	}
	return 0;
}

static uint64_t struct_size(const struct vq_btf *b, const char *sname)
{
	long id = vq_btf_find(b, VQ_BTF_KIND_STRUCT, sname);

	return id < 0 ? 0 : vq_btf_size(b, (uint32_t)id);
}

/*
 * The driver's state: optional members, each dropped (size 0) when this
 * kernel lacks it or it lies past the object's end; without all of the
 * numeric ones no state is given.
 */
static void driver_fields(const struct vq_btf *b, struct vq_kvq_layout *l)
{
	static const char vvq[] = "vring_virtqueue";
	struct {
		const char *path;
		struct vq_btf_field *f;
		unsigned kind;
	} opt[] = {
		{ "last_used_idx", &l->last_used, VQ_BTF_KIND_INT },
		{ "vq.num_free", &l->num_free, VQ_BTF_KIND_INT },
		{ "broken", &l->broken, VQ_BTF_KIND_INT },
		{ "event", &l->event, VQ_BTF_KIND_INT },
		{ "split.avail_flags_shadow", &l->flags_shadow, VQ_BTF_KIND_INT },
		{ "split.avail_idx_shadow", &l->idx_shadow, VQ_BTF_KIND_INT },
		{ "vq.name", &l->vq_name, VQ_BTF_KIND_PTR },
	};
	char why[200];
	size_t i;

	for (i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
		if (field(b, vvq, opt[i].path, opt[i].f, opt[i].kind, 0, why, sizeof(why)) ||
		    opt[i].f->offset + opt[i].f->size > l->obj_size)
			memset(opt[i].f, 0, sizeof(*opt[i].f));
}

/* A packed queue's driver state: optional members as driver_fields(). */
static void packed_driver_fields(const struct vq_btf *b, struct vq_kvq_layout *l)
{
	static const char vvq[] = "vring_virtqueue";
	struct {
		const char *path;
		struct vq_btf_field *f;
	} opt[] = {
		{ "packed.next_avail_idx", &l->p_next_avail },
		{ "packed.avail_wrap_counter", &l->p_avail_wrap },
		{ "packed.event_flags_shadow", &l->p_event_flags },
		{ "packed.used_wrap_counter", &l->p_used_wrap },
	};
	char why[200];
	size_t i;

	for (i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
		if (field(b, vvq, opt[i].path, opt[i].f, VQ_BTF_KIND_INT, 0, why, sizeof(why)) ||
		    opt[i].f->offset + opt[i].f->size > l->obj_size)
			memset(opt[i].f, 0, sizeof(*opt[i].f));
}

/*
 * A packed queue's members (Linux 5.0 on): all of them, pointers and DMA
 * addresses 8 bytes, inside the object, or none (sizes 0: packed queues
 * are then not searched for).
 */
static void packed_fields(const struct vq_btf *b, struct vq_kvq_layout *l)
{
	static const char vvq[] = "vring_virtqueue";
	struct {
		const char *path;
		struct vq_btf_field *f;
		unsigned kind;
	} m[] = {
		{ "packed.vring.num", &l->p_num, VQ_BTF_KIND_INT },
		{ "packed.vring.desc", &l->p_desc, VQ_BTF_KIND_PTR },
		{ "packed.vring.driver", &l->p_driver, VQ_BTF_KIND_PTR },
		{ "packed.vring.device", &l->p_device, VQ_BTF_KIND_PTR },
		{ "packed.ring_dma_addr", &l->p_dma, VQ_BTF_KIND_INT },
		{ "packed.driver_event_dma_addr", &l->p_driver_dma, VQ_BTF_KIND_INT },
		{ "packed.device_event_dma_addr", &l->p_device_dma, VQ_BTF_KIND_INT },
	};
	char why[200];
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (field(b, vvq, m[i].path, m[i].f, m[i].kind, 0, why, sizeof(why)) ||
		    m[i].f->offset + m[i].f->size > l->obj_size ||
		    (m[i].f != &l->p_num && m[i].f->size != 8))
			break;
	if (i < sizeof(m) / sizeof(m[0]))
		for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
			memset(m[i].f, 0, sizeof(*m[i].f));
	packed_driver_fields(b, l);
	vq_kvq_record_fields(b, l);
}

int vq_kvq_layout_from_btf(const struct vq_btf *b, struct vq_kvq_layout *l, char *err,
			   size_t errlen)
{
	static const char vvq[] = "vring_virtqueue";
	struct vq_btf_field list;
	int ret;

	memset(l, 0, sizeof(*l));
	l->obj_size = struct_size(b, vvq);
	l->dev_size = struct_size(b, "virtio_device");
	if (!l->obj_size) {
		vq_errbuf(err, errlen, 0,
			  "struct vring_virtqueue not in the kernel's BTF (is virtio_ring loaded, with its BTF?)");
		return -ENOENT;
	}
	if (!l->dev_size) {
		vq_errbuf(err, errlen, 0, "struct virtio_device not in the kernel's BTF");
		return -ENOENT;
	}
	if ((ret = field(b, vvq, "packed_ring", &l->packed_ring, 0, 0, err, errlen)) ||
	    (ret = field(b, vvq, "vq.list", &l->vq_list, VQ_BTF_KIND_STRUCT, 1, err, errlen)) ||
	    (ret = field(b, vvq, "vq.vdev", &l->vq_vdev, VQ_BTF_KIND_PTR, 0, err, errlen)) ||
	    (ret = field(b, vvq, "vq.index", &l->vq_index, VQ_BTF_KIND_INT, 0, err, errlen)) ||
	    (ret = field(b, vvq, "split.vring.num", &l->num, VQ_BTF_KIND_INT, 0, err, errlen)) ||
	    (ret = field(b, vvq, "split.vring.desc", &l->desc, VQ_BTF_KIND_PTR, 0, err, errlen)) ||
	    (ret = field(b, vvq, "split.vring.avail", &l->avail, VQ_BTF_KIND_PTR, 0, err, errlen)) ||
	    (ret = field(b, vvq, "split.vring.used", &l->used, VQ_BTF_KIND_PTR, 0, err, errlen)) ||
	    (ret = field(b, vvq, "split.queue_dma_addr", &l->dma, VQ_BTF_KIND_INT, 0, err, errlen)) ||
	    (ret = field(b, vvq, "split.queue_size_in_bytes", &l->bytes, VQ_BTF_KIND_INT, 0, err,
			 errlen)) ||
	    (ret = field(b, vvq, "split.vring_align", &l->align, VQ_BTF_KIND_INT, 0, err, errlen)) ||
	    (ret = field(b, "list_head", "next", &l->list_next, VQ_BTF_KIND_PTR, 0, err, errlen)) ||
	    (ret = field(b, "list_head", "prev", &l->list_prev, VQ_BTF_KIND_PTR, 0, err, errlen)) ||
	    (ret = field(b, "virtio_device", "index", &l->dev_index, VQ_BTF_KIND_INT, 0, err,
			 errlen)) ||
	    (ret = field(b, "virtio_device", "id.device", &l->dev_id, VQ_BTF_KIND_INT, 0, err,
			 errlen)) ||
	    (ret = field(b, "virtio_device", "vqs", &list, VQ_BTF_KIND_STRUCT, 1, err, errlen)))
		return ret;
	l->dev_vqs = list;
	driver_fields(b, l);
	packed_fields(b, l);
	/* The search compares whole 64-bit words at fixed offsets. */
	if (l->dma.size != 8 || l->desc.size != 8 || l->list_next.size != 8 ||
	    l->obj_size > KVQ_MAX_OBJ || l->dev_size > KVQ_MAX_OBJ ||
	    l->vq_list.offset + l->list_prev.offset + 8 > l->obj_size ||
	    l->dev_vqs.offset + l->list_prev.offset + 8 > l->dev_size) {
		vq_errbuf(err, errlen, 0,
			  "struct vring_virtqueue: layout this reader does not handle (queue_dma_addr %llu bytes, vring.desc %llu bytes, %llu-byte struct)",
			  (unsigned long long)l->dma.size, (unsigned long long)l->desc.size,
			  (unsigned long long)l->obj_size);
		return -EINVAL;
	}
	{
		const struct vq_btf_field *fs[] = { &l->packed_ring, &l->vq_vdev, &l->vq_index,
						    &l->num, &l->desc, &l->avail, &l->used,
						    &l->dma, &l->bytes, &l->align };
		size_t i;

		for (i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
			if (fs[i]->offset + fs[i]->size > l->obj_size) {
				vq_errbuf(err, errlen, 0, "struct vring_virtqueue: a member lies past its end");
				return -EINVAL;
			}
		if (l->dev_index.offset + l->dev_index.size > l->dev_size ||
		    l->dev_id.offset + l->dev_id.size > l->dev_size) {
			vq_errbuf(err, errlen, 0, "struct virtio_device: a member lies past its end");
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- Virtual to physical ---------------------------------------------- */

int vq_kmap_v2p(const struct vq_kmap *map, size_t n, uint64_t vaddr, uint64_t len,
		uint64_t *paddr)
{
	size_t lo = 0, hi = n;

	/* The last mapping starting at or below @vaddr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (map[mid].vaddr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -EFAULT;
	map += lo - 1;
	if (vaddr - map->vaddr >= map->len || len > map->len - (vaddr - map->vaddr))
		return -EFAULT;
	*paddr = map->paddr + (vaddr - map->vaddr);
	return 0;
}

/* ---- The search --------------------------------------------------------- */

/* A pointer-sized word at kernel virtual @vaddr. */
static int read_vword(const struct vq_fetch *f, const struct vq_kmap *map, size_t nmap,
		      uint64_t vaddr, uint64_t *val)
{
	uint8_t b[8];
	uint64_t pa;

	if (vq_kmap_v2p(map, nmap, vaddr, 8, &pa) || vq_fetch(f, pa, b, 8, "kernel list entry"))
		return -EFAULT;
	*val = le64(b);
	return 0;
}

/* The driver's state from the object's bytes @o, where BTF gave every member. */
static void driver_state(const struct vq_kvq_layout *l, const uint8_t *o, struct vq_kvq_queue *q)
{
	if (l->vq_name.size == 8)
		q->name_vaddr = vq_btf_field_get(o, &l->vq_name);
	if (!l->last_used.size || !l->num_free.size || !l->broken.size || !l->event.size ||
	    !l->flags_shadow.size || !l->idx_shadow.size)
		return;
	q->drv.last_used_idx = (uint16_t)vq_btf_field_get(o, &l->last_used);
	q->drv.num_free = (uint16_t)vq_btf_field_get(o, &l->num_free);
	q->drv.avail_idx = (uint16_t)vq_btf_field_get(o, &l->idx_shadow);
	q->drv.avail_flags = (uint16_t)vq_btf_field_get(o, &l->flags_shadow);
	q->drv.broken = vq_btf_field_get(o, &l->broken) != 0;
	q->drv.event = vq_btf_field_get(o, &l->event) != 0;
	q->drv.valid = 1;
}

/* A packed queue's driver state from the object's bytes @o: positions
 * as slot | wrap << 15 (the form of Linux's own last_used_idx from 5.19). */
static void packed_driver_state(const struct vq_kvq_layout *l, const uint8_t *o,
				struct vq_kvq_queue *q)
{
	uint16_t used;

	if (l->vq_name.size == 8)
		q->name_vaddr = vq_btf_field_get(o, &l->vq_name);
	if (!l->last_used.size || !l->num_free.size || !l->broken.size || !l->event.size ||
	    !l->p_next_avail.size || !l->p_avail_wrap.size || !l->p_event_flags.size)
		return;
	used = (uint16_t)vq_btf_field_get(o, &l->last_used);
	if (l->p_used_wrap.size)
		used = (uint16_t)((used & 0x7fff) | (vq_btf_field_get(o, &l->p_used_wrap) ? 0x8000 : 0));
	q->drv.last_used_idx = used;
	q->drv.num_free = (uint16_t)vq_btf_field_get(o, &l->num_free);
	q->drv.avail_idx = (uint16_t)((vq_btf_field_get(o, &l->p_next_avail) & 0x7fff) |
				      (vq_btf_field_get(o, &l->p_avail_wrap) ? 0x8000 : 0));
	/* Linux's shadow of the driver event area's flags (2.8.14). */
	q->drv.avail_flags = (vq_btf_field_get(o, &l->p_event_flags) & 3) == VRING_PACKED_EVENT_FLAG_DISABLE
				     ? VRING_AVAIL_F_NO_INTERRUPT : 0;
	q->drv.broken = vq_btf_field_get(o, &l->broken) != 0;
	q->drv.event = vq_btf_field_get(o, &l->event) != 0;
	q->drv.valid = 1;
}

/* A packed part's @bytes at kernel virtual @virt: physical @dma, 0 or -ESTALE. */
static int at_dma(const struct vq_kmap *map, size_t nmap, uint64_t virt, uint64_t bytes,
		  uint64_t dma)
{
	uint64_t pa;

	return vq_kmap_v2p(map, nmap, virt, bytes, &pa) || pa != dma ? -ESTALE : 0;
}

/*
 * A packed queue's object (bytes @o): its size from 1 to 32768 (2.8), the
 * descriptor ring (16 bytes a slot) and the two 4-byte event areas each
 * in one linear mapping at its DMA address, the descriptor ring 16-byte
 * and the areas 4-byte aligned (2.8.10.1).  0 with the layout in @q and
 * the descriptor ring's kernel virtual address in *@virt, or -ESTALE.
 */
static int packed_ring(const struct vq_kmap *map, size_t nmap, const struct vq_kvq_layout *l,
		       const uint8_t *o, struct vq_kvq_queue *q, uint64_t *virt)
{
	uint64_t num, dma, drv, dev;

	if (!l->p_num.size)
		return -ESTALE;
	num = vq_btf_field_get(o, &l->p_num);
	dma = vq_btf_field_get(o, &l->p_dma);
	drv = vq_btf_field_get(o, &l->p_driver_dma);
	dev = vq_btf_field_get(o, &l->p_device_dma);
	*virt = vq_btf_field_get(o, &l->p_desc);
	if (!num || num > VQ_RING_MAX_SIZE || !dma || (dma & 15) || !drv || (drv & 3) || !dev ||
	    (dev & 3))
		return -ESTALE;
	if (at_dma(map, nmap, *virt, 16 * num, dma) ||
	    at_dma(map, nmap, vq_btf_field_get(o, &l->p_driver), 4, drv) ||
	    at_dma(map, nmap, vq_btf_field_get(o, &l->p_device), 4, dev))
		return -ESTALE;
	q->packed = 1;
	q->layout.desc = dma;
	q->layout.avail = drv;
	q->layout.used = dev;
	q->layout.size = (uint32_t)num;
	packed_driver_state(l, o, q);
	return 0;
}

/*
 * A split queue's object (bytes @o): a ring of a power-of-two size, its
 * three parts one ring in one linear mapping at queue_dma_addr.  0 with
 * the layout and driver state in @q and the descriptor table's kernel
 * virtual address in *@virt, or -ESTALE.
 */
static int split_ring(const struct vq_kmap *map, size_t nmap, const struct vq_kvq_layout *l,
		      const uint8_t *o, struct vq_kvq_queue *q, uint64_t *virt)
{
	uint64_t num, dvirt, avirt, uvirt, dma, bytes, aoff, uoff, total, pa;

	num = vq_btf_field_get(o, &l->num);
	if (!num || num > VQ_RING_MAX_SIZE || (num & (num - 1)))
		return -ESTALE;
	dvirt = vq_btf_field_get(o, &l->desc);
	avirt = vq_btf_field_get(o, &l->avail);
	uvirt = vq_btf_field_get(o, &l->used);
	dma = vq_btf_field_get(o, &l->dma);
	bytes = vq_btf_field_get(o, &l->bytes);
	/* desc, then avail (with used_event), then used: one ring. */
	aoff = avirt - dvirt;
	uoff = uvirt - dvirt;
	if (avirt < dvirt || uvirt < avirt || aoff < VQ_DESC_BYTES(num) ||
	    uoff - aoff < VQ_AVAIL_BYTES(num) || uoff > (64u << 20))
		return -ESTALE;
	total = uoff + VQ_USED_BYTES(num);
	if (bytes && total > bytes)
		return -ESTALE;
	/* The whole ring in one linear mapping, at queue_dma_addr. */
	if (vq_kmap_v2p(map, nmap, dvirt, total, &pa) || pa != dma)
		return -ESTALE;
	*virt = dvirt;
	q->layout.desc = dma;
	q->layout.avail = dma + aoff;
	q->layout.used = dma + uoff;
	q->layout.size = (uint32_t)num;
	q->layout.align = (uint32_t)vq_btf_field_get(o, &l->align);
	driver_state(l, o, q);
	return 0;
}

/*
 * What the object at @obj_paddr (bytes @o) says of its ring, checked as
 * packed_ring() or split_ring() does (packed_ring says which), the object
 * itself in the ring's linear mapping, a plausible queue number.  0 with
 * the ring and queue number in @q and the object's kernel virtual address
 * in *@obj_v, or -ESTALE.
 */
static int check_ring(const struct vq_kmap *map, size_t nmap, const struct vq_kvq_layout *l,
		      uint64_t obj_paddr, const uint8_t *o, struct vq_kvq_queue *q, uint64_t *obj_v)
{
	uint64_t virt, pa, idx;

	if (vq_btf_field_get(o, &l->packed_ring) ? packed_ring(map, nmap, l, o, q, &virt)
				    : split_ring(map, nmap, l, o, q, &virt))
		return -ESTALE;
	/* The object itself is in the same linear map. */
	*obj_v = obj_paddr + (virt - q->layout.desc);
	if (vq_kmap_v2p(map, nmap, *obj_v, l->obj_size, &pa) || pa != obj_paddr)
		return -ESTALE;
	idx = vq_btf_field_get(o, &l->vq_index);
	if (idx >= VQ_QUEUES_MAX)
		return -ESTALE;
	q->queue = (uint32_t)idx;
	q->obj_paddr = obj_paddr;
	return 0;
}

/*
 * The object's device (bytes @o, at kernel virtual @obj_v), checked: a
 * mapped virtio_device with a plausible index and device ID, and the
 * object's list entry linked both ways and reachable from that device's
 * vqs list.  0 with the device's part of @q filled, -ESTALE, or -ENOMEM.
 */
static int check_device(const struct vq_fetch *f, const struct vq_kmap *map, size_t nmap,
			const struct vq_kvq_layout *l, const uint8_t *o, uint64_t obj_v,
			struct vq_kvq_queue *q)
{
	uint64_t vdev, vdev_p, val, devid, head, cur, me, next, prev, pa;
	unsigned steps;
	uint8_t *dev;
	int found = 0;

	vdev = vq_btf_field_get(o, &l->vq_vdev);
	if (vq_kmap_v2p(map, nmap, vdev, l->dev_size, &vdev_p))
		return -ESTALE;
	dev = malloc(l->dev_size);
	if (!dev)
		return -ENOMEM;
	if (vq_fetch(f, vdev_p, dev, l->dev_size, "struct virtio_device")) {
		free(dev);
		return -ESTALE;
	}
	val = vq_btf_field_get(dev, &l->dev_index);
	devid = vq_btf_field_get(dev, &l->dev_id);
	head = vdev + l->dev_vqs.offset;
	cur = le64(dev + l->dev_vqs.offset + l->list_next.offset);
	free(dev);
	/* int index: the N of virtioN, from an IDA. */
	if (val >= (1u << 24) || !devid || devid > 0xffff)
		return -ESTALE;

	/* Linked both ways, and reachable from the device's list. */
	me = obj_v + l->vq_list.offset;
	next = vq_btf_field_get(o + l->vq_list.offset, &l->list_next);
	prev = vq_btf_field_get(o + l->vq_list.offset, &l->list_prev);
	if (read_vword(f, map, nmap, next + l->list_prev.offset, &pa) || pa != me ||
	    read_vword(f, map, nmap, prev + l->list_next.offset, &pa) || pa != me)
		return -ESTALE;
	for (steps = 0; steps < VQ_KVQ_MAX_LIST && cur != head; steps++) {
		if (cur == me) {
			found = 1;
			break;
		}
		if (read_vword(f, map, nmap, cur + l->list_next.offset, &cur))
			return -ESTALE;
	}
	if (!found)
		return -ESTALE;
	q->virtio_index = (uint32_t)val;
	q->device_id = (uint32_t)devid;
	q->vdev_vaddr = vdev;
	return 0;
}

/*
 * Everything vq_kvq_scan promises about the object at @obj_paddr, whose
 * bytes are @o (l->obj_size of them).  0 and @q filled, or -ESTALE
 * (-ENOMEM); @q is left alone unless the object holds.
 */
static int check_obj(const struct vq_fetch *f, const struct vq_kmap *map, size_t nmap,
		     const struct vq_kvq_layout *l, uint64_t obj_paddr, const uint8_t *o,
		     struct vq_kvq_queue *q)
{
	struct vq_kvq_queue r;
	uint64_t obj_v;
	int ret;

	memset(&r, 0, sizeof(r));
	ret = check_ring(map, nmap, l, obj_paddr, o, &r, &obj_v);
	if (!ret)
		ret = check_device(f, map, nmap, l, o, obj_v, &r);
	if (!ret)
		*q = r;
	return ret;
}

int vq_kvq_check(const struct vq_fetch *f, const struct vq_kmap *map, size_t nmap,
		 const struct vq_kvq_layout *l, uint64_t obj_paddr, struct vq_kvq_queue *q)
{
	uint8_t *o = malloc(l->obj_size);
	int ret;

	if (!o)
		return -ENOMEM;
	ret = vq_fetch(f, obj_paddr, o, l->obj_size, "struct vring_virtqueue");
	ret = ret ? -ESTALE : check_obj(f, map, nmap, l, obj_paddr, o, q);
	free(o);
	return ret;
}

/* Where a kernel virtual address may lie relative to its physical one:
 * each mapping's offset (direct map, kernel text), the first
 * KVQ_MAX_DELTAS distinct ones into @deltas.  Returns how many. */
static unsigned map_deltas(const struct vq_kmap *map, size_t nmap,
			   uint64_t deltas[KVQ_MAX_DELTAS])
{
	unsigned ndeltas = 0, d;
	size_t i;

	for (i = 0; i < nmap; i++) {
		uint64_t delta = map[i].vaddr - map[i].paddr;

		for (d = 0; d < ndeltas && deltas[d] != delta; d++)
			;
		if (d == ndeltas && ndeltas < KVQ_MAX_DELTAS)
			deltas[ndeltas++] = delta;
	}
	return ndeltas;
}

/*
 * The candidate at @o's descriptor ring pointer minus its DMA address,
 * the pair the search looks for: the split half's (queue_dma_addr,
 * vring.desc) or, when packed_ring is set, the packed half's
 * (ring_dma_addr, vring.desc).  1 (no mapping offset is odd) when the DMA
 * address is 0 or not on the 16 bytes a descriptor table or ring needs
 * (2.7.5, 2.8.10.1).
 */
static uint64_t pair_delta(const struct vq_kvq_layout *l, const uint8_t *o)
{
	int packed = l->p_num.size && vq_btf_field_get(o, &l->packed_ring);
	uint64_t v = le64(o + (packed ? l->p_dma.offset : l->dma.offset));

	if (!v || (v & 15))
		return 1;
	return le64(o + (packed ? l->p_desc.offset : l->desc.offset)) - v;
}

/* The bytes of an object pair_delta() needs one non-zero byte in (the
 * DMA address it takes, whichever packed_ring picks), as [*@lo, *@hi). */
static void key_window(const struct vq_kvq_layout *l, uint64_t *lo, uint64_t *hi)
{
	const struct vq_btf_field *k[] = { &l->dma, &l->p_dma };
	size_t i;

	*lo = l->dma.offset;
	*hi = l->dma.offset + 8;
	for (i = 0; i < 2; i++) {
		if (!k[i]->size)
			continue;
		if (k[i]->offset < *lo)
			*lo = k[i]->offset;
		if (k[i]->offset + 8 > *hi)
			*hi = k[i]->offset + 8;
	}
}

/* A DMA address a ring can start at: not 0, on 16 bytes. */
static inline int dma_ok(uint64_t v)
{
	return v && !(v & 15);
}

/* What one vq_kvq_scan() carries from chunk to chunk. */
struct scan_state {
	const struct vq_fetch *f;
	const struct vq_kmap *map;
	size_t nmap;
	const struct vq_kvq_layout *l;
	uint64_t deltas[KVQ_MAX_DELTAS];
	unsigned ndeltas;
	long stop_index;
	struct vq_kvq_queue *out;
	size_t max, found;
	int stop;
	struct vq_zblocks z;
};

/* The objects starting in the first @lim bytes of @buf (RAM at @pos, @want
 * bytes of it read), into @st. 0 or -ENOMEM. */
static int scan_chunk(struct scan_state *st, uint64_t pos, const uint8_t *buf, uint64_t want,
		      uint64_t lim)
{
	uint64_t s, lo, hi;
	unsigned d;

	if (vq_zblocks_fill(&st->z, buf, want))
		return -ENOMEM;
	key_window(st->l, &lo, &hi);
	for (s = (8 - pos % 8) % 8; s < lim && !st->stop; s += 8) {
		const uint8_t *o;
		uint64_t w;

		s = vq_zblocks_next(&st->z, s, lo, hi, 8, lim);
		if (s >= lim)
			break;
		o = buf + s;
		/* pair_delta's DMA address test, inline: some candidate's
		 * address is non-zero and on 16 bytes. */
		if (!dma_ok(le64(o + st->l->dma.offset)) &&
		    !(st->l->p_dma.size && dma_ok(le64(o + st->l->p_dma.offset))))
			continue;
		w = pair_delta(st->l, o);
		if (w == 1)
			continue;
		for (d = 0; d < st->ndeltas; d++) {
			struct vq_kvq_queue q;

			if (w != st->deltas[d] || check_obj(st->f, st->map, st->nmap, st->l, pos + s, o, &q))
				continue;
			st->stop = st->stop_index >= 0 && q.virtio_index == (uint64_t)st->stop_index;
			/* The hit that ends the search is kept even when the
			 * array is full. */
			if (st->found < st->max)
				st->out[st->found] = q;
			else if (st->stop && st->max)
				st->out[st->max - 1] = q;
			st->found++;
			break;
		}
	}
	return 0;
}

long vq_kvq_scan(const struct vq_fetch *f, const struct vq_scan_region *regions, size_t nregions,
		 const struct vq_kmap *map, size_t nmap, const struct vq_kvq_layout *l,
		 long stop_index, struct vq_kvq_queue *out, size_t max)
{
	struct scan_state st = { f, map, nmap, l, { 0 }, 0, stop_index, out, max, 0, 0, { 0 } };
	size_t i, chunks = 0, failed = 0;
	uint64_t span = l->obj_size;
	uint8_t *buf;
	int first_err = 0, ret = 0;

	st.ndeltas = map_deltas(map, nmap, st.deltas);
	if (!st.ndeltas || !span)
		return 0;
	buf = malloc(KVQ_CHUNK + span);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < nregions && !st.stop && !ret; i++) {
		uint64_t end = regions[i].start + regions[i].len, pos;

		if (end < regions[i].start)
			end = UINT64_MAX;
		for (pos = regions[i].start; pos < end && end - pos >= span && !st.stop && !ret;
		     pos += KVQ_CHUNK) {
			uint64_t want = end - pos, lim;
			const uint8_t *p;

			if (want > KVQ_CHUNK + span)
				want = KVQ_CHUNK + span;
			chunks++;
			p = vq_fetch_view(f, pos, buf, want, "RAM searched for struct vring_virtqueue", &ret);
			if (ret) {
				if (!failed++)
					first_err = ret;
				ret = 0;
				continue;
			}
			/* Object starts whose whole object is in @buf. */
			lim = want - span + 1;
			if (lim > KVQ_CHUNK)
				lim = KVQ_CHUNK;
			ret = scan_chunk(&st, pos, p, want, lim);
		}
	}
	free(buf);
	free(st.z.zero);
	if (ret)
		return ret;
	if (!st.stop && chunks && failed == chunks)
		return first_err ? first_err : -EIO;
	return (long)st.found;
}

/*
 * A split queue's object by its shape alone (no map to check it against):
 * vring.num a power of two, avail right after the descriptor table and
 * used after avail (vring_init's layout), all three pointers in the
 * kernel's half.  What keeps random words out of the vote.
 */
static int split_shape(const struct vq_kvq_layout *l, const uint8_t *o)
{
	uint64_t num = vq_btf_field_get(o, &l->num), d = vq_btf_field_get(o, &l->desc), a = vq_btf_field_get(o, &l->avail),
		 u = vq_btf_field_get(o, &l->used);

	if (!num || num > VQ_RING_MAX_SIZE || (num & (num - 1)) || d < (1ull << 63))
		return 0;
	return a == d + VQ_DESC_BYTES(num) && u > a && u - a < (1u << 20);
}

/* Distinct differences counted by the vote. */
#define KVQ_VOTE_SLOTS 64u

/* One vote for @w among the @n slots of @d/@c; a full table drops it. */
static void vote(uint64_t *d, uint64_t *c, size_t *n, uint64_t w)
{
	size_t i;

	for (i = 0; i < *n && d[i] != w; i++)
		;
	if (i == *n) {
		if (*n == KVQ_VOTE_SLOTS)
			return;
		d[(*n)++] = w;
		c[i] = 0;
	}
	c[i]++;
}


long vq_kvq_vote_offset(const struct vq_fetch *f, const struct vq_scan_region *regions,
			size_t nregions, const struct vq_kvq_layout *l, uint64_t lo, uint64_t hi,
			uint64_t align, uint64_t *out, uint64_t *votes, size_t max)
{
	uint64_t d[KVQ_VOTE_SLOTS], c[KVQ_VOTE_SLOTS], span = l->obj_size, klo, khi;
	size_t i, j, n = 0, chunks = 0, failed = 0;
	struct vq_zblocks z = { 0 };
	uint8_t *buf;
	int first_err = 0;

	if (!span || !align || (align & (align - 1)))
		return 0;
	buf = malloc(vq_scan_chunk(regions, nregions, KVQ_CHUNK) + span);
	if (!buf)
		return -ENOMEM;
	key_window(l, &klo, &khi);
	for (i = 0; i < nregions; i++) {
		uint64_t end = regions[i].start + regions[i].len, pos;

		if (end < regions[i].start)
			end = UINT64_MAX;
		for (pos = regions[i].start; pos < end && end - pos >= span; pos += KVQ_CHUNK) {
			uint64_t want = end - pos, lim, s;
			const uint8_t *p;
			int ret;

			if (want > KVQ_CHUNK + span)
				want = KVQ_CHUNK + span;
			chunks++;
			p = vq_fetch_view(f, pos, buf, want, "RAM searched for struct vring_virtqueue", &ret);
			if (ret) {
				if (!failed++)
					first_err = -EIO;
				continue;
			}
			lim = want - span + 1;
			if (lim > KVQ_CHUNK)
				lim = KVQ_CHUNK;
			if (vq_zblocks_fill(&z, p, want)) {
				free(buf);
				free(z.zero);
				return -ENOMEM;
			}
			for (s = (8 - pos % 8) % 8; s < lim; s += 8) {
				uint64_t w;

				s = vq_zblocks_next(&z, s, klo, khi, 8, lim);
				if (s >= lim)
					break;
				w = pair_delta(l, p + s);

				if (w != 1 && !(w & (align - 1)) && w >= lo && w < hi &&
				    !vq_btf_field_get(p + s, &l->packed_ring) && split_shape(l, p + s))
					vote(d, c, &n, w);
			}
		}
	}
	free(buf);
	free(z.zero);
	if (chunks && failed == chunks)
		return first_err;
	/* Most votes first (a handful of slots: selection is enough). */
	for (i = 0; i < n && i < max; i++) {
		size_t best = i;

		for (j = i + 1; j < n; j++)
			if (c[j] > c[best])
				best = j;
		out[i] = d[best];
		votes[i] = c[best];
		d[best] = d[i];
		c[best] = c[i];
	}
	return (long)i;
}

long vq_kvq_device_queues(const struct vq_fetch *f, const struct vq_kmap *map, size_t nmap,
			  const struct vq_kvq_layout *l, uint64_t vdev_vaddr,
			  struct vq_kvq_queue *out, size_t max)
{
	uint64_t head = vdev_vaddr + l->dev_vqs.offset, cur;
	size_t found = 0;
	unsigned steps;

	if (read_vword(f, map, nmap, head + l->list_next.offset, &cur))
		return -EFAULT;
	for (steps = 0; steps < VQ_KVQ_MAX_LIST && cur != head; steps++) {
		struct vq_kvq_queue q;
		uint64_t pa;

		/* container_of(cur, struct vring_virtqueue, vq.list) */
		if (!vq_kmap_v2p(map, nmap, cur - l->vq_list.offset, l->obj_size, &pa) &&
		    !vq_kvq_check(f, map, nmap, l, pa, &q) && q.vdev_vaddr == vdev_vaddr) {
			if (found < max)
				out[found] = q;
			found++;
		}
		if (read_vword(f, map, nmap, cur + l->list_next.offset, &cur))
			return -EFAULT;
	}
	return cur == head ? (long)found : -ELOOP;
}
