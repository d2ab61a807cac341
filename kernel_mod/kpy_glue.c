// SPDX-License-Identifier: MIT
/*
 * The kernel-side glue, compiled as one translation unit (issue 14).
 *
 * Each of these files includes kernel headers, and with them 18,000 to
 * 52,000 preprocessed lines, mostly the same ones. As 17 units they took
 * 10.4 s of CPU on 6.1 amd64 (gcc-12), as this one 1.3-1.5 s. The
 * interpreter's objects are shared across kernels by the object cache;
 * this one is compiled again for each kernel whose headers differ, so its
 * cost is most of what a cached build compiles.
 *
 * Each file is still written as a unit of its own: it includes what it
 * uses and keeps its helpers static. Here a static name two files define
 * does not compile, and a macro stays defined for the files after it (a
 * different definition warns; pr_fmt is the same in every file that sets
 * it, and no other file here uses it). Glue the interpreter calls, or that
 * calls the interpreter, stays out (kpy_interp.c, kpy_hal.c, kpy_port.c,
 * kpy_libc.c and kpy_fpu.c): check-fpu-boundary.sh judges those object by
 * object.
 */
#include "kpy_main.c"
#include "kpy_debugfs.c"
#include "kpy_run.c"
#include "kpy_buf.c"
#include "kpy_output.c"
#include "kpy_stack.c"
#include "kpy_deadline.c"
#include "kpy_exec.c"
#include "kpy_chardev.c"
#include "kpy_sig.c"
#include "kern_sys.c"
#include "kern_mem.c"
#include "kern_tasks.c"
#include "kern_probe.c"
#include "kpy_vfs.c"
#include "kpy_vfs_dir.c"
#include "kpy_vfs_ns.c"
