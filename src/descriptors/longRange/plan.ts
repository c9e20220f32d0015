/**
 * Accuracy → numerical parameters for the periodic FKK descriptor (DESIGN rule 4): per radial channel ζ_n one of
 *   'real'       the real-space lattice sum of 𝒮_ζ,σ up to r_c (converges like e^{−ζ r_c}: large ζ only),
 *   'reciprocal' the G sum of F(G) = Ŝ_ζ(G) e^{−σ²G²/2} up to G_c (G_c set by σ),
 *   'split'      the Ewald-like split of pairFunction.ts with width a: r(d) in real space (Gaussian decay, width
 *                σ′ = √(σ² + a²)) plus l̂(G) in reciprocal space (decays like e^{−σ′²G²/2}).
 * With method 'auto' each channel takes the cheapest of the three (and the best a on a grid) under a cost model.
 *
 * Error estimates (absolute, in units of the pair-function sum Σ'_k 𝒮(r_ik); ρ = N/V):
 *   real space  ε_r(R) = 4πρ ∫_R^∞ d² |f(d)| dd, evaluated with the asymptotic forms
 *               Slater tail: |𝒮| ≤ e^{ζ²σ²/2} e^{−ζd} ⇒ 4πρ e^{ζ²σ²/2} e^{−ζR}(R²/ζ + 2R/ζ² + 2/ζ³);
 *               split part (Gaussian decay of width σ′): 4πρ R σ′² max(|r(R)|, |r(R + σ′/2)|);
 *   reciprocal  ε_k(G) = (1/2π²)∫_G^∞ g²F dg + [ρ (1/2π²)∫_G^∞ g²F² dg]^{1/2} (the error of the self/one-pair term
 *               plus the random-phase error of the other atoms), with ∫_G^∞ g² f(g) dg ≈ G f(G)/s² for f ~ e^{−s²g²/2}.
 * The target is split evenly between real and reciprocal space. The tests verify the achieved accuracy against a
 * converged reference; the estimates only have to be reasonable and conservative.
 * Cost model (ns, measured roughly on Node 20): real pair 60 (Slater) / 180 (split), reciprocal 6 + 3T per
 * (atom, k) per channel (T = species channels); k-count ≈ V G_c³/(12π²) (half space).
 *
 * Reciprocal solver per channel ('reciprocal' and 'split'): explicit k-vectors (Ewald, above) or smooth PME through
 * the electrostatics engine's `pmeReciprocal` with F_n as a generic kernel, whichever the cost model finds cheaper
 * (or as forced by `reciprocalSolver`). PME error model (our estimate, verified against the Ewald path by the tests):
 * B-spline interpolation of order p on a mesh of spacing h = max_d |a_d|/K_d damps a mode G by aliases of relative
 * size ε_p(Gh) = 2 (Gh/(2π − Gh))^p, so with the same random-phase reasoning as ε_k
 *   ε_pme(h) = (1/2π²)∫_0^{π/h} g²|F|ε_p dg + [ρ (1/2π²)∫_0^{π/h} g²F²ε_p² dg]^{1/2} + ε_k(π/h)
 * (the last term: modes beyond the mesh's Nyquist frequency); h is the largest spacing with ε_pme ≤ target, and
 * K_d = smallest even 2^a3^b5^c ≥ |a_d|/h. PME cost per atom and channel: T (2·5 p³ + 2·2.5 M log₂M / N) (spread +
 * gather, forward + inverse transform per species channel; the engine's PME_COST constants).
 */
import type { FkkHypers } from './hypers.js';
import { zetaMesh } from './hypers.js';
import { SlaterChannel } from './pairFunction.js';
import { kernelPmeError, kernelTailError, pmeMeshForError } from '../../electrostatics/index.js';
import { smallestMeeting } from '../../math/index.js';

export type ChannelMode = 'real' | 'split' | 'reciprocal';

export interface ChannelPlan {
  zeta: number;
  mode: ChannelMode;
  /** Split width a (Å); 0 unless mode = 'split'. */
  splitA: number;
  /** Real-space cutoff (Å); 0 for 'reciprocal'. */
  realCutoffA: number;
  /** Reciprocal cutoff (Å⁻¹); 0 for 'real'. */
  kCutoff: number;
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

const C_REAL = 60, C_SPLIT = 180;
/**
 * With method 'auto', a pure real-space channel is only chosen if its cutoff is at most this (Å): every real-space
 * channel walks the neighbour list of the largest cutoff, whose memory grows like R³ (at 20 Å and melt density
 * ≈ 1000 pairs per atom, 50 B each).
 */
export const MAX_AUTO_REAL_CUTOFF_A = 12;

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

function kTail(ch: SlaterChannel, G: number, rho: number): number {
  return kernelTailError(ch.fourier(G * G), ch.sigmaLong, G, rho);
}

/** PME mesh for one channel at the target. */
function pmeMeshFor(ch: SlaterChannel, order: number, eps: number, rho: number, cell: ArrayLike<number>): { mesh: [number, number, number] } {
  const F = (g: number) => ch.fourier(g * g);
  return { mesh: pmeMeshForError((h) => kernelPmeError(F, F, ch.sigmaLong, h, order, rho), eps, order, cell) };
}

export interface PlanInput {
  volumeA3: number;
  /** Cell rows (Å); needed for PME meshes (without it only explicit k-vectors are planned). */
  cell?: ArrayLike<number>;
  atoms: number;
  /** Number of species channels (T). */
  types: number;
}

/** Plan every channel of the descriptor for one cell. */
export function planFkk(h: FkkHypers, input: PlanInput): FkkPlan {
  const zetas = zetaMesh(h);
  const rho = input.atoms / input.volumeA3;
  const eps = h.accuracy / 2;
  const kCost = 6 + 3 * input.types;
  const tmp = new Float64Array(2);
  const kCount = (G: number) => (input.volumeA3 * G * G * G) / (12 * Math.PI * Math.PI);
  const pairs = (R: number) => rho * (4 / 3) * Math.PI * R * R * R;
  const T = input.types, p = h.pmeOrder;
  const pmeCost = (mesh: [number, number, number]) => {
    const M = mesh[0] * mesh[1] * mesh[2];
    return T * (2 * 5 * p * p * p + (2 * 2.5 * M * Math.log2(M)) / input.atoms);
  };
  /** Reciprocal part of a channel: Ewald (k-vectors up to G) or PME, whichever is allowed and cheaper. */
  const reciprocalPart = (ch: SlaterChannel, G: number): Pick<ChannelPlan, 'solver' | 'mesh' | 'order' | 'costNs'> => {
    const ewald = { solver: 'ewald' as const, costNs: kCount(G) * kCost };
    if (h.reciprocalSolver === 'ewald' || !input.cell) return ewald;
    // PME costs at least its spline work: skip the mesh search when Ewald is cheaper than that
    if (h.reciprocalSolver === 'auto' && ewald.costNs <= T * 2 * 5 * p * p * p) return ewald;
    const { mesh } = pmeMeshFor(ch, p, eps, rho, input.cell);
    const pme = { solver: 'pme' as const, mesh, order: p, costNs: pmeCost(mesh) };
    if (h.reciprocalSolver === 'pme') return pme;
    return pme.costNs < ewald.costNs ? pme : ewald;
  };
  const channels: ChannelPlan[] = [];
  for (const zeta of zetas) {
    const candidates: ChannelPlan[] = [];
    const allow = (m: ChannelMode) => h.method === 'auto' || h.method === m;
    if (allow('real')) {
      const ch = new SlaterChannel(zeta, h.smearingA, 0);
      const R = h.realCutoffA ?? smallestMeeting((r) => slaterTail(zeta, h.smearingA, r, rho), eps, 0.5, 1e5);
      if (h.method === 'real' || R <= MAX_AUTO_REAL_CUTOFF_A) candidates.push({
        zeta, mode: 'real', splitA: 0, realCutoffA: R, kCutoff: 0,
        errorReal: slaterTail(zeta, h.smearingA, R, rho), errorReciprocal: 0, costNs: pairs(R) * C_REAL, channel: ch, solver: 'ewald',
      });
    }
    if (allow('reciprocal')) {
      const ch = new SlaterChannel(zeta, h.smearingA, 0);
      const G = h.kCutoff ?? smallestMeeting((g) => kTail(ch, g, rho), eps, 0.1, 1e3);
      candidates.push({
        zeta, mode: 'reciprocal', splitA: 0, realCutoffA: 0, kCutoff: G,
        errorReal: 0, errorReciprocal: kTail(ch, G, rho), channel: ch, ...reciprocalPart(ch, G),
      });
    }
    if (allow('split')) {
      const widths = h.splitWidthA !== undefined ? [h.splitWidthA] : Array.from({ length: 40 }, (_, k) => 0.1 * (k + 1));
      for (const a of widths) {
        const ch = new SlaterChannel(zeta, h.smearingA, a);
        const R = h.realCutoffA ?? smallestMeeting((r) => splitTail(ch, r, rho, tmp), eps, 0.5, 1e3);
        const G = h.kCutoff ?? smallestMeeting((g) => kTail(ch, g, rho), eps, 0.05, 1e3);
        const rp = reciprocalPart(ch, G);
        candidates.push({
          zeta, mode: 'split', splitA: a, realCutoffA: R, kCutoff: G,
          errorReal: splitTail(ch, R, rho, tmp), errorReciprocal: kTail(ch, G, rho), channel: ch,
          ...rp, costNs: pairs(R) * C_SPLIT + rp.costNs,
        });
      }
    }
    candidates.sort((x, y) => x.costNs - y.costNs);
    channels.push(candidates[0]);
  }
  return { channels, realCutoffA: Math.max(0, ...channels.map((c) => c.realCutoffA)) };
}
