/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `ring`: one split queue given by address, decoded from guest memory. */
#include <linux/virtio_ring.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../access/ringview.h"
#include "../decode/names.h"
#include "../decode/packed.h"
#include "../decode/ring.h"
#include "../model/hex.h"
#include "../model/names.h"
#include "cli.h"

const struct vq_opt vq_ring_options[] = {
	{ "at", required_argument, 'a', 0, "DESC[,AVAIL,USED]", "the ring's addresses (or DESC alone: contiguous)" },
	{ "size", required_argument, 's', 0, "N", "queue size (a power of two up to 32768)" },
	{ "align", required_argument, 'A', 0, "A", "used-ring alignment when --at gives DESC alone" },
	{ "type", required_argument, 't', 0, "T", "decode payloads as device type T (names below)" },
	{ "recent", required_argument, 'R', 0, "K", "newest used entries shown (default 8)" },
	{ "queue", required_argument, 'q', 0, "N", "queue N of the live device -d names" },
	{ "force", no_argument, 'f', 0, NULL, "read --at addresses that break the spec's alignment" },
	{ "packed", no_argument, 'P', 0, NULL, "the ring is packed: --at DESC,DRIVER,DEVICE (virtio 1.3 section 2.8)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static const char *const desc_flag_names[] = { "NEXT", "WRITE", "INDIRECT" };

struct json_object *vq_flag_array(unsigned v, const char *const *names, unsigned nnames)
{
	struct json_object *a = json_object_new_array();
	unsigned i;
	char buf[16];

	for (i = 0; i < 16; i++) {
		if (!(v & (1u << i)))
			continue;
		if (i < nnames && names[i]) {
			json_object_array_add(a, json_object_new_string(names[i]));
		} else {
			snprintf(buf, sizeof(buf), "bit_%u", i);
			json_object_array_add(a, json_object_new_string(buf));
		}
	}
	return a;
}

void vq_flag_text(char *buf, size_t len, unsigned v, const char *const *names,
		      unsigned nnames)
{
	size_t off = 0;
	unsigned i;

	buf[0] = 0;
	for (i = 0; i < 16 && off < len; i++) {
		if (!(v & (1u << i)))
			continue;
		if (i < nnames && names[i])
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "|" : "", names[i]);
		else
			off += (size_t)snprintf(buf + off, len - off, "%sbit_%u", off ? "|" : "", i);
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

static const char *const avail_flag_names[] = { "NO_INTERRUPT" };
static const char *const used_flag_names[] = { "NO_NOTIFY" };

#define U64(v) json_object_new_uint64((uint64_t)(v))

static struct json_object *ring_json(const struct vq_ring_view *v, int queue, const char *dev,
				     int ambiguous)
{
	struct json_object *o = json_object_new_object(), *a;
	const struct vq_ring_hdr *h = &v->hdr;
	unsigned i, j;

	json_object_object_add(o, "device", dev ? json_object_new_string(dev) : NULL);
	json_object_object_add(o, "queue", queue >= 0 ? U64(queue) : NULL);
	json_object_object_add(o, "layout", json_object_new_string("split"));
	json_object_object_add(o, "size", U64(v->layout.size));
	json_object_object_add(o, "desc", U64(v->layout.desc));
	json_object_object_add(o, "avail", U64(v->layout.avail));
	json_object_object_add(o, "used", U64(v->layout.used));
	json_object_object_add(o, "align", v->layout.align ? U64(v->layout.align) : NULL);
	json_object_object_add(o, "align_ambiguous", json_object_new_boolean(ambiguous));
	json_object_object_add(o, "avail_flags", U64(h->avail_flags));
	json_object_object_add(o, "avail_flags_names", vq_flag_array(h->avail_flags, avail_flag_names, 1));
	json_object_object_add(o, "avail_idx", U64(h->avail_idx));
	json_object_object_add(o, "used_event", U64(h->used_event));
	json_object_object_add(o, "used_flags", U64(h->used_flags));
	json_object_object_add(o, "used_flags_names", vq_flag_array(h->used_flags, used_flag_names, 1));
	json_object_object_add(o, "used_idx", U64(h->used_idx));
	json_object_object_add(o, "avail_event", U64(h->avail_event));
	json_object_object_add(o, "in_flight", U64(h->in_flight));
	a = json_object_new_array();
	for (i = 0; i < v->nchains; i++) {
		const struct vq_chain *c = &v->chains[i];
		struct json_object *co = json_object_new_object(), *da = json_object_new_array();
		struct json_object *req;

		json_object_object_add(co, "head", U64(c->head));
		json_object_object_add(co, "slot", U64(c->slot % v->layout.size));
		for (j = 0; j < c->ndesc; j++) {
			const struct vq_chain_desc *d = &c->descs[j];
			struct json_object *dobj = json_object_new_object();

			json_object_object_add(dobj, "index", U64(d->index));
			json_object_object_add(dobj, "addr", U64(d->addr));
			json_object_object_add(dobj, "len", U64(d->len));
			json_object_object_add(dobj, "flags", vq_flag_array(d->flags, desc_flag_names, 3));
			json_object_object_add(dobj, "flags_value", U64(d->flags));
			json_object_object_add(dobj, "indirect", json_object_new_boolean(d->in_indirect));
			json_object_array_add(da, dobj);
		}
		json_object_object_add(co, "descriptors", da);
		json_object_object_add(co, "out_bytes", U64(c->out_bytes));
		json_object_object_add(co, "in_bytes", U64(c->in_bytes));
		json_object_object_add(co, "complete", json_object_new_boolean(!c->broken));
		req = vq_request_json(&c->req);
		json_object_object_add(co, "request", req);
		json_object_array_add(a, co);
	}
	json_object_object_add(o, "chains", a);
	a = json_object_new_array();
	for (i = 0; i < v->nused; i++) {
		struct json_object *u = json_object_new_object();

		json_object_object_add(u, "id", U64(v->used[i].id));
		json_object_object_add(u, "len", U64(v->used[i].len));
		json_object_object_add(u, "slot", U64(v->used[i].slot % v->layout.size));
		json_object_object_add(u, "request", vq_request_json(&v->used[i].req));
		json_object_array_add(a, u);
	}
	json_object_object_add(o, "used_entries", a);
	a = json_object_new_array();
	for (i = 0; i < v->nfindings; i++) {
		struct json_object *fo = json_object_new_object();

		json_object_object_add(fo, "code", json_object_new_string(v->findings[i].code));
		json_object_object_add(fo, "severity",
				       json_object_new_string(vq_severity_name(v->findings[i].severity)));
		json_object_object_add(fo, "message", json_object_new_string(v->findings[i].message));
		json_object_array_add(a, fo);
	}
	json_object_object_add(o, "findings", a);
	return o;
}

/* Append to @buf (@len bytes, @n used): what fits, then "..." at the end
 * once it is full. */
static void append(char *buf, size_t len, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t len, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n + 4 >= len)
		return;
	va_start(ap, fmt);
	k = vsnprintf(buf + *n, len - *n, fmt, ap);
	va_end(ap);
	if (k < 0)
		return;
	if (*n + (size_t)k + 4 < len) {
		*n += (size_t)k;
		return;
	}
	*n = len - 4;
	memcpy(buf + *n, "...", 4);
	*n = len;
}

/* Same length and direction: one run in a chain's summary. */
static int desc_alike(const struct vq_chain_desc *a, const struct vq_chain_desc *b)
{
	return a->len == b->len &&
	       (a->flags & VRING_DESC_F_WRITE) == (b->flags & VRING_DESC_F_WRITE);
}

/* "18 descriptors: 16 B out + 16 x 4096 B out, 1 B in": the chain's
 * buffers in order, equal neighbours as one run, "out" device-readable,
 * "in" device-writable. */
void vq_chain_summary(char *buf, size_t len, const struct vq_chain *c)
{
	size_t n = 0;
	unsigned i, j;
	int prev = -1;

	append(buf, len, &n, "%u descriptor%s", c->ndesc, c->ndesc == 1 ? "" : "s");
	for (i = 0; i < c->ndesc; i = j) {
		const struct vq_chain_desc *d = &c->descs[i];
		int in = !!(d->flags & VRING_DESC_F_WRITE);

		for (j = i + 1; j < c->ndesc && desc_alike(d, &c->descs[j]); j++)
			;
		append(buf, len, &n, "%s", prev < 0 ? ": " : in == prev ? " + " : ", ");
		if (j - i > 1)
			append(buf, len, &n, "%u x ", j - i);
		append(buf, len, &n, "%u B %s", d->len, in ? "in" : "out");
		prev = in;
	}
}

/* @b follows @a in a run of identical plain buffers (receive rings): same
 * shape, nothing decoded, the next head. */
static int chains_alike(const struct vq_chain *a, const struct vq_chain *b, uint32_t size)
{
	unsigned i;

	if (a->broken || b->broken || a->ind_len || b->ind_len || a->req.kind != VQ_REQ_NONE ||
	    b->req.kind != VQ_REQ_NONE || a->ndesc != b->ndesc || (a->head + 1u) % size != b->head)
		return 0;
	for (i = 0; i < a->ndesc; i++)
		if (!desc_alike(&a->descs[i], &b->descs[i]))
			return 0;
	return 1;
}

/* One pending chain: its summary; an indirect table's descriptor; with
 * -v every descriptor; the decoded payload. */
static void chain_text(const struct vq_ctx *ctx, const struct vq_ring_view *v,
		       const struct vq_chain *c)
{
	char sum[256], fl[64];
	unsigned j;

	vq_chain_summary(sum, sizeof(sum), c);
	printf("  slot %u head %u: %s%s\n", c->slot % v->layout.size, c->head, sum,
	       c->broken ? " (incomplete)" : "");
	if (c->ind_len)
		printf("    desc[%u] addr 0x%llx len %u: indirect table of %u entries\n", c->ind_index,
		       (unsigned long long)c->ind_addr, c->ind_len, c->ind_len / 16);
	for (j = 0; ctx->verbose && j < c->ndesc; j++) {
		const struct vq_chain_desc *d = &c->descs[j];

		vq_flag_text(fl, sizeof(fl), d->flags, desc_flag_names, 3);
		printf("    %s[%u] addr 0x%llx len %u flags %s\n", d->in_indirect ? "indirect" : "desc",
		       d->index, (unsigned long long)d->addr, d->len, fl);
	}
	vq_request_text(&c->req, 6);
}

/* The pending chains; without -v a run of identical plain buffers is one
 * line with its slot and head ranges. */
static void chains_text(const struct vq_ctx *ctx, const struct vq_ring_view *v)
{
	const uint32_t size = v->layout.size;
	unsigned i, j;
	char sum[256];

	if (v->nchains)
		printf("pending chains (the %u most recently made available, oldest first):\n",
		       v->nchains);
	for (i = 0; i < v->nchains; i = j) {
		const struct vq_chain *c = &v->chains[i];

		for (j = i + 1; !ctx->verbose && j < v->nchains; j++)
			if (!chains_alike(&v->chains[j - 1], &v->chains[j], size))
				break;
		if (j - i == 1) {
			chain_text(ctx, v, c);
			continue;
		}
		vq_chain_summary(sum, sizeof(sum), c);
		printf("  slots %u-%u heads %u-%u: %u chains of %s\n", c->slot % size,
		       v->chains[j - 1].slot % size, c->head, v->chains[j - 1].head, j - i, sum);
	}
}

/* Of the @h's pending entries, how many the device has taken: those
 * before its last_avail_idx (virtio 1.3, 2.7.13: it takes them in order). */
static unsigned device_taken(const struct vq_ring_hdr *h, const struct vq_queue_state *dv)
{
	unsigned taken = (uint16_t)(dv->dv_last_avail_idx - h->used_idx);

	return taken > h->in_flight ? h->in_flight : taken;
}

/* 1 when the device has taken the chain made available at avail index @slot. */
static int chain_taken(const struct vq_ring_hdr *h, const struct vq_queue_state *dv, uint16_t slot)
{
	return (uint16_t)(slot - h->used_idx) < device_taken(h, dv);
}

/* The device side's view in a ring's JSON: "device_view", and per pending
 * chain "taken_by_device". */
static void ring_json_device(struct json_object *o, const struct vq_ring_view *v,
			     const struct vq_queue_state *dv)
{
	struct json_object *d = json_object_new_object(), *a;
	unsigned i;

	json_object_object_add(d, "source", json_object_new_string(vq_source_name(dv->dv_src)));
	json_object_object_add(d, "last_avail_idx", U64(dv->dv_last_avail_idx));
	json_object_object_add(d, "shadow_avail_idx", U64(dv->dv_shadow_avail_idx));
	json_object_object_add(d, "used_idx", U64(dv->dv_used_idx));
	json_object_object_add(d, "signalled_used", U64(dv->dv_signalled_used));
	json_object_object_add(d, "inuse", U64(dv->dv_inuse));
	json_object_object_add(o, "device_view", d);
	if (!json_object_object_get_ex(o, "chains", &a))
		return;
	for (i = 0; i < v->nchains && i < json_object_array_length(a); i++)
		json_object_object_add(json_object_array_get_idx(a, i), "taken_by_device",
				       json_object_new_boolean(chain_taken(&v->hdr, dv, v->chains[i].slot)));
}

static void ring_text(const struct vq_ctx *ctx, const struct vq_ring_view *v, const char *layout_note,
		      const struct vq_queue_state *dv)
{
	const struct vq_ring_hdr *h = &v->hdr;
	char fl[64];
	unsigned i;

	printf("ring: size %u  desc 0x%llx  avail 0x%llx  used 0x%llx\n", v->layout.size,
	       (unsigned long long)v->layout.desc, (unsigned long long)v->layout.avail,
	       (unsigned long long)v->layout.used);
	if (layout_note)
		printf("layout: %s\n", layout_note);
	vq_flag_text(fl, sizeof(fl), h->avail_flags, avail_flag_names, 1);
	printf("avail: flags 0x%04x [%s]  idx %u  used_event %u\n", h->avail_flags, fl,
	       h->avail_idx, h->used_event);
	vq_flag_text(fl, sizeof(fl), h->used_flags, used_flag_names, 1);
	printf("used:  flags 0x%04x [%s]  idx %u  avail_event %u\n", h->used_flags, fl,
	       h->used_idx, h->avail_event);
	printf("in flight: %u\n", h->in_flight);
	if (dv)
		printf("device (%s): last_avail %u inuse %u: %u of them taken by the device, %u not yet\n",
		       vq_source_name(dv->dv_src), dv->dv_last_avail_idx, dv->dv_inuse,
		       device_taken(h, dv), h->in_flight - device_taken(h, dv));
	chains_text(ctx, v);
	if (v->nused)
		printf("recent used entries (newest first%s):\n",
		       ctx->verbose ? "; payloads as their descriptors point now" : "");
	for (i = 0; i < v->nused; i++) {
		printf("  slot %u id %u len %u\n", v->used[i].slot % v->layout.size, v->used[i].id,
		       v->used[i].len);
		if (ctx->verbose)
			vq_request_text(&v->used[i].req, 4);
	}
	if (v->nfindings) {
		printf("findings:\n");
		for (i = 0; i < v->nfindings; i++)
			printf("  %s%s%s %s: %s\n", vq_color_sev(ctx, (int)v->findings[i].severity),
			       vq_severity_name(v->findings[i].severity), vq_color_off(ctx),
			       v->findings[i].code, v->findings[i].message);
	}
}

/* DESC or DESC,AVAIL,USED */
static int parse_at(const char *s, uint64_t addr[3], int *count)
{
	char *copy = strdup(s), *tok, *save = NULL;
	int n = 0, ret = 0;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == 3 || vq_parse_u64(tok, &addr[n])) {
			ret = -1;
			break;
		}
		n++;
	}
	free(copy);
	if (n != 1 && n != 3)
		ret = -1;
	*count = n;
	return ret;
}

/* What the options ask for, and what --queue adds from the device. */
struct ring_opts {
	uint64_t at[3];      /* --at DESC[,AVAIL,USED], or the queue's addresses */
	int nat;             /* addresses given: 0, 1 or 3 */
	uint64_t size;       /* --size, or the queue's */
	int have_size;       /* @size is known */
	int size_given;      /* --size was given */
	uint64_t align;      /* --align, 0 when not given */
	uint64_t recent;     /* --recent */
	uint32_t type;       /* --type, or the device's ID; 0 = guess */
	int type_given;      /* --type was given */
	int queue;           /* --queue, -1 when not given */
	int force;           /* --force: misaligned --at addresses are read */
	int packed;          /* the ring is packed: --packed, or the device's */
	int packed_given;    /* --packed was given */
	const char *devname; /* the device --queue reads, or NULL */
	int all;             /* --queue without -d, several devices: each one's
			      * queue is shown, and a failure is kept in @why */
	char why[1200];      /* why the last queue could not be shown (@all) */
	const struct vq_dev *dev;        /* --queue: the device and its queue, else NULL */
	const struct vq_queue_state *q;
};

/* The queue, when Linux's records gave the driver's state (drv_valid). */
static const struct vq_queue_state *opt_drv(const struct ring_opts *o)
{
	return o->q && o->q->drv_valid ? o->q : NULL;
}

/* The queue, when its source gave the device side's view of it (--qemu). */
static const struct vq_queue_state *opt_dv(const struct ring_opts *o)
{
	return o->q && o->q->dv_valid ? o->q : NULL;
}

/* A queue that cannot be shown, for @code (EXIT_USAGE or EXIT_ACCESS):
 * alone, said on stderr as every error is ("vqdump: ring: ..."); with
 * o->all only kept in o->why, for the list of queues not shown.  Returns
 * @code. */
static int __attribute__((format(printf, 3, 4)))
ring_fail(struct ring_opts *o, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->why, sizeof(o->why), fmt, ap);
	va_end(ap);
	if (o->all)
		return code;
	if (code == EXIT_USAGE)
		return vq_usage_err("ring", "%s", o->why);
	vq_err("ring: %s", o->why);
	return code;
}

/* --queue N of device @d: the ring's addresses and size into @o.  0, or
 * the exit status after ring_fail(). */
static int queue_target(struct vq_ctx *ctx, struct vq_dev *d, struct ring_opts *o)
{
	const struct vq_queue_state *q;
	enum vq_ring_access why;

	/* Every device's queue: refreshed once, before (ring_every_device). */
	if (!o->all && vq_dev_refresh(ctx, d))
		return EXIT_ACCESS; /* said */
	if (!d->num_queues)
		return ring_fail(o, EXIT_ACCESS, "the queues of %s could not be read (see 'vqdump -d %s regs')",
				 d->name, d->name);
	/* Packed rings: another layout, the same three address registers
	 * (desc, driver area, device area). */
	o->packed = vq_dev_packed(d);
	if (o->packed_given && !o->packed)
		return ring_fail(o, EXIT_USAGE, "%s did not negotiate VIRTIO_F_RING_PACKED: its rings are split, leave out --packed",
				 d->name);
	if ((unsigned)o->queue >= d->num_queues)
		return ring_fail(o, EXIT_USAGE, "%s has %u queues (0 to %u), not %d", d->name,
				 d->num_queues, d->num_queues - 1, o->queue);
	q = &d->queues[o->queue];
	/* The size is --size's or the queue's, below. */
	why = vq_queue_ring_access(d, q, VQ_SIZE_OR_MAX);
	if (why == VQ_RING_NO_ADDRS)
		return ring_fail(o, EXIT_ACCESS, "the ring addresses of %s queue %d cannot be read back on this transport; find the ring with 'scan', then use 'ring --at'",
				 d->name, o->queue);
	if (why == VQ_RING_DISABLED)
		return ring_fail(o, EXIT_ACCESS, "queue %d of %s is not set up (enabled %u, desc 0x%llx): no ring to read",
				 o->queue, d->name, q->enabled, (unsigned long long)q->desc);
	if (!o->size_given)
		o->size = vq_queue_ring_size(q, VQ_SIZE_OR_MAX);
	if (!o->size)
		return ring_fail(o, EXIT_USAGE, "the queue size of %s queue %d cannot be read back; give --size N",
				 d->name, o->queue);
	o->at[0] = q->desc;
	o->at[1] = q->avail;
	o->at[2] = q->used;
	o->nat = 3;
	o->have_size = 1;
	if (!o->type_given)
		o->type = d->device_id;
	o->devname = d->name;
	o->dev = d;
	o->q = q;
	return 0;
}

/* --at's addresses against virtio 1.3 section 2.7 (desc 16, avail 2, used
 * 4): a misaligned part is a mistyped address far more often than a ring,
 * so it is a usage error unless --force.  0 or EXIT_USAGE. */
static int check_at_align(const struct ring_opts *o)
{
	struct vq_ring_layout l = { o->at[0], o->at[0], o->at[0], (uint32_t)o->size, 0 };
	const char *part;
	uint64_t addr;
	uint32_t align;

	if (o->force)
		return 0;
	if (o->nat == 3) {
		l.avail = o->at[1];
		l.used = o->at[2];
	} else if (o->align) {
		/* --align 1 or 2 can leave the used ring off 4 (18 * size + 6
		 * bytes before it); 64 and 4096, the two guessed, cannot. */
		vq_ring_layout_contig(o->at[0], (uint32_t)o->size, (uint32_t)o->align, &l);
	}
	part = vq_ring_misaligned(&l, &addr, &align);
	if (part)
		return vq_usage_err("ring", "--at: the %s at 0x%llx is not %u-byte aligned as virtio 1.3 section 2.7 requires (--force reads it anyway)",
				    part, (unsigned long long)addr, align);
	return 0;
}

/* check_opts() for a packed ring: three addresses, a packed Queue Size,
 * section 2.8.10.1's alignment unless --force.  0 or EXIT_USAGE. */
static int check_packed_opts(const struct ring_opts *o)
{
	struct vq_packed_layout l = { o->at[0], o->at[1], o->at[2], (uint32_t)o->size };
	const char *part;
	uint64_t addr;
	uint32_t align;

	if (o->nat != 3)
		return vq_usage_err("ring", "--packed takes the three areas: --at DESC,DRIVER,DEVICE");
	if (o->align)
		return vq_usage_err("ring", "--align does not apply to a packed ring");
	if ((o->queue < 0 || o->size_given) && vq_packed_size_problem((uint32_t)o->size))
		return vq_usage_err("ring", "--size %llu: %s (a packed ring has a size from 1 to 32768)",
				    (unsigned long long)o->size, vq_packed_size_problem((uint32_t)o->size));
	if (o->queue >= 0)
		return 0;
	part = vq_packed_wraps(&l);
	if (part)
		return vq_usage_err("ring", "--at: the %s of a packed ring of %u entries there runs past the end of the 64-bit address space",
				    part, l.size);
	part = o->force ? NULL : vq_packed_misaligned(&l, &addr, &align);
	if (part)
		return vq_usage_err("ring", "--at: the %s at 0x%llx is not %u-byte aligned as virtio 1.3 section 2.8.10.1 requires (--force reads it anyway)",
				    part, (unsigned long long)addr, align);
	return 0;
}

/* A packed ring (o->packed): decoded and shown by ring_packed.c. */
static int show_packed(struct vq_ctx *ctx, struct ring_opts *o, struct json_object *rings)
{
	const struct vq_queue_state *drv = opt_drv(o);
	struct vq_packed_req r = {
		.desc = o->at[0], .driver = o->at[1], .device = o->at[2],
		.size = (uint32_t)o->size, .recent = (unsigned)o->recent, .type = o->type,
		.queue = o->queue, .devname = o->devname,
		/* Live, the ring moves on after the record was read. */
		.drv_used = drv ? drv->drv_last_used_idx : 0,
		.drv_used_known = drv && !vq_session_is_live(&ctx->sess),
		.drv_rec = drv ? drv->drv_rec : NULL,
		/* Live, Linux's records are read around the ring. */
		.live_dev = vq_session_is_live(&ctx->sess) ? o->dev : NULL,
		.live_q = vq_session_is_live(&ctx->sess) ? o->q : NULL,
		.no_rec_why = !o->q ? NULL
			      : ctx->sess.qemu ? "QEMU's QMP gives no driver's per-ID records"
			      : "this image holds no driver's per-ID records (vqdump reads Linux's on a dump, with its BTF)",
	};
	char why[400];
	int ret = vq_ring_packed_show(ctx, &r, rings, why, sizeof(why));

	if (ret && o->devname)
		return ring_fail(o, ret, "%s queue %d: %s", o->devname, o->queue, why);
	return ret ? ring_fail(o, ret, "%s", why) : EXIT_OK;
}

/* The options that only make sense together, checked once the queue's
 * part is known: 0 or EXIT_USAGE. */
static int check_opts(const struct ring_opts *o)
{
	if (!o->nat)
		return vq_usage_err("ring", "give --queue N (live, with -d) or the ring's address with --at DESC[,AVAIL,USED]");
	if (!o->have_size)
		return vq_usage_err("ring", "give the queue size with --size N");
	if (o->packed)
		return check_packed_opts(o);
	if ((o->queue < 0 || o->size_given) && vq_ring_size_problem((uint32_t)o->size))
		return vq_usage_err("ring", "--size %llu: %s (a split ring has a power-of-two size up to 32768)",
				    (unsigned long long)o->size, vq_ring_size_problem((uint32_t)o->size));
	if (o->nat == 3 && o->align)
		return vq_usage_err("ring", "--align only applies when --at gives DESC alone");
	return o->queue < 0 ? check_at_align(o) : 0;
}

/* Where the three parts are: as given, or contiguous after DESC
 * (vq_ring_guess_layout).  @note is "" when the parts were given. */
static int choose_layout(const struct vq_fetch *f, const struct ring_opts *o,
			 struct vq_ring_layout *l, char *note, size_t notelen)
{
	note[0] = 0;
	if (o->nat == 3) {
		*l = (struct vq_ring_layout){ o->at[0], o->at[1], o->at[2], (uint32_t)o->size, 0 };
		return 0;
	}
	return vq_ring_guess_layout(f, o->at[0], (uint32_t)o->size, (uint32_t)o->align, l, note,
				    notelen);
}

/* The layout chosen for the ring, before anything is decoded: every byte
 * of it has an address below 2^64 (never a wrap to low memory: a usage
 * error for --at, the source's fault for --queue) and is in the source
 * (else one line and EXIT_ACCESS, as for the avail ring's header).  0 or
 * the exit status. */
static int check_layout(struct vq_ctx *ctx, struct ring_opts *o,
			const struct vq_ring_layout *l)
{
	const char *part = vq_ring_wraps(l);

	/* Contiguous parts computed after DESC: a wrap makes them go down. */
	if (!part && o->nat == 1 && (l->avail < l->desc || l->used < l->avail))
		part = l->avail < l->desc ? "available ring" : "used ring";
	if (part && o->queue < 0)
		return vq_usage_err("ring", "--at: the %s of a ring of %u entries there runs past the end of the 64-bit address space",
				    part, l->size);
	if (part)
		return ring_fail(o, EXIT_ACCESS, "%s queue %d: the %s runs past the end of the 64-bit address space",
				 o->devname, o->queue, part);
	if (vq_ring_parts_present(&ctx->sess.fetch, l) < 0)
		return ring_fail(o, EXIT_ACCESS, "%s%s%s", o->devname && !o->all ? o->devname : "",
				 o->devname && !o->all ? ": " : "", ctx->sess.mem.err);
	return 0;
}

/* Decode the ring the options name and print it, or with @rings (every
 * device's queue as JSON) add it there: the exit status. */
static int show_ring(struct vq_ctx *ctx, struct ring_opts *o, struct json_object *rings)
{
	struct vq_ring_layout l;
	struct vq_ring_view v;
	char note[160];
	const char *layout_note;
	int how, ret, moved;

	if (o->packed)
		return show_packed(ctx, o, rings);
	how = choose_layout(&ctx->sess.fetch, o, &l, note, sizeof(note));
	layout_note = note[0] ? note : NULL;
	ret = check_layout(ctx, o, &l);
	if (ret)
		return ret;
	if (vq_ring_view_alloc(&v, (uint32_t)o->size, (unsigned)o->recent))
		return ring_fail(o, EXIT_ACCESS, "decode ring: out of memory");
	v.layout = l;
	v.device_id = o->type;
	ret = vq_ring_decode_settled(&ctx->sess.fetch, &v, (unsigned)o->recent,
				     vq_session_is_live(&ctx->sess), &moved);
	if (ret < 0 && v.nfindings && !strcmp(v.findings[0].code, "BAD_QUEUE_SIZE")) {
		/* A size only a device can give: nothing else can be decoded. */
		ret = ring_fail(o, EXIT_ACCESS, "%s queue %d: BAD_QUEUE_SIZE: %s", o->devname,
				o->queue, v.findings[0].message);
		goto out;
	}
	if (ret < 0) {
		ret = ring_fail(o, EXIT_ACCESS, "%s", ctx->sess.mem.err);
		goto out;
	}
	if (how & VQ_LAYOUT_GUESSED)
		vq_ring_finding(&v, "LAYOUT_GUESSED", VQ_SEV_WARNING, "%s", layout_note);
	if (rings || ctx->json) {
		struct json_object *j = ring_json(&v, o->queue, o->devname,
						  !!(how & VQ_LAYOUT_AMBIGUOUS));

		json_object_object_add(j, "moved_while_read", json_object_new_boolean(moved));
		if (opt_dv(o))
			ring_json_device(j, &v, opt_dv(o));
		if (rings)
			json_object_array_add(rings, j);
		else
			vq_json_print(j);
	} else {
		if (o->devname)
			printf("device %s queue %d\n", o->devname, o->queue);
		ring_text(ctx, &v, layout_note, opt_dv(o));
		if (moved)
			printf("note: the ring moved while it was read (3 tries): pending chains may\n"
			       "      include requests completed meanwhile\n");
	}
	ret = EXIT_OK;
out:
	vq_ring_view_free(&v);
	return ret;
}

/* Queue o->queue of @d could not be shown (o->why says why): a line in
 * the text, an entry of "skipped" in the JSON. */
static void not_shown(const struct vq_ctx *ctx, const struct vq_dev *d, const struct ring_opts *o,
		      struct json_object *skipped)
{
	struct json_object *e;

	if (!ctx->json) {
		printf("device %s queue %d: not shown: %s\n", d->name, o->queue, o->why);
		return;
	}
	e = json_object_new_object();
	json_object_object_add(e, "device", json_object_new_string(d->name));
	json_object_object_add(e, "queue", U64(o->queue));
	json_object_object_add(e, "reason", json_object_new_string(o->why));
	json_object_array_add(skipped, e);
}

/* Refresh every device (a failure is said on stderr, as vq_dev_refresh
 * does) and count those with queue @queue; @ok[i] says device i was read. */
static size_t refresh_all(struct vq_ctx *ctx, int queue, unsigned char *ok)
{
	size_t i, have = 0;

	for (i = 0; i < ctx->sess.devs.n; i++) {
		struct vq_dev *d = &ctx->sess.devs.devs[i];

		ok[i] = !vq_dev_refresh(ctx, d);
		have += ok[i] && d->num_queues > (unsigned)queue;
	}
	return have;
}

/*
 * --queue N without -d where there are several devices: queue N of every
 * device that has one, as 'status' shows every device.  Text: each ring
 * under its "device D queue N" line, a blank line between; a queue N that
 * cannot be shown gets one line saying why.  JSON: {"rings": [ring objects,
 * as alone], "skipped": [{"device", "queue", "reason"}]}.  Exit 0 when a
 * ring was shown; else 2 when no device has queue N, 3 otherwise.
 */
static int ring_every_device(struct vq_ctx *ctx, struct ring_opts *o)
{
	struct json_object *root, *rings, *skipped;
	unsigned char *ok = calloc(ctx->sess.devs.n, 1);
	size_t i, shown = 0, lines = 0;
	int ret;

	if (!ok) {
		vq_err("ring: out of memory");
		return EXIT_ACCESS;
	}
	ret = refresh_all(ctx, o->queue, ok) ? vq_ctx_open_mem(ctx)
		: vq_usage_err("ring", "no device has a queue %d (see 'vqdump status')", o->queue);
	if (ret) {
		free(ok);
		return ret;
	}
	root = json_object_new_object();
	rings = json_object_new_array();
	skipped = json_object_new_array();
	o->all = 1;
	for (i = 0; i < ctx->sess.devs.n; i++) {
		struct vq_dev *d = &ctx->sess.devs.devs[i];
		int r;

		if (ok[i] && d->num_queues <= (unsigned)o->queue)
			continue; /* it has no queue N: nothing to show */
		r = ok[i] ? queue_target(ctx, d, o)
			  : ring_fail(o, EXIT_ACCESS, "its registers could not be read (the error is on standard error)");
		/* The options' own mistakes (--size, --align) stop everything. */
		if (!r && (ret = check_opts(o)) != 0)
			break;
		if (!ctx->json && lines++)
			putchar('\n');
		if (!r)
			r = show_ring(ctx, o, ctx->json ? rings : NULL);
		if (r)
			not_shown(ctx, d, o, skipped);
		else
			shown++;
	}
	free(ok);
	json_object_object_add(root, "rings", rings);
	json_object_object_add(root, "skipped", skipped);
	if (!ret && ctx->json)
		vq_json_print(root);
	else
		json_object_put(root);
	if (ret || shown)
		return ret;
	vq_err("ring: no device's queue %d could be shown (the output says why for each)", o->queue);
	return EXIT_ACCESS;
}

/* --queue N: of the device -d names, of the only one, or of every one. */
static int ring_queue(struct vq_ctx *ctx, struct ring_opts *o)
{
	struct vq_dev *d;
	int ret = vq_ctx_open_devices(ctx);

	if (ret)
		return ret;
	if (!ctx->device && ctx->sess.devs.n > 1)
		return ring_every_device(ctx, o);
	d = vq_ctx_device(ctx, &ret);
	if (!d)
		return ret;
	ret = queue_target(ctx, d, o);
	if (!ret)
		ret = check_opts(o);
	if (!ret)
		ret = vq_ctx_open_mem(ctx);
	return ret ? ret : show_ring(ctx, o, NULL);
}

int vq_cmd_ring(struct vq_ctx *ctx, int argc, char **argv)
{
	const struct vq_cmd *cmd = vq_find_cmd("ring");
	struct ring_opts o = { .recent = 8, .queue = -1 };
	int c, ret;

	while ((c = vq_cmd_getopt(cmd, argc, argv)) != -1) {
		switch (c) {
		case 'a':
			if (parse_at(optarg, o.at, &o.nat))
				return vq_usage_err("ring", "--at takes DESC or DESC,AVAIL,USED (addresses), not '%s'",
						    optarg);
			break;
		case 's':
			if (vq_parse_u64(optarg, &o.size) || o.size > UINT32_MAX)
				return vq_usage_err("ring", "--size takes a number, not '%s'", optarg);
			o.have_size = 1;
			o.size_given = 1;
			break;
		case 'A':
			if (vq_parse_u64(optarg, &o.align) || !o.align || o.align & (o.align - 1) ||
			    o.align > (1u << 20))
				return vq_usage_err("ring", "--align takes a power of two up to 1 MiB, not '%s'",
						    optarg);
			break;
		case 't':
			o.type = vq_payload_type_id(optarg);
			o.type_given = 1;
			if (!o.type)
				return vq_usage_err("ring", "--type takes one of %s, not '%s'",
						    vq_payload_type_names, optarg);
			break;
		case 'q': {
			uint64_t qn;

			if (vq_parse_u64(optarg, &qn) || qn >= VQ_QUEUES_MAX)
				return vq_usage_err("ring", "--queue takes a queue number, not '%s'", optarg);
			o.queue = (int)qn;
			break;
		}
		case 'f':
			o.force = 1;
			break;
		case 'P':
			o.packed = o.packed_given = 1;
			break;
		case 'R':
			if (vq_parse_u64(optarg, &o.recent) || o.recent > VQ_RING_MAX_SIZE)
				return vq_usage_err("ring", "--recent takes a number up to 32768, not '%s'",
						    optarg);
			break;
		}
	}
	if (optind < argc)
		return vq_usage_err("ring", "unexpected argument '%s'", argv[optind]);
	if (o.queue >= 0 && o.nat)
		return vq_usage_err("ring", "give --queue (live) or --at (by address), not both");
	if (o.queue >= 0)
		return ring_queue(ctx, &o);
	ret = check_opts(&o);
	if (ret)
		return ret;
	ret = vq_ctx_open_mem(ctx);
	if (ret)
		return ret;
	return show_ring(ctx, &o, NULL);
}
