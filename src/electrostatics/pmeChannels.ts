/**
 * Smooth PME for several Fourier kernels F_1 … F_Nk on ONE mesh (same mesh, spline order and cell) sharing the
 * source densities — the multi-channel primitive of the species-resolved descriptors (FKK, LODE: one kernel per
 * radial channel, one source channel per species). Notation as in pme.ts: Q^c the spread of the sources w^c,
 * Q̂^c = DFT(Q^c), B(m) the Euler-spline factor, and the influence function of kernel k
 *   I_k(m) = F_k(G_m) B(m)/V  (×2 for the interior of the stored half spectrum; pme.ts `influence`).
 *
 * Forward: the density does not depend on the kernel, so each source channel is spread and transformed ONCE:
 *   φ_k^c(r_i) = Σ_g M_i(g) Φ_k^c(g),   Φ_k^c = DFT⁻¹[I_k Q̂^c]      (one inverse transform per (k, c))
 * and both the value and its gradient ∇_i φ_k^c(r_i) (the atom's own splines differentiated, Φ fixed) are gathered.
 * Cost: C spreads + C forward transforms + Nk·C inverse transforms + Nk·C·N gathers, instead of Nk·C of each.
 * Q̂^c and ∇φ are kept in the workspace for the reverse pass (`PmeChannelsState` names the call they belong to).
 *
 * Reverse, for probes u_k^c (one N × C array per kernel): L = Σ_k Σ_c Σ_i u^c_{k,i} φ_k^c(r_i)
 *   = Σ_c Σ_m Re[ Q̂^c · (Σ_k I_k Û_k^c)* ],   U_k^c the spread of u_k^c,
 * so with the k-space accumulation A^c = Σ_k I_k Û_k^c (multiplicities undone) ONE inverse transform per source
 * channel gives Ψ^c = DFT⁻¹[A^c], and
 *   ∂L/∂r_j   = Σ_c w^c_j ∇_j(M_j ∗ Ψ^c)(r_j)        (term a: gathered only where w^c_j ≠ 0)
 *             + Σ_k Σ_c u^c_{k,j} ∇_j φ_k^c(r_j)       (term b: the forward gradients, no mesh work)
 *   ∂L/∂ε_αβ = −δ_αβ L − 2 Σ_m G_α G_β Σ_c Σ_k I′_k(m) Re[Q̂^c Û_k^c*]   (I′_k = F_k′(G²) B/V, as pme.ts).
 * Cost: Nk·C spreads + Nk·C forward transforms + C inverse transforms + one gather per (atom, nonzero w^c) —
 * against 2Nk·C spreads, 2Nk·C forward and 2Nk·C inverse transforms and 2Nk·C·N gathers through `pmeReciprocal`
 * kernel by kernel. Equal to Σ_k pmeReciprocal(F_k) up to rounding (test/electrostatics/pmeChannels.test.ts).
 *
 * Probes that are linear combinations of the sources, u_k^c = Σ_d Λ_{k,c,d} w^d (`pmeChannelsReverseLinear`; e.g.
 * one-hot species sources and an upstream gradient that depends on the atom's species only, as a linear kernel on
 * the features gives): then U_k^c = Σ_d Λ_{k,c,d} Q^d and L = Σ_k Σ_{c,d} Λ_{k,c,d} ⟨Q^d, K_k Q^c⟩ (K_k symmetric), so
 *   ∂L/∂r_j   = Σ_k Σ_{c,d} Λ_{k,c,d} [ w^d_j ∇φ_k^c(r_j) + w^c_j ∇φ_k^d(r_j) ]     (forward gradients only)
 *   L, ∂L/∂ε  from h(m) = Σ_k I′_k(m) Σ_{c,d} Λ_{k,c,d} Re[Q̂^c Q̂^d*](m) (and I_k likewise) over the kept spectra:
 * no spread, no transform, no gather — O(S·Nk·C² + N·Nk·C²).
 * Since Λ enters L and ∂L/∂ε linearly, a forward call can instead reduce the spectra to the moments
 *   μ_{k,cd} = Σ_m I_k(m) P_cd(m),   ν_{k,cd,αβ} = −2 Σ_m I′_k(m) P_cd(m) G_α G_β      (Nk·C²·7 numbers)
 * and drop Q̂: then L = Σ Λ_{k,c,d} μ_{k,cd}, ∂L/∂ε_αβ = Σ Λ_{k,c,d} ν_{k,cd,αβ} − δ_αβ L. `keepSpectra = false` on the
 * workspace asks for that (Q̂ then lives in scratch only during the forward call: C·2S doubles per workspace less
 * between calls); a general reverse pass after such a forward call reruns it with the spectra kept (same result).
 * Without the strain (`PmeChannelsRequest.strain` false: no stress asked) only μ is formed and the influence
 * functions are built without their strain derivative.
 *
 * Kernels: with `kernels` 'auto' (default) the forward pass runs the spline weights, spreading, transforms and
 * value + gradient gathers in WebAssembly SIMD (pmeWasm.ts PmeMeshWasm: bitwise the TS loops except the gather's
 * two-lane sums), on one wasm memory that the workspaces of a descriptor share and re-lay out per mesh (one real
 * mesh and C + 1 half spectra); the filter I_k Q̂^c is applied in JS on its views. The reverse passes stay TS.
 */
import { FarfieldError, inv3, reciprocalCell } from '../core/index.js';
import type { FourierKernel } from './kernels.js';
import type { RealTransform3d } from '../math/index.js';
import { computeSplines, gather, influence, MAX_PME_MESH_POINTS, PmeWorkspace, spread, type PmeParameters, type PmeScratchPool, type SplineSet } from './pme.js';
import { PmeMeshWasm } from './pmeWasm.js';

export interface PmeChannelsRequest {
  /** N × 3, Å. */
  positions: Float64Array;
  /** Cell rows (Å) the mesh is laid on. */
  cell: Float64Array;
  /** Cell volume, Å³. */
  volume: number;
  /** Source channels C. */
  channels: number;
  /** Source weights, N × C. */
  sources: Float64Array;
  /** The kernels F_k; `kernelKeys[k]` identifies F_k across calls (influence function reused), omitted: rebuilt. */
  kernels: readonly FourierKernel[];
  kernelKeys?: readonly (string | undefined)[];
  /**
   * Whether reverse passes will need ∂L/∂ε (default true). False: a forward call keeping moments computes μ only
   * (no strain derivative of the influence functions, ν left NaN), and the linear reverse pass from those moments
   * returns a NaN strain; positions and L are unchanged.
   */
  strain?: boolean;
}

/** Names the forward call whose state (Q̂, gradients) the workspace holds. */
export interface PmeChannelsState {
  /** The workspace that ran the forward call, and its count of forward calls at the time. */
  readonly workspace: PmeChannelsWorkspace;
  readonly generation: number;
}

export interface PmeChannelsResult {
  /** L = Σ_k Σ_c Σ_i u φ. */
  value: number;
  /** ∂L/∂r, 3N (accumulated into when given to the reverse pass). */
  dPositions: Float64Array;
  /** ∂L/∂ε, 9. */
  dStrain: Float64Array;
}

/**
 * State of the multi-kernel PME on one mesh, owned by the caller and reused along a trajectory: the transform, the
 * spline set, one influence function per kernel, the spectra Q̂^c and the potential gradients of the last forward
 * call. Scratch meshes may come from a pool shared with other workspaces used one at a time.
 */
export class PmeChannelsWorkspace {
  /** Transform, splines and scratch (slots: real 0 the mesh; spec 0 one kernel's spectrum; spec 1 + c the sums A^c). */
  private readonly base: PmeWorkspace;
  /** Influence function holders, one per kernel index. */
  private readonly perKernel: PmeWorkspace[] = [];
  /** Q̂^c, C × 2S, of the last forward call (empty when it ran with `keepSpectra` false). */
  spectra = new Float64Array(0);
  /**
   * Keep Q̂ after a forward call (true: any reverse pass can follow) or only the moments μ, ν of the linear reverse
   * pass (false: Q̂ in scratch during the call; a general reverse pass reruns the forward call).
   */
  keepSpectra = true;
  /** μ_{k,cd}, ν_{k,cd,(xx xy xz yy yz zz)} at ((k·C + c)·C + d)·7 of the last forward call run with keepSpectra false. */
  moments = new Float64Array(0);
  /** What the last forward call left for the reverse passes. */
  held: 'spectra' | 'moments' = 'spectra';
  /** ∇φ_k^c(r_i), (i, k, c, α) = ((i·Nk + k)·C + c)·3 + α, of the last forward call. */
  gradients = new Float64Array(0);
  /** Forward calls run on this workspace (names the state its buffers hold). */
  generation = 0;
  /**
   * 'auto' (default): the forward pass spreads, transforms and gathers in WebAssembly SIMD (pmeWasm.ts PmeMeshWasm)
   * where available; 'ts': the TS loops. Same results up to the gather's summation order.
   */
  kernels: 'auto' | 'ts';
  /** Holder of the wasm meshes: shared by the workspaces of one pool (used one at a time), else this one's own. */
  private readonly wasm: PmeChannelsWasmHolder;
  /** @internal TS spline arrays a general reverse pass after a wasm forward pass recomputes into (kept for reuse). */
  spareSplines: SplineSet | null = null;

  /**
   * `pool`: TS scratch meshes shared with other workspaces used one at a time; `wasm`: likewise the wasm meshes (one
   * memory re-laid out per mesh, instead of one per workspace).
   */
  constructor(pool?: PmeScratchPool, kernels: 'auto' | 'ts' = 'auto', wasm: PmeChannelsWasmHolder = { mesh: undefined }) {
    this.base = new PmeWorkspace(pool);
    this.kernels = kernels;
    this.wasm = wasm;
  }

  /** @internal The wasm meshes for a forward pass (created on first use), or null ('ts', no WebAssembly SIMD). */
  meshWasm(): PmeMeshWasm | null {
    if (this.kernels === 'ts') return null;
    if (this.wasm.mesh === undefined) this.wasm.mesh = PmeMeshWasm.create();
    return this.wasm.mesh;
  }

  /** @internal */
  core(): PmeWorkspace {
    return this.base;
  }

  /** @internal */
  kernelHolder(k: number): PmeWorkspace {
    while (this.perKernel.length <= k) this.perKernel.push(new PmeWorkspace({ real: [], spec: [] }));
    return this.perKernel[k];
  }
}

/** The wasm meshes of one or more `PmeChannelsWorkspace`s (undefined: not yet created; null: no WebAssembly SIMD). */
export interface PmeChannelsWasmHolder {
  mesh: PmeMeshWasm | null | undefined;
}

function check(req: PmeChannelsRequest, params: PmeParameters, what: string): number {
  const n = req.positions.length / 3;
  const { mesh, order: p } = params;
  if (!Number.isInteger(n) || req.sources.length !== n * req.channels)
    throw new FarfieldError('INVALID_INPUT', `${what}: sources must be N × C = ${n} × ${req.channels}, got ${req.sources.length} values`, { field: 'sources' });
  if (!Number.isInteger(p) || p < 2 || p > 12) throw new FarfieldError('INVALID_INPUT', `${what}: PME spline order must be an integer in 2 … 12, got ${p}`, { field: 'order' });
  for (const K of mesh)
    if (!Number.isInteger(K) || K < p) throw new FarfieldError('INVALID_INPUT', `${what}: PME mesh ${mesh.join('×')} must be integers no smaller than the spline order ${p}`, { field: 'mesh' });
  if (mesh[0] * mesh[1] * mesh[2] > MAX_PME_MESH_POINTS)
    throw new FarfieldError('INVALID_INPUT', `${what}: PME mesh ${mesh.join('×')} is larger than the ${MAX_PME_MESH_POINTS} points allowed; hint: request a looser accuracy`, { field: 'mesh' });
  return n;
}

/** Gradient of the interpolated value with respect to r (Å⁻¹ units of the mesh): ∂u_d/∂r_a = K_d (A⁻¹)_{ad}. */
function cartesian(mesh: readonly number[], ainv: Float64Array, d1: number, d2: number, d3: number, out: Float64Array, o: number, s: number): void {
  const [K1, K2, K3] = mesh;
  out[o] += s * (K1 * ainv[0] * d1 + K2 * ainv[1] * d2 + K3 * ainv[2] * d3);
  out[o + 1] += s * (K1 * ainv[3] * d1 + K2 * ainv[4] * d2 + K3 * ainv[5] * d3);
  out[o + 2] += s * (K1 * ainv[6] * d1 + K2 * ainv[7] * d2 + K3 * ainv[8] * d3);
}

/**
 * Forward pass: potentials φ_k^c(r_i), returned N × Nk × C ((i·Nk + k)·C + c); the state for `pmeChannelsReverse`
 * (Q̂, ∇φ) stays in the workspace.
 */
export function pmeChannelsForward(req: PmeChannelsRequest, params: PmeParameters, ws: PmeChannelsWorkspace): { potentials: Float64Array; state: PmeChannelsState } {
  const n = check(req, params, 'pmeChannelsForward');
  const { mesh, order: p } = params;
  const [K1, K2, K3] = mesh;
  const core = ws.core();
  const fft = core.planFor(K1, K2, K3);
  const H = fft.spectrumLast, half = fft.halfSpectrum, S = K1 * K2 * H, M = K1 * K2 * K3;
  const C = req.channels, Nk = req.kernels.length, w = req.sources;
  const ainv = inv3(req.cell), b = reciprocalCell(req.cell);
  const keep = ws.keepSpectra;
  if (keep) {
    if (ws.spectra.length !== C * 2 * S) ws.spectra = new Float64Array(C * 2 * S);
  } else ws.spectra = new Float64Array(0);
  if (ws.gradients.length !== n * Nk * C * 3) ws.gradients = new Float64Array(n * Nk * C * 3);
  const grad = ws.gradients;
  grad.fill(0);
  const mw = ws.meshWasm();
  if (mw) {
    const phi = forwardWasm(req, params, ws, mw, n, fft, ainv, b);
    ws.held = keep ? 'spectra' : 'moments';
    ws.generation++;
    return { potentials: phi, state: { workspace: ws, generation: ws.generation } };
  }
  const sp = computeSplines(req.positions, ainv, mesh, p, core.splines);
  core.splines = sp;
  const Q = keep ? ws.spectra : core.scratch('spec', 2, C * 2 * S);
  const grid = core.scratch('real', 0, M), tmp = core.scratch('spec', 0, 2 * S);
  for (let c = 0; c < C; c++) {
    spread(sp, K3, w, C, c, grid);
    fft.forward(grid, Q.subarray(2 * c * S, 2 * (c + 1) * S));
  }
  const phi = new Float64Array(n * Nk * C), t4 = new Float64Array(4);
  for (let k = 0; k < Nk; k++) {
    const { infl } = influence(ws.kernelHolder(k), { positions: req.positions, volume: req.volume, cell: req.cell, channels: C, sources: w, kernel: req.kernels[k], kernelKey: req.kernelKeys?.[k] }, mesh, p, fft, b, req.strain !== false);
    for (let c = 0; c < C; c++) {
      const qo = 2 * c * S;
      // I_k Q̂^c with the half-spectrum multiplicity undone (a plain filter)
      for (let row = 0; row < K1 * K2; row++)
        for (let m3 = 0, idx = row * H; m3 < H; m3++, idx++) {
          const f = half && m3 > 0 ? 0.5 * infl[idx] : infl[idx];
          tmp[2 * idx] = f * Q[qo + 2 * idx];
          tmp[2 * idx + 1] = f * Q[qo + 2 * idx + 1];
        }
      fft.inverse(tmp, grid);
      for (let i = 0; i < n; i++) {
        gather(sp, K3, i, grid, t4);
        const o = (i * Nk + k) * C + c;
        phi[o] = t4[0];
        cartesian(mesh, ainv, t4[1], t4[2], t4[3], grad, 3 * o, 1);
      }
    }
  }
  if (!keep) linearMoments(req, mesh, p, ws, fft, b, Array.from({ length: C }, (_, c) => Q.subarray(2 * c * S, 2 * (c + 1) * S)));
  ws.held = keep ? 'spectra' : 'moments';
  ws.generation++;
  return { potentials: phi, state: { workspace: ws, generation: ws.generation } };
}

/**
 * The forward pass in wasm (same steps as the TS loop of pmeChannelsForward): spline data, the C densities and their
 * spectra in the wasm memory (laid out for this mesh: one real mesh, C + 1 half spectra), each channel's filter
 * applied in JS on the views, inverse transform and value + u-gradient gathers of all atoms in wasm. Fills ws.gradients
 * (zeroed by the caller), the kept spectra or the moments; returns the potentials. Transforms fall back to the TS
 * transform on the views for meshes the wasm FFT does not take (odd K3, factors above 5).
 */
function forwardWasm(req: PmeChannelsRequest, params: PmeParameters, ws: PmeChannelsWorkspace, mw: PmeMeshWasm, n: number, fft: RealTransform3d, ainv: Float64Array, b: Float64Array): Float64Array {
  const { mesh, order: p } = params;
  const [K1, K2] = mesh;
  const H = fft.spectrumLast, half = fft.halfSpectrum, S = K1 * K2 * H, rows = K1 * K2;
  const C = req.channels, Nk = req.kernels.length, w = req.sources, grad = ws.gradients;
  mw.layout(n, p, mesh, { spectra: C + 1, meshes: 1, filter: false });
  mw.splines(req.positions, ainv);
  ws.core().splines = null; // the wasm views are re-laid out by the next mesh of a shared memory
  const grid = mw.grids[0], Q = mw.spectra, tmp = Q[C], out = mw.out, wv = mw.w, wfft = mw.fft;
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < n; i++) wv[i] = w[i * C + c];
    mw.spread(0);
    if (wfft) mw.forward(0, c);
    else fft.forward(grid, Q[c]);
  }
  const phi = new Float64Array(n * Nk * C);
  for (let k = 0; k < Nk; k++) {
    const { infl } = influence(ws.kernelHolder(k), { positions: req.positions, volume: req.volume, cell: req.cell, channels: C, sources: w, kernel: req.kernels[k], kernelKey: req.kernelKeys?.[k] }, mesh, p, fft, b, req.strain !== false);
    for (let c = 0; c < C; c++) {
      const Qc = Q[c];
      // I_k Q̂^c with the half-spectrum multiplicity undone (the TS loop's operations)
      for (let row = 0; row < rows; row++)
        for (let m3 = 0, idx = row * H; m3 < H; m3++, idx++) {
          const f = half && m3 > 0 ? 0.5 * infl[idx] : infl[idx];
          tmp[2 * idx] = f * Qc[2 * idx];
          tmp[2 * idx + 1] = f * Qc[2 * idx + 1];
        }
      if (wfft) mw.inverse(0, C);
      else fft.inverse(tmp, grid);
      mw.gather(0);
      for (let i = 0; i < n; i++) {
        const o = (i * Nk + k) * C + c;
        phi[o] = out[4 * i];
        cartesian(mesh, ainv, out[4 * i + 1], out[4 * i + 2], out[4 * i + 3], grad, 3 * o, 1);
      }
    }
  }
  if (ws.keepSpectra) for (let c = 0; c < C; c++) ws.spectra.set(Q[c], 2 * c * S);
  else linearMoments(req, mesh, p, ws, fft, b, Q.slice(0, C));
  return phi;
}

/**
 * Reverse pass for probes u (Nk × N × C: kernel k's probes at k·N·C): L, ∂L/∂r (accumulated into `dPositions` when
 * given) and ∂L/∂ε. `state`: from the forward call on the same request; if the workspace has run another forward
 * call since, the forward state is recomputed first (same result).
 */
export function pmeChannelsReverse(req: PmeChannelsRequest, params: PmeParameters, ws: PmeChannelsWorkspace, state: PmeChannelsState | null, probes: Float64Array, dPositions?: Float64Array): PmeChannelsResult {
  const n = check(req, params, 'pmeChannelsReverse');
  const C = req.channels, Nk = req.kernels.length, w = req.sources, NC = n * C;
  if (probes.length !== Nk * NC)
    throw new FarfieldError('INVALID_INPUT', `pmeChannelsReverse: probes must be Nk × N × C = ${Nk} × ${n} × ${C}, got ${probes.length} values`, { field: 'probes' });
  if (!state || state.workspace !== ws || ws.generation !== state.generation || ws.held !== 'spectra') {
    const keep = ws.keepSpectra;
    ws.keepSpectra = true;
    try { pmeChannelsForward(req, params, ws); } finally { ws.keepSpectra = keep; }
  }
  const { mesh, order: p } = params;
  const [K1, K2, K3] = mesh;
  const core = ws.core();
  const fft = core.planFor(K1, K2, K3);
  const H = fft.spectrumLast, half = fft.halfSpectrum, S = K1 * K2 * H, M = K1 * K2 * K3;
  const ainv = inv3(req.cell), b = reciprocalCell(req.cell);
  // the TS spline set of the forward pass; after a wasm forward pass (splines in wasm memory, which other workspaces
  // of the pool re-lay out) recomputed here, the same values
  const sp = core.splines ?? (core.splines = ws.spareSplines = computeSplines(req.positions, ainv, mesh, p, ws.spareSplines));
  const Q = ws.spectra, fwdGrad = ws.gradients;
  const grid = core.scratch('real', 0, M), tmp = core.scratch('spec', 0, 2 * S);
  const hsum = core.scratch('real', 1, S);
  hsum.fill(0);
  const dPos = dPositions ?? new Float64Array(3 * n);
  const infl: Float64Array[] = [], dinfl: Float64Array[] = [];
  for (let k = 0; k < Nk; k++) {
    const r = influence(ws.kernelHolder(k), { positions: req.positions, volume: req.volume, cell: req.cell, channels: C, sources: w, kernel: req.kernels[k], kernelKey: req.kernelKeys?.[k] }, mesh, p, fft, b, true);
    infl.push(r.infl);
    dinfl.push(r.dinfl as Float64Array);
  }
  let L = 0;
  const t4 = new Float64Array(4);
  for (let c = 0; c < C; c++) {
    const qo = 2 * c * S;
    const A = core.scratch('spec', 1, 2 * S);
    let any = false;
    for (let k = 0; k < Nk; k++) {
      const u = probes.subarray(k * NC, (k + 1) * NC);
      let nz = false;
      for (let i = 0; i < n; i++) if (u[i * C + c] !== 0) { nz = true; break; }
      if (!nz) continue;
      spread(sp, K3, u, C, c, grid);
      fft.forward(grid, tmp);
      const I = infl[k], dI = dinfl[k];
      let acc = 0;
      for (let row = 0; row < K1 * K2; row++)
        for (let m3 = 0, idx = row * H; m3 < H; m3++, idx++) {
          const ur = tmp[2 * idx], ui = tmp[2 * idx + 1];
          const pr = Q[qo + 2 * idx] * ur + Q[qo + 2 * idx + 1] * ui;
          acc += I[idx] * pr;
          hsum[idx] += dI[idx] * pr;
          const f = half && m3 > 0 ? 0.5 * I[idx] : I[idx];
          if (any) { A[2 * idx] += f * ur; A[2 * idx + 1] += f * ui; }
          else { A[2 * idx] = f * ur; A[2 * idx + 1] = f * ui; }
        }
      L += acc;
      any = true;
    }
    if (!any) continue;
    fft.inverse(A, grid);
    // term a: w^c_j ∇(M_j ∗ Ψ^c)
    for (let i = 0; i < n; i++) {
      const wi = w[i * C + c];
      if (wi === 0) continue;
      gather(sp, K3, i, grid, t4);
      cartesian(mesh, ainv, t4[1], t4[2], t4[3], dPos, 3 * i, wi);
    }
  }
  // term b: Σ_k Σ_c u ∇φ from the forward pass
  for (let i = 0; i < n; i++) {
    let gx = 0, gy = 0, gz = 0;
    for (let k = 0; k < Nk; k++)
      for (let c = 0; c < C; c++) {
        const u = probes[k * NC + i * C + c];
        if (u === 0) continue;
        const o = 3 * ((i * Nk + k) * C + c);
        gx += u * fwdGrad[o]; gy += u * fwdGrad[o + 1]; gz += u * fwdGrad[o + 2];
      }
    dPos[3 * i] += gx; dPos[3 * i + 1] += gy; dPos[3 * i + 2] += gz;
  }
  // strain: −2 Σ_m G_α G_β hsum(m), then −δ_αβ L
  const dS = new Float64Array(9);
  for (let m1 = 0; m1 < K1; m1++) {
    const s1 = m1 <= K1 / 2 ? m1 : m1 - K1;
    for (let m2 = 0; m2 < K2; m2++) {
      const s2 = m2 <= K2 / 2 ? m2 : m2 - K2;
      const gx0 = s1 * b[0] + s2 * b[3], gy0 = s1 * b[1] + s2 * b[4], gz0 = s1 * b[2] + s2 * b[5];
      const row = (m1 * K2 + m2) * H;
      for (let m3 = 0; m3 < H; m3++) {
        const h = -2 * hsum[row + m3];
        if (h === 0) continue;
        const s3 = m3 <= K3 / 2 ? m3 : m3 - K3;
        const x = gx0 + s3 * b[6], y = gy0 + s3 * b[7], z = gz0 + s3 * b[8];
        dS[0] += h * x * x; dS[1] += h * x * y; dS[2] += h * x * z;
        dS[4] += h * y * y; dS[5] += h * y * z; dS[8] += h * z * z;
      }
    }
  }
  dS[3] = dS[1]; dS[6] = dS[2]; dS[7] = dS[5];
  dS[0] -= L; dS[4] -= L; dS[8] -= L;
  return { value: L, dPositions: dPos, dStrain: dS };
}

/**
 * Reverse pass for probes u_k^c = Σ_d Λ_{k,c,d} w^d (Λ: Nk × C × C, (k·C + c)·C + d), from the forward state alone
 * (see the header); the same L, ∂L/∂r (accumulated into `dPositions` when given), ∂L/∂ε as `pmeChannelsReverse` with
 * those probes, to rounding.
 */
export function pmeChannelsReverseLinear(req: PmeChannelsRequest, params: PmeParameters, ws: PmeChannelsWorkspace, state: PmeChannelsState | null, lambda: Float64Array, dPositions?: Float64Array): PmeChannelsResult {
  const n = check(req, params, 'pmeChannelsReverseLinear');
  const C = req.channels, Nk = req.kernels.length, w = req.sources, CC = C * C;
  if (lambda.length !== Nk * CC)
    throw new FarfieldError('INVALID_INPUT', `pmeChannelsReverseLinear: Λ must be Nk × C × C = ${Nk} × ${C} × ${C}, got ${lambda.length} values`, { field: 'lambda' });
  if (!state || state.workspace !== ws || ws.generation !== state.generation) pmeChannelsForward(req, params, ws);
  const { mesh, order: p } = params;
  const [K1, K2, K3] = mesh;
  const core = ws.core();
  const fft = core.planFor(K1, K2, K3);
  const H = fft.spectrumLast, S = K1 * K2 * H;
  const b = reciprocalCell(req.cell);
  const Q = ws.spectra, fg = ws.gradients;
  const dPos = dPositions ?? new Float64Array(3 * n);
  // ∂L/∂r_j = Σ_k Σ_{c,d} Λ_{k,c,d} [w^d_j ∇φ_k^c(r_j) + w^c_j ∇φ_k^d(r_j)]
  for (let j = 0; j < n; j++) {
    let gx = 0, gy = 0, gz = 0;
    for (let k = 0; k < Nk; k++)
      for (let c = 0; c < C; c++)
        for (let d = 0; d < C; d++) {
          const l = lambda[k * CC + c * C + d];
          if (l === 0) continue;
          const wd = w[j * C + d], wc = w[j * C + c];
          if (wd !== 0) { const o = 3 * ((j * Nk + k) * C + c); gx += l * wd * fg[o]; gy += l * wd * fg[o + 1]; gz += l * wd * fg[o + 2]; }
          if (wc !== 0) { const o = 3 * ((j * Nk + k) * C + d); gx += l * wc * fg[o]; gy += l * wc * fg[o + 1]; gz += l * wc * fg[o + 2]; }
        }
    dPos[3 * j] += gx; dPos[3 * j + 1] += gy; dPos[3 * j + 2] += gz;
  }
  const dS = new Float64Array(9);
  let L = 0;
  if (ws.held === 'moments') {
    // L = Σ Λ μ, ∂L/∂ε = Σ Λ ν − δ L from the forward call's moments
    const mu = ws.moments;
    for (let q = 0; q < Nk * CC; q++) {
      const l = lambda[q];
      if (l === 0) continue;
      const o = 7 * q;
      L += l * mu[o];
      dS[0] += l * mu[o + 1]; dS[1] += l * mu[o + 2]; dS[2] += l * mu[o + 3];
      dS[4] += l * mu[o + 4]; dS[5] += l * mu[o + 5]; dS[8] += l * mu[o + 6];
    }
    dS[3] = dS[1]; dS[6] = dS[2]; dS[7] = dS[5];
    dS[0] -= L; dS[4] -= L; dS[8] -= L;
    return { value: L, dPositions: dPos, dStrain: dS };
  }
  const infl: Float64Array[] = [], dinfl: Float64Array[] = [];
  for (let k = 0; k < Nk; k++) {
    const r = influence(ws.kernelHolder(k), { positions: req.positions, volume: req.volume, cell: req.cell, channels: C, sources: w, kernel: req.kernels[k], kernelKey: req.kernelKeys?.[k] }, mesh, p, fft, b, true);
    infl.push(r.infl);
    dinfl.push(r.dinfl as Float64Array);
  }
  // L and the strain: per m, P_cd = Re[Q̂^c Q̂^d*], a_k = Σ_{c,d} Λ_{k,c,d} P_cd
  const P = new Float64Array(CC);
  for (let m1 = 0; m1 < K1; m1++) {
    const s1 = m1 <= K1 / 2 ? m1 : m1 - K1;
    for (let m2 = 0; m2 < K2; m2++) {
      const s2 = m2 <= K2 / 2 ? m2 : m2 - K2;
      const gx0 = s1 * b[0] + s2 * b[3], gy0 = s1 * b[1] + s2 * b[4], gz0 = s1 * b[2] + s2 * b[5];
      const row = (m1 * K2 + m2) * H;
      for (let m3 = 0; m3 < H; m3++) {
        const idx = row + m3;
        for (let c = 0; c < C; c++)
          for (let d = 0; d < C; d++) {
            const oc = 2 * (c * S + idx), od = 2 * (d * S + idx);
            P[c * C + d] = Q[oc] * Q[od] + Q[oc + 1] * Q[od + 1];
          }
        let h = 0;
        for (let k = 0; k < Nk; k++) {
          let a = 0;
          for (let q = 0; q < CC; q++) a += lambda[k * CC + q] * P[q];
          L += infl[k][idx] * a;
          h += dinfl[k][idx] * a;
        }
        if (h === 0) continue;
        h *= -2;
        const s3 = m3 <= K3 / 2 ? m3 : m3 - K3;
        const x = gx0 + s3 * b[6], y = gy0 + s3 * b[7], z = gz0 + s3 * b[8];
        dS[0] += h * x * x; dS[1] += h * x * y; dS[2] += h * x * z;
        dS[4] += h * y * y; dS[5] += h * y * z; dS[8] += h * z * z;
      }
    }
  }
  dS[3] = dS[1]; dS[6] = dS[2]; dS[7] = dS[5];
  dS[0] -= L; dS[4] -= L; dS[8] -= L;
  return { value: L, dPositions: dPos, dStrain: dS };
}

/**
 * The moments μ_{k,cd} = Σ_m I_k P_cd and ν_{k,cd,αβ} = −2 Σ_m I′_k P_cd G_α G_β (P_cd = Re[Q̂^c Q̂^d*]) of the spectra
 * Q (C × 2S) into ws.moments, for `pmeChannelsReverseLinear` without the spectra.
 */
function linearMoments(req: PmeChannelsRequest, mesh: [number, number, number], p: number, ws: PmeChannelsWorkspace, fft: RealTransform3d, b: Float64Array, Q: readonly Float64Array[]): void {
  const [K1, K2, K3] = mesh;
  const C = req.channels, Nk = req.kernels.length, CC = C * C, H = fft.spectrumLast, strain = req.strain !== false;
  const infl: Float64Array[] = [], dinfl: Float64Array[] = [];
  for (let k = 0; k < Nk; k++) {
    const r = influence(ws.kernelHolder(k), { positions: req.positions, volume: req.volume, cell: req.cell, channels: C, sources: req.sources, kernel: req.kernels[k], kernelKey: req.kernelKeys?.[k] }, mesh, p, fft, b, strain);
    infl.push(r.infl);
    if (strain) dinfl.push(r.dinfl as Float64Array);
  }
  if (ws.moments.length !== 7 * Nk * CC) ws.moments = new Float64Array(7 * Nk * CC);
  if (!strain) {
    momentsWithoutStrain(Q, infl, C, ws.moments);
    return;
  }
  // P is symmetric: accumulate the pairs c ≤ d (U of them, packed), copy to (d, c) at the end
  const U = (C * (C + 1)) / 2, acc = new Float64Array(7 * Nk * U), P = new Float64Array(U);
  for (let m1 = 0; m1 < K1; m1++) {
    const s1 = m1 <= K1 / 2 ? m1 : m1 - K1;
    for (let m2 = 0; m2 < K2; m2++) {
      const s2 = m2 <= K2 / 2 ? m2 : m2 - K2;
      const gx0 = s1 * b[0] + s2 * b[3], gy0 = s1 * b[1] + s2 * b[4], gz0 = s1 * b[2] + s2 * b[5];
      const row = (m1 * K2 + m2) * H;
      for (let m3 = 0; m3 < H; m3++) {
        const idx = row + m3;
        for (let c = 0, q = 0; c < C; c++)
          for (let d = c; d < C; d++, q++) {
            const Qc = Q[c], Qd = Q[d], o = 2 * idx;
            P[q] = Qc[o] * Qd[o] + Qc[o + 1] * Qd[o + 1];
          }
        const s3 = m3 <= K3 / 2 ? m3 : m3 - K3;
        const x = gx0 + s3 * b[6], y = gy0 + s3 * b[7], z = gz0 + s3 * b[8];
        const xx = x * x, xy = x * y, xz = x * z, yy = y * y, yz = y * z, zz = z * z;
        for (let k = 0; k < Nk; k++) {
          const I = infl[k][idx], h = -2 * dinfl[k][idx];
          if (I === 0 && h === 0) continue;
          for (let q = 0, o = 7 * k * U; q < U; q++, o += 7) {
            const a = P[q], ha = h * a;
            acc[o] += I * a;
            acc[o + 1] += ha * xx; acc[o + 2] += ha * xy; acc[o + 3] += ha * xz;
            acc[o + 4] += ha * yy; acc[o + 5] += ha * yz; acc[o + 6] += ha * zz;
          }
        }
      }
    }
  }
  const mu = ws.moments;
  for (let k = 0; k < Nk; k++)
    for (let c = 0, q = 0; c < C; c++)
      for (let d = c; d < C; d++, q++)
        for (let j = 0; j < 7; j++) {
          const v = acc[7 * (k * U + q) + j];
          mu[7 * (k * CC + c * C + d) + j] = v;
          mu[7 * (k * CC + d * C + c) + j] = v;
        }
}

/**
 * μ_{k,cd} = Σ_m I_k P_cd only (ν NaN: a forward call whose reverse passes need no strain), into `mu` (7 per entry).
 * The same sums as linearMoments's μ, in the same order.
 */
function momentsWithoutStrain(Q: readonly Float64Array[], infl: readonly Float64Array[], C: number, mu: Float64Array): void {
  const Nk = infl.length, CC = C * C, U = (C * (C + 1)) / 2, S = infl.length > 0 ? infl[0].length : 0;
  const acc = new Float64Array(Nk * U);
  for (let c = 0, q = 0; c < C; c++)
    for (let d = c; d < C; d++, q++) {
      const Qc = Q[c], Qd = Q[d];
      for (let k = 0; k < Nk; k++) {
        const I = infl[k];
        let a = 0;
        for (let idx = 0, o = 0; idx < S; idx++, o += 2) {
          const f = I[idx];
          if (f === 0) continue;
          a += f * (Qc[o] * Qd[o] + Qc[o + 1] * Qd[o + 1]);
        }
        acc[k * U + q] = a;
      }
    }
  for (let k = 0; k < Nk; k++)
    for (let c = 0, q = 0; c < C; c++)
      for (let d = c; d < C; d++, q++) {
        const v = acc[k * U + q];
        for (const [x, y] of [[c, d], [d, c]]) {
          const o = 7 * (k * CC + x * C + y);
          mu[o] = v;
          for (let j = 1; j < 7; j++) mu[o + j] = NaN;
        }
      }
}
