/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Register windows with exact-width accesses and bus errors turned into error values. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "refusal.h"
#include "regwin.h"

/* A read from a BAR whose device vanished raises SIGBUS; the access is
 * made under this jump buffer so it becomes -EIO instead of a crash. */
static sigjmp_buf bus_jmp;
static volatile sig_atomic_t bus_armed;

static void on_sigbus(int sig)
{
	(void)sig;
	if (bus_armed)
		siglongjmp(bus_jmp, 1);
	signal(SIGBUS, SIG_DFL);
	raise(SIGBUS);
}

static void win_init(struct vq_regwin *w, const char *what, uint64_t len, int writable)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->len = len;
	w->writable = writable;
	snprintf(w->what, sizeof(w->what), "%s", what);
}

int vq_regwin_open_map(struct vq_regwin *w, const char *path, uint64_t off, uint64_t len,
		       int writable, const char *what, char *err, size_t errlen)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t base = off & ~((uint64_t)page - 1), delta = off - base;
	char hint[160];
	void *p;
	int e;

	win_init(w, what, len, writable);
	w->fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_SYNC);
	if (w->fd < 0) {
		e = errno;
		snprintf(err, errlen, "open %s (%s): %s%s", path, what, strerror(e),
			 vq_refusal_hint(path, e, VQ_REFUSE_OPEN, hint, sizeof(hint)));
		return -e;
	}
	w->map_len = (size_t)((delta + len + (uint64_t)page - 1) & ~((uint64_t)page - 1));
	p = mmap(NULL, w->map_len, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, w->fd,
		 (off_t)base);
	if (p == MAP_FAILED) {
		e = errno;
		snprintf(err, errlen, "map %s at 0x%llx (%s): %s%s", path, (unsigned long long)off,
			 what, strerror(e),
			 vq_refusal_hint(path, e, VQ_REFUSE_MAP_IO, hint, sizeof(hint)));
		close(w->fd);
		w->fd = -1;
		return -e;
	}
	w->map = p;
	w->regs = (volatile uint8_t *)p + delta;
	return 0;
}

int vq_regwin_open_file(struct vq_regwin *w, const char *path, uint64_t off, uint64_t len,
			int writable, const char *what, char *err, size_t errlen)
{
	char hint[160];
	int e;

	win_init(w, what, len, writable);
	w->fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (w->fd < 0) {
		e = errno;
		snprintf(err, errlen, "open %s (%s): %s%s", path, what, strerror(e),
			 vq_refusal_hint(path, e, VQ_REFUSE_OPEN, hint, sizeof(hint)));
		return -e;
	}
	w->file_off = off;
	return 0;
}

static int check(struct vq_regwin *w, uint64_t off, unsigned width, char *err, size_t errlen)
{
	if (width != 1 && width != 2 && width != 4 && width != 8) {
		snprintf(err, errlen, "%s: bad access width %u", w->what, width);
		return -EINVAL;
	}
	if (off > w->len || width > w->len - off) {
		snprintf(err, errlen, "%s: register 0x%llx beyond the window's %llu bytes", w->what,
			 (unsigned long long)off, (unsigned long long)w->len);
		return -ERANGE;
	}
	return 0;
}

static int file_io(struct vq_regwin *w, uint64_t off, unsigned width, uint64_t *val, int wr,
		   char *err, size_t errlen)
{
	uint8_t b[4] = { 0 };
	ssize_t r;
	unsigned i;

	if (wr)
		for (i = 0; i < width; i++)
			b[i] = (uint8_t)(*val >> (8 * i));
	r = wr ? pwrite(w->fd, b, width, (off_t)(w->file_off + off))
	       : pread(w->fd, b, width, (off_t)(w->file_off + off));
	if (r != (ssize_t)width) {
		int e = r < 0 ? errno : EIO;
		char hint[160];

		snprintf(err, errlen, "%s %s register 0x%llx: %s%s", wr ? "write" : "read", w->what,
			 (unsigned long long)off, r < 0 ? strerror(e) : "short transfer",
			 r < 0 && wr ? vq_refusal_hint("resource", e, VQ_REFUSE_WRITE, hint, sizeof(hint))
				     : "");
		return -e;
	}
	if (!wr)
		for (*val = 0, i = 0; i < width; i++)
			*val |= (uint64_t)b[i] << (8 * i);
	return 0;
}

static int reg_access(struct vq_regwin *w, uint64_t off, unsigned width, uint64_t *val, int wr,
		  char *err, size_t errlen)
{
	struct sigaction sa, old;
	volatile uint8_t *p;
	int ret;

	if (width == 8) {
		uint64_t lo = *val & 0xffffffffu, hi = *val >> 32;

		ret = reg_access(w, off, 4, &lo, wr, err, errlen);
		if (!ret)
			ret = reg_access(w, off + 4, 4, &hi, wr, err, errlen);
		if (!ret && !wr)
			*val = lo | hi << 32;
		return ret;
	}
	ret = check(w, off, width, err, errlen);
	if (ret)
		return ret;
	if (wr && !w->writable) {
		snprintf(err, errlen, "%s: window is read-only", w->what);
		return -EPERM;
	}
	if (!w->regs)
		return file_io(w, off, width, val, wr, err, errlen);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigbus;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(bus_jmp, 1)) {
		bus_armed = 0;
		sigaction(SIGBUS, &old, NULL);
		snprintf(err, errlen,
			 "%s %s register 0x%llx: bus error (the device is gone or its BAR is not backed)",
			 wr ? "write" : "read", w->what, (unsigned long long)off);
		return -EIO;
	}
	bus_armed = 1;
	p = w->regs + off;
	/* Exact-width volatile accesses: devices decode the width. */
	switch (width) {
	case 1:
		if (wr)
			*p = (uint8_t)*val;
		else
			*val = *p;
		break;
	case 2:
		if (wr)
			*(volatile uint16_t *)p = (uint16_t)*val;
		else
			*val = *(volatile uint16_t *)p;
		break;
	case 4:
		if (wr)
			*(volatile uint32_t *)p = (uint32_t)*val;
		else
			*val = *(volatile uint32_t *)p;
		break;
	}
	bus_armed = 0;
	sigaction(SIGBUS, &old, NULL);
	/* x86 and arm64 hosts are little-endian like the bus: nothing to swap. */
	return 0;
}

int vq_regwin_read(struct vq_regwin *w, uint64_t off, unsigned width, uint64_t *val, char *err,
		   size_t errlen)
{
	*val = 0;
	return reg_access(w, off, width, val, 0, err, errlen);
}

int vq_regwin_write(struct vq_regwin *w, uint64_t off, unsigned width, uint64_t val, char *err,
		    size_t errlen)
{
	return reg_access(w, off, width, &val, 1, err, errlen);
}

void vq_regwin_close(struct vq_regwin *w)
{
	if (w->map)
		munmap(w->map, w->map_len);
	if (w->fd >= 0)
		close(w->fd);
	w->map = NULL;
	w->regs = NULL;
	w->fd = -1;
}
