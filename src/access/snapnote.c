/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The snapshot note: its JSON document written from the device model and read back, and finding it among ELF notes. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../decode/elfnote.h"
#include "../model/json.h"
#include "snapint.h"

/* ---- writing the note ---- */

char *vq_snap_to_json(const struct vq_snap_info *info, const struct vq_dev *devs, size_t n)
{
	struct json_object *root = json_object_new_object(), *a = json_object_new_array();
	const char *s;
	char *out;
	size_t i;

	if (!root || !a) {
		json_object_put(root);
		json_object_put(a);
		return NULL;
	}
	json_object_object_add(root, "format", json_object_new_string(VQ_SNAP_FORMAT));
	json_object_object_add(root, "version", json_object_new_int(VQ_SNAP_VERSION));
	json_object_object_add(root, "time", json_object_new_int64(info->time));
	json_object_object_add(root, "host", json_object_new_string(info->host));
	json_object_object_add(root, "interval_ms", json_object_new_uint64(info->interval_ms));
	json_object_object_add(root, "vqdump_version", json_object_new_string(info->vqdump_version));
	for (i = 0; i < n; i++)
		json_object_array_add(a, vq_dev_to_json(&devs[i], VQ_JSON_RECORD, NULL));
	json_object_object_add(root, "devices", a);
	s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	out = s ? strdup(s) : NULL;
	json_object_put(root);
	return out;
}

/* ---- finding the note ---- */

int vq_snap_find_note(const uint8_t *notes, size_t len, int msb, const uint8_t **desc,
		      size_t *desclen, char *err, size_t errlen)
{
	struct vq_elf_note n;
	size_t off = 0;
	int found = 0, ret;

	*desc = NULL;
	*desclen = 0;
	while ((ret = vq_elf_note_next(notes, len, msb, &off, &n, err, errlen)) > 0) {
		if (!vq_elf_note_owner_is(&n, VQ_SNAP_NOTE_NAME))
			continue;
		if (n.type != VQ_SNAP_NOTE_TYPE)
			return vq_errbuf(err, errlen, -EINVAL,
					 "VQDUMP note of unknown type 0x%x (this vqdump reads 0x%x)", n.type,
					 VQ_SNAP_NOTE_TYPE);
		if (found)
			return vq_errbuf(err, errlen, -EINVAL, "more than one VQDUMP note");
		found = 1;
		*desc = n.desc;
		*desclen = n.descsz;
	}
	return ret < 0 ? ret : found;
}

/*
 * json-c saturates an integer beyond 64 bits to UINT64_MAX without a word:
 * find such literals in the text first (outside strings), so that they are
 * refused instead of read as another value.  Returns the byte offset of
 * the first, or -1.
 */
static long huge_integer(const char *s, size_t len)
{
	static const char max[] = "18446744073709551615";
	size_t i = 0;
	int in_str = 0;

	while (i < len) {
		size_t start, n;

		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_str = 0;
			i++;
			continue;
		}
		if (s[i] == '"') {
			in_str = 1;
			i++;
			continue;
		}
		if (s[i] < '0' || s[i] > '9') {
			i++;
			continue;
		}
		start = i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		/* A fraction or an exponent makes it a double, refused later. */
		if (i < len && (s[i] == '.' || s[i] == 'e' || s[i] == 'E'))
			continue;
		while (start < i - 1 && s[start] == '0')
			start++;
		n = i - start;
		if (n > sizeof(max) - 1 || (n == sizeof(max) - 1 && memcmp(s + start, max, n) > 0))
			return (long)start;
	}
	return -1;
}

/* The text before it is parsed: size, NUL bytes, integers json-c would saturate. */
static int check_text(struct vq_jin *p, const char *json, size_t len)
{
	long at;

	if (len > VQ_SNAP_NOTE_MAX || len > INT_MAX)
		return vq_jin_fail(p, "%zu bytes, more than the %u this vqdump reads", len,
				   VQ_SNAP_NOTE_MAX);
	if (memchr(json, 0, len))
		return vq_jin_fail(p, "a NUL byte inside the JSON text");
	at = huge_integer(json, len);
	if (at >= 0)
		return vq_jin_fail(p, "an integer beyond 64 bits at byte %ld", at);
	return 0;
}

/* One JSON object, exactly @len bytes of it; NULL with the reason in @p. */
static struct json_object *parse_root(struct vq_jin *p, const char *json, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root;

	if (!tok) {
		vq_jin_fail(p, "out of memory");
		return NULL;
	}
	root = json_tokener_parse_ex(tok, json, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		vq_jin_fail(p, "not valid JSON: %s at byte %zu",
			    e == json_tokener_continue  ? "text ends early"
			    : e == json_tokener_success ? "extra text after the document"
							: json_tokener_error_desc(e),
			    json_tokener_get_parse_end(tok));
		json_object_put(root);
		root = NULL;
	} else if (!json_object_is_type(root, json_type_object)) {
		vq_jin_fail(p, "not a JSON object");
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	return root;
}

/* The document's header into @info; 0 or -EINVAL. */
static int parse_header(struct vq_jin *p, struct json_object *root, struct vq_snap_info *info)
{
	char fmt[32];
	uint64_t v;
	int ret;

	if ((ret = vq_jin_str(p, root, "format", 0, fmt, sizeof(fmt))))
		return ret;
	if (strcmp(fmt, VQ_SNAP_FORMAT))
		return vq_jin_fail(p, "format '%s' is not '%s'", fmt, VQ_SNAP_FORMAT);
	if ((ret = vq_jin_uint(p, root, "version", INT_MAX, &v)))
		return ret;
	if (v < 1 || v > VQ_SNAP_VERSION)
		return vq_jin_fail(p, "format version %llu; this vqdump reads version 1 up to %d",
				   (unsigned long long)v, VQ_SNAP_VERSION);
	info->version = (int)v;
	if ((ret = vq_jin_uint(p, root, "time", INT64_MAX, &v)))
		return ret;
	info->time = (int64_t)v;
	if ((ret = vq_jin_uint(p, root, "interval_ms", UINT32_MAX, &v)))
		return ret;
	info->interval_ms = (uint32_t)v;
	if ((ret = vq_jin_str(p, root, "host", 1, info->host, sizeof(info->host))))
		return ret;
	return vq_jin_str(p, root, "vqdump_version", 1, info->vqdump_version,
			  sizeof(info->vqdump_version));
}

/* Append the devices of @a to @list as snapshot devices; on failure
 * nothing is left appended. */
static int parse_devices(struct vq_jin *p, struct json_object *a, size_t n, int version,
			 struct vq_dev_list *list)
{
	size_t i, n0 = list->n;
	int ret = 0;

	for (i = 0; i < n && !ret; i++) {
		struct json_object *o = json_object_array_get_idx(a, i);
		struct vq_dev *d = vq_dev_list_add(list);

		if (!d) {
			ret = vq_jin_fail(p, "out of memory");
			break;
		}
		/* Released through the transport from here on. */
		d->t = &vq_transport_snapshot;
		snprintf(p->where, sizeof(p->where), "device %zu", i);
		ret = version == 1 ? vq_snap_dev_from_json_v1(p, o, d) : vq_dev_from_json(p, o, d);
		if (!ret && vq_snap_attach(d))
			ret = vq_jin_fail(p, "out of memory");
	}
	p->where[0] = 0;
	if (!ret)
		return (int)n;
	while (list->n > n0) {
		struct vq_dev *d = &list->devs[--list->n];

		d->t->release(d);
	}
	return ret;
}

int vq_snap_parse(const char *json, size_t len, struct vq_dev_list *list,
		  struct vq_snap_info *info, char *err, size_t errlen)
{
	struct vq_jin p = { .what = "snapshot note", .err = err, .errlen = errlen };
	struct json_object *root, *a;
	size_t n;
	int ret;

	memset(info, 0, sizeof(*info));
	if ((ret = check_text(&p, json, len)))
		return ret;
	root = parse_root(&p, json, len);
	if (!root)
		return -EINVAL;
	ret = parse_header(&p, root, info);
	if (!ret)
		ret = vq_jin_array(&p, root, "devices", VQ_SNAP_DEVS_MAX, &a, &n);
	if (!ret)
		ret = parse_devices(&p, a, n, info->version, list);
	json_object_put(root);
	return ret;
}
