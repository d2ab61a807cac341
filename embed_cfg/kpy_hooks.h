/*
 * Functions the interpreter calls back into kpython (kernel_mod/kpy_hal.c).
 * Plain C declarations only: this header is also read by the host
 * preprocessor while MicroPython's qstrs are extracted.
 */
#ifndef KPY_HOOKS_H
#define KPY_HOOKS_H

/* Called every MICROPY_VM_HOOK_COUNT branches or returns of the VM. */
void kpy_vm_hook(void);
/* Called every KPY_C_LOOP_COUNT turns of a long loop in C. */
#define KPY_C_LOOP_COUNT 256
extern unsigned int kpy_c_loop_count;
void kpy_c_loop_hook(void);
/* Called periodically from long GC loops. */
void kpy_gc_hook(void);

#endif
