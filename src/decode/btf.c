/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small BTF reader: checks a blob, finds types by name and members by path; no I/O. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "btf.h"
#include "le.h"

/* Bytes of struct btf_header, struct btf_type and a struct btf_member. */
#define BTF_HDR_LEN 24u
#define BTF_TYPE_LEN 12u
#define BTF_MEMBER_LEN 12u
/* Typedef/qualifier chains and anonymous-member nesting followed at most
 * (real kernels: a handful). */
#define BTF_MAX_DEPTH 32u
/* Type IDs beyond this are refused (the kernel's own limit is 2^31). */
#define BTF_MAX_TYPES 0x7fffffffu
/* Longest member-path component. */
#define BTF_NAME_MAX 128u
/* Members looked at for one path component (anonymous members nest; a
 * hostile blob could make them a tree of any breadth).  The structs vqdump
 * reads have well under a hundred, anonymous ones included; 4096 leaves
 * room and keeps a hostile blob's cost per lookup small. */
#define BTF_MEMBER_BUDGET 4096u

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

/* The header's section placement (struct btf_header after its first word). */
struct btf_hdr {
	uint32_t hdr_len;  /* bytes of the header */
	uint32_t type_off; /* type section, from the header's end */
	uint32_t type_len; /* its bytes */
	uint32_t str_off;  /* string section, from the header's end */
	uint32_t str_len;  /* its bytes */
};

/* Check the header of the @len bytes at @d and where it puts the
 * sections, and the string section's delimiters: 0 and @h filled, or
 * -EINVAL / -EPROTONOSUPPORT with @err set. */
static int parse_header(const uint8_t *d, size_t len, const struct vq_btf *base,
			struct btf_hdr *h, char *err, size_t errlen)
{
	uint16_t magic;

	if (len < BTF_HDR_LEN) {
		vq_errbuf(err, errlen, 0, "%zu bytes: shorter than a BTF header", len);
		return -EINVAL;
	}
	memcpy(&magic, d, 2);
	if (magic != VQ_BTF_MAGIC) {
		vq_errbuf(err, errlen, 0, "%s (magic 0x%04x)",
			  magic == 0x9feb ? "BTF of the other byte order" : "not BTF", magic);
		return magic == 0x9feb ? -EPROTONOSUPPORT : -EINVAL;
	}
	if (d[2] != 1) {
		vq_errbuf(err, errlen, 0, "BTF version %u (this reader knows 1)", d[2]);
		return -EPROTONOSUPPORT;
	}
	h->hdr_len = n32(d + 4);
	h->type_off = n32(d + 8);
	h->type_len = n32(d + 12);
	h->str_off = n32(d + 16);
	h->str_len = n32(d + 20);
	/* Sections are placed after the header, inside the blob, types
	 * 4-byte aligned; all sums in 64 bits so none wraps. */
	if (h->hdr_len < BTF_HDR_LEN || h->hdr_len > len ||
	    (uint64_t)h->hdr_len + h->type_off + h->type_len > len ||
	    (uint64_t)h->hdr_len + h->str_off + h->str_len > len || h->type_off % 4 ||
	    (h->hdr_len + h->type_off) % 4) {
		vq_errbuf(err, errlen, 0,
			  "header (length %u, types %u+%u, strings %u+%u) does not fit the %zu bytes",
			  h->hdr_len, h->type_off, h->type_len, h->str_off, h->str_len, len);
		return -EINVAL;
	}
	/* Strings: NUL-terminated as a whole; a base starts with "" (name 0). */
	if ((h->str_len && d[h->hdr_len + h->str_off + h->str_len - 1]) ||
	    (!base && (!h->str_len || d[h->hdr_len + h->str_off]))) {
		vq_errbuf(err, errlen, 0, "string section not NUL-delimited");
		return -EINVAL;
	}
	if (base && (uint64_t)base->str_first + base->str_len > UINT32_MAX) {
		vq_errbuf(err, errlen, 0, "base strings too long");
		return -EINVAL;
	}
	return 0;
}

/* Walk the @type_len bytes of b->types, each record sized by its kind,
 * into b->offs; the first is type @first.  0, or -EINVAL with @err set. */
static int index_types(struct vq_btf *b, uint32_t type_len, uint64_t first, char *err,
		       size_t errlen)
{
	uint32_t off, n = 0;

	for (off = 0; off < type_len; n++) {
		const uint8_t *t = b->types + off;
		long extra;

		if (type_len - off < BTF_TYPE_LEN) {
			vq_errbuf(err, errlen, 0, "type %llu cut at byte %u of the type section",
				  (unsigned long long)(first + n), off);
			return -EINVAL;
		}
		extra = trailer_len(t_kind(t), t_vlen(t));
		if (extra < 0 || t_kind(t) == 0) {
			vq_errbuf(err, errlen, 0, "type %llu has unknown kind %u",
				  (unsigned long long)(first + n), t_kind(t));
			return -EINVAL;
		}
		if ((uint64_t)type_len - off - BTF_TYPE_LEN < (uint64_t)extra) {
			vq_errbuf(err, errlen, 0, "type %llu runs past the type section",
				  (unsigned long long)(first + n));
			return -EINVAL;
		}
		if (first + n >= BTF_MAX_TYPES) {
			vq_errbuf(err, errlen, 0, "more than %u types", BTF_MAX_TYPES);
			return -EINVAL;
		}
		b->offs[n] = off;
		off += BTF_TYPE_LEN + (uint32_t)extra;
	}
	b->ntypes = n;
	return 0;
}

int vq_btf_parse(struct vq_btf *b, const void *data, size_t len, const struct vq_btf *base,
		 unsigned ptr_size, char *err, size_t errlen)
{
	const uint8_t *d = data;
	struct btf_hdr h;
	uint64_t first;
	int ret;

	memset(b, 0, sizeof(*b));
	ret = parse_header(d, len, base, &h, err, errlen);
	if (ret)
		return ret;
	first = base ? (uint64_t)base->first_id + base->ntypes : 1;
	b->data = malloc(len);
	b->offs = malloc(((size_t)h.type_len / BTF_TYPE_LEN + 1) * sizeof(*b->offs));
	if (!b->data || !b->offs) {
		vq_btf_free(b);
		vq_errbuf(err, errlen, 0, "out of memory");
		return -ENOMEM;
	}
	memcpy(b->data, d, len);
	b->len = len;
	b->types = b->data + h.hdr_len + h.type_off;
	b->strs = (const char *)b->data + h.hdr_len + h.str_off;
	b->str_len = h.str_len;
	b->str_first = base ? base->str_first + base->str_len : 0;
	b->base = base;
	b->ptr_size = ptr_size;
	b->first_id = (uint32_t)first;
	ret = index_types(b, h.type_len, first, err, errlen);
	if (ret)
		vq_btf_free(b);
	return ret;
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

uint64_t vq_btf_size(const struct vq_btf *b, uint32_t id)
{
	return btf_size(b, id, 0);
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
			vq_errbuf(err, errlen, 0, "bad member path '%s'", path);
			return -EINVAL;
		}
		memcpy(comp, p, n);
		comp[n] = 0;
		if (!is_aggregate(btf_type(b, id))) {
			vq_errbuf(err, errlen, 0, "'%s' in '%s': not inside a struct or union", comp, path);
			return -EINVAL;
		}
		ret = find_member(b, id, comp, 0, &budget, &bits, &mt);
		if (ret == -EINVAL) {
			vq_errbuf(err, errlen, 0, "member '%s' of '%s': %s", comp, path,
				  budget ? "a bit-field" : "too many anonymous members to look through");
			return ret;
		}
		if (ret) {
			vq_errbuf(err, errlen, 0, "no member '%s' (in '%s')", comp, path);
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
		vq_errbuf(err, errlen, 0, "member '%s' has no size (type %u)", path, id);
		return -EINVAL;
	}
	return 0;
}

uint64_t vq_btf_field_get(const uint8_t *obj, const struct vq_btf_field *f)
{
	switch (f->size) {
	case 1:
		return obj[f->offset];
	case 2:
		return le16(obj + f->offset);
	case 4:
		return le32(obj + f->offset);
	}
	return le64(obj + f->offset);
}
