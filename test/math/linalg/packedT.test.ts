/**
 * Proves the transposed product from a pack (`gemmPackedT`, issue 17 goal 4: one pack of a model's reference rows
 * serves both A·Rᵀ and P·R): C = op(A)·op(B)ᵀ from the pack of op(B) is bitwise the plain `gemm` with op(B)ᵀ (both
 * backends, both transposes of A and of the packed B, alpha/beta, panel edges — pack depth not a multiple of 4 —,
 * product depth beyond one 256-deep block, rows beyond one 128-row block, 1 and 2 threads), and the same pack still
 * gives `gemmPacked` afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/index.js';
import { getLinalg, linalgThreadsReady, type Linalg } from '../../../src/math/linalg/index.js';
import { randomMatrix } from './helpers.js';

/** m rows of C; the pack holds op(B) of kp × np: C is m × kp, depth np. Edges of 4-wide panels and 256-deep blocks. */
const SHAPES: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [17, 13, 1], [130, 257, 65], [5, 300, 257], [129, 600, 6], [4, 0, 8], [4, 8, 0]];

function bitwise(la: Linalg, label: string): void {
  const rng = new Rng(31);
  for (const [m, kp, np] of SHAPES)
    for (const transA of [false, true])
      for (const transB of [false, true])
        for (const [alpha, beta] of [[1, 0], [1.25, -0.5]]) {
          // op(B) is kp × np (B stored np × kp when transB); the product needs op(B)ᵀ (np × kp)
          const b = randomMatrix(rng, kp, np), a = randomMatrix(rng, m, np), c0 = randomMatrix(rng, m, kp);
          if (beta === 0) c0.fill(NaN);
          const want = c0.slice(), got = c0.slice();
          // op(B)ᵀ as a plain gemm operand: the same array read with the other transposition
          la.gemm(m, kp, np, a, b, want, { transA, transB: !transB, alpha, beta });
          const p = la.packB(b, kp, np, transB);
          la.gemmPackedT(m, a, p, got, { transA, alpha, beta });
          for (let q = 0; q < m * kp; q++)
            assert.ok(Object.is(got[q], want[q]), `${label} m ${m} pack ${kp}×${np} tA=${transA} tB=${transB} α=${alpha}: [${q}] ${got[q]} vs ${want[q]}`);
          // the same pack, the direct product (m2 × np) = A2 (m2 × kp) · op(B)
          const a2 = randomMatrix(rng, 3, kp), d1 = new Float64Array(3 * np), d2 = new Float64Array(3 * np);
          la.gemm(3, np, kp, a2, b, d1, { transB });
          la.gemmPacked(3, a2, p, d2);
          assert.deepEqual(d2, d1, `${label}: the pack still serves gemmPacked`);
          p.free();
        }
}

test('gemmPackedT = gemm with op(B)ᵀ bitwise (ts backend)', () => bitwise(getLinalg('ts'), 'ts'));
test('gemmPackedT = gemm with op(B)ᵀ bitwise (wasm, 1 thread)', () => bitwise(getLinalg('wasm', { threads: 1 }), 'wasm1'));
test('gemmPackedT = gemm with op(B)ᵀ bitwise (wasm, 2 threads)', async () => {
  if (!(await linalgThreadsReady())) return;
  bitwise(getLinalg('wasm', { threads: 2 }), 'wasm2');
});
