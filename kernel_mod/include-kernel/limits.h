/* libc shim: integer limits. */
#ifndef KPY_SHIM_LIMITS_H
#define KPY_SHIM_LIMITS_H
#include <linux/limits.h>
#ifndef CHAR_BIT
#define CHAR_BIT 8
#endif
#endif
