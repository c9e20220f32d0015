/**
 * Multi-scale SOAP–LODE invariants (kind 'lode-ms'; Grisafi, Nigam & Ceriotti, Chem. Sci. 12, 2078 (2021);
 * science.md §2.2, §2.4): the species-resolved cross power spectrum of short-range density coefficients c^ρ and
 * long-range potential coefficients c^V,
 *
 *   P^i_{J J′ n n′ l} = √β (2l+1)^{−1/2} Σ_m c^{ρ,iJ}_{nlm} c^{V,iJ′}_{n′lm},   l = 0..lmax.
 *
 * Density: c^{ρ,iJ}_{nlm} = Σ_{j∈J, r_ij<r_ρ} h_nl(r_ij) Y_lm(r̂_ij) (radial/gaussianProjection.ts: Gaussian-smeared
 * neighbours on spherical-Bessel χ_nl with a cosine cutoff; centre excluded), r_ij = r_j − r_i.
 * Potential (periodic, G = 0 excluded as in 'lode'): basis χ^V_nl(r) = j_l(q_nl r)/ν_nl on [0, R_c], q_nl R_c the
 * n-th zero of j_l, ν_nl² = R_c³ j_{l+1}(q_nl R_c)²/2 (l = 0: the 'lode' basis), and with the §0 Fourier convention
 * and e^{−ik·x} = 4π Σ (−i)^l j_l(kx) Y_lm(k̂) Y_lm(x̂), summing ±k,
 *   c^{V,iJ}_{nlm} = (2/V) Σ_{k∈half, |k|<k_c} A_nlm(k) P_l[S_J(k) e^{−ik·r_i}] − δ_{l0} δ_{J,t(i)} C_n,
 *   A_nlm(k) = s_l · 16π² e^{−σ²k²/2} I_nl(k)/k² · Y_lm(k̂),  I_nl(k) = ∫₀^{R_c} r² χ^V_nl j_l(kr) dr,
 *   s_l = (−1)^{l/2}, P_l = Re (even l);  s_l = (−1)^{(l−1)/2}, P_l = Im (odd l);  S_J(k) = Σ_{j∈J} e^{ik·r_j}.
 * (l = 0 equals the 'lode' feature (test); l = 1 equals √(4π/3)∫r³χ_n1 dr/vol_n′ × ∂c^lode_{n′}/∂r_i, the field,
 * when all sources lie outside the support (test).) I_nl(k) is tabulated once per descriptor (cubic Hermite in k,
 * Gauss–Legendre in r). The G cutoff uses the 'lode' Gaussian-tail estimate (lodeKCutoff, l = 0 channels).
 *
 * Reverse pass: U^ρ = ∂E/∂c^ρ = √β Σ_{J′n′} g c^V/√(2l+1), U^V = ∂E/∂c^V = √β Σ_{Jn} g c^ρ/√(2l+1) (the saved
 * coefficients, O(N)), then
 *  - density: per neighbour pair (i, j) the vector Σ_{nlm} U^ρ (h′ Y r̂ + h ∇Y) on r_j (− on r_i), strain f_α d_β;
 *  - potential: with a_i^J(k) = Σ_{nlm} U^V A (even l: a^e, odd l: a^o; GEMMs over atom blocks) and
 *    B_J(k) = Σ_i (a^e − i a^o) e^{−ik·r_i}, L = (2/V) Σ_k Σ_J Re[S_J B_J]:
 *      ∂L/∂r_p = −(2/V) Σ_k k Im[e^{ik·r_p} B_{t(p)}] + (2/V) Σ_k k Σ_J Im[S_J (a^e_p − i a^o_p) e^{−ik·r_p}],
 *      ∂L/∂ε_αβ = −δ_αβ L − (2/V) Σ_k k_α Σ_J Re[S_J D_βJ],  D_βJ = Σ_i (∂_β a^e − i ∂_β a^o) e^{−ik·r_i}
 *    (k·r is strain invariant; only A(k) and 1/V change). Nothing per (centre, atom) is stored.
 * Ewald-like split (method 'auto'|'split', as 'lode', split.ts): the sum above with σ′ > σ and a small k cutoff,
 * plus the short part Σ'_{j, images} s_nl(r_ij) Y_lm(r̂_ij) over the neighbour list with
 *   s_nl(d) = 8 ∫₀^∞ (e^{−σ²k²/2} − e^{−σ′²k²/2}) I_nl(k) j_l(kd) dk        (from Φ_nl(d) = (2/π)∫k²φ̂ I_nl j_l(kd) dk)
 * tabulated per σ′ (cubic Hermite in d), minus the l = 0 background (N_J/V) Y₀₀ 8π²(σ′² − σ²) I_n0(0) (l > 0 terms
 * have no G = 0 part: I_nl(k) ~ k^l); self term C_n^{σ′}. σ′, real and k cutoffs from the accuracy target and a cost
 * model (ns per atom: pairs·(60 + 4·NLM) + N_G·(10 + 0.5·T·NLM)). Reverse pass of the short part: one pair loop.
 * Cost per pass O(N·pairs·NLM + N·N_G′·T·NLM) with the small N_G′ of σ′ (still ∝ N at fixed σ′: σ′ grows with the
 * cell through the plan); memory O(N_G′·NLM) for the A table (×4 in the reverse pass for ∂A/∂k).
 * Open boundaries: not supported (the l > 0 real-space pair functions are not implemented) — UNSUPPORTED.
 */
import { FarfieldError, cellVolume, isFullyPeriodic, type Structure } from '../../core/index.js';
import { kVectors, phasesAt, phaseTableLength, structureFactors, type KVectorSet } from '../../electrostatics/index.js';
import { gaussLegendre, getLinalg, smallestMeeting, HermiteSplineSet, sphericalBesselJ, sphericalBesselJWithDerivative, sphericalBesselJZeros, SphericalHarmonics } from '../../math/index.js';
import { ContextSlot, type ComputeContext } from '../context.js';
import { scatterPair } from '../pairScatter.js';
import { checkHyperObject, hyperChoice, hyperNumber } from '../hypers.js';
import { singleBlock, speciesMap, type ColumnBlock, type Descriptor, type DescriptorGradients, type DescriptorOutput, type DescriptorSpec } from '../descriptor.js';
import { checkUpstream, vjpByBatches, type Upstream } from '../upstream.js';
import { gaussianProjection, type GaussianProjection } from '../radial/index.js';
import { DESCRIPTORS } from '../registry.js';
import { BesselChannel } from './basis.js';
import { lodeKCutoff } from './lode.js';
import { kTail, shortTableStep, splitBackground, SPLIT_SIGMAS } from './split.js';

export interface LodeMsHypers {
  lmax: number;
  /** Density part: cutoff (Å), radial functions, smearing (Å). */
  densityCutoffA: number;
  densityCount: number;
  densitySmearingA: number;
  /** Potential part: basis cutoff R_c (Å), radial functions, Gaussian smearing σ (Å). */
  cutoffA: number;
  count: number;
  sigmaA: number;
  accuracy: number;
  weight: number;
  kCutoff?: number;
  /** Periodic potential part: 'auto' (cost model), 'split' (Ewald-like, as 'lode') or 'reciprocal' (unsplit). */
  method: 'auto' | 'split' | 'reciprocal';
  /** Overrides of the split width σ′ (Å, > σ) and of the short part's real-space cutoff (Å, > R_c). */
  splitSigmaA?: number;
  realCutoffA?: number;
}

export const LODE_MS_DEFAULTS: Readonly<LodeMsHypers> = Object.freeze({
  lmax: 2, densityCutoffA: 4, densityCount: 4, densitySmearingA: 0.5, cutoffA: 4, count: 4, sigmaA: 0.5, accuracy: 1e-6, weight: 1, method: 'auto' as const,
});

export function parseLodeMsHypers(h: Record<string, unknown>, what = 'lode-ms descriptor'): LodeMsHypers {
  checkHyperObject(h, what, [...Object.keys(LODE_MS_DEFAULTS), 'kCutoff', 'splitSigmaA', 'realCutoffA']);
  const num = (key: keyof LodeMsHypers, ok: (x: number) => boolean, expect: string): number =>
    hyperNumber(h, key, what, ok, expect, (LODE_MS_DEFAULTS as unknown as Record<string, number | undefined>)[key]);
  const int = (lo: number, hi: number) => (x: number) => Number.isInteger(x) && x >= lo && x <= hi;
  const out: LodeMsHypers = {
    lmax: num('lmax', int(0, 8), 'an integer in 0..8'),
    densityCutoffA: num('densityCutoffA', (x) => x > 0, 'a positive cutoff in Å'),
    densityCount: num('densityCount', int(1, 32), 'an integer in 1..32'),
    densitySmearingA: num('densitySmearingA', (x) => x > 0, 'a positive smearing in Å'),
    cutoffA: num('cutoffA', (x) => x > 0, 'a positive basis cutoff in Å'),
    count: num('count', int(1, 32), 'an integer in 1..32'),
    sigmaA: num('sigmaA', (x) => x > 0, 'a positive Gaussian width in Å'),
    accuracy: num('accuracy', (x) => x > 0 && x < 1, 'an absolute error target in (0, 1)'),
    weight: num('weight', (x) => x >= 0, 'a block weight ≥ 0'),
    method: 'auto',
  };
  out.method = hyperChoice(h, 'method', what, ['auto', 'split', 'reciprocal'] as const, 'auto');
  if (h.kCutoff !== undefined) out.kCutoff = num('kCutoff', (x) => x > 0, 'a positive cutoff in Å⁻¹');
  if (h.splitSigmaA !== undefined) out.splitSigmaA = num('splitSigmaA', (x) => x > out.sigmaA, `a split width σ′ > sigmaA (${out.sigmaA}) in Å`);
  if (h.realCutoffA !== undefined) out.realCutoffA = num('realCutoffA', (x) => x > out.cutoffA, `a real-space cutoff > cutoffA (${out.cutoffA}) in Å`);
  return out;
}

/** Radial integrals I_nl(k) of the potential basis, tabulated in k (cubic Hermite; function index l·count + n). */
export class PotentialRadial {
  readonly zeros: Float64Array[];
  readonly nu: Float64Array;
  private table: HermiteSplineSet | null = null;
  constructor(readonly cutoffA: number, readonly count: number, readonly lmax: number) {
    this.zeros = Array.from({ length: lmax + 1 }, (_, l) => sphericalBesselJZeros(l, count));
    this.nu = new Float64Array((lmax + 1) * count);
    for (let l = 0; l <= lmax; l++)
      for (let n = 0; n < count; n++)
        this.nu[l * count + n] = Math.sqrt(cutoffA ** 3 / 2) * Math.abs(sphericalBesselJ(l + 1, this.zeros[l][n]));
  }
  chi(l: number, n: number, r: number): number {
    return sphericalBesselJ(l, (this.zeros[l][n] * r) / this.cutoffA) / this.nu[l * this.count + n];
  }
  /** ∫₀^{R_c} r^{l+2} χ_nl dr. */
  moment(l: number, n: number): number {
    const gl = gaussLegendre(64), R = this.cutoffA;
    let s = 0;
    for (let k = 0; k < gl.nodes.length; k++) {
      const r = 0.5 * R * (gl.nodes[k] + 1);
      s += 0.5 * R * gl.weights[k] * r ** (l + 2) * this.chi(l, n, r);
    }
    return s;
  }
  /** ∫₀^{R_c} r² |χ_nl| dr. */
  absMoment(l: number, n: number): number {
    const M = 400, h = this.cutoffA / M;
    let s = 0;
    for (let k = 0; k < M; k++) {
      const r = (k + 0.5) * h;
      s += r * r * Math.abs(this.chi(l, n, r));
    }
    return s * h;
  }

  /**
   * Short part of the split, s_nl(d) = 8 ∫₀^∞ (e^{−σ²k²/2} − e^{−σ′²k²/2}) I_nl(k) j_l(kd) dk, and ds/dd, for the
   * d values given (Gauss–Legendre in k up to 9/σ, panels shorter than half a period of j_l(kd) and of I_nl);
   * layout [d][l·count + n]. From Φ_nl(d) = (2/π)∫k² φ̂(k) I_nl(k) j_l(kd) dk (plane-wave expansions, §0).
   */
  short(ds: ArrayLike<number>, sigma: number, sigmaLong: number): { v: Float64Array; dv: Float64Array } {
    const L1 = this.lmax + 1, F = L1 * this.count, kMax = 9 / sigma;
    const spl = this.spline(kMax);
    let dMax = 0;
    for (let q = 0; q < ds.length; q++) dMax = Math.max(dMax, ds[q]);
    const panels = Math.max(8, Math.ceil((kMax * (dMax + this.cutoffA)) / Math.PI)), gl = gaussLegendre(16), hk = kMax / panels;
    const v = new Float64Array(ds.length * F), dv = new Float64Array(ds.length * F);
    const I = new Float64Array(F), dI = new Float64Array(F), jv = new Float64Array(L1), jd = new Float64Array(L1);
    for (let p = 0; p < panels; p++)
      for (let t = 0; t < gl.nodes.length; t++) {
        const k = (p + 0.5 + 0.5 * gl.nodes[t]) * hk, w = 0.5 * hk * gl.weights[t];
        spl.evaluate(k, I);
        const g = 8 * w * (Math.exp(-sigma * sigma * k * k / 2) - Math.exp(-sigmaLong * sigmaLong * k * k / 2));
        for (let q = 0; q < ds.length; q++) {
          sphericalBesselJWithDerivative(this.lmax, k * ds[q], jv, jd);
          const o = q * F;
          for (let l = 0; l < L1; l++)
            for (let n = 0; n < this.count; n++) {
              const f = l * this.count + n, a = g * I[f];
              v[o + f] += a * jv[l];
              dv[o + f] += a * k * jd[l];
            }
        }
      }
    void dI;
    return { v, dv };
  }

  /** Table covering [0, kMax]. */
  spline(kMax: number): HermiteSplineSet {
    if (this.table && this.table.x1 >= kMax) return this.table;
    const R = this.cutoffA, L1 = this.lmax + 1, F = L1 * this.count;
    const top = Math.ceil(kMax * 1.2 + 1);
    const panels = Math.max(4, Math.ceil((top * R) / 8)), gl = gaussLegendre(24);
    const nodes: number[] = [], w: number[] = [];
    for (let p = 0; p < panels; p++)
      for (let k = 0; k < gl.nodes.length; k++) {
        nodes.push(((p + 0.5 + 0.5 * gl.nodes[k]) * R) / panels);
        w.push((0.5 * gl.weights[k] * R) / panels);
      }
    const chi = new Float64Array(nodes.length * F);
    nodes.forEach((r, q) => {
      for (let l = 0; l < L1; l++) for (let n = 0; n < this.count; n++) chi[q * F + l * this.count + n] = w[q] * r * r * this.chi(l, n, r);
    });
    const jv = new Float64Array(L1), jd = new Float64Array(L1);
    this.table = HermiteSplineSet.tabulate(0, top, Math.ceil(top * R / 0.02), F, 3, (k, v, d1) => {
      v.fill(0); d1.fill(0);
      for (let q = 0; q < nodes.length; q++) {
        const r = nodes[q];
        sphericalBesselJWithDerivative(this.lmax, k * r, jv, jd);
        for (let l = 0; l < L1; l++)
          for (let n = 0; n < this.count; n++) {
            const c = chi[q * F + l * this.count + n];
            v[l * this.count + n] += c * jv[l];
            d1[l * this.count + n] += c * r * jd[l];
          }
      }
    });
    return this.table;
  }
}

/** Evaluation plan of the periodic potential part. */
export interface LodeMsPlan {
  mode: 'split' | 'reciprocal';
  /** Smearing of the reciprocal sum (σ′ for 'split', σ otherwise). */
  sigmaLong: number;
  kCutoff: number;
  /** Real-space cutoff of the short part (0 for 'reciprocal'). */
  realCutoffA: number;
  costNs: number;
}

/** Per σ′: l = 0 backgrounds, self terms C^{σ′}, coarse tail profile, short table (largest range so far). */
interface SplitData {
  background: Float64Array;
  self: Float64Array;
  /** Q(R) on d = R_c + k·step (k = 0..), see ShortTail in split.ts. */
  tailQ: Float64Array;
  tailStep: number;
  table: HermiteSplineSet | null;
}

export interface MsSaved {
  plan: LodeMsPlan;
  types: Int32Array;
  /** c^ρ and c^V, N × T × NLM each (NLM = count·(lmax+1)², index n·(lmax+1)² + l² + l + m). */
  crho: Float64Array;
  cpot: Float64Array;
}

let linalg: ReturnType<typeof getLinalg> | null = null;
const la = () => (linalg ??= getLinalg());
/** Per-structure data of the compute context: plans, radial–angular tables, k-vector sets, structure factors. */
const MS_PLANS = new ContextSlot<LodeMsPlan>('lode-ms plan');
const MS_TABLES = new ContextSlot<{ A: Float64Array; dA: Float64Array | null }>('lode-ms table');
const MS_K_VECTORS = new ContextSlot<KVectorSet>('lode-ms k-vectors');
const MS_FACTORS = new ContextSlot<{ re: Float64Array; im: Float64Array }>('lode-ms structure factors');

export class LodeMsDescriptor implements Descriptor<MsSaved> {
  readonly kind = 'lode-ms';
  readonly species: readonly string[];
  readonly cutoffA = Infinity;
  readonly labels: readonly string[];
  readonly width: number;
  readonly columnBlocks: readonly ColumnBlock[];
  readonly hypers: LodeMsHypers;
  private readonly proj: GaussianProjection;
  private readonly pot: PotentialRadial;
  private readonly selfTerms: Float64Array;
  private readonly L2: number;
  private readonly splits = new Map<number, SplitData>();

  constructor(species: readonly string[], hypers: Record<string, unknown> = {}) {
    if (species.length === 0) throw new FarfieldError('INVALID_INPUT', 'lode-ms descriptor: the species list is empty');
    this.species = [...species];
    const h = (this.hypers = parseLodeMsHypers(hypers));
    this.proj = gaussianProjection(h.densityCutoffA, h.densitySmearingA, h.densityCount, h.lmax);
    // owned by this instance: its k-space table grows with the largest k-cutoff seen, so sharing it between
    // instances would make one descriptor's values depend on another's history
    this.pot = new PotentialRadial(h.cutoffA, h.count, h.lmax);
    this.selfTerms = Float64Array.from({ length: h.count }, (_, n) => new BesselChannel(n + 1, h.cutoffA, h.sigmaA).selfTerm());
    this.L2 = (h.lmax + 1) ** 2;
    const labels: string[] = [];
    for (const J of this.species) for (const K of this.species)
      for (let n = 0; n < h.densityCount; n++) for (let m = 0; m < h.count; m++) for (let l = 0; l <= h.lmax; l++)
        labels.push(`lode-ms:${J}:${K}:${n + 1}:${m + 1}:${l}`);
    this.labels = labels;
    this.width = labels.length;
    // ρ ⊗ V products: three-body, long-range, not linear in the charges; columns species-pair-major
    this.columnBlocks = singleBlock('lode-ms', this.width, { bodyOrder: 3, range: 'long', linear: null, speciesChannels: null });
  }

  toJSON(): DescriptorSpec {
    const h: Record<string, unknown> = { ...this.hypers };
    for (const k of ['kCutoff', 'splitSigmaA', 'realCutoffA']) if (h[k] === undefined) delete h[k];
    return { kind: 'lode-ms', species: [...this.species], hypers: h };
  }

  private split(sigmaLong: number): SplitData {
    let sd = this.splits.get(sigmaLong);
    if (!sd) {
      const h = this.hypers, Nv = h.count, F = (h.lmax + 1) * Nv;
      const background = new Float64Array(Nv), self = new Float64Array(Nv);
      for (let n = 0; n < Nv; n++) {
        const c = new BesselChannel(n + 1, h.cutoffA, h.sigmaA);
        background[n] = splitBackground(c, sigmaLong);
        self[n] = new BesselChannel(n + 1, h.cutoffA, sigmaLong).selfTerm();
      }
      // coarse tail profile: env(d) = 2 max_{nl} |s_nl(d)| max|Y_l|, monotone from the right, Q(R) = ∫_R d² env
      const M = 28, step = (14 * sigmaLong) / M;
      const ds = Float64Array.from({ length: M + 1 }, (_, k) => h.cutoffA + k * step);
      const { v } = this.pot.short(ds, h.sigmaA, sigmaLong);
      const env = new Float64Array(M + 1);
      for (let k = 0; k <= M; k++)
        for (let f = 0; f < F; f++) {
          const l = Math.floor(f / Nv);
          env[k] = Math.max(env[k], 2 * Math.abs(v[k * F + f]) * Math.sqrt((2 * l + 1) / (4 * Math.PI)));
        }
      for (let k = M - 1; k >= 0; k--) env[k] = Math.max(env[k], env[k + 1]);
      const tailQ = new Float64Array(M + 1);
      for (let k = M - 1; k >= 0; k--) tailQ[k] = tailQ[k + 1] + 0.5 * step * (ds[k] ** 2 * env[k] + ds[k + 1] ** 2 * env[k + 1]);
      sd = { background, self, tailQ, tailStep: step, table: null };
      this.splits.set(sigmaLong, sd);
    }
    return sd;
  }

  private tailError(sd: SplitData, R: number, rho: number): number {
    const x = (R - this.hypers.cutoffA) / sd.tailStep, Q = sd.tailQ;
    if (x <= 0) return 4 * Math.PI * rho * Q[0];
    const k = Math.floor(x);
    if (k >= Q.length - 1) return 0;
    return 4 * Math.PI * rho * ((1 - (x - k)) * Q[k] + (x - k) * Q[k + 1]);
  }

  /** Short table s_nl(d), ds/dd of the split with σ′ on [0, ≥ range] (function index l·count + n). */
  private shortTable(sigmaLong: number, range: number): HermiteSplineSet {
    const sd = this.split(sigmaLong), h = this.hypers;
    if (!sd.table || sd.table.x1 < range) {
      const top = Math.ceil(range), F = (h.lmax + 1) * h.count;
      let A = 0;
      for (let l = 0; l <= h.lmax; l++) for (let n = 0; n < h.count; n++) A = Math.max(A, 4 * Math.PI * Math.sqrt((2 * l + 1) / (4 * Math.PI)) * this.pot.absMoment(l, n));
      const intervals = Math.max(8, Math.ceil(top / shortTableStep(h.sigmaA, A, h.accuracy / 4)));
      const ds = Float64Array.from({ length: intervals + 1 }, (_, k) => (top * k) / intervals);
      const { v, dv } = this.pot.short(ds, h.sigmaA, sigmaLong);
      sd.table = HermiteSplineSet.fromNodes(0, top, intervals, F, v, dv);
    }
    return sd.table;
  }

  /** The plan of the periodic potential part for one structure (cached in the context). */
  plan(structure: Structure, ctx?: ComputeContext): LodeMsPlan {
    const key = `lode-ms:plan:${JSON.stringify(this.hypers)}`;
    const hit = ctx?.get(MS_PLANS, key);
    if (hit) return hit;
    const h = this.hypers, N = structure.species.length, V = cellVolume(structure.cell), rho = N / V, T = this.species.length;
    const NLM = h.count * this.L2, eps = h.accuracy / 2;
    const kCount = (G: number) => (V * G ** 3) / (12 * Math.PI * Math.PI);
    const recipCost = (G: number) => kCount(G) * (10 + 0.5 * T * NLM);
    const cands: LodeMsPlan[] = [];
    if (h.method !== 'split') {
      const G = h.kCutoff ?? Math.max(...Array.from({ length: h.count }, (_, n) => lodeKCutoff(new BesselChannel(n + 1, h.cutoffA, h.sigmaA), h.accuracy, rho)));
      cands.push({ mode: 'reciprocal', sigmaLong: h.sigmaA, kCutoff: G, realCutoffA: 0, costNs: recipCost(G) });
    }
    if (h.method !== 'reciprocal') {
      let A = 0;
      for (let l = 0; l <= h.lmax; l++) for (let n = 0; n < h.count; n++) A = Math.max(A, this.pot.absMoment(l, n) * Math.sqrt((2 * l + 1) / (4 * Math.PI)));
      const sigmas = h.splitSigmaA !== undefined ? [h.splitSigmaA] : SPLIT_SIGMAS.filter((x) => x >= 1.3 * h.sigmaA);
      for (const sl of sigmas) {
        const sd = this.split(sl);
        const R = h.realCutoffA ?? smallestMeeting((r) => this.tailError(sd, r, rho), eps, h.cutoffA, h.cutoffA + 14 * sl);
        const env = (G: number) => (16 * Math.PI * Math.PI * A * Math.exp(-sl * sl * G * G / 2)) / (G * G);
        const G = h.kCutoff ?? smallestMeeting((g) => kTail(env, sl, g, rho), eps, 0.05, 1e3);
        const pairs = rho * (4 / 3) * Math.PI * R ** 3;
        cands.push({ mode: 'split', sigmaLong: sl, kCutoff: G, realCutoffA: R, costNs: pairs * (60 + 4 * NLM) + recipCost(G) });
      }
    }
    cands.sort((a, b) => a.costNs - b.costNs);
    ctx?.set(MS_PLANS, key, cands[0]);
    return cands[0];
  }

  private setup(structure: Structure): Int32Array {
    if (!isFullyPeriodic(structure))
      throw new FarfieldError('UNSUPPORTED', `lode-ms descriptor: only 3-D periodic structures are supported (pbc [${structure.pbc.join(', ')}])`);
    const map = speciesMap(structure, this.species, 'lode-ms descriptor');
    return Int32Array.from(structure.species, (s) => map[s]);
  }

  /** Density coefficients c^ρ (forward) or, with U, their reverse pass into gPos/gStrain. */
  private density(structure: Structure, ctx: ComputeContext, types: Int32Array, C: Float64Array | null, U: Float64Array | null, gPos: Float64Array | null, gStrain: Float64Array | null): void {
    const h = this.hypers, T = this.species.length, L2 = this.L2, Nd = h.densityCount, NLM = Nd * L2, L1 = h.lmax + 1;
    const nl = ctx.neighbours(h.densityCutoffA);
    const sh = new SphericalHarmonics(h.lmax);
    const F = this.proj.functions, hv = new Float64Array(F), hd = new Float64Array(F);
    for (let p = 0; p < nl.count; p++) {
      const i = nl.centres[p], j = nl.neighbours[p], d = nl.distances[p];
      if (d >= h.densityCutoffA) continue;
      const dx = nl.vectors[3 * p], dy = nl.vectors[3 * p + 1], dz = nl.vectors[3 * p + 2];
      const o = (i * T + types[j]) * NLM;
      if (C) {
        this.proj.evaluate(d, hv);
        const Y = sh.compute(dx, dy, dz);
        for (let n = 0; n < Nd; n++)
          for (let l = 0; l < L1; l++) {
            const r = hv[l * Nd + n];
            for (let m = l * l; m < (l + 1) * (l + 1); m++) C[o + n * L2 + m] += r * Y[m];
          }
      }
      if (U && gPos && gStrain) {
        this.proj.evaluateWithDerivative(d, hv, hd);
        sh.computeWithGradient(dx, dy, dz);
        accumulateRadialYlmPair(U, o, Nd, L1, L2, hv, hd, sh.values, sh.gradients, i, j, dx, dy, dz, d, gPos, gStrain);
      }
    }
  }

  /** A (NLM × 2K: even l in the cos half, odd l in the sin half) and, if asked, ∂A/∂k_β (3 such matrices). */
  private table(ks: KVectorSet, withGradient: boolean, sigma: number, ctx: ComputeContext): { A: Float64Array; dA: Float64Array | null } {
    const key = `lode-ms:A:${JSON.stringify(this.hypers)}:${ks.kCutoff}:${sigma}:${withGradient}`;
    const hit = ctx.get(MS_TABLES, key);
    if (hit) return hit;
    const res = this.buildTable(ks, withGradient, sigma);
    ctx.set(MS_TABLES, key, res);
    return res;
  }

  private buildTable(ks: KVectorSet, withGradient: boolean, sigma: number): { A: Float64Array; dA: Float64Array | null } {
    const h = this.hypers, K = ks.count, K2 = 2 * K, L2 = this.L2, Nv = h.count, L1 = h.lmax + 1, NLM = Nv * L2;
    const spl = this.pot.spline(ks.kCutoff);
    const A = new Float64Array(NLM * K2), dA = withGradient ? new Float64Array(3 * NLM * K2) : null;
    const sh = new SphericalHarmonics(h.lmax);
    const I = new Float64Array(spl.functions), dI = new Float64Array(spl.functions);
    const s2 = sigma * sigma, c0 = 16 * Math.PI * Math.PI;
    for (let k = 0; k < K; k++) {
      const kx = ks.kx[k], ky = ks.ky[k], kz = ks.kz[k], k2 = ks.k2[k], G = Math.sqrt(k2);
      spl.evaluateWithDerivative(G, I, dI);
      const e = (c0 * Math.exp(-s2 * k2 / 2)) / k2;
      const de = e * (-s2 * G - 2 / G); // d/dG of c0 e^{−σ²G²/2}/G²
      if (dA) sh.computeWithGradient(kx, ky, kz);
      else sh.compute(kx, ky, kz);
      const Y = sh.values, dY = sh.gradients;
      for (let l = 0; l < L1; l++) {
        const odd = l % 2 === 1, sign = (odd ? (l - 1) / 2 : l / 2) % 2 === 0 ? 1 : -1;
        const col = odd ? K + k : k;
        for (let n = 0; n < Nv; n++) {
          const f = sign * e * I[l * Nv + n], df = sign * (de * I[l * Nv + n] + e * dI[l * Nv + n]);
          for (let m = l * l; m < (l + 1) * (l + 1); m++) {
            const row = n * L2 + m;
            A[row * K2 + col] = f * Y[m];
            if (dA) {
              dA[(0 * NLM + row) * K2 + col] = (df * kx) / G * Y[m] + f * dY[3 * m];
              dA[(1 * NLM + row) * K2 + col] = (df * ky) / G * Y[m] + f * dY[3 * m + 1];
              dA[(2 * NLM + row) * K2 + col] = (df * kz) / G * Y[m] + f * dY[3 * m + 2];
            }
          }
        }
      }
    }
    return { A, dA };
  }

  private kset(ctx: ComputeContext, structure: Structure, kc: number): KVectorSet {
    const key = `lode-ms:k:${kc}`;
    let ks = ctx.get(MS_K_VECTORS, key);
    if (!ks) { ks = kVectors(structure.cell, kc); ctx.set(MS_K_VECTORS, key, ks); }
    return ks;
  }

  /** Potential coefficients c^V (N × T × NLM). */
  private potential(structure: Structure, ctx: ComputeContext, types: Int32Array, plan: LodeMsPlan, C: Float64Array): void {
    const T = this.species.length, N = types.length, NLM = this.hypers.count * this.L2, L2 = this.L2;
    const ks = this.kset(ctx, structure, plan.kCutoff), K = ks.count, K2 = 2 * K, V = cellVolume(structure.cell);
    const { A } = this.table(ks, false, plan.sigmaLong, ctx);
    const S = this.factors(structure, types, ks, ctx);
    const B = 32, Z = new Float64Array(B * T * K2), out = new Float64Array(B * T * NLM);
    const tl = phaseTableLength(ks), tRe = new Float64Array(tl), tIm = new Float64Array(tl), cs = new Float64Array(K), sn = new Float64Array(K);
    for (let i0 = 0; i0 < N; i0 += B) {
      const nb = Math.min(B, N - i0);
      for (let r = 0; r < nb; r++) {
        const i = i0 + r;
        phasesAt(ks, structure.positions[3 * i], structure.positions[3 * i + 1], structure.positions[3 * i + 2], tRe, tIm, cs, sn);
        for (let J = 0; J < T; J++) {
          const zo = (r * T + J) * K2, so = J * K;
          for (let k = 0; k < K; k++) {
            // S e^{−ik·r_i}
            Z[zo + k] = S.re[so + k] * cs[k] + S.im[so + k] * sn[k];
            Z[zo + K + k] = S.im[so + k] * cs[k] - S.re[so + k] * sn[k];
          }
        }
      }
      la().gemm(nb * T, NLM, K2, Z, A, out, { transB: true });
      for (let q = 0; q < nb * T * NLM; q++) C[i0 * T * NLM + q] = (2 / V) * out[q];
    }
    const self = plan.mode === 'split' ? this.split(plan.sigmaLong).self : this.selfTerms;
    for (let i = 0; i < N; i++)
      for (let n = 0; n < this.hypers.count; n++) C[(i * T + types[i]) * NLM + n * L2] -= self[n];
    if (plan.mode === 'split') this.shortPart(structure, ctx, types, plan, C, null, null, null);
  }

  /**
   * Short part of the split: Σ'_{j, images} s_nl(r_ij) Y_lm(r̂_ij) over the neighbour list, and the l = 0
   * background −(N_J/V) B_n. Forward (C) or reverse (U = ∂E/∂c^V into gPos, gStrain).
   */
  private shortPart(structure: Structure, ctx: ComputeContext, types: Int32Array, plan: LodeMsPlan, C: Float64Array | null, U: Float64Array | null, gPos: Float64Array | null, gStrain: Float64Array | null): void {
    const h = this.hypers, T = this.species.length, N = types.length, L2 = this.L2, Nv = h.count, NLM = Nv * L2, L1 = h.lmax + 1;
    const table = this.shortTable(plan.sigmaLong, plan.realCutoffA);
    const nl = ctx.neighbours(plan.realCutoffA);
    const sh = new SphericalHarmonics(h.lmax);
    const F = table.functions, sv = new Float64Array(F), sd = new Float64Array(F);
    for (let p = 0; p < nl.count; p++) {
      const i = nl.centres[p], j = nl.neighbours[p], d = nl.distances[p];
      const dx = nl.vectors[3 * p], dy = nl.vectors[3 * p + 1], dz = nl.vectors[3 * p + 2];
      const o = (i * T + types[j]) * NLM;
      if (C) {
        table.evaluate(d, sv);
        const Y = sh.compute(dx, dy, dz);
        for (let l = 0; l < L1; l++)
          for (let n = 0; n < Nv; n++) {
            const r = sv[l * Nv + n];
            for (let m = l * l; m < (l + 1) * (l + 1); m++) C[o + n * L2 + m] += r * Y[m];
          }
      }
      if (U && gPos && gStrain) {
        table.evaluateWithDerivative(d, sv, sd);
        sh.computeWithGradient(dx, dy, dz);
        accumulateRadialYlmPair(U, o, Nv, L1, L2, sv, sd, sh.values, sh.gradients, i, j, dx, dy, dz, d, gPos, gStrain);
      }
    }
    const V = cellVolume(structure.cell), bg = this.split(plan.sigmaLong).background;
    const counts = new Float64Array(T);
    for (let i = 0; i < N; i++) counts[types[i]]++;
    for (let J = 0; J < T; J++)
      for (let n = 0; n < Nv; n++) {
        const b = (counts[J] * bg[n]) / V;
        for (let i = 0; i < N; i++) {
          const idx = (i * T + J) * NLM + n * L2;
          if (C) C[idx] -= b;
          if (U && gStrain) { const t = U[idx] * b; gStrain[0] += t; gStrain[4] += t; gStrain[8] += t; }
        }
      }
  }

  private factors(structure: Structure, types: Int32Array, ks: KVectorSet, ctx: ComputeContext): { re: Float64Array; im: Float64Array } {
    const key = `lode-ms:S:${this.species.join(',')}:${ks.kCutoff}`;
    const hit = ctx.get(MS_FACTORS, key);
    if (hit) return hit;
    const T = this.species.length, w = new Float64Array(types.length * T);
    types.forEach((t, i) => { w[i * T + t] = 1; });
    const S = structureFactors(structure.positions, w, T, ks);
    ctx.set(MS_FACTORS, key, S);
    return S;
  }

  /** Reverse pass of the potential coefficients for upstream U = ∂E/∂c^V (N × T × NLM). */
  private potentialBackward(structure: Structure, ctx: ComputeContext, types: Int32Array, plan: LodeMsPlan, U: Float64Array, gPos: Float64Array, gStrain: Float64Array): void {
    const T = this.species.length, N = types.length, NLM = this.hypers.count * this.L2;
    if (plan.mode === 'split') this.shortPart(structure, ctx, types, plan, null, U, gPos, gStrain);
    const ks = this.kset(ctx, structure, plan.kCutoff), K = ks.count, K2 = 2 * K, V = cellVolume(structure.cell), f2 = 2 / V;
    const { A, dA } = this.table(ks, true, plan.sigmaLong, ctx);
    const S = this.factors(structure, types, ks, ctx);
    const Bre = new Float64Array(T * K), Bim = new Float64Array(T * K), Dre = new Float64Array(3 * T * K), Dim = new Float64Array(3 * T * K);
    const Bk = 32, a = new Float64Array(Bk * T * K2), da = new Float64Array(Bk * T * K2);
    const tl = phaseTableLength(ks), tRe = new Float64Array(tl), tIm = new Float64Array(tl), cs = new Float64Array(K), sn = new Float64Array(K);
    let L = 0;
    // pass 1: a = U·A per atom block; B_J, D_βJ; the (b) term and L
    for (let i0 = 0; i0 < N; i0 += Bk) {
      const nb = Math.min(Bk, N - i0);
      const Ub = U.subarray(i0 * T * NLM, (i0 + nb) * T * NLM);
      la().gemm(nb * T, K2, NLM, Ub, A, a, {});
      for (let r = 0; r < nb; r++) {
        const i = i0 + r;
        phasesAt(ks, structure.positions[3 * i], structure.positions[3 * i + 1], structure.positions[3 * i + 2], tRe, tIm, cs, sn);
        let gx = 0, gy = 0, gz = 0;
        for (let J = 0; J < T; J++) {
          const ao = (r * T + J) * K2, so = J * K;
          for (let k = 0; k < K; k++) {
            const ae = a[ao + k], aoo = a[ao + K + k];
            if (ae === 0 && aoo === 0) continue;
            // w = (a^e − i a^o)(c − i s)
            const wr = ae * cs[k] - aoo * sn[k], wi = -(ae * sn[k] + aoo * cs[k]);
            Bre[so + k] += wr; Bim[so + k] += wi;
            const sr = S.re[so + k], si = S.im[so + k];
            L += sr * wr - si * wi;
            const im = sr * wi + si * wr;
            gx += ks.kx[k] * im; gy += ks.ky[k] * im; gz += ks.kz[k] * im;
          }
        }
        gPos[3 * i] += f2 * gx; gPos[3 * i + 1] += f2 * gy; gPos[3 * i + 2] += f2 * gz;
      }
      for (let b = 0; b < 3; b++) {
        la().gemm(nb * T, K2, NLM, Ub, (dA as Float64Array).subarray(b * NLM * K2, (b + 1) * NLM * K2), da, {});
        for (let r = 0; r < nb; r++) {
          const i = i0 + r;
          phasesAt(ks, structure.positions[3 * i], structure.positions[3 * i + 1], structure.positions[3 * i + 2], tRe, tIm, cs, sn);
          for (let J = 0; J < T; J++) {
            const ao = (r * T + J) * K2, so = (b * T + J) * K;
            for (let k = 0; k < K; k++) {
              const ae = da[ao + k], aoo = da[ao + K + k];
              Dre[so + k] += ae * cs[k] - aoo * sn[k];
              Dim[so + k] -= ae * sn[k] + aoo * cs[k];
            }
          }
        }
      }
    }
    L *= f2;
    // strain: −δ L − (2/V) Σ_k k_α Σ_J Re[S_J D_βJ]
    for (let al = 0; al < 3; al++)
      for (let be = 0; be < 3; be++) {
        const kv = al === 0 ? ks.kx : al === 1 ? ks.ky : ks.kz;
        let s = 0;
        for (let J = 0; J < T; J++) {
          const so = J * K, dO = (be * T + J) * K;
          for (let k = 0; k < K; k++) s += kv[k] * (S.re[so + k] * Dre[dO + k] - S.im[so + k] * Dim[dO + k]);
        }
        gStrain[3 * al + be] += -f2 * s - (al === be ? L : 0);
      }
    // pass 2, term (a): −(2/V) Σ_k k Im[e^{ik·r_p} B_{t(p)}]
    for (let p = 0; p < N; p++) {
      phasesAt(ks, structure.positions[3 * p], structure.positions[3 * p + 1], structure.positions[3 * p + 2], tRe, tIm, cs, sn);
      const so = types[p] * K;
      let gx = 0, gy = 0, gz = 0;
      for (let k = 0; k < K; k++) {
        const im = cs[k] * Bim[so + k] + sn[k] * Bre[so + k];
        gx += ks.kx[k] * im; gy += ks.ky[k] * im; gz += ks.kz[k] * im;
      }
      gPos[3 * p] -= f2 * gx; gPos[3 * p + 1] -= f2 * gy; gPos[3 * p + 2] -= f2 * gz;
    }
  }

  /** The coefficient sets (for tests and analysis): c^ρ and c^V, N × T × NLM. */
  coefficients(structure: Structure, ctx: ComputeContext): { crho: Float64Array; cpot: Float64Array; types: Int32Array; plan: LodeMsPlan } {
    const types = this.setup(structure);
    const T = this.species.length, N = types.length;
    const crho = new Float64Array(N * T * this.hypers.densityCount * this.L2), cpot = new Float64Array(N * T * this.hypers.count * this.L2);
    const plan = this.plan(structure, ctx);
    this.density(structure, ctx, types, crho, null, null, null);
    this.potential(structure, ctx, types, plan, cpot);
    return { crho, cpot, types, plan };
  }

  compute(structure: Structure, ctx: ComputeContext): DescriptorOutput<MsSaved> {
    const { crho, cpot, types, plan } = this.coefficients(structure, ctx);
    const h = this.hypers, T = this.species.length, N = types.length, L2 = this.L2, Nd = h.densityCount, Nv = h.count, L1 = h.lmax + 1;
    const X = new Float64Array(N * this.width), sb = Math.sqrt(h.weight);
    for (let i = 0; i < N; i++) {
      let c = i * this.width;
      for (let J = 0; J < T; J++) for (let J2 = 0; J2 < T; J2++)
        for (let n = 0; n < Nd; n++) for (let n2 = 0; n2 < Nv; n2++) for (let l = 0; l < L1; l++) {
          const ro = (i * T + J) * Nd * L2 + n * L2, vo = (i * T + J2) * Nv * L2 + n2 * L2;
          let s = 0;
          for (let m = l * l; m < (l + 1) * (l + 1); m++) s += crho[ro + m] * cpot[vo + m];
          X[c++] = (sb * s) / Math.sqrt(2 * l + 1);
        }
    }
    const saved: MsSaved = { plan, types, crho, cpot };
    return { features: { rows: N, cols: this.width, data: X, labels: [...this.labels] }, saved };
  }

  /** Any upstream form through the plain batched pass (a row view copied, a factored upstream expanded in chunks). */
  vjp(structure: Structure, ctx: ComputeContext, saved: MsSaved, up: Upstream): DescriptorGradients {
    checkUpstream('lode-ms', up, saved.types.length, this.width);
    return vjpByBatches(up, saved.types.length, this.width, (g, count) => this.batched(structure, ctx, saved, g, count));
  }

  /** `count` reverse passes (one after the other; each is O(N·N_G) — see the module doc). */
  private batched(structure: Structure, ctx: ComputeContext, s: MsSaved, dEdX: Float64Array, count: number): DescriptorGradients {
    const types = s.types;
    const h = this.hypers, T = this.species.length, N = types.length, L2 = this.L2, Nd = h.densityCount, Nv = h.count, L1 = h.lmax + 1, W = this.width;
    if (!(Number.isInteger(count) && count >= 0) || dEdX.length !== count * N * W)
      throw new FarfieldError('INVALID_INPUT', `lode-ms backward: dE/dX has ${dEdX.length} entries, expected ${count}×${N}×${W}`);
    const gPos = new Float64Array(count * 3 * N), gStrain = new Float64Array(count * 9), sb = Math.sqrt(h.weight);
    const Ur = new Float64Array(N * T * Nd * L2), Uv = new Float64Array(N * T * Nv * L2);
    for (let c = 0; c < count; c++) {
      Ur.fill(0); Uv.fill(0);
      for (let i = 0; i < N; i++) {
        let col = c * N * W + i * W;
        for (let J = 0; J < T; J++) for (let J2 = 0; J2 < T; J2++)
          for (let n = 0; n < Nd; n++) for (let n2 = 0; n2 < Nv; n2++) for (let l = 0; l < L1; l++) {
            const g = (sb * dEdX[col++]) / Math.sqrt(2 * l + 1);
            if (g === 0) continue;
            const ro = (i * T + J) * Nd * L2 + n * L2, vo = (i * T + J2) * Nv * L2 + n2 * L2;
            for (let m = l * l; m < (l + 1) * (l + 1); m++) {
              Ur[ro + m] += g * s.cpot[vo + m];
              Uv[vo + m] += g * s.crho[ro + m];
            }
          }
      }
      const gp = gPos.subarray(c * 3 * N, (c + 1) * 3 * N), gs = gStrain.subarray(9 * c, 9 * c + 9);
      this.density(structure, ctx, types, null, Ur, gp, gs);
      this.potentialBackward(structure, ctx, types, s.plan, Uv, gp, gs);
    }
    return { positions: gPos, strain: gStrain };
  }

  /** ∫ r^{l+2} χ^V_nl dr (multipole moments of the potential basis). */
  potentialMoment(l: number, n: number): number {
    return this.pot.moment(l, n);
  }
}

/**
 * Reverse pass of one pair term c_{n,lm} += R_nl(d) Y_lm(r̂) (r = r_j − r_i, length d): with upstream U[o + n·L2 + m],
 * the force f = Σ U (R′ Y r̂ + R ∇Y) is added to atom j, subtracted from atom i, and f ⊗ r to the strain gradient.
 * Radial values/derivatives are laid out [l·N + n].
 */
function accumulateRadialYlmPair(
  U: Float64Array, o: number, N: number, L1: number, L2: number, R: Float64Array, dR: Float64Array, Y: Float64Array, dY: Float64Array,
  i: number, j: number, dx: number, dy: number, dz: number, d: number, gPos: Float64Array, gStrain: Float64Array,
): void {
  const ux = dx / d, uy = dy / d, uz = dz / d;
  let fx = 0, fy = 0, fz = 0;
  for (let l = 0; l < L1; l++)
    for (let n = 0; n < N; n++) {
      const r = R[l * N + n], dr = dR[l * N + n];
      for (let m = l * l; m < (l + 1) * (l + 1); m++) {
        const u = U[o + n * L2 + m];
        if (u === 0) continue;
        fx += u * (dr * Y[m] * ux + r * dY[3 * m]);
        fy += u * (dr * Y[m] * uy + r * dY[3 * m + 1]);
        fz += u * (dr * Y[m] * uz + r * dY[3 * m + 2]);
      }
    }
  scatterPair(gPos, 0, gStrain, 0, i, j, fx, fy, fz, dx, dy, dz);
}

DESCRIPTORS.register('lode-ms', (species, hypers) => new LodeMsDescriptor(species, hypers));
