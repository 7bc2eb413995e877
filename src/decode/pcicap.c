/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-pci capability list decoder: a walk that always ends, and the device rules of 4.1.4. */
#include <errno.h>
#include <linux/pci_regs.h>
#include <linux/virtio_pci.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "le.h"
#include "pcicap.h"

/* Capabilities sit at dword positions from 0x40 to 0xfc: at most 48. */
#define CAP_FIRST 0x40
#define CAP_SLOTS ((VQ_PCI_CFG_SIZE - CAP_FIRST) / 4)

/* Structure sizes of virtio 1.3, 4.1.4, for the cap_len check. */
#define SIZEOF_CAP 16        /* struct virtio_pci_cap */
#define SIZEOF_NOTIFY_CAP 20 /* struct virtio_pci_notify_cap */
#define SIZEOF_CFG_CAP 20    /* struct virtio_pci_cfg_cap */
#define SIZEOF_CAP64 24      /* struct virtio_pci_cap64 */
#define SIZEOF_VNDR_DATA 6   /* struct virtio_pci_vndr_data, fixed part */

/* The common configuration of virtio 1.0 ends after queue_device (56
 * bytes); later fields are optional. */
#define COMMON_CFG_MIN 56

/* Vendor data must not carry the virtio vendor ID (4.1.4, Vendor data). */
#define VIRTIO_PCI_VENDOR 0x1af4

static void note(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void note(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/*
 * Positions of every capability on the list, in list order, into @pos (room
 * for CAP_SLOTS).  Returns 0 with *n set, or a negative errno with the
 * positions before the fault in @pos and the reason in @why.  Each
 * position may be met once, so the walk takes at most CAP_SLOTS steps.
 */
static int cap_positions(const uint8_t *cfg, size_t len, uint8_t *pos, unsigned *n, char *why,
			 size_t whylen)
{
	uint8_t seen[CAP_SLOTS] = { 0 };
	unsigned from, p;

	*n = 0;
	if (len != VQ_PCI_CFG_SIZE && len != VQ_PCI_CFG_SIZE_EXP) {
		note(why, whylen, "config space of %zu bytes (want %u or %u)", len, VQ_PCI_CFG_SIZE,
		     VQ_PCI_CFG_SIZE_EXP);
		return -EINVAL;
	}
	if (!(le16(cfg + PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	/* CardBus bridges keep the pointer elsewhere; nothing else does. */
	from = (cfg[PCI_HEADER_TYPE] & 0x7f) == PCI_HEADER_TYPE_CARDBUS ? PCI_CB_CAPABILITY_LIST
									 : PCI_CAPABILITY_LIST;
	/* The low two bits of every pointer are reserved (PCI 3.0, 6.7). */
	for (p = cfg[from] & ~3u; p; from = p + PCI_CAP_LIST_NEXT, p = cfg[from] & ~3u) {
		if (p < CAP_FIRST) {
			note(why, whylen, "pointer at 0x%02x leads to 0x%02x, inside the header", from,
			     p);
			return -ERANGE;
		}
		if (seen[(p - CAP_FIRST) / 4]) {
			note(why, whylen, "capability list loops: pointer at 0x%02x leads back to 0x%02x",
			     from, p);
			return -ELOOP;
		}
		if (cfg[p + PCI_CAP_LIST_ID] == 0xff) {
			note(why, whylen,
			     "capability ID 0xff at 0x%02x: config space reads as all ones (device gone?)",
			     p);
			return -EIO;
		}
		seen[(p - CAP_FIRST) / 4] = 1;
		pos[(*n)++] = (uint8_t)p;
	}
	return 0;
}

unsigned vq_pcicap_min_len(uint8_t cfg_type)
{
	switch (cfg_type) {
	case VIRTIO_PCI_CAP_COMMON_CFG:
	case VIRTIO_PCI_CAP_ISR_CFG:
	case VIRTIO_PCI_CAP_DEVICE_CFG:
		return SIZEOF_CAP;
	case VIRTIO_PCI_CAP_NOTIFY_CFG:
		return SIZEOF_NOTIFY_CAP;
	case VIRTIO_PCI_CAP_PCI_CFG:
		return SIZEOF_CFG_CAP;
	case VIRTIO_PCI_CAP_SHARED_MEMORY_CFG:
		return SIZEOF_CAP64;
	case VQ_PCI_CAP_VENDOR_CFG:
		return SIZEOF_VNDR_DATA;
	}
	return 0;
}

const char *vq_pcicap_type_name(uint8_t cfg_type)
{
	switch (cfg_type) {
	case VIRTIO_PCI_CAP_COMMON_CFG:
		return "common";
	case VIRTIO_PCI_CAP_NOTIFY_CFG:
		return "notify";
	case VIRTIO_PCI_CAP_ISR_CFG:
		return "isr";
	case VIRTIO_PCI_CAP_DEVICE_CFG:
		return "device";
	case VIRTIO_PCI_CAP_PCI_CFG:
		return "pci-cfg";
	case VIRTIO_PCI_CAP_SHARED_MEMORY_CFG:
		return "shared-memory";
	case VQ_PCI_CAP_VENDOR_CFG:
		return "vendor";
	}
	return NULL;
}

/* Record why the capability at @pos is ignored (the first reason only). */
static void ignore(struct vq_pcicap_walk *w, unsigned pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void ignore(struct vq_pcicap_walk *w, unsigned pos, const char *fmt, ...)
{
	char why[120];
	va_list ap;

	if (!w->ignored++) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
		note(w->note, sizeof(w->note), "capability at 0x%02x ignored: %s", pos, why);
	}
}

/* Decode the vendor capability at @p, or return 0 (and count it) when the
 * driver rules say to ignore it. */
static int decode_one(const uint8_t *cfg, unsigned p, struct vq_pci_cap *c,
		      struct vq_pcicap_walk *w)
{
	uint8_t type = cfg[p + VIRTIO_PCI_CAP_CFG_TYPE];
	unsigned cap_len = cfg[p + VIRTIO_PCI_CAP_LEN], min = vq_pcicap_min_len(type);

	if (!min) {
		ignore(w, p, "reserved cfg_type %u", type);
		return 0;
	}
	if (cap_len < min) {
		ignore(w, p, "cap_len %u is shorter than the %u bytes of a %s capability", cap_len,
		       min, vq_pcicap_type_name(type));
		return 0;
	}
	if (p + cap_len > VQ_PCI_CFG_SIZE) {
		ignore(w, p, "cap_len %u runs past the end of config space", cap_len);
		return 0;
	}
	memset(c, 0, sizeof(*c));
	c->cfg_type = type;
	c->pos = (uint8_t)p;
	if (type == VQ_PCI_CAP_VENDOR_CFG) {
		/* Its layout has no bar, offset or length. */
		c->bar = VQ_PCI_CAP_NO_BAR;
		c->length = cap_len;
		return 1;
	}
	c->bar = cfg[p + VIRTIO_PCI_CAP_BAR];
	if (c->bar > 5) {
		ignore(w, p, "reserved bar %u in a %s capability", c->bar,
		       vq_pcicap_type_name(type));
		return 0;
	}
	c->id = cfg[p + VQ_PCI_CAP_ID];
	c->offset = le32(cfg + p + VIRTIO_PCI_CAP_OFFSET);
	c->length = le32(cfg + p + VIRTIO_PCI_CAP_LENGTH);
	if (type == VIRTIO_PCI_CAP_SHARED_MEMORY_CFG) {
		c->offset |= (uint64_t)le32(cfg + p + VQ_PCI_CAP64_OFFSET_HI) << 32;
		c->length |= (uint64_t)le32(cfg + p + VQ_PCI_CAP64_LENGTH_HI) << 32;
	}
	if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
		c->notify_off_multiplier = le32(cfg + p + VIRTIO_PCI_NOTIFY_CAP_MULT);
	return 1;
}

int vq_pcicap_parse(const uint8_t *cfg, size_t len, struct vq_pci_cap *caps, unsigned max,
		    struct vq_pcicap_walk *w)
{
	uint8_t pos[CAP_SLOTS];
	struct vq_pci_cap c;
	unsigned npos, i;
	int ret;

	memset(w, 0, sizeof(*w));
	ret = cap_positions(cfg, len, pos, &npos, w->note, sizeof(w->note));
	w->visited = npos;
	for (i = 0; i < npos; i++) {
		uint8_t id = cfg[pos[i] + PCI_CAP_LIST_ID];

		if (id == PCI_CAP_ID_MSIX && !w->msix_pos)
			w->msix_pos = pos[i];
		if (id != PCI_CAP_ID_VNDR || !decode_one(cfg, pos[i], &c, w))
			continue;
		if (w->n < max)
			caps[w->n++] = c;
		else
			w->dropped++;
	}
	return ret < 0 ? ret : (int)w->n;
}

int vq_pci_find_std_cap(const uint8_t *cfg, size_t len, uint8_t cap_id)
{
	uint8_t pos[CAP_SLOTS];
	unsigned n, i;
	char why[160];
	int ret;

	ret = cap_positions(cfg, len, pos, &n, why, sizeof(why));
	for (i = 0; i < n; i++)
		if (cfg[pos[i] + PCI_CAP_LIST_ID] == cap_id)
			return pos[i];
	return ret;
}

int vq_pci_msix_enabled(const uint8_t *cfg, size_t len)
{
	int p = vq_pci_find_std_cap(cfg, len, PCI_CAP_ID_MSIX);

	if (p <= 0)
		return p;
	/* Message Control is two bytes at +2; a capability at 0xfc ends at 0xff. */
	return !!(le16(cfg + p + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_ENABLE);
}

const struct vq_pci_cap *vq_pcicap_first(const struct vq_pci_cap *caps, unsigned n,
					 uint8_t cfg_type)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (caps[i].cfg_type == cfg_type)
			return &caps[i];
	return NULL;
}

/* Findings array being filled. */
struct lint_out {
	struct vq_finding *f; /* caller's array */
	unsigned max;         /* its size */
	unsigned n;           /* entries written */
};

static void finding(struct lint_out *o, const char *code, enum vq_severity sev, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));

static void finding(struct lint_out *o, const char *code, enum vq_severity sev, const char *fmt,
		    ...)
{
	va_list ap;

	if (o->n >= o->max)
		return;
	o->f[o->n].code = code;
	o->f[o->n].severity = sev;
	va_start(ap, fmt);
	vsnprintf(o->f[o->n].message, sizeof(o->f[o->n].message), fmt, ap);
	va_end(ap);
	o->n++;
}

static int is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* 4.1.4, Notification capability: multiplier, alignment and length. */
static void lint_notify(const struct vq_pci_cap *c, const struct vq_pcicap_lint_in *in,
			struct lint_out *o)
{
	unsigned width = in->notification_data ? 4 : 2, i;
	uint32_t m = c->notify_off_multiplier;

	if (c->offset % width)
		finding(o, "PCICAP_ALIGN", VQ_SEV_ERROR,
			"notify capability at 0x%02x: offset 0x%llx is not %u-byte aligned", c->pos,
			(unsigned long long)c->offset, width);
	/* "An even power of 2": 2, 4, 8...; with NOTIFICATION_DATA a power
	 * of 2 that is a multiple of 4. */
	if (m && (!is_pow2(m) || m % width))
		finding(o, "PCICAP_NOTIFY_MULTIPLIER", VQ_SEV_ERROR,
			"notify capability at 0x%02x: notify_off_multiplier %u is neither 0 nor a power of 2 that is a multiple of %u",
			c->pos, m, width);
	if (c->length < width)
		finding(o, "PCICAP_NOTIFY_LENGTH", VQ_SEV_ERROR,
			"notify capability at 0x%02x: length %llu is less than %u", c->pos,
			(unsigned long long)c->length, width);
	for (i = 0; in->notify_offs && i < in->nqueues; i++) {
		uint64_t need = (uint64_t)in->notify_offs[i] * m + width;

		if (c->length < need) {
			finding(o, "PCICAP_NOTIFY_LENGTH", VQ_SEV_ERROR,
				"notify capability at 0x%02x: length %llu is less than queue %u's queue_notify_off %u * %u + %u",
				c->pos, (unsigned long long)c->length, i, in->notify_offs[i], m,
				width);
			break;
		}
	}
}

/* A structure's region must lie within its BAR. */
static void lint_bar(const struct vq_pci_cap *c, const struct vq_pcicap_lint_in *in,
		     struct lint_out *o)
{
	uint64_t size;

	if (!in->bar_size || c->cfg_type == VIRTIO_PCI_CAP_PCI_CFG ||
	    c->cfg_type == VQ_PCI_CAP_VENDOR_CFG)
		return;
	size = in->bar_size[c->bar];
	if (!size)
		finding(o, "PCICAP_OUTSIDE_BAR", VQ_SEV_ERROR,
			"%s capability at 0x%02x names BAR%u, which is not implemented",
			vq_pcicap_type_name(c->cfg_type), c->pos, c->bar);
	else if (c->length > size || c->offset > size - c->length)
		finding(o, "PCICAP_OUTSIDE_BAR", VQ_SEV_ERROR,
			"%s capability at 0x%02x: 0x%llx bytes at 0x%llx run past the end of BAR%u (0x%llx bytes)",
			vq_pcicap_type_name(c->cfg_type), c->pos, (unsigned long long)c->length,
			(unsigned long long)c->offset, c->bar, (unsigned long long)size);
}

unsigned vq_pcicap_lint(const uint8_t *cfg, size_t len, const struct vq_pci_cap *caps,
			unsigned n, const struct vq_pcicap_lint_in *in, struct vq_finding *out,
			unsigned max)
{
	static const struct {
		uint8_t type;       /* cfg_type every device presents */
		const char *code;   /* finding when it is missing */
	} required[] = {
		{ VIRTIO_PCI_CAP_COMMON_CFG, "PCICAP_NO_COMMON" },
		{ VIRTIO_PCI_CAP_NOTIFY_CFG, "PCICAP_NO_NOTIFY" },
		{ VIRTIO_PCI_CAP_ISR_CFG, "PCICAP_NO_ISR" },
		{ VIRTIO_PCI_CAP_PCI_CFG, "PCICAP_NO_PCI_CFG" },
	};
	struct lint_out o = { out, max, 0 };
	unsigned i, j;

	if (!n) {
		finding(&o, "PCICAP_NONE", VQ_SEV_INFO,
			"no virtio capabilities: a legacy device (I/O BAR0 only)");
		return o.n;
	}
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!vq_pcicap_first(caps, n, required[i].type))
			finding(&o, required[i].code, VQ_SEV_ERROR,
				"no %s capability: the device MUST present at least one",
				vq_pcicap_type_name(required[i].type));
	if (in->needs_device_cfg == 1 && !vq_pcicap_first(caps, n, VIRTIO_PCI_CAP_DEVICE_CFG))
		finding(&o, "PCICAP_NO_DEVICE", VQ_SEV_ERROR,
			"no device capability although the device type has a device-specific configuration");

	for (i = 0; i < n; i++) {
		const struct vq_pci_cap *c = &caps[i];

		switch (c->cfg_type) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			if (c->offset % 4)
				finding(&o, "PCICAP_ALIGN", VQ_SEV_ERROR,
					"%s capability at 0x%02x: offset 0x%llx is not 4-byte aligned",
					vq_pcicap_type_name(c->cfg_type), c->pos,
					(unsigned long long)c->offset);
			if (c->cfg_type == VIRTIO_PCI_CAP_COMMON_CFG && c->length < COMMON_CFG_MIN)
				finding(&o, "PCICAP_COMMON_LENGTH", VQ_SEV_WARNING,
					"common capability at 0x%02x: length %llu is less than the %u bytes of struct virtio_pci_common_cfg up to queue_device",
					c->pos, (unsigned long long)c->length, COMMON_CFG_MIN);
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			lint_notify(c, in, &o);
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			if (c->length < 1)
				finding(&o, "PCICAP_ISR_LENGTH", VQ_SEV_ERROR,
					"isr capability at 0x%02x: length 0 (at least one byte)",
					c->pos);
			break;
		case VIRTIO_PCI_CAP_SHARED_MEMORY_CFG:
			for (j = 0; j < i; j++)
				if (caps[j].cfg_type == VIRTIO_PCI_CAP_SHARED_MEMORY_CFG &&
				    caps[j].id == c->id) {
					finding(&o, "PCICAP_SHM_ID", VQ_SEV_ERROR,
						"shared-memory capabilities at 0x%02x and 0x%02x share id %u",
						caps[j].pos, c->pos, c->id);
					break;
				}
			break;
		case VQ_PCI_CAP_VENDOR_CFG:
			if ((size_t)c->pos + VQ_PCI_VNDR_VENDOR_ID + 2 <= len &&
			    le16(cfg + c->pos + VQ_PCI_VNDR_VENDOR_ID) == VIRTIO_PCI_VENDOR)
				finding(&o, "PCICAP_VENDOR_ID", VQ_SEV_ERROR,
					"vendor capability at 0x%02x: vendor_id is 0x1af4, which it MUST NOT be",
					c->pos);
			if (c->length % 4)
				finding(&o, "PCICAP_VENDOR_SIZE", VQ_SEV_ERROR,
					"vendor capability at 0x%02x: cap_len %llu is not a multiple of 4",
					c->pos, (unsigned long long)c->length);
			break;
		}
		lint_bar(c, in, &o);
	}
	return o.n;
}
