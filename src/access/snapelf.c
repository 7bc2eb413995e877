/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writing a snapshot: an ELF64 core with the note and one PT_LOAD per saved range, replaced atomically. */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapint.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* The machine the snapshot was taken on: its physical addresses. */
static uint16_t host_machine(void)
{
#if defined(__x86_64__)
	return EM_X86_64;
#elif defined(__aarch64__)
	return EM_AARCH64;
#elif defined(__riscv)
	return EM_RISCV;
#elif defined(__i386__)
	return EM_386;
#else
	return EM_NONE;
#endif
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}


#define EHDR_SIZE 64
#define PHDR_SIZE 56

/* Where the note goes: after the headers, aligned to 8. */
struct layout {
	size_t hlen;       /* ELF header and program headers */
	uint64_t note_off; /* file offset of the note */
	uint64_t note_len; /* its header, name and padded descriptor */
};

/* The ELF header and the program headers (the note, then each range) in @hdr. */
static void fill_headers(uint8_t *hdr, const struct layout *l, const struct vq_snap_mem *mem)
{
	uint8_t *p = hdr + EHDR_SIZE;
	uint64_t off;
	size_t i;

	memcpy(hdr, ELFMAG, SELFMAG);
	hdr[EI_CLASS] = ELFCLASS64;
	hdr[EI_DATA] = ELFDATA2LSB;
	hdr[EI_VERSION] = EV_CURRENT;
	hdr[EI_OSABI] = ELFOSABI_NONE;
	put16(hdr + 16, ET_CORE);
	put16(hdr + 18, host_machine());
	put32(hdr + 20, EV_CURRENT);
	put64(hdr + 32, EHDR_SIZE); /* e_phoff */
	put16(hdr + 52, EHDR_SIZE);
	put16(hdr + 54, PHDR_SIZE);
	put16(hdr + 56, (uint16_t)(mem->n + 1));
	put16(hdr + 58, 64); /* e_shentsize, no sections */
	put32(p, PT_NOTE);
	put64(p + 8, l->note_off);
	put64(p + 32, l->note_len);
	put64(p + 40, l->note_len);
	put64(p + 48, 4);
	off = ALIGN_UP(l->note_off + l->note_len, 16);
	for (i = 0; i < mem->n; i++) {
		p = hdr + EHDR_SIZE + (i + 1) * PHDR_SIZE;
		put32(p, PT_LOAD);
		put32(p + 4, PF_R);
		put64(p + 8, off);
		put64(p + 16, mem->r[i].addr); /* p_vaddr: as QEMU, the physical address */
		put64(p + 24, mem->r[i].addr); /* p_paddr */
		put64(p + 32, mem->r[i].len);
		put64(p + 40, mem->r[i].len);
		put64(p + 48, 1);
		off = ALIGN_UP(off + mem->r[i].len, 16);
	}
}

/* The note (name "VQDUMP\0" padded to 8, descriptor padded to 4), then
 * each range, each padded to 16 (every padding within @zeros). */
static int write_contents(int fd, const struct layout *l, const char *json, size_t jlen,
			  const struct vq_snap_mem *mem)
{
	static const uint8_t zeros[16];
	uint8_t nh[20] = { 0 };
	uint64_t off = l->note_off + l->note_len;
	size_t i;
	int ret;

	put32(nh, sizeof(VQ_SNAP_NOTE_NAME));
	put32(nh + 4, (uint32_t)jlen);
	put32(nh + 8, VQ_SNAP_NOTE_TYPE);
	memcpy(nh + 12, VQ_SNAP_NOTE_NAME, sizeof(VQ_SNAP_NOTE_NAME));
	ret = write_all(fd, zeros, l->note_off - l->hlen);
	if (!ret)
		ret = write_all(fd, nh, sizeof(nh));
	if (!ret)
		ret = write_all(fd, json, jlen);
	if (!ret)
		ret = write_all(fd, zeros, ALIGN_UP(jlen, 4) - jlen);
	if (!ret)
		ret = write_all(fd, zeros, ALIGN_UP(off, 16) - off);
	off = ALIGN_UP(off, 16);
	for (i = 0; i < mem->n && !ret; i++) {
		ret = write_all(fd, mem->r[i].data, mem->r[i].len);
		off += mem->r[i].len;
		if (!ret)
			ret = write_all(fd, zeros, ALIGN_UP(off, 16) - off);
		off = ALIGN_UP(off, 16);
	}
	return ret;
}

static int write_elf(int fd, const char *json, const struct vq_snap_mem *mem)
{
	size_t jlen = strlen(json);
	struct layout l;
	uint8_t *hdr;
	int ret;

	if (mem->n + 1 >= PN_XNUM)
		return -E2BIG;
	l.hlen = EHDR_SIZE + (mem->n + 1) * PHDR_SIZE;
	l.note_off = ALIGN_UP(l.hlen, 8);
	l.note_len = 12 + 8 + ALIGN_UP(jlen, 4);
	hdr = calloc(1, l.hlen);
	if (!hdr)
		return -ENOMEM;
	fill_headers(hdr, &l, mem);
	ret = write_all(fd, hdr, l.hlen);
	free(hdr);
	return ret ? ret : write_contents(fd, &l, json, jlen, mem);
}

int vq_snap_write(const char *path, const char *json, const struct vq_snap_mem *mem, int force,
		  char *err, size_t errlen)
{
	char *tmp, *slash;
	size_t plen = strlen(path);
	struct stat st;
	int fd, ret;

	if (strlen(json) > VQ_SNAP_NOTE_MAX)
		return vq_errbuf(err, errlen, -E2BIG, "write snapshot %s: device description too large", path);
	if (!force && lstat(path, &st) == 0)
		return vq_errbuf(err, errlen, -EEXIST,
				 "write snapshot %s: file exists (give --force to replace it)", path);
	if (force && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return vq_errbuf(err, errlen, -EINVAL, "write snapshot %s: not a regular file", path);
	tmp = malloc(plen + 32);
	if (!tmp)
		return vq_errbuf(err, errlen, -ENOMEM, "write snapshot %s: out of memory", path);
	/* A temporary file beside the target, so that rename() is atomic. */
	slash = strrchr(path, '/');
	if (slash)
		snprintf(tmp, plen + 32, "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	else
		snprintf(tmp, plen + 32, ".%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = vq_errbuf(err, errlen, -errno, "write snapshot %s: create a temporary file beside it: %s",
				path, strerror(errno));
		free(tmp);
		return ret;
	}
	ret = write_elf(fd, json, mem);
	if (ret == -E2BIG)
		vq_errbuf(err, errlen, ret, "write snapshot %s: more than %u memory ranges", path, PN_XNUM - 2);
	else if (ret)
		vq_errbuf(err, errlen, ret, "write snapshot %s: %s", path, strerror(-ret));
	if (!ret && fsync(fd) < 0)
		ret = vq_errbuf(err, errlen, -errno, "write snapshot %s: %s", path, strerror(errno));
	if (close(fd) < 0 && !ret)
		ret = vq_errbuf(err, errlen, -errno, "write snapshot %s: %s", path, strerror(errno));
	if (!ret) {
		if (force) {
			if (rename(tmp, path) < 0)
				ret = vq_errbuf(err, errlen, -errno, "write snapshot %s: rename: %s", path,
						strerror(errno));
		} else if (link(tmp, path) < 0) {
			/* link() refuses to replace a file that appeared meanwhile. */
			ret = vq_errbuf(err, errlen, -errno, "write snapshot %s: %s", path,
					errno == EEXIST ? "file exists (give --force to replace it)"
					: strerror(errno));
		}
	}
	unlink(tmp);
	free(tmp);
	return ret;
}
