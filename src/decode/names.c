/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Name tables for virtio device IDs, device status bits and feature bits. */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/virtio_9p.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_console.h>
#include <linux/virtio_crypto.h>
#include <linux/virtio_fs.h>
#include <linux/virtio_gpio.h>
#include <linux/virtio_gpu.h>
#include <linux/virtio_i2c.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_iommu.h>
#include <linux/virtio_mem.h>
#include <linux/virtio_net.h>
#include <linux/virtio_pmem.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_scmi.h>
#include <linux/virtio_scsi.h>
#include <linux/virtio_snd.h>
#include <linux/virtio_vsock.h>

#include "names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * What the installed UAPI headers may lack.  Older kernels predate some of
 * these, and the legacy bits disappear under *_NO_LEGACY, so every one is
 * guarded; the values are the spec's (virtio 1.3, csd01).
 */

/* Chapter 5, "Device Types", the table of device IDs. */
#ifndef VIRTIO_ID_RDMA
#define VIRTIO_ID_RDMA 42
#endif
#ifndef VIRTIO_ID_CAMERA
#define VIRTIO_ID_CAMERA 43
#endif
#ifndef VIRTIO_ID_ISM
#define VIRTIO_ID_ISM 44
#endif
#ifndef VIRTIO_ID_SPI
#define VIRTIO_ID_SPI 45
#endif

/* Chapter 6, "Reserved Feature Bits". */
#ifndef VIRTIO_F_NOTIFY_ON_EMPTY
#define VIRTIO_F_NOTIFY_ON_EMPTY 24 /* 6.3, legacy */
#endif
#ifndef VIRTIO_F_ANY_LAYOUT
#define VIRTIO_F_ANY_LAYOUT 27 /* 6.3, legacy */
#endif
/*
 * 6.3 calls bit 30 "UNUSED": QEMU sets it to catch drivers that accept
 * everything offered.  QEMU's name is used so the bit reads as what it is.
 */
#ifndef VIRTIO_F_BAD_FEATURE
#define VIRTIO_F_BAD_FEATURE 30
#endif
#ifndef VIRTIO_F_NOTIFICATION_DATA
#define VIRTIO_F_NOTIFICATION_DATA 38
#endif
#ifndef VIRTIO_F_NOTIF_CONFIG_DATA
#define VIRTIO_F_NOTIF_CONFIG_DATA 39
#endif
#ifndef VIRTIO_F_ADMIN_VQ
#define VIRTIO_F_ADMIN_VQ 41
#endif

/* "Device Types / Network Device / Feature bits" (and its legacy part). */
#ifndef VIRTIO_NET_F_GSO
#define VIRTIO_NET_F_GSO 6
#endif
#ifndef VIRTIO_NET_F_HASH_TUNNEL
#define VIRTIO_NET_F_HASH_TUNNEL 51
#endif
#ifndef VIRTIO_NET_F_VQ_NOTF_COAL
#define VIRTIO_NET_F_VQ_NOTF_COAL 52
#endif
#ifndef VIRTIO_NET_F_NOTF_COAL
#define VIRTIO_NET_F_NOTF_COAL 53
#endif
#ifndef VIRTIO_NET_F_GUEST_USO4
#define VIRTIO_NET_F_GUEST_USO4 54
#endif
#ifndef VIRTIO_NET_F_GUEST_USO6
#define VIRTIO_NET_F_GUEST_USO6 55
#endif
#ifndef VIRTIO_NET_F_HOST_USO
#define VIRTIO_NET_F_HOST_USO 56
#endif
#ifndef VIRTIO_NET_F_GUEST_HDRLEN
#define VIRTIO_NET_F_GUEST_HDRLEN 59
#endif

/* "Device Types / Block Device / Feature bits" (and its legacy part). */
#ifndef VIRTIO_BLK_F_BARRIER
#define VIRTIO_BLK_F_BARRIER 0
#endif
#ifndef VIRTIO_BLK_F_SCSI
#define VIRTIO_BLK_F_SCSI 7
#endif
#ifndef VIRTIO_BLK_F_FLUSH
#define VIRTIO_BLK_F_FLUSH 9
#endif
#ifndef VIRTIO_BLK_F_CONFIG_WCE
#define VIRTIO_BLK_F_CONFIG_WCE 11
#endif
#ifndef VIRTIO_BLK_F_LIFETIME
#define VIRTIO_BLK_F_LIFETIME 15
#endif
#ifndef VIRTIO_BLK_F_SECURE_ERASE
#define VIRTIO_BLK_F_SECURE_ERASE 16
#endif
#ifndef VIRTIO_BLK_F_ZONED
#define VIRTIO_BLK_F_ZONED 17
#endif

/* "Device Types / Socket Device / Feature bits". */
#ifndef VIRTIO_VSOCK_F_STREAM
#define VIRTIO_VSOCK_F_STREAM 0
#endif
#ifndef VIRTIO_VSOCK_F_SEQPACKET
#define VIRTIO_VSOCK_F_SEQPACKET 1
#endif
#ifndef VIRTIO_VSOCK_F_NO_IMPLIED_STREAM
#define VIRTIO_VSOCK_F_NO_IMPLIED_STREAM 2
#endif

/* "Device Types / File System Device / Feature bits". */
#ifndef VIRTIO_FS_F_NOTIFICATION
#define VIRTIO_FS_F_NOTIFICATION 0
#endif

/* "Device Types / Sound Device / Feature Bits". */
#ifndef VIRTIO_SND_F_CTLS
#define VIRTIO_SND_F_CTLS 0
#endif

/* "Device Types / PMEM Device / Feature bits". */
#ifndef VIRTIO_PMEM_F_SHMEM_REGION
#define VIRTIO_PMEM_F_SHMEM_REGION 0
#endif

/* "Device Types / Crypto Device / Feature bits". */
#ifndef VIRTIO_CRYPTO_F_REVISION_1
#define VIRTIO_CRYPTO_F_REVISION_1 0
#endif
#ifndef VIRTIO_CRYPTO_F_CIPHER_STATELESS_MODE
#define VIRTIO_CRYPTO_F_CIPHER_STATELESS_MODE 1
#endif
#ifndef VIRTIO_CRYPTO_F_HASH_STATELESS_MODE
#define VIRTIO_CRYPTO_F_HASH_STATELESS_MODE 2
#endif
#ifndef VIRTIO_CRYPTO_F_MAC_STATELESS_MODE
#define VIRTIO_CRYPTO_F_MAC_STATELESS_MODE 3
#endif
#ifndef VIRTIO_CRYPTO_F_AEAD_STATELESS_MODE
#define VIRTIO_CRYPTO_F_AEAD_STATELESS_MODE 4
#endif
#ifndef VIRTIO_CRYPTO_F_AKCIPHER_STATELESS_MODE
#define VIRTIO_CRYPTO_F_AKCIPHER_STATELESS_MODE 5
#endif

/*
 * A header from a newer kernel wins the #ifndef above; if it ever disagreed
 * with the spec's numbers, the tables below would silently shift.
 */
_Static_assert(VIRTIO_ID_RDMA == 42 && VIRTIO_ID_CAMERA == 43 && VIRTIO_ID_ISM == 44 &&
		   VIRTIO_ID_SPI == 45,
	       "device IDs 42..45 differ from virtio 1.3");
_Static_assert(VIRTIO_F_NOTIFICATION_DATA == 38 && VIRTIO_F_NOTIF_CONFIG_DATA == 39 &&
		   VIRTIO_F_ADMIN_VQ == 41,
	       "transport feature bits differ from virtio 1.3");

/* Feature bits 24..41 belong to the transport for every device type (2.2). */
#define TRANSPORT_F_FIRST 24
#define TRANSPORT_F_LAST 41
/* The spec gives feature bits up to 127; 128 and above are reserved (2.2). */
#define FEATURE_BITS 128

/* Short and long name of one device type. */
struct device_name {
	const char *short_name; /* JSON "type": lower case, no spaces */
	const char *long_name;	/* as the spec's device ID table writes it */
};

/*
 * Chapter 5 table.  IDs 14, 15 and 37 are absent from it (Linux's
 * VIRTIO_ID_DMABUF 37 is not a spec assignment), so they stay NULL.
 */
static const struct device_name device_names[] = {
    [0] = {"reserved", "reserved (invalid)"},
    [VIRTIO_ID_NET] = {"net", "network device"},
    [VIRTIO_ID_BLOCK] = {"blk", "block device"},
    [VIRTIO_ID_CONSOLE] = {"console", "console"},
    [VIRTIO_ID_RNG] = {"rng", "entropy source"},
    [VIRTIO_ID_BALLOON] = {"balloon", "memory ballooning (traditional)"},
    [VIRTIO_ID_IOMEM] = {"iomem", "ioMemory"},
    [VIRTIO_ID_RPMSG] = {"rpmsg", "rpmsg"},
    [VIRTIO_ID_SCSI] = {"scsi", "SCSI host"},
    [VIRTIO_ID_9P] = {"9p", "9P transport"},
    [VIRTIO_ID_MAC80211_WLAN] = {"wlan", "mac80211 wlan"},
    [VIRTIO_ID_RPROC_SERIAL] = {"rproc-serial", "rproc serial"},
    [VIRTIO_ID_CAIF] = {"caif", "virtio CAIF"},
    [VIRTIO_ID_MEMORY_BALLOON] = {"memballoon", "memory balloon"},
    [VIRTIO_ID_GPU] = {"gpu", "GPU device"},
    [VIRTIO_ID_CLOCK] = {"clock", "Timer/Clock device"},
    [VIRTIO_ID_INPUT] = {"input", "Input device"},
    [VIRTIO_ID_VSOCK] = {"vsock", "Socket device"},
    [VIRTIO_ID_CRYPTO] = {"crypto", "Crypto device"},
    [VIRTIO_ID_SIGNAL_DIST] = {"sdm", "Signal Distribution Module"},
    [VIRTIO_ID_PSTORE] = {"pstore", "pstore device"},
    [VIRTIO_ID_IOMMU] = {"iommu", "IOMMU device"},
    [VIRTIO_ID_MEM] = {"mem", "Memory device"},
    [VIRTIO_ID_SOUND] = {"sound", "Sound device"},
    [VIRTIO_ID_FS] = {"fs", "file system device"},
    [VIRTIO_ID_PMEM] = {"pmem", "PMEM device"},
    [VIRTIO_ID_RPMB] = {"rpmb", "RPMB device"},
    [VIRTIO_ID_MAC80211_HWSIM] = {"hwsim", "mac80211 hwsim wireless simulation device"},
    [VIRTIO_ID_VIDEO_ENCODER] = {"video-enc", "Video encoder device"},
    [VIRTIO_ID_VIDEO_DECODER] = {"video-dec", "Video decoder device"},
    [VIRTIO_ID_SCMI] = {"scmi", "SCMI device"},
    [VIRTIO_ID_NITRO_SEC_MOD] = {"nsm", "NitroSecureModule"},
    [VIRTIO_ID_I2C_ADAPTER] = {"i2c", "I2C adapter"},
    [VIRTIO_ID_WATCHDOG] = {"watchdog", "Watchdog"},
    [VIRTIO_ID_CAN] = {"can", "CAN device"},
    [VIRTIO_ID_PARAM_SERV] = {"param-server", "Parameter Server"},
    [VIRTIO_ID_AUDIO_POLICY] = {"audio-policy", "Audio policy device"},
    [VIRTIO_ID_BT] = {"bt", "Bluetooth device"},
    [VIRTIO_ID_GPIO] = {"gpio", "GPIO device"},
    [VIRTIO_ID_RDMA] = {"rdma", "RDMA device"},
    [VIRTIO_ID_CAMERA] = {"camera", "Camera device"},
    [VIRTIO_ID_ISM] = {"ism", "ISM device"},
    [VIRTIO_ID_SPI] = {"spi", "SPI master"},
};

/*
 * Device status (2.1).  The UAPI gives masks, not bit numbers, so the
 * table is indexed by bit and tied to the masks below.  Bits 4 and 5 are
 * unused by the spec.
 */
static const char *const status_names[8] = {
    [0] = "ACKNOWLEDGE",	/* 1 */
    [1] = "DRIVER",		/* 2 */
    [2] = "DRIVER_OK",		/* 4 */
    [3] = "FEATURES_OK",	/* 8 */
    [6] = "DEVICE_NEEDS_RESET", /* 64 */
    [7] = "FAILED",		/* 128 */
};

_Static_assert(VIRTIO_CONFIG_S_ACKNOWLEDGE == 1u << 0, "ACKNOWLEDGE is not bit 0");
_Static_assert(VIRTIO_CONFIG_S_DRIVER == 1u << 1, "DRIVER is not bit 1");
_Static_assert(VIRTIO_CONFIG_S_DRIVER_OK == 1u << 2, "DRIVER_OK is not bit 2");
_Static_assert(VIRTIO_CONFIG_S_FEATURES_OK == 1u << 3, "FEATURES_OK is not bit 3");
_Static_assert(VIRTIO_CONFIG_S_NEEDS_RESET == 1u << 6, "DEVICE_NEEDS_RESET is not bit 6");
_Static_assert(VIRTIO_CONFIG_S_FAILED == 1u << 7, "FAILED is not bit 7");

/*
 * Chapter 6.  The spec renamed VIRTIO_RING_F_INDIRECT_DESC and
 * VIRTIO_RING_F_EVENT_IDX (Linux's names, kept as the index) to
 * VIRTIO_F_INDIRECT_DESC and VIRTIO_F_EVENT_IDX; the output uses the spec's.
 */
static const char *const transport_features[] = {
    [VIRTIO_F_NOTIFY_ON_EMPTY] = "VIRTIO_F_NOTIFY_ON_EMPTY",
    [VIRTIO_F_ANY_LAYOUT] = "VIRTIO_F_ANY_LAYOUT",
    [VIRTIO_RING_F_INDIRECT_DESC] = "VIRTIO_F_INDIRECT_DESC",
    [VIRTIO_RING_F_EVENT_IDX] = "VIRTIO_F_EVENT_IDX",
    [VIRTIO_F_BAD_FEATURE] = "VIRTIO_F_BAD_FEATURE",
    [VIRTIO_F_VERSION_1] = "VIRTIO_F_VERSION_1",
    [VIRTIO_F_ACCESS_PLATFORM] = "VIRTIO_F_ACCESS_PLATFORM",
    [VIRTIO_F_RING_PACKED] = "VIRTIO_F_RING_PACKED",
    [VIRTIO_F_IN_ORDER] = "VIRTIO_F_IN_ORDER",
    [VIRTIO_F_ORDER_PLATFORM] = "VIRTIO_F_ORDER_PLATFORM",
    [VIRTIO_F_SR_IOV] = "VIRTIO_F_SR_IOV",
    [VIRTIO_F_NOTIFICATION_DATA] = "VIRTIO_F_NOTIFICATION_DATA",
    [VIRTIO_F_NOTIF_CONFIG_DATA] = "VIRTIO_F_NOTIF_CONFIG_DATA",
    [VIRTIO_F_RING_RESET] = "VIRTIO_F_RING_RESET",
    [VIRTIO_F_ADMIN_VQ] = "VIRTIO_F_ADMIN_VQ",
};

/*
 * Network device.  Bit 50 (DEVICE_STATS), 64 (RSS_CONTEXT) and the legacy
 * GUEST_RSC4/6 (41/42) came after 1.3 and are not named here.
 */
static const char *const net_features[] = {
    [VIRTIO_NET_F_CSUM] = "VIRTIO_NET_F_CSUM",
    [VIRTIO_NET_F_GUEST_CSUM] = "VIRTIO_NET_F_GUEST_CSUM",
    [VIRTIO_NET_F_CTRL_GUEST_OFFLOADS] = "VIRTIO_NET_F_CTRL_GUEST_OFFLOADS",
    [VIRTIO_NET_F_MTU] = "VIRTIO_NET_F_MTU",
    [VIRTIO_NET_F_MAC] = "VIRTIO_NET_F_MAC",
    [VIRTIO_NET_F_GSO] = "VIRTIO_NET_F_GSO",
    [VIRTIO_NET_F_GUEST_TSO4] = "VIRTIO_NET_F_GUEST_TSO4",
    [VIRTIO_NET_F_GUEST_TSO6] = "VIRTIO_NET_F_GUEST_TSO6",
    [VIRTIO_NET_F_GUEST_ECN] = "VIRTIO_NET_F_GUEST_ECN",
    [VIRTIO_NET_F_GUEST_UFO] = "VIRTIO_NET_F_GUEST_UFO",
    [VIRTIO_NET_F_HOST_TSO4] = "VIRTIO_NET_F_HOST_TSO4",
    [VIRTIO_NET_F_HOST_TSO6] = "VIRTIO_NET_F_HOST_TSO6",
    [VIRTIO_NET_F_HOST_ECN] = "VIRTIO_NET_F_HOST_ECN",
    [VIRTIO_NET_F_HOST_UFO] = "VIRTIO_NET_F_HOST_UFO",
    [VIRTIO_NET_F_MRG_RXBUF] = "VIRTIO_NET_F_MRG_RXBUF",
    [VIRTIO_NET_F_STATUS] = "VIRTIO_NET_F_STATUS",
    [VIRTIO_NET_F_CTRL_VQ] = "VIRTIO_NET_F_CTRL_VQ",
    [VIRTIO_NET_F_CTRL_RX] = "VIRTIO_NET_F_CTRL_RX",
    [VIRTIO_NET_F_CTRL_VLAN] = "VIRTIO_NET_F_CTRL_VLAN",
    [VIRTIO_NET_F_CTRL_RX_EXTRA] = "VIRTIO_NET_F_CTRL_RX_EXTRA",
    [VIRTIO_NET_F_GUEST_ANNOUNCE] = "VIRTIO_NET_F_GUEST_ANNOUNCE",
    [VIRTIO_NET_F_MQ] = "VIRTIO_NET_F_MQ",
    [VIRTIO_NET_F_CTRL_MAC_ADDR] = "VIRTIO_NET_F_CTRL_MAC_ADDR",
    [VIRTIO_NET_F_HASH_TUNNEL] = "VIRTIO_NET_F_HASH_TUNNEL",
    [VIRTIO_NET_F_VQ_NOTF_COAL] = "VIRTIO_NET_F_VQ_NOTF_COAL",
    [VIRTIO_NET_F_NOTF_COAL] = "VIRTIO_NET_F_NOTF_COAL",
    [VIRTIO_NET_F_GUEST_USO4] = "VIRTIO_NET_F_GUEST_USO4",
    [VIRTIO_NET_F_GUEST_USO6] = "VIRTIO_NET_F_GUEST_USO6",
    [VIRTIO_NET_F_HOST_USO] = "VIRTIO_NET_F_HOST_USO",
    [VIRTIO_NET_F_HASH_REPORT] = "VIRTIO_NET_F_HASH_REPORT",
    [VIRTIO_NET_F_GUEST_HDRLEN] = "VIRTIO_NET_F_GUEST_HDRLEN",
    [VIRTIO_NET_F_RSS] = "VIRTIO_NET_F_RSS",
    [VIRTIO_NET_F_RSC_EXT] = "VIRTIO_NET_F_RSC_EXT",
    [VIRTIO_NET_F_STANDBY] = "VIRTIO_NET_F_STANDBY",
    [VIRTIO_NET_F_SPEED_DUPLEX] = "VIRTIO_NET_F_SPEED_DUPLEX",
};

/*
 * Block device.  Legacy drivers called bit 9 VIRTIO_BLK_F_WCE; the spec's
 * current name is used.
 */
static const char *const blk_features[] = {
    [VIRTIO_BLK_F_BARRIER] = "VIRTIO_BLK_F_BARRIER",
    [VIRTIO_BLK_F_SIZE_MAX] = "VIRTIO_BLK_F_SIZE_MAX",
    [VIRTIO_BLK_F_SEG_MAX] = "VIRTIO_BLK_F_SEG_MAX",
    [VIRTIO_BLK_F_GEOMETRY] = "VIRTIO_BLK_F_GEOMETRY",
    [VIRTIO_BLK_F_RO] = "VIRTIO_BLK_F_RO",
    [VIRTIO_BLK_F_BLK_SIZE] = "VIRTIO_BLK_F_BLK_SIZE",
    [VIRTIO_BLK_F_SCSI] = "VIRTIO_BLK_F_SCSI",
    [VIRTIO_BLK_F_FLUSH] = "VIRTIO_BLK_F_FLUSH",
    [VIRTIO_BLK_F_TOPOLOGY] = "VIRTIO_BLK_F_TOPOLOGY",
    [VIRTIO_BLK_F_CONFIG_WCE] = "VIRTIO_BLK_F_CONFIG_WCE",
    [VIRTIO_BLK_F_MQ] = "VIRTIO_BLK_F_MQ",
    [VIRTIO_BLK_F_DISCARD] = "VIRTIO_BLK_F_DISCARD",
    [VIRTIO_BLK_F_WRITE_ZEROES] = "VIRTIO_BLK_F_WRITE_ZEROES",
    [VIRTIO_BLK_F_LIFETIME] = "VIRTIO_BLK_F_LIFETIME",
    [VIRTIO_BLK_F_SECURE_ERASE] = "VIRTIO_BLK_F_SECURE_ERASE",
    [VIRTIO_BLK_F_ZONED] = "VIRTIO_BLK_F_ZONED",
};

static const char *const console_features[] = {
    [VIRTIO_CONSOLE_F_SIZE] = "VIRTIO_CONSOLE_F_SIZE",
    [VIRTIO_CONSOLE_F_MULTIPORT] = "VIRTIO_CONSOLE_F_MULTIPORT",
    [VIRTIO_CONSOLE_F_EMERG_WRITE] = "VIRTIO_CONSOLE_F_EMERG_WRITE",
};

/*
 * Traditional balloon.  Linux calls bit 5 VIRTIO_BALLOON_F_REPORTING; the
 * spec calls it VIRTIO_BALLOON_F_PAGE_REPORTING.
 */
static const char *const balloon_features[] = {
    [VIRTIO_BALLOON_F_MUST_TELL_HOST] = "VIRTIO_BALLOON_F_MUST_TELL_HOST",
    [VIRTIO_BALLOON_F_STATS_VQ] = "VIRTIO_BALLOON_F_STATS_VQ",
    [VIRTIO_BALLOON_F_DEFLATE_ON_OOM] = "VIRTIO_BALLOON_F_DEFLATE_ON_OOM",
    [VIRTIO_BALLOON_F_FREE_PAGE_HINT] = "VIRTIO_BALLOON_F_FREE_PAGE_HINT",
    [VIRTIO_BALLOON_F_PAGE_POISON] = "VIRTIO_BALLOON_F_PAGE_POISON",
    [VIRTIO_BALLOON_F_REPORTING] = "VIRTIO_BALLOON_F_PAGE_REPORTING",
};

static const char *const scsi_features[] = {
    [VIRTIO_SCSI_F_INOUT] = "VIRTIO_SCSI_F_INOUT",
    [VIRTIO_SCSI_F_HOTPLUG] = "VIRTIO_SCSI_F_HOTPLUG",
    [VIRTIO_SCSI_F_CHANGE] = "VIRTIO_SCSI_F_CHANGE",
    [VIRTIO_SCSI_F_T10_PI] = "VIRTIO_SCSI_F_T10_PI",
};

static const char *const gpu_features[] = {
    [VIRTIO_GPU_F_VIRGL] = "VIRTIO_GPU_F_VIRGL",
    [VIRTIO_GPU_F_EDID] = "VIRTIO_GPU_F_EDID",
    [VIRTIO_GPU_F_RESOURCE_UUID] = "VIRTIO_GPU_F_RESOURCE_UUID",
    [VIRTIO_GPU_F_RESOURCE_BLOB] = "VIRTIO_GPU_F_RESOURCE_BLOB",
    [VIRTIO_GPU_F_CONTEXT_INIT] = "VIRTIO_GPU_F_CONTEXT_INIT",
};

static const char *const crypto_features[] = {
    [VIRTIO_CRYPTO_F_REVISION_1] = "VIRTIO_CRYPTO_F_REVISION_1",
    [VIRTIO_CRYPTO_F_CIPHER_STATELESS_MODE] = "VIRTIO_CRYPTO_F_CIPHER_STATELESS_MODE",
    [VIRTIO_CRYPTO_F_HASH_STATELESS_MODE] = "VIRTIO_CRYPTO_F_HASH_STATELESS_MODE",
    [VIRTIO_CRYPTO_F_MAC_STATELESS_MODE] = "VIRTIO_CRYPTO_F_MAC_STATELESS_MODE",
    [VIRTIO_CRYPTO_F_AEAD_STATELESS_MODE] = "VIRTIO_CRYPTO_F_AEAD_STATELESS_MODE",
    [VIRTIO_CRYPTO_F_AKCIPHER_STATELESS_MODE] = "VIRTIO_CRYPTO_F_AKCIPHER_STATELESS_MODE",
};

static const char *const vsock_features[] = {
    [VIRTIO_VSOCK_F_STREAM] = "VIRTIO_VSOCK_F_STREAM",
    [VIRTIO_VSOCK_F_SEQPACKET] = "VIRTIO_VSOCK_F_SEQPACKET",
    [VIRTIO_VSOCK_F_NO_IMPLIED_STREAM] = "VIRTIO_VSOCK_F_NO_IMPLIED_STREAM",
};

static const char *const fs_features[] = {
    [VIRTIO_FS_F_NOTIFICATION] = "VIRTIO_FS_F_NOTIFICATION",
};

static const char *const iommu_features[] = {
    [VIRTIO_IOMMU_F_INPUT_RANGE] = "VIRTIO_IOMMU_F_INPUT_RANGE",
    [VIRTIO_IOMMU_F_DOMAIN_RANGE] = "VIRTIO_IOMMU_F_DOMAIN_RANGE",
    [VIRTIO_IOMMU_F_MAP_UNMAP] = "VIRTIO_IOMMU_F_MAP_UNMAP",
    [VIRTIO_IOMMU_F_BYPASS] = "VIRTIO_IOMMU_F_BYPASS",
    [VIRTIO_IOMMU_F_PROBE] = "VIRTIO_IOMMU_F_PROBE",
    [VIRTIO_IOMMU_F_MMIO] = "VIRTIO_IOMMU_F_MMIO",
    [VIRTIO_IOMMU_F_BYPASS_CONFIG] = "VIRTIO_IOMMU_F_BYPASS_CONFIG",
};

static const char *const sound_features[] = {
    [VIRTIO_SND_F_CTLS] = "VIRTIO_SND_F_CTLS",
};

static const char *const mem_features[] = {
    [VIRTIO_MEM_F_ACPI_PXM] = "VIRTIO_MEM_F_ACPI_PXM",
    [VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE] = "VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE",
};

static const char *const i2c_features[] = {
    [VIRTIO_I2C_F_ZERO_LENGTH_REQUEST] = "VIRTIO_I2C_F_ZERO_LENGTH_REQUEST",
};

static const char *const scmi_features[] = {
    [VIRTIO_SCMI_F_P2A_CHANNELS] = "VIRTIO_SCMI_F_P2A_CHANNELS",
    [VIRTIO_SCMI_F_SHARED_MEMORY] = "VIRTIO_SCMI_F_SHARED_MEMORY",
};

static const char *const gpio_features[] = {
    [VIRTIO_GPIO_F_IRQ] = "VIRTIO_GPIO_F_IRQ",
};

static const char *const pmem_features[] = {
    [VIRTIO_PMEM_F_SHMEM_REGION] = "VIRTIO_PMEM_F_SHMEM_REGION",
};

/*
 * The spec leaves the 9P transport unspecified; Linux and QEMU agree on
 * bit 0 (the config space carries a mount tag), so the UAPI name is used.
 */
static const char *const p9_features[] = {
    [VIRTIO_9P_MOUNT_TAG] = "VIRTIO_9P_MOUNT_TAG",
};

/* The feature-bit names of one device type. */
struct feature_table {
	const char *const *names; /* indexed by bit; NULL where unnamed */
	size_t count;		  /* entries in @names */
};

#define FEATURES(a)                                                                                \
	{                                                                                          \
		(a), ARRAY_SIZE(a)                                                                 \
	}

/* Device types without feature bits (input, rng, ...) have no entry. */
static const struct feature_table device_features[] = {
    [VIRTIO_ID_NET] = FEATURES(net_features),
    [VIRTIO_ID_BLOCK] = FEATURES(blk_features),
    [VIRTIO_ID_CONSOLE] = FEATURES(console_features),
    [VIRTIO_ID_BALLOON] = FEATURES(balloon_features),
    [VIRTIO_ID_SCSI] = FEATURES(scsi_features),
    [VIRTIO_ID_9P] = FEATURES(p9_features),
    [VIRTIO_ID_GPU] = FEATURES(gpu_features),
    [VIRTIO_ID_VSOCK] = FEATURES(vsock_features),
    [VIRTIO_ID_CRYPTO] = FEATURES(crypto_features),
    [VIRTIO_ID_IOMMU] = FEATURES(iommu_features),
    [VIRTIO_ID_MEM] = FEATURES(mem_features),
    [VIRTIO_ID_SOUND] = FEATURES(sound_features),
    [VIRTIO_ID_FS] = FEATURES(fs_features),
    [VIRTIO_ID_PMEM] = FEATURES(pmem_features),
    [VIRTIO_ID_SCMI] = FEATURES(scmi_features),
    [VIRTIO_ID_I2C_ADAPTER] = FEATURES(i2c_features),
    [VIRTIO_ID_GPIO] = FEATURES(gpio_features),
};

/* Entry @i of a sparse name table, or NULL past its end. */
static const char *table_lookup(const char *const *names, size_t count, size_t i)
{
	if (i >= count)
		return NULL;
	return names[i];
}

static const struct device_name *device_name(uint32_t id)
{
	if (id >= ARRAY_SIZE(device_names))
		return NULL;
	return &device_names[id];
}

const char *vq_device_short_name(uint32_t id)
{
	const struct device_name *d = device_name(id);

	return d ? d->short_name : NULL;
}

const char *vq_device_long_name(uint32_t id)
{
	const struct device_name *d = device_name(id);

	return d ? d->long_name : NULL;
}

const char *vq_status_bit_name(unsigned bit)
{
	return table_lookup(status_names, ARRAY_SIZE(status_names), bit);
}

const char *vq_feature_name(uint32_t device_id, unsigned bit)
{
	const struct feature_table *t;

	if (bit >= FEATURE_BITS)
		return NULL;
	/*
	 * Decide by range, not by which table has an entry: 24..41 mean the
	 * same on every device, so a device table can never shadow them.
	 */
	if (bit >= TRANSPORT_F_FIRST && bit <= TRANSPORT_F_LAST)
		return table_lookup(transport_features, ARRAY_SIZE(transport_features), bit);
	if (device_id >= ARRAY_SIZE(device_features))
		return NULL;
	t = &device_features[device_id];
	return table_lookup(t->names, t->count, bit);
}

const char *vq_feature_name_buf(uint32_t device_id, unsigned bit, char *buf, size_t len)
{
	const char *name = vq_feature_name(device_id, bit);

	if (name)
		return name;
	/* The contract is "never NULL", even for a caller with no buffer. */
	if (!buf || len == 0)
		return "bit_?";
	snprintf(buf, len, "bit_%u", bit);
	return buf;
}
