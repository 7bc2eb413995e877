/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: device configuration decoders (vq_config_decode, vq_config_size) on bytes of any length. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/config.h"
#include "fuzzmem.h"

/*
 * Input: a header, then the configuration bytes.
 *
 *   [0]       device ID: 0..64 (byte % 65), or from big_ids[] when >= 0xf8
 *   [1]       max: fields the caller has room for, 0..64 (byte % 65)
 *   [2]       bit 0: features NULL (no feature bits) instead of [3..18]
 *   [3..18]   features: four le32 words, bit n in word n / 32
 *   [19..20]  cut: a second, shorter length (le16 modulo len + 1)
 *   [21..]    the configuration, len bytes (any length, 0 included)
 *
 * Every decode gets a heap copy of exactly the bytes it is told about,
 * so that a read past len is an ASan report.
 */
#define HDR 21

/* The CLI's array (src/cli/live.c asks for 64 fields at most). */
#define CLI_MAX 64
/* Room for a decode that ignores the CLI's limit. */
#define REF_MAX 128

/* IDs no table reaches: must give 0 fields and size 0. */
static const uint32_t big_ids[] = {65, 255, 256, 0xffff, 0x10000, 0x7fffffff, 0x80000000u, 0xffffffffu};

/* Output arrays; the caller-sized one is carved from the end of a
 * static store, so a field written past @max lands in ASan's redzone. */
static struct vq_cfg_field out_store[CLI_MAX];
static struct vq_cfg_field ref[REF_MAX], cut_out[REF_MAX], all_out[REF_MAX], tmp_out[REF_MAX];

/* An exact-size heap copy (0 bytes: ASan gives a pointer it poisons whole). */
FUZZ_HARNESS static uint8_t *copy_of(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n);

	if (c && n)
		memcpy(c, p, n);
	return c;
}

/* Decode @n bytes of @p from an exact-size copy. */
FUZZ_HARNESS static size_t decode(uint32_t id, const uint8_t *p, size_t n, const uint32_t *feat,
				  struct vq_cfg_field *out, size_t max)
{
	uint8_t *c = copy_of(p, n);
	size_t ret;

	if (!c && n)
		abort();
	ret = vq_config_decode(id, c, n, feat, out, max);
	free(c);
	return ret;
}

/* A name from the field tables: a JSON key, so [a-z0-9_], not empty. */
FUZZ_HARNESS static void check_key(const char *s)
{
	size_t i;

	FUZZ_CHECK(s && s[0]);
	for (i = 0; s[i]; i++) {
		FUZZ_CHECK(i < 64);
		FUZZ_CHECK((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
			   s[i] == '_');
	}
}

/* Printable, NUL-terminated within @cap bytes. */
FUZZ_HARNESS static void check_text(const char *s, size_t cap)
{
	size_t i;

	for (i = 0; i < cap && s[i]; i++)
		FUZZ_CHECK(s[i] >= 0x20 && s[i] < 0x7f);
	FUZZ_CHECK(i < cap);
}

/* What every decode promises, whatever the bytes and features. */
FUZZ_HARNESS static void check_fields(const struct vq_cfg_field *f, size_t n, size_t max)
{
	size_t i, j;

	FUZZ_CHECK(n <= max);
	for (i = 0; i < n; i++) {
		check_key(f[i].name);
		FUZZ_CHECK(f[i].kind == VQ_CFG_UINT || f[i].kind == VQ_CFG_STR);
		check_text(f[i].str, sizeof(f[i].str));
		if (f[i].note)
			check_text(f[i].note, 128);
		/* The names are JSON keys of one object. */
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(f[i].name, f[j].name) != 0);
	}
}

FUZZ_HARNESS static int same_field(const struct vq_cfg_field *a, const struct vq_cfg_field *b)
{
	return a->name == b->name && a->kind == b->kind && a->value == b->value &&
	       !strcmp(a->str, b->str) && a->note == b->note;
}

FUZZ_HARNESS static const struct vq_cfg_field *find(const struct vq_cfg_field *f, size_t n,
						    const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(f[i].name, name))
			return &f[i];
	return NULL;
}

/*
 * Every field of @sub is in @super.  With @same_num, a number field has
 * the same value and flag names there (it was read from the same bytes);
 * text fields may differ (a 9P tag cut at a shorter length).
 */
FUZZ_HARNESS static void check_subset(const struct vq_cfg_field *sub, size_t nsub,
				      const struct vq_cfg_field *super, size_t nsuper, int same_num)
{
	const struct vq_cfg_field *g;
	size_t i;

	for (i = 0; i < nsub; i++) {
		g = find(super, nsuper, sub[i].name);
		FUZZ_CHECK(g != NULL);
		FUZZ_CHECK(g->kind == sub[i].kind);
		if (same_num && g->kind == VQ_CFG_UINT)
			FUZZ_CHECK(g->value == sub[i].value && !strcmp(g->str, sub[i].str));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t zero[4], ones[4] = {~0u, ~0u, ~0u, ~0u};
	uint32_t words[4];
	const uint32_t *feat;
	const uint8_t *cfg;
	size_t len, max, cut, sz, n, nref, ncut, nall, i;
	uint32_t id;

	if (size < HDR)
		return -1;
	id = data[0] >= 0xf8 ? big_ids[data[0] - 0xf8] : data[0] % 65u;
	max = data[1] % (CLI_MAX + 1);
	for (i = 0; i < 4; i++)
		words[i] = (uint32_t)fuzz_le(data + 3 + 4 * i, 4);
	feat = data[2] & 1 ? NULL : words;
	cfg = data + HDR;
	len = size - HDR;
	cut = fuzz_le(data + 19, 2) % (len + 1);
	sz = vq_config_size(id);

	/* The caller's call: at most @max fields, all well formed. */
	n = decode(id, cfg, len, feat, out_store + CLI_MAX - max, max);
	check_fields(out_store + CLI_MAX - max, n, max);

	/* Unlimited room: the CLI's 64 are enough, and a smaller @max gets
	 * the first fields of the same answer, not other ones. */
	nref = decode(id, cfg, len, feat, ref, REF_MAX);
	check_fields(ref, nref, REF_MAX);
	FUZZ_CHECK(nref <= CLI_MAX);
	FUZZ_CHECK(n == (nref < max ? nref : max));
	for (i = 0; i < n; i++)
		FUZZ_CHECK(same_field(&out_store[CLI_MAX - max + i], &ref[i]));

	/* No decoder (size 0): no fields; unknown IDs have neither. */
	if (id >= 65)
		FUZZ_CHECK(sz == 0);
	if (sz == 0)
		FUZZ_CHECK(nref == 0);

	/* NULL features are no feature bits. */
	if (!feat) {
		FUZZ_CHECK(decode(id, cfg, len, zero, tmp_out, REF_MAX) == nref);
		for (i = 0; i < nref; i++)
			FUZZ_CHECK(same_field(&tmp_out[i], &ref[i]));
	}

	/* A field needs its bytes: fewer bytes, fewer fields, same numbers. */
	ncut = decode(id, cfg, cut, feat, cut_out, REF_MAX);
	check_fields(cut_out, ncut, REF_MAX);
	check_subset(cut_out, ncut, ref, nref, 1);

	/* A field needs a feature: more features, more fields. */
	nall = decode(id, cfg, len, ones, all_out, REF_MAX);
	check_fields(all_out, nall, REF_MAX);
	FUZZ_CHECK(nall <= CLI_MAX);
	check_subset(ref, nref, all_out, nall, 1);

	/* vq_config_size() covers every field: bytes past it change nothing. */
	if (sz && len > sz) {
		FUZZ_CHECK(decode(id, cfg, sz, feat, tmp_out, REF_MAX) == nref);
		for (i = 0; i < nref; i++)
			FUZZ_CHECK(same_field(&tmp_out[i], &ref[i]));
	}
	return 0;
}
