/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `watch`: ring indices sampled over time: rates, in flight, time since progress, stalls. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../access/watch.h"
#include "../model/json.h"
#include "cli.h"

const struct vq_opt vq_watch_options[] = {
	{ "interval", required_argument, 'i', 0, "MS", "milliseconds between samples (default 1000)" },
	{ "count", required_argument, 'n', 0, "N", "stop after N samples (default: at Ctrl-C)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

#define WATCH_INTERVAL_MS 1000

/* Set by SIGINT/SIGTERM: a signal handler has only file scope to write to. */
static volatile sig_atomic_t stop_flag;

static void on_sigint(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* Fractional milliseconds (vq_clock_ms() counts whole ones): the rates
 * are taken over the measured interval, not the asked one. */
static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int wait_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	/* Ctrl-C interrupts the sleep (no SA_RESTART) and ends the loop. */
	while (!stop_flag && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return stop_flag;
}

static struct json_object *row_json(const struct vq_watch_queue *q, const struct vq_watch_row *r)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "device", json_object_new_string(q->d->name));
	json_object_object_add(o, "queue", json_object_new_int(q->q->index));
	json_object_object_add(o, "layout", json_object_new_string(r->packed ? "packed" : "split"));
	/* A packed ring has no indices: its positions (virtio 1.3 2.8.1). */
	json_object_object_add(o, "avail_idx", r->packed ? NULL : json_object_new_int(r->h.avail_idx));
	json_object_object_add(o, "used_idx", r->packed ? NULL : json_object_new_int(r->h.used_idx));
	if (r->packed) {
		json_object_object_add(o, "next_avail", json_object_new_int(r->pavail.idx));
		json_object_object_add(o, "avail_wrap_counter", json_object_new_int(r->pavail.wrap));
		json_object_object_add(o, "next_used", json_object_new_int(r->pused.idx));
		json_object_object_add(o, "used_wrap_counter", json_object_new_int(r->pused.wrap));
	}
	json_object_object_add(o, "avail_rate", r->rates ? json_object_new_double(r->ar) : NULL);
	json_object_object_add(o, "used_rate", r->rates ? json_object_new_double(r->ur) : NULL);
	json_object_object_add(o, "in_flight", json_object_new_int(r->h.in_flight));
	json_object_object_add(o, "since_progress_ms", json_object_new_uint64((uint64_t)r->idle));
	json_object_object_add(o, "state", json_object_new_string(r->state));
	json_object_object_add(o, "stalled", json_object_new_boolean(r->stalled));
	/* --qemu: QEMU's side beside guest RAM's (null: a vhost backend runs
	 * the queue, QEMU gives no last_avail_idx for it). */
	if (r->dv)
		json_object_object_add(o, "device_view", vq_device_view_json(r->dv));
	return o;
}

static void row_text(const struct vq_watch_queue *q, const struct vq_watch_row *r)
{
	char av[16], us[16], ar[16], ur[16];

	/* A packed ring's positions as SLOT/WRAP. */
	if (r->packed) {
		snprintf(av, sizeof(av), "%u/%u", r->pavail.idx, r->pavail.wrap);
		snprintf(us, sizeof(us), "%u/%u", r->pused.idx, r->pused.wrap);
	} else {
		snprintf(av, sizeof(av), "%u", r->h.avail_idx);
		snprintf(us, sizeof(us), "%u", r->h.used_idx);
	}
	snprintf(ar, sizeof(ar), "%.1f", r->ar);
	snprintf(ur, sizeof(ur), "%.1f", r->ur);
	if (!r->rates) {
		strcpy(ar, "-");
		strcpy(ur, "-");
	}
	printf("%-20s %5u %7s %7s %9s %9s %9u %9.0f  %s", q->d->name, q->q->index, av, us, ar, ur,
	       r->h.in_flight, r->idle, r->state);
	if (r->dv && r->dv->dv_valid)
		printf("  device: last_avail %u used %u inuse %u", r->dv->dv_last_avail_idx,
		       r->dv->dv_used_idx, r->dv->dv_inuse);
	else if (r->dv)
		printf("  device: no last_avail (vhost)");
	putchar('\n');
}

/* Sample number @n: every queue read, judged and shown as one table or
 * one JSON line. */
static void one_sample(struct vq_ctx *ctx, struct vq_watch_queue *w, size_t nw, unsigned long n,
		       double t0, double *prev_t)
{
	double t = now_ms(), dt = *prev_t > 0 ? t - *prev_t : 0;
	struct json_object *root = NULL, *arr = NULL;
	struct vq_watch_row row;
	size_t i;

	if (ctx->json) {
		root = json_object_new_object();
		arr = json_object_new_array();
		json_object_object_add(root, "sample", json_object_new_uint64(n));
		json_object_object_add(root, "time_ms", json_object_new_uint64((uint64_t)(t - t0)));
	} else {
		printf("sample %lu  t=%.1fs\n", n, (t - t0) / 1000.0);
		printf("%-20s %5s %7s %7s %9s %9s %9s %9s  %s\n", "DEVICE", "QUEUE", "AVAIL", "USED",
		       "AVAIL/s", "USED/s", "INFLIGHT", "IDLE_MS", "STATE");
	}
	for (i = 0; i < nw; i++) {
		if (vq_watch_sample(&ctx->sess, &w[i], t, dt, &row) < 0)
			continue;
		if (ctx->json)
			json_object_array_add(arr, row_json(&w[i], &row));
		else
			row_text(&w[i], &row);
	}
	if (ctx->json) {
		json_object_object_add(root, "queues", arr);
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else {
		putchar('\n');
	}
	fflush(stdout);
	*prev_t = t;
}

int vq_cmd_watch(struct vq_ctx *ctx, int argc, char **argv)
{
	const struct vq_cmd *cmd = vq_find_cmd("watch");
	uint64_t interval = WATCH_INTERVAL_MS, count = 0;
	struct sigaction sa, old;
	struct vq_watch_queue *w = NULL;
	size_t first = 0, last, nw = 0;
	unsigned long n;
	double t0, prev_t = 0;
	int c, ret;

	while ((c = vq_cmd_getopt(cmd, argc, argv)) != -1) {
		switch (c) {
		case 'i':
			if (vq_parse_u64(optarg, &interval) || interval < 10 || interval > 3600000)
				return vq_usage_err("watch", "--interval takes milliseconds from 10 to 3600000, not '%s'",
						    optarg);
			break;
		case 'n':
			if (vq_parse_u64(optarg, &count) || !count || count > 100000000)
				return vq_usage_err("watch", "--count takes a number of samples from 1, not '%s'",
						    optarg);
			break;
		}
	}
	if (optind < argc)
		return vq_usage_err("watch", "unexpected argument '%s'", argv[optind]);
	if (!vq_session_is_live(&ctx->sess) && !ctx->qemu)
		return vq_usage_err("watch", "watch samples a running system; a memory image does not move (use 'diagnose' on it)");
	if (ctx->pause)
		return vq_usage_err("watch", "watch follows a running guest; --pause would hold it still for the whole watch");
	ret = vq_ctx_device_range(ctx, 0, &first, &last);
	if (ret)
		return ret;
	if (vq_watch_collect(&ctx->sess, first, last, &w, &nw) < 0) {
		vq_err("watch: out of memory");
		return EXIT_ACCESS;
	}
	if (!nw) {
		vq_err("watch: no queue with a readable ring (see 'vqdump status')");
		ret = EXIT_ACCESS;
		goto out;
	}
	ret = vq_ctx_open_mem(ctx);
	if (ret)
		goto out;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	stop_flag = 0;
	sigaction(SIGINT, &sa, &old);
	t0 = now_ms();
	for (n = 1; !stop_flag; n++) {
		one_sample(ctx, w, nw, n, t0, &prev_t);
		if (count && n >= count)
			break;
		if (wait_ms((unsigned)interval))
			break;
	}
	sigaction(SIGINT, &old, NULL);
	ret = EXIT_OK;
out:
	vq_watch_free(w, nw);
	return ret;
}
