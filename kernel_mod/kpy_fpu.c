// SPDX-License-Identifier: MIT
/*
 * Kernel FPU sections around interpreter code.
 *
 * The whole interpreter is compiled with FPU flags (Kbuild): floats flow
 * through the VM, the runtime, the parser and formatting, and the compiler
 * uses vector registers in integer code too once it may. The kernel saves
 * the FPU state of user space only when asked, so interpreter code runs
 * only between kernel_fpu_begin() and kernel_fpu_end() (x86-64;
 * kernel_neon_begin/end on arm64). A section disables preemption, so
 * everything that may sleep, reschedule or take long leaves it first:
 * the hooks' rescheduling, sleeps, output (allocation, printk). Those are
 * in our glue, which is compiled without FPU flags.
 *
 * Leaving and re-entering is safe in the middle of interpreter code: the
 * only FPU state C code keeps across a call is the control register (MXCSR
 * or FPCR), and every section starts with the default one, which is the one
 * MicroPython runs with. Vector registers are caller-saved in both ABIs.
 *
 * Executions are serialized by the run lock, so one global state suffices.
 * The longest section since load is kept for the stats file, in time and
 * in poll periods (times the 1 ms poll timer fired inside it): the time
 * includes stalls of the whole CPU (a VM's virtual CPU not running), the
 * periods do not, since a late timer fires once.
 */
#include <linux/bug.h>
#include <linux/sched/clock.h>
#include <linux/preempt.h>
#if defined(CONFIG_X86_64)
#include <asm/fpu/api.h>
#define kpy_arch_fpu_begin() kernel_fpu_begin()
#define kpy_arch_fpu_end() kernel_fpu_end()
#elif defined(CONFIG_ARM64)
#include <asm/neon.h>
#define kpy_arch_fpu_begin() kernel_neon_begin()
#define kpy_arch_fpu_end() kernel_neon_end()
#else
#error "kpython: no kernel FPU section for this architecture"
#endif
#include "kpy.h"

static bool kpy_fpu_open;	/* a section is open now */
static u64 kpy_fpu_since;	/* when it was opened (local_clock) */
static u64 kpy_fpu_polls0;	/* poll timer fires by then */
u64 kpy_fpu_max_ns;		/* longest section since load */
u64 kpy_fpu_max_polls;		/* most poll periods one section saw */
atomic64_t kpy_stat_fpu_sections = ATOMIC64_INIT(0);

static void kpy_fpu_open_section(void)
{
	kpy_arch_fpu_begin();
	kpy_fpu_open = true;
	kpy_fpu_since = local_clock();
	kpy_fpu_polls0 = READ_ONCE(kpy_poll_fires);
}

static void kpy_fpu_close_section(void)
{
	u64 len = local_clock() - kpy_fpu_since;
	u64 polls = READ_ONCE(kpy_poll_fires) - kpy_fpu_polls0;

	if (len > kpy_fpu_max_ns)
		kpy_fpu_max_ns = len;
	if (polls > kpy_fpu_max_polls)
		kpy_fpu_max_polls = polls;
	atomic64_inc(&kpy_stat_fpu_sections);
	kpy_fpu_open = false;
	kpy_arch_fpu_end();
}

/* Around one whole execution (kpy_interpret()). */
void kpy_fpu_begin(void)
{
	WARN_ON_ONCE(kpy_fpu_open);
	kpy_fpu_open_section();
}

void kpy_fpu_end(void)
{
	if (!WARN_ON_ONCE(!kpy_fpu_open))
		kpy_fpu_close_section();
}

/*
 * Leave the section for something that may sleep or take long; returns
 * whether one was open, for kpy_fpu_resume(). Glue that also runs outside
 * an execution (printing before it starts) may call it with none open.
 */
bool kpy_fpu_pause(void)
{
	if (!kpy_fpu_open)
		return false;
	kpy_fpu_close_section();
	return true;
}

void kpy_fpu_resume(bool was_open)
{
	if (was_open)
		kpy_fpu_open_section();
}

/*
 * For hooks that only interpreter code calls: a hook reached with no
 * section open means FPU-compiled code ran outside one, which the VM
 * tests' kernel-log check turns into a failure.
 */
bool kpy_fpu_pause_in_python(void)
{
	bool was_open = kpy_fpu_pause();

	WARN_ONCE(!was_open, "kpython: interpreter code outside an FPU section\n");
	return was_open;
}
