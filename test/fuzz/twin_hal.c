/*
 * Stand-in for kernel_mod/kpy_hal.c: MicroPython's HAL and the hooks
 * through which kpython stops a script. The deadline is a flag set by a
 * timer (POSIX timer, as an hrtimer in the kernel); the hooks only test
 * it, in the same places as the kernel's.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "py/mphal.h"
#include "py/runtime.h"
#include "extmod/modtime.h"
#include "kpy_hooks.h"
#include "twin.h"

unsigned int twin_timeout_ms = 1000;
bool twin_echo;

static volatile sig_atomic_t twin_deadline_hit;
static enum twin_status twin_abort;
static timer_t twin_timer;
static bool twin_timer_made;
static size_t twin_out_len;
/* kpy_max_output_kb's default: output past it is dropped. */
#define TWIN_OUTPUT_LIMIT (64u << 10)

static void twin_deadline_fired(int sig)
{
	twin_deadline_hit = 1;
}

static void twin_timer_init(void)
{
	struct sigevent sev = { 0 };
	struct sigaction sa = { 0 };

	sa.sa_handler = twin_deadline_fired;
	/* On the alternate stack: the script's stack may be nearly full. */
	sa.sa_flags = SA_RESTART | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGRTMIN, &sa, NULL);
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGRTMIN;
	if (timer_create(CLOCK_MONOTONIC, &sev, &twin_timer) != 0) {
		perror("twin: timer_create");
		_exit(2);
	}
	twin_timer_made = true;
}

static void twin_timer_arm(unsigned int ms)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
	timer_settime(twin_timer, 0, &its, NULL);
}

void twin_hal_begin(void)
{
	if (!twin_timer_made)
		twin_timer_init();
	twin_out_len = 0;
	twin_abort = TWIN_OK;
	twin_deadline_hit = 0;
	if (twin_timeout_ms)
		twin_timer_arm(twin_timeout_ms);
}

void twin_hal_end(void)
{
	twin_timer_arm(0);
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

static bool twin_must_abort(void)
{
	if (twin_abort != TWIN_OK)
		return true;
	if (twin_deadline_hit)
		twin_abort = TWIN_TIMEOUT;
	return twin_abort != TWIN_OK;
}

static void twin_abort_now(void)
{
	mp_sched_vm_abort();
	mp_handle_pending(true);
}

void kpy_vm_hook(void)
{
	if (twin_must_abort())
		mp_sched_vm_abort();
}

unsigned int kpy_c_loop_count = KPY_C_LOOP_COUNT;

void kpy_c_loop_hook(void)
{
	kpy_c_loop_count = KPY_C_LOOP_COUNT;
	if (twin_must_abort())
		twin_abort_now();
}

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

static uint64_t twin_now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
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
