/**
 * Proves the FKK descriptor (science.md §4.3): the reciprocal-space sum (G = 0 included, self term removed for the
 * centre's own species) and the Ewald-like split equal an independent real-space lattice sum of 𝒮_ζ to 1e-10
 * (ζ ≥ 0.5 Å⁻¹, triclinic cell); dropping G = 0 removes exactly (N_J/V)Ŝ(0); the finite-system sum equals the
 * direct pair sum; hyperparameters validate and round-trip through JSON; the registry builds it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellVolume, makeStructure, type Structure } from '../../../src/core/index.js';
import { ComputeContext, createDescriptor } from '../../../src/descriptors/index.js';
import { FkkDescriptor, slaterPair, zetaMesh, parseFkkHypers } from '../../../src/descriptors/longRange/index.js';
import { randomIonic } from './helpers.js';

const Y00 = 1 / (2 * Math.sqrt(Math.PI));

/** Independent reference: explicit images n ∈ [−M, M]³ of every atom, all pairs with d < R (no neighbour list). */
function latticeSum(s: Structure, zetas: Float64Array, sigma: number, species: string[], R: number): Float64Array {
  const N = s.species.length, Nn = zetas.length, W = species.length * Nn;
  const X = new Float64Array(N * W);
  const c = s.cell, p = s.positions;
  const M = 1 + Math.ceil(R / Math.min(...[0, 1, 2].map((d) => cellVolume(c) / crossNorm(c, (d + 1) % 3, (d + 2) % 3))));
  const out = new Float64Array(2);
  for (let i = 0; i < N; i++)
    for (let k = 0; k < N; k++) {
      const J = species.indexOf(s.symbols[s.species[k]]);
      for (let a = -M; a <= M; a++)
        for (let b = -M; b <= M; b++)
          for (let e = -M; e <= M; e++) {
            if (k === i && a === 0 && b === 0 && e === 0) continue;
            const dx = p[3 * k] - p[3 * i] + a * c[0] + b * c[3] + e * c[6];
            const dy = p[3 * k + 1] - p[3 * i + 1] + a * c[1] + b * c[4] + e * c[7];
            const dz = p[3 * k + 2] - p[3 * i + 2] + a * c[2] + b * c[5] + e * c[8];
            const d = Math.sqrt(dx * dx + dy * dy + dz * dz);
            if (d >= R) continue;
            for (let n = 0; n < Nn; n++) {
              slaterPair(zetas[n], sigma, d, out);
              X[i * W + J * Nn + n] += Y00 * 2 * Math.pow(zetas[n], 1.5) * out[0];
            }
          }
    }
  return X;
}
function crossNorm(c: Float64Array, j: number, k: number): number {
  const x = c[3 * j + 1] * c[3 * k + 2] - c[3 * j + 2] * c[3 * k + 1];
  const y = c[3 * j + 2] * c[3 * k] - c[3 * j] * c[3 * k + 2];
  const z = c[3 * j] * c[3 * k + 1] - c[3 * j + 1] * c[3 * k];
  return Math.hypot(x, y, z);
}

function features(d: FkkDescriptor, s: Structure): Float64Array {
  return d.compute(s, new ComputeContext(s)).features.data;
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k] - b[k]));
  return m;
}

const species = ['Na', 'Cl'];
const hypers = { zetaMaxPerA: 2, scale: 2, count: 3, smearingA: 0.5, accuracy: 1e-13 };

test('FKK reciprocal sum = split = real-space lattice sum of 𝒮_ζ (ζ = 2, 1, 0.5 Å⁻¹) to 1e-10', () => {
  const s = randomIonic(7, 8, 7.5);
  // ζ = 0.5: e^{−0.5·R}·R²·4πρ/ζ < 1e-15 needs R ≈ 95 Å.
  const ref = latticeSum(s, zetaMesh(hypers), 0.5, species, 95);
  for (const method of ['reciprocal', 'split', 'auto', 'real'] as const) {
    const d = new FkkDescriptor(species, { ...hypers, method });
    const X = features(d, s);
    const err = maxAbsDiff(X, ref);
    assert.ok(err < 1e-10, `${method}: max |Δ| = ${err.toExponential(2)} (values up to ${Math.max(...ref).toFixed(3)})`);
  }
});

test('includeZero: false removes exactly (N_J/V) Ŝ_ζ(0) = (N_J/V) 8π/ζ³ (× Y₀₀ N_n) in every mode', () => {
  const s = randomIonic(3, 6, 7);
  const V = cellVolume(s.cell);
  const zetas = zetaMesh(hypers);
  for (const method of ['reciprocal', 'split', 'real'] as const) {
    const a = features(new FkkDescriptor(species, { ...hypers, method }), s);
    const b = features(new FkkDescriptor(species, { ...hypers, method, includeZero: false }), s);
    for (let i = 0; i < 6; i++)
      for (let J = 0; J < 2; J++)
        for (let n = 0; n < 3; n++) {
          const col = i * 6 + J * 3 + n;
          const expected = Y00 * 2 * zetas[n] ** 1.5 * (3 / V) * (8 * Math.PI) / zetas[n] ** 3;
          assert.ok(Math.abs(a[col] - b[col] - expected) < 1e-10, `${method} atom ${i} J ${J} n ${n}`);
        }
  }
});

test('finite system: the descriptor is the direct pair sum Y₀₀ N_n Σ_{k∈J, k≠i} 𝒮_ζn(r_ik)', () => {
  const s = makeStructure({ symbols: ['Na', 'Cl', 'Cl', 'Na'], positions: [0, 0, 0, 2.4, 0.1, 0, 0.3, 2.6, -0.4, 2.2, 2.5, 1.9] });
  const d = new FkkDescriptor(species, { count: 8 });
  const X = features(d, s);
  const out = new Float64Array(2);
  const zetas = zetaMesh(d.hypers);
  for (let i = 0; i < 4; i++)
    for (let J = 0; J < 2; J++)
      for (let n = 0; n < 8; n++) {
        let ref = 0;
        for (let k = 0; k < 4; k++) {
          if (k === i || species.indexOf(s.symbols[s.species[k]]) !== J) continue;
          const r = Math.hypot(s.positions[3 * k] - s.positions[3 * i], s.positions[3 * k + 1] - s.positions[3 * i + 1], s.positions[3 * k + 2] - s.positions[3 * i + 2]);
          slaterPair(zetas[n], 0.5, r, out);
          ref += Y00 * 2 * zetas[n] ** 1.5 * out[0];
        }
        assert.ok(Math.abs(X[i * 16 + J * 8 + n] - ref) < 1e-14 * Math.max(1, Math.abs(ref)));
      }
});

test('hyperparameters: defaults, validation with clear errors, JSON round trip through the registry', () => {
  const d = createDescriptor({ kind: 'fkk', species: ['Na', 'Cl'], hypers: {} }) as FkkDescriptor;
  assert.deepEqual(Array.from(d.zetas), [2, 1, 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625]);
  assert.equal(d.hypers.smearingA, 0.5);
  assert.equal(d.width, 16);
  assert.equal(d.labels[9], 'fkk:Cl:2');
  const spec = { kind: 'fkk', species: ['O', 'Zr'], hypers: { zetaMaxPerA: 3, scale: 1.5, count: 5, smearingA: 0.4, accuracy: 1e-7, weight: 0.3, includeZero: false, method: 'split', splitWidthA: 1.1, planner: 2 } };
  const back = createDescriptor(JSON.parse(JSON.stringify(createDescriptor(spec).toJSON())));
  assert.deepEqual(back.toJSON(), spec);
  // explicit cutoffs are written under their current names (kCutoffPerA, not the deprecated kCutoff)
  const cut = { kind: 'fkk', species: ['Na', 'Cl'], hypers: { zetaMaxPerA: 2, scale: 2, count: 4, smearingA: 0.5, accuracy: 1e-6, weight: 1, includeZero: true, method: 'split', planner: 2, splitWidthA: 1.2, realCutoffA: 9, kCutoffPerA: 2.5 } };
  assert.deepEqual(createDescriptor(cut).toJSON(), cut);
  assert.throws(() => parseFkkHypers({ scale: 1 }), /'scale' must be a mesh ratio > 1/);
  assert.throws(() => parseFkkHypers({ count: 2.5 }), /'count' must be an integer/);
  assert.throws(() => parseFkkHypers({ method: 'fast' }), /'method' must be one of/);
  assert.throws(() => parseFkkHypers({ sigma: 0.5 }), /unknown hyperparameter 'sigma'/);
  assert.equal(d.hypers.planner, 3);
  assert.throws(() => parseFkkHypers({ planner: 4 }), /'planner' must be planner version 1, 2 or 3/);
  const s = makeStructure({ symbols: ['Na', 'K'], positions: [0, 0, 0, 3, 0, 0] });
  assert.throws(() => d.compute(s, new ComputeContext(s)), /'K' is not in the descriptor's species list/);
  const mixed = makeStructure({ symbols: ['Na', 'Cl'], positions: [0, 0, 0, 3, 0, 0], cell: [9, 0, 0, 0, 9, 0, 0, 0, 9], pbc: [true, true, false] });
  assert.throws(() => d.compute(mixed, new ComputeContext(mixed)), /mixed periodicity/);
  // the weight β multiplies the features by √β
  const w = new FkkDescriptor(species, { weight: 0.25 });
  const x1 = features(d, s.symbols.includes('K') ? makeStructure({ symbols: ['Na', 'Cl'], positions: [0, 0, 0, 3, 0, 0] }) : s);
  const x2 = features(w, makeStructure({ symbols: ['Na', 'Cl'], positions: [0, 0, 0, 3, 0, 0] }));
  for (let k = 0; k < x1.length; k++) assert.ok(Math.abs(x2[k] - 0.5 * x1[k]) < 1e-15);
});
