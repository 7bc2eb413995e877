/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One-line failure reasons written into the caller's buffer, the way every layer below the CLI reports them. */
#include <stdarg.h>
#include <stdio.h>

#include "errbuf.h"

int vq_errbuf(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return ret;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}
