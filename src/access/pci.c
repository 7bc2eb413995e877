/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-pci transport: devices found through libpci, registers read through sysfs BAR files
 * or the PCI configuration access capability, status and features from sysfs as a last resort. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "../decode/config.h"
#include "../decode/le.h"
#include "../decode/mmio.h"
#include "../decode/pcicap.h"
#include "../decode/ring.h"
#include "transport.h"
#include "refusal.h"
#include "regwin.h"
#include "vbus.h"

/* virtio 1.3, 4.1.2 (PCI Device Discovery). */
#define VIRTIO_PCI_VENDOR 0x1af4    /* PCI Vendor ID of every virtio device */
#define VIRTIO_PCI_ID_FIRST 0x1000  /* first virtio PCI Device ID */
#define VIRTIO_PCI_ID_LAST 0x107f   /* last virtio PCI Device ID */
#define VIRTIO_PCI_ID_MODERN 0x1040 /* modern ID = this + virtio device ID */

#define SYSFS_PCI "/sys/bus/pci/devices"
#define SYSFS_VIRTIO "/sys/bus/virtio/devices"

/* Bytes of struct virtio_pci_common_cfg read here: up to queue_device. */
#define COMMON_LEN (VIRTIO_PCI_COMMON_Q_USEDHI + 4)
/* Tries at a consistent device config (virtio 1.3, 2.5.1). */
#define CONFIG_TRIES 5
/* How long to wait for another vqdump using the PCI configuration access
 * capability of the same device (10 ms steps). */
#define CFGWIN_LOCK_TRIES 200

/* How read_state reached the device, the first way that worked. */
enum reg_path {
	PATH_NONE,    /* nothing read (yet) */
	PATH_MAPPED,  /* sysfs resourceN: a mapped memory BAR, or the legacy I/O BAR file */
	PATH_PCI_CFG, /* modern registers through VIRTIO_PCI_CAP_PCI_CFG in config space */
	PATH_SYSFS,   /* status and negotiated features from /sys/bus/virtio only */
};

struct regs;

/* Register access of @width bytes (1, 2, 4 or 8) at @off of a structure. */
typedef int (*regs_read_fn)(struct vq_dev *d, struct regs *r, uint64_t off, unsigned width,
			    uint64_t *v);
typedef int (*regs_write_fn)(struct vq_dev *d, struct regs *r, uint64_t off, unsigned width,
			     uint64_t v);

/*
 * One register structure (common configuration, device configuration, a
 * selector, the legacy header), reached through a mapped BAR window or
 * through the PCI configuration access capability: the code that reads
 * the registers does not care which.
 */
struct regs {
	regs_read_fn read;    /* map_read or cfg_read */
	regs_write_fn write;  /* map_write or cfg_write */
	enum reg_path path;   /* PATH_MAPPED or PATH_PCI_CFG */
	struct vq_regwin win; /* PATH_MAPPED: the window */
	unsigned bar;         /* BAR that holds register 0 */
	uint64_t base;        /* offset of register 0 in the BAR */
	uint64_t len;         /* bytes of registers that may be accessed */
	int writable;         /* a selector: may be written */
	int open;             /* set up (and, mapped, @win open) */
	char what[96];        /* "queue_select in BAR4 of 0000:00:04.0", for messages */
};

/*
 * The VIRTIO_PCI_CAP_PCI_CFG window (virtio 1.3, 4.1.4.9): cap.bar,
 * cap.offset and cap.length select a register, and an access to
 * pci_cfg_data performs the access there.  The three fields are selectors
 * like queue_select: saved at the first use in a read_state() and put back
 * before it returns (design rule 3).
 */
struct cfgwin {
	int fd;                /* sysfs config file, read-write; -1: not open */
	uint8_t pos;           /* position of the capability in config space */
	int active;            /* locked, saved_* read, in this read_state() */
	int dirty;             /* a field was written since saved_* were read */
	int checked;           /* the fields were read back after a move */
	uint8_t bar;           /* cap.bar as last written (or read) */
	uint32_t offset;       /* cap.offset likewise */
	uint32_t length;       /* cap.length likewise */
	uint8_t saved_bar;     /* cap.bar before vqdump touched it */
	uint32_t saved_offset; /* cap.offset before */
	uint32_t saved_length; /* cap.length before */
};

/* What this transport keeps per device (vq_dev.priv). */
struct pci_priv {
	char dir[64];            /* /sys/bus/pci/devices/DDDD:BB:DD.F */
	uint64_t bar_addr[6];    /* BAR address as assigned (flag bits removed), 0: none */
	uint64_t bar_size[6];    /* BAR size in bytes, 0: not implemented */
	uint8_t bar_io[6];       /* 1 for an I/O space BAR */
	int cfg_ok;              /* enumerate could read the whole standard config space */
	struct regs common;      /* common configuration structure, read-only */
	struct regs devcfg;      /* device-specific configuration structure, read-only */
	struct regs legacy;      /* legacy header and config in I/O BAR0, read-only */
	struct cfgwin cw;        /* the PCI configuration access capability, when used */
	enum reg_path path;      /* how the last read_state() reached the device (internal
				  * until struct vq_dev has a field for it) */
	int unreachable;         /* this read_state() could not reach the registers at all */
	char map_why[160];       /* why the BAR could not be mapped, for the final message */
};

/* Copy @src into @dst (@len bytes), cut short if need be. */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

static int dev_fail(struct vq_dev *d, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int dev_fail(struct vq_dev *d, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
	return ret;
}

/*
 * libpci reports fatal errors through a callback that must not return
 * (its default exits).  Ours jumps back into pci_enumerate() instead.
 * libpci state is per call, so one jump buffer serves (not thread-safe,
 * like libpci itself).
 */
static jmp_buf lib_jmp;
static char lib_msg[200];

static void __attribute__((noreturn, format(printf, 1, 2))) lib_error(char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lib_msg, sizeof(lib_msg), fmt, ap);
	va_end(ap);
	longjmp(lib_jmp, 1);
}

/* Warnings (an unreadable sysfs file) show up as failed reads anyway. */
static void __attribute__((format(printf, 1, 2))) lib_quiet(char *fmt, ...)
{
	(void)fmt;
}

/* The virtio device ID of a PCI device (virtio 1.3, 4.1.2.1 and its legacy
 * note: transitional devices carry it in the Subsystem Device ID). */
static uint32_t virtio_id(uint16_t pci_device, uint16_t subsys_id)
{
	/* The spec's table, for a transitional device with no subsystem ID. */
	static const uint8_t trans[] = { 1, 2, 5, 3, 8, 4, 0, 0, 0, 9 };

	if (pci_device >= VIRTIO_PCI_ID_MODERN)
		return pci_device - VIRTIO_PCI_ID_MODERN;
	if (subsys_id)
		return subsys_id;
	if (pci_device - VIRTIO_PCI_ID_FIRST < (int)sizeof(trans))
		return trans[pci_device - VIRTIO_PCI_ID_FIRST];
	return 0;
}

/* Basename of the sysfs driver link, "" when no driver is bound. */
static void read_driver(const char *dir, char *out, size_t len)
{
	char path[96], target[256];
	const char *base;
	ssize_t n;

	out[0] = 0;
	snprintf(path, sizeof(path), "%s/driver", dir);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = 0;
	base = strrchr(target, '/');
	copy_str(out, len, base ? base + 1 : target);
}

void vq_pci_driver(const char *name, char *out, size_t len)
{
	char dir[96];

	snprintf(dir, sizeof(dir), "%s/%s", SYSFS_PCI, name);
	read_driver(dir, out, len);
}

/* The "virtioN" child the virtio bus made for this PCI device, if any. */
static void read_virtio_name(const char *dir, char *out, size_t len)
{
	struct dirent *e;
	unsigned n;
	char c;
	DIR *dh;

	out[0] = 0;
	dh = opendir(dir);
	if (!dh)
		return;
	while ((e = readdir(dh)))
		if (sscanf(e->d_name, "virtio%u%c", &n, &c) == 1) {
			snprintf(out, len, "virtio%u", n);
			break;
		}
	closedir(dh);
}

/*
 * Read the standard config space (256 bytes) through @fd, the device's
 * sysfs config file, without ever reading pci_cfg_data of a PCI
 * configuration access capability: a read there makes the device read
 * the register its window points at, and if someone left the window on
 * the ISR that read would clear it (design rule 2).  So the capability
 * list is walked first, reading only each capability's first dword, and
 * the rest is read around the data windows, which stay 0 in @cfg.
 * Returns the bytes read (64 without root: the kernel hides the rest) or
 * -errno.
 */
static int cfg_read_safe(int fd, uint8_t *cfg)
{
	uint8_t skip[VQ_PCI_CFG_SIZE / 4] = { 0 }; /* dwords not to read */
	unsigned p, steps, i, j;
	ssize_t n;

	memset(cfg, 0, VQ_PCI_CFG_SIZE);
	n = pread(fd, cfg, 64, 0);
	if (n < 0)
		return -errno;
	if (n < 64)
		return (int)n;
	if (le16(cfg + PCI_STATUS) & PCI_STATUS_CAP_LIST) {
		p = cfg[PCI_CAPABILITY_LIST] & ~3u;
		for (steps = 0; p >= 64 && p < VQ_PCI_CFG_SIZE && steps < 48 && !skip[p / 4]; steps++) {
			uint8_t *h = cfg + p;

			n = pread(fd, h, 4, p);
			if (n == 0)
				return 64; /* not root */
			if (n != 4)
				return n < 0 ? -errno : -EIO;
			if (h[PCI_CAP_LIST_ID] == PCI_CAP_ID_VNDR &&
			    h[VIRTIO_PCI_CAP_CFG_TYPE] == VIRTIO_PCI_CAP_PCI_CFG &&
			    p + VQ_PCI_CFG_CAP_DATA < VQ_PCI_CFG_SIZE)
				skip[(p + VQ_PCI_CFG_CAP_DATA) / 4] = 1;
			p = h[PCI_CAP_LIST_NEXT] & ~3u;
		}
	}
	for (i = 64 / 4; i < VQ_PCI_CFG_SIZE / 4; i = j) {
		if (skip[i]) {
			j = i + 1;
			continue;
		}
		for (j = i; j < VQ_PCI_CFG_SIZE / 4 && !skip[j]; j++)
			;
		n = pread(fd, cfg + 4 * i, 4 * (j - i), 4 * i);
		if (n == 0 && i == 64 / 4)
			return 64; /* not root */
		if (n != (ssize_t)(4 * (j - i)))
			return n < 0 ? -errno : -EIO;
	}
	return VQ_PCI_CFG_SIZE;
}

/* Fill one list entry from a libpci device.  Returns 0, or -ENOMEM. */
static int add_device(struct vq_dev_list *list, struct pci_dev *pd, char *err, size_t errlen)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE] = { 0 };
	struct vq_pcicap_walk w;
	struct pci_priv *p;
	struct vq_dev *d;
	char path[96];
	int i, ret, fd, n;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	d = vq_dev_list_add(list);
	if (!d) {
		free(p);
		return -ENOMEM;
	}
	d->t = &vq_transport_pci;
	d->priv = p;
	p->cw.fd = -1;
	snprintf(d->name, sizeof(d->name), "%04x:%02x:%02x.%d", pd->domain, pd->bus, pd->dev,
		 pd->func);
	snprintf(p->dir, sizeof(p->dir), "%s/%s", SYSFS_PCI, d->name);
	d->pci_device = pd->device_id;
	for (i = 0; i < 6; i++) {
		int io = (pd->known_fields & PCI_FILL_IO_FLAGS)
				 ? !!(pd->flags[i] & PCI_IORESOURCE_IO)
				 : !!(pd->base_addr[i] & PCI_BASE_ADDRESS_SPACE_IO);

		p->bar_io[i] = (uint8_t)io;
		p->bar_addr[i] = pd->base_addr[i] & (io ? PCI_ADDR_IO_MASK : PCI_ADDR_MEM_MASK);
		p->bar_size[i] = pd->size[i];
	}
	read_driver(p->dir, d->driver, sizeof(d->driver));
	read_virtio_name(p->dir, d->virtio_name, sizeof(d->virtio_name));

	/* Without root, sysfs gives only the first 64 bytes of config space:
	 * enough for the IDs, not for the capability list.  Read directly,
	 * not with pci_read_block(), to stay off pci_cfg_data. */
	snprintf(path, sizeof(path), "%s/config", p->dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -errno : cfg_read_safe(fd, cfg);
	if (fd >= 0)
		close(fd);
	if (n < 64) {
		snprintf(d->err, sizeof(d->err), "read config space of %s: %s", d->name,
			 n < 0 ? strerror(-n) : "short read");
	} else {
		p->cfg_ok = n == VQ_PCI_CFG_SIZE;
		if (!p->cfg_ok)
			snprintf(d->err, sizeof(d->err),
				 "read config space of %s: only the first 64 bytes are readable, not the capability list (run as root)",
				 d->name);
	}
	d->vendor_id = le16(cfg + PCI_SUBSYSTEM_VENDOR_ID);
	d->device_id = virtio_id(d->pci_device, le16(cfg + PCI_SUBSYSTEM_ID));
	if (!p->cfg_ok) {
		/* Transitional devices always have the legacy interface. */
		d->kind = d->pci_device >= VIRTIO_PCI_ID_MODERN ? VQ_T_PCI : VQ_T_PCI_LEGACY;
		if (!err[0])
			snprintf(err, errlen,
				 "read PCI config space: only the first 64 bytes are readable, not the virtio capabilities (run as root)");
		return 0;
	}
	ret = vq_pcicap_parse(cfg, sizeof(cfg), d->caps, VQ_PCI_CAPS_MAX, &w);
	d->ncaps = w.n;
	if (ret < 0)
		snprintf(d->err, sizeof(d->err), "capability list of %s: %s", d->name, w.note);
	else if (w.dropped)
		snprintf(d->err, sizeof(d->err),
			 "capability list of %s: %u virtio capabilities beyond the first %d not kept",
			 d->name, w.dropped, VQ_PCI_CAPS_MAX);
	d->kind = vq_pcicap_first(d->caps, d->ncaps, VIRTIO_PCI_CAP_COMMON_CFG) ? VQ_T_PCI
										 : VQ_T_PCI_LEGACY;
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct vq_dev *)a)->name, ((const struct vq_dev *)b)->name);
}

static int pci_enumerate(struct vq_dev_list *list, struct vq_mem *image, char *err,
			 size_t errlen)
{
	struct pci_access *pacc;
	struct pci_dev *pd;
	size_t first = list->n;
	volatile int ret = 0;

	(void)image; /* live only */
	err[0] = 0;
	pacc = pci_alloc();
	if (!pacc) {
		snprintf(err, errlen, "scan PCI devices: out of memory");
		return -ENOMEM;
	}
	pacc->error = lib_error;
	pacc->warning = lib_quiet;
	pacc->debug = lib_quiet;
	/* BARs are reached through the sysfs resource files, so sysfs it is. */
	pacc->method = PCI_ACCESS_SYS_BUS_PCI;
	if (setjmp(lib_jmp)) {
		snprintf(err, errlen, "scan PCI devices through libpci (%s): %s", SYSFS_PCI,
			 lib_msg);
		/* A second failure while cleaning up only leaks. */
		if (!setjmp(lib_jmp))
			pci_cleanup(pacc);
		return -EIO;
	}
	pci_init(pacc);
	pci_scan_bus(pacc);
	for (pd = pacc->devices; pd && !ret; pd = pd->next) {
		pci_fill_info(pd, PCI_FILL_IDENT | PCI_FILL_BASES | PCI_FILL_SIZES | PCI_FILL_CLASS |
					  PCI_FILL_IO_FLAGS);
		if (pd->vendor_id != VIRTIO_PCI_VENDOR || pd->device_id < VIRTIO_PCI_ID_FIRST ||
		    pd->device_id > VIRTIO_PCI_ID_LAST)
			continue;
		ret = add_device(list, pd, err, errlen);
	}
	pci_cleanup(pacc);
	if (ret < 0) {
		snprintf(err, errlen, "scan PCI devices: out of memory");
		return ret;
	}
	/* sysfs lists devices in no particular order; indices should be stable. */
	if (list->n - first > 1)
		qsort(list->devs + first, list->n - first, sizeof(*list->devs), cmp_name);
	return (int)(list->n - first);
}

/* The standard config space as it is now (the command register and MSI-X
 * enable change while a driver binds).  Returns bytes read (64 without
 * root, 256 with) or -errno. */
static int read_config_space(struct vq_dev *d, uint8_t *cfg)
{
	char hint[160];
	struct pci_priv *p = d->priv;
	char path[96];
	int fd, e, n;

	snprintf(path, sizeof(path), "%s/config", p->dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		return dev_fail(d, -e, "open %s: %s%s", path, strerror(e),
				vq_refusal_hint(path, e, VQ_REFUSE_OPEN, hint, sizeof(hint)));
	}
	n = cfg_read_safe(fd, cfg);
	close(fd);
	if (n < 64)
		return dev_fail(d, n < 0 ? n : -EIO, "read %s: %s", path,
				n < 0 ? strerror(-n) : "short read (device gone?)");
	return n;
}

/* @len bytes at @off of BAR @bar of PCI device @name as a register
 * window: its sysfs resource file, mapped, or read with in/out for an I/O
 * BAR (@io), which cannot be mapped. */
static int bar_window(const char *name, unsigned bar, uint64_t off, uint64_t len, int io,
		      int writable, const char *what, struct vq_regwin *w, char *err, size_t errlen)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/%s/resource%u", SYSFS_PCI, name, bar);
	if (io)
		return vq_regwin_open_file(w, path, off, len, writable, what, err, errlen);
	return vq_regwin_open_map(w, path, off, len, writable, what, err, errlen);
}

/*
 * Open @len bytes at @off of BAR @bar as a register window, after checking
 * that the BAR exists, has an address and is decoded (PCI command register
 * in @cfg).  Read-only unless @writable (selectors only).
 */
static int open_bar(struct vq_dev *d, const uint8_t *cfg, unsigned bar, uint64_t off,
		    uint64_t len, int writable, const char *reg, struct vq_regwin *w)
{
	struct pci_priv *p = d->priv;
	char what[96];
	uint16_t cmd = le16(cfg + PCI_COMMAND);
	int ret;

	snprintf(what, sizeof(what), "%s%sBAR%u of %s", reg ? reg : "", reg ? " in " : "", bar,
		 d->name);
	if (bar > 5 || !p->bar_size[bar])
		return dev_fail(d, -ENODEV, "read %s: the BAR is not implemented", what);
	if (!p->bar_addr[bar])
		return dev_fail(d, -ENXIO,
				"read %s: the BAR has no address assigned (firmware and kernel left it unmapped)",
				what);
	if (len > p->bar_size[bar] || off > p->bar_size[bar] - len)
		return dev_fail(d, -ERANGE,
				"read %s: %llu bytes at 0x%llx run past the end of the BAR (0x%llx bytes)",
				what, (unsigned long long)len, (unsigned long long)off,
				(unsigned long long)p->bar_size[bar]);
	if (!(cmd & (p->bar_io[bar] ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)))
		return dev_fail(d, -EIO,
				"read %s: %s decoding is off in the PCI command register (0x%04x), so the device does not answer there",
				what, p->bar_io[bar] ? "I/O" : "memory", cmd);
	ret = bar_window(d->name, bar, off, len, p->bar_io[bar], writable, what, w, d->err,
			 sizeof(d->err));
	if (ret == -ENOENT)
		snprintf(d->err + strlen(d->err), sizeof(d->err) - strlen(d->err),
			 " (the kernel made no sysfs file for this BAR)");
	/* With CONFIG_IO_STRICT_DEVMEM, Linux refuses to map a BAR a driver
	 * has claimed (iomem_is_exclusive()), and says only EINVAL. */
	if (ret == -EINVAL && !p->bar_io[bar] && d->driver[0]) {
		snprintf(d->err, sizeof(d->err),
			 "map %s: refused while driver %s owns it (CONFIG_IO_STRICT_DEVMEM; boot with iomem=relaxed)",
			 what, d->driver);
		ret = -EPERM;
	}
	return ret;
}

/* 1 when @len bytes at @off of BAR @bar overlap the region of an ISR
 * capability: reading there clears the ISR (design rule 2). */
static int isr_overlap(const struct vq_dev *d, unsigned bar, uint64_t off, uint64_t len)
{
	unsigned i;

	for (i = 0; i < d->ncaps; i++) {
		const struct vq_pci_cap *c = &d->caps[i];
		uint64_t clen = c->length ? c->length : 1; /* at least the ISR byte */

		if (c->cfg_type == VIRTIO_PCI_CAP_ISR_CFG && c->bar == bar && off < c->offset + clen &&
		    c->offset < off + len)
			return 1;
	}
	return 0;
}

static void put_le32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static int map_read(struct vq_dev *d, struct regs *r, uint64_t off, unsigned width, uint64_t *v)
{
	return vq_regwin_read(&r->win, off, width, v, d->err, sizeof(d->err));
}

static int map_write(struct vq_dev *d, struct regs *r, uint64_t off, unsigned width, uint64_t v)
{
	return vq_regwin_write(&r->win, off, width, v, d->err, sizeof(d->err));
}

/* @n bytes of config space at @at through the window's file descriptor. */
static int cfgwin_io(struct vq_dev *d, void *buf, size_t n, unsigned at, int write)
{
	char hint[160];
	struct pci_priv *p = d->priv;
	ssize_t r;
	int e;

	r = write ? pwrite(p->cw.fd, buf, n, at) : pread(p->cw.fd, buf, n, at);
	if (r == (ssize_t)n)
		return 0;
	e = r < 0 ? errno : EIO;
	return dev_fail(d, -e, "%s config space of %s at 0x%02x (PCI configuration access capability): %s%s",
			write ? "write" : "read", d->name, at, r < 0 ? strerror(e) : "short transfer",
			r < 0 && write ? vq_refusal_hint("config", e, VQ_REFUSE_WRITE, hint, sizeof(hint))
				       : "");
}

/* cap.bar, cap.offset and cap.length as the device has them now. */
static int cfgwin_fields(struct vq_dev *d, uint8_t *bar, uint32_t *offset, uint32_t *length)
{
	struct pci_priv *p = d->priv;
	uint8_t b[12]; /* cap.bar .. cap.length: never pci_cfg_data */
	int ret;

	ret = cfgwin_io(d, b, sizeof(b), p->cw.pos + VIRTIO_PCI_CAP_BAR, 0);
	if (ret)
		return ret;
	*bar = b[0];
	*offset = le32(b + VIRTIO_PCI_CAP_OFFSET - VIRTIO_PCI_CAP_BAR);
	*length = le32(b + VIRTIO_PCI_CAP_LENGTH - VIRTIO_PCI_CAP_BAR);
	return 0;
}

/* One field of the window written.  A write Linux refused (lockdown)
 * changed nothing, so it leaves nothing to put back. */
static int cfgwin_put(struct vq_dev *d, const void *b, size_t n, unsigned at)
{
	struct pci_priv *p = d->priv;
	int ret = cfgwin_io(d, (void *)b, n, at, 1);

	if (ret != -EPERM && ret != -EACCES)
		p->cw.dirty = 1;
	return ret;
}

static int cfgwin_set(struct vq_dev *d, uint8_t bar, uint32_t offset, uint32_t length)
{
	struct pci_priv *p = d->priv;
	struct cfgwin *cw = &p->cw;
	uint8_t b[4];
	int ret;

	/* None of these three fields is pci_cfg_data, so writing them makes
	 * the device access nothing. */
	if (bar != cw->bar) {
		if ((ret = cfgwin_put(d, &bar, 1, cw->pos + VIRTIO_PCI_CAP_BAR)))
			return ret;
		cw->bar = bar;
	}
	if (offset != cw->offset) {
		put_le32(b, offset);
		if ((ret = cfgwin_put(d, b, 4, cw->pos + VIRTIO_PCI_CAP_OFFSET)))
			return ret;
		cw->offset = offset;
	}
	if (length != cw->length) {
		put_le32(b, length);
		if ((ret = cfgwin_put(d, b, 4, cw->pos + VIRTIO_PCI_CAP_LENGTH)))
			return ret;
		cw->length = length;
	}
	return 0;
}

/*
 * First use of the window in this read_state(): open the config file
 * read-write (root only), take the lock that keeps two vqdumps from
 * moving one window under each other, and save the fields to restore.
 */
static int cfgwin_begin(struct vq_dev *d)
{
	char hint[160];
	struct pci_priv *p = d->priv;
	struct cfgwin *cw = &p->cw;
	const struct vq_pci_cap *c;
	char path[96];
	int e, i, ret;

	if (cw->active)
		return 0;
	c = vq_pcicap_first(d->caps, d->ncaps, VIRTIO_PCI_CAP_PCI_CFG);
	if (!c)
		return dev_fail(d, -ENODEV, "%s has no PCI configuration access capability", d->name);
	if (cw->fd < 0) {
		snprintf(path, sizeof(path), "%s/config", p->dir);
		cw->fd = open(path, O_RDWR | O_CLOEXEC);
		if (cw->fd < 0) {
			e = errno;
			return dev_fail(d, -e, "open %s for the PCI configuration access capability: %s%s",
					path, strerror(e),
					vq_refusal_hint(path, e, VQ_REFUSE_OPEN, hint, sizeof(hint)));
		}
	}
	cw->pos = c->pos;
	for (i = 0; flock(cw->fd, LOCK_EX | LOCK_NB); i++) {
		e = errno;
		if (e != EWOULDBLOCK || i >= CFGWIN_LOCK_TRIES)
			return dev_fail(d, -e, "lock %s/config: %s", p->dir,
					e == EWOULDBLOCK ? "another vqdump keeps using the PCI configuration access capability"
							 : strerror(e));
		usleep(10000);
	}
	ret = cfgwin_fields(d, &cw->saved_bar, &cw->saved_offset, &cw->saved_length);
	if (ret) {
		flock(cw->fd, LOCK_UN);
		return ret;
	}
	cw->bar = cw->saved_bar;
	cw->offset = cw->saved_offset;
	cw->length = cw->saved_length;
	cw->active = 1;
	cw->dirty = 0;
	cw->checked = 0;
	return 0;
}

/*
 * Put cap.bar, cap.offset and cap.length back as they were before this
 * read_state() (design rule 3: they are selectors too), check by reading
 * them back, and unlock.  pci_cfg_data itself keeps the last value read
 * or written through it: restoring that would take another register
 * access, at a place vqdump did not choose.  A failed restore is the
 * error returned; otherwise @ret stands.
 */
static int cfgwin_end(struct vq_dev *d, int ret)
{
	struct pci_priv *p = d->priv;
	struct cfgwin *cw = &p->cw;
	char before[sizeof(d->err)];
	uint8_t bar;
	uint32_t offset, length;
	int r = 0;

	if (!cw->active)
		return ret;
	copy_str(before, sizeof(before), d->err);
	if (cw->dirty) {
		/* Write all three whatever we think they hold. */
		cw->bar = (uint8_t)~cw->saved_bar;
		cw->offset = ~cw->saved_offset;
		cw->length = ~cw->saved_length;
		r = cfgwin_set(d, cw->saved_bar, cw->saved_offset, cw->saved_length);
		if (!r)
			r = cfgwin_fields(d, &bar, &offset, &length);
		if (!r && (bar != cw->saved_bar || offset != cw->saved_offset ||
			   length != cw->saved_length))
			r = dev_fail(d, -EIO,
				     "restore the PCI configuration access capability of %s: reads back bar %u offset 0x%x length %u, not bar %u offset 0x%x length %u",
				     d->name, bar, offset, length, cw->saved_bar, cw->saved_offset,
				     cw->saved_length);
		if (r) {
			char why[sizeof(d->err)];
			int k;

			copy_str(why, sizeof(why), d->err);
			k = snprintf(d->err, sizeof(d->err), "restore cap.bar/offset/length of %s: ",
				     d->name);
			if (k > 0 && (size_t)k < sizeof(d->err))
				copy_str(d->err + k, sizeof(d->err) - (size_t)k, why);
		} else {
			cw->dirty = 0;
		}
	}
	flock(cw->fd, LOCK_UN);
	cw->active = 0;
	if (!r && ret)
		copy_str(d->err, sizeof(d->err), before);
	return r ? r : ret;
}

/*
 * One register access of @width bytes (1, 2 or 4) at @off of BAR @bar
 * through the PCI configuration access capability (virtio 1.3, 4.1.4.9):
 * point the window there, then read or write pci_cfg_data.
 */
static int cfgwin_access(struct vq_dev *d, struct regs *r, uint64_t off, unsigned width,
			 uint64_t *v, int write)
{
	struct pci_priv *p = d->priv;
	struct cfgwin *cw = &p->cw;
	uint8_t b[4] = { 0 }, bar;
	uint32_t offset, length;
	unsigned i;
	int ret;

	/* The driver rules of 4.1.4.9.1: cap.offset a multiple of cap.length. */
	if (off % width || off > UINT32_MAX - width)
		return dev_fail(d, -EINVAL,
				"%s register 0x%llx: unaligned or beyond 4 GiB, out of the PCI configuration access capability's reach",
				r->what, (unsigned long long)(off - r->base));
	/* Never point the window at the ISR, whatever asked for it. */
	if (isr_overlap(d, r->bar, off, width))
		return dev_fail(d, -EPERM, "%s register 0x%llx: overlaps the ISR, which vqdump does not read",
				r->what, (unsigned long long)(off - r->base));
	if ((ret = cfgwin_begin(d)) || (ret = cfgwin_set(d, (uint8_t)r->bar, (uint32_t)off, width)))
		return ret;
	if (cw->dirty && !cw->checked) {
		/* A device that ignores the writes would answer for the
		 * register the window was on before. */
		if ((ret = cfgwin_fields(d, &bar, &offset, &length)))
			return ret;
		if (bar != r->bar || offset != off || length != width)
			return dev_fail(d, -EIO,
					"the PCI configuration access capability of %s does not keep what is written (bar %u offset 0x%x length %u read back)",
					d->name, bar, offset, length);
		cw->checked = 1;
	}
	if (write) {
		for (i = 0; i < width; i++)
			b[i] = (uint8_t)(*v >> (8 * i));
		return cfgwin_io(d, b, width, cw->pos + VQ_PCI_CFG_CAP_DATA, 1);
	}
	if ((ret = cfgwin_io(d, b, 4, cw->pos + VQ_PCI_CFG_CAP_DATA, 0)))
		return ret;
	for (*v = 0, i = 0; i < width; i++)
		*v |= (uint64_t)b[i] << (8 * i);
	return 0;
}

static int cfg_reg(struct vq_dev *d, struct regs *r, uint64_t off, unsigned width, uint64_t *v,
		   int write)
{
	int ret;

	if (width == 8) {
		uint64_t lo = *v & 0xffffffffu, hi = *v >> 32;

		ret = cfg_reg(d, r, off, 4, &lo, write);
		if (!ret)
			ret = cfg_reg(d, r, off + 4, 4, &hi, write);
		if (!ret && !write)
			*v = lo | hi << 32;
		return ret;
	}
	if (width != 1 && width != 2 && width != 4)
		return dev_fail(d, -EINVAL, "%s: bad access width %u", r->what, width);
	if (off > r->len || width > r->len - off)
		return dev_fail(d, -ERANGE, "%s: register 0x%llx beyond the window's %llu bytes",
				r->what, (unsigned long long)off, (unsigned long long)r->len);
	if (write && !r->writable)
		return dev_fail(d, -EPERM, "%s: window is read-only", r->what);
	return cfgwin_access(d, r, r->base + off, width, v, write);
}

static int cfg_read(struct vq_dev *d, struct regs *r, uint64_t off, unsigned width, uint64_t *v)
{
	return cfg_reg(d, r, off, width, v, 0);
}

static int cfg_write(struct vq_dev *d, struct regs *r, uint64_t off, unsigned width, uint64_t v)
{
	return cfg_reg(d, r, off, width, &v, 1);
}

/* Errors of open_bar() after which the PCI configuration access
 * capability may still reach the registers: the mapping was refused
 * (CONFIG_IO_STRICT_DEVMEM while a driver owns the BAR), or the BAR has
 * no sysfs file, no address or decoding off. */
static int cfg_may_help(int ret)
{
	return ret == -EPERM || ret == -EINVAL || ret == -EACCES || ret == -ENOENT ||
	       ret == -ENXIO || ret == -EIO;
}

/*
 * Set up @r for @len bytes at @off of BAR @bar: the sysfs resource file
 * when Linux lets vqdump have it, else, for the structures of a modern
 * device (@modern), the PCI configuration access capability.  Read-only
 * unless @writable (selectors only).
 */
static int open_regs(struct vq_dev *d, const uint8_t *cfg, unsigned bar, uint64_t off,
		     uint64_t len, int writable, int modern, const char *reg, struct regs *r)
{
	struct pci_priv *p = d->priv;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	r->win.fd = -1;
	r->bar = bar;
	r->base = off;
	r->len = len;
	r->writable = writable;
	snprintf(r->what, sizeof(r->what), "%s%sBAR%u of %s", reg ? reg : "", reg ? " in " : "",
		 bar, d->name);
	if (modern && isr_overlap(d, bar, off, len))
		return dev_fail(d, -EPROTO,
				"read %s: its %llu bytes at 0x%llx overlap the ISR (reading clears it), so vqdump does not read them",
				r->what, (unsigned long long)len, (unsigned long long)off);
	/* Once this read_state() went through config space, stay there. */
	if (p->path != PATH_PCI_CFG) {
		ret = open_bar(d, cfg, bar, off, len, writable, reg, &r->win);
		if (!ret) {
			r->read = map_read;
			r->write = map_write;
			r->path = PATH_MAPPED;
			r->open = 1;
			return 0;
		}
		if (!modern || !cfg_may_help(ret))
			return ret;
		copy_str(p->map_why, sizeof(p->map_why), d->err);
	}
	if (bar > 5 || !p->bar_size[bar])
		return dev_fail(d, -ENODEV, "read %s: the BAR is not implemented", r->what);
	if (len > p->bar_size[bar] || off > p->bar_size[bar] - len)
		return dev_fail(d, -ERANGE,
				"read %s: %llu bytes at 0x%llx run past the end of the BAR (0x%llx bytes)",
				r->what, (unsigned long long)len, (unsigned long long)off,
				(unsigned long long)p->bar_size[bar]);
	if (!vq_pcicap_first(d->caps, d->ncaps, VIRTIO_PCI_CAP_PCI_CFG))
		return dev_fail(d, ret ? ret : -ENODEV, "%s; no PCI configuration access capability either",
				p->map_why);
	ret = cfgwin_begin(d);
	if (ret) {
		char why[sizeof(d->err)];

		copy_str(why, sizeof(why), d->err);
		return dev_fail(d, ret, "%s; %s", p->map_why, why);
	}
	d->err[0] = 0;
	r->read = cfg_read;
	r->write = cfg_write;
	r->path = PATH_PCI_CFG;
	r->open = 1;
	p->path = PATH_PCI_CFG;
	return 0;
}

static void close_regs(struct regs *r)
{
	if (r->open && r->path == PATH_MAPPED)
		vq_regwin_close(&r->win);
	r->open = 0;
}

static int rd(struct vq_dev *d, struct regs *r, uint64_t off, unsigned width, uint64_t *v)
{
	*v = 0;
	return r->read(d, r, off, width, v);
}

static int wr(struct vq_dev *d, struct regs *r, uint64_t off, unsigned width, uint64_t v)
{
	return r->write(d, r, off, width, v);
}

/* How much device config to read: what the spec defines for the type (or
 * 256 when vqdump has no layout for it), within @avail and VQ_CONFIG_MAX. */
static unsigned config_want(uint32_t device_id, uint64_t avail)
{
	uint64_t want = vq_config_size(device_id);

	if (!want)
		want = 256;
	if (want > avail)
		want = avail;
	return want > VQ_CONFIG_MAX ? VQ_CONFIG_MAX : (unsigned)want;
}

/* A selector register set up writable on its own, so nothing else can be
 * written, with the value to put back. */
struct selector {
	struct regs r;  /* exactly the selector's width */
	unsigned width; /* 2 or 4 bytes */
	uint64_t saved; /* value before vqdump touched it */
	int dirty;      /* written since @saved was read */
	int refused;    /* a write was refused before it reached the device (lockdown) */
};

static int sel_open(struct vq_dev *d, const uint8_t *cfg, unsigned bar, uint64_t off,
		    unsigned width, int modern, const char *name, struct selector *s)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->width = width;
	ret = open_regs(d, cfg, bar, off, width, 1, modern, name, &s->r);
	if (ret)
		return ret;
	return rd(d, &s->r, 0, width, &s->saved);
}

static int sel_set(struct vq_dev *d, struct selector *s, uint64_t v)
{
	int ret = wr(d, &s->r, 0, s->width, v);

	/* Refused by Linux (lockdown): nothing reached the device, nothing
	 * to put back.  Any other failure may have changed it. */
	if (ret == -EPERM || ret == -EACCES)
		s->refused = 1;
	else
		s->dirty = 1;
	return ret;
}

/* Put the selector back and close it.  A failed restore is the error
 * reported (the device was left changed); otherwise @ret stands. */
static int sel_restore(struct vq_dev *d, struct selector *s, int ret)
{
	char before[sizeof(d->err)];
	int r = 0;

	if (!s->r.open)
		return ret;
	if (s->dirty) {
		copy_str(before, sizeof(before), d->err);
		r = wr(d, &s->r, 0, s->width, s->saved);
		if (r) {
			char why[sizeof(d->err)];
			int k;

			copy_str(why, sizeof(why), d->err);
			k = snprintf(d->err, sizeof(d->err), "restore %s to %llu: ", s->r.what,
				     (unsigned long long)s->saved);
			if (k > 0 && (size_t)k < sizeof(d->err))
				copy_str(d->err + k, sizeof(d->err) - (size_t)k, why);
		} else if (ret) {
			copy_str(d->err, sizeof(d->err), before);
		}
		s->dirty = 0;
	}
	close_regs(&s->r);
	return r ? r : ret;
}

static const struct vq_pci_cap *usable_cap(struct vq_dev *d, uint8_t type)
{
	struct pci_priv *p = d->priv;
	unsigned i;

	/* The first of its type whose BAR exists, as Linux chooses. */
	for (i = 0; i < d->ncaps; i++)
		if (d->caps[i].cfg_type == type && d->caps[i].bar < 6 &&
		    p->bar_size[d->caps[i].bar])
			return &d->caps[i];
	return vq_pcicap_first(d->caps, d->ncaps, type);
}

/*
 * The register access inspection gives the register operations: reads of
 * the structures open in @space, and writes to the selectors in @sel
 * only, each restored by sel_restore() before read_state returns.
 */
struct insp {
	struct vq_dev *d;                 /* the device being read */
	struct regs *space[VQ_RS_N];      /* open structures, NULL: none */
	struct selector *sel[3];          /* the selectors that may be written */
	uint64_t sel_at[3];               /* their offsets in VQ_RS_COMMON */
	unsigned nsel;                    /* used entries of @sel */
};

static int insp_io(struct vq_regs *r, enum vq_reg_space space, uint64_t off, unsigned width,
		   uint64_t *v, int write)
{
	struct insp *x = r->io_ctx;
	struct regs *s = space < VQ_RS_N ? x->space[space] : NULL;
	unsigned i;

	if (!s || !s->open)
		return dev_fail(x->d, -ENODEV, "read %s: register structure %d is not open",
				x->d->name, (int)space);
	if (!write)
		return rd(x->d, s, off, width, v);
	for (i = 0; i < x->nsel; i++)
		if (space == VQ_RS_COMMON && off == x->sel_at[i] && width == x->sel[i]->width)
			return sel_set(x->d, x->sel[i], *v);
	return dev_fail(x->d, -EPERM, "%s: refusing to write register 0x%llx: not a selector",
			s->what, (unsigned long long)off);
}

/* Register operations @ops over the structures of @x, for inspection. */
static void insp_init(struct insp *x, struct vq_regs *r, struct vq_dev *d,
		      const struct vq_reg_ops *ops, struct regs *common, struct regs *device)
{
	memset(x, 0, sizeof(*x));
	x->d = d;
	x->space[VQ_RS_COMMON] = common;
	x->space[VQ_RS_DEVICE] = device;
	vq_regs_init(r, ops, d->err, sizeof(d->err));
	r->io = insp_io;
	r->io_ctx = x;
	r->len[VQ_RS_COMMON] = common->len;
}

/* Let the operations write @s, at @at of VQ_RS_COMMON, once it is open. */
static void insp_sel(struct insp *x, struct selector *s, uint64_t at)
{
	if (!s->r.open || x->nsel >= sizeof(x->sel) / sizeof(x->sel[0]))
		return;
	x->sel[x->nsel] = s;
	x->sel_at[x->nsel++] = at;
}

/* The queues of a modern device, num_queues of them, through queue_select. */
static int modern_queues(struct vq_dev *d, struct vq_regs *r)
{
	unsigned i, n = d->num_queues;
	int ret;

	if (n > VQ_QUEUES_MAX)
		n = VQ_QUEUES_MAX;
	d->num_queues = (uint16_t)n;
	if (!n)
		return 0;
	d->queues = calloc(n, sizeof(*d->queues));
	if (!d->queues)
		return dev_fail(d, -ENOMEM, "read queues of %s: out of memory", d->name);
	for (i = 0; i < n; i++) {
		struct vq_queue_state *q = &d->queues[i];
		struct vq_reg_queue rq = { 0 };

		q->index = (uint16_t)i;
		ret = r->ops->queue_select(r, i);
		if (!ret)
			ret = r->ops->queue_read(r, &rq);
		if (ret)
			return ret;
		q->size = (uint16_t)rq.size;
		/* queue_size holds the maximum only until the driver writes it;
		 * after reset (status 0) nobody has. */
		q->max_size = d->status ? 0 : q->size;
		q->size_src = VQ_SRC_REGISTERS;
		q->addr_src = VQ_SRC_REGISTERS;
		q->enabled = rq.enabled;
		q->msix_vector = rq.msix_vector;
		q->notify_off = rq.notify_off;
		q->desc = rq.desc;
		q->avail = rq.avail;
		q->used = rq.used;
	}
	return 0;
}

/* Device configuration between two equal configuration generations. */
static int modern_config(struct vq_dev *d, const uint8_t *cfg, struct vq_regs *r)
{
	struct pci_priv *p = d->priv;
	const struct vq_pci_cap *dc = usable_cap(d, VIRTIO_PCI_CAP_DEVICE_CFG);
	unsigned len, tries;
	uint32_t g1, g2;
	int ret;

	d->config_len = 0;
	d->config_consistent = 1;
	if ((ret = r->ops->config_generation(r, &g1)))
		return ret;
	d->config_generation = (int)g1;
	if (!dc)
		return 0; /* a device type without device-specific configuration */
	len = config_want(d->device_id, dc->length);
	if (!p->devcfg.open &&
	    (ret = open_regs(d, cfg, dc->bar, dc->offset, len, 0, 1, NULL, &p->devcfg)))
		return ret;
	r->len[VQ_RS_DEVICE] = len;
	for (tries = 0; tries < CONFIG_TRIES; tries++) {
		if ((ret = r->ops->config_generation(r, &g1)) ||
		    (ret = r->ops->config_read(r, d->device_id, 0, d->config, len)) ||
		    (ret = r->ops->config_generation(r, &g2)))
			return ret;
		if (g1 == g2)
			break;
	}
	d->config_len = len;
	d->config_generation = (int)g2;
	d->config_consistent = g1 == g2;
	return 0;
}

/* Status, queue count and config vector: the registers that need no selector. */
static int modern_header(struct vq_dev *d, const struct vq_pci_cap *cc, struct vq_regs *r)
{
	struct pci_priv *p = d->priv;
	uint8_t st;
	uint16_t v;
	int ret;

	if ((ret = r->ops->get_status(r, &st))) {
		/* The configuration access path failing at once (a device
		 * that ignores the window) has read nothing either. */
		p->unreachable = p->common.path == PATH_PCI_CFG;
		return ret;
	}
	d->status = st;
	if ((ret = r->ops->num_queues(r, &v)))
		return ret;
	d->num_queues = v;
	/* Status 0xff sets bits the spec leaves unused: nothing answered. */
	if (d->status == 0xff && d->num_queues == 0xffff)
		return dev_fail(d, -EIO,
				"read BAR%u of %s: registers read as all ones (device gone or not decoding)",
				cc->bar, d->name);
	if ((ret = r->ops->config_vector(r, &v)))
		return ret;
	d->msix_config = v;
	return 0;
}

/* The feature words 0..3, offered and accepted. */
static int modern_features(struct vq_dev *d, struct vq_regs *r)
{
	uint32_t w;
	unsigned i;
	int ret;

	for (i = 0; i < 4; i++) {
		if ((ret = r->ops->device_features(r, i, &w)))
			return ret;
		d->device_features[i] = w;
		if ((ret = r->ops->driver_features(r, i, &w)))
			return ret;
		d->driver_features[i] = w;
	}
	return 0;
}

static int modern_read(struct vq_dev *d, const uint8_t *cfg)
{
	struct pci_priv *p = d->priv;
	const struct vq_pci_cap *cc = usable_cap(d, VIRTIO_PCI_CAP_COMMON_CFG);
	struct selector dsel, gsel, qsel;
	struct regs *c = &p->common;
	struct vq_regs r;
	struct insp x;
	int ret;

	if (!cc)
		return dev_fail(d, -ENODEV, "read %s: no common configuration capability", d->name);
	if (cc->length < COMMON_LEN)
		return dev_fail(d, -EPROTO,
				"read common configuration of %s: its capability at 0x%02x is %llu bytes, less than the %u of struct virtio_pci_common_cfg",
				d->name, cc->pos, (unsigned long long)cc->length, COMMON_LEN);
	if (!c->open) {
		ret = open_regs(d, cfg, cc->bar, cc->offset, COMMON_LEN, 0, 1, NULL, c);
		if (ret) {
			p->unreachable = 1;
			return ret;
		}
	}
	p->path = c->path;
	insp_init(&x, &r, d, &vq_regs_pci_modern, c, &p->devcfg);
	if ((ret = modern_header(d, cc, &r)))
		return ret;

	/* The only writes: three selectors, each restored below (and, on the
	 * configuration access path, the capability's window, restored by
	 * cfgwin_end() before read_state returns). */
	memset(&gsel, 0, sizeof(gsel));
	memset(&qsel, 0, sizeof(qsel));
	ret = sel_open(d, cfg, cc->bar, cc->offset + VIRTIO_PCI_COMMON_DFSELECT, 4, 1,
		       "device_feature_select", &dsel);
	if (!ret)
		ret = sel_open(d, cfg, cc->bar, cc->offset + VIRTIO_PCI_COMMON_GFSELECT, 4, 1,
			       "driver_feature_select", &gsel);
	if (!ret)
		ret = sel_open(d, cfg, cc->bar, cc->offset + VIRTIO_PCI_COMMON_Q_SELECT, 2, 1,
			       "queue_select", &qsel);
	insp_sel(&x, &dsel, VIRTIO_PCI_COMMON_DFSELECT);
	insp_sel(&x, &gsel, VIRTIO_PCI_COMMON_GFSELECT);
	insp_sel(&x, &qsel, VIRTIO_PCI_COMMON_Q_SELECT);
	if (!ret)
		ret = modern_features(d, &r);
	ret = sel_restore(d, &dsel, ret);
	ret = sel_restore(d, &gsel, ret);
	if (!ret) {
		d->device_features_src = VQ_SRC_REGISTERS;
		d->driver_features_src = VQ_SRC_REGISTERS;
		ret = modern_queues(d, &r);
	}
	ret = sel_restore(d, &qsel, ret);
	if (ret)
		return ret;
	return modern_config(d, cfg, &r);
}

/* Legacy device config: no generation counter, so read until two reads
 * agree. */
static int legacy_config(struct vq_dev *d, struct vq_regs *r)
{
	struct pci_priv *p = d->priv;
	uint8_t again[VQ_CONFIG_MAX];
	unsigned off = VIRTIO_PCI_CONFIG_OFF(r->msix), len, tries;
	int ret, same = 0;

	len = config_want(d->device_id, p->bar_size[0] > off ? p->bar_size[0] - off : 0);
	if ((ret = r->ops->config_read(r, d->device_id, 0, d->config, len)))
		return ret;
	for (tries = 1; tries < CONFIG_TRIES && !same; tries++) {
		if ((ret = r->ops->config_read(r, d->device_id, 0, again, len)))
			return ret;
		same = !memcmp(again, d->config, len);
		memcpy(d->config, again, len);
	}
	d->config_len = len;
	d->config_generation = -1;
	d->config_consistent = same;
	return 0;
}

/* Whether the legacy header can be read, and whether MSI-X is on (it
 * moves the device config from 20 to 24): 0 or 1, or -errno. */
static int legacy_check(struct vq_dev *d, const uint8_t *cfg, int cfg_bytes)
{
	struct pci_priv *p = d->priv;
	int msix;

	if (!p->bar_io[0] || p->bar_size[0] < VIRTIO_PCI_CONFIG_OFF(0))
		return dev_fail(d, -ENODEV,
				"read %s: no virtio common configuration capability and BAR0 is not a legacy I/O BAR",
				d->name);
	if (cfg_bytes < VQ_PCI_CFG_SIZE)
		return dev_fail(d, -EACCES,
				"read config space of %s: only 64 bytes readable, cannot tell whether MSI-X is on (run as root)",
				d->name);
	msix = vq_pci_msix_enabled(cfg, VQ_PCI_CFG_SIZE);
	if (msix < 0)
		return dev_fail(d, msix, "read %s: capability list is broken, cannot tell whether MSI-X is on",
				d->name);
	return msix;
}

/* Features, status and config vector of the legacy header. */
static int legacy_header(struct vq_dev *d, struct vq_regs *r)
{
	uint32_t w;
	uint16_t v;
	uint8_t st;
	int ret;

	if ((ret = r->ops->device_features(r, 0, &w)))
		return ret;
	d->device_features[0] = w;
	if ((ret = r->ops->driver_features(r, 0, &w)))
		return ret;
	d->driver_features[0] = w;
	d->device_features_src = d->driver_features_src = VQ_SRC_REGISTERS;
	if ((ret = r->ops->get_status(r, &st)))
		return ret;
	d->status = st;
	if (d->status == 0xff && d->device_features[0] == 0xffffffffu)
		return dev_fail(d, -EIO,
				"read BAR0 of %s: registers read as all ones (device gone or not decoding)",
				d->name);
	if ((ret = r->ops->config_vector(r, &v)))
		return ret;
	d->msix_config = v;
	return 0;
}

/* Room for queue @n in d->queues (@cap entries so far), zeroed. */
static struct vq_queue_state *queue_slot(struct vq_dev *d, unsigned n, unsigned *cap)
{
	if (n == *cap) {
		unsigned ncap = *cap ? 2 * *cap : 4;
		struct vq_queue_state *nq = realloc(d->queues, ncap * sizeof(*nq));

		if (!nq)
			return NULL;
		d->queues = nq;
		*cap = ncap;
	}
	memset(&d->queues[n], 0, sizeof(d->queues[n]));
	return &d->queues[n];
}

/* The queue count is not a register: probe until QUEUE_NUM reads 0. */
static int legacy_queues(struct vq_dev *d, struct vq_regs *r)
{
	unsigned n = 0, cap = 0;
	int ret = 0;

	while (n < VQ_QUEUES_MAX) {
		struct vq_reg_queue rq = { 0 };
		struct vq_queue_state *q;
		struct vq_ring_layout lay;

		if ((ret = r->ops->queue_select(r, n)) || (ret = r->ops->queue_read(r, &rq)))
			break;
		if (!rq.size)
			break;
		q = queue_slot(d, n, &cap);
		if (!q) {
			ret = dev_fail(d, -ENOMEM, "read queues of %s: out of memory", d->name);
			break;
		}
		q->index = (uint16_t)n;
		/* Legacy queue sizes are fixed by the device. */
		q->size = q->max_size = (uint16_t)rq.size;
		q->size_src = VQ_SRC_REGISTERS;
		q->addr_src = VQ_SRC_REGISTERS;
		q->enabled = rq.enabled;
		q->msix_vector = rq.msix_vector;
		if (rq.pfn) {
			vq_ring_layout_contig((uint64_t)rq.pfn << VIRTIO_PCI_QUEUE_ADDR_SHIFT, rq.size,
					      VIRTIO_PCI_VRING_ALIGN, &lay);
			q->desc = lay.desc;
			q->avail = lay.avail;
			q->used = lay.used;
		}
		n++;
	}
	d->num_queues = (uint16_t)n;
	return ret;
}

static int legacy_read(struct vq_dev *d, const uint8_t *cfg, int cfg_bytes)
{
	struct pci_priv *p = d->priv;
	struct regs *l = &p->legacy;
	struct selector qsel;
	struct vq_regs r;
	struct insp x;
	int msix, ret;

	msix = legacy_check(d, cfg, cfg_bytes);
	if (msix < 0)
		return msix;
	if (!l->open) {
		ret = open_regs(d, cfg, 0, 0, p->bar_size[0], 0, 0, NULL, l);
		if (ret) {
			p->unreachable = cfg_may_help(ret);
			return ret;
		}
	}
	p->path = PATH_MAPPED;
	insp_init(&x, &r, d, &vq_regs_pci_legacy, l, NULL);
	r.msix = msix;
	if ((ret = legacy_header(d, &r)))
		return ret;
	/* The one write: QUEUE_SEL, restored below. */
	ret = sel_open(d, cfg, 0, VIRTIO_PCI_QUEUE_SEL, 2, 0, "QUEUE_SEL", &qsel);
	insp_sel(&x, &qsel, VIRTIO_PCI_QUEUE_SEL);
	if (!ret)
		ret = legacy_queues(d, &r);
	else
		d->num_queues = 0;
	ret = sel_restore(d, &qsel, ret);
	/* The selector refused: the queues are out of reach, Linux's view
	 * and records are not. */
	if (ret && qsel.refused)
		p->unreachable = 1;
	if (ret)
		return ret;
	return legacy_config(d, &r);
}

/*
 * When the registers cannot be reached at all: what Linux's virtio core
 * says about the device (vbus.c).  @why says why the registers could not
 * be read, @hint how to get them.
 */
static int sysfs_read(struct vq_dev *d, const char *why, const char *hint)
{
	struct pci_priv *p = d->priv;
	int ret;

	/* The driver may have bound since enumerate. */
	read_virtio_name(p->dir, d->virtio_name, sizeof(d->virtio_name));
	ret = vq_vbus_read_state(d, why, hint);
	if (ret)
		return ret;
	p->path = PATH_SYSFS;
	/* Without root the capability list was unreadable and a transitional
	 * device was taken for legacy; VERSION_1 can only have been
	 * negotiated through the modern interface. */
	if (!p->cfg_ok && d->kind == VQ_T_PCI_LEGACY &&
	    vq_feature_has(d->driver_features, VIRTIO_F_VERSION_1))
		d->kind = VQ_T_PCI;
	return 0;
}

static int pci_read_state_path(struct vq_dev *d)
{
	struct pci_priv *p = d->priv;
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	char why[sizeof(d->err)];
	int n, ret;

	if (!p)
		return dev_fail(d, -EINVAL, "read %s: not a PCI device", d->name);
	free(d->queues);
	d->queues = NULL;
	d->num_queues = 0;
	d->err[0] = 0;
	d->refused[0] = 0;
	p->path = PATH_NONE;
	p->unreachable = 0;
	p->map_why[0] = 0;
	if (!p->cfg_ok)
		return sysfs_read(d, "only the first 64 bytes of its config space are readable",
				  "run as root to read the registers and queues");
	n = read_config_space(d, cfg);
	if (n < 0)
		return n;
	if (d->kind == VQ_T_PCI)
		ret = modern_read(d, cfg);
	else
		ret = legacy_read(d, cfg, n);
	/* Put the configuration access window back before returning. */
	ret = cfgwin_end(d, ret);
	if (!ret || !p->unreachable)
		return ret;
	copy_str(why, sizeof(why), d->err);
	/* The legacy I/O BAR is not subject to IO_STRICT_DEVMEM, and under
	 * lockdown iomem=relaxed would not help (the reason says lockdown). */
	return sysfs_read(d, why,
			  d->kind == VQ_T_PCI && !strstr(why, "lockdown")
				  ? "boot with iomem=relaxed to read the registers and queues"
				  : "");
}

static void pci_release(struct vq_dev *d)
{
	struct pci_priv *p = d->priv;

	if (p) {
		close_regs(&p->common);
		close_regs(&p->devcfg);
		close_regs(&p->legacy);
		if (p->cw.fd >= 0)
			close(p->cw.fd);
		free(p);
		d->priv = NULL;
	}
	free(d->queues);
	d->queues = NULL;
	d->num_queues = 0;
}

/* Read the state and say which path reached it. */
static int pci_read_state(struct vq_dev *d)
{
	static const enum vq_access_path map[] = {
		[PATH_NONE] = VQ_ACCESS_NONE,
		[PATH_MAPPED] = VQ_ACCESS_MAPPED,
		[PATH_PCI_CFG] = VQ_ACCESS_PCI_CFG,
		[PATH_SYSFS] = VQ_ACCESS_SYSFS,
	};
	struct pci_priv *p = d->priv;
	int ret;

	vq_vbus_driver(d);
	ret = pci_read_state_path(d);
	d->access = p ? map[p->path] : VQ_ACCESS_NONE;
	return ret;
}

/* ---- the driver's writable open ---- */

/* Memory (or, @io, I/O) space and bus mastering on in the command
 * register, said in r->enabled; whether MSI-X is on into @msix. */
static int pci_enable(const struct vq_dev *d, int io, struct vq_regs *r, int *msix, char *err,
		      size_t errlen)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	char path[96];
	uint16_t cmd, want;
	int fd, ret = 0;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/config", d->name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "open %s: %s%s", path, strerror(-ret),
			 ret == -EACCES ? " (run as root)" : "");
		return ret;
	}
	if (pread(fd, &cmd, 2, PCI_COMMAND) != 2) {
		ret = -EIO;
		snprintf(err, errlen, "read the command register of %s", d->name);
		goto out;
	}
	want = cmd | PCI_COMMAND_MASTER | (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY);
	if (want != cmd && pwrite(fd, &want, 2, PCI_COMMAND) != 2) {
		ret = -errno;
		snprintf(err, errlen, "write the command register of %s: %s", d->name, strerror(-ret));
		goto out;
	}
	snprintf(r->enabled, sizeof(r->enabled),
		 "command 0x%04x -> 0x%04x (%s space and bus master on; left on: the device needs them to work)",
		 cmd, want, io ? "I/O" : "memory");
	*msix = cfg_read_safe(fd, cfg) == VQ_PCI_CFG_SIZE &&
		vq_pci_msix_enabled(cfg, VQ_PCI_CFG_SIZE) > 0;
out:
	close(fd);
	return ret;
}

/* The first capability of @type in an existing BAR slot, as the driver uses it. */
static const struct vq_pci_cap *driver_cap(const struct vq_dev *d, uint8_t type)
{
	unsigned i;

	for (i = 0; i < d->ncaps; i++)
		if (d->caps[i].cfg_type == type && d->caps[i].bar < 6)
			return &d->caps[i];
	return NULL;
}

/* One structure a capability describes, writable, into r->win[@space]. */
static int open_cap_rw(const struct vq_dev *d, const struct vq_pci_cap *c, struct vq_regs *r,
		       enum vq_reg_space space, const char *what, char *err, size_t errlen)
{
	char desc[96];

	snprintf(desc, sizeof(desc), "%s in BAR%u of %s", what, c->bar, d->name);
	r->len[space] = c->length;
	return bar_window(d->name, c->bar, c->offset, c->length, 0, 1, desc, r->win[space], err,
			  errlen);
}

static int open_modern_rw(const struct vq_dev *d, struct vq_regs *r, char *err, size_t errlen)
{
	const struct vq_pci_cap *cc = driver_cap(d, VIRTIO_PCI_CAP_COMMON_CFG);
	const struct vq_pci_cap *nc = driver_cap(d, VIRTIO_PCI_CAP_NOTIFY_CFG);
	const struct vq_pci_cap *dc = driver_cap(d, VIRTIO_PCI_CAP_DEVICE_CFG);
	int ret, msix;

	if (!cc || !nc || !dc) {
		snprintf(err, errlen, "%s lacks a common, notify or device configuration capability",
			 d->name);
		return -ENODEV;
	}
	r->ops = &vq_regs_pci_modern;
	ret = pci_enable(d, 0, r, &msix, err, errlen);
	if (!ret)
		ret = open_cap_rw(d, cc, r, VQ_RS_COMMON, "common configuration", err, errlen);
	if (!ret)
		ret = open_cap_rw(d, nc, r, VQ_RS_NOTIFY, "notify structure", err, errlen);
	if (!ret)
		ret = open_cap_rw(d, dc, r, VQ_RS_DEVICE, "device configuration", err, errlen);
	r->notify_mult = nc->notify_off_multiplier;
	return ret;
}

static off_t file_size(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t n;

	if (fd < 0)
		return -1;
	n = lseek(fd, 0, SEEK_END);
	close(fd);
	return n;
}

static int open_legacy_rw(const struct vq_dev *d, struct vq_regs *r, char *err, size_t errlen)
{
	char path[96], desc[96];
	off_t len;
	int ret;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/resource0", d->name);
	len = file_size(path);
	if (len < 24) {
		snprintf(err, errlen, "%s: BAR0 (%s) is not a legacy virtio I/O BAR", d->name, path);
		return -ENODEV;
	}
	r->ops = &vq_regs_pci_legacy;
	r->win[VQ_RS_NOTIFY] = r->win[VQ_RS_DEVICE] = NULL;
	ret = pci_enable(d, 1, r, &r->msix, err, errlen);
	if (ret)
		return ret;
	snprintf(desc, sizeof(desc), "legacy header in BAR0 of %s", d->name);
	r->len[VQ_RS_COMMON] = (uint64_t)len;
	return bar_window(d->name, 0, 0, (uint64_t)len, 1, 1, desc, r->win[VQ_RS_COMMON], err,
			  errlen);
}

static int pci_open_regs(const struct vq_dev *d, struct vq_regs *r, char *err, size_t errlen)
{
	if (d->kind == VQ_T_PCI)
		return open_modern_rw(d, r, err, errlen);
	return open_legacy_rw(d, r, err, errlen);
}

const struct vq_transport vq_transport_pci = {
	.name = "pci",
	.help = "virtio-pci through libpci and /sys/bus/pci (root: config space, BAR files or the PCI configuration access capability)",
	.scope = VQ_SCOPE_LIVE,
	.enumerate = pci_enumerate,
	.read_state = pci_read_state,
	.release = pci_release,
	.open_regs = pci_open_regs,
};
