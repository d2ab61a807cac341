// SPDX-License-Identifier: MIT
/*
 * The interpreter's C stack is the caller's kernel stack (THREAD_SIZE,
 * 16 KiB on x86-64 and arm64). Python-to-Python calls do not recurse in C
 * (MICROPY_STACKLESS), but parsing, compiling and calls through builtins
 * do, and MicroPython's stack check keeps them within a limit computed for
 * each execution from the stack that really remains, minus a headroom for
 * the C code between two checks and the kernel functions it calls
 * (printk for the log mirror, allocation for the output buffer).
 *
 * At load, kpy_stack_measure() paints the free stack, calls printk and
 * the allocators and finds the deepest word they touched. Numbers measured
 * in qemu on x86-64 and arm64 are in README.md; the module refuses to load
 * if a measurement ever exceeds half the headroom.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include "kpy_arch.h"
#include "kpy.h"

size_t kpy_stack_headroom = 6144;
size_t kpy_stack_probe_printk;
size_t kpy_stack_probe_alloc;

#define KPY_STACK_PAINT 0x6b70795f7061696eUL	/* "kpy_pain" */
/* Leave this much below our own frame unpainted: the probe's own calls. */
#define KPY_STACK_PAINT_GAP 64

static unsigned long kpy_stack_bottom(void)
{
	/* The lowest word holds STACK_END_MAGIC. */
	return (unsigned long)task_stack_page(current) + sizeof(unsigned long);
}

unsigned long kpy_stack_remaining(unsigned long sp)
{
	unsigned long bottom = kpy_stack_bottom();

	if (WARN_ON_ONCE(sp <= bottom || sp - bottom > THREAD_SIZE))
		return 0;
	return sp - bottom;
}

static void kpy_probe_printk(void)
{
	pr_info("measuring stack use of printk and allocation\n");
}

static void kpy_probe_alloc(void)
{
	void *big = kvmalloc(256 * 1024, GFP_KERNEL | __GFP_NOWARN);
	void *small = kmalloc(4096, GFP_KERNEL | __GFP_NOWARN);

	kfree(small);
	kvfree(big);
}

/*
 * Fill the free stack from the bottom up to gap bytes below sp. Inlined:
 * a frame of its own would lie in the region it paints.
 */
static __always_inline void kpy_stack_paint(unsigned long sp)
{
	unsigned long *p = (unsigned long *)kpy_stack_bottom();
	unsigned long *hi = (unsigned long *)(sp - KPY_STACK_PAINT_GAP);

	for (; p < hi; p++)
		*p = KPY_STACK_PAINT;
}

/* Lowest address written since kpy_stack_paint(sp). */
static __always_inline unsigned long kpy_stack_low_water(unsigned long sp)
{
	unsigned long *p = (unsigned long *)kpy_stack_bottom();
	unsigned long *hi = (unsigned long *)(sp - KPY_STACK_PAINT_GAP);

	while (p < hi && *p == KPY_STACK_PAINT)
		p++;
	return (unsigned long)p;
}

/* Bytes of stack below the caller's frame that fn() touched. */
static noinline size_t kpy_stack_probe(void (*fn)(void))
{
	unsigned long sp = current_stack_pointer;

	kpy_stack_paint(sp);
	barrier();
	fn();
	barrier();
	return sp - kpy_stack_low_water(sp);
}

/*
 * Around each execution: paint, then find how close the interpreter and
 * everything it called (interrupts included) came to the end of the stack.
 */
size_t kpy_stack_min_free = THREAD_SIZE;
size_t kpy_stack_max_used;

/* Returns the mark to hand to kpy_stack_watch_end() from the same caller. */
noinline unsigned long kpy_stack_watch_begin(void)
{
	unsigned long sp = current_stack_pointer;

	kpy_stack_paint(sp);
	return sp;
}

noinline void kpy_stack_watch_end(unsigned long sp)
{
	unsigned long low = kpy_stack_low_water(sp);

	kpy_stack_max_used = max_t(size_t, kpy_stack_max_used, sp - low);
	kpy_stack_min_free = min_t(size_t, kpy_stack_min_free,
				   low - kpy_stack_bottom());
}

int kpy_stack_measure(void)
{
	kpy_stack_probe_printk = kpy_stack_probe(kpy_probe_printk);
	kpy_stack_probe_alloc = kpy_stack_probe(kpy_probe_alloc);
	pr_info("stack: printk %zu bytes, allocation %zu bytes, headroom %zu bytes of %lu\n",
		kpy_stack_probe_printk, kpy_stack_probe_alloc,
		kpy_stack_headroom, (unsigned long)THREAD_SIZE);
	if (max(kpy_stack_probe_printk, kpy_stack_probe_alloc) >
	    kpy_stack_headroom / 2) {
		pr_err("stack headroom too small for this kernel\n");
		return -EOVERFLOW;
	}
	return 0;
}
