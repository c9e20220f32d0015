/**
 * Temperature and pressure ramps (md/ramp.ts): the targets by step number (analytic values), the thermostats follow
 * a heating ramp on Lennard-Jones argon (early blocks near the start temperature, late blocks near the end — a run
 * without the ramp fails), the Berendsen barostat follows a pressure ramp (compresses below the volume of a run held
 * at the start pressure), bad ramps are refused, and the learn loop's split step (api/learnDynamics.ts) is md's
 * integrator with the ramp to rounding, so a learn run heats like `md --temperature A:B`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellVolume } from '../../src/core/index.js';
import { bussi, createIntegrator, langevin, rampBarostat, rampTemperatureK, stateToStructure, temperatureK, type Integrator } from '../../src/md/index.js';
import { applyEvaluation, splitStepper } from '../../src/api/learnDynamics.js';
import { lennardJones } from '../helpers/lj.js';
import { argonFcc } from './argon.js';

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
