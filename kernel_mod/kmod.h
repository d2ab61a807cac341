/* SPDX-License-Identifier: MIT */
/*
 * The `kernel` Python module's bindings (kmod_*.c): shared helpers and the
 * objects the module table (kmod_kernel.c) lists. MicroPython types only.
 */
#ifndef KPY_KMOD_H
#define KPY_KMOD_H

#include "py/obj.h"

/* An address argument: an int in [0, 2**64); anything else raises. */
uint64_t kmod_get_addr(mp_obj_t obj);
/* A kallsyms name argument, NUL-terminated (ValueError if it cannot be). */
const char *kmod_get_symbol_name(mp_obj_t obj);
/* A printable str from a fixed-size kernel name (non-ASCII becomes '?'). */
mp_obj_t kmod_new_name(const char *s, size_t max);
/* Raises OSError(errno) for -errno (a macro: objtool does not know that
 * a function ending in MicroPython's noreturn raise does not return). */
#define kmod_raise_errno(err) mp_raise_OSError((err) < 0 ? -(err) : (err))

MP_DECLARE_CONST_FUN_OBJ_1(kmod_symbol_obj);
MP_DECLARE_CONST_FUN_OBJ_2(kmod_read_obj);
MP_DECLARE_CONST_FUN_OBJ_1(kmod_read_u8_obj);
MP_DECLARE_CONST_FUN_OBJ_1(kmod_read_u16_obj);
MP_DECLARE_CONST_FUN_OBJ_1(kmod_read_u32_obj);
MP_DECLARE_CONST_FUN_OBJ_1(kmod_read_u64_obj);
MP_DECLARE_CONST_FUN_OBJ_0(kmod_tasks_obj);
MP_DECLARE_CONST_FUN_OBJ_0(kmod_current_obj);
MP_DECLARE_CONST_FUN_OBJ_0(kmod_modules_obj);
MP_DECLARE_CONST_FUN_OBJ_KW(kmod_kprobe_obj);
MP_DECLARE_CONST_FUN_OBJ_KW(kmod_kretprobe_obj);

#endif
