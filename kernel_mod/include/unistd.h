/* SPDX-License-Identifier: MIT */
/* Freestanding libc: upstream includes it for ssize_t and the seek constants. */
#ifndef KPY_LIBC_UNISTD_H
#define KPY_LIBC_UNISTD_H
#include <stdio.h>
#endif
