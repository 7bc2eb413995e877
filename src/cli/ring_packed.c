/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `ring` on a packed virtqueue: the decoder's view as text and JSON. */
#include <linux/virtio_ring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../access/ringview.h"
#include "../decode/packed.h"
#include "cli.h"

/* Descriptor flags of a packed ring by bit (2.8.13, linux/virtio_ring.h). */
static const char *const pdesc_flag_names[16] = {
	[0] = "NEXT",
	[1] = "WRITE",
	[2] = "INDIRECT",
	[VRING_PACKED_DESC_F_AVAIL] = "AVAIL",
	[VRING_PACKED_DESC_F_USED] = "USED",
};

#define U64(v) json_object_new_uint64((uint64_t)(v))

static struct json_object *event_json(const struct vq_packed_event *e, uint64_t addr)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "addr", U64(addr));
	json_object_object_add(o, "flags", U64(e->flags));
	json_object_object_add(o, "mode", json_object_new_string(vq_pevent_mode_name(e->flags)));
	json_object_object_add(o, "off_wrap", U64(e->off_wrap));
	json_object_object_add(o, "offset", U64(e->off_wrap & 0x7fff));
	json_object_object_add(o, "wrap", U64(e->off_wrap >> 15));
	json_object_object_add(o, "reached", e->reached < 0 ? NULL : json_object_new_boolean(e->reached));
	json_object_object_add(o, "notification_due", e->due < 0 ? NULL : json_object_new_boolean(e->due));
	return o;
}

static struct json_object *pdesc_json(const struct vq_chain_desc *d)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "index", U64(d->index));
	json_object_object_add(o, "addr", U64(d->addr));
	json_object_object_add(o, "len", U64(d->len));
	json_object_object_add(o, "id", U64(d->id));
	json_object_object_add(o, "flags", vq_flag_array(d->flags, pdesc_flag_names, 16));
	json_object_object_add(o, "flags_value", U64(d->flags));
	json_object_object_add(o, "indirect", json_object_new_boolean(d->in_indirect));
	return o;
}

static struct json_object *chains_json(const struct vq_packed_view *v)
{
	struct json_object *a = json_object_new_array();
	unsigned i, j;

	for (i = 0; i < v->rv.nchains; i++) {
		const struct vq_chain *c = &v->rv.chains[i];
		struct json_object *co = json_object_new_object(), *da = json_object_new_array();

		/* A chain from the driver's records: its slots were overwritten. */
		json_object_object_add(co, "slot", c->from_driver ? NULL : U64(c->slot));
		/* design.md's head: the slot of its first descriptor (2.8.6). */
		json_object_object_add(co, "head", c->from_driver ? NULL : U64(c->head));
		json_object_object_add(co, "id", U64(c->id));
		json_object_object_add(co, "from_driver", json_object_new_boolean(c->from_driver));
		for (j = 0; j < c->ndesc; j++)
			json_object_array_add(da, pdesc_json(&c->descs[j]));
		json_object_object_add(co, "descriptors", da);
		json_object_object_add(co, "out_bytes", U64(c->out_bytes));
		json_object_object_add(co, "in_bytes", U64(c->in_bytes));
		json_object_object_add(co, "complete", json_object_new_boolean(!c->broken));
		json_object_object_add(co, "request", vq_request_json(&c->req));
		json_object_array_add(a, co);
	}
	return a;
}

static struct json_object *slots_json(const struct vq_packed_view *v)
{
	struct json_object *a = json_object_new_array();
	uint32_t s;

	for (s = 0; s < v->nslots; s++) {
		const struct vq_packed_slot *p = &v->slots[s];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "index", U64(s));
		json_object_object_add(o, "addr", U64(p->addr));
		json_object_object_add(o, "len", U64(p->len));
		json_object_object_add(o, "id", U64(p->id));
		json_object_object_add(o, "flags", vq_flag_array(p->flags, pdesc_flag_names, 16));
		json_object_object_add(o, "flags_value", U64(p->flags));
		json_object_object_add(o, "state", json_object_new_string(vq_pslot_state_name(p->state)));
		json_object_object_add(o, "pending", json_object_new_boolean(p->pending));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *tail_json(const struct vq_packed_view *v)
{
	struct json_object *a = json_object_new_array();
	unsigned i;

	for (i = 0; i < v->rv.nused; i++) {
		struct json_object *u = json_object_new_object();

		json_object_object_add(u, "id", U64(v->rv.used[i].id));
		json_object_object_add(u, "len", U64(v->rv.used[i].len));
		json_object_object_add(u, "slot", U64(v->rv.used[i].slot));
		json_object_object_add(u, "request", NULL);
		json_object_array_add(a, u);
	}
	return a;
}

static struct json_object *findings_json(const struct vq_packed_view *v)
{
	struct json_object *a = json_object_new_array();
	unsigned i;

	for (i = 0; i < v->rv.nfindings; i++) {
		const struct vq_finding *fd = &v->rv.findings[i];
		struct json_object *fo = json_object_new_object();

		json_object_object_add(fo, "code", json_object_new_string(fd->code));
		json_object_object_add(fo, "severity", json_object_new_string(vq_severity_name(fd->severity)));
		json_object_object_add(fo, "message", json_object_new_string(fd->message));
		json_object_array_add(a, fo);
	}
	return a;
}

/* What became of the driver's records for one view (JSON
 * "driver_records"). */
struct rec_status {
	const char *state;             /* "read", "moved", "unreadable", "none" */
	char why[200];                 /* "unreadable", or "none" for a --queue view: why */
};

static const char *pos_source(const struct vq_packed_pos *p)
{
	return p->known ? "given" : "inferred";
}

static struct json_object *ring_json_packed(const struct vq_packed_view *v,
					    const struct vq_packed_req *r,
					    const struct rec_status *st)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "device", r->devname ? json_object_new_string(r->devname) : NULL);
	json_object_object_add(o, "queue", r->queue >= 0 ? U64(r->queue) : NULL);
	json_object_object_add(o, "layout", json_object_new_string("packed"));
	json_object_object_add(o, "size", U64(v->layout.size));
	json_object_object_add(o, "desc", U64(v->layout.desc));
	json_object_object_add(o, "driver_event", event_json(&v->driver_event, v->layout.driver));
	json_object_object_add(o, "device_event", event_json(&v->device_event, v->layout.device));
	/* design.md's ring fields: the areas where a split ring's rings
	 * are (QEMU's vring-avail/-used), and null for the split-only
	 * flags and indices, which a packed ring does not have. */
	json_object_object_add(o, "avail", U64(v->layout.driver));
	json_object_object_add(o, "used", U64(v->layout.device));
	json_object_object_add(o, "avail_flags", NULL);
	json_object_object_add(o, "avail_idx", NULL);
	json_object_object_add(o, "used_event", NULL);
	json_object_object_add(o, "used_flags", NULL);
	json_object_object_add(o, "used_idx", NULL);
	json_object_object_add(o, "avail_event", NULL);
	json_object_object_add(o, "next_avail", U64(v->avail.idx));
	json_object_object_add(o, "avail_wrap_counter", U64(v->avail.wrap));
	json_object_object_add(o, "avail_position_source", json_object_new_string(pos_source(&v->avail)));
	json_object_object_add(o, "next_used", U64(v->used.idx));
	json_object_object_add(o, "used_wrap_counter", U64(v->used.wrap));
	json_object_object_add(o, "used_position_source", json_object_new_string(pos_source(&v->used)));
	json_object_object_add(o, "pending_slots", U64(v->pending_slots));
	json_object_object_add(o, "in_flight", U64(v->rv.nchains));
	json_object_object_add(o, "pending_source",
			       json_object_new_string(vq_pending_source_name(v->pending_source)));
	json_object_object_add(o, "driver_records", json_object_new_string(st->state));
	json_object_object_add(o, "driver_records_reason",
			       st->why[0] ? json_object_new_string(st->why) : NULL);
	json_object_object_add(o, "chains", chains_json(v));
	json_object_object_add(o, "used_entries", tail_json(v));
	json_object_object_add(o, "slots", slots_json(v));
	json_object_object_add(o, "findings", findings_json(v));
	return o;
}

static void event_text(const char *name, const char *what, const struct vq_packed_event *e,
		       uint64_t addr)
{
	printf("%s event 0x%llx: flags 0x%04x [%s]  off_wrap 0x%04x (slot %u wrap %u)  %s notifications: ",
	       name, (unsigned long long)addr, e->flags, vq_pevent_mode_name(e->flags), e->off_wrap,
	       e->off_wrap & 0x7fff, e->off_wrap >> 15, what);
	switch (e->flags & 3) {
	case VRING_PACKED_EVENT_FLAG_ENABLE:
		printf("every buffer%s\n", e->due > 0 ? ", one due for the pending ones" : "");
		break;
	case VRING_PACKED_EVENT_FLAG_DESC:
		printf("at that slot, %s\n", e->reached ? "reached: one due" : "not reached yet");
		break;
	default:
		printf("none\n");
	}
}

static void chain_text(const struct vq_ctx *ctx, const struct vq_chain *c)
{
	char sum[256], fl[64];
	unsigned j;

	vq_chain_summary(sum, sizeof(sum), c);
	if (c->from_driver)
		printf("  id %u (driver's records; its slots overwritten): %s%s\n", c->id, sum,
		       !c->broken ? "" : c->ndesc ? " (first of its indirect table only)" : " (buffers unknown)");
	else
		printf("  slot %u id %u: %s%s\n", c->slot, c->id, sum, c->broken ? " (incomplete)" : "");
	if (c->ind_len && c->from_driver)
		printf("    table addr 0x%llx len %u: indirect table of %u entries\n",
		       (unsigned long long)c->ind_addr, c->ind_len, c->ind_len / 16);
	else if (c->from_driver && c->ind_addr)
		printf("    table addr 0x%llx: indirect table, its length not recorded\n",
		       (unsigned long long)c->ind_addr);
	else if (c->ind_len)
		printf("    slot %u addr 0x%llx len %u: indirect table of %u entries\n", c->ind_index,
		       (unsigned long long)c->ind_addr, c->ind_len, c->ind_len / 16);
	for (j = 0; ctx->verbose && j < c->ndesc; j++) {
		const struct vq_chain_desc *d = &c->descs[j];

		vq_flag_text(fl, sizeof(fl), d->flags, pdesc_flag_names, 16);
		printf("    %s[%u] addr 0x%llx len %u id %u flags %s\n",
		       d->in_indirect ? "indirect" : "slot", d->index, (unsigned long long)d->addr,
		       d->len, d->id, fl);
	}
	vq_request_text(&c->req, 6);
}

static void slots_text(const struct vq_packed_view *v)
{
	char fl[64];
	uint32_t s;

	printf("slots:\n");
	for (s = 0; s < v->nslots; s++) {
		const struct vq_packed_slot *p = &v->slots[s];

		vq_flag_text(fl, sizeof(fl), p->flags, pdesc_flag_names, 16);
		printf("  [%u] addr 0x%llx len %u id %u flags 0x%04x [%s] %s%s\n", s,
		       (unsigned long long)p->addr, p->len, p->id, p->flags, fl,
		       vq_pslot_state_name(p->state), p->pending ? ", pending" : "");
	}
}

static void ring_text_packed(const struct vq_ctx *ctx, const struct vq_packed_view *v,
			     const struct rec_status *st)
{
	unsigned i;

	printf("packed ring: size %u  desc 0x%llx\n", v->layout.size,
	       (unsigned long long)v->layout.desc);
	printf("driver: next avail slot %u, wrap counter %u (%s)\n", v->avail.idx, v->avail.wrap,
	       v->avail.known ? "given" : "inferred from the AVAIL bits");
	printf("device: next used slot %u, wrap counter %u (%s)\n", v->used.idx, v->used.wrap,
	       v->used.known ? "given" : "inferred: after the newest used slot");
	event_text("driver", "used buffer", &v->driver_event, v->layout.driver);
	event_text("device", "available buffer", &v->device_event, v->layout.device);
	printf("in flight: %u chain%s in %u slot%s\n", v->rv.nchains, v->rv.nchains == 1 ? "" : "s",
	       v->pending_slots, v->pending_slots == 1 ? "" : "s");
	if (v->rv.nchains)
		printf(v->pending_source == VQ_PENDING_DRIVER
			       ? "pending chains (from the driver's records: those still in their slots oldest first, then by Buffer ID):\n"
			       : "pending chains (oldest first):\n");
	for (i = 0; i < v->rv.nchains; i++)
		chain_text(ctx, &v->rv.chains[i]);
	if (v->rv.nused)
		printf("recent used entries (newest first):\n");
	for (i = 0; i < v->rv.nused; i++)
		printf("  slot %u id %u len %u\n", v->rv.used[i].slot, v->rv.used[i].id,
		       v->rv.used[i].len);
	if (ctx->verbose)
		slots_text(v);
	/* Pending chains named without the driver's records: say why. */
	if (v->rv.nchains && !strcmp(st->state, "moved"))
		printf("note: the driver's records changed while the ring was read (3 tries): the\n"
		       "      pending chains are the ring's slots\n");
	else if (v->rv.nchains && strcmp(st->state, "read") && st->why[0])
		printf("note: %s%s.\n"
		       "      The pending chains are the ring's slots, which name the wrong\n"
		       "      requests after an out-of-order completion.\n",
		       strcmp(st->state, "none") ? "the driver's records were not read: " : "",
		       st->why);
	if (v->rv.nfindings)
		printf("findings:\n");
	for (i = 0; i < v->rv.nfindings; i++)
		printf("  %s%s%s %s: %s\n", vq_color_sev(ctx, (int)v->rv.findings[i].severity),
		       vq_severity_name(v->rv.findings[i].severity), vq_color_off(ctx),
		       v->rv.findings[i].code, v->rv.findings[i].message);
}

int vq_ring_packed_show(struct vq_ctx *ctx, const struct vq_packed_req *r,
			struct json_object *rings, char *why, size_t whylen)
{
	struct vq_packed_view v;
	struct rec_status st = { r->drv_rec && r->drv_used_known ? "read" : "none", "" };
	int ret;

	if (!strcmp(st.state, "none") && r->no_rec_why && !r->live_q)
		snprintf(st.why, sizeof(st.why), "%s", r->no_rec_why);

	if (vq_packed_view_alloc(&v, r->size, r->recent)) {
		snprintf(why, whylen, "decode ring: out of memory");
		return EXIT_ACCESS;
	}
	v.layout = (struct vq_packed_layout){ r->desc, r->driver, r->device, r->size };
	v.rv.device_id = r->type;
	v.drv = r->drv_used_known ? r->drv_rec : NULL;
	if (r->drv_used_known)
		v.drv_used = (struct vq_packed_pos){ (uint16_t)(r->drv_used & 0x7fff),
						     (uint8_t)(r->drv_used >> 15), 1 };
	if (r->live_q)
		ret = vq_session_packed_decode(&ctx->sess, r->live_dev, r->live_q, &v, r->recent,
					       &st.state, st.why, sizeof(st.why));
	else
		ret = vq_packed_decode(&ctx->sess.fetch, &v, r->recent);
	if (ret < 0) {
		if (v.rv.nfindings && !strcmp(v.rv.findings[0].code, "BAD_QUEUE_SIZE"))
			snprintf(why, whylen, "BAD_QUEUE_SIZE: %s", v.rv.findings[0].message);
		else
			snprintf(why, whylen, "%s", ctx->sess.mem.err);
		vq_packed_view_free(&v);
		return EXIT_ACCESS;
	}
	if (rings)
		json_object_array_add(rings, ring_json_packed(&v, r, &st));
	else if (ctx->json)
		vq_json_print(ring_json_packed(&v, r, &st));
	else {
		if (r->devname)
			printf("device %s queue %d\n", r->devname, r->queue);
		ring_text_packed(ctx, &v, &st);
	}
	vq_packed_view_free(&v);
	return EXIT_OK;
}
