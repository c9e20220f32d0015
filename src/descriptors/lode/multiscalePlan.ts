/**
 * The lode-ms potential part as a kernel description for the planner (electrostatics/planner.ts): candidates
 *  - 'reciprocal': the unsplit sum with smearing σ, one G cutoff for all (n, l) — the largest l = 0 estimate of
 *    'lode' (lodeKCutoff) or the override;
 *  - 'split' per σ′ (split.ts's grid, σ′ ≥ 1.3σ, or the override): short part with the tail profile of
 *    multiscaleSplit.ts (cutoff searched on [R_c, R_c + 14σ′]), long part with one G cutoff from the monotone
 *    envelope 16π² A e^{−σ′²G²/2}/G² (A = max_nl ∫r²|χ_nl| dr · max|Y_l|).
 * Both sums are explicit k-vectors over all (n, l, m) at once (blocked GEMM; cost PLAN_COST_NS.kVector.block*),
 * the short part a spline × Y_lm per pair (PLAN_COST_NS.pair.ylm*).
 */
import { planKernel, PLAN_COST_NS, type PlanGeometry, type ReciprocalPartSpec, type SplitSpec } from '../../electrostatics/index.js';
import { BesselChannel } from './basis.js';
import { lodeKCutoff } from './lode.js';
import type { LodeMsHypers } from './multiscaleHypers.js';
import type { PotentialRadial } from './multiscaleRadial.js';
import type { LodeMsSplits } from './multiscaleSplit.js';
import { SPLIT_SIGMAS } from './split.js';

/** Evaluation plan of the periodic potential part. */
export interface LodeMsPlan {
  mode: 'split' | 'reciprocal';
  /** Smearing of the reciprocal sum (σ′ for 'split', σ otherwise). */
  sigmaLong: number;
  kCutoffPerA: number;
  /** Real-space cutoff of the short part (0 for 'reciprocal'). */
  realCutoffA: number;
  costNs: number;
}

/** Plan the potential part of lode-ms for one periodic cell with `types` species. */
export function planLodeMs(h: LodeMsHypers, geometry: PlanGeometry, types: number, pot: PotentialRadial, splits: LodeMsSplits): LodeMsPlan {
  const NLM = h.count * (h.lmax + 1) ** 2, K = PLAN_COST_NS.kVector, P = PLAN_COST_NS.pair;
  const rho = geometry.density ? geometry.density(Math.SQRT2 * h.smearingA) : geometry.atoms / geometry.volumeA3;
  const part = (G: number | undefined, width: number, envelope: (G: number) => number): ReciprocalPartSpec => ({
    channels: [{ fourier: envelope, width, kCutoffPerA: G }],
    kFromPerA: 0.05, kVectorNs: K.blockBase + K.blockPerValue * types * NLM, solver: 'ewald',
  });
  function* candidates(): Generator<SplitSpec<{ mode: 'split' | 'reciprocal'; sigmaLong: number }>> {
    if (h.method !== 'split') {
      const G = h.kCutoffPerA ?? Math.max(...Array.from({ length: h.count }, (_, n) => lodeKCutoff(new BesselChannel(n + 1, h.cutoffA, h.smearingA), h.accuracy, rho)));
      // G is the kernel's own estimate; the n = 1, l = 0 channel's F only enters the reported tail error
      const ch = new BesselChannel(1, h.cutoffA, h.smearingA), tmp = new Float64Array(2);
      yield { tag: { mode: 'reciprocal', sigmaLong: h.smearingA }, reciprocal: part(G, h.smearingA, (g) => Math.abs(ch.fourier(g * g, tmp))) };
    }
    if (h.method !== 'reciprocal') {
      let A = 0;
      for (let l = 0; l <= h.lmax; l++) for (let n = 0; n < h.count; n++) A = Math.max(A, pot.absMoment(l, n) * Math.sqrt((2 * l + 1) / (4 * Math.PI)));
      for (const sl of h.splitWidthA !== undefined ? [h.splitWidthA] : SPLIT_SIGMAS.filter((x) => x >= 1.3 * h.smearingA)) {
        const env = (G: number) => (16 * Math.PI * Math.PI * A * Math.exp(-sl * sl * G * G / 2)) / (G * G);
        yield {
          tag: { mode: 'split', sigmaLong: sl },
          real: { error: (R, r) => splits.tailError(sl, R, r), fromA: h.cutoffA, toA: h.cutoffA + 14 * sl, cutoffA: h.realCutoffA, pairNs: P.ylm + P.ylmPerValue * NLM },
          reciprocal: part(h.kCutoffPerA, sl, env),
        };
      }
    }
  }
  const s = planKernel(candidates(), geometry, h.accuracy);
  return { mode: s.tag.mode, sigmaLong: s.tag.sigmaLong, kCutoffPerA: s.channels[0].kCutoffPerA, realCutoffA: s.realCutoffA, costNs: s.costNs };
}
