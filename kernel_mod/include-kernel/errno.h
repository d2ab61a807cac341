/* libc shim: MicroPython maps its MP_E* codes onto these. */
#include <linux/errno.h>
