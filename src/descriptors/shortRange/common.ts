/** Helpers shared by the short-range descriptors: species-universe validation and the pair → strain accumulation. */
import { FarfieldError } from '../../core/index.js';
import type { FactoredTerms, RowView } from '../upstream.js';
import { scatterPair } from '../pairScatter.js';

export function checkSpeciesUniverse(species: readonly string[], what: string): string[] {
  if (!Array.isArray(species) || species.length === 0 || species.some((s) => typeof s !== 'string' || s.length === 0))
    throw new FarfieldError('INVALID_INPUT', `${what}: species must be a non-empty list of element symbols`);
  if (new Set(species).size !== species.length) throw new FarfieldError('INVALID_INPUT', `${what}: species list [${species.join(', ')}] has duplicates`);
  return [...species];
}

/**
 * Accumulate a pair gradient g = dE/dr_ij (r_ij = r_j + shift·A − r_i) into dE/dpositions (+g on j, −g on i) and
 * dE/dε of a single reverse pass (the shared pair-scatter primitive, pairScatter.ts).
 */
export function accumulatePair(
  positions: Float64Array, strain: Float64Array, i: number, j: number,
  gx: number, gy: number, gz: number, rx: number, ry: number, rz: number,
): void {
  scatterPair(positions, 0, strain, 0, i, j, gx, gy, gz, rx, ry, rz);
}

/** Where a batched reverse pass reads its upstream gradients (upstream.ts RowView; plain batch {width, 0, 1}). */
export type UpstreamView = RowView;

/** out (count × w, row-major) ← the upstream rows of atom i (see UpstreamView); returns false when all are zero. */
export function gatherCentre(
  dEdX: Float64Array, count: number, nat: number, i: number, view: UpstreamView, w: number, out: Float64Array,
): boolean {
  const { stride, offset, scale } = view;
  let any = false;
  for (let c = 0; c < count; c++) {
    const src = (c * nat + i) * stride + offset, dst = c * w;
    for (let k = 0; k < w; k++) {
      const v = dEdX[src + k];
      if (v !== 0) any = true;
      out[dst + k] = scale * v;
    }
  }
  return any;
}

/**
 * Batched accumulatePair over the pairs [p0, p0 + np) of centre i: row c of g holds dE_c/d(r_ij)_α for pair p0 + k
 * at g[c·gStride + gOffset + 3k + α] (default: g is count × 3np); adds into positions (count × 3N) and strain
 * (count × 9).
 */
export function scatterPairs(
  vectors: Float64Array, neighbours: Int32Array, p0: number, np: number, i: number, g: Float64Array, count: number,
  nat: number, positions: Float64Array, strain: Float64Array, gStride = 3 * np, gOffset = 0,
): void {
  for (let c = 0; c < count; c++) {
    const go = c * gStride + gOffset, po = c * 3 * nat;
    let cx = 0, cy = 0, cz = 0;
    let sxx = 0, sxy = 0, sxz = 0, syx = 0, syy = 0, syz = 0, szx = 0, szy = 0, szz = 0;
    for (let k = 0; k < np; k++) {
      const gx = g[go + 3 * k], gy = g[go + 3 * k + 1], gz = g[go + 3 * k + 2];
      const p = p0 + k, j = neighbours[p];
      const rx = vectors[3 * p], ry = vectors[3 * p + 1], rz = vectors[3 * p + 2];
      positions[po + 3 * j] += gx; positions[po + 3 * j + 1] += gy; positions[po + 3 * j + 2] += gz;
      cx += gx; cy += gy; cz += gz;
      sxx += gx * rx; sxy += gx * ry; sxz += gx * rz;
      syx += gy * rx; syy += gy * ry; syz += gy * rz;
      szx += gz * rx; szy += gz * ry; szz += gz * rz;
    }
    positions[po + 3 * i] -= cx; positions[po + 3 * i + 1] -= cy; positions[po + 3 * i + 2] -= cz;
    const so = c * 9;
    strain[so] += sxx; strain[so + 1] += sxy; strain[so + 2] += sxz;
    strain[so + 3] += syx; strain[so + 4] += syy; strain[so + 5] += syz;
    strain[so + 6] += szx; strain[so + 7] += szy; strain[so + 8] += szz;
  }
}

/**
 * scatterPairs for the centres active[g0..g1) of a factored group (g row c at c·stride + rowOff[k − g0]),
 * direction-major: each direction's 3N row of `positions` is visited once per group rather than once per centre (the
 * centre-major order streams the whole count × 3N array through the cache for every centre). Every element receives
 * the same additions in the same order as centre by centre, so the results are identical.
 */
export function scatterPairsGroup(
  vectors: Float64Array, neighbours: Int32Array, offsets: Int32Array, active: readonly number[], g0: number, g1: number,
  rowOff: readonly number[], g: Float64Array, count: number, nat: number, positions: Float64Array, strain: Float64Array, gStride: number,
): void {
  for (let c = 0; c < count; c++) {
    const po = c * 3 * nat, so = c * 9;
    for (let a = g0; a < g1; a++) {
      const i = active[a], p0 = offsets[i], np = offsets[i + 1] - p0, go = c * gStride + rowOff[a - g0];
      let cx = 0, cy = 0, cz = 0;
      let sxx = 0, sxy = 0, sxz = 0, syx = 0, syy = 0, syz = 0, szx = 0, szy = 0, szz = 0;
      for (let k = 0; k < np; k++) {
        const gx = g[go + 3 * k], gy = g[go + 3 * k + 1], gz = g[go + 3 * k + 2];
        const p = p0 + k, j = neighbours[p];
        const rx = vectors[3 * p], ry = vectors[3 * p + 1], rz = vectors[3 * p + 2];
        positions[po + 3 * j] += gx; positions[po + 3 * j + 1] += gy; positions[po + 3 * j + 2] += gz;
        cx += gx; cy += gy; cz += gz;
        sxx += gx * rx; sxy += gx * ry; sxz += gx * rz;
        syx += gy * rx; syy += gy * ry; syz += gy * rz;
        szx += gz * rx; szy += gz * ry; szz += gz * rz;
      }
      positions[po + 3 * i] -= cx; positions[po + 3 * i + 1] -= cy; positions[po + 3 * i + 2] -= cz;
      strain[so] += sxx; strain[so + 1] += sxy; strain[so + 2] += sxz;
      strain[so + 3] += syx; strain[so + 4] += syy; strain[so + 5] += syz;
      strain[so + 6] += szx; strain[so + 7] += szy; strain[so + 8] += szz;
    }
  }
}

/**
 * Centres whose upstream is not identically zero in a factored upstream (any entry, any term or own part), in
 * increasing order; centres without pairs are left out.
 */
export function activeCentres(up: FactoredTerms, nat: number, offsets: Int32Array): number[] {
  const on = new Uint8Array(nat);
  const mark = (coef: Float64Array): void => {
    for (let c = 0; c < up.count; c++) for (let i = 0; i < nat; i++) if (coef[c * nat + i] !== 0) on[i] = 1;
  };
  for (const t of up.terms) mark(t.coef);
  if (up.own) mark(up.own.coef);
  const out: number[] = [];
  for (let i = 0; i < nat; i++) if (on[i] && offsets[i + 1] > offsets[i]) out.push(i);
  return out;
}

/**
 * Grow-only scratch buffers of one descriptor instance for its batched reverse passes (avoids allocating and
 * page-faulting tens of MB per call). Buffers are views of at least the requested length; contents are undefined
 * unless `zeroed`.
 */
export class Scratch {
  private readonly bufs = new Map<string, Float64Array<ArrayBuffer>>();

  take(name: string, length: number, zeroed = false): Float64Array<ArrayBuffer> {
    let b = this.bufs.get(name);
    if (!b || b.length < length) {
      b = new Float64Array(length);
      this.bufs.set(name, b);
    } else if (zeroed) b.fill(0, 0, length);
    return b.subarray(0, length);
  }
}
