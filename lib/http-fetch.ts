import { KpyError } from './errors.js';

/** GET a URL from the Debian archive into memory; failures become ARCHIVE_UNAVAILABLE. */
export async function fetchBytes(url: string, timeoutMs = 60_000): Promise<Buffer> {
  const res = await fetchOk(url, timeoutMs);
  return Buffer.from(await res.arrayBuffer());
}

/** GET a URL, requiring a 2xx answer; the body is left to the caller. */
export async function fetchOk(url: string, timeoutMs = 60_000): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (err) {
    throw new KpyError('ARCHIVE_UNAVAILABLE', `cannot fetch ${url}: ${(err as Error).message}`, { cause: err });
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new KpyError('ARCHIVE_UNAVAILABLE', `cannot fetch ${url}: HTTP ${res.status}`, { details: { status: res.status } });
  }
  return res;
}
