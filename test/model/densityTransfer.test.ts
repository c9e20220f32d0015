/**
 * Density transfer of the sr+lr model (issue 13 item 3). An sr+lr model fitted at one density used to predict
 * absurd energies at another (+799 eV/atom 2 % denser on xTB NaCl): the whitening of the linear long-range block
 * scaled the mean-density (G = 0) directions, constant in one-density data, up to unit prior variance. Independent
 * yardstick: the sr model (no long-range block) on the same data — its error off the training density is what a
 * model without the G = 0 channels does; the sr+lr energy error must stay within 2× of it, at a density between two
 * training densities and 3 % outside, for point-charge (toy, Ewald) and Fumi–Tosi labels.
 * Also: the mean-density directions of the descriptor equal the analytic G = 0 term Y₀₀N_n·8π/ζ_n³ (science.md §4.3),
 * and the fitted whitening gives a pure density change exactly zero structural response.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStructure, Rng, type Structure } from '../../src/core/index.js';
import { pointCharges, fumiTosiNaCl } from '../../src/reference/index.js';
import { resolveDescriptor } from '../../src/api/fit.js';
import { evaluateModel } from '../../src/api/evaluate.js';
import { fitKernelModel, meanDensityDirections, whitening, type KernelModel } from '../../src/model/index.js';
import type { Calculator } from '../../src/core/index.js';

const N = 16, L0 = 8.0, SPECIES = ['Cl', 'Na'];

/** n ions (alternating Na/Cl) at random positions with a minimum separation in a cube of edge L. */
function randomCube(rng: Rng, L: number, dmin = 2.2): Structure {
  const pos: number[] = [];
  while (pos.length < 3 * N) {
    const p = [rng.range(0, L), rng.range(0, L), rng.range(0, L)];
    let ok = true;
    for (let k = 0; k < pos.length && ok; k += 3) {
      let d2 = 0;
      for (let a = 0; a < 3; a++) {
        const dx = p[a] - pos[k + a];
        d2 += (dx - L * Math.round(dx / L)) ** 2;
      }
      ok = d2 >= dmin * dmin;
    }
    if (ok) pos.push(...p);
  }
  return makeStructure({ symbols: Array.from({ length: N }, (_, i) => (i % 2 ? 'Cl' : 'Na')), positions: pos, cell: [L, 0, 0, 0, L, 0, 0, 0, L] });
}

/** Energy and force labels (no stress: as in the one-density xTB MD set, nothing pins the volume response). */
function labelled(calc: Calculator, rng: Rng, L: number, count: number): Structure[] {
  return Array.from({ length: count }, () => {
    const s = randomCube(rng, L);
    const r = calc.calculate(s, { forces: true, stress: false });
    return { ...s, labels: { energyEv: r.energyEv, forcesEvPerA: r.forcesEvPerA } };
  });
}

/** Edge of the cube whose density is `ratio` × that of edge L. */
const denser = (L: number, ratio: number): number => L / Math.cbrt(ratio);

/** `sr` hypers of the sr block (default: the preset's). */
function fit(train: Structure[], preset: string, sr?: Record<string, unknown>): KernelModel {
  const hypers = sr && (preset === 'sr' ? sr : { sr });
  return fitKernelModel(train, { descriptor: resolveDescriptor(preset, SPECIES, hypers), selection: { count: 24 }, threads: 1 }).model;
}
/** A small sr block (75 columns instead of 568) for the point-charge labels, where sr+lr's error is under 1/12 of
 * sr's with either block (FARFIELD_TEST_VERBOSE=1 prints them; half the CPU with the small one); Fumi–Tosi keeps the
 * default block: its one-density ratio (1.56) is closer to the bound of 2. */
const SMALL_SR = { radial: { nmax: 6, cutoffA: 5 }, angular: { nmax: 3, lmax: 2, cutoffA: 4 } };
const energyRmse = (m: KernelModel, set: Structure[]): number => evaluateModel(m, set).summary.energy!.rmse_meV_per_atom;

for (const [name, calc, srHypers] of [['toy point charges ±1', pointCharges({ Na: 1, Cl: -1 }), SMALL_SR], ['Fumi–Tosi', fumiTosiNaCl(), undefined]] as const) {
  test(`${name}: sr+lr energy error off the training density(ies) ≤ 2× sr's (one density; two densities: between and ±3 % outside)`, () => {
    const rng = new Rng(13);
    const L2 = denser(L0, 1.07);
    const one = labelled(calc, rng, L0, 14);
    const two = [...labelled(calc, rng, L0, 7), ...labelled(calc, rng, L2, 7)];
    const tests = {
      '3 % less dense': labelled(calc, rng, denser(L0, 0.97), 5),
      '3 % denser': labelled(calc, rng, denser(L0, 1.03), 5),
      'between (3.5 % denser)': labelled(calc, rng, denser(L0, 1.035), 5),
      '3 % denser than the denser': labelled(calc, rng, denser(L2, 1.03), 5),
    };
    const cases: [string, Structure[], string[]][] = [
      ['one density', one, ['3 % less dense', '3 % denser']],
      ['two densities', two, ['3 % less dense', 'between (3.5 % denser)', '3 % denser than the denser']],
    ];
    for (const [what, train, at] of cases) {
      const sr = fit(train, 'sr', srHypers), lr = fit(train, 'sr+lr', srHypers);
      for (const k of at) {
        const set = tests[k as keyof typeof tests];
        const eSr = energyRmse(sr, set), eLr = energyRmse(lr, set);
        if (process.env.FARFIELD_TEST_VERBOSE) console.log(`${name} | ${what} | ${k}: sr ${eSr.toPrecision(4)} sr+lr ${eLr.toPrecision(4)} meV/atom`);
        assert.ok(Number.isFinite(eLr) && eLr <= 2 * eSr, `${name}, trained on ${what}, tested ${k}: sr+lr ${eLr.toPrecision(4)} meV/atom vs sr ${eSr.toPrecision(4)}`);
      }
    }
  });
}

test('mean-density directions = the analytic G = 0 term Y₀₀·2ζ^{3/2}·8π/ζ³ per unit density, in the columns of each species', () => {
  const spec = resolveDescriptor('sr+lr', SPECIES);
  const dirs = meanDensityDirections(spec);
  assert.equal(dirs.length, 2);
  const width = dirs[0].length, Y00 = 0.5 / Math.sqrt(Math.PI);
  const zetas = Array.from({ length: 8 }, (_, n) => 2 * 2 ** -n); // fkk defaults ζ_max 2 Å⁻¹, s = 2, 8 channels
  dirs.forEach((g, J) => {
    const start = width - 16 + 8 * J; // fkk block last; species J major, channel n minor
    for (let k = 0; k < width; k++) {
      const n = k - start;
      const want = n >= 0 && n < 8 ? Y00 * 2 * zetas[n] ** 1.5 * 8 * Math.PI / zetas[n] ** 3 : 0;
      assert.ok(Math.abs(g[k] - want) <= 1e-9 * Math.max(1, Math.abs(want)), `γ_${J}[${k}] = ${g[k]}, expected ${want}`);
    }
  });
  assert.deepEqual(meanDensityDirections(resolveDescriptor('sr+lode', SPECIES)), [], 'LODE omits k = 0: no mean-density term');
});

test('whitening with density directions: a pure density shift has no structural response and a bounded density response', () => {
  const g = new Rng(21);
  const n = 400, d = 5;
  const gam = Float64Array.from([1, 10, 100, 1000, 0]);
  const x = new Float64Array(n * d);
  // one density (0.03): structural variation in all columns, density part constant
  for (let i = 0; i < n; i++)
    for (let k = 0; k < d; k++) x[i * d + k] = 0.03 * gam[k] + (k === 4 ? 1 : 1e-3 * (k + 1)) * g.normal() + (k === 3 ? 2e-3 * x[i * d] : 0);
  const { center, transform } = whitening(x, n, d, { densityDirections: [gam] });
  const z = (v: ArrayLike<number>): number[] => transform.map((row) => row.reduce((s, t, k) => s + t * (v[k] - center[k]), 0));
  const shifted = Float64Array.from(center, (c, k) => c + 0.03 * 0.02 * gam[k]); // 2 % denser
  const zs = z(shifted);
  const r = transform.length;
  for (let q = 0; q < r - 1; q++) assert.ok(Math.abs(zs[q]) < 1e-9, `structural z_${q} = ${zs[q]} for a pure density change`);
  // density coordinate: 2 % of the mean density at a 5 % scale → 0.4 / √r_eff, not ~1e4 as with plain whitening
  assert.ok(Math.abs(zs[r - 1]) > 0.05 && Math.abs(zs[r - 1]) < 1, `density z = ${zs[r - 1]}`);
  const plain = whitening(x, n, d, { shrink: 0 });
  const zp = plain.transform.map((row) => row.reduce((s, t, k) => s + t * (shifted[k] - plain.center[k]), 0));
  assert.ok(Math.hypot(...zp) > 30, `plain whitening amplifies the density shift (|z| = ${Math.hypot(...zp)})`);
});

test('fit warns when a linear long-range block sees one density and no stress (its volume response is undetermined)', () => {
  const rng = new Rng(5);
  const calc = pointCharges({ Na: 1, Cl: -1 });
  const one = labelled(calc, rng, L0, 3);
  const two = [...one, ...labelled(calc, rng, denser(L0, 1.05), 2)];
  const withStress = one.map((s) => ({ ...s, labels: { ...s.labels, stressEvPerA3: calc.calculate(s, { forces: false, stress: true }).stressEvPerA3 } }));
  // the warning concerns the linear long-range block: the small sr block (SMALL_SR) is enough around it
  const warned = (train: Structure[], preset: string): boolean =>
    (fitKernelModel(train, { descriptor: resolveDescriptor(preset, SPECIES, preset === 'sr' ? SMALL_SR : { sr: SMALL_SR }), selection: { count: 6 }, threads: 1 }).metadata.solver.warnings ?? [])
      .some((w) => w.includes('one density') && w.includes('stress'));
  assert.equal(warned(one, 'sr+lr'), true, 'sr+lr, one density, no stress');
  assert.equal(warned(two, 'sr+lr'), false, 'sr+lr, two densities (5 % apart)');
  assert.equal(warned(withStress, 'sr+lr'), false, 'sr+lr, one density with stress labels');
  assert.equal(warned(one, 'sr'), false, 'sr has no linear block');
});
