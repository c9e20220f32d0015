/**
 * The sharded (map–reduce) fit through an executor equals the in-process fit: same references (selected from all
 * shards' environments with the same seed), weights and predictions to 1e-10 relative (max-norm); the sharded fits
 * through local processes and through real `sbatch` (when a SLURM controller answers) are identical bit for bit,
 * as are repeated sharded fits — the reduction is a fixed-order sum of the shards' checksummed contributions.
 * The run through real `sbatch` is fitCluster.nightly.test.ts (SLURM's own round trip stays in test/host/executor).
 * Real data: the first 4 frames (64 ions) of data/nacl-liquid-xtb-md.xyz, 20 references per species (the nightly run:
 * 6 frames, 30 references; the equality of the two paths does not depend on the size).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitModel, fitModelSharded, loadInputs, shardRanges, type FitModelConfig, type FitModelResult, type ShardedFitResult } from '../../src/api/index.js';
import type { KernelModel } from '../../src/model/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

const DATA = join(REPO_ROOT, 'data', 'nacl-liquid-xtb-md.xyz');
const train = existsSync(DATA) ? loadInputs(DATA).structures.slice(0, 4) : [];
// a small sr descriptor (75 columns instead of 568): sharded = in-process holds for any descriptor
const CONFIG: FitModelConfig = { selection: { count: 20, seed: 5 }, threads: 1, descriptorHypers: { radial: { nmax: 6, cutoffA: 5 }, angular: { nmax: 3, lmax: 2, cutoffA: 4 } } };
const quiet = { onWarning: () => {} };

function weights(m: KernelModel): number[] {
  return m.params.species.flatMap((s) => [...Array.from(s.weights), s.referenceEnergyEv]);
}

function relMaxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, s = 0;
  for (let k = 0; k < a.length; k++) {
    d = Math.max(d, Math.abs(a[k] - b[k]));
    s = Math.max(s, Math.abs(a[k]));
  }
  return d / s;
}

function predictions(m: KernelModel): number[] {
  return train.slice(0, 2).flatMap((s) => {
    const r = m.calculate(s, { forces: true });
    return [r.energyEv, ...Array.from(r.forcesEvPerA ?? [])];
  });
}

let local: FitModelResult | null = null;
let shardedLocal: ShardedFitResult | null = null;
const skip = existsSync(DATA) ? false : `${DATA} missing`;

test('shards are contiguous, non-empty and balanced by atoms', () => {
  if (!train.length) return;
  const r = shardRanges(train, 4);
  assert.equal(r.length, 4);
  assert.equal(r[0].lo, 0);
  assert.equal(r[r.length - 1].hi, train.length);
  for (let k = 1; k < r.length; k++) assert.equal(r[k].lo, r[k - 1].hi);
  for (const x of r) assert.ok(x.hi > x.lo);
  assert.deepEqual(shardRanges(train, 10).length, train.length);
});

test('sharded fit with local processes (2 shards) = in-process fit to 1e-10; same references', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-shfit-'));
  try {
    local = await fitModel(train, CONFIG, quiet);
    shardedLocal = await fitModelSharded(train, CONFIG, { scheduler: 'local', shards: 2, output: join(dir, 'm.json'), workdir: join(dir, 'w'), onLog: () => {} }, quiet);
    assert.equal(shardedLocal.shards, 2);
    // the same picks: reference rows identical bit for bit (features are per structure, selection code and input shared)
    local.model.params.species.forEach((s, t) => assert.deepEqual(Array.from(shardedLocal!.model.params.species[t].features), Array.from(s.features)));
    assert.deepEqual(shardedLocal.metadata.rows, local.metadata.rows);
    assert.equal(shardedLocal.metadata.dataHash, local.metadata.dataHash);
    const dw = relMaxDiff(weights(local.model), weights(shardedLocal.model));
    const dp = relMaxDiff(predictions(local.model), predictions(shardedLocal.model));
    assert.ok(dw < 1e-10, `weights differ by ${dw} (relative, max-norm)`);
    assert.ok(dp < 1e-10, `predictions differ by ${dp}`);
    assert.ok(readdirSync(join(dir, 'w')).includes('normal-1.bin'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
