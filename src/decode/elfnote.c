/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ELF notes: walking the notes of one PT_NOTE segment's bytes, as untrusted input. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "elfnote.h"

/* Notes are 4-byte aligned in the cores vqdump reads (QEMU's, the
 * kernel's, its own). */
#define PAD4(v) (((uint64_t)(v) + 3) & ~(uint64_t)3)

static uint32_t get32(const uint8_t *p, int msb)
{
	if (msb)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

int vq_elf_note_next(const uint8_t *notes, size_t len, int msb, size_t *off,
		     struct vq_elf_note *n, char *err, size_t errlen)
{
	size_t at = *off, nameoff, descoff;
	uint64_t namepad, descpad;

	if (at > len || len - at < 12)
		return 0;
	n->off = at;
	n->namesz = get32(notes + at, msb);
	n->descsz = get32(notes + at + 4, msb);
	n->type = get32(notes + at + 8, msb);
	nameoff = at + 12;
	namepad = PAD4(n->namesz);
	if (namepad > len - nameoff) {
		snprintf(err, errlen,
			 "ELF note at offset %zu: name (%u bytes) runs past the notes (%zu bytes)", at,
			 n->namesz, len);
		return -EINVAL;
	}
	descoff = nameoff + (size_t)namepad;
	if (n->descsz > len - descoff) {
		snprintf(err, errlen,
			 "ELF note at offset %zu: descriptor (%u bytes) runs past the notes (%zu bytes)",
			 at, n->descsz, len);
		return -EINVAL;
	}
	n->name = notes + nameoff;
	n->desc = notes + descoff;
	descpad = PAD4(n->descsz);
	/* The last note's padding may be missing: it ends the walk. */
	*off = descpad > len - descoff ? len : descoff + (size_t)descpad;
	return 1;
}

int vq_elf_note_owner_is(const struct vq_elf_note *n, const char *owner)
{
	size_t l = strlen(owner) + 1;

	return n->namesz == l && !memcmp(n->name, owner, l);
}
