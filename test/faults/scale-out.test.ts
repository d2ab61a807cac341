import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultRedisUrl } from '../../lib/config.js';
import { runCommand } from '../../lib/run-command.js';
import { sha256Hex } from '../../lib/sha256.js';
import { LABEL_WORKER } from '../../worker/container-client.js';
import { REPO_ROOT } from '../integration/helpers/test-core.js';
import { makeStandInSources } from '../integration/helpers/stand-in-sources.js';
import { makeModuleElf } from '../unit/elf-fixture.js';
import { buildDirEntries, gz, makeTar } from '../unit/headers-fixture.js';
import { emptyBucket, s3Env, startFleetProcess, stopFleetProcess, testBucket, type FleetProcess } from './helpers/fleet.js';
import { cleanRedis, freePort, makeDataDir, until } from './helpers/service-process.js';

/**
 * Headers whose Makefile "builds" by copying a module ELF with the right
 * vermagic into place after `sleepSec`: every job is a real job through a
 * real worker (real container, check, signing, S3 publish) that costs a
 * second or two instead of a kernel build's ~35 s.
 */
async function quickHeaders(release: string, sleepSec = 0): Promise<Buffer> {
  const ko = makeModuleElf([`vermagic=${release} SMP preempt mod_unload modversions `, 'name=kpython', 'license=GPL']);
  const makefile = `all modules %:\n\t${sleepSec ? `sleep ${sleepSec}; ` : ''}cp $(CURDIR)/module.bin $(M)/kpython.ko\n`;
  return gz(await makeTar([...buildDirEntries({ release, makefile }), { name: 'module.bin', body: ko }]));
}

type View = { id: string; state: string; worker: string | null; error: { code: string } | null; artifacts: { name: string; sha256: string; url: string }[] };

describe('scale out: an API, two workers on their own directories, one Redis, one S3 bucket (Swift)', () => {
  const hex = randomBytes(4).toString('hex');
  const bucket = `kpytest-fleet-${hex}`;
  const objects = testBucket(bucket);
  const dirs: string[] = [];
  const procs: Record<string, FleetProcess | undefined> = {};
  // Each process's log outlives the test, for a failure's post-mortem.
  const logs = join(tmpdir(), `kpy-fleet-logs-${hex}`);
  const logFile = (name: string) => ({ logFile: join(logs, `${name.replace(/\W+/g, '-')}.log`) });
  let common: Record<string, string>;
  let apiEnv: Record<string, string>;
  let url: string;
  const workerEnv: Record<string, Record<string, string>> = {};

  const tmp = async (what: string) => {
    const d = await mkdtemp(join(tmpdir(), `kpy-fleet-${what}-`));
    dirs.push(d);
    return d;
  };
  const view = async (id: string) => (await (await fetch(`${url}/v1/builds/${id}`)).json()) as View;
  const upload = async (tgz: Buffer) => {
    const r = await fetch(`${url}/v1/headers`, { method: 'POST', headers: { 'content-type': 'application/gzip' }, body: new Uint8Array(tgz) });
    assert.equal(r.status, 201, await r.clone().text());
    return ((await r.json()) as { id: string }).id;
  };
  const submit = async (headers: string) => {
    const r = await fetch(`${url}/v1/builds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ headers }) });
    assert.ok(r.status === 202 || r.status === 200, await r.clone().text());
    return ((await r.json()) as View).id;
  };
  const finished = (id: string, ms = 240_000) =>
    until(`build ${id.slice(0, 12)} finished`, ms, async () => {
      const v = await view(id);
      return v.state === 'succeeded' || v.state === 'failed' ? v : undefined;
    });

  before(async () => {
    await objects.ensureBucket();
    const src = await makeStandInSources('ok', `fleet-${hex}`);
    dirs.push(src);
    const keys = await tmp('keys');
    common = {
      KPY_REDIS_URL: await defaultRedisUrl(join(REPO_ROOT, 'data')),
      KPY_REDIS_PREFIX: `kpytest-fleet-${hex}`,
      KPY_QUEUE: `fleet-${hex}`,
      KPY_SOURCE_DIR: src,
      // One key set per deployment, handed to every host (here: one directory).
      KPY_KEYS_DIR: keys,
      KPY_LOG_LEVEL: 'info',
      KPY_BUILD_MEMORY_MB: '512',
      // a killed worker's build moves on within ~3 locks: 10 s keeps the drill short
      KPY_WORKER_LOCK_SEC: '10',
      ...s3Env(bucket),
    };
    apiEnv = { ...common, KPY_HOST: '127.0.0.1', KPY_PORT: String(await freePort()), KPY_DATA_DIR: await makeDataDir() };
    dirs.push(apiEnv.KPY_DATA_DIR as string);
    url = `http://127.0.0.1:${apiEnv.KPY_PORT}`;
    await mkdir(logs, { recursive: true });
    procs.api = await startFleetProcess('api', 'api', apiEnv, /build service listening/, logFile('api'));
    for (const w of ['a', 'b']) {
      const data = await makeDataDir();
      dirs.push(data);
      // Its own cache, holding the Debian packages a machine that built before would have (setup's downloads).
      const cache = await tmp(`cache-${w}`);
      await cp(join(REPO_ROOT, 'data', 'cache', 'debs'), join(cache, 'debs'), { recursive: true }).catch(() => undefined);
      workerEnv[w] = { ...common, KPY_DATA_DIR: data, KPY_CACHE_DIR: cache, KPY_WORKER_ID: `fleet-${hex}-${w}` };
      procs[w] = await startFleetProcess(`worker ${w}`, 'worker', workerEnv[w] as Record<string, string>, /build worker ready/, logFile(`worker-${w}`));
    }
  });

  after(async () => {
    for (const p of Object.values(procs)) await stopFleetProcess(p);
    console.log(`# scale-out: process logs in ${logs}`);
    // A SIGKILLed worker leaves its container running: remove it by the worker's label.
    for (const w of Object.values(workerEnv)) {
      const ids = await runCommand('docker', ['ps', '-aq', '--filter', `label=${LABEL_WORKER}=${w.KPY_WORKER_ID}`]);
      const list = ids.stdout.toString().split(/\s+/).filter(Boolean);
      if (list.length) await runCommand('docker', ['rm', '-f', ...list]);
    }
    await cleanRedis(common);
    const n = await emptyBucket(objects).catch(() => 0);
    console.log(`# scale-out: removed ${n} objects from ${bucket}`);
    objects.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  const built: View[] = [];

  it('six uploads sent to the API are built by workers that never saw them, spread over both', async () => {
    const t0 = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await submit(await upload(await quickHeaders(`6.1.0-${80 + i}-amd64`, 2))));
    // And one real compile against a Debian kernel's verified headers, through the same fleet.
    const kernels = (await (await fetch(`${url}/v1/kernels`)).json()) as { kernels: { release: string }[] };
    const kernel = kernels.kernels.map((k) => k.release).filter((k) => /^6\.1\.0-\d+-amd64$/.test(k)).sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]))[0];
    assert.ok(kernel, 'the archive lists a bookworm kernel');
    const archive = await fetch(`${url}/v1/builds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kernel }) });
    const archiveId = ((await archive.json()) as View).id;
    for (const id of ids) built.push(await finished(id));
    const compiled = await finished(archiveId, 600_000);
    assert.equal(compiled.state, 'succeeded', JSON.stringify(compiled.error));
    assert.ok(compiled.artifacts.some((a) => a.name.endsWith('.deb')), 'with its Debian package, in the bucket');
    console.log(`# scale-out: and ${kernel} compiled by ${compiled.worker}`);
    console.log(`# scale-out: 6 builds in ${((Date.now() - t0) / 1000).toFixed(1)} s; by worker: ${JSON.stringify(built.map((v) => v.worker))}`);
    for (const v of built) assert.equal(v.state, 'succeeded', JSON.stringify(v.error));
    assert.deepEqual(new Set(built.map((v) => v.worker)), new Set([workerEnv.a?.KPY_WORKER_ID, workerEnv.b?.KPY_WORKER_ID]), 'both workers built');
    for (const w of ['a', 'b']) {
      const local = await readdir(join(workerEnv[w]?.KPY_DATA_DIR as string, 'headers')).catch(() => [] as string[]);
      const mine = built.filter((v) => v.worker === workerEnv[w]?.KPY_WORKER_ID);
      for (const v of mine) {
        const ko = v.artifacts.find((a) => a.name === 'kpython.ko');
        assert.ok(ko);
        const prov = JSON.parse(Buffer.from(((await (await fetch(`${url}${v.artifacts.find((a) => a.name === 'provenance.json')?.url}`)).json()) as { payload: string }).payload, 'base64').toString('utf8')) as {
          predicate: { runDetails: { builder: { version?: Record<string, string> } } };
        };
        assert.equal(prov.predicate.runDetails.builder.version?.['kpython-worker'], v.worker, 'the provenance names the worker');
      }
      // The worker fetched the uploads it built from the store (it has no path to the API's disk).
      assert.ok(local.filter((n) => /^[0-9a-f]{64}$/.test(n)).length >= mine.length, `worker ${w} cached the headers it fetched`);
    }
    built.push(compiled);
    const apiBuilds = await readdir(join(apiEnv.KPY_DATA_DIR as string, 'builds')).catch(() => [] as string[]);
    assert.deepEqual(apiBuilds, [], 'nothing is published on the API\'s disk: the bucket holds it');
  });

  it('a worker SIGKILLed mid-build: the other finishes that build', async () => {
    const id = await submit(await upload(await quickHeaders('6.1.0-90-amd64', 12)));
    const running = await until('the slow build running', 120_000, async () => {
      const v = await view(id);
      return v.state === 'running' && v.worker ? v : undefined;
    });
    const victim = running.worker === workerEnv.a?.KPY_WORKER_ID ? 'a' : 'b';
    const survivor = victim === 'a' ? 'b' : 'a';
    const killedAt = Date.now();
    procs[victim]?.proc.kill('SIGKILL');
    await procs[victim]?.exited;
    const taken = await until('the survivor takes the build', 180_000, async () => {
      const v = await view(id);
      return v.worker === workerEnv[survivor]?.KPY_WORKER_ID ? v : undefined;
    });
    const takenMs = Date.now() - killedAt;
    const done = await finished(id);
    console.log(`# scale-out: worker ${victim} SIGKILLed mid-build; worker ${survivor} took it after ${(takenMs / 1000).toFixed(1)} s and finished it ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill (${taken.state})`);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    assert.equal(done.worker, workerEnv[survivor]?.KPY_WORKER_ID);
    built.push(done);
  });

  it('the API restarted on an empty data directory loses nothing: every build and artifact, from the bucket', async () => {
    await stopFleetProcess(procs.api, 'SIGKILL');
    const fresh = await makeDataDir();
    dirs.push(fresh);
    const t0 = Date.now();
    procs.api = await startFleetProcess('api (restarted)', 'api', { ...apiEnv, KPY_DATA_DIR: fresh }, /build service listening/, logFile('api-restarted'));
    const upMs = Date.now() - t0;
    const gets: number[] = [];
    for (const before of built) {
      const v = await view(before.id);
      assert.equal(v.state, 'succeeded');
      assert.deepEqual(v.artifacts.map((a) => a.sha256), before.artifacts.map((a) => a.sha256));
      const ko = v.artifacts.find((a) => a.name === 'kpython.ko');
      const s = performance.now();
      const r = await fetch(`${url}${ko?.url}`);
      const body = Buffer.from(await r.arrayBuffer());
      gets.push(performance.now() - s);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('etag'), `"${ko?.sha256}"`);
      assert.equal(r.headers.get('digest'), `sha-256=${Buffer.from(ko?.sha256 ?? '', 'hex').toString('base64')}`);
      assert.equal(sha256Hex(body), ko?.sha256);
      const again = await fetch(`${url}${ko?.url}`, { headers: { 'if-none-match': `"${ko?.sha256}"` } });
      assert.equal(again.status, 304);
    }
    console.log(`# scale-out: API back in ${upMs} ms on an empty data directory; ${built.length} builds whole; first kpython.ko downloads ${gets.map((g) => g.toFixed(0)).join('/')} ms`);
    await writeFile(join(fresh, 'checked'), 'ok');
  });
});
