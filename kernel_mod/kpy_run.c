// SPDX-License-Identifier: MIT
/*
 * Executions are serialized: the interpreter's state is global and there
 * is one heap, allocated once at load so that running a script never
 * depends on finding megabytes of free memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include "kpy.h"
#include "kern.h"

static DEFINE_MUTEX(kpy_run_lock);
static void *kpy_heap;
static size_t kpy_heap_size;
/* The task running a script: a script that reads an exec file of its own
 * (its file layer can open one) must not wait for itself. */
static struct task_struct *kpy_run_owner;

atomic64_t kpy_stat_runs = ATOMIC64_INIT(0);
atomic64_t kpy_stat_raised = ATOMIC64_INIT(0);
atomic64_t kpy_stat_timeouts = ATOMIC64_INIT(0);
atomic64_t kpy_stat_killed = ATOMIC64_INIT(0);

int kpy_run_init(size_t heap_size)
{
	kpy_heap = kvmalloc(heap_size, GFP_KERNEL);
	if (!kpy_heap)
		return -ENOMEM;
	kpy_heap_size = heap_size;
	kpy_deadline_init();
	return 0;
}

void kpy_run_exit(void)
{
	kvfree(kpy_heap);
	kpy_heap = NULL;
}

static void kpy_count(enum kpy_status status)
{
	atomic64_inc(&kpy_stat_runs);
	if (status == KPY_RAISED)
		atomic64_inc(&kpy_stat_raised);
	else if (status == KPY_TIMEOUT)
		atomic64_inc(&kpy_stat_timeouts);
	else if (status == KPY_KILLED)
		atomic64_inc(&kpy_stat_killed);
}

/* Whether the calling task is the one running a script right now. */
bool kpy_run_in_script(void)
{
	return READ_ONCE(kpy_run_owner) == current;
}

/*
 * Run one script. Returns 0 with *status set, -EINTR when a fatal signal
 * arrived while waiting for another execution to finish, or -EDEADLK when
 * called from inside a script.
 */
int kpy_run(const char *src, size_t len, struct kpy_output *out,
	    enum kpy_status *status)
{
	if (kpy_run_in_script())
		return -EDEADLK;
	if (mutex_lock_killable(&kpy_run_lock))
		return -EINTR;
	WRITE_ONCE(kpy_run_owner, current);
	/* The time limit counts from the start of this execution. */
	kpy_hal_begin(out, READ_ONCE(kpy_timeout_ms));
	kern_run_begin();
	kpy_vfs_begin();
	*status = kpy_interpret(kpy_heap, kpy_heap_size, src, len);
	/* However the script ended: its probes go, and what it left open is closed. */
	kern_run_end();
	kpy_vfs_end();
	kpy_hal_end();
	kpy_output_flush_log(out);
	kpy_count(*status);
	WRITE_ONCE(kpy_run_owner, NULL);
	mutex_unlock(&kpy_run_lock);
	return 0;
}
