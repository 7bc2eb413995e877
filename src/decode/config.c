/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Device-specific configuration decoders: one field table per device type (virtio 1.3, 5.x.4). */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/virtio_9p.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_input.h>
#include <linux/virtio_iommu.h>
#include <linux/virtio_mem.h>
#include <linux/virtio_net.h>

#include "../model/hex.h"
#include "config.h"
#include "le.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Feature bits that gate configuration fields but that older UAPI headers
 * lack (Linux 6.1 has none of these); the values are the spec's.
 */
#ifndef VIRTIO_BLK_F_CONFIG_WCE
#define VIRTIO_BLK_F_CONFIG_WCE 11 /* 5.2.3; UAPI hides it under VIRTIO_BLK_NO_LEGACY */
#endif
#ifndef VIRTIO_BLK_F_SECURE_ERASE
#define VIRTIO_BLK_F_SECURE_ERASE 16 /* 5.2.3 */
#endif
#ifndef VIRTIO_BLK_F_ZONED
#define VIRTIO_BLK_F_ZONED 17 /* 5.2.3 */
#endif
#ifndef VIRTIO_NET_F_HASH_TUNNEL
#define VIRTIO_NET_F_HASH_TUNNEL 51 /* 5.1.3 */
#endif
#ifndef VIRTIO_IOMMU_F_BYPASS_CONFIG
#define VIRTIO_IOMMU_F_BYPASS_CONFIG 6 /* 5.13.3 */
#endif
#ifndef VIRTIO_FS_F_NOTIFICATION
#define VIRTIO_FS_F_NOTIFICATION 0 /* 5.11.3 */
#endif
#ifndef VIRTIO_SND_F_CTLS
#define VIRTIO_SND_F_CTLS 0 /* 5.14.3 */
#endif

/* The field exists whatever was negotiated. */
#define ALWAYS (-1)

/* How a field's bytes become a struct vq_cfg_field. */
enum render {
	R_NUM,  /* little-endian unsigned number of @size bytes */
	R_TEXT, /* @size bytes of text, stopping at NUL */
	R_MAC,  /* 6 bytes as aa:bb:cc:dd:ee:ff */
};

/* One field of a device's configuration structure. */
struct cfg_desc {
	const char *name;                      /* the spec's name, nested structs flattened */
	uint16_t off;                          /* byte offset in the structure */
	uint8_t size;                          /* bytes (1, 2, 4 or 8 for R_NUM) */
	uint8_t render;                        /* enum render */
	int16_t feat;                          /* feature bit the field needs, or ALWAYS */
	int16_t feat_alt;                      /* another bit that also brings it, or ALWAYS */
	const char *note;                      /* unit or meaning for text output, or NULL */
	const char *(*note_of)(uint64_t v);    /* meaning that depends on the value, or NULL */
	const char *const *flags;              /* R_NUM flag fields: name of each bit, or NULL */
	uint8_t nflags;                        /* entries in @flags */
};

/* Where decoded fields go: at most @max of them. */
struct sink {
	struct vq_cfg_field *out; /* caller's array */
	size_t max;               /* its length */
	size_t n;                 /* fields written so far */
};

/* A device type's layout: its fixed fields, then what cannot be a table. */
struct layout {
	const struct cfg_desc *fields; /* in offset order */
	size_t nfields;                /* entries in @fields */
	size_t size;                   /* bytes of the largest layout, as vq_config_size() */
	void (*extra)(const uint8_t *cfg, size_t len, const uint32_t *features, struct sink *s);
};

/* A number; one that exists with either of two bits; one whose note depends on its value. */
#define NUM(nm, o, sz, ft, nt) NUM2(nm, o, sz, ft, ALWAYS, nt)
#define NUM2(nm, o, sz, ft, alt, nt) \
	{ .name = (nm), .off = (o), .size = (sz), .render = R_NUM, \
	  .feat = (ft), .feat_alt = (alt), .note = (nt) }
#define NUMV(nm, o, sz, ft, fn) \
	{ .name = (nm), .off = (o), .size = (sz), .render = R_NUM, \
	  .feat = (ft), .feat_alt = ALWAYS, .note_of = (fn) }
/* A number whose bits have names (shown joined by '|' in str). */
#define FLAGS(nm, o, sz, ft, alt, tbl) \
	{ .name = (nm), .off = (o), .size = (sz), .render = R_NUM, \
	  .feat = (ft), .feat_alt = (alt), .flags = (tbl), .nflags = ARRAY_SIZE(tbl) }
/* Bytes shown as text or as a MAC address. */
#define TEXT(nm, o, sz, ft, how) \
	{ .name = (nm), .off = (o), .size = (sz), .render = (how), \
	  .feat = (ft), .feat_alt = ALWAYS }

#define SECTORS "512-byte sectors"

/* ---- value-dependent notes ---- */

static const char *note_speed(uint64_t v)
{
	/* 5.1.4: 0..0x7fffffff Mb/s, anything above is unknown. */
	return v > 0x7fffffff ? "unknown" : "Mb/s";
}

static const char *note_duplex(uint64_t v)
{
	/* 5.1.4.  (Its device conformance text swaps 0 and 1; the field description and Linux
	 * agree on 1 = full.) */
	if (v == 0)
		return "half";
	if (v == 1)
		return "full";
	return "unknown";
}

static const char *note_writeback(uint64_t v)
{
	if (v == 0)
		return "writethrough";
	if (v == 1)
		return "writeback";
	return "invalid";
}

static const char *note_zoned_model(uint64_t v)
{
	/* 5.2.4: VIRTIO_BLK_Z_NONE, _HM, _HA. */
	static const char *const models[] = { "none (not zoned or drive-managed)", "host-managed",
					      "host-aware" };

	return v < ARRAY_SIZE(models) ? models[v] : "unknown model";
}

static const char *note_bypass(uint64_t v)
{
	if (v == 0)
		return "unattached endpoints blocked";
	if (v == 1)
		return "unattached endpoints bypass";
	return "invalid (not 0 or 1)";
}

static const char *note_input_select(uint64_t v)
{
	switch (v) {
	case VIRTIO_INPUT_CFG_UNSET:
		return "UNSET";
	case VIRTIO_INPUT_CFG_ID_NAME:
		return "ID_NAME";
	case VIRTIO_INPUT_CFG_ID_SERIAL:
		return "ID_SERIAL";
	case VIRTIO_INPUT_CFG_ID_DEVIDS:
		return "ID_DEVIDS";
	case VIRTIO_INPUT_CFG_PROP_BITS:
		return "PROP_BITS";
	case VIRTIO_INPUT_CFG_EV_BITS:
		return "EV_BITS";
	case VIRTIO_INPUT_CFG_ABS_INFO:
		return "ABS_INFO";
	}
	return "unknown";
}

/* ---- flag names ---- */

/* 5.1.4: VIRTIO_NET_S_*. */
static const char *const net_status_flags[] = { "LINK_UP", "ANNOUNCE" };

/* 5.1.6.4.3.1: VIRTIO_NET_HASH_TYPE_* (also VIRTIO_NET_RSS_HASH_TYPE_* in UAPI). */
static const char *const net_hash_flags[] = {
	"IPv4", "TCPv4", "UDPv4", "IPv6", "TCPv6", "UDPv6", "IP_EX", "TCP_EX", "UDP_EX",
};

/* 5.9.4: VIRTIO_CRYPTO_S_*. */
static const char *const crypto_status_flags[] = { "HW_READY" };

/* 5.9.3: VIRTIO_CRYPTO_SERVICE_* as bit numbers. */
static const char *const crypto_service_flags[] = { "CIPHER", "HASH", "MAC", "AEAD", "AKCIPHER" };

/* ---- 5.1.4 network device: struct virtio_net_config ---- */
static const struct cfg_desc net_fields[] = {
	TEXT("mac", 0, 6, VIRTIO_NET_F_MAC, R_MAC),
	FLAGS("status", 6, 2, VIRTIO_NET_F_STATUS, ALWAYS, net_status_flags),
	NUM2("max_virtqueue_pairs", 8, 2, VIRTIO_NET_F_MQ, VIRTIO_NET_F_RSS, NULL),
	NUM("mtu", 10, 2, VIRTIO_NET_F_MTU, "bytes"),
	NUMV("speed", 12, 4, VIRTIO_NET_F_SPEED_DUPLEX, note_speed),
	NUMV("duplex", 16, 1, VIRTIO_NET_F_SPEED_DUPLEX, note_duplex),
	NUM2("rss_max_key_size", 17, 1, VIRTIO_NET_F_RSS, VIRTIO_NET_F_HASH_REPORT, "bytes"),
	/* Only with RSS: HASH_REPORT alone brings no indirection table. */
	NUM("rss_max_indirection_table_length", 18, 2, VIRTIO_NET_F_RSS, "entries"),
	FLAGS("supported_hash_types", 20, 4, VIRTIO_NET_F_RSS, VIRTIO_NET_F_HASH_REPORT,
	      net_hash_flags),
	NUM("supported_tunnel_types", 24, 4, VIRTIO_NET_F_HASH_TUNNEL,
	    "VIRTIO_NET_HASH_TUNNEL_TYPE_* bits"),
};

/* ---- 5.2.4 block device: struct virtio_blk_config ---- */
static const struct cfg_desc blk_fields[] = {
	NUM("capacity", 0, 8, ALWAYS, SECTORS),
	NUM("size_max", 8, 4, VIRTIO_BLK_F_SIZE_MAX, "bytes"),
	NUM("seg_max", 12, 4, VIRTIO_BLK_F_SEG_MAX, NULL),
	NUM("geometry_cylinders", 16, 2, VIRTIO_BLK_F_GEOMETRY, NULL),
	NUM("geometry_heads", 18, 1, VIRTIO_BLK_F_GEOMETRY, NULL),
	NUM("geometry_sectors", 19, 1, VIRTIO_BLK_F_GEOMETRY, NULL),
	NUM("blk_size", 20, 4, VIRTIO_BLK_F_BLK_SIZE, "bytes"),
	NUM("topology_physical_block_exp", 24, 1, VIRTIO_BLK_F_TOPOLOGY,
	    "log2 logical blocks per physical block"),
	NUM("topology_alignment_offset", 25, 1, VIRTIO_BLK_F_TOPOLOGY, "logical blocks"),
	NUM("topology_min_io_size", 26, 2, VIRTIO_BLK_F_TOPOLOGY, "logical blocks"),
	NUM("topology_opt_io_size", 28, 4, VIRTIO_BLK_F_TOPOLOGY, "logical blocks"),
	NUMV("writeback", 32, 1, VIRTIO_BLK_F_CONFIG_WCE, note_writeback),
	/* 33: unused0.  The spec writes num_queues as u16; every other field is le, so is this. */
	NUM("num_queues", 34, 2, VIRTIO_BLK_F_MQ, NULL),
	NUM("max_discard_sectors", 36, 4, VIRTIO_BLK_F_DISCARD, SECTORS),
	NUM("max_discard_seg", 40, 4, VIRTIO_BLK_F_DISCARD, NULL),
	NUM("discard_sector_alignment", 44, 4, VIRTIO_BLK_F_DISCARD, SECTORS),
	NUM("max_write_zeroes_sectors", 48, 4, VIRTIO_BLK_F_WRITE_ZEROES, SECTORS),
	NUM("max_write_zeroes_seg", 52, 4, VIRTIO_BLK_F_WRITE_ZEROES, NULL),
	NUM("write_zeroes_may_unmap", 56, 1, VIRTIO_BLK_F_WRITE_ZEROES, NULL),
	/* 57..59: unused1[3]. */
	NUM("max_secure_erase_sectors", 60, 4, VIRTIO_BLK_F_SECURE_ERASE, SECTORS),
	NUM("max_secure_erase_seg", 64, 4, VIRTIO_BLK_F_SECURE_ERASE, NULL),
	NUM("secure_erase_sector_alignment", 68, 4, VIRTIO_BLK_F_SECURE_ERASE, SECTORS),
	NUM("zoned_zone_sectors", 72, 4, VIRTIO_BLK_F_ZONED, SECTORS),
	NUM("zoned_max_open_zones", 76, 4, VIRTIO_BLK_F_ZONED, NULL),
	NUM("zoned_max_active_zones", 80, 4, VIRTIO_BLK_F_ZONED, NULL),
	NUM("zoned_max_append_sectors", 84, 4, VIRTIO_BLK_F_ZONED, SECTORS),
	NUM("zoned_write_granularity", 88, 4, VIRTIO_BLK_F_ZONED, "bytes"),
	NUMV("zoned_model", 92, 1, VIRTIO_BLK_F_ZONED, note_zoned_model),
	/* 93..95: unused2[3]. */
};

/* ---- 5.3.4 console device: struct virtio_console_config ---- */
static const struct cfg_desc console_fields[] = {
	NUM("cols", 0, 2, VIRTIO_CONSOLE_F_SIZE, NULL),
	NUM("rows", 2, 2, VIRTIO_CONSOLE_F_SIZE, NULL),
	NUM("max_nr_ports", 4, 4, VIRTIO_CONSOLE_F_MULTIPORT, NULL),
	/* Written by the driver; what a read returns is up to the device. */
	NUM("emerg_wr", 8, 4, VIRTIO_CONSOLE_F_EMERG_WRITE, "driver-write-only"),
};

/* ---- 5.5.4 traditional memory balloon: struct virtio_balloon_config ---- */
static const struct cfg_desc balloon_fields[] = {
	NUM("num_pages", 0, 4, ALWAYS, "4 KiB pages requested"),
	NUM("actual", 4, 4, ALWAYS, "4 KiB pages"),
	NUM("free_page_hint_cmd_id", 8, 4, VIRTIO_BALLOON_F_FREE_PAGE_HINT, NULL),
	NUM("poison_val", 12, 4, VIRTIO_BALLOON_F_PAGE_POISON, NULL),
};

/* ---- 5.6.4 SCSI host device: struct virtio_scsi_config ---- */
static const struct cfg_desc scsi_fields[] = {
	NUM("num_queues", 0, 4, ALWAYS, "request queues"),
	NUM("seg_max", 4, 4, ALWAYS, NULL),
	NUM("max_sectors", 8, 4, ALWAYS, SECTORS),
	NUM("cmd_per_lun", 12, 4, ALWAYS, NULL),
	NUM("event_info_size", 16, 4, ALWAYS, "bytes"),
	NUM("sense_size", 20, 4, ALWAYS, "bytes"),
	NUM("cdb_size", 24, 4, ALWAYS, "bytes"),
	NUM("max_channel", 28, 2, ALWAYS, NULL),
	NUM("max_target", 30, 2, ALWAYS, NULL),
	NUM("max_lun", 32, 4, ALWAYS, NULL),
};

/*
 * ---- 9P transport: struct virtio_9p_config (Linux UAPI; the spec only
 * assigns the device ID) ----  le16 tag_len, then tag_len bytes of tag.
 */
static const struct cfg_desc p9_fields[] = {
	NUM("tag_len", 0, 2, ALWAYS, "bytes"),
};

/* ---- 5.7.4 GPU device: struct virtio_gpu_config ---- */
static const struct cfg_desc gpu_fields[] = {
	NUM("events_read", 0, 4, ALWAYS, "VIRTIO_GPU_EVENT_* pending"),
	NUM("events_clear", 4, 4, ALWAYS, "driver-write-only (write to clear)"),
	NUM("num_scanouts", 8, 4, ALWAYS, NULL),
	NUM("num_capsets", 12, 4, ALWAYS, NULL),
};

/*
 * ---- 5.8.4 input device: struct virtio_input_config ----  Only what the
 * current select/subsel expose is there to read: vqdump never writes select.
 */
static const struct cfg_desc input_fields[] = {
	NUMV("select", 0, 1, ALWAYS, note_input_select),
	NUM("subsel", 1, 1, ALWAYS, NULL),
	NUM("size", 2, 1, ALWAYS, "bytes valid in u"),
	/* 3..7: reserved[5]; 8..135: union u, see input_union(). */
};

/* u.ids (VIRTIO_INPUT_CFG_ID_DEVIDS), struct virtio_input_devids at 8. */
static const struct cfg_desc input_ids_fields[] = {
	NUM("u_ids_bustype", 8, 2, ALWAYS, NULL),
	NUM("u_ids_vendor", 10, 2, ALWAYS, NULL),
	NUM("u_ids_product", 12, 2, ALWAYS, NULL),
	NUM("u_ids_version", 14, 2, ALWAYS, NULL),
};

/* u.abs (VIRTIO_INPUT_CFG_ABS_INFO), struct virtio_input_absinfo at 8. */
static const struct cfg_desc input_abs_fields[] = {
	NUM("u_abs_min", 8, 4, ALWAYS, NULL),
	NUM("u_abs_max", 12, 4, ALWAYS, NULL),
	NUM("u_abs_fuzz", 16, 4, ALWAYS, NULL),
	NUM("u_abs_flat", 20, 4, ALWAYS, NULL),
	NUM("u_abs_res", 24, 4, ALWAYS, NULL),
};

/* ---- 5.10.4 socket device: struct virtio_vsock_config ---- */
static const struct cfg_desc vsock_fields[] = {
	NUM("guest_cid", 0, 8, ALWAYS, NULL),
};

/* ---- 5.9.4 crypto device: struct virtio_crypto_config ---- */
static const struct cfg_desc crypto_fields[] = {
	FLAGS("status", 0, 4, ALWAYS, ALWAYS, crypto_status_flags),
	NUM("max_dataqueues", 4, 4, ALWAYS, NULL),
	FLAGS("crypto_services", 8, 4, ALWAYS, ALWAYS, crypto_service_flags),
	NUM("cipher_algo_l", 12, 4, ALWAYS, "VIRTIO_CRYPTO_CIPHER_* bits 0-31"),
	NUM("cipher_algo_h", 16, 4, ALWAYS, "VIRTIO_CRYPTO_CIPHER_* bits 32-63"),
	NUM("hash_algo", 20, 4, ALWAYS, "VIRTIO_CRYPTO_HASH_* bits"),
	NUM("mac_algo_l", 24, 4, ALWAYS, "VIRTIO_CRYPTO_MAC_* bits 0-31"),
	NUM("mac_algo_h", 28, 4, ALWAYS, "VIRTIO_CRYPTO_MAC_* bits 32-63"),
	NUM("aead_algo", 32, 4, ALWAYS, "VIRTIO_CRYPTO_AEAD_* bits"),
	NUM("max_cipher_key_len", 36, 4, ALWAYS, "bytes"),
	NUM("max_auth_key_len", 40, 4, ALWAYS, "bytes"),
	NUM("akcipher_algo", 44, 4, ALWAYS, "VIRTIO_CRYPTO_AKCIPHER_* bits"),
	NUM("max_size", 48, 8, ALWAYS, "bytes"),
};

/* ---- 5.13.4 IOMMU device: struct virtio_iommu_config ---- */
static const struct cfg_desc iommu_fields[] = {
	NUM("page_size_mask", 0, 8, ALWAYS, "page sizes (bit n: 2^n bytes)"),
	NUM("input_range_start", 8, 8, VIRTIO_IOMMU_F_INPUT_RANGE, NULL),
	NUM("input_range_end", 16, 8, VIRTIO_IOMMU_F_INPUT_RANGE, NULL),
	NUM("domain_range_start", 24, 4, VIRTIO_IOMMU_F_DOMAIN_RANGE, NULL),
	NUM("domain_range_end", 28, 4, VIRTIO_IOMMU_F_DOMAIN_RANGE, NULL),
	NUM("probe_size", 32, 4, VIRTIO_IOMMU_F_PROBE, "bytes"),
	NUMV("bypass", 36, 1, VIRTIO_IOMMU_F_BYPASS_CONFIG, note_bypass),
	/* 37..39: reserved[3]. */
};

/* ---- 5.15.4 memory device: struct virtio_mem_config ---- */
static const struct cfg_desc mem_fields[] = {
	NUM("block_size", 0, 8, ALWAYS, "bytes"),
	NUM("node_id", 8, 2, VIRTIO_MEM_F_ACPI_PXM, "ACPI PXM"),
	/* 10..15: padding[6]. */
	NUM("addr", 16, 8, ALWAYS, "guest-physical address"),
	NUM("region_size", 24, 8, ALWAYS, "bytes"),
	NUM("usable_region_size", 32, 8, ALWAYS, "bytes"),
	NUM("plugged_size", 40, 8, ALWAYS, "bytes"),
	NUM("requested_size", 48, 8, ALWAYS, "bytes"),
};

/* ---- 5.19.4 PMEM device: struct virtio_pmem_config ---- */
static const struct cfg_desc pmem_fields[] = {
	NUM("start", 0, 8, ALWAYS, "guest-physical address"),
	NUM("size", 8, 8, ALWAYS, "bytes"),
};

/* ---- 5.14.4 sound device: struct virtio_snd_config ---- */
static const struct cfg_desc sound_fields[] = {
	NUM("jacks", 0, 4, ALWAYS, NULL),
	NUM("streams", 4, 4, ALWAYS, NULL),
	NUM("chmaps", 8, 4, ALWAYS, NULL),
	NUM("controls", 12, 4, VIRTIO_SND_F_CTLS, NULL),
};

/* ---- 5.11.4 file system device: struct virtio_fs_config ---- */
static const struct cfg_desc fs_fields[] = {
	/* UTF-8, NUL-padded, not NUL-terminated when all 36 bytes are used. */
	TEXT("tag", 0, 36, ALWAYS, R_TEXT),
	NUM("num_request_queues", 36, 4, ALWAYS, NULL),
	NUM("notify_buf_size", 40, 4, VIRTIO_FS_F_NOTIFICATION, "bytes"),
};

/* ---- 5.18.4 GPIO device: struct virtio_gpio_config ---- */
static const struct cfg_desc gpio_fields[] = {
	NUM("ngpio", 0, 2, ALWAYS, NULL),
	/* 2..3: padding[2]. */
	NUM("gpio_names_size", 4, 4, ALWAYS, "bytes"),
};

/* ---- decoding ---- */

static int has_feature(const uint32_t *features, int bit)
{
	if (bit < 0)
		return 1;
	if (!features || bit >= 128)
		return 0;
	return features[bit / 32] >> (bit % 32) & 1;
}

static int field_present(const struct cfg_desc *d, const uint32_t *features)
{
	if (d->feat == ALWAYS)
		return 1;
	if (has_feature(features, d->feat))
		return 1;
	return d->feat_alt != ALWAYS && has_feature(features, d->feat_alt);
}

/* Next free slot, or NULL when @max fields are already written. */
static struct vq_cfg_field *next_slot(struct sink *s, const char *name, enum vq_cfg_kind kind)
{
	struct vq_cfg_field *f;

	if (s->n >= s->max)
		return NULL;
	f = &s->out[s->n++];
	f->name = name;
	f->kind = kind;
	f->value = 0;
	f->str[0] = '\0';
	f->note = NULL;
	return f;
}

/* Printable copy of at most @n bytes, stopping at NUL; other bytes become '.'. */
static void copy_text(char *dst, size_t cap, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < cap && src[i]; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '.';
	dst[i] = '\0';
}

/* Names of the bits set in @v joined by '|'; bits without a name as bit_N. */
static void flag_text(char *dst, size_t cap, uint64_t v, const char *const *names, size_t nnames)
{
	size_t off = 0;
	unsigned bit;
	int w;

	dst[0] = '\0';
	for (bit = 0; bit < 64; bit++) {
		if (!(v >> bit & 1))
			continue;
		if (bit < nnames && names[bit])
			w = snprintf(dst + off, cap - off, "%s%s", off ? "|" : "", names[bit]);
		else
			w = snprintf(dst + off, cap - off, "%sbit_%u", off ? "|" : "", bit);
		if (w < 0 || (size_t)w >= cap - off) {
			/* Out of room: cut at the last whole name. */
			dst[off] = '\0';
			return;
		}
		off += (size_t)w;
	}
}

static uint64_t get_num(const uint8_t *p, unsigned size)
{
	switch (size) {
	case 1:
		return p[0];
	case 2:
		return le16(p);
	case 4:
		return le32(p);
	default:
		return le64(p);
	}
}

/* Decode each field of @d that the features bring and @len covers entirely. */
static void decode_table(const struct cfg_desc *d, size_t nd, const uint8_t *cfg, size_t len,
			 const uint32_t *features, struct sink *s)
{
	struct vq_cfg_field *f;
	const uint8_t *p;
	size_t i;

	for (i = 0; i < nd; i++, d++) {
		if (!field_present(d, features) || d->off > len || d->size > len - d->off)
			continue;
		p = cfg + d->off;
		if (d->render == R_TEXT) {
			f = next_slot(s, d->name, VQ_CFG_STR);
			if (!f)
				return;
			copy_text(f->str, sizeof(f->str), p, d->size);
		} else if (d->render == R_MAC) {
			f = next_slot(s, d->name, VQ_CFG_STR);
			if (!f)
				return;
			snprintf(f->str, sizeof(f->str), "%02x:%02x:%02x:%02x:%02x:%02x",
				 p[0], p[1], p[2], p[3], p[4], p[5]);
		} else {
			f = next_slot(s, d->name, VQ_CFG_UINT);
			if (!f)
				return;
			f->value = get_num(p, d->size);
			if (d->flags)
				flag_text(f->str, sizeof(f->str), f->value, d->flags, d->nflags);
		}
		f->note = d->note_of ? d->note_of(f->value) : d->note;
	}
}

/* 9P: the tag follows tag_len; show what both tag_len and @len allow. */
static void p9_tag(const uint8_t *cfg, size_t len, const uint32_t *features, struct sink *s)
{
	struct vq_cfg_field *f;
	size_t n;

	if (!has_feature(features, VIRTIO_9P_MOUNT_TAG) || len < 2)
		return;
	n = le16(cfg);
	if (n > len - 2)
		n = len - 2;
	f = next_slot(s, "tag", VQ_CFG_STR);
	if (!f)
		return;
	copy_text(f->str, sizeof(f->str), cfg + 2, n);
	if (n < le16(cfg))
		f->note = "cut short: tag_len is past the end of the config read";
}

/* Hex of up to 128 bytes as fields of 32 bytes each (64 digits fit in str). */
static void hex_chunks(const uint8_t *p, size_t n, const char *const names[4], struct sink *s)
{
	static const char *const notes[4] = { "hex, bytes 0-31", "hex, bytes 32-63",
					      "hex, bytes 64-95", "hex, bytes 96-127" };
	struct vq_cfg_field *f;
	size_t c, end;

	for (c = 0; c < 4 && c * 32 < n; c++) {
		f = next_slot(s, names[c], VQ_CFG_STR);
		if (!f)
			return;
		f->note = notes[c];
		end = n < (c + 1) * 32 ? n : (c + 1) * 32;
		vq_hex_encode(p + c * 32, end - c * 32, f->str);
	}
}

/* Input: the union u, read as what the current select says it holds. */
static void input_union(const uint8_t *cfg, size_t len, const uint32_t *features, struct sink *s)
{
	static const char *const bitmap_names[4] = { "u_bitmap_0", "u_bitmap_32", "u_bitmap_64",
						     "u_bitmap_96" };
	static const char *const raw_names[4] = { "u_0", "u_32", "u_64", "u_96" };
	struct vq_cfg_field *f;
	size_t n;

	if (len <= 8) /* u starts at 8 */
		return;
	/* Valid bytes in u: the device's size, no more than the union and the read. */
	n = cfg[2];
	if (n > 128)
		n = 128;
	if (n > len - 8)
		n = len - 8;
	if (n == 0)
		return;
	switch (cfg[0]) {
	case VIRTIO_INPUT_CFG_ID_NAME:
	case VIRTIO_INPUT_CFG_ID_SERIAL:
		f = next_slot(s, "u_string", VQ_CFG_STR);
		if (f)
			copy_text(f->str, sizeof(f->str), cfg + 8, n);
		break;
	case VIRTIO_INPUT_CFG_ID_DEVIDS:
		decode_table(input_ids_fields, ARRAY_SIZE(input_ids_fields), cfg, 8 + n,
			     features, s);
		break;
	case VIRTIO_INPUT_CFG_ABS_INFO:
		decode_table(input_abs_fields, ARRAY_SIZE(input_abs_fields), cfg, 8 + n,
			     features, s);
		break;
	case VIRTIO_INPUT_CFG_PROP_BITS:
	case VIRTIO_INPUT_CFG_EV_BITS:
		hex_chunks(cfg + 8, n, bitmap_names, s);
		break;
	default:
		hex_chunks(cfg + 8, n, raw_names, s);
		break;
	}
}

#define LAYOUT(tbl, sz) { .fields = (tbl), .nfields = ARRAY_SIZE(tbl), .size = (sz) }

/*
 * Sizes are the spec's structures with every optional field.  9P's tag can
 * be as long as its le16 tag_len says, so its layout reaches 2 + 0xffff
 * bytes; callers clamp to what the transport exposes.
 */
static const struct layout layouts[] = {
	[VIRTIO_ID_NET] = LAYOUT(net_fields, 28),
	[VIRTIO_ID_BLOCK] = LAYOUT(blk_fields, 96),
	[VIRTIO_ID_CONSOLE] = LAYOUT(console_fields, 12),
	[VIRTIO_ID_RNG] = { .size = 0 }, /* 5.4.4: none */
	[VIRTIO_ID_BALLOON] = LAYOUT(balloon_fields, 16),
	[VIRTIO_ID_SCSI] = LAYOUT(scsi_fields, 36),
	[VIRTIO_ID_9P] = { .fields = p9_fields, .nfields = ARRAY_SIZE(p9_fields),
			   .size = 2 + 0xffff, .extra = p9_tag },
	[VIRTIO_ID_GPU] = LAYOUT(gpu_fields, 16),
	[VIRTIO_ID_INPUT] = { .fields = input_fields, .nfields = ARRAY_SIZE(input_fields),
			      .size = 136, .extra = input_union },
	[VIRTIO_ID_VSOCK] = LAYOUT(vsock_fields, 8),
	[VIRTIO_ID_CRYPTO] = LAYOUT(crypto_fields, 56),
	[VIRTIO_ID_IOMMU] = LAYOUT(iommu_fields, 40),
	[VIRTIO_ID_MEM] = LAYOUT(mem_fields, 56),
	[VIRTIO_ID_SOUND] = LAYOUT(sound_fields, 16),
	[VIRTIO_ID_FS] = LAYOUT(fs_fields, 44),
	[VIRTIO_ID_PMEM] = LAYOUT(pmem_fields, 16),
	[VIRTIO_ID_SCMI] = { .size = 0 },        /* 5.17.4: none */
	[VIRTIO_ID_I2C_ADAPTER] = { .size = 0 }, /* 5.16.4: none */
	[VIRTIO_ID_GPIO] = LAYOUT(gpio_fields, 8),
};

size_t vq_config_size(uint32_t device_id)
{
	if (device_id >= ARRAY_SIZE(layouts))
		return 0;
	return layouts[device_id].size;
}

size_t vq_config_decode(uint32_t device_id, const uint8_t *cfg, size_t len,
			const uint32_t features[4], struct vq_cfg_field *out, size_t max)
{
	const struct layout *l;
	struct sink s = { .out = out, .max = out ? max : 0, .n = 0 };

	if (device_id >= ARRAY_SIZE(layouts) || !cfg)
		return 0;
	l = &layouts[device_id];
	if (l->fields)
		decode_table(l->fields, l->nfields, cfg, len, features, &s);
	if (l->extra)
		l->extra(cfg, len, features, &s);
	return s.n;
}

/* Width of the byte at @off within the field table @d: see vq_config_access_width(). */
static unsigned table_width(const struct cfg_desc *d, size_t nd, size_t off)
{
	size_t i;

	for (i = 0; i < nd; i++, d++) {
		if (off < d->off || off >= (size_t)d->off + d->size)
			continue;
		if (d->render != R_NUM)
			return 1;
		if (d->size == 8)
			return (off - d->off) % 4 ? 1 : 4;
		return off == d->off ? d->size : 1;
	}
	return 1;
}

unsigned vq_config_access_width(uint32_t device_id, const uint8_t *seen, size_t off)
{
	const struct layout *l;
	unsigned w;

	if (device_id >= ARRAY_SIZE(layouts))
		return 1;
	l = &layouts[device_id];
	w = table_width(l->fields, l->nfields, off);
	if (device_id == VIRTIO_ID_INPUT && off >= 8 && seen) {
		/* u: numbers only for the selects that hold them. */
		if (seen[0] == VIRTIO_INPUT_CFG_ID_DEVIDS)
			w = table_width(input_ids_fields, ARRAY_SIZE(input_ids_fields), off);
		else if (seen[0] == VIRTIO_INPUT_CFG_ABS_INFO)
			w = table_width(input_abs_fields, ARRAY_SIZE(input_abs_fields), off);
	}
	/* The spec's fields are naturally aligned; anything else by bytes. */
	return off % w ? 1 : w;
}

const uint32_t *vq_config_features(const struct vq_dev *d)
{
	if (d->driver_features_src != VQ_SRC_NONE &&
	    (d->driver_features[0] | d->driver_features[1] | d->driver_features[2] |
	     d->driver_features[3]))
		return d->driver_features;
	return d->device_features;
}

size_t vq_config_decode_dev(const struct vq_dev *d, struct vq_cfg_field *out, size_t max)
{
	return vq_config_decode(d->device_id, d->config, d->config_len, vq_config_features(d), out,
				max);
}
