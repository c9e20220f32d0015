/**
 * Nightly (a 16-step learning run twice, through the local executor): asynchronous labelling with 'after-lag', killed
 * with calls in flight (the state lists them) and resumed through the local executor, ends with the files and the
 * model of an uninterrupted in-process run. The semantics of 'after-lag' and 'on-arrival' are learnAsync.test.ts; the
 * synchronous kill and resume through the local executor is learnCluster.test.ts (both in the default set).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStructures } from '../../src/host/index.js';
import { resumeLearn, runLearn, type LearnOptions } from '../../src/api/index.js';
import { sharedPath, skipWithoutShared } from '../helpers/paths.js';

const H = { radial: { nmax: 6, cutoffA: 5 }, angular: { nmax: 3, lmax: 2, cutoffA: 4 } };

function options(out: string, cluster: boolean): LearnOptions {
  return {
    start: readStructures(sharedPath('fixtures', 'nacl-melt-64.xyz')).at(-1)!, steps: 16, timestepFs: 2, temperatureK: 900, seed: 3,
    reference: { engine: 'fumi-tosi', ...(cluster ? { cluster: { scheduler: 'local' as const } } : {}) }, descriptors: 'sr', descriptorHypers: H, out,
    config: {
      threshold: { initialEvPerA: 0.01, batch: 2, minInterval: 2, historyLength: 4, immediateFactor: 1e6, maxEnergySigmaEvPerAtom: 0 }, fit: { maxNewReferences: 3 },
      async: { maxInFlight: 3, apply: 'after-lag', lagSteps: 5 },
    },
  };
}

test('async after-lag, killed with calls in flight, resumed through the local executor: the uninterrupted run', { skip: skipWithoutShared() }, async () => {
  const a = mkdtempSync(join(tmpdir(), 'ff-learn-async-a-'));
  const b = mkdtempSync(join(tmpdir(), 'ff-learn-async-b-'));
  try {
    const full = await runLearn(options(a, false));
    const kill = new Error('simulated kill');
    let inFlightAtKill = 0;
    await assert.rejects(runLearn(options(b, true), {
      onStep: (row) => {
        const st = JSON.parse(readFileSync(join(b, 'state.json'), 'utf8')) as { inFlight?: unknown[] };
        if (row.step >= 8 && (st.inFlight?.length ?? 0) > 0) {
          inFlightAtKill = st.inFlight!.length;
          throw kill;
        }
      },
    }), (e) => e === kill);
    assert.ok(inFlightAtKill >= 1);
    const resumed = await resumeLearn(b);
    assert.equal(resumed.calls, full.calls);
    for (const f of ['training.xyz', 'log.csv', 'trajectory.xyz']) assert.equal(readFileSync(join(b, f), 'utf8'), readFileSync(join(a, f), 'utf8'), f);
    assert.deepEqual(Array.from(resumed.model.weights), Array.from(full.model.weights));
    assert.ok(readFileSync(join(a, 'log.csv'), 'utf8').includes('call submitted'));
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});
