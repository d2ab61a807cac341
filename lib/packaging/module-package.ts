import { buildDeb, type DebSpec } from './deb-package.js';
import { KPYTHON_VERSION, MAINTAINER } from './kpython-version.js';

export interface ModulePackageInput {
  release: string;
  /** Debian version of the kernel's packages (linux-headers-<release>, linux-image-<release>) */
  kernelVersion: string;
  arch: string;
  /** Debian codename the kernel belongs to: bookworm keeps modules in /lib, later ones in /usr/lib */
  codename: string;
  /** the signed, stripped module */
  module: Buffer;
  mtime: number;
}

export interface BuiltPackage {
  /** pool file name: <package>_<version>_<arch>.deb (epoch colons as %3a) */
  fileName: string;
  package: string;
  version: string;
  arch: string;
  /** the control stanza (without Filename/Size/checksums) for Packages indexes */
  control: string;
  deb: Buffer;
}

/** Releases up to bookworm install modules under /lib; trixie and later under /usr/lib (merged /usr). */
const LIB_MODULES_IN_ROOT = new Set(['buster', 'bullseye', 'bookworm']);

export function modulesDir(codename: string, release: string): string {
  return `${LIB_MODULES_IN_ROOT.has(codename) ? '' : 'usr/'}lib/modules/${release}`;
}

/**
 * kpython-modules-<release>: the module under updates/kpython/ (depmod
 * prefers updates/ to the kernel's own modules), for exactly the kernel
 * package version it was built against, with the maintainer scripts
 * dh_installmodules writes (depmod with the kernel's System.map when the
 * kernel is installed).
 */
export async function modulePackage(p: ModulePackageInput): Promise<BuiltPackage> {
  const name = `kpython-modules-${p.release}`;
  const version = `${KPYTHON_VERSION}+${p.kernelVersion}`;
  const depmod = [
    '#!/bin/sh',
    'set -e',
    `if [ -e /boot/System.map-${p.release} ]; then`,
    `\tdepmod -a -F /boot/System.map-${p.release} ${p.release} || true`,
    'fi',
    '',
  ];
  const spec: DebSpec = {
    control: [
      ['Package', name],
      ['Source', 'kpython'],
      ['Version', version],
      ['Architecture', p.arch],
      ['Maintainer', MAINTAINER],
      ['Depends', `linux-image-${p.release} (= ${p.kernelVersion}) | linux-image-${p.release}-unsigned (= ${p.kernelVersion})`],
      ['Provides', 'kpython-modules'],
      ['Section', 'kernel'],
      ['Priority', 'optional'],
      [
        'Description',
        `kpython (MicroPython in the Linux kernel) module for Linux ${p.release}\n` +
          ` kpython.ko built by the kpython build service against the Debian headers\n` +
          ` of linux-image-${p.release} ${p.kernelVersion}, stripped of its debug info\n` +
          ' and signed with the service\'s module-signing key.',
      ],
    ],
    files: [{ path: `${modulesDir(p.codename, p.release)}/updates/kpython/kpython.ko`, data: p.module }],
    scripts: {
      // dh_installmodules: on configure only; on every postrm action.
      postinst: depmod.join('\n').replace('if [ -e', 'if [ "$1" = "configure" ] && [ -e'),
      postrm: depmod.join('\n'),
    },
    mtime: p.mtime,
  };
  return finish(spec, name, version, p.arch);
}

export async function finish(spec: DebSpec, name: string, version: string, arch: string): Promise<BuiltPackage> {
  const { deb, control } = await buildDeb(spec);
  return { fileName: `${name}_${version.replace(/:/g, '%3a')}_${arch}.deb`, package: name, version, arch, control, deb };
}
