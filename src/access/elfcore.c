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

/* /proc/kcore marks segments that have no physical address (vmalloc,
 * modules, vmemmap) with p_paddr = -1; only the rest are guest-physical. */
static int paddr_valid(const GElf_Ehdr *eh, uint64_t paddr)
{
	if (eh->e_ident[EI_CLASS] == ELFCLASS32)
		return paddr != 0xffffffffULL;
	return paddr != UINT64_MAX;
}

static int elf_open(struct vq_mem *m, const char *arg)
{
	struct stat st;
	Elf *elf;
	GElf_Ehdr eh;
	size_t i, phnum, zero_paddr = 0;
	uint64_t file_size;
	int ret = 0;

	m->path = strdup(arg);
	if (!m->path)
		return vq_mem_fail(m, -ENOMEM, "open core %s: out of memory", arg);
	m->fd = open(arg, O_RDONLY | O_CLOEXEC);
	if (m->fd < 0)
		return vq_mem_fail(m, -errno, "open core %s: %s", arg, strerror(errno));
	if (fstat(m->fd, &st) < 0)
		return vq_mem_fail(m, -errno, "open core %s: %s", arg, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return vq_mem_fail(m, -EISDIR, "open core %s: is a directory", arg);
	/* procfs files such as /proc/kcore report a size that is not the
	 * number of bytes a read can return; trust the headers there. */
	file_size = S_ISREG(st.st_mode) && st.st_dev != 0 && strncmp(arg, "/proc/", 6) != 0
			    ? (uint64_t)st.st_size
			    : UINT64_MAX;

	elf_version(EV_CURRENT);
	/* ELF_C_READ reads headers lazily with pread, which also works on
	 * files that cannot be mapped. */
	elf = elf_begin(m->fd, ELF_C_READ, NULL);
	if (!elf)
		return vq_mem_fail(m, -EINVAL, "open core %s: %s", arg, elf_errmsg(-1));
	if (elf_kind(elf) != ELF_K_ELF) {
		ret = vq_mem_fail(m, -EINVAL, "open core %s: not an ELF file", arg);
		goto out;
	}
	if (!gelf_getehdr(elf, &eh)) {
		ret = vq_mem_fail(m, -EINVAL, "open core %s: truncated or corrupt ELF header (%s)",
				  arg, elf_errmsg(-1));
		goto out;
	}
	if (eh.e_type != ET_CORE) {
		ret = vq_mem_fail(m, -EINVAL,
				  "open core %s: ELF type %u is not a core file (ET_CORE); give a QEMU dump-guest-memory file or /proc/kcore",
				  arg, (unsigned)eh.e_type);
		goto out;
	}
	if (elf_getphdrnum(elf, &phnum) < 0) {
		ret = vq_mem_fail(m, -EINVAL, "open core %s: cannot read program headers (%s)", arg,
				  elf_errmsg(-1));
		goto out;
	}
	/* libelf reads headers lazily; a file cut inside them must not be
	 * mistaken for one without segments. */
	/* libelf quietly lowers the count to what fits in the file: compare
	 * with the header's own count. */
	if (file_size != UINT64_MAX &&
	    (eh.e_phoff > file_size || (eh.e_phnum != PN_XNUM && phnum < eh.e_phnum) ||
	     (uint64_t)phnum * eh.e_phentsize > file_size - eh.e_phoff)) {
		ret = vq_mem_fail(m, -EINVAL,
				  "open core %s: truncated: program headers end past the file's %llu bytes",
				  arg, (unsigned long long)file_size);
		goto out;
	}
	m->segs = calloc(phnum ? phnum : 1, sizeof(*m->segs));
	if (!m->segs) {
		ret = vq_mem_fail(m, -ENOMEM, "open core %s: out of memory", arg);
		goto out;
	}
	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph)) {
			ret = vq_mem_fail(m, -EINVAL,
					  "open core %s: program header %zu unreadable (%s): truncated file?",
					  arg, i, elf_errmsg(-1));
			goto out;
		}
		if (ph.p_type != PT_LOAD || !paddr_valid(&eh, ph.p_paddr) || !ph.p_memsz)
			continue;
		if (ph.p_paddr == 0)
			zero_paddr++;
		m->segs[m->nsegs++] = (struct vq_seg){
			.paddr = ph.p_paddr,
			.filesz = ph.p_filesz,
			.memsz = ph.p_memsz,
			.offset = ph.p_offset,
		};
	}
	if (!m->nsegs) {
		ret = vq_mem_fail(m, -EINVAL,
				  "open core %s: no memory segment with a physical address (no PT_LOAD with p_paddr)",
				  arg);
		goto out;
	}
	/* A process core (gdb, systemd-coredump) leaves p_paddr at 0 for
	 * every segment: it holds virtual, not physical, memory. */
	if (zero_paddr > 1) {
		ret = vq_mem_fail(m, -EINVAL,
				  "open core %s: %zu segments claim physical address 0: a process core, not a physical-memory dump",
				  arg, zero_paddr);
		goto out;
	}
	if (!strcmp(arg, "/proc/kcore"))
		m->where = "/proc/kcore (it holds System RAM only)";
	vq_mem_try_map(m, file_size);
	ret = vq_mem_finish_segments(m, file_size);
	if (!ret && !m->nsegs)
		ret = vq_mem_fail(m, -EINVAL,
				  "open core %s: truncated: the file holds none of its segments' bytes",
				  arg);
out:
	elf_end(elf);
	return ret;
}

const struct vq_mem_ops vq_mem_elf = {
	.name = "core",
	.help = "ELF core: QEMU dump-guest-memory output, /proc/kcore (root)",
	.open = elf_open,
};
