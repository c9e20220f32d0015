/**
 * Calculations without stress skip the FKK strain work (ComputeContext.strain false; PmeChannelsRequest.strain false):
 * - the multi-kernel PME keeps only μ of the linear reverse moments (bitwise those of a strain run), computes no strain
 *   derivative of the influence functions, and its linear reverse pass returns the same L and positions, strain NaN;
 * - the FKK descriptor's features and position gradients are bit for bit those of a context that asks for the
 *   strain (general and species-constant upstreams, real space + PME split), its strain NaN (never a silent value);
 * - a kernel model's forces without stress are bit for bit those with stress (linear and nonlinear kernels).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellVolume, Rng } from '../../../src/core/index.js';
import { ComputeContext, backwardOf } from '../../../src/descriptors/index.js';
import { FkkDescriptor } from '../../../src/descriptors/longRange/index.js';
import { pmeChannelsForward, pmeChannelsReverseLinear, PmeChannelsWorkspace, type FourierKernel } from '../../../src/electrostatics/index.js';
import { KernelModel } from '../../../src/model/index.js';
import { randomIonic } from './helpers.js';

const species = ['Na', 'Cl'];
const HYPERS = { count: 4, scale: 2, method: 'split', splitWidthA: 1.2, realCutoffA: 8, reciprocalSolver: 'pme', accuracy: 1e-7 };

function kernel(s: number): FourierKernel {
  return { value: (k2) => (4 * Math.PI * Math.exp(-0.5 * s * s * k2)) / (k2 + 0.3), derivative: (k2) => 4 * Math.PI * Math.exp(-0.5 * s * s * k2) * (-0.5 * s * s / (k2 + 0.3) - 1 / (k2 + 0.3) ** 2), includeZero: true };
}

test('pmeChannels without strain: μ bitwise, ν NaN, no influence derivative; the linear reverse pass gives the same L and positions, strain NaN', () => {
  const s = randomIonic(51, 20, 8, 0.2);
  const n = s.species.length, C = 2, rng = new Rng(2);
  const sources = new Float64Array(n * C);
  for (let i = 0; i < n; i++) sources[i * C + s.species[i]] = 1;
  const base = { positions: s.positions, cell: s.cell, volume: cellVolume(s.cell), channels: C, sources, kernels: [kernel(0.8), kernel(1.5)], kernelKeys: ['a', 'b'] };
  const params = { mesh: [20, 20, 20] as [number, number, number], order: 6 };
  const lambda = Float64Array.from({ length: 2 * C * C }, () => rng.range(-1, 1));
  const [withS, without] = [true, false].map((strain) => {
    const ws = new PmeChannelsWorkspace();
    ws.keepSpectra = false;
    const f = pmeChannelsForward({ ...base, strain }, params, ws);
    return { ws, f, r: pmeChannelsReverseLinear({ ...base, strain }, params, ws, f.state, lambda) };
  });
  assert.deepEqual(Array.from(without.f.potentials), Array.from(withS.f.potentials));
  for (let q = 0; q < without.ws.moments.length / 7; q++) {
    assert.equal(without.ws.moments[7 * q], withS.ws.moments[7 * q], `μ ${q}`);
    for (let j = 1; j < 7; j++) assert.ok(Number.isNaN(without.ws.moments[7 * q + j]), `ν ${q},${j} NaN`);
  }
  for (const k of [0, 1]) {
    assert.equal(without.ws.kernelHolder(k).influence?.dinfl, null, `kernel ${k}: no strain derivative of the influence function`);
    assert.ok(withS.ws.kernelHolder(k).influence?.dinfl, `kernel ${k}: strain run keeps it`);
  }
  assert.equal(without.r.value, withS.r.value);
  assert.deepEqual(Array.from(without.r.dPositions), Array.from(withS.r.dPositions));
  assert.ok(without.r.dStrain.every(Number.isNaN) && withS.r.dStrain.every(Number.isFinite));
});

test('FKK with a context that does not ask for the strain: features and position gradients bit for bit, strain NaN', () => {
  const s = randomIonic(52, 24, 9, 0.2);
  const d = new FkkDescriptor(species, HYPERS);
  assert.ok(d.plan(s).channels.every((c) => c.mode === 'split' && c.solver === 'pme'));
  const n = s.species.length, W = d.width, rng = new Rng(8);
  const rows = [0, 1].map(() => Float64Array.from({ length: W }, () => rng.range(-1, 1)));
  const constant = new Float64Array(n * W);
  for (let i = 0; i < n; i++) constant.set(rows[s.species[i]], i * W);
  const general = Float64Array.from({ length: n * W }, () => rng.range(-1, 1));
  for (const [what, g] of [['species-constant', constant], ['general', general]] as const) {
    const cs = new ComputeContext(s), cn = new ComputeContext(s, null, { strain: false });
    assert.equal(cn.strain, false);
    const os = d.compute(s, cs), on = d.compute(s, cn);
    assert.deepEqual(Array.from(on.features.data), Array.from(os.features.data), `${what}: features`);
    const gs = backwardOf(d, s, cs, os.saved, g), gn = backwardOf(d, s, cn, on.saved, g);
    assert.deepEqual(Array.from(gn.positions), Array.from(gs.positions), `${what}: positions`);
    assert.ok(gn.strain.every(Number.isNaN), `${what}: strain NaN without strain`);
    assert.ok(gs.strain.every(Number.isFinite), `${what}: strain finite with strain`);
  }
});

test('kernel model: forces without stress = forces with stress, bit for bit (linear and nonlinear kernels on FKK)', () => {
  const s = randomIonic(53, 24, 9, 0.2);
  const descriptor = { kind: 'fkk', species, hypers: HYPERS };
  const D = new FkkDescriptor(species, HYPERS).width, rng = new Rng(6), m = 5;
  for (const zeta of [1, 2]) {
    const model = new KernelModel({
      descriptor, kernel: { kind: 'polynomial', hypers: { zeta } },
      species: species.map((sp) => ({ species: sp, features: Float64Array.from({ length: m * D }, () => rng.range(0, 1)), weights: Float64Array.from({ length: m }, () => rng.range(-1, 1)), referenceEnergyEv: -1 })),
    });
    const a = model.calculate(s, { forces: true, stress: true }), b = model.calculate(s, { forces: true, stress: false });
    assert.equal(b.energyEv, a.energyEv);
    assert.deepEqual(Array.from(b.forcesEvPerA!), Array.from(a.forcesEvPerA!), `ζ ${zeta}: forces`);
    assert.equal(b.stressEvPerA3, undefined);
    assert.ok(a.stressEvPerA3!.every(Number.isFinite), `ζ ${zeta}: stress`);
  }
});
