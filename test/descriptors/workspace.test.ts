/**
 * Explicit workspaces in the descriptor layer (issue 14 item 3): plans, PME state and radial tables belong to the
 * descriptor instance that made them. Two instances share no plan; an instance reused over many structures gives
 * the same bits as a fresh one; its plan memory is bounded; no module of src/descriptors keeps mutable state other
 * than the allow-listed ones (constant key sets, the lazily loaded WASM linear-algebra handle, the bounded memo of
 * pure Gaussian-projection tables).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { type Structure } from '../../src/core/index.js';
import { ComputeContext } from '../../src/descriptors/index.js';
import { FkkDescriptor } from '../../src/descriptors/longRange/index.js';
import { LodeDescriptor, LodeMsDescriptor } from '../../src/descriptors/lode/index.js';
import { randomIonic } from './longRange/helpers.js';

const species = ['Na', 'Cl'];

function features(d: { compute(s: Structure, c: ComputeContext): { features: { data: Float64Array } } }, s: Structure): Float64Array {
  return d.compute(s, new ComputeContext(s)).features.data;
}

function sameBits(a: Float64Array, b: Float64Array, what: string): void {
  assert.equal(a.length, b.length);
  for (let k = 0; k < a.length; k++) assert.ok(Object.is(a[k], b[k]), `${what}[${k}]: ${a[k]} vs ${b[k]}`);
}

test('fkk: two descriptor instances share no plan; one instance reuses its own', () => {
  const s = randomIonic(5, 8, 7, 0.2);
  const a = new FkkDescriptor(species, { accuracy: 1e-5 }), b = new FkkDescriptor(species, { accuracy: 1e-5 });
  const pa = a.plan(s);
  assert.equal(a.plan(s), pa, 'same instance, same cell: the plan is reused');
  assert.notEqual(b.plan(s), pa, 'another instance plans for itself');
  assert.deepEqual(b.plan(s), pa, '… and finds the same plan');
});

test('fkk: an instance keeps at most 64 plans (100 different cells), oldest dropped first', () => {
  const d = new FkkDescriptor(['Na'], { accuracy: 1e-3, method: 'reciprocal', reciprocalSolver: 'ewald' });
  const cells: Structure[] = [];
  for (let k = 0; k < 100; k++) {
    const s = randomIonic(100 + k, 2, 5 + 0.01 * k, 0.1, 1.0, ['Na', 'Na']);
    cells.push(s);
    d.plan(s);
  }
  const plans = (d as unknown as { plans: Map<string, unknown> }).plans;
  assert.equal(plans.size, 64);
  const p99 = d.plan(cells[99]);
  assert.equal(d.plan(cells[99]), p99, 'recent cell: kept');
  assert.equal(plans.size, 64);
});

for (const [name, make] of [
  ['fkk (pme)', () => new FkkDescriptor(species, { accuracy: 1e-6, reciprocalSolver: 'pme' })],
  ['lode (pme)', () => new LodeDescriptor(species, { accuracy: 1e-6, reciprocalSolver: 'pme' })],
  ['lode-ms', () => new LodeMsDescriptor(species, { lmax: 1, cutoffA: 3, count: 2, densityCutoffA: 3, densityCount: 2, smearingA: 0.5, accuracy: 1e-6 })],
] as [string, () => FkkDescriptor | LodeDescriptor | LodeMsDescriptor][]) {
  test(`${name}: an instance reused over other structures gives the bits of a fresh instance`, () => {
    const s = randomIonic(11, 12, 8, 0.2), other = randomIonic(12, 12, 10.5, 0.1), small = randomIonic(13, 6, 6, 0.1);
    const reused = make();
    features(reused, other);
    features(reused, small);
    sameBits(features(reused, s), features(make(), s), name);
  });
}

test('no module of src/descriptors holds mutable state between calls except the allow-listed ones', () => {
  const root = join(REPO_ROOT, 'src', 'descriptors') + '/';
  const allowed = new Set([
    'longRange/hypers.ts:KEYS', 'lode/lode.ts:KEYS', // constant key sets
    'longRange/speciesReciprocal.ts:linalg', 'lode/multiscale.ts:linalg', // lazily loaded WASM runtime handle
    'radial/gaussianProjection.ts:memo', // bounded memo of pure, immutable tables
    'registry.ts:projectionsOf', // per descriptor instance, the tables it was built with (what a model file stores; no value depends on it)
  ]);
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir)) {
      const p = dir + f;
      if (statSync(p).isDirectory()) { walk(p + '/'); continue; }
      if (!f.endsWith('.ts')) continue;
      for (const [i, line] of readFileSync(p, 'utf8').split('\n').entries()) {
        const m = /^(?:export )?let\s+(\w+)/.exec(line) ?? /^(?:export )?const\s+(\w+)(?:\s*:[^=]+)?\s*=\s*new\s+(?:Map|Set|WeakMap)\b/.exec(line);
        if (m && !allowed.has(`${p.slice(root.length)}:${m[1]}`)) offenders.push(`${p.slice(root.length)}:${i + 1}: ${line.trim()}`);
      }
    }
  };
  walk(root);
  assert.deepEqual(offenders, []);
});

test("lode-ms: one instance's values do not depend on another instance's history (its radial k-table is its own)", () => {
  const s = randomIonic(21, 8, 7, 0.1);
  const base = { lmax: 1, cutoffA: 3.07, count: 2, densityCutoffA: 3, densityCount: 2, smearingA: 0.5, method: 'reciprocal' };
  const x1 = features(new LodeMsDescriptor(species, { ...base, accuracy: 1e-4 }), s);
  // a larger k-cutoff with the same radial basis: a shared table would be rebuilt on other nodes (top·R/0.02 ∉ ℤ)
  features(new LodeMsDescriptor(species, { ...base, accuracy: 1e-11 }), s);
  sameBits(features(new LodeMsDescriptor(species, { ...base, accuracy: 1e-4 }), s), x1, 'lode-ms after another instance');
});
