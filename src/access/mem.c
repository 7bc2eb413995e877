/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Generic part of the memory accessors: registry, segment lookup, labelled reads. */
/* lseek's SEEK_DATA and SEEK_HOLE are GNU extensions; the build defines
 * it, the fuzz build (which compiles every library file) does not. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../decode/elfnote.h"
#include "access.h"

const struct vq_mem_ops *const vq_mem_methods[] = {
	&vq_mem_elf,
	&vq_mem_kdump,
	&vq_mem_raw,
	&vq_mem_devmem,
	&vq_mem_qemu,
	NULL,
};

/*
 * The live system's memory, in the manner of pciutils' probe_sequence:
 * the first entry that opens is used.  /dev/mem where the kernel lets it
 * read RAM; else the kernel's own ELF view of RAM, with /dev/mem's
 * firmware-reserved ranges (SeaBIOS keeps its rings there) under it for
 * what /proc/kcore lacks.
 */
const struct vq_mem_probe vq_mem_live_probe[] = {
	{ &vq_mem_devmem, "/dev/mem", NULL, NULL },
	{ &vq_mem_elf, "/proc/kcore", &vq_mem_devmem_any, "/dev/mem" },
	{ NULL, NULL, NULL, NULL },
};

int vq_mem_fail(struct vq_mem *m, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->err, sizeof(m->err), fmt, ap);
	va_end(ap);
	return err;
}

int vq_mem_open(struct vq_mem *m, const struct vq_mem_ops *ops, const char *arg)
{
	int ret;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	m->ops = ops;
	ret = ops->open(m, arg);
	if (ret < 0)
		vq_mem_close(m);
	return ret;
}

int vq_mem_open_file(struct vq_mem *m, const char *path)
{
	const struct vq_mem_ops *const *o, *first = NULL;
	uint8_t head[64];
	ssize_t n = -1;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = pread(fd, head, sizeof(head), 0);
		close(fd);
	}
	for (o = vq_mem_methods; *o; o++) {
		if (!(*o)->probe)
			continue;
		if (!first)
			first = *o;
		if (n >= 0 && (*o)->probe(head, (size_t)n))
			return vq_mem_open(m, *o, path);
	}
	return vq_mem_open(m, first, path);
}

int vq_mem_open_live(struct vq_mem *m)
{
	char why[sizeof(m->err)] = "";
	const struct vq_mem_probe *p;
	struct vq_mem top, under;
	size_t off = 0;
	int ret = -ENOENT;

	for (p = vq_mem_live_probe; p->ops; p++) {
		ret = vq_mem_open(&top, p->ops, p->arg);
		if (ret == 0)
			break;
		/* Every method's reason, in probe order. */
		off += (size_t)snprintf(why + off, off < sizeof(why) ? sizeof(why) - off : 0, "%s%s",
					off ? "; and " : "", top.err);
		if (off >= sizeof(why))
			off = sizeof(why) - 1;
	}
	if (!p->ops) {
		memset(m, 0, sizeof(*m));
		m->fd = -1;
		return vq_mem_fail(m, ret, "read live memory: %s", why);
	}
	/* The fallback is optional: without it, the top source alone. */
	if (!p->under || vq_mem_open(&under, p->under, p->under_arg) < 0) {
		*m = top;
		return 0;
	}
	ret = vq_mem_open_overlay(m, &top, &under);
	if (ret < 0) {
		vq_mem_close(&top);
		vq_mem_close(&under);
	}
	return ret;
}

void vq_mem_close(struct vq_mem *m)
{
	if (m->ops && m->ops->close)
		m->ops->close(m);
	if (m->map)
		munmap((void *)m->map, m->map_len);
	if (m->fd >= 0)
		close(m->fd);
	free(m->segs);
	free(m->path);
	free(m->lost);
	free(m->filtered);
	m->lost = NULL;
	m->nlost = 0;
	m->filtered = NULL;
	m->nfiltered = 0;
	m->map = NULL;
	m->segs = NULL;
	m->path = NULL;
	m->nsegs = 0;
	m->fd = -1;
}

static int seg_cmp(const void *a, const void *b)
{
	const struct vq_seg *x = a, *y = b;

	if (x->paddr != y->paddr)
		return x->paddr < y->paddr ? -1 : 1;
	/* Longer first, so the clip below keeps the larger of two equal starts. */
	if (x->memsz != y->memsz)
		return x->memsz > y->memsz ? -1 : 1;
	return 0;
}

/* What a header promised of @s but the file (of @file_size bytes, or
 * offsets past 2^63) lacks: missing, not zero, so never shown as zeroes.
 * Returns the bytes of memory lost (0 when none). */
static uint64_t clamp_to_file(struct vq_seg *s, uint64_t file_size)
{
	uint64_t before = s->memsz, held = s->filesz;

	/* A segment with no file bytes (p_filesz 0) is all zero fill and may
	 * name any offset. */
	if (!s->filesz)
		return 0;
	if (file_size != UINT64_MAX && (s->offset >= file_size || s->filesz > file_size - s->offset))
		held = s->offset >= file_size ? 0 : file_size - s->offset;
	/* File offsets past 2^63 cannot be read (off_t), nor may an offset
	 * plus length wrap. */
	if (s->offset > (uint64_t)INT64_MAX)
		held = 0;
	else if (held > (uint64_t)INT64_MAX - s->offset)
		held = (uint64_t)INT64_MAX - s->offset;
	if (held == s->filesz)
		return 0;
	s->filesz = s->memsz = held;
	return before - held;
}

/* Append [@paddr, +@len) to the list *@list of *@n ranges. */
static int add_range(struct vq_mem *m, struct vq_scan_region **list, size_t *n, uint64_t paddr,
		     uint64_t len)
{
	struct vq_scan_region *r = *list;

	/* Room doubles at each power of two: linear work for many segments. */
	if (!(*n & (*n - 1))) {
		r = realloc(*list, (*n ? 2 * *n : 1) * sizeof(*r));
		if (!r)
			return vq_mem_fail(m, -ENOMEM, "open %s: out of memory",
					   m->path ? m->path : "memory");
		*list = r;
	}
	r[(*n)++] = (struct vq_scan_region){ paddr, len };
	return 0;
}

/* Remember [@paddr, +@len) as promised by the headers but not in the file. */
static int add_lost(struct vq_mem *m, uint64_t paddr, uint64_t len)
{
	int ret = add_range(m, &m->lost, &m->nlost, paddr, len);

	if (!ret)
		m->missing += len;
	return ret;
}

int vq_mem_add_filtered(struct vq_mem *m, uint64_t paddr, uint64_t len)
{
	return add_range(m, &m->filtered, &m->nfiltered, paddr, len);
}

/*
 * Bytes a file holds beat zero fill a header claims: when @s, which has
 * file bytes, starts in the zero fill of the segment @o kept before it,
 * @o ends where @s starts (its zero fill past @s, claimed by a header
 * that covers another segment's bytes, is dropped: those addresses are
 * then not in the dump).  Returns 1 when @o was shortened.
 */
static int zero_fill_yields(struct vq_seg *o, const struct vq_seg *s)
{
	if (!s->filesz || s->paddr < o->paddr || s->paddr - o->paddr < o->filesz)
		return 0;
	o->memsz = s->paddr - o->paddr;
	return 1;
}

int vq_mem_finish_segments(struct vq_mem *m, uint64_t file_size)
{
	size_t i, n = 0;
	uint64_t end = 0;
	int have_end = 0;

	for (i = 0; i < m->nsegs; i++) {
		struct vq_seg *s = &m->segs[i];
		uint64_t lost;

		m->claimed += s->memsz;
		if (m->claimed < s->memsz)
			m->claimed = UINT64_MAX;
		lost = clamp_to_file(s, file_size);
		if (lost && add_lost(m, s->paddr + s->memsz, lost) < 0)
			return -ENOMEM;
		if (s->filesz > s->memsz)
			s->memsz = s->filesz;
		/* Wrapping past 2^64 cannot describe real memory. */
		if (s->paddr + s->memsz < s->paddr)
			s->memsz = UINT64_MAX - s->paddr;
		if (s->filesz > s->memsz)
			s->filesz = s->memsz;
	}
	qsort(m->segs, m->nsegs, sizeof(*m->segs), seg_cmp);
	for (i = 0; i < m->nsegs; i++) {
		struct vq_seg s = m->segs[i];

		if (have_end && s.paddr < end && zero_fill_yields(&m->segs[n - 1], &s)) {
			/* The kept segment now ends where @s starts. */
			if (!m->segs[n - 1].memsz)
				n--;
		} else if (have_end && s.paddr < end) {
			uint64_t cut = end - s.paddr;

			if (cut >= s.memsz)
				continue;
			s.paddr += cut;
			s.memsz -= cut;
			s.offset += cut;
			s.vaddr += s.has_vaddr ? cut : 0; /* still paddr's */
			s.filesz = s.filesz > cut ? s.filesz - cut : 0;
		}
		if (!s.memsz)
			continue;
		m->segs[n++] = s;
		end = s.paddr + s.memsz;
		have_end = 1;
	}
	m->nsegs = n;
	return 0;
}

void vq_mem_try_map(struct vq_mem *m, uint64_t file_size)
{
	void *p;

	if (!file_size || file_size == UINT64_MAX || file_size > SIZE_MAX)
		return;
	p = mmap(NULL, file_size, PROT_READ, MAP_PRIVATE, m->fd, 0);
	if (p == MAP_FAILED)
		return;
	m->map = p;
	m->map_len = file_size;
}

/* Index of the segment holding @addr, or -1. */
static long seg_find(const struct vq_mem *m, uint64_t addr)
{
	size_t lo = 0, hi = m->nsegs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vq_seg *s = &m->segs[mid];

		if (addr < s->paddr)
			hi = mid;
		else if (addr - s->paddr >= s->memsz)
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

/* 1 when @addr is in one of the @n ranges @r. */
static int in_ranges(const struct vq_scan_region *r, size_t n, uint64_t addr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (addr >= r[i].start && addr - r[i].start < r[i].len)
			return 1;
	return 0;
}

uint64_t vq_mem_filtered(const struct vq_mem *m)
{
	uint64_t f = 0;
	size_t i;

	for (i = 0; i < m->nfiltered; i++)
		f += m->filtered[i].len;
	return f;
}

const char *vq_mem_why_not_in(const struct vq_mem *m, uint64_t addr)
{
	if (in_ranges(m->lost, m->nlost, addr))
		return " (truncated file)";
	if (in_ranges(m->filtered, m->nfiltered, addr))
		return " (filtered)";
	return "";
}

uint64_t vq_mem_zero_fill(const struct vq_mem *m)
{
	uint64_t z = 0;
	size_t i;

	for (i = 0; i < m->nsegs; i++)
		z += m->segs[i].memsz - m->segs[i].filesz;
	return z;
}

/* @b bytes in MiB with one decimal, never shown as 0.0 when non-zero. */
static double mib(uint64_t b)
{
	double v = (double)b / (1024.0 * 1024.0);

	return b && v < 0.1 ? 0.1 : v;
}

int vq_mem_truncation(const struct vq_mem *m, char *buf, size_t len)
{
	if (!m->missing)
		return 0;
	snprintf(buf, len, "truncated: %.1f of %.1f MiB of memory missing", mib(m->missing),
		 mib(m->claimed));
	return 1;
}

int vq_mem_note_segments(struct vq_mem *m, vq_mem_notes_fn fn, void *arg)
{
	return m->ops && m->ops->note_segments ? m->ops->note_segments(m, fn, arg) : 0;
}

/* vq_mem_has_note's visitor: 1 when a note of the segment is @arg's. */
static int owner_in(void *arg, const uint8_t *notes, size_t len, int msb)
{
	struct vq_elf_note n;
	size_t off = 0;
	char err[160];

	while (vq_elf_note_next(notes, len, msb, &off, &n, err, sizeof(err)) > 0)
		if (vq_elf_note_owner_is(&n, arg))
			return 1;
	return 0;
}

int vq_mem_has_note(struct vq_mem *m, const char *owner)
{
	return vq_mem_note_segments(m, owner_in, (void *)owner) == 1;
}

int vq_mem_qemu_dump(struct vq_mem *m)
{
	return vq_mem_has_note(m, "QEMU");
}

const uint8_t *vq_mem_ptr(const struct vq_mem *m, uint64_t addr, size_t len)
{
	long i;
	const struct vq_seg *s;
	uint64_t off;

	/* Nothing to point at for 0 bytes (and a clipped segment's offset
	 * may lie past the file). */
	if (!m->map || !len)
		return NULL;
	i = seg_find(m, addr);
	if (i < 0)
		return NULL;
	s = &m->segs[i];
	off = addr - s->paddr;
	if (off > s->filesz || len > s->filesz - off)
		return NULL;
	return m->map + s->offset + off;
}

int vq_mem_read(struct vq_mem *m, uint64_t addr, void *buf, size_t len, const char *what)
{
	uint8_t *out = buf;
	uint64_t cur = addr;
	size_t left = len;

	if (len && addr + len - 1 < addr)
		return vq_mem_fail(m, -VQ_ENOTINDUMP,
				   "read %s at 0x%llx: range wraps past the end of the address space",
				   what, (unsigned long long)addr);
	if (m->ops && m->ops->read)
		return m->ops->read(m, addr, buf, len, what);
	while (left) {
		long i = seg_find(m, cur);
		const struct vq_seg *s;
		uint64_t off, n, inf;

		if (i < 0)
			return vq_mem_fail(m, -VQ_ENOTINDUMP,
					   "read %s at 0x%llx: address 0x%llx not in %s%s", what,
					   (unsigned long long)addr, (unsigned long long)cur,
					   m->where ? m->where : "the dump",
					   vq_mem_why_not_in(m, cur));
		s = &m->segs[i];
		off = cur - s->paddr;
		n = s->memsz - off;
		if (n > left)
			n = left;
		/* The part the file holds, then ELF's implicit zeroes. */
		inf = off < s->filesz ? s->filesz - off : 0;
		if (inf > n)
			inf = n;
		if (inf) {
			if (m->map) {
				memcpy(out, m->map + s->offset + off, inf);
			} else {
				ssize_t r = pread(m->fd, out, inf, (off_t)(s->offset + off));

				if (r < 0)
					return vq_mem_fail(m, -errno, "read %s at 0x%llx: %s", what,
							   (unsigned long long)cur, strerror(errno));
				if ((uint64_t)r != inf)
					return vq_mem_fail(m, -VQ_ENOTINDUMP,
							   "read %s at 0x%llx: file ends early (truncated dump)",
							   what, (unsigned long long)cur);
			}
		}
		if (n > inf)
			memset(out + inf, 0, n - inf);
		out += n;
		cur += n;
		left -= n;
	}
	return 0;
}

static int mem_fetch_read(void *m, uint64_t addr, void *buf, size_t len, const char *what)
{
	return vq_mem_read(m, addr, buf, len, what);
}

static const uint8_t *mem_fetch_ptr(void *ctx, uint64_t addr, size_t len)
{
	const struct vq_mem *m = ctx;

	/* A source with its own read may map something else. */
	return m->ops && m->ops->read ? NULL : vq_mem_ptr(m, addr, len);
}

struct vq_fetch vq_mem_fetch(struct vq_mem *m)
{
	return (struct vq_fetch){ .read = mem_fetch_read, .ctx = m, .ptr = mem_fetch_ptr };
}

/* Append [@start, @start + @len) to *@r (*@n of *@cap used), merged with
 * the last region when they touch.  0 or -ENOMEM. */
static int add_region(struct vq_scan_region **r, size_t *n, size_t *cap, uint64_t start,
		      uint64_t len)
{
	struct vq_scan_region *last = *n ? &(*r)[*n - 1] : NULL;

	if (last && start <= last->start + last->len) {
		if (start + len > last->start + last->len)
			last->len = start + len - last->start;
		return 0;
	}
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 16;
		struct vq_scan_region *p = realloc(*r, c * sizeof(*p));

		if (!p)
			return -ENOMEM;
		*r = p;
		*cap = c;
	}
	(*r)[(*n)++] = (struct vq_scan_region){ start, len };
	return 0;
}

/*
 * The bytes of segment @s the file holds, less its holes (lseek
 * SEEK_DATA/SEEK_HOLE) widened by VQ_REGIONS_MARGIN on each side, as
 * regions.  A file system without SEEK_DATA gives the whole segment.
 */
static int data_regions(const struct vq_mem *m, const struct vq_seg *s,
			struct vq_scan_region **r, size_t *n, size_t *cap)
{
	uint64_t off = s->offset, end = s->offset + s->filesz;

	while (off < end) {
		off_t d = lseek(m->fd, (off_t)off, SEEK_DATA), h;
		uint64_t lo, hi;

		if (d < 0 && errno == ENXIO)
			return 0; /* a hole to the end of the file */
		if (d < 0 || (h = lseek(m->fd, d, SEEK_HOLE)) < 0)
			return add_region(r, n, cap, s->paddr + (off - s->offset), end - off);
		if ((uint64_t)d >= end)
			return 0;
		lo = (uint64_t)d - s->offset;
		lo = lo > VQ_REGIONS_MARGIN ? lo - VQ_REGIONS_MARGIN : 0;
		hi = (uint64_t)h < end ? (uint64_t)h - s->offset + VQ_REGIONS_MARGIN : s->filesz;
		if (hi > s->filesz)
			hi = s->filesz;
		if (add_region(r, n, cap, s->paddr + lo, hi - lo))
			return -ENOMEM;
		off = (uint64_t)h;
	}
	return 0;
}

/* vq_mem_scan_regions for VQ_REGIONS_DATA. */
static int scan_data_regions(const struct vq_mem *m, struct vq_scan_region **out, size_t *n)
{
	size_t i, cap = 0;

	for (i = 0; i < m->nsegs; i++) {
		const struct vq_seg *s = &m->segs[i];
		int ret = 0;

		if (!s->filesz)
			continue;
		/* A source with its own read has no file offsets to ask about. */
		if ((m->ops && m->ops->read) || m->fd < 0)
			ret = add_region(out, n, &cap, s->paddr, s->filesz);
		else
			ret = data_regions(m, s, out, n, &cap);
		if (ret) {
			free(*out);
			*out = NULL;
			*n = 0;
			return ret;
		}
	}
	if (!*out)
		*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

int vq_mem_scan_regions(const struct vq_mem *m, enum vq_regions which,
			struct vq_scan_region **out, size_t *n)
{
	struct vq_scan_region *r = calloc(m->nsegs ? m->nsegs : 1, sizeof(*r));
	size_t i;

	*out = NULL;
	*n = 0;
	if (!r)
		return -ENOMEM;
	if (which == VQ_REGIONS_DATA) {
		free(r);
		return scan_data_regions(m, out, n);
	}
	for (i = 0; i < m->nsegs; i++) {
		const struct vq_seg *s = &m->segs[i];

		if (which == VQ_REGIONS_FILE) {
			if (s->filesz)
				r[(*n)++] = (struct vq_scan_region){ s->paddr, s->filesz };
		} else {
			r[(*n)++] = (struct vq_scan_region){ s->paddr, s->memsz };
		}
	}
	*out = r;
	return 0;
}

int vq_mem_scan(struct vq_mem *m, const struct vq_scan_opts *o, struct vq_scan_hit *hits,
		size_t max, size_t *nhits)
{
	const struct vq_fetch f = vq_mem_fetch(m);
	struct vq_scan_region *reg;
	size_t nreg;
	int ret;

	*nhits = 0;
	if (vq_mem_scan_regions(m, VQ_REGIONS_FILE, &reg, &nreg) < 0)
		return -ENOMEM;
	ret = vq_scan(&f, reg, nreg, o, hits, max, nhits);
	free(reg);
	return ret;
}
