/**
 * Assertions shared by the on-the-fly learning tests: a run resumed after an interruption must equal the uninterrupted
 * run — same calls, the same log and training set on disk, and the same fitted weights bit for bit.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LearnSummary } from '../../src/api/index.js';

/** `resumed` (written to `dirResumed`) equals `full` (written to `dirFull`): calls, log.csv, training.xyz, weights. */
export function assertSameLearnRun(resumed: LearnSummary, full: LearnSummary, dirResumed: string, dirFull: string): void {
  assert.equal(resumed.calls, full.calls);
  if (full.chargeModel) {
    assert.ok(resumed.chargeModel, 'the resumed run has a charge model');
    assert.equal(resumed.refits, full.refits);
    assert.deepEqual(Array.from(resumed.chargeModel.chargeWeights), Array.from(full.chargeModel.chargeWeights));
    assert.deepEqual(Array.from(resumed.chargeModel.energyWeights), Array.from(full.chargeModel.energyWeights));
  } else {
    assert.deepEqual(Array.from(resumed.model.weights), Array.from(full.model.weights));
    assert.deepEqual(Array.from(resumed.model.params.covarianceFactor!.data), Array.from(full.model.params.covarianceFactor!.data));
  }
  for (const f of ['log.csv', 'training.xyz']) assert.equal(readFileSync(join(dirResumed, f), 'utf8'), readFileSync(join(dirFull, f), 'utf8'), f);
}
