import { readFile } from 'node:fs/promises';
import { finish, type BuiltPackage } from './module-package.js';
import { KPYTHON_VERSION, MAINTAINER } from './kpython-version.js';

/** client/kpython of the checkout the service runs from. */
export const CLIENT_SCRIPT = new URL('../../../client/kpython', import.meta.url);

/** kpython-client: the POSIX-sh target client as /usr/bin/kpython (arch all, no dependencies). */
export async function clientPackage(mtime: number, script?: Buffer): Promise<BuiltPackage> {
  const data = script ?? (await readFile(CLIENT_SCRIPT));
  return finish(
    {
      control: [
        ['Package', 'kpython-client'],
        ['Source', 'kpython'],
        ['Version', KPYTHON_VERSION],
        ['Architecture', 'all'],
        ['Maintainer', MAINTAINER],
        ['Recommends', 'kpython-modules | kpython-dkms'],
        ['Section', 'utils'],
        ['Priority', 'optional'],
        [
          'Description',
          'run Python in the kernel through kpython.ko\n' +
            ' kpython FILE | -c CODE | - sends a script to the loaded kpython module\n' +
            ' (/sys/kernel/debug/kpython/exec) and prints its output; exits 1 when the\n' +
            ' script raised, 124 on its time limit.',
        ],
      ],
      files: [{ path: 'usr/bin/kpython', data, mode: 0o755 }],
      mtime,
    },
    'kpython-client',
    KPYTHON_VERSION,
    'all',
  );
}
