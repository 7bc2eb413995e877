/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Device-specific configuration space decoders (virtio 1.3, section 5, "Device configuration layout"). */
#ifndef VQDUMP_DECODE_CONFIG_H
#define VQDUMP_DECODE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "../model/device.h"

enum vq_cfg_kind {
	VQ_CFG_UINT, /* unsigned number in @value */
	VQ_CFG_STR,  /* text in @str (tags, names, MAC addresses) */
};

struct vq_cfg_field {
	const char *name;      /* JSON key: the spec's field name ("capacity", "mac") */
	enum vq_cfg_kind kind;
	uint64_t value;        /* VQ_CFG_UINT */
	char str[80];          /* VQ_CFG_STR, NUL-terminated, printable; for a VQ_CFG_UINT
	                        * flag field the names of its set bits joined by '|'
	                        * (unnamed bits as bit_N), else "" */
	const char *note;      /* text output only: unit or meaning ("512-byte sectors"), or NULL */
};

/*
 * Bytes of configuration the spec defines for @device_id (the largest
 * layout, all optional fields included); 0 when vqdump has no decoder.
 */
size_t vq_config_size(uint32_t device_id);

/*
 * Decode @len bytes of device configuration of a device of type
 * @device_id.  @features are the negotiated features (or, with no driver,
 * the offered ones): fields that exist only with a feature are decoded
 * only when it is set, and only when @len covers them.  Little-endian
 * (modern) layout.  Writes at most @max fields to @out and returns how
 * many; never reads past @len.
 *
 * Bit n of @features is features[n / 32] >> (n % 32) & 1; NULL means no
 * feature bits.  A field is written only when @len covers all of it (a 9P
 * tag is cut at @len instead).  Nested structures are flattened into one
 * name ("geometry_cylinders"); the input device's union is named by what
 * its current select holds ("u_string", "u_ids_vendor", "u_abs_max",
 * "u_bitmap_0": hex in 32-byte pieces).  Types without configuration (rng,
 * i2c, scmi) and unknown types give 0 fields.
 */
size_t vq_config_decode(uint32_t device_id, const uint8_t *cfg, size_t len,
			const uint32_t features[4], struct vq_cfg_field *out, size_t max);

/*
 * The width in bytes (1, 2 or 4) to read the configuration byte at @off of
 * a device of type @device_id with: each field with its own width, a
 * 64-bit field as two 32-bit halves (virtio 1.3, 4.1.3.1, 4.2.2.2); 1 for
 * byte arrays (MAC, tags), for a byte inside a field, and for bytes no
 * field covers (padding, unknown types).  @seen: the @off bytes from
 * offset 0 already read, or NULL: the input device's union is laid out by
 * its select byte, read by bytes when unknown.
 */
unsigned vq_config_access_width(uint32_t device_id, const uint8_t *seen, size_t off);

/* The feature set that governs @d's config layout: the negotiated one
 * when the driver got that far, else what the device offers. */
const uint32_t *vq_config_features(const struct vq_dev *d);

/* @d's config decoded with vq_config_features(d), as vq_config_decode. */
size_t vq_config_decode_dev(const struct vq_dev *d, struct vq_cfg_field *out, size_t max);

#endif
