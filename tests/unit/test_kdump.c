/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the kdump memory source (access/kdump.c) and its parsing (decode/kdumpfmt.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "decode/elfnote.h"
#include "decode/kdumpfmt.h"

/* The VMCOREINFO text tests/unit/data/kdump-* were made with. */
#define VMCI "OSRELEASE=6.1.0-vqdump-test\nPAGESIZE=4096\n"

/* Path of tests/unit/data/@name, from this file's own path. */
static const char *data_path(const char *name)
{
	static char path[512];
	const char *slash = strrchr(__FILE__, '/');

	snprintf(path, sizeof(path), "%.*sdata/%s", slash ? (int)(slash - __FILE__ + 1) : 0,
		 __FILE__, name);
	return path;
}

/* kdump-notes: the image of mkring.py at 0x10000 (pages 0x10-0x13) in a
 * machine of 0x20 pages of RAM, page 0x12 filtered (data/README.md). */
static void test_open_by_probe(void **state)
{
	struct vq_mem m;

	(void)state;
	assert_int_equal(vq_mem_open_file(&m, data_path("kdump-notes")), 0);
	assert_ptr_equal(m.ops, &vq_mem_kdump);
	assert_int_equal(m.nsegs, 2);
	assert_int_equal(m.segs[0].paddr, 0x10000);
	assert_int_equal(m.segs[0].memsz, 0x2000);
	assert_int_equal(m.segs[0].filesz, 0x2000);
	assert_int_equal(m.segs[1].paddr, 0x13000);
	assert_int_equal(m.segs[1].memsz, 0x1000);
	assert_int_equal(vq_mem_filtered(&m), (0x20 - 3) * 4096);
	vq_mem_close(&m);
}

static void test_reads(void **state)
{
	uint8_t buf[32];
	struct vq_mem m;
	const char *e;

	(void)state;
	assert_int_equal(vq_mem_open_file(&m, data_path("kdump-notes")), 0);
	/* mkring.py: descriptor 0 points at 0x12000, 48 bytes, INDIRECT. */
	assert_int_equal(vq_mem_read(&m, 0x10000, buf, 16, "descriptor"), 0);
	assert_int_equal(buf[0] | buf[1] << 8 | buf[2] << 16, 0x12000);
	assert_int_equal(buf[8], 48);
	assert_int_equal(buf[12], 4);
	assert_int_equal(vq_mem_read(&m, 0x11ff0, buf, 32, "table"), -VQ_ENOTINDUMP);
	e = "read table at 0x11ff0: address 0x12000 not in the dump (filtered)";
	assert_string_equal(m.err, e);
	assert_int_equal(vq_mem_read(&m, 0x1000, buf, 1, "low"), -VQ_ENOTINDUMP);
	assert_non_null(strstr(m.err, "(filtered)"));
	/* Past the machine: no RAM there, so no filter either. */
	assert_int_equal(vq_mem_read(&m, 0x20000, buf, 1, "high"), -VQ_ENOTINDUMP);
	assert_string_equal(m.err, "read high at 0x20000: address 0x20000 not in the dump");
	vq_mem_close(&m);
}

/* Note visitor: copies the first VMCOREINFO note's text into @arg. */
static int find_vmci(void *arg, const uint8_t *notes, size_t len, int msb)
{
	struct vq_elf_note n;
	size_t off = 0;
	char err[160];

	while (vq_elf_note_next(notes, len, msb, &off, &n, err, sizeof(err)) > 0)
		if (vq_elf_note_owner_is(&n, "VMCOREINFO") && n.descsz < 256) {
			memcpy(arg, n.desc, n.descsz);
			((char *)arg)[n.descsz] = 0;
			return 1;
		}
	return 0;
}

/* VMCOREINFO reaches note_segments whether the file keeps it as a note
 * (makedumpfile, QEMU) or only in the sub header. */
static void test_vmcoreinfo(void **state)
{
	static const char *files[] = { "kdump-notes", "kdump-subhdr" };
	char text[256];
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct vq_mem m;

		assert_int_equal(vq_mem_open_file(&m, data_path(files[i])), 0);
		text[0] = 0;
		assert_int_equal(vq_mem_note_segments(&m, find_vmci, text), 1);
		assert_string_equal(text, VMCI);
		assert_int_equal(vq_mem_has_note(&m, "VMCOREINFO"), 1);
		assert_int_equal(vq_mem_qemu_dump(&m), 0);
		vq_mem_close(&m);
	}
}

static void test_flattened_refused(void **state)
{
	struct vq_mem m;

	(void)state;
	assert_int_equal(vq_mem_open_file(&m, data_path("kdump-flat")), -EINVAL);
	assert_non_null(strstr(m.err, "flattened format"));
	assert_non_null(strstr(m.err, "'makedumpfile -R OUT < "));
}

static void test_kind(void **state)
{
	uint8_t flat[16] = "makedumpfile";

	(void)state;
	assert_int_equal(vq_kdump_kind((const uint8_t *)"KDUMP   ", 8), VQ_KDUMP_COMPRESSED);
	assert_int_equal(vq_kdump_kind((const uint8_t *)"DISKDUMP", 8), VQ_KDUMP_COMPRESSED);
	assert_int_equal(vq_kdump_kind((const uint8_t *)"KDUMP  ", 7), VQ_KDUMP_NONE);
	assert_int_equal(vq_kdump_kind(flat, 16), VQ_KDUMP_FLATTENED);
	assert_int_equal(vq_kdump_kind(flat, 15), VQ_KDUMP_NONE);
	flat[12] = 's'; /* "makedumpfiles": text, not the header */
	assert_int_equal(vq_kdump_kind(flat, 16), VQ_KDUMP_NONE);
}

static void test_gaps(void **state)
{
	/* RAM 0-9 and 20-29; held 2-3, 5-24, 29. */
	const struct vq_kdump_run ram[] = { { 0, 10 }, { 20, 10 } };
	const struct vq_kdump_run held[] = { { 2, 2 }, { 5, 20 }, { 29, 1 } };
	const struct vq_kdump_run want[] = { { 0, 2 }, { 4, 1 }, { 25, 4 } };
	struct vq_kdump_run *g;
	size_t n, i;

	(void)state;
	assert_int_equal(vq_kdump_gaps(ram, 2, held, 3, &g, &n), 0);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		assert_int_equal(g[i].first, want[i].first);
		assert_int_equal(g[i].count, want[i].count);
	}
	free(g);
	assert_int_equal(vq_kdump_gaps(ram, 2, NULL, 0, &g, &n), 0);
	assert_int_equal(n, 2);
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_by_probe),
		cmocka_unit_test(test_reads),
		cmocka_unit_test(test_vmcoreinfo),
		cmocka_unit_test(test_flattened_refused),
		cmocka_unit_test(test_kind),
		cmocka_unit_test(test_gaps),
	};

	return cmocka_run_group_tests_name("kdump", tests, NULL, NULL);
}
