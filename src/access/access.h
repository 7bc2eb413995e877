/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Memory accessors: the one interface through which vqdump reaches guest-physical memory. */
#ifndef VQDUMP_ACCESS_H
#define VQDUMP_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "../decode/fetch.h"
#include "../decode/scan.h"

/*
 * Every accessor describes its source as a set of guest-physical ranges
 * ("segments") and, for each, where the bytes live: in a mapping of the
 * file, or at a file offset read with pread() when the file cannot be
 * mapped (/proc/kcore).  Segments are kept sorted and non-overlapping so a
 * lookup is a binary search.
 */

/* The outcome "the address is not in this source", distinct from I/O
 * errors so that callers can say so and name the address. */
#define VQ_ENOTINDUMP EFAULT
/* The outcome "the source's argument is wrong" (a --raw FILE@BASE without
 * a base, or whose range runs past 2^64): the user's mistake, not the
 * source's, so that the command line can call it a usage error. */
#define VQ_EBADARG EDOM

struct vq_seg {
	uint64_t paddr;   /* first guest-physical address of the segment */
	uint64_t filesz;  /* bytes the file holds for it, from paddr on */
	uint64_t memsz;   /* bytes it covers; past filesz they read as zero */
	uint64_t offset;  /* file offset of paddr */
	uint64_t vaddr;   /* virtual address of paddr (the file's p_vaddr), when @has_vaddr */
	/* 1 in every segment of an ELF core with some non-zero p_vaddr; in
	 * /proc/kcore that is where the kernel maps RAM (direct map, kernel
	 * text): access/kvq.c's map.  0 for raw, /dev/mem and dumps whose
	 * p_vaddr are all 0 (QEMU's without paging). */
	int has_vaddr;
};

struct vq_mem;

/* Bytes of one note segment, for vq_mem_ops.note_segments. */
typedef int (*vq_mem_notes_fn)(void *arg, const uint8_t *notes, size_t len, int msb);

/* The most bytes of one note segment read (a vqdump snapshot's note fits),
 * and of all of a source's note segments together. */
#define VQ_MEM_NOTE_SEG_MAX ((64u << 20) + 4096)
#define VQ_MEM_NOTES_MAX (2ull * VQ_MEM_NOTE_SEG_MAX)

/* One access method, in the manner of pciutils' struct pci_methods. */
struct vq_mem_ops {
	const char *name;  /* as given to --help and error messages */
	const char *help;  /* one line: what the source is and what it needs */
	/* Open @arg (a path, or "path@base" for raw); fill m->segs.  Returns 0
	 * or a negative errno value with m->err set. */
	int (*open)(struct vq_mem *m, const char *arg);
	/* Release what open() took beyond the generic fields. */
	void (*close)(struct vq_mem *m);
	/* Optional: read without the segment table (0 or -errno, m->err set);
	 * for sources that cannot be read with pread or one mapping. */
	int (*read)(struct vq_mem *m, uint64_t addr, void *buf, size_t len, const char *what);
	/*
	 * Optional, for sources that carry ELF notes: call @fn with the bytes
	 * of each note segment in turn (@msb: big-endian notes) until it
	 * returns non-zero; segments too large to be anyone's notes are
	 * skipped, and the work is bounded (VQ_MEM_NOTES_MAX).  Returns what
	 * @fn returned last, 0 when there were no (more) segments, or -errno
	 * with m->err set.
	 */
	int (*note_segments)(struct vq_mem *m, vq_mem_notes_fn fn, void *arg);
	/*
	 * Optional, for sources that are files: 1 when a file whose first
	 * bytes are @head (@len of them, fewer for a short file) is this
	 * method's to read.  --core FILE opens the first method in
	 * vq_mem_methods[] that says so.
	 */
	int (*probe)(const uint8_t *head, size_t len);
};

struct vq_mem {
	const struct vq_mem_ops *ops; /* the access method in use */
	char *path;                   /* file the bytes come from */
	int fd;                       /* open file, or -1 */
	const uint8_t *map;           /* whole file mapped read-only, or NULL */
	uint64_t map_len;             /* length of @map */
	struct vq_seg *segs;          /* sorted by paddr, non-overlapping */
	size_t nsegs;                 /* entries in @segs */
	char err[1024];               /* last failure, as a one-line reason */
	const char *where;            /* what "not in ..." names: "the dump" unless set */
	void *priv;                   /* method-private state */
	uint64_t claimed;             /* bytes of memory the headers describe (sum of memsz) */
	uint64_t missing;             /* of them, bytes the headers put in the file but it lacks */
	struct vq_scan_region *lost;  /* the ranges of @missing, for "not in the dump" reasons */
	size_t nlost;                 /* entries in @lost */
	/* Ranges of RAM a filter left out (makedumpfile -d N): reads there
	 * fail as "not in the dump (filtered)", never as zeroes. */
	struct vq_scan_region *filtered;
	size_t nfiltered;             /* entries in @filtered */
	unsigned machine;             /* ELF e_machine of a core (EM_X86_64...), 0: not said */
};

/* The registered methods, in probe order; NULL-terminated. */
extern const struct vq_mem_ops *const vq_mem_methods[];
extern const struct vq_mem_ops vq_mem_elf;
extern const struct vq_mem_ops vq_mem_kdump; /* kdump.c: libkdumpfile */
extern const struct vq_mem_ops vq_mem_raw;
extern const struct vq_mem_ops vq_mem_devmem;
extern const struct vq_mem_ops vq_mem_devmem_any;
extern const struct vq_mem_ops vq_mem_overlay;
extern const struct vq_mem_ops vq_mem_qemu; /* --qemu: qemumem.c */

/* One step of the live probe order: a method, what it opens, and
 * optionally a second source read where the first lacks an address. */
struct vq_mem_probe {
	const struct vq_mem_ops *ops;   /* method tried */
	const char *arg;                /* what it opens */
	const struct vq_mem_ops *under; /* fallback method, or NULL */
	const char *under_arg;          /* what the fallback opens */
};

/* The live system's sources in probe order, ended by a NULL @ops. */
extern const struct vq_mem_probe vq_mem_live_probe[];

/* Open @arg with method @ops.  Returns 0 or a negative errno; on failure
 * m->err says why. */
int vq_mem_open(struct vq_mem *m, const struct vq_mem_ops *ops, const char *arg);

/* Open the file @path with the first method of vq_mem_methods[] whose
 * probe() takes it; when none does (or the file cannot be read), with the
 * first method that has a probe(), whose reason then says what is wrong.
 * Returns 0 or a negative errno with m->err set. */
int vq_mem_open_file(struct vq_mem *m, const char *path);
void vq_mem_close(struct vq_mem *m);

/* Open the live system's memory: the first of vq_mem_live_probe that
 * opens (with its fallback under it when that opens too).  Returns 0 or a
 * negative errno with m->err naming every method's reason. */
int vq_mem_open_live(struct vq_mem *m);

/*
 * Make @m a source that reads @top and, for addresses @top does not hold,
 * @under.  Its segments and reasons are @top's.  Both are moved into @m
 * on success (close only @m); on failure (-ENOMEM, m->err set) they stay
 * the caller's.
 */
int vq_mem_open_overlay(struct vq_mem *m, struct vq_mem *top, struct vq_mem *under);

/*
 * Read @len bytes at guest-physical @addr, crash-style: @what names what is
 * being read ("descriptor table") and appears in m->err on failure.
 * Returns 0, -VQ_ENOTINDUMP when some byte of the range is not in the
 * source, or another negative errno.
 */
int vq_mem_read(struct vq_mem *m, uint64_t addr, void *buf, size_t len, const char *what);

/* Every note segment of @m through @fn (see vq_mem_ops.note_segments);
 * 0 at once for sources without notes. */
int vq_mem_note_segments(struct vq_mem *m, vq_mem_notes_fn fn, void *arg);

/* 1 when @m carries an ELF note owned by @owner ("QEMU"), 0 when not or
 * when it cannot tell (damaged notes). */
int vq_mem_has_note(struct vq_mem *m, const char *owner);

/* 1 when @m is QEMU dump-guest-memory output: QEMU writes a "QEMU" note
 * per CPU, and only it does.  QEMU stops the guest and drains its I/O
 * before dumping, so requests in flight there were held, not lost. */
int vq_mem_qemu_dump(struct vq_mem *m);

/* Direct pointer to @len bytes at @addr when they sit in one mapped
 * segment and in the file; NULL otherwise (then use vq_mem_read). */
const uint8_t *vq_mem_ptr(const struct vq_mem *m, uint64_t addr, size_t len);

/* The decoders' fetch callback reading through @m (failures say why in
 * m->err); @m must outlive it. */
struct vq_fetch vq_mem_fetch(struct vq_mem *m);

/* Which bytes of a source vq_mem_scan_regions() gives. */
enum vq_regions {
	VQ_REGIONS_ALL,  /* every segment whole, zero fill included */
	VQ_REGIONS_FILE, /* only the bytes the file holds (no zero fill) */
	VQ_REGIONS_DATA, /* as FILE, less the file's holes (SEEK_HOLE) but for
			  * VQ_REGIONS_MARGIN bytes on each side of data */
};

/* Bytes of a hole kept on each side of the data around it: an object
 * that starts in data and ends in a hole, or starts in a hole and has
 * its first non-zero byte in data, is still in one region.  Only for
 * searches whose every record has a non-zero byte within this much of
 * its start (the kernel records of decode/kimage.h, kvqsearch.h). */
#define VQ_REGIONS_MARGIN (128u << 10)

/* @m's segments as regions to scan, in address order, in a new array
 * (*@out, free() it; *@n entries).  Returns 0 or -ENOMEM. */
int vq_mem_scan_regions(const struct vq_mem *m, enum vq_regions which,
			struct vq_scan_region **out, size_t *n);

/* Find split rings in @m (decode/scan.h): descriptor tables are looked
 * for only in the bytes the file holds (VQ_REGIONS_FILE; a ring starts
 * with a written descriptor, which zero fill cannot hold), so the work
 * grows with the file, not with what its headers claim; the rings' other
 * parts are read wherever they are.  Up to @max hits in @hits, *@nhits of
 * them.  Returns 1 when there were more than @max, 0 when not, or
 * -ENOMEM. */
int vq_mem_scan(struct vq_mem *m, const struct vq_scan_opts *o, struct vq_scan_hit *hits,
		size_t max, size_t *nhits);

/* Bytes of @m that are zero fill (ELF p_memsz past p_filesz): not in the
 * file, read as zeroes, never searched. */
uint64_t vq_mem_zero_fill(const struct vq_mem *m);

/* When @m's headers promise bytes its file lacks (a truncated copy):
 * 1, with "truncated: N of M MiB of memory missing" in @buf; else 0. */
int vq_mem_truncation(const struct vq_mem *m, char *buf, size_t len);

/* Helpers for methods: sort and clip overlapping segments (the first in
 * address order wins; a clipped segment's vaddr moves with its paddr),
 * drop empty ones, clamp filesz to what the file holds (what it lacks is
 * counted in m->missing and kept in m->lost, not read as zeroes).
 * Returns 0 or -errno. */
int vq_mem_finish_segments(struct vq_mem *m, uint64_t file_size);

/* Map the whole file read-only when possible; pread is used otherwise. */
void vq_mem_try_map(struct vq_mem *m, uint64_t file_size);

/* Remember [@paddr, +@len) as RAM a filter left out of the dump (see
 * vq_mem.filtered).  0 or -ENOMEM with m->err set. */
int vq_mem_add_filtered(struct vq_mem *m, uint64_t paddr, uint64_t len);

/* Bytes of RAM a filter left out of @m (vq_mem.filtered): not searched,
 * not read. */
uint64_t vq_mem_filtered(const struct vq_mem *m);

/* What "not in the dump" at @addr adds: " (truncated file)", " (filtered)"
 * or "". */
const char *vq_mem_why_not_in(const struct vq_mem *m, uint64_t addr);

/* printf into m->err; returns @err unchanged for "return vq_mem_fail()". */
int vq_mem_fail(struct vq_mem *m, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
