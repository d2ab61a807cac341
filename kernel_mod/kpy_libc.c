// SPDX-License-Identifier: MIT
/*
 * The kernel side of the interpreter's freestanding libc (include/).
 *
 * The interpreter's objects see no kernel header (beyond the ones Kbuild
 * forces on every unit), so that they are the same for every kernel whose
 * compiler, flags and configuration they see are (issue 14: the object
 * cache shares them across releases). Two things need the kernel:
 *
 *  - the types. Glue that includes kernel headers passes sizes, integers
 *    and bools to the interpreter and back, so include/'s types must be the
 *    kernel's. Here its typedefs follow the kernel's own: C accepts a
 *    typedef again only for the same type, so one that differs (uint64_t
 *    as unsigned long, say) fails this file's compile.
 *  - fortify. include/string.h checks copies against the sizes the
 *    compiler knows, as the kernel's fortify-string.h does, and reports an
 *    overflow here, before any byte moves, the way the kernel's does: a
 *    message and BUG(). It may run inside an FPU section (reviewed for
 *    that: it neither sleeps nor returns).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/printk.h>
#include <linux/types.h>
#include "include/kpy_libc_types.h"

void __noreturn __cold kpy_fortify_fail(const char *func, size_t size, size_t avail);

void __noreturn __cold kpy_fortify_fail(const char *func, size_t size, size_t avail)
{
	pr_emerg("detected buffer overflow in %s (%zu bytes, %zu available)\n",
		 func, size, avail);
	BUG();
}
