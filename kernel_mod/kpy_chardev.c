// SPDX-License-Identifier: MIT
/*
 * /dev/kpython: a misc character device with the exec interface of
 * kpy_exec.c. Lockdown refuses writable debugfs files, but not this device:
 * under lockdown the signature policy (kpy_sig.c) decides what runs, as the
 * module loader does for modules. Root only: mode 0600.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include "kpy.h"

static struct miscdevice kpy_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = KBUILD_MODNAME,
	.fops = &kpy_exec_fops,
	.mode = 0600,
};

int kpy_chardev_init(void)
{
	return misc_register(&kpy_miscdev);
}

void kpy_chardev_exit(void)
{
	misc_deregister(&kpy_miscdev);
}
