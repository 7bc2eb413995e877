/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the ELF core accessor (vq_mem_elf), its segment table, labelled reads and note walk. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <gelf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "access/access.h"
#include "fuzzmem.h"

/*
 * The input is the core file, byte for byte (the seeds are real cores).
 * It is written to a memfd and opened twice:
 *
 *   /dev/fd/N       a regular file: the size is trusted, segments are
 *                   clamped to it, and the file is mapped (a QEMU dump);
 *   /proc/self/fd/N elfcore.c trusts the headers for paths under /proc/
 *                   (as for /proc/kcore) and reads with pread.
 *
 * Each open is checked against what vq_mem_finish_segments() promises,
 * and reads derived from the segments (starts, ends, ranges straddling
 * every boundary, the file/zero boundary inside a segment, addresses near
 * 2^64) and from the input's last 12 bytes are checked against a model:
 * the byte at an address is the file's byte for its segment, or zero past
 * the segment's file part.  When both opens end up with the same segment
 * table, the mapped and the pread paths return the same bytes.
 */

#define MAX_READ 16384
#define MAX_SEGS_CHECKED 4
#define MAX_RANGES 256

struct range {
	uint64_t addr; /* first byte */
	size_t len;    /* bytes, at most MAX_READ */
};

static int memfd = -1;
static uint8_t buf_a[MAX_READ], buf_b[MAX_READ], buf_c[MAX_READ];

static int input_to_memfd(const uint8_t *data, size_t size)
{
	if (memfd < 0) {
		memfd = memfd_create("vqdump-fuzz-core", MFD_CLOEXEC);
		if (memfd < 0) {
			perror("memfd_create");
			abort();
		}
	}
	if (ftruncate(memfd, 0) < 0 || (size && pwrite(memfd, data, size, 0) != (ssize_t)size)) {
		perror("write memfd");
		abort();
	}
	return memfd;
}

/* Whether the core @data has a PT_NOTE program header, read with libelf
 * apart from elfcore.c. */
FUZZ_HARNESS static int has_note_phdr(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1); /* libelf may convert in place */
	size_t i, phnum;
	int found = 0;
	GElf_Phdr ph;
	Elf *e;

	FUZZ_CHECK(copy);
	memcpy(copy, data, size);
	elf_version(EV_CURRENT);
	e = elf_memory(copy, size);
	if (e && !elf_getphdrnum(e, &phnum))
		for (i = 0; i < phnum && !found; i++)
			found = gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_NOTE;
	elf_end(e);
	free(copy);
	return found;
}

/* The promises of vq_mem_finish_segments(), plus that a mapping covers
 * every byte a segment says the file holds.  A core without memory
 * opens only for its notes (a snapshot that could save no ring). */
FUZZ_HARNESS static void check_segments(const struct vq_mem *m, const uint8_t *data, size_t size,
					int mapped_mode)
{
	size_t i;

	FUZZ_CHECK(m->segs || !m->nsegs);
	if (!m->nsegs)
		FUZZ_CHECK(has_note_phdr(data, size));
	for (i = 0; i < m->nsegs; i++) {
		const struct vq_seg *s = &m->segs[i];

		FUZZ_CHECK(s->memsz > 0);
		FUZZ_CHECK(s->filesz <= s->memsz);
		FUZZ_CHECK(s->memsz <= UINT64_MAX - s->paddr);
		if (i)
			FUZZ_CHECK(m->segs[i - 1].paddr + m->segs[i - 1].memsz <= s->paddr);
		if (mapped_mode && s->filesz)
			FUZZ_CHECK(s->offset <= size && s->filesz <= size - s->offset);
		if (m->map && s->filesz)
			FUZZ_CHECK(s->offset <= m->map_len && s->filesz <= m->map_len - s->offset);
	}
	if (m->map)
		FUZZ_CHECK(m->map_len == size);
}

/*
 * Compare @out, read at @addr, with the model: each byte is the file's
 * byte for the segment holding it, or zero past the segment's file part.
 * Returns 0 when the model has every byte, -1 when one is in no segment or
 * not in the file (then the read should have failed); traps on a byte
 * that differs.  Works a segment at a time, not a byte at a time.
 */
FUZZ_HARNESS static int model_check(const struct vq_mem *m, const uint8_t *data, size_t size,
				    uint64_t addr, const uint8_t *out, size_t len)
{
	size_t done = 0, i, k;

	while (done < len) {
		uint64_t a = addr + done, off, n;
		const struct vq_seg *s;
		size_t lo = 0, hi = m->nsegs;

		/* The last segment starting at or below @a (the table is
		 * sorted: check_segments() said so). */
		while (lo < hi) {
			i = lo + (hi - lo) / 2;
			if (m->segs[i].paddr <= a)
				lo = i + 1;
			else
				hi = i;
		}
		if (!lo)
			return -1;
		s = &m->segs[lo - 1];
		if (a - s->paddr >= s->memsz)
			return -1;
		off = a - s->paddr;
		n = s->memsz - off < len - done ? s->memsz - off : len - done;
		if (off < s->filesz) {
			uint64_t inf = s->filesz - off < n ? s->filesz - off : n;

			/* A file offset that wraps past 2^64, or lies past the
			 * end, is no byte of the file. */
			if (s->offset + off < s->offset || s->offset + off > size ||
			    inf > size - (s->offset + off))
				return -1;
			if (out)
				FUZZ_CHECK(!memcmp(out + done, data + s->offset + off, inf));
			done += inf;
			n -= inf;
		}
		if (out)
			for (k = 0; k < n; k++)
				FUZZ_CHECK(out[done + k] == 0);
		done += n;
	}
	return 0;
}

FUZZ_HARNESS static void add(struct range *r, size_t *n, uint64_t addr, uint64_t len)
{
	if (*n >= MAX_RANGES)
		return;
	if (len > MAX_READ)
		len = MAX_READ;
	r[(*n)++] = (struct range){addr, (size_t)len};
}

/* Ranges worth reading: at and across every boundary of the first and
 * the last few segments, whole segments for the first two (a fixture
 * core has hundreds of segments; reading around all of them would only
 * slow the fuzzer down). */
FUZZ_HARNESS static size_t make_ranges(const struct vq_mem *m, const uint8_t *data, size_t size,
				       struct range *r)
{
	size_t i, n = 0;

	for (i = 0; i < m->nsegs; i++) {
		const struct vq_seg *s;
		uint64_t end;

		/* The first MAX_SEGS_CHECKED, then the last as many. */
		if (i == MAX_SEGS_CHECKED && m->nsegs > 2 * MAX_SEGS_CHECKED)
			i = m->nsegs - MAX_SEGS_CHECKED;
		s = &m->segs[i];
		end = s->paddr + s->memsz;

		add(r, &n, s->paddr, 1);
		add(r, &n, s->paddr - 1, 2);
		add(r, &n, end - 1, 1);
		add(r, &n, end - 1, 2);
		add(r, &n, end - 16, 32);
		add(r, &n, s->paddr + s->filesz - 1, 2);
		add(r, &n, s->paddr + s->filesz, 1);
		add(r, &n, s->paddr + s->memsz / 2, 16);
		if (i < 2)
			add(r, &n, s->paddr, s->memsz);
		/* Across into the next segment, adjacent or not. */
		if (i + 1 < m->nsegs)
			add(r, &n, end - 8, m->segs[i + 1].paddr - end + 16);
	}
	add(r, &n, 0, 16);
	add(r, &n, UINT64_MAX, 1);
	add(r, &n, UINT64_MAX - 15, 16);
	add(r, &n, UINT64_MAX - 15, 17); /* wraps: must be refused */
	add(r, &n, 0x1000, 0);
	/* The input's tail as one more range, for the fuzzer to steer. */
	if (size >= 12)
		add(r, &n, fuzz_le(data + size - 12, 8),
		    fuzz_le(data + size - 4, 4) % (MAX_READ + 1));
	return n;
}

/* Read @r through @m and check it against the model; returns the read's
 * result. */
FUZZ_HARNESS static int check_read(struct vq_mem *m, const struct range *r, const uint8_t *data,
				   size_t size, uint8_t *out)
{
	int ret;
	const uint8_t *p;

	m->err[0] = 0;
	ret = vq_mem_read(m, r->addr, out, r->len, "fuzzed range");
	if (ret < 0) {
		/* A failure says why, naming what was read. */
		FUZZ_CHECK(m->err[0] && memchr(m->err, 0, sizeof(m->err)));
		FUZZ_CHECK(strstr(m->err, "fuzzed range") != NULL);
		/* Some byte must really be missing. */
		if (ret == -VQ_ENOTINDUMP && r->len && r->addr + r->len - 1 >= r->addr)
			FUZZ_CHECK(model_check(m, data, size, r->addr, NULL, r->len) < 0);
		FUZZ_CHECK(!vq_mem_ptr(m, r->addr, r->len) || !r->len);
		return ret;
	}
	FUZZ_CHECK(ret == 0);
	FUZZ_CHECK(!r->len || r->addr + r->len - 1 >= r->addr);
	FUZZ_CHECK(model_check(m, data, size, r->addr, out, r->len) == 0);
	p = vq_mem_ptr(m, r->addr, r->len);
	if (p) {
		FUZZ_CHECK(m->map && p >= m->map && p + r->len <= m->map + m->map_len);
		FUZZ_CHECK(!memcmp(p, out, r->len));
	}
	return 0;
}

/* Split reads agree with whole ones: all bytes present in both halves
 * iff in the whole. */
FUZZ_HARNESS static void check_split(struct vq_mem *m, const struct range *r, int whole)
{
	size_t h = r->len / 2;
	int a, b;

	if (r->len < 2 || r->addr + r->len - 1 < r->addr)
		return;
	a = vq_mem_read(m, r->addr, buf_b, h, "first half");
	b = vq_mem_read(m, r->addr + h, buf_b + h, r->len - h, "second half");
	FUZZ_CHECK((a == 0 && b == 0) == (whole == 0));
	if (!whole)
		FUZZ_CHECK(!memcmp(buf_a, buf_b, r->len));
}

/* One PT_LOAD as the file states it. */
struct load {
	uint64_t paddr;	 /* p_paddr */
	uint64_t filesz; /* p_filesz */
	uint64_t memsz;	 /* p_memsz */
	uint64_t offset; /* p_offset */
	uint64_t vaddr;	 /* p_vaddr */
};

/* The PT_LOADs of a little-endian ELF32 or ELF64 file, straight from its
 * bytes (independent of libelf); returns how many, or 0 when there are
 * more than @max (then overlaps could not all be seen). */
FUZZ_HARNESS static size_t parse_loads(const uint8_t *d, size_t size, struct load *out, size_t max)
{
	int is64;
	uint64_t phoff, entsz, ph;
	size_t phnum, i, n = 0;

	if (size < 52 || d[0] != 0x7f || d[1] != 'E' || d[2] != 'L' || d[3] != 'F' || d[5] != 1 ||
	    (d[4] != 1 && d[4] != 2))
		return 0;
	is64 = d[4] == 2;
	if (is64 && size < 64)
		return 0;
	phoff = is64 ? fuzz_le(d + 32, 8) : fuzz_le(d + 28, 4);
	entsz = is64 ? 56 : 32;
	phnum = fuzz_le(d + (is64 ? 56 : 44), 2);
	if (phnum == 0xffff) /* PN_XNUM: the count is elsewhere */
		return 0;
	for (i = 0; i < phnum; i++) {
		if (phoff > size || (i + 1) * entsz > size - phoff)
			break;
		ph = phoff + i * entsz;
		if (fuzz_le(d + ph, 4) != 1 /* PT_LOAD */)
			continue;
		if (n == max)
			return 0;
		if (is64)
			out[n++] = (struct load){fuzz_le(d + ph + 24, 8), fuzz_le(d + ph + 32, 8),
						 fuzz_le(d + ph + 40, 8), fuzz_le(d + ph + 8, 8),
						 fuzz_le(d + ph + 16, 8)};
		else
			out[n++] = (struct load){fuzz_le(d + ph + 12, 4), fuzz_le(d + ph + 16, 4),
						 fuzz_le(d + ph + 20, 4), fuzz_le(d + ph + 4, 4),
						 fuzz_le(d + ph + 8, 4)};
	}
	return n;
}

/*
 * A PT_LOAD that needs no byte of the file (p_filesz 0) and overlaps no
 * other PT_LOAD is memory that reads as zeros, in every open, wherever
 * its p_offset points.
 */
FUZZ_HARNESS static void check_zero_loads(struct vq_mem *m, const uint8_t *data, size_t size)
{
	static struct load loads[1024];
	size_t n = parse_loads(data, size, loads, 1024), i, j;

	/* In a kernel vmcore, zero fill is what a filter left out (elfcore.c). */
	if (vq_mem_has_note(m, "VMCOREINFO"))
		return;
	for (i = 0; i < n; i++) {
		const struct load *z = &loads[i];
		size_t len = z->memsz < 64 ? (size_t)z->memsz : 64;
		int alone = 1;

		if (z->filesz || !z->memsz || z->memsz > UINT64_MAX - z->paddr)
			continue;
		/* p_paddr all ones marks "no physical address" (kcore). */
		if (z->paddr == UINT64_MAX || (data[4] == 1 && z->paddr == 0xffffffffu))
			continue;
		for (j = 0; j < n && alone; j++) {
			const struct load *o = &loads[j];
			uint64_t oend = o->memsz > o->filesz ? o->memsz : o->filesz;

			if (j == i || !oend)
				continue;
			if (o->paddr < z->paddr + z->memsz &&
			    (oend > UINT64_MAX - o->paddr || o->paddr + oend > z->paddr))
				alone = 0;
		}
		if (!alone)
			continue;
		FUZZ_CHECK(vq_mem_read(m, z->paddr, buf_c, len, "zero-fill segment") == 0);
		for (j = 0; j < len; j++)
			FUZZ_CHECK(buf_c[j] == 0);
	}
}

/* Whether table segment @s is a piece of PT_LOAD @l as the header states
 * it: same address-to-offset relation, inside the header's extent, file
 * bytes only where the header puts file bytes, zeros only where it says
 * zero fill, and its virtual address (when it has one) moved as far as
 * its physical one (kvq.c's map). */
FUZZ_HARNESS static int piece_of(const struct vq_seg *s, const struct load *l)
{
	uint64_t d = s->paddr - l->paddr;
	uint64_t ext = l->memsz > l->filesz ? l->memsz : l->filesz;

	if (s->paddr < l->paddr || d >= ext || s->memsz > ext - d)
		return 0;
	if (s->filesz && s->offset != l->offset + d)
		return 0;
	if (s->vaddr != (s->has_vaddr ? l->vaddr + d : 0))
		return 0;
	if (s->filesz > (d < l->filesz ? l->filesz - d : 0))
		return 0;
	/* The zero part, [filesz, memsz), must lie past p_filesz. */
	return s->memsz == s->filesz || (d < l->filesz ? l->filesz - d : 0) <= s->filesz;
}

/*
 * Every segment of the table comes from a PT_LOAD, cut down but never
 * made up: in particular a byte the header puts in the file is never shown
 * as zero ("missing, not zero", mem.c).  Quadratic, so only for small
 * tables.
 */
FUZZ_HARNESS static void check_table_vs_loads(const struct vq_mem *m, const uint8_t *data,
					      size_t size)
{
	static struct load loads[64];
	size_t n = parse_loads(data, size, loads, 64), i, j;

	if (!n || m->nsegs > 64)
		return;
	for (i = 0; i < m->nsegs; i++) {
		/* A source has virtual addresses, or none (0 in all). */
		FUZZ_CHECK(m->segs[i].has_vaddr == m->segs[0].has_vaddr);
		for (j = 0; j < n; j++)
			if (piece_of(&m->segs[i], &loads[j]))
				break;
		FUZZ_CHECK(j < n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct range ranges[MAX_RANGES];
	struct vq_mem mm, mp;
	char path[64];
	int fd, rm, rp;
	size_t n, i;

	fd = input_to_memfd(data, size);

	snprintf(path, sizeof(path), "/dev/fd/%d", fd);
	rm = vq_mem_open(&mm, &vq_mem_elf, path);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rp = vq_mem_open(&mp, &vq_mem_elf, path);
	if (rm < 0) {
		FUZZ_CHECK(mm.err[0] && memchr(mm.err, 0, sizeof(mm.err)));
		/* A failed open leaves nothing behind. */
		FUZZ_CHECK(!mm.segs && !mm.map && !mm.path && mm.fd == -1);
	}
	if (rp < 0) {
		FUZZ_CHECK(mp.err[0] && memchr(mp.err, 0, sizeof(mp.err)));
		FUZZ_CHECK(!mp.segs && !mp.map && !mp.path && mp.fd == -1);
	}
	/* Both see the same headers: the mapped open only refuses more
	 * (truncation), never less. */
	if (rm == 0)
		FUZZ_CHECK(rp == 0);

	/* The note walk (diagnose's "is this a QEMU dump") answers 0 or 1,
	 * the same for both opens of the same bytes. */
	if (rm == 0 || rp == 0) {
		int q = rm == 0 ? vq_mem_qemu_dump(&mm) : vq_mem_qemu_dump(&mp);

		FUZZ_CHECK(q == 0 || q == 1);
		if (rm == 0 && rp == 0)
			FUZZ_CHECK(vq_mem_qemu_dump(&mp) == q);
	}
	if (rm == 0) {
		/* With no truncation the two opens describe the same memory
		 * (otherwise a truncated segment's claim may hide or reveal
		 * another in one open only, and each is checked on its own). */
		int same = rp == 0 && mm.nsegs == mp.nsegs &&
			   !memcmp(mm.segs, mp.segs, mm.nsegs * sizeof(*mm.segs));

		check_segments(&mm, data, size, 1);
		n = make_ranges(&mm, data, size, ranges);
		for (i = 0; i < n; i++) {
			int w = check_read(&mm, &ranges[i], data, size, buf_a);

			check_split(&mm, &ranges[i], w);
			/* The mapped and the pread path read the same bytes. */
			if (same) {
				int w2 =
				    vq_mem_read(&mp, ranges[i].addr, buf_c, ranges[i].len, "x");

				FUZZ_CHECK(w2 == w);
				if (!w)
					FUZZ_CHECK(!memcmp(buf_a, buf_c, ranges[i].len));
			}
		}
		check_zero_loads(&mm, data, size);
		check_table_vs_loads(&mm, data, size);
		vq_mem_close(&mm);
		FUZZ_CHECK(!mm.segs && !mm.map && mm.fd == -1);
	}
	if (rp == 0) {
		check_segments(&mp, data, size, 0);
		FUZZ_CHECK(!mp.map);
		n = make_ranges(&mp, data, size, ranges);
		for (i = 0; i < n; i++)
			check_split(&mp, &ranges[i],
				    check_read(&mp, &ranges[i], data, size, buf_a));
		check_zero_loads(&mp, data, size);
		check_table_vs_loads(&mp, data, size);
		vq_mem_close(&mp);
	}
	return 0;
}
