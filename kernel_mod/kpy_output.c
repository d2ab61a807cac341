// SPDX-License-Identifier: MIT
/*
 * Output of a script: collected for the caller that reads it back, and
 * mirrored line by line to the kernel log.
 *
 * The buffer grows on demand while the script runs, so allocation happens
 * deep in the interpreter; the stack headroom (kpy_stack.c) is measured
 * with this allocation path in mind.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/printk.h>
#include "kpy.h"

#define KPY_OUTPUT_MIN_CAP 4096

static const char kpy_truncated_note[] = "\n[kpython: output truncated]\n";

void kpy_output_init(struct kpy_output *out, size_t limit, bool mirror)
{
	memset(out, 0, sizeof(*out));
	out->limit = limit;
	out->mirror = mirror;
}

void kpy_output_flush_log(struct kpy_output *out)
{
	if (out->line_len) {
		pr_info("%.*s\n", (int)out->line_len, out->line);
		out->line_len = 0;
	}
}

static void kpy_output_log(struct kpy_output *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n') {
			pr_info("%.*s\n", (int)out->line_len, out->line);
			out->line_len = 0;
			continue;
		}
		if (out->line_len == sizeof(out->line))
			kpy_output_flush_log(out);
		out->line[out->line_len++] = s[i];
	}
}

static bool kpy_output_reserve(struct kpy_output *out, size_t need)
{
	size_t cap;
	char *buf;

	if (need <= out->cap)
		return true;
	cap = max_t(size_t, out->cap * 2, KPY_OUTPUT_MIN_CAP);
	while (cap < need)
		cap *= 2;
	cap = min(cap, out->limit + sizeof(kpy_truncated_note));
	buf = kvmalloc(cap, GFP_KERNEL | __GFP_NOWARN);
	if (!buf)
		return false;
	if (out->len)
		memcpy(buf, out->buf, out->len);
	kvfree(out->buf);
	out->buf = buf;
	out->cap = cap;
	return true;
}

static void kpy_output_truncate(struct kpy_output *out)
{
	if (out->truncated)
		return;
	out->truncated = true;
	if (kpy_output_reserve(out, out->len + sizeof(kpy_truncated_note))) {
		memcpy(out->buf + out->len, kpy_truncated_note,
		       sizeof(kpy_truncated_note) - 1);
		out->len += sizeof(kpy_truncated_note) - 1;
	}
	pr_warn("output over %zu bytes truncated\n", out->limit);
}

static void kpy_output_store(struct kpy_output *out, const char *s, size_t n)
{
	size_t room = out->limit - out->len;
	bool fits = n <= room;

	if (!fits)
		n = room;
	if (n && !kpy_output_reserve(out, out->len + n)) {
		kpy_output_truncate(out);
		return;
	}
	memcpy(out->buf + out->len, s, n);
	out->len += n;
	if (!fits)
		kpy_output_truncate(out);
}

void kpy_output_write(struct kpy_output *out, const char *s, size_t n)
{
	if (out->mirror)
		kpy_output_log(out, s, n);
	if (!out->truncated)
		kpy_output_store(out, s, n);
}

void kpy_output_free(struct kpy_output *out)
{
	kvfree(out->buf);
	out->buf = NULL;
	out->len = 0;
	out->cap = 0;
}
