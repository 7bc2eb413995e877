/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ring addresses from Linux's own records, live: BTF from /sys/kernel/btf, the kernel's virtual addresses of the memory source's segments, and what was found, kept for the caller. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../decode/elfnote.h"
#include "../decode/errbuf.h"
#include "../decode/kimage.h"
#include "kvq.h"

/* Largest BTF file read (vmlinux's is a few MiB). */
#define BTF_MAX_FILE (256u << 20)

/* ---- The live lookup ---------------------------------------------------- */

struct vq_kvq {
	struct vq_mem *mem;           /* physical memory, the caller's */
	struct vq_fetch fetch;        /* reads through @mem */
	struct vq_btf vmlinux;        /* /sys/kernel/btf/vmlinux */
	struct vq_btf module;         /* virtio_ring's split BTF, when needed */
	struct vq_kvq_layout layout;  /* offsets */
	struct vq_kmap *map;          /* the kernel's linear mappings, by vaddr */
	size_t nmap;                  /* entries in @map */
	struct vq_scan_region *regions; /* RAM to search: @mem's segments */
	size_t nregions;
	struct vq_kvq_queue *queues;  /* every queue of the devices in @known */
	size_t nqueues, qcap;
	unsigned *known;              /* virtio indices whose queues are all in @queues */
	size_t nknown, kcap;
	int all;                      /* a whole search was made: any other device has none */
	char *kcore_path, *btf_path;  /* as opened (vq_kvq_lookup compares them) */
	/* A dump's kernel (vq_kvq_open_image): page tables, when their root
	 * was found, for what lies outside the direct map (module data). */
	struct vq_kxlat xlat;         /* @map and the page tables */
	struct vq_kvdev_layout dev;   /* struct virtio_device and its struct device */
	int dev_ok;                   /* @dev was filled */
	uint64_t dmap;                /* the direct map's start, 0 when not known as one */
};

/* Whole small file into a new buffer. */
static int slurp(const char *path, uint8_t **out, size_t *len)
{
	size_t cap = 1 << 20, n = 0;
	uint8_t *b = malloc(cap), *nb;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0 || !b) {
		ret = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (cap >= BTF_MAX_FILE) {
				ret = -EFBIG;
				goto out;
			}
			cap *= 2;
			nb = realloc(b, cap);
			if (!nb) {
				ret = -ENOMEM;
				goto out;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	*out = b;
	*len = n;
	b = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(b);
	return ret;
}

static int load_btf(struct vq_btf *b, const char *path, const struct vq_btf *base,
		    unsigned ptr_size, char *err, size_t errlen)
{
	char why[200];
	uint8_t *data = NULL; /* gcc cannot see that slurp() sets both on success */
	size_t len = 0;
	int ret = slurp(path, &data, &len);

	if (ret) {
		vq_errbuf(err, errlen, 0, "read BTF %s: %s", path, strerror(-ret));
		return ret;
	}
	ret = vq_btf_parse(b, data, len, base, ptr_size, why, sizeof(why));
	free(data);
	if (ret)
		vq_errbuf(err, errlen, 0, "read BTF %s: %s", path, why);
	return ret;
}

static int kmap_cmp(const void *a, const void *b)
{
	const struct vq_kmap *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/* @src's segments as the kernel maps them (its vaddr, sorted): 0, -ENOENT
 * when it says no virtual address, or -ENOMEM. */
static int kmap_from_segs(struct vq_kvq *k, const struct vq_mem *src)
{
	size_t i;

	k->map = calloc(src->nsegs ? src->nsegs : 1, sizeof(*k->map));
	if (!k->map)
		return -ENOMEM;
	for (i = 0; i < src->nsegs; i++) {
		const struct vq_seg *s = &src->segs[i];

		if (s->has_vaddr && s->vaddr + s->memsz >= s->vaddr)
			k->map[k->nmap++] = (struct vq_kmap){ s->vaddr, s->paddr, s->memsz };
	}
	qsort(k->map, k->nmap, sizeof(*k->map), kmap_cmp);
	return k->nmap ? 0 : -ENOENT;
}

/*
 * The linear maps: @mem's segments when they carry kernel virtual
 * addresses (/proc/kcore, alone or as the top of an overlay); else (a
 * /dev/mem source) those of the ELF core @kcore_path, opened with the same
 * reader (elfcore.c) for its program headers only.
 */
static int load_kmap(struct vq_kvq *k, struct vq_mem *mem, const char *kcore_path, char *err,
		     size_t errlen)
{
	struct vq_mem core;
	int ret = kmap_from_segs(k, mem);

	if (ret != -ENOENT)
		goto out;
	free(k->map);
	k->map = NULL;
	ret = vq_mem_open(&core, &vq_mem_elf, kcore_path);
	if (ret) {
		vq_errbuf(err, errlen, 0, "%s", core.err);
		return ret;
	}
	ret = kmap_from_segs(k, &core);
	vq_mem_close(&core);
	if (ret == -ENOENT)
		vq_errbuf(err, errlen, 0, "read %s: no segment with a kernel virtual address",
			  kcore_path);
out:
	if (ret == -ENOMEM)
		vq_errbuf(err, errlen, 0, "out of memory");
	return ret;
}

/* Bytes of a pointer in the kernel @b describes: a list_head is two of
 * them (BTF gives pointers no size of their own); 8 when it has none. */
static unsigned btf_ptr_size(const struct vq_btf *b)
{
	long id = vq_btf_find(b, VQ_BTF_KIND_STRUCT, "list_head");
	uint64_t size = id < 0 ? 0 : vq_btf_size(b, (uint32_t)id);

	return size == 8 || size == 16 ? (unsigned)size / 2 : 8;
}

void vq_kvq_close(struct vq_kvq *k)
{
	if (!k)
		return;
	vq_btf_free(&k->module);
	vq_btf_free(&k->vmlinux);
	free(k->map);
	free(k->regions);
	free(k->queues);
	free(k->known);
	free(k->kcore_path);
	free(k->btf_path);
	free(k);
}

int vq_kvq_open(struct vq_kvq **out, struct vq_mem *mem, const char *kcore_path,
		const char *btf_path, char *err, size_t errlen)
{
	char modpath[4096], why[300];
	struct vq_kvq *k = calloc(1, sizeof(*k));
	const struct vq_btf *types;
	const char *slash;
	int ret;

	*out = NULL;
	kcore_path = kcore_path ? kcore_path : VQ_KCORE_PATH;
	btf_path = btf_path ? btf_path : VQ_KVQ_BTF_PATH;
	if (!k) {
		vq_errbuf(err, errlen, 0, "read Linux's virtqueues: out of memory");
		return -ENOMEM;
	}
	k->mem = mem;
	k->fetch = vq_mem_fetch(mem);
	k->kcore_path = strdup(kcore_path);
	k->btf_path = strdup(btf_path);
	ret = load_kmap(k, mem, kcore_path, why, sizeof(why));
	if (!ret)
		ret = load_btf(&k->vmlinux, btf_path, NULL, 8, why, sizeof(why));
	/* The pointer size only matters to sizes asked later: take the types' own. */
	if (!ret)
		k->vmlinux.ptr_size = btf_ptr_size(&k->vmlinux);
	types = &k->vmlinux;
	/* virtio_ring as a module: its types are split BTF beside vmlinux's. */
	if (!ret && vq_btf_find(types, VQ_BTF_KIND_STRUCT, "vring_virtqueue") < 0) {
		slash = strrchr(btf_path, '/');
		snprintf(modpath, sizeof(modpath), "%.*svirtio_ring",
			 slash ? (int)(slash - btf_path + 1) : 0, btf_path);
		if (access(modpath, R_OK) == 0) {
			ret = load_btf(&k->module, modpath, &k->vmlinux, k->vmlinux.ptr_size,
				       why, sizeof(why));
			types = &k->module;
		}
	}
	if (!ret)
		ret = vq_kvq_layout_from_btf(types, &k->layout, why, sizeof(why));
	if (!ret) {
		ret = vq_mem_scan_regions(mem, VQ_REGIONS_FILE, &k->regions, &k->nregions);
		if (ret)
			snprintf(why, sizeof(why), "out of memory");
	}
	if (ret) {
		vq_errbuf(err, errlen, 0, "read Linux's virtqueues: %s", why);
		vq_kvq_close(k);
		return ret;
	}
	*out = k;
	return 0;
}

static int is_known(const struct vq_kvq *k, unsigned n)
{
	size_t i;

	for (i = 0; i < k->nknown; i++)
		if (k->known[i] == n)
			return 1;
	return 0;
}

/* Drop what is remembered about virtioN @n. */
static void drop_device(struct vq_kvq *k, unsigned n)
{
	size_t i, j = 0;

	for (i = 0; i < k->nqueues; i++)
		if (k->queues[i].virtio_index != n)
			k->queues[j++] = k->queues[i];
	k->nqueues = j;
	for (i = j = 0; i < k->nknown; i++)
		if (k->known[i] != n)
			k->known[j++] = k->known[i];
	k->nknown = j;
	k->all = 0;
}

/* Remember @q (its device's queues are being learnt). */
static int remember(struct vq_kvq *k, const struct vq_kvq_queue *q)
{
	size_t i;

	if (!is_known(k, q->virtio_index)) {
		if (k->nknown == k->kcap) {
			size_t cap = k->kcap ? 2 * k->kcap : 16;
			unsigned *p = realloc(k->known, cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			k->known = p;
			k->kcap = cap;
		}
		k->known[k->nknown++] = q->virtio_index;
	}
	for (i = 0; i < k->nqueues; i++)
		if (k->queues[i].obj_paddr == q->obj_paddr)
			return 0;
	if (k->nqueues == k->qcap) {
		size_t cap = k->qcap ? 2 * k->qcap : 64;
		struct vq_kvq_queue *p = realloc(k->queues, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		k->queues = p;
		k->qcap = cap;
	}
	k->queues[k->nqueues++] = *q;
	return 0;
}

/*
 * Learn virtioN @n's queues: search RAM until one of them turns up, then
 * take the rest from its device's list; every other device met on the way
 * is learnt from its list too.  A search that reaches the end without one
 * of @n's has seen every device: all are learnt, and @n has none.
 */
static int learn(struct vq_kvq *k, unsigned n, char *err, size_t errlen)
{
	struct vq_kvq_queue *q = NULL, *dq;
	size_t cap = 256, i, j, got;
	long found;
	int ret = 0, full;

	dq = malloc(VQ_KVQ_MAX_LIST * sizeof(*dq));
	for (;;) {
		struct vq_kvq_queue *nq = dq ? realloc(q, cap * sizeof(*q)) : NULL;

		if (!nq) {
			ret = -ENOMEM;
			goto out;
		}
		q = nq;
		found = vq_kvq_scan(&k->fetch, k->regions, k->nregions, k->map, k->nmap,
				    &k->layout, n, q, cap);
		if (found < 0) {
			vq_errbuf(err, errlen, 0, "search kernel memory for struct vring_virtqueue: %s",
				  k->mem->err[0] ? k->mem->err : strerror((int)-found));
			ret = (int)found;
			goto out;
		}
		got = (size_t)found < cap ? (size_t)found : cap;
		/* Stopped at virtioN @n (kept last), or went through all. */
		if ((got && q[got - 1].virtio_index == n) || (size_t)found <= cap)
			break;
		cap = (size_t)found;
	}
	full = !got || q[got - 1].virtio_index != n;
	if (full) {
		k->nqueues = 0;
		k->nknown = 0;
	}
	for (i = 0; i < got && !ret; i++) {
		size_t nd;

		for (j = 0; j < i && q[j].vdev_vaddr != q[i].vdev_vaddr; j++)
			;
		if (j < i)
			continue;
		found = vq_kvq_device_queues(&k->fetch, k->map, k->nmap, &k->layout,
					     q[i].vdev_vaddr, dq, VQ_KVQ_MAX_LIST);
		if (found < 0) {
			if (q[i].virtio_index != n)
				continue;
			vq_errbuf(err, errlen, 0, "read the queue list of virtio%u in kernel memory: %s", n,
				  strerror((int)-found));
			ret = (int)found;
			goto out;
		}
		nd = (size_t)found < VQ_KVQ_MAX_LIST ? (size_t)found : VQ_KVQ_MAX_LIST;
		drop_device(k, q[i].virtio_index);
		for (j = 0; j < nd && !ret; j++)
			ret = remember(k, &dq[j]);
	}
	if (full)
		k->all = 1;
out:
	if (ret == -ENOMEM)
		vq_errbuf(err, errlen, 0, "search kernel memory: out of memory");
	free(q);
	free(dq);
	return ret;
}

int vq_kvq_find(struct vq_kvq *k, unsigned virtio_index, unsigned queue,
		struct vq_kvq_queue *out, char *err, size_t errlen)
{
	int fresh = 0, pass, ret;

	for (pass = 0; pass < 2; pass++) {
		struct vq_kvq_queue hit, q;
		size_t i, nhit = 0, ndev = 0, stale = 0;

		if (!is_known(k, virtio_index) && !k->all) {
			ret = learn(k, virtio_index, err, errlen);
			if (ret)
				return ret;
			fresh = 1;
		}
		for (i = 0; i < k->nqueues; i++) {
			if (k->queues[i].virtio_index != virtio_index)
				continue;
			ndev++;
			if (k->queues[i].queue != queue)
				continue;
			/* Remembered from an earlier call: still so? */
			if (!fresh) {
				if (vq_kvq_check(&k->fetch, k->map, k->nmap, &k->layout,
						 k->queues[i].obj_paddr, &q) ||
				    q.virtio_index != virtio_index || q.queue != queue) {
					stale++;
					continue;
				}
				k->queues[i] = q;
			}
			if (nhit && memcmp(&hit.layout, &k->queues[i].layout, sizeof(hit.layout))) {
				vq_errbuf(err, errlen, 0,
					  "find virtio%u queue %u in kernel memory: two live vring_virtqueue objects claim it (at 0x%llx and 0x%llx)",
					  virtio_index, queue, (unsigned long long)hit.obj_paddr,
					  (unsigned long long)k->queues[i].obj_paddr);
				return -ENOTUNIQ;
			}
			hit = k->queues[i];
			nhit++;
		}
		if (nhit) {
			*out = hit;
			return 0;
		}
		/* The queue Linux had is gone: it set its queues up anew. */
		if (stale) {
			drop_device(k, virtio_index);
			continue;
		}
		vq_errbuf(err, errlen, 0,
			  "find virtio%u queue %u in kernel memory: Linux has no queue there (%zu queue%s of virtio%u found; a driver that is not bound and a queue not set up leave none)",
			  virtio_index, queue, ndev, ndev == 1 ? "" : "s", virtio_index);
		return -ENOENT;
	}
	vq_errbuf(err, errlen, 0, "find virtio%u queue %u in kernel memory: it moved while being searched for",
		  virtio_index, queue);
	return -EAGAIN;
}

void vq_kvq_forget(struct vq_kvq *k)
{
	if (!k)
		return;
	k->nqueues = 0;
	k->nknown = 0;
	k->all = 0;
}

void vq_kvq_lookup_release(struct vq_kvq **cache)
{
	vq_kvq_close(*cache);
	*cache = NULL;
}

/* The context *@cache for @mem and the paths, opened (again) when needed. */
static int lookup_open(struct vq_kvq **cache, struct vq_mem *mem, const char *kcore_path,
		       const char *btf_path, char *err, size_t errlen)
{
	struct vq_kvq *k = *cache;

	kcore_path = kcore_path ? kcore_path : VQ_KCORE_PATH;
	btf_path = btf_path ? btf_path : VQ_KVQ_BTF_PATH;
	if (k && (k->mem != mem || !k->kcore_path || !k->btf_path ||
		  strcmp(k->kcore_path, kcore_path) || strcmp(k->btf_path, btf_path)))
		vq_kvq_lookup_release(cache);
	if (*cache)
		return 0;
	return vq_kvq_open(cache, mem, kcore_path, btf_path, err, errlen);
}

int vq_kvq_lookup(struct vq_kvq **cache, struct vq_mem *mem, const char *kcore_path,
		  const char *btf_path, unsigned virtio_index, unsigned queue,
		  struct vq_kvq_queue *out, char *err, size_t errlen)
{
	int ret = lookup_open(cache, mem, kcore_path, btf_path, err, errlen);

	return ret ? ret : vq_kvq_find(*cache, virtio_index, queue, out, err, errlen);
}

static int by_queue(const void *a, const void *b)
{
	const struct vq_kvq_queue *x = a, *y = b;

	return x->queue < y->queue ? -1 : x->queue > y->queue;
}

long vq_kvq_lookup_device(struct vq_kvq **cache, struct vq_mem *mem, const char *kcore_path,
			  const char *btf_path, unsigned virtio_index, struct vq_kvq_queue *out,
			  size_t max, char *err, size_t errlen)
{
	struct vq_kvq *k;
	size_t i, n = 0;
	int ret = lookup_open(cache, mem, kcore_path, btf_path, err, errlen);

	if (ret)
		return ret;
	k = *cache;
	if (!is_known(k, virtio_index) && !k->all) {
		ret = learn(k, virtio_index, err, errlen);
		if (ret)
			return ret;
	}
	/* Each remembered queue checked again: Linux may have set them up anew. */
	for (i = 0; i < k->nqueues; i++) {
		struct vq_kvq_queue q;

		if (k->queues[i].virtio_index != virtio_index)
			continue;
		if (vq_kvq_check(&k->fetch, k->map, k->nmap, &k->layout, k->queues[i].obj_paddr,
				 &q) || q.virtio_index != virtio_index) {
			drop_device(k, virtio_index);
			vq_errbuf(err, errlen, 0,
				  "read virtio%u's queues in kernel memory: they changed while being read",
				  virtio_index);
			return -EAGAIN;
		}
		if (n < max)
			out[n++] = q;
	}
	qsort(out, n, sizeof(*out), by_queue);
	return (long)n;
}

int vq_kvq_read_name(struct vq_kvq *k, const struct vq_kvq_queue *q, char *out, size_t len)
{
	uint8_t b[32];
	uint64_t pa;
	size_t i;

	out[0] = 0;
	if (!k || !q->name_vaddr || !len)
		return -ENOENT;
	/* A dump's kernel with its page tables: module data too. */
	if (k->xlat.levels) {
		char s[32];
		int ret = vq_kxlat_string(&k->fetch, &k->xlat, q->name_vaddr, s, sizeof(s));

		if (!ret)
			snprintf(out, len, "%s", s);
		return ret;
	}
	/* Only a name in the kernel's linear map (kmalloc'd, as virtio_blk's
	 * and virtio_net's are); one in a module's read-only data is not. */
	for (i = 0; i < sizeof(b); i++)
		if (vq_kmap_v2p(k->map, k->nmap, q->name_vaddr + i, 1, &pa) ||
		    vq_fetch(&k->fetch, pa, b + i, 1, "virtqueue name"))
			return -EFAULT;
		else if (!b[i])
			break;
	if (i == sizeof(b) || !i)
		return -EINVAL;
	/* A name as drivers make them: printable ASCII only. */
	for (i = 0; b[i]; i++)
		if (b[i] < 0x21 || b[i] > 0x7e)
			return -EINVAL;
	snprintf(out, len, "%s", (const char *)b);
	return 0;
}

/* ---- A dump's kernel ---------------------------------------------------- */

/* Most BTF headers looked at in one image (vmlinux, each loaded module's,
 * stale copies). */
#define KIMG_MAX_BLOBS 1024u

/* The blob @h (its physical address and length) parsed on top of @base
 * (NULL: as vmlinux's): 0, or -errno. */
static int image_btf(struct vq_kvq *k, const struct vq_kimg_blob *h, struct vq_btf *out,
		     const struct vq_btf *base)
{
	char why[200];
	uint8_t *data = malloc(h->len);
	int ret;

	if (!data)
		return -ENOMEM;
	ret = vq_fetch(&k->fetch, h->paddr, data, h->len, "BTF");
	if (!ret)
		ret = vq_btf_parse(out, data, h->len, base, base ? base->ptr_size : 8, why,
				   sizeof(why));
	free(data);
	return ret;
}

/*
 * vmlinux's BTF (the first blob that parses alone and describes
 * list_head and virtio_device's neighbours), then, when vring_virtqueue
 * is not in it, the first split blob on top of it that has it.  0, or
 * -ENOENT with @err.  @how gets where they were.
 */
static int image_find_btf(struct vq_kvq *k, char *how, size_t howlen, char *err, size_t errlen)
{
	struct vq_kimg_blob *h = calloc(KIMG_MAX_BLOBS, sizeof(*h));
	long n, i, base = -1, mod = -1;
	int ret = 0;

	if (!h)
		return -ENOMEM;
	n = vq_kimg_find_btf(&k->fetch, k->regions, k->nregions, h, KIMG_MAX_BLOBS);
	if (n > (long)KIMG_MAX_BLOBS)
		n = KIMG_MAX_BLOBS;
	for (i = 0; i < n && base < 0; i++) {
		if (image_btf(k, &h[i], &k->vmlinux, NULL))
			continue;
		if (vq_btf_find(&k->vmlinux, VQ_BTF_KIND_STRUCT, "list_head") >= 0 &&
		    vq_btf_find(&k->vmlinux, VQ_BTF_KIND_STRUCT, "task_struct") >= 0)
			base = i;
		else
			vq_btf_free(&k->vmlinux);
	}
	if (base < 0) {
		if (n > 0)
			vq_errbuf(err, errlen, 0,
				  "none of the %ld BTF blob%s in its memory is vmlinux's (a damaged or filtered dump?)",
				  n, n == 1 ? "" : "s");
		else
			vq_errbuf(err, errlen, 0,
				  "no BTF in its memory (a kernel without CONFIG_DEBUG_INFO_BTF, a dump without those pages, or no Linux)");
		free(h);
		return -ENOENT;
	}
	k->vmlinux.ptr_size = btf_ptr_size(&k->vmlinux);
	snprintf(how, howlen, "BTF at 0x%llx", (unsigned long long)h[base].paddr);
	if (vq_btf_find(&k->vmlinux, VQ_BTF_KIND_STRUCT, "vring_virtqueue") < 0) {
		for (i = 0; i < n && mod < 0; i++) {
			if (i == base || image_btf(k, &h[i], &k->module, &k->vmlinux))
				continue;
			if (vq_btf_find(&k->module, VQ_BTF_KIND_STRUCT, "vring_virtqueue") >= 0)
				mod = i;
			else
				vq_btf_free(&k->module);
		}
		if (mod < 0) {
			vq_errbuf(err, errlen, 0,
				  "the guest kernel's BTF has no struct vring_virtqueue and no module's BTF in its memory has it (virtio_ring not loaded, or its BTF not in the dump)");
			ret = -ENOENT;
		} else {
			size_t o = strlen(how);

			snprintf(how + o, howlen - o, " and 0x%llx (virtio_ring)",
				 (unsigned long long)h[mod].paddr);
		}
	}
	free(h);
	return ret;
}

/* What the note walk looks for. */
struct image_notes {
	char vmcoreinfo[8192]; /* VMCOREINFO text, "" when none */
	size_t vlen;
	int have_cpu;          /* @cr3, @cr4 from the first QEMU CPU note */
	uint64_t cr3, cr4;
};

static int image_note(void *arg, const uint8_t *notes, size_t len, int msb)
{
	struct image_notes *in = arg;
	struct vq_elf_note n;
	size_t off = 0;
	char err[160];

	if (msb)
		return 0;
	while (vq_elf_note_next(notes, len, msb, &off, &n, err, sizeof(err)) > 0) {
		if (vq_elf_note_owner_is(&n, "VMCOREINFO") && !in->vlen) {
			in->vlen = n.descsz < sizeof(in->vmcoreinfo) ? n.descsz : sizeof(in->vmcoreinfo);
			memcpy(in->vmcoreinfo, n.desc, in->vlen);
		} else if (vq_elf_note_owner_is(&n, "QEMU") && !in->have_cpu) {
			in->have_cpu = !vq_qemu_cpu_cr(n.desc, n.descsz, &in->cr3, &in->cr4);
		}
	}
	return 0;
}

/* The direct map as one kmap entry per segment of @mem at @base + paddr. */
static int direct_map(struct vq_kvq *k, uint64_t base)
{
	size_t i;

	free(k->map);
	k->nmap = 0;
	k->map = calloc(k->mem->nsegs ? k->mem->nsegs : 1, sizeof(*k->map));
	if (!k->map)
		return -ENOMEM;
	for (i = 0; i < k->mem->nsegs; i++) {
		const struct vq_seg *s = &k->mem->segs[i];

		if (base + s->paddr >= base && base + s->paddr + s->memsz >= base + s->paddr)
			k->map[k->nmap++] = (struct vq_kmap){ base + s->paddr, s->paddr, s->memsz };
	}
	return 0;
}

/* Page tables at @root (@levels): the direct map they give, kept with
 * the root for later translations.  0 or -ENOENT. */
static int from_tables(struct vq_kvq *k, uint64_t root, unsigned levels, uint64_t *base)
{
	if (vq_x86_direct_map(&k->fetch, root, levels, base))
		return -ENOENT;
	k->xlat.root = root;
	k->xlat.levels = levels;
	k->dmap = *base;
	return direct_map(k, *base);
}

/* The vote of vq_kvq_vote_offset: the first candidate under which a
 * search finds a queue. */
static int from_vote(struct vq_kvq *k, uint64_t *base, uint64_t *votes)
{
	uint64_t cand[8], nv[8];
	long n = vq_kvq_vote_offset(&k->fetch, k->regions, k->nregions, &k->layout,
				    VQ_X86_DIRECT_LO_L5, VQ_X86_DIRECT_HI, VQ_X86_PUD, cand, nv, 8);
	long i;

	for (i = 0; i < n; i++) {
		struct vq_kvq_queue q;

		if (direct_map(k, cand[i]))
			return -ENOMEM;
		if (vq_kvq_scan(&k->fetch, k->regions, k->nregions, k->map, k->nmap, &k->layout, -1,
				&q, 1) > 0) {
			*base = cand[i];
			k->dmap = cand[i];
			*votes = nv[i];
			return 0;
		}
	}
	return -ENOENT;
}

/* 1 when some segment of @m says where the kernel maps it (a kernel
 * address, not a copy of the physical one as QEMU gives its ROM). */
static int kernel_vaddrs(const struct vq_mem *m)
{
	size_t i;

	for (i = 0; i < m->nsegs; i++)
		if (m->segs[i].has_vaddr && m->segs[i].vaddr >= VQ_X86_DIRECT_LO_L5)
			return 1;
	return 0;
}

/* The direct map's offset, each way in turn; @how says which worked. */
static int image_find_map(struct vq_kvq *k, char *how, size_t howlen, char *err, size_t errlen)
{
	struct image_notes *in = calloc(1, sizeof(*in));
	uint64_t sym, phys, l5 = 0, base = 0, votes;
	int ret = -ENOENT;

	if (!in)
		return -ENOMEM;
	vq_mem_note_segments(k->mem, image_note, in);
	if (kernel_vaddrs(k->mem) && !kmap_from_segs(k, k->mem)) {
		snprintf(how, howlen, "from the dump's program headers");
		ret = 0;
	} else if (in->vlen &&
		   !vq_vmcoreinfo_get(in->vmcoreinfo, in->vlen, "SYMBOL(init_top_pgt)", 16, &sym) &&
		   !vq_vmcoreinfo_get(in->vmcoreinfo, in->vlen, "NUMBER(phys_base)", 10, &phys) &&
		   sym >= VQ_X86_START_KERNEL_MAP) {
		vq_vmcoreinfo_get(in->vmcoreinfo, in->vlen, "NUMBER(pgtable_l5_enabled)", 10, &l5);
		ret = from_tables(k, sym - VQ_X86_START_KERNEL_MAP + phys, l5 ? 5 : 4, &base);
		if (!ret)
			snprintf(how, howlen, "0x%llx from VMCOREINFO and the page tables",
				 (unsigned long long)base);
	}
	/* CR3: with page-table isolation a user CR3 is the kernel's + 4 KiB. */
	if (ret == -ENOENT && in->have_cpu) {
		unsigned lv = in->cr4 & (1u << 12) ? 5 : 4; /* CR4.LA57 */

		ret = from_tables(k, in->cr3 & ~0xfffull, lv, &base);
		if (ret == -ENOENT)
			ret = from_tables(k, in->cr3 & ~0x1fffull, lv, &base);
		if (!ret)
			snprintf(how, howlen, "0x%llx from CR3 (QEMU's CPU note) and the page tables",
				 (unsigned long long)base);
	}
	if (ret == -ENOENT) {
		ret = from_vote(k, &base, &votes);
		if (!ret)
			snprintf(how, howlen, "0x%llx by a vote of vring_virtqueue records (%llu)",
				 (unsigned long long)base, (unsigned long long)votes);
	}
	if (ret == -ENOENT)
		vq_errbuf(err, errlen, 0,
			  "the kernel's direct map not found (no VMCOREINFO, no usable CR3, and no vring_virtqueue pairs agree on one)");
	free(in);
	return ret;
}

/* The machine of an ELF e_machine, for a refusal. */
static const char *machine_name(unsigned m)
{
	switch (m) {
	case EM_AARCH64:
		return "aarch64";
	case EM_ARM:
		return "arm";
	case EM_386:
		return "i386";
	case EM_PPC64:
		return "ppc64";
	case EM_S390:
		return "s390x";
	case EM_RISCV:
		return "riscv";
	default:
		return "another architecture";
	}
}

/*
 * 0 when the image may hold an x86-64 kernel's records (the direct map,
 * VMCOREINFO's keys, QEMU's CPU note and the page walk are x86-64's);
 * else -ENOENT with @why saying so.  A source that does not say its
 * machine is tried.
 */
static int image_machine(const struct vq_mem *mem, char *why, size_t len)
{
	if (!mem->machine || mem->machine == EM_X86_64)
		return 0;
	snprintf(why, len, "read for x86-64 dumps only, and this one is of %s (ELF machine %u)",
		 machine_name(mem->machine), mem->machine);
	return -ENOENT;
}

/* @why, and when the dump is truncated, that it is: what is missing
 * may be the very records looked for. */
static void image_why(const struct vq_mem *mem, char *why, size_t len)
{
	char t[128];
	size_t o = strlen(why);

	if (vq_mem_truncation(mem, t, sizeof(t)) && o < len)
		snprintf(why + o, len - o, "; the dump is %s", t);
}

int vq_kvq_open_image(struct vq_kvq **out, struct vq_mem *mem, char *how, size_t howlen,
		      char *err, size_t errlen)
{
	struct vq_kvq *k = calloc(1, sizeof(*k));
	char why[400], btf_how[160] = "", map_how[160] = "";
	const struct vq_btf *types;
	int ret;

	*out = NULL;
	if (!k) {
		vq_errbuf(err, errlen, 0, "read the kernel's records: out of memory");
		return -ENOMEM;
	}
	why[0] = 0;
	k->mem = mem;
	k->fetch = vq_mem_fetch(mem);
	ret = image_machine(mem, why, sizeof(why));
	/* Holes read as zeros, where no record the searches want can be. */
	if (!ret)
		ret = vq_mem_scan_regions(mem, VQ_REGIONS_DATA, &k->regions, &k->nregions);
	if (!ret)
		ret = image_find_btf(k, btf_how, sizeof(btf_how), why, sizeof(why));
	types = k->module.data ? &k->module : &k->vmlinux;
	if (!ret)
		ret = vq_kvq_layout_from_btf(types, &k->layout, why, sizeof(why));
	if (!ret)
		k->dev_ok = !vq_kvdev_layout_from_btf(types, &k->dev, why, sizeof(why));
	if (!ret)
		ret = image_find_map(k, map_how, sizeof(map_how), why, sizeof(why));
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(why, sizeof(why), "out of memory");
		else
			image_why(mem, why, sizeof(why));
		/* The caller's error is one of the image's: it reads as a
		 * reason, not as a failure of the program. */
		vq_errbuf(err, errlen, 0, "the guest kernel's records: %s", why);
		vq_kvq_close(k);
		return ret == -ENOMEM ? ret : -ENOENT;
	}
	k->xlat.map = k->map;
	k->xlat.nmap = k->nmap;
	k->all = 0;
	snprintf(how, howlen, "direct map %s; %s", map_how, btf_how);
	*out = k;
	return 0;
}

static int by_device_queue(const void *a, const void *b)
{
	const struct vq_kvq_queue *x = a, *y = b;

	if (x->virtio_index != y->virtio_index)
		return x->virtio_index < y->virtio_index ? -1 : 1;
	return x->queue < y->queue ? -1 : x->queue > y->queue;
}

long vq_kvq_all(struct vq_kvq *k, struct vq_kvq_queue **out, char *err, size_t errlen)
{
	size_t i;
	int ret;

	*out = NULL;
	/* A whole search: every device with a queue is learnt. */
	if (!k->all) {
		ret = learn(k, UINT32_MAX, err, errlen);
		if (ret)
			return ret;
	}
	*out = malloc((k->nqueues ? k->nqueues : 1) * sizeof(**out));
	if (!*out) {
		vq_errbuf(err, errlen, 0, "read the kernel's queues: out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < k->nqueues; i++)
		(*out)[i] = k->queues[i];
	qsort(*out, k->nqueues, sizeof(**out), by_device_queue);
	return (long)k->nqueues;
}

int vq_kvq_read_device(struct vq_kvq *k, uint64_t vdev, struct vq_kvdev *d)
{
	if (!k->dev_ok)
		return -ENOENT;
	return vq_kvdev_read(&k->fetch, &k->xlat, &k->dev, vdev, d);
}

long vq_kvq_idle_devices(struct vq_kvq *k, uint64_t *out, size_t max)
{
	if (!k->dev_ok || !k->dmap)
		return 0;
	return vq_kvdev_scan_idle(&k->fetch, k->regions, k->nregions, &k->xlat, k->dmap, &k->dev,
				  out, max);
}

/* Descriptors kept per ID at most: a chain takes at most the ring's
 * size, and the whole copy is bounded by 4 per slot. */
#define KVQ_REC_DESCS_PER_SLOT 4u

int vq_kvq_packed_drvrec(struct vq_kvq *k, const struct vq_kvq_queue *q,
			 struct vq_packed_drvrec **out)
{
	const uint32_t n = q->layout.size, max = KVQ_REC_DESCS_PER_SLOT * q->layout.size;
	struct vq_packed_drvrec *r;
	struct vq_packed_drv_id *ids;
	struct vq_packed_drv_desc *descs;
	uint32_t nd;
	int ret;

	*out = NULL;
	if (!q->packed || !n || n > VQ_PACKED_MAX_SIZE)
		return -ENOENT;
	r = calloc(1, sizeof(*r) + sizeof(*ids) * n + sizeof(*descs) * max);
	if (!r)
		return -ENOMEM;
	ids = (struct vq_packed_drv_id *)(r + 1);
	descs = (struct vq_packed_drv_desc *)(ids + n);
	ret = vq_kvq_packed_records(&k->fetch, k->map, k->nmap, &k->layout, q, ids, descs, max,
				    &nd);
	if (ret) {
		free(r);
		return ret;
	}
	r->n = n;
	r->ids = ids;
	r->descs = descs;
	r->ndescs = nd;
	*out = r;
	return 0;
}
