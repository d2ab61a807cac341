import type { KernelCompiler } from '../kernel-compiler.js';

/** A stored, validated headers upload (`<dataDir>/headers/<id>/meta.json`). */
export interface UploadedHeaders {
  /** sha256 (hex) of the normalised headers.tar: the content address */
  id: string;
  release: string;
  arch: string;
  /** the kernel build directory inside the build container */
  kdir: string;
  /** directories the tree fills, each a tmpfs in the container (`/usr/src`, `/usr/lib/linux-kbuild-6.1`) */
  roots: string[];
  compiler: KernelCompiler;
  /** what was uploaded: a kernel build directory, a tree rooted at `/`, or linux-headers .deb files */
  layout: 'build-dir' | 'rooted' | 'debs';
  files: number;
  /** bytes of file content in the tree */
  bytes: number;
  /** size of headers.tar */
  tarBytes: number;
  upload: { format: string; sha256: string; bytes: number };
  createdAt: string;
}

export const HEADERS_ID_RE = /^sha256:([0-9a-f]{64})$/;
