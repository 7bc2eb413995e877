/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Payload headers that chains point at: blk requests, net headers, vsock packets, console bytes. */
#ifndef VQDUMP_DECODE_PAYLOAD_H
#define VQDUMP_DECODE_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

enum vq_req_kind {
	VQ_REQ_NONE,    /* nothing decoded */
	VQ_REQ_BLK,     /* struct virtio_blk_outhdr + data + status byte */
	VQ_REQ_NET,     /* struct virtio_net_hdr(_v1) ahead of a packet */
	VQ_REQ_VSOCK,   /* struct virtio_vsock_hdr */
	VQ_REQ_CONSOLE, /* raw bytes */
};

struct vq_blk_req {
	uint32_t type;     /* VIRTIO_BLK_T_* */
	uint32_t ioprio;   /* reserved/ioprio field */
	uint64_t sector;   /* 512-byte sector */
	uint64_t data_len; /* bytes between header and status */
	uint8_t status;    /* status byte as it stands in memory */
	uint8_t status_read; /* 1 when the status byte could be read */
};

struct vq_net_req {
	uint8_t flags;        /* VIRTIO_NET_HDR_F_* */
	uint8_t gso_type;     /* VIRTIO_NET_HDR_GSO_* (| ECN) */
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers; /* only in the 12-byte header */
	uint8_t hdr_size;     /* 10 or 12 */
	uint64_t packet_len;  /* readable bytes after the header */
};

struct vq_vsock_req {
	uint64_t src_cid, dst_cid;
	uint32_t src_port, dst_port;
	uint32_t len;       /* payload bytes */
	uint16_t type;      /* VIRTIO_VSOCK_TYPE_* */
	uint16_t op;        /* VIRTIO_VSOCK_OP_* */
	uint32_t flags;
	uint32_t buf_alloc;
	uint32_t fwd_cnt;
};

#define VQ_CONSOLE_PEEK 64

struct vq_console_req {
	uint32_t len;                   /* bytes in the first buffer */
	uint8_t bytes[VQ_CONSOLE_PEEK]; /* its first bytes */
	uint8_t nbytes;                 /* how many of them were read */
};

struct vq_request {
	enum vq_req_kind kind;
	union {
		struct vq_blk_req blk;
		struct vq_net_req net;
		struct vq_vsock_req vsock;
		struct vq_console_req console;
	} u;
};

/* Parsers of header bytes, as laid out by the spec (little-endian). */
int vq_blk_parse_hdr(const uint8_t *b, size_t len, struct vq_blk_req *out);
int vq_net_parse_hdr(const uint8_t *b, size_t len, struct vq_net_req *out);
int vq_vsock_parse_hdr(const uint8_t *b, size_t len, struct vq_vsock_req *out);

/* Names; NULL when the spec has none for the value. */
const char *vq_blk_type_name(uint32_t type);
const char *vq_blk_status_name(uint8_t status);
const char *vq_net_gso_name(uint8_t gso_type);
const char *vq_net_flag_name(unsigned bit);
const char *vq_vsock_op_name(uint16_t op);
const char *vq_vsock_type_name(uint16_t type);

/* Map a device-type name given by the user ("blk", "net", "vsock",
 * "console") to its device ID; 0 when unknown. */
uint32_t vq_payload_type_id(const char *name);

#endif
