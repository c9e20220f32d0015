/**
 * `learn --scheduler` at the api level (learnReference.ts clusterLabeller over labelCluster.ts): one executor job per
 * reference call gives the frame the in-process labeller gives (energy, forces, stress bit for bit, same provenance);
 * a frame the reference cannot label fails its job, is retried once in `…-retry` and then reported as failed (the
 * loop skips it); an interrupted run with a call in flight (stale batch directory, even with a stale exit code and
 * output) resumes through the stored scheduler, redoes that call and ends with the files of an uninterrupted run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeStructure } from '../../src/core/index.js';
import { readStructures } from '../../src/host/index.js';
import { resumeLearn, runLearn, type LearnOptions } from '../../src/api/index.js';
import { createReferenceLabeller } from '../../src/api/learnReference.js';
import { builtinLabeller } from '../../src/api/learnSession.js';
import { toyNaClDataset } from '../../src/api/web.js';
import { sharedPath, skipWithoutShared } from '../helpers/paths.js';

test('cluster labeller: same labelled frame as in process; a bad frame is tried twice (tag, tag-retry) then reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-learn-cl-'));
  try {
    const logs: string[] = [];
    const lab = createReferenceLabeller({ engine: 'fumi-tosi', cluster: { scheduler: 'local' } }, join(dir, 'cp2k'), join(dir, 'cluster'), (m) => logs.push(m));
    assert.equal(lab.name, 'fumi-tosi');
    const s = toyNaClDataset({ frames: 1 })[0];
    const [got, want] = await Promise.all([lab.label(s, 'step-000003'), builtinLabeller('fumi-tosi').label(s, 'step-000003')]);
    assert.ok(got.ok && want.ok);
    if (!got.ok || !want.ok) return;
    assert.equal(got.attempts, 1);
    assert.equal(got.structure.labels.energyEv, want.structure.labels.energyEv);
    assert.deepEqual(Array.from(got.structure.labels.forcesEvPerA!), Array.from(want.structure.labels.forcesEvPerA!));
    assert.deepEqual(Array.from(got.structure.labels.stressEvPerA3!), Array.from(want.structure.labels.stressEvPerA3!));
    assert.equal(got.structure.info.label_method, 'fumi-tosi');
    assert.ok(existsSync(join(dir, 'cluster', 'batch-step-000003', 'labelled.xyz')));

    const bad = makeStructure({ cell: s.cell, pbc: s.pbc, positions: s.positions, symbols: Array.from(s.species, (t, i) => (i === 0 ? 'Ar' : s.symbols[t])) });
    const r = await lab.label(bad, 'step-000007');
    assert.equal(r.ok, false);
    assert.equal(r.attempts, 2);
    if (!r.ok) assert.match(r.reason, /no pair parameters for Ar/);
    for (const b of ['batch-step-000007', 'batch-step-000007-retry']) assert.ok(existsSync(join(dir, 'cluster', b, 'input.xyz')), b);
    assert.ok(logs.some((m) => /task 0 failed \(exit 1\)/.test(m)), logs.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const H = { radial: { nmax: 6, cutoffA: 5 }, angular: { nmax: 3, lmax: 2, cutoffA: 4 } };

function options(out: string, cluster: boolean): LearnOptions {
  return {
    start: readStructures(sharedPath('fixtures', 'nacl-melt-64.xyz')).at(-1)!, steps: 4, timestepFs: 2, temperatureK: 600, seed: 3,
    reference: { engine: 'fumi-tosi', ...(cluster ? { cluster: { scheduler: 'local' as const } } : {}) }, descriptors: 'sr', descriptorHypers: H, out,
    config: { threshold: { batch: 1, minInterval: 2 }, fit: { maxNewReferences: 3 } },
  };
}

test('learn --scheduler local, killed with a call in flight, resumed: the in-process run\'s training set, log and model', { skip: skipWithoutShared() }, async () => {
  const a = mkdtempSync(join(tmpdir(), 'ff-learn-cl-a-'));
  const b = mkdtempSync(join(tmpdir(), 'ff-learn-cl-b-'));
  try {
    const full = await runLearn(options(a, false));
    const kill = new Error('simulated kill');
    const called: number[] = [];
    await assert.rejects(runLearn(options(b, true), { onStep: (row) => { if (row.called) called.push(row.step); if (row.step === 2) throw kill; } }), (e) => e === kill);
    assert.deepEqual(JSON.parse(readFileSync(join(b, 'state.json'), 'utf8')).run.reference.cluster, { scheduler: 'local' });
    // the call of step 3 was in flight at the kill: a half-written batch with a stale exit code and a bogus output
    const stale = join(b, 'cluster', 'batch-step-000003', 'work');
    mkdirSync(join(stale, 'tasks'), { recursive: true });
    writeFileSync(join(stale, 'tasks', 'task-0.exit'), '0\n');
    writeFileSync(join(stale, 'out-0.xyz'), 'garbage\n');
    const resumed = await resumeLearn(b);
    assert.ok(called.length >= 2, `calls before the kill at steps ${called}`);
    assert.equal(resumed.calls, full.calls);
    for (const f of ['training.xyz', 'log.csv', 'trajectory.xyz']) assert.equal(readFileSync(join(b, f), 'utf8'), readFileSync(join(a, f), 'utf8'), f);
    assert.deepEqual(Array.from(resumed.model.weights), Array.from(full.model.weights));
    assert.ok(existsSync(join(b, 'cluster', 'batch-step-000004', 'labelled.xyz')));
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});
