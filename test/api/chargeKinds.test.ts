/**
 * Learned-charge model kinds from metadata (api/modelKinds.ts): 'sr+lr+q' and 'sr+lr+qeq' are the sr+q / sr+qeq
 * models on the sr+lr descriptor (ε and g both see the FKK block). Proven here on a fitted sr+lr+q model: the fit
 * builds the kind's descriptor and charge scheme; forces and stress are finite-difference derivatives of its energy
 * (periodic, Ewald) and forces are (open boundaries, charged, direct sum) — with the FKK sums at 1e-10, so 1e-6 holds; Σq = Q exactly; the model file round trip
 * reproduces energies, forces and charges bit for bit and keeps the FKK block (a file without it cannot rebuild the
 * model); predict writes its charges, MD runs it. compare accepts the kind and tunes its charge width on the validation split like sr+q's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, makeStructure, type Structure } from '../../src/core/index.js';
import { CHARGE_MODEL_KINDS, DESCRIPTOR_PRESETS, compareModels, fitAny, predictStructures, resolveDescriptor, runMolecularDynamics } from '../../src/api/index.js';
import { createDescriptor, type DescriptorSpec } from '../../src/descriptors/index.js';
import { pointCharges } from '../../src/reference/index.js';
import { ChargeModel, QeqModel, parseAnyModel, serializeAnyModel } from '../../src/model/index.js';
import { randomStructure } from '../model/helpers/data.js';
import { checkCalculator } from '../helpers/gradient.js';

const EWALD = { method: 'ewald' as const, alphaPerA: 0.45, realCutoffA: 6, kCutoffPerA: 3.2 };
// small labelled cells (12 ions, ±1 point-charge Ewald labels; balanced Na/Cl) keep the fits to seconds
const LABELS = pointCharges({ Na: 1, Cl: -1 });
const toy: Structure[] = Array.from({ length: 9 }, (_, k) => {
  const s = randomStructure(new Rng(100 + k), 12, 7, ['Na', 'Cl'], 2.2);
  const r = LABELS.calculate(s, { forces: true, stress: true });
  return { ...s, labels: { energyEv: r.energyEv, forcesEvPerA: r.forcesEvPerA, stressEvPerA3: r.stressEvPerA3 } };
});
/** Three FKK channels (ζ 2, 1, 0.5 Å⁻¹) instead of eight: the slow ones cost most in 7 Å cells, and the plumbing is the
 * same; likewise a small sr block (75 columns instead of 568). */
const LR = { sr: { radial: { nmax: 6, cutoffA: 5 }, angular: { nmax: 3, lmax: 2, cutoffA: 4 } }, lr: { count: 3 } };
const CFG = { selection: { count: 6 }, threads: 1 as const, uncertainty: false, charges: { count: 2, iterations: 2, sigmaA: 0.5, accuracy: 1e-4, seed: 2 } };
/** The FKK block's lattice sums to 1e-10 (default 1e-6 absolute, which limits finite differences to ~1e-6 relative). */
function accurateFkk(spec: DescriptorSpec): DescriptorSpec {
  const blocks = (spec.hypers as { blocks: { spec: DescriptorSpec; weight: number }[] }).blocks;
  return { ...spec, hypers: { ...spec.hypers, blocks: blocks.map((b) => (b.spec.kind === 'fkk' ? { ...b, spec: { ...b.spec, hypers: { ...b.spec.hypers, accuracy: 1e-10 } } } : b)) } };
}

/**
 * The fitted model with fixed solver parameters, the accurate FKK block, and charges made large (offsets ±0.8 e,
 * environment weights × 20): here the FKK block absorbs most of the Coulomb energy and the fitted charges are small
 * (≈ ±0.01 e), which would leave the charge adjoint's share of the forces below the finite-difference tolerance.
 */
function withSolver(m: ChargeModel, parameters: typeof EWALD | { method: 'direct' }): ChargeModel {
  const charges = m.params.charges.map((c, t) => ({ ...c, offsetE: c.offsetE + (t === 0 ? 0.8 : -0.8), weights: c.weights.map((w) => 20 * w) }));
  return new ChargeModel({ ...m.params, charges, energy: { ...m.params.energy, descriptor: accurateFkk(m.params.energy.descriptor) }, electrostatics: { ...m.params.electrostatics, parameters } });
}

let fitted: Promise<ChargeModel> | null = null;
function srLrQ(): Promise<ChargeModel> {
  fitted ??= fitAny(toy.slice(0, 3), { ...CFG, descriptors: 'sr+lr+q', descriptorHypers: LR }, { onWarning: () => {} }).then((r) => {
    assert.ok(r.model instanceof ChargeModel);
    return r.model;
  });
  return fitted;
}

test('model kinds: every learned-charge kind names a descriptor preset and a charge scheme', () => {
  for (const [name, k] of Object.entries(CHARGE_MODEL_KINDS)) {
    assert.ok(DESCRIPTOR_PRESETS[k.descriptor], `${name}: descriptor preset '${k.descriptor}'`);
    assert.ok(k.charges === 'latent' || k.charges === 'qeq', `${name}: charge scheme`);
  }
  assert.deepEqual({ d: CHARGE_MODEL_KINDS['sr+lr+q']?.descriptor, c: CHARGE_MODEL_KINDS['sr+lr+q']?.charges }, { d: 'sr+lr', c: 'latent' });
  assert.deepEqual({ d: CHARGE_MODEL_KINDS['sr+lr+qeq']?.descriptor, c: CHARGE_MODEL_KINDS['sr+lr+qeq']?.charges }, { d: 'sr+lr', c: 'qeq' });
});

test('fit sr+lr+q: a latent-charge model on the sr+lr descriptor (FKK block under ε and g)', async () => {
  const m = await srLrQ();
  assert.ok(!(m instanceof QeqModel), 'latent charges, not QEq');
  const spec = resolveDescriptor('sr+lr', ['Na', 'Cl']);
  assert.equal(m.descriptor.toJSON().kind, spec.kind);
  const kinds = (d: DescriptorSpec) => (d.hypers as { blocks: { spec: DescriptorSpec }[] }).blocks.map((b) => b.spec.kind);
  assert.deepEqual(kinds(m.descriptor.toJSON()), kinds(spec), 'the sr+lr blocks (sr, fkk)');
  assert.ok(m.descriptor.width > createDescriptor(resolveDescriptor('sr', ['Na', 'Cl'], LR.sr)).width, 'wider than its sr block: the FKK block');
  assert.deepEqual(m.params.charges.map((c) => c.weights.length), [2, 2], 'charge references per species');
  const q = m.calculate(toy[3], { forces: false, stress: false }).charges!;
  assert.ok(q.every(Number.isFinite) && q.some((x) => x !== 0), 'charges predicted');
});

test('fit sr+lr+qeq: a charge-equilibration model on the sr+lr descriptor', async () => {
  const r = await fitAny(toy.slice(0, 2), { ...CFG, charges: { ...CFG.charges, iterations: 1 }, descriptors: 'sr+lr+qeq', descriptorHypers: LR }, { onWarning: () => {} });
  assert.ok(r.model instanceof QeqModel);
  assert.equal(r.model.descriptor.toJSON().kind, resolveDescriptor('sr+lr', ['Na', 'Cl']).kind);
});

test('sr+lr+q, periodic (Ewald): forces and stress = finite differences of the energy; Σq = 0', async () => {
  const m = withSolver(await srLrQ(), EWALD);
  const s = randomStructure(new Rng(5), 10, 6.5);
  const q = m.calculate(s, { forces: false }).charges!;
  assert.ok(q.some((x) => Math.abs(x) > 0.3), 'charges large enough to matter');
  checkCalculator(m, s, { h: 1e-5, strainH: 1e-5, rtol: 1e-6, symmetry: false });
  assert.ok(Math.abs(q.reduce((a, b) => a + b, 0)) < 1e-13);
});

test('sr+lr+q, open boundaries (direct, Q = +1): forces = finite differences; Σq = Q exactly', async () => {
  const m = withSolver(await srLrQ(), { method: 'direct' });
  const s = randomStructure(new Rng(6), 9, 6.5);
  const open: Structure = makeStructure({ symbols: Array.from(s.species, (k) => s.symbols[k]), positions: Array.from(s.positions), pbc: [false, false, false], info: { charge: 1 } });
  checkCalculator(m, open, { h: 1e-5, rtol: 1e-6, symmetry: false });
  assert.ok(Math.abs(m.calculate(open, { forces: false }).charges!.reduce((a, b) => a + b, 0) - 1) < 1e-13);
});

test('sr+lr+q model file: round trip bit-exact (energy, forces, stress, charges) and the FKK block kept', async () => {
  const m = await srLrQ();
  const text = serializeAnyModel(m);
  const back = parseAnyModel(text, 'mem');
  assert.ok(back instanceof ChargeModel && !(back instanceof QeqModel));
  assert.deepEqual(back.descriptor.toJSON(), m.descriptor.toJSON());
  const s = toy[4];
  const a = m.calculate(s, { forces: true, stress: true }), b = back.calculate(s, { forces: true, stress: true });
  assert.equal(b.energyEv, a.energyEv);
  assert.deepEqual(Array.from(b.forcesEvPerA!), Array.from(a.forcesEvPerA!));
  assert.deepEqual(Array.from(b.stressEvPerA3!), Array.from(a.stressEvPerA3!));
  assert.deepEqual(Array.from(b.charges!), Array.from(a.charges!));
  // a file whose ε descriptor lost the FKK block cannot stand for this model
  const sr = resolveDescriptor('sr', ['Na', 'Cl']);
  assert.notDeepEqual(back.descriptor.toJSON(), sr);
  assert.throws(() => new ChargeModel({ ...m.params, energy: { ...m.params.energy, descriptor: sr } }), /descriptor width/);
});

test('compare --models sr+lr+q: the kind is accepted and its charge width chosen on the validation split', async () => {
  const out = await compareModels({
    data: toy.slice(0, 9), models: ['sr+lr+q'], trainSizes: [3], descriptorHypers: { 'sr+lr+q': LR }, seed: 1, validationSize: 2, chargeWidths: [0.5, 1],
    fit: { ...CFG, charges: { ...CFG.charges, iterations: 1 } },
  });
  const rec = out.results.hyperparameters.tuned?.find((t) => t.model === 'sr+lr+q' && t.parameter === 'charges.sigmaA');
  assert.ok(rec, 'a tuning record for sr+lr+q');
  assert.equal(rec.tried.length, 2);
  const best = rec.tried.reduce((x, y) => (y.score < x.score ? y : x));
  assert.equal(rec.chosen, best.value);
  assert.equal(out.results.runs[0].model, 'sr+lr+q');
});

test('sr+lr+q downstream: predict writes the charges per atom (Σq = Q), MD runs it and conserves energy', async () => {
  const m = await srLrQ();
  const p = predictStructures(m, [toy[5]])[0];
  assert.ok(p.labels.charges && p.labels.charges.length === 12, 'a charges column');
  assert.ok(Math.abs(p.labels.charges.reduce((a, b) => a + b, 0)) < 1e-12);
  const md = runMolecularDynamics({ calculator: m, start: toy[5], steps: 10, timestepFs: 0.5, temperatureK: 300, thermostat: 'nve', guard: false });
  assert.equal(md.steps, 10);
  assert.ok(md.maxConservedExcursionEvPerAtom < 1e-3, `conserved-energy excursion ${md.maxConservedExcursionEvPerAtom} eV/atom`);
});
