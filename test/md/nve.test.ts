/**
 * Proves velocity Verlet (NVE) on a smooth Lennard-Jones argon crystal: the total energy error is small, bounded
 * and shrinks as dt² (halving dt divides it by ≈ 4, the order of the method), total momentum stays zero, and
 * reversing the velocities retraces the trajectory (time reversibility).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { velocityVerlet, conservedEnergyEv, totalMomentum } from '../../src/md/index.js';
import { lennardJones } from '../helpers/lj.js';
import { argonFcc } from './argon.js';

const lj = lennardJones();
const s = argonFcc(2, 5.3, 1);

/** max |E(t) − E(0)| per atom over 1 ps at time step dt. */
function maxEnergyError(dt: number): number {
  const md = velocityVerlet(lj, { timestepFs: dt });
  const st = md.init(s, { temperatureK: 80, seed: 3 });
  const e0 = conservedEnergyEv(st);
  let dev = 0;
  for (let k = 0; k < Math.round(1000 / dt); k++) {
    md.step(st);
    dev = Math.max(dev, Math.abs(conservedEnergyEv(st) - e0));
  }
  return dev / 32;
}

test('NVE energy error is small and scales as dt²', () => {
  const e8 = maxEnergyError(8), e4 = maxEnergyError(4), e2 = maxEnergyError(2);
  assert.ok(e4 < 1e-5, `energy error ${e4} eV/atom at 4 fs`);
  for (const [big, small, dt] of [[e8, e4, 8], [e4, e2, 4]]) {
    const ratio = big / small;
    assert.ok(ratio > 3.3 && ratio < 4.8, `error ratio ${ratio.toFixed(2)} from dt = ${dt} to ${dt / 2} fs; dt² scaling gives 4`);
  }
});

test('NVE keeps zero total momentum and is time reversible', () => {
  const md = velocityVerlet(lj, { timestepFs: 4 });
  const st = md.init(s, { temperatureK: 80, seed: 5 });
  const start = st.positions.slice();
  const p0 = totalMomentum(st.masses, st.velocities);
  // scale: Σ m|v|, the momentum if all atoms moved the same way
  let scale = 0;
  for (let i = 0; i < 32; i++) scale += st.masses[i] * Math.hypot(st.velocities[3 * i], st.velocities[3 * i + 1], st.velocities[3 * i + 2]);
  assert.ok(Math.hypot(...p0) < 1e-12 * scale, 'initial momentum not zero');
  for (let k = 0; k < 200; k++) md.step(st);
  assert.ok(Math.hypot(...totalMomentum(st.masses, st.velocities)) < 1e-10 * scale, 'momentum drifted');
  for (let k = 0; k < st.velocities.length; k++) st.velocities[k] = -st.velocities[k];
  for (let k = 0; k < 200; k++) md.step(st);
  let err = 0;
  for (let k = 0; k < start.length; k++) err = Math.max(err, Math.abs(st.positions[k] - start[k]));
  assert.ok(err < 1e-8, `reversed trajectory ends ${err} Å from the start`);
  assert.equal(st.step, 400);
  assert.equal(st.timeFs, 1600);
});
