// SPDX-License-Identifier: MIT
/*
 * kpython: MicroPython in the Linux kernel. Scripts written to /dev/kpython
 * or /sys/kernel/debug/kpython/exec run in the writer's context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include "kpy.h"
#include "kern.h"

unsigned int kpy_heap_kb = 2048;
module_param_named(heap_kb, kpy_heap_kb, uint, 0444);
MODULE_PARM_DESC(heap_kb, "Python heap in KiB, allocated at load (default 2048)");

unsigned int kpy_timeout_ms = 10000;
module_param_named(timeout_ms, kpy_timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms, "Time limit of one execution in ms, 0 = none (default 10000)");

unsigned int kpy_max_output_kb = 4096;
module_param_named(max_output_kb, kpy_max_output_kb, uint, 0644);
MODULE_PARM_DESC(max_output_kb, "Output kept for the caller per execution in KiB (default 4096)");

bool kpy_log_output = true;
module_param_named(log_output, kpy_log_output, bool, 0644);
MODULE_PARM_DESC(log_output, "Mirror script output to the kernel log (default on)");

/* Where import looks, colon-separated; read by every execution. */
char kpy_sys_path[KPY_SYS_PATH_MAX] = "/lib/kpython";
module_param_string(sys_path, kpy_sys_path, sizeof(kpy_sys_path), 0444);
MODULE_PARM_DESC(sys_path, "sys.path of every script, colon-separated (default /lib/kpython)");

static int __init kpy_init(void)
{
	int ret;

	if (kpy_heap_kb < 64 || kpy_heap_kb > 1024 * 1024) {
		pr_err("heap_kb must be between 64 and 1048576\n");
		return -EINVAL;
	}
	ret = kpy_stack_measure();
	if (ret)
		return ret;
	ret = kpy_run_init((size_t)kpy_heap_kb * 1024);
	if (ret)
		return ret;
	ret = kpy_debugfs_init();
	if (ret)
		goto out_free_heap;
	ret = kpy_chardev_init();
	if (ret)
		goto out_remove_debugfs;
	pr_info("ready: heap %u KiB, time limit %u ms\n", kpy_heap_kb,
		kpy_timeout_ms);
	return 0;

out_remove_debugfs:
	kpy_debugfs_exit();
out_free_heap:
	kpy_run_exit();
	return ret;
}

static void __exit kpy_exit(void)
{
	/*
	 * Removing the files waits for open descriptors' operations; an open
	 * /dev/kpython holds a module reference, so none is open here.
	 */
	kpy_chardev_exit();
	kpy_debugfs_exit();
	kern_exit();
	kpy_run_exit();
}

module_init(kpy_init);
module_exit(kpy_exit);
MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("MicroPython in the Linux kernel");
MODULE_VERSION("0.1.0");
