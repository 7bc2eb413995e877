/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `diagnose`: every device and queue checked for stuck-queue signatures, live (two samples) or in a core. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../access/ringview.h"
#include "../decode/diag.h"
#include "../decode/scan.h"
#include "cli.h"

const struct option vq_diagnose_options[] = {
	{ "interval", required_argument, NULL, 'i' },
	{ NULL, 0, NULL, 0 },
};

/* Live sampling interval (ms): long enough that a healthy device under
 * load completes something, short enough for an on-call shell. */
#define DIAG_INTERVAL_MS 1000
/* Findings kept per run. */
#define DIAG_MAX_FINDINGS 4096
/* Rings found by scan that diagnose decodes in a plain core. */
#define DIAG_MAX_HITS 4096

static void sample_of(const struct vq_ring_hdr *h, struct vq_diag_sample *s)
{
	s->valid = 1;
	s->full = 1;
	s->avail_idx = h->avail_idx;
	s->used_idx = h->used_idx;
	s->avail_flags = h->avail_flags;
	s->used_flags = h->used_flags;
	s->used_event = h->used_event;
	s->avail_event = h->avail_event;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

struct run {
	struct vq_ctx *ctx;
	struct vq_diag_report rep;
	unsigned devices, queues; /* checked */
	unsigned skipped;         /* queues with a ring that could not be read */
	int access_failed;        /* some device or ring unreadable */
};

/* One queue of a live device, decoded at both samples. */
struct qwork {
	struct vq_dev *d;
	struct vq_queue_state *q;
	struct vq_ring_view v1, v2;
	int ok1, ok2;
};

static int decode(struct vq_ctx *ctx, struct qwork *w, struct vq_ring_view *v)
{
	vq_ring_view_of_queue(v, w->d, w->q);
	return vq_ring_decode(&ctx->sess.fetch, v, 0) == 0;
}

static void free_work(struct qwork *work, size_t nw)
{
	size_t i;

	for (i = 0; i < nw; i++) {
		vq_ring_view_free(&work[i].v1);
		vq_ring_view_free(&work[i].v2);
	}
	free(work);
}

/* Room for one more queue in *@work; 0 or -ENOMEM. */
static int add_work(struct qwork **work, size_t nw, size_t *cap, struct vq_dev *d,
		    struct vq_queue_state *q)
{
	struct qwork *w;

	if (nw == *cap) {
		w = realloc(*work, (*cap ? 2 * *cap : 16) * sizeof(**work));
		if (!w)
			return -ENOMEM;
		*work = w;
		*cap = *cap ? 2 * *cap : 16;
	}
	w = &(*work)[nw];
	memset(w, 0, sizeof(*w));
	w->d = d;
	w->q = q;
	if (vq_ring_view_alloc(&w->v1, q->size, 0) || vq_ring_view_alloc(&w->v2, q->size, 0)) {
		vq_ring_view_free(&w->v1);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Every device of the range read again and checked on its own; each
 * queue whose ring can be read gets a work entry (*@work, *@nw).  0, or
 * the exit status after printing the error (the entries so far are kept
 * for the caller to free).
 */
static int collect_work(struct run *r, struct qwork **work, size_t *nw)
{
	struct vq_ctx *ctx = r->ctx;
	size_t i, first = 0, last, cap = 0;
	unsigned j;
	int ret;

	ret = vq_ctx_device_range(ctx, 0, &first, &last);
	if (ret)
		return ret;
	for (i = first; i < last; i++) {
		struct vq_dev *d = &ctx->sess.devs.devs[i];

		/* Live: read the registers now; a snapshot's transport gives
		 * back what it saved. */
		if (vq_dev_refresh(ctx, d)) {
			r->access_failed = 1;
			continue;
		}
		r->devices++;
		if (d->access == VQ_ACCESS_SYSFS) {
			/* Status only: nothing about queues can be said. */
			vq_err("warning: %s: only Linux's sysfs view was reachable: its queues are not checked (run as root; boot with iomem=relaxed if the registers are refused)",
			       d->name);
			r->access_failed = 1;
		}
		r->rep.device = d->name;
		r->rep.ring = 0;
		vq_diag_device(d, &r->rep);
		for (j = 0; j < d->num_queues; j++) {
			struct vq_queue_state *q = &d->queues[j];

			if (!q->enabled)
				continue;
			r->queues++;
			if (vq_queue_unreadable(d, q)) {
				r->skipped++;
				continue;
			}
			if (vq_ctx_open_mem(ctx)) {
				/* Said once on stderr; nothing about rings can be told. */
				r->access_failed = 1;
				r->skipped++;
				continue;
			}
			if (add_work(work, *nw, &cap, d, q) < 0) {
				vq_err("diagnose: out of memory");
				return EXIT_ACCESS;
			}
			(*nw)++;
		}
	}
	return 0;
}

/* One queue's samples judged: the second sample live, or the one the
 * snapshot saved. */
static void judge_queue(struct run *r, struct qwork *w, unsigned interval)
{
	struct vq_ctx *ctx = r->ctx;
	struct vq_diag_queue_in in;

	memset(&in, 0, sizeof(in));
	in.queue = w->q->index;
	in.device_id = w->d->device_id;
	in.size = w->q->size;
	in.event_idx = vq_dev_event_idx(w->d);
	sample_of(&w->v1.hdr, &in.s1);
	in.v = &w->v1;
	if (!ctx->core) {
		w->ok2 = decode(ctx, w, &w->v2);
		if (w->ok2) {
			sample_of(&w->v2.hdr, &in.s2);
			in.v = &w->v2;
			in.v_other = &w->v1;
			in.interval_ms = interval;
		}
	} else if (w->q->idx2_valid) {
		/* The snapshot's memory is the first sample; the second
		 * holds indices only. */
		in.s2.valid = 1;
		in.s2.avail_idx = w->q->avail_idx2;
		in.s2.used_idx = w->q->used_idx2;
		in.interval_ms = w->q->sample_ms;
	}
	r->rep.device = w->d->name;
	r->rep.ring = 0;
	vq_diag_queue(&in, &r->rep);
}

static int diagnose_devices(struct run *r, unsigned interval)
{
	struct vq_ctx *ctx = r->ctx;
	struct qwork *work = NULL;
	size_t i, nw = 0;
	int ret;

	ret = collect_work(r, &work, &nw);
	if (ret)
		goto out;
	for (i = 0; i < nw; i++) {
		work[i].ok1 = decode(ctx, &work[i], &work[i].v1);
		if (!work[i].ok1) {
			vq_err("warning: %s queue %u: ring not readable: %s", work[i].d->name,
			       work[i].q->index, ctx->sess.mem.err);
			r->access_failed = 1;
		}
	}
	/* A source that recorded a second sample (a snapshot) needs no wait. */
	if (!ctx->core && nw)
		sleep_ms(interval);
	for (i = 0; i < nw; i++) {
		if (!work[i].ok1)
			r->skipped++;
		else
			judge_queue(r, &work[i], interval);
	}
out:
	free_work(work, nw);
	return ret;
}

/* A plain core (no device records): find the rings with scan, apply the
 * ring-only findings. */
static int diagnose_scan(struct run *r)
{
	struct vq_ctx *ctx = r->ctx;
	struct vq_scan_hit *hits = NULL;
	struct vq_scan_opts o = { 4096, 1, VQ_RING_MAX_SIZE };
	size_t i, nhits = 0;
	int ret, held;

	ret = vq_ctx_open_mem(ctx);
	if (ret)
		return ret;
	held = vq_mem_qemu_dump(&ctx->sess.mem);
	hits = calloc(DIAG_MAX_HITS, sizeof(*hits));
	if (!hits || (ret = vq_mem_scan(&ctx->sess.mem, &o, hits, DIAG_MAX_HITS, &nhits)) < 0) {
		vq_err("diagnose: out of memory");
		ret = EXIT_ACCESS;
		goto out;
	}
	if (ret)
		vq_err("warning: diagnose: more than %d ring candidates; the rest not checked",
		       DIAG_MAX_HITS);
	ret = 0;
	for (i = 0; i < nhits; i++) {
		struct vq_ring_view v;
		struct vq_diag_queue_in in;

		/* A low-confidence candidate may be any bytes: its "findings"
		 * would be noise. */
		if (hits[i].confidence == VQ_CONF_LOW)
			continue;
		r->queues++;
		if (vq_ring_view_alloc(&v, hits[i].layout.size, 0)) {
			vq_err("diagnose: out of memory");
			ret = EXIT_ACCESS;
			goto out;
		}
		v.layout = hits[i].layout;
		if (vq_ring_decode(&ctx->sess.fetch, &v, 0) == 0) {
			memset(&in, 0, sizeof(in));
			in.queue = -1;
			in.size = v.layout.size;
			in.v = &v;
			in.event_idx = -1;
			in.held_dump = held;
			sample_of(&v.hdr, &in.s1);
			r->rep.device = NULL;
			r->rep.ring = v.layout.desc;
			vq_diag_queue(&in, &r->rep);
		} else {
			r->skipped++;
		}
		vq_ring_view_free(&v);
	}
out:
	free(hits);
	return ret;
}

static void where_text(const struct vq_diag_finding *f, char *buf, size_t len)
{
	if (f->device && f->queue >= 0)
		snprintf(buf, len, "%s queue %d", f->device, f->queue);
	else if (f->device)
		snprintf(buf, len, "%s", f->device);
	else
		snprintf(buf, len, "ring@0x%llx", (unsigned long long)f->ring);
}

static void print_text(const struct run *r, int scan_path)
{
	const struct vq_ctx *ctx = r->ctx;
	unsigned i, j, nsev[3] = { 0, 0, 0 };
	char where[80];

	for (i = 0; i < r->rep.n; i++) {
		const struct vq_diag_finding *f = &r->rep.f[i];

		nsev[f->severity]++;
		if (f->severity == VQ_SEV_INFO && !ctx->verbose)
			continue;
		where_text(f, where, sizeof(where));
		printf("%s: %s%s%s %s: %s\n", where, vq_color_sev(ctx, (int)f->severity),
		       vq_severity_name(f->severity), vq_color_off(ctx), f->code, f->message);
		if (!f->nev)
			continue;
		printf("   ");
		for (j = 0; j < f->nev; j++)
			printf(f->ev[j].hex ? " %s=0x%llx" : " %s=%llu", f->ev[j].key,
			       (unsigned long long)f->ev[j].value);
		putchar('\n');
	}
	if (scan_path)
		printf("memory image without device records: %u ring%s (found by scan) checked", r->queues,
		       r->queues == 1 ? "" : "s");
	else
		printf("%u device%s, %u queue%s checked", r->devices, r->devices == 1 ? "" : "s",
		       r->queues, r->queues == 1 ? "" : "s");
	if (r->skipped)
		printf(" (%u not readable)", r->skipped);
	if (!nsev[0] && !nsev[1] && !nsev[2])
		printf(": no problems found\n");
	else
		printf(": %u error%s, %u warning%s, %u note%s%s\n", nsev[2], nsev[2] == 1 ? "" : "s",
		       nsev[1], nsev[1] == 1 ? "" : "s", nsev[0], nsev[0] == 1 ? "" : "s",
		       nsev[0] && !ctx->verbose ? " (notes shown with -v)" : "");
	if (r->rep.dropped)
		printf("%u more findings not listed\n", r->rep.dropped);
}

static void print_json(const struct run *r)
{
	struct json_object *root = json_object_new_object(), *a = json_object_new_array();
	unsigned i, j;

	for (i = 0; i < r->rep.n; i++) {
		const struct vq_diag_finding *f = &r->rep.f[i];
		struct json_object *o = json_object_new_object(), *ev = json_object_new_object();

		json_object_object_add(o, "device", f->device ? json_object_new_string(f->device) : NULL);
		json_object_object_add(o, "queue", f->queue >= 0 ? json_object_new_int(f->queue) : NULL);
		if (!f->device)
			json_object_object_add(o, "ring", json_object_new_uint64(f->ring));
		json_object_object_add(o, "code", json_object_new_string(f->code));
		json_object_object_add(o, "severity", json_object_new_string(vq_severity_name(f->severity)));
		json_object_object_add(o, "message", json_object_new_string(f->message));
		for (j = 0; j < f->nev; j++)
			json_object_object_add(ev, f->ev[j].key, json_object_new_uint64(f->ev[j].value));
		json_object_object_add(o, "evidence", ev);
		json_object_array_add(a, o);
	}
	json_object_object_add(root, "findings", a);
	json_object_object_add(root, "devices_checked", json_object_new_int((int)r->devices));
	json_object_object_add(root, "queues_checked", json_object_new_int((int)r->queues));
	json_object_object_add(root, "queues_unreadable", json_object_new_int((int)r->skipped));
	json_object_object_add(root, "findings_dropped", json_object_new_int((int)r->rep.dropped));
	vq_json_print(root);
}

/*
 * A core that carries device records (a vqdump snapshot) is diagnosed as
 * devices; a plain one (dump-guest-memory, kdump, /proc/kcore) through
 * scan.  Until snapshot cores exist every core is plain.  With them: true
 * unless the snapshot reader says the core has no device note (-ENOENT),
 * so that a damaged snapshot reports its own error through
 * vq_ctx_open_devices().
 */
static int core_has_devices(struct vq_ctx *ctx)
{
	char err[512];

	if (!ctx->core)
		return 0;
	if (ctx->sess.devs_open)
		return 1; /* a core only opens devices when it is a snapshot */
	/* What is read is kept: vq_ctx_open_devices() uses it as is.  A
	 * damaged snapshot: the device path says why. */
	return vq_session_open_snapshot(&ctx->sess, err, sizeof(err)) != -ENOENT;
}

int vq_cmd_diagnose(struct vq_ctx *ctx, int argc, char **argv)
{
	const struct vq_cmd *cmd = vq_find_cmd("diagnose");
	uint64_t interval = DIAG_INTERVAL_MS;
	struct run r;
	int c, handled, ret, scan_path;

	while ((c = vq_cmd_getopt(ctx, cmd, argc, argv, NULL, &handled)) != -1) {
		if (handled == 2)
			return EXIT_OK;
		if (handled == 3)
			return EXIT_USAGE;
		if (handled)
			continue;
		if (c == 'i' && (vq_parse_u64(optarg, &interval) || interval < 10 || interval > 600000))
			return vq_usage_err("diagnose", "--interval takes milliseconds from 10 to 600000, not '%s'",
					    optarg);
	}
	if (optind < argc)
		return vq_usage_err("diagnose", "unexpected argument '%s'", argv[optind]);
	scan_path = (ctx->core || ctx->raw) && !core_has_devices(ctx);
	if (scan_path && ctx->device)
		return vq_usage_err("diagnose", "-d needs device records; this image has none (diagnose checks every ring 'scan' finds in it)");

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.rep.max = DIAG_MAX_FINDINGS;
	r.rep.f = calloc(r.rep.max, sizeof(*r.rep.f));
	if (!r.rep.f) {
		vq_err("diagnose: out of memory");
		return EXIT_ACCESS;
	}
	ret = scan_path ? diagnose_scan(&r) : diagnose_devices(&r, (unsigned)interval);
	if (ret && !r.rep.n && !r.queues && !r.devices)
		goto out;
	if (ctx->json)
		print_json(&r);
	else
		print_text(&r, scan_path);
	if (vq_diag_count_sev(&r.rep, VQ_SEV_WARNING))
		ret = EXIT_FOUND;
	else if (ret || r.access_failed)
		ret = EXIT_ACCESS;
	else
		ret = EXIT_OK;
out:
	free(r.rep.f);
	return ret;
}
