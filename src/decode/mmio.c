/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-mmio register block decoder (virtio 1.3 sections 4.2.2 and 4.2.4, legacy): pure, no I/O. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/virtio_config.h>

#include "../model/hex.h"
#include "mmio.h"
#include "ring.h"

#define V1 VQ_MMIO_V1
#define V2 VQ_MMIO_V2
#define R VQ_MMIO_R
#define W VQ_MMIO_W
#define RW VQ_MMIO_RW

/* The tables of 4.2.2 (version 2) and 4.2.4 (legacy).  Where the two
 * layouts name the same register differently, each has its own row. */
const struct vq_mmio_reg vq_mmio_regs[] = {
	{ VIRTIO_MMIO_MAGIC_VALUE, R, V1 | V2, VQ_MMIO_SEL_NONE, "MagicValue" },
	{ VIRTIO_MMIO_VERSION, R, V1 | V2, VQ_MMIO_SEL_NONE, "Version" },
	{ VIRTIO_MMIO_DEVICE_ID, R, V1 | V2, VQ_MMIO_SEL_NONE, "DeviceID" },
	{ VIRTIO_MMIO_VENDOR_ID, R, V1 | V2, VQ_MMIO_SEL_NONE, "VendorID" },
	{ VIRTIO_MMIO_DEVICE_FEATURES, R, V1, VQ_MMIO_SEL_DEVFEAT, "HostFeatures" },
	{ VIRTIO_MMIO_DEVICE_FEATURES, R, V2, VQ_MMIO_SEL_DEVFEAT, "DeviceFeatures" },
	{ VIRTIO_MMIO_DEVICE_FEATURES_SEL, W, V1, VQ_MMIO_SEL_NONE, "HostFeaturesSel" },
	{ VIRTIO_MMIO_DEVICE_FEATURES_SEL, W, V2, VQ_MMIO_SEL_NONE, "DeviceFeaturesSel" },
	{ VIRTIO_MMIO_DRIVER_FEATURES, W, V1, VQ_MMIO_SEL_DRVFEAT, "GuestFeatures" },
	{ VIRTIO_MMIO_DRIVER_FEATURES, W, V2, VQ_MMIO_SEL_DRVFEAT, "DriverFeatures" },
	{ VIRTIO_MMIO_DRIVER_FEATURES_SEL, W, V1, VQ_MMIO_SEL_NONE, "GuestFeaturesSel" },
	{ VIRTIO_MMIO_DRIVER_FEATURES_SEL, W, V2, VQ_MMIO_SEL_NONE, "DriverFeaturesSel" },
	{ VIRTIO_MMIO_GUEST_PAGE_SIZE, W, V1, VQ_MMIO_SEL_NONE, "GuestPageSize" },
	{ VIRTIO_MMIO_QUEUE_SEL, W, V1 | V2, VQ_MMIO_SEL_NONE, "QueueSel" },
	{ VIRTIO_MMIO_QUEUE_NUM_MAX, R, V1 | V2, VQ_MMIO_SEL_QUEUE, "QueueNumMax" },
	{ VIRTIO_MMIO_QUEUE_NUM, W, V1 | V2, VQ_MMIO_SEL_QUEUE, "QueueNum" },
	{ VIRTIO_MMIO_QUEUE_ALIGN, W, V1, VQ_MMIO_SEL_QUEUE, "QueueAlign" },
	{ VIRTIO_MMIO_QUEUE_PFN, RW, V1, VQ_MMIO_SEL_QUEUE, "QueuePFN" },
	{ VIRTIO_MMIO_QUEUE_READY, RW, V2, VQ_MMIO_SEL_QUEUE, "QueueReady" },
	{ VIRTIO_MMIO_QUEUE_NOTIFY, W, V1 | V2, VQ_MMIO_SEL_NONE, "QueueNotify" },
	{ VIRTIO_MMIO_INTERRUPT_STATUS, R, V1 | V2, VQ_MMIO_SEL_NONE, "InterruptStatus" },
	{ VIRTIO_MMIO_INTERRUPT_ACK, W, V1 | V2, VQ_MMIO_SEL_NONE, "InterruptACK" },
	{ VIRTIO_MMIO_STATUS, RW, V1 | V2, VQ_MMIO_SEL_NONE, "Status" },
	{ VIRTIO_MMIO_QUEUE_DESC_LOW, W, V2, VQ_MMIO_SEL_QUEUE, "QueueDescLow" },
	{ VIRTIO_MMIO_QUEUE_DESC_HIGH, W, V2, VQ_MMIO_SEL_QUEUE, "QueueDescHigh" },
	{ VIRTIO_MMIO_QUEUE_AVAIL_LOW, W, V2, VQ_MMIO_SEL_QUEUE, "QueueDriverLow" },
	{ VIRTIO_MMIO_QUEUE_AVAIL_HIGH, W, V2, VQ_MMIO_SEL_QUEUE, "QueueDriverHigh" },
	{ VIRTIO_MMIO_QUEUE_USED_LOW, W, V2, VQ_MMIO_SEL_QUEUE, "QueueDeviceLow" },
	{ VIRTIO_MMIO_QUEUE_USED_HIGH, W, V2, VQ_MMIO_SEL_QUEUE, "QueueDeviceHigh" },
	{ VIRTIO_MMIO_SHM_SEL, W, V2, VQ_MMIO_SEL_NONE, "SHMSel" },
	{ VIRTIO_MMIO_SHM_LEN_LOW, R, V2, VQ_MMIO_SEL_SHM, "SHMLenLow" },
	{ VIRTIO_MMIO_SHM_LEN_HIGH, R, V2, VQ_MMIO_SEL_SHM, "SHMLenHigh" },
	{ VIRTIO_MMIO_SHM_BASE_LOW, R, V2, VQ_MMIO_SEL_SHM, "SHMBaseLow" },
	{ VIRTIO_MMIO_SHM_BASE_HIGH, R, V2, VQ_MMIO_SEL_SHM, "SHMBaseHigh" },
	{ VQ_MMIO_QUEUE_RESET, RW, V2, VQ_MMIO_SEL_QUEUE, "QueueReset" },
	{ VIRTIO_MMIO_CONFIG_GENERATION, R, V2, VQ_MMIO_SEL_NONE, "ConfigGeneration" },
};

const size_t vq_mmio_nregs = sizeof(vq_mmio_regs) / sizeof(vq_mmio_regs[0]);

const struct vq_mmio_reg *vq_mmio_reg_at(unsigned off, unsigned version)
{
	unsigned bit = version == 1 ? V1 : version == 2 ? V2 : 0;
	size_t i;

	for (i = 0; bit && i < vq_mmio_nregs; i++)
		if (vq_mmio_regs[i].off == off && (vq_mmio_regs[i].versions & bit))
			return &vq_mmio_regs[i];
	return NULL;
}

int vq_mmio_may_read(unsigned off, unsigned version)
{
	const struct vq_mmio_reg *r = vq_mmio_reg_at(off, version);

	return r && (r->dir & VQ_MMIO_R);
}

int vq_mmio_identify(uint32_t magic, uint32_t version, uint32_t device_id, char *why,
		     size_t whylen)
{
	if (magic != VQ_MMIO_MAGIC) {
		/* 4.2.2.2: the driver MUST ignore it; saying why helps with a
		 * wrong --mmio address. */
		snprintf(why, whylen, "MagicValue is 0x%08x, not 0x%08x (\"virt\")%s", magic,
			 VQ_MMIO_MAGIC,
			 magic == 0xffffffffu ? ": nothing answers at this address"
			 : magic == 0         ? ": not a virtio-mmio transport (reads as zero)"
					      : ": not a virtio-mmio transport");
		return -ENODEV;
	}
	if (version != 1 && version != 2) {
		snprintf(why, whylen, "Version is %u: only 1 (legacy, 4.2.4) and 2 (4.2.2) are defined",
			 version);
		return -EPROTONOSUPPORT;
	}
	/* 4.2.2.2: ignore device ID 0, but report no error. */
	return device_id == 0 ? VQ_MMIO_EMPTY : VQ_MMIO_DEVICE;
}

unsigned vq_mmio_device_features(const uint32_t raw[4], uint32_t out[4])
{
	unsigned quirks = 0;

	memcpy(out, raw, 4 * sizeof(out[0]));
	if (raw[0] && raw[1] == raw[0] && raw[2] == raw[0] && raw[3] == raw[0]) {
		out[1] = out[2] = out[3] = 0;
		quirks |= VQ_MMIO_QUIRK_FSEL_IGNORED;
	} else if (raw[1] && raw[2] == raw[1] && raw[3] == raw[1]) {
		out[2] = out[3] = 0;
		quirks |= VQ_MMIO_QUIRK_FSEL_CLAMPED;
	}
	return quirks;
}

int vq_mmio_driver_features_zero(unsigned version, uint8_t status)
{
	if (version == 1)
		return !(status & VIRTIO_CONFIG_S_DRIVER);
	return !(status & VIRTIO_CONFIG_S_FEATURES_OK);
}

static int is_pow2(uint64_t n)
{
	return n && !(n & (n - 1));
}

/* Record the first problem only: it is the one that stopped decoding. */
static int problem(struct vq_mmio_queue *out, const char *what)
{
	if (!out->problem)
		out->problem = what;
	return -EINVAL;
}

/* Version 2 addresses as the driver wrote them (4.2.2: 64-bit values in
 * two 32-bit halves, low word first in the register map). */
static int written_addresses(const struct vq_mmio_queue_regs *r, unsigned flags,
			     struct vq_mmio_queue *out)
{
	int packed = flags & VQ_MMIO_QF_PACKED;

	out->desc = (uint64_t)r->desc_hi << 32 | r->desc_lo;
	out->avail = (uint64_t)r->driver_hi << 32 | r->driver_lo;
	out->used = (uint64_t)r->device_hi << 32 | r->device_lo;
	if (!out->desc && !out->avail && !out->used)
		return 0;
	out->addr_how = VQ_MMIO_ADDR_WRITTEN;
	/* 2.7 (split): descriptor table 16-byte, available ring 2-byte, used
	 * ring 4-byte aligned.  2.8 (packed): descriptor ring 16, event
	 * suppression structures 4. */
	if (out->desc % 16)
		return problem(out, "QueueDesc is not 16-byte aligned (2.7, 2.8)");
	if (out->avail % (packed ? 4 : 2))
		return problem(out, packed ? "QueueDriver is not 4-byte aligned (2.8)"
					   : "QueueDriver is not 2-byte aligned (2.7)");
	if (out->used % 4)
		return problem(out, "QueueDevice is not 4-byte aligned (2.7, 2.8)");
	return 0;
}

/* The size Linux's layout implies: avail right after a table of n
 * entries, used no earlier than the end of the avail ring. */
static void size_from_rings(const struct vq_mmio_queue_regs *r, struct vq_mmio_queue *out)
{
	uint64_t gap, n;

	if (out->avail <= out->desc || out->used <= out->avail)
		return;
	gap = out->avail - out->desc;
	if (gap % 16)
		return;
	n = gap / 16;
	if (!is_pow2(n) || n > VQ_RING_MAX_SIZE || n > r->num_max)
		return;
	if (out->used - out->avail < VQ_AVAIL_BYTES(n) - 2)
		return;
	out->size = (uint32_t)n;
	out->size_how = VQ_MMIO_SIZE_RINGS;
}

int vq_mmio_decode_queue(unsigned version, const struct vq_mmio_queue_regs *r, unsigned flags,
			 struct vq_mmio_queue *out)
{
	int packed = flags & VQ_MMIO_QF_PACKED, ret = 0;
	struct vq_ring_layout l;

	memset(out, 0, sizeof(*out));
	if (version != 1 && version != 2)
		return problem(out, "unknown register layout version");
	out->max_size = r->num_max;
	out->enabled = version == 1 ? r->pfn != 0 : r->ready != 0;
	if (!r->num_max) {
		/* 4.2.2: QueueNumMax 0 means the queue is not available. */
		if (out->enabled && version == 1)
			return problem(out, "QueuePFN is set on a queue whose QueueNumMax is 0");
		if (out->enabled)
			return problem(out, "QueueReady is set on a queue whose QueueNumMax is 0");
		return 0;
	}
	if (r->num_max > VQ_RING_MAX_SIZE)
		ret = problem(out, "QueueNumMax exceeds 32768, the largest Queue Size (2.7, 2.8)");

	if (version == 1 && r->pfn) {
		/* 4.2.4: the queue starts at QueuePFN * GuestPageSize. */
		out->desc = (uint64_t)r->pfn * VQ_MMIO_LEGACY_PAGE;
		out->addr_how = VQ_MMIO_ADDR_PFN;
	}
	if (r->wo_valid) {
		if (version == 2 && written_addresses(r, flags, out))
			ret = -EINVAL;
		if (r->num > r->num_max)
			/* 4.2.2.2: QueueNum <= QueueNumMax. */
			ret = problem(out, "QueueNum exceeds QueueNumMax");
		else if (r->num && !packed && !is_pow2(r->num))
			ret = problem(out, "QueueNum is not a power of 2 (2.7)");
		else if (r->num) {
			out->size = r->num;
			out->size_how = VQ_MMIO_SIZE_WRITTEN;
		}
		if (!out->size && !packed && out->addr_how == VQ_MMIO_ADDR_WRITTEN)
			size_from_rings(r, out);
	}
	/* A queue in use whose size was not written anywhere readable: Linux
	 * (vm_setup_vq) asks for QueueNumMax entries, and a split ring must
	 * have a power of 2. */
	if (!out->size && out->enabled && r->num_max <= VQ_RING_MAX_SIZE &&
	    (packed || is_pow2(r->num_max))) {
		out->size = r->num_max;
		out->size_how = VQ_MMIO_SIZE_MAX;
	}
	if (version == 1 && out->addr_how == VQ_MMIO_ADDR_PFN && out->size) {
		/* 4.2.4 and 2.7.2: one contiguous area, used ring aligned to
		 * QueueAlign. */
		vq_ring_layout_contig(out->desc, out->size, VQ_MMIO_LEGACY_ALIGN, &l);
		out->avail = l.avail;
		out->used = l.used;
	}
	return ret;
}

/* ---- discovery ---- */

static int has_prefix(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);

	return n >= pl && !memcmp(s, p, pl);
}

static int has_suffix(const char *s, size_t n, const char *x)
{
	size_t xl = strlen(x);

	return n >= xl && !memcmp(s + n - xl, x, xl);
}

int vq_mmio_name_match(const char *name)
{
	size_t n = strcspn(name, " \t\n");

	if (has_prefix(name, n, "LNRO0005:"))
		return n > 9;
	if (n == 11 && has_prefix(name, n, "virtio-mmio"))
		return 1;
	if (has_prefix(name, n, "virtio-mmio."))
		return n > 12;
	/* Device-tree platform devices are "<address>.<node name>". */
	return n > 12 && has_suffix(name, n, ".virtio_mmio");
}

/* Hex digits at *p (at most 16); advances *p.  0 or -EINVAL. */
static int parse_hex(const char **p, uint64_t *v)
{
	const char *s = *p;
	unsigned n = 0;

	*v = 0;
	while (vq_hex_digit(*s) >= 0) {
		if (++n > 16)
			return -EINVAL;
		*v = *v << 4 | (uint64_t)vq_hex_digit(*s++);
	}
	if (!n)
		return -EINVAL;
	*p = s;
	return 0;
}

int vq_mmio_iomem_line(const char *line, uint64_t *start, uint64_t *end, unsigned *depth,
		       const char **name, size_t *namelen)
{
	const char *p = line;
	unsigned spaces = 0;
	size_t n;

	while (*p == ' ')
		p++, spaces++;
	if (parse_hex(&p, start) || *p++ != '-' || parse_hex(&p, end))
		return 0;
	if (strncmp(p, " : ", 3))
		return 0;
	p += 3;
	n = strcspn(p, "\n");
	if (!n || *end < *start)
		return 0;
	*depth = spaces / 2;
	*name = p;
	*namelen = n;
	return 1;
}

int vq_mmio_platform_addr(const char *name, uint64_t *addr)
{
	const char *p = name;

	if (parse_hex(&p, addr) || *p != '.' || !p[1])
		return -EINVAL;
	return 0;
}

int vq_mmio_dt_compatible(const uint8_t *prop, size_t len)
{
	static const char want[] = "virtio,mmio";
	size_t i = 0;

	while (i < len) {
		const uint8_t *s = prop + i;
		const uint8_t *nul = memchr(s, 0, len - i);
		size_t sl = nul ? (size_t)(nul - s) : len - i;

		if (sl == sizeof(want) - 1 && !memcmp(s, want, sl))
			return 1;
		i += sl + 1;
	}
	return 0;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int vq_mmio_dt_cells(const uint8_t *p, unsigned cells, uint64_t *val)
{
	unsigned i;

	*val = 0;
	for (i = 0; i < cells; i++) {
		if (i + 2 < cells) {
			/* Only the low two cells fit in 64 bits. */
			if (be32(p + 4 * i))
				return -EINVAL;
			continue;
		}
		*val = *val << 32 | be32(p + 4 * i);
	}
	return 0;
}

/* Device-tree cell counts are small; 4 covers every bus binding. */
#define DT_MAX_CELLS 4u

int vq_mmio_dt_reg(const uint8_t *reg, size_t len, unsigned addr_cells, unsigned size_cells,
		   uint64_t *addr, uint64_t *size)
{
	if (!addr_cells || addr_cells > DT_MAX_CELLS || size_cells > DT_MAX_CELLS ||
	    len < 4u * (addr_cells + size_cells))
		return -EINVAL;
	if (vq_mmio_dt_cells(reg, addr_cells, addr) ||
	    vq_mmio_dt_cells(reg + 4 * addr_cells, size_cells, size))
		return -EINVAL;
	return 0;
}

int vq_mmio_dt_translate(uint64_t addr, const uint8_t *ranges, size_t len, unsigned child_ac,
			 unsigned parent_ac, unsigned child_sc, uint64_t *out)
{
	size_t entry = 4u * (child_ac + parent_ac + child_sc), i;

	if (!len) {
		*out = addr;
		return 0;
	}
	if (!child_ac || !parent_ac || child_ac > DT_MAX_CELLS || parent_ac > DT_MAX_CELLS ||
	    child_sc > DT_MAX_CELLS || len % entry)
		return -EINVAL;
	for (i = 0; i < len; i += entry) {
		uint64_t c, p, s;

		if (vq_mmio_dt_cells(ranges + i, child_ac, &c) ||
		    vq_mmio_dt_cells(ranges + i + 4 * child_ac, parent_ac, &p) ||
		    vq_mmio_dt_cells(ranges + i + 4 * (child_ac + parent_ac), child_sc, &s))
			continue;
		if (addr >= c && addr - c < s) {
			/* A nonsensical ranges entry must not wrap to a low address. */
			if (addr - c > UINT64_MAX - p)
				return -EINVAL;
			*out = p + (addr - c);
			return 0;
		}
	}
	return -ENOENT;
}

int vq_mmio_sysfs_features(const char *s, uint32_t out[4])
{
	int n = 0;

	memset(out, 0, 4 * sizeof(out[0]));
	for (; *s && *s != '\n'; s++, n++) {
		if ((*s != '0' && *s != '1') || n >= 128)
			return -EINVAL;
		if (*s == '1')
			out[n / 32] |= 1u << (n % 32);
	}
	return n;
}
