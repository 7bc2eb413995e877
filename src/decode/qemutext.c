/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QEMU monitor text: the RAM ranges of `info mtree -f` and the answer of `gpa2hva`. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemutext.h"

/* One flat-view line into @r: 1 when it is a RAM range, 0 when not. */
static int ram_line(const char *line, size_t len, struct vq_qemu_ram *r)
{
	char buf[512], type[32];
	const char *p;
	int n = 0;

	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, line, len);
	buf[len] = 0;
	if (sscanf(buf, " %" SCNx64 "-%" SCNx64 " (prio %*d, %31[^)]): %n", &r->start, &r->end,
		   type, &n) != 3 || !n)
		return 0;
	if (strcmp(type, "ram") && strcmp(type, "nv-ram"))
		return 0;
	if (r->end < r->start)
		return 0;
	p = buf + n;
	n = (int)strcspn(p, " \r");
	snprintf(r->region, sizeof(r->region), "%.*s", n, p);
	p += n;
	r->offset = 0;
	p = strstr(p, " @");
	if (p && sscanf(p + 2, "%" SCNx64, &r->offset) != 1)
		r->offset = 0;
	return 1;
}

/* The start of the flat view of address space "memory": its first line
 * after the header, or NULL. */
static const char *memory_view(const char *text)
{
	const char *p = text, *view = NULL;

	while (p && *p) {
		if (!strncmp(p, "FlatView #", 10))
			view = p;
		else if (view && strstr(p, "AS \"memory\",") &&
			 strstr(p, "AS \"memory\",") < strchr(p, '\n'))
			return view;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

int vq_qemu_mtree_ram(const char *text, struct vq_qemu_ram *out, size_t max)
{
	const char *p = memory_view(text), *nl;
	size_t n = 0;

	if (!p)
		return -ENOENT;
	p = strchr(p, '\n');
	while (p && *++p && strncmp(p, "FlatView #", 10)) {
		struct vq_qemu_ram r;

		nl = strchr(p, '\n');
		if (ram_line(p, nl ? (size_t)(nl - p) : strlen(p), &r)) {
			if (n == max)
				return -E2BIG;
			out[n++] = r;
		}
		p = nl;
	}
	return (int)n;
}

int vq_qemu_gpa2hva(const char *text, uint64_t *hva)
{
	const char *p;

	if (strncmp(text, "Host virtual address for ", 25))
		return -EINVAL;
	p = strstr(text, ") is 0x");
	if (!p || sscanf(p + 5, "%" SCNx64, hva) != 1)
		return -EINVAL;
	return 0;
}

int vq_qemu_xp_word(const char *text, uint32_t *word)
{
	const char *p = strstr(text, ": 0x");

	if (!p || sscanf(p + 2, "%" SCNx32, word) != 1)
		return -EINVAL;
	return 0;
}

/* One line of @p (up to '\n') in @buf, trimmed of leading blanks and '\r'. */
static const char *line_of(const char *p, char *buf, size_t len)
{
	size_t n;

	p += strspn(p, " \t");
	n = strcspn(p, "\r\n");
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = 0;
	return buf;
}

int vq_qemu_qtree_mmio(const char *text, const char *bus, uint64_t *base, int *version)
{
	const char *p = text;
	char buf[256];
	uint64_t at = 0;
	int in_mmio = 0, ver = 0, have = 0;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *l = line_of(p, buf, sizeof(buf));

		if (!strncmp(l, "dev: ", 5)) {
			in_mmio = !strncmp(l, "dev: virtio-mmio,", 17);
			have = 0;
			ver = 0;
		} else if (in_mmio && sscanf(l, "mmio %" SCNx64 "/", &at) == 1) {
			have = 1;
		} else if (in_mmio && !strcmp(l, "force-legacy = true")) {
			ver = 1;
		} else if (in_mmio && !strcmp(l, "force-legacy = false")) {
			ver = 2;
		} else if (in_mmio && have && !strncmp(l, "bus: ", 5) && !strcmp(l + 5, bus)) {
			*base = at;
			*version = ver;
			return 0;
		}
	}
	return -ENOENT;
}
