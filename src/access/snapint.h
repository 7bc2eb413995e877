/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the snapshot files (snapshot.c, snapelf.c, snapnote*.c) share and nobody else needs. */
#ifndef VQDUMP_ACCESS_SNAPINT_H
#define VQDUMP_ACCESS_SNAPINT_H

#include <stdarg.h>
#include <stdio.h>

#include "../model/jsonin.h"
#include "snapshot.h"

#define ALIGN_UP(v, a) (((v) + (a)-1) & ~(uint64_t)((a)-1))

/* Write a message to @err (if @errlen) and return @ret. */
static inline int __attribute__((format(printf, 4, 5)))
snap_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* Read a version 1 note's device object into @d (snapnote_v1.c): the
 * key names and encodings vqdump wrote before version 2. */
int vq_snap_dev_from_json_v1(struct vq_jin *p, struct json_object *o, struct vq_dev *d);

#endif
