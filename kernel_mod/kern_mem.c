// SPDX-License-Identifier: MIT
/*
 * kernel.read() and kernel.symbol(): the kernel side.
 *
 * Reads go through copy_from_kernel_nofault(), page by page: an unmapped,
 * user or non-canonical address fails with -EFAULT through the exception
 * table instead of oopsing. Only mapped memory is read, but any mapped
 * memory is: reading an ioremap()ed device register has the device's side
 * effects (the exec file is root's only).
 *
 * kallsyms_lookup_name() has not been exported since 5.7, and calling it
 * through an address found by a kprobe breaks where indirect calls must
 * land on an ENDBR (x86 IBT, on in Debian's 6.12) or carry a CFI hash. So
 * kpython calls nothing it looks up: it asks register_kprobe(), which is
 * exported, to resolve the name. The probe is registered disabled (never
 * armed) and removed at once. register_kprobe() stores the address it
 * resolved in kp.addr before it checks that the place may be probed, so
 * data symbols and blacklisted functions resolve too (their registration
 * fails with -EINVAL after the lookup). On IBT kernels it moves a function
 * entry past the ENDBR; sprint_symbol() undoes that.
 */
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "kern.h"
#include "kpy.h"

int kern_read(uint64_t addr, void *buf, size_t n)
{
	size_t off = 0, chunk;

	if (n > KERN_READ_MAX)
		return -EINVAL;
	if (addr + n < addr || addr < TASK_SIZE_MAX)
		return n ? -EFAULT : 0;
	while (off < n) {
		chunk = min_t(size_t, n - off,
			      PAGE_SIZE - ((addr + off) & ~PAGE_MASK));
		if (copy_from_kernel_nofault((char *)buf + off,
					     (const void *)(uintptr_t)(addr + off),
					     chunk))
			return -EFAULT;
		off += chunk;
	}
	return 0;
}

/* The start of the symbol `name` that contains addr, or addr itself. */
static unsigned long kern_symbol_start(unsigned long addr, const char *name)
{
	size_t len = strlen(name);
	unsigned long off;
	char *buf, *plus;

	buf = kmalloc(KSYM_SYMBOL_LEN, GFP_KERNEL);
	if (!buf)
		return addr;
	sprint_symbol(buf, addr);	/* "name+0x4/0x1a0 [module]" */
	plus = buf + len;
	if (!strncmp(buf, name, len) && plus[0] == '+' &&
	    sscanf(plus, "+%lx", &off) == 1 && off <= addr)
		addr -= off;
	kfree(buf);
	return addr;
}

static int kern_symbol_sleeps(const char *name, uint64_t *addr)
{
	struct kprobe kp = {
		.symbol_name = name,
		.flags = KPROBE_FLAG_DISABLED,
	};
	unsigned long a;
	int ret;

	ret = register_kprobe(&kp);
	a = (unsigned long)kp.addr;
	if (!ret)
		unregister_kprobe(&kp);
	if (!a)
		return ret ? ret : -ENOENT;
	*addr = kern_symbol_start(a, name);
	return 0;
}

/*
 * The entry points above that may sleep (allocate, take a mutex, wait,
 * register or unregister a probe). The bindings call them from inside the
 * interpreter's FPU section, where preemption is off, so each leaves the
 * section for its work (kpy_fpu.c); called outside one, they just run.
 */

int kern_symbol(const char *name, uint64_t *addr)
{
	bool fpu = kpy_fpu_pause();
	int r = kern_symbol_sleeps(name, addr);

	kpy_fpu_resume(fpu);
	return r;
}
