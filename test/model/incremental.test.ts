/**
 * Incremental kernel regression (model/incremental.ts): adding structures and references in several batches gives
 * the same normal equations as building them at once with the offline code (parallelNormal.ts) for the same
 * references and row scaling; and the force-σ adapter (api/learnUncertainty.ts) equals √(gᵀΣg) with g = ∂F/∂u
 * obtained by finite differences of the model's forces with respect to its weights (independent of the design rows).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.js';
import { ComputeContext } from '../../src/descriptors/index.js';
import { IncrementalKernelFit, KernelModel, buildNormalEquations, solve } from '../../src/model/index.js';
import { forceSigmaFromDesign } from '../../src/api/learnUncertainty.js';
import { label, morseCalculator, randomStructure } from './helpers/data.js';

const SR = { kind: 'sr', species: ['Na', 'Cl'], hypers: { radial: { nmax: 6, cutoffA: 4.5 }, angular: { nmax: 3, lmax: 2, cutoffA: 3.5 } } };
const rng = new Rng(11);
const data = label(Array.from({ length: 6 }, () => randomStructure(rng, 10, 6.5, ['Na', 'Cl'], 2.0)), morseCalculator());

test('incremental fit in three batches = offline normal equations with the same references and scaling', () => {
  const fit = IncrementalKernelFit.create(data.slice(0, 2), { descriptor: SR, maxNewReferences: 3 });
  const a1 = fit.add(data.slice(2, 4));
  const a2 = fit.add(data.slice(4, 6));
  assert.ok(a1.newReferences.some((c) => c > 0) && a2.newReferences.some((c) => c > 0), 'later batches add references (the extension path runs)');
  const model = fit.solve();
  const sc = fit.scaling();
  const ne = buildNormalEquations({
    structures: data, descriptor: model.descriptor.toJSON(), kernel: model.kernel.toJSON(), species: ['Na', 'Cl'],
    refFeatures: model.params.species.map((s) => s.features), width: model.descriptor.width,
    scaling: { energy: sc.energy, forces: sc.forces, stress: sc.stress, baselineEv: fit.baselineEv },
    opts: { useEnergy: true, useForces: true, useStress: true },
  }, { threads: 1 });
  const sol = solve({ n: model.refs.nColumns, a: ne.ata, b: ne.atb, yy: ne.yy, rows: ne.rows }, { kind: 'bayes' }, false);
  const w = model.weights;
  let maxRel = 0;
  for (let k = 0; k < w.length; k++) maxRel = Math.max(maxRel, Math.abs(w[k] - sol.weights[k]) / (Math.abs(sol.weights[k]) + 1e-6 * Math.max(...Array.from(sol.weights, Math.abs))));
  assert.ok(maxRel < 1e-6, `weights agree (max rel diff ${maxRel})`);
  for (let t = 0; t < 2; t++)
    assert.ok(Math.abs(model.referenceEnergiesEv[t] - (fit.baselineEv[t] + sol.weights[model.refs.energyColumn(t)])) < 1e-8);
});

test('the same batches give a bit-identical model (deterministic accumulation)', () => {
  const run = (): KernelModel => {
    const f = IncrementalKernelFit.create(data.slice(0, 2), { descriptor: SR, maxNewReferences: 3 });
    f.add(data.slice(2, 5));
    return f.solve();
  };
  const a = run(), b = run();
  assert.deepEqual(Array.from(a.weights), Array.from(b.weights));
  assert.deepEqual(Array.from(a.params.covarianceFactor!.data), Array.from(b.params.covarianceFactor!.data));
});

test('force σ from the design rows = √(gᵀΣg), g = ∂F/∂u by finite differences of the model in its weights', () => {
  const fit = IncrementalKernelFit.create(data.slice(0, 4), { descriptor: SR, maxNewReferences: 3 });
  const model = fit.solve();
  const s = data[5];
  const { forceSigmaEvPerA, maxForceSigmaEvPerA } = forceSigmaFromDesign(model, s);
  const n = s.species.length, m = model.refs.nColumns, cf = model.params.covarianceFactor!;
  // g[k][c] = ∂F_k/∂u_c: forces are linear in the weights (central difference exact up to rounding); e_t columns give 0
  const g = new Float64Array(3 * n * m);
  const h = 1e-3;
  for (let c = 0; c < model.refs.nRefs; c++) {
    const t = c < model.refs.offsets[1] ? 0 : 1;
    const shifted = (d: number) => {
      const sp = model.params.species.map((x, q) => (q === t ? { ...x, weights: x.weights.map((v, b) => (b === c - model.refs.offsets[t] ? v + d : v)) } : x));
      return new KernelModel({ ...model.params, species: sp }).calculate(s, { forces: true, stress: false }).forcesEvPerA!;
    };
    const fp = shifted(h), fm = shifted(-h);
    for (let k = 0; k < 3 * n; k++) g[k * m + c] = (fp[k] - fm[k]) / (2 * h);
  }
  let maxErr = 0;
  for (let k = 0; k < 3 * n; k++) {
    let q = 0;
    for (let j = 0; j < cf.rank; j++) {
      let p = 0;
      for (let c = 0; c < m; c++) p += g[k * m + c] * cf.data[c * cf.rank + j];
      q += p * p;
    }
    maxErr = Math.max(maxErr, Math.abs(Math.sqrt(q) - forceSigmaEvPerA[k]) / (maxForceSigmaEvPerA + 1e-30));
  }
  assert.ok(maxForceSigmaEvPerA > 0);
  assert.ok(maxErr < 1e-6, `σ_F agrees with finite differences (max rel err ${maxErr})`);
});

test("the model's exact force σ (model/forceUncertainty.ts) equals the design-row form used by learn", () => {
  const fit = IncrementalKernelFit.create(data.slice(0, 4), { descriptor: SR, maxNewReferences: 3 });
  const model = fit.solve();
  model.forceUncertaintyOptions = { method: 'exact' };
  const s = data[5];
  const viaModel = model.calculate(s, { forces: true, uncertainty: true }).uncertainty!.forcesEvPerA!;
  const viaDesign = forceSigmaFromDesign(model, s);
  for (let k = 0; k < viaModel.length; k++)
    assert.ok(Math.abs(viaModel[k] - viaDesign.forceSigmaEvPerA[k]) <= 1e-9 * viaDesign.maxForceSigmaEvPerA, `component ${k}`);
});

test('atomWeights steer the reference choice: one non-zero weight makes that environment the new reference; uniform weights = plain FPS', () => {
  const create = (): IncrementalKernelFit => IncrementalKernelFit.create(data.slice(0, 2), { descriptor: SR, maxNewReferences: 1 });
  const s = data[2];
  const n = s.species.length;
  const na = s.symbols.indexOf('Na');
  const lastNa = (f: IncrementalKernelFit): Float64Array => {
    const p = f.solve().params.species.find((x) => x.species === 'Na')!;
    return p.features.slice(p.features.length - f.descriptor.width);
  };
  const plain = create();
  plain.add([s]);
  const uniform = create();
  uniform.add([s], { atomWeights: [new Float64Array(n).fill(1)] });
  assert.deepEqual(Array.from(uniform.solve().weights), Array.from(plain.solve().weights));
  const feats = plain.descriptor.compute(s, new ComputeContext(s)).features.data;
  const d = plain.descriptor.width;
  const row = (i: number): number[] => Array.from(feats.subarray(i * d, (i + 1) * d));
  const fpsPick = Array.from(lastNa(plain));
  // an Na atom that plain FPS did not pick
  const j = Array.from({ length: n }, (_, i) => i).find((i) => s.species[i] === na && row(i).some((v, c) => v !== fpsPick[c]))!;
  assert.ok(j !== undefined);
  const w = new Float64Array(n);
  w[j] = 1;
  const steered = create();
  steered.add([s], { atomWeights: [w] });
  assert.deepEqual(Array.from(lastNa(steered)), row(j));
});
