/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Transport "qemu": the virtio devices of a running QEMU as its monitor reports them (x-query-virtio-*, --qemu). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../decode/names.h"
#include "../decode/qemutext.h"
#include "qemumem.h"
#include "qmp.h"
#include "transport.h"

/* What a device keeps for read_state(). */
struct qemu_dev {
	struct vq_qmp *qmp;         /* the connection (the memory source owns it) */
	char path[256];             /* its QOM path, x-query-virtio's "path" */
	struct json_object *status; /* x-query-virtio-status as enumerate() got it,
				     * for the first read_state(), or NULL */
	uint64_t status_us;         /* when (now_us()) @status was answered */
	int vhost;                  /* a vhost backend runs queues [@vq_first,
				     * @vq_end) (x-query-virtio-status
				     * vhost-started), as last read */
	unsigned vq_first, vq_end;  /* those queues (its vhost-dev vq-index, nvqs) */
};

/* How old enumerate()'s answer may be for read_state() to take it: one
 * command's run, not a shell session's later command. */
#define QEMU_STATUS_REUSE_US 1000000u

/* Microseconds on CLOCK_MONOTONIC. */
static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Names QEMU prints that vqdump's tables spell otherwise (decode/names.c
 * uses the spec's names), and the bits of those they lack. */
static const struct {
	const char *qemu; /* QEMU's name, before the ':' */
	const char *spec; /* the spec's name, or NULL */
	int bit;          /* the bit when @spec is NULL */
} feature_alias[] = {
	{ "VIRTIO_RING_F_INDIRECT_DESC", "VIRTIO_F_INDIRECT_DESC", 0 },
	{ "VIRTIO_RING_F_EVENT_IDX", "VIRTIO_F_EVENT_IDX", 0 },
	{ "VIRTIO_F_IOMMU_PLATFORM", "VIRTIO_F_ACCESS_PLATFORM", 0 },
	{ "VHOST_F_LOG_ALL", NULL, 26 },          /* linux/vhost_types.h */
	{ "VHOST_USER_F_PROTOCOL_FEATURES", NULL, 30 }, /* QEMU's vhost-user.h */
};

/* The bit QEMU's feature string @s ("NAME: text") names for a device of
 * type @id, or -1. */
static int feature_bit(uint32_t id, const char *s)
{
	char name[96];
	const char *want = name;
	size_t n = strcspn(s, ":"), i;
	unsigned b;

	if (n >= sizeof(name))
		return -1;
	memcpy(name, s, n);
	name[n] = 0;
	for (i = 0; i < sizeof(feature_alias) / sizeof(feature_alias[0]); i++)
		if (!strcmp(name, feature_alias[i].qemu)) {
			if (!feature_alias[i].spec)
				return feature_alias[i].bit;
			want = feature_alias[i].spec;
		}
	for (b = 0; b < 128; b++) {
		const char *v = vq_feature_name(id, b);

		if (v && !strcmp(v, want))
			return (int)b;
	}
	return -1;
}

/* QEMU's VirtioDeviceFeatures @o into @f: the named bits and
 * unknown-dev-features.  Returns how many names were not understood. */
static unsigned features_from(uint32_t id, struct json_object *o, uint32_t f[4])
{
	static const char *const lists[] = { "transports", "dev-features" };
	struct json_object *a, *u;
	unsigned bad = 0, l;
	size_t i;

	memset(f, 0, 4 * sizeof(*f));
	for (l = 0; l < 2; l++) {
		if (!json_object_object_get_ex(o, lists[l], &a) ||
		    !json_object_is_type(a, json_type_array))
			continue;
		for (i = 0; i < json_object_array_length(a); i++) {
			int b = feature_bit(id, json_object_get_string(json_object_array_get_idx(a, i)));

			if (b < 0)
				bad++;
			else
				f[b / 32] |= 1u << (b % 32);
		}
	}
	/* Device bits QEMU has no name for, as a mask of bits 0..63. */
	if (json_object_object_get_ex(o, "unknown-dev-features", &u)) {
		uint64_t m = (uint64_t)json_object_get_int64(u);

		f[0] |= (uint32_t)m;
		f[1] |= (uint32_t)(m >> 32);
	}
	return bad;
}

/* QEMU's VirtioDeviceStatus @o as the status byte. */
static uint8_t status_from(struct json_object *o)
{
	static const char *const bits[8] = {
		[0] = "ACKNOWLEDGE", [1] = "DRIVER", [2] = "DRIVER_OK", [3] = "FEATURES_OK",
		[6] = "NEEDS_RESET", [7] = "FAILED",
	};
	struct json_object *a, *u;
	uint8_t st = 0;
	size_t i;
	unsigned b;

	if (json_object_object_get_ex(o, "statuses", &a) && json_object_is_type(a, json_type_array))
		for (i = 0; i < json_object_array_length(a); i++) {
			const char *s = json_object_get_string(json_object_array_get_idx(a, i));
			size_t n;

			if (strncmp(s, "VIRTIO_CONFIG_S_", 16))
				continue;
			s += 16;
			n = strcspn(s, ":");
			for (b = 0; b < 8; b++)
				if (bits[b] && strlen(bits[b]) == n && !strncmp(s, bits[b], n))
					st |= (uint8_t)(1u << b);
		}
	if (json_object_object_get_ex(o, "unknown-statuses", &u))
		st |= (uint8_t)json_object_get_int(u);
	return st;
}

/* An integer member @key of @o into *@v: 1 when present. */
static int get_u64(struct json_object *o, const char *key, uint64_t *v)
{
	struct json_object *m;

	if (!json_object_object_get_ex(o, key, &m) || !json_object_is_type(m, json_type_int))
		return 0;
	*v = (uint64_t)json_object_get_int64(m);
	return 1;
}

/*
 * Queue @i of @d, which a vhost backend runs, from
 * x-query-virtio-vhost-queue-status: the ring QEMU gave the backend (its
 * guest-physical addresses and size), no device-side indices.  Not
 * x-query-virtio-queue-status: for such a queue QEMU 7.2 asks the backend
 * for its ring base (VHOST_USER_GET_VRING_BASE), and a vhost-user backend
 * stops the queue on that message (test-host-vhost.sh saw the guest's
 * disk hang after it).  0 or -errno with d->err.
 */
static int read_backend_queue(struct vq_dev *d, struct qemu_dev *qd, unsigned i,
			      struct vq_queue_state *q)
{
	struct json_object *args = json_object_new_object(), *r;
	uint64_t v;
	int ret;

	json_object_object_add(args, "path", json_object_new_string(qd->path));
	json_object_object_add(args, "queue", json_object_new_int((int)i));
	ret = vq_qmp_exec(qd->qmp, "x-query-virtio-vhost-queue-status", args, &r, d->err,
			  sizeof(d->err));
	if (ret < 0)
		return ret;
	memset(q, 0, sizeof(*q));
	q->index = (uint16_t)i;
	if (get_u64(r, "num", &v))
		q->size = (uint16_t)v;
	q->size_src = VQ_SRC_QMP;
	get_u64(r, "desc-phys", &q->desc);
	get_u64(r, "avail-phys", &q->avail);
	get_u64(r, "used-phys", &q->used);
	q->addr_src = VQ_SRC_QMP;
	q->enabled = q->desc != 0;
	json_object_put(r);
	return 0;
}

/* Queue @i of @d from x-query-virtio-queue-status into @q (from the
 * backend's status when a vhost backend runs it): 0 or -errno with d->err. */
static int read_queue(struct vq_dev *d, struct qemu_dev *qd, unsigned i, struct vq_queue_state *q)
{
	struct json_object *args, *r;
	uint64_t v[5], la, sa;
	int ret;

	if (qd->vhost && i >= qd->vq_first && i < qd->vq_end)
		return read_backend_queue(d, qd, i, q);
	args = json_object_new_object();
	json_object_object_add(args, "path", json_object_new_string(qd->path));
	json_object_object_add(args, "queue", json_object_new_int((int)i));
	ret = vq_qmp_exec(qd->qmp, "x-query-virtio-queue-status", args, &r, d->err,
			  sizeof(d->err));
	if (ret < 0)
		return ret;
	memset(q, 0, sizeof(*q));
	q->index = (uint16_t)i;
	if (get_u64(r, "vring-num", &v[0]))
		q->size = (uint16_t)v[0];
	if (get_u64(r, "vring-num-default", &v[0]))
		q->max_size = (uint16_t)v[0];
	q->size_src = VQ_SRC_QMP;
	get_u64(r, "vring-desc", &q->desc);
	get_u64(r, "vring-avail", &q->avail);
	get_u64(r, "vring-used", &q->used);
	q->addr_src = VQ_SRC_QMP;
	q->enabled = q->desc != 0;
	/* last-avail-idx and shadow-avail-idx are left out while a vhost
	 * backend runs the queue: then QEMU's view stops here. */
	if (get_u64(r, "used-idx", &v[0]) && get_u64(r, "signalled-used", &v[1]) &&
	    get_u64(r, "inuse", &v[2]) && get_u64(r, "last-avail-idx", &la) &&
	    get_u64(r, "shadow-avail-idx", &sa)) {
		q->dv_valid = 1;
		q->dv_src = VQ_SRC_QMP;
		q->dv_used_idx = (uint16_t)v[0];
		q->dv_signalled_used = (uint16_t)v[1];
		q->dv_inuse = (uint32_t)v[2];
		q->dv_last_avail_idx = (uint16_t)la;
		q->dv_shadow_avail_idx = (uint16_t)sa;
	}
	json_object_put(r);
	return 0;
}

/* Which queues a vhost backend runs, from x-query-virtio-status @r of a
 * device with @nvqs queues, into @qd: those of its vhost-dev (vq-index,
 * nvqs; QEMU 7.2 asks the backend only about those), all of them when
 * vhost-started says a backend runs but vhost-dev is missing. */
static void vhost_range(struct qemu_dev *qd, struct json_object *r, uint64_t nvqs)
{
	struct json_object *o, *vd;
	uint64_t first = 0, n = nvqs;

	qd->vhost = json_object_object_get_ex(r, "vhost-started", &o) && json_object_get_boolean(o);
	if (qd->vhost && json_object_object_get_ex(r, "vhost-dev", &vd) && get_u64(vd, "vq-index", &first) &&
	    get_u64(vd, "nvqs", &n) && first + n < nvqs)
		nvqs = first + n;
	qd->vq_first = (unsigned)(first < nvqs ? first : nvqs);
	qd->vq_end = (unsigned)nvqs;
}

/* x-query-virtio-status of @d into it (*@running: QEMU's vm-running, -1
 * when it does not say):
 * 0 or -errno with d->err. */
static int read_status(struct vq_dev *d, struct qemu_dev *qd, uint64_t *nvqs, int *running)
{
	struct json_object *args, *r, *o;
	uint64_t v;
	int ret;

	/* The answer enumerate() had, taken moments ago in the same run: a
	 * second one would cost a QMP round trip a device (bench/host-status.sh). */
	r = now_us() - qd->status_us < QEMU_STATUS_REUSE_US ? qd->status : NULL;
	if (!r)
		json_object_put(qd->status);
	qd->status = NULL;
	if (!r) {
		args = json_object_new_object();
		json_object_object_add(args, "path", json_object_new_string(qd->path));
		ret = vq_qmp_exec(qd->qmp, "x-query-virtio-status", args, &r, d->err, sizeof(d->err));
		if (ret < 0)
			return ret;
	}
	if (get_u64(r, "device-id", &v))
		d->device_id = (uint32_t)v;
	if (json_object_object_get_ex(r, "status", &o))
		d->status = status_from(o);
	if (json_object_object_get_ex(r, "host-features", &o)) {
		features_from(d->device_id, o, d->device_features);
		d->device_features_src = VQ_SRC_QMP;
	}
	if (json_object_object_get_ex(r, "guest-features", &o)) {
		features_from(d->device_id, o, d->driver_features);
		d->driver_features_src = VQ_SRC_QMP;
	}
	*nvqs = 0;
	get_u64(r, "num-vqs", nvqs);
	vhost_range(qd, r, *nvqs);
	*running = json_object_object_get_ex(r, "vm-running", &o) ? json_object_get_boolean(o) : -1;
	json_object_put(r);
	return 0;
}

static int qemu_read_state(struct vq_dev *d)
{
	struct qemu_dev *qd = d->priv;
	uint64_t nvqs, t0 = now_us(), us;
	unsigned i;
	int ret, running = 0;

	ret = read_status(d, qd, &nvqs, &running);
	if (ret < 0)
		return ret;
	if (nvqs > VQ_QUEUES_MAX)
		nvqs = VQ_QUEUES_MAX;
	free(d->queues);
	d->num_queues = 0;
	d->queues = nvqs ? calloc(nvqs, sizeof(*d->queues)) : NULL;
	if (nvqs && !d->queues) {
		snprintf(d->err, sizeof(d->err), "%s: out of memory", d->name);
		return -ENOMEM;
	}
	for (i = 0; i < nvqs; i++)
		if ((ret = read_queue(d, qd, i, &d->queues[i])) < 0)
			return ret;
	d->num_queues = (uint16_t)nvqs;
	d->access = VQ_ACCESS_QMP;
	/* A running guest moves on while QEMU answers one query after the
	 * other: say how long they took (the ring indices are read after). */
	us = now_us() - t0;
	if (vq_qmp_paused(qd->qmp))
		snprintf(d->source_note, sizeof(d->source_note),
			 "guest paused by vqdump (--pause): indices consistent");
	else
		snprintf(d->source_note, sizeof(d->source_note), "%sQMP read over %llu.%llu ms",
			 running < 0 ? "" : running ? "guest running; " : "guest paused; ",
			 (unsigned long long)(us / 1000), (unsigned long long)(us % 1000 / 100));
	return 0;
}

int vq_qemu_queue_view(struct vq_dev *d, unsigned i, struct vq_queue_state *q)
{
	if (d->t != &vq_transport_qemu || !d->priv)
		return -ENOTSUP;
	return read_queue(d, d->priv, i, q);
}

static void qemu_release(struct vq_dev *d)
{
	struct qemu_dev *qd = d->priv;

	if (qd)
		json_object_put(qd->status);
	free(d->priv);
	free(d->queues);
	d->priv = NULL;
	d->queues = NULL;
}

/* ---- naming: what 'list' calls each device ---- */

/* What enumerate() asks QEMU once for all devices. */
struct qemu_names {
	struct vq_qmp *qmp;      /* the connection */
	struct json_object *pci; /* query-pci's answer, or NULL */
	char *qtree;             /* `info qtree`, or NULL */
	int qtree_asked;         /* @qtree asked for (only a virtio-mmio device needs it) */
};

/* The device whose qdev id is @id in query-pci's bus list @buses (bridges
 * included) into @d, or with @id "" the one without an id at @devfn: how
 * many matched (the last one is in @d). */
static int pci_find(struct json_object *buses, const char *id, int devfn, struct vq_dev *d)
{
	int found = 0;
	size_t i, j;

	for (i = 0; buses && i < json_object_array_length(buses); i++) {
		struct json_object *bus = json_object_array_get_idx(buses, i), *devs, *qid, *ids, *br, *sub;
		uint64_t b, s, f, v;

		if (!json_object_object_get_ex(bus, "devices", &devs))
			continue;
		for (j = 0; j < json_object_array_length(devs); j++) {
			struct json_object *p = json_object_array_get_idx(devs, j);

			if (json_object_object_get_ex(p, "pci_bridge", &br) &&
			    json_object_object_get_ex(br, "devices", &sub)) {
				struct json_object *wrap = json_object_new_array();

				json_object_array_add(wrap, json_object_get(br));
				found += pci_find(wrap, id, devfn, d);
				json_object_put(wrap);
			}
			if (!json_object_object_get_ex(p, "qdev_id", &qid) ||
			    strcmp(json_object_get_string(qid), id) || !get_u64(p, "bus", &b) ||
			    !get_u64(p, "slot", &s) || !get_u64(p, "function", &f) ||
			    (!*id && (int)(s << 3 | f) != devfn))
				continue;
			snprintf(d->name, sizeof(d->name), "0000:%02x:%02x.%x", (unsigned)b & 0xff,
				 (unsigned)s & 0x1f, (unsigned)f & 7);
			if (json_object_object_get_ex(p, "id", &ids)) {
				if (get_u64(ids, "device", &v))
					d->pci_device = (uint16_t)v;
				if (get_u64(ids, "subsystem-vendor", &v))
					d->vendor_id = (uint32_t)v;
			}
			found++;
		}
	}
	return found;
}

/* The PCI devfn of the proxy at QOM path @proxy (its "addr" property), or -1. */
static int pci_devfn(struct vq_qmp *qmp, const char *proxy)
{
	struct json_object *args = json_object_new_object(), *r;
	char err[256];
	int devfn = -1;

	json_object_object_add(args, "path", json_object_new_string(proxy));
	json_object_object_add(args, "property", json_object_new_string("addr"));
	if (vq_qmp_exec(qmp, "qom-get", args, &r, err, sizeof(err)) < 0)
		return -1;
	if (json_object_is_type(r, json_type_int))
		devfn = json_object_get_int(r);
	json_object_put(r);
	return devfn >= 0 && devfn < 256 ? devfn : -1;
}

/* A name for a device 'list' cannot give an address: "qemu:" and its
 * QOM path's last parts. */
static void qom_name(struct vq_dev *d, const char *proxy)
{
	size_t n = strlen(proxy), room = sizeof(d->name) - 6;
	const char *tail = n > room ? proxy + n - room : proxy;

	memcpy(d->name, "qemu:", 5);
	memcpy(d->name + 5, tail, strlen(tail) + 1);
}

/* The name of the bus the device at QOM path @path sits on (the last part
 * of its "parent_bus" link, "virtio-mmio-bus.23") into @bus; "" when
 * QEMU does not say.  Not x-query-virtio-status's bus-name: QEMU 7.2
 * fills that with the bus a device provides (virtio-serial's "vser0.0"),
 * and leaves it empty for most. */
static void parent_bus(struct vq_qmp *qmp, const char *path, char *bus, size_t len)
{
	struct json_object *args = json_object_new_object(), *r;
	const char *s, *slash;
	char err[256];

	bus[0] = 0;
	json_object_object_add(args, "path", json_object_new_string(path));
	json_object_object_add(args, "property", json_object_new_string("parent_bus"));
	if (vq_qmp_exec(qmp, "qom-get", args, &r, err, sizeof(err)) < 0)
		return;
	s = json_object_is_type(r, json_type_string) ? json_object_get_string(r) : "";
	slash = strrchr(s, '/');
	snprintf(bus, len, "%s", slash ? slash + 1 : s);
	json_object_put(r);
}

/* @d on the virtio-mmio bus @bus: named by its window (info qtree, asked
 * once for all devices, only when one sits on virtio-mmio), else by its
 * QOM path @proxy. */
static void name_mmio(struct vq_dev *d, const char *bus, const char *proxy, struct qemu_names *nm)
{
	char why[256];
	int ver = 0;

	d->kind = VQ_T_MMIO;
	if (!nm->qtree_asked && vq_qmp_hmp(nm->qmp, "info qtree", &nm->qtree, why, sizeof(why)) < 0)
		nm->qtree = NULL;
	nm->qtree_asked = 1;
	if (nm->qtree && !vq_qemu_qtree_mmio(nm->qtree, bus, &d->mmio_base, &ver)) {
		d->mmio_version = ver ? ver : 1;
		snprintf(d->name, sizeof(d->name), "mmio:0x%" PRIx64, d->mmio_base);
		return;
	}
	qom_name(d, proxy);
}

/* @d's name and kind from its QOM path: a PCI proxy by its address
 * (query-pci, matched by the qdev id), a virtio-mmio transport by its
 * window (its parent bus, then info qtree), else by its QOM path.  The
 * parent bus is asked only of a device query-pci does not name by its
 * id: a round trip a device saved on a PCI machine. */
static void name_dev(struct vq_dev *d, const char *path, struct qemu_names *nm)
{
	static const char backend[] = "/virtio-backend";
	char proxy[256], bus[64];
	size_t n = strlen(path);
	const char *id;
	int devfn;

	snprintf(proxy, sizeof(proxy), "%s", path);
	if (n > sizeof(backend) - 1 && !strcmp(path + n - (sizeof(backend) - 1), backend) &&
	    n - (sizeof(backend) - 1) < sizeof(proxy))
		proxy[n - (sizeof(backend) - 1)] = 0;
	id = strrchr(proxy, '/');
	d->kind = VQ_T_OTHER;
	/* By its -device id=; a device without one by its devfn, when only
	 * one device without an id sits there (bridges make buses alike). */
	if (nm->pci && id && !strncmp(proxy, "/machine/peripheral/", 20) &&
	    pci_find(nm->pci, id + 1, -1, d) == 1) {
		d->kind = VQ_T_PCI;
		return;
	}
	d->pci_device = 0;
	d->vendor_id = 0;
	parent_bus(nm->qmp, path, bus, sizeof(bus));
	if (!strncmp(bus, "virtio-mmio-bus.", 16)) {
		name_mmio(d, bus, proxy, nm);
		return;
	}
	if (nm->pci && strncmp(proxy, "/machine/peripheral/", 20) &&
	    (devfn = pci_devfn(nm->qmp, proxy)) >= 0 && pci_find(nm->pci, "", devfn, d) == 1) {
		d->kind = VQ_T_PCI;
		return;
	}
	d->pci_device = 0;
	d->vendor_id = 0;
	qom_name(d, proxy);
}

/* One device of x-query-virtio's list into @list: 0 or -errno with @err. */
static int add_dev(struct vq_dev_list *list, struct vq_qmp *qmp, const char *path,
		   struct qemu_names *nm, char *err, size_t errlen)
{
	struct json_object *args = json_object_new_object(), *r;
	struct qemu_dev *qd;
	struct vq_dev *d;
	uint64_t v = 0;
	int ret;

	json_object_object_add(args, "path", json_object_new_string(path));
	ret = vq_qmp_exec(qmp, "x-query-virtio-status", args, &r, err, errlen);
	if (ret < 0)
		return ret;
	get_u64(r, "device-id", &v);
	qd = calloc(1, sizeof(*qd));
	d = qd ? vq_dev_list_add(list) : NULL;
	if (!d) {
		free(qd);
		json_object_put(r);
		snprintf(err, errlen, "list QEMU's devices: out of memory");
		return -ENOMEM;
	}
	qd->qmp = qmp;
	qd->status = r;
	qd->status_us = now_us();
	snprintf(qd->path, sizeof(qd->path), "%s", path);
	d->t = &vq_transport_qemu;
	d->priv = qd;
	d->device_id = (uint32_t)v;
	d->access = VQ_ACCESS_QMP;
	name_dev(d, path, nm);
	return 0;
}

static int qemu_enumerate(struct vq_dev_list *list, struct vq_mem *image, char *err,
			  size_t errlen)
{
	struct vq_qmp *qmp = image ? vq_mem_qemu_qmp(image) : NULL;
	struct qemu_names nm = { qmp, NULL, NULL, 0 };
	struct json_object *devs, *p;
	char why[256];
	size_t i;
	int ret;

	if (!qmp) {
		snprintf(err, errlen, "QEMU's devices come from QMP (--qemu, --libvirt)");
		return -ENOENT;
	}
	ret = vq_qmp_exec(qmp, "x-query-virtio", NULL, &devs, err, errlen);
	if (ret == -ENOENT) {
		snprintf(err, errlen, "QEMU %u.%u at %s has no x-query-virtio: its virtio devices can be read from QEMU 7.2 on (or take a dump: dump-guest-memory, then --core)",
			 vq_qmp_version(qmp) / 10000, vq_qmp_version(qmp) / 100 % 100, vq_qmp_path(qmp));
		return -ENOTSUP;
	}
	if (ret < 0)
		return ret;
	/* Without it (and info qtree) the devices are named by their QOM paths. */
	if (vq_qmp_exec(qmp, "query-pci", NULL, &nm.pci, why, sizeof(why)) < 0)
		nm.pci = NULL;
	for (i = 0; !ret && i < json_object_array_length(devs); i++)
		if (json_object_object_get_ex(json_object_array_get_idx(devs, i), "path", &p))
			ret = add_dev(list, qmp, json_object_get_string(p), &nm, err, errlen);
	json_object_put(devs);
	json_object_put(nm.pci);
	free(nm.qtree);
	return ret < 0 ? ret : (int)i;
}

const struct vq_transport vq_transport_qemu = {
	.name = "qemu",
	.help = "a running QEMU's virtio devices over QMP (--qemu, --libvirt; QEMU 7.2 or later)",
	.scope = VQ_SCOPE_QEMU,
	.enumerate = qemu_enumerate,
	.read_state = qemu_read_state,
	.release = qemu_release,
};
