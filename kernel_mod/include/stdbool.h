/* SPDX-License-Identifier: MIT */
/* Freestanding libc (kpy_libc_types.h): bool is the kernel's _Bool. */
#ifndef KPY_LIBC_STDBOOL_H
#define KPY_LIBC_STDBOOL_H
#include "kpy_libc_types.h"
#define true 1
#define false 0
#endif
