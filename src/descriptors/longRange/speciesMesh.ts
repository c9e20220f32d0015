/**
 * The PME path of the species-resolved reciprocal channels (the same quantities as speciesReciprocal.ts):
 *   X[i, J·N + n] += p_n [ φ_n^J(r_i) − δ_{J,t(i)} self_n ],  φ_n^J(r_i) = (1/V) Σ_G F_n(G) Σ_{k∈J} cos(G·(r_k − r_i)),
 * evaluated by smooth PME on the reduced basis of the lattice (reduceCell: the basis the planner sized the meshes
 * on; results do not depend on it). Channels whose plans share a mesh and B-spline order form one group and go
 * through the multi-kernel primitive (electrostatics/pmeChannels.ts, algebra in its header), one source channel
 * per species (one-hot weights):
 *  - forward: per group each species density is spread and transformed ONCE; each channel applies its own
 *    influence function I_n before its inverse transform; values and their gradients ∇φ_n^J(r_i) are gathered;
 *  - reverse, per upstream gradient c, with probes u_{i,J}^n = p_n g^c_{i,Jn}: each channel's probes are spread and
 *    transformed, the filtered spectra Σ_n I_n Û^n_J summed in k-space, and ONE inverse transform per species is
 *    gathered at the atoms of that species (w one-hot); the probes' own term Σ_n u^n ∇φ_n^J comes from the
 *    forward gradients. L, ∂L/∂r, ∂L/∂ε are those of Σ_n pmeReciprocal(F_n) to rounding.
 * Per group of G channels and T species, per step (forward + one reverse): 2T(G + 1) transforms instead of 6GT,
 * T(G + 1) spreads instead of 3GT, and G·T·N + N gathers instead of 3GT·N.
 * An upstream gradient that depends on the atom's species only (g^c_{i,Jn} = a_{t(i),Jn}: what a linear kernel on
 * these columns gives, e.g. the sr+lr models' lr block) makes the probes combinations of the one-hot sources,
 * u^n_J = Σ_d p_n a_{d,Jn} w^d, and the reverse pass needs no mesh work at all (pmeChannelsReverseLinear, from the
 * forward gradients and spectra); detected exactly (equal rows per species), otherwise the general pass runs.
 * State: one `PmeChannelsWorkspace` per (mesh, order) in a `MeshWorkspaces` owned by the descriptor instance
 * (transform, influence functions, the forward gradients, and the forward spectra only when needed); the scratch
 * meshes are one pool shared by its groups. A forward pass keeps only the moments the linear reverse pass needs
 * (no spectra: C·2S doubles less per group between calls) unless the group's last reverse pass was a general one;
 * a general reverse pass after a moments-only forward pass reruns that forward pass once (same result) and makes
 * the group keep its spectra from then on. The forward call's `PmeChannelsState` per group is left in the caller's `store`; a reverse pass whose
 * group workspace has since run another forward pass recomputes it (same result).
 */
import { cellVolume, type Structure } from '../../core/index.js';
import { pmeChannelsForward, pmeChannelsReverse, pmeChannelsReverseLinear, PmeChannelsWorkspace, reduceCell, type PmeChannelsRequest, type PmeChannelsState, type PmeChannelsWasmHolder, type PmeScratchPool } from '../../electrostatics/index.js';
import type { GradientSinkMany, ReciprocalChannel, ReciprocalStore } from './speciesReciprocal.js';

export interface MeshChannel extends ReciprocalChannel {
  mesh: [number, number, number];
  order: number;
}

/** Mesh groups kept per descriptor instance (a barostat run meets a few meshes); least recently used dropped beyond. */
const MAX_GROUPS = 8;

/**
 * PME workspaces per (mesh, order) group, owned by a descriptor instance: each keeps its transform, influence
 * functions and forward state; the scratch meshes are one shared pool (groups run one after another).
 */
export class MeshWorkspaces {
  private readonly byGroup = new Map<string, PmeChannelsWorkspace>();
  private readonly pool: PmeScratchPool = { real: [], spec: [] };
  /** One wasm memory for all groups (re-laid out per mesh; groups run one after another). */
  private readonly wasm: PmeChannelsWasmHolder = { mesh: undefined };
  private mode: 'auto' | 'ts' = 'auto';

  /** The groups' forward kernels: 'auto' (WebAssembly SIMD where available, default) or 'ts' (PmeChannelsWorkspace). */
  get kernels(): 'auto' | 'ts' {
    return this.mode;
  }
  set kernels(k: 'auto' | 'ts') {
    this.mode = k;
    for (const w of this.byGroup.values()) w.kernels = k;
  }

  for(key: string): PmeChannelsWorkspace {
    let w = this.byGroup.get(key);
    if (w) this.byGroup.delete(key);
    else {
      w = new PmeChannelsWorkspace(this.pool, this.mode, this.wasm);
      w.keepSpectra = false; // until a general reverse pass asks for them
      if (this.byGroup.size >= MAX_GROUPS) this.byGroup.delete(this.byGroup.keys().next().value as string);
    }
    this.byGroup.set(key, w); // most recently used last
    return w;
  }
}

interface Group { key: string; mesh: [number, number, number]; order: number; channels: MeshChannel[] }

/** Channels grouped by (mesh, order), in first-appearance order. */
function groups(channels: readonly MeshChannel[]): Group[] {
  const by = new Map<string, Group>();
  for (const c of channels) {
    const key = `${c.mesh.join('x')}|${c.order}`;
    let g = by.get(key);
    if (!g) { g = { key, mesh: c.mesh, order: c.order, channels: [] }; by.set(key, g); }
    g.channels.push(c);
  }
  return [...by.values()];
}

function request(structure: Structure, sources: Float64Array, T: number, g: Group, strain: boolean): PmeChannelsRequest {
  return {
    positions: structure.positions, cell: reduceCell(structure.cell), volume: cellVolume(structure.cell), channels: T, sources,
    kernels: g.channels.map((c) => c.kernel), kernelKeys: g.channels.map((c) => c.kernelKey), strain,
  };
}

function oneHot(types: Int32Array, T: number): Float64Array {
  const w = new Float64Array(types.length * T);
  for (let i = 0; i < types.length; i++) w[i * T + types[i]] = 1;
  return w;
}

/**
 * Λ_{k,J,d} = p_k g[rep(d), J·blockWidth + n_k] (Nk × T × T) when every atom's upstream row (on the group's columns)
 * equals that of the first atom of its species, rep(d); else null.
 */
function speciesConstant(g: Float64Array, go: number, types: Int32Array, T: number, W: number, blockWidth: number, channels: readonly MeshChannel[]): Float64Array | null {
  const N = types.length, rep = new Int32Array(T).fill(-1);
  for (let i = 0; i < N; i++) if (rep[types[i]] < 0) rep[types[i]] = i;
  for (let i = 0; i < N; i++) {
    const r = rep[types[i]];
    if (r === i) continue;
    const a = go + i * W, b = go + r * W;
    for (let J = 0; J < T; J++)
      for (const c of channels) if (g[a + J * blockWidth + c.n] !== g[b + J * blockWidth + c.n]) return null;
  }
  const Nk = channels.length, lambda = new Float64Array(Nk * T * T);
  channels.forEach((c, k) => {
    for (let J = 0; J < T; J++)
      for (let d = 0; d < T; d++) if (rep[d] >= 0) lambda[(k * T + J) * T + d] = c.prefactor * g[go + rep[d] * W + J * blockWidth + c.n];
  });
  return lambda;
}

/**
 * Forward: X (N × T·blockWidth) += the channels, by PME (one pass per mesh group); the groups' states into `store`.
 * `strain` false: the reverse passes on this state will not be asked for the strain (PmeChannelsRequest.strain).
 */
export function speciesMesh(structure: Structure, types: Int32Array, T: number, blockWidth: number, channels: readonly MeshChannel[], X: Float64Array, workspaces: MeshWorkspaces = new MeshWorkspaces(), store?: ReciprocalStore, strain = true): void {
  if (channels.length === 0) return;
  const N = types.length, W = T * blockWidth;
  const sources = oneHot(types, T);
  for (const g of groups(channels)) {
    const r = pmeChannelsForward(request(structure, sources, T, g, strain), { mesh: g.mesh, order: g.order }, workspaces.for(g.key));
    if (store) (store.mesh ??= new Map()).set(g.key, r.state);
    const phi = r.potentials, Nk = g.channels.length;
    g.channels.forEach((c, k) => {
      for (let i = 0; i < N; i++) {
        const po = (i * Nk + k) * T;
        for (let J = 0; J < T; J++) X[i * W + J * blockWidth + c.n] += c.prefactor * phi[po + J];
        X[i * W + types[i] * blockWidth + c.n] -= c.prefactor * c.self;
      }
    });
  }
}

/** Reverse pass for out.count upstream gradients g (count × N × W), accumulated into out (`strain` as speciesMesh's). */
export function speciesMeshBackward(structure: Structure, types: Int32Array, T: number, blockWidth: number, channels: readonly MeshChannel[], g: Float64Array, out: GradientSinkMany, workspaces: MeshWorkspaces = new MeshWorkspaces(), store?: ReciprocalStore, strain = true): void {
  if (channels.length === 0) return;
  const N = types.length, W = T * blockWidth, NW = N * W, NT = N * T;
  const sources = oneHot(types, T);
  for (const gr of groups(channels)) {
    const req = request(structure, sources, T, gr, strain), params = { mesh: gr.mesh, order: gr.order }, ws = workspaces.for(gr.key);
    let state: PmeChannelsState | null = store?.mesh?.get(gr.key) ?? null;
    const Nk = gr.channels.length, probes = new Float64Array(Nk * NT);
    for (let cg = 0; cg < out.count; cg++) {
      let any = false;
      gr.channels.forEach((c, k) => {
        for (let i = 0; i < N; i++)
          for (let J = 0; J < T; J++) {
            const v = c.prefactor * g[cg * NW + i * W + J * blockWidth + c.n];
            probes[k * NT + i * T + J] = v;
            if (v !== 0) any = true;
          }
      });
      if (!any) continue;
      const lambda = speciesConstant(g, cg * NW, types, T, W, blockWidth, gr.channels);
      const dPos = out.gPos.subarray(cg * 3 * N, (cg + 1) * 3 * N);
      ws.keepSpectra = lambda === null; // what the next forward pass should leave for a reverse pass like this one
      const r = lambda ? pmeChannelsReverseLinear(req, params, ws, state, lambda, dPos) : pmeChannelsReverse(req, params, ws, state, probes, dPos);
      if (state?.workspace !== ws || ws.generation !== state.generation) {
        state = { workspace: ws, generation: ws.generation };
        store?.mesh?.set(gr.key, state);
      }
      for (let k = 0; k < 9; k++) out.gStrain[cg * 9 + k] += r.dStrain[k];
    }
  }
}
