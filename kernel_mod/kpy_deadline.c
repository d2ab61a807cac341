// SPDX-License-Identifier: MIT
/*
 * Time drives interruption, not branch counts. While a script runs, an
 * hrtimer fires every KPY_POLL_NS and sets kpy_poll_flag; every hook of
 * the interpreter (VM branches and returns, C loops, GC loops, sleeps)
 * only tests that flag, and when it is set reschedules and checks the time
 * limit and fatal signals. So a script stops within about one period of
 * its limit whatever it runs, provided the C code it runs reaches a hook,
 * and a hook costs one load and one branch while nothing is due.
 *
 * The limit itself is compared with ktime when a hook runs, so it does not
 * depend on the timer firing exactly at the deadline, nor on jiffies.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/version.h>
#include "kpy.h"
#include "kpy_hooks.h"

#define KPY_POLL_NS (1 * NSEC_PER_MSEC)

volatile int kpy_poll_flag;
static struct hrtimer kpy_poll_timer;
static ktime_t kpy_deadline;	/* 0: no limit */

/*
 * Periods the timer itself fired late by, at most: the whole CPU was held
 * up (interrupts off, or a VM's virtual CPU not running), which tells such
 * stalls apart from long FPU sections (kpy_fpu.c) in the stats.
 */
u64 kpy_poll_late_max;
/* Times the timer fired since load, for the FPU sections' own count. */
u64 kpy_poll_fires;

static enum hrtimer_restart kpy_poll_fire(struct hrtimer *timer)
{
	u64 periods;

	WRITE_ONCE(kpy_poll_flag, 1);
	WRITE_ONCE(kpy_poll_fires, kpy_poll_fires + 1);
	periods = hrtimer_forward_now(timer, ns_to_ktime(KPY_POLL_NS));
	if (periods > kpy_poll_late_max)
		kpy_poll_late_max = periods;
	return HRTIMER_RESTART;
}

void kpy_deadline_init(void)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
	hrtimer_setup(&kpy_poll_timer, kpy_poll_fire, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL);
#else
	hrtimer_init(&kpy_poll_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	kpy_poll_timer.function = kpy_poll_fire;
#endif
}

/* Caller holds the run lock: one execution, one timer. */
void kpy_deadline_start(unsigned int timeout_ms)
{
	kpy_deadline = timeout_ms ? ktime_add_ms(ktime_get(), timeout_ms) : 0;
	WRITE_ONCE(kpy_poll_flag, 0);
	hrtimer_start(&kpy_poll_timer, ns_to_ktime(KPY_POLL_NS),
		      HRTIMER_MODE_REL);
}

/* Waits for a running callback: nothing sets the flag after this. */
void kpy_deadline_stop(void)
{
	hrtimer_cancel(&kpy_poll_timer);
	WRITE_ONCE(kpy_poll_flag, 0);
}

bool kpy_deadline_passed(void)
{
	return kpy_deadline && ktime_after(ktime_get(), kpy_deadline);
}

/* Nanoseconds left before the limit (S64_MAX without one), at least 0. */
s64 kpy_deadline_left_ns(void)
{
	if (!kpy_deadline)
		return S64_MAX;
	return max_t(s64, 0, ktime_to_ns(ktime_sub(kpy_deadline, ktime_get())));
}
