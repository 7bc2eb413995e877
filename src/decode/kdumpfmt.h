/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kdump dump formats: telling them apart by their first bytes, the header fields vqdump reads, pages to segments. */
#ifndef VQDUMP_DECODE_KDUMPFMT_H
#define VQDUMP_DECODE_KDUMPFMT_H

#include <stddef.h>
#include <stdint.h>

/* What the first bytes of a file say it is. */
enum vq_kdump_kind {
	VQ_KDUMP_NONE,       /* neither of the below */
	VQ_KDUMP_COMPRESSED, /* kdump-compressed ("KDUMP   ") or diskdump ("DISKDUMP") */
	VQ_KDUMP_FLATTENED,  /* makedumpfile's flattened stream ("makedumpfile" header) */
};

/* Bytes of the first block a caller should read for vq_kdump_kind() and
 * vq_kdump_header(). */
#define VQ_KDUMP_HEAD_LEN 512

enum vq_kdump_kind vq_kdump_kind(const uint8_t *head, size_t len);

/* What vqdump reads of a kdump-compressed file's headers (makedumpfile's
 * IMPLEMENTATION: struct disk_dump_header in the first block, then
 * struct kdump_sub_header in the next sub_hdr_size blocks, then the two
 * bitmaps in bitmap_blocks blocks).  Offsets and sizes are as the file
 * states them; vq_kdump_fits() checks the fixed part against its size. */
struct vq_kdump_hdr {
	int msb;                  /* the dumped machine is big-endian */
	int is64;                 /* ... and 64-bit (unsigned long, timeval) */
	int32_t version;          /* header_version */
	uint32_t block_size;      /* block_size */
	uint32_t sub_hdr_size;    /* sub_hdr_size, in blocks */
	uint32_t bitmap_blocks;   /* bitmap_blocks */
	uint64_t vmcoreinfo_off;  /* offset_vmcoreinfo (version >= 3), else 0 */
	uint64_t vmcoreinfo_size; /* size_vmcoreinfo, 0 when absent */
	uint64_t note_off;        /* offset_note (version >= 4), else 0 */
	uint64_t note_size;       /* size_note, 0 when absent */
};

/* The sub header's bytes vqdump reads (fields up to size_note, 64-bit). */
#define VQ_KDUMP_SUB_LEN 64

/*
 * Parse the main header (@head, @len bytes, at least VQ_KDUMP_HEAD_LEN for
 * success) into @h, finding the machine's word size and byte order from
 * which layout gives a block size that is a page size.  Returns 0, or
 * -EINVAL with @err saying what is wrong.
 */
int vq_kdump_header(const uint8_t *head, size_t len, struct vq_kdump_hdr *h, char *err,
		    size_t errlen);

/* 0 when the headers and bitmaps @h describes lie within @file_size
 * bytes; else -EINVAL with @err saying how far they reach. */
int vq_kdump_fits(const struct vq_kdump_hdr *h, uint64_t file_size, char *err, size_t errlen);

/* The sub header's fields (@sub, @len bytes) into @h, by h->version:
 * what an older header lacks stays 0, and so does all of it for a 32-bit
 * machine. */
void vq_kdump_sub_header(const uint8_t *sub, size_t len, struct vq_kdump_hdr *h);

/* A run of pages [first, first + count). */
struct vq_kdump_run {
	uint64_t first; /* first page frame number */
	uint64_t count; /* pages, > 0 */
};

/*
 * Page-map search, as libkdumpfile's kdump_bmp_find_set/find_clear do:
 * *@idx moved to the first index >= *@idx whose bit is @set.  Returns 0
 * when there is one, 1 when there is none, -1 on failure.
 */
typedef int (*vq_kdump_find_fn)(void *ctx, int set, uint64_t *idx);

/*
 * The runs of set bits below @limit of a page map, in order, into a new
 * array (*@out, free() it; *@n entries).  At most @max runs: a map that
 * has more is refused (-E2BIG), so that a hostile file gets bounded work.
 * Returns 0, -ENOMEM, -E2BIG, or -EIO when @find fails other than at the
 * end (then the map cannot be trusted).
 */
int vq_kdump_runs(vq_kdump_find_fn find, void *ctx, uint64_t limit, size_t max,
		  struct vq_kdump_run **out, size_t *n);

/* A page bitmap as the file stores it: bit i of the map is bit i % 8 of
 * byte i / 8 (makedumpfile's IMPLEMENTATION). */
struct vq_kdump_bitmap {
	const uint8_t *bits; /* the bytes */
	uint64_t nbits;      /* bits in the map; past them, every bit is clear */
};

/* vq_kdump_find_fn over a struct vq_kdump_bitmap (@ctx). */
int vq_kdump_bitmap_find(void *ctx, int set, uint64_t *idx);

/* The file offset and byte length of the first page bitmap (the RAM the
 * dump describes) of a dump whose highest page number is @max_pfn; 0 in
 * *@len when the bitmap blocks hold one bitmap only (then there is no
 * record of RAM apart from what the file holds). */
void vq_kdump_ram_bitmap(const struct vq_kdump_hdr *h, uint64_t max_pfn, uint64_t *off,
			 uint64_t *len);

/*
 * The pages of @ram (@nram runs) that are in none of @held (@nheld
 * runs), both sorted and non-overlapping as vq_kdump_runs() gives them:
 * the RAM a filter left out.  Into a new array (*@out, free() it; *@n
 * entries).  Returns 0 or -ENOMEM.
 */
int vq_kdump_gaps(const struct vq_kdump_run *ram, size_t nram, const struct vq_kdump_run *held,
		  size_t nheld, struct vq_kdump_run **out, size_t *n);

#endif
