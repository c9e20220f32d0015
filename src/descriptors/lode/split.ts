/**
 * Ewald-like split of periodic LODE ν = 1 (our construction; exact, proven by test/descriptors/lode/split.test.ts).
 *
 * Channel n of the unsplit reciprocal form (lode.ts) has the kernel F_n^σ(G) = Y₀₀ (4π/G²) e^{−σ²G²/2} 4π I_n(G).
 * With a second, wider smearing σ′ > σ:
 *   F_n^σ = F_n^{σ′} + ŝ_n,   ŝ_n(G) = Y₀₀ 4π I_n(G) (4π/G²)(e^{−σ²G²/2} − e^{−σ′²G²/2}),
 * where ŝ_n is entire in G² (ŝ_n(0) = Y₀₀ 8π² (σ′² − σ²) I_n(0)), so its real-space form
 *   s_n(d) = h_n^σ(d) − h_n^{σ′}(d)          (h_n of basis.ts: the open-boundary pair function, σ and σ′)
 * decays like erfc((d − R_c)/√2σ′)/(d − R_c). Poisson summation of the short part over all images (incl. the
 * centre's own at d = 0, value s_n(0) = C_n^σ − C_n^{σ′}) and removal of its G = 0 term give, exactly,
 *
 *   (1/V) Σ_{G≠0} F_n^σ Σ_{k∈J} cos − δ_{J,t(i)} C_n^σ
 *     = [(1/V) Σ_{G≠0} F_n^{σ′} Σ_{k∈J} cos − δ_{J,t(i)} C_n^{σ′}]       long part: small G cutoff, or PME
 *     + Σ'_{k∈J, images} s_n(|r_k + n − r_i|)                           short part: neighbour list, spline
 *     − (N_J/V) Y₀₀ 8π² (σ′² − σ²) I_n(0)                               background (G = 0 excluded convention).
 *
 * Strain: the background term scales as 1/V, ∂/∂ε_αβ = +δ_αβ (N_J/V)·B_n. The short part is tabulated once per
 * (σ′, range) as cubic Hermite splines of all channels on one uniform grid (values and derivatives h^σ − h^{σ′} from
 * the quadrature of basis.ts; d = 0 node: C^σ − C^{σ′}, derivative 0), grid step from the accuracy target
 * (|error| ≤ h⁴/384·max|s⁗|, s⁗ ~ A_n/σ⁵ with A_n = Y₀₀4π∫r²|χ_n|dr); the spline's derivative is the exact
 * derivative of the interpolant, so reverse passes are consistent with the features to round-off.
 *
 * Plan (accuracy ε, half to each part): real cutoff R with 4πρ ∫_R^∞ d² A erfc((d−R_c)/√2σ′)/(d−R_c) dd ≤ ε/2;
 * G cutoff per channel with the Gaussian-tail estimate of the FKK plan on the monotone envelope
 * Y₀₀16π² A_n e^{−σ′²G²/2}/G²; per channel explicit k-vectors or PME, σ′ from a grid (SPLIT_SIGMAS, so spline
 * tables are reused between structures). `planLode` only describes these candidates; electrostatics/planner.ts
 * solves them and picks the cheapest under its cost model (PLAN_COST_NS: short part 120 + 10·N_n ns per pair incl.
 * the neighbour list, k-vectors (6 + 3T) ns per (atom, k, channel), PME T(10p³ + 5 M log₂M/N) per channel).
 */
import { planKernel, PLAN_COST_NS, type FourierChannelSpec, type PlanGeometry, type ReciprocalPartSpec, type SolverChoice, type SplitSpec } from '../../electrostatics/index.js';
import { HermiteSplineSet } from '../../math/index.js';
import { BesselChannel } from './basis.js';

const Y00 = 1 / (2 * Math.sqrt(Math.PI));

/** Y₀₀ 4π ∫₀^{R_c} r² |χ_n| dr (bound of the channel's response to a unit potential). */
export function channelAbsVolume(ch: BesselChannel): number {
  const R = ch.cutoffA, M = 400, h = R / M;
  let s = 0;
  for (let k = 0; k < M; k++) {
    const r = (k + 0.5) * h;
    s += r * r * Math.abs(ch.chi(r));
  }
  return Y00 * 4 * Math.PI * s * h;
}

/** ŝ_n(0) = Y₀₀ 8π² (σ′² − σ²) I_n(0): the background per source atom per unit volume. */
export function splitBackground(ch: BesselChannel, sigmaLong: number): number {
  const tmp = new Float64Array(2);
  ch.radialIntegral(0, tmp);
  return Y00 * 8 * Math.PI * Math.PI * (sigmaLong * sigmaLong - ch.smearingA * ch.smearingA) * tmp[0];
}

/** Short-range pair functions s_n = h_n^σ − h_n^{σ′} of all channels, tabulated on [0, range]. */
export function shortTable(short: readonly BesselChannel[], long: readonly BesselChannel[], range: number, step: number): HermiteSplineSet {
  const Nn = short.length, intervals = Math.max(4, Math.ceil(range / step));
  const a = new Float64Array(2), b = new Float64Array(2);
  const self = short.map((c, n) => c.selfTerm() - long[n].selfTerm());
  return HermiteSplineSet.tabulate(0, range, intervals, Nn, 3, (d, v, d1) => {
    for (let n = 0; n < Nn; n++) {
      if (d === 0) { v[n] = self[n]; d1[n] = 0; continue; }
      short[n].pair(d, a);
      long[n].pair(d, b);
      v[n] = a[0] - b[0];
      d1[n] = a[1] - b[1];
    }
  });
}

/**
 * Grid step of the short table for an absolute accuracy target: |error| ≤ h⁴/384·max|s⁗| with the calibrated
 * max|s⁗| ≈ 0.05·A/σ⁵ (measured on σ = 0.5, R_c = 4, 6 channels: 0.01·A/σ⁵; factor 5 margin; the tests check
 * the achieved spline error against the target).
 */
export function shortTableStep(sigma: number, absVolume: number, accuracy: number): number {
  const h = Math.pow((384 * accuracy * Math.pow(sigma, 5)) / (0.05 * absVolume), 0.25);
  return Math.min(0.1 * sigma + 0.05, Math.max(h, 1e-3));
}

/**
 * Tail profile of the short part for one σ′ (structure independent): Q(R) = ∫_R^∞ d² env(d) dd with
 * env(d) = 2·max_{d′≥d} max_n |s_n(d′)| sampled at steps σ′/2 on [R_c, R_c + 14σ′]; the real-space error of a
 * cutoff R at density ρ is 4πρ Q(R).
 */
export class ShortTail {
  private readonly d0: number;
  private readonly step: number;
  private readonly Q: Float64Array;
  constructor(short: readonly BesselChannel[], long: readonly BesselChannel[], readonly sigmaLong: number) {
    const Rc = short[0].cutoffA, M = 28;
    this.d0 = Rc; this.step = (14 * sigmaLong) / M;
    const env = new Float64Array(M + 1), a = new Float64Array(2), b = new Float64Array(2);
    for (let k = 0; k <= M; k++) {
      const d = Rc + k * this.step;
      for (let n = 0; n < short.length; n++) {
        short[n].pair(d, a);
        long[n].pair(d, b);
        env[k] = Math.max(env[k], 2 * Math.abs(a[0] - b[0]));
      }
    }
    for (let k = M - 1; k >= 0; k--) env[k] = Math.max(env[k], env[k + 1]);
    this.Q = new Float64Array(M + 1);
    for (let k = M - 1; k >= 0; k--) {
      const x0 = Rc + k * this.step, x1 = x0 + this.step;
      this.Q[k] = this.Q[k + 1] + 0.5 * this.step * (x0 * x0 * env[k] + x1 * x1 * env[k + 1]);
    }
  }
  /** 4πρ Q(R) (linear interpolation; Q(R) for R beyond the profile is 0, before R_c the value at R_c). */
  error(R: number, rho: number): number {
    const x = (R - this.d0) / this.step;
    if (x <= 0) return 4 * Math.PI * rho * this.Q[0];
    const k = Math.floor(x);
    if (k >= this.Q.length - 1) return 0;
    const t = x - k;
    return 4 * Math.PI * rho * ((1 - t) * this.Q[k] + t * this.Q[k + 1]);
  }
}

/** Candidate split widths σ′ (Å) of method 'auto' (a fixed grid: spline tables and tail profiles are reused). */
export const SPLIT_SIGMAS: readonly number[] = [0.75, 1, 1.5, 2, 2.5, 3];

export interface LodeChannelPlan {
  kCutoffPerA: number;
  solver: 'ewald' | 'pme';
  mesh?: [number, number, number];
  order?: number;
}

export interface LodeSplitPlan {
  mode: 'split' | 'reciprocal';
  /** σ′ (split only; = σ for 'reciprocal'). */
  sigmaLong: number;
  /** Real-space cutoff of the short part (0 for 'reciprocal'). */
  realCutoffA: number;
  channels: LodeChannelPlan[];
  errorReal: number;
  costNs: number;
}

export interface LodePlanOptions {
  method: 'auto' | 'split' | 'reciprocal';
  reciprocalSolver: 'auto' | 'ewald' | 'pme';
  pmeOrder: number;
  splitWidthA?: number;
  realCutoffA?: number;
  kCutoffPerA?: number;
  accuracy: number;
  cutoffA: number;
  count: number;
  smearingA: number;
}

/** Plan for one periodic cell (electrostatics/planner.ts solves the candidates described here). `pureKCutoffs`: the
 * unsplit per-channel G cutoffs (lode.ts estimate); `tail(σ′)`: the short part's tail profile; `density`: see
 * planner.ts planDensity (default the uniform N/V). */
export function planLode(
  o: LodePlanOptions, cell: ArrayLike<number>, volume: number, atoms: number, types: number, pureKCutoffs: number[],
  tail: (sigmaLong: number) => ShortTail, density?: (scaleA: number) => number,
): LodeSplitPlan {
  const T = types, K = PLAN_COST_NS.kVector;
  const geometry: PlanGeometry = { cell, volumeA3: volume, atoms, density };
  const part = (channels: FourierChannelSpec[], solver: SolverChoice): ReciprocalPartSpec =>
    ({ channels, kFromPerA: 0.05, kVectorNs: K.base + K.perSpecies * T, solver, mesh: { channels: T, order: o.pmeOrder } });
  function* candidates(): Generator<SplitSpec<{ mode: 'split' | 'reciprocal'; sigmaLong: number }>> {
    if (o.method !== 'split') {
      // the unsplit sum: the kernel's own G cutoffs, explicit k-vectors
      const chans = pureKCutoffs.map((G, n): FourierChannelSpec => {
        const ch = new BesselChannel(n + 1, o.cutoffA, o.smearingA), tmp = new Float64Array(2);
        return { fourier: (g) => ch.fourier(g * g, tmp), width: o.smearingA, kCutoffPerA: G };
      });
      yield { tag: { mode: 'reciprocal', sigmaLong: o.smearingA }, reciprocal: part(chans, 'ewald') };
    }
    if (o.method !== 'reciprocal')
      for (const sl of o.splitWidthA !== undefined ? [o.splitWidthA] : SPLIT_SIGMAS.filter((s) => s >= 1.3 * o.smearingA)) {
        const tl = tail(sl);
        const chans = Array.from({ length: o.count }, (_, n): FourierChannelSpec => {
          const ch = new BesselChannel(n + 1, o.cutoffA, sl), tmp = new Float64Array(2);
          const An = channelAbsVolume(ch);
          return {
            fourier: (G) => ch.fourier(G * G, tmp), width: sl, kCutoffPerA: o.kCutoffPerA,
            envelope: (G) => (Y00 * 16 * Math.PI * Math.PI * An * Math.exp(-sl * sl * G * G / 2)) / (G * G),
          };
        });
        yield {
          tag: { mode: 'split', sigmaLong: sl },
          real: { error: (R, rho) => tl.error(R, rho), fromA: o.cutoffA, toA: o.cutoffA + 14 * sl, cutoffA: o.realCutoffA, pairNs: PLAN_COST_NS.pair.spline + PLAN_COST_NS.pair.splinePerValue * o.count },
          reciprocal: part(chans, o.reciprocalSolver),
        };
      }
  }
  const s = planKernel(candidates(), geometry, o.accuracy);
  return {
    mode: s.tag.mode, sigmaLong: s.tag.sigmaLong, realCutoffA: s.realCutoffA, errorReal: s.errorReal, costNs: s.costNs,
    channels: s.channels.map((c): LodeChannelPlan => (c.solver === 'pme' ? { kCutoffPerA: c.kCutoffPerA, solver: 'pme', mesh: c.mesh, order: c.order } : { kCutoffPerA: c.kCutoffPerA, solver: 'ewald' })),
  };
}
