/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The driver's side of one split virtqueue (virtio 1.3, 2.7): chains in, used elements out, checked. */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vblk.h"

size_t vb_vq_desc_bytes(uint16_t size)
{
	return 16u * size;
}

size_t vb_vq_avail_bytes(uint16_t size)
{
	return 6u + 2u * size; /* flags, idx, ring[], used_event */
}

size_t vb_vq_used_bytes(uint16_t size)
{
	return 6u + 8u * size; /* flags, idx, ring[], avail_event */
}

size_t vb_vq_legacy_bytes(uint16_t size, uint32_t align, size_t *used_off)
{
	size_t off = vb_vq_desc_bytes(size) + vb_vq_avail_bytes(size);

	off = (off + align - 1) / align * align;
	if (used_off)
		*used_off = off;
	return off + vb_vq_used_bytes(size);
}

int vb_vq_init(struct vb_vq *vq, uint16_t size, void *desc, void *avail, void *used)
{
	uint16_t i;

	memset(vq, 0, sizeof(*vq));
	vq->heads = calloc(size, sizeof(*vq->heads));
	vq->next = calloc(size, sizeof(*vq->next));
	if (!vq->heads || !vq->next) {
		vb_vq_free(vq);
		return -ENOMEM;
	}
	vq->size = size;
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	memset(desc, 0, vb_vq_desc_bytes(size));
	memset(avail, 0, vb_vq_avail_bytes(size));
	memset(used, 0, vb_vq_used_bytes(size));
	for (i = 0; i + 1 < size; i++) {
		vq->next[i] = i + 1;
		vq->desc[i].next = htole16(i + 1);
	}
	vq->num_free = size;
	/* Polling: ask the device not to interrupt (2.7.7). */
	vq->avail->flags = htole16(VRING_AVAIL_F_NO_INTERRUPT);
	return 0;
}

void vb_vq_free(struct vb_vq *vq)
{
	free(vq->heads);
	free(vq->next);
	vq->heads = NULL;
	vq->next = NULL;
}

int vb_vq_add(struct vb_vq *vq, const struct vb_sg *sg, unsigned n, void *cookie)
{
	uint16_t head, idx;
	uint32_t writable = 0;
	unsigned i;
	int seen_write = 0;

	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (sg[i].write)
			seen_write = 1;
		else if (seen_write)
			return -EINVAL; /* readable after writable (2.7.4.2) */
	}
	if (n > vq->num_free)
		return -ENOSPC;
	head = idx = vq->free_head;
	for (i = 0; i < n; i++) {
		struct vring_desc *d = &vq->desc[idx];
		uint16_t flags = sg[i].write ? VRING_DESC_F_WRITE : 0;

		if (i + 1 < n)
			flags |= VRING_DESC_F_NEXT;
		d->addr = htole64(sg[i].addr);
		d->len = htole32(sg[i].len);
		d->flags = htole16(flags);
		d->next = htole16(vq->next[idx]);
		if (sg[i].write)
			writable += sg[i].len;
		idx = vq->next[idx];
	}
	vq->free_head = idx;
	vq->num_free -= (uint16_t)n;
	vq->heads[head].busy = 1;
	vq->heads[head].ndesc = (uint16_t)n;
	vq->heads[head].writable = writable;
	vq->heads[head].cookie = cookie;
	/* Descriptors before the ring entry that names them (2.7.13). */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vq->avail->ring[vq->avail_idx % vq->size] = htole16(head);
	vq->avail_idx++;
	return head;
}

void vb_vq_publish(struct vb_vq *vq)
{
	/* Ring entries before the index (2.7.13.2), the index before the
	 * notification (2.7.13.3): a full barrier, the notify is a device write. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&vq->avail->idx, htole16(vq->avail_idx), __ATOMIC_RELEASE);
	__sync_synchronize();
}

/* Put the chain from @head back on the free list. */
static void free_chain(struct vb_vq *vq, uint16_t head)
{
	uint16_t idx = head, n = vq->heads[head].ndesc, i;

	for (i = 1; i < n; i++)
		idx = vq->next[idx];
	/* The last descriptor's next field may hold anything: link it. */
	vq->next[idx] = vq->free_head;
	vq->desc[idx].next = htole16(vq->free_head);
	vq->free_head = head;
	vq->num_free += n;
	vq->heads[head].busy = 0;
}

int vb_vq_get_used(struct vb_vq *vq, void **cookie, uint32_t *len, char *err, size_t errlen)
{
	uint16_t used_idx = le16toh(__atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE));
	uint16_t ahead = (uint16_t)(used_idx - vq->last_used);
	uint16_t inflight = (uint16_t)(vq->avail_idx - vq->last_used);
	struct vring_used_elem *e;
	uint32_t id, l;

	if (!ahead)
		return 0;
	if (ahead > inflight) {
		snprintf(err, errlen, "used idx %u is %u ahead of the %u chains in flight", used_idx,
			 ahead, inflight);
		return -EPROTO;
	}
	/* The index before the element it covers (2.7.14). */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	e = &vq->used->ring[vq->last_used % vq->size];
	id = le32toh(e->id);
	l = le32toh(e->len);
	if (id >= vq->size || !vq->heads[id].busy) {
		snprintf(err, errlen, "used element %u names head %u, which is not in flight",
			 vq->last_used, id);
		return -EPROTO;
	}
	if (l > vq->heads[id].writable) {
		snprintf(err, errlen, "used element %u (head %u): len %u exceeds the %u writable bytes",
			 vq->last_used, id, l, vq->heads[id].writable);
		return -EPROTO;
	}
	vq->last_used++;
	*cookie = vq->heads[id].cookie;
	*len = l;
	free_chain(vq, (uint16_t)id);
	return 1;
}

/* ---- the engine's interface (struct vb_ring_ops) ---- */

static int split_add(void *vq, const struct vb_sg *sg, unsigned n, void *cookie)
{
	return vb_vq_add(vq, sg, n, cookie);
}

static void split_publish(void *vq)
{
	vb_vq_publish(vq);
}

static int split_get_used(void *vq, void **cookie, uint32_t *len, char *err, size_t errlen)
{
	return vb_vq_get_used(vq, cookie, len, err, errlen);
}

static void split_free(void *vq)
{
	vb_vq_free(vq);
}

const struct vb_ring_ops vb_split_ring = {
	.layout = "split",
	.add = split_add,
	.publish = split_publish,
	.get_used = split_get_used,
	.free = split_free,
};
