/** Test fixture: a jittered fcc argon crystal (m×m×m conventional cells, lattice a Å), for the test LJ calculator. */
import { makeStructure, Rng, type Structure } from '../../src/core/index.js';

export function argonFcc(m: number, a: number, seed: number, jitterA = 0.05): Structure {
  const rng = new Rng(seed);
  const basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
  const pos: number[] = [];
  for (let x = 0; x < m; x++)
    for (let y = 0; y < m; y++)
      for (let z = 0; z < m; z++)
        for (const b of basis) pos.push(...[x + b[0], y + b[1], z + b[2]].map((c) => c * a + rng.range(-jitterA, jitterA)));
  return makeStructure({ symbols: Array(pos.length / 3).fill('Ar'), positions: pos, cell: [m * a, 0, 0, 0, m * a, 0, 0, 0, m * a] });
}
