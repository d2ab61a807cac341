// SPDX-License-Identifier: MIT
/*
 * /sys/kernel/debug/kpython/exec: write a script, then
 *  - close the file: the script runs, its output goes to the kernel log
 *    (`echo 'print(1)' > exec`);
 *  - or read the same descriptor: the script runs at the first read and the
 *    reads return its output and traceback. When the script did not
 *    succeed, the read at the end of the output fails with EREMOTEIO
 *    (exception), ETIME (time limit) or EINTR (fatal signal), so a client
 *    tells success from failure without parsing output.
 * /sys/kernel/debug/kpython/stats: counters and the stack budget.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "kpy.h"

#define KPY_SCRIPT_MAX (1024 * 1024)

struct kpy_session {
	struct mutex lock;	/* one read or write of this file at a time */
	struct kpy_buf script;
	bool ran;
	int err;		/* reported at the end of the output */
	struct kpy_output out;
};

static struct dentry *kpy_dir;
static atomic64_t kpy_stat_sessions = ATOMIC64_INIT(0);

static int kpy_status_errno(enum kpy_status status)
{
	switch (status) {
	case KPY_OK:
		return 0;
	case KPY_RAISED:
		return -EREMOTEIO;
	case KPY_TIMEOUT:
		return -ETIME;
	case KPY_KILLED:
		return -EINTR;
	default:
		return -ENOMEM;
	}
}

static int kpy_exec_open(struct inode *inode, struct file *file)
{
	struct kpy_session *s;

	/* A script (through its file layer) would wait for itself. */
	if (kpy_run_in_script())
		return -EDEADLK;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	mutex_init(&s->lock);
	/*
	 * write(2) to this file holds debugfs's freeze protection
	 * (sb_writers) while it takes the session lock, and a read runs the
	 * script, whose file layer may open or write a debugfs file (taking
	 * sb_writers again) under the run lock: lockdep sees a cycle. It
	 * cannot close: debugfs cannot be frozen, so nothing ever takes its
	 * sb_writers exclusively. The session lock is left out of lockdep's
	 * graph (as the driver core does for device_lock); running scripts
	 * outside the session lock would remove the order instead.
	 */
	lockdep_set_novalidate_class(&s->lock);
	kpy_output_init(&s->out, (size_t)READ_ONCE(kpy_max_output_kb) * 1024,
			READ_ONCE(kpy_log_output));
	file->private_data = s;
	atomic64_inc(&kpy_stat_sessions);
	return nonseekable_open(inode, file);
}

static void kpy_session_run(struct kpy_session *s)
{
	enum kpy_status status;
	int ret;

	s->ran = true;
	ret = kpy_run(s->script.data ?: "", s->script.len, &s->out, &status);
	s->err = ret ? ret : kpy_status_errno(status);
}

static ssize_t kpy_exec_write(struct file *file, const char __user *buf,
			      size_t count, loff_t *ppos)
{
	struct kpy_session *s = file->private_data;
	ssize_t ret;

	if (mutex_lock_killable(&s->lock))
		return -EINTR;
	if (s->ran) {
		ret = -EBUSY;
		goto out_unlock;
	}
	ret = kpy_buf_reserve(&s->script, s->script.len + count, KPY_SCRIPT_MAX);
	if (ret)
		goto out_unlock;
	if (copy_from_user(s->script.data + s->script.len, buf, count)) {
		ret = -EFAULT;
		goto out_unlock;
	}
	s->script.len += count;
	ret = count;
out_unlock:
	mutex_unlock(&s->lock);
	return ret;
}

static ssize_t kpy_exec_read(struct file *file, char __user *buf,
			     size_t count, loff_t *ppos)
{
	struct kpy_session *s = file->private_data;
	ssize_t ret;

	if (mutex_lock_killable(&s->lock))
		return -EINTR;
	if (!s->ran)
		kpy_session_run(s);
	ret = simple_read_from_buffer(buf, count, ppos, s->out.text.data,
				      s->out.text.len);
	if (ret == 0 && count)
		ret = s->err;
	mutex_unlock(&s->lock);
	return ret;
}

static int kpy_exec_release(struct inode *inode, struct file *file)
{
	struct kpy_session *s = file->private_data;

	if (!s->ran && s->script.len)
		kpy_session_run(s);
	kpy_output_free(&s->out);
	kpy_buf_free(&s->script);
	kfree(s);
	atomic64_dec(&kpy_stat_sessions);
	return 0;
}

static const struct file_operations kpy_exec_fops = {
	.owner = THIS_MODULE,
	.open = kpy_exec_open,
	.read = kpy_exec_read,
	.write = kpy_exec_write,
	.release = kpy_exec_release,
};

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
