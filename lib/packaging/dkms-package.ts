import { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { DebEntry } from './deb-package.js';
import { finish, type BuiltPackage } from './module-package.js';
import { KPYTHON_VERSION, MAINTAINER } from './kpython-version.js';

/**
 * dkms.conf for the tree docker/build-in-container.sh leaves: kernel_mod/
 * (with the generated, patched MicroPython bundle in gen/) next to
 * embed_cfg/. Kbuild is run directly: the bundle is already there, nothing
 * is fetched or generated on the target.
 */
export function dkmsConf(version: string): string {
  const m = '${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build/kernel_mod';
  return [
    'PACKAGE_NAME="kpython"',
    `PACKAGE_VERSION="${version}"`,
    'BUILT_MODULE_NAME[0]="kpython"',
    'BUILT_MODULE_LOCATION[0]="kernel_mod/"',
    'DEST_MODULE_LOCATION[0]="/updates/dkms"',
    `MAKE[0]="make -C \${kernel_source_dir} M=${m} modules"`,
    `CLEAN="make -C \${kernel_source_dir} M=${m} clean"`,
    // The module's interface is a debugfs file.
    'BUILD_EXCLUSIVE_CONFIG="CONFIG_DEBUG_FS"',
    'AUTOINSTALL="yes"',
    '',
  ].join('\n');
}

/**
 * kpython-dkms: the module's sources under /usr/src/kpython-<version>/ with
 * dkms.conf; maintainer scripts as dh_dkms writes them (Debian's
 * common.postinst adds, builds and installs for every kernel with headers).
 */
export async function dkmsPackage(sourceTar: Buffer, mtime: number): Promise<BuiltPackage> {
  const base = `usr/src/kpython-${KPYTHON_VERSION}`;
  const files: DebEntry[] = [{ path: `${base}/dkms.conf`, data: Buffer.from(dkmsConf(KPYTHON_VERSION)) }];
  for (const f of await tarFiles(sourceTar)) files.push({ path: `${base}/${f.path}`, data: f.data, mode: f.mode & 0o111 ? 0o755 : 0o644 });
  const name = 'kpython-dkms';
  return finish(
    {
      control: [
        ['Package', name],
        ['Source', 'kpython'],
        ['Version', KPYTHON_VERSION],
        ['Architecture', 'all'],
        ['Maintainer', MAINTAINER],
        ['Depends', 'dkms (>= 2.1.0.0)'],
        ['Provides', 'kpython-modules'],
        ['Section', 'kernel'],
        ['Priority', 'optional'],
        [
          'Description',
          'kpython (MicroPython in the Linux kernel) module sources for DKMS\n' +
            ' The sources of kpython.ko with the MicroPython interpreter generated from\n' +
            ' the verified upstream pin; DKMS builds the module for every kernel whose\n' +
            ' headers are installed.',
        ],
      ],
      files,
      scripts: {
        postinst: [
          '#!/bin/sh',
          'set -e',
          'if [ "$1" = "configure" ]; then',
          `\t/usr/lib/dkms/common.postinst kpython ${KPYTHON_VERSION} "" "" "$2"`,
          'fi',
          '',
        ].join('\n'),
        prerm: [
          '#!/bin/sh',
          'set -e',
          'case "$1" in remove|upgrade|deconfigure)',
          `\tdkms remove -m kpython -v ${KPYTHON_VERSION} --all || true ;;`,
          'esac',
          '',
        ].join('\n'),
      },
      mtime,
    },
    name,
    KPYTHON_VERSION,
    'all',
  );
}

/** Regular files of a tar (the container's tree; directories are implied by paths). */
async function tarFiles(data: Buffer): Promise<{ path: string; data: Buffer; mode: number }[]> {
  const extract = tar.extract();
  const out: { path: string; data: Buffer; mode: number }[] = [];
  Readable.from([data]).pipe(extract);
  for await (const entry of extract) {
    const { name, type, mode } = entry.header;
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    const path = name.replace(/^\.\//, '');
    if (type !== 'file') continue;
    if (path.split('/').some((p) => p === '..' || p === '') ) throw new Error(`bad path ${name} in the DKMS source tree`);
    out.push({ path, data: Buffer.concat(chunks), mode: mode ?? 0o644 });
  }
  return out;
}
