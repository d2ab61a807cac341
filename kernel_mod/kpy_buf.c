// SPDX-License-Identifier: MIT
/*
 * A byte buffer that grows by doubling, for scripts being written and for
 * their output. kvmalloc: small buffers come from slab, big ones from
 * vmalloc, so a megabyte of output never needs contiguous pages.
 */
#include <linux/atomic.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "kpy.h"

#define KPY_BUF_MIN_CAP 4096

/*
 * Bytes held by all buffers, in /sys/kernel/debug/kpython/stats: the tests
 * check it returns to zero, which no system-wide counter shows exactly
 * (kvmalloc's larger buffers are neither slab nor vmalloc).
 */
atomic64_t kpy_stat_buf_bytes = ATOMIC64_INIT(0);

/* Make room for need bytes in total, never more than max; keeps the data. */
int kpy_buf_reserve(struct kpy_buf *b, size_t need, size_t max)
{
	size_t cap;
	char *data;

	if (need <= b->cap)
		return 0;
	if (need > max)
		return -EFBIG;
	cap = max_t(size_t, b->cap * 2, KPY_BUF_MIN_CAP);
	while (cap < need)
		cap *= 2;
	cap = min(cap, max);
	data = kvmalloc(cap, GFP_KERNEL | __GFP_NOWARN);
	if (!data)
		return -ENOMEM;
	if (b->len)
		memcpy(data, b->data, b->len);
	kvfree(b->data);
	atomic64_add(cap - b->cap, &kpy_stat_buf_bytes);
	b->data = data;
	b->cap = cap;
	return 0;
}

void kpy_buf_free(struct kpy_buf *b)
{
	kvfree(b->data);
	atomic64_sub(b->cap, &kpy_stat_buf_bytes);
	memset(b, 0, sizeof(*b));
}
