/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Checked reading of JSON members: types, ranges and string lengths, with a one-line reason. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "hex.h"
#include "jsonin.h"

int vq_jin_fail(struct vq_jin *p, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->where[0])
		snprintf(p->err, p->errlen, "%s: %s: %s", p->what, p->where, msg);
	else
		snprintf(p->err, p->errlen, "%s: %s", p->what, msg);
	return -EINVAL;
}

/* @v as an unsigned integer up to @max. */
static int uint_value(struct vq_jin *p, struct json_object *v, const char *key, uint64_t max,
		      uint64_t *out)
{
	uint64_t u;

	if (!json_object_is_type(v, json_type_int))
		return vq_jin_fail(p, "'%s' is not an integer", key);
	/* json-c keeps integers as int64 or uint64: a negative one reads
	 * below 0 as int64. */
	if (json_object_get_int64(v) < 0)
		return vq_jin_fail(p, "'%s' is negative", key);
	u = json_object_get_uint64(v);
	if (u > max)
		return vq_jin_fail(p, "'%s' is %llu, above %llu", key, (unsigned long long)u,
				   (unsigned long long)max);
	*out = u;
	return 0;
}

int vq_jin_uint(struct vq_jin *p, struct json_object *o, const char *key, uint64_t max,
		uint64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return vq_jin_fail(p, "'%s' missing", key);
	return uint_value(p, v, key, max, out);
}

int vq_jin_uint_or_null(struct vq_jin *p, struct json_object *o, const char *key, uint64_t max,
			uint64_t *out, int *isnull)
{
	struct json_object *v;

	*out = 0;
	*isnull = !json_object_object_get_ex(o, key, &v) || !v;
	if (*isnull)
		return 0;
	return uint_value(p, v, key, max, out);
}

int vq_jin_str(struct vq_jin *p, struct json_object *o, const char *key, int optional, char *out,
	       size_t len)
{
	struct json_object *v;
	const char *s;
	size_t n, i;

	out[0] = 0;
	if (!json_object_object_get_ex(o, key, &v) || !v) {
		if (optional)
			return 0;
		return vq_jin_fail(p, "'%s' missing", key);
	}
	if (!json_object_is_type(v, json_type_string))
		return vq_jin_fail(p, "'%s' is not a string", key);
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n >= len)
		return vq_jin_fail(p, "'%s' is %zu bytes long, at most %zu fit", key, n, len - 1);
	for (i = 0; i < n; i++)
		if (!vq_jin_char_ok(s[i]))
			return vq_jin_fail(p, "'%s' holds %s 0x%02x, not printable ASCII", key,
					   (unsigned char)s[i] < 0x20 || s[i] == 0x7f
						   ? "a control character,"
						   : "the byte",
					   (unsigned char)s[i]);
	memcpy(out, s, n);
	out[n] = 0;
	return 0;
}

int vq_jin_bool(struct vq_jin *p, struct json_object *o, const char *key, int *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v || !json_object_is_type(v, json_type_boolean))
		return vq_jin_fail(p, "'%s' missing or not a boolean", key);
	*out = json_object_get_boolean(v);
	return 0;
}

int vq_jin_array(struct vq_jin *p, struct json_object *o, const char *key, size_t max,
		 struct json_object **out, size_t *n)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return vq_jin_fail(p, "'%s' missing", key);
	if (!json_object_is_type(v, json_type_array))
		return vq_jin_fail(p, "'%s' is not an array", key);
	*n = json_object_array_length(v);
	if (*n > max)
		return vq_jin_fail(p, "'%s' has %zu entries, at most %zu allowed", key, *n, max);
	*out = v;
	return 0;
}

int vq_jin_enum(struct vq_jin *p, struct json_object *o, const char *key,
		int (*parse)(const char *name, unsigned *out), unsigned *out)
{
	char s[32], q[VQ_ESCAPED_LEN(sizeof(s))];
	int ret = vq_jin_str(p, o, key, 0, s, sizeof(s));

	if (ret)
		return ret;
	if (parse(s, out))
		return vq_jin_fail(p, "'%s' has the unknown value '%s'", key,
				   vq_escape(s, VQ_ESC_DOUBLE_BS, q, sizeof(q)));
	return 0;
}

int vq_jin_hex(struct vq_jin *p, const char *key, const char *hex, uint8_t *out, size_t max,
	       unsigned *outlen)
{
	size_t n = strlen(hex), i;

	if (n % 2)
		return vq_jin_fail(p, "'%s' has an odd number of hex digits", key);
	if (n / 2 > max)
		return vq_jin_fail(p, "'%s' holds %zu bytes, at most %zu fit", key, n / 2, max);
	for (i = 0; i < n / 2; i++) {
		int hi = vq_hex_digit(hex[2 * i]), lo = vq_hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return vq_jin_fail(p, "'%s' is not hexadecimal", key);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*outlen = (unsigned)(n / 2);
	return 0;
}
