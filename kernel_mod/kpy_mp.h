/* SPDX-License-Identifier: MIT */
/*
 * kpython's MicroPython-side C (kpy_mp_*.c): code that includes only
 * MicroPython's headers and plain C ones, so that upstream's qstr and
 * module extraction can scan it (embed_cfg/embed.mk lists the files).
 * The kernel side it talks to is declared in embed_cfg/kpy_vfs.h.
 */
#ifndef KPY_MP_H
#define KPY_MP_H

#include "py/obj.h"
#include "kpy_vfs.h"

/* A path argument (str or bytes) as a C string; ValueError on NUL bytes. */
const char *kpy_mp_path(mp_obj_t path);
/* Raise for a negative kernel result (OSError with its errno, or stop the
 * script when its time is up); returns a non-negative one. */
long kpy_mp_check(long ret);
/* Everything from an open file to its end, bytes or str. */
mp_obj_t kpy_mp_readall(int fd, bool text, size_t max);
/* sys.path from a colon-separated list (the sys_path module parameter). */
void kpy_mp_sys_path_init(const char *list);

#endif
