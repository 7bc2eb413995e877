/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bytes from the input quoted in a message: everything but printable ASCII escaped, so no file can write terminal controls or invalid UTF-8. */
#ifndef VQDUMP_MODEL_ESCAPE_H
#define VQDUMP_MODEL_ESCAPE_H

#include <stddef.h>

/* How vq_escape() treats a backslash. */
enum vq_escape_bs {
	VQ_ESC_KEEP_BS,   /* as is: for a whole message whose quotes are already escaped */
	VQ_ESC_DOUBLE_BS, /* as \\: for a quote, so "\x41" in the input stays readable as such */
};

/*
 * The NUL-terminated @in into @out (@outlen bytes, NUL-terminated, cut
 * where it must be: never in the middle of an escape): printable ASCII
 * (0x20 to 0x7e) as is, every other byte as \xHH.  Returns @out.
 */
char *vq_escape(const char *in, enum vq_escape_bs bs, char *out, size_t outlen);

/* Room vq_escape() needs for an input of @n bytes, with its NUL. */
#define VQ_ESCAPED_LEN(n) (4 * (n) + 1)

#endif
