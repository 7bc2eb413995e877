/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading version 1 snapshot notes: the key names and encodings vqdump wrote before the one JSON form of a device. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../model/json.h"
#include "../model/names.h"
#include "snapint.h"

/*
 * Version 1 spelt the model's fields after struct vq_dev: "kind" for
 * "transport", "size_src"/"addr_src" and "*_features_src" for the
 * sources (with "none" for unknown), features as four 32-bit words,
 * "config" in hex, indices with their own valid flags.  Read here into
 * the model as version 2 would give it: what version 2 cannot say
 * (values beside a "not valid" flag, an enabled flag above 1) is
 * normalised, so that a version 1 note written again as version 2 reads
 * back the same.
 */

static int v1_source_parse(const char *name, unsigned *out)
{
	if (!strcmp(name, "none")) {
		*out = VQ_SRC_NONE;
		return 0;
	}
	return vq_source_parse(name, out);
}

#define GET_ENUM(p, o, key, parse, dst)                                                            \
	do {                                                                                       \
		unsigned e_ = 0;                                                                   \
		int r_ = vq_jin_enum(p, o, key, parse, &e_);                                       \
		if (r_)                                                                            \
			return r_;                                                                 \
		(dst) = e_;                                                                        \
	} while (0)

static int get_words(struct vq_jin *p, struct json_object *o, const char *key, uint32_t w[4])
{
	struct json_object *a;
	size_t n, i;
	int ret = vq_jin_array(p, o, key, 4, &a, &n);

	if (ret)
		return ret;
	if (n != 4)
		return vq_jin_fail(p, "'%s' has %zu words, not 4", key, n);
	for (i = 0; i < 4; i++) {
		struct json_object *v = json_object_array_get_idx(a, i);

		if (!v || !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
		    json_object_get_uint64(v) > UINT32_MAX)
			return vq_jin_fail(p, "'%s' word %zu is not a 32-bit unsigned integer", key, i);
		w[i] = (uint32_t)json_object_get_uint64(v);
	}
	return 0;
}

static int queue_v1(struct vq_jin *p, struct json_object *o, unsigned i, struct vq_queue_state *q)
{
	if (!o || !json_object_is_type(o, json_type_object))
		return vq_jin_fail(p, "queue %u is not an object", i);
	VQ_JIN_UINT(p, o, "index", UINT16_MAX, q->index);
	if (q->index != i)
		return vq_jin_fail(p, "queue %u says it is queue %u", i, q->index);
	VQ_JIN_UINT(p, o, "size", UINT16_MAX, q->size);
	VQ_JIN_UINT(p, o, "max_size", UINT16_MAX, q->max_size);
	GET_ENUM(p, o, "size_src", v1_source_parse, q->size_src);
	VQ_JIN_UINT(p, o, "enabled", UINT8_MAX, q->enabled);
	VQ_JIN_UINT(p, o, "desc", UINT64_MAX, q->desc);
	VQ_JIN_UINT(p, o, "avail", UINT64_MAX, q->avail);
	VQ_JIN_UINT(p, o, "used", UINT64_MAX, q->used);
	GET_ENUM(p, o, "addr_src", v1_source_parse, q->addr_src);
	VQ_JIN_UINT(p, o, "msix_vector", UINT16_MAX, q->msix_vector);
	VQ_JIN_UINT(p, o, "notify_off", UINT16_MAX, q->notify_off);
	VQ_JIN_UINT(p, o, "idx_valid", 1, q->idx_valid);
	VQ_JIN_UINT(p, o, "avail_idx", UINT16_MAX, q->avail_idx);
	VQ_JIN_UINT(p, o, "used_idx", UINT16_MAX, q->used_idx);
	VQ_JIN_UINT(p, o, "idx2_valid", 1, q->idx2_valid);
	VQ_JIN_UINT(p, o, "avail_idx2", UINT16_MAX, q->avail_idx2);
	VQ_JIN_UINT(p, o, "used_idx2", UINT16_MAX, q->used_idx2);
	VQ_JIN_UINT(p, o, "sample_ms", UINT32_MAX, q->sample_ms);
	/* Version 1 writers' transports left the source of register-read
	 * addresses unset. */
	if (q->addr_src == VQ_SRC_NONE && q->desc)
		q->addr_src = VQ_SRC_REGISTERS;
	q->enabled = q->enabled != 0;
	if (!q->idx_valid)
		q->avail_idx = q->used_idx = 0;
	if (!q->idx2_valid) {
		q->avail_idx2 = q->used_idx2 = 0;
		q->sample_ms = 0;
	}
	return 0;
}

static int config_v1(struct vq_jin *p, struct json_object *o, struct vq_dev *d)
{
	char hex[2 * VQ_CONFIG_MAX + 1];
	struct json_object *v;
	int64_t g;
	int ret, b;

	if ((ret = vq_jin_str(p, o, "config", 0, hex, sizeof(hex))) ||
	    (ret = vq_jin_hex(p, "config", hex, d->config, VQ_CONFIG_MAX, &d->config_len)))
		return ret;
	if (!json_object_object_get_ex(o, "config_generation", &v) || !v ||
	    !json_object_is_type(v, json_type_int))
		return vq_jin_fail(p, "'config_generation' missing or not an integer");
	g = json_object_get_int64(v);
	if (g < -1 || g > INT_MAX)
		return vq_jin_fail(p, "'config_generation' is %lld, not -1 or a generation", (long long)g);
	d->config_generation = (int)g;
	if ((ret = vq_jin_bool(p, o, "config_consistent", &b)))
		return ret;
	d->config_consistent = b;
	return 0;
}

int vq_snap_dev_from_json_v1(struct vq_jin *p, struct json_object *o, struct vq_dev *d)
{
	int ret;

	if (!o || !json_object_is_type(o, json_type_object))
		return vq_jin_fail(p, "not an object");
	if ((ret = vq_dev_identity_from_json(p, o, "kind", d)))
		return ret;
	VQ_JIN_UINT(p, o, "status", UINT8_MAX, d->status);
	if ((ret = get_words(p, o, "device_features", d->device_features)) ||
	    (ret = get_words(p, o, "driver_features", d->driver_features)))
		return ret;
	GET_ENUM(p, o, "device_features_src", v1_source_parse, d->device_features_src);
	GET_ENUM(p, o, "driver_features_src", v1_source_parse, d->driver_features_src);
	/* An unknown set holds nothing (version 2 writes null). */
	if (d->device_features_src == VQ_SRC_NONE)
		memset(d->device_features, 0, sizeof(d->device_features));
	if (d->driver_features_src == VQ_SRC_NONE)
		memset(d->driver_features, 0, sizeof(d->driver_features));
	if ((ret = vq_dev_queues_from_json(p, o, d, queue_v1)) || (ret = config_v1(p, o, d)))
		return ret;
	VQ_JIN_UINT(p, o, "msix_config", UINT16_MAX, d->msix_config);
	GET_ENUM(p, o, "access", vq_access_parse, d->access);
	return 0;
}
