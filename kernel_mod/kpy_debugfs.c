// SPDX-License-Identifier: MIT
/*
 * /sys/kernel/debug/kpython/exec: the exec interface of kpy_exec.c, the
 * same file operations as /dev/kpython (`echo 'print(1)' > exec`). Lockdown
 * (integrity and up) refuses to open it: /dev/kpython is the way there.
 * /sys/kernel/debug/kpython/stats: counters and the stack budget (read-only,
 * so lockdown=integrity still lets root read it).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include "kpy.h"

static struct dentry *kpy_dir;

static int kpy_stats_show(struct seq_file *m, void *v)
{
	seq_printf(m, "runs %lld\n", atomic64_read(&kpy_stat_runs));
	seq_printf(m, "raised %lld\n", atomic64_read(&kpy_stat_raised));
	seq_printf(m, "timeouts %lld\n", atomic64_read(&kpy_stat_timeouts));
	seq_printf(m, "killed %lld\n", atomic64_read(&kpy_stat_killed));
	seq_printf(m, "heap_bytes %u\n", kpy_heap_kb * 1024);
	seq_printf(m, "open_sessions %lld\n", atomic64_read(&kpy_stat_sessions));
	seq_printf(m, "buffer_bytes %lld\n", atomic64_read(&kpy_stat_buf_bytes));
	seq_printf(m, "stack_size %lu\n", (unsigned long)THREAD_SIZE);
	seq_printf(m, "stack_headroom %zu\n", kpy_stack_headroom);
	seq_printf(m, "stack_probe_printk %zu\n", kpy_stack_probe_printk);
	seq_printf(m, "stack_probe_alloc %zu\n", kpy_stack_probe_alloc);
	seq_printf(m, "stack_max_used %zu\n", kpy_stack_max_used);
	seq_printf(m, "stack_min_free %zu\n", kpy_stack_min_free);
	/* Signature policy (kpy_sig.c). */
	seq_printf(m, "signed_runs %lld\n", atomic64_read(&kpy_stat_signed));
	seq_printf(m, "refused %lld\n", atomic64_read(&kpy_stat_refused));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kpy_stats);

int kpy_debugfs_init(void)
{
	struct dentry *d;

	kpy_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	if (IS_ERR(kpy_dir))
		return PTR_ERR(kpy_dir);
	d = debugfs_create_file("exec", 0600, kpy_dir, NULL, &kpy_exec_fops);
	if (IS_ERR(d))
		goto out_remove_dir;
	d = debugfs_create_file("stats", 0400, kpy_dir, NULL, &kpy_stats_fops);
	if (IS_ERR(d))
		goto out_remove_dir;
	return 0;

out_remove_dir:
	debugfs_remove_recursive(kpy_dir);
	return PTR_ERR(d);
}

void kpy_debugfs_exit(void)
{
	debugfs_remove_recursive(kpy_dir);
}
