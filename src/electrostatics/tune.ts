/**
 * Accuracy → numerical parameters, in one place (DESIGN rule 4; LAMMPS's accuracy_relative idea).
 *
 * The user gives a relative RMS force accuracy ε (default 1e-6), relative to the force between two unit charges
 * 1 Å apart: absolute target ΔF = ε · k_e (eV/Å) on the RMS over atoms of |F − F_exact|, split as ΔF/√2 for each of
 * the real and reciprocal parts. With ⟨q²⟩ = Σ_i Σ_c (q_i^c)² / N, Q² = N⟨q²⟩, volume V (Kolafa & Perram, Mol. Simul.
 * 9, 351 (1992), as used by LAMMPS ewald.cpp / science.md §3.4):
 *   real space        ΔF_r = 2 k_e √(⟨q²⟩ ρ_r / r_c) e^{−α² r_c²},  ρ_r = localChargeDensity at scale 2r_c/3
 *                     (= Q²/V for a uniform system, which gives KP's 2 k_e Q² e^{−α²r_c²}/√(N r_c V); larger when the
 *                     ions fill only part of the cell — issue 13: vacuum);
 *   reciprocal space  ΔF_k = (2 k_e Q² α / L) √(1/(π m N)) e^{−(π m/(α L))²}  per direction (L = perpendicular width,
 *                     m = largest index), i.e. with k_c = 2π m / L the spherical cutoff e^{−k_c²/(4α²)} governs it.
 * Ewald: α = √π (N/V²)^{1/6} · f (cost balance of the two O(N^{3/2}) sums, f = EWALD_BALANCE measured by the bench),
 *        r_c from ΔF_r = ΔF, k_c from ΔF_k = ΔF (one planner candidate; k_c through its kCutoffFor hook).
 * PME:   candidate real cutoffs r_c = (0.8 … 16) × the density rule (≈ REAL_NEIGHBOURS neighbours, clamped to 5 … 12 Å;
 *        the long ones win in dilute cells); for each, α from ΔF_r = ΔF, then for each order p = 4 … 8 the mesh
 *        from the calibrated SPME error (pmeRelativeError: a self part ∝ ⟨q⁴⟩^½ that does not depend on the density
 *        and a pair part ∝ √(⟨q²⟩ ρ_q/α³) with the local density at scale 1/α; the spacing along each lattice
 *        vector |a_d|/K_d, with the stretch |a_d|/w_d of sheared cells — pmeMesh). K_d even 2^a 3^b 5^c
 *        (math/fftMixed.ts). Each (r_c, p) is a candidate of the shared planner (planner.ts planKernel, the mesh
 *        through its meshFor hook); the smallest estimated time wins (PLAN_COST_NS, measured with the bench):
 *          t ≈ c_pair·(pairs tested) + C·(c_spline·N p³ + c_fft·M log₂ M),   pairs ≈ N · 3.7 · (4π/3) ρ r_c³ / 2
 *        (ρ the local number density around r_c). Checked by scripts/analysis/pme-accuracy.ts over a seeded family of cells (sheared, elongated, with vacuum,
 *        2 … 4096 ions): measured/estimated error within [1/3, 3] and measured ≤ 2 ε.
 * Auto: Ewald below AUTO_PME_ATOMS atoms, else PME (crossover measured with `npm run bench -- electrostatics` at 1e-6:
 *       equal CPU time at 64 ions, PME 1.3× faster at 216 and 10× at 512);
 *       open boundaries → direct sum.
 * Every value can be overridden; the result records estimates of the real- and reciprocal-space errors (eV/Å).
 */
import { COULOMB_EV_A, FarfieldError, cellVolume, cellWidths } from '../core/index.js';
import { nextFftSize } from '../math/index.js';
import { chargeDensityProbe, chargeMoments, type ChargeMoments } from './chargeDensity.js';
import { planKernel, PLAN_COST_NS, type FourierChannelSpec, type PlanGeometry, type SplitSpec } from './planner.js';
import { reduceCell } from './reduceCell.js';
import type { ElectrostaticsSystem, Method, SolverParameters } from './solve.js';

export { chargeDensityProbe, chargeMoments, localChargeDensity, type ChargeMoments } from './chargeDensity.js';

export const EWALD_BALANCE = 1.0;
export const REAL_NEIGHBOURS = 120;
export const AUTO_PME_ATOMS = 100;
export const DEFAULT_ORDER = 6;
/** Requested accuracies at or above this use the tabulated real-space kernel (its error is ≲ 1e-7 relative). */
export const TABLE_MIN_ACCURACY = 1e-7;
/** Safety factor on the calibrated SPME error (the requested accuracy is an RMS bound, not a typical value). */
export const PME_SAFETY = 1.4;
/**
 * Calibrated SPME force-error constants (scripts/analysis/pme-error-calibration.ts; random positions in a cubic
 * 15 Å cell, α = 0.5 Å⁻¹, 24 lone-ion samples, melts of 60 and 400 ions ±1): per order p = 4 … 8, the self part
 * s_p(x)/x^p (spurious force on a lone unit charge) and the pair part t_p(x)/x^p (per unit ρ_q/α³), at x = αh in
 * PME_X. Linear interpolation in x; below 0.1 the value at 0.1 × (0.1/x)^½; the mesh search never goes above 0.75.
 */
export const PME_X = [0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.75];
export const PME_SELF_TABLE: Record<number, number[]> = {
  4: [0.28, 0.18, 0.15, 0.1, 0.089, 0.078, 0.076, 0.06],
  5: [0.025, 0.028, 0.026, 0.028, 0.032, 0.05, 0.068, 0.068],
  6: [0.051, 0.038, 0.03, 0.026, 0.028, 0.034, 0.038, 0.038],
  7: [0.011, 0.011, 0.011, 0.015, 0.021, 0.04, 0.057, 0.057],
  8: [0.016, 0.012, 0.011, 0.013, 0.019, 0.03, 0.038, 0.038],
};
export const PME_PAIR_TABLE: Record<number, number[]> = {
  4: [0.27, 0.24, 0.18, 0.15, 0.13, 0.13, 0.14, 0.15],
  5: [0.15, 0.094, 0.088, 0.067, 0.066, 0.07, 0.135, 0.155],
  6: [0.061, 0.042, 0.041, 0.04, 0.042, 0.054, 0.083, 0.117],
  7: [0.037, 0.027, 0.027, 0.025, 0.033, 0.07, 0.154, 0.154],
  8: [0.019, 0.017, 0.017, 0.018, 0.029, 0.06, 0.095, 0.156],
};
const PME_X_MAX = 0.75;
/** αr beyond which the measured SPME pair-error kernel is negligible (scripts/analysis: < 1e-3 of its peak). */
const PME_KERNEL_RANGE = 3;
/**
 * Pairs tested by the linked-cell real-space sum (realspace.ts: half stencil of 27 cells of side ≥ r_c) per pair
 * inside r_c of the full list.
 */
const PAIRS_TESTED_PER_PAIR = 3.7 / 2;

function pmeTable(table: Record<number, number[]>, order: number, x: number): number {
  const row = table[Math.min(8, Math.max(4, Math.round(order)))], xs = PME_X;
  const low = order < 4 ? 10 : 1;
  if (x <= xs[0]) return row[0] * Math.sqrt(xs[0] / Math.max(x, 1e-6)) * low;
  for (let k = 1; k < xs.length; k++)
    if (x <= xs[k]) return (row[k - 1] + ((x - xs[k - 1]) / (xs[k] - xs[k - 1])) * (row[k] - row[k - 1])) * low;
  return 2 * row[row.length - 1] * low;
}

/**
 * Estimated RMS reciprocal-space force error of smooth PME relative to k_e:
 *   ΔF_k/k_e = S α² √( (1/3) Σ_d r_d² [⟨q⁴⟩ s_p(x_d)² + ⟨q²⟩ (ρ_q/α³) t_p(x_d)²] ),   x_d = α |a_d| / K_d,
 * the self part (a charge's spurious force from its own mesh image, independent of the density: it dominates in
 * dilute cells) plus the random-phase pair part (ρ_q: localChargeDensity). Each mesh direction contributes a third
 * of the calibrated (cubic) error at its spacing along its lattice vector a_d (a mode G has index m_d = G·a_d/2π,
 * so the interpolation error of direction d grows with |a_d|/K_d), times the stretch r_d = |a_d|/w_d (w_d the
 * perpendicular width): the aliased mode G + K_d b_d that carries the force error has |b_d| = 2π/w_d. In cells
 * narrower than the kernel's range (α w_d < 3) the images of a charge add coherently: the squared sum is scaled by
 * Π_d max(1, 3/(α w_d)) (a 4-ion 5.3 × 26 × 3.8 Å cell was underestimated 3.5× without it).
 */
export function pmeRelativeError(order: number, alpha: number, spacings: readonly number[], m: ChargeMoments, stretch: readonly number[] = [1, 1, 1], widths?: readonly number[]): number {
  let sum = 0;
  // cells narrower than the error kernel's range (≈ 3/α): the images of a charge add coherently
  let coherence = 1;
  if (widths) for (const w of widths) coherence *= Math.max(1, PME_KERNEL_RANGE / (alpha * w));
  const pairWeight = (m.q2 * m.rho) / (alpha * alpha * alpha);
  for (let d = 0; d < spacings.length; d++) {
    const x = alpha * spacings[d], xp = Math.pow(x, order) * stretch[d];
    const sp = pmeTable(PME_SELF_TABLE, order, x) * xp, tp = pmeTable(PME_PAIR_TABLE, order, x) * xp;
    sum += m.q4 * sp * sp + pairWeight * tp * tp;
  }
  return PME_SAFETY * alpha * alpha * Math.sqrt((coherence * sum) / spacings.length);
}

/**
 * Mesh for order p meeting the relative accuracy. K_d = |a_d| r_d^{1/p} / h (r_d = |a_d|/w_d), which equalises
 * the directions' errors r_d x_d^p; the common h (α h ≤ 0.75) by bisection on the estimate of the rounded mesh's
 * continuous version; then K_d = smallest even 2^a 3^b 5^c ≥ max(p, K_d). Sizing from the perpendicular widths
 * alone (as before issue 13) under-resolves sheared cells, where |a_d| > w_d.
 */
export function pmeMesh(lengths: readonly number[], widths: readonly number[], alpha: number, order: number, accuracy: number, m: ChargeMoments): [number, number, number] {
  const stretch = lengths.map((L, d) => L / widths[d]);
  const scaled = lengths.map((L, d) => L * Math.pow(stretch[d], 1 / order));
  const sp = [0, 0, 0];
  const err = (h: number): number => {
    for (let d = 0; d < 3; d++) sp[d] = (h * lengths[d]) / scaled[d];
    return pmeRelativeError(order, alpha, sp, m, stretch, widths);
  };
  // geometric bisection on αh ∈ [1e-4, 0.75] to 0.1 % (the mesh is rounded up to FFT sizes anyway)
  let lo = 1e-4, hi = PME_X_MAX;
  if (err(hi / alpha) <= accuracy) lo = hi;
  else
    while (hi > 1.001 * lo) {
      const mid = Math.sqrt(lo * hi);
      if (err(mid / alpha) <= accuracy) lo = mid;
      else hi = mid;
    }
  const h = lo / alpha;
  return scaled.map((S) => nextFftSize(Math.max(Math.ceil(S / h - 1e-9), order), true)) as [number, number, number];
}

export interface TuneOptions {
  /** Relative RMS force accuracy (default 1e-6). */
  accuracy?: number;
  method?: Method | 'auto';
  alphaPerA?: number;
  realCutoffA?: number;
  kCutoffPerA?: number;
  mesh?: [number, number, number];
  order?: number;
}

/** Pre-0.2 option names (no unit in the name), read one release with a warning: old name → new name. */
const DEPRECATED_TUNE_OPTIONS: Readonly<Record<string, 'alphaPerA' | 'kCutoffPerA'>> = { alpha: 'alphaPerA', kCutoff: 'kCutoffPerA' };

function renamedTuneOptions(options: TuneOptions): TuneOptions {
  const raw = options as TuneOptions & Record<string, unknown>;
  let out: TuneOptions | null = null;
  for (const [old, now] of Object.entries(DEPRECATED_TUNE_OPTIONS)) {
    if (raw[old] === undefined) continue;
    if (raw[now] !== undefined) throw new FarfieldError('INVALID_INPUT', `electrostatics options: '${old}' and '${now}' are the same parameter (old and new name); give only '${now}'`);
    out ??= { ...options };
    out[now] = raw[old] as number;
    delete (out as Record<string, unknown>)[old];
    console.warn(`farfield: electrostatics option '${old}' is deprecated, read as '${now}' (Å⁻¹; the old name is accepted until the next release)`);
  }
  return out ?? options;
}

export interface TunedParameters extends SolverParameters {
  accuracy: number;
  /** Estimated RMS force errors (eV/Å) of the two parts, where defined. */
  realErrorEvPerA?: number;
  reciprocalErrorEvPerA?: number;
}

/** Kolafa–Perram real-space RMS force error, eV/Å: 2 k_e √(⟨q²⟩ ρ_q / r_c) e^{−α² r_c²} (ρ_q = Σq²/V when uniform). */
function realError(q2mean: number, rho: number, alpha: number, rc: number): number {
  return 2 * COULOMB_EV_A * Math.sqrt((q2mean * rho) / rc) * Math.exp(-alpha * alpha * rc * rc);
}

function kError(q2: number, alpha: number, kc: number, L: number, n: number): number {
  const m = Math.max(1, (kc * L) / (2 * Math.PI));
  return ((2 * q2 * alpha) / L) * Math.sqrt(1 / (Math.PI * m * n)) * Math.exp(-(kc * kc) / (4 * alpha * alpha));
}

/** The reciprocal part of the Ewald-split Coulomb kernel at α: 4π e^{−G²/4α²}/G². */
function coulombFourier(alpha: number): (G: number) => number {
  return (G) => ((4 * Math.PI) / (G * G)) * Math.exp(-(G * G) / (4 * alpha * alpha));
}

/** Resolve solver parameters for the charges (N × channels) of a system. */
export function tuneElectrostatics(sys: ElectrostaticsSystem, charges: Float64Array, options: TuneOptions = {}): TunedParameters {
  options = renamedTuneOptions(options);
  const accuracy = options.accuracy ?? 1e-6;
  if (!(accuracy > 0 && accuracy < 1)) throw new FarfieldError('INVALID_INPUT', `accuracy must be a relative force accuracy in (0, 1), got ${accuracy}`);
  const n = sys.positions.length / 3;
  const periodic = sys.pbc[0] && sys.pbc[1] && sys.pbc[2];
  let method = options.method ?? 'auto';
  if (method === 'auto') method = !(sys.pbc[0] || sys.pbc[1] || sys.pbc[2]) ? 'direct' : n < AUTO_PME_ATOMS ? 'ewald' : 'pme';
  if (method === 'direct') return { method, accuracy };
  if (!periodic) throw new FarfieldError('UNSUPPORTED', `${method} needs a 3-D periodic cell; use method 'direct' for open systems`);
  const V = cellVolume(sys.cell);
  // PME runs on the reduced basis of the lattice (solve.ts); Ewald keeps the given rows (its k-vector sphere does not
  // depend on the basis)
  const cell = method === 'pme' ? reduceCell(sys.cell) : sys.cell;
  const widths = cellWidths(cell);
  const lengths = [0, 1, 2].map((d) => Math.hypot(cell[3 * d], cell[3 * d + 1], cell[3 * d + 2]));
  let q2 = 0;
  for (let k = 0; k < charges.length; k++) q2 += charges[k] * charges[k];
  q2 = Math.max(q2, 1e-30) * COULOMB_EV_A;
  // each of the two independent parts gets ΔF/√2 so that the combined RMS error meets the request
  const target = (accuracy * COULOMB_EV_A) / Math.SQRT2;

  const moments = chargeMoments(charges, n, V);
  // the real-space error sees the charge density around r_c (vacuum regions raise it above Σq²/V)
  const density = chargeDensityProbe({ positions: sys.positions, pbc: sys.pbc, cell }, charges);
  const rhoReal = (rc: number): number => density((2 * rc) / 3);
  const realArg = (rc: number, rho: number): number => (target * Math.sqrt(rc)) / (2 * COULOMB_EV_A * Math.sqrt(Math.max(moments.q2 * rho, 1e-300)));
  const rcFor = (alpha: number): number => {
    let rc = Math.sqrt(-Math.log(accuracy)) / alpha;
    for (let it = 0; it < 30; it++) {
      const arg = realArg(rc, rhoReal(rc));
      const next = arg >= 1 ? 1 / alpha : Math.sqrt(-Math.log(arg)) / alpha;
      if (Math.abs(next - rc) < 1e-10 * rc) break;
      rc = next;
    }
    return rc;
  };
  // k cutoff: along each lattice direction the smallest index m meeting the k error ΔF_k ≤ eps (eV/Å)
  const kcFor = (alpha: number, eps: number): number => {
    let kc = 0;
    for (const L of widths) {
      let m = 1;
      while (kError(q2, alpha, (2 * Math.PI * m) / L, L, n) > eps && m < 100000) m++;
      kc = Math.max(kc, (2 * Math.PI * m) / L);
    }
    return kc * (1 + 1e-9);
  };

  let alpha: number, rc: number;
  const channels = Math.max(1, Math.round(charges.length / Math.max(n, 1)));
  // the PME pair error sees the charge density within ≈ 1.5/α (its pair kernel, measured, is ≈ 0 beyond αr = 3): windows of 3 bins of 1/α
  const momentsAt = (a: number): ChargeMoments => ({ ...moments, rho: density(1 / a) });
  const acc2 = accuracy / Math.SQRT2;
  const alphaFor = (r: number): number => {
    const arg = realArg(r, rhoReal(r));
    return arg >= 1 ? 1 / r : Math.sqrt(-Math.log(arg)) / r;
  };
  let order = options.order ?? DEFAULT_ORDER;
  let mesh = options.mesh;
  let kCutoff: number | undefined;
  if (method === 'ewald') {
    alpha = options.alphaPerA ?? Math.sqrt(Math.PI) * Math.pow(n / (V * V), 1 / 6) * EWALD_BALANCE;
    rc = options.realCutoffA ?? rcFor(alpha);
    // one candidate on the shared planner, in eV/Å (each part gets half of 2·target, i.e. target, exactly): the real
    // cutoff is the Kolafa–Perram fixed point above, the k cutoff comes from the per-direction k error (kcFor) through
    // the planner's kCutoffFor hook
    const a = alpha, r = rc;
    const spec: SplitSpec<null> = {
      tag: null,
      real: { error: (R: number) => realError(moments.q2, rhoReal(R), a, R), fromA: r, toA: r, cutoffA: r, pairNs: PLAN_COST_NS.pair.coulomb * PAIRS_TESTED_PER_PAIR },
      reciprocal: {
        channels: [{ fourier: coulombFourier(a), width: Math.SQRT1_2 / a, kCutoffPerA: options.kCutoffPerA, kCutoffFor: (eps) => kcFor(a, eps) }],
        kFromPerA: 1e-3, kVectorNs: PLAN_COST_NS.kVector.base, solver: 'ewald',
      },
    };
    kCutoff = planKernel([spec], { volumeA3: V, atoms: n }, 2 * target).channels[0].kCutoffPerA;
  } else {
    const numberDensity = n / V;
    const rc0 = Math.min(12, Math.max(5, Math.cbrt((3 * REAL_NEIGHBOURS) / (4 * Math.PI * numberDensity))));
    // longer cutoffs (smaller α, coarser mesh) pay off in dilute cells, where pairs are few and the mesh is large
    const rcs = options.realCutoffA !== undefined ? [options.realCutoffA] : options.alphaPerA !== undefined ? [rc0] : [0.8, 0.9, 1, 1.1, 1.25, 1.5, 2, 3, 4, 6, 8, 12, 16].map((f) => f * rc0);
    const orders = options.order !== undefined ? [options.order] : [4, 5, 6, 7, 8];
    // the shared planner (planner.ts) picks the cheapest (r_c, p): pairs tested at the local number density (vacuum
    // raises it above N/V: ρ_q(2r/3)/⟨q²⟩), one spread + gather and one transform pair per charge channel; the mesh
    // comes from the calibrated SPME error (pmeMesh) through the planner's meshFor hook. Accuracy ΔF/k_e: the
    // planner gives each part half of 2·acc2, i.e. acc2 (exact in floating point).
    const geometry: PlanGeometry = {
      cell, volumeA3: V, atoms: n,
      density: (scale) => (moments.q2 > 0 ? Math.max(numberDensity, density(scale) / moments.q2) : numberDensity),
    };
    const pairNs = PLAN_COST_NS.pair.coulomb * PAIRS_TESTED_PER_PAIR;
    function* candidates(): Generator<SplitSpec<{ rc: number; alpha: number }>> {
      for (const r of rcs) {
        const a = options.alphaPerA ?? alphaFor(r);
        const ma = momentsAt(a);
        // the planner's G-tail estimate of this channel is not used by PME
        const channel: FourierChannelSpec = { fourier: coulombFourier(a), width: Math.SQRT1_2 / a };
        // the real cutoff is this candidate's; its error is Kolafa–Perram's at the local charge density
        const real = { error: (R: number) => realError(moments.q2, rhoReal(R), a, R) / COULOMB_EV_A, fromA: r, toA: r, cutoffA: r, pairNs };
        for (const p of orders)
          yield {
            tag: { rc: r, alpha: a }, real,
            reciprocal: {
              channels: [channel], kFromPerA: 1e-3, kVectorNs: PLAN_COST_NS.kVector.base, solver: 'pme',
              mesh: { channels, order: p, passes: 1, meshFor: (order, eps) => options.mesh ?? pmeMesh(lengths, widths, a, order, eps, ma) },
            },
          };
      }
    }
    const plan = planKernel(candidates(), geometry, 2 * acc2);
    rc = plan.tag.rc;
    alpha = plan.tag.alpha;
    order = plan.channels[0].order ?? order;
    mesh = plan.channels[0].mesh;
  }
  const out: TunedParameters = { method, accuracy, alphaPerA: alpha, realCutoffA: rc, realErrorEvPerA: realError(moments.q2, rhoReal(rc), alpha, rc) };
  if (accuracy >= TABLE_MIN_ACCURACY) out.realSpaceTable = true;
  if (method === 'ewald') {
    const kc = kCutoff!;
    out.kCutoffPerA = kc;
    out.reciprocalErrorEvPerA = Math.max(...widths.map((L) => kError(q2, alpha, kc, L, n)));
  } else {
    const ma = momentsAt(alpha);
    mesh = mesh ?? pmeMesh(lengths, widths, alpha, order, acc2, ma);
    out.order = order;
    out.mesh = mesh;
    out.reciprocalErrorEvPerA = COULOMB_EV_A * pmeRelativeError(order, alpha, lengths.map((L, d) => L / mesh![d]), ma, lengths.map((L, d) => L / widths[d]), widths);
  }
  return out;
}

/** One line per parameter, for CLI output. */
export function describeParameters(p: TunedParameters | SolverParameters): string {
  const parts = [`method ${p.method}`];
  if (p.alphaPerA !== undefined) parts.push(`alpha ${p.alphaPerA.toFixed(5)} Å⁻¹`);
  if (p.realCutoffA !== undefined) parts.push(`real cutoff ${p.realCutoffA.toFixed(4)} Å`);
  if (p.kCutoffPerA !== undefined) parts.push(`k cutoff ${p.kCutoffPerA.toFixed(4)} Å⁻¹`);
  if (p.mesh) parts.push(`mesh ${p.mesh.join('×')} order ${p.order}`);
  if (p.realSpaceTable) parts.push('tabulated real space');
  const t = p as TunedParameters;
  if (t.accuracy !== undefined) parts.push(`accuracy ${t.accuracy}`);
  if (t.realErrorEvPerA !== undefined) parts.push(`est. real error ${t.realErrorEvPerA.toExponential(2)} eV/Å`);
  if (t.reciprocalErrorEvPerA !== undefined) parts.push(`est. k-space error ${t.reciprocalErrorEvPerA.toExponential(2)} eV/Å`);
  return parts.join(', ');
}
