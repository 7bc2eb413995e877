/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vqdump entry point: global options, source selection and the command table. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../access/qmp.h"
#include "../model/escape.h"
#include "cli.h"

#ifndef VQDUMP_VERSION
#define VQDUMP_VERSION "0.1"
#endif

/* The one table behind argv dispatch, help, completion and the shell. */
const struct vq_cmd vq_commands[] = {
	{
		.name = "list",
		.live = 1,
		.args = "",
		.help = "every virtio device found (PCI and MMIO)",
		.options = vq_no_options,
		.run = vq_cmd_list,
	},
	{
		.name = "status",
		.live = 1,
		.args = "",
		.help = "status bits, features offered and accepted, queues, device config",
		.options = vq_no_options,
		.run = vq_cmd_status,
	},
	{
		.name = "features",
		.live = 1,
		.args = "",
		.help = "feature bits side by side: offered, accepted, accepted but not offered",
		.options = vq_no_options,
		.run = vq_cmd_features,
	},
	{
		.name = "config",
		.live = 1,
		.args = "",
		.help = "device-specific configuration, decoded",
		.options = vq_no_options,
		.run = vq_cmd_config,
	},
	{
		.name = "regs",
		.live = 1,
		.args = "",
		.help = "transport registers and capabilities in detail",
		.options = vq_no_options,
		.run = vq_cmd_regs,
	},
	{
		.name = "ring",
		.live = 1,
		.args = "--queue N | --at DESC[,AVAIL,USED] --size N [--align A] [--type T] [--recent K] [--force] [--packed]",
		.help = "one split queue: indices, flags, event indices, pending chains, used entries",
		.options = vq_ring_options,
		.run = vq_cmd_ring,
		.details = "--queue N reads the queue's addresses and size from the live device (-d;\n"
		  "without it, with several devices, queue N of each device that has one).\n"
		  "--at gives them by address (cores): with DESC alone, AVAIL and USED follow\n"
		  "the contiguous layout, the used ring aligned to 64 (Linux) or 4096 (legacy),\n"
		  "whichever fits the memory (or --align A).  Addresses that break the spec's\n"
		  "alignment (2.7: desc 16, avail 2, used 4) are refused unless --force; every\n"
		  "byte of the three parts must be in the source.  --type T decodes payload\n"
		  "headers as T: blk, net, vsock, console, scsi, fs, 9p, gpu, input, balloon\n"
		  "or rpmsg (by default the device's type, or guessed for blk).\n"
		  "--recent K shows the K newest used entries (default 8), each with the\n"
		  "payload its descriptors point at now (the device's answer, if the driver\n"
		  "has not reused them).\n"
		  "--packed: the ring is a packed one (virtio 1.3 section 2.8) at --at\n"
		  "DESC,DRIVER,DEVICE (descriptor ring, driver and device event areas), any\n"
		  "size from 1 to 32768; a device that negotiated VIRTIO_F_RING_PACKED is read\n"
		  "so by --queue.  The wrap counters and positions are inferred from the slots'\n"
		  "AVAIL/USED bits and said to be.\n",
	},
	{
		.name = "diagnose",
		.args = "[--interval MS]",
		.help = "check every device and queue; name what is stuck and why",
		.options = vq_diagnose_options,
		.run = vq_cmd_diagnose,
		.details = "Live: reads every device, decodes each ring twice --interval MS apart\n"
		  "(default 1000) and reports findings with their evidence (codes in the\n"
		  "man page, FINDINGS).  On a core without device records the rings 'scan'\n"
		  "finds are checked.  With --qemu the rings are sampled as live and each\n"
		  "queue gets both sides: QEMU's own indices (QMP) beside guest RAM's\n"
		  "(DEVICE_VIEW, DEVICE_HOLDS, BACKEND_VIEW).  Exit 1 when a warning or error\n"
		  "is found, else 0.  Notes (info) are shown with -v; --json lists all.\n",
		.live = 1,
	},
	{
		.name = "watch",
		.live = 1,
		.args = "[--interval MS] [--count N]",
		.help = "per-queue progress over time: index rates, in flight, stalls",
		.options = vq_watch_options,
		.run = vq_cmd_watch,
		.details = "Samples every queue's ring indices each --interval MS (default 1000)\n"
		  "until Ctrl-C or --count N samples: a table per sample, or with --json\n"
		  "one JSON object per sample per line.  Live, or a running QEMU (--qemu):\n"
		  "then each sample reads QEMU's view of every queue too (device_view).\n",
	},
	{
		.name = "snapshot",
		.live = 1,
		.args = "-o FILE [--interval MS] [--force] [--allow-partial]",
		.help = "save registers, device state and ring memory as an ELF core",
		.options = vq_snapshot_options,
		.run = vq_cmd_snapshot,
		.details = "Saves every device (or the one -d names): its registers and state as a\n"
		  "note, and as memory the ring parts of every set-up queue and, for pending\n"
		  "chains, their descriptors, indirect tables and the first 64 bytes and last\n"
		  "byte of each buffer.  -o, --output FILE is written through a temporary file\n"
		  "beside it and renamed; an existing FILE is kept unless --force.  The ring\n"
		  "indices are read again --interval MS later (default 200, 0: once only) as\n"
		  "progress evidence.  Read it back with 'vqdump -c FILE COMMAND'.  When no\n"
		  "ring could be saved the file holds registers and state only and the exit\n"
		  "status is 3, unless --allow-partial.  With --qemu SOCKET, of a running\n"
		  "QEMU from the host, QEMU's device view of every queue kept beside the rings.\n",
	},
	{
		.name = "blk",
		.live = 1,
		.args = "[--id] [--read LBA+N [-o FILE]] [--write LBA+N [--pattern BYTE]] [--flush] "
			"[--discard LBA+N] [--write-zeroes LBA+N] [--negative] "
			"[--bench SECONDS [--depth Q] [--size BYTES]] | --inject KIND",
		.help = "minimal driver: push test block requests to an unbound virtio-blk device",
		.options = vq_blk_options,
		.run = vq_cmd_blk,
		.details = "Brings the device (-d; root, no kernel driver bound) up as virtio 1.3\n"
		  "section 3.1.1 says, printing each step, sends the requests asked for and\n"
		  "judges each completion (status byte, used length, 5 s timeout), then resets\n"
		  "the device.  LBA+N is N 512-byte sectors from LBA, inside the capacity;\n"
		  "nothing outside a given range is touched.  Order: GET_ID, OUT, WRITE_ZEROES,\n"
		  "DISCARD, FLUSH, IN, the --negative pair (a read at the capacity: IOERR; type\n"
		  "0xff: UNSUPP), then --bench (random reads of --size bytes across the whole\n"
		  "device, --depth in flight).  --write fills every byte with --pattern\n"
		  "(default 0xa5).  With no request option: --id.  --inject loop|next-range|\n"
		  "indirect-size publishes one malformed chain and leaves the device unreset.\n"
		  "Exit 0 when every request completed as the spec says, 1 when not.\n",
	},
	{
		.name = "scan",
		.args = "[--step BYTES] [--min-size N] [--max-size N]",
		.help = "find split and packed rings in memory without register state",
		.options = vq_scan_options,
		.run = vq_cmd_scan,
	},
	{
		.name = "mem",
		.args = "ADDR LEN",
		.help = "hex dump of physical memory",
		.options = vq_mem_options,
		.run = vq_cmd_mem,
	},
	{
		.name = "shell",
		.args = "[--stop-on-error]",
		.help = "interactive prompt over the same commands",
		.options = vq_shell_options,
		.run = vq_cmd_shell,
		.details = "Reads commands (as on the command line, without 'vqdump') and runs them\n"
		  "against the source opened once.  'device SEL' picks the device later\n"
		  "commands use; 'quit' or end of input leaves.  History is kept in\n"
		  "$XDG_STATE_HOME/vqdump/history; Ctrl-C cancels the line being typed.\n"
		  "With standard input not a terminal it reads commands line by line, names\n"
		  "the line in each error ('line N: ...'), and exits with the status of the\n"
		  "last command that failed (0 if none did).\n",
	},
	{
		.name = "help",
		.args = "[COMMAND]",
		.help = "this help, or one command's",
		.options = NULL,
		.run = vq_cmd_help_cmd,
	},
	{ .name = NULL },
};

/* Global options, in the groups --help shows.  -d, --json, -v and --help
 * are also every command's (their lines here describe them there too). */
static const struct vq_opt source_options[] = {
	{ "core", required_argument, 'c', 1, "FILE",
	  "ELF core: QEMU dump-guest-memory output, /proc/kcore,\n"
	  "or a 'vqdump snapshot' file (then every command reads it)" },
	{ "raw", required_argument, 'r', 0, "FILE@BASE", "raw physical-memory image loaded at address BASE" },
	{ "qemu", required_argument, 'Q', 0, "SOCKET",
	  "a running QEMU from the host: devices over its QMP socket\n"
	  "(PATH or unix:PATH), guest RAM from its process" },
	{ "libvirt", required_argument, 'L', 0, "DOMAIN",
	  "the same for a libvirt domain: QMP through virsh\n"
	  "qemu-monitor-command (LIBVIRT_DEFAULT_URI picks the connection)" },
	{ "pause", no_argument, 'P', 0, NULL,
	  "with --qemu or --libvirt: stop a running guest for the read, then cont it\n"
	  "(also on errors and signals): consistent indices" },
	{ "mmio", required_argument, 'm', 0, "ADDR", "only the virtio-mmio device at this physical address" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static const struct vq_opt device_options[] = {
	{ "device", required_argument, 'd', 1, "SEL",
	  "PCI address (0000:00:04.0), mmio:ADDR, virtioN,\nor the index 'list' prints" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static const struct vq_opt general_options[] = {
	{ "json", no_argument, 'j', 0, NULL, "machine-readable output (stable field names)" },
	{ "verbose", no_argument, 'v', 1, NULL, "more detail in text output" },
	{ "color", optional_argument, 'C', 0, "WHEN",
	  "colour severities: auto (default), always, never;\n--color alone means always" },
	{ "help", no_argument, 'h', 1, NULL, "show this help and exit" },
	{ "version", no_argument, 'V', 1, NULL, "show the version and exit" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* Usage errors inside the shell point to its 'help'.  Process-wide, as
 * the program name in every message is: vq_usage_err() is called from
 * every command's option parsing, which has no context to carry it. */
static int in_shell;
/* The script line being run (the shell reading a pipe), 0 if none: every
 * error message names it. */
static unsigned script_line;

void vq_cli_set_shell(int on)
{
	in_shell = on;
}

void vq_cli_set_line(unsigned line)
{
	script_line = line;
}

/* "vqdump: " and, in a script, "line N: ". */
static void err_prefix(void)
{
	fputs("vqdump: ", stderr);
	if (script_line)
		fprintf(stderr, "line %u: ", script_line);
}

/* One message to stderr: whatever it quotes from a file or the command
 * line, no byte but printable ASCII reaches the terminal (model/escape.h). */
static __attribute__((format(printf, 1, 0))) void put_err(const char *fmt, va_list ap)
{
	char msg[2048], out[VQ_ESCAPED_LEN(sizeof(msg))];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fputs(vq_escape(msg, VQ_ESC_KEEP_BS, out, sizeof(out)), stderr);
}

void vq_err(const char *fmt, ...)
{
	va_list ap;

	err_prefix();
	va_start(ap, fmt);
	put_err(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int vq_usage_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	err_prefix();
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	put_err(fmt, ap);
	va_end(ap);
	if (in_shell)
		fprintf(stderr, "\nTry 'help%s%s' for more information.\n", cmd ? " " : "",
			cmd ? cmd : "");
	else
		fprintf(stderr, "\nTry 'vqdump %s%s--help' for more information.\n", cmd ? cmd : "",
			cmd ? " " : "");
	return EXIT_USAGE;
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

/* What ctx->sess says while it reads: on stderr, as vq_err() does. */
static void vq_say(const char *line)
{
	vq_err("%s", line);
}

int vq_ctx_open_mem(struct vq_ctx *ctx)
{
	int ret = vq_session_need_mem(&ctx->sess);

	/* A malformed --raw FILE@BASE is the command line's mistake. */
	if (ret == -VQ_EBADARG) {
		fprintf(stderr, "Try 'vqdump --help' for more information.\n");
		return EXIT_USAGE;
	}
	return ret ? EXIT_ACCESS : 0;
}

/* "--name ARG", "--name[=ARG]" or "--name" into @buf. */
static void opt_label(const struct vq_opt *o, char *buf, size_t len)
{
	if (!o->arg)
		snprintf(buf, len, "--%s", o->name);
	else if (o->has_arg == optional_argument)
		snprintf(buf, len, "--%s[=%s]", o->name, o->arg);
	else
		snprintf(buf, len, "--%s %s", o->name, o->arg);
}

/* One option a line, "  -X, --name ARG   what it does", the descriptions
 * in one column (at least 25, wider when a name and argument need it). */
static void print_opts(FILE *out, const struct vq_opt *const *opts, size_t n)
{
	char label[64];
	int col = 25, w;
	size_t i;

	for (i = 0; i < n; i++) {
		opt_label(opts[i], label, sizeof(label));
		w = 6 + (int)strlen(label) + 2;
		if (w > col)
			col = w;
	}
	for (i = 0; i < n; i++) {
		const char *h = opts[i]->help, *nl;

		opt_label(opts[i], label, sizeof(label));
		if (opts[i]->short_too)
			fprintf(out, "  -%c, %-*s", opts[i]->val, col - 6, label);
		else
			fprintf(out, "      %-*s", col - 6, label);
		while ((nl = strchr(h, '\n'))) {
			fprintf(out, "%.*s\n%*s", (int)(nl - h), h, col, "");
			h = nl + 1;
		}
		fprintf(out, "%s\n", h);
	}
}

/* Append pointers to @table's entries to @out, which holds @n of at most
 * @max; returns the new count. */
static size_t opt_ptrs(const struct vq_opt *table, const struct vq_opt **out, size_t n, size_t max)
{
	for (; table && table->name && n < max; table++)
		out[n++] = table;
	return n;
}

/* The global option named @name (the common ones commands share). */
static const struct vq_opt *global_opt(const char *name)
{
	const struct vq_opt *const tables[] = { source_options, device_options, general_options };
	const struct vq_opt *o;
	size_t i;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		for (o = tables[i]; o->name; o++)
			if (!strcmp(o->name, name))
				return o;
	return NULL;
}

size_t vq_cmd_options(const struct vq_cmd *cmd, const struct vq_opt **out)
{
	size_t n = opt_ptrs(cmd->options, out, 0, VQ_CMD_OPTS_MAX - 5);

	if (cmd->live)
		out[n++] = global_opt("device");
	if (cmd->options) {
		out[n++] = global_opt("json");
		out[n++] = global_opt("verbose");
		out[n++] = global_opt("color");
	}
	out[n++] = global_opt("help");
	return n;
}

/* getopt_long's view of @opts: the long options (ending entry included)
 * and the short ones, after @prefix ("+:" or ":"). */
static void getopt_view(const struct vq_opt *const *opts, size_t n, const char *prefix,
			struct option *lopts, char *shorts, size_t shorts_len)
{
	size_t i, k = strlen(prefix);

	memcpy(shorts, prefix, k + 1);
	for (i = 0; i < n; i++) {
		lopts[i] = (struct option){ opts[i]->name, opts[i]->has_arg, NULL, opts[i]->val };
		if (!opts[i]->short_too || k + 4 > shorts_len)
			continue;
		shorts[k++] = (char)opts[i]->val;
		if (opts[i]->has_arg != no_argument)
			shorts[k++] = ':';
		if (opts[i]->has_arg == optional_argument)
			shorts[k++] = ':';
		shorts[k] = 0;
	}
	lopts[n] = (struct option){ NULL, 0, NULL, 0 };
}

void vq_print_commands(FILE *out, int shell)
{
	const struct vq_cmd *c;

	for (c = vq_commands; c->name; c++) {
		if (shell && (!strcmp(c->name, "shell") || !strcmp(c->name, "help")))
			continue;
		if (c->args[0])
			fprintf(out, "  %-8s %s\n           %s\n", c->name, c->args, c->help);
		else
			fprintf(out, "  %s\n           %s\n", c->name, c->help);
	}
}

static void usage(FILE *out)
{
	const struct vq_opt *opts[VQ_CMD_OPTS_MAX];
	size_t i;

	fputs("Usage: vqdump [SOURCE] [-d DEVICE] [OPTIONS] COMMAND [ARGS]\n"
	      "Inspect virtio devices and their split and packed virtqueues, live or in a memory dump.\n"
	      "\n"
	      "Source (default: the live system: virtio-pci through libpci and sysfs,\n"
	      "virtio-mmio through /dev/mem, any other virtio device through\n"
	      "/sys/bus/virtio, ring memory through /dev/mem or /proc/kcore):\n",
	      out);
	print_opts(out, opts, opt_ptrs(source_options, opts, 0, VQ_CMD_OPTS_MAX));
	fputs("\nDevice (live commands):\n", out);
	print_opts(out, opts, opt_ptrs(device_options, opts, 0, VQ_CMD_OPTS_MAX));
	fputs("\nOptions:\n", out);
	print_opts(out, opts, opt_ptrs(general_options, opts, 0, VQ_CMD_OPTS_MAX));
	fputs("\nCommands:\n", out);
	vq_print_commands(out, 0);
	fputs("\nAccess methods:\n", out);
	for (i = 0; vq_mem_methods[i]; i++)
		fprintf(out, "  %-8s %s\n", vq_mem_methods[i]->name, vq_mem_methods[i]->help);
	for (i = 0; vq_transports[i]; i++)
		fprintf(out, "  %-8s %s\n", vq_transports[i]->name, vq_transports[i]->help);
	fputs("\nInspection never writes guest memory and never changes what a device does.\n"
	      "Its only writes are to selector registers (queue and feature select, and the\n"
	      "virtio-pci configuration-access window) to reach per-queue registers: on\n"
	      "virtio-pci the previous values are read first and restored; on virtio-mmio\n"
	      "they are write-only and are left at 0, as a driver sets them before use.\n"
	      "The virtio-pci ISR register is never read (reading it clears it).\n"
	      "Exit status: 0 ok, 1 a problem found (diagnose, blk), 2 usage error,\n"
	      "3 cannot access the source or device.\n"
	      "'vqdump COMMAND --help' describes a command; see vqdump(1).\n",
	      out);
}

/*
 * getopt_long takes any unambiguous prefix of a long option; vqdump wants
 * exact names (abbreviations break when options are added).  Returns the
 * first "--name" in @argv that is not exactly one of @opts, or NULL.
 * With @stop, scanning ends at the first non-option (the command).
 */
static const char *inexact_option(int argc, char **argv, const struct option *opts, int stop)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct option *o;
		size_t len;

		if (!strcmp(a, "--"))
			return NULL;
		if (a[0] != '-' || !a[1]) {
			if (stop)
				return NULL;
			continue;
		}
		if (a[1] != '-')
			continue;
		len = strcspn(a + 2, "=");
		for (o = opts; o->name; o++)
			if (strlen(o->name) == len && !strncmp(o->name, a + 2, len))
				break;
		if (!o->name)
			return a;
		/* Skip the option's separate argument. */
		if (o->has_arg == required_argument && !a[2 + len])
			i++;
	}
	return NULL;
}

void vq_cmd_help(const struct vq_cmd *cmd, FILE *out)
{
	const struct vq_opt *opts[VQ_CMD_OPTS_MAX];

	fprintf(out, "Usage: %s%s%s%s\n%s\n", in_shell ? "" : "vqdump [SOURCE] ", cmd->name,
		cmd->args[0] ? " " : "", cmd->args, cmd->help);
	if (cmd->details)
		fprintf(out, "\n%s", cmd->details);
	fputs("\nOptions:\n", out);
	print_opts(out, opts, vq_cmd_options(cmd, opts));
}

const struct vq_cmd *vq_find_cmd(const char *name)
{
	const struct vq_cmd *c;

	for (c = vq_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
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

/* -d after a command that reads memory only (scan, mem): a usage error
 * that says why, rather than "unknown option". */
static int refuse_device(const struct vq_cmd *cmd)
{
	return vq_usage_err(cmd->name, "%s reads memory, not devices: -d, --device is taken by the commands that read devices",
			    cmd->name);
}

/* Whether @arg is --device or --device=SEL. */
static int is_long_device(const char *arg)
{
	return !strncmp(arg, "--device", 8) && (!arg[8] || arg[8] == '=');
}

/* A common option given after the command (-d, --json, -v, --color) into
 * @ctx; @seen_d counts the -d given there.  -1, or the exit status. */
static int take_common(struct vq_ctx *ctx, const struct vq_cmd *cmd, int c, int *seen_d)
{
	int color;

	switch (c) {
	case 'j':
		ctx->json = 1;
		break;
	case 'v':
		ctx->verbose++;
		break;
	case 'd':
		if ((*seen_d)++)
			return vq_usage_err(cmd->name, "-d, --device given twice: give one device");
		ctx->device = optarg;
		break;
	case 'C':
		color = parse_color(optarg);
		if (color < 0)
			return vq_usage_err(cmd->name, "--color takes auto, always or never, not '%s'",
					    optarg);
		ctx->color = color;
		break;
	}
	return -1;
}

/*
 * Parse @cmd's options once, before it runs: --help prints its help, a
 * bad or abbreviated option is a usage error, -d, --json, -v and --color
 * go into @ctx.  Returns -1 for "run the command", else its exit status.
 * The command then reads its own options with vq_cmd_getopt.
 */
static int take_cmd_options(struct vq_ctx *ctx, const struct vq_cmd *cmd, int argc, char **argv)
{
	const struct vq_opt *opts[VQ_CMD_OPTS_MAX];
	struct option lopts[VQ_CMD_OPTS_MAX + 1];
	char shorts[2 * VQ_CMD_OPTS_MAX];
	const char *bad;
	int c, ret, seen_d = 0;

	/* shell and help read their arguments themselves. */
	if (!cmd->options)
		return -1;
	getopt_view(opts, vq_cmd_options(cmd, opts), ":", lopts, shorts, sizeof(shorts));
	bad = inexact_option(argc, argv, lopts, 0);
	if (bad && !cmd->live && is_long_device(bad))
		return refuse_device(cmd);
	if (bad)
		return vq_usage_err(cmd->name, "unknown option '%s' (options are not abbreviated)", bad);
	/* Options may follow the arguments (getopt permutes), as in most tools. */
	optind = 0;
	while ((c = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			vq_cmd_help(cmd, stdout);
			return EXIT_OK;
		case '?':
			if (!cmd->live && optopt == 'd')
				return refuse_device(cmd);
			return vq_usage_err(cmd->name, "unknown option '%s'", argv[optind - 1]);
		case ':':
			return vq_usage_err(cmd->name, "option '%s' needs an argument", argv[optind - 1]);
		default:
			ret = take_common(ctx, cmd, c, &seen_d);
			if (ret >= 0)
				return ret;
		}
	}
	optind = 0; /* glibc: the command reads them again from the start */
	return -1;
}

int vq_cmd_getopt(const struct vq_cmd *cmd, int argc, char **argv)
{
	const struct vq_opt *opts[VQ_CMD_OPTS_MAX];
	struct option lopts[VQ_CMD_OPTS_MAX + 1];
	char shorts[2 * VQ_CMD_OPTS_MAX];
	int c;

	getopt_view(opts, vq_cmd_options(cmd, opts), ":", lopts, shorts, sizeof(shorts));
	do
		c = getopt_long(argc, argv, shorts, lopts, NULL);
	while (c == 'j' || c == 'v' || c == 'd' || c == 'C');
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
	if (argc > 2)
		return vq_usage_err("help", "unexpected argument '%s'", argv[2]);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		argv[1] = "help";
	c = vq_find_cmd(argv[1]);
	if (!c)
		return vq_usage_err(NULL, "unknown command '%s'", argv[1]);
	vq_cmd_help(c, stdout);
	return EXIT_OK;
}

int vq_run_command(struct vq_ctx *ctx, int argc, char **argv)
{
	const struct vq_cmd *c = vq_find_cmd(argv[0]);
	int ret;

	if (!c)
		return vq_usage_err(NULL, "unknown command '%s'", argv[0]);
	/* Linux may have set queues up since the last command (shell). */
	vq_session_forget_kernel(&ctx->sess);
	ret = take_cmd_options(ctx, c, argc, argv);
	if (ret >= 0)
		return ret;
	return c->run(ctx, argc, argv);
}

/* Where a global option that names a source or device goes, and its name
 * for "given twice". */
static const char **source_slot(struct vq_ctx *ctx, int c, const char **name)
{
	switch (c) {
	case 'c':
		*name = "-c, --core";
		return &ctx->core;
	case 'r':
		*name = "--raw";
		return &ctx->raw;
	case 'm':
		*name = "--mmio";
		return &ctx->mmio;
	case 'Q':
		*name = "--qemu";
		return &ctx->qemu;
	case 'L':
		*name = "--libvirt";
		return &ctx->libvirt;
	case 'd':
		*name = "-d, --device";
		return &ctx->device;
	}
	return NULL;
}

/* One global option (getopt's code @c) into @ctx and *@color.  -1, or the
 * exit status (help, version, a usage error). */
static int take_global(struct vq_ctx *ctx, int c, int *color, char **argv)
{
	const char **slot, *name = NULL;

	slot = source_slot(ctx, c, &name);
	if (slot) {
		/* The second would silently replace the first. */
		if (*slot)
			return vq_usage_err(NULL, "%s given twice: give it once", name);
		*slot = optarg;
		return -1;
	}
	switch (c) {
	case 'P':
		ctx->pause = 1;
		break;
	case 'j':
		ctx->json = 1;
		break;
	case 'v':
		ctx->verbose++;
		break;
	case 'C':
		*color = parse_color(optarg);
		if (*color < 0)
			return vq_usage_err(NULL, "--color takes auto, always or never, not '%s'", optarg);
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
	return -1;
}

/* The sources given are one, and fit --mmio and --pause; --libvirt DOMAIN
 * becomes ctx->qemu "libvirt:DOMAIN" (*@spec, the caller frees it).  -1,
 * or the exit status of a usage error. */
static int check_sources(struct vq_ctx *ctx, char **spec)
{
	const char *q = ctx->libvirt ? "--libvirt" : "--qemu";

	if (!!ctx->core + !!ctx->raw + !!ctx->qemu + !!ctx->libvirt > 1)
		return vq_usage_err(NULL, "give one source: --core, --raw, --qemu or --libvirt, not several");
	if (ctx->mmio && (ctx->core || ctx->raw || ctx->qemu || ctx->libvirt))
		return vq_usage_err(NULL, "--mmio picks a live device; it is refused with %s (a snapshot has its own list: use -d mmio:ADDR)",
				    ctx->core ? "--core" : ctx->raw ? "--raw" : q);
	if (ctx->pause && !ctx->qemu && !ctx->libvirt)
		return vq_usage_err(NULL, "--pause stops a running QEMU: it needs --qemu SOCKET or --libvirt DOMAIN");
	if (ctx->libvirt) {
		if (!*ctx->libvirt)
			return vq_usage_err(NULL, "--libvirt takes a domain name (virsh list --name names them)");
		*spec = malloc(strlen(VQ_QMP_LIBVIRT) + strlen(ctx->libvirt) + 1);
		if (!*spec) {
			vq_err("out of memory");
			return EXIT_ACCESS;
		}
		strcpy(*spec, VQ_QMP_LIBVIRT);
		strcat(*spec, ctx->libvirt);
		ctx->qemu = *spec;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct vq_ctx ctx = { 0 };
	const struct vq_opt *opts[VQ_CMD_OPTS_MAX];
	struct option lopts[VQ_CMD_OPTS_MAX + 1];
	char shorts[2 * VQ_CMD_OPTS_MAX];
	const char *bad;
	char *spec = NULL;
	int c, ret, color = -2;
	size_t n;

	n = opt_ptrs(source_options, opts, 0, VQ_CMD_OPTS_MAX);
	n = opt_ptrs(device_options, opts, n, VQ_CMD_OPTS_MAX);
	n = opt_ptrs(general_options, opts, n, VQ_CMD_OPTS_MAX);
	/* "+": options stop at the command. */
	getopt_view(opts, n, "+:", lopts, shorts, sizeof(shorts));
	bad = inexact_option(argc, argv, lopts, 1);
	if (bad)
		return vq_usage_err(NULL, "unknown option '%s' (options are not abbreviated)", bad);
	while ((c = getopt_long(argc, argv, shorts, lopts, NULL)) != -1)
		if ((ret = take_global(&ctx, c, &color, argv)) >= 0)
			return ret;
	ret = check_sources(&ctx, &spec);
	if (ret >= 0)
		return ret;
	ctx.color = color == -2 ? parse_color("auto") : color;
	if (optind >= argc)
		return vq_usage_err(NULL, "no command given");
	vq_session_init(&ctx.sess, ctx.core, ctx.raw, vq_say);
	ctx.sess.qemu = ctx.qemu;
	ctx.sess.pause = ctx.pause;
	ret = vq_run_command(&ctx, argc - optind, argv + optind);
	vq_session_close(&ctx.sess);
	free(spec);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		vq_err("write output: %s", strerror(errno));
		return ret ? ret : EXIT_ACCESS;
	}
	return ret;
}
