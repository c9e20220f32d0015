/**
 * Block kernels: a sum of kernels on column blocks of the descriptor, and the linear kernel.
 *
 *   K(X_i, X_b) = Σ_k β_k K_k(X_i^{(k)}, X_b^{(k)}),        X^{(k)} = the columns of block k
 *   ∂K/∂X_i^{(k)} = β_k ∂K_k/∂X_i^{(k)}                      (blocks are disjoint column sets)
 *
 * - `linear`: K = X_i·X_b, ∂K/∂X_i = X_b. With a linear kernel on a block, the local energy is linear in that block
 *   per central species: E_i = X_i·(Σ_b w_b X_b). With `whiten: true` the kernel is K = z_i·z_b, z = T(X − c),
 *   c and T fitted on the training environments (`whitening`, `fitKernelData`) and stored in the spec;
 *   ∂K/∂X_i = Tᵀz_b. Same model class, but a well-conditioned regression whose prior is well posed (see
 *   `whitening`: mean-density directions as explicit density coordinates with a physical scale, shrinkage instead
 *   of unit variance for weakly resolved directions). Hypers: whiten, whitenFloor (drop threshold, default 1e-12),
 *   whitenShrink (default 1e-4), densityScale (default 0.05), center + transform (fitted). Model files written
 *   before issue 13 carry their fitted center/transform and predict exactly as before (only fitting changed).
 * - `block`: hypers `{parts: [{kernel: KernelSpec, weight?: β_k (default 1), columns?: [start, end)[]}]}`. Parts
 *   without columns are bound to the top-level blocks of a composite descriptor in order (`bindBlockKernel`;
 *   one part per block).
 *
 * Why (science.md §4.3, §4.6): with `sr+lr` and the paper's polynomial kernel on the whole normalised vector, the
 * long-range (FKK) block dominates |X| (its G = 0 mean-density part is nearly the same vector for every
 * environment), so the kernel is ≈ 1 for every pair and the regression is numerically rank ~2. The electrostatic
 * energy of point charges is linear in the FKK coefficients per central species, so the default kernel for a
 * composite descriptor (`defaultKernelFor`) is the paper's (X̂·X̂_b)^ζ on the normalised short-range block plus a
 * whitened linear kernel on each block the descriptor declares linear in its column metadata (FKK, LODE): the
 * short-range kernel is exactly the paper's, and the long-range part can represent E = ½ Σ_i q_i φ_i. Whitening scales the linear part to ⟨K(x, x)⟩ = 1, like the
 * normalised polynomial kernel (block balancing, scaling.ts, matters for the paper's kernel on the whole vector).
 * The mean-density directions come from the descriptor (meanDensity.ts, passed by the fit to `fitKernelData`).
 *
 * Cost: the sub-kernels' costs (one GEMM each for matrix and gradient). `factoredGradient` exists when every part
 * has one and at most one part has an "own" term (linear has none), so the fast design path applies.
 */
import { FarfieldError, didYouMean } from '../core/index.js';
import type { FactoredUpstream } from './factored.js';
import type { ColumnBlock, ColumnLayout } from '../descriptors/index.js';
import { KERNELS, createKernel, type Kernel, type KernelRows, type KernelSpec, type OutputRows, bindKernel, gatherRuns } from './kernels.js';
import { getLinalg, symmetricEigen } from '../math/index.js';
import { rowOffset } from './kernelScratch.js';

// ---------------------------------------------------------------------------------------------------------------
// linear X_i·X_b

const LINEAR_KEYS = ['whiten', 'whitenFloor', 'whitenShrink', 'densityScale', 'center', 'transform'];

export function linearKernel(hypers: Record<string, unknown> = {}): Kernel {
  const what = 'linear kernel';
  for (const k of Object.keys(hypers))
    if (!LINEAR_KEYS.includes(k))
      throw new FarfieldError('INVALID_INPUT', `${what}: unknown hyperparameter '${k}'${didYouMean(k, LINEAR_KEYS)} (known: ${LINEAR_KEYS.join(', ')})`);
  const whiten = hypers.whiten ?? false;
  if (typeof whiten !== 'boolean') throw new FarfieldError('INVALID_INPUT', `${what}: 'whiten' must be true or false`);
  const floor = hypers.whitenFloor, shrink = hypers.whitenShrink, dscale = hypers.densityScale;
  if (floor !== undefined && !(typeof floor === 'number' && floor > 0 && floor < 1))
    throw new FarfieldError('INVALID_INPUT', `${what}: 'whitenFloor' must be a number in (0, 1), got ${JSON.stringify(floor)}`);
  if (shrink !== undefined && !(typeof shrink === 'number' && shrink >= 0 && shrink < 1))
    throw new FarfieldError('INVALID_INPUT', `${what}: 'whitenShrink' must be a number in [0, 1), got ${JSON.stringify(shrink)}`);
  if (dscale !== undefined && !(typeof dscale === 'number' && dscale > 0 && Number.isFinite(dscale)))
    throw new FarfieldError('INVALID_INPUT', `${what}: 'densityScale' must be a positive number, got ${JSON.stringify(dscale)}`);
  let center: Float64Array | null = null, tr: Float64Array | null = null, r = 0;
  if (hypers.center !== undefined || hypers.transform !== undefined) {
    const c = hypers.center, t = hypers.transform;
    if (!Array.isArray(c) || !c.every((v) => typeof v === 'number' && Number.isFinite(v)))
      throw new FarfieldError('INVALID_INPUT', `${what}: 'center' must be a list of finite numbers`);
    if (!Array.isArray(t) || !t.every((row) => Array.isArray(row) && row.length === c.length && row.every((v: unknown) => typeof v === 'number' && Number.isFinite(v))))
      throw new FarfieldError('INVALID_INPUT', `${what}: 'transform' must be a list of rows of ${c.length} finite numbers`);
    center = Float64Array.from(c as number[]);
    r = t.length;
    tr = new Float64Array(r * center.length);
    (t as number[][]).forEach((row, q) => tr!.set(row, q * center!.length));
  }
  const dot = (a: KernelRows, b: KernelRows, b0: number, b1: number, out: Float64Array): void => {
    const cnt = b1 - b0, w = tr ? r : a.cols;
    if (a.rows === 0 || cnt <= 0) return;
    if (w === 0) {
      out.fill(0, 0, a.rows * cnt);
      return;
    }
    getLinalg().gemm(a.rows, cnt, w, a.t, b.t.subarray(b0 * w, b1 * w), out, { transB: true });
  };
  // v = Σ_b w_b grad_b (= Tᵀ Σ_b w_b z_b) of the last weights per prepared reference block (dropped with it)
  const directions = new WeakMap<KernelRows, { w: Float64Array; v: Float64Array }>();
  const weightedDirection = (b: LinearRows, w: Float64Array, d: number): Float64Array => {
    const hit = directions.get(b);
    if (hit && hit.w.length === w.length && hit.w.every((x, q) => x === w[q])) return hit.v;
    const v = new Float64Array(d), g = b.grad;
    for (let q = 0; q < b.rows; q++) {
      const wq = w[q];
      if (wq !== 0) for (let k = 0; k < d; k++) v[k] += wq * g[q * d + k];
    }
    directions.set(b, { w: Float64Array.from(w), v });
    return v;
  };
  return {
    kind: 'linear',
    prepare(x, rows, cols) {
      if (whiten && !tr)
        throw new FarfieldError('INVALID_INPUT', `${what}: 'whiten' needs 'center' and 'transform' fitted on training features (fitKernelData, done by the fit)`);
      if (!tr) return { rows, cols, x, t: x, aux: new Float64Array(0), grad: x } as LinearRows;
      const d = center!.length;
      if (cols !== d) throw new FarfieldError('INVALID_INPUT', `${what}: fitted for ${d} columns, got ${cols}`);
      // z = T (x − c) (rows × r); grad = Tᵀ z = ∂K(·, x)/∂x_i (rows × d)
      const xc = new Float64Array(rows * d);
      for (let i = 0; i < rows; i++) for (let k = 0; k < d; k++) xc[i * d + k] = x[i * d + k] - center![k];
      const z = new Float64Array(rows * r), g = new Float64Array(rows * d);
      if (rows > 0 && r > 0) {
        getLinalg().gemm(rows, r, d, xc, tr, z, { transB: true });
        getLinalg().gemm(rows, d, r, z, tr, g);
      }
      return { rows, cols, x, t: z, aux: new Float64Array(0), grad: g } as LinearRows;
    },
    matrix(a, b, out = new Float64Array(a.rows * b.rows)) {
      dot(a, b, 0, b.rows, out);
      return out;
    },
    gradient(a, b, coef, out) {
      // Σ_b coef_ib ∂K/∂x_i = Σ_b coef_ib grad_b
      const na = a.rows, nb = b.rows, d = a.cols;
      if (na === 0 || nb === 0 || d === 0) return;
      const tmp = new Float64Array(na * d);
      getLinalg().gemm(na, d, nb, coef, (b as LinearRows).grad, tmp);
      for (let k = 0; k < na * d; k++) out[k] += tmp[k];
    },
    weightedGradient(a, b, w, out) {
      // every row gets v = w·grad_b: one 1 × n_B GEMM row, the same bits as each row of `gradient`'s coef GEMM
      const na = a.rows, nb = b.rows, d = a.cols;
      if (na === 0 || nb === 0 || d === 0) return;
      const v = new Float64Array(d);
      getLinalg().gemm(1, d, nb, w, (b as LinearRows).grad, v);
      for (let i = 0; i < na; i++) for (let c = 0; c < d; c++) out[i * d + c] += v[c];
    },
    gradientPerReference(a, b, b0, b1, _kmat, out, rows) {
      const na = a.rows, d = a.cols, g = (b as LinearRows).grad;
      for (let c = 0; c < b1 - b0; c++)
        for (let i = 0; i < na; i++) {
          const o = (rows ? c * rows.stride + rows.index[i] : c * na + i) * d;
          out.set(g.subarray((b0 + c) * d, (b0 + c + 1) * d), o);
        }
    },
    factoredGradient(a, b, b0, b1, _kmat, index, nat) {
      const d = a.cols, cnt = Math.max(0, b1 - b0);
      const P = new Float64Array(cnt * nat);
      for (let c = 0; c < cnt; c++) for (let i = 0; i < a.rows; i++) P[c * nat + index[i]] = 1;
      return { count: cnt, terms: [{ coef: P, rows: (b as LinearRows).grad.subarray(b0 * d, (b0 + cnt) * d) }] };
    },
    weighted(x, na, d, b, w, energy, grad) {
      // Σ_b w_b K(x_i, x_b) = (x_i − c)·v and Σ_b w_b ∂K/∂x_i = v for every row, v = Tᵀ Σ_b w_b z_b
      // (unwhitened: c = 0, v = Σ_b w_b x_b): O(rows·d), no kernel matrix; v is cached per (references, weights)
      if (center && d !== center.length) throw new FarfieldError('INVALID_INPUT', `${what}: fitted for ${center.length} columns, got ${d}`);
      if (na === 0 || b.rows === 0 || d === 0) return;
      const v = weightedDirection(b as LinearRows, w, d);
      const xd = x.data;
      for (let i = 0; i < na; i++) {
        const o = rowOffset(x, i);
        let e = 0;
        if (center) for (let k = 0; k < d; k++) e += (xd[o + k] - center[k]) * v[k];
        else for (let k = 0; k < d; k++) e += xd[o + k] * v[k];
        energy[i] += e;
      }
      if (!grad) return;
      const gd = grad.data;
      for (let i = 0; i < na; i++) {
        const o = rowOffset(grad, i);
        for (let k = 0; k < d; k++) gd[o + k] += v[k];
      }
    },
    toJSON: () => {
      const fl = {
        ...(floor === undefined ? {} : { whitenFloor: floor }),
        ...(shrink === undefined ? {} : { whitenShrink: shrink }),
        ...(dscale === undefined ? {} : { densityScale: dscale }),
      };
      if (!tr) return { kind: 'linear', hypers: whiten ? { whiten, ...fl } : {} };
      const d = center!.length;
      const transform = Array.from({ length: r }, (_, q) => Array.from(tr!.subarray(q * d, (q + 1) * d)));
      return { kind: 'linear', hypers: { whiten, ...fl, center: Array.from(center!), transform } };
    },
  };
}

interface LinearRows extends KernelRows {
  /** ∂K(·, x)/∂x_i for each row: x itself, or Tᵀ T (x − c) when whitened. */
  grad: Float64Array;
}

/** Default relative eigenvalue floor of the whitening (hyper `whitenFloor`): directions with variance < 1e-12 × the
 * largest are dropped (round-off level of the covariance; nothing is resolved below it). */
export const WHITEN_RELATIVE_FLOOR = 1e-12;

/** Default relative shrinkage of the whitening (hyper `whitenShrink`): δ = 1e-4 × λ_max, see `whitening` (chosen on
 * toy, PBE liquid, xTB one-density and dimer runs, docs/RESULTS.md § "Long-range block: well-posed whitening"). */
export const WHITEN_RELATIVE_SHRINK = 1e-4;

/** Default relative scale floor of the mean-density coordinates (hyper `densityScale`): 5 % of the mean density. */
export const DENSITY_RELATIVE_SCALE = 0.05;

export interface WhiteningOptions {
  /** Directions with variance ≤ floor × λ_max are dropped (default WHITEN_RELATIVE_FLOOR). */
  floor?: number;
  /** Shrinkage δ = shrink × λ_max of the structural directions (default WHITEN_RELATIVE_SHRINK). */
  shrink?: number;
  /** Mean-density directions γ_J over the block's columns (meanDensity.ts); zero vectors are ignored. */
  densityDirections?: readonly Float64Array[];
  /** Scale floor κ of the density coordinates, relative to their mean (default DENSITY_RELATIVE_SCALE). */
  densityScale?: number;
}

/** Symmetric (pseudo-)inverse square-root helper: eigen-decomposition of a small SPD matrix, inverse (λ > 0 only). */
function pinvSym(a: Float64Array, m: number): Float64Array {
  const { values, vectors } = symmetricEigen(a, m);
  const lmax = Math.max(0, values[m - 1]);
  const inv = new Float64Array(m * m);
  for (let k = 0; k < m; k++)
    if (values[k] > 1e-14 * lmax) for (let p = 0; p < m; p++) for (let q = 0; q < m; q++) inv[p * m + q] += (vectors[p * m + k] * vectors[q * m + k]) / values[k];
  return inv;
}

/**
 * Whitening of a linear kernel from training rows x (n × d): z = T(x − c), c = the mean, with a prior that is well
 * posed by construction — no direction the training data do not resolve is scaled up.
 *
 * Why: the Bayesian solver puts the same prior N(0, σ_w²) on every coordinate of z. Plain whitening (z with
 * covariance I/r over every direction with λ > 1e-12 λ_max, the rule before issue 13) makes a direction with
 * 1e-12 of the largest variance as "cheap" as the best-resolved one, so its weight is set by whatever residual it
 * happens to correlate with, and a new input that moves along it by more than its (tiny) training spread gets an
 * arbitrary energy: an sr+lr model fitted at one density predicted +799 eV/atom 2 % denser (issue 13), and FKK
 * fitted on 4–12 Å dimer scans ran away beyond 12 Å (docs/RESULTS.md, charged dimers). Two kinds of such directions
 * exist in a long-range block, and each is treated where it comes from:
 *
 * 1. Mean-density directions (FKK's G = 0 term, meanDensity.ts): every feature vector is x = x' + Σ_J ρ_J γ_J with
 *    fixed γ_J, so a change of density moves along span{γ_J} by an amount that does not depend on the structure.
 *    In a one-density training set these coordinates are nearly constant (measured on the 81 xTB MD frames: s_J =
 *    ρ_J to 2e-5, spread 2e-5 of the mean); whitening them to unit variance turns a 2 % density change into ~10³
 *    prior standard deviations. Here they are taken out
 *    of the structural coordinates, y = (I − ΓΓ⁺)(x − c) (so a pure density change leaves y unchanged), and kept as
 *    explicit density coordinates s = Γ⁺(x − c) (s_J = change of ρ_J for a pure density change), scaled by
 *    max(sd(s_J), κ·|s̄_J|) with κ = `densityScale` (default 5 %): a density change of 5 % is one prior standard
 *    deviation when the data have no density spread, and the data's own spread when they have one (several
 *    densities). So one-density data give a density response of zero mean and a prior variance that grows with
 *    (Δρ/κρ)², the predictive variance an extrapolation in density should have.
 * 2. Near-null structural directions (e.g. nearly collinear slow Slater channels, ζ ≪ 1/L): the covariance of y,
 *    C_y = V Λ Vᵀ, is whitened with a shrinkage, z_k = v_k·y / √((λ_k + δ)·r_eff), δ = `whitenShrink`·λ_max,
 *    r_eff = Σ_k λ_k/(λ_k + δ) (so ⟨|z|²⟩ = 1 over the training rows, the scale of a normalised polynomial
 *    kernel). Directions with λ_k ≫ δ are whitened as before; those with λ_k ≪ δ keep their natural (small) scale,
 *    i.e. their prior is the prior in the original metric, with unit-variance prior ≤ 1/δ per unit displacement:
 *    the data can still use them, at the price the evidence charges, but the prior no longer blows them up.
 *    Directions at the round-off level (λ ≤ `whitenFloor`·λ_max) carry no data and are dropped.
 *
 * The model class is unchanged (E_i is linear in x per species, T is a fixed linear map with the same row space);
 * only the prior, and so the regularisation, changes. T is stored as `transform` (rows: structural directions,
 * then density directions), so prediction and the model-file format are as before.
 */
export function whitening(x: Float64Array, n: number, d: number, opts: WhiteningOptions | number = {}): { center: number[]; transform: number[][] } {
  const o: WhiteningOptions = typeof opts === 'number' ? { floor: opts } : opts;
  const floor = o.floor ?? WHITEN_RELATIVE_FLOOR, shrink = o.shrink ?? WHITEN_RELATIVE_SHRINK, kappa = o.densityScale ?? DENSITY_RELATIVE_SCALE;
  const mu = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mu[k] += x[i * d + k] / n;
  // density directions Γ (d × m), Γ⁺ = (ΓᵀΓ)⁻¹Γᵀ, projector P = I − ΓΓ⁺
  const gam = (o.densityDirections ?? []).filter((g) => g.length === d && g.some((v) => v !== 0));
  const m = gam.length;
  const gpinv: Float64Array[] = [];
  if (m > 0) {
    const gtg = new Float64Array(m * m);
    for (let p = 0; p < m; p++) for (let q = 0; q < m; q++) for (let k = 0; k < d; k++) gtg[p * m + q] += gam[p][k] * gam[q][k];
    const inv = pinvSym(gtg, m);
    for (let p = 0; p < m; p++) {
      const row = new Float64Array(d);
      for (let q = 0; q < m; q++) for (let k = 0; k < d; k++) row[k] += inv[p * m + q] * gam[q][k];
      gpinv.push(row);
    }
  }
  const project = (v: Float64Array): void => {
    // v ← (I − ΓΓ⁺) v
    for (let p = 0; p < m; p++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += gpinv[p][k] * v[k];
      for (let k = 0; k < d; k++) v[k] -= s * gam[p][k];
    }
  };
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  const sMean = new Float64Array(m), sVar = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) row[k] = x[i * d + k] - mu[k];
    for (let p = 0; p < m; p++) {
      let s = 0, a = 0;
      for (let k = 0; k < d; k++) {
        s += gpinv[p][k] * row[k];
        a += gpinv[p][k] * x[i * d + k];
      }
      sVar[p] += (s * s) / n;
      sMean[p] += a / n;
    }
    project(row);
    for (let p = 0; p < d; p++) for (let q = 0; q < d; q++) cov[p * d + q] += (row[p] * row[q]) / n;
  }
  const { values, vectors } = symmetricEigen(cov, d);
  const lmax = Math.max(0, values[d - 1]);
  const delta = shrink * lmax;
  const keep: number[] = [];
  for (let k = d - 1; k >= 0; k--) if (values[k] > floor * lmax && values[k] > 0) keep.push(k);
  let reff = 0;
  for (const k of keep) reff += values[k] / (values[k] + delta);
  const dens: { p: number; scale: number }[] = [];
  for (let p = 0; p < m; p++) {
    const scale = Math.max(Math.sqrt(sVar[p]), kappa * Math.abs(sMean[p]));
    if (scale > 0) {
      dens.push({ p, scale });
      reff += sVar[p] / (scale * scale);
    }
  }
  if (!(reff > 0)) reff = 1;
  const transform = keep.map((k) => {
    const f = 1 / Math.sqrt((values[k] + delta) * reff);
    const v = Float64Array.from({ length: d }, (_, p) => vectors[p * d + k]);
    project(v); // exact zero response to Γ (removes round-off components along γ)
    return Array.from(v, (a) => a * f);
  });
  for (const { p, scale } of dens) {
    const f = 1 / (scale * Math.sqrt(reff));
    transform.push(Array.from(gpinv[p], (a) => a * f));
  }
  return { center: Array.from(mu), transform };
}

/**
 * Fit-time data of a kernel spec: every `linear` kernel (also inside a `block` kernel) with `whiten: true` and no
 * fitted transform gets `center`/`transform` from the training rows (`features[s]` = N_s × width), with the
 * mean-density directions `density` (meanDensity.ts, each over the full width; may be empty). Other specs are
 * returned unchanged.
 */
export function fitKernelData(spec: KernelSpec, features: readonly Float64Array[], width: number, density: readonly Float64Array[] = []): KernelSpec {
  const rowsOf = (cols: number[]): { x: Float64Array; n: number } => {
    let n = 0;
    for (const f of features) n += f.length / width;
    const x = new Float64Array(n * cols.length);
    let o = 0;
    for (const f of features)
      for (let i = 0; i < f.length / width; i++, o++) for (let q = 0; q < cols.length; q++) x[o * cols.length + q] = f[i * width + cols[q]];
    return { x, n };
  };
  const fitLinear = (s: KernelSpec, cols: number[]): KernelSpec => {
    const h = s.hypers ?? {};
    if (s.kind !== 'linear' || h.whiten !== true || h.center !== undefined) return s;
    const { x, n } = rowsOf(cols);
    const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
    const dirs = density.map((g) => Float64Array.from(cols, (c) => g[c]));
    return {
      kind: 'linear',
      hypers: {
        ...h,
        ...whitening(x, n, cols.length, { floor: num(h.whitenFloor), shrink: num(h.whitenShrink), densityScale: num(h.densityScale), densityDirections: dirs }),
      },
    };
  };
  if (spec.kind === 'linear') return fitLinear(spec, Array.from({ length: width }, (_, k) => k));
  if (spec.kind !== 'block') return spec;
  const parts = parseParts(spec.hypers ?? {});
  return {
    kind: 'block',
    hypers: {
      parts: parts.map((p) => {
        const cols: number[] = [];
        for (const [a, b] of p.columns ?? []) for (let c = a; c < b; c++) cols.push(c);
        return { ...p, kernel: fitLinear(p.kernel, cols) };
      }),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// block: Σ_k β_k K_k on column blocks

type Ranges = [number, number][];

interface BlockPartSpec {
  kernel: KernelSpec;
  weight?: number;
  columns?: Ranges;
}

interface BlockRows extends KernelRows {
  parts: KernelRows[];
  /** Sub-kernel matrices of the last `matrix(this, b)` call (reused by the gradients). */
  cache?: { b: KernelRows; mats: Float64Array[] };
}

function parseParts(hypers: Record<string, unknown>): BlockPartSpec[] {
  for (const k of Object.keys(hypers))
    if (k !== 'parts') throw new FarfieldError('INVALID_INPUT', `block kernel: unknown hyperparameter '${k}' (known: parts)`);
  const parts = hypers.parts;
  if (!Array.isArray(parts) || parts.length === 0)
    throw new FarfieldError('INVALID_INPUT', 'block kernel: hypers.parts must be a non-empty list of {kernel, weight?, columns?}');
  return parts.map((raw, k) => {
    const p = raw as BlockPartSpec;
    if (!p || typeof p !== 'object' || !p.kernel || typeof p.kernel.kind !== 'string')
      throw new FarfieldError('INVALID_INPUT', `block kernel: part ${k} must be {kernel: {kind, hypers}, weight?, columns?}`);
    if (p.kernel.kind === 'block') throw new FarfieldError('INVALID_INPUT', `block kernel: part ${k} may not itself be a block kernel`);
    const w = p.weight ?? 1;
    if (typeof w !== 'number' || !(w >= 0) || !Number.isFinite(w))
      throw new FarfieldError('INVALID_INPUT', `block kernel: part ${k} weight must be a finite number ≥ 0, got ${JSON.stringify(p.weight)}`);
    let columns: Ranges | undefined;
    if (p.columns !== undefined) {
      if (!Array.isArray(p.columns)) throw new FarfieldError('INVALID_INPUT', `block kernel: part ${k} columns must be a list of [start, end) ranges`);
      columns = p.columns.map((r, q) => {
        if (!Array.isArray(r) || r.length !== 2 || !r.every((x) => Number.isInteger(x) && x >= 0) || !(r[1] >= r[0]))
          throw new FarfieldError('INVALID_INPUT', `block kernel: part ${k} columns[${q}] must be [start, end), got ${JSON.stringify(r)}`);
        return [r[0], r[1]] as [number, number];
      });
    }
    return { kernel: { kind: p.kernel.kind, hypers: p.kernel.hypers ?? {} }, weight: w, columns };
  });
}

export function blockKernel(hypers: Record<string, unknown> = {}): Kernel {
  const specs = parseParts(hypers);
  specs.forEach((p, k) => {
    if (!p.columns) throw new FarfieldError('INVALID_INPUT', `block kernel: part ${k} has no columns; bind the kernel to a composite descriptor (bindBlockKernel) or give columns`);
  });
  const subs = specs.map((p) => createKernel(p.kernel));
  const weights = specs.map((p) => p.weight!);
  const cols = specs.map((p) => {
    const c: number[] = [];
    for (const [s, e] of p.columns!) for (let j = s; j < e; j++) c.push(j);
    return c;
  });
  // the parts' columns as runs [start, end) of consecutive descriptor columns (copied with one set() per row and run)
  const runs = cols.map((c) => {
    const r: [number, number][] = [];
    for (const j of c) {
      const last = r[r.length - 1];
      if (last && last[1] === j) last[1]++;
      else r.push([j, j + 1]);
    }
    return r;
  });
  const seen = new Set<number>();
  cols.forEach((c, k) => c.forEach((j) => {
    if (seen.has(j)) throw new FarfieldError('INVALID_INPUT', `block kernel: column ${j} belongs to more than one part (part ${k})`);
    seen.add(j);
  }));
  const subMatrices = (a: BlockRows, b: BlockRows): Float64Array[] => {
    if (a.cache && a.cache.b === b) return a.cache.mats;
    const mats = subs.map((s, k) => s.matrix(a.parts[k], b.parts[k]));
    a.cache = { b, mats };
    return mats;
  };
  // Parts whose factored gradient has an own term (Q U): every kind but linear. One own term at most fits the
  // FactoredUpstream form; otherwise the design falls back to the materialised path.
  const ownParts = subs.filter((s, k) => s.kind !== 'linear' && weights[k] !== 0).length;
  const factorable = ownParts <= 1 && subs.every((s) => typeof s.factoredGradient === 'function');

  const kernel: Kernel = {
    kind: 'block',
    prepare(x, rows, width) {
      for (const c of cols) for (const j of c)
        if (j >= width) throw new FarfieldError('INVALID_INPUT', `block kernel: column ${j} outside the descriptor width ${width}`);
      const parts = subs.map((s, k) => {
        const dk = cols[k].length;
        // the polynomial part normalises straight from the block's rows: no gathered copy of its columns (issue 17 load)
        if (s.prepareColumns) return s.prepareColumns(x, rows, width, runs[k], dk);
        const xk = gatherRuns(x, rows, width, runs[k], dk);
        const part = s.prepare(xk, rows, dk);
        if (part.x === xk && part.t !== xk && (part as Partial<LinearRows>).grad !== xk) {
          // no kernel reads the part's column copy after prepare (polynomial keeps t, whitened linear z and grad,
          // vasp its own layout): gathered again from the block's rows when asked for instead of held (issue 17)
          const run = runs[k];
          Object.defineProperty(part, 'x', { get: () => gatherRuns(x, rows, width, run, dk), enumerable: true, configurable: true });
        }
        return part;
      });
      const r: BlockRows = { rows, cols: width, x, t: x, aux: new Float64Array(0), parts };
      return r;
    },
    matrix(a, b, out = new Float64Array(a.rows * b.rows)) {
      const mats = subMatrices(a as BlockRows, b as BlockRows);
      out.fill(0, 0, a.rows * b.rows);
      mats.forEach((m, k) => {
        const w = weights[k];
        if (w !== 0) for (let q = 0; q < a.rows * b.rows; q++) out[q] += w * m[q];
      });
      return out;
    },
    gradient(a, b, coef, out) {
      const A = a as BlockRows, B = b as BlockRows;
      const na = a.rows, nb = b.rows, d = a.cols;
      if (na === 0 || nb === 0) return;
      const mats = subMatrices(A, B);
      subs.forEach((s, k) => {
        const w = weights[k], c = cols[k], dk = c.length;
        if (w === 0 || dk === 0) return;
        let cf = coef;
        if (w !== 1) {
          cf = new Float64Array(na * nb);
          for (let q = 0; q < na * nb; q++) cf[q] = coef[q] * w;
        }
        const g = new Float64Array(na * dk);
        s.gradient(A.parts[k], B.parts[k], cf, g, mats[k]);
        for (let i = 0; i < na; i++) {
          let o = i * dk;
          for (const [a, e] of runs[k]) {
            const base = i * d;
            for (let j = a; j < e; j++) out[base + j] += g[o++];
          }
        }
      });
    },
    gradientPerReference(a, b, b0, b1, _kmat, out, rows?: OutputRows) {
      const A = a as BlockRows, B = b as BlockRows;
      const na = a.rows, d = a.cols, cnt = b1 - b0;
      if (na === 0 || cnt <= 0) return;
      const rowOf = (c: number, i: number): number => (rows ? c * rows.stride + rows.index[i] : c * na + i);
      for (let c = 0; c < cnt; c++) for (let i = 0; i < na; i++) out.fill(0, rowOf(c, i) * d, rowOf(c, i) * d + d);
      const mats = subMatrices(A, B);
      subs.forEach((s, k) => {
        const w = weights[k], col = cols[k], dk = col.length;
        if (w === 0 || dk === 0) return;
        const g = new Float64Array(cnt * na * dk);
        s.gradientPerReference(A.parts[k], B.parts[k], b0, b1, mats[k], g);
        for (let c = 0; c < cnt; c++)
          for (let i = 0; i < na; i++) {
            const o = rowOf(c, i) * d, r = (c * na + i) * dk;
            for (let q = 0; q < dk; q++) out[o + col[q]] += w * g[r + q];
          }
      });
    },
    toJSON: () => ({
      kind: 'block',
      hypers: { parts: specs.map((p, k) => ({ kernel: subs[k].toJSON(), weight: p.weight, columns: p.columns })) },
    }),
  };
  if (subs.every((s) => typeof s.weighted === 'function')) {
    // Σ_k β_k Σ_b w_b K_k: each part reads its columns in place (one run) or from a gathered copy, with weights β_k w
    kernel.weighted = (x, na, width, b, w, energy, grad, scratch): void => {
      const B = b as BlockRows;
      if (na === 0 || b.rows === 0) return;
      subs.forEach((s, k) => {
        const beta = weights[k], dk = cols[k].length, rk = runs[k];
        if (beta === 0 || dk === 0) return;
        for (const c of cols[k]) if (c >= width) throw new FarfieldError('INVALID_INPUT', `block kernel: column ${c} outside the descriptor width ${width}`);
        let wk = w;
        if (beta !== 1) {
          wk = scratch.get('block.w', w.length);
          for (let q = 0; q < w.length; q++) wk[q] = w[q] * beta;
        }
        if (rk.length === 1) {
          const c0 = rk[0][0];
          s.weighted!({ ...x, col0: x.col0 + c0 }, na, dk, B.parts[k], wk, energy, grad && { ...grad, col0: grad.col0 + c0 }, scratch);
          return;
        }
        // several runs: gather the part's columns, scatter its gradient back
        const xk = scratch.get('block.x', na * dk);
        for (let i = 0; i < na; i++) {
          const o = rowOffset(x, i);
          let q = i * dk;
          for (const [a, e] of rk) for (let j = a; j < e; j++) xk[q++] = x.data[o + j];
        }
        const gk = grad ? scratch.get('block.g', na * dk).fill(0) : null;
        s.weighted!({ data: xk, stride: dk, col0: 0, index: null }, na, dk, B.parts[k], wk, energy, gk && { data: gk, stride: dk, col0: 0, index: null }, scratch);
        if (!grad || !gk) return;
        for (let i = 0; i < na; i++) {
          const o = rowOffset(grad, i);
          let q = i * dk;
          for (const [a, e] of rk) for (let j = a; j < e; j++) grad.data[o + j] += gk[q++];
        }
      });
    };
  }
  if (subs.every((s) => typeof s.weightedGradient === 'function')) {
    // gradient with the weights on every row: per part β_k w (gradient's coef·β_k, the same products)
    kernel.weightedGradient = (a, b, w, out): void => {
      const A = a as BlockRows, B = b as BlockRows;
      const na = a.rows, nb = b.rows, d = a.cols;
      if (na === 0 || nb === 0) return;
      const mats = subMatrices(A, B);
      subs.forEach((s, k) => {
        const beta = weights[k], dk = cols[k].length;
        if (beta === 0 || dk === 0) return;
        const wk = beta === 1 ? w : Float64Array.from(w, (x) => x * beta);
        const g = new Float64Array(na * dk);
        s.weightedGradient!(A.parts[k], B.parts[k], wk, g, mats[k]);
        for (let i = 0; i < na; i++) {
          let o = i * dk;
          for (const [c0, c1] of runs[k]) for (let j = c0; j < c1; j++) out[i * d + j] += g[o++];
        }
      });
    };
  }
  if (subs.some((s) => typeof s.prepack === 'function')) {
    kernel.prepack = (b): void => {
      subs.forEach((s, k) => {
        if (weights[k] !== 0) s.prepack?.((b as BlockRows).parts[k]);
      });
    };
  }
  if (factorable) {
    kernel.factoredGradient = (a, b, b0, b1, _kmat, index, nat): FactoredUpstream => {
      const A = a as BlockRows, B = b as BlockRows;
      const d = a.cols, cnt = Math.max(0, b1 - b0);
      const mats = subMatrices(A, B);
      const terms: { coef: Float64Array; rows: Float64Array }[] = [];
      let own: { coef: Float64Array; rows: Float64Array } | undefined;
      const scaled = (v: Float64Array, w: number): Float64Array => (w === 1 ? v : Float64Array.from(v, (x) => x * w));
      subs.forEach((s, k) => {
        const w = weights[k], col = cols[k], dk = col.length;
        if (w === 0 || dk === 0) return;
        const up = s.factoredGradient!(A.parts[k], B.parts[k], b0, b1, mats[k], index, nat);
        for (const t of up.terms) {
          const rows = new Float64Array(cnt * d);
          for (let c = 0; c < cnt; c++) for (let q = 0; q < dk; q++) rows[c * d + col[q]] = t.rows[c * dk + q];
          terms.push({ coef: scaled(t.coef, w), rows });
        }
        if (up.own) {
          const rows = new Float64Array(nat * d);
          for (let i = 0; i < nat; i++) for (let q = 0; q < dk; q++) rows[i * d + col[q]] = up.own.rows[i * dk + q];
          own = { coef: scaled(up.own.coef, w), rows };
        }
      });
      return own ? { count: cnt, terms, own } : { count: cnt, terms };
    };
  }
  return kernel;
}

KERNELS.register('linear', linearKernel);
KERNELS.register('block', blockKernel);

/** Top-level column blocks of a descriptor with several (a composite); null for a single block. */
function topBlocks(d: ColumnLayout): readonly ColumnBlock[] | null {
  return d.columnBlocks.length >= 2 ? d.columnBlocks : null;
}

/** One column block as a layout of its own (columns from 0), for binding a part's kernel to its block. */
function blockLayout(b: ColumnBlock): ColumnLayout {
  const w = b.end - b.start;
  const groups = b.groups.map((g) => ({ ...g, start: g.start - b.start, end: g.end - b.start }));
  return { kind: b.name, width: w, columnBlocks: [{ ...b, start: 0, end: w, groups }] };
}

/**
 * Complete a kernel spec for a descriptor: a `block` kernel's parts without columns get the top-level blocks of the
 * composite descriptor in order, and each part's kernel is bound to its block (`bindKernel`, e.g. `vasp` columns);
 * other kinds go through `bindKernel`.
 */
export function bindBlockKernel(spec: KernelSpec, descriptor: ColumnLayout): KernelSpec {
  if (spec.kind !== 'block') return bindKernel(spec, descriptor);
  const parts = parseParts(spec.hypers ?? {});
  if (parts.every((p) => p.columns)) return spec;
  const blocks = topBlocks(descriptor);
  if (!blocks || blocks.length !== parts.length)
    throw new FarfieldError('INVALID_INPUT', `block kernel: ${parts.length} part(s) without columns need a composite descriptor with as many top-level blocks (descriptor '${descriptor.kind}' has ${blocks?.length ?? 1})`);
  return {
    kind: 'block',
    hypers: {
      parts: parts.map((p, k) => {
        const blk = blocks[k];
        return { kernel: p.columns ? p.kernel : bindKernel(p.kernel, blockLayout(blk)), weight: p.weight, columns: p.columns ?? [[blk.start, blk.end]] };
      }),
    },
  };
}

/** The paper's kernel (polipy "poli", ζ = 4) on the whole normalised descriptor. */
export const PAPER_KERNEL: KernelSpec = { kind: 'polynomial', hypers: { zeta: 4 } };

/**
 * Default linear kernel of a block whose energy is linear in its columns (one leaf group with `linear` set, e.g.
 * FKK, LODE), null for any other block: whitened with the defaults of `whitening` (mean-density coordinates,
 * shrinkage) for density coefficients (FKK); potential coefficients (LODE) keep plain whitening (`whitenShrink: 0`;
 * they have no G = 0 term, so this is exactly the whitening before issue 13): measured on the charged dimers,
 * shrinkage 1e-4 made LODE's distance extrapolation worse (CC 68 → 117, CP 35 → 40 meV per dimer) while it made
 * FKK's better (963 → 426, 1038 → 70), docs/RESULTS.md.
 */
function linearDefault(block: ColumnBlock): KernelSpec | null {
  const linear = block.groups.length === 1 ? block.groups[0].linear : null;
  if (linear === 'potential') return { kind: 'linear', hypers: { whiten: true, whitenShrink: 0 } };
  if (linear === 'density') return { kind: 'linear', hypers: { whiten: true } };
  return null;
}

/**
 * Default kernel for a descriptor: the paper's polynomial kernel for a single column block (e.g. 'sr'); for a
 * composite with several top-level blocks ('sr+lr', 'sr+lode') a block kernel: (X̂·X̂_b)^4 on each non-linear
 * block, linear on each block whose energy is linear in its columns (column metadata `linear`: FKK, LODE). Chosen
 * on validation data (docs/model.md, "How the default was chosen").
 */
export function defaultKernelFor(descriptor: ColumnLayout): KernelSpec {
  const blocks = topBlocks(descriptor);
  if (!blocks) return PAPER_KERNEL;
  return {
    kind: 'block',
    hypers: {
      parts: blocks.map((b) => ({ kernel: linearDefault(b) ?? PAPER_KERNEL, weight: 1 })),
    },
  };
}

/**
 * Reference environments of one species for a block kernel with linear parts (fit time). A kernel model
 * E_i = Σ_b w_b K(X_i, X_b) with K = Σ_k β_k K_k gives each reference ONE weight for all parts, which ties the
 * long-range linear function to the short-range references (measured: toy point charges, 30 frames, 20 references:
 * validation force RMSPE 17 % tied vs 0.3 % for the linear long-range model alone). Untied form, exactly
 *
 *   E_i = Σ_b w_b Σ_{k non-linear} β_k K_k(X_i, X_b) + Σ_{k linear} β_k v_k·z_k(X_i)   (+ e_t),
 *
 * is obtained with references only:
 * - every selected reference keeps its non-linear blocks, and each linear block is set to its neutral value
 *   (c_k when whitened, so z_k = 0; else 0), so it contributes through the non-linear parts only;
 * - per linear part k, r_k pseudo-references: block k = c_k + T_k⁺ e_q (so z_k = e_q and K_k(X_i, ref) = z_kq),
 *   other linear blocks neutral, non-linear blocks zero (a zero block has K = 0 and ∂K = 0 for polynomial/vasp).
 * The pseudo-reference weights are the coefficients v_k. Only when every non-linear part is polynomial or vasp
 * (a zero block is neutral); otherwise the rows are returned unchanged (tied weights).
 */
export function blockReferences(spec: KernelSpec, rows: Float64Array, width: number): Float64Array {
  if (spec.kind !== 'block') return rows;
  const parts = parseParts(spec.hypers ?? {});
  if (!parts.some((p) => p.kernel.kind === 'linear')) return rows;
  if (!parts.every((p) => ['linear', 'polynomial', 'vasp'].includes(p.kernel.kind) && p.columns)) return rows;
  const colsOf = (p: BlockPartSpec): number[] => {
    const c: number[] = [];
    for (const [a, b] of p.columns!) for (let j = a; j < b; j++) c.push(j);
    return c;
  };
  const lin = parts.filter((p) => p.kernel.kind === 'linear').map((p) => {
    const cols = colsOf(p), h = p.kernel.hypers ?? {};
    const dk = cols.length;
    const center = Array.isArray(h.center) ? Float64Array.from(h.center as number[]) : new Float64Array(dk);
    // pseudo-inverse rows of T (r × dk): T⁺ = Tᵀ (T Tᵀ)⁻¹ (T has full row rank); identity without whitening
    let pinv: Float64Array[];
    if (Array.isArray(h.transform)) {
      const T = (h.transform as number[][]).map((r) => Float64Array.from(r));
      const r = T.length;
      const G = new Float64Array(r * r);
      for (let p = 0; p < r; p++) for (let q = 0; q < r; q++) G[p * r + q] = T[p].reduce((s, v, k) => s + v * T[q][k], 0);
      const { values, vectors } = symmetricEigen(G, r);
      const Ginv = new Float64Array(r * r);
      for (let k = 0; k < r; k++)
        if (values[k] > 0) for (let p = 0; p < r; p++) for (let q = 0; q < r; q++) Ginv[p * r + q] += (vectors[p * r + k] * vectors[q * r + k]) / values[k];
      pinv = Array.from({ length: r }, (_, q) => {
        const v = new Float64Array(dk);
        for (let p = 0; p < r; p++) for (let k = 0; k < dk; k++) v[k] += T[p][k] * Ginv[p * r + q];
        return v;
      });
    } else pinv = Array.from({ length: dk }, (_, q) => Float64Array.from({ length: dk }, (_, k) => (k === q ? 1 : 0)));
    return { cols, center, pinv };
  });
  const n = rows.length / width;
  const extra = lin.reduce((s, l) => s + l.pinv.length, 0);
  const out = new Float64Array((n + extra) * width);
  out.set(rows);
  const neutral = (o: number): void => {
    for (const l of lin) l.cols.forEach((c, k) => { out[o + c] = l.center[k]; });
  };
  for (let i = 0; i < n; i++) neutral(i * width);
  let row = n;
  for (const l of lin)
    for (const v of l.pinv) {
      const o = row++ * width;
      neutral(o); // non-linear blocks stay 0
      l.cols.forEach((c, k) => { out[o + c] = l.center[k] + v[k]; });
    }
  return out;
}
