/**
 * On-the-fly learning with the learned-charge kinds (api/learnCharges.ts; issue 18 item 4): a run with the bare
 * point-charge reference (Na +1, Cl −1, Ewald) on 8 ions makes reference calls, writes a charge-model file whose
 * predicted charges are the reference's, and a run interrupted and resumed from its checkpoint ends with the same
 * model and log; sr+qeq runs too (its one-frame start fit used to abort on an indefinite QEq matrix).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStructures } from '../../src/host/index.js';
import { resumeLearn, runLearn, type LearnOptions } from '../../src/api/index.js';
import { toyNaClDataset } from '../../src/api/web.js';
import { ChargeModel, QeqModel, parseAnyModel } from '../../src/model/index.js';
import { assertSameLearnRun } from '../helpers/learnRuns.js';

const H = { radial: { nmax: 8, cutoffA: 6 }, angular: { nmax: 4, lmax: 2, cutoffA: 4.5 } };

function options(out: string, kind: string, steps: number, sigmaA?: number): LearnOptions {
  // default threshold (0.02 eV/Å): calls at steps 0, 1 (degenerate one-frame fit), 22 (pending, batch 2) and 25
  return {
    start: toyNaClDataset({ frames: 1, repeat: 1, seed: 3 })[0], // 8 ions, 0.3 Å displacements from rock salt
    reference: { engine: 'point-charges', charges: { Na: 1, Cl: -1 } }, steps, timestepFs: 1, temperatureK: 300, seed: 3, out,
    descriptors: kind,
    config: {
      threshold: { batch: 2, minInterval: 3, historyLength: 5 }, checkpointEvery: 7,
      fit: { descriptorHypers: H, charges: { count: 4, ...(sigmaA ? { sigmaA } : {}) } },
    },
  };
}

test('learn sr+q, point charges ±1 on 8 ions: calls, a charge-model file with charges ±1, resume = uninterrupted run', async () => {
  const a = mkdtempSync(join(tmpdir(), 'ff-learnq-a-'));
  const b = mkdtempSync(join(tmpdir(), 'ff-learnq-b-'));
  try {
    // Gaussian width 0.3 Å: at the Na–Cl distances of the run (> 2 Å) erf(r/2s) = 1 − O(1e-6), so q = ±1, ε = const is
    // an exact model of the reference (E_es is even in q: the sign is a symmetry, only |q| and opposite signs count)
    const full = await runLearn(options(a, 'sr+q', 26, 0.3));
    assert.ok(full.calls >= 3, `calls ${full.calls}`);
    assert.ok(full.chargeModel instanceof ChargeModel && !(full.chargeModel instanceof QeqModel));
    const text = readFileSync(join(a, 'model.json'), 'utf8');
    const model = parseAnyModel(text, 'model.json');
    assert.ok(model instanceof ChargeModel && !(model instanceof QeqModel), 'model.json holds an sr+q charge model');
    assert.equal(JSON.parse(text).body.kind, 'sr+q');
    // tolerance 0.01 e: the reference's charges are exactly ±1; a model that puts the Coulomb energy into ε (q → 0) or
    // splits it between ε and the charges is off by ≫ 0.01. Measured: |q| − 1 ≈ 1e-4 on these 4 frames (0, 1, 22, 25);
    // the frames of a shorter run (0, 1, 4, 7 with a 0.004 eV/Å threshold, 12 steps) leave 0.011 — the data, not the
    // fit, decide how well the 1/r tail is told apart from ε's 6 Å kernel
    const frames = [...readStructures(join(a, 'start.xyz')), ...readStructures(join(a, 'trajectory.xyz')).slice(-1)];
    for (const s of frames) {
      const q = model.calculate(s, { forces: false, stress: false }).charges!;
      const sign = Math.sign(q[s.species.indexOf(s.symbols.indexOf('Na'))]);
      for (let i = 0; i < q.length; i++) {
        const want = sign * (s.symbols[s.species[i]] === 'Na' ? 1 : -1);
        assert.ok(Math.abs(q[i] - want) < 0.01, `atom ${i} (${s.symbols[s.species[i]]}): q = ${q[i]}, want ${want}`);
      }
    }
    // interrupted after a call whose frame is still pending (batch 2), resumed from the checkpoint
    const kill = new Error('simulated kill');
    const steps = readFileSync(join(a, 'log.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const pendingCall = steps.find((r) => Number(r[0]) > 1 && r[6] === '1' && r[7] === '0');
    assert.ok(pendingCall, 'a call left pending before a refit');
    const at = Number(pendingCall[0]) + 1;
    await assert.rejects(runLearn(options(b, 'sr+q', 26, 0.3), { onStep: (row) => { if (row.step === at) throw kill; } }), (e) => e === kill);
    const resumed = await resumeLearn(b);
    assertSameLearnRun(resumed, full, b, a);
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test('learn sr+qeq on 8 ions: the one-frame start fit completes, the run calls and writes a QEq model (Σq = 0)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-learnqeq-'));
  try {
    const r = await runLearn(options(dir, 'sr+qeq', 3));
    assert.ok(r.calls >= 2, `calls ${r.calls}`);
    const model = parseAnyModel(readFileSync(join(dir, 'model.json'), 'utf8'), 'model.json');
    assert.ok(model instanceof QeqModel, 'model.json holds an sr+qeq model');
    const q = model.calculate(readStructures(join(dir, 'start.xyz'))[0], { forces: false, stress: false }).charges!;
    assert.ok(Math.abs(q.reduce((x, y) => x + y, 0)) < 1e-10);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('learn with a charge kind refuses a start model (its descriptor would replace the kind\'s preset)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-learnq-m-'));
  try {
    const o = options(dir, 'sr+q', 2);
    const { fitModel } = await import('../../src/api/index.js');
    const start = await fitModel(toyNaClDataset({ frames: 2, repeat: 1 }), { descriptors: 'sr', descriptorHypers: H }, { onWarning: () => {} });
    await assert.rejects(runLearn({ ...o, startModel: start.model }), /cannot be combined with the learned-charge kind 'sr\+q'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
