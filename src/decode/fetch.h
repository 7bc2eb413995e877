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
};

static inline int vq_fetch(const struct vq_fetch *f, uint64_t addr, void *buf, size_t len,
			   const char *what)
{
	return f->read(f->ctx, addr, buf, len, what);
}

#endif
