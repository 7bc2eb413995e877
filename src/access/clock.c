/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Time between two samples of a live system: a monotonic clock and a whole sleep. */
#include <errno.h>
#include <time.h>

#include "clock.h"

uint64_t vq_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void vq_sleep_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
