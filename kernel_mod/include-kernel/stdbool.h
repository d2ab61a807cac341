/* libc shim: the kernel defines bool, true and false itself. */
#include <linux/types.h>
