/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `snapshot -o FILE`: registers, device state and ring memory saved as an ELF core with a device note. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../access/ringview.h"
#include "../access/snapshot.h"
#include "../decode/ring.h"
#include "cli.h"

const struct vq_opt vq_snapshot_options[] = {
	{ "output", required_argument, 'o', 1, "FILE", "the file to write (required)" },
	{ "interval", required_argument, 'i', 0, "MS", "ring indices read again MS later (default 200; 0: once)" },
	{ "force", no_argument, 'f', 1, NULL, "replace FILE if it exists" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* Longest --interval: a snapshot is a moment, not a watch. */
#define INTERVAL_MAX_MS 60000u

/* Reads that go to the live memory once and are kept: the decoder sees
 * exactly the bytes the snapshot will hold. */
struct rec {
	struct vq_ctx *ctx;      /* live memory (ctx->fetch) */
	struct vq_snap_mem *mem; /* what was read so far */
	int oom;                 /* an add failed: out of memory */
};

static int rec_fetch(void *c, uint64_t addr, void *buf, size_t len, const char *what)
{
	struct rec *r = c;
	int ret;

	if (vq_snap_mem_overlay(r->mem, addr, buf, len))
		return 0;
	ret = vq_fetch(&r->ctx->sess.fetch, addr, buf, len, what);
	if (ret < 0)
		return ret;
	/* Bytes saved earlier win, so the decoder sees what is kept. */
	vq_snap_mem_overlay(r->mem, addr, buf, len);
	if (vq_snap_mem_add(r->mem, addr, buf, len) < 0)
		r->oom = 1;
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Per queue: whether its indices were saved, and when. */
struct qmark {
	uint8_t saved; /* avail and used ring headers are in the snapshot */
	uint64_t t_ms; /* when they were read */
};

/* Read one range whole through @f into the snapshot; 0 or the error. */
static int save_range(const struct vq_fetch *f, uint64_t addr, uint64_t len, const char *what)
{
	uint8_t *b;
	int ret;

	if (!len || len > (1u << 20))
		return -EINVAL;
	b = malloc((size_t)len);
	if (!b)
		return -ENOMEM;
	ret = vq_fetch(f, addr, b, (size_t)len, what);
	free(b);
	return ret;
}

/*
 * One queue: the three ring parts whole (as 'ring --queue' reads them),
 * then every pending chain as the ring decoder walks it (descriptors,
 * indirect tables, payload headers), then the first VQ_SNAP_PEEK bytes
 * and the last byte of every buffer those chains name.  The indices
 * recorded are those of the saved ring memory.
 */
static void save_queue(struct vq_ctx *ctx, struct rec *r, const struct vq_dev *d,
		       struct vq_queue_state *q, struct qmark *mark)
{
	const struct vq_fetch f = { rec_fetch, r };
	struct vq_ring_view v;
	unsigned i, j;
	uint32_t size = q->size ? q->size : q->max_size;
	int have_avail, have_used;

	(void)ctx;
	if (!q->enabled || !q->desc || !q->avail || !q->used || vq_ring_size_problem(size) ||
	    vq_feature_has(d->driver_features, 34 /* VIRTIO_F_RING_PACKED */))
		return;
	save_range(&f, q->desc, VQ_DESC_BYTES(size), "descriptor table");
	have_avail = save_range(&f, q->avail, VQ_AVAIL_BYTES(size), "available ring") == 0;
	have_used = save_range(&f, q->used, VQ_USED_BYTES(size), "used ring") == 0;
	mark->t_ms = now_ms();
	if (!have_avail || !have_used)
		return;
	mark->saved = 1;
	/* Both rings are saved whole: this reads the kept bytes. */
	vq_ring_read_indices(&f, q->avail, q->used, &q->avail_idx, &q->used_idx);
	q->idx_valid = 1;
	if (vq_ring_view_alloc(&v, size, 0) == 0) {
		v.layout = (struct vq_ring_layout){ q->desc, q->avail, q->used, size, 0 };
		v.device_id = d->device_id;
		if (vq_ring_decode(&f, &v, 0) == 0)
			for (i = 0; i < v.nchains; i++)
				for (j = 0; j < v.chains[i].ndesc; j++) {
					const struct vq_chain_desc *cd = &v.chains[i].descs[j];
					uint8_t peek[VQ_SNAP_PEEK];
					uint32_t n = cd->len < VQ_SNAP_PEEK ? cd->len : VQ_SNAP_PEEK;

					if (!n)
						continue;
					/* Unreadable buffers are left out: a read of them
					 * fails on the snapshot as it did live. */
					vq_fetch(&f, cd->addr, peek, n, "buffer");
					vq_fetch(&f, cd->addr + cd->len - 1, peek, 1, "buffer end");
				}
		vq_ring_view_free(&v);
	}
}

/* The second sample: the live indices again, @interval_ms later. */
static void second_sample(struct vq_ctx *ctx, struct vq_queue_state *q, const struct qmark *mark)
{
	if (!mark->saved)
		return;
	if (vq_ring_read_indices(&ctx->sess.fetch, q->avail, q->used, &q->avail_idx2,
				 &q->used_idx2) < 0)
		return;
	q->sample_ms = (uint32_t)(now_ms() - mark->t_ms);
	q->idx2_valid = 1;
}

/* What the first pass read: the devices as saved, and their ring memory. */
struct capture {
	size_t ndev;               /* devices saved */
	struct vq_dev *devs;       /* shallow copies of the session's devices (queues shared) */
	struct qmark **marks;      /* per device, per queue: indices saved, when */
	size_t nq, nsaved;         /* queues seen, rings saved */
	struct vq_snap_mem mem;    /* ring memory read */
};

static void capture_free(struct capture *t)
{
	size_t i;

	for (i = 0; t->marks && i < t->ndev; i++)
		free(t->marks[i]);
	free(t->marks);
	free(t->devs);
	vq_snap_mem_free(&t->mem);
}

/* One device: registers, then its rings into t->mem.  0, or the exit
 * status after printing the error. */
static int capture_device(struct vq_ctx *ctx, struct rec *r, struct vq_dev *d, size_t i,
			  struct capture *t)
{
	unsigned k;

	/* The same view as the other commands: registers, then the
	 * ring addresses Linux knows of when the registers lack them,
	 * and the indices. */
	if (vq_dev_refresh(ctx, d)) {
		/* Kept with the reason (said above), so that reading
		 * the snapshot fails on this device as the live
		 * commands do. */
		t->devs[i] = *d;
		snprintf(t->devs[i].read_error, sizeof(t->devs[i].read_error), "%s", d->err);
		t->devs[i].queues = NULL;
		t->devs[i].num_queues = 0;
		return 0;
	}
	t->marks[i] = calloc(d->num_queues ? d->num_queues : 1, sizeof(**t->marks));
	if (!t->marks[i]) {
		vq_err("snapshot: out of memory");
		return EXIT_ACCESS;
	}
	for (k = 0; k < d->num_queues; k++) {
		d->queues[k].idx2_valid = 0;
		if (ctx->sess.mem_open)
			save_queue(ctx, r, d, &d->queues[k], &t->marks[i][k]);
		t->nsaved += t->marks[i][k].saved;
	}
	t->nq += d->num_queues;
	t->devs[i] = *d;
	return 0;
}

/* First pass: registers, then ring memory, device after device; the
 * devices -d names.  0, or the exit status after printing the error. */
static int capture_devices(struct vq_ctx *ctx, struct capture *t)
{
	struct rec r = { ctx, &t->mem, 0 };
	size_t first = 0, last, i, ndev;
	int ret;

	memset(t, 0, sizeof(*t));
	ret = vq_ctx_device_range(ctx, 0, &first, &last);
	if (ret)
		return ret;
	ndev = t->ndev = last - first;
	t->devs = calloc(ndev ? ndev : 1, sizeof(*t->devs));
	t->marks = calloc(ndev ? ndev : 1, sizeof(*t->marks));
	if (!t->devs || !t->marks) {
		vq_err("snapshot: out of memory");
		return EXIT_ACCESS;
	}
	for (i = 0; i < ndev; i++) {
		ret = capture_device(ctx, &r, &ctx->sess.devs.devs[first + i], i, t);
		if (ret)
			return ret;
	}
	if (r.oom) {
		vq_err("snapshot: out of memory");
		return EXIT_ACCESS;
	}
	return 0;
}

/* Second pass: the indices again, for progress evidence. */
static void second_pass(struct vq_ctx *ctx, struct capture *t, uint64_t interval)
{
	struct timespec ts = { (time_t)(interval / 1000), (long)(interval % 1000) * 1000000L };
	size_t i;
	unsigned k;

	if (!t->nsaved || !interval)
		return;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	for (i = 0; i < t->ndev; i++)
		for (k = 0; t->marks[i] && k < t->devs[i].num_queues; k++)
			second_sample(ctx, &t->devs[i].queues[k], &t->marks[i][k]);
}

/* The note and the memory written to @out: 0, or the exit status after
 * printing the error. */
static int write_file(struct capture *t, const char *out, uint64_t interval, int force)
{
	struct vq_dev *devs = t->devs;
	const struct vq_snap_mem *mem = &t->mem;
	size_t i, ndev = t->ndev;
	struct vq_snap_info info;
	char err[512], *json = NULL;
	int ret;

	memset(&info, 0, sizeof(info));
	info.version = VQ_SNAP_VERSION;
	info.time = (int64_t)time(NULL);
	info.interval_ms = (uint32_t)interval;
	if (gethostname(info.host, sizeof(info.host) - 1) < 0)
		info.host[0] = 0;
	/* The host name goes through the note's string check. */
	for (i = 0; info.host[i]; i++)
		if ((unsigned char)info.host[i] < 0x20 || info.host[i] == 0x7f)
			info.host[i] = '?';
	snprintf(info.vqdump_version, sizeof(info.vqdump_version), "%s", VQDUMP_VERSION);
	json = vq_snap_to_json(&info, devs, ndev);
	/* The second sample belongs to the snapshot: live devices kept
	 * across shell commands must not offer it to a later 'diagnose'. */
	for (i = 0; i < ndev; i++) {
		unsigned k;

		for (k = 0; devs[i].queues && k < devs[i].num_queues; k++)
			devs[i].queues[k].idx2_valid = 0;
	}
	if (!json) {
		vq_err("snapshot: out of memory");
		ret = EXIT_ACCESS;
		goto out;
	}
	if (vq_snap_write(out, json, mem, force, err, sizeof(err)) < 0) {
		vq_err("%s", err);
		ret = EXIT_ACCESS;
		goto out;
	}
	ret = EXIT_OK;
out:
	free(json);
	return ret;
}

static void print_result(const struct vq_ctx *ctx, const struct capture *t, const char *out,
			 uint64_t interval)
{
	if (ctx->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "file", json_object_new_string(out));
		json_object_object_add(o, "devices", json_object_new_uint64(t->ndev));
		json_object_object_add(o, "queues", json_object_new_uint64(t->nq));
		json_object_object_add(o, "rings_saved", json_object_new_uint64(t->nsaved));
		json_object_object_add(o, "memory_ranges", json_object_new_uint64(t->mem.n));
		json_object_object_add(o, "memory_bytes", json_object_new_uint64(t->mem.total));
		json_object_object_add(o, "interval_ms", json_object_new_uint64(interval));
		vq_json_print(o);
	} else {
		printf("%s: %zu device%s, %zu queue%s (%zu ring%s saved), %llu bytes of memory in %zu range%s\n",
		       out, t->ndev, t->ndev == 1 ? "" : "s", t->nq, t->nq == 1 ? "" : "s", t->nsaved,
		       t->nsaved == 1 ? "" : "s", (unsigned long long)t->mem.total, t->mem.n,
		       t->mem.n == 1 ? "" : "s");
	}
}

int vq_cmd_snapshot(struct vq_ctx *ctx, int argc, char **argv)
{
	const struct vq_cmd *cmd = vq_find_cmd("snapshot");
	const char *out = NULL;
	uint64_t interval = 200;
	int c, force = 0, ret = EXIT_OK;
	struct capture t;

	while ((c = vq_cmd_getopt(cmd, argc, argv)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'i':
			if (vq_parse_u64(optarg, &interval) || interval > INTERVAL_MAX_MS)
				return vq_usage_err("snapshot", "--interval takes milliseconds up to %u, not '%s'",
						    INTERVAL_MAX_MS, optarg);
			break;
		}
	}
	if (optind < argc)
		return vq_usage_err("snapshot", "unexpected argument '%s'", argv[optind]);
	if (!out || !out[0])
		return vq_usage_err("snapshot", "give the file to write with -o FILE");
	if (ctx->core || ctx->raw)
		return vq_usage_err("snapshot", "a snapshot is taken of the live system, not of --core or --raw");
	if (!force && access(out, F_OK) == 0) {
		vq_err("snapshot: %s exists; give --force to replace it", out);
		return EXIT_USAGE;
	}
	ret = capture_devices(ctx, &t);
	if (!ret) {
		second_pass(ctx, &t, interval);
		ret = write_file(&t, out, interval, force);
	}
	if (!ret)
		print_result(ctx, &t, out, interval);
	capture_free(&t);
	return ret;
}
