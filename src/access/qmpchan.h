/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How a QMP connection reaches QEMU: the channels behind access/qmp.c (a socket, or virsh for --libvirt). */
#ifndef VQDUMP_ACCESS_QMPCHAN_H
#define VQDUMP_ACCESS_QMPCHAN_H

#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

struct vq_qmp;

/*
 * One way to carry QMP commands.  vq_qmp_exec() sends a command line and
 * takes messages until the reply, so a channel only moves text.
 */
struct vq_qmp_chan {
	/* Send one command (@line: a JSON object, no newline): 0 or -errno with @err. */
	int (*send)(struct vq_qmp *q, const char *line, char *err, size_t errlen);
	/* The next message (*@msg, a JSON object the caller puts): 0 or -errno with @err. */
	int (*recv)(struct vq_qmp *q, struct json_object **msg, char *err, size_t errlen);
	/* --pause, for a channel without a socket for the signal handler:
	 * @arm 1 right after the "stop" (someone must "cont" if vqdump dies
	 * now), 0 after the "cont".  NULL: the handler's socket does it. */
	void (*guard)(struct vq_qmp *q, int arm);
	/* Free what the channel holds (q itself is the caller's). */
	void (*close)(struct vq_qmp *q);
};

struct vq_qmp {
	const struct vq_qmp_chan *chan;
	void *priv;        /* the channel's own state (virsh) */
	int fd;            /* the connected socket, -1 for virsh */
	pid_t pid;         /* QEMU's process, 0 unknown (then @pid_why says why) */
	unsigned version;  /* major * 10000 + minor * 100 + micro */
	char *buf;         /* bytes received, not yet taken as lines */
	size_t len;        /* bytes in @buf */
	size_t cap;        /* room in @buf */
	char path[256];    /* socket path, or "libvirt domain NAME" */
	char pid_why[512]; /* why @pid is 0 */
	int paused;        /* 1 while the VM is stopped by vq_qmp_pause() */
};

/* --libvirt: open @q (zeroed, fd -1) to libvirt's domain @domain through
 * virsh: 0 or -errno with @err one line naming the way out. */
int vq_qmp_open_virsh(struct vq_qmp *q, const char *domain, char *err, size_t errlen);

#endif
