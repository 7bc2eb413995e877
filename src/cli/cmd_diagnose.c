/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `diagnose`: every device and queue checked for stuck-queue signatures, live (two samples) or in a core. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../access/diagnose.h"
#include "../decode/names.h"
#include "cli.h"

const struct vq_opt vq_diagnose_options[] = {
	{ "interval", required_argument, 'i', 0, "MS", "milliseconds between the two readings (default 1000)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* Live sampling interval (ms): long enough that a healthy device under
 * load completes something, short enough for an on-call shell. */
#define DIAG_INTERVAL_MS 1000
/* Findings kept per run. */
#define DIAG_MAX_FINDINGS 4096

/* Where a finding is: a device (and queue), or a ring found by address
 * with its size (for `ring --at ADDR --size N`) and the device type its
 * payloads suggest. */
static void where_text(const struct vq_diag_finding *f, char *buf, size_t len)
{
	const char *type = f->guessed_type ? vq_device_short_name(f->guessed_type) : NULL;

	if (f->device && f->queue >= 0)
		snprintf(buf, len, "%s queue %d", f->device, f->queue);
	else if (f->device)
		snprintf(buf, len, "%s", f->device);
	else if (type)
		snprintf(buf, len, "ring@0x%llx (size %u, looks like %s)", (unsigned long long)f->ring,
			 f->size, type);
	else
		snprintf(buf, len, "ring@0x%llx (size %u)", (unsigned long long)f->ring, f->size);
}

static void print_text(const struct vq_ctx *ctx, const struct vq_diagnosis *r, int scan_path)
{
	unsigned i, j, nsev[3] = { 0, 0, 0 };
	char where[120];

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
	if (!nsev[1] && !nsev[2] && r->missing)
		printf(": inconclusive: the dump is truncated (reason above)%s\n",
		       nsev[0] && !ctx->verbose ? "; notes with -v" : "");
	else if (!nsev[1] && !nsev[2] && (r->access_failed || r->skipped || r->rep.not_in_source))
		printf(": inconclusive: %s%s\n",
		       r->skipped ? "some rings could not be read (reasons above)"
		       : r->access_failed ? "some devices could not be read (reasons above)"
					  : "memory the rings point at is missing from the image (DESC_UNREADABLE, RING_UNREADABLE)",
		       nsev[0] && !ctx->verbose ? "; notes with -v" : "");
	else if (!nsev[0] && !nsev[1] && !nsev[2])
		printf(": no problems found\n");
	else
		printf(": %u error%s, %u warning%s, %u note%s%s\n", nsev[2], nsev[2] == 1 ? "" : "s",
		       nsev[1], nsev[1] == 1 ? "" : "s", nsev[0], nsev[0] == 1 ? "" : "s",
		       nsev[0] && !ctx->verbose ? " (notes shown with -v)" : "");
	if (r->rep.dropped)
		printf("%u more findings not listed\n", r->rep.dropped);
}

static void print_json(const struct vq_diagnosis *r)
{
	struct json_object *root = json_object_new_object(), *a = json_object_new_array();
	unsigned i, j;

	for (i = 0; i < r->rep.n; i++) {
		const struct vq_diag_finding *f = &r->rep.f[i];
		struct json_object *o = json_object_new_object(), *ev = json_object_new_object();

		json_object_object_add(o, "device", f->device ? json_object_new_string(f->device) : NULL);
		json_object_object_add(o, "queue", f->queue >= 0 ? json_object_new_int(f->queue) : NULL);
		if (!f->device) {
			const char *type = vq_device_short_name(f->guessed_type);

			json_object_object_add(o, "ring", json_object_new_uint64(f->ring));
			json_object_object_add(o, "device_type_guess",
					       f->guessed_type && type ? json_object_new_string(type) : NULL);
		}
		if (f->size)
			json_object_object_add(o, "size", json_object_new_int64(f->size));
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
	json_object_object_add(root, "inconclusive",
			       json_object_new_boolean(r->access_failed || r->skipped ||
						       r->rep.not_in_source || r->missing));
	json_object_object_add(root, "findings_dropped", json_object_new_int((int)r->rep.dropped));
	vq_json_print(root);
}

/*
 * A core that carries device records (a vqdump snapshot) is diagnosed as
 * devices; a plain one (dump-guest-memory, /proc/kcore) through scan.
 * True unless the transports that read images say it holds no device
 * records (-ENOENT), so that a damaged snapshot or an unreadable core
 * reports its own error through vq_ctx_open_devices().  What is read is
 * kept for it.
 */
static int core_has_devices(struct vq_ctx *ctx)
{
	char err[512];

	if (!ctx->core && !ctx->qemu)
		return 0;
	return vq_session_find_devices(&ctx->sess, err, sizeof(err)) != -ENOENT;
}

/* The diagnosis the source allows, into @r: 0, or the exit status after
 * printing the error. */
static int run(struct vq_ctx *ctx, int scan_path, unsigned interval, struct vq_diagnosis *r)
{
	size_t first = 0, last;
	int ret;

	if (scan_path) {
		ret = vq_diagnose_scan(&ctx->sess, r);
	} else {
		ret = vq_ctx_device_range(ctx, 0, &first, &last);
		if (ret)
			return ret;
		ret = vq_diagnose_devices(&ctx->sess, first, last, interval, r);
	}
	/* Any other failure was said where it happened. */
	if (ret == -ENOMEM)
		vq_err("diagnose: out of memory");
	return ret ? EXIT_ACCESS : 0;
}

int vq_cmd_diagnose(struct vq_ctx *ctx, int argc, char **argv)
{
	const struct vq_cmd *cmd = vq_find_cmd("diagnose");
	uint64_t interval = DIAG_INTERVAL_MS;
	struct vq_diagnosis r;
	int c, ret, scan_path;

	while ((c = vq_cmd_getopt(cmd, argc, argv)) != -1) {
		if (c == 'i' && (vq_parse_u64(optarg, &interval) || interval < 10 || interval > 600000))
			return vq_usage_err("diagnose", "--interval takes milliseconds from 10 to 600000, not '%s'",
					    optarg);
	}
	if (optind < argc)
		return vq_usage_err("diagnose", "unexpected argument '%s'", argv[optind]);
	scan_path = !vq_session_is_live(&ctx->sess) && !core_has_devices(ctx);
	if (scan_path && ctx->device)
		return vq_usage_err("diagnose", "-d needs device records; this image has none (diagnose checks every ring 'scan' finds in it)");

	memset(&r, 0, sizeof(r));
	r.rep.max = DIAG_MAX_FINDINGS;
	r.rep.f = calloc(r.rep.max, sizeof(*r.rep.f));
	if (!r.rep.f) {
		vq_err("diagnose: out of memory");
		return EXIT_ACCESS;
	}
	ret = run(ctx, scan_path, (unsigned)interval, &r);
	if (ret && !r.rep.n && !r.queues && !r.devices)
		goto out;
	if (ctx->json)
		print_json(&r);
	else
		print_text(ctx, &r, scan_path);
	if (vq_diag_count_sev(&r.rep, VQ_SEV_WARNING))
		ret = EXIT_FOUND;
	else if (ret || r.access_failed || r.skipped || r.rep.not_in_source || r.missing)
		ret = EXIT_ACCESS; /* inconclusive */
	else
		ret = EXIT_OK;
out:
	free(r.rep.f);
	return ret;
}
