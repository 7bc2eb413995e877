/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the snapshot note parser (vq_snap_find_note, vq_snap_parse) and the snapshot transport. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/snapshot.h"
#include "fuzzmem.h"

/*
 * Input: one flag byte, then the bytes.
 *
 *   [0] bit 0  the ELF file is big-endian (note words read MSB first)
 *       bit 1  the bytes are the note's JSON itself, not a PT_NOTE segment
 *   [1..]      a PT_NOTE segment's contents (the seeds are real snapshots'),
 *              or the JSON document
 *
 * Every call gets an exact-size heap copy, so a read past the end is an
 * ASan report.  Checks: what vq_snap_find_note() returns lies inside the
 * input; a parse either fails with a one-line reason and leaves the list
 * as it was, or gives devices whose every field is within what struct
 * vq_dev can hold (strings terminated, counts within their arrays, queue i
 * has index i, enums in range, indices marked as the snapshot's); read_state()
 * gives the parsed state or the saved error; and the devices written back
 * to JSON (version 2, whatever version was read) parse to the same devices
 * (the writer and the reader agree).
 */

FUZZ_HARNESS static int terminated(const char *s, size_t len)
{
	return memchr(s, 0, len) != NULL;
}

FUZZ_HARNESS static int one_line(const char *s, size_t len)
{
	return terminated(s, len) && s[0] && !strchr(s, '\n');
}

/* What struct vq_dev can hold and the parser promises. */
FUZZ_HARNESS static void check_dev(const struct vq_dev *d)
{
	unsigned i;

	FUZZ_CHECK(d->t == &vq_transport_snapshot);
	FUZZ_CHECK(terminated(d->name, sizeof(d->name)) && d->name[0]);
	FUZZ_CHECK(terminated(d->virtio_name, sizeof(d->virtio_name)));
	FUZZ_CHECK(terminated(d->driver, sizeof(d->driver)));
	FUZZ_CHECK(d->kind == VQ_T_PCI || d->kind == VQ_T_PCI_LEGACY || d->kind == VQ_T_MMIO);
	FUZZ_CHECK(d->mmio_version >= 0 && d->mmio_version <= 2);
	FUZZ_CHECK((d->kind == VQ_T_MMIO) == (d->mmio_version != 0));
	FUZZ_CHECK(d->ncaps <= VQ_PCI_CAPS_MAX);
	FUZZ_CHECK(d->num_queues <= VQ_QUEUES_MAX);
	FUZZ_CHECK(!d->num_queues || d->queues);
	FUZZ_CHECK(d->config_len <= VQ_CONFIG_MAX);
	FUZZ_CHECK(d->config_generation >= -1);
	FUZZ_CHECK(d->device_features_src <= VQ_SRC_KERNEL && d->driver_features_src <= VQ_SRC_KERNEL);
	FUZZ_CHECK(d->access <= VQ_ACCESS_SYSFS);
	for (i = 0; i < d->num_queues; i++) {
		const struct vq_queue_state *q = &d->queues[i];

		FUZZ_CHECK(q->index == i);
		FUZZ_CHECK(q->idx_valid <= 1 && q->idx2_valid <= 1);
		FUZZ_CHECK(q->size_src <= VQ_SRC_KERNEL && q->addr_src <= VQ_SRC_KERNEL);
		FUZZ_CHECK(q->enabled <= 1 && q->idx_from_source == 1);
	}
	FUZZ_CHECK(terminated(d->virtio_driver, sizeof(d->virtio_driver)));
	FUZZ_CHECK(terminated(d->read_error, sizeof(d->read_error)));
}

FUZZ_HARNESS static void check_same(const struct vq_dev *a, const struct vq_dev *b)
{
	FUZZ_CHECK(!strcmp(a->name, b->name) && !strcmp(a->virtio_name, b->virtio_name) &&
		   !strcmp(a->driver, b->driver));
	FUZZ_CHECK(a->kind == b->kind && a->device_id == b->device_id &&
		   a->vendor_id == b->vendor_id && a->pci_device == b->pci_device &&
		   a->mmio_version == b->mmio_version && a->mmio_base == b->mmio_base);
	FUZZ_CHECK(a->ncaps == b->ncaps && !memcmp(a->caps, b->caps, a->ncaps * sizeof(a->caps[0])));
	FUZZ_CHECK(a->status == b->status &&
		   !memcmp(a->device_features, b->device_features, sizeof(a->device_features)) &&
		   !memcmp(a->driver_features, b->driver_features, sizeof(a->driver_features)) &&
		   a->device_features_src == b->device_features_src &&
		   a->driver_features_src == b->driver_features_src);
	FUZZ_CHECK(a->num_queues == b->num_queues &&
		   (!a->num_queues || !memcmp(a->queues, b->queues, a->num_queues * sizeof(a->queues[0]))));
	FUZZ_CHECK(a->config_len == b->config_len && !memcmp(a->config, b->config, a->config_len));
	FUZZ_CHECK(a->config_generation == b->config_generation &&
		   a->config_consistent == b->config_consistent && a->msix_config == b->msix_config &&
		   a->access == b->access);
	FUZZ_CHECK(!strcmp(a->virtio_driver, b->virtio_driver));
	FUZZ_CHECK(!strcmp(a->read_error, b->read_error));
}

FUZZ_HARNESS static void parse_and_check(const uint8_t *json, size_t len)
{
	struct vq_dev_list list = { 0 }, again = { 0 };
	struct vq_snap_info info, info2;
	struct vq_dev *copy;
	char err[512], *out;
	char *buf = malloc(len ? len : 1);
	size_t i;
	int n;

	if (!buf)
		return;
	memcpy(buf, json, len);
	err[0] = 0;
	n = vq_snap_parse(buf, len, &list, &info, err, sizeof(err));
	free(buf);
	if (n < 0) {
		FUZZ_CHECK(n == -EINVAL);
		FUZZ_CHECK(one_line(err, sizeof(err)));
		FUZZ_CHECK(list.n == 0);
		vq_dev_list_free(&list);
		return;
	}
	FUZZ_CHECK((size_t)n == list.n && list.n <= VQ_SNAP_DEVS_MAX);
	FUZZ_CHECK(info.version >= 1 && info.version <= VQ_SNAP_VERSION && info.time >= 0);
	FUZZ_CHECK(terminated(info.host, sizeof(info.host)));
	FUZZ_CHECK(terminated(info.vqdump_version, sizeof(info.vqdump_version)));
	copy = calloc(list.n ? list.n : 1, sizeof(*copy));
	for (i = 0; i < list.n; i++) {
		struct vq_dev *d = &list.devs[i];
		int r;

		check_dev(d);
		r = d->t->read_state(d);
		if (d->read_error[0]) {
			FUZZ_CHECK(r == -EIO && one_line(d->err, sizeof(d->err)));
		} else {
			FUZZ_CHECK(r == 0);
			check_dev(d);
		}
		copy[i] = *d;
	}
	/* Written back (as the current version) and read again: the same devices. */
	out = vq_snap_to_json(&info, copy, list.n);
	FUZZ_CHECK(out != NULL);
	n = vq_snap_parse(out, strlen(out), &again, &info2, err, sizeof(err));
	if (n < 0)
		fprintf(stderr, "re-parse: %s\n", err);
	FUZZ_CHECK((size_t)n == list.n);
	FUZZ_CHECK(info2.version == VQ_SNAP_VERSION);
	FUZZ_CHECK(info2.time == info.time && info2.interval_ms == info.interval_ms &&
		   !strcmp(info2.host, info.host));
	for (i = 0; i < list.n; i++) {
		/* Errors are kept but give no state to compare. */
		if (!copy[i].read_error[0])
			FUZZ_CHECK(again.devs[i].t->read_state(&again.devs[i]) == 0);
		check_same(&list.devs[i], &again.devs[i]);
	}
	free(out);
	free(copy);
	vq_dev_list_free(&again);
	vq_dev_list_free(&list);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *desc;
	uint8_t *notes;
	size_t len, desclen;
	char err[256];
	int msb, r;

	if (size < 1)
		return 0;
	msb = data[0] & 1;
	len = size - 1;
	if (data[0] & 2) {
		parse_and_check(data + 1, len);
		return 0;
	}
	notes = malloc(len ? len : 1);
	if (!notes)
		return 0;
	memcpy(notes, data + 1, len);
	err[0] = 0;
	r = vq_snap_find_note(notes, len, msb, &desc, &desclen, err, sizeof(err));
	FUZZ_CHECK(r >= -EINVAL && r <= 1);
	if (r < 0) {
		FUZZ_CHECK(r == -EINVAL && one_line(err, sizeof(err)));
	} else if (r == 0) {
		FUZZ_CHECK(desc == NULL && desclen == 0);
	} else {
		FUZZ_CHECK(desc >= notes && desc <= notes + len && desclen <= len - (size_t)(desc - notes));
		parse_and_check(desc, desclen);
	}
	free(notes);
	return 0;
}
