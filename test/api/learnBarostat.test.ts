/**
 * `learn --pressure` and `md --pressure`: md's Berendsen barostat inside the split MD step of on-the-fly learning (learnDynamics.ts).
 * - The split step with the barostat, evaluated by Fumi–Tosi in between, is md's own Bussi + Berendsen integrator
 *   to rounding (positions, velocities, cell) — the operator order is md's, so md's density-relaxation test covers it.
 * - A learn run at 2 GPa with the Fumi–Tosi reference changes the cell (training frames and trajectory carry it), an
 *   interrupted run resumes to the same log and model (the cell and stress are part of the checkpoint), and the stress
 *   the barostat reads from the learned model is the finite-difference strain derivative of its energy (virial
 *   consistency), as for the reference.
 * - `runMolecularDynamics` with `barostat` (md --pressure) scales the cell: denser at 5 GPa than at −2 GPa.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cellVolume } from '../../src/core/index.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStructures } from '../../src/host/index.js';
import { createIntegrator, stateToStructure } from '../../src/md/index.js';
import { fumiTosiNaCl } from '../../src/reference/index.js';
import { resumeLearn, runLearn, runMolecularDynamics, type LearnOptions } from '../../src/api/index.js';
import { applyEvaluation, splitStepper } from '../../src/api/learnDynamics.js';
import { checkCalculator } from '../helpers/gradient.js';
import { sharedPath, skipWithoutShared } from '../helpers/paths.js';

const BARO = { pressureGpa: 2, tauFs: 200, compressibilityPerGpa: 0.05 };

test('split step with the barostat = md bussi + Berendsen (to rounding)', { skip: skipWithoutShared() }, () => {
  const s = readStructures(sharedPath('fixtures', 'nacl-melt-64.xyz'))[0];
  // one calculator per trajectory: a rigid-ion calculator keeps a skinned pair list from call to call, equal to a
  // fresh list only to rounding (pair order), so the two runs agree to rounding, not bit for bit; the check is still
  // sharp: a barostat τ off by 0.1 % moves the cell by 3e-6 relative after 15 steps, 10⁴× the tolerance
  const ft = fumiTosiNaCl();
  const cfg = { kind: 'bussi', timestepFs: 2, temperatureK: 1200, tauFs: 100, barostat: BARO };
  const md = createIntegrator(fumiTosiNaCl(), cfg);
  const a = md.init(s, { temperatureK: 1200, seed: 7 }), b = md.init(s, { temperatureK: 1200, seed: 7 });
  const split = splitStepper(cfg);
  for (let k = 0; k < 15; k++) {
    md.step(a);
    split.before(b);
    const r = ft.calculate(stateToStructure(b), { forces: true, stress: true });
    applyEvaluation(b, r.energyEv, r.forcesEvPerA!, r.stressEvPerA3, 'fumi-tosi');
    split.after(b);
  }
  assert.notDeepEqual(Array.from(a.cell), Array.from(s.cell), 'the barostat moved the cell');
  const close = (x: Float64Array, y: Float64Array, what: string): void => {
    const scale = Math.max(...Array.from(y, Math.abs));
    const worst = Math.max(...Array.from(x, (v, k) => Math.abs(v - y[k])));
    assert.ok(worst <= 1e-10 * scale, `${what}: largest difference ${worst} (scale ${scale})`);
  };
  close(b.cell, a.cell, 'cell');
  close(b.positions, a.positions, 'positions');
  close(b.velocities, a.velocities, 'velocities');
});

const H = { radial: { nmax: 6, cutoffA: 5 }, angular: { nmax: 3, lmax: 2, cutoffA: 4 } };

function options(out: string): LearnOptions {
  return {
    start: readStructures(sharedPath('fixtures', 'nacl-melt-64.xyz'))[0], steps: 14, timestepFs: 2, temperatureK: 1200, seed: 3, out,
    reference: { engine: 'fumi-tosi' }, descriptors: 'sr', descriptorHypers: H, barostat: BARO,
    config: { threshold: { batch: 2, minInterval: 3 }, fit: { maxNewReferences: 3 }, checkpointEvery: 4 },
  };
}

test('learn --pressure: the cell follows the barostat; resume is exact; the model stress is its strain derivative', { skip: skipWithoutShared() }, async () => {
  const a = mkdtempSync(join(tmpdir(), 'ff-learn-npt-a-'));
  const b = mkdtempSync(join(tmpdir(), 'ff-learn-npt-b-'));
  try {
    const full = await runLearn(options(a));
    const start = options(a).start;
    const traj = readStructures(join(a, 'trajectory.xyz'));
    assert.notDeepEqual(Array.from(traj.at(-1)!.cell), Array.from(start.cell));
    const training = readStructures(join(a, 'training.xyz'));
    assert.ok(training.some((f) => f.cell[0] !== start.cell[0]), 'labelled frames carry the barostat cell');
    const kill = new Error('simulated kill');
    await assert.rejects(runLearn(options(b), { onStep: (row) => { if (row.step === 9) throw kill; } }), (e) => e === kill);
    const resumed = await resumeLearn(b);
    for (const f of ['log.csv', 'training.xyz', 'trajectory.xyz']) assert.equal(readFileSync(join(b, f), 'utf8'), readFileSync(join(a, f), 'utf8'), f);
    assert.deepEqual(Array.from(resumed.model.weights), Array.from(full.model.weights));
    checkCalculator(full.model, traj.at(-1)!, { h: 1e-5, strainH: 1e-5, rtol: 1e-6, components: [0, 7], strainComponents: [0, 4, 8, 1] });
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test('md with a barostat (md --pressure): the cell follows P₀ — denser at 5 GPa than at −2 GPa', { skip: skipWithoutShared() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-md-npt-'));
  try {
    const start = readStructures(sharedPath('fixtures', 'nacl-melt-64.xyz'))[0];
    const volume = (p: number): number => {
      const out = join(dir, `p${p}.xyz`);
      runMolecularDynamics({ calculator: fumiTosiNaCl(), start, steps: 40, timestepFs: 2, temperatureK: 1200, seed: 2, every: 40, output: out,
        barostat: { pressureGpa: p, tauFs: 100, compressibilityPerGpa: 0.05 } });
      return cellVolume(readStructures(out).at(-1)!.cell);
    };
    const v0 = cellVolume(start.cell), hi = volume(5), lo = volume(-2);
    assert.ok(hi < v0 && lo > hi, `volumes: start ${v0}, 5 GPa ${hi}, −2 GPa ${lo}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
