/* libc shim: fixed-width integer types from the kernel's own typedefs.
 * The limits are plain literals because upstream tests some of them in
 * #if, where the kernel's cast-based limits do not evaluate. */
#ifndef KPY_SHIM_STDINT_H
#define KPY_SHIM_STDINT_H
#include <linux/types.h>
#include <linux/limits.h>

typedef long intptr_t;
typedef s64 intmax_t;
typedef u64 uintmax_t;

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
#ifndef UINTPTR_MAX
#define UINTPTR_MAX 18446744073709551615UL
#endif
#define PTRDIFF_MIN INTPTR_MIN
#define PTRDIFF_MAX INTPTR_MAX
#endif
