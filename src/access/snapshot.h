/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vqdump snapshots: an ELF core of saved ring memory plus a note describing the devices; a memory source and a transport. */
#ifndef VQDUMP_ACCESS_SNAPSHOT_H
#define VQDUMP_ACCESS_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "transport.h"

/*
 * A snapshot is an ELF64 ET_CORE file (little-endian) whose PT_LOAD
 * segments hold guest-physical memory at p_paddr (as QEMU's
 * dump-guest-memory does, so the core accessor reads it), and whose one
 * PT_NOTE holds a note with owner "VQDUMP" and type VQ_SNAP_NOTE_TYPE.  The
 * note's descriptor is a JSON document (no trailing NUL):
 *
 *   {"format": "vqdump-snapshot", "version": 2, "time": UNIX_SECONDS,
 *    "host": "...", "interval_ms": N, "vqdump_version": "...",
 *    "devices": [DEVICE...]}
 *
 * with DEVICE the one JSON form of a device (model/json.h,
 * VQ_JSON_RECORD): the names of `status --json`, plus what the views
 * leave out.  Version 1 notes (other key names, see snapnote_v1.c) are
 * still read.  Unknown keys are ignored: later versions may add fields; a
 * higher "version" is refused.
 *
 * The files: snapmem.c (the saved memory), snapnote.c (the note),
 * snapelf.c (the ELF writer), snapshot.c (reading a file; the transport),
 * snapcapture.c (taking one of the live system, snapcapture.h).
 * The memory itself is read back by the ELF core accessor (access.h).
 */
#define VQ_SNAP_NOTE_NAME "VQDUMP"
/* "VQ" and the format's first number; the ELF gABI leaves types to the owner. */
#define VQ_SNAP_NOTE_TYPE 0x56510001u
#define VQ_SNAP_FORMAT "vqdump-snapshot"
#define VQ_SNAP_VERSION 2
/* Largest note descriptor read back (a note names at most VQ_SNAP_DEVS_MAX
 * devices of VQ_QUEUES_MAX queues each, far below this). */
#define VQ_SNAP_NOTE_MAX (64u << 20)
/* Most devices a snapshot may describe. */
#define VQ_SNAP_DEVS_MAX 1024
/* Bytes of each buffer a pending chain points at that a snapshot keeps
 * (every payload header vqdump decodes fits: blk 16, net 12, vsock 44,
 * console 64). */
#define VQ_SNAP_PEEK 64

/* Saved memory: sorted, disjoint, non-adjacent ranges. */
struct vq_snap_range {
	uint64_t addr;  /* guest-physical address of data[0] */
	uint64_t len;   /* bytes */
	uint8_t *data;  /* owned */
};

struct vq_snap_mem {
	struct vq_snap_range *r; /* sorted by addr */
	size_t n, cap;           /* used and allocated entries */
	uint64_t total;          /* sum of the lengths */
};

/*
 * Add @len bytes read at @addr.  Bytes already saved win over the new ones
 * (the snapshot keeps what the decoder first saw); adjacent and
 * overlapping ranges are merged.  Returns 0 or -ENOMEM / -EOVERFLOW.
 */
int vq_snap_mem_add(struct vq_snap_mem *m, uint64_t addr, const void *buf, size_t len);
/* Copy every saved byte of [@addr, @addr+@len) into @buf; returns 1 when
 * all of them were saved, 0 otherwise. */
int vq_snap_mem_overlay(const struct vq_snap_mem *m, uint64_t addr, void *buf, size_t len);
void vq_snap_mem_free(struct vq_snap_mem *m);

/* The document's header. */
struct vq_snap_info {
	int version;            /* format version (1 or 2 when read back) */
	int64_t time;           /* seconds since the epoch when it was taken */
	char host[256];         /* host name of the machine it was taken on */
	uint32_t interval_ms;   /* --interval: time between the two index samples */
	char vqdump_version[32]; /* version of the vqdump that wrote it */
};

/*
 * The note's JSON text (version VQ_SNAP_VERSION) for @devs, as a malloc'd
 * NUL-terminated string; NULL when out of memory.  A device that could not
 * be read carries the reason in read_error.
 */
char *vq_snap_to_json(const struct vq_snap_info *info, const struct vq_dev *devs, size_t n);

/*
 * Write the snapshot: ELF header, one PT_NOTE holding @json, one PT_LOAD
 * per range of @mem.  Written to a temporary file in @path's directory,
 * synced, then renamed to @path; an existing @path is replaced only with
 * @force.  Returns 0 or -errno with @err set; never leaves a partial file.
 */
int vq_snap_write(const char *path, const char *json, const struct vq_snap_mem *mem, int force,
		  char *err, size_t errlen);

/*
 * Find the VQDUMP note in @len bytes of ELF notes (the contents of a
 * PT_NOTE segment; @msb: the ELF file is big-endian).  Returns 1 and
 * sets @desc/@desclen when there is exactly one, 0 when there is none, or
 * -EINVAL with @err set when the notes are malformed or there are two.
 */
int vq_snap_find_note(const uint8_t *notes, size_t len, int msb, const uint8_t **desc,
		      size_t *desclen, char *err, size_t errlen);

/*
 * Parse a note's JSON (@len bytes, not NUL-terminated) and append its
 * devices to @list with the snapshot transport.  Every field is checked
 * (types, ranges, string lengths).  Returns the number of devices added,
 * or -EINVAL with a one-line reason in @err (then @list is unchanged).
 */
int vq_snap_parse(const char *json, size_t len, struct vq_dev_list *list,
		  struct vq_snap_info *info, char *err, size_t errlen);

/*
 * Open the ELF core @path and load the devices of its VQDUMP note into
 * @list.  Returns the number of devices (0 or more), -ENOENT when the file
 * is an ELF core without such a note (not a snapshot; @err says so), or
 * another -errno with @err set.
 */
int vq_snap_open(const char *path, struct vq_dev_list *list, struct vq_snap_info *info,
		 char *err, size_t errlen);

/* Devices from a snapshot: read_state() gives back the saved state (or
 * the saved read_error) and touches no hardware. */
extern const struct vq_transport vq_transport_snapshot;

/*
 * Make @d, filled from a note, a device of the snapshot transport: its
 * state is kept for read_state() and its queues say that their indices
 * come from the snapshot.  Returns 0 or -ENOMEM (then release @d through
 * d->t as usual).
 */
int vq_snap_attach(struct vq_dev *d);

#endif
