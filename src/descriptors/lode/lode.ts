/**
 * LODE ν = 1 (kind 'lode'; Grisafi & Ceriotti, JCP 151, 204105 (2019); the comparator of Faller et al.;
 * science.md §2, §4.6–4.7): the l = 0 coefficients of the species-resolved potential of the Gaussian-smeared
 * density on the truncated spherical-Bessel basis χ_n of cutoff R_c (basis.ts):
 *
 *   periodic:  c^{iJ}_n = √β [ (1/V) Σ_{G≠0} F_n(G) Σ_{k∈J} cos(G·(r_k − r_i)) − δ_{J,t(i)} C_n ]
 *   open:      c^{iJ}_n = √β Σ_{k∈J, k≠i} h_n(r_ik)
 *
 * G = 0 is excluded: each species channel is the potential of that species plus a uniform compensating background
 * (tin-foil); in a charge-weighted neutral combination Σ_J q_J c^{iJ} the backgrounds cancel. C_n removes the
 * potential of the centre's own Gaussian (featomic's center_atom_weight = 0). For sources outside R_c the
 * coefficient is (Y₀₀ 4π ∫ r²χ_n dr) × the potential at the centre (mean-value property), so Σ_J q_J c^{iJ}_n
 * reproduces Madelung potentials (test/descriptors/lode).
 * Periodic evaluation (split.ts, chosen by the accuracy target with method 'auto'): either the plain reciprocal
 * sum above ('reciprocal', O(N²) at fixed density: the G cutoff is set by σ), or the Ewald-like split ('split'):
 * long part = the same sum with a wider smearing σ′ (small G cutoff; explicit k-vectors or PME), short part =
 * s_n = h_n^σ − h_n^{σ′} over the neighbour list (spline), minus the background (N_J/V) Y₀₀ 8π²(σ′² − σ²) I_n(0).
 * Columns: species J major, n minor: label `lode:J:n`. The G cutoff comes from the accuracy target (absolute error
 * of one coefficient, same estimate as the FKK plan) or the `kCutoffPerA` override.
 * Reverse pass: one more reciprocal pass with the upstream gradients as probes (speciesReciprocal.ts); open systems
 * re-sum h_n′ over pairs. Cost O(N·N_G·T) per channel (periodic), O(N²·N·quadrature) open.
 */
import { cellVolume, type Structure } from '../../core/index.js';
import { kernelTailError, planDensity } from '../../electrostatics/index.js';
import { ContextSlot, type ComputeContext } from '../context.js';
import type { DescriptorSpec } from '../descriptor.js';
import { checkHyperObject, hyperChoice, hyperNumber, renameDeprecatedHypers } from '../hypers.js';
import { SpeciesChannelDescriptor } from '../longRange/speciesChannels.js';
import { DESCRIPTORS } from '../registry.js';
import { accumulatePairAt, speciesReciprocal, speciesReciprocalBackward, type GradientSinkMany, type ReciprocalChannel, type ReciprocalStore } from '../longRange/speciesReciprocal.js';
import type { HermiteSplineSet } from '../../math/index.js';
import { MeshWorkspaces, speciesMesh, speciesMeshBackward, type MeshChannel } from '../longRange/speciesMesh.js';
import { BesselChannel } from './basis.js';
import { channelAbsVolume, planLode, ShortTail, shortTable, shortTableStep, splitBackground, type LodeSplitPlan } from './split.js';

export interface LodeHypers {
  /** R_c of the spherical-Bessel basis, Å. */
  cutoffA: number;
  /** Number of radial functions n = 1..count. */
  count: number;
  /** Gaussian smearing of the atoms, Å. */
  smearingA: number;
  /** Absolute error target of one coefficient (drives the G cutoff). */
  accuracy: number;
  /** Block weight β (features × √β). */
  weight: number;
  /** Override of the G cutoff, Å⁻¹ (of the reciprocal sum, or of the long part of the split). */
  kCutoffPerA?: number;
  /** Periodic evaluation: 'auto' (cheapest under the cost model), 'split' or 'reciprocal' (unsplit G sum). */
  method: 'auto' | 'split' | 'reciprocal';
  /** Solver of the split's long part: 'auto', 'ewald' (explicit k-vectors) or 'pme'. */
  reciprocalSolver: 'auto' | 'ewald' | 'pme';
  /** PME B-spline order. */
  pmeOrder: number;
  /** Override of the split smearing σ′ (Å, > σ). */
  splitWidthA?: number;
  /** Override of the short part's real-space cutoff (Å, > R_c). */
  realCutoffA?: number;
}

export const LODE_DEFAULTS: Readonly<LodeHypers> = Object.freeze({
  cutoffA: 4, count: 6, smearingA: 0.5, accuracy: 1e-6, weight: 1, method: 'auto' as const, reciprocalSolver: 'auto' as const, pmeOrder: 6,
});

const KEYS = new Set(['cutoffA', 'count', 'smearingA', 'accuracy', 'weight', 'kCutoffPerA', 'method', 'reciprocalSolver', 'pmeOrder', 'splitWidthA', 'realCutoffA']);

export function parseLodeHypers(h: Record<string, unknown>, what = 'lode descriptor'): LodeHypers {
  h = renameDeprecatedHypers(h, what);
  checkHyperObject(h, what, KEYS);
  const num = (key: keyof LodeHypers, ok: (x: number) => boolean, expect: string, dflt?: number): number => hyperNumber(h, key, what, ok, expect, dflt);
  const d = LODE_DEFAULTS;
  const out: LodeHypers = {
    cutoffA: num('cutoffA', (x) => x > 0, 'a positive basis cutoff in Å', d.cutoffA),
    count: num('count', (x) => Number.isInteger(x) && x >= 1 && x <= 64, 'an integer in 1..64', d.count),
    smearingA: num('smearingA', (x) => x > 0, 'a positive Gaussian width in Å', d.smearingA),
    accuracy: num('accuracy', (x) => x > 0 && x < 1, 'an absolute error target in (0, 1)', d.accuracy),
    weight: num('weight', (x) => x >= 0, 'a block weight ≥ 0', d.weight),
    method: d.method,
    reciprocalSolver: d.reciprocalSolver,
    pmeOrder: num('pmeOrder', (x) => Number.isInteger(x) && x >= 3 && x <= 12, 'an integer B-spline order in 3..12', d.pmeOrder),
  };
  out.method = hyperChoice(h, 'method', what, ['auto', 'split', 'reciprocal'] as const, d.method);
  out.reciprocalSolver = hyperChoice(h, 'reciprocalSolver', what, ['auto', 'ewald', 'pme'] as const, d.reciprocalSolver);
  if (h.kCutoffPerA !== undefined) out.kCutoffPerA = num('kCutoffPerA', (x) => x > 0, 'a positive cutoff in Å⁻¹');
  if (h.splitWidthA !== undefined) out.splitWidthA = num('splitWidthA', (x) => x > out.smearingA, `a split width σ′ > smearingA (${out.smearingA}) in Å`);
  if (h.realCutoffA !== undefined) out.realCutoffA = num('realCutoffA', (x) => x > out.cutoffA, `a real-space cutoff > cutoffA (${out.cutoffA}) in Å`);
  return out;
}

const Y00 = 1 / (2 * Math.sqrt(Math.PI));
/** The periodic plan of one structure, per hyperparameter set (per-structure data of the compute context). */
const LODE_PLANS = new ContextSlot<LodeSplitPlan>('lode plan');

/** G cutoff for one channel from the accuracy target (bisection on the planner's Gaussian-tail estimate, kernelAccuracy.ts). */
export function lodeKCutoff(ch: BesselChannel, accuracy: number, density: number): number {
  const s = ch.smearingA;
  const env = (G: number) => {
    const bound = Math.min(ch.cutoffA / (ch.nu * G * (ch.q + G)), 1 / (ch.nu * G * Math.abs(G * G - ch.q * ch.q)));
    return (Y00 * 16 * Math.PI * Math.PI * Math.exp(-s * s * G * G / 2) * bound) / (G * G);
  };
  const err = (G: number) => kernelTailError(env(G), s, G, density);
  let lo = 2 * ch.q, hi = 2 * ch.q + 60 / s;
  if (err(lo) <= accuracy) return lo;
  for (let it = 0; it < 60; it++) {
    const m = 0.5 * (lo + hi);
    if (err(m) <= accuracy) hi = m;
    else lo = m;
  }
  return hi;
}

export class LodeDescriptor extends SpeciesChannelDescriptor<LodeSplitPlan> {
  readonly kind = 'lode';
  readonly hypers: LodeHypers;
  readonly channels: readonly BesselChannel[];
  private readonly selfTerms: Float64Array;
  private readonly scale: number;
  /** Split data per σ′: long channels, their self terms, backgrounds, short tables (largest range built so far). */
  /** This instance's PME state per channel (transform, meshes), reused from structure to structure. */
  private readonly meshWorkspaces = new MeshWorkspaces();
  private readonly splitData = new Map<number, { long: BesselChannel[]; self: Float64Array; background: Float64Array; table: HermiteSplineSet | null; tail: ShortTail | null }>();

  constructor(species: readonly string[], hypers: Record<string, unknown> = {}) {
    const parsed = parseLodeHypers(hypers);
    super('lode', species, parsed.count, 'potential');
    this.hypers = parsed;
    this.channels = Array.from({ length: this.hypers.count }, (_, n) => new BesselChannel(n + 1, this.hypers.cutoffA, this.hypers.smearingA));
    this.selfTerms = Float64Array.from(this.channels, (c) => c.selfTerm());
    this.scale = Math.sqrt(this.hypers.weight);
  }

  toJSON(): DescriptorSpec {
    const h: Record<string, unknown> = { ...this.hypers };
    for (const k of ['kCutoffPerA', 'splitWidthA', 'realCutoffA']) if (h[k] === undefined) delete h[k];
    // defaults of the evaluation options are omitted (specs written before the split stay identical)
    for (const k of ['method', 'reciprocalSolver', 'pmeOrder'] as const) if (h[k] === LODE_DEFAULTS[k]) delete h[k];
    return { kind: 'lode', species: [...this.species], hypers: h };
  }

  /** G cutoff per channel for this structure (at the density seen by the tail: planner.ts planDensity at √2σ). */
  kCutoffs(structure: Structure, density = planDensity(structure.cell, structure.positions)): number[] {
    const rho = density(Math.SQRT2 * this.hypers.smearingA);
    return this.channels.map((c) => this.hypers.kCutoffPerA ?? lodeKCutoff(c, this.hypers.accuracy, rho));
  }

  /** The reciprocal channels for the G cutoffs kc (unsplit, or the split's long part with smearing σ′ = sigmaLong). */
  reciprocalChannels(kc: number[], sigmaLong?: number): ReciprocalChannel[] {
    const sd = sigmaLong === undefined ? null : this.split(sigmaLong);
    const id = `lode|${JSON.stringify(this.hypers)}|${sigmaLong ?? 'unsplit'}`;
    return this.channels.map((c0, n) => {
      const tmp = new Float64Array(2);
      const c = sd ? sd.long[n] : c0;
      return {
        n, kCutoffPerA: kc[n], self: sd ? sd.self[n] : this.selfTerms[n], prefactor: this.scale,
        kernel: { value: (g2: number) => c.fourier(g2, tmp), derivative: (g2: number) => c.fourierDerivative(g2, tmp), includeZero: false },
        kernelKey: `${id}|${n}`,
      };
    });
  }

  /** The periodic plan for one structure (cached in the context). */
  plan(structure: Structure, ctx?: ComputeContext): LodeSplitPlan {
    const key = `lode:plan:${JSON.stringify(this.hypers)}`;
    const hit = ctx?.get(LODE_PLANS, key);
    if (hit) return hit;
    const h = this.hypers;
    const density = planDensity(structure.cell, structure.positions);
    const pure = h.method === 'split' ? [] : this.kCutoffs(structure, density);
    const p = planLode(h, structure.cell, cellVolume(structure.cell), structure.species.length, this.species.length, pure, (sl) => {
      const sd = this.split(sl);
      if (!sd.tail) sd.tail = new ShortTail(this.channels, sd.long, sl);
      return sd.tail;
    }, density);
    ctx?.set(LODE_PLANS, key, p);
    return p;
  }

  private split(sigmaLong: number): { long: BesselChannel[]; self: Float64Array; background: Float64Array; table: HermiteSplineSet | null; tail: ShortTail | null } {
    let sd = this.splitData.get(sigmaLong);
    if (!sd) {
      const long = this.channels.map((c) => new BesselChannel(c.n, this.hypers.cutoffA, sigmaLong));
      sd = {
        long, self: Float64Array.from(long, (c) => c.selfTerm()),
        background: Float64Array.from(this.channels, (c) => splitBackground(c, sigmaLong)), table: null, tail: null,
      };
      this.splitData.set(sigmaLong, sd);
    }
    return sd;
  }

  /** Short-range table of the split with smearing σ′ covering [0, range] (built on demand, kept per σ′). */
  shortTable(sigmaLong: number, range: number): HermiteSplineSet {
    const sd = this.split(sigmaLong);
    if (!sd.table || sd.table.x1 < range) {
      const A = Math.max(...this.channels.map(channelAbsVolume));
      const step = shortTableStep(this.hypers.smearingA, A, this.hypers.accuracy / 4);
      sd.table = shortTable(this.channels, sd.long, Math.ceil(range), step);
    }
    return sd.table;
  }

  private key(plan: LodeSplitPlan): string {
    return `lode:${plan.mode}:${plan.sigmaLong}:${JSON.stringify(this.hypers)}`;
  }

  /** Periodic forward (X) or reverse (g, out) pass: reciprocal/mesh parts, and for the split the short part and background. */
  protected periodicPass(structure: Structure, ctx: ComputeContext, plan: LodeSplitPlan, types: Int32Array, X: Float64Array | null, g: Float64Array | null, out: GradientSinkMany | null, store: ReciprocalStore): void {
    const T = this.species.length, Nn = this.hypers.count;
    const kc = plan.channels.map((c) => c.kCutoffPerA);
    const all = this.reciprocalChannels(kc, plan.mode === 'split' ? plan.sigmaLong : undefined);
    const ewald: ReciprocalChannel[] = [], pme: MeshChannel[] = [];
    all.forEach((c, n) => {
      const pc = plan.channels[n];
      if (pc.solver === 'pme' && pc.mesh && pc.order) pme.push({ ...c, mesh: pc.mesh, order: pc.order });
      else ewald.push(c);
    });
    if (X) {
      speciesReciprocal(structure, ctx, types, T, Nn, ewald, this.key(plan), X);
      speciesMesh(structure, types, T, Nn, pme, X, this.meshWorkspaces, store);
    }
    if (g && out) {
      speciesReciprocalBackward(structure, ctx, types, T, Nn, ewald, this.key(plan), g, out, store);
      speciesMeshBackward(structure, types, T, Nn, pme, g, out, this.meshWorkspaces, store);
    }
    if (plan.mode === 'split') this.shortPart(structure, ctx, plan, types, X, g, out);
  }

  /** Short part of the split over the neighbour list, and the background −(N_J/V)·B_n. */
  private shortPart(structure: Structure, ctx: ComputeContext, plan: LodeSplitPlan, types: Int32Array, X: Float64Array | null, g: Float64Array | null, out: GradientSinkMany | null): void {
    const N = types.length, Nn = this.hypers.count, W = this.width, NW = N * W, T = this.species.length, sc = this.scale;
    const count = out ? out.count : 0;
    const table = this.shortTable(plan.sigmaLong, plan.realCutoffA);
    const nl = ctx.neighbours(plan.realCutoffA);
    const v = new Float64Array(Nn), dv = new Float64Array(Nn), vec = nl.vectors;
    for (let p = 0; p < nl.count; p++) {
      const d = nl.distances[p], i = nl.centres[p], k = nl.neighbours[p];
      const col = i * W + types[k] * Nn;
      table.evaluateWithDerivative(d, v, dv);
      if (X) for (let n = 0; n < Nn; n++) X[col + n] += sc * v[n];
      if (g && out)
        for (let c = 0; c < count; c++) {
          const go = c * NW + col;
          let dsum = 0;
          for (let n = 0; n < Nn; n++) dsum += g[go + n] * dv[n];
          if (dsum !== 0) accumulatePairAt(out.gPos, c * 3 * N, out.gStrain, c * 9, i, k, vec[3 * p], vec[3 * p + 1], vec[3 * p + 2], d, sc * dsum);
        }
    }
    const V = cellVolume(structure.cell), bg = this.split(plan.sigmaLong).background;
    const counts = new Float64Array(T);
    for (let i = 0; i < N; i++) counts[types[i]]++;
    for (let J = 0; J < T; J++)
      for (let n = 0; n < Nn; n++) {
        const b = (sc * counts[J] * bg[n]) / V;
        for (let i = 0; i < N; i++) {
          if (X) X[i * W + J * Nn + n] -= b;
          if (g && out)
            for (let c = 0; c < count; c++) {
              const t = g[c * NW + i * W + J * Nn + n] * b;
              out.gStrain[c * 9] += t; out.gStrain[c * 9 + 4] += t; out.gStrain[c * 9 + 8] += t;
            }
        }
      }
  }

  protected finitePass(structure: Structure, types: Int32Array, X: Float64Array | null, g: Float64Array | null, out: GradientSinkMany | null): void {
    const N = types.length, Nn = this.hypers.count, W = this.width, p = structure.positions, NW = N * W;
    const tmp = new Float64Array(2), dv = new Float64Array(Nn);
    for (let i = 0; i < N; i++)
      for (let k = 0; k < N; k++) {
        if (k === i) continue;
        const dx = p[3 * k] - p[3 * i], dy = p[3 * k + 1] - p[3 * i + 1], dz = p[3 * k + 2] - p[3 * i + 2];
        const d = Math.sqrt(dx * dx + dy * dy + dz * dz);
        const col = i * W + types[k] * Nn;
        for (let n = 0; n < Nn; n++) {
          this.channels[n].pair(d, tmp);
          if (X) X[col + n] += this.scale * tmp[0];
          dv[n] = this.scale * tmp[1];
        }
        if (g && out)
          for (let c = 0; c < out.count; c++) {
            const go = c * NW + col;
            let dsum = 0;
            for (let n = 0; n < Nn; n++) dsum += g[go + n] * dv[n];
            if (dsum !== 0) accumulatePairAt(out.gPos, c * 3 * N, out.gStrain, c * 9, i, k, dx, dy, dz, d, dsum);
          }
      }
  }
}

DESCRIPTORS.register('lode', (species, hypers) => new LodeDescriptor(species, hypers));
