/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests: the way out named for each refusal (access/refusal.c) and the one-line view of a device (model/view.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "access/refusal.h"
#include "model/view.h"

static const char *hint(const char *lockdown, int root, const char *path, int e,
			enum vq_refusal_op op)
{
	static char buf[256];
	struct vq_refusal_env env;

	memset(&env, 0, sizeof(env));
	snprintf(env.lockdown, sizeof(env.lockdown), "%s", lockdown);
	env.root = root;
	return vq_refusal_hint_env(&env, path, e, op, buf, sizeof(buf));
}

/* Root is never told to run as root; the reason that applies is named. */
static void test_hints(void **state)
{
	(void)state;
	/* Strict /dev/mem: a driver's window. */
	assert_non_null(strstr(hint("none", 1, "/dev/mem", EPERM, VQ_REFUSE_MAP_IO), "iomem=relaxed"));
	assert_non_null(strstr(hint("", 1, "/dev/mem", EINVAL, VQ_REFUSE_MAP_IO), "iomem=relaxed"));
	/* RAM through /dev/mem. */
	assert_non_null(strstr(hint("none", 1, "/dev/mem", EPERM, VQ_REFUSE_RAM), "STRICT_DEVMEM"));
	/* Lockdown, by mode, for each thing it refuses. */
	assert_non_null(strstr(hint("integrity", 1, "/dev/mem", EPERM, VQ_REFUSE_OPEN),
			       "kernel lockdown (integrity)"));
	assert_non_null(strstr(hint("confidentiality", 1, "/proc/kcore", EPERM, VQ_REFUSE_OPEN),
			       "kernel lockdown (confidentiality): reading kernel memory is not allowed"));
	assert_non_null(strstr(hint("integrity", 1, "config", EPERM, VQ_REFUSE_WRITE),
			       "writing PCI devices from user space is not allowed"));
	/* Lockdown wins over strict devmem: iomem=relaxed would not help. */
	assert_null(strstr(hint("integrity", 1, "/dev/mem", EPERM, VQ_REFUSE_MAP_IO), "iomem=relaxed"));
	/* No such file. */
	assert_string_equal(hint("none", 1, "/dev/mem", ENOENT, VQ_REFUSE_OPEN),
			    " (no /dev/mem in this system)");
	assert_non_null(strstr(hint("none", 0, "/proc/kcore", ENOENT, VQ_REFUSE_OPEN), "no /proc/kcore"));
	/* Not root: that first. */
	assert_string_equal(hint("integrity", 0, "/dev/mem", EPERM, VQ_REFUSE_OPEN), " (run as root)");
	assert_string_equal(hint("none", 0, "/dev/mem", EACCES, VQ_REFUSE_OPEN), " (run as root)");
	/* Root refused with no lockdown: something else, never "run as root". */
	assert_null(strstr(hint("none", 1, "/dev/mem", EACCES, VQ_REFUSE_OPEN), "run as root"));
	assert_non_null(strstr(hint("none", 1, "/dev/mem", EACCES, VQ_REFUSE_OPEN), "security module"));
	/* Nothing to add for an error that is not a refusal. */
	assert_string_equal(hint("none", 1, "/dev/mem", EIO, VQ_REFUSE_OPEN), "");
}

static void test_view(void **state)
{
	struct vq_queue_state q[2];
	struct vq_dev d;
	char buf[160];

	(void)state;
	memset(&d, 0, sizeof(d));
	memset(q, 0, sizeof(q));
	d.access = VQ_ACCESS_MAPPED;
	assert_string_equal(vq_dev_view(&d, buf, sizeof(buf)), "registers (mapped)");
	assert_int_equal(vq_dev_status_source(&d), VQ_SRC_REGISTERS);
	d.access = VQ_ACCESS_SYSFS;
	d.status = VIRTIO_CONFIG_S_DRIVER_OK;
	assert_int_equal(vq_dev_status_source(&d), VQ_SRC_SYSFS);
	assert_true(vq_dev_queues_unknown(&d));
	assert_non_null(strstr(vq_dev_view(&d, buf, sizeof(buf)), "queues unknown"));
	d.queues = q;
	d.num_queues = 2;
	q[0].enabled = q[1].enabled = 1;
	q[0].desc = q[1].desc = 0x1000;
	q[0].addr_src = q[1].addr_src = VQ_SRC_KERNEL;
	assert_false(vq_dev_queues_unknown(&d));
	assert_string_equal(vq_dev_view(&d, buf, sizeof(buf)),
			    "status and features from sysfs; 2 queues from kernel records");
	d.access = VQ_ACCESS_PCI_CFG;
	q[1].addr_src = VQ_SRC_REGISTERS;
	assert_string_equal(vq_dev_view(&d, buf, sizeof(buf)),
			    "registers (PCI configuration access); ring addresses from kernel records");
	d.access = VQ_ACCESS_NONE;
	assert_string_equal(vq_dev_view(&d, buf, sizeof(buf)), "nothing read");
	assert_int_equal(vq_dev_status_source(&d), VQ_SRC_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hints),
		cmocka_unit_test(test_view),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
