/**
 * On-the-fly learning (api/learn*.ts): the threshold rules (VASP ML_CTIFOR/ML_MHIS/ML_CSIG/ML_CSLOPE/ML_CDOUB/
 * ML_NMDINT semantics as documented in learnThreshold.ts), config validation, and end-to-end runs with the Fumi–Tosi
 * reference on 64 ions: reference calls become rarer and the threshold adapts; an interrupted run resumed from its
 * checkpoint ends with the same model, bit for bit, and the same log as an uninterrupted one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStructures } from '../../src/host/index.js';
import { resumeLearn, runLearn, validateLearnConfig, type LearnOptions } from '../../src/api/index.js';
import { resolveThreshold } from '../../src/api/learnConfig.js';
import { decideCall, historyStats, initialThresholdState, recordCall, updateThreshold } from '../../src/api/learnThreshold.js';
import { LearnSession, builtinLabeller, withRetry, type LearnLogRow, type LearnRunSpec, type LearnSink, type ReferenceLabeller } from '../../src/api/learnSession.js';
import { toyNaClDataset } from '../../src/api/web.js';
import { sharedPath, skipWithoutShared } from '../helpers/paths.js';
import { assertSameLearnRun } from '../helpers/learnRuns.js';

const H = { radial: { nmax: 8, cutoffA: 6 }, angular: { nmax: 4, lmax: 2, cutoffA: 4.5 } };

test('threshold: first step, immediate factor, minimum interval, quiet-history update with mixing', () => {
  const c = resolveThreshold({ initialEvPerA: 0.1, historyLength: 4, minInterval: 5, immediateFactor: 2, mix: 0.5 });
  const st = initialThresholdState(c);
  assert.equal(decideCall(st, c, 0, NaN, false), 'call-now');
  recordCall(st, c, 10, undefined);
  assert.equal(decideCall(st, c, 12, 0.15, true), 'model'); // above threshold but within the minimum interval
  assert.equal(decideCall(st, c, 12, 0.25, true), 'call-now'); // > 2 × threshold: ignores the interval
  assert.equal(decideCall(st, c, 15, 0.15, true), 'call');
  assert.equal(decideCall(st, c, 15, 0.05, true), 'model');
  for (const [k, v] of [0.2, 0.21, 0.19, 0.2].entries()) recordCall(st, c, 20 + 5 * k, v);
  assert.equal(updateThreshold(st, c), true);
  assert.ok(Math.abs(st.thresholdEvPerA - (0.5 * 0.2 + 0.5 * 0.1)) < 1e-12); // (1 − mix)·mean + mix·old
  // noisy history (standard error ≥ 0.4 mean) and a trending one (|slope|·n ≥ mean) are not used
  const noisy = { ...initialThresholdState(c), history: [0.01, 0.5, 0.02, 0.6] };
  assert.equal(updateThreshold(noisy, resolveThreshold({ historyLength: 4 })), false);
  const trend = { ...initialThresholdState(c), history: [0.1, 0.2, 0.3, 0.4] };
  assert.ok(historyStats(trend.history).slope > 0.099);
  assert.equal(updateThreshold(trend, resolveThreshold({ historyLength: 4, maxRelativeStandardError: 10 })), false);
  assert.equal(updateThreshold({ ...trend }, resolveThreshold({ historyLength: 4, maxRelativeStandardError: 10, maxRelativeSlope: 2 })), true);
});

test('learn config: unknown keys name the closest one; ranges are checked', () => {
  assert.throws(() => validateLearnConfig({ treshold: {} }), /unknown key 'treshold'.*did you mean 'threshold'/);
  assert.throws(() => validateLearnConfig({ threshold: { immediateFactor: 0.5 } }), /immediateFactor must be a number > 1/);
  assert.throws(() => validateLearnConfig({ fit: { solver: { kind: 'bayes', sigmaV: 1 } } }), /unknown key 'sigmaV'/);
  assert.deepEqual(validateLearnConfig({ threshold: { batch: 2 } }), { threshold: { batch: 2 } });
});

function options(out: string, steps: number): LearnOptions {
  const start = readStructures(sharedPath('fixtures', 'nacl-melt-64.xyz'))[0];
  return {
    start, reference: { engine: 'fumi-tosi' }, steps, timestepFs: 2, temperatureK: 1200, seed: 3, out,
    config: { threshold: { batch: 2, minInterval: 5, historyLength: 5 }, fit: { maxNewReferences: 4, descriptorHypers: H }, checkpointEvery: 7 },
  };
}

test('fumi-tosi 64 ions: calls become rarer, the threshold adapts, files and report are written', { skip: skipWithoutShared() }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-learn-'));
  try {
    const r = await runLearn(options(dir, 100));
    assert.ok(r.calls >= 5, `calls ${r.calls}`);
    assert.ok(r.callsPer100.lastQuarter < r.callsPer100.firstQuarter, `calls per 100 steps ${JSON.stringify(r.callsPer100)}`);
    assert.ok(r.thresholdUpdates >= 1 && r.finalThresholdEvPerA !== 0.02, `threshold ${r.finalThresholdEvPerA} after ${r.thresholdUpdates} updates`);
    const log = readFileSync(join(dir, 'log.csv'), 'utf8').trim().split('\n');
    assert.equal(log.length, 1 + 101);
    const training = readStructures(join(dir, 'training.xyz'));
    assert.equal(training.length, r.trainingStructures);
    assert.equal(training[0].info.label_method, 'fumi-tosi');
    assert.ok(training.slice(1).some((s) => typeof s.info.learn_max_force_sigma_eV_per_A === 'number'));
    assert.match(readFileSync(join(dir, 'index.html'), 'utf8'), /data-kind="learn-error"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('resume after an interruption gives the same model and log as an uninterrupted run', { skip: skipWithoutShared() }, async () => {
  const a = mkdtempSync(join(tmpdir(), 'ff-learn-a-'));
  const b = mkdtempSync(join(tmpdir(), 'ff-learn-b-'));
  try {
    const full = await runLearn(options(a, 30));
    const kill = new Error('simulated kill');
    await assert.rejects(runLearn(options(b, 30), { onStep: (row) => { if (row.step === 19) throw kill; } }), (e) => e === kill);
    const resumed = await resumeLearn(b);
    assertSameLearnRun(resumed, full, b, a);
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test('a failing reference call is retried once, then skipped with a log line; the run continues on the model', async () => {
  const start = toyNaClDataset({ frames: 1 })[0];
  const inner = builtinLabeller('fumi-tosi');
  const attempts: string[] = [];
  let failing = false;
  const labeller: ReferenceLabeller = {
    name: 'flaky',
    // after the first two calls: every call fails on its first attempt; calls at steps ≥ 12 fail on both
    label: (s, tag) => withRetry(async (attempt) => {
      attempts.push(`${tag}#${attempt}`);
      const step = Number(tag.slice(5));
      if (failing && (attempt === 1 || step >= 12)) throw new Error(`scf not converged (${tag})`);
      const r = await inner.label(s, tag);
      if (!r.ok) throw new Error(r.reason);
      return r.structure;
    }),
  };
  const rows: LearnLogRow[] = [];
  const messages: string[] = [];
  const sink: LearnSink = { training: () => {}, log: (r) => rows.push(r), frame: () => {}, model: () => {}, checkpoint: () => {}, message: (m) => messages.push(m) };
  const spec: LearnRunSpec = {
    reference: { engine: 'fumi-tosi' }, steps: 24, timestepFs: 2, temperatureK: 600, thermostat: 'bussi', tauFs: 100, frictionPerFs: 0.01, seed: 2,
    descriptors: 'sr', descriptorHypers: H, seedFrames: 0,
    config: { threshold: { initialEvPerA: 1e-6, batch: 1, minInterval: 3 }, fit: { maxNewReferences: 3 } },
  };
  const S = await LearnSession.start(spec, start, [], labeller, sink);
  while (!S.done) {
    if (S.counters.calls >= 2) failing = true;
    await S.step();
  }
  const retried = rows.filter((r) => r.note === 'retried');
  const skipped = rows.filter((r) => r.note.startsWith('reference failed twice, skipped: scf not converged'));
  assert.ok(retried.length >= 1, 'a call that failed once succeeded on its retry');
  assert.ok(skipped.length >= 1 && skipped.every((r) => r.step >= 12 && !r.called), `skipped calls: ${skipped.map((r) => r.step)}`);
  assert.equal(S.counters.failedCalls, skipped.length);
  assert.ok(messages.some((m) => /skipped/.test(m)));
  assert.ok(attempts.includes(`step-${String(skipped[0].step).padStart(6, '0')}#2`), 'the skipped call was tried twice');
  assert.equal(rows.at(-1)!.step, 24, 'the run went on to the end');
});
