/** Small test structures for the short-range descriptor tests (seeded; min separation enforced). */
import { makeStructure, Rng, type Structure } from '../../../src/core/index.js';

/** Random positions in a cell (fractional sampling) with a minimum distance (minimum image), symbols cycled. */
export function randomPeriodic(symbols: string[], cell: number[], minDistA: number, seed: number): Structure {
  const rng = new Rng(seed);
  const pos: number[][] = [];
  const n = symbols.length;
  const A = cell;
  let tries = 0;
  while (pos.length < n) {
    if (++tries > 100000) throw new Error('randomPeriodic: could not place atoms');
    const f = [rng.uniform(), rng.uniform(), rng.uniform()];
    const p = [0, 1, 2].map((c) => f[0] * A[c] + f[1] * A[3 + c] + f[2] * A[6 + c]);
    let ok = true;
    for (const q of pos) {
      for (let a = -1; a <= 1 && ok; a++)
        for (let b = -1; b <= 1 && ok; b++)
          for (let c = -1; c <= 1 && ok; c++) {
            const d = [0, 1, 2].map((k) => p[k] - q[k] + a * A[k] + b * A[3 + k] + c * A[6 + k]);
            if (Math.hypot(d[0], d[1], d[2]) < minDistA) ok = false;
          }
      if (!ok) break;
    }
    if (ok) pos.push(p);
  }
  return makeStructure({ symbols, positions: pos, cell: A });
}

/** A triclinic two-species cell smaller than the cutoffs (so several images of every atom, and of itself, count). */
export const triclinicNaCl = (): Structure =>
  randomPeriodic(['Na', 'Cl', 'Na', 'Cl', 'Na', 'Cl'], [5.1, 0, 0, 0.8, 4.7, 0, -0.6, 0.9, 5.3], 2.2, 3);

/** A three-species molecule (no cell). */
export const molecule = (): Structure =>
  makeStructure({
    symbols: ['O', 'H', 'H', 'C', 'O', 'H'],
    positions: [[0, 0, 0], [0.96, 0.1, 0], [-0.3, 0.93, 0.2], [1.9, 1.7, -0.4], [2.4, 0.4, 1.1], [3.1, 2.6, -0.2]],
  });
