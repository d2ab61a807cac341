/* SPDX-License-Identifier: MIT */
/* Freestanding libc: upstream includes it; it needs nothing from it but
 * the types (memory comes from MicroPython's own heap). */
#ifndef KPY_LIBC_STDLIB_H
#define KPY_LIBC_STDLIB_H
#include <stddef.h>
#endif
