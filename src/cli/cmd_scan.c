/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `scan`: find split and packed rings in memory with no register state. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../decode/scan.h"
#include "../model/names.h"
#include "cli.h"

const struct vq_opt vq_scan_options[] = {
	{ "step", required_argument, 's', 0, "BYTES", "descriptor-table alignment searched (default 4096)" },
	{ "min-size", required_argument, 'm', 0, "N", "smallest queue size tried (default 1)" },
	{ "max-size", required_argument, 'M', 0, "N", "largest queue size tried (default 32768)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

#define MAX_HITS 65536

static int pow2_opt(const char *name, const char *arg, uint64_t lo, uint64_t hi, uint64_t *out)
{
	if (vq_parse_u64(arg, out) || *out < lo || *out > hi || (*out & (*out - 1)))
		return vq_usage_err("scan", "--%s takes a power of two from %llu to %llu, not '%s'",
				    name, (unsigned long long)lo, (unsigned long long)hi, arg);
	return 0;
}

/* What scan found. */
struct scan_result {
	struct vq_scan_hit *hits; /* rings found, in address order */
	size_t nhits;             /* entries in @hits */
	int overflow;             /* more than MAX_HITS: the list is cut */
	uint64_t missing;         /* bytes the headers promise but the file lacks */
	uint64_t zero_fill;       /* bytes of zero fill, not searched */
	uint64_t filtered;        /* bytes of RAM a filter left out of the dump */
	char truncation[128];     /* "truncated: ..." when @missing, else "" */
	const struct vq_dev **qdev; /* per hit: the device whose queue has this ring, or NULL */
	unsigned *qidx;           /* per hit: that queue's index */
};

/*
 * On an image, the queues its own records name (a dumped kernel's, a
 * snapshot's): each ring found is matched to the queue whose descriptor
 * table it is, so that scan says which rings those records confirm.  Not
 * live: listing devices there reads their registers.  Without records
 * (or memory for the table) every ring stays unmatched.
 */
static void match_queues(struct vq_ctx *ctx, struct scan_result *r)
{
	const struct vq_dev_list *l = &ctx->sess.devs;
	char err[256];
	size_t i, d, q;

	if (vq_session_is_live(&ctx->sess) || !r->nhits)
		return;
	r->qdev = calloc(r->nhits, sizeof(*r->qdev));
	r->qidx = calloc(r->nhits, sizeof(*r->qidx));
	if (!r->qdev || !r->qidx || vq_session_find_devices(&ctx->sess, err, sizeof(err)))
		return;
	for (i = 0; i < r->nhits; i++)
		for (d = 0; d < l->n; d++)
			for (q = 0; q < l->devs[d].num_queues; q++)
				if (l->devs[d].queues[q].desc && l->devs[d].queues[q].desc == r->hits[i].layout.desc) {
					r->qdev[i] = &l->devs[d];
					r->qidx[i] = (unsigned)q;
				}
}

/* The queue record of hit @i, or null. */
static struct json_object *queue_json(const struct scan_result *r, size_t i)
{
	struct json_object *o;
	const struct vq_dev *d = r->qdev ? r->qdev[i] : NULL;

	if (!d)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "device", json_object_new_string(d->name));
	json_object_object_add(o, "queue", json_object_new_uint64(r->qidx[i]));
	json_object_object_add(o, "source", json_object_new_string(vq_source_name(d->queues[r->qidx[i]].addr_src)));
	return o;
}

/* Scan every segment of the open memory; 0 or -ENOMEM. */
static int scan_memory(struct vq_ctx *ctx, const struct vq_scan_opts *o, struct scan_result *r)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->hits = calloc(MAX_HITS, sizeof(*r->hits));
	if (!r->hits)
		return -ENOMEM;
	ret = vq_mem_scan(&ctx->sess.mem, o, r->hits, MAX_HITS, &r->nhits);
	if (ret < 0) {
		free(r->hits);
		return ret;
	}
	r->overflow = ret;
	r->missing = ctx->sess.mem.missing;
	r->zero_fill = vq_mem_zero_fill(&ctx->sess.mem);
	r->filtered = vq_mem_filtered(&ctx->sess.mem);
	vq_mem_truncation(&ctx->sess.mem, r->truncation, sizeof(r->truncation));
	return 0;
}

#define U64(v) json_object_new_uint64(v)

/* An event area's address the scanner found, or null (0: not found). */
static struct json_object *found_addr(uint64_t addr)
{
	return addr ? U64(addr) : NULL;
}

static const char *events_name(unsigned e)
{
	switch (e) {
	case VQ_PEVENTS_WRITTEN:
		return "written";
	case VQ_PEVENTS_ZERO:
		return "zero";
	case VQ_PEVENTS_PARTIAL:
		return "partial";
	}
	return "not_found";
}

/* A packed ring: the split entries' names where they mean the same,
 * null where a packed ring has no such part, `ring --packed`'s names for
 * the rest. */
static struct json_object *packed_json(const struct vq_scan_hit *h)
{
	const struct vq_pscan_info *p = &h->pk;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "layout", json_object_new_string("packed"));
	json_object_object_add(o, "desc", U64(h->layout.desc));
	json_object_object_add(o, "avail", NULL);
	json_object_object_add(o, "used", NULL);
	json_object_object_add(o, "size", U64(h->layout.size));
	json_object_object_add(o, "align", NULL);
	json_object_object_add(o, "avail_idx", NULL);
	json_object_object_add(o, "used_idx", NULL);
	json_object_object_add(o, "in_flight", NULL);
	json_object_object_add(o, "confidence", json_object_new_string(vq_confidence_name(h->confidence)));
	json_object_object_add(o, "score", json_object_new_int(h->score));
	json_object_object_add(o, "align_ambiguous", json_object_new_boolean(0));
	json_object_object_add(o, "size_ambiguous", json_object_new_boolean(p->size_ambiguous));
	json_object_object_add(o, "driver", found_addr(p->layout.driver));
	json_object_object_add(o, "device", found_addr(p->layout.device));
	json_object_object_add(o, "event_areas", json_object_new_string(events_name(p->events)));
	json_object_object_add(o, "next_avail", U64(p->avail.idx));
	json_object_object_add(o, "avail_wrap_counter", U64(p->avail.wrap));
	json_object_object_add(o, "next_used", U64(p->used.idx));
	json_object_object_add(o, "used_wrap_counter", U64(p->used.wrap));
	json_object_object_add(o, "pending_slots", U64(p->pending_slots));
	json_object_object_add(o, "written_slots", U64(p->written));
	json_object_object_add(o, "used_slots", U64(p->used_slots));
	return o;
}

static void print_json(const struct scan_result *r)
{
	struct json_object *root = json_object_new_object(), *a = json_object_new_array();
	size_t i;

	for (i = 0; i < r->nhits; i++) {
		const struct vq_scan_hit *h = &r->hits[i];
		struct json_object *o;

		if (h->packed) {
			o = packed_json(h);
			json_object_object_add(o, "device_queue", queue_json(r, i));
			json_object_array_add(a, o);
			continue;
		}
		o = json_object_new_object();
		json_object_object_add(o, "layout", json_object_new_string("split"));
		json_object_object_add(o, "desc", json_object_new_uint64(h->layout.desc));
		json_object_object_add(o, "avail", json_object_new_uint64(h->layout.avail));
		json_object_object_add(o, "used", json_object_new_uint64(h->layout.used));
		json_object_object_add(o, "size", json_object_new_uint64(h->layout.size));
		json_object_object_add(o, "align", json_object_new_uint64(h->layout.align));
		json_object_object_add(o, "avail_idx", json_object_new_uint64(h->hdr.avail_idx));
		json_object_object_add(o, "used_idx", json_object_new_uint64(h->hdr.used_idx));
		json_object_object_add(o, "in_flight", json_object_new_uint64(h->hdr.in_flight));
		json_object_object_add(o, "confidence",
				       json_object_new_string(vq_confidence_name(h->confidence)));
		json_object_object_add(o, "score", json_object_new_int(h->score));
		json_object_object_add(o, "align_ambiguous", json_object_new_boolean(h->align_ambiguous));
		json_object_object_add(o, "device_queue", queue_json(r, i));
		json_object_array_add(a, o);
	}
	json_object_object_add(root, "rings", a);
	json_object_object_add(root, "truncated", json_object_new_boolean(r->overflow));
	json_object_object_add(root, "missing_bytes", json_object_new_uint64(r->missing));
	json_object_object_add(root, "zero_fill_bytes", json_object_new_uint64(r->zero_fill));
	json_object_object_add(root, "filtered_bytes", json_object_new_uint64(r->filtered));
	vq_json_print(root);
	/* What was not searched must not pass unseen behind the JSON. */
	if (r->missing)
		vq_err("warning: scan: dump %s; rings there cannot be found", r->truncation);
}

/* Columns as wide as the longest address found (at least the header). */
static int addr_width(const struct scan_result *r)
{
	int w = (int)strlen("AVAIL_ADDR");
	char buf[24];
	size_t i, k;

	for (i = 0; i < r->nhits; i++) {
		const struct vq_scan_hit *h = &r->hits[i];
		const uint64_t a[3] = { h->layout.desc, h->packed ? h->pk.layout.driver : h->layout.avail,
					h->packed ? h->pk.layout.device : h->layout.used };

		/* The packed table's header is a letter wider. */
		if (h->packed && w < (int)strlen("DRIVER_ADDR"))
			w = (int)strlen("DRIVER_ADDR");

		for (k = 0; k < 3; k++) {
			int n = snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)a[k]);

			if (n > w)
				w = n;
		}
	}
	return w;
}

/* Addresses are _ADDR and indices _IDX: AVAIL and USED name both.
 * Returns how many split rings there were. */
static size_t print_split(const struct scan_result *r, int w)
{
	char a[3][24];
	size_t i, n = 0;

	printf("%-*s %-*s %-*s %5s %6s %9s %8s %9s %s\n", w, "DESC_ADDR", w, "AVAIL_ADDR", w,
	       "USED_ADDR", "SIZE", "ALIGN", "AVAIL_IDX", "USED_IDX", "IN_FLIGHT", "CONFIDENCE");
	for (i = 0; i < r->nhits; i++) {
		const struct vq_scan_hit *h = &r->hits[i];

		if (h->packed)
			continue;
		n++;
		snprintf(a[0], sizeof(a[0]), "0x%llx", (unsigned long long)h->layout.desc);
		snprintf(a[1], sizeof(a[1]), "0x%llx", (unsigned long long)h->layout.avail);
		snprintf(a[2], sizeof(a[2]), "0x%llx", (unsigned long long)h->layout.used);
		printf("%-*s %-*s %-*s %5u %5u%s %9u %8u %9u %s\n", w, a[0], w, a[1], w, a[2],
		       h->layout.size, h->layout.align, h->align_ambiguous ? "?" : " ",
		       h->hdr.avail_idx, h->hdr.used_idx, h->hdr.in_flight,
		       vq_confidence_name(h->confidence));
	}
	return n;
}

/* The packed rings' table (virtio 1.3 section 2.8), only when there are
 * some: positions as slot and wrap counter, as `ring --packed` shows them. */
static void print_packed(const struct scan_result *r, int w)
{
	char a[3][24], av[16], us[16];
	size_t i;

	printf("%-*s %-*s %-*s %6s %10s %10s %7s %s\n", w, "DESC_ADDR", w, "DRIVER_ADDR", w,
	       "DEVICE_ADDR", "SIZE", "NEXT_AVAIL", "NEXT_USED", "PENDING", "CONFIDENCE");
	for (i = 0; i < r->nhits; i++) {
		const struct vq_scan_hit *h = &r->hits[i];
		const struct vq_pscan_info *p = &h->pk;

		if (!h->packed)
			continue;
		snprintf(a[0], sizeof(a[0]), "0x%llx", (unsigned long long)h->layout.desc);
		snprintf(a[1], sizeof(a[1]), p->layout.driver ? "0x%llx" : "-", (unsigned long long)p->layout.driver);
		snprintf(a[2], sizeof(a[2]), p->layout.device ? "0x%llx" : "-", (unsigned long long)p->layout.device);
		snprintf(av, sizeof(av), "%u/w%u", p->avail.idx, p->avail.wrap);
		snprintf(us, sizeof(us), "%u/w%u", p->used.idx, p->used.wrap);
		printf("%-*s %-*s %-*s %5u%s %10s %10s %7u %s\n", w, a[0], w, a[1], w, a[2],
		       h->layout.size, p->size_ambiguous ? "?" : " ", av, us, p->pending_slots,
		       vq_confidence_name(h->confidence));
	}
}

/* The notes under the tables, each once. */
static void print_notes(const struct scan_result *r)
{
	int align = 0, size = 0, noev = 0, packed = 0;
	size_t i;

	for (i = 0; i < r->nhits; i++) {
		align |= r->hits[i].align_ambiguous;
		packed |= r->hits[i].packed;
		size |= r->hits[i].packed && r->hits[i].pk.size_ambiguous;
		noev |= r->hits[i].packed && (!r->hits[i].pk.layout.driver || !r->hits[i].pk.layout.device);
	}
	if (align)
		printf("ALIGN ?: the used ring was never written; 64 and 4096 fit alike\n");
	if (size)
		printf("SIZE ?: the ring has not wrapped; a larger size fits as well (its slots read the same)\n");
	if (noev)
		printf("-: that event area is not on its page below the ring, where Linux puts it; take it from the device's registers or Linux's records\n");
	if (packed)
		printf("ring --packed --at DESC,DRIVER,DEVICE --size SIZE shows one packed ring; NEXT_AVAIL and NEXT_USED are slot/wrap counter\n");
}

/* Which rings the image's own records name, a line each. */
static void print_matches(const struct scan_result *r)
{
	size_t i;

	for (i = 0; r->qdev && i < r->nhits; i++)
		if (r->qdev[i])
			printf("0x%llx: queue %u of %s in the image's records (addresses from %s)\n",
			       (unsigned long long)r->hits[i].layout.desc, r->qidx[i], r->qdev[i]->name,
			       vq_source_name(r->qdev[i]->queues[r->qidx[i]].addr_src));
}

static void print_text(const struct scan_result *r)
{
	const int w = addr_width(r);
	size_t nsplit = print_split(r, w), npacked = r->nhits - nsplit;

	if (npacked)
		printf("%zu split ring%s found\n", nsplit, nsplit == 1 ? "" : "s");
	else
		printf("%zu ring%s found%s\n", r->nhits, r->nhits == 1 ? "" : "s",
		       r->overflow ? " (list truncated)" : "");
	if (npacked) {
		print_packed(r, w);
		printf("%zu packed ring%s found%s\n", npacked, npacked == 1 ? "" : "s",
		       r->overflow ? " (list truncated)" : "");
	}
	if (r->missing)
		printf("warning: dump %s; rings there cannot be found\n", r->truncation);
	if (r->zero_fill)
		printf("0x%llx bytes of zero fill not searched: the headers claim them, the file does not hold them, and no ring can start in zeroes\n",
		       (unsigned long long)r->zero_fill);
	if (r->filtered)
		printf("0x%llx bytes of RAM filtered out of the dump (makedumpfile -d) not searched: rings there cannot be found\n",
		       (unsigned long long)r->filtered);
	print_notes(r);
	print_matches(r);
}

int vq_cmd_scan(struct vq_ctx *ctx, int argc, char **argv)
{
	const struct vq_cmd *cmd = vq_find_cmd("scan");
	uint64_t step = 4096, min = 1, max = 32768;
	struct vq_scan_opts o;
	struct scan_result r;
	int c, ret;

	while ((c = vq_cmd_getopt(cmd, argc, argv)) != -1) {
		switch (c) {
		case 's':
			if (pow2_opt("step", optarg, 16, 1u << 20, &step))
				return EXIT_USAGE;
			break;
		case 'm':
			if (pow2_opt("min-size", optarg, 1, 32768, &min))
				return EXIT_USAGE;
			break;
		case 'M':
			if (pow2_opt("max-size", optarg, 1, 32768, &max))
				return EXIT_USAGE;
			break;
		}
	}
	if (optind < argc)
		return vq_usage_err("scan", "unexpected argument '%s'", argv[optind]);
	if (min > max)
		return vq_usage_err("scan", "--min-size is larger than --max-size");
	ret = vq_ctx_open_mem(ctx);
	if (ret)
		return ret;
	o = (struct vq_scan_opts){ (uint32_t)step, (uint32_t)min, (uint32_t)max, 1 };
	if (scan_memory(ctx, &o, &r) < 0) {
		vq_err("scan: out of memory");
		return EXIT_ACCESS;
	}
	match_queues(ctx, &r);
	if (ctx->json)
		print_json(&r);
	else
		print_text(&r);
	free(r.hits);
	free(r.qdev);
	free(r.qidx);
	return EXIT_OK;
}
