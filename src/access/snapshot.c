/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The snapshot source: devices read from a snapshot file's note, given back by the "snapshot" transport. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	 * addresses Linux knew of: nothing for the CLI to add. */
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

int vq_snap_open(const char *path, struct vq_dev_list *list, struct vq_snap_info *info,
		 char *err, size_t errlen)
{
	GElf_Ehdr eh;
	size_t phnum, i;
	Elf *elf = NULL;
	int fd, ret = -ENOENT, found = 0;
	uint8_t *notes = NULL;
	/* Bytes of notes read in all: a hostile file with many large PT_NOTE
	 * headers pointing at the same bytes gets bounded work. */
	uint64_t budget = 2ull * (VQ_SNAP_NOTE_MAX + 4096);
	char why[400];

	snap_fail(err, errlen, 0, "%s", "");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return snap_fail(err, errlen, -errno, "open core %s: %s", path, strerror(errno));
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) || eh.e_type != ET_CORE ||
	    elf_getphdrnum(elf, &phnum) < 0) {
		/* The memory accessor says what is wrong with it. */
		ret = snap_fail(err, errlen, -ENOENT, "%s is not a vqdump snapshot", path);
		goto out;
	}
	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		const uint8_t *desc;
		size_t desclen;
		ssize_t r;
		int f;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE || !ph.p_filesz)
			continue;
		if (ph.p_filesz > VQ_SNAP_NOTE_MAX + 4096 || ph.p_offset > (uint64_t)INT64_MAX) {
			/* Not ours (ours fits), but may be someone else's. */
			continue;
		}
		if (ph.p_filesz > budget)
			break; /* enough read: what is left is not ours */
		budget -= ph.p_filesz;
		free(notes);
		notes = malloc(ph.p_filesz);
		if (!notes) {
			ret = snap_fail(err, errlen, -ENOMEM, "read %s: out of memory", path);
			goto out;
		}
		r = pread(fd, notes, ph.p_filesz, (off_t)ph.p_offset);
		if (r < 0 || (uint64_t)r != ph.p_filesz)
			continue; /* truncated: the memory accessor will say so if it matters */
		f = vq_snap_find_note(notes, ph.p_filesz, eh.e_ident[EI_DATA] == ELFDATA2MSB, &desc,
				      &desclen, why, sizeof(why));
		if (f > 0 && found)
			f = snap_fail(why, sizeof(why), -EINVAL, "more than one VQDUMP note");
		if (f < 0) {
			ret = snap_fail(err, errlen, -EINVAL, "read snapshot %s: %s", path, why);
			goto out;
		}
		if (f > 0) {
			found = 1;
			ret = vq_snap_parse((const char *)desc, desclen, list, info, why, sizeof(why));
			if (ret < 0) {
				snap_fail(err, errlen, ret, "read snapshot %s: %s", path, why);
				goto out;
			}
		}
	}
	if (!found)
		ret = snap_fail(err, errlen, -ENOENT, "%s holds no vqdump snapshot note", path);
out:
	free(notes);
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}

/* ---- the transport ---- */

static int snap_enumerate(struct vq_dev_list *list, char *err, size_t errlen)
{
	(void)list;
	return snap_fail(err, errlen, -ENOTSUP, "snapshot devices come from a file (--core)");
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
	.enumerate = snap_enumerate,
	.read_state = snap_read_state,
	.release = snap_release,
};
