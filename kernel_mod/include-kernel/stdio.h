/* libc shim: MicroPython prints through mp_print_t, never through stdio;
 * only the seek constants are used (py/stream.c). */
#ifndef KPY_SHIM_STDIO_H
#define KPY_SHIM_STDIO_H
#include <linux/types.h>
#include <linux/stddef.h>
#ifndef SEEK_SET
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#endif
#endif
