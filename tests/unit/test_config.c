/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the device configuration decoders against the UAPI structs and the spec
 * (virtio 1.3, 5.x.4). */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_9p.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_console.h>
#include <linux/virtio_crypto.h>
#include <linux/virtio_fs.h>
#include <linux/virtio_gpio.h>
#include <linux/virtio_gpu.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_input.h>
#include <linux/virtio_iommu.h>
#include <linux/virtio_mem.h>
#include <linux/virtio_net.h>
#include <linux/virtio_pmem.h>
#include <linux/virtio_scsi.h>
#include <linux/virtio_snd.h>
#include <linux/virtio_vsock.h>

#include "decode/config.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Feature bits of virtio 1.3 that the installed (6.1) UAPI headers lack. */
#ifndef VIRTIO_BLK_F_CONFIG_WCE
#define VIRTIO_BLK_F_CONFIG_WCE 11 /* 5.2.3 */
#endif
#ifndef VIRTIO_BLK_F_ZONED
#define VIRTIO_BLK_F_ZONED 17 /* 5.2.3 */
#endif
#ifndef VIRTIO_NET_F_HASH_TUNNEL
#define VIRTIO_NET_F_HASH_TUNNEL 51 /* 5.1.3 */
#endif
#ifndef VIRTIO_FS_F_NOTIFICATION
#define VIRTIO_FS_F_NOTIFICATION 0 /* 5.11.3 */
#endif
#ifndef VIRTIO_SND_F_CTLS
#define VIRTIO_SND_F_CTLS 0 /* 5.14.3 */
#endif

/* More fields than any device has. */
#define OUT_MAX 64
/* The field exists whatever the features. */
#define NOBIT (-1)

/*
 * 5.2.4: struct virtio_blk_zoned_characteristics, which follows
 * secure_erase_sector_alignment; Linux 6.1's struct virtio_blk_config ends
 * before it, so the test places it from the spec's listing.
 */
struct spec_blk_zoned {
	uint32_t zone_sectors;	     /* le32 */
	uint32_t max_open_zones;     /* le32 */
	uint32_t max_active_zones;   /* le32 */
	uint32_t max_append_sectors; /* le32 */
	uint32_t write_granularity;  /* le32 */
	uint8_t model;		     /* VIRTIO_BLK_Z_* */
	uint8_t unused2[3];	     /* padding */
};

/* Offset and size of a member of a UAPI struct. */
#define M(type, member) offsetof(struct type, member), sizeof(((struct type *)0)->member)
/* End of a UAPI member: where a field the spec appends after it starts. */
#define AFTER(type, member) (offsetof(struct type, member) + sizeof(((struct type *)0)->member))
#define ZONED(member)                                                                              \
	AFTER(virtio_blk_config, secure_erase_sector_alignment) +                                  \
	    offsetof(struct spec_blk_zoned, member),                                               \
	    sizeof(((struct spec_blk_zoned *)0)->member)

/* One number field of one device type: where the UAPI header (or the spec) puts it. */
struct field_case {
	uint32_t dev;	  /* VIRTIO_ID_* */
	const char *name; /* the spec's name, flattened */
	size_t off;	  /* byte offset */
	size_t size;	  /* bytes */
	int bit;	  /* feature bit that brings it, or NOBIT */
	int alt;	  /* another bit that brings it on its own, or NOBIT */
};

static const struct field_case fields[] = {
    /* 5.1.4 network device; status and supported_hash_types are flag fields. */
    {VIRTIO_ID_NET, "status", M(virtio_net_config, status), VIRTIO_NET_F_STATUS, NOBIT},
    {VIRTIO_ID_NET, "max_virtqueue_pairs", M(virtio_net_config, max_virtqueue_pairs),
     VIRTIO_NET_F_MQ, VIRTIO_NET_F_RSS},
    {VIRTIO_ID_NET, "mtu", M(virtio_net_config, mtu), VIRTIO_NET_F_MTU, NOBIT},
    {VIRTIO_ID_NET, "speed", M(virtio_net_config, speed), VIRTIO_NET_F_SPEED_DUPLEX, NOBIT},
    {VIRTIO_ID_NET, "duplex", M(virtio_net_config, duplex), VIRTIO_NET_F_SPEED_DUPLEX, NOBIT},
    {VIRTIO_ID_NET, "rss_max_key_size", M(virtio_net_config, rss_max_key_size), VIRTIO_NET_F_RSS,
     VIRTIO_NET_F_HASH_REPORT},
    /* The spec: "only exists if VIRTIO_NET_F_RSS is set" (not with HASH_REPORT alone). */
    {VIRTIO_ID_NET, "rss_max_indirection_table_length",
     M(virtio_net_config, rss_max_indirection_table_length), VIRTIO_NET_F_RSS, NOBIT},
    {VIRTIO_ID_NET, "supported_hash_types", M(virtio_net_config, supported_hash_types),
     VIRTIO_NET_F_RSS, VIRTIO_NET_F_HASH_REPORT},
    /* 1.3 appends le32 supported_tunnel_types; Linux 6.1 does not have it. */
    {VIRTIO_ID_NET, "supported_tunnel_types", AFTER(virtio_net_config, supported_hash_types), 4,
     VIRTIO_NET_F_HASH_TUNNEL, NOBIT},

    /* 5.2.4 block device. */
    {VIRTIO_ID_BLOCK, "capacity", M(virtio_blk_config, capacity), NOBIT, NOBIT},
    {VIRTIO_ID_BLOCK, "size_max", M(virtio_blk_config, size_max), VIRTIO_BLK_F_SIZE_MAX, NOBIT},
    {VIRTIO_ID_BLOCK, "seg_max", M(virtio_blk_config, seg_max), VIRTIO_BLK_F_SEG_MAX, NOBIT},
    {VIRTIO_ID_BLOCK, "geometry_cylinders", M(virtio_blk_config, geometry.cylinders),
     VIRTIO_BLK_F_GEOMETRY, NOBIT},
    {VIRTIO_ID_BLOCK, "geometry_heads", M(virtio_blk_config, geometry.heads), VIRTIO_BLK_F_GEOMETRY,
     NOBIT},
    {VIRTIO_ID_BLOCK, "geometry_sectors", M(virtio_blk_config, geometry.sectors),
     VIRTIO_BLK_F_GEOMETRY, NOBIT},
    {VIRTIO_ID_BLOCK, "blk_size", M(virtio_blk_config, blk_size), VIRTIO_BLK_F_BLK_SIZE, NOBIT},
    /* UAPI keeps the topology fields flat; the spec nests them in "topology". */
    {VIRTIO_ID_BLOCK, "topology_physical_block_exp", M(virtio_blk_config, physical_block_exp),
     VIRTIO_BLK_F_TOPOLOGY, NOBIT},
    {VIRTIO_ID_BLOCK, "topology_alignment_offset", M(virtio_blk_config, alignment_offset),
     VIRTIO_BLK_F_TOPOLOGY, NOBIT},
    {VIRTIO_ID_BLOCK, "topology_min_io_size", M(virtio_blk_config, min_io_size),
     VIRTIO_BLK_F_TOPOLOGY, NOBIT},
    {VIRTIO_ID_BLOCK, "topology_opt_io_size", M(virtio_blk_config, opt_io_size),
     VIRTIO_BLK_F_TOPOLOGY, NOBIT},
    /* The spec's "writeback" is UAPI's "wce". */
    {VIRTIO_ID_BLOCK, "writeback", M(virtio_blk_config, wce), VIRTIO_BLK_F_CONFIG_WCE, NOBIT},
    {VIRTIO_ID_BLOCK, "num_queues", M(virtio_blk_config, num_queues), VIRTIO_BLK_F_MQ, NOBIT},
    {VIRTIO_ID_BLOCK, "max_discard_sectors", M(virtio_blk_config, max_discard_sectors),
     VIRTIO_BLK_F_DISCARD, NOBIT},
    {VIRTIO_ID_BLOCK, "max_discard_seg", M(virtio_blk_config, max_discard_seg),
     VIRTIO_BLK_F_DISCARD, NOBIT},
    {VIRTIO_ID_BLOCK, "discard_sector_alignment", M(virtio_blk_config, discard_sector_alignment),
     VIRTIO_BLK_F_DISCARD, NOBIT},
    {VIRTIO_ID_BLOCK, "max_write_zeroes_sectors", M(virtio_blk_config, max_write_zeroes_sectors),
     VIRTIO_BLK_F_WRITE_ZEROES, NOBIT},
    {VIRTIO_ID_BLOCK, "max_write_zeroes_seg", M(virtio_blk_config, max_write_zeroes_seg),
     VIRTIO_BLK_F_WRITE_ZEROES, NOBIT},
    {VIRTIO_ID_BLOCK, "write_zeroes_may_unmap", M(virtio_blk_config, write_zeroes_may_unmap),
     VIRTIO_BLK_F_WRITE_ZEROES, NOBIT},
    {VIRTIO_ID_BLOCK, "max_secure_erase_sectors", M(virtio_blk_config, max_secure_erase_sectors),
     VIRTIO_BLK_F_SECURE_ERASE, NOBIT},
    {VIRTIO_ID_BLOCK, "max_secure_erase_seg", M(virtio_blk_config, max_secure_erase_seg),
     VIRTIO_BLK_F_SECURE_ERASE, NOBIT},
    {VIRTIO_ID_BLOCK, "secure_erase_sector_alignment",
     M(virtio_blk_config, secure_erase_sector_alignment), VIRTIO_BLK_F_SECURE_ERASE, NOBIT},
    {VIRTIO_ID_BLOCK, "zoned_zone_sectors", ZONED(zone_sectors), VIRTIO_BLK_F_ZONED, NOBIT},
    {VIRTIO_ID_BLOCK, "zoned_max_open_zones", ZONED(max_open_zones), VIRTIO_BLK_F_ZONED, NOBIT},
    {VIRTIO_ID_BLOCK, "zoned_max_active_zones", ZONED(max_active_zones), VIRTIO_BLK_F_ZONED, NOBIT},
    {VIRTIO_ID_BLOCK, "zoned_max_append_sectors", ZONED(max_append_sectors), VIRTIO_BLK_F_ZONED,
     NOBIT},
    {VIRTIO_ID_BLOCK, "zoned_write_granularity", ZONED(write_granularity), VIRTIO_BLK_F_ZONED,
     NOBIT},
    {VIRTIO_ID_BLOCK, "zoned_model", ZONED(model), VIRTIO_BLK_F_ZONED, NOBIT},

    /* 5.3.4 console. */
    {VIRTIO_ID_CONSOLE, "cols", M(virtio_console_config, cols), VIRTIO_CONSOLE_F_SIZE, NOBIT},
    {VIRTIO_ID_CONSOLE, "rows", M(virtio_console_config, rows), VIRTIO_CONSOLE_F_SIZE, NOBIT},
    {VIRTIO_ID_CONSOLE, "max_nr_ports", M(virtio_console_config, max_nr_ports),
     VIRTIO_CONSOLE_F_MULTIPORT, NOBIT},
    {VIRTIO_ID_CONSOLE, "emerg_wr", M(virtio_console_config, emerg_wr),
     VIRTIO_CONSOLE_F_EMERG_WRITE, NOBIT},

    /* 5.5.4 traditional memory balloon. */
    {VIRTIO_ID_BALLOON, "num_pages", M(virtio_balloon_config, num_pages), NOBIT, NOBIT},
    {VIRTIO_ID_BALLOON, "actual", M(virtio_balloon_config, actual), NOBIT, NOBIT},
    {VIRTIO_ID_BALLOON, "free_page_hint_cmd_id", M(virtio_balloon_config, free_page_hint_cmd_id),
     VIRTIO_BALLOON_F_FREE_PAGE_HINT, NOBIT},
    {VIRTIO_ID_BALLOON, "poison_val", M(virtio_balloon_config, poison_val),
     VIRTIO_BALLOON_F_PAGE_POISON, NOBIT},

    /* 5.6.4 SCSI host. */
    {VIRTIO_ID_SCSI, "num_queues", M(virtio_scsi_config, num_queues), NOBIT, NOBIT},
    {VIRTIO_ID_SCSI, "seg_max", M(virtio_scsi_config, seg_max), NOBIT, NOBIT},
    {VIRTIO_ID_SCSI, "max_sectors", M(virtio_scsi_config, max_sectors), NOBIT, NOBIT},
    {VIRTIO_ID_SCSI, "cmd_per_lun", M(virtio_scsi_config, cmd_per_lun), NOBIT, NOBIT},
    {VIRTIO_ID_SCSI, "event_info_size", M(virtio_scsi_config, event_info_size), NOBIT, NOBIT},
    {VIRTIO_ID_SCSI, "sense_size", M(virtio_scsi_config, sense_size), NOBIT, NOBIT},
    {VIRTIO_ID_SCSI, "cdb_size", M(virtio_scsi_config, cdb_size), NOBIT, NOBIT},
    {VIRTIO_ID_SCSI, "max_channel", M(virtio_scsi_config, max_channel), NOBIT, NOBIT},
    {VIRTIO_ID_SCSI, "max_target", M(virtio_scsi_config, max_target), NOBIT, NOBIT},
    {VIRTIO_ID_SCSI, "max_lun", M(virtio_scsi_config, max_lun), NOBIT, NOBIT},

    /* 9P (Linux UAPI): the tag itself is tested on its own. */
    {VIRTIO_ID_9P, "tag_len", M(virtio_9p_config, tag_len), NOBIT, NOBIT},

    /* 5.7.4 GPU. */
    {VIRTIO_ID_GPU, "events_read", M(virtio_gpu_config, events_read), NOBIT, NOBIT},
    {VIRTIO_ID_GPU, "events_clear", M(virtio_gpu_config, events_clear), NOBIT, NOBIT},
    {VIRTIO_ID_GPU, "num_scanouts", M(virtio_gpu_config, num_scanouts), NOBIT, NOBIT},
    {VIRTIO_ID_GPU, "num_capsets", M(virtio_gpu_config, num_capsets), NOBIT, NOBIT},

    /* 5.8.4 input: the fixed header (the union is tested on its own). */
    {VIRTIO_ID_INPUT, "select", M(virtio_input_config, select), NOBIT, NOBIT},
    {VIRTIO_ID_INPUT, "subsel", M(virtio_input_config, subsel), NOBIT, NOBIT},
    {VIRTIO_ID_INPUT, "size", M(virtio_input_config, size), NOBIT, NOBIT},

    /* 5.9.4 crypto; status and crypto_services are flag fields. */
    {VIRTIO_ID_CRYPTO, "status", M(virtio_crypto_config, status), NOBIT, NOBIT},
    {VIRTIO_ID_CRYPTO, "max_dataqueues", M(virtio_crypto_config, max_dataqueues), NOBIT, NOBIT},
    {VIRTIO_ID_CRYPTO, "crypto_services", M(virtio_crypto_config, crypto_services), NOBIT, NOBIT},
    {VIRTIO_ID_CRYPTO, "cipher_algo_l", M(virtio_crypto_config, cipher_algo_l), NOBIT, NOBIT},
    {VIRTIO_ID_CRYPTO, "cipher_algo_h", M(virtio_crypto_config, cipher_algo_h), NOBIT, NOBIT},
    {VIRTIO_ID_CRYPTO, "hash_algo", M(virtio_crypto_config, hash_algo), NOBIT, NOBIT},
    {VIRTIO_ID_CRYPTO, "mac_algo_l", M(virtio_crypto_config, mac_algo_l), NOBIT, NOBIT},
    {VIRTIO_ID_CRYPTO, "mac_algo_h", M(virtio_crypto_config, mac_algo_h), NOBIT, NOBIT},
    {VIRTIO_ID_CRYPTO, "aead_algo", M(virtio_crypto_config, aead_algo), NOBIT, NOBIT},
    {VIRTIO_ID_CRYPTO, "max_cipher_key_len", M(virtio_crypto_config, max_cipher_key_len), NOBIT,
     NOBIT},
    {VIRTIO_ID_CRYPTO, "max_auth_key_len", M(virtio_crypto_config, max_auth_key_len), NOBIT, NOBIT},
    {VIRTIO_ID_CRYPTO, "akcipher_algo", M(virtio_crypto_config, akcipher_algo), NOBIT, NOBIT},
    {VIRTIO_ID_CRYPTO, "max_size", M(virtio_crypto_config, max_size), NOBIT, NOBIT},

    /* 5.10.4 socket. */
    {VIRTIO_ID_VSOCK, "guest_cid", M(virtio_vsock_config, guest_cid), NOBIT, NOBIT},

    /* 5.11.4 file system: the tag is tested on its own; 1.3 appends notify_buf_size. */
    {VIRTIO_ID_FS, "num_request_queues", M(virtio_fs_config, num_request_queues), NOBIT, NOBIT},
    {VIRTIO_ID_FS, "notify_buf_size", AFTER(virtio_fs_config, num_request_queues), 4,
     VIRTIO_FS_F_NOTIFICATION, NOBIT},

    /* 5.13.4 IOMMU. */
    {VIRTIO_ID_IOMMU, "page_size_mask", M(virtio_iommu_config, page_size_mask), NOBIT, NOBIT},
    {VIRTIO_ID_IOMMU, "input_range_start", M(virtio_iommu_config, input_range.start),
     VIRTIO_IOMMU_F_INPUT_RANGE, NOBIT},
    {VIRTIO_ID_IOMMU, "input_range_end", M(virtio_iommu_config, input_range.end),
     VIRTIO_IOMMU_F_INPUT_RANGE, NOBIT},
    {VIRTIO_ID_IOMMU, "domain_range_start", M(virtio_iommu_config, domain_range.start),
     VIRTIO_IOMMU_F_DOMAIN_RANGE, NOBIT},
    {VIRTIO_ID_IOMMU, "domain_range_end", M(virtio_iommu_config, domain_range.end),
     VIRTIO_IOMMU_F_DOMAIN_RANGE, NOBIT},
    {VIRTIO_ID_IOMMU, "probe_size", M(virtio_iommu_config, probe_size), VIRTIO_IOMMU_F_PROBE,
     NOBIT},
    {VIRTIO_ID_IOMMU, "bypass", M(virtio_iommu_config, bypass), VIRTIO_IOMMU_F_BYPASS_CONFIG,
     NOBIT},

    /* 5.14.4 sound; 1.3 appends controls (VIRTIO_SND_F_CTLS). */
    {VIRTIO_ID_SOUND, "jacks", M(virtio_snd_config, jacks), NOBIT, NOBIT},
    {VIRTIO_ID_SOUND, "streams", M(virtio_snd_config, streams), NOBIT, NOBIT},
    {VIRTIO_ID_SOUND, "chmaps", M(virtio_snd_config, chmaps), NOBIT, NOBIT},
    {VIRTIO_ID_SOUND, "controls", AFTER(virtio_snd_config, chmaps), 4, VIRTIO_SND_F_CTLS, NOBIT},

    /* 5.15.4 memory device. */
    {VIRTIO_ID_MEM, "block_size", M(virtio_mem_config, block_size), NOBIT, NOBIT},
    {VIRTIO_ID_MEM, "node_id", M(virtio_mem_config, node_id), VIRTIO_MEM_F_ACPI_PXM, NOBIT},
    {VIRTIO_ID_MEM, "addr", M(virtio_mem_config, addr), NOBIT, NOBIT},
    {VIRTIO_ID_MEM, "region_size", M(virtio_mem_config, region_size), NOBIT, NOBIT},
    {VIRTIO_ID_MEM, "usable_region_size", M(virtio_mem_config, usable_region_size), NOBIT, NOBIT},
    {VIRTIO_ID_MEM, "plugged_size", M(virtio_mem_config, plugged_size), NOBIT, NOBIT},
    {VIRTIO_ID_MEM, "requested_size", M(virtio_mem_config, requested_size), NOBIT, NOBIT},

    /* 5.18.4 GPIO. */
    {VIRTIO_ID_GPIO, "ngpio", M(virtio_gpio_config, ngpio), NOBIT, NOBIT},
    {VIRTIO_ID_GPIO, "gpio_names_size", M(virtio_gpio_config, gpio_names_size), NOBIT, NOBIT},

    /* 5.19.4 PMEM. */
    {VIRTIO_ID_PMEM, "start", M(virtio_pmem_config, start), NOBIT, NOBIT},
    {VIRTIO_ID_PMEM, "size", M(virtio_pmem_config, size), NOBIT, NOBIT},
};

/* Text fields, placed the same way. */
static const struct field_case text_fields[] = {
    {VIRTIO_ID_NET, "mac", M(virtio_net_config, mac), VIRTIO_NET_F_MAC, NOBIT},
    {VIRTIO_ID_FS, "tag", M(virtio_fs_config, tag), NOBIT, NOBIT},
};

/* Every device type with a fixed layout (9P and input vary; tested on their own below). */
static const uint32_t fixed_devices[] = {
    VIRTIO_ID_NET,   VIRTIO_ID_BLOCK, VIRTIO_ID_CONSOLE, VIRTIO_ID_BALLOON, VIRTIO_ID_SCSI,
    VIRTIO_ID_GPU,   VIRTIO_ID_VSOCK, VIRTIO_ID_CRYPTO,	 VIRTIO_ID_FS,	    VIRTIO_ID_IOMMU,
    VIRTIO_ID_SOUND, VIRTIO_ID_MEM,   VIRTIO_ID_GPIO,	 VIRTIO_ID_PMEM,
};

static void set_bit(uint32_t f[4], int bit)
{
	if (bit != NOBIT)
		f[bit / 32] |= 1u << (bit % 32);
}

static const struct vq_cfg_field *find(const struct vq_cfg_field *out, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(out[i].name, name) == 0)
			return &out[i];
	return NULL;
}

/* As find(), for a field that must be there. */
static const struct vq_cfg_field *get(const struct vq_cfg_field *out, size_t n, const char *name)
{
	const struct vq_cfg_field *f = find(out, n, name);

	if (!f) {
		fail_msg("no field %s", name);
		abort(); /* not reached: tells the compiler f is not NULL below */
	}
	return f;
}

/* The value the spec's little-endian field at @off holds in @cfg, computed here byte by byte. */
static uint64_t le_at(const uint8_t *cfg, size_t off, size_t size)
{
	uint64_t v = 0;
	size_t i;

	for (i = size; i-- > 0;)
		v = v << 8 | cfg[off + i];
	return v;
}

/* Distinct, non-zero bytes so that a wrong offset or width shows. */
static void fill_pattern(uint8_t *cfg, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		cfg[i] = (uint8_t)(0x11 + i * 7);
}

static const uint32_t all_features[4] = {~0u, ~0u, ~0u, ~0u};

/* Each field of each device is read from where the UAPI struct (or spec) puts it. */
static void test_field_offsets(void **state)
{
	struct vq_cfg_field out[OUT_MAX];
	uint8_t cfg[256];
	const struct vq_cfg_field *f;
	size_t i, n;

	(void)state;
	fill_pattern(cfg, sizeof(cfg));
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		const struct field_case *c = &fields[i];

		n = vq_config_decode(c->dev, cfg,
				     vq_config_size(c->dev) < sizeof(cfg) ? vq_config_size(c->dev)
									  : sizeof(cfg),
				     all_features, out, OUT_MAX);
		f = find(out, n, c->name);
		if (!f)
			fail_msg("device %u: no field %s", c->dev, c->name);
		assert_int_equal(f->kind, VQ_CFG_UINT);
		if (f->value != le_at(cfg, c->off, c->size))
			fail_msg("device %u %s: 0x%llx, expected 0x%llx (offset %zu, %zu bytes)",
				 c->dev, c->name, (unsigned long long)f->value,
				 (unsigned long long)le_at(cfg, c->off, c->size), c->off, c->size);
	}
}

/* A field that needs a feature is there with it (or its alternative) and absent without. */
static void test_feature_gates(void **state)
{
	struct vq_cfg_field out[OUT_MAX];
	uint8_t cfg[256];
	uint32_t f[4];
	size_t i, n, len;

	(void)state;
	fill_pattern(cfg, sizeof(cfg));
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		const struct field_case *c = &fields[i];

		len = vq_config_size(c->dev) < sizeof(cfg) ? vq_config_size(c->dev) : sizeof(cfg);
		memset(f, 0, sizeof(f));
		n = vq_config_decode(c->dev, cfg, len, f, out, OUT_MAX);
		if ((find(out, n, c->name) != NULL) != (c->bit == NOBIT))
			fail_msg("device %u %s with no features: wrong presence", c->dev, c->name);
		/* NULL features are no features. */
		n = vq_config_decode(c->dev, cfg, len, NULL, out, OUT_MAX);
		if ((find(out, n, c->name) != NULL) != (c->bit == NOBIT))
			fail_msg("device %u %s with NULL features: wrong presence", c->dev,
				 c->name);
		if (c->bit == NOBIT)
			continue;

		set_bit(f, c->bit);
		n = vq_config_decode(c->dev, cfg, len, f, out, OUT_MAX);
		if (!find(out, n, c->name))
			fail_msg("device %u %s missing with bit %d", c->dev, c->name, c->bit);

		if (c->alt != NOBIT) {
			memset(f, 0, sizeof(f));
			set_bit(f, c->alt);
			n = vq_config_decode(c->dev, cfg, len, f, out, OUT_MAX);
			if (!find(out, n, c->name))
				fail_msg("device %u %s missing with bit %d", c->dev, c->name,
					 c->alt);
		}

		/* Every other bit set: still absent. */
		memcpy(f, all_features, sizeof(f));
		f[c->bit / 32] &= ~(1u << (c->bit % 32));
		if (c->alt != NOBIT)
			f[c->alt / 32] &= ~(1u << (c->alt % 32));
		n = vq_config_decode(c->dev, cfg, len, f, out, OUT_MAX);
		if (find(out, n, c->name))
			fail_msg("device %u %s present without bit %d", c->dev, c->name, c->bit);
	}
}

/*
 * Cut reads: a field appears exactly when the bytes cover it.  Each read
 * is its own heap block of @len bytes, so ASan (make asan) sees any byte
 * read past it.
 */
static void test_truncated(void **state)
{
	struct vq_cfg_field out[OUT_MAX];
	size_t d, i, len, n, size;
	uint8_t *cfg;

	(void)state;
	for (d = 0; d < ARRAY_SIZE(fixed_devices); d++) {
		size = vq_config_size(fixed_devices[d]);
		assert_true(size > 0);
		for (len = 0; len <= size; len++) {
			cfg = malloc(len ? len : 1);
			assert_non_null(cfg);
			fill_pattern(cfg, len);
			n = vq_config_decode(fixed_devices[d], cfg, len, all_features, out,
					     OUT_MAX);
			for (i = 0; i < ARRAY_SIZE(fields); i++) {
				const struct field_case *c = &fields[i];

				if (c->dev != fixed_devices[d])
					continue;
				if ((find(out, n, c->name) != NULL) != (c->off + c->size <= len))
					fail_msg("device %u %s, len %zu: wrong presence", c->dev,
						 c->name, len);
			}
			for (i = 0; i < ARRAY_SIZE(text_fields); i++) {
				const struct field_case *c = &text_fields[i];

				if (c->dev != fixed_devices[d])
					continue;
				if ((find(out, n, c->name) != NULL) != (c->off + c->size <= len))
					fail_msg("device %u %s, len %zu: wrong presence", c->dev,
						 c->name, len);
			}
			free(cfg);
		}
	}
}

/* Every field a device decodes is one the tables above know: nothing extra, nothing missed. */
static void test_field_count(void **state)
{
	struct vq_cfg_field out[OUT_MAX];
	uint8_t cfg[256];
	size_t d, i, n, expected;

	(void)state;
	fill_pattern(cfg, sizeof(cfg));
	for (d = 0; d < ARRAY_SIZE(fixed_devices); d++) {
		expected = 0;
		for (i = 0; i < ARRAY_SIZE(fields); i++)
			expected += fields[i].dev == fixed_devices[d];
		for (i = 0; i < ARRAY_SIZE(text_fields); i++)
			expected += text_fields[i].dev == fixed_devices[d];
		n = vq_config_decode(fixed_devices[d], cfg, vq_config_size(fixed_devices[d]),
				     all_features, out, OUT_MAX);
		if (n != expected)
			fail_msg("device %u: %zu fields, expected %zu", fixed_devices[d], n,
				 expected);
	}
}

/* vq_config_size: the full structure of each type, optional fields included. */
static void test_sizes(void **state)
{
	(void)state;
	assert_int_equal(vq_config_size(VIRTIO_ID_NET),
			 AFTER(virtio_net_config, supported_hash_types) + 4);
	assert_int_equal(vq_config_size(VIRTIO_ID_BLOCK),
			 AFTER(virtio_blk_config, secure_erase_sector_alignment) +
			     sizeof(struct spec_blk_zoned));
	assert_int_equal(vq_config_size(VIRTIO_ID_CONSOLE), sizeof(struct virtio_console_config));
	assert_int_equal(vq_config_size(VIRTIO_ID_BALLOON), sizeof(struct virtio_balloon_config));
	assert_int_equal(vq_config_size(VIRTIO_ID_SCSI), sizeof(struct virtio_scsi_config));
	/* le16 tag_len, then up to 0xffff bytes of tag. */
	assert_int_equal(vq_config_size(VIRTIO_ID_9P), sizeof(struct virtio_9p_config) + 0xffff);
	assert_int_equal(vq_config_size(VIRTIO_ID_GPU), sizeof(struct virtio_gpu_config));
	assert_int_equal(vq_config_size(VIRTIO_ID_INPUT), sizeof(struct virtio_input_config));
	assert_int_equal(vq_config_size(VIRTIO_ID_VSOCK), sizeof(struct virtio_vsock_config));
	assert_int_equal(vq_config_size(VIRTIO_ID_CRYPTO), sizeof(struct virtio_crypto_config));
	assert_int_equal(vq_config_size(VIRTIO_ID_IOMMU), sizeof(struct virtio_iommu_config));
	assert_int_equal(vq_config_size(VIRTIO_ID_MEM), sizeof(struct virtio_mem_config));
	assert_int_equal(vq_config_size(VIRTIO_ID_PMEM), sizeof(struct virtio_pmem_config));
	assert_int_equal(vq_config_size(VIRTIO_ID_SOUND), AFTER(virtio_snd_config, chmaps) + 4);
	assert_int_equal(vq_config_size(VIRTIO_ID_FS),
			 AFTER(virtio_fs_config, num_request_queues) + 4);
	assert_int_equal(vq_config_size(VIRTIO_ID_GPIO), sizeof(struct virtio_gpio_config));
	/* No configuration (5.4.4, 5.16.4, 5.17.4), or no decoder. */
	assert_int_equal(vq_config_size(VIRTIO_ID_RNG), 0);
	assert_int_equal(vq_config_size(VIRTIO_ID_I2C_ADAPTER), 0);
	assert_int_equal(vq_config_size(VIRTIO_ID_SCMI), 0);
	assert_int_equal(vq_config_size(0), 0);
	assert_int_equal(vq_config_size(VIRTIO_ID_RPMSG), 0);
	assert_int_equal(vq_config_size(1000), 0);
	assert_int_equal(vq_config_size(UINT32_MAX), 0);
}

/* Types with no configuration, unknown types and a NULL buffer decode to nothing. */
static void test_no_config(void **state)
{
	static const uint32_t ids[] = {
	    VIRTIO_ID_RNG, VIRTIO_ID_I2C_ADAPTER, VIRTIO_ID_SCMI, 0, VIRTIO_ID_RPMSG, 1000,
	    UINT32_MAX};
	struct vq_cfg_field out[OUT_MAX];
	uint8_t cfg[64];
	size_t i;

	(void)state;
	fill_pattern(cfg, sizeof(cfg));
	for (i = 0; i < ARRAY_SIZE(ids); i++)
		assert_int_equal(
		    vq_config_decode(ids[i], cfg, sizeof(cfg), all_features, out, OUT_MAX), 0);
	assert_int_equal(vq_config_decode(VIRTIO_ID_BLOCK, NULL, 64, all_features, out, OUT_MAX),
			 0);
}

/* @max bounds the fields written; nothing past it is touched. */
static void test_max(void **state)
{
	struct vq_cfg_field out[OUT_MAX];
	uint8_t cfg[128], guard[sizeof(out)];
	size_t all, k;

	(void)state;
	fill_pattern(cfg, sizeof(cfg));
	all = vq_config_decode(VIRTIO_ID_BLOCK, cfg, vq_config_size(VIRTIO_ID_BLOCK), all_features,
			       out, OUT_MAX);
	assert_int_equal(all, 28);
	for (k = 0; k <= all; k++) {
		memset(out, 0xa5, sizeof(out));
		memcpy(guard, out, sizeof(out));
		assert_int_equal(
		    vq_config_decode(VIRTIO_ID_BLOCK, cfg, sizeof(cfg), all_features, out, k), k);
		assert_memory_equal((uint8_t *)&out[k], guard + k * sizeof(out[0]),
				    sizeof(out) - k * sizeof(out[0]));
	}
	/* max larger than needed: still the same count. */
	assert_int_equal(
	    vq_config_decode(VIRTIO_ID_BLOCK, cfg, sizeof(cfg), all_features, out, all + 5), all);
	/* No room at all, even with no array. */
	assert_int_equal(vq_config_decode(VIRTIO_ID_BLOCK, cfg, sizeof(cfg), all_features, NULL, 0),
			 0);
	/* The input union's pieces stop at max too. */
	memset(cfg, 0xff, sizeof(cfg));
	cfg[0] = VIRTIO_INPUT_CFG_EV_BITS;
	cfg[2] = 120;
	assert_int_equal(vq_config_decode(VIRTIO_ID_INPUT, cfg, sizeof(cfg), all_features, out, 5),
			 5);
	assert_int_equal(vq_config_decode(VIRTIO_ID_INPUT, cfg, sizeof(cfg), all_features, out, 64),
			 7);
}

/* Feature bits above 31 come from the later words of features[]. */
static void test_feature_words(void **state)
{
	struct vq_cfg_field out[OUT_MAX];
	uint32_t f[4] = {0, 0, 0, 0};
	uint8_t cfg[64];
	size_t n;

	(void)state;
	fill_pattern(cfg, sizeof(cfg));
	/* VIRTIO_NET_F_RSS is 60: word 1, bit 28. */
	f[1] = 1u << 28;
	n = vq_config_decode(VIRTIO_ID_NET, cfg, sizeof(cfg), f, out, OUT_MAX);
	assert_non_null(find(out, n, "max_virtqueue_pairs"));
	assert_non_null(find(out, n, "rss_max_indirection_table_length"));
	assert_null(find(out, n, "speed"));
	/* Bit 28 of word 0 is something else (VIRTIO_F_INDIRECT_DESC). */
	f[1] = 0;
	f[0] = 1u << 28;
	n = vq_config_decode(VIRTIO_ID_NET, cfg, sizeof(cfg), f, out, OUT_MAX);
	assert_null(find(out, n, "max_virtqueue_pairs"));
	/* Bits 64..127 gate nothing today. */
	f[0] = 0;
	f[2] = f[3] = ~0u;
	n = vq_config_decode(VIRTIO_ID_NET, cfg, sizeof(cfg), f, out, OUT_MAX);
	assert_int_equal(n, 0);
}

/* Net: MAC text, status and hash-type names, speed and duplex meanings. */
static void test_net_text(void **state)
{
	struct virtio_net_config c;
	struct vq_cfg_field out[OUT_MAX];
	const struct vq_cfg_field *f;
	uint32_t feat[4] = {0, 0, 0, 0};
	size_t n;

	(void)state;
	memset(&c, 0, sizeof(c));
	memcpy(c.mac, "\x52\x54\x00\xab\xcd\x0f", 6);
	c.status = htole16(VIRTIO_NET_S_LINK_UP | VIRTIO_NET_S_ANNOUNCE);
	c.speed = htole32(0xffffffff);
	c.duplex = 1;
	c.supported_hash_types =
	    htole32(VIRTIO_NET_RSS_HASH_TYPE_IPv4 | VIRTIO_NET_RSS_HASH_TYPE_UDP_EX | 1u << 12);
	set_bit(feat, VIRTIO_NET_F_MAC);
	set_bit(feat, VIRTIO_NET_F_STATUS);
	set_bit(feat, VIRTIO_NET_F_SPEED_DUPLEX);
	set_bit(feat, VIRTIO_NET_F_HASH_REPORT);
	n = vq_config_decode(VIRTIO_ID_NET, (const uint8_t *)&c, sizeof(c), feat, out, OUT_MAX);

	f = get(out, n, "mac");
	assert_int_equal(f->kind, VQ_CFG_STR);
	assert_string_equal(f->str, "52:54:00:ab:cd:0f");
	f = get(out, n, "status");
	assert_int_equal(f->value, 3);
	assert_string_equal(f->str, "LINK_UP|ANNOUNCE");
	f = get(out, n, "speed");
	assert_string_equal(f->note, "unknown");
	f = get(out, n, "duplex");
	assert_string_equal(f->note, "full");
	f = get(out, n, "supported_hash_types");
	assert_string_equal(f->str, "IPv4|UDP_EX|bit_12");
	/* HASH_REPORT alone: a key size and hash types, no indirection table, no queue pairs. */
	assert_non_null(find(out, n, "rss_max_key_size"));
	assert_null(find(out, n, "rss_max_indirection_table_length"));
	assert_null(find(out, n, "max_virtqueue_pairs"));

	/* A status bit the spec does not name, and a known speed. */
	c.status = htole16(VIRTIO_NET_S_LINK_UP | 0x8000);
	c.speed = htole32(10000);
	c.duplex = 0;
	n = vq_config_decode(VIRTIO_ID_NET, (const uint8_t *)&c, sizeof(c), feat, out, OUT_MAX);
	assert_string_equal(get(out, n, "status")->str, "LINK_UP|bit_15");
	assert_string_equal(get(out, n, "speed")->note, "Mb/s");
	assert_int_equal(get(out, n, "speed")->value, 10000);
	assert_string_equal(get(out, n, "duplex")->note, "half");
}

/* Value meanings of blk, crypto and iommu fields. */
static void test_value_notes(void **state)
{
	uint8_t cfg[128];
	struct vq_cfg_field out[OUT_MAX];
	const struct vq_cfg_field *f;
	size_t n, zoned_model = AFTER(virtio_blk_config, secure_erase_sector_alignment) +
				offsetof(struct spec_blk_zoned, model);

	(void)state;
	memset(cfg, 0, sizeof(cfg));
	cfg[offsetof(struct virtio_blk_config, wce)] = 1;
	cfg[zoned_model] = 1;
	n = vq_config_decode(VIRTIO_ID_BLOCK, cfg, 96, all_features, out, OUT_MAX);
	assert_string_equal(get(out, n, "writeback")->note, "writeback");
	assert_string_equal(get(out, n, "zoned_model")->note, "host-managed");
	assert_string_equal(get(out, n, "capacity")->note, "512-byte sectors");
	cfg[offsetof(struct virtio_blk_config, wce)] = 0;
	cfg[zoned_model] = 9;
	n = vq_config_decode(VIRTIO_ID_BLOCK, cfg, 96, all_features, out, OUT_MAX);
	assert_string_equal(get(out, n, "writeback")->note, "writethrough");
	assert_string_equal(get(out, n, "zoned_model")->note, "unknown model");
	/* Number fields carry an empty str. */
	assert_string_equal(get(out, n, "capacity")->str, "");

	memset(cfg, 0, sizeof(cfg));
	cfg[offsetof(struct virtio_crypto_config, status)] = VIRTIO_CRYPTO_S_HW_READY;
	cfg[offsetof(struct virtio_crypto_config, crypto_services)] =
	    1u << VIRTIO_CRYPTO_SERVICE_CIPHER | 1u << VIRTIO_CRYPTO_SERVICE_AKCIPHER;
	n = vq_config_decode(VIRTIO_ID_CRYPTO, cfg, sizeof(struct virtio_crypto_config), NULL, out,
			     OUT_MAX);
	assert_string_equal(get(out, n, "status")->str, "HW_READY");
	assert_string_equal(get(out, n, "crypto_services")->str, "CIPHER|AKCIPHER");

	memset(cfg, 0, sizeof(cfg));
	cfg[offsetof(struct virtio_iommu_config, bypass)] = 1;
	n = vq_config_decode(VIRTIO_ID_IOMMU, cfg, sizeof(struct virtio_iommu_config), all_features,
			     out, OUT_MAX);
	f = get(out, n, "bypass");
	assert_int_equal(f->value, 1);
	assert_string_equal(f->note, "unattached endpoints bypass");
}

/* fs tag: at most 36 bytes, stops at NUL, non-printable bytes become '.'. */
static void test_fs_tag(void **state)
{
	struct virtio_fs_config c;
	struct vq_cfg_field out[OUT_MAX];
	const struct vq_cfg_field *f;
	size_t n;

	(void)state;
	memset(&c, 0, sizeof(c));
	memcpy(c.tag, "my\x01tag\x7f\x80\xff\t!", 11);
	c.num_request_queues = htole32(2);
	n = vq_config_decode(VIRTIO_ID_FS, (const uint8_t *)&c, sizeof(c), NULL, out, OUT_MAX);
	f = get(out, n, "tag");
	assert_int_equal(f->kind, VQ_CFG_STR);
	assert_string_equal(f->str, "my.tag....!");
	assert_int_equal(get(out, n, "num_request_queues")->value, 2);

	/* Stops at the first NUL even when bytes follow. */
	memset(c.tag, 'x', sizeof(c.tag));
	c.tag[3] = 0;
	n = vq_config_decode(VIRTIO_ID_FS, (const uint8_t *)&c, sizeof(c), NULL, out, OUT_MAX);
	assert_string_equal(get(out, n, "tag")->str, "xxx");

	/* All 36 bytes used, no NUL: exactly 36 characters, never the bytes after. */
	memset(c.tag, 'A', sizeof(c.tag));
	c.num_request_queues = htole32(0x42424242);
	n = vq_config_decode(VIRTIO_ID_FS, (const uint8_t *)&c, sizeof(c), NULL, out, OUT_MAX);
	f = get(out, n, "tag");
	assert_int_equal(strlen(f->str), 36);
	assert_int_equal(strspn(f->str, "A"), 36);
}

/* 9P: tag_len always, the tag with VIRTIO_9P_MOUNT_TAG, cut at tag_len, at the read and at str. */
static void test_9p_tag(void **state)
{
	struct vq_cfg_field out[OUT_MAX];
	const struct vq_cfg_field *f;
	uint32_t feat[4] = {1u << VIRTIO_9P_MOUNT_TAG, 0, 0, 0};
	uint8_t cfg[2 + 200];
	uint8_t *heap;
	size_t n, len;

	(void)state;
	memset(cfg, 'z', sizeof(cfg));
	cfg[0] = 6;
	cfg[1] = 0;
	memcpy(cfg + 2,
	       "host\x1b"
	       "0",
	       6);
	n = vq_config_decode(VIRTIO_ID_9P, cfg, sizeof(cfg), feat, out, OUT_MAX);
	assert_int_equal(n, 2);
	assert_int_equal(get(out, n, "tag_len")->value, 6);
	f = get(out, n, "tag");
	assert_string_equal(f->str, "host.0");
	assert_null(f->note);

	/* Without the feature: only tag_len. */
	n = vq_config_decode(VIRTIO_ID_9P, cfg, sizeof(cfg), NULL, out, OUT_MAX);
	assert_int_equal(n, 1);
	assert_null(find(out, n, "tag"));

	/* A tag longer than str holds: 79 characters and the NUL. */
	cfg[0] = 200;
	n = vq_config_decode(VIRTIO_ID_9P, cfg, sizeof(cfg), feat, out, OUT_MAX);
	f = get(out, n, "tag");
	assert_int_equal(strlen(f->str), sizeof(f->str) - 1);

	/* tag_len past the bytes read: the tag stops at the read, and says so. */
	for (len = 0; len < 12; len++) {
		heap = malloc(len ? len : 1);
		assert_non_null(heap);
		memcpy(heap, cfg, len);
		n = vq_config_decode(VIRTIO_ID_9P, heap, len, feat, out, OUT_MAX);
		if (len < 2) {
			assert_int_equal(n, 0);
		} else {
			assert_int_equal(n, 2);
			f = get(out, n, "tag");
			assert_int_equal(strlen(f->str), len - 2);
			assert_non_null(f->note);
		}
		free(heap);
	}
}

/* Input: select, subsel, size, then u as the current select says (vqdump never writes select). */
static void test_input(void **state)
{
	struct virtio_input_config c;
	struct vq_cfg_field out[OUT_MAX];
	const struct vq_cfg_field *f;
	size_t n;

	(void)state;
	memset(&c, 0, sizeof(c));

	/* UNSET with size 0: the header only. */
	n = vq_config_decode(VIRTIO_ID_INPUT, (const uint8_t *)&c, sizeof(c), NULL, out, OUT_MAX);
	assert_int_equal(n, 3);
	assert_string_equal(get(out, n, "select")->note, "UNSET");

	/* ID_NAME: text of size bytes. */
	c.select = VIRTIO_INPUT_CFG_ID_NAME;
	c.size = 21;
	memcpy(c.u.string, "QEMU Virtio Keyboard\x07tail", 25);
	n = vq_config_decode(VIRTIO_ID_INPUT, (const uint8_t *)&c, sizeof(c), NULL, out, OUT_MAX);
	assert_int_equal(n, 4);
	assert_string_equal(get(out, n, "select")->note, "ID_NAME");
	f = get(out, n, "u_string");
	assert_int_equal(f->kind, VQ_CFG_STR);
	assert_string_equal(f->str, "QEMU Virtio Keyboard.");

	/* ID_SERIAL, size cut by the read. */
	c.select = VIRTIO_INPUT_CFG_ID_SERIAL;
	c.size = 128;
	n = vq_config_decode(VIRTIO_ID_INPUT, (const uint8_t *)&c,
			     offsetof(struct virtio_input_config, u) + 4, NULL, out, OUT_MAX);
	assert_string_equal(get(out, n, "u_string")->str, "QEMU");

	/* ID_DEVIDS: struct virtio_input_devids. */
	memset(&c.u, 0, sizeof(c.u));
	c.select = VIRTIO_INPUT_CFG_ID_DEVIDS;
	c.size = sizeof(struct virtio_input_devids);
	c.u.ids.bustype = htole16(0x06);
	c.u.ids.vendor = htole16(0x0627);
	c.u.ids.product = htole16(0x0001);
	c.u.ids.version = htole16(0x0102);
	n = vq_config_decode(VIRTIO_ID_INPUT, (const uint8_t *)&c, sizeof(c), NULL, out, OUT_MAX);
	assert_int_equal(n, 7);
	assert_int_equal(get(out, n, "u_ids_bustype")->value, 0x06);
	assert_int_equal(get(out, n, "u_ids_vendor")->value, 0x0627);
	assert_int_equal(get(out, n, "u_ids_product")->value, 0x0001);
	assert_int_equal(get(out, n, "u_ids_version")->value, 0x0102);
	/* size says only 4 bytes are valid. */
	c.size = 4;
	n = vq_config_decode(VIRTIO_ID_INPUT, (const uint8_t *)&c, sizeof(c), NULL, out, OUT_MAX);
	assert_int_equal(n, 5);
	assert_null(find(out, n, "u_ids_product"));

	/* ABS_INFO: struct virtio_input_absinfo. */
	c.select = VIRTIO_INPUT_CFG_ABS_INFO;
	c.subsel = 0; /* ABS_X */
	c.size = sizeof(struct virtio_input_absinfo);
	c.u.abs.min = htole32(0);
	c.u.abs.max = htole32(32767);
	c.u.abs.fuzz = htole32(1);
	c.u.abs.flat = htole32(2);
	c.u.abs.res = htole32(3);
	n = vq_config_decode(VIRTIO_ID_INPUT, (const uint8_t *)&c, sizeof(c), NULL, out, OUT_MAX);
	assert_int_equal(n, 8);
	assert_int_equal(get(out, n, "u_abs_min")->value, 0);
	assert_int_equal(get(out, n, "u_abs_max")->value, 32767);
	assert_int_equal(get(out, n, "u_abs_fuzz")->value, 1);
	assert_int_equal(get(out, n, "u_abs_flat")->value, 2);
	assert_int_equal(get(out, n, "u_abs_res")->value, 3);

	/* EV_BITS: hex in 32-byte pieces. */
	memset(&c.u, 0, sizeof(c.u));
	c.select = VIRTIO_INPUT_CFG_EV_BITS;
	c.subsel = 1; /* EV_KEY */
	c.size = 40;
	c.u.bitmap[0] = 0xfe;
	c.u.bitmap[31] = 0x01;
	c.u.bitmap[39] = 0x80;
	n = vq_config_decode(VIRTIO_ID_INPUT, (const uint8_t *)&c, sizeof(c), NULL, out, OUT_MAX);
	assert_int_equal(n, 5);
	f = get(out, n, "u_bitmap_0");
	assert_int_equal(strlen(f->str), 64);
	assert_memory_equal(f->str, "fe00", 4);
	assert_memory_equal(f->str + 62, "01", 2);
	assert_string_equal(get(out, n, "u_bitmap_32")->str, "0000000000000080");

	/* A select the spec does not define: raw hex. */
	c.select = 0x7f;
	c.size = 2;
	c.u.bitmap[0] = 0xab;
	c.u.bitmap[1] = 0xcd;
	n = vq_config_decode(VIRTIO_ID_INPUT, (const uint8_t *)&c, sizeof(c), NULL, out, OUT_MAX);
	assert_int_equal(n, 4);
	assert_string_equal(get(out, n, "u_0")->str, "abcd");
	assert_string_equal(get(out, n, "select")->note, "unknown");
}

/* Input cut at every length: never a byte past it (ASan), and fields only when covered. */
static void test_input_truncated(void **state)
{
	static const uint8_t selects[] = {VIRTIO_INPUT_CFG_ID_NAME, VIRTIO_INPUT_CFG_ID_DEVIDS,
					  VIRTIO_INPUT_CFG_ABS_INFO, VIRTIO_INPUT_CFG_EV_BITS,
					  0x55};
	struct virtio_input_config c;
	struct vq_cfg_field out[OUT_MAX];
	size_t s, len, n;
	uint8_t *heap;

	(void)state;
	for (s = 0; s < ARRAY_SIZE(selects); s++) {
		fill_pattern((uint8_t *)&c, sizeof(c));
		c.select = selects[s];
		c.size = 128;
		for (len = 0; len <= sizeof(c); len++) {
			heap = malloc(len ? len : 1);
			assert_non_null(heap);
			memcpy(heap, &c, len);
			n = vq_config_decode(VIRTIO_ID_INPUT, heap, len, NULL, out, OUT_MAX);
			assert_true(n <= 3 + 5);
			assert_true((find(out, n, "size") != NULL) == (len >= 3));
			if (selects[s] == VIRTIO_INPUT_CFG_ABS_INFO)
				assert_true((find(out, n, "u_abs_res") != NULL) ==
					    (len >= offsetof(struct virtio_input_config, u) +
							offsetof(struct virtio_input_absinfo, res) +
							4));
			if (selects[s] == VIRTIO_INPUT_CFG_ID_NAME && len > 8)
				assert_int_equal(strlen(get(out, n, "u_string")->str),
						 len - 8 < 79 ? len - 8 : 79);
			free(heap);
		}
	}
}

/*
 * Real config spaces: modern virtio-pci devices of QEMU 7.2, read byte by
 * byte from the device-config capability by a guest with no virtio driver
 * (tests/unit/data/config-qemu-pci: capture.txt, mkvectors.sh, README.md).
 * Features are what each device offered.  Bytes past QEMU's own config
 * length read as 0xff (blk stops after write_zeroes_may_unmap, net after
 * duplex); the expectations come from the QEMU command line there.
 */
struct real_expect {
	const char *name; /* field */
	uint64_t value;	  /* for numbers */
	const char *str;  /* text or flag names, or NULL */
};

struct real_case {
	const char *what;	    /* the QEMU device */
	uint32_t dev;		    /* VIRTIO_ID_* */
	uint32_t features[4];	    /* offered */
	const char *hex;	    /* config bytes as captured */
	size_t nfields;		    /* fields expected in all */
	struct real_expect want[8]; /* some of them */
	const char *absent[4];	    /* fields that must not appear */
};

static const struct real_case real_cases[] = {
    {"virtio-blk-pci num-queues=2, 64 MiB",
     VIRTIO_ID_BLOCK,
     {0x30007e54, 0x00000101, 0, 0},
     "000002000000000000000000fe0000008200103f000200000000000000000000"
     "00000200ffff3f000100000001000000ffff3f000100000001ffffffffffffff"
     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
     18,
     {{"capacity", 131072, NULL},
      {"num_queues", 2, NULL},
      {"blk_size", 512, NULL},
      {"seg_max", 254, NULL},
      {"geometry_heads", 16, NULL},
      /* SeaBIOS drove the disk without FLUSH, so QEMU turned its cache to writethrough. */
      {"writeback", 0, NULL},
      {"max_discard_sectors", 0x3fffff, NULL},
      {"write_zeroes_may_unmap", 1, NULL}},
     {"size_max", "max_secure_erase_sectors", "zoned_model", NULL}},
    {"virtio-net-pci mac=52:54:00:12:34:56,host_mtu=1400,speed=1000,duplex=full",
     VIRTIO_ID_NET,
     {0x30bf802c, 0x80000101, 0, 0},
     "525400123456010001007805e803000001ffffffffffffffffffffff",
     5,
     {{"mac", 0, "52:54:00:12:34:56"},
      {"status", 1, "LINK_UP"},
      {"mtu", 1400, NULL},
      {"speed", 1000, NULL},
      {"duplex", 1, NULL}},
     {"max_virtqueue_pairs", "rss_max_key_size", NULL}},
    {"virtio-serial-pci max_ports=4",
     VIRTIO_ID_CONSOLE,
     {0x30000006, 0x00000101, 0, 0},
     "000000000400000000000000",
     2,
     {{"max_nr_ports", 4, NULL}, {"emerg_wr", 0, NULL}},
     {"cols", "rows", NULL}},
    {"virtio-balloon-pci",
     VIRTIO_ID_BALLOON,
     {0x30000012, 0x00000101, 0, 0},
     "00000000000000000000000000000000",
     3,
     {{"num_pages", 0, NULL}, {"actual", 0, NULL}, {"poison_val", 0, NULL}},
     {"free_page_hint_cmd_id", NULL}},
    {"virtio-scsi-pci num_queues=2",
     VIRTIO_ID_SCSI,
     {0x30000006, 0x00000101, 0, 0},
     "02000000fe000000ffff0000800000001000000060000000200000000000ff00"
     "ff3f0000",
     10,
     {{"num_queues", 2, NULL},
      {"max_sectors", 0xffff, NULL},
      {"cmd_per_lun", 128, NULL},
      {"sense_size", 96, NULL},
      {"cdb_size", 32, NULL},
      {"max_target", 255, NULL},
      {"max_lun", 16383, NULL}},
     {NULL}},
    {"virtio-9p-pci mount_tag=hostshare",
     VIRTIO_ID_9P,
     {0x30000001, 0x00000101, 0, 0},
     "0900686f73747368617265",
     2,
     {{"tag_len", 9, NULL}, {"tag", 0, "hostshare"}},
     {NULL}},
    {"virtio-keyboard-pci, select as found",
     VIRTIO_ID_INPUT,
     {0x30000000, 0x00000101, 0, 0},
     "0000000000000000000000000000000000000000000000000000000000000000"
     "0000000000ffffffffffffffffffffffffffffffffffffffffffffffffffffff"
     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
     "ffffffffffffffff",
     3,
     {{"select", 0, NULL}, {"size", 0, NULL}},
     {"u_string", "u_0", NULL}},
    {"virtio-keyboard-pci, select ID_NAME",
     VIRTIO_ID_INPUT,
     {0x30000000, 0x00000101, 0, 0},
     "010015000000000051454d552056697274696f204b6579626f61726400000000"
     "0000000000ffffffffffffffffffffffffffffffffffffffffffffffffffffff"
     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
     "ffffffffffffffff",
     4,
     {{"select", 1, NULL}, {"u_string", 0, "QEMU Virtio Keyboard"}},
     {NULL}},
    {"virtio-keyboard-pci, select ID_DEVIDS",
     VIRTIO_ID_INPUT,
     {0x30000000, 0x00000101, 0, 0},
     "0300080000000000060027060100010000000000000000000000000000000000"
     "0000000000ffffffffffffffffffffffffffffffffffffffffffffffffffffff"
     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
     "ffffffffffffffff",
     7,
     /* BUS_VIRTUAL, Red Hat's PCI vendor ID. */
     {{"size", 8, NULL}, {"u_ids_bustype", 6, NULL}, {"u_ids_vendor", 0x0627, NULL}},
     {NULL}},
    {"virtio-keyboard-pci, select EV_BITS subsel EV_KEY",
     VIRTIO_ID_INPUT,
     {0x30000000, 0x00000101, 0, 0},
     "11011d0000000000feffffffffffffffffffcf7bffffbefeffdf00f878300000"
     "0000000004ffffffffffffffffffffffffffffffffffffffffffffffffffffff"
     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
     "ffffffffffffffff",
     4,
     {{"size", 29, NULL},
      {"u_bitmap_0", 0, "feffffffffffffffffffcf7bffffbefeffdf00f8783000000000000004"}},
     {"u_bitmap_32", NULL}},
    {"virtio-gpu-pci",
     VIRTIO_ID_GPU,
     {0x30000002, 0x00000101, 0, 0},
     "00000000000000000100000000000000",
     4,
     {{"num_scanouts", 1, NULL}, {"num_capsets", 0, NULL}},
     {NULL}},
    {"virtio-crypto-pci, cryptodev-backend-builtin",
     VIRTIO_ID_CRYPTO,
     {0x30000000, 0x00000101, 0, 0},
     "0100000001000000170000000800000000000000040000000000000000000000"
     "00000000400000000002000002000000e7ffffffffffff7f",
     13,
     {{"status", 1, "HW_READY"},
      {"max_dataqueues", 1, NULL},
      {"crypto_services", 0x17, "CIPHER|HASH|MAC|AKCIPHER"},
      {"max_cipher_key_len", 64, NULL},
      {"akcipher_algo", 2, NULL}},
     {NULL}},
    {"virtio-iommu-pci",
     VIRTIO_ID_IOMMU,
     {0x30000077, 0x00000101, 0, 0},
     "00f0ffffffffffff0000000000000000ffffffffffffffff00000000ffffffff"
     "0002000001000000",
     7,
     {{"page_size_mask", 0xfffffffffffff000ull, NULL},
      {"input_range_end", UINT64_MAX, NULL},
      {"domain_range_end", 0xffffffff, NULL},
      {"probe_size", 512, NULL},
      {"bypass", 1, NULL}},
     {NULL}},
};

static size_t unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned b;

	for (; hex[0] && hex[1] && n < max; hex += 2) {
		assert_int_equal(sscanf(hex, "%2x", &b), 1);
		out[n++] = (uint8_t)b;
	}
	return n;
}

static void test_real_captures(void **state)
{
	struct vq_cfg_field out[OUT_MAX];
	const struct vq_cfg_field *f;
	uint8_t cfg[256], *heap;
	size_t i, k, n, len, cut;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(real_cases); i++) {
		const struct real_case *c = &real_cases[i];

		len = unhex(c->hex, cfg, sizeof(cfg));
		n = vq_config_decode(c->dev, cfg, len, c->features, out, OUT_MAX);
		if (n != c->nfields)
			fail_msg("%s: %zu fields, expected %zu", c->what, n, c->nfields);
		for (k = 0; k < ARRAY_SIZE(c->want) && c->want[k].name; k++) {
			f = get(out, n, c->want[k].name);
			if (c->want[k].str && strcmp(f->str, c->want[k].str) != 0)
				fail_msg("%s %s: \"%s\", expected \"%s\"", c->what, f->name, f->str,
					 c->want[k].str);
			if (f->kind == VQ_CFG_UINT && f->value != c->want[k].value)
				fail_msg("%s %s: %llu, expected %llu", c->what, f->name,
					 (unsigned long long)f->value,
					 (unsigned long long)c->want[k].value);
		}
		for (k = 0; k < ARRAY_SIZE(c->absent) && c->absent[k]; k++)
			if (find(out, n, c->absent[k]))
				fail_msg("%s: unexpected %s", c->what, c->absent[k]);
		/* The same bytes cut anywhere: ASan checks each read stays inside. */
		for (cut = 0; cut < len; cut++) {
			heap = malloc(cut ? cut : 1);
			assert_non_null(heap);
			memcpy(heap, cfg, cut);
			assert_true(vq_config_decode(c->dev, heap, cut, c->features, out,
						     OUT_MAX) <= c->nfields);
			free(heap);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_field_offsets), cmocka_unit_test(test_feature_gates),
	    cmocka_unit_test(test_truncated),	  cmocka_unit_test(test_field_count),
	    cmocka_unit_test(test_sizes),	  cmocka_unit_test(test_no_config),
	    cmocka_unit_test(test_max),		  cmocka_unit_test(test_feature_words),
	    cmocka_unit_test(test_net_text),	  cmocka_unit_test(test_value_notes),
	    cmocka_unit_test(test_fs_tag),	  cmocka_unit_test(test_9p_tag),
	    cmocka_unit_test(test_input),	  cmocka_unit_test(test_input_truncated),
	    cmocka_unit_test(test_real_captures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
