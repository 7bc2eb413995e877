/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One-line failure reasons written into the caller's buffer, the way every layer below the CLI reports them. */
#ifndef VQDUMP_DECODE_ERRBUF_H
#define VQDUMP_DECODE_ERRBUF_H

#include <stddef.h>

/* printf into @err (nothing when @err is NULL or @errlen 0) and return
 * @ret unchanged, for "return vq_errbuf(err, errlen, -EINVAL, ...)". */
int vq_errbuf(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
