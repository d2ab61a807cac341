/* libc shim: a failed interpreter assertion warns once instead of taking
 * the kernel down. Release builds (NDEBUG) compile assertions out. */
#ifndef KPY_SHIM_ASSERT_H
#define KPY_SHIM_ASSERT_H
#ifdef NDEBUG
#define assert(expr) ((void)0)
#else
#include <linux/bug.h>
#define assert(expr) WARN_ON_ONCE(!(expr))
#endif
#endif
