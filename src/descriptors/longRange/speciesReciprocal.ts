/**
 * Species-resolved reciprocal-space channels shared by FKK and LODE: for radial channels n with kernels F_n(G²)
 *   X[i, J·N + n] += p_n [ (1/V) Σ_{|G|<G_n} F_n(G) Σ_{k∈J} cos(G·(r_k − r_i)) − δ_{J,t(i)} self_n ]
 * (one source channel per species J; the G = 0 term (1/V) F_n(0) N_J when the kernel includes it).
 *
 * One k-set for all channels: the half-space k-vectors up to max_n G_n are enumerated once (electrostatics
 * `kVectors`) and sorted by |G|², so channel n uses the prefix |G| < G_n — exactly the set it would have on its own.
 * The species structure factors S_J(G) = Σ_{k∈J} e^{iG·r_k} are computed once per structure and shared by every
 * channel (science.md §4.4):
 *   X[i, J·N + n] = p_n [ (2/V) Σ_{G<G_n, half} F_n(G) Re(S_J(G) e^{−iG·r_i}) + F_n(0) N_J/V − δ_{J,t(i)} self_n ].
 *
 * Reverse pass for `count` upstream gradients at once (science.md §4.5; the gradients are extra channels of ONE
 * reciprocal pass): with u^c_{i,Jn} = p_n g^c_{i,Jn} and T^c_{nJ}(G) = Σ_i u^c_{i,Jn} e^{iG·r_i},
 *   U^c_J(G)  = Σ_n F_n(G) T^c_{nJ}(G),   U′^c_J(G) = Σ_n F_n′(G²) T^c_{nJ}(G),
 *   L^c       = (2/V) Σ_G Σ_J Re[S_J U^c_J*] + Σ_n (F_n(0)/V) Σ_J N_J Σ_i u^c_{i,Jn},
 *   ∂L^c/∂r_k = (2/V) Σ_G G Im[e^{−iG·r_k} U^c_{t(k)}(G)]                                    (term 1)
 *             + Σ_{J,n} u^c_{k,Jn} A_{k,Jn},   A_{k,Jn} = (2/V) Σ_{G<G_n} F_n G Im[e^{−iG·r_k} S_J(G)]   (term 2)
 *   ∂L^c/∂ε_αβ = −δ_αβ L^c − (4/V) Σ_G G_α G_β Σ_J Re[S_J U′^c_J*].
 * T^c (all c, n, J at once) is a GEMM of the upstream weights (atoms × count·channels·species) with the phase
 * matrix (atoms × 2K: cos | sin); term 1 is a GEMM of the (count·3 × 2K) matrices G_α[Im U | −Re U] with the phases
 * of the atoms of species J; A (N × width × 3, independent of the upstream gradients) is computed once and kept in
 * the caller's store. Atoms are processed in blocks, upstream gradients in chunks, so memory is
 * O(N·count + K·chunk·channels·species) — never per (centre, atom). Cost O(count·N·K·channels·species) flops.
 *
 * `speciesReciprocalReference` is the previous per-channel evaluation through the electrostatics engine's
 * `ewaldReciprocal` (structure factors recomputed per channel), kept as the test reference.
 */
import { cellVolume, type Structure } from '../../core/index.js';
import { ewaldReciprocal, kVectors, phasesAt, phaseTableLength, structureFactors, type FourierKernel, type KVectorSet, type PmeChannelsState } from '../../electrostatics/index.js';
import { getLinalg, type Linalg } from '../../math/index.js';
import { ContextSlot, type ComputeContext } from '../context.js';
import { scatterPair } from '../pairScatter.js';

export interface ReciprocalChannel {
  /** Column offset n within a species block. */
  n: number;
  kernel: FourierKernel;
  kCutoffPerA: number;
  /** Value removed for J = t(i) (the centre's own contribution contained in the G sum). */
  self: number;
  /** Prefactor p_n applied to the whole channel. */
  prefactor: number;
  /**
   * Identifies `kernel` across calls (same key ⇒ same F(G²)); lets the PME path reuse its influence function from
   * step to step (electrostatics PmeWorkspace). Omitted: recomputed every call.
   */
  kernelKey?: string;
}

export interface GradientSink {
  gPos: Float64Array;
  gStrain: Float64Array;
}

/** Batched gradients: positions count × 3N, strain count × 9 (accumulated into). */
export interface GradientSinkMany {
  gPos: Float64Array;
  gStrain: Float64Array;
  count: number;
}

/** Per-structure data of the reverse pass that does not depend on the upstream gradients (kept by the caller). */
export interface ReciprocalStore {
  /** A_{k,Jn,α}: N × (T·Nc) × 3 (species-major, channel-list order minor). */
  selfGrad?: Float64Array;
  /** The PME forward state per mesh group (speciesMesh.ts), named by the group's (mesh, order) key. */
  mesh?: Map<string, PmeChannelsState>;
}

/** Union k-set sorted by |G|², per-channel prefix lengths and kernel tables. */
interface UnionSet {
  ks: KVectorSet;
  K: number;
  /** Prefix length per channel. */
  prefix: Int32Array;
  /** F_n(G) per channel (channel-major, Nc × K; 0 beyond the prefix). */
  F: Float64Array;
  /** dF_n/d(G²) likewise. */
  dF: Float64Array;
  /** F_n(0)/V, or 0 when the kernel drops G = 0. */
  zero: Float64Array;
  S: { re: Float64Array; im: Float64Array } | null;
}

/**
 * Blocking of the batched passes: `chunkDoubles` bounds the upstream structure factors of one chunk of upstream
 * gradients (doubles; 2²² = 32 MB), `atomBlock` is the number of atoms per phase block. Results do not depend on
 * them beyond round-off (tests shrink them to exercise several chunks and blocks).
 */
export const reciprocalBlocking = { chunkDoubles: 1 << 22, atomBlock: 64 };

let linalg: Linalg | null = null;
function la(): Linalg {
  if (!linalg) linalg = getLinalg();
  return linalg;
}

/** Per-structure data of the reciprocal passes: the union k-vector set of a channel set, and k-vector sets. */
const UNION_SETS = new ContextSlot<UnionSet>('species reciprocal union set');
const K_VECTORS = new ContextSlot<KVectorSet>('k-vectors');

function unionSet(structure: Structure, ctx: ComputeContext, channels: readonly ReciprocalChannel[], key: string): UnionSet {
  const cacheKey = `speciesReciprocal:${key}`;
  const hit = ctx.get(UNION_SETS, cacheKey);
  if (hit) return hit;
  const V = cellVolume(structure.cell);
  const kMax = Math.max(...channels.map((c) => c.kCutoffPerA));
  const raw = cachedKVectors(ctx, structure.cell, kMax);
  const K = raw.count;
  const order = Array.from({ length: K }, (_, k) => k).sort((a, b) => raw.k2[a] - raw.k2[b] || a - b);
  const ks: KVectorSet = {
    count: K, kCutoffPerA: kMax, mMax: raw.mMax, reciprocal: raw.reciprocal,
    kx: Float64Array.from(order, (k) => raw.kx[k]), ky: Float64Array.from(order, (k) => raw.ky[k]),
    kz: Float64Array.from(order, (k) => raw.kz[k]), k2: Float64Array.from(order, (k) => raw.k2[k]),
    m: Int32Array.from(order.flatMap((k) => [raw.m[3 * k], raw.m[3 * k + 1], raw.m[3 * k + 2]])),
  };
  const Nc = channels.length;
  const prefix = new Int32Array(Nc), F = new Float64Array(Nc * K), dF = new Float64Array(Nc * K), zero = new Float64Array(Nc);
  channels.forEach((c, j) => {
    const kc2 = c.kCutoffPerA * c.kCutoffPerA;
    let p = 0;
    while (p < K && ks.k2[p] < kc2) p++;
    prefix[j] = p;
    for (let k = 0; k < p; k++) {
      F[j * K + k] = c.kernel.value(ks.k2[k]);
      dF[j * K + k] = c.kernel.derivative(ks.k2[k]);
    }
    zero[j] = c.kernel.includeZero ? c.kernel.value(0) / V : 0;
  });
  const u: UnionSet = { ks, K, prefix, F, dF, zero, S: null };
  ctx.set(UNION_SETS, cacheKey, u);
  return u;
}

function speciesFactors(structure: Structure, u: UnionSet, types: Int32Array, T: number): { re: Float64Array; im: Float64Array } {
  if (!u.S) {
    const N = types.length;
    const w = new Float64Array(N * T);
    for (let i = 0; i < N; i++) w[i * T + types[i]] = 1;
    u.S = structureFactors(structure.positions, w, T, u.ks);
  }
  return u.S;
}

/** Phase rows of atoms list[a0..a1): E[r] = [cos G·r (K) | sin G·r (K)]. */
function phaseBlock(ks: KVectorSet, pos: Float64Array, atoms: ArrayLike<number>, a0: number, a1: number, E: Float64Array, tRe: Float64Array, tIm: Float64Array): void {
  const K = ks.count;
  for (let r = 0; r < a1 - a0; r++) {
    const i = atoms[a0 + r];
    const o = r * 2 * K;
    phasesAt(ks, pos[3 * i], pos[3 * i + 1], pos[3 * i + 2], tRe, tIm, E.subarray(o, o + K), E.subarray(o + K, o + 2 * K));
  }
}

/**
 * Forward pass: X (N × T·blockWidth) += the reciprocal channels. `key` identifies the channel set (same key ⇒ same
 * channels) for the per-structure cache in `ctx`.
 */
export function speciesReciprocal(
  structure: Structure, ctx: ComputeContext, types: Int32Array, T: number, blockWidth: number,
  channels: readonly ReciprocalChannel[], key: string, X: Float64Array,
): void {
  if (channels.length === 0) return;
  const N = types.length, W = T * blockWidth, Nc = channels.length;
  const V = cellVolume(structure.cell);
  const u = unionSet(structure, ctx, channels, key);
  const { ks, K, prefix, F, zero } = u;
  const S = speciesFactors(structure, u, types, T);
  const counts = new Float64Array(T);
  for (let i = 0; i < N; i++) counts[types[i]]++;
  const L = phaseTableLength(ks);
  const tRe = new Float64Array(L), tIm = new Float64Array(L), cs = new Float64Array(K), sn = new Float64Array(K), R = new Float64Array(K);
  const f2 = 2 / V;
  for (let i = 0; i < N; i++) {
    phasesAt(ks, structure.positions[3 * i], structure.positions[3 * i + 1], structure.positions[3 * i + 2], tRe, tIm, cs, sn);
    for (let J = 0; J < T; J++) {
      const o = J * K;
      for (let k = 0; k < K; k++) R[k] = S.re[o + k] * cs[k] + S.im[o + k] * sn[k];
      for (let j = 0; j < Nc; j++) {
        const c = channels[j], fo = j * K, P = prefix[j];
        let acc = 0;
        for (let k = 0; k < P; k++) acc += F[fo + k] * R[k];
        X[i * W + J * blockWidth + c.n] += c.prefactor * (f2 * acc + zero[j] * counts[J]);
      }
    }
    for (const c of channels) X[i * W + types[i] * blockWidth + c.n] -= c.prefactor * c.self;
  }
}

/** A_{k,Jn,α} (see the header), N × (T·Nc) × 3. */
function selfGradients(structure: Structure, u: UnionSet, types: Int32Array, T: number, Nc: number, V: number): Float64Array {
  const N = types.length, { ks, K, F } = u;
  const S = speciesFactors(structure, u, types, T);
  // FG[(j·3 + α), k] = (2/V) F_j(G) G_α
  const FG = new Float64Array(3 * Nc * K);
  for (let j = 0; j < Nc; j++)
    for (let k = 0; k < K; k++) {
      const f = (2 / V) * F[j * K + k];
      FG[(3 * j) * K + k] = f * ks.kx[k];
      FG[(3 * j + 1) * K + k] = f * ks.ky[k];
      FG[(3 * j + 2) * K + k] = f * ks.kz[k];
    }
  const out = new Float64Array(N * T * Nc * 3);
  const L = phaseTableLength(ks);
  const tRe = new Float64Array(L), tIm = new Float64Array(L), cs = new Float64Array(K), sn = new Float64Array(K);
  const B = reciprocalBlocking.atomBlock;
  const Rp = new Float64Array(B * T * K), blk = new Float64Array(B * T * 3 * Nc);
  for (let i0 = 0; i0 < N; i0 += B) {
    const nb = Math.min(B, N - i0);
    for (let r = 0; r < nb; r++) {
      const i = i0 + r;
      phasesAt(ks, structure.positions[3 * i], structure.positions[3 * i + 1], structure.positions[3 * i + 2], tRe, tIm, cs, sn);
      for (let J = 0; J < T; J++) {
        const o = J * K, ro = (r * T + J) * K;
        for (let k = 0; k < K; k++) Rp[ro + k] = cs[k] * S.im[o + k] - sn[k] * S.re[o + k];
      }
    }
    // blk[(r,J), (j,α)] = Σ_k Rp[(r,J), k] FG[(j,α), k]
    la().gemm(nb * T, 3 * Nc, K, Rp, FG, blk, { transB: true });
    out.set(blk.subarray(0, nb * T * 3 * Nc), i0 * T * Nc * 3);
  }
  return out;
}

/**
 * Reverse pass for `count` upstream gradients g (count × N × W, W = T·blockWidth): accumulates ∂L^c/∂r into
 * out.gPos (count × 3N) and ∂L^c/∂ε into out.gStrain (count × 9). `store` keeps gradient-independent data between
 * calls for the same structure.
 */
export function speciesReciprocalBackward(
  structure: Structure, ctx: ComputeContext, types: Int32Array, T: number, blockWidth: number,
  channels: readonly ReciprocalChannel[], key: string, g: Float64Array, out: GradientSinkMany, store: ReciprocalStore,
): void {
  const count = out.count;
  if (channels.length === 0 || count === 0) return;
  const N = types.length, W = T * blockWidth, Nc = channels.length, NW = N * W;
  const V = cellVolume(structure.cell);
  const u = unionSet(structure, ctx, channels, key);
  const { ks, K, F, dF, zero } = u;
  const K2 = 2 * K;
  const S = speciesFactors(structure, u, types, T);
  if (!store.selfGrad) store.selfGrad = selfGradients(structure, u, types, T, Nc, V);
  const A = store.selfGrad;
  const pos = structure.positions;
  const counts = new Float64Array(T);
  for (let i = 0; i < N; i++) counts[types[i]]++;
  const colOf = Int32Array.from(channels, (c) => c.n), pf = Float64Array.from(channels, (c) => c.prefactor);

  // term 2: Σ_{J,n} u^c_{k,Jn} A_{k,Jn}
  for (let c = 0; c < count; c++) {
    const go = c * NW, po = c * 3 * N;
    for (let k = 0; k < N; k++) {
      let gx = 0, gy = 0, gz = 0;
      for (let J = 0; J < T; J++)
        for (let j = 0; j < Nc; j++) {
          const w = pf[j] * g[go + k * W + J * blockWidth + colOf[j]];
          if (w === 0) continue;
          const ao = ((k * T + J) * Nc + j) * 3;
          gx += w * A[ao]; gy += w * A[ao + 1]; gz += w * A[ao + 2];
        }
      out.gPos[po + 3 * k] += gx; out.gPos[po + 3 * k + 1] += gy; out.gPos[po + 3 * k + 2] += gz;
    }
  }

  // atoms grouped by species (term 1 needs the phases of the atoms of one species)
  const bySpecies: number[][] = Array.from({ length: T }, () => []);
  for (let i = 0; i < N; i++) bySpecies[types[i]].push(i);
  const all = Int32Array.from({ length: N }, (_, i) => i);
  const R = Nc * T;
  const chunk = Math.max(1, Math.min(count, Math.floor(reciprocalBlocking.chunkDoubles / (R * K2))));
  const B = reciprocalBlocking.atomBlock;
  const E = new Float64Array(B * K2);
  const L = phaseTableLength(ks);
  const tRe = new Float64Array(L), tIm = new Float64Array(L);
  const Tm = new Float64Array(chunk * R * K2);
  const Wt = new Float64Array(B * chunk * R);
  const M = new Float64Array(T * chunk * 3 * K2);
  const Ur = new Float64Array(K), Ui = new Float64Array(K), Vr = new Float64Array(K), Vi = new Float64Array(K);
  const res = new Float64Array(chunk * 3 * B);
  const f2 = 2 / V;
  for (let c0 = 0; c0 < count; c0 += chunk) {
    const cb = Math.min(chunk, count - c0);
    const rows = cb * R;
    // step 1: T[(c, j, J), :] = Σ_i u^c_{i,J n_j} [cos | sin](G·r_i)
    Tm.fill(0, 0, rows * K2);
    for (let i0 = 0; i0 < N; i0 += B) {
      const nb = Math.min(B, N - i0);
      phaseBlock(ks, pos, all, i0, i0 + nb, E, tRe, tIm);
      for (let r = 0; r < nb; r++) {
        const i = i0 + r, wo = r * rows;
        for (let c = 0; c < cb; c++) {
          const go = (c0 + c) * NW + i * W;
          for (let j = 0; j < Nc; j++)
            for (let J = 0; J < T; J++) Wt[wo + (c * Nc + j) * T + J] = pf[j] * g[go + J * blockWidth + colOf[j]];
        }
      }
      la().gemm(rows, K2, nb, Wt, E, Tm, { transA: true, beta: 1 });
    }
    // step 2: U, U′ per (c, J); value, strain; term-1 matrices M_J
    for (let c = 0; c < cb; c++) {
      const cg = c0 + c;
      let Lc = 0;
      const ds = new Float64Array(9);
      for (let J = 0; J < T; J++) {
        Ur.fill(0); Ui.fill(0); Vr.fill(0); Vi.fill(0);
        for (let j = 0; j < Nc; j++) {
          const to = ((c * Nc + j) * T + J) * K2, fo = j * K, P = u.prefix[j];
          for (let k = 0; k < P; k++) {
            const tr = Tm[to + k], ti = Tm[to + K + k];
            const f = F[fo + k], d = dF[fo + k];
            Ur[k] += f * tr; Ui[k] += f * ti;
            Vr[k] += d * tr; Vi[k] += d * ti;
          }
          if (zero[j] !== 0) {
            let su = 0;
            for (let i = 0; i < N; i++) su += g[cg * NW + i * W + J * blockWidth + colOf[j]];
            Lc += zero[j] * counts[J] * pf[j] * su;
          }
        }
        const so = J * K;
        let acc = 0;
        const mo = (J * cb + c) * 3 * K2;
        for (let k = 0; k < K; k++) {
          const sr = S.re[so + k], si = S.im[so + k];
          acc += sr * Ur[k] + si * Ui[k];
          const h = (-4 / V) * (sr * Vr[k] + si * Vi[k]);
          const x = ks.kx[k], y = ks.ky[k], z = ks.kz[k];
          ds[0] += h * x * x; ds[1] += h * x * y; ds[2] += h * x * z;
          ds[4] += h * y * y; ds[5] += h * y * z; ds[8] += h * z * z;
          // term 1: (2/V) Σ_G G_α [cos θ Im U − sin θ Re U]
          const a = f2 * Ui[k], b = -f2 * Ur[k];
          M[mo + k] = x * a; M[mo + K + k] = x * b;
          M[mo + K2 + k] = y * a; M[mo + K2 + K + k] = y * b;
          M[mo + 2 * K2 + k] = z * a; M[mo + 2 * K2 + K + k] = z * b;
        }
        Lc += f2 * acc;
      }
      ds[3] = ds[1]; ds[6] = ds[2]; ds[7] = ds[5];
      ds[0] -= Lc; ds[4] -= Lc; ds[8] -= Lc;
      for (let q = 0; q < 9; q++) out.gStrain[cg * 9 + q] += ds[q];
    }
    // step 3: term 1 per species: res[(c, α), r] = M_J[(c, α), :] · E[r, :]
    for (let J = 0; J < T; J++) {
      const list = bySpecies[J];
      const MJ = M.subarray(J * cb * 3 * K2, (J + 1) * cb * 3 * K2);
      for (let a0 = 0; a0 < list.length; a0 += B) {
        const nb = Math.min(B, list.length - a0);
        phaseBlock(ks, pos, list, a0, a0 + nb, E, tRe, tIm);
        la().gemm(cb * 3, nb, K2, MJ, E, res, { transB: true });
        for (let c = 0; c < cb; c++) {
          const po = (c0 + c) * 3 * N;
          for (let r = 0; r < nb; r++) {
            const k = list[a0 + r];
            for (let al = 0; al < 3; al++) out.gPos[po + 3 * k + al] += res[(c * 3 + al) * nb + r];
          }
        }
      }
    }
  }
}

/**
 * The previous per-channel evaluation (test reference): forward (X given) and/or one reverse pass (g and out
 * given), every channel through `ewaldReciprocal` with its own k-set and structure factors.
 */
export function speciesReciprocalReference(
  structure: Structure, ctx: ComputeContext, types: Int32Array, T: number, blockWidth: number,
  channels: readonly ReciprocalChannel[], X: Float64Array | null, g: Float64Array | null, out: GradientSink | null,
): void {
  const N = types.length, W = T * blockWidth;
  const V = cellVolume(structure.cell);
  const sources = new Float64Array(N * T);
  for (let i = 0; i < N; i++) sources[i * T + types[i]] = 1;
  const probes = g ? new Float64Array(N * T) : undefined;
  for (const c of channels) {
    const ks = cachedKVectors(ctx, structure.cell, c.kCutoffPerA);
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
  let ks = ctx.get(K_VECTORS, key);
  if (!ks) {
    ks = kVectors(cell, kCutoff);
    ctx.set(K_VECTORS, key, ks);
  }
  return ks;
}

/** Pair (i → k, vector d from i to k, |d|) with dE/dd = s: gradients on both atoms and the strain. */
export function accumulatePair(out: GradientSink, i: number, k: number, dx: number, dy: number, dz: number, d: number, s: number): void {
  accumulatePairAt(out.gPos, 0, out.gStrain, 0, i, k, dx, dy, dz, d, s);
}

/** accumulatePair into gPos at offset po (3N block) and gStrain at offset so (9 block). */
export function accumulatePairAt(gp: Float64Array, po: number, gs: Float64Array, so: number, i: number, k: number, dx: number, dy: number, dz: number, d: number, s: number): void {
  const f = s / d;
  scatterPair(gp, po, gs, so, i, k, f * dx, f * dy, f * dz, dx, dy, dz);
}
