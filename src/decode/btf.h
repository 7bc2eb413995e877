/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small BTF reader (Documentation/bpf/btf.rst): struct layouts from untrusted bytes, no I/O. */
#ifndef VQDUMP_DECODE_BTF_H
#define VQDUMP_DECODE_BTF_H

#include <stddef.h>
#include <stdint.h>

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

/* The unsigned integer member @f of an object at @obj, as read into
 * memory: @f's size (1, 2, 4, else 8 bytes), little-endian (x86, arm64,
 * riscv: the kernels whose records vqdump reads). */
uint64_t vq_btf_field_get(const uint8_t *obj, const struct vq_btf_field *f);

/*
 * Parse @len bytes at @data (copied: the one allocation, freed by
 * vq_btf_free) as BTF, split on top of @base when @base is not NULL.
 * Every section offset and record is checked against the blob; a pointer
 * is @ptr_size bytes.  Returns 0, or a negative errno with @err saying
 * what is wrong.
 */
int vq_btf_parse(struct vq_btf *b, const void *data, size_t len, const struct vq_btf *base,
		 unsigned ptr_size, char *err, size_t errlen);
void vq_btf_free(struct vq_btf *b);

/* Type ID of the struct/union/... named @name (this blob, then its base);
 * -ENOENT when there is none. */
long vq_btf_find(const struct vq_btf *b, unsigned kind, const char *name);

/* Bytes of type @id, typedefs and qualifiers peeled; 0 when it has no size
 * (void, function, forward, a broken chain). */
uint64_t vq_btf_size(const struct vq_btf *b, uint32_t id);

/*
 * The member @path ("split.vring.desc") of the struct or union @type_id:
 * members of anonymous structs and unions are found as if they were the
 * outer type's own (C's rule).  Bit-fields are refused.  Returns 0, or
 * -ENOENT / -EINVAL with @err naming the member.
 */
int vq_btf_member(const struct vq_btf *b, uint32_t type_id, const char *path,
		  struct vq_btf_field *out, char *err, size_t errlen);

#endif
