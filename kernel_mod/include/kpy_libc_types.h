/* SPDX-License-Identifier: MIT */
/*
 * The interpreter's freestanding libc: its types, spelled as the kernel
 * spells them on 64-bit targets (linux/types.h, asm-generic/int-ll64.h),
 * without including any of it. Glue that sees kernel headers passes these
 * types across, so they must be the kernel's: kpy_libc.c includes this file
 * after linux/types.h, where a typedef that differs does not compile.
 * Typedefs only: no macro here may clash with a kernel one.
 */
#ifndef KPY_LIBC_TYPES_H
#define KPY_LIBC_TYPES_H

#if __SIZEOF_LONG__ != 8 || __SIZEOF_POINTER__ != 8
#error "kpython's libc is written for 64-bit kernels (x86-64, arm64)"
#endif

typedef unsigned long size_t;
typedef long ssize_t;
typedef long ptrdiff_t;
typedef unsigned long uintptr_t;
typedef _Bool bool;

typedef signed char int8_t;
typedef unsigned char uint8_t;
typedef short int16_t;
typedef unsigned short uint16_t;
typedef int int32_t;
typedef unsigned int uint32_t;
typedef long long int64_t;
typedef unsigned long long uint64_t;

#endif
