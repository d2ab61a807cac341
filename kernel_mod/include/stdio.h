/* SPDX-License-Identifier: MIT */
/* Freestanding libc: MicroPython prints through mp_print_t, never through
 * stdio; only the seek constants are used (py/stream.c). */
#ifndef KPY_LIBC_STDIO_H
#define KPY_LIBC_STDIO_H
#include <stddef.h>
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#endif
