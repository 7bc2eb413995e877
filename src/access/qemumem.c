/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Memory source "qemu": a running QEMU's guest RAM, read from its process, its layout asked over QMP (--qemu). */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../decode/qemutext.h"
#include "access.h"
#include "qemumem.h"
#include "qmp.h"

/* Most RAM ranges taken from the flat view (split RAM, DIMMs, holes). */
#define QEMU_RAM_MAX 256

/* What the source keeps beside the generic fields. */
struct qemu_mem {
	struct vq_qmp *qmp;   /* the QMP connection, shared with the transport */
	int ram_err;          /* 0 when guest RAM is readable, else -errno */
	char ram_why[640];    /* why it is not, with the way out */
};

struct vq_qmp *vq_mem_qemu_qmp(const struct vq_mem *m)
{
	return m->ops == &vq_mem_qemu && m->priv ? ((struct qemu_mem *)m->priv)->qmp : NULL;
}

int vq_mem_qemu_ram(struct vq_mem *m)
{
	struct qemu_mem *q = m->priv;

	if (m->ops != &vq_mem_qemu || !q)
		return 0;
	if (q->ram_err)
		snprintf(m->err, sizeof(m->err), "%s", q->ram_why);
	return q->ram_err;
}

/* The way out of not being allowed to read another process's memory. */
static const char *ptrace_hint(int e)
{
	FILE *f;
	int scope = -1;

	if (e != EACCES && e != EPERM)
		return "";
	f = fopen("/proc/sys/kernel/yama/ptrace_scope", "r");
	if (f) {
		if (fscanf(f, "%d", &scope) != 1)
			scope = -1;
		fclose(f);
	}
	if (geteuid() != 0 && scope >= 1)
		return " (run as root, or set kernel.yama.ptrace_scope=0 and run as QEMU's user)";
	if (geteuid() != 0)
		return " (run as root or as QEMU's user)";
	return " (a security module refuses it: check ptrace_scope=3, SELinux or AppArmor)";
}

/* HMP gpa2hva of @gpa into *@hva: 0, or -errno with @err. */
static int gpa2hva(struct vq_qmp *qmp, uint64_t gpa, uint64_t *hva, char *err, size_t errlen)
{
	char line[64], *out = NULL;
	int r;

	snprintf(line, sizeof(line), "gpa2hva 0x%" PRIx64, gpa);
	r = vq_qmp_hmp(qmp, line, &out, err, errlen);
	if (r < 0)
		return r;
	r = vq_qemu_gpa2hva(out, hva);
	if (r < 0)
		snprintf(err, errlen, "gpa2hva 0x%" PRIx64 ": %.200s", gpa, out);
	free(out);
	return r;
}

/*
 * One flat-view RAM range as a segment: its start's host address, checked
 * against its last byte's (one range is one piece of one RAM block, so
 * the two must be as far apart as the guest addresses are).
 */
static int ram_seg(struct vq_qmp *qmp, const struct vq_qemu_ram *r, struct vq_seg *s, char *err,
		   size_t errlen)
{
	uint64_t a, b;
	int ret;

	if ((ret = gpa2hva(qmp, r->start, &a, err, errlen)) < 0 ||
	    (ret = gpa2hva(qmp, r->end, &b, err, errlen)) < 0)
		return ret;
	if (b - a != r->end - r->start) {
		snprintf(err, errlen, "RAM 0x%" PRIx64 "-0x%" PRIx64 " (%s) is not contiguous in QEMU's memory",
			 r->start, r->end, r->region);
		return -EPROTO;
	}
	*s = (struct vq_seg){ .paddr = r->start, .filesz = r->end - r->start + 1,
			      .memsz = r->end - r->start + 1, .offset = a };
	return 0;
}

/* The guest RAM layout as segments whose offsets are host addresses in
 * /proc/PID/mem: 0 or -errno with @err. */
static int ram_layout(struct vq_mem *m, struct vq_qmp *qmp, char *err, size_t errlen)
{
	struct vq_qemu_ram *ram;
	char *text = NULL;
	int n, i, ret;

	ret = vq_qmp_hmp(qmp, "info mtree -f", &text, err, errlen);
	if (ret < 0)
		return ret;
	ram = calloc(QEMU_RAM_MAX, sizeof(*ram));
	n = ram ? vq_qemu_mtree_ram(text, ram, QEMU_RAM_MAX) : -ENOMEM;
	free(text);
	if (n <= 0) {
		snprintf(err, errlen, "info mtree -f: %s", n ? strerror(-n) : "no RAM in the flat view of \"memory\"");
		free(ram);
		return n ? n : -ENOENT;
	}
	m->segs = calloc((size_t)n, sizeof(*m->segs));
	ret = m->segs ? 0 : -ENOMEM;
	for (i = 0; i < n && !ret; i++)
		ret = ram_seg(qmp, &ram[i], &m->segs[i], err, errlen);
	free(ram);
	if (ret < 0)
		return ret;
	m->nsegs = (size_t)n;
	return vq_mem_finish_segments(m, UINT64_MAX);
}

/*
 * Read back through the translation what QEMU's monitor shows (HMP xp) at
 * the start of segment @s: 0 when they agree, -EPROTO when they never do
 * (a running guest may write the word between the two reads: tried a few
 * times), -errno when either read fails; @err says which.
 */
static int read_back(struct vq_mem *m, struct vq_qmp *qmp, const struct vq_seg *s, char *err,
		     size_t errlen)
{
	char line[64], *out;
	uint32_t want, got;
	int i, r;

	snprintf(line, sizeof(line), "xp /1wx 0x%" PRIx64, s->paddr);
	for (i = 0; i < 3; i++) {
		r = vq_qmp_hmp(qmp, line, &out, err, errlen);
		if (r < 0)
			return r;
		r = vq_qemu_xp_word(out, &want);
		if (r < 0)
			snprintf(err, errlen, "%s: %.200s", line, out);
		free(out);
		if (r < 0)
			return r;
		if (pread(m->fd, &got, 4, (off_t)s->offset) != 4) {
			r = -errno;
			snprintf(err, errlen, "read 0x%" PRIx64 " at host 0x%" PRIx64 ": %s", s->paddr,
				 s->offset, strerror(errno));
			return r;
		}
		/* xp shows the guest's little-endian word as a number. */
		if (le32toh(got) == want)
			return 0;
	}
	snprintf(err, errlen, "0x%" PRIx64 " reads 0x%08x through gpa2hva, QEMU's monitor shows 0x%08x",
		 s->paddr, le32toh(got), want);
	return -EPROTO;
}

/* Open QEMU's memory and read one byte of guest RAM: 0 or -errno with q->ram_why. */
static int open_ram(struct vq_mem *m, struct qemu_mem *q)
{
	pid_t pid = vq_qmp_pid(q->qmp);
	char path[64], why[400];
	int ret;

	if (!pid) {
		snprintf(q->ram_why, sizeof(q->ram_why), "guest RAM: %s", vq_qmp_pid_why(q->qmp));
		return -ESRCH;
	}
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	m->fd = open(path, O_RDONLY | O_CLOEXEC);
	/* Linux checks ptrace access here, at open. */
	if (m->fd < 0) {
		ret = -errno;
		snprintf(q->ram_why, sizeof(q->ram_why), "read QEMU's guest RAM %s: %s%s", path,
			 strerror(-ret), ptrace_hint(-ret));
		return ret;
	}
	ret = ram_layout(m, q->qmp, why, sizeof(why));
	if (ret < 0) {
		snprintf(q->ram_why, sizeof(q->ram_why), "guest RAM layout of QEMU (pid %d): %s", (int)pid,
			 why);
		return ret;
	}
	/* The first and the last range read back what QEMU shows: the
	 * translation works, and ptrace lets us read. */
	ret = read_back(m, q->qmp, &m->segs[0], why, sizeof(why));
	if (!ret && m->nsegs > 1)
		ret = read_back(m, q->qmp, &m->segs[m->nsegs - 1], why, sizeof(why));
	if (ret < 0)
		snprintf(q->ram_why, sizeof(q->ram_why), "read QEMU's guest RAM %s: %s%s", path, why,
			 ptrace_hint(-ret));
	return ret;
}

static int qemu_open(struct vq_mem *m, const char *arg)
{
	struct qemu_mem *q = calloc(1, sizeof(*q));
	int ret;

	if (!q)
		return vq_mem_fail(m, -ENOMEM, "open QEMU: out of memory");
	m->priv = q;
	ret = vq_qmp_open(&q->qmp, arg, m->err, sizeof(m->err));
	if (ret < 0)
		return ret;
	m->path = strdup(vq_qmp_path(q->qmp));
	m->where = "QEMU's guest RAM";
	/* QMP works: the devices can be read even when the RAM cannot;
	 * those who need the RAM ask vq_mem_qemu_ram(). */
	q->ram_err = open_ram(m, q);
	if (q->ram_err) {
		free(m->segs);
		m->segs = NULL;
		m->nsegs = 0;
	}
	return 0;
}

static void qemu_close(struct vq_mem *m)
{
	struct qemu_mem *q = m->priv;

	if (!q)
		return;
	vq_qmp_close(q->qmp);
	free(q);
	m->priv = NULL;
}

const struct vq_mem_ops vq_mem_qemu = {
	.name = "qemu",
	.help = "a running QEMU's guest RAM from its process (/proc/PID/mem), mapped over QMP (--qemu, --libvirt)",
	.open = qemu_open,
	.close = qemu_close,
};
