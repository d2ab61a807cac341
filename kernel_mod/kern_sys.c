// SPDX-License-Identifier: MIT
/*
 * kernel.release(), version(), cpus(), jiffies(), ktime_ns(), meminfo()
 * and printk(): the kernel side, and the per-execution state of the
 * `kernel` module (its printk budget, its probes).
 */
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/utsname.h>
#include <linux/vmstat.h>
#include "kern.h"

/* Messages one execution may log with kernel.printk(): a loop around it
 * must not flood the log (the output mirror has the same kind of limit). */
#define KERN_PRINTK_BUDGET 1000
static unsigned int kern_printk_left;

/* The caller's UTS namespace, as uname(1) in the calling process sees it. */
const char *kern_release(void)
{
	return utsname()->release;
}

const char *kern_version(void)
{
	return utsname()->version;
}

unsigned int kern_cpus(void)
{
	return num_online_cpus();
}

uint64_t kern_jiffies(void)
{
	return get_jiffies_64();
}

uint64_t kern_ktime_ns(void)
{
	return ktime_get_ns();
}

/* The fields of /proc/meminfo with the same names, in bytes. */
void kern_meminfo(struct kern_meminfo *m)
{
	struct sysinfo i;
	long cached;

	si_meminfo(&i);
	cached = global_node_page_state(NR_FILE_PAGES) -
		 global_node_page_state(NR_SWAPCACHE) - i.bufferram;
	m->total = (uint64_t)i.totalram * i.mem_unit;
	m->free = (uint64_t)i.freeram * i.mem_unit;
	m->shared = (uint64_t)i.sharedram * i.mem_unit;
	m->buffers = (uint64_t)i.bufferram * i.mem_unit;
	m->available = (uint64_t)si_mem_available() << PAGE_SHIFT;
	m->cached = (uint64_t)max(cached, 0L) << PAGE_SHIFT;
}

int kern_printk(int level, const char *msg, size_t len)
{
	if (!kern_printk_left)
		return -EAGAIN;
	kern_printk_left--;
	len = min_t(size_t, len, 1000);
	/* printk_emit() is not exported: the level goes in as the prefix. */
	switch (level) {
	case 0: printk(KERN_EMERG "%.*s\n", (int)len, msg); break;
	case 1: printk(KERN_ALERT "%.*s\n", (int)len, msg); break;
	case 2: printk(KERN_CRIT "%.*s\n", (int)len, msg); break;
	case 3: printk(KERN_ERR "%.*s\n", (int)len, msg); break;
	case 4: printk(KERN_WARNING "%.*s\n", (int)len, msg); break;
	case 5: printk(KERN_NOTICE "%.*s\n", (int)len, msg); break;
	case 6: printk(KERN_INFO "%.*s\n", (int)len, msg); break;
	default: printk(KERN_DEBUG "%.*s\n", (int)len, msg); break;
	}
	return 0;
}

/* Caller holds the run lock (kpy_run.c). */
void kern_run_begin(void)
{
	kern_printk_left = KERN_PRINTK_BUDGET;
}

/* Every way an execution ends comes through here, after the interpreter is
 * gone: normal end, exception, time limit or fatal signal (VM abort). */
void kern_run_end(void)
{
	kern_probes_release_all();
}

/* Module exit: no execution can run any more. */
void kern_exit(void)
{
	kern_probes_release_all();
}
