/*
 * Functions the interpreter calls back into kpython (kernel_mod/kpy_hal.c).
 * Plain C declarations only: this header is also read by the host
 * preprocessor while MicroPython's qstrs are extracted.
 */
#ifndef KPY_HOOKS_H
#define KPY_HOOKS_H

/*
 * Set by kpython's poll timer (kernel_mod/kpy_deadline.c) every
 * millisecond or so while a script runs; the hooks below are called only
 * when it is set, so testing it is all a hook costs while nothing is due.
 */
extern volatile int kpy_poll_flag;
#define KPY_POLL_DUE() __builtin_expect(kpy_poll_flag, 0)

/* From the VM's branches and returns: may request a VM abort. */
void kpy_vm_hook(void);
/* From loops in C that a script controls: may unwind (abort) at once. */
void kpy_c_loop_hook(void);
/* From long GC loops: reschedules only (the heap is mid-collection). */
void kpy_gc_hook(void);
/* Before an nlr jump unwinds the C frames below the target buffer. */
void kpy_nlr_jump_hook(void *target);

#endif
