/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Register windows: a device's registers, mapped (MMIO, memory BARs) or through a file (I/O BARs). */
#ifndef VQDUMP_ACCESS_REGWIN_H
#define VQDUMP_ACCESS_REGWIN_H

#include <stddef.h>
#include <stdint.h>

struct vq_regwin {
	volatile uint8_t *regs; /* mapped registers (NULL for file windows) */
	void *map;              /* page-aligned start of the mapping */
	size_t map_len;         /* bytes mapped */
	int fd;                 /* the file behind it, or -1 */
	uint64_t file_off;      /* file windows: offset of register 0 */
	uint64_t len;           /* bytes of registers */
	int writable;           /* opened for writing (driver only) */
	char what[96];          /* "BAR4 of 0000:00:04.0", for messages */
};

/*
 * Map @len bytes of @path at @off (a sysfs resourceN file, or /dev/mem at
 * a physical address).  @writable only for the driver.  Returns 0 or
 * -errno with a one-line reason in @err.
 */
int vq_regwin_open_map(struct vq_regwin *w, const char *path, uint64_t off, uint64_t len,
		       int writable, const char *what, char *err, size_t errlen);

/* The same through pread/pwrite of exact widths (I/O BAR resource files,
 * which cannot be mapped). */
int vq_regwin_open_file(struct vq_regwin *w, const char *path, uint64_t off, uint64_t len,
			int writable, const char *what, char *err, size_t errlen);

/*
 * One register access of @width bytes (1, 2, 4; 8 is done as two 4-byte
 * accesses, low first) at @off.  A bus error (SIGBUS from a dead or
 * unbacked BAR) is caught and returned as -EIO with @err set.  Values are
 * little-endian on the bus and returned in host order.
 */
int vq_regwin_read(struct vq_regwin *w, uint64_t off, unsigned width, uint64_t *val, char *err,
		   size_t errlen);
int vq_regwin_write(struct vq_regwin *w, uint64_t off, unsigned width, uint64_t val, char *err,
		    size_t errlen);

void vq_regwin_close(struct vq_regwin *w);

#endif
