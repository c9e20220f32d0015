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
 * have no G = 0 part: I_nl(k) ~ k^l); self term C_n^{σ′}. σ′, real and k cutoffs: multiscalePlan.ts describes the
 * candidates, electrostatics/planner.ts picks the cheapest at the accuracy target. Reverse pass of the short part:
 * one pair loop.
 * Files: multiscaleHypers.ts (hyperparameters), multiscaleRadial.ts (potential basis, I_nl(k) table, s_nl, the A
 * table), multiscaleSplit.ts (per-σ′ backgrounds, self terms, tail profile, short table), multiscalePlan.ts (the
 * plan), multiscalePair.ts (reverse pass of a pair term); this file: the descriptor (forward and reverse passes) on the
 * species skeleton it shares with fkk and lode (longRange/speciesBase.ts: species, labels, column group, boundary
 * policy, upstream dispatch).
 * Cost per pass O(N·pairs·NLM + N·N_G′·T·NLM) with the small N_G′ of σ′ (still ∝ N at fixed σ′: σ′ grows with the
 * cell through the plan); memory O(N_G′·NLM) for the A table (×4 in the reverse pass for ∂A/∂k).
 * Open boundaries: not supported (the l > 0 real-space pair functions are not implemented) — UNSUPPORTED.
 */
import { FarfieldError, cellVolume, type Structure } from '../../core/index.js';
import { kVectors, planDensity, phasesAt, phaseTableLength, structureFactors, type KVectorSet } from '../../electrostatics/index.js';
import { getLinalg, SphericalHarmonics } from '../../math/index.js';
import { ContextSlot, type ComputeContext } from '../context.js';
import type { DescriptorGradients, DescriptorOutput, DescriptorSpec } from '../descriptor.js';
import { vjpByBatches, type Upstream } from '../upstream.js';
import { SpeciesDescriptorBase, type SpeciesSaved } from '../longRange/speciesBase.js';
import { gaussianProjection, type GaussianProjection } from '../radial/index.js';
import { DESCRIPTORS } from '../registry.js';
import { BesselChannel } from './basis.js';
import { parseLodeMsHypers, type LodeMsHypers } from './multiscaleHypers.js';
import { RadialYlmPairGradient } from './multiscalePair.js';
import { planLodeMs, type LodeMsPlan } from './multiscalePlan.js';
import { PotentialRadial, potentialTable } from './multiscaleRadial.js';
import { LodeMsSplits } from './multiscaleSplit.js';

export { LODE_MS_DEFAULTS, parseLodeMsHypers, type LodeMsHypers } from './multiscaleHypers.js';
export { PotentialRadial, potentialTable } from './multiscaleRadial.js';
export { planLodeMs, type LodeMsPlan } from './multiscalePlan.js';
export { LodeMsSplits, type LodeMsSplitData } from './multiscaleSplit.js';
export { RadialYlmPairGradient, type RadialYlmPairOptions } from './multiscalePair.js';

export interface MsSaved extends SpeciesSaved {
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

export class LodeMsDescriptor extends SpeciesDescriptorBase<MsSaved> {
  readonly kind = 'lode-ms';
  readonly hypers: LodeMsHypers;
  private readonly proj: GaussianProjection;
  private readonly pot: PotentialRadial;
  private readonly selfTerms: Float64Array;
  private readonly L2: number;
  private readonly splits: LodeMsSplits;

  constructor(species: readonly string[], hypers: Record<string, unknown> = {}) {
    const h = parseLodeMsHypers(hypers);
    super({
      name: 'lode-ms',
      species,
      labels: (sp) => {
        const labels: string[] = [];
        for (const J of sp) for (const K of sp)
          for (let n = 0; n < h.densityCount; n++) for (let m = 0; m < h.count; m++) for (let l = 0; l <= h.lmax; l++)
            labels.push(`lode-ms:${J}:${K}:${n + 1}:${m + 1}:${l}`);
        return labels;
      },
      // ρ ⊗ V products: three-body, long-range, not linear in the charges; columns species-pair-major
      group: { bodyOrder: 3, range: 'long', linear: null, speciesChannels: null },
      boundaries: 'periodic',
    });
    this.hypers = h;
    this.proj = gaussianProjection(h.densityCutoffA, h.densitySmearingA, h.densityCount, h.lmax);
    // owned by this instance: its k-space table grows with the largest k-cutoff seen, so sharing it between
    // instances would make one descriptor's values depend on another's history
    this.pot = new PotentialRadial(h.cutoffA, h.count, h.lmax);
    this.selfTerms = Float64Array.from({ length: h.count }, (_, n) => new BesselChannel(n + 1, h.cutoffA, h.smearingA).selfTerm());
    this.L2 = (h.lmax + 1) ** 2;
    this.splits = new LodeMsSplits(h, this.pot);
  }

  toJSON(): DescriptorSpec {
    const h: Record<string, unknown> = { ...this.hypers };
    for (const k of ['kCutoffPerA', 'splitWidthA', 'realCutoffA']) if (h[k] === undefined) delete h[k];
    return { kind: 'lode-ms', species: [...this.species], hypers: h };
  }

  /** The plan of the periodic potential part for one structure (multiscalePlan.ts; cached in the context). */
  plan(structure: Structure, ctx?: ComputeContext): LodeMsPlan {
    const key = `lode-ms:plan:${JSON.stringify(this.hypers)}`;
    const hit = ctx?.get(MS_PLANS, key);
    if (hit) return hit;
    const plan = planLodeMs(this.hypers, { volumeA3: cellVolume(structure.cell), atoms: structure.species.length, density: planDensity(structure.cell, structure.positions) }, this.species.length, this.pot, this.splits);
    ctx?.set(MS_PLANS, key, plan);
    return plan;
  }

  /** Density coefficients c^ρ (forward) or, with U, their reverse pass into gPos/gStrain. */
  private density(structure: Structure, ctx: ComputeContext, types: Int32Array, C: Float64Array | null, U: Float64Array | null, gPos: Float64Array | null, gStrain: Float64Array | null): void {
    const h = this.hypers, T = this.species.length, L2 = this.L2, Nd = h.densityCount, NLM = Nd * L2, L1 = h.lmax + 1;
    const nl = ctx.neighbours(h.densityCutoffA);
    const sh = new SphericalHarmonics(h.lmax);
    const F = this.proj.functions, hv = new Float64Array(F), hd = new Float64Array(F);
    const scatter = U && gPos && gStrain ? new RadialYlmPairGradient({ upstream: U, radialCount: Nd, lmax: h.lmax, radial: hv, radialDerivative: hd, harmonics: sh, gPos, gStrain }) : null;
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
        scatter?.add(o, i, j, dx, dy, dz, d);
      }
    }
  }

  /** A (NLM × 2K: even l in the cos half, odd l in the sin half) and, if asked, ∂A/∂k_β (3 such matrices). */
  private table(ks: KVectorSet, withGradient: boolean, sigma: number, ctx: ComputeContext): { A: Float64Array; dA: Float64Array | null } {
    const key = `lode-ms:A:${JSON.stringify(this.hypers)}:${ks.kCutoffPerA}:${sigma}:${withGradient}`;
    const hit = ctx.get(MS_TABLES, key);
    if (hit) return hit;
    const res = potentialTable(this.pot, ks, withGradient, sigma);
    ctx.set(MS_TABLES, key, res);
    return res;
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
    const ks = this.kset(ctx, structure, plan.kCutoffPerA), K = ks.count, K2 = 2 * K, V = cellVolume(structure.cell);
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
    const self = plan.mode === 'split' ? this.splits.data(plan.sigmaLong).self : this.selfTerms;
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
    const table = this.splits.table(plan.sigmaLong, plan.realCutoffA);
    const nl = ctx.neighbours(plan.realCutoffA);
    const sh = new SphericalHarmonics(h.lmax);
    const F = table.functions, sv = new Float64Array(F), sd = new Float64Array(F);
    const scatter = U && gPos && gStrain ? new RadialYlmPairGradient({ upstream: U, radialCount: Nv, lmax: h.lmax, radial: sv, radialDerivative: sd, harmonics: sh, gPos, gStrain }) : null;
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
        scatter?.add(o, i, j, dx, dy, dz, d);
      }
    }
    const V = cellVolume(structure.cell), bg = this.splits.data(plan.sigmaLong).background;
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
    const key = `lode-ms:S:${this.species.join(',')}:${ks.kCutoffPerA}`;
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
    const ks = this.kset(ctx, structure, plan.kCutoffPerA), K = ks.count, K2 = 2 * K, V = cellVolume(structure.cell), f2 = 2 / V;
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
    const { types } = this.setup(structure);
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
    const saved: MsSaved = { periodic: true, plan, types, crho, cpot };
    return { features: { rows: N, cols: this.width, data: X, labels: [...this.labels] }, saved };
  }

  /** Any upstream form through the plain batched pass (a row view copied, a factored upstream expanded in chunks). */
  /** Views and factored upstreams are expanded in bounded batches (the columns are not linear in a channel basis). */
  protected dispatch(up: Upstream, N: number, many: (dEdX: Float64Array, count: number) => DescriptorGradients): DescriptorGradients {
    return vjpByBatches(up, N, this.width, many);
  }

  /** `count` reverse passes (one after the other; each is O(N·N_G) — see the module doc). */
  protected batched(structure: Structure, ctx: ComputeContext, s: MsSaved, dEdX: Float64Array, count: number): DescriptorGradients {
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

DESCRIPTORS.register('lode-ms', (species, hypers) => new LodeMsDescriptor(species, hypers));
