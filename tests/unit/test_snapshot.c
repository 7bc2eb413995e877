/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of snapshots: the saved-memory set, the note round trip and its checks, the ELF file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/access.h"
#include "access/ringview.h"
#include "access/snapcapture.h"
#include "access/snapshot.h"
#include "fakemem.h"
#include "model/jsonin.h"
#include "model/names.h"

static void test_mem_merge(void **state)
{
	struct vq_snap_mem m = { 0 };
	uint8_t a[10], b[10], c[30], out[40];
	size_t i;

	(void)state;
	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	memset(c, 'c', sizeof(c));
	assert_int_equal(vq_snap_mem_add(&m, 110, a, 10), 0);
	assert_int_equal(vq_snap_mem_add(&m, 130, b, 10), 0);
	assert_int_equal(m.n, 2);
	/* Not covered: a gap at 120..129. */
	assert_int_equal(vq_snap_mem_overlay(&m, 110, out, 30), 0);
	/* Touching both: one range; what was saved first wins. */
	assert_int_equal(vq_snap_mem_add(&m, 105, c, 30), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.r[0].addr, 105);
	assert_int_equal(m.r[0].len, 35);
	assert_int_equal(m.total, 35);
	assert_int_equal(vq_snap_mem_overlay(&m, 105, out, 35), 1);
	for (i = 0; i < 35; i++)
		assert_int_equal(out[i], i < 5 ? 'c' : i < 15 ? 'a' : i < 25 ? 'c' : 'b');
	/* Adjacent ranges merge too; ones apart stay apart. */
	assert_int_equal(vq_snap_mem_add(&m, 140, a, 1), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(vq_snap_mem_add(&m, 50, a, 5), 0);
	assert_int_equal(vq_snap_mem_add(&m, 1000, a, 5), 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.r[0].addr, 50);
	assert_int_equal(m.r[2].addr, 1000);
	assert_int_equal(vq_snap_mem_add(&m, UINT64_MAX - 2, a, 5), -EOVERFLOW);
	assert_int_equal(vq_snap_mem_overlay(&m, 0, out, 0), 0);
	vq_snap_mem_free(&m);
	assert_int_equal(m.n, 0);
}

/* A device with something in every field the note keeps. */
static void make_dev(struct vq_dev *d, struct vq_queue_state *q, unsigned nq)
{
	unsigned i;

	memset(d, 0, sizeof(*d));
	d->kind = VQ_T_PCI;
	snprintf(d->name, sizeof(d->name), "0000:00:04.0");
	snprintf(d->virtio_name, sizeof(d->virtio_name), "virtio0");
	snprintf(d->driver, sizeof(d->driver), "virtio-pci");
	d->device_id = 2;
	d->vendor_id = 0x1af4;
	d->pci_device = 0x1042;
	d->ncaps = 2;
	d->caps[0] = (struct vq_pci_cap){ 1, 4, 0, 0x84, 0, 0x1000, 0 };
	d->caps[1] = (struct vq_pci_cap){ 2, 4, 0, 0x70, 0x3000, 0x1000, 4 };
	d->status = 0x0f;
	d->device_features[0] = 0x30000e54;
	d->device_features[1] = 0x3;
	d->device_features_src = VQ_SRC_REGISTERS;
	d->driver_features[0] = 0x30000e54;
	d->driver_features[1] = 0x1;
	d->driver_features_src = VQ_SRC_SYSFS;
	d->num_queues = (uint16_t)nq;
	d->queues = q;
	for (i = 0; i < nq; i++) {
		memset(&q[i], 0, sizeof(q[i]));
		q[i].index = (uint16_t)i;
		q[i].size = 256;
		q[i].max_size = 1024;
		q[i].size_src = VQ_SRC_REGISTERS;
		q[i].enabled = 1;
		q[i].desc = 0xfffffffffff00000ull + 0x10000 * i;
		q[i].avail = q[i].desc + 0x1000;
		q[i].used = q[i].desc + 0x1240;
		q[i].addr_src = i ? VQ_SRC_KERNEL : VQ_SRC_REGISTERS;
		q[i].msix_vector = (uint16_t)(i + 1);
		q[i].notify_off = (uint16_t)i;
		q[i].idx_valid = 1;
		q[i].avail_idx = 65535;
		q[i].used_idx = (uint16_t)(7 + i);
		q[i].idx2_valid = 1;
		q[i].avail_idx2 = 3;
		q[i].used_idx2 = 9;
		q[i].sample_ms = 201;
	}
	d->config_len = 60;
	for (i = 0; i < d->config_len; i++)
		d->config[i] = (uint8_t)(i * 7);
	d->config_generation = 3;
	d->config_consistent = 1;
	d->msix_config = 0;
	d->access = VQ_ACCESS_PCI_CFG;
}

static const struct vq_snap_info info = { 1, 1700000000, "host-1", 200, "0.1" };

/* @b, read from a snapshot, is the device @a that was saved. */
static void assert_same_dev(const struct vq_dev *a, const struct vq_dev *b)
{
	unsigned i;

	assert_string_equal(a->name, b->name);
	assert_string_equal(a->virtio_name, b->virtio_name);
	assert_string_equal(a->driver, b->driver);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->device_id, b->device_id);
	assert_int_equal(a->vendor_id, b->vendor_id);
	assert_int_equal(a->pci_device, b->pci_device);
	assert_int_equal(a->mmio_version, b->mmio_version);
	assert_int_equal(a->mmio_base, b->mmio_base);
	assert_int_equal(a->ncaps, b->ncaps);
	assert_memory_equal(a->caps, b->caps, a->ncaps * sizeof(a->caps[0]));
	assert_int_equal(a->status, b->status);
	assert_memory_equal(a->device_features, b->device_features, sizeof(a->device_features));
	assert_memory_equal(a->driver_features, b->driver_features, sizeof(a->driver_features));
	assert_int_equal(a->device_features_src, b->device_features_src);
	assert_int_equal(a->driver_features_src, b->driver_features_src);
	assert_string_equal(a->virtio_driver, b->virtio_driver);
	assert_string_equal(a->read_error, b->read_error);
	assert_int_equal(a->num_queues, b->num_queues);
	for (i = 0; i < a->num_queues; i++) {
		struct vq_queue_state want = a->queues[i];

		/* A snapshot's queues say their indices come from it. */
		want.idx_from_source = 1;
		assert_memory_equal(&want, &b->queues[i], sizeof(want));
	}
	assert_int_equal(a->config_len, b->config_len);
	assert_memory_equal(a->config, b->config, a->config_len);
	assert_int_equal(a->config_generation, b->config_generation);
	assert_int_equal(a->config_consistent, b->config_consistent);
	assert_int_equal(a->msix_config, b->msix_config);
	assert_int_equal(a->access, b->access);
}

static void test_round_trip(void **state)
{
	struct vq_queue_state q[3];
	struct vq_dev d[2];
	struct vq_dev_list list = { 0 };
	struct vq_snap_info got;
	char err[256], *json;
	unsigned i;

	(void)state;
	make_dev(&d[0], q, 3);
	memset(&d[1], 0, sizeof(d[1]));
	d[1].kind = VQ_T_MMIO;
	d[1].mmio_version = 1;
	d[1].mmio_base = 0xfeb00000;
	snprintf(d[1].name, sizeof(d[1].name), "mmio:0xfeb00000");
	d[1].config_generation = -1;
	snprintf(d[0].virtio_driver, sizeof(d[0].virtio_driver), "virtio_blk");
	snprintf(d[1].read_error, sizeof(d[1].read_error), "read registers: no");
	json = vq_snap_to_json(&info, d, 2);
	assert_non_null(json);
	assert_int_equal(vq_snap_parse(json, strlen(json), &list, &got, err, sizeof(err)), 2);
	assert_int_equal(got.version, VQ_SNAP_VERSION);
	assert_int_equal(got.time, info.time);
	assert_string_equal(got.host, "host-1");
	assert_int_equal(got.interval_ms, 200);
	assert_int_equal(list.n, 2);
	for (i = 0; i < 2; i++) {
		struct vq_dev *e = &list.devs[i];

		assert_ptr_equal(e->t, &vq_transport_snapshot);
		/* The identity at once; the state after read_state(), as live. */
		assert_string_equal(e->name, d[i].name);
		if (i == 0) {
			assert_int_equal(e->t->read_state(e), 0);
			assert_same_dev(&d[0], e);
			/* It gives the saved state back, whatever was done to it. */
			e->queues[1].avail_idx = 1;
			e->status = 0;
			assert_int_equal(e->t->read_state(e), 0);
			assert_same_dev(&d[0], e);
		} else {
			/* A device that could not be read live fails the same way. */
			assert_int_equal(e->t->read_state(e), -EIO);
			assert_string_equal(e->err, "read registers: no");
		}
		assert_string_equal(e->virtio_driver, d[i].virtio_driver);
		assert_string_equal(e->read_error, d[i].read_error);
	}
	vq_dev_list_free(&list);
	free(json);
}

/* The note make_dev()'s devices gave in format version 1 (vqdump before
 * the one JSON form of a device): other key names, still read. */
static const char v1_note[] =
	"{\"format\":\"vqdump-snapshot\",\"version\":1,\"time\":1700000000,\"host\":\"host-1\","
	"\"interval_ms\":200,\"vqdump_version\":\"0.1\",\"devices\":[{\"name\":\"0000:00:04.0\",\"kind\":\"pci\","
	"\"virtio_name\":\"virtio0\",\"driver\":\"virtio-pci\",\"virtio_driver\":\"virtio_blk\",\"error\":null,"
	"\"device_id\":2,\"vendor_id\":6900,\"pci_device\":4162,\"mmio_version\":0,\"mmio_base\":0,"
	"\"caps\":[{\"cfg_type\":1,\"bar\":4,\"id\":0,\"pos\":132,\"offset\":0,\"length\":4096,"
	"\"notify_off_multiplier\":0},{\"cfg_type\":2,\"bar\":4,\"id\":0,\"pos\":112,\"offset\":12288,"
	"\"length\":4096,\"notify_off_multiplier\":4}],\"status\":15,\"device_features\":[805310036,3,0,"
	"0],\"device_features_src\":\"registers\",\"driver_features\":[805310036,1,0,0],"
	"\"driver_features_src\":\"sysfs\",\"num_queues\":3,\"queues\":[{\"index\":0,\"size\":256,"
	"\"max_size\":1024,\"size_src\":\"registers\",\"enabled\":1,\"desc\":18446744073708503040,"
	"\"avail\":18446744073708507136,\"used\":18446744073708507712,\"addr_src\":\"registers\","
	"\"msix_vector\":1,\"notify_off\":0,\"idx_valid\":1,\"avail_idx\":65535,\"used_idx\":7,"
	"\"idx2_valid\":1,\"avail_idx2\":3,\"used_idx2\":9,\"sample_ms\":201},{\"index\":1,\"size\":256,"
	"\"max_size\":1024,\"size_src\":\"registers\",\"enabled\":1,\"desc\":18446744073708568576,"
	"\"avail\":18446744073708572672,\"used\":18446744073708573248,\"addr_src\":\"kernel\","
	"\"msix_vector\":2,\"notify_off\":1,\"idx_valid\":1,\"avail_idx\":65535,\"used_idx\":8,"
	"\"idx2_valid\":1,\"avail_idx2\":3,\"used_idx2\":9,\"sample_ms\":201},{\"index\":2,\"size\":256,"
	"\"max_size\":1024,\"size_src\":\"registers\",\"enabled\":1,\"desc\":18446744073708634112,"
	"\"avail\":18446744073708638208,\"used\":18446744073708638784,\"addr_src\":\"kernel\","
	"\"msix_vector\":3,\"notify_off\":2,\"idx_valid\":1,\"avail_idx\":65535,\"used_idx\":9,"
	"\"idx2_valid\":1,\"avail_idx2\":3,\"used_idx2\":9,\"sample_ms\":201}],"
	"\"config\":\"00070e151c232a31383f464d545b626970777e858c939aa1a8afb6bdc4cbd2d9e0e7eef5fc030a11181f262d343b424950575e656c737a81888f969d\","
	"\"config_generation\":3,\"config_consistent\":true,\"msix_config\":0,\"access\":\"pci-cfg\"},"
	"{\"name\":\"mmio:0xfeb00000\",\"kind\":\"mmio\",\"virtio_name\":null,\"driver\":null,"
	"\"virtio_driver\":null,\"error\":\"read registers: no\",\"device_id\":0,\"vendor_id\":0,"
	"\"pci_device\":0,\"mmio_version\":1,\"mmio_base\":4272947200,\"caps\":[],\"status\":0,"
	"\"device_features\":[0,0,0,0],\"device_features_src\":\"none\",\"driver_features\":[0,0,0,0],"
	"\"driver_features_src\":\"none\",\"num_queues\":0,\"queues\":[],\"config\":\"\","
	"\"config_generation\":-1,\"config_consistent\":false,\"msix_config\":0,\"access\":\"none\"}]}";

static void test_version1(void **state)
{
	struct vq_queue_state q[3];
	struct vq_dev d;
	struct vq_dev_list list = { 0 };
	struct vq_snap_info got;
	char err[256];

	(void)state;
	make_dev(&d, q, 3);
	snprintf(d.virtio_driver, sizeof(d.virtio_driver), "virtio_blk");
	assert_int_equal(vq_snap_parse(v1_note, strlen(v1_note), &list, &got, err, sizeof(err)), 2);
	assert_int_equal(got.version, 1);
	assert_int_equal(got.time, info.time);
	assert_int_equal(list.devs[0].t->read_state(&list.devs[0]), 0);
	assert_same_dev(&d, &list.devs[0]);
	assert_int_equal(list.devs[1].kind, VQ_T_MMIO);
	assert_int_equal(list.devs[1].t->read_state(&list.devs[1]), -EIO);
	assert_string_equal(list.devs[1].err, "read registers: no");
	vq_dev_list_free(&list);
}

/* Parse @json; expect failure with @want in the message and the list
 * left as it was. */
static void expect_bad(const char *json, const char *want)
{
	struct vq_dev_list list = { 0 };
	struct vq_snap_info got;
	char err[256] = "";
	int ret = vq_snap_parse(json, strlen(json), &list, &got, err, sizeof(err));

	if (ret != -EINVAL || !strstr(err, want))
		fail_msg("parse: %d '%s', wanted '%s' for %.120s", ret, err, want, json);
	assert_int_equal(list.n, 0);
	assert_non_null(memchr(err, 0, sizeof(err)));
	vq_dev_list_free(&list);
}

/* The good document with one substring replaced. */
static char *mutate(const char *json, const char *from, const char *to)
{
	const char *p = strstr(json, from);
	char *out;

	if (!p)
		fail_msg("'%s' not in the document", from);
	out = malloc(strlen(json) + strlen(to) + 1);
	sprintf(out, "%.*s%s%s", (int)(p - json), json, to, p + strlen(from));
	return out;
}

/* A bad value for a member and what the refusal says. */
struct bad_case {
	const char *from, *to, *want;
};

static void expect_cases(const char *json, const struct bad_case *cases, size_t n)
{
	size_t i;
	char *m;

	for (i = 0; i < n; i++) {
		m = mutate(json, cases[i].from, cases[i].to);
		expect_bad(m, cases[i].want);
		free(m);
	}
}

static void test_parse_checks(void **state)
{
	static const struct bad_case cases[] = {
		{ "\"version\":2", "\"version\":3", "format version 3" },
		{ "\"version\":2", "\"version\":0", "format version 0" },
		{ "\"format\":\"vqdump-snapshot\"", "\"format\":\"x\"", "format 'x'" },
		{ "\"num_queues\":3", "\"num_queues\":4", "num_queues is 4 but 3" },
		{ "\"num_queues\":3", "\"num_queues\":1025", "above 1024" },
		{ "\"num_queues\":3", "\"num_queues\":-1", "negative" },
		{ "\"num_queues\":3", "\"num_queues\":3.5", "not an integer" },
		{ "\"num_queues\":3", "\"num_queues\":\"3\"", "not an integer" },
		{ "\"size\":256", "\"size\":65536", "'size' is 65536" },
		{ "\"index\":1", "\"index\":2", "queue 1 says it is queue 2" },
		{ "\"name\":\"0000:00:04.0\"", "\"name\":\"0000:00:04.0-that-is-far-too-long-for-the-array\"",
		  "'name' is" },
		{ "\"name\":\"0000:00:04.0\"", "\"name\":\"\"", "'name' is empty" },
		{ "\"name\":\"0000:00:04.0\"", "\"name\":\"a\\nb\"", "control character" },
		{ "\"name\":\"0000:00:04.0\"", "\"name\":\"a\\u0000b\"", "control character" },
		{ "\"transport\":\"pci\"", "\"transport\":\"usb\"", "unknown value 'usb'" },
		{ "\"transport\":\"pci\"", "\"transport\":\"mmio\"", "mmio_version 0 does not suit" },
		{ "\"access\":\"pci-cfg\"", "\"access\":7", "not a string" },
		{ "\"config_raw\":\"00", "\"config_raw\":\"0", "odd number" },
		{ "\"config_raw\":\"00", "\"config_raw\":\"zz", "not hexadecimal" },
		{ "\"config_generation\":3", "\"config_generation\":-2", "'config_generation' is negative" },
		{ "\"config_consistent\":true", "\"config_consistent\":1", "not a boolean" },
		{ "\"enabled\":true", "\"enabled\":1", "not a boolean" },
		{ "\"device_features\":{\"bits\":[", "\"device_features\":{\"bits\":[128,", "from 0 to 127" },
		{ "\"device_features\":{\"bits\":[", "\"device_features\":{\"bits\":[-1,", "from 0 to 127" },
		{ "\"device_features\":{", "\"device_features\":7,\"x\":{", "not an object" },
		{ "\"source\":\"registers\"", "\"source\":\"unknown\"", "an unknown set is null" },
		{ "\"source\":\"sysfs\"", "\"source\":\"hearsay\"", "unknown value 'hearsay'" },
		{ "\"size_source\":\"registers\"", "\"size_source\":\"none\"", "unknown value 'none'" },
		{ "\"caps\":[", "\"caps\":[{},", "'cfg_type' missing" },
		{ "\"status\":{\"value\":15", "\"status\":{\"value\":256", "above 255" },
		{ "\"status\":{", "\"status\":7,\"x\":{", "not an object" },
		{ "\"avail_idx\":65535", "\"avail_idx\":null", "one ring index but not the other" },
		{ "\"after_ms\":201", "\"after_ms\":-1", "negative" },
		{ "\"devices\":[", "\"devices\":7,\"x\":[", "not an array" },
		{ "\"desc\":18446744073708503040", "\"desc\":18446744073709551616", "beyond 64 bits" },
	};
	struct vq_queue_state q[3];
	struct vq_dev d;
	char *json, *m;

	(void)state;
	make_dev(&d, q, 3);
	json = vq_snap_to_json(&info, &d, 1);
	assert_non_null(json);
	expect_cases(json, cases, sizeof(cases) / sizeof(cases[0]));
	/* The device is named in the message. */
	m = mutate(json, "\"size\":256", "\"size\":65536");
	expect_bad(m, "device 0");
	free(m);
	/* Documents that are not one: */
	expect_bad("", "text ends early");
	expect_bad("[]", "not a JSON object");
	expect_bad("{\"format\":\"vqdump-snapshot\"} x", "extra text");
	expect_bad("{\"format\":\"vqdump-snapshot\",\"version\":1", "text ends early");
	m = malloc(strlen(json) + 2);
	sprintf(m, "%s}", json);
	expect_bad(m, "extra text");
	free(m);
	free(json);
}

/* Version 1 notes get the checks they always had. */
static void test_parse_checks_v1(void **state)
{
	static const struct bad_case cases[] = {
		{ "\"version\":1", "\"version\":3", "format version 3" },
		{ "\"format\":\"vqdump-snapshot\"", "\"format\":\"x\"", "format 'x'" },
		{ "\"num_queues\":3", "\"num_queues\":4", "num_queues is 4 but 3" },
		{ "\"num_queues\":3", "\"num_queues\":1025", "above 1024" },
		{ "\"num_queues\":3", "\"num_queues\":-1", "negative" },
		{ "\"num_queues\":3", "\"num_queues\":3.5", "not an integer" },
		{ "\"num_queues\":3", "\"num_queues\":\"3\"", "not an integer" },
		{ "\"size\":256", "\"size\":65536", "'size' is 65536" },
		{ "\"index\":1", "\"index\":2", "queue 1 says it is queue 2" },
		{ "\"name\":\"0000:00:04.0\"", "\"name\":\"0000:00:04.0-that-is-far-too-long-for-the-array\"",
		  "'name' is" },
		{ "\"name\":\"0000:00:04.0\"", "\"name\":\"\"", "'name' is empty" },
		{ "\"name\":\"0000:00:04.0\"", "\"name\":\"a\\nb\"", "control character" },
		{ "\"name\":\"0000:00:04.0\"", "\"name\":\"a\\u0000b\"", "control character" },
		{ "\"kind\":\"pci\"", "\"kind\":\"usb\"", "unknown value 'usb'" },
		{ "\"kind\":\"pci\"", "\"kind\":\"mmio\"", "mmio_version 0 does not suit" },
		{ "\"access\":\"pci-cfg\"", "\"access\":7", "not a string" },
		{ "\"config\":\"00", "\"config\":\"0", "odd number" },
		{ "\"config\":\"00", "\"config\":\"zz", "not hexadecimal" },
		{ "\"config_generation\":3", "\"config_generation\":-2", "'config_generation' is -2" },
		{ "\"config_consistent\":true", "\"config_consistent\":1", "not a boolean" },
		{ "\"device_features\":[", "\"device_features\":[1,", "5 entries" },
		{ "\"device_features\":[805310036", "\"device_features\":[4294967296", "not a 32-bit" },
		{ "\"device_features\":[805310036", "\"device_features\":[-1", "not a 32-bit" },
		{ "\"caps\":[", "\"caps\":[{},", "'cfg_type' missing" },
		{ "\"status\":15", "\"status\":256", "above 255" },
		{ "\"idx_valid\":1", "\"idx_valid\":2", "above 1" },
		{ "\"devices\":[", "\"devices\":7,\"x\":[", "not an array" },
		{ "\"desc\":18446744073708503040", "\"desc\":18446744073709551616", "beyond 64 bits" },
	};

	(void)state;
	expect_cases(v1_note, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_find_note(void **state)
{
	/* namesz 7, descsz 2, type; "VQDUMP\0" + pad; "{}" + pad. */
	static const uint8_t one[] = { 7, 0, 0, 0, 2, 0, 0, 0, 0x01, 0, 0x51, 0x56, 'V', 'Q', 'D', 'U',
				       'M', 'P', 0, 0, '{', '}', 0, 0 };
	uint8_t buf[128];
	const uint8_t *desc;
	size_t dl;
	char err[128];

	(void)state;
	assert_int_equal(vq_snap_find_note(one, sizeof(one), 0, &desc, &dl, err, sizeof(err)), 1);
	assert_int_equal(dl, 2);
	assert_memory_equal(desc, "{}", 2);
	/* Without the last padding. */
	assert_int_equal(vq_snap_find_note(one, sizeof(one) - 2, 0, &desc, &dl, err, sizeof(err)), 1);
	/* Another owner's note before ours is skipped. */
	memcpy(buf, one, sizeof(one));
	buf[12] = 'C';
	memcpy(buf + sizeof(one), one, sizeof(one));
	assert_int_equal(vq_snap_find_note(buf, 2 * sizeof(one), 0, &desc, &dl, err, sizeof(err)), 1);
	assert_ptr_equal(desc, buf + sizeof(one) + 20);
	/* Two of ours. */
	memcpy(buf, one, sizeof(one));
	assert_int_equal(vq_snap_find_note(buf, 2 * sizeof(one), 0, &desc, &dl, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "more than one"));
	/* None. */
	buf[12] = 'C';
	assert_int_equal(vq_snap_find_note(buf, sizeof(one), 0, &desc, &dl, err, sizeof(err)), 0);
	assert_int_equal(vq_snap_find_note(buf, 0, 0, &desc, &dl, err, sizeof(err)), 0);
	/* Sizes that run past the end. */
	memcpy(buf, one, sizeof(one));
	buf[4] = 200;
	assert_int_equal(vq_snap_find_note(buf, sizeof(one), 0, &desc, &dl, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "descriptor (200 bytes) runs past"));
	buf[4] = 2;
	buf[0] = 0xff;
	buf[3] = 0xff;
	assert_int_equal(vq_snap_find_note(buf, sizeof(one), 0, &desc, &dl, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "name"));
	/* Our name with another type. */
	memcpy(buf, one, sizeof(one));
	buf[8] = 2;
	assert_int_equal(vq_snap_find_note(buf, sizeof(one), 0, &desc, &dl, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown type"));
	/* Big-endian words. */
	memcpy(buf, one, sizeof(one));
	buf[0] = 0, buf[3] = 7, buf[4] = 0, buf[7] = 2;
	buf[8] = 0x56, buf[9] = 0x51, buf[10] = 0, buf[11] = 1;
	assert_int_equal(vq_snap_find_note(buf, sizeof(one), 1, &desc, &dl, err, sizeof(err)), 1);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_write_and_read(void **state)
{
	char dir[] = "/tmp/vqdump-snaptest.XXXXXX", path[128], err[512];
	struct vq_snap_mem m = { 0 };
	struct vq_queue_state q[1];
	struct vq_dev d;
	struct vq_dev_list list = { 0 };
	struct vq_snap_info got;
	struct vq_mem mem;
	uint8_t ring[300], b[300];
	struct stat st1, st2;
	char *json;
	size_t i;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.elf", dir);
	for (i = 0; i < sizeof(ring); i++)
		ring[i] = (uint8_t)i;
	assert_int_equal(vq_snap_mem_add(&m, 0x100000, ring, 300), 0);
	assert_int_equal(vq_snap_mem_add(&m, 0x0, ring, 3), 0);
	assert_int_equal(vq_snap_mem_add(&m, 0xfffffffff000ull, ring, 17), 0);
	make_dev(&d, q, 1);
	json = vq_snap_to_json(&info, &d, 1);
	assert_int_equal(vq_snap_write(path, json, &m, 0, err, sizeof(err)), 0);
	assert_int_equal(count_entries(dir), 1); /* no temporary file left */

	/* The memory accessor reads the PT_LOADs at their physical addresses. */
	assert_int_equal(vq_mem_open(&mem, &vq_mem_elf, path), 0);
	assert_int_equal(mem.nsegs, 3);
	assert_int_equal(vq_mem_read(&mem, 0x100000, b, 300, "ring"), 0);
	assert_memory_equal(b, ring, 300);
	assert_int_equal(vq_mem_read(&mem, 0xfffffffff000ull, b, 17, "ring"), 0);
	assert_memory_equal(b, ring, 17);
	assert_int_equal(vq_mem_read(&mem, 0x100000 + 299, b, 2, "ring"), -VQ_ENOTINDUMP);
	vq_mem_close(&mem);

	/* The devices come back from the note. */
	assert_int_equal(vq_snap_open(path, &list, &got, err, sizeof(err)), 1);
	assert_int_equal(list.devs[0].t->read_state(&list.devs[0]), 0);
	assert_same_dev(&d, &list.devs[0]);
	vq_dev_list_free(&list);

	/* The same devices through the registry, as the session finds them:
	 * the --core file opened by probe, every image transport asked. */
	{
		const struct vq_transport *const *t;
		unsigned live = 0, image = 0, qemu = 0;

		assert_int_equal(vq_mem_open_file(&mem, path), 0);
		assert_ptr_equal(mem.ops, &vq_mem_elf);
		for (t = vq_transports; *t; t++) {
			if ((*t)->scope == VQ_SCOPE_LIVE) {
				live++;
				continue;
			}
			/* A running QEMU's transport reads no image. */
			if ((*t)->scope == VQ_SCOPE_QEMU) {
				qemu++;
				continue;
			}
			image++;
			/* The snapshot lists its device; the kernel's records
			 * (a dump's) then step aside: -ENOENT. */
			if (*t == &vq_transport_snapshot)
				assert_int_equal((*t)->enumerate(&list, &mem, err, sizeof(err)), 1);
			else
				assert_int_equal((*t)->enumerate(&list, &mem, err, sizeof(err)), -ENOENT);
		}
		assert_int_equal(live, 3);
		assert_int_equal(image, 2);
		assert_int_equal(qemu, 1);
		assert_int_equal(list.devs[0].t->read_state(&list.devs[0]), 0);
		assert_same_dev(&d, &list.devs[0]);
		vq_dev_list_free(&list);
		/* A live enumeration of it is refused, not empty. */
		assert_int_equal(vq_transport_snapshot.enumerate(&list, NULL, err, sizeof(err)),
				 -ENOTSUP);
		vq_mem_close(&mem);
	}

	/* A snapshot that saved no memory (snapshot --allow-partial on a
	 * system whose rings could not be read) opens all the same: its
	 * devices come from the note, and any read is "not in the dump". */
	{
		struct vq_snap_mem none = { 0 };
		char empty[160];

		snprintf(empty, sizeof(empty), "%s/empty.elf", dir);
		assert_int_equal(vq_snap_write(empty, json, &none, 0, err, sizeof(err)), 0);
		assert_int_equal(vq_mem_open_file(&mem, empty), 0);
		assert_int_equal(mem.nsegs, 0);
		assert_int_equal(vq_mem_read(&mem, 0x100000, b, 4, "ring"), -VQ_ENOTINDUMP);
		assert_int_equal(vq_transport_snapshot.enumerate(&list, &mem, err, sizeof(err)), 1);
		vq_dev_list_free(&list);
		vq_mem_close(&mem);
		assert_int_equal(unlink(empty), 0);
	}

	/* An existing file is kept unless forced. */
	assert_int_equal(stat(path, &st1), 0);
	assert_int_equal(vq_snap_write(path, "{}", &m, 0, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "--force"));
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st1.st_size, st2.st_size);
	assert_int_equal(count_entries(dir), 1);
	assert_int_equal(vq_snap_write(path, json, &m, 1, err, sizeof(err)), 0);
	assert_int_equal(count_entries(dir), 1);

	/* A core without our note is not a snapshot: -ENOENT. */
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	{
		uint8_t hdr[4096];
		ssize_t n = pread(fd, hdr, sizeof(hdr), 0);
		uint8_t *p = memmem(hdr, (size_t)n, "VQDUMP", 6);

		assert_non_null(p);
		*p = 'X';
		assert_int_equal(pwrite(fd, hdr, (size_t)n, 0), n);
	}
	close(fd);
	assert_int_equal(vq_snap_open(path, &list, &got, err, sizeof(err)), -ENOENT);
	assert_int_equal(list.n, 0);
	/* ...and its image transport says so the same way. */
	assert_int_equal(vq_mem_open_file(&mem, path), 0);
	assert_int_equal(vq_transport_snapshot.enumerate(&list, &mem, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "holds no vqdump snapshot note"));
	vq_mem_close(&mem);
	/* Not an ELF file at all: the same. */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "hello", 5), 5);
	close(fd);
	assert_int_equal(vq_snap_open(path, &list, &got, err, sizeof(err)), -ENOENT);
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(vq_snap_open(path, &list, &got, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "open core"));
	/* A directory that cannot be written: one line, no file. */
	assert_int_equal(vq_snap_write("/proc/vqdump-no/s.elf", json, &m, 0, err, sizeof(err)) < 0, 1);
	assert_non_null(strstr(err, "write snapshot /proc/vqdump-no/s.elf"));

	snprintf(path, sizeof(path), "%s/s.elf", dir);
	unlink(path);
	rmdir(dir);
	free(json);
	vq_snap_mem_free(&m);
}

/* Every padding the note and the first segment can need: JSON lengths of
 * each residue mod 4 and 16; the file reads back whole each time. */
static void test_paddings(void **state)
{
	char dir[] = "/tmp/vqdump-snaptest.XXXXXX", path[128], err[512];
	struct vq_snap_mem m = { 0 };
	struct vq_snap_info in = info, got;
	struct vq_dev_list list = { 0 };
	struct vq_mem mem;
	uint8_t b[5] = { 1, 2, 3, 4, 5 }, r[5];
	char *json;
	unsigned i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/p.elf", dir);
	assert_int_equal(vq_snap_mem_add(&m, 0x1000, b, 5), 0);
	for (i = 1; i <= 16; i++) {
		memset(in.host, 'h', i);
		in.host[i] = 0;
		json = vq_snap_to_json(&in, NULL, 0);
		assert_int_equal(vq_snap_write(path, json, &m, 1, err, sizeof(err)), 0);
		assert_int_equal(vq_snap_open(path, &list, &got, err, sizeof(err)), 0);
		assert_string_equal(got.host, in.host);
		assert_int_equal(vq_mem_open(&mem, &vq_mem_elf, path), 0);
		assert_int_equal(vq_mem_read(&mem, 0x1000, r, 5, "x"), 0);
		assert_memory_equal(r, b, 5);
		vq_mem_close(&mem);
		vq_dev_list_free(&list);
		free(json);
	}
	unlink(path);
	rmdir(dir);
	vq_snap_mem_free(&m);
}

/* ---- the capture engine, over a fake live system ---- */

/* A live system: guest memory whose used index moves by one after every
 * read of it, and a transport whose second device cannot be read. */
#define CAP_USED 0x10100ull /* queue 0's used ring */
static struct fakemem cap_mem;
static char cap_said[512];

static int moving_read(void *c, uint64_t addr, void *out, size_t len, const char *what)
{
	int ret = fake_read(c, addr, out, len, what);

	if (ret == 0 && addr <= CAP_USED + 2 && addr + len >= CAP_USED + 4)
		put16(&cap_mem, CAP_USED + 2, (uint16_t)(cap_mem.buf[CAP_USED + 2 - cap_mem.base] + 1));
	return ret;
}

static int cap_read_state(struct vq_dev *d)
{
	if (d->device_id)
		return 0;
	snprintf(d->err, sizeof(d->err), "read %s: registers gone", d->name);
	return -EIO;
}

static const struct vq_transport cap_transport = { .name = "fake", .read_state = cap_read_state };

static void cap_say(const char *line)
{
	snprintf(cap_said, sizeof(cap_said), "%s", line);
}

/* Device 0: a blk device with queue 0 holding two pending chains and a
 * completed one, queue 1
 * of unknown size (read with the maximum), queue 2 not enabled; device 1
 * unreadable. */
static void cap_devices(struct vq_dev *d, struct vq_queue_state *q)
{
	memset(d, 0, 2 * sizeof(*d));
	memset(q, 0, 3 * sizeof(*q));
	d[0].t = d[1].t = &cap_transport;
	snprintf(d[0].name, sizeof(d[0].name), "0000:00:04.0");
	snprintf(d[1].name, sizeof(d[1].name), "0000:00:05.0");
	d[0].device_id = 2;
	d[0].driver_features_src = VQ_SRC_REGISTERS;
	d[0].num_queues = 3;
	d[0].queues = q;
	q[0] = (struct vq_queue_state){ .index = 0, .size = 8, .max_size = 8, .enabled = 1,
					.desc = 0x10000, .avail = 0x10080, .used = CAP_USED };
	q[1] = (struct vq_queue_state){ .index = 1, .size = 0, .max_size = 8, .enabled = 1,
					.desc = 0x14000, .avail = 0x14080, .used = 0x14100 };
	q[2] = (struct vq_queue_state){ .index = 2, .max_size = 8 };
	fake_init(&cap_mem, 0x10000, 0x10000);
	/* avail idx 3; the used index the capture keeps is 1 (moving_read):
	 * heads 0 and 2 pending, head 3 done. */
	put16(&cap_mem, 0x10082, 3);
	put16(&cap_mem, 0x10084, 3);
	put16(&cap_mem, 0x10086, 0);
	put16(&cap_mem, 0x10088, 2);
	put_desc(&cap_mem, 0x10000, 0, 0x11000, 16, 1 /* NEXT */, 1);
	put_desc(&cap_mem, 0x10000, 1, 0x12000, 512, 2 /* WRITE */, 0);
	put_desc(&cap_mem, 0x10000, 2, 0x13000, 100, 0, 0);
	put_desc(&cap_mem, 0x10000, 3, 0x15000, 16, 0, 0);
	memset(cap_mem.buf + 0x2000, 0xab, 512);
}

/* The first pass keeps the ring memory and chains' buffer edges as read
 * once, the indices are those of the kept memory, the second sample is
 * read live later; the file holds all of it and the unreadable device's
 * reason; the session's devices lose the second sample. */
static void test_capture(void **state)
{
	char dir[] = "/tmp/vqdump-captest.XXXXXX", path[128], err[512];
	struct vq_queue_state q[3];
	struct vq_dev d[2];
	struct vq_session s;
	struct vq_snap_capture cap;
	struct vq_dev_list list = { 0 };
	struct vq_snap_info got;
	struct vq_mem mem;
	uint8_t b[512];
	size_t i;

	(void)state;
	cap_devices(d, q);
	vq_session_init(&s, NULL, NULL, cap_say);
	s.mem_open = 1; /* the live memory, open */
	s.fetch = (struct vq_fetch){ moving_read, &cap_mem, NULL };
	s.devs = (struct vq_dev_list){ d, 2, 2 };
	s.devs_open = 1;
	assert_int_equal(vq_snap_capture(&s, 0, 2, 1, &cap, err, sizeof(err)), 0);
	assert_string_equal(cap_said, "read 0000:00:05.0: registers gone");
	assert_int_equal(cap.ndev, 2);
	assert_int_equal(cap.nq, 3);
	assert_int_equal(cap.nsaved, 2);
	assert_string_equal(cap.devs[1].read_error, "read 0000:00:05.0: registers gone");
	assert_null(cap.devs[1].queues);
	/* Ring parts whole, under both size rules' sizes. */
	assert_int_equal(vq_snap_mem_overlay(&cap.mem, 0x10000, b, 16 * 8), 1);
	assert_int_equal(vq_snap_mem_overlay(&cap.mem, CAP_USED, b, 6 + 8 * 8), 1);
	assert_int_equal(vq_snap_mem_overlay(&cap.mem, 0x14000, b, 0x80 + 6 + 2 * 8), 1);
	assert_int_equal(vq_snap_mem_overlay(&cap.mem, 0x14100, b, 6 + 8 * 8), 1);
	assert_int_equal(vq_snap_mem_overlay(&cap.mem, 0x14100 + 6 + 8 * 8, b, 1), 0);
	/* Buffers: the first VQ_SNAP_PEEK bytes and the last one. */
	assert_int_equal(vq_snap_mem_overlay(&cap.mem, 0x12000, b, VQ_SNAP_PEEK), 1);
	assert_int_equal(vq_snap_mem_overlay(&cap.mem, 0x121ff, b, 1), 1);
	assert_int_equal(vq_snap_mem_overlay(&cap.mem, 0x12000 + VQ_SNAP_PEEK, b, 1), 0);
	assert_int_equal(vq_snap_mem_overlay(&cap.mem, 0x13063, b, 1), 1);
	assert_int_equal(vq_snap_mem_overlay(&cap.mem, 0x15000, b, 1), 0); /* completed */
	/* Read by the refresh (0), then saved (1): the kept memory's; then
	 * the second sample, live (2).  Queue 2 is left alone. */
	assert_int_equal(q[0].avail_idx, 3);
	assert_int_equal(q[0].used_idx, 1);
	assert_true(q[0].idx2_valid);
	assert_int_equal(q[0].used_idx2, 2);
	assert_true(q[1].idx_valid && q[1].idx2_valid);
	assert_false(q[2].idx_valid || q[2].idx2_valid);

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.elf", dir);
	assert_int_equal(vq_snap_capture_write(&cap, path, 0, "9.9", err, sizeof(err)), 0);
	assert_false(q[0].idx2_valid || q[1].idx2_valid);
	assert_int_equal(vq_snap_capture_write(&cap, path, 0, "9.9", err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "--force"));
	assert_int_equal(vq_mem_open(&mem, &vq_mem_elf, path), 0);
	assert_int_equal(vq_mem_read(&mem, 0x12000, b, VQ_SNAP_PEEK, "buffer"), 0);
	assert_int_equal(b[0], 0xab);
	vq_mem_close(&mem);
	assert_int_equal(vq_snap_open(path, &list, &got, err, sizeof(err)), 2);
	assert_string_equal(got.vqdump_version, "9.9");
	assert_int_equal(got.interval_ms, 1);
	for (i = 0; got.host[i]; i++)
		assert_true(vq_jin_char_ok(got.host[i]));
	assert_int_equal(list.devs[0].t->read_state(&list.devs[0]), 0);
	assert_int_equal(list.devs[0].queues[0].used_idx, 1);
	assert_true(list.devs[0].queues[0].idx2_valid);
	assert_int_equal(list.devs[0].queues[0].used_idx2, 2);
	assert_true(list.devs[1].t->read_state(&list.devs[1]) < 0);
	assert_string_equal(list.devs[1].err, "read 0000:00:05.0: registers gone");
	vq_dev_list_free(&list);
	vq_snap_capture_free(&cap);
	unlink(path);
	rmdir(dir);
	fake_free(&cap_mem);
}

/* A packed blk queue (virtio 1.3 2.8) of 8 slots in round 1: slot 0
 * used (id 0), slots 1-2 one pending chain (id 1: a 16-byte header, then
 * 512 bytes the device writes), the rest never written.  Driver event
 * area at 0x10080, device event area at 0x10090; the word after it is
 * no ring memory. */
#define PK_AV (1u << 7)              /* 2.8.1: AVAIL = 1, USED = 0 in round 1 */
#define PK_US ((1u << 7) | (1u << 15)) /* AVAIL = USED = 1: used in round 1 */
static void cap_packed_device(struct vq_dev *d, struct vq_queue_state *q)
{
	memset(d, 0, sizeof(*d));
	memset(q, 0, sizeof(*q));
	d->t = &cap_transport;
	snprintf(d->name, sizeof(d->name), "0000:00:04.0");
	d->device_id = 2;
	d->driver_features[34 / 32] = 1u << (34 % 32); /* VIRTIO_F_RING_PACKED */
	d->driver_features_src = VQ_SRC_REGISTERS;
	d->num_queues = 1;
	d->queues = q;
	*q = (struct vq_queue_state){ .index = 0, .size = 8, .max_size = 8, .enabled = 1,
				      .desc = 0x10000, .avail = 0x10080, .used = 0x10090 };
	fake_init(&cap_mem, 0x10000, 0x10000);
	/* 2.8.13: a packed descriptor is a split one's addr and len, then
	 * le16 id where split has flags, and le16 flags where it has next. */
	put_desc(&cap_mem, 0x10000, 0, 0x15000, 16, 0, PK_US);
	put_desc(&cap_mem, 0x10000, 1, 0x11000, 16, 1, PK_AV | 1 /* NEXT */);
	put_desc(&cap_mem, 0x10000, 2, 0x12000, 512, 1, PK_AV | 2 /* WRITE */);
	put16(&cap_mem, 0x10094, 0x5a5a);
	memset(cap_mem.buf + 0x2000, 0xab, 512);
}

/* The pending chain of a packed ring @f holds, as 'ring --queue' decodes it. */
static void expect_packed_chain(const struct vq_fetch *f)
{
	struct vq_packed_view v;

	assert_int_equal(vq_packed_view_alloc(&v, 8, 4), 0);
	v.layout = (struct vq_packed_layout){ 0x10000, 0x10080, 0x10090, 8 };
	assert_int_equal(vq_packed_decode(f, &v, 4), 0);
	assert_int_equal(v.rv.nchains, 1);
	assert_int_equal(v.rv.chains[0].id, 1);
	assert_int_equal(v.rv.chains[0].slot, 1);
	assert_int_equal(v.rv.chains[0].ndesc, 2);
	assert_int_equal(v.rv.chains[0].descs[1].addr, 0x12000);
	assert_int_equal(v.avail.idx, 3);
	assert_int_equal(v.used.idx, 1);
	vq_packed_view_free(&v);
}

/* A packed queue is saved as a packed ring: the descriptor ring and both
 * 4-byte event areas, not a split ring's parts; the pending chain's
 * buffers; no split indices read from the event areas, none sampled
 * again; and the file decodes to the same chain. */
static void test_capture_packed(void **state)
{
	char dir[] = "/tmp/vqdump-captest.XXXXXX", path[128], err[512];
	struct vq_queue_state q;
	struct vq_dev d;
	struct vq_session s;
	struct vq_snap_capture cap;
	struct vq_dev_list list = { 0 };
	struct vq_snap_info got;
	struct vq_mem mem;
	struct vq_fetch f;
	uint8_t b[512];

	(void)state;
	cap_packed_device(&d, &q);
	f = fake_fetch(&cap_mem);
	expect_packed_chain(&f);
	vq_session_init(&s, NULL, NULL, cap_say);
	s.mem_open = 1;
	s.fetch = f;
	s.devs = (struct vq_dev_list){ &d, 1, 1 };
	s.devs_open = 1;
	assert_int_equal(vq_snap_capture(&s, 0, 1, 1, &cap, err, sizeof(err)), 0);
	assert_int_equal(cap.nsaved, 1);
	assert_int_equal(vq_snap_mem_overlay(&cap.mem, 0x10000, b, 16 * 8), 1);
	assert_int_equal(vq_snap_mem_overlay(&cap.mem, 0x10080, b, 4), 1);
	assert_int_equal(vq_snap_mem_overlay(&cap.mem, 0x10090, b, 4), 1);
	assert_int_equal(vq_snap_mem_overlay(&cap.mem, 0x10094, b, 1), 0);
	assert_int_equal(vq_snap_mem_overlay(&cap.mem, 0x11000, b, 16), 1);
	assert_int_equal(vq_snap_mem_overlay(&cap.mem, 0x12000, b, VQ_SNAP_PEEK), 1);
	assert_int_equal(vq_snap_mem_overlay(&cap.mem, 0x121ff, b, 1), 1);
	assert_int_equal(vq_snap_mem_overlay(&cap.mem, 0x15000, b, 1), 0); /* used */
	assert_false(q.idx_valid || q.idx2_valid);

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/p.elf", dir);
	assert_int_equal(vq_snap_capture_write(&cap, path, 0, "9.9", err, sizeof(err)), 0);
	assert_int_equal(vq_snap_open(path, &list, &got, err, sizeof(err)), 1);
	assert_int_equal(list.devs[0].t->read_state(&list.devs[0]), 0);
	assert_true(vq_dev_packed(&list.devs[0]));
	assert_int_equal(list.devs[0].queues[0].used, 0x10090);
	assert_false(list.devs[0].queues[0].idx_valid || list.devs[0].queues[0].idx2_valid);
	assert_int_equal(vq_mem_open(&mem, &vq_mem_elf, path), 0);
	f = vq_mem_fetch(&mem);
	expect_packed_chain(&f);
	assert_int_equal(vq_mem_read(&mem, 0x12000, b, VQ_SNAP_PEEK, "buffer"), 0);
	assert_int_equal(b[0], 0xab);
	vq_mem_close(&mem);
	vq_dev_list_free(&list);
	vq_snap_capture_free(&cap);
	unlink(path);
	rmdir(dir);
	fake_free(&cap_mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_merge),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_version1),
		cmocka_unit_test(test_parse_checks),
		cmocka_unit_test(test_parse_checks_v1),
		cmocka_unit_test(test_find_note),
		cmocka_unit_test(test_write_and_read),
		cmocka_unit_test(test_paddings),
		cmocka_unit_test(test_capture),
		cmocka_unit_test(test_capture_packed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
