/**
 * Per-σ′ data of the lode-ms Ewald-like split (multiscale.ts; the construction of split.ts extended to l > 0):
 * the l = 0 backgrounds (N_J/V)·B_n with B_n = Y₀₀ 8π²(σ′² − σ²) I_n0(0), the self terms C_n^{σ′}, a coarse tail
 * profile of the short part for the planner, and the short table s_nl(d) (cubic Hermite in d, built on demand up
 * to the largest range asked). Owned by one descriptor instance (tables grow with the ranges its plans ask for).
 */
import { HermiteSplineSet } from '../../math/index.js';
import { BesselChannel } from './basis.js';
import type { LodeMsHypers } from './multiscaleHypers.js';
import type { PotentialRadial } from './multiscaleRadial.js';
import { shortTableStep, splitBackground } from './split.js';

/** Per σ′: l = 0 backgrounds, self terms C^{σ′}, coarse tail profile, short table (largest range so far). */
export interface LodeMsSplitData {
  background: Float64Array;
  self: Float64Array;
  /** Q(R) on d = R_c + k·step (k = 0..), see ShortTail in split.ts. */
  tailQ: Float64Array;
  tailStep: number;
  table: HermiteSplineSet | null;
}

export class LodeMsSplits {
  private readonly bySigma = new Map<number, LodeMsSplitData>();
  constructor(private readonly hypers: LodeMsHypers, private readonly pot: PotentialRadial) {}

  data(sigmaLong: number): LodeMsSplitData {
    let sd = this.bySigma.get(sigmaLong);
    if (!sd) {
      const h = this.hypers, Nv = h.count, F = (h.lmax + 1) * Nv;
      const background = new Float64Array(Nv), self = new Float64Array(Nv);
      for (let n = 0; n < Nv; n++) {
        const c = new BesselChannel(n + 1, h.cutoffA, h.smearingA);
        background[n] = splitBackground(c, sigmaLong);
        self[n] = new BesselChannel(n + 1, h.cutoffA, sigmaLong).selfTerm();
      }
      // coarse tail profile: env(d) = 2 max_{nl} |s_nl(d)| max|Y_l|, monotone from the right, Q(R) = ∫_R d² env
      const M = 28, step = (14 * sigmaLong) / M;
      const ds = Float64Array.from({ length: M + 1 }, (_, k) => h.cutoffA + k * step);
      const { v } = this.pot.short(ds, h.smearingA, sigmaLong);
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
      this.bySigma.set(sigmaLong, sd);
    }
    return sd;
  }

  /** Real-space error of the short part cut at R, at number density ρ: 4πρ Q(R) (linear interpolation). */
  tailError(sigmaLong: number, R: number, rho: number): number {
    const sd = this.data(sigmaLong);
    const x = (R - this.hypers.cutoffA) / sd.tailStep, Q = sd.tailQ;
    if (x <= 0) return 4 * Math.PI * rho * Q[0];
    const k = Math.floor(x);
    if (k >= Q.length - 1) return 0;
    return 4 * Math.PI * rho * ((1 - (x - k)) * Q[k] + (x - k) * Q[k + 1]);
  }

  /** Short table s_nl(d), ds/dd of the split with σ′ on [0, ≥ range] (function index l·count + n). */
  table(sigmaLong: number, range: number): HermiteSplineSet {
    const sd = this.data(sigmaLong), h = this.hypers;
    if (!sd.table || sd.table.x1 < range) {
      const top = Math.ceil(range), F = (h.lmax + 1) * h.count;
      let A = 0;
      for (let l = 0; l <= h.lmax; l++) for (let n = 0; n < h.count; n++) A = Math.max(A, 4 * Math.PI * Math.sqrt((2 * l + 1) / (4 * Math.PI)) * this.pot.absMoment(l, n));
      const intervals = Math.max(8, Math.ceil(top / shortTableStep(h.smearingA, A, h.accuracy / 4)));
      const ds = Float64Array.from({ length: intervals + 1 }, (_, k) => (top * k) / intervals);
      const { v, dv } = this.pot.short(ds, h.smearingA, sigmaLong);
      sd.table = HermiteSplineSet.fromNodes(0, top, intervals, F, v, dv);
    }
    return sd.table;
  }
}
