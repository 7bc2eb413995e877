/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names for virtio device IDs, device status bits and feature bits. */
#ifndef VQDUMP_DECODE_NAMES_H
#define VQDUMP_DECODE_NAMES_H

#include <stddef.h>
#include <stdint.h>

/*
 * Device types (virtio 1.3, section 5 "Device Types", the table of device
 * IDs).  Every ID the spec assigns has an entry, including reserved ones
 * that the spec names.
 */

/* Short name used in JSON "type" and in text ("net", "blk", "9p", ...);
 * NULL when the spec assigns no name to @id. */
const char *vq_device_short_name(uint32_t id);

/* Long name as the spec's table writes it ("network card", "block
 * device", ...); NULL when unknown. */
const char *vq_device_long_name(uint32_t id);

/*
 * Device status field (virtio 1.3, section 2.1).  Names are the spec's:
 * ACKNOWLEDGE, DRIVER, DRIVER_OK, FEATURES_OK, DEVICE_NEEDS_RESET, FAILED.
 */

/* Name of the status bit @bit (0..7); NULL for a bit the spec leaves
 * unused. */
const char *vq_status_bit_name(unsigned bit);

/*
 * Feature bits.  Transport and reserved bits (virtio 1.3, section 6:
 * VIRTIO_F_*, VIRTIO_RING_F_*) apply to every device; device bits
 * (0..23 and the device-specific ones above 40, e.g. net's 41+) depend
 * on the device ID.  Names are the spec's macro names, e.g.
 * "VIRTIO_BLK_F_FLUSH", "VIRTIO_F_VERSION_1", "VIRTIO_RING_F_EVENT_IDX".
 */

/* Name of feature @bit (0..127) for a device of type @device_id; NULL when
 * neither the transport nor that device type defines it. */
const char *vq_feature_name(uint32_t device_id, unsigned bit);

/* As vq_feature_name(), but never NULL: unknown bits are written as
 * "bit_N" into @buf (at least 16 bytes) and @buf is returned. */
const char *vq_feature_name_buf(uint32_t device_id, unsigned bit, char *buf, size_t len);

#endif
