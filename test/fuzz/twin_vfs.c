/*
 * Stand-in for kernel_mod/kpy_vfs*.c, the kernel file layer: every
 * operation fails with EPERM, as in the module when a script runs without
 * a caller's context. The fuzzer writes arbitrary scripts; open("...",
 * "w") and os.remove() on the host's files would make the harness
 * destructive and its runs depend on the machine. What is fuzzed is the
 * MicroPython side (argument and mode parsing, paths with NUL bytes,
 * errors as OSError, import's search), which is the module's own code.
 */
#include <errno.h>

#include "kpy_vfs.h"

int kpy_vfs_open(const char *path, unsigned int how)
{
	return -EPERM;
}

long kpy_vfs_read(int fd, void *buf, unsigned long n)
{
	return -EBADF;
}

long kpy_vfs_write(int fd, const void *buf, unsigned long n)
{
	return -EBADF;
}

long long kpy_vfs_seek(int fd, long long offset, int whence)
{
	return -EBADF;
}

int kpy_vfs_close(int fd)
{
	return -EBADF;
}

int kpy_vfs_fstat(int fd, struct kpy_stat *st)
{
	return -EBADF;
}

int kpy_vfs_stat(const char *path, struct kpy_stat *st)
{
	return -EPERM;
}

long kpy_vfs_listdir(const char *path, const char **names)
{
	return -EPERM;
}

int kpy_vfs_getcwd(char *buf, unsigned long size)
{
	return -EPERM;
}

int kpy_vfs_mkdir(const char *path, unsigned int mode)
{
	return -EPERM;
}

int kpy_vfs_unlink(const char *path)
{
	return -EPERM;
}

int kpy_vfs_rmdir(const char *path)
{
	return -EPERM;
}

int kpy_vfs_rename(const char *from, const char *to)
{
	return -EPERM;
}
