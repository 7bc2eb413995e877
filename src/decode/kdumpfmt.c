/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kdump dump formats: telling them apart by their first bytes, the header fields vqdump reads, pages to segments. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kdumpfmt.h"

/* Signatures (makedumpfile's IMPLEMENTATION and diskdump_mod.h). */
#define SIG_KDUMP "KDUMP   "
#define SIG_DISKDUMP "DISKDUMP"
#define SIG_LEN 8
/* The flattened format starts with a 4096-byte header: the string
 * "makedumpfile" NUL-padded to 16 bytes, then a type and a version. */
#define SIG_FLAT "makedumpfile"
#define SIG_FLAT_LEN 16

/* struct disk_dump_header: the 8-byte signature, int header_version,
 * struct new_utsname (6 x 65 bytes), struct timeval (8-aligned on a
 * 64-bit machine, 4-aligned on a 32-bit one), then 32-bit fields:
 * status, block_size, sub_hdr_size, bitmap_blocks, max_mapnr... */
#define HDR_VERSION 8
#define HDR_STATUS_64 424
#define HDR_STATUS_32 412
#define HDR_BLOCK_SIZE 4 /* from status */
#define HDR_SUB_HDR_SIZE 8
#define HDR_BITMAP_BLOCKS 12
#define HDR_MAX_MAPNR 16
/* struct kdump_sub_header (64-bit): unsigned long phys_base; int
 * dump_level, split; unsigned long start_pfn, end_pfn; off_t
 * offset_vmcoreinfo; unsigned long size_vmcoreinfo (version >= 3); off_t
 * offset_note; unsigned long size_note (version >= 4). */
#define SUB_VMCOREINFO_OFF 32
#define SUB_VMCOREINFO_SIZE 40
#define SUB_NOTE_OFF 48
#define SUB_NOTE_SIZE 56

enum vq_kdump_kind vq_kdump_kind(const uint8_t *head, size_t len)
{
	if (len >= SIG_LEN &&
	    (!memcmp(head, SIG_KDUMP, SIG_LEN) || !memcmp(head, SIG_DISKDUMP, SIG_LEN)))
		return VQ_KDUMP_COMPRESSED;
	/* The NUL padding too: a text file starting "makedumpfile" is not one. */
	if (len >= SIG_FLAT_LEN && !memcmp(head, SIG_FLAT, sizeof(SIG_FLAT) - 1)) {
		size_t i;

		for (i = sizeof(SIG_FLAT) - 1; i < SIG_FLAT_LEN; i++)
			if (head[i])
				return VQ_KDUMP_NONE;
		return VQ_KDUMP_FLATTENED;
	}
	return VQ_KDUMP_NONE;
}

static uint64_t get(const uint8_t *p, unsigned n, int msb)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[msb ? i : n - 1 - i];
	return v;
}

/* @h from the layout (@is64, @msb): 1 when its block size is a page size
 * (a power of two from 512 bytes to 1 MiB), its bitmap covers max_mapnr
 * pages and its version is sane. */
static int try_layout(const uint8_t *head, int is64, int msb, struct vq_kdump_hdr *h)
{
	const uint8_t *f = head + (is64 ? HDR_STATUS_64 : HDR_STATUS_32);
	uint64_t max_mapnr = get(f + HDR_MAX_MAPNR, 4, msb);

	memset(h, 0, sizeof(*h));
	h->msb = msb;
	h->is64 = is64;
	h->version = (int32_t)get(head + HDR_VERSION, 4, msb);
	h->block_size = (uint32_t)get(f + HDR_BLOCK_SIZE, 4, msb);
	h->sub_hdr_size = (uint32_t)get(f + HDR_SUB_HDR_SIZE, 4, msb);
	h->bitmap_blocks = (uint32_t)get(f + HDR_BITMAP_BLOCKS, 4, msb);
	return h->block_size >= 512 && h->block_size <= (1u << 20) &&
	       !(h->block_size & (h->block_size - 1)) && h->version >= 1 && h->version < 1000 &&
	       8 * (uint64_t)h->bitmap_blocks * h->block_size >= max_mapnr;
}

int vq_kdump_header(const uint8_t *head, size_t len, struct vq_kdump_hdr *h, char *err,
		    size_t errlen)
{
	int i;

	if (len < VQ_KDUMP_HEAD_LEN || vq_kdump_kind(head, len) != VQ_KDUMP_COMPRESSED) {
		memset(h, 0, sizeof(*h));
		snprintf(err, errlen, "truncated: the header needs %d bytes, the file has %zu",
			 VQ_KDUMP_HEAD_LEN, len);
		return -EINVAL;
	}
	/* In libkdumpfile's order (32-bit first, little-endian first), so that
	 * both read a file the same way. */
	for (i = 0; i < 4; i++)
		if (try_layout(head, i >> 1, i & 1, h))
			return 0;
	memset(h, 0, sizeof(*h));
	snprintf(err, errlen, "damaged header: no block size that is a page size");
	return -EINVAL;
}

int vq_kdump_fits(const struct vq_kdump_hdr *h, uint64_t file_size, char *err, size_t errlen)
{
	uint64_t need = (1 + (uint64_t)h->sub_hdr_size + h->bitmap_blocks) * h->block_size;

	if (!h->bitmap_blocks) {
		snprintf(err, errlen, "damaged header: no page bitmap");
		return -EINVAL;
	}
	if (need > file_size) {
		snprintf(err, errlen,
			 "truncated: its headers and page bitmaps end at byte %llu, the file has %llu",
			 (unsigned long long)need, (unsigned long long)file_size);
		return -EINVAL;
	}
	return 0;
}

void vq_kdump_sub_header(const uint8_t *sub, size_t len, struct vq_kdump_hdr *h)
{
	if (!h->is64)
		return;
	if (h->version >= 3 && len >= SUB_VMCOREINFO_SIZE + 8) {
		h->vmcoreinfo_off = get(sub + SUB_VMCOREINFO_OFF, 8, h->msb);
		h->vmcoreinfo_size = get(sub + SUB_VMCOREINFO_SIZE, 8, h->msb);
	}
	if (h->version >= 4 && len >= SUB_NOTE_SIZE + 8) {
		h->note_off = get(sub + SUB_NOTE_OFF, 8, h->msb);
		h->note_size = get(sub + SUB_NOTE_SIZE, 8, h->msb);
	}
}

/* Append [@first, @end) to *@r (room doubling at powers of two). */
static int add_run(struct vq_kdump_run **r, size_t *n, uint64_t first, uint64_t end)
{
	if (!(*n & (*n - 1))) {
		struct vq_kdump_run *p = realloc(*r, (*n ? 2 * *n : 1) * sizeof(**r));

		if (!p)
			return -ENOMEM;
		*r = p;
	}
	(*r)[(*n)++] = (struct vq_kdump_run){ first, end - first };
	return 0;
}

int vq_kdump_runs(vq_kdump_find_fn find, void *ctx, uint64_t limit, size_t max,
		  struct vq_kdump_run **out, size_t *n)
{
	uint64_t pos = 0;
	int ret = 0;

	*out = NULL;
	*n = 0;
	while (pos < limit) {
		uint64_t start = pos, end;
		int f = find(ctx, 1, &start);

		if (f == 1 || (!f && start >= limit))
			break;
		/* A search that goes backwards would never end. */
		if (f < 0 || start < pos) {
			ret = -EIO;
			break;
		}
		end = start;
		f = find(ctx, 0, &end);
		if (f == 1 || (!f && end > limit))
			end = limit;
		else if (f < 0 || end <= start) {
			ret = -EIO;
			break;
		}
		if (*n == max) {
			ret = -E2BIG;
			break;
		}
		ret = add_run(out, n, start, end);
		if (ret < 0)
			break;
		pos = end;
	}
	if (ret < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return ret;
}

int vq_kdump_gaps(const struct vq_kdump_run *ram, size_t nram, const struct vq_kdump_run *held,
		  size_t nheld, struct vq_kdump_run **out, size_t *n)
{
	size_t i, j = 0;

	*out = NULL;
	*n = 0;
	for (i = 0; i < nram; i++) {
		uint64_t pos = ram[i].first, end = ram[i].first + ram[i].count;

		/* Held runs that end before this RAM run are behind us. */
		while (j < nheld && held[j].first + held[j].count <= pos)
			j++;
		while (pos < end) {
			uint64_t stop = end;

			if (j < nheld && held[j].first < end)
				stop = held[j].first > pos ? held[j].first : pos;
			if (stop > pos && add_run(out, n, pos, stop) < 0) {
				free(*out);
				*out = NULL;
				*n = 0;
				return -ENOMEM;
			}
			if (stop == end)
				break;
			pos = held[j].first + held[j].count;
			if (pos >= end)
				break;
			j++;
		}
	}
	return 0;
}

int vq_kdump_bitmap_find(void *ctx, int set, uint64_t *idx)
{
	const struct vq_kdump_bitmap *b = ctx;
	const uint8_t skip = set ? 0x00 : 0xff;
	uint64_t i = *idx;

	while (i < b->nbits) {
		/* Whole bytes with no bit of the kind wanted go at once. */
		if (!(i % 8) && b->bits[i / 8] == skip) {
			i += 8;
			continue;
		}
		if (((b->bits[i / 8] >> (i % 8)) & 1) == set) {
			*idx = i;
			return 0;
		}
		i++;
	}
	if (set)
		return 1;
	/* Past the map every bit is clear. */
	*idx = i > b->nbits ? i : b->nbits;
	return 0;
}

void vq_kdump_ram_bitmap(const struct vq_kdump_hdr *h, uint64_t max_pfn, uint64_t *off,
			 uint64_t *len)
{
	uint64_t all = (uint64_t)h->bitmap_blocks * h->block_size;

	*off = (1 + (uint64_t)h->sub_hdr_size) * h->block_size;
	/* Two bitmaps, each in half of the blocks, when half the bits cover
	 * every page (libkdumpfile decides alike). */
	*len = h->bitmap_blocks >= 2 && max_pfn <= 4 * all
		       ? (uint64_t)(h->bitmap_blocks / 2) * h->block_size
		       : 0;
}
