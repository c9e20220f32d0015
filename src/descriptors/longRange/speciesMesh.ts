/**
 * The PME path of the species-resolved reciprocal channels (the same quantities as speciesReciprocal.ts):
 *   X[i, J·N + n] += p_n [ φ_n^J(r_i) − δ_{J,t(i)} self_n ],  φ_n^J(r_i) = (1/V) Σ_G F_n(G) Σ_{k∈J} cos(G·(r_k − r_i)),
 * every channel evaluated by the electrostatics engine's smooth PME (`pmeReciprocal`, F_n as a generic
 * FourierKernel, one source channel per species, the channel's own mesh and B-spline order from the plan), on the
 * reduced basis of the lattice (reduceCell: the basis the planner sized the mesh on; results do not depend on it).
 * Reverse pass: for each upstream gradient c and channel n one more PME pass with probes u_i^J = p_n g^c_{i,Jn}
 * (the engine's adjoint gives ∂/∂r and ∂/∂ε). Cost per channel O(N p³ T + M log M · T) per pass; memory O(M + N T).
 * (A batched mesh pass — all upstream gradients spread at once, one inverse transform per (c, J) — would need the
 * engine's spreading/gathering pieces, which it does not export; see the report.)
 * PME state (transform and — for channels with a `kernelKey` — the influence function) is kept per channel in a
 * `MeshWorkspaces` owned by the descriptor instance; the scratch meshes are shared by its channels.
 */
import { cellVolume, type Structure } from '../../core/index.js';
import { PmeWorkspace, pmeReciprocal, reduceCell, type PmeScratchPool } from '../../electrostatics/index.js';
import type { GradientSinkMany, ReciprocalChannel } from './speciesReciprocal.js';

export interface MeshChannel extends ReciprocalChannel {
  mesh: [number, number, number];
  order: number;
}

/**
 * PME workspaces per channel index n, owned by a descriptor instance: each channel keeps its own transform and
 * influence function; the scratch meshes are one shared pool (channels run one after another), sized by the largest.
 */
export class MeshWorkspaces {
  private readonly byChannel = new Map<number, PmeWorkspace>();
  private readonly pool: PmeScratchPool = { real: [], spec: [] };
  for(n: number): PmeWorkspace {
    let w = this.byChannel.get(n);
    if (!w) { w = new PmeWorkspace(this.pool); this.byChannel.set(n, w); }
    return w;
  }
}

function oneHot(types: Int32Array, T: number): Float64Array {
  const w = new Float64Array(types.length * T);
  for (let i = 0; i < types.length; i++) w[i * T + types[i]] = 1;
  return w;
}

/** Forward: X (N × T·blockWidth) += the channels, by PME. */
export function speciesMesh(structure: Structure, types: Int32Array, T: number, blockWidth: number, channels: readonly MeshChannel[], X: Float64Array, workspaces?: MeshWorkspaces): void {
  if (channels.length === 0) return;
  const N = types.length, W = T * blockWidth, V = cellVolume(structure.cell);
  const sources = oneHot(types, T);
  for (const c of channels) {
    const r = pmeReciprocal({ positions: structure.positions, volume: V, cell: reduceCell(structure.cell), channels: T, sources, kernel: c.kernel, kernelKey: c.kernelKey, potentials: true }, { mesh: c.mesh, order: c.order }, workspaces?.for(c.n));
    const phi = r.potentials as Float64Array;
    for (let i = 0; i < N; i++) {
      for (let J = 0; J < T; J++) X[i * W + J * blockWidth + c.n] += c.prefactor * phi[i * T + J];
      X[i * W + types[i] * blockWidth + c.n] -= c.prefactor * c.self;
    }
  }
}

/** Reverse pass for out.count upstream gradients g (count × N × W), accumulated into out. */
export function speciesMeshBackward(structure: Structure, types: Int32Array, T: number, blockWidth: number, channels: readonly MeshChannel[], g: Float64Array, out: GradientSinkMany, workspaces?: MeshWorkspaces): void {
  if (channels.length === 0) return;
  const N = types.length, W = T * blockWidth, V = cellVolume(structure.cell), NW = N * W;
  const sources = oneHot(types, T), probes = new Float64Array(N * T);
  for (let cg = 0; cg < out.count; cg++)
    for (const c of channels) {
      let any = false;
      for (let i = 0; i < N; i++)
        for (let J = 0; J < T; J++) {
          const v = c.prefactor * g[cg * NW + i * W + J * blockWidth + c.n];
          probes[i * T + J] = v;
          if (v !== 0) any = true;
        }
      if (!any) continue;
      const r = pmeReciprocal({ positions: structure.positions, volume: V, cell: reduceCell(structure.cell), channels: T, sources, kernel: c.kernel, kernelKey: c.kernelKey, probes, strain: true }, { mesh: c.mesh, order: c.order }, workspaces?.for(c.n));
      const dp = r.dPositions as Float64Array, ds = r.dStrain as Float64Array;
      const po = cg * 3 * N, so = cg * 9;
      for (let k = 0; k < 3 * N; k++) out.gPos[po + k] += dp[k];
      for (let k = 0; k < 9; k++) out.gStrain[so + k] += ds[k];
    }
}
