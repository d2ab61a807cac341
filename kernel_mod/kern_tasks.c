// SPDX-License-Identifier: MIT
/*
 * kernel.tasks(), current() and modules(): snapshots copied into plain
 * arrays under RCU, so that nothing sleeps or allocates while the lists
 * are held and the Python objects are made afterwards.
 *
 * Tasks are every thread (pid = thread id, tgid = process id), with ids of
 * the initial PID namespace. The module list head (`modules`) is not
 * exported: the walk starts at kpython's own entry, which stays on the list
 * while kpython runs a script, and goes once around, skipping the one node
 * that is not a module's (kern_is_module_node()): the head in the kernel's
 * data.
 */
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/cputime.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <linux/version.h>
#include "kern.h"
#include "kpy.h"

#define KERN_TASKS_MAX (1 << 17)
#define KERN_MODULES_MAX 2048

static void kern_free_sleeps(void *p)
{
	kvfree(p);
}

/* The letters the requirement and ps(1) use: traced counts as stopped,
 * a parked kernel thread as idle. */
static char kern_state_letter(struct task_struct *t)
{
	char c = task_state_to_char(t);

	if (c == 't')
		return 'T';
	if (c == 'P')
		return 'I';
	return c;
}

/* Caller holds rcu_read_lock(); nothing here sleeps. */
static void kern_task_fill(struct kern_task *x, struct task_struct *t)
{
	struct mm_struct *mm;
	u64 ut, st;

	x->pid = t->pid;
	x->tgid = t->tgid;
	x->ppid = rcu_dereference(t->real_parent)->tgid;
	x->uid = from_kuid_munged(&init_user_ns, __task_cred(t)->uid);
	x->state = kern_state_letter(t);
	/* task_lock keeps t->mm from going away (exit_mm clears it under it). */
	task_lock(t);
	strscpy_pad(x->comm, t->comm, sizeof(x->comm));
	mm = t->mm;
	x->rss = mm ? (u64)get_mm_rss(mm) << PAGE_SHIFT : 0;
	task_unlock(t);
	task_cputime_adjusted(t, &ut, &st);
	x->utime_ns = ut;
	x->stime_ns = st;
	x->start_ns = t->start_time;
}

void kern_current(struct kern_task *t)
{
	rcu_read_lock();
	kern_task_fill(t, current);
	rcu_read_unlock();
}

/* Returns the number filled, or cap + 1 when cap was too small. */
static size_t kern_tasks_fill(struct kern_task *arr, size_t cap)
{
	struct task_struct *g, *t;
	size_t n = 0;

	rcu_read_lock();
	for_each_process_thread(g, t) {
		if (n == cap) {
			n++;
			goto out_unlock;
		}
		kern_task_fill(&arr[n++], t);
	}
out_unlock:
	rcu_read_unlock();
	return n;
}

static int kern_tasks_sleeps(struct kern_task **tasks, size_t *n)
{
	size_t cap = 256, got;
	struct kern_task *arr;

	for (;;) {
		arr = kvmalloc_array(cap, sizeof(*arr), GFP_KERNEL);
		if (!arr)
			return -ENOMEM;
		got = kern_tasks_fill(arr, cap);
		if (got <= cap)
			break;
		kvfree(arr);
		if (cap >= KERN_TASKS_MAX)
			return -ENOMEM;
		cap *= 4;
	}
	*tasks = arr;
	*n = got;
	return 0;
}

/*
 * Is `node` a module's entry on the module list, or the list head? A
 * module's struct module is its __this_module, which lies in the module's
 * own memory; the head (`modules`) is kernel data. Address ranges cannot
 * tell them apart everywhere: arm64's KASLR puts modules outside
 * [MODULES_VADDR, MODULES_END). For the head, the "struct module" around
 * it is whatever kernel data surrounds it, so it is copied without
 * faulting into `scratch`, and all three must hold: a known state, a
 * terminated name, and a module memory of sane size that contains the
 * struct itself.
 */
#define KERN_MODULE_MEM_MAX (1UL << 30)

static bool kern_mem_holds(unsigned long base, unsigned long size,
			   unsigned long a)
{
	return base && size <= KERN_MODULE_MEM_MAX && a >= base &&
	       a - base < size;
}

static bool kern_is_module_node(struct list_head *node, struct module *scratch)
{
	struct module *mod = list_entry(node, struct module, list);
	unsigned long a = (unsigned long)mod;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	int type;
#endif

	if (copy_from_kernel_nofault(scratch, mod, sizeof(*scratch)))
		return false;
	if ((unsigned int)scratch->state > MODULE_STATE_UNFORMED ||
	    !memchr(scratch->name, 0, sizeof(scratch->name)))
		return false;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	for (type = 0; type < MOD_MEM_NUM_TYPES; type++)
		if (kern_mem_holds((unsigned long)scratch->mem[type].base,
				   scratch->mem[type].size, a))
			return true;
	return false;
#else
	return kern_mem_holds((unsigned long)scratch->core_layout.base,
			      scratch->core_layout.size, a);
#endif
}

static uint64_t kern_module_size(struct module *mod)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	uint64_t size = 0;
	int type;

	for (type = 0; type < MOD_MEM_NUM_TYPES; type++)
		size += mod->mem[type].size;
	return size;
#else
	return (uint64_t)mod->core_layout.size + mod->init_layout.size;
#endif
}

static const char *kern_module_state(enum module_state s)
{
	switch (s) {
	case MODULE_STATE_LIVE:
		return "live";
	case MODULE_STATE_COMING:
		return "coming";
	case MODULE_STATE_GOING:
		return "going";
	default:
		return "unformed";
	}
}

static int kern_modules_sleeps(struct kern_module **mods, size_t *n)
{
	struct list_head *self = &THIS_MODULE->list, *node;
	struct kern_module *arr;
	size_t got = 0, steps = 0;
	struct module *mod, *scratch;

	arr = kvmalloc_array(KERN_MODULES_MAX, sizeof(*arr), GFP_KERNEL);
	scratch = kmalloc(sizeof(*scratch), GFP_KERNEL);
	if (!arr || !scratch) {
		kvfree(arr);
		kfree(scratch);
		return -ENOMEM;
	}
	rcu_read_lock();
	node = self;
	do {
		if (!kern_is_module_node(node, scratch))
			goto next;	/* the list head */
		mod = list_entry(node, struct module, list);
		if (READ_ONCE(mod->state) == MODULE_STATE_UNFORMED)
			goto next;	/* as /proc/modules: not yet shown */
		strscpy_pad(arr[got].name, mod->name, sizeof(arr[got].name));
		arr[got].size = kern_module_size(mod);
		arr[got].refcount = module_refcount(mod);
		arr[got].state = kern_module_state(READ_ONCE(mod->state));
		got++;
next:
		node = rcu_dereference(list_next_rcu(node));
	} while (node != self && got < KERN_MODULES_MAX &&
		 ++steps < 2 * KERN_MODULES_MAX);
	rcu_read_unlock();
	kfree(scratch);
	*mods = arr;
	*n = got;
	return 0;
}

/*
 * The entry points above that may sleep (allocate, take a mutex, wait,
 * register or unregister a probe). The bindings call them from inside the
 * interpreter's FPU section, where preemption is off, so each leaves the
 * section for its work (kpy_fpu.c); called outside one, they just run.
 */

void kern_free(void *p)
{
	bool fpu = kpy_fpu_pause();

	kern_free_sleeps(p);
	kpy_fpu_resume(fpu);
}

int kern_tasks(struct kern_task **tasks, size_t *n)
{
	bool fpu = kpy_fpu_pause();
	int r = kern_tasks_sleeps(tasks, n);

	kpy_fpu_resume(fpu);
	return r;
}

int kern_modules(struct kern_module **mods, size_t *n)
{
	bool fpu = kpy_fpu_pause();
	int r = kern_modules_sleeps(mods, n);

	kpy_fpu_resume(fpu);
	return r;
}
