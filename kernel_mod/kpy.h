/* SPDX-License-Identifier: MIT */
/*
 * kpython internals shared by the glue files. Only kernel types here: files
 * that include MicroPython headers and files that include driver headers
 * both include this one.
 */
#ifndef KPY_H
#define KPY_H

#include <linux/types.h>

/* How one execution ended; each maps to what the exec file reports. */
enum kpy_status {
	KPY_OK,		/* ran to the end (or SystemExit with code 0/None) */
	KPY_RAISED,	/* an exception escaped the script */
	KPY_TIMEOUT,	/* interrupted by the time limit */
	KPY_KILLED,	/* interrupted by a fatal signal to the caller */
	KPY_NOMEM,	/* kpython itself could not get memory */
};

/* kpy_buf.c: a growable byte buffer. */
struct kpy_buf {
	char *data;
	size_t len;
	size_t cap;
};
int kpy_buf_reserve(struct kpy_buf *b, size_t need, size_t max);
void kpy_buf_free(struct kpy_buf *b);
extern atomic64_t kpy_stat_buf_bytes;

/* Output of one execution: kept for the caller, mirrored to the log. */
struct kpy_output {
	struct kpy_buf text;
	size_t limit;
	bool truncated;
	bool mirror;
	size_t line_len;
	char line[160];
	unsigned int log_lines;		/* lines this execution logged */
	unsigned long log_dropped;	/* lines it left out (rate limits) */
};

/* Module parameters (kpy_main.c). */
extern unsigned int kpy_heap_kb;
extern unsigned int kpy_timeout_ms;
extern unsigned int kpy_max_output_kb;
extern bool kpy_log_output;
#define KPY_SYS_PATH_MAX 512
extern char kpy_sys_path[KPY_SYS_PATH_MAX];

/* kpy_output.c */
void kpy_output_init(struct kpy_output *out, size_t limit, bool mirror);
void kpy_output_write(struct kpy_output *out, const char *s, size_t n);
void kpy_output_flush_log(struct kpy_output *out);
void kpy_output_free(struct kpy_output *out);

/* kpy_stack.c */
unsigned long kpy_stack_remaining(unsigned long sp);
int kpy_stack_measure(void);
extern size_t kpy_stack_headroom;
extern size_t kpy_stack_probe_printk;
extern size_t kpy_stack_probe_alloc;
unsigned long kpy_stack_watch_begin(void);
void kpy_stack_watch_end(unsigned long sp);
extern size_t kpy_stack_min_free;
extern size_t kpy_stack_max_used;

/* kpy_run.c: serialized executions on the one preallocated heap. */
int kpy_run_init(size_t heap_size);
void kpy_run_exit(void);
int kpy_run(const char *src, size_t len, struct kpy_output *out,
	    enum kpy_status *status);
bool kpy_run_in_script(void);
extern atomic64_t kpy_stat_runs;
extern atomic64_t kpy_stat_raised;
extern atomic64_t kpy_stat_timeouts;
extern atomic64_t kpy_stat_killed;

/* kpy_interp.c: one interpreter lifetime; caller holds the run lock. */
enum kpy_status kpy_interpret(void *heap, size_t heap_size,
			      const char *src, size_t len);

/* kpy_deadline.c: the poll timer and the time limit of one execution. */
void kpy_deadline_init(void);
void kpy_deadline_start(unsigned int timeout_ms);
void kpy_deadline_stop(void);
bool kpy_deadline_passed(void);
s64 kpy_deadline_left_ns(void);
extern u64 kpy_poll_late_max;
extern u64 kpy_poll_fires;

/* kpy_hal.c: per-execution context seen by the interpreter's hooks. */
void kpy_hal_begin(struct kpy_output *out, unsigned int timeout_ms);
void kpy_hal_end(void);
enum kpy_status kpy_hal_abort_reason(void);
void kpy_hal_print(const char *s, size_t n);

/* kpy_fpu.c: kernel FPU sections around interpreter code. */
void kpy_fpu_begin(void);
void kpy_fpu_end(void);
bool kpy_fpu_pause(void);
void kpy_fpu_resume(bool was_open);
bool kpy_fpu_pause_in_python(void);
extern u64 kpy_fpu_max_ns;
extern u64 kpy_fpu_max_polls;
extern atomic64_t kpy_stat_fpu_sections;

/* kpy_vfs*.c: the file layer (embed_cfg/kpy_vfs.h), one execution's files. */
struct path;
struct kpy_stat;
void kpy_vfs_begin(void);
void kpy_vfs_end(void);
int kpy_vfs_enter(void);
void kpy_vfs_dir_end(void);
int kpy_vfs_getattr(const struct path *path, struct kpy_stat *st);
bool kpy_hal_stop_due(void);

/* kpy_debugfs.c */
int kpy_debugfs_init(void);
void kpy_debugfs_exit(void);

/* kpy_exec.c: the exec interface both front ends register (issue 15). */
struct file_operations;
extern const struct file_operations kpy_exec_fops;
extern atomic64_t kpy_stat_sessions;

/* kpy_chardev.c: /dev/kpython, the front end lockdown leaves open. */
int kpy_chardev_init(void);
void kpy_chardev_exit(void);

/* kpy_sig.c: appended script signatures and the signed_scripts policy. */
int kpy_sig_admit(const char *script, size_t *len);
extern atomic64_t kpy_stat_signed;
extern atomic64_t kpy_stat_refused;

#endif
