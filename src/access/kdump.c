/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kdump-compressed accessor: makedumpfile -c/-l/-p output and QEMU's kdump-zlib/lzo/snappy, read through libkdumpfile. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libkdumpfile/kdumpfile.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../decode/elfnote.h"
#include "../decode/kdumpfmt.h"
#include "access.h"

/* Runs of pages a dump may describe: makedumpfile -d 31 of a large guest
 * leaves holes in many places, but not in more than this. */
#define KD_MAX_RUNS (1u << 22)

/* What open() keeps beside the generic fields. */
struct kd {
	kdump_ctx_t *ctx;        /* libkdumpfile's context over m->fd */
	unsigned shift;          /* page shift */
	struct vq_kdump_hdr hdr; /* where the notes are; note_size 0 when unknown */
	/* Pages the bitmap holds whose data lies past the end of a truncated
	 * copy (libkdumpfile may read a short last page as zeros). */
	struct vq_kdump_run *cut;
	size_t ncut;             /* entries in @cut */
	size_t cut_room;         /* room in @cut */
	unsigned cache_gen;      /* 0/1: the cache was made anew after a failed read */
};

/* kdump_bmp_find_set/find_clear in the shape decode/kdumpfmt.c asks for. */
static int bmp_find(void *bmp, int set, uint64_t *idx)
{
	kdump_addr_t i = *idx;
	kdump_status st = set ? kdump_bmp_find_set(bmp, &i) : kdump_bmp_find_clear(bmp, &i);

	if (st == KDUMP_ERR_NODATA)
		return 1;
	if (st != KDUMP_OK)
		return -1;
	*idx = i;
	return 0;
}

/* The file's first bytes and its size: 0 with k->hdr filled, or -EINVAL
 * with m->err naming what it is instead (the flattened format, with the
 * command that reassembles it) or what is wrong with it. */
static int check_head(struct vq_mem *m, const char *arg, struct kd *k, uint64_t file_size)
{
	uint8_t head[VQ_KDUMP_HEAD_LEN];
	ssize_t n = pread(m->fd, head, sizeof(head), 0);
	char err[160];

	if (n < 0)
		return vq_mem_fail(m, -errno, "open core %s: %s", arg, strerror(errno));
	switch (vq_kdump_kind(head, (size_t)n)) {
	case VQ_KDUMP_COMPRESSED:
		break;
	case VQ_KDUMP_FLATTENED:
		return vq_mem_fail(m, -EINVAL,
				   "open core %s: makedumpfile's flattened format (makedumpfile -F, QEMU dump-guest-memory -z/-l/-s): reassemble it with 'makedumpfile -R OUT < %s'",
				   arg, arg);
	default:
		return vq_mem_fail(m, -EINVAL, "open core %s: not a kdump-compressed file", arg);
	}
	/* libkdumpfile is given only files whose fixed part is whole. */
	if (vq_kdump_header(head, (size_t)n, &k->hdr, err, sizeof(err)) < 0 ||
	    vq_kdump_fits(&k->hdr, file_size, err, sizeof(err)) < 0)
		return vq_mem_fail(m, -EINVAL, "open core %s: kdump-compressed, %s", arg, err);
	return 0;
}

/* Where the notes are, from the sub header (left 0 when unreadable). */
static void read_sub_header(struct vq_mem *m, struct kd *k)
{
	uint8_t sub[VQ_KDUMP_SUB_LEN];

	if (pread(m->fd, sub, sizeof(sub), k->hdr.block_size) == (ssize_t)sizeof(sub))
		vq_kdump_sub_header(sub, sizeof(sub), &k->hdr);
}

/* A bitmap attribute of the dump, with a reference the caller drops. */
static kdump_bmp_t *get_bitmap(kdump_ctx_t *ctx, const char *key)
{
	kdump_attr_t a = { .type = KDUMP_BITMAP };

	if (kdump_get_typed_attr(ctx, key, &a) != KDUMP_OK || !a.val.bitmap)
		return NULL;
	kdump_bmp_incref(a.val.bitmap);
	return a.val.bitmap;
}

/* The runs of page map @key below @limit: 0, or -errno with m->err set. */
static int map_runs(struct vq_mem *m, const char *arg, struct kd *k, const char *key,
		    uint64_t limit, struct vq_kdump_run **runs, size_t *n)
{
	kdump_bmp_t *bmp = get_bitmap(k->ctx, key);
	int ret;

	*runs = NULL;
	*n = 0;
	if (!bmp)
		return vq_mem_fail(m, -EINVAL, "open core %s: libkdumpfile gives no %s (%s)", arg,
				   key, kdump_get_err(k->ctx));
	ret = vq_kdump_runs(bmp_find, bmp, limit, KD_MAX_RUNS, runs, n);
	kdump_bmp_decref(bmp);
	if (ret == -ENOMEM)
		return vq_mem_fail(m, ret, "open core %s: out of memory", arg);
	if (ret < 0)
		return vq_mem_fail(m, -EINVAL, "open core %s: its %s %s", arg, key,
				   ret == -E2BIG ? "has too many holes"
						 : "cannot be read (damaged file)");
	return 0;
}

/* The first page bitmap, read whole when it has at most this many bytes
 * (2^31 pages: 8 TiB of 4 KiB pages). */
#define KD_RAM_BITMAP_MAX (256u << 20)

/* The runs of the file's first page bitmap (RAM) below @limit.  It is
 * read here rather than through libkdumpfile's memory.pagemap, which
 * 0.5.1 never frees.  0 with none when the file has no such bitmap, or
 * -errno with m->err set. */
static int ram_runs(struct vq_mem *m, const char *arg, struct kd *k, uint64_t limit,
		    struct vq_kdump_run **runs, size_t *n)
{
	struct vq_kdump_bitmap bm;
	uint64_t off, len;
	uint8_t *bits;
	int ret;

	*runs = NULL;
	*n = 0;
	vq_kdump_ram_bitmap(&k->hdr, limit, &off, &len);
	if (!len || len > KD_RAM_BITMAP_MAX)
		return 0;
	bits = malloc((size_t)len);
	if (!bits)
		return vq_mem_fail(m, -ENOMEM, "open core %s: out of memory", arg);
	/* vq_kdump_fits() saw the bitmaps inside the file. */
	if (pread(m->fd, bits, (size_t)len, (off_t)off) != (ssize_t)len) {
		free(bits);
		return vq_mem_fail(m, -EIO, "open core %s: cannot read its page bitmap", arg);
	}
	bm = (struct vq_kdump_bitmap){ bits, 8 * len };
	ret = vq_kdump_runs(vq_kdump_bitmap_find, &bm, limit, KD_MAX_RUNS, runs, n);
	free(bits);
	if (ret == -ENOMEM)
		return vq_mem_fail(m, ret, "open core %s: out of memory", arg);
	if (ret < 0)
		return vq_mem_fail(m, -EINVAL, "open core %s: its page bitmap has too many holes",
				   arg);
	return 0;
}

/* RAM the first bitmap has and the file lacks, as m->filtered.  0 or
 * -errno with m->err set. */
static int load_filtered(struct vq_mem *m, const char *arg, struct kd *k, uint64_t limit,
			 const struct vq_kdump_run *held, size_t nheld)
{
	struct vq_kdump_run *ram, *gaps;
	size_t nram, ngaps, i;
	int ret = ram_runs(m, arg, k, limit, &ram, &nram);

	if (ret < 0)
		return ret;
	if (vq_kdump_gaps(ram, nram, held, nheld, &gaps, &ngaps) < 0)
		ret = vq_mem_fail(m, -ENOMEM, "open core %s: out of memory", arg);
	for (i = 0; !ret && i < ngaps; i++)
		ret = vq_mem_add_filtered(m, gaps[i].first << k->shift, gaps[i].count << k->shift);
	free(ram);
	free(gaps);
	return ret;
}

/* The pages the file holds as m->segs, one segment per run, and the RAM
 * it left out as m->filtered. */
static int load_segments(struct vq_mem *m, const char *arg, struct kd *k)
{
	struct vq_kdump_run *runs;
	kdump_num_t max_pfn = 0;
	size_t n, i;
	int ret;

	if (kdump_get_number_attr(k->ctx, "max_pfn", &max_pfn) != KDUMP_OK)
		return vq_mem_fail(m, -EINVAL, "open core %s: no highest page number (%s)", arg,
				   kdump_get_err(k->ctx));
	if (max_pfn > UINT64_MAX >> k->shift)
		max_pfn = UINT64_MAX >> k->shift;
	ret = map_runs(m, arg, k, KDUMP_ATTR_FILE_PAGEMAP, max_pfn, &runs, &n);
	if (ret < 0)
		return ret;
	m->segs = calloc(n ? n : 1, sizeof(*m->segs));
	if (!m->segs) {
		free(runs);
		return vq_mem_fail(m, -ENOMEM, "open core %s: out of memory", arg);
	}
	for (i = 0; i < n; i++)
		m->segs[i] = (struct vq_seg){
			.paddr = runs[i].first << k->shift,
			.filesz = runs[i].count << k->shift,
			.memsz = runs[i].count << k->shift,
		};
	m->nsegs = n;
	ret = load_filtered(m, arg, k, max_pfn, runs, n);
	free(runs);
	if (ret < 0)
		return ret;
	if (!n)
		return vq_mem_fail(m, -EINVAL, "open core %s: the dump holds no page", arg);
	return vq_mem_finish_segments(m, UINT64_MAX);
}

/*
 * Contexts whose open failed.  libkdumpfile 0.5.1 crashes in kdump_free()
 * after a failed kdump_open_fd() (seen with a header it calls invalid),
 * so such a context is kept here, still reachable, and never freed; the
 * few a process makes are bounded by the files it opens.
 */
static kdump_ctx_t *failed_ctx[16];

/* Pages libkdumpfile keeps decompressed (its default). */
#define KD_CACHE_PAGES 1024

/* libkdumpfile over m->fd and the page size. */
static int open_ctx(struct vq_mem *m, const char *arg, struct kd *k)
{
	kdump_num_t shift = 0;
	kdump_status st;
	size_t i;

	k->ctx = kdump_new();
	if (!k->ctx)
		return vq_mem_fail(m, -ENOMEM, "open core %s: out of memory", arg);
	/* pread, never mmap: a page past the end of a truncated copy would
	 * be SIGBUS in a mapping (seen: 'Bus error' on a dump cut short), and
	 * is a short read, KDUMP_ERR_EOF, with pread. */
	kdump_set_number_attr(k->ctx, KDUMP_ATTR_FILE_MMAP_POLICY, KDUMP_MMAP_NEVER);
	st = kdump_open_fd(k->ctx, m->fd);
	if (st != KDUMP_OK) {
		vq_mem_fail(m, -EINVAL, "open core %s: %s", arg, kdump_get_err(k->ctx));
		for (i = 0; i < sizeof(failed_ctx) / sizeof(failed_ctx[0]) && failed_ctx[i]; i++)
			;
		if (i < sizeof(failed_ctx) / sizeof(failed_ctx[0]))
			failed_ctx[i] = k->ctx;
		k->ctx = NULL;
		return -EINVAL;
	}
	/* The cache's size is set here so that read_pages() can make it
	 * anew (toggling the size by one) after a failed read. */
	if (kdump_set_number_attr(k->ctx, "cache.size", KD_CACHE_PAGES) != KDUMP_OK)
		return vq_mem_fail(m, -EINVAL, "open core %s: cannot size libkdumpfile's cache: %s",
				   arg, kdump_get_err(k->ctx));
	if (kdump_get_number_attr(k->ctx, KDUMP_ATTR_PAGE_SHIFT, &shift) != KDUMP_OK ||
	    shift < 9 || shift > 30)
		return vq_mem_fail(m, -EINVAL, "open core %s: no usable page size", arg);
	k->shift = (unsigned)shift;
	return 0;
}

static void count_missing(struct vq_mem *m, struct kd *k);

/* The dump's architecture as an ELF machine, as an ELF core says it (the
 * kernel's records are read for x86-64 only); 0 when libkdumpfile names
 * none or one not listed here. */
static void set_machine(struct vq_mem *m, struct kd *k)
{
	static const struct {
		const char *name;
		unsigned em;
	} arch[] = {
		{ KDUMP_ARCH_X86_64, EM_X86_64 }, { KDUMP_ARCH_IA32, EM_386 },
		{ KDUMP_ARCH_AARCH64, EM_AARCH64 }, { KDUMP_ARCH_ARM, EM_ARM },
		{ KDUMP_ARCH_PPC64, EM_PPC64 }, { KDUMP_ARCH_PPC, EM_PPC },
		{ KDUMP_ARCH_S390X, EM_S390 }, { KDUMP_ARCH_S390, EM_S390 },
		{ KDUMP_ARCH_MIPS, EM_MIPS }, { KDUMP_ARCH_IA64, EM_IA_64 },
		{ KDUMP_ARCH_ALPHA, EM_ALPHA },
	};
	const char *name = NULL;
	size_t i;

	if (kdump_get_string_attr(k->ctx, KDUMP_ATTR_ARCH_NAME, &name) != KDUMP_OK || !name)
		return;
	for (i = 0; i < sizeof(arch) / sizeof(arch[0]); i++)
		if (!strcmp(name, arch[i].name))
			m->machine = arch[i].em;
}

static int kd_open(struct vq_mem *m, const char *arg)
{
	struct stat st;
	struct kd *k;
	int ret;

	m->path = strdup(arg);
	k = calloc(1, sizeof(*k));
	m->priv = k;
	if (!m->path || !k)
		return vq_mem_fail(m, -ENOMEM, "open core %s: out of memory", arg);
	m->fd = open(arg, O_RDONLY | O_CLOEXEC);
	if (m->fd < 0)
		return vq_mem_fail(m, -errno, "open core %s: %s", arg, strerror(errno));
	if (fstat(m->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return vq_mem_fail(m, -EINVAL, "open core %s: not a regular file", arg);
	ret = check_head(m, arg, k, (uint64_t)st.st_size);
	if (!ret)
		ret = open_ctx(m, arg, k);
	if (!ret)
		ret = load_segments(m, arg, k);
	if (ret < 0)
		return ret;
	read_sub_header(m, k);
	set_machine(m, k);
	count_missing(m, k);
	return 0;
}

static void kd_close(struct vq_mem *m)
{
	struct kd *k = m->priv;

	if (!k)
		return;
	if (k->ctx)
		kdump_free(k->ctx);
	free(k->cut);
	free(k);
	m->priv = NULL;
}

/* struct page_desc (makedumpfile's IMPLEMENTATION): off_t offset,
 * unsigned int size, unsigned int flags, unsigned long long page_flags. */
#define PAGE_DESC_LEN 24

/* 1 when the data of the page at @addr, which the file's bitmap holds,
 * lies past the end of the file (a truncated copy): its descriptor is the
 * one of its rank among the held pages. */
static int page_past_end(struct vq_mem *m, struct kd *k, uint64_t addr)
{
	uint64_t rank = 0, desc, off, size, file_size;
	uint8_t d[PAGE_DESC_LEN];
	struct stat st;
	size_t i;
	int j;

	for (i = 0; i < m->nsegs && m->segs[i].paddr + m->segs[i].memsz <= addr; i++)
		rank += m->segs[i].memsz >> k->shift;
	if (i == m->nsegs || addr < m->segs[i].paddr || fstat(m->fd, &st) < 0)
		return 0;
	rank += (addr - m->segs[i].paddr) >> k->shift;
	file_size = (uint64_t)st.st_size;
	desc = (1 + (uint64_t)k->hdr.sub_hdr_size + k->hdr.bitmap_blocks) * k->hdr.block_size +
	       rank * PAGE_DESC_LEN;
	if (desc > file_size - PAGE_DESC_LEN || file_size < PAGE_DESC_LEN)
		return 1;
	if (pread(m->fd, d, sizeof(d), (off_t)desc) != (ssize_t)sizeof(d))
		return 0;
	for (j = 0, off = 0, size = 0; j < 8; j++)
		off = off << 8 | d[k->hdr.msb ? j : 7 - j];
	for (j = 0; j < 4; j++)
		size = size << 8 | d[8 + (k->hdr.msb ? j : 3 - j)];
	return off > file_size || size > file_size - off;
}

/* When the last page the bitmap holds has its data past the end of the
 * file (a truncated copy): count every such page into m->missing, of
 * m->claimed, for scan's "truncated" line.  Work in proportion to the
 * held pages only then. */
static void count_missing(struct vq_mem *m, struct kd *k)
{
	uint64_t held = 0, i, n;
	size_t s;

	for (s = 0; s < m->nsegs; s++)
		held += m->segs[s].memsz >> k->shift;
	m->claimed = held << k->shift;
	if (!m->nsegs ||
	    !page_past_end(m, k, m->segs[m->nsegs - 1].paddr + m->segs[m->nsegs - 1].memsz - 1))
		return;
	for (s = 0, n = 0; s < m->nsegs; s++)
		for (i = 0; i < m->segs[s].memsz >> k->shift; i++) {
			uint64_t pfn = (m->segs[s].paddr >> k->shift) + i;

			if (!page_past_end(m, k, pfn << k->shift))
				continue;
			n++;
			if (k->ncut && k->cut[k->ncut - 1].first + k->cut[k->ncut - 1].count == pfn) {
				k->cut[k->ncut - 1].count++;
				continue;
			}
			if (k->ncut == k->cut_room) {
				size_t room = k->cut_room ? 2 * k->cut_room : 16;
				struct vq_kdump_run *r = realloc(k->cut, room * sizeof(*r));

				if (!r)
					break;
				k->cut = r;
				k->cut_room = room;
			}
			k->cut[k->ncut++] = (struct vq_kdump_run){ pfn, 1 };
		}
	m->missing = n << k->shift;
}

/* The first address of [@addr, +@len) in a page cut off the file, or
 * @addr + @len when none is. */
static uint64_t first_cut(const struct kd *k, uint64_t addr, size_t len)
{
	uint64_t lo = addr >> k->shift, hi = (addr + len - 1) >> k->shift;
	size_t i;

	for (i = 0; i < k->ncut; i++) {
		uint64_t a = k->cut[i].first, b = a + k->cut[i].count - 1;

		if (a <= hi && b >= lo)
			return a > lo ? a << k->shift : addr;
	}
	return addr + len;
}

/* kdump_read one page at a time, so that a failed page is known and the
 * cache can be dropped right after it (below).  *got: the bytes read
 * before a failure. */
static kdump_status read_pages(struct kd *k, uint64_t addr, uint8_t *buf, size_t len, size_t *got)
{
	const uint64_t page = 1ull << k->shift;
	size_t done = 0;

	while (done < len) {
		uint64_t at = addr + done;
		size_t n = (size_t)(page - (at & (page - 1)));
		size_t one;
		kdump_status st;

		if (n > len - done)
			n = len - done;
		one = n;
		st = kdump_read(k->ctx, KDUMP_MACHPHYSADDR, at, buf + done, &one);
		if (st != KDUMP_OK) {
			/* A failed page can leave libkdumpfile 0.5.1's cache
			 * holding an entry with no data, which a later read
			 * copies from (a memmove from NULL, seen after
			 * KDUMP_ERR_CORRUPT pages of a makedumpfile -d 31
			 * file): a new cache drops it. */
			k->cache_gen ^= 1;
			kdump_set_number_attr(k->ctx, "cache.size", KD_CACHE_PAGES + k->cache_gen);
			*got = done + (one < n ? one : 0);
			return st;
		}
		done += n;
	}
	*got = done;
	return KDUMP_OK;
}

static int kd_read(struct vq_mem *m, uint64_t addr, void *buf, size_t len, const char *what)
{
	struct kd *k = m->priv;
	size_t got = len;
	kdump_status st;
	uint64_t at;

	if (!len)
		return 0;
	if (k->ncut && (at = first_cut(k, addr, len)) != addr + len)
		return vq_mem_fail(m, -VQ_ENOTINDUMP,
				   "read %s at 0x%llx: address 0x%llx not in %s (truncated file)", what,
				   (unsigned long long)addr, (unsigned long long)at,
				   m->where ? m->where : "the dump");
	st = read_pages(k, addr, buf, len, &got);
	if (st == KDUMP_OK)
		return 0;
	at = addr + (got < len ? got : 0);
	if (st == KDUMP_ERR_NODATA)
		return vq_mem_fail(m, -VQ_ENOTINDUMP,
				   "read %s at 0x%llx: address 0x%llx not in %s%s", what,
				   (unsigned long long)addr, (unsigned long long)at,
				   m->where ? m->where : "the dump", vq_mem_why_not_in(m, at));
	if (st == KDUMP_ERR_EOF || page_past_end(m, k, at))
		return vq_mem_fail(m, -VQ_ENOTINDUMP,
				   "read %s at 0x%llx: address 0x%llx not in %s (truncated file)", what,
				   (unsigned long long)addr, (unsigned long long)at,
				   m->where ? m->where : "the dump");
	return vq_mem_fail(m, -EIO,
			   "read %s at 0x%llx: %s%s", what, (unsigned long long)at,
			   kdump_get_err(k->ctx), " (damaged dump)");
}

/* 1 when the notes hold one owned by VMCOREINFO. */
static int has_vmcoreinfo(const uint8_t *notes, size_t len, int msb)
{
	struct vq_elf_note n;
	size_t off = 0;
	char err[160];

	while (vq_elf_note_next(notes, len, msb, &off, &n, err, sizeof(err)) > 0)
		if (vq_elf_note_owner_is(&n, "VMCOREINFO"))
			return 1;
	return 0;
}

static void put32(uint8_t *p, uint32_t v, int msb)
{
	int i;

	for (i = 0; i < 4; i++)
		p[msb ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

/* The VMCOREINFO text the sub header points at (header version 3 and
 * later; libkdumpfile reads it only when there are no notes), else what
 * libkdumpfile found; NULL when neither.  free() it. */
static char *vmcoreinfo_text(struct vq_mem *m, struct kd *k)
{
	uint64_t len = k->hdr.vmcoreinfo_size;
	char *text = NULL;

	if (len && len <= VQ_MEM_NOTE_SEG_MAX && k->hdr.vmcoreinfo_off <= (uint64_t)INT64_MAX - len) {
		text = calloc(1, (size_t)len + 1);
		if (text && pread(m->fd, text, (size_t)len, (off_t)k->hdr.vmcoreinfo_off) == (ssize_t)len)
			return text;
		free(text);
		text = NULL;
	}
	if (kdump_vmcoreinfo_raw(k->ctx, &text) != KDUMP_OK)
		return NULL;
	return text;
}

/* The dump's VMCOREINFO text as one ELF note segment to @fn, as an ELF
 * core carries it. */
static int vmcoreinfo_note(struct vq_mem *m, struct kd *k, vq_mem_notes_fn fn, void *arg)
{
	static const char owner[12] = "VMCOREINFO"; /* 11 bytes with the NUL, padded to 4 */
	char *text = vmcoreinfo_text(m, k);
	uint8_t *note;
	size_t tl, pad;
	int ret;

	if (!text)
		return 0;
	tl = strlen(text);
	pad = (tl + 3) & ~(size_t)3;
	if (tl > VQ_MEM_NOTE_SEG_MAX || !(note = calloc(1, 12 + sizeof(owner) + pad))) {
		free(text);
		return 0;
	}
	put32(note, 11, k->hdr.msb);
	put32(note + 4, (uint32_t)tl, k->hdr.msb);
	memcpy(note + 12, owner, sizeof(owner));
	memcpy(note + 12 + sizeof(owner), text, tl);
	free(text);
	ret = fn(arg, note, 12 + sizeof(owner) + pad, k->hdr.msb);
	free(note);
	return ret;
}

/* The notes the header points at (the crashed kernel's and, in QEMU's
 * dumps, QEMU's per-CPU notes), then VMCOREINFO when they lack it. */
static int kd_note_segments(struct vq_mem *m, vq_mem_notes_fn fn, void *arg)
{
	struct kd *k = m->priv;
	uint8_t *notes = NULL;
	int ret = 0, vmci = 0;
	size_t len = (size_t)k->hdr.note_size;

	if (len && len <= VQ_MEM_NOTE_SEG_MAX && k->hdr.note_off <= (uint64_t)INT64_MAX - len &&
	    (notes = malloc(len)) &&
	    pread(m->fd, notes, len, (off_t)k->hdr.note_off) == (ssize_t)len) {
		vmci = has_vmcoreinfo(notes, len, k->hdr.msb);
		ret = fn(arg, notes, len, k->hdr.msb);
	}
	free(notes);
	if (!ret && !vmci)
		ret = vmcoreinfo_note(m, k, fn, arg);
	return ret;
}

static int kd_probe(const uint8_t *head, size_t len)
{
	return vq_kdump_kind(head, len) != VQ_KDUMP_NONE;
}

const struct vq_mem_ops vq_mem_kdump = {
	.name = "kdump",
	.help = "kdump-compressed dump: makedumpfile -c/-l/-p, QEMU dump-guest-memory -z/-l/-s reassembled with makedumpfile -R",
	.open = kd_open,
	.close = kd_close,
	.read = kd_read,
	.note_segments = kd_note_segments,
	.probe = kd_probe,
};
