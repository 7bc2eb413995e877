/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the BTF reader (src/decode/btf.c) and the layout the kernel-memory search takes from it (src/decode/kvqsearch.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/btf.h"
#include "decode/kvqsearch.h"
#include "fuzzmem.h"

/*
 * BTF comes from the running kernel (/sys/kernel/btf), but vqdump must not
 * crash on a damaged or foreign blob.  The first input byte chooses how the
 * rest is used: one base blob, or a base and a split blob on top of it (as
 * vmlinux and the virtio_ring module are), cut at a point the second byte
 * picks.  Every lookup vqdump makes is then tried; results must be
 * self-consistent and every failure must say why.
 */

static const char *const names[] = {
	"vring_virtqueue", "virtqueue", "virtio_device", "list_head", "vring", "",
};

static const char *const paths[] = {
	"vq", "vq.index", "vq.vdev", "vq.list", "split.vring.desc", "split.queue_dma_addr",
	"split.vring_align", "packed_ring", "index", "id.device", "vqs", "a.b.c.d.e", "", ".",
};

FUZZ_HARNESS static void lookups(const struct vq_btf *b)
{
	struct vq_kvq_layout l;
	char err[256];
	size_t i, j;
	unsigned k;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (k = VQ_BTF_KIND_INT; k <= VQ_BTF_KIND_CONST; k++) {
			long id = vq_btf_find(b, k, names[i]);

			if (id < 0)
				continue;
			for (j = 0; j < sizeof(paths) / sizeof(paths[0]); j++) {
				struct vq_btf_field f;

				err[0] = 0;
				if (vq_btf_member(b, (uint32_t)id, paths[j], &f, err, sizeof(err)) == 0)
					FUZZ_CHECK(f.offset + f.size >= f.offset);
				else
					FUZZ_CHECK(err[0] && memchr(err, 0, sizeof(err)));
			}
		}
	}
	err[0] = 0;
	if (vq_kvq_layout_from_btf(b, &l, err, sizeof(err)) != 0)
		FUZZ_CHECK(err[0] && memchr(err, 0, sizeof(err)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vq_btf base, split;
	char err[256];
	size_t cut;

	if (size < 2)
		return 0;
	cut = 2 + (size_t)data[1] * (size - 2) / 255;
	memset(&base, 0, sizeof(base));
	memset(&split, 0, sizeof(split));
	if (!(data[0] & 1)) {
		err[0] = 0;
		if (vq_btf_parse(&base, data + 2, size - 2, NULL, 8, err, sizeof(err)) == 0) {
			lookups(&base);
			vq_btf_free(&base);
		} else {
			FUZZ_CHECK(err[0]);
		}
		return 0;
	}
	err[0] = 0;
	if (vq_btf_parse(&base, data + 2, cut - 2, NULL, 8, err, sizeof(err)) != 0) {
		FUZZ_CHECK(err[0]);
		return 0;
	}
	err[0] = 0;
	if (vq_btf_parse(&split, data + cut, size - cut, &base, 8, err, sizeof(err)) == 0) {
		lookups(&split);
		vq_btf_free(&split);
	} else {
		FUZZ_CHECK(err[0]);
	}
	lookups(&base);
	vq_btf_free(&base);
	return 0;
}
