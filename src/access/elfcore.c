/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ELF core accessor: QEMU dump-guest-memory output, /proc/kcore, vqdump snapshots. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access.h"
#include "refusal.h"

/* /proc/kcore marks segments that have no physical address (vmalloc,
 * modules, vmemmap) with p_paddr = -1; only the rest are guest-physical. */
static int paddr_valid(const GElf_Ehdr *eh, uint64_t paddr)
{
	if (eh->e_ident[EI_CLASS] == ELFCLASS32)
		return paddr != 0xffffffffULL;
	return paddr != UINT64_MAX;
}

/* The file behind @arg open in m->fd; *@file_size is what may be trusted
 * of its size (UINT64_MAX: trust the headers).  0 or -errno. */
static int open_file(struct vq_mem *m, const char *arg, uint64_t *file_size)
{
	struct stat st;

	m->path = strdup(arg);
	if (!m->path)
		return vq_mem_fail(m, -ENOMEM, "open core %s: out of memory", arg);
	m->fd = open(arg, O_RDONLY | O_CLOEXEC);
	if (m->fd < 0) {
		int e = errno;
		char hint[160];

		/* The way out matters for /proc/kcore (lockdown, not root). */
		return vq_mem_fail(m, -e, "open core %s: %s%s", arg, strerror(e),
				   strcmp(arg, "/proc/kcore") ? ""
				   : vq_refusal_hint(arg, e, VQ_REFUSE_OPEN, hint, sizeof(hint)));
	}
	if (fstat(m->fd, &st) < 0)
		return vq_mem_fail(m, -errno, "open core %s: %s", arg, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return vq_mem_fail(m, -EISDIR, "open core %s: is a directory", arg);
	/* procfs files such as /proc/kcore report a size that is not the
	 * number of bytes a read can return; trust the headers there. */
	*file_size = S_ISREG(st.st_mode) && st.st_dev != 0 && strncmp(arg, "/proc/", 6) != 0
			     ? (uint64_t)st.st_size
			     : UINT64_MAX;
	return 0;
}

/* @elf is a core whose program headers are all in the file: 0 with @eh
 * and @phnum filled, or -EINVAL with m->err saying what it is instead. */
static int check_core(struct vq_mem *m, const char *arg, Elf *elf, uint64_t file_size,
		      GElf_Ehdr *eh, size_t *phnum)
{
	if (elf_kind(elf) != ELF_K_ELF)
		return vq_mem_fail(m, -EINVAL, "open core %s: not an ELF file", arg);
	if (!gelf_getehdr(elf, eh))
		return vq_mem_fail(m, -EINVAL, "open core %s: truncated or corrupt ELF header (%s)",
				   arg, elf_errmsg(-1));
	if (eh->e_type != ET_CORE)
		return vq_mem_fail(m, -EINVAL,
				   "open core %s: ELF type %u is not a core file (ET_CORE); give a QEMU dump-guest-memory file or /proc/kcore",
				   arg, (unsigned)eh->e_type);
	if (elf_getphdrnum(elf, phnum) < 0)
		return vq_mem_fail(m, -EINVAL, "open core %s: cannot read program headers (%s)", arg,
				   elf_errmsg(-1));
	/* libelf reads headers lazily; a file cut inside them must not be
	 * mistaken for one without segments. */
	/* libelf quietly lowers the count to what fits in the file: compare
	 * with the header's own count. */
	if (file_size != UINT64_MAX &&
	    (eh->e_phoff > file_size || (eh->e_phnum != PN_XNUM && *phnum < eh->e_phnum) ||
	     (uint64_t)*phnum * eh->e_phentsize > file_size - eh->e_phoff))
		return vq_mem_fail(m, -EINVAL,
				   "open core %s: truncated: program headers end past the file's %llu bytes",
				   arg, (unsigned long long)file_size);
	return 0;
}

/* Every PT_LOAD with a physical address into m->segs (unsorted), with
 * its p_vaddr unless all are 0 (QEMU's dumps without paging).  0 or
 * -errno with m->err set; a process core is refused. */
static int load_segments(struct vq_mem *m, const char *arg, Elf *elf, const GElf_Ehdr *eh,
			 size_t phnum)
{
	size_t i, zero_paddr = 0, notes = 0;
	int has_vaddr = 0;

	m->segs = calloc(phnum ? phnum : 1, sizeof(*m->segs));
	if (!m->segs)
		return vq_mem_fail(m, -ENOMEM, "open core %s: out of memory", arg);
	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph))
			return vq_mem_fail(m, -EINVAL,
					   "open core %s: program header %zu unreadable (%s): truncated file?",
					   arg, i, elf_errmsg(-1));
		notes += ph.p_type == PT_NOTE;
		if (ph.p_type != PT_LOAD || !paddr_valid(eh, ph.p_paddr) || !ph.p_memsz)
			continue;
		if (ph.p_paddr == 0)
			zero_paddr++;
		has_vaddr |= ph.p_vaddr != 0;
		m->segs[m->nsegs++] = (struct vq_seg){
			.paddr = ph.p_paddr,
			.filesz = ph.p_filesz,
			.memsz = ph.p_memsz,
			.offset = ph.p_offset,
			.vaddr = ph.p_vaddr,
		};
	}
	for (i = 0; i < m->nsegs; i++)
		m->segs[i].has_vaddr = has_vaddr;
	/* Notes and no memory: a snapshot that could save no ring holds
	 * its devices all the same. */
	if (!m->nsegs && !notes)
		return vq_mem_fail(m, -EINVAL,
				   "open core %s: no memory segment with a physical address (no PT_LOAD with p_paddr)",
				   arg);
	/* A process core (gdb, systemd-coredump) leaves p_paddr at 0 for
	 * every segment: it holds virtual, not physical, memory. */
	if (zero_paddr > 1)
		return vq_mem_fail(m, -EINVAL,
				   "open core %s: %zu segments claim physical address 0: a process core, not a physical-memory dump",
				   arg, zero_paddr);
	return 0;
}

/*
 * A kernel vmcore (it carries a VMCOREINFO note) has p_filesz equal to
 * p_memsz, as the kernel and QEMU write it, unless a filter shrank
 * p_filesz over the pages it left out (makedumpfile -E -d N): there the
 * bytes past p_filesz are RAM not in the dump, not zeroes.  0 or -ENOMEM.
 */
static int zero_fill_filtered(struct vq_mem *m)
{
	size_t i;

	if (!vq_mem_has_note(m, "VMCOREINFO"))
		return 0;
	for (i = 0; i < m->nsegs; i++) {
		struct vq_seg *s = &m->segs[i];

		if (s->memsz <= s->filesz)
			continue;
		if (s->filesz <= UINT64_MAX - s->paddr &&
		    vq_mem_add_filtered(m, s->paddr + s->filesz, s->memsz - s->filesz) < 0)
			return -ENOMEM;
		s->memsz = s->filesz;
	}
	return 0;
}

static int elf_open(struct vq_mem *m, const char *arg)
{
	size_t had;
	GElf_Ehdr eh;
	uint64_t file_size = UINT64_MAX; /* gcc cannot see that open_file() sets it */
	size_t phnum;
	Elf *elf;
	int ret;

	ret = open_file(m, arg, &file_size);
	if (ret < 0)
		return ret;
	elf_version(EV_CURRENT);
	/* ELF_C_READ reads headers lazily with pread, which also works on
	 * files that cannot be mapped. */
	elf = elf_begin(m->fd, ELF_C_READ, NULL);
	if (!elf)
		return vq_mem_fail(m, -EINVAL, "open core %s: %s", arg, elf_errmsg(-1));
	ret = check_core(m, arg, elf, file_size, &eh, &phnum);
	if (!ret) {
		m->machine = eh.e_machine;
		ret = load_segments(m, arg, elf, &eh, phnum);
	}
	elf_end(elf);
	if (ret < 0)
		return ret;
	if (!strcmp(arg, "/proc/kcore"))
		m->where = "/proc/kcore (it holds System RAM only)";
	else if (zero_fill_filtered(m) < 0)
		return -ENOMEM;
	vq_mem_try_map(m, file_size);
	had = m->nsegs;
	ret = vq_mem_finish_segments(m, file_size);
	if (!ret && had && !m->nsegs)
		ret = vq_mem_fail(m, -EINVAL,
				  "open core %s: truncated: the file holds none of its segments' bytes",
				  arg);
	return ret;
}

/* One PT_NOTE segment's bytes to @fn: what it returns, or 0 when the
 * segment is not in the file (its notes are missing, not an error). */
static int visit_notes(Elf *elf, const GElf_Ehdr *eh, const GElf_Phdr *ph, vq_mem_notes_fn fn,
		       void *arg)
{
	Elf_Data *d = elf_getdata_rawchunk(elf, (int64_t)ph->p_offset, ph->p_filesz, ELF_T_BYTE);

	if (!d || !d->d_buf)
		return 0;
	return fn(arg, d->d_buf, d->d_size, eh->e_ident[EI_DATA] == ELFDATA2MSB);
}

static int elf_note_segments(struct vq_mem *m, vq_mem_notes_fn fn, void *arg)
{
	uint64_t budget = VQ_MEM_NOTES_MAX;
	size_t i, phnum;
	GElf_Ehdr eh;
	int ret = 0;
	Elf *elf;

	elf_version(EV_CURRENT);
	elf = elf_begin(m->fd, ELF_C_READ, NULL);
	if (!elf)
		return vq_mem_fail(m, -EINVAL, "read the notes of %s: %s", m->path, elf_errmsg(-1));
	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) || elf_getphdrnum(elf, &phnum) < 0)
		phnum = 0;
	for (i = 0; i < phnum && !ret; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE || !ph.p_filesz)
			continue;
		/* Not anyone's notes vqdump reads, but may be someone else's. */
		if (ph.p_filesz > VQ_MEM_NOTE_SEG_MAX || ph.p_offset > (uint64_t)INT64_MAX)
			continue;
		if (ph.p_filesz > budget)
			break; /* enough read: a hostile file gets bounded work */
		budget -= ph.p_filesz;
		ret = visit_notes(elf, &eh, &ph, fn, arg);
	}
	elf_end(elf);
	return ret;
}

/* An ELF file, of any class or byte order (the checks in open say more). */
static int elf_probe(const uint8_t *head, size_t len)
{
	return len >= SELFMAG && !memcmp(head, ELFMAG, SELFMAG);
}

const struct vq_mem_ops vq_mem_elf = {
	.name = "core",
	.help = "ELF core: QEMU dump-guest-memory output, /proc/kcore (root)",
	.open = elf_open,
	.note_segments = elf_note_segments,
	.probe = elf_probe,
};
