/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the virtio-mmio decoder, one case per rule of virtio 1.3 sections 4.2.2 and 4.2.4, and real QEMU 7.2 snapshots. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>

#include "decode/mmio.h"
#include "decode/ring.h"

/* ---- 4.2.2.2: MagicValue, Version, DeviceID ---- */

/* "The driver MUST ignore a device with MagicValue which is not
 * 0x74726976, although it MAY report an error." */
static void test_magic_must_match(void **state)
{
	char why[160] = "";

	(void)state;
	assert_int_equal(vq_mmio_identify(0x74726976, 2, 2, why, sizeof(why)), VQ_MMIO_DEVICE);
	assert_int_equal(vq_mmio_identify(0x76697274, 2, 2, why, sizeof(why)), -ENODEV);
	assert_non_null(strstr(why, "MagicValue is 0x76697274"));
	/* An unbacked address reads all ones, a RAM or reserved hole zero;
	 * the reason says which. */
	assert_int_equal(vq_mmio_identify(0xffffffff, 0xffffffff, 0xffffffff, why, sizeof(why)),
			 -ENODEV);
	assert_non_null(strstr(why, "nothing answers"));
	assert_int_equal(vq_mmio_identify(0, 0, 0, why, sizeof(why)), -ENODEV);
	assert_non_null(strstr(why, "reads as zero"));
}

/* "The driver MUST ignore a device with Version which is not 0x2" --
 * except for the legacy interface, which "presents Version 0x1" (4.2.4). */
static void test_version(void **state)
{
	char why[160] = "";

	(void)state;
	assert_int_equal(vq_mmio_identify(VQ_MMIO_MAGIC, 2, 1, why, sizeof(why)), VQ_MMIO_DEVICE);
	assert_int_equal(vq_mmio_identify(VQ_MMIO_MAGIC, 1, 1, why, sizeof(why)), VQ_MMIO_DEVICE);
	assert_int_equal(vq_mmio_identify(VQ_MMIO_MAGIC, 0, 1, why, sizeof(why)),
			 -EPROTONOSUPPORT);
	assert_non_null(strstr(why, "Version is 0"));
	assert_int_equal(vq_mmio_identify(VQ_MMIO_MAGIC, 3, 1, why, sizeof(why)),
			 -EPROTONOSUPPORT);
}

/* "The driver MUST ignore a device with DeviceID 0x0, but MUST NOT report
 * any error." */
static void test_device_id_zero_is_no_error(void **state)
{
	char why[32] = "untouched";

	(void)state;
	assert_int_equal(vq_mmio_identify(VQ_MMIO_MAGIC, 2, 0, why, sizeof(why)), VQ_MMIO_EMPTY);
	assert_int_equal(vq_mmio_identify(VQ_MMIO_MAGIC, 1, 0, why, sizeof(why)), VQ_MMIO_EMPTY);
	assert_string_equal(why, "untouched");
	/* The magic is checked first: a bad window is never "empty". */
	assert_int_equal(vq_mmio_identify(0, 2, 0, why, sizeof(why)), -ENODEV);
}

/* ---- 4.2.2 register table: directions and layouts ---- */

/* "The driver MUST NOT access memory locations not described in the
 * table ... MUST NOT read from the write-only registers (direction W)." */
static void test_write_only_registers_are_not_readable(void **state)
{
	static const unsigned wo_v2[] = {
		VIRTIO_MMIO_DEVICE_FEATURES_SEL, VIRTIO_MMIO_DRIVER_FEATURES,
		VIRTIO_MMIO_DRIVER_FEATURES_SEL, VIRTIO_MMIO_QUEUE_SEL,
		VIRTIO_MMIO_QUEUE_NUM, VIRTIO_MMIO_QUEUE_NOTIFY,
		VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_QUEUE_DESC_LOW,
		VIRTIO_MMIO_QUEUE_DESC_HIGH, VIRTIO_MMIO_QUEUE_AVAIL_LOW,
		VIRTIO_MMIO_QUEUE_AVAIL_HIGH, VIRTIO_MMIO_QUEUE_USED_LOW,
		VIRTIO_MMIO_QUEUE_USED_HIGH, VIRTIO_MMIO_SHM_SEL,
	};
	static const unsigned ro_v2[] = {
		VIRTIO_MMIO_MAGIC_VALUE, VIRTIO_MMIO_VERSION, VIRTIO_MMIO_DEVICE_ID,
		VIRTIO_MMIO_VENDOR_ID, VIRTIO_MMIO_DEVICE_FEATURES, VIRTIO_MMIO_QUEUE_NUM_MAX,
		VIRTIO_MMIO_QUEUE_READY, VIRTIO_MMIO_INTERRUPT_STATUS, VIRTIO_MMIO_STATUS,
		VIRTIO_MMIO_SHM_LEN_LOW, VIRTIO_MMIO_SHM_LEN_HIGH, VIRTIO_MMIO_SHM_BASE_LOW,
		VIRTIO_MMIO_SHM_BASE_HIGH, VQ_MMIO_QUEUE_RESET, VIRTIO_MMIO_CONFIG_GENERATION,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(wo_v2) / sizeof(wo_v2[0]); i++) {
		assert_non_null(vq_mmio_reg_at(wo_v2[i], 2));
		assert_int_equal(vq_mmio_reg_at(wo_v2[i], 2)->dir, VQ_MMIO_W);
		assert_false(vq_mmio_may_read(wo_v2[i], 2));
	}
	for (i = 0; i < sizeof(ro_v2) / sizeof(ro_v2[0]); i++)
		assert_true(vq_mmio_may_read(ro_v2[i], 2));
	/* Holes in the map are not registers at all. */
	assert_null(vq_mmio_reg_at(0x018, 2));
	assert_null(vq_mmio_reg_at(0x048, 2));
	assert_null(vq_mmio_reg_at(0x0f8, 2));
	assert_null(vq_mmio_reg_at(0x010, 3));
}

/* 4.2.4: the legacy layout has GuestPageSize, QueueAlign (write-only)
 * and QueuePFN (read-write) instead of QueueReady, the 64-bit queue
 * addresses, the shared memory registers and ConfigGeneration. */
static void test_legacy_register_layout(void **state)
{
	(void)state;
	assert_string_equal(vq_mmio_reg_at(VIRTIO_MMIO_GUEST_PAGE_SIZE, 1)->name, "GuestPageSize");
	assert_false(vq_mmio_may_read(VIRTIO_MMIO_GUEST_PAGE_SIZE, 1));
	assert_false(vq_mmio_may_read(VIRTIO_MMIO_QUEUE_ALIGN, 1));
	assert_int_equal(vq_mmio_reg_at(VIRTIO_MMIO_QUEUE_PFN, 1)->dir, VQ_MMIO_RW);
	assert_int_equal(vq_mmio_reg_at(VIRTIO_MMIO_QUEUE_PFN, 1)->sel, VQ_MMIO_SEL_QUEUE);
	assert_null(vq_mmio_reg_at(VIRTIO_MMIO_QUEUE_READY, 1));
	assert_null(vq_mmio_reg_at(VIRTIO_MMIO_QUEUE_DESC_LOW, 1));
	assert_null(vq_mmio_reg_at(VIRTIO_MMIO_CONFIG_GENERATION, 1));
	assert_null(vq_mmio_reg_at(VIRTIO_MMIO_SHM_LEN_LOW, 1));
	/* ... and version 2 has none of the legacy ones. */
	assert_null(vq_mmio_reg_at(VIRTIO_MMIO_GUEST_PAGE_SIZE, 2));
	assert_null(vq_mmio_reg_at(VIRTIO_MMIO_QUEUE_ALIGN, 2));
	assert_null(vq_mmio_reg_at(VIRTIO_MMIO_QUEUE_PFN, 2));
	/* Same offset, the legacy name. */
	assert_string_equal(vq_mmio_reg_at(VIRTIO_MMIO_DEVICE_FEATURES, 1)->name, "HostFeatures");
	assert_string_equal(vq_mmio_reg_at(VIRTIO_MMIO_DEVICE_FEATURES, 2)->name, "DeviceFeatures");
}

/* The table is data for `regs`: sorted, every register 32-bit aligned,
 * below the configuration space. */
static void test_register_table_shape(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < vq_mmio_nregs; i++) {
		assert_true(vq_mmio_regs[i].off % 4 == 0);
		assert_true(vq_mmio_regs[i].off < VQ_MMIO_HDR_LEN);
		assert_true(vq_mmio_regs[i].versions & (VQ_MMIO_V1 | VQ_MMIO_V2));
		assert_non_null(vq_mmio_regs[i].name);
		if (i)
			assert_true(vq_mmio_regs[i - 1].off <= vq_mmio_regs[i].off);
	}
}

/* ---- features ---- */

/* DeviceFeatures "returns 32 consecutive flag bits, the least significant
 * bit depending on the last value written to DeviceFeaturesSel": word N
 * is bits 32N..32N+31. */
static void test_features_by_selector(void **state)
{
	const uint32_t raw[4] = { 0x30006e54, 0x00000005, 0x00000001, 0x80000000 };
	uint32_t f[4];

	(void)state;
	assert_int_equal(vq_mmio_device_features(raw, f), 0);
	assert_memory_equal(f, raw, sizeof(f));
	assert_true(f[1] & (1u << (VIRTIO_F_VERSION_1 - 32)));
	assert_true(f[1] & (1u << (VIRTIO_F_RING_PACKED - 32)));
	assert_true(f[3] >> 31);
}

/* QEMU 7.2 answers DeviceFeaturesSel 2 and 3 with word 1: bits 64 and 96
 * would look offered.  The copies are dropped and flagged. */
static void test_features_selector_clamped(void **state)
{
	const uint32_t raw[4] = { 0x30006e54, 0x00000101, 0x00000101, 0x00000101 };
	const uint32_t want[4] = { 0x30006e54, 0x00000101, 0, 0 };
	uint32_t f[4];

	(void)state;
	assert_int_equal(vq_mmio_device_features(raw, f), VQ_MMIO_QUIRK_FSEL_CLAMPED);
	assert_memory_equal(f, want, sizeof(f));
}

/* A device that ignores the selector altogether repeats word 0. */
static void test_features_selector_ignored(void **state)
{
	const uint32_t raw[4] = { 0x31006ed4, 0x31006ed4, 0x31006ed4, 0x31006ed4 };
	const uint32_t want[4] = { 0x31006ed4, 0, 0, 0 };
	uint32_t f[4];

	(void)state;
	assert_int_equal(vq_mmio_device_features(raw, f), VQ_MMIO_QUIRK_FSEL_IGNORED);
	assert_memory_equal(f, want, sizeof(f));
}

/* Zero words are not copies; legacy QEMU answers every selector but 0
 * with 0, which is simply "nothing offered there". */
static void test_features_zero_words(void **state)
{
	const uint32_t raw[4] = { 0x39000012, 0, 0, 0 };
	const uint32_t none[4] = { 0, 0, 0, 0 };
	uint32_t f[4];

	(void)state;
	assert_int_equal(vq_mmio_device_features(raw, f), 0);
	assert_memory_equal(f, raw, sizeof(f));
	assert_int_equal(vq_mmio_device_features(none, f), 0);
	assert_memory_equal(f, none, sizeof(f));
}

/* 3.1.1 / 2.2: features are agreed when the driver sets FEATURES_OK;
 * before that, what is negotiated is nothing. */
static void test_driver_features_zero_before_features_ok(void **state)
{
	(void)state;
	assert_true(vq_mmio_driver_features_zero(2, 0));
	assert_true(vq_mmio_driver_features_zero(2, VIRTIO_CONFIG_S_ACKNOWLEDGE));
	assert_true(vq_mmio_driver_features_zero(2, VIRTIO_CONFIG_S_ACKNOWLEDGE |
							    VIRTIO_CONFIG_S_DRIVER));
	assert_false(vq_mmio_driver_features_zero(2, 0x0b));
	assert_false(vq_mmio_driver_features_zero(2, 0x0f));
}

/* 4.2.4 / 3.1.2 legacy: no FEATURES_OK; the driver writes GuestFeatures
 * after DRIVER, so only a status without DRIVER proves "none". */
static void test_driver_features_zero_legacy(void **state)
{
	(void)state;
	assert_true(vq_mmio_driver_features_zero(1, 0));
	assert_true(vq_mmio_driver_features_zero(1, VIRTIO_CONFIG_S_ACKNOWLEDGE));
	assert_false(vq_mmio_driver_features_zero(1, 0x03));
	assert_false(vq_mmio_driver_features_zero(1, 0x07));
}

/* ---- queues ---- */

/* 4.2.2 QueueNumMax: "Reading from the register returns the maximum size
 * ... or zero (0x0) if the queue is not available." */
static void test_queue_not_available(void **state)
{
	struct vq_mmio_queue_regs r = { 0 };
	struct vq_mmio_queue q;

	(void)state;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), 0);
	assert_int_equal(q.max_size, 0);
	assert_int_equal(q.size, 0);
	assert_false(q.enabled);
	assert_null(q.problem);
	/* A queue that does not exist cannot be in use. */
	r.ready = 1;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), -EINVAL);
	assert_non_null(strstr(q.problem, "QueueReady"));
	r.ready = 0;
	r.pfn = 0x1234;
	assert_int_equal(vq_mmio_decode_queue(1, &r, 0, &q), -EINVAL);
	assert_non_null(strstr(q.problem, "QueuePFN"));
}

/* 2.7 / 2.8: Queue Size is at most 32768. */
static void test_queue_num_max_too_large(void **state)
{
	struct vq_mmio_queue_regs r = { .num_max = 65536, .ready = 1 };
	struct vq_mmio_queue q;

	(void)state;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), -EINVAL);
	assert_non_null(strstr(q.problem, "32768"));
	assert_int_equal(q.size, 0);
	r.num_max = 32768;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), 0);
	assert_int_equal(q.size, 32768);
}

/* 4.2.2 QueueReady: "Writing one (0x1) to this register notifies the
 * device that it can execute requests from this virtual queue. Reading
 * from this register returns the last value written to it."  The ring
 * addresses are write-only: without them, a live version 2 queue has an
 * assumed size (Linux's vm_setup_vq asks for QueueNumMax) and no
 * addresses. */
static void test_queue_ready_v2(void **state)
{
	struct vq_mmio_queue_regs r = { .num_max = 1024, .ready = 1 };
	struct vq_mmio_queue q;

	(void)state;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), 0);
	assert_true(q.enabled);
	assert_int_equal(q.max_size, 1024);
	assert_int_equal(q.size, 1024);
	assert_int_equal(q.size_how, VQ_MMIO_SIZE_MAX);
	assert_int_equal(q.addr_how, VQ_MMIO_ADDR_UNKNOWN);
	assert_int_equal(q.desc, 0);
	/* Not ready: nothing is in use, so no size is assumed. */
	r.ready = 0;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), 0);
	assert_false(q.enabled);
	assert_int_equal(q.size, 0);
	assert_int_equal(q.size_how, VQ_MMIO_SIZE_UNKNOWN);
	/* A split ring must be a power of 2: Linux would not have used a
	 * QueueNumMax of 1000 as it stands. */
	r.ready = 1;
	r.num_max = 1000;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), 0);
	assert_int_equal(q.size, 0);
	/* A packed ring may have any size. */
	assert_int_equal(vq_mmio_decode_queue(2, &r, VQ_MMIO_QF_PACKED, &q), 0);
	assert_int_equal(q.size, 1000);
}

/* 4.2.2: QueueDescLow/High etc. are "64 bit" addresses written as two
 * 32-bit halves; a snapshot that has them is assembled exactly. */
static void test_queue_address_assembly_v2(void **state)
{
	struct vq_mmio_queue_regs r = {
		.num_max = 1024, .ready = 1, .wo_valid = 1,
		.desc_lo = 0x00340000, .desc_hi = 0x00000001,
		.driver_lo = 0x00344000, .driver_hi = 0x00000001,
		.device_lo = 0x00345000, .device_hi = 0x00000001,
	};
	struct vq_mmio_queue q;

	(void)state;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), 0);
	assert_int_equal(q.addr_how, VQ_MMIO_ADDR_WRITTEN);
	assert_int_equal(q.desc, 0x100340000ull);
	assert_int_equal(q.avail, 0x100344000ull);
	assert_int_equal(q.used, 0x100345000ull);
	/* (avail - desc) / 16 = 1024: the size the layout implies. */
	assert_int_equal(q.size, 1024);
	assert_int_equal(q.size_how, VQ_MMIO_SIZE_RINGS);
	/* The high word alone is an address too. */
	r.desc_lo = r.driver_lo = r.device_lo = 0;
	r.driver_hi = 2;
	r.device_hi = 3;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), 0);
	assert_int_equal(q.desc, 0x100000000ull);
	assert_int_equal(q.avail, 0x200000000ull);
	assert_int_equal(q.used, 0x300000000ull);
	/* A gap that is no table of a power-of-2 size says nothing. */
	assert_int_equal(q.size_how, VQ_MMIO_SIZE_MAX);
}

/* What QEMU 7.2 answers for the write-only registers (all 0) gives no
 * addresses and no size. */
static void test_queue_write_only_zero(void **state)
{
	struct vq_mmio_queue_regs r = { .num_max = 1024, .ready = 1, .wo_valid = 1 };
	struct vq_mmio_queue q;

	(void)state;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), 0);
	assert_int_equal(q.addr_how, VQ_MMIO_ADDR_UNKNOWN);
	assert_int_equal(q.size_how, VQ_MMIO_SIZE_MAX);
}

/* 2.7: "The descriptor table 16, available ring 2, used ring 4" byte
 * alignment; 2.8 packed: descriptor ring 16, event suppression 4. */
static void test_queue_address_alignment(void **state)
{
	struct vq_mmio_queue_regs r = {
		.num_max = 256, .ready = 1, .wo_valid = 1,
		.desc_lo = 0x10008, .driver_lo = 0x11000, .device_lo = 0x12000,
	};
	struct vq_mmio_queue q;

	(void)state;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), -EINVAL);
	assert_non_null(strstr(q.problem, "QueueDesc"));
	r.desc_lo = 0x10000;
	r.driver_lo = 0x11001;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), -EINVAL);
	assert_non_null(strstr(q.problem, "2-byte"));
	r.driver_lo = 0x11002;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), 0);
	assert_int_equal(vq_mmio_decode_queue(2, &r, VQ_MMIO_QF_PACKED, &q), -EINVAL);
	assert_non_null(strstr(q.problem, "4-byte"));
	r.driver_lo = 0x11000;
	r.device_lo = 0x12002;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), -EINVAL);
	assert_non_null(strstr(q.problem, "QueueDevice"));
}

/* The size is only read off the layout when the layout is one: avail
 * right after a power-of-2 table no larger than QueueNumMax, used after
 * the whole avail ring. */
static void test_queue_size_from_rings_only_when_consistent(void **state)
{
	struct vq_mmio_queue_regs r = {
		.num_max = 256, .ready = 1, .wo_valid = 1,
		.desc_lo = 0x10000, .driver_lo = 0x11000, .device_lo = 0x12000,
	};
	struct vq_mmio_queue q;

	(void)state;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), 0);
	assert_int_equal(q.size, 256);
	assert_int_equal(q.size_how, VQ_MMIO_SIZE_RINGS);
	/* 0x1800 / 16 = 384: not a power of 2. */
	r.driver_lo = 0x11800;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), 0);
	assert_int_equal(q.size_how, VQ_MMIO_SIZE_MAX);
	/* 512 entries, but QueueNumMax is 256. */
	r.driver_lo = 0x12000;
	r.device_lo = 0x13000;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), 0);
	assert_int_equal(q.size_how, VQ_MMIO_SIZE_MAX);
	/* Used ring inside the avail ring (4 + 2 * 256 bytes). */
	r.driver_lo = 0x11000;
	r.device_lo = 0x11100;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), 0);
	assert_int_equal(q.size_how, VQ_MMIO_SIZE_MAX);
	/* Packed rings have no such layout. */
	r.device_lo = 0x12000;
	assert_int_equal(vq_mmio_decode_queue(2, &r, VQ_MMIO_QF_PACKED, &q), 0);
	assert_int_equal(q.size_how, VQ_MMIO_SIZE_MAX);
}

/* 4.2.2.2: "The driver MUST write a value to QueueNum which is less than
 * or equal to the value presented by the device in QueueNumMax." */
static void test_queue_num_within_max(void **state)
{
	struct vq_mmio_queue_regs r = { .num_max = 256, .ready = 1, .wo_valid = 1, .num = 128 };
	struct vq_mmio_queue q;

	(void)state;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), 0);
	assert_int_equal(q.size, 128);
	assert_int_equal(q.size_how, VQ_MMIO_SIZE_WRITTEN);
	r.num = 512;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), -EINVAL);
	assert_non_null(strstr(q.problem, "exceeds QueueNumMax"));
	/* 2.7: a split Queue Size is a power of 2; packed is not bound. */
	r.num = 100;
	assert_int_equal(vq_mmio_decode_queue(2, &r, 0, &q), -EINVAL);
	assert_non_null(strstr(q.problem, "power of 2"));
	assert_int_equal(vq_mmio_decode_queue(2, &r, VQ_MMIO_QF_PACKED, &q), 0);
	assert_int_equal(q.size, 100);
}

/* 4.2.4 QueuePFN: "Guest physical page number of the virtual queue ...
 * a value other than zero (0x0) means that the queue is in use"; the
 * address is QueuePFN * GuestPageSize, and the used ring is aligned to
 * QueueAlign (both 4096 as Linux writes them). */
static void test_legacy_pfn_layout(void **state)
{
	struct vq_mmio_queue_regs r = { .num_max = 1024, .pfn = 0x2a90 };
	struct vq_mmio_queue q;

	(void)state;
	assert_int_equal(vq_mmio_decode_queue(1, &r, 0, &q), 0);
	assert_true(q.enabled);
	assert_int_equal(q.addr_how, VQ_MMIO_ADDR_PFN);
	assert_int_equal(q.size, 1024);
	assert_int_equal(q.size_how, VQ_MMIO_SIZE_MAX);
	/* The values QMP gave for this queue (tests/unit/data). */
	assert_int_equal(q.desc, 0x2a90000);
	assert_int_equal(q.avail, 0x2a94000);
	assert_int_equal(q.used, 0x2a95000);
}

/* 2.7.2 legacy layout: used ring at ALIGN(desc + 16n + 6 + 2n, QueueAlign). */
static void test_legacy_queue_align(void **state)
{
	struct vq_mmio_queue_regs r = { .num_max = 128, .pfn = 0x10 };
	struct vq_mmio_queue q;

	(void)state;
	assert_int_equal(vq_mmio_decode_queue(1, &r, 0, &q), 0);
	assert_int_equal(q.desc, 0x10000);
	assert_int_equal(q.avail, 0x10800);
	/* 0x10800 + 6 + 256 = 0x10906, rounded up to 4096. */
	assert_int_equal(q.used, 0x11000);
	/* One page of descriptors for 256 entries: avail on the next page,
	 * used a page later. */
	r.num_max = 256;
	assert_int_equal(vq_mmio_decode_queue(1, &r, 0, &q), 0);
	assert_int_equal(q.avail, 0x11000);
	assert_int_equal(q.used, 0x12000);
}

/* QueuePFN is 32 bits of page number: 44-bit addresses without overflow. */
static void test_legacy_pfn_high(void **state)
{
	struct vq_mmio_queue_regs r = { .num_max = 16, .pfn = 0xffffffff };
	struct vq_mmio_queue q;

	(void)state;
	assert_int_equal(vq_mmio_decode_queue(1, &r, 0, &q), 0);
	assert_int_equal(q.desc, 0xffffffff000ull);
	assert_int_equal(q.avail, 0xffffffff100ull);
	assert_int_equal(q.used, 0x100000000000ull);
}

/* 4.2.4: "When the driver stops using the queue it writes zero (0x0) to
 * this register": PFN 0 is a queue not in use. */
static void test_legacy_pfn_zero_not_in_use(void **state)
{
	struct vq_mmio_queue_regs r = { .num_max = 256 };
	struct vq_mmio_queue q;

	(void)state;
	assert_int_equal(vq_mmio_decode_queue(1, &r, 0, &q), 0);
	assert_false(q.enabled);
	assert_int_equal(q.size, 0);
	assert_int_equal(q.addr_how, VQ_MMIO_ADDR_UNKNOWN);
	assert_int_equal(q.desc, 0);
}

/* Legacy has neither QueueReady nor the 64-bit address registers: values
 * in those fields are ignored; a QueueNum the driver wrote is used. */
static void test_legacy_ignores_v2_registers(void **state)
{
	struct vq_mmio_queue_regs r = {
		.num_max = 256, .pfn = 0x20, .ready = 0, .wo_valid = 1, .num = 64,
		.desc_lo = 0x99990, .driver_lo = 0x99a90,
	};
	struct vq_mmio_queue q;

	(void)state;
	assert_int_equal(vq_mmio_decode_queue(1, &r, 0, &q), 0);
	assert_true(q.enabled);
	assert_int_equal(q.addr_how, VQ_MMIO_ADDR_PFN);
	assert_int_equal(q.desc, 0x20000);
	assert_int_equal(q.size, 64);
	assert_int_equal(q.size_how, VQ_MMIO_SIZE_WRITTEN);
	assert_int_equal(q.avail, 0x20400);
	assert_int_equal(q.used, 0x21000);
	/* A legacy QueueNumMax that is no power of 2: the size is unknown,
	 * so is the layout after the table. */
	r.wo_valid = 0;
	r.num_max = 300;
	assert_int_equal(vq_mmio_decode_queue(1, &r, 0, &q), 0);
	assert_int_equal(q.size, 0);
	assert_int_equal(q.desc, 0x20000);
	assert_int_equal(q.avail, 0);
}

static void test_queue_unknown_version(void **state)
{
	struct vq_mmio_queue_regs r = { .num_max = 256, .ready = 1 };
	struct vq_mmio_queue q;

	(void)state;
	assert_int_equal(vq_mmio_decode_queue(3, &r, 0, &q), -EINVAL);
	assert_non_null(q.problem);
}

/* ---- discovery ---- */

static void test_name_match(void **state)
{
	(void)state;
	assert_true(vq_mmio_name_match("LNRO0005:00"));
	assert_true(vq_mmio_name_match("LNRO0005:17\n"));
	/* The nested entry a bound driver adds. */
	assert_true(vq_mmio_name_match("LNRO0005:00 LNRO0005:00"));
	assert_true(vq_mmio_name_match("virtio-mmio"));
	assert_true(vq_mmio_name_match("virtio-mmio.0"));
	assert_true(vq_mmio_name_match("a003e00.virtio_mmio"));
	assert_true(vq_mmio_name_match("10001000.virtio_mmio"));
	assert_false(vq_mmio_name_match("LNRO0005:"));
	assert_false(vq_mmio_name_match("LNRO0006:00"));
	assert_false(vq_mmio_name_match("virtio-mmiox"));
	assert_false(vq_mmio_name_match("virtio-mmio."));
	assert_false(vq_mmio_name_match(".virtio_mmio"));
	assert_false(vq_mmio_name_match("PNP0C0C:00"));
	assert_false(vq_mmio_name_match("System RAM"));
	assert_false(vq_mmio_name_match(""));
}

static void test_iomem_line(void **state)
{
	uint64_t s, e;
	unsigned depth;
	const char *name;
	size_t nl;

	(void)state;
	assert_true(vq_mmio_iomem_line("feb02e00-feb02fff : LNRO0005:00\n", &s, &e, &depth, &name,
				       &nl));
	assert_int_equal(s, 0xfeb02e00);
	assert_int_equal(e, 0xfeb02fff);
	assert_int_equal(depth, 0);
	assert_int_equal(nl, 11);
	assert_memory_equal(name, "LNRO0005:00", 11);
	assert_true(vq_mmio_iomem_line("  feb02e00-feb02fff : LNRO0005:00 LNRO0005:00", &s, &e,
				       &depth, &name, &nl));
	assert_int_equal(depth, 1);
	assert_int_equal(nl, 23);
	/* 64-bit addresses, and what a user who is not root sees. */
	assert_true(vq_mmio_iomem_line("    4000000000-40000001ff : a0000000.virtio_mmio", &s, &e,
				       &depth, &name, &nl));
	assert_int_equal(s, 0x4000000000ull);
	assert_int_equal(depth, 2);
	assert_true(vq_mmio_iomem_line("00000000-00000000 : LNRO0005:00", &s, &e, &depth, &name,
				       &nl));
	assert_int_equal(e, 0);
	/* Not the shape of an iomem line. */
	assert_false(vq_mmio_iomem_line("feb02e00 : x", &s, &e, &depth, &name, &nl));
	assert_false(vq_mmio_iomem_line("feb02e00-feb02fff: x", &s, &e, &depth, &name, &nl));
	assert_false(vq_mmio_iomem_line("feb02e00-feb02fff : ", &s, &e, &depth, &name, &nl));
	assert_false(vq_mmio_iomem_line("feb02fff-feb02e00 : x", &s, &e, &depth, &name, &nl));
	assert_false(vq_mmio_iomem_line("11112222333344445-1 : x", &s, &e, &depth, &name, &nl));
	assert_false(vq_mmio_iomem_line("", &s, &e, &depth, &name, &nl));
}

static void test_platform_addr(void **state)
{
	uint64_t a;

	(void)state;
	assert_int_equal(vq_mmio_platform_addr("a003e00.virtio_mmio", &a), 0);
	assert_int_equal(a, 0xa003e00);
	assert_int_equal(vq_mmio_platform_addr("LNRO0005:00", &a), -EINVAL);
	assert_int_equal(vq_mmio_platform_addr("virtio-mmio.0", &a), -EINVAL);
	assert_int_equal(vq_mmio_platform_addr("a003e00.", &a), -EINVAL);
	assert_int_equal(vq_mmio_platform_addr(".virtio_mmio", &a), -EINVAL);
}

static void test_dt_compatible(void **state)
{
	static const uint8_t one[] = "virtio,mmio";
	static const uint8_t list[] = "vendor,thing\0virtio,mmio";
	static const uint8_t other[] = "virtio,mmio2\0arm,pl011";
	static const uint8_t unterminated[] = { 'v', 'i', 'r', 't', 'i', 'o', ',', 'm', 'm', 'i', 'o' };

	(void)state;
	assert_true(vq_mmio_dt_compatible(one, sizeof(one)));
	assert_true(vq_mmio_dt_compatible(list, sizeof(list)));
	assert_false(vq_mmio_dt_compatible(other, sizeof(other)));
	assert_true(vq_mmio_dt_compatible(unterminated, sizeof(unterminated)));
	assert_false(vq_mmio_dt_compatible(unterminated, 6));
	assert_false(vq_mmio_dt_compatible(one, 0));
}

/* Device-tree cells are big-endian; #address-cells/#size-cells of the
 * parent say how many. */
static void test_dt_reg(void **state)
{
	/* QEMU arm virt: <0x0 0xa003e00 0x0 0x200> under 2/2 cells. */
	static const uint8_t r22[] = { 0, 0, 0, 0, 0x0a, 0x00, 0x3e, 0x00, 0, 0, 0, 0, 0, 0, 2, 0 };
	/* riscv virt style: 2 address cells, 2 size cells, high word set. */
	static const uint8_t r22h[] = { 0, 0, 0, 1, 0x10, 0x00, 0x10, 0x00, 0, 0, 0, 0, 0, 0, 0x10, 0 };
	static const uint8_t r11[] = { 0xfe, 0xb0, 0x2e, 0x00, 0, 0, 2, 0 };
	static const uint8_t r31[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0xb0, 0x2e, 0x00, 0, 0, 2, 0 };
	static const uint8_t r31bad[] = { 0, 0, 0, 1, 0, 0, 0, 0, 0xfe, 0xb0, 0x2e, 0x00, 0, 0, 2, 0 };
	uint64_t a, s;

	(void)state;
	assert_int_equal(vq_mmio_dt_reg(r22, sizeof(r22), 2, 2, &a, &s), 0);
	assert_int_equal(a, 0xa003e00);
	assert_int_equal(s, 0x200);
	assert_int_equal(vq_mmio_dt_reg(r22h, sizeof(r22h), 2, 2, &a, &s), 0);
	assert_int_equal(a, 0x110001000ull);
	assert_int_equal(s, 0x1000);
	assert_int_equal(vq_mmio_dt_reg(r11, sizeof(r11), 1, 1, &a, &s), 0);
	assert_int_equal(a, 0xfeb02e00);
	assert_int_equal(s, 0x200);
	/* No size cells. */
	assert_int_equal(vq_mmio_dt_reg(r11, sizeof(r11), 1, 0, &a, &s), 0);
	assert_int_equal(s, 0);
	/* Three address cells: the top one must be 0 to fit 64 bits. */
	assert_int_equal(vq_mmio_dt_reg(r31, sizeof(r31), 3, 1, &a, &s), 0);
	assert_int_equal(a, 0xfeb02e00);
	assert_int_equal(vq_mmio_dt_reg(r31bad, sizeof(r31bad), 3, 1, &a, &s), -EINVAL);
	/* Too short, no address cells, absurd cell counts. */
	assert_int_equal(vq_mmio_dt_reg(r11, 7, 1, 1, &a, &s), -EINVAL);
	assert_int_equal(vq_mmio_dt_reg(r11, sizeof(r11), 0, 1, &a, &s), -EINVAL);
	assert_int_equal(vq_mmio_dt_reg(r22, sizeof(r22), 5, 1, &a, &s), -EINVAL);
}

/* "ranges" maps a bus's child addresses into its parent's; empty means
 * the identity. */
static void test_dt_translate(void **state)
{
	/* child 0x0 (1 cell) -> parent 0x0_40000000 (2 cells), size 0x1000000 (1 cell) */
	static const uint8_t ranges[] = {
		0, 0, 0, 0,  0, 0, 0, 0, 0x40, 0, 0, 0,  0x01, 0, 0, 0,
		0x10, 0, 0, 0,  0, 0, 0, 1, 0, 0, 0, 0,  0, 0x10, 0, 0,
	};
	uint64_t out;

	(void)state;
	assert_int_equal(vq_mmio_dt_translate(0x1234, NULL, 0, 1, 2, 1, &out), 0);
	assert_int_equal(out, 0x1234);
	assert_int_equal(vq_mmio_dt_translate(0x3e00, ranges, sizeof(ranges), 1, 2, 1, &out), 0);
	assert_int_equal(out, 0x40003e00);
	assert_int_equal(vq_mmio_dt_translate(0x10000200, ranges, sizeof(ranges), 1, 2, 1, &out), 0);
	assert_int_equal(out, 0x100000200ull);
	/* Between the two ranges, and past the end of the first. */
	assert_int_equal(vq_mmio_dt_translate(0x01000000, ranges, sizeof(ranges), 1, 2, 1, &out),
			 -ENOENT);
	/* A length that is no whole number of entries. */
	assert_int_equal(vq_mmio_dt_translate(0x3e00, ranges, sizeof(ranges) - 4, 1, 2, 1, &out),
			 -EINVAL);
}

/* Linux's features file: one digit per bit, bit 0 first, 64 of them. */
static void test_sysfs_features(void **state)
{
	const char *blk = "0010101001110110000000000000110010000000000000000000000000000000\n";
	uint32_t f[4];
	char big[140];

	(void)state;
	assert_int_equal(vq_mmio_sysfs_features(blk, f), 64);
	assert_int_equal(f[0], 0x30006e54);
	assert_int_equal(f[1], 1);
	assert_int_equal(f[2], 0);
	assert_int_equal(vq_mmio_sysfs_features("", f), 0);
	assert_int_equal(vq_mmio_sysfs_features("0012\n", f), -EINVAL);
	assert_int_equal(vq_mmio_sysfs_features("01 1", f), -EINVAL);
	memset(big, '1', 129);
	big[129] = 0;
	assert_int_equal(vq_mmio_sysfs_features(big, f), -EINVAL);
	big[128] = '\n';
	assert_int_equal(vq_mmio_sysfs_features(big, f), 128);
	assert_int_equal(f[3], 0xffffffff);
}

/* ---- real snapshots (tests/unit/data/mmio-README.md) ---- */

#define SNAP_QUEUES 64
#define SNAP_DEVS 8

struct snap_dev {
	uint64_t base;
	uint32_t reg[VQ_MMIO_HDR_LEN / 4];  /* "r" lines, by offset / 4 */
	uint32_t feat[4];                   /* "f" lines */
	struct vq_mmio_queue_regs q[SNAP_QUEUES]; /* "q" and "w" lines */
	unsigned nq;                        /* queues with a "q 034" line */
	unsigned nw;                        /* "w" lines */
	uint8_t cfg[96];                    /* "c" line */
	char plat[32];                      /* "p" line */
	char sysfs[140];                    /* "s" line */
	uint8_t x_status;                   /* QMP */
	uint32_t x_host[4], x_guest[4];     /* QMP features, 128 bits */
	unsigned x_nq;                      /* "x queue" lines */
	struct {
		uint32_t num;
		uint64_t desc, avail, used;
	} x_q[SNAP_QUEUES];                 /* QMP per queue */
};

static FILE *open_data(const char *name)
{
	char path[512];
	const char *slash = strrchr(__FILE__, '/');
	FILE *f;

	snprintf(path, sizeof(path), "%.*sdata/%s", slash ? (int)(slash - __FILE__ + 1) : 0,
		 __FILE__, name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("open %s (run the tests from the top of the source tree)", path);
	return f;
}

/* A 128-bit number as 32 hex digits into four words, word 0 lowest. */
static void hex128(const char *s, uint32_t w[4])
{
	unsigned i;

	assert_int_equal(strlen(s), 32);
	for (i = 0; i < 4; i++) {
		char part[9];

		memcpy(part, s + 8 * (3 - i), 8);
		part[8] = 0;
		w[i] = (uint32_t)strtoul(part, NULL, 16);
	}
}

static unsigned load_snapshot(const char *name, struct snap_dev *devs)
{
	char line[1024], a[64], b[64];
	struct snap_dev *d = NULL;
	unsigned n = 0, i, off, v, q;
	FILE *f = open_data(name);

	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (line[0] == '#' || !line[0])
			continue;
		if (!strncmp(line, "device ", 7)) {
			assert_true(n < SNAP_DEVS);
			d = &devs[n++];
			memset(d, 0, sizeof(*d));
			d->base = strtoull(line + 7, NULL, 16);
			continue;
		}
		assert_non_null(d);
		switch (line[0]) {
		case 'r':
			assert_int_equal(sscanf(line, "r %x %x", &off, &v), 2);
			assert_true(off < VQ_MMIO_HDR_LEN && off % 4 == 0);
			d->reg[off / 4] = v;
			break;
		case 'f':
			assert_int_equal(sscanf(line, "f %u %x", &i, &v), 2);
			assert_true(i < 4);
			d->feat[i] = v;
			break;
		case 'q':
		case 'w':
			assert_int_equal(sscanf(line + 1, " %u %x %x", &q, &off, &v), 3);
			assert_true(q < SNAP_QUEUES);
			if (line[0] == 'w') {
				d->q[q].wo_valid = 1;
				d->nw++;
			}
			switch (off) {
			case VIRTIO_MMIO_QUEUE_NUM_MAX:
				d->q[q].num_max = v;
				d->nq = q + 1;
				break;
			case VIRTIO_MMIO_QUEUE_PFN: d->q[q].pfn = v; break;
			case VIRTIO_MMIO_QUEUE_READY: d->q[q].ready = v; break;
			case VIRTIO_MMIO_QUEUE_NUM: d->q[q].num = v; break;
			case VIRTIO_MMIO_QUEUE_DESC_LOW: d->q[q].desc_lo = v; break;
			case VIRTIO_MMIO_QUEUE_DESC_HIGH: d->q[q].desc_hi = v; break;
			case VIRTIO_MMIO_QUEUE_AVAIL_LOW: d->q[q].driver_lo = v; break;
			case VIRTIO_MMIO_QUEUE_AVAIL_HIGH: d->q[q].driver_hi = v; break;
			case VIRTIO_MMIO_QUEUE_USED_LOW: d->q[q].device_lo = v; break;
			case VIRTIO_MMIO_QUEUE_USED_HIGH: d->q[q].device_hi = v; break;
			default: fail_msg("unexpected queue register 0x%x", off);
			}
			break;
		case 'c': {
			const char *p = line + 1;
			int used;

			for (i = 0; i < sizeof(d->cfg); i++) {
				assert_int_equal(sscanf(p, " %2x%n", &v, &used), 1);
				d->cfg[i] = (uint8_t)v;
				p += used;
			}
			break;
		}
		case 'p':
			assert_true(strlen(line + 2) < sizeof(d->plat));
			memcpy(d->plat, line + 2, strlen(line + 2) + 1);
			break;
		case 's':
			assert_true(strlen(line + 2) < sizeof(d->sysfs));
			memcpy(d->sysfs, line + 2, strlen(line + 2) + 1);
			break;
		case 'x':
			if (sscanf(line, "x status %x", &v) == 1) {
				d->x_status = (uint8_t)v;
			} else if (sscanf(line, "x host %63s", a) == 1) {
				hex128(a, d->x_host);
			} else if (sscanf(line, "x guest %63s", b) == 1) {
				hex128(b, d->x_guest);
			} else if (!strncmp(line, "x queue ", 8)) {
				unsigned long long de, av, us;

				assert_int_equal(sscanf(line, "x queue %u num %u desc %llx avail %llx used %llx",
							&q, &v, &de, &av, &us), 5);
				assert_int_equal(q, d->x_nq);
				d->x_q[q].num = v;
				d->x_q[q].desc = de;
				d->x_q[q].avail = av;
				d->x_q[q].used = us;
				d->x_nq++;
			}
			break;
		default:
			fail_msg("unexpected line '%s' in %s", line, name);
		}
	}
	fclose(f);
	return n;
}

/* Everything the decoder makes of a capture agrees with QEMU's own view. */
static void check_snapshot(const char *name, unsigned version)
{
	static struct snap_dev devs[SNAP_DEVS];
	unsigned n = load_snapshot(name, devs), i, k, quirks;
	static const uint32_t ids[] = { VIRTIO_ID_BALLOON, VIRTIO_ID_SCSI, VIRTIO_ID_CONSOLE,
					VIRTIO_ID_RNG, VIRTIO_ID_NET, VIRTIO_ID_BLOCK };

	assert_int_equal(n, 6);
	for (i = 0; i < n; i++) {
		struct snap_dev *d = &devs[i];
		uint32_t feat[4], drv[4];
		char why[160];

		/* microvm: the top transports, 0x200 apart, in -device order
		 * from the top. */
		assert_int_equal(d->base, 0xfeb02400 + 0x200 * i);
		assert_int_equal(d->reg[VIRTIO_MMIO_DEVICE_ID / 4], ids[i]);
		assert_int_equal(vq_mmio_identify(d->reg[0], d->reg[VIRTIO_MMIO_VERSION / 4],
						  d->reg[VIRTIO_MMIO_DEVICE_ID / 4], why, sizeof(why)),
				 VQ_MMIO_DEVICE);
		assert_int_equal(d->reg[VIRTIO_MMIO_VERSION / 4], version);
		assert_int_equal(d->reg[VIRTIO_MMIO_VENDOR_ID / 4], 0x554d4551);
		/* Every register the capture read as readable is one. */
		for (k = 0; k < VQ_MMIO_HDR_LEN / 4; k++)
			if (d->reg[k])
				assert_true(vq_mmio_may_read(4 * k, version));
		assert_false(vq_mmio_may_read(VIRTIO_MMIO_QUEUE_NUM, version));

		assert_int_equal(d->reg[VIRTIO_MMIO_STATUS / 4], d->x_status);
		assert_int_equal(d->x_status, version == 2 ? 0x0f : 0x07);

		quirks = vq_mmio_device_features(d->feat, feat);
		assert_memory_equal(feat, d->x_host, sizeof(feat));
		assert_int_equal(quirks, version == 2 ? VQ_MMIO_QUIRK_FSEL_CLAMPED : 0);
		if (version == 2)
			assert_true(feat[1] & (1u << (VIRTIO_F_VERSION_1 - 32)));

		/* Bound drivers: only Linux knows what was accepted, and its
		 * sysfs record is QEMU's guest features. */
		assert_false(vq_mmio_driver_features_zero(version, d->x_status));
		assert_true(vq_mmio_name_match(d->plat));
		assert_int_equal(vq_mmio_sysfs_features(d->sysfs, drv), 64);
		assert_memory_equal(drv, d->x_guest, sizeof(drv));

		assert_int_equal(d->nq, d->x_nq);
		assert_int_equal(d->nq, d->reg[VIRTIO_MMIO_DEVICE_ID / 4] == VIRTIO_ID_CONSOLE ? 64
				 : d->reg[VIRTIO_MMIO_DEVICE_ID / 4] == VIRTIO_ID_RNG   ? 1
				 : d->reg[VIRTIO_MMIO_DEVICE_ID / 4] == VIRTIO_ID_BLOCK ? 1
											: 3);
		/* QEMU 7.2 reads every write-only queue register as 0. */
		assert_int_equal(d->nw, d->nq * (version == 2 ? 7 : 1));
		for (k = 0; k < d->nq; k++) {
			struct vq_mmio_queue_regs r = d->q[k];
			struct vq_mmio_queue q;

			assert_int_equal(r.num + r.desc_lo + r.desc_hi + r.driver_lo + r.driver_hi +
						 r.device_lo + r.device_hi,
					 0);
			assert_int_equal(vq_mmio_decode_queue(version, &r, 0, &q), 0);
			assert_null(q.problem);
			assert_true(q.enabled);
			assert_int_equal(q.max_size, 1024);
			assert_int_equal(q.size, d->x_q[k].num);
			assert_int_equal(q.size_how, VQ_MMIO_SIZE_MAX);
			if (version == 1) {
				assert_int_equal(q.addr_how, VQ_MMIO_ADDR_PFN);
				assert_int_equal(q.desc, d->x_q[k].desc);
				assert_int_equal(q.avail, d->x_q[k].avail);
				assert_int_equal(q.used, d->x_q[k].used);
			} else {
				struct vq_ring_layout l;

				assert_int_equal(q.addr_how, VQ_MMIO_ADDR_UNKNOWN);
				/* What the registers cannot say, QMP shows: Linux
				 * lays version 2 rings out as legacy ones. */
				vq_ring_layout_contig(d->x_q[k].desc, d->x_q[k].num,
						      VQ_MMIO_LEGACY_ALIGN, &l);
				assert_int_equal(l.avail, d->x_q[k].avail);
				assert_int_equal(l.used, d->x_q[k].used);
			}
			/* Decoding what QEMU answered for the write-only
			 * registers adds nothing. */
			r.wo_valid = 1;
			assert_int_equal(vq_mmio_decode_queue(version, &r, 0, &q), 0);
			assert_int_equal(q.size_how, VQ_MMIO_SIZE_MAX);
		}
		if (d->reg[VIRTIO_MMIO_DEVICE_ID / 4] == VIRTIO_ID_BLOCK) {
			/* capacity: the 16 MiB disk in 512-byte sectors. */
			assert_int_equal(d->cfg[0] | d->cfg[1] << 8 | d->cfg[2] << 16, 32768);
		}
		if (version == 2) {
			assert_int_equal(d->reg[VIRTIO_MMIO_CONFIG_GENERATION / 4], 0);
			/* No shared memory region: length ~0. */
			assert_int_equal(d->reg[VIRTIO_MMIO_SHM_LEN_LOW / 4], 0xffffffff);
		}
	}
}

static void test_qemu72_v1_bound(void **state)
{
	(void)state;
	check_snapshot("mmio-qemu72-v1-bound.txt", 1);
}

static void test_qemu72_v2_bound(void **state)
{
	(void)state;
	check_snapshot("mmio-qemu72-v2-bound.txt", 2);
}

/* The windows a root reader of that guest's /proc/iomem finds: six, each
 * listed twice (the resource and the driver's claim inside it). */
static void test_qemu72_iomem(void **state)
{
	FILE *f = open_data("mmio-qemu72-iomem-bound.txt");
	char line[256];
	unsigned top = 0, nested = 0;

	(void)state;
	while (fgets(line, sizeof(line), f)) {
		uint64_t s, e;
		unsigned depth;
		const char *name;
		size_t nl;

		if (line[0] == '#')
			continue;
		assert_true(vq_mmio_iomem_line(line, &s, &e, &depth, &name, &nl));
		if (!vq_mmio_name_match(name))
			continue;
		assert_int_equal(e - s + 1, VQ_MMIO_WINDOW);
		assert_int_equal(s, 0xfeb02400 + 0x200 * (top - (depth ? 1 : 0)));
		if (depth)
			nested++;
		else
			top++;
	}
	fclose(f);
	assert_int_equal(top, 6);
	assert_int_equal(nested, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_magic_must_match),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_device_id_zero_is_no_error),
		cmocka_unit_test(test_write_only_registers_are_not_readable),
		cmocka_unit_test(test_legacy_register_layout),
		cmocka_unit_test(test_register_table_shape),
		cmocka_unit_test(test_features_by_selector),
		cmocka_unit_test(test_features_selector_clamped),
		cmocka_unit_test(test_features_selector_ignored),
		cmocka_unit_test(test_features_zero_words),
		cmocka_unit_test(test_driver_features_zero_before_features_ok),
		cmocka_unit_test(test_driver_features_zero_legacy),
		cmocka_unit_test(test_queue_not_available),
		cmocka_unit_test(test_queue_num_max_too_large),
		cmocka_unit_test(test_queue_ready_v2),
		cmocka_unit_test(test_queue_address_assembly_v2),
		cmocka_unit_test(test_queue_write_only_zero),
		cmocka_unit_test(test_queue_address_alignment),
		cmocka_unit_test(test_queue_size_from_rings_only_when_consistent),
		cmocka_unit_test(test_queue_num_within_max),
		cmocka_unit_test(test_legacy_pfn_layout),
		cmocka_unit_test(test_legacy_queue_align),
		cmocka_unit_test(test_legacy_pfn_high),
		cmocka_unit_test(test_legacy_pfn_zero_not_in_use),
		cmocka_unit_test(test_legacy_ignores_v2_registers),
		cmocka_unit_test(test_queue_unknown_version),
		cmocka_unit_test(test_name_match),
		cmocka_unit_test(test_iomem_line),
		cmocka_unit_test(test_platform_addr),
		cmocka_unit_test(test_dt_compatible),
		cmocka_unit_test(test_dt_reg),
		cmocka_unit_test(test_dt_translate),
		cmocka_unit_test(test_sysfs_features),
		cmocka_unit_test(test_qemu72_v1_bound),
		cmocka_unit_test(test_qemu72_v2_bound),
		cmocka_unit_test(test_qemu72_iomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
