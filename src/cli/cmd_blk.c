/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `blk`: the options as a plan for the minimal virtio-blk driver (driver/blkplan.h), its run on an unbound device, the results printed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../decode/names.h"
#include "../driver/blkplan.h"
#include "../driver/blkrun.h"
#include "../driver/vblk.h"
#include "../model/json.h"
#include "../model/names.h"
#include "cli.h"

const struct vq_opt vq_blk_options[] = {
	{ "id", no_argument, 'I', 0, NULL, "GET_ID: read the device's ID string" },
	{ "read", required_argument, 'r', 0, "LBA+N", "read N sectors from LBA (IN)" },
	{ "output", required_argument, 'o', 1, "FILE", "write the data --read returns to FILE" },
	{ "write", required_argument, 'w', 0, "LBA+N", "write N sectors from LBA with --pattern (OUT)" },
	{ "pattern", required_argument, 'p', 0, "BYTE", "the byte --write fills with (default 0xa5)" },
	{ "flush", no_argument, 'F', 0, NULL, "send a FLUSH request" },
	{ "discard", required_argument, 'D', 0, "LBA+N", "DISCARD N sectors from LBA" },
	{ "write-zeroes", required_argument, 'Z', 0, "LBA+N", "WRITE_ZEROES N sectors from LBA" },
	{ "negative", no_argument, 'N', 0, NULL, "two requests that must fail: IOERR, UNSUPP" },
	{ "bench", required_argument, 'b', 0, "SECONDS", "random reads across the device for SECONDS" },
	{ "depth", required_argument, 'q', 0, "Q", "--bench: requests in flight (default 1)" },
	{ "size", required_argument, 's', 0, "BYTES", "--bench: bytes per read (default 4096)" },
	{ "inject", required_argument, 'i', 0, "KIND", "malformed chain: loop, next-range or indirect-size" },
	{ "packed", no_argument, 'P', 0, NULL, "queue 0 as a packed virtqueue (VIRTIO_F_RING_PACKED, virtio 1.3 section 2.8)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* ---- signals ---- */

/* Every signal that would end the process ends the run instead, so the
 * device is reset; a closed output pipe becomes a write error (EPIPE). */
static const int blk_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
#define NSIGS (sizeof(blk_sigs) / sizeof(blk_sigs[0]))

static struct vb_run *sig_run; /* the run those signals stop */

static void on_signal(int sig)
{
	(void)sig;
	vb_run_interrupt(sig_run);
}

static void catch_signals(struct vb_run *r, struct sigaction *old)
{
	struct sigaction sa;
	size_t i;

	sig_run = r;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSIGS; i++) {
		sa.sa_handler = blk_sigs[i] == SIGPIPE ? SIG_IGN : on_signal;
		sigaction(blk_sigs[i], &sa, &old[i]);
	}
}

static void restore_signals(const struct sigaction *old)
{
	size_t i;

	for (i = 0; i < NSIGS; i++)
		sigaction(blk_sigs[i], &old[i], NULL);
	sig_run = NULL;
}

/* ---- where --read's bytes go ---- */

/* The -o file, or the first bytes shown. */
struct blk_out {
	const char *path;        /* -o FILE, NULL: none */
	int fd;                  /* @path open, or -1 */
	uint8_t peek[64];        /* first bytes --read returned (no -o) */
	size_t peek_len;         /* bytes in @peek, 0: none */
	uint64_t peek_lba;       /* the sector they came from */
	uint64_t peek_total;     /* bytes read */
};

/* vb_run_sink_fn for --read. */
static int read_sink(void *arg, uint64_t off, const uint8_t *data, size_t len)
{
	struct blk_out *out = arg;
	size_t done = 0;

	if (out->fd < 0) {
		if (off == 0) {
			out->peek_len = len < sizeof(out->peek) ? len : sizeof(out->peek);
			memcpy(out->peek, data, out->peek_len);
		}
		return 0;
	}
	while (done < len) {
		ssize_t w = write(out->fd, data + done, len - done);

		if (w <= 0) {
			vq_err("blk: write the output file: %s", strerror(errno));
			return -EIO;
		}
		done += (size_t)w;
	}
	return 0;
}

/* vb_plan_io.open_sink: -o FILE is truncated only once a read is going to be sent. */
static int open_out(void *arg)
{
	struct blk_out *out = arg;
	int err;

	if (!out->path)
		return 0;
	out->fd = open(out->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out->fd >= 0)
		return 0;
	err = errno;
	vq_err("blk: open %s: %s", out->path, strerror(err));
	return -err;
}

/* vb_plan_io.say: the driver's messages, as they happen. */
static void say(void *arg, const char *msg)
{
	(void)arg;
	vq_err("blk: %s", msg);
}

/* ---- output ---- */

static struct json_object *feature_json(uint64_t f)
{
	const uint32_t w[4] = { (uint32_t)f, (uint32_t)(f >> 32), 0, 0 };

	return vq_feature_bits_json(VIRTIO_ID_BLOCK, w, vq_feature_name_buf);
}

static void feature_text(const char *label, uint64_t f)
{
	char buf[32];
	unsigned b;

	printf("%s 0x%llx:", label, (unsigned long long)f);
	for (b = 0; b < 64; b++)
		if ((f >> b) & 1)
			printf(" %s", vq_feature_name_buf(2, b, buf, sizeof(buf)));
	printf("\n");
}

static const char *req_status(const struct vb_req *q, char *buf, size_t len)
{
	if (q->skipped)
		return "SKIPPED";
	if (!q->done)
		return "none";
	return vb_status_name(q->status, buf, len);
}

static void print_text(const struct vb_run *r, const struct blk_out *out, int verdict_ok,
		       const char *verdict)
{
	char b[16], b2[16];
	size_t i;

	for (i = 0; i < r->steps.n; i++)
		printf("%-4s %-12s %s\n", r->steps.v[i].ok ? "ok" : "FAIL", r->steps.v[i].name,
		       r->steps.v[i].detail);
	if (r->device_up) {
		feature_text("features offered", r->bu.offered);
		feature_text("features accepted", r->bu.accepted);
		printf("capacity %llu sectors (%llu bytes)", (unsigned long long)r->capacity,
		       (unsigned long long)r->capacity * VB_SECTOR);
		if (r->blk_size)
			printf(", blk_size %u", r->blk_size);
		printf("; queue 0 %s, %u entries\n", r->ring->layout, r->qsize);
	}
	if (r->have_id)
		printf("id \"%s\"\n", r->id);
	for (i = 0; i < r->nreqs; i++) {
		const struct vb_req *q = &r->reqs[i];
		char lat[32] = "-", range[48];

		if (q->done)
			snprintf(lat, sizeof(lat), "%.1f us", (double)q->latency / 1000.0);
		snprintf(range, sizeof(range), "lba %llu+%llu", (unsigned long long)q->lba,
			 (unsigned long long)q->count);
		printf("%-4s %-12s %-18s status %-10s", q->ok ? "ok" : "FAIL",
		       q->type == VB_T_UNKNOWN ? "type 0xff" : vb_type_name(q->type), range,
		       req_status(q, b, sizeof(b)));
		if (!q->skipped)
			printf(" expected %-6s len %-6u %s", vb_status_name(q->expect, b2, sizeof(b2)),
			       q->len, lat);
		if (q->why[0])
			printf("  (%s)", q->why);
		printf("\n");
	}
	if (out->peek_len) {
		printf("data at sector %llu (first %zu of %llu bytes; -o FILE saves all):\n",
		       (unsigned long long)out->peek_lba, out->peek_len,
		       (unsigned long long)out->peek_total);
		for (i = 0; i < out->peek_len; i++)
			printf("%s%02x%s", i % 16 ? " " : "  ", out->peek[i],
			       i % 16 == 15 || i + 1 == out->peek_len ? "\n" : "");
	}
	if (r->bench_done)
		printf("bench: %.1f s, depth %u, %u-byte random reads: %llu requests, %llu wrong, %.0f IOPS, latency min %.1f us, p50 %.1f us, p99 %.1f us, max %.1f us%s%s\n",
		       r->bench_elapsed, r->depth, r->bsize, (unsigned long long)r->bench_n,
		       (unsigned long long)r->bench_errors, r->iops, r->lat_min / 1000.0,
		       r->lat_p50 / 1000.0, r->lat_p99 / 1000.0, r->lat_max / 1000.0,
		       r->bench_why[0] ? "; first problem: " : "", r->bench_why);
	if (r->bench_done && strstr(r->clocksource, "jiffies"))
		printf("bench: note: the clocksource is %s, so latencies are whole timer ticks\n",
		       r->clocksource);
	printf("verdict: %s: %s\n", verdict_ok ? "PASS" : "FAIL", verdict);
}

/* The "bench" member of the JSON report. */
static struct json_object *bench_json(const struct vb_run *r)
{
	struct json_object *bj = json_object_new_object(), *l = json_object_new_object();

	json_object_object_add(bj, "seconds", json_object_new_double(r->bench_secs));
	json_object_object_add(bj, "elapsed", json_object_new_double(r->bench_elapsed));
	json_object_object_add(bj, "depth", json_object_new_int64(r->depth));
	json_object_object_add(bj, "size", json_object_new_int64(r->bsize));
	json_object_object_add(bj, "requests", json_object_new_uint64(r->bench_n));
	json_object_object_add(bj, "errors", json_object_new_uint64(r->bench_errors));
	json_object_object_add(bj, "iops", json_object_new_double(r->iops));
	json_object_object_add(l, "min", json_object_new_uint64(r->lat_min));
	json_object_object_add(l, "p50", json_object_new_uint64(r->lat_p50));
	json_object_object_add(l, "p99", json_object_new_uint64(r->lat_p99));
	json_object_object_add(l, "max", json_object_new_uint64(r->lat_max));
	json_object_object_add(bj, "latency_ns", l);
	json_object_object_add(bj, "clocksource", r->clocksource[0]
			       ? json_object_new_string(r->clocksource) : NULL);
	json_object_object_add(bj, "message",
			       r->bench_why[0] ? json_object_new_string(r->bench_why) : NULL);
	return bj;
}

static void print_json(const struct vb_run *r, int verdict_ok, const char *verdict)
{
	struct json_object *o = json_object_new_object(), *a;
	char b[16];
	size_t i;

	json_object_object_add(o, "device", json_object_new_string(r->d->name));
	/* list's and status's vocabulary (pci, pci-legacy, mmio) and, as they
	 * do, the virtio-mmio version beside it: one name per transport. */
	json_object_object_add(o, "transport", json_object_new_string(vq_transport_kind_name(r->d->kind)));
	if (r->d->kind == VQ_T_MMIO)
		json_object_object_add(o, "mmio_version", json_object_new_int(r->d->mmio_version));
	json_object_object_add(o, "capacity",
			       r->device_up ? json_object_new_uint64(r->capacity) : NULL);
	json_object_object_add(o, "blk_size", r->blk_size ? json_object_new_int64(r->blk_size) : NULL);
	/* Queue 0's layout once it was set up: "split" or "packed". */
	json_object_object_add(o, "layout", r->vq_ready ? json_object_new_string(r->ring->layout) : NULL);
	json_object_object_add(o, "id", r->have_id ? json_object_new_string(r->id) : NULL);
	if (r->device_up) {
		struct json_object *f = json_object_new_object();

		json_object_object_add(f, "offered", feature_json(r->bu.offered));
		json_object_object_add(f, "accepted", feature_json(r->bu.accepted));
		json_object_object_add(o, "features", f);
	} else {
		json_object_object_add(o, "features", NULL);
	}
	a = json_object_new_array();
	for (i = 0; i < r->steps.n; i++) {
		struct json_object *s = json_object_new_object();

		json_object_object_add(s, "step", json_object_new_string(r->steps.v[i].name));
		json_object_object_add(s, "ok", json_object_new_boolean(r->steps.v[i].ok));
		json_object_object_add(s, "detail", json_object_new_string(r->steps.v[i].detail));
		json_object_array_add(a, s);
	}
	json_object_object_add(o, "steps", a);
	a = json_object_new_array();
	for (i = 0; i < r->nreqs; i++) {
		const struct vb_req *q = &r->reqs[i];
		struct json_object *s = json_object_new_object();

		json_object_object_add(s, "type", json_object_new_string(
			q->type == VB_T_UNKNOWN ? "UNKNOWN" : vb_type_name(q->type)));
		json_object_object_add(s, "type_value", json_object_new_int64(q->type));
		json_object_object_add(s, "lba", json_object_new_uint64(q->lba));
		json_object_object_add(s, "count", json_object_new_uint64(q->count));
		json_object_object_add(s, "status", json_object_new_string(req_status(q, b, sizeof(b))));
		json_object_object_add(s, "status_value",
				       q->done ? json_object_new_int(q->status) : NULL);
		json_object_object_add(s, "expected", json_object_new_string(
			vb_status_name(q->expect, b, sizeof(b))));
		json_object_object_add(s, "len", q->done ? json_object_new_int64(q->len) : NULL);
		json_object_object_add(s, "latency_ns", q->done ? json_object_new_uint64(q->latency) : NULL);
		json_object_object_add(s, "ok", json_object_new_boolean(q->ok));
		json_object_object_add(s, "message", q->why[0] ? json_object_new_string(q->why) : NULL);
		json_object_array_add(a, s);
	}
	json_object_object_add(o, "requests", a);
	json_object_object_add(o, "bench", r->bench_done ? bench_json(r) : NULL);
	json_object_object_add(o, "ok", json_object_new_boolean(verdict_ok));
	json_object_object_add(o, "verdict", json_object_new_string(verdict));
	vq_json_print(o);
}

/* ---- the command ---- */

/* What the options asked: the plan, and where --read's bytes go. */
struct opts {
	struct vb_plan p;  /* what to send */
	const char *out;   /* -o FILE, NULL: show the first bytes */
};

static int parse_range_opt(const char *opt, const char *arg, struct vb_range *g)
{
	g->set = 1;
	if (vb_parse_range(arg, &g->lba, &g->n))
		return vq_usage_err("blk", "%s takes LBA+N (N 512-byte sectors from LBA, N > 0), not '%s'",
				    opt, arg);
	return 0;
}

/* The options that take a number: --pattern, --bench, --depth, --size.  0 or EXIT_USAGE. */
static int parse_number_opt(int c, const char *arg, struct vb_plan *o)
{
	uint64_t v;
	char *end;

	switch (c) {
	case 'p':
		if (vq_parse_u64(arg, &v) || v > 255)
			return vq_usage_err("blk", "--pattern takes a byte (0 to 255, or 0xNN), not '%s'",
					    arg);
		o->pattern = (int)v;
		return 0;
	case 'b':
		errno = 0;
		o->bench = strtod(arg, &end);
		if (errno || *end || !(o->bench > 0) || o->bench > 86400)
			return vq_usage_err("blk", "--bench takes seconds (more than 0, at most 86400), not '%s'",
					    arg);
		return 0;
	case 'q':
		if (vq_parse_u64(arg, &v) || !v || v > 32768)
			return vq_usage_err("blk", "--depth takes 1 to 32768, not '%s'", arg);
		o->depth = (unsigned)v;
		return 0;
	default: /* 's' */
		if (vq_parse_u64(arg, &v) || !v || v % VB_SECTOR || v > VB_BENCH_MAX_BYTES)
			return vq_usage_err("blk", "--size takes a multiple of 512 up to %u bytes, not '%s'",
					    VB_BENCH_MAX_BYTES, arg);
		o->size = (uint32_t)v;
		return 0;
	}
}

/* Options that go together, and the defaults.  0 or EXIT_USAGE. */
static int check_opts(struct opts *opts)
{
	struct vb_plan *o = &opts->p;

	if (opts->out && !o->read.set)
		return vq_usage_err("blk", "-o/--output goes with --read");
	if (o->pattern >= 0 && !o->write.set)
		return vq_usage_err("blk", "--pattern goes with --write");
	if ((o->depth || o->size) && !o->bench)
		return vq_usage_err("blk", "--depth and --size go with --bench");
	if (o->inject && (o->id || o->read.set || o->write.set || o->flush || o->discard.set ||
			  o->wz.set || o->negative || o->bench))
		return vq_usage_err("blk", "--inject runs alone: it leaves the device broken on purpose");
	if (o->inject && o->packed)
		return vq_usage_err("blk", "--inject writes split-ring chains: not with --packed");
	if (!o->depth)
		o->depth = 1;
	if (!o->size)
		o->size = 4096;
	if (o->bench && (uint64_t)o->depth * o->size > VB_BENCH_MAX_BYTES)
		return vq_usage_err("blk", "--depth * --size must stay within %u bytes of DMA memory",
				    VB_BENCH_MAX_BYTES);
	if (!o->id && !o->read.set && !o->write.set && !o->flush && !o->discard.set &&
	    !o->wz.set && !o->negative && !o->bench && !o->inject)
		o->id = 1; /* nothing asked: bring-up and GET_ID */
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *opts)
{
	const struct vq_cmd *cmd = vq_find_cmd("blk");
	struct vb_plan *o = &opts->p;
	int c, ret;

	/* --help, -d, --json and -v were taken by the dispatcher. */
	memset(opts, 0, sizeof(*opts));
	o->pattern = -1;
	while ((c = vq_cmd_getopt(cmd, argc, argv)) != -1) {
		ret = 0;
		switch (c) {
		case 'I':
			o->id = 1;
			break;
		case 'r':
			ret = parse_range_opt("--read", optarg, &o->read);
			break;
		case 'o':
			opts->out = optarg;
			break;
		case 'w':
			ret = parse_range_opt("--write", optarg, &o->write);
			break;
		case 'p':
		case 'b':
		case 'q':
		case 's':
			ret = parse_number_opt(c, optarg, o);
			break;
		case 'F':
			o->flush = 1;
			break;
		case 'D':
			ret = parse_range_opt("--discard", optarg, &o->discard);
			break;
		case 'Z':
			ret = parse_range_opt("--write-zeroes", optarg, &o->wz);
			break;
		case 'N':
			o->negative = 1;
			break;
		case 'P':
			o->packed = 1;
			break;
		case 'i':
			o->inject = vb_inject_kind(optarg);
			if (o->inject == VB_INJ_NONE)
				return vq_usage_err("blk", "--inject takes loop, next-range or indirect-size, not '%s'",
						    optarg);
			break;
		}
		if (ret)
			return ret;
	}
	if (optind < argc)
		return vq_usage_err("blk", "unexpected argument '%s'", argv[optind]);
	return check_opts(opts);
}

/* The exit status of what the run came to. */
static int exit_status(enum vb_outcome out)
{
	switch (out) {
	case VB_PASS:
		return EXIT_OK;
	case VB_FAIL:
		return EXIT_FOUND;
	case VB_REFUSED:
		return EXIT_USAGE;
	default: /* VB_ERROR */
		return EXIT_ACCESS;
	}
}

static int fail_access(const char *msg)
{
	vq_err("blk: %s", msg);
	return EXIT_ACCESS;
}

int vq_cmd_blk(struct vq_ctx *ctx, int argc, char **argv)
{
	struct sigaction old_sa[NSIGS];
	struct blk_out out = { .fd = -1 };
	const struct vb_plan_io io = { .say = say, .open_sink = open_out, .sink = read_sink,
				       .arg = &out };
	struct vq_dev *d;
	struct opts o;
	struct vb_run r;
	int ret, code = EXIT_OK;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret;
	out.path = o.out;
	out.peek_lba = o.p.read.lba;
	out.peek_total = o.p.read.n * VB_SECTOR;
	vb_run_init(&r, o.p.depth, o.p.size, o.p.bench);
	if (ctx->core || ctx->raw)
		return vq_usage_err("blk", "blk drives a live device; --core and --raw are memory images");
	d = vq_ctx_device(ctx, &code);
	if (!d)
		return code;
	if (vb_run_open(&r, d)) {
		vb_run_close(&r);
		return fail_access(r.err);
	}
	catch_signals(&r, old_sa);
	code = exit_status(vb_run_plan(&r, &o.p, &io));
	if (ctx->json)
		print_json(&r, code == EXIT_OK, r.verdict);
	else
		print_text(&r, &out, code == EXIT_OK, r.verdict);
	restore_signals(old_sa);
	if (out.fd >= 0)
		close(out.fd);
	vb_run_close(&r);
	return code;
}
