/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the device ID, status and feature-bit name tables. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <linux/virtio_9p.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_console.h>
#include <linux/virtio_gpio.h>
#include <linux/virtio_gpu.h>
#include <linux/virtio_i2c.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_iommu.h>
#include <linux/virtio_mem.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_scmi.h>
#include <linux/virtio_scsi.h>
#include <linux/virtio_vsock.h>

#include "decode/names.h"
#include "model/escape.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The spec's number has no UAPI constant in the installed headers. */
#define NO_UAPI (-1)

/* Numbers the tests use as "nothing assigned here". */
#define ID_UNKNOWN 1000u
#define FEATURE_BITS 128u

/* One row of the spec's device ID table (virtio 1.3, chapter 5). */
struct id_case {
	uint32_t id;		/* the spec's device ID */
	long uapi;		/* VIRTIO_ID_* for it, or NO_UAPI */
	const char *short_name; /* expected vq_device_short_name() */
	const char *long_name;	/* expected vq_device_long_name(), the spec's words */
};

static const struct id_case id_cases[] = {
    {0, NO_UAPI, "reserved", "reserved (invalid)"},
    {1, VIRTIO_ID_NET, "net", "network device"},
    {2, VIRTIO_ID_BLOCK, "blk", "block device"},
    {3, VIRTIO_ID_CONSOLE, "console", "console"},
    {4, VIRTIO_ID_RNG, "rng", "entropy source"},
    {5, VIRTIO_ID_BALLOON, "balloon", "memory ballooning (traditional)"},
    {6, VIRTIO_ID_IOMEM, "iomem", "ioMemory"},
    {7, VIRTIO_ID_RPMSG, "rpmsg", "rpmsg"},
    {8, VIRTIO_ID_SCSI, "scsi", "SCSI host"},
    {9, VIRTIO_ID_9P, "9p", "9P transport"},
    {10, VIRTIO_ID_MAC80211_WLAN, "wlan", "mac80211 wlan"},
    {11, VIRTIO_ID_RPROC_SERIAL, "rproc-serial", "rproc serial"},
    {12, VIRTIO_ID_CAIF, "caif", "virtio CAIF"},
    {13, VIRTIO_ID_MEMORY_BALLOON, "memballoon", "memory balloon"},
    {16, VIRTIO_ID_GPU, "gpu", "GPU device"},
    {17, VIRTIO_ID_CLOCK, "clock", "Timer/Clock device"},
    {18, VIRTIO_ID_INPUT, "input", "Input device"},
    {19, VIRTIO_ID_VSOCK, "vsock", "Socket device"},
    {20, VIRTIO_ID_CRYPTO, "crypto", "Crypto device"},
    {21, VIRTIO_ID_SIGNAL_DIST, "sdm", "Signal Distribution Module"},
    {22, VIRTIO_ID_PSTORE, "pstore", "pstore device"},
    {23, VIRTIO_ID_IOMMU, "iommu", "IOMMU device"},
    {24, VIRTIO_ID_MEM, "mem", "Memory device"},
    {25, VIRTIO_ID_SOUND, "sound", "Sound device"},
    {26, VIRTIO_ID_FS, "fs", "file system device"},
    {27, VIRTIO_ID_PMEM, "pmem", "PMEM device"},
    {28, VIRTIO_ID_RPMB, "rpmb", "RPMB device"},
    {29, VIRTIO_ID_MAC80211_HWSIM, "hwsim", "mac80211 hwsim wireless simulation device"},
    {30, VIRTIO_ID_VIDEO_ENCODER, "video-enc", "Video encoder device"},
    {31, VIRTIO_ID_VIDEO_DECODER, "video-dec", "Video decoder device"},
    {32, VIRTIO_ID_SCMI, "scmi", "SCMI device"},
    {33, VIRTIO_ID_NITRO_SEC_MOD, "nsm", "NitroSecureModule"},
    {34, VIRTIO_ID_I2C_ADAPTER, "i2c", "I2C adapter"},
    {35, VIRTIO_ID_WATCHDOG, "watchdog", "Watchdog"},
    {36, VIRTIO_ID_CAN, "can", "CAN device"},
    {38, VIRTIO_ID_PARAM_SERV, "param-server", "Parameter Server"},
    {39, VIRTIO_ID_AUDIO_POLICY, "audio-policy", "Audio policy device"},
    {40, VIRTIO_ID_BT, "bt", "Bluetooth device"},
    {41, VIRTIO_ID_GPIO, "gpio", "GPIO device"},
    {42, NO_UAPI, "rdma", "RDMA device"},
    {43, NO_UAPI, "camera", "Camera device"},
    {44, NO_UAPI, "ism", "ISM device"},
    {45, NO_UAPI, "spi", "SPI master"},
};

/*
 * IDs the spec does not assign.  37 is Linux's VIRTIO_ID_DMABUF, which is
 * not in the spec's table; 46 and 47 were assigned after 1.3.
 */
static const uint32_t unknown_ids[] = {14, 15, 37, 46, 47, 63, 64, 0x1000, ID_UNKNOWN, UINT32_MAX};

/* Each row of the spec table has the right names, and agrees with UAPI. */
static void test_device_ids(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(id_cases); i++) {
		const struct id_case *c = &id_cases[i];

		if (c->uapi != NO_UAPI)
			assert_int_equal(c->id, c->uapi);
		assert_non_null(vq_device_short_name(c->id));
		assert_string_equal(vq_device_short_name(c->id), c->short_name);
		assert_non_null(vq_device_long_name(c->id));
		assert_string_equal(vq_device_long_name(c->id), c->long_name);
	}
}

static void test_device_ids_unknown(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(unknown_ids); i++) {
		assert_null(vq_device_short_name(unknown_ids[i]));
		assert_null(vq_device_long_name(unknown_ids[i]));
	}
}

/* Exactly the spec's rows are named: nothing more anywhere below 4096. */
static void test_device_ids_count(void **state)
{
	size_t named = 0;

	(void)state;
	for (uint32_t id = 0; id < 4096; id++) {
		/* Both names exist together or not at all. */
		assert_true(!vq_device_short_name(id) == !vq_device_long_name(id));
		if (vq_device_short_name(id))
			named++;
	}
	assert_int_equal(named, ARRAY_SIZE(id_cases));
}

/* Short names go into JSON: unique, lower case, digits and '-'. */
static void test_device_short_names_json_safe(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(id_cases); i++) {
		const char *a = vq_device_short_name(id_cases[i].id);

		for (const char *p = a; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
				    *p == '-');
		for (size_t j = i + 1; j < ARRAY_SIZE(id_cases); j++)
			assert_string_not_equal(a, vq_device_short_name(id_cases[j].id));
	}
}

/* One device status bit (virtio 1.3, 2.1). */
struct status_case {
	unsigned mask;	  /* the spec's value, e.g. 64 */
	long uapi;	  /* VIRTIO_CONFIG_S_* for it, or NO_UAPI */
	const char *name; /* expected name, NULL for an unused bit */
};

static const struct status_case status_cases[] = {
    {1, VIRTIO_CONFIG_S_ACKNOWLEDGE, "ACKNOWLEDGE"},
    {2, VIRTIO_CONFIG_S_DRIVER, "DRIVER"},
    {4, VIRTIO_CONFIG_S_DRIVER_OK, "DRIVER_OK"},
    {8, VIRTIO_CONFIG_S_FEATURES_OK, "FEATURES_OK"},
    {16, NO_UAPI, NULL},
    {32, NO_UAPI, NULL},
    {64, VIRTIO_CONFIG_S_NEEDS_RESET, "DEVICE_NEEDS_RESET"},
    {128, VIRTIO_CONFIG_S_FAILED, "FAILED"},
};

static void test_status_bits(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(status_cases); i++) {
		const struct status_case *c = &status_cases[i];
		unsigned bit = (unsigned)__builtin_ctz(c->mask);

		if (c->uapi != NO_UAPI)
			assert_int_equal(c->mask, c->uapi);
		if (!c->name) {
			assert_null(vq_status_bit_name(bit));
			continue;
		}
		assert_non_null(vq_status_bit_name(bit));
		assert_string_equal(vq_status_bit_name(bit), c->name);
	}
	/* The field is 8 bits wide; anything above has no name. */
	assert_null(vq_status_bit_name(8));
	assert_null(vq_status_bit_name(31));
	assert_null(vq_status_bit_name(~0u));
}

/* One feature bit as the spec numbers and names it. */
struct feature_case {
	uint32_t device_id; /* device type the bit is read for */
	unsigned bit;	    /* the spec's bit number */
	long uapi;	    /* UAPI constant for it, or NO_UAPI */
	const char *name;   /* expected vq_feature_name() */
};

/* Device-specific bits, legacy ones included (chapter 5, per device). */
static const struct feature_case device_feature_cases[] = {
    /* Network device */
    {VIRTIO_ID_NET, 0, VIRTIO_NET_F_CSUM, "VIRTIO_NET_F_CSUM"},
    {VIRTIO_ID_NET, 1, VIRTIO_NET_F_GUEST_CSUM, "VIRTIO_NET_F_GUEST_CSUM"},
    {VIRTIO_ID_NET, 2, VIRTIO_NET_F_CTRL_GUEST_OFFLOADS, "VIRTIO_NET_F_CTRL_GUEST_OFFLOADS"},
    {VIRTIO_ID_NET, 3, VIRTIO_NET_F_MTU, "VIRTIO_NET_F_MTU"},
    {VIRTIO_ID_NET, 5, VIRTIO_NET_F_MAC, "VIRTIO_NET_F_MAC"},
    {VIRTIO_ID_NET, 6, VIRTIO_NET_F_GSO, "VIRTIO_NET_F_GSO"},
    {VIRTIO_ID_NET, 7, VIRTIO_NET_F_GUEST_TSO4, "VIRTIO_NET_F_GUEST_TSO4"},
    {VIRTIO_ID_NET, 8, VIRTIO_NET_F_GUEST_TSO6, "VIRTIO_NET_F_GUEST_TSO6"},
    {VIRTIO_ID_NET, 9, VIRTIO_NET_F_GUEST_ECN, "VIRTIO_NET_F_GUEST_ECN"},
    {VIRTIO_ID_NET, 10, VIRTIO_NET_F_GUEST_UFO, "VIRTIO_NET_F_GUEST_UFO"},
    {VIRTIO_ID_NET, 11, VIRTIO_NET_F_HOST_TSO4, "VIRTIO_NET_F_HOST_TSO4"},
    {VIRTIO_ID_NET, 12, VIRTIO_NET_F_HOST_TSO6, "VIRTIO_NET_F_HOST_TSO6"},
    {VIRTIO_ID_NET, 13, VIRTIO_NET_F_HOST_ECN, "VIRTIO_NET_F_HOST_ECN"},
    {VIRTIO_ID_NET, 14, VIRTIO_NET_F_HOST_UFO, "VIRTIO_NET_F_HOST_UFO"},
    {VIRTIO_ID_NET, 15, VIRTIO_NET_F_MRG_RXBUF, "VIRTIO_NET_F_MRG_RXBUF"},
    {VIRTIO_ID_NET, 16, VIRTIO_NET_F_STATUS, "VIRTIO_NET_F_STATUS"},
    {VIRTIO_ID_NET, 17, VIRTIO_NET_F_CTRL_VQ, "VIRTIO_NET_F_CTRL_VQ"},
    {VIRTIO_ID_NET, 18, VIRTIO_NET_F_CTRL_RX, "VIRTIO_NET_F_CTRL_RX"},
    {VIRTIO_ID_NET, 19, VIRTIO_NET_F_CTRL_VLAN, "VIRTIO_NET_F_CTRL_VLAN"},
    {VIRTIO_ID_NET, 20, VIRTIO_NET_F_CTRL_RX_EXTRA, "VIRTIO_NET_F_CTRL_RX_EXTRA"},
    {VIRTIO_ID_NET, 21, VIRTIO_NET_F_GUEST_ANNOUNCE, "VIRTIO_NET_F_GUEST_ANNOUNCE"},
    {VIRTIO_ID_NET, 22, VIRTIO_NET_F_MQ, "VIRTIO_NET_F_MQ"},
    {VIRTIO_ID_NET, 23, VIRTIO_NET_F_CTRL_MAC_ADDR, "VIRTIO_NET_F_CTRL_MAC_ADDR"},
    {VIRTIO_ID_NET, 51, NO_UAPI, "VIRTIO_NET_F_HASH_TUNNEL"},
    {VIRTIO_ID_NET, 52, NO_UAPI, "VIRTIO_NET_F_VQ_NOTF_COAL"},
    {VIRTIO_ID_NET, 53, VIRTIO_NET_F_NOTF_COAL, "VIRTIO_NET_F_NOTF_COAL"},
    {VIRTIO_ID_NET, 54, NO_UAPI, "VIRTIO_NET_F_GUEST_USO4"},
    {VIRTIO_ID_NET, 55, NO_UAPI, "VIRTIO_NET_F_GUEST_USO6"},
    {VIRTIO_ID_NET, 56, NO_UAPI, "VIRTIO_NET_F_HOST_USO"},
    {VIRTIO_ID_NET, 57, VIRTIO_NET_F_HASH_REPORT, "VIRTIO_NET_F_HASH_REPORT"},
    {VIRTIO_ID_NET, 59, NO_UAPI, "VIRTIO_NET_F_GUEST_HDRLEN"},
    {VIRTIO_ID_NET, 60, VIRTIO_NET_F_RSS, "VIRTIO_NET_F_RSS"},
    {VIRTIO_ID_NET, 61, VIRTIO_NET_F_RSC_EXT, "VIRTIO_NET_F_RSC_EXT"},
    {VIRTIO_ID_NET, 62, VIRTIO_NET_F_STANDBY, "VIRTIO_NET_F_STANDBY"},
    {VIRTIO_ID_NET, 63, VIRTIO_NET_F_SPEED_DUPLEX, "VIRTIO_NET_F_SPEED_DUPLEX"},

    /* Block device; bit 9 is FLUSH, not its legacy alias WCE */
    {VIRTIO_ID_BLOCK, 0, VIRTIO_BLK_F_BARRIER, "VIRTIO_BLK_F_BARRIER"},
    {VIRTIO_ID_BLOCK, 1, VIRTIO_BLK_F_SIZE_MAX, "VIRTIO_BLK_F_SIZE_MAX"},
    {VIRTIO_ID_BLOCK, 2, VIRTIO_BLK_F_SEG_MAX, "VIRTIO_BLK_F_SEG_MAX"},
    {VIRTIO_ID_BLOCK, 4, VIRTIO_BLK_F_GEOMETRY, "VIRTIO_BLK_F_GEOMETRY"},
    {VIRTIO_ID_BLOCK, 5, VIRTIO_BLK_F_RO, "VIRTIO_BLK_F_RO"},
    {VIRTIO_ID_BLOCK, 6, VIRTIO_BLK_F_BLK_SIZE, "VIRTIO_BLK_F_BLK_SIZE"},
    {VIRTIO_ID_BLOCK, 7, VIRTIO_BLK_F_SCSI, "VIRTIO_BLK_F_SCSI"},
    {VIRTIO_ID_BLOCK, 9, VIRTIO_BLK_F_FLUSH, "VIRTIO_BLK_F_FLUSH"},
    {VIRTIO_ID_BLOCK, 9, VIRTIO_BLK_F_WCE, "VIRTIO_BLK_F_FLUSH"},
    {VIRTIO_ID_BLOCK, 10, VIRTIO_BLK_F_TOPOLOGY, "VIRTIO_BLK_F_TOPOLOGY"},
    {VIRTIO_ID_BLOCK, 11, VIRTIO_BLK_F_CONFIG_WCE, "VIRTIO_BLK_F_CONFIG_WCE"},
    {VIRTIO_ID_BLOCK, 12, VIRTIO_BLK_F_MQ, "VIRTIO_BLK_F_MQ"},
    {VIRTIO_ID_BLOCK, 13, VIRTIO_BLK_F_DISCARD, "VIRTIO_BLK_F_DISCARD"},
    {VIRTIO_ID_BLOCK, 14, VIRTIO_BLK_F_WRITE_ZEROES, "VIRTIO_BLK_F_WRITE_ZEROES"},
    {VIRTIO_ID_BLOCK, 15, NO_UAPI, "VIRTIO_BLK_F_LIFETIME"},
    {VIRTIO_ID_BLOCK, 16, VIRTIO_BLK_F_SECURE_ERASE, "VIRTIO_BLK_F_SECURE_ERASE"},
    {VIRTIO_ID_BLOCK, 17, NO_UAPI, "VIRTIO_BLK_F_ZONED"},

    /* Console device */
    {VIRTIO_ID_CONSOLE, 0, VIRTIO_CONSOLE_F_SIZE, "VIRTIO_CONSOLE_F_SIZE"},
    {VIRTIO_ID_CONSOLE, 1, VIRTIO_CONSOLE_F_MULTIPORT, "VIRTIO_CONSOLE_F_MULTIPORT"},
    {VIRTIO_ID_CONSOLE, 2, VIRTIO_CONSOLE_F_EMERG_WRITE, "VIRTIO_CONSOLE_F_EMERG_WRITE"},

    /* Traditional balloon; Linux calls bit 5 VIRTIO_BALLOON_F_REPORTING */
    {VIRTIO_ID_BALLOON, 0, VIRTIO_BALLOON_F_MUST_TELL_HOST, "VIRTIO_BALLOON_F_MUST_TELL_HOST"},
    {VIRTIO_ID_BALLOON, 1, VIRTIO_BALLOON_F_STATS_VQ, "VIRTIO_BALLOON_F_STATS_VQ"},
    {VIRTIO_ID_BALLOON, 2, VIRTIO_BALLOON_F_DEFLATE_ON_OOM, "VIRTIO_BALLOON_F_DEFLATE_ON_OOM"},
    {VIRTIO_ID_BALLOON, 3, VIRTIO_BALLOON_F_FREE_PAGE_HINT, "VIRTIO_BALLOON_F_FREE_PAGE_HINT"},
    {VIRTIO_ID_BALLOON, 4, VIRTIO_BALLOON_F_PAGE_POISON, "VIRTIO_BALLOON_F_PAGE_POISON"},
    {VIRTIO_ID_BALLOON, 5, VIRTIO_BALLOON_F_REPORTING, "VIRTIO_BALLOON_F_PAGE_REPORTING"},

    /* SCSI host */
    {VIRTIO_ID_SCSI, 0, VIRTIO_SCSI_F_INOUT, "VIRTIO_SCSI_F_INOUT"},
    {VIRTIO_ID_SCSI, 1, VIRTIO_SCSI_F_HOTPLUG, "VIRTIO_SCSI_F_HOTPLUG"},
    {VIRTIO_ID_SCSI, 2, VIRTIO_SCSI_F_CHANGE, "VIRTIO_SCSI_F_CHANGE"},
    {VIRTIO_ID_SCSI, 3, VIRTIO_SCSI_F_T10_PI, "VIRTIO_SCSI_F_T10_PI"},

    /* 9P transport: not in the spec; the UAPI's bit */
    {VIRTIO_ID_9P, 0, VIRTIO_9P_MOUNT_TAG, "VIRTIO_9P_MOUNT_TAG"},

    /* GPU device */
    {VIRTIO_ID_GPU, 0, VIRTIO_GPU_F_VIRGL, "VIRTIO_GPU_F_VIRGL"},
    {VIRTIO_ID_GPU, 1, VIRTIO_GPU_F_EDID, "VIRTIO_GPU_F_EDID"},
    {VIRTIO_ID_GPU, 2, VIRTIO_GPU_F_RESOURCE_UUID, "VIRTIO_GPU_F_RESOURCE_UUID"},
    {VIRTIO_ID_GPU, 3, VIRTIO_GPU_F_RESOURCE_BLOB, "VIRTIO_GPU_F_RESOURCE_BLOB"},
    {VIRTIO_ID_GPU, 4, VIRTIO_GPU_F_CONTEXT_INIT, "VIRTIO_GPU_F_CONTEXT_INIT"},

    /* Socket device */
    {VIRTIO_ID_VSOCK, 0, NO_UAPI, "VIRTIO_VSOCK_F_STREAM"},
    {VIRTIO_ID_VSOCK, 1, VIRTIO_VSOCK_F_SEQPACKET, "VIRTIO_VSOCK_F_SEQPACKET"},
    {VIRTIO_ID_VSOCK, 2, NO_UAPI, "VIRTIO_VSOCK_F_NO_IMPLIED_STREAM"},

    /* Crypto device */
    {VIRTIO_ID_CRYPTO, 0, NO_UAPI, "VIRTIO_CRYPTO_F_REVISION_1"},
    {VIRTIO_ID_CRYPTO, 1, NO_UAPI, "VIRTIO_CRYPTO_F_CIPHER_STATELESS_MODE"},
    {VIRTIO_ID_CRYPTO, 2, NO_UAPI, "VIRTIO_CRYPTO_F_HASH_STATELESS_MODE"},
    {VIRTIO_ID_CRYPTO, 3, NO_UAPI, "VIRTIO_CRYPTO_F_MAC_STATELESS_MODE"},
    {VIRTIO_ID_CRYPTO, 4, NO_UAPI, "VIRTIO_CRYPTO_F_AEAD_STATELESS_MODE"},
    {VIRTIO_ID_CRYPTO, 5, NO_UAPI, "VIRTIO_CRYPTO_F_AKCIPHER_STATELESS_MODE"},

    /* IOMMU device */
    {VIRTIO_ID_IOMMU, 0, VIRTIO_IOMMU_F_INPUT_RANGE, "VIRTIO_IOMMU_F_INPUT_RANGE"},
    {VIRTIO_ID_IOMMU, 1, VIRTIO_IOMMU_F_DOMAIN_RANGE, "VIRTIO_IOMMU_F_DOMAIN_RANGE"},
    {VIRTIO_ID_IOMMU, 2, VIRTIO_IOMMU_F_MAP_UNMAP, "VIRTIO_IOMMU_F_MAP_UNMAP"},
    {VIRTIO_ID_IOMMU, 3, VIRTIO_IOMMU_F_BYPASS, "VIRTIO_IOMMU_F_BYPASS"},
    {VIRTIO_ID_IOMMU, 4, VIRTIO_IOMMU_F_PROBE, "VIRTIO_IOMMU_F_PROBE"},
    {VIRTIO_ID_IOMMU, 5, VIRTIO_IOMMU_F_MMIO, "VIRTIO_IOMMU_F_MMIO"},
    {VIRTIO_ID_IOMMU, 6, VIRTIO_IOMMU_F_BYPASS_CONFIG, "VIRTIO_IOMMU_F_BYPASS_CONFIG"},

    /* Sound device */
    {VIRTIO_ID_SOUND, 0, NO_UAPI, "VIRTIO_SND_F_CTLS"},

    /* Memory device */
    {VIRTIO_ID_MEM, 0, VIRTIO_MEM_F_ACPI_PXM, "VIRTIO_MEM_F_ACPI_PXM"},
    {VIRTIO_ID_MEM, 1, VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE, "VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE"},

    /* File system device */
    {VIRTIO_ID_FS, 0, NO_UAPI, "VIRTIO_FS_F_NOTIFICATION"},

    /* PMEM device */
    {VIRTIO_ID_PMEM, 0, NO_UAPI, "VIRTIO_PMEM_F_SHMEM_REGION"},

    /* I2C adapter */
    {VIRTIO_ID_I2C_ADAPTER, 0, VIRTIO_I2C_F_ZERO_LENGTH_REQUEST,
     "VIRTIO_I2C_F_ZERO_LENGTH_REQUEST"},

    /* SCMI device */
    {VIRTIO_ID_SCMI, 0, VIRTIO_SCMI_F_P2A_CHANNELS, "VIRTIO_SCMI_F_P2A_CHANNELS"},
    {VIRTIO_ID_SCMI, 1, VIRTIO_SCMI_F_SHARED_MEMORY, "VIRTIO_SCMI_F_SHARED_MEMORY"},

    /* GPIO device */
    {VIRTIO_ID_GPIO, 0, VIRTIO_GPIO_F_IRQ, "VIRTIO_GPIO_F_IRQ"},
};

static void check_feature_cases(const struct feature_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct feature_case *c = &cases[i];
		const char *name = vq_feature_name(c->device_id, c->bit);

		if (c->uapi != NO_UAPI)
			assert_int_equal(c->bit, c->uapi);
		if (!c->name) {
			assert_null(name);
			continue;
		}
		assert_non_null(name);
		assert_string_equal(name, c->name);
	}
}

static void test_device_features(void **state)
{
	(void)state;
	check_feature_cases(device_feature_cases, ARRAY_SIZE(device_feature_cases));
}

/*
 * Chapter 6: the transport bits, with the spec's names (VIRTIO_F_EVENT_IDX,
 * not Linux's VIRTIO_RING_F_EVENT_IDX).  Bit 30 is "UNUSED" in 6.3.
 */
static const struct {
	unsigned bit;	  /* the spec's bit number */
	long uapi;	  /* UAPI constant for it, or NO_UAPI */
	const char *name; /* expected name, NULL for an unassigned bit */
} transport_cases[] = {
    {24, VIRTIO_F_NOTIFY_ON_EMPTY, "VIRTIO_F_NOTIFY_ON_EMPTY"},
    {25, NO_UAPI, NULL},
    {26, NO_UAPI, NULL},
    {27, VIRTIO_F_ANY_LAYOUT, "VIRTIO_F_ANY_LAYOUT"},
    {28, VIRTIO_RING_F_INDIRECT_DESC, "VIRTIO_F_INDIRECT_DESC"},
    {29, VIRTIO_RING_F_EVENT_IDX, "VIRTIO_F_EVENT_IDX"},
    {30, NO_UAPI, "VIRTIO_F_BAD_FEATURE"},
    {31, NO_UAPI, NULL},
    {32, VIRTIO_F_VERSION_1, "VIRTIO_F_VERSION_1"},
    {33, VIRTIO_F_ACCESS_PLATFORM, "VIRTIO_F_ACCESS_PLATFORM"},
    {34, VIRTIO_F_RING_PACKED, "VIRTIO_F_RING_PACKED"},
    {35, VIRTIO_F_IN_ORDER, "VIRTIO_F_IN_ORDER"},
    {36, VIRTIO_F_ORDER_PLATFORM, "VIRTIO_F_ORDER_PLATFORM"},
    {37, VIRTIO_F_SR_IOV, "VIRTIO_F_SR_IOV"},
    {38, NO_UAPI, "VIRTIO_F_NOTIFICATION_DATA"},
    {39, NO_UAPI, "VIRTIO_F_NOTIF_CONFIG_DATA"},
    {40, VIRTIO_F_RING_RESET, "VIRTIO_F_RING_RESET"},
    {41, NO_UAPI, "VIRTIO_F_ADMIN_VQ"},
};

/* Device types with and without tables of their own, and unknown ones. */
static const uint32_t transport_devices[] = {
    0,
    VIRTIO_ID_NET,
    VIRTIO_ID_BLOCK,
    VIRTIO_ID_CONSOLE,
    VIRTIO_ID_RNG,
    VIRTIO_ID_BALLOON,
    VIRTIO_ID_INPUT,
    VIRTIO_ID_VSOCK,
    VIRTIO_ID_FS,
    VIRTIO_ID_GPIO,
    37,
    ID_UNKNOWN,
    UINT32_MAX,
};

/* The same name for a transport bit whatever the device type. */
static void test_transport_features(void **state)
{
	(void)state;
	for (size_t d = 0; d < ARRAY_SIZE(transport_devices); d++) {
		for (size_t i = 0; i < ARRAY_SIZE(transport_cases); i++) {
			const char *name =
			    vq_feature_name(transport_devices[d], transport_cases[i].bit);

			if (transport_cases[i].uapi != NO_UAPI)
				assert_int_equal(transport_cases[i].bit, transport_cases[i].uapi);
			if (!transport_cases[i].name) {
				assert_null(name);
				continue;
			}
			assert_non_null(name);
			assert_string_equal(name, transport_cases[i].name);
		}
	}
}

/*
 * Bits nobody defines: gaps in device tables, the 42..49 reserved range,
 * bits that only later spec versions assign (net 50, 64), bits of device
 * types without feature bits, and bits past 127.
 */
static const struct feature_case unnamed_cases[] = {
    {VIRTIO_ID_BLOCK, 3, NO_UAPI, NULL},   {VIRTIO_ID_BLOCK, 8, NO_UAPI, NULL},
    {VIRTIO_ID_BLOCK, 18, NO_UAPI, NULL},  {VIRTIO_ID_BLOCK, 23, NO_UAPI, NULL},
    {VIRTIO_ID_BLOCK, 63, NO_UAPI, NULL},  {VIRTIO_ID_NET, 4, NO_UAPI, NULL},
    {VIRTIO_ID_NET, 42, NO_UAPI, NULL},	   {VIRTIO_ID_NET, 49, NO_UAPI, NULL},
    {VIRTIO_ID_NET, 50, NO_UAPI, NULL},	   {VIRTIO_ID_NET, 58, NO_UAPI, NULL},
    {VIRTIO_ID_NET, 64, NO_UAPI, NULL},	   {VIRTIO_ID_NET, 127, NO_UAPI, NULL},
    {VIRTIO_ID_NET, 128, NO_UAPI, NULL},   {VIRTIO_ID_NET, 1000, NO_UAPI, NULL},
    {VIRTIO_ID_CONSOLE, 3, NO_UAPI, NULL}, {VIRTIO_ID_RNG, 0, NO_UAPI, NULL},
    {VIRTIO_ID_INPUT, 0, NO_UAPI, NULL},   {VIRTIO_ID_RPMB, 0, NO_UAPI, NULL},
    {VIRTIO_ID_CAN, 0, NO_UAPI, NULL},	   {VIRTIO_ID_MEM, 2, NO_UAPI, NULL},
    {VIRTIO_ID_IOMMU, 7, NO_UAPI, NULL},   {0, 0, NO_UAPI, NULL},
    {ID_UNKNOWN, 0, NO_UAPI, NULL},	   {UINT32_MAX, 15, NO_UAPI, NULL},
};

static void test_unnamed_features(void **state)
{
	(void)state;
	check_feature_cases(unnamed_cases, ARRAY_SIZE(unnamed_cases));
}

/* A device's bit is its own: the same number means something else elsewhere. */
static void test_features_per_device(void **state)
{
	(void)state;
	assert_string_equal(vq_feature_name(VIRTIO_ID_NET, 0), "VIRTIO_NET_F_CSUM");
	assert_string_equal(vq_feature_name(VIRTIO_ID_BLOCK, 0), "VIRTIO_BLK_F_BARRIER");
	assert_string_equal(vq_feature_name(VIRTIO_ID_CONSOLE, 0), "VIRTIO_CONSOLE_F_SIZE");
	assert_string_equal(vq_feature_name(VIRTIO_ID_NET, 17), "VIRTIO_NET_F_CTRL_VQ");
	assert_string_equal(vq_feature_name(VIRTIO_ID_BLOCK, 17), "VIRTIO_BLK_F_ZONED");
	assert_null(vq_feature_name(VIRTIO_ID_CONSOLE, 17));
	/* 9 is FLUSH on blk, GUEST_ECN on net. */
	assert_string_equal(vq_feature_name(VIRTIO_ID_BLOCK, 9), "VIRTIO_BLK_F_FLUSH");
	assert_string_equal(vq_feature_name(VIRTIO_ID_NET, 9), "VIRTIO_NET_F_GUEST_ECN");
}

/* vq_feature_name_buf() never drops a bit: unknown ones become bit_N. */
static void test_feature_name_buf(void **state)
{
	char buf[16];
	char small[4];

	(void)state;
	assert_string_equal(vq_feature_name_buf(VIRTIO_ID_BLOCK, 3, buf, sizeof(buf)), "bit_3");
	assert_string_equal(vq_feature_name_buf(VIRTIO_ID_BLOCK, 127, buf, sizeof(buf)), "bit_127");
	assert_string_equal(vq_feature_name_buf(VIRTIO_ID_NET, 50, buf, sizeof(buf)), "bit_50");
	assert_string_equal(vq_feature_name_buf(VIRTIO_ID_RNG, 0, buf, sizeof(buf)), "bit_0");
	assert_string_equal(vq_feature_name_buf(ID_UNKNOWN, 4000000000u, buf, sizeof(buf)),
			    "bit_4000000000");
	/* A known bit is the table's string, not a copy in @buf. */
	assert_string_equal(vq_feature_name_buf(VIRTIO_ID_NET, 15, buf, sizeof(buf)),
			    "VIRTIO_NET_F_MRG_RXBUF");
	assert_ptr_equal(vq_feature_name_buf(VIRTIO_ID_NET, 15, buf, sizeof(buf)),
			 vq_feature_name(VIRTIO_ID_NET, 15));
	assert_ptr_equal(vq_feature_name_buf(VIRTIO_ID_BLOCK, 3, buf, sizeof(buf)), buf);
	/* Too small a buffer truncates but stays terminated. */
	assert_string_equal(vq_feature_name_buf(VIRTIO_ID_BLOCK, 127, small, sizeof(small)), "bit");
	/* No buffer at all still gives a string. */
	assert_non_null(vq_feature_name_buf(VIRTIO_ID_BLOCK, 3, NULL, 0));
	assert_non_null(vq_feature_name_buf(VIRTIO_ID_BLOCK, 3, buf, 0));
}

/* Macro prefix each device type's own bits must carry. */
static const struct {
	uint32_t id;	    /* device type */
	const char *prefix; /* prefix of every device-specific name */
} prefixes[] = {
    {VIRTIO_ID_NET, "VIRTIO_NET_F_"},	      {VIRTIO_ID_BLOCK, "VIRTIO_BLK_F_"},
    {VIRTIO_ID_CONSOLE, "VIRTIO_CONSOLE_F_"}, {VIRTIO_ID_BALLOON, "VIRTIO_BALLOON_F_"},
    {VIRTIO_ID_SCSI, "VIRTIO_SCSI_F_"},	      {VIRTIO_ID_9P, "VIRTIO_9P_"},
    {VIRTIO_ID_GPU, "VIRTIO_GPU_F_"},	      {VIRTIO_ID_VSOCK, "VIRTIO_VSOCK_F_"},
    {VIRTIO_ID_CRYPTO, "VIRTIO_CRYPTO_F_"},   {VIRTIO_ID_IOMMU, "VIRTIO_IOMMU_F_"},
    {VIRTIO_ID_MEM, "VIRTIO_MEM_F_"},	      {VIRTIO_ID_SOUND, "VIRTIO_SND_F_"},
    {VIRTIO_ID_FS, "VIRTIO_FS_F_"},	      {VIRTIO_ID_PMEM, "VIRTIO_PMEM_F_"},
    {VIRTIO_ID_SCMI, "VIRTIO_SCMI_F_"},	      {VIRTIO_ID_I2C_ADAPTER, "VIRTIO_I2C_F_"},
    {VIRTIO_ID_GPIO, "VIRTIO_GPIO_F_"},
};

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *prefix_of(uint32_t id)
{
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (prefixes[i].id == id)
			return prefixes[i].prefix;
	return NULL;
}

/*
 * Over every device ID 0..64 and bit 0..127: names are spec macro names;
 * 24..41 only ever carry transport names (VIRTIO_F_*), other bits only the
 * device's own, and device types without feature bits name nothing there.
 */
static void test_feature_name_rules(void **state)
{
	size_t named = 0;
	size_t transport_named = 0;

	(void)state;
	for (uint32_t id = 0; id <= 64; id++) {
		const char *prefix = prefix_of(id);

		for (unsigned bit = 0; bit < FEATURE_BITS; bit++) {
			const char *name = vq_feature_name(id, bit);
			char buf[16];

			if (!name) {
				char want[16];

				snprintf(want, sizeof(want), "bit_%u", bit);
				assert_string_equal(vq_feature_name_buf(id, bit, buf, sizeof(buf)),
						    want);
				continue;
			}
			named++;
			assert_true(starts_with(name, "VIRTIO_"));
			assert_string_equal(vq_feature_name_buf(id, bit, buf, sizeof(buf)), name);
			if (bit >= 24 && bit <= 41) {
				assert_true(starts_with(name, "VIRTIO_F_"));
				continue;
			}
			assert_false(starts_with(name, "VIRTIO_F_"));
			assert_non_null(prefix);
			assert_true(starts_with(name, prefix));
		}
	}
	/*
	 * Nothing beyond the cases above is named: each of the 65 IDs sees
	 * every transport name, and device_feature_cases lists blk bit 9
	 * twice (FLUSH and its legacy alias WCE).
	 */
	for (size_t i = 0; i < ARRAY_SIZE(transport_cases); i++)
		if (transport_cases[i].name)
			transport_named++;
	assert_int_equal(named, 65 * transport_named + ARRAY_SIZE(device_feature_cases) - 1);
}

/* Quoted input bytes: printable ASCII as is, every other byte as \\xHH,
 * backslashes doubled for a quote, and a cut never splits an escape. */
static void test_escape(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(vq_escape("mapp\xd5" "d", VQ_ESC_DOUBLE_BS, out, sizeof(out)), "mapp\\xd5d");
	assert_string_equal(vq_escape("\x1b[2J\a\n", VQ_ESC_KEEP_BS, out, sizeof(out)),
			    "\\x1b[2J\\x07\\x0a");
	assert_string_equal(vq_escape("a\\b", VQ_ESC_DOUBLE_BS, out, sizeof(out)), "a\\\\b");
	assert_string_equal(vq_escape("a\\b", VQ_ESC_KEEP_BS, out, sizeof(out)), "a\\b");
	assert_string_equal(vq_escape("\x7f~ ", VQ_ESC_KEEP_BS, out, sizeof(out)), "\\x7f~ ");
	/* Room for "ab", one escape and the NUL (7 bytes), not for a
	 * second escape; with 6, not for the first either. */
	assert_string_equal(vq_escape("ab\x80\x81", VQ_ESC_KEEP_BS, out, 7), "ab\\x80");
	assert_string_equal(vq_escape("ab\x80\x81", VQ_ESC_KEEP_BS, out, 6), "ab");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_device_ids),
	    cmocka_unit_test(test_device_ids_unknown),
	    cmocka_unit_test(test_device_ids_count),
	    cmocka_unit_test(test_device_short_names_json_safe),
	    cmocka_unit_test(test_status_bits),
	    cmocka_unit_test(test_device_features),
	    cmocka_unit_test(test_transport_features),
	    cmocka_unit_test(test_unnamed_features),
	    cmocka_unit_test(test_features_per_device),
	    cmocka_unit_test(test_feature_name_buf),
	    cmocka_unit_test(test_feature_name_rules),
	    cmocka_unit_test(test_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
