// SPDX-License-Identifier: MIT
/*
 * MicroPython's HAL over kernel services, and the hooks through which the
 * interpreter lets the kernel run: rescheduling, the time limit and fatal
 * signals to the caller.
 */
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <asm/timex.h>

#include "py/mphal.h"
#include "py/runtime.h"
#include "extmod/modtime.h"
#include "kpy_modtime.h"
#include "kpy.h"

/* Context of the execution in progress; the run lock serializes them. */
static struct kpy_output *kpy_out;
static unsigned long kpy_deadline;
static bool kpy_has_deadline;
static enum kpy_status kpy_abort;

void kpy_hal_begin(struct kpy_output *out, unsigned long deadline)
{
	kpy_out = out;
	kpy_deadline = deadline;
	kpy_has_deadline = deadline != 0;
	kpy_abort = KPY_OK;
}

void kpy_hal_end(void)
{
	kpy_out = NULL;
}

enum kpy_status kpy_hal_abort_reason(void)
{
	return kpy_abort;
}

void kpy_hal_print(const char *s, size_t n)
{
	if (kpy_out)
		kpy_output_write(kpy_out, s, n);
}

/* Decide whether the script must stop; remembers why for the caller. */
static bool kpy_must_abort(void)
{
	if (kpy_abort != KPY_OK)
		return true;
	if (fatal_signal_pending(current))
		kpy_abort = KPY_KILLED;
	else if (kpy_has_deadline && time_after(jiffies, kpy_deadline))
		kpy_abort = KPY_TIMEOUT;
	return kpy_abort != KPY_OK;
}

/* Unwind to the top level now; only for C code called from Python. */
static void kpy_abort_now(void)
{
	mp_sched_vm_abort();
	mp_handle_pending(true);
}

void kpy_vm_hook(void)
{
	cond_resched();
	if (kpy_must_abort())
		mp_sched_vm_abort();
}

unsigned int kpy_c_loop_count = KPY_C_LOOP_COUNT;

void kpy_c_loop_hook(void)
{
	kpy_c_loop_count = KPY_C_LOOP_COUNT;
	cond_resched();
	if (kpy_must_abort())
		kpy_abort_now();
}

void kpy_gc_hook(void)
{
	cond_resched();
}

mp_uint_t mp_hal_stdout_tx_strn(const char *str, size_t len)
{
	kpy_hal_print(str, len);
	return len;
}

void mp_hal_stdout_tx_strn_cooked(const char *str, size_t len)
{
	kpy_hal_print(str, len);
}

void mp_hal_stdout_tx_str(const char *str)
{
	kpy_hal_print(str, strlen(str));
}

mp_uint_t mp_hal_ticks_ms(void)
{
	return ktime_to_ms(ktime_get());
}

mp_uint_t mp_hal_ticks_us(void)
{
	return ktime_to_us(ktime_get());
}

mp_uint_t mp_hal_ticks_cpu(void)
{
	return get_cycles();
}

uint64_t mp_hal_time_ns(void)
{
	return ktime_get_real_ns();
}

mp_obj_t mp_time_time_get(void)
{
	return mp_obj_new_int_from_ull(ktime_get_real_seconds());
}

/*
 * Sleep toward an absolute deadline in slices, so that the time limit and a
 * fatal signal interrupt a long sleep too and slices do not add up their
 * rounding to jiffies (hrtimer-based usleep_range). Busy-wait only where
 * sleeping is not allowed.
 */
#define KPY_SLEEP_SLICE_US (10 * USEC_PER_MSEC)
#define KPY_SLEEP_SLACK_US 50

void mp_hal_delay_ms(mp_uint_t ms)
{
	ktime_t end;
	s64 left;

	if (in_atomic() || irqs_disabled()) {
		mdelay(ms);
		return;
	}
	/* 49 days at most, far from overflowing ktime_t. */
	end = ktime_add_ms(ktime_get(), min_t(mp_uint_t, ms, U32_MAX));
	for (;;) {
		if (kpy_must_abort())
			kpy_abort_now();
		left = ktime_us_delta(end, ktime_get());
		if (left <= 0)
			break;
		left = min_t(s64, left, KPY_SLEEP_SLICE_US);
		usleep_range(left, left + KPY_SLEEP_SLACK_US);
	}
}

void mp_hal_delay_us(mp_uint_t us)
{
	if (us >= 1000) {
		mp_hal_delay_ms(us / 1000);
		us %= 1000;
	}
	if (!us)
		return;
	if (in_atomic() || irqs_disabled() || us < 10)
		udelay(us);
	else
		usleep_range(us, us + us / 8);
}
