/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hexadecimal digits: read in text that carries hex (the JSON note, firmware names), written for bytes shown as hex. */
#ifndef VQDUMP_MODEL_HEX_H
#define VQDUMP_MODEL_HEX_H

#include <stddef.h>
#include <stdint.h>

/* The value of hex digit @c, or -1 when it is not one. */
static inline int vq_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* @n bytes at @b as 2 * @n lowercase hex digits and a NUL at @out. */
static inline void vq_hex_encode(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = 0;
}

#endif
