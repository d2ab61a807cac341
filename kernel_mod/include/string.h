/* SPDX-License-Identifier: MIT */
/*
 * Freestanding libc: the string functions the interpreter uses are the
 * kernel's exported ones, declared here rather than through linux/string.h,
 * whose fortify and bug headers change with kernel releases (and would
 * make every interpreter object differ per release for the object cache).
 *
 * With CONFIG_FORTIFY_SOURCE the same policy as the kernel's fortify: a
 * copy into or out of an object whose size the compiler knows, beyond that
 * size, stops at kpy_fortify_fail() (kpy_libc.c) before any byte moves.
 * Unknown sizes (most of the interpreter's, on its own heap) cost nothing:
 * the check folds away.
 */
#ifndef KPY_LIBC_STRING_H
#define KPY_LIBC_STRING_H
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *s, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);

#if defined(CONFIG_FORTIFY_SOURCE) && !defined(__NO_FORTIFY)
void kpy_fortify_fail(const char *func, size_t size, size_t avail)
	__attribute__((__noreturn__, __cold__));

/* The whole object's size at run time, or (size_t)-1; never evaluates p. */
#define __kpy_size(p) __builtin_dynamic_object_size(p, 0)

static inline __attribute__((__always_inline__)) void
__kpy_check(const char *func, size_t n, size_t avail)
{
	if (__builtin_expect(n > avail, 0))
		kpy_fortify_fail(func, n, avail);
}

static inline __attribute__((__always_inline__)) void *
__kpy_memcpy(void *d, const void *s, size_t n, size_t dsz, size_t ssz)
{
	__kpy_check("memcpy", n, dsz);
	__kpy_check("memcpy", n, ssz);
	return __builtin_memcpy(d, s, n);
}

static inline __attribute__((__always_inline__)) void *
__kpy_memmove(void *d, const void *s, size_t n, size_t dsz, size_t ssz)
{
	__kpy_check("memmove", n, dsz);
	__kpy_check("memmove", n, ssz);
	return __builtin_memmove(d, s, n);
}

static inline __attribute__((__always_inline__)) void *
__kpy_memset(void *d, int c, size_t n, size_t dsz)
{
	__kpy_check("memset", n, dsz);
	return __builtin_memset(d, c, n);
}

static inline __attribute__((__always_inline__)) int
__kpy_memcmp(const void *a, const void *b, size_t n, size_t asz, size_t bsz)
{
	__kpy_check("memcmp", n, asz);
	__kpy_check("memcmp", n, bsz);
	return __builtin_memcmp(a, b, n);
}

static inline __attribute__((__always_inline__)) void *
__kpy_memchr(const void *s, int c, size_t n, size_t ssz)
{
	__kpy_check("memchr", n, ssz);
	return __builtin_memchr(s, c, n);
}

/* A string must end inside its object: look no further than the object. */
static inline __attribute__((__always_inline__)) size_t
__kpy_strlen(const char *s, size_t ssz)
{
	size_t n;

	if (__builtin_constant_p(ssz) && ssz == (size_t)-1)
		return __builtin_strlen(s);
	n = strnlen(s, ssz);
	__kpy_check("strlen", n + 1, ssz);
	return n;
}

#define memcpy(d, s, n) __kpy_memcpy(d, s, n, __kpy_size(d), __kpy_size(s))
#define memmove(d, s, n) __kpy_memmove(d, s, n, __kpy_size(d), __kpy_size(s))
#define memset(d, c, n) __kpy_memset(d, c, n, __kpy_size(d))
#define memcmp(a, b, n) __kpy_memcmp(a, b, n, __kpy_size(a), __kpy_size(b))
#define memchr(s, c, n) __kpy_memchr(s, c, n, __kpy_size(s))
#define strlen(s) __kpy_strlen(s, __kpy_size(s))
#endif

#endif
