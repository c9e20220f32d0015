/**
 * Proves the MD building blocks against exact distributions: Maxwell–Boltzmann velocities (temperature, zero
 * momentum, equipartition across different masses), χ² and Gamma deviates (mean n, variance 2n), and the Bussi
 * kinetic-energy update (its exact one-step mean c K + (1 − c) K̄ and variance 2(1 − c)² K̄²/N_f + 4c(1 − c) K K̄/N_f,
 * the canonical Gamma(N_f/2) limit for c = 0, identity for c = 1). Also masses, units and input errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AMU_EV_FS2_PER_A2, BOLTZMANN_EV_PER_K, FarfieldError, Rng, makeStructure } from '../../src/core/index.js';
import {
  maxwellBoltzmannVelocities, kineticEnergyEv, totalMomentum, sumOfSquaredGaussians, gammaDeviate, bussiKineticEnergy, massesOf,
} from '../../src/md/index.js';

function meanVar(xs: number[]): [number, number] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return [m, xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)];
}

test('Maxwell–Boltzmann: temperature, zero momentum, equipartition across masses', () => {
  const n = 3000;
  const masses = Float64Array.from({ length: n }, (_, i) => (i % 2 ? 1.008 : 132.9));
  const T = 500;
  const v = maxwellBoltzmannVelocities(masses, T, new Rng(1));
  const p = totalMomentum(masses, v);
  assert.ok(Math.hypot(...p) < 1e-9, 'total momentum not removed');
  const kT = BOLTZMANN_EV_PER_K * T;
  // per species ½ m ⟨v²⟩ = 3/2 k_B T (each ≈ 4500 squared normals: relative error ≈ 2 %)
  for (const parity of [0, 1]) {
    let k = 0, c = 0;
    for (let i = parity; i < n; i += 2) { k += 0.5 * masses[i] * AMU_EV_FS2_PER_A2 * (v[3 * i] ** 2 + v[3 * i + 1] ** 2 + v[3 * i + 2] ** 2); c++; }
    assert.ok(Math.abs(k / c / (1.5 * kT) - 1) < 0.08, `species ${parity}: ⟨K⟩ per atom ${(k / c / (1.5 * kT)).toFixed(3)} × 3/2 k_B T`);
  }
  const exact = maxwellBoltzmannVelocities(masses, T, new Rng(2), true);
  assert.ok(Math.abs(kineticEnergyEv(masses, exact) / (0.5 * (3 * n - 3) * kT) - 1) < 1e-12);
  // hydrogen at 300 K: rms speed √(3kT/m) = 2.72 km/s = 0.0272 Å/fs (textbook value)
  const vh = maxwellBoltzmannVelocities(new Float64Array(2000).fill(1.008), 300, new Rng(3));
  let s2 = 0;
  for (const x of vh) s2 += x * x;
  assert.ok(Math.abs(Math.sqrt(s2 / 2000) - 0.0272) < 0.001);
  assert.throws(() => maxwellBoltzmannVelocities(masses, -1, new Rng(1)), FarfieldError);
});

test('χ² and Gamma deviates have the exact mean and variance', () => {
  const rng = new Rng(4);
  for (const n of [1, 7, 40, 101]) {
    const xs = Array.from({ length: 20000 }, () => sumOfSquaredGaussians(n, rng));
    const [m, v] = meanVar(xs);
    // 5 standard errors for the mean (√(2n/M)); the variance estimate is good to ≈ 2–4 % with M = 20000
    assert.ok(Math.abs(m / n - 1) < 5 * Math.sqrt(2 / n / 20000) + 1e-3, `χ²_${n} mean ${m}`);
    assert.ok(Math.abs(v / (2 * n) - 1) < 0.08, `χ²_${n} variance ${v} vs ${2 * n}`);
  }
  const g = Array.from({ length: 20000 }, () => gammaDeviate(3.5, rng));
  const [m, v] = meanVar(g);
  assert.ok(Math.abs(m - 3.5) < 0.05 && Math.abs(v / 3.5 - 1) < 0.06);
  assert.equal(sumOfSquaredGaussians(0, rng), 0);
});

test('Bussi kinetic-energy update: exact one-step mean and variance, canonical and identity limits', () => {
  const rng = new Rng(5);
  const nf = 45, Kbar = 1.3, K = 0.7, M = 40000;
  for (const c of [0, 0.3, 0.9]) {
    const xs = Array.from({ length: M }, () => bussiKineticEnergy(K, Kbar, nf, c, rng));
    const [m, v] = meanVar(xs);
    const mean = c * K + (1 - c) * Kbar;
    const variance = (2 * (1 - c) ** 2 * Kbar ** 2) / nf + (4 * c * (1 - c) * K * Kbar) / nf;
    assert.ok(Math.abs(m - mean) < 5 * Math.sqrt(variance / M), `c = ${c}: mean ${m} vs ${mean}`);
    assert.ok(Math.abs(v / variance - 1) < 0.05, `c = ${c}: variance ${v} vs ${variance}`);
    assert.ok(xs.every((x) => x >= 0));
  }
  assert.equal(bussiKineticEnergy(K, Kbar, nf, 1, rng), K);
});

test('masses from symbols or an override, with clear errors', () => {
  const s = makeStructure({ symbols: ['Na', 'Cl'], positions: [0, 0, 0, 1, 1, 1] });
  assert.deepEqual([...massesOf(s)], [22.98976928, 35.45]);
  assert.deepEqual([...massesOf(s, [1, 2])], [1, 2]);
  assert.throws(() => massesOf(s, [1]), FarfieldError);
  assert.throws(() => massesOf(s, [1, 0]), FarfieldError);
  assert.throws(() => massesOf(makeStructure({ symbols: ['Xx'], positions: [0, 0, 0] })), /no standard atomic mass for element 'Xx'/);
});
