/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: every pure function of the virtio-mmio decoder (src/decode/mmio.h) on arbitrary input. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/mmio.h"
#include "decode/ring.h"
#include "fuzzmem.h"

/*
 * Input: [0] says what the rest is (byte % 6).
 *
 *   0  registers: [0..3] MagicValue, [4..7] Version, [8..11] DeviceID,
 *      [12..27] DeviceFeatures words 0-3, [28] Status, [29] length of the
 *      reason buffer, [30..31] a register offset, [32..35] a layout
 *      version (all le; missing bytes read as 0)
 *   1  one queue: [0..3] layout version, [4] bit 0 VQ_MMIO_QF_PACKED,
 *      bit 1 wo_valid, [5..44] QueueNumMax, QueuePFN, QueueReady,
 *      QueueNum, QueueDesc low/high, QueueDriver low/high, QueueDevice
 *      low/high (le32 each)
 *   2  a /proc/iomem line          } the bytes as a C string: cut at the
 *   3  a platform device name      } first NUL, in an exact-size heap
 *   4  a sysfs "features" file     } copy with its terminator
 *   5  device tree: [0] #address-cells, [1] #size-cells, [2] the parent
 *      bus's #address-cells (see cells()), [3] cells for vq_mmio_dt_cells
 *      (byte % 9), [4..11] an address to translate (le64), [12..] one
 *      property's bytes, read as "compatible", "reg" and "ranges"
 *
 * Buffers the functions read get exact-size heap copies (ASan), and
 * results are checked against what mmio.h promises.
 */
enum { G_REGS, G_QUEUE, G_IOMEM, G_NAME, G_SYSFS, G_DT, G_COUNT };

/* Cell counts a firmware file can hold: the small ones, and the ones
 * that overflow 4 * (a + b + c) in 32 bits. */
static const uint32_t big_cells[] = {8,		 0x3fffffffu, 0x40000000u, 0x40000001u,
				     0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu};

/* le value of @n bytes at @off of @p (@len bytes), zero past the end. */
FUZZ_HARNESS static uint64_t field(const uint8_t *p, size_t len, size_t off, unsigned n)
{
	uint8_t b[8] = {0};

	if (off < len)
		memcpy(b, p + off, len - off < n ? len - off : n);
	return fuzz_le(b, n);
}

FUZZ_HARNESS static void *exact_copy(const void *p, size_t n)
{
	void *c = malloc(n);

	if (!c && n)
		abort();
	if (n)
		memcpy(c, p, n);
	return c;
}

/* The bytes up to the first NUL, as a heap string of exactly that size. */
FUZZ_HARNESS static char *c_string(const uint8_t *p, size_t len)
{
	const uint8_t *nul = memchr(p, 0, len);
	size_t n = nul ? (size_t)(nul - p) : len;
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

FUZZ_HARNESS static size_t check_text(const char *s, size_t cap)
{
	size_t i;

	for (i = 0; i < cap && s[i]; i++)
		FUZZ_CHECK(s[i] >= 0x20 && s[i] < 0x7f);
	FUZZ_CHECK(i < cap);
	return i;
}

FUZZ_HARNESS static int is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* ---- 0: identification, features, the register map ---- */

FUZZ_HARNESS static void check_regs(const uint8_t *p, size_t len)
{
	uint32_t magic = (uint32_t)field(p, len, 0, 4), version = (uint32_t)field(p, len, 4, 4);
	uint32_t id = (uint32_t)field(p, len, 8, 4), raw[4], out[4];
	uint8_t status = (uint8_t)field(p, len, 28, 1);
	size_t whylen = (size_t)field(p, len, 29, 1);
	unsigned off = (unsigned)field(p, len, 30, 2), v = (unsigned)field(p, len, 32, 4);
	const struct vq_mmio_reg *r;
	unsigned quirks, i;
	char *why;
	int ret, want;

	/* 4.2.2.2: magic first, then the version, then device ID 0. */
	why = malloc(whylen ? whylen : 1);
	if (!why)
		abort();
	why[0] = 'X';
	ret = vq_mmio_identify(magic, version, id, why, whylen);
	if (magic != VQ_MMIO_MAGIC)
		want = -ENODEV;
	else if (version != 1 && version != 2)
		want = -EPROTONOSUPPORT;
	else
		want = id ? VQ_MMIO_DEVICE : VQ_MMIO_EMPTY;
	FUZZ_CHECK(ret == want);
	if (ret < 0 && whylen)
		FUZZ_CHECK(check_text(why, whylen) > 0 || whylen == 1);
	if (!whylen)
		FUZZ_CHECK(why[0] == 'X');
	free(why);

	for (i = 0; i < 4; i++)
		raw[i] = (uint32_t)field(p, len, 12 + 4 * i, 4);
	quirks = vq_mmio_device_features(raw, out);
	if (raw[0] && raw[1] == raw[0] && raw[2] == raw[0] && raw[3] == raw[0]) {
		FUZZ_CHECK(quirks == VQ_MMIO_QUIRK_FSEL_IGNORED);
		FUZZ_CHECK(out[0] == raw[0] && !out[1] && !out[2] && !out[3]);
	} else if (raw[1] && raw[2] == raw[1] && raw[3] == raw[1]) {
		FUZZ_CHECK(quirks == VQ_MMIO_QUIRK_FSEL_CLAMPED);
		FUZZ_CHECK(out[0] == raw[0] && out[1] == raw[1] && !out[2] && !out[3]);
	} else {
		FUZZ_CHECK(quirks == 0 && !memcmp(out, raw, sizeof(raw)));
	}

	/* 3.1.1 and the legacy interface: DRIVER (2), FEATURES_OK (8). */
	if (version == 1)
		FUZZ_CHECK(vq_mmio_driver_features_zero(1, status) == !(status & 2));
	if (version == 2)
		FUZZ_CHECK(vq_mmio_driver_features_zero(2, status) == !(status & 8));
	vq_mmio_driver_features_zero(version, status);

	r = vq_mmio_reg_at(off, v);
	if (v != 1 && v != 2)
		FUZZ_CHECK(!r);
	if (r) {
		FUZZ_CHECK(r >= vq_mmio_regs && r < vq_mmio_regs + vq_mmio_nregs);
		FUZZ_CHECK(r->off == off && (r->versions & (v == 1 ? VQ_MMIO_V1 : VQ_MMIO_V2)));
	} else {
		for (i = 0; i < vq_mmio_nregs && (v == 1 || v == 2); i++)
			FUZZ_CHECK(vq_mmio_regs[i].off != off ||
				   !(vq_mmio_regs[i].versions & (v == 1 ? VQ_MMIO_V1 : VQ_MMIO_V2)));
	}
	FUZZ_CHECK(vq_mmio_may_read(off, v) == (r && (r->dir & VQ_MMIO_R)));
}

/* ---- 1: one queue ---- */

FUZZ_HARNESS static void check_queue(const uint8_t *p, size_t len)
{
	unsigned version = (unsigned)field(p, len, 0, 4), flags = (unsigned)field(p, len, 4, 1);
	int packed = flags & 1;
	struct vq_mmio_queue_regs r;
	struct vq_mmio_queue q;
	uint64_t desc, drv, dev, avail_end;
	int ret;

	memset(&r, 0, sizeof(r));
	r.wo_valid = flags >> 1 & 1;
	r.num_max = (uint32_t)field(p, len, 5, 4);
	r.pfn = (uint32_t)field(p, len, 9, 4);
	r.ready = (uint32_t)field(p, len, 13, 4);
	r.num = (uint32_t)field(p, len, 17, 4);
	r.desc_lo = (uint32_t)field(p, len, 21, 4);
	r.desc_hi = (uint32_t)field(p, len, 25, 4);
	r.driver_lo = (uint32_t)field(p, len, 29, 4);
	r.driver_hi = (uint32_t)field(p, len, 33, 4);
	r.device_lo = (uint32_t)field(p, len, 37, 4);
	r.device_hi = (uint32_t)field(p, len, 41, 4);
	desc = (uint64_t)r.desc_hi << 32 | r.desc_lo;
	drv = (uint64_t)r.driver_hi << 32 | r.driver_lo;
	dev = (uint64_t)r.device_hi << 32 | r.device_lo;

	memset(&q, 0xa5, sizeof(q));
	ret = vq_mmio_decode_queue(version, &r, packed ? VQ_MMIO_QF_PACKED : 0, &q);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL);
	FUZZ_CHECK((ret < 0) == (q.problem != NULL));
	if (q.problem)
		FUZZ_CHECK(check_text(q.problem, 200) > 0);
	if (version != 1 && version != 2) {
		FUZZ_CHECK(ret == -EINVAL);
		return;
	}
	FUZZ_CHECK(q.max_size == r.num_max);
	FUZZ_CHECK(q.enabled == (version == 1 ? r.pfn != 0 : r.ready != 0));
	if (!r.num_max) {
		/* No such queue: enabled is the only possible rule broken. */
		FUZZ_CHECK(ret == (q.enabled ? -EINVAL : 0));
		FUZZ_CHECK(!q.size && q.addr_how == VQ_MMIO_ADDR_UNKNOWN);
		return;
	}
	if (r.num_max > VQ_RING_MAX_SIZE)
		FUZZ_CHECK(ret == -EINVAL);

	/* Where the size came from. */
	FUZZ_CHECK(q.size_how <= VQ_MMIO_SIZE_MAX && q.addr_how <= VQ_MMIO_ADDR_WRITTEN);
	FUZZ_CHECK(!q.size == (q.size_how == VQ_MMIO_SIZE_UNKNOWN));
	switch (q.size_how) {
	case VQ_MMIO_SIZE_WRITTEN:
		FUZZ_CHECK(r.wo_valid && q.size == r.num && r.num <= r.num_max);
		FUZZ_CHECK(packed || is_pow2(q.size));
		break;
	case VQ_MMIO_SIZE_RINGS:
		/* Inferred when QueueNum was 0, or broke a rule. */
		FUZZ_CHECK(r.wo_valid && version == 2 && !packed && (!r.num || ret < 0));
		FUZZ_CHECK(is_pow2(q.size) && q.size <= r.num_max && q.size <= VQ_RING_MAX_SIZE);
		FUZZ_CHECK(q.avail > q.desc && q.avail - q.desc == VQ_DESC_BYTES(q.size));
		FUZZ_CHECK(q.used > q.avail && q.used - q.avail >= VQ_AVAIL_BYTES(q.size) - 2);
		break;
	case VQ_MMIO_SIZE_MAX:
		FUZZ_CHECK(q.enabled && q.size == r.num_max && q.size <= VQ_RING_MAX_SIZE);
		FUZZ_CHECK(packed || is_pow2(q.size));
		break;
	default:
		break;
	}
	/* Without a broken rule, a split ring's size is one the spec allows. */
	if (!ret && q.size)
		FUZZ_CHECK(q.size <= VQ_RING_MAX_SIZE && (packed || is_pow2(q.size)));
	if (!ret && r.wo_valid && r.num)
		FUZZ_CHECK(q.size_how == VQ_MMIO_SIZE_WRITTEN);

	/* Where the addresses came from. */
	switch (q.addr_how) {
	case VQ_MMIO_ADDR_PFN:
		FUZZ_CHECK(version == 1 && r.pfn && q.desc == (uint64_t)r.pfn * 4096);
		if (q.size) {
			/* 2.7.2 legacy layout, QueueAlign 4096. */
			avail_end = q.desc + 16ull * q.size + 6 + 2ull * q.size;
			FUZZ_CHECK(q.avail == q.desc + 16ull * q.size);
			FUZZ_CHECK(q.used == ((avail_end + 4095) & ~4095ull));
		}
		break;
	case VQ_MMIO_ADDR_WRITTEN:
		FUZZ_CHECK(version == 2 && r.wo_valid && (desc || drv || dev));
		FUZZ_CHECK(q.desc == desc && q.avail == drv && q.used == dev);
		if (!ret)
			FUZZ_CHECK(!(desc % 16) && !(drv % (packed ? 4 : 2)) && !(dev % 4));
		break;
	default:
		FUZZ_CHECK(!q.desc && !q.avail && !q.used);
		FUZZ_CHECK(version == 2 || !r.pfn);
		break;
	}
}

/* ---- 2: /proc/iomem ---- */

FUZZ_HARNESS static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* 1..16 hex digits at @s, their value in @v; returns how many, 0 if not. */
FUZZ_HARNESS static size_t hex_model(const char *s, uint64_t *v)
{
	size_t n = 0;

	*v = 0;
	while (is_hex(s[n])) {
		if (++n > 16)
			return 0;
		*v = *v << 4 | (uint64_t)(s[n - 1] <= '9' ? s[n - 1] - '0' : (s[n - 1] | 0x20) - 'a' + 10);
	}
	return n;
}

FUZZ_HARNESS static void check_iomem(const char *line)
{
	uint64_t start = 0, end = 0, s, e;
	unsigned depth = 0;
	const char *name = NULL, *q = line;
	size_t namelen = 0, sp = 0, k;
	int ret, want = 0;

	ret = vq_mmio_iomem_line(line, &start, &end, &depth, &name, &namelen);
	FUZZ_CHECK(ret == 0 || ret == 1);
	/* "  START-END : NAME": spaces, two hex numbers, " : ", a name. */
	while (q[sp] == ' ')
		sp++;
	q += sp;
	if ((k = hex_model(q, &s)) && q[k] == '-') {
		q += k + 1;
		if ((k = hex_model(q, &e)) && !strncmp(q + k, " : ", 3)) {
			q += k + 3;
			want = *q && *q != '\n' && e >= s;
		}
	}
	FUZZ_CHECK(ret == want);
	if (!ret)
		return;
	FUZZ_CHECK(start == s && end == e && start <= end && depth == sp / 2);
	FUZZ_CHECK(name == q && namelen == strcspn(q, "\n") && namelen > 0);
	FUZZ_CHECK(name[namelen] == '\n' || name[namelen] == '\0');
	/* What the CLI does next with the name. */
	ret = vq_mmio_name_match(name);
	FUZZ_CHECK(ret == 0 || ret == 1);
}

/* ---- 3: platform device names ---- */

FUZZ_HARNESS static int name_model(const char *s)
{
	size_t n = strcspn(s, " \t\n");

	if (n > 9 && !strncmp(s, "LNRO0005:", 9))
		return 1;
	if (n == 11 && !strncmp(s, "virtio-mmio", 11))
		return 1;
	if (n > 12 && !strncmp(s, "virtio-mmio.", 12))
		return 1;
	return n > 12 && !memcmp(s + n - 12, ".virtio_mmio", 12);
}

FUZZ_HARNESS static void check_name(const char *s)
{
	uint64_t addr = 0xa5a5a5a5a5a5a5a5ull, v;
	size_t k;
	char *t;
	int ret;

	ret = vq_mmio_name_match(s);
	FUZZ_CHECK(ret == name_model(s));
	/* Only the text before the first blank counts. */
	k = strcspn(s, " \t\n");
	t = exact_copy(s, k + 1);
	t[k] = '\0';
	FUZZ_CHECK(vq_mmio_name_match(t) == ret);
	free(t);

	/* "ADDR.rest": 1..16 hex digits, a dot, at least one more byte. */
	ret = vq_mmio_platform_addr(s, &addr);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL);
	k = hex_model(s, &v);
	FUZZ_CHECK((ret == 0) == (k && s[k] == '.' && s[k + 1]));
	if (!ret)
		FUZZ_CHECK(addr == v);
}

/* ---- 4: sysfs features ---- */

FUZZ_HARNESS static void check_sysfs(const char *s)
{
	uint32_t out[4], want[4] = {0};
	size_t n = strcspn(s, "\n"), i;
	int ret, ok = n <= 128;

	for (i = 0; i < n; i++) {
		if (s[i] != '0' && s[i] != '1')
			ok = 0;
		else if (s[i] == '1' && i < 128)
			want[i / 32] |= 1u << (i % 32);
	}
	ret = vq_mmio_sysfs_features(s, out);
	FUZZ_CHECK(ret == (ok ? (int)n : -EINVAL));
	if (ok)
		FUZZ_CHECK(!memcmp(out, want, sizeof(want)));
}

/* ---- 5: device tree ---- */

FUZZ_HARNESS static uint32_t cells(uint8_t b)
{
	return b >= 0xf8 ? big_cells[b - 0xf8] : b % 8u;
}

FUZZ_HARNESS static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A number of @n cells: 0 and its value when the cells above the low two
 * are zero, else -1. */
FUZZ_HARNESS static int cells_model(const uint8_t *p, unsigned n, uint64_t *v)
{
	unsigned i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (n - i > 2 && be32_at(p + 4 * i))
			return -1;
		*v = *v << 32 | be32_at(p + 4 * i);
	}
	return 0;
}

FUZZ_HARNESS static int compatible_model(const uint8_t *p, size_t len)
{
	size_t i = 0, sl;

	while (i < len) {
		for (sl = 0; i + sl < len && p[i + sl]; sl++)
			;
		if (sl == 11 && !memcmp(p + i, "virtio,mmio", 11))
			return 1;
		i += sl + 1;
	}
	return 0;
}

FUZZ_HARNESS static void check_dt(const uint8_t *d, size_t dlen)
{
	uint32_t ac = cells((uint8_t)field(d, dlen, 0, 1)), sc = cells((uint8_t)field(d, dlen, 1, 1));
	uint32_t pac = cells((uint8_t)field(d, dlen, 2, 1));
	unsigned nc = (unsigned)field(d, dlen, 3, 1) % 9;
	uint64_t addr = field(d, dlen, 4, 8), a, s, c, p, v, out;
	const uint8_t *prop = dlen > 12 ? d + 12 : d;
	size_t len = dlen > 12 ? dlen - 12 : 0, entry, i;
	uint8_t *b = exact_copy(prop, len);
	int ret, want;

	ret = vq_mmio_dt_compatible(b, len);
	FUZZ_CHECK(ret == compatible_model(prop, len));

	if (len >= 4 * nc) {
		uint8_t *cb = exact_copy(prop, 4 * nc);

		ret = vq_mmio_dt_cells(cb, nc, &v);
		want = cells_model(prop, nc, &a);
		FUZZ_CHECK(ret == (want ? -EINVAL : 0));
		if (!ret)
			FUZZ_CHECK(v == a);
		free(cb);
	}

	/* reg: the first (address, size), cell counts of 1..4 and 0..4. */
	ret = vq_mmio_dt_reg(b, len, ac, sc, &a, &s);
	want = ac >= 1 && ac <= 4 && sc <= 4 && len >= 4 * (ac + sc) &&
	       !cells_model(prop, ac, &c) && !cells_model(prop + 4 * ac, sc, &v);
	FUZZ_CHECK(ret == (want ? 0 : -EINVAL));
	if (!ret)
		FUZZ_CHECK(a == c && s == v);

	/* ranges: the first (child, parent, size) covering addr, with the
	 * end computed without wrapping. */
	ret = vq_mmio_dt_translate(addr, b, len, ac, pac, sc, &out);
	if (!len) {
		FUZZ_CHECK(ret == 0 && out == addr);
	} else if (!ac || !pac || ac > 4 || pac > 4 || sc > 4 || len % (4 * (ac + pac + sc))) {
		FUZZ_CHECK(ret == -EINVAL);
	} else {
		entry = 4 * (ac + pac + sc);
		want = -ENOENT;
		for (i = 0; i < len; i += entry) {
			if (cells_model(prop + i, ac, &c) || cells_model(prop + i + 4 * ac, pac, &p) ||
			    cells_model(prop + i + 4 * (ac + pac), sc, &s))
				continue;
			if (addr >= c && (unsigned __int128)addr < (unsigned __int128)c + s) {
				/* A translation that would wrap past 2^64 is refused. */
				want = addr - c > UINT64_MAX - p ? -EINVAL : 0;
				break;
			}
		}
		FUZZ_CHECK(ret == want);
		if (!ret)
			FUZZ_CHECK(out == p + (addr - c));
	}
	free(b);
}

/* The register table is data: check its shape once. */
FUZZ_HARNESS static void check_table(void)
{
	const struct vq_mmio_reg *r = vq_mmio_regs;
	size_t i, j;

	FUZZ_CHECK(vq_mmio_nregs > 0);
	for (i = 0; i < vq_mmio_nregs; i++) {
		FUZZ_CHECK(r[i].name && check_text(r[i].name, 32) > 0);
		FUZZ_CHECK(r[i].off % 4 == 0 && r[i].off < VQ_MMIO_HDR_LEN);
		FUZZ_CHECK(r[i].dir >= VQ_MMIO_R && r[i].dir <= VQ_MMIO_RW);
		FUZZ_CHECK(r[i].versions && !(r[i].versions & ~(VQ_MMIO_V1 | VQ_MMIO_V2)));
		FUZZ_CHECK(r[i].sel <= VQ_MMIO_SEL_SHM);
		if (i)
			FUZZ_CHECK(r[i - 1].off < r[i].off ||
				   (r[i - 1].off == r[i].off && r[i - 1].versions < r[i].versions));
		/* One register per offset and layout. */
		for (j = 0; j < i; j++)
			FUZZ_CHECK(r[j].off != r[i].off || !(r[j].versions & r[i].versions));
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	check_table();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data + 1;
	size_t len = size - 1;
	char *s;

	if (!size)
		return -1;
	switch (data[0] % G_COUNT) {
	case G_REGS:
		check_regs(p, len);
		break;
	case G_QUEUE:
		check_queue(p, len);
		break;
	case G_DT:
		check_dt(p, len);
		break;
	default:
		s = c_string(p, len);
		if (data[0] % G_COUNT == G_IOMEM)
			check_iomem(s);
		else if (data[0] % G_COUNT == G_NAME)
			check_name(s);
		else
			check_sysfs(s);
		free(s);
		break;
	}
	return 0;
}
