/**
 * `fit.finalRefit` (learnConfig.ts): at the end of a learn run the whole training set is refitted in one batch, as an
 * offline fit would, with as many references per species as the run selected — checked against a fresh incremental
 * fit of the training frames the run wrote (re-read from their extended-XYZ text), and refused when not a boolean.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateLearnConfig } from '../../src/api/index.js';
import { LearnSession, builtinLabeller, type LearnRunSpec, type LearnSink } from '../../src/api/learnSession.js';
import { resolveDescriptor } from '../../src/api/fit.js';
import { toyNaClDataset } from '../../src/api/web.js';
import { parseXyzText } from '../../src/io/index.js';
import { IncrementalKernelFit, type KernelModel } from '../../src/model/index.js';

const H = { radial: { nmax: 6, cutoffA: 5 }, angular: { nmax: 3, lmax: 2, cutoffA: 4 } };

async function run(finalRefit: boolean): Promise<{ model: KernelModel; texts: string[]; selected: number[]; refits: number }> {
  const texts: string[] = [];
  const sink: LearnSink = { training: (t) => texts.push(t), log: () => {}, frame: () => {}, model: () => {}, checkpoint: () => {} };
  const spec: LearnRunSpec = {
    reference: { engine: 'fumi-tosi' }, steps: 30, timestepFs: 2, temperatureK: 600, thermostat: 'bussi', tauFs: 100, frictionPerFs: 0.01, seed: 2,
    descriptors: 'sr', descriptorHypers: H, seedFrames: 0,
    config: { threshold: { initialEvPerA: 1e-6, batch: 2, minInterval: 6 }, fit: { maxNewReferences: 3, finalRefit, rebuild: 'never' } },
  };
  const S = await LearnSession.start(spec, toyNaClDataset({ frames: 1 })[0], [], builtinLabeller('fumi-tosi'), sink);
  while (!S.done) await S.step();
  const model = S.finish();
  return { model, texts, selected: S.fit!.selectedReferenceCounts(), refits: S.counters.refits };
}

test('finalRefit: the final model is the one-batch fit of every training frame with the run\'s reference count', async () => {
  const inc = await run(false);
  const fin = await run(true);
  assert.deepEqual(fin.texts, inc.texts, 'the run itself is unchanged');
  assert.ok(fin.refits >= 3 && fin.texts.length >= 4, `${fin.refits} refits, ${fin.texts.length} frames`);
  const frames = fin.texts.flatMap((t) => parseXyzText(t, 'training.xyz'));
  const offline = IncrementalKernelFit.create(frames, {
    descriptor: resolveDescriptor('sr', ['Na', 'Cl'], H), maxNewReferences: Math.max(...fin.selected), minDistance: 1e-3, maxReferences: 1000,
  }).solve();
  assert.equal(fin.model.params.training!.structures, frames.length);
  assert.deepEqual(Array.from(fin.model.weights), Array.from(offline.weights));
  assert.notDeepEqual(Array.from(inc.model.weights), Array.from(fin.model.weights), 'the incremental model differs');
});

test('finalRefit must be a boolean', () => {
  assert.throws(() => validateLearnConfig({ fit: { finalRefit: 'yes' } }), /fit\.finalRefit must be true or false/);
  assert.deepEqual(validateLearnConfig({ fit: { finalRefit: true } }), { fit: { finalRefit: true } });
});
