/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Payload headers that chains point at: blk, net, vsock, console, scsi, fs (FUSE), 9p, gpu, input, balloon statistics, rpmsg. */
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
	VQ_REQ_SCSI,    /* struct virtio_scsi_cmd_req (+ cmd_resp when used) */
	VQ_REQ_FUSE,    /* struct fuse_in_header (+ fuse_out_header when used) */
	VQ_REQ_9P,      /* 9P message header size[4] type[1] tag[2] */
	VQ_REQ_GPU,     /* struct virtio_gpu_ctrl_hdr (+ the response's when used) */
	VQ_REQ_INPUT,   /* struct virtio_input_event */
	VQ_REQ_BALLOON, /* array of struct virtio_balloon_stat */
	VQ_REQ_RPMSG,   /* struct rpmsg_hdr (OpenAMP/remoteproc) */
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

/* virtio-scsi command (5.6.6.1); the response fields only when @final. */
struct vq_scsi_req {
	uint8_t lun_raw[8];   /* the 8-byte LUN field as stored */
	uint8_t target;       /* lun[1] */
	uint16_t lun;         /* (lun[2] << 8 | lun[3]) & 0x3fff */
	uint64_t tag;
	uint8_t task_attr;    /* VIRTIO_SCSI_S_SIMPLE... */
	uint8_t opcode;       /* cdb[0] */
	uint32_t sense_len;   /* response: sense bytes the device wrote */
	uint32_t resid;       /* response: residual byte count */
	uint8_t status;       /* response: SCSI status byte */
	uint8_t response;     /* response: VIRTIO_SCSI_S_* */
	uint8_t resp_read;    /* 1 when the response was read */
};

/* One FUSE request of virtio-fs (5.11.6); the reply only when @final. */
struct vq_fuse_req {
	uint32_t len;       /* fuse_in_header.len: bytes of the request */
	uint32_t opcode;    /* FUSE_* */
	uint64_t unique;    /* request ID */
	uint64_t nodeid;    /* inode the request is about */
	uint32_t uid, gid, pid;
	int32_t error;      /* reply: fuse_out_header.error (0 or -errno) */
	uint64_t out_unique; /* reply: fuse_out_header.unique */
	uint8_t reply_read;  /* 1 when the reply header was read */
};

/* A 9P message (virtio 9p transport): request and, when @final, reply. */
struct vq_9p_req {
	uint32_t size;       /* size[4]: the whole message */
	uint8_t type;        /* T-message type */
	uint16_t tag;
	uint8_t reply_type;  /* R-message type (Rlerror 7 for errors) */
	uint16_t reply_tag;
	uint8_t reply_read;  /* 1 when the reply header was read */
};

/* virtio-gpu control or cursor command (5.7.6.7). */
struct vq_gpu_req {
	uint32_t type;       /* VIRTIO_GPU_CMD_* */
	uint32_t flags;      /* VIRTIO_GPU_FLAG_* */
	uint64_t fence_id;
	uint32_t ctx_id;
	uint32_t reply_type; /* VIRTIO_GPU_RESP_* */
	uint8_t reply_read;  /* 1 when the response header was read */
};

/* virtio-input event (5.8.6): written by the device (eventq) or the driver (statusq). */
struct vq_input_req {
	uint16_t type;  /* EV_* */
	uint16_t code;  /* KEY_*, REL_*, ABS_*... */
	uint32_t value;
	uint8_t from_device; /* 1 when read from a device-writable buffer */
};

#define VQ_BALLOON_STATS_MAX 12
/* The most bytes any decoder reads in one fetch (the balloon's statistics). */
#define VQ_PAYLOAD_MAX_READ (VQ_BALLOON_STATS_MAX * 10)

/* Memory statistics the balloon driver hands over (5.5.6.3). */
struct vq_balloon_req {
	uint32_t count; /* entries in the buffer */
	uint8_t nread;  /* of them decoded into @tag/@val */
	uint16_t tag[VQ_BALLOON_STATS_MAX]; /* VIRTIO_BALLOON_S_* */
	uint64_t val[VQ_BALLOON_STATS_MAX];
};

/* rpmsg message header (Linux drivers/rpmsg, OpenAMP), 16 bytes. */
struct vq_rpmsg_req {
	uint32_t src, dst; /* endpoint addresses */
	uint32_t reserved;
	uint16_t len;      /* payload bytes after the header */
	uint16_t flags;
	uint8_t from_device; /* 1 when read from a device-writable buffer */
};

struct vq_request {
	enum vq_req_kind kind;
	uint8_t final; /* 1: read from a used entry, device-written parts are its answer */
	union {
		struct vq_blk_req blk;
		struct vq_net_req net;
		struct vq_vsock_req vsock;
		struct vq_console_req console;
		struct vq_scsi_req scsi;
		struct vq_fuse_req fuse;
		struct vq_9p_req p9;
		struct vq_gpu_req gpu;
		struct vq_input_req input;
		struct vq_balloon_req balloon;
		struct vq_rpmsg_req rpmsg;
	} u;
};

/* Parsers of header bytes, as laid out by the spec (little-endian). */
int vq_blk_parse_hdr(const uint8_t *b, size_t len, struct vq_blk_req *out);
int vq_net_parse_hdr(const uint8_t *b, size_t len, struct vq_net_req *out);
int vq_vsock_parse_hdr(const uint8_t *b, size_t len, struct vq_vsock_req *out);
/* Sizes of the headers below. */
#define VQ_SCSI_CMD_HDR 51  /* cmd_req with the default 32-byte CDB */
#define VQ_SCSI_RESP_HDR 12 /* cmd_resp up to the response byte */
#define VQ_FUSE_IN_HDR 40
#define VQ_FUSE_OUT_HDR 16
#define VQ_9P_HDR 7
#define VQ_GPU_HDR 24
#define VQ_INPUT_EVENT 8
#define VQ_BALLOON_STAT 10
#define VQ_RPMSG_HDR 16
/* Request parsers: -1 (and *@out zeroed) when @len is short. */
int vq_scsi_parse_cmd(const uint8_t *b, size_t len, struct vq_scsi_req *out);
int vq_scsi_parse_resp(const uint8_t *b, size_t len, struct vq_scsi_req *out);
int vq_fuse_parse_in(const uint8_t *b, size_t len, struct vq_fuse_req *out);
int vq_fuse_parse_out(const uint8_t *b, size_t len, struct vq_fuse_req *out);
int vq_9p_parse(const uint8_t *b, size_t len, struct vq_9p_req *out);
int vq_9p_parse_reply(const uint8_t *b, size_t len, struct vq_9p_req *out);
int vq_gpu_parse_hdr(const uint8_t *b, size_t len, struct vq_gpu_req *out);
int vq_gpu_parse_reply(const uint8_t *b, size_t len, struct vq_gpu_req *out);
int vq_input_parse(const uint8_t *b, size_t len, struct vq_input_req *out);
/* @count entries are in the buffer; @b holds the first @len bytes of it. */
int vq_balloon_parse_stats(const uint8_t *b, size_t len, uint32_t count,
			   struct vq_balloon_req *out);
int vq_rpmsg_parse_hdr(const uint8_t *b, size_t len, struct vq_rpmsg_req *out);

/* Names; NULL when the spec has none for the value. */
const char *vq_blk_type_name(uint32_t type);
const char *vq_blk_status_name(uint8_t status);
const char *vq_net_gso_name(uint8_t gso_type);
const char *vq_net_flag_name(unsigned bit);
const char *vq_vsock_op_name(uint16_t op);
const char *vq_vsock_type_name(uint16_t type);
const char *vq_scsi_opcode_name(uint8_t opcode);
const char *vq_scsi_response_name(uint8_t response);
const char *vq_scsi_status_name(uint8_t status);
const char *vq_fuse_opcode_name(uint32_t opcode);
const char *vq_9p_type_name(uint8_t type);
const char *vq_gpu_type_name(uint32_t type);
const char *vq_input_type_name(uint16_t type);
const char *vq_balloon_stat_name(uint16_t tag);

/* Map a device-type name given by the user ("blk", "net", "vsock",
 * "console", "scsi", "fs", "9p", "gpu", "input", "balloon", "rpmsg") to
 * its device ID; 0 when unknown. */
uint32_t vq_payload_type_id(const char *name);

/* The names vq_payload_type_id() knows, comma-separated, for messages. */
extern const char vq_payload_type_names[];

struct vq_fetch;
struct vq_chain;

/*
 * Decode the payload of chain @c of a device of type @device_id (0: guess
 * from the chain's shape) into @out.  @final says the chain came back in
 * a used entry with @used_len bytes written: only then are the parts the
 * device writes (statuses, replies, events) read.  Reads guest memory
 * only through @f; kind VQ_REQ_NONE when nothing fits.
 */
void vq_payload_decode(const struct vq_fetch *f, uint32_t device_id, const struct vq_chain *c,
		       int final, uint32_t used_len, struct vq_request *out);

#endif
