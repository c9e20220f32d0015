import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStructure, Rng } from '../../src/core/index.js';
import { radialDistribution } from '../../src/analysis/rdf.js';

test('ideal gas: g(r) → 1 (uncorrelated uniform positions)', () => {
  const rng = new Rng(5);
  const L = 12, n = 120;
  const frames = Array.from({ length: 20 }, () =>
    makeStructure({
      symbols: Array.from({ length: n }, (_, i) => (i % 2 ? 'Na' : 'Cl')),
      positions: Float64Array.from({ length: 3 * n }, () => rng.range(0, L)),
      cell: [L, 0, 0, 0, L, 0, 0, 0, L],
    }),
  );
  const res = radialDistribution(frames, { rMaxA: 8, bins: 8 });
  for (const g of Object.values(res.curves))
    for (let k = 2; k < 8; k++) assert.ok(Math.abs(g[k] - 1) < 0.08, `g=${g[k]} at r=${res.r[k]}`);
});

test('simple cubic lattice: the first shell integrates to exactly 6 neighbours', () => {
  const a = 3, n = 8, L = 2 * a;
  const s8 = makeStructure({
    symbols: Array(n).fill('Ar'),
    positions: [0, 0, 0, a, 0, 0, 0, a, 0, 0, 0, a, a, a, 0, a, 0, a, 0, a, a, a, a, a],
    cell: [L, 0, 0, 0, L, 0, 0, 0, L],
  });
  const res = radialDistribution([s8], { rMaxA: 4, bins: 40 });
  const g = res.curves['Ar-Ar'];
  // coordination number = (N−1)/V ∫ g 4πr² dr (the N(N−1) pair normalisation); first shell r < 3.5 Å holds 6 at r = a
  let cn = 0;
  for (let k = 0; k < 40; k++)
    if (res.r[k] < 3.5) cn += (g[k] * (n - 1)) / L ** 3 * ((4 * Math.PI) / 3) * (((k + 1) * 0.1) ** 3 - (k * 0.1) ** 3);
  assert.ok(Math.abs(cn - 6) < 1e-9, `cn=${cn}`);
  // and nothing between 0 and a
  for (let k = 0; k < 29; k++) assert.equal(g[k], 0);
});
