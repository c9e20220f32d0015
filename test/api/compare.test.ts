/**
 * compareModels on a tiny labelled set: identical nested splits for every model, the validation split is carved
 * from the pool (disjoint from test and training), the LODE weight is tuned on it and recorded, metrics are
 * reported in meV units, the report is written (the CLI shell: test/cli/compare.test.ts). sr+q's charge
 * width is chosen on the validation split (the labels' true width wins; validation ∩ test = ∅) — here on a two-width
 * smoke grid, the full width × force-weight grid nightly (compareCharges.nightly.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/index.js';
import { compareModels, type CompareResults } from '../../src/api/index.js';
import { ElectrostaticsCalculator, gaussianKernel } from '../../src/electrostatics/index.js';
import { label, morseCalculator, randomStructure } from '../model/helpers/data.js';

// A small sr descriptor (75 columns instead of 568): what is checked here (splits, tuning, reports, which label is
// learned, which width wins) holds by wide margins with it, and the file costs about 10 CPU s less.
const H = { radial: { nmax: 6, cutoffA: 5 }, angular: { nmax: 3, lmax: 2, cutoffA: 4 } };
const rng = new Rng(11);
const data = label(Array.from({ length: 12 }, () => randomStructure(rng, 8, 6.5, ['Na', 'Cl'], 2.0)), morseCalculator());

test('compareModels: shared splits, tuned LODE weight from validation, metrics, parity data, report files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-compare-'));
  try {
    const stages: string[] = [];
    const { results, written } = await compareModels({
      data, dataName: 'tiny.xyz', models: ['sr', 'sr+lode'], trainSizes: [3, 6, 50], seed: 3, testFraction: 0.25, validationSize: 2,
      lodeWeights: [0.1, 1], fit: { selection: { count: 6 } }, descriptorHypers: { sr: H, 'sr+lode': { sr: H } }, out: join(dir, 'rep'), onStage: (s) => stages.push(s),
    });
    assert.deepEqual(results.trainSizes, [3, 6]);
    assert.match(results.notes[0], /training sizes 50 skipped: the training pool has only 7 structures/);
    assert.equal(results.dataset.test.structures, 3);
    assert.equal(results.dataset.split.validationSize, 2);
    assert.equal(results.runs.length, 4);
    assert.equal(stages.filter((s) => s.startsWith('tuning')).length, 2);
    const t = results.hyperparameters.tuned[0];
    assert.equal(t.model, 'sr+lode');
    assert.deepEqual(t.tried.map((x) => x.value), [0.1, 1]);
    assert.equal(t.chosen, t.tried.reduce((a, b) => (b.score < a.score ? b : a)).value);
    const lode = results.hyperparameters.perModel['sr+lode'] as { descriptor: { kind: string }; kernel: { kind: string }; tuned: Record<string, number> };
    assert.equal(lode.descriptor.kind, 'composite');
    assert.ok(lode.kernel.kind);
    assert.deepEqual(lode.tuned, { lodeWeight: t.chosen });
    for (const r of results.runs) {
      assert.ok(r.energy && r.forces && r.energy.rmse > 0 && r.forces.rmse > 0);
      assert.equal(r.energy.count, 3);
      assert.equal(r.forces.count, 3 * 8 * 3);
      assert.ok(r.fitTimeS > 0);
      assert.deepEqual(Object.keys(r.references!).sort(), ['Cl', 'Na']);
    }
    assert.equal(results.parity.length, 2);
    const p = results.parity[0];
    assert.equal(p.trainSize, 6);
    assert.equal(p.forces.total, 72);
    assert.equal(p.forceErrorsBySpecies.Na.length + p.forceErrorsBySpecies.Cl.length, 72);
    // The parity RMSE equals the run's RMSE (all points kept here): same predictions, same units.
    const rms = Math.sqrt(p.forces.ref.reduce((s, r, i) => s + (p.forces.pred[i] - r) ** 2, 0) / 72) * 1000;
    assert.ok(Math.abs(rms - results.runs[1].forces!.rmse) < 1e-9 * rms);
    const json = JSON.parse(readFileSync(written!.json, 'utf8')) as CompareResults;
    assert.equal(json.runs.length, 4);
    assert.match(readFileSync(written!.html, 'utf8'), /data-kind="learning-curve"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('compareModels --energy-key / --targets: learns the info key, not the garbage energy label; report records them; missing key names file and frame', async () => {
  const r2 = new Rng(5);
  // `energy` is garbage (±20 eV noise), `my_energy` is the Morse energy the forces belong to.
  const frames = label(Array.from({ length: 20 }, () => randomStructure(r2, 8, 6.5, ['Na', 'Cl'], 2.0)), morseCalculator()).map((s) => ({
    ...s, info: { ...s.info, my_energy: s.labels.energyEv! }, labels: { ...s.labels, energyEv: s.labels.energyEv! + r2.range(-20, 20) },
  }));
  const base = { data: frames, dataName: 'garbage.xyz', models: ['sr'], trainSizes: [15], seed: 2, testFraction: 0.25, fit: { selection: { count: 20 } }, descriptorHypers: { sr: H } };
  const good = await compareModels({ ...base, energyKey: 'my_energy', targets: ['energy', 'forces'] });
  const bad = await compareModels({ ...base, targets: ['energy', 'forces'] });
  const eGood = good.results.runs[0].energy!, eBad = bad.results.runs[0].energy!;
  // Against the garbage label nothing is learnable (RMSPE near 100 %); against my_energy the error is a small fraction.
  // The noise has std 20/√3 eV per 8 atoms ≈ 1440 meV/atom: the garbage label cannot be predicted better than that,
  // while the fit to my_energy (forces consistent with it) must land far below the noise level.
  assert.ok(eBad.rmse > 700, `garbage energy RMSE ${eBad.rmse} meV/atom`);
  assert.ok(eGood.rmse < 100, `my_energy RMSE ${eGood.rmse} meV/atom`);
  assert.ok(eGood.rmse < eBad.rmse / 10);
  assert.equal(good.results.runs[0].stress, null, 'stress not targeted → not evaluated');
  assert.deepEqual(good.results.dataset.labels, { energyKey: 'my_energy', targets: ['energy', 'forces'] });
  assert.deepEqual(good.results.hyperparameters.common.weights, { energy: 1, forces: 1, stress: 0 });
  assert.equal(good.results.dataset.train.labels.stress, 0);
  assert.equal(frames[0].labels.stressEvPerA3 !== undefined, true, 'input structures untouched');

  const dir = mkdtempSync(join(tmpdir(), 'ff-compare-key-'));
  try {
    const eOnly = await compareModels({ ...base, energyKey: 'my_energy', targets: ['energy'], out: join(dir, 'rep') });
    assert.equal(eOnly.results.runs[0].forces, null);
    assert.ok(eOnly.results.runs[0].energy!.count > 0);
    assert.match(readFileSync(eOnly.written!.html, 'utf8'), /data-kind="labels">Labels fitted and evaluated: energy \(from the info key <code>my_energy<\/code>\); not used: forces, stress\./);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const holed = frames.map((s, k) => (k === 7 ? { ...s, info: { tag: 1 } } : s));
  await assert.rejects(compareModels({ ...base, data: holed, energyKey: 'my_energy' }), /compare: garbage\.xyz: frame 7 has no 'my_energy' \(the energy key\)/);
  await assert.rejects(compareModels({ ...base, test: holed, testName: 't.xyz', energyKey: 'my_energy' }), /t\.xyz: frame 7 has no 'my_energy'/);
  await assert.rejects(compareModels({ ...base, energyKey: 'my_energy', targets: ['forces'] }), /energy key \('my_energy'\) is given but energy is not among the targets/);
  await assert.rejects(compareModels({ ...base, targets: ['energy', 'virial' as 'stress'] }), /unknown target 'virial'/);
});

test('compareModels sr+q (smoke; the full grid is compareCharges.nightly.test.ts): of widths 0.3 and 0.8 Å the labels\' true 0.8 wins on the validation split; validation frames are never test frames', async () => {
  // Labels: Gaussian charges ±0.8 e of width s = 0.8 Å, nothing else. Only the s = 0.8 Å model contains the labels'
  // long-range physics exactly, so it must score lowest (an independent reason).
  const r2 = new Rng(5);
  const q = new ElectrostaticsCalculator({ charges: { Na: 0.8, Cl: -0.8 }, kernel: gaussianKernel({ sigmaA: Math.SQRT2 * 0.8 }), accuracy: 1e-8 });
  const frames = label(Array.from({ length: 14 }, () => randomStructure(r2, 8, 7, ['Na', 'Cl'], 1.8)), q).map((s, k) => ({ ...s, info: { ...s.info, frame: k } }));
  const stages: string[] = [];
  const { results } = await compareModels({
    data: frames, models: ['sr+q'], trainSizes: [8], seed: 2, testFraction: 0.2, validationSize: 3,
    chargeWidths: [0.3, 0.8], chargeForceWeights: [1], descriptorHypers: { 'sr+q': H },
    fit: { selection: { count: 12 }, threads: 1, charges: { count: 4, seed: 2, iterations: 20, tolerance: 1e-6, accuracy: 1e-5 } },
    onStage: (s) => stages.push(s),
  });
  assert.equal(stages.filter((s) => s.startsWith('tuning sr+q')).length, 2);
  const w = results.hyperparameters.tuned.find((t) => t.parameter === 'charges.sigmaA')!;
  assert.equal(w.grid!.length, 2);
  const best = w.grid!.reduce((a, b) => (b.score < a.score ? b : a));
  assert.equal(w.chosen, best.values['charges.sigmaA']);
  assert.equal(w.chosen, 0.8, `grid scores: ${JSON.stringify(w.grid)}`);
  for (const g of w.grid!) assert.ok(Math.abs(g.energyRmspe! + g.forceRmspe! - g.score) <= 1e-12 * g.score);
  const sc = Object.fromEntries(w.tried.map((x) => [x.value, x.score]));
  assert.ok(sc[0.8] < 0.5 * sc[0.3], JSON.stringify(sc));
  assert.equal((results.hyperparameters.perModel['sr+q'] as { tuned: Record<string, number> }).tuned['charges.sigmaA'], 0.8);
  const sp = results.dataset.split;
  assert.equal(sp.validationFrames!.length, 3);
  for (const i of sp.validationFrames!) assert.ok(!sp.testFrames!.includes(i), `validation frame ${i} is a test frame`);
  assert.equal(results.runs.length, 1);
  assert.equal(results.runs[0].energy!.count, 3);
});
