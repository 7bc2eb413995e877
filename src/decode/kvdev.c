/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Linux's struct virtio_device in kernel memory: its identity, features, driver and transport device, through a vq_fetch. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "kimage.h"
#include "kvdev.h"
#include "zblocks.h"
#include "le.h"

/* Largest struct virtio_device read (~800 bytes in Linux 6.x). */
#define KVDEV_MAX 16384u
/* IORESOURCE_MEM (include/linux/ioport.h). */
#define KVDEV_IORESOURCE_MEM 0x200u

/* @path of struct @sname into @f when it is there and 1 to 8 bytes of a
 * scalar or pointer; else @f zeroed (not in this kernel). */
static void opt(const struct vq_btf *b, const char *sname, const char *path,
		struct vq_btf_field *f)
{
	long id = vq_btf_find(b, VQ_BTF_KIND_STRUCT, sname);
	char why[200];

	if (id < 0 || vq_btf_member(b, (uint32_t)id, path, f, why, sizeof(why)) ||
	    f->size < 1 || f->size > 8 || (f->size & (f->size - 1)))
		memset(f, 0, sizeof(*f));
}

/* A member that is itself a struct (only its offset is used). */
static void opt_struct(const struct vq_btf *b, const char *sname, const char *path,
		       struct vq_btf_field *f)
{
	long id = vq_btf_find(b, VQ_BTF_KIND_STRUCT, sname);
	char why[200];

	if (id < 0 || vq_btf_member(b, (uint32_t)id, path, f, why, sizeof(why)) ||
	    f->kind != VQ_BTF_KIND_STRUCT)
		memset(f, 0, sizeof(*f));
	else
		f->size = 1; /* present */
}

int vq_kvdev_layout_from_btf(const struct vq_btf *b, struct vq_kvdev_layout *l, char *err,
			     size_t errlen)
{
	long id = vq_btf_find(b, VQ_BTF_KIND_STRUCT, "virtio_device");
	long rid = vq_btf_find(b, VQ_BTF_KIND_STRUCT, "resource");

	memset(l, 0, sizeof(*l));
	if (id < 0)
		return vq_errbuf(err, errlen, -ENOENT, "struct virtio_device not in the kernel's BTF");
	l->size = vq_btf_size(b, (uint32_t)id);
	opt(b, "virtio_device", "index", &l->index);
	opt(b, "virtio_device", "id.device", &l->id_device);
	opt(b, "virtio_device", "id.vendor", &l->id_vendor);
	opt(b, "virtio_device", "features", &l->features);
	opt(b, "virtio_device", "failed", &l->failed);
	opt(b, "virtio_device", "config_enabled", &l->config_enabled);
	opt_struct(b, "virtio_device", "dev", &l->dev);
	opt(b, "device", "parent", &l->parent);
	opt(b, "device", "driver", &l->driver);
	opt(b, "device", "kobj.name", &l->kobj_name);
	opt(b, "device_driver", "name", &l->drv_name);
	opt_struct(b, "platform_device", "dev", &l->pdev_dev);
	opt(b, "platform_device", "num_resources", &l->pdev_nres);
	opt(b, "platform_device", "resource", &l->pdev_res);
	opt(b, "resource", "start", &l->res_start);
	opt(b, "resource", "end", &l->res_end);
	opt(b, "resource", "flags", &l->res_flags);
	l->res_size = rid < 0 ? 0 : vq_btf_size(b, (uint32_t)rid);
	opt_struct(b, "virtio_device", "vqs", &l->vqs);
	opt(b, "list_head", "next", &l->list_next);
	opt(b, "list_head", "prev", &l->list_prev);
	if (!l->size || l->size > KVDEV_MAX || !l->index.size || !l->id_device.size ||
	    l->index.offset + l->index.size > l->size ||
	    l->id_device.offset + l->id_device.size > l->size)
		return vq_errbuf(err, errlen, -ENOENT,
				 "struct virtio_device: no index or id.device this reader can use");
	return 0;
}

int vq_kxlat_v2p(const struct vq_fetch *f, const struct vq_kxlat *x, uint64_t vaddr,
		 uint64_t len, uint64_t *paddr)
{
	uint64_t pa, last;

	if (!vq_kmap_v2p(x->map, x->nmap, vaddr, len, paddr))
		return 0;
	if (!x->levels || !len || vaddr + len - 1 < vaddr)
		return -EFAULT;
	/* Through the page tables: the whole range in one page. */
	if (vq_x86_v2p(f, x->root, x->levels, vaddr, &pa) ||
	    vq_x86_v2p(f, x->root, x->levels, vaddr + len - 1, &last) || last - pa != len - 1)
		return -EFAULT;
	*paddr = pa;
	return 0;
}

/* @len (1..8) bytes at kernel virtual @vaddr as a little-endian number. */
static int vread(const struct vq_fetch *f, const struct vq_kxlat *x, uint64_t vaddr,
		 uint64_t len, uint64_t *val)
{
	uint8_t b[8] = { 0 };
	uint64_t pa, v = 0;

	if (len < 1 || len > 8 || vq_kxlat_v2p(f, x, vaddr, len, &pa) ||
	    vq_fetch(f, pa, b, (size_t)len, "kernel device record"))
		return -EFAULT;
	while (len--)
		v = v << 8 | b[len];
	*val = v;
	return 0;
}

/* Member @m of the struct at kernel virtual @base; -ENOENT when not in this kernel. */
static int member(const struct vq_fetch *f, const struct vq_kxlat *x, uint64_t base,
		  const struct vq_btf_field *m, uint64_t *val)
{
	if (!m->size)
		return -ENOENT;
	return vread(f, x, base + m->offset, m->size, val);
}

int vq_kxlat_string(const struct vq_fetch *f, const struct vq_kxlat *x, uint64_t vaddr,
		    char *out, size_t len)
{
	size_t i;

	if (!len)
		return -EINVAL;
	out[0] = 0;
	if (!vaddr)
		return -EFAULT;
	for (i = 0; i + 1 < len; i++) {
		uint64_t c;

		if (vread(f, x, vaddr + i, 1, &c))
			return -EFAULT;
		if (!c)
			break;
		if (c < 0x20 || c > 0x7e) {
			out[0] = 0;
			return -EINVAL;
		}
		out[i] = (char)c;
	}
	out[i] = 0;
	if (i + 1 == len || !i) {
		out[0] = 0;
		return -EINVAL;
	}
	return 0;
}

/* "DDDD:BB:DD.F" with hex digits: a PCI function's device name. */
static int pci_name(const char *s)
{
	static const char pat[] = "hhhh:hh:hh.h";
	size_t i;

	if (strlen(s) != sizeof(pat) - 1)
		return 0;
	for (i = 0; pat[i]; i++)
		if (pat[i] == 'h' ? !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))
				  : s[i] != pat[i])
			return 0;
	return 1;
}

/* The first memory resource of the platform device whose struct device
 * is at @pdev_dev: its start, or 0. */
static uint64_t platform_mem(const struct vq_fetch *f, const struct vq_kxlat *x,
			     const struct vq_kvdev_layout *l, uint64_t pdev_dev)
{
	uint64_t pdev, n, res, i, start, end, flags;

	if (!l->pdev_dev.size || !l->res_size || !l->res_start.size || !l->res_flags.size ||
	    pdev_dev < l->pdev_dev.offset)
		return 0;
	pdev = pdev_dev - l->pdev_dev.offset;
	if (member(f, x, pdev, &l->pdev_nres, &n) || member(f, x, pdev, &l->pdev_res, &res) || !res)
		return 0;
	for (i = 0; i < n && i < 8; i++) {
		uint64_t r = res + i * l->res_size;

		if (member(f, x, r, &l->res_start, &start) || member(f, x, r, &l->res_end, &end) ||
		    member(f, x, r, &l->res_flags, &flags))
			return 0;
		if ((flags & KVDEV_IORESOURCE_MEM) && end > start)
			return start;
	}
	return 0;
}

/* The struct device embedded at @dev: its name, its driver's, its parent's. */
static void device_part(const struct vq_fetch *f, const struct vq_kxlat *x,
			const struct vq_kvdev_layout *l, uint64_t dev, struct vq_kvdev *d)
{
	uint64_t v, drv, parent;

	if (!member(f, x, dev, &l->kobj_name, &v))
		vq_kxlat_string(f, x, v, d->name, sizeof(d->name));
	if (!member(f, x, dev, &l->driver, &drv)) {
		d->bound = drv != 0;
		if (drv && !member(f, x, drv, &l->drv_name, &v))
			vq_kxlat_string(f, x, v, d->driver, sizeof(d->driver));
	}
	if (member(f, x, dev, &l->parent, &parent) || !parent)
		return;
	if (!member(f, x, parent, &l->kobj_name, &v))
		vq_kxlat_string(f, x, v, d->parent, sizeof(d->parent));
	if (!member(f, x, parent, &l->driver, &drv) && drv && !member(f, x, drv, &l->drv_name, &v))
		vq_kxlat_string(f, x, v, d->parent_driver, sizeof(d->parent_driver));
	d->pci = pci_name(d->parent);
	if (!d->pci)
		d->mmio_base = platform_mem(f, x, l, parent);
}

int vq_kvdev_read(const struct vq_fetch *f, const struct vq_kxlat *x,
		  const struct vq_kvdev_layout *l, uint64_t vdev, struct vq_kvdev *d)
{
	uint64_t v;

	memset(d, 0, sizeof(*d));
	d->failed = d->config_enabled = d->bound = -1;
	if (member(f, x, vdev, &l->index, &v) || v >= (1u << 24))
		return -EFAULT;
	d->index = (uint32_t)v;
	if (member(f, x, vdev, &l->id_device, &v))
		return -EFAULT;
	d->device_id = (uint32_t)v;
	if (!member(f, x, vdev, &l->id_vendor, &v))
		d->vendor = (uint32_t)v;
	if (!member(f, x, vdev, &l->features, &d->features))
		d->have_features = 1;
	if (!member(f, x, vdev, &l->failed, &v))
		d->failed = v != 0;
	if (!member(f, x, vdev, &l->config_enabled, &v))
		d->config_enabled = v != 0;
	if (l->dev.size)
		device_part(f, x, l, vdev + l->dev.offset, d);
	return 0;
}

/* RAM is searched for idle devices in chunks of this many bytes. */
#define KVDEV_CHUNK (4u << 20)

/* The candidate at physical @pa (bytes @o): an idle, registered virtio_device? */
static int idle_device(const struct vq_fetch *f, const struct vq_kxlat *x, uint64_t dmap,
		       const struct vq_kvdev_layout *l, uint64_t pa, const uint8_t *o)
{
	uint64_t head = dmap + pa + l->vqs.offset;
	struct vq_kvdev d;
	char want[24];

	if (le64(o + l->vqs.offset + l->list_next.offset) != head ||
	    le64(o + l->vqs.offset + l->list_prev.offset) != head)
		return 0;
	if (vq_kvdev_read(f, x, l, dmap + pa, &d) || !d.device_id || d.device_id > 0xffff)
		return 0;
	snprintf(want, sizeof(want), "virtio%u", d.index);
	return !strcmp(d.name, want);
}


long vq_kvdev_scan_idle(const struct vq_fetch *f, const struct vq_scan_region *regions,
			size_t nregions, const struct vq_kxlat *x, uint64_t dmap,
			const struct vq_kvdev_layout *l, uint64_t *out, size_t max)
{
	uint64_t span = l->size, klo;
	size_t i, found = 0;
	struct vq_zblocks z = { 0 };
	uint8_t *buf;

	if (!l->vqs.size || l->list_next.size != 8 || l->list_prev.size != 8 || !l->kobj_name.size ||
	    l->vqs.offset + l->list_prev.offset + 8 > span)
		return 0;
	buf = malloc(vq_scan_chunk(regions, nregions, KVDEV_CHUNK) + span);
	if (!buf)
		return -ENOMEM;
	/* The vqs list's next pointer: its own (non-zero) address. */
	klo = l->vqs.offset + l->list_next.offset;
	for (i = 0; i < nregions; i++) {
		uint64_t end = regions[i].start + regions[i].len, pos;

		if (end < regions[i].start)
			end = UINT64_MAX;
		for (pos = regions[i].start; pos < end && end - pos >= span; pos += KVDEV_CHUNK) {
			uint64_t want = end - pos, lim, s;
			const uint8_t *p;
			int ret;

			if (want > KVDEV_CHUNK + span)
				want = KVDEV_CHUNK + span;
			p = vq_fetch_view(f, pos, buf, want, "RAM searched for struct virtio_device", &ret);
			if (ret)
				continue;
			lim = want - span + 1;
			if (lim > KVDEV_CHUNK)
				lim = KVDEV_CHUNK;
			if (vq_zblocks_fill(&z, p, want)) {
				free(buf);
				free(z.zero);
				return -ENOMEM;
			}
			for (s = (8 - pos % 8) % 8; s < lim; s += 8) {
				s = vq_zblocks_next(&z, s, klo, klo + 8, 8, lim);
				if (s >= lim)
					break;
				/* idle_device's first test, inline: the list points at itself. */
				if (le64(p + s + klo) != dmap + pos + s + l->vqs.offset ||
				    !idle_device(f, x, dmap, l, pos + s, p + s))
					continue;
				if (found < max)
					out[found] = dmap + pos + s;
				found++;
			}
		}
	}
	free(buf);
	free(z.zero);
	return (long)found;
}
