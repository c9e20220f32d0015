/**
 * Linked-cell binning of periodic positions, shared by the real-space sweeps (electrostatics/realspace.ts) and the
 * skinned pair list (pairList.ts): each atom is wrapped into the cell (w = x − k·A, k = ⌊fractional coordinate⌋), put in
 * one of nb[0]·nb[1]·nb[2] bins of the fractional cube, and the atoms are counting-sorted by bin (atoms of bin b are
 * order[start[b] … start[b+1]), in index order within a bin). O(N + bins), no per-atom objects.
 */
import { inv3 } from '../core/index.js';

export interface AtomBins {
  /** Wrapped positions. */
  wx: Float64Array;
  wy: Float64Array;
  wz: Float64Array;
  /** Bin of each atom (row-major over nb). */
  bin: Int32Array;
  /** Bin starts into `order` (length bins + 1). */
  start: Int32Array;
  /** Atoms sorted by bin. */
  order: Int32Array<ArrayBuffer>;
}

/** Bins the n atoms of `positions` (3n, Å) in `cell` (rows, Å); `order` is reused when it has length n. */
export function binAtoms(positions: ArrayLike<number>, cell: ArrayLike<number>, nb: readonly number[], order?: Int32Array<ArrayBuffer>): AtomBins {
  const n = positions.length / 3;
  const ainv = inv3(cell);
  const nbins = nb[0] * nb[1] * nb[2];
  const wx = new Float64Array(n), wy = new Float64Array(n), wz = new Float64Array(n);
  const bin = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const px = positions[3 * i], py = positions[3 * i + 1], pz = positions[3 * i + 2];
    let ox = px, oy = py, oz = pz, b = 0;
    for (let d = 0; d < 3; d++) {
      const s = px * ainv[d] + py * ainv[3 + d] + pz * ainv[6 + d];
      const k = Math.floor(s);
      ox -= k * cell[3 * d]; oy -= k * cell[3 * d + 1]; oz -= k * cell[3 * d + 2];
      let bi = Math.floor((s - k) * nb[d]);
      if (bi >= nb[d]) bi = nb[d] - 1;
      if (bi < 0) bi = 0;
      b = b * nb[d] + bi;
    }
    wx[i] = ox; wy[i] = oy; wz[i] = oz;
    bin[i] = b;
  }
  const start = new Int32Array(nbins + 1);
  for (let i = 0; i < n; i++) start[bin[i] + 1]++;
  for (let b = 0; b < nbins; b++) start[b + 1] += start[b];
  const fill = start.slice(0, nbins);
  const out = order && order.length === n ? order : new Int32Array(n);
  for (let i = 0; i < n; i++) out[fill[bin[i]]++] = i;
  return { wx, wy, wz, bin, start, order: out };
}
