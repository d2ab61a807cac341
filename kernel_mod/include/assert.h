/* SPDX-License-Identifier: MIT */
/*
 * Freestanding libc: the interpreter is built with NDEBUG (kernel_mod/Kbuild),
 * so assertions compile out. A build without it would need a report that
 * is safe inside an FPU section; include-kernel/assert.h (WARN_ON_ONCE) is
 * what glue with kernel headers gets.
 */
#ifndef KPY_LIBC_ASSERT_H
#define KPY_LIBC_ASSERT_H
#ifndef NDEBUG
#error "the interpreter's objects are built with -DNDEBUG"
#endif
#define assert(expr) ((void)0)
#endif
