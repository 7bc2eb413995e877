/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `snapshot -o FILE`: registers, device state and ring memory saved as an ELF core with a device note. */
#include <unistd.h>

#include "../access/snapcapture.h"
#include "cli.h"

const struct vq_opt vq_snapshot_options[] = {
	{ "output", required_argument, 'o', 1, "FILE", "the file to write (required)" },
	{ "interval", required_argument, 'i', 0, "MS", "ring indices read again MS later (default 200; 0: once)" },
	{ "force", no_argument, 'f', 1, NULL, "replace FILE if it exists" },
	{ "allow-partial", no_argument, 'P', 0, NULL, "exit 0 even when no ring could be saved" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* Longest --interval: a snapshot is a moment, not a watch. */
#define INTERVAL_MAX_MS 60000u

static void print_result(const struct vq_ctx *ctx, const struct vq_snap_capture *t, const char *out,
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

/*
 * What the snapshot lacks, said; EXIT_ACCESS when it holds no ring of a
 * system that has some (unless @partial_ok): a snapshot that silently
 * saved less than it was asked is worse than none.
 */
static int judge_partial(const struct vq_snap_capture *t, const char *out, int partial_ok)
{
	size_t missing = (t->nwanted > t->nsaved ? t->nwanted - t->nsaved : 0) + t->nblind;

	if (!missing)
		return EXIT_OK;
	vq_err("warning: snapshot: %zu of %zu set-up queue%s saved with their rings%s%s", t->nsaved,
	       t->nwanted, t->nwanted == 1 ? "" : "s",
	       t->nblind ? "; queues of some devices could not be read at all" : "",
	       " (the reasons are above)");
	if (t->nsaved || partial_ok)
		return EXIT_OK;
	vq_err("snapshot: no ring could be saved: %s holds registers and state only (give --allow-partial to accept that)",
	       out);
	return EXIT_ACCESS;
}

int vq_cmd_snapshot(struct vq_ctx *ctx, int argc, char **argv)
{
	const struct vq_cmd *cmd = vq_find_cmd("snapshot");
	const char *out = NULL;
	uint64_t interval = 200;
	int c, force = 0, partial_ok = 0, ret;
	struct vq_snap_capture t;
	size_t first, last, i;
	char err[512];

	while ((c = vq_cmd_getopt(cmd, argc, argv)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'P':
			partial_ok = 1;
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
	if (ctx->raw)
		return vq_usage_err("snapshot", "a snapshot is taken of the live system, a running QEMU (--qemu) or a dump's kernel records (--core), not of --raw");
	/* A dump is one instant: no second sample to take. */
	if (ctx->core)
		interval = 0;
	if (!force && access(out, F_OK) == 0) {
		vq_err("snapshot: %s exists; give --force to replace it", out);
		return EXIT_USAGE;
	}
	/* The devices -d names (all without it). */
	ret = vq_ctx_device_range(ctx, 0, &first, &last);
	if (ret)
		return ret;
	/* Of a dump, only what its kernel's records gave (a snapshot of a
	 * snapshot would only copy it). */
	for (i = first; ctx->core && i < last; i++)
		if (ctx->sess.devs.devs[i].access != VQ_ACCESS_KERNEL)
			return vq_usage_err("snapshot", "a snapshot is taken of the live system, a running QEMU (--qemu) or a dump's kernel records (--core), not of a snapshot");
	if (vq_snap_capture(&ctx->sess, first, last, (uint32_t)interval, &t, err, sizeof(err)) < 0 ||
	    vq_snap_capture_write(&t, out, force, VQDUMP_VERSION, err, sizeof(err)) < 0) {
		vq_err("%s", err);
		ret = EXIT_ACCESS;
	} else {
		print_result(ctx, &t, out, interval);
		ret = judge_partial(&t, out, partial_ok);
	}
	vq_snap_capture_free(&t);
	return ret;
}
