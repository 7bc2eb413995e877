/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /dev/mem accessor: live guest-physical memory where the kernel allows it (no STRICT_DEVMEM on RAM). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"

/* RAM ranges come from /proc/iomem ("System RAM"), which shows real
 * addresses only to root. */
static int ram_ranges(struct vq_mem *m)
{
	FILE *f = fopen("/proc/iomem", "re");
	char line[256];
	size_t cap = 0;

	if (!f)
		return vq_mem_fail(m, -errno, "open /proc/iomem: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b;
		struct vq_seg *s;

		/* Top-level entries only: nested lines start with spaces. */
		if (line[0] == ' ' || !strstr(line, ": System RAM"))
			continue;
		if (sscanf(line, "%llx-%llx", &a, &b) != 2 || b < a || (a == 0 && b == 0))
			continue;
		if (m->nsegs == cap) {
			cap = cap ? 2 * cap : 16;
			s = realloc(m->segs, cap * sizeof(*s));
			if (!s) {
				fclose(f);
				return vq_mem_fail(m, -ENOMEM, "read /proc/iomem: out of memory");
			}
			m->segs = s;
		}
		m->segs[m->nsegs++] = (struct vq_seg){ a, b - a + 1, b - a + 1, a };
	}
	fclose(f);
	if (!m->nsegs)
		return vq_mem_fail(m, -EPERM,
				   "read /proc/iomem: no System RAM ranges visible (run as root)");
	return 0;
}

static int devmem_open(struct vq_mem *m, const char *arg)
{
	uint8_t probe;
	size_t i;
	int ret;

	m->path = strdup(arg);
	if (!m->path)
		return vq_mem_fail(m, -ENOMEM, "open %s: out of memory", arg);
	m->fd = open(arg, O_RDONLY | O_CLOEXEC);
	if (m->fd < 0)
		return vq_mem_fail(m, -errno, "open %s: %s%s", arg, strerror(errno),
				   errno == EACCES || errno == EPERM ? " (run as root)" : "");
	ret = ram_ranges(m);
	if (ret < 0)
		return ret;
	ret = vq_mem_finish_segments(m, UINT64_MAX);
	if (ret < 0)
		return ret;
	/*
	 * CONFIG_STRICT_DEVMEM lets /dev/mem read only the first megabyte of
	 * RAM: try a byte above it so the caller can fall back to
	 * /proc/kcore at once rather than fail on the first ring.
	 */
	for (i = 0; i < m->nsegs; i++) {
		uint64_t a = m->segs[i].paddr < 0x100000 ? 0x100000 : m->segs[i].paddr;

		if (a - m->segs[i].paddr >= m->segs[i].memsz)
			continue;
		if (pread(m->fd, &probe, 1, (off_t)a) != 1)
			return vq_mem_fail(m, -EPERM,
					   "read %s at 0x%llx: %s (CONFIG_STRICT_DEVMEM keeps RAM out of /dev/mem)",
					   arg, (unsigned long long)a, strerror(errno));
		break;
	}
	return 0;
}

const struct vq_mem_ops vq_mem_devmem = {
	.name = "devmem",
	.help = "/dev/mem with RAM ranges from /proc/iomem (root; kernels without STRICT_DEVMEM)",
	.open = devmem_open,
};
