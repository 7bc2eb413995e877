/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ELF notes: walking the notes of one PT_NOTE segment's bytes, as untrusted input. */
#ifndef VQDUMP_DECODE_ELFNOTE_H
#define VQDUMP_DECODE_ELFNOTE_H

#include <stddef.h>
#include <stdint.h>

/* One note (ELF gABI, "Note Section"), pointing into the segment's bytes. */
struct vq_elf_note {
	size_t off;           /* offset of its header in the segment */
	const uint8_t *name;  /* owner name, @namesz bytes (NUL included when present) */
	uint32_t namesz;      /* bytes of @name */
	uint32_t type;        /* n_type, as the owner defines it */
	const uint8_t *desc;  /* descriptor, @descsz bytes */
	uint32_t descsz;      /* bytes of @desc */
};

/*
 * The note at *@off of @len bytes of notes (@msb: the file is
 * big-endian), then *@off moved past it and its padding.  Returns 1 with
 * @n filled, 0 at the end (fewer than 12 bytes left, or the last note's
 * padding missing), or -EINVAL with @err saying which note runs past the
 * bytes.
 */
int vq_elf_note_next(const uint8_t *notes, size_t len, int msb, size_t *off,
		     struct vq_elf_note *n, char *err, size_t errlen);

/* 1 when @n is owned by @owner (its name is @owner and a NUL). */
int vq_elf_note_owner_is(const struct vq_elf_note *n, const char *owner);

#endif
