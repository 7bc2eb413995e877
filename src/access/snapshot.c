/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The snapshot source: devices read from a snapshot file's note, given back by the "snapshot" transport. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "snapint.h"

/* What the snapshot transport keeps: the state as saved, restored by
 * every read_state(). */
struct snap_priv {
	struct vq_dev saved; /* state fields as saved; saved.queues owned */
};

static void snap_release(struct vq_dev *d)
{
	struct snap_priv *sp = d->priv;

	if (sp)
		free(sp->saved.queues);
	free(sp);
	free(d->queues);
	d->priv = NULL;
	d->queues = NULL;
	d->num_queues = 0;
}

int vq_snap_attach(struct vq_dev *d)
{
	struct snap_priv *sp = calloc(1, sizeof(*sp));
	unsigned i;

	if (!sp)
		return -ENOMEM;
	d->t = &vq_transport_snapshot;
	d->priv = sp;
	/* The snapshot saved the indices with the ring memory, and the ring
	 * addresses Linux knew of: nothing for the session to add. */
	for (i = 0; i < d->num_queues; i++)
		d->queues[i].idx_from_source = 1;
	sp->saved = *d;
	sp->saved.queues = NULL;
	if (d->num_queues) {
		sp->saved.queues = malloc(d->num_queues * sizeof(*d->queues));
		if (!sp->saved.queues)
			return -ENOMEM;
		memcpy(sp->saved.queues, d->queues, d->num_queues * sizeof(*d->queues));
	}
	return 0;
}

/* Looking through an image's note segments for the one VQDUMP note. */
struct note_search {
	struct vq_dev_list *list;  /* where its devices go */
	struct vq_snap_info *info; /* its header */
	int found;                 /* devices parsed from a note so far, -1: none found */
	char why[400];             /* what was wrong */
};

/* vq_mem_note_segments' visitor: 0 to go on, -errno to stop with s->why. */
static int search_segment(void *arg, const uint8_t *notes, size_t len, int msb)
{
	struct note_search *s = arg;
	const uint8_t *desc;
	size_t desclen;
	int f = vq_snap_find_note(notes, len, msb, &desc, &desclen, s->why, sizeof(s->why));

	if (f > 0 && s->found >= 0)
		f = vq_errbuf(s->why, sizeof(s->why), -EINVAL, "more than one VQDUMP note");
	if (f <= 0)
		return f;
	s->found = vq_snap_parse((const char *)desc, desclen, s->list, s->info, s->why,
				 sizeof(s->why));
	return s->found < 0 ? s->found : 0;
}

/* The devices of @image's VQDUMP note into @list, the header into @info:
 * how many, -ENOENT when it has no such note, or -errno with @err. */
static int read_note(struct vq_mem *image, struct vq_dev_list *list, struct vq_snap_info *info,
		     char *err, size_t errlen)
{
	struct note_search s = { list, info, -1, "" };
	int ret = vq_mem_note_segments(image, search_segment, &s);

	if (ret < 0)
		return vq_errbuf(err, errlen, ret, "read snapshot %s: %s", image->path,
				 s.why[0] ? s.why : image->err);
	if (s.found < 0)
		return vq_errbuf(err, errlen, -ENOENT, "%s holds no vqdump snapshot note",
				 image->path);
	return s.found;
}

int vq_snap_open(const char *path, struct vq_dev_list *list, struct vq_snap_info *info,
		 char *err, size_t errlen)
{
	struct vq_mem m;
	int ret;

	vq_errbuf(err, errlen, 0, "%s", "");
	ret = vq_mem_open(&m, &vq_mem_elf, path);
	if (ret == -EINVAL)
		return vq_errbuf(err, errlen, -ENOENT, "%s is not a vqdump snapshot (%s)", path, m.err);
	if (ret < 0)
		return vq_errbuf(err, errlen, ret, "%s", m.err);
	ret = read_note(&m, list, info, err, errlen);
	vq_mem_close(&m);
	return ret;
}

/* ---- the transport ---- */

static int snap_enumerate(struct vq_dev_list *list, struct vq_mem *image, char *err,
			  size_t errlen)
{
	struct vq_snap_info info;

	if (!image)
		return vq_errbuf(err, errlen, -ENOTSUP, "snapshot devices come from a file (--core)");
	return read_note(image, list, &info, err, errlen);
}

static int snap_read_state(struct vq_dev *d)
{
	struct snap_priv *sp = d->priv;
	const struct vq_dev *s = &sp->saved;

	if (s->read_error[0]) {
		snprintf(d->err, sizeof(d->err), "%s", s->read_error);
		return -EIO;
	}
	d->status = s->status;
	memcpy(d->device_features, s->device_features, sizeof(d->device_features));
	d->device_features_src = s->device_features_src;
	memcpy(d->driver_features, s->driver_features, sizeof(d->driver_features));
	d->driver_features_src = s->driver_features_src;
	d->num_queues = s->num_queues;
	if (s->num_queues)
		memcpy(d->queues, s->queues, s->num_queues * sizeof(*d->queues));
	memcpy(d->config, s->config, sizeof(d->config));
	d->config_len = s->config_len;
	d->config_generation = s->config_generation;
	d->config_consistent = s->config_consistent;
	d->msix_config = s->msix_config;
	d->access = s->access;
	return 0;
}

const struct vq_transport vq_transport_snapshot = {
	.name = "snapshot",
	.help = "devices saved by 'vqdump snapshot' (--core FILE): the state when it was taken",
	.scope = VQ_SCOPE_IMAGE,
	.enumerate = snap_enumerate,
	.read_state = snap_read_state,
	.release = snap_release,
};
