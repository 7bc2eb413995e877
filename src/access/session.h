/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A session: the source one run reads (memory, devices, Linux's records), opened once and kept across shell commands. */
#ifndef VQDUMP_ACCESS_SESSION_H
#define VQDUMP_ACCESS_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "../decode/fetch.h"
#include "access.h"
#include "transport.h"

struct vq_kvq;

struct vq_session {
	const char *core;         /* ELF core or vqdump snapshot read, or NULL */
	const char *raw;          /* raw image FILE@BASE read, or NULL; both NULL: the live system */
	const char *qemu;         /* a running QEMU's QMP socket (--qemu), or NULL: set
				   * after vq_session_init(); devices from the transports
				   * of scope VQ_SCOPE_QEMU, memory from its process */
	int pause;                /* --pause: stop a running QEMU while reading (set
				   * after vq_session_init(), with @qemu) */
	struct vq_mem mem;        /* the open memory source */
	int mem_open;             /* 1 once @mem is open */
	int mem_failed;           /* live memory could not be opened for ring indices
				   * (said through @say): not tried again */
	struct vq_fetch fetch;    /* decoders read @mem through this */
	struct vq_dev_list devs;  /* the devices, found once */
	int devs_open;            /* 1 once @devs is filled */
	int kvq_failed;           /* Linux's records (BTF, /proc/kcore) unreadable (said
				   * through @say): not tried again */
	struct vq_kvq *kvq;       /* what Linux's records gave so far (kvq.h), or NULL */
	/* Tells the user one line (no program-name prefix) while the session
	 * reads: warnings about what could not be read.  NULL: quiet. */
	void (*say)(const char *line);
};

/* Set up @s to read @core, @raw or (both NULL) the live system; nothing is
 * opened yet. */
void vq_session_init(struct vq_session *s, const char *core, const char *raw,
		     void (*say)(const char *line));
/* 1 when @s reads the running system (no --core, --raw nor --qemu): its
 * devices can be read again, their registers sampled twice, and Linux's
 * records are this system's. */
int vq_session_is_live(const struct vq_session *s);

/* Forget what Linux's records said (queues may have been set up since):
 * the next refresh asks again.  The records stay open. */
void vq_session_forget_kernel(struct vq_session *s);
/* Close what is open: memory, devices, Linux's records. */
void vq_session_close(struct vq_session *s);

/* Open the memory source (once): the raw image, the core (by probe), or
 * the live system's (vq_mem_open_live).  The reason is said through
 * s->say on failure; once live memory has failed for ring indices
 * (s->mem_failed) it fails at once, quietly.  0, -VQ_EBADARG when the
 * source's argument is wrong (access.h), or -EIO. */
int vq_session_need_mem(struct vq_session *s);

/*
 * The running Linux's records of live packed queue @q of @d, read now:
 * its driver's next used position (*@last_used: Linux's last_used_idx,
 * slot | wrap counter << 15) and its per-Buffer-ID records (*@rec, one
 * allocation: free() it).  For the packed decoder (decode/packed.h), which
 * names the pending requests from them after an out-of-order completion;
 * the caller reads them again after the ring to see that they held still.
 * 0, or -errno with @err saying why (-ENOENT: no such record, not packed,
 * or this kernel's BTF lacks them).  Quiet: the caller says what it could
 * not tell.
 */
struct vq_packed_drvrec;
int vq_session_packed_driver(struct vq_session *s, const struct vq_dev *d,
			     const struct vq_queue_state *q, uint16_t *last_used,
			     struct vq_packed_drvrec **rec, char *err, size_t errlen);

/*
 * Live packed queue @q of @d decoded into @v (layout and inputs set by
 * the caller) between two reads of Linux's records of it
 * (vq_session_packed_driver), with them when both reads agree, up to
 * three tries; else from the ring alone.  *@state gets "read", "moved"
 * (they changed every time) or "unreadable" (@why says why).  Returns
 * vq_packed_decode's result; @v keeps no pointer to the records.
 */
struct vq_packed_view;
int vq_session_packed_decode(struct vq_session *s, const struct vq_dev *d,
			     const struct vq_queue_state *q, struct vq_packed_view *v,
			     unsigned recent, const char **state, char *why, size_t whylen);

/* One line through s->say (nothing when it is NULL). */
void vq_session_say(const struct vq_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The one virtio-mmio device at @base.  Returns 0, 1 when the window is a
 * transport with device ID 0 (no device), or -errno with @err set. */
int vq_session_open_mmio(struct vq_session *s, uint64_t base, char *err, size_t errlen);
/*
 * The devices of the source, once, from the registered transports
 * (vq_transports[]) whose scope fits it: the live system's (a transport
 * that fails while another works is said as a warning), or those an image
 * (--core) records.  Returns 0, -ENOENT when the image holds no device
 * records (a raw image never does), or another -errno with @err naming
 * the reason (every live transport's, when none works).
 */
int vq_session_find_devices(struct vq_session *s, char *err, size_t errlen);

/* 1 when device @d answers to @sel: its name ("0000:00:04.0", or
 * "00:04.0" for PCI), its virtio bus name ("virtio3"), or "mmio:ADDR". */
int vq_dev_matches(const struct vq_dev *d, const char *sel);
/*
 * The index in s->devs of the device @sel names (a plain decimal index as
 * 'list' prints it, or what vq_dev_matches takes); with @sel NULL the only
 * device.  Returns 0, -ENODEV (@sel NULL: no devices), -ENOTUNIQ (@sel
 * NULL: several), -ERANGE (an index past the end; *@index is it) or
 * -ENOENT (no device matches).
 */
int vq_session_select(const struct vq_session *s, const char *sel, size_t *index);

/*
 * Read @d's state again through its transport, then where its rings are
 * (Linux's records when the transport cannot say) and its ring indices
 * from memory, opened on first use.  Returns 0, or the transport's -errno
 * with d->err saying why; unreadable rings are said through s->say.
 */
int vq_session_refresh(struct vq_session *s, struct vq_dev *d);

#endif
