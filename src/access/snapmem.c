/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The memory a snapshot saves: sorted, disjoint ranges of guest-physical bytes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

int vq_snap_mem_overlay(const struct vq_snap_mem *m, uint64_t addr, void *buf, size_t len)
{
	uint64_t covered = 0, end = addr + len;
	size_t lo = 0, hi = m->n, i;

	if (!len || end < addr)
		return 0;
	/* First range ending after @addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->r[mid].addr + m->r[mid].len <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < m->n && m->r[i].addr < end; i++) {
		const struct vq_snap_range *r = &m->r[i];
		uint64_t a = r->addr > addr ? r->addr : addr;
		uint64_t e = r->addr + r->len < end ? r->addr + r->len : end;

		memcpy((uint8_t *)buf + (a - addr), r->data + (a - r->addr), e - a);
		covered += e - a;
	}
	return covered == len;
}

int vq_snap_mem_add(struct vq_snap_mem *m, uint64_t addr, const void *buf, size_t len)
{
	uint64_t start = addr, end = addr + len, total = m->total;
	size_t first, last, i;
	uint8_t *data;

	if (!len)
		return 0;
	if (end < addr || end == 0)
		return -EOVERFLOW;
	/* Ranges that overlap or touch [addr, end) join it. */
	for (first = 0; first < m->n && m->r[first].addr + m->r[first].len < addr; first++)
		;
	for (last = first; last < m->n && m->r[last].addr <= end; last++) {
		if (m->r[last].addr < start)
			start = m->r[last].addr;
		if (m->r[last].addr + m->r[last].len > end)
			end = m->r[last].addr + m->r[last].len;
		total -= m->r[last].len;
	}
	if (end - start > SIZE_MAX)
		return -EOVERFLOW;
	data = malloc((size_t)(end - start));
	if (!data)
		return -ENOMEM;
	memcpy(data + (addr - start), buf, len);
	/* What was saved first wins. */
	for (i = first; i < last; i++) {
		memcpy(data + (m->r[i].addr - start), m->r[i].data, m->r[i].len);
		free(m->r[i].data);
	}
	if (first == last) {
		if (m->n == m->cap) {
			size_t cap = m->cap ? 2 * m->cap : 16;
			struct vq_snap_range *p = realloc(m->r, cap * sizeof(*p));

			if (!p) {
				free(data);
				return -ENOMEM;
			}
			m->r = p;
			m->cap = cap;
		}
		memmove(&m->r[first + 1], &m->r[first], (m->n - first) * sizeof(*m->r));
		m->n++;
	} else if (last - first > 1) {
		memmove(&m->r[first + 1], &m->r[last], (m->n - last) * sizeof(*m->r));
		m->n -= last - first - 1;
	}
	m->r[first] = (struct vq_snap_range){ start, end - start, data };
	m->total = total + (end - start);
	return 0;
}

void vq_snap_mem_free(struct vq_snap_mem *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->r[i].data);
	free(m->r);
	memset(m, 0, sizeof(*m));
}
