/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of payload header parsers against the spec's layouts (virtio 1.3, 5.1.6, 5.2.6, 5.10.6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_vsock.h>
#include <string.h>

#include "decode/payload.h"

/* 5.2.6: le32 type, le32 reserved (ioprio), le64 sector. */
static void test_blk_header(void **state)
{
	const uint8_t b[16] = { 1, 0, 0, 0, 7, 0, 0, 0, 0x00, 0x10, 0, 0, 1, 0, 0, 0 };
	struct vq_blk_req r;

	(void)state;
	assert_int_equal(vq_blk_parse_hdr(b, sizeof(b), &r), 0);
	assert_int_equal(r.type, VIRTIO_BLK_T_OUT);
	assert_int_equal(r.ioprio, 7);
	assert_int_equal(r.sector, 0x100001000ull);
	assert_int_equal(vq_blk_parse_hdr(b, 15, &r), -1);
}

static void test_blk_names(void **state)
{
	(void)state;
	assert_string_equal(vq_blk_type_name(VIRTIO_BLK_T_IN), "IN");
	assert_string_equal(vq_blk_type_name(VIRTIO_BLK_T_OUT), "OUT");
	assert_string_equal(vq_blk_type_name(VIRTIO_BLK_T_FLUSH), "FLUSH");
	assert_string_equal(vq_blk_type_name(VIRTIO_BLK_T_GET_ID), "GET_ID");
	assert_string_equal(vq_blk_type_name(11), "DISCARD");
	assert_string_equal(vq_blk_type_name(13), "WRITE_ZEROES");
	assert_string_equal(vq_blk_type_name(14), "SECURE_ERASE");
	assert_null(vq_blk_type_name(3));
	assert_null(vq_blk_type_name(0x80000000u));
	assert_string_equal(vq_blk_status_name(VIRTIO_BLK_S_OK), "OK");
	assert_string_equal(vq_blk_status_name(VIRTIO_BLK_S_IOERR), "IOERR");
	assert_string_equal(vq_blk_status_name(VIRTIO_BLK_S_UNSUPP), "UNSUPP");
	assert_null(vq_blk_status_name(0xff));
}

/* 5.1.6: u8 flags, u8 gso_type, le16 hdr_len, gso_size, csum_start,
 * csum_offset, and le16 num_buffers in the 12-byte header. */
static void test_net_header(void **state)
{
	const uint8_t b[12] = { 1, 0x81, 54, 0, 0xa8, 0x05, 34, 0, 16, 0, 3, 0 };
	struct vq_net_req r;

	(void)state;
	assert_int_equal(vq_net_parse_hdr(b, 12, &r), 0);
	assert_int_equal(r.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(r.gso_type, VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN);
	assert_string_equal(vq_net_gso_name(r.gso_type), "TCPV4");
	assert_int_equal(r.hdr_len, 54);
	assert_int_equal(r.gso_size, 1448);
	assert_int_equal(r.csum_start, 34);
	assert_int_equal(r.csum_offset, 16);
	assert_int_equal(r.num_buffers, 3);
	assert_int_equal(r.hdr_size, 12);
	assert_int_equal(vq_net_parse_hdr(b, 10, &r), 0);
	assert_int_equal(r.hdr_size, 10);
	assert_int_equal(r.num_buffers, 0);
	assert_int_equal(vq_net_parse_hdr(b, 9, &r), -1);
	assert_string_equal(vq_net_flag_name(0), "NEEDS_CSUM");
	assert_string_equal(vq_net_flag_name(1), "DATA_VALID");
	assert_null(vq_net_flag_name(7));
	assert_string_equal(vq_net_gso_name(VIRTIO_NET_HDR_GSO_NONE), "NONE");
	assert_string_equal(vq_net_gso_name(VIRTIO_NET_HDR_GSO_UDP), "UDP");
	assert_string_equal(vq_net_gso_name(VIRTIO_NET_HDR_GSO_TCPV6), "TCPV6");
	assert_null(vq_net_gso_name(9));
}

/* 5.10.6: packed le64 src_cid, le64 dst_cid, le32 src_port, le32 dst_port,
 * le32 len, le16 type, le16 op, le32 flags, le32 buf_alloc, le32 fwd_cnt. */
static void test_vsock_header(void **state)
{
	uint8_t b[44];
	struct vq_vsock_req r;

	(void)state;
	memset(b, 0, sizeof(b));
	b[0] = 3;                  /* src_cid 3 */
	b[8] = 2;                  /* dst_cid 2 (host) */
	b[16] = 0x39, b[17] = 0x30; /* src_port 12345 */
	b[20] = 0x16;              /* dst_port 22 */
	b[24] = 100;               /* len */
	b[28] = VIRTIO_VSOCK_TYPE_STREAM;
	b[30] = VIRTIO_VSOCK_OP_RW;
	b[36] = 0, b[37] = 0, b[38] = 4; /* buf_alloc 0x40000 */
	b[40] = 9;                 /* fwd_cnt */
	assert_int_equal(vq_vsock_parse_hdr(b, 44, &r), 0);
	assert_int_equal(r.src_cid, 3);
	assert_int_equal(r.dst_cid, 2);
	assert_int_equal(r.src_port, 12345);
	assert_int_equal(r.dst_port, 22);
	assert_int_equal(r.len, 100);
	assert_string_equal(vq_vsock_type_name(r.type), "STREAM");
	assert_string_equal(vq_vsock_op_name(r.op), "RW");
	assert_int_equal(r.buf_alloc, 0x40000);
	assert_int_equal(r.fwd_cnt, 9);
	assert_int_equal(vq_vsock_parse_hdr(b, 43, &r), -1);
	assert_string_equal(vq_vsock_op_name(VIRTIO_VSOCK_OP_CREDIT_REQUEST), "CREDIT_REQUEST");
	assert_null(vq_vsock_op_name(8));
	assert_string_equal(vq_vsock_type_name(2), "SEQPACKET");
}

static void test_type_names(void **state)
{
	(void)state;
	assert_int_equal(vq_payload_type_id("blk"), VIRTIO_ID_BLOCK);
	assert_int_equal(vq_payload_type_id("net"), VIRTIO_ID_NET);
	assert_int_equal(vq_payload_type_id("vsock"), VIRTIO_ID_VSOCK);
	assert_int_equal(vq_payload_type_id("console"), VIRTIO_ID_CONSOLE);
	assert_int_equal(vq_payload_type_id("block"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blk_header),
		cmocka_unit_test(test_blk_names),
		cmocka_unit_test(test_net_header),
		cmocka_unit_test(test_vsock_header),
		cmocka_unit_test(test_type_names),
	};

	return cmocka_run_group_tests_name("payload", tests, NULL, NULL);
}
