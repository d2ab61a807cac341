/* libc shim: upstream includes it for ssize_t and the seek constants. */
#include <linux/types.h>
#include <stdio.h>
