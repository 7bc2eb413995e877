/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test helper: a flat hand-built guest memory behind the fetch interface. */
#ifndef VQDUMP_TEST_FAKEMEM_H
#define VQDUMP_TEST_FAKEMEM_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/fetch.h"

struct fakemem {
	uint64_t base; /* guest-physical address of buf[0] */
	size_t len;    /* bytes of memory */
	uint8_t *buf;
	unsigned long reads; /* fetch calls, to check work stays bounded */
};

static int fake_read(void *ctx, uint64_t addr, void *out, size_t len, const char *what)
{
	struct fakemem *m = ctx;

	(void)what;
	m->reads++;
	if (addr < m->base || addr - m->base > m->len || len > m->len - (addr - m->base))
		return -EFAULT;
	memcpy(out, m->buf + (addr - m->base), len);
	return 0;
}

static inline struct vq_fetch fake_fetch(struct fakemem *m)
{
	struct vq_fetch f = { fake_read, m, NULL };

	return f;
}

static inline void fake_init(struct fakemem *m, uint64_t base, size_t len)
{
	m->base = base;
	m->len = len;
	m->buf = calloc(1, len);
	m->reads = 0;
}

static inline void fake_free(struct fakemem *m)
{
	free(m->buf);
}

static inline void put16(struct fakemem *m, uint64_t a, uint16_t v)
{
	uint8_t *p = m->buf + (a - m->base);

	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put32(struct fakemem *m, uint64_t a, uint32_t v)
{
	put16(m, a, (uint16_t)v);
	put16(m, a + 2, (uint16_t)(v >> 16));
}

static inline void put64(struct fakemem *m, uint64_t a, uint64_t v)
{
	put32(m, a, (uint32_t)v);
	put32(m, a + 4, (uint32_t)(v >> 32));
}

/* Write descriptor @i of the table at @table. */
static inline void put_desc(struct fakemem *m, uint64_t table, unsigned i, uint64_t addr,
			    uint32_t len, uint16_t flags, uint16_t next)
{
	uint64_t a = table + 16ull * i;

	put64(m, a, addr);
	put32(m, a + 8, len);
	put16(m, a + 12, flags);
	put16(m, a + 14, next);
}

#endif
