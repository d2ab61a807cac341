import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReleaseMemo } from '../../server/release-memo.js';

describe('ReleaseMemo (the CI fetch answered from memory for a moment)', () => {
  it('answers a remembered release until its time is up, then forgets it', () => {
    let t = 0;
    const m = new ReleaseMemo(1000, 10, () => t);
    assert.equal(m.get('6.1.0-57-amd64'), undefined);
    m.remember('6.1.0-57-amd64', 'a'.repeat(64));
    t = 999;
    assert.equal(m.get('6.1.0-57-amd64'), 'a'.repeat(64));
    t = 1000;
    assert.equal(m.get('6.1.0-57-amd64'), undefined, 'the full route decides again');
    t = 1001;
    assert.equal(m.get('6.1.0-57-amd64'), undefined);
  });

  it('a new answer replaces the old one and restarts its time', () => {
    let t = 0;
    const m = new ReleaseMemo(1000, 10, () => t);
    m.remember('r', 'old');
    t = 900;
    m.remember('r', 'new');
    t = 1500;
    assert.equal(m.get('r'), 'new');
  });

  it('holds at most maxEntries releases, the oldest answer going first', () => {
    const m = new ReleaseMemo(1000, 2, () => 0);
    m.remember('a', '1');
    m.remember('b', '2');
    m.remember('a', '3');
    m.remember('c', '4');
    assert.deepEqual(['a', 'b', 'c'].map((r) => m.get(r)), ['3', undefined, '4']);
  });
});
