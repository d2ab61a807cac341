import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ArtifactStore } from '../../lib/artifact-store.js';
import { sha256Hex } from '../../lib/sha256.js';
import { REPO_ROOT } from '../integration/helpers/test-core.js';

/** A process committing builds of 3 × 4 MiB, one after another, announcing each published key. */
const WRITER = `
  import { randomBytes } from 'node:crypto';
  import { ArtifactStore } from ${JSON.stringify(join(REPO_ROOT, 'dist/lib/artifact-store.js'))};
  const s = new ArtifactStore(process.argv[1]);
  for (let i = 0; ; i++) {
    const key = randomBytes(32).toString('hex');
    const files = new Map([['kpython.ko', randomBytes(4 << 20)], ['kpython.unsigned.ko', randomBytes(4 << 20)], ['build.log', randomBytes(4 << 20)]]);
    await s.commit(key, files, { key, release: 'r', unsignedSha256: 'u', vermagic: 'v', startedAt: '', finishedAt: '', durationMs: 0 });
    process.stdout.write(key + '\\n');
  }`;

test('SIGKILL at random points of store commits: no published build lost or torn, leftovers swept at start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kpy-crash-'));
  const published = new Set<string>();
  let swept = 0;
  const t0 = Date.now();
  try {
    for (let round = 0; round < 15; round++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout.on('data', (c: Buffer) => {
        for (const k of c.toString().split('\n').filter(Boolean)) published.add(k);
      });
      // Kill while a commit is staged (a scratch directory exists), at a random point of it.
      const end = Date.now() + 20_000;
      while (!(await readdir(join(dir, 'builds')).catch(() => [] as string[])).some((n) => n.startsWith('.tmp-')) && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 2));
      }
      await new Promise((r) => setTimeout(r, Math.random() * (round % 2 ? 40 : 400)));
      child.kill('SIGKILL');
      await once(child, 'exit');
      // The next start: sweep, then every build is whole or absent.
      const store = new ArtifactStore(dir);
      swept += (await store.sweep()).removed.length;
      const names = await readdir(join(dir, 'builds')).catch(() => [] as string[]);
      assert.deepEqual(names.filter((n) => n.startsWith('.')), [], 'no scratch after the sweep');
      for (const key of published) assert.ok(names.includes(key), `published ${key.slice(0, 12)} survives`);
      for (const key of names) {
        const meta = await store.meta(key);
        assert.ok(meta, `${key.slice(0, 12)}: a visible build has its meta`);
        for (const a of meta.artifacts) {
          assert.equal(sha256Hex(await readFile(join(dir, 'builds', key, a.name))), a.sha256, `${key.slice(0, 12)}/${a.name} whole`);
        }
      }
    }
    console.log(`# store crash drill: 15 SIGKILLs, ${published.size} builds published and all intact, ${swept} leftovers swept, ${Date.now() - t0} ms`);
    assert.ok(swept > 0, 'some kills landed mid-commit');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
