// SPDX-License-Identifier: MIT
/*
 * Looking at the tree: stat, directory listings and the working directory,
 * resolved like the caller's syscalls (kpy_vfs.c says whose context).
 */
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/kdev_t.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/sched.h>
#include <linux/stat.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include "kpy.h"
#include "kpy_vfs.h"

/* A listing's names, kept until the next listing or the execution's end. */
#define KPY_LISTDIR_MAX (16 * 1024 * 1024)
static struct kpy_buf kpy_names;

void kpy_vfs_dir_end(void)
{
	kpy_buf_free(&kpy_names);
}

/* stat(2)'s view of an inode: ids in the caller's user namespace. */
int kpy_vfs_getattr(const struct path *path, struct kpy_stat *st)
{
	struct kstat ks;
	int ret;

	ret = vfs_getattr(path, &ks, STATX_BASIC_STATS, AT_STATX_SYNC_AS_STAT);
	if (ret)
		return ret;
	st->mode = ks.mode;
	st->nlink = ks.nlink;
	st->uid = from_kuid_munged(current_user_ns(), ks.uid);
	st->gid = from_kgid_munged(current_user_ns(), ks.gid);
	st->ino = ks.ino;
	st->dev = new_encode_dev(ks.dev);
	st->size = ks.size;
	st->atime = ks.atime.tv_sec;
	st->mtime = ks.mtime.tv_sec;
	st->ctime = ks.ctime.tv_sec;
	return 0;
}

static int kpy_vfs_stat_sleeps(const char *name, struct kpy_stat *st)
{
	struct path path;
	int ret;

	ret = kpy_vfs_enter();
	if (ret)
		return ret;
	ret = kern_path(name, LOOKUP_FOLLOW, &path);
	if (ret)
		return ret;
	ret = kpy_vfs_getattr(&path, st);
	path_put(&path);
	return ret;
}

struct kpy_listing {
	struct dir_context ctx;
	int err;
	bool added;
};

/* Called with the directory locked: no interpreter code, only copying. */
static bool kpy_filldir(struct dir_context *ctx, const char *name, int len,
			loff_t offset, u64 ino, unsigned int type)
{
	struct kpy_listing *l = container_of(ctx, struct kpy_listing, ctx);

	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return true;
	l->err = kpy_buf_reserve(&kpy_names, kpy_names.len + len + 1,
				 KPY_LISTDIR_MAX);
	if (l->err)
		return false;
	memcpy(kpy_names.data + kpy_names.len, name, len);
	kpy_names.data[kpy_names.len + len] = '\0';
	kpy_names.len += len + 1;
	l->added = true;
	return true;
}

static long kpy_vfs_listdir_sleeps(const char *name, const char **names)
{
	struct kpy_listing l = { .ctx.actor = kpy_filldir };
	struct file *dir;
	int ret;

	ret = kpy_vfs_enter();
	if (ret)
		return ret;
	kpy_names.len = 0;
	dir = filp_open(name, O_RDONLY | O_DIRECTORY | O_LARGEFILE | O_NONBLOCK, 0);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	/* As getdents(2) is called: until a pass adds nothing. */
	do {
		l.added = false;
		ret = iterate_dir(dir, &l.ctx);
	} while (!ret && !l.err && l.added && !kpy_hal_stop_due());
	filp_close(dir, NULL);
	if (ret)
		return ret;
	if (l.err)
		return l.err == -EFBIG ? -ENOMEM : l.err;
	*names = kpy_names.data;
	return kpy_names.len;
}

static int kpy_vfs_getcwd_sleeps(char *buf, unsigned long size)
{
	struct path pwd;
	char *p;
	int ret;

	ret = kpy_vfs_enter();
	if (ret)
		return ret;
	get_fs_pwd(current->fs, &pwd);
	p = d_path(&pwd, buf, size);
	path_put(&pwd);
	if (IS_ERR(p))
		return PTR_ERR(p);
	ret = strlen(p);
	memmove(buf, p, ret + 1);
	return ret;
}

/*
 * The file layer's entry points. The MicroPython side (kpy_mp_*.c) calls
 * them from inside the interpreter's FPU section, where preemption is
 * off, and all of them may sleep (path walks, I/O, allocation, waiting for
 * a pipe): each leaves the section for its work (kpy_fpu.c); called
 * outside one (the execution's epilogue), they just run.
 */

int kpy_vfs_stat(const char *name, struct kpy_stat *st)
{
	bool fpu = kpy_fpu_pause();
	int r = kpy_vfs_stat_sleeps(name, st);

	kpy_fpu_resume(fpu);
	return r;
}

long kpy_vfs_listdir(const char *name, const char **names)
{
	bool fpu = kpy_fpu_pause();
	long r = kpy_vfs_listdir_sleeps(name, names);

	kpy_fpu_resume(fpu);
	return r;
}

int kpy_vfs_getcwd(char *buf, unsigned long size)
{
	bool fpu = kpy_fpu_pause();
	int r = kpy_vfs_getcwd_sleeps(buf, size);

	kpy_fpu_resume(fpu);
	return r;
}
