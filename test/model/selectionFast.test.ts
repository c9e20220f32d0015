/** Lazy farthest-point sampling (selection.ts) = the dense sweep (every distance updated at every step). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.js';
import { createKernel, selectFpsDense, selectReferences, type KernelSpec } from '../../src/model/index.js';

/** n rows of width d around a few random centres, with exact duplicates (ties) mixed in. */
function pool(n: number, d: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const centres = Array.from({ length: 7 }, () => Array.from({ length: d }, () => rng.range(0, 1)));
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    if (i > 10 && i % 13 === 0) {
      x.copyWithin(i * d, (i - 7) * d, (i - 6) * d); // duplicate of an earlier row
      continue;
    }
    const c = centres[rng.int(centres.length)], w = rng.range(0.02, 0.5);
    for (let k = 0; k < d; k++) x[i * d + k] = c[k] + w * rng.range(-1, 1);
  }
  return x;
}

const kernels: KernelSpec[] = [
  { kind: 'polynomial', hypers: { zeta: 4 } },
  { kind: 'gaussian', hypers: { scale: 3 } },
  { kind: 'block', hypers: { parts: [{ kernel: { kind: 'polynomial', hypers: { zeta: 2 } }, columns: [[0, 9]] },
    { kernel: { kind: 'linear', hypers: {} }, weight: 0.3, columns: [[9, 12]] }] } },
];

test('lazy FPS picks exactly the dense FPS references (polynomial, gaussian, block kernels; ties; several sizes)', () => {
  const d = 12;
  for (const spec of kernels)
    for (const [n, count, seed] of [[300, 40, 1], [700, 150, 2], [900, 233, 3], [90, 89, 4]]) {
      const x = pool(n, d, seed);
      const kernel = createKernel(spec);
      const opts = { method: 'fps' as const, count, seed };
      const lazy = selectReferences(x, n, d, kernel, opts);
      const dense = selectFpsDense(x, n, d, kernel, opts);
      assert.deepEqual(Array.from(lazy), Array.from(dense), `${spec.kind} n=${n} count=${count}`);
      assert.equal(new Set(lazy).size, count);
    }
});

test('lazy FPS reports progress once per pick and never picks a duplicate of a chosen row', () => {
  const d = 12, n = 400, count = 60;
  const x = pool(n, d, 9);
  const steps: number[] = [];
  const sel = selectReferences(x, n, d, createKernel(kernels[0]), { method: 'fps', count, seed: 5, onProgress: (k) => steps.push(k) });
  assert.deepEqual(steps, Array.from({ length: count }, (_, k) => k + 1));
  const rows = new Set(Array.from(sel, (i) => Array.from(x.subarray(i * d, i * d + d)).join(',')));
  assert.equal(rows.size, count);
});
