/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Driver transports on real devices: virtio-pci modern and legacy, virtio-mmio v1 and v2, with the ownership checks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_pci.h>

#include "../decode/mmio.h"
#include "../access/snapshot.h"
#include "hw.h"

#define SYSFS_PCI "/sys/bus/pci/devices"
#define MMIO_LEN 0x200u   /* registers and device configuration of one window */
#define PAGE 4096u        /* GuestPageSize written on virtio-mmio v1 */

/* ---- register helpers ---- */

static int rd(struct vb_hw *hw, struct vq_regwin *w, uint64_t off, unsigned width, uint64_t *v)
{
	return vq_regwin_read(w, off, width, v, hw->err, sizeof(hw->err));
}

static int wr(struct vb_hw *hw, struct vq_regwin *w, uint64_t off, unsigned width, uint64_t v)
{
	return vq_regwin_write(w, off, width, v, hw->err, sizeof(hw->err));
}

static int cfg_bytes(struct vb_hw *hw, struct vq_regwin *w, uint64_t base, unsigned off, void *buf,
		     unsigned len)
{
	uint8_t *p = buf;
	unsigned i;

	for (i = 0; i < len; i++) {
		uint64_t v;
		int ret = rd(hw, w, base + off + i, 1, &v);

		if (ret)
			return ret;
		p[i] = (uint8_t)v;
	}
	return 0;
}

/* ---- virtio-pci modern (4.1.4) ---- */

static int pm_get_status(void *h, uint8_t *s)
{
	struct vb_hw *hw = h;
	uint64_t v;
	int ret = rd(hw, &hw->common, VIRTIO_PCI_COMMON_STATUS, 1, &v);

	*s = (uint8_t)v;
	return ret;
}

static int pm_set_status(void *h, uint8_t s)
{
	struct vb_hw *hw = h;

	return wr(hw, &hw->common, VIRTIO_PCI_COMMON_STATUS, 1, s);
}

static int pm_get_features(void *h, uint64_t *f)
{
	struct vb_hw *hw = h;
	uint64_t lo, hi;
	int ret;

	ret = wr(hw, &hw->common, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	if (!ret)
		ret = rd(hw, &hw->common, VIRTIO_PCI_COMMON_DF, 4, &lo);
	if (!ret)
		ret = wr(hw, &hw->common, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	if (!ret)
		ret = rd(hw, &hw->common, VIRTIO_PCI_COMMON_DF, 4, &hi);
	if (!ret)
		*f = (uint32_t)lo | (uint64_t)(uint32_t)hi << 32;
	return ret;
}

static int pm_set_features(void *h, uint64_t f)
{
	struct vb_hw *hw = h;
	int ret;

	ret = wr(hw, &hw->common, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	if (!ret)
		ret = wr(hw, &hw->common, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)f);
	if (!ret)
		ret = wr(hw, &hw->common, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	if (!ret)
		ret = wr(hw, &hw->common, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)(f >> 32));
	return ret;
}

static int pm_queue_info(void *h, unsigned q, uint16_t *max, int *enabled)
{
	struct vb_hw *hw = h;
	uint64_t size, en, noff;
	int ret;

	ret = wr(hw, &hw->common, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	if (!ret)
		ret = rd(hw, &hw->common, VIRTIO_PCI_COMMON_Q_SIZE, 2, &size);
	if (!ret)
		ret = rd(hw, &hw->common, VIRTIO_PCI_COMMON_Q_ENABLE, 2, &en);
	if (!ret)
		ret = rd(hw, &hw->common, VIRTIO_PCI_COMMON_Q_NOFF, 2, &noff);
	if (ret)
		return ret;
	*max = (uint16_t)size;
	*enabled = en != 0;
	hw->notify_addr = noff * hw->notify_mult;
	if (hw->notify_addr + 2 > hw->notify.len) {
		snprintf(hw->err, sizeof(hw->err),
			 "queue_notify_off %llu * multiplier %u is outside the %llu-byte notify structure",
			 (unsigned long long)noff, hw->notify_mult, (unsigned long long)hw->notify.len);
		return -EPROTO;
	}
	return 0;
}

static int pm_queue_activate(void *h, unsigned q, uint16_t size, uint64_t desc, uint64_t avail,
			     uint64_t used)
{
	struct vb_hw *hw = h;
	struct vq_regwin *w = &hw->common;
	int ret;

	ret = wr(hw, w, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	if (!ret)
		ret = wr(hw, w, VIRTIO_PCI_COMMON_Q_SIZE, 2, size);
	if (!ret)
		ret = wr(hw, w, VIRTIO_PCI_COMMON_Q_DESCLO, 4, (uint32_t)desc);
	if (!ret)
		ret = wr(hw, w, VIRTIO_PCI_COMMON_Q_DESCHI, 4, desc >> 32);
	if (!ret)
		ret = wr(hw, w, VIRTIO_PCI_COMMON_Q_AVAILLO, 4, (uint32_t)avail);
	if (!ret)
		ret = wr(hw, w, VIRTIO_PCI_COMMON_Q_AVAILHI, 4, avail >> 32);
	if (!ret)
		ret = wr(hw, w, VIRTIO_PCI_COMMON_Q_USEDLO, 4, (uint32_t)used);
	if (!ret)
		ret = wr(hw, w, VIRTIO_PCI_COMMON_Q_USEDHI, 4, used >> 32);
	if (!ret)
		ret = wr(hw, w, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	return ret;
}

static int pm_notify(void *h, unsigned q)
{
	struct vb_hw *hw = h;

	return wr(hw, &hw->notify, hw->notify_addr, 2, q);
}

static int pm_config_read(void *h, unsigned off, void *buf, unsigned len)
{
	struct vb_hw *hw = h;

	if (off + len > hw->devcfg.len) {
		snprintf(hw->err, sizeof(hw->err), "device configuration is only %llu bytes",
			 (unsigned long long)hw->devcfg.len);
		return -ERANGE;
	}
	return cfg_bytes(hw, &hw->devcfg, 0, off, buf, len);
}

static const struct vb_ops pci_modern_ops = {
	.get_status = pm_get_status,
	.set_status = pm_set_status,
	.get_features = pm_get_features,
	.set_features = pm_set_features,
	.queue_info = pm_queue_info,
	.queue_activate = pm_queue_activate,
	.notify = pm_notify,
	.config_read = pm_config_read,
};

/* ---- virtio-pci legacy (4.1.4.8): guest-native endian, little on x86 ---- */

static int pl_get_status(void *h, uint8_t *s)
{
	struct vb_hw *hw = h;
	uint64_t v;
	int ret = rd(hw, &hw->common, VIRTIO_PCI_STATUS, 1, &v);

	*s = (uint8_t)v;
	return ret;
}

static int pl_set_status(void *h, uint8_t s)
{
	struct vb_hw *hw = h;

	return wr(hw, &hw->common, VIRTIO_PCI_STATUS, 1, s);
}

static int pl_get_features(void *h, uint64_t *f)
{
	struct vb_hw *hw = h;
	uint64_t v;
	int ret = rd(hw, &hw->common, VIRTIO_PCI_HOST_FEATURES, 4, &v);

	*f = (uint32_t)v;
	return ret;
}

static int pl_set_features(void *h, uint64_t f)
{
	struct vb_hw *hw = h;

	return wr(hw, &hw->common, VIRTIO_PCI_GUEST_FEATURES, 4, (uint32_t)f);
}

static int pl_queue_info(void *h, unsigned q, uint16_t *max, int *enabled)
{
	struct vb_hw *hw = h;
	uint64_t num, pfn;
	int ret;

	ret = wr(hw, &hw->common, VIRTIO_PCI_QUEUE_SEL, 2, q);
	if (!ret)
		ret = rd(hw, &hw->common, VIRTIO_PCI_QUEUE_NUM, 2, &num);
	if (!ret)
		ret = rd(hw, &hw->common, VIRTIO_PCI_QUEUE_PFN, 4, &pfn);
	if (ret)
		return ret;
	*max = (uint16_t)num;
	*enabled = pfn != 0;
	return 0;
}

static int pl_queue_activate(void *h, unsigned q, uint16_t size, uint64_t desc, uint64_t avail,
			     uint64_t used)
{
	struct vb_hw *hw = h;
	int ret;

	(void)size; /* fixed by the device */
	(void)avail;
	(void)used;
	if (desc % VIRTIO_PCI_VRING_ALIGN || (desc >> VIRTIO_PCI_QUEUE_ADDR_SHIFT) > UINT32_MAX) {
		snprintf(hw->err, sizeof(hw->err),
			 "ring at 0x%llx cannot be given as a 32-bit page number",
			 (unsigned long long)desc);
		return -ERANGE;
	}
	ret = wr(hw, &hw->common, VIRTIO_PCI_QUEUE_SEL, 2, q);
	if (!ret)
		ret = wr(hw, &hw->common, VIRTIO_PCI_QUEUE_PFN, 4, desc >> VIRTIO_PCI_QUEUE_ADDR_SHIFT);
	return ret;
}

static int pl_notify(void *h, unsigned q)
{
	struct vb_hw *hw = h;

	return wr(hw, &hw->common, VIRTIO_PCI_QUEUE_NOTIFY, 2, q);
}

static int pl_config_read(void *h, unsigned off, void *buf, unsigned len)
{
	struct vb_hw *hw = h;

	if (hw->legacy_cfg + off + len > hw->common.len) {
		snprintf(hw->err, sizeof(hw->err), "device configuration beyond the I/O BAR");
		return -ERANGE;
	}
	return cfg_bytes(hw, &hw->common, hw->legacy_cfg, off, buf, len);
}

static const struct vb_ops pci_legacy_ops = {
	.get_status = pl_get_status,
	.set_status = pl_set_status,
	.get_features = pl_get_features,
	.set_features = pl_set_features,
	.queue_info = pl_queue_info,
	.queue_activate = pl_queue_activate,
	.notify = pl_notify,
	.config_read = pl_config_read,
};

/* ---- virtio-mmio (4.2.2 version 2, 4.2.4 legacy) ---- */

static int mm_get_status(void *h, uint8_t *s)
{
	struct vb_hw *hw = h;
	uint64_t v;
	int ret = rd(hw, &hw->common, VIRTIO_MMIO_STATUS, 4, &v);

	*s = (uint8_t)v;
	return ret;
}

static int mm_set_status(void *h, uint8_t s)
{
	struct vb_hw *hw = h;

	return wr(hw, &hw->common, VIRTIO_MMIO_STATUS, 4, s);
}

static int mm_get_features(void *h, uint64_t *f)
{
	struct vb_hw *hw = h;
	uint64_t lo, hi = 0;
	int ret;

	ret = wr(hw, &hw->common, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 4, 0);
	if (!ret)
		ret = rd(hw, &hw->common, VIRTIO_MMIO_DEVICE_FEATURES, 4, &lo);
	/* A legacy device has no VERSION_1 to offer: its first word is all
	 * this driver could use. */
	if (!ret && hw->kind == VB_HW_MMIO_V2) {
		ret = wr(hw, &hw->common, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 4, 1);
		if (!ret)
			ret = rd(hw, &hw->common, VIRTIO_MMIO_DEVICE_FEATURES, 4, &hi);
	}
	if (!ret)
		*f = (uint32_t)lo | (uint64_t)(uint32_t)hi << 32;
	return ret;
}

static int mm_set_features(void *h, uint64_t f)
{
	struct vb_hw *hw = h;
	int ret;

	ret = wr(hw, &hw->common, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 4, 0);
	if (!ret)
		ret = wr(hw, &hw->common, VIRTIO_MMIO_DRIVER_FEATURES, 4, (uint32_t)f);
	if (!ret && hw->kind == VB_HW_MMIO_V2) {
		ret = wr(hw, &hw->common, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 4, 1);
		if (!ret)
			ret = wr(hw, &hw->common, VIRTIO_MMIO_DRIVER_FEATURES, 4, (uint32_t)(f >> 32));
	}
	return ret;
}

static int mm_queue_info(void *h, unsigned q, uint16_t *max, int *enabled)
{
	struct vb_hw *hw = h;
	uint64_t num, en;
	int ret;

	ret = wr(hw, &hw->common, VIRTIO_MMIO_QUEUE_SEL, 4, q);
	if (!ret)
		ret = rd(hw, &hw->common, VIRTIO_MMIO_QUEUE_NUM_MAX, 4, &num);
	if (!ret)
		ret = rd(hw, &hw->common,
			 hw->kind == VB_HW_MMIO_V2 ? VIRTIO_MMIO_QUEUE_READY : VIRTIO_MMIO_QUEUE_PFN, 4,
			 &en);
	if (ret)
		return ret;
	if (num > 0x8000) {
		snprintf(hw->err, sizeof(hw->err), "QueueNumMax %llu is beyond the split-ring limit 32768",
			 (unsigned long long)num);
		return -EPROTO;
	}
	*max = (uint16_t)num;
	*enabled = en != 0;
	return 0;
}

static int mm_queue_activate(void *h, unsigned q, uint16_t size, uint64_t desc, uint64_t avail,
			     uint64_t used)
{
	struct vb_hw *hw = h;
	struct vq_regwin *w = &hw->common;
	int ret;

	ret = wr(hw, w, VIRTIO_MMIO_QUEUE_SEL, 4, q);
	if (!ret)
		ret = wr(hw, w, VIRTIO_MMIO_QUEUE_NUM, 4, size);
	if (ret)
		return ret;
	if (hw->kind == VB_HW_MMIO_V1) {
		if (desc % PAGE || desc / PAGE > UINT32_MAX) {
			snprintf(hw->err, sizeof(hw->err),
				 "ring at 0x%llx cannot be given as a 32-bit page number",
				 (unsigned long long)desc);
			return -ERANGE;
		}
		ret = wr(hw, w, VIRTIO_MMIO_GUEST_PAGE_SIZE, 4, PAGE);
		if (!ret)
			ret = wr(hw, w, VIRTIO_MMIO_QUEUE_ALIGN, 4, hw->t.align);
		if (!ret)
			ret = wr(hw, w, VIRTIO_MMIO_QUEUE_PFN, 4, desc / PAGE);
		return ret;
	}
	ret = wr(hw, w, VIRTIO_MMIO_QUEUE_DESC_LOW, 4, (uint32_t)desc);
	if (!ret)
		ret = wr(hw, w, VIRTIO_MMIO_QUEUE_DESC_HIGH, 4, desc >> 32);
	if (!ret)
		ret = wr(hw, w, VIRTIO_MMIO_QUEUE_AVAIL_LOW, 4, (uint32_t)avail);
	if (!ret)
		ret = wr(hw, w, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 4, avail >> 32);
	if (!ret)
		ret = wr(hw, w, VIRTIO_MMIO_QUEUE_USED_LOW, 4, (uint32_t)used);
	if (!ret)
		ret = wr(hw, w, VIRTIO_MMIO_QUEUE_USED_HIGH, 4, used >> 32);
	if (!ret)
		ret = wr(hw, w, VIRTIO_MMIO_QUEUE_READY, 4, 1);
	return ret;
}

static int mm_notify(void *h, unsigned q)
{
	struct vb_hw *hw = h;

	return wr(hw, &hw->common, VIRTIO_MMIO_QUEUE_NOTIFY, 4, q);
}

static int mm_config_read(void *h, unsigned off, void *buf, unsigned len)
{
	struct vb_hw *hw = h;

	if (VIRTIO_MMIO_CONFIG + off + len > hw->common.len) {
		snprintf(hw->err, sizeof(hw->err), "device configuration beyond the window");
		return -ERANGE;
	}
	return cfg_bytes(hw, &hw->common, VIRTIO_MMIO_CONFIG, off, buf, len);
}

static const struct vb_ops mmio_ops = {
	.get_status = mm_get_status,
	.set_status = mm_set_status,
	.get_features = mm_get_features,
	.set_features = mm_set_features,
	.queue_info = mm_queue_info,
	.queue_activate = mm_queue_activate,
	.notify = mm_notify,
	.config_read = mm_config_read,
};

/* ---- ownership and opening ---- */

int vb_iomem_busy(const char *text, uint64_t base, char *top, size_t toplen, char *claim,
		  size_t claimlen)
{
	const char *line = text;
	int found = 0;
	unsigned top_depth = 0;
	uint64_t top_end = 0;

	while (line && *line) {
		const char *nl = strchr(line, '\n'), *name;
		uint64_t start, end;
		unsigned depth;
		size_t namelen;
		char buf[256];
		size_t l = nl ? (size_t)(nl - line) : strlen(line);

		if (l >= sizeof(buf))
			l = sizeof(buf) - 1;
		memcpy(buf, line, l);
		buf[l] = 0;
		line = nl ? nl + 1 : NULL;
		if (!vq_mmio_iomem_line(buf, &start, &end, &depth, &name, &namelen))
			continue;
		if (!found) {
			if (start == base) {
				found = 1;
				top_depth = depth;
				top_end = end;
				snprintf(top, toplen, "%.*s", (int)namelen, name);
			}
			continue;
		}
		/* The first line after it: nested inside means claimed. */
		if (depth > top_depth && start >= base && end <= top_end) {
			snprintf(claim, claimlen, "%.*s", (int)namelen, name);
			return 1;
		}
		return 0;
	}
	return found ? 0 : -ENOENT;
}

/* The sysfs driver link of a PCI device: "" when none. */
static void pci_driver(const char *name, char *out, size_t len)
{
	char path[128], t[256];
	const char *b;
	ssize_t n;

	out[0] = 0;
	snprintf(path, sizeof(path), SYSFS_PCI "/%s/driver", name);
	n = readlink(path, t, sizeof(t) - 1);
	if (n <= 0)
		return;
	t[n] = 0;
	b = strrchr(t, '/');
	snprintf(out, len, "%.*s", (int)len - 1, b ? b + 1 : t);
}

/* MSI-X enabled in the PCI capability list (legacy config offset 24). */
static int msix_enabled(int fd)
{
	uint8_t cfg[256];
	unsigned pos, guard = 0;

	if (pread(fd, cfg, sizeof(cfg), 0) != (ssize_t)sizeof(cfg))
		return 0;
	if (!(cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST))
		return 0;
	for (pos = cfg[PCI_CAPABILITY_LIST] & ~3u; pos >= 0x40 && guard < 48; guard++) {
		if (cfg[pos] == PCI_CAP_ID_MSIX)
			return (cfg[pos + 3] & 0x80) != 0; /* Message Control bit 15 */
		pos = cfg[pos + 1] & ~3u;
	}
	return 0;
}

/* Memory or I/O space and bus mastering on in the command register. */
static int pci_enable(const char *name, int io, struct vb_steps *steps, int *msix, char *err,
		      size_t errlen)
{
	char path[128];
	uint16_t cmd, want;
	int fd, ret = 0;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/config", name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "open %s: %s%s", path, strerror(-ret),
			 ret == -EACCES ? " (run as root)" : "");
		return ret;
	}
	if (pread(fd, &cmd, 2, PCI_COMMAND) != 2) {
		ret = -EIO;
		snprintf(err, errlen, "read the command register of %s", name);
		goto out;
	}
	want = cmd | PCI_COMMAND_MASTER | (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY);
	if (want != cmd && pwrite(fd, &want, 2, PCI_COMMAND) != 2) {
		ret = -errno;
		snprintf(err, errlen, "write the command register of %s: %s", name, strerror(-ret));
		goto out;
	}
	vb_step_add(steps, "pci_command", 1,
		    "command 0x%04x -> 0x%04x (%s space and bus master on; left on: the device needs them to work)",
		    cmd, want, io ? "I/O" : "memory");
	*msix = msix_enabled(fd);
out:
	close(fd);
	return ret;
}

static int open_bar(const struct vq_dev *d, unsigned bar, uint64_t off, uint64_t len, int file,
		    struct vq_regwin *w, const char *what, char *err, size_t errlen)
{
	char path[128], desc[96];

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/resource%u", d->name, bar);
	snprintf(desc, sizeof(desc), "%s in BAR%u of %s", what, bar, d->name);
	if (file)
		return vq_regwin_open_file(w, path, off, len, 1, desc, err, errlen);
	return vq_regwin_open_map(w, path, off, len, 1, desc, err, errlen);
}

static const struct vq_pci_cap *find_cap(const struct vq_dev *d, uint8_t type)
{
	unsigned i;

	for (i = 0; i < d->ncaps; i++)
		if (d->caps[i].cfg_type == type && d->caps[i].bar < 6)
			return &d->caps[i];
	return NULL;
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

static int open_pci(struct vb_hw *hw, const struct vq_dev *d, struct vb_steps *steps, char *err,
		    size_t errlen)
{
	const struct vq_pci_cap *cc, *nc, *dc;
	char drv[64];
	int ret, msix = 0;

	pci_driver(d->name, drv, sizeof(drv));
	if (drv[0]) {
		snprintf(err, errlen,
			 "%s is bound to the kernel driver %s; unbind it first: echo %s > /sys/bus/pci/drivers/%s/unbind",
			 d->name, drv, d->name, drv);
		return -EBUSY;
	}
	vb_step_add(steps, "ownership", 1, "%s: no kernel driver bound", d->name);
	cc = find_cap(d, VIRTIO_PCI_CAP_COMMON_CFG);
	nc = find_cap(d, VIRTIO_PCI_CAP_NOTIFY_CFG);
	dc = find_cap(d, VIRTIO_PCI_CAP_DEVICE_CFG);
	if (d->kind == VQ_T_PCI && cc && nc && dc) {
		hw->kind = VB_HW_PCI_MODERN;
		hw->kind_name = "pci-modern";
		ret = pci_enable(d->name, 0, steps, &msix, err, errlen);
		if (!ret)
			ret = open_bar(d, cc->bar, cc->offset, cc->length, 0, &hw->common,
				       "common configuration", err, errlen);
		if (!ret)
			ret = open_bar(d, nc->bar, nc->offset, nc->length, 0, &hw->notify,
				       "notify structure", err, errlen);
		if (!ret)
			ret = open_bar(d, dc->bar, dc->offset, dc->length, 0, &hw->devcfg,
				       "device configuration", err, errlen);
		if (ret)
			return ret;
		hw->notify_mult = nc->notify_off_multiplier;
		hw->t.ops = &pci_modern_ops;
		hw->t.modern = 1;
		return 0;
	}
	if (d->kind == VQ_T_PCI) {
		snprintf(err, errlen, "%s lacks a common, notify or device configuration capability",
			 d->name);
		return -ENODEV;
	}
	{
		char path[128];
		off_t len;

		hw->kind = VB_HW_PCI_LEGACY;
		hw->kind_name = "pci-legacy";
		snprintf(path, sizeof(path), SYSFS_PCI "/%s/resource0", d->name);
		len = file_size(path);
		if (len < 24) {
			snprintf(err, errlen, "%s: BAR0 (%s) is not a legacy virtio I/O BAR", d->name,
				 path);
			return -ENODEV;
		}
		ret = pci_enable(d->name, 1, steps, &msix, err, errlen);
		if (!ret)
			ret = open_bar(d, 0, 0, (uint64_t)len, 1, &hw->common, "legacy header", err,
				       errlen);
		if (ret)
			return ret;
		hw->legacy_cfg = VIRTIO_PCI_CONFIG_OFF(msix);
		hw->t.ops = &pci_legacy_ops;
		hw->t.legacy_layout = 1;
		hw->t.fixed_size = 1;
		hw->t.align = VIRTIO_PCI_VRING_ALIGN;
	}
	return 0;
}

static int open_mmio(struct vb_hw *hw, const struct vq_dev *d, struct vb_steps *steps, char *err,
		     size_t errlen)
{
	char top[64] = "", claim[64] = "", what[96];
	char *text = NULL;
	size_t cap = 0, n = 0;
	FILE *f;
	int busy = 0, ret;

	f = fopen("/proc/iomem", "re");
	if (f) {
		for (;;) {
			char *p;
			size_t r;

			if (n + 4096 + 1 > cap) {
				cap = cap ? cap * 2 : 65536;
				p = realloc(text, cap);
				if (!p)
					break;
				text = p;
			}
			r = fread(text + n, 1, 4096, f);
			n += r;
			if (!r)
				break;
		}
		fclose(f);
		if (text) {
			text[n] = 0;
			busy = vb_iomem_busy(text, d->mmio_base, top, sizeof(top), claim, sizeof(claim));
		}
		free(text);
	}
	/* Fail closed: without /proc/iomem nothing shows the window is free.
	 * (No entry at all is fine: a driver claims its window there.) */
	if (!f || !text) {
		snprintf(err, errlen, "%s: cannot read /proc/iomem to check that no driver owns the window: %s",
			 d->name, f ? "out of memory" : strerror(errno));
		return -EACCES;
	}
	if (d->driver[0] || busy == 1) {
		const char *drv = d->driver[0] ? d->driver : "virtio-mmio";

		if (top[0])
			snprintf(err, errlen,
				 "%s is owned by the kernel driver %s (/proc/iomem: %s claimed); unbind it first: echo %s > /sys/bus/platform/drivers/%s/unbind",
				 d->name, drv, claim[0] ? claim : top, top, drv);
		else
			snprintf(err, errlen, "%s is bound to the kernel driver %s; unbind it first",
				 d->name, drv);
		return -EBUSY;
	}
	vb_step_add(steps, "ownership", 1, "%s: not claimed in /proc/iomem", d->name);
	hw->kind = d->mmio_version == 1 ? VB_HW_MMIO_V1 : VB_HW_MMIO_V2;
	hw->kind_name = d->mmio_version == 1 ? "mmio-v1" : "mmio-v2";
	snprintf(what, sizeof(what), "virtio-mmio window %s", d->name);
	ret = vq_regwin_open_map(&hw->common, "/dev/mem", d->mmio_base, MMIO_LEN, 1, what, err,
				 errlen);
	if (ret)
		return ret;
	hw->t.ops = &mmio_ops;
	if (hw->kind == VB_HW_MMIO_V2) {
		hw->t.modern = 1;
	} else {
		hw->t.legacy_layout = 1;
		hw->t.align = PAGE;
	}
	return 0;
}

int vb_hw_open(struct vb_hw *hw, const struct vq_dev *d, struct vb_steps *steps, char *err,
	       size_t errlen)
{
	memset(hw, 0, sizeof(*hw));
	hw->common.fd = hw->notify.fd = hw->devcfg.fd = -1;
	hw->t.h = hw;
	hw->t.err = hw->err;
	/* Only a device found on this system: a snapshot's records name
	 * hardware that may not be here (and come from a file). */
	if (vq_snap_is(d)) {
		snprintf(err, errlen, "%s comes from a snapshot file; blk drives live devices only", d->name);
		return -ENODEV;
	}
	if (d->device_id != VIRTIO_ID_BLOCK) {
		snprintf(err, errlen, "%s is virtio device type %u, not a block device (2)", d->name,
			 d->device_id);
		return -ENODEV;
	}
	if (d->kind == VQ_T_MMIO)
		return open_mmio(hw, d, steps, err, errlen);
	return open_pci(hw, d, steps, err, errlen);
}

int vb_hw_attach(struct vb_hw *hw, enum vb_hw_kind kind, const struct vq_regwin *w)
{
	memset(hw, 0, sizeof(*hw));
	hw->notify.fd = hw->devcfg.fd = -1;
	hw->common = *w;
	hw->kind = kind;
	hw->t.h = hw;
	hw->t.err = hw->err;
	switch (kind) {
	case VB_HW_PCI_LEGACY:
		hw->kind_name = "pci-legacy";
		hw->legacy_cfg = VIRTIO_PCI_CONFIG_OFF(0);
		hw->t.ops = &pci_legacy_ops;
		hw->t.legacy_layout = 1;
		hw->t.fixed_size = 1;
		hw->t.align = VIRTIO_PCI_VRING_ALIGN;
		return 0;
	case VB_HW_MMIO_V1:
		hw->kind_name = "mmio-v1";
		hw->t.ops = &mmio_ops;
		hw->t.legacy_layout = 1;
		hw->t.align = PAGE;
		return 0;
	case VB_HW_MMIO_V2:
		hw->kind_name = "mmio-v2";
		hw->t.ops = &mmio_ops;
		hw->t.modern = 1;
		return 0;
	default:
		return -EINVAL;
	}
}

void vb_hw_close(struct vb_hw *hw)
{
	vq_regwin_close(&hw->common);
	vq_regwin_close(&hw->notify);
	vq_regwin_close(&hw->devcfg);
}
