/**
 * Linear solvers for the kernel regression (science.md §1.9), all on the accumulated normal equations
 * A = ΦᵀΦ (M×M), b = Φᵀy, yᵀy and the row count R — the design matrix Φ itself is never held in memory.
 *
 * - `svd`: pseudo-inverse least squares, singular values s < rcond·s_max discarded (the paper: rcond = 1e-9).
 *   Done as the eigendecomposition of the (Jacobi-equilibrated) normal matrix, s² = λ. The normal matrix squares the
 *   condition number: eigenvalues carry absolute errors ≈ M·ε_mach·λ_max, so singular values below
 *   √(M·ε_mach)·s_max (≈ 7e-7 for M = 1000) cannot be resolved from A. The effective cut is therefore
 *   λ ≥ max(rcond², 10·M·ε_mach)·λ_max; it is reported as `effectiveRcond` (= √ of that factor). Equilibration
 *   (columns scaled by 1/√A_jj) removes the part of the ill-conditioning that is only column scale.
 * - `bayes`: Bayesian linear regression with evidence maximisation (MacKay 1992; VASP, Jinnouchi et al. PRB 100,
 *   014105 (2019)): prior w ~ N(0, σ_w² I), noise N(0, σ_v² I). With α = σ_w⁻², β = σ_v⁻² and the eigenvalues
 *   λ_k of A (computed once): γ = Σ βλ_k/(βλ_k + α), w̄ = β(βA + αI)⁻¹b, α ← γ/|w̄|², β ← (R − γ)/|y − Φw̄|²,
 *   every quantity from the eigenbasis in O(M) per iteration (|y − Φw|² = yᵀy − 2wᵀb + wᵀAw). The final weights
 *   come from a Cholesky solve of (A + (α/β) I). Posterior covariance Σ = (βA + αI)⁻¹ = C Cᵀ with
 *   C = V diag((βλ + α)^{−1/2}).
 *   Safeguards (a degenerate design, e.g. a descriptor block dominating |X|, used to drive α → ∞ and the weights
 *   to ~1e-169 while reporting convergence): eigen-directions below the round-off level of A carry no data; the
 *   iteration starts at the best point of an evidence profile over ρ = α/β (β at its fixed point for each ρ) instead
 *   of at σ_v0 = σ_w0 = 1; ρ is bounded to [10·M·ε·λ_max, λ_max]; `info.warnings` reports a bound, non-convergence
 *   and γ < 1 (collapse). Explicit σ_v0/σ_w0 skip the profile and start there.
 *   Log evidence: ½[M ln α + R ln β − β|y−Φw̄|² − α|w̄|² − Σ ln(βλ_k + α) − R ln 2π].
 * - `ridge`: (A + λ I) w = b, λ = `lambda` × mean(diag A), Cholesky.
 * For `svd` and `ridge` the covariance factor is σ̂_v²-scaled: Σ = σ̂_v² A⁺ (resp. (A+λI)⁻¹A(A+λI)⁻¹ ≈ σ̂_v²(A+λI)⁻¹),
 * σ̂_v² = |y − Φw|²/(R − rank).
 * Eigenvalues of A below zero (round-off, |λ| ≲ M ε λ_max) are treated as zero.
 */
import { FarfieldError } from '../core/index.js';
import { getLinalg, symmetricEigen } from '../math/index.js';

export interface NormalEquations {
  /** Number of unknowns M. */
  n: number;
  /** ΦᵀΦ, M×M, full symmetric. */
  a: Float64Array;
  /** Φᵀy, M. */
  b: Float64Array;
  /** yᵀy. */
  yy: number;
  /** Number of design rows R. */
  rows: number;
}

export type SolverConfig =
  | { kind: 'svd'; rcond?: number }
  | { kind: 'bayes'; sigmaV0?: number; sigmaW0?: number; maxIterations?: number; tolerance?: number }
  | { kind: 'ridge'; lambda?: number };

export interface SolveInfo {
  kind: 'svd' | 'bayes' | 'ridge';
  /** Numerical rank used (svd), effective number of parameters γ (bayes), M (ridge). */
  effectiveParameters: number;
  /** Residual sum of squares on the scaled problem. */
  residualSumSquares: number;
  rows: number;
  unknowns: number;
  effectiveRcond?: number;
  sigmaV?: number;
  sigmaW?: number;
  iterations?: number;
  converged?: boolean;
  logEvidence?: number;
  lambda?: number;
  /** bayes: σ_w/σ_v held at a bound of its range (see solveBayes). */
  bounded?: 'lower' | 'upper';
  /** Problems a user should see (collapsed fit, no convergence, bound active); the api prints them. */
  warnings?: string[];
}

export interface SolveResult {
  weights: Float64Array;
  /** Σ = C Cᵀ, C is M×rank row-major (present when requested). */
  covarianceFactor?: { rank: number; data: Float64Array };
  info: SolveInfo;
}

const EPS = 2.220446049250313e-16;

function checkNormal(ne: NormalEquations): void {
  const { n, a, b } = ne;
  if (a.length < n * n || b.length < n) throw new FarfieldError('INVALID_INPUT', `normal equations: sizes do not match M = ${n}`);
  for (let k = 0; k < n * n; k++)
    if (!Number.isFinite(a[k])) throw new FarfieldError('NUMERIC', `normal equations: entry ${k} of ΦᵀΦ is not finite (non-finite descriptor or label?)`);
  for (let k = 0; k < n; k++) if (!Number.isFinite(b[k])) throw new FarfieldError('NUMERIC', `normal equations: entry ${k} of Φᵀy is not finite`);
}

/** wᵀAw for symmetric A. */
function quad(a: Float64Array, n: number, w: Float64Array): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let j = 0; j < n; j++) r += a[i * n + j] * w[j];
    s += w[i] * r;
  }
  return s;
}

function residual(ne: NormalEquations, w: Float64Array): number {
  let wb = 0;
  for (let i = 0; i < ne.n; i++) wb += w[i] * ne.b[i];
  return Math.max(0, ne.yy - 2 * wb + quad(ne.a, ne.n, w));
}

export function solve(ne: NormalEquations, config: SolverConfig, wantCovariance: boolean): SolveResult {
  checkNormal(ne);
  switch (config.kind) {
    case 'svd':
      return solveSvd(ne, config.rcond ?? 1e-9, wantCovariance);
    case 'bayes':
      return solveBayes(ne, config, wantCovariance);
    case 'ridge':
      return solveRidge(ne, config.lambda ?? 1e-8, wantCovariance);
    default:
      throw new FarfieldError('INVALID_INPUT', `unknown solver '${(config as { kind: string }).kind}' (known: svd, bayes, ridge)`);
  }
}

export function solveSvd(ne: NormalEquations, rcond: number, wantCovariance: boolean): SolveResult {
  const n = ne.n;
  if (!(rcond > 0)) throw new FarfieldError('INVALID_INPUT', `svd solver: rcond must be > 0, got ${rcond}`);
  // Jacobi equilibration: Ã = D A D, D = diag(1/√A_jj) (zero columns stay zero).
  const dsc = new Float64Array(n);
  for (let j = 0; j < n; j++) dsc[j] = ne.a[j * n + j] > 0 ? 1 / Math.sqrt(ne.a[j * n + j]) : 0;
  const at = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) at[i * n + j] = ne.a[i * n + j] * dsc[i] * dsc[j];
  const { values, vectors } = symmetricEigen(at, n);
  const lmax = Math.max(0, values[n - 1]);
  const factor = Math.max(rcond * rcond, 10 * n * EPS);
  const cut = factor * lmax;
  const bt = new Float64Array(n);
  for (let j = 0; j < n; j++) bt[j] = ne.b[j] * dsc[j];
  // w̃ = V Λ⁺ Vᵀ b̃, w = D w̃
  const z = new Float64Array(n);
  const keep: number[] = [];
  for (let k = 0; k < n; k++) {
    if (!(values[k] > cut) || lmax === 0) continue;
    keep.push(k);
    let s = 0;
    for (let j = 0; j < n; j++) s += vectors[j * n + k] * bt[j];
    z[k] = s / values[k];
  }
  const w = new Float64Array(n);
  for (const k of keep) for (let j = 0; j < n; j++) w[j] += vectors[j * n + k] * z[k];
  for (let j = 0; j < n; j++) w[j] *= dsc[j];
  const rss = residual(ne, w);
  const rank = keep.length;
  const sigma2 = ne.rows > rank ? rss / (ne.rows - rank) : 0;
  const res: SolveResult = {
    weights: w,
    info: {
      kind: 'svd', effectiveParameters: rank, residualSumSquares: rss, rows: ne.rows, unknowns: n,
      effectiveRcond: Math.sqrt(factor), sigmaV: Math.sqrt(sigma2),
    },
  };
  if (wantCovariance) {
    // Σ = σ̂² D V Λ⁺ Vᵀ D  → C = D V_kept diag(σ̂/√λ)
    const c = new Float64Array(n * rank);
    keep.forEach((k, col) => {
      const f = Math.sqrt(sigma2 / values[k]);
      for (let j = 0; j < n; j++) c[j * rank + col] = dsc[j] * vectors[j * n + k] * f;
    });
    res.covarianceFactor = { rank, data: c };
  }
  return res;
}

export interface EvidenceState {
  alpha: number;
  beta: number;
  gamma: number;
  wNorm2: number;
  rss: number;
  logEvidence: number;
}

/**
 * Evidence quantities for given α, β from the eigen-decomposition of A (values λ, z = Vᵀb). O(M).
 * Exported for tests (the evidence is maximal at the fixed point).
 */
export function evidenceAt(lambda: Float64Array, z: Float64Array, yy: number, rows: number, alpha: number, beta: number): EvidenceState {
  const m = lambda.length;
  let gamma = 0, wn2 = 0, wb = 0, wAw = 0, logdet = 0;
  for (let k = 0; k < m; k++) {
    const l = Math.max(0, lambda[k]);
    const den = beta * l + alpha;
    const wk = (beta * z[k]) / den; // component of w̄ in the eigenbasis
    gamma += (beta * l) / den;
    wn2 += wk * wk;
    wb += wk * z[k];
    wAw += l * wk * wk;
    logdet += Math.log(den);
  }
  const rss = Math.max(0, yy - 2 * wb + wAw);
  const logEvidence = 0.5 * (m * Math.log(alpha) + rows * Math.log(beta) - beta * rss - alpha * wn2 - logdet - rows * Math.log(2 * Math.PI));
  return { alpha, beta, gamma, wNorm2: wn2, rss, logEvidence };
}

export function solveBayes(
  ne: NormalEquations,
  cfg: { sigmaV0?: number; sigmaW0?: number; maxIterations?: number; tolerance?: number },
  wantCovariance: boolean,
): SolveResult {
  const n = ne.n;
  const maxIt = cfg.maxIterations ?? 1000;
  const tol = cfg.tolerance ?? 1e-10;
  const { values, vectors } = symmetricEigen(ne.a.slice(0, n * n), n);
  const z = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += vectors[j * n + k] * ne.b[j];
    z[k] = s;
  }
  // Directions A cannot resolve (λ below the round-off level 10·M·ε·λ_max, as in the svd solver) are treated as
  // exact zeros with no data (λ = 0, z = 0): their z is round-off, and fitting it gave spurious evidence maxima.
  const lmax = Math.max(0, values[n - 1]);
  const floor = 10 * n * EPS * lmax;
  const lam = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    if (values[k] > floor) lam[k] = values[k];
    else z[k] = 0;
  }
  // The regularisation ratio ρ = α/β = σ_v²/σ_w² is kept in [ρ_min, ρ_max]: ρ_min = the resolution floor (keeps
  // A + ρI numerically SPD), ρ_max = λ_max (even the best-determined direction keeps half its least-squares
  // weight, so the weights can never silently collapse to 0; the evidence optimum beyond it means "no signal").
  const rhoMin = Math.max(floor, Number.MIN_VALUE), rhoMax = Math.max(lmax, rhoMin);
  const warnings: string[] = [];
  // Profile of the evidence over ρ with β at its fixed point for that ρ (γ, |w|², rss depend on ρ only):
  // β*(ρ) = (R − γ)/rss, α* = ρβ*. A log grid (4 per decade) picks the start of the fixed-point iteration, so the
  // iteration starts in the basin of the best maximum rather than at an arbitrary σ_w0, σ_v0.
  const atRatio = (rho: number): EvidenceState => {
    const g = evidenceAt(lam, z, ne.yy, ne.rows, rho, 1);
    const beta = g.rss > 0 && ne.rows > g.gamma ? (ne.rows - g.gamma) / g.rss : 1;
    return evidenceAt(lam, z, ne.yy, ne.rows, rho * beta, beta);
  };
  let alpha: number, beta: number;
  let st: EvidenceState;
  if (cfg.sigmaV0 !== undefined || cfg.sigmaW0 !== undefined) {
    beta = 1 / (cfg.sigmaV0 ?? 1) ** 2;
    alpha = 1 / (cfg.sigmaW0 ?? 1) ** 2;
    const rho = Math.min(rhoMax, Math.max(rhoMin, alpha / beta));
    alpha = rho * beta;
    st = evidenceAt(lam, z, ne.yy, ne.rows, alpha, beta);
  } else {
    st = atRatio(rhoMax);
    const decades = Math.max(0, Math.log10(rhoMax / rhoMin));
    const steps = Math.ceil(4 * decades);
    for (let q = 0; q < steps; q++) {
      const c = atRatio(rhoMax * 10 ** (-(q + 1) * decades / steps));
      if (Number.isFinite(c.logEvidence) && c.logEvidence > st.logEvidence) st = c;
    }
    alpha = st.alpha;
    beta = st.beta;
  }
  let it = 0;
  let converged = false;
  let bound: 'lower' | 'upper' | undefined;
  for (it = 1; it <= maxIt; it++) {
    let newAlpha = st.wNorm2 > 0 ? st.gamma / st.wNorm2 : Infinity;
    const newBeta = st.rss > 0 && ne.rows > st.gamma ? (ne.rows - st.gamma) / st.rss : beta;
    if (!(newBeta > 0) || !Number.isFinite(newBeta)) break;
    bound = undefined;
    if (!(newAlpha / newBeta <= rhoMax)) {
      newAlpha = rhoMax * newBeta;
      bound = 'upper';
    } else if (newAlpha / newBeta < rhoMin) {
      newAlpha = rhoMin * newBeta;
      bound = 'lower';
    }
    const change = Math.max(Math.abs(newAlpha - alpha) / alpha, Math.abs(newBeta - beta) / beta);
    alpha = newAlpha;
    beta = newBeta;
    st = evidenceAt(lam, z, ne.yy, ne.rows, alpha, beta);
    if (change < tol) {
      converged = true;
      break;
    }
  }
  if (!converged) warnings.push(`bayes: evidence maximisation did not converge in ${maxIt} iterations (σ_v ${fmtNum(1 / Math.sqrt(beta))}, σ_w ${fmtNum(1 / Math.sqrt(alpha))})`);
  if (bound === 'upper')
    warnings.push(`bayes: the evidence prefers weights → 0 (σ_w/σ_v held at 1/√λ_max); the design explains the targets no better than noise`);
  if (bound === 'lower')
    warnings.push('bayes: regularisation held at the numerical floor of ΦᵀΦ (σ_w/σ_v bound); the fit is close to unregularised least squares');
  if (st.gamma < 1)
    warnings.push(`bayes: only γ = ${fmtNum(st.gamma)} effective parameters of ${n} are determined by the data — the fit has collapsed `
      + '(features nearly identical for every environment? check descriptor block scales, e.g. a long-range block dominating |X|)');
  // Final weights by Cholesky of A + (α/β) I (falls back to the eigenbasis if not numerically SPD).
  let w: Float64Array;
  try {
    const l = ne.a.slice(0, n * n);
    const ratio = alpha / beta;
    for (let i = 0; i < n; i++) l[i * n + i] += ratio;
    const la = getLinalg();
    la.cholesky(l, n);
    w = ne.b.slice(0, n);
    la.choleskySolve(l, n, w, 1);
  } catch {
    w = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const wk = (beta * z[k]) / (beta * lam[k] + alpha);
      for (let j = 0; j < n; j++) w[j] += vectors[j * n + k] * wk;
    }
  }
  const res: SolveResult = {
    weights: w,
    info: {
      kind: 'bayes', effectiveParameters: st.gamma, residualSumSquares: residual(ne, w), rows: ne.rows, unknowns: n,
      sigmaV: 1 / Math.sqrt(beta), sigmaW: 1 / Math.sqrt(alpha), iterations: Math.min(it, maxIt), converged,
      logEvidence: st.logEvidence,
    },
  };
  if (bound) res.info.bounded = bound;
  if (warnings.length) res.info.warnings = warnings;
  if (wantCovariance) {
    const c = new Float64Array(n * n);
    for (let k = 0; k < n; k++) {
      const f = 1 / Math.sqrt(beta * lam[k] + alpha);
      for (let j = 0; j < n; j++) c[j * n + k] = vectors[j * n + k] * f;
    }
    res.covarianceFactor = { rank: n, data: c };
  }
  return res;
}

function fmtNum(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(3) : String(x);
}

export function solveRidge(ne: NormalEquations, lambdaRel: number, wantCovariance: boolean): SolveResult {
  const n = ne.n;
  if (!(lambdaRel > 0)) throw new FarfieldError('INVALID_INPUT', `ridge solver: lambda must be > 0, got ${lambdaRel}`);
  let tr = 0;
  for (let i = 0; i < n; i++) tr += ne.a[i * n + i];
  const lambda = lambdaRel * (tr > 0 ? tr / n : 1);
  const l = ne.a.slice(0, n * n);
  for (let i = 0; i < n; i++) l[i * n + i] += lambda;
  const la = getLinalg();
  la.cholesky(l, n);
  const w = ne.b.slice(0, n);
  la.choleskySolve(l, n, w, 1);
  const rss = residual(ne, w);
  const sigma2 = ne.rows > n ? rss / (ne.rows - n) : rss / Math.max(1, ne.rows);
  const res: SolveResult = {
    weights: w,
    info: { kind: 'ridge', effectiveParameters: n, residualSumSquares: rss, rows: ne.rows, unknowns: n, lambda, sigmaV: Math.sqrt(sigma2) },
  };
  if (wantCovariance) {
    // Σ ≈ σ̂² (A + λI)⁻¹ = σ̂² L⁻ᵀ L⁻¹ → C = σ̂ L⁻ᵀ (solve Lᵀ C = σ̂ I)
    const c = new Float64Array(n * n);
    for (let i = 0; i < n; i++) c[i * n + i] = Math.sqrt(sigma2);
    la.triangularSolve(l, n, c, n, true);
    res.covarianceFactor = { rank: n, data: c };
  }
  return res;
}
