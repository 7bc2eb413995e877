/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Raw accessor: a flat physical-memory image loaded at a base address (FILE@BASE). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../model/num.h"
#include "access.h"

static int raw_open(struct vq_mem *m, const char *arg)
{
	const char *at = strrchr(arg, '@');
	uint64_t base;
	struct stat st;

	if (!at || at == arg || !at[1])
		return vq_mem_fail(m, -VQ_EBADARG, "open raw image %s: expected FILE@BASE", arg);
	if (vq_parse_u64(at + 1, &base))
		return vq_mem_fail(m, -VQ_EBADARG, "open raw image %s: bad base address '%s'", arg,
				   at + 1);
	m->path = strndup(arg, (size_t)(at - arg));
	if (!m->path)
		return vq_mem_fail(m, -ENOMEM, "open raw image: out of memory");
	m->fd = open(m->path, O_RDONLY | O_CLOEXEC);
	if (m->fd < 0)
		return vq_mem_fail(m, -errno, "open raw image %s: %s", m->path, strerror(errno));
	if (fstat(m->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return vq_mem_fail(m, -EINVAL, "open raw image %s: not a regular file", m->path);
	if (!st.st_size)
		return vq_mem_fail(m, -EINVAL, "open raw image %s: file is empty", m->path);
	/* Its end must have an address (segments end below 2^64, mem.c):
	 * never a wrap to low memory. */
	if ((uint64_t)st.st_size > UINT64_MAX - base)
		return vq_mem_fail(m, -VQ_EBADARG,
				   "open raw image %s: %llu bytes at 0x%llx run past the end of the 64-bit address space",
				   m->path, (unsigned long long)st.st_size,
				   (unsigned long long)base);
	m->segs = calloc(1, sizeof(*m->segs));
	if (!m->segs)
		return vq_mem_fail(m, -ENOMEM, "open raw image: out of memory");
	m->segs[0] = (struct vq_seg){
		.paddr = base,
		.filesz = (uint64_t)st.st_size,
		.memsz = (uint64_t)st.st_size,
		.offset = 0,
	};
	m->nsegs = 1;
	vq_mem_try_map(m, (uint64_t)st.st_size);
	return vq_mem_finish_segments(m, (uint64_t)st.st_size);
}

const struct vq_mem_ops vq_mem_raw = {
	.name = "raw",
	.help = "raw physical-memory image loaded at a base address (FILE@BASE)",
	.open = raw_open,
};
