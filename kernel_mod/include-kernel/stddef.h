/* libc shim: size_t, ptrdiff_t, NULL and offsetof come from the kernel. */
#include <linux/types.h>
#include <linux/stddef.h>
