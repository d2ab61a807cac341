// SPDX-License-Identifier: MIT
/*
 * kernel.kprobe() and kernel.kretprobe(): the kernel side.
 *
 * A probe's handler runs wherever the probed function runs (any task,
 * interrupts, with locks held, preemption off). It only copies a few words
 * into the probe's ring and never sleeps, allocates, takes a lock it could
 * wait on, or wakes a task: the ring lock is taken with a bounded trylock
 * (a handler that cannot get it drops the event, so a probe on something
 * the consumer itself calls while holding the lock cannot deadlock), and
 * the consumer is woken through an irq_work, because wake_up() from a
 * probe on a scheduler function would take the runqueue lock it may
 * already hold. Python never runs in probe context: the script pops events
 * from the ring in its own context.
 *
 * Ownership: a probe's state is kmalloc'd and belongs to the execution's
 * registry (kern_probes), never to the Python heap, which a collection can
 * free while a handler still runs. The Python object only points at it.
 * Probes are unregistered when their context exits, and all of the
 * execution's at its end, whatever the end (kern_run_end()), and at module
 * exit; only then is the state freed, after irq_work_sync().
 *
 * The registry is touched only by the executing script and by module exit,
 * both serialized by the run lock (or by the module being unloaded).
 */
#include <linux/irq_work.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>
#include "kern.h"
#include "kpy.h"

/* Ring memory one execution may hold across all its probes. */
#define KERN_RING_BYTES_MAX (32 << 20)
/* How long a handler tries for the ring lock before dropping the event. */
#define KERN_SPIN_TRIES 200

struct kern_probe {
	struct list_head node;		/* in kern_probes */
	struct kretprobe rp;		/* rp.kp alone for a plain kprobe */
	bool is_ret;
	bool registered;
	unsigned int nargs;
	char *symbol;

	raw_spinlock_t lock;		/* head, tail and the ring */
	u32 head, tail, mask;		/* free-running; head - tail queued */
	struct kern_event *ring;
	size_t ring_bytes;

	atomic64_t hits;
	atomic64_t dropped;
	int waiting;			/* the consumer sleeps: wake it */
	wait_queue_head_t wq;
	struct irq_work wake;
};

static LIST_HEAD(kern_probes);
static unsigned int kern_probe_count;
static size_t kern_ring_bytes;

static void kern_record(struct kern_probe *p, struct pt_regs *regs,
			const u64 *args, u64 ret)
{
	struct kern_event *ev;
	unsigned long flags;
	unsigned int i, tries = 0;

	atomic64_inc(&p->hits);
	while (!raw_spin_trylock_irqsave(&p->lock, flags)) {
		if (++tries == KERN_SPIN_TRIES)
			goto out_drop;
		cpu_relax();
	}
	if (p->head - p->tail > p->mask) {
		raw_spin_unlock_irqrestore(&p->lock, flags);
		goto out_drop;
	}
	ev = &p->ring[p->head & p->mask];
	ev->ts_ns = ktime_get_mono_fast_ns();
	ev->cpu = raw_smp_processor_id();
	ev->pid = current->pid;
	memcpy(ev->comm, current->comm, sizeof(ev->comm));
	for (i = 0; i < p->nargs; i++)
		ev->args[i] = args ? args[i] : regs_get_kernel_argument(regs, i);
	ev->ret = ret;
	p->head++;
	raw_spin_unlock_irqrestore(&p->lock, flags);
	/* Once per sleep: the wake-up's own path may hit this probe again. */
	if (READ_ONCE(p->waiting) && xchg(&p->waiting, 0))
		irq_work_queue(&p->wake);
	return;
out_drop:
	atomic64_inc(&p->dropped);
}

static int kern_pre_handler(struct kprobe *kp, struct pt_regs *regs)
{
	kern_record(container_of(kp, struct kern_probe, rp.kp), regs, NULL, 0);
	return 0;
}

static struct kern_probe *kern_ri_probe(struct kretprobe_instance *ri)
{
	return container_of(get_kretprobe(ri), struct kern_probe, rp);
}

/* The arguments are gone by the time the function returns: keep them. */
static int kern_entry_handler(struct kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	struct kern_probe *p = kern_ri_probe(ri);
	u64 *args = (u64 *)ri->data;
	unsigned int i;

	for (i = 0; i < p->nargs; i++)
		args[i] = regs_get_kernel_argument(regs, i);
	return 0;
}

static int kern_ret_handler(struct kretprobe_instance *ri,
			    struct pt_regs *regs)
{
	kern_record(kern_ri_probe(ri), regs, (const u64 *)ri->data,
		    regs_return_value(regs));
	return 0;
}

static void kern_probe_wake(struct irq_work *work)
{
	wake_up(&container_of(work, struct kern_probe, wake)->wq);
}

/* A struct kprobe cannot be registered twice without being reset. */
static int kern_probe_register(struct kern_probe *p, bool disabled)
{
	int ret;

	memset(&p->rp, 0, sizeof(p->rp));
	p->rp.kp.symbol_name = p->symbol;
	if (disabled)
		p->rp.kp.flags = KPROBE_FLAG_DISABLED;
	if (p->is_ret) {
		p->rp.handler = kern_ret_handler;
		p->rp.entry_handler = kern_entry_handler;
		p->rp.data_size = sizeof(u64) * KERN_MAX_ARGS;
		ret = register_kretprobe(&p->rp);
	} else {
		p->rp.kp.pre_handler = kern_pre_handler;
		ret = register_kprobe(&p->rp.kp);
	}
	if (!ret)
		p->registered = true;
	return ret;
}

static void kern_probe_unregister(struct kern_probe *p)
{
	if (!p->registered)
		return;
	if (p->is_ret)
		unregister_kretprobe(&p->rp);
	else
		unregister_kprobe(&p->rp.kp);
	p->registered = false;
}

static void kern_probe_free(struct kern_probe *p)
{
	irq_work_sync(&p->wake);
	kern_ring_bytes -= p->ring_bytes;
	kvfree(p->ring);
	kfree(p->symbol);
	kfree(p);
}

/*
 * Registered at once but disabled, so that an unknown or unprobeable
 * symbol fails here (-ENOENT, -EINVAL) and entering only arms it.
 */
static int kern_probe_new_sleeps(const char *symbol, unsigned int nargs, bool ret,
		   unsigned int capacity, struct kern_probe **out)
{
	struct kern_probe *p;
	size_t bytes;
	int err;

	if (nargs > KERN_MAX_ARGS || !capacity || capacity > KERN_RING_MAX)
		return -EINVAL;
	if (kern_probe_count >= KERN_PROBE_MAX)
		return -ENOSPC;
	capacity = roundup_pow_of_two(capacity);
	bytes = capacity * sizeof(struct kern_event);
	if (kern_ring_bytes + bytes > KERN_RING_BYTES_MAX)
		return -ENOMEM;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->symbol = kstrdup(symbol, GFP_KERNEL);
	p->ring = kvcalloc(capacity, sizeof(struct kern_event), GFP_KERNEL);
	if (!p->symbol || !p->ring) {
		err = -ENOMEM;
		goto out_free;
	}
	p->ring_bytes = bytes;
	p->mask = capacity - 1;
	p->nargs = nargs;
	p->is_ret = ret;
	raw_spin_lock_init(&p->lock);
	init_waitqueue_head(&p->wq);
	init_irq_work(&p->wake, kern_probe_wake);
	atomic64_set(&p->hits, 0);
	atomic64_set(&p->dropped, 0);
	err = kern_probe_register(p, true);
	if (err)
		goto out_free;
	kern_ring_bytes += bytes;
	kern_probe_count++;
	list_add_tail(&p->node, &kern_probes);
	*out = p;
	return 0;

out_free:
	kvfree(p->ring);
	kfree(p->symbol);
	kfree(p);
	return err;
}

/* Arm the probe; after an exit it is registered anew. */
static int kern_probe_enter_sleeps(struct kern_probe *p)
{
	if (!p->registered)
		return kern_probe_register(p, false);
	return p->is_ret ? enable_kretprobe(&p->rp) : enable_kprobe(&p->rp.kp);
}

/* Unregistered, not only disabled: nothing is left in kprobes/list. */
static void kern_probe_exit_sleeps(struct kern_probe *p)
{
	kern_probe_unregister(p);
}

int kern_probe_pop(struct kern_probe *p, struct kern_event *ev,
		   uint64_t until_ns)
{
	unsigned long flags;
	int got = 0;

	raw_spin_lock_irqsave(&p->lock, flags);
	if (p->tail != p->head &&
	    p->ring[p->tail & p->mask].ts_ns > until_ns) {
		got = -EAGAIN;
	} else if (p->tail != p->head) {
		*ev = p->ring[p->tail & p->mask];
		p->tail++;
		got = 1;
	}
	raw_spin_unlock_irqrestore(&p->lock, flags);
	return got;
}

/* Ask to be woken (kern_record()), then look: no wake-up is lost. */
static bool kern_probe_ready(struct kern_probe *p)
{
	WRITE_ONCE(p->waiting, 1);
	smp_mb();
	return READ_ONCE(p->head) != READ_ONCE(p->tail);
}

/*
 * Killable, not interruptible: a script cannot handle signals, and a
 * pending non-fatal one would end every sleep at once. The caller checks
 * the time limit and fatal signals afterwards (kpy_hal_check_abort()).
 */
static int kern_probe_wait_sleeps(struct kern_probe *p, int64_t ns)
{
	s64 left = min_t(s64, ns, kpy_deadline_left_ns());
	int ret;

	if (left <= 0)
		return 0;
	ret = __wait_event_hrtimeout(p->wq, kern_probe_ready(p),
				     ns_to_ktime(left), TASK_KILLABLE);
	WRITE_ONCE(p->waiting, 0);
	return ret == -ERESTARTSYS ? -EINTR : 0;
}

uint64_t kern_probe_hits(struct kern_probe *p)
{
	return atomic64_read(&p->hits);
}

uint64_t kern_probe_dropped(struct kern_probe *p)
{
	return atomic64_read(&p->dropped);
}

/* Hits kprobes itself skipped: recursion, or no free kretprobe instance. */
uint64_t kern_probe_missed(struct kern_probe *p)
{
	return (uint64_t)p->rp.kp.nmissed + (p->is_ret ? p->rp.nmissed : 0);
}

uint64_t kern_probe_addr(struct kern_probe *p)
{
	return (uintptr_t)p->rp.kp.addr;
}

bool kern_probe_active(struct kern_probe *p)
{
	return p->registered && !kprobe_disabled(&p->rp.kp);
}

bool kern_probe_is_ret(struct kern_probe *p)
{
	return p->is_ret;
}

unsigned int kern_probe_nargs(struct kern_probe *p)
{
	return p->nargs;
}

const char *kern_probe_symbol(struct kern_probe *p)
{
	return p->symbol;
}

void kern_probes_release_all(void)
{
	static struct kprobe *kps[KERN_PROBE_MAX];
	static struct kretprobe *rps[KERN_PROBE_MAX];
	struct kern_probe *p, *next;
	int nk = 0, nr = 0;

	/* One grace period for all of them, not one each. */
	list_for_each_entry(p, &kern_probes, node) {
		if (!p->registered)
			continue;
		if (p->is_ret)
			rps[nr++] = &p->rp;
		else
			kps[nk++] = &p->rp.kp;
		p->registered = false;
	}
	if (nk)
		unregister_kprobes(kps, nk);
	if (nr)
		unregister_kretprobes(rps, nr);
	list_for_each_entry_safe(p, next, &kern_probes, node) {
		list_del(&p->node);
		kern_probe_free(p);
	}
	kern_probe_count = 0;
}

/*
 * The entry points above that may sleep (allocate, take a mutex, wait,
 * register or unregister a probe). The bindings call them from inside the
 * interpreter's FPU section, where preemption is off, so each leaves the
 * section for its work (kpy_fpu.c); called outside one, they just run.
 */

int kern_probe_new(const char *symbol, unsigned int nargs, bool ret,
		   unsigned int capacity, struct kern_probe **out)
{
	bool fpu = kpy_fpu_pause();
	int r = kern_probe_new_sleeps(symbol, nargs, ret, capacity, out);

	kpy_fpu_resume(fpu);
	return r;
}

int kern_probe_enter(struct kern_probe *p)
{
	bool fpu = kpy_fpu_pause();
	int r = kern_probe_enter_sleeps(p);

	kpy_fpu_resume(fpu);
	return r;
}

void kern_probe_exit(struct kern_probe *p)
{
	bool fpu = kpy_fpu_pause();

	kern_probe_exit_sleeps(p);
	kpy_fpu_resume(fpu);
}

int kern_probe_wait(struct kern_probe *p, int64_t ns)
{
	bool fpu = kpy_fpu_pause();
	int r = kern_probe_wait_sleeps(p, ns);

	kpy_fpu_resume(fpu);
	return r;
}
