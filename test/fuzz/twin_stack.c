/*
 * The kernel runs a script on the caller's 16 KiB task stack, with a guard
 * page below it (VMAP_STACK). The twin does the same: an mmap'd stack of
 * TWIN_STACK_SIZE with an inaccessible page below, switched to by a few
 * instructions (swapcontext would do, but ASan warns it may misreport).
 * ASan is told about each switch (fiber annotations), so that its view of
 * "the current stack" is right when nlr_jump unwinds.
 */
#include <sanitizer/asan_interface.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "twin.h"

static char *twin_stack_lo;	/* lowest usable byte, above the guard */

static struct {
	void (*fn)(void *);
	void *arg;
	const void *caller_bottom;
	size_t caller_size;
} twin_call;

static void twin_stack_alloc(void)
{
	size_t len = TWIN_STACK_SIZE + TWIN_PAGE_SIZE;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);

	if (p == MAP_FAILED || mprotect(p, TWIN_PAGE_SIZE, PROT_NONE) != 0) {
		perror("twin: small stack");
		_exit(2);
	}
	twin_stack_lo = p + TWIN_PAGE_SIZE;
}

unsigned long twin_stack_remaining(unsigned long sp)
{
	unsigned long bottom = (unsigned long)twin_stack_lo;

	if (sp <= bottom || sp - bottom > TWIN_STACK_SIZE)
		return 0;
	return sp - bottom;
}

/* First function on the small stack. */
static void twin_small_entry(void)
{
	__sanitizer_finish_switch_fiber(NULL, &twin_call.caller_bottom,
					&twin_call.caller_size);
	twin_call.fn(twin_call.arg);
	/* The small stack's frames are done with: no fake stack to keep. */
	__sanitizer_start_switch_fiber(NULL, twin_call.caller_bottom,
				       twin_call.caller_size);
}

void twin_on_small_stack(void (*fn)(void *), void *arg)
{
	char *top;
	void *fake = NULL;

	if (!twin_stack_lo)
		twin_stack_alloc();
	/* 16-byte aligned, as the ABI wants before the call. */
	top = twin_stack_lo + TWIN_STACK_SIZE - TWIN_ENTRY_DEPTH;
	twin_call.fn = fn;
	twin_call.arg = arg;
	__sanitizer_start_switch_fiber(&fake, twin_stack_lo, TWIN_STACK_SIZE);
	/* Save our stack pointer in a callee-saved register, call on the
	 * small stack, come back. */
	__asm__ volatile("mov %%rsp, %%r12\n\t"
			 "mov %[top], %%rsp\n\t"
			 "call *%[fn]\n\t"
			 "mov %%r12, %%rsp\n\t"
			 :
			 : [top] "r"(top), [fn] "r"(twin_small_entry)
			 : "r12", "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9",
			   "r10", "r11", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
			   "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
			   "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "cc",
			   "memory");
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
}
