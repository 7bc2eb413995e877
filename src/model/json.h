/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one JSON form of a device: `--json` of list/status/features/config/regs and the snapshot note. */
#ifndef VQDUMP_MODEL_JSON_H
#define VQDUMP_MODEL_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "device.h"
#include "jsonin.h"

/* How much of a device goes out. */
enum vq_json_detail {
	VQ_JSON_BRIEF,  /* `list`: identity, status, queue count */
	VQ_JSON_FULL,   /* `status` and the other views: features, queues, config */
	VQ_JSON_RECORD, /* the snapshot note: every field of the model, under the
			 * names FULL uses, plus what the views leave out
			 * (capabilities, second sample...); nothing derived */
};

/* A feature bit's name for a device type ("FLUSH"), else "bit_N" written to @buf. */
typedef const char *(*vq_json_feature_name_fn)(uint32_t device_id, unsigned bit, char *buf,
						size_t len);

/*
 * Names only the decoders know (decode/names.h, decode/config.h), given
 * by the caller so that the model depends on nothing above it.  Without
 * them (NULL) the names are left out: "type", status and feature "names",
 * the decoded "config".
 */
struct vq_json_namer {
	/* short device type name ("blk"), else "id_N" written to @buf */
	const char *(*device_type)(uint32_t device_id, char *buf, size_t len);
	/* status bit name ("DRIVER_OK"), else "bit_N" written to @buf */
	const char *(*status_bit)(unsigned bit, char *buf, size_t len);
	/* feature bit name for the device type, else "bit_N" written to @buf */
	vq_json_feature_name_fn feature;
	/* the device-specific config decoded, as a JSON object */
	struct json_object *(*config)(const struct vq_dev *d);
};

/* The set bits of the 128-bit feature set @f as {"bits": [], "names": []}
 * ("names" only with @name), the form every feature set takes in JSON. */
struct json_object *vq_feature_bits_json(uint32_t device_id, const uint32_t f[4],
					 vq_json_feature_name_fn name);

/* @d as a JSON object (design.md's names); NULL when out of memory. */
/* A queue's "device_view" (design.md): what the device side reports of
 * it (q->dv_*), or NULL when it reports nothing (!q->dv_valid). */
struct json_object *vq_device_view_json(const struct vq_queue_state *q);

struct json_object *vq_dev_to_json(const struct vq_dev *d, enum vq_json_detail detail,
				   const struct vq_json_namer *names);

/*
 * Read back a VQ_JSON_RECORD object into @d (zeroed by the caller, but
 * for config_generation).  Every member is checked; d->queues is
 * allocated (the caller frees it, also on failure).  Returns 0 or -EINVAL
 * with the reason in @p.
 */
int vq_dev_from_json(struct vq_jin *p, struct json_object *o, struct vq_dev *d);

/* One queue object of a "queues" array, the @i-th, into @q; 0 or -EINVAL. */
typedef int (*vq_json_queue_fn)(struct vq_jin *p, struct json_object *o, unsigned i,
				struct vq_queue_state *q);

/* "num_queues" and the "queues" array of @o into @d, each queue read by
 * @one (the note's versions name a queue's members differently);
 * d->queues is allocated.  0 or -EINVAL. */
int vq_dev_queues_from_json(struct vq_jin *p, struct json_object *o, struct vq_dev *d,
			    vq_json_queue_fn one);

/* The identity members of @o, from "name" to "caps", into @d, the
 * transport kind named by @transport_key (version 1 notes said "kind");
 * 0 or -EINVAL. */
int vq_dev_identity_from_json(struct vq_jin *p, struct json_object *o, const char *transport_key,
			      struct vq_dev *d);

#endif
