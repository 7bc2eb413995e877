/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /dev/mem accessor: live guest-physical memory where the kernel allows it (no STRICT_DEVMEM on RAM). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "access.h"
#include "refusal.h"

/* Top-level /proc/iomem ranges named @kind ("System RAM", "Reserved"),
 * which shows real addresses only to root. */
static int iomem_ranges(struct vq_mem *m, const char *kind)
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
		if (line[0] == ' ' || !(strstr(line, ": ") && !strncmp(strstr(line, ": ") + 2, kind, strlen(kind))))
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
		m->segs[m->nsegs++] =
			(struct vq_seg){ .paddr = a, .filesz = b - a + 1, .memsz = b - a + 1, .offset = a };
	}
	fclose(f);
	if (!m->nsegs)
		return vq_mem_fail(m, -EPERM, "read /proc/iomem: no %s ranges visible (run as root)",
				   kind);
	return 0;
}

static int devmem_open(struct vq_mem *m, const char *arg)
{
	char hint[160];
	uint8_t probe;
	size_t i;
	int ret;

	m->path = strdup(arg);
	if (!m->path)
		return vq_mem_fail(m, -ENOMEM, "open %s: out of memory", arg);
	m->fd = open(arg, O_RDONLY | O_CLOEXEC);
	if (m->fd < 0) {
		int e = errno;

		return vq_mem_fail(m, -e, "open %s: %s%s", arg, strerror(e),
				   vq_refusal_hint(arg, e, VQ_REFUSE_OPEN, hint, sizeof(hint)));
	}
	ret = iomem_ranges(m, "System RAM");
	if (ret < 0)
		return ret;
	ret = vq_mem_finish_segments(m, UINT64_MAX);
	if (ret < 0)
		return ret;
	m->where = "/dev/mem's System RAM ranges";
	/*
	 * CONFIG_STRICT_DEVMEM lets /dev/mem read only the first megabyte of
	 * RAM: try a byte above it so the caller can fall back to
	 * /proc/kcore at once rather than fail on the first ring.
	 */
	for (i = 0; i < m->nsegs; i++) {
		uint64_t a = m->segs[i].paddr < 0x100000 ? 0x100000 : m->segs[i].paddr;

		if (a - m->segs[i].paddr >= m->segs[i].memsz)
			continue;
		if (pread(m->fd, &probe, 1, (off_t)a) != 1) {
			int e = errno;

			return vq_mem_fail(m, -EPERM, "read %s at 0x%llx: %s%s", arg,
					   (unsigned long long)a, strerror(e),
					   vq_refusal_hint(arg, e, VQ_REFUSE_RAM, hint, sizeof(hint)));
		}
		break;
	}
	return 0;
}

const struct vq_mem_ops vq_mem_devmem = {
	.name = "devmem",
	.help = "/dev/mem with RAM ranges from /proc/iomem (root; kernels without STRICT_DEVMEM)",
	.open = devmem_open,
};

/*
 * /dev/mem over the whole physical address space, for what /proc/kcore
 * lacks: firmware's reserved memory (SeaBIOS keeps its rings there).
 * STRICT_DEVMEM lets /dev/mem map such pages but read() on them fails
 * (EFAULT), so each read maps the pages it needs.  Only a fallback.
 */
static int devmem_any_open(struct vq_mem *m, const char *arg)
{
	int ret;

	m->path = strdup(arg);
	if (!m->path)
		return vq_mem_fail(m, -ENOMEM, "open %s: out of memory", arg);
	m->fd = open(arg, O_RDONLY | O_CLOEXEC | O_SYNC);
	if (m->fd < 0) {
		int e = errno;
		char hint[160];

		return vq_mem_fail(m, -e, "open %s: %s%s", arg, strerror(e),
				   vq_refusal_hint(arg, e, VQ_REFUSE_OPEN, hint, sizeof(hint)));
	}
	/* Only firmware-reserved memory: a wild ring address must never make
	 * vqdump read device registers (a read can clear an ISR). */
	ret = iomem_ranges(m, "Reserved");
	if (ret < 0)
		return ret;
	m->where = "/dev/mem's reserved ranges";
	return vq_mem_finish_segments(m, UINT64_MAX);
}

static int devmem_any_read(struct vq_mem *m, uint64_t addr, void *buf, size_t len,
			   const char *what)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t base = addr & ~((uint64_t)page - 1);
	size_t span;
	void *p;

	size_t i;

	for (i = 0; i < m->nsegs; i++)
		if (addr >= m->segs[i].paddr && addr - m->segs[i].paddr < m->segs[i].memsz &&
		    len <= m->segs[i].memsz - (addr - m->segs[i].paddr))
			break;
	if (i == m->nsegs)
		return vq_mem_fail(m, -VQ_ENOTINDUMP, "read %s at 0x%llx: not in a reserved range",
				   what, (unsigned long long)addr);
	/* One ring structure at a time: never more than a few pages. */
	if (len > (64u << 20) || addr - base + len < len)
		return vq_mem_fail(m, -EINVAL, "read %s at 0x%llx: %zu bytes is too much for /dev/mem",
				   what, (unsigned long long)addr, len);
	span = (size_t)(addr - base + len + (uint64_t)page - 1) & ~((size_t)page - 1);
	p = mmap(NULL, span, PROT_READ, MAP_SHARED, m->fd, (off_t)base);
	if (p == MAP_FAILED)
		return vq_mem_fail(m, -VQ_ENOTINDUMP, "read %s at 0x%llx: /dev/mem: %s", what,
				   (unsigned long long)addr, strerror(errno));
	memcpy(buf, (const uint8_t *)p + (addr - base), len);
	munmap(p, span);
	return 0;
}

const struct vq_mem_ops vq_mem_devmem_any = {
	.name = "devmem-any",
	.help = "/dev/mem at any address (fallback for firmware memory /proc/kcore lacks)",
	.open = devmem_any_open,
	.read = devmem_any_read,
};
