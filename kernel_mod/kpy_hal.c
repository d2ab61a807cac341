// SPDX-License-Identifier: MIT
/*
 * MicroPython's HAL over kernel services, and the hooks through which the
 * interpreter lets the kernel run: rescheduling, the time limit and fatal
 * signals to the caller.
 */
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/irqflags.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <asm/timex.h>

#include "py/mphal.h"
#include "py/runtime.h"
#include "extmod/modtime.h"
#include "kpy_modtime.h"
#include "kpy.h"
#include "kpy_hooks.h"
#include "kern.h"

/* Context of the execution in progress; the run lock serializes them. */
static struct kpy_output *kpy_out;
static enum kpy_status kpy_abort;

void kpy_hal_begin(struct kpy_output *out, unsigned int timeout_ms)
{
	kpy_out = out;
	kpy_abort = KPY_OK;
	kpy_deadline_start(timeout_ms);
}

void kpy_hal_end(void)
{
	kpy_deadline_stop();
	kpy_out = NULL;
}

enum kpy_status kpy_hal_abort_reason(void)
{
	return kpy_abort;
}

/* Output may allocate (GFP_KERNEL) and printk: outside the FPU section. */
void kpy_hal_print(const char *s, size_t n)
{
	bool fpu;

	if (!kpy_out)
		return;
	fpu = kpy_fpu_pause();
	kpy_output_write(kpy_out, s, n);
	kpy_fpu_resume(fpu);
}

/* Decide whether the script must stop; remembers why for the caller. */
static bool kpy_must_abort(void)
{
	if (kpy_abort != KPY_OK)
		return true;
	if (fatal_signal_pending(current))
		kpy_abort = KPY_KILLED;
	else if (kpy_deadline_passed())
		kpy_abort = KPY_TIMEOUT;
	return kpy_abort != KPY_OK;
}

/* For kernel code that waits on the script's behalf (kpy_vfs.c). */
bool kpy_hal_stop_due(void)
{
	return kpy_must_abort();
}

/* Unwind to the top level now; only for C code called from Python. */
static void kpy_abort_now(void)
{
	mp_sched_vm_abort();
	mp_handle_pending(true);
}

/* For C code that waits on behalf of the script (kernel module's probes). */
void kpy_hal_check_abort(void)
{
	if (kpy_must_abort())
		kpy_abort_now();
}

/*
 * Every hook leaves the FPU section to reschedule (kpy_fpu.c) and calls
 * back into the interpreter only after re-entering it.
 *
 * A hook is also a tasks-RCU quiescent state, as any point where the
 * script could sleep is: under preempt=full cond_resched() does nothing,
 * and a script that never sleeps (one consuming a probe's endless stream)
 * otherwise holds up synchronize_rcu_tasks() for its whole run. The kprobe
 * optimizer waits for that holding kprobe_mutex, so every kprobe operation
 * of the system stalled behind it, the script's own unregistering too
 * (315 on the debug kernel: 10.7 s past its time limit).
 */
static bool kpy_resched_outside_fpu(void)
{
	bool fpu = kpy_fpu_pause_in_python();
	bool stop;

	cond_resched_tasks_rcu_qs();
	stop = kpy_must_abort();
	kpy_fpu_resume(fpu);
	return stop;
}

/*
 * The hooks run when the poll timer (kpy_deadline.c) has set
 * kpy_poll_flag. The VM's hook only requests the abort, which the VM
 * carries out at its next pending check; a C loop's hook unwinds at once.
 * A VM hook at a return may hand control back to C code (a callback of
 * re.sub() or sort()) before the VM checks again, so once the abort is due
 * the flag stays set: the next hook of any kind acts on it.
 */
void kpy_vm_hook(void)
{
	WRITE_ONCE(kpy_poll_flag, 0);
	if (kpy_resched_outside_fpu()) {
		mp_sched_vm_abort();
		WRITE_ONCE(kpy_poll_flag, 1);
	}
}

void kpy_c_loop_hook(void)
{
	WRITE_ONCE(kpy_poll_flag, 0);
	if (kpy_resched_outside_fpu())
		kpy_abort_now();
}

/*
 * In the middle of a collection the heap is inconsistent, so the GC's hook
 * only reschedules and leaves the flag set for a hook that may abort.
 */
void kpy_gc_hook(void)
{
	bool fpu = kpy_fpu_pause_in_python();

	cond_resched_tasks_rcu_qs();
	kpy_fpu_resume(fpu);
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

/* Sleeps run outside the FPU section: it would make every context atomic. */
void mp_hal_delay_ms(mp_uint_t ms)
{
	bool fpu = kpy_fpu_pause();
	ktime_t end;
	s64 left;

	if (in_atomic() || irqs_disabled()) {
		mdelay(ms);
		goto out;
	}
	/* 49 days at most, far from overflowing ktime_t. */
	end = ktime_add_ms(ktime_get(), min_t(mp_uint_t, ms, U32_MAX));
	for (;;) {
		if (kpy_must_abort()) {
			kpy_fpu_resume(fpu);
			kpy_abort_now();
		}
		left = ktime_us_delta(end, ktime_get());
		if (left <= 0)
			break;
		/* Wake at the time limit, not a slice after it. */
		left = min3(left, (s64)KPY_SLEEP_SLICE_US,
			    kpy_deadline_left_ns() / NSEC_PER_USEC + 1);
		usleep_range(left, left + KPY_SLEEP_SLACK_US);
	}
out:
	kpy_fpu_resume(fpu);
}

void mp_hal_delay_us(mp_uint_t us)
{
	bool fpu;

	if (us >= 1000) {
		mp_hal_delay_ms(us / 1000);
		us %= 1000;
	}
	if (!us)
		return;
	fpu = kpy_fpu_pause();
	if (in_atomic() || irqs_disabled() || us < 10)
		udelay(us);
	else
		usleep_range(us, us + us / 8);
	kpy_fpu_resume(fpu);
}
