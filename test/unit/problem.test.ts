import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { ERROR_CODES } from '../../lib/error-codes.js';
import { KpyError } from '../../lib/errors.js';
import { classify } from '../../server/problem.js';

test('errors map to stable codes and statuses in one table', () => {
  assert.equal(classify(new KpyError('KERNEL_NOT_FOUND', 'x')).status, 404);
  assert.equal(classify(Object.assign(new Error('bad'), { type: 'entity.parse.failed' })).code, 'BAD_REQUEST');
  assert.equal(classify(Object.assign(new Error('big'), { type: 'entity.too.large' })).status, 413);
  assert.equal(classify(z.object({ a: z.string() }).safeParse({}).error).code, 'VALIDATION_FAILED');
  assert.equal(classify(new Error('boom')).status, 500);
  for (const [code, def] of Object.entries(ERROR_CODES)) {
    assert.ok(def.status >= 400 && def.status < 600, code);
  }
  const e = KpyError.fromJSON(new KpyError('BUILD_TIMEOUT', 'slow', { details: { s: 1 } }).toJSON());
  assert.equal(e.code, 'BUILD_TIMEOUT');
  assert.deepEqual(e.details, { s: 1 });
  assert.equal(KpyError.fromJSON({ code: 'NOPE' }).code, 'INTERNAL');
});
