/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vqdump snapshots: saved-memory set, the ELF writer, the note parser and the "snapshot" transport. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <json-c/json.h>
#include <libelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapshot.h"

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* ---- saved memory ---- */

int vq_snap_mem_overlay(const struct vq_snap_mem *m, uint64_t addr, void *buf, size_t len)
{
	uint64_t covered = 0, end = addr + len;
	size_t lo = 0, hi = m->n, i;

	if (!len || end < addr)
		return 0;
	/* First range ending after @addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->r[mid].addr + m->r[mid].len <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < m->n && m->r[i].addr < end; i++) {
		const struct vq_snap_range *r = &m->r[i];
		uint64_t a = r->addr > addr ? r->addr : addr;
		uint64_t e = r->addr + r->len < end ? r->addr + r->len : end;

		memcpy((uint8_t *)buf + (a - addr), r->data + (a - r->addr), e - a);
		covered += e - a;
	}
	return covered == len;
}

int vq_snap_mem_add(struct vq_snap_mem *m, uint64_t addr, const void *buf, size_t len)
{
	uint64_t start = addr, end = addr + len, total = m->total;
	size_t first, last, i;
	uint8_t *data;

	if (!len)
		return 0;
	if (end < addr || end == 0)
		return -EOVERFLOW;
	/* Ranges that overlap or touch [addr, end) join it. */
	for (first = 0; first < m->n && m->r[first].addr + m->r[first].len < addr; first++)
		;
	for (last = first; last < m->n && m->r[last].addr <= end; last++) {
		if (m->r[last].addr < start)
			start = m->r[last].addr;
		if (m->r[last].addr + m->r[last].len > end)
			end = m->r[last].addr + m->r[last].len;
		total -= m->r[last].len;
	}
	if (end - start > SIZE_MAX)
		return -EOVERFLOW;
	data = malloc((size_t)(end - start));
	if (!data)
		return -ENOMEM;
	memcpy(data + (addr - start), buf, len);
	/* What was saved first wins. */
	for (i = first; i < last; i++) {
		memcpy(data + (m->r[i].addr - start), m->r[i].data, m->r[i].len);
		free(m->r[i].data);
	}
	if (first == last) {
		if (m->n == m->cap) {
			size_t cap = m->cap ? 2 * m->cap : 16;
			struct vq_snap_range *p = realloc(m->r, cap * sizeof(*p));

			if (!p) {
				free(data);
				return -ENOMEM;
			}
			m->r = p;
			m->cap = cap;
		}
		memmove(&m->r[first + 1], &m->r[first], (m->n - first) * sizeof(*m->r));
		m->n++;
	} else if (last - first > 1) {
		memmove(&m->r[first + 1], &m->r[last], (m->n - last) * sizeof(*m->r));
		m->n -= last - first - 1;
	}
	m->r[first] = (struct vq_snap_range){ start, end - start, data };
	m->total = total + (end - start);
	return 0;
}

void vq_snap_mem_free(struct vq_snap_mem *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->r[i].data);
	free(m->r);
	memset(m, 0, sizeof(*m));
}

/* ---- names of enum values in the note ---- */

static const char *const kind_names[] = {
	[VQ_T_PCI] = "pci", [VQ_T_PCI_LEGACY] = "pci-legacy", [VQ_T_MMIO] = "mmio",
};
static const char *const src_names[] = {
	[VQ_SRC_NONE] = "none",     [VQ_SRC_REGISTERS] = "registers", [VQ_SRC_SYSFS] = "sysfs",
	[VQ_SRC_ASSUMED] = "assumed", [VQ_SRC_STATUS] = "status",     [VQ_SRC_KERNEL] = "kernel",
};
static const char *const access_names[] = {
	[VQ_ACCESS_NONE] = "none", [VQ_ACCESS_MAPPED] = "mapped",
	[VQ_ACCESS_PCI_CFG] = "pci-cfg", [VQ_ACCESS_SYSFS] = "sysfs",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *enum_name(const char *const *names, size_t n, unsigned v)
{
	return v < n && names[v] ? names[v] : "?";
}

/* ---- writing the note ---- */

static struct json_object *str_or_null(const char *s)
{
	return s && s[0] ? json_object_new_string(s) : NULL;
}

static void add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static struct json_object *u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static struct json_object *words(const uint32_t w[4])
{
	struct json_object *a = json_object_new_array();
	unsigned i;

	for (i = 0; i < 4; i++)
		json_object_array_add(a, u64(w[i]));
	return a;
}

static struct json_object *dev_to_json(const struct vq_dev *d, const struct vq_snap_extra *x)
{
	struct json_object *o = json_object_new_object(), *a;
	char *hex;
	unsigned i;

	add(o, "name", json_object_new_string(d->name));
	add(o, "kind", json_object_new_string(enum_name(kind_names, NELEM(kind_names), d->kind)));
	add(o, "virtio_name", str_or_null(d->virtio_name));
	add(o, "driver", str_or_null(d->driver));
	add(o, "virtio_driver", str_or_null(x ? x->virtio_driver : NULL));
	add(o, "error", str_or_null(x ? x->error : NULL));
	add(o, "device_id", u64(d->device_id));
	add(o, "vendor_id", u64(d->vendor_id));
	add(o, "pci_device", u64(d->pci_device));
	add(o, "mmio_version", json_object_new_int(d->mmio_version));
	add(o, "mmio_base", u64(d->mmio_base));
	a = json_object_new_array();
	for (i = 0; i < d->ncaps && i < VQ_PCI_CAPS_MAX; i++) {
		const struct vq_pci_cap *c = &d->caps[i];
		struct json_object *co = json_object_new_object();

		add(co, "cfg_type", u64(c->cfg_type));
		add(co, "bar", u64(c->bar));
		add(co, "id", u64(c->id));
		add(co, "pos", u64(c->pos));
		add(co, "offset", u64(c->offset));
		add(co, "length", u64(c->length));
		add(co, "notify_off_multiplier", u64(c->notify_off_multiplier));
		json_object_array_add(a, co);
	}
	add(o, "caps", a);
	add(o, "status", u64(d->status));
	add(o, "device_features", words(d->device_features));
	add(o, "device_features_src",
	    json_object_new_string(enum_name(src_names, NELEM(src_names), d->device_features_src)));
	add(o, "driver_features", words(d->driver_features));
	add(o, "driver_features_src",
	    json_object_new_string(enum_name(src_names, NELEM(src_names), d->driver_features_src)));
	add(o, "num_queues", u64(d->num_queues));
	a = json_object_new_array();
	for (i = 0; i < d->num_queues && d->queues; i++) {
		const struct vq_queue_state *q = &d->queues[i];
		struct json_object *qo = json_object_new_object();

		add(qo, "index", u64(q->index));
		add(qo, "size", u64(q->size));
		add(qo, "max_size", u64(q->max_size));
		add(qo, "size_src", json_object_new_string(enum_name(src_names, NELEM(src_names), q->size_src)));
		add(qo, "enabled", u64(q->enabled));
		add(qo, "desc", u64(q->desc));
		add(qo, "avail", u64(q->avail));
		add(qo, "used", u64(q->used));
		add(qo, "addr_src", json_object_new_string(enum_name(src_names, NELEM(src_names), q->addr_src)));
		add(qo, "msix_vector", u64(q->msix_vector));
		add(qo, "notify_off", u64(q->notify_off));
		add(qo, "idx_valid", u64(q->idx_valid));
		add(qo, "avail_idx", u64(q->avail_idx));
		add(qo, "used_idx", u64(q->used_idx));
		add(qo, "idx2_valid", u64(q->idx2_valid));
		add(qo, "avail_idx2", u64(q->avail_idx2));
		add(qo, "used_idx2", u64(q->used_idx2));
		add(qo, "sample_ms", u64(q->sample_ms));
		json_object_array_add(a, qo);
	}
	add(o, "queues", a);
	hex = malloc(2 * (size_t)VQ_CONFIG_MAX + 1);
	if (hex) {
		for (i = 0; i < d->config_len && i < VQ_CONFIG_MAX; i++)
			snprintf(hex + 2 * i, 3, "%02x", d->config[i]);
		hex[2 * i] = 0;
		add(o, "config", json_object_new_string(hex));
		free(hex);
	}
	add(o, "config_generation", json_object_new_int(d->config_generation));
	add(o, "config_consistent", json_object_new_boolean(d->config_consistent));
	add(o, "msix_config", u64(d->msix_config));
	add(o, "access", json_object_new_string(enum_name(access_names, NELEM(access_names), d->access)));
	return o;
}

char *vq_snap_to_json(const struct vq_snap_info *info, const struct vq_dev *devs,
		      const struct vq_snap_extra *extra, size_t n)
{
	struct json_object *root = json_object_new_object(), *a = json_object_new_array();
	const char *s;
	char *out;
	size_t i;

	if (!root || !a) {
		json_object_put(root);
		json_object_put(a);
		return NULL;
	}
	add(root, "format", json_object_new_string(VQ_SNAP_FORMAT));
	add(root, "version", json_object_new_int(VQ_SNAP_VERSION));
	add(root, "time", json_object_new_int64(info->time));
	add(root, "host", json_object_new_string(info->host));
	add(root, "interval_ms", u64(info->interval_ms));
	add(root, "vqdump_version", json_object_new_string(info->vqdump_version));
	for (i = 0; i < n; i++)
		json_object_array_add(a, dev_to_json(&devs[i], extra ? &extra[i] : NULL));
	add(root, "devices", a);
	s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	out = s ? strdup(s) : NULL;
	json_object_put(root);
	return out;
}

/* ---- writing the ELF file ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* The machine the snapshot was taken on: its physical addresses. */
static uint16_t host_machine(void)
{
#if defined(__x86_64__)
	return EM_X86_64;
#elif defined(__aarch64__)
	return EM_AARCH64;
#elif defined(__riscv)
	return EM_RISCV;
#elif defined(__i386__)
	return EM_386;
#else
	return EM_NONE;
#endif
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define ALIGN_UP(v, a) (((v) + (a)-1) & ~(uint64_t)((a)-1))

static int write_elf(int fd, const char *json, const struct vq_snap_mem *mem)
{
	static const uint8_t zeros[16];
	size_t jlen = strlen(json), phnum = mem->n + 1, i;
	uint64_t note_off, note_len, off;
	uint8_t *hdr;
	size_t hlen;
	int ret;

	if (phnum >= PN_XNUM)
		return -E2BIG;
	hlen = EHDR_SIZE + phnum * PHDR_SIZE;
	hdr = calloc(1, hlen + 12 + 8);
	if (!hdr)
		return -ENOMEM;
	/* ELF header. */
	memcpy(hdr, ELFMAG, SELFMAG);
	hdr[EI_CLASS] = ELFCLASS64;
	hdr[EI_DATA] = ELFDATA2LSB;
	hdr[EI_VERSION] = EV_CURRENT;
	hdr[EI_OSABI] = ELFOSABI_NONE;
	put16(hdr + 16, ET_CORE);
	put16(hdr + 18, host_machine());
	put32(hdr + 20, EV_CURRENT);
	put64(hdr + 32, EHDR_SIZE); /* e_phoff */
	put16(hdr + 52, EHDR_SIZE);
	put16(hdr + 54, PHDR_SIZE);
	put16(hdr + 56, (uint16_t)phnum);
	put16(hdr + 58, 64); /* e_shentsize, no sections */
	/* The note: name "VQDUMP\0" padded to 8, descriptor padded to 4. */
	note_off = ALIGN_UP(hlen, 8);
	note_len = 12 + 8 + ALIGN_UP(jlen, 4);
	{
		uint8_t *p = hdr + EHDR_SIZE;

		put32(p, PT_NOTE);
		put64(p + 8, note_off);
		put64(p + 32, note_len);
		put64(p + 40, note_len);
		put64(p + 48, 4);
	}
	off = ALIGN_UP(note_off + note_len, 16);
	for (i = 0; i < mem->n; i++) {
		uint8_t *p = hdr + EHDR_SIZE + (i + 1) * PHDR_SIZE;

		put32(p, PT_LOAD);
		put32(p + 4, PF_R);
		put64(p + 8, off);
		put64(p + 16, mem->r[i].addr); /* p_vaddr: as QEMU, the physical address */
		put64(p + 24, mem->r[i].addr); /* p_paddr */
		put64(p + 32, mem->r[i].len);
		put64(p + 40, mem->r[i].len);
		put64(p + 48, 1);
		off = ALIGN_UP(off + mem->r[i].len, 16);
	}
	ret = write_all(fd, hdr, hlen);
	if (!ret)
		ret = write_all(fd, zeros, note_off - hlen);
	if (!ret) {
		uint8_t nh[20] = { 0 };

		put32(nh, sizeof(VQ_SNAP_NOTE_NAME));
		put32(nh + 4, (uint32_t)jlen);
		put32(nh + 8, VQ_SNAP_NOTE_TYPE);
		memcpy(nh + 12, VQ_SNAP_NOTE_NAME, sizeof(VQ_SNAP_NOTE_NAME));
		ret = write_all(fd, nh, sizeof(nh));
	}
	if (!ret)
		ret = write_all(fd, json, jlen);
	/* The descriptor's padding, then up to the first segment's offset
	 * (each at most 15 bytes: within @zeros). */
	if (!ret)
		ret = write_all(fd, zeros, ALIGN_UP(jlen, 4) - jlen);
	off = note_off + note_len;
	if (!ret)
		ret = write_all(fd, zeros, ALIGN_UP(off, 16) - off);
	off = ALIGN_UP(off, 16);
	for (i = 0; i < mem->n && !ret; i++) {
		ret = write_all(fd, mem->r[i].data, mem->r[i].len);
		off += mem->r[i].len;
		if (!ret)
			ret = write_all(fd, zeros, ALIGN_UP(off, 16) - off);
		off = ALIGN_UP(off, 16);
	}
	free(hdr);
	return ret;
}

int vq_snap_write(const char *path, const char *json, const struct vq_snap_mem *mem, int force,
		  char *err, size_t errlen)
{
	char *tmp, *slash;
	size_t plen = strlen(path);
	struct stat st;
	int fd, ret;

	if (strlen(json) > VQ_SNAP_NOTE_MAX)
		return fail(err, errlen, -E2BIG, "write snapshot %s: device description too large", path);
	if (!force && lstat(path, &st) == 0)
		return fail(err, errlen, -EEXIST,
			    "write snapshot %s: file exists (give --force to replace it)", path);
	if (force && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return fail(err, errlen, -EINVAL, "write snapshot %s: not a regular file", path);
	tmp = malloc(plen + 32);
	if (!tmp)
		return fail(err, errlen, -ENOMEM, "write snapshot %s: out of memory", path);
	/* A temporary file beside the target, so that rename() is atomic. */
	slash = strrchr(path, '/');
	if (slash)
		snprintf(tmp, plen + 32, "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	else
		snprintf(tmp, plen + 32, ".%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = fail(err, errlen, -errno, "write snapshot %s: create a temporary file beside it: %s",
			   path, strerror(errno));
		free(tmp);
		return ret;
	}
	ret = write_elf(fd, json, mem);
	if (ret == -E2BIG)
		fail(err, errlen, ret, "write snapshot %s: more than %u memory ranges", path, PN_XNUM - 2);
	else if (ret)
		fail(err, errlen, ret, "write snapshot %s: %s", path, strerror(-ret));
	if (!ret && fsync(fd) < 0)
		ret = fail(err, errlen, -errno, "write snapshot %s: %s", path, strerror(errno));
	if (close(fd) < 0 && !ret)
		ret = fail(err, errlen, -errno, "write snapshot %s: %s", path, strerror(errno));
	if (!ret) {
		if (force) {
			if (rename(tmp, path) < 0)
				ret = fail(err, errlen, -errno, "write snapshot %s: rename: %s", path,
					   strerror(errno));
		} else if (link(tmp, path) < 0) {
			/* link() refuses to replace a file that appeared meanwhile. */
			ret = fail(err, errlen, -errno, "write snapshot %s: %s", path,
				   errno == EEXIST ? "file exists (give --force to replace it)"
						   : strerror(errno));
		}
	}
	unlink(tmp);
	free(tmp);
	return ret;
}

/* ---- reading the note ---- */

static uint32_t get32(const uint8_t *p, int msb)
{
	if (msb)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

int vq_snap_find_note(const uint8_t *notes, size_t len, int msb, const uint8_t **desc,
		      size_t *desclen, char *err, size_t errlen)
{
	size_t off = 0;
	int found = 0;

	*desc = NULL;
	*desclen = 0;
	while (len - off >= 12) {
		uint32_t namesz = get32(notes + off, msb), descsz = get32(notes + off + 4, msb);
		uint32_t type = get32(notes + off + 8, msb);
		size_t nameoff = off + 12, namepad = ALIGN_UP((uint64_t)namesz, 4);
		size_t descoff, descpad = ALIGN_UP((uint64_t)descsz, 4);

		if (namepad > len - nameoff)
			return fail(err, errlen, -EINVAL,
				    "ELF note at offset %zu: name (%u bytes) runs past the notes (%zu bytes)",
				    off, namesz, len);
		descoff = nameoff + namepad;
		if (descsz > len - descoff)
			return fail(err, errlen, -EINVAL,
				    "ELF note at offset %zu: descriptor (%u bytes) runs past the notes (%zu bytes)",
				    off, descsz, len);
		if (namesz == sizeof(VQ_SNAP_NOTE_NAME) &&
		    !memcmp(notes + nameoff, VQ_SNAP_NOTE_NAME, sizeof(VQ_SNAP_NOTE_NAME))) {
			if (type != VQ_SNAP_NOTE_TYPE)
				return fail(err, errlen, -EINVAL,
					    "VQDUMP note of unknown type 0x%x (this vqdump reads 0x%x)",
					    type, VQ_SNAP_NOTE_TYPE);
			if (found)
				return fail(err, errlen, -EINVAL, "more than one VQDUMP note");
			found = 1;
			*desc = notes + descoff;
			*desclen = descsz;
		}
		/* The last note's padding may be missing. */
		if (descpad > len - descoff)
			break;
		off = descoff + descpad;
	}
	return found;
}

/* One object member, checked: what it must be and within which range. */
struct parse {
	char *err;
	size_t errlen;
	char where[64]; /* "device 2 queue 5" for messages */
};

static int perr(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(struct parse *p, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->where[0])
		snprintf(p->err, p->errlen, "snapshot note: %s: %s", p->where, msg);
	else
		snprintf(p->err, p->errlen, "snapshot note: %s", msg);
	return -EINVAL;
}

static int get_uint(struct parse *p, struct json_object *o, const char *key, uint64_t max,
		    uint64_t *out)
{
	struct json_object *v;
	uint64_t u;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return perr(p, "'%s' missing", key);
	if (!json_object_is_type(v, json_type_int))
		return perr(p, "'%s' is not an integer", key);
	/* json-c keeps integers as int64 or uint64: a negative one reads
	 * below 0 as int64. */
	if (json_object_get_int64(v) < 0)
		return perr(p, "'%s' is negative", key);
	u = json_object_get_uint64(v);
	if (u > max)
		return perr(p, "'%s' is %llu, above %llu", key, (unsigned long long)u,
			    (unsigned long long)max);
	*out = u;
	return 0;
}

#define GET_UINT(p, o, key, max, dst)                                                              \
	do {                                                                                       \
		uint64_t v_;                                                                       \
		int r_ = get_uint(p, o, key, max, &v_);                                            \
		if (r_)                                                                            \
			return r_;                                                                 \
		(dst) = v_;                                                                        \
	} while (0)

/* A string member that must fit @len bytes with its NUL; null or absent
 * (@optional) gives "". */
static int get_str(struct parse *p, struct json_object *o, const char *key, int optional,
		   char *out, size_t len)
{
	struct json_object *v;
	const char *s;
	size_t n, i;

	out[0] = 0;
	if (!json_object_object_get_ex(o, key, &v) || !v) {
		if (optional)
			return 0;
		return perr(p, "'%s' missing", key);
	}
	if (!json_object_is_type(v, json_type_string))
		return perr(p, "'%s' is not a string", key);
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n >= len)
		return perr(p, "'%s' is %zu bytes long, at most %zu fit", key, n, len - 1);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return perr(p, "'%s' holds a control character", key);
	memcpy(out, s, n);
	out[n] = 0;
	return 0;
}

static int get_enum(struct parse *p, struct json_object *o, const char *key,
		    const char *const *names, size_t nnames, unsigned *out)
{
	char s[32];
	size_t i;
	int ret = get_str(p, o, key, 0, s, sizeof(s));

	if (ret)
		return ret;
	for (i = 0; i < nnames; i++)
		if (names[i] && !strcmp(names[i], s)) {
			*out = (unsigned)i;
			return 0;
		}
	return perr(p, "'%s' has the unknown value '%s'", key, s);
}

#define GET_ENUM(p, o, key, names, dst)                                                            \
	do {                                                                                       \
		unsigned e_ = 0;                                                                     \
		int r_ = get_enum(p, o, key, names, NELEM(names), &e_);                            \
		if (r_)                                                                            \
			return r_;                                                                 \
		(dst) = e_;                                                                        \
	} while (0)

static int get_array(struct parse *p, struct json_object *o, const char *key, size_t max,
		     struct json_object **out, size_t *n)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return perr(p, "'%s' missing", key);
	if (!json_object_is_type(v, json_type_array))
		return perr(p, "'%s' is not an array", key);
	*n = json_object_array_length(v);
	if (*n > max)
		return perr(p, "'%s' has %zu entries, at most %zu allowed", key, *n, max);
	*out = v;
	return 0;
}

static int get_words(struct parse *p, struct json_object *o, const char *key, uint32_t w[4])
{
	struct json_object *a;
	size_t n, i;
	int ret = get_array(p, o, key, 4, &a, &n);

	if (ret)
		return ret;
	if (n != 4)
		return perr(p, "'%s' has %zu words, not 4", key, n);
	for (i = 0; i < 4; i++) {
		struct json_object *v = json_object_array_get_idx(a, i);

		if (!v || !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
		    json_object_get_uint64(v) > UINT32_MAX)
			return perr(p, "'%s' word %zu is not a 32-bit unsigned integer", key, i);
		w[i] = (uint32_t)json_object_get_uint64(v);
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_queue(struct parse *p, struct json_object *o, unsigned i, struct vq_queue_state *q)
{
	if (!json_object_is_type(o, json_type_object))
		return perr(p, "queue %u is not an object", i);
	GET_UINT(p, o, "index", UINT16_MAX, q->index);
	if (q->index != i)
		return perr(p, "queue %u says it is queue %u", i, q->index);
	GET_UINT(p, o, "size", UINT16_MAX, q->size);
	GET_UINT(p, o, "max_size", UINT16_MAX, q->max_size);
	GET_ENUM(p, o, "size_src", src_names, q->size_src);
	GET_UINT(p, o, "enabled", UINT8_MAX, q->enabled);
	GET_UINT(p, o, "desc", UINT64_MAX, q->desc);
	GET_UINT(p, o, "avail", UINT64_MAX, q->avail);
	GET_UINT(p, o, "used", UINT64_MAX, q->used);
	GET_ENUM(p, o, "addr_src", src_names, q->addr_src);
	GET_UINT(p, o, "msix_vector", UINT16_MAX, q->msix_vector);
	GET_UINT(p, o, "notify_off", UINT16_MAX, q->notify_off);
	GET_UINT(p, o, "idx_valid", 1, q->idx_valid);
	GET_UINT(p, o, "avail_idx", UINT16_MAX, q->avail_idx);
	GET_UINT(p, o, "used_idx", UINT16_MAX, q->used_idx);
	GET_UINT(p, o, "idx2_valid", 1, q->idx2_valid);
	GET_UINT(p, o, "avail_idx2", UINT16_MAX, q->avail_idx2);
	GET_UINT(p, o, "used_idx2", UINT16_MAX, q->used_idx2);
	GET_UINT(p, o, "sample_ms", UINT32_MAX, q->sample_ms);
	return 0;
}

/* What the snapshot transport keeps: the state as saved, restored by
 * every read_state(). */
struct snap_priv {
	struct vq_dev saved;        /* state fields as saved; saved.queues owned */
	struct vq_snap_extra extra; /* virtio driver, read error */
};

static int parse_device(struct parse *p, struct json_object *o, struct vq_dev *d,
			struct snap_priv *sp)
{
	struct json_object *a;
	size_t n, i;
	const char *hex;
	int ret;

	if (!json_object_is_type(o, json_type_object))
		return perr(p, "not an object");
	if ((ret = get_str(p, o, "name", 0, d->name, sizeof(d->name))))
		return ret;
	if (!d->name[0])
		return perr(p, "'name' is empty");
	GET_ENUM(p, o, "kind", kind_names, d->kind);
	if ((ret = get_str(p, o, "virtio_name", 1, d->virtio_name, sizeof(d->virtio_name))) ||
	    (ret = get_str(p, o, "driver", 1, d->driver, sizeof(d->driver))) ||
	    (ret = get_str(p, o, "virtio_driver", 1, sp->extra.virtio_driver,
			   sizeof(sp->extra.virtio_driver))) ||
	    (ret = get_str(p, o, "error", 1, sp->extra.error, sizeof(sp->extra.error))))
		return ret;
	GET_UINT(p, o, "device_id", UINT32_MAX, d->device_id);
	GET_UINT(p, o, "vendor_id", UINT32_MAX, d->vendor_id);
	GET_UINT(p, o, "pci_device", UINT16_MAX, d->pci_device);
	GET_UINT(p, o, "mmio_version", 2, d->mmio_version);
	if ((d->kind == VQ_T_MMIO) != (d->mmio_version != 0))
		return perr(p, "mmio_version %d does not suit transport %s", d->mmio_version,
			    kind_names[d->kind]);
	GET_UINT(p, o, "mmio_base", UINT64_MAX, d->mmio_base);
	if ((ret = get_array(p, o, "caps", VQ_PCI_CAPS_MAX, &a, &n)))
		return ret;
	d->ncaps = (unsigned)n;
	for (i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(a, i);
		struct vq_pci_cap *cap = &d->caps[i];

		if (!c || !json_object_is_type(c, json_type_object))
			return perr(p, "capability %zu is not an object", i);
		GET_UINT(p, c, "cfg_type", UINT8_MAX, cap->cfg_type);
		GET_UINT(p, c, "bar", UINT8_MAX, cap->bar);
		GET_UINT(p, c, "id", UINT8_MAX, cap->id);
		GET_UINT(p, c, "pos", UINT8_MAX, cap->pos);
		GET_UINT(p, c, "offset", UINT64_MAX, cap->offset);
		GET_UINT(p, c, "length", UINT64_MAX, cap->length);
		GET_UINT(p, c, "notify_off_multiplier", UINT32_MAX, cap->notify_off_multiplier);
	}
	GET_UINT(p, o, "status", UINT8_MAX, d->status);
	if ((ret = get_words(p, o, "device_features", d->device_features)) ||
	    (ret = get_words(p, o, "driver_features", d->driver_features)))
		return ret;
	GET_ENUM(p, o, "device_features_src", src_names, d->device_features_src);
	GET_ENUM(p, o, "driver_features_src", src_names, d->driver_features_src);
	GET_UINT(p, o, "num_queues", VQ_QUEUES_MAX, d->num_queues);
	if ((ret = get_array(p, o, "queues", VQ_QUEUES_MAX, &a, &n)))
		return ret;
	if (n != d->num_queues)
		return perr(p, "num_queues is %u but %zu queues are described", d->num_queues, n);
	if (n) {
		d->queues = calloc(n, sizeof(*d->queues));
		if (!d->queues)
			return perr(p, "out of memory");
	}
	for (i = 0; i < n; i++)
		if ((ret = parse_queue(p, json_object_array_get_idx(a, i), (unsigned)i, &d->queues[i])))
			return ret;
	{
		char buf[2 * VQ_CONFIG_MAX + 1];

		if ((ret = get_str(p, o, "config", 0, buf, sizeof(buf))))
			return ret;
		hex = buf;
		n = strlen(hex);
		if (n % 2)
			return perr(p, "'config' has an odd number of hex digits");
		for (i = 0; i < n / 2; i++) {
			int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

			if (hi < 0 || lo < 0)
				return perr(p, "'config' is not hexadecimal");
			d->config[i] = (uint8_t)(hi << 4 | lo);
		}
		d->config_len = (unsigned)(n / 2);
	}
	{
		struct json_object *v;
		int64_t g;

		if (!json_object_object_get_ex(o, "config_generation", &v) || !v ||
		    !json_object_is_type(v, json_type_int))
			return perr(p, "'config_generation' missing or not an integer");
		g = json_object_get_int64(v);
		if (g < -1 || g > INT_MAX)
			return perr(p, "'config_generation' is %lld, not -1 or a generation",
				    (long long)g);
		d->config_generation = (int)g;
		if (!json_object_object_get_ex(o, "config_consistent", &v) || !v ||
		    !json_object_is_type(v, json_type_boolean))
			return perr(p, "'config_consistent' missing or not a boolean");
		d->config_consistent = json_object_get_boolean(v);
	}
	GET_UINT(p, o, "msix_config", UINT16_MAX, d->msix_config);
	GET_ENUM(p, o, "access", access_names, d->access);
	return 0;
}

static void snap_release(struct vq_dev *d)
{
	struct snap_priv *sp = d->priv;

	if (sp)
		free(sp->saved.queues);
	free(sp);
	free(d->queues);
	d->priv = NULL;
	d->queues = NULL;
	d->num_queues = 0;
}

/* Keep the parsed state in the private copy; @d shows it after read_state(). */
static int keep_saved(struct vq_dev *d, struct snap_priv *sp)
{
	sp->saved = *d;
	sp->saved.queues = NULL;
	if (d->num_queues) {
		sp->saved.queues = malloc(d->num_queues * sizeof(*d->queues));
		if (!sp->saved.queues)
			return -ENOMEM;
		memcpy(sp->saved.queues, d->queues, d->num_queues * sizeof(*d->queues));
	}
	return 0;
}

/*
 * json-c saturates an integer beyond 64 bits to UINT64_MAX without a word:
 * find such literals in the text first (outside strings), so that they are
 * refused instead of read as another value.  Returns the byte offset of
 * the first, or -1.
 */
static long huge_integer(const char *s, size_t len)
{
	static const char max[] = "18446744073709551615";
	size_t i = 0;
	int in_str = 0;

	while (i < len) {
		size_t start, n;

		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_str = 0;
			i++;
			continue;
		}
		if (s[i] == '"') {
			in_str = 1;
			i++;
			continue;
		}
		if (s[i] < '0' || s[i] > '9') {
			i++;
			continue;
		}
		start = i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		/* A fraction or an exponent makes it a double, refused later. */
		if (i < len && (s[i] == '.' || s[i] == 'e' || s[i] == 'E'))
			continue;
		while (start < i - 1 && s[start] == '0')
			start++;
		n = i - start;
		if (n > sizeof(max) - 1 || (n == sizeof(max) - 1 && memcmp(s + start, max, n) > 0))
			return (long)start;
	}
	return -1;
}

int vq_snap_parse(const char *json, size_t len, struct vq_dev_list *list,
		  struct vq_snap_info *info, char *err, size_t errlen)
{
	struct parse p = { .err = err, .errlen = errlen };
	struct json_tokener *tok;
	struct json_object *root, *a;
	size_t n, i, n0 = list->n;
	char fmt[32];
	int ret;

	memset(info, 0, sizeof(*info));
	if (len > VQ_SNAP_NOTE_MAX || len > INT_MAX)
		return perr(&p, "%zu bytes, more than the %u this vqdump reads", len, VQ_SNAP_NOTE_MAX);
	if (memchr(json, 0, len))
		return perr(&p, "a NUL byte inside the JSON text");
	{
		long at = huge_integer(json, len);

		if (at >= 0)
			return perr(&p, "an integer beyond 64 bits at byte %ld", at);
	}
	tok = json_tokener_new();
	if (!tok)
		return perr(&p, "out of memory");
	root = json_tokener_parse_ex(tok, json, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		ret = perr(&p, "not valid JSON: %s at byte %zu",
			   e == json_tokener_continue ? "text ends early"
			   : e == json_tokener_success ? "extra text after the document"
						       : json_tokener_error_desc(e),
			   json_tokener_get_parse_end(tok));
		json_tokener_free(tok);
		json_object_put(root);
		return ret;
	}
	json_tokener_free(tok);
	if (!json_object_is_type(root, json_type_object)) {
		ret = perr(&p, "not a JSON object");
		goto out;
	}
	if ((ret = get_str(&p, root, "format", 0, fmt, sizeof(fmt))))
		goto out;
	if (strcmp(fmt, VQ_SNAP_FORMAT)) {
		ret = perr(&p, "format '%s' is not '%s'", fmt, VQ_SNAP_FORMAT);
		goto out;
	}
	{
		uint64_t v;

		if ((ret = get_uint(&p, root, "version", INT_MAX, &v)))
			goto out;
		if (v != VQ_SNAP_VERSION) {
			ret = perr(&p, "format version %llu; this vqdump reads version %d",
				   (unsigned long long)v, VQ_SNAP_VERSION);
			goto out;
		}
		info->version = (int)v;
		if ((ret = get_uint(&p, root, "time", INT64_MAX, &v)))
			goto out;
		info->time = (int64_t)v;
		if ((ret = get_uint(&p, root, "interval_ms", UINT32_MAX, &v)))
			goto out;
		info->interval_ms = (uint32_t)v;
	}
	if ((ret = get_str(&p, root, "host", 1, info->host, sizeof(info->host))) ||
	    (ret = get_str(&p, root, "vqdump_version", 1, info->vqdump_version,
			   sizeof(info->vqdump_version))) ||
	    (ret = get_array(&p, root, "devices", VQ_SNAP_DEVS_MAX, &a, &n)))
		goto out;
	for (i = 0; i < n; i++) {
		struct vq_dev *d = vq_dev_list_add(list);
		struct snap_priv *sp;

		if (!d) {
			ret = perr(&p, "out of memory");
			goto undo;
		}
		d->t = &vq_transport_snapshot;
		sp = calloc(1, sizeof(*sp));
		if (!sp) {
			ret = perr(&p, "out of memory");
			goto undo;
		}
		d->priv = sp;
		snprintf(p.where, sizeof(p.where), "device %zu", i);
		ret = parse_device(&p, json_object_array_get_idx(a, i), d, sp);
		if (!ret && keep_saved(d, sp))
			ret = perr(&p, "out of memory");
		if (ret)
			goto undo;
		p.where[0] = 0;
	}
	json_object_put(root);
	return (int)n;
undo:
	while (list->n > n0) {
		snap_release(&list->devs[list->n - 1]);
		list->n--;
	}
out:
	json_object_put(root);
	return ret < 0 ? ret : -EINVAL;
}

int vq_snap_open(const char *path, struct vq_dev_list *list, struct vq_snap_info *info,
		 char *err, size_t errlen)
{
	GElf_Ehdr eh;
	size_t phnum, i;
	Elf *elf = NULL;
	int fd, ret = -ENOENT, found = 0;
	uint8_t *notes = NULL;
	/* Bytes of notes read in all: a hostile file with many large PT_NOTE
	 * headers pointing at the same bytes gets bounded work. */
	uint64_t budget = 2ull * (VQ_SNAP_NOTE_MAX + 4096);
	char why[400];

	fail(err, errlen, 0, "%s", "");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, -errno, "open core %s: %s", path, strerror(errno));
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) || eh.e_type != ET_CORE ||
	    elf_getphdrnum(elf, &phnum) < 0) {
		/* The memory accessor says what is wrong with it. */
		ret = fail(err, errlen, -ENOENT, "%s is not a vqdump snapshot", path);
		goto out;
	}
	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		const uint8_t *desc;
		size_t desclen;
		ssize_t r;
		int f;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE || !ph.p_filesz)
			continue;
		if (ph.p_filesz > VQ_SNAP_NOTE_MAX + 4096 || ph.p_offset > (uint64_t)INT64_MAX) {
			/* Not ours (ours fits), but may be someone else's. */
			continue;
		}
		if (ph.p_filesz > budget)
			break; /* enough read: what is left is not ours */
		budget -= ph.p_filesz;
		free(notes);
		notes = malloc(ph.p_filesz);
		if (!notes) {
			ret = fail(err, errlen, -ENOMEM, "read %s: out of memory", path);
			goto out;
		}
		r = pread(fd, notes, ph.p_filesz, (off_t)ph.p_offset);
		if (r < 0 || (uint64_t)r != ph.p_filesz)
			continue; /* truncated: the memory accessor will say so if it matters */
		f = vq_snap_find_note(notes, ph.p_filesz, eh.e_ident[EI_DATA] == ELFDATA2MSB, &desc,
				      &desclen, why, sizeof(why));
		if (f > 0 && found)
			f = fail(why, sizeof(why), -EINVAL, "more than one VQDUMP note");
		if (f < 0) {
			ret = fail(err, errlen, -EINVAL, "read snapshot %s: %s", path, why);
			goto out;
		}
		if (f > 0) {
			found = 1;
			ret = vq_snap_parse((const char *)desc, desclen, list, info, why, sizeof(why));
			if (ret < 0) {
				fail(err, errlen, ret, "read snapshot %s: %s", path, why);
				goto out;
			}
		}
	}
	if (!found)
		ret = fail(err, errlen, -ENOENT, "%s holds no vqdump snapshot note", path);
out:
	free(notes);
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}

/* ---- the transport ---- */

static int snap_enumerate(struct vq_dev_list *list, char *err, size_t errlen)
{
	(void)list;
	return fail(err, errlen, -ENOTSUP, "snapshot devices come from a file (--core)");
}

static int snap_read_state(struct vq_dev *d)
{
	struct snap_priv *sp = d->priv;
	const struct vq_dev *s = &sp->saved;

	if (sp->extra.error[0]) {
		snprintf(d->err, sizeof(d->err), "%s", sp->extra.error);
		return -EIO;
	}
	d->status = s->status;
	memcpy(d->device_features, s->device_features, sizeof(d->device_features));
	d->device_features_src = s->device_features_src;
	memcpy(d->driver_features, s->driver_features, sizeof(d->driver_features));
	d->driver_features_src = s->driver_features_src;
	d->num_queues = s->num_queues;
	if (s->num_queues)
		memcpy(d->queues, s->queues, s->num_queues * sizeof(*d->queues));
	memcpy(d->config, s->config, sizeof(d->config));
	d->config_len = s->config_len;
	d->config_generation = s->config_generation;
	d->config_consistent = s->config_consistent;
	d->msix_config = s->msix_config;
	d->access = s->access;
	return 0;
}

const struct vq_transport vq_transport_snapshot = {
	.name = "snapshot",
	.help = "devices saved by 'vqdump snapshot' (--core FILE): the state when it was taken",
	.enumerate = snap_enumerate,
	.read_state = snap_read_state,
	.release = snap_release,
};

int vq_snap_is(const struct vq_dev *d)
{
	return d->t == &vq_transport_snapshot;
}

const struct vq_snap_extra *vq_snap_extra(const struct vq_dev *d)
{
	return vq_snap_is(d) && d->priv ? &((const struct snap_priv *)d->priv)->extra : NULL;
}
