/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz helper: guest memory made of the fuzzer's bytes behind the fetch interface, work counted. */
#ifndef VQDUMP_FUZZ_FUZZMEM_H
#define VQDUMP_FUZZ_FUZZMEM_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decode/fetch.h"

/* For the harness's own checking code: no coverage feedback (the fuzzer
 * should steer by the code under test, not by the checks) and no tracing
 * cost.  ASan and UBSan stay on. */
#ifdef __clang__
#define FUZZ_HARNESS __attribute__((no_sanitize("coverage")))
#else
#define FUZZ_HARNESS
#endif

#define FUZZMEM_MAX_REGIONS 2

/* One run of bytes at a guest-physical address. */
struct fuzzmem_region {
	uint64_t base;	      /* guest-physical address of bytes[0] */
	const uint8_t *bytes; /* the fuzzer's input, not copied */
	uint64_t len;	      /* bytes in the region; base + len never wraps */
};

struct fuzzmem {
	struct fuzzmem_region r[FUZZMEM_MAX_REGIONS]; /* searched in order */
	unsigned nr;				      /* regions in use */
	uint64_t fetches;			      /* fetch calls so far */
	uint64_t bytes;				      /* bytes asked for so far */
};

/* Little-endian field of the fuzzer's header (the decoders' le.h is for
 * ring memory; this keeps the harness independent of it). */
FUZZ_HARNESS static inline uint64_t fuzz_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/*
 * Add a region, clipped so that base + len stays below 2^64 as the
 * accessors guarantee for their segments (vq_mem_finish_segments).
 */
FUZZ_HARNESS static inline void fuzzmem_add(struct fuzzmem *m, uint64_t base, const uint8_t *bytes,
					    uint64_t len)
{
	if (m->nr >= FUZZMEM_MAX_REGIONS || !len)
		return;
	if (len > UINT64_MAX - base)
		len = UINT64_MAX - base;
	if (!len)
		return;
	m->r[m->nr++] = (struct fuzzmem_region){base, bytes, len};
}

/* The fetch callback: a read succeeds when one region holds all of it.
 * Instrumented on purpose: its comparisons with the regions' bases show
 * the fuzzer which addresses hold memory. */
static int fuzzmem_read(void *ctx, uint64_t addr, void *buf, size_t len, const char *what)
{
	struct fuzzmem *m = ctx;
	unsigned i;

	m->fetches++;
	m->bytes += len;
	/* Every decoder names what it reads; a NULL here would crash the
	 * CLI's error path, which prints it. */
	if (!what || !*what)
		__builtin_trap();
	for (i = 0; i < m->nr; i++) {
		const struct fuzzmem_region *r = &m->r[i];

		if (addr < r->base || addr - r->base > r->len || len > r->len - (addr - r->base))
			continue;
		if (len)
			memcpy(buf, r->bytes + (addr - r->base), len);
		return 0;
	}
	return -EFAULT;
}

static inline struct vq_fetch fuzzmem_fetch(struct fuzzmem *m)
{
	struct vq_fetch f = {fuzzmem_read, m, NULL};

	return f;
}

/* Stop the run the way a sanitizer would: libFuzzer saves the input. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #cond, __FILE__,        \
				__LINE__);                                                         \
			__builtin_trap();                                                          \
		}                                                                                  \
	} while (0)

#endif
