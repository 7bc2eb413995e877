/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the snapshot files (snapshot.c, snapelf.c, snapnote*.c) share and nobody else needs. */
#ifndef VQDUMP_ACCESS_SNAPINT_H
#define VQDUMP_ACCESS_SNAPINT_H

#include "../decode/errbuf.h"
#include "../model/jsonin.h"
#include "snapshot.h"

#define ALIGN_UP(v, a) (((v) + (a)-1) & ~(uint64_t)((a)-1))


/* Read a version 1 note's device object into @d (snapnote_v1.c): the
 * key names and encodings vqdump wrote before version 2. */
int vq_snap_dev_from_json_v1(struct vq_jin *p, struct json_object *o, struct vq_dev *d);

#endif
