/**
 * Neighbour-list build time (cell list) for random liquid-like configurations at 0.1 atoms/Å³, 6 Å cutoff,
 * 10³ / 10⁴ / 10⁵ atoms in a cubic box, plus the measured cost exponent and one triclinic case.
 */
import { makeStructure, Rng, type Structure } from '../src/core/index.js';
import { buildNeighbourList } from '../src/geometry/index.js';
import { costExponent, timeIt, type BenchContext } from './harness.js';

function liquid(n: number, density: number, seed: number, skew = 0): Structure {
  const rng = new Rng(seed);
  const L = Math.cbrt(n / density);
  const cell = [L, 0, 0, skew * L, L, 0, skew * L, skew * L, L];
  const pos = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const f = [rng.uniform(), rng.uniform(), rng.uniform()];
    for (let d = 0; d < 3; d++) pos[3 * i + d] = f[0] * cell[d] + f[1] * cell[3 + d] + f[2] * cell[6 + d];
  }
  return makeStructure({ symbols: Array(n).fill('Ar'), positions: pos, cell });
}

export async function run(ctx: BenchContext): Promise<void> {
  const sizes = ctx.quick ? [1000, 10000] : [1000, 10000, 100000];
  const times: number[] = [];
  for (const n of sizes) {
    const s = liquid(n, 0.1, n);
    const runs = n >= 100000 ? 3 : 5;
    let pairs = 0;
    const t = await timeIt(() => { pairs = buildNeighbourList(s, 6).count; }, runs);
    times.push(t.medianMs);
    ctx.report(`cell list ${n} atoms, 6 Å, 0.1/Å³`, t.medianMs, 'ms', `${(pairs / n).toFixed(1)} pairs/atom, ${(t.medianMs * 1e6 / pairs).toFixed(1)} ns/pair`);
  }
  ctx.report('cost exponent (log t / log N)', costExponent(sizes, times), '');
  const tri = liquid(10000, 0.1, 7, 0.3);
  const t = await timeIt(() => buildNeighbourList(tri, 6), 5);
  ctx.report('cell list 10000 atoms, triclinic (skew 0.3)', t.medianMs, 'ms');
  const half = await timeIt(() => buildNeighbourList(liquid(10000, 0.1, 10000), 6, { half: true }), 5);
  ctx.report('half list 10000 atoms (incl. setup)', half.medianMs, 'ms');
}
