/* libc shim: mem* and str* are exported by the kernel. */
#include <linux/string.h>
