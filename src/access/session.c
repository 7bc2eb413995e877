/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A session: the source one run reads (memory, devices, Linux's records), opened once and kept across shell commands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_ring.h>

#include "../decode/packed.h"
#include "../decode/ring.h"
#include "../model/num.h"
#include "kvq.h"
#include "qemumem.h"
#include "qmp.h"
#include "session.h"

void vq_session_say(const struct vq_session *s, const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	if (!s->say)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->say(line);
}

void vq_session_init(struct vq_session *s, const char *core, const char *raw,
		     void (*say_fn)(const char *line))
{
	memset(s, 0, sizeof(*s));
	s->mem.fd = -1;
	s->core = core;
	s->raw = raw;
	s->say = say_fn;
}

int vq_session_is_live(const struct vq_session *s)
{
	return !s->core && !s->raw && !s->qemu;
}

void vq_session_forget_kernel(struct vq_session *s)
{
	vq_kvq_forget(s->kvq);
}

void vq_session_close(struct vq_session *s)
{
	struct vq_qmp *qmp = s->mem_open ? vq_mem_qemu_qmp(&s->mem) : NULL;
	char err[512];

	vq_kvq_lookup_release(&s->kvq); /* it reads through s->mem */
	if (qmp && vq_qmp_resume(qmp, err, sizeof(err)) < 0)
		vq_session_say(s, "warning: the guest vqdump paused may still be paused: %s (send QMP \"cont\")",
			       err);
	if (s->devs_open)
		vq_dev_list_free(&s->devs);
	if (s->mem_open)
		vq_mem_close(&s->mem);
	s->devs_open = 0;
	s->mem_open = 0;
}

/* The memory source opened once: 0 or -errno with s->mem.err saying why. */
static int open_mem(struct vq_session *s)
{
	int ret;

	if (s->mem_open)
		return 0;
	if (s->raw)
		ret = vq_mem_open(&s->mem, &vq_mem_raw, s->raw);
	else if (s->qemu)
		ret = vq_mem_open(&s->mem, &vq_mem_qemu, s->qemu);
	else if (s->core)
		ret = vq_mem_open_file(&s->mem, s->core);
	else
		ret = vq_mem_open_live(&s->mem);
	if (ret < 0)
		return ret;
	/* Before any device is read, so that all of it is one instant. */
	if (s->qemu && s->pause) {
		ret = vq_qmp_pause(vq_mem_qemu_qmp(&s->mem), s->mem.err, sizeof(s->mem.err));
		if (ret < 0) {
			vq_mem_close(&s->mem);
			return ret;
		}
	}
	s->mem_open = 1;
	s->fetch = vq_mem_fetch(&s->mem);
	return 0;
}

int vq_session_need_mem(struct vq_session *s)
{
	int ret = 0;

	/* Said once already (live ring indices): do not repeat it. */
	if (s->mem_failed)
		return -EIO;
	if (!s->mem_open)
		ret = open_mem(s);
	/* A QEMU whose monitor answers while its memory is refused (ptrace):
	 * the devices can be read, not the rings. */
	if (!ret)
		ret = vq_mem_qemu_ram(&s->mem);
	if (ret < 0) {
		vq_session_say(s, "%s", s->mem.err);
		return ret == -VQ_EBADARG ? ret : -EIO;
	}
	return 0;
}

int vq_session_open_mmio(struct vq_session *s, uint64_t base, char *err, size_t errlen)
{
	int ret = vq_mmio_probe_at(base, &s->devs, err, errlen);

	if (ret == 0)
		s->devs_open = 1;
	return ret;
}

/* Devices read from the kernel's records of a truncated dump: those whose
 * records were in the missing part are not listed, said once. */
static void kernel_partial(const struct vq_session *s)
{
	char t[128];
	size_t i;

	for (i = 0; i < s->devs.n; i++)
		if (s->devs.devs[i].access == VQ_ACCESS_KERNEL)
			break;
	if (i < s->devs.n && vq_mem_truncation(&s->mem, t, sizeof(t)))
		vq_session_say(s, "warning: dump %s; devices, queues and names whose kernel records were there are missing ('?')",
			       t);
}

/* The devices an image (--core) records, or a running QEMU (--qemu)
 * reports, from every transport of @scope: 0, -ENOENT when none holds
 * records there, or -errno with @err. */
static int find_in_image(struct vq_session *s, enum vq_scope scope, char *err, size_t errlen)
{
	const struct vq_transport *const *t;
	char why[512] = "";
	int any = 0, n;

	if (open_mem(s) < 0) {
		snprintf(err, errlen, "%s", s->mem.err);
		return -EIO;
	}
	for (t = vq_transports; *t; t++) {
		if ((*t)->scope != scope)
			continue;
		err[0] = 0;
		n = (*t)->enumerate(&s->devs, &s->mem, err, errlen);
		/* Why the last transport that looked found nothing (the kernel's
		 * records: what is missing). */
		if (n == -ENOENT) {
			if (err[0])
				snprintf(why, sizeof(why), "%s", err);
			continue;
		}
		if (n < 0) {
			vq_dev_list_free(&s->devs);
			return n;
		}
		any = 1;
	}
	if (!any) {
		snprintf(err, errlen, "%s holds no device records%s%s", s->core ? s->core : s->qemu,
			 why[0] ? ": " : "", why);
		return -ENOENT;
	}
	s->devs_open = 1;
	kernel_partial(s);
	return 0;
}

/* The live devices every live transport finds: 0, or -ENODEV with @err
 * naming every transport's reason when none works. */
static int find_live(struct vq_session *s, char *err, size_t errlen)
{
	const struct vq_transport *live[VQ_TRANSPORTS_MAX];
	char why[VQ_TRANSPORTS_MAX][256];
	int n[VQ_TRANSPORTS_MAX];
	size_t i, nlive = 0, off = 0;
	int any = 0;

	for (i = 0; vq_transports[i] && nlive < VQ_TRANSPORTS_MAX; i++)
		if (vq_transports[i]->scope == VQ_SCOPE_LIVE)
			live[nlive++] = vq_transports[i];
	for (i = 0; i < nlive; i++) {
		why[i][0] = 0;
		n[i] = live[i]->enumerate(&s->devs, NULL, why[i], sizeof(why[i]));
		any |= n[i] >= 0;
	}
	if (!any) {
		off = (size_t)snprintf(err, errlen, "find devices:");
		for (i = 0; i < nlive && off < errlen; i++)
			off += (size_t)snprintf(err + off, errlen - off, "%s %s", i ? ";" : "", why[i]);
		return -ENODEV;
	}
	/* One transport unreadable while another works is worth a word:
	 * its devices are missing from the list. */
	for (i = 0; i < nlive; i++) {
		if (n[i] < 0)
			vq_session_say(s, "warning: virtio-%s devices not listed: %s", live[i]->name,
				       why[i]);
		else if (why[i][0])
			vq_session_say(s, "warning: virtio-%s: %s", live[i]->name, why[i]);
	}
	s->devs_open = 1;
	return 0;
}

int vq_session_find_devices(struct vq_session *s, char *err, size_t errlen)
{
	if (s->devs_open)
		return 0;
	if (s->raw) {
		snprintf(err, errlen, "a raw image holds no device records");
		return -ENOENT;
	}
	if (s->qemu)
		return find_in_image(s, VQ_SCOPE_QEMU, err, errlen);
	return s->core ? find_in_image(s, VQ_SCOPE_IMAGE, err, errlen) : find_live(s, err, errlen);
}

int vq_dev_matches(const struct vq_dev *d, const char *sel)
{
	char buf[48];
	uint64_t a;

	if (!strcmp(d->name, sel))
		return 1;
	if (d->virtio_name[0] && !strcmp(d->virtio_name, sel))
		return 1;
	if (d->kind == VQ_T_MMIO && !strncmp(sel, "mmio:", 5) && !vq_parse_u64(sel + 5, &a))
		return a == d->mmio_base;
	if (d->kind != VQ_T_MMIO && strlen(sel) < 40) {
		snprintf(buf, sizeof(buf), "0000:%s", sel);
		return !strcmp(d->name, buf);
	}
	return 0;
}

int vq_session_select(const struct vq_session *s, const char *sel, size_t *index)
{
	size_t i;

	if (!sel) {
		if (s->devs.n == 1) {
			*index = 0;
			return 0;
		}
		return s->devs.n ? -ENOTUNIQ : -ENODEV;
	}
	/* An index is plain decimal, as 'list' prints it (no 010 = 8). */
	if (sel[0] && strspn(sel, "0123456789") == strlen(sel) && strlen(sel) < 10) {
		uint64_t v = 0;

		vq_parse_u64(sel, &v);
		*index = (size_t)v;
		return *index < s->devs.n ? 0 : -ERANGE;
	}
	for (i = 0; i < s->devs.n; i++)
		if (vq_dev_matches(&s->devs.devs[i], sel)) {
			*index = i;
			return 0;
		}
	return -ENOENT;
}

/* Live memory, opened on first use; 0 when it is open. */
static int live_mem(struct vq_session *s)
{
	if (!s->mem_failed && vq_session_need_mem(s) < 0) {
		s->mem_failed = 1;
		vq_session_say(s, "warning: ring indices not shown (guest memory unreadable, as said above)");
	}
	return s->mem_failed ? -1 : 0;
}

/* What Linux's record @k says of a queue, into @q: rings, size, the driver's state. */
static void from_kernel(struct vq_session *s, const struct vq_kvq_queue *k,
			struct vq_queue_state *q)
{
	q->desc = k->layout.desc;
	q->avail = k->layout.avail;
	q->used = k->layout.used;
	q->addr_src = VQ_SRC_KERNEL;
	if (q->size_src != VQ_SRC_REGISTERS) {
		q->size = (uint16_t)k->layout.size;
		q->size_src = VQ_SRC_KERNEL;
	}
	q->drv_valid = k->drv.valid;
	q->drv_last_used_idx = k->drv.last_used_idx;
	q->drv_num_free = k->drv.num_free;
	q->drv_avail_idx = k->drv.avail_idx;
	q->drv_broken = k->drv.broken;
	q->drv_callbacks = !(k->drv.avail_flags & VRING_AVAIL_F_NO_INTERRUPT);
	q->drv_event_idx = k->drv.event;
	vq_kvq_read_name(s->kvq, k, q->name, sizeof(q->name));
}

/* Linux's records cannot be read: said once per session. */
static void kernel_failed(struct vq_session *s, const struct vq_dev *d, const char *what,
			  const char *err)
{
	s->kvq_failed = 1;
	vq_session_say(s, "warning: %s: %s not shown: %s", d->name, what, err);
}

/*
 * A queue the driver set up whose ring addresses the transport cannot give
 * back (virtio-mmio v2: QueueDesc/Driver/Device are write-only): ask
 * Linux's own records (src/access/kvq.c).  Quiet when Linux has no such
 * queue; one warning when its records cannot be read at all.
 */
static void kernel_rings(struct vq_session *s, struct vq_dev *d, struct vq_queue_state *q)
{
	struct vq_kvq_queue k;
	char err[512];
	unsigned n;
	int ret;

	/* Only the running system's Linux: an image's kernel is not this one. */
	if (!vq_session_is_live(s) || !q->enabled || q->desc || s->kvq_failed ||
	    sscanf(d->virtio_name, "virtio%u", &n) != 1 || live_mem(s))
		return;
	ret = vq_kvq_lookup(&s->kvq, &s->mem, NULL, NULL, n, q->index, &k, err, sizeof(err));
	if (ret == -ENOTUNIQ)
		vq_session_say(s, "warning: %s: %s", d->name, err);
	else if (ret && ret != -ENOENT)
		kernel_failed(s, d, "ring addresses", err);
	else if (!ret && k.packed != !!vq_dev_packed(d))
		vq_session_say(s, "warning: %s queue %u: Linux's record is of a %s ring, the features say %s; its addresses not used",
			       d->name, q->index, k.packed ? "packed" : "split",
			       vq_dev_packed(d) ? "packed" : "split");
	else if (!ret)
		from_kernel(s, &k, q);
}

int vq_session_packed_driver(struct vq_session *s, const struct vq_dev *d,
			     const struct vq_queue_state *q, uint16_t *last_used,
			     struct vq_packed_drvrec **rec, char *err, size_t errlen)
{
	struct vq_kvq_queue k;
	unsigned n;
	int ret;

	*rec = NULL;
	if (!vq_session_is_live(s) || !vq_dev_packed(d) ||
	    sscanf(d->virtio_name, "virtio%u", &n) != 1) {
		snprintf(err, errlen, "no Linux record of this queue to read");
		return -ENOENT;
	}
	if (s->mem_failed || vq_session_need_mem(s) < 0) {
		snprintf(err, errlen, "memory unreadable");
		return -EIO;
	}
	if (s->kvq_failed) {
		snprintf(err, errlen, "Linux's records cannot be read here");
		return -EIO;
	}
	ret = vq_kvq_lookup(&s->kvq, &s->mem, NULL, NULL, n, q->index, &k, err, errlen);
	/* No BTF or kernel memory: not tried again for every queue. */
	if (ret && ret != -ENOENT && ret != -ENOTUNIQ)
		s->kvq_failed = 1;
	if (ret)
		return ret;
	if (!k.packed || !k.drv.valid) {
		snprintf(err, errlen, "Linux's record of it is not of a packed ring");
		return -ENOENT;
	}
	ret = vq_kvq_packed_drvrec(s->kvq, &k, rec);
	if (ret) {
		snprintf(err, errlen, "its per-ID records cannot be read (%s)",
			 ret == -ENOENT ? "this kernel's BTF does not describe them" : strerror(-ret));
		return ret;
	}
	*last_used = k.drv.last_used_idx;
	return 0;
}

int vq_session_packed_decode(struct vq_session *s, const struct vq_dev *d,
			     const struct vq_queue_state *q, struct vq_packed_view *v,
			     unsigned recent, const char **state, char *why, size_t whylen)
{
	struct vq_packed_drvrec *a = NULL, *b = NULL;
	const struct vq_packed_pos avail0 = v->avail, used0 = v->used;
	uint16_t u1 = 0, u2 = 0;
	int try, ret = 0;

	*state = "moved";
	for (try = 0; try < 3; try++) {
		free(a);
		free(b);
		a = b = NULL;
		if (vq_session_packed_driver(s, d, q, &u1, &a, why, whylen)) {
			*state = "unreadable";
			break;
		}
		v->avail = avail0;
		v->used = used0;
		v->drv = a;
		v->drv_used = (struct vq_packed_pos){ (uint16_t)(u1 & 0x7fff), (uint8_t)(u1 >> 15), 1 };
		ret = vq_packed_decode(&s->fetch, v, recent);
		v->drv = NULL;
		if (ret < 0)
			break;
		if (vq_session_packed_driver(s, d, q, &u2, &b, why, whylen)) {
			*state = "unreadable";
			break;
		}
		if (vq_packed_drvrec_equal(u1, a, u2, b)) {
			*state = "read";
			free(a);
			free(b);
			return 0;
		}
	}
	free(a);
	free(b);
	if (ret < 0)
		return ret;
	/* The ring alone: its pending slots, as the device left them. */
	v->avail = avail0;
	v->used = used0;
	v->drv_used = (struct vq_packed_pos){ 0, 0, 0 };
	return vq_packed_decode(&s->fetch, v, recent);
}

/*
 * A device whose registers could not be read at all (Linux's sysfs view
 * only: strict /dev/mem, lockdown): its queues as Linux's records have
 * them.  Nothing when no driver has set any up.
 */
static void kernel_queues(struct vq_session *s, struct vq_dev *d)
{
	struct vq_kvq_queue *k;
	char err[512];
	unsigned n;
	long got, i;

	if (!vq_session_is_live(s) || d->access != VQ_ACCESS_SYSFS || d->num_queues ||
	    s->kvq_failed ||
	    !(d->status & VIRTIO_CONFIG_S_DRIVER_OK) ||
	    sscanf(d->virtio_name, "virtio%u", &n) != 1 || live_mem(s))
		return;
	k = calloc(VQ_KVQ_MAX_LIST, sizeof(*k));
	if (!k)
		return;
	got = vq_kvq_lookup_device(&s->kvq, &s->mem, NULL, NULL, n, k, VQ_KVQ_MAX_LIST, err,
				   sizeof(err));
	if (got < 0 && got != -EAGAIN)
		kernel_failed(s, d, "queues", err);
	else if (got < 0)
		vq_session_say(s, "warning: %s: %s", d->name, err);
	if (got > 0 && k[got - 1].queue < VQ_QUEUES_MAX) {
		/* Numbered as Linux numbers them; a gap is a queue it has not set up. */
		d->queues = calloc(k[got - 1].queue + 1u, sizeof(*d->queues));
		if (d->queues) {
			d->num_queues = (uint16_t)(k[got - 1].queue + 1u);
			for (i = 0; i < d->num_queues; i++)
				d->queues[i].index = (uint16_t)i;
			for (i = 0; i < got; i++) {
				struct vq_queue_state *q = &d->queues[k[i].queue];

				q->enabled = 1;
				from_kernel(s, &k[i], q);
			}
		}
	}
	free(k);
}

/* Ring indices live in guest memory, not registers. */
static void read_indices(struct vq_session *s, struct vq_dev *d)
{
	unsigned i;

	kernel_queues(s, d);
	for (i = 0; i < d->num_queues; i++) {
		struct vq_queue_state *q = &d->queues[i];

		/* The source gave them (a snapshot saved them with the ring memory). */
		if (q->idx_from_source)
			continue;
		q->idx_valid = 0;
		kernel_rings(s, d, q);
		if (!q->enabled || !q->desc || !q->avail || !q->used)
			continue;
		/* A packed ring has no idx words: avail and used are its event
		 * areas (virtio 1.3 2.8.10), whose words are no indices. */
		if (vq_dev_packed(d))
			continue;
		if (live_mem(s))
			return;
		if (vq_ring_read_indices(&s->fetch, q->avail, q->used, &q->avail_idx,
					 &q->used_idx) < 0) {
			vq_session_say(s, "warning: %s queue %u: ring indices not shown: %s", d->name,
				       q->index, s->mem.err);
			continue;
		}
		q->idx_valid = 1;
	}
}

int vq_session_refresh(struct vq_session *s, struct vq_dev *d)
{
	int ret = d->t->read_state(d);

	if (ret < 0)
		return ret;
	read_indices(s, d);
	return 0;
}
