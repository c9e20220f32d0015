/** Neighbour-list build time (placeholder case: replaced by the cell-list benchmark). */
import { makeStructure, Rng } from '../src/core/index.js';
import { buildNeighbourList } from '../src/geometry/index.js';
import { timeIt, type BenchContext } from './harness.js';

export async function run(ctx: BenchContext): Promise<void> {
  const rng = new Rng(1);
  const n = 500, L = 17;
  const pos = Float64Array.from({ length: 3 * n }, () => rng.range(0, L));
  const s = makeStructure({ symbols: Array(n).fill('Ar'), positions: pos, cell: [L, 0, 0, 0, L, 0, 0, 0, L] });
  const t = await timeIt(() => buildNeighbourList(s, 6), 3);
  ctx.report(`neighbour list ${n} atoms, 6 Å`, t.medianMs, 'ms');
}
