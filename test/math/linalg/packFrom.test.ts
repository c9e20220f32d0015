/**
 * `packBTransposedFrom` (issue 17 goal 4, model load: a model's reference rows packed without a whole normalised copy):
 * the pack produced block by block is the pack of the whole B — gemmPacked and gemmPackedT with it are bitwise those
 * with packB(b, k, n, true) (both backends; depths beyond one 256-deep block, rows beyond one 64-row piece, panel
 * edges), and the producer's pieces cover B exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/index.js';
import { getLinalg, type Linalg } from '../../../src/math/linalg/index.js';
import { randomMatrix } from './helpers.js';

function check(la: Linalg, label: string): void {
  const rng = new Rng(7);
  for (const [k, n, m] of [[1, 1, 1], [7, 5, 3], [257, 13, 9], [600, 130, 4], [300, 66, 5], [5, 0, 2]] as const) {
    const b = randomMatrix(rng, n, k); // B stored n × k: op(B) = Bᵀ is k × n
    const covered = new Int32Array(k * n);
    const from = la.packBTransposedFrom(k, n, (j0, nj, pc, kc, out) => {
      for (let j = j0; j < j0 + nj; j++)
        for (let q = 0; q < kc; q++) {
          out[(j - j0) * kc + q] = b[j * k + pc + q];
          covered[j * k + pc + q]++;
        }
    });
    const whole = la.packB(b, k, n, true);
    assert.equal(from.bytes, whole.bytes, `${label} ${k}×${n}: bytes`);
    assert.ok(covered.every((c) => c === 1), `${label} ${k}×${n}: the pieces cover B once`);
    const a = randomMatrix(rng, m, k), c1 = new Float64Array(m * n), c2 = new Float64Array(m * n);
    la.gemmPacked(m, a, whole, c1);
    la.gemmPacked(m, a, from, c2);
    for (let q = 0; q < m * n; q++) assert.ok(Object.is(c1[q], c2[q]), `${label} ${k}×${n} gemmPacked [${q}]`);
    const p = randomMatrix(rng, m, n), t1 = new Float64Array(m * k), t2 = new Float64Array(m * k);
    la.gemmPackedT(m, p, whole, t1);
    la.gemmPackedT(m, p, from, t2);
    for (let q = 0; q < m * k; q++) assert.ok(Object.is(t1[q], t2[q]), `${label} ${k}×${n} gemmPackedT [${q}]`);
    from.free();
    whole.free();
  }
}

test('packBTransposedFrom = packB of the whole transposed B, bitwise (ts backend)', () => check(getLinalg('ts'), 'ts'));
test('packBTransposedFrom = packB of the whole transposed B, bitwise (wasm)', () => check(getLinalg('wasm', { threads: 1 }), 'wasm'));
