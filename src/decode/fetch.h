/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fetch layer: how pure decoders ask for guest memory without doing I/O themselves. */
#ifndef VQDUMP_DECODE_FETCH_H
#define VQDUMP_DECODE_FETCH_H

#include <stddef.h>
#include <stdint.h>

struct vq_fetch {
	/* Read @len bytes of guest-physical memory at @addr into @buf; @what
	 * names the structure for error messages.  Returns 0 or -errno. */
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len, const char *what);
	void *ctx; /* passed back to read() */
	/* Optional (NULL): the @len bytes at @addr in place, valid as long as
	 * the source is open, or NULL when they are not in one piece (then
	 * read()).  Lets a search over all of RAM skip a copy. */
	const uint8_t *(*ptr)(void *ctx, uint64_t addr, size_t len);
};

static inline int vq_fetch(const struct vq_fetch *f, uint64_t addr, void *buf, size_t len,
			   const char *what)
{
	return f->read(f->ctx, addr, buf, len, what);
}

/* The @len bytes at @addr: in place when the source can point at them,
 * else read into @buf; *@ret is 0 or read()'s -errno. */
static inline const uint8_t *vq_fetch_view(const struct vq_fetch *f, uint64_t addr, uint8_t *buf,
					   size_t len, const char *what, int *ret)
{
	const uint8_t *p = f->ptr ? f->ptr(f->ctx, addr, len) : NULL;

	*ret = p ? 0 : vq_fetch(f, addr, buf, len, what);
	return p ? p : buf;
}

#endif
