/**
 * VASP-style short-range descriptors ('radial', 'angular', 'sr'): values against independent formulas, invariances,
 * backward = finite differences (positions and strain; periodic triclinic and molecule), smoothness at R_cut,
 * isolated pair, hyperparameters (defaults, validation, JSON round-trip).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStructure, Rng, type Structure } from '../../../src/core/index.js';
import {
  ComputeContext, backwardOf, createDescriptor, GaussianProjectionIntegrator, type Descriptor, type DescriptorSpec,
} from '../../../src/descriptors/index.js';
import { checkInvariance } from '../../helpers/invariance.js';
import { checkForces } from '../../helpers/gradient.js';
import { checkDescriptorGradients, linearFunctional } from '../../helpers/descriptorGradients.js';
import { triclinicNaCl, molecule } from './structures.js';

const features = (d: Descriptor) => (s: Structure): Float64Array => d.compute(s, new ComputeContext(s)).features.data;

/** Fixed normal random weights w for E = Σ w_k X_k. */
const normalWeights = (d: Descriptor, s: Structure, seed: number): Float64Array => {
  const rng = new Rng(seed);
  return Float64Array.from({ length: s.species.length * d.width }, () => rng.normal());
};

test('radial X⁽²⁾ of a dimer equals Y₀₀ h_n0(r) from direct quadrature; zero for absent species', () => {
  const d = createDescriptor({ kind: 'radial', species: ['H', 'O'], hypers: {} });
  assert.equal(d.width, 24);
  assert.equal(d.labels[13], 'radial:O:n2');
  const s = makeStructure({ symbols: ['O', 'H'], positions: [[0, 0, 0], [0.3, 1.1, -2.5]] });
  const X = features(d)(s);
  const r = Math.hypot(0.3, 1.1, -2.5);
  const integ = new GaussianProjectionIntegrator(8, 0.5, 12, 0);
  const h = new Float64Array(12), t = new Float64Array(12);
  integ.direct(r, h, t, t);
  const Y00 = 0.5 / Math.sqrt(Math.PI);
  for (let n = 0; n < 12; n++) {
    assert.ok(Math.abs(X[n] - Y00 * h[n]) < 1e-10, `O row, H channel n=${n + 1}`); // atom 0 = O sees H
    assert.equal(X[12 + n], 0); // O sees no O
    assert.ok(Math.abs(X[24 + 12 + n] - Y00 * h[n]) < 1e-10); // atom 1 = H sees O
  }
});

test('angular X⁽³⁾ of a trimer equals the addition-theorem form Σ_{j≠k} ĥĥ (2l+1)/4π P_l(cos θ_jk); isolated pair gives 0', () => {
  const hyp = { nmax: 3, lmax: 4 };
  const d = createDescriptor({ kind: 'angular', species: ['H'], hypers: hyp });
  const pair = makeStructure({ symbols: ['H', 'H'], positions: [[0, 0, 0], [1.1, 0.7, 2.0]] });
  for (const x of features(d)(pair)) assert.ok(Math.abs(x) < 1e-14, `pair feature ${x}`);
  const tri = makeStructure({ symbols: ['H', 'H', 'H'], positions: [[0, 0, 0], [1.1, 0.7, 2.0], [-1.3, 0.4, 0.9]] });
  const X = features(d)(tri);
  const integ = new GaussianProjectionIntegrator(5, 0.5, 3, 4);
  const F = 15, hj = new Float64Array(F), hk = new Float64Array(F), t = new Float64Array(F);
  const p = tri.positions, rj = [p[3], p[4], p[5]], rk = [p[6], p[7], p[8]];
  const dj = Math.hypot(...rj), dk = Math.hypot(...rk);
  integ.direct(dj, hj, t, t);
  integ.direct(dk, hk, t, t);
  const cos = (rj[0] * rk[0] + rj[1] * rk[1] + rj[2] * rk[2]) / (dj * dk);
  const P = [1, cos, (3 * cos ** 2 - 1) / 2, (5 * cos ** 3 - 3 * cos) / 2, (35 * cos ** 4 - 30 * cos ** 2 + 3) / 8];
  let col = 0;
  for (let a = 0; a < 3; a++)
    for (let b = a; b < 3; b++)
      for (let l = 0; l <= 4; l++, col++) {
        const eta = 1 / (1 + 0.002 * (l * (l + 1)) ** 2);
        // j≠k terms: (j,k) and (k,j)
        const cross = eta * eta * (hj[l * 3 + a] * hk[l * 3 + b] + hk[l * 3 + a] * hj[l * 3 + b]) * ((2 * l + 1) / (4 * Math.PI)) * P[l];
        const expected = Math.sqrt((8 * Math.PI ** 2) / (2 * l + 1)) * (a === b ? 1 : Math.SQRT2) * cross;
        assert.ok(Math.abs(X[col] - expected) < 1e-10 * (1 + Math.abs(expected)), `col ${d.labels[col]}: ${X[col]} vs ${expected}`);
      }
});

test('sr = (√0.1 X⁽²⁾, √0.9 X⁽³⁾) with VASP defaults; JSON round-trips; hypers validated', () => {
  const sr = createDescriptor({ kind: 'sr', species: ['Na', 'Cl'], hypers: {} });
  const j = JSON.parse(JSON.stringify(sr.toJSON())) as DescriptorSpec;
  assert.deepEqual(j.hypers, {
    radial: { cutoffA: 8, smearingA: 0.5, nmax: 12 },
    angular: { cutoffA: 5, smearingA: 0.5, nmax: 8, lmax: 3, filter: true, filterStrength: 0.002 },
    radialWeight: 0.1, angularWeight: 0.9,
  });
  assert.deepEqual(createDescriptor(j).toJSON(), j);
  assert.equal(sr.cutoffA, 8);
  assert.equal(sr.width, 24 + 136 * 4);
  const s = triclinicNaCl();
  const X = features(sr)(s);
  const R = features(createDescriptor({ kind: 'radial', species: ['Na', 'Cl'], hypers: {} }))(s);
  const A = features(createDescriptor({ kind: 'angular', species: ['Na', 'Cl'], hypers: {} }))(s);
  for (let i = 0; i < s.species.length; i++) {
    for (let k = 0; k < 24; k++) assert.ok(Math.abs(X[i * sr.width + k] - Math.sqrt(0.1) * R[i * 24 + k]) < 1e-15 * (1 + Math.abs(R[i * 24 + k])));
    for (let k = 0; k < 544; k++) assert.ok(Math.abs(X[i * sr.width + 24 + k] - Math.sqrt(0.9) * A[i * 544 + k]) < 1e-14 * (1 + Math.abs(A[i * 544 + k])));
  }
  const noFilter = createDescriptor({ kind: 'angular', species: ['H'], hypers: { filter: false } }).toJSON().hypers;
  assert.equal(noFilter.lmax, 6);
  assert.throws(() => createDescriptor({ kind: 'sr', species: ['H'], hypers: { radial: { cutoff: 5 } } }), /unknown hyperparameter.*cutoff/);
  assert.throws(() => createDescriptor({ kind: 'angular', species: ['H'], hypers: { lmax: 2.5 } }), /lmax must be an integer/);
  assert.throws(() => createDescriptor({ kind: 'radial', species: ['H'], hypers: { smearingA: -1 } }), /smearingA must be a width > 0/);
  assert.throws(() => createDescriptor({ kind: 'radial', species: ['H', 'H'], hypers: {} }), /duplicates/);
  assert.throws(() => features(createDescriptor({ kind: 'radial', species: ['H'], hypers: {} }))(s), /species 'Na' is not in/);
});

test('invariance: rotation, translation, permutation, wrapping/images, 2×2×2 supercell (periodic triclinic)', () => {
  const d = createDescriptor({ kind: 'sr', species: ['Na', 'Cl'], hypers: {} });
  checkInvariance(features(d), triclinicNaCl(), { rtol: 1e-10, atol: 1e-13, reps: [2, 2, 2], what: 'sr' });
});

test('invariance: rotation, translation, permutation (molecule, three species, lmax 6 without filter)', () => {
  const d = createDescriptor({ kind: 'sr', species: ['H', 'C', 'O'], hypers: { angular: { filter: false } } });
  checkInvariance(features(d), molecule(), { rtol: 1e-10, atol: 1e-13, what: 'sr molecule' });
});

for (const kind of ['radial', 'angular'] as const) {
  test(`${kind}: backward = central finite differences (positions, strain) in a periodic triclinic cell`, () => {
    const d = createDescriptor({ kind, species: ['Na', 'Cl'], hypers: {} });
    const s = triclinicNaCl();
    checkDescriptorGradients(d, s, { weights: normalWeights(d, s, 17), rtol: 1e-6, what: kind });
  });
}

test('sr (3 species, no filter, lmax 6): backward = finite differences for a molecule', () => {
  const d = createDescriptor({ kind: 'sr', species: ['H', 'C', 'O'], hypers: { angular: { filter: false, nmax: 5 } } });
  const s = molecule();
  const { gradients: g } = checkDescriptorGradients(d, s, { weights: normalWeights(d, s, 5), rtol: 1e-6, what: 'sr molecule' });
  // a molecule's descriptor is rotation invariant, so Σ_i r_i × F_i = 0 and the virial is symmetric
  for (const [a, b] of [[1, 3], [2, 6], [5, 7]]) assert.ok(Math.abs(g.strain[a] - g.strain[b]) < 1e-10 * (1 + Math.abs(g.strain[a])));
});

test('meta: the gradient check fails when one component of the backward result is off by 1e-4 relative', () => {
  const d = createDescriptor({ kind: 'angular', species: ['H'], hypers: { nmax: 3 } });
  const s = makeStructure({ symbols: ['H', 'H', 'H'], positions: [[0, 0, 0], [1.1, 0.7, 2.0], [-1.3, 0.4, 0.9]] });
  const w = normalWeights(d, s, 3);
  const ctx = new ComputeContext(s);
  const g = backwardOf(d, s, ctx, d.compute(s, ctx).saved, w);
  const wrong = g.positions.slice();
  wrong[4] *= 1.0001;
  assert.throws(() => checkForces(linearFunctional(d, w), s, wrong.map((x) => -x), { rtol: 1e-6 }));
});

test('smoothness at R_cut: features and gradients go to zero continuously as a neighbour crosses the cutoff', () => {
  for (const kind of ['radial', 'angular'] as const) {
    const d = createDescriptor({ kind, species: ['H'], hypers: {} });
    const R = d.cutoffA;
    const at = (r: number): { X: Float64Array; G: Float64Array } => {
      // centre, a fixed neighbour at 1.5 Å, and a third atom at distance r from the centre (angular needs 3 bodies)
      const s = makeStructure({ symbols: ['H', 'H', 'H'], positions: [[0, 0, 0], [0.9, 1.2, 0], [0, 0.6, Math.sqrt(r * r - 0.36)]] });
      const ctx = new ComputeContext(s), out = d.compute(s, ctx);
      const w = new Float64Array(out.features.data.length).fill(0);
      for (let k = 0; k < d.width; k++) w[k] = 1; // E = Σ_k X_0k
      return { X: out.features.data.slice(0, d.width), G: backwardOf(d, s, ctx, out.saved, w).positions };
    };
    const inside = at(R - 1e-4), outside = at(R + 1e-4), far = at(R - 1);
    let dx = 0, dg = 0, sx = 0, sg = 0;
    for (let k = 0; k < d.width; k++) { dx = Math.max(dx, Math.abs(inside.X[k] - outside.X[k])); sx = Math.max(sx, Math.abs(far.X[k] - outside.X[k])); }
    for (let k = 0; k < 9; k++) { dg = Math.max(dg, Math.abs(inside.G[k] - outside.G[k])); sg = Math.max(sg, Math.abs(far.G[k] - outside.G[k])); }
    // f_cut ~ (π δ/2R)² near R: the jump across ±1e-4 Å is ~1e-8 of the typical size; gradients ~1e-4 of it
    assert.ok(sx > 0 && dx < 1e-6 * sx, `${kind}: feature jump ${dx} vs scale ${sx}`);
    assert.ok(sg > 0 && dg < 1e-3 * sg, `${kind}: gradient jump ${dg} vs scale ${sg}`);
  }
});
