/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the virtio-pci capability list walk, its lookups and lint over arbitrary config space. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/pcicap.h"
#include "fuzzmem.h"

/*
 * Input: a header, then the config space.
 *
 *   [0]       bits 0-1: config space size: 0, 1: 256; 2: 4096 (PCI
 *                       Express); 3: exactly the bytes after the header
 *                       (at most 8192; any size, mostly refused)
 *             bits 2-3: needs_device_cfg: 0: -1 (unknown), 1: 0, 2-3: 1
 *             bit 4:    notification_data
 *             bit 5:    BAR sizes unknown (NULL)
 *             bit 6:    queue_notify_off values unknown (NULL)
 *   [1]       capabilities the caller has room for, 0..32 (byte % 33)
 *   [2]       findings the caller has room for, 0..32 (byte % 33)
 *   [3]       capability ID for vq_pci_find_std_cap
 *   [4]       cfg_type for vq_pcicap_first, _type_name, _min_len
 *   [5]       queues, 0..64 (byte % 65): their queue_notify_off values are
 *             the input's last 2 bytes per queue (le16; 0 when the input
 *             is shorter than that)
 *   [6..53]   six BAR sizes (le64; 0: not implemented)
 *   [54..]    the config space; bytes past the input read as 0
 *
 * The decoder gets an exact-size heap copy, so a read outside config
 * space is an ASan report.  The list is checked against a model written
 * from the PCI and virtio specs (walk_model(), cap_model()).
 */
#define HDR 54

#define MAX_CAPS 32
#define MAX_FIND 32
/* Room for every finding: per capability at most 4, plus 5 "missing". */
#define REF_FIND 256
/* Capability positions 0x40..0xfc: the walk never takes more steps. */
#define CAP_STEPS 48

static struct vq_pci_cap cap_store[MAX_CAPS], cap_256[MAX_CAPS];
static struct vq_finding find_store[MAX_FIND], find_ref[REF_FIND], find_256[REF_FIND];

#define TAIL(store, count) ((store) + (sizeof(store) / sizeof((store)[0]) - (count)))

/* What the PCI spec says the list holds. */
struct model {
	int err;	      /* 0, or the walk's error */
	unsigned npos;	      /* capabilities on the list before any error */
	uint8_t pos[CAP_STEPS]; /* their positions, list order */
};

FUZZ_HARNESS static uint32_t le32_at(const uint8_t *cfg, unsigned off)
{
	return (uint32_t)fuzz_le(cfg + off, 4);
}

/*
 * PCI 3.0, 6.7: Status bit 4 says there is a list; its head is at 0x34
 * (0x14 in a CardBus bridge header, type 2); the low two bits of every
 * pointer are reserved; pointers below 0x40 would be in the header.  A
 * capability ID of 0xff means the device is gone (all-ones reads).
 */
FUZZ_HARNESS static void walk_model(const uint8_t *cfg, size_t len, struct model *m)
{
	uint8_t seen[256] = {0};
	unsigned p;

	memset(m, 0, sizeof(*m));
	if (len != 256 && len != 4096) {
		m->err = -EINVAL;
		return;
	}
	if (!(cfg[0x06] & 0x10))
		return;
	p = cfg[(cfg[0x0e] & 0x7f) == 2 ? 0x14 : 0x34] & 0xfc;
	while (p) {
		if (p < 0x40) {
			m->err = -ERANGE;
			return;
		}
		if (seen[p]) {
			m->err = -ELOOP;
			return;
		}
		if (cfg[p] == 0xff) {
			m->err = -EIO;
			return;
		}
		seen[p] = 1;
		FUZZ_CHECK(m->npos < CAP_STEPS);
		m->pos[m->npos++] = (uint8_t)p;
		p = cfg[p + 1] & 0xfc;
	}
}

/* virtio 1.3, 4.1.4: the structure each cfg_type needs, 0: reserved. */
FUZZ_HARNESS static unsigned min_len_model(uint8_t type)
{
	switch (type) {
	case 1: /* common */
	case 3: /* isr */
	case 4: /* device */
		return 16;
	case 2: /* notify: + notify_off_multiplier */
	case 5: /* pci-cfg: + pci_cfg_data */
		return 20;
	case 8: /* shared memory: virtio_pci_cap64 */
		return 24;
	case 9: /* vendor data */
		return 6;
	}
	return 0;
}

/* The vendor capability at @p as a driver must read it; 0 when the
 * driver must ignore it (4.1.4.1). */
FUZZ_HARNESS static int cap_model(const uint8_t *cfg, unsigned p, struct vq_pci_cap *c)
{
	uint8_t type = cfg[p + 3];
	unsigned cap_len = cfg[p + 2], min = min_len_model(type);

	if (!min || cap_len < min || p + cap_len > 256)
		return 0;
	memset(c, 0, sizeof(*c));
	c->cfg_type = type;
	c->pos = (uint8_t)p;
	if (type == 9) {
		c->bar = VQ_PCI_CAP_NO_BAR;
		c->length = cap_len;
		return 1;
	}
	c->bar = cfg[p + 4];
	if (c->bar > 5)
		return 0;
	c->id = cfg[p + 5];
	c->offset = le32_at(cfg, p + 8);
	c->length = le32_at(cfg, p + 12);
	if (type == 8) {
		c->offset |= (uint64_t)le32_at(cfg, p + 16) << 32;
		c->length |= (uint64_t)le32_at(cfg, p + 20) << 32;
	}
	if (type == 2)
		c->notify_off_multiplier = le32_at(cfg, p + 16);
	return 1;
}

FUZZ_HARNESS static int same_cap(const struct vq_pci_cap *a, const struct vq_pci_cap *b)
{
	return a->cfg_type == b->cfg_type && a->bar == b->bar && a->id == b->id &&
	       a->pos == b->pos && a->offset == b->offset && a->length == b->length &&
	       a->notify_off_multiplier == b->notify_off_multiplier;
}

/* Printable, NUL-terminated within @cap bytes; returns the length. */
FUZZ_HARNESS static size_t check_text(const char *s, size_t cap)
{
	size_t i;

	for (i = 0; i < cap && s[i]; i++)
		FUZZ_CHECK(s[i] >= 0x20 && s[i] < 0x7f);
	FUZZ_CHECK(i < cap);
	return i;
}

/* vq_pcicap_parse() against the model, for room for @max capabilities. */
FUZZ_HARNESS static void check_parse(const uint8_t *cfg, int ret, const struct vq_pci_cap *caps,
				     unsigned max, const struct vq_pcicap_walk *w,
				     const struct model *m)
{
	struct vq_pci_cap c;
	unsigned i, valid = 0, ignored = 0, msix = 0;

	FUZZ_CHECK(w->visited == m->npos && w->visited <= CAP_STEPS);
	FUZZ_CHECK(w->n <= max);
	FUZZ_CHECK(ret == (m->err ? m->err : (int)w->n));
	for (i = 0; i < m->npos; i++) {
		uint8_t p = m->pos[i];

		if (cfg[p] == 0x11 && !msix)
			msix = p;
		if (cfg[p] != 0x09)
			continue;
		if (!cap_model(cfg, p, &c)) {
			ignored++;
			continue;
		}
		/* Stored in list order until the array is full. */
		if (valid < max)
			FUZZ_CHECK(same_cap(&caps[valid], &c));
		valid++;
	}
	FUZZ_CHECK(w->n == (valid < max ? valid : max));
	FUZZ_CHECK(w->dropped == valid - w->n);
	FUZZ_CHECK(w->ignored == ignored);
	FUZZ_CHECK(w->msix_pos == msix);
	/* The note says why, for an error and for an ignored capability. */
	if (m->err || ignored)
		FUZZ_CHECK(check_text(w->note, sizeof(w->note)) > 0);
	else
		check_text(w->note, sizeof(w->note));
}

FUZZ_HARNESS static void check_lookups(const uint8_t *cfg, size_t len, const struct model *m,
				       uint8_t cap_id)
{
	static const uint8_t ids[] = {0x01, 0x05, 0x09, 0x10, 0x11};
	unsigned i, k;
	int want, got;

	for (k = 0; k <= sizeof(ids); k++) {
		uint8_t id = k < sizeof(ids) ? ids[k] : cap_id;

		want = m->err;
		for (i = 0; i < m->npos; i++)
			if (cfg[m->pos[i]] == id) {
				want = m->pos[i];
				break;
			}
		got = vq_pci_find_std_cap(cfg, len, id);
		FUZZ_CHECK(got == want);
	}
	want = vq_pci_find_std_cap(cfg, len, 0x11);
	if (want > 0)
		want = !!(fuzz_le(cfg + want + 2, 2) & 0x8000);
	got = vq_pci_msix_enabled(cfg, len);
	FUZZ_CHECK(got == want);
}

FUZZ_HARNESS static void check_first(const struct vq_pci_cap *caps, unsigned n, uint8_t type)
{
	const struct vq_pci_cap *f = vq_pcicap_first(caps, n, type);
	unsigned i;

	for (i = 0; i < n && caps[i].cfg_type != type; i++)
		;
	FUZZ_CHECK(f == (i < n ? &caps[i] : NULL));
	/* Every stored type is found, no later than where it is. */
	for (i = 0; i < n; i++) {
		f = vq_pcicap_first(caps, n, caps[i].cfg_type);
		FUZZ_CHECK(f && f >= caps && f <= &caps[i] && f->cfg_type == caps[i].cfg_type);
	}
}

FUZZ_HARNESS static void check_type(uint8_t type)
{
	const char *name = vq_pcicap_type_name(type);

	FUZZ_CHECK(vq_pcicap_min_len(type) == min_len_model(type));
	FUZZ_CHECK(!name == !min_len_model(type));
	if (name)
		FUZZ_CHECK(check_text(name, 32) > 0);
}

FUZZ_HARNESS static void check_findings(const struct vq_finding *f, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		FUZZ_CHECK(f[i].code && !strncmp(f[i].code, "PCICAP_", 7));
		check_text(f[i].code, 64);
		FUZZ_CHECK(f[i].severity <= VQ_SEV_ERROR);
		FUZZ_CHECK(check_text(f[i].message, sizeof(f[i].message)) > 0);
	}
}

FUZZ_HARNESS static int same_finding(const struct vq_finding *a, const struct vq_finding *b)
{
	return a->code == b->code && a->severity == b->severity && !strcmp(a->message, b->message);
}

/* A heap copy of @n bytes of @p, zero past @have; exits on no memory. */
FUZZ_HARNESS static void *copy_padded(const uint8_t *p, size_t have, size_t n)
{
	uint8_t *c = malloc(n);

	if (!c && n)
		abort();
	if (!n)
		return c;
	memset(c, 0, n);
	memcpy(c, p, have < n ? have : n);
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vq_pcicap_lint_in in = {0};
	struct vq_pcicap_walk w, w256;
	struct vq_pci_cap *caps;
	struct vq_finding *fnd;
	struct model m;
	uint64_t *bars = NULL;
	uint16_t *offs = NULL;
	uint8_t *cfg, *cfg256 = NULL;
	unsigned maxc, maxf, nq, nf, nref, i;
	size_t len, rest;
	int ret, ret256;

	if (size < HDR)
		return -1;
	rest = size - HDR;
	switch (data[0] & 3) {
	case 2:
		len = VQ_PCI_CFG_SIZE_EXP;
		break;
	case 3:
		len = rest < 8192 ? rest : 8192;
		break;
	default:
		len = VQ_PCI_CFG_SIZE;
		break;
	}
	maxc = data[1] % (MAX_CAPS + 1);
	maxf = data[2] % (MAX_FIND + 1);
	nq = data[5] % 65;
	cfg = copy_padded(data + HDR, rest, len);

	walk_model(cfg, len, &m);
	caps = TAIL(cap_store, maxc);
	ret = vq_pcicap_parse(cfg, len, caps, maxc, &w);
	check_parse(cfg, ret, caps, maxc, &w, &m);
	check_lookups(cfg, len, &m, data[3]);
	check_first(caps, w.n, data[4]);
	check_type(data[4]);

	/* The list lives in the first 256 bytes: extended space changes nothing. */
	if (len == VQ_PCI_CFG_SIZE_EXP) {
		cfg256 = copy_padded(cfg, len, VQ_PCI_CFG_SIZE);
		ret256 = vq_pcicap_parse(cfg256, VQ_PCI_CFG_SIZE, cap_256, maxc, &w256);
		FUZZ_CHECK(ret256 == ret && w256.n == w.n && w256.ignored == w.ignored &&
			   w256.dropped == w.dropped && w256.visited == w.visited &&
			   w256.msix_pos == w.msix_pos && !strcmp(w256.note, w.note));
		for (i = 0; i < w.n; i++)
			FUZZ_CHECK(same_cap(&cap_256[i], &caps[i]));
	}

	/* The lint, on what the walk found, with exact-size inputs. */
	if (!(data[0] & 0x20)) {
		bars = malloc(6 * sizeof(*bars));
		if (!bars)
			abort();
		for (i = 0; i < 6; i++)
			bars[i] = fuzz_le(data + 6 + 8 * i, 8);
		in.bar_size = bars;
	}
	if (!(data[0] & 0x40)) {
		offs = malloc(nq ? nq * sizeof(*offs) : 1);
		if (!offs)
			abort();
		for (i = 0; i < nq; i++)
			offs[i] = size >= HDR + 2 * nq ? (uint16_t)fuzz_le(data + size - 2 * (nq - i), 2) : 0;
		in.notify_offs = offs;
		in.nqueues = nq;
	}
	in.notification_data = !!(data[0] & 0x10);
	in.needs_device_cfg = (data[0] >> 2 & 3) == 0 ? -1 : (data[0] >> 2 & 3) == 1 ? 0 : 1;

	fnd = TAIL(find_store, maxf);
	nf = vq_pcicap_lint(cfg, len, caps, w.n, &in, fnd, maxf);
	FUZZ_CHECK(nf <= maxf);
	check_findings(fnd, nf);
	/* With room for all: a smaller array gets the first ones. */
	nref = vq_pcicap_lint(cfg, len, caps, w.n, &in, find_ref, REF_FIND);
	FUZZ_CHECK(nref < REF_FIND);
	check_findings(find_ref, nref);
	FUZZ_CHECK(nf == (nref < maxf ? nref : maxf));
	for (i = 0; i < nf; i++)
		FUZZ_CHECK(same_finding(&fnd[i], &find_ref[i]));
	if (!w.n)
		FUZZ_CHECK(nref == 1 && !strcmp(find_ref[0].code, "PCICAP_NONE"));
	if (cfg256) {
		FUZZ_CHECK(vq_pcicap_lint(cfg256, VQ_PCI_CFG_SIZE, cap_256, w.n, &in, find_256,
					  REF_FIND) == nref);
		for (i = 0; i < nref; i++)
			FUZZ_CHECK(same_finding(&find_256[i], &find_ref[i]));
	}

	free(offs);
	free(bars);
	free(cfg256);
	free(cfg);
	return 0;
}
