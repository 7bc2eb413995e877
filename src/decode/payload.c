/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Payload header parsers and names: blk, net, vsock, console, scsi, fs, 9p, gpu, input, balloon, rpmsg (virtio 1.3 chapter 5). */
#include <linux/fuse.h>
#include <linux/input-event-codes.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_gpu.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_scsi.h>
#include <linux/virtio_vsock.h>
#include <string.h>

#include "le.h"
#include "payload.h"
#include "ring.h"

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

const char vq_payload_type_names[] = "blk, net, vsock, console, scsi, fs, 9p, gpu, input, balloon, rpmsg";

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
		{ "scsi", VIRTIO_ID_SCSI },
		{ "fs", VIRTIO_ID_FS },
		{ "9p", VIRTIO_ID_9P },
		{ "gpu", VIRTIO_ID_GPU },
		{ "input", VIRTIO_ID_INPUT },
		{ "balloon", VIRTIO_ID_BALLOON },
		{ "rpmsg", VIRTIO_ID_RPMSG },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].name, name))
			return map[i].id;
	return 0;
}

/* SCSI operation codes (SPC-4, SBC-3, MMC-6): the commands Linux's sd, sr
 * and sg send most. */
static const char *const scsi_opcodes[256] = {
	[0x00] = "TEST_UNIT_READY",
	[0x03] = "REQUEST_SENSE",
	[0x04] = "FORMAT_UNIT",
	[0x08] = "READ_6",
	[0x0a] = "WRITE_6",
	[0x12] = "INQUIRY",
	[0x15] = "MODE_SELECT_6",
	[0x1a] = "MODE_SENSE_6",
	[0x1b] = "START_STOP_UNIT",
	[0x1d] = "SEND_DIAGNOSTIC",
	[0x1e] = "PREVENT_ALLOW_MEDIUM_REMOVAL",
	[0x25] = "READ_CAPACITY_10",
	[0x28] = "READ_10",
	[0x2a] = "WRITE_10",
	[0x2b] = "SEEK_10",
	[0x2e] = "WRITE_AND_VERIFY_10",
	[0x2f] = "VERIFY_10",
	[0x35] = "SYNCHRONIZE_CACHE_10",
	[0x3b] = "WRITE_BUFFER",
	[0x3c] = "READ_BUFFER",
	[0x41] = "WRITE_SAME_10",
	[0x42] = "UNMAP",
	[0x43] = "READ_TOC",
	[0x46] = "GET_CONFIGURATION",
	[0x4a] = "GET_EVENT_STATUS_NOTIFICATION",
	[0x4d] = "LOG_SENSE",
	[0x51] = "READ_DISC_INFORMATION",
	[0x55] = "MODE_SELECT_10",
	[0x5a] = "MODE_SENSE_10",
	[0x5e] = "PERSISTENT_RESERVE_IN",
	[0x5f] = "PERSISTENT_RESERVE_OUT",
	[0x7f] = "VARIABLE_LENGTH",
	[0x85] = "ATA_PASS_THROUGH_16",
	[0x88] = "READ_16",
	[0x89] = "COMPARE_AND_WRITE",
	[0x8a] = "WRITE_16",
	[0x8f] = "VERIFY_16",
	[0x91] = "SYNCHRONIZE_CACHE_16",
	[0x93] = "WRITE_SAME_16",
	[0x9e] = "SERVICE_ACTION_IN_16",
	[0xa0] = "REPORT_LUNS",
	[0xa1] = "ATA_PASS_THROUGH_12",
	[0xa3] = "MAINTENANCE_IN",
	[0xa8] = "READ_12",
	[0xaa] = "WRITE_12",
	[0xbd] = "MECHANISM_STATUS",
};

/* 5.6.6.1: response values of a command request. */
static const char *const scsi_responses[] = {
	[VIRTIO_SCSI_S_OK] = "OK",
	[VIRTIO_SCSI_S_OVERRUN] = "OVERRUN",
	[VIRTIO_SCSI_S_ABORTED] = "ABORTED",
	[VIRTIO_SCSI_S_BAD_TARGET] = "BAD_TARGET",
	[VIRTIO_SCSI_S_RESET] = "RESET",
	[VIRTIO_SCSI_S_BUSY] = "BUSY",
	[VIRTIO_SCSI_S_TRANSPORT_FAILURE] = "TRANSPORT_FAILURE",
	[VIRTIO_SCSI_S_TARGET_FAILURE] = "TARGET_FAILURE",
	[VIRTIO_SCSI_S_NEXUS_FAILURE] = "NEXUS_FAILURE",
	[VIRTIO_SCSI_S_FAILURE] = "FAILURE",
	[VIRTIO_SCSI_S_FUNCTION_SUCCEEDED] = "FUNCTION_SUCCEEDED",
	[VIRTIO_SCSI_S_FUNCTION_REJECTED] = "FUNCTION_REJECTED",
	[VIRTIO_SCSI_S_INCORRECT_LUN] = "INCORRECT_LUN",
};

/* SCSI status byte (SAM-5, 5.3). */
static const char *const scsi_statuses[] = {
	[0x00] = "GOOD",
	[0x02] = "CHECK_CONDITION",
	[0x04] = "CONDITION_MET",
	[0x08] = "BUSY",
	[0x18] = "RESERVATION_CONFLICT",
	[0x28] = "TASK_SET_FULL",
	[0x30] = "ACA_ACTIVE",
	[0x40] = "TASK_ABORTED",
};

static const char *const fuse_opcodes[] = {
	[FUSE_LOOKUP] = "LOOKUP",
	[FUSE_FORGET] = "FORGET",
	[FUSE_GETATTR] = "GETATTR",
	[FUSE_SETATTR] = "SETATTR",
	[FUSE_READLINK] = "READLINK",
	[FUSE_SYMLINK] = "SYMLINK",
	[FUSE_MKNOD] = "MKNOD",
	[FUSE_MKDIR] = "MKDIR",
	[FUSE_UNLINK] = "UNLINK",
	[FUSE_RMDIR] = "RMDIR",
	[FUSE_RENAME] = "RENAME",
	[FUSE_LINK] = "LINK",
	[FUSE_OPEN] = "OPEN",
	[FUSE_READ] = "READ",
	[FUSE_WRITE] = "WRITE",
	[FUSE_STATFS] = "STATFS",
	[FUSE_RELEASE] = "RELEASE",
	[FUSE_FSYNC] = "FSYNC",
	[FUSE_SETXATTR] = "SETXATTR",
	[FUSE_GETXATTR] = "GETXATTR",
	[FUSE_LISTXATTR] = "LISTXATTR",
	[FUSE_REMOVEXATTR] = "REMOVEXATTR",
	[FUSE_FLUSH] = "FLUSH",
	[FUSE_INIT] = "INIT",
	[FUSE_OPENDIR] = "OPENDIR",
	[FUSE_READDIR] = "READDIR",
	[FUSE_RELEASEDIR] = "RELEASEDIR",
	[FUSE_FSYNCDIR] = "FSYNCDIR",
	[FUSE_GETLK] = "GETLK",
	[FUSE_SETLK] = "SETLK",
	[FUSE_SETLKW] = "SETLKW",
	[FUSE_ACCESS] = "ACCESS",
	[FUSE_CREATE] = "CREATE",
	[FUSE_INTERRUPT] = "INTERRUPT",
	[FUSE_BMAP] = "BMAP",
	[FUSE_DESTROY] = "DESTROY",
	[FUSE_IOCTL] = "IOCTL",
	[FUSE_POLL] = "POLL",
	[FUSE_NOTIFY_REPLY] = "NOTIFY_REPLY",
	[FUSE_BATCH_FORGET] = "BATCH_FORGET",
	[FUSE_FALLOCATE] = "FALLOCATE",
	[FUSE_READDIRPLUS] = "READDIRPLUS",
	[FUSE_RENAME2] = "RENAME2",
	[FUSE_LSEEK] = "LSEEK",
	[FUSE_COPY_FILE_RANGE] = "COPY_FILE_RANGE",
	[FUSE_SETUPMAPPING] = "SETUPMAPPING",
	[FUSE_REMOVEMAPPING] = "REMOVEMAPPING",
	[FUSE_SYNCFS] = "SYNCFS",
	[FUSE_TMPFILE] = "TMPFILE",
};

/* 9P2000, 9P2000.u and 9P2000.L message types (T-messages even, the
 * R-message one above).  No UAPI header has them. */
static const char *const p9_types[256] = {
	[6] = "Tlerror", [7] = "Rlerror",
	[8] = "Tstatfs", [9] = "Rstatfs",
	[12] = "Tlopen", [13] = "Rlopen",
	[14] = "Tlcreate", [15] = "Rlcreate",
	[16] = "Tsymlink", [17] = "Rsymlink",
	[18] = "Tmknod", [19] = "Rmknod",
	[20] = "Trename", [21] = "Rrename",
	[22] = "Treadlink", [23] = "Rreadlink",
	[24] = "Tgetattr", [25] = "Rgetattr",
	[26] = "Tsetattr", [27] = "Rsetattr",
	[30] = "Txattrwalk", [31] = "Rxattrwalk",
	[32] = "Txattrcreate", [33] = "Rxattrcreate",
	[40] = "Treaddir", [41] = "Rreaddir",
	[50] = "Tfsync", [51] = "Rfsync",
	[52] = "Tlock", [53] = "Rlock",
	[54] = "Tgetlock", [55] = "Rgetlock",
	[70] = "Tlink", [71] = "Rlink",
	[72] = "Tmkdir", [73] = "Rmkdir",
	[74] = "Trenameat", [75] = "Rrenameat",
	[76] = "Tunlinkat", [77] = "Runlinkat",
	[100] = "Tversion", [101] = "Rversion",
	[102] = "Tauth", [103] = "Rauth",
	[104] = "Tattach", [105] = "Rattach",
	[106] = "Terror", [107] = "Rerror",
	[108] = "Tflush", [109] = "Rflush",
	[110] = "Twalk", [111] = "Rwalk",
	[112] = "Topen", [113] = "Ropen",
	[114] = "Tcreate", [115] = "Rcreate",
	[116] = "Tread", [117] = "Rread",
	[118] = "Twrite", [119] = "Rwrite",
	[120] = "Tclunk", [121] = "Rclunk",
	[122] = "Tremove", [123] = "Rremove",
	[124] = "Tstat", [125] = "Rstat",
	[126] = "Twstat", [127] = "Rwstat",
};

/* 5.7.6.7: command and response types, by range. */
static const char *const gpu_cmds_2d[] = {
	[VIRTIO_GPU_CMD_GET_DISPLAY_INFO - 0x100] = "GET_DISPLAY_INFO",
	[VIRTIO_GPU_CMD_RESOURCE_CREATE_2D - 0x100] = "RESOURCE_CREATE_2D",
	[VIRTIO_GPU_CMD_RESOURCE_UNREF - 0x100] = "RESOURCE_UNREF",
	[VIRTIO_GPU_CMD_SET_SCANOUT - 0x100] = "SET_SCANOUT",
	[VIRTIO_GPU_CMD_RESOURCE_FLUSH - 0x100] = "RESOURCE_FLUSH",
	[VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D - 0x100] = "TRANSFER_TO_HOST_2D",
	[VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING - 0x100] = "RESOURCE_ATTACH_BACKING",
	[VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING - 0x100] = "RESOURCE_DETACH_BACKING",
	[VIRTIO_GPU_CMD_GET_CAPSET_INFO - 0x100] = "GET_CAPSET_INFO",
	[VIRTIO_GPU_CMD_GET_CAPSET - 0x100] = "GET_CAPSET",
	[VIRTIO_GPU_CMD_GET_EDID - 0x100] = "GET_EDID",
	[VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID - 0x100] = "RESOURCE_ASSIGN_UUID",
	[VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB - 0x100] = "RESOURCE_CREATE_BLOB",
	[VIRTIO_GPU_CMD_SET_SCANOUT_BLOB - 0x100] = "SET_SCANOUT_BLOB",
};

static const char *const gpu_cmds_3d[] = {
	[VIRTIO_GPU_CMD_CTX_CREATE - 0x200] = "CTX_CREATE",
	[VIRTIO_GPU_CMD_CTX_DESTROY - 0x200] = "CTX_DESTROY",
	[VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE - 0x200] = "CTX_ATTACH_RESOURCE",
	[VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE - 0x200] = "CTX_DETACH_RESOURCE",
	[VIRTIO_GPU_CMD_RESOURCE_CREATE_3D - 0x200] = "RESOURCE_CREATE_3D",
	[VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D - 0x200] = "TRANSFER_TO_HOST_3D",
	[VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D - 0x200] = "TRANSFER_FROM_HOST_3D",
	[VIRTIO_GPU_CMD_SUBMIT_3D - 0x200] = "SUBMIT_3D",
	[VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB - 0x200] = "RESOURCE_MAP_BLOB",
	[VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB - 0x200] = "RESOURCE_UNMAP_BLOB",
};

static const char *const gpu_cursor[] = {
	[VIRTIO_GPU_CMD_UPDATE_CURSOR - 0x300] = "UPDATE_CURSOR",
	[VIRTIO_GPU_CMD_MOVE_CURSOR - 0x300] = "MOVE_CURSOR",
};

static const char *const gpu_ok[] = {
	[VIRTIO_GPU_RESP_OK_NODATA - 0x1100] = "OK_NODATA",
	[VIRTIO_GPU_RESP_OK_DISPLAY_INFO - 0x1100] = "OK_DISPLAY_INFO",
	[VIRTIO_GPU_RESP_OK_CAPSET_INFO - 0x1100] = "OK_CAPSET_INFO",
	[VIRTIO_GPU_RESP_OK_CAPSET - 0x1100] = "OK_CAPSET",
	[VIRTIO_GPU_RESP_OK_EDID - 0x1100] = "OK_EDID",
	[VIRTIO_GPU_RESP_OK_RESOURCE_UUID - 0x1100] = "OK_RESOURCE_UUID",
	[VIRTIO_GPU_RESP_OK_MAP_INFO - 0x1100] = "OK_MAP_INFO",
};

static const char *const gpu_err[] = {
	[VIRTIO_GPU_RESP_ERR_UNSPEC - 0x1200] = "ERR_UNSPEC",
	[VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY - 0x1200] = "ERR_OUT_OF_MEMORY",
	[VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID - 0x1200] = "ERR_INVALID_SCANOUT_ID",
	[VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID - 0x1200] = "ERR_INVALID_RESOURCE_ID",
	[VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID - 0x1200] = "ERR_INVALID_CONTEXT_ID",
	[VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER - 0x1200] = "ERR_INVALID_PARAMETER",
};

/* Linux input event types (5.8.6 uses them). */
static const char *const input_types[] = {
	[EV_SYN] = "EV_SYN",
	[EV_KEY] = "EV_KEY",
	[EV_REL] = "EV_REL",
	[EV_ABS] = "EV_ABS",
	[EV_MSC] = "EV_MSC",
	[EV_SW] = "EV_SW",
	[EV_LED] = "EV_LED",
	[EV_SND] = "EV_SND",
	[EV_REP] = "EV_REP",
	[EV_FF] = "EV_FF",
	[EV_PWR] = "EV_PWR",
	[EV_FF_STATUS] = "EV_FF_STATUS",
};

/* 5.5.6.3: statistic tags. */
static const char *const balloon_tags[] = {
	[VIRTIO_BALLOON_S_SWAP_IN] = "SWAP_IN",
	[VIRTIO_BALLOON_S_SWAP_OUT] = "SWAP_OUT",
	[VIRTIO_BALLOON_S_MAJFLT] = "MAJFLT",
	[VIRTIO_BALLOON_S_MINFLT] = "MINFLT",
	[VIRTIO_BALLOON_S_MEMFREE] = "MEMFREE",
	[VIRTIO_BALLOON_S_MEMTOT] = "MEMTOT",
	[VIRTIO_BALLOON_S_AVAIL] = "AVAIL",
	[VIRTIO_BALLOON_S_CACHES] = "CACHES",
	[VIRTIO_BALLOON_S_HTLB_PGALLOC] = "HTLB_PGALLOC",
	[VIRTIO_BALLOON_S_HTLB_PGFAIL] = "HTLB_PGFAIL",
};

const char *vq_scsi_opcode_name(uint8_t opcode)
{
	return scsi_opcodes[opcode];
}

const char *vq_scsi_response_name(uint8_t response)
{
	return LOOKUP(scsi_responses, response);
}

const char *vq_scsi_status_name(uint8_t status)
{
	return LOOKUP(scsi_statuses, status);
}

const char *vq_fuse_opcode_name(uint32_t opcode)
{
	return LOOKUP(fuse_opcodes, opcode);
}

const char *vq_9p_type_name(uint8_t type)
{
	return p9_types[type];
}

const char *vq_gpu_type_name(uint32_t type)
{
	switch (type >> 8) {
	case 0x01:
		return LOOKUP(gpu_cmds_2d, type - 0x100);
	case 0x02:
		return LOOKUP(gpu_cmds_3d, type - 0x200);
	case 0x03:
		return LOOKUP(gpu_cursor, type - 0x300);
	case 0x11:
		return LOOKUP(gpu_ok, type - 0x1100);
	case 0x12:
		return LOOKUP(gpu_err, type - 0x1200);
	}
	return NULL;
}

const char *vq_input_type_name(uint16_t type)
{
	return LOOKUP(input_types, type);
}

const char *vq_balloon_stat_name(uint16_t tag)
{
	return LOOKUP(balloon_tags, tag);
}

/* struct virtio_scsi_cmd_req (5.6.6.1): u8 lun[8], le64 tag, u8 task_attr,
 * prio, crn, cdb[].  The LUN field's flat form: lun[0] 1, lun[1] the
 * target, lun[2..3] 0x4000 | LUN. */
int vq_scsi_parse_cmd(const uint8_t *b, size_t len, struct vq_scsi_req *out)
{
	memset(out, 0, sizeof(*out));
	if (len < 20)
		return -1;
	memcpy(out->lun_raw, b, 8);
	out->target = b[1];
	out->lun = (uint16_t)(((unsigned)b[2] << 8 | b[3]) & 0x3fff);
	out->tag = le64(b + 8);
	out->task_attr = b[16];
	out->opcode = b[19];
	return 0;
}

/* struct virtio_scsi_cmd_resp: le32 sense_len, le32 resid, le16
 * status_qualifier, u8 status, u8 response, sense[]. */
int vq_scsi_parse_resp(const uint8_t *b, size_t len, struct vq_scsi_req *out)
{
	if (len < VQ_SCSI_RESP_HDR)
		return -1;
	out->sense_len = le32(b);
	out->resid = le32(b + 4);
	out->status = b[10];
	out->response = b[11];
	out->resp_read = 1;
	return 0;
}

/* struct fuse_in_header: le32 len, opcode; le64 unique, nodeid; le32 uid,
 * gid, pid; le16 total_extlen, padding (virtio-fs is little-endian, 5.11.6);
 * -1 also when len is below the header's own 40 bytes. */
int vq_fuse_parse_in(const uint8_t *b, size_t len, struct vq_fuse_req *out)
{
	memset(out, 0, sizeof(*out));
	/* len counts the header itself: below 40 it is no FUSE request. */
	if (len < VQ_FUSE_IN_HDR || le32(b) < VQ_FUSE_IN_HDR)
		return -1;
	out->len = le32(b);
	out->opcode = le32(b + 4);
	out->unique = le64(b + 8);
	out->nodeid = le64(b + 16);
	out->uid = le32(b + 24);
	out->gid = le32(b + 28);
	out->pid = le32(b + 32);
	return 0;
}

/* struct fuse_out_header: le32 len, le32 error, le64 unique. */
int vq_fuse_parse_out(const uint8_t *b, size_t len, struct vq_fuse_req *out)
{
	if (len < VQ_FUSE_OUT_HDR)
		return -1;
	out->error = (int32_t)le32(b + 4);
	out->out_unique = le64(b + 8);
	out->reply_read = 1;
	return 0;
}

/* 9P header: le32 size, u8 type, le16 tag; -1 also when size is below
 * the header's own 7 bytes. */
int vq_9p_parse(const uint8_t *b, size_t len, struct vq_9p_req *out)
{
	memset(out, 0, sizeof(*out));
	if (len < VQ_9P_HDR)
		return -1;
	/* size[4] counts the whole message, itself included: below 7 the
	 * bytes are no 9P message (freed, zeroed memory reads so). */
	if (le32(b) < VQ_9P_HDR)
		return -1;
	out->size = le32(b);
	out->type = b[4];
	out->tag = le16(b + 5);
	return 0;
}

int vq_9p_parse_reply(const uint8_t *b, size_t len, struct vq_9p_req *out)
{
	if (len < VQ_9P_HDR)
		return -1;
	out->reply_type = b[4];
	out->reply_tag = le16(b + 5);
	out->reply_read = 1;
	return 0;
}

/* struct virtio_gpu_ctrl_hdr (5.7.6.7): le32 type, flags; le64 fence_id;
 * le32 ctx_id; u8 ring_idx, padding[3]. */
int vq_gpu_parse_hdr(const uint8_t *b, size_t len, struct vq_gpu_req *out)
{
	memset(out, 0, sizeof(*out));
	if (len < VQ_GPU_HDR)
		return -1;
	out->type = le32(b);
	out->flags = le32(b + 4);
	out->fence_id = le64(b + 8);
	out->ctx_id = le32(b + 16);
	return 0;
}

int vq_gpu_parse_reply(const uint8_t *b, size_t len, struct vq_gpu_req *out)
{
	if (len < VQ_GPU_HDR)
		return -1;
	out->reply_type = le32(b);
	out->reply_read = 1;
	return 0;
}

/* struct virtio_input_event (5.8.6): le16 type, le16 code, le32 value. */
int vq_input_parse(const uint8_t *b, size_t len, struct vq_input_req *out)
{
	memset(out, 0, sizeof(*out));
	if (len < VQ_INPUT_EVENT)
		return -1;
	out->type = le16(b);
	out->code = le16(b + 2);
	out->value = le32(b + 4);
	return 0;
}

/* struct virtio_balloon_stat (5.5.6.3): le16 tag, le64 val, packed. */
int vq_balloon_parse_stats(const uint8_t *b, size_t len, uint32_t count,
			   struct vq_balloon_req *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	if (len < VQ_BALLOON_STAT)
		return -1;
	out->count = count;
	for (i = 0; i < count && i < VQ_BALLOON_STATS_MAX && (i + 1) * VQ_BALLOON_STAT <= len; i++) {
		out->tag[i] = le16(b + i * VQ_BALLOON_STAT);
		out->val[i] = le64(b + i * VQ_BALLOON_STAT + 2);
	}
	out->nread = (uint8_t)i;
	return 0;
}

/* struct rpmsg_hdr: le32 src, dst, reserved; le16 len, flags; data[].
 * Little-endian on a virtio 1 device; a legacy one is guest-native. */
int vq_rpmsg_parse_hdr(const uint8_t *b, size_t len, struct vq_rpmsg_req *out)
{
	memset(out, 0, sizeof(*out));
	if (len < VQ_RPMSG_HDR)
		return -1;
	out->src = le32(b);
	out->dst = le32(b + 4);
	out->reserved = le32(b + 8);
	out->len = le16(b + 12);
	out->flags = le16(b + 14);
	return 0;
}
