// SPDX-License-Identifier: MIT
/*
 * Files a script opens (embed_cfg/kpy_vfs.h): struct file pointers in a
 * per-execution table, closed in the execution's epilogue however it ends.
 *
 * Context. A script runs in the task that wrote or read the exec file (or
 * closed it: release runs from task work on that task's way back to user
 * space), so filp_open() and friends resolve paths against that task's
 * root, cwd and mount namespace (current->fs, current->nsproxy) and check
 * permissions with its credentials (current_cred()), exactly as a syscall
 * of that task would, umask included. When the exec file's last
 * reference is dropped elsewhere - by an exiting task (after exit_mm() and
 * exit_fs()) or by a kernel thread (delayed fput, whose credentials are
 * the kernel's) - there is no such caller, and every file operation of
 * that execution fails with EPERM instead of borrowing someone's rights.
 *
 * Blocking. Files are opened O_NONBLOCK, and a read or write that would
 * block sleeps here in growing slices until it can go on, the time limit
 * passes or a fatal signal arrives: a FIFO that never delivers ends with
 * the script's time limit, not never. Drivers that ignore O_NONBLOCK and
 * sleep uninterruptibly are out of our reach.
 *
 * Files without read_iter/write_iter, or with read/write as well (most of
 * /proc and debugfs, many character devices: /dev/zero, /dev/null)
 * cannot be used with kernel_read()/kernel_write();
 * they are read and written as a syscall would, through a bounce buffer
 * mapped into the caller's address space for the execution.
 */
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include "kpy.h"
#include "kpy_vfs.h"

#define KPY_FILES_MAX 64
#define KPY_BOUNCE_SIZE (64 * 1024)
#define KPY_WAIT_MIN_US 200
#define KPY_WAIT_MAX_US (10 * USEC_PER_MSEC)
/* Free kernel stack a file operation needs below the caller (path walk,
 * file system, block layer, an interrupt on top): more than the stack
 * check's headroom, which is sized for printk and allocation only. */
#define KPY_VFS_STACK_NEED 7168

/* The run lock serializes executions: one table, no locking. */
static struct file *kpy_files[KPY_FILES_MAX];
static bool kpy_vfs_allowed;
static unsigned long kpy_bounce;	/* user address, 0: not mapped */

void kpy_vfs_begin(void)
{
	kpy_vfs_allowed = current->fs && current->mm &&
			  !(current->flags & (PF_KTHREAD | PF_EXITING));
}

void kpy_vfs_end(void)
{
	int i;

	for (i = 0; i < KPY_FILES_MAX; i++) {
		if (kpy_files[i]) {
			filp_close(kpy_files[i], NULL);
			kpy_files[i] = NULL;
		}
	}
	kpy_vfs_dir_end();
	if (kpy_bounce) {
		vm_munmap(kpy_bounce, KPY_BOUNCE_SIZE);
		kpy_bounce = 0;
	}
	kpy_vfs_allowed = false;
}

/* 0 when this execution may touch files now, else -errno. */
int kpy_vfs_enter(void)
{
	if (!kpy_vfs_allowed)
		return -EPERM;
	if (kpy_stack_remaining(current_stack_pointer) < KPY_VFS_STACK_NEED)
		return -KPY_VFS_ESTACK;
	return 0;
}

/* Kernel error codes a script must not see (the restart family). */
static long kpy_vfs_errno(long err)
{
	if (err == -ERESTARTSYS || err == -ERESTARTNOINTR ||
	    err == -ERESTARTNOHAND || err == -ERESTART_RESTARTBLOCK)
		return -EINTR;
	return err;
}

static struct file *kpy_vfs_file(int fd)
{
	if (fd < 0 || fd >= KPY_FILES_MAX)
		return NULL;
	return kpy_files[fd];
}

static int kpy_vfs_open_sleeps(const char *path, unsigned int how)
{
	int flags = O_LARGEFILE | O_NOCTTY | O_NONBLOCK;
	struct file *f;
	int fd, ret;

	ret = kpy_vfs_enter();
	if (ret)
		return ret;
	for (fd = 0; fd < KPY_FILES_MAX && kpy_files[fd]; fd++)
		;
	if (fd == KPY_FILES_MAX)
		return -EMFILE;
	if ((how & KPY_OPEN_READ) && (how & KPY_OPEN_WRITE))
		flags |= O_RDWR;
	else if (how & KPY_OPEN_WRITE)
		flags |= O_WRONLY;
	if (how & KPY_OPEN_CREATE)
		flags |= O_CREAT;
	if (how & KPY_OPEN_EXCL)
		flags |= O_EXCL;
	if (how & KPY_OPEN_TRUNC)
		flags |= O_TRUNC;
	if (how & KPY_OPEN_APPEND)
		flags |= O_APPEND;
	f = filp_open(path, flags, 0666);
	if (IS_ERR(f))
		return kpy_vfs_errno(PTR_ERR(f));
	/* open(2) lets a directory be opened for reading; Python does not. */
	if (S_ISDIR(file_inode(f)->i_mode)) {
		filp_close(f, NULL);
		return -EISDIR;
	}
	kpy_files[fd] = f;
	return fd;
}

static int kpy_vfs_close_sleeps(int fd)
{
	struct file *f = kpy_vfs_file(fd);

	if (!f)
		return -EBADF;
	kpy_files[fd] = NULL;
	return kpy_vfs_errno(filp_close(f, NULL));
}

/*
 * Wait before retrying an operation that would block: 0 to retry, -ETIME
 * when the execution must stop (the caller then unwinds the script).
 */
static int kpy_vfs_wait(unsigned long *us)
{
	unsigned long slice;

	if (kpy_hal_stop_due())
		return -ETIME;
	slice = min_t(unsigned long, *us, kpy_deadline_left_ns() / NSEC_PER_USEC + 1);
	usleep_range(slice, slice + slice / 4);
	*us = min_t(unsigned long, *us * 2, KPY_WAIT_MAX_US);
	return 0;
}

/* The user-space bounce buffer of this execution, mapped on first use. */
static long kpy_vfs_bounce(void)
{
	unsigned long addr;

	if (kpy_bounce)
		return 0;
	addr = vm_mmap(NULL, 0, KPY_BOUNCE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(addr))
		return (long)addr;
	kpy_bounce = addr;
	return 0;
}

static loff_t *kpy_vfs_ppos(struct file *f, loff_t *pos)
{
	if (f->f_mode & FMODE_STREAM)
		return NULL;
	*pos = f->f_pos;
	return pos;
}

/* What read(2) does after fdget_pos(), for files without read_iter. */
static ssize_t kpy_vfs_read_user(struct file *f, void *buf, size_t n,
				 loff_t *ppos)
{
	void __user *ubuf;
	ssize_t ret;

	if (!f->f_op->read)
		return -EINVAL;
	ret = kpy_vfs_bounce();
	if (ret)
		return ret;
	ubuf = (void __user *)kpy_bounce;
	n = min_t(size_t, n, KPY_BOUNCE_SIZE);
	ret = rw_verify_area(READ, f, ppos, n);
	if (ret)
		return ret;
	ret = f->f_op->read(f, ubuf, n, ppos);
	if (ret > 0 && copy_from_user(buf, ubuf, ret))
		return -EFAULT;
	return ret;
}

/*
 * write(2) holds the file system's freeze protection (sb_writers), which
 * only a file system that can be frozen needs. Not taking it elsewhere
 * matters for debugfs, where the exec file lives: every write(2) to exec
 * holds debugfs's sb_writers while it takes the session lock, so a script
 * that took it under the run lock would close a cycle (lockdep reports
 * it; debugfs cannot be frozen, so it could not really deadlock).
 */
static bool kpy_vfs_freezable(struct file *f)
{
	const struct super_operations *op = file_inode(f)->i_sb->s_op;

	return op->freeze_fs || op->freeze_super;
}

static ssize_t kpy_vfs_write_user(struct file *f, const void *buf, size_t n,
				  loff_t *ppos)
{
	void __user *ubuf;
	bool freeze;
	ssize_t ret;

	if (!f->f_op->write)
		return -EINVAL;
	ret = kpy_vfs_bounce();
	if (ret)
		return ret;
	ubuf = (void __user *)kpy_bounce;
	n = min_t(size_t, n, KPY_BOUNCE_SIZE);
	if (copy_to_user(ubuf, buf, n))
		return -EFAULT;
	ret = rw_verify_area(WRITE, f, ppos, n);
	if (ret)
		return ret;
	freeze = kpy_vfs_freezable(f);
	if (freeze)
		file_start_write(f);
	ret = f->f_op->write(f, ubuf, n, ppos);
	if (freeze)
		file_end_write(f);
	return ret;
}

static ssize_t kpy_vfs_rw_once(struct file *f, void *buf, size_t n,
			       bool write)
{
	loff_t pos, *ppos = kpy_vfs_ppos(f, &pos);
	ssize_t ret;

	if (write) {
		if (!(f->f_mode & FMODE_WRITE))
			return -EBADF;
		if (f->f_op->write_iter && !f->f_op->write)
			ret = kernel_write(f, buf, n, ppos);
		else
			ret = kpy_vfs_write_user(f, buf, n, ppos);
	} else {
		if (!(f->f_mode & FMODE_READ))
			return -EBADF;
		if (f->f_op->read_iter && !f->f_op->read)
			ret = kernel_read(f, buf, n, ppos);
		else
			ret = kpy_vfs_read_user(f, buf, n, ppos);
	}
	if (ret >= 0 && ppos)
		f->f_pos = pos;
	return ret;
}

static long kpy_vfs_rw(int fd, void *buf, unsigned long n, bool write)
{
	unsigned long us = KPY_WAIT_MIN_US;
	struct file *f = kpy_vfs_file(fd);
	ssize_t ret;

	if (!f)
		return -EBADF;
	ret = kpy_vfs_enter();
	if (ret)
		return ret;
	n = min_t(unsigned long, n, KPY_VFS_CHUNK);
	for (;;) {
		ret = kpy_vfs_rw_once(f, buf, n, write);
		if (ret != -EAGAIN)
			break;
		ret = kpy_vfs_wait(&us);
		if (ret)
			break;
	}
	return kpy_vfs_errno(ret);
}

static long kpy_vfs_read_sleeps(int fd, void *buf, unsigned long n)
{
	return kpy_vfs_rw(fd, buf, n, false);
}

static long kpy_vfs_write_sleeps(int fd, const void *buf, unsigned long n)
{
	return kpy_vfs_rw(fd, (void *)buf, n, true);
}

static long long kpy_vfs_seek_sleeps(int fd, long long offset, int whence)
{
	struct file *f = kpy_vfs_file(fd);
	int ret;

	if (!f)
		return -EBADF;
	ret = kpy_vfs_enter();
	if (ret)
		return ret;
	if (whence < SEEK_SET || whence > SEEK_END)
		return -EINVAL;
	return vfs_llseek(f, offset, whence);
}

static int kpy_vfs_fstat_sleeps(int fd, struct kpy_stat *st)
{
	struct file *f = kpy_vfs_file(fd);
	int ret;

	if (!f)
		return -EBADF;
	ret = kpy_vfs_enter();
	if (ret)
		return ret;
	return kpy_vfs_getattr(&f->f_path, st);
}

/*
 * The file layer's entry points. The MicroPython side (kpy_mp_*.c) calls
 * them from inside the interpreter's FPU section, where preemption is
 * off, and all of them may sleep (path walks, I/O, allocation, waiting for
 * a pipe): each leaves the section for its work (kpy_fpu.c); called
 * outside one (the execution's epilogue), they just run.
 */

int kpy_vfs_open(const char *path, unsigned int how)
{
	bool fpu = kpy_fpu_pause();
	int r = kpy_vfs_open_sleeps(path, how);

	kpy_fpu_resume(fpu);
	return r;
}

long kpy_vfs_read(int fd, void *buf, unsigned long n)
{
	bool fpu = kpy_fpu_pause();
	long r = kpy_vfs_read_sleeps(fd, buf, n);

	kpy_fpu_resume(fpu);
	return r;
}

long kpy_vfs_write(int fd, const void *buf, unsigned long n)
{
	bool fpu = kpy_fpu_pause();
	long r = kpy_vfs_write_sleeps(fd, buf, n);

	kpy_fpu_resume(fpu);
	return r;
}

long long kpy_vfs_seek(int fd, long long offset, int whence)
{
	bool fpu = kpy_fpu_pause();
	long long r = kpy_vfs_seek_sleeps(fd, offset, whence);

	kpy_fpu_resume(fpu);
	return r;
}

int kpy_vfs_close(int fd)
{
	bool fpu = kpy_fpu_pause();
	int r = kpy_vfs_close_sleeps(fd);

	kpy_fpu_resume(fpu);
	return r;
}

int kpy_vfs_fstat(int fd, struct kpy_stat *st)
{
	bool fpu = kpy_fpu_pause();
	int r = kpy_vfs_fstat_sleeps(fd, st);

	kpy_fpu_resume(fpu);
	return r;
}
