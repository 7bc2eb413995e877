/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hexadecimal digits, for the readers of text that carries hex (the JSON note, firmware and sysfs names). */
#ifndef VQDUMP_MODEL_HEX_H
#define VQDUMP_MODEL_HEX_H

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

#endif
