/*
 * The GC heap is one big allocation to ASan, so a write past a 16-byte
 * block into its neighbour, or a read of a block the GC already freed,
 * would go unseen. The twin marks for ASan (manual poisoning) the bytes
 * of each block beyond what was asked for and the blocks gc_free() and
 * gc_realloc() give back: gc_alloc, gc_free and gc_realloc are wrapped at
 * link time (-Wl,--wrap), so every call from outside py/gc.c goes
 * through here. Blocks reclaimed by a sweep stay unmarked (not detected).
 *
 * gc.c itself reads whole blocks (marking) and clears them: it is built
 * without ASan, and its memset/memcpy come here to lift the marks first.
 */
#include <sanitizer/asan_interface.h>
#include <string.h>

#include "py/gc.h"
#include "twin.h"

void *__real_gc_alloc(size_t n_bytes, unsigned int alloc_flags);
void __real_gc_free(void *ptr);
void *__real_gc_realloc(void *ptr, size_t n_bytes, bool allow_move);
void *__wrap_gc_alloc(size_t n_bytes, unsigned int alloc_flags);
void __wrap_gc_free(void *ptr);
void *__wrap_gc_realloc(void *ptr, size_t n_bytes, bool allow_move);
void *twin_gc_memset(void *s, int c, size_t n);
void *twin_gc_memcpy(void *d, const void *s, size_t n);

void twin_heap_reset(void *heap, size_t size)
{
	ASAN_UNPOISON_MEMORY_REGION(heap, size);
}

/* Usable: the n bytes asked for; the rest of the block is not. */
static void twin_block_mark(void *p, size_t n)
{
	size_t cap = gc_nbytes(p);

	ASAN_UNPOISON_MEMORY_REGION(p, n);
	if (cap > n)
		ASAN_POISON_MEMORY_REGION((char *)p + n, cap - n);
}

void *__wrap_gc_alloc(size_t n_bytes, unsigned int alloc_flags)
{
	void *p = __real_gc_alloc(n_bytes, alloc_flags);

	if (p)
		twin_block_mark(p, n_bytes);
	return p;
}

void __wrap_gc_free(void *ptr)
{
	size_t cap = ptr ? gc_nbytes(ptr) : 0;

	__real_gc_free(ptr);
	/* Still allocated when the GC is locked: gc_free() did nothing. */
	if (cap && !gc_nbytes(ptr))
		ASAN_POISON_MEMORY_REGION(ptr, cap);
}

void *__wrap_gc_realloc(void *ptr, size_t n_bytes, bool allow_move)
{
	size_t cap = ptr ? gc_nbytes(ptr) : 0;
	void *q = __real_gc_realloc(ptr, n_bytes, allow_move);

	if (cap && q != ptr && !gc_nbytes(ptr))
		ASAN_POISON_MEMORY_REGION(ptr, cap);
	if (q)
		twin_block_mark(q, n_bytes);
	return q;
}

void *twin_gc_memset(void *s, int c, size_t n)
{
	ASAN_UNPOISON_MEMORY_REGION(s, n);
	return memset(s, c, n);
}

void *twin_gc_memcpy(void *d, const void *s, size_t n)
{
	ASAN_UNPOISON_MEMORY_REGION(d, n);
	ASAN_UNPOISON_MEMORY_REGION(s, n);
	return memcpy(d, s, n);
}
