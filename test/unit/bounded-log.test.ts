import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { boundedLines } from '../../worker/bounded-lines.js';
import { BuildLog, MAX_LINE } from '../../worker/build-log.js';

test('boundedLines cuts a line without end at maxChars, whatever arrives', async () => {
  const input = new PassThrough();
  const got: string[] = [];
  const reading = (async () => {
    for await (const l of boundedLines(input, 10)) got.push(l);
  })();
  input.write('short\r\nabcdefghij');
  for (let i = 0; i < 1000; i++) input.write('x'.repeat(1000));
  input.write('\nlast');
  input.end();
  await reading;
  assert.deepEqual(got, ['short', 'abcdefghij [kpython: line cut, 1000000 more characters]', 'last']);
});

test('BuildLog keeps maxBytes with one note, counts what it dropped, and still knows the first error', () => {
  const log = new BuildLog(1000);
  log.add('x'.repeat(MAX_LINE * 2));
  for (let i = 0; i < 100; i++) log.add(`line ${i} ${'.'.repeat(40)}`);
  log.add('foo.c:1: error: late');
  const text = log.toBuffer().toString();
  assert.ok(text.length < 1300, `${text.length}`);
  assert.match(text, /\[kpython\] log cut: more than 0 MiB/);
  assert.match(text, /lines dropped/);
  assert.equal(log.first('error'), 'foo.c:1: error: late');
  assert.equal(log.tail.at(-1), 'foo.c:1: error: late');
});
