/**
 * Asynchronous labelling in on-the-fly learning (learnAsync.ts, learnSession.ts with `config.async`): MD runs on with
 * the current model while reference calls are labelled; labels join at later step boundaries.
 * - 'after-lag': the run does not depend on when the labels arrive (random delays = instant labels, bit for bit);
 *   each label joins exactly lagSteps after its call, and the steps of the calls were integrated with the model.
 * - 'on-arrival': labels join in arrival order; two runs with the same arrival schedule but different real delays
 *   are identical; a label still out after lagSteps is waited for.
 * - kill with calls in flight (the state lists them), resume through the local executor: the files and the model of
 *   an uninterrupted in-process run — learnAsync.nightly.test.ts (the synchronous kill and resume through the local
 *   executor is test/api/learnCluster.test.ts).
 * - `uncertaintyEvery: k`: the force σ (and with it a call decision) only at every k-th step once the model is usable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Structure } from '../../src/core/index.js';
import { parseXyzText } from '../../src/io/index.js';
import { validateLearnConfig } from '../../src/api/index.js';
import { LearnSession, builtinLabeller, usableModel, type LearnLogRow, type LearnRunSpec, type LearnSink, type ReferenceLabeller } from '../../src/api/learnSession.js';
import type { LearnAsyncConfig } from '../../src/api/learnConfig.js';
import { toyNaClDataset } from '../../src/api/web.js';

const H = { radial: { nmax: 6, cutoffA: 5 }, angular: { nmax: 3, lmax: 2, cutoffA: 4 } };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Fumi–Tosi labels, delivered after `delay(step)` ms (the step is read from the call's tag). */
function delayed(delay: (step: number) => number, log?: string[]): ReferenceLabeller {
  const inner = builtinLabeller('fumi-tosi');
  return {
    name: 'fumi-tosi',
    label: async (s, tag) => {
      const r = await inner.label(s, tag);
      await sleep(delay(Number(tag.slice(5))));
      log?.push(tag);
      return r;
    },
  };
}

/** The session being driven (null while it starts). */
let current: LearnSession | null = null;

interface Recorded {
  rows: LearnLogRow[];
  training: string[];
  weights: number[];
}

async function session(async: LearnAsyncConfig, labeller: ReferenceLabeller, steps = 40, between?: (S: LearnSession) => Promise<void>,
  uncertaintyEvery?: number): Promise<Recorded> {
  const rec: Recorded = { rows: [], training: [], weights: [] };
  const sink: LearnSink = { training: (t) => rec.training.push(t), log: (r) => rec.rows.push(r), frame: () => {}, model: () => {}, checkpoint: () => {} };
  const spec: LearnRunSpec = {
    reference: { engine: 'fumi-tosi' }, steps, timestepFs: 2, temperatureK: 900, thermostat: 'bussi', tauFs: 100, frictionPerFs: 0.01, seed: 4,
    descriptors: 'sr', descriptorHypers: H, seedFrames: 0,
    // immediateFactor, maxEnergySigmaEvPerAtom 0: no synchronous 'call-now' once the model is usable (it would let every call in flight join early)
    config: { threshold: { initialEvPerA: 0.01, batch: 2, minInterval: 3, historyLength: 4, immediateFactor: 1e6, maxEnergySigmaEvPerAtom: 0 }, fit: { maxNewReferences: 3 }, async,
      ...(uncertaintyEvery ? { uncertaintyEvery } : {}) },
  };
  current = null;
  const S = await LearnSession.start(spec, toyNaClDataset({ frames: 1 })[0], [], labeller, sink);
  current = S;
  while (!S.done) {
    await S.step();
    await between?.(S);
  }
  await S.settle();
  rec.weights = Array.from(S.finish().weights);
  return rec;
}

const frames = (r: Recorded): Structure[] => r.training.flatMap((t) => parseXyzText(t, 'training'));

test('async after-lag: labels join exactly lagSteps after the call whatever their delay; MD ran on with the model', async () => {
  const cfg: LearnAsyncConfig = { maxInFlight: 3, apply: 'after-lag', lagSteps: 4 };
  const quick = await session(cfg, delayed(() => 0));
  const slow = await session(cfg, delayed((step) => (step * 7919) % 23));
  assert.deepEqual(slow.training, quick.training);
  assert.deepEqual(slow.rows, quick.rows);
  assert.deepEqual(slow.weights, quick.weights);
  const submitted = quick.rows.filter((r) => /call submitted/.test(r.note));
  assert.ok(submitted.length >= 2, `asynchronous calls: ${submitted.map((r) => r.step)}`);
  const late = frames(quick).filter((f) => f.info.learn_joined_after_step !== undefined);
  assert.equal(late.length, submitted.length);
  for (const f of late) {
    const step = Number(f.info.learn_step);
    assert.ok(submitted.some((r) => r.step === step));
    if (step + 4 <= 40) assert.equal(f.info.learn_joined_after_step, step + 3, `call of step ${step}`); // boundary before step + lag
  }
  // a submitted step kept the model's energy: the reference energy of that structure differs from the logged one
  for (const f of late) {
    const row = quick.rows.find((r) => r.step === f.info.learn_step)!;
    assert.notEqual(row.energyEv, f.labels.energyEv);
  }
  // the same run without async labelling waits for every call (and is a different run)
  const sync = await session({}, delayed(() => 0));
  assert.ok(!sync.rows.some((r) => /submitted/.test(r.note)));
});

test('async on-arrival: labels join in arrival order; same arrival schedule → same run; a late label is waited for', async () => {
  const cfg: LearnAsyncConfig = { maxInFlight: 4, apply: 'on-arrival', lagSteps: 6 };
  // release schedule by step count: the call of step c is released after c + hold(c) steps (hold 9 > lag: waited for)
  const hold = (c: number): number => [5, 1, 9, 2][c % 4];
  const run = async (jitterMs: number): Promise<{ rec: Recorded; arrived: string[] }> => {
    const arrived: string[] = [];
    const gates = new Map<number, () => void>();
    const inner = builtinLabeller('fumi-tosi');
    let now = 0;
    const labeller: ReferenceLabeller = {
      name: 'fumi-tosi',
      label: async (s, tag) => {
        const c = Number(tag.slice(5));
        const held = usableModel(current?.model ?? null); // a call with a usable model is asynchronous; the others are awaited at once
        const r = await inner.label(s, tag);
        if (held && now < c + hold(c)) await new Promise<void>((ok) => gates.set(c, ok));
        await sleep(jitterMs);
        arrived.push(tag);
        return r;
      },
    };
    const rec = await session(cfg, labeller, 40, async (S) => {
      now = S.st.step;
      for (const [c, ok] of [...gates]) if (now >= c + hold(c)) { gates.delete(c); ok(); }
      await sleep(3 * jitterMs + 1); // the released labels arrive before the next boundary
      // a label held beyond the lag: release it when the loop waits (a timer, since the loop is blocked awaiting it)
      for (const [c, ok] of [...gates]) if (now + 1 - c >= cfg.lagSteps!) setTimeout(() => { gates.delete(c); ok(); }, 2);
    });
    return { rec, arrived };
  };
  const a = await run(0), b = await run(3);
  assert.deepEqual(b.rec.training, a.rec.training);
  assert.deepEqual(b.rec.rows, a.rec.rows);
  assert.deepEqual(b.rec.weights, a.rec.weights);
  const late = frames(a.rec).filter((f) => f.info.learn_joined_after_step !== undefined);
  assert.ok(late.length >= 3, `late labels ${late.length}`);
  // training order of the late labels = their arrival order
  const order = late.map((f) => `step-${String(f.info.learn_step).padStart(6, '0')}`);
  assert.deepEqual(order, a.arrived.filter((t) => order.includes(t)));
  for (const f of late) {
    const c = Number(f.info.learn_step), j = Number(f.info.learn_joined_after_step);
    assert.ok(j - c <= cfg.lagSteps! - 1 || j === 40, `call ${c} joined after step ${j}: never later than the lag`);
  }
});

test('async config: keys and ranges are checked', () => {
  assert.throws(() => validateLearnConfig({ async: { maxInflight: 2 } }), /unknown key 'maxInflight'.*did you mean 'maxInFlight'/);
  assert.throws(() => validateLearnConfig({ async: { apply: 'soon' } }), /apply must be 'on-arrival' or 'after-lag'/);
  assert.throws(() => validateLearnConfig({ async: { lagSteps: 0 } }), /lagSteps must be an integer ≥ 1/);
  assert.deepEqual(validateLearnConfig({ async: { maxInFlight: 2 } }), { async: { maxInFlight: 2 } });
});

test('uncertaintyEvery 3: σ and call decisions only at every third step once the model is usable', async () => {
  const r = await session({}, delayed(() => 0), 30, undefined, 3);
  const withSigma = r.rows.filter((row) => Number.isFinite(row.maxForceSigmaEvPerA));
  assert.ok(withSigma.length >= 5);
  assert.deepEqual(withSigma.filter((row) => row.step % 3 !== 0).map((row) => row.step), []);
  const decided = r.rows.filter((row) => row.called && Number.isFinite(row.maxForceSigmaEvPerA));
  assert.ok(decided.length >= 1 && decided.every((row) => row.step % 3 === 0), `calls with σ at ${decided.map((row) => row.step)}`);
  assert.equal(r.rows.at(-1)!.step, 30);
});
