/* SPDX-License-Identifier: MIT */
/* Freestanding libc (kpy_libc_types.h): size_t, ptrdiff_t, NULL, offsetof. */
#ifndef KPY_LIBC_STDDEF_H
#define KPY_LIBC_STDDEF_H
#include "kpy_libc_types.h"
#define NULL ((void *)0)
#define offsetof(type, member) __builtin_offsetof(type, member)
#endif
