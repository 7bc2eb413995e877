/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vqdump entry point: global options, source selection and the command table. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef VQDUMP_VERSION
#define VQDUMP_VERSION "0.1"
#endif

/* The one table behind argv dispatch, help, completion and the shell. */
const struct vq_cmd vq_commands[] = {
	{ "ring", "--at DESC[,AVAIL,USED] --size N [--align A] [--type T] [--recent K]",
	  "one split queue: indices, flags, event indices, pending chains, used entries",
	  vq_ring_options, vq_cmd_ring },
	{ "scan", "[--step BYTES] [--min-size N] [--max-size N]",
	  "find split rings in memory without register state", vq_scan_options, vq_cmd_scan },
	{ "mem", "ADDR LEN", "hex dump of physical memory", vq_mem_options, vq_cmd_mem },
	{ "shell", "", "interactive prompt over the same commands", NULL, vq_cmd_shell },
	{ "help", "[COMMAND]", "this help, or one command's", NULL, vq_cmd_help_cmd },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct option global_options[] = {
	{ "core", required_argument, NULL, 'c' },
	{ "raw", required_argument, NULL, 'r' },
	{ "json", no_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "color", optional_argument, NULL, 'C' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void vq_err(const char *fmt, ...)
{
	va_list ap;

	fputs("vqdump: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int vq_usage_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("vqdump: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'vqdump %s%s--help' for more information.\n", cmd ? cmd : "",
		cmd ? " " : "");
	return EXIT_USAGE;
}

int vq_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

void vq_json_print(struct json_object *obj)
{
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
							 JSON_C_TO_STRING_SPACED |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}

const char *vq_color_sev(const struct vq_ctx *ctx, int severity)
{
	static const char *const seq[] = { "\033[36m", "\033[33m", "\033[1;31m" };

	if (!ctx->color || severity < 0 || severity > 2)
		return "";
	return seq[severity];
}

const char *vq_color_off(const struct vq_ctx *ctx)
{
	return ctx->color ? "\033[0m" : "";
}

static int fetch_mem(void *c, uint64_t addr, void *buf, size_t len, const char *what)
{
	return vq_mem_read(c, addr, buf, len, what);
}

int vq_ctx_open_mem(struct vq_ctx *ctx)
{
	const struct vq_mem_ops *ops = &vq_mem_elf;
	const char *arg = "/proc/kcore";
	int ret;

	if (ctx->mem_open)
		return 0;
	if (ctx->raw) {
		ops = &vq_mem_raw;
		arg = ctx->raw;
	} else if (ctx->core) {
		arg = ctx->core;
	}
	ret = vq_mem_open(&ctx->mem, ops, arg);
	if (ret < 0) {
		if (!ctx->core && !ctx->raw)
			vq_err("%s (live memory is read through /proc/kcore as root; or give --core FILE)",
			       ctx->mem.err);
		else
			vq_err("%s", ctx->mem.err);
		return EXIT_ACCESS;
	}
	ctx->mem_open = 1;
	ctx->fetch.read = fetch_mem;
	ctx->fetch.ctx = &ctx->mem;
	return 0;
}

static void usage(FILE *out)
{
	const struct vq_cmd *c;
	size_t i;

	fputs("Usage: vqdump [SOURCE] [OPTIONS] COMMAND [ARGS]\n"
	      "Inspect virtio split virtqueues in guest memory.\n"
	      "\n"
	      "Source (default: /proc/kcore, the live system's memory, as root):\n"
	      "  -c, --core FILE        ELF core: QEMU dump-guest-memory output, /proc/kcore\n"
	      "      --raw FILE@BASE    raw physical-memory image loaded at address BASE\n"
	      "\n"
	      "Options:\n"
	      "      --json             machine-readable output (stable field names)\n"
	      "  -v, --verbose          more detail in text output\n"
	      "      --color[=WHEN]     colour severities: auto (default), always, never\n"
	      "  -h, --help             show this help and exit\n"
	      "  -V, --version          show the version and exit\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (c = vq_commands; c->name; c++)
		fprintf(out, "  %-6s %s\n         %s\n", c->name, c->args, c->help);
	fputs("\nAccess methods:\n", out);
	for (i = 0; vq_mem_methods[i]; i++)
		fprintf(out, "  %-6s %s\n", vq_mem_methods[i]->name, vq_mem_methods[i]->help);
	fputs("\nInspection only reads: it never writes guest memory.\n"
	      "Exit status: 0 ok, 2 usage error, 3 cannot access the source.\n"
	      "'vqdump COMMAND --help' describes a command; see vqdump(1).\n",
	      out);
}

void vq_cmd_help(const struct vq_cmd *cmd, FILE *out)
{
	const struct option *o;

	fprintf(out, "Usage: vqdump [SOURCE] %s %s\n%s\n\nOptions:\n", cmd->name, cmd->args,
		cmd->help);
	for (o = cmd->options; o && o->name; o++)
		fprintf(out, "  --%s%s\n", o->name, o->has_arg == required_argument ? " ARG" : "");
	fputs("  --json\n  -v, --verbose\n  -h, --help\n", out);
}

const struct vq_cmd *vq_find_cmd(const char *name);
const struct vq_cmd *vq_find_cmd(const char *name)
{
	const struct vq_cmd *c;

	for (c = vq_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int vq_cmd_getopt(struct vq_ctx *ctx, const struct vq_cmd *cmd, int argc, char **argv,
		  const char *shortopts, int *handled)
{
	struct option all[32];
	size_t n = 0;
	const struct option *o;
	char shorts[64];
	int c;

	for (o = cmd->options; o && o->name && n < 28; o++)
		all[n++] = *o;
	all[n++] = (struct option){ "json", no_argument, NULL, 'j' };
	all[n++] = (struct option){ "verbose", no_argument, NULL, 'v' };
	all[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	all[n] = (struct option){ NULL, 0, NULL, 0 };
	snprintf(shorts, sizeof(shorts), "+:vh%s", shortopts ? shortopts : "");
	*handled = 0;
	c = getopt_long(argc, argv, shorts, all, NULL);
	switch (c) {
	case 'j':
		ctx->json = 1;
		*handled = 1;
		break;
	case 'v':
		ctx->verbose++;
		*handled = 1;
		break;
	case 'h':
		vq_cmd_help(cmd, stdout);
		*handled = 2;
		break;
	case '?':
		vq_usage_err(cmd->name, "unknown option '%s'", argv[optind - 1]);
		*handled = 3;
		break;
	case ':':
		vq_usage_err(cmd->name, "option '%s' needs an argument", argv[optind - 1]);
		*handled = 3;
		break;
	default:
		break;
	}
	return c;
}

int vq_cmd_help_cmd(struct vq_ctx *ctx, int argc, char **argv)
{
	const struct vq_cmd *c;

	(void)ctx;
	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	c = vq_find_cmd(argv[1]);
	if (!c)
		return vq_usage_err(NULL, "unknown command '%s'", argv[1]);
	vq_cmd_help(c, stdout);
	return EXIT_OK;
}

int vq_run_command(struct vq_ctx *ctx, int argc, char **argv);
int vq_run_command(struct vq_ctx *ctx, int argc, char **argv)
{
	const struct vq_cmd *c = vq_find_cmd(argv[0]);

	if (!c)
		return vq_usage_err(NULL, "unknown command '%s'", argv[0]);
	optind = 0; /* glibc: restart getopt for the command's own options */
	return c->run(ctx, argc, argv);
}

static int parse_color(const char *when)
{
	if (!when || !strcmp(when, "always"))
		return 1;
	if (!strcmp(when, "never"))
		return 0;
	if (!strcmp(when, "auto"))
		return isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	return -1;
}

int main(int argc, char **argv)
{
	struct vq_ctx ctx = { 0 };
	int c, ret, color = -2;

	ctx.mem.fd = -1;
	while ((c = getopt_long(argc, argv, "+:c:jvhV", global_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			ctx.core = optarg;
			break;
		case 'r':
			ctx.raw = optarg;
			break;
		case 'j':
			ctx.json = 1;
			break;
		case 'v':
			ctx.verbose++;
			break;
		case 'C':
			color = parse_color(optarg);
			if (color < 0)
				return vq_usage_err(NULL, "--color takes auto, always or never, not '%s'",
						    optarg);
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("vqdump %s\n", VQDUMP_VERSION);
			return EXIT_OK;
		case ':':
			return vq_usage_err(NULL, "option '%s' needs an argument", argv[optind - 1]);
		default:
			return vq_usage_err(NULL, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (ctx.core && ctx.raw)
		return vq_usage_err(NULL, "give one source: --core or --raw, not both");
	ctx.color = color == -2 ? parse_color("auto") : color;
	if (optind >= argc)
		return vq_usage_err(NULL, "no command given");
	ret = vq_run_command(&ctx, argc - optind, argv + optind);
	if (ctx.mem_open)
		vq_mem_close(&ctx.mem);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		vq_err("write output: %s", strerror(errno));
		return ret ? ret : EXIT_ACCESS;
	}
	return ret;
}
