/**
 * Nightly (seven sr+q fits with charge learning): compareModels sr+q chooses the charge width × force weight on the
 * validation split = the lowest validation score, the labels' true width wins clearly over a narrower and a wider
 * one, and validation frames are training-pool frames, never test frames. compare.test.ts keeps a two-width smoke of
 * the same choice in the default set.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.js';
import { compareModels } from '../../src/api/index.js';
import { ElectrostaticsCalculator, gaussianKernel } from '../../src/electrostatics/index.js';
import { label, randomStructure } from '../model/helpers/data.js';


test('compareModels sr+q: charge width (× force weight) chosen on the validation split = lowest validation score, the labels\' true width wins; validation frames are training-pool frames, never test frames', async () => {
  // Labels: Gaussian charges ±0.8 e of width s = 0.8 Å, nothing else. Only the grid's s = 0.8 Å
  // model contains the labels' long-range physics exactly, so it must score lowest (an independent reason).
  const r2 = new Rng(5);
  const q = new ElectrostaticsCalculator({ charges: { Na: 0.8, Cl: -0.8 }, kernel: gaussianKernel({ sigmaA: Math.SQRT2 * 0.8 }), accuracy: 1e-8 });
  const frames = label(Array.from({ length: 14 }, () => randomStructure(r2, 8, 7, ['Na', 'Cl'], 1.8)), q).map((s, k) => ({ ...s, info: { ...s.info, frame: k } }));
  const stages: string[] = [];
  const { results } = await compareModels({
    data: frames, models: ['sr+q'], trainSizes: [8], seed: 2, testFraction: 0.2, validationSize: 3,
    chargeWidths: [0.3, 0.8, 2.4], chargeForceWeights: [0.5, 1],
    fit: { selection: { count: 12 }, threads: 1, charges: { count: 4, seed: 2, iterations: 20, tolerance: 1e-6, accuracy: 1e-5 } },
    onStage: (s) => stages.push(s),
  });
  assert.equal(stages.filter((s) => s.startsWith('tuning sr+q')).length, 6);
  const [w, f] = results.hyperparameters.tuned;
  assert.equal(w.parameter, 'charges.sigmaA');
  assert.equal(f.parameter, 'weights.forces');
  assert.equal(w.grid!.length, 6);
  const best = w.grid!.reduce((a, b) => (b.score < a.score ? b : a));
  assert.equal(w.chosen, best.values['charges.sigmaA']);
  assert.equal(f.chosen, best.values['weights.forces']);
  assert.equal(w.chosen, 0.8, `grid scores: ${JSON.stringify(w.grid)}`);
  for (const g of w.grid!) assert.ok(Math.abs(g.energyRmspe! + g.forceRmspe! - g.score) <= 1e-12 * g.score);
  // The width's profile score of 0.8 Å is clearly below the others.
  const sc = Object.fromEntries(w.tried.map((x) => [x.value, x.score]));
  assert.ok(sc[0.8] < 0.5 * Math.min(sc[0.3], sc[2.4]), JSON.stringify(sc));
  // The reported run uses the choice.
  assert.deepEqual((results.hyperparameters.perModel['sr+q'] as { tuned: Record<string, number> }).tuned, { 'charges.sigmaA': 0.8, 'weights.forces': f.chosen });
  const sp = results.dataset.split;
  assert.equal(sp.validationSize, 3);
  assert.equal(sp.validationFrames!.length, 3);
  assert.equal(sp.testFrames!.length, 3);
  for (const i of sp.validationFrames!) assert.ok(!sp.testFrames!.includes(i), `validation frame ${i} is a test frame`);
  assert.equal(results.runs.length, 1);
  assert.equal(results.runs[0].energy!.count, 3);
});
