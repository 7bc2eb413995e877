/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Memory a device can reach: a locked huge page or locked pages, physical addresses from /proc/self/pagemap. */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vblk.h"

#define GRANULE 4096u                  /* pagemap entries are per 4 KiB page (x86) */
#define HUGE_2M (2u * 1024 * 1024)     /* the huge page size tried */
#define PM_PRESENT (1ull << 63)        /* pagemap: page present */
#define PM_PFN_MASK ((1ull << 55) - 1) /* pagemap: bits 0-54 */

int vb_pagemap_pfn(uint64_t entry, uint64_t *pfn)
{
	if (!(entry & PM_PRESENT))
		return -ENOENT;
	*pfn = entry & PM_PFN_MASK;
	/* Without CAP_SYS_ADMIN the kernel shows present pages with PFN 0. */
	if (!*pfn)
		return -EPERM;
	return 0;
}

int vb_pagemap_read(const char *path, const void *va, size_t npages, size_t pagesize,
		    uint64_t *pa, char *err, size_t errlen)
{
	uint64_t first = (uint64_t)(uintptr_t)va / pagesize, e, pfn;
	size_t i;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "open %s: %s", path, strerror(-ret));
		return ret;
	}
	for (i = 0; i < npages; i++) {
		ssize_t r = pread(fd, &e, sizeof(e), (off_t)((first + i) * sizeof(e)));

		if (r != (ssize_t)sizeof(e)) {
			ret = r < 0 ? -errno : -EIO;
			snprintf(err, errlen, "read %s for page %zu: %s", path, i,
				 r < 0 ? strerror(-ret) : "short read");
			close(fd);
			return ret;
		}
		ret = vb_pagemap_pfn(e, &pfn);
		if (ret) {
			snprintf(err, errlen,
				 ret == -EPERM
					 ? "%s shows PFN 0: physical addresses need CAP_SYS_ADMIN (run as root)"
					 : "%s: page %zu of the DMA buffer is not present",
				 path, i);
			close(fd);
			return ret;
		}
		pa[i] = pfn * pagesize;
	}
	close(fd);
	return 0;
}

/* A free 2 MiB huge page, as /proc/meminfo says. */
static int huge_free(void)
{
	char line[128];
	long free_pages = 0, size_kb = 0;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "HugePages_Free: %ld", &free_pages);
		sscanf(line, "Hugepagesize: %ld kB", &size_kb);
	}
	fclose(f);
	return free_pages > 0 && size_kb == HUGE_2M / 1024;
}

int vb_dma_map_pages(struct vb_dma *m)
{
	return vb_pagemap_read(m->pagemap, m->va, m->len / GRANULE, GRANULE, m->pa, m->err,
			       sizeof(m->err));
}

int vb_dma_open(struct vb_dma *m, size_t len)
{
	void *p = MAP_FAILED;
	int ret;

	memset(m, 0, sizeof(*m));
	m->pagemap = "/proc/self/pagemap";
	m->page = GRANULE;
	len = (len + GRANULE - 1) / GRANULE * GRANULE;
	if (len <= HUGE_2M && huge_free()) {
		p = mmap(NULL, HUGE_2M, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);
		if (p != MAP_FAILED) {
			m->huge = 1;
			len = HUGE_2M;
		}
	}
	if (p == MAP_FAILED)
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
			 -1, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		snprintf(m->err, sizeof(m->err), "map %zu bytes of DMA memory: %s", len, strerror(-ret));
		return ret;
	}
	m->va = p;
	m->len = len;
	/* Locked pages are not swapped out or migrated by reclaim. */
	if (mlock(p, len)) {
		ret = -errno;
		snprintf(m->err, sizeof(m->err), "lock %zu bytes of DMA memory: %s%s", len,
			 strerror(-ret), ret == -EPERM || ret == -ENOMEM ? " (run as root)" : "");
		vb_dma_close(m);
		return ret;
	}
	memset(p, 0, len);
	m->pa = calloc(len / GRANULE, sizeof(*m->pa));
	if (!m->pa) {
		snprintf(m->err, sizeof(m->err), "out of memory");
		vb_dma_close(m);
		return -ENOMEM;
	}
	ret = vb_dma_map_pages(m);
	if (ret) {
		vb_dma_close(m);
		return ret;
	}
	return 0;
}

void vb_dma_close(struct vb_dma *m)
{
	if (m->va)
		munmap(m->va, m->len);
	free(m->pa);
	m->va = NULL;
	m->pa = NULL;
}

/* 1 when [off, off+len) is physically contiguous. */
static int contiguous(const struct vb_dma *m, size_t off, size_t len)
{
	size_t i, first = off / GRANULE, last = (off + len - 1) / GRANULE;

	for (i = first; i < last; i++)
		if (m->pa[i + 1] != m->pa[i] + GRANULE)
			return 0;
	return 1;
}

void *vb_dma_alloc(struct vb_dma *m, size_t len, size_t align, int contig)
{
	size_t off;

	if (!align)
		align = 1;
	off = (m->next + align - 1) / align * align;
	while (len && off <= m->len && len <= m->len - off) {
		size_t bad;

		if (!contig || contiguous(m, off, len)) {
			m->next = off + len;
			return m->va + off;
		}
		/* Skip past the first break in the range. */
		for (bad = off / GRANULE; m->pa[bad + 1] == m->pa[bad] + GRANULE; bad++)
			;
		off = ((bad + 1) * GRANULE + align - 1) / align * align;
	}
	snprintf(m->err, sizeof(m->err),
		 "no %s%zu bytes left in the %zu-byte DMA buffer (%s)", contig ? "physically contiguous " : "",
		 len, m->len,
		 m->huge ? "one huge page" : "normal pages; a huge page helps: echo 1 > /proc/sys/vm/nr_hugepages");
	return NULL;
}

static const uint64_t *sort_pa; /* qsort context for by_pa */

static int by_pa(const void *a, const void *b)
{
	uint64_t x = sort_pa[*(const size_t *)a], y = sort_pa[*(const size_t *)b];

	return x < y ? -1 : x > y;
}

int vb_dma_phys_run(struct vb_dma *m, size_t npages, uint8_t **pages)
{
	size_t first = (m->next + GRANULE - 1) / GRANULE, total = m->len / GRANULE, n, i, j;
	size_t *idx, best = 0, best_top = SIZE_MAX;

	if (!npages || first >= total || npages > total - first)
		goto none;
	n = total - first;
	idx = malloc(n * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		idx[i] = first + i;
	sort_pa = m->pa;
	qsort(idx, n, sizeof(*idx), by_pa);
	/* Of all runs, the one ending lowest in the buffer wastes least. */
	for (i = 0; i + npages <= n; i++) {
		size_t top = idx[i];

		for (j = 1; j < npages; j++) {
			if (m->pa[idx[i + j]] != m->pa[idx[i]] + j * GRANULE)
				break;
			if (idx[i + j] > top)
				top = idx[i + j];
		}
		if (j == npages && top < best_top) {
			best = i;
			best_top = top;
		}
	}
	if (best_top != SIZE_MAX) {
		for (j = 0; j < npages; j++)
			pages[j] = m->va + idx[best + j] * GRANULE;
		m->next = (best_top + 1) * GRANULE;
		free(idx);
		return 0;
	}
	free(idx);
none:
	snprintf(m->err, sizeof(m->err),
		 "no %zu physically consecutive free pages in the DMA buffer; a huge page helps: echo 1 > /proc/sys/vm/nr_hugepages",
		 npages);
	return -ENOMEM;
}

uint64_t vb_dma_pa(const struct vb_dma *m, const void *p)
{
	size_t off = (size_t)((const uint8_t *)p - m->va);

	return m->pa[off / GRANULE] + off % GRANULE;
}

int vb_dma_sg(const struct vb_dma *m, const void *p, size_t len, int write, struct vb_sg *sg,
	      unsigned max)
{
	size_t off = (size_t)((const uint8_t *)p - m->va);
	unsigned n = 0;

	while (len) {
		size_t chunk = GRANULE - off % GRANULE;
		uint64_t pa = m->pa[off / GRANULE] + off % GRANULE;

		if (chunk > len)
			chunk = len;
		if (n && sg[n - 1].addr + sg[n - 1].len == pa && sg[n - 1].len + chunk <= UINT32_MAX) {
			sg[n - 1].len += (uint32_t)chunk;
		} else {
			if (n == max)
				return -ENOSPC;
			sg[n].addr = pa;
			sg[n].len = (uint32_t)chunk;
			sg[n].write = write;
			n++;
		}
		off += chunk;
		len -= chunk;
	}
	return (int)n;
}

int vb_dma_verify(struct vb_dma *m)
{
	size_t n = m->len / GRANULE, i;
	uint64_t *now = calloc(n, sizeof(*now));
	int ret;

	if (!now)
		return -ENOMEM;
	ret = vb_pagemap_read(m->pagemap, m->va, n, GRANULE, now, m->err, sizeof(m->err));
	for (i = 0; !ret && i < n; i++)
		if (now[i] != m->pa[i]) {
			snprintf(m->err, sizeof(m->err),
				 "DMA page %zu moved from 0x%llx to 0x%llx during the run", i,
				 (unsigned long long)m->pa[i], (unsigned long long)now[i]);
			ret = -EFAULT;
		}
	free(now);
	return ret;
}
