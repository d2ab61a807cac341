/*
 * kpython: MicroPython configuration for running inside the Linux kernel.
 *
 * Fed to MicroPython's ports/embed to generate the interpreter sources, and
 * used again when those sources are compiled with Kbuild. It is read both by
 * the host preprocessor (qstr extraction) and by the kernel compiler, so it
 * must not include kernel headers: the hooks below call functions declared
 * in kpy_hooks.h and defined in kernel_mod/.
 *
 * Layering as in ports/unix: start from a ROM level, then switch features
 * off (what the kernel cannot support) and on (what a kernel user expects).
 */
#include <port/mpconfigport_common.h>
#include "kpy_hooks.h"

/* The kernel's `fallthrough` keyword macro would expand inside upstream's
 * __attribute__((fallthrough)); nothing after this point needs the macro. */
#if defined(__KERNEL__) && defined(fallthrough)
#undef fallthrough
#endif
/* Likewise `noinline`: spell the attribute so no macro can touch it. */
#define MP_NOINLINE __attribute__((__noinline__))

#define MICROPY_CONFIG_ROM_LEVEL (MICROPY_CONFIG_ROM_LEVEL_EXTRA_FEATURES)

/* Off, and said so: upstream tests these with #if and never defines them,
 * and our glue, which includes MicroPython's headers with -I (kernel_mod/
 * Kbuild), is compiled with the kernel's -Wundef. */
#define MICROPY_NLR_SETJMP (0)
#define MICROPY_GCREGS_SETJMP (0)
#define MICROPY_ROM_TEXT_COMPRESSION (0)
#define MICROPY_EMIT_NATIVE_DEBUG (0)
#define MICROPY_PY_SSL_ECDSA_SIGN_ALT (0)

/* Core: compiler, GC, arbitrary-precision integers. */
#define MICROPY_ENABLE_COMPILER (1)
#define MICROPY_ENABLE_GC (1)
#define MICROPY_LONGINT_IMPL (MICROPY_LONGINT_IMPL_MPZ)
#define MICROPY_ERROR_REPORTING (MICROPY_ERROR_REPORTING_NORMAL)
#define MICROPY_ENABLE_SOURCE_LINE (1)
#define MICROPY_WARNINGS (1)

/* Python calls do not recurse on the 16 KiB kernel stack: frames live on
 * a Python stack carved from the heap (MICROPY_STACKLESS + PYSTACK), so
 * recursion depth is bounded by its size and runaway recursion raises
 * RuntimeError('pystack exhausted'). C recursion (parser, compiler, calls
 * through builtins) is bounded by the stack check instead, which raises
 * RuntimeError('maximum recursion depth exceeded'). */
#define MICROPY_STACKLESS (1)
#define MICROPY_STACKLESS_STRICT (1)
#define MICROPY_ENABLE_PYSTACK (1)
#define MICROPY_STACK_CHECK (1)

/* Interruption: kpython's poll timer sets kpy_poll_flag every millisecond
 * or so (kernel_mod/kpy_deadline.c); the VM tests it at every branch and
 * return, and then kpython reschedules and, past the time limit or on a
 * fatal signal, requests a VM abort, which unwinds to the top level
 * without running except/finally handlers, so a script cannot catch it. */
#define MICROPY_ENABLE_VM_ABORT (1)
#define MICROPY_ENABLE_SCHEDULER (1)
#define MICROPY_KBD_EXCEPTION (0)
#define MICROPY_VM_HOOK_POLL \
	if (KPY_POLL_DUE()) { \
		kpy_vm_hook(); \
	}
#define MICROPY_VM_HOOK_LOOP MICROPY_VM_HOOK_POLL
#define MICROPY_VM_HOOK_RETURN MICROPY_VM_HOOK_POLL
/* Loops that run in C (builtins iterating, big-integer arithmetic, sorting,
 * searching, comparing and printing containers, regex matching) test the
 * same flag through a hook added by kernel_mod/patches/. */
#define MICROPY_HOOK_C_LOOP \
	if (KPY_POLL_DUE()) { \
		kpy_c_loop_hook(); \
	}
/* An exception unwinds C frames without their epilogues: kpython tells
 * KASAN, when the kernel has it, that their stack is free again. */
#define MICROPY_NLR_JUMP_HOOK(top) kpy_nlr_jump_hook(top)
/* Long mark/sweep loops over a big heap reschedule too. */
#define MICROPY_GC_HOOK_LOOP(i) \
	do { \
		if (((i) & 0xfff) == 0 && KPY_POLL_DUE()) \
			kpy_gc_hook(); \
	} while (0)

/* The interpreter's speed options, as in the unix port. */
#define MICROPY_OPT_COMPUTED_GOTO (1)
#define MICROPY_OPT_LOAD_ATTR_FAST_PATH (1)
#define MICROPY_OPT_MAP_LOOKUP_CACHE (1)
#define MICROPY_OPT_MPZ_BITWISE (1)

/* Nothing here reads a console or emits machine code. */
#define MICROPY_READER_VFS (0)
#define MICROPY_HELPER_REPL (0)
#define MICROPY_PY_BUILTINS_INPUT (0)
#define MICROPY_PY_BUILTINS_HELP (0)
#define MICROPY_PY_BUILTINS_EXECFILE (0)
#define MICROPY_PY_SYS_STDIO_BUFFER (0)
#define MICROPY_PY_SYS_PS1_PS2 (0)
#define MICROPY_PY_OS (0)
#define MICROPY_PY_SELECT (0)
#define MICROPY_PY_ASYNCIO (0)
#define MICROPY_PY_UCTYPES (0)
#define MICROPY_PY_DEFLATE (0)
#define MICROPY_PY_HASHLIB (0)
#define MICROPY_PY_BINASCII (0)
#define MICROPY_PY_RANDOM (0)
#define MICROPY_PY_HEAPQ (0)
#define MICROPY_PY_MICROPYTHON_RINGIO (0)
#define MICROPY_ENABLE_FINALISER (0)
#define MICROPY_PY_THREAD (0)
#define MICROPY_EMIT_X64 (0)
#define MICROPY_PERSISTENT_CODE_LOAD (0)

/* Modules a kernel user expects. */
#define MICROPY_PY_SYS (1)
#define MICROPY_PY_SYS_PLATFORM "linux"
#define MICROPY_PY_SYS_MAXSIZE (1)
#define MICROPY_PY_SYS_EXIT (1)
#define MICROPY_PY_GC (1)
#define MICROPY_PY_MICROPYTHON (1)
#define MICROPY_PY_MICROPYTHON_MEM_INFO (1)
#define MICROPY_PY_COLLECTIONS (1)
#define MICROPY_PY_STRUCT (1)
#define MICROPY_PY_ARRAY (1)
#define MICROPY_PY_IO (1)
#define MICROPY_PY_ERRNO (1)
#define MICROPY_PY_RE (1)
#define MICROPY_PY_RE_SUB (1)
#define MICROPY_PY_JSON (1)
#define MICROPY_PY_TIME (1)
#define MICROPY_PY_TIME_TIME_TIME_NS (1)
#define MICROPY_PY_TIME_INCLUDEFILE "kpy_modtime_inc.h"

/* Floats: IEEE double, math and cmath over MicroPython's own libm
 * (lib/libm_dbl, built into the module). The interpreter is compiled with
 * the kernel's FPU flags and runs only inside kernel FPU sections
 * (kernel_mod/kpy_fpu.c). */
#define MICROPY_FLOAT_IMPL (MICROPY_FLOAT_IMPL_DOUBLE)
#define MICROPY_PY_MATH (1)
#define MICROPY_PY_CMATH (1)
/* lib/libm_dbl has no log2: py/modmath.c defines it over log. */
#define MP_NEED_LOG2 (1)
/* struct and array convert half floats in C, not with libgcc helpers. */
#define MICROPY_FLOAT_USE_NATIVE_FLT16 (0)
/* A hash over the bits: the cast of the default hash is undefined for inf
 * and NaN, and it sends every float in [0, 1) to one bucket. */
#define MICROPY_FLOAT_HIGH_QUALITY_HASH (1)

/* Files and imports on the kernel VFS, in the caller's context: open() and
 * the os module (kernel_mod/kpy_mp_*.c, over kernel_mod/kpy_vfs*.c), import from
 * sys.path (kernel_mod/kpy_mp_import.c provides mp_import_stat() and
 * mp_lexer_new_from_file()), sys.stdout for print(..., file=f). errno
 * gains the codes file operations report. */
#define MICROPY_ENABLE_EXTERNAL_IMPORT (1)
#define MICROPY_PY_SYS_STDFILES (1)
#define MP_ENOTEMPTY ENOTEMPTY
#define MP_ENAMETOOLONG ENAMETOOLONG
#define MP_ELOOP ELOOP
#define MICROPY_PY_ERRNO_LIST \
	X(EPERM) X(ENOENT) X(ESRCH) X(EINTR) X(EIO) X(ENXIO) X(E2BIG) \
	X(EBADF) X(EAGAIN) X(ENOMEM) X(EACCES) X(EFAULT) X(EBUSY) X(EEXIST) \
	X(EXDEV) X(ENODEV) X(ENOTDIR) X(EISDIR) X(EINVAL) X(ENFILE) \
	X(EMFILE) X(ENOTTY) X(ETXTBSY) X(EFBIG) X(ENOSPC) X(ESPIPE) \
	X(EROFS) X(EPIPE) X(ENAMETOOLONG) X(ENOTEMPTY) X(ELOOP) \
	X(EOPNOTSUPP) X(EADDRINUSE) X(ECONNABORTED) X(ECONNRESET) \
	X(ENOBUFS) X(ENOTCONN) X(ETIMEDOUT) X(ECONNREFUSED) \
	X(EHOSTUNREACH) X(EALREADY) X(EINPROGRESS)

/* str holds Unicode text (UTF-8 inside), as in CPython. */
#define MICROPY_PY_BUILTINS_STR_UNICODE (1)

/* The kernel's SSIZE_MAX is a cast, which #if cannot evaluate (mpz). */
#define MP_SSIZE_MAX (0x7fffffffffffffffL)

#define MICROPY_ALLOC_PATH_MAX (256)
#define MICROPY_HW_BOARD_NAME "kernel"
/* sys.implementation._machine and os.uname(): the target, as uname -m says. */
#if defined(__aarch64__)
#define MICROPY_HW_MCU_NAME "aarch64"
#elif defined(__x86_64__)
#define MICROPY_HW_MCU_NAME "x86_64"
#else
#error "kpython: unknown target architecture"
#endif

/* The `kernel` module (kernel_mod/kmod_*.c) raises OSError with EFAULT
 * (bad addresses), ENOSPC (too many probes), EBUSY and ESRCH, which
 * upstream's default errno list lacks. Another feature may define a longer
 * list; it must keep these. */
#ifndef MICROPY_PY_ERRNO_LIST
#define MICROPY_PY_ERRNO_LIST \
	X(EPERM) X(ENOENT) X(ESRCH) X(EINTR) X(EIO) X(E2BIG) X(EBADF) \
	X(EAGAIN) X(ENOMEM) X(EACCES) X(EFAULT) X(EBUSY) X(EEXIST) \
	X(ENODEV) X(EISDIR) X(EINVAL) X(ENOSPC) X(ERANGE) \
	X(EOPNOTSUPP) X(EADDRINUSE) X(ECONNABORTED) X(ECONNRESET) \
	X(ENOBUFS) X(ENOTCONN) X(ETIMEDOUT) X(ECONNREFUSED) \
	X(EHOSTUNREACH) X(EALREADY) X(EINPROGRESS)
#endif
