/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QEMU monitor text: the RAM ranges of `info mtree -f` and the answer of `gpa2hva`. */
#ifndef VQDUMP_DECODE_QEMUTEXT_H
#define VQDUMP_DECODE_QEMUTEXT_H

#include <stddef.h>
#include <stdint.h>

/* One guest-physical range backed by RAM, as the flat view shows it. */
struct vq_qemu_ram {
	uint64_t start;    /* first guest-physical address */
	uint64_t end;      /* last one (inclusive, as QEMU prints it) */
	char region[64];   /* the memory region's name ("pc.ram", "ram-node0") */
	uint64_t offset;   /* where @start falls in the region (" @OFF", 0 without) */
};

/*
 * The RAM ranges of the flat view of address space "memory" in @text
 * (HMP `info mtree -f`): lines "  START-END (prio P, ram): NAME [@OFF]"
 * whose type is "ram" (or "nv-ram"); ROM, I/O, "ram device" and the
 * other address spaces are left out.  Up to @max in @out, in the order
 * shown (QEMU prints them by address).  Returns how many, or -ENOENT when
 * @text has no flat view of "memory", -E2BIG when there are more than @max.
 */
int vq_qemu_mtree_ram(const char *text, struct vq_qemu_ram *out, size_t max);

/*
 * The host virtual address in @text, HMP `gpa2hva ADDR`'s answer "Host
 * virtual address for 0x1000 (pc.ram) is 0x7f...".  Returns 0 with *@hva,
 * or -EINVAL when @text says something else (then it is QEMU's reason,
 * "... is not RAM").
 */
int vq_qemu_gpa2hva(const char *text, uint64_t *hva);

/* The 32-bit word HMP `xp /1wx ADDR` shows ("0000000000001000: 0x12345678"):
 * 0 with *@word, or -EINVAL. */
int vq_qemu_xp_word(const char *text, uint32_t *word);

/*
 * The virtio-mmio transport whose bus is @bus ("virtio-mmio-bus.3", what
 * x-query-virtio-status calls bus-name) in @text (HMP `info qtree`): the
 * "dev: virtio-mmio" block with "mmio BASE/SIZE" and, when it prints it,
 * "force-legacy = true|false" (*@version 1 or 2; 0 when not shown), and
 * then "bus: @bus".  Returns 0 with *@base, or -ENOENT.
 */
int vq_qemu_qtree_mmio(const char *text, const char *bus, uint64_t *base, int *version);

#endif
