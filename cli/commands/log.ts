import type { ApiClient, BuildView } from '../api-client.js';
import { EXIT } from '../exit-codes.js';
import { readSseEvents } from '../sse.js';

export async function logCommand(api: ApiClient, o: { id: string; follow: boolean }): Promise<number> {
  if (!o.follow) {
    process.stdout.write(await (await api.request(`/v1/builds/${o.id}/log`, { headers: { accept: 'text/plain' } })).text());
    return EXIT.OK;
  }
  const res = await api.request(`/v1/builds/${o.id}/log`, { headers: { accept: 'text/event-stream' } });
  for await (const ev of readSseEvents(res)) {
    if (ev.event === 'end') break;
    process.stdout.write(`${ev.data}\n`);
  }
  const b = await api.json<BuildView>(`/v1/builds/${o.id}`);
  return b.state === 'succeeded' ? EXIT.OK : EXIT.BUILD_FAILED;
}
