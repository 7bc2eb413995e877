/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: a guest kernel's records in a dump (src/decode/kimage.c, src/decode/kvdev.c, src/decode/kvqrec.c): BTF headers, VMCOREINFO, QEMU's CPU note, page tables, struct virtio_device, a packed queue's per-ID records. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode/kimage.h"
#include "decode/kvdev.h"
#include "decode/kvqsearch.h"
#include "fuzzmem.h"

/*
 * Everything here reads a dump's bytes, which a damaged or hostile dump
 * makes anything.  The input is guest memory at MEMBASE (and the same
 * bytes read as a note's descriptor and as VMCOREINFO text); its first 8
 * bytes pick the page-table root's offset in it and the virtual address
 * tried, the next 8 the virtio_device's.  Byte 0 (free: the root's
 * offset takes bits 12-15 of bytes 0-1) picks a packed queue's size
 * (bits 0-5, plus 1) and which kernel's fields say whether desc_extra
 * holds a copy (bits 6-7, see packed_records()); bytes 12-15 (also the
 * virtio_device offset's high half) its vring_virtqueue's offset.  Every
 * reader must stay inside the memory, bounded in work, and give
 * self-consistent answers.
 */
#define MEMBASE 0x200000ull

static const char *const keys[] = {
	"SYMBOL(init_top_pgt)", "NUMBER(phys_base)", "NUMBER(pgtable_l5_enabled)", "KERNELOFFSET", "",
};

FUZZ_HARNESS static void text(const uint8_t *data, size_t size)
{
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		vq_vmcoreinfo_get((const char *)data, size, keys[i], 16, &v);
		vq_vmcoreinfo_get((const char *)data, size, keys[i], 10, &v);
	}
}

/* A struct virtio_device layout as Linux 6.1 has it on x86-64 (what BTF
 * would give), read at @vdev through @x. */
FUZZ_HARNESS static void device(const struct vq_fetch *f, const struct vq_kxlat *x, uint64_t vdev)
{
	struct vq_kvdev_layout l;
	struct vq_kvdev d;
	char s[16];

	memset(&l, 0, sizeof(l));
	l.size = 824;
	l.index = (struct vq_btf_field){ 0, 4, 0, 0 };
	l.failed = (struct vq_btf_field){ 4, 1, 0, 0 };
	l.config_enabled = (struct vq_btf_field){ 5, 1, 0, 0 };
	l.dev = (struct vq_btf_field){ 16, 1, 0, 0 };
	l.parent = (struct vq_btf_field){ 64, 8, 0, 0 };
	l.driver = (struct vq_btf_field){ 104, 8, 0, 0 };
	l.kobj_name = (struct vq_btf_field){ 0, 8, 0, 0 };
	l.drv_name = (struct vq_btf_field){ 0, 8, 0, 0 };
	l.id_device = (struct vq_btf_field){ 768, 4, 0, 0 };
	l.id_vendor = (struct vq_btf_field){ 772, 4, 0, 0 };
	l.features = (struct vq_btf_field){ 808, 8, 0, 0 };
	l.pdev_dev = (struct vq_btf_field){ 16, 1, 0, 0 };
	l.pdev_nres = (struct vq_btf_field){ 8, 4, 0, 0 };
	l.pdev_res = (struct vq_btf_field){ 800, 8, 0, 0 };
	l.res_start = (struct vq_btf_field){ 0, 8, 0, 0 };
	l.res_end = (struct vq_btf_field){ 8, 8, 0, 0 };
	l.res_flags = (struct vq_btf_field){ 24, 8, 0, 0 };
	l.res_size = 64;
	if (vq_kvdev_read(f, x, &l, vdev, &d) == 0) {
		FUZZ_CHECK(memchr(d.name, 0, sizeof(d.name)) && memchr(d.parent, 0, sizeof(d.parent)));
		FUZZ_CHECK(memchr(d.driver, 0, sizeof(d.driver)));
		FUZZ_CHECK(d.index < (1u << 24));
	}
	vq_kxlat_string(f, x, vdev, s, sizeof(s));
	FUZZ_CHECK(memchr(s, 0, sizeof(s)));
}

/* The vring_virtqueue search and the direct-map vote over the memory,
 * with Linux 6.1's x86-64 offsets (what BTF would give). */
FUZZ_HARNESS static void records(const struct vq_fetch *f, const struct vq_scan_region *r,
				 const struct vq_kmap *map)
{
	struct vq_kvq_layout l;
	struct vq_kvq_queue q[4];
	uint64_t cand[4], votes[4];
	long n, i;

	memset(&l, 0, sizeof(l));
	l.obj_size = 256;
	l.dev_size = 824;
	l.packed_ring = (struct vq_btf_field){ 64, 1, 0, 0 };
	l.vq_list = (struct vq_btf_field){ 0, 16, 0, 0 };
	l.vq_vdev = (struct vq_btf_field){ 32, 8, 0, 0 };
	l.vq_index = (struct vq_btf_field){ 40, 4, 0, 0 };
	l.num = (struct vq_btf_field){ 72, 4, 0, 0 };
	l.desc = (struct vq_btf_field){ 80, 8, 0, 0 };
	l.avail = (struct vq_btf_field){ 88, 8, 0, 0 };
	l.used = (struct vq_btf_field){ 96, 8, 0, 0 };
	l.dma = (struct vq_btf_field){ 128, 8, 0, 0 };
	l.bytes = (struct vq_btf_field){ 136, 8, 0, 0 };
	l.align = (struct vq_btf_field){ 144, 4, 0, 0 };
	l.list_next = (struct vq_btf_field){ 0, 8, 0, 0 };
	l.list_prev = (struct vq_btf_field){ 8, 8, 0, 0 };
	l.dev_index = (struct vq_btf_field){ 0, 4, 0, 0 };
	l.dev_id = (struct vq_btf_field){ 768, 4, 0, 0 };
	l.dev_vqs = (struct vq_btf_field){ 784, 16, 0, 0 };
	l.last_used = (struct vq_btf_field){ 200, 2, 0, 0 };
	n = vq_kvq_vote_offset(f, r, 1, &l, VQ_X86_DIRECT_LO_L5, VQ_X86_DIRECT_HI, VQ_X86_PUD, cand,
			       votes, 4);
	for (i = 0; i < n && i < 4; i++)
		FUZZ_CHECK(votes[i] > 0 && !(cand[i] & (VQ_X86_PUD - 1)) && (!i || votes[i] <= votes[i - 1]));
	n = vq_kvq_scan(f, r, 1, map, 1, &l, -1, q, 4);
	for (i = 0; i < n && i < 4; i++)
		FUZZ_CHECK(q[i].layout.size && q[i].layout.size <= 32768);
}

/*
 * A packed queue's per-ID records (vq_kvq_packed_records) with Linux
 * 6.1's x86-64 offsets (what BTF would give): vring_virtqueue at @obj,
 * its desc_state and desc_extra wherever its pointers say.  @variant:
 * 0 use_dma_api (6.1), 1 do_unmap as well (6.6 to 6.8), 2 use_map_api in
 * its place (6.18), 3 none of them.  Three reads at most; every copy
 * inside the array given and its ID's num, never a DMA_MAPPING_ERROR
 * address; a table only where the memory is.
 */
FUZZ_HARNESS static void packed_records(const struct vq_fetch *f, struct fuzzmem *m,
					const struct vq_kmap *map, uint64_t obj, uint32_t n,
					unsigned variant, size_t size)
{
	static struct vq_packed_drv_id ids[64];
	static struct vq_packed_drv_desc descs[4 * 64];
	const struct vq_btf_field flag = { 65, 1, 0, 0 };
	struct vq_kvq_layout l;
	struct vq_kvq_queue q;
	uint32_t nd = 0, id, max = 4 * n;
	int ret;

	memset(&l, 0, sizeof(l));
	l.obj_size = 256;
	l.ds_size = 24;
	l.de_size = 16;
	l.p_desc_state = (struct vq_btf_field){ 112, 8, 0, 0 };
	l.p_desc_extra = (struct vq_btf_field){ 120, 8, 0, 0 };
	l.ds_data = (struct vq_btf_field){ 0, 8, 0, 0 };
	l.ds_indir = (struct vq_btf_field){ 8, 8, 0, 0 };
	l.ds_num = (struct vq_btf_field){ 16, 2, 0, 0 };
	l.de_addr = (struct vq_btf_field){ 0, 8, 0, 0 };
	l.de_len = (struct vq_btf_field){ 8, 4, 0, 0 };
	l.de_flags = (struct vq_btf_field){ 12, 2, 0, 0 };
	l.de_next = (struct vq_btf_field){ 14, 2, 0, 0 };
	l.indirect = (struct vq_btf_field){ 68, 1, 0, 0 };
	if (variant == 0 || variant == 1)
		l.use_dma_api = flag;
	if (variant == 1)
		l.do_unmap = (struct vq_btf_field){ 71, 1, 0, 0 };
	if (variant == 2)
		l.use_map_api = flag;
	memset(&q, 0, sizeof(q));
	q.packed = 1;
	q.layout.size = n;
	q.obj_paddr = obj;
	m->fetches = 0;
	ret = vq_kvq_packed_records(f, map, 1, &l, &q, ids, descs, max, &nd);
	FUZZ_CHECK(m->fetches <= 3);
	FUZZ_CHECK(ret == 0 || ret == -EFAULT || ret == -ENOMEM);
	if (ret)
		return;
	FUZZ_CHECK(nd <= max);
	for (id = 0; id < n; id++) {
		const struct vq_packed_drv_id *r = &ids[id];
		uint32_t k;

		FUZZ_CHECK(r->inflight <= 1);
		FUZZ_CHECK(!r->indir || (r->indir >= MEMBASE && r->indir + 16 <= MEMBASE + size));
		if (!r->ndesc)
			continue;
		FUZZ_CHECK(variant != 3 && r->inflight && r->ndesc <= r->num && r->ndesc <= n);
		FUZZ_CHECK(r->first <= nd && r->ndesc <= nd - r->first);
		for (k = 0; k < r->ndesc; k++)
			FUZZ_CHECK(descs[r->first + k].addr != UINT64_MAX);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzzmem m;
	struct vq_fetch f;
	struct vq_scan_region r;
	struct vq_kimg_blob b[8];
	struct vq_kmap map;
	struct vq_kxlat x;
	uint64_t root, va, pa, cr3, cr4, base;
	unsigned levels;
	long n, n2, i;

	if (size < 16)
		return 0;
	memset(&m, 0, sizeof(m));
	fuzzmem_add(&m, MEMBASE, data, size);
	f = fuzzmem_fetch(&m);
	r = (struct vq_scan_region){ MEMBASE, size };
	n = vq_kimg_find_btf(&f, &r, 1, b, 8);
	for (i = 0; i < n && i < 8; i++) {
		FUZZ_CHECK(b[i].paddr >= MEMBASE && b[i].paddr < MEMBASE + size);
		FUZZ_CHECK(b[i].len >= VQ_KIMG_BTF_HDR && b[i].len <= VQ_KIMG_BTF_MAX);
	}
	/* A region running past the bytes, as a cut file's would: what
	 * cannot be read is skipped, never read past, never found more. */
	r.len = size + 4096;
	n2 = vq_kimg_find_btf(&f, &r, 1, b, 8);
	FUZZ_CHECK(n2 < 0 || n2 <= n);
	r.len = size;
	text(data, size);
	if (vq_qemu_cpu_cr(data, size, &cr3, &cr4) == 0)
		FUZZ_CHECK(size >= 432);
	root = MEMBASE + (fuzz_le(data, 2) & 0xfff000);
	levels = data[2] & 1 ? 5 : 4;
	va = 0xffff800000000000ull | fuzz_le(data + 3, 5) << 12;
	vq_x86_v2p(&f, root, levels, va, &pa);
	m.fetches = 0;
	if (vq_x86_direct_map(&f, root, levels, &base) == 0)
		FUZZ_CHECK(!(base & (VQ_X86_PUD - 1)));
	/* The walk steps past what is not mapped: bounded work. */
	FUZZ_CHECK(m.fetches <= 5ull * (1u << 20) + 5);
	map = (struct vq_kmap){ VQ_X86_DIRECT_LO + MEMBASE, MEMBASE, size };
	x = (struct vq_kxlat){ &map, 1, root, levels };
	device(&f, &x, VQ_X86_DIRECT_LO + MEMBASE + (fuzz_le(data + 8, 8) % size));
	records(&f, &r, &map);
	packed_records(&f, &m, &map, MEMBASE + fuzz_le(data + 12, 4) % size, 1 + (data[0] & 0x3f),
		       data[0] >> 6, size);
	return 0;
}
