/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A packed queue's per-ID driver records (Linux's packed.desc_state and packed.desc_extra), their layout from BTF, read through a vq_fetch. */
#include <errno.h>
#include <linux/virtio_ring.h>
#include <stdlib.h>
#include <string.h>

#include "kvqsearch.h"
#include "le.h"

/* Most bytes of one record struct read (the kernel's are 24 and 16). */
#define REC_MAX 256u

/* Member @path of struct @sname into @f: 1 when it is a scalar of 1 to 8
 * bytes (a pointer when @ptr) inside a struct of @size bytes. */
static int rec_member(const struct vq_btf *b, const char *sname, uint64_t size, const char *path,
		      struct vq_btf_field *f, int ptr)
{
	char why[200];
	long id = vq_btf_find(b, VQ_BTF_KIND_STRUCT, sname);

	if (id < 0 || vq_btf_member(b, (uint32_t)id, path, f, why, sizeof(why)))
		return 0;
	if ((ptr && (f->kind != VQ_BTF_KIND_PTR || f->size != 8)) ||
	    (!ptr && f->kind != VQ_BTF_KIND_INT) || f->size < 1 || f->size > 8 ||
	    (f->size & (f->size - 1)) || f->offset + f->size > size)
		return 0;
	return 1;
}

static uint64_t rec_size(const struct vq_btf *b, const char *sname)
{
	long id = vq_btf_find(b, VQ_BTF_KIND_STRUCT, sname);

	return id < 0 ? 0 : vq_btf_size(b, (uint32_t)id);
}

void vq_kvq_record_fields(const struct vq_btf *b, struct vq_kvq_layout *l)
{
	static const char vvq[] = "vring_virtqueue", ds[] = "vring_desc_state_packed",
			  de[] = "vring_desc_extra";
	int ok;

	l->ds_size = rec_size(b, ds);
	l->de_size = rec_size(b, de);
	ok = l->ds_size && l->ds_size <= REC_MAX && l->de_size && l->de_size <= REC_MAX &&
	     rec_member(b, vvq, l->obj_size, "packed.desc_state", &l->p_desc_state, 1) &&
	     rec_member(b, vvq, l->obj_size, "packed.desc_extra", &l->p_desc_extra, 1) &&
	     rec_member(b, ds, l->ds_size, "data", &l->ds_data, 1) &&
	     rec_member(b, ds, l->ds_size, "indir_desc", &l->ds_indir, 1) &&
	     rec_member(b, ds, l->ds_size, "num", &l->ds_num, 0) &&
	     rec_member(b, de, l->de_size, "addr", &l->de_addr, 0) &&
	     rec_member(b, de, l->de_size, "len", &l->de_len, 0) &&
	     rec_member(b, de, l->de_size, "flags", &l->de_flags, 0) &&
	     rec_member(b, de, l->de_size, "next", &l->de_next, 0);
	if (!ok) {
		l->ds_size = l->de_size = 0;
		memset(&l->p_desc_state, 0, sizeof(l->p_desc_state));
		memset(&l->p_desc_extra, 0, sizeof(l->p_desc_extra));
	}
	if (!rec_member(b, vvq, l->obj_size, "use_dma_api", &l->use_dma_api, 0))
		memset(&l->use_dma_api, 0, sizeof(l->use_dma_api));
	if (!rec_member(b, vvq, l->obj_size, "do_unmap", &l->do_unmap, 0))
		memset(&l->do_unmap, 0, sizeof(l->do_unmap));
	if (!rec_member(b, vvq, l->obj_size, "use_map_api", &l->use_map_api, 0))
		memset(&l->use_map_api, 0, sizeof(l->use_map_api));
	if (!rec_member(b, vvq, l->obj_size, "indirect", &l->indirect, 0))
		memset(&l->indirect, 0, sizeof(l->indirect));
}

/* @len bytes of the kernel array at virtual @va into a new buffer. */
static uint8_t *read_array(const struct vq_fetch *f, const struct vq_kmap *map, size_t nmap,
			   uint64_t va, uint64_t len, const char *what, int *err)
{
	uint64_t pa;
	uint8_t *p;

	*err = -EFAULT;
	if (!va || vq_kmap_v2p(map, nmap, va, len, &pa))
		return NULL;
	p = malloc(len);
	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	if (vq_fetch(f, pa, p, len, what)) {
		free(p);
		return NULL;
	}
	return p;
}

/*
 * Whether the packed queue whose vring_virtqueue is @o copies each
 * descriptor it makes available into desc_extra (virtio_ring.c,
 * virtqueue_add_packed() and virtqueue_add_indirect_packed()), from the
 * fields this kernel's BTF has:
 *   5.0 to 6.5    when use_dma_api;
 *   6.6 to 6.8    when do_unmap (use_dma_api and not premapped; commit
 *                 b319940f83c2 "virtio_ring: skip unmap for premapped");
 *   6.9 on        when use_dma_api again (d5c0ed17fea6 "virtio: packed:
 *                 fix unmap leak for indirect desc table", backported to
 *                 stable: 6.7.y seen), while do_unmap stayed in the
 *                 struct for split rings until vring_need_unmap_buffer()
 *                 replaced it (later: use_dma_api and the entry's addr not
 *                 DMA_MAPPING_ERROR, a premapped buffer's address not
 *                 kept, see copy_chain());
 *   2025 on       when use_map_api ("virtio: rename dma helpers", meant
 *                 for 6.18: use_dma_api renamed).
 * BTF cannot tell a stable kernel with that fix from one without, so with
 * do_unmap in BTF only do_unmap counts: true, both wrote the copy; false
 * with the DMA API on (a premapped queue), one of them did not, and old
 * entries would pass for the request's.  No kernel fills the packed
 * desc_extra without one of these (the split ring's desc_extra, always
 * filled since 5.13, is another array).
 */
static int kept_copy(const struct vq_kvq_layout *l, const uint8_t *o)
{
	if (l->do_unmap.size)
		return vq_btf_field_get(o, &l->do_unmap) != 0;
	if (l->use_dma_api.size)
		return vq_btf_field_get(o, &l->use_dma_api) != 0;
	return l->use_map_api.size && vq_btf_field_get(o, &l->use_map_api) != 0;
}

/* DMA_MAPPING_ERROR (~(dma_addr_t)0) in a desc_extra addr of @size bytes. */
static uint64_t mapping_error(unsigned size)
{
	return size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
}

/* In-flight ID @id's chain as desc_extra holds it (@de, @n entries):
 * desc_extra[id] and its .next links, @num entries at most, into @descs
 * from *@nd (at most @max).  An entry whose addr is DMA_MAPPING_ERROR is
 * a premapped buffer whose address Linux did not keep: no copy then. */
static void copy_chain(const struct vq_kvq_layout *l, const uint8_t *de, uint32_t n, uint32_t id,
		       uint32_t num, struct vq_packed_drv_id *r, struct vq_packed_drv_desc *descs,
		       uint32_t max, uint32_t *nd)
{
	const uint64_t unmapped = mapping_error(l->de_addr.size);
	uint32_t cur = id, k;

	r->first = *nd;
	for (k = 0; k < num && k < n && cur < n && *nd < max; k++) {
		const uint8_t *x = de + (uint64_t)cur * l->de_size;

		descs[*nd].addr = vq_btf_field_get(x, &l->de_addr);
		descs[*nd].len = (uint32_t)vq_btf_field_get(x, &l->de_len);
		descs[*nd].flags = (uint16_t)vq_btf_field_get(x, &l->de_flags);
		if (descs[*nd].addr == unmapped) {
			*nd = r->first;
			break;
		}
		(*nd)++;
		cur = (uint32_t)vq_btf_field_get(x, &l->de_next);
	}
	r->ndesc = (uint16_t)(*nd - r->first);
}

int vq_kvq_packed_records(const struct vq_fetch *f, const struct vq_kmap *map, size_t nmap,
			  const struct vq_kvq_layout *l, const struct vq_kvq_queue *q,
			  struct vq_packed_drv_id *ids, struct vq_packed_drv_desc *descs,
			  uint32_t max, uint32_t *ndescs)
{
	const uint32_t n = q->layout.size;
	uint8_t *o, *ds = NULL, *de = NULL;
	uint32_t id;
	int dma, ind_tables, ret;

	*ndescs = 0;
	if (!l->ds_size || !q->packed || !n || n > VQ_PACKED_MAX_SIZE)
		return -ENOENT;
	o = malloc(l->obj_size);
	if (!o)
		return -ENOMEM;
	ret = vq_fetch(f, q->obj_paddr, o, l->obj_size, "struct vring_virtqueue") ? -EFAULT : 0;
	if (!ret)
		ds = read_array(f, map, nmap, vq_btf_field_get(o, &l->p_desc_state), l->ds_size * n,
				"packed desc_state", &ret);
	if (ds)
		de = read_array(f, map, nmap, vq_btf_field_get(o, &l->p_desc_extra), l->de_size * n,
				"packed desc_extra", &ret);
	if (!de) {
		free(o);
		free(ds);
		return ret;
	}
	dma = kept_copy(l, o);
	ind_tables = l->indirect.size && vq_btf_field_get(o, &l->indirect);
	for (id = 0; id < n; id++) {
		const uint8_t *s = ds + (uint64_t)id * l->ds_size;
		struct vq_packed_drv_id *r = &ids[id];
		uint64_t ind = vq_btf_field_get(s, &l->ds_indir), pa;

		memset(r, 0, sizeof(*r));
		r->inflight = vq_btf_field_get(s, &l->ds_data) != 0;
		r->num = (uint16_t)vq_btf_field_get(s, &l->ds_num);
		if (ind_tables && ind && !vq_kmap_v2p(map, nmap, ind, 16, &pa))
			r->indir = pa;
		if (r->inflight && dma)
			copy_chain(l, de, n, id, r->num, r, descs, max, ndescs);
	}
	free(o);
	free(ds);
	free(de);
	return 0;
}
