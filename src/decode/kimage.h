/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A guest kernel's own records in a memory image: BTF blobs, VMCOREINFO, QEMU's CPU note, x86-64 page tables; no I/O. */
#ifndef VQDUMP_DECODE_KIMAGE_H
#define VQDUMP_DECODE_KIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "fetch.h"
#include "scan.h"

/*
 * A dump holds no /sys/kernel/btf and no /proc/kcore: what the live
 * lookup (access/kvq.c) asks the running kernel for is read here from the
 * image's bytes instead.  Every function reads through a struct vq_fetch
 * or from bytes the caller gives, and trusts nothing it reads.
 *
 * - BTF: vmlinux's .BTF section sits in the kernel image's read-only data,
 *   and Linux keeps a copy of each module's (split) BTF in kmalloc or
 *   vmalloc memory (kernel/bpf/btf.c, btf_parse_module).  Both start with
 *   struct btf_header (Documentation/bpf/btf.rst): magic 0xeB9F, version
 *   1, flags 0, hdr_len 24, then the type and string sections' offsets
 *   and lengths, which give the blob's length.
 * - VMCOREINFO: "KEY=VALUE" lines (kernel/crash_core.c); on x86-64
 *   SYMBOL(init_top_pgt) (hex, a kernel-text address), NUMBER(phys_base)
 *   (decimal) and NUMBER(pgtable_l5_enabled) give the kernel's top page
 *   table.
 * - QEMU's per-CPU "QEMU" note (target/i386/arch_dump.c, QEMUCPUState
 *   version 1) holds the control registers: CR3 is a page-table root.
 * - The direct map (page_offset_base): the x86-64 kernel maps all RAM
 *   from physical 0 at one PUD (1 GiB) aligned address in
 *   [0xffff888000000000, 0xffffc88000000000) with 4-level paging
 *   (arch/x86/mm/kaslr.c randomises it in PUD steps); the lowest such
 *   address whose page-table translation is physical 0 is it.
 */

/* Bytes of struct btf_header. */
#define VQ_KIMG_BTF_HDR 24u
/* Largest BTF blob taken (vmlinux's is a few MiB). */
#define VQ_KIMG_BTF_MAX (64u << 20)

/* Length of the BTF blob whose first bytes are @h (@n of them, at least
 * VQ_KIMG_BTF_HDR): header and both sections, when the header is one
 * this reader takes (host byte order, version 1, flags 0, hdr_len 24,
 * sections inside VQ_KIMG_BTF_MAX); else 0. */
uint64_t vq_kimg_btf_len(const uint8_t *h, size_t n);

/* Where a BTF header was found: its physical address and the blob's length. */
struct vq_kimg_blob {
	uint64_t paddr;
	uint64_t len;
};

/* Every plausible BTF header (vq_kimg_btf_len) on a 4-byte boundary in
 * @regions, read through @f in chunks: how many (at most @max in @out,
 * in address order), or -ENOMEM / the read error when no chunk could be
 * read. */
long vq_kimg_find_btf(const struct vq_fetch *f, const struct vq_scan_region *regions,
		      size_t nregions, struct vq_kimg_blob *out, size_t max);

/* The value of "@key=" in VMCOREINFO text @s (@len bytes, not
 * NUL-terminated) read in @base (16 or 10; in 10 a leading '-' gives the
 * two's complement, as NUMBER(phys_base) may be): 0, or -ENOENT when the
 * key is not there or its value is not a number. */
int vq_vmcoreinfo_get(const char *s, size_t len, const char *key, unsigned base, uint64_t *val);

/* CR3 and CR4 from the descriptor of a QEMU "QEMU" ELF note (QEMUCPUState
 * of x86-64, version 1): 0, or -EINVAL when @desc is not one. */
int vq_qemu_cpu_cr(const uint8_t *desc, size_t len, uint64_t *cr3, uint64_t *cr4);

/* Translate kernel virtual @vaddr through the x86-64 page tables rooted
 * at physical @root (4 or 5 @levels): 0 and *@paddr, -EFAULT when not
 * mapped or a table cannot be read. */
int vq_x86_v2p(const struct vq_fetch *f, uint64_t root, unsigned levels, uint64_t vaddr,
	       uint64_t *paddr);

/* The direct map's start (page_offset_base) from the page tables at
 * @root: 0 and *@base, or -ENOENT. */
int vq_x86_direct_map(const struct vq_fetch *f, uint64_t root, unsigned levels, uint64_t *base);

/* x86-64 4-level direct map range (Documentation/x86/x86_64/mm.rst) and
 * the step KASLR moves it by. */
#define VQ_X86_DIRECT_LO 0xffff888000000000ull
#define VQ_X86_DIRECT_HI 0xffffc88000000000ull
#define VQ_X86_DIRECT_LO_L5 0xff11000000000000ull
#define VQ_X86_DIRECT_HI_L5 0xff91000000000000ull
#define VQ_X86_PUD (1ull << 30)
/* __START_KERNEL_map: kernel text's virtual base before phys_base. */
#define VQ_X86_START_KERNEL_MAP 0xffffffff80000000ull

#endif
