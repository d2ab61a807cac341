/* The twin compiles the interpreter and lib/libm_dbl against the module's
 * own <math.h> shim, as the kernel build does: glibc's declares libm
 * internals (__cos, __sin, ...) with other signatures. */
#include "../../../kernel_mod/include/math.h"
