/* libc shim: va_list and friends. */
#include <linux/stdarg.h>
