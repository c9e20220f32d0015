/**
 * Reciprocal-space machinery shared by Ewald, the FKK and the LODE descriptors: k-vector enumeration and structure
 * factors with the per-direction phase recursion.
 *
 * Conventions (science.md §0): cell rows a_i (Å); reciprocal rows b_i = 2π (A⁻¹)ᵀ rows, a_i·b_j = 2π δ_ij;
 * k = m1 b1 + m2 b2 + m3 b3. Only a HALF space of k is listed (science.md §2.2): (m1 = m2 = 0, m3 > 0) ∪
 * (m1 = 0, m2 > 0, any m3) ∪ (m1 > 0, any m2, m3), with a spherical cutoff 0 < |k| < kCutoff.
 * Every listed k stands for the pair ±k: a full-space sum Σ_{k≠0} f(k) of an even function f is 2 Σ_{listed} f(k).
 * Index bounds |m_i| ≤ ⌊kCutoff |a_i| / 2π⌋ contain the sphere (|m_i| = |k·a_i|/2π ≤ |k||a_i|/2π).
 */
import { FarfieldError, reciprocalCell } from '../core/index.js';

export interface KVectorSet {
  /** Number of half-space k-vectors. */
  count: number;
  /** Cartesian components (Å⁻¹) and |k|² (Å⁻²), one entry per k. */
  kx: Float64Array;
  ky: Float64Array;
  kz: Float64Array;
  k2: Float64Array;
  /** Integer indices (m1, m2, m3) per k, 3·count. */
  m: Int32Array;
  /** Largest |m_i| per direction. */
  mMax: [number, number, number];
  /** Reciprocal rows b_i (2π included), 9 entries. */
  reciprocal: Float64Array;
  kCutoffPerA: number;
}

/** All half-space k ≠ 0 with |k| < kCutoff (Å⁻¹) for the cell (rows, Å). Cost O(count). */
export function kVectors(cell: Float64Array, kCutoff: number): KVectorSet {
  if (!(kCutoff > 0) || !Number.isFinite(kCutoff))
    throw new FarfieldError('INVALID_INPUT', `kVectors: kCutoff must be a positive finite number (Å⁻¹), got ${kCutoff}`);
  let b: Float64Array;
  try {
    b = reciprocalCell(cell);
  } catch {
    throw new FarfieldError('INVALID_STRUCTURE', 'kVectors: the cell is singular; reciprocal space needs a 3-D cell');
  }
  const mMax = [0, 1, 2].map((i) =>
    Math.floor((kCutoff * Math.hypot(cell[3 * i], cell[3 * i + 1], cell[3 * i + 2])) / (2 * Math.PI)),
  ) as [number, number, number];
  const kc2 = kCutoff * kCutoff;
  const kx: number[] = [], ky: number[] = [], kz: number[] = [], k2: number[] = [], m: number[] = [];
  for (let m1 = 0; m1 <= mMax[0]; m1++)
    for (let m2 = m1 === 0 ? 0 : -mMax[1]; m2 <= mMax[1]; m2++)
      for (let m3 = m1 === 0 && m2 === 0 ? 1 : -mMax[2]; m3 <= mMax[2]; m3++) {
        const x = m1 * b[0] + m2 * b[3] + m3 * b[6];
        const y = m1 * b[1] + m2 * b[4] + m3 * b[7];
        const z = m1 * b[2] + m2 * b[5] + m3 * b[8];
        const q = x * x + y * y + z * z;
        if (q >= kc2) continue;
        kx.push(x); ky.push(y); kz.push(z); k2.push(q); m.push(m1, m2, m3);
      }
  return {
    count: k2.length,
    kx: Float64Array.from(kx),
    ky: Float64Array.from(ky),
    kz: Float64Array.from(kz),
    k2: Float64Array.from(k2),
    m: Int32Array.from(m),
    mMax,
    reciprocal: b,
    kCutoffPerA: kCutoff,
  };
}

/**
 * Phase tables of one atom: e^{i m θ_d} for θ_d = b_d·r and m = −mMax_d … mMax_d, by the recursion
 * e^{i(m+1)θ} = e^{imθ} e^{iθ} (negative m by conjugation). Layout per direction d: offset d-th block,
 * entry (m + mMax_d). Writes into `re`/`im` (length Σ_d (2 mMax_d + 1)).
 */
export function phaseTables(ks: KVectorSet, x: number, y: number, z: number, re: Float64Array, im: Float64Array): void {
  const b = ks.reciprocal;
  let off = 0;
  for (let d = 0; d < 3; d++) {
    const n = ks.mMax[d];
    const th = b[3 * d] * x + b[3 * d + 1] * y + b[3 * d + 2] * z;
    const c1 = Math.cos(th), s1 = Math.sin(th);
    const o = off + n;
    re[o] = 1;
    im[o] = 0;
    let cr = 1, ci = 0;
    for (let k = 1; k <= n; k++) {
      // refresh from cos/sin every 16 steps to bound the recursion's rounding growth
      if ((k & 15) === 0) {
        cr = Math.cos(k * th);
        ci = Math.sin(k * th);
      } else {
        const t = cr * c1 - ci * s1;
        ci = cr * s1 + ci * c1;
        cr = t;
      }
      re[o + k] = cr; im[o + k] = ci;
      re[o - k] = cr; im[o - k] = -ci;
    }
    off += 2 * n + 1;
  }
}

/** Length of the phase-table buffers for `phaseTables`. */
export function phaseTableLength(ks: KVectorSet): number {
  return 2 * (ks.mMax[0] + ks.mMax[1] + ks.mMax[2]) + 3;
}

/**
 * e^{i k·r} for every k of the set at one position, from the phase tables: writes cos into `c`, sin into `s`.
 */
export function phasesAt(ks: KVectorSet, x: number, y: number, z: number, tRe: Float64Array, tIm: Float64Array, c: Float64Array, s: Float64Array): void {
  phaseTables(ks, x, y, z, tRe, tIm);
  const o1 = ks.mMax[0], o2 = 2 * ks.mMax[0] + 1 + ks.mMax[1], o3 = 2 * (ks.mMax[0] + ks.mMax[1]) + 2 + ks.mMax[2];
  const m = ks.m;
  for (let k = 0; k < ks.count; k++) {
    const a = o1 + m[3 * k], bb = o2 + m[3 * k + 1], cc = o3 + m[3 * k + 2];
    const r12 = tRe[a] * tRe[bb] - tIm[a] * tIm[bb];
    const i12 = tRe[a] * tIm[bb] + tIm[a] * tRe[bb];
    c[k] = r12 * tRe[cc] - i12 * tIm[cc];
    s[k] = r12 * tIm[cc] + i12 * tRe[cc];
  }
}

export interface StructureFactors {
  /** Re and Im of S^c(k) = Σ_j w_j^c e^{i k·r_j}, channel-major: entry c·count + k. */
  re: Float64Array;
  im: Float64Array;
}

/**
 * Structure factors S^c(k) = Σ_j w_j^c e^{i k·r_j} for all k in the set.
 * positions: 3N (Å); weights: N × channels, row-major (atom-major). Cost O(N · count · channels), no trig per (k, atom).
 */
export function structureFactors(positions: Float64Array, weights: Float64Array, channels: number, ks: KVectorSet): StructureFactors {
  const n = positions.length / 3;
  if (!Number.isInteger(n) || weights.length !== n * channels)
    throw new FarfieldError('INVALID_INPUT', `structureFactors: ${weights.length} weights for ${n} atoms × ${channels} channels`);
  const K = ks.count;
  const re = new Float64Array(channels * K), im = new Float64Array(channels * K);
  const L = phaseTableLength(ks);
  const tRe = new Float64Array(L), tIm = new Float64Array(L), c = new Float64Array(K), s = new Float64Array(K);
  for (let j = 0; j < n; j++) {
    phasesAt(ks, positions[3 * j], positions[3 * j + 1], positions[3 * j + 2], tRe, tIm, c, s);
    for (let ch = 0; ch < channels; ch++) {
      const w = weights[j * channels + ch];
      if (w === 0) continue;
      const o = ch * K;
      for (let k = 0; k < K; k++) {
        re[o + k] += w * c[k];
        im[o + k] += w * s[k];
      }
    }
  }
  return { re, im };
}
