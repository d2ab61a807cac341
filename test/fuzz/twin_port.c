/*
 * Stand-in for kernel_mod/kpy_port.c: garbage collection over registers
 * and the (small) stack through upstream's gchelper, the handler nobody
 * should reach. open() is the module's own (kernel_mod/kpy_mp_file.c), over
 * the stubbed file layer of twin_vfs.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include "py/gc.h"
#include "py/nlr.h"
#include "py/runtime.h"
#include "py/mperrno.h"
#include "shared/runtime/gchelper.h"
#include "kpy_hooks.h"

void gc_collect(void)
{
	gc_collect_start();
	gc_helper_collect_regs_and_stack();
	gc_collect_end();
}

/* In the kernel this is BUG(): a finding here too. */
void nlr_jump_fail(void *val)
{
	fprintf(stderr, "twin: uncaught exception %p outside every handler\n",
		val);
	abort();
}

/*
 * The kernel unpoisons for KASAN the stack an nlr jump unwinds. User-space
 * ASan already does that when nlr_jump, a noreturn function, is called
 * (__asan_handle_no_return, which knows the small stack from the fiber
 * annotations in twin_stack.c), so there is nothing left to do here.
 */
void kpy_nlr_jump_hook(void *target)
{
}

/* UBSan's reports carry a stack trace, as ASan's do. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "print_stacktrace=1";
}
