/**
 * Nightly (real `sbatch`, several jobs of waiting): the sharded fit through SLURM is bit-identical to the sharded fit
 * through local processes — the reduction is a fixed-order sum of the shards' checksummed contributions. The local
 * sharded fit against the in-process fit is fitCluster.test.ts (default set); SLURM's own round trip is
 * test/host/executor.test.ts. Real data: the first 6 frames (64 ions) of data/nacl-liquid-xtb-md.xyz, 30 references
 * per species. Skips without a SLURM controller (.ci/run starts one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitModelSharded, loadInputs, type FitModelConfig } from '../../src/api/index.js';
import type { KernelModel } from '../../src/model/index.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { skipWithoutSlurm } from '../helpers/slurm.js';

const DATA = join(REPO_ROOT, 'data', 'nacl-liquid-xtb-md.xyz');
const train = existsSync(DATA) ? loadInputs(DATA).structures.slice(0, 6) : [];
const CONFIG: FitModelConfig = { selection: { count: 30, seed: 5 }, threads: 1 };
const quiet = { onWarning: () => {} };

const weights = (m: KernelModel): number[] => m.params.species.flatMap((s) => [...Array.from(s.weights), s.referenceEnergyEv]);
const predictions = (m: KernelModel): number[] => train.slice(0, 2).flatMap((s) => {
  const r = m.calculate(s, { forces: true });
  return [r.energyEv, ...Array.from(r.forcesEvPerA ?? [])];
});

test('sharded fit through real sbatch is bit-identical to the sharded fit with local processes', { skip: (existsSync(DATA) ? false : `${DATA} missing`) || skipWithoutSlurm() }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-shfit-slurm-'));
  try {
    const shardedLocal = await fitModelSharded(train, CONFIG, { scheduler: 'local', shards: 2, output: join(dir, 'local.json'), workdir: join(dir, 'w'), onLog: () => {} }, quiet);
    const viaSlurm = await fitModelSharded(train, CONFIG, { scheduler: 'slurm', pollMs: 250, shards: 2, output: join(dir, 'm.json'), onLog: () => {} }, quiet);
    assert.deepEqual(weights(viaSlurm.model), weights(shardedLocal.model));
    assert.deepEqual(predictions(viaSlurm.model), predictions(shardedLocal.model));
    assert.ok(existsSync(join(dir, 'm.json.cluster', 'tasks-normal', 'slurm-1.log')), 'the tasks ran under SLURM');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
