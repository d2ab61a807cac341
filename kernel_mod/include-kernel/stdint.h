/* libc shim: fixed-width integer types from the kernel's own typedefs, for
 * glue that includes kernel headers too. The freestanding libc's stdint.h
 * (include/) adds the rest: it repeats the kernel's typedefs with the same
 * types, which C allows (kpy_libc.c checks that they are the same), and its
 * <limits.h> is the kernel-backed one here. */
#ifndef KPY_SHIM_STDINT_H
#define KPY_SHIM_STDINT_H
#include <linux/types.h>
#include <linux/limits.h>
#include "../include/stdint.h"
#endif
