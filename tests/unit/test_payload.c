/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of payload header parsers and chain decoding against the spec's layouts (virtio 1.3 chapter 5, FUSE, 9P, rpmsg). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/fuse.h>
#include <linux/input-event-codes.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_gpu.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_scsi.h>
#include <linux/virtio_net.h>
#include <linux/virtio_vsock.h>
#include <string.h>

#include "decode/payload.h"
#include "decode/ring.h"
#include "fakemem.h"

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
	assert_int_equal(vq_payload_type_id("scsi"), VIRTIO_ID_SCSI);
	assert_int_equal(vq_payload_type_id("fs"), VIRTIO_ID_FS);
	assert_int_equal(vq_payload_type_id("9p"), VIRTIO_ID_9P);
	assert_int_equal(vq_payload_type_id("gpu"), VIRTIO_ID_GPU);
	assert_int_equal(vq_payload_type_id("input"), VIRTIO_ID_INPUT);
	assert_int_equal(vq_payload_type_id("balloon"), VIRTIO_ID_BALLOON);
	assert_int_equal(vq_payload_type_id("rpmsg"), VIRTIO_ID_RPMSG);
}

/* 5.6.6.1: u8 lun[8] (1, target, 0x40 | LUN >> 8, LUN & 0xff, 0...),
 * le64 tag, u8 task_attr, prio, crn, cdb[32]; the response le32
 * sense_len, le32 resid, le16 status_qualifier, u8 status, u8 response. */
static void test_scsi(void **state)
{
	uint8_t b[VQ_SCSI_CMD_HDR] = { 1, 3, 0x40, 0x05, 0, 0, 0, 0,
				       0x88, 0x77, 0, 0, 0, 0, 0, 0x10, VIRTIO_SCSI_S_ORDERED, 0, 0,
				       0x28 };
	const uint8_t resp[12] = { 18, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0x02, VIRTIO_SCSI_S_OK };
	struct vq_scsi_req r;

	(void)state;
	assert_int_equal(vq_scsi_parse_cmd(b, sizeof(b), &r), 0);
	assert_int_equal(r.target, 3);
	assert_int_equal(r.lun, 5);
	assert_int_equal(r.tag, 0x1000000000007788ull);
	assert_int_equal(r.task_attr, VIRTIO_SCSI_S_ORDERED);
	assert_int_equal(r.opcode, 0x28);
	assert_int_equal(r.resp_read, 0);
	assert_string_equal(vq_scsi_opcode_name(r.opcode), "READ_10");
	assert_int_equal(vq_scsi_parse_resp(resp, sizeof(resp), &r), 0);
	assert_int_equal(r.sense_len, 18);
	assert_int_equal(r.resid, 0x200);
	assert_int_equal(r.status, 2);
	assert_string_equal(vq_scsi_status_name(r.status), "CHECK_CONDITION");
	assert_string_equal(vq_scsi_response_name(r.response), "OK");
	assert_string_equal(vq_scsi_response_name(VIRTIO_SCSI_S_INCORRECT_LUN), "INCORRECT_LUN");
	assert_null(vq_scsi_response_name(13));
	assert_string_equal(vq_scsi_opcode_name(0x12), "INQUIRY");
	assert_string_equal(vq_scsi_opcode_name(0xa0), "REPORT_LUNS");
	assert_null(vq_scsi_opcode_name(0xff));
	assert_int_equal(vq_scsi_parse_cmd(b, 19, &r), -1);
	assert_int_equal(vq_scsi_parse_resp(resp, 11, &r), -1);
}

/* struct fuse_in_header / fuse_out_header (linux/fuse.h), little-endian. */
static void test_fuse(void **state)
{
	uint8_t in[VQ_FUSE_IN_HDR] = { 48, 0, 0, 0, FUSE_LOOKUP, 0, 0, 0,
				       0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
				       0xe8, 3, 0, 0, 0xe9, 3, 0, 0, 0x39, 0x30, 0, 0 };
	const uint8_t out[VQ_FUSE_OUT_HDR] = { 16, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0x2a };
	struct vq_fuse_req r;

	(void)state;
	assert_int_equal(vq_fuse_parse_in(in, sizeof(in), &r), 0);
	assert_int_equal(r.len, 48);
	assert_string_equal(vq_fuse_opcode_name(r.opcode), "LOOKUP");
	assert_int_equal(r.unique, 42);
	assert_int_equal(r.nodeid, FUSE_ROOT_ID);
	assert_int_equal(r.uid, 1000);
	assert_int_equal(r.gid, 1001);
	assert_int_equal(r.pid, 12345);
	assert_int_equal(vq_fuse_parse_out(out, sizeof(out), &r), 0);
	assert_int_equal(r.error, -2);
	assert_int_equal(r.out_unique, 42);
	assert_string_equal(vq_fuse_opcode_name(FUSE_TMPFILE), "TMPFILE");
	assert_null(vq_fuse_opcode_name(7));
	assert_null(vq_fuse_opcode_name(CUSE_INIT));
	assert_int_equal(vq_fuse_parse_in(in, 39, &r), -1);
	/* len counts the header: a smaller one is no request. */
	in[0] = 39;
	assert_int_equal(vq_fuse_parse_in(in, sizeof(in), &r), -1);
}

/* 9P: size[4] type[1] tag[2]; Tversion 100 goes with NOTAG 0xffff. */
static void test_9p(void **state)
{
	uint8_t t[] = { 19, 0, 0, 0, 100, 0xff, 0xff };
	const uint8_t rep[] = { 11, 0, 0, 0, 7, 0xff, 0xff };
	struct vq_9p_req r;

	(void)state;
	assert_int_equal(vq_9p_parse(t, sizeof(t), &r), 0);
	assert_int_equal(r.size, 19);
	assert_string_equal(vq_9p_type_name(r.type), "Tversion");
	assert_int_equal(r.tag, 0xffff);
	assert_int_equal(vq_9p_parse_reply(rep, sizeof(rep), &r), 0);
	assert_string_equal(vq_9p_type_name(r.reply_type), "Rlerror");
	assert_string_equal(vq_9p_type_name(110), "Twalk");
	assert_string_equal(vq_9p_type_name(121), "Rclunk");
	assert_string_equal(vq_9p_type_name(12), "Tlopen");
	assert_null(vq_9p_type_name(0));
	assert_null(vq_9p_type_name(255));
	assert_int_equal(vq_9p_parse(t, 6, &r), -1);
	/* Freed, zeroed memory: size 0 is below the header's own 7 bytes. */
	t[0] = 6;
	assert_int_equal(vq_9p_parse(t, sizeof(t), &r), -1);
}

/* 5.7.6.7: le32 type, le32 flags, le64 fence_id, le32 ctx_id, u8 ring_idx, pad. */
static void test_gpu(void **state)
{
	const uint8_t b[VQ_GPU_HDR] = { 0x04, 0x01, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 3 };
	const uint8_t rep[VQ_GPU_HDR] = { 0x00, 0x11 };
	struct vq_gpu_req r;

	(void)state;
	assert_int_equal(vq_gpu_parse_hdr(b, sizeof(b), &r), 0);
	assert_int_equal(r.type, VIRTIO_GPU_CMD_RESOURCE_FLUSH);
	assert_string_equal(vq_gpu_type_name(r.type), "RESOURCE_FLUSH");
	assert_int_equal(r.flags, VIRTIO_GPU_FLAG_FENCE);
	assert_int_equal(r.fence_id, 9);
	assert_int_equal(r.ctx_id, 3);
	assert_int_equal(vq_gpu_parse_reply(rep, sizeof(rep), &r), 0);
	assert_string_equal(vq_gpu_type_name(r.reply_type), "OK_NODATA");
	assert_string_equal(vq_gpu_type_name(VIRTIO_GPU_CMD_SUBMIT_3D), "SUBMIT_3D");
	assert_string_equal(vq_gpu_type_name(VIRTIO_GPU_CMD_MOVE_CURSOR), "MOVE_CURSOR");
	assert_string_equal(vq_gpu_type_name(VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER),
			    "ERR_INVALID_PARAMETER");
	assert_null(vq_gpu_type_name(0x1000));
	assert_null(vq_gpu_type_name(0x10e));
	assert_int_equal(vq_gpu_parse_hdr(b, 23, &r), -1);
}

/* 5.8.6: le16 type, le16 code, le32 value; 5.5.6.3: le16 tag, le64 val. */
static void test_input_balloon(void **state)
{
	const uint8_t ev[8] = { EV_KEY, 0, KEY_Q, 0, 1, 0, 0, 0 };
	const uint8_t st[20] = { VIRTIO_BALLOON_S_MEMTOT, 0, 0, 0, 0, 0x10, 0, 0, 0, 0,
				 VIRTIO_BALLOON_S_MEMFREE, 0, 0xff, 0, 0, 0, 0, 0, 0, 0 };
	struct vq_input_req in;
	struct vq_balloon_req bal;

	(void)state;
	assert_int_equal(vq_input_parse(ev, sizeof(ev), &in), 0);
	assert_int_equal(in.type, EV_KEY);
	assert_int_equal(in.code, KEY_Q);
	assert_int_equal(in.value, 1);
	assert_string_equal(vq_input_type_name(in.type), "EV_KEY");
	assert_string_equal(vq_input_type_name(EV_SYN), "EV_SYN");
	assert_null(vq_input_type_name(0x1f));
	assert_int_equal(vq_input_parse(ev, 7, &in), -1);
	assert_int_equal(vq_balloon_parse_stats(st, sizeof(st), 2, &bal), 0);
	assert_int_equal(bal.count, 2);
	assert_int_equal(bal.nread, 2);
	assert_int_equal(bal.tag[0], VIRTIO_BALLOON_S_MEMTOT);
	assert_int_equal(bal.val[0], 0x10000000ull);
	assert_int_equal(bal.val[1], 0xff);
	assert_string_equal(vq_balloon_stat_name(bal.tag[1]), "MEMFREE");
	assert_string_equal(vq_balloon_stat_name(VIRTIO_BALLOON_S_HTLB_PGFAIL), "HTLB_PGFAIL");
	assert_null(vq_balloon_stat_name(VIRTIO_BALLOON_S_NR));
	/* A buffer of 5 statistics of which 15 bytes are at hand: 1 read. */
	assert_int_equal(vq_balloon_parse_stats(st, 15, 5, &bal), 0);
	assert_int_equal(bal.count, 5);
	assert_int_equal(bal.nread, 1);
	assert_int_equal(vq_balloon_parse_stats(st, 9, 1, &bal), -1);
}

/* rpmsg_hdr (Linux include/linux/rpmsg/byteorder users, OpenAMP
 * rpmsg_virtio.h): le32 src, dst, reserved; le16 len, flags. */
static void test_rpmsg_header(void **state)
{
	const uint8_t b[16] = { 0x00, 0x04, 0, 0, 0x35, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0 };
	struct vq_rpmsg_req r;

	(void)state;
	assert_int_equal(vq_rpmsg_parse_hdr(b, sizeof(b), &r), 0);
	assert_int_equal(r.src, 0x400);
	assert_int_equal(r.dst, 0x35);
	assert_int_equal(r.len, 12);
	assert_int_equal(r.flags, 0);
	assert_int_equal(vq_rpmsg_parse_hdr(b, 15, &r), -1);
}

/* Chains as a driver lays them out, in hand-made memory. */
struct chainrig {
	struct fakemem m;
	struct vq_fetch f;
	struct vq_chain_desc d[4];
	struct vq_chain c;
};

static void rig_buf(struct chainrig *r, unsigned i, uint64_t addr, uint32_t len, int write)
{
	r->d[i].index = i;
	r->d[i].addr = addr;
	r->d[i].len = len;
	r->d[i].flags = (uint16_t)(write ? VRING_DESC_F_WRITE : 0);
	r->c.ndesc = i + 1;
	if (write)
		r->c.in_bytes += len;
	else
		r->c.out_bytes += len;
}

static void rig_init(struct chainrig *r)
{
	memset(r, 0, sizeof(*r));
	fake_init(&r->m, 0x10000, 0x4000);
	r->f = fake_fetch(&r->m);
	r->c.descs = r->d;
}

/* rpmsg: a transmit buffer (driver-readable) decodes pending; a receive
 * buffer (device-writable) only once used, with its header the remote
 * side wrote.  No QEMU device produces rpmsg: these bytes are made by hand. */
static void test_rpmsg_chain(void **state)
{
	struct chainrig r;
	struct vq_request q;

	(void)state;
	rig_init(&r);
	put32(&r.m, 0x10000, 0x400);
	put32(&r.m, 0x10004, 0x35);
	put16(&r.m, 0x1000c, 5);
	rig_buf(&r, 0, 0x10000, 512, 0);
	vq_payload_decode(&r.f, VIRTIO_ID_RPMSG, &r.c, 0, 0, &q);
	assert_int_equal(q.kind, VQ_REQ_RPMSG);
	assert_int_equal(q.final, 0);
	assert_int_equal(q.u.rpmsg.src, 0x400);
	assert_int_equal(q.u.rpmsg.dst, 0x35);
	assert_int_equal(q.u.rpmsg.len, 5);
	assert_int_equal(q.u.rpmsg.from_device, 0);
	r.d[0].flags = VRING_DESC_F_WRITE;
	vq_payload_decode(&r.f, VIRTIO_ID_RPMSG, &r.c, 0, 0, &q);
	assert_int_equal(q.kind, VQ_REQ_NONE);
	vq_payload_decode(&r.f, VIRTIO_ID_RPMSG, &r.c, 1, 21, &q);
	assert_int_equal(q.kind, VQ_REQ_RPMSG);
	assert_int_equal(q.final, 1);
	assert_int_equal(q.u.rpmsg.from_device, 1);
	/* Used, but the device wrote less than a header. */
	vq_payload_decode(&r.f, VIRTIO_ID_RPMSG, &r.c, 1, 15, &q);
	assert_int_equal(q.kind, VQ_REQ_NONE);
	fake_free(&r.m);
}

/* scsi: the response is read only from a used chain. */
static void test_scsi_chain(void **state)
{
	struct chainrig r;
	struct vq_request q;

	(void)state;
	rig_init(&r);
	r.m.buf[0] = 1;
	r.m.buf[1] = 1;
	r.m.buf[2] = 0x40;
	r.m.buf[3] = 2;
	r.m.buf[19] = 0x12;
	r.m.buf[0x100 + 11] = VIRTIO_SCSI_S_BAD_TARGET;
	rig_buf(&r, 0, 0x10000, VQ_SCSI_CMD_HDR, 0);
	rig_buf(&r, 1, 0x10100, 108, 1);
	rig_buf(&r, 2, 0x10200, 96, 1);
	vq_payload_decode(&r.f, VIRTIO_ID_SCSI, &r.c, 0, 0, &q);
	assert_int_equal(q.kind, VQ_REQ_SCSI);
	assert_int_equal(q.u.scsi.target, 1);
	assert_int_equal(q.u.scsi.lun, 2);
	assert_int_equal(q.u.scsi.opcode, 0x12);
	assert_int_equal(q.u.scsi.resp_read, 0);
	vq_payload_decode(&r.f, VIRTIO_ID_SCSI, &r.c, 1, 108, &q);
	assert_int_equal(q.u.scsi.resp_read, 1);
	assert_int_equal(q.u.scsi.response, VIRTIO_SCSI_S_BAD_TARGET);
	fake_free(&r.m);
}

/* input: the device's events only from used chains; the driver's status
 * events (readable) at any time.  balloon: 10-byte entries with plausible
 * tags, not an inflate queue's page numbers. */
static void test_input_balloon_chain(void **state)
{
	struct chainrig r;
	struct vq_request q;

	(void)state;
	rig_init(&r);
	put16(&r.m, 0x10000, EV_LED);
	put16(&r.m, 0x10002, 1);
	put32(&r.m, 0x10004, 1);
	rig_buf(&r, 0, 0x10000, 8, 1);
	vq_payload_decode(&r.f, VIRTIO_ID_INPUT, &r.c, 0, 0, &q);
	assert_int_equal(q.kind, VQ_REQ_NONE);
	vq_payload_decode(&r.f, VIRTIO_ID_INPUT, &r.c, 1, 8, &q);
	assert_int_equal(q.kind, VQ_REQ_INPUT);
	assert_int_equal(q.u.input.from_device, 1);
	r.d[0].flags = 0;
	vq_payload_decode(&r.f, VIRTIO_ID_INPUT, &r.c, 0, 0, &q);
	assert_int_equal(q.kind, VQ_REQ_INPUT);
	assert_int_equal(q.u.input.type, EV_LED);
	assert_int_equal(q.u.input.from_device, 0);

	put16(&r.m, 0x10000, VIRTIO_BALLOON_S_MEMTOT);
	put64(&r.m, 0x10002, 1ull << 28);
	put16(&r.m, 0x1000a, VIRTIO_BALLOON_S_AVAIL);
	put64(&r.m, 0x1000c, 1ull << 27);
	r.d[0].len = 20;
	vq_payload_decode(&r.f, VIRTIO_ID_BALLOON, &r.c, 0, 0, &q);
	assert_int_equal(q.kind, VQ_REQ_BALLOON);
	assert_int_equal(q.u.balloon.nread, 2);
	assert_int_equal(q.u.balloon.val[1], 1ull << 27);
	/* Page numbers: the second "tag" is 0x1234, no statistic. */
	put16(&r.m, 0x1000a, 0x1234);
	vq_payload_decode(&r.f, VIRTIO_ID_BALLOON, &r.c, 0, 0, &q);
	assert_int_equal(q.kind, VQ_REQ_NONE);
	fake_free(&r.m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blk_header),
		cmocka_unit_test(test_blk_names),
		cmocka_unit_test(test_net_header),
		cmocka_unit_test(test_vsock_header),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_scsi),
		cmocka_unit_test(test_fuse),
		cmocka_unit_test(test_9p),
		cmocka_unit_test(test_gpu),
		cmocka_unit_test(test_input_balloon),
		cmocka_unit_test(test_rpmsg_header),
		cmocka_unit_test(test_rpmsg_chain),
		cmocka_unit_test(test_scsi_chain),
		cmocka_unit_test(test_input_balloon_chain),
	};

	return cmocka_run_group_tests_name("payload", tests, NULL, NULL);
}
