/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the diagnose findings (vq_diag_device, vq_diag_queue) over device state and ring memory made of the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decode/diag.h"
#include "fuzzmem.h"

/*
 * Input: a header, a device block, then the guest memory (at base).
 *
 *   [0]       Queue Size: index into sizes[]
 *   [1]       bits 0-1 event_idx (0 no, 1 yes, else unknown); bit 2
 *             held_dump; bit 3 second sample; bit 4 second sample full;
 *             bit 5 first sample not full; bit 6 compare with a second
 *             decode (v_other); bit 7 layout aligned to 4096
 *   [2]       device ID: index into devices[]
 *   [3]       queue index - 1 (0xff: unknown)
 *   [4..15]   second sample: avail_idx, used_idx, avail_flags,
 *             used_flags, used_event, avail_event (le16 each)
 *   [16..19]  interval_ms (le32)
 *   [20..23]  descriptor table, offset from base (le32)
 *   [24..31]  base: guest-physical address of the memory (le64)
 *   [32..95]  the device: see make_dev()
 *   [96..]    the memory
 */
#define HDR 32
#define DEV 64

static const uint32_t sizes[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 32768, 0, 3, 65536 };
static const uint32_t devices[] = { 0, 1, 2, 3, 5, 8, 19 };

#define MAX_POOL (4u * VQ_RING_MAX_SIZE + 256)
static struct vq_chain chain_store[2][VQ_RING_MAX_SIZE];
static struct vq_chain_desc pool_store[2][MAX_POOL];
static struct vq_used_elem used_store[2][1];
static struct vq_finding finding_store[2][64];
static struct vq_diag_finding report_store[64];
static struct vq_queue_state queue_store[4];

FUZZ_HARNESS static void make_dev(const uint8_t *b, struct vq_dev *d)
{
	unsigned i;

	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "0000:00:04.0");
	d->kind = (enum vq_transport_kind)(b[0] % 3);
	d->mmio_version = b[1] % 3;
	d->pci_device = (uint16_t)fuzz_le(b + 2, 2);
	if (b[4] & 1)
		snprintf(d->driver, sizeof(d->driver), "virtio-pci");
	d->access = (enum vq_access_path)(b[4] >> 1 & 3);
	d->status = b[5];
	d->driver_features_src = (enum vq_source)(b[6] % 6);
	d->driver_features[0] = (uint32_t)fuzz_le(b + 8, 4);
	d->driver_features[1] = (uint32_t)fuzz_le(b + 12, 4);
	d->device_id = devices[b[7] % (sizeof(devices) / sizeof(devices[0]))];
	d->num_queues = b[16] % 5;
	d->queues = queue_store;
	for (i = 0; i < d->num_queues; i++) {
		const uint8_t *q = b + 17 + 11 * i;
		struct vq_queue_state *s = &queue_store[i];

		memset(s, 0, sizeof(*s));
		s->index = (uint16_t)i;
		s->enabled = q[0] & 1;
		s->size_src = (enum vq_source)((q[0] >> 1) % 6);
		s->addr_src = (q[0] & 0x80) ? VQ_SRC_KERNEL : VQ_SRC_REGISTERS;
		s->size = (uint16_t)fuzz_le(q + 1, 2);
		s->max_size = (uint16_t)fuzz_le(q + 3, 2);
		s->desc = fuzz_le(q + 5, 2) << (q[10] & 15);
		s->avail = fuzz_le(q + 7, 2) << (q[10] >> 4);
		s->used = (uint64_t)q[9] << 3;
		s->idx_valid = q[0] >> 6 & 1;
	}
}

FUZZ_HARNESS static void check_report(const struct vq_diag_report *r, int queue, int dev_level,
				      unsigned nq)
{
	unsigned i, j;

	FUZZ_CHECK(r->n <= r->max);
	for (i = 0; i < r->n; i++) {
		const struct vq_diag_finding *f = &r->f[i];

		FUZZ_CHECK(f->code && f->code[0]);
		FUZZ_CHECK(f->severity <= VQ_SEV_ERROR);
		FUZZ_CHECK(memchr(f->message, 0, sizeof(f->message)) != NULL);
		FUZZ_CHECK(f->message[0]);
		FUZZ_CHECK(f->nev <= VQ_DIAG_EV_MAX);
		for (j = 0; j < f->nev; j++)
			FUZZ_CHECK(f->ev[j].key && f->ev[j].key[0]);
		if (dev_level)
			FUZZ_CHECK(f->queue == -1 || (f->queue >= 0 && (unsigned)f->queue < nq));
		else
			FUZZ_CHECK(f->queue == queue);
	}
}

FUZZ_HARNESS static void view_init(struct vq_ring_view *v, int k, uint32_t n, uint32_t dev_id)
{
	unsigned nch, npool, nfind;

	vq_ring_view_sizes(vq_ring_size_problem(n) ? 1 : n, 0, &nch, &npool, &nfind);
	v->device_id = dev_id;
	v->max_chains = nch;
	v->pool_len = npool;
	v->max_findings = nfind;
	v->max_used = 0;
	v->chains = chain_store[k];
	v->pool = pool_store[k];
	v->used = used_store[k];
	v->findings = finding_store[k];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzzmem m = { 0 };
	struct vq_fetch f = fuzzmem_fetch(&m);
	struct vq_ring_view v, v2;
	struct vq_diag_queue_in in;
	struct vq_diag_report rep;
	struct vq_dev d;
	uint32_t n;
	uint64_t base, desc;
	int ok1, ok2 = 0;

	if (size < HDR + DEV)
		return -1;
	n = sizes[data[0] % (sizeof(sizes) / sizeof(sizes[0]))];
	base = fuzz_le(data + 24, 8);
	fuzzmem_add(&m, base, data + HDR + DEV, size - HDR - DEV);

	/* Device-level checks over arbitrary register state. */
	make_dev(data + HDR, &d);
	memset(&rep, 0, sizeof(rep));
	rep.f = report_store;
	rep.max = sizeof(report_store) / sizeof(report_store[0]);
	rep.device = d.name;
	vq_diag_device(&d, &rep);
	check_report(&rep, -1, 1, d.num_queues);

	/* Queue checks over ring memory. */
	memset(&v, 0, sizeof(v));
	memset(&v2, 0, sizeof(v2));
	desc = base + fuzz_le(data + 20, 4);
	if (vq_ring_size_problem(n))
		v.layout = (struct vq_ring_layout){ desc, desc, desc, n, 0 };
	else
		vq_ring_layout_contig(desc, n, data[1] & 0x80 ? VQ_ALIGN_LEGACY : VQ_ALIGN_LINUX,
				      &v.layout);
	v2.layout = v.layout;
	view_init(&v, 0, n, devices[data[2] % (sizeof(devices) / sizeof(devices[0]))]);
	view_init(&v2, 1, n, v.device_id);
	ok1 = vq_ring_decode(&f, &v, 0) == 0;
	if (data[1] & 0x40)
		ok2 = vq_ring_decode(&f, &v2, 0) == 0;

	memset(&in, 0, sizeof(in));
	in.queue = data[3] == 0xff ? -1 : data[3] - 1;
	in.device_id = v.device_id;
	in.size = n;
	in.v = ok1 ? &v : NULL;
	in.v_other = ok2 ? &v2 : NULL;
	in.event_idx = (data[1] & 3) == 0 ? 0 : (data[1] & 3) == 1 ? 1 : -1;
	in.held_dump = data[1] >> 2 & 1;
	if (ok1) {
		in.s1.valid = 1;
		in.s1.full = !(data[1] & 0x20);
		in.s1.avail_idx = v.hdr.avail_idx;
		in.s1.used_idx = v.hdr.used_idx;
		in.s1.avail_flags = v.hdr.avail_flags;
		in.s1.used_flags = v.hdr.used_flags;
		in.s1.used_event = v.hdr.used_event;
		in.s1.avail_event = v.hdr.avail_event;
	}
	if (data[1] & 8) {
		in.s2.valid = 1;
		in.s2.full = data[1] >> 4 & 1;
		in.s2.avail_idx = (uint16_t)fuzz_le(data + 4, 2);
		in.s2.used_idx = (uint16_t)fuzz_le(data + 6, 2);
		in.s2.avail_flags = (uint16_t)fuzz_le(data + 8, 2);
		in.s2.used_flags = (uint16_t)fuzz_le(data + 10, 2);
		in.s2.used_event = (uint16_t)fuzz_le(data + 12, 2);
		in.s2.avail_event = (uint16_t)fuzz_le(data + 14, 2);
		in.interval_ms = (uint32_t)fuzz_le(data + 16, 4);
	}
	memset(&rep, 0, sizeof(rep));
	rep.f = report_store;
	/* Sometimes a tiny report: vq_diag_add must stop at the limit. */
	rep.max = data[3] & 0x80 ? (unsigned)(data[3] & 3) : sizeof(report_store) / sizeof(report_store[0]);
	vq_diag_queue(&in, &rep);
	check_report(&rep, in.queue, 0, 0);
	FUZZ_CHECK(vq_diag_count_sev(&rep, VQ_SEV_INFO) == rep.n);
	FUZZ_CHECK(vq_diag_requests(in.v) <= (in.v ? in.v->nchains : 0));
	return 0;
}
