/**
 * `farfield learn --scheduler local|slurm`: a few steps with every reference call as an executor job give the same
 * training set (provenance included), trajectory, log and model as the in-process run with the same seed; through
 * real `sbatch` when a SLURM controller answers (skipped otherwise, like the other SLURM tests). Misused options are
 * one-line errors. With asynchronous labelling (`config.async`, apply 'after-lag') MD runs on while the jobs are out,
 * and the files still equal those of the in-process run with the same config.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { sharedPath, skipWithoutShared } from '../helpers/paths.js';
import { skipWithoutSlurm } from '../helpers/slurm.js';

/** model.json without the fit's wall-clock timings (and the checksum over them). */
function modelBody(path: string): unknown {
  const m = JSON.parse(readFileSync(path, 'utf8')) as { body: { training?: { timingsS?: unknown } } };
  delete m.body.training?.timingsS;
  return m.body;
}

function sameAsInProcess(scheduler: 'local' | 'slurm', async = false): void {
  const dir = mkdtempSync(join(tmpdir(), `ff-cli-learn-${scheduler}-`));
  try {
    const cfg = join(dir, 'cfg.json');
    const hypers = { radial: { nmax: 6, cutoffA: 5 }, angular: { nmax: 3, lmax: 2, cutoffA: 4 } };
    writeFileSync(cfg, JSON.stringify(async
      ? { threshold: { initialEvPerA: 0.01, batch: 2, minInterval: 2, immediateFactor: 1e6 }, fit: { maxNewReferences: 3, descriptorHypers: hypers }, async: { maxInFlight: 2, apply: 'after-lag', lagSteps: 3 } }
      : { threshold: { batch: 1, minInterval: 2 }, fit: { maxNewReferences: 3, descriptorHypers: hypers } }));
    const args = ['learn', sharedPath('fixtures', 'nacl-melt-64.xyz'), '--reference', 'fumi-tosi', '--steps', async ? '8' : '3', '--temperature', '600', '--seed', '5', '--config', cfg];
    const a = join(dir, 'a'), b = join(dir, 'b');
    let r = runCli([...args, '--out', a]);
    assert.equal(r.code, 0, r.err);
    r = runCli([...args, '--out', b, '--scheduler', scheduler, '--workdir', join(dir, 'jobs')]);
    assert.equal(r.code, 0, r.err);
    const said = r.out + r.err;
    assert.match(said, new RegExp(`reference fumi-tosi as ${scheduler} jobs`));
    assert.match(said, scheduler === 'slurm' ? /SLURM job \d+, 1 array task/ : /1 local task\(s\) in .*jobs\/batch-step-000000/);
    for (const f of ['training.xyz', 'trajectory.xyz', 'log.csv']) assert.equal(readFileSync(join(b, f), 'utf8'), readFileSync(join(a, f), 'utf8'), f);
    assert.match(readFileSync(join(b, 'training.xyz'), 'utf8'), /label_method=fumi-tosi/);
    assert.deepEqual(modelBody(join(b, 'model.json')), modelBody(join(a, 'model.json')));
    assert.ok(existsSync(join(dir, 'jobs', 'batch-step-000000', 'labelled.xyz')));
    assert.ok(!existsSync(join(b, 'cluster')), '--workdir replaces the default OUT/cluster');
    if (async) assert.match(readFileSync(join(b, 'log.csv'), 'utf8'), /call submitted/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('learn --scheduler local: the training set and model of the in-process run', { skip: skipWithoutShared() }, () => sameAsInProcess('local'));

test('learn --scheduler slurm (real sbatch): the training set and model of the in-process run', { skip: skipWithoutShared() || skipWithoutSlurm() }, () => sameAsInProcess('slurm'));

test('learn --scheduler local, MD running on while jobs label (async after-lag): the in-process run', { skip: skipWithoutShared() }, () => sameAsInProcess('local', true));

test('learn --scheduler slurm, MD running on while jobs label (async after-lag): the in-process run', { skip: skipWithoutShared() || skipWithoutSlurm() }, () => sameAsInProcess('slurm', true));

test('learn: --workdir needs --scheduler; --resume keeps the stored scheduler', () => {
  let r = runCli(['learn', 'x.xyz', '--reference', 'fumi-tosi', '--steps', '3', '--out', '/tmp/never', '--workdir', '/tmp/w']);
  assert.match(r.err, /--workdir needs --scheduler local \| slurm/);
  r = runCli(['learn', '--resume', '/tmp/never', '--scheduler', 'local']);
  assert.match(r.err, /continues a run with the scheduler it was started with/);
  r = runCli(['learn', 'x.xyz', '--reference', 'fumi-tosi', '--steps', '3', '--out', '/tmp/never', '--partition', 'short']);
  assert.match(r.err, /--partition needs --scheduler slurm/);
});
