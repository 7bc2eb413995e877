/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Devices a dumped Linux registered: every virtio_device with a vring_virtqueue, from the kernel's own records in the image (--core). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "../decode/errbuf.h"
#include "kvq.h"
#include "transport.h"

/*
 * A dump holds memory, not devices: what is known of a device is what
 * the guest kernel wrote down (access/kvq.h finds its records without
 * debuginfo).  Each value is marked "kernel"; what the kernel does not
 * keep (the status register, the features the device offered, the
 * device configuration) is left unknown, and the status is the one the
 * kernel's records imply, said so in the device's source note.
 */

/* The status Linux's virtio core had set, from what it records
 * (drivers/virtio/virtio.c: ACKNOWLEDGE at registration, DRIVER at probe,
 * FEATURES_OK for VERSION_1, DRIVER_OK before config_enabled, FAILED when
 * probe failed). */
static uint8_t implied_status(const struct vq_kvdev *k)
{
	uint8_t st = VIRTIO_CONFIG_S_ACKNOWLEDGE;

	if (k->failed == 1)
		return st | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FAILED;
	if (k->bound != 1)
		return st;
	st |= VIRTIO_CONFIG_S_DRIVER;
	if (k->have_features && (k->features >> VIRTIO_F_VERSION_1) & 1)
		st |= VIRTIO_CONFIG_S_FEATURES_OK;
	if (k->config_enabled == 1)
		st |= VIRTIO_CONFIG_S_DRIVER_OK;
	return st;
}

/* The interface Linux drove, from what it negotiated: 1 modern (VERSION_1),
 * 0 legacy, -1 not known (no driver negotiated anything). */
static int modern(const struct vq_kvdev *k)
{
	if (!k->have_features || k->bound != 1 || !k->features)
		return -1;
	return (k->features >> VIRTIO_F_VERSION_1) & 1;
}

/* Identity, transport and state of @d from the kernel's @k. */
static void fill_device(struct vq_dev *d, const struct vq_kvdev *k, const char *how)
{
	snprintf(d->virtio_name, sizeof(d->virtio_name), "virtio%u", k->index);
	d->device_id = k->device_id;
	d->vendor_id = k->vendor;
	if (k->pci) {
		/* virtio-pci tries the modern interface first: a legacy
		 * negotiation means a legacy-only device. */
		d->kind = modern(k) == 0 ? VQ_T_PCI_LEGACY : VQ_T_PCI;
		memcpy(d->name, k->parent, strlen(k->parent) < sizeof(d->name) ? strlen(k->parent) : 0);
	} else if (k->mmio_base) {
		d->kind = VQ_T_MMIO;
		snprintf(d->name, sizeof(d->name), "mmio:0x%llx", (unsigned long long)k->mmio_base);
		d->mmio_base = k->mmio_base;
		/* Linux drives a version 2 window only with VERSION_1 and a
		 * version 1 one only without (virtio_mmio.c, vm_finalize_features);
		 * 0: not known. */
		if (modern(k) >= 0)
			d->mmio_version = modern(k) ? 2 : 1;
	} else {
		d->kind = VQ_T_OTHER;
		snprintf(d->name, sizeof(d->name), "%s", d->virtio_name);
	}
	snprintf(d->driver, sizeof(d->driver), "%s", k->parent_driver);
	snprintf(d->virtio_driver, sizeof(d->virtio_driver), "%s", k->driver);
	d->status = implied_status(k);
	if (k->have_features) {
		d->driver_features[0] = (uint32_t)k->features;
		d->driver_features[1] = (uint32_t)(k->features >> 32);
		d->driver_features_src = VQ_SRC_KERNEL;
	}
	d->device_features_src = VQ_SRC_NONE;
	d->config_generation = -1;
	d->access = VQ_ACCESS_KERNEL;
	snprintf(d->source_note, sizeof(d->source_note),
		 "status implied (driver %s, config %s); %.200s",
		 k->bound == 1 ? "bound" : k->bound == 0 ? "not bound" : "unknown",
		 k->config_enabled == 1 ? "enabled" : k->config_enabled == 0 ? "disabled" : "unknown",
		 how);
}

/* Queue @k of the kernel's records into @q. */
static void fill_queue(struct vq_kvq *kv, const struct vq_kvq_queue *k, struct vq_queue_state *q)
{
	q->enabled = 1;
	q->desc = k->layout.desc;
	q->avail = k->layout.avail;
	q->used = k->layout.used;
	q->addr_src = VQ_SRC_KERNEL;
	q->size = (uint16_t)k->layout.size;
	q->size_src = VQ_SRC_KERNEL;
	q->drv_valid = k->drv.valid;
	q->drv_last_used_idx = k->drv.last_used_idx;
	q->drv_num_free = k->drv.num_free;
	q->drv_avail_idx = k->drv.avail_idx;
	q->drv_broken = k->drv.broken;
	q->drv_callbacks = !(k->drv.avail_flags & VRING_AVAIL_F_NO_INTERRUPT);
	q->drv_event_idx = k->drv.event;
	vq_kvq_read_name(kv, k, q->name, sizeof(q->name));
	/* Which requests are pending when the device completed out of order
	 * (decode/packed.h): kept while the dump is open. */
	if (k->packed)
		vq_kvq_packed_drvrec(kv, k, &q->drv_rec);
}

/* One device: the queues q[0..n) of one virtio_device. */
static int add_device(struct vq_dev_list *list, struct vq_kvq *kv, const struct vq_kvq_queue *q,
		      size_t n, const char *how)
{
	struct vq_kvdev k;
	struct vq_dev *d;
	size_t i, nq = q[n - 1].queue + 1u;

	if (vq_kvq_read_device(kv, q[0].vdev_vaddr, &k)) {
		memset(&k, 0, sizeof(k));
		k.index = q[0].virtio_index;
		k.device_id = q[0].device_id;
		k.failed = k.config_enabled = k.bound = -1;
	}
	d = vq_dev_list_add(list);
	if (!d)
		return -ENOMEM;
	d->t = &vq_transport_kdev;
	fill_device(d, &k, how);
	if (q[0].packed) {
		/* The record says so even when the features could not be read. */
		d->driver_features[VIRTIO_F_RING_PACKED / 32] |= 1u << (VIRTIO_F_RING_PACKED % 32);
	}
	d->queues = calloc(nq, sizeof(*d->queues));
	if (!d->queues)
		return -ENOMEM;
	d->num_queues = (uint16_t)nq;
	for (i = 0; i < nq; i++)
		d->queues[i].index = (uint16_t)i;
	for (i = 0; i < n; i++)
		fill_queue(kv, &q[i], &d->queues[q[i].queue]);
	return 0;
}

/* Most devices without a queue listed. */
#define KDEV_MAX_IDLE 256

/* 1 when @list has virtioN @index already. */
static int listed(const struct vq_dev_list *list, uint32_t index)
{
	char name[16];
	size_t i;

	snprintf(name, sizeof(name), "virtio%u", index);
	for (i = 0; i < list->n; i++)
		if (!strcmp(list->devs[i].virtio_name, name))
			return 1;
	return 0;
}

/* The devices no driver set a queue up for (no driver bound, or one that
 * uses none): listed with no queues.  How many were added, or -ENOMEM. */
static int add_idle(struct vq_dev_list *list, struct vq_kvq *kv, const char *how)
{
	uint64_t *v = calloc(KDEV_MAX_IDLE, sizeof(*v));
	long n = v ? vq_kvq_idle_devices(kv, v, KDEV_MAX_IDLE) : -ENOMEM;
	int added = 0;
	long i;

	for (i = 0; i < n && i < KDEV_MAX_IDLE; i++) {
		struct vq_kvdev k;
		struct vq_dev *d;

		if (vq_kvq_read_device(kv, v[i], &k) || listed(list, k.index))
			continue;
		d = vq_dev_list_add(list);
		if (!d) {
			n = -ENOMEM;
			break;
		}
		d->t = &vq_transport_kdev;
		fill_device(d, &k, how);
		added++;
	}
	free(v);
	return n == -ENOMEM ? -ENOMEM : added;
}

static unsigned virtio_number(const struct vq_dev *d)
{
	unsigned n = 0;

	sscanf(d->virtio_name, "virtio%u", &n);
	return n;
}

static int by_virtio_index(const void *a, const void *b)
{
	unsigned x = virtio_number(a), y = virtio_number(b);

	return x < y ? -1 : x > y;
}

static int kdev_enumerate(struct vq_dev_list *list, struct vq_mem *image, char *err,
			  size_t errlen)
{
	struct vq_kvq_queue *q = NULL;
	struct vq_kvq *kv;
	char how[400];
	long n, i, j;
	int ret, added = 0;

	if (!image)
		return vq_errbuf(err, errlen, -ENOTSUP, "the kernel's records come from a dump (--core)");
	/* A vqdump snapshot lists its devices itself. */
	if (list->n)
		return -ENOENT;
	ret = vq_kvq_open_image(&kv, image, how, sizeof(how), err, errlen);
	if (ret)
		return ret;
	n = vq_kvq_all(kv, &q, err, errlen);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && q[j].vdev_vaddr == q[i].vdev_vaddr; j++)
			;
		ret = add_device(list, kv, q + i, (size_t)(j - i), how);
		if (ret) {
			vq_errbuf(err, errlen, 0, "read the kernel's devices: out of memory");
			break;
		}
		added++;
	}
	free(q);
	if (n >= 0 && !ret) {
		ret = add_idle(list, kv, how);
		added += ret > 0 ? ret : 0;
		ret = ret < 0 ? ret : 0;
		if (ret)
			vq_errbuf(err, errlen, 0, "read the kernel's devices: out of memory");
	}
	vq_kvq_close(kv);
	if (n < 0)
		return (int)n;
	if (ret)
		return ret;
	qsort(list->devs, list->n, sizeof(*list->devs), by_virtio_index);
	if (!added)
		return vq_errbuf(err, errlen, -ENOENT,
				 "the guest kernel's records hold no virtio queue (%s)", how);
	vq_errbuf(err, errlen, 0, "%s", how);
	return added;
}

/* The state was read whole by enumerate(): nothing to read again. */
static int kdev_read_state(struct vq_dev *d)
{
	(void)d;
	return 0;
}

static void kdev_release(struct vq_dev *d)
{
	unsigned i;

	for (i = 0; d->queues && i < d->num_queues; i++)
		free(d->queues[i].drv_rec);
	free(d->queues);
	d->queues = NULL;
	d->num_queues = 0;
}

const struct vq_transport vq_transport_kdev = {
	.name = "kernel",
	.help = "virtio devices a dumped Linux registered (--core FILE): its struct virtio_device and vring_virtqueue records, found through its BTF in the dump",
	.scope = VQ_SCOPE_IMAGE,
	.enumerate = kdev_enumerate,
	.read_state = kdev_read_state,
	.release = kdev_release,
};
