/**
 * Meta-tests: the gradient checkers pass correct gradients and fail wrong ones — including wrong gradients of
 * functions whose scale is far below any absolute floor, a zero gradient where the true one is not, a missing
 * factor in the stress, and a single wrong component among many.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStructure, Rng, cellVolume, type Calculator, type Structure } from '../../src/core/index.js';
import { checkGradient, checkForces, checkStress, checkStrainGradient, checkCalculator } from './gradient.js';
import { lennardJones, ARGON } from './lj.js';

const f = (x: Float64Array): number => {
  let s = 0;
  for (let k = 0; k < x.length; k++) s += Math.sin(x[k]) * x[(k + 1) % x.length] + 0.5 * x[k] * x[k];
  return s;
};
const gradF = (x: Float64Array): Float64Array => {
  const n = x.length, g = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    g[k] += Math.cos(x[k]) * x[(k + 1) % n] + x[k];
    g[(k + 1) % n] += Math.sin(x[k]);
  }
  return g;
};

test('checkGradient passes a correct gradient and reports a small error', () => {
  const x = Float64Array.from({ length: 12 }, (_, k) => 0.3 * k - 1);
  const r = checkGradient(f, gradF(x), x);
  assert.ok(r.maxRelError < 1e-8, `max relative error ${r.maxRelError}`);
  assert.equal(r.checked.length, 12);
  const sub = checkGradient(f, gradF(x), x, { subset: 4, seed: 3 });
  assert.equal(sub.checked.length, 4);
});

test('checkGradient fails a slightly wrong, sign-flipped, zero or NaN gradient, naming the component', () => {
  const x = Float64Array.from({ length: 12 }, (_, k) => 0.3 * k - 1);
  const g = gradF(x);
  const wrong = g.slice(); wrong[7] *= 1 + 1e-4;
  assert.throws(() => checkGradient(f, wrong, x), (e: Error) => e instanceof assert.AssertionError && /component 7/.test(e.message));
  assert.throws(() => checkGradient(f, g.map((v) => -v), x), assert.AssertionError);
  assert.throws(() => checkGradient(f, new Float64Array(12), x), assert.AssertionError);
  const nan = g.slice(); nan[2] = NaN;
  assert.throws(() => checkGradient(f, nan, x), assert.AssertionError);
});

test('no floor lets a wrong gradient pass at tiny scales; a constant passes with zero gradient', () => {
  const x = Float64Array.of(0.4, -0.7, 1.1);
  const tiny = (y: Float64Array): number => 1e-12 * (y[0] * y[0] + y[1] * y[1] + y[2] * y[2]);
  const right = Float64Array.from(x, (v) => 2e-12 * v);
  checkGradient(tiny, right, x);
  assert.throws(() => checkGradient(tiny, right.map((v) => 2 * v), x), assert.AssertionError);
  checkGradient(() => 3.5, new Float64Array(3), x);
});

function argonLiquid(seed: number, n = 32): Structure {
  // random but not overlapping: jittered simple-cubic lattice at 0.021 atoms/Å³
  const rng = new Rng(seed);
  const m = Math.round(Math.cbrt(n)), a = 3.6;
  const pos: number[] = [];
  for (let x = 0; x < m; x++) for (let y = 0; y < m; y++) for (let z = 0; z < m; z++)
    pos.push((x + rng.range(-0.15, 0.15)) * a, (y + rng.range(-0.15, 0.15)) * a, (z + rng.range(-0.15, 0.15)) * a);
  const L = m * a;
  return makeStructure({ symbols: Array(m ** 3).fill('Ar'), positions: pos, cell: [L, 0.3, 0, 0, L, 0, 0.5, -0.2, L] });
}

test('checkForces/checkStress pass the test Lennard-Jones calculator and fail broken variants', () => {
  const s = argonLiquid(1, 27);
  const lj = lennardJones(ARGON);
  const res = checkCalculator(lj, s, { rtol: 1e-6 });
  assert.ok(res.forces.maxRelError < 1e-6 && res.stress!.maxRelError < 1e-6);
  const r = lj.calculate(s);
  const energyOf = (t: Structure): number => lj.calculate(t).energyEv;
  const F = r.forcesEvPerA!.slice();
  F[10] += 1e-3 * Math.abs(F[10]) + 1e-6;
  assert.throws(() => checkForces(energyOf, s, F), (e: Error) => /atom 3 y/.test(e.message));
  // stress off by the factor V (forgot to divide), and with the wrong sign
  assert.throws(() => checkStress(energyOf, s, r.stressEvPerA3!.map((x) => x * cellVolume(s.cell))), assert.AssertionError);
  assert.throws(() => checkStress(energyOf, s, r.stressEvPerA3!.map((x) => -x)), assert.AssertionError);
  // a stress that is right only in its symmetric part: passes the symmetric check, fails the full one
  const V = cellVolume(s.cell);
  const skew = r.stressEvPerA3!.map((x) => x * V);
  skew[1] += 0.05; skew[3] -= 0.05;
  checkStrainGradient(energyOf, s, skew, { symmetric: true });
  assert.throws(() => checkStrainGradient(energyOf, s, skew), (e: Error) => /ε_xy|ε_yx/.test(e.message));
});

test('checkCalculator: exact components; fails on wrong forces, wrong stress, and on an energy that is not invariant', () => {
  const s = argonLiquid(2, 8);
  const lj = lennardJones(ARGON);
  const only = checkCalculator(lj, s, { components: [0, 5, 13], strainComponents: [0, 1, 5] });
  assert.deepEqual(only.forces.checked, [0, 5, 13]);
  assert.deepEqual(only.stress!.checked, [0, 1, 5]);
  const tamper = (edit: (r: ReturnType<Calculator['calculate']>) => void, energy?: (t: Structure, e: number) => number): Calculator => ({
    name: 'tampered',
    calculate(t, o) {
      const r = lj.calculate(t, o);
      edit(r);
      return energy ? { ...r, energyEv: energy(t, r.energyEv) } : r;
    },
  });
  // wrong force or stress component (symmetry checks off so that the finite differences are what fails)
  assert.throws(() => checkCalculator(tamper((r) => { if (r.forcesEvPerA) r.forcesEvPerA[4] *= 1.001; }), s, { symmetry: false }), /forces check failed at atom 1 y/);
  assert.throws(() => checkCalculator(tamper((r) => { if (r.stressEvPerA3) r.stressEvPerA3[8] *= 1.001; }), s, { symmetry: false }), /stress check failed at ε_zz/);
  // energy that depends on the absolute position / on the orientation / on the atom order
  const shift = tamper(() => {}, (t, e) => e + 1e-3 * t.positions[0]);
  assert.throws(() => checkCalculator(shift, s, { symmetry: { checks: ['translation'] } }), /energy not translation invariant/);
  const orient = tamper(() => {}, (t, e) => e + 1e-3 * t.cell[1]);
  assert.throws(() => checkCalculator(orient, s, { symmetry: { checks: ['rotation'] } }), /energy not rotation invariant/);
  const order = tamper(() => {}, (t, e) => e + 1e-3 * t.positions[3]);
  assert.throws(() => checkCalculator(order, s, { symmetry: { checks: ['permutation'] } }), /permutation invariant/);
});
