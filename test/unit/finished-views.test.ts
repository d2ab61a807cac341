import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BuildRecord } from '../../lib/build-records.js';
import { FinishedViews } from '../../server/finished-views.js';

/** A record store whose rev tokens the test sets, counting lookups. */
function revs() {
  const tokens = new Map<string, string>();
  let lookups = 0;
  return {
    tokens,
    get lookups() {
      return lookups;
    },
    rev: (id: string) => {
      lookups++;
      return Promise.resolve(tokens.get(id) ?? null);
    },
  };
}

const meta = { artifacts: [], finishedAt: '2026-01-01T00:00:00.000Z' } as unknown as BuildRecord['meta'];
const rec = (id: string, state: BuildRecord['state'], rev: string | undefined, withMeta = true): BuildRecord => ({ id, state, ...(rev ? { rev } : {}), ...(withMeta ? { meta } : {}) });

test('finished views: served only while the record keeps the rev token they were made from', async () => {
  const r = revs();
  const views = new FinishedViews(r, 1 << 20);
  r.tokens.set('a', 't1');
  views.remember(rec('a', 'succeeded', 't1'), Buffer.from('{"a":1}'));
  assert.equal((await views.current('a'))?.toString(), '{"a":1}');
  // Any change of the record writes a new token: the kept view is dropped, not served.
  r.tokens.set('a', 't2');
  assert.equal(await views.current('a'), undefined);
  r.tokens.set('a', 't1');
  assert.equal(await views.current('a'), undefined, 'dropped for good after a mismatch');
  // A record that vanished (Redis lost its data) has no token.
  views.remember(rec('a', 'succeeded', 't1'), Buffer.from('{}'));
  r.tokens.delete('a');
  assert.equal(await views.current('a'), undefined);
});

test('finished views: live builds, records without a token and succeeded records without meta are never kept', async () => {
  const r = revs();
  const views = new FinishedViews(r, 1 << 20);
  for (const [id, b] of [
    ['q', rec('q', 'queued', 't')],
    ['r', rec('r', 'running', 't')],
    ['n', rec('n', 'succeeded', undefined)],
    ['m', rec('m', 'succeeded', 't', false)],
  ] as const) {
    r.tokens.set(id, 't');
    views.remember(b, Buffer.from('{}'));
    assert.equal(await views.current(id), undefined, id);
  }
  assert.equal(r.lookups, 0, 'nothing kept, so nothing looked up');
  r.tokens.set('f', 't');
  views.remember(rec('f', 'failed', 't', false), Buffer.from('{"state":"failed"}'));
  assert.ok(await views.current('f'), 'a failed build is finished too');
});

test('finished views: bounded by bytes, least recently used out first; oversized views are not kept', async () => {
  const r = revs();
  const views = new FinishedViews(r, 1600);
  for (const id of ['a', 'b', 'c', 'd']) {
    r.tokens.set(id, 't');
    views.remember(rec(id, 'succeeded', 't'), Buffer.alloc(100));
  }
  assert.deepEqual(views.size, { entries: 4, bytes: 400 });
  assert.ok(await views.current('a')); // a is now the most recently used
  for (const id of ['e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q']) {
    r.tokens.set(id, 't');
    views.remember(rec(id, 'succeeded', 't'), Buffer.alloc(100));
  }
  assert.equal(views.size.bytes, 1600);
  assert.equal(await views.current('b'), undefined, 'the least recently used went first');
  assert.ok(await views.current('a'));
  r.tokens.set('big', 't');
  views.remember(rec('big', 'succeeded', 't'), Buffer.alloc(101));
  assert.equal(await views.current('big'), undefined, 'one view may take at most 1/16 of the budget');
  // Remembering a key again replaces it without counting it twice.
  views.remember(rec('a', 'succeeded', 't'), Buffer.alloc(50));
  assert.equal(views.size.bytes, 1550);
});

test('finished views: a meta younger than the store\'s settle time is not kept (in a bucket another publish may still replace it)', async () => {
  const r = revs();
  let now = Date.parse('2026-01-01T00:01:00.000Z');
  const views = new FinishedViews(r, 1 << 20, 120_000, () => now);
  r.tokens.set('a', 't');
  views.remember(rec('a', 'succeeded', 't'), Buffer.from('{}'));
  assert.equal(await views.current('a'), undefined, 'one minute old');
  now = Date.parse('2026-01-01T00:02:00.000Z');
  views.remember(rec('a', 'succeeded', 't'), Buffer.from('{}'));
  assert.ok(await views.current('a'), 'two minutes old');
});
