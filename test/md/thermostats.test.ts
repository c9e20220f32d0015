/**
 * Proves the thermostats on Lennard-Jones argon: Bussi and Langevin give the target temperature (equipartition,
 * within a block-averaged statistical error) and the canonical kinetic-energy variance N_f (k_B T)² / 2; their
 * conserved quantity K + U − heat stays put while the heat exchanged is orders of magnitude larger; same seed →
 * bit-identical trajectory, another seed → a different one; Bussi keeps zero total momentum.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOLTZMANN_EV_PER_K } from '../../src/core/index.js';
import { blowUpGuard, bussi, langevin, conservedEnergyEv, kineticEnergyEv, temperatureK, totalMomentum, type Integrator } from '../../src/md/index.js';
import { lennardJones } from '../helpers/lj.js';
import { argonFcc } from './argon.js';

const lj = lennardJones();
const s = argonFcc(2, 5.3, 1);
const T0 = 60;

function sampleRun(md: Integrator, seed: number): { meanT: number; errT: number; varRatio: number; consDev: number; heat: number; nf: number } {
  const st = md.init(s, { temperatureK: T0, seed });
  const guard = blowUpGuard(md, st); // sound NVT runs never trip the blow-up guard
  for (let k = 0; k < 200; k++) md.step(st); // equilibrate
  const e0 = conservedEnergyEv(st), h0 = st.heatEv;
  const blocks: number[] = [];
  let sK = 0, sK2 = 0, n = 0, dev = 0, bT = 0;
  for (let k = 1; k <= 2000; k++) {
    md.step(st);
    guard(st);
    const K = kineticEnergyEv(st.masses, st.velocities);
    sK += K; sK2 += K * K; n++;
    bT += temperatureK(st);
    if (k % 100 === 0) { blocks.push(bT / 100); bT = 0; }
    dev = Math.max(dev, Math.abs(conservedEnergyEv(st) - e0));
  }
  const meanT = blocks.reduce((a, b) => a + b, 0) / blocks.length;
  const varB = blocks.reduce((a, b) => a + (b - meanT) ** 2, 0) / (blocks.length - 1);
  const mK = sK / n, kT = BOLTZMANN_EV_PER_K * T0;
  return { meanT, errT: Math.sqrt(varB / blocks.length), varRatio: (sK2 / n - mK * mK) / ((st.degreesOfFreedom / 2) * kT * kT), consDev: dev, heat: Math.abs(st.heatEv - h0), nf: st.degreesOfFreedom };
}

for (const [name, md, nf] of [
  ['Bussi', bussi(lj, { timestepFs: 5, temperatureK: T0, tauFs: 50 }), 93],
  ['Langevin', langevin(lj, { timestepFs: 5, temperatureK: T0, frictionPerFs: 0.02 }), 96],
] as const) {
  test(`${name}: equipartition temperature, canonical kinetic-energy variance, conserved quantity`, () => {
    const r = sampleRun(md, 1);
    assert.equal(r.nf, nf);
    // block error (20 blocks of 0.5 ps); 4σ, plus 1 % for the O(dt²) discretisation bias
    assert.ok(Math.abs(r.meanT - T0) < 4 * r.errT + 0.01 * T0, `⟨T⟩ = ${r.meanT.toFixed(2)} ± ${r.errT.toFixed(2)} K, target ${T0} K`);
    assert.ok(r.errT < 2, `statistical error ${r.errT} K too large for a meaningful test`);
    // ≈ 100 decorrelated samples: the variance estimate is good to ≈ 15 %; a non-canonical thermostat is far off
    assert.ok(r.varRatio > 0.7 && r.varRatio < 1.35, `Var(K) / (N_f (k_B T)² / 2) = ${r.varRatio.toFixed(3)}`);
    assert.ok(r.consDev / 32 < 2e-5, `conserved quantity moved by ${r.consDev / 32} eV/atom`);
    assert.ok(r.heat > 100 * r.consDev, `heat exchanged ${r.heat} eV is not large compared with the conserved-quantity error`);
  });
}

test('same seed → identical trajectory; another seed → different; Bussi keeps zero momentum', () => {
  for (const md of [bussi(lj, { timestepFs: 5, temperatureK: T0, tauFs: 20 }), langevin(lj, { timestepFs: 5, temperatureK: T0 })]) {
    const run = (seed: number): Float64Array => {
      const st = md.init(s, { temperatureK: T0, seed });
      for (let k = 0; k < 60; k++) md.step(st);
      if (md.name === 'bussi') {
        let scale = 0;
        for (let i = 0; i < 32; i++) scale += st.masses[i] * Math.hypot(st.velocities[3 * i], st.velocities[3 * i + 1], st.velocities[3 * i + 2]);
        assert.ok(Math.hypot(...totalMomentum(st.masses, st.velocities)) < 1e-10 * scale, 'Bussi changed the total momentum');
      }
      return st.positions;
    };
    const a = run(7), b = run(7), c = run(8);
    assert.deepEqual(a, b, `${md.name}: same seed gave different trajectories`);
    assert.notDeepEqual(a, c, `${md.name}: different seeds gave the same trajectory`);
  }
});
