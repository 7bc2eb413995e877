/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests: QMP replies (access/qmp.c) and QEMU's monitor text (decode/qemutext.c), from a real QEMU 7.2's answers (tests/unit/data/README.md). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "access/qmp.h"
#include "decode/qemutext.h"

/* The whole of tests/unit/data/@name, NUL-terminated (free() it). */
static char *load(const char *name)
{
	char path[512];
	const char *slash = strrchr(__FILE__, '/');
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%.*sdata/%s", slash ? (int)(slash - __FILE__ + 1) : 0,
		 __FILE__, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("open %s (run the tests from the top of the source tree)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* The line tagged @tag ("greeting", "not-found"...) of the captured
 * exchange, parsed: the caller puts it. */
static struct json_object *line(const char *tag)
{
	char *all = load("qemu72-pc-lines.txt"), *p, *end;
	size_t n = strlen(tag);
	struct json_object *o = NULL;

	for (p = all; p && *p; p = end ? end + 1 : NULL) {
		end = strchr(p, '\n');
		if (end)
			*end = 0;
		if (!strncmp(p, tag, n) && p[n] == '\t') {
			o = json_tokener_parse(p + n + 1);
			break;
		}
	}
	free(all);
	if (!o)
		fail_msg("no line '%s' in qemu72-pc-lines.txt", tag);
	return o;
}

/* A reply's "return" (or error) through vq_qmp_reply; the return value is put. */
static int reply(const char *tag, char *err, size_t errlen, enum json_type *type)
{
	struct json_object *msg = line(tag), *ret = NULL;
	int r = vq_qmp_reply(msg, &ret, err, errlen);

	if (type)
		*type = ret ? json_object_get_type(ret) : json_type_null;
	json_object_put(ret);
	json_object_put(msg);
	return r;
}

static void test_greeting(void **state)
{
	struct json_object *g = line("greeting"), *notg = line("capabilities");
	unsigned v = 0;

	(void)state;
	assert_int_equal(vq_qmp_greeting(g, &v), 0);
	/* Debian 12's QEMU: 7.2.x. */
	assert_int_equal(v / 100, 702);
	assert_int_equal(vq_qmp_greeting(notg, &v), -EPROTO);
	json_object_put(g);
	json_object_put(notg);
}

static void test_replies(void **state)
{
	char err[256];
	enum json_type t;
	struct json_object *ev, *ret = NULL;

	(void)state;
	assert_int_equal(reply("capabilities", err, sizeof(err), &t), 0);
	assert_int_equal(t, json_type_object);
	assert_int_equal(reply("list", err, sizeof(err), &t), 0);
	assert_int_equal(t, json_type_array);
	/* What a QEMU older than 7.2 answers to x-query-virtio. */
	assert_int_equal(reply("not-found", err, sizeof(err), NULL), -ENOENT);
	assert_non_null(strstr(err, "CommandNotFound"));
	assert_int_equal(reply("bad-path", err, sizeof(err), NULL), -EPROTO);
	assert_non_null(strstr(err, "GenericError"));
	/* An event between a command and its reply is skipped (the form of
	 * QEMU's docs/interop/qmp-spec: "event", "data", "timestamp"). */
	ev = json_tokener_parse("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"RTC_CHANGE\", \"data\": {\"offset\": 0}}");
	assert_int_equal(vq_qmp_reply(ev, &ret, err, sizeof(err)), 1);
	json_object_put(ev);
	ev = json_tokener_parse("{\"QMP\": {}}");
	assert_int_equal(vq_qmp_reply(ev, &ret, err, sizeof(err)), -EPROTO);
	json_object_put(ev);
}

/* The text of an HMP answer line. */
static char *hmp_text(const char *tag)
{
	struct json_object *msg = line(tag), *ret = NULL;
	char err[256], *s;

	assert_int_equal(vq_qmp_reply(msg, &ret, err, sizeof(err)), 0);
	s = strdup(json_object_get_string(ret));
	json_object_put(ret);
	json_object_put(msg);
	return s;
}

static void test_gpa2hva_xp(void **state)
{
	char *ram = hmp_text("gpa2hva-ram"), *hole = hmp_text("gpa2hva-hole"), *xp = hmp_text("xp");
	uint64_t hva = 0;
	uint32_t w;

	(void)state;
	assert_int_equal(vq_qemu_gpa2hva(ram, &hva), 0);
	/* A user-space address of QEMU's, page offset kept (0x1000 asked). */
	assert_true(hva > 0x1000 && hva < (1ull << 47));
	assert_int_equal(hva & 0xfff, 0);
	assert_int_equal(vq_qemu_gpa2hva(hole, &hva), -EINVAL);
	assert_int_equal(vq_qemu_xp_word(xp, &w), 0);
	assert_int_equal(vq_qemu_xp_word(hole, &w), -EINVAL);
	free(ram);
	free(hole);
	free(xp);
}

/* What one RAM range should be. */
struct want_ram {
	uint64_t start, end, offset;
	const char *region;
};

static void check_ram(const char *file, const struct want_ram *w, int n)
{
	struct vq_qemu_ram r[16];
	char *text = load(file);
	int i;

	assert_int_equal(vq_qemu_mtree_ram(text, r, 16), n);
	for (i = 0; i < n; i++) {
		assert_int_equal(r[i].start, w[i].start);
		assert_int_equal(r[i].end, w[i].end);
		assert_int_equal(r[i].offset, w[i].offset);
		assert_string_equal(r[i].region, w[i].region);
	}
	/* Too little room is said, not cut short. */
	assert_int_equal(vq_qemu_mtree_ram(text, r, (size_t)n - 1), -E2BIG);
	free(text);
}

/*
 * The pc machine with -m 256 and no VGA (the host-pci guest): RAM from 0
 * and from 1 MiB to 256 MiB; in the ISA window below 1 MiB the BIOS has
 * made parts read-only (shown as rom, left out).  The other flat views
 * (I/O ports, the PCI bus-master spaces) are not the guest's RAM.
 */
static void test_mtree_pc(void **state)
{
	static const struct want_ram w[] = {
		{ 0x0, 0xc2fff, 0, "pc.ram" },
		{ 0xe8000, 0xeffff, 0xe8000, "pc.ram" },
		{ 0x100000, 0xfffffff, 0x100000, "pc.ram" },
	};

	(void)state;
	check_ram("qemu72-pci-mtree-f.txt", w, 3);
}

/*
 * -m 4200M,slots=2,maxmem=8G with memory-backend-file "ram" and a 128 MiB
 * pc-dimm on memory-backend-ram "m1", held at -S: 3 GiB below 4 GiB, the
 * other 4200 - 3072 MiB (0x46800000 bytes) from 4 GiB on at offset 3 GiB
 * of the backend, and the DIMM where query-memory-devices put it
 * (0x180000000, test-host-qemu.sh checks that too).
 */
static void test_mtree_split(void **state)
{
	static const struct want_ram w[] = {
		{ 0x0, 0xbffff, 0, "ram" },
		{ 0x100000, 0xbfffffff, 0x100000, "ram" },
		{ 0x100000000, 0x1467fffff, 0xc0000000, "ram" },
		{ 0x180000000, 0x187ffffff, 0, "m1" },
	};
	struct vq_qemu_ram r[4];

	(void)state;
	check_ram("qemu72-layout-mtree-f.txt", w, 4);
	/* Text without the flat view of "memory". */
	assert_int_equal(vq_qemu_mtree_ram("FlatView #0\r\n AS \"I/O\", root: io\r\n", r, 4), -ENOENT);
	assert_int_equal(vq_qemu_mtree_ram("", r, 4), -ENOENT);
}

/* microvm (the host-mmio guest): transport N at 0xfeb00000 + 0x200 * N
 * (QEMU's hw/i386/microvm.c), version 2 (force-legacy=false). */
static void test_qtree_mmio(void **state)
{
	char *text = load("qemu72-mmio-qtree.txt");
	uint64_t base = 0;
	int ver = 0;

	(void)state;
	assert_int_equal(vq_qemu_qtree_mmio(text, "virtio-mmio-bus.23", &base, &ver), 0);
	assert_int_equal(base, 0xfeb00000 + 0x200 * 23);
	assert_int_equal(ver, 2);
	assert_int_equal(vq_qemu_qtree_mmio(text, "virtio-mmio-bus.0", &base, &ver), 0);
	assert_int_equal(base, 0xfeb00000);
	/* A prefix of another bus's name is not that bus. */
	assert_int_equal(vq_qemu_qtree_mmio(text, "virtio-mmio-bus.2", &base, &ver), 0);
	assert_int_equal(base, 0xfeb00000 + 0x200 * 2);
	assert_int_equal(vq_qemu_qtree_mmio(text, "virtio-mmio-bus.24", &base, &ver), -ENOENT);
	assert_int_equal(vq_qemu_qtree_mmio(text, "virtio-bus", &base, &ver), -ENOENT);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_greeting),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_gpa2hva_xp),
		cmocka_unit_test(test_mtree_pc),
		cmocka_unit_test(test_mtree_split),
		cmocka_unit_test(test_qtree_mmio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
