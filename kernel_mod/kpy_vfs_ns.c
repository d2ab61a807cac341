// SPDX-License-Identifier: MIT
/*
 * Changing the tree: mkdir, unlink, rmdir and rename, done the way
 * fs/namei.c's do_mkdirat(), do_unlinkat(), do_rmdir() and do_renameat2()
 * do them (their entry points are not exported): parent looked up in the
 * caller's context, write access to the mount taken, parent locked, child
 * looked up (which checks search permission), the LSM path hook consulted,
 * then the vfs_* operation, which checks write permission, sticky bits
 * and the LSM inode hooks. Limits: security_path_rmdir() is not exported,
 * so rmdir consults the LSMs' inode hook only (SELinux, Smack see it;
 * AppArmor and TOMOYO path rules for rmdir do not); a delegated (NFSv4
 * server) inode fails with EWOULDBLOCK instead of waiting for the break.
 */
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/version.h>
#include "kpy.h"
#include "kpy_vfs.h"

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define KPY_IDMAP(mnt) mnt_idmap(mnt)
#else
#define KPY_IDMAP(mnt) mnt_user_ns(mnt)
#endif

enum kpy_last { KPY_LAST_NORM, KPY_LAST_ROOT, KPY_LAST_DOT, KPY_LAST_DOTDOT };

struct kpy_parent {
	struct path path;
	const char *last;
	int len;
	enum kpy_last type;
	bool slash;		/* the name ended in '/' */
};

/* Look up the directory that holds name's last component. */
static int kpy_parent_lookup(const char *name, struct kpy_parent *p)
{
	size_t len = strlen(name), dirlen;
	const char *s;
	char *dir;
	int ret;

	memset(p, 0, sizeof(*p));
	if (!len)
		return -ENOENT;
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	while (len > 1 && name[len - 1] == '/') {
		len--;
		p->slash = true;
	}
	for (s = name + len; s > name && s[-1] != '/'; s--)
		;
	p->last = s;
	p->len = name + len - s;
	if (p->len > NAME_MAX)
		return -ENAMETOOLONG;
	if (p->len == 0 || (len == 1 && name[0] == '/'))
		p->type = KPY_LAST_ROOT;
	else if (p->len == 1 && s[0] == '.')
		p->type = KPY_LAST_DOT;
	else if (p->len == 2 && s[0] == '.' && s[1] == '.')
		p->type = KPY_LAST_DOTDOT;
	dirlen = s - name;
	if (dirlen > 1)
		dirlen--;	/* drop the '/' before the last component */
	dir = dirlen ? kstrndup(name, dirlen, GFP_KERNEL) : kstrdup(".", GFP_KERNEL);
	if (!dir)
		return -ENOMEM;
	ret = kern_path(dir, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p->path);
	kfree(dir);
	return ret;
}

static int kpy_vfs_mkdir_sleeps(const char *name, unsigned int mode)
{
	struct dentry *d;
	struct path parent;
	int ret;

	ret = kpy_vfs_enter();
	if (ret)
		return ret;
	d = kern_path_create(AT_FDCWD, name, &parent, LOOKUP_DIRECTORY);
	if (IS_ERR(d))
		return PTR_ERR(d);
	mode &= S_IALLUGO;
	if (!IS_POSIXACL(d_inode(parent.dentry)))
		mode &= ~current_umask();
	ret = security_path_mkdir(&parent, d, mode);
	if (!ret)
		ret = vfs_mkdir(KPY_IDMAP(parent.mnt), d_inode(parent.dentry), d,
				mode);
	done_path_create(&parent, d);
	return ret;
}

/* unlink (dir false) or rmdir (dir true) of one name. */
static int kpy_vfs_remove(const char *name, bool rmdir)
{
	struct inode *victim = NULL, *dir;
	struct kpy_parent p;
	struct dentry *d;
	int ret;

	ret = kpy_vfs_enter();
	if (ret)
		return ret;
	ret = kpy_parent_lookup(name, &p);
	if (ret)
		return ret;
	if (p.type != KPY_LAST_NORM) {
		if (!rmdir)
			ret = -EISDIR;
		else
			ret = p.type == KPY_LAST_DOT ? -EINVAL :
			      p.type == KPY_LAST_DOTDOT ? -ENOTEMPTY : -EBUSY;
		goto out_put;
	}
	ret = mnt_want_write(p.path.mnt);
	if (ret)
		goto out_put;
	dir = d_inode(p.path.dentry);
	inode_lock_nested(dir, I_MUTEX_PARENT);
	d = lookup_one_len(p.last, p.path.dentry, p.len);
	if (IS_ERR(d)) {
		ret = PTR_ERR(d);
		goto out_unlock;
	}
	if (d_is_negative(d)) {
		ret = -ENOENT;
	} else if (rmdir) {
		ret = vfs_rmdir(KPY_IDMAP(p.path.mnt), dir, d);
	} else if (p.slash) {
		ret = d_is_dir(d) ? -EISDIR : -ENOTDIR;
	} else {
		/* The last iput (truncation) happens after the unlock. */
		victim = d_inode(d);
		ihold(victim);
		ret = security_path_unlink(&p.path, d);
		if (!ret)
			ret = vfs_unlink(KPY_IDMAP(p.path.mnt), dir, d, NULL);
	}
	dput(d);
out_unlock:
	inode_unlock(dir);
	if (victim)
		iput(victim);
	mnt_drop_write(p.path.mnt);
out_put:
	path_put(&p.path);
	return ret;
}

static int kpy_vfs_unlink_sleeps(const char *name)
{
	return kpy_vfs_remove(name, false);
}

static int kpy_vfs_rmdir_sleeps(const char *name)
{
	return kpy_vfs_remove(name, true);
}

static int kpy_vfs_rename_locked(struct kpy_parent *op, struct kpy_parent *np,
				 struct dentry *trap)
{
	struct dentry *old, *new;
	struct renamedata rd = {};
	int ret;

	old = lookup_one_len(op->last, op->path.dentry, op->len);
	if (IS_ERR(old))
		return PTR_ERR(old);
	ret = -ENOENT;
	if (d_is_negative(old))
		goto out_old;
	ret = -ENOTDIR;
	if (!d_is_dir(old) && (op->slash || np->slash))
		goto out_old;
	ret = -EINVAL;		/* a directory into itself */
	if (old == trap)
		goto out_old;
	new = lookup_one_len(np->last, np->path.dentry, np->len);
	if (IS_ERR(new)) {
		ret = PTR_ERR(new);
		goto out_old;
	}
	ret = -ENOTEMPTY;	/* over one of its own ancestors */
	if (new == trap)
		goto out_new;
	ret = security_path_rename(&op->path, old, &np->path, new, 0);
	if (ret)
		goto out_new;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	rd.old_mnt_idmap = KPY_IDMAP(op->path.mnt);
	rd.new_mnt_idmap = KPY_IDMAP(np->path.mnt);
#else
	rd.old_mnt_userns = KPY_IDMAP(op->path.mnt);
	rd.new_mnt_userns = KPY_IDMAP(np->path.mnt);
#endif
	rd.old_dir = d_inode(op->path.dentry);
	rd.old_dentry = old;
	rd.new_dir = d_inode(np->path.dentry);
	rd.new_dentry = new;
	ret = vfs_rename(&rd);
out_new:
	dput(new);
out_old:
	dput(old);
	return ret;
}

static int kpy_vfs_rename_sleeps(const char *from, const char *to)
{
	struct kpy_parent op, np;
	struct dentry *trap;
	int ret;

	ret = kpy_vfs_enter();
	if (ret)
		return ret;
	ret = kpy_parent_lookup(from, &op);
	if (ret)
		return ret;
	ret = kpy_parent_lookup(to, &np);
	if (ret)
		goto out_put_old;
	ret = -EBUSY;
	if (op.type != KPY_LAST_NORM || np.type != KPY_LAST_NORM)
		goto out_put;
	ret = -EXDEV;
	if (op.path.mnt != np.path.mnt)
		goto out_put;
	ret = mnt_want_write(op.path.mnt);
	if (ret)
		goto out_put;
	trap = lock_rename(np.path.dentry, op.path.dentry);
	if (IS_ERR(trap)) {
		ret = PTR_ERR(trap);
		goto out_drop;
	}
	ret = kpy_vfs_rename_locked(&op, &np, trap);
	unlock_rename(np.path.dentry, op.path.dentry);
out_drop:
	mnt_drop_write(op.path.mnt);
out_put:
	path_put(&np.path);
out_put_old:
	path_put(&op.path);
	return ret;
}

/*
 * The file layer's entry points. The MicroPython side (kpy_mp_*.c) calls
 * them from inside the interpreter's FPU section, where preemption is
 * off, and all of them may sleep (path walks, I/O, allocation, waiting for
 * a pipe): each leaves the section for its work (kpy_fpu.c); called
 * outside one (the execution's epilogue), they just run.
 */

int kpy_vfs_mkdir(const char *name, unsigned int mode)
{
	bool fpu = kpy_fpu_pause();
	int r = kpy_vfs_mkdir_sleeps(name, mode);

	kpy_fpu_resume(fpu);
	return r;
}

int kpy_vfs_unlink(const char *name)
{
	bool fpu = kpy_fpu_pause();
	int r = kpy_vfs_unlink_sleeps(name);

	kpy_fpu_resume(fpu);
	return r;
}

int kpy_vfs_rmdir(const char *name)
{
	bool fpu = kpy_fpu_pause();
	int r = kpy_vfs_rmdir_sleeps(name);

	kpy_fpu_resume(fpu);
	return r;
}

int kpy_vfs_rename(const char *from, const char *to)
{
	bool fpu = kpy_fpu_pause();
	int r = kpy_vfs_rename_sleeps(from, to);

	kpy_fpu_resume(fpu);
	return r;
}
