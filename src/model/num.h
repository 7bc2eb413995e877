/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Numbers typed by the user: decimal, or hexadecimal after 0x; never octal. */
#ifndef VQDUMP_MODEL_NUM_H
#define VQDUMP_MODEL_NUM_H

#include <stdint.h>

/*
 * Read one unsigned number at the start of @s: decimal digits, or "0x" /
 * "0X" and hexadecimal digits.  A leading 0 does not mean octal (the man
 * page promises decimal or 0x-hex: "010" is ten).  No sign, no space, no
 * value above 2^64-1.  On success stores the value in *@out, the first
 * character after the number in *@end and returns 0; else -1.
 */
int vq_parse_u64_prefix(const char *s, uint64_t *out, const char **end);

/* The whole of @s as one number (vq_parse_u64_prefix, nothing after it):
 * 0, or -1 with *@out unchanged. */
int vq_parse_u64(const char *s, uint64_t *out);

#endif
