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

// fit's layout: 'phase' padded to 17, a 30-character █/· bar, counts and message; a phase keeps its last line.
const row = (phase: string, done: number, total: number, msg = ''): string => {
  const filled = Math.round((total > 0 ? Math.min(1, done / total) : 1) * 30);
  return `${phase.padEnd(17)} ${'█'.repeat(filled)}${'·'.repeat(30 - filled)} ${done}/${total}${msg ? ' ' + msg : ''}`;
};

test('table layout, plain: one line per phase with its last state, also for a phase that ends early', () => {
  const err = sink();
  const p = createProgress({ stream: err.stream, tty: false, layout: 'table', enabled: true });
  p.callback({ phase: 'descriptors', done: 0, total: 4 });
  for (let k = 1; k <= 4; k++) p.callback({ phase: 'descriptors', done: k, total: 4 });
  p.callback({ phase: 'solve', done: 3, total: 50, message: 'converged' });
  p.callback({ phase: 'evaluate', done: 2, total: 2 });
  p.done();
  assert.equal(err.text(), [row('descriptors', 4, 4), row('solve', 3, 50, 'converged'), row('evaluate', 2, 2)].join('\n') + '\n');
});

test('table layout, tty: the row is redrawn in place and kept (newline) when the next phase starts', () => {
  const err = sink();
  const p = createProgress({ stream: err.stream, tty: true, layout: 'table', enabled: true });
  p.callback({ phase: 'selection', done: 1, total: 1 });
  p.callback({ phase: 'solve', done: 1, total: 3 });
  p.done();
  assert.equal(err.text(), `\r${row('selection', 1, 1)}\x1b[K` + `\r${row('selection', 1, 1)}\x1b[K\n` + `\r${row('solve', 1, 3)}\x1b[K\n`);
});

test('an unknown total (total 0, a streamed input): the count so far, never "1/0 (0 %)"', () => {
  for (const tty of [false, true]) {
    const err = sink();
    const p = createProgress({ stream: err.stream, tty, intervalS: 0, enabled: true });
    for (let k = 1; k <= 3; k++) p.callback({ phase: 'predict', done: k, total: 0 });
    p.done();
    const t = err.text();
    assert.doesNotMatch(t, /\/0|%|ETA/, JSON.stringify(t));
    assert.match(t, tty ? /predict {2}1 {2}0\.0 s/ : /predict: 3, /, JSON.stringify(t)); // a TTY redraws at most every 0.1 s
  }
});
