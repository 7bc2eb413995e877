/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: what a QEMU monitor may send vqdump --qemu (decode/qemutext.h, the QMP reply checks of access/qmp.h). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "access/qmp.h"
#include "decode/qemutext.h"

/*
 * Input: [0] says what the rest is (byte % 5), the rest as a C string
 * (an exact-size heap copy, cut at the first NUL):
 *   0  `info mtree -f` text           2  `xp` text
 *   1  `gpa2hva` text                 3  `info qtree` text (the bus asked
 *                                        is "virtio-mmio-bus." + [1] % 32)
 *   4  one QMP message (JSON): as a reply, and as a greeting
 * Results are checked against what the headers promise.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void mtree(const char *s)
{
	struct vq_qemu_ram r[8];
	int n = vq_qemu_mtree_ram(s, r, 8), i;

	if (n < 0) {
		if (n != -ENOENT && n != -E2BIG)
			abort();
		return;
	}
	if (n > 8)
		abort();
	for (i = 0; i < n; i++)
		if (r[i].end < r[i].start || !memchr(r[i].region, 0, sizeof(r[i].region)))
			abort();
}

static void qmp_message(const char *s, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o, *ret = NULL;
	char err[64];
	unsigned v;
	int r;

	o = json_tokener_parse_ex(tok, s, (int)len);
	json_tokener_free(tok);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return;
	}
	r = vq_qmp_reply(o, &ret, err, sizeof(err));
	if ((r == 0) != (ret != NULL && json_object_object_get_ex(o, "return", NULL)) && r == 0)
		abort();
	if (r < 0 && (r != -ENOENT && r != -EPROTO))
		abort();
	if (r == 0)
		json_object_put(ret);
	if (vq_qmp_greeting(o, &v) == 0 && v > 999999)
		abort();
	json_object_put(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, bus[24];
	uint64_t u;
	uint32_t w;
	size_t len;
	int ver = 0;

	if (size < 2)
		return 0;
	len = strnlen((const char *)data + 2, size - 2);
	s = malloc(len + 1);
	if (!s)
		return 0;
	memcpy(s, data + 2, len);
	s[len] = 0;
	switch (data[0] % 5) {
	case 0:
		mtree(s);
		break;
	case 1:
		vq_qemu_gpa2hva(s, &u);
		break;
	case 2:
		vq_qemu_xp_word(s, &w);
		break;
	case 3:
		snprintf(bus, sizeof(bus), "virtio-mmio-bus.%u", data[1] % 32u);
		if (vq_qemu_qtree_mmio(s, bus, &u, &ver) == 0 && (ver < 0 || ver > 2))
			abort();
		break;
	default:
		qmp_message(s, len);
		break;
	}
	free(s);
	return 0;
}
