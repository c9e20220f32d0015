/**
 * Kernel.prepareColumns (issue 17 goal 4, model load): the polynomial kernel prepares the column runs of a wider
 * row array without gathering them first — t, norms, the gathered x, and the rows' products bit for bit those of
 * prepare(gatherRuns(…)); a block kernel built on it gives the matrix and gradients of its parts' kernels.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.js';
import { createKernel, gatherRuns, type ColumnRuns } from '../../src/model/index.js';

function same(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) diff++;
  assert.equal(diff, 0, `${what}: ${diff} of ${a.length} values differ`);
}

test('polynomial prepareColumns = prepare of the gathered columns, bit for bit (one and several runs, a zero row)', () => {
  const rng = new Rng(5);
  const rows = 23, width = 41;
  const x = Float64Array.from({ length: rows * width }, () => rng.normal() * 3);
  for (let c = 0; c < width; c++) x[7 * width + c] = 0; // a zero row stays zero (norm 0)
  const kernel = createKernel({ kind: 'polynomial', hypers: { zeta: 3 } });
  const a = kernel.prepare(Float64Array.from({ length: 5 * 30 }, () => rng.normal()), 5, 30);
  for (const runs of [[[0, 30]], [[3, 10], [12, 20], [25, 40]], [[11, 41]]] as ColumnRuns[]) {
    const dk = runs.reduce((s, [p, e]) => s + e - p, 0);
    const gathered = gatherRuns(x, rows, width, runs, dk);
    const ref = kernel.prepare(gathered, rows, dk), got = kernel.prepareColumns!(x, rows, width, runs, dk);
    same(got.t, ref.t, `t ${JSON.stringify(runs)}`);
    same(got.aux, ref.aux, `norms ${JSON.stringify(runs)}`);
    same(got.x, gathered, `x ${JSON.stringify(runs)}`);
    if (dk === 30) same(kernel.matrix(a, got), kernel.matrix(a, ref), 'matrix');
  }
});

test('polynomial rows: t read after prepare = normaliseRows of x; the pack filled from x (no t) = the pack of t, bitwise', async () => {
  const { KernelScratch } = await import('../../src/model/kernelScratch.js');
  const rng = new Rng(9);
  const rows = 37, width = 300;
  const x = Float64Array.from({ length: rows * width }, () => rng.normal());
  const runs: ColumnRuns = [[0, 120], [130, 290]];
  const dk = 280;
  const kernel = createKernel({ kind: 'polynomial', hypers: { zeta: 4 } });
  const b = kernel.prepareColumns!(x, rows, width, runs, dk), ref = kernel.prepare(gatherRuns(x, rows, width, runs, dk), rows, dk);
  kernel.prepack!(b); // a 'dots' pack filled from x block by block (t never formed)
  const a = Float64Array.from({ length: 6 * dk }, () => rng.normal()), w = Float64Array.from({ length: rows }, () => rng.normal());
  const run = (rowsB: typeof b, packed: boolean) => {
    const s = new KernelScratch();
    s.packReferences = packed;
    const e = new Float64Array(6), g = new Float64Array(6 * dk), view = (data: Float64Array) => ({ data, stride: dk, col0: 0, index: null });
    kernel.weighted!(view(a), 6, dk, rowsB, w, e, view(g), s);
    return [e, g];
  };
  const [e1, g1] = run(b, true), [e2, g2] = run(ref, false);
  same(e1, e2, 'energies (pack from x vs unpacked t)');
  same(g1, g2, 'gradient');
  same(b.t, ref.t, 't read after the pack');
});
