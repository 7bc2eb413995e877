/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Checked reading of JSON members (json-c): each says which member is wrong and why, in one line. */
#ifndef VQDUMP_MODEL_JSONIN_H
#define VQDUMP_MODEL_JSONIN_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* A reader's context: where failures are reported. */
struct vq_jin {
	const char *what; /* the document, first in every message ("snapshot note") */
	char *err;        /* message buffer */
	size_t errlen;    /* its size */
	char where[64];   /* the part being read ("device 2"), "" at the top */
};

/* Report a failure in @p->err ("WHAT: WHERE: message"); returns -EINVAL. */
int vq_jin_fail(struct vq_jin *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Member @key of @o: an unsigned integer up to @max (0 or -EINVAL). */
int vq_jin_uint(struct vq_jin *p, struct json_object *o, const char *key, uint64_t max,
		uint64_t *out);
/* The same, or null (or absent when @optional): then *@isnull is 1 and *@out 0. */
int vq_jin_uint_or_null(struct vq_jin *p, struct json_object *o, const char *key, uint64_t max,
			uint64_t *out, int *isnull);
/* 1 when @c may appear in a string vq_jin_str reads: printable ASCII.
 * Writers clean their strings with it so that they read back. */
static inline int vq_jin_char_ok(char c)
{
	return (unsigned char)c >= 0x20 && (unsigned char)c <= 0x7e;
}
/* A string that fits @len bytes with its NUL, of printable ASCII only
 * (vq_jin_char_ok: what it is printed as is; the names and messages a
 * snapshot saves are all ASCII); null or absent gives "" when @optional. */
int vq_jin_str(struct vq_jin *p, struct json_object *o, const char *key, int optional, char *out,
	       size_t len);
/* A boolean. */
int vq_jin_bool(struct vq_jin *p, struct json_object *o, const char *key, int *out);
/* An array of at most @max entries. */
int vq_jin_array(struct vq_jin *p, struct json_object *o, const char *key, size_t max,
		 struct json_object **out, size_t *n);
/* A string naming an enum value, read back with @parse (model/names.h). */
int vq_jin_enum(struct vq_jin *p, struct json_object *o, const char *key,
		int (*parse)(const char *name, unsigned *out), unsigned *out);
/* @len hexadecimal digits of @hex into at most @max bytes of @out; -EINVAL when odd,
 * too long or not hexadecimal (the member is named @key). */
int vq_jin_hex(struct vq_jin *p, const char *key, const char *hex, uint8_t *out, size_t max,
	       unsigned *outlen);

/* Read @key into the integer lvalue @dst, returning from the calling function on failure. */
#define VQ_JIN_UINT(p, o, key, max, dst)                                                           \
	do {                                                                                       \
		uint64_t v_;                                                                       \
		int r_ = vq_jin_uint(p, o, key, max, &v_);                                         \
		if (r_)                                                                            \
			return r_;                                                                 \
		(dst) = v_;                                                                        \
	} while (0)

#endif
