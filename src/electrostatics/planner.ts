/**
 * The one planner for lattice sums of a Fourier kernel (issue 14 item 2): the error models (kernelAccuracy.ts for a
 * general kernel; tune.ts's calibrated SPME model for Coulomb) and the ONE set of cost constants (PLAN_COST_NS).
 * A descriptor kernel's owner — FKK (longRange/plan.ts, per channel), LODE (lode/split.ts), lode-ms
 * (lode/multiscalePlan.ts) — only DESCRIBES each candidate way of evaluating it (a `SplitSpec`: the real-space tail
 * error of its short part and the work per neighbour pair, its reciprocal channels F(|G|) with their Gaussian
 * envelopes, the species channels and the solvers it supports) and RECEIVES a plan: real cutoff, per channel G
 * cutoff and solver (explicit k-vectors or smooth PME with mesh and order), estimated errors and cost. Every
 * candidate is solved and the cheapest wins (ties: the first described). Coulomb (tune.ts) describes its (r_c, p)
 * family of PME candidates the same way, with two hooks for its own error models: `meshFor` (its calibrated SPME
 * mesh) and `kCutoffFor` (its per-direction Kolafa–Perram k cutoff, Ewald), at the local number density of its
 * charges (chargeDensity.ts).
 *
 * Accuracy: the target is an absolute error per output value, split evenly between real and reciprocal space
 * (ε/2 each). With ρ the atom number density (`PlanGeometry.density`: the uniform N/V, or the local density around
 * the atoms when the cell holds vacuum, see `planDensity`):
 *   real cutoff R     smallest R (bisection) with tail(R, ρ(2R/3)) ≤ ε/2 (the kernel's own tail estimate);
 *   G cutoff          smallest G with ε_k(G) ≤ ε/2, ε_k the Gaussian-tail estimate of kernelAccuracy.ts at ρ(√2 s)
 *                     (s = the envelope width: the scale 1/α of the Ewald case, s² = 1/(2α²));
 *   PME mesh          coarsest mesh with ε_pme(h) ≤ ε/2 (kernelAccuracy.ts), sized on the reduced basis of the
 *                     lattice (reduceCell.ts; the mesh pass runs on the same basis).
 * Cost (ns per atom; `PLAN_COST_NS`, measured roughly on Node 20 with `npm run bench`):
 *   real space        ρ (4π/3) R³ · pairNs           (full neighbour list; pairNs from PLAN_COST_NS.pair)
 *   k-vectors         V G³/(12π²) · kVectorNs per channel   (half space; kVectorNs from PLAN_COST_NS.kVector)
 *   smooth PME        T (2 · spline p³ + 2 · fft M log₂M / N) per channel (spread + gather, forward + inverse
 *                     transform per species channel T; Coulomb, tune.ts: one spline and one fft term per charge
 *                     channel, plus pair · pairs tested)
 */
import { FarfieldError, cellVolume } from '../core/index.js';
import { smallestMeeting } from '../math/index.js';
import { chargeDensityProbe } from './chargeDensity.js';
import { kernelPmeError, kernelTailError, pmeMeshForError } from './kernelAccuracy.js';

/**
 * The cost constants of every plan (ns). `mesh`: smooth PME per atom × p³ for one spread or gather of one channel,
 * and per M log₂M for one transform (the engine's, bench-measured for Coulomb); `pair`: per neighbour pair of a
 * real-space part (Coulomb: per pair tested in the linked cells, tabulated erfc; Slater and split Slater channels
 * of FKK per channel; LODE's short-part spline per pair + per channel incl. the neighbour list; lode-ms's
 * spline × Y_lm per pair + per (n, l, m)); `kVector`: per (atom, k-vector) of an explicit k sum (one channel per
 * species: base + per species; lode-ms's blocked GEMM over all (n, l, m): base + per (species, n, l, m)).
 * FKK's 'real' and 'split' entries are its analytic pair prices, which its planner version 1 uses (the plans of model
 * files written before issue 17); version 2 prices FKK from its pair tables and neighbour list with its own table
 * (descriptors/longRange/plan.ts FKK_PLAN_COSTS). `PlanCostTable` is the shape, so an owner can pass its own prices.
 */
export interface PlanCostTable {
  readonly mesh: { readonly spline: number; readonly fft: number };
  readonly pair: { readonly coulomb: number; readonly slater: number; readonly slaterSplit: number; readonly spline: number; readonly splinePerValue: number; readonly ylm: number; readonly ylmPerValue: number };
  readonly kVector: { readonly base: number; readonly perSpecies: number; readonly blockBase: number; readonly blockPerValue: number };
}

export const PLAN_COST_NS: PlanCostTable = Object.freeze({
  mesh: Object.freeze({ spline: 5, fft: 2.5 }),
  pair: Object.freeze({ coulomb: 15, slater: 60, slaterSplit: 180, spline: 120, splinePerValue: 10, ylm: 60, ylmPerValue: 4 }),
  kVector: Object.freeze({ base: 6, perSpecies: 3, blockBase: 10, blockPerValue: 0.5 }),
});

/** Neighbour pairs per atom within R at number density ρ (full list): ρ (4π/3) R³. */
export function pairsPerAtom(rho: number, R: number): number {
  return rho * (4 / 3) * Math.PI * R * R * R;
}

/** k-vectors of the half space within G in a cell of volume V: V G³/(12π²). */
export function kVectorCount(volume: number, G: number): number {
  return (volume * G * G * G) / (12 * Math.PI * Math.PI);
}

/**
 * Smooth-PME cost per atom (ns) of `channels` channels, each `passes` spreads/gathers and transforms, mesh M:
 * channels (passes · spline p³ + passes · fft M log₂M / N).
 */
export function meshCostNs(channels: number, passes: number, order: number, mesh: readonly number[], atoms: number): number {
  const M = mesh[0] * mesh[1] * mesh[2], p = order, c = PLAN_COST_NS.mesh;
  return channels * (passes * c.spline * p * p * p + (passes * c.fft * M * Math.log2(Math.max(M, 2))) / atoms);
}

/** Where a plan is made: the cell (rows, Å; none: explicit k-vectors only), its volume and atoms, and the density. */
export interface PlanGeometry {
  cell?: ArrayLike<number>;
  volumeA3: number;
  atoms: number;
  /** Number density (Å⁻³) seen by an error of spatial range `scaleA`; default the uniform N/V. */
  density?: (scaleA: number) => number;
}

/**
 * The density an error estimate uses: the uniform N/V, unless the atoms' local number density (localChargeDensity
 * with unit weights: the mean over atoms of the density in a window of ≈ 3·scale around each) exceeds it by more
 * than LOCAL_DENSITY_FACTOR — a cell partly filled with vacuum (a slab filling a third of the cell: ≈ 3×), where
 * N/V underestimates the random-phase and tail errors. Below the factor the binned estimate's own scatter
 * (±10 % on bulk melts) is larger than the effect, and the uniform density keeps bulk plans stable.
 */
export const LOCAL_DENSITY_FACTOR = 1.5;
/**
 * Smallest window scale of planDensity (Å): narrower windows hold about one atom and see the excluded volume around
 * it (the estimate falls below N/V even in bulk), and their fine bin grids cost more than the plan; errors of
 * shorter range are evaluated at this scale.
 */
export const MIN_DENSITY_SCALE_A = 2;

export function planDensity(cell: Float64Array, positions: Float64Array): (scaleA: number) => number {
  const atoms = positions.length / 3, uniform = atoms / cellVolume(cell);
  const probe = chargeDensityProbe({ positions, cell, pbc: [true, true, true] }, new Float64Array(atoms).fill(1));
  return (scale) => {
    const local = probe(Math.max(scale, MIN_DENSITY_SCALE_A));
    return local > LOCAL_DENSITY_FACTOR * uniform ? local : uniform;
  };
}

export type SolverChoice = 'auto' | 'ewald' | 'pme';

/** One reciprocal-space channel of a kernel, as its owner describes it. */
export interface FourierChannelSpec {
  /** F(|G|), the channel's kernel (the PME aliasing estimate integrates it). */
  fourier(G: number): number;
  /** Monotone bound of |F(G)| for the G-cutoff tail (default |fourier|). */
  envelope?(G: number): number;
  /** Width s (Å) of the envelope's Gaussian decay e^{−s²G²/2}. */
  width: number;
  /** A fixed G cutoff (Å⁻¹: the user's override, or the kernel's own estimate); otherwise searched. */
  kCutoffPerA?: number;
  /**
   * The owner's own G-cutoff search at the channel's target ε (replaces the Gaussian-tail bisection; Coulomb: the
   * smallest per-direction index meeting the Kolafa–Perram k error along each lattice direction, tune.ts).
   */
  kCutoffFor?(eps: number): number;
}

/** The real-space (short) part of a candidate: its tail error and cost. */
export interface RealPartSpec {
  /** Error of cutting the lattice sum at R, at number density ρ. */
  error(R: number, rho: number): number;
  /** Search interval of R (Å). */
  fromA: number;
  toA: number;
  /** A fixed real cutoff (user override). */
  cutoffA?: number;
  /** Cost of one neighbour pair (ns; from PLAN_COST_NS.pair). */
  pairNs: number;
  /** The candidate is dropped when its cutoff exceeds this (Å). */
  maxCutoffA?: number;
}

/** The reciprocal (long) part of a candidate. */
export interface ReciprocalPartSpec {
  channels: readonly FourierChannelSpec[];
  /** Lower end of the G-cutoff search (Å⁻¹; upper end 1e3). */
  kFromPerA: number;
  /** Cost per (atom, k-vector) of one channel's explicit k sum (ns; from PLAN_COST_NS.kVector). */
  kVectorNs: number;
  /** 'auto' (the cheaper of k-vectors and PME), 'ewald' or 'pme' (forced); PME needs `mesh` and the cell. */
  solver: SolverChoice;
  /**
   * The owner's PME path, if it has one: species channels per kernel channel (independent mesh passes), B-spline
   * order, spreads/gathers and transforms per channel (`passes`, default 2: meshCostNs), and optionally its own mesh
   * for order p at the target ε (`meshFor`, replacing the kernelAccuracy.ts estimate; Coulomb: the calibrated SPME
   * error of tune.ts, pmeMesh).
   */
  mesh?: { channels: number; order: number; passes?: number; meshFor?(order: number, eps: number): [number, number, number] };
  /**
   * The owner's own price (ns per atom) of one channel alone on `mesh` at order p, replacing meshCostNs with
   * PLAN_COST_NS (FKK planner version 3: its WebAssembly mesh passes); `mesh` null asks for a lower bound without the
   * transforms (below it the k-vectors win without a mesh search). Unset (Coulomb, LODE, older FKK plans): meshCostNs.
   */
  meshPriceNs?(mesh: readonly [number, number, number] | null, order: number): number;
}

/** One candidate way to evaluate a kernel: real part, reciprocal part, or both (a split); `tag` comes back. */
export interface SplitSpec<Tag> {
  tag: Tag;
  real?: RealPartSpec;
  reciprocal?: ReciprocalPartSpec;
}

export interface ChannelSolution {
  kCutoffPerA: number;
  errorReciprocal: number;
  solver: 'ewald' | 'pme';
  mesh?: [number, number, number];
  order?: number;
  costNs: number;
}

export interface SplitSolution<Tag> {
  tag: Tag;
  /** 0 without a real part. */
  realCutoffA: number;
  errorReal: number;
  realCostNs: number;
  /** One per reciprocal channel (none without a reciprocal part). */
  channels: ChannelSolution[];
  /** Estimated cost per atom (ns). */
  costNs: number;
}

/** Number density of a plan geometry at a scale (uniform when no density is given). */
function densityAt(g: PlanGeometry, scale: number): number {
  return g.density ? g.density(scale) : g.atoms / g.volumeA3;
}

/** G cutoff and solver of one reciprocal channel at the target `eps`. */
export function planChannel(ch: FourierChannelSpec, part: ReciprocalPartSpec, g: PlanGeometry, eps: number): ChannelSolution {
  const env = ch.envelope ?? ((G: number) => Math.abs(ch.fourier(G)));
  const rho = densityAt(g, Math.SQRT2 * ch.width);
  const tail = (G: number) => kernelTailError(env(G), ch.width, G, rho);
  const G = ch.kCutoffPerA ?? (ch.kCutoffFor ? ch.kCutoffFor(eps) : smallestMeeting(tail, eps, part.kFromPerA, 1e3));
  const ewald: ChannelSolution = { kCutoffPerA: G, errorReciprocal: tail(G), solver: 'ewald', costNs: kVectorCount(g.volumeA3, G) * part.kVectorNs };
  if (part.solver === 'ewald' || !part.mesh || !g.cell) return ewald;
  const p = part.mesh.order, T = part.mesh.channels, passes = part.mesh.passes ?? 2;
  // PME costs at least its spline work: skip the mesh search when the k-vectors are cheaper than that
  const floor = part.meshPriceNs ? part.meshPriceNs(null, p) : T * passes * PLAN_COST_NS.mesh.spline * p * p * p;
  if (part.solver === 'auto' && ewald.costNs <= floor) return ewald;
  const mesh = part.mesh.meshFor
    ? part.mesh.meshFor(p, eps)
    : pmeMeshForError((h) => kernelPmeError(ch.fourier, env, ch.width, h, p, rho), eps, p, g.cell);
  const pme: ChannelSolution = { kCutoffPerA: G, errorReciprocal: ewald.errorReciprocal, solver: 'pme', mesh, order: p, costNs: part.meshPriceNs ? part.meshPriceNs(mesh, p) : meshCostNs(T, passes, p, mesh, g.atoms) };
  if (part.solver === 'pme') return pme;
  return pme.costNs < ewald.costNs ? pme : ewald;
}

/** Solve one candidate at the absolute accuracy (ε/2 to each part); null when its real cutoff is out of bounds. */
export function solveSplit<Tag>(spec: SplitSpec<Tag>, g: PlanGeometry, accuracy: number): SplitSolution<Tag> | null {
  const eps = accuracy / 2;
  let realCutoffA = 0, errorReal = 0, realCostNs = 0;
  if (spec.real) {
    const r = spec.real;
    const err = (R: number) => r.error(R, densityAt(g, (2 * R) / 3));
    realCutoffA = r.cutoffA ?? smallestMeeting(err, eps, r.fromA, r.toA);
    if (r.maxCutoffA !== undefined && realCutoffA > r.maxCutoffA) return null;
    errorReal = err(realCutoffA);
    realCostNs = pairsPerAtom(densityAt(g, (2 * realCutoffA) / 3), realCutoffA) * r.pairNs;
  }
  let costNs = realCostNs;
  const channels: ChannelSolution[] = [];
  if (spec.reciprocal)
    for (const ch of spec.reciprocal.channels) {
      const c = planChannel(ch, spec.reciprocal, g, eps);
      channels.push(c);
      costNs += c.costNs;
    }
  return { tag: spec.tag, realCutoffA, errorReal, realCostNs, channels, costNs };
}

/** The cheapest of the candidates (the first among equals). */
export function planKernel<Tag>(candidates: Iterable<SplitSpec<Tag>>, g: PlanGeometry, accuracy: number): SplitSolution<Tag> {
  let best: SplitSolution<Tag> | null = null;
  for (const spec of candidates) {
    const s = solveSplit(spec, g, accuracy);
    if (s && (!best || s.costNs < best.costNs)) best = s;
  }
  if (!best) throw new FarfieldError('INVALID_INPUT', 'planner: no candidate evaluation (every real cutoff beyond its bound); set method or realCutoffA');
  return best;
}
