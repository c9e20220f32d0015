/**
 * Fitting sr+q: the exact Jacobian of the electrostatic rows with respect to the charge weights equals central
 * differences (exact here, since the rows are quadratic in the weights), and a fit from random initial charges to
 * data made with known Gaussian charges (±0.8 e, neutral cells) recovers those charges and the energies; the fit is
 * reproducible for a seed and the model round-trips through its file bit for bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, makeStructure, type Calculator } from '../../src/core/index.js';
import { ElectrostaticsCalculator, gaussianKernel } from '../../src/electrostatics/index.js';
import { QeqPotential } from '../../src/reference/index.js';
import { ChargeModel, QeqModel, chargeRows, fitChargeModel, parseAnyModel, serializeChargeModel } from '../../src/model/index.js';
import './helpers/pairDescriptor.js';
import { label, randomStructure } from './helpers/data.js';
import { randomChargeModel } from './helpers/chargeModel.js';

const PME = { method: 'pme' as const, alphaPerA: 0.45, realCutoffA: 6, mesh: [16, 16, 16] as [number, number, number], order: 6 };

test('sr+q fit: Jacobian of the electrostatic rows = central differences in the charge weights', () => {
  const model = randomChargeModel(3, PME);
  const s = randomStructure(new Rng(5), 8, 6.5);
  const n = s.species.length;
  const x = { s, rows: 1 + 3 * n + 6, eRows: 1, fRows: 3 * n, sRows: 6, params: PME };
  const scaling = { energy: 0.7, forces: 1.3, stress: 40, baselineEv: new Float64Array(2) };
  const refsQ = model.chargeRefs;
  const p = refsQ.nColumns;
  const v = new Float64Array(p);
  v.set(model.chargeWeights);
  v.set(model.chargeOffsets, refsQ.nRefs);
  const at = (vv: Float64Array): ChargeModel => new ChargeModel({
    ...model.params,
    charges: model.params.charges.map((c, t) => ({ ...c, weights: vv.slice(refsQ.offsets[t], refsQ.offsets[t] + refsQ.counts[t]), offsetE: vv[refsQ.nRefs + t] })),
  });
  const { J } = chargeRows(at(v), refsQ, x, scaling, true);
  let worst = 0, scale = 0;
  for (let j = 0; j < p; j++) {
    const vp = v.slice(), vm = v.slice();
    vp[j] += 0.5; vm[j] -= 0.5;
    const hp = chargeRows(at(vp), refsQ, x, scaling, false).h, hm = chargeRows(at(vm), refsQ, x, scaling, false).h;
    for (let r = 0; r < x.rows; r++) {
      const fd = hp[r] - hm[r];
      worst = Math.max(worst, Math.abs(fd - J![r * p + j]));
      scale = Math.max(scale, Math.abs(fd));
    }
  }
  assert.ok(scale > 1e-2, 'Jacobian not trivially zero');
  assert.ok(worst < 1e-8 * scale, `max |J − FD| = ${worst} (scale ${scale})`);
});

/** Gaussian charges ±q0 of width s (the independent labeller: the electrostatics calculator, its own tuning). */
function reference(q0: number, s: number): Calculator {
  return new ElectrostaticsCalculator({ charges: { Na: q0, Cl: -q0 }, kernel: gaussianKernel({ sigmaA: Math.SQRT2 * s }), accuracy: 1e-8 });
}

test('sr+q fit: recovers known charges ±0.8 e (0.1 %) and the energies (1e-4); reproducible and round-trips through its file', () => {
  const rng = new Rng(11);
  const mk = (k: number) => Array.from({ length: k }, () => randomStructure(rng, 10, 7, ['Na', 'Cl'], 1.8));
  const ref = reference(0.8, 0.8);
  const train = label(mk(12), ref), test_ = label(mk(4), ref);
  const cfg = {
    descriptor: { kind: 'test-pair', species: ['Na', 'Cl'], hypers: { cutoffA: 4, gaussians: 6 } },
    selection: { method: 'fps' as const, count: 30 }, threads: 1 as const,
    charges: { sigmaA: 0.8, count: 4, seed: 2, iterations: 40, tolerance: 1e-6, accuracy: 1e-5 },
  };
  const r = fitChargeModel(train, cfg);
  let worstQ = 0, eErr = 0, eScale = 0;
  for (const s of test_) {
    const p = r.model.calculate(s, { forces: false, stress: false });
    const sign = Math.sign(p.charges![s.species.indexOf(s.symbols.indexOf('Na'))]);
    for (let i = 0; i < s.species.length; i++) {
      const want = s.symbols[s.species[i]] === 'Na' ? 0.8 : -0.8;
      worstQ = Math.max(worstQ, Math.abs(sign * p.charges![i] - want) / 0.8);
    }
    eErr = Math.max(eErr, Math.abs(p.energyEv - s.labels.energyEv!));
    eScale = Math.max(eScale, Math.abs(s.labels.energyEv!));
  }
  assert.ok(worstQ < 1e-3, `charges off by ${(100 * worstQ).toFixed(2)} %`);
  assert.ok(eErr < 1e-4 * eScale, `energy error ${eErr} eV (scale ${eScale})`);
  const again = fitChargeModel(train, cfg);
  assert.deepEqual(Array.from(again.model.chargeWeights), Array.from(r.model.chargeWeights));
  const back = parseAnyModel(serializeChargeModel(r.model), 'mem');
  assert.ok(back instanceof ChargeModel);
  const a = r.model.calculate(test_[0]), b = back.calculate(test_[0]);
  assert.equal(b.energyEv, a.energyEv);
  assert.deepEqual(Array.from(b.forcesEvPerA!), Array.from(a.forcesEvPerA!));
});

test('sr+qeq fit: Jacobian of the rows (QEq charges, δq by a QEq solve) = central differences', () => {
  const base = randomChargeModel(3, PME);
  const s = randomStructure(new Rng(5), 8, 6.5);
  const n = s.species.length;
  const x = { s, rows: 1 + 3 * n + 6, eRows: 1, fRows: 3 * n, sRows: 6, params: PME };
  const scaling = { energy: 0.7, forces: 1.3, stress: 40, baselineEv: new Float64Array(2) };
  const refsQ = base.chargeRefs, p = refsQ.nColumns;
  const v = new Float64Array(p);
  v.set(base.chargeWeights);
  v.set([-1, 2], refsQ.nRefs);
  const at = (vv: Float64Array): QeqModel => new QeqModel({
    ...base.params, hardness: [10, 12],
    charges: base.params.charges.map((c, t) => ({ ...c, weights: vv.slice(refsQ.offsets[t], refsQ.offsets[t] + refsQ.counts[t]), offsetE: vv[refsQ.nRefs + t] })),
  });
  const { J } = chargeRows(at(v), refsQ, x, scaling, true);
  let worst = 0, scale = 0;
  for (let j = 0; j < p; j++) {
    const vp = v.slice(), vm = v.slice();
    vp[j] += 0.5; vm[j] -= 0.5;
    const hp = chargeRows(at(vp), refsQ, x, scaling, false).h, hm = chargeRows(at(vm), refsQ, x, scaling, false).h;
    for (let r = 0; r < x.rows; r++) {
      worst = Math.max(worst, Math.abs(hp[r] - hm[r] - J![r * p + j]));
      scale = Math.max(scale, Math.abs(hp[r] - hm[r]));
    }
  }
  assert.ok(scale > 1e-2, 'Jacobian not trivially zero');
  assert.ok(worst < 1e-7 * scale, `max |J − FD| = ${worst} (scale ${scale})`);
});

test('sr+qeq fit: Jacobian columns of ln J (hardness per species) = central differences, periodic (PME) and open charged', () => {
  const base = randomChargeModel(3, PME);
  const refsQ = base.chargeRefs, p = refsQ.nColumns;
  const charges = base.params.charges.map((c, t) => ({ ...c, offsetE: t === 0 ? -1 : 2 }));
  const scaling = { energy: 0.7, forces: 1.3, stress: 40, baselineEv: new Float64Array(2) };
  const periodic = randomStructure(new Rng(5), 8, 6.5);
  const open = makeStructure({ symbols: Array.from(periodic.species, (k) => periodic.symbols[k]), positions: Array.from(periodic.positions), pbc: [false, false, false], info: { charge: -1 } });
  for (const [s, params, sRows] of [[periodic, PME, 6], [open, { method: 'direct' as const }, 0]] as const) {
    const n = s.species.length;
    const x = { s, rows: 1 + 3 * n + sRows, eRows: 1, fRows: 3 * n, sRows, params };
    const at = (theta: number[]): QeqModel => new QeqModel({ ...base.params, electrostatics: { ...base.params.electrostatics, parameters: params }, charges, hardness: theta.map(Math.exp) });
    const theta = [Math.log(9), Math.log(13)];
    const { J } = chargeRows(at(theta), refsQ, x, scaling, true, undefined, true);
    const pAll = p + 2;
    let worst = 0, scale = 0;
    const h = 1e-5;
    for (let t = 0; t < 2; t++) {
      const tp = theta.slice(), tm = theta.slice();
      tp[t] += h; tm[t] -= h;
      const hp = chargeRows(at(tp), refsQ, x, scaling, false).h, hm = chargeRows(at(tm), refsQ, x, scaling, false).h;
      for (let r = 0; r < x.rows; r++) {
        const fd = (hp[r] - hm[r]) / (2 * h);
        worst = Math.max(worst, Math.abs(fd - J![r * pAll + p + t]));
        scale = Math.max(scale, Math.abs(fd));
      }
    }
    assert.ok(scale > 1e-3, 'hardness columns not trivially zero');
    assert.ok(worst < 1e-6 * scale, `${s.pbc[0] ? 'PME' : 'open'}: max |J − FD| = ${worst} (scale ${scale})`);
  }
});

test('sr+qeq fit: recovers a known hardness per species (started 30 % off) and the electronegativity difference to 0.1 %', () => {
  // labels: charge equilibration with known χ and J and nothing else (reference/chargeTransfer.ts's QeqPotential)
  const chi = { Na: -2, Cl: 2 }, hard = { Na: 10, Cl: 12 };
  const none = (a: string, b: string) => ({ a, b, aEv: 0, rhoA: 1, sigmaA: 0, cEvA6: 0, dEvA8: 0 });
  const ref = new QeqPotential({ chi, hardness: hard, sigmaA: 0.8, pairs: [none('Na', 'Na'), none('Na', 'Cl'), none('Cl', 'Cl')], cutoffA: 4 });
  const rng = new Rng(21);
  const train = label(Array.from({ length: 6 }, () => randomStructure(rng, 8, 6.5, ['Na', 'Cl'], 2.2, true)), ref);
  const cfg = {
    descriptor: { kind: 'test-pair', species: ['Na', 'Cl'], hypers: { cutoffA: 4, gaussians: 6 } },
    selection: { method: 'fps' as const, count: 20 }, threads: 1 as const,
    charges: { sigmaA: 0.8, count: 0, seed: 3, iterations: 40, tolerance: 1e-10, accuracy: 1e-7, hardness: { Na: 13, Cl: 16 } },
  };
  const r = fitChargeModel(train, cfg);
  assert.ok(r.model instanceof QeqModel);
  const J = Array.from(r.model.hardness), dchi = r.model.chargeOffsets[1] - r.model.chargeOffsets[0];
  assert.ok(Math.abs(J[0] - 10) < 1e-3 * 10 && Math.abs(J[1] - 12) < 1e-3 * 12, `hardness ${J.join(', ')} (want 10, 12)`);
  assert.ok(Math.abs(dchi - 4) < 1e-3 * 4, `χ_Cl − χ_Na = ${dchi} (want 4)`);
  const fixed = fitChargeModel(train, { ...cfg, charges: { ...cfg.charges, fitHardness: false, iterations: 2 } });
  assert.deepEqual(Array.from((fixed.model as QeqModel).hardness), [13, 16], 'fitHardness: false keeps the given values');
});

test('sr+qeq fit: hardnessRidge pulls ln J toward its start (strong ridge: J stays near 13/16; weak: the data win)', () => {
  // the fixture of the recovery test above, fewer iterations; true J 10/12, start 13/16
  const chi = { Na: -2, Cl: 2 }, hard = { Na: 10, Cl: 12 };
  const none = (a: string, b: string) => ({ a, b, aEv: 0, rhoA: 1, sigmaA: 0, cEvA6: 0, dEvA8: 0 });
  const ref = new QeqPotential({ chi, hardness: hard, sigmaA: 0.8, pairs: [none('Na', 'Na'), none('Na', 'Cl'), none('Cl', 'Cl')], cutoffA: 4 });
  const rng = new Rng(21);
  const train = label(Array.from({ length: 6 }, () => randomStructure(rng, 8, 6.5, ['Na', 'Cl'], 2.2, true)), ref);
  const cfg = (hardnessRidge: number) => ({
    descriptor: { kind: 'test-pair', species: ['Na', 'Cl'], hypers: { cutoffA: 4, gaussians: 6 } },
    selection: { method: 'fps' as const, count: 20 }, threads: 1 as const,
    charges: { sigmaA: 0.8, count: 0, seed: 3, iterations: 25, tolerance: 1e-10, accuracy: 1e-7, hardness: { Na: 13, Cl: 16 }, hardnessRidge },
  });
  const strong = Array.from((fitChargeModel(train, cfg(1e4)).model as QeqModel).hardness);
  assert.ok(Math.abs(strong[0] / 13 - 1) < 0.01 && Math.abs(strong[1] / 16 - 1) < 0.01, `strong ridge: J ${strong.join(', ')} (start 13, 16)`);
  const weak = Array.from((fitChargeModel(train, cfg(1e-6)).model as QeqModel).hardness);
  assert.ok(Math.abs(weak[0] / 10 - 1) < 0.01 && Math.abs(weak[1] / 12 - 1) < 0.01, `weak ridge: J ${weak.join(', ')} (true 10, 12)`);
});

/** An open 8-atom structure of two fragments (atoms 0–2: +1, 3–7: −1), its fit rows, a scaling and a random charge model. */
function fragmentFitCase() {
  const base = randomChargeModel(3, { method: 'direct' });
  const s0 = randomStructure(new Rng(5), 8, 6.5);
  const s = makeStructure({ symbols: Array.from(s0.species, (k) => s0.symbols[k]), positions: Array.from(s0.positions), pbc: [false, false, false], info: { indexB: 3, chargeA: 1, chargeB: -1 } });
  const n = s.species.length;
  const x = { s, rows: 1 + 3 * n, eRows: 1, fRows: 3 * n, sRows: 0, params: { method: 'direct' as const } };
  const scaling = { energy: 0.7, forces: 1.3, stress: 40, baselineEv: new Float64Array(2) };
  return { base, s, x, scaling, refsQ: base.chargeRefs, p: base.chargeRefs.nColumns };
}

test('sr+q fit with fragments: Jacobian of the rows = central differences (per-fragment projection)', () => {
  const { base, s, x, scaling, refsQ, p } = fragmentFitCase();
  const v = new Float64Array(p);
  v.set(base.chargeWeights);
  v.set(base.chargeOffsets, refsQ.nRefs);
  const at = (vv: Float64Array): ChargeModel => new ChargeModel({
    ...base.params, fragments: { startKeys: ['indexB'], chargeKeys: ['chargeA', 'chargeB'] },
    charges: base.params.charges.map((c, t) => ({ ...c, weights: vv.slice(refsQ.offsets[t], refsQ.offsets[t] + refsQ.counts[t]), offsetE: vv[refsQ.nRefs + t] })),
  });
  const { J } = chargeRows(at(v), refsQ, x, scaling, true);
  let worst = 0, scale = 0;
  for (let j = 0; j < p; j++) {
    const vp = v.slice(), vm = v.slice();
    vp[j] += 0.5; vm[j] -= 0.5;
    const hp = chargeRows(at(vp), refsQ, x, scaling, false).h, hm = chargeRows(at(vm), refsQ, x, scaling, false).h;
    for (let r = 0; r < x.rows; r++) {
      worst = Math.max(worst, Math.abs(hp[r] - hm[r] - J![r * p + j]));
      scale = Math.max(scale, Math.abs(hp[r] - hm[r]));
    }
  }
  assert.ok(scale > 1e-2, 'Jacobian not trivially zero');
  assert.ok(worst < 1e-8 * scale, `max |J − FD| = ${worst} (scale ${scale})`);
});

test('sr+qeq fit with fragments (open, +1 / −1): Jacobian of the rows in χ weights and ln J = central differences', () => {
  const { base, s, x, scaling, refsQ, p } = fragmentFitCase();
  const v = new Float64Array(p + 2);
  v.set(base.chargeWeights);
  v.set([-1, 2], refsQ.nRefs);
  v.set([Math.log(9), Math.log(13)], p);
  const at = (vv: Float64Array): QeqModel => new QeqModel({
    ...base.params, fragments: { startKeys: ['indexB'], chargeKeys: ['chargeA', 'chargeB'] }, hardness: [Math.exp(vv[p]), Math.exp(vv[p + 1])],
    charges: base.params.charges.map((c, t) => ({ ...c, weights: vv.slice(refsQ.offsets[t], refsQ.offsets[t] + refsQ.counts[t]), offsetE: vv[refsQ.nRefs + t] })),
  });
  const { J } = chargeRows(at(v), refsQ, x, scaling, true, undefined, true);
  const q = at(v).calculate(s, { forces: false }).charges!;
  assert.ok(Math.abs(q[0] + q[1] + q[2] - 1) < 1e-12, 'fragment A keeps +1');
  let worst = 0, scale = 0;
  for (let j = 0; j < p + 2; j++) {
    const h = j < p ? 0.5 : 1e-5; // exact for the χ weights (h quadratic in them), central difference for ln J
    const vp = v.slice(), vm = v.slice();
    vp[j] += h; vm[j] -= h;
    const hp = chargeRows(at(vp), refsQ, x, scaling, false).h, hm = chargeRows(at(vm), refsQ, x, scaling, false).h;
    for (let r = 0; r < x.rows; r++) {
      const fd = (hp[r] - hm[r]) / (2 * h);
      worst = Math.max(worst, Math.abs(fd - J![r * (p + 2) + j]));
      scale = Math.max(scale, Math.abs(fd));
    }
  }
  assert.ok(scale > 1e-3, 'Jacobian not trivially zero');
  assert.ok(worst < 1e-6 * scale, `max |J − FD| = ${worst} (scale ${scale})`);
});
