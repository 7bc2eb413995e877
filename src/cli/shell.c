/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `shell`: an interactive prompt (readline) over the same command table as the command line. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cli.h"


#define MAX_ARGS 64

#define OPT_STOP_ON_ERROR 's'

const struct vq_opt vq_shell_options[] = {
	{ "stop-on-error", no_argument, OPT_STOP_ON_ERROR, 0, NULL,
	  "leave at the first command that fails, with its status" },
	{ NULL, 0, 0, 0, NULL, NULL },
};


/* The shell's own words, beside vqdump's commands ('shell' is not one
 * here): for 'help' and completion. */
static const struct shell_word {
	const char *name; /* the word */
	const char *args; /* its arguments */
	const char *help; /* one line */
} shell_words[] = {
	{ "device", "[SEL]", "the device later commands use when not given -d; alone: show it" },
	{ "help", "[COMMAND]", "this list, or one command's usage and options" },
	{ "quit", "", "leave the shell (as do 'exit' and end of input)" },
	{ "exit", "", "leave the shell" },
	{ NULL, NULL, NULL },
};

static const struct shell_word *find_shell_word(const char *name)
{
	const struct shell_word *w;

	for (w = shell_words; w->name; w++)
		if (!strcmp(w->name, name))
			return w;
	return NULL;
}

static void shell_word_line(const struct shell_word *w)
{
	if (w->args[0])
		printf("  %-8s %s\n           %s\n", w->name, w->args, w->help);
	else
		printf("  %s\n           %s\n", w->name, w->help);
}

/* 'help' in the shell: what can be typed at the prompt. */
static void shell_help(void)
{
	const struct shell_word *w;

	puts("Commands (as on the command line, without 'vqdump' and the source options):");
	vq_print_commands(stdout, 1);
	puts("\nShell commands:");
	for (w = shell_words; w->name; w++)
		shell_word_line(w);
	puts("\n'help COMMAND' or 'COMMAND --help' describes a command; Tab completes.");
}

/* Split @line into words; '...' and "..." group, backslash escapes. */
static int split_words(char *line, char **argv, int max)
{
	char *r = line, *w = line;
	int argc = 0;

	while (*r) {
		char quote = 0;

		while (*r == ' ' || *r == '\t')
			r++;
		if (!*r)
			break;
		if (argc == max - 1)
			return -1;
		argv[argc++] = w;
		while (*r && (quote || (*r != ' ' && *r != '\t'))) {
			if (quote && *r == quote) {
				quote = 0;
				r++;
			} else if (!quote && (*r == '\'' || *r == '"')) {
				quote = *r++;
			} else if (*r == '\\' && r[1]) {
				r++;
				*w++ = *r++;
			} else {
				*w++ = *r++;
			}
		}
		if (quote)
			return -2;
		if (*r)
			r++;
		*w++ = 0;
	}
	argv[argc] = NULL;
	return argc;
}

/* Completion: the first word is a command, later words its options,
 * device selectors after -d, queue numbers after --queue.  readline's
 * completion callbacks take no argument of ours, so the shell's context
 * and what the line holds reach them through these file-scope variables. */
static const struct vq_cmd *completing_cmd;
static struct vq_ctx *shell_ctx;
static char prev_word[64];

/* vqdump's commands but 'shell', then the shell's words not among them. */
static char *complete_command(const char *text, int state)
{
	static size_t i, j, len;
	const char *name;

	if (!state) {
		i = j = 0;
		len = strlen(text);
	}
	while ((name = vq_commands[i].name)) {
		i++;
		if (strcmp(name, "shell") && !strncmp(name, text, len))
			return strdup(name);
	}
	while ((name = shell_words[j].name)) {
		j++;
		if (!vq_find_cmd(name) && !strncmp(name, text, len))
			return strdup(name);
	}
	return NULL;
}

/* The options the command's table gives (its own and the common ones). */
static char *complete_option(const char *text, int state)
{
	static const struct vq_opt *opts[VQ_CMD_OPTS_MAX];
	static size_t i, n, len;
	char buf[64];

	if (!state) {
		i = 0;
		n = completing_cmd ? vq_cmd_options(completing_cmd, opts) : 0;
		len = strlen(text);
	}
	while (i < n) {
		snprintf(buf, sizeof(buf), "--%s", opts[i++]->name);
		if (!strncmp(buf, text, len))
			return strdup(buf);
	}
	return NULL;
}

static char *complete_device(const char *text, int state)
{
	static size_t i, len;

	if (!state) {
		i = 0;
		len = strlen(text);
		/* Completion must not print: find devices quietly. */
		if (!shell_ctx->sess.devs_open && vq_session_is_live(&shell_ctx->sess)) {
			FILE *save = stderr, *null = fopen("/dev/null", "w");

			if (null) {
				stderr = null;
				vq_ctx_open_devices(shell_ctx);
				stderr = save;
				fclose(null);
			}
		}
	}
	while (i < shell_ctx->sess.devs.n) {
		const struct vq_dev *d = &shell_ctx->sess.devs.devs[i++];

		if (!strncmp(d->name, text, len))
			return strdup(d->name);
	}
	return NULL;
}

static char *complete_queue(const char *text, int state)
{
	static unsigned i, n;
	static size_t len;
	char buf[16];

	if (!state) {
		const struct vq_dev *d = NULL;
		int rc;
		FILE *save = stderr;

		i = 0;
		n = 0;
		len = strlen(text);
		/* Only what an earlier command already read: completion must
		 * not touch device registers. */
		if (shell_ctx->sess.devs_open && vq_session_is_live(&shell_ctx->sess)) {
			FILE *null = fopen("/dev/null", "w");

			if (null) {
				stderr = null;
				d = vq_ctx_device(shell_ctx, &rc);
				stderr = save;
				fclose(null);
			}
		}
		if (d)
			n = d->num_queues;
	}
	while (i < n) {
		snprintf(buf, sizeof(buf), "%u", i++);
		if (!strncmp(buf, text, len))
			return strdup(buf);
	}
	return NULL;
}

static char **shell_complete(const char *text, int start, int end)
{
	char first[32];
	size_t n = 0;
	const struct vq_cmd *c;

	(void)end;
	rl_attempted_completion_over = 1;
	while (rl_line_buffer[n] == ' ')
		n++;
	if ((int)n >= start)
		return rl_completion_matches(text, complete_command);
	sscanf(rl_line_buffer + n, "%31s", first);
	completing_cmd = NULL;
	for (c = vq_commands; c->name; c++)
		if (!strcmp(c->name, first))
			completing_cmd = c;
	/* The word before the one being completed. */
	prev_word[0] = 0;
	{
		int e = start - 1, b;

		while (e >= 0 && rl_line_buffer[e] == ' ')
			e--;
		b = e;
		while (b >= 0 && rl_line_buffer[b] != ' ')
			b--;
		if (e > b && e - b < (int)sizeof(prev_word)) {
			memcpy(prev_word, rl_line_buffer + b + 1, (size_t)(e - b));
			prev_word[e - b] = 0;
		}
	}
	if (!strcmp(prev_word, "-d") || !strcmp(prev_word, "--device") || !strcmp(first, "device"))
		return rl_completion_matches(text, complete_device);
	if (!strcmp(prev_word, "--queue"))
		return rl_completion_matches(text, complete_queue);
	if (!strcmp(first, "help"))
		return rl_completion_matches(text, complete_command);
	if (text[0] == '-' || !text[0])
		return rl_completion_matches(text, complete_option);
	return NULL;
}

static char *history_path(void)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char dir[PATH_MAX], *path;

	if (state && *state)
		snprintf(dir, sizeof(dir), "%s/vqdump", state);
	else if (home && *home)
		snprintf(dir, sizeof(dir), "%s/.local/state/vqdump", home);
	else
		return NULL;
	/* Create the directory chain; failure only costs the history. */
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		mkdir(dir, 0700);
		*p = '/';
	}
	mkdir(dir, 0700);
	if (asprintf(&path, "%s/history", dir) < 0)
		return NULL;
	return path;
}

static int run_line(struct vq_ctx *ctx, char *line)
{
	char *argv[MAX_ARGS];
	int argc = split_words(line, argv, MAX_ARGS), json = ctx->json, verbose = ctx->verbose;
	int color = ctx->color;
	const char *device = ctx->device;
	int ret;

	if (argc == -1) {
		vq_err("shell: too many words");
		return EXIT_USAGE;
	}
	if (argc == -2) {
		vq_err("shell: unterminated quote");
		return EXIT_USAGE;
	}
	if (argc == 0)
		return 0;
	if (!strcmp(argv[0], "shell")) {
		vq_err("shell: already in the shell");
		return EXIT_USAGE;
	}
	/* "device SEL" sets the device later commands use; "device" shows it. */
	if (!strcmp(argv[0], "device")) {
		if (argc > 2) {
			vq_err("shell: device takes one selector");
			return EXIT_USAGE;
		}
		if (argc == 2) {
			free(ctx->shell_device);
			ctx->shell_device = strdup(argv[1]);
			ctx->device = ctx->shell_device;
		}
		printf("device: %s\n", ctx->device ? ctx->device : "(none: commands apply to all, or give -d)");
		return 0;
	}
	/* "help" lists what the shell takes; "help WORD" of a shell word, its line. */
	if (!strcmp(argv[0], "help") && argc == 1) {
		shell_help();
		return 0;
	}
	if (!strcmp(argv[0], "help") && argc == 2 && !vq_find_cmd(argv[1]) && find_shell_word(argv[1])) {
		shell_word_line(find_shell_word(argv[1]));
		return 0;
	}
	ret = vq_run_command(ctx, argc, argv);
	/* Per-command options do not stick to later commands. */
	ctx->json = json;
	ctx->verbose = verbose;
	ctx->color = color;
	ctx->device = device;
	fflush(stdout);
	return ret;
}

/*
 * Ctrl-C at the prompt cancels the line being typed, as in bash.
 * readline catches SIGINT itself (rl_catch_signals), frees the line's
 * state, echoes ^C, and then calls this, the application's handler, from
 * its own code rather than from the signal: readline's functions may be
 * called here.  The handler is in place only while readline() reads.
 */
static void cancel_line(int sig)
{
	(void)sig;
	rl_replace_line("", 0);
	rl_crlf();
	rl_on_new_line();
	rl_redisplay();
}

/* One line from the terminal (readline, Ctrl-C cancelling the line) or
 * from a pipe; NULL at end of input.  Malloc'd. */
static char *read_line(int tty)
{
	struct sigaction sa = { 0 }, old;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (tty) {
		sa.sa_handler = cancel_line;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, &old);
		line = readline("vqdump> ");
		/* While a command runs Ctrl-C does what it does outside the
		 * shell (watch and blk stop cleanly, others end vqdump). */
		sigaction(SIGINT, &old, NULL);
		return line;
	}
	n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		return NULL;
	}
	if (n && line[n - 1] == '\n')
		line[n - 1] = 0;
	return line;
}

/* The shell's options: 0, or EXIT_USAGE (printed). */
static int shell_options(int argc, char **argv, int *stop_on_error)
{
	const struct vq_cmd *cmd = vq_find_cmd("shell");
	int c;

	while ((c = vq_cmd_getopt(cmd, argc, argv)) != -1)
		if (c == OPT_STOP_ON_ERROR)
			*stop_on_error = 1;
	if (optind < argc)
		return vq_usage_err("shell", "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* The shell's end: save the history (terminal), drop its state. */
static void shell_end(struct vq_ctx *ctx, int tty, char *hist)
{
	if (tty)
		putchar('\n');
	vq_cli_set_shell(0);
	vq_cli_set_line(0);
	free(hist);
	free(ctx->shell_device);
	ctx->shell_device = NULL;
}

/*
 * The exit status: interactively 0; from a pipe or file, the status of
 * the last command that failed, 0 if none did (a script's failure is not
 * hidden by the commands after it).  With --stop-on-error the shell
 * leaves at the first failure, with its status.
 */
int vq_cmd_shell(struct vq_ctx *ctx, int argc, char **argv)
{
	int tty = isatty(STDIN_FILENO), failed = 0, stop = 0, ret;
	unsigned lineno = 0;
	char *hist = NULL, *line;

	ret = shell_options(argc, argv, &stop);
	if (ret)
		return ret;
	shell_ctx = ctx;
	vq_cli_set_shell(1);
	if (tty) {
		rl_readline_name = "vqdump";
		rl_attempted_completion_function = shell_complete;
		hist = history_path();
		if (hist)
			read_history(hist);
	}
	while ((line = read_line(tty))) {
		lineno++;
		if (!strcmp(line, "quit") || !strcmp(line, "exit")) {
			free(line);
			break;
		}
		/* Saved line by line: a session that ends by a signal keeps it. */
		if (tty && *line) {
			add_history(line);
			if (hist && write_history(hist) != 0)
				vq_err("shell: save history %s: %s", hist, strerror(errno));
		}
		/* Errors from a script name the line they come from. */
		vq_cli_set_line(tty ? 0 : lineno);
		ret = *line && *line != '#' ? run_line(ctx, line) : 0;
		vq_cli_set_line(0);
		free(line);
		if (ret)
			failed = ret;
		if (ret && stop) {
			if (!tty)
				vq_err("line %u: stopped (--stop-on-error): the command exited with status %d",
				       lineno, ret);
			break;
		}
	}
	shell_end(ctx, tty, hist);
	return tty && !stop ? EXIT_OK : failed;
}
