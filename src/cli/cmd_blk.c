/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `blk`: bring up an unbound virtio-blk device with the minimal driver, push test requests, judge the answers. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../decode/names.h"
#include "../driver/blkrun.h"
#include "../driver/vblk.h"
#include "../model/json.h"
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
	{ NULL, 0, 0, 0, NULL, NULL },
};

#define DEFAULT_PATTERN 0xa5
#define VERDICT_LEN 200

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
	int fd;                  /* -o FILE, or -1 */
	int failed;              /* writing @fd failed (said) */
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
			out->failed = 1;
			return -EIO;
		}
		done += (size_t)w;
	}
	return 0;
}

/* Say what the driver left in r->err (a doorbell write that failed
 * mid-run), once; passes @ret on. */
static int say(struct vb_run *r, int ret)
{
	if (r->err[0]) {
		vq_err("blk: %s", r->err);
		r->err[0] = 0;
	}
	return ret;
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
		printf("\n");
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
	json_object_object_add(o, "transport", json_object_new_string(r->hw.kind_name ? r->hw.kind_name : "unknown"));
	json_object_object_add(o, "capacity",
			       r->device_up ? json_object_new_uint64(r->capacity) : NULL);
	json_object_object_add(o, "blk_size", r->blk_size ? json_object_new_int64(r->blk_size) : NULL);
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

struct opts {
	int id, flush, negative;
	int have_read, have_write, have_discard, have_wz;
	uint64_t read_lba, read_n, write_lba, write_n, disc_lba, disc_n, wz_lba, wz_n;
	const char *out;
	int pattern;              /* -1: not given */
	double bench;             /* seconds, 0: no bench */
	unsigned depth;           /* 0: not given */
	uint32_t size;            /* 0: not given */
	enum vb_inject inject;    /* VB_INJ_NONE: not given */
};

static int parse_range_opt(const char *opt, const char *arg, uint64_t *lba, uint64_t *n)
{
	if (vb_parse_range(arg, lba, n))
		return vq_usage_err("blk", "%s takes LBA+N (N 512-byte sectors from LBA, N > 0), not '%s'",
				    opt, arg);
	return 0;
}

/* The options that take a number: --pattern, --bench, --depth, --size.  0 or EXIT_USAGE. */
static int parse_number_opt(int c, const char *arg, struct opts *o)
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
static int check_opts(struct opts *o)
{
	if (o->out && !o->have_read)
		return vq_usage_err("blk", "-o/--output goes with --read");
	if (o->pattern >= 0 && !o->have_write)
		return vq_usage_err("blk", "--pattern goes with --write");
	if ((o->depth || o->size) && !o->bench)
		return vq_usage_err("blk", "--depth and --size go with --bench");
	if (o->inject && (o->id || o->have_read || o->have_write || o->flush || o->have_discard ||
			  o->have_wz || o->negative || o->bench))
		return vq_usage_err("blk", "--inject runs alone: it leaves the device broken on purpose");
	if (!o->depth)
		o->depth = 1;
	if (!o->size)
		o->size = 4096;
	if (o->bench && (uint64_t)o->depth * o->size > VB_BENCH_MAX_BYTES)
		return vq_usage_err("blk", "--depth * --size must stay within %u bytes of DMA memory",
				    VB_BENCH_MAX_BYTES);
	if (!o->id && !o->have_read && !o->have_write && !o->flush && !o->have_discard &&
	    !o->have_wz && !o->negative && !o->bench && !o->inject)
		o->id = 1; /* nothing asked: bring-up and GET_ID */
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	const struct vq_cmd *cmd = vq_find_cmd("blk");
	int c, ret;

	/* --help, -d, --json and -v were taken by the dispatcher. */
	memset(o, 0, sizeof(*o));
	o->pattern = -1;
	while ((c = vq_cmd_getopt(cmd, argc, argv)) != -1) {
		ret = 0;
		switch (c) {
		case 'I':
			o->id = 1;
			break;
		case 'r':
			ret = parse_range_opt("--read", optarg, &o->read_lba, &o->read_n);
			o->have_read = 1;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'w':
			ret = parse_range_opt("--write", optarg, &o->write_lba, &o->write_n);
			o->have_write = 1;
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
			ret = parse_range_opt("--discard", optarg, &o->disc_lba, &o->disc_n);
			o->have_discard = 1;
			break;
		case 'Z':
			ret = parse_range_opt("--write-zeroes", optarg, &o->wz_lba, &o->wz_n);
			o->have_wz = 1;
			break;
		case 'N':
			o->negative = 1;
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
	return check_opts(o);
}

/* A range option against the capacity (nothing outside it is touched). */
static int check_range(const struct vb_run *r, const char *opt, uint64_t lba, uint64_t n)
{
	if (vb_range_check(lba, n, r->capacity) == 0)
		return 0;
	vq_err("blk: %s %llu+%llu is outside the device's %llu sectors; nothing was sent", opt,
	       (unsigned long long)lba, (unsigned long long)n, (unsigned long long)r->capacity);
	return -ERANGE;
}

/* Before anything is sent: the ranges, a read-only device, the bench's
 * depth, the output file.  EXIT_OK, or the exit status with @verdict. */
static int blk_preflight(struct vb_run *r, const struct opts *o, struct blk_out *out,
			 char *verdict)
{
	unsigned need;

	/* Ranges against the capacity, before anything is sent. */
	if ((o->have_read && check_range(r, "--read", o->read_lba, o->read_n)) ||
	    (o->have_write && check_range(r, "--write", o->write_lba, o->write_n)) ||
	    (o->have_discard && check_range(r, "--discard", o->disc_lba, o->disc_n)) ||
	    (o->have_wz && check_range(r, "--write-zeroes", o->wz_lba, o->wz_n))) {
		snprintf(verdict, VERDICT_LEN, "a range is outside the device; nothing sent");
		return EXIT_USAGE;
	}
	if ((o->have_write || o->have_discard || o->have_wz) && vb_run_has(r, VIRTIO_BLK_F_RO)) {
		vq_err("blk: the device is read-only (VIRTIO_BLK_F_RO); --write, --discard and --write-zeroes are not sent");
		snprintf(verdict, VERDICT_LEN, "device is read-only; nothing sent");
		return EXIT_USAGE;
	}
	if (o->bench && vb_run_bench_fits(r, &need)) {
		vq_err("blk: --depth %u needs %u descriptors, queue 0 has %u", r->depth, need,
		       r->vq.size);
		snprintf(verdict, VERDICT_LEN, "--depth too large for the queue; nothing sent");
		return EXIT_USAGE;
	}
	/* Truncate the output file only once a read is going to be sent. */
	if (o->out) {
		out->fd = open(o->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out->fd < 0) {
			vq_err("blk: open %s: %s", o->out, strerror(errno));
			snprintf(verdict, VERDICT_LEN, "cannot open the output file; nothing sent");
			return EXIT_ACCESS;
		}
	}
	return EXIT_OK;
}

/* Send what the options ask for, in this order.  EXIT_OK, or EXIT_ACCESS
 * when the output file could not be written or the bench could not go on. */
static int blk_send(struct vb_run *r, const struct opts *o, struct blk_out *out)
{
	int code = EXIT_OK, ret;

	if (o->id)
		say(r, vb_run_get_id(r));
	if (o->have_write)
		say(r, vb_run_rw(r, 1, o->write_lba, o->write_n,
				 o->pattern >= 0 ? o->pattern : DEFAULT_PATTERN, NULL, NULL));
	if (o->have_wz)
		say(r, vb_run_write_zeroes(r, o->wz_lba, o->wz_n));
	if (o->have_discard)
		say(r, vb_run_discard(r, o->disc_lba, o->disc_n));
	if (o->flush)
		say(r, vb_run_flush(r));
	if (o->have_read) {
		out->peek_lba = o->read_lba;
		out->peek_total = o->read_n * VB_SECTOR;
		say(r, vb_run_rw(r, 0, o->read_lba, o->read_n, 0, read_sink, out));
		if (out->failed)
			code = EXIT_ACCESS;
	}
	if (o->negative)
		say(r, vb_run_negative(r));
	if (o->bench) {
		ret = say(r, vb_run_bench(r));
		if (ret < 0 && ret != -EIO) /* a failed doorbell is the device's: judged */
			code = EXIT_ACCESS;
	}
	return code;
}

/* The verdict on what was sent; @code from blk_send. */
static int blk_verdict(const struct vb_run *r, int code, char *verdict)
{
	int wrong = (int)vb_run_wrong(r);

	if (r->stop)
		snprintf(verdict, VERDICT_LEN, "interrupted; device reset");
	else if (wrong)
		snprintf(verdict, VERDICT_LEN, "%d request%s did not complete as the spec says", wrong,
			 wrong == 1 ? "" : "s");
	else
		snprintf(verdict, VERDICT_LEN, "every request completed as the spec says");
	if ((wrong || r->stop) && code == EXIT_OK)
		code = EXIT_FOUND;
	return code;
}

/* Reset the device and check the DMA pages; @code unless that fails. */
static int blk_reset(struct vb_run *r, int code, char *verdict)
{
	if (vb_run_reset(r) && code == EXIT_OK) {
		code = EXIT_FOUND;
		snprintf(verdict, VERDICT_LEN, "device did not reset");
	}
	if (vb_run_dma_check(r) && code == EXIT_OK) {
		code = EXIT_ACCESS;
		snprintf(verdict, VERDICT_LEN, "DMA pages moved during the run: results not trustworthy");
	}
	return code;
}

/* --inject: the exit status, with @verdict. */
static int blk_inject(struct vb_run *r, const struct opts *o, char *verdict)
{
	int ret = say(r, vb_run_inject(r, o->inject));

	if (ret == 0) {
		snprintf(verdict, VERDICT_LEN,
			 "device flagged the malformed chain with NEEDS_RESET; device left unreset");
		/* No reset: diagnose is to see the device as it is.  The
		 * device has stopped (NEEDS_RESET), so it no longer uses
		 * the ring memory given back at exit. */
		return EXIT_OK;
	}
	if (ret < 0)
		snprintf(verdict, VERDICT_LEN, "could not publish the injected chain");
	else
		snprintf(verdict, VERDICT_LEN,
			 "device did not set NEEDS_RESET for the malformed chain; device reset");
	/* A device still running must not keep memory we give back. */
	return blk_reset(r, EXIT_FOUND, verdict);
}

/* Bring the device up and do what the options ask: the exit status, with @verdict. */
static int blk_drive(struct vb_run *r, const struct opts *o, struct blk_out *out, char *verdict)
{
	int ret = vb_run_bring_up(r, o->inject), code;

	if (ret) {
		snprintf(verdict, VERDICT_LEN, "bring-up failed at step '%s'", vb_run_failed_step(r));
		/* No memory for the ring is the machine's problem, not the device's. */
		return ret == -ENOMEM ? EXIT_ACCESS : EXIT_FOUND;
	}
	if (o->inject)
		return blk_inject(r, o, verdict);
	code = blk_preflight(r, o, out, verdict);
	if (code == EXIT_OK)
		code = blk_verdict(r, blk_send(r, o, out), verdict);
	return blk_reset(r, code, verdict);
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
	struct vq_dev *d;
	struct opts o;
	struct vb_run r;
	char verdict[VERDICT_LEN];
	int ret, code = EXIT_OK;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret;
	vb_run_init(&r, o.depth, o.size, o.bench);
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
	code = blk_drive(&r, &o, &out, verdict);
	if (ctx->json)
		print_json(&r, code == EXIT_OK, verdict);
	else
		print_text(&r, &out, code == EXIT_OK, verdict);
	restore_signals(old_sa);
	if (out.fd >= 0)
		close(out.fd);
	vb_run_close(&r);
	return code;
}
