/** The stderr progress renderer: bar redraw on a TTY, plain throttled lines otherwise, logs that do not tear the bar. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createProgress } from '../../src/cli/progress.js';

function sink(): { stream: Writable; text: () => string } {
  let buf = '';
  const stream = new Writable({ write(chunk, _enc, cb) { buf += String(chunk); cb(); } });
  return { stream, text: () => buf };
}

test('plain mode: a start line, throttled updates, a completion line', () => {
  const err = sink(), out = sink();
  const p = createProgress({ stream: err.stream, tty: false, intervalS: 3600, logStream: out.stream, enabled: true });
  p.callback({ phase: 'descriptors', done: 0, total: 4 });
  for (let k = 1; k <= 4; k++) p.callback({ phase: 'descriptors', done: k, total: 4 });
  p.callback({ phase: 'solve', done: 1, total: 1 });
  p.log('hello');
  p.done();
  const lines = err.text().trim().split('\n');
  assert.equal(lines.length, 3, err.text());
  assert.match(lines[0], /^descriptors: started \(4\)$/);
  assert.match(lines[1], /^descriptors: 4\/4 \(100 %\)/);
  assert.match(lines[2], /^solve: 1\/1/);
  assert.equal(out.text(), 'hello\n');
});

test('tty mode: the bar is redrawn in place and cleared before a log line', () => {
  const err = sink(), out = sink();
  const p = createProgress({ stream: err.stream, tty: true, prefix: 'sr N=10', logStream: out.stream, enabled: true });
  p.callback({ phase: 'md', done: 1, total: 10 });
  p.log('step 1');
  p.callback({ phase: 'md', done: 10, total: 10 });
  p.done();
  const t = err.text();
  assert.match(t, /\r\x1b\[2Ksr N=10 md \[#*-*\] +1\/10/);
  assert.match(t, /md \[#{10,}\] +10\/10/);
  assert.ok(t.endsWith('\n'));
  assert.equal(out.text(), 'step 1\n');
});
