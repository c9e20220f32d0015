/** Shared structures for the long-range descriptor tests (seeded). */
import assert from 'node:assert/strict';
import { makeStructure, Rng, type Structure } from '../../../src/core/index.js';

/** Random atoms with a minimum separation (minimum image) in a (possibly skewed) periodic cell. */
export function randomIonic(seed: number, n: number, edgeA: number, skew = 0.15, minSepA = 1.6, symbols: [string, string] = ['Na', 'Cl']): Structure {
  const rng = new Rng(seed);
  const cell = [edgeA, 0, 0, 0, edgeA, 0, 0, 0, edgeA];
  for (const k of [1, 2, 3, 5, 6, 7]) cell[k] = rng.range(-skew, skew) * edgeA;
  const frac: number[][] = [];
  const cart = (f: number[]) => [0, 1, 2].map((d) => f[0] * cell[d] + f[1] * cell[3 + d] + f[2] * cell[6 + d]);
  let guard = 0;
  while (frac.length < n) {
    if (++guard > 100000) throw new Error('randomIonic: could not place atoms');
    const f = [rng.uniform(), rng.uniform(), rng.uniform()];
    let ok = true;
    for (const g of frac) {
      const df = f.map((x, d) => x - g[d] - Math.round(x - g[d]));
      const v = cart(df);
      if (Math.hypot(v[0], v[1], v[2]) < minSepA) { ok = false; break; }
    }
    if (ok) frac.push(f);
  }
  return makeStructure({
    symbols: frac.map((_, i) => symbols[i % 2]),
    positions: frac.flatMap(cart),
    cell,
  });
}

/** Rock salt NaCl conventional cell (8 atoms) with lattice constant a (Å), optionally rattled. */
export function rockSalt(a: number, rattleA = 0, seed = 1): Structure {
  const rng = new Rng(seed);
  const base = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]];
  const pos: number[] = [], sym: string[] = [];
  for (const b of base) {
    pos.push(...b.map((x) => x * a + rng.range(-rattleA, rattleA))); sym.push('Na');
    pos.push(...[b[0] + 0.5, b[1], b[2]].map((x) => x * a + rng.range(-rattleA, rattleA))); sym.push('Cl');
  }
  return makeStructure({ symbols: sym, positions: pos, cell: [a, 0, 0, 0, a, 0, 0, 0, a] });
}

/** max |a − b| ≤ rtol · max |b| (b not all zero), with the worst index in the message. */
export function assertClose(a: Float64Array, b: Float64Array, rtol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  let scale = 0, err = 0, at = -1;
  for (let k = 0; k < b.length; k++) scale = Math.max(scale, Math.abs(b[k]));
  for (let k = 0; k < b.length; k++) {
    const e = Math.abs(a[k] - b[k]);
    if (e > err) { err = e; at = k; }
  }
  assert.ok(scale > 0, `${what}: reference is all zero`);
  assert.ok(err <= rtol * scale, `${what}: max |Δ| = ${err.toExponential(3)} at ${at} > ${rtol} × ${scale.toExponential(3)}`);
}
