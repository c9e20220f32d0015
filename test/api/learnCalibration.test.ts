/**
 * Calibration of the per-atom force σ across a heating ramp (issue 15: rank correlation of predicted vs actual per-atom
 * force error ≥ 0.5 on held-out data). Fumi–Tosi NaCl, 64 ions, rock salt at an expanded lattice heated 600 → 1800 K
 * (md/ramp.ts): an sr+lr model fitted on random frames of one ramp MD predicts the frames of an independent ramp MD.
 * Spearman of |σ_F,i| vs |ΔF_i| over all atoms of the held-out frames (they span the ramp: held-out data across
 * conditions) must be ≥ 0.5. Control (the test's teeth): the same σ values shuffled between the atoms of the set rank
 * nothing (|ρ| < 0.2). The within-frame figure (median over frames of the per-frame ρ, the in-distribution number) is
 * reported in the message, not asserted (≈ 0.3–0.4: one liquid frame's atoms differ too little, docs/uncertainty.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeStructure, Rng } from '../../src/core/index.js';
import { readStructures } from '../../src/host/index.js';
import { relabelStructures, runMolecularDynamics } from '../../src/api/index.js';
import { resolveDescriptor } from '../../src/api/fit.js';
import { perAtomForceCalibration, spearman } from '../../src/analysis/index.js';
import { IncrementalKernelFit } from '../../src/model/index.js';
import { fumiTosiNaCl } from '../../src/reference/index.js';

const H = { sr: { radial: { nmax: 6, cutoffA: 5 }, angular: { nmax: 3, lmax: 2, cutoffA: 4 } } };

function rockSalt64(a: number) {
  const pos: number[] = [], sym: string[] = [];
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) {
    pos.push((i * a) / 2, (j * a) / 2, (k * a) / 2);
    sym.push((i + j + k) % 2 ? 'Cl' : 'Na');
  }
  return makeStructure({ symbols: sym, positions: pos, cell: [2 * a, 0, 0, 0, 2 * a, 0, 0, 0, 2 * a] });
}

test('force σ across a 600 → 1800 K ramp: Spearman per atom of |σ_F,i| vs |ΔF_i| ≥ 0.5 on held-out frames (shuffled σ: none)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-calibration-ramp-'));
  try {
    const common = { calculator: fumiTosiNaCl(), start: rockSalt64(6.1), steps: 400, timestepFs: 2, temperatureK: 600, temperatureEndK: 1800, every: 40 };
    runMolecularDynamics({ ...common, output: join(dir, 'train.xyz'), seed: 1 });
    runMolecularDynamics({ ...common, output: join(dir, 'held.xyz'), seed: 2 });
    const train = relabelStructures(readStructures(join(dir, 'train.xyz')).slice(1), { engine: 'fumi-tosi' });
    const held = relabelStructures(readStructures(join(dir, 'held.xyz')).slice(1), { engine: 'fumi-tosi' });
    const fit = IncrementalKernelFit.create(train.filter((_, k) => k % 2 === 0), { descriptor: resolveDescriptor('sr+lr', ['Na', 'Cl'], H), maxNewReferences: 40 });
    const m = fit.solve();
    const sig: number[] = [], err: number[] = [], perFrame: number[] = [];
    for (const s of held) {
      const p = m.calculate(s, { forces: true, stress: false, uncertainty: true, forceUncertainty: true });
      const { sigma: fs, error: fe } = perAtomForceCalibration(p.uncertainty!.forcesEvPerA!, p.forcesEvPerA!, s.labels.forcesEvPerA!);
      sig.push(...fs);
      err.push(...fe);
      perFrame.push(spearman(fs, fe));
    }
    const rho = spearman(sig, err);
    const shuffled = sig.slice();
    new Rng(3).shuffle(shuffled);
    const control = spearman(shuffled, err);
    perFrame.sort((x, y) => x - y);
    const msg = `ρ over ${sig.length} atoms of ${held.length} frames ${rho.toFixed(3)}; shuffled σ ${control.toFixed(3)}; within frames (median) ${perFrame[perFrame.length >> 1].toFixed(3)}`;
    assert.ok(rho >= 0.5, msg);
    assert.ok(Math.abs(control) < 0.2, msg);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
