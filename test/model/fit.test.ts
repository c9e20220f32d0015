/**
 * The fitted kernel model: forces and stress are derivatives of its energy (central differences, 1e-6 relative);
 * a model fitted to data from a known kernel-representable function recovers it; energies-only vs energies+forces
 * behave as expected; the batched reverse pass and the fallback loop give the same fit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, type Structure } from '../../src/core/index.js';
import { ComputeContext, createDescriptor } from '../../src/descriptors/index.js';
import { KernelModel, fitKernelModel, gatherRows, type FitConfig } from '../../src/model/index.js';
import './helpers/pairDescriptor.js';
import { label, morseCalculator, randomStructure } from './helpers/data.js';
import { checkCalculator } from '../helpers/gradient.js';

const DESC = { kind: 'test-pair', species: ['Na', 'Cl'], hypers: { cutoffA: 4, gaussians: 5 } };

function structures(seed: number, count: number, n = 8, L = 6.5, mixed = false): Structure[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => randomStructure(rng, n, L, ['Na', 'Cl'], 1.6, mixed));
}

function rmse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k] - b[k]) ** 2;
  return Math.sqrt(s / a.length);
}

const train = label(structures(1, 12), morseCalculator());
const test_ = label(structures(2, 4), morseCalculator());

for (const kernel of [{ kind: 'polynomial', hypers: { zeta: 4 } }, { kind: 'gaussian', hypers: { scale: 1 } }]) {
  test(`fitted model (${kernel.kind} kernel): forces and stress = finite differences of the energy (1e-6)`, () => {
    const { model } = fitKernelModel(train, { descriptor: DESC, kernel, selection: { method: 'fps', count: 20 } });
    for (const s of test_.slice(0, 2)) checkCalculator(model, s, { h: 1e-5, strainH: 1e-5, rtol: 1e-6 });
  });
}

test('the FD check fails on a model whose forces are wrong (meta-test)', () => {
  const { model } = fitKernelModel(train, { descriptor: DESC, selection: { method: 'random', count: 10 } });
  const broken = (edit: (r: ReturnType<KernelModel['calculate']>) => void): KernelModel => {
    const b = Object.create(model) as KernelModel;
    b.calculate = (s, o) => {
      const r = model.calculate(s, o);
      edit(r);
      return r;
    };
    return b;
  };
  const opts = { h: 1e-5, strainH: 1e-5, rtol: 1e-6, symmetry: false } as const;
  assert.throws(() => checkCalculator(broken((r) => { if (r.forcesEvPerA) r.forcesEvPerA[0] *= 1.001; }), test_[0], opts), /forces check failed at atom 0 x/);
  assert.throws(() => checkCalculator(broken((r) => { if (r.stressEvPerA3) r.stressEvPerA3[4] *= 1.001; }), test_[0], opts), /stress check failed at ε_yy/);
});

/** Teacher: a kernel model whose references are ALL training environments, with random weights. */
function teacher(trainS: Structure[], seed: number): KernelModel {
  const d = createDescriptor(DESC);
  const rng = new Rng(seed);
  const perSpecies = ['Na', 'Cl'].map((sym) => {
    const rows: Float64Array[] = [];
    for (const s of trainS) {
      const x = d.compute(s, new ComputeContext(s)).features.data;
      const idx: number[] = [];
      for (let i = 0; i < s.species.length; i++) if (s.symbols[s.species[i]] === sym) idx.push(i);
      rows.push(gatherRows(x, d.width, idx));
    }
    const features = new Float64Array(rows.reduce((p, r) => p + r.length, 0));
    let o = 0;
    for (const r of rows) {
      features.set(r, o);
      o += r.length;
    }
    const count = features.length / d.width;
    return { species: sym, features, weights: Float64Array.from({ length: count }, () => rng.range(-0.5, 0.5)), referenceEnergyEv: sym === 'Na' ? -1.3 : -2.1 };
  });
  return new KernelModel({ descriptor: DESC, kernel: { kind: 'polynomial', hypers: { zeta: 4 } }, species: perSpecies });
}

test('recovery: data from a kernel-representable function → weights, reference energies and predictions recovered', () => {
  const trainS = structures(5, 10, 8, 6.5, true); // varying composition: both reference energies identifiable
  const truth = teacher(trainS, 7);
  const labelled = label(trainS, truth);
  const cfg: FitConfig = { descriptor: DESC, selection: { count: 10000 }, solver: { kind: 'svd' } };
  const { model, metadata } = fitKernelModel(labelled, cfg);
  assert.equal(metadata.solver.effectiveParameters, truth.refs.nColumns, 'full rank');
  let maxW = 0, maxErr = 0;
  for (let k = 0; k < truth.weights.length; k++) {
    maxW = Math.max(maxW, Math.abs(truth.weights[k]));
    maxErr = Math.max(maxErr, Math.abs(truth.weights[k] - model.weights[k]));
  }
  assert.ok(maxErr / maxW < 1e-5, `weights error ${maxErr / maxW}`);
  assert.ok(Math.abs(model.referenceEnergiesEv[0] + 1.3) < 1e-5 && Math.abs(model.referenceEnergiesEv[1] + 2.1) < 1e-5);
  for (const s of structures(6, 3, 8, 6.5, true)) {
    const a = truth.calculate(s), b = model.calculate(s);
    assert.ok(Math.abs(a.energyEv - b.energyEv) < 1e-6 * Math.abs(a.energyEv));
    assert.ok(rmse(a.forcesEvPerA!, b.forcesEvPerA!) < 1e-6);
  }
});

test('energies only vs energies + forces: forces make an underdetermined fit well determined', () => {
  const trainS = structures(8, 4);
  const truth = teacher(trainS, 9);
  const labelled = label(trainS, truth);
  const testS = label(structures(10, 3), truth);
  const base: FitConfig = { descriptor: DESC, selection: { count: 10000 }, solver: { kind: 'svd' } };
  const eOnly = fitKernelModel(labelled, { ...base, weights: { forces: 0, stress: 0 } });
  const eF = fitKernelModel(labelled, base);
  assert.equal(eOnly.metadata.rows.forces, 0);
  assert.equal(eOnly.metadata.rows.energy, 4);
  const forcesErr = (m: KernelModel): number => {
    let s = 0;
    for (const t of testS) s += rmse(m.calculate(t).forcesEvPerA!, t.labels.forcesEvPerA!);
    return s / testS.length;
  };
  // Both reproduce the training energies …
  for (const m of [eOnly.model, eF.model])
    for (const t of labelled) assert.ok(Math.abs(m.calculate(t).energyEv - t.labels.energyEv!) < 1e-6);
  // … but only the force-trained model predicts forces.
  const a = forcesErr(eOnly.model), b = forcesErr(eF.model);
  assert.ok(b < 1e-6 && a > 1e3 * b, `force RMSE energies-only ${a}, energies+forces ${b}`);
});

test('batched backwardMany and the fallback loop over backward give the same fit', () => {
  const cfg = (batched: boolean): FitConfig => ({ descriptor: { ...DESC, hypers: { ...DESC.hypers, batched } }, selection: { method: 'cur', count: 15 }, solver: { kind: 'svd' } });
  const a = fitKernelModel(train, cfg(true)).model, b = fitKernelModel(train, cfg(false)).model;
  for (let k = 0; k < a.weights.length; k++) assert.ok(Math.abs(a.weights[k] - b.weights[k]) <= 1e-9 * (1 + Math.abs(a.weights[k])));
});

test('Morse data: held-out errors are small; uncertainty is reported per structure and per atom', () => {
  const { model, metadata } = fitKernelModel(train, { descriptor: DESC, selection: { count: 40 } });
  assert.equal(metadata.solver.kind, 'bayes');
  assert.ok(metadata.solver.converged);
  let se = 0, sf = 0, nf = 0;
  for (const t of test_) {
    const r = model.calculate(t, { uncertainty: true });
    se += ((r.energyEv - t.labels.energyEv!) / t.species.length) ** 2;
    sf += rmse(r.forcesEvPerA!, t.labels.forcesEvPerA!) ** 2;
    nf++;
    assert.ok(r.uncertainty!.energyEv! > 0 && r.uncertainty!.energiesEv!.every((v) => v > 0));
  }
  // The normalised polynomial kernel on a 5-function pair descriptor learns the pair potential only roughly from
  // 12 frames (it cannot represent sums linear in |X|); held-out errors must still be well below the spread.
  const sE = metadata.scaling.sigmaEnergyEvPerAtom, sF = metadata.scaling.sigmaForceEvPerA;
  assert.ok(Math.sqrt(se / nf) < 0.35 * sE, `energy RMSE ${Math.sqrt(se / nf)} eV/atom vs σ ${sE}`);
  assert.ok(Math.sqrt(sf / nf) < 0.35 * sF, `force RMSE ${Math.sqrt(sf / nf)} eV/Å vs σ ${sF}`);
});

test('unknown species and missing labels are refused with clear errors', () => {
  assert.throws(() => fitKernelModel([], { descriptor: DESC }), /no training structures/);
  const unl = { ...train[0], labels: {} };
  assert.throws(() => fitKernelModel([unl], { descriptor: DESC }), /no energy, forces or stress/);
  const { model } = fitKernelModel(train.slice(0, 3), { descriptor: DESC, selection: { count: 5 } });
  const other = { ...train[0], symbols: ['Na', 'K'] };
  assert.throws(() => model.calculate(other), /'K'/);
});
