/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Little-endian getters: every field read from a ring or a device goes through these. */
#ifndef VQDUMP_DECODE_LE_H
#define VQDUMP_DECODE_LE_H

#include <stdint.h>

/*
 * virtio 1.x rings and registers are little-endian.  Legacy devices use the
 * guest's native order; vqdump assumes a little-endian guest for them
 * (x86, arm64, riscv), which is what QEMU dumps from such guests hold.
 */
static inline uint16_t le16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t le32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint64_t le64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)le32(b) | (uint64_t)le32(b + 4) << 32;
}

#endif
