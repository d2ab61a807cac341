/*
 * The twin: kpython's interpreter (the kernel module's generated and
 * patched MicroPython objects) in a user-space program, with stand-ins
 * for the kernel glue that keep the kernel's limits.
 */
#ifndef TWIN_H
#define TWIN_H

#include <stdbool.h>
#include <stddef.h>

/* How one execution ended: kernel_mod/kpy.h's enum kpy_status. */
enum twin_status {
	TWIN_OK,
	TWIN_RAISED,
	TWIN_TIMEOUT,
	TWIN_KILLED,
	TWIN_NOMEM,
};

/* Limits, as kpython's defaults (kernel_mod/kpy_main.c, kpy_interp.c). */
#define TWIN_HEAP_SIZE (2u << 20)
#define TWIN_KERNEL_STACK (16u << 10)
/* KPY_TWIN_STACK_SCALE (Makefile) scales stack, entry depth and headroom. */
#define TWIN_STACK_SIZE (TWIN_KERNEL_STACK * KPY_TWIN_STACK_SCALE)
/*
 * How deep in the task stack kpy_interpret() runs: the syscall, debugfs
 * and kpy_run frames above it. README.md's stack budget measured 8952
 * bytes used below the entry and 5944 left free, of 16384: 1488 above.
 */
#define TWIN_ENTRY_DEPTH (1536u * KPY_TWIN_STACK_SCALE)
#define TWIN_STACK_HEADROOM (KPY_TWIN_KERNEL_HEADROOM * KPY_TWIN_STACK_SCALE)
#define TWIN_PAGE_SIZE 4096u

/* twin_hal.c: per-execution context seen by the hooks. */
extern unsigned int twin_timeout_ms;
/* How long past the deadline a script may take to stop. */
extern unsigned int twin_overrun_ms;
extern bool twin_echo;
void twin_hal_begin(void);
void twin_hal_end(void);
enum twin_status twin_hal_abort_reason(void);
void twin_hal_print(const char *s, size_t n);
size_t twin_output_len(void);

/* twin_stack.c: run fn on the guarded small stack. */
void twin_on_small_stack(void (*fn)(void *), void *arg);
unsigned long twin_stack_remaining(unsigned long sp);

/* twin_heap.c: mark a fresh heap usable again. */
void twin_heap_reset(void *heap, size_t size);

/* twin_interp.c: one interpreter lifetime, as kpy_interpret(). */
enum twin_status twin_interpret(void *heap, size_t heap_size,
				const char *src, size_t len);
/* The whole execution as kpy_run() does it: small stack, deadline. */
enum twin_status twin_run(const char *src, size_t len);
const char *twin_status_name(enum twin_status s);

#endif
