// SPDX-License-Identifier: MIT
/*
 * Output of a script: collected for the caller that reads it back, and
 * mirrored line by line to the kernel log.
 *
 * The buffer grows on demand while the script runs, so allocation happens
 * deep in the interpreter; the stack headroom (kpy_stack.c) is measured
 * with this allocation path in mind.
 *
 * The log mirror is rate-limited twice: one execution logs at most
 * KPY_LOG_LINES_PER_RUN lines, and all executions together at most 5000
 * lines in any 5 seconds (a loop of scripts cannot flood the log either).
 * The caller still gets every byte up to max_output_kb, and the log says
 * how many lines it left out.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include "kpy.h"

static const char kpy_truncated_note[] = "\n[kpython: output truncated]\n";

#define KPY_LOG_LINES_PER_RUN 200

/* Across executions; they are serialized by the run lock. */
static struct ratelimit_state kpy_log_ratelimit =
	RATELIMIT_STATE_INIT_FLAGS(kpy_log_ratelimit, 5 * HZ, 5000,
				   RATELIMIT_MSG_ON_RELEASE);

void kpy_output_init(struct kpy_output *out, size_t limit, bool mirror)
{
	memset(out, 0, sizeof(*out));
	out->limit = limit;
	out->mirror = mirror;
}

static void kpy_output_log_line(struct kpy_output *out)
{
	if (out->log_lines < KPY_LOG_LINES_PER_RUN &&
	    __ratelimit(&kpy_log_ratelimit)) {
		pr_info("%.*s\n", (int)out->line_len, out->line);
		out->log_lines++;
	} else {
		out->log_dropped++;
	}
	out->line_len = 0;
}

/* At the end of an execution: the last partial line, and what was left out. */
void kpy_output_flush_log(struct kpy_output *out)
{
	if (out->line_len)
		kpy_output_log_line(out);
	if (out->log_dropped) {
		pr_info("%lu lines of output not logged (rate limit)\n",
			out->log_dropped);
		out->log_dropped = 0;
	}
}

static void kpy_output_log(struct kpy_output *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n') {
			kpy_output_log_line(out);
			continue;
		}
		if (out->line_len == sizeof(out->line))
			kpy_output_log_line(out);
		out->line[out->line_len++] = s[i];
	}
}

/* Room for the output up to its limit, and the note that says it was cut. */
static bool kpy_output_reserve(struct kpy_output *out, size_t need)
{
	return !kpy_buf_reserve(&out->text, need,
				out->limit + sizeof(kpy_truncated_note));
}

static void kpy_output_truncate(struct kpy_output *out)
{
	if (out->truncated)
		return;
	out->truncated = true;
	if (kpy_output_reserve(out, out->text.len + sizeof(kpy_truncated_note))) {
		memcpy(out->text.data + out->text.len, kpy_truncated_note,
		       sizeof(kpy_truncated_note) - 1);
		out->text.len += sizeof(kpy_truncated_note) - 1;
	}
	pr_warn("output over %zu bytes truncated\n", out->limit);
}

static void kpy_output_store(struct kpy_output *out, const char *s, size_t n)
{
	size_t room = out->limit - out->text.len;
	bool fits = n <= room;

	if (!fits)
		n = room;
	if (n && !kpy_output_reserve(out, out->text.len + n)) {
		kpy_output_truncate(out);
		return;
	}
	memcpy(out->text.data + out->text.len, s, n);
	out->text.len += n;
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
	kpy_buf_free(&out->text);
}
