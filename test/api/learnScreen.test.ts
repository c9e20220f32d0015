/**
 * The learn step's screen and guards (learnThreshold.ts, learnUncertainty.ts, learnSession.ts): the energy criterion
 * turns a step with a flat force σ but a large energy σ per atom into a candidate; the screened step reports the
 * exact force σ wherever it evaluates it and an estimate below screenMargin × threshold elsewhere, with the exact
 * evaluation at least every screenRefresh steps; the escape guard (a reference energy far from the model's) refits at
 * once, keeps the step out of the threshold history and rolls MD back to the state after the previous call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveThreshold } from '../../src/api/learnConfig.js';
import { decideCall, initialThresholdState, observeEnergy, recordCall, resetForNewModel } from '../../src/api/learnThreshold.js';
import { calculateWithForceUncertainty, evaluateStep } from '../../src/api/learnUncertainty.js';
import { LearnSession, builtinLabeller, withRetry, type LearnLogRow, type LearnRunSpec, type LearnSink, type ReferenceLabeller } from '../../src/api/learnSession.js';
import { toyNaClDataset } from '../../src/api/web.js';
import { stateToStructure } from '../../src/md/index.js';

const H = { radial: { nmax: 8, cutoffA: 6 }, angular: { nmax: 4, lmax: 2, cutoffA: 4.5 } };

test('energy criterion: σ(E)/N above energyFactor × its level after the refit makes a candidate (call-now above immediateFactor × that)', () => {
  const c = resolveThreshold({ initialEvPerA: 0.1, historyLength: 4, minInterval: 5, immediateFactor: 2, energyFactor: 10, energyLevelSteps: 3, maxEnergySigmaEvPerAtom: 0 });
  const st = initialThresholdState(c);
  recordCall(st, c, 11, 0.12);
  observeEnergy(st, c, 0.01);
  observeEnergy(st, c, 0.02);
  assert.equal(decideCall(st, c, 20, 0.05, true, 1), 'model'); // the level is not formed yet
  observeEnergy(st, c, 0.03); // ε̄ = 0.02
  observeEnergy(st, c, 5); // later steps do not move the level
  assert.equal(decideCall(st, c, 20, 0.05, true, 0.15), 'model');
  assert.equal(decideCall(st, c, 20, 0.05, true, 0.25), 'call'); // force σ below threshold, ε > 10 ε̄
  assert.equal(decideCall(st, c, 13, 0.05, true, 0.25), 'model'); // within the minimum interval
  assert.equal(decideCall(st, c, 13, 0.05, true, 0.45), 'call-now'); // > 2 × 10 ε̄
  assert.equal(decideCall(st, resolveThreshold({ ...c, energyFactor: 0 }), 20, 0.05, true, 100), 'model');
  resetForNewModel(st); // a refit: the level is formed anew
  assert.equal(decideCall(st, c, 20, 0.05, true, 100), 'model');
});

function spec(threshold: Record<string, unknown>, steps: number): LearnRunSpec {
  return {
    reference: { engine: 'fumi-tosi' }, steps, timestepFs: 2, temperatureK: 600, thermostat: 'bussi', tauFs: 100, frictionPerFs: 0.01, seed: 2,
    descriptors: 'sr', descriptorHypers: H, seedFrames: 0,
    config: { threshold: { batch: 1, minInterval: 3, ...threshold }, fit: { maxNewReferences: 3, rebuild: 'never' } }, // the scenario of these tests was built on the fit frozen on the start frame
  };
}

const quiet = (rows: LearnLogRow[]): LearnSink => ({ training: () => {}, log: (r) => rows.push(r), frame: () => {}, model: () => {}, checkpoint: () => {} });

test('screened step: exact force σ where evaluated (= the full evaluation), estimate below margin × threshold elsewhere, refresh cadence', async () => {
  const start = toyNaClDataset({ frames: 1 })[0];
  const rows: LearnLogRow[] = [];
  const S = await LearnSession.start(spec({ initialEvPerA: 0.05, screenRefresh: 7, screenMargin: 0.5 }, 40), start, [], builtinLabeller('fumi-tosi'), quiet(rows));
  while (!S.done) await S.step();
  const model = S.model!;
  const c = resolveThreshold({ forceSigma: 'screened', screenRefresh: 4, screenMargin: 0.5 });
  const st = initialThresholdState(c);
  let screened = 0, exact = 0, last = -1e9;
  const s0 = stateToStructure(S.st);
  for (let k = 0; k < 12; k++) {
    const s = { ...s0, positions: s0.positions.map((x, j) => x + 0.02 * k * Math.sin(7 * j + k)) };
    const ev = evaluateStep(model, s, st, c, k);
    const full = calculateWithForceUncertainty(model, s);
    assert.ok(Math.abs(ev.energyEv - full.energyEv) < 1e-9 * Math.abs(full.energyEv));
    if (ev.forceSigmaExact) {
      exact++;
      assert.equal(ev.maxForceSigmaEvPerA, full.maxForceSigmaEvPerA);
      last = k;
    } else {
      screened++;
      assert.ok(ev.maxForceSigmaEvPerA < 0.5 * st.thresholdEvPerA);
      assert.ok(k - last < 4, 'exact at least every screenRefresh steps');
    }
    const exactU = model.calculate(s, { uncertainty: true, forceUncertainty: false }).uncertainty!.energyEv!;
    assert.ok(exactU / s.species.length <= ev.energySigmaEvPerAtom * (1 + 1e-9), 'ε bounds σ(E)/N');
  }
  assert.ok(exact >= 3, `exact evaluations ${exact}`);
  assert.ok(screened >= 1 || exact === 12, `screened ${screened}`);
  // 'exact' evaluates every step
  const ce = resolveThreshold({ forceSigma: 'exact' });
  const ste = initialThresholdState(ce);
  for (let k = 0; k < 3; k++) assert.equal(evaluateStep(model, s0, ste, ce, k).forceSigmaExact, true);
});

test('escape guard: a reference energy far from the model\'s refits at once, stays out of the history, rolls MD back', async () => {
  const start = toyNaClDataset({ frames: 1 })[0];
  const inner = builtinLabeller('fumi-tosi');
  let escapeAt = -1;
  // the reference says 5 eV (0.6 eV/atom) more than its honest value at the first call after step 20: the model is far off there
  const labeller: ReferenceLabeller = {
    name: 'fumi-tosi',
    label: (s, tag) => withRetry(async () => {
      const r = await inner.label(s, tag);
      if (!r.ok) throw new Error(r.reason);
      const step = Number(tag.slice(5));
      if (step > 20 && escapeAt < 0) escapeAt = step;
      if (step === escapeAt) r.structure.labels.energyEv! += 5;
      return r.structure;
    }),
  };
  for (const guard of [0.1, 0]) {
    escapeAt = -1;
    const rows: LearnLogRow[] = [];
    const S = await LearnSession.start(spec({ initialEvPerA: 1e-4, escapeEvPerAtom: guard, batch: 3 }, 30), start, [], labeller, quiet(rows));
    let before: Float64Array | null = null, rollback: number[] | null = null, history: number[] = [], escapes = 0;
    while (!S.done) {
      if (S.st.step + 1 === escapeAt || (escapeAt < 0 && S.st.step >= 20)) {
        before = S.st.positions.slice();
        rollback = S.checkpoint().rollback?.positions ?? null;
        escapes = S.counters.escapes ?? 0;
        history = S.thr.history.slice();
      }
      const row = await S.step();
      if (row.step !== escapeAt) continue;
      assert.ok(row.called, 'the escape step was a call');
      if (guard > 0) {
        assert.match(row.note, /^escape: reference energy 6\d\d meV\/atom from the model's; MD rolled back/);
        assert.ok(row.refit, 'refit at once');
        assert.deepEqual(Array.from(S.st.positions), rollback, 'positions are those after the previous call');
        assert.notDeepEqual(Array.from(S.st.positions), Array.from(before!));
        assert.deepEqual(S.thr.history.slice(-history.length), history.slice(-S.thr.history.length), 'history unchanged by the escape');
        assert.equal(S.counters.escapes, escapes + 1);
      } else {
        assert.doesNotMatch(row.note, /escape/);
        assert.notDeepEqual(Array.from(S.st.positions), rollback);
      }
    }
    assert.ok(escapeAt > 20, `an escape step was labelled (${escapeAt})`);
  }
});

test('energy ceiling: a model whose own σ(E)/N exceeds maxEnergySigmaEvPerAtom calls at once, whatever its level and the force σ', () => {
  const c = resolveThreshold({ initialEvPerA: 0.1, minInterval: 5, energyFactor: 10, energyLevelSteps: 2, maxEnergySigmaEvPerAtom: 0.1 });
  const st = initialThresholdState(c);
  recordCall(st, c, 0, undefined);
  // the perfect-crystal case: ε = 0.5 eV/atom from the first step on sets its own level, σ_F flat and small
  observeEnergy(st, c, 0.5);
  observeEnergy(st, c, 0.5);
  assert.equal(decideCall(st, c, 1, 0.006, true, 0.5), 'call-now');
  assert.equal(decideCall(st, resolveThreshold({ ...c, maxEnergySigmaEvPerAtom: 0 }), 1, 0.006, true, 0.5), 'model');
  assert.equal(decideCall(st, c, 1, 0.006, true, 0.09), 'model');
});
