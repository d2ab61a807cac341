import { release } from 'node:os';

/** Node's process.arch → Debian architecture, for the ones Debian kernels exist for here. */
const DEBIAN_ARCH: Partial<Record<NodeJS.Architecture, string>> = { x64: 'amd64', arm64: 'arm64' };

/**
 * The architecture to ask for when the kernel named is the one this machine
 * runs (`fetch --kernel "$(uname -r)"`): this machine's, so an arm64 host
 * asks for arm64 by itself and is refused rather than handed a module of
 * another architecture. Any other kernel name says its architecture itself.
 */
export function archForKernel(kernel: string, running = release(), arch: NodeJS.Architecture = process.arch): string | undefined {
  return kernel === running ? DEBIAN_ARCH[arch] : undefined;
}
