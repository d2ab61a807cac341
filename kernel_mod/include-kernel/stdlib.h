/* libc shim: nothing from stdlib is needed beyond what the kernel has. */
#include <linux/types.h>
#include <linux/stddef.h>
