/**
 * Gradient checkers (DESIGN.md rule 9): central finite differences against a hand-written gradient.
 *
 *  - `checkGradient(f, grad, x0, opts)`: any f: ℝⁿ → ℝ.
 *  - `checkForces(energyOf, s, forces)`: forces = −∂E/∂r on positions.
 *  - `checkStrainGradient(energyOf, s, dEdStrain)`: ∂E/∂ε (3×3 row-major) with the deformation of core's
 *    `strained` (r → (1+ε) r, cell rows likewise); `checkStress` takes σ = (1/V) ∂E/∂ε (ASE sign).
 *  - `checkCalculator(calc, s)`: a Calculator: energy invariance (translation, rotation, permutation), forces and stress
 *    by finite differences. Descriptors: `checkDescriptorGradients` in descriptorGradients.ts.
 *
 * Pass criterion, per checked component k: |g_fd,k − g_k| ≤ atol + rtol·‖g_fd‖∞ + noise, with the norm-based scale
 * taken from the finite differences (so a wrong gradient that is zero or huge cannot raise its own tolerance) and
 * noise = 64 ε_machine · max|f(x ± h e_k)| / h, the rounding floor of a central difference (so a floor can only be as
 * large as the arithmetic forces it to be). atol defaults to 0.
 * Failures throw assert.AssertionError naming the worst component, both values and the tolerance.
 */
import assert from 'node:assert/strict';
import { Rng, strained, withPositions, cellVolume, type Calculator, type Structure } from '../../src/core/index.js';
import { checkCalculatorSymmetry, type InvarianceOptions } from './invariance.js';

export interface GradientCheckOptions {
  /** Finite-difference step (default 1e-4, in the units of x). */
  h?: number;
  /** Relative tolerance against ‖g_fd‖∞ (default 1e-6). */
  rtol?: number;
  /** Absolute tolerance (default 0). */
  atol?: number;
  /** Check only this many randomly chosen components (default: all). */
  subset?: number;
  /** Seed for the random subset (default 1). */
  seed?: number;
  /** Check exactly these components (overrides `subset`). */
  components?: readonly number[];
  /** Name of component k in messages (default `component k`). */
  label?: (k: number) => string;
  /** What is being checked, prefixed to the message. */
  what?: string;
}

export interface GradientCheckResult {
  /** max_k |g_fd,k − g_k| / ‖g_fd‖∞ (absolute error when the finite-difference gradient is zero). */
  maxRelError: number;
  maxAbsError: number;
  /** Indices of the components checked. */
  checked: number[];
  /** Finite-difference gradient at the checked components (others NaN). */
  finiteDifference: Float64Array;
}

const EPS = 2.220446049250313e-16;

function chooseComponents(n: number, subset: number | undefined, seed: number, explicit?: readonly number[]): number[] {
  if (explicit) {
    for (const k of explicit) assert.ok(Number.isInteger(k) && k >= 0 && k < n, `component ${k} is not in 0..${n - 1}`);
    return [...explicit];
  }
  const all = Array.from({ length: n }, (_, k) => k);
  if (subset === undefined || subset >= n) return all;
  new Rng(seed).shuffle(all);
  return all.slice(0, subset).sort((a, b) => a - b);
}

export function checkGradient(
  f: (x: Float64Array) => number,
  grad: ArrayLike<number>,
  x0: ArrayLike<number>,
  opts: GradientCheckOptions = {},
): GradientCheckResult {
  const h = opts.h ?? 1e-4, rtol = opts.rtol ?? 1e-6, atol = opts.atol ?? 0;
  const n = x0.length;
  assert.equal(grad.length, n, `${opts.what ?? 'gradient'}: gradient has ${grad.length} entries, x has ${n}`);
  const label = opts.label ?? ((k: number) => `component ${k}`);
  const comps = chooseComponents(n, opts.subset, opts.seed ?? 1, opts.components);
  const fd = new Float64Array(n).fill(NaN);
  const noise = new Float64Array(n);
  const x = Float64Array.from(x0);
  let scale = 0;
  for (const k of comps) {
    x[k] = x0[k] + h;
    const fp = f(x);
    x[k] = x0[k] - h;
    const fm = f(x);
    x[k] = x0[k];
    assert.ok(Number.isFinite(fp) && Number.isFinite(fm), `${opts.what ?? 'gradient'}: f is not finite near x0 (${label(k)})`);
    fd[k] = (fp - fm) / (2 * h);
    noise[k] = (64 * EPS * Math.max(Math.abs(fp), Math.abs(fm))) / h;
    scale = Math.max(scale, Math.abs(fd[k]));
  }
  let maxAbs = 0, worst = -1, worstExcess = -Infinity;
  for (const k of comps) {
    const g = grad[k];
    const err = Number.isFinite(g) ? Math.abs(fd[k] - g) : Infinity;
    maxAbs = Math.max(maxAbs, err);
    const excess = err - (atol + rtol * scale + noise[k]);
    if (excess > worstExcess) { worstExcess = excess; worst = k; }
  }
  const maxRel = scale > 0 ? maxAbs / scale : maxAbs;
  if (worstExcess > 0) {
    const k = worst;
    const tol = atol + rtol * scale + noise[k];
    throw new assert.AssertionError({
      message:
        `${opts.what ?? 'gradient'} check failed at ${label(k)}: finite difference ${fd[k].toPrecision(10)} vs analytic ` +
        `${Number(grad[k]).toPrecision(10)} (|Δ| = ${Math.abs(fd[k] - grad[k]).toExponential(2)} > tolerance ${tol.toExponential(2)}); ` +
        `max relative error ${maxRel.toExponential(2)} over ${comps.length} components, h = ${h}, ‖g_fd‖∞ = ${scale.toExponential(3)}`,
      actual: grad[k],
      expected: fd[k],
      operator: 'checkGradient',
    });
  }
  return { maxRelError: maxRel, maxAbsError: maxAbs, checked: comps, finiteDifference: fd };
}

const XYZ = ['x', 'y', 'z'];
const atomLabel = (k: number): string => `atom ${Math.floor(k / 3)} ${XYZ[k % 3]}`;
const strainLabel = (k: number): string => `ε_${XYZ[Math.floor(k / 3)]}${XYZ[k % 3]}`;

/** Forces are −∂E/∂r: finite differences of `energyOf` over the (subset of) position components. */
export function checkForces(
  energyOf: (s: Structure) => number,
  s: Structure,
  forcesEvPerA: ArrayLike<number>,
  opts: GradientCheckOptions = {},
): GradientCheckResult {
  const grad = Float64Array.from(forcesEvPerA, (x) => -x);
  return checkGradient((x) => energyOf(withPositions(s, Float64Array.from(x))), grad, s.positions, {
    label: atomLabel, what: 'forces', ...opts,
  });
}

export interface StrainCheckOptions extends GradientCheckOptions {
  /**
   * Perturb ε_ab and ε_ba together (6 symmetric components) instead of all 9 independently: checks only the
   * symmetric part, for implementations that return a symmetrised dE/dε.
   */
  symmetric?: boolean;
}

/**
 * ∂E/∂ε at ε = 0 for the deformation r → (1+ε) r, cell rows a → (1+ε) a (core `strained`), 3×3 row-major.
 * Uses h = 1e-5 by default (dimensionless strain).
 */
export function checkStrainGradient(
  energyOf: (s: Structure) => number,
  s: Structure,
  dEdStrain: ArrayLike<number>,
  opts: StrainCheckOptions = {},
): GradientCheckResult {
  assert.equal(dEdStrain.length, 9, 'dE/dε must have 9 entries (3×3 row-major)');
  const o = { h: 1e-5, label: strainLabel, what: 'strain derivative', ...opts };
  if (!opts.symmetric) return checkGradient((e) => energyOf(strained(s, e)), dEdStrain, new Float64Array(9), o);
  // symmetric: parameters (xx, yy, zz, yz, xz, xy) with ε_ab = ε_ba = p for off-diagonal ones
  const pairs = [[0, 0], [1, 1], [2, 2], [1, 2], [0, 2], [0, 1]];
  const toEps = (p: Float64Array): Float64Array => {
    const e = new Float64Array(9);
    pairs.forEach(([a, b], k) => { e[3 * a + b] = p[k]; e[3 * b + a] = p[k]; });
    return e;
  };
  const g = pairs.map(([a, b]) => (a === b ? dEdStrain[4 * a] : dEdStrain[3 * a + b] + dEdStrain[3 * b + a]));
  return checkGradient((p) => energyOf(strained(s, toEps(p))), g, new Float64Array(6), {
    ...o, label: (k) => `symmetric ${strainLabel(3 * pairs[k][0] + pairs[k][1])}`,
  });
}

/** Stress σ = (1/V) ∂E/∂ε, eV/Å³, ASE sign (positive = tensile). */
export function checkStress(
  energyOf: (s: Structure) => number,
  s: Structure,
  stressEvPerA3: ArrayLike<number>,
  opts: StrainCheckOptions = {},
): GradientCheckResult {
  const V = cellVolume(s.cell);
  return checkStrainGradient(energyOf, s, Float64Array.from(stressEvPerA3, (x) => x * V), { what: 'stress', ...opts });
}

export interface CalculatorCheckOptions extends GradientCheckOptions {
  /** Check the stress (default: for fully periodic structures). */
  stress?: boolean;
  /** Strain step (default 1e-5). */
  strainH?: number;
  /** Strain components (row-major 0..8) to check (default all 9). */
  strainComponents?: readonly number[];
  /**
   * Symmetry checks run before the finite differences (`checkCalculatorSymmetry`): default translation, rotation and
   * permutation with rtol 1e-9, atol 1e-12 (energy invariant; forces and stress follow); `false` skips them.
   */
  symmetry?: false | InvarianceOptions;
}

/**
 * A Calculator checked as featomic checks a calculator: energy invariant under translation, rotation and
 * permutation (forces and stress follow), forces = −∂E/∂r and (fully periodic structures, or `stress: true`)
 * stress = (1/V) ∂E/∂ε with ASE's sign, by central finite differences of the energy.
 */
export function checkCalculator(
  calc: Calculator,
  s: Structure,
  opts: CalculatorCheckOptions = {},
): { forces: GradientCheckResult; stress?: GradientCheckResult } {
  const { stress: stressOpt, strainH, strainComponents, symmetry, ...base } = opts;
  if (symmetry !== false)
    checkCalculatorSymmetry(calc, s, { checks: ['translation', 'rotation', 'permutation'], rtol: 1e-9, atol: 1e-12, what: calc.name, ...symmetry });
  const wantStress = stressOpt ?? (s.pbc[0] && s.pbc[1] && s.pbc[2]);
  const r = calc.calculate(s, { forces: true, stress: wantStress });
  assert.ok(r.forcesEvPerA, `${calc.name}: no forces returned`);
  const energyOf = (t: Structure): number => calc.calculate(t, { forces: false, stress: false }).energyEv;
  const forces = checkForces(energyOf, s, r.forcesEvPerA, { what: `${calc.name} forces`, ...base });
  if (!wantStress) return { forces };
  assert.ok(r.stressEvPerA3, `${calc.name}: no stress returned`);
  const stress = checkStress(energyOf, s, r.stressEvPerA3, {
    what: `${calc.name} stress`, ...base, h: strainH ?? 1e-5, components: strainComponents, subset: undefined,
  });
  return { forces, stress };
}
