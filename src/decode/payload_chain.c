/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which buffer of a chain holds which header, per device type: the chain-level half of payload decoding. */
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <string.h>

#include "payload.h"
#include "ring.h"

/* The first device-readable (@writable 0) or device-writable (1) buffer of
 * @c at least @min bytes long, the way drivers put each header at the
 * start of a buffer of its own; NULL when there is none. */
static const struct vq_chain_desc *first_buf(const struct vq_chain *c, int writable, uint32_t min)
{
	unsigned i;

	for (i = 0; i < c->ndesc; i++) {
		const struct vq_chain_desc *d = &c->descs[i];

		if (!!(d->flags & VRING_DESC_F_WRITE) != writable)
			continue;
		return d->len >= min ? d : NULL;
	}
	return NULL;
}

/* Read the first @n bytes of buffer @d (at most its length) into @b. */
static int peek(const struct vq_fetch *f, const struct vq_chain_desc *d, uint8_t *b, uint32_t n,
		const char *what)
{
	if (!d)
		return -1;
	if (n > d->len)
		n = d->len;
	return vq_fetch(f, d->addr, b, n, what) < 0 ? -1 : (int)n;
}

/* A blk request is a 16-byte readable header and ends in a 1-byte
 * writable status (5.2.6): the one shape guessed without a device type. */
static uint32_t guess_type(const struct vq_chain *c)
{
	const struct vq_chain_desc *first, *last;

	if (c->ndesc < 2)
		return 0;
	first = &c->descs[0];
	last = &c->descs[c->ndesc - 1];
	if (!(first->flags & VRING_DESC_F_WRITE) && first->len == 16 &&
	    (last->flags & VRING_DESC_F_WRITE) && last->len == 1)
		return VIRTIO_ID_BLOCK;
	return 0;
}

static int decode_blk(const struct vq_fetch *f, const struct vq_chain *c, struct vq_request *r)
{
	const struct vq_chain_desc *first = &c->descs[0], *last = &c->descs[c->ndesc - 1];
	struct vq_blk_req *b = &r->u.blk;
	uint8_t h[16];

	if (first->flags & VRING_DESC_F_WRITE || first->len < 16 ||
	    vq_fetch(f, first->addr, h, 16, "blk request header") < 0)
		return 0;
	vq_blk_parse_hdr(h, 16, b);
	/* Header and status may share buffers with data (ANY_LAYOUT). */
	b->data_len = c->out_bytes + c->in_bytes;
	b->data_len = b->data_len >= 17 ? b->data_len - 17 : 0;
	if ((last->flags & VRING_DESC_F_WRITE) && last->len &&
	    vq_fetch(f, last->addr + last->len - 1, &b->status, 1, "blk status") == 0)
		b->status_read = 1;
	return VQ_REQ_BLK;
}

static int decode_net(const struct vq_fetch *f, const struct vq_chain *c, struct vq_request *r)
{
	const struct vq_chain_desc *first = &c->descs[0];
	uint8_t h[12];
	uint32_t n;

	/* Only transmit chains carry a header the driver wrote. */
	if (first->flags & VRING_DESC_F_WRITE || first->len < 10)
		return 0;
	n = first->len >= 12 ? 12 : 10;
	if (vq_fetch(f, first->addr, h, n, "net header") < 0)
		return 0;
	vq_net_parse_hdr(h, n, &r->u.net);
	r->u.net.packet_len = c->out_bytes - n;
	return VQ_REQ_NET;
}

static int decode_console(const struct vq_fetch *f, const struct vq_chain *c,
			  struct vq_request *r)
{
	const struct vq_chain_desc *first = &c->descs[0];
	struct vq_console_req *k = &r->u.console;
	uint32_t n;

	if (first->flags & VRING_DESC_F_WRITE)
		return 0;
	k->len = first->len;
	n = first->len < VQ_CONSOLE_PEEK ? first->len : VQ_CONSOLE_PEEK;
	if (n && vq_fetch(f, first->addr, k->bytes, n, "console data") < 0)
		return 0;
	k->nbytes = (uint8_t)n;
	return VQ_REQ_CONSOLE;
}

/* Command queues: a request header in the first readable buffer and, once
 * used, a reply header in the first writable one. */
static int decode_scsi(const struct vq_fetch *f, const struct vq_chain *c, int final,
		       struct vq_request *r)
{
	uint8_t b[VQ_SCSI_CMD_HDR];
	int n = peek(f, first_buf(c, 0, 20), b, sizeof(b), "scsi request header");

	if (n < 0 || vq_scsi_parse_cmd(b, (size_t)n, &r->u.scsi) < 0)
		return 0;
	n = final ? peek(f, first_buf(c, 1, VQ_SCSI_RESP_HDR), b, VQ_SCSI_RESP_HDR,
			 "scsi response") : -1;
	if (n > 0)
		vq_scsi_parse_resp(b, (size_t)n, &r->u.scsi);
	return VQ_REQ_SCSI;
}

static int decode_fuse(const struct vq_fetch *f, const struct vq_chain *c, int final,
		       struct vq_request *r)
{
	uint8_t b[VQ_FUSE_IN_HDR];
	int n = peek(f, first_buf(c, 0, VQ_FUSE_IN_HDR), b, sizeof(b), "fuse in header");

	if (n < 0 || vq_fuse_parse_in(b, (size_t)n, &r->u.fuse) < 0)
		return 0;
	n = final ? peek(f, first_buf(c, 1, VQ_FUSE_OUT_HDR), b, VQ_FUSE_OUT_HDR,
			 "fuse out header") : -1;
	if (n > 0)
		vq_fuse_parse_out(b, (size_t)n, &r->u.fuse);
	return VQ_REQ_FUSE;
}

static int decode_9p(const struct vq_fetch *f, const struct vq_chain *c, int final,
		     struct vq_request *r)
{
	uint8_t b[VQ_9P_HDR];
	int n = peek(f, first_buf(c, 0, VQ_9P_HDR), b, sizeof(b), "9p message");

	if (n < 0 || vq_9p_parse(b, (size_t)n, &r->u.p9) < 0)
		return 0;
	n = final ? peek(f, first_buf(c, 1, VQ_9P_HDR), b, VQ_9P_HDR, "9p reply") : -1;
	if (n > 0)
		vq_9p_parse_reply(b, (size_t)n, &r->u.p9);
	return VQ_REQ_9P;
}

static int decode_gpu(const struct vq_fetch *f, const struct vq_chain *c, int final,
		      struct vq_request *r)
{
	uint8_t b[VQ_GPU_HDR];
	int n = peek(f, first_buf(c, 0, VQ_GPU_HDR), b, sizeof(b), "gpu command header");

	if (n < 0 || vq_gpu_parse_hdr(b, (size_t)n, &r->u.gpu) < 0)
		return 0;
	n = final ? peek(f, first_buf(c, 1, VQ_GPU_HDR), b, VQ_GPU_HDR, "gpu response") : -1;
	if (n > 0)
		vq_gpu_parse_reply(b, (size_t)n, &r->u.gpu);
	return VQ_REQ_GPU;
}

/* Events flow both ways (5.8.6): the driver's status events in readable
 * buffers, the device's input events in writable ones once used (a
 * pending writable buffer holds nothing of the device's yet). */
static int decode_input(const struct vq_fetch *f, const struct vq_chain *c, int final,
			uint32_t used_len, struct vq_request *r)
{
	const struct vq_chain_desc *first = &c->descs[0];
	int dev = !!(first->flags & VRING_DESC_F_WRITE);
	uint8_t b[VQ_INPUT_EVENT];

	if (dev && (!final || used_len < VQ_INPUT_EVENT))
		return 0;
	if (peek(f, first_buf(c, dev, VQ_INPUT_EVENT), b, sizeof(b), "input event") < 0 ||
	    vq_input_parse(b, sizeof(b), &r->u.input) < 0)
		return 0;
	r->u.input.from_device = (uint8_t)dev;
	return VQ_REQ_INPUT;
}

/* The statistics buffer is one readable buffer of 10-byte entries; the
 * inflate and deflate queues hold 4-byte page numbers, which can share
 * that length, so every tag decoded must also be a plausible one. */
static int decode_balloon(const struct vq_fetch *f, const struct vq_chain *c,
			  struct vq_request *r)
{
	const struct vq_chain_desc *first = &c->descs[0];
	uint8_t b[VQ_BALLOON_STATS_MAX * VQ_BALLOON_STAT];
	int n;
	unsigned i;

	if (first->flags & VRING_DESC_F_WRITE || first->len % VQ_BALLOON_STAT ||
	    first->len / VQ_BALLOON_STAT > 64)
		return 0;
	n = peek(f, first, b, sizeof(b), "balloon statistics");
	if (n < 0 || vq_balloon_parse_stats(b, (size_t)n, first->len / VQ_BALLOON_STAT,
					    &r->u.balloon) < 0)
		return 0;
	for (i = 0; i < r->u.balloon.nread; i++)
		if (r->u.balloon.tag[i] >= 64)
			return 0;
	return VQ_REQ_BALLOON;
}

static int decode_rpmsg(const struct vq_fetch *f, const struct vq_chain *c, int final,
			uint32_t used_len, struct vq_request *r)
{
	const struct vq_chain_desc *first = &c->descs[0];
	int dev = !!(first->flags & VRING_DESC_F_WRITE);
	uint8_t b[VQ_RPMSG_HDR];

	if (dev && (!final || used_len < VQ_RPMSG_HDR))
		return 0;
	if (peek(f, first_buf(c, dev, VQ_RPMSG_HDR), b, sizeof(b), "rpmsg header") < 0 ||
	    vq_rpmsg_parse_hdr(b, sizeof(b), &r->u.rpmsg) < 0)
		return 0;
	r->u.rpmsg.from_device = (uint8_t)dev;
	return VQ_REQ_RPMSG;
}

static int decode_kind(const struct vq_fetch *f, uint32_t device_id, const struct vq_chain *c,
		       int final, uint32_t used_len, struct vq_request *r)
{
	uint8_t b[44];

	switch (device_id) {
	case VIRTIO_ID_BLOCK:
		return decode_blk(f, c, r);
	case VIRTIO_ID_NET:
		return decode_net(f, c, r);
	case VIRTIO_ID_VSOCK:
		if (peek(f, first_buf(c, 0, 44), b, 44, "vsock header") != 44)
			return 0;
		vq_vsock_parse_hdr(b, 44, &r->u.vsock);
		return VQ_REQ_VSOCK;
	case VIRTIO_ID_CONSOLE:
		return decode_console(f, c, r);
	case VIRTIO_ID_SCSI:
		return decode_scsi(f, c, final, r);
	case VIRTIO_ID_FS:
		return decode_fuse(f, c, final, r);
	case VIRTIO_ID_9P:
		return decode_9p(f, c, final, r);
	case VIRTIO_ID_GPU:
		return decode_gpu(f, c, final, r);
	case VIRTIO_ID_INPUT:
		return decode_input(f, c, final, used_len, r);
	case VIRTIO_ID_BALLOON:
		return decode_balloon(f, c, r);
	case VIRTIO_ID_RPMSG:
		return decode_rpmsg(f, c, final, used_len, r);
	}
	return 0;
}

void vq_payload_decode(const struct vq_fetch *f, uint32_t device_id, const struct vq_chain *c,
		       int final, uint32_t used_len, struct vq_request *out)
{
	memset(out, 0, sizeof(*out));
	if (!c->ndesc)
		return;
	if (!device_id)
		device_id = guess_type(c);
	out->kind = (enum vq_req_kind)decode_kind(f, device_id, c, final, used_len, out);
	if (out->kind == VQ_REQ_NONE)
		memset(out, 0, sizeof(*out));
	else
		out->final = (uint8_t)!!final;
}
