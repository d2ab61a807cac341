// SPDX-License-Identifier: MIT
/*
 * The exec interface, one implementation behind both front ends: the
 * character device /dev/kpython (kpy_chardev.c) and the debugfs file
 * /sys/kernel/debug/kpython/exec (kpy_debugfs.c) register these same file
 * operations. Write a script, then
 *  - close the file: the script runs, its output goes to the kernel log
 *    (`echo 'print(1)' > /dev/kpython`);
 *  - or read the same descriptor: the script runs at the first read and the
 *    reads return its output and traceback. When the script did not
 *    succeed, the read at the end of the output fails with EREMOTEIO
 *    (exception), ETIME (time limit) or EINTR (fatal signal), so a client
 *    tells success from failure without parsing output. A script that its
 *    signature policy refuses (kpy_sig.c) never runs: the first read fails
 *    with EPERM (no signature where one is required) or EKEYREJECTED (a
 *    signature that does not verify).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/mutex.h>
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

atomic64_t kpy_stat_sessions = ATOMIC64_INIT(0);

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
	 * write(2) to the debugfs file holds debugfs's freeze protection
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
	/* Replaces the miscdevice or debugfs pointer the front end left. */
	file->private_data = s;
	atomic64_inc(&kpy_stat_sessions);
	return nonseekable_open(inode, file);
}

static void kpy_session_run(struct kpy_session *s)
{
	enum kpy_status status;
	size_t len = s->script.len;
	int ret;

	s->ran = true;
	/* Checks and strips an appended signature; refusals are logged. */
	ret = kpy_sig_admit(s->script.data, &len);
	if (ret) {
		s->err = ret;
		return;
	}
	ret = kpy_run(s->script.data ?: "", len, &s->out, &status);
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

const struct file_operations kpy_exec_fops = {
	.owner = THIS_MODULE,
	.open = kpy_exec_open,
	.read = kpy_exec_read,
	.write = kpy_exec_write,
	.release = kpy_exec_release,
};
