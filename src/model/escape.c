/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Escaping of input bytes quoted in messages (escape.h). */
#include "escape.h"
#include "hex.h"

char *vq_escape(const char *in, enum vq_escape_bs bs, char *out, size_t outlen)
{
	size_t o = 0;
	const unsigned char *p;

	if (!outlen)
		return out;
	for (p = (const unsigned char *)in; *p; p++) {
		char e[5];
		size_t k, need;

		if (*p == '\\' && bs == VQ_ESC_DOUBLE_BS) {
			e[0] = e[1] = '\\';
			need = 2;
		} else if (*p >= 0x20 && *p <= 0x7e) {
			e[0] = (char)*p;
			need = 1;
		} else {
			e[0] = '\\';
			e[1] = 'x';
			vq_hex_encode(p, 1, e + 2);
			need = 4;
		}
		if (need >= outlen - o)
			break;
		for (k = 0; k < need; k++)
			out[o++] = e[k];
	}
	out[o] = 0;
	return out;
}
