/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Why Linux refused an open, a mapping or a write, and the way out that applies on this system. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "refusal.h"

#define LOCKDOWN_PATH "/sys/kernel/security/lockdown"
#define CMDLINE_PATH "/proc/cmdline"

/* lockdown=MODE on the kernel command line, for a system where securityfs
 * is not mounted (a bare initramfs): into @out, "" when not given. */
static void lockdown_from_cmdline(char *out, size_t len)
{
	char buf[4096], *p;
	size_t n;
	FILE *f = fopen(CMDLINE_PATH, "re");

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	for (p = strstr(buf, "lockdown="); p; p = strstr(p + 1, "lockdown=")) {
		if (p != buf && p[-1] != ' ')
			continue;
		p += strlen("lockdown=");
		if (!strncmp(p, "integrity", 9) || !strncmp(p, "confidentiality", 15))
			snprintf(out, len, "%.*s", (int)strcspn(p, " \n"), p);
		break;
	}
}

void vq_refusal_env_read(struct vq_refusal_env *env)
{
	char buf[128], *a, *b;
	FILE *f;

	memset(env, 0, sizeof(*env));
	env->root = geteuid() == 0;
	/* "none [integrity] confidentiality": the mode in force is bracketed. */
	f = fopen(LOCKDOWN_PATH, "re");
	if (!f) {
		lockdown_from_cmdline(env->lockdown, sizeof(env->lockdown));
		return;
	}
	if (fgets(buf, sizeof(buf), f) && (a = strchr(buf, '[')) && (b = strchr(a, ']')) &&
	    (size_t)(b - a - 1) < sizeof(env->lockdown)) {
		memcpy(env->lockdown, a + 1, (size_t)(b - a - 1));
		env->lockdown[b - a - 1] = 0;
	}
	fclose(f);
}

/* What lockdown forbids, by what was refused. */
static const char *locked_what(const char *path, enum vq_refusal_op op)
{
	if (!strcmp(path, "/proc/kcore"))
		return "reading kernel memory";
	if (!strncmp(path, "/dev/mem", 8) || !strncmp(path, "/dev/port", 9))
		return "/dev/mem";
	if (op == VQ_REFUSE_WRITE)
		return "writing PCI devices from user space";
	return "mapping device registers";
}

const char *vq_refusal_hint_env(const struct vq_refusal_env *env, const char *path, int e,
				enum vq_refusal_op op, char *buf, size_t len)
{
	int denied = e == EPERM || e == EACCES;
	int locked = env->lockdown[0] && strcmp(env->lockdown, "none");

	buf[0] = 0;
	if (e == ENOENT && !strcmp(path, "/dev/mem"))
		snprintf(buf, len, " (no /dev/mem in this system)");
	else if (e == ENOENT && !strcmp(path, "/proc/kcore"))
		snprintf(buf, len, " (no /proc/kcore in this system: a kernel without CONFIG_PROC_KCORE)");
	else if (!env->root && denied)
		snprintf(buf, len, " (run as root)");
	else if (locked && e == EPERM)
		snprintf(buf, len, " (kernel lockdown (%s): %s is not allowed)", env->lockdown,
			 locked_what(path, op));
	else if (op == VQ_REFUSE_MAP_IO && (e == EPERM || e == EINVAL) &&
		 !strncmp(path, "/dev/mem", 8))
		snprintf(buf, len,
			 " (CONFIG_IO_STRICT_DEVMEM: a driver owns this range; boot with iomem=relaxed)");
	else if (op == VQ_REFUSE_RAM && (e == EPERM || e == EFAULT))
		snprintf(buf, len, " (CONFIG_STRICT_DEVMEM keeps RAM out of /dev/mem)");
	else if (denied)
		snprintf(buf, len, " (refused to root: kernel lockdown, a security module or a container's device rules)");
	return buf;
}

const char *vq_refusal_hint(const char *path, int e, enum vq_refusal_op op, char *buf, size_t len)
{
	struct vq_refusal_env env;

	vq_refusal_env_read(&env);
	return vq_refusal_hint_env(&env, path, e, op, buf, len);
}
