/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Live devices: list, status, features, config, regs; device selection with -d. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_pci.h>

#include "../decode/config.h"
#include "../decode/names.h"
#include "../model/json.h"
#include "../model/names.h"
#include "../model/view.h"
#include "cli.h"

/* Text output fits this many columns (the queue table does while ring
 * addresses are below 2^40). */
#define TEXT_COLS 100

const struct vq_opt vq_no_options[] = {
	{ NULL, 0, 0, 0, NULL, NULL },
};

int vq_ctx_device_range(struct vq_ctx *ctx, int all, size_t *first, size_t *last)
{
	int ret = vq_ctx_open_devices(ctx);

	if (ret)
		return ret;
	*first = 0;
	*last = ctx->sess.devs.n;
	if (ctx->device && !all) {
		struct vq_dev *d = vq_ctx_device(ctx, &ret);

		if (!d)
			return ret;
		*first = (size_t)(d - ctx->sess.devs.devs);
		*last = *first + 1;
	}
	return 0;
}

/* --mmio ADDR: the one live device there.  0, or the exit status after
 * printing the error. */
static int open_mmio(struct vq_ctx *ctx)
{
	char err[512] = "";
	uint64_t base;
	int ret;

	if (vq_parse_u64(ctx->mmio, &base))
		return vq_usage_err(NULL, "--mmio takes an address, not '%s'", ctx->mmio);
	ret = vq_session_open_mmio(&ctx->sess, base, err, sizeof(err));
	if (ret < 0) {
		vq_err("%s", err);
		return EXIT_ACCESS;
	}
	if (ret == 1) {
		vq_err("virtio-mmio transport at 0x%llx has device ID 0: no device behind it",
		       (unsigned long long)base);
		return EXIT_ACCESS;
	}
	return 0;
}

int vq_ctx_open_devices(struct vq_ctx *ctx)
{
	char err[512] = "";
	int ret;

	if (ctx->sess.devs_open)
		return 0;
	if (ctx->mmio && ctx->core)
		return vq_usage_err(NULL, "--mmio picks a live device; a snapshot (--core) has its own list: use -d mmio:ADDR");
	if (ctx->mmio && vq_session_is_live(&ctx->sess))
		return open_mmio(ctx);
	ret = vq_session_find_devices(&ctx->sess, err, sizeof(err));
	if (ret == -ENOENT && ctx->core) {
		/* What is missing, and what still works. */
		vq_err("%s; device commands need live device registers (a 'vqdump snapshot' file holds them) or a dumped Linux's records; 'ring --at' and 'scan' still read it",
		       err);
		return EXIT_USAGE;
	}
	if (ret == -ENOENT) {
		vq_err("this command reads live device registers, which a memory image does not hold; run it on the live system, or use 'ring --at' and 'scan' on the image");
		return EXIT_USAGE;
	}
	if (ret < 0) {
		vq_err("%s", err);
		return EXIT_ACCESS;
	}
	return 0;
}

struct vq_dev *vq_ctx_device(struct vq_ctx *ctx, int *exit_code)
{
	size_t i = 0;
	int ret;

	*exit_code = vq_ctx_open_devices(ctx);
	if (*exit_code)
		return NULL;
	ret = vq_session_select(&ctx->sess, ctx->device, &i);
	switch (ret) {
	case 0:
		return &ctx->sess.devs.devs[i];
	case -ENODEV:
		vq_err("no virtio devices found");
		*exit_code = EXIT_ACCESS;
		return NULL;
	case -ENOTUNIQ:
		*exit_code = vq_usage_err(NULL, "%zu virtio devices found: choose one with -d (see 'vqdump list')",
					  ctx->sess.devs.n);
		return NULL;
	case -ERANGE:
		vq_err("no device %llu: 'vqdump list' shows %zu", (unsigned long long)i,
		       ctx->sess.devs.n);
		break;
	default:
		vq_err("no virtio device '%s' (see 'vqdump list')", ctx->device);
		break;
	}
	*exit_code = EXIT_ACCESS;
	return NULL;
}

int vq_dev_refresh(struct vq_ctx *ctx, struct vq_dev *d)
{
	if (vq_session_refresh(&ctx->sess, d) < 0) {
		vq_err("%s", d->err);
		return EXIT_ACCESS;
	}
	return 0;
}

static const char *type_name(uint32_t id, char *buf, size_t len)
{
	const char *n = vq_device_short_name(id);

	if (n)
		return n;
	snprintf(buf, len, "id_%u", id);
	return buf;
}

static const char *status_bit_name(unsigned bit, char *buf, size_t len)
{
	const char *n = vq_status_bit_name(bit);

	if (n)
		return n;
	snprintf(buf, len, "bit_%u", bit);
	return buf;
}

static void status_text(uint8_t st, char *buf, size_t len)
{
	size_t off = 0;
	unsigned b;
	char nb[16];

	buf[0] = 0;
	for (b = 0; b < 8 && off < len; b++)
		if (st & (1u << b))
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? " " : "",
						status_bit_name(b, nb, sizeof(nb)));
	if (!st)
		snprintf(buf, len, "reset (0)");
}

static struct json_object *dev_config_json(const struct vq_dev *d)
{
	struct vq_cfg_field f[64];
	struct json_object *o = json_object_new_object();
	size_t n, i;

	n = vq_config_decode_dev(d, f, 64);
	for (i = 0; i < n; i++)
		json_object_object_add(o, f[i].name,
				       f[i].kind == VQ_CFG_STR ? json_object_new_string(f[i].str)
							       : json_object_new_uint64(f[i].value));
	return o;
}

/* What the device's JSON form names through the decoders. */
static const struct vq_json_namer json_names = {
	.device_type = type_name,
	.status_bit = status_bit_name,
	.feature = vq_feature_name_buf,
	.config = dev_config_json,
};

static void header_text(const struct vq_dev *d)
{
	char tbuf[16];
	const char *longname = vq_device_long_name(d->device_id);

	printf("%s  %s", d->name, vq_transport_kind_name(d->kind));
	if (d->kind == VQ_T_MMIO)
		printf(" v%d", d->mmio_version);
	printf("  %s (%s)", type_name(d->device_id, tbuf, sizeof(tbuf)), longname ? longname : "unknown type");
	if (d->virtio_name[0])
		printf("  %s", d->virtio_name);
	/* QEMU does not know which guest driver took the device. */
	if (d->access == VQ_ACCESS_QMP)
		printf("  driver not known (QMP)\n");
	else
		printf("  driver %s%s%s\n", d->driver[0] ? d->driver : "none",
		       d->virtio_driver[0] ? "/" : "", d->virtio_driver);
}

/* Feature names, those of @set (and, with @not, not of @not), after
 * @label, wrapped before TEXT_COLS. */
static void feature_names_line(const struct vq_dev *d, const char *label, const uint32_t *set,
			       const uint32_t *not)
{
	unsigned b;
	char buf[24];
	int col;

	printf("    %s:", label);
	col = 5 + (int)strlen(label);
	for (b = 0; b < 128; b++) {
		const char *n;

		if (!vq_feature_has(set, b) || (not && vq_feature_has(not, b)))
			continue;
		n = vq_feature_name_buf(d->device_id, b, buf, sizeof(buf));
		if (col + 1 + (int)strlen(n) > TEXT_COLS) {
			printf("\n     ");
			col = 5;
		}
		col += printf(" %s", n);
	}
	printf("\n");
}

/* Some bit of @a is not in @b. */
static int any_beyond(const uint32_t *a, const uint32_t *b)
{
	unsigned i;

	for (i = 0; i < 4; i++)
		if (a[i] & ~b[i])
			return 1;
	return 0;
}

static unsigned feature_count(const uint32_t *set)
{
	unsigned b, n = 0;

	for (b = 0; b < 128; b++)
		n += vq_feature_has(set, b) != 0;
	return n;
}

/* status without -v: the features as counts and wrapped lists of names:
 * those accepted, those offered and not taken, those taken unoffered. */
static void features_compact(const struct vq_dev *d)
{
	int dev = d->device_features_src != VQ_SRC_NONE, drv = d->driver_features_src != VQ_SRC_NONE;
	char a[16], b[16];

	snprintf(a, sizeof(a), "%u", feature_count(d->device_features));
	snprintf(b, sizeof(b), "%u", feature_count(d->driver_features));
	printf("  features: %s offered, %s accepted%s\n", dev ? a : "-", drv ? b : "-",
	       d->driver_features_src == VQ_SRC_SYSFS ? " (as Linux reports in sysfs)" : "");
	if (drv)
		feature_names_line(d, "accepted", d->driver_features, NULL);
	else if (dev)
		feature_names_line(d, "offered", d->device_features, NULL);
	if (!drv)
		printf("    accepted: - (cannot be read back on this transport; no driver reports them)\n");
	if (dev && drv && any_beyond(d->device_features, d->driver_features))
		feature_names_line(d, "offered, not accepted", d->device_features, d->driver_features);
	if (dev && drv && any_beyond(d->driver_features, d->device_features))
		feature_names_line(d, "accepted, not offered", d->driver_features, d->device_features);
}

static void features_text(const struct vq_dev *d)
{
	unsigned b;
	char buf[24];
	int any_extra = 0;

	printf("  features (device offers / driver accepted%s):\n",
	       d->driver_features_src == VQ_SRC_SYSFS ? ", as Linux reports in sysfs" :
	       d->driver_features_src == VQ_SRC_QMP ?
		       ", as QEMU reports them: x-query-virtio-status host-features / guest-features" : "");
	if (d->device_features_src == VQ_SRC_NONE)
		printf("    device features unreadable\n");
	for (b = 0; b < 128; b++) {
		int off = vq_feature_has(d->device_features, b);
		int acc = vq_feature_has(d->driver_features, b);

		if (!off && !acc)
			continue;
		printf("    %-36s %-7s %s\n", vq_feature_name_buf(d->device_id, b, buf, sizeof(buf)),
		       d->device_features_src == VQ_SRC_NONE ? "unknown" : off ? "offered" : "-",
		       d->driver_features_src == VQ_SRC_NONE ? "unknown" : acc ? "accepted" : "-");
		if (acc && !off && d->device_features_src != VQ_SRC_NONE)
			any_extra = 1;
	}
	if (d->driver_features_src == VQ_SRC_NONE)
		printf("    driver features cannot be read back on this transport (write-only register) and no driver reports them\n");
	if (any_extra) {
		printf("  driver accepted features the device does not offer:");
		for (b = 0; b < 128; b++)
			if (vq_feature_has(d->driver_features, b) && !vq_feature_has(d->device_features, b))
				printf(" %s", vq_feature_name_buf(d->device_id, b, buf, sizeof(buf)));
		printf("\n");
	}
}

/* @v in decimal (@hex 0: "%llu") or hex ("0x%llx"), or "-" when 0: what
 * JSON prints as null. */
static const char *or_dash(char *buf, size_t len, int hex, unsigned long long v)
{
	if (!v)
		return "-";
	if (hex)
		snprintf(buf, len, "0x%llx", v);
	else
		snprintf(buf, len, "%llu", v);
	return buf;
}

/* What the queue table shows: columns present on some queue only. */
struct queue_cols {
	int max;    /* some queue has a QueueNumMax (virtio-mmio) */
	int addrs;  /* some queue has ring addresses */
	int idx;    /* some queue has readable indices */
	int width;  /* width of the address columns */
	int assumed, kernel; /* some size assumed / addresses from Linux's records */
};

static void queue_cols(const struct vq_dev *d, struct queue_cols *c)
{
	char b[24];
	unsigned i;

	memset(c, 0, sizeof(*c));
	c->width = (int)strlen("AVAIL_ADDR");
	for (i = 0; i < d->num_queues; i++) {
		const struct vq_queue_state *q = &d->queues[i];
		const uint64_t a[3] = { q->desc, q->avail, q->used };

		c->max |= q->max_size != 0;
		c->addrs |= q->desc || q->avail || q->used;
		c->idx |= q->idx_valid;
		c->assumed |= q->size_src == VQ_SRC_ASSUMED;
		c->kernel |= (q->desc || q->avail || q->used) && q->addr_src == VQ_SRC_KERNEL;
		for (int k = 0; k < 3; k++) {
			int n = snprintf(b, sizeof(b), "0x%llx", (unsigned long long)a[k]);

			if (n > c->width)
				c->width = n;
		}
	}
}

/* Linux's view of queue @q under its row; its flags go to a second line
 * rather than past TEXT_COLS. */
static void driver_line(const struct vq_queue_state *q, int packed)
{
	char line[128], flags[48];
	int n, k;

	if (packed)
		n = snprintf(line, sizeof(line),
			     "      driver%s%s: next_used %u/w%u next_avail %u/w%u num_free %u",
			     q->name[0] ? " " : "", q->name, q->drv_last_used_idx & 0x7fff,
			     q->drv_last_used_idx >> 15, q->drv_avail_idx & 0x7fff,
			     q->drv_avail_idx >> 15, q->drv_num_free);
	else
		n = snprintf(line, sizeof(line),
			     "      driver%s%s: last_used_idx %u num_free %u avail_idx_shadow %u",
			     q->name[0] ? " " : "", q->name, q->drv_last_used_idx, q->drv_num_free,
			     q->drv_avail_idx);
	k = snprintf(flags, sizeof(flags), " callbacks %s event_idx %s%s", q->drv_callbacks ? "on" : "off",
		     q->drv_event_idx ? "yes" : "no", q->drv_broken ? " BROKEN" : "");
	printf("%s%s%s\n", line, n + k > TEXT_COLS ? "\n       " : "", flags);
}

/* The device side's view of a queue (QEMU's, over QMP), under its row. */
static void device_line(const struct vq_queue_state *q)
{
	printf("      device (%s): last_avail %u shadow_avail %u used %u signalled %u inuse %u\n",
	       vq_source_name(q->dv_src), q->dv_last_avail_idx, q->dv_shadow_avail_idx,
	       q->dv_used_idx, q->dv_signalled_used, q->dv_inuse);
}

/* One row of the queue table; an unknown value is "-". */
static void queue_row(const struct queue_cols *c, const struct vq_queue_state *q, int packed)
{
	char b[5][24];

	printf("    q%-3u %5s%s", q->index, or_dash(b[0], sizeof(b[0]), 0, q->size),
	       q->size_src == VQ_SRC_ASSUMED ? "*" : " ");
	if (c->max)
		printf(" %5s", or_dash(b[1], sizeof(b[1]), 0, q->max_size));
	printf(" %-8s", q->enabled ? "enabled" : "disabled");
	if (c->addrs)
		printf(" %-*s %-*s %-*s", c->width, or_dash(b[2], sizeof(b[2]), 1, q->desc),
		       c->width, or_dash(b[3], sizeof(b[3]), 1, q->avail), c->width,
		       or_dash(b[4], sizeof(b[4]), 1, q->used));
	if (c->idx && q->idx_valid)
		printf(" %9u %8u %9u", q->avail_idx, q->used_idx, (uint16_t)(q->avail_idx - q->used_idx));
	else if (c->idx)
		printf(" %9s %8s %9s", "-", "-", "-");
	printf("\n");
	if (q->drv_valid)
		driver_line(q, packed);
	if (q->dv_valid)
		device_line(q);
}

/* The queues as a table with a header, columns aligned; notes under it. */
static void queues_text(const struct vq_dev *d)
{
	struct queue_cols c;
	unsigned i;

	if (vq_dev_queues_unknown(d)) {
		printf("  queues: not readable: the registers were refused and Linux's records were not found (see the warning above)\n");
		return;
	}
	printf("  queues: %u%s\n", d->num_queues,
	       d->access == VQ_ACCESS_SYSFS ? " (as Linux's records have them)" : "");
	if (!d->num_queues)
		return;
	queue_cols(d, &c);
	printf("    %-4s %5s ", "Q", "SIZE");
	if (c.max)
		printf(" %5s", "MAX");
	printf(" %-8s", "STATE");
	if (c.addrs)
		printf(" %-*s %-*s %-*s", c.width, "DESC_ADDR", c.width, "AVAIL_ADDR", c.width,
		       "USED_ADDR");
	if (c.idx)
		printf(" %9s %8s %9s", "AVAIL_IDX", "USED_IDX", "IN_FLIGHT");
	printf("\n");
	for (i = 0; i < d->num_queues; i++)
		queue_row(&c, &d->queues[i], vq_dev_packed(d));
	if (c.assumed)
		printf("    * size assumed: QueueNumMax\n");
	if (c.kernel)
		printf("    ring addresses from Linux's records\n");
}

static void config_text(const struct vq_dev *d)
{
	struct vq_cfg_field f[64];
	size_t n, i;

	if (d->access == VQ_ACCESS_QMP) {
		printf("  config: not read (QMP gives no device configuration)\n");
		return;
	}
	if (d->access == VQ_ACCESS_KERNEL) {
		printf("  config: not read (a dump holds no device registers)\n");
		return;
	}
	n = vq_config_decode_dev(d, f, 64);
	printf("  config (%u bytes%s):%s\n", d->config_len,
	       d->config_consistent    ? (d->config_generation < 0 ? ", read twice alike" : ", generation stable")
				       : ", changed while read: may be torn",
	       n ? "" : " nothing vqdump decodes for this type");
	for (i = 0; i < n; i++) {
		if (f[i].kind == VQ_CFG_STR)
			printf("    %-28s %s", f[i].name, f[i].str);
		else
			printf("    %-28s %llu", f[i].name, (unsigned long long)f[i].value);
		printf("%s%s%s\n", f[i].note ? " (" : "", f[i].note ? f[i].note : "", f[i].note ? ")" : "");
	}
}

static void regs_text(const struct vq_dev *d)
{
	static const char *const cap_names[] = {
		[VIRTIO_PCI_CAP_COMMON_CFG] = "common",  [VIRTIO_PCI_CAP_NOTIFY_CFG] = "notify",
		[VIRTIO_PCI_CAP_ISR_CFG] = "isr",        [VIRTIO_PCI_CAP_DEVICE_CFG] = "device",
		[VIRTIO_PCI_CAP_PCI_CFG] = "pci-cfg",    [VIRTIO_PCI_CAP_SHARED_MEMORY_CFG] = "shared-memory",
	};
	unsigned i, j;

	char b[5][24];

	/* (status: on the line above, decoded) */
	printf("  device_features ");
	if (d->device_features_src == VQ_SRC_NONE)
		printf("-");
	else
		printf("%08x %08x %08x %08x", d->device_features[3], d->device_features[2],
		       d->device_features[1], d->device_features[0]);
	printf("\n  driver_features ");
	if (d->driver_features_src == VQ_SRC_NONE)
		printf("-\n");
	else
		printf("%08x %08x %08x %08x\n", d->driver_features[3], d->driver_features[2],
		       d->driver_features[1], d->driver_features[0]);
	if (d->kind == VQ_T_MMIO)
		printf("  mmio base 0x%llx version %d vendor 0x%08x\n", (unsigned long long)d->mmio_base,
		       d->mmio_version, d->vendor_id);
	if (d->kind == VQ_T_PCI)
		printf("  msix_config %u\n", d->msix_config);
	for (i = 0; i < d->ncaps; i++) {
		const struct vq_pci_cap *c = &d->caps[i];
		const char *n = c->cfg_type < sizeof(cap_names) / sizeof(cap_names[0]) ? cap_names[c->cfg_type] : NULL;

		printf("  cap@0x%02x %-13s bar %u offset 0x%llx length 0x%llx", c->pos, n ? n : "unknown",
		       c->bar, (unsigned long long)c->offset, (unsigned long long)c->length);
		if (c->cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG)
			printf(" notify_off_multiplier %u", c->notify_off_multiplier);
		if (c->cfg_type == VIRTIO_PCI_CAP_SHARED_MEMORY_CFG)
			printf(" id %u", c->id);
		printf("\n");
	}
	for (i = 0; i < d->num_queues; i++) {
		const struct vq_queue_state *q = &d->queues[i];

		printf("  q%-3u size %s", q->index, or_dash(b[0], sizeof(b[0]), 0, q->size));
		if (d->kind == VQ_T_PCI)
			printf(" enable %u msix %u notify_off %u", q->enabled, q->msix_vector,
			       q->notify_off);
		else
			printf(" max %s ready %u", or_dash(b[1], sizeof(b[1]), 0, q->max_size),
			       q->enabled);
		printf(" desc %s avail %s used %s\n", or_dash(b[2], sizeof(b[2]), 1, q->desc),
		       or_dash(b[3], sizeof(b[3]), 1, q->avail),
		       or_dash(b[4], sizeof(b[4]), 1, q->used));
	}
	if (d->config_generation < 0)
		printf("  config_generation -\n");
	else
		printf("  config_generation %d\n", d->config_generation);
	for (i = 0; i < d->config_len; i += 16) {
		printf("  config+%03x:", i);
		for (j = i; j < i + 16 && j < d->config_len; j++)
			printf(" %02x", d->config[j]);
		printf("\n");
	}
}

enum view { VIEW_LIST, VIEW_STATUS, VIEW_FEATURES, VIEW_CONFIG, VIEW_REGS };

/* One line of 'list': index, name, transport, ID, type, status, drivers. */
static void list_line(size_t i, const struct vq_dev *d)
{
	char st[128], tbuf[16];

	status_text(d->status, st, sizeof(st));
	printf("%-3zu %-20s %-10s %-4u %-10s %-42s %s%s%s\n", i, d->name, vq_transport_kind_name(d->kind),
	       d->device_id, type_name(d->device_id, tbuf, sizeof(tbuf)), st,
	       d->driver[0] ? d->driver
			    : d->access == VQ_ACCESS_QMP || d->access == VQ_ACCESS_KERNEL ? "?" : "none",
	       d->virtio_driver[0] ? "/" : "", d->virtio_driver);
}

/* One device in the text of a view other than 'list'. */
static void device_text(const struct vq_dev *d, enum view view, int verbose)
{
	header_text(d);
	if (view == VIEW_STATUS) {
		char v[512];

		printf("  view: %s\n", vq_dev_view(d, v, sizeof(v)));
	}
	if (d->refused[0])
		printf("  registers refused: %s\n", d->refused);
	if (view == VIEW_REGS && d->access == VQ_ACCESS_SYSFS)
		return;
	if (view == VIEW_REGS && d->access == VQ_ACCESS_KERNEL) {
		printf("  registers: none (a dump holds the kernel's records, not the registers: see 'status')\n");
		return;
	}
	if (view == VIEW_REGS && d->access == VQ_ACCESS_QMP) {
		printf("  registers: none read (QMP gives QEMU's account, not the registers: see 'status')\n");
		return;
	}
	if (view == VIEW_STATUS || view == VIEW_REGS) {
		char st[128];

		status_text(d->status, st, sizeof(st));
		printf("  status 0x%02x: %s\n", d->status, st);
	}
	if (view == VIEW_STATUS && !verbose)
		features_compact(d);
	else if (view == VIEW_STATUS || view == VIEW_FEATURES)
		features_text(d);
	if (view == VIEW_STATUS)
		queues_text(d);
	if (view == VIEW_STATUS || view == VIEW_CONFIG)
		config_text(d);
	if (view == VIEW_REGS)
		regs_text(d);
}

/* The devices [@first, @last) read again and shown in @view; an
 * unreadable one is said and makes the status EXIT_ACCESS. */
static int print_view(struct vq_ctx *ctx, size_t first, size_t last, enum view view)
{
	struct json_object *root = NULL, *arr = NULL;
	int ret = 0;
	size_t i;

	if (ctx->json) {
		root = json_object_new_object();
		arr = json_object_new_array();
	} else if (view == VIEW_LIST) {
		printf("%-3s %-20s %-10s %-4s %-10s %-42s %s\n", "#", "NAME", "TRANSPORT", "ID", "TYPE",
		       "STATUS", "DRIVER");
	}
	for (i = first; i < last; i++) {
		struct vq_dev *d = &ctx->sess.devs.devs[i];

		/* list shows status and queue count: both need the registers. */
		if (vq_dev_refresh(ctx, d)) {
			ret = EXIT_ACCESS;
			continue;
		}
		/* Asked for the queues and none could be read. */
		if (view == VIEW_STATUS && vq_dev_queues_unknown(d))
			ret = EXIT_ACCESS;
		if (ctx->json)
			json_object_array_add(arr, vq_dev_to_json(d, view == VIEW_LIST ? VQ_JSON_BRIEF : VQ_JSON_FULL,
								  &json_names));
		else if (view == VIEW_LIST)
			list_line(i, d);
		else {
			device_text(d, view, ctx->verbose);
			if (i + 1 < last)
				printf("\n");
		}
	}
	if (ctx->json) {
		json_object_object_add(root, "devices", arr);
		vq_json_print(root);
	}
	return ret;
}

/*
 * 1 when every device of [@first, @last) is known only through QEMU's
 * monitor, after saying in one line why 'config' cannot show them: QEMU
 * 7.2's x-query-virtio-status (and -queue-status) carry no byte of the
 * device-specific configuration the guest reads.
 */
static int qmp_only(struct vq_ctx *ctx, size_t first, size_t last)
{
	size_t i;

	for (i = first; i < last; i++)
		if (ctx->sess.devs.devs[i].access != VQ_ACCESS_QMP)
			return 0;
	if (first == last)
		return 0;
	vq_err("config of %s: not readable from the host: QEMU's monitor (x-query-virtio-status) gives no guest-visible device configuration; read it inside the guest (vqdump config there)",
	       last - first == 1 ? ctx->sess.devs.devs[first].name : "QEMU's devices");
	return 1;
}

static int run_view(struct vq_ctx *ctx, const char *name, int argc, char **argv, enum view view)
{
	const struct vq_cmd *cmd = vq_find_cmd(name);
	size_t first = 0, last;
	int ret;

	while (vq_cmd_getopt(cmd, argc, argv) != -1)
		; /* none of its own: this only moves optind to the arguments */
	if (optind < argc)
		return vq_usage_err(name, "unexpected argument '%s'", argv[optind]);
	ret = vq_ctx_device_range(ctx, view == VIEW_LIST, &first, &last);
	if (ret)
		return ret;
	if (view == VIEW_CONFIG && qmp_only(ctx, first, last))
		return EXIT_ACCESS;
	return print_view(ctx, first, last, view);
}

int vq_cmd_list(struct vq_ctx *ctx, int argc, char **argv)
{
	return run_view(ctx, "list", argc, argv, VIEW_LIST);
}

int vq_cmd_status(struct vq_ctx *ctx, int argc, char **argv)
{
	return run_view(ctx, "status", argc, argv, VIEW_STATUS);
}

int vq_cmd_features(struct vq_ctx *ctx, int argc, char **argv)
{
	return run_view(ctx, "features", argc, argv, VIEW_FEATURES);
}

int vq_cmd_config(struct vq_ctx *ctx, int argc, char **argv)
{
	return run_view(ctx, "config", argc, argv, VIEW_CONFIG);
}

int vq_cmd_regs(struct vq_ctx *ctx, int argc, char **argv)
{
	return run_view(ctx, "regs", argc, argv, VIEW_REGS);
}
