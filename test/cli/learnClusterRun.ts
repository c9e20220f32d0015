/**
 * `farfield learn --scheduler local|slurm` against the in-process run with the same seed and config (training set with
 * provenance, trajectory, log and model equal), shared by learnCluster.test.ts (local) and learnCluster.nightly.test.ts
 * (real sbatch).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { sharedPath } from '../helpers/paths.js';

/** model.json without the fit's wall-clock timings (and the checksum over them). */
function modelBody(path: string): unknown {
  const m = JSON.parse(readFileSync(path, 'utf8')) as { body: { training?: { timingsS?: unknown } } };
  delete m.body.training?.timingsS;
  return m.body;
}

export function sameAsInProcess(scheduler: 'local' | 'slurm', async = false): void {
  const dir = mkdtempSync(join(tmpdir(), `ff-cli-learn-${scheduler}-`));
  try {
    const cfg = join(dir, 'cfg.json');
    const hypers = { radial: { nmax: 6, cutoffA: 5 }, angular: { nmax: 3, lmax: 2, cutoffA: 4 } };
    writeFileSync(cfg, JSON.stringify(async
      ? { threshold: { initialEvPerA: 0.01, batch: 2, minInterval: 2, immediateFactor: 1e6, maxEnergySigmaEvPerAtom: 0 }, fit: { maxNewReferences: 3, descriptorHypers: hypers }, async: { maxInFlight: 2, apply: 'after-lag', lagSteps: 3 } }
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
