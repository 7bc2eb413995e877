/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The driver's side of one packed virtqueue (virtio 1.3, 2.8): chains written in place, used descriptors read back in place, checked. */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vblk.h"

/* 2.8.1: the AVAIL and USED flag bits of a packed descriptor (linux/virtio_ring.h). */
#define F_AVAIL (1u << VRING_PACKED_DESC_F_AVAIL)
#define F_USED (1u << VRING_PACKED_DESC_F_USED)

size_t vb_pvq_desc_bytes(uint16_t size)
{
	return 16u * size; /* addr, len, id, flags (2.8.13) */
}

size_t vb_pvq_event_bytes(void)
{
	return sizeof(struct vring_packed_desc_event); /* off_wrap, flags (2.8.14) */
}

int vb_pvq_init(struct vb_pvq *vq, uint16_t size, void *desc, void *driver, void *device)
{
	uint16_t i;

	memset(vq, 0, sizeof(*vq));
	if (!size)
		return -EINVAL;
	vq->ids = calloc(size, sizeof(*vq->ids));
	vq->next_id = calloc(size, sizeof(*vq->next_id));
	if (!vq->ids || !vq->next_id) {
		vb_pvq_free(vq);
		return -ENOMEM;
	}
	vq->size = size;
	vq->desc = desc;
	vq->driver = driver;
	vq->device = device;
	memset(desc, 0, vb_pvq_desc_bytes(size));
	memset(device, 0, vb_pvq_event_bytes());
	for (i = 0; i < size; i++)
		vq->next_id[i] = (uint16_t)(i + 1);
	vq->num_free = size;
	/* Both wrap counters start at 1 (2.8.1): a zeroed ring has
	 * AVAIL == USED == 0 everywhere, so no slot reads as used. */
	vq->avail_wrap = 1;
	vq->used_wrap = 1;
	/* Polling: ask the device for no used buffer notifications (2.8.10). */
	vq->driver->off_wrap = 0;
	vq->driver->flags = htole16(VRING_PACKED_EVENT_FLAG_DISABLE);
	return 0;
}

void vb_pvq_free(struct vb_pvq *vq)
{
	free(vq->ids);
	free(vq->next_id);
	vq->ids = NULL;
	vq->next_id = NULL;
}

/* The flags a descriptor is made available with in a lap of @wrap (2.8.1):
 * AVAIL equal to the wrap counter, USED its inverse. */
static uint16_t avail_bits(uint16_t wrap)
{
	return (uint16_t)(wrap ? F_AVAIL : F_USED);
}

/* Write @n pieces from slot vq->next_avail on, every one but the head
 * made available at once; returns the head's flags, for the caller to
 * write.  Moves next_avail and the wrap counter past the chain. */
static uint16_t write_chain(struct vb_pvq *vq, const struct vb_sg *sg, unsigned n, uint16_t id,
			    uint32_t *writable)
{
	uint16_t slot = vq->next_avail, wrap = vq->avail_wrap, head_flags = 0;
	unsigned i;

	*writable = 0;
	for (i = 0; i < n; i++) {
		struct vring_packed_desc *d = &vq->desc[slot];
		uint16_t flags = (uint16_t)(avail_bits(wrap) | (sg[i].write ? VRING_DESC_F_WRITE : 0) |
					    (i + 1 < n ? VRING_DESC_F_NEXT : 0));

		/* Buffer ID in every descriptor: the spec requires it in the
		 * last one and allows it in the others (2.8.6). */
		d->addr = htole64(sg[i].addr);
		d->len = htole32(sg[i].len);
		d->id = htole16(id);
		if (sg[i].write)
			*writable += sg[i].len;
		if (i == 0) {
			head_flags = flags;
		} else {
			/* The rest of a descriptor before its flags (2.8: flags last). */
			__atomic_thread_fence(__ATOMIC_RELEASE);
			__atomic_store_n(&d->flags, htole16(flags), __ATOMIC_RELAXED);
		}
		if (++slot == vq->size) {
			slot = 0;
			wrap ^= 1; /* a chain may cross the ring's end (2.8.6) */
		}
	}
	vq->next_avail = slot;
	vq->avail_wrap = wrap;
	return head_flags;
}

int vb_pvq_add(struct vb_pvq *vq, const struct vb_sg *sg, unsigned n, void *cookie)
{
	uint16_t id, head = vq->next_avail, head_flags;
	uint32_t writable;
	unsigned i;
	int seen_write = 0;

	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (sg[i].write)
			seen_write = 1;
		else if (seen_write)
			return -EINVAL; /* readable after writable, as for split rings (2.7.4.2) */
	}
	/* A chain in flight holds at least one descriptor, so a free
	 * descriptor means a free buffer ID. */
	if (n > vq->num_free || vq->free_id >= vq->size)
		return -ENOSPC;
	id = vq->free_id;
	vq->free_id = vq->next_id[id];
	head_flags = write_chain(vq, sg, n, id, &writable);
	vq->num_free -= (uint16_t)n;
	vq->ids[id] = (struct vb_inflight){ 1, (uint16_t)n, writable, cookie };
	if (!vq->pending) {
		/* Held back: the device reads the ring in order, so nothing
		 * after this head is seen before publish makes it available. */
		vq->pending = 1;
		vq->pend_slot = head;
		vq->pend_flags = head_flags;
	} else {
		__atomic_thread_fence(__ATOMIC_RELEASE);
		__atomic_store_n(&vq->desc[head].flags, htole16(head_flags), __ATOMIC_RELAXED);
	}
	return id;
}

void vb_pvq_publish(struct vb_pvq *vq)
{
	if (vq->pending) {
		/* Every other descriptor before the first head's flags. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		__atomic_store_n(&vq->desc[vq->pend_slot].flags, htole16(vq->pend_flags),
				 __ATOMIC_RELEASE);
		vq->pending = 0;
	}
	/* The flags before the notification, a device write. */
	__sync_synchronize();
}

int vb_pvq_get_used(struct vb_pvq *vq, void **cookie, uint32_t *len, char *err, size_t errlen)
{
	uint16_t slot = vq->next_used, flags, id, n;
	uint32_t l;
	unsigned avail, used;

	flags = le16toh(__atomic_load_n(&vq->desc[slot].flags, __ATOMIC_ACQUIRE));
	avail = !!(flags & F_AVAIL);
	used = !!(flags & F_USED);
	/* Used: AVAIL == USED == the Device Ring Wrap Counter the device had
	 * when it wrote this slot (2.8.1). */
	if (avail != used || used != vq->used_wrap)
		return 0;
	if (vq->num_free == vq->size) {
		snprintf(err, errlen, "slot %u reads used (wrap %u) but no buffer is in flight", slot,
			 vq->used_wrap);
		return -EPROTO;
	}
	/* The flags before the id and len they cover. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	id = le16toh(vq->desc[slot].id);
	l = le32toh(vq->desc[slot].len);
	if (id >= vq->size || !vq->ids[id].busy) {
		snprintf(err, errlen, "used descriptor at slot %u names buffer ID %u, which is not in flight",
			 slot, id);
		return -EPROTO;
	}
	if (l > vq->ids[id].writable) {
		snprintf(err, errlen, "used descriptor at slot %u (buffer ID %u): len %u exceeds the %u writable bytes",
			 slot, id, l, vq->ids[id].writable);
		return -EPROTO;
	}
	/* One used descriptor per chain; the next is as many slots further
	 * as the chain had descriptors (2.8.6). */
	n = vq->ids[id].ndesc;
	vq->next_used = (uint16_t)(slot + n);
	if (vq->next_used >= vq->size) {
		vq->next_used = (uint16_t)(vq->next_used - vq->size);
		vq->used_wrap ^= 1;
	}
	vq->num_free = (uint16_t)(vq->num_free + n);
	vq->ids[id].busy = 0;
	vq->next_id[id] = vq->free_id;
	vq->free_id = id;
	*cookie = vq->ids[id].cookie;
	*len = l;
	return 1;
}

/* ---- the engine's interface (struct vb_ring_ops) ---- */

static int packed_add(void *vq, const struct vb_sg *sg, unsigned n, void *cookie)
{
	return vb_pvq_add(vq, sg, n, cookie);
}

static void packed_publish(void *vq)
{
	vb_pvq_publish(vq);
}

static int packed_get_used(void *vq, void **cookie, uint32_t *len, char *err, size_t errlen)
{
	return vb_pvq_get_used(vq, cookie, len, err, errlen);
}

static void packed_free(void *vq)
{
	vb_pvq_free(vq);
}

const struct vb_ring_ops vb_packed_ring = {
	.layout = "packed",
	.add = packed_add,
	.publish = packed_publish,
	.get_used = packed_get_used,
	.free = packed_free,
};
