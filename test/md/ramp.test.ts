/**
 * Temperature and pressure ramps (md/ramp.ts): the targets by step number (analytic values), the thermostats follow
 * a heating ramp on Lennard-Jones argon (early blocks near the start temperature, late blocks near the end — a run
 * without the ramp fails), the Berendsen barostat follows a pressure ramp (compresses below the volume of a run held
 * at the start pressure), bad ramps are refused, and the learn loop's split step (api/learnDynamics.ts) is md's
 * integrator with the ramp to rounding, so a learn run heats like `md --temperature A:B`. A prescribed density ramp
 * (`--density A:B`): the density after every step is the line's value (a run that ignores the ramp stays at the start
 * density), the thermostat's conserved quantity is conserved again once the density is held, learn's split step follows
 * md's, and bad ramps (NVE, with a barostat, non-positive densities; `--density` with `--pressure`) are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellVolume } from '../../src/core/index.js';
import { bussi, conservedEnergyEv, createIntegrator, densityGcm3, langevin, massesOf, rampBarostat, rampDensityGcm3, rampTemperatureK, stateToStructure, temperatureK, type Integrator } from '../../src/md/index.js';
import { applyEvaluation, splitStepper } from '../../src/api/learnDynamics.js';
import { lennardJones } from '../helpers/lj.js';
import { argonFcc } from './argon.js';
import { parseDynamicsOptions } from '../../src/cli/options.js';

const lj = lennardJones();
const s = argonFcc(2, 5.3, 1);

test('ramp targets: T(n) = T0 + (T1 − T0)·min(n, S)/S, held after S; pressure alike; absent ramp = constant', () => {
  const r = { steps: 100, temperatureEndK: 1800, pressureEndGpa: 3 };
  assert.equal(rampTemperatureK(600, r, 0), 600);
  assert.equal(rampTemperatureK(600, r, 1), 612);
  assert.equal(rampTemperatureK(600, r, 50), 1200);
  assert.equal(rampTemperatureK(600, r, 100), 1800);
  assert.equal(rampTemperatureK(600, r, 250), 1800);
  assert.equal(rampTemperatureK(600, undefined, 50), 600);
  assert.equal(rampTemperatureK(600, { steps: 10, pressureEndGpa: 1 }, 5), 600);
  const b = { pressureGpa: -1, tauFs: 100, compressibilityPerGpa: 0.05 };
  assert.equal(rampBarostat(b, r, 25).pressureGpa, 0);
  assert.equal(rampBarostat(b, r, 100).pressureGpa, 3);
  assert.equal(rampBarostat(b, { steps: 10, temperatureEndK: 5 }, 5), b);
});

function blockMeans(md: Integrator, steps: number, block: number): number[] {
  const st = md.init(s, { temperatureK: 20, seed: 4 });
  const out: number[] = [];
  let acc = 0;
  for (let k = 1; k <= steps; k++) {
    md.step(st);
    acc += temperatureK(st);
    if (k % block === 0) { out.push(acc / block); acc = 0; }
  }
  return out;
}

for (const [name, make] of [['bussi', bussi], ['langevin', langevin]] as const) {
  test(`${name}: the thermostat follows a heating ramp 20 → 120 K (argon)`, () => {
    // τ = 100 fs (bussi) / γ = 0.01 fs⁻¹ (langevin) against a 4000 fs ramp: the lag is ~5 K
    const T = blockMeans(make(lj, { timestepFs: 2, temperatureK: 20, ramp: { steps: 2000, temperatureEndK: 120 } }), 2000, 200);
    const flat = blockMeans(make(lj, { timestepFs: 2, temperatureK: 20 }), 2000, 200);
    const msg = `block means ${T.map((x) => x.toFixed(0)).join(' ')} (no ramp ${flat.map((x) => x.toFixed(0)).join(' ')})`;
    // expected block means: the ramp's value at the block's middle, 20 + 100·(200 k + 100)/2000 = 25, 35, …, 115 K
    for (let k = 0; k < T.length; k++) assert.ok(Math.abs(T[k] - (25 + 10 * k)) < 15, `block ${k}: ${msg}`);
    assert.ok(T[9] > 100 && T[0] < 40, msg);
  });
}

test('barostat follows a pressure ramp: a ramp to higher pressure ends denser than a run held at the start pressure', () => {
  const baro = { pressureGpa: 0, tauFs: 200, compressibilityPerGpa: 0.5 };
  const run = (ramp?: { steps: number; pressureEndGpa: number }): number => {
    const md = bussi(lj, { timestepFs: 2, temperatureK: 40, barostat: baro, ...(ramp ? { ramp } : {}) });
    const st = md.init(s, { temperatureK: 40, seed: 2 });
    for (let k = 0; k < 300; k++) md.step(st);
    return cellVolume(st.cell);
  };
  const held = run(), ramped = run({ steps: 300, pressureEndGpa: 0.3 });
  assert.ok(ramped < 0.97 * held, `volume held at 0 GPa ${held.toFixed(1)} Å³, ramped to 0.3 GPa ${ramped.toFixed(1)} Å³`);
});

test('bad ramps are refused: NVE with a temperature ramp, a pressure ramp without a barostat, steps < 1', () => {
  assert.throws(() => createIntegrator(lj, { kind: 'verlet', timestepFs: 2, ramp: { steps: 10, temperatureEndK: 300 } }), /needs a thermostat/);
  assert.throws(() => createIntegrator(lj, { kind: 'bussi', timestepFs: 2, temperatureK: 10, ramp: { steps: 10, pressureEndGpa: 1 } }), /needs the barostat/);
  assert.throws(() => createIntegrator(lj, { kind: 'bussi', timestepFs: 2, temperatureK: 10, ramp: { steps: 0, temperatureEndK: 30 } }), /ramp.steps/);
  assert.throws(() => createIntegrator(lj, { kind: 'bussi', timestepFs: 2, temperatureK: 10, ramp: { steps: 5, temperatureEndK: -3 } }), /≥ 0 K/);
});

for (const kind of ['bussi', 'langevin'] as const) {
  test(`learn's split step with a temperature + pressure ramp = md ${kind} with the same ramp (to rounding)`, () => {
    const cfg = { kind, timestepFs: 2, temperatureK: 20, barostat: { pressureGpa: 0, tauFs: 200, compressibilityPerGpa: 0.5 }, ramp: { steps: 40, temperatureEndK: 200, pressureEndGpa: 0.2 } };
    const md = createIntegrator(lj, cfg);
    const a = md.init(s, { temperatureK: 20, seed: 7 }), b = md.init(s, { temperatureK: 20, seed: 7 });
    const flat = createIntegrator(lj, { ...cfg, ramp: undefined });
    const c = flat.init(s, { temperatureK: 20, seed: 7 });
    const split = splitStepper(cfg);
    for (let k = 0; k < 60; k++) {
      md.step(a);
      flat.step(c);
      split.before(b);
      const r = lj.calculate(stateToStructure(b), { forces: true, stress: true });
      applyEvaluation(b, r.energyEv, r.forcesEvPerA!, r.stressEvPerA3, 'lj');
      split.after(b);
    }
    const worst = (x: Float64Array, y: Float64Array): number => Math.max(...Array.from(x, (v, k) => Math.abs(v - y[k])));
    assert.ok(worst(a.velocities, c.velocities) > 1e-3, 'the ramp changes the run');
    assert.ok(worst(b.positions, a.positions) <= 1e-9, `positions ${worst(b.positions, a.positions)}`);
    assert.ok(worst(b.velocities, a.velocities) <= 1e-11, `velocities ${worst(b.velocities, a.velocities)}`);
    assert.ok(worst(b.cell, a.cell) <= 1e-9, `cell ${worst(b.cell, a.cell)}`);
  });
}

const massAr = massesOf(s).reduce((a, m) => a + m, 0);
const rhoOf = (cell: Float64Array): number => densityGcm3(massAr, cellVolume(cell));

test('density ramp: ρ(n) = A + (B − A)·min(n, S)/S after every step, start scaled to A, held after S (argon, bussi)', () => {
  // argon fcc a = 5.3 Å: 4·39.948 amu / 148.877 Å³ = 1.782 g/cm³; ramp 1.70 → 1.86 over 100 steps, run 150
  const rho0 = rhoOf(s.cell);
  assert.ok(Math.abs(rho0 - 1.7818) < 1e-3, `start density ${rho0}`);
  const ramp = { steps: 100, densityStartGcm3: 1.7, densityEndGcm3: 1.86 };
  assert.equal(rampDensityGcm3(ramp, 50), 1.78);
  assert.equal(rampDensityGcm3(ramp, 130), 1.86);
  const md = bussi(lj, { timestepFs: 2, temperatureK: 60, ramp });
  const st = md.init(s, { temperatureK: 60, seed: 3 });
  assert.ok(Math.abs(rhoOf(st.cell) - 1.7) < 1e-12, `init density ${rhoOf(st.cell)}`);
  assert.ok(Math.abs(rhoOf(s.cell) - rho0) < 1e-15, 'init does not modify the structure');
  for (let n = 1; n <= 150; n++) {
    md.step(st);
    const want = 1.7 + 0.16 * Math.min(n, 100) / 100;
    assert.ok(Math.abs(rhoOf(st.cell) - want) < 1e-12, `step ${n}: density ${rhoOf(st.cell)}, want ${want}`);
  }
  // a state whose cell moved off the line (e.g. resumed from elsewhere) lands on the line at the next step: absolute
  for (let k = 0; k < 9; k++) st.cell[k] *= 1.01;
  for (let k = 0; k < st.positions.length; k++) st.positions[k] *= 1.01;
  md.step(st);
  assert.ok(Math.abs(rhoOf(st.cell) - 1.86) < 1e-12, `after a perturbed cell: ${rhoOf(st.cell)}`);
});

test('density ramp: K + U − heat is conserved again once the density is held (bussi, argon; the scaling does work only during the ramp)', () => {
  const md = bussi(lj, { timestepFs: 2, temperatureK: 60, ramp: { steps: 100, densityStartGcm3: 1.7, densityEndGcm3: 1.86 } });
  const st = md.init(s, { temperatureK: 60, seed: 5 });
  const e0 = conservedEnergyEv(st);
  for (let n = 0; n < 100; n++) md.step(st);
  const eRamp = conservedEnergyEv(st);
  let worst = 0;
  for (let n = 0; n < 300; n++) { md.step(st); worst = Math.max(worst, Math.abs(conservedEnergyEv(st) - eRamp)); }
  const N = s.species.length;
  // during the compression the work on the system moves E_c (its size: many times the held-phase excursion)
  assert.ok(Math.abs(eRamp - e0) / N > 10 * worst / N, `ramp moved E_c by ${((eRamp - e0) / N).toExponential(2)} eV/atom, held excursion ${(worst / N).toExponential(2)}`);
  assert.ok(worst / N < 2e-4, `held: |E_c − E_c(ramp end)| ≤ ${(worst / N).toExponential(2)} eV/atom`);
});

test('bad density ramps are refused: NVE, with a barostat, non-positive or missing densities; --density with --pressure', () => {
  const r = { steps: 10, densityStartGcm3: 1.7, densityEndGcm3: 1.8 };
  assert.throws(() => createIntegrator(lj, { kind: 'verlet', timestepFs: 2, ramp: r }), /needs a thermostat/);
  assert.throws(() => createIntegrator(lj, { kind: 'bussi', timestepFs: 2, temperatureK: 10, barostat: { pressureGpa: 0, tauFs: 100, compressibilityPerGpa: 0.05 }, ramp: r }), /cannot be combined with the barostat/);
  assert.throws(() => createIntegrator(lj, { kind: 'bussi', timestepFs: 2, temperatureK: 10, ramp: { ...r, densityEndGcm3: -1 } }), /densities > 0/);
  assert.throws(() => createIntegrator(lj, { kind: 'bussi', timestepFs: 2, temperatureK: 10, ramp: { steps: 10, densityStartGcm3: 1.7 } }), /ramp A:B/);
  assert.throws(() => createIntegrator(lj, { kind: 'langevin', timestepFs: 2, temperatureK: 10, ramp: { ...r, densityStartGcm3: Number.NaN } }), /densities > 0/);
  const cli = { dt: '2', temperature: '300', thermostat: 'bussi', tau: '100', friction: '0.01', seed: '1', pressureTau: '1000', compressibility: '0.05' };
  assert.deepEqual(parseDynamicsOptions({ ...cli, density: '1.4725:1.6275' }).densityGcm3, [1.4725, 1.6275]);
  assert.deepEqual(parseDynamicsOptions({ ...cli, density: '1.5' }).densityGcm3, [1.5, 1.5]);
  assert.throws(() => parseDynamicsOptions({ ...cli, density: '1.5:0' }), /densities > 0/);
  assert.throws(() => parseDynamicsOptions({ ...cli, density: '1.5:x' }), /--density/);
  assert.throws(() => parseDynamicsOptions({ ...cli, density: '1.5:1.6', pressure: '0' }), /cannot be combined with --pressure/);
});

test("learn's split step with a temperature + density ramp = md bussi with the same ramp (to rounding)", () => {
  const cfg = { kind: 'bussi', timestepFs: 2, temperatureK: 20, ramp: { steps: 40, temperatureEndK: 100, densityStartGcm3: 1.7, densityEndGcm3: 1.86 } };
  const md = createIntegrator(lj, cfg);
  const a = md.init(s, { temperatureK: 20, seed: 7 }), b = md.init(s, { temperatureK: 20, seed: 7 });
  const split = splitStepper(cfg);
  for (let k = 0; k < 60; k++) {
    md.step(a);
    split.before(b);
    const r = lj.calculate(stateToStructure(b), { forces: true });
    applyEvaluation(b, r.energyEv, r.forcesEvPerA!, undefined, 'lj');
    split.after(b);
  }
  const worst = (x: Float64Array, y: Float64Array): number => Math.max(...Array.from(x, (v, k) => Math.abs(v - y[k])));
  assert.ok(Math.abs(rhoOf(b.cell) - 1.86) < 1e-12, `split-step density ${rhoOf(b.cell)}`);
  assert.ok(worst(b.positions, a.positions) <= 1e-9, `positions ${worst(b.positions, a.positions)}`);
  assert.ok(worst(b.cell, a.cell) <= 1e-12, `cell ${worst(b.cell, a.cell)}`);
});
