/**
 * `checkDescriptorGradients(descriptor, structure, opts)`: the descriptor's reverse pass against central finite
 * differences (featomic's `check_gradients`, for our reverse-mode contract).
 *
 * A descriptor has no scalar output, so the check uses a random linear functional of its features,
 *   E(s) = Σ_ik w_ik X_ik(s),   w_ik uniform in [−1, 1) from Rng(seed) (or `opts.weights`),
 * and compares the single dense vjp `backwardOf(d, s, ctx, saved, w)` with finite differences of E:
 *  - positions: dE/dr (3N), every component (or `components` / `subset`);
 *  - strain: dE/dε (3×3 row-major, all 9 independent components) for the deformation r → (1+ε) r, cell rows
 *    a → (1+ε) a (core `strained`), which for a periodic structure is the cell derivative, and for an open
 *    structure still moves every atom, so the strain gradient is checked there too (unless `strain: false`).
 * A random w weighs every column of every atom, so a wrong Jacobian entry anywhere changes E's gradient; the pass
 * criterion is `checkGradient`'s (|Δ| ≤ atol + rtol·‖g_fd‖∞ + rounding floor, default rtol 1e-6).
 * Only `compute` and `vjp` are used (the whole contract). `upstream` checks the vjp of another upstream form
 * instead (the same gradient as a one-entry batch, or as a factored upstream): every form goes through the one
 * entry point, so every form can be checked against finite differences.
 */
import { Rng, type Structure } from '../../src/core/index.js';
import { ComputeContext, denseUpstream, factoredUpstream, rowsUpstream, type Descriptor, type DescriptorGradients, type Upstream } from '../../src/descriptors/index.js';
import { checkForces, checkStrainGradient, type GradientCheckOptions, type GradientCheckResult } from './gradient.js';

export interface DescriptorGradientOptions extends GradientCheckOptions {
  /** Seed of the random weights w (default 1). */
  weightSeed?: number;
  /** Explicit weights w (N × width, row-major) instead of random ones. */
  weights?: Float64Array;
  /** Check dE/dε as well (default true). */
  strain?: boolean;
  /** Finite-difference step for the strain (default 1e-5, dimensionless). */
  strainH?: number;
  /** Strain components to check (default all 9). */
  strainComponents?: number[];
  /** The upstream form that carries w to the vjp (default 'dense'; see upstreamForm). */
  upstream?: UpstreamForm;
}

/**
 * Forms of the same upstream w (N × D) for the vjp: 'dense' (one gradient), 'rows' (a one-entry plain batch),
 * 'view' (a one-entry batch read through a column view of a wider array: stride D + 3, offset 2, scale 0.5 on 2w),
 * 'factored' (the own term only: coefficient 1 on every atom, rows w). Every form represents w exactly.
 */
export type UpstreamForm = 'dense' | 'rows' | 'view' | 'factored';

export function upstreamForm(form: UpstreamForm, w: Float64Array, nat: number, width: number): Upstream {
  if (form === 'dense') return denseUpstream(w);
  if (form === 'rows') return rowsUpstream(w, 1, width);
  if (form === 'view') {
    const stride = width + 3, data = new Float64Array(nat * stride).fill(7);
    for (let i = 0; i < nat; i++) for (let k = 0; k < width; k++) data[i * stride + 2 + k] = 2 * w[i * width + k];
    return rowsUpstream(data, 1, stride, 2, 0.5);
  }
  return factoredUpstream({ count: 1, terms: [], own: { coef: new Float64Array(nat).fill(1), rows: w } });
}

export interface DescriptorGradientResult {
  weights: Float64Array;
  /** The reverse pass at s for upstream w. */
  gradients: DescriptorGradients;
  positions: GradientCheckResult;
  strain?: GradientCheckResult;
}

/** The energy E(s) = Σ w_ik X_ik(s) of the check (a fresh ComputeContext per call, as finite differences need). */
export function linearFunctional(d: Descriptor, w: Float64Array): (s: Structure) => number {
  return (t: Structure): number => {
    const X = d.compute(t, new ComputeContext(t)).features.data;
    if (X.length !== w.length) throw new Error(`${d.kind}: ${X.length} features, ${w.length} weights`);
    let e = 0;
    for (let k = 0; k < X.length; k++) e += w[k] * X[k];
    return e;
  };
}

/** Random weights in [−1, 1) for N × width features. */
export function randomWeights(d: Descriptor, s: Structure, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: s.species.length * d.width }, () => rng.range(-1, 1));
}

export function checkDescriptorGradients(d: Descriptor, s: Structure, opts: DescriptorGradientOptions = {}): DescriptorGradientResult {
  const { weightSeed, weights, strain, strainH, strainComponents, upstream, ...base } = opts;
  const what = base.what ?? (upstream ? `${d.kind} (${upstream} upstream)` : d.kind);
  const w = weights ?? randomWeights(d, s, weightSeed ?? 1);
  const ctx = new ComputeContext(s);
  const out = d.compute(s, ctx);
  const gradients = d.vjp(s, ctx, out.saved, upstreamForm(upstream ?? 'dense', w, s.species.length, d.width));
  const energy = linearFunctional(d, w);
  const o = { rtol: 1e-6, ...base };
  const positions = checkForces(energy, s, gradients.positions.map((x) => -x), { ...o, what: `${what} positions` });
  if (strain === false) return { weights: w, gradients, positions };
  const st = checkStrainGradient(energy, s, gradients.strain, {
    ...o, h: strainH ?? 1e-5, components: strainComponents, subset: undefined, what: `${what} strain`,
  });
  return { weights: w, gradients, positions, strain: st };
}
