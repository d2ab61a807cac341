/* libc shim: the compiler allocates on the stack; the interpreter's stack
 * check bounds how deep that goes. */
#define alloca(size) __builtin_alloca(size)
