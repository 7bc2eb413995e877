/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QMP through libvirt (--libvirt DOMAIN): each command one run of "virsh qemu-monitor-command", no shell. */
/*
 * libvirt holds QEMU's monitor socket, so QMP goes through it: virsh's
 * qemu-monitor-command passes a JSON command to QEMU and prints QEMU's
 * reply (also an error reply) as it came.  virsh is run directly (fork and
 * exec, the command as argv, its output read from pipes, killed after a
 * timeout) rather than linking libvirt: vqdump stays without a libvirt
 * dependency, and whoever may use virsh on the host may use vqdump, on the
 * connection virsh picks (LIBVIRT_DEFAULT_URI, else libvirt's default).
 *
 * QEMU's process ID, for its guest RAM, comes from QEMU itself:
 * query-cpus-fast gives each vCPU's thread ID, and /proc/TID/status the
 * process that thread belongs to.  No libvirt path (pid files differ
 * between system, session and custom daemons) is assumed.
 */
/* pipe2() is a GNU extension; the build defines it, the fuzz build (which
 * compiles every library file) does not. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "qmp.h"
#include "qmpchan.h"

/* One virsh run, connection to libvirtd included, may take this long (ms). */
#define VIRSH_TIMEOUT_MS 15000
/* The longest reply taken (an `info mtree -f` of a large VM fits). */
#define VIRSH_OUT_MAX (16u << 20)

struct virsh {
	char *domain;
	struct json_object *reply; /* the last command's reply, until recv takes it */
	pid_t guard_pid;           /* --pause: the process that conts if vqdump dies */
	int guard_fd;              /* its pipe: a byte means "nothing to do", EOF "cont" */
};

/* What one virsh run gave. */
struct run {
	char *out;      /* stdout, NUL-terminated */
	size_t len;
	char errt[1024]; /* stderr's start, NUL-terminated */
	size_t elen;
	int exec_errno; /* exec failed with this (virsh missing) */
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* In the child: stdin /dev/null, stdout @o, stderr @e, no signal blocked,
 * then virsh; on failure the errno goes up @x. */
static void child_exec(char *const argv[], int o, int e, int x)
{
	sigset_t none;
	int null = open("/dev/null", O_RDONLY);
	int err;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (null >= 0)
		dup2(null, 0);
	dup2(o, 1);
	dup2(e, 2);
	execvp(argv[0], argv);
	err = errno;
	if (write(x, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

/* Append what @fd has to @r (stdout when @out, else stderr): 0, or 1 at EOF. */
static int take(int fd, struct run *r, int out)
{
	char tmp[65536], *nb;
	ssize_t n = read(fd, tmp, sizeof(tmp));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : 1;
	if (n == 0)
		return 1;
	if (!out) {
		size_t k = (size_t)n < sizeof(r->errt) - 1 - r->elen ? (size_t)n
								      : sizeof(r->errt) - 1 - r->elen;
		memcpy(r->errt + r->elen, tmp, k);
		r->elen += k;
		r->errt[r->elen] = 0;
		return 0;
	}
	if (r->len + (size_t)n >= VIRSH_OUT_MAX)
		return 1;
	nb = realloc(r->out, r->len + (size_t)n + 1);
	if (!nb)
		return 1;
	r->out = nb;
	memcpy(r->out + r->len, tmp, (size_t)n);
	r->len += (size_t)n;
	r->out[r->len] = 0;
	return 0;
}

/* Read the child's stdout (p[0]) and stderr (p[1]) to their ends, or
 * until the timeout: 0 or -ETIMEDOUT. */
static int drain(int p[2], struct run *r)
{
	struct pollfd pf[2] = { { .fd = p[0], .events = POLLIN }, { .fd = p[1], .events = POLLIN } };
	long end = now_ms() + VIRSH_TIMEOUT_MS;
	int i, open = 2;

	while (open) {
		long left = end - now_ms();
		int n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(pf, 2, (int)left);
		if (n < 0 && errno != EINTR)
			return -errno;
		for (i = 0; n > 0 && i < 2; i++)
			if (pf[i].fd >= 0 && (pf[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    take(pf[i].fd, r, i == 0)) {
				pf[i].fd = -1;
				open--;
			}
	}
	return 0;
}

/* Run @argv: its exit status (>= 0), or -errno: -ENOENT etc. when it
 * could not be started (r->exec_errno), -ETIMEDOUT (killed). */
static int run_virsh(char *const argv[], struct run *r)
{
	int o[2], e[2], x[2], st = 0, ret, got;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe2(o, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(e, O_CLOEXEC) < 0 || pipe2(x, O_CLOEXEC) < 0) {
		ret = -errno;
		close(o[0]);
		close(o[1]);
		return ret;
	}
	pid = fork();
	if (pid == 0)
		child_exec(argv, o[1], e[1], x[1]);
	close(o[1]);
	close(e[1]);
	close(x[1]);
	ret = pid < 0 ? -errno : drain((int[2]){ o[0], e[0] }, r);
	if (pid > 0 && read(x[0], &got, sizeof(got)) == (ssize_t)sizeof(got))
		r->exec_errno = got;
	close(o[0]);
	close(e[0]);
	close(x[0]);
	if (pid < 0)
		return ret;
	if (ret < 0)
		kill(pid, SIGKILL);
	while ((got = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	/* Reaped elsewhere (SIGCHLD ignored): the status is unknown. */
	if (got < 0 && !ret)
		ret = -ECHILD;
	if (r->exec_errno)
		return -r->exec_errno;
	if (ret < 0)
		return ret;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* virsh's last "error: " line, without the prefix. */
static const char *last_error(struct run *r)
{
	char *l = r->errt, *best = NULL, *nl;

	for (; l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		if (nl)
			*nl = 0;
		if (!strncmp(l, "error: ", 7))
			best = l + 7;
		else if (!best && *l)
			best = l;
	}
	return best ? best : "(virsh said nothing)";
}

/* virsh failed with @rc: one line naming the way out, and the errno. */
static int virsh_failed(const char *dom, int rc, struct run *r, char *err, size_t errlen)
{
	const char *why;
	int perm, unreachable;

	if (rc == -ENOENT || rc == -EACCES) {
		snprintf(err, errlen, "--libvirt runs virsh: %s (install libvirt-clients, or put virsh on PATH)",
			 strerror(-rc));
		return rc == -ENOENT ? -ENOENT : -EACCES;
	}
	if (rc == -ETIMEDOUT) {
		snprintf(err, errlen, "libvirt domain %s: virsh gave no answer within %d s (is libvirtd or virtqemud stuck?)",
			 dom, VIRSH_TIMEOUT_MS / 1000);
		return rc;
	}
	if (rc < 0) {
		snprintf(err, errlen, "libvirt domain %s: run virsh: %s", dom, strerror(-rc));
		return rc;
	}
	perm = strstr(r->errt, "Permission denied") || strstr(r->errt, "authentication") ||
	       strstr(r->errt, "access denied") || strstr(r->errt, "read only access");
	unreachable = !!strstr(r->errt, "failed to connect to the hypervisor");
	if (strstr(r->errt, "failed to get domain")) {
		snprintf(err, errlen, "libvirt has no domain %s (virsh list --all names them; LIBVIRT_DEFAULT_URI picks the connection, e.g. qemu:///system)",
			 dom);
		return -ENODEV;
	}
	if (strstr(r->errt, "domain is not running")) {
		snprintf(err, errlen, "libvirt domain %s is not running (start it: virsh start %s)", dom,
			 dom);
		return -ESRCH;
	}
	why = last_error(r);
	if (perm) {
		snprintf(err, errlen, "libvirt domain %s: %s (run as root, or as a user libvirt lets manage domains, e.g. in group libvirt)",
			 dom, why);
		return -EACCES;
	}
	if (unreachable) {
		snprintf(err, errlen, "libvirt domain %s: libvirt daemon not reachable: %s (start libvirtd or virtqemud, or set LIBVIRT_DEFAULT_URI to the right connection)",
			 dom, why);
		return -ECONNREFUSED;
	}
	snprintf(err, errlen, "libvirt domain %s: virsh qemu-monitor-command: %s", dom, why);
	return -EIO;
}

static int virsh_send(struct vq_qmp *q, const char *line, char *err, size_t errlen)
{
	struct virsh *v = q->priv;
	char *argv[] = { "virsh", "qemu-monitor-command", "--", v->domain, (char *)line, NULL };
	struct run r;
	int rc = run_virsh(argv, &r);

	json_object_put(v->reply);
	v->reply = NULL;
	if (rc == 0) {
		v->reply = r.out ? json_tokener_parse(r.out) : NULL;
		if (!v->reply || !json_object_is_type(v->reply, json_type_object)) {
			json_object_put(v->reply);
			v->reply = NULL;
			snprintf(err, errlen, "libvirt domain %s: virsh qemu-monitor-command printed no QMP reply (a virsh older than libvirt 1.0?)",
				 v->domain);
			rc = -EPROTO;
		}
	} else {
		rc = virsh_failed(v->domain, rc, &r, err, errlen);
	}
	free(r.out);
	return rc;
}

static int virsh_recv(struct vq_qmp *q, struct json_object **msg, char *err, size_t errlen)
{
	struct virsh *v = q->priv;

	*msg = v->reply;
	v->reply = NULL;
	if (*msg)
		return 0;
	snprintf(err, errlen, "libvirt domain %s: no reply to take", v->domain);
	return -EPROTO;
}

/*
 * --pause: a process of its own (its own session, so that the terminal's
 * ^C does not reach it) waits on a pipe.  A byte: vqdump sent its cont,
 * nothing to do.  End of file without one: vqdump died while the guest
 * was stopped (a signal, even SIGKILL), so it sends the cont itself.
 */
static void guard_child(int rfd, const char *domain)
{
	char *argv[] = { "virsh", "qemu-monitor-command", "--", (char *)domain,
			 "{\"execute\":\"cont\"}", NULL };
	int null = open("/dev/null", O_RDWR), i;
	sigset_t none;
	char c;
	ssize_t n;

	setsid();
	for (i = 1; i < NSIG; i++)
		signal(i, i == SIGKILL || i == SIGSTOP ? SIG_DFL : SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	do
		n = read(rfd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1)
		_exit(0);
	signal(SIGCHLD, SIG_DFL);
	execvp(argv[0], argv);
	_exit(127);
}

static void virsh_guard(struct vq_qmp *q, int arm)
{
	struct virsh *v = q->priv;
	ssize_t w;
	int p[2];
	pid_t pid;

	if (!arm) {
		if (v->guard_fd < 0)
			return;
		/* Not written: the guard sends one more cont, harmless. */
		w = write(v->guard_fd, "x", 1);
		(void)w;
		close(v->guard_fd);
		v->guard_fd = -1;
		while (waitpid(v->guard_pid, NULL, 0) < 0 && errno == EINTR)
			;
		return;
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		guard_child(p[0], v->domain);
	}
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		return;
	}
	v->guard_pid = pid;
	v->guard_fd = p[1];
}

static void virsh_close(struct vq_qmp *q)
{
	struct virsh *v = q->priv;

	if (!v)
		return;
	virsh_guard(q, 0);
	json_object_put(v->reply);
	free(v->domain);
	free(v);
	q->priv = NULL;
}

static const struct vq_qmp_chan virsh_chan = {
	.send = virsh_send,
	.recv = virsh_recv,
	.guard = virsh_guard,
	.close = virsh_close,
};

/* The process thread @tid belongs to (/proc/TID/status, Tgid), or 0. */
static pid_t thread_group(long tid)
{
	char path[64], line[256];
	long tgid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %ld", &tgid) == 1)
			break;
	fclose(f);
	return (pid_t)tgid;
}

/* QEMU's process from a vCPU's thread ID (query-cpus-fast), or q->pid_why. */
static void find_pid(struct vq_qmp *q)
{
	struct json_object *cpus, *tid;
	char why[128];
	long t = 0;

	if (vq_qmp_exec(q, "query-cpus-fast", NULL, &cpus, why, sizeof(why)) < 0) {
		snprintf(q->pid_why, sizeof(q->pid_why), "%s: no QEMU process ID: %s", q->path, why);
		return;
	}
	if (json_object_is_type(cpus, json_type_array) && json_object_array_length(cpus) > 0 &&
	    json_object_object_get_ex(json_object_array_get_idx(cpus, 0), "thread-id", &tid))
		t = json_object_get_int64(tid);
	json_object_put(cpus);
	q->pid = t > 0 ? thread_group(t) : 0;
	if (!q->pid)
		snprintf(q->pid_why, sizeof(q->pid_why),
			 "%s: QEMU's vCPU thread %ld is not in this host's /proc (run vqdump on the VM's host, in libvirtd's PID namespace)",
			 q->path, t);
}

/* query-version's answer as vq_qmp_version() gives it (0 unknown). */
static unsigned qemu_version(struct json_object *ver)
{
	static const char *const parts[] = { "major", "minor", "micro" };
	struct json_object *qemu, *part;
	unsigned v = 0, i;

	if (!json_object_object_get_ex(ver, "qemu", &qemu))
		return 0;
	for (i = 0; i < 3; i++)
		v = v * 100 + (json_object_object_get_ex(qemu, parts[i], &part)
				       ? (unsigned)json_object_get_int(part) % 100 : 0);
	return v;
}

int vq_qmp_open_virsh(struct vq_qmp *q, const char *domain, char *err, size_t errlen)
{
	struct virsh *v;
	struct json_object *ver;
	int r;

	if (!*domain) {
		snprintf(err, errlen, "--libvirt takes a domain name (virsh list --name names them)");
		return -EINVAL;
	}
	v = calloc(1, sizeof(*v));
	if (!v || !(v->domain = strdup(domain))) {
		free(v);
		snprintf(err, errlen, "--libvirt: out of memory");
		return -ENOMEM;
	}
	v->guard_fd = -1;
	q->priv = v;
	q->chan = &virsh_chan;
	snprintf(q->path, sizeof(q->path), "libvirt domain %s", domain);
	r = vq_qmp_exec(q, "query-version", NULL, &ver, err, errlen);
	if (r < 0)
		return r;
	q->version = qemu_version(ver);
	json_object_put(ver);
	find_pid(q);
	return 0;
}
