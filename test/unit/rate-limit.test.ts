import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Request, Response } from 'express';
import { rateLimit } from '../../server/rate-limit.js';

/** Run the middleware for one client address; true when it let the request through. */
function call(mw: ReturnType<typeof rateLimit>, ip: string): boolean {
  let passed = false;
  mw({ ip } as Request, { setHeader: () => undefined } as unknown as Response, (err?: unknown) => {
    passed = err === undefined;
  });
  return passed;
}

test('a full client table forgets the least recently seen client, not everyone', () => {
  const mw = rateLimit(2);
  assert.ok(call(mw, '127.0.0.1'));
  assert.ok(call(mw, '127.0.0.1'));
  assert.equal(call(mw, '127.0.0.1'), false, 'budget spent');
  // Fill the table past its size (10,000) with other clients, touching the limited one midway.
  for (let i = 0; i < 9_000; i++) call(mw, `127.1.${i >> 8}.${i & 255}`);
  assert.equal(call(mw, '127.0.0.1'), false);
  for (let i = 9_000; i < 12_000; i++) call(mw, `127.1.${i >> 8}.${i & 255}`);
  assert.equal(call(mw, '127.0.0.1'), false, 'the limited client is still limited');
});
