/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the blk driver's packed virtqueue (src/driver/vring_packed.c) against a device that lies. */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "driver/vblk.h"
#include "fuzzmem.h"

/*
 * The device writes used descriptors in place over the ring the driver
 * wrote (virtio 1.3, 2.8): flags, buffer ID and length are all untrusted,
 * and so is every other byte of the ring.  The input is a script: byte 0
 * picks the Queue Size (1 to 256, any number: packed rings need no power
 * of 2), then each operation is an opcode byte and its arguments:
 *
 *   0: add a chain of 1-4 pieces (a byte: count and writable mask, then
 *      one length byte per piece, times 512)        -> vb_pvq_add
 *   1: publish                                      -> vb_pvq_publish
 *   2: the device writes a whole descriptor (slot byte, 16 bytes)
 *   3: the device marks a slot used the way a correct device would (slot
 *      byte, id le16, len le32, wrap bit in the slot byte's top bit)
 *   4: the driver takes used descriptors until there are none or one
 *      breaks the rules                             -> vb_pvq_get_used
 *   5: a correct device: marks the oldest chain in flight used at the
 *      device's slot (so that long scripts reach the ring's end)
 *
 * A model kept by the harness says what is in flight.  Checks: a used
 * descriptor is accepted only for a buffer ID in flight, with a length
 * within its writable bytes, each at most once; the free count plus the
 * descriptors in flight is always the Queue Size; the driver's positions
 * stay inside the ring; the free ID list holds distinct IDs below the size,
 * none in flight, and as many as the IDs not in flight; after -EPROTO
 * nothing changed.
 */

#define MAX_SIZE 256

struct req {
	int live;          /* added, not yet returned */
	unsigned ndesc;    /* descriptors in its chain */
	uint32_t writable; /* device-writable bytes */
	uint16_t slot;     /* where its chain starts */
	uint16_t wrap;     /* the driver's wrap counter there */
	uint64_t order;    /* when it was added */
};

static struct req reqs[MAX_SIZE];

FUZZ_HARNESS static void check_state(const struct vb_pvq *vq, unsigned in_flight_desc,
				     unsigned in_flight_ids)
{
	static uint8_t seen[MAX_SIZE];
	uint16_t id = vq->free_id;
	unsigned i, nfree = 0;

	FUZZ_CHECK(vq->num_free + in_flight_desc == vq->size);
	FUZZ_CHECK(vq->next_avail < vq->size && vq->next_used < vq->size);
	FUZZ_CHECK(vq->avail_wrap <= 1 && vq->used_wrap <= 1);
	memset(seen, 0, sizeof(seen));
	while (id < vq->size) {
		FUZZ_CHECK(!seen[id] && !vq->ids[id].busy && !reqs[id].live);
		seen[id] = 1;
		nfree++;
		id = vq->next_id[id];
	}
	FUZZ_CHECK(nfree + in_flight_ids == vq->size);
	for (i = 0; i < vq->size; i++)
		FUZZ_CHECK(vq->ids[i].busy == reqs[i].live);
}

/* Mark @id's chain used at the device's slot as 2.8 says (op 5). */
FUZZ_HARNESS static void device_completes(struct vb_pvq *vq, uint16_t id)
{
	struct vring_packed_desc *d = &vq->desc[vq->next_used];
	uint16_t w = vq->used_wrap ? (uint16_t)((1u << VRING_PACKED_DESC_F_AVAIL) |
						 (1u << VRING_PACKED_DESC_F_USED)) : 0;

	d->id = htole16(id);
	d->len = htole32(reqs[id].writable);
	d->flags = htole16(w);
}

/* Op 4: take used descriptors; returns the change in descriptors in flight. */
FUZZ_HARNESS static void take_used(struct vb_pvq *vq, unsigned *in_flight_desc,
				   unsigned *in_flight_ids)
{
	unsigned i;

	for (i = 0; i <= vq->size; i++) {
		char err[160];
		void *cookie = NULL;
		uint32_t len = 0;
		uint16_t used = vq->next_used, wrap = vq->used_wrap, nfree = vq->num_free;
		int ret;

		err[0] = 0;
		ret = vb_pvq_get_used(vq, &cookie, &len, err, sizeof(err));
		if (ret <= 0) {
			FUZZ_CHECK(vq->next_used == used && vq->used_wrap == wrap &&
				   vq->num_free == nfree);
			if (ret < 0)
				FUZZ_CHECK(ret == -EPROTO && err[0] && memchr(err, 0, sizeof(err)));
			return;
		}
		FUZZ_CHECK(ret == 1);
		{
			struct req *r = cookie;

			FUZZ_CHECK(r >= reqs && r < reqs + vq->size && r->live);
			FUZZ_CHECK(len <= r->writable);
			FUZZ_CHECK(vq->num_free == nfree + r->ndesc);
			FUZZ_CHECK((used + r->ndesc) % vq->size == vq->next_used);
			r->live = 0;
			*in_flight_desc -= r->ndesc;
			(*in_flight_ids)--;
		}
	}
}

/* Op 0: add a chain described at @p (at most 5 bytes); returns bytes used. */
FUZZ_HARNESS static size_t add_chain(struct vb_pvq *vq, const uint8_t *p, size_t left,
				     uint64_t order, unsigned *in_flight_desc,
				     unsigned *in_flight_ids)
{
	struct vb_sg sg[4];
	unsigned k = (p[0] & 3) + 1, mask = p[0] >> 2, j, nfree = vq->num_free;
	uint16_t slot = vq->next_avail, wrap = vq->avail_wrap;
	size_t pos = 1;
	int seen_w = 0, bad = 0, id;
	uint32_t w = 0;

	for (j = 0; j < k; j++) {
		sg[j].addr = 0x100000ull * (j + 1);
		sg[j].len = pos < left ? 512u * p[pos++] : 512;
		sg[j].write = (mask >> j) & 1;
		if (sg[j].write) {
			seen_w = 1;
			w += sg[j].len;
		} else if (seen_w) {
			bad = 1;
		}
	}
	id = vb_pvq_add(vq, sg, k, NULL);
	if (id < 0)
		FUZZ_CHECK(vq->num_free == nfree && vq->next_avail == slot);
	if (bad)
		FUZZ_CHECK(id == -EINVAL);
	else if (k > nfree)
		FUZZ_CHECK(id == -ENOSPC);
	else
		FUZZ_CHECK(id >= 0 && vq->num_free == nfree - k);
	if (id >= 0) {
		FUZZ_CHECK(id < vq->size && !reqs[id].live);
		FUZZ_CHECK(vq->next_avail == (slot + k) % vq->size);
		reqs[id] = (struct req){ 1, k, w, slot, wrap, order };
		*in_flight_desc += k;
		(*in_flight_ids)++;
		vq->ids[id].cookie = &reqs[id];
	}
	return pos;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vring_packed_desc ring[MAX_SIZE];
	static struct vring_packed_desc_event drv, dev;
	struct vb_pvq vq;
	size_t pos = 1;
	unsigned in_flight_desc = 0, in_flight_ids = 0, i;
	uint64_t order = 0;
	uint16_t n;

	if (size < 1)
		return 0;
	n = (uint16_t)(data[0] + 1);
	if (vb_pvq_init(&vq, n, ring, &drv, &dev))
		return 0;
	memset(reqs, 0, sizeof(reqs));
	while (pos < size) {
		uint8_t op = data[pos++] % 6;

		if (op == 0 && pos < size) {
			pos += add_chain(&vq, data + pos, size - pos, order++, &in_flight_desc,
					 &in_flight_ids);
		} else if (op == 1) {
			vb_pvq_publish(&vq);
			FUZZ_CHECK(!vq.pending);
		} else if (op == 2 && pos + 17 <= size) {
			memcpy(&vq.desc[data[pos] % n], data + pos + 1, 16);
			pos += 17;
		} else if (op == 3 && pos + 7 <= size) {
			struct vring_packed_desc *d = &vq.desc[(data[pos] & 0x7f) % n];
			uint16_t w = (data[pos] & 0x80) ? (uint16_t)((1u << VRING_PACKED_DESC_F_AVAIL) |
								     (1u << VRING_PACKED_DESC_F_USED)) : 0;

			memcpy(&d->id, data + pos + 1, 2);
			memcpy(&d->len, data + pos + 3, 4);
			d->flags = htole16(w);
			pos += 7;
		} else if (op == 4) {
			take_used(&vq, &in_flight_desc, &in_flight_ids);
		} else if (op == 5) {
			int oldest = -1;

			for (i = 0; i < n; i++)
				if (reqs[i].live && (oldest < 0 || reqs[i].order < reqs[oldest].order))
					oldest = (int)i;
			if (oldest >= 0)
				device_completes(&vq, (uint16_t)oldest);
		}
		check_state(&vq, in_flight_desc, in_flight_ids);
	}
	vb_pvq_free(&vq);
	return 0;
}
