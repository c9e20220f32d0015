/**
 * Proves the batched reverse passes of the long-range descriptors and the shared-structure-factor evaluator:
 * - backwardMany(count upstream gradients) = a loop of backward, to 1e-12 relative, for every FKK mode (open,
 *   real-space lattice sum, reciprocal, split, G = 0 dropped, auto plan) and for LODE (periodic and open), also with
 *   the blocking shrunk so that several upstream chunks and atom blocks are used;
 * - the union-k-set evaluator (structure factors once per structure, every channel's F_n on its own prefix) equals the
 *   previous per-channel evaluation through the electrostatics engine's ewaldReciprocal, forward and reverse, 1e-12.
 * Finite-difference proofs of backward itself are in fkkGradient.test.ts and lodeGradient.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, makeStructure, type Structure } from '../../../src/core/index.js';
import { ComputeContext, backwardManyOf, backwardOf, type Descriptor } from '../../../src/descriptors/index.js';
import { FkkDescriptor } from '../../../src/descriptors/longRange/index.js';
import { LodeDescriptor } from '../../../src/descriptors/lode/index.js';
import {
  reciprocalBlocking, speciesReciprocal, speciesReciprocalBackward, speciesReciprocalReference, type ReciprocalChannel,
} from '../../../src/descriptors/longRange/speciesReciprocal.js';
import { assertClose, randomIonic } from './helpers.js';


function checkMany(d: Descriptor, s: Structure, count: number, what: string): void {
  const ctx = new ComputeContext(s);
  const out = d.compute(s, ctx);
  const size = out.features.data.length, n = s.species.length;
  const rng = new Rng(21);
  const g = Float64Array.from({ length: count * size }, () => rng.range(-1, 1));
  const many = backwardManyOf(d, s, ctx, out.saved, g, count);
  for (let c = 0; c < count; c++) {
    const ctx1 = new ComputeContext(s);
    const o1 = d.compute(s, ctx1);
    const one = backwardOf(d, s, ctx1, o1.saved, g.subarray(c * size, (c + 1) * size));
    assertClose(many.positions.subarray(c * 3 * n, (c + 1) * 3 * n), one.positions, 1e-12, `${what} positions[${c}]`);
    assertClose(many.strain.subarray(c * 9, (c + 1) * 9), one.strain, 1e-12, `${what} strain[${c}]`);
  }
}

const species = ['Na', 'Cl'];
const cluster = makeStructure({ symbols: ['Na', 'Cl', 'Cl', 'Na', 'Na'], positions: [0, 0, 0, 2.4, 0.1, 0, 0.3, 2.6, -0.4, 2.2, 2.5, 1.9, -1.5, 1.2, 2.2] });

test('fkk backwardMany = loop of backward (1e-12): open, real, reciprocal, split, G = 0 dropped, auto', () => {
  const s = randomIonic(31, 8, 7.5, 0.2);
  checkMany(new FkkDescriptor(species, { count: 4 }), cluster, 5, 'fkk open');
  checkMany(new FkkDescriptor(species, { count: 2, method: 'real', realCutoffA: 25 }), s, 4, 'fkk real');
  checkMany(new FkkDescriptor(species, { count: 3, method: 'reciprocal', kCutoffPerA: 9 }), s, 4, 'fkk reciprocal');
  checkMany(new FkkDescriptor(species, { count: 4, scale: 3, method: 'split', splitWidthA: 1, realCutoffA: 10, kCutoffPerA: 6 }), s, 4, 'fkk split');
  checkMany(new FkkDescriptor(species, { count: 3, method: 'split', includeZero: false, splitWidthA: 1, realCutoffA: 10, kCutoffPerA: 6 }), s, 3, 'fkk split, no G = 0');
  checkMany(new FkkDescriptor(species, { accuracy: 1e-5 }), s, 3, 'fkk auto');
});

test('lode backwardMany = loop of backward (1e-12): periodic and open', () => {
  checkMany(new LodeDescriptor(species, { cutoffA: 3, count: 3, kCutoffPerA: 8 }), randomIonic(32, 8, 7, 0.2), 5, 'lode periodic');
  checkMany(new LodeDescriptor(species, { cutoffA: 3, count: 3 }), cluster, 4, 'lode open');
});

test('batched passes with several upstream chunks and atom blocks give the same gradients', () => {
  const saved = { ...reciprocalBlocking };
  try {
    reciprocalBlocking.atomBlock = 3;
    reciprocalBlocking.chunkDoubles = 1;
    checkMany(new FkkDescriptor(species, { count: 3, method: 'reciprocal', kCutoffPerA: 7 }), randomIonic(33, 8, 7.5, 0.2), 5, 'fkk small blocks');
    checkMany(new LodeDescriptor(species, { cutoffA: 3, count: 2, kCutoffPerA: 7 }), randomIonic(34, 7, 7, 0.2), 4, 'lode small blocks');
  } finally {
    Object.assign(reciprocalBlocking, saved);
  }
});

test('shared structure factors on the union k-set = per-channel ewaldReciprocal (forward and reverse, 1e-12)', () => {
  const s = randomIonic(35, 9, 7.5, 0.2, 1.6, ['Na', 'Cl']);
  const types = Int32Array.from(s.species);
  const fkk = new FkkDescriptor(species, { count: 4, scale: 2.5, method: 'split', splitWidthA: 1.2, realCutoffA: 9, kCutoffPerA: 5 });
  const lode = new LodeDescriptor(species, { cutoffA: 3, count: 3, kCutoffPerA: 9 });
  const cases: [string, ReciprocalChannel[], number][] = [
    // distinct cutoffs per channel, so each channel uses its own prefix of the union set
    ['fkk', fkk.reciprocalChannels(fkk.plan(s)).ewald.map((c, j) => ({ ...c, kCutoffPerA: 3 + 0.7 * j })), fkk.hypers.count],
    ['lode', lode.reciprocalChannels([9, 7.5, 6]), lode.hypers.count],
  ];
  for (const [what, chans, bw] of cases) {
    const W = 2 * bw, N = types.length;
    const Xa = new Float64Array(N * W), Xb = new Float64Array(N * W);
    speciesReciprocal(s, new ComputeContext(s), types, 2, bw, chans, 'test', Xa);
    speciesReciprocalReference(s, new ComputeContext(s), types, 2, bw, chans, Xb, null, null);
    assertClose(Xa, Xb, 1e-12, `${what} forward`);
    const rng = new Rng(5);
    const g = Float64Array.from({ length: N * W }, () => rng.range(-1, 1));
    const outA = { gPos: new Float64Array(3 * N), gStrain: new Float64Array(9), count: 1 };
    const outB = { gPos: new Float64Array(3 * N), gStrain: new Float64Array(9) };
    speciesReciprocalBackward(s, new ComputeContext(s), types, 2, bw, chans, 'test', g, outA, {});
    speciesReciprocalReference(s, new ComputeContext(s), types, 2, bw, chans, null, g, outB);
    assertClose(outA.gPos, outB.gPos, 1e-12, `${what} positions`);
    assertClose(outA.gStrain, outB.gStrain, 1e-12, `${what} strain`);
  }
});
