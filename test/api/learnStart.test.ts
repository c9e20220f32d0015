/**
 * The start and the pacing of on-the-fly learning (learnThreshold.ts): the automatic initial threshold
 * (`initialFromSteps`: no force-criterion call until k exact σ_max of usable models are known, then their mean) and
 * the call budget (`callBudget` N: calls released linearly over the run, safety calls exempt).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveThreshold, validateLearnConfig } from '../../src/api/learnConfig.js';
import { budgetAllows, decideCall, initialThresholdState, observeProbe, recordCall, resetForNewModel, updateThreshold } from '../../src/api/learnThreshold.js';
import { LearnSession, builtinLabeller, type LearnLogRow, type LearnRunSpec, type LearnSink } from '../../src/api/learnSession.js';
import { toyNaClDataset } from '../../src/api/web.js';

const H = { radial: { nmax: 8, cutoffA: 6 }, angular: { nmax: 4, lmax: 2, cutoffA: 4.5 } };

test('automatic initial threshold: no force-criterion call while probing, then the mean of the first k σ_max', () => {
  const c = resolveThreshold({ initialFromSteps: 3, minInterval: 1, historyLength: 2, energyFactor: 0 });
  const st = initialThresholdState(c);
  assert.equal(st.thresholdEvPerA, 0);
  assert.equal(decideCall(st, c, 5, 10, true), 'model'); // the first step of a model: nothing to compare with
  assert.equal(decideCall(st, c, 5, NaN, true), 'call-now'); // safety: no σ
  assert.equal(decideCall(st, c, 5, 0.01, true, 1), 'call-now'); // safety: the energy ceiling (0.1 eV/atom)
  assert.equal(decideCall(st, c, 5, 0.01, false), 'call-now'); // no usable model
  recordCall(st, c, 1, 0.5);
  recordCall(st, c, 2, 0.7);
  assert.equal(updateThreshold(st, c), false, 'no history update while probing');
  assert.equal(observeProbe(st, c, 0.1), false);
  assert.equal(observeProbe(st, c, NaN), false); // not a measurement
  assert.equal(decideCall(st, c, 5, 0.19, true), 'model'); // below 2 × the probe's least (0.1): no candidate while probing
  assert.equal(decideCall(st, c, 5, 0.21, true), 'call-now'); // the emergency brake against the probe's least σ_max
  resetForNewModel(st); // a refit: the probe restarts (the threshold is the σ level of the model that drives MD)
  assert.equal(st.probe?.length, 0);
  assert.equal(observeProbe(st, c, 0.1), false);
  assert.equal(observeProbe(st, c, 0.2), false);
  assert.equal(decideCall(st, c, 5, 0.25, true), 'call-now'); // growing σ: above 2 × the least (0.1), below 2 × the mean (0.15)
  assert.equal(observeProbe(st, c, 0.3), true);
  assert.ok(Math.abs(st.thresholdEvPerA - 0.2) < 1e-15);
  assert.equal(st.probe, undefined);
  assert.equal(observeProbe(st, c, 5), false); // set once
  assert.equal(decideCall(st, c, 5, 0.25, true), 'call');
  assert.equal(decideCall(st, c, 5, 0.45, true), 'call-now');
  assert.equal(decideCall(st, c, 5, 0.15, true), 'model');
  // off (default): the configured initial value
  assert.equal(initialThresholdState(resolveThreshold({ initialEvPerA: 0.07 })).thresholdEvPerA, 0.07);
});

test('call budget: force- and energy-criterion calls released linearly over the run; safety calls exempt', () => {
  const c = resolveThreshold({ initialEvPerA: 0.1, callBudget: 11, minInterval: 1, energyFactor: 0 });
  const st = initialThresholdState(c);
  // 11 calls over 100 steps: the k-th call after step 0 is admitted from step 10·k on
  assert.equal(budgetAllows(c, 9, { calls: 1, steps: 100 }), false);
  assert.equal(budgetAllows(c, 10, { calls: 1, steps: 100 }), true);
  assert.equal(budgetAllows(c, 59, { calls: 6, steps: 100 }), false);
  assert.equal(budgetAllows(c, 60, { calls: 6, steps: 100 }), true);
  assert.equal(budgetAllows(c, 100, { calls: 11, steps: 100 }), false, 'never more than N');
  assert.equal(decideCall(st, c, 9, 0.15, true, NaN, { calls: 1, steps: 100 }), 'model');
  assert.equal(decideCall(st, c, 10, 0.15, true, NaN, { calls: 1, steps: 100 }), 'call');
  assert.equal(decideCall(st, c, 9, 0.5, true, NaN, { calls: 1, steps: 100 }), 'call-now', 'the immediate level (emergency brake) is not paced');
  assert.equal(decideCall(st, c, 9, NaN, true, NaN, { calls: 1, steps: 100 }), 'call-now', 'no σ: safety');
  assert.equal(decideCall(st, c, 9, 0.01, true, 0.5, { calls: 1, steps: 100 }), 'call-now', 'energy ceiling: safety');
  assert.equal(decideCall(st, c, 9, 0.01, false, NaN, { calls: 30, steps: 100 }), 'call-now', 'no usable model');
  // unpaced callers (no pace argument) and the default are unaffected
  assert.equal(decideCall(st, c, 9, 0.15, true), 'call');
  assert.equal(decideCall(st, resolveThreshold({ initialEvPerA: 0.1, minInterval: 1 }), 9, 0.15, true, NaN, { calls: 50, steps: 100 }), 'call');
});

test('learn config: initialFromSteps and callBudget are checked', () => {
  assert.doesNotThrow(() => validateLearnConfig({ threshold: { initialFromSteps: 5, callBudget: 60 } }));
  assert.throws(() => validateLearnConfig({ threshold: { initialFromSteps: -1 } }), /initialFromSteps/);
  assert.throws(() => validateLearnConfig({ threshold: { callBudget: 1 } }), /callBudget/);
  assert.throws(() => validateLearnConfig({ threshold: { callBudget: 2.5 } }), /callBudget/);
});

function spec(threshold: Record<string, unknown>, steps: number): LearnRunSpec {
  return {
    reference: { engine: 'fumi-tosi' }, steps, timestepFs: 2, temperatureK: 900, thermostat: 'bussi', tauFs: 100, frictionPerFs: 0.01, seed: 4,
    descriptors: 'sr', descriptorHypers: H, seedFrames: 0,
    config: { threshold: { batch: 1, minInterval: 2, forceSigma: 'exact', energyFactor: 0, ...threshold }, fit: { maxNewReferences: 3 } },
  };
}

async function run(threshold: Record<string, unknown>, steps: number): Promise<{ rows: LearnLogRow[]; S: LearnSession }> {
  const rows: LearnLogRow[] = [];
  const sink: LearnSink = { training: () => {}, log: (r) => rows.push(r), frame: () => {}, model: () => {}, checkpoint: () => {} };
  const S = await LearnSession.start(spec(threshold, steps), toyNaClDataset({ frames: 1 })[0], [], builtinLabeller('fumi-tosi'), sink);
  while (!S.done) await S.step();
  return { rows, S };
}

test('fumi-tosi: an initial threshold far below the model\'s σ calls at every allowed step; the automatic one starts at the first steps\' mean σ', async () => {
  const steps = 30;
  const fixed = await run({ initialEvPerA: 1e-6, update: 'fixed' }, steps);
  const auto = await run({ initialEvPerA: 1e-6, update: 'fixed', initialFromSteps: 4 }, steps);
  const calls = (r: LearnLogRow[]) => r.filter((x) => x.called).map((x) => x.step);
  // the usable-model steps before the threshold was set: their σ_max, in order
  const setAt = auto.rows.findIndex((r) => r.note.includes('threshold set'));
  assert.ok(setAt >= 0, 'the threshold was set');
  // the steps the model that was driving kept since its refit (a refit restarts the probe)
  let from = setAt;
  while (from > 0 && !auto.rows[from - 1].refit) from--;
  const probed = auto.rows.slice(from, setAt + 1).filter((r) => !r.called && r.forceSigmaExact && Number.isFinite(r.maxForceSigmaEvPerA));
  assert.equal(probed.length, 4);
  const mean = probed.reduce((a, r) => a + r.maxForceSigmaEvPerA, 0) / 4;
  assert.ok(Math.abs(auto.S.thr.thresholdEvPerA - mean) <= 1e-12 * mean, `${auto.S.thr.thresholdEvPerA} vs ${mean}`);
  assert.ok(mean > 1e-3, `the model's σ scale ${mean}`);
  const cf = calls(fixed.rows), ca = calls(auto.rows);
  assert.ok(cf.length >= steps / 2 - 2, `fixed 1e-6: ${cf.length} calls (${cf.join(' ')})`);
  assert.ok(ca.length <= cf.length / 2, `auto: ${ca.length} calls (${ca.join(' ')}) vs fixed ${cf.length}`);
});

test('fumi-tosi: a call budget spreads the calls over the run and never exceeds N', async () => {
  const steps = 40, N = 6;
  // every step a candidate (σ_max above 1e-6 eV/Å), none at the immediate level (not paced)
  const { rows, S } = await run({ initialEvPerA: 1e-6, immediateFactor: 1e9, update: 'fixed', callBudget: N }, steps);
  const calls = rows.filter((x) => x.called).map((x) => x.step);
  assert.ok(S.counters.calls <= N, `${S.counters.calls} calls (${calls.join(' ')})`);
  assert.equal(calls[0], 0);
  // every call the criteria made waited for its share (the calls of a degenerate fit — no σ — and of the energy ceiling are safety calls)
  rows.forEach((r) => {
    if (!r.called || !Number.isFinite(r.maxForceSigmaEvPerA) || (r.energySigmaEvPerAtom ?? 0) > 0.1) return; // energy ceiling: safety
    const k = calls.indexOf(r.step) + 1;
    assert.ok(k <= 1 + ((N - 1) * r.step) / steps + 1e-9, `call ${k} at step ${r.step}: ${calls.join(' ')}`);
  });
  assert.ok(calls.length >= N - 1, `the budget is used: ${calls.join(' ')}`);
  assert.ok(calls[calls.length - 1] >= 0.75 * steps, `last call at ${calls[calls.length - 1]}`);
});
