/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ring addresses from Linux's own records: a small BTF reader, kcore's virtual-to-physical table, the vring_virtqueue search. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../decode/le.h"
#include "transport.h"
#include "kvq.h"

/* Bytes of struct btf_header, struct btf_type and a struct btf_member. */
#define BTF_HDR_LEN 24u
#define BTF_TYPE_LEN 12u
#define BTF_MEMBER_LEN 12u
/* Typedef/qualifier chains and anonymous-member nesting followed at most
 * (real kernels: a handful). */
#define BTF_MAX_DEPTH 32u
/* Largest BTF file read (vmlinux's is a few MiB). */
#define BTF_MAX_FILE (256u << 20)
/* Type IDs beyond this are refused (the kernel's own limit is 2^31). */
#define BTF_MAX_TYPES 0x7fffffffu
/* Longest member-path component. */
#define BTF_NAME_MAX 128u
/* Members looked at for one path component (anonymous members nest; a
 * hostile blob could make them a tree of any breadth).  The structs vqdump
 * reads have well under a hundred, anonymous ones included; 4096 leaves
 * room and keeps a hostile blob's cost per lookup small. */
#define BTF_MEMBER_BUDGET 4096u

/* RAM is searched in chunks of this many bytes. */
#define KVQ_CHUNK (4u << 20)
/* Largest struct read whole (vring_virtqueue is ~200 bytes, virtio_device ~800). */
#define KVQ_MAX_OBJ 65536u
/* Entries of a device's vqs list walked before giving up. */
#define KVQ_MAX_LIST (VQ_QUEUES_MAX + 1u)
/* Distinct virtual-minus-physical offsets tried (direct map, kernel text). */
#define KVQ_MAX_DELTAS 8u

static void say(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- BTF ---------------------------------------------------------------- */

/* BTF is in the byte order of the kernel that made it, here the host's. */
static uint32_t n32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static unsigned t_kind(const uint8_t *t)
{
	return (n32(t + 4) >> 24) & 0x1f;
}

static unsigned t_vlen(const uint8_t *t)
{
	return n32(t + 4) & 0xffff;
}

static int t_kflag(const uint8_t *t)
{
	return n32(t + 4) >> 31;
}

/* Bytes that follow a struct btf_type of @kind with @vlen entries; -1 for
 * a kind this reader does not know (it cannot skip what it cannot size). */
static long trailer_len(unsigned kind, unsigned vlen)
{
	switch (kind) {
	case VQ_BTF_KIND_INT:
	case VQ_BTF_KIND_VAR:
	case VQ_BTF_KIND_DECL_TAG:
		return 4;
	case VQ_BTF_KIND_PTR:
	case VQ_BTF_KIND_FWD:
	case VQ_BTF_KIND_TYPEDEF:
	case VQ_BTF_KIND_VOLATILE:
	case VQ_BTF_KIND_CONST:
	case VQ_BTF_KIND_RESTRICT:
	case VQ_BTF_KIND_FUNC:
	case VQ_BTF_KIND_FLOAT:
	case VQ_BTF_KIND_TYPE_TAG:
		return 0;
	case VQ_BTF_KIND_ARRAY:
		return 12;
	case VQ_BTF_KIND_STRUCT:
	case VQ_BTF_KIND_UNION:
	case VQ_BTF_KIND_DATASEC:
	case VQ_BTF_KIND_ENUM64:
		return 12l * vlen;
	case VQ_BTF_KIND_ENUM:
	case VQ_BTF_KIND_FUNC_PROTO:
		return 8l * vlen;
	}
	return -1;
}

void vq_btf_free(struct vq_btf *b)
{
	free(b->data);
	free(b->offs);
	memset(b, 0, sizeof(*b));
}

int vq_btf_parse(struct vq_btf *b, const void *data, size_t len, const struct vq_btf *base,
		 unsigned ptr_size, char *err, size_t errlen)
{
	uint32_t hdr_len, type_off, type_len, str_off, str_len, off, n = 0;
	uint64_t first;
	const uint8_t *d = data;
	uint16_t magic;

	memset(b, 0, sizeof(*b));
	if (len < BTF_HDR_LEN) {
		say(err, errlen, "%zu bytes: shorter than a BTF header", len);
		return -EINVAL;
	}
	memcpy(&magic, d, 2);
	if (magic != VQ_BTF_MAGIC) {
		say(err, errlen, "%s (magic 0x%04x)",
		    magic == 0x9feb ? "BTF of the other byte order" : "not BTF", magic);
		return magic == 0x9feb ? -EPROTONOSUPPORT : -EINVAL;
	}
	if (d[2] != 1) {
		say(err, errlen, "BTF version %u (this reader knows 1)", d[2]);
		return -EPROTONOSUPPORT;
	}
	hdr_len = n32(d + 4);
	type_off = n32(d + 8);
	type_len = n32(d + 12);
	str_off = n32(d + 16);
	str_len = n32(d + 20);
	/* Sections are placed after the header, inside the blob, types
	 * 4-byte aligned; all sums in 64 bits so none wraps. */
	if (hdr_len < BTF_HDR_LEN || hdr_len > len ||
	    (uint64_t)hdr_len + type_off + type_len > len ||
	    (uint64_t)hdr_len + str_off + str_len > len || type_off % 4 || (hdr_len + type_off) % 4) {
		say(err, errlen,
		    "header (length %u, types %u+%u, strings %u+%u) does not fit the %zu bytes",
		    hdr_len, type_off, type_len, str_off, str_len, len);
		return -EINVAL;
	}
	/* Strings: NUL-terminated as a whole; a base starts with "" (name 0). */
	if ((str_len && d[hdr_len + str_off + str_len - 1]) ||
	    (!base && (!str_len || d[hdr_len + str_off]))) {
		say(err, errlen, "string section not NUL-delimited");
		return -EINVAL;
	}
	first = base ? (uint64_t)base->first_id + base->ntypes : 1;
	if (base && (uint64_t)base->str_first + base->str_len > UINT32_MAX) {
		say(err, errlen, "base strings too long");
		return -EINVAL;
	}
	b->data = malloc(len);
	b->offs = malloc(((size_t)type_len / BTF_TYPE_LEN + 1) * sizeof(*b->offs));
	if (!b->data || !b->offs) {
		vq_btf_free(b);
		say(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(b->data, d, len);
	b->len = len;
	b->types = b->data + hdr_len + type_off;
	b->strs = (const char *)b->data + hdr_len + str_off;
	b->str_len = str_len;
	b->str_first = base ? base->str_first + base->str_len : 0;
	b->base = base;
	b->ptr_size = ptr_size;
	b->first_id = (uint32_t)first;
	for (off = 0; off < type_len; n++) {
		const uint8_t *t = b->types + off;
		long extra;

		if (type_len - off < BTF_TYPE_LEN) {
			say(err, errlen, "type %llu cut at byte %u of the type section",
			    (unsigned long long)(first + n), off);
			vq_btf_free(b);
			return -EINVAL;
		}
		extra = trailer_len(t_kind(t), t_vlen(t));
		if (extra < 0 || t_kind(t) == 0) {
			say(err, errlen, "type %llu has unknown kind %u",
			    (unsigned long long)(first + n), t_kind(t));
			vq_btf_free(b);
			return -EINVAL;
		}
		if ((uint64_t)type_len - off - BTF_TYPE_LEN < (uint64_t)extra) {
			say(err, errlen, "type %llu runs past the type section",
			    (unsigned long long)(first + n));
			vq_btf_free(b);
			return -EINVAL;
		}
		if (first + n >= BTF_MAX_TYPES) {
			say(err, errlen, "more than %u types", BTF_MAX_TYPES);
			vq_btf_free(b);
			return -EINVAL;
		}
		b->offs[n] = off;
		off += BTF_TYPE_LEN + (uint32_t)extra;
	}
	b->ntypes = n;
	return 0;
}

/* The record of type @id (this blob or a base), or NULL (void, unknown). */
static const uint8_t *btf_type(const struct vq_btf *b, uint32_t id)
{
	while (b && id < b->first_id)
		b = b->base;
	if (!b || id - b->first_id >= b->ntypes)
		return NULL;
	return b->types + b->offs[id - b->first_id];
}

/* The string at offset @off of the combined string sections, or NULL. */
static const char *btf_str(const struct vq_btf *b, uint32_t off)
{
	while (b && off < b->str_first)
		b = b->base;
	if (!b || off - b->str_first >= b->str_len)
		return NULL;
	return b->strs + (off - b->str_first);
}

long vq_btf_find(const struct vq_btf *b, unsigned kind, const char *name)
{
	for (; b; b = b->base) {
		uint32_t i;

		for (i = 0; i < b->ntypes; i++) {
			const uint8_t *t = b->types + b->offs[i];
			const char *s;

			if (t_kind(t) != kind)
				continue;
			s = btf_str(b, n32(t));
			if (s && !strcmp(s, name))
				return (long)b->first_id + i;
		}
	}
	return -ENOENT;
}

/* Peel typedefs and qualifiers; 0 when the chain is broken or too long. */
static uint32_t btf_resolve(const struct vq_btf *b, uint32_t id)
{
	unsigned depth;

	for (depth = 0; depth < BTF_MAX_DEPTH; depth++) {
		const uint8_t *t = btf_type(b, id);

		if (!t)
			return 0;
		switch (t_kind(t)) {
		case VQ_BTF_KIND_TYPEDEF:
		case VQ_BTF_KIND_VOLATILE:
		case VQ_BTF_KIND_CONST:
		case VQ_BTF_KIND_RESTRICT:
		case VQ_BTF_KIND_TYPE_TAG:
			id = n32(t + 8);
			continue;
		default:
			return id;
		}
	}
	return 0;
}

/* Bytes of type @id; 0 when it has no size (void, function, forward). */
static uint64_t btf_size(const struct vq_btf *b, uint32_t id, unsigned depth)
{
	const uint8_t *t;
	uint64_t elem, n;

	id = btf_resolve(b, id);
	t = btf_type(b, id);
	if (!t || depth > BTF_MAX_DEPTH)
		return 0;
	switch (t_kind(t)) {
	case VQ_BTF_KIND_INT:
	case VQ_BTF_KIND_STRUCT:
	case VQ_BTF_KIND_UNION:
	case VQ_BTF_KIND_ENUM:
	case VQ_BTF_KIND_ENUM64:
	case VQ_BTF_KIND_FLOAT:
		return n32(t + 8);
	case VQ_BTF_KIND_PTR:
		return b->ptr_size;
	case VQ_BTF_KIND_ARRAY:
		elem = btf_size(b, n32(t + BTF_TYPE_LEN), depth + 1);
		n = n32(t + BTF_TYPE_LEN + 8);
		/* No real kernel type comes near 2^32 bytes. */
		if (elem && n > (UINT32_MAX / elem))
			return 0;
		return elem * n;
	}
	return 0;
}

static int is_aggregate(const uint8_t *t)
{
	return t && (t_kind(t) == VQ_BTF_KIND_STRUCT || t_kind(t) == VQ_BTF_KIND_UNION);
}

/*
 * Member @name of aggregate @id, looking into anonymous members; its bit
 * offset from the start of @id in *@bits and its type in *@type.  Returns
 * 0, -ENOENT, or -EINVAL for a bit-field, a broken record or a search that
 * used up *@budget members.
 */
static int find_member(const struct vq_btf *b, uint32_t id, const char *name, unsigned depth,
		       unsigned *budget, uint64_t *bits, uint32_t *type)
{
	const uint8_t *t = btf_type(b, id);
	unsigned i, vlen;
	int ret;

	if (!is_aggregate(t) || depth > BTF_MAX_DEPTH)
		return -ENOENT;
	vlen = t_vlen(t);
	for (i = 0; i < vlen; i++) {
		const uint8_t *m = t + BTF_TYPE_LEN + (size_t)i * BTF_MEMBER_LEN;
		const char *mname = btf_str(b, n32(m));
		uint32_t off = n32(m + 8), mt = n32(m + 4), bitsize = 0;
		uint64_t sub;

		if (!*budget)
			return -EINVAL;
		--*budget;
		if (t_kflag(t)) {
			bitsize = off >> 24;
			off &= 0xffffff;
		}
		if (mname && mname[0]) {
			if (strcmp(mname, name))
				continue;
			if (bitsize || off % 8)
				return -EINVAL;
			*bits = off;
			*type = mt;
			return 0;
		}
		/* Anonymous struct or union: its members are ours (C11 6.7.2.1). */
		ret = find_member(b, btf_resolve(b, mt), name, depth + 1, budget, &sub, type);
		if (ret == 0)
			*bits = off + sub;
		if (ret != -ENOENT)
			return ret;
	}
	return -ENOENT;
}

int vq_btf_member(const struct vq_btf *b, uint32_t type_id, const char *path,
		  struct vq_btf_field *out, char *err, size_t errlen)
{
	char comp[BTF_NAME_MAX];
	const char *p = path;
	uint32_t id = btf_resolve(b, type_id);
	uint64_t total = 0;

	memset(out, 0, sizeof(*out));
	while (*p) {
		size_t n = strcspn(p, ".");
		unsigned budget = BTF_MEMBER_BUDGET;
		uint64_t bits;
		uint32_t mt;
		int ret;

		if (!n || n >= sizeof(comp)) {
			say(err, errlen, "bad member path '%s'", path);
			return -EINVAL;
		}
		memcpy(comp, p, n);
		comp[n] = 0;
		if (!is_aggregate(btf_type(b, id))) {
			say(err, errlen, "'%s' in '%s': not inside a struct or union", comp, path);
			return -EINVAL;
		}
		ret = find_member(b, id, comp, 0, &budget, &bits, &mt);
		if (ret == -EINVAL) {
			say(err, errlen, "member '%s' of '%s': %s", comp, path,
			    budget ? "a bit-field" : "too many anonymous members to look through");
			return ret;
		}
		if (ret) {
			say(err, errlen, "no member '%s' (in '%s')", comp, path);
			return ret;
		}
		total += bits / 8;
		id = btf_resolve(b, mt);
		p += n;
		if (*p == '.')
			p++;
	}
	out->offset = total;
	out->type_id = id;
	out->size = btf_size(b, id, 0);
	out->kind = btf_type(b, id) ? t_kind(btf_type(b, id)) : 0;
	if (!out->size) {
		say(err, errlen, "member '%s' has no size (type %u)", path, id);
		return -EINVAL;
	}
	return 0;
}

/* ---- What the search reads -------------------------------------------- */

/* One member of @sname into @f, checked: @kind (0: any scalar) and a size
 * from 1 to 8 bytes unless @any_size. */
static int field(const struct vq_btf *b, const char *sname, const char *path,
		 struct vq_btf_field *f, unsigned kind, int any_size, char *err, size_t errlen)
{
	char why[200];
	long id = vq_btf_find(b, VQ_BTF_KIND_STRUCT, sname);

	if (id < 0) {
		say(err, errlen, "struct %s not in the kernel's BTF", sname);
		return -ENOENT;
	}
	if (vq_btf_member(b, (uint32_t)id, path, f, why, sizeof(why))) {
		say(err, errlen, "struct %s: %s", sname, why);
		return -ENOENT;
	}
	if ((kind && f->kind != kind) ||
	    (!any_size && (f->size < 1 || f->size > 8 || (f->size & (f->size - 1))))) {
		say(err, errlen, "struct %s member %s: unexpected type (BTF kind %u, %llu bytes)",
		    sname, path, f->kind, (unsigned long long)f->size);
		return -EINVAL;
	}
	return 0;
}

static uint64_t struct_size(const struct vq_btf *b, const char *sname)
{
	long id = vq_btf_find(b, VQ_BTF_KIND_STRUCT, sname);

	return id < 0 ? 0 : btf_size(b, (uint32_t)id, 0);
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
		say(err, errlen,
		    "struct vring_virtqueue not in the kernel's BTF (is virtio_ring loaded, with its BTF?)");
		return -ENOENT;
	}
	if (!l->dev_size) {
		say(err, errlen, "struct virtio_device not in the kernel's BTF");
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
	/* The search compares whole 64-bit words at fixed offsets. */
	if (l->dma.size != 8 || l->desc.size != 8 || l->list_next.size != 8 ||
	    l->obj_size > KVQ_MAX_OBJ || l->dev_size > KVQ_MAX_OBJ ||
	    l->vq_list.offset + l->list_prev.offset + 8 > l->obj_size ||
	    l->dev_vqs.offset + l->list_prev.offset + 8 > l->dev_size) {
		say(err, errlen,
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
				say(err, errlen, "struct vring_virtqueue: a member lies past its end");
				return -EINVAL;
			}
		if (l->dev_index.offset + l->dev_index.size > l->dev_size ||
		    l->dev_id.offset + l->dev_id.size > l->dev_size) {
			say(err, errlen, "struct virtio_device: a member lies past its end");
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

/* Unsigned integer of @f's size at @p (little-endian: x86, arm64, riscv). */
static uint64_t get(const uint8_t *p, const struct vq_btf_field *f)
{
	switch (f->size) {
	case 1:
		return p[f->offset];
	case 2:
		return le16(p + f->offset);
	case 4:
		return le32(p + f->offset);
	}
	return le64(p + f->offset);
}

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

/*
 * Everything vq_kvq_scan promises about the object at @obj_paddr, whose
 * bytes are @o (l->obj_size of them).  0 and @q filled, or -ESTALE.
 */
static int check_obj(const struct vq_fetch *f, const struct vq_kmap *map, size_t nmap,
		     const struct vq_kvq_layout *l, uint64_t obj_paddr, const uint8_t *o,
		     struct vq_kvq_queue *q)
{
	uint8_t *dev;
	uint64_t num, dvirt, avirt, uvirt, dma, bytes, aoff, uoff, total, pa, obj_v, vdev, vdev_p;
	uint64_t me, next, prev, head, cur, val, idx, devid;
	unsigned steps;
	int found = 0;

	if (get(o, &l->packed_ring))
		return -ESTALE;
	num = get(o, &l->num);
	if (!num || num > VQ_RING_MAX_SIZE || (num & (num - 1)))
		return -ESTALE;
	dvirt = get(o, &l->desc);
	avirt = get(o, &l->avail);
	uvirt = get(o, &l->used);
	dma = get(o, &l->dma);
	bytes = get(o, &l->bytes);
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
	/* The object itself is in the same linear map. */
	obj_v = obj_paddr + (dvirt - dma);
	if (vq_kmap_v2p(map, nmap, obj_v, l->obj_size, &pa) || pa != obj_paddr)
		return -ESTALE;
	idx = get(o, &l->vq_index);
	if (idx >= VQ_QUEUES_MAX)
		return -ESTALE;

	/* Its device. */
	vdev = get(o, &l->vq_vdev);
	if (vq_kmap_v2p(map, nmap, vdev, l->dev_size, &vdev_p))
		return -ESTALE;
	dev = malloc(l->dev_size);
	if (!dev)
		return -ENOMEM;
	if (vq_fetch(f, vdev_p, dev, l->dev_size, "struct virtio_device")) {
		free(dev);
		return -ESTALE;
	}
	val = get(dev, &l->dev_index);
	devid = get(dev, &l->dev_id);
	head = vdev + l->dev_vqs.offset;
	cur = le64(dev + l->dev_vqs.offset + l->list_next.offset);
	free(dev);
	/* int index: the N of virtioN, from an IDA. */
	if (val >= (1u << 24) || !devid || devid > 0xffff)
		return -ESTALE;

	/* Linked both ways, and reachable from the device's list. */
	me = obj_v + l->vq_list.offset;
	next = get(o + l->vq_list.offset, &l->list_next);
	prev = get(o + l->vq_list.offset, &l->list_prev);
	if (read_vword(f, map, nmap, next + l->list_prev.offset, &pa) || pa != me ||
	    read_vword(f, map, nmap, prev + l->list_next.offset, &pa) || pa != me)
		return -ESTALE;
	for (steps = 0; steps < KVQ_MAX_LIST && cur != head; steps++) {
		if (cur == me) {
			found = 1;
			break;
		}
		if (read_vword(f, map, nmap, cur + l->list_next.offset, &cur))
			return -ESTALE;
	}
	if (!found)
		return -ESTALE;

	memset(q, 0, sizeof(*q));
	q->virtio_index = (uint32_t)val;
	q->device_id = (uint32_t)devid;
	q->queue = (uint32_t)idx;
	q->layout.desc = dma;
	q->layout.avail = dma + aoff;
	q->layout.used = dma + uoff;
	q->layout.size = (uint32_t)num;
	q->layout.align = (uint32_t)get(o, &l->align);
	q->obj_paddr = obj_paddr;
	q->vdev_vaddr = vdev;
	return 0;
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

long vq_kvq_scan(const struct vq_fetch *f, const struct vq_scan_region *regions, size_t nregions,
		 const struct vq_kmap *map, size_t nmap, const struct vq_kvq_layout *l,
		 long stop_index, struct vq_kvq_queue *out, size_t max)
{
	uint64_t deltas[KVQ_MAX_DELTAS];
	unsigned ndeltas = 0, d;
	size_t i, found = 0, chunks = 0, failed = 0;
	uint64_t span = l->obj_size;
	uint8_t *buf;
	int first_err = 0, stop = 0;

	/* Where a kernel virtual address may lie relative to its physical
	 * one: each mapping's offset (direct map, kernel text). */
	for (i = 0; i < nmap; i++) {
		uint64_t delta = map[i].vaddr - map[i].paddr;

		for (d = 0; d < ndeltas && deltas[d] != delta; d++)
			;
		if (d == ndeltas && ndeltas < KVQ_MAX_DELTAS)
			deltas[ndeltas++] = delta;
	}
	if (!ndeltas || !span)
		return 0;
	buf = malloc(KVQ_CHUNK + span);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < nregions && !stop; i++) {
		uint64_t end = regions[i].start + regions[i].len, pos;

		if (end < regions[i].start)
			end = UINT64_MAX;
		for (pos = regions[i].start; pos < end && end - pos >= span && !stop;
		     pos += KVQ_CHUNK) {
			uint64_t want = end - pos, lim, s;
			int ret;

			if (want > KVQ_CHUNK + span)
				want = KVQ_CHUNK + span;
			chunks++;
			ret = vq_fetch(f, pos, buf, want, "RAM searched for struct vring_virtqueue");
			if (ret) {
				if (!failed++)
					first_err = ret;
				continue;
			}
			/* Object starts whose whole object is in @buf. */
			lim = want - span + 1;
			if (lim > KVQ_CHUNK)
				lim = KVQ_CHUNK;
			for (s = (8 - pos % 8) % 8; s < lim && !stop; s += 8) {
				const uint8_t *o = buf + s;
				uint64_t v = le64(o + l->dma.offset), w;

				/* A descriptor table is 16-byte aligned (2.7.5). */
				if (!v || (v & 15))
					continue;
				w = le64(o + l->desc.offset) - v;
				for (d = 0; d < ndeltas; d++) {
					struct vq_kvq_queue q;

					if (w != deltas[d] ||
					    check_obj(f, map, nmap, l, pos + s, o, &q))
						continue;
					stop = stop_index >= 0 &&
					       q.virtio_index == (uint64_t)stop_index;
					/* The hit that ends the search is kept
					 * even when the array is full. */
					if (found < max)
						out[found] = q;
					else if (stop && max)
						out[max - 1] = q;
					found++;
					break;
				}
			}
		}
	}
	free(buf);
	if (!stop && chunks && failed == chunks)
		return first_err ? first_err : -EIO;
	return (long)found;
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
	for (steps = 0; steps < KVQ_MAX_LIST && cur != head; steps++) {
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

/* ---- The live lookup ---------------------------------------------------- */

struct vq_kvq {
	struct vq_mem *mem;           /* physical memory, the caller's */
	struct vq_fetch fetch;        /* reads through @mem */
	struct vq_btf vmlinux;        /* /sys/kernel/btf/vmlinux */
	struct vq_btf module;         /* virtio_ring's split BTF, when needed */
	struct vq_kvq_layout layout;  /* offsets */
	struct vq_kmap *map;          /* kcore's linear mappings, by vaddr */
	size_t nmap;
	struct vq_scan_region *regions; /* RAM to search: @mem's segments */
	size_t nregions;
	struct vq_kvq_queue *queues;  /* every queue of the devices in @known */
	size_t nqueues, qcap;
	unsigned *known;              /* virtio indices whose queues are all in @queues */
	size_t nknown, kcap;
	int all;                      /* a whole search was made: any other device has none */
	char *kcore_path, *btf_path;  /* as opened (for vq_kvq_lookup's cache) */
};

/* Whole small file into a new buffer. */
static int slurp(const char *path, uint8_t **out, size_t *len)
{
	size_t cap = 1 << 20, n = 0;
	uint8_t *b = malloc(cap), *nb;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0 || !b) {
		ret = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (cap >= BTF_MAX_FILE) {
				ret = -EFBIG;
				goto out;
			}
			cap *= 2;
			nb = realloc(b, cap);
			if (!nb) {
				ret = -ENOMEM;
				goto out;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	*out = b;
	*len = n;
	b = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(b);
	return ret;
}

static int load_btf(struct vq_btf *b, const char *path, const struct vq_btf *base,
		    unsigned ptr_size, char *err, size_t errlen)
{
	char why[200];
	uint8_t *data = NULL; /* gcc cannot see that slurp() sets both on success */
	size_t len = 0;
	int ret = slurp(path, &data, &len);

	if (ret) {
		say(err, errlen, "read BTF %s: %s", path, strerror(-ret));
		return ret;
	}
	ret = vq_btf_parse(b, data, len, base, ptr_size, why, sizeof(why));
	free(data);
	if (ret)
		say(err, errlen, "read BTF %s: %s", path, why);
	return ret;
}

static int kmap_cmp(const void *a, const void *b)
{
	const struct vq_kmap *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/* kcore's PT_LOAD segments with a physical address: the linear maps. */
static int load_kmap(struct vq_kvq *k, const char *path, unsigned *ptr_size, char *err,
		     size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;
	size_t i, phnum;
	GElf_Ehdr eh;
	Elf *elf;

	if (fd < 0) {
		say(err, errlen, "open %s: %s", path, strerror(errno));
		return -errno;
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    elf_getphdrnum(elf, &phnum) < 0) {
		say(err, errlen, "read %s: not an ELF core (%s)", path, elf_errmsg(-1));
		ret = -EINVAL;
		goto out;
	}
	*ptr_size = eh.e_ident[EI_CLASS] == ELFCLASS32 ? 4 : 8;
	k->map = calloc(phnum ? phnum : 1, sizeof(*k->map));
	if (!k->map) {
		ret = -ENOMEM;
		say(err, errlen, "read %s: out of memory", path);
		goto out;
	}
	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		uint64_t none = *ptr_size == 4 ? 0xffffffffull : UINT64_MAX;

		if (!gelf_getphdr(elf, (int)i, &ph)) {
			say(err, errlen, "read %s: program header %zu unreadable", path, i);
			ret = -EINVAL;
			goto out;
		}
		/* vmalloc, modules and vmemmap have no single physical address. */
		if (ph.p_type != PT_LOAD || ph.p_paddr == none || !ph.p_memsz ||
		    ph.p_vaddr + ph.p_memsz < ph.p_vaddr)
			continue;
		k->map[k->nmap++] = (struct vq_kmap){ ph.p_vaddr, ph.p_paddr, ph.p_memsz };
	}
	qsort(k->map, k->nmap, sizeof(*k->map), kmap_cmp);
	if (!k->nmap) {
		say(err, errlen, "read %s: no segment with a physical address", path);
		ret = -EINVAL;
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}

void vq_kvq_close(struct vq_kvq *k)
{
	if (!k)
		return;
	vq_btf_free(&k->module);
	vq_btf_free(&k->vmlinux);
	free(k->map);
	free(k->regions);
	free(k->queues);
	free(k->known);
	free(k->kcore_path);
	free(k->btf_path);
	free(k);
}

int vq_kvq_open(struct vq_kvq **out, struct vq_mem *mem, const char *kcore_path,
		const char *btf_path, char *err, size_t errlen)
{
	char modpath[4096], why[300];
	struct vq_kvq *k = calloc(1, sizeof(*k));
	const struct vq_btf *types;
	unsigned ptr_size = 8;
	const char *slash;
	int ret;

	*out = NULL;
	kcore_path = kcore_path ? kcore_path : VQ_KCORE_PATH;
	btf_path = btf_path ? btf_path : VQ_KVQ_BTF_PATH;
	if (!k) {
		say(err, errlen, "read Linux's virtqueues: out of memory");
		return -ENOMEM;
	}
	k->mem = mem;
	k->fetch = vq_mem_fetch(mem);
	k->kcore_path = strdup(kcore_path);
	k->btf_path = strdup(btf_path);
	ret = load_kmap(k, kcore_path, &ptr_size, why, sizeof(why));
	if (!ret)
		ret = load_btf(&k->vmlinux, btf_path, NULL, ptr_size, why, sizeof(why));
	types = &k->vmlinux;
	/* virtio_ring as a module: its types are split BTF beside vmlinux's. */
	if (!ret && vq_btf_find(types, VQ_BTF_KIND_STRUCT, "vring_virtqueue") < 0) {
		slash = strrchr(btf_path, '/');
		snprintf(modpath, sizeof(modpath), "%.*svirtio_ring",
			 slash ? (int)(slash - btf_path + 1) : 0, btf_path);
		if (access(modpath, R_OK) == 0) {
			ret = load_btf(&k->module, modpath, &k->vmlinux, ptr_size, why,
				       sizeof(why));
			types = &k->module;
		}
	}
	if (!ret)
		ret = vq_kvq_layout_from_btf(types, &k->layout, why, sizeof(why));
	if (!ret) {
		ret = vq_mem_scan_regions(mem, VQ_REGIONS_FILE, &k->regions, &k->nregions);
		if (ret)
			snprintf(why, sizeof(why), "out of memory");
	}
	if (ret) {
		say(err, errlen, "read Linux's virtqueues: %s", why);
		vq_kvq_close(k);
		return ret;
	}
	*out = k;
	return 0;
}

static int is_known(const struct vq_kvq *k, unsigned n)
{
	size_t i;

	for (i = 0; i < k->nknown; i++)
		if (k->known[i] == n)
			return 1;
	return 0;
}

/* Drop what is remembered about virtioN @n. */
static void drop_device(struct vq_kvq *k, unsigned n)
{
	size_t i, j = 0;

	for (i = 0; i < k->nqueues; i++)
		if (k->queues[i].virtio_index != n)
			k->queues[j++] = k->queues[i];
	k->nqueues = j;
	for (i = j = 0; i < k->nknown; i++)
		if (k->known[i] != n)
			k->known[j++] = k->known[i];
	k->nknown = j;
	k->all = 0;
}

/* Remember @q (its device's queues are being learnt). */
static int remember(struct vq_kvq *k, const struct vq_kvq_queue *q)
{
	size_t i;

	if (!is_known(k, q->virtio_index)) {
		if (k->nknown == k->kcap) {
			size_t cap = k->kcap ? 2 * k->kcap : 16;
			unsigned *p = realloc(k->known, cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			k->known = p;
			k->kcap = cap;
		}
		k->known[k->nknown++] = q->virtio_index;
	}
	for (i = 0; i < k->nqueues; i++)
		if (k->queues[i].obj_paddr == q->obj_paddr)
			return 0;
	if (k->nqueues == k->qcap) {
		size_t cap = k->qcap ? 2 * k->qcap : 64;
		struct vq_kvq_queue *p = realloc(k->queues, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		k->queues = p;
		k->qcap = cap;
	}
	k->queues[k->nqueues++] = *q;
	return 0;
}

/*
 * Learn virtioN @n's queues: search RAM until one of them turns up, then
 * take the rest from its device's list; every other device met on the way
 * is learnt from its list too.  A search that reaches the end without one
 * of @n's has seen every device: all are learnt, and @n has none.
 */
static int learn(struct vq_kvq *k, unsigned n, char *err, size_t errlen)
{
	struct vq_kvq_queue *q = NULL, *dq;
	size_t cap = 256, i, j, got;
	long found;
	int ret = 0, full;

	dq = malloc(KVQ_MAX_LIST * sizeof(*dq));
	for (;;) {
		struct vq_kvq_queue *nq = dq ? realloc(q, cap * sizeof(*q)) : NULL;

		if (!nq) {
			ret = -ENOMEM;
			goto out;
		}
		q = nq;
		found = vq_kvq_scan(&k->fetch, k->regions, k->nregions, k->map, k->nmap,
				    &k->layout, n, q, cap);
		if (found < 0) {
			say(err, errlen, "search kernel memory for struct vring_virtqueue: %s",
			    k->mem->err[0] ? k->mem->err : strerror((int)-found));
			ret = (int)found;
			goto out;
		}
		got = (size_t)found < cap ? (size_t)found : cap;
		/* Stopped at virtioN @n (kept last), or went through all. */
		if ((got && q[got - 1].virtio_index == n) || (size_t)found <= cap)
			break;
		cap = (size_t)found;
	}
	full = !got || q[got - 1].virtio_index != n;
	if (full) {
		k->nqueues = 0;
		k->nknown = 0;
	}
	for (i = 0; i < got && !ret; i++) {
		size_t nd;

		for (j = 0; j < i && q[j].vdev_vaddr != q[i].vdev_vaddr; j++)
			;
		if (j < i)
			continue;
		found = vq_kvq_device_queues(&k->fetch, k->map, k->nmap, &k->layout,
					     q[i].vdev_vaddr, dq, KVQ_MAX_LIST);
		if (found < 0) {
			if (q[i].virtio_index != n)
				continue;
			say(err, errlen, "read the queue list of virtio%u in kernel memory: %s", n,
			    strerror((int)-found));
			ret = (int)found;
			goto out;
		}
		nd = (size_t)found < KVQ_MAX_LIST ? (size_t)found : KVQ_MAX_LIST;
		drop_device(k, q[i].virtio_index);
		for (j = 0; j < nd && !ret; j++)
			ret = remember(k, &dq[j]);
	}
	if (full)
		k->all = 1;
out:
	if (ret == -ENOMEM)
		say(err, errlen, "search kernel memory: out of memory");
	free(q);
	free(dq);
	return ret;
}

int vq_kvq_find(struct vq_kvq *k, unsigned virtio_index, unsigned queue,
		struct vq_kvq_queue *out, char *err, size_t errlen)
{
	int fresh = 0, pass, ret;

	for (pass = 0; pass < 2; pass++) {
		struct vq_kvq_queue hit, q;
		size_t i, nhit = 0, ndev = 0, stale = 0;

		if (!is_known(k, virtio_index) && !k->all) {
			ret = learn(k, virtio_index, err, errlen);
			if (ret)
				return ret;
			fresh = 1;
		}
		for (i = 0; i < k->nqueues; i++) {
			if (k->queues[i].virtio_index != virtio_index)
				continue;
			ndev++;
			if (k->queues[i].queue != queue)
				continue;
			/* Remembered from an earlier call: still so? */
			if (!fresh) {
				if (vq_kvq_check(&k->fetch, k->map, k->nmap, &k->layout,
						 k->queues[i].obj_paddr, &q) ||
				    q.virtio_index != virtio_index || q.queue != queue) {
					stale++;
					continue;
				}
				k->queues[i] = q;
			}
			if (nhit && memcmp(&hit.layout, &k->queues[i].layout, sizeof(hit.layout))) {
				say(err, errlen,
				    "find virtio%u queue %u in kernel memory: two live vring_virtqueue objects claim it (at 0x%llx and 0x%llx)",
				    virtio_index, queue, (unsigned long long)hit.obj_paddr,
				    (unsigned long long)k->queues[i].obj_paddr);
				return -ENOTUNIQ;
			}
			hit = k->queues[i];
			nhit++;
		}
		if (nhit) {
			*out = hit;
			return 0;
		}
		/* The queue Linux had is gone: it set its queues up anew. */
		if (stale) {
			drop_device(k, virtio_index);
			continue;
		}
		say(err, errlen,
		    "find virtio%u queue %u in kernel memory: Linux has no split queue there (%zu queue%s of virtio%u found; a driver that is not bound, a queue not set up, and packed rings leave none)",
		    virtio_index, queue, ndev, ndev == 1 ? "" : "s", virtio_index);
		return -ENOENT;
	}
	say(err, errlen, "find virtio%u queue %u in kernel memory: it moved while being searched for",
	    virtio_index, queue);
	return -EAGAIN;
}

void vq_kvq_forget(struct vq_kvq *k)
{
	if (!k)
		return;
	k->nqueues = 0;
	k->nknown = 0;
	k->all = 0;
}

/* vq_kvq_lookup's context, made anew when its inputs change. */
static struct vq_kvq *cached;

void vq_kvq_lookup_forget(void)
{
	vq_kvq_forget(cached);
}

void vq_kvq_lookup_release(void)
{
	vq_kvq_close(cached);
	cached = NULL;
}

int vq_kvq_lookup(struct vq_mem *mem, const char *kcore_path, const char *btf_path,
		  unsigned virtio_index, unsigned queue, struct vq_ring_layout *out, char *err,
		  size_t errlen)
{
	struct vq_kvq_queue q;
	int ret;

	kcore_path = kcore_path ? kcore_path : VQ_KCORE_PATH;
	btf_path = btf_path ? btf_path : VQ_KVQ_BTF_PATH;
	if (cached && (cached->mem != mem || !cached->kcore_path || !cached->btf_path ||
		       strcmp(cached->kcore_path, kcore_path) || strcmp(cached->btf_path, btf_path)))
		vq_kvq_lookup_release();
	if (!cached) {
		ret = vq_kvq_open(&cached, mem, kcore_path, btf_path, err, errlen);
		if (ret)
			return ret;
	}
	ret = vq_kvq_find(cached, virtio_index, queue, &q, err, errlen);
	if (!ret)
		*out = q.layout;
	return ret;
}
