/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A decoded payload (struct vq_request) as JSON and as one text line, per device type. */
#include <stdio.h>

#include "../decode/payload.h"
#include "../model/hex.h"
#include "cli.h"

#define U64(v) json_object_new_uint64((uint64_t)(v))
#define STR(s) ((s) ? json_object_new_string(s) : NULL)

static void add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static void blk_json(struct json_object *o, const struct vq_request *r)
{
	const struct vq_blk_req *b = &r->u.blk;

	add(o, "type", U64(b->type));
	add(o, "type_name", STR(vq_blk_type_name(b->type)));
	add(o, "sector", U64(b->sector));
	add(o, "data_len", U64(b->data_len));
	/* Pending chains: the byte is not the device's answer yet. */
	add(o, "status", b->status_read ? U64(b->status) : NULL);
	add(o, "status_final", json_object_new_boolean(r->final && b->status_read));
}

static void net_json(struct json_object *o, const struct vq_net_req *n)
{
	struct json_object *fl = json_object_new_array();
	unsigned i;

	for (i = 0; i < 8; i++)
		if (n->flags & (1u << i)) {
			const char *name = vq_net_flag_name(i);
			char b[16];

			snprintf(b, sizeof(b), "bit_%u", i);
			json_object_array_add(fl, json_object_new_string(name ? name : b));
		}
	add(o, "flags", fl);
	add(o, "gso_type", U64(n->gso_type));
	add(o, "gso_type_name", STR(vq_net_gso_name(n->gso_type)));
	add(o, "hdr_len", U64(n->hdr_len));
	add(o, "gso_size", U64(n->gso_size));
	add(o, "csum_start", U64(n->csum_start));
	add(o, "csum_offset", U64(n->csum_offset));
	if (n->hdr_size == 12)
		add(o, "num_buffers", U64(n->num_buffers));
	add(o, "header_size", U64(n->hdr_size));
	add(o, "packet_len", U64(n->packet_len));
}

static void vsock_json(struct json_object *o, const struct vq_vsock_req *v)
{
	add(o, "src_cid", U64(v->src_cid));
	add(o, "dst_cid", U64(v->dst_cid));
	add(o, "src_port", U64(v->src_port));
	add(o, "dst_port", U64(v->dst_port));
	add(o, "len", U64(v->len));
	add(o, "type", U64(v->type));
	add(o, "type_name", STR(vq_vsock_type_name(v->type)));
	add(o, "op", U64(v->op));
	add(o, "op_name", STR(vq_vsock_op_name(v->op)));
	add(o, "flags", U64(v->flags));
	add(o, "buf_alloc", U64(v->buf_alloc));
	add(o, "fwd_cnt", U64(v->fwd_cnt));
}

static void scsi_json(struct json_object *o, const struct vq_scsi_req *s)
{
	char hex[17];

	vq_hex_encode(s->lun_raw, 8, hex);
	add(o, "lun_bytes_hex", json_object_new_string(hex));
	add(o, "target", U64(s->target));
	add(o, "lun", U64(s->lun));
	add(o, "tag", U64(s->tag));
	add(o, "task_attr", U64(s->task_attr));
	add(o, "cdb_opcode", U64(s->opcode));
	add(o, "cdb_opcode_name", STR(vq_scsi_opcode_name(s->opcode)));
	/* The response exists only once the device has used the chain. */
	add(o, "response", s->resp_read ? U64(s->response) : NULL);
	add(o, "response_name", s->resp_read ? STR(vq_scsi_response_name(s->response)) : NULL);
	add(o, "scsi_status", s->resp_read ? U64(s->status) : NULL);
	add(o, "scsi_status_name", s->resp_read ? STR(vq_scsi_status_name(s->status)) : NULL);
	add(o, "sense_len", s->resp_read ? U64(s->sense_len) : NULL);
	add(o, "resid", s->resp_read ? U64(s->resid) : NULL);
}

static void fuse_json(struct json_object *o, const struct vq_fuse_req *f)
{
	add(o, "len", U64(f->len));
	add(o, "opcode", U64(f->opcode));
	add(o, "opcode_name", STR(vq_fuse_opcode_name(f->opcode)));
	add(o, "unique", U64(f->unique));
	add(o, "nodeid", U64(f->nodeid));
	add(o, "uid", U64(f->uid));
	add(o, "gid", U64(f->gid));
	add(o, "pid", U64(f->pid));
	add(o, "error", f->reply_read ? json_object_new_int(f->error) : NULL);
	add(o, "reply_unique", f->reply_read ? U64(f->out_unique) : NULL);
}

static void p9_json(struct json_object *o, const struct vq_9p_req *p)
{
	add(o, "size", U64(p->size));
	add(o, "type", U64(p->type));
	add(o, "type_name", STR(vq_9p_type_name(p->type)));
	add(o, "tag", U64(p->tag));
	add(o, "reply_type", p->reply_read ? U64(p->reply_type) : NULL);
	add(o, "reply_type_name", p->reply_read ? STR(vq_9p_type_name(p->reply_type)) : NULL);
	add(o, "reply_tag", p->reply_read ? U64(p->reply_tag) : NULL);
}

static void gpu_json(struct json_object *o, const struct vq_gpu_req *g)
{
	add(o, "type", U64(g->type));
	add(o, "type_name", STR(vq_gpu_type_name(g->type)));
	add(o, "flags", U64(g->flags));
	add(o, "fence_id", U64(g->fence_id));
	add(o, "ctx_id", U64(g->ctx_id));
	add(o, "reply_type", g->reply_read ? U64(g->reply_type) : NULL);
	add(o, "reply_type_name", g->reply_read ? STR(vq_gpu_type_name(g->reply_type)) : NULL);
}

static void balloon_json(struct json_object *o, const struct vq_balloon_req *b)
{
	struct json_object *a = json_object_new_array();
	unsigned i;

	for (i = 0; i < b->nread; i++) {
		struct json_object *e = json_object_new_object();

		add(e, "tag", U64(b->tag[i]));
		add(e, "name", STR(vq_balloon_stat_name(b->tag[i])));
		add(e, "value", U64(b->val[i]));
		json_object_array_add(a, e);
	}
	add(o, "count", U64(b->count));
	add(o, "stats", a);
}

/* The rest of the kinds: a few fields each. */
static void small_json(struct json_object *o, const struct vq_request *r)
{
	char hex[2 * VQ_CONSOLE_PEEK + 1];

	switch (r->kind) {
	case VQ_REQ_CONSOLE:
		add(o, "len", U64(r->u.console.len));
		vq_hex_encode(r->u.console.bytes, r->u.console.nbytes, hex);
		add(o, "bytes_hex", json_object_new_string(hex));
		break;
	case VQ_REQ_INPUT:
		add(o, "from", json_object_new_string(r->u.input.from_device ? "device" : "driver"));
		add(o, "type", U64(r->u.input.type));
		add(o, "type_name", STR(vq_input_type_name(r->u.input.type)));
		add(o, "code", U64(r->u.input.code));
		add(o, "value", U64(r->u.input.value));
		break;
	case VQ_REQ_RPMSG:
		add(o, "from", json_object_new_string(r->u.rpmsg.from_device ? "device" : "driver"));
		add(o, "src", U64(r->u.rpmsg.src));
		add(o, "dst", U64(r->u.rpmsg.dst));
		add(o, "len", U64(r->u.rpmsg.len));
		add(o, "flags", U64(r->u.rpmsg.flags));
		break;
	default:
		break;
	}
}

static const char *const kind_names[] = {
	[VQ_REQ_BLK] = "blk",      [VQ_REQ_NET] = "net",     [VQ_REQ_VSOCK] = "vsock",
	[VQ_REQ_CONSOLE] = "console", [VQ_REQ_SCSI] = "scsi", [VQ_REQ_FUSE] = "fs",
	[VQ_REQ_9P] = "9p",        [VQ_REQ_GPU] = "gpu",     [VQ_REQ_INPUT] = "input",
	[VQ_REQ_BALLOON] = "balloon_stats", [VQ_REQ_RPMSG] = "rpmsg",
};

struct json_object *vq_request_json(const struct vq_request *r)
{
	struct json_object *o;

	if (r->kind == VQ_REQ_NONE)
		return NULL;
	o = json_object_new_object();
	add(o, "kind", json_object_new_string(kind_names[r->kind]));
	add(o, "final", json_object_new_boolean(r->final));
	switch (r->kind) {
	case VQ_REQ_BLK:
		blk_json(o, r);
		break;
	case VQ_REQ_NET:
		net_json(o, &r->u.net);
		break;
	case VQ_REQ_VSOCK:
		vsock_json(o, &r->u.vsock);
		break;
	case VQ_REQ_SCSI:
		scsi_json(o, &r->u.scsi);
		break;
	case VQ_REQ_FUSE:
		fuse_json(o, &r->u.fuse);
		break;
	case VQ_REQ_9P:
		p9_json(o, &r->u.p9);
		break;
	case VQ_REQ_GPU:
		gpu_json(o, &r->u.gpu);
		break;
	case VQ_REQ_BALLOON:
		balloon_json(o, &r->u.balloon);
		break;
	default:
		small_json(o, r);
		break;
	}
	return o;
}

/* "NAME" or "?(N)" for a value without a name. */
static const char *nm(const char *name, unsigned long long v, char *buf, size_t len)
{
	if (name)
		return name;
	snprintf(buf, len, "?(%llu)", v);
	return buf;
}

static void blk_text(const struct vq_request *r)
{
	const char *name = vq_blk_type_name(r->u.blk.type);

	printf("blk %s", name ? name : "?");
	if (!name)
		printf("(type %u)", r->u.blk.type);
	printf(" sector %llu data %llu bytes", (unsigned long long)r->u.blk.sector,
	       (unsigned long long)r->u.blk.data_len);
	/* A pending chain's status byte is whatever the driver left there. */
	if (r->u.blk.status_read && r->final)
		printf(" status %s", nm(vq_blk_status_name(r->u.blk.status), r->u.blk.status,
					(char[16]){ 0 }, 16));
	else if (r->u.blk.status_read)
		printf(" status byte 0x%02x (not final: pending)", r->u.blk.status);
}

static void scsi_text(const struct vq_scsi_req *s)
{
	char b[16];

	printf("scsi target %u lun %u tag 0x%llx cdb %s (0x%02x)", s->target, s->lun,
	       (unsigned long long)s->tag, nm(vq_scsi_opcode_name(s->opcode), s->opcode, b, 16),
	       s->opcode);
	if (s->resp_read)
		printf(" response %s status %s sense %u resid %u",
		       nm(vq_scsi_response_name(s->response), s->response, b, 16),
		       vq_scsi_status_name(s->status) ? vq_scsi_status_name(s->status) : "?",
		       s->sense_len, s->resid);
}

static void fuse_text(const struct vq_fuse_req *f)
{
	char b[16];

	printf("fuse %s unique %llu nodeid %llu len %u pid %u",
	       nm(vq_fuse_opcode_name(f->opcode), f->opcode, b, 16),
	       (unsigned long long)f->unique, (unsigned long long)f->nodeid, f->len, f->pid);
	if (f->reply_read)
		printf(" -> error %d", f->error);
}

static void p9_text(const struct vq_9p_req *p)
{
	char b[16];

	printf("9p %s tag %u size %u", nm(vq_9p_type_name(p->type), p->type, b, 16), p->tag,
	       p->size);
	if (p->reply_read)
		printf(" -> %s tag %u", nm(vq_9p_type_name(p->reply_type), p->reply_type, b, 16),
		       p->reply_tag);
}

static void gpu_text(const struct vq_gpu_req *g)
{
	char b[20];

	printf("gpu %s flags 0x%x fence %llu ctx %u", nm(vq_gpu_type_name(g->type), g->type, b, 20),
	       g->flags, (unsigned long long)g->fence_id, g->ctx_id);
	if (g->reply_read)
		printf(" -> %s", nm(vq_gpu_type_name(g->reply_type), g->reply_type, b, 20));
}

static void other_text(const struct vq_request *r)
{
	char b[16];
	unsigned i;

	switch (r->kind) {
	case VQ_REQ_INPUT:
		printf("input %s event %s code %u value %d",
		       r->u.input.from_device ? "device" : "driver",
		       nm(vq_input_type_name(r->u.input.type), r->u.input.type, b, 16),
		       r->u.input.code, (int32_t)r->u.input.value);
		break;
	case VQ_REQ_BALLOON:
		printf("balloon stats (%u):", r->u.balloon.count);
		for (i = 0; i < r->u.balloon.nread; i++)
			printf(" %s=%llu", nm(vq_balloon_stat_name(r->u.balloon.tag[i]),
					       r->u.balloon.tag[i], b, 16),
			       (unsigned long long)r->u.balloon.val[i]);
		break;
	case VQ_REQ_RPMSG:
		printf("rpmsg %s 0x%x -> 0x%x len %u flags 0x%x",
		       r->u.rpmsg.from_device ? "device" : "driver", r->u.rpmsg.src,
		       r->u.rpmsg.dst, r->u.rpmsg.len, r->u.rpmsg.flags);
		break;
	default:
		break;
	}
}

static void console_text(const struct vq_console_req *c)
{
	unsigned i;

	printf("console %u bytes: \"", c->len);
	for (i = 0; i < c->nbytes; i++) {
		uint8_t ch = c->bytes[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\')
			putchar(ch);
		else
			printf("\\x%02x", ch);
	}
	putchar('"');
}

void vq_request_text(const struct vq_request *r, int indent)
{
	const struct vq_net_req *n = &r->u.net;
	const struct vq_vsock_req *v = &r->u.vsock;
	const char *name;

	if (r->kind == VQ_REQ_NONE)
		return;
	printf("%*s", indent, "");
	switch (r->kind) {
	case VQ_REQ_BLK:
		blk_text(r);
		break;
	case VQ_REQ_NET:
		name = vq_net_gso_name(n->gso_type);
		printf("net hdr (%u bytes) flags 0x%x gso %s hdr_len %u gso_size %u csum %u+%u, packet %llu bytes",
		       n->hdr_size, n->flags, name ? name : "?", n->hdr_len, n->gso_size,
		       n->csum_start, n->csum_offset, (unsigned long long)n->packet_len);
		break;
	case VQ_REQ_VSOCK:
		name = vq_vsock_op_name(v->op);
		printf("vsock %s %llu:%u -> %llu:%u len %u buf_alloc %u fwd_cnt %u", name ? name : "?",
		       (unsigned long long)v->src_cid, v->src_port, (unsigned long long)v->dst_cid,
		       v->dst_port, v->len, v->buf_alloc, v->fwd_cnt);
		break;
	case VQ_REQ_CONSOLE:
		console_text(&r->u.console);
		break;
	case VQ_REQ_SCSI:
		scsi_text(&r->u.scsi);
		break;
	case VQ_REQ_FUSE:
		fuse_text(&r->u.fuse);
		break;
	case VQ_REQ_9P:
		p9_text(&r->u.p9);
		break;
	case VQ_REQ_GPU:
		gpu_text(&r->u.gpu);
		break;
	default:
		other_text(r);
		break;
	}
	putchar('\n');
}
