/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Numbers typed by the user: decimal, or hexadecimal after 0x; never octal. */
#include <errno.h>
#include <stdlib.h>

#include "hex.h"
#include "num.h"

int vq_parse_u64_prefix(const char *s, uint64_t *out, const char **end)
{
	unsigned long long v;
	char *e;
	int base = 10;

	if (!s || *s < '0' || *s > '9')
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		/* strtoull would take "0x" alone as 0 and a sign after it. */
		if (vq_hex_digit(s[2]) < 0)
			return -1;
		base = 16;
	}
	errno = 0;
	v = strtoull(s, &e, base);
	if (errno)
		return -1;
	*out = v;
	*end = e;
	return 0;
}

int vq_parse_u64(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t v;

	if (vq_parse_u64_prefix(s, &v, &end) || *end)
		return -1;
	*out = v;
	return 0;
}
