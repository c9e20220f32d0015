/**
 * Reverse pass of the pair terms c_{n,lm} += R_nl(d) Y_lm(r̂) of lode-ms (density coefficients and the split's short
 * part; r = r_j − r_i, length d): with upstream U[o + n·L2 + m] (L2 = (lmax+1)²), the force
 *   f = Σ_{nlm} U (R′_nl Y_lm r̂ + R_nl ∇Y_lm)
 * is added to atom j, subtracted from atom i, and f ⊗ r added to the strain gradient. The per-pass inputs (upstream,
 * the radial and harmonic buffers the caller refills for each pair, the gradient sinks) are fixed at construction;
 * `add` takes the pair. Radial values/derivatives are laid out [l·N + n].
 */
import type { SphericalHarmonics } from '../../math/index.js';
import { scatterPair } from '../pairScatter.js';

export interface RadialYlmPairOptions {
  /** ∂E/∂c, indexed o + n·L2 + m. */
  upstream: Float64Array;
  /** Radial functions per l (N). */
  radialCount: number;
  lmax: number;
  /** R_nl(d) and dR_nl/dd of the current pair, [l·N + n]. */
  radial: Float64Array;
  radialDerivative: Float64Array;
  /** Y_lm and ∇Y_lm of the current pair (after computeWithGradient). */
  harmonics: SphericalHarmonics;
  gPos: Float64Array;
  gStrain: Float64Array;
}

export class RadialYlmPairGradient {
  private readonly U: Float64Array;
  private readonly N: number;
  private readonly L1: number;
  private readonly L2: number;
  private readonly R: Float64Array;
  private readonly dR: Float64Array;
  private readonly Y: Float64Array;
  private readonly dY: Float64Array;
  private readonly gPos: Float64Array;
  private readonly gStrain: Float64Array;

  constructor(o: RadialYlmPairOptions) {
    this.U = o.upstream; this.N = o.radialCount; this.L1 = o.lmax + 1; this.L2 = (o.lmax + 1) ** 2;
    this.R = o.radial; this.dR = o.radialDerivative; this.Y = o.harmonics.values; this.dY = o.harmonics.gradients;
    this.gPos = o.gPos; this.gStrain = o.gStrain;
  }

  /** The pair (i → j, vector (dx, dy, dz) of length d) whose coefficients start at offset o of the upstream. */
  add(o: number, i: number, j: number, dx: number, dy: number, dz: number, d: number): void {
    const { U, N, L1, L2, R, dR, Y, dY, gPos, gStrain } = this;
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
}
