/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: payload header parsers (blk, net, vsock, scsi, fs, 9p, gpu, input, balloon, rpmsg) and every name lookup. */
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

/* The parsers added for scsi, FUSE, 9p, gpu, input, balloon and rpmsg:
 * refuse short input with the output zeroed, else take each field from
 * its offset (little-endian). */
FUZZ_HARNESS static void check_more(const uint8_t *b, size_t len)
{
	struct vq_scsi_req s;
	struct vq_fuse_req f;
	struct vq_9p_req p;
	struct vq_gpu_req g;
	struct vq_input_req in;
	struct vq_balloon_req bal;
	struct vq_rpmsg_req r;
	size_t i;

	memset(&s, 0xa5, sizeof(s));
	if (vq_scsi_parse_cmd(b, len, &s) < 0) {
		FUZZ_CHECK(len < 20 && s.tag == 0 && s.opcode == 0 && !s.resp_read);
	} else {
		FUZZ_CHECK(s.target == b[1] && s.lun == ((b[2] << 8 | b[3]) & 0x3fff) &&
			   s.tag == fuzz_le(b + 8, 8) && s.opcode == b[19] && !s.resp_read);
		check_name(vq_scsi_opcode_name(s.opcode));
		if (vq_scsi_parse_resp(b, len, &s) == 0)
			FUZZ_CHECK(s.resp_read && s.response == b[11] && s.status == b[10] &&
				   s.sense_len == fuzz_le(b, 4));
		else
			FUZZ_CHECK(len < VQ_SCSI_RESP_HDR);
	}
	memset(&f, 0xa5, sizeof(f));
	if (vq_fuse_parse_in(b, len, &f) < 0) {
		FUZZ_CHECK(f.opcode == 0 && f.unique == 0 && !f.reply_read);
		FUZZ_CHECK(len < VQ_FUSE_IN_HDR || fuzz_le(b, 4) < VQ_FUSE_IN_HDR);
	} else {
		FUZZ_CHECK(f.len == fuzz_le(b, 4) && f.len >= VQ_FUSE_IN_HDR &&
			   f.opcode == fuzz_le(b + 4, 4) && f.unique == fuzz_le(b + 8, 8) &&
			   f.nodeid == fuzz_le(b + 16, 8) && f.pid == fuzz_le(b + 32, 4));
		check_name(vq_fuse_opcode_name(f.opcode));
	}
	memset(&p, 0xa5, sizeof(p));
	if (vq_9p_parse(b, len, &p) < 0) {
		FUZZ_CHECK(p.size == 0 && p.type == 0 && p.tag == 0 && !p.reply_read);
		FUZZ_CHECK(len < VQ_9P_HDR || fuzz_le(b, 4) < VQ_9P_HDR);
	} else {
		FUZZ_CHECK(p.size == fuzz_le(b, 4) && p.size >= VQ_9P_HDR && p.type == b[4] &&
			   p.tag == fuzz_le(b + 5, 2));
		check_name(vq_9p_type_name(p.type));
	}
	memset(&g, 0xa5, sizeof(g));
	if (vq_gpu_parse_hdr(b, len, &g) < 0)
		FUZZ_CHECK(len < VQ_GPU_HDR && g.type == 0 && !g.reply_read);
	else
		FUZZ_CHECK(g.type == fuzz_le(b, 4) && g.fence_id == fuzz_le(b + 8, 8) &&
			   g.ctx_id == fuzz_le(b + 16, 4));
	check_name(vq_gpu_type_name(g.type));
	memset(&in, 0xa5, sizeof(in));
	if (vq_input_parse(b, len, &in) < 0)
		FUZZ_CHECK(len < VQ_INPUT_EVENT && in.type == 0 && in.value == 0);
	else
		FUZZ_CHECK(in.type == fuzz_le(b, 2) && in.code == fuzz_le(b + 2, 2) &&
			   in.value == fuzz_le(b + 4, 4) && !in.from_device);
	check_name(vq_input_type_name(in.type));
	memset(&bal, 0xa5, sizeof(bal));
	if (vq_balloon_parse_stats(b, len, (uint32_t)(len / VQ_BALLOON_STAT), &bal) < 0) {
		FUZZ_CHECK(len < VQ_BALLOON_STAT && bal.nread == 0);
	} else {
		FUZZ_CHECK(bal.nread <= VQ_BALLOON_STATS_MAX && bal.nread <= len / VQ_BALLOON_STAT);
		for (i = 0; i < bal.nread; i++) {
			FUZZ_CHECK(bal.tag[i] == fuzz_le(b + 10 * i, 2) &&
				   bal.val[i] == fuzz_le(b + 10 * i + 2, 8));
			check_name(vq_balloon_stat_name(bal.tag[i]));
		}
	}
	memset(&r, 0xa5, sizeof(r));
	if (vq_rpmsg_parse_hdr(b, len, &r) < 0)
		FUZZ_CHECK(len < VQ_RPMSG_HDR && r.src == 0 && r.len == 0);
	else
		FUZZ_CHECK(r.src == fuzz_le(b, 4) && r.dst == fuzz_le(b + 4, 4) &&
			   r.len == fuzz_le(b + 12, 2) && r.flags == fuzz_le(b + 14, 2));
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
	check_name(vq_scsi_opcode_name((uint8_t)v));
	check_name(vq_scsi_response_name((uint8_t)v));
	check_name(vq_scsi_status_name((uint8_t)v));
	check_name(vq_fuse_opcode_name(v));
	check_name(vq_9p_type_name((uint8_t)v));
	check_name(vq_gpu_type_name(v));
	check_name(vq_gpu_type_name(0x100 | (v & 0x1f)));
	check_name(vq_input_type_name((uint16_t)v));
	check_name(vq_balloon_stat_name((uint16_t)v));
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
	static const size_t lens[] = {0, 1, 6, 7, 8, 9, 10, 11, 12, 15, 16, 17, 19, 20,
				      23, 24, 39, 40, 43, 44, 45, 51, 120};
	char str[33];
	uint32_t id;
	size_t i;

	check_blk(data, size);
	check_net(data, size);
	check_vsock(data, size);
	check_more(data, size);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		if (lens[i] > size)
			break;
		check_blk(data + size - lens[i], lens[i]);
		check_net(data + size - lens[i], lens[i]);
		check_vsock(data + size - lens[i], lens[i]);
		check_more(data + size - lens[i], lens[i]);
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
	FUZZ_CHECK(id == 0 || id == 1 || id == 2 || id == 3 || id == 19 || id == 5 || id == 7 ||
		   id == 8 || id == 9 || id == 16 || id == 18 || id == 26);
	if (id) {
		/* Every name it takes is listed in the message that names them. */
		const char *at = strstr(vq_payload_type_names, str);

		FUZZ_CHECK(at && (at[strlen(str)] == ',' || at[strlen(str)] == 0));
	}
	return 0;
}
