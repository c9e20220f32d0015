/**
 * Meta-tests: the invariance checkers pass genuinely invariant per-atom features and a symmetric calculator, and
 * fail features that depend on orientation, absolute position, atom index, atom count or on ignoring images.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStructure, Rng, type CalculateOptions, type Calculator, type Structure } from '../../src/core/index.js';
import { buildNeighbourList } from '../../src/geometry/index.js';
import {
  checkInvariance, checkRotationInvariance, checkTranslationInvariance, checkPermutationEquivariance,
  checkSupercellInvariance, checkWrapInvariance, checkCalculatorSymmetry,
} from './invariance.js';
import { lennardJones } from './lj.js';

function sample(seed: number, pbc = true): Structure {
  const rng = new Rng(seed);
  const pos = Float64Array.from({ length: 24 }, () => rng.range(-1, 7));
  return makeStructure({
    symbols: ['Na', 'Cl', 'Na', 'Cl', 'Na', 'Cl', 'Na', 'Cl'], positions: pos,
    cell: [6.5, 0, 0, 0.8, 6.2, 0, -0.5, 0.4, 6.8], pbc,
  });
}

/** Invariant: per atom, smooth radial sums over the neighbour list, split by the neighbour's species. */
const good = (s: Structure): Float64Array => {
  const nl = buildNeighbourList(s, 5);
  const out = new Float64Array(3 * s.species.length);
  for (let p = 0; p < nl.count; p++) {
    const i = nl.centres[p], r = nl.distances[p], fc = 0.5 * (1 + Math.cos((Math.PI * r) / 5));
    out[3 * i + s.species[nl.neighbours[p]]] += Math.exp(-r) * fc;
    out[3 * i + 2] += fc;
  }
  return out;
};

test('an invariant feature passes every check (periodic and open)', () => {
  checkInvariance(good, sample(1));
  checkInvariance(good, sample(2, false));
});

test('checkers fail orientation-, position-, index-, count- and image-dependent features', () => {
  const s = sample(3);
  const withX = (t: Structure): Float64Array => { const g = good(t); for (let i = 0; i < t.species.length; i++) g[3 * i] += 1e-3 * t.positions[3 * i]; return g; };
  assert.throws(() => checkRotationInvariance(withX, s), assert.AssertionError);
  assert.throws(() => checkTranslationInvariance(withX, s), assert.AssertionError);
  const withIndex = (t: Structure): Float64Array => { const g = good(t); for (let i = 0; i < t.species.length; i++) g[3 * i + 2] += i; return g; };
  checkRotationInvariance(withIndex, s);
  assert.throws(() => checkPermutationEquivariance(withIndex, s), assert.AssertionError);
  const withCount = (t: Structure): Float64Array => { const g = good(t); for (let i = 0; i < t.species.length; i++) g[3 * i + 1] += 0.01 * t.species.length; return g; };
  checkPermutationEquivariance(withCount, s);
  assert.throws(() => checkSupercellInvariance(withCount, s), assert.AssertionError);
  // ignores periodic images: plain distances between the atoms as given
  const noImages = (t: Structure): Float64Array => {
    const n = t.species.length, out = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j)
      out[i] += Math.exp(-Math.hypot(t.positions[3 * j] - t.positions[3 * i], t.positions[3 * j + 1] - t.positions[3 * i + 1], t.positions[3 * j + 2] - t.positions[3 * i + 2]));
    return out;
  };
  checkRotationInvariance(noImages, s);
  checkTranslationInvariance(noImages, s);
  assert.throws(() => checkWrapInvariance(noImages, s), assert.AssertionError);
});

test('checkCalculatorSymmetry passes Lennard-Jones and fails an external-field term', () => {
  const rng = new Rng(4);
  const pos: number[] = [];
  for (let x = 0; x < 3; x++) for (let y = 0; y < 3; y++) for (let z = 0; z < 3; z++) pos.push(...[x, y, z].map((c) => (c + rng.range(-0.1, 0.1)) * 3.7));
  const s = makeStructure({ symbols: Array(27).fill('Ar'), positions: pos, cell: [11.1, 0, 0, 0.4, 11.1, 0, 0, 0, 11.1] });
  const lj = lennardJones();
  checkCalculatorSymmetry(lj, s, { rtol: 1e-10 });
  const field: Calculator = {
    name: 'lj + field',
    calculate(t: Structure, o?: CalculateOptions) {
      const r = lj.calculate(t, o);
      let e = r.energyEv;
      const F = r.forcesEvPerA!.slice();
      for (let i = 0; i < t.species.length; i++) { e -= 0.01 * t.positions[3 * i + 2]; F[3 * i + 2] += 0.01; }
      return { ...r, energyEv: e, forcesEvPerA: F };
    },
  };
  assert.throws(() => checkCalculatorSymmetry(field, s, { checks: ['rotation'] }), assert.AssertionError);
  assert.throws(() => checkCalculatorSymmetry(field, s, { checks: ['translation'] }), assert.AssertionError);
});
