/**
 * Descriptor features on two threads (parallelFeatures.ts): bitwise the rows of the single-threaded loop (sr and
 * sr+lr), the worker's rows really come from the worker (threads = 2, views of its shared buffer), single-threaded
 * fallback when no worker can be spawned, progress up to the total.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, type Structure } from '../../src/core/index.js';
import { ComputeContext, createDescriptor, type DescriptorSpec } from '../../src/descriptors/index.js';
import { computeFeaturesParallel, parallelFeaturesSettings, setFeaturesSpawner } from '../../src/model/index.js';
import { randomStructure } from './helpers/data.js';

parallelFeaturesSettings.minAtoms = 0; // these tests are small; always use the worker

const SR_LR: DescriptorSpec = {
  kind: 'composite', species: ['Na', 'Cl'],
  hypers: { blocks: [{ spec: { kind: 'sr', hypers: { angular: { lmax: 4 } } }, weight: 1 }, { spec: { kind: 'fkk', hypers: {} }, weight: 1 }] },
};

function data(count: number, seed = 5): Structure[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, (_, k) => randomStructure(rng, 8 + 2 * (k % 3), 7, ['Na', 'Cl'], 1.8));
}

function sameBits(a: Float64Array, b: Float64Array, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) assert.fail(`${what}[${k}]: ${a[k]} vs ${b[k]}`);
}

test('features on two threads = the single-threaded loop, bitwise (sr+lr); progress reaches the total', () => {
  const structures = data(6);
  const d = createDescriptor(SR_LR);
  const ref = structures.map((s) => d.compute(s, new ComputeContext(s)).features.data);
  const seen: number[] = [];
  const two = computeFeaturesParallel(structures, d, { onProgress: (p) => seen.push(p.done) });
  assert.equal(two.threads, 2, two.workerError ?? 'worker did not run');
  assert.ok(two.features[5].buffer instanceof SharedArrayBuffer, 'trailing rows are views of the worker buffer');
  two.features.forEach((x, k) => sameBits(x, ref[k], `structure ${k}`));
  assert.equal(Math.max(...seen), structures.length);
});

test('features: no worker → one thread, same rows', () => {
  const structures = data(4, 9);
  const d = createDescriptor({ kind: 'sr', species: ['Na', 'Cl'], hypers: {} });
  const prev = setFeaturesSpawner(() => null);
  try {
    const one = computeFeaturesParallel(structures, d);
    assert.equal(one.threads, 1);
    one.features.forEach((x, k) => sameBits(x, d.compute(structures[k], new ComputeContext(structures[k])).features.data, `structure ${k}`));
  } finally {
    setFeaturesSpawner(prev);
  }
});
