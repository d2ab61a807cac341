import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clock, renderProgressLine, stageChangeLine } from '../../cli/progress-bar.js';

const base = { state: 'running', stage: 'compile', progress: 40, elapsedMs: 12_345, last: 'CC [M]  /build/src/kernel_mod/kpython.o' };

test('the progress line: bar, percentage, stage, elapsed time, newest log line', () => {
  const line = renderProgressLine(base, 200);
  assert.equal(line, '[=========>              ]  40% compile     0:12  CC [M]  /build/src/kernel_mod/kpython.o');
  assert.equal(renderProgressLine({ ...base, progress: 0, last: '' }, 200), '[                        ]   0% compile     0:12');
  assert.equal(renderProgressLine({ ...base, progress: 100, state: 'succeeded', last: '' }, 200), '[========================] 100% succeeded   0:12');
  assert.match(renderProgressLine({ ...base, state: 'queued', stage: 'queued', progress: null }, 200), /^\[ {24}\]   0% queued /);
});

test('the progress line never wraps and shows no control characters', () => {
  for (const width of [0, 10, 40, 79]) {
    const line = renderProgressLine({ ...base, last: 'x'.repeat(500) }, width);
    assert.equal([...line].length, width);
  }
  const line = renderProgressLine({ ...base, last: '\x1b[31mred\ttab\r' }, 200);
  assert.doesNotMatch(line, /[\x00-\x1f]/);
  assert.match(line, /red tab$/);
  assert.equal(renderProgressLine({ ...base, progress: 250 }, 200).slice(0, 31), '[========================] 100%', 'progress is clamped');
});

test('clock and plain stage lines', () => {
  assert.equal(clock(0), '0:00');
  assert.equal(clock(65_000), '1:05');
  assert.equal(clock(3_725_000), '1:02:05');
  const id = 'a'.repeat(64);
  assert.equal(stageChangeLine(id, undefined, { state: 'queued', stage: 'queued', progress: 0 }), '[aaaaaaaaaaaa] queued 0%');
  assert.equal(stageChangeLine(id, { state: 'running', stage: 'compile' }, { state: 'running', stage: 'compile', progress: 50 }), undefined, 'progress alone prints nothing');
  assert.equal(stageChangeLine(id, { state: 'running', stage: 'compile' }, { state: 'running', stage: 'sign', progress: 90 }), '[aaaaaaaaaaaa] running sign 90%');
});
