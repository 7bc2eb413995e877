/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Split virtqueue decoder (virtio 1.3 section 2.7): layout, indices, chains, used entries. */
#ifndef VQDUMP_DECODE_RING_H
#define VQDUMP_DECODE_RING_H

#include <stddef.h>
#include <stdint.h>

#include "fetch.h"
#include "payload.h"

/* virtio 1.3 section 2.7: Queue Size of a split ring is a power of 2, at
 * most 32768. */
#define VQ_RING_MAX_SIZE 32768u

/* Bytes of each part of a split ring of @n entries (2.7, "Virtqueue
 * Part Sizes"): the avail and used sizes include the event-index word. */
#define VQ_DESC_BYTES(n) (16ull * (n))
#define VQ_AVAIL_BYTES(n) (6ull + 2ull * (n))
#define VQ_USED_BYTES(n) (6ull + 8ull * (n))

/* Used-ring alignments seen in practice: the legacy interface's 4096
 * (2.7.2 "Legacy Interfaces: A Note on Virtqueue Layout") and the 64 bytes
 * (SMP_CACHE_BYTES) Linux uses for modern devices. */
#define VQ_ALIGN_LEGACY 4096u
#define VQ_ALIGN_LINUX 64u

struct vq_ring_layout {
	uint64_t desc;  /* descriptor table */
	uint64_t avail; /* available (driver) ring */
	uint64_t used;  /* used (device) ring */
	uint32_t size;  /* Queue Size: entries in each */
	uint32_t align; /* used-ring alignment it was derived with; 0 if given */
};

/* Indices and flags of both rings. */
struct vq_ring_hdr {
	uint16_t avail_flags; /* VRING_AVAIL_F_* */
	uint16_t avail_idx;   /* next slot the driver will fill */
	uint16_t used_event;  /* driver's event index (EVENT_IDX), after avail ring */
	uint16_t used_flags;  /* VRING_USED_F_* */
	uint16_t used_idx;    /* next slot the device will fill */
	uint16_t avail_event; /* device's event index (EVENT_IDX), after used ring */
	uint16_t in_flight;   /* (avail_idx - used_idx) mod 2^16 */
};

/* One descriptor as met while walking a chain. */
struct vq_chain_desc {
	uint32_t index;      /* index within its table */
	uint64_t addr;       /* buffer guest-physical address */
	uint32_t len;        /* buffer length */
	uint16_t flags;      /* VRING_DESC_F_* */
	uint16_t next;       /* next field as stored */
	uint8_t in_indirect; /* 1 when it sits in an indirect table */
	uint16_t id;         /* packed rings: the Buffer ID field as stored */
};

struct vq_chain {
	uint16_t slot;               /* avail ring slot that named it */
	uint16_t head;               /* head descriptor index */
	struct vq_chain_desc *descs; /* descriptors in chain order (in the pool) */
	unsigned ndesc;              /* entries in @descs */
	uint64_t out_bytes;          /* device-readable bytes */
	uint64_t in_bytes;           /* device-writable bytes */
	int broken;                  /* a finding stopped the walk */
	struct vq_request req;       /* decoded payload header, if any */
	uint32_t ind_index;          /* the INDIRECT descriptor's index in the ring's
				      * table (valid when @ind_len) */
	uint64_t ind_addr;           /* its indirect table's address */
	uint32_t ind_len;            /* its table's length in bytes; 0: the chain
				      * has no indirect table */
	uint16_t id;                 /* packed rings: the chain's Buffer ID (its
				      * last ring descriptor's, 2.8.6) */
	uint8_t from_driver;         /* packed rings: taken from the driver's
				      * records, not the ring (slot and head
				      * then unknown, 0xffff) */
};

struct vq_used_elem {
	uint16_t slot;         /* used ring slot */
	uint32_t id;           /* head of the completed chain */
	uint32_t len;          /* bytes the device wrote */
	struct vq_request req; /* payload of the chain at @id as memory holds it now */
};

enum vq_severity { VQ_SEV_INFO, VQ_SEV_WARNING, VQ_SEV_ERROR };

struct vq_finding {
	const char *code;        /* stable identifier, e.g. "CHAIN_LOOP" */
	enum vq_severity severity;
	char message[200];       /* one line, with the evidence */
};

/*
 * Everything decoded from one ring.  The caller provides the arrays (the
 * decoder allocates nothing); vq_ring_view_sizes() says how large.
 */
struct vq_ring_view {
	struct vq_ring_layout layout;    /* where the ring is */
	struct vq_ring_hdr hdr;          /* its indices */
	uint32_t device_id;              /* payload decoding; 0 = guess */
	struct vq_chain *chains;         /* pending chains, oldest first */
	unsigned nchains, max_chains;
	struct vq_used_elem *used;       /* recent used entries, newest first */
	unsigned nused, max_used;
	struct vq_chain_desc *pool;      /* storage for every chain's descriptors */
	unsigned pool_used, pool_len;
	struct vq_finding *findings;
	unsigned nfindings, max_findings;
};

const char *vq_severity_name(enum vq_severity s);

/* NULL when @n is a valid split Queue Size, else why not. */
const char *vq_ring_size_problem(uint32_t n);

/* The contiguous legacy-style layout: avail right after the table, used at
 * the next multiple of @align (a power of two) after the avail ring. */
void vq_ring_layout_contig(uint64_t desc, uint32_t n, uint32_t align,
			   struct vq_ring_layout *out);

/* Read the indices and flags.  Returns 0 or the fetch error. */
int vq_ring_read_hdr(const struct vq_fetch *f, const struct vq_ring_layout *l,
		     struct vq_ring_hdr *h);

/* The two ring indices alone (the idx word of the available ring and of
 * the used ring), as a sampler reads them.  Returns 0 or the fetch error
 * (then *@avail_idx and *@used_idx are left as they were). */
int vq_ring_read_indices(const struct vq_fetch *f, uint64_t avail, uint64_t used,
			 uint16_t *avail_idx, uint16_t *used_idx);

/* Array sizes for a ring of @n entries with @recent used entries shown:
 * chains (n), pool (bounded, linear in n), findings.  Any @n is safe: sizes
 * above VQ_RING_MAX_SIZE get the maximum's arrays (the decoder refuses them). */
void vq_ring_view_sizes(uint32_t n, unsigned recent, unsigned *chains, unsigned *pool,
			unsigned *findings);

/*
 * Decode the ring at v->layout: indices, every pending chain (the
 * in_flight most recently made available), the @recent newest used
 * entries, and findings for anything the spec forbids.  The work is linear
 * in the ring size whatever the memory holds.  Returns 0, or the fetch
 * error when the ring's own indices cannot be read; unreadable chain
 * memory becomes a finding.
 */
int vq_ring_decode(const struct vq_fetch *f, struct vq_ring_view *v, unsigned recent);

/* Append a finding (dropped silently once the array is full, except that
 * the last slot then says so). */
void vq_ring_finding(struct vq_ring_view *v, const char *code, enum vq_severity sev,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
