/**
 * Species-resolved reciprocal-space channels shared by FKK and LODE: for radial channels n with kernels F_n(G²)
 *   X[i, J·N + n] += p_n [ (1/V) Σ_G F_n(G) Σ_{k∈J} cos(G·(r_k − r_i)) − δ_{J,t(i)} self_n ]
 * (one source channel per species J), and the reverse pass with probes u_i^J = p_n ∂E/∂X[i, J·N + n].
 * Everything is delegated to the electrostatics engine's generic evaluator (`ewaldReciprocal`, explicit k-vectors
 * with a spherical cutoff; k-vector sets cached in the ComputeContext). Cost per channel O(N · N_G · T);
 * memory O(N·T + N_G·T). No per-(centre, atom) quantity is formed.
 */
import { cellVolume, type Structure } from '../../core/index.js';
import { ewaldReciprocal, kVectors, type FourierKernel, type KVectorSet } from '../../electrostatics/index.js';
import type { ComputeContext } from '../context.js';

export interface ReciprocalChannel {
  /** Column offset n within a species block. */
  n: number;
  kernel: FourierKernel;
  kCutoff: number;
  /** Value removed for J = t(i) (the centre's own contribution contained in the G sum). */
  self: number;
  /** Prefactor p_n applied to the whole channel. */
  prefactor: number;
}

export interface GradientSink {
  gPos: Float64Array;
  gStrain: Float64Array;
}

/**
 * Forward (X given) and/or reverse (g and out given) pass of the reciprocal channels.
 * types: atom → species index in 0..T−1; X, g: N × (T·blockWidth) row-major.
 */
export function speciesReciprocal(
  structure: Structure, ctx: ComputeContext, types: Int32Array, T: number, blockWidth: number,
  channels: readonly ReciprocalChannel[], X: Float64Array | null, g: Float64Array | null, out: GradientSink | null,
): void {
  const N = types.length, W = T * blockWidth;
  const V = cellVolume(structure.cell);
  const sources = new Float64Array(N * T);
  for (let i = 0; i < N; i++) sources[i * T + types[i]] = 1;
  const probes = g ? new Float64Array(N * T) : undefined;
  for (const c of channels) {
    const ks = cachedKVectors(ctx, structure.cell, c.kCutoff);
    const p = c.prefactor, n = c.n;
    if (X) {
      const r = ewaldReciprocal({ positions: structure.positions, volume: V, channels: T, sources, kernel: c.kernel, potentials: true }, ks);
      const phi = r.potentials as Float64Array;
      for (let i = 0; i < N; i++) {
        for (let J = 0; J < T; J++) X[i * W + J * blockWidth + n] += p * phi[i * T + J];
        X[i * W + types[i] * blockWidth + n] -= p * c.self;
      }
    }
    if (g && probes && out) {
      for (let i = 0; i < N; i++) for (let J = 0; J < T; J++) probes[i * T + J] = p * g[i * W + J * blockWidth + n];
      const r = ewaldReciprocal({ positions: structure.positions, volume: V, channels: T, sources, kernel: c.kernel, probes, strain: true }, ks);
      const dp = r.dPositions as Float64Array, ds = r.dStrain as Float64Array;
      for (let k = 0; k < 3 * N; k++) out.gPos[k] += dp[k];
      for (let k = 0; k < 9; k++) out.gStrain[k] += ds[k];
    }
  }
}

/** k-vectors of the cell up to kCutoff, cached per context. */
export function cachedKVectors(ctx: ComputeContext, cell: Float64Array, kCutoff: number): KVectorSet {
  const key = `kvectors:${kCutoff}`;
  let ks = ctx.cache.get(key) as KVectorSet | undefined;
  if (!ks) {
    ks = kVectors(cell, kCutoff);
    ctx.cache.set(key, ks);
  }
  return ks;
}

/** Pair (i → k, vector d from i to k, |d|) with dE/dd = s: gradients on both atoms and the strain. */
export function accumulatePair(out: GradientSink, i: number, k: number, dx: number, dy: number, dz: number, d: number, s: number): void {
  const f = s / d;
  const fx = f * dx, fy = f * dy, fz = f * dz;
  const gp = out.gPos, gs = out.gStrain;
  gp[3 * k] += fx; gp[3 * k + 1] += fy; gp[3 * k + 2] += fz;
  gp[3 * i] -= fx; gp[3 * i + 1] -= fy; gp[3 * i + 2] -= fz;
  gs[0] += fx * dx; gs[1] += fx * dy; gs[2] += fx * dz;
  gs[3] += fy * dx; gs[4] += fy * dy; gs[5] += fy * dz;
  gs[6] += fz * dx; gs[7] += fz * dy; gs[8] += fz * dz;
}
