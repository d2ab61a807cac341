// SPDX-License-Identifier: MIT
/*
 * The two functions every MicroPython port provides: garbage collection
 * over registers and stack, and the handler for an exception nobody
 * catches.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/kasan.h>
#include <linux/printk.h>
#include "kpy_arch.h"

#include "py/gc.h"
#include "py/nlr.h"
#include "py/runtime.h"
#include "py/mperrno.h"
#include "shared/runtime/gchelper.h"

/*
 * Roots: callee-saved registers (where the compiler may keep the only
 * reference to a fresh object) and the kernel stack from here up to the
 * frame of kpy_interpret(), recorded as the stack top.
 */
void gc_collect(void)
{
	gc_collect_start();
	gc_helper_collect_regs_and_stack();
	gc_collect_end();
}

/*
 * Unreachable by construction: kpy_interpret() runs every entry into the
 * interpreter under nlr_push (kpy_protected_call), so an exception always
 * has a handler. If this ever runs, the nlr stack is corrupt and no
 * return path is safe; BUG() kills only the calling task (the kernel goes
 * on unless panic_on_oops is set).
 */
void nlr_jump_fail(void *val)
{
	pr_emerg("uncaught exception %px outside every handler\n", val);
	BUG();
}

#if IS_ENABLED(CONFIG_KASAN_STACK)
/*
 * KASAN's runtime (mm/kasan/generic.c, exported for compiled code); gcc
 * knows it as a builtin, with the bottom of the range as an integer.
 */
void __asan_allocas_unpoison(void *stack_top, long stack_bottom);
#endif

/*
 * nlr_jump() returns into the frame holding target by restoring registers:
 * the frames below it never run their epilogues, which is where KASAN's
 * stack instrumentation removes the redzones of their locals. Left
 * poisoned, that stack makes later calls (printk, the unwinder) look like
 * out-of-bounds accesses. So unpoison it, from here up to the target.
 * User-space ASan does the same in __asan_handle_no_return.
 */
void kpy_nlr_jump_hook(void *target)
{
#if IS_ENABLED(CONFIG_KASAN_STACK)
	__asan_allocas_unpoison((void *)current_stack_pointer, (long)target);
#endif
}
