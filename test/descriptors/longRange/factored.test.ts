/**
 * Proves the factored reverse pass of the long-range descriptors (longRange/factored.ts: zero entries skipped, term
 * entries sharing a coefficient vector through D basis upstreams, the own term through N basis upstreams, the rest
 * expanded) and the composite's routing (terms zero on a block's columns left out):
 *   backwardFactored = backwardMany of the materialised upstream = a loop of backward, to 1e-12 relative,
 * for FKK (open, split, reciprocal, auto) and LODE (periodic, open), with upstreams that exercise every path, also with
 * the reciprocal blocking shrunk; and the design rows of the default sr+lr block kernel (whitened linear FKK part with
 * pseudo-references) are the same on the factored and the materialised path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, makeStructure, type Structure } from '../../../src/core/index.js';
import {
  ComputeContext, backwardFactoredOf, backwardManyOf, backwardOf, createDescriptor, expandFactored, type Descriptor, type FactoredTerms,
} from '../../../src/descriptors/index.js';
import { FkkDescriptor } from '../../../src/descriptors/longRange/index.js';
import { LodeDescriptor } from '../../../src/descriptors/lode/index.js';
import { reciprocalBlocking } from '../../../src/descriptors/longRange/speciesReciprocal.js';
import { resolveDescriptor } from '../../../src/api/fit.js';
import {
  DesignWorkspace, ReferenceSet, bindBlockKernel, blockReferences, createKernel, defaultKernelFor, designBlock, fitKernelData,
} from '../../../src/model/index.js';
import { assertClose, randomIonic } from './helpers.js';


/**
 * A factored upstream of `count` entries for N atoms, width D, exercising: a shared coefficient vector (species
 * indicator) on more than D entries (basis path), random per-entry coefficients (expanded), entries with zero rows or
 * zero coefficients (skipped), and the own term (basis when count > N, expanded otherwise).
 */
function mixedUpstream(s: Structure, D: number, count: number, seed: number, own: boolean): FactoredTerms {
  const N = s.species.length, rng = new Rng(seed);
  const ind = new Float64Array(N);
  for (let i = 0; i < N; i++) ind[i] = s.species[i] === 0 ? 1 : 0;
  const shared = { coef: new Float64Array(count * N), rows: new Float64Array(count * D) };
  const random = { coef: new Float64Array(count * N), rows: new Float64Array(count * D) };
  for (let c = 0; c < count; c++) {
    if (c % 5 !== 4) {
      shared.coef.set(ind, c * N);
      if (c % 7 !== 3) for (let k = 0; k < D; k++) shared.rows[c * D + k] = rng.range(-1, 1); // c % 7 = 3: zero rows
    }
    if (c % 3 === 0) {
      for (let i = 0; i < N; i++) random.coef[c * N + i] = rng.range(-1, 1);
      for (let k = 0; k < D; k++) random.rows[c * D + k] = rng.range(-1, 1);
    }
  }
  const up: FactoredTerms = { count, terms: [shared, random] };
  if (own) {
    const o = { coef: new Float64Array(count * N), rows: new Float64Array(N * D) };
    for (let c = 0; c < count; c++) if (c % 4 !== 1) for (let i = 0; i < N; i++) o.coef[c * N + i] = rng.range(-1, 1);
    for (let i = 0; i < N; i++) if (i !== 2) for (let k = 0; k < D; k++) o.rows[i * D + k] = rng.range(-1, 1);
    up.own = o;
  }
  return up;
}

function checkFactored(d: Descriptor, s: Structure, count: number, own: boolean, what: string, loop = true): void {
  const ctx = new ComputeContext(s);
  const out = d.compute(s, ctx);
  const N = s.species.length, D = d.width;
  const up = mixedUpstream(s, D, count, 7 + count, own);
  const g = new Float64Array(count * N * D);
  expandFactored(up, N, D, 0, count, g);
  const fac = backwardFactoredOf(d, s, ctx, out.saved, up);
  const many = backwardManyOf(d, s, ctx, out.saved, g, count);
  assertClose(fac.positions, many.positions, 1e-12, `${what}: factored vs many, positions`);
  assertClose(fac.strain, many.strain, 1e-12, `${what}: factored vs many, strain`);
  for (let c = 0; c < count; c++) {
    const sub = g.subarray(c * N * D, (c + 1) * N * D);
    if (sub.every((v) => v === 0)) {
      assert.ok(fac.positions.subarray(c * 3 * N, (c + 1) * 3 * N).every((v) => v === 0), `${what}: zero upstream ${c} gives zero`);
      continue;
    }
    if (!loop) continue;
    const one = backwardOf(d, s, ctx, out.saved, sub);
    assertClose(fac.positions.subarray(c * 3 * N, (c + 1) * 3 * N), one.positions, 1e-12, `${what}: factored vs backward, positions[${c}]`);
    assertClose(fac.strain.subarray(c * 9, (c + 1) * 9), one.strain, 1e-12, `${what}: factored vs backward, strain[${c}]`);
  }
}

const species = ['Na', 'Cl'];
const cluster = makeStructure({ symbols: ['Na', 'Cl', 'Cl', 'Na', 'Na'], positions: [0, 0, 0, 2.4, 0.1, 0, 0.3, 2.6, -0.4, 2.2, 2.5, 1.9, -1.5, 1.2, 2.2] });

test('fkk backwardFactored = backwardMany = loop of backward (1e-12): open, split, reciprocal, auto; basis and expanded paths', () => {
  const s = randomIonic(31, 8, 7.5, 0.2);
  // width 2·3 = 6: 40 entries → shared-coefficient group > D (basis), own term count > N (basis)
  checkFactored(new FkkDescriptor(species, { count: 3 }), cluster, 40, true, 'fkk open, basis');
  checkFactored(new FkkDescriptor(species, { count: 3, method: 'split', splitWidthA: 1, realCutoffA: 10, kCutoffPerA: 6 }), s, 40, true, 'fkk split, basis');
  // 6 entries: group ≤ D and own count ≤ N → every entry expanded
  checkFactored(new FkkDescriptor(species, { count: 4, method: 'split', splitWidthA: 1, realCutoffA: 10, kCutoffPerA: 6 }), s, 6, true, 'fkk split, expanded');
  checkFactored(new FkkDescriptor(species, { count: 3, method: 'reciprocal', kCutoffPerA: 9 }), s, 30, false, 'fkk reciprocal, terms only');
  checkFactored(new FkkDescriptor(species, { accuracy: 1e-5 }), s, 40, true, 'fkk auto (width 16)', false);
});

test('fkk backwardFactored with the reciprocal blocking shrunk (several channel chunks and atom blocks)', () => {
  const saved = { ...reciprocalBlocking };
  try {
    reciprocalBlocking.chunkDoubles = 2000;
    reciprocalBlocking.atomBlock = 3;
    checkFactored(new FkkDescriptor(species, { count: 3, method: 'reciprocal', kCutoffPerA: 8 }), randomIonic(5, 8, 7, 0.1), 30, true, 'fkk reciprocal, small blocks');
  } finally {
    Object.assign(reciprocalBlocking, saved);
  }
});

test('lode backwardFactored = backwardMany = loop of backward (1e-12): periodic, open', () => {
  checkFactored(new LodeDescriptor(species, { cutoffA: 3, count: 3, kCutoffPerA: 8 }), randomIonic(12, 8, 7.5, 0.1), 30, true, 'lode periodic');
  checkFactored(new LodeDescriptor(species, { cutoffA: 3, count: 3 }), cluster, 30, true, 'lode open');
});

test('composite sr+lr backwardFactored: terms zero on a block are left out, = backwardMany (1e-12)', () => {
  const s = randomIonic(3, 8, 7.5, 0.1);
  const d = createDescriptor(resolveDescriptor('sr+lr', species, { lr: { accuracy: 1e-5 } }));
  const ctx = new ComputeContext(s);
  const out = d.compute(s, ctx);
  const N = s.species.length, D = d.width, count = 24;
  const lr0 = D - 16; // FKK block last, width 16
  const up = mixedUpstream(s, D, count, 99, true);
  // term 0 only on the FKK columns, term 1 only on the sr columns (as the block kernel's parts)
  for (let c = 0; c < count; c++) {
    up.terms[0].rows.fill(0, c * D, c * D + lr0);
    up.terms[1].rows.fill(0, c * D + lr0, (c + 1) * D);
  }
  const g = new Float64Array(count * N * D);
  expandFactored(up, N, D, 0, count, g);
  const fac = backwardFactoredOf(d, s, ctx, out.saved, up);
  const many = backwardManyOf(d, s, ctx, out.saved, g, count);
  assertClose(fac.positions, many.positions, 1e-12, 'composite positions');
  assertClose(fac.strain, many.strain, 1e-12, 'composite strain');
});

test('design rows of the default sr+lr block kernel: factored = materialised (1e-12)', () => {
  const frames = [randomIonic(41, 8, 7.5, 0.1), randomIonic(42, 8, 7.5, 0.1), randomIonic(43, 8, 7.5, 0.1)];
  for (const f of frames) {
    const rng = new Rng(f.species.length);
    f.labels.energyEv = -3;
    f.labels.forcesEvPerA = Float64Array.from({ length: 3 * f.species.length }, () => rng.range(-1, 1));
    f.labels.stressEvPerA3 = Float64Array.from({ length: 9 }, (_, k) => (k % 4 === 0 ? 0.01 : 0));
  }
  const d = createDescriptor(resolveDescriptor('sr+lr', species, { lr: { accuracy: 1e-5 } }));
  const feats = frames.map((f) => d.compute(f, new ComputeContext(f)).features.data);
  const spec = fitKernelData(bindBlockKernel(defaultKernelFor(d as never), d as never), feats.slice(1), d.width);
  const kernel = createKernel(spec);
  const env: number[][][] = [[], []];
  frames.slice(1).forEach((f, q) => {
    for (let i = 0; i < f.species.length; i++) env[f.species[i]].push(Array.from(feats[q + 1].subarray(i * d.width, (i + 1) * d.width)));
  });
  const refFeatures = env.map((e) => blockReferences(kernel.toJSON(), Float64Array.from(e.slice(0, 5).flat()), d.width));
  const refs = new ReferenceSet(kernel, species, refFeatures, d.width);
  const s = frames[0];
  const scaling = { energy: 0.7, forces: 1.3, stress: 2.1, baselineEv: new Float64Array([0.1, -0.2]) };
  const rows = (materialise: boolean) => {
    const ctx = new ComputeContext(s);
    const out = d.compute(s, ctx);
    return designBlock(s, d, ctx, out.features.data, out.saved, refs, scaling,
      { useEnergy: true, useForces: true, useStress: true, batch: 7, materialise }, new DesignWorkspace());
  };
  const f = rows(false), m = rows(true);
  const scale = Math.max(...m.phi.map(Math.abs));
  assert.ok(scale > 0);
  for (let k = 0; k < m.phi.length; k++) assert.ok(Math.abs(f.phi[k] - m.phi[k]) <= 1e-12 * scale, `entry ${k}: ${f.phi[k]} vs ${m.phi[k]}`);
});
