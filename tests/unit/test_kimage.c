/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of decode/kimage.c: BTF headers in RAM, VMCOREINFO keys, QEMU's CPU note, x86-64 page tables and the direct map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decode/kimage.h"
#include "decode/zblocks.h"
#include "fakemem.h"

/* A BTF header (Documentation/bpf/btf.rst) of @tlen type and @slen string bytes. */
static void put_btf_hdr(uint8_t *p, uint32_t tlen, uint32_t slen)
{
	uint32_t w[5] = { 24, 0, tlen, tlen, slen };

	p[0] = 0x9f;
	p[1] = 0xeb;
	p[2] = 1;
	p[3] = 0;
	memcpy(p + 4, w, sizeof(w));
}

static void test_btf_len(void **state)
{
	uint8_t h[24];

	(void)state;
	put_btf_hdr(h, 100, 50);
	assert_int_equal(vq_kimg_btf_len(h, sizeof(h)), 24 + 150);
	assert_int_equal(vq_kimg_btf_len(h, 23), 0);
	h[2] = 2; /* version */
	assert_int_equal(vq_kimg_btf_len(h, sizeof(h)), 0);
	put_btf_hdr(h, 100, 0); /* no strings: not a blob */
	assert_int_equal(vq_kimg_btf_len(h, sizeof(h)), 0);
	put_btf_hdr(h, 0x7fffffff, 0x7fffffff); /* past VQ_KIMG_BTF_MAX */
	assert_int_equal(vq_kimg_btf_len(h, sizeof(h)), 0);
	put_btf_hdr(h, 100, 50);
	h[4] = 32; /* hdr_len other than 24 */
	assert_int_equal(vq_kimg_btf_len(h, sizeof(h)), 0);
}

static void test_find_btf(void **state)
{
	struct fakemem m;
	struct vq_fetch f;
	struct vq_scan_region r;
	struct vq_kimg_blob b[4];

	(void)state;
	fake_init(&m, 0x100000, 9u << 20);
	f = fake_fetch(&m);
	r = (struct vq_scan_region){ m.base, m.len };
	put_btf_hdr(m.buf + 0x1000, 64, 32);
	/* Across the search's 4 MiB chunk boundary. */
	put_btf_hdr(m.buf + (4u << 20) - 12, 8, 8);
	/* Not on 4 bytes: not looked at. */
	put_btf_hdr(m.buf + 0x2002, 8, 8);
	assert_int_equal(vq_kimg_find_btf(&f, &r, 1, b, 4), 2);
	assert_int_equal(b[0].paddr, m.base + 0x1000);
	assert_int_equal(b[0].len, 24 + 96);
	assert_int_equal(b[1].paddr, m.base + (4u << 20) - 12);
	/* More than fit: counted. */
	assert_int_equal(vq_kimg_find_btf(&f, &r, 1, b, 1), 2);
	/* Memory that cannot be read at all. */
	r.start = 0x10;
	r.len = 0x1000;
	assert_true(vq_kimg_find_btf(&f, &r, 1, b, 4) < 0);
	fake_free(&m);
}

/* Zero blocks: a search steps to the first start whose window touches a
 * block with a non-zero byte, and no further. */
static void test_zblocks(void **state)
{
	static uint8_t buf[4 * VQ_ZBLOCK];
	struct vq_zblocks z = { 0 };
	uint64_t lim = sizeof(buf) - 24 + 1;

	(void)state;
	memset(buf, 0, sizeof(buf));
	buf[VQ_ZBLOCK + 100] = 1; /* block 1 only */
	assert_int_equal(vq_zblocks_fill(&z, buf, sizeof(buf)), 0);
	assert_int_equal(z.n, 4);
	assert_int_equal(z.zero[0] + z.zero[1] * 2 + z.zero[2] * 4 + z.zero[3] * 8, 1 + 4 + 8);
	/* window [s, s + 2) stepping 4: 4092 still all in block 0 */
	assert_int_equal(vq_zblocks_next(&z, 0, 0, 2, 4, lim), VQ_ZBLOCK);
	/* window [s + 100, s + 108) stepping 8: 3984's ends at 4092, 3992's reaches 4096 */
	assert_int_equal(vq_zblocks_next(&z, 0, 100, 108, 8, lim), 3992);
	/* from an odd start, its steps are kept */
	assert_int_equal(vq_zblocks_next(&z, 2, 100, 108, 8, lim), 3994);
	/* in a non-zero block: where it is */
	assert_int_equal(vq_zblocks_next(&z, VQ_ZBLOCK + 8, 0, 2, 4, lim), VQ_ZBLOCK + 8);
	/* zeros to the end: lim */
	assert_true(vq_zblocks_next(&z, 2 * VQ_ZBLOCK, 0, 2, 4, lim) >= lim);
	/* a short last block that is not zero is not skipped */
	assert_int_equal(vq_zblocks_fill(&z, buf, 2 * VQ_ZBLOCK + 10), 0);
	assert_int_equal(z.n, 3);
	buf[2 * VQ_ZBLOCK + 9] = 1;
	assert_int_equal(vq_zblocks_fill(&z, buf, 2 * VQ_ZBLOCK + 10), 0);
	assert_int_equal(z.zero[2], 0);
	assert_int_equal(vq_zblocks_next(&z, 2 * VQ_ZBLOCK - 4, 0, 16, 4, 2 * VQ_ZBLOCK), 2 * VQ_ZBLOCK - 4);
	free(z.zero);
}

/* BTF headers next to zero blocks: the magic alone in a block's last
 * bytes, the header's rest in the next; the zero blocks are skipped. */
static void test_find_btf_zero_blocks(void **state)
{
	struct fakemem m;
	struct vq_fetch f;
	struct vq_scan_region r;
	struct vq_kimg_blob b[4];

	(void)state;
	fake_init(&m, 0x100000, 1u << 20);
	f = fake_fetch(&m);
	r = (struct vq_scan_region){ m.base, m.len };
	put_btf_hdr(m.buf + 3 * VQ_ZBLOCK - 4, 64, 32);
	put_btf_hdr(m.buf + 10 * VQ_ZBLOCK, 8, 8);
	assert_int_equal(vq_kimg_find_btf(&f, &r, 1, b, 4), 2);
	assert_int_equal(b[0].paddr, m.base + 3 * VQ_ZBLOCK - 4);
	assert_int_equal(b[1].paddr, m.base + 10 * VQ_ZBLOCK);
	fake_free(&m);
}

static void test_vmcoreinfo(void **state)
{
	static const char t[] = "OSRELEASE=6.1.0\nSYMBOL(init_top_pgt)=ffffffff9cc10000\n"
				"NUMBER(phys_base)=-364904448\nNUMBER(pgtable_l5_enabled)=0\n"
				"KERNELOFFSET=1a200000\nNUMBER(bad)=12x\nNUMBER(empty)=\n"
				"NUMBER(big)=99999999999999999999\nLAST=7";
	uint64_t v = 1;

	(void)state;
	assert_int_equal(vq_vmcoreinfo_get(t, strlen(t), "SYMBOL(init_top_pgt)", 16, &v), 0);
	assert_int_equal(v, 0xffffffff9cc10000ull);
	/* %ld: phys_base below the kernel's link address is negative. */
	assert_int_equal(vq_vmcoreinfo_get(t, strlen(t), "NUMBER(phys_base)", 10, &v), 0);
	assert_int_equal(v, (uint64_t)-364904448ll);
	assert_int_equal(vq_vmcoreinfo_get(t, strlen(t), "NUMBER(pgtable_l5_enabled)", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vq_vmcoreinfo_get(t, strlen(t), "LAST", 10, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(vq_vmcoreinfo_get(t, strlen(t), "NUMBER(bad)", 10, &v), -ENOENT);
	assert_int_equal(vq_vmcoreinfo_get(t, strlen(t), "NUMBER(empty)", 10, &v), -ENOENT);
	assert_int_equal(vq_vmcoreinfo_get(t, strlen(t), "NUMBER(big)", 10, &v), -ENOENT);
	assert_int_equal(vq_vmcoreinfo_get(t, strlen(t), "NUMBER(phys", 10, &v), -ENOENT);
	/* Not NUL-terminated: the length bounds it. */
	assert_int_equal(vq_vmcoreinfo_get(t, 10, "SYMBOL(init_top_pgt)", 16, &v), -ENOENT);
}

static void test_qemu_cpu_note(void **state)
{
	uint8_t d[440];
	uint64_t cr3 = 0, cr4 = 0, v3 = 0x1234000, v4 = 0x1000;
	uint32_t ver = 1, size = sizeof(d);

	(void)state;
	memset(d, 0, sizeof(d));
	memcpy(d, &ver, 4);
	memcpy(d + 4, &size, 4);
	/* QEMUCPUState: cr[0] after 2 words, 18 registers and 10 segments. */
	memcpy(d + 392 + 24, &v3, 8);
	memcpy(d + 392 + 32, &v4, 8);
	assert_int_equal(vq_qemu_cpu_cr(d, sizeof(d), &cr3, &cr4), 0);
	assert_int_equal(cr3, v3);
	assert_int_equal(cr4, v4);
	assert_int_equal(vq_qemu_cpu_cr(d, 431, &cr3, &cr4), -EINVAL);
	ver = 2;
	memcpy(d, &ver, 4);
	assert_int_equal(vq_qemu_cpu_cr(d, sizeof(d), &cr3, &cr4), -EINVAL);
}

#define PBASE 0x100000ull

/* Entry @i of the table at @table: @val. */
static void pte(struct fakemem *m, uint64_t table, unsigned i, uint64_t val)
{
	put64(m, table + 8ull * i, val);
}

/*
 * 4-level tables at PBASE: the direct map at 0xffff88e180000000 as one
 * 1 GiB page of physical 0 (PML4 273, PUD 390 of 0x...88e1 8...), a 4 KiB
 * page elsewhere through PMD and PT, and a 2 MiB page.
 */
static void tables(struct fakemem *m)
{
	const uint64_t pml4 = PBASE, pud = PBASE + 0x1000, pmd = PBASE + 0x2000, pt = PBASE + 0x3000;

	pte(m, pml4, 273, pud | 3);
	pte(m, pud, 390, 0x0 | 0x83);            /* 1 GiB page at 0 */
	pte(m, pud, 391, pmd | 3);
	pte(m, pmd, 0, pt | 3);
	pte(m, pt, 5, 0x7654000 | 3);           /* 4 KiB page */
	pte(m, pmd, 1, 0x40000000ull | 0x83);   /* 2 MiB page */
	/* An entry with NX set: the address bits stop at 51. */
	pte(m, pmd, 2, 0x8000000000600000ull | 0x83);
}

static void test_page_walk(void **state)
{
	struct fakemem m;
	struct vq_fetch f;
	uint64_t pa = 1, base = 0;
	const uint64_t v = 0xffff88e180000000ull;

	(void)state;
	fake_init(&m, PBASE, 0x4000);
	f = fake_fetch(&m);
	tables(&m);
	assert_int_equal(vq_x86_v2p(&f, PBASE, 4, v + 0x1234, &pa), 0);
	assert_int_equal(pa, 0x1234);
	assert_int_equal(vq_x86_v2p(&f, PBASE, 4, v + (1ull << 30) + 5 * 4096 + 7, &pa), 0);
	assert_int_equal(pa, 0x7654007);
	assert_int_equal(vq_x86_v2p(&f, PBASE, 4, v + (1ull << 30) + (2u << 20) + 9, &pa), 0);
	assert_int_equal(pa, 0x40000009);
	assert_int_equal(vq_x86_v2p(&f, PBASE, 4, v + (1ull << 30) + (4u << 20), &pa), 0);
	assert_int_equal(pa, 0x600000);
	/* Not present at each level. */
	assert_int_equal(vq_x86_v2p(&f, PBASE, 4, 0xffff900000000000ull, &pa), -EFAULT);
	assert_int_equal(vq_x86_v2p(&f, PBASE, 4, v - (1ull << 30), &pa), -EFAULT);
	assert_int_equal(vq_x86_v2p(&f, PBASE, 4, v + (1ull << 30) + 6 * 4096, &pa), -EFAULT);
	assert_int_equal(vq_x86_v2p(&f, PBASE, 3, v, &pa), -EFAULT);
	/* A table outside memory. */
	assert_int_equal(vq_x86_v2p(&f, 0x900000, 4, v, &pa), -EFAULT);
	assert_int_equal(vq_x86_direct_map(&f, PBASE, 4, &base), 0);
	assert_int_equal(base, v);
	/* Without the 1 GiB page at 0 there is no direct map. */
	pte(&m, PBASE + 0x1000, 390, 0);
	assert_int_equal(vq_x86_direct_map(&f, PBASE, 4, &base), -ENOENT);
	fake_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_btf_len),
		cmocka_unit_test(test_find_btf),
		cmocka_unit_test(test_zblocks),
		cmocka_unit_test(test_find_btf_zero_blocks),
		cmocka_unit_test(test_vmcoreinfo),
		cmocka_unit_test(test_qemu_cpu_note),
		cmocka_unit_test(test_page_walk),
	};

	return cmocka_run_group_tests_name("kimage", tests, NULL, NULL);
}
