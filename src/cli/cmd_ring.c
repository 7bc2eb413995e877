/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `ring`: one split queue given by address, decoded from guest memory. */
#include <linux/virtio_ring.h>
#include <stdlib.h>
#include <string.h>

#include "../access/ringview.h"
#include "../decode/names.h"
#include "../decode/ring.h"
#include "../model/hex.h"
#include "cli.h"

const struct vq_opt vq_ring_options[] = {
	{ "at", required_argument, 'a', 0, "DESC[,AVAIL,USED]", "the ring's addresses (or DESC alone: contiguous)" },
	{ "size", required_argument, 's', 0, "N", "queue size (a power of two up to 32768)" },
	{ "align", required_argument, 'A', 0, "A", "used-ring alignment when --at gives DESC alone" },
	{ "type", required_argument, 't', 0, "T", "decode payloads as device type T (names below)" },
	{ "recent", required_argument, 'R', 0, "K", "newest used entries shown (default 8)" },
	{ "queue", required_argument, 'q', 0, "N", "queue N of the live device -d names" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static const char *const desc_flag_names[] = { "NEXT", "WRITE", "INDIRECT" };

static struct json_object *flag_array(unsigned v, const char *const *names, unsigned nnames)
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

static void flag_text(char *buf, size_t len, unsigned v, const char *const *names,
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
	json_object_object_add(o, "size", U64(v->layout.size));
	json_object_object_add(o, "desc", U64(v->layout.desc));
	json_object_object_add(o, "avail", U64(v->layout.avail));
	json_object_object_add(o, "used", U64(v->layout.used));
	json_object_object_add(o, "align", v->layout.align ? U64(v->layout.align) : NULL);
	json_object_object_add(o, "align_ambiguous", json_object_new_boolean(ambiguous));
	json_object_object_add(o, "avail_flags", U64(h->avail_flags));
	json_object_object_add(o, "avail_flags_names", flag_array(h->avail_flags, avail_flag_names, 1));
	json_object_object_add(o, "avail_idx", U64(h->avail_idx));
	json_object_object_add(o, "used_event", U64(h->used_event));
	json_object_object_add(o, "used_flags", U64(h->used_flags));
	json_object_object_add(o, "used_flags_names", flag_array(h->used_flags, used_flag_names, 1));
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
			json_object_object_add(dobj, "flags", flag_array(d->flags, desc_flag_names, 3));
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

static void ring_text(const struct vq_ctx *ctx, const struct vq_ring_view *v, const char *layout_note)
{
	const struct vq_ring_hdr *h = &v->hdr;
	char fl[64];
	unsigned i, j;

	printf("ring: size %u  desc 0x%llx  avail 0x%llx  used 0x%llx\n", v->layout.size,
	       (unsigned long long)v->layout.desc, (unsigned long long)v->layout.avail,
	       (unsigned long long)v->layout.used);
	if (layout_note)
		printf("layout: %s\n", layout_note);
	flag_text(fl, sizeof(fl), h->avail_flags, avail_flag_names, 1);
	printf("avail: flags 0x%04x [%s]  idx %u  used_event %u\n", h->avail_flags, fl,
	       h->avail_idx, h->used_event);
	flag_text(fl, sizeof(fl), h->used_flags, used_flag_names, 1);
	printf("used:  flags 0x%04x [%s]  idx %u  avail_event %u\n", h->used_flags, fl,
	       h->used_idx, h->avail_event);
	printf("in flight: %u\n", h->in_flight);
	if (v->nchains)
		printf("pending chains (the %u most recently made available, oldest first):\n",
		       v->nchains);
	for (i = 0; i < v->nchains; i++) {
		const struct vq_chain *c = &v->chains[i];

		printf("  slot %u head %u: %u descriptor%s, %llu bytes out, %llu in%s\n",
		       c->slot % v->layout.size, c->head, c->ndesc, c->ndesc == 1 ? "" : "s",
		       (unsigned long long)c->out_bytes, (unsigned long long)c->in_bytes,
		       c->broken ? " (incomplete)" : "");
		if (ctx->verbose || v->nchains <= 16)
			for (j = 0; j < c->ndesc; j++) {
				const struct vq_chain_desc *d = &c->descs[j];

				flag_text(fl, sizeof(fl), d->flags, desc_flag_names, 3);
				printf("    %s[%u] addr 0x%llx len %u flags %s\n",
				       d->in_indirect ? "indirect" : "desc", d->index,
				       (unsigned long long)d->addr, d->len, fl);
			}
		vq_request_text(&c->req, 6);
	}
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
	int queue;           /* --queue, -1 when not given */
	const char *devname; /* the device --queue reads, or NULL */
};

/* --queue N: the ring's addresses and size from the live device (-d).
 * 0, or the exit status after printing the error. */
static int queue_target(struct vq_ctx *ctx, struct ring_opts *o)
{
	const struct vq_queue_state *q;
	enum vq_ring_access why;
	struct vq_dev *d;
	int ret;

	d = vq_ctx_device(ctx, &ret);
	if (!d)
		return ret;
	ret = vq_dev_refresh(ctx, d);
	if (ret)
		return ret;
	if (!d->num_queues) {
		vq_err("ring: the queues of %s could not be read (see 'vqdump -d %s regs')",
		       d->name, d->name);
		return EXIT_ACCESS;
	}
	/* Packed rings: another layout entirely. */
	if (vq_dev_packed(d)) {
		vq_err("ring: %s uses packed virtqueues (VIRTIO_F_RING_PACKED), which this version does not decode",
		       d->name);
		return EXIT_ACCESS;
	}
	if ((unsigned)o->queue >= d->num_queues)
		return vq_usage_err("ring", "%s has %u queues (0 to %u), not %d", d->name,
				    d->num_queues, d->num_queues ? d->num_queues - 1 : 0, o->queue);
	q = &d->queues[o->queue];
	/* Not packed (above); the size is --size's or the queue's, below. */
	why = vq_queue_ring_access(d, q, VQ_SIZE_OR_MAX);
	if (why == VQ_RING_NO_ADDRS) {
		vq_err("ring: the ring addresses of %s queue %d cannot be read back on this transport; find the ring with 'scan', then use 'ring --at'",
		       d->name, o->queue);
		return EXIT_ACCESS;
	}
	if (why == VQ_RING_DISABLED) {
		vq_err("ring: queue %d of %s is not set up (enabled %u, desc 0x%llx): no ring to read",
		       o->queue, d->name, q->enabled, (unsigned long long)q->desc);
		return EXIT_ACCESS;
	}
	if (!o->have_size)
		o->size = vq_queue_ring_size(q, VQ_SIZE_OR_MAX);
	if (!o->size)
		return vq_usage_err("ring", "the queue size of %s queue %d cannot be read back; give --size N",
				    d->name, o->queue);
	o->at[0] = q->desc;
	o->at[1] = q->avail;
	o->at[2] = q->used;
	o->nat = 3;
	o->have_size = 1;
	if (!o->type)
		o->type = d->device_id;
	o->devname = d->name;
	return 0;
}

/* The options that only make sense together, checked once the queue's
 * part is known: 0 or EXIT_USAGE. */
static int check_opts(const struct ring_opts *o)
{
	if (!o->nat)
		return vq_usage_err("ring", "give --queue N (live, with -d) or the ring's address with --at DESC[,AVAIL,USED]");
	if (!o->have_size)
		return vq_usage_err("ring", "give the queue size with --size N");
	if ((o->queue < 0 || o->size_given) && vq_ring_size_problem((uint32_t)o->size))
		return vq_usage_err("ring", "--size %llu: %s (a split ring has a power-of-two size up to 32768)",
				    (unsigned long long)o->size, vq_ring_size_problem((uint32_t)o->size));
	if (o->nat == 3 && o->align)
		return vq_usage_err("ring", "--align only applies when --at gives DESC alone");
	return 0;
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

/* Decode the ring the options name into @v and print it: the exit status. */
static int show_ring(struct vq_ctx *ctx, const struct ring_opts *o)
{
	struct vq_ring_layout l;
	struct vq_ring_view v;
	char note[160];
	const char *layout_note;
	int how, ret;

	how = choose_layout(&ctx->sess.fetch, o, &l, note, sizeof(note));
	layout_note = note[0] ? note : NULL;
	if (vq_ring_view_alloc(&v, (uint32_t)o->size, (unsigned)o->recent)) {
		vq_err("decode ring: out of memory");
		return EXIT_ACCESS;
	}
	v.layout = l;
	v.device_id = o->type;
	ret = vq_ring_decode(&ctx->sess.fetch, &v, (unsigned)o->recent);
	if (ret < 0 && v.nfindings && !strcmp(v.findings[0].code, "BAD_QUEUE_SIZE")) {
		/* A size only a device can give: nothing else can be decoded. */
		vq_err("ring: %s queue %d: BAD_QUEUE_SIZE: %s", o->devname, o->queue,
		       v.findings[0].message);
		ret = EXIT_ACCESS;
		goto out;
	}
	if (ret < 0) {
		vq_err("%s", ctx->sess.mem.err);
		ret = EXIT_ACCESS;
		goto out;
	}
	if (how & VQ_LAYOUT_GUESSED)
		vq_ring_finding(&v, "LAYOUT_GUESSED", VQ_SEV_WARNING, "%s", layout_note);
	if (ctx->json)
		vq_json_print(ring_json(&v, o->queue, o->devname, !!(how & VQ_LAYOUT_AMBIGUOUS)));
	else {
		if (o->devname)
			printf("device %s queue %d\n", o->devname, o->queue);
		ring_text(ctx, &v, layout_note);
	}
	ret = EXIT_OK;
out:
	vq_ring_view_free(&v);
	return ret;
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
	if (o.queue >= 0 && (ret = queue_target(ctx, &o)) != 0)
		return ret;
	ret = check_opts(&o);
	if (ret)
		return ret;
	ret = vq_ctx_open_mem(ctx);
	if (ret)
		return ret;
	return show_ring(ctx, &o);
}
