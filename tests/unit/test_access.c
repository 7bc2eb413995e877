/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the memory accessor core: segment clipping, lookup and labelled reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/access.h"
#include "access/ringview.h"
#include "access/session.h"

/* A source whose "file" is @file mapped in memory. */
static void setup(struct vq_mem *m, const uint8_t *file, size_t flen, const struct vq_seg *s,
		  size_t n)
{
	memset(m, 0, sizeof(*m));
	m->fd = -1;
	m->map = file;
	m->map_len = flen;
	m->segs = calloc(n ? n : 1, sizeof(*s));
	memcpy(m->segs, s, n * sizeof(*s));
	m->nsegs = n;
	assert_int_equal(vq_mem_finish_segments(m, flen), 0);
}

static void teardown(struct vq_mem *m)
{
	free(m->segs);
	free(m->lost);
}

static void test_lookup_and_gaps(void **state)
{
	uint8_t file[0x3000];
	const struct vq_seg s[] = {
		{ 0x200000, 0x1000, 0x1000, 0x2000, 0, 0 },
		{ 0x100000, 0x1000, 0x1000, 0x0000, 0, 0 },
		{ 0x101000, 0x1000, 0x1000, 0x1000, 0, 0 },
	};
	struct vq_mem m;
	uint8_t b[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(file); i++)
		file[i] = (uint8_t)(i / 0x1000 + 1);
	setup(&m, file, sizeof(file), s, 3);
	assert_int_equal(m.segs[0].paddr, 0x100000); /* sorted */
	assert_int_equal(vq_mem_read(&m, 0x100ff8, b, 16, "x"), 0); /* across adjacent segments */
	assert_int_equal(b[0], 1);
	assert_int_equal(b[15], 2);
	assert_int_equal(vq_mem_read(&m, 0x200000, b, 16, "x"), 0);
	assert_int_equal(b[0], 3);
	assert_int_equal(vq_mem_read(&m, 0x101ff8, b, 16, "descriptor table"), -VQ_ENOTINDUMP);
	assert_non_null(strstr(m.err, "descriptor table"));
	assert_non_null(strstr(m.err, "0x102000 not in the dump"));
	assert_int_equal(vq_mem_read(&m, 0xfffff, b, 1, "x"), -VQ_ENOTINDUMP);
	assert_int_equal(vq_mem_read(&m, UINT64_MAX - 4, b, 16, "x"), -VQ_ENOTINDUMP);
	assert_non_null(vq_mem_ptr(&m, 0x100000, 0x1000));
	assert_null(vq_mem_ptr(&m, 0x100000, 0x1001));
	teardown(&m);
}

/* ELF: past p_filesz up to p_memsz the segment reads as zero. */
static void test_memsz_zero_fill(void **state)
{
	uint8_t file[0x1000];
	const struct vq_seg s[] = { { 0x1000, 0x800, 0x1000, 0, 0, 0 } };
	struct vq_mem m;
	uint8_t b[4];

	(void)state;
	memset(file, 0xaa, sizeof(file));
	setup(&m, file, sizeof(file), s, 1);
	assert_int_equal(vq_mem_read(&m, 0x17fe, b, 4, "x"), 0);
	assert_int_equal(b[0], 0xaa);
	assert_int_equal(b[1], 0xaa);
	assert_int_equal(b[2], 0);
	assert_int_equal(b[3], 0);
	teardown(&m);
}

/* A header that claims more than the file holds: the rest is missing. */
static void test_truncated_file(void **state)
{
	uint8_t file[0x1800];
	const struct vq_seg s[] = { { 0x1000, 0x2000, 0x2000, 0x800, 0, 0 } };
	struct vq_mem m;
	uint8_t b[4];

	(void)state;
	memset(file, 0x55, sizeof(file));
	setup(&m, file, sizeof(file), s, 1);
	assert_int_equal(m.segs[0].filesz, 0x1000);
	assert_int_equal(m.segs[0].memsz, 0x1000);
	assert_int_equal(vq_mem_read(&m, 0x1ffc, b, 4, "x"), 0);
	assert_int_equal(vq_mem_read(&m, 0x2000, b, 4, "x"), -VQ_ENOTINDUMP);
	/* Said as such: 0x1000 of the 0x2000 claimed bytes are not in the file. */
	assert_non_null(strstr(m.err, "not in the dump (truncated file)"));
	assert_int_equal(m.missing, 0x1000);
	assert_int_equal(m.claimed, 0x2000);
	{
		char why[128];

		assert_int_equal(vq_mem_truncation(&m, why, sizeof(why)), 1);
		assert_string_equal(why, "truncated: 0.1 of 0.1 MiB of memory missing");
	}
	teardown(&m);
}

/* Zero fill (p_memsz past p_filesz) is counted, and bytes another segment's
 * file holds beat it. */
static void test_zero_fill(void **state)
{
	uint8_t file[0x2000];
	const struct vq_seg s[] = {
		{ 0x10000, 0x1000, 0x100000, 0x0000, 0, 0 }, /* 4 KiB held, 1 MiB claimed */
		{ 0x20000, 0x1000, 0x1000, 0x1000, 0, 0 },   /* inside the first one's zero fill */
	};
	struct vq_mem m;
	uint8_t b[4];

	(void)state;
	memset(file, 0x55, 0x1000);
	memset(file + 0x1000, 0x66, 0x1000);
	setup(&m, file, sizeof(file), s, 2);
	assert_int_equal(m.nsegs, 2);
	assert_int_equal(m.segs[0].memsz, 0x10000); /* ends where the held bytes start */
	assert_int_equal(vq_mem_zero_fill(&m), 0xf000);
	assert_int_equal(m.missing, 0);
	assert_int_equal(vq_mem_read(&m, 0x20000, b, 4, "x"), 0);
	assert_int_equal(b[0], 0x66);
	assert_int_equal(vq_mem_read(&m, 0x1fffc, b, 4, "x"), 0);
	assert_int_equal(b[0], 0);
	teardown(&m);
}

/* Overlaps: the earlier segment wins, the later is clipped or dropped. */
static void test_overlaps(void **state)
{
	uint8_t file[0x4000];
	const struct vq_seg s[] = {
		{ 0x1000, 0x2000, 0x2000, 0x0000, 0, 0 },
		{ 0x2000, 0x2000, 0x2000, 0x2000, 0xffff888000002000, 1 },
		{ 0x1800, 0x100, 0x100, 0x1000, 0, 0 },
	};
	struct vq_mem m;
	uint8_t b[1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(file); i++)
		file[i] = (uint8_t)(i >> 12);
	setup(&m, file, sizeof(file), s, 3);
	assert_int_equal(m.nsegs, 2);
	assert_int_equal(m.segs[1].paddr, 0x3000);
	assert_int_equal(m.segs[1].offset, 0x3000);
	assert_int_equal(m.segs[1].vaddr, 0xffff888000003000); /* moved with paddr */
	assert_int_equal(m.segs[0].vaddr, 0);
	assert_int_equal(vq_mem_read(&m, 0x2800, b, 1, "x"), 0);
	assert_int_equal(b[0], 1); /* from the first segment's bytes */
	assert_int_equal(vq_mem_read(&m, 0x3800, b, 1, "x"), 0);
	assert_int_equal(b[0], 3);
	teardown(&m);
}

/* The ELF accessor opens a real file and reports non-ELF as such. */
static void test_elf_open_errors(void **state)
{
	char path[] = "/tmp/vqdump-test-XXXXXX";
	int fd = mkstemp(path);
	struct vq_mem m;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not elf", 7), 7);
	close(fd);
	assert_true(vq_mem_open(&m, &vq_mem_elf, path) < 0);
	assert_non_null(strstr(m.err, "not an ELF file"));
	assert_true(vq_mem_open(&m, &vq_mem_raw, path) < 0); /* no @BASE */
	unlink(path);
}

/* A heap copy of @m as a source that vq_mem_open_overlay can take over. */
static void heap_source(struct vq_mem *m, const uint8_t *file, size_t flen, const struct vq_seg *s,
			size_t n)
{
	setup(m, file, flen, s, n);
	m->map = NULL; /* reads go through pread on @fd: a file of our own */
}

/* An overlay reads the top source and, for what it lacks, the one under
 * it; its segments and reasons are the top's. */
static void test_overlay(void **state)
{
	char path[] = "/tmp/vqdump-test-XXXXXX";
	uint8_t file[0x2000], b[4];
	const struct vq_seg top_s[] = { { 0x10000, 0x1000, 0x1000, 0, 0xffff888000010000, 1 } };
	const struct vq_seg under_s[] = { { 0x20000, 0x1000, 0x1000, 0x1000, 0, 0 } };
	struct vq_mem top, under, m;
	int fd = mkstemp(path);
	struct vq_fetch f;

	(void)state;
	assert_true(fd >= 0);
	memset(file, 0x11, 0x1000);
	memset(file + 0x1000, 0x22, 0x1000);
	assert_int_equal(write(fd, file, sizeof(file)), (ssize_t)sizeof(file));
	heap_source(&top, file, sizeof(file), top_s, 1);
	heap_source(&under, file, sizeof(file), under_s, 1);
	top.fd = fd;
	under.fd = dup(fd);
	top.where = "the top";
	assert_int_equal(vq_mem_open_overlay(&m, &top, &under), 0);
	assert_ptr_equal(m.ops, &vq_mem_overlay);
	assert_int_equal(m.nsegs, 1);
	assert_int_equal(m.segs[0].paddr, 0x10000);
	assert_int_equal(m.segs[0].vaddr, 0xffff888000010000); /* kvq.c's map */
	assert_int_equal(m.segs[0].has_vaddr, 1);
	f = vq_mem_fetch(&m);
	assert_int_equal(vq_fetch(&f, 0x10000, b, 4, "x"), 0);
	assert_int_equal(b[0], 0x11);
	assert_int_equal(vq_fetch(&f, 0x20ffc, b, 4, "x"), 0);
	assert_int_equal(b[3], 0x22);
	assert_int_equal(vq_fetch(&f, 0x30000, b, 4, "ring"), -VQ_ENOTINDUMP);
	assert_non_null(strstr(m.err, "read ring at 0x30000: address 0x30000 not in the top"));
	vq_mem_close(&m); /* closes both */
	unlink(path);
}

/* Scan regions: whole segments, or only the bytes the file holds. */
static void test_scan_regions(void **state)
{
	uint8_t file[0x1000];
	const struct vq_seg s[] = {
		{ 0x1000, 0x800, 0x1000, 0, 0, 0 },
		{ 0x4000, 0, 0x1000, 0, 0, 0 },
	};
	struct vq_scan_region *r;
	struct vq_mem m;
	size_t n;

	(void)state;
	memset(file, 0, sizeof(file));
	setup(&m, file, sizeof(file), s, 2);
	assert_int_equal(vq_mem_scan_regions(&m, VQ_REGIONS_ALL, &r, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].start, 0x1000);
	assert_int_equal(r[0].len, 0x1000);
	assert_int_equal(r[1].start, 0x4000);
	free(r);
	assert_int_equal(vq_mem_scan_regions(&m, VQ_REGIONS_FILE, &r, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].len, 0x800);
	free(r);
	teardown(&m);
}

/* VQ_REGIONS_DATA: a file's holes are left out but for VQ_REGIONS_MARGIN
 * bytes next to its data; the bytes still read (as zeros). */
static void test_scan_regions_data(void **state)
{
	const uint64_t mib = 1u << 20, mg = VQ_REGIONS_MARGIN;
	const struct vq_seg s[] = { { 0x100000, 16 * mib, 16 * mib, 0, 0, 0 } };
	char path[] = "/tmp/vqdump-sparse-XXXXXX";
	uint8_t page[4096], b[4];
	struct vq_scan_region *r;
	struct vq_fetch f;
	struct vq_mem m;
	struct stat st;
	size_t n;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	memset(page, 0xab, sizeof(page));
	/* data at 0 and at 8 MiB, a hole between and after */
	assert_int_equal(pwrite(fd, page, sizeof(page), 0), sizeof(page));
	assert_int_equal(pwrite(fd, page, sizeof(page), 8 * mib), sizeof(page));
	assert_int_equal(ftruncate(fd, 16 * mib), 0);
	assert_int_equal(fstat(fd, &st), 0);
	unlink(path);
	if ((uint64_t)st.st_blocks * 512 >= 16 * mib) {
		close(fd);
		skip(); /* this file system writes no holes */
	}
	memset(&m, 0, sizeof(m));
	m.fd = fd;
	m.segs = calloc(1, sizeof(s));
	memcpy(m.segs, s, sizeof(s));
	m.nsegs = 1;
	assert_int_equal(vq_mem_finish_segments(&m, 16 * mib), 0);
	assert_int_equal(vq_mem_scan_regions(&m, VQ_REGIONS_DATA, &r, &n), 0);
	if (n == 1 && r[0].len == 16 * mib) {
		free(r);
		teardown(&m);
		close(fd);
		skip(); /* lseek(SEEK_DATA) sees no holes here */
	}
	assert_int_equal(n, 2);
	assert_int_equal(r[0].start, 0x100000);
	assert_true(r[0].len >= 4096 + mg && r[0].len < 2 * mib);
	assert_true(r[1].start <= 0x100000 + 8 * mib - mg && r[1].start > 0x100000 + 6 * mib);
	assert_true(r[1].start + r[1].len >= 0x100000 + 8 * mib + 4096 + mg);
	assert_true(r[1].start + r[1].len < 0x100000 + 10 * mib);
	free(r);
	/* FILE still gives the whole segment; the hole reads as zeros */
	assert_int_equal(vq_mem_scan_regions(&m, VQ_REGIONS_FILE, &r, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].len, 16 * mib);
	free(r);
	f = vq_mem_fetch(&m);
	assert_int_equal(vq_fetch(&f, 0x100000 + 4 * mib, b, 4, "x"), 0);
	assert_int_equal(b[0] | b[1] | b[2] | b[3], 0);
	assert_int_equal(vq_fetch(&f, 0x100000 + 8 * mib, b, 4, "x"), 0);
	assert_int_equal(b[0], 0xab);
	teardown(&m);
	close(fd);
}

static void put_note(uint8_t *p, const char *name, uint32_t type, uint32_t descsz)
{
	uint32_t nsz = (uint32_t)strlen(name) + 1;

	memcpy(p, &nsz, 4);
	memcpy(p + 4, &descsz, 4);
	memcpy(p + 8, &type, 4);
	memcpy(p + 12, name, nsz);
}

/* An ELF64 core with one PT_NOTE (a CORE note, then @second's) and one
 * PT_LOAD of 16 bytes at 0x1000; returns its path in @path. */
static void write_core(char *path, const char *second)
{
	struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph[2];
		uint8_t notes[64];
		uint8_t mem[16];
	} f;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	memset(&f, 0, sizeof(f));
	memcpy(f.eh.e_ident, ELFMAG, SELFMAG);
	f.eh.e_ident[EI_CLASS] = ELFCLASS64;
	f.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	f.eh.e_ident[EI_VERSION] = EV_CURRENT;
	f.eh.e_type = ET_CORE;
	f.eh.e_machine = EM_X86_64;
	f.eh.e_version = EV_CURRENT;
	f.eh.e_phoff = offsetof(__typeof__(f), ph);
	f.eh.e_ehsize = sizeof(f.eh);
	f.eh.e_phentsize = sizeof(f.ph[0]);
	f.eh.e_phnum = 2;
	put_note(f.notes, "CORE", 1, 8);        /* 12 + 8 + 8 bytes */
	put_note(f.notes + 28, second, 0, 4);   /* 12 + 8 + 4 bytes */
	f.ph[0] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = offsetof(__typeof__(f), notes),
				.p_filesz = 52, .p_align = 4 };
	f.ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = offsetof(__typeof__(f), mem),
				.p_paddr = 0x1000, .p_filesz = 16, .p_memsz = 16 };
	assert_int_equal(write(fd, &f, sizeof(f)), (ssize_t)sizeof(f));
	close(fd);
}

/* The ELF accessor tells a QEMU dump by its "QEMU" notes. */
static void test_qemu_note(void **state)
{
	char path[] = "/tmp/vqdump-test-XXXXXX", path2[] = "/tmp/vqdump-test-XXXXXX";
	char raw[sizeof(path2) + 2];
	struct vq_mem m;

	(void)state;
	write_core(path, "QEMU");
	assert_int_equal(vq_mem_open(&m, &vq_mem_elf, path), 0);
	assert_int_equal(vq_mem_qemu_dump(&m), 1);
	assert_int_equal(vq_mem_has_note(&m, "CORE"), 1);
	assert_int_equal(vq_mem_has_note(&m, "QEM"), 0);
	vq_mem_close(&m);
	write_core(path2, "QEMX");
	assert_int_equal(vq_mem_open(&m, &vq_mem_elf, path2), 0);
	assert_int_equal(vq_mem_qemu_dump(&m), 0);
	vq_mem_close(&m);
	/* A raw image has no notes. */
	snprintf(raw, sizeof(raw), "%s@0", path2);
	assert_int_equal(vq_mem_open(&m, &vq_mem_raw, raw), 0);
	assert_int_equal(vq_mem_qemu_dump(&m), 0);
	vq_mem_close(&m);
	unlink(path);
	unlink(path2);
}

/* The live probe either opens a source or names every method's reason. */
static void test_live_probe(void **state)
{
	struct vq_mem m;

	(void)state;
	if (vq_mem_open_live(&m) == 0) {
		vq_mem_close(&m);
		return;
	}
	assert_non_null(strstr(m.err, "read live memory: "));
	assert_non_null(strstr(m.err, "; and "));
	assert_non_null(strstr(m.err, "/proc/kcore"));
}

/* -d SEL: names, PCI addresses without the domain, mmio:ADDR, virtioN,
 * plain decimal indices; and the only device when none is named. */
static void test_select(void **state)
{
	struct vq_dev devs[3];
	struct vq_session s;
	size_t i = 99;

	(void)state;
	memset(devs, 0, sizeof(devs));
	snprintf(devs[0].name, sizeof(devs[0].name), "0000:00:04.0");
	devs[0].kind = VQ_T_PCI;
	snprintf(devs[1].name, sizeof(devs[1].name), "mmio:0xfeb00000");
	devs[1].kind = VQ_T_MMIO;
	devs[1].mmio_base = 0xfeb00000;
	snprintf(devs[1].virtio_name, sizeof(devs[1].virtio_name), "virtio3");
	snprintf(devs[2].name, sizeof(devs[2].name), "0000:00:05.0");
	devs[2].kind = VQ_T_PCI_LEGACY;
	vq_session_init(&s, NULL, NULL, NULL);
	s.devs.devs = devs;
	s.devs.n = 3;
	assert_true(vq_dev_matches(&devs[0], "00:04.0"));
	assert_true(vq_dev_matches(&devs[1], "mmio:4272947200"));
	assert_false(vq_dev_matches(&devs[1], "mmio:-1"));
	assert_false(vq_dev_matches(&devs[0], "mmio:0"));
	assert_int_equal(vq_session_select(&s, "virtio3", &i), 0);
	assert_int_equal(i, 1);
	assert_int_equal(vq_session_select(&s, "2", &i), 0);
	assert_int_equal(i, 2);
	assert_int_equal(vq_session_select(&s, "3", &i), -ERANGE);
	assert_int_equal(i, 3);
	assert_int_equal(vq_session_select(&s, "00:06.0", &i), -ENOENT);
	assert_int_equal(vq_session_select(&s, NULL, &i), -ENOTUNIQ);
	s.devs.n = 1;
	assert_int_equal(vq_session_select(&s, NULL, &i), 0);
	assert_int_equal(i, 0);
	s.devs.n = 0;
	assert_int_equal(vq_session_select(&s, NULL, &i), -ENODEV);
}

/* The two ring indices read through a source, and ring views sized and
 * released. */
static void test_indices_and_views(void **state)
{
	uint8_t file[0x100];
	const struct vq_seg seg[] = { { 0x1000, 0x100, 0x100, 0, 0, 0 } };
	struct vq_ring_view v;
	struct vq_fetch f;
	struct vq_mem m;
	uint16_t a = 7, u = 7;

	(void)state;
	memset(file, 0, sizeof(file));
	file[0x12] = 0x34; /* avail idx at avail + 2 */
	file[0x13] = 0x12;
	file[0x82] = 0x05; /* used idx at used + 2 */
	setup(&m, file, sizeof(file), seg, 1);
	f = vq_mem_fetch(&m);
	assert_int_equal(vq_ring_read_indices(&f, 0x1010, 0x1080, &a, &u), 0);
	assert_int_equal(a, 0x1234);
	assert_int_equal(u, 5);
	a = u = 7;
	assert_int_equal(vq_ring_read_indices(&f, 0x1010, 0x2000, &a, &u), -VQ_ENOTINDUMP);
	assert_non_null(strstr(m.err, "used idx"));
	assert_int_equal(a, 7); /* nothing stored unless both were read */
	teardown(&m);
	assert_int_equal(vq_ring_view_alloc(&v, 256, 8), 0);
	assert_int_equal(v.max_chains, 256);
	assert_int_equal(v.max_used, 8);
	assert_non_null(v.pool);
	vq_ring_view_free(&v);
	assert_null(v.chains);
	vq_ring_view_free(&v); /* twice is harmless */
}

/* Whether a queue's ring can be read, with each size rule; the packed
 * and driver-features-known helpers of the model. */
static void test_ring_access(void **state)
{
	struct vq_queue_state q = { .index = 0, .size = 0, .max_size = 256, .enabled = 1,
				    .desc = 0x1000, .avail = 0x2000, .used = 0x3000 };
	struct vq_dev d;

	(void)state;
	memset(&d, 0, sizeof(d));
	/* Size 0 (unknown): the in-use rule skips it, the other takes the maximum. */
	assert_int_equal(vq_queue_ring_size(&q, VQ_SIZE_IN_USE), 0);
	assert_int_equal(vq_queue_ring_size(&q, VQ_SIZE_OR_MAX), 256);
	assert_int_equal(vq_queue_ring_access(&d, &q, VQ_SIZE_IN_USE), VQ_RING_BAD_SIZE);
	assert_string_equal(vq_queue_unreadable(&d, &q), "no valid size");
	assert_int_equal(vq_queue_ring_access(&d, &q, VQ_SIZE_OR_MAX), VQ_RING_READABLE);
	q.size = 128;
	assert_int_equal(vq_queue_ring_size(&q, VQ_SIZE_OR_MAX), 128);
	assert_null(vq_queue_unreadable(&d, &q));
	q.size = 100; /* not a power of two, under both rules */
	assert_int_equal(vq_queue_ring_access(&d, &q, VQ_SIZE_OR_MAX), VQ_RING_BAD_SIZE);
	q.size = 128;
	d.driver_features[1] = 1u << (VIRTIO_F_RING_PACKED - 32);
	assert_true(vq_dev_packed(&d));
	assert_int_equal(vq_queue_ring_access(&d, &q, VQ_SIZE_OR_MAX), VQ_RING_PACKED);
	assert_string_equal(vq_queue_unreadable(&d, &q), "packed ring");
	q.used = 0; /* addresses come before the layout */
	assert_int_equal(vq_queue_ring_access(&d, &q, VQ_SIZE_OR_MAX), VQ_RING_NO_ADDRS);
	assert_string_equal(vq_queue_unreadable(&d, &q), "ring addresses unknown");
	q.enabled = 0; /* and being enabled before them */
	assert_int_equal(vq_queue_ring_access(&d, &q, VQ_SIZE_IN_USE), VQ_RING_DISABLED);
	assert_string_equal(vq_queue_unreadable(&d, &q), "not enabled");
	/* Driver features: known when read, not when missing or assumed. */
	d.driver_features_src = VQ_SRC_NONE;
	assert_false(vq_dev_driver_features_known(&d));
	assert_int_equal(vq_dev_event_idx(&d), -1);
	d.driver_features_src = VQ_SRC_ASSUMED;
	assert_false(vq_dev_driver_features_known(&d));
	d.driver_features_src = VQ_SRC_SYSFS;
	assert_true(vq_dev_driver_features_known(&d));
	assert_int_equal(vq_dev_event_idx(&d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_and_gaps),
		cmocka_unit_test(test_memsz_zero_fill),
		cmocka_unit_test(test_truncated_file),
		cmocka_unit_test(test_zero_fill),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_elf_open_errors),
		cmocka_unit_test(test_overlay),
		cmocka_unit_test(test_scan_regions),
		cmocka_unit_test(test_scan_regions_data),
		cmocka_unit_test(test_qemu_note),
		cmocka_unit_test(test_live_probe),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_indices_and_views),
		cmocka_unit_test(test_ring_access),
	};

	return cmocka_run_group_tests_name("access", tests, NULL, NULL);
}
