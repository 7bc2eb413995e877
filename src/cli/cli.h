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
#include "../model/num.h"

/* Exit statuses (design.md, "Command line"). */
#define EXIT_OK 0
#define EXIT_FOUND 1
#define EXIT_USAGE 2
#define EXIT_ACCESS 3

struct vq_ctx {
	const char *core;        /* --core FILE */
	const char *raw;         /* --raw FILE@BASE */
	const char *qemu;        /* --qemu SOCKET: a running QEMU's QMP socket
				  * (with --libvirt: "libvirt:DOMAIN") */
	const char *libvirt;     /* --libvirt DOMAIN: the same, through libvirt */
	int pause;               /* --pause: stop the QEMU of --qemu/--libvirt while reading */
	const char *mmio;        /* --mmio ADDR: only this virtio-mmio window */
	const char *device;      /* -d SEL */
	char *shell_device;      /* the shell's "device SEL", owned; @device points at it */
	struct vq_session sess;  /* what is open: memory, devices, Linux's records
				  * (kept across shell commands) */
	int json;                /* --json */
	int verbose;             /* -v count */
	int color;               /* resolved --color */
};

/*
 * One option, as data: getopt_long's option array, --help, `help COMMAND`
 * and the shell's completion are all made from these tables (the man page
 * and the completion files are checked against --help).  A table ends
 * with an entry whose @name is NULL.  The codes 'd', 'j', 'v', 'C' and 'h'
 * are the common options' (device, json, verbose, color, help): a
 * command's own options use others.
 */
struct vq_opt {
	const char *name;  /* long name, without "--"; exact, never abbreviated */
	int has_arg;       /* no_argument, required_argument or optional_argument */
	int val;           /* code getopt returns for it (a letter) */
	int short_too;     /* 1: also accepted as -X, X being @val */
	const char *arg;   /* its argument's name for help ("N", "FILE"), NULL if none */
	const char *help;  /* what it does, one line; '\n' continues it on another */
};

struct vq_cmd {
	const char *name;              /* exact name, no abbreviations */
	const char *args;              /* synopsis of its arguments */
	const char *help;              /* one line */
	const struct vq_opt *options;  /* its own options; NULL: the command takes
					* none, not even the common ones */
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


/* Print @obj as pretty JSON on stdout and release it. */
void vq_json_print(struct json_object *obj);

struct vq_request;
/* A decoded payload as a JSON object (NULL when nothing was decoded), and
 * as one text line indented by @indent spaces (nothing when nothing was). */
struct json_object *vq_request_json(const struct vq_request *r);
void vq_request_text(const struct vq_request *r, int indent);

/*
 * The next of the command's own options in @argv (getopt_long's code, its
 * argument in optarg), or -1 after the last (optind: the first argument).
 * Before the command runs, the dispatcher has parsed its options once:
 * --help printed help, a bad option was a usage error, and --json, -v,
 * --color and -d are already in the context.  Those are skipped here.
 */
int vq_cmd_getopt(const struct vq_cmd *cmd, int argc, char **argv);

/* `vqdump COMMAND --help`: synopsis, details and every option with its line. */
void vq_cmd_help(const struct vq_cmd *cmd, FILE *out);
/* Inside the shell usage errors point to 'help COMMAND' (1) rather than
 * to 'vqdump COMMAND --help' (0, the default). */
void vq_cli_set_shell(int in_shell);
/* The shell reading a script: error messages name line @line (0: none). */
void vq_cli_set_line(unsigned line);
/* The commands, each with its synopsis and line (with @shell, without
 * 'shell' and 'help': the shell lists its own 'help'). */
void vq_print_commands(FILE *out, int shell);
/* Most options one command takes: its own and the common ones. */
#define VQ_CMD_OPTS_MAX 32
/* Every option @cmd takes (@out has room for VQ_CMD_OPTS_MAX), in the
 * order its help lists them: its own, then -d (live commands), --json, -v
 * and --color (commands with options), --help.  Returns how many. */
size_t vq_cmd_options(const struct vq_cmd *cmd, const struct vq_opt **out);

/* Colour for severity words in text output. */
const char *vq_color_sev(const struct vq_ctx *ctx, int severity);
const char *vq_color_off(const struct vq_ctx *ctx);

int vq_cmd_ring(struct vq_ctx *ctx, int argc, char **argv);

/* Flag bits as names (@names indexed by bit, bit_N where none): a JSON
 * array, or "A|B" text ("-" when none). */
struct json_object *vq_flag_array(unsigned v, const char *const *names, unsigned nnames);
void vq_flag_text(char *buf, size_t len, unsigned v, const char *const *names, unsigned nnames);
struct vq_chain;
/* "18 descriptors: 16 B out + 16 x 4096 B out, 1 B in" for chain @c. */
void vq_chain_summary(char *buf, size_t len, const struct vq_chain *c);

/* What 'ring' asks of a packed ring (virtio 1.3 section 2.8). */
struct vq_packed_req {
	uint64_t desc, driver, device; /* the three areas */
	uint32_t size;                 /* Queue Size */
	unsigned recent;               /* newest used entries shown */
	uint32_t type;                 /* payload device type, 0 = guess */
	int queue;                     /* queue number, -1 when given by address */
	const char *devname;           /* its device, or NULL */
	uint16_t drv_used;             /* the driver's next used slot | wrap << 15 (its record) */
	int drv_used_known;            /* 1: drv_used given (an image: read with the ring) */
	const struct vq_packed_drvrec *drv_rec; /* the driver's per-ID records read with
						  * drv_used, or NULL */
	/* Live: the device and queue, whose records from the running Linux
	 * are read around the ring (vq_session_packed_decode), else NULL. */
	const struct vq_dev *live_dev;
	const struct vq_queue_state *live_q;
	const char *no_rec_why;        /* a queue whose source has no driver's records:
					* why (said with the pending chains), or NULL */
};
/* Decode the packed ring @r names and print it, or add its JSON object to
 * @rings when not NULL.  0, or EXIT_ACCESS with the reason in @why. */
int vq_ring_packed_show(struct vq_ctx *ctx, const struct vq_packed_req *r,
			struct json_object *rings, char *why, size_t whylen);
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
/* Run one command line (argv[0] is the command): its options, then its
 * run(); the exit status.  The shell runs each of its lines through it. */
int vq_run_command(struct vq_ctx *ctx, int argc, char **argv);
int vq_cmd_scan(struct vq_ctx *ctx, int argc, char **argv);
int vq_cmd_mem(struct vq_ctx *ctx, int argc, char **argv);
int vq_cmd_shell(struct vq_ctx *ctx, int argc, char **argv);
int vq_cmd_help_cmd(struct vq_ctx *ctx, int argc, char **argv);

/* Each command's own options (the common ones are added by the dispatcher). */
extern const struct vq_opt vq_ring_options[];
extern const struct vq_opt vq_scan_options[];
extern const struct vq_opt vq_mem_options[];
extern const struct vq_opt vq_shell_options[];
extern const struct vq_opt vq_no_options[];
extern const struct vq_opt vq_blk_options[];
extern const struct vq_opt vq_diagnose_options[];
extern const struct vq_opt vq_watch_options[];
extern const struct vq_opt vq_snapshot_options[];

int vq_cmd_blk(struct vq_ctx *ctx, int argc, char **argv);
int vq_cmd_diagnose(struct vq_ctx *ctx, int argc, char **argv);
int vq_cmd_watch(struct vq_ctx *ctx, int argc, char **argv);
int vq_cmd_snapshot(struct vq_ctx *ctx, int argc, char **argv);

#endif
