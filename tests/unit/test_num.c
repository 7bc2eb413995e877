/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the one parser of user numbers: decimal or 0x-hex, never octal. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "model/num.h"

/* What the man page promises (OPTIONS: decimal, or hexadecimal after 0x;
 * a leading 0 is not octal). */
static void test_accepted(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} ok[] = {
		{ "0", 0 },
		{ "010", 10 },
		{ "0200000", 200000 },
		{ "00", 0 },
		{ "4096", 4096 },
		{ "0x10", 16 },
		{ "0X1f", 31 },
		{ "0x00ff", 255 },
		{ "18446744073709551615", UINT64_MAX },
		{ "0xffffffffffffffff", UINT64_MAX },
	};
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = 12345;
		assert_int_equal(vq_parse_u64(ok[i].s, &v), 0);
		assert_true(v == ok[i].v);
	}
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"", "x", "0x", "0X", "0x-1", "0x+1", "0xg", "-1", "+1", " 1", "1 ", "1x",
		"08x", "0b1", "1e3", "18446744073709551616", "0x10000000000000000", "12abc",
	};
	uint64_t v = 7;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(vq_parse_u64(bad[i], &v), -1);
		assert_true(v == 7); /* left as it was */
	}
	assert_int_equal(vq_parse_u64(NULL, &v), -1);
}

/* The prefix form, as blk's LBA+N reads it. */
static void test_prefix(void **state)
{
	const char *end;
	uint64_t v;

	(void)state;
	assert_int_equal(vq_parse_u64_prefix("010+8", &v, &end), 0);
	assert_true(v == 10);
	assert_string_equal(end, "+8");
	assert_int_equal(vq_parse_u64_prefix("0x10+0x8", &v, &end), 0);
	assert_true(v == 16);
	assert_string_equal(end, "+0x8");
	assert_int_equal(vq_parse_u64_prefix("+8", &v, &end), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accepted),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
