/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the blk driver's split virtqueue (src/driver/vring.c) against a device that lies. */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "driver/vblk.h"
#include "fuzzmem.h"

/*
 * The driver trusts nothing the device writes: the used ring (ids, lengths,
 * the index) and, since the descriptor table is shared memory, not even the
 * table.  The input is a script: byte 0 picks the Queue Size (1 to 256),
 * then each operation is an opcode byte and its arguments:
 *
 *   0: add a chain of 1-4 pieces (a byte: count and writable mask, then
 *      one length byte per piece, times 512)      -> vb_vq_add
 *   1: publish                                    -> vb_vq_publish
 *   2: the device writes a used element (slot byte, id le32, len le32)
 *   3: the device writes the used index (le16), then the driver takes used
 *      elements until there are none or one breaks the rules
 *   4: the device scribbles over a descriptor (index byte, 16 bytes)
 *   5: vb_parse_range / vb_range_check / vb_check_completion on the next
 *      bytes (a string up to a NUL, then numbers)
 *
 * A model kept by the harness says what is in flight.  Checks: a used
 * element is accepted only for a chain in flight, with a length within its
 * writable bytes, each chain at most once; the free count plus the
 * descriptors in flight is always the Queue Size; the driver's free list
 * holds distinct indices below the size, none in a chain in flight; after
 * -EPROTO nothing changed.
 */

#define MAX_SIZE 256

struct req {
	int live;       /* added, not yet returned */
	unsigned ndesc;
	uint32_t writable;
};

static struct req reqs[MAX_SIZE];

FUZZ_HARNESS static void check_free_list(const struct vb_vq *vq, unsigned in_flight_desc)
{
	static uint8_t seen[MAX_SIZE];
	uint16_t idx = vq->free_head;
	unsigned i;

	FUZZ_CHECK(vq->num_free + in_flight_desc == vq->size);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < vq->num_free; i++) {
		FUZZ_CHECK(idx < vq->size);
		FUZZ_CHECK(!seen[idx]);
		seen[idx] = 1;
		idx = vq->next[idx];
	}
	/* A free descriptor is never the head of a chain in flight. */
	for (i = 0; i < vq->size; i++)
		FUZZ_CHECK(!(seen[i] && vq->heads[i].busy));
}

FUZZ_HARNESS static void misc(const uint8_t *p, size_t len)
{
	char s[32], why[128];
	size_t n = len < sizeof(s) - 1 ? len : sizeof(s) - 1;
	uint64_t lba = 1, cnt = 1, cap;
	int ret;

	memcpy(s, p, n);
	s[n] = 0;
	ret = vb_parse_range(s, &lba, &cnt);
	if (ret == 0) {
		FUZZ_CHECK(cnt > 0 && lba + cnt > lba && lba + cnt <= (UINT64_MAX >> 9));
		cap = len > 8 ? fuzz_le(p + len - 8, 8) : 0;
		ret = vb_range_check(lba, cnt, cap);
		FUZZ_CHECK((ret == 0) == (lba + cnt <= cap));
	} else {
		FUZZ_CHECK(ret == -EINVAL);
	}
	if (len >= 14) {
		uint8_t status = p[0], expect = p[1];

		why[0] = 0;
		ret = vb_check_completion((uint32_t)fuzz_le(p + 2, 4), status, (uint32_t)fuzz_le(p + 6, 4),
					  (uint32_t)fuzz_le(p + 10, 2), (uint32_t)fuzz_le(p + 12, 2), expect,
					  why, sizeof(why));
		if (ret == 0)
			FUZZ_CHECK(status == expect && fuzz_le(p + 6, 4) <= fuzz_le(p + 12, 2));
		else
			FUZZ_CHECK(ret == -EPROTO && why[0] && memchr(why, 0, sizeof(why)));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t mem[16 * MAX_SIZE + 8 + 2 * MAX_SIZE + 8 + 8 * MAX_SIZE];
	struct vb_vq vq;
	size_t pos = 1;
	unsigned in_flight_desc = 0, i;
	uint16_t n;

	if (size < 1)
		return 0;
	n = (uint16_t)(1u << (data[0] % 9));
	if (vb_vq_init(&vq, n, mem, mem + 16 * MAX_SIZE, mem + 16 * MAX_SIZE + 8 + 2 * MAX_SIZE))
		return 0;
	memset(reqs, 0, sizeof(reqs));
	while (pos < size) {
		uint8_t op = data[pos++] % 6;

		if (op == 0 && pos < size) {
			struct vb_sg sg[4];
			unsigned k = (data[pos] & 3) + 1, mask = data[pos] >> 2, j;
			int seen_w = 0, bad = 0, head;
			uint32_t w = 0;

			pos++;
			for (j = 0; j < k; j++) {
				sg[j].addr = 0x100000ull * (j + 1);
				sg[j].len = pos < size ? 512u * data[pos++] : 512;
				sg[j].write = (mask >> j) & 1;
				if (sg[j].write) {
					seen_w = 1;
					w += sg[j].len;
				} else if (seen_w) {
					bad = 1;
				}
			}
			{
				unsigned nfree = vq.num_free;

				head = vb_vq_add(&vq, sg, k, NULL);
				if (head < 0)
					FUZZ_CHECK(vq.num_free == nfree);
				if (bad)
					FUZZ_CHECK(head == -EINVAL);
				else if (k > nfree)
					FUZZ_CHECK(head == -ENOSPC);
				else
					FUZZ_CHECK(head >= 0 && vq.num_free == nfree - k);
			}
			if (head >= 0) {
				FUZZ_CHECK(head >= 0 && head < n);
				FUZZ_CHECK(!reqs[head].live);
				reqs[head] = (struct req){ 1, k, w };
				in_flight_desc += k;
				vq.heads[head].cookie = &reqs[head];
			}
		} else if (op == 1) {
			vb_vq_publish(&vq);
			FUZZ_CHECK(le16toh(vq.avail->idx) == vq.avail_idx);
		} else if (op == 2 && pos + 9 <= size) {
			struct vring_used_elem *e = &vq.used->ring[data[pos] % n];

			memcpy(&e->id, data + pos + 1, 4);
			memcpy(&e->len, data + pos + 5, 4);
			pos += 9;
		} else if (op == 3 && pos + 2 <= size) {
			memcpy(&vq.used->idx, data + pos, 2);
			pos += 2;
			for (i = 0; i <= n; i++) {
				char err[160];
				void *cookie = NULL;
				uint32_t len = 0;
				uint16_t last = vq.last_used, nfree = vq.num_free;
				int ret;

				err[0] = 0;
				ret = vb_vq_get_used(&vq, &cookie, &len, err, sizeof(err));
				if (ret <= 0) {
					FUZZ_CHECK(vq.last_used == last && vq.num_free == nfree);
					if (ret < 0)
						FUZZ_CHECK(ret == -EPROTO && err[0] && memchr(err, 0, sizeof(err)));
					break;
				}
				FUZZ_CHECK(ret == 1);
				{
					struct req *r = cookie;

					FUZZ_CHECK(r >= reqs && r < reqs + n && r->live);
					FUZZ_CHECK(len <= r->writable);
					r->live = 0;
					in_flight_desc -= r->ndesc;
				}
				FUZZ_CHECK(vq.last_used == (uint16_t)(last + 1));
			}
		} else if (op == 4 && pos + 17 <= size) {
			memcpy(&vq.desc[data[pos] % n], data + pos + 1, 16);
			pos += 17;
		} else if (op == 5) {
			size_t l = size - pos < 40 ? size - pos : 40;

			misc(data + pos, l);
			pos += l;
		}
		check_free_list(&vq, in_flight_desc);
	}
	vb_vq_free(&vq);
	return 0;
}
