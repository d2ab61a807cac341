/** The header codec tar-stream uses internally (tar-stream/headers.js, no types of its own). */
declare module 'tar-stream/headers.js' {
  import type { Headers } from 'tar-stream';
  export function decode(buf: Buffer, filenameEncoding: string, allowUnknownFormat: boolean): (Headers & { size: number }) | null;
  export function decodePax(buf: Buffer): Record<string, string>;
}
