/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one JSON form of a device, written for `--json` and the snapshot note, and read back from the note. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "json.h"
#include "names.h"
#include "view.h"

static void add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static struct json_object *str_or_null(const char *s)
{
	return s[0] ? json_object_new_string(s) : NULL;
}

/* 0 means not set up, not readable back, or not known: null. */
static struct json_object *uint_or_null(uint64_t v)
{
	return v ? json_object_new_uint64(v) : NULL;
}

static struct json_object *status_json(uint8_t st, const struct vq_json_namer *names)
{
	struct json_object *o = json_object_new_object(), *a;
	unsigned b;
	char buf[16];

	add(o, "value", json_object_new_int(st));
	if (!names)
		return o;
	a = json_object_new_array();
	for (b = 0; b < 8; b++)
		if (st & (1u << b))
			json_object_array_add(a, json_object_new_string(names->status_bit(b, buf, sizeof(buf))));
	add(o, "names", a);
	return o;
}

struct json_object *vq_feature_bits_json(uint32_t device_id, const uint32_t f[4],
					 vq_json_feature_name_fn name)
{
	struct json_object *o = json_object_new_object(), *bits = json_object_new_array(), *n = NULL;
	unsigned b;
	char buf[24];

	if (name)
		n = json_object_new_array();
	for (b = 0; b < 128; b++) {
		if (!vq_feature_has(f, b))
			continue;
		json_object_array_add(bits, json_object_new_int((int)b));
		if (n)
			json_object_array_add(n, json_object_new_string(
							 name(device_id, b, buf, sizeof(buf))));
	}
	add(o, "bits", bits);
	if (n)
		add(o, "names", n);
	return o;
}

/* A feature set: null when its source is not known; "source" left out when assumed. */
static struct json_object *features_json(const struct vq_dev *d, const uint32_t f[4],
					 enum vq_source src, const struct vq_json_namer *names)
{
	struct json_object *o;

	if (src == VQ_SRC_NONE)
		return NULL;
	o = vq_feature_bits_json(d->device_id, f, names ? names->feature : NULL);
	if (src != VQ_SRC_ASSUMED)
		add(o, "source", json_object_new_string(vq_source_name(src)));
	return o;
}

/* The driver's own view of a queue (Linux's records), or null.  A packed
 * queue's positions (slot | wrap counter << 15) also decoded. */
static struct json_object *driver_state_json(const struct vq_dev *d, const struct vq_queue_state *q)
{
	struct json_object *o;

	if (!q->drv_valid)
		return NULL;
	o = json_object_new_object();
	add(o, "source", json_object_new_string(vq_source_name(VQ_SRC_KERNEL)));
	add(o, "last_used_idx", json_object_new_int(q->drv_last_used_idx));
	add(o, "num_free", json_object_new_int(q->drv_num_free));
	add(o, "avail_idx_shadow", json_object_new_int(q->drv_avail_idx));
	add(o, "broken", json_object_new_boolean(q->drv_broken));
	add(o, "callbacks", json_object_new_boolean(q->drv_callbacks));
	add(o, "event_idx", json_object_new_boolean(q->drv_event_idx));
	if (vq_dev_packed(d)) {
		add(o, "next_avail", json_object_new_int(q->drv_avail_idx & 0x7fff));
		add(o, "avail_wrap_counter", json_object_new_int(q->drv_avail_idx >> 15));
		add(o, "next_used", json_object_new_int(q->drv_last_used_idx & 0x7fff));
		add(o, "used_wrap_counter", json_object_new_int(q->drv_last_used_idx >> 15));
	}
	return o;
}

/* What the device side reports of a queue (QMP), or null. */
struct json_object *vq_device_view_json(const struct vq_queue_state *q)
{
	struct json_object *o;

	if (!q->dv_valid)
		return NULL;
	o = json_object_new_object();
	add(o, "source", json_object_new_string(vq_source_name(q->dv_src)));
	add(o, "last_avail_idx", json_object_new_int(q->dv_last_avail_idx));
	add(o, "shadow_avail_idx", json_object_new_int(q->dv_shadow_avail_idx));
	add(o, "used_idx", json_object_new_int(q->dv_used_idx));
	add(o, "signalled_used", json_object_new_int(q->dv_signalled_used));
	add(o, "inuse", json_object_new_uint64(q->dv_inuse));
	return o;
}

static struct json_object *queue_json(const struct vq_dev *d, const struct vq_queue_state *q,
				      enum vq_json_detail detail)
{
	struct json_object *o = json_object_new_object();
	int record = detail == VQ_JSON_RECORD;

	add(o, "index", json_object_new_int(q->index));
	add(o, "size", q->size ? json_object_new_int(q->size) : NULL);
	add(o, "size_source", json_object_new_string(vq_source_name(q->size_src)));
	add(o, "max_size", q->max_size ? json_object_new_int(q->max_size) : NULL);
	add(o, "enabled", json_object_new_boolean(q->enabled));
	add(o, "desc", uint_or_null(q->desc));
	add(o, "avail", uint_or_null(q->avail));
	add(o, "used", uint_or_null(q->used));
	if (q->desc || record)
		add(o, "addr_source", json_object_new_string(vq_source_name(q->addr_src)));
	add(o, "avail_idx", q->idx_valid ? json_object_new_int(q->avail_idx) : NULL);
	add(o, "used_idx", q->idx_valid ? json_object_new_int(q->used_idx) : NULL);
	if (!record)
		add(o, "layout", json_object_new_string(vq_dev_packed(d) ? "packed" : "split"));
	if (!record)
		add(o, "in_flight",
		    q->idx_valid ? json_object_new_int((uint16_t)(q->avail_idx - q->used_idx)) : NULL);
	if (d->kind == VQ_T_PCI || record) {
		add(o, "msix_vector", json_object_new_int(q->msix_vector));
		add(o, "notify_off", json_object_new_int(q->notify_off));
	}
	add(o, "name", str_or_null(q->name));
	add(o, "driver_state", driver_state_json(d, q));
	if (q->dv_valid)
		add(o, "device_view", vq_device_view_json(q));
	if (record) {
		struct json_object *s = NULL;

		if (q->idx2_valid) {
			s = json_object_new_object();
			add(s, "avail_idx", json_object_new_int(q->avail_idx2));
			add(s, "used_idx", json_object_new_int(q->used_idx2));
			add(s, "after_ms", json_object_new_uint64(q->sample_ms));
		}
		add(o, "second_sample", s);
	}
	return o;
}

static struct json_object *hex_json(const uint8_t *b, size_t n)
{
	struct json_object *o;
	char *s = malloc(2 * n + 1);

	if (!s)
		return NULL;
	vq_hex_encode(b, n, s);
	o = json_object_new_string(s);
	free(s);
	return o;
}

/* What the views leave out and a snapshot keeps. */
static void record_json(struct json_object *o, const struct vq_dev *d)
{
	struct json_object *a = json_object_new_array();
	unsigned i;

	add(o, "error", str_or_null(d->read_error));
	add(o, "vendor_id", json_object_new_uint64(d->vendor_id));
	add(o, "pci_device", json_object_new_uint64(d->pci_device));
	for (i = 0; i < d->ncaps && i < VQ_PCI_CAPS_MAX; i++) {
		const struct vq_pci_cap *c = &d->caps[i];
		struct json_object *co = json_object_new_object();

		add(co, "cfg_type", json_object_new_uint64(c->cfg_type));
		add(co, "bar", json_object_new_uint64(c->bar));
		add(co, "id", json_object_new_uint64(c->id));
		add(co, "pos", json_object_new_uint64(c->pos));
		add(co, "offset", json_object_new_uint64(c->offset));
		add(co, "length", json_object_new_uint64(c->length));
		add(co, "notify_off_multiplier", json_object_new_uint64(c->notify_off_multiplier));
		json_object_array_add(a, co);
	}
	add(o, "caps", a);
	add(o, "msix_config", json_object_new_uint64(d->msix_config));
	/* How the source was read (a running QEMU: whether the guest ran,
	 * how long the QMP reads took), for the view line read back. */
	add(o, "source_note", str_or_null(d->source_note));
}

/* Features, queues and config: what `status` adds to `list`. */
static void state_json(struct json_object *o, const struct vq_dev *d, enum vq_json_detail detail,
		       const struct vq_json_namer *names)
{
	struct json_object *qa = json_object_new_array();
	unsigned i;

	add(o, "device_features", features_json(d, d->device_features, d->device_features_src, names));
	add(o, "driver_features", features_json(d, d->driver_features, d->driver_features_src, names));
	if (detail != VQ_JSON_RECORD && d->driver_features_src != VQ_SRC_NONE &&
	    d->device_features_src != VQ_SRC_NONE) {
		uint32_t extra[4];

		for (i = 0; i < 4; i++)
			extra[i] = d->driver_features[i] & ~d->device_features[i];
		add(o, "driver_features_not_offered", features_json(d, extra, VQ_SRC_ASSUMED, names));
	}
	for (i = 0; i < d->num_queues && d->queues; i++)
		json_object_array_add(qa, queue_json(d, &d->queues[i], detail));
	add(o, "queues", qa);
	if (names)
		add(o, "config", names->config(d));
	add(o, "config_raw",
	    hex_json(d->config, d->config_len < VQ_CONFIG_MAX ? d->config_len : VQ_CONFIG_MAX));
	add(o, "config_generation",
	    d->config_generation >= 0 ? json_object_new_int(d->config_generation) : NULL);
	add(o, "config_consistent", json_object_new_boolean(d->config_consistent));
}

struct json_object *vq_dev_to_json(const struct vq_dev *d, enum vq_json_detail detail,
				   const struct vq_json_namer *names)
{
	struct json_object *o = json_object_new_object();
	int record = detail == VQ_JSON_RECORD;
	char buf[16], view[512];
	enum vq_source src;

	if (!o)
		return NULL;
	add(o, "name", json_object_new_string(d->name));
	add(o, "transport", json_object_new_string(vq_transport_kind_name(d->kind)));
	/* The views have always printed it as a (signed) int; the record keeps every value. */
	add(o, "device_id", record ? json_object_new_uint64(d->device_id)
				   : json_object_new_int((int)d->device_id));
	if (names)
		add(o, "type", json_object_new_string(names->device_type(d->device_id, buf, sizeof(buf))));
	add(o, "status", status_json(d->status, names));
	add(o, "driver", str_or_null(d->driver));
	add(o, "virtio_driver", str_or_null(d->virtio_driver));
	add(o, "virtio_name", str_or_null(d->virtio_name));
	if (d->kind == VQ_T_MMIO || record) {
		add(o, "mmio_base", json_object_new_uint64(d->mmio_base));
		add(o, "mmio_version", json_object_new_int(d->mmio_version));
	}
	add(o, "num_queues", json_object_new_int(d->num_queues));
	add(o, "access", json_object_new_string(vq_access_name(d->access)));
	src = vq_dev_status_source(d);
	add(o, "status_source", src == VQ_SRC_NONE ? NULL : json_object_new_string(vq_source_name(src)));
	add(o, "refused", str_or_null(d->refused));
	add(o, "view", json_object_new_string(vq_dev_view(d, view, sizeof(view))));
	if (detail == VQ_JSON_BRIEF)
		return o;
	state_json(o, d, detail, names);
	if (record)
		record_json(o, d);
	return o;
}

/* ---- reading a record back ---- */

static int features_from_json(struct vq_jin *p, struct json_object *o, const char *key,
			      uint32_t w[4], enum vq_source *src)
{
	struct json_object *f, *a;
	size_t n, i;
	unsigned s = VQ_SRC_ASSUMED;
	int ret;

	memset(w, 0, 4 * sizeof(*w));
	*src = VQ_SRC_NONE;
	if (!json_object_object_get_ex(o, key, &f) || !f)
		return 0;
	if (!json_object_is_type(f, json_type_object))
		return vq_jin_fail(p, "'%s' is not an object", key);
	if ((ret = vq_jin_array(p, f, "bits", 128, &a, &n)))
		return ret;
	for (i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(a, i);

		if (!v || !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
		    json_object_get_int64(v) > 127)
			return vq_jin_fail(p, "'%s' bit %zu is not a number from 0 to 127", key, i);
		w[json_object_get_int64(v) / 32] |= 1u << (json_object_get_int64(v) % 32);
	}
	if (json_object_object_get_ex(f, "source", NULL) &&
	    (ret = vq_jin_enum(p, f, "source", vq_source_parse, &s)))
		return ret;
	if (s == VQ_SRC_NONE)
		return vq_jin_fail(p, "'%s' has source 'unknown' (an unknown set is null)", key);
	*src = (enum vq_source)s;
	return 0;
}

static int second_sample_from_json(struct vq_jin *p, struct json_object *o,
				   struct vq_queue_state *q)
{
	struct json_object *s;

	if (!json_object_object_get_ex(o, "second_sample", &s) || !s)
		return 0;
	if (!json_object_is_type(s, json_type_object))
		return vq_jin_fail(p, "'second_sample' is not an object");
	VQ_JIN_UINT(p, s, "avail_idx", UINT16_MAX, q->avail_idx2);
	VQ_JIN_UINT(p, s, "used_idx", UINT16_MAX, q->used_idx2);
	VQ_JIN_UINT(p, s, "after_ms", UINT32_MAX, q->sample_ms);
	q->idx2_valid = 1;
	return 0;
}

/* "driver_state": absent or null (older notes, or not read), or the object driver_state_json wrote. */
static int driver_state_from_json(struct vq_jin *p, struct json_object *o, struct vq_queue_state *q)
{
	struct json_object *s;
	int b, ret;

	if (!json_object_object_get_ex(o, "driver_state", &s) || !s)
		return 0;
	if (!json_object_is_type(s, json_type_object))
		return vq_jin_fail(p, "queue %u: 'driver_state' is not an object", q->index);
	VQ_JIN_UINT(p, s, "last_used_idx", UINT16_MAX, q->drv_last_used_idx);
	VQ_JIN_UINT(p, s, "num_free", UINT16_MAX, q->drv_num_free);
	VQ_JIN_UINT(p, s, "avail_idx_shadow", UINT16_MAX, q->drv_avail_idx);
	if ((ret = vq_jin_bool(p, s, "broken", &b)))
		return ret;
	q->drv_broken = (uint8_t)b;
	if ((ret = vq_jin_bool(p, s, "callbacks", &b)))
		return ret;
	q->drv_callbacks = (uint8_t)b;
	if ((ret = vq_jin_bool(p, s, "event_idx", &b)))
		return ret;
	q->drv_event_idx = (uint8_t)b;
	q->drv_valid = 1;
	return 0;
}

/* "device_view": absent or null, or the object device_view_json wrote. */
static int device_view_from_json(struct vq_jin *p, struct json_object *o,
				 struct vq_queue_state *q)
{
	struct json_object *s;
	unsigned e;
	int ret;

	if (!json_object_object_get_ex(o, "device_view", &s) || !s)
		return 0;
	if (!json_object_is_type(s, json_type_object))
		return vq_jin_fail(p, "queue %u: 'device_view' is not an object", q->index);
	if ((ret = vq_jin_enum(p, s, "source", vq_source_parse, &e)))
		return ret;
	q->dv_src = (enum vq_source)e;
	VQ_JIN_UINT(p, s, "last_avail_idx", UINT16_MAX, q->dv_last_avail_idx);
	VQ_JIN_UINT(p, s, "shadow_avail_idx", UINT16_MAX, q->dv_shadow_avail_idx);
	VQ_JIN_UINT(p, s, "used_idx", UINT16_MAX, q->dv_used_idx);
	VQ_JIN_UINT(p, s, "signalled_used", UINT16_MAX, q->dv_signalled_used);
	VQ_JIN_UINT(p, s, "inuse", UINT32_MAX, q->dv_inuse);
	q->dv_valid = 1;
	return 0;
}

static int queue_from_json(struct vq_jin *p, struct json_object *o, unsigned i,
			   struct vq_queue_state *q)
{
	uint64_t v, a, u;
	unsigned e;
	int isnull, anull, unull, b, ret;

	if (!o || !json_object_is_type(o, json_type_object))
		return vq_jin_fail(p, "queue %u is not an object", i);
	VQ_JIN_UINT(p, o, "index", UINT16_MAX, q->index);
	if (q->index != i)
		return vq_jin_fail(p, "queue %u says it is queue %u", i, q->index);
	if ((ret = vq_jin_uint_or_null(p, o, "size", UINT16_MAX, &v, &isnull)))
		return ret;
	q->size = (uint16_t)v;
	if ((ret = vq_jin_enum(p, o, "size_source", vq_source_parse, &e)))
		return ret;
	q->size_src = (enum vq_source)e;
	if ((ret = vq_jin_uint_or_null(p, o, "max_size", UINT16_MAX, &v, &isnull)))
		return ret;
	q->max_size = (uint16_t)v;
	if ((ret = vq_jin_bool(p, o, "enabled", &b)))
		return ret;
	q->enabled = (uint8_t)b;
	if ((ret = vq_jin_uint_or_null(p, o, "desc", UINT64_MAX, &q->desc, &isnull)) ||
	    (ret = vq_jin_uint_or_null(p, o, "avail", UINT64_MAX, &q->avail, &isnull)) ||
	    (ret = vq_jin_uint_or_null(p, o, "used", UINT64_MAX, &q->used, &isnull)) ||
	    (ret = vq_jin_enum(p, o, "addr_source", vq_source_parse, &e)))
		return ret;
	q->addr_src = (enum vq_source)e;
	if ((ret = vq_jin_uint_or_null(p, o, "avail_idx", UINT16_MAX, &a, &anull)) ||
	    (ret = vq_jin_uint_or_null(p, o, "used_idx", UINT16_MAX, &u, &unull)))
		return ret;
	if (anull != unull)
		return vq_jin_fail(p, "queue %u has one ring index but not the other", i);
	q->idx_valid = !anull;
	q->avail_idx = (uint16_t)a;
	q->used_idx = (uint16_t)u;
	VQ_JIN_UINT(p, o, "msix_vector", UINT16_MAX, q->msix_vector);
	VQ_JIN_UINT(p, o, "notify_off", UINT16_MAX, q->notify_off);
	if ((ret = vq_jin_str(p, o, "name", 1, q->name, sizeof(q->name))) ||
	    (ret = driver_state_from_json(p, o, q)) ||
	    (ret = device_view_from_json(p, o, q)))
		return ret;
	return second_sample_from_json(p, o, q);
}

static int caps_from_json(struct vq_jin *p, struct json_object *o, struct vq_dev *d)
{
	struct json_object *a;
	size_t n, i;
	int ret;

	if ((ret = vq_jin_array(p, o, "caps", VQ_PCI_CAPS_MAX, &a, &n)))
		return ret;
	d->ncaps = (unsigned)n;
	for (i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(a, i);
		struct vq_pci_cap *cap = &d->caps[i];

		if (!c || !json_object_is_type(c, json_type_object))
			return vq_jin_fail(p, "capability %zu is not an object", i);
		VQ_JIN_UINT(p, c, "cfg_type", UINT8_MAX, cap->cfg_type);
		VQ_JIN_UINT(p, c, "bar", UINT8_MAX, cap->bar);
		VQ_JIN_UINT(p, c, "id", UINT8_MAX, cap->id);
		VQ_JIN_UINT(p, c, "pos", UINT8_MAX, cap->pos);
		VQ_JIN_UINT(p, c, "offset", UINT64_MAX, cap->offset);
		VQ_JIN_UINT(p, c, "length", UINT64_MAX, cap->length);
		VQ_JIN_UINT(p, c, "notify_off_multiplier", UINT32_MAX, cap->notify_off_multiplier);
	}
	return 0;
}

static int status_from_json(struct vq_jin *p, struct json_object *o, struct vq_dev *d)
{
	struct json_object *st;

	if (!json_object_object_get_ex(o, "status", &st) || !st ||
	    !json_object_is_type(st, json_type_object))
		return vq_jin_fail(p, "'status' missing or not an object");
	VQ_JIN_UINT(p, st, "value", UINT8_MAX, d->status);
	return 0;
}

int vq_dev_identity_from_json(struct vq_jin *p, struct json_object *o, const char *transport_key,
			      struct vq_dev *d)
{
	unsigned e;
	int ret;

	if ((ret = vq_jin_str(p, o, "name", 0, d->name, sizeof(d->name))))
		return ret;
	if (!d->name[0])
		return vq_jin_fail(p, "'name' is empty");
	if ((ret = vq_jin_enum(p, o, transport_key, vq_transport_kind_parse, &e)))
		return ret;
	d->kind = (enum vq_transport_kind)e;
	if ((ret = vq_jin_str(p, o, "virtio_name", 1, d->virtio_name, sizeof(d->virtio_name))) ||
	    (ret = vq_jin_str(p, o, "driver", 1, d->driver, sizeof(d->driver))) ||
	    (ret = vq_jin_str(p, o, "virtio_driver", 1, d->virtio_driver, sizeof(d->virtio_driver))) ||
	    (ret = vq_jin_str(p, o, "error", 1, d->read_error, sizeof(d->read_error))) ||
	    (ret = vq_jin_str(p, o, "refused", 1, d->refused, sizeof(d->refused))) ||
	    (ret = vq_jin_str(p, o, "source_note", 1, d->source_note, sizeof(d->source_note))))
		return ret;
	VQ_JIN_UINT(p, o, "device_id", UINT32_MAX, d->device_id);
	VQ_JIN_UINT(p, o, "vendor_id", UINT32_MAX, d->vendor_id);
	VQ_JIN_UINT(p, o, "pci_device", UINT16_MAX, d->pci_device);
	VQ_JIN_UINT(p, o, "mmio_version", 2, d->mmio_version);
	if ((d->kind == VQ_T_MMIO) != (d->mmio_version != 0))
		return vq_jin_fail(p, "mmio_version %d does not suit transport %s", d->mmio_version,
				   vq_transport_kind_name(d->kind));
	VQ_JIN_UINT(p, o, "mmio_base", UINT64_MAX, d->mmio_base);
	return caps_from_json(p, o, d);
}

int vq_dev_queues_from_json(struct vq_jin *p, struct json_object *o, struct vq_dev *d,
			    vq_json_queue_fn one)
{
	struct json_object *a;
	size_t n, i;
	int ret;

	VQ_JIN_UINT(p, o, "num_queues", VQ_QUEUES_MAX, d->num_queues);
	if ((ret = vq_jin_array(p, o, "queues", VQ_QUEUES_MAX, &a, &n)))
		return ret;
	if (n != d->num_queues)
		return vq_jin_fail(p, "num_queues is %u but %zu queues are described", d->num_queues, n);
	if (n && !(d->queues = calloc(n, sizeof(*d->queues))))
		return vq_jin_fail(p, "out of memory");
	for (i = 0; i < n; i++)
		if ((ret = one(p, json_object_array_get_idx(a, i), (unsigned)i, &d->queues[i])))
			return ret;
	return 0;
}

int vq_dev_from_json(struct vq_jin *p, struct json_object *o, struct vq_dev *d)
{
	char hex[2 * VQ_CONFIG_MAX + 1];
	uint64_t g;
	unsigned e;
	int isnull, b, ret;

	if (!o || !json_object_is_type(o, json_type_object))
		return vq_jin_fail(p, "not an object");
	if ((ret = vq_dev_identity_from_json(p, o, "transport", d)) ||
	    (ret = status_from_json(p, o, d)) ||
	    (ret = features_from_json(p, o, "device_features", d->device_features,
				      &d->device_features_src)) ||
	    (ret = features_from_json(p, o, "driver_features", d->driver_features,
				      &d->driver_features_src)))
		return ret;
	if ((ret = vq_dev_queues_from_json(p, o, d, queue_from_json)))
		return ret;
	if ((ret = vq_jin_str(p, o, "config_raw", 0, hex, sizeof(hex))) ||
	    (ret = vq_jin_hex(p, "config_raw", hex, d->config, VQ_CONFIG_MAX, &d->config_len)) ||
	    (ret = vq_jin_uint_or_null(p, o, "config_generation", INT_MAX, &g, &isnull)) ||
	    (ret = vq_jin_bool(p, o, "config_consistent", &b)))
		return ret;
	d->config_generation = isnull ? -1 : (int)g;
	d->config_consistent = b;
	VQ_JIN_UINT(p, o, "msix_config", UINT16_MAX, d->msix_config);
	if ((ret = vq_jin_enum(p, o, "access", vq_access_parse, &e)))
		return ret;
	d->access = (enum vq_access_path)e;
	return 0;
}
