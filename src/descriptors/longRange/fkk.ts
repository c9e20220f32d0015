/**
 * The FKK long-range descriptor (kind 'fkk'; Faller, Kaltak & Kresse, arXiv:2406.17595; science.md §4.3 boxed):
 *
 *   c^{iJ}_n = √β Y₀₀ N_n [ (1/V) Σ_G Ŝ_ζn(G) e^{−σ²G²/2} Σ_{k∈J} cos(G·(r_k − r_i)) − δ_{J,t(i)} 𝒮_ζn(0) ]
 *            = √β Y₀₀ N_n Σ_{k∈J} Σ'_n 𝒮_ζn(|r_k + n − r_i|)       (primed: k = i, n = 0 omitted),
 *
 * N_n = 2ζ_n^{3/2}, Y₀₀ = 1/(2√π), ζ_n = ζ_max s^{−(n−1)}; G = 0 included (value 8π/ζ³ per atom of J) unless
 * `includeZero: false` (then (N_J/V)Ŝ(0) is subtracted from the full sum in every mode). Columns: species J (descriptor universe order) major, n minor: label `fkk:J:n`.
 *
 * Evaluation:
 * - no periodicity: the direct real-space pair sum, O(N²), no cutoff;
 * - 3-D periodic: per channel (plan.ts, from the accuracy target) a real-space lattice sum, the reciprocal sum, or
 *   the Ewald-like split (pairFunction.ts) — real part over the context's half pair list (each unordered pair once,
 *   both directions from one table read; along a trajectory the skinned list as it stands, pairs beyond the cutoff dropped), reciprocal part either by
 *   explicit k-vectors (speciesReciprocal.ts: species structure factors computed once per structure on a |G|-sorted
 *   union k-set shared by all channels) or by smooth PME (speciesMesh.ts: the engine's `pmeReciprocal` with the
 *   channel's F(G²)), whichever the plan finds cheaper. Self term: −l(0) for J = t(i).
 * - mixed periodicity: refused (UNSUPPORTED).
 *
 * Reverse pass (science.md §4.5), the vjp for `count` upstream gradients g^c_{i,Jn} = ∂E_c/∂c^{iJ}_n at once
 * (`backward` is count = 1): the k-vector part is one batched pass with the upstream gradients as extra channels
 * (GEMMs of the weights u^c = √β Y₀₀ N_n g^c with the atoms' phases; O(count·N·N_G) time, O(N·count + N_G·chunk)
 * memory); the PME part one engine pass per (upstream, channel); the real part one pair loop that evaluates 𝒮′ / r′
 * once per pair and applies it to every upstream (∂/∂r_k of f(|r_ik|) = f′ r̂_ik, strain ∂/∂ε_αβ = f′ d_α d_β / d).
 * Nothing per (centre, atom) is stored.
 * Units: features dimensionless × Å^{3/2}·Å⁻³... (N_n carries Å^{−3/2}); positions Å; gradients in units of E per Å.
 */
import { cellVolume, type Structure } from '../../core/index.js';
import { planDensity, type FourierKernel, type PlanCostTable } from '../../electrostatics/index.js';
import { ContextSlot, type ComputeContext } from '../context.js';
import type { DescriptorSpec } from '../descriptor.js';
import { SpeciesChannelDescriptor } from './speciesChannels.js';
import { DESCRIPTORS } from '../registry.js';
import { fkkHypersToJSON, parseFkkHypers, zetaMesh, type FkkHypers } from './hypers.js';
import { slaterAtZero, slaterFourier, slaterPair, type SlaterChannel } from './pairFunction.js';
import { planFkk, type FkkPlan } from './plan.js';
import { pairTableStep, tabulatePairFunctions, type PairFunction } from './pairTable.js';
import type { HermiteSplineSet } from '../../math/index.js';
import { combinedDerivative, speciesConstantRows } from './pairCombined.js';
import { MeshWorkspaces, speciesMesh, speciesMeshBackward, type MeshChannel } from './speciesMesh.js';
import { accumulatePairAt, speciesReciprocal, speciesReciprocalBackward, type GradientSinkMany, type ReciprocalChannel, type ReciprocalStore } from './speciesReciprocal.js';

const Y00 = 1 / (2 * Math.sqrt(Math.PI));

/** Plans kept per descriptor instance (by cell and atom count), least recently used dropped beyond this. */
const PLAN_CACHE_SIZE = 64;
/** Longest real-space pair table (intervals); forced huge real cutoffs are evaluated analytically instead. */
const MAX_TABLE_INTERVALS = 100000;
/** The plan of one structure, per hyperparameter set (per-structure data of the compute context). */
const FKK_PLANS = new ContextSlot<FkkPlan>('fkk plan');

export class FkkDescriptor extends SpeciesChannelDescriptor<FkkPlan> {
  readonly kind = 'fkk';
  readonly hypers: FkkHypers;
  readonly zetas: Float64Array;
  /** √β Y₀₀ N_n per channel. */
  readonly prefactors: Float64Array;
  /** This instance's plans by (cell, atom count): immutable, LRU-bounded, dropped with the descriptor. */
  private readonly plans = new Map<string, FkkPlan>();
  /** This instance's PME state per channel (transform, meshes), reused from structure to structure. */
  private readonly meshWorkspaces = new MeshWorkspaces();
  /** Real-space pair tables (pairTable.ts) per plan: made on first use, dropped with the plan or the descriptor. */
  private readonly tables = new WeakMap<FkkPlan, HermiteSplineSet>();
  /** Interpolate the real-space pair functions from a table (default); false evaluates them analytically per pair. */
  tabulate = true;
  /**
   * Reverse pass of a species-constant upstream with one combined derivative per pair (pairCombined.ts; default);
   * false: channel by channel (the reference of the tests; same results to rounding).
   */
  combineSpeciesConstant = true;
  /** Kernels of the PME channel meshes: 'auto' (WebAssembly SIMD where available) or 'ts' (for A/B runs and tests). */
  get meshKernels(): 'auto' | 'ts' {
    return this.meshWorkspaces.kernels;
  }
  set meshKernels(k: 'auto' | 'ts') {
    this.meshWorkspaces.kernels = k;
  }
  /** The planner's prices of this instance's candidate evaluations (planFkk; default by hypers.planner). Set before planning. */
  planCosts: PlanCostTable | undefined = undefined;

  constructor(species: readonly string[], hypers: Record<string, unknown> = {}) {
    const parsed = parseFkkHypers(hypers);
    super('fkk', species, parsed.count, 'density');
    this.hypers = parsed;
    this.zetas = zetaMesh(this.hypers);
    const sb = Math.sqrt(this.hypers.weight);
    this.prefactors = Float64Array.from(this.zetas, (z) => sb * Y00 * 2 * Math.pow(z, 1.5));
  }

  toJSON(): DescriptorSpec {
    return { kind: 'fkk', species: [...this.species], hypers: fkkHypersToJSON(this.hypers) };
  }

  /** The per-channel plan for a periodic structure (cached in the context). */
  plan(structure: Structure, ctx?: ComputeContext): FkkPlan {
    const key = `fkk:plan:${JSON.stringify(this.hypers)}`;
    const hit = ctx?.get(FKK_PLANS, key);
    if (hit) return hit;
    // the plan depends on the hypers, the cell and the atom count (and the vacuum in the cell): structures of one data
    // set usually share them, and planning (PME error estimates over candidate meshes) costs ~0.1 s — kept across structures by this
    // descriptor instance (the hypers are fixed per instance)
    const shared = `${Array.from(structure.cell).join(',')}:${structure.species.length}`;
    let p = this.plans.get(shared);
    if (p) {
      this.plans.delete(shared); // most recently used last
    } else {
      // the density of the error estimates: uniform N/V unless the atoms fill only part of the cell (planner.ts
      // planDensity) — taken from the first structure of a (cell, atom count); later frames reuse the plan
      p = planFkk(this.hypers, { volumeA3: cellVolume(structure.cell), cell: structure.cell, atoms: structure.species.length, types: this.species.length, density: planDensity(structure.cell, structure.positions) }, this.planCosts);
      if (this.plans.size >= PLAN_CACHE_SIZE) this.plans.delete(this.plans.keys().next().value as string);
    }
    this.plans.set(shared, p);
    ctx?.set(FKK_PLANS, key, p);
    return p;
  }

  /** Periodic pass: real-space channels (and the split's short parts), then k-vector and PME channels. */
  protected periodicPass(structure: Structure, ctx: ComputeContext, plan: FkkPlan, types: Int32Array, X: Float64Array | null, g: Float64Array | null, out: GradientSinkMany | null, store: ReciprocalStore): void {
    const T = this.species.length, Nn = this.hypers.count;
    this.realSpace(structure, ctx, plan, types, X, g, out);
    const rc = this.reciprocalChannels(plan);
    if (X) {
      speciesReciprocal(structure, ctx, types, T, Nn, rc.ewald, this.planKey(), X);
      speciesMesh(structure, types, T, Nn, rc.pme, X, this.meshWorkspaces, store, ctx.strain);
    }
    if (g && out) {
      speciesReciprocalBackward(structure, ctx, types, T, Nn, rc.ewald, this.planKey(), g, out, store);
      speciesMeshBackward(structure, types, T, Nn, rc.pme, g, out, this.meshWorkspaces, store, ctx.strain);
      if (!ctx.strain) out.gStrain.fill(NaN); // not computed throughout (ComputeContext.strain)
    }
  }

  /** Open boundaries: all pairs, O(N²). Forward (X) or reverse (g, count upstream gradients). */
  protected finitePass(structure: Structure, types: Int32Array, X: Float64Array | null, g: Float64Array | null, out: GradientSinkMany | null): void {
    const N = types.length, Nn = this.hypers.count, W = this.width, sigma = this.hypers.smearingA, NW = N * W;
    const p = structure.positions, pf = this.prefactors, tmp = new Float64Array(2), dv = new Float64Array(Nn);
    for (let i = 0; i < N; i++)
      for (let k = 0; k < N; k++) {
        if (k === i) continue;
        const dx = p[3 * k] - p[3 * i], dy = p[3 * k + 1] - p[3 * i + 1], dz = p[3 * k + 2] - p[3 * i + 2];
        const d = Math.sqrt(dx * dx + dy * dy + dz * dz);
        const col = i * W + types[k] * Nn;
        for (let n = 0; n < Nn; n++) {
          slaterPair(this.zetas[n], sigma, d, tmp);
          if (X) X[col + n] += pf[n] * tmp[0];
          dv[n] = pf[n] * tmp[1];
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

  /**
   * Real-space channels ('real' and the short part of 'split') over the half pair list (each unordered pair (i, k)
   * once: its value goes to X[i, t(k)] and X[k, t(i)]; its reverse weight is the sum of both upstream entries), plus
   * the G = 0 fix-ups. Forward (X) or reverse (g, count upstream gradients: the pair functions are evaluated once
   * per pair). The list may hold pairs beyond the cutoff (a trajectory's skin): they are dropped here.
   */
  private realSpace(structure: Structure, ctx: ComputeContext, plan: FkkPlan, types: Int32Array, X: Float64Array | null, g: Float64Array | null, out: GradientSinkMany | null): void {
    const N = types.length, Nn = this.hypers.count, W = this.width, pf = this.prefactors, NW = N * W;
    const count = out ? out.count : 0, strain = ctx.strain, T = this.species.length;
    const chans = plan.channels;
    const realIdx = Int32Array.from(chans.map((c, n) => (c.mode === 'reciprocal' ? -1 : n)).filter((n) => n >= 0));
    const R = realIdx.length;
    if (R > 0) {
      const list = ctx.halfPairs(plan.realCutoffA);
      const A = list.first, B = list.second, Tr = list.translation, order = list.order, x = structure.positions;
      const rc2 = plan.realCutoffA * plan.realCutoffA;
      const tmp = new Float64Array(2), dv = new Float64Array(R), tv = new Float64Array(R), tdv = new Float64Array(R);
      const cut2 = Float64Array.from(chans, (c) => c.realCutoffA * c.realCutoffA);
      const table = this.tabulate && plan.realCutoffA / pairTableStep(this.hypers.smearingA, this.hypers.zetaMaxPerA) <= MAX_TABLE_INTERVALS ? this.realTable(plan, realIdx) : null;
      // reverse pass of one upstream that depends on the species only: one combined derivative per pair (pairCombined.ts)
      const rows = !X && g && count === 1 && table && this.combineSpeciesConstant ? speciesConstantRows(g, types, T, W, Nn, realIdx) : null;
      const comb = rows && table ? combinedDerivative(table, Float64Array.from(realIdx, (n) => chans[n].realCutoffA), rows, T, W, Nn, realIdx) : null;
      const cc = comb ? comb.coef : null, cK = comb ? comb.intervals : 0, cInv = comb ? comb.invStep : 0, cx0 = comb ? comb.x0 : 0;
      for (let pIdx = 0; pIdx < list.count; pIdx++) {
        const i = order[A[pIdx]], k = order[B[pIdx]];
        const dx = x[3 * k] - x[3 * i] + Tr[3 * pIdx], dy = x[3 * k + 1] - x[3 * i + 1] + Tr[3 * pIdx + 1], dz = x[3 * k + 2] - x[3 * i + 2] + Tr[3 * pIdx + 2];
        const d2 = dx * dx + dy * dy + dz * dz;
        if (d2 >= rc2 || d2 === 0) continue;
        const d = Math.sqrt(d2);
        if (comb && cc && out) {
          let q = Math.floor((d - cx0) * cInv);
          if (q < 0) q = 0;
          else if (q >= cK) q = cK - 1;
          if (!comb.mixed[q]) {
            const t = (d - cx0) * cInv - q, o = ((types[i] * T + types[k]) * cK + q) * 6;
            const dsum = (cc[o + 1] + t * (2 * cc[o + 2] + t * (3 * cc[o + 3] + t * (4 * cc[o + 4] + t * 5 * cc[o + 5])))) * cInv;
            if (dsum === 0) continue;
            if (strain) accumulatePairAt(out.gPos, 0, out.gStrain, 0, i, k, dx, dy, dz, d, dsum);
            else {
              const f = dsum / d, gx = f * dx, gy = f * dy, gz = f * dz, gp = out.gPos;
              gp[3 * k] += gx; gp[3 * k + 1] += gy; gp[3 * k + 2] += gz;
              gp[3 * i] -= gx; gp[3 * i + 1] -= gy; gp[3 * i + 2] -= gz;
            }
            continue;
          }
        }
        const colI = i * W + types[k] * Nn, colK = k * W + types[i] * Nn;
        let any = false;
        if (table) {
          if (g) table.evaluateWithDerivative(d, tv, tdv);
          else table.evaluate(d, tv); // forward: values only (the same arithmetic, bit for bit)
        }
        for (let r = 0; r < R; r++) {
          const n = realIdx[r];
          if (d2 >= cut2[n]) { dv[r] = 0; continue; }
          if (table) {
            if (X) { X[colI + n] += tv[r]; X[colK + n] += tv[r]; }
            dv[r] = tdv[r];
          } else {
            const c = chans[n];
            if (c.mode === 'real') slaterPair(c.zeta, this.hypers.smearingA, d, tmp);
            else c.channel.short(d, tmp);
            if (X) { X[colI + n] += pf[n] * tmp[0]; X[colK + n] += pf[n] * tmp[0]; }
            dv[r] = pf[n] * tmp[1];
          }
          any = true;
        }
        if (g && out && any)
          for (let c = 0; c < count; c++) {
            const gi = c * NW + colI, gk = c * NW + colK;
            let dsum = 0;
            for (let r = 0; r < R; r++) dsum += (g[gi + realIdx[r]] + g[gk + realIdx[r]]) * dv[r];
            if (dsum === 0) continue;
            if (strain) accumulatePairAt(out.gPos, c * 3 * N, out.gStrain, c * 9, i, k, dx, dy, dz, d, dsum);
            else {
              // positions only (the strain is not asked: ComputeContext.strain), the same terms as scatterPair's
              const f = dsum / d, gx = f * dx, gy = f * dy, gz = f * dz, gp = out.gPos, po = c * 3 * N;
              gp[po + 3 * k] += gx; gp[po + 3 * k + 1] += gy; gp[po + 3 * k + 2] += gz;
              gp[po + 3 * i] -= gx; gp[po + 3 * i + 1] -= gy; gp[po + 3 * i + 2] -= gz;
            }
          }
      }
    }
    // Without the G = 0 term: subtract the mean-density part (N_J/V) Ŝ(0) of every channel (the reciprocal parts
    // always include their own G = 0 term, so this is exact in every mode); strain derivative +δ_αβ (N_J/V) Ŝ(0).
    if (!this.hypers.includeZero) {
      const V = cellVolume(structure.cell);
      const counts = new Float64Array(this.species.length);
      for (let i = 0; i < N; i++) counts[types[i]]++;
      for (const [n, c] of chans.entries()) {
        const s0 = slaterFourier(c.zeta, 0);
        for (let J = 0; J < this.species.length; J++) {
          const v = (pf[n] * counts[J] * s0) / V;
          for (let i = 0; i < N; i++) {
            if (X) X[i * W + J * Nn + n] -= v;
            if (g && out)
              for (let cc = 0; cc < count; cc++) {
                const t = g[cc * NW + i * W + J * Nn + n] * v;
                out.gStrain[cc * 9] += t; out.gStrain[cc * 9 + 4] += t; out.gStrain[cc * 9 + 8] += t;
              }
          }
        }
      }
    }
  }

  /** The table of the real-space channels `realIdx` of `plan` (premultiplied by their prefactors) on [0, r_c]. */
  private realTable(plan: FkkPlan, realIdx: Int32Array): HermiteSplineSet {
    let t = this.tables.get(plan);
    if (!t) {
      const sigma = this.hypers.smearingA;
      const fns: PairFunction[] = Array.from(realIdx, (n) => {
        const c = plan.channels[n];
        return c.mode === 'real' ? (d: number, o: Float64Array) => slaterPair(c.zeta, sigma, d, o) : (d: number, o: Float64Array) => c.channel.short(d, o);
      });
      t = tabulatePairFunctions(fns, Array.from(realIdx, (n) => this.prefactors[n]), plan.realCutoffA, pairTableStep(sigma, this.hypers.zetaMaxPerA));
      this.tables.set(plan, t);
    }
    return t;
  }

  /** Cache key of the reciprocal channel set (the plan is a function of the hypers and the cell). */
  private planKey(): string {
    return `fkk:${JSON.stringify(this.hypers)}`;
  }

  /** Reciprocal channels ('reciprocal' and the long part of 'split'), by solver: explicit k-vectors or PME. */
  reciprocalChannels(plan: FkkPlan): { ewald: ReciprocalChannel[]; pme: MeshChannel[] } {
    const ewald: ReciprocalChannel[] = [], pme: MeshChannel[] = [];
    for (const [n, c] of plan.channels.entries()) {
      if (c.mode === 'real') continue;
      const ch: ReciprocalChannel = {
        n, kernel: channelKernel(c.channel, true), kCutoffPerA: c.kCutoffPerA, prefactor: this.prefactors[n],
        self: c.mode === 'split' ? c.channel.longAtZero() : slaterAtZero(c.zeta, this.hypers.smearingA),
        kernelKey: `fkk|${c.channel.zeta}|${c.channel.sigma}|${c.channel.splitA}`,
      };
      if (c.solver === 'pme' && c.mesh && c.order) pme.push({ ...ch, mesh: c.mesh, order: c.order });
      else ewald.push(ch);
    }
    return { ewald, pme };
  }
}

/** The channel as an electrostatics FourierKernel (F(G²) and dF/dG²). */
export function channelKernel(ch: SlaterChannel, includeZero: boolean): FourierKernel {
  return { value: (k2) => ch.fourier(k2), derivative: (k2) => ch.fourierDerivative(k2), includeZero };
}

DESCRIPTORS.register('fkk', (species, hypers) => new FkkDescriptor(species, hypers));
