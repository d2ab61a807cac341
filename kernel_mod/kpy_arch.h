/* SPDX-License-Identifier: MIT */
/*
 * What differs between the architectures kpython builds for, in one place:
 * where current_stack_pointer comes from (x86-64: asm/asm.h, arm64:
 * asm/stack_pointer.h).
 */
#ifndef KPY_ARCH_H
#define KPY_ARCH_H

#if defined(CONFIG_X86_64)
#include <asm/asm.h>
#elif defined(CONFIG_ARM64)
#include <asm/stack_pointer.h>
#else
#error "kpython: no stack pointer access for this architecture"
#endif

#endif /* KPY_ARCH_H */
