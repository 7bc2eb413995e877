/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Both sides of a queue: the device's own account (QEMU's, over QMP) beside the indices in guest RAM. */
#include <linux/virtio_ring.h>
#include <stdio.h>

#include "diag.h"

/* What the ring shows of the driver taking completions (the third
 * question), into @buf.  The driver's last_used_idx is in no ring: with
 * EVENT_IDX its used_event says where it last asked to be woken (it writes
 * its last_used_idx there when it re-enables callbacks), without it only
 * whether it wants interrupts at all. */
static void driver_side(const struct vq_diag_queue_in *in, const struct vq_diag_sample *s,
			const struct vq_queue_state *q, char *buf, size_t len)
{
	uint16_t unsignalled = (uint16_t)(q->dv_used_idx - q->dv_signalled_used);

	if (in->event_idx == 1 && s->full)
		snprintf(buf, len,
			 "it asked to be woken after used idx %u (used_event, %u past it), device signalled at %u (%u since)",
			 s->used_event, (uint16_t)(s->used_idx - s->used_event),
			 q->dv_signalled_used, unsignalled);
	else if (s->full)
		snprintf(buf, len,
			 "it %s interrupts (avail flags 0x%x), device signalled at %u (%u since)",
			 s->avail_flags & VRING_AVAIL_F_NO_INTERRUPT ? "suppresses" : "wants",
			 s->avail_flags, q->dv_signalled_used, unsignalled);
	else
		snprintf(buf, len, "device signalled at %u (%u since)",
			 q->dv_signalled_used, unsignalled);
}

/* DEVICE_VIEW: the three questions answered with both sides' numbers. */
static void device_view(const struct vq_diag_queue_in *in, const struct vq_diag_sample *s,
			const struct vq_queue_state *q, struct vq_diag_report *r)
{
	uint16_t untaken = (uint16_t)(s->avail_idx - q->dv_last_avail_idx);
	struct vq_diag_finding *f;
	char drv[160];

	driver_side(in, s, q, drv, sizeof(drv));
	f = vq_diag_add(r, in->queue, "DEVICE_VIEW", VQ_SEV_INFO,
			"device took %u of %u made available (%u not); completed %u (used idx in RAM %u), %u taken not completed; driver: %s; its last_used_idx is not visible from the host",
			q->dv_last_avail_idx, s->avail_idx, untaken, q->dv_used_idx, s->used_idx,
			q->dv_inuse, drv);
	vq_diag_ev(f, "avail_idx", s->avail_idx, 0);
	vq_diag_ev(f, "used_idx", s->used_idx, 0);
	vq_diag_ev(f, "device_last_avail_idx", q->dv_last_avail_idx, 0);
	vq_diag_ev(f, "device_shadow_avail_idx", q->dv_shadow_avail_idx, 0);
	vq_diag_ev(f, "device_used_idx", q->dv_used_idx, 0);
	vq_diag_ev(f, "device_inuse", q->dv_inuse, 0);
	vq_diag_ev(f, "device_signalled_used", q->dv_signalled_used, 0);
	if (s->full && in->event_idx == 1)
		vq_diag_ev(f, "used_event", s->used_event, 0);
	else if (s->full)
		vq_diag_ev(f, "avail_flags", s->avail_flags, 1);
}

/* DEVICE_HOLDS: the device says it took requests and has not completed
 * them, and guest RAM's used idx stood still over the interval. */
static void device_holds(const struct vq_diag_queue_in *in, const struct vq_queue_state *q,
			 struct vq_diag_report *r)
{
	struct vq_diag_finding *f;

	if (!q->dv_inuse || !in->s2.valid || in->s1.used_idx != in->s2.used_idx ||
	    !vq_diag_requests(in->v) || vq_diag_held_by_design(in->device_id, in->queue))
		return;
	f = vq_diag_add(r, in->queue, "DEVICE_HOLDS", VQ_SEV_WARNING,
			"the device took %u request%s (its last_avail_idx %u, used idx %u) and guest RAM's used idx stood at %u for %u ms: the device has them and has not completed them (its backend has not finished the I/O)",
			q->dv_inuse, q->dv_inuse == 1 ? "" : "s", q->dv_last_avail_idx,
			q->dv_used_idx, in->s2.used_idx, in->interval_ms);
	vq_diag_ev(f, "device_inuse", q->dv_inuse, 0);
	vq_diag_ev(f, "device_last_avail_idx", q->dv_last_avail_idx, 0);
	vq_diag_ev(f, "device_used_idx", q->dv_used_idx, 0);
	vq_diag_ev(f, "used_idx", in->s2.used_idx, 0);
	vq_diag_ev(f, "interval_ms", in->interval_ms, 0);
}

/*
 * DRIVER_VIEW: what the driver's own record (Linux's vring_virtqueue in
 * the image) says beside the ring: completions the device wrote that the
 * driver has not taken (used idx in RAM past its last_used_idx), requests
 * the device has not completed (avail idx past used idx).  QUEUE_BROKEN
 * when Linux gave up on the queue (virtio_break_device, a failed kick).
 */
static void driver_view(const struct vq_diag_queue_in *in, const struct vq_diag_sample *s,
			const struct vq_queue_state *q, struct vq_diag_report *r)
{
	uint16_t unseen = (uint16_t)(s->used_idx - q->drv_last_used_idx);
	uint16_t pending = (uint16_t)(s->avail_idx - s->used_idx);
	struct vq_diag_finding *f;

	/* An idle queue's record says nothing worth a line. */
	if (!unseen && !pending && !q->drv_broken)
		return;
	f = vq_diag_add(r, in->queue, "DRIVER_VIEW", VQ_SEV_INFO,
			"driver (its vring_virtqueue in kernel memory): made %u available (avail_idx_shadow), took completions up to %u (last_used_idx): the device completed %u request%s the driver has not looked at, and has not completed %u (avail idx %u, used idx %u in RAM); %u descriptor%s free; callbacks %s, event index %s",
			q->drv_avail_idx, q->drv_last_used_idx, unseen, unseen == 1 ? "" : "s", pending,
			s->avail_idx, s->used_idx, q->drv_num_free, q->drv_num_free == 1 ? "" : "s",
			q->drv_callbacks ? "on" : "off", q->drv_event_idx ? "in use" : "not used");
	vq_diag_ev(f, "avail_idx", s->avail_idx, 0);
	vq_diag_ev(f, "used_idx", s->used_idx, 0);
	vq_diag_ev(f, "driver_avail_idx_shadow", q->drv_avail_idx, 0);
	vq_diag_ev(f, "driver_last_used_idx", q->drv_last_used_idx, 0);
	vq_diag_ev(f, "driver_num_free", q->drv_num_free, 0);
	vq_diag_ev(f, "completed_not_seen", unseen, 0);
	vq_diag_ev(f, "not_completed", pending, 0);
	if (!q->drv_broken)
		return;
	f = vq_diag_add(r, in->queue, "QUEUE_BROKEN", VQ_SEV_ERROR,
			"Linux marked the queue broken (its vring_virtqueue's broken flag): the driver neither adds requests nor takes completions any more");
	vq_diag_ev(f, "driver_broken", 1, 0);
}

void vq_diag_sides(const struct vq_diag_queue_in *in, struct vq_diag_report *r)
{
	const struct vq_diag_sample *s = &in->s1;
	struct vq_diag_finding *f;

	if (!s->valid)
		return;
	/* The driver's side: an image's kernel records (live, the queue moves
	 * between reading them and the ring). */
	if (in->image && in->drv && in->drv->drv_valid && !in->p)
		driver_view(in, s, in->drv, r);
	if (in->dv && in->dv->dv_valid) {
		device_view(in, s, in->dv, r);
		device_holds(in, in->dv, r);
		return;
	}
	if (!in->dv_expected)
		return;
	f = vq_diag_add(r, in->queue, "BACKEND_VIEW", VQ_SEV_INFO,
			"a vhost backend runs this queue: QEMU gives no last_avail_idx for it (its used idx and inuse are not the backend's; the vhost queue status has addresses only), so whether the device took or completed requests is the backend's to say; guest RAM: avail idx %u, used idx %u",
			s->avail_idx, s->used_idx);
	vq_diag_ev(f, "avail_idx", s->avail_idx, 0);
	vq_diag_ev(f, "used_idx", s->used_idx, 0);
}
