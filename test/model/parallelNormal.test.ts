/**
 * Normal equations on two threads (parallelNormal.ts): same ΦᵀΦ, Φᵀy, yᵀy as the single-threaded accumulation
 * (1e-12 relative), reproducible bit for bit, single-threaded fallback when no worker can be spawned or the worker
 * cannot rebuild the descriptor, progress reported up to the total; and a whole fit gives the same weights.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, type Structure } from '../../src/core/index.js';
import { ComputeContext, createDescriptor, type DescriptorSpec } from '../../src/descriptors/index.js';
import {
  buildNormalEquations, createKernel, parallelNormalSettings, fitKernelData, fitKernelModel, gatherRows, selectReferences, setNormalEquationsSpawner,
  type KernelSpec, type NormalEquationsJob,
} from '../../src/model/index.js';
import './helpers/pairDescriptor.js';
import { label, morseCalculator, randomStructure } from './helpers/data.js';
import { linalgDefaultThreads } from '../../src/math/index.js';
import { maxRelativeDifference } from '../helpers/invariance.js';

parallelNormalSettings.minWork = 0; // these tests are small; always use the worker

const SR: DescriptorSpec = { kind: 'sr', species: ['Na', 'Cl'], hypers: {} };
const SR_LR: DescriptorSpec = {
  kind: 'composite', species: ['Na', 'Cl'],
  hypers: { blocks: [{ spec: { kind: 'sr', hypers: {} }, weight: 1 }, { spec: { kind: 'fkk', hypers: {} }, weight: 1 }] },
};

function data(count: number, seed = 3): Structure[] {
  const rng = new Rng(seed);
  return label(Array.from({ length: count }, (_, k) => randomStructure(rng, 8 + 2 * (k % 3), 7, ['Na', 'Cl'], 1.8)), morseCalculator());
}

function job(structures: Structure[], spec: DescriptorSpec, kernelSpec: KernelSpec, refs = 12): NormalEquationsJob {
  const desc = createDescriptor(spec);
  const width = desc.width;
  const feats = structures.map((s) => desc.compute(s, new ComputeContext(s)).features.data);
  const kernel = createKernel(fitKernelData(kernelSpec, feats, width));
  const refFeatures = ['Na', 'Cl'].map((sym, t) => {
    const rows: number[] = [];
    const all: Float64Array[] = [];
    structures.forEach((s, k) => s.species.forEach((sp, i) => {
      if (s.symbols[sp] === sym) {
        rows.push(rows.length);
        all.push(feats[k].subarray(i * width, (i + 1) * width));
      }
    }));
    const x = new Float64Array(all.length * width);
    all.forEach((r, q) => x.set(r, q * width));
    return gatherRows(x, width, selectReferences(x, all.length, width, kernel, { method: 'fps', count: refs, seed: t }));
  });
  return {
    structures, descriptor: desc.toJSON(), kernel: kernel.toJSON(), species: ['Na', 'Cl'], refFeatures, width,
    scaling: { energy: 2, forces: 0.5, stress: 3, baselineEv: Float64Array.from([-1, -2]) },
    opts: { useEnergy: true, useForces: true, useStress: true },
  };
}

const maxRel = maxRelativeDifference;

test('two threads = one thread (1e-12), reproducible, progress up to the total (sr, polynomial kernel)', () => {
  const j = job(data(7), SR, { kind: 'polynomial', hypers: { zeta: 4 } });
  const one = buildNormalEquations(j, { threads: 1 });
  const seen: number[] = [];
  const two = buildNormalEquations(j, { threads: 2, onProgress: (e) => seen.push(e.done) });
  assert.equal(one.threads, 1);
  assert.equal(two.threads, 2, two.workerError);
  assert.ok(maxRel(two.ata, one.ata) < 1e-12, `ata ${maxRel(two.ata, one.ata)}`);
  assert.ok(maxRel(two.atb, one.atb) < 1e-12);
  assert.ok(Math.abs(two.yy - one.yy) < 1e-12 * one.yy);
  assert.equal(two.rows, one.rows);
  assert.deepEqual(two.rowCount, one.rowCount);
  assert.equal(seen[seen.length - 1], 7);
  assert.ok(seen.every((v, k) => k === 0 || v >= seen[k - 1]) && seen.every((v) => v <= 7));
  const again = buildNormalEquations(j, { threads: 2 });
  assert.equal(again.threads, 2);
  assert.deepEqual(again.ata, two.ata);
  assert.deepEqual(again.atb, two.atb);
});

test('while the worker runs, the caller\'s linear algebra defaults to one thread (no linalg helper as a third busy thread)', () => {
  const j = job(data(6, 5), SR, { kind: 'polynomial', hypers: { zeta: 4 } });
  const seen: number[] = [];
  const before = linalgDefaultThreads();
  const two = buildNormalEquations(j, { threads: 2, onProgress: () => seen.push(linalgDefaultThreads()) });
  assert.equal(two.threads, 2, two.workerError);
  // the first report comes from the caller's own share, while the worker runs
  assert.equal(seen[0], 1);
  assert.equal(linalgDefaultThreads(), before);
  const one = buildNormalEquations(j, { threads: 1, onProgress: () => seen.push(linalgDefaultThreads()) });
  assert.equal(one.threads, 1);
  assert.equal(seen[seen.length - 1], before); // no worker: the platform default
});

test('two threads = one thread for sr+lr with the default block kernel (whitened linear part rebuilt from its spec)', () => {
  const spec: KernelSpec = {
    kind: 'block', hypers: { parts: [
      { kernel: { kind: 'polynomial', hypers: { zeta: 4 } }, weight: 1, columns: [[0, createDescriptor(SR).width]] },
      { kernel: { kind: 'linear', hypers: { whiten: true } }, weight: 1, columns: [[createDescriptor(SR).width, createDescriptor(SR_LR).width]] },
    ] },
  };
  const j = job(data(5, 8), SR_LR, spec, 8);
  const one = buildNormalEquations(j, { threads: 1 });
  const two = buildNormalEquations(j, { threads: 2 });
  assert.equal(two.threads, 2, two.workerError);
  assert.ok(maxRel(two.ata, one.ata) < 1e-12, `ata ${maxRel(two.ata, one.ata)}`);
  assert.ok(maxRel(two.atb, one.atb) < 1e-12);
});

test('fallbacks: no worker → one thread, bitwise = threads 1; a descriptor unknown to the worker → computed here', () => {
  const j = job(data(4), SR, { kind: 'polynomial', hypers: { zeta: 2 } }, 6);
  const one = buildNormalEquations(j, { threads: 1 });
  const prev = setNormalEquationsSpawner(() => null);
  try {
    const r = buildNormalEquations(j, { threads: 2 });
    assert.equal(r.threads, 1);
    assert.deepEqual(r.ata, one.ata);
  } finally {
    setNormalEquationsSpawner(prev);
  }
  // 'test-pair' is registered only in this process (test helper), not in the worker
  const jp = job(data(4), { kind: 'test-pair', species: ['Na', 'Cl'], hypers: { cutoffA: 4, gaussians: 5 } }, { kind: 'polynomial', hypers: { zeta: 2 } }, 6);
  const p1 = buildNormalEquations(jp, { threads: 1 });
  const p2 = buildNormalEquations(jp, { threads: 2 });
  assert.equal(p2.threads, 1);
  assert.match(p2.workerError ?? '', /test-pair/);
  assert.ok(maxRel(p2.ata, p1.ata) < 1e-12);
});

test('fit: two threads give the same model weights as one thread', () => {
  const s = data(6, 11);
  const cfg = { descriptor: SR, selection: { count: 10 } };
  const a = fitKernelModel(s, { ...cfg, threads: 1 });
  const b = fitKernelModel(s, { ...cfg, threads: 2 });
  const wa = a.model.weights;
  const wb = b.model.weights;
  assert.equal(wa.length, wb.length);
  let e = 0, sc = 0;
  for (let k = 0; k < wa.length; k++) {
    e = Math.max(e, Math.abs(wa[k] - wb[k]));
    sc = Math.max(sc, Math.abs(wa[k]));
  }
  assert.ok(e <= 1e-8 * sc, `weights differ by ${e} (scale ${sc})`);
});
