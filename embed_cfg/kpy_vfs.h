/*
 * kpython's file layer: what the MicroPython side (kernel_mod/kpy_mp_*.c) asks of
 * the kernel side (kernel_mod/kpy_vfs*.c). Plain C declarations only: this
 * header is also read by the host preprocessor while qstrs are extracted.
 *
 * Every function returns 0 or a count on success and -errno (the kernel's
 * own, which Linux shares with user space) on failure. Paths are
 * NUL-terminated; the caller has already refused embedded NUL bytes.
 * Files are small integers (slots of a per-execution table) that are only
 * valid during the execution that opened them: whatever a script leaves
 * open is closed when it ends, however it ends.
 */
#ifndef KPY_VFS_H
#define KPY_VFS_H

/* What open() asks for; the kernel side turns it into O_* flags. */
#define KPY_OPEN_READ 0x01
#define KPY_OPEN_WRITE 0x02
#define KPY_OPEN_CREATE 0x04
#define KPY_OPEN_EXCL 0x08
#define KPY_OPEN_TRUNC 0x10
#define KPY_OPEN_APPEND 0x20

/* Returned (negated) when too little kernel stack is left for a file
 * operation: the caller raises RuntimeError (recursion depth), not OSError.
 * Outside the errno range the kernel uses. */
#define KPY_VFS_ESTACK 4000

/* whence of kpy_vfs_seek(), as lseek(2)'s. */
#define KPY_SEEK_SET 0
#define KPY_SEEK_CUR 1
#define KPY_SEEK_END 2

/* Most bytes one read or write call moves (the caller loops). */
#define KPY_VFS_CHUNK (1024 * 1024)

struct kpy_stat {
	unsigned int mode;
	unsigned int nlink;
	unsigned int uid;
	unsigned int gid;
	unsigned long long ino;
	unsigned long long dev;
	long long size;
	long long atime;
	long long mtime;
	long long ctime;
};

int kpy_vfs_open(const char *path, unsigned int how);
long kpy_vfs_read(int fd, void *buf, unsigned long n);
long kpy_vfs_write(int fd, const void *buf, unsigned long n);
long long kpy_vfs_seek(int fd, long long offset, int whence);
int kpy_vfs_close(int fd);
int kpy_vfs_fstat(int fd, struct kpy_stat *st);

int kpy_vfs_stat(const char *path, struct kpy_stat *st);
/* Names of a directory's entries without "." and "..", each followed by
 * a NUL, in a buffer kpython owns until the next call or the end of the
 * execution; returns its length. */
long kpy_vfs_listdir(const char *path, const char **names);
int kpy_vfs_getcwd(char *buf, unsigned long size);
int kpy_vfs_mkdir(const char *path, unsigned int mode);
int kpy_vfs_unlink(const char *path);
int kpy_vfs_rmdir(const char *path);
int kpy_vfs_rename(const char *from, const char *to);

#endif
