import { CliError, EXIT } from './exit-codes.js';

export interface BuildView {
  id: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  stage: string | null;
  progress: number | null;
  kernel: string | null;
  trust?: string | null;
  startedAt?: string | null;
  finishedAt?: string | null;
  durationMs?: number | null;
  error: { code: string; message: string } | null;
  artifacts: { name: string; sha256?: string; size?: number; url: string }[];
  links: { self: string; log: string };
}

/** The build service over HTTP, for the CLI. */
export class ApiClient {
  constructor(
    readonly base: string,
    private readonly token?: string,
  ) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.token) headers.set('authorization', `Bearer ${this.token}`);
    let res: Response;
    try {
      res = await fetch(new URL(path, this.base), { ...init, headers });
    } catch (err) {
      throw new CliError(`cannot reach the build service at ${this.base}: ${(err as Error).message}`, EXIT.SERVICE_ERROR);
    }
    if (res.status >= 400) throw await problemError(res);
    return res;
  }

  async json<T>(path: string, init?: RequestInit): Promise<T> {
    return (await (await this.request(path, init)).json()) as T;
  }

  async submit(body: Record<string, unknown>): Promise<BuildView> {
    return this.json<BuildView>('/v1/builds', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async download(path: string): Promise<Buffer> {
    return Buffer.from(await (await this.request(path)).arrayBuffer());
  }
}

async function problemError(res: Response): Promise<CliError> {
  const text = await res.text();
  let code = `HTTP ${res.status}`;
  let detail = text.slice(0, 500);
  try {
    const p = JSON.parse(text) as { code?: string; detail?: string };
    code = p.code ?? code;
    detail = p.detail ?? detail;
  } catch {
    // not a problem document
  }
  const exit = res.status === 404 ? EXIT.NOT_FOUND : res.status < 500 ? EXIT.USAGE : EXIT.SERVICE_ERROR;
  return new CliError(`${code}: ${detail}`, exit);
}
