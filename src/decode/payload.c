/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Payload header parsers and names for blk, net and vsock (virtio 1.3 sections 5.1, 5.2, 5.10). */
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_vsock.h>
#include <string.h>

#include "le.h"
#include "payload.h"

/* Request types the UAPI header of older kernels lacks (5.2.6). */
#ifndef VIRTIO_BLK_T_GET_LIFETIME
#define VIRTIO_BLK_T_GET_LIFETIME 10
#endif
#ifndef VIRTIO_BLK_T_SECURE_ERASE
#define VIRTIO_BLK_T_SECURE_ERASE 14
#endif
#ifndef VIRTIO_BLK_T_ZONE_APPEND
#define VIRTIO_BLK_T_ZONE_APPEND 15
#define VIRTIO_BLK_T_ZONE_REPORT 16
#define VIRTIO_BLK_T_ZONE_OPEN 18
#define VIRTIO_BLK_T_ZONE_CLOSE 20
#define VIRTIO_BLK_T_ZONE_FINISH 22
#define VIRTIO_BLK_T_ZONE_RESET 24
#define VIRTIO_BLK_T_ZONE_RESET_ALL 26
#endif
#ifndef VIRTIO_BLK_S_ZONE_INVALID_CMD
#define VIRTIO_BLK_S_ZONE_INVALID_CMD 3
#define VIRTIO_BLK_S_ZONE_UNALIGNED_WP 4
#define VIRTIO_BLK_S_ZONE_OPEN_RESOURCE 5
#define VIRTIO_BLK_S_ZONE_ACTIVE_RESOURCE 6
#endif
/* 5.1.6: header flag and GSO type values. */
#ifndef VIRTIO_NET_HDR_F_RSC_INFO
#define VIRTIO_NET_HDR_F_RSC_INFO 4
#endif
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

static const char *const blk_types[] = {
	[VIRTIO_BLK_T_IN] = "IN",
	[VIRTIO_BLK_T_OUT] = "OUT",
	[VIRTIO_BLK_T_SCSI_CMD] = "SCSI_CMD", /* legacy only (5.2.6.4) */
	[VIRTIO_BLK_T_FLUSH] = "FLUSH",
	[VIRTIO_BLK_T_GET_ID] = "GET_ID",
	[VIRTIO_BLK_T_GET_LIFETIME] = "GET_LIFETIME",
	[VIRTIO_BLK_T_DISCARD] = "DISCARD",
	[VIRTIO_BLK_T_WRITE_ZEROES] = "WRITE_ZEROES",
	[VIRTIO_BLK_T_SECURE_ERASE] = "SECURE_ERASE",
	[VIRTIO_BLK_T_ZONE_APPEND] = "ZONE_APPEND",
	[VIRTIO_BLK_T_ZONE_REPORT] = "ZONE_REPORT",
	[VIRTIO_BLK_T_ZONE_OPEN] = "ZONE_OPEN",
	[VIRTIO_BLK_T_ZONE_CLOSE] = "ZONE_CLOSE",
	[VIRTIO_BLK_T_ZONE_FINISH] = "ZONE_FINISH",
	[VIRTIO_BLK_T_ZONE_RESET] = "ZONE_RESET",
	[VIRTIO_BLK_T_ZONE_RESET_ALL] = "ZONE_RESET_ALL",
};

static const char *const blk_status[] = {
	[VIRTIO_BLK_S_OK] = "OK",
	[VIRTIO_BLK_S_IOERR] = "IOERR",
	[VIRTIO_BLK_S_UNSUPP] = "UNSUPP",
	[VIRTIO_BLK_S_ZONE_INVALID_CMD] = "ZONE_INVALID_CMD",
	[VIRTIO_BLK_S_ZONE_UNALIGNED_WP] = "ZONE_UNALIGNED_WP",
	[VIRTIO_BLK_S_ZONE_OPEN_RESOURCE] = "ZONE_OPEN_RESOURCE",
	[VIRTIO_BLK_S_ZONE_ACTIVE_RESOURCE] = "ZONE_ACTIVE_RESOURCE",
};

static const char *const net_gso[] = {
	[VIRTIO_NET_HDR_GSO_NONE] = "NONE",
	[VIRTIO_NET_HDR_GSO_TCPV4] = "TCPV4",
	[VIRTIO_NET_HDR_GSO_UDP] = "UDP",
	[VIRTIO_NET_HDR_GSO_TCPV6] = "TCPV6",
	[VIRTIO_NET_HDR_GSO_UDP_L4] = "UDP_L4",
};

static const char *const net_flags[] = {
	[0] = "NEEDS_CSUM", /* VIRTIO_NET_HDR_F_NEEDS_CSUM */
	[1] = "DATA_VALID", /* VIRTIO_NET_HDR_F_DATA_VALID */
	[2] = "RSC_INFO",   /* VIRTIO_NET_HDR_F_RSC_INFO */
};

static const char *const vsock_ops[] = {
	[VIRTIO_VSOCK_OP_INVALID] = "INVALID",
	[VIRTIO_VSOCK_OP_REQUEST] = "REQUEST",
	[VIRTIO_VSOCK_OP_RESPONSE] = "RESPONSE",
	[VIRTIO_VSOCK_OP_RST] = "RST",
	[VIRTIO_VSOCK_OP_SHUTDOWN] = "SHUTDOWN",
	[VIRTIO_VSOCK_OP_RW] = "RW",
	[VIRTIO_VSOCK_OP_CREDIT_UPDATE] = "CREDIT_UPDATE",
	[VIRTIO_VSOCK_OP_CREDIT_REQUEST] = "CREDIT_REQUEST",
};

static const char *const vsock_types[] = {
	[1] = "STREAM",    /* VIRTIO_VSOCK_TYPE_STREAM */
	[2] = "SEQPACKET", /* VIRTIO_VSOCK_TYPE_SEQPACKET (5.10.6) */
};

#define LOOKUP(table, v) ((size_t)(v) < sizeof(table) / sizeof((table)[0]) ? (table)[v] : NULL)

const char *vq_blk_type_name(uint32_t type)
{
	return LOOKUP(blk_types, type);
}

const char *vq_blk_status_name(uint8_t status)
{
	return LOOKUP(blk_status, status);
}

const char *vq_net_gso_name(uint8_t gso_type)
{
	/* The ECN bit (0x80) qualifies a type; name the type underneath. */
	return LOOKUP(net_gso, gso_type & ~VIRTIO_NET_HDR_GSO_ECN);
}

const char *vq_net_flag_name(unsigned bit)
{
	return LOOKUP(net_flags, bit);
}

const char *vq_vsock_op_name(uint16_t op)
{
	return LOOKUP(vsock_ops, op);
}

const char *vq_vsock_type_name(uint16_t type)
{
	return LOOKUP(vsock_types, type);
}

/* struct virtio_blk_outhdr: le32 type, le32 ioprio, le64 sector. */
int vq_blk_parse_hdr(const uint8_t *b, size_t len, struct vq_blk_req *out)
{
	memset(out, 0, sizeof(*out));
	if (len < 16)
		return -1;
	out->type = le32(b);
	out->ioprio = le32(b + 4);
	out->sector = le64(b + 8);
	return 0;
}

/* struct virtio_net_hdr: u8 flags, u8 gso_type, le16 hdr_len, gso_size,
 * csum_start, csum_offset, then le16 num_buffers in the 12-byte form. */
int vq_net_parse_hdr(const uint8_t *b, size_t len, struct vq_net_req *out)
{
	memset(out, 0, sizeof(*out));
	if (len < 10)
		return -1;
	out->flags = b[0];
	out->gso_type = b[1];
	out->hdr_len = le16(b + 2);
	out->gso_size = le16(b + 4);
	out->csum_start = le16(b + 6);
	out->csum_offset = le16(b + 8);
	out->hdr_size = 10;
	if (len >= 12) {
		out->num_buffers = le16(b + 10);
		out->hdr_size = 12;
	}
	return 0;
}

/* struct virtio_vsock_hdr (5.10.6), packed, 44 bytes. */
int vq_vsock_parse_hdr(const uint8_t *b, size_t len, struct vq_vsock_req *out)
{
	memset(out, 0, sizeof(*out));
	if (len < 44)
		return -1;
	out->src_cid = le64(b);
	out->dst_cid = le64(b + 8);
	out->src_port = le32(b + 16);
	out->dst_port = le32(b + 20);
	out->len = le32(b + 24);
	out->type = le16(b + 28);
	out->op = le16(b + 30);
	out->flags = le32(b + 32);
	out->buf_alloc = le32(b + 36);
	out->fwd_cnt = le32(b + 40);
	return 0;
}

uint32_t vq_payload_type_id(const char *name)
{
	static const struct {
		const char *name;
		uint32_t id;
	} map[] = {
		{ "blk", VIRTIO_ID_BLOCK },
		{ "net", VIRTIO_ID_NET },
		{ "vsock", VIRTIO_ID_VSOCK },
		{ "console", VIRTIO_ID_CONSOLE },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].name, name))
			return map[i].id;
	return 0;
}
