/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared CLI state, the command table and output helpers. */
#ifndef VQDUMP_CLI_H
#define VQDUMP_CLI_H

#include <getopt.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>

#include "../access/access.h"
#include "../access/session.h"
#include "../access/transport.h"
#include "../decode/fetch.h"

/* Exit statuses (design.md, "Command line"). */
#define EXIT_OK 0
#define EXIT_FOUND 1
#define EXIT_USAGE 2
#define EXIT_ACCESS 3

struct vq_ctx {
	const char *core;        /* --core FILE */
	const char *raw;         /* --raw FILE@BASE */
	const char *mmio;        /* --mmio ADDR: only this virtio-mmio window */
	const char *device;      /* -d SEL */
	struct vq_session sess;  /* what is open: memory, devices, Linux's records
				  * (kept across shell commands) */
	int json;                /* --json */
	int verbose;             /* -v count */
	int color;               /* resolved --color */
};

struct vq_cmd {
	const char *name;              /* exact name, no abbreviations */
	const char *args;              /* synopsis of its arguments */
	const char *help;              /* one line */
	const struct option *options;  /* its long options (for help and completion); NULL:
					* the command takes none, not even the common ones */
	int (*run)(struct vq_ctx *ctx, int argc, char **argv);
	const char *details;           /* more lines for 'help COMMAND', or NULL */
	int live;                      /* reads live devices: takes -d/--device */
};

extern const struct vq_cmd vq_commands[];

/* Open the memory source the global options name (default: the live
 * system's).  Prints the error and returns EXIT_ACCESS on failure, else 0. */
int vq_ctx_open_mem(struct vq_ctx *ctx);

/* "vqdump: " + message on stderr. */
void vq_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error in a command: message, hint, EXIT_USAGE. */
int vq_usage_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Strict number parsing: whole string, base 0; 0 on success. */
int vq_parse_u64(const char *s, uint64_t *out);

/* Print @obj as pretty JSON on stdout and release it. */
void vq_json_print(struct json_object *obj);

/* Parse the options every command shares (--json, -v, --help) together
 * with the command's own.  Returns the getopt code, as getopt_long does. */
int vq_cmd_getopt(struct vq_ctx *ctx, const struct vq_cmd *cmd, int argc, char **argv,
		  const char *shortopts, int *handled);

void vq_cmd_help(const struct vq_cmd *cmd, FILE *out);

/* Colour for severity words in text output. */
const char *vq_color_sev(const struct vq_ctx *ctx, int severity);
const char *vq_color_off(const struct vq_ctx *ctx);

int vq_cmd_ring(struct vq_ctx *ctx, int argc, char **argv);
int vq_cmd_list(struct vq_ctx *ctx, int argc, char **argv);
int vq_cmd_status(struct vq_ctx *ctx, int argc, char **argv);
int vq_cmd_features(struct vq_ctx *ctx, int argc, char **argv);
int vq_cmd_config(struct vq_ctx *ctx, int argc, char **argv);
int vq_cmd_regs(struct vq_ctx *ctx, int argc, char **argv);

/* Live devices: find them (once), select with -d, read one's state. */
int vq_ctx_open_devices(struct vq_ctx *ctx);
/* Open the devices and give the index range a command works on: all of
 * them, or the one -d names (unless @all).  0, or the exit status after
 * printing the error. */
int vq_ctx_device_range(struct vq_ctx *ctx, int all, size_t *first, size_t *last);
/* The device -d names; prints the error and returns NULL when none. */
struct vq_dev *vq_ctx_device(struct vq_ctx *ctx, int *exit_code);
/* vq_session_refresh, with the transport's error printed: 0 or EXIT_ACCESS. */
int vq_dev_refresh(struct vq_ctx *ctx, struct vq_dev *d);
const struct vq_cmd *vq_find_cmd(const char *name);
int vq_cmd_scan(struct vq_ctx *ctx, int argc, char **argv);
int vq_cmd_mem(struct vq_ctx *ctx, int argc, char **argv);
int vq_cmd_shell(struct vq_ctx *ctx, int argc, char **argv);
int vq_cmd_help_cmd(struct vq_ctx *ctx, int argc, char **argv);

extern const struct option vq_ring_options[];
extern const struct option vq_scan_options[];
extern const struct option vq_mem_options[];
extern const struct option vq_no_options[];
extern const struct option vq_blk_options[];
extern const struct option vq_diagnose_options[];
extern const struct option vq_watch_options[];
extern const struct option vq_snapshot_options[];

int vq_cmd_blk(struct vq_ctx *ctx, int argc, char **argv);
int vq_cmd_diagnose(struct vq_ctx *ctx, int argc, char **argv);
int vq_cmd_watch(struct vq_ctx *ctx, int argc, char **argv);
int vq_cmd_snapshot(struct vq_ctx *ctx, int argc, char **argv);

#endif
