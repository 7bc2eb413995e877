/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A QMP client: one connection to a running QEMU's monitor (its socket, or libvirt's through virsh), queries only. */
#ifndef VQDUMP_ACCESS_QMP_H
#define VQDUMP_ACCESS_QMP_H

#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

struct vq_qmp;

/* How long a reply may take before the socket is called unresponsive (ms). */
#define VQ_QMP_TIMEOUT_MS 5000

/* The prefix of a spec that names a libvirt domain (--libvirt DOMAIN). */
#define VQ_QMP_LIBVIRT "libvirt:"

/*
 * Connect to the QMP socket @spec ("PATH" or "unix:PATH"), read the
 * greeting and leave capabilities negotiation; or, for "libvirt:DOMAIN",
 * reach the monitor libvirt holds through virsh (access/qmpvirsh.c).  Returns 0 with *@out set,
 * or -errno with @err one line naming the way out: -ECONNREFUSED (nothing
 * listens), -ETIMEDOUT (no greeting: QEMU serves one client per socket),
 * -EPROTO (what answered is not QMP), other errno from connect().
 */
int vq_qmp_open(struct vq_qmp **out, const char *spec, char *err, size_t errlen);
void vq_qmp_close(struct vq_qmp *q);

/* The QEMU process at the other end (SO_PEERCRED; with libvirt, the
 * process of a vCPU thread), or 0 when unknown: vq_qmp_pid_why() says why. */
pid_t vq_qmp_pid(const struct vq_qmp *q);
const char *vq_qmp_pid_why(const struct vq_qmp *q);
/* The socket's path, as connected to, or "libvirt domain NAME". */
const char *vq_qmp_path(const struct vq_qmp *q);
/* QEMU's version as major * 10000 + minor * 100 + micro (greeting). */
unsigned vq_qmp_version(const struct vq_qmp *q);

/*
 * Run the query @cmd with @args (an object, taken over; NULL: none) and
 * put its "return" member in *@ret (the caller puts it).  Events arriving
 * meanwhile are skipped.  Returns 0, -ENOENT when QEMU does not know the
 * command (CommandNotFound), -EPROTO for another QMP error (its class and
 * text in @err), or -EIO / -ETIMEDOUT when the socket failed.
 */
int vq_qmp_exec(struct vq_qmp *q, const char *cmd, struct json_object *args,
		struct json_object **ret, char *err, size_t errlen);

/* An HMP command through human-monitor-command: its text output in *@out
 * (malloc'ed).  Returns as vq_qmp_exec. */
int vq_qmp_hmp(struct vq_qmp *q, const char *line, char **out, char *err, size_t errlen);

/*
 * --pause: when query-status says the VM runs, "stop" it and owe a "cont":
 * sent by vq_qmp_resume(), by vq_qmp_close() if not yet, and by a handler
 * of SIGINT, SIGTERM, SIGHUP and SIGPIPE (installed here) before the
 * process ends.  A VM already paused is left alone (and not resumed).
 * Returns 0, or -errno with @err (the VM is then not stopped by vqdump).
 */
int vq_qmp_pause(struct vq_qmp *q, char *err, size_t errlen);
/* 1 while the VM is stopped by vq_qmp_pause() (the reads are consistent). */
int vq_qmp_paused(const struct vq_qmp *q);
/* The owed "cont": 1 sent, 0 none owed, -errno with @err when QEMU
 * refused it or the socket failed (the VM may stay paused). */
int vq_qmp_resume(struct vq_qmp *q, char *err, size_t errlen);

/*
 * One QMP message @msg (already parsed) as a reply: 1 when it is an event
 * (skip it), 0 with *@ret a new reference to its "return" member, or
 * -ENOENT (CommandNotFound) / -EPROTO (another error, or not a reply)
 * with @err saying what QEMU said.  For vq_qmp_exec and the unit tests.
 */
int vq_qmp_reply(struct json_object *msg, struct json_object **ret, char *err, size_t errlen);

/* The version a QMP greeting @msg gives (as vq_qmp_version), or -EPROTO
 * when @msg is not a QMP greeting. */
int vq_qmp_greeting(struct json_object *msg, unsigned *version);

#endif
