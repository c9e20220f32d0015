/** Reference selection: CUR keeps high-leverage (unique) environments, FPS spreads, random is seeded. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.js';
import { createKernel, leverageScores, selectReferences } from '../../src/model/index.js';

const D = 6;
const kernel = createKernel({ kind: 'polynomial', hypers: { zeta: 2 } });

/** 5 noisy copies of e1, then e2, then 4 noisy copies of e3, then e4. */
function candidates(): { x: Float64Array; n: number } {
  const rng = new Rng(1);
  const rows: number[][] = [];
  const unit = (k: number, eps: number): number[] => Array.from({ length: D }, (_, c) => (c === k ? 1 : 0) + eps * rng.range(-1, 1));
  for (let i = 0; i < 5; i++) rows.push(unit(0, 1e-3));
  rows.push(unit(1, 0));
  for (let i = 0; i < 4; i++) rows.push(unit(2, 1e-3));
  rows.push(unit(3, 0));
  return { x: Float64Array.from(rows.flat()), n: rows.length };
}

test('count ≥ candidates returns every candidate', () => {
  const { x, n } = candidates();
  for (const method of ['cur', 'fps', 'random'] as const)
    assert.deepEqual(Array.from(selectReferences(x, n, D, kernel, { method, count: 100, seed: 0 })), Array.from({ length: n }, (_, i) => i));
});

test('CUR: unique environments have leverage ≈ 1, duplicates share theirs; selection keeps the unique ones', () => {
  const { x, n } = candidates();
  const rows = kernel.prepare(x, n, D);
  const k = kernel.matrix(rows, rows);
  const s = leverageScores(k, n, 1e-10, 4);
  assert.ok(Math.abs(s[5] - 1) < 1e-3 && Math.abs(s[10] - 1) < 1e-3);
  let g1 = 0;
  for (let i = 0; i < 5; i++) g1 += s[i];
  assert.ok(Math.abs(g1 - 1) < 1e-3);
  const sel = Array.from(selectReferences(x, n, D, kernel, { method: 'cur', count: 4, seed: 0 }));
  // top-leverage (deterministic CUR): both unique environments, then the two highest scores — the 4-copy group
  // (0.25 each) beats the 5-copy group (0.2 each). CUR ranks, it does not enforce diversity (FPS does).
  assert.deepEqual(sel.filter((i) => i === 5 || i === 10), [5, 10]);
  assert.equal(sel.filter((i) => i > 5 && i < 10).length, 2);
  // blockwise processing (block smaller than the candidate set) still keeps the unique environments (leverage 1);
  // redundant groups may lose out to within-group noise directions when count is this small (documented limit).
  const blk = Array.from(selectReferences(x, n, D, kernel, { method: 'cur', count: 4, seed: 0, blockSize: 3 }));
  assert.ok(blk.includes(5) && blk.includes(10));
  assert.equal(blk.length, 4);
});

test('FPS picks one environment of each group; random is seeded and distinct', () => {
  const { x, n } = candidates();
  const sel = Array.from(selectReferences(x, n, D, kernel, { method: 'fps', count: 4, seed: 3 }));
  assert.ok(sel.includes(5) && sel.includes(10));
  assert.equal(sel.filter((i) => i < 5).length, 1);
  const r1 = selectReferences(x, n, D, kernel, { method: 'random', count: 5, seed: 7 });
  const r2 = selectReferences(x, n, D, kernel, { method: 'random', count: 5, seed: 7 });
  assert.deepEqual(r1, r2);
  assert.equal(new Set(r1).size, 5);
  assert.throws(() => selectReferences(x, n, D, kernel, { method: 'kmeans' as never, count: 2, seed: 0 }), /unknown selection method/);
});
