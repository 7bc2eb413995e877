/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A guest kernel's own records in a memory image: BTF headers, VMCOREINFO, QEMU's CPU note, x86-64 page tables; no I/O. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btf.h"
#include "kimage.h"
#include "le.h"

/* RAM is searched for BTF headers in chunks of this many bytes. */
#define KIMG_CHUNK (4u << 20)

/* BTF is in the byte order of the kernel that made it, here the host's. */
static uint32_t h32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

uint64_t vq_kimg_btf_len(const uint8_t *h, size_t n)
{
	uint64_t t_end, s_end, end;
	uint16_t magic;

	if (n < VQ_KIMG_BTF_HDR)
		return 0;
	memcpy(&magic, h, 2);
	/* magic, version 1, flags 0, hdr_len 24 */
	if (magic != VQ_BTF_MAGIC || h[2] != 1 || h[3] != 0 || h32(h + 4) != VQ_KIMG_BTF_HDR)
		return 0;
	/* type_off, type_len, str_off, str_len: from the header's end */
	t_end = (uint64_t)h32(h + 8) + h32(h + 12);
	s_end = (uint64_t)h32(h + 16) + h32(h + 20);
	if (!h32(h + 20) || (h32(h + 8) & 3))
		return 0;
	end = VQ_KIMG_BTF_HDR + (t_end > s_end ? t_end : s_end);
	return end > VQ_KIMG_BTF_MAX ? 0 : end;
}


long vq_kimg_find_btf(const struct vq_fetch *f, const struct vq_scan_region *regions,
		      size_t nregions, struct vq_kimg_blob *out, size_t max)
{
	size_t i, found = 0, chunks = 0, failed = 0;
	uint8_t *buf = malloc(vq_scan_chunk(regions, nregions, KIMG_CHUNK) + VQ_KIMG_BTF_HDR);
	const uint16_t mg = VQ_BTF_MAGIC;
	uint8_t m0;
	int first_err = 0;

	if (!buf)
		return -ENOMEM;
	memcpy(&m0, &mg, 1); /* the magic's first byte in memory (host order) */
	for (i = 0; i < nregions; i++) {
		uint64_t end = regions[i].start + regions[i].len, pos;

		if (end < regions[i].start)
			end = UINT64_MAX;
		for (pos = regions[i].start; pos < end && end - pos >= VQ_KIMG_BTF_HDR;
		     pos += KIMG_CHUNK) {
			uint64_t want = end - pos, lim, s;
			const uint8_t *p;
			int ret;

			if (want > KIMG_CHUNK + VQ_KIMG_BTF_HDR)
				want = KIMG_CHUNK + VQ_KIMG_BTF_HDR;
			chunks++;
			p = vq_fetch_view(f, pos, buf, want, "RAM searched for BTF", &ret);
			if (ret) {
				if (!failed++)
					first_err = ret;
				continue;
			}
			lim = want - VQ_KIMG_BTF_HDR + 1;
			if (lim > KIMG_CHUNK)
				lim = KIMG_CHUNK;
			for (s = (4 - pos % 4) % 4; s < lim; s += 4) {
				const uint8_t *hit;
				uint64_t len;
				uint16_t magic;

				/* memchr for the magic's first byte: it skips zeros
				 * and most other bytes at memory speed. */
				hit = memchr(p + s, m0, lim - s);
				if (!hit)
					break;
				s = (uint64_t)(hit - p);
				if ((pos + s) % 4) {
					s = s - (pos + s) % 4; /* the loop's += 4: the next start on 4 */
					continue;
				}
				memcpy(&magic, p + s, 2);
				if (magic != VQ_BTF_MAGIC)
					continue;
				len = vq_kimg_btf_len(p + s, VQ_KIMG_BTF_HDR);
				if (!len)
					continue;
				if (found < max)
					out[found] = (struct vq_kimg_blob){ pos + s, len };
				found++;
			}
		}
	}
	free(buf);
	if (chunks && failed == chunks)
		return first_err ? first_err : -EIO;
	return (long)found;
}

int vq_vmcoreinfo_get(const char *s, size_t len, const char *key, unsigned base, uint64_t *val)
{
	size_t klen = strlen(key), i = 0;

	while (i < len) {
		size_t e = i;

		while (e < len && s[e] != '\n')
			e++;
		if (e - i > klen + 1 && !memcmp(s + i, key, klen) && s[i + klen] == '=') {
			uint64_t v = 0;
			size_t p = i + klen + 1;
			int digits = 0, neg = 0;

			/* NUMBER() is printed with %ld: phys_base may be negative. */
			if (base == 10 && p < e && s[p] == '-') {
				neg = 1;
				p++;
			}
			for (; p < e; p++, digits++) {
				char c = s[p];
				unsigned d;

				if (c >= '0' && c <= '9')
					d = (unsigned)(c - '0');
				else if (base == 16 && c >= 'a' && c <= 'f')
					d = (unsigned)(c - 'a' + 10);
				else if (base == 16 && c >= 'A' && c <= 'F')
					d = (unsigned)(c - 'A' + 10);
				else
					return -ENOENT;
				if (v > (UINT64_MAX - d) / base)
					return -ENOENT;
				v = v * base + d;
			}
			if (!digits)
				return -ENOENT;
			*val = neg ? 0 - v : v;
			return 0;
		}
		i = e + 1;
	}
	return -ENOENT;
}

/* QEMUCPUState (target/i386/arch_dump.c): version, size, 16 general
 * registers, rip, rflags, 10 segments of 24 bytes, then cr[0..4]. */
#define QEMU_CPU_CR0 (8u + 18u * 8u + 10u * 24u)

int vq_qemu_cpu_cr(const uint8_t *desc, size_t len, uint64_t *cr3, uint64_t *cr4)
{
	if (len < QEMU_CPU_CR0 + 5 * 8 || le32(desc) != 1 || le32(desc + 4) < QEMU_CPU_CR0 + 5 * 8 ||
	    le32(desc + 4) > len)
		return -EINVAL;
	*cr3 = le64(desc + QEMU_CPU_CR0 + 3 * 8);
	*cr4 = le64(desc + QEMU_CPU_CR0 + 4 * 8);
	return 0;
}

/* Physical address bits of a page-table entry (12..51). */
#define PTE_ADDR 0x000ffffffffff000ull
#define PTE_PRESENT 1ull
#define PTE_HUGE 0x80ull

/*
 * Walk @vaddr down from @root: 0 and *@paddr, or -EFAULT with *@skip the
 * bytes the non-present (or unreadable) entry covers, so that a search
 * can step past all of them.
 */
static int walk(const struct vq_fetch *f, uint64_t root, unsigned levels, uint64_t vaddr,
		uint64_t *paddr, uint64_t *skip)
{
	uint64_t table = root & PTE_ADDR;
	unsigned lvl;

	for (lvl = levels; lvl >= 1; lvl--) {
		unsigned shift = 12 + 9 * (lvl - 1);
		uint64_t span = 1ull << shift, e;
		uint8_t b[8];

		*skip = span;
		if (vq_fetch(f, table + ((vaddr >> shift) & 511) * 8, b, 8, "page table"))
			return -EFAULT;
		e = le64(b);
		if (!(e & PTE_PRESENT))
			return -EFAULT;
		/* A 1 GiB or 2 MiB page (PS in a PUD or PMD entry). */
		if (lvl == 1 || ((lvl == 2 || lvl == 3) && (e & PTE_HUGE))) {
			*paddr = (e & PTE_ADDR & ~(span - 1)) | (vaddr & (span - 1));
			return 0;
		}
		table = e & PTE_ADDR;
	}
	return -EFAULT;
}

int vq_x86_v2p(const struct vq_fetch *f, uint64_t root, unsigned levels, uint64_t vaddr,
	       uint64_t *paddr)
{
	uint64_t skip;

	if (levels != 4 && levels != 5)
		return -EFAULT;
	return walk(f, root, levels, vaddr, paddr, &skip);
}

int vq_x86_direct_map(const struct vq_fetch *f, uint64_t root, unsigned levels, uint64_t *base)
{
	uint64_t lo = levels == 5 ? VQ_X86_DIRECT_LO_L5 : VQ_X86_DIRECT_LO;
	uint64_t hi = levels == 5 ? VQ_X86_DIRECT_HI_L5 : VQ_X86_DIRECT_HI;
	uint64_t v = lo, pa, skip;
	unsigned steps = 0;

	if (levels != 4 && levels != 5)
		return -ENOENT;
	/* Bounded: a hostile table could map every step. */
	while (v < hi && steps++ < (1u << 20)) {
		if (!walk(f, root, levels, v, &pa, &skip)) {
			if (pa == 0) {
				*base = v;
				return 0;
			}
			skip = VQ_X86_PUD;
		}
		if (skip < VQ_X86_PUD)
			skip = VQ_X86_PUD;
		/* To the next boundary of what was skipped. */
		v = (v & ~(skip - 1)) + skip;
	}
	return -ENOENT;
}
