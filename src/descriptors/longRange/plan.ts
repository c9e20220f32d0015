/**
 * The FKK descriptor's kernel description for the planner (electrostatics/planner.ts, which solves and costs it)
 * (DESIGN rule 4): per radial channel ζ_n the candidate evaluations
 *   'real'       the real-space lattice sum of 𝒮_ζ,σ up to r_c (converges like e^{−ζ r_c}: large ζ only; with method
 *                'auto' only if r_c ≤ MAX_AUTO_REAL_CUTOFF_A),
 *   'reciprocal' the G sum of F(G) = Ŝ_ζ(G) e^{−σ²G²/2} up to G_c (G_c set by σ),
 *   'split'      the Ewald-like split of pairFunction.ts with width a (0.1 … 4 Å, or the override): r(d) in real space
 *                (Gaussian decay, width σ′ = √(σ² + a²)) plus l̂(G) in reciprocal space (decays like e^{−σ′²G²/2}),
 * and the plan is the cheapest under the cost model, by `hypers.planner`:
 *   1 (model files written before issue 17): each channel alone under PLAN_COST_NS (Slater pair 60 ns, split pair
 *     180 ns per channel — analytic pair functions; k-vectors 6 + 3T ns per (atom, k); PME T(2·5 p³ + 2·2.5 M log₂M/N));
 *   2 (default): the channels jointly, as fkk.ts evaluates them — ONE real cutoff R = max_n R_n: the neighbour list
 *     at R is built once (FKK_LIST_NS per pair within R, refreshed along a trajectory) and every real-space channel
 *     reads the pair table at every pair within R (FKK_PLAN_COSTS.pair per pair and channel, forward + reverse), so
 *     a channel's real part costs pairs(R)·pair, not pairs(R_n)·pair. For each candidate R (every candidate's own
 *     cutoff) each channel takes its cheapest candidate with R_n ≤ R; the cheapest total wins. Prices measured on
 *     sr+lr MD at 512 and 1728 ions (descriptor alone, forward + reverse, trajectory workspace; the report of
 *     h6/fkk): table ≈ 30 ns per pair and channel, list ≈ 150 ns per pair, explicit k-vectors ≈ 3× the PLAN_COST_NS
 *     price (18 + 9T ns per (atom, k)), PME as PLAN_COST_NS with the channels of one mesh sharing their passes
 *     (speciesMesh.ts).
 *   3 (default): version 2's joint real cutoff and prices, with channels sharing meshes as pmeChannels.ts runs them:
 *     a mesh group of T species costs per atom  spread·p³ + T·fwd·M log₂M/N  (the densities spread and transformed
 *     once per group) and each of its channels  T·gather·p³ + T·inv·M log₂M/N  (filter, inverse transform, value +
 *     gradient gathers), FKK_MESH_NS = PLAN_COST_NS.mesh's spline and fft prices. Each channel first takes its
 *     cheapest candidate alone; then groups are merged greedily (same order, onto the componentwise larger mesh: a
 *     finer mesh only lowers a channel's error) while a merge lowers the total. Prices: an in-process A/B of the FKK
 *     forward + reverse pass along a trajectory (512 and 1728 ions) preferred these to the WebAssembly kernels'
 *     isolated timings (≈ 1 ns per atom·p³, 0.4 ns per M log₂M), which underprice the mesh work of a real pass and
 *     made it 4–16 % slower than version 2.
 *
 * Real-space tails described here (absolute, in units of the pair-function sum Σ'_k 𝒮(r_ik); ρ = number density):
 *   Slater tail: |𝒮| ≤ e^{ζ²σ²/2} e^{−ζd} ⇒ 4πρ e^{ζ²σ²/2} e^{−ζR}(R²/ζ + 2R/ζ² + 2/ζ³);
 *   split part (Gaussian decay of width σ′): 4πρ R σ′² max(|r(R)|, |r(R + σ′/2)|).
 * The reciprocal tail ε_k(G) and the PME aliasing error ε_pme(h) are the planner's (kernelAccuracy.ts), for F and
 * its width σ′; the PME mesh is sized on the reduced basis of the lattice. The tests verify the achieved accuracy
 * against a converged reference; the estimates only have to be reasonable and conservative.
 */
import { FarfieldError } from '../../core/index.js';
import type { FkkHypers } from './hypers.js';
import { zetaMesh } from './hypers.js';
import { SlaterChannel } from './pairFunction.js';
import { pairsPerAtom, planKernel, PLAN_COST_NS, solveSplit, type PlanCostTable, type PlanGeometry, type ReciprocalPartSpec, type SplitSolution, type SplitSpec } from '../../electrostatics/index.js';

export type ChannelMode = 'real' | 'split' | 'reciprocal';

export interface ChannelPlan {
  zeta: number;
  mode: ChannelMode;
  /** Split width a (Å); 0 unless mode = 'split'. */
  splitA: number;
  /** Real-space cutoff (Å); 0 for 'reciprocal'. */
  realCutoffA: number;
  /** Reciprocal cutoff (Å⁻¹); 0 for 'real'. */
  kCutoffPerA: number;
  /** Estimated absolute errors of the real- and reciprocal-space parts. */
  errorReal: number;
  errorReciprocal: number;
  /** Estimated cost per atom (ns, model). */
  costNs: number;
  channel: SlaterChannel;
  /** How the reciprocal part is summed ('ewald' for 'real' channels, which have none). */
  solver: 'ewald' | 'pme';
  /** PME mesh and B-spline order (solver 'pme' only). */
  mesh?: [number, number, number];
  order?: number;
}

export interface FkkPlan {
  channels: ChannelPlan[];
  /** Largest real-space cutoff (Å), 0 if none. */
  realCutoffA: number;
}

/**
 * With method 'auto', a pure real-space channel is only chosen if its cutoff is at most this (Å): every real-space
 * channel walks the neighbour list of the largest cutoff, whose memory grows like R³ (at 20 Å and melt density
 * ≈ 1000 pairs per atom, 50 B each).
 */
export const MAX_AUTO_REAL_CUTOFF_A = 12;

/** Planner version 2's prices (ns; see the header): pair-table reads per pair and channel, explicit k-vectors. */
export const FKK_PLAN_COSTS: PlanCostTable = Object.freeze({
  ...PLAN_COST_NS,
  pair: Object.freeze({ ...PLAN_COST_NS.pair, slater: 30, slaterSplit: 30 }),
  kVector: Object.freeze({ ...PLAN_COST_NS.kVector, base: 18, perSpecies: 9 }),
});
/** Planner version 2: the real-space neighbour list per pair within the cutoff (build/refresh + memory traffic), ns. */
export const FKK_LIST_NS = 150;

/**
 * Planner version 3's mesh prices (ns, see the header): spread and value + gradient gather per atom and p³, forward
 * and inverse transform (with the filter) per M log₂M.
 */
export const FKK_MESH_NS = Object.freeze({ spread: PLAN_COST_NS.mesh.spline, gather: PLAN_COST_NS.mesh.spline, fftForward: PLAN_COST_NS.mesh.fft, fftInverse: PLAN_COST_NS.mesh.fft });

/** Version 3: per atom (ns) of a mesh group's shared passes (T densities spread and transformed forward). */
function meshGroupNs(T: number, p: number, mesh: readonly number[], atoms: number): number {
  const M = mesh[0] * mesh[1] * mesh[2];
  return FKK_MESH_NS.spread * p * p * p + (T * FKK_MESH_NS.fftForward * M * Math.log2(Math.max(M, 2))) / atoms;
}

/** Version 3: per atom (ns) of one channel on a mesh group (T inverse transforms and value + gradient gathers). */
function meshChannelNs(T: number, p: number, mesh: readonly number[], atoms: number): number {
  const M = mesh[0] * mesh[1] * mesh[2];
  return T * FKK_MESH_NS.gather * p * p * p + (T * FKK_MESH_NS.fftInverse * M * Math.log2(Math.max(M, 2))) / atoms;
}

/** Split widths a (Å) tried by method 'auto' (0.1 … 4 Å in steps of 0.1). */
const SPLIT_WIDTHS: readonly number[] = Array.from({ length: 40 }, (_, k) => 0.1 * (k + 1));

function slaterTail(zeta: number, sigma: number, R: number, rho: number): number {
  return 4 * Math.PI * rho * Math.exp(zeta * zeta * sigma * sigma / 2 - zeta * R) * (R * R / zeta + 2 * R / (zeta * zeta) + 2 / (zeta * zeta * zeta));
}

function splitTail(ch: SlaterChannel, R: number, rho: number, tmp: Float64Array): number {
  const s = ch.sigmaLong;
  ch.short(R, tmp);
  const a = Math.abs(tmp[0]);
  ch.short(R + s / 2, tmp);
  return 4 * Math.PI * rho * Math.max(R, s) * s * s * Math.max(a, Math.abs(tmp[0]));
}

export interface PlanInput {
  volumeA3: number;
  /** Cell rows (Å); needed for PME meshes (without it only explicit k-vectors are planned). */
  cell?: ArrayLike<number>;
  atoms: number;
  /** Number of species channels (T). */
  types: number;
  /** Number density seen by an error of range `scaleA` (planner.ts planDensity); default the uniform N/V. */
  density?: (scaleA: number) => number;
}

interface FkkTag { mode: ChannelMode; splitA: number; channel: SlaterChannel }

/** The candidate evaluations of channel ζ (the kernel description the planner solves). */
function* channelCandidates(h: FkkHypers, zeta: number, types: number, costs: PlanCostTable, atoms = 0): Generator<SplitSpec<FkkTag>> {
  const allow = (m: ChannelMode) => h.method === 'auto' || h.method === m;
  // version 3: a channel alone on its mesh at the WebAssembly prices (its group's passes and its own)
  const meshPriceNs = h.planner === 3 && atoms > 0
    ? (mesh: readonly [number, number, number] | null, p: number) => (mesh ? meshGroupNs(types, p, mesh, atoms) + meshChannelNs(types, p, mesh, atoms) : (FKK_MESH_NS.spread + types * FKK_MESH_NS.gather) * p * p * p)
    : undefined;
  const reciprocal = (ch: SlaterChannel, kFromPerA: number): ReciprocalPartSpec => ({
    channels: [{ fourier: (G) => ch.fourier(G * G), width: ch.sigmaLong, kCutoffPerA: h.kCutoffPerA }],
    kFromPerA, kVectorNs: costs.kVector.base + costs.kVector.perSpecies * types,
    solver: h.reciprocalSolver, mesh: { channels: types, order: h.pmeOrder }, ...(meshPriceNs ? { meshPriceNs } : {}),
  });
  if (allow('real')) {
    const ch = new SlaterChannel(zeta, h.smearingA, 0);
    yield {
      tag: { mode: 'real', splitA: 0, channel: ch },
      real: { error: (R, rho) => slaterTail(zeta, h.smearingA, R, rho), fromA: 0.5, toA: 1e5, cutoffA: h.realCutoffA, pairNs: costs.pair.slater, maxCutoffA: h.method === 'real' ? undefined : MAX_AUTO_REAL_CUTOFF_A },
    };
  }
  if (allow('reciprocal')) {
    const ch = new SlaterChannel(zeta, h.smearingA, 0);
    yield { tag: { mode: 'reciprocal', splitA: 0, channel: ch }, reciprocal: reciprocal(ch, 0.1) };
  }
  if (allow('split')) {
    const tmp = new Float64Array(2);
    for (const a of h.splitWidthA !== undefined ? [h.splitWidthA] : SPLIT_WIDTHS) {
      const ch = new SlaterChannel(zeta, h.smearingA, a);
      yield {
        tag: { mode: 'split', splitA: a, channel: ch },
        real: { error: (R, rho) => splitTail(ch, R, rho, tmp), fromA: 0.5, toA: 1e3, cutoffA: h.realCutoffA, pairNs: costs.pair.slaterSplit },
        reciprocal: reciprocal(ch, 0.05),
      };
    }
  }
}

/**
 * Plan every channel of the descriptor for one cell (electrostatics/planner.ts solves the descriptions), by
 * `h.planner` (see the header). `costs`: the pair and k-vector prices of the candidates (default: PLAN_COST_NS for
 * version 1, FKK_PLAN_COSTS for versions 2 and 3); the PME mesh prices are PLAN_COST_NS.mesh (planner.ts; version 3:
 * FKK_MESH_NS, the same numbers split into a mesh group's shared passes and each channel's own).
 */
export function planFkk(h: FkkHypers, input: PlanInput, costs?: PlanCostTable): FkkPlan {
  const geometry: PlanGeometry = { cell: input.cell, volumeA3: input.volumeA3, atoms: input.atoms, density: input.density };
  const chosen = h.planner === 1
    ? Array.from(zetaMesh(h), (zeta) => planKernel(channelCandidates(h, zeta, input.types, costs ?? PLAN_COST_NS), geometry, h.accuracy))
    : planJoint(h, input, geometry, costs ?? FKK_PLAN_COSTS);
  const channels: ChannelPlan[] = chosen.map((s, n) => {
    const c = s.channels[0];
    const plan: ChannelPlan = {
      zeta: zetaMesh(h)[n], mode: s.tag.mode, splitA: s.tag.splitA, realCutoffA: s.realCutoffA, kCutoffPerA: c ? c.kCutoffPerA : 0,
      errorReal: s.errorReal, errorReciprocal: c ? c.errorReciprocal : 0, costNs: s.costNs, channel: s.tag.channel, solver: c ? c.solver : 'ewald',
    };
    if (c?.mesh) { plan.mesh = c.mesh; plan.order = c.order; }
    return plan;
  });
  return { channels, realCutoffA: Math.max(0, ...channels.map((c) => c.realCutoffA)) };
}

/**
 * Version 2: every channel's candidates solved once; for each common real cutoff R (each candidate's own cutoff,
 * and 0) every channel takes the cheapest candidate with R_n ≤ R, a real part costing pairs(R)·pair and the list
 * pairs(R)·FKK_LIST_NS once; the cheapest R wins (ties: the smaller). A channel's `costNs` is its share: its
 * reciprocal part plus pairs(R)·pair if it has a real part (the list is not assigned to a channel).
 */
function planJoint(h: FkkHypers, input: PlanInput, g: PlanGeometry, costs: PlanCostTable): SplitSolution<FkkTag>[] {
  const perChannel = Array.from(zetaMesh(h), (zeta) => {
    const s: SplitSolution<FkkTag>[] = [];
    for (const spec of channelCandidates(h, zeta, input.types, costs, input.atoms)) {
      const sol = solveSplit(spec, g, h.accuracy);
      if (sol) s.push(sol);
    }
    return s;
  });
  const rho = (R: number) => (g.density ? g.density((2 * R) / 3) : g.atoms / g.volumeA3);
  const cuts = [...new Set([0, ...perChannel.flatMap((s) => s.map((c) => c.realCutoffA))])].sort((a, b) => a - b);
  let best: { total: number; pick: SplitSolution<FkkTag>[] } | null = null;
  for (const R of cuts) {
    const pairs = R > 0 ? pairsPerAtom(rho(R), R) : 0;
    let total = 0, anyReal = false;
    const pick: SplitSolution<FkkTag>[] = [];
    for (const list of perChannel) {
      let b: SplitSolution<FkkTag> | null = null, bc = Infinity;
      for (const s of list) {
        if (s.realCutoffA > R) continue;
        const recip = s.channels.reduce((a, c) => a + c.costNs, 0);
        const real = s.realCutoffA > 0 ? pairs * (s.tag.mode === 'real' ? costs.pair.slater : costs.pair.slaterSplit) : 0;
        if (recip + real < bc) { bc = recip + real; b = { ...s, realCostNs: real, costNs: recip + real }; }
      }
      if (!b) { total = Infinity; break; }
      if (b.realCutoffA > 0) anyReal = true;
      total += bc;
      pick.push(b);
    }
    if (anyReal) total += pairs * FKK_LIST_NS;
    if (h.planner === 3) {
      const shared = shareMeshes(pick, input.types, g.atoms);
      total += shared.deltaNs;
      pick.splice(0, pick.length, ...shared.pick);
    }
    if (!best || total < best.total) best = { total, pick };
  }
  if (!best || !Number.isFinite(best.total)) throw new FarfieldError('INVALID_INPUT', 'fkk planner: no candidate evaluation for some channel (every real cutoff beyond its bound); set method or realCutoffA');
  return best.pick;
}

/**
 * Version 3: merge the PME channels of `pick` into shared mesh groups (see the header) while a merge lowers the
 * total; returns the picks with their group meshes and costs (a channel's share: its own passes plus its group's
 * divided among the members) and the change of the total against every channel alone.
 */
function shareMeshes(pick: SplitSolution<FkkTag>[], T: number, atoms: number): { pick: SplitSolution<FkkTag>[]; deltaNs: number } {
  interface Group { mesh: [number, number, number]; order: number; members: number[] }
  const cost = (gr: Group) => meshGroupNs(T, gr.order, gr.mesh, atoms) + gr.members.length * meshChannelNs(T, gr.order, gr.mesh, atoms);
  const groups: Group[] = [];
  let alone = 0;
  pick.forEach((s, n) => {
    const c = s.channels[0];
    if (!c || c.solver !== 'pme' || !c.mesh || !c.order) return;
    alone += c.costNs;
    const same = groups.find((gr) => gr.order === c.order && gr.mesh.every((K, d) => K === c.mesh![d]));
    if (same) same.members.push(n);
    else groups.push({ mesh: [...c.mesh], order: c.order, members: [n] });
  });
  for (;;) {
    let best: { a: number; b: number; merged: Group; gain: number } | null = null;
    for (let a = 0; a < groups.length; a++)
      for (let b = a + 1; b < groups.length; b++) {
        if (groups[a].order !== groups[b].order) continue;
        const merged: Group = { mesh: groups[a].mesh.map((K, d) => Math.max(K, groups[b].mesh[d])) as [number, number, number], order: groups[a].order, members: [...groups[a].members, ...groups[b].members] };
        const gain = cost(groups[a]) + cost(groups[b]) - cost(merged);
        if (gain > 0 && (!best || gain > best.gain)) best = { a, b, merged, gain };
      }
    if (!best) break;
    groups.splice(best.b, 1);
    groups[best.a] = best.merged;
  }
  const out = pick.slice();
  let shared = 0;
  for (const gr of groups) {
    const own = meshChannelNs(T, gr.order, gr.mesh, atoms), share = meshGroupNs(T, gr.order, gr.mesh, atoms) / gr.members.length;
    shared += cost(gr);
    for (const n of gr.members) {
      const s = pick[n], c = s.channels[0], before = c.costNs;
      out[n] = { ...s, channels: [{ ...c, mesh: [...gr.mesh], costNs: own + share }, ...s.channels.slice(1)], costNs: s.costNs - before + own + share };
    }
  }
  return { pick: out, deltaNs: shared - alone };
}
