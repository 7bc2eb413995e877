/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Time between two samples of a live system: a monotonic clock and a whole sleep. */
#ifndef VQDUMP_ACCESS_CLOCK_H
#define VQDUMP_ACCESS_CLOCK_H

#include <stdint.h>

/* Milliseconds on CLOCK_MONOTONIC (not wall time: samples are compared). */
uint64_t vq_clock_ms(void);

/* Sleep @ms milliseconds in all, going on after a signal interrupts. */
void vq_sleep_ms(unsigned ms);

#endif
