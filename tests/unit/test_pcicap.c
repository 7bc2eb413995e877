/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the virtio-pci capability decoder: one case per rule of virtio 1.3, 4.1.4. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/pci_regs.h>
#include <linux/virtio_pci.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/pcicap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- building config space by hand ---- */

/* An empty type-0 header of a modern virtio device with a capability list
 * that starts at @first (0: no list). */
static void cfg_init(uint8_t *cfg, size_t len, unsigned first)
{
	memset(cfg, 0, len);
	cfg[PCI_VENDOR_ID] = 0xf4;
	cfg[PCI_VENDOR_ID + 1] = 0x1a;
	cfg[PCI_DEVICE_ID] = 0x42;
	cfg[PCI_DEVICE_ID + 1] = 0x10;
	cfg[PCI_STATUS] = PCI_STATUS_CAP_LIST;
	cfg[PCI_CAPABILITY_LIST] = (uint8_t)first;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* A struct virtio_pci_cap at @pos; cap_len @cap_len (16 + extra data). */
static void vcap(uint8_t *cfg, unsigned pos, unsigned next, uint8_t cap_len, uint8_t type,
		 uint8_t bar, uint32_t offset, uint32_t length)
{
	cfg[pos + VIRTIO_PCI_CAP_VNDR] = PCI_CAP_ID_VNDR;
	cfg[pos + VIRTIO_PCI_CAP_NEXT] = (uint8_t)next;
	cfg[pos + VIRTIO_PCI_CAP_LEN] = cap_len;
	cfg[pos + VIRTIO_PCI_CAP_CFG_TYPE] = type;
	cfg[pos + VIRTIO_PCI_CAP_BAR] = bar;
	put32(cfg + pos + VIRTIO_PCI_CAP_OFFSET, offset);
	put32(cfg + pos + VIRTIO_PCI_CAP_LENGTH, length);
}

/* A non-virtio capability: ID and next pointer only. */
static void scap(uint8_t *cfg, unsigned pos, unsigned next, uint8_t id)
{
	cfg[pos + PCI_CAP_LIST_ID] = id;
	cfg[pos + PCI_CAP_LIST_NEXT] = (uint8_t)next;
}

/* The list QEMU 7.2 builds (tests/unit/data/README.md), made by hand. */
static void cfg_qemu(uint8_t *cfg)
{
	cfg_init(cfg, VQ_PCI_CFG_SIZE, 0x98);
	scap(cfg, 0x98, 0x84, PCI_CAP_ID_MSIX);
	vcap(cfg, 0x84, 0x70, 20, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 0);
	vcap(cfg, 0x70, 0x60, 20, VIRTIO_PCI_CAP_NOTIFY_CFG, 4, 0x3000, 0x1000);
	put32(cfg + 0x70 + VIRTIO_PCI_NOTIFY_CAP_MULT, 4);
	vcap(cfg, 0x60, 0x50, 16, VIRTIO_PCI_CAP_DEVICE_CFG, 4, 0x2000, 0x1000);
	vcap(cfg, 0x50, 0x40, 16, VIRTIO_PCI_CAP_ISR_CFG, 4, 0x1000, 0x1000);
	vcap(cfg, 0x40, 0x00, 16, VIRTIO_PCI_CAP_COMMON_CFG, 4, 0x0000, 0x1000);
}

static int parse(const uint8_t *cfg, size_t len, struct vq_pci_cap *caps, unsigned max,
		 struct vq_pcicap_walk *w)
{
	return vq_pcicap_parse(cfg, len, caps, max, w);
}

/* ---- the walk ---- */

/* 4.1.4: each structure is located by a vendor-specific capability on the
 * list; the order of the list is the device's order of preference. */
static void test_walk_qemu_layout(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[VQ_PCI_CAPS_MAX];
	struct vq_pcicap_walk w;

	(void)state;
	cfg_qemu(cfg);
	assert_int_equal(parse(cfg, sizeof(cfg), c, VQ_PCI_CAPS_MAX, &w), 5);
	assert_int_equal(w.n, 5);
	assert_int_equal(w.visited, 6);
	assert_int_equal(w.ignored, 0);
	assert_int_equal(w.msix_pos, 0x98);
	assert_int_equal(c[0].cfg_type, VIRTIO_PCI_CAP_PCI_CFG);
	assert_int_equal(c[0].pos, 0x84);
	assert_int_equal(c[1].cfg_type, VIRTIO_PCI_CAP_NOTIFY_CFG);
	assert_int_equal(c[1].bar, 4);
	assert_int_equal(c[1].offset, 0x3000);
	assert_int_equal(c[1].length, 0x1000);
	assert_int_equal(c[1].notify_off_multiplier, 4);
	assert_int_equal(c[2].cfg_type, VIRTIO_PCI_CAP_DEVICE_CFG);
	assert_int_equal(c[3].cfg_type, VIRTIO_PCI_CAP_ISR_CFG);
	assert_int_equal(c[4].cfg_type, VIRTIO_PCI_CAP_COMMON_CFG);
	assert_int_equal(c[4].pos, 0x40);
	assert_int_equal(c[4].offset, 0);
	assert_int_equal(c[4].notify_off_multiplier, 0);
}

/* 4.1.4: cap_vndr 0x09 identifies a vendor-specific capability; other
 * capabilities are stepped over, not decoded. */
static void test_only_vendor_caps(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[4];
	struct vq_pcicap_walk w;

	(void)state;
	cfg_init(cfg, sizeof(cfg), 0x40);
	scap(cfg, 0x40, 0x50, PCI_CAP_ID_PM);
	/* Looks like a common cfg capability, but is not vendor-specific. */
	vcap(cfg, 0x50, 0x60, 16, VIRTIO_PCI_CAP_COMMON_CFG, 4, 0, 0x1000);
	cfg[0x50] = PCI_CAP_ID_EXP;
	vcap(cfg, 0x60, 0x00, 16, VIRTIO_PCI_CAP_ISR_CFG, 4, 0x1000, 1);
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), 1);
	assert_int_equal(c[0].cfg_type, VIRTIO_PCI_CAP_ISR_CFG);
	assert_int_equal(w.visited, 3);
	assert_int_equal(w.ignored, 0);
}

/* PCI: without Capabilities List in the status register there is no list,
 * whatever the pointer holds (and a legacy device may have none). */
static void test_no_capability_list(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[4];
	struct vq_pcicap_walk w;

	(void)state;
	cfg_qemu(cfg);
	cfg[PCI_STATUS] &= (uint8_t)~PCI_STATUS_CAP_LIST;
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), 0);
	assert_int_equal(w.visited, 0);
	cfg_init(cfg, sizeof(cfg), 0);
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), 0);
}

/* PCI: the low two bits of capability pointers are reserved and masked. */
static void test_pointer_low_bits(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[4];
	struct vq_pcicap_walk w;

	(void)state;
	cfg_init(cfg, sizeof(cfg), 0x43);
	vcap(cfg, 0x40, 0x52, 16, VIRTIO_PCI_CAP_COMMON_CFG, 0, 0, 0x38);
	vcap(cfg, 0x50, 0x00, 16, VIRTIO_PCI_CAP_ISR_CFG, 0, 0x100, 1);
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), 2);
	assert_int_equal(c[0].pos, 0x40);
	assert_int_equal(c[1].pos, 0x50);
}

/* A list that loops ends with -ELOOP, keeping what came before. */
static void test_loop(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[4];
	struct vq_pcicap_walk w;

	(void)state;
	/* Onto itself. */
	cfg_init(cfg, sizeof(cfg), 0x40);
	vcap(cfg, 0x40, 0x40, 16, VIRTIO_PCI_CAP_COMMON_CFG, 0, 0, 0x38);
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), -ELOOP);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.note, "loops"));
	/* Back to an earlier one, via a non-virtio capability. */
	cfg_init(cfg, sizeof(cfg), 0x40);
	vcap(cfg, 0x40, 0x80, 16, VIRTIO_PCI_CAP_COMMON_CFG, 0, 0, 0x38);
	scap(cfg, 0x80, 0xf0, PCI_CAP_ID_MSIX);
	vcap(cfg, 0xf0, 0x41, 16, VIRTIO_PCI_CAP_ISR_CFG, 0, 0x100, 1);
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), -ELOOP);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.msix_pos, 0x80);
	assert_int_equal(vq_pci_find_std_cap(cfg, sizeof(cfg), PCI_CAP_ID_EXP), -ELOOP);
	/* The longest possible list, every dword slot once, still ends. */
	cfg_init(cfg, sizeof(cfg), 0x40);
	for (unsigned p = 0x40; p < 0x100; p += 4)
		scap(cfg, p, p + 4 < 0x100 ? p + 4 : 0x40, PCI_CAP_ID_VNDR + 1);
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), -ELOOP);
	assert_int_equal(w.visited, 48);
}

/* A pointer into the 64-byte header points outside the list area. */
static void test_pointer_outside(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[4];
	struct vq_pcicap_walk w;

	(void)state;
	cfg_init(cfg, sizeof(cfg), 0x20);
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), -ERANGE);
	assert_int_equal(w.n, 0);
	cfg_init(cfg, sizeof(cfg), 0x40);
	vcap(cfg, 0x40, 0x3c, 16, VIRTIO_PCI_CAP_COMMON_CFG, 0, 0, 0x38);
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), -ERANGE);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.note, "inside the header"));
}

/* Config space that reads as all ones (a vanished device) is not a list. */
static void test_all_ones(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[4];
	struct vq_pcicap_walk w;

	(void)state;
	memset(cfg, 0xff, sizeof(cfg));
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), -EIO);
	assert_int_equal(vq_pci_msix_enabled(cfg, sizeof(cfg)), -EIO);
}

/* Input: 256 bytes (PCI) or 4096 (PCI Express); the list is in the first
 * 256 either way. */
static void test_config_sizes(void **state)
{
	static uint8_t big[VQ_PCI_CFG_SIZE_EXP];
	struct vq_pci_cap c[8];
	struct vq_pcicap_walk w;

	(void)state;
	cfg_init(big, sizeof(big), 0);
	cfg_qemu(big);
	memset(big + 256, 0x09, sizeof(big) - 256);
	assert_int_equal(parse(big, sizeof(big), c, 8, &w), 5);
	assert_int_equal(parse(big, 64, c, 8, &w), -EINVAL);
	assert_int_equal(parse(big, 255, c, 8, &w), -EINVAL);
	assert_int_equal(parse(big, 512, c, 8, &w), -EINVAL);
	assert_int_equal(w.n, 0);
}

/* 4.1.4.1: the driver MUST ignore a capability with a reserved cfg_type. */
static void test_reserved_cfg_type(void **state)
{
	static const uint8_t reserved[] = { 0, 6, 7, 10, 0x7f, 0xff };
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[4];
	struct vq_pcicap_walk w;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(reserved); i++) {
		cfg_init(cfg, sizeof(cfg), 0x40);
		vcap(cfg, 0x40, 0x60, 24, reserved[i], 0, 0, 0x100);
		vcap(cfg, 0x60, 0x00, 16, VIRTIO_PCI_CAP_COMMON_CFG, 0, 0, 0x38);
		assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), 1);
		assert_int_equal(c[0].cfg_type, VIRTIO_PCI_CAP_COMMON_CFG);
		assert_int_equal(w.ignored, 1);
		assert_non_null(strstr(w.note, "reserved cfg_type"));
		assert_null(vq_pcicap_type_name(reserved[i]));
		assert_int_equal(vq_pcicap_min_len(reserved[i]), 0);
	}
}

/* 4.1.4.1: the driver MUST ignore a capability with a reserved bar (only
 * 0 to 5 name a BAR). */
static void test_reserved_bar(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[4];
	struct vq_pcicap_walk w;

	(void)state;
	cfg_init(cfg, sizeof(cfg), 0x40);
	vcap(cfg, 0x40, 0x50, 16, VIRTIO_PCI_CAP_COMMON_CFG, 6, 0, 0x38);
	vcap(cfg, 0x50, 0x60, 16, VIRTIO_PCI_CAP_COMMON_CFG, 0xff, 0, 0x38);
	vcap(cfg, 0x60, 0x00, 16, VIRTIO_PCI_CAP_COMMON_CFG, 5, 0, 0x38);
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), 1);
	assert_int_equal(c[0].bar, 5);
	assert_int_equal(c[0].pos, 0x60);
	assert_int_equal(w.ignored, 2);
	assert_non_null(strstr(w.note, "0x40"));
	assert_non_null(strstr(w.note, "reserved bar 6"));
}

/* 4.1.4.1: the driver MUST accept a cap_len larger than specified. */
static void test_cap_len_larger(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[4];
	struct vq_pcicap_walk w;

	(void)state;
	cfg_init(cfg, sizeof(cfg), 0x40);
	vcap(cfg, 0x40, 0x60, 32, VIRTIO_PCI_CAP_COMMON_CFG, 2, 0x80, 0x38);
	vcap(cfg, 0x60, 0x00, 0x40, VIRTIO_PCI_CAP_NOTIFY_CFG, 2, 0x1000, 0x100);
	put32(cfg + 0x60 + VIRTIO_PCI_NOTIFY_CAP_MULT, 8);
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), 2);
	assert_int_equal(c[0].offset, 0x80);
	assert_int_equal(c[1].notify_off_multiplier, 8);
	assert_int_equal(w.ignored, 0);
}

/* 4.1.4.2: cap_len covers the structure and its extra data; one too short
 * for its type is rejected, one exactly long enough is not. */
static void test_cap_len_too_small(void **state)
{
	static const struct {
		uint8_t type; /* cfg_type */
		uint8_t min;  /* sizeof its structure */
	} cases[] = {
		{ VIRTIO_PCI_CAP_COMMON_CFG, 16 },        { VIRTIO_PCI_CAP_NOTIFY_CFG, 20 },
		{ VIRTIO_PCI_CAP_ISR_CFG, 16 },           { VIRTIO_PCI_CAP_DEVICE_CFG, 16 },
		{ VIRTIO_PCI_CAP_PCI_CFG, 20 },           { VIRTIO_PCI_CAP_SHARED_MEMORY_CFG, 24 },
		{ VQ_PCI_CAP_VENDOR_CFG, 6 },
	};
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[4];
	struct vq_pcicap_walk w;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(vq_pcicap_min_len(cases[i].type), cases[i].min);
		cfg_init(cfg, sizeof(cfg), 0x40);
		vcap(cfg, 0x40, 0x00, (uint8_t)(cases[i].min - 1), cases[i].type, 0, 0, 0x10);
		assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), 0);
		assert_int_equal(w.ignored, 1);
		assert_non_null(strstr(w.note, "shorter"));
		cfg[0x40 + VIRTIO_PCI_CAP_LEN] = cases[i].min;
		assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), 1);
		assert_int_equal(c[0].cfg_type, cases[i].type);
	}
	/* cap_len 0 and 1 as well. */
	cfg_init(cfg, sizeof(cfg), 0x40);
	vcap(cfg, 0x40, 0x00, 0, VIRTIO_PCI_CAP_COMMON_CFG, 0, 0, 0x38);
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), 0);
	assert_int_equal(w.ignored, 1);
}

/* A capability whose cap_len runs past the end of config space cannot be
 * read whole and is rejected; the walk goes on. */
static void test_cap_len_past_end(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[4];
	struct vq_pcicap_walk w;

	(void)state;
	cfg_init(cfg, sizeof(cfg), 0xf4);
	/* Only the 12 bytes that fit: vndr, next, cap_len 16, type, bar... offset. */
	cfg[0xf4 + VIRTIO_PCI_CAP_VNDR] = PCI_CAP_ID_VNDR;
	cfg[0xf4 + VIRTIO_PCI_CAP_NEXT] = 0x40;
	cfg[0xf4 + VIRTIO_PCI_CAP_LEN] = 16;
	cfg[0xf4 + VIRTIO_PCI_CAP_CFG_TYPE] = VIRTIO_PCI_CAP_COMMON_CFG;
	vcap(cfg, 0x40, 0x00, 16, VIRTIO_PCI_CAP_ISR_CFG, 0, 0x100, 1);
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), 1);
	assert_int_equal(c[0].cfg_type, VIRTIO_PCI_CAP_ISR_CFG);
	assert_int_equal(w.ignored, 1);
	assert_non_null(strstr(w.note, "past the end"));
	/* Exactly to the end is fine. */
	cfg_init(cfg, sizeof(cfg), 0xf0);
	vcap(cfg, 0xf0, 0x00, 16, VIRTIO_PCI_CAP_COMMON_CFG, 0, 0, 0x38);
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), 1);
}

/* 4.1.4 (virtio_pci_cap64) and Shared memory capability: offset and length
 * are 64-bit, from offset_hi and length_hi; id names the region. */
static void test_shared_memory_cap64(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[4];
	struct vq_pcicap_walk w;

	(void)state;
	cfg_init(cfg, sizeof(cfg), 0x40);
	vcap(cfg, 0x40, 0x60, 24, VIRTIO_PCI_CAP_SHARED_MEMORY_CFG, 2, 0x1000, 0x80000000);
	cfg[0x40 + VQ_PCI_CAP_ID] = 1;
	put32(cfg + 0x40 + VQ_PCI_CAP64_OFFSET_HI, 0x2);
	put32(cfg + 0x40 + VQ_PCI_CAP64_LENGTH_HI, 0x1);
	vcap(cfg, 0x60, 0x00, 24, VIRTIO_PCI_CAP_SHARED_MEMORY_CFG, 2, 0x0, 0x1000);
	cfg[0x60 + VQ_PCI_CAP_ID] = 0;
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), 2);
	assert_int_equal(c[0].id, 1);
	assert_int_equal(c[0].offset, 0x200001000ull);
	assert_int_equal(c[0].length, 0x180000000ull);
	assert_int_equal(c[1].id, 0);
	assert_int_equal(c[1].offset, 0);
	assert_int_equal(c[1].length, 0x1000);
	/* Other types ignore what lies at +16/+20. */
	cfg_init(cfg, sizeof(cfg), 0x40);
	vcap(cfg, 0x40, 0x00, 24, VIRTIO_PCI_CAP_DEVICE_CFG, 2, 0x1000, 0x100);
	put32(cfg + 0x40 + VQ_PCI_CAP64_OFFSET_HI, 0x2);
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), 1);
	assert_int_equal(c[0].offset, 0x1000);
}

/* 4.1.4 Notification capability: notify_off_multiplier follows the cap;
 * only notify capabilities have one. */
static void test_notify_multiplier(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[4];
	struct vq_pcicap_walk w;

	(void)state;
	cfg_init(cfg, sizeof(cfg), 0x40);
	vcap(cfg, 0x40, 0x60, 20, VIRTIO_PCI_CAP_NOTIFY_CFG, 1, 0x2000, 0x1000);
	put32(cfg + 0x40 + VIRTIO_PCI_NOTIFY_CAP_MULT, 0x1000);
	vcap(cfg, 0x60, 0x00, 20, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 0);
	put32(cfg + 0x60 + VIRTIO_PCI_NOTIFY_CAP_MULT, 0x12345678); /* pci_cfg_data */
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), 2);
	assert_int_equal(c[0].notify_off_multiplier, 0x1000);
	assert_int_equal(c[1].notify_off_multiplier, 0);
}

/* 4.1.4: several structures of one type are allowed; list order is the
 * order of preference, and a driver SHOULD use the first it supports. */
static void test_first_of_type(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[4];
	struct vq_pcicap_walk w;

	(void)state;
	/* The spec's example: I/O notify first, memory notify second. */
	cfg_init(cfg, sizeof(cfg), 0x80);
	vcap(cfg, 0x80, 0x40, 20, VIRTIO_PCI_CAP_NOTIFY_CFG, 0, 0x10, 2);
	vcap(cfg, 0x40, 0x00, 20, VIRTIO_PCI_CAP_NOTIFY_CFG, 4, 0x3000, 0x1000);
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), 2);
	assert_int_equal(c[0].pos, 0x80);
	assert_ptr_equal(vq_pcicap_first(c, 2, VIRTIO_PCI_CAP_NOTIFY_CFG), &c[0]);
	assert_null(vq_pcicap_first(c, 2, VIRTIO_PCI_CAP_COMMON_CFG));
	assert_null(vq_pcicap_first(c, 0, VIRTIO_PCI_CAP_NOTIFY_CFG));
}

/* More capabilities than the caller has room for: the first are kept. */
static void test_dropped(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[3];
	struct vq_pcicap_walk w;

	(void)state;
	cfg_qemu(cfg);
	assert_int_equal(parse(cfg, sizeof(cfg), c, 3, &w), 3);
	assert_int_equal(w.dropped, 2);
	assert_int_equal(c[2].cfg_type, VIRTIO_PCI_CAP_DEVICE_CFG);
	assert_int_equal(parse(cfg, sizeof(cfg), NULL, 0, &w), 0);
	assert_int_equal(w.dropped, 5);
}

/* 4.1.4 Vendor data capability: its own layout (vendor_id where bar and id
 * would be), no BAR region. */
static void test_vendor_data_cap(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[4];
	struct vq_pcicap_walk w;

	(void)state;
	cfg_init(cfg, sizeof(cfg), 0x40);
	vcap(cfg, 0x40, 0x00, 12, VQ_PCI_CAP_VENDOR_CFG, 0, 0, 0);
	cfg[0x40 + VQ_PCI_VNDR_VENDOR_ID] = 0x86; /* 0x8086: byte 4 is not a bar */
	cfg[0x40 + VQ_PCI_VNDR_VENDOR_ID + 1] = 0x80;
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), 1);
	assert_int_equal(c[0].cfg_type, VQ_PCI_CAP_VENDOR_CFG);
	assert_int_equal(c[0].bar, VQ_PCI_CAP_NO_BAR);
	assert_int_equal(c[0].length, 12);
	assert_int_equal(c[0].offset, 0);
	assert_string_equal(vq_pcicap_type_name(VQ_PCI_CAP_VENDOR_CFG), "vendor");
}

/* 4.1.4 PCI configuration access capability: cap_len includes
 * pci_cfg_data; bar/offset/length are the driver's window registers. */
static void test_pci_cfg_cap(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[4];
	struct vq_pcicap_walk w;

	(void)state;
	cfg_init(cfg, sizeof(cfg), 0x40);
	vcap(cfg, 0x40, 0x00, 20, VIRTIO_PCI_CAP_PCI_CFG, 4, 0x14, 4);
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), 1);
	assert_int_equal(c[0].bar, 4);
	assert_int_equal(c[0].offset, 0x14);
	assert_int_equal(c[0].length, 4);
	assert_string_equal(vq_pcicap_type_name(VIRTIO_PCI_CAP_PCI_CFG), "pci-cfg");
}

/* 4.1.4 Legacy note: device config starts at 24 with MSI-X enabled, else
 * at 20; the enable bit is read from the MSI-X capability. */
static void test_msix_enabled(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];

	(void)state;
	cfg_init(cfg, sizeof(cfg), 0x40);
	scap(cfg, 0x40, 0x00, PCI_CAP_ID_MSIX);
	assert_int_equal(vq_pci_find_std_cap(cfg, sizeof(cfg), PCI_CAP_ID_MSIX), 0x40);
	assert_int_equal(vq_pci_msix_enabled(cfg, sizeof(cfg)), 0);
	cfg[0x40 + PCI_MSIX_FLAGS + 1] = 0x80;
	assert_int_equal(vq_pci_msix_enabled(cfg, sizeof(cfg)), 1);
	cfg[0x40 + PCI_MSIX_FLAGS + 1] = 0x40; /* Function Mask only */
	assert_int_equal(vq_pci_msix_enabled(cfg, sizeof(cfg)), 0);
	/* At the very end of config space. */
	cfg_init(cfg, sizeof(cfg), 0xfc);
	scap(cfg, 0xfc, 0x00, PCI_CAP_ID_MSIX);
	cfg[0xff] = 0x80;
	assert_int_equal(vq_pci_msix_enabled(cfg, sizeof(cfg)), 1);
	/* None. */
	cfg_qemu(cfg);
	cfg[0x98] = PCI_CAP_ID_PM;
	assert_int_equal(vq_pci_find_std_cap(cfg, sizeof(cfg), PCI_CAP_ID_MSIX), 0);
	assert_int_equal(vq_pci_msix_enabled(cfg, sizeof(cfg)), 0);
}

/* CardBus bridges keep the capability pointer at 0x14. */
static void test_cardbus_pointer(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[4];
	struct vq_pcicap_walk w;

	(void)state;
	cfg_init(cfg, sizeof(cfg), 0x60);
	cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_CARDBUS;
	cfg[PCI_CB_CAPABILITY_LIST] = 0x80;
	vcap(cfg, 0x80, 0x00, 16, VIRTIO_PCI_CAP_ISR_CFG, 0, 0, 1);
	assert_int_equal(parse(cfg, sizeof(cfg), c, 4, &w), 1);
	assert_int_equal(c[0].pos, 0x80);
}

/* Random bytes: the walk always ends, within bounds, with a valid result. */
static void test_random_bytes(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[4];
	struct vq_pcicap_walk w;
	uint32_t x = 12345;
	int ret;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		for (size_t i = 0; i < sizeof(cfg); i++) {
			x = x * 1103515245u + 12345u;
			cfg[i] = (uint8_t)(x >> 16);
		}
		/* Make most rounds have a list of vendor capabilities. */
		cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
		if (round & 1)
			for (size_t p = 0x40; p < 0x100; p += 4)
				if ((cfg[p + 1] & 3) == 0)
					cfg[p] = PCI_CAP_ID_VNDR;
		ret = parse(cfg, sizeof(cfg), c, 4, &w);
		assert_true(ret == (int)w.n || ret == -ELOOP || ret == -ERANGE || ret == -EIO);
		assert_true(w.n <= 4);
		assert_true(w.visited <= 48);
		assert_true(w.n + w.dropped + w.ignored <= w.visited);
		for (unsigned i = 0; i < w.n; i++)
			assert_true(c[i].bar <= 5 || c[i].bar == VQ_PCI_CAP_NO_BAR);
	}
}

/* ---- device rules (vq_pcicap_lint) ---- */

struct lint {
	struct vq_finding f[16]; /* findings */
	unsigned n;              /* how many */
};

static void lint_cfg(const uint8_t *cfg, const struct vq_pcicap_lint_in *in, struct lint *l)
{
	struct vq_pci_cap c[VQ_PCI_CAPS_MAX];
	struct vq_pcicap_walk w;
	int n = vq_pcicap_parse(cfg, VQ_PCI_CFG_SIZE, c, VQ_PCI_CAPS_MAX, &w);

	assert_true(n >= 0);
	l->n = vq_pcicap_lint(cfg, VQ_PCI_CFG_SIZE, c, (unsigned)n, in, l->f, 16);
}

static int has(const struct lint *l, const char *code)
{
	for (unsigned i = 0; i < l->n; i++)
		if (!strcmp(l->f[i].code, code))
			return 1;
	return 0;
}

static const uint64_t qemu_bars[6] = { 0, 0x1000, 0, 0, 0x4000, 0 };

/* The QEMU layout follows every device rule. */
static void test_lint_clean(void **state)
{
	struct vq_pcicap_lint_in in = { qemu_bars, 0, 1, NULL, 0 };
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct lint l;

	(void)state;
	cfg_qemu(cfg);
	lint_cfg(cfg, &in, &l);
	for (unsigned i = 0; i < l.n; i++)
		fprintf(stderr, "%s: %s\n", l.f[i].code, l.f[i].message);
	assert_int_equal(l.n, 0);
}

/* 4.1.4 Common configuration, Notification, ISR status and PCI
 * configuration access: the device MUST present at least one of each;
 * Device-specific configuration: one for any type that has a config. */
static void test_lint_required(void **state)
{
	static const struct {
		unsigned pos;     /* capability removed from the QEMU list */
		const char *code; /* finding expected */
	} cases[] = {
		{ 0x40, "PCICAP_NO_COMMON" },
		{ 0x70, "PCICAP_NO_NOTIFY" },
		{ 0x50, "PCICAP_NO_ISR" },
		{ 0x84, "PCICAP_NO_PCI_CFG" },
		{ 0x60, "PCICAP_NO_DEVICE" },
	};
	struct vq_pcicap_lint_in in = { NULL, 0, 1, NULL, 0 };
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct lint l;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cfg_qemu(cfg);
		cfg[cases[i].pos + VIRTIO_PCI_CAP_CFG_TYPE] = 0x70; /* reserved: ignored */
		lint_cfg(cfg, &in, &l);
		assert_int_equal(l.n, 1);
		assert_string_equal(l.f[0].code, cases[i].code);
		assert_int_equal(l.f[0].severity, VQ_SEV_ERROR);
	}
	/* A device type without device-specific config needs no device cap. */
	in.needs_device_cfg = 0;
	cfg[0x60 + VIRTIO_PCI_CAP_CFG_TYPE] = 0x70;
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 0);
	in.needs_device_cfg = -1;
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 0);
}

/* No virtio capability at all: a legacy device, said once. */
static void test_lint_legacy(void **state)
{
	struct vq_pcicap_lint_in in = { NULL, 0, 1, NULL, 0 };
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct lint l;

	(void)state;
	cfg_init(cfg, sizeof(cfg), 0x40);
	scap(cfg, 0x40, 0x00, PCI_CAP_ID_MSIX);
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.f[0].code, "PCICAP_NONE");
	assert_int_equal(l.f[0].severity, VQ_SEV_INFO);
}

/* 4.1.4 Common configuration: offset MUST be 4-byte aligned (and a driver
 * MAY check the length is enough to operate). */
static void test_lint_common(void **state)
{
	struct vq_pcicap_lint_in in = { NULL, 0, 1, NULL, 0 };
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct lint l;

	(void)state;
	cfg_qemu(cfg);
	put32(cfg + 0x40 + VIRTIO_PCI_CAP_OFFSET, 2);
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.f[0].code, "PCICAP_ALIGN");
	cfg_qemu(cfg);
	put32(cfg + 0x40 + VIRTIO_PCI_CAP_LENGTH, 0x34);
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.f[0].code, "PCICAP_COMMON_LENGTH");
	assert_int_equal(l.f[0].severity, VQ_SEV_WARNING);
	put32(cfg + 0x40 + VIRTIO_PCI_CAP_LENGTH, 0x38);
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 0);
}

/* 4.1.4 Device-specific configuration: offset MUST be 4-byte aligned. */
static void test_lint_device_align(void **state)
{
	struct vq_pcicap_lint_in in = { NULL, 0, 1, NULL, 0 };
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct lint l;

	(void)state;
	cfg_qemu(cfg);
	put32(cfg + 0x60 + VIRTIO_PCI_CAP_OFFSET, 0x2002);
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.f[0].code, "PCICAP_ALIGN");
	assert_non_null(strstr(l.f[0].message, "device capability at 0x60"));
}

/* 4.1.4 Notification capability without VIRTIO_F_NOTIFICATION_DATA:
 * offset 2-byte aligned, notify_off_multiplier 0 or an even power of 2,
 * length at least 2. */
static void test_lint_notify(void **state)
{
	static const struct {
		uint32_t mult; /* notify_off_multiplier */
		int bad;       /* a finding expected */
	} mults[] = { { 0, 0 }, { 1, 1 }, { 2, 0 }, { 3, 1 }, { 4, 0 }, { 6, 1 }, { 0x1000, 0 },
		      { 0x80000000u, 0 }, { 0xffffffffu, 1 } };
	struct vq_pcicap_lint_in in = { NULL, 0, 1, NULL, 0 };
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct lint l;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(mults); i++) {
		cfg_qemu(cfg);
		put32(cfg + 0x70 + VIRTIO_PCI_NOTIFY_CAP_MULT, mults[i].mult);
		lint_cfg(cfg, &in, &l);
		assert_int_equal(l.n, mults[i].bad);
		if (mults[i].bad)
			assert_string_equal(l.f[0].code, "PCICAP_NOTIFY_MULTIPLIER");
	}
	cfg_qemu(cfg);
	put32(cfg + 0x70 + VIRTIO_PCI_CAP_OFFSET, 0x3001);
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.f[0].code, "PCICAP_ALIGN");
	cfg_qemu(cfg);
	put32(cfg + 0x70 + VIRTIO_PCI_CAP_OFFSET, 0x3002);
	put32(cfg + 0x70 + VIRTIO_PCI_CAP_LENGTH, 2);
	put32(cfg + 0x70 + VIRTIO_PCI_NOTIFY_CAP_MULT, 0);
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 0);
	put32(cfg + 0x70 + VIRTIO_PCI_CAP_LENGTH, 1);
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.f[0].code, "PCICAP_NOTIFY_LENGTH");
}

/* The same with VIRTIO_F_NOTIFICATION_DATA: offset 4-byte aligned,
 * multiplier a power of 2 that is a multiple of 4, length at least 4. */
static void test_lint_notify_data(void **state)
{
	struct vq_pcicap_lint_in in = { NULL, 1, 1, NULL, 0 };
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct lint l;

	(void)state;
	cfg_qemu(cfg);
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 0);
	put32(cfg + 0x70 + VIRTIO_PCI_NOTIFY_CAP_MULT, 2);
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.f[0].code, "PCICAP_NOTIFY_MULTIPLIER");
	cfg_qemu(cfg);
	put32(cfg + 0x70 + VIRTIO_PCI_CAP_OFFSET, 0x3002);
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.f[0].code, "PCICAP_ALIGN");
	cfg_qemu(cfg);
	put32(cfg + 0x70 + VIRTIO_PCI_NOTIFY_CAP_MULT, 0);
	put32(cfg + 0x70 + VIRTIO_PCI_CAP_LENGTH, 3);
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.f[0].code, "PCICAP_NOTIFY_LENGTH");
}

/* 4.1.4 Notification capability: for all queues, cap.length >=
 * queue_notify_off * notify_off_multiplier + 2 (+ 4 with NOTIFICATION_DATA). */
static void test_lint_notify_queues(void **state)
{
	uint16_t offs[3] = { 0, 1, 0x3ff };
	struct vq_pcicap_lint_in in = { NULL, 0, 1, offs, 3 };
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct lint l;

	(void)state;
	cfg_qemu(cfg); /* length 0x1000, multiplier 4: 0x3ff * 4 + 2 = 0xffe fits */
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 0);
	in.notification_data = 1; /* 0xffc + 4 = 0x1000 still fits */
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 0);
	offs[2] = 0x400; /* 0x1000 + 2 does not */
	in.notification_data = 0;
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.f[0].code, "PCICAP_NOTIFY_LENGTH");
	assert_non_null(strstr(l.f[0].message, "queue 2"));
}

/* 4.1.4 ISR status: the capability refers to at least a single byte. */
static void test_lint_isr_length(void **state)
{
	struct vq_pcicap_lint_in in = { NULL, 0, 1, NULL, 0 };
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct lint l;

	(void)state;
	cfg_qemu(cfg);
	put32(cfg + 0x50 + VIRTIO_PCI_CAP_LENGTH, 1);
	put32(cfg + 0x50 + VIRTIO_PCI_CAP_OFFSET, 0x1003); /* no alignment rule */
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 0);
	put32(cfg + 0x50 + VIRTIO_PCI_CAP_LENGTH, 0);
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.f[0].code, "PCICAP_ISR_LENGTH");
}

/* Every structure lies in its BAR (Shared memory: the region MUST be
 * contained in cap.bar); the PCI-cfg window is exempt. */
static void test_lint_outside_bar(void **state)
{
	const uint64_t shm_bars[6] = { 0, 0, 0x400000000ull, 0, 0x4000, 0 };
	struct vq_pcicap_lint_in in = { qemu_bars, 0, 1, NULL, 0 };
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct lint l;

	(void)state;
	cfg_qemu(cfg);
	put32(cfg + 0x60 + VIRTIO_PCI_CAP_OFFSET, 0x3c00); /* 0x3c00 + 0x1000 > 0x4000 */
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.f[0].code, "PCICAP_OUTSIDE_BAR");
	cfg_qemu(cfg);
	cfg[0x50 + VIRTIO_PCI_CAP_BAR] = 3; /* not implemented */
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.f[0].code, "PCICAP_OUTSIDE_BAR");
	assert_non_null(strstr(l.f[0].message, "not implemented"));
	cfg_qemu(cfg);
	cfg[0x84 + VIRTIO_PCI_CAP_BAR] = 3; /* the window: not a region */
	put32(cfg + 0x84 + VIRTIO_PCI_CAP_OFFSET, 0xfffffff0u);
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 0);

	/* 64-bit shared memory: inside a 16 GiB BAR, then one byte over. */
	cfg_qemu(cfg);
	cfg[0x98 + PCI_CAP_LIST_NEXT] = 0xa0;
	vcap(cfg, 0xa0, 0x84, 24, VIRTIO_PCI_CAP_SHARED_MEMORY_CFG, 2, 0, 0);
	put32(cfg + 0xa0 + VQ_PCI_CAP64_OFFSET_HI, 3);
	put32(cfg + 0xa0 + VQ_PCI_CAP64_LENGTH_HI, 1);
	in.bar_size = shm_bars;
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 0);
	put32(cfg + 0xa0 + VIRTIO_PCI_CAP_OFFSET, 1);
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.f[0].code, "PCICAP_OUTSIDE_BAR");
	/* offset + length overflowing 64 bits is outside too. */
	put32(cfg + 0xa0 + VQ_PCI_CAP64_OFFSET_HI, 0xffffffffu);
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 1);
	/* Unknown BAR sizes: nothing to say. */
	in.bar_size = NULL;
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 0);
}

/* 4.1.4 Shared memory capability: cap.id MUST be unique per device. */
static void test_lint_shm_id(void **state)
{
	struct vq_pcicap_lint_in in = { NULL, 0, 1, NULL, 0 };
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct lint l;

	(void)state;
	cfg_qemu(cfg);
	cfg[0x98 + PCI_CAP_LIST_NEXT] = 0xa0;
	vcap(cfg, 0xa0, 0xc0, 24, VIRTIO_PCI_CAP_SHARED_MEMORY_CFG, 2, 0, 0x1000);
	vcap(cfg, 0xc0, 0xe0, 24, VIRTIO_PCI_CAP_SHARED_MEMORY_CFG, 2, 0x1000, 0x1000);
	vcap(cfg, 0xe0, 0x84, 24, VIRTIO_PCI_CAP_SHARED_MEMORY_CFG, 2, 0x2000, 0x1000);
	cfg[0xa0 + VQ_PCI_CAP_ID] = 0;
	cfg[0xc0 + VQ_PCI_CAP_ID] = 1;
	cfg[0xe0 + VQ_PCI_CAP_ID] = 2;
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 0);
	cfg[0xe0 + VQ_PCI_CAP_ID] = 0;
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.f[0].code, "PCICAP_SHM_ID");
	assert_non_null(strstr(l.f[0].message, "0xa0 and 0xe0"));
}

/* 4.1.4 Vendor data capability: vendor_id MUST NOT be 0x1AF4, and the
 * size MUST be a multiple of 4. */
static void test_lint_vendor_data(void **state)
{
	struct vq_pcicap_lint_in in = { qemu_bars, 0, 1, NULL, 0 };
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct lint l;

	(void)state;
	cfg_qemu(cfg);
	cfg[0x98 + PCI_CAP_LIST_NEXT] = 0xb0;
	vcap(cfg, 0xb0, 0x84, 8, VQ_PCI_CAP_VENDOR_CFG, 0, 0, 0);
	cfg[0xb0 + VQ_PCI_VNDR_VENDOR_ID] = 0x86;
	cfg[0xb0 + VQ_PCI_VNDR_VENDOR_ID + 1] = 0x80;
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 0);
	cfg[0xb0 + VQ_PCI_VNDR_VENDOR_ID] = 0xf4;
	cfg[0xb0 + VQ_PCI_VNDR_VENDOR_ID + 1] = 0x1a;
	cfg[0xb0 + VIRTIO_PCI_CAP_LEN] = 10;
	lint_cfg(cfg, &in, &l);
	assert_int_equal(l.n, 2);
	assert_true(has(&l, "PCICAP_VENDOR_ID"));
	assert_true(has(&l, "PCICAP_VENDOR_SIZE"));
}

/* The findings array is never overrun. */
static void test_lint_max(void **state)
{
	struct vq_pcicap_lint_in in = { NULL, 0, 1, NULL, 0 };
	struct vq_pci_cap c[1];
	struct vq_finding f[2];
	uint8_t cfg[VQ_PCI_CFG_SIZE];

	(void)state;
	cfg_init(cfg, sizeof(cfg), 0x40);
	vcap(cfg, 0x40, 0x00, 16, VIRTIO_PCI_CAP_DEVICE_CFG, 0, 2, 0);
	assert_int_equal(vq_pcicap_parse(cfg, sizeof(cfg), c, 1, &(struct vq_pcicap_walk){ 0 }), 1);
	assert_int_equal(vq_pcicap_lint(cfg, sizeof(cfg), c, 1, &in, f, 2), 2);
	assert_int_equal(vq_pcicap_lint(cfg, sizeof(cfg), c, 1, &in, NULL, 0), 0);
}

/* ---- real config space (tests/unit/data/README.md) ---- */

/* Read an `lspci -xxx` dump ("OO: hh hh ..." lines) into @cfg. */
static void load_lspci(const char *name, uint8_t *cfg)
{
	char path[512], line[256];
	const char *slash = strrchr(__FILE__, '/');
	unsigned off, got = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%.*sdata/%s", slash ? (int)(slash - __FILE__ + 1) : 0,
		 __FILE__, name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("open %s (run the tests from the top of the source tree)", path);
	memset(cfg, 0, VQ_PCI_CFG_SIZE);
	while (fgets(line, sizeof(line), f)) {
		char *p = line + 3;

		/* Data lines only, not the "BB:DD.F ..." device line. */
		if (sscanf(line, "%2x:", &off) != 1 || line[2] != ':' || line[3] != ' ' || off % 16 ||
		    off >= VQ_PCI_CFG_SIZE)
			continue;
		for (unsigned i = 0; i < 16; i++) {
			unsigned b;
			int used;

			assert_int_equal(sscanf(p, "%2x%n", &b, &used), 1);
			cfg[off + i] = (uint8_t)b;
			p += used;
		}
		got++;
	}
	fclose(f);
	assert_int_equal(got, 16);
}

/* The expected values are what `lspci -F FILE -vvv` shows. */
static void expect_qemu_modern(const uint8_t *cfg)
{
	static const struct {
		uint8_t pos, type;
		uint64_t offset;
	} want[] = {
		{ 0x84, VIRTIO_PCI_CAP_PCI_CFG, 0 },       { 0x70, VIRTIO_PCI_CAP_NOTIFY_CFG, 0x3000 },
		{ 0x60, VIRTIO_PCI_CAP_DEVICE_CFG, 0x2000 }, { 0x50, VIRTIO_PCI_CAP_ISR_CFG, 0x1000 },
		{ 0x40, VIRTIO_PCI_CAP_COMMON_CFG, 0 },
	};
	struct vq_pcicap_lint_in in = { qemu_bars, 0, 1, NULL, 0 };
	struct vq_pci_cap c[VQ_PCI_CAPS_MAX];
	struct vq_pcicap_walk w;
	struct vq_finding f[4];

	assert_int_equal(vq_pcicap_parse(cfg, VQ_PCI_CFG_SIZE, c, VQ_PCI_CAPS_MAX, &w), 5);
	assert_int_equal(w.visited, 6);
	assert_int_equal(w.ignored, 0);
	assert_int_equal(w.msix_pos, 0x98);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		assert_int_equal(c[i].pos, want[i].pos);
		assert_int_equal(c[i].cfg_type, want[i].type);
		assert_int_equal(c[i].offset, want[i].offset);
		assert_int_equal(c[i].bar, want[i].type == VIRTIO_PCI_CAP_PCI_CFG ? 0 : 4);
		assert_int_equal(c[i].length, want[i].type == VIRTIO_PCI_CAP_PCI_CFG ? 0 : 0x1000);
	}
	assert_int_equal(c[1].notify_off_multiplier, 4);
	assert_int_equal(vq_pcicap_lint(cfg, VQ_PCI_CFG_SIZE, c, 5, &in, f, 4), 0);
}

static void test_qemu_blk_modern(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];

	(void)state;
	load_lspci("qemu72-blk-modern.lspci", cfg);
	assert_int_equal(cfg[PCI_DEVICE_ID] | cfg[PCI_DEVICE_ID + 1] << 8, 0x1042);
	expect_qemu_modern(cfg);
	assert_int_equal(vq_pci_msix_enabled(cfg, sizeof(cfg)), 0);
}

static void test_qemu_net_transitional(void **state)
{
	uint8_t cfg[VQ_PCI_CFG_SIZE];

	(void)state;
	load_lspci("qemu72-net-transitional-bound.lspci", cfg);
	assert_int_equal(cfg[PCI_DEVICE_ID] | cfg[PCI_DEVICE_ID + 1] << 8, 0x1000);
	/* Transitional: the virtio device ID is the Subsystem Device ID. */
	assert_int_equal(cfg[PCI_SUBSYSTEM_ID] | cfg[PCI_SUBSYSTEM_ID + 1] << 8, 1);
	expect_qemu_modern(cfg);
	assert_int_equal(vq_pci_msix_enabled(cfg, sizeof(cfg)), 1);
}

static void test_qemu_rng_legacy(void **state)
{
	struct vq_pcicap_lint_in in = { NULL, 0, 0, NULL, 0 };
	uint8_t cfg[VQ_PCI_CFG_SIZE];
	struct vq_pci_cap c[4];
	struct vq_pcicap_walk w;
	struct vq_finding f[2];

	(void)state;
	load_lspci("qemu72-rng-legacy.lspci", cfg);
	assert_int_equal(vq_pcicap_parse(cfg, sizeof(cfg), c, 4, &w), 0);
	assert_int_equal(w.visited, 1);
	assert_int_equal(w.msix_pos, 0x40);
	assert_int_equal(vq_pci_msix_enabled(cfg, sizeof(cfg)), 0);
	assert_int_equal(vq_pcicap_lint(cfg, sizeof(cfg), c, 0, &in, f, 2), 1);
	assert_string_equal(f[0].code, "PCICAP_NONE");
	load_lspci("qemu72-rng-legacy-bound.lspci", cfg);
	assert_int_equal(vq_pcicap_parse(cfg, sizeof(cfg), c, 4, &w), 0);
	assert_int_equal(vq_pci_msix_enabled(cfg, sizeof(cfg)), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_qemu_layout),
		cmocka_unit_test(test_only_vendor_caps),
		cmocka_unit_test(test_no_capability_list),
		cmocka_unit_test(test_pointer_low_bits),
		cmocka_unit_test(test_loop),
		cmocka_unit_test(test_pointer_outside),
		cmocka_unit_test(test_all_ones),
		cmocka_unit_test(test_config_sizes),
		cmocka_unit_test(test_reserved_cfg_type),
		cmocka_unit_test(test_reserved_bar),
		cmocka_unit_test(test_cap_len_larger),
		cmocka_unit_test(test_cap_len_too_small),
		cmocka_unit_test(test_cap_len_past_end),
		cmocka_unit_test(test_shared_memory_cap64),
		cmocka_unit_test(test_notify_multiplier),
		cmocka_unit_test(test_first_of_type),
		cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_vendor_data_cap),
		cmocka_unit_test(test_pci_cfg_cap),
		cmocka_unit_test(test_msix_enabled),
		cmocka_unit_test(test_cardbus_pointer),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_lint_clean),
		cmocka_unit_test(test_lint_required),
		cmocka_unit_test(test_lint_legacy),
		cmocka_unit_test(test_lint_common),
		cmocka_unit_test(test_lint_device_align),
		cmocka_unit_test(test_lint_notify),
		cmocka_unit_test(test_lint_notify_data),
		cmocka_unit_test(test_lint_notify_queues),
		cmocka_unit_test(test_lint_isr_length),
		cmocka_unit_test(test_lint_outside_bar),
		cmocka_unit_test(test_lint_shm_id),
		cmocka_unit_test(test_lint_vendor_data),
		cmocka_unit_test(test_lint_max),
		cmocka_unit_test(test_qemu_blk_modern),
		cmocka_unit_test(test_qemu_net_transitional),
		cmocka_unit_test(test_qemu_rng_legacy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
