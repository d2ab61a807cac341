/*
 * Stand-in for kernel_mod/kpy_hal.c and kpy_deadline.c: MicroPython's HAL
 * and the hooks through which kpython stops a script. As in the kernel, a
 * periodic timer (POSIX here, an hrtimer there) sets kpy_poll_flag every
 * millisecond; the hooks run only when it is set, clear it and compare
 * the clock with the deadline.
 */
#include <sanitizer/common_interface_defs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "py/mphal.h"
#include "py/runtime.h"
#include "extmod/modtime.h"
#include "kpy_hooks.h"
#include "twin.h"

unsigned int twin_timeout_ms = 1000;
unsigned int twin_overrun_ms = 2000;
bool twin_echo;

/* kpy_deadline.c's KPY_POLL_NS */
#define TWIN_POLL_NS 1000000L

volatile int kpy_poll_flag;
static enum twin_status twin_abort;
static uint64_t twin_deadline_ns;	/* 0: no limit */
static timer_t twin_poll_timer, twin_watchdog;
static bool twin_timer_made;
static size_t twin_out_len;
/* kpy_max_output_kb's default: output past it is dropped. */
#define TWIN_OUTPUT_LIMIT (64u << 10)

static uint64_t twin_now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void twin_poll_fired(int sig)
{
	kpy_poll_flag = 1;
}

/*
 * The soft-lockup detector's counterpart: a script still running
 * twin_overrun_ms past its deadline sits in a loop no hook reaches. Show
 * where (the stack of the interrupted code) and end as a finding.
 *
 * The watchdog counts the CPU time the script used, not wall time: on a
 * busy machine a niced twin may wait seconds for a CPU, and that is no
 * overrun. A script runs at most twin_timeout_ms of CPU before its (wall
 * clock) deadline, so timeout + overrun of CPU means at least overrun of
 * CPU after the deadline.
 */
static void twin_watchdog_fired(int sig)
{
	static const char msg[] =
		"twin: deadline overrun: script still running past its time limit\n";

	write(2, msg, sizeof(msg) - 1);
	__sanitizer_print_stack_trace();
	write(2, "SUMMARY: twin: deadline overrun\n", 32);
	abort();
}

static void twin_timer_make(clockid_t clk, int sig, void (*handler)(int),
			    int flags, timer_t *t)
{
	struct sigevent sev = { 0 };
	struct sigaction sa = { 0 };

	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART | flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = sig;
	if (timer_create(clk, &sev, t) != 0) {
		perror("twin: timer_create");
		_exit(2);
	}
}

static void twin_timer_init(void)
{
	/* On the alternate stack: the script's stack may be nearly full. */
	twin_timer_make(CLOCK_MONOTONIC, SIGRTMIN, twin_poll_fired, SA_ONSTACK,
			&twin_poll_timer);
	/* On the script's stack, so that the trace unwinds through it. */
	twin_timer_make(CLOCK_THREAD_CPUTIME_ID, SIGRTMIN + 1,
			twin_watchdog_fired, 0, &twin_watchdog);
	twin_timer_made = true;
}

static void twin_timer_arm(timer_t t, long first_ns, long period_ns)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = first_ns / 1000000000L;
	its.it_value.tv_nsec = first_ns % 1000000000L;
	its.it_interval.tv_sec = period_ns / 1000000000L;
	its.it_interval.tv_nsec = period_ns % 1000000000L;
	timer_settime(t, 0, &its, NULL);
}

void twin_hal_begin(void)
{
	if (!twin_timer_made)
		twin_timer_init();
	twin_out_len = 0;
	twin_abort = TWIN_OK;
	twin_deadline_ns = twin_timeout_ms ?
		twin_now_ns(CLOCK_MONOTONIC) + twin_timeout_ms * 1000000ull : 0;
	kpy_poll_flag = 0;
	twin_timer_arm(twin_poll_timer, TWIN_POLL_NS, TWIN_POLL_NS);
	if (twin_timeout_ms && twin_overrun_ms)
		twin_timer_arm(twin_watchdog,
			       (twin_timeout_ms + twin_overrun_ms) * 1000000L, 0);
}

void twin_hal_end(void)
{
	twin_timer_arm(twin_poll_timer, 0, 0);
	twin_timer_arm(twin_watchdog, 0, 0);
	kpy_poll_flag = 0;
}

enum twin_status twin_hal_abort_reason(void)
{
	return twin_abort;
}

size_t twin_output_len(void)
{
	return twin_out_len;
}

void twin_hal_print(const char *s, size_t n)
{
	size_t room = TWIN_OUTPUT_LIMIT - twin_out_len;

	if (n > room)
		n = room;
	twin_out_len += n;
	if (twin_echo && n)
		fwrite(s, 1, n, stdout);
}

static bool twin_deadline_passed(void)
{
	return twin_deadline_ns && twin_now_ns(CLOCK_MONOTONIC) > twin_deadline_ns;
}

static bool twin_must_abort(void)
{
	if (twin_abort != TWIN_OK)
		return true;
	if (twin_deadline_passed())
		twin_abort = TWIN_TIMEOUT;
	return twin_abort != TWIN_OK;
}

static void twin_abort_now(void)
{
	mp_sched_vm_abort();
	mp_handle_pending(true);
}

/* As kpy_hal.c: once the abort is due the flag stays set for the next hook. */
void kpy_vm_hook(void)
{
	kpy_poll_flag = 0;
	if (twin_must_abort()) {
		mp_sched_vm_abort();
		kpy_poll_flag = 1;
	}
}

void kpy_c_loop_hook(void)
{
	kpy_poll_flag = 0;
	if (twin_must_abort())
		twin_abort_now();
}

/* Reschedules only in the kernel; leaves the flag for a hook that aborts. */
void kpy_gc_hook(void)
{
}

mp_uint_t mp_hal_stdout_tx_strn(const char *str, size_t len)
{
	twin_hal_print(str, len);
	return len;
}

void mp_hal_stdout_tx_strn_cooked(const char *str, size_t len)
{
	twin_hal_print(str, len);
}

void mp_hal_stdout_tx_str(const char *str)
{
	twin_hal_print(str, strlen(str));
}

mp_uint_t mp_hal_ticks_ms(void)
{
	return twin_now_ns(CLOCK_MONOTONIC) / 1000000u;
}

mp_uint_t mp_hal_ticks_us(void)
{
	return twin_now_ns(CLOCK_MONOTONIC) / 1000u;
}

mp_uint_t mp_hal_ticks_cpu(void)
{
	return twin_now_ns(CLOCK_MONOTONIC);
}

uint64_t mp_hal_time_ns(void)
{
	return twin_now_ns(CLOCK_REALTIME);
}

mp_obj_t mp_time_time_get(void)
{
	return mp_obj_new_int_from_ull(twin_now_ns(CLOCK_REALTIME) / 1000000000u);
}

/* As the kernel: sleep in 10 ms slices, each ended early by the deadline. */
#define TWIN_SLEEP_SLICE_US 10000u

void mp_hal_delay_ms(mp_uint_t ms)
{
	uint64_t end;

	if (ms > 0xffffffffu)
		ms = 0xffffffffu;
	end = twin_now_ns(CLOCK_MONOTONIC) + (uint64_t)ms * 1000000u;
	for (;;) {
		uint64_t now;
		uint64_t left;

		if (twin_must_abort())
			twin_abort_now();
		now = twin_now_ns(CLOCK_MONOTONIC);
		if (now >= end)
			break;
		left = (end - now) / 1000u;
		if (left > TWIN_SLEEP_SLICE_US)
			left = TWIN_SLEEP_SLICE_US;
		/* Wake at the time limit, not a slice after it. */
		if (twin_deadline_ns && now < twin_deadline_ns &&
		    left > (twin_deadline_ns - now) / 1000u + 1)
			left = (twin_deadline_ns - now) / 1000u + 1;
		usleep(left);
	}
}

void mp_hal_delay_us(mp_uint_t us)
{
	if (us >= 1000) {
		mp_hal_delay_ms(us / 1000);
		us %= 1000;
	}
	if (us)
		usleep(us);
}
