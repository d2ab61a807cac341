/* SPDX-License-Identifier: MIT */
/*
 * Freestanding libc: fixed-width integer types (kpy_libc_types.h, the
 * kernel's own) and their limits as plain literals, which upstream tests
 * in #if.
 */
#ifndef KPY_LIBC_STDINT_H
#define KPY_LIBC_STDINT_H
#include "kpy_libc_types.h"
#include <limits.h>

typedef long intptr_t;
typedef long long intmax_t;
typedef unsigned long long uintmax_t;

#define INT8_MIN (-128)
#define INT8_MAX 127
#define UINT8_MAX 255
#define INT16_MIN (-32768)
#define INT16_MAX 32767
#define UINT16_MAX 65535
#define INT32_MIN (-2147483647 - 1)
#define INT32_MAX 2147483647
#define UINT32_MAX 4294967295U
#define INT64_MIN (-9223372036854775807LL - 1)
#define INT64_MAX 9223372036854775807LL
#define UINT64_MAX 18446744073709551615ULL
#define INTPTR_MIN (-9223372036854775807L - 1)
#define INTPTR_MAX 9223372036854775807L
/* The kernel's own, when glue has its headers too (include-kernel/stdint.h). */
#ifndef UINTPTR_MAX
#define UINTPTR_MAX 18446744073709551615UL
#endif
#define PTRDIFF_MIN INTPTR_MIN
#define PTRDIFF_MAX INTPTR_MAX
#endif
