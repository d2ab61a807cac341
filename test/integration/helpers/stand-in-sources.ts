import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type StandIn = 'ok' | 'compile-error' | 'hang' | 'slow';

/**
 * A trivial module with the real build entry point (`make KDIR=...` at the
 * top, producing kernel_mod/kpython.ko), standing in for the kpython sources
 * in tests. `salt` changes the sources, hence the build key.
 */
export async function makeStandInSources(kind: StandIn, salt = '', opts: { slowSec?: number } = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kpy-src-'));
  await mkdir(join(dir, 'kernel_mod'));
  const body =
    kind === 'compile-error'
      ? 'static int __init kpy_init(void) { return this_is_not_defined; }'
      : 'static int __init kpy_init(void) { pr_info("stand-in\\n"); return 0; }';
  await writeFile(
    join(dir, 'Makefile'),
    [
      'KDIR ?= /lib/modules/$(shell uname -r)/build',
      'all:',
      kind === 'hang' ? '\t@echo hanging; sleep 600' : kind === 'slow' ? `\t@echo slow; sleep ${opts.slowSec ?? 20}\n\t$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel_mod modules` : '\t$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel_mod modules',
      '',
    ].join('\n'),
  );
  await writeFile(join(dir, 'kernel_mod', 'Kbuild'), 'obj-m := kpython.o\n');
  await writeFile(
    join(dir, 'kernel_mod', 'kpython.c'),
    [
      `/* stand-in ${salt} */`,
      '#include <linux/module.h>',
      '#include <linux/init.h>',
      body,
      'static void __exit kpy_exit(void) { }',
      'module_init(kpy_init);',
      'module_exit(kpy_exit);',
      'MODULE_LICENSE("GPL");',
      '',
    ].join('\n'),
  );
  return dir;
}
