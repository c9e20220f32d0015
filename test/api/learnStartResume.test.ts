/**
 * Resume with the start and pacing options of learnThreshold.ts (`initialFromSteps`, `callBudget`): a Fumi–Tosi learning
 * run on 64 ions killed while the automatic initial threshold is still probing (the probe is part of the checkpoint),
 * resumed, killed again while the call budget is holding back candidates above the threshold, and resumed again, ends
 * with the calls, the log, the training set and the model (bit for bit) of the uninterrupted run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStructures } from '../../src/host/index.js';
import { resumeLearn, runLearn, type LearnOptions } from '../../src/api/index.js';
import type { LearnLogRow } from '../../src/api/learnSession.js';
import { sharedPath, skipWithoutShared } from '../helpers/paths.js';
import { assertSameLearnRun } from '../helpers/learnRuns.js';

const H = { radial: { nmax: 8, cutoffA: 6 }, angular: { nmax: 4, lmax: 2, cutoffA: 4.5 } };

// the sizes of learn.test.ts's resume test; a checkpoint every 2 steps so that one falls inside the probe
function options(out: string): LearnOptions {
  const start = readStructures(sharedPath('fixtures', 'nacl-melt-64.xyz'))[0];
  return {
    start, reference: { engine: 'fumi-tosi' }, steps: 30, timestepFs: 2, temperatureK: 1200, seed: 3, out,
    config: {
      threshold: { batch: 2, minInterval: 5, historyLength: 5, initialFromSteps: 3, callBudget: 4 },
      fit: { maxNewReferences: 4, descriptorHypers: H }, checkpointEvery: 2,
    },
  };
}

const killAt = (step: number, rows?: LearnLogRow[]) => {
  const kill = new Error(`simulated kill after step ${step}`);
  return { kill, hooks: { onStep: (row: LearnLogRow) => { rows?.push(row); if (row.step === step) throw kill; } } };
};

test('learn with initialFromSteps and callBudget: killed while probing and while the budget holds calls back, resumed: the uninterrupted run', { skip: skipWithoutShared() }, async () => {
  const a = mkdtempSync(join(tmpdir(), 'ff-learn-a-'));
  const b = mkdtempSync(join(tmpdir(), 'ff-learn-b-'));
  try {
    const rows: LearnLogRow[] = [];
    const full = await runLearn(options(a), { onStep: (r) => rows.push(r) });
    // the kill points are where the options hold state: the threshold is set at step 4 (σ_max of steps 2–4; the probe
    // holds one value at the step-2 checkpoint), and between the calls the budget released (0, 1, then none before step 20) σ_max is
    // above the threshold at steps 5–14 (candidates the budget refuses)
    const setAt = rows.find((r) => r.note.includes('threshold set'))?.step ?? -1;
    assert.ok(setAt >= 3 && rows.filter((r) => r.step < setAt).every((r) => r.thresholdEvPerA === 0), `threshold set at step ${setAt}`);
    const held = rows.filter((r) => r.step >= 5 && r.step <= 14 && !r.called && r.maxForceSigmaEvPerA > r.thresholdEvPerA);
    assert.ok(held.length >= 5, `budget-held candidates at steps ${held.map((r) => r.step)}`);
    assert.ok(full.calls <= 4 + 2, `${full.calls} calls`); // ≤ N plus the safety calls (the escape at step 1)

    const k1 = killAt(3);
    await assert.rejects(runLearn(options(b), k1.hooks), (e) => e === k1.kill);
    const k2 = killAt(13);
    await assert.rejects(resumeLearn(b, k2.hooks), (e) => e === k2.kill);
    const resumed = await resumeLearn(b);
    assert.equal(resumed.finalThresholdEvPerA, full.finalThresholdEvPerA);
    assertSameLearnRun(resumed, full, b, a);
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});
