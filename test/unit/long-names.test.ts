import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HeadersStore } from '../../lib/headers/headers-store.js';
import { ingestHeaders } from '../../lib/headers/ingest.js';
import { runCommand } from '../../lib/run-command.js';
import { sha256Hex } from '../../lib/sha256.js';
import { buildDirEntries } from './headers-fixture.js';

const limits = { maxExpandedBytes: 64 * 1024 * 1024, maxRatio: 100, maxFiles: 1000 };

/** GNU tar's own long names (`L` headers, pax records) pass the long-header guard untouched. */
describe('long names written by GNU tar', () => {
  let root: string;
  let tree: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kpy-long-'));
    tree = join(root, 'tree');
    for (const e of buildDirEntries()) {
      const p = join(tree, e.name);
      if (e.type === 'directory') await mkdir(p, { recursive: true });
      else {
        await mkdir(join(p, '..'), { recursive: true });
        await writeFile(p, e.body ?? '', { mode: e.mode ?? 0o644 });
      }
    }
    const deep = join(tree, 'include', 'a'.repeat(120), 'b'.repeat(120));
    await mkdir(deep, { recursive: true });
    await writeFile(join(deep, `${'c'.repeat(150)}.h`), 'x'.repeat(5000));
  });
  after(() => rm(root, { recursive: true, force: true }));

  for (const format of ['gnu', 'pax', 'ustar']) {
    it(`--format=${format}`, async () => {
      const t = await runCommand('tar', ['-C', tree, `--format=${format}`, '-cf', '-', '.']);
      if (format === 'ustar') {
        // ustar cannot hold a 150-character name: tar says so; nothing to upload.
        assert.notEqual(t.code, 0);
        return;
      }
      assert.equal(t.code, 0, t.stderr);
      const store = new HeadersStore(join(root, `store-${format}`));
      const scratch = await store.scratch();
      const file = join(scratch, 'body');
      await writeFile(file, t.stdout);
      const r = await ingestHeaders({ files: [{ path: file, bytes: t.stdout.length }], sha256: sha256Hex(t.stdout), bytes: t.stdout.length }, { store, scratch, limits });
      assert.equal(r.headers.release, '6.1.0-99-amd64');
      assert.ok(r.headers.files >= 6);
      await rm(scratch, { recursive: true, force: true });
    });
  }
});
