/* SPDX-License-Identifier: MIT */
/*
 * Freestanding libc: MicroPython maps its MP_E* codes onto these. The
 * numbers are the kernel's user-space ABI, which x86-64 and arm64 take
 * from asm-generic: its two uapi headers, which define only numbers and
 * have not changed in years, rather than linux/errno.h and what it pulls in.
 */
#ifndef KPY_LIBC_ERRNO_H
#define KPY_LIBC_ERRNO_H
#include <uapi/asm-generic/errno.h>
#endif
