/**
 * KernelModel's trajectory workspace (issue 14 item 3): off by default (a prediction does not depend on what the model
 * computed before: bit-identical whatever came first); `withTrajectoryWorkspace` gives the model one for the run and
 * drops it after; along a trajectory the energies, forces and stress with the workspace equal those without to
 * round-off while the neighbour lists are rebuilt only a few times; MD computes its step 0 in the run's workspace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, type Structure } from '../../src/core/index.js';
import { runMolecularDynamics, withTrajectoryWorkspace } from '../../src/api/index.js';
import { randomSrModel, randomStructure } from './helpers/data.js';
import { maxRelativeDifference } from '../helpers/invariance.js';

const model = randomSrModel;

const maxRel = maxRelativeDifference;

test('kernel model: no workspace by default, results independent of history (bit-identical)', () => {
  const rng = new Rng(1), a = model(), b = model();
  assert.equal(a.workspace, null);
  const s = randomStructure(rng, 32, 9, ['Na', 'Cl'], 2.0);
  for (let k = 0; k < 3; k++) a.calculate({ ...s, positions: Float64Array.from(s.positions, (x) => x + 0.01 * k) });
  const ra = a.calculate(s), rb = b.calculate(s);
  assert.equal(ra.energyEv, rb.energyEv);
  assert.deepEqual(Array.from(ra.forcesEvPerA!), Array.from(rb.forcesEvPerA!));
});

test('withTrajectoryWorkspace: a workspace for the run (few rebuilds, same results to round-off), dropped after', () => {
  const rng = new Rng(2), m = model(), ref = model();
  let s: Structure = randomStructure(rng, 32, 9, ['Na', 'Cl'], 2.0);
  const rebuilds = withTrajectoryWorkspace(m, () => {
    assert.ok(m.workspace !== null);
    for (let step = 0; step < 10; step++) {
      const a = m.calculate(s), b = ref.calculate(s);
      assert.ok(Math.abs(a.energyEv - b.energyEv) < 1e-12 * Math.abs(b.energyEv), `step ${step}: energy`);
      assert.ok(maxRel(a.forcesEvPerA!, b.forcesEvPerA!) < 1e-11, `step ${step}: forces`);
      assert.ok(maxRel(a.stressEvPerA3!, b.stressEvPerA3!) < 1e-11, `step ${step}: stress`);
      s = { ...s, positions: Float64Array.from(s.positions, (x) => x + rng.range(-0.02, 0.02)) };
    }
    return m.workspace!.rebuilds;
  });
  assert.equal(m.workspace, null, 'dropped after the run');
  // radial and angular cutoffs: one skin build each when the trajectory is first seen (≤ 0.035 Å per step never
  // exhausts skin/2 = 0.5 Å in 10 steps)
  assert.equal(rebuilds, 2);
});

test('runMolecularDynamics computes step 0 in the run\'s workspace too (one set of list buffers for the run), drops it after', () => {
  const rng = new Rng(3), m = model();
  const s = randomStructure(rng, 32, 9, ['Na', 'Cl'], 2.0);
  const calls: boolean[] = [];
  const calc = m.calculate.bind(m);
  m.calculate = (x, o) => { calls.push(m.workspace !== null); return calc(x, o); };
  runMolecularDynamics({ calculator: m, start: s, steps: 3, timestepFs: 0.5, temperatureK: 100, thermostat: 'nve', logEvery: 1000 });
  assert.deepEqual(calls, [true, true, true, true], 'steps 0–3 with the workspace');
  assert.equal(m.workspace, null, 'dropped after the run');
});
