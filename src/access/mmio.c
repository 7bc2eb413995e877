/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-mmio transport: windows found in /proc/iomem, platform devices and the device tree, read through /dev/mem. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_config.h>

#include "../decode/config.h"
#include "../decode/mmio.h"
#include "regwin.h"
#include "transport.h"
#include "vbus.h"

#define IOMEM_PATH "/proc/iomem"
#define PLATFORM_DIR "/sys/bus/platform/devices"
#define VIRTIO_BUS_DIR "/sys/bus/virtio/devices"
#define DT_ROOT "/proc/device-tree"
#define DEVMEM_PATH "/dev/mem"

/* Retries of a device-configuration read whose ConfigGeneration moved. */
#define CONFIG_TRIES 5
/* Bytes the driver maps: registers and device configuration of one window. */
#define VQ_MMIO_DRIVER_LEN 0x200u
/* Deepest device-tree nesting walked (real trees are 3-5 deep). */
#define DT_MAX_DEPTH 12

struct mmio_priv {
	struct vq_regwin w; /* the window, mapped read-only */
	uint64_t len;       /* bytes of @w: registers and configuration */
	char plat[64];      /* platform device ("LNRO0005:00"), "" when none was found */
	char refused[256];  /* why Linux refused the window when it was listed from sysfs, "" */
};

/* A window some source says is there. */
struct cand {
	uint64_t base;  /* physical address */
	uint64_t size;  /* bytes, 0 when the source did not say */
	char plat[64];  /* platform device name, "" when not known */
};

struct cands {
	struct cand *v;           /* array */
	size_t n, cap;            /* used and allocated entries */
	unsigned unresolved_iomem; /* /proc/iomem windows shown at 0 (reader not root) */
	unsigned unresolved_plat;  /* platform devices no source gave an address for */
};

static int cand_add(struct cands *c, uint64_t base, uint64_t size, const char *plat, size_t platlen)
{
	struct cand *e = NULL;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].base == base)
			e = &c->v[i];
	if (!e) {
		if (c->n == c->cap) {
			size_t cap = c->cap ? 2 * c->cap : 16;
			struct cand *p = realloc(c->v, cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			c->v = p;
			c->cap = cap;
		}
		e = &c->v[c->n++];
		memset(e, 0, sizeof(*e));
		e->base = base;
	}
	if (!e->size)
		e->size = size;
	if (!e->plat[0] && plat && platlen && platlen < sizeof(e->plat)) {
		memcpy(e->plat, plat, platlen);
		e->plat[platlen] = 0;
	}
	return 0;
}

/* @a/@b into @out; -ENAMETOOLONG rather than a truncated path. */
static int pjoin(char *out, size_t len, const char *a, const char *b)
{
	int n = snprintf(out, len, "%s/%s", a, b);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* @src into @dst, cut to fit. */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

/* A small text or binary file; returns bytes read or -errno. */
static ssize_t read_small(const char *path, void *buf, size_t len)
{
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	r = read(fd, buf, len);
	if (r < 0)
		r = -errno;
	close(fd);
	return r;
}

/* /proc/iomem: "feb02e00-feb02fff : LNRO0005:00", nested once more with
 * the same range when the driver claims it.  Non-root readers see every
 * address as 0. */
static void from_iomem(struct cands *c)
{
	char line[256];
	FILE *f = fopen(IOMEM_PATH, "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		uint64_t start, end;
		unsigned depth;
		const char *name;
		size_t nl;

		if (!vq_mmio_iomem_line(line, &start, &end, &depth, &name, &nl) ||
		    !vq_mmio_name_match(name))
			continue;
		if (!start && !end) {
			/* The nested claim repeats its parent: count windows. */
			c->unresolved_iomem += depth == 0;
			continue;
		}
		cand_add(c, start, end - start + 1, name, strcspn(name, " \t\n"));
	}
	fclose(f);
}

/* Platform devices: device-tree ones carry their address in the name;
 * ACPI ones ("LNRO0005:00") do not (and have no resource file), so only
 * /proc/iomem, read above, gives theirs. */
static void from_platform(struct cands *c)
{
	DIR *dir = opendir(PLATFORM_DIR);
	struct dirent *de;

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		uint64_t addr;
		size_t i;
		int known = 0;

		if (!vq_mmio_name_match(de->d_name))
			continue;
		if (!vq_mmio_platform_addr(de->d_name, &addr)) {
			cand_add(c, addr, 0, de->d_name, strlen(de->d_name));
			continue;
		}
		for (i = 0; i < c->n; i++)
			known |= !strcmp(c->v[i].plat, de->d_name);
		if (!known)
			c->unresolved_plat++;
	}
	closedir(dir);
}

/* #address-cells / #size-cells of the node at @path (defaults from the
 * devicetree specification: 2 and 1). */
static void dt_cells_of(const char *path, unsigned *ac, unsigned *sc)
{
	char p[PATH_MAX];
	uint8_t b[4];

	*ac = 2;
	*sc = 1;
	if (!pjoin(p, sizeof(p), path, "#address-cells") && read_small(p, b, 4) == 4)
		*ac = (unsigned)b[0] << 24 | (unsigned)b[1] << 16 | (unsigned)b[2] << 8 | b[3];
	if (!pjoin(p, sizeof(p), path, "#size-cells") && read_small(p, b, 4) == 4)
		*sc = (unsigned)b[0] << 24 | (unsigned)b[1] << 16 | (unsigned)b[2] << 8 | b[3];
}

/* Parent directory of @path into @out; 0, or -1 at the tree's root. */
static int dt_parent(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!strcmp(path, DT_ROOT) || !slash)
		return -1;
	n = (size_t)(slash - path);
	if (n >= len)
		return -1;
	memcpy(out, path, n);
	out[n] = 0;
	return 0;
}

/* A "virtio,mmio" node: its first reg entry, translated to a CPU
 * physical address through every ancestor's "ranges". */
static void dt_node(struct cands *c, const char *path)
{
	char p[PATH_MAX], bus[PATH_MAX], up[PATH_MAX];
	uint8_t reg[64], ranges[512];
	uint64_t addr, size;
	unsigned ac, sc, pac, psc;
	ssize_t len;

	if (pjoin(p, sizeof(p), path, "status"))
		return;
	len = read_small(p, reg, sizeof(reg) - 1);
	if (len > 0) {
		reg[len] = 0;
		if (strcmp((char *)reg, "okay") && strcmp((char *)reg, "ok"))
			return;
	}
	if (pjoin(p, sizeof(p), path, "reg"))
		return;
	len = read_small(p, reg, sizeof(reg));
	if (len <= 0 || dt_parent(path, bus, sizeof(bus)))
		return;
	dt_cells_of(bus, &ac, &sc);
	if (vq_mmio_dt_reg(reg, (size_t)len, ac, sc, &addr, &size))
		return;
	/* Up to the root: a bus without "ranges" is not CPU-addressable. */
	while (strcmp(bus, DT_ROOT)) {
		if (dt_parent(bus, up, sizeof(up)))
			return;
		if (pjoin(p, sizeof(p), bus, "ranges"))
			return;
		len = read_small(p, ranges, sizeof(ranges));
		if (len < 0)
			return;
		dt_cells_of(bus, &ac, &sc);
		dt_cells_of(up, &pac, &psc);
		if (vq_mmio_dt_translate(addr, ranges, (size_t)len, ac, pac, sc, &addr))
			return;
		memcpy(bus, up, sizeof(bus));
	}
	cand_add(c, addr, size, NULL, 0);
}

static void dt_walk(struct cands *c, const char *path, unsigned depth)
{
	DIR *dir = opendir(path);
	struct dirent *de;
	char sub[PATH_MAX];
	uint8_t compat[256];
	ssize_t len;

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s/compatible", path, de->d_name) >=
		    sizeof(sub))
			continue;
		len = read_small(sub, compat, sizeof(compat));
		sub[strlen(sub) - strlen("/compatible")] = 0;
		if (len > 0 && vq_mmio_dt_compatible(compat, (size_t)len))
			dt_node(c, sub);
		else if (depth < DT_MAX_DEPTH)
			dt_walk(c, sub, depth + 1);
	}
	closedir(dir);
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

/* Every window any source names, one per base, by address. */
static void discover(struct cands *c)
{
	from_iomem(c);
	from_platform(c);
	dt_walk(c, DT_ROOT, 0);
	if (c->n)
		qsort(c->v, c->n, sizeof(c->v[0]), cand_cmp);
}

/* Basename of @dir/driver, "" when unbound. */
static void link_base(const char *dir, const char *link, char *out, size_t len)
{
	char p[PATH_MAX], t[PATH_MAX];
	ssize_t n;
	const char *b;

	out[0] = 0;
	if (pjoin(p, sizeof(p), dir, link))
		return;
	n = readlink(p, t, sizeof(t) - 1);
	if (n <= 0)
		return;
	t[n] = 0;
	b = strrchr(t, '/');
	copy_str(out, len, b ? b + 1 : t);
}

/* The platform device's bound driver and its virtio child ("virtio3"). */
static void platform_info(struct vq_dev *d, const char *plat)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *dd;

	d->driver[0] = 0;
	d->virtio_name[0] = 0;
	if (!plat[0])
		return;
	if (pjoin(dir, sizeof(dir), PLATFORM_DIR, plat))
		return;
	link_base(dir, "driver", d->driver, sizeof(d->driver));
	dd = opendir(dir);
	if (!dd)
		return;
	while ((de = readdir(dd))) {
		unsigned n;
		char extra;

		if (sscanf(de->d_name, "virtio%u%c", &n, &extra) == 1 &&
		    strlen(de->d_name) < sizeof(d->virtio_name)) {
			copy_str(d->virtio_name, sizeof(d->virtio_name), de->d_name);
			break;
		}
	}
	closedir(dd);
}

/* A hexadecimal sysfs attribute of virtio device @name ("0x0002"): 0 or -errno. */
static int vbus_hex(const char *name, const char *attr, uint32_t *out)
{
	char buf[32], *end;
	unsigned long v;
	int ret = vq_vbus_attr(name, attr, buf, sizeof(buf));

	if (ret)
		return ret;
	errno = 0;
	v = strtoul(buf, &end, 16);
	if (errno || end == buf || (*end && *end != '\n') || v > UINT32_MAX)
		return -EPROTO;
	*out = (uint32_t)v;
	return 0;
}

/*
 * The window at @base could not be mapped (@why): list it all the same
 * when its platform device has a virtio child, with the device and vendor
 * IDs Linux read, and its state from sysfs (vq_vbus_read_state).  Returns
 * 0 with a new entry owning @p, or -ENOENT when Linux has no device there.
 */
static int sysfs_entry(uint64_t base, struct mmio_priv *p, struct vq_dev_list *list,
		       const char *why)
{
	struct vq_dev probe, *d;
	uint32_t id, vendor = 0;

	memset(&probe, 0, sizeof(probe));
	platform_info(&probe, p->plat);
	if (!probe.virtio_name[0] || vbus_hex(probe.virtio_name, "device", &id) || !id)
		return -ENOENT;
	vbus_hex(probe.virtio_name, "vendor", &vendor);
	d = vq_dev_list_add(list);
	if (!d)
		return -ENOMEM;
	d->t = &vq_transport_mmio;
	d->kind = VQ_T_MMIO;
	snprintf(d->name, sizeof(d->name), "mmio:0x%llx", (unsigned long long)base);
	d->device_id = id;
	d->vendor_id = vendor;
	d->mmio_base = base;
	platform_info(d, p->plat);
	copy_str(p->refused, sizeof(p->refused), why);
	p->w.fd = -1;
	d->priv = p;
	return 0;
}

/*
 * The version of a window read from sysfs alone: Linux's virtio_mmio
 * accepts a version-2 device only with VIRTIO_F_VERSION_1 negotiated, and
 * a legacy (version 1) device negotiates it never.  0 while the features
 * are not known.
 */
static int version_from_features(const struct vq_dev *d)
{
	if (!vq_dev_driver_features_known(d))
		return 0;
	return vq_feature_has(d->driver_features, VIRTIO_F_VERSION_1) ? 2 : 1;
}

static uint64_t map_len(uint64_t size)
{
	if (size < VQ_MMIO_HDR_LEN)
		return VQ_MMIO_WINDOW;
	return size > VQ_MMIO_HDR_LEN + VQ_CONFIG_MAX ? VQ_MMIO_HDR_LEN + VQ_CONFIG_MAX : size;
}

static int rd32(struct vq_regwin *w, unsigned off, uint32_t *v, char *err, size_t errlen)
{
	uint64_t x;
	int ret = vq_regwin_read(w, off, 4, &x, err, errlen);

	*v = (uint32_t)x;
	return ret;
}

/*
 * Map one window and identify it.  Returns 0 with a new entry in @list,
 * 1 for an empty transport (device ID 0), or -errno with @err set.
 */
static int probe_window(uint64_t base, uint64_t size, const char *plat, struct vq_dev_list *list,
			char *err, size_t errlen)
{
	uint32_t magic, version, id, vendor;
	char what[96], why[160];
	struct mmio_priv *p;
	struct vq_dev *d;
	int ret;

	if (base % 4) {
		snprintf(err, errlen,
			 "probe virtio-mmio at 0x%llx: not 4-byte aligned (its registers are 32-bit words)",
			 (unsigned long long)base);
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "probe virtio-mmio at 0x%llx: out of memory",
			 (unsigned long long)base);
		return -ENOMEM;
	}
	p->len = map_len(size);
	copy_str(p->plat, sizeof(p->plat), plat);
	snprintf(what, sizeof(what), "virtio-mmio window mmio:0x%llx%s%s", (unsigned long long)base,
		 plat[0] ? " of " : "", plat);
	ret = vq_regwin_open_map(&p->w, DEVMEM_PATH, base, p->len, 0, what, err, errlen);
	if (ret) {
		/* Refused (strict /dev/mem, lockdown): Linux's own view, when a
		 * driver has the window. */
		if (!sysfs_entry(base, p, list, err)) {
			err[0] = 0; /* said per device (refused) */
			return 0;
		}
		free(p);
		return ret;
	}
	ret = rd32(&p->w, VIRTIO_MMIO_MAGIC_VALUE, &magic, err, errlen);
	if (!ret)
		ret = rd32(&p->w, VIRTIO_MMIO_VERSION, &version, err, errlen);
	if (!ret)
		ret = rd32(&p->w, VIRTIO_MMIO_DEVICE_ID, &id, err, errlen);
	if (!ret)
		ret = rd32(&p->w, VIRTIO_MMIO_VENDOR_ID, &vendor, err, errlen);
	if (!ret) {
		ret = vq_mmio_identify(magic, version, id, why, sizeof(why));
		if (ret < 0)
			snprintf(err, errlen, "probe virtio-mmio at 0x%llx: %s",
				 (unsigned long long)base, why);
	}
	if (ret == 0) {
		d = vq_dev_list_add(list);
		if (!d) {
			snprintf(err, errlen, "probe virtio-mmio at 0x%llx: out of memory",
				 (unsigned long long)base);
			ret = -ENOMEM;
		} else {
			d->t = &vq_transport_mmio;
			d->kind = VQ_T_MMIO;
			snprintf(d->name, sizeof(d->name), "mmio:0x%llx", (unsigned long long)base);
			d->device_id = id;
			d->vendor_id = vendor;
			d->mmio_version = (int)version;
			d->mmio_base = base;
			platform_info(d, p->plat);
			d->priv = p;
			return 0;
		}
	}
	vq_regwin_close(&p->w);
	free(p);
	return ret;
}

static int mmio_enumerate(struct vq_dev_list *list, struct vq_mem *image, char *err,
			  size_t errlen)
{
	struct cands c = { 0 };
	int added = 0, failed = 0, first = 0, ret;
	char scratch[256];
	unsigned unres;
	size_t i;

	(void)image; /* live only */
	err[0] = 0;
	discover(&c);
	for (i = 0; i < c.n; i++) {
		/* Keep the first failure's reason: later ones are alike. */
		ret = probe_window(c.v[i].base, c.v[i].size, c.v[i].plat, list,
				   failed ? scratch : err, failed ? sizeof(scratch) : errlen);
		if (ret == 0)
			added++;
		else if (ret < 0 && !failed++)
			first = ret;
	}
	free(c.v);
	if (failed > 1 && err[0]) {
		size_t n = strlen(err);

		snprintf(err + n, errlen - n, " (and %d more window%s)", failed - 1,
			 failed > 2 ? "s" : "");
	}
	if (!added && failed)
		return first;
	unres = c.unresolved_iomem > c.unresolved_plat ? c.unresolved_iomem : c.unresolved_plat;
	if (!added && !c.n && unres) {
		snprintf(err, errlen,
			 "find virtio-mmio devices: %u transport%s listed without an address (%s shows addresses to root only; run as root)",
			 unres, unres > 1 ? "s" : "", IOMEM_PATH);
		return -EACCES;
	}
	/* Some windows failed while others worked: @err says which, as a
	 * warning beside a positive count. */
	return added;
}

int vq_mmio_probe_at(uint64_t base, struct vq_dev_list *list, char *err, size_t errlen)
{
	struct cands c = { 0 };
	const char *plat = "";
	uint64_t size = 0;
	size_t i;
	int ret;

	/* The platform device (for the driver and virtio name), if any
	 * source knows this address. */
	discover(&c);
	for (i = 0; i < c.n; i++)
		if (c.v[i].base == base) {
			plat = c.v[i].plat;
			size = c.v[i].size;
		}
	ret = probe_window(base, size, plat, list, err, errlen);
	free(c.v);
	return ret;
}

/*
 * The one write inspection makes: a selector.  On virtio-mmio the
 * selectors are write-only, so their previous value cannot be read back
 * and restored (design.md rule 3 cannot be met to the letter).  vqdump
 * leaves both at 0 afterwards: the reset value, and what Linux leaves in
 * DeviceFeaturesSel (vm_get_features reads word 1, then word 0).  Linux
 * writes QueueSel before every per-queue access (vm_setup_vq, vm_del_vq)
 * and never relies on its earlier value, so a driver that is running is
 * not disturbed; one that is in the middle of setting a queue up could
 * be, which read_state guards against (settled()) as far as it can.
 * This is the register access the operations get: the window, with
 * every write but a selector's refused.
 */
static int insp_io(struct vq_regs *r, enum vq_reg_space space, uint64_t off, unsigned width,
		   uint64_t *v, int write)
{
	struct vq_regwin *w = r->win[VQ_RS_COMMON];

	if (write && (space != VQ_RS_COMMON || width != 4 ||
		      (off != VIRTIO_MMIO_QUEUE_SEL && off != VIRTIO_MMIO_DEVICE_FEATURES_SEL))) {
		snprintf(r->err, r->errlen, "%s: refusing to write register 0x%03x: not a selector",
			 w->what, (unsigned)off);
		return -EPERM;
	}
	return vq_regs_win_io(r, space, off, width, v, write);
}

/* A driver between ACKNOWLEDGE and DRIVER_OK may be setting queues up
 * with QueueSel right now.  Look twice; if the status moves, back off. */
static int settled(struct vq_regs *r, uint8_t status)
{
	const struct timespec pause = { 0, 20 * 1000 * 1000 };
	uint8_t again;
	int ret;

	if (!(status & (VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER)) ||
	    (status & (VIRTIO_CONFIG_S_DRIVER_OK | VIRTIO_CONFIG_S_FAILED |
		       VIRTIO_CONFIG_S_NEEDS_RESET)))
		return 0;
	nanosleep(&pause, NULL);
	ret = r->ops->get_status(r, &again);
	if (ret)
		return ret;
	if (again != status) {
		snprintf(r->err, r->errlen,
			 "read %s: status moved from 0x%02x to 0x%02x: a driver is setting the device up; try again",
			 r->win[VQ_RS_COMMON]->what, status, again);
		return -EBUSY;
	}
	return 0;
}

/* Offered features, DeviceFeaturesSel 0..3, then the selector back to 0. */
static int read_device_features(struct vq_regs *r, uint32_t raw[4])
{
	int ret = 0, r2;
	unsigned sel;

	for (sel = 0; sel < 4 && !ret; sel++)
		ret = r->ops->device_features(r, sel, &raw[sel]);
	r2 = vq_regs_wr(r, VQ_RS_COMMON, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 4, 0);
	return ret ? ret : r2;
}

/* Per-queue registers, QueueSel 0.. until QueueNumMax reads 0; QueueSel
 * back to 0 at the end.  Only registers the spec lets a driver read. */
static int read_queue_regs(struct vq_regs *r, struct vq_mmio_queue_regs **out, unsigned *nout)
{
	struct vq_mmio_queue_regs *q = NULL, *nq;
	unsigned n = 0, cap = 0;
	int ret = 0, r2;

	while (n < VQ_QUEUES_MAX) {
		struct vq_reg_queue rq = { 0 };

		ret = r->ops->queue_select(r, n);
		if (!ret)
			ret = r->ops->queue_read(r, &rq);
		if (ret || !rq.size)
			break;
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			nq = realloc(q, cap * sizeof(*q));
			if (!nq) {
				snprintf(r->err, r->errlen, "read %s: out of memory",
					 r->win[VQ_RS_COMMON]->what);
				ret = -ENOMEM;
				break;
			}
			q = nq;
		}
		/* The write-only registers stay 0, not valid (wo_valid). */
		memset(&q[n], 0, sizeof(q[n]));
		q[n].num_max = rq.size;
		q[n].pfn = rq.pfn;
		q[n].ready = rq.ready;
		n++;
	}
	r2 = r->ops->queue_select(r, 0);
	if (!ret)
		ret = r2;
	if (ret) {
		free(q);
		return ret;
	}
	*out = q;
	*nout = n;
	return 0;
}

static int read_config(struct vq_dev *d, struct vq_regs *r, uint64_t winlen)
{
	size_t len = vq_config_size(d->device_id);
	uint32_t g1 = 0, g2 = 0;
	int ret, tries;

	if (len > winlen - VQ_MMIO_HDR_LEN)
		len = (size_t)(winlen - VQ_MMIO_HDR_LEN);
	if (len > VQ_CONFIG_MAX)
		len = VQ_CONFIG_MAX;
	d->config_len = 0;
	if (d->mmio_version == 1) {
		/* Legacy: no ConfigGeneration (4.2.4); nothing to compare. */
		d->config_generation = -1;
		d->config_consistent = 1;
		ret = r->ops->config_read(r, d->device_id, 0, d->config, (unsigned)len);
		if (!ret)
			d->config_len = (unsigned)len;
		return ret;
	}
	/* 4.2.2.2 / 2.5.1: read the generation around the fields until it
	 * holds still. */
	for (tries = 0; tries < CONFIG_TRIES; tries++) {
		ret = r->ops->config_generation(r, &g1);
		if (!ret)
			ret = r->ops->config_read(r, d->device_id, 0, d->config, (unsigned)len);
		if (!ret)
			ret = r->ops->config_generation(r, &g2);
		if (ret)
			return ret;
		if (g1 == g2)
			break;
	}
	d->config_len = (unsigned)len;
	d->config_generation = (int)(g2 & INT_MAX);
	d->config_consistent = g1 == g2;
	return 0;
}

/* What the driver accepted: exactly 0 before negotiation, else Linux's
 * record in sysfs when the virtio bus has the device. */
static void driver_features(struct vq_dev *d)
{
	char path[PATH_MAX], buf[160];
	ssize_t n;

	memset(d->driver_features, 0, sizeof(d->driver_features));
	if (vq_mmio_driver_features_zero((unsigned)d->mmio_version, d->status)) {
		/* Not read (write-only register): implied by the status. */
		d->driver_features_src = VQ_SRC_STATUS;
		return;
	}
	d->driver_features_src = VQ_SRC_NONE;
	if (!d->virtio_name[0])
		return;
	if (snprintf(path, sizeof(path), "%s/%s/features", VIRTIO_BUS_DIR, d->virtio_name) >=
	    (int)sizeof(path))
		return;
	n = read_small(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	buf[n] = 0;
	if (vq_mmio_sysfs_features(buf, d->driver_features) > 0)
		d->driver_features_src = VQ_SRC_SYSFS;
	else
		memset(d->driver_features, 0, sizeof(d->driver_features));
}

static enum vq_source size_source(enum vq_mmio_size_how h)
{
	switch (h) {
	case VQ_MMIO_SIZE_WRITTEN:
	case VQ_MMIO_SIZE_RINGS:
		return VQ_SRC_REGISTERS;
	case VQ_MMIO_SIZE_MAX:
		return VQ_SRC_ASSUMED;
	case VQ_MMIO_SIZE_UNKNOWN:
		break;
	}
	return VQ_SRC_NONE;
}

static int fill_queues(struct vq_dev *d, const struct vq_mmio_queue_regs *r, unsigned n)
{
	struct vq_queue_state *q = n ? calloc(n, sizeof(*q)) : NULL;
	unsigned i, flags = 0;

	if (n && !q) {
		snprintf(d->err, sizeof(d->err), "read %s: out of memory", d->name);
		return -ENOMEM;
	}
	if (d->driver_features_src != VQ_SRC_NONE &&
	    vq_feature_has(d->driver_features, VIRTIO_F_RING_PACKED))
		flags |= VQ_MMIO_QF_PACKED;
	for (i = 0; i < n; i++) {
		struct vq_mmio_queue m;

		/* A rule the registers break leaves what could be decoded;
		 * the model has no place for the reason. */
		vq_mmio_decode_queue((unsigned)d->mmio_version, &r[i], flags, &m);
		q[i].index = (uint16_t)i;
		q[i].max_size = m.max_size > 0xffff ? 0 : (uint16_t)m.max_size;
		q[i].size = m.size > 0xffff ? 0 : (uint16_t)m.size;
		q[i].size_src = q[i].size ? size_source(m.size_how) : VQ_SRC_NONE;
		q[i].enabled = m.enabled;
		q[i].desc = m.desc;
		q[i].avail = m.avail;
		q[i].used = m.used;
		/* Write-only on v2 after setup: 0 there, and the CLI may ask Linux. */
		q[i].addr_src = m.desc ? VQ_SRC_REGISTERS : VQ_SRC_NONE;
		q[i].msix_vector = 0xffff;
	}
	free(d->queues);
	d->queues = q;
	d->num_queues = (uint16_t)n;
	return 0;
}

/* The window still holds the device enumerate found. */
static int same_device(struct vq_dev *d, struct vq_regwin *w)
{
	uint32_t magic, version, id;
	char why[160];
	int ret;

	ret = rd32(w, VIRTIO_MMIO_MAGIC_VALUE, &magic, d->err, sizeof(d->err));
	if (!ret)
		ret = rd32(w, VIRTIO_MMIO_VERSION, &version, d->err, sizeof(d->err));
	if (!ret)
		ret = rd32(w, VIRTIO_MMIO_DEVICE_ID, &id, d->err, sizeof(d->err));
	if (ret)
		return ret;
	if (vq_mmio_identify(magic, version, id, why, sizeof(why)) != VQ_MMIO_DEVICE ||
	    id != d->device_id || (int)version != d->mmio_version) {
		snprintf(d->err, sizeof(d->err),
			 "read %s: the device changed since it was listed%s%s", d->name,
			 magic != VQ_MMIO_MAGIC ? ": " : "", magic != VQ_MMIO_MAGIC ? why : "");
		return -ENODEV;
	}
	return 0;
}

/* Status, features, queues and config through the register operations. */
static int read_regs(struct vq_dev *d, struct vq_regs *r, const struct mmio_priv *p)
{
	struct vq_mmio_queue_regs *qr = NULL;
	uint32_t raw[4];
	unsigned nq = 0;
	uint8_t status;
	int ret;

	ret = r->ops->get_status(r, &status);
	if (ret)
		return ret;
	d->status = status;
	ret = settled(r, d->status);
	if (ret)
		return ret;

	ret = read_device_features(r, raw);
	if (ret)
		return ret;
	vq_mmio_device_features(raw, d->device_features);
	d->device_features_src = VQ_SRC_REGISTERS;

	/* The virtio child may have come or gone since enumerate(). */
	platform_info(d, p->plat);
	driver_features(d);

	ret = read_queue_regs(r, &qr, &nq);
	if (ret)
		return ret;
	ret = fill_queues(d, qr, nq);
	free(qr);
	if (ret)
		return ret;
	return read_config(d, r, p->len);
}

static int mmio_read_state_regs(struct vq_dev *d)
{
	struct mmio_priv *p = d->priv;
	struct vq_regwin w;
	struct vq_regs r;
	int ret;

	if (!p) {
		snprintf(d->err, sizeof(d->err), "read %s: the device was not probed", d->name);
		return -EINVAL;
	}
	/* Listed from sysfs: the window was refused, and stays so. */
	if (p->refused[0]) {
		platform_info(d, p->plat);
		ret = vq_vbus_read_state(d, p->refused, "");
		if (!ret)
			d->mmio_version = version_from_features(d);
		return ret;
	}
	/* The selectors need a writable mapping; it lives only as long as
	 * this call. */
	ret = vq_regwin_open_map(&w, DEVMEM_PATH, d->mmio_base, p->len, 1, p->w.what, d->err,
				 sizeof(d->err));
	if (ret)
		return ret;
	ret = same_device(d, &w);
	if (!ret) {
		vq_regs_init(&r, &vq_regs_mmio, d->err, sizeof(d->err));
		r.io = insp_io;
		r.win[VQ_RS_COMMON] = &w;
		r.len[VQ_RS_COMMON] = p->len;
		r.mmio_version = d->mmio_version;
		ret = read_regs(d, &r, p);
	}
	vq_regwin_close(&w);
	return ret;
}

static void mmio_release(struct vq_dev *d)
{
	struct mmio_priv *p = d->priv;

	if (p) {
		vq_regwin_close(&p->w);
		free(p);
	}
	d->priv = NULL;
	free(d->queues);
	d->queues = NULL;
	d->num_queues = 0;
}

/* Read the state; the window is the only path on virtio-mmio. */
static int mmio_read_state(struct vq_dev *d)
{
	int ret;

	vq_vbus_driver(d);
	d->refused[0] = 0;
	d->access = VQ_ACCESS_NONE;
	ret = mmio_read_state_regs(d);
	if (!ret && d->access != VQ_ACCESS_SYSFS)
		d->access = VQ_ACCESS_MAPPED;
	return ret;
}

/* Driver only: the window mapped writable, registers and device configuration. */
static int mmio_open_regs(const struct vq_dev *d, struct vq_regs *r, char *err, size_t errlen)
{
	char what[96];

	snprintf(what, sizeof(what), "virtio-mmio window %s", d->name);
	r->ops = &vq_regs_mmio;
	r->mmio_version = d->mmio_version;
	r->win[VQ_RS_NOTIFY] = r->win[VQ_RS_DEVICE] = NULL;
	r->len[VQ_RS_COMMON] = VQ_MMIO_DRIVER_LEN;
	return vq_regwin_open_map(r->win[VQ_RS_COMMON], DEVMEM_PATH, d->mmio_base,
				  VQ_MMIO_DRIVER_LEN, 1, what, err, errlen);
}

const struct vq_transport vq_transport_mmio = {
	.name = "mmio",
	.help = "virtio-mmio windows from /proc/iomem, platform devices and the device tree, read through /dev/mem (root); a window Linux refuses (strict /dev/mem, lockdown) from sysfs and Linux's records",
	.scope = VQ_SCOPE_LIVE,
	.enumerate = mmio_enumerate,
	.read_state = mmio_read_state,
	.release = mmio_release,
	.open_regs = mmio_open_regs,
};
