// SPDX-License-Identifier: MIT
/*
 * The kernel-side glue, compiled as one translation unit (issue 14).
 *
 * Each of these files includes kernel headers, and with them the same
 * 30,000-50,000 preprocessed lines: 17 units spent about 90% of their
 * compile time parsing those headers. Together they parse them once (on
 * 6.1 amd64, 10.4 s of CPU for the 17 units, about 2 s for this one). The
 * interpreter's objects are shared across kernels by the object cache;
 * this one is compiled again for each kernel whose headers differ, so its
 * cost is most of what a cached build compiles.
 *
 * Each file stays a complete unit of its own: it includes what it uses and
 * keeps its helpers static (a name two files both define does not compile
 * here). Glue the interpreter calls, or that calls the interpreter, stays
 * out (kpy_interp.c, kpy_hal.c, kpy_port.c, kpy_libc.c and kpy_fpu.c):
 * check-fpu-boundary.sh judges those object by object.
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
