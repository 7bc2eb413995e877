/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A QMP client: one connection to a running QEMU's monitor socket, queries only. */
/* struct ucred (SO_PEERCRED) is a GNU extension; the build defines it,
 * the fuzz build (which compiles every library file) does not. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "qmp.h"
#include "qmpchan.h"

/* The longest message taken (an `info mtree -f` of a large VM fits). */
#define QMP_LINE_MAX (16u << 20)


/* The socket of the connection whose VM vqdump stopped, -1 if none: what
 * the signal handler sends "cont" through before the process ends. */
static volatile sig_atomic_t paused_fd = -1;

pid_t vq_qmp_pid(const struct vq_qmp *q)
{
	return q->pid;
}

const char *vq_qmp_path(const struct vq_qmp *q)
{
	return q->path;
}

const char *vq_qmp_pid_why(const struct vq_qmp *q)
{
	return q->pid_why;
}

unsigned vq_qmp_version(const struct vq_qmp *q)
{
	return q->version;
}

void vq_qmp_close(struct vq_qmp *q)
{
	char err[256];

	if (!q)
		return;
	/* Normally resumed (and said if not) before; an error path too. */
	vq_qmp_resume(q, err, sizeof(err));
	if (q->chan && q->chan->close)
		q->chan->close(q);
	if (q->fd >= 0)
		close(q->fd);
	free(q->buf);
	free(q);
}

/* Bytes until a whole line is in q->buf: its length with the '\n', or -errno. */
static long fill_line(struct vq_qmp *q)
{
	struct pollfd p = { .fd = q->fd, .events = POLLIN };
	char *nl;
	ssize_t r;

	while (!(nl = q->len ? memchr(q->buf, '\n', q->len) : NULL)) {
		if (q->len + 65536 > q->cap) {
			char *nb;

			if (q->cap >= QMP_LINE_MAX)
				return -EMSGSIZE;
			nb = realloc(q->buf, q->cap ? q->cap * 2 : 131072);
			if (!nb)
				return -ENOMEM;
			q->buf = nb;
			q->cap = q->cap ? q->cap * 2 : 131072;
		}
		r = poll(&p, 1, VQ_QMP_TIMEOUT_MS);
		if (r == 0)
			return -ETIMEDOUT;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r < 0)
			continue;
		r = read(q->fd, q->buf + q->len, q->cap - q->len);
		if (r == 0)
			return -ECONNRESET;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0)
			q->len += (size_t)r;
	}
	return nl - q->buf + 1;
}

/* The next message as JSON (*@msg, the caller puts it): 0 or -errno with @err. */
static int read_msg(struct vq_qmp *q, struct json_object **msg, char *err, size_t errlen)
{
	long n = fill_line(q);

	if (n < 0) {
		snprintf(err, errlen, "read QMP socket %s: %s", q->path, strerror((int)-n));
		return (int)n;
	}
	q->buf[n - 1] = 0;
	*msg = json_tokener_parse(q->buf);
	memmove(q->buf, q->buf + n, q->len - (size_t)n);
	q->len -= (size_t)n;
	if (!*msg || !json_object_is_type(*msg, json_type_object)) {
		json_object_put(*msg);
		snprintf(err, errlen, "QMP socket %s: a message that is not a JSON object", q->path);
		return -EPROTO;
	}
	return 0;
}

int vq_qmp_greeting(struct json_object *msg, unsigned *version)
{
	struct json_object *qmp, *v, *qemu, *part;
	static const char *const parts[] = { "major", "minor", "micro" };
	unsigned i;

	if (!json_object_object_get_ex(msg, "QMP", &qmp) ||
	    !json_object_object_get_ex(qmp, "version", &v) ||
	    !json_object_object_get_ex(v, "qemu", &qemu))
		return -EPROTO;
	*version = 0;
	for (i = 0; i < 3; i++) {
		if (!json_object_object_get_ex(qemu, parts[i], &part) ||
		    !json_object_is_type(part, json_type_int))
			return -EPROTO;
		*version = *version * 100 + (unsigned)json_object_get_int(part) % 100;
	}
	return 0;
}

int vq_qmp_reply(struct json_object *msg, struct json_object **ret, char *err, size_t errlen)
{
	struct json_object *e, *cls, *desc;
	const char *c;

	if (json_object_object_get_ex(msg, "event", NULL))
		return 1;
	if (json_object_object_get_ex(msg, "return", ret)) {
		json_object_get(*ret);
		return 0;
	}
	if (!json_object_object_get_ex(msg, "error", &e)) {
		snprintf(err, errlen, "a QMP message that is neither reply nor event");
		return -EPROTO;
	}
	c = json_object_object_get_ex(e, "class", &cls) ? json_object_get_string(cls) : "?";
	snprintf(err, errlen, "%s: %s", c,
		 json_object_object_get_ex(e, "desc", &desc) ? json_object_get_string(desc) : "");
	return strcmp(c, "CommandNotFound") ? -EPROTO : -ENOENT;
}

/* The socket channel: write @line whole. */
static int sock_send(struct vq_qmp *q, const char *line, char *err, size_t errlen)
{
	size_t len = strlen(line), off = 0;

	while (off < len) {
		ssize_t w = send(q->fd, line + off, len - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;

			snprintf(err, errlen, "write QMP socket %s: %s", q->path, strerror(e));
			return -e;
		}
		off += (size_t)w;
	}
	return 0;
}

static const struct vq_qmp_chan sock_chan = {
	.send = sock_send,
	.recv = read_msg,
};

/* Send one command: 0 or -errno with @err. */
static int send_cmd(struct vq_qmp *q, const char *cmd, struct json_object *args, char *err,
		    size_t errlen)
{
	struct json_object *o = json_object_new_object();
	int ret;

	json_object_object_add(o, "execute", json_object_new_string(cmd));
	if (args)
		json_object_object_add(o, "arguments", args);
	ret = q->chan->send(q, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), err,
			    errlen);
	json_object_put(o);
	return ret;
}

int vq_qmp_exec(struct vq_qmp *q, const char *cmd, struct json_object *args,
		struct json_object **ret, char *err, size_t errlen)
{
	struct json_object *msg;
	char why[512];
	int r;

	*ret = NULL;
	r = send_cmd(q, cmd, args, err, errlen);
	while (!r) {
		r = q->chan->recv(q, &msg, err, errlen);
		if (r < 0)
			return r;
		r = vq_qmp_reply(msg, ret, why, sizeof(why));
		json_object_put(msg);
		if (r < 0)
			snprintf(err, errlen, "QMP %s: %s", cmd, why);
		if (r == 1)
			r = 0;
		else
			break;
	}
	return r;
}

int vq_qmp_hmp(struct vq_qmp *q, const char *line, char **out, char *err, size_t errlen)
{
	struct json_object *args = json_object_new_object(), *ret;
	int r;

	json_object_object_add(args, "command-line", json_object_new_string(line));
	r = vq_qmp_exec(q, "human-monitor-command", args, &ret, err, errlen);
	if (r < 0)
		return r;
	*out = strdup(json_object_is_type(ret, json_type_string) ? json_object_get_string(ret) : "");
	json_object_put(ret);
	if (!*out) {
		snprintf(err, errlen, "HMP %s: out of memory", line);
		return -ENOMEM;
	}
	return 0;
}

/* Connect q->fd to q->path: 0 or -errno with @err naming the way out. */
static int connect_path(struct vq_qmp *q, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	struct stat st;
	int e;

	if (stat(q->path, &st) < 0) {
		e = errno;
		snprintf(err, errlen, "connect to QMP socket %s: %s (give the path of QEMU's -qmp unix: socket)",
			 q->path, strerror(e));
		return -e;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "connect to QMP socket %s: not a socket (give the path of QEMU's -qmp unix:PATH,server=on)",
			 q->path);
		return -ENOTSOCK;
	}
	memcpy(sa.sun_path, q->path, strlen(q->path) + 1);
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0 || connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		snprintf(err, errlen, "connect to QMP socket %s: %s%s", q->path, strerror(e),
			 e == ECONNREFUSED ? " (no QEMU listens there: is the VM running?)" :
			 e == EACCES ? " (run as the QEMU user or root)" : "");
		return -e;
	}
	if (getsockopt(q->fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0)
		q->pid = cred.pid;
	snprintf(q->pid_why, sizeof(q->pid_why), "QMP socket %s gives no peer process", q->path);
	return 0;
}

/* Greeting and capabilities negotiation: 0 or -errno with @err. */
static int handshake(struct vq_qmp *q, char *err, size_t errlen)
{
	struct json_object *msg, *ret;
	int r = read_msg(q, &msg, err, errlen);

	if (r == -ETIMEDOUT) {
		snprintf(err, errlen, "QMP socket %s: no greeting within %d s: another client holds it (QEMU serves one client per -qmp socket; give vqdump its own: -qmp unix:PATH,server=on,wait=off), or it is not a QMP socket",
			 q->path, VQ_QMP_TIMEOUT_MS / 1000);
		return r;
	}
	if (r == -ECONNRESET) {
		snprintf(err, errlen, "QMP socket %s: closed without a greeting (another client holds it? QEMU serves one client per -qmp socket)",
			 q->path);
		return r;
	}
	if (r == 0) {
		r = vq_qmp_greeting(msg, &q->version);
		json_object_put(msg);
	}
	if (r < 0) {
		snprintf(err, errlen, "QMP socket %s: what answers is not QMP (give the path of QEMU's -qmp socket, not -monitor or a serial port)",
			 q->path);
		return -EPROTO;
	}
	r = vq_qmp_exec(q, "qmp_capabilities", NULL, &ret, err, errlen);
	json_object_put(ret);
	return r < 0 ? r : 0;
}

int vq_qmp_open(struct vq_qmp **out, const char *spec, char *err, size_t errlen)
{
	struct vq_qmp *q;
	int r;

	int virsh = !strncmp(spec, VQ_QMP_LIBVIRT, strlen(VQ_QMP_LIBVIRT));

	if (!strncmp(spec, "unix:", 5))
		spec += 5;
	/* sun_path's size */
	if (!virsh && (!*spec || strlen(spec) >= 108)) {
		snprintf(err, errlen, "--qemu takes a unix socket path (PATH or unix:PATH) of fewer than 108 bytes");
		return -EINVAL;
	}
	q = calloc(1, sizeof(*q));
	if (!q) {
		snprintf(err, errlen, "connect to QMP: out of memory");
		return -ENOMEM;
	}
	q->fd = -1;
	if (virsh) {
		r = vq_qmp_open_virsh(q, spec + strlen(VQ_QMP_LIBVIRT), err, errlen);
	} else {
		q->chan = &sock_chan;
		memcpy(q->path, spec, strlen(spec) + 1);
		r = connect_path(q, err, errlen);
		if (!r)
			r = handshake(q, err, errlen);
	}
	if (r < 0) {
		vq_qmp_close(q);
		return r;
	}
	*out = q;
	return 0;
}

/* ---- --pause: stop the VM for a consistent read, always cont after ---- */

static const int pause_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
#define NSIG_PAUSE (sizeof(pause_signals) / sizeof(pause_signals[0]))

/* Block (@how SIG_BLOCK) or unblock the signals that end a paused run. */
static void mask_signals(int how)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < NSIG_PAUSE; i++)
		sigaddset(&set, pause_signals[i]);
	sigprocmask(how, &set, NULL);
}

/* Wait up to 2 s for the reply carrying @id on @fd: only read(), poll()
 * and memcmp(), so that a signal handler may call it.  The replies to a
 * command in flight when the signal came are read past. */
static void await_id(int fd, const char *id, size_t idlen)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[4096];
	size_t have = 0, i;
	int rounds;

	for (rounds = 0; rounds < 20; rounds++) {
		ssize_t r;

		if (poll(&p, 1, 100) <= 0)
			continue;
		r = read(fd, buf + have, sizeof(buf) - have);
		if (r <= 0)
			return;
		have += (size_t)r;
		for (i = 0; i + idlen <= have; i++)
			if (!memcmp(buf + i, id, idlen))
				return;
		/* Keep the tail: the id may straddle two reads. */
		if (have > idlen) {
			memmove(buf, buf + have - idlen, idlen);
			have = idlen;
		}
	}
}

/* SIGINT, SIGTERM, SIGHUP or SIGPIPE while the VM is stopped: "cont"
 * before the signal's own action ends the process.  QEMU drops the
 * commands of a client that goes away before it ran them, so the reply
 * is waited for (tagged with an id, as replies in flight may come
 * first). */
static void on_signal(int sig)
{
	static const char cont[] = "{\"execute\":\"cont\",\"id\":\"vqdump-cont\"}\r\n";
	static const char id[] = "\"vqdump-cont\"";
	int fd = paused_fd;
	struct sigaction dfl;

	if (fd >= 0) {
		paused_fd = -1;
		if (send(fd, cont, sizeof(cont) - 1, MSG_NOSIGNAL) == (ssize_t)sizeof(cont) - 1)
			await_id(fd, id, sizeof(id) - 1);
	}
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	raise(sig); /* delivered when this handler returns */
}

/* The handler above for every signal that ends a paused run, unless the
 * program has its own (watch's SIGINT, installed later, ends cleanly). */
static void install_handlers(void)
{
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSIG_PAUSE; i++) {
		sigaction(pause_signals[i], NULL, &old);
		/* Ignored by whoever started vqdump (nohup): stays ignored. */
		if (old.sa_handler != SIG_IGN)
			sigaction(pause_signals[i], &sa, NULL);
	}
}

int vq_qmp_paused(const struct vq_qmp *q)
{
	return q->paused;
}

int vq_qmp_pause(struct vq_qmp *q, char *err, size_t errlen)
{
	struct json_object *st, *run, *ret;
	int r, running;

	r = vq_qmp_exec(q, "query-status", NULL, &st, err, errlen);
	if (r < 0)
		return r;
	running = json_object_object_get_ex(st, "running", &run) &&
		  json_object_get_boolean(run);
	json_object_put(st);
	/* Already paused (by someone else): left as it is, and so not resumed. */
	if (!running)
		return 0;
	install_handlers();
	/* No signal between the stop and the note that cont is owed. */
	mask_signals(SIG_BLOCK);
	r = vq_qmp_exec(q, "stop", NULL, &ret, err, errlen);
	json_object_put(ret);
	if (r >= 0) {
		q->paused = 1;
		paused_fd = q->fd;
		if (q->chan->guard)
			q->chan->guard(q, 1);
	}
	mask_signals(SIG_UNBLOCK);
	if (r < 0)
		return r;
	return 0;
}

int vq_qmp_resume(struct vq_qmp *q, char *err, size_t errlen)
{
	struct json_object *ret;
	int r;

	if (!q || !q->paused)
		return 0;
	mask_signals(SIG_BLOCK);
	paused_fd = -1;
	q->paused = 0;
	r = vq_qmp_exec(q, "cont", NULL, &ret, err, errlen);
	json_object_put(ret);
	/* Not before the cont: vqdump may die on the way. */
	if (q->chan->guard)
		q->chan->guard(q, 0);
	mask_signals(SIG_UNBLOCK);
	return r < 0 ? r : 1;
}
