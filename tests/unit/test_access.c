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
#include <unistd.h>

#include "access/access.h"

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
}

static void test_lookup_and_gaps(void **state)
{
	uint8_t file[0x3000];
	const struct vq_seg s[] = {
		{ 0x200000, 0x1000, 0x1000, 0x2000 },
		{ 0x100000, 0x1000, 0x1000, 0x0000 },
		{ 0x101000, 0x1000, 0x1000, 0x1000 },
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
	const struct vq_seg s[] = { { 0x1000, 0x800, 0x1000, 0 } };
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
	const struct vq_seg s[] = { { 0x1000, 0x2000, 0x2000, 0x800 } };
	struct vq_mem m;
	uint8_t b[4];

	(void)state;
	memset(file, 0x55, sizeof(file));
	setup(&m, file, sizeof(file), s, 1);
	assert_int_equal(m.segs[0].filesz, 0x1000);
	assert_int_equal(m.segs[0].memsz, 0x1000);
	assert_int_equal(vq_mem_read(&m, 0x1ffc, b, 4, "x"), 0);
	assert_int_equal(vq_mem_read(&m, 0x2000, b, 4, "x"), -VQ_ENOTINDUMP);
	teardown(&m);
}

/* Overlaps: the earlier segment wins, the later is clipped or dropped. */
static void test_overlaps(void **state)
{
	uint8_t file[0x4000];
	const struct vq_seg s[] = {
		{ 0x1000, 0x2000, 0x2000, 0x0000 },
		{ 0x2000, 0x2000, 0x2000, 0x2000 },
		{ 0x1800, 0x100, 0x100, 0x1000 },
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_and_gaps),
		cmocka_unit_test(test_memsz_zero_fill),
		cmocka_unit_test(test_truncated_file),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_elf_open_errors),
	};

	return cmocka_run_group_tests_name("access", tests, NULL, NULL);
}
