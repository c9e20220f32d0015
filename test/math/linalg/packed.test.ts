/**
 * Proves the pre-packed right operand (`packB` / `gemmPacked`, issue 17): bitwise the plain `gemm` with the same B
 * (both backends, all transposes, alpha/beta, edge sizes, depth > one packed block, 1 and 2 threads); packs are
 * snapshots that survive every other call's scratch use and each other's allocation and release; a freed or foreign
 * pack is refused with a FarfieldError; freeing gives the wasm memory back for reuse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FarfieldError, Rng } from '../../../src/core/index.js';
import { getLinalg, linalgThreadsReady, wasmLinalgMemory, type Linalg } from '../../../src/math/linalg/index.js';
import { randomMatrix, randomSpd } from './helpers.js';

const ts = getLinalg('ts');
const w1 = getLinalg('wasm', { threads: 1 });

/** m, n, k: edges of the 4-wide panels, k beyond one 256-deep block, m beyond one 128-row block. */
const SHAPES: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [17, 1, 13], [130, 65, 257], [5, 257, 300], [129, 6, 600], [4, 8, 0]];

function bitwise(la: Linalg, label: string): void {
  const rng = new Rng(21);
  for (const [m, n, k] of SHAPES)
    for (const transA of [false, true])
      for (const transB of [false, true])
        for (const [alpha, beta] of [[1, 0], [1.25, -0.5]]) {
          const a = randomMatrix(rng, m, k), b = randomMatrix(rng, k, n), c0 = randomMatrix(rng, m, n);
          if (beta === 0) c0.fill(NaN); // beta = 0 ignores C's contents
          const want = c0.slice(), got = c0.slice();
          la.gemm(m, n, k, a, b, want, { transA, transB, alpha, beta });
          const p = la.packB(b, k, n, transB);
          la.gemmPacked(m, a, p, got, { transA, alpha, beta });
          p.free();
          for (let q = 0; q < m * n; q++)
            assert.ok(Object.is(got[q], want[q]), `${label} ${m}×${n}×${k} tA=${transA} tB=${transB} α=${alpha}: [${q}] ${got[q]} vs ${want[q]}`);
        }
}

test('gemmPacked = gemm bitwise (ts backend)', () => bitwise(ts, 'ts'));
test('gemmPacked = gemm bitwise (wasm, 1 thread)', () => bitwise(w1, 'wasm1'));
test('gemmPacked = gemm bitwise (wasm, 2 threads)', async () => {
  if (!(await linalgThreadsReady())) return;
  bitwise(getLinalg('wasm', { threads: 2 }), 'wasm2');
});

test('a pack is a snapshot that survives other calls and other packs (wasm)', () => {
  const rng = new Rng(22);
  const before = wasmLinalgMemory().packedLive;
  const [m, n, k] = [40, 301, 270];
  const a = randomMatrix(rng, m, k), b1 = randomMatrix(rng, n, k), b2 = randomMatrix(rng, k, n);
  const want1 = new Float64Array(m * n), want2 = new Float64Array(m * n);
  w1.gemm(m, n, k, a, b1, want1, { transB: true });
  w1.gemm(m, n, k, a, b2, want2);
  const p1 = w1.packB(b1, k, n, true);
  const b1saved = b1.slice();
  b1.fill(7); // later changes to B are not seen
  // large calls whose scratch would overwrite anything kept at the old fixed offsets
  const big = randomMatrix(rng, 400, 300), cbig = new Float64Array(400 * 400);
  w1.gemm(400, 400, 300, big, big, cbig, { transB: true });
  const spd = randomSpd(rng, 200);
  w1.cholesky(spd, 200);
  w1.syrkAccumulate(big, 400, 300, new Float64Array(300 * 300));
  const p2 = w1.packB(b2, k, n);
  const got = new Float64Array(m * n);
  w1.gemmPacked(m, a, p1, got);
  assert.deepEqual(got, want1, 'first pack intact after other calls and a second pack');
  // release the first, allocate a third (fills the hole): the second stays intact
  p1.free();
  p1.free(); // idempotent
  assert.ok(p1.freed);
  const p3 = w1.packB(b1saved, k, n, true);
  w1.gemmPacked(m, a, p2, got);
  assert.deepEqual(got, want2, 'second pack intact after a release and a reuse');
  w1.gemmPacked(m, a, p3, got);
  assert.deepEqual(got, want1, 'third pack (in the first one\'s hole)');
  assert.ok(wasmLinalgMemory().packedLive >= before + p2.bytes + p3.bytes);
  p2.free();
  p3.free();
  assert.equal(wasmLinalgMemory().packedLive, before, 'released packs are given back');
});

test('freed and foreign packs are refused (FarfieldError)', () => {
  const rng = new Rng(23);
  const a = randomMatrix(rng, 3, 4), b = randomMatrix(rng, 4, 5), c = new Float64Array(15);
  const p = w1.packB(b, 4, 5);
  p.free();
  assert.throws(() => w1.gemmPacked(3, a, p, c), (e: unknown) => e instanceof FarfieldError && /freed/.test(e.message));
  const pt = ts.packB(b, 4, 5);
  assert.throws(() => w1.gemmPacked(3, a, pt, c), (e: unknown) => e instanceof FarfieldError && /'ts' backend/.test(e.message));
  const pw = w1.packB(b, 4, 5);
  assert.throws(() => ts.gemmPacked(3, a, pw, c), (e: unknown) => e instanceof FarfieldError && /'wasm' backend/.test(e.message));
  assert.throws(() => w1.gemmPacked(3, a.subarray(0, 5), pw, c), FarfieldError);
  assert.throws(() => w1.packB(b, 5, 5), FarfieldError);
  pw.free();
});
