/**
 * Load generator for bench/service-bench.ts, run in its own process so the
 * client does not share the server's event loop:
 *   node dist/bench/service-load.js URL TOTAL CONNECTIONS
 * Prints {"p50":ms,"p99":ms,"rps":n} on stdout.
 */
import { request, Agent } from 'node:http';

const [url, totalArg, connArg] = process.argv.slice(2);
if (!url) throw new Error('usage: service-load URL TOTAL CONNECTIONS');
const total = Number(totalArg ?? 1000);
const conns = Number(connArg ?? 32);
const agent = new Agent({ keepAlive: true, maxSockets: conns });

function get(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    request(url as string, { agent }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
      res.on('data', () => undefined);
      res.on('end', () => resolve(performance.now() - t));
    })
      .on('error', reject)
      .end();
  });
}

const lat: number[] = [];
let started = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: conns }, async () => {
    while (started < total) {
      started++;
      lat.push(await get());
    }
  }),
);
const secs = (performance.now() - t0) / 1000;
lat.sort((a, b) => a - b);
const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? NaN;
process.stdout.write(`${JSON.stringify({ p50: pct(50), p99: pct(99), rps: total / secs })}\n`);
agent.destroy();
