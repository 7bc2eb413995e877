/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: payload header parsers (blk, net, vsock) and every name lookup. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decode/names.h"
#include "decode/payload.h"
#include "fuzzmem.h"

/*
 * The input is header bytes as a chain's first buffer would hold them;
 * the same bytes, read as numbers, feed the name lookups (values the
 * tool reads from a device or a ring and names).
 *
 * Each parser is called on the input's last L bytes for several L, so
 * that a read past L runs off the end of libFuzzer's exactly-sized copy
 * and ASan reports it.
 */

/* A name from a table: non-empty, short, printable, NUL-terminated. */
FUZZ_HARNESS static void check_name(const char *s)
{
	size_t i;

	if (!s)
		return;
	FUZZ_CHECK(s[0]);
	for (i = 0; s[i]; i++) {
		FUZZ_CHECK(i < 64);
		FUZZ_CHECK(s[i] >= 0x20 && s[i] < 0x7f);
	}
}

FUZZ_HARNESS static void check_blk(const uint8_t *b, size_t len)
{
	struct vq_blk_req r;
	int ret;

	memset(&r, 0xa5, sizeof(r));
	ret = vq_blk_parse_hdr(b, len, &r);
	if (len < 16) {
		FUZZ_CHECK(ret < 0 && r.type == 0 && r.sector == 0 && r.data_len == 0);
		return;
	}
	FUZZ_CHECK(ret == 0);
	FUZZ_CHECK(r.type == fuzz_le(b, 4) && r.ioprio == fuzz_le(b + 4, 4) &&
		   r.sector == fuzz_le(b + 8, 8));
	/* Filled in from the chain, not from the header. */
	FUZZ_CHECK(r.data_len == 0 && r.status == 0 && r.status_read == 0);
	check_name(vq_blk_type_name(r.type));
}

FUZZ_HARNESS static void check_net(const uint8_t *b, size_t len)
{
	struct vq_net_req r;
	int ret;

	memset(&r, 0xa5, sizeof(r));
	ret = vq_net_parse_hdr(b, len, &r);
	if (len < 10) {
		FUZZ_CHECK(ret < 0 && r.hdr_size == 0 && r.flags == 0 && r.num_buffers == 0);
		return;
	}
	FUZZ_CHECK(ret == 0);
	FUZZ_CHECK(r.flags == b[0] && r.gso_type == b[1] && r.hdr_len == fuzz_le(b + 2, 2) &&
		   r.gso_size == fuzz_le(b + 4, 2) && r.csum_start == fuzz_le(b + 6, 2) &&
		   r.csum_offset == fuzz_le(b + 8, 2));
	FUZZ_CHECK(r.hdr_size == (len >= 12 ? 12 : 10));
	FUZZ_CHECK(r.num_buffers == (len >= 12 ? fuzz_le(b + 10, 2) : 0));
	FUZZ_CHECK(r.packet_len == 0);
	check_name(vq_net_gso_name(r.gso_type));
}

FUZZ_HARNESS static void check_vsock(const uint8_t *b, size_t len)
{
	struct vq_vsock_req r;
	int ret;

	memset(&r, 0xa5, sizeof(r));
	ret = vq_vsock_parse_hdr(b, len, &r);
	if (len < 44) {
		FUZZ_CHECK(ret < 0 && r.src_cid == 0 && r.len == 0 && r.fwd_cnt == 0);
		return;
	}
	FUZZ_CHECK(ret == 0);
	FUZZ_CHECK(r.src_cid == fuzz_le(b, 8) && r.dst_cid == fuzz_le(b + 8, 8) &&
		   r.src_port == fuzz_le(b + 16, 4) && r.dst_port == fuzz_le(b + 20, 4) &&
		   r.len == fuzz_le(b + 24, 4) && r.type == fuzz_le(b + 28, 2) &&
		   r.op == fuzz_le(b + 30, 2) && r.flags == fuzz_le(b + 32, 4) &&
		   r.buf_alloc == fuzz_le(b + 36, 4) && r.fwd_cnt == fuzz_le(b + 40, 4));
	check_name(vq_vsock_op_name(r.op));
	check_name(vq_vsock_type_name(r.type));
}

/* A global, so that ASan's redzone follows it. */
static char featbuf[16];

/* Every lookup keyed by a number, with @v cut to each argument's type. */
FUZZ_HARNESS static void check_values(uint32_t v)
{
	unsigned bit = v & 0xff ? v & 0xff : v; /* mostly small, sometimes huge */
	uint32_t dev = v >> 8 & 0xff;
	const char *name, *s, *l;
	char want[16];
	size_t len;

	check_name(vq_blk_type_name(v));
	check_name(vq_blk_status_name((uint8_t)v));
	check_name(vq_net_gso_name((uint8_t)v));
	check_name(vq_net_flag_name(v));
	check_name(vq_net_flag_name(bit));
	check_name(vq_vsock_op_name((uint16_t)v));
	check_name(vq_vsock_type_name((uint16_t)v));
	check_name(vq_status_bit_name(v));
	check_name(vq_status_bit_name(bit));

	s = vq_device_short_name(v);
	l = vq_device_long_name(v);
	check_name(s);
	check_name(l);
	/* Every ID the table knows has both names. */
	FUZZ_CHECK(!s == !l);

	name = vq_feature_name(dev, bit);
	check_name(name);
	if (bit >= 128)
		FUZZ_CHECK(!name);
	/* Transport bits mean the same on every device. */
	if (bit >= 24 && bit <= 41)
		FUZZ_CHECK(name == vq_feature_name(v, bit) && name == vq_feature_name(0, bit));
	check_name(vq_feature_name(v, bit));
	check_name(vq_feature_name(dev, v));

	/* Never NULL; "bit_N" in the caller's buffer when unnamed, even when
	 * the buffer is shorter than the header asks for. */
	len = (v >> 16) % (sizeof(featbuf) + 1);
	s = vq_feature_name_buf(dev, bit, featbuf, len);
	FUZZ_CHECK(s != NULL);
	if (name) {
		FUZZ_CHECK(s == name);
	} else if (len) {
		FUZZ_CHECK(s == featbuf && memchr(featbuf, 0, len));
		snprintf(want, sizeof(want), "bit_%u", bit);
		FUZZ_CHECK(!strncmp(featbuf, want, len - 1));
	} else {
		check_name(s);
	}
	check_name(vq_feature_name_buf(dev, bit, NULL, 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t lens[] = {0, 1, 9, 10, 11, 12, 15, 16, 17, 43, 44, 45};
	char str[33];
	uint32_t id;
	size_t i;

	check_blk(data, size);
	check_net(data, size);
	check_vsock(data, size);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		if (lens[i] > size)
			break;
		check_blk(data + size - lens[i], lens[i]);
		check_net(data + size - lens[i], lens[i]);
		check_vsock(data + size - lens[i], lens[i]);
	}

	/* Numbers: each aligned 32-bit word of the first 64 bytes, and each
	 * byte on its own (the small values where the tables are). */
	for (i = 0; i + 4 <= size && i < 64; i += 4)
		check_values((uint32_t)fuzz_le(data + i, 4));
	for (i = 0; i < size && i < 16; i++)
		check_values(data[i]);

	/* The --type argument: a user's string. */
	i = size < sizeof(str) - 1 ? size : sizeof(str) - 1;
	memcpy(str, data, i);
	str[i] = 0;
	id = vq_payload_type_id(str);
	FUZZ_CHECK(id == 0 || id == 1 || id == 2 || id == 3 || id == 19);
	if (id)
		FUZZ_CHECK(!strcmp(str, "blk") || !strcmp(str, "net") || !strcmp(str, "vsock") ||
			   !strcmp(str, "console"));
	return 0;
}
