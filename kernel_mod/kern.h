/* SPDX-License-Identifier: MIT */
/*
 * The kernel side of the `kernel` Python module (kern_*.c), as plain C.
 *
 * The Python bindings (kmod_*.c) include MicroPython's headers and are
 * scanned for qstrs by the host preprocessor, which cannot read kernel
 * headers; the kern_*.c files include kernel headers and no MicroPython.
 * This header is the only thing both sides see: fixed-width types only.
 */
#ifndef KPY_KERN_H
#define KPY_KERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KERN_COMM_LEN 16
#define KERN_MODNAME_LEN 56
#define KERN_MAX_ARGS 6
/* kernel.read() copies at most this much at once (ValueError beyond). */
#define KERN_READ_MAX (1024 * 1024)

/* kern_sys.c: facts about the running kernel. */
const char *kern_release(void);
const char *kern_version(void);
unsigned int kern_cpus(void);
uint64_t kern_jiffies(void);
uint64_t kern_ktime_ns(void);

struct kern_meminfo {
	uint64_t total, free, available, buffers, cached, shared;
};
void kern_meminfo(struct kern_meminfo *m);

/* level 0 (emerg) .. 7 (debug); -EAGAIN once this run's budget is spent. */
int kern_printk(int level, const char *msg, size_t len);

/* Per execution (kpy_run.c) and module exit (kpy_main.c). */
void kern_run_begin(void);
void kern_run_end(void);
void kern_exit(void);

/* kern_mem.c: fault-safe reads and kallsyms. Both return 0 or -errno. */
int kern_read(uint64_t addr, void *buf, size_t n);
int kern_symbol(const char *name, uint64_t *addr);

/* kern_tasks.c: snapshots in kvmalloc'd arrays (free with kern_free). */
struct kern_task {
	int32_t pid, tgid, ppid;
	uint32_t uid;
	char comm[KERN_COMM_LEN];
	char state;			/* R S D T Z I X */
	uint64_t rss;			/* bytes */
	uint64_t utime_ns, stime_ns;
	uint64_t start_ns;		/* CLOCK_MONOTONIC, as kernel.ktime_ns() */
};
int kern_tasks(struct kern_task **tasks, size_t *n);
void kern_current(struct kern_task *t);

struct kern_module {
	char name[KERN_MODNAME_LEN];
	uint64_t size;
	int32_t refcount;
	const char *state;		/* "live", "coming", "going", "unformed" */
};
int kern_modules(struct kern_module **mods, size_t *n);
void kern_free(void *p);

/* kern_probe.c: kprobes recording into bounded rings; see there. */
struct kern_probe;
struct kern_event {
	uint64_t ts_ns;
	uint64_t args[KERN_MAX_ARGS];
	uint64_t ret;
	uint32_t cpu;
	int32_t pid;
	char comm[KERN_COMM_LEN];
};
#define KERN_PROBE_MAX 64		/* probes one execution may create */
#define KERN_RING_DEFAULT 4096		/* events a probe buffers by default */
#define KERN_RING_MAX 65536

int kern_probe_new(const char *symbol, unsigned int nargs, bool ret,
		   unsigned int capacity, struct kern_probe **out);
int kern_probe_enter(struct kern_probe *p);
void kern_probe_exit(struct kern_probe *p);
/* 1: the oldest event, recorded at until_ns or before, is in *ev;
 * 0: none buffered; -EAGAIN: the oldest is younger than until_ns. */
int kern_probe_pop(struct kern_probe *p, struct kern_event *ev,
		   uint64_t until_ns);
/* Sleep until an event, ns, or the script's time limit; 0 or -EINTR. */
int kern_probe_wait(struct kern_probe *p, int64_t ns);
uint64_t kern_probe_hits(struct kern_probe *p);
uint64_t kern_probe_dropped(struct kern_probe *p);
uint64_t kern_probe_missed(struct kern_probe *p);
uint64_t kern_probe_addr(struct kern_probe *p);
bool kern_probe_active(struct kern_probe *p);
bool kern_probe_is_ret(struct kern_probe *p);
unsigned int kern_probe_nargs(struct kern_probe *p);
const char *kern_probe_symbol(struct kern_probe *p);
/* Unregisters and frees every probe of the execution (kern_run_end()). */
void kern_probes_release_all(void);

/* kpy_hal.c: unwind now (VM abort) if the time limit passed or a fatal
 * signal is pending; for C code that waits on behalf of a script. */
void kpy_hal_check_abort(void);

#endif
