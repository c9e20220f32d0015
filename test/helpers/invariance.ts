/**
 * Invariance checkers (DESIGN.md rule 9) built on the geometry transforms.
 *
 * Per-atom feature matrices (`features(s)` → N × D row-major Float64Array) must be
 *  - invariant under rotations of positions *and* cell, translations and wrapping into the cell;
 *  - equivariant under permutations: features(P s) row k = features(s) row order[k];
 *  - unchanged by a supercell: row k of the supercell = row k mod N of the original (ASE `repeat` order).
 * Calculators (`checkCalculatorSymmetry`): energy invariant (× number of cells for a supercell), forces rotate as
 * vectors and follow permutations, stress rotates as R σ Rᵀ and is intensive.
 *
 * Comparison: |a − b| ≤ atol + rtol·‖reference‖∞ (norm-based; defaults rtol 1e-9, atol 1e-12).
 * Failures throw assert.AssertionError naming the transformation, atom and column.
 */
import assert from 'node:assert/strict';
import { Rng, transpose3, mul3, type Calculator, type Structure } from '../../src/core/index.js';
import {
  randomRotation, rotateStructure, translateStructure, permuteAtoms, supercell, wrapPositions,
} from '../../src/geometry/index.js';

export type PerAtomFeatures = (s: Structure) => Float64Array;

export type SymmetryCheck = 'rotation' | 'translation' | 'wrap' | 'permutation' | 'supercell';

export interface InvarianceOptions {
  rtol?: number;
  atol?: number;
  /** Number of random rotations (default 2). */
  rotations?: number;
  /** Number of random translations (default 2). */
  translations?: number;
  /** Supercell repetitions (default [2, 1, 1] along periodic directions). */
  reps?: [number, number, number];
  seed?: number;
  /** Which checks `checkInvariance` runs (default all that apply: supercell and wrap need periodicity). */
  checks?: SymmetryCheck[];
  what?: string;
}

/** |a_k − b_k| ≤ atol + rtol·‖b‖∞ for all k; `cols` names row/column in the message. */
export function assertArraysClose(actual: ArrayLike<number>, expected: ArrayLike<number>, cols: number, opts: InvarianceOptions, what: string): void {
  const rtol = opts.rtol ?? 1e-9, atol = opts.atol ?? 1e-12;
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} entries, expected ${expected.length}`);
  let scale = 0;
  for (let k = 0; k < expected.length; k++) scale = Math.max(scale, Math.abs(expected[k]));
  const tol = atol + rtol * scale;
  let worst = -1, worstErr = -1;
  for (let k = 0; k < expected.length; k++) {
    const err = Math.abs(actual[k] - expected[k]);
    if (!(err <= worstErr)) { worstErr = err; worst = k; }
  }
  if (worst >= 0 && !(worstErr <= tol)) {
    const row = Math.floor(worst / cols), col = worst % cols;
    throw new assert.AssertionError({
      message: `${what}: row ${row}, column ${col}: ${actual[worst]} vs ${expected[worst]} (|Δ| = ${worstErr.toExponential(2)} > tolerance ${tol.toExponential(2)})`,
      actual: actual[worst], expected: expected[worst], operator: 'assertArraysClose',
    });
  }
}

function columns(x: Float64Array, s: Structure, what: string): number {
  const n = s.species.length;
  assert.ok(n > 0 && x.length % n === 0, `${what}: feature array of ${x.length} entries is not N × D for N = ${n}`);
  return x.length / n;
}

function periodic(s: Structure): boolean {
  return s.pbc[0] || s.pbc[1] || s.pbc[2];
}

export function checkRotationInvariance(features: PerAtomFeatures, s: Structure, opts: InvarianceOptions = {}): void {
  const rng = new Rng(opts.seed ?? 7);
  const ref = features(s);
  const D = columns(ref, s, 'rotation');
  for (let t = 0; t < (opts.rotations ?? 2); t++)
    assertArraysClose(features(rotateStructure(s, randomRotation(rng))), ref, D, opts, `${opts.what ?? 'features'} not rotation invariant (rotation ${t})`);
}

export function checkTranslationInvariance(features: PerAtomFeatures, s: Structure, opts: InvarianceOptions = {}): void {
  const rng = new Rng((opts.seed ?? 7) + 1);
  const ref = features(s);
  const D = columns(ref, s, 'translation');
  for (let t = 0; t < (opts.translations ?? 2); t++) {
    const v = [rng.range(-3, 3), rng.range(-3, 3), rng.range(-3, 3)];
    assertArraysClose(features(translateStructure(s, v)), ref, D, opts, `${opts.what ?? 'features'} not translation invariant (t = ${v.map((x) => x.toFixed(3))})`);
  }
}

/** Wrapping into the cell after a translation that pushes atoms across the faces. */
export function checkWrapInvariance(features: PerAtomFeatures, s: Structure, opts: InvarianceOptions = {}): void {
  const ref = features(s);
  const D = columns(ref, s, 'wrap');
  const A = s.cell;
  // move every atom by a different lattice vector (−2..2 along periodic directions), then wrap back
  const moved = s.positions.slice();
  for (let i = 0; i < s.species.length; i++)
    for (let d = 0; d < 3; d++) {
      if (!s.pbc[d]) continue;
      const m = ((i * (d + 2)) % 5) - 2;
      for (let c = 0; c < 3; c++) moved[3 * i + c] += m * A[3 * d + c];
    }
  const unwrapped: Structure = { ...s, positions: moved };
  assertArraysClose(features(unwrapped), ref, D, opts, `${opts.what ?? 'features'} change when atoms move by lattice vectors`);
  assertArraysClose(features(wrapPositions(unwrapped)), ref, D, opts, `${opts.what ?? 'features'} change on wrapping into the cell`);
}

export function checkPermutationEquivariance(features: PerAtomFeatures, s: Structure, opts: InvarianceOptions = {}): void {
  const n = s.species.length;
  const order = Array.from({ length: n }, (_, k) => k);
  new Rng((opts.seed ?? 7) + 2).shuffle(order);
  const ref = features(s);
  const D = columns(ref, s, 'permutation');
  const expected = new Float64Array(ref.length);
  for (let k = 0; k < n; k++) expected.set(ref.subarray(order[k] * D, order[k] * D + D), k * D);
  assertArraysClose(features(permuteAtoms(s, order)), expected, D, opts, `${opts.what ?? 'features'} not permutation equivariant`);
}

export function checkSupercellInvariance(features: PerAtomFeatures, s: Structure, opts: InvarianceOptions = {}): void {
  const reps = opts.reps ?? (s.pbc.map((p, d) => (p && d === s.pbc.indexOf(true) ? 2 : 1)) as [number, number, number]);
  const n = s.species.length;
  const ref = features(s);
  const D = columns(ref, s, 'supercell');
  const big = supercell(s, reps);
  const expected = new Float64Array(big.species.length * D);
  for (let k = 0; k < big.species.length; k++) expected.set(ref.subarray((k % n) * D, (k % n) * D + D), k * D);
  assertArraysClose(features(big), expected, D, opts, `${opts.what ?? 'features'} change in a ${reps.join('×')} supercell`);
}

/** Runs the selected (default: all applicable) invariance checks on per-atom features. */
export function checkInvariance(features: PerAtomFeatures, s: Structure, opts: InvarianceOptions = {}): void {
  const checks = opts.checks ?? (periodic(s) ? ['rotation', 'translation', 'wrap', 'permutation', 'supercell'] : ['rotation', 'translation', 'permutation']);
  for (const c of checks) {
    if (c === 'rotation') checkRotationInvariance(features, s, opts);
    else if (c === 'translation') checkTranslationInvariance(features, s, opts);
    else if (c === 'wrap') checkWrapInvariance(features, s, opts);
    else if (c === 'permutation') checkPermutationEquivariance(features, s, opts);
    else checkSupercellInvariance(features, s, opts);
  }
}

/**
 * Symmetry of a Calculator: under a random rotation the energy is unchanged, forces become R F, stress R σ Rᵀ;
 * translations change nothing; permutations permute forces; a supercell multiplies the energy by the number of
 * cells, tiles forces and keeps the stress (periodic structures only).
 */
export function checkCalculatorSymmetry(calc: Calculator, s: Structure, opts: InvarianceOptions = {}): void {
  const rng = new Rng(opts.seed ?? 7);
  const stress = s.pbc[0] && s.pbc[1] && s.pbc[2];
  const ref = calc.calculate(s, { forces: true, stress });
  const n = s.species.length;
  const what = opts.what ?? calc.name;
  const F = ref.forcesEvPerA!;
  const energy = (r: { energyEv: number }, expected: number, t: string): void =>
    assertArraysClose([r.energyEv], [expected], 1, opts, `${what}: energy not ${t}`);
  const checks = opts.checks ?? (periodic(s) ? ['rotation', 'translation', 'wrap', 'permutation', 'supercell'] : ['rotation', 'translation', 'permutation']);
  if (checks.includes('rotation')) {
    const R = randomRotation(rng);
    const r = calc.calculate(rotateStructure(s, R), { forces: true, stress });
    energy(r, ref.energyEv, 'rotation invariant');
    const RF = new Float64Array(3 * n);
    for (let i = 0; i < n; i++)
      for (let a = 0; a < 3; a++) RF[3 * i + a] = R[3 * a] * F[3 * i] + R[3 * a + 1] * F[3 * i + 1] + R[3 * a + 2] * F[3 * i + 2];
    assertArraysClose(r.forcesEvPerA!, RF, 3, opts, `${what}: forces do not rotate with the structure`);
    if (stress) assertArraysClose(r.stressEvPerA3!, mul3(mul3(R, ref.stressEvPerA3!), transpose3(R)), 3, opts, `${what}: stress does not rotate as R σ Rᵀ`);
  }
  if (checks.includes('translation')) {
    const r = calc.calculate(translateStructure(s, [rng.range(-3, 3), rng.range(-3, 3), rng.range(-3, 3)]), { forces: true, stress });
    energy(r, ref.energyEv, 'translation invariant');
    assertArraysClose(r.forcesEvPerA!, F, 3, opts, `${what}: forces change under translation`);
  }
  if (checks.includes('wrap') && periodic(s)) {
    const moved = s.positions.slice();
    for (let i = 0; i < n; i++)
      for (let d = 0; d < 3; d++)
        if (s.pbc[d]) for (let c = 0; c < 3; c++) moved[3 * i + c] += (((i * (d + 2)) % 5) - 2) * s.cell[3 * d + c];
    const r = calc.calculate({ ...s, positions: moved, labels: {} }, { forces: true, stress });
    energy(r, ref.energyEv, 'invariant when atoms move by lattice vectors');
    assertArraysClose(r.forcesEvPerA!, F, 3, opts, `${what}: forces change when atoms move by lattice vectors`);
  }
  if (checks.includes('permutation')) {
    const order = Array.from({ length: n }, (_, k) => k);
    rng.shuffle(order);
    const r = calc.calculate(permuteAtoms(s, order), { forces: true, stress });
    energy(r, ref.energyEv, 'permutation invariant');
    const PF = new Float64Array(3 * n);
    for (let k = 0; k < n; k++) PF.set(F.subarray(3 * order[k], 3 * order[k] + 3), 3 * k);
    assertArraysClose(r.forcesEvPerA!, PF, 3, opts, `${what}: forces do not follow the permutation`);
  }
  if (checks.includes('supercell') && periodic(s)) {
    const reps = opts.reps ?? (s.pbc.map((p, d) => (p && d === s.pbc.indexOf(true) ? 2 : 1)) as [number, number, number]);
    const big = supercell(s, reps);
    const cells = reps[0] * reps[1] * reps[2];
    const r = calc.calculate(big, { forces: true, stress });
    energy(r, cells * ref.energyEv, `extensive in a ${reps.join('×')} supercell`);
    const TF = new Float64Array(3 * n * cells);
    for (let k = 0; k < n * cells; k++) TF.set(F.subarray(3 * (k % n), 3 * (k % n) + 3), 3 * k);
    assertArraysClose(r.forcesEvPerA!, TF, 3, opts, `${what}: forces change in a supercell`);
    if (stress) assertArraysClose(r.stressEvPerA3!, ref.stressEvPerA3!, 3, opts, `${what}: stress changes in a supercell`);
  }
}

/** Largest absolute difference of a from b, relative to b's largest magnitude (max-norm relative error). */
export function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0, s = 0;
  for (let k = 0; k < a.length; k++) {
    e = Math.max(e, Math.abs(a[k] - b[k]));
    s = Math.max(s, Math.abs(b[k]));
  }
  return e / s;
}
