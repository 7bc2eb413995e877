/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of kvq.c's pure parts: the BTF reader, kernel virtual-to-physical lookup, the vring_virtqueue search. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <linux/virtio_ring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access/kvq.h"
#include "fakemem.h"

/*
 * Linux 6.1's structures as x86-64 lays them out (pointers as 64-bit
 * words), the model the synthetic BTF below describes: every offset the
 * reader finds must be the one the C compiler gives for these.
 */
struct m_list_head {
	uint64_t next, prev;
};

struct m_virtqueue {
	struct m_list_head list;
	uint64_t callback, name, vdev;
	uint32_t index, num_free, num_max;
	uint64_t priv;
	uint8_t reset;
};

struct m_virtio_device_id {
	uint32_t device, vendor;
};

struct m_virtio_device {
	int32_t index;
	uint8_t failed, config_enabled, config_change_pending;
	uint8_t dev[741]; /* struct device and the locks, not described */
	struct m_virtio_device_id id;
	uint64_t config, vringh_config;
	struct m_list_head vqs;
	uint64_t features, priv;
};

struct m_vring {
	uint32_t num;
	uint64_t desc, avail, used;
};

struct m_split {
	struct m_vring vring;
	uint16_t avail_flags_shadow, avail_idx_shadow;
	uint64_t desc_state, desc_extra;
	uint64_t queue_dma_addr;
	uint64_t queue_size_in_bytes;
	uint32_t vring_align;
	uint8_t may_reduce_num;
};

struct m_pvring {
	uint32_t num;
	uint64_t desc, driver, device;
};

struct m_packed {
	struct m_pvring vring; /* an anonymous struct in the kernel */
	uint8_t avail_wrap_counter;
	uint16_t avail_used_flags, next_avail_idx, event_flags_shadow;
	uint64_t desc_state, desc_extra;
	uint64_t ring_dma_addr, driver_event_dma_addr, device_event_dma_addr;
	uint64_t ring_size_in_bytes, event_size_in_bytes;
};

/* Per Buffer ID, and per descriptor (linked by next from the ID on). */
struct m_desc_state_packed {
	uint64_t data, indir_desc;
	uint16_t num, last;
};

struct m_desc_extra {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct m_vvq {
	struct m_virtqueue vq;
	uint8_t packed_ring, use_dma_api, weak_barriers, broken, indirect, event;
	uint8_t premapped, do_unmap; /* Linux 6.6 on (BTF variant RING_6_8) */
	uint32_t free_head, num_added;
	uint16_t last_used_idx;
	union {
		struct m_split split;
		struct {
			struct m_packed packed; /* nested anonymous struct: found too */
		};
	};
	uint64_t notify;
	uint8_t we_own_ring;
};

/* ---- A BTF writer for the tests ------------------------------------ */

struct bb {
	uint8_t types[16384]; /* type section being written */
	size_t tlen;
	char strs[8192];      /* string section being written */
	size_t slen;
	uint32_t next_id;     /* ID the next type gets */
	uint32_t str_first;   /* string offset of strs[0] (split BTF) */
};

static void bb_init(struct bb *b, const struct bb *base)
{
	memset(b, 0, sizeof(*b));
	b->slen = 1; /* "" at offset 0 */
	b->next_id = base ? base->next_id : 1;
	b->str_first = base ? base->str_first + (uint32_t)base->slen : 0;
}

static uint32_t bb_str(struct bb *b, const char *s)
{
	size_t n = strlen(s) + 1;
	uint32_t off = b->str_first + (uint32_t)b->slen;

	if (!s[0])
		return 0;
	assert_true(b->slen + n <= sizeof(b->strs));
	memcpy(b->strs + b->slen, s, n);
	b->slen += n;
	return off;
}

static void bb_u32(struct bb *b, uint32_t v)
{
	assert_true(b->tlen + 4 <= sizeof(b->types));
	memcpy(b->types + b->tlen, &v, 4);
	b->tlen += 4;
}

static uint32_t bb_type(struct bb *b, const char *name, unsigned kind, unsigned vlen, int kflag,
			uint32_t size_or_type)
{
	bb_u32(b, name ? bb_str(b, name) : 0);
	bb_u32(b, (uint32_t)kind << 24 | vlen | (uint32_t)!!kflag << 31);
	bb_u32(b, size_or_type);
	return b->next_id++;
}

static uint32_t bb_int(struct bb *b, const char *name, unsigned bytes)
{
	uint32_t id = bb_type(b, name, VQ_BTF_KIND_INT, 0, 0, bytes);

	bb_u32(b, bytes * 8); /* encoding: bits */
	return id;
}

static void bb_member(struct bb *b, const char *name, uint32_t type, size_t byte_off)
{
	bb_u32(b, name ? bb_str(b, name) : 0);
	bb_u32(b, type);
	bb_u32(b, (uint32_t)byte_off * 8);
}

/* The whole blob into @out; its length. */
static size_t bb_blob(const struct bb *b, uint8_t *out)
{
	uint16_t magic = VQ_BTF_MAGIC;
	uint32_t h[5] = { 24, 0, (uint32_t)b->tlen, (uint32_t)b->tlen, (uint32_t)b->slen };

	memcpy(out, &magic, 2);
	out[2] = 1;
	out[3] = 0;
	memcpy(out + 4, h, sizeof(h));
	memcpy(out + 24, b->types, b->tlen);
	memcpy(out + 24 + b->tlen, b->strs, b->slen);
	return 24 + b->tlen + b->slen;
}

/* IDs of the base types the split part refers to. */
struct base_ids {
	uint32_t u8, u16, u32, int32, u64, voidp, list_head, virtqueue, virtio_device;
};

/* vmlinux's part: scalars, list_head, virtqueue, virtio_device. */
static void build_base(struct bb *b, struct base_ids *t)
{
	uint32_t devid, vdev_ptr, ptr_vq;

	bb_init(b, NULL);
	t->u8 = bb_int(b, "unsigned char", 1);
	t->u16 = bb_int(b, "short unsigned int", 2);
	t->u32 = bb_int(b, "unsigned int", 4);
	t->int32 = bb_int(b, "int", 4);
	t->u64 = bb_int(b, "long long unsigned int", 8);
	t->voidp = bb_type(b, NULL, VQ_BTF_KIND_PTR, 0, 0, 0);
	t->list_head = bb_type(b, "list_head", VQ_BTF_KIND_STRUCT, 2, 0, sizeof(struct m_list_head));
	/* list_head's members point at list_head: the ID after virtio_device_id. */
	bb_member(b, "next", t->list_head + 1, offsetof(struct m_list_head, next));
	bb_member(b, "prev", t->list_head + 1, offsetof(struct m_list_head, prev));
	assert_int_equal(bb_type(b, NULL, VQ_BTF_KIND_PTR, 0, 0, t->list_head), t->list_head + 1);
	devid = bb_type(b, "virtio_device_id", VQ_BTF_KIND_STRUCT, 2, 0,
			sizeof(struct m_virtio_device_id));
	bb_member(b, "device", t->u32, offsetof(struct m_virtio_device_id, device));
	bb_member(b, "vendor", t->u32, offsetof(struct m_virtio_device_id, vendor));
	t->virtio_device = bb_type(b, "virtio_device", VQ_BTF_KIND_STRUCT, 5, 0,
				   sizeof(struct m_virtio_device));
	bb_member(b, "index", t->int32, offsetof(struct m_virtio_device, index));
	bb_member(b, "failed", t->u8, offsetof(struct m_virtio_device, failed));
	bb_member(b, "id", devid, offsetof(struct m_virtio_device, id));
	bb_member(b, "vqs", t->list_head, offsetof(struct m_virtio_device, vqs));
	bb_member(b, "priv", t->voidp, offsetof(struct m_virtio_device, priv));
	vdev_ptr = bb_type(b, NULL, VQ_BTF_KIND_PTR, 0, 0, t->virtio_device);
	t->virtqueue = bb_type(b, "virtqueue", VQ_BTF_KIND_STRUCT, 6, 0, sizeof(struct m_virtqueue));
	bb_member(b, "list", t->list_head, offsetof(struct m_virtqueue, list));
	bb_member(b, "name", t->voidp, offsetof(struct m_virtqueue, name));
	bb_member(b, "num_free", t->u32, offsetof(struct m_virtqueue, num_free));
	bb_member(b, "vdev", vdev_ptr, offsetof(struct m_virtqueue, vdev));
	bb_member(b, "index", t->u32, offsetof(struct m_virtqueue, index));
	bb_member(b, "num_max", t->u32, offsetof(struct m_virtqueue, num_max));
	ptr_vq = bb_type(b, NULL, VQ_BTF_KIND_PTR, 0, 0, t->virtqueue);
	(void)ptr_vq;
}

/* Which kernel's vring_virtqueue build_ring_types() writes: Linux 6.1
 * (use_dma_api), 6.6 to 6.8 (use_dma_api, premapped, do_unmap), 6.18 on
 * (use_map_api where use_dma_api was); the model's bytes stay the same. */
enum ring_variant { RING_6_1, RING_6_8, RING_6_18 };
static enum ring_variant ring_variant;

/* virtio_ring's part (split BTF on @base, or more of the base itself):
 * vring, the split and packed halves, vring_virtqueue with its anonymous
 * union. */
static void build_ring_types(struct bb *b, const struct base_ids *t)
{
	uint32_t dma, cdma, vring, pvring, split, packed, anon_s, anon_u, vvq, boolean;
	uint32_t ds, de, ds_ptr, de_ptr;
	const size_t usize = offsetof(struct m_vvq, notify) - offsetof(struct m_vvq, split);

	boolean = bb_int(b, "_Bool", 1);
	dma = bb_type(b, "dma_addr_t", VQ_BTF_KIND_TYPEDEF, 0, 0, t->u64);
	cdma = bb_type(b, NULL, VQ_BTF_KIND_CONST, 0, 0, dma);
	vring = bb_type(b, "vring", VQ_BTF_KIND_STRUCT, 4, 0, sizeof(struct m_vring));
	bb_member(b, "num", t->u32, offsetof(struct m_vring, num));
	bb_member(b, "desc", t->voidp, offsetof(struct m_vring, desc));
	bb_member(b, "avail", t->voidp, offsetof(struct m_vring, avail));
	bb_member(b, "used", t->voidp, offsetof(struct m_vring, used));
	split = bb_type(b, "vring_virtqueue_split", VQ_BTF_KIND_STRUCT, 6, 0,
			sizeof(struct m_split));
	bb_member(b, "vring", vring, offsetof(struct m_split, vring));
	bb_member(b, "avail_flags_shadow", t->u16, offsetof(struct m_split, avail_flags_shadow));
	bb_member(b, "avail_idx_shadow", t->u16, offsetof(struct m_split, avail_idx_shadow));
	bb_member(b, "queue_dma_addr", cdma, offsetof(struct m_split, queue_dma_addr));
	bb_member(b, "queue_size_in_bytes", t->u64, offsetof(struct m_split, queue_size_in_bytes));
	bb_member(b, "vring_align", t->u32, offsetof(struct m_split, vring_align));
	pvring = bb_type(b, NULL, VQ_BTF_KIND_STRUCT, 4, 0, sizeof(struct m_pvring));
	bb_member(b, "num", t->u32, offsetof(struct m_pvring, num));
	bb_member(b, "desc", t->voidp, offsetof(struct m_pvring, desc));
	bb_member(b, "driver", t->voidp, offsetof(struct m_pvring, driver));
	bb_member(b, "device", t->voidp, offsetof(struct m_pvring, device));
	ds = bb_type(b, "vring_desc_state_packed", VQ_BTF_KIND_STRUCT, 4, 0,
		     sizeof(struct m_desc_state_packed));
	bb_member(b, "data", t->voidp, offsetof(struct m_desc_state_packed, data));
	bb_member(b, "indir_desc", t->voidp, offsetof(struct m_desc_state_packed, indir_desc));
	bb_member(b, "num", t->u16, offsetof(struct m_desc_state_packed, num));
	bb_member(b, "last", t->u16, offsetof(struct m_desc_state_packed, last));
	de = bb_type(b, "vring_desc_extra", VQ_BTF_KIND_STRUCT, 4, 0, sizeof(struct m_desc_extra));
	bb_member(b, "addr", dma, offsetof(struct m_desc_extra, addr));
	bb_member(b, "len", t->u32, offsetof(struct m_desc_extra, len));
	bb_member(b, "flags", t->u16, offsetof(struct m_desc_extra, flags));
	bb_member(b, "next", t->u16, offsetof(struct m_desc_extra, next));
	ds_ptr = bb_type(b, NULL, VQ_BTF_KIND_PTR, 0, 0, ds);
	de_ptr = bb_type(b, NULL, VQ_BTF_KIND_PTR, 0, 0, de);
	packed = bb_type(b, "vring_virtqueue_packed", VQ_BTF_KIND_STRUCT, 10, 0,
			 sizeof(struct m_packed));
	bb_member(b, "vring", pvring, offsetof(struct m_packed, vring));
	bb_member(b, "avail_wrap_counter", boolean, offsetof(struct m_packed, avail_wrap_counter));
	bb_member(b, "next_avail_idx", t->u16, offsetof(struct m_packed, next_avail_idx));
	bb_member(b, "event_flags_shadow", t->u16, offsetof(struct m_packed, event_flags_shadow));
	bb_member(b, "ring_dma_addr", dma, offsetof(struct m_packed, ring_dma_addr));
	bb_member(b, "driver_event_dma_addr", dma, offsetof(struct m_packed, driver_event_dma_addr));
	bb_member(b, "device_event_dma_addr", dma, offsetof(struct m_packed, device_event_dma_addr));
	bb_member(b, "ring_size_in_bytes", t->u64, offsetof(struct m_packed, ring_size_in_bytes));
	bb_member(b, "desc_state", ds_ptr, offsetof(struct m_packed, desc_state));
	bb_member(b, "desc_extra", de_ptr, offsetof(struct m_packed, desc_extra));
	/* union { split; struct { packed; }; } */
	anon_s = bb_type(b, NULL, VQ_BTF_KIND_STRUCT, 1, 0, sizeof(struct m_packed));
	bb_member(b, "packed", packed, 0);
	anon_u = bb_type(b, NULL, VQ_BTF_KIND_UNION, 2, 0, usize);
	bb_member(b, "split", split, 0);
	bb_member(b, NULL, anon_s, 0);
	vvq = bb_type(b, "vring_virtqueue", VQ_BTF_KIND_STRUCT, ring_variant == RING_6_8 ? 12 : 10,
		      0, sizeof(struct m_vvq));
	bb_member(b, "vq", t->virtqueue, offsetof(struct m_vvq, vq));
	bb_member(b, "packed_ring", boolean, offsetof(struct m_vvq, packed_ring));
	bb_member(b, ring_variant == RING_6_18 ? "use_map_api" : "use_dma_api", boolean,
		  offsetof(struct m_vvq, use_dma_api));
	if (ring_variant == RING_6_8) {
		bb_member(b, "premapped", boolean, offsetof(struct m_vvq, premapped));
		bb_member(b, "do_unmap", boolean, offsetof(struct m_vvq, do_unmap));
	}
	bb_member(b, "indirect", boolean, offsetof(struct m_vvq, indirect));
	bb_member(b, "broken", boolean, offsetof(struct m_vvq, broken));
	bb_member(b, "event", boolean, offsetof(struct m_vvq, event));
	bb_member(b, "last_used_idx", t->u16, offsetof(struct m_vvq, last_used_idx));
	bb_member(b, "free_head", t->u32, offsetof(struct m_vvq, free_head));
	bb_member(b, NULL, anon_u, offsetof(struct m_vvq, split));
	bb_member(b, "notify", t->voidp, offsetof(struct m_vvq, notify));
	(void)vvq;
}

static uint8_t blob_a[32768], blob_b[32768];

/* vmlinux + virtio_ring as split BTF, parsed. */
static void parse_split(struct vq_btf *base, struct vq_btf *mod)
{
	static struct bb bb_base, bb_mod;
	struct base_ids t;
	char err[256];
	size_t na, nb;

	build_base(&bb_base, &t);
	bb_init(&bb_mod, &bb_base);
	build_ring_types(&bb_mod, &t);
	na = bb_blob(&bb_base, blob_a);
	nb = bb_blob(&bb_mod, blob_b);
	assert_int_equal(vq_btf_parse(base, blob_a, na, NULL, 8, err, sizeof(err)), 0);
	assert_int_equal(vq_btf_parse(mod, blob_b, nb, base, 8, err, sizeof(err)), 0);
}

/* The packed half's members: as the model lays them out, or (@may_go,
 * a mutated blob that lost one of them) all absent. */
static void expect_packed(const struct vq_kvq_layout *l, int may_go)
{
	size_t s = offsetof(struct m_vvq, split);

	if (may_go && !l->p_num.size) {
		assert_int_equal(l->p_desc.size + l->p_driver.size + l->p_device.size + l->p_dma.size +
					 l->p_driver_dma.size + l->p_device_dma.size,
				 0);
		return;
	}
	assert_int_equal(l->p_num.offset, s + offsetof(struct m_packed, vring.num));
	assert_int_equal(l->p_desc.offset, s + offsetof(struct m_packed, vring.desc));
	assert_int_equal(l->p_driver.offset, s + offsetof(struct m_packed, vring.driver));
	assert_int_equal(l->p_device.offset, s + offsetof(struct m_packed, vring.device));
	assert_int_equal(l->p_dma.offset, s + offsetof(struct m_packed, ring_dma_addr));
	assert_int_equal(l->p_driver_dma.offset, s + offsetof(struct m_packed, driver_event_dma_addr));
	assert_int_equal(l->p_device_dma.offset, s + offsetof(struct m_packed, device_event_dma_addr));
	assert_int_equal(l->p_dma.size, 8);
	assert_int_equal(l->p_desc.size, 8);
}

static void expect_split(const struct vq_kvq_layout *l)
{
	size_t s = offsetof(struct m_vvq, split);

	assert_int_equal(l->obj_size, sizeof(struct m_vvq));
	assert_int_equal(l->dev_size, sizeof(struct m_virtio_device));
	assert_int_equal(l->packed_ring.offset, offsetof(struct m_vvq, packed_ring));
	assert_int_equal(l->packed_ring.size, 1);
	assert_int_equal(l->vq_list.offset, offsetof(struct m_vvq, vq.list));
	assert_int_equal(l->vq_vdev.offset, offsetof(struct m_vvq, vq.vdev));
	assert_int_equal(l->vq_index.offset, offsetof(struct m_vvq, vq.index));
	assert_int_equal(l->num.offset, s + offsetof(struct m_split, vring.num));
	assert_int_equal(l->desc.offset, s + offsetof(struct m_split, vring.desc));
	assert_int_equal(l->avail.offset, s + offsetof(struct m_split, vring.avail));
	assert_int_equal(l->used.offset, s + offsetof(struct m_split, vring.used));
	assert_int_equal(l->dma.offset, s + offsetof(struct m_split, queue_dma_addr));
	assert_int_equal(l->dma.size, 8);
	assert_int_equal(l->bytes.offset, s + offsetof(struct m_split, queue_size_in_bytes));
	assert_int_equal(l->align.offset, s + offsetof(struct m_split, vring_align));
	assert_int_equal(l->list_prev.offset, 8);
	assert_int_equal(l->dev_index.offset, offsetof(struct m_virtio_device, index));
	assert_int_equal(l->dev_id.offset, offsetof(struct m_virtio_device, id.device));
	assert_int_equal(l->dev_vqs.offset, offsetof(struct m_virtio_device, vqs));
}

static void expect_layout(const struct vq_kvq_layout *l)
{
	expect_split(l);
	expect_packed(l, 0);
}

/* A mutant's accepted layout: the split half intact, the packed half
 * intact or dropped whole. */
static void expect_mutant_layout(const struct vq_kvq_layout *l)
{
	expect_split(l);
	expect_packed(l, 1);
}

static void test_btf_split_layout(void **state)
{
	struct vq_btf base, mod;
	struct vq_kvq_layout l;
	char err[256];

	(void)state;
	parse_split(&base, &mod);
	/* vmlinux alone lacks virtio_ring's types, and says so. */
	assert_int_equal(vq_kvq_layout_from_btf(&base, &l, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "vring_virtqueue"));
	assert_int_equal(vq_kvq_layout_from_btf(&mod, &l, err, sizeof(err)), 0);
	expect_layout(&l);
	vq_btf_free(&mod);
	vq_btf_free(&base);
}

/* virtio_ring built in: everything in one blob. */
static void test_btf_single_blob(void **state)
{
	static struct bb b;
	struct base_ids t;
	struct vq_btf btf;
	struct vq_kvq_layout l;
	char err[256];
	size_t n;

	(void)state;
	build_base(&b, &t);
	build_ring_types(&b, &t);
	n = bb_blob(&b, blob_a);
	assert_int_equal(vq_btf_parse(&btf, blob_a, n, NULL, 8, err, sizeof(err)), 0);
	assert_int_equal(vq_kvq_layout_from_btf(&btf, &l, err, sizeof(err)), 0);
	expect_layout(&l);
	vq_btf_free(&btf);
}

static void test_btf_member_paths(void **state)
{
	struct vq_btf base, mod;
	struct vq_btf_field f;
	char err[256];
	long id;

	(void)state;
	parse_split(&base, &mod);
	id = vq_btf_find(&mod, VQ_BTF_KIND_STRUCT, "vring_virtqueue");
	assert_true(id > 0);
	/* Through the anonymous union and the anonymous struct inside it. */
	assert_int_equal(vq_btf_member(&mod, (uint32_t)id, "packed.ring_dma_addr", &f, err,
				       sizeof(err)), 0);
	assert_int_equal(f.offset, offsetof(struct m_vvq, packed.ring_dma_addr));
	assert_int_equal(f.size, 8);
	assert_int_equal(f.kind, VQ_BTF_KIND_INT); /* typedef peeled */
	assert_int_equal(vq_btf_member(&mod, (uint32_t)id, "vq", &f, err, sizeof(err)), 0);
	assert_int_equal(f.kind, VQ_BTF_KIND_STRUCT);
	assert_int_equal(f.size, sizeof(struct m_virtqueue));
	assert_int_equal(vq_btf_member(&mod, (uint32_t)id, "split.nothing", &f, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "nothing"));
	assert_int_equal(vq_btf_member(&mod, (uint32_t)id, "vq..index", &f, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(vq_btf_member(&mod, (uint32_t)id, "free_head.x", &f, err, sizeof(err)),
			 -EINVAL);
	/* Types of the base are found through the split blob. */
	assert_true(vq_btf_find(&mod, VQ_BTF_KIND_STRUCT, "virtio_device") > 0);
	assert_int_equal(vq_btf_find(&mod, VQ_BTF_KIND_UNION, "virtio_device"), -ENOENT);
	assert_int_equal(vq_btf_find(&base, VQ_BTF_KIND_STRUCT, "vring"), -ENOENT);
	vq_btf_free(&mod);
	vq_btf_free(&base);
}

static void test_btf_bitfield_refused(void **state)
{
	static struct bb b;
	struct vq_btf btf;
	struct vq_btf_field f;
	char err[256];
	uint32_t u32, s;
	size_t n;

	(void)state;
	bb_init(&b, NULL);
	u32 = bb_int(&b, "unsigned int", 4);
	s = bb_type(&b, "bits", VQ_BTF_KIND_STRUCT, 2, 1, 4);
	bb_u32(&b, bb_str(&b, "a"));
	bb_u32(&b, u32);
	bb_u32(&b, 3u << 24 | 0); /* 3-bit field at bit 0 */
	bb_u32(&b, bb_str(&b, "b"));
	bb_u32(&b, u32);
	bb_u32(&b, 0u << 24 | 0);
	n = bb_blob(&b, blob_a);
	assert_int_equal(vq_btf_parse(&btf, blob_a, n, NULL, 8, err, sizeof(err)), 0);
	assert_int_equal(vq_btf_member(&btf, s, "a", &f, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bit-field"));
	assert_int_equal(vq_btf_member(&btf, s, "b", &f, err, sizeof(err)), 0);
	vq_btf_free(&btf);
}

/* A typedef that names itself, a member of an unknown type, an array too
 * large: answered, never followed forever or overflowed. */
static void test_btf_broken_references(void **state)
{
	static struct bb b;
	struct vq_btf btf;
	struct vq_btf_field f;
	char err[256];
	uint32_t u8, loop, big, huge, s;
	size_t n;

	(void)state;
	bb_init(&b, NULL);
	u8 = bb_int(&b, "unsigned char", 1);
	loop = bb_type(&b, "loop_t", VQ_BTF_KIND_TYPEDEF, 0, 0, 3); /* ID 2 -> 3 */
	assert_int_equal(bb_type(&b, "loop2_t", VQ_BTF_KIND_TYPEDEF, 0, 0, loop), 3);
	big = bb_type(&b, NULL, VQ_BTF_KIND_ARRAY, 0, 0, 0); /* u8[2^32 - 1] */
	bb_u32(&b, u8);
	bb_u32(&b, u8);
	bb_u32(&b, 0xffffffffu);
	huge = bb_type(&b, NULL, VQ_BTF_KIND_ARRAY, 0, 0, 0); /* big[2^32 - 1] */
	bb_u32(&b, big);
	bb_u32(&b, u8);
	bb_u32(&b, 0xffffffffu);
	s = bb_type(&b, "s", VQ_BTF_KIND_STRUCT, 3, 0, 16);
	bb_member(&b, "loop", loop, 0);
	bb_member(&b, "ghost", 999999, 4);
	bb_member(&b, "huge", huge, 8);
	n = bb_blob(&b, blob_a);
	assert_int_equal(vq_btf_parse(&btf, blob_a, n, NULL, 8, err, sizeof(err)), 0);
	assert_int_equal(vq_btf_member(&btf, s, "loop", &f, err, sizeof(err)), -EINVAL);
	assert_int_equal(vq_btf_member(&btf, s, "ghost", &f, err, sizeof(err)), -EINVAL);
	assert_int_equal(vq_btf_member(&btf, s, "huge", &f, err, sizeof(err)), -EINVAL);
	assert_int_equal(vq_btf_member(&btf, s, "loop.x", &f, err, sizeof(err)), -EINVAL);
	vq_btf_free(&btf);
}

/* A struct whose anonymous members are itself, eight times over: a
 * member it lacks is looked for within a bounded number of steps. */
static void test_btf_anonymous_tree(void **state)
{
	static struct bb b;
	struct vq_btf btf;
	struct vq_btf_field f;
	char err[256];
	uint32_t u8, s;
	unsigned i;
	size_t n;

	(void)state;
	bb_init(&b, NULL);
	u8 = bb_int(&b, "unsigned char", 1);
	s = bb_type(&b, "tree", VQ_BTF_KIND_STRUCT, 9, 0, 1);
	bb_member(&b, "leaf", u8, 0);
	for (i = 0; i < 8; i++)
		bb_member(&b, NULL, s, 0);
	n = bb_blob(&b, blob_a);
	assert_int_equal(vq_btf_parse(&btf, blob_a, n, NULL, 8, err, sizeof(err)), 0);
	assert_int_equal(vq_btf_member(&btf, s, "leaf", &f, err, sizeof(err)), 0);
	assert_int_equal(vq_btf_member(&btf, s, "absent", &f, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "too many"));
	vq_btf_free(&btf);
}

static void test_btf_header_checks(void **state)
{
	static struct bb b;
	struct base_ids t;
	struct vq_btf btf;
	uint8_t bad[sizeof(blob_a)];
	char err[256];
	uint32_t v;
	size_t n;

	(void)state;
	build_base(&b, &t);
	n = bb_blob(&b, blob_a);
	/* Every length shorter than the whole is refused (a cut record or
	 * string section), none read past what it was given. */
	for (size_t cut = 0; cut < n; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);

		memcpy(copy, blob_a, cut);
		assert_int_not_equal(vq_btf_parse(&btf, copy, cut, NULL, 8, err, sizeof(err)), 0);
		free(copy);
	}
	memcpy(bad, blob_a, n);
	bad[0] = 0xeb;
	bad[1] = 0x9f;
	assert_int_equal(vq_btf_parse(&btf, bad, n, NULL, 8, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_non_null(strstr(err, "byte order"));
	memcpy(bad, blob_a, n);
	bad[2] = 2;
	assert_int_equal(vq_btf_parse(&btf, bad, n, NULL, 8, err, sizeof(err)), -EPROTONOSUPPORT);
	/* Sections pointing outside, or wrapping 32 bits. */
	memcpy(bad, blob_a, n);
	v = 0xfffffff0u;
	memcpy(bad + 16, &v, 4);
	assert_int_equal(vq_btf_parse(&btf, bad, n, NULL, 8, err, sizeof(err)), -EINVAL);
	memcpy(bad, blob_a, n);
	v = 2;
	memcpy(bad + 8, &v, 4); /* type section misaligned */
	assert_int_equal(vq_btf_parse(&btf, bad, n, NULL, 8, err, sizeof(err)), -EINVAL);
	/* A string section without its final NUL. */
	memcpy(bad, blob_a, n);
	bad[n - 1] = 'x';
	assert_int_equal(vq_btf_parse(&btf, bad, n, NULL, 8, err, sizeof(err)), -EINVAL);
	/* An unknown kind. */
	memcpy(bad, blob_a, n);
	v = 25u << 24;
	memcpy(bad + 24 + 4, &v, 4);
	assert_int_equal(vq_btf_parse(&btf, bad, n, NULL, 8, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "kind"));
	/* A struct claiming more members than the section holds: the sixth
	 * type (a PTR, after five INTs of 16 bytes each) made one. */
	memcpy(bad, blob_a, n);
	v = (uint32_t)VQ_BTF_KIND_STRUCT << 24 | 0xffff;
	memcpy(bad + 24 + 5 * 16 + 4, &v, 4);
	assert_int_equal(vq_btf_parse(&btf, bad, n, NULL, 8, err, sizeof(err)), -EINVAL);
}

/* ---- Damaged BTF: every answer is a reason or a layout that holds ---- */

/* A 32-bit word of the blob at @p (BTF is in the host's byte order). */
static uint32_t br32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void bw32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* What a blob vq_btf_parse accepted must be: its own copy of @blob, every
 * record inside the type section the header names, records in order, a
 * NUL-terminated string section inside the copy, and a type search that
 * answers an ID it has or -ENOENT. */
static void check_parsed(const struct vq_btf *b, const uint8_t *blob, size_t n)
{
	uint32_t hdr = br32(blob + 4), toff = br32(blob + 8), tlen = br32(blob + 12);
	long id;
	uint32_t i;

	assert_int_equal(b->len, n);
	assert_memory_equal(b->data, blob, n);
	assert_ptr_equal(b->types, b->data + hdr + toff);
	assert_true(b->ntypes <= tlen / 12);
	for (i = 0; i < b->ntypes; i++) {
		assert_true((uint64_t)b->offs[i] + 12 <= tlen);
		if (i)
			assert_true(b->offs[i] > b->offs[i - 1]);
	}
	assert_true((const uint8_t *)b->strs >= b->data);
	assert_true((const uint8_t *)b->strs + b->str_len <= b->data + n);
	if (b->str_len)
		assert_int_equal(b->strs[b->str_len - 1], 0);
	id = vq_btf_find(b, VQ_BTF_KIND_STRUCT, "vring_virtqueue");
	assert_true(id == -ENOENT || (id >= 1 && id < (long)b->first_id + b->ntypes));
}

/* What a layout vq_kvq_layout_from_btf accepted must be: every member the
 * search reads inside its struct, the words it compares 8 bytes, no
 * struct larger than it reads whole (64 KiB). */
static void check_layout(const struct vq_kvq_layout *l)
{
	const struct vq_btf_field *fs[] = { &l->packed_ring, &l->vq_vdev, &l->vq_index, &l->num,
					    &l->desc, &l->avail, &l->used, &l->dma,
					    &l->bytes, &l->align };
	size_t i;

	assert_true(l->obj_size && l->obj_size <= 65536);
	assert_true(l->dev_size && l->dev_size <= 65536);
	for (i = 0; i < sizeof(fs) / sizeof(fs[0]); i++) {
		assert_true(fs[i]->size >= 1 && fs[i]->size <= 8);
		assert_true(fs[i]->offset + fs[i]->size <= l->obj_size);
	}
	assert_int_equal(l->dma.size, 8);
	assert_int_equal(l->desc.size, 8);
	assert_int_equal(l->list_next.size, 8);
	assert_true(l->vq_list.offset + l->list_prev.offset + 8 <= l->obj_size);
	assert_true(l->dev_vqs.offset + l->list_prev.offset + 8 <= l->dev_size);
	assert_true(l->dev_index.offset + l->dev_index.size <= l->dev_size);
	assert_true(l->dev_id.offset + l->dev_id.size <= l->dev_size);
}

/* Which step of try_mutant refused. */
enum mutant_step { M_BASE, M_MODULE, M_LAYOUT };

/*
 * Parse @ma (vmlinux's part) and @mb (virtio_ring's, split on top) and
 * take the layout from them, checking whatever was accepted (above) and
 * that a refusal says why and leaves nothing behind.  Returns 0 with @l
 * filled, or the refusing step's negative errno with *@step naming it and
 * @err its reason.
 */
static int try_mutant(const uint8_t *ma, size_t na, const uint8_t *mb, size_t nb,
		      struct vq_kvq_layout *l, enum mutant_step *step, char *err, size_t errlen)
{
	struct vq_btf base, mod;
	int ret;

	err[0] = 0;
	*step = M_BASE;
	ret = vq_btf_parse(&base, ma, na, NULL, 8, err, errlen);
	if (ret) {
		assert_true(ret == -EINVAL || ret == -EPROTONOSUPPORT);
		assert_non_null(memchr(err, 0, errlen));
		assert_true(err[0] != 0);
		assert_null(base.data);
		assert_null(base.offs);
		return ret;
	}
	check_parsed(&base, ma, na);
	*step = M_MODULE;
	ret = vq_btf_parse(&mod, mb, nb, &base, 8, err, errlen);
	if (ret) {
		assert_true(ret == -EINVAL || ret == -EPROTONOSUPPORT);
		assert_null(mod.data);
	} else {
		check_parsed(&mod, mb, nb);
		*step = M_LAYOUT;
		ret = vq_kvq_layout_from_btf(&mod, l, err, errlen);
		if (ret)
			assert_true(ret == -ENOENT || ret == -EINVAL);
		else
			check_layout(l);
		vq_btf_free(&mod);
	}
	if (ret)
		assert_true(err[0] != 0);
	vq_btf_free(&base);
	return ret;
}

/* The two blobs of parse_split, and where each one's records start. */
struct mutants {
	size_t na, nb;          /* bytes of blob_a (vmlinux), blob_b (virtio_ring) */
	uint32_t offs[2][64];   /* record offsets in each type section */
	uint32_t ntypes[2];     /* records in each */
	uint8_t m[2][32768];    /* the blob being damaged */
};

static void mutants_init(struct mutants *mu)
{
	struct vq_btf base, mod;

	parse_split(&base, &mod);
	assert_true(base.ntypes <= 64 && mod.ntypes <= 64);
	memcpy(mu->offs[0], base.offs, base.ntypes * sizeof(uint32_t));
	memcpy(mu->offs[1], mod.offs, mod.ntypes * sizeof(uint32_t));
	mu->ntypes[0] = base.ntypes;
	mu->ntypes[1] = mod.ntypes;
	mu->na = base.len;
	mu->nb = mod.len;
	vq_btf_free(&mod);
	vq_btf_free(&base);
}

/* Start again from the intact blobs; record @i of blob @which. */
static uint8_t *mutant_reset(struct mutants *mu, unsigned which, uint32_t i)
{
	memcpy(mu->m[0], blob_a, mu->na);
	memcpy(mu->m[1], blob_b, mu->nb);
	return mu->m[which] + 24 + mu->offs[which][i];
}

static int mutant_try(struct mutants *mu, struct vq_kvq_layout *l, enum mutant_step *step,
		      char *err, size_t errlen)
{
	return try_mutant(mu->m[0], mu->na, mu->m[1], mu->nb, l, step, err, errlen);
}

/* Any record's kind made 0 or 20 (none such): that blob is refused, and
 * the reason names the kind. */
static void mutate_kinds(struct mutants *mu)
{
	static const unsigned bad[] = { 0, 20, 31 };
	struct vq_kvq_layout l;
	enum mutant_step step;
	char err[256];
	unsigned w, k;
	uint32_t i;

	for (w = 0; w < 2; w++)
		for (i = 0; i < mu->ntypes[w]; i++)
			for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
				uint8_t *t = mutant_reset(mu, w, i);

				bw32(t + 4, (br32(t + 4) & ~(0x1fu << 24)) | bad[k] << 24);
				assert_int_equal(mutant_try(mu, &l, &step, err, sizeof(err)), -EINVAL);
				assert_int_equal(step, w ? M_MODULE : M_BASE);
				assert_non_null(strstr(err, "unknown kind"));
			}
}

/* A struct or union claiming 65535 members (more than any section here
 * holds): that blob is refused, its record running past the section. */
static void mutate_vlens(struct mutants *mu)
{
	struct vq_kvq_layout l;
	enum mutant_step step;
	char err[256];
	unsigned w, n = 0;
	uint32_t i;

	for (w = 0; w < 2; w++)
		for (i = 0; i < mu->ntypes[w]; i++) {
			uint8_t *t = mutant_reset(mu, w, i);
			unsigned kind = (br32(t + 4) >> 24) & 0x1f;

			if (kind != VQ_BTF_KIND_STRUCT && kind != VQ_BTF_KIND_UNION)
				continue;
			bw32(t + 4, br32(t + 4) | 0xffff);
			assert_int_equal(mutant_try(mu, &l, &step, err, sizeof(err)), -EINVAL);
			assert_int_equal(step, w ? M_MODULE : M_BASE);
			assert_non_null(strstr(err, "runs past"));
			n++;
		}
	assert_true(n >= 10);
}

/*
 * Any type reference (a pointer's, typedef's or qualifier's target, a
 * member's type) pointed at an ID no blob has: both blobs still parse
 * (references are followed only when looked up), and the layout is either
 * refused with a reason or, when the search never follows that reference,
 * exactly the intact one.  Both happen.
 */
static void mutate_refs(struct mutants *mu)
{
	struct vq_kvq_layout l;
	enum mutant_step step;
	char err[256];
	unsigned w, refused = 0, same = 0;
	uint32_t i, j;

	for (w = 0; w < 2; w++)
		for (i = 0; i < mu->ntypes[w]; i++) {
			uint8_t *t = mutant_reset(mu, w, i);
			unsigned kind = (br32(t + 4) >> 24) & 0x1f, vlen = br32(t + 4) & 0xffff;
			uint32_t where[64], nw = 0;

			if (kind == VQ_BTF_KIND_PTR || kind == VQ_BTF_KIND_TYPEDEF ||
			    kind == VQ_BTF_KIND_CONST)
				where[nw++] = 8;
			if (kind == VQ_BTF_KIND_STRUCT || kind == VQ_BTF_KIND_UNION)
				for (j = 0; j < vlen && nw < 64; j++)
					where[nw++] = 12 + 12 * j + 4;
			for (j = 0; j < nw; j++) {
				int ret;

				t = mutant_reset(mu, w, i);
				bw32(t + where[j], 0x7ffffff0u);
				ret = mutant_try(mu, &l, &step, err, sizeof(err));
				assert_int_equal(step, M_LAYOUT);
				if (ret) {
					refused++;
					continue;
				}
				expect_mutant_layout(&l);
				same++;
			}
		}
	assert_true(refused > 0 && same > 0);
}

/*
 * Each NUL of virtio_ring's string section made 'x' (two names become
 * one, read from the first one's offset): the blob still parses, except
 * when it was the section's last byte; the layout is the intact one or
 * refused for a name it no longer finds, and "vring_virtqueue" is lost
 * exactly when its own terminator went.
 */
static void mutate_strings(struct mutants *mu)
{
	static const char vvq[] = "vring_virtqueue";
	size_t tlen = br32(blob_b + 12), slen = br32(blob_b + 20), j;
	struct vq_kvq_layout l;
	enum mutant_step step;
	char err[256];
	unsigned refused = 0, same = 0, lost_vvq = 0;

	for (j = 0; j < slen; j++) {
		uint8_t *strs = mutant_reset(mu, 1, 0) - mu->offs[1][0] + tlen;
		int ret, own;

		if (strs[j])
			continue;
		own = j >= sizeof(vvq) - 1 &&
		      !memcmp(strs + j - (sizeof(vvq) - 1), vvq, sizeof(vvq) - 1) &&
		      (j == sizeof(vvq) - 1 || !strs[j - sizeof(vvq)]);
		strs[j] = 'x';
		ret = mutant_try(mu, &l, &step, err, sizeof(err));
		if (j == slen - 1) {
			assert_int_equal(ret, -EINVAL);
			assert_int_equal(step, M_MODULE);
			assert_non_null(strstr(err, "NUL"));
			continue;
		}
		assert_int_equal(step, M_LAYOUT);
		if (own) {
			assert_int_equal(ret, -ENOENT);
			assert_non_null(strstr(err, vvq));
			lost_vvq++;
			continue;
		}
		if (ret) {
			assert_int_equal(ret, -ENOENT);
			refused++;
			continue;
		}
		expect_mutant_layout(&l);
		same++;
	}
	assert_int_equal(lost_vvq, 1);
	assert_true(refused > 0 && same > 0);
}

/*
 * Mutations whose outcome is known, then bytes changed all over both
 * blobs at random (a fixed seed): every answer is a refusal with a reason
 * or a blob and layout that hold (try_mutant), and both kinds of answer
 * occur.
 */
static void test_btf_mutations(void **state)
{
	static struct mutants mu;
	unsigned i, parsed = 0, refused = 0, layouts = 0;
	uint32_t seed = 12345;

	(void)state;
	mutants_init(&mu);
	mutate_kinds(&mu);
	mutate_vlens(&mu);
	mutate_refs(&mu);
	mutate_strings(&mu);
	for (i = 0; i < 3000; i++) {
		struct vq_kvq_layout l;
		enum mutant_step step;
		char err[256];
		unsigned k;

		mutant_reset(&mu, 0, 0);
		for (k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			if (seed & 0x10000)
				mu.m[1][(seed >> 8) % mu.nb] ^= (uint8_t)(1u << (seed >> 28) % 8);
			else
				mu.m[0][(seed >> 8) % mu.na] = (uint8_t)(seed >> 20);
		}
		if (mutant_try(&mu, &l, &step, err, sizeof(err)) == 0)
			layouts++;
		else if (step == M_LAYOUT)
			parsed++;
		else
			refused++;
	}
	assert_true(layouts > 0 && parsed > 0 && refused > 0);
}

/* ---- Virtual to physical ---------------------------------------------- */

static void test_kmap_v2p(void **state)
{
	const struct vq_kmap map[] = {
		{ 0xffff888000000000ull, 0, 0x9f000 },
		{ 0xffff888000100000ull, 0x100000, 0xfee0000 },
		{ 0xffffffff81000000ull, 0x1000000, 0x2000000 },
	};
	uint64_t pa = 0;

	(void)state;
	assert_int_equal(vq_kmap_v2p(map, 3, 0xffff888000100000ull, 8, &pa), 0);
	assert_int_equal(pa, 0x100000);
	assert_int_equal(vq_kmap_v2p(map, 3, 0xffff888000100000ull + 0xfee0000 - 8, 8, &pa), 0);
	assert_int_equal(pa, 0x100000 + 0xfee0000 - 8);
	/* Across the end, in the gap, below the first, past the last. */
	assert_int_equal(vq_kmap_v2p(map, 3, 0xffff888000100000ull + 0xfee0000 - 4, 8, &pa),
			 -EFAULT);
	assert_int_equal(vq_kmap_v2p(map, 3, 0xffff8880000a0000ull, 1, &pa), -EFAULT);
	assert_int_equal(vq_kmap_v2p(map, 3, 0x1000, 1, &pa), -EFAULT);
	assert_int_equal(vq_kmap_v2p(map, 3, 0xffffffffffff0000ull, 1, &pa), -EFAULT);
	assert_int_equal(vq_kmap_v2p(map, 3, 0xffffffff81000010ull, 16, &pa), 0);
	assert_int_equal(pa, 0x1000010);
	assert_int_equal(vq_kmap_v2p(map, 3, 0xffff888000000000ull, UINT64_MAX, &pa), -EFAULT);
	assert_int_equal(vq_kmap_v2p(map, 0, 0xffff888000000000ull, 1, &pa), -EFAULT);
}

/* ---- The search --------------------------------------------------------- */

#define MBASE 0x1000000ull
#define MLEN (10u << 20) /* more than two of the search's 4 MiB chunks */
#define DMAP 0xffff888000000000ull

static uint64_t va(uint64_t pa)
{
	return DMAP + pa;
}

/* A device with its vqs list empty. */
static void put_dev(struct fakemem *m, uint64_t pa, int32_t index, uint32_t device)
{
	struct m_virtio_device d;

	memset(&d, 0, sizeof(d));
	d.index = index;
	d.id.device = device;
	d.vqs.next = d.vqs.prev = va(pa + offsetof(struct m_virtio_device, vqs));
	memcpy(m->buf + (pa - m->base), &d, sizeof(d));
}

static uint64_t rd64(struct fakemem *m, uint64_t pa)
{
	uint64_t v;

	memcpy(&v, m->buf + (pa - m->base), 8);
	return v;
}

/* list_add_tail(&vq->list, &dev->vqs), in fake memory. */
static void link_vq(struct fakemem *m, uint64_t dev_pa, uint64_t obj_pa)
{
	uint64_t head = va(dev_pa + offsetof(struct m_virtio_device, vqs));
	uint64_t node = va(obj_pa + offsetof(struct m_vvq, vq.list));
	uint64_t last = rd64(m, head - DMAP + 8);

	put64(m, node - DMAP, head);
	put64(m, node - DMAP + 8, last);
	put64(m, last - DMAP, node);
	put64(m, head - DMAP + 8, node);
}

/* A vring_virtqueue at @obj for queue @index of the device at @dev, its
 * ring at @ring laid out as vring_init() does with @align. */
static void put_vq(struct fakemem *m, uint64_t obj, uint64_t dev, uint32_t index, uint64_t ring,
		   uint32_t num, uint32_t align)
{
	struct m_vvq v;
	uint64_t avail = ring + 16ull * num;
	uint64_t used = (avail + 6 + 2ull * num + align - 1) & ~(uint64_t)(align - 1);

	memset(&v, 0, sizeof(v));
	v.vq.vdev = va(dev);
	v.vq.index = index;
	v.split.vring.num = num;
	v.split.vring.desc = va(ring);
	v.split.vring.avail = va(avail);
	v.split.vring.used = va(used);
	v.split.queue_dma_addr = ring;
	v.split.queue_size_in_bytes = used - ring + 6 + 8ull * num;
	v.split.vring_align = align;
	/* The driver's state, distinct per queue: 0x100 + index used entries
	 * taken, 2 free, 7 + index made available, callbacks off on odd queues. */
	v.last_used_idx = (uint16_t)(0x100 + index);
	v.vq.num_free = 2;
	v.split.avail_idx_shadow = (uint16_t)(7 + index);
	v.split.avail_flags_shadow = index & 1; /* VRING_AVAIL_F_NO_INTERRUPT */
	v.event = 1;
	memcpy(m->buf + (obj - m->base), &v, sizeof(v));
	link_vq(m, dev, obj);
}

/* A packed queue's vring_virtqueue at @obj, as vring_alloc_queue_packed()
 * leaves it: the descriptor ring at @ring, the driver and device event
 * areas at @drv and @dev (separate allocations). */
static void put_pvq(struct fakemem *m, uint64_t obj, uint64_t dev, uint32_t index, uint64_t ring,
		    uint32_t num, uint64_t drv, uint64_t devev)
{
	struct m_vvq v;

	memset(&v, 0, sizeof(v));
	v.vq.vdev = va(dev);
	v.vq.index = index;
	v.packed_ring = 1;
	v.packed.vring.num = num;
	v.packed.vring.desc = va(ring);
	v.packed.vring.driver = va(drv);
	v.packed.vring.device = va(devev);
	v.packed.ring_dma_addr = ring;
	v.packed.driver_event_dma_addr = drv;
	v.packed.device_event_dma_addr = devev;
	v.packed.ring_size_in_bytes = 16ull * num;
	v.packed.event_size_in_bytes = 4;
	v.packed.avail_wrap_counter = 1;
	v.packed.next_avail_idx = 5;
	/* Linux 5.19 on: the used wrap counter in last_used_idx's bit 15. */
	v.last_used_idx = (uint16_t)(0x8000 | (3 + index));
	v.packed.event_flags_shadow = index ? 2 : 1; /* desc / disable (2.8.14) */
	v.vq.num_free = 250;
	memcpy(m->buf + (obj - m->base), &v, sizeof(v));
	link_vq(m, dev, obj);
}

struct world {
	struct fakemem m;
	struct vq_btf base, mod;
	struct vq_kvq_layout l;
	struct vq_kmap map[2];
	struct vq_fetch f;
	struct vq_scan_region r;
};

static void world_init(struct world *w)
{
	char err[256];

	fake_init(&w->m, MBASE, MLEN);
	parse_split(&w->base, &w->mod);
	assert_int_equal(vq_kvq_layout_from_btf(&w->mod, &w->l, err, sizeof(err)), 0);
	/* The direct map, and kernel text mapping the same RAM elsewhere. */
	w->map[0] = (struct vq_kmap){ va(MBASE), MBASE, MLEN };
	w->map[1] = (struct vq_kmap){ 0xffffffff81000000ull, MBASE, 0x200000 };
	w->f = fake_fetch(&w->m);
	w->r = (struct vq_scan_region){ MBASE, MLEN };
}

static void world_free(struct world *w)
{
	vq_btf_free(&w->mod);
	vq_btf_free(&w->base);
	fake_free(&w->m);
}

static long scan(struct world *w, struct vq_kvq_queue *q, size_t max)
{
	return vq_kvq_scan(&w->f, &w->r, 1, w->map, 2, &w->l, -1, q, max);
}

static void test_scan_finds_linked_queues(void **state)
{
	struct world w;
	struct vq_kvq_queue q[8];
	const uint64_t dev = MBASE + 0x10000, obj0 = MBASE + 0x20100, obj1 = MBASE + 0x20400;
	/* One object straddles the first 4 MiB chunk's end. */
	const uint64_t obj2 = MBASE + (4u << 20) - 64, dev2 = MBASE + 0x30000;

	(void)state;
	world_init(&w);
	put_dev(&w.m, dev, 3, 1);
	put_vq(&w.m, obj0, dev, 0, MBASE + 0x100000, 256, 4096);
	put_vq(&w.m, obj1, dev, 1, MBASE + 0x108000, 256, 64);
	put_dev(&w.m, dev2, 7, 2);
	put_vq(&w.m, obj2, dev2, 0, MBASE + 0x600000, 1024, 4096);
	assert_int_equal(scan(&w, q, 8), 3);
	assert_int_equal(q[0].obj_paddr, obj0);
	assert_int_equal(q[0].virtio_index, 3);
	assert_int_equal(q[0].device_id, 1);
	assert_int_equal(q[0].queue, 0);
	assert_int_equal(q[0].layout.desc, MBASE + 0x100000);
	assert_int_equal(q[0].layout.avail, MBASE + 0x100000 + 4096);
	assert_int_equal(q[0].layout.used, MBASE + 0x102000);
	assert_int_equal(q[0].layout.size, 256);
	assert_int_equal(q[0].layout.align, 4096);
	assert_int_equal(q[1].queue, 1);
	assert_int_equal(q[1].layout.used, MBASE + 0x108000 + 4096 + 576);
	assert_int_equal(q[2].obj_paddr, obj2);
	assert_int_equal(q[2].virtio_index, 7);
	assert_int_equal(q[2].layout.size, 1024);
	/* Fewer slots than queues: the count says how many there are. */
	assert_int_equal(scan(&w, q, 1), 3);
	assert_int_equal(q[0].obj_paddr, obj0);
	/* Stopping at the first queue of a device. */
	assert_int_equal(vq_kvq_scan(&w.f, &w.r, 1, w.map, 2, &w.l, 3, q, 8), 1);
	assert_int_equal(q[0].obj_paddr, obj0);
	assert_int_equal(vq_kvq_scan(&w.f, &w.r, 1, w.map, 2, &w.l, 7, q, 8), 3);
	assert_int_equal(q[2].obj_paddr, obj2);
	/* The hit that stops it is kept even when the array is full. */
	assert_int_equal(vq_kvq_scan(&w.f, &w.r, 1, w.map, 2, &w.l, 7, q, 1), 3);
	assert_int_equal(q[0].obj_paddr, obj2);
	/* A device that has none: a whole pass. */
	assert_int_equal(vq_kvq_scan(&w.f, &w.r, 1, w.map, 2, &w.l, 9, q, 8), 3);
	world_free(&w);
}

/* Packed queues (virtio-mmio v2 cannot give their addresses back): found
 * by their own (ring_dma_addr, vring.desc) pair, the three parts apart,
 * a size no power of two allowed; never read as split. */
static void test_scan_finds_packed_queues(void **state)
{
	struct world w;
	struct vq_kvq_queue q[8];
	const uint64_t dev = MBASE + 0x10000, obj0 = MBASE + 0x20100, obj1 = MBASE + 0x20400;
	const uint64_t obj2 = MBASE + 0x20800;

	(void)state;
	world_init(&w);
	put_dev(&w.m, dev, 4, 2);
	put_pvq(&w.m, obj0, dev, 0, MBASE + 0x100000, 256, MBASE + 0x101000, MBASE + 0x102040);
	put_pvq(&w.m, obj1, dev, 1, MBASE + 0x110000, 384, MBASE + 0x118004, MBASE + 0x118100);
	assert_int_equal(scan(&w, q, 8), 2);
	assert_int_equal(q[0].obj_paddr, obj0);
	assert_int_equal(q[0].virtio_index, 4);
	assert_int_equal(q[0].device_id, 2);
	assert_int_equal(q[0].queue, 0);
	assert_int_equal(q[0].packed, 1);
	assert_int_equal(q[0].layout.desc, MBASE + 0x100000);
	assert_int_equal(q[0].layout.avail, MBASE + 0x101000);
	assert_int_equal(q[0].layout.used, MBASE + 0x102040);
	assert_int_equal(q[0].layout.size, 256);
	/* The driver's state from the packed half: positions as slot |
	 * wrap << 15, callbacks off when its event flags say disable. */
	assert_true(q[0].drv.valid);
	assert_int_equal(q[0].drv.last_used_idx, 0x8003);
	assert_int_equal(q[0].drv.avail_idx, 0x8005);
	assert_int_equal(q[0].drv.num_free, 250);
	assert_int_equal(q[0].drv.avail_flags, VRING_AVAIL_F_NO_INTERRUPT);
	assert_int_equal(q[1].queue, 1);
	assert_int_equal(q[1].drv.last_used_idx, 0x8004);
	assert_int_equal(q[1].drv.avail_flags, 0);
	assert_int_equal(q[1].layout.size, 384);
	assert_int_equal(q[1].layout.avail, MBASE + 0x118004);
	assert_int_equal(q[1].layout.used, MBASE + 0x118100);
	/* Its siblings from the device's list. */
	assert_int_equal(vq_kvq_device_queues(&w.f, w.map, 2, &w.l, va(dev), q, 8), 2);
	assert_int_equal(q[1].layout.size, 384);
	assert_int_equal(vq_kvq_check(&w.f, w.map, 2, &w.l, obj1, &q[2]), 0);
	assert_int_equal(q[2].packed, 1);
	/* Rule breakers: an event area not at its DMA address, a
	 * misaligned descriptor ring, size 0. */
	put_pvq(&w.m, obj2, dev, 2, MBASE + 0x120000, 64, MBASE + 0x121000, MBASE + 0x121100);
	assert_int_equal(vq_kvq_check(&w.f, w.map, 2, &w.l, obj2, &q[2]), 0);
	put64(&w.m, obj2 + offsetof(struct m_vvq, packed.vring.device), va(MBASE + 0x121104));
	assert_int_equal(vq_kvq_check(&w.f, w.map, 2, &w.l, obj2, &q[2]), -ESTALE);
	put64(&w.m, obj2 + offsetof(struct m_vvq, packed.vring.device), va(MBASE + 0x121100));
	put64(&w.m, obj2 + offsetof(struct m_vvq, packed.vring.desc), va(MBASE + 0x120008));
	put64(&w.m, obj2 + offsetof(struct m_vvq, packed.ring_dma_addr), MBASE + 0x120008);
	assert_int_equal(vq_kvq_check(&w.f, w.map, 2, &w.l, obj2, &q[2]), -ESTALE);
	put64(&w.m, obj2 + offsetof(struct m_vvq, packed.vring.desc), va(MBASE + 0x120000));
	put64(&w.m, obj2 + offsetof(struct m_vvq, packed.ring_dma_addr), MBASE + 0x120000);
	assert_int_equal(vq_kvq_check(&w.f, w.map, 2, &w.l, obj2, &q[2]), 0);
	put64(&w.m, obj2 + offsetof(struct m_vvq, packed.vring.num), 0);
	assert_int_equal(vq_kvq_check(&w.f, w.map, 2, &w.l, obj2, &q[2]), -ESTALE);
	world_free(&w);
}

/* From one queue to its siblings: the device's vqs list. */
/* The records of test_packed_records() for the packed queue at @obj:
 * desc_state at @dsa, desc_extra at @dea, ID 0's indirect table at @t0,
 * the DMA API and indirect tables in use. */
static void put_records(struct fakemem *m, uint64_t obj, uint64_t dsa, uint64_t dea, uint64_t t0)
{
	const size_t dss = sizeof(struct m_desc_state_packed), des = sizeof(struct m_desc_extra);

	put64(m, obj + offsetof(struct m_vvq, packed.desc_state), va(dsa));
	put64(m, obj + offsetof(struct m_vvq, packed.desc_extra), va(dea));
	m->buf[obj - MBASE + offsetof(struct m_vvq, use_dma_api)] = 1;
	m->buf[obj - MBASE + offsetof(struct m_vvq, indirect)] = 1;
	put64(m, dsa, va(0x5000));            /* ID 0: data */
	put64(m, dsa + 8, va(t0));            /* indir_desc */
	put16(m, dsa + 16, 1);                /* num */
	put64(m, dsa + dss, va(0x6000));      /* ID 1 */
	put16(m, dsa + dss + 16, 2);
	put16(m, dsa + 2 * dss + 16, 5);      /* ID 2: free, a stale num */
	put64(m, dea, t0);
	put32(m, dea + 8, 48);
	put16(m, dea + 12, VRING_DESC_F_INDIRECT);
	put16(m, dea + 14, 2);
	put64(m, dea + des, 0xa000);
	put32(m, dea + des + 8, 16);
	put16(m, dea + des + 12, VRING_DESC_F_NEXT);
	put16(m, dea + des + 14, 3);
	put64(m, dea + 3 * des, 0xb000);
	put32(m, dea + 3 * des + 8, 1);
	put16(m, dea + 3 * des + 12, VRING_DESC_F_WRITE);
	put16(m, dea + 3 * des + 14, 4);
}

/*
 * A packed queue's per-ID records, as Linux 6.1's virtqueue_add_packed()
 * and virtqueue_add_indirect_packed() leave them (drivers/virtio/
 * virtio_ring.c): ID 0 an indirect table (num 1, indir_desc its kernel
 * address, desc_extra[0] the ring descriptor's copy), ID 1 a chain of two
 * (desc_extra[1] then [3] by .next), ID 2 free (data NULL).  desc_extra's
 * copies only count with use_dma_api (else Linux never writes them), and
 * indir_desc is a table only with indirect (else the driver's ctx).
 */
static void test_packed_records(void **state)
{
	struct world w;
	struct vq_kvq_queue q;
	struct vq_packed_drv_id ids[8];
	struct vq_packed_drv_desc descs[16];
	const uint64_t dev = MBASE + 0x10000, obj = MBASE + 0x20100;
	const uint64_t dsa = MBASE + 0x130000, dea = MBASE + 0x131000, t0 = MBASE + 0x132000;
	uint32_t nd;

	(void)state;
	world_init(&w);
	assert_int_equal(w.l.ds_size, sizeof(struct m_desc_state_packed));
	assert_int_equal(w.l.de_size, sizeof(struct m_desc_extra));
	assert_int_equal(w.l.p_desc_state.offset, offsetof(struct m_vvq, packed.desc_state));
	assert_int_equal(w.l.p_desc_extra.offset, offsetof(struct m_vvq, packed.desc_extra));
	assert_int_equal(w.l.ds_num.offset, offsetof(struct m_desc_state_packed, num));
	assert_int_equal(w.l.de_next.offset, offsetof(struct m_desc_extra, next));
	assert_int_equal(w.l.use_dma_api.offset, offsetof(struct m_vvq, use_dma_api));
	put_dev(&w.m, dev, 4, 2);
	put_pvq(&w.m, obj, dev, 0, MBASE + 0x100000, 8, MBASE + 0x101000, MBASE + 0x102040);
	put_records(&w.m, obj, dsa, dea, t0);
	assert_int_equal(vq_kvq_check(&w.f, w.map, 2, &w.l, obj, &q), 0);
	assert_int_equal(vq_kvq_packed_records(&w.f, w.map, 2, &w.l, &q, ids, descs, 16, &nd), 0);
	assert_int_equal(nd, 3);
	assert_true(ids[0].inflight);
	assert_int_equal(ids[0].num, 1);
	assert_int_equal(ids[0].indir, t0);
	assert_int_equal(ids[0].ndesc, 1);
	assert_int_equal(descs[ids[0].first].len, 48);
	assert_int_equal(descs[ids[0].first].flags, VRING_DESC_F_INDIRECT);
	assert_true(ids[1].inflight);
	assert_int_equal(ids[1].indir, 0);
	assert_int_equal(ids[1].ndesc, 2);
	assert_int_equal(descs[ids[1].first].addr, 0xa000);
	assert_int_equal(descs[ids[1].first + 1].addr, 0xb000);
	assert_int_equal(descs[ids[1].first + 1].flags, VRING_DESC_F_WRITE);
	assert_false(ids[2].inflight);
	assert_int_equal(ids[2].ndesc, 0);
	/* The descriptor budget bounds the copies. */
	assert_int_equal(vq_kvq_packed_records(&w.f, w.map, 2, &w.l, &q, ids, descs, 2, &nd), 0);
	assert_int_equal(nd, 2);
	assert_int_equal(ids[1].ndesc, 1);
	/* Without the DMA API: the IDs, no copies; without indirect tables,
	 * indir_desc is no table. */
	w.m.buf[obj - MBASE + offsetof(struct m_vvq, use_dma_api)] = 0;
	w.m.buf[obj - MBASE + offsetof(struct m_vvq, indirect)] = 0;
	assert_int_equal(vq_kvq_packed_records(&w.f, w.map, 2, &w.l, &q, ids, descs, 16, &nd), 0);
	assert_int_equal(nd, 0);
	assert_true(ids[0].inflight && ids[1].inflight);
	assert_int_equal(ids[0].ndesc, 0);
	assert_int_equal(ids[0].indir, 0);
	/* desc_state not in the kernel's map: -EFAULT; a split queue: -ENOENT. */
	put64(&w.m, obj + offsetof(struct m_vvq, packed.desc_state), 0xffff000000000000ull);
	assert_int_equal(vq_kvq_packed_records(&w.f, w.map, 2, &w.l, &q, ids, descs, 16, &nd),
			 -EFAULT);
	q.packed = 0;
	assert_int_equal(vq_kvq_packed_records(&w.f, w.map, 2, &w.l, &q, ids, descs, 16, &nd),
			 -ENOENT);
	world_free(&w);
}

/* test_packed_records()'s queue in a world whose BTF is @v's: the
 * records read, their copies' count into *@nd. */
static void records_of(enum ring_variant v, struct world *w, struct vq_kvq_queue *q,
		       uint64_t obj)
{
	const uint64_t dev = MBASE + 0x10000;

	ring_variant = v;
	world_init(w);
	ring_variant = RING_6_1;
	put_dev(&w->m, dev, 4, 2);
	put_pvq(&w->m, obj, dev, 0, MBASE + 0x100000, 8, MBASE + 0x101000, MBASE + 0x102040);
	put_records(&w->m, obj, MBASE + 0x130000, MBASE + 0x131000, MBASE + 0x132000);
	assert_int_equal(vq_kvq_check(&w->f, w->map, 2, &w->l, obj, q), 0);
}

/*
 * Whether desc_extra holds the driver's copy, by kernel (virtio_ring.c,
 * virtqueue_add_packed): 6.1 use_dma_api (test_packed_records); 6.6 to
 * 6.8 do_unmap, false on a premapped queue even with the DMA API (and a
 * 6.6.y kernel with d5c0ed17fea6 cannot be told apart: no copy
 * trusted); 6.18 use_map_api.  And from the per-buffer premapped kernels
 * on, an entry whose addr is DMA_MAPPING_ERROR (all ones) was never a
 * buffer address: that ID has no copy.
 */
static void test_packed_records_versions(void **state)
{
	struct world w;
	struct vq_kvq_queue q;
	struct vq_packed_drv_id ids[8];
	struct vq_packed_drv_desc descs[16];
	const uint64_t obj = MBASE + 0x20100, dea = MBASE + 0x131000;
	const size_t des = sizeof(struct m_desc_extra);
	uint8_t *vvq;
	uint32_t nd;

	(void)state;
	records_of(RING_6_8, &w, &q, obj);
	vvq = w.m.buf + (obj - MBASE);
	assert_int_equal(w.l.do_unmap.offset, offsetof(struct m_vvq, do_unmap));
	assert_int_equal(w.l.do_unmap.size, 1);
	assert_int_equal(w.l.use_map_api.size, 0);
	/* use_dma_api on, premapped: do_unmap false, no copy. */
	vvq[offsetof(struct m_vvq, premapped)] = 1;
	assert_int_equal(vq_kvq_packed_records(&w.f, w.map, 2, &w.l, &q, ids, descs, 16, &nd), 0);
	assert_int_equal(nd, 0);
	assert_true(ids[0].inflight && ids[1].inflight);
	assert_int_equal(ids[1].ndesc, 0);
	vvq[offsetof(struct m_vvq, premapped)] = 0;
	vvq[offsetof(struct m_vvq, do_unmap)] = 1;
	assert_int_equal(vq_kvq_packed_records(&w.f, w.map, 2, &w.l, &q, ids, descs, 16, &nd), 0);
	assert_int_equal(nd, 3);
	assert_int_equal(ids[1].ndesc, 2);
	assert_int_equal(descs[ids[1].first + 1].addr, 0xb000);
	world_free(&w);

	records_of(RING_6_18, &w, &q, obj);
	vvq = w.m.buf + (obj - MBASE);
	assert_int_equal(w.l.use_map_api.offset, offsetof(struct m_vvq, use_dma_api));
	assert_int_equal(w.l.use_dma_api.size + w.l.do_unmap.size, 0);
	assert_int_equal(vq_kvq_packed_records(&w.f, w.map, 2, &w.l, &q, ids, descs, 16, &nd), 0);
	assert_int_equal(nd, 3);
	assert_int_equal(ids[0].ndesc, 1);
	assert_int_equal(ids[1].ndesc, 2);
	/* ID 1's second buffer premapped: ID 1 without a copy, ID 0 kept. */
	put64(&w.m, dea + 3 * des, UINT64_MAX);
	assert_int_equal(vq_kvq_packed_records(&w.f, w.map, 2, &w.l, &q, ids, descs, 16, &nd), 0);
	assert_int_equal(nd, 1);
	assert_int_equal(ids[0].ndesc, 1);
	assert_int_equal(descs[ids[0].first].flags, VRING_DESC_F_INDIRECT);
	assert_true(ids[1].inflight);
	assert_int_equal(ids[1].ndesc, 0);
	vvq[offsetof(struct m_vvq, use_dma_api)] = 0; /* use_map_api off */
	assert_int_equal(vq_kvq_packed_records(&w.f, w.map, 2, &w.l, &q, ids, descs, 16, &nd), 0);
	assert_int_equal(nd, 0);
	world_free(&w);
}

static void test_device_queues(void **state)
{
	struct world w;
	struct vq_kvq_queue q[4];
	const uint64_t dev = MBASE + 0x10000, obj0 = MBASE + 0x20100, obj1 = MBASE + 0x20400;
	const uint64_t obj2 = MBASE + 0x20800;

	(void)state;
	world_init(&w);
	put_dev(&w.m, dev, 3, 1);
	put_vq(&w.m, obj1, dev, 1, MBASE + 0x108000, 256, 64);
	put_vq(&w.m, obj0, dev, 0, MBASE + 0x100000, 256, 4096);
	put_vq(&w.m, obj2, dev, 2, MBASE + 0x110000, 64, 4096);
	/* In list order: the order the driver set them up. */
	assert_int_equal(vq_kvq_device_queues(&w.f, w.map, 2, &w.l, va(dev), q, 4), 3);
	assert_int_equal(q[0].queue, 1);
	assert_int_equal(q[1].queue, 0);
	assert_int_equal(q[2].queue, 2);
	assert_int_equal(q[2].layout.size, 64);
	/* The driver's state, at the offsets BTF gave (put_vq's values). */
	assert_true(q[0].drv.valid);
	assert_int_equal(q[0].drv.last_used_idx, 0x101);
	assert_int_equal(q[0].drv.num_free, 2);
	assert_int_equal(q[0].drv.avail_idx, 8);
	assert_int_equal(q[0].drv.avail_flags, 1);
	assert_int_equal(q[0].drv.event, 1);
	assert_int_equal(q[0].drv.broken, 0);
	assert_int_equal(q[1].drv.last_used_idx, 0x100);
	assert_int_equal(q[1].drv.avail_flags, 0);
	assert_int_equal(vq_kvq_device_queues(&w.f, w.map, 2, &w.l, va(dev), q, 1), 3);
	/* A device pointer that maps nowhere. */
	assert_int_equal(vq_kvq_device_queues(&w.f, w.map, 2, &w.l, 0xffffc90000000000ull, q, 4),
			 -EFAULT);
	/* A list that never comes back to its head: bounded. */
	put64(&w.m, obj2 + offsetof(struct m_vvq, vq.list.next),
	      va(obj1 + offsetof(struct m_vvq, vq.list)));
	assert_int_equal(vq_kvq_device_queues(&w.f, w.map, 2, &w.l, va(dev), q, 4), -ELOOP);
	/* One that leads into unmapped memory. */
	put64(&w.m, obj2 + offsetof(struct m_vvq, vq.list.next), 0xdead000000000100ull);
	assert_int_equal(vq_kvq_device_queues(&w.f, w.map, 2, &w.l, va(dev), q, 4), -EFAULT);
	world_free(&w);
}

/* What an object left behind looks like: list_del() poisons its links. */
static void test_scan_skips_freed_objects(void **state)
{
	struct world w;
	struct vq_kvq_queue q[4];
	const uint64_t dev = MBASE + 0x10000, obj0 = MBASE + 0x20100, old = MBASE + 0x50000;
	const uint64_t node = old + offsetof(struct m_vvq, vq.list);

	(void)state;
	world_init(&w);
	put_dev(&w.m, dev, 0, 4);
	put_vq(&w.m, old, dev, 0, MBASE + 0x200000, 8, 4096);
	put_vq(&w.m, obj0, dev, 0, MBASE + 0x100000, 8, 4096);
	assert_int_equal(scan(&w, q, 4), 2);
	/* list_del(&old->vq.list): unlink, then LIST_POISON1/2. */
	put64(&w.m, va(dev + offsetof(struct m_virtio_device, vqs)) - DMAP,
	      va(obj0 + offsetof(struct m_vvq, vq.list)));
	put64(&w.m, obj0 + offsetof(struct m_vvq, vq.list) + 8,
	      va(dev + offsetof(struct m_virtio_device, vqs)));
	put64(&w.m, node, 0xdead000000000100ull);
	put64(&w.m, node + 8, 0xdead000000000122ull);
	assert_int_equal(scan(&w, q, 4), 1);
	assert_int_equal(q[0].obj_paddr, obj0);
	assert_int_equal(vq_kvq_check(&w.f, w.map, 2, &w.l, old, &q[1]), -ESTALE);
	assert_int_equal(vq_kvq_check(&w.f, w.map, 2, &w.l, obj0, &q[1]), 0);
	assert_int_equal(q[1].layout.desc, MBASE + 0x100000);
	world_free(&w);
}

/* Objects that pass the first test (queue_dma_addr and vring.desc a
 * direct-map pair) but break another rule. */
static void test_scan_rejects_rule_breakers(void **state)
{
	struct world w;
	struct vq_kvq_queue q[4];
	const uint64_t dev = MBASE + 0x10000;
	uint64_t o[8];
	unsigned i;

	(void)state;
	world_init(&w);
	put_dev(&w.m, dev, 1, 2);
	for (i = 0; i < 8; i++) {
		o[i] = MBASE + 0x20000 + 0x400ull * i;
		put_vq(&w.m, o[i], dev, i, MBASE + 0x100000 + 0x10000ull * i, 64, 4096);
	}
	assert_int_equal(scan(&w, q, 4), 8);
	/* 0: packed; 1: num not a power of two; 2: used inside avail;
	 * 3: ring larger than queue_size_in_bytes; 4: vdev unmapped;
	 * 5: left as it is; 6: queue index absurd; 7: linked one way only. */
	w.m.buf[o[0] - MBASE + offsetof(struct m_vvq, packed_ring)] = 1;
	put32(&w.m, o[1] + offsetof(struct m_vvq, split.vring.num), 48);
	put64(&w.m, o[2] + offsetof(struct m_vvq, split.vring.used),
	      va(MBASE + 0x120000 + 1024 + 8));
	put64(&w.m, o[3] + offsetof(struct m_vvq, split.queue_size_in_bytes), 4096);
	put64(&w.m, o[4] + offsetof(struct m_vvq, vq.vdev), 0xffffc90000000000ull);
	put64(&w.m, o[6] + offsetof(struct m_vvq, vq.index), 5000);
	put64(&w.m, o[7] + offsetof(struct m_vvq, vq.list.next), va(dev + 0x100));
	assert_int_equal(scan(&w, q, 4), 1);
	assert_int_equal(q[0].obj_paddr, o[5]);
	assert_int_equal(q[0].queue, 5);
	/* A device whose ID is 0 is no virtio device: none left. */
	put32(&w.m, dev + offsetof(struct m_virtio_device, id.device), 0);
	assert_int_equal(scan(&w, q, 4), 0);
	world_free(&w);
}

/* A desc pointer that does not map to queue_dma_addr is no match, nor is
 * zero memory or a region that cannot be read. */
static void test_scan_nothing(void **state)
{
	struct world w;
	struct vq_kvq_queue q[4];
	const uint64_t dev = MBASE + 0x10000, obj = MBASE + 0x20000;
	struct vq_scan_region far = { 0x80000000ull, 1u << 20 };

	(void)state;
	world_init(&w);
	assert_int_equal(scan(&w, q, 4), 0);
	put_dev(&w.m, dev, 1, 2);
	put_vq(&w.m, obj, dev, 0, MBASE + 0x100000, 64, 4096);
	put64(&w.m, obj + offsetof(struct m_vvq, split.queue_dma_addr), MBASE + 0x110000);
	assert_int_equal(scan(&w, q, 4), 0);
	assert_true(vq_kvq_scan(&w.f, &far, 1, w.map, 2, &w.l, -1, q, 4) < 0);
	world_free(&w);
}

/* ---- The live lookup, on files that stand for the kernel's --------- */

struct files {
	char dir[64];     /* temporary directory */
	char btf[96];     /* DIR/vmlinux (with DIR/virtio_ring beside it) */
	char core[96];    /* DIR/kcore */
};

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* The BTF files and an ELF core of the world's memory, laid out as
 * /proc/kcore is: one PT_LOAD with the direct-map address and the
 * physical one. */
static void write_files(struct files *fs, struct world *w, int with_module)
{
	static struct bb bb_base, bb_mod;
	struct base_ids t;
	char path[128];
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	FILE *f;

	snprintf(fs->dir, sizeof(fs->dir), "/tmp/vqdump-kvq.XXXXXX");
	assert_non_null(mkdtemp(fs->dir));
	snprintf(fs->btf, sizeof(fs->btf), "%s/vmlinux", fs->dir);
	snprintf(fs->core, sizeof(fs->core), "%s/kcore", fs->dir);
	build_base(&bb_base, &t);
	bb_init(&bb_mod, &bb_base);
	build_ring_types(&bb_mod, &t);
	write_file(fs->btf, blob_a, bb_blob(&bb_base, blob_a));
	snprintf(path, sizeof(path), "%s/virtio_ring", fs->dir);
	if (with_module)
		write_file(path, blob_b, bb_blob(&bb_mod, blob_b));
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = 1;
	memset(&ph, 0, sizeof(ph));
	ph.p_type = PT_LOAD;
	ph.p_offset = 4096;
	ph.p_vaddr = va(MBASE);
	ph.p_paddr = MBASE;
	ph.p_filesz = ph.p_memsz = MLEN;
	f = fopen(fs->core, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(&eh, sizeof(eh), 1, f), 1);
	assert_int_equal(fwrite(&ph, sizeof(ph), 1, f), 1);
	assert_int_equal(fseek(f, 4096, SEEK_SET), 0);
	assert_int_equal(fwrite(w->m.buf, 1, MLEN, f), MLEN);
	assert_int_equal(fclose(f), 0);
}

/* Memory changed after the core was opened: the same file, rewritten in
 * place (the accessor's read-only mapping sees it). */
static void rewrite_core(const struct files *fs, struct world *w)
{
	FILE *f = fopen(fs->core, "r+b");

	assert_non_null(f);
	assert_int_equal(fseek(f, 4096, SEEK_SET), 0);
	assert_int_equal(fwrite(w->m.buf, 1, MLEN, f), MLEN);
	assert_int_equal(fclose(f), 0);
}

static void remove_files(const struct files *fs)
{
	char path[128];

	unlink(fs->btf);
	unlink(fs->core);
	snprintf(path, sizeof(path), "%s/virtio_ring", fs->dir);
	unlink(path);
	rmdir(fs->dir);
}

/* list_del(&obj->vq.list) as the kernel does it, poison included. */
static void unlink_vq(struct fakemem *m, uint64_t obj)
{
	uint64_t node = obj + offsetof(struct m_vvq, vq.list);
	uint64_t next = rd64(m, node), prev = rd64(m, node + 8);

	put64(m, prev - DMAP, next);
	put64(m, next - DMAP + 8, prev);
	put64(m, node, 0xdead000000000100ull);
	put64(m, node + 8, 0xdead000000000122ull);
}

static void test_live_find_and_cache(void **state)
{
	struct world w;
	struct files fs;
	struct vq_mem mem;
	struct vq_kvq *k, *cached;
	struct vq_kvq_queue q, all[4], l;
	char err[512], name[32];
	const uint64_t dev3 = MBASE + 0x10000, dev7 = MBASE + 0x30000;

	(void)state;
	world_init(&w);
	put_dev(&w.m, dev3, 3, 1);
	put_vq(&w.m, MBASE + 0x20100, dev3, 0, MBASE + 0x100000, 256, 4096);
	put_vq(&w.m, MBASE + 0x20400, dev3, 1, MBASE + 0x108000, 256, 4096);
	put_dev(&w.m, dev7, 7, 2);
	put_vq(&w.m, MBASE + 0x500000, dev7, 0, MBASE + 0x600000, 128, 64);
	/* virtio7's queue has a name in the linear map, as virtio_blk's do. */
	memcpy(w.m.buf + 0x500f00, "req.0", 6);
	put64(&w.m, MBASE + 0x500000 + offsetof(struct m_vvq, vq.name), va(MBASE + 0x500f00));
	/* virtio3's queue 1 names a string outside it (module data). */
	put64(&w.m, MBASE + 0x20400 + offsetof(struct m_vvq, vq.name), 0xffffffffc0001000ull);
	write_files(&fs, &w, 1);
	assert_int_equal(vq_mem_open(&mem, &vq_mem_elf, fs.core), 0);
	assert_int_equal(vq_kvq_open(&k, &mem, fs.core, fs.btf, err, sizeof(err)), 0);

	assert_int_equal(vq_kvq_find(k, 3, 1, &q, err, sizeof(err)), 0);
	assert_int_equal(q.layout.desc, MBASE + 0x108000);
	assert_int_equal(q.layout.avail, MBASE + 0x108000 + 4096);
	assert_int_equal(q.layout.used, MBASE + 0x10a000);
	assert_int_equal(q.layout.size, 256);
	assert_int_equal(vq_kvq_find(k, 3, 0, &q, err, sizeof(err)), 0);
	assert_int_equal(q.layout.desc, MBASE + 0x100000);
	assert_int_equal(vq_kvq_find(k, 3, 2, &q, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "virtio3 queue 2"));
	assert_non_null(strstr(err, "2 queues of virtio3"));
	assert_int_equal(vq_kvq_find(k, 7, 0, &q, err, sizeof(err)), 0);
	assert_int_equal(q.layout.size, 128);
	assert_int_equal(q.device_id, 2);
	assert_int_equal(vq_kvq_find(k, 9, 0, &q, err, sizeof(err)), -ENOENT);
	memset(&l, 0, sizeof(l)); /* no name pointer */
	assert_int_equal(vq_kvq_read_name(k, &l, name, sizeof(name)), -ENOENT);
	assert_int_equal(vq_kvq_find(k, 7, 0, &q, err, sizeof(err)), 0);
	assert_int_equal(vq_kvq_read_name(k, &q, name, sizeof(name)), 0);
	assert_string_equal(name, "req.0");
	assert_int_equal(vq_kvq_find(k, 3, 1, &q, err, sizeof(err)), 0);
	assert_int_equal(vq_kvq_read_name(k, &q, name, sizeof(name)), -EFAULT);
	assert_string_equal(name, "");

	/* The driver of virtio3 is reloaded: its queues move. */
	unlink_vq(&w.m, MBASE + 0x20100);
	unlink_vq(&w.m, MBASE + 0x20400);
	put_vq(&w.m, MBASE + 0x20800, dev3, 0, MBASE + 0x200000, 64, 4096);
	put_vq(&w.m, MBASE + 0x20c00, dev3, 1, MBASE + 0x208000, 64, 4096);
	rewrite_core(&fs, &w);
	assert_int_equal(vq_kvq_find(k, 3, 1, &q, err, sizeof(err)), 0);
	assert_int_equal(q.layout.desc, MBASE + 0x208000);
	assert_int_equal(q.layout.size, 64);
	assert_int_equal(vq_kvq_find(k, 3, 0, &q, err, sizeof(err)), 0);
	assert_int_equal(q.layout.desc, MBASE + 0x200000);
	assert_int_equal(vq_kvq_find(k, 7, 0, &q, err, sizeof(err)), 0);
	/* Its driver gone: nothing left, and said so. */
	unlink_vq(&w.m, MBASE + 0x500000);
	rewrite_core(&fs, &w);
	assert_int_equal(vq_kvq_find(k, 7, 0, &q, err, sizeof(err)), -ENOENT);
	vq_kvq_forget(k);
	assert_int_equal(vq_kvq_find(k, 3, 0, &q, err, sizeof(err)), 0);
	vq_kvq_close(k);

	/* The one-call form, with the context its caller keeps. */
	k = NULL;
	assert_int_equal(vq_kvq_lookup(&k, &mem, fs.core, fs.btf, 3, 1, &l, err, sizeof(err)), 0);
	assert_non_null(k);
	assert_int_equal(l.layout.desc, MBASE + 0x208000);
	assert_int_equal(l.drv.last_used_idx, 0x101);
	cached = k;
	assert_int_equal(vq_kvq_lookup(&k, &mem, fs.core, fs.btf, 3, 0, &l, err, sizeof(err)), 0);
	assert_ptr_equal(k, cached); /* kept, not made anew */
	assert_int_equal(l.layout.desc, MBASE + 0x200000);
	/* Every queue of a device at once, by queue number (put in reverse
	 * list order above: 0 then 1). */
	assert_int_equal(vq_kvq_lookup_device(&k, &mem, fs.core, fs.btf, 3, all, 4, err,
					      sizeof(err)), 2);
	assert_int_equal(all[0].queue, 0);
	assert_int_equal(all[0].layout.desc, MBASE + 0x200000);
	assert_int_equal(all[1].queue, 1);
	assert_int_equal(vq_kvq_lookup_device(&k, &mem, fs.core, fs.btf, 3, all, 1, err,
					      sizeof(err)), 1);
	assert_int_equal(vq_kvq_lookup_device(&k, &mem, fs.core, fs.btf, 9, all, 4, err,
					      sizeof(err)), 0);
	vq_kvq_forget(k);
	assert_int_equal(vq_kvq_lookup(&k, &mem, fs.core, fs.btf, 7, 0, &l, err, sizeof(err)),
			 -ENOENT);
	vq_kvq_lookup_release(&k);
	assert_null(k);
	vq_mem_close(&mem);
	remove_files(&fs);
	world_free(&w);
}

/* The same records through a kcore and BTF files (access/kvq.c): one
 * allocation with the IDs and the copies, as kdev keeps per queue. */
static void test_live_packed_drvrec(void **state)
{
	struct world w;
	struct files fs;
	struct vq_mem mem;
	struct vq_kvq *k;
	struct vq_kvq_queue q;
	struct vq_packed_drvrec *rec;
	char err[512];
	const uint64_t dev = MBASE + 0x10000, obj = MBASE + 0x20100, t0 = MBASE + 0x132000;

	(void)state;
	world_init(&w);
	put_dev(&w.m, dev, 4, 2);
	put_pvq(&w.m, obj, dev, 0, MBASE + 0x100000, 8, MBASE + 0x101000, MBASE + 0x102040);
	put_records(&w.m, obj, MBASE + 0x130000, MBASE + 0x131000, t0);
	write_files(&fs, &w, 1);
	assert_int_equal(vq_mem_open(&mem, &vq_mem_elf, fs.core), 0);
	assert_int_equal(vq_kvq_open(&k, &mem, fs.core, fs.btf, err, sizeof(err)), 0);
	assert_int_equal(vq_kvq_find(k, 4, 0, &q, err, sizeof(err)), 0);
	assert_int_equal(q.packed, 1);
	assert_int_equal(vq_kvq_packed_drvrec(k, &q, &rec), 0);
	assert_int_equal(rec->n, 8);
	assert_int_equal(rec->ndescs, 3);
	assert_true(rec->ids[0].inflight);
	assert_int_equal(rec->ids[0].indir, t0);
	assert_int_equal(rec->descs[rec->ids[1].first + 1].addr, 0xb000);
	free(rec);
	q.packed = 0;
	assert_int_equal(vq_kvq_packed_drvrec(k, &q, &rec), -ENOENT);
	assert_null(rec);
	vq_kvq_close(k);
	vq_mem_close(&mem);
	remove_files(&fs);
	world_free(&w);
}

/* The world's memory as a raw image: a source without virtual addresses,
 * as /dev/mem is. */
static void open_raw(struct vq_mem *mem, const struct files *fs)
{
	char arg[128];

	snprintf(arg, sizeof(arg), "%s@0x%llx", fs->core, (unsigned long long)(MBASE - 4096));
	assert_int_equal(vq_mem_open(mem, &vq_mem_raw, arg), 0);
	assert_int_equal(mem->segs[0].has_vaddr, 0);
}

static void test_live_open_errors(void **state)
{
	struct world w;
	struct files fs;
	struct vq_mem mem, raw;
	struct vq_kvq *k;
	char err[512], path[128];

	(void)state;
	world_init(&w);
	write_files(&fs, &w, 0);
	assert_int_equal(vq_mem_open(&mem, &vq_mem_elf, fs.core), 0);
	open_raw(&raw, &fs);
	/* No virtio_ring beside vmlinux, and vmlinux lacks its types. */
	assert_int_equal(vq_kvq_open(&k, &mem, fs.core, fs.btf, err, sizeof(err)), -ENOENT);
	assert_null(k);
	assert_non_null(strstr(err, "vring_virtqueue"));
	snprintf(path, sizeof(path), "%s/none", fs.dir);
	assert_int_equal(vq_kvq_open(&k, &mem, fs.core, path, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, path));
	/* The core is read only for a source without virtual addresses. */
	assert_int_equal(vq_kvq_open(&k, &raw, path, fs.btf, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, path));
	/* A core that is not ELF. */
	assert_true(vq_kvq_open(&k, &raw, fs.btf, fs.btf, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "not an ELF file"));
	/* BTF that is not BTF. */
	assert_true(vq_kvq_open(&k, &mem, fs.core, fs.core, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "BTF"));
	vq_mem_close(&raw);
	vq_mem_close(&mem);
	remove_files(&fs);
	world_free(&w);
}

/*
 * Where the virtual-to-physical table comes from: the segments of the
 * source itself when they carry p_vaddr (the core path is then not read),
 * also under an overlay; the ELF core at the path for a source without.
 */
static void test_live_map_source(void **state)
{
	const uint64_t dev3 = MBASE + 0x10000;
	struct vq_mem mem, raw, ov, under;
	struct vq_kvq *k;
	struct vq_kvq_queue q;
	struct world w;
	struct files fs;
	char err[512], none[128];

	(void)state;
	world_init(&w);
	put_dev(&w.m, dev3, 3, 1);
	put_vq(&w.m, MBASE + 0x20100, dev3, 0, MBASE + 0x100000, 256, 4096);
	write_files(&fs, &w, 1);
	snprintf(none, sizeof(none), "%s/none", fs.dir);
	assert_int_equal(vq_mem_open(&mem, &vq_mem_elf, fs.core), 0);
	assert_int_equal(mem.segs[0].has_vaddr, 1);
	assert_int_equal(mem.segs[0].vaddr, va(MBASE));
	assert_int_equal(vq_kvq_open(&k, &mem, none, fs.btf, err, sizeof(err)), 0);
	assert_int_equal(vq_kvq_find(k, 3, 0, &q, err, sizeof(err)), 0);
	assert_int_equal(q.layout.desc, MBASE + 0x100000);
	vq_kvq_close(k);

	/* /proc/kcore on top of /dev/mem: the top's addresses still hold. */
	open_raw(&under, &fs);
	assert_int_equal(vq_mem_open_overlay(&ov, &mem, &under), 0);
	assert_int_equal(vq_kvq_open(&k, &ov, none, fs.btf, err, sizeof(err)), 0);
	assert_int_equal(vq_kvq_find(k, 3, 0, &q, err, sizeof(err)), 0);
	assert_int_equal(q.layout.desc, MBASE + 0x100000);
	vq_kvq_close(k);
	vq_mem_close(&ov);

	/* A source without them (/dev/mem alone): the core's. */
	open_raw(&raw, &fs);
	assert_int_equal(vq_kvq_open(&k, &raw, fs.core, fs.btf, err, sizeof(err)), 0);
	assert_int_equal(vq_kvq_find(k, 3, 0, &q, err, sizeof(err)), 0);
	assert_int_equal(q.layout.desc, MBASE + 0x100000);
	assert_int_equal(q.obj_paddr, MBASE + 0x20100);
	vq_kvq_close(k);
	vq_mem_close(&raw);
	remove_files(&fs);
	world_free(&w);
}

/* The direct map's offset by a vote (a dump with no map of its own): the
 * queues' (queue_dma_addr, vring.desc) pairs agree on DMAP; words that
 * differ by a 1 GiB multiple but have no queue's shape do not count. */
static void test_vote_offset(void **state)
{
	struct world w;
	uint64_t cand[4], votes[4];
	const uint64_t dev = MBASE + 0x10000;
	unsigned i;

	(void)state;
	world_init(&w);
	assert_int_equal(vq_kvq_vote_offset(&w.f, &w.r, 1, &w.l, 0xff11000000000000ull,
					    0xffffc88000000000ull, 1ull << 30, cand, votes, 4), 0);
	put_dev(&w.m, dev, 3, 1);
	put_vq(&w.m, MBASE + 0x20100, dev, 0, MBASE + 0x100000, 256, 4096);
	put_vq(&w.m, MBASE + 0x20400, dev, 1, MBASE + 0x108000, 256, 64);
	/* Noise: many pairs 1 GiB apart at the same offsets, no ring's shape. */
	for (i = 0; i < 16; i++) {
		uint64_t at = MBASE + 0x40000 + i * 0x400;

		put64(&w.m, at + offsetof(struct m_vvq, split.queue_dma_addr), 0x10000);
		put64(&w.m, at + offsetof(struct m_vvq, split.vring.desc), 0xffff900000010000ull);
	}
	assert_int_equal(vq_kvq_vote_offset(&w.f, &w.r, 1, &w.l, 0xff11000000000000ull,
					    0xffffc88000000000ull, 1ull << 30, cand, votes, 4), 1);
	assert_int_equal(cand[0], DMAP);
	assert_int_equal(votes[0], 2);
	/* Outside the range asked about: no candidate. */
	assert_int_equal(vq_kvq_vote_offset(&w.f, &w.r, 1, &w.l, DMAP + (1ull << 30),
					    0xffffc88000000000ull, 1ull << 30, cand, votes, 4), 0);
	world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_btf_split_layout),
		cmocka_unit_test(test_btf_single_blob),
		cmocka_unit_test(test_btf_member_paths),
		cmocka_unit_test(test_btf_bitfield_refused),
		cmocka_unit_test(test_btf_broken_references),
		cmocka_unit_test(test_btf_anonymous_tree),
		cmocka_unit_test(test_btf_header_checks),
		cmocka_unit_test(test_btf_mutations),
		cmocka_unit_test(test_kmap_v2p),
		cmocka_unit_test(test_scan_finds_linked_queues),
		cmocka_unit_test(test_scan_finds_packed_queues),
		cmocka_unit_test(test_packed_records),
		cmocka_unit_test(test_packed_records_versions),
		cmocka_unit_test(test_device_queues),
		cmocka_unit_test(test_scan_skips_freed_objects),
		cmocka_unit_test(test_scan_rejects_rule_breakers),
		cmocka_unit_test(test_scan_nothing),
		cmocka_unit_test(test_live_find_and_cache),
		cmocka_unit_test(test_live_packed_drvrec),
		cmocka_unit_test(test_live_open_errors),
		cmocka_unit_test(test_live_map_source),
		cmocka_unit_test(test_vote_offset),
	};

	return cmocka_run_group_tests_name("kvq", tests, NULL, NULL);
}
