/**
 * Periodic neighbour lists.
 *
 * Contract (used by electrostatics, descriptors, reference potentials, md):
 * a *full* directed list — every pair appears as i→j and j→i — grouped by centre atom (CSR: pairs of centre i are
 * offsets[i] .. offsets[i+1]-1). For periodic directions all images within the cutoff are included, also images of
 * the centre itself (j = i with a non-zero shift) — needed when the cutoff exceeds the cell size.
 * r_ij = r_j + shift·A − r_i (shift = integer image vector, A = cell rows), distance |r_ij| < cutoff, and > 0.
 * Positions need not be wrapped; shifts are relative to the positions as given.
 *
 * This first implementation is a direct O(N²·images) loop (reference for the cell-list version).
 */
import { FarfieldError, cellWidths, inv3, type Structure } from '../core/index.js';

export interface NeighbourList {
  cutoffA: number;
  /** Number of atoms. */
  atoms: number;
  /** Number of directed pairs. */
  count: number;
  /** CSR offsets by centre atom, length atoms+1. */
  offsets: Int32Array;
  /** Centre atom of each pair. */
  centres: Int32Array;
  /** Neighbour atom of each pair. */
  neighbours: Int32Array;
  /** Integer image shift of the neighbour, 3 per pair. */
  shifts: Int32Array;
  /** r_ij = r_j + shift·A − r_i, Å, 3 per pair. */
  vectors: Float64Array;
  /** |r_ij|, Å. */
  distances: Float64Array;
}

export interface NeighbourListOptions {
  /** Force the reference O(N²) algorithm (for tests). */
  bruteForce?: boolean;
}

/** Number of images needed along each direction so that every image within `cutoff` is found. */
export function imageRange(cell: ArrayLike<number>, pbc: readonly boolean[], cutoffA: number): [number, number, number] {
  const w = pbc.some((p) => p) ? cellWidths(cell) : [1, 1, 1];
  return [0, 1, 2].map((d) => (pbc[d] ? Math.ceil(cutoffA / w[d]) + 1 : 0)) as [number, number, number];
}

export function buildNeighbourList(structure: Structure, cutoffA: number, _options: NeighbourListOptions = {}): NeighbourList {
  if (!(cutoffA > 0) || !Number.isFinite(cutoffA))
    throw new FarfieldError('INVALID_INPUT', `neighbour list cutoff must be a positive finite number, got ${cutoffA}`);
  return bruteForceNeighbourList(structure, cutoffA);
}

/** Reference implementation: all pairs × all images in range. O(N²·images). */
export function bruteForceNeighbourList(structure: Structure, cutoffA: number): NeighbourList {
  const { cell, pbc, positions } = structure;
  const n = structure.species.length;
  const periodic = pbc[0] || pbc[1] || pbc[2];
  // Wrap fractional coordinates along periodic directions so image ranges stay small; remember the wrap offsets.
  const wrapped = positions.slice();
  const wrapShift = new Int32Array(3 * n);
  if (periodic) {
    const inv = inv3(cell);
    for (let i = 0; i < n; i++) {
      const x = positions[3 * i], y = positions[3 * i + 1], z = positions[3 * i + 2];
      for (let d = 0; d < 3; d++) {
        if (!pbc[d]) continue;
        const f = x * inv[d] + y * inv[3 + d] + z * inv[6 + d];
        const k = Math.floor(f);
        wrapShift[3 * i + d] = k;
        wrapped[3 * i] -= k * cell[3 * d];
        wrapped[3 * i + 1] -= k * cell[3 * d + 1];
        wrapped[3 * i + 2] -= k * cell[3 * d + 2];
      }
    }
  }
  const [n0, n1, n2] = imageRange(cell, pbc, cutoffA);
  const c2 = cutoffA * cutoffA;
  const cen: number[] = [], nb: number[] = [], sh: number[] = [], vec: number[] = [], dist: number[] = [];
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    offsets[i] = cen.length;
    for (let j = 0; j < n; j++) {
      for (let a = -n0; a <= n0; a++)
        for (let b = -n1; b <= n1; b++)
          for (let c = -n2; c <= n2; c++) {
            if (i === j && a === 0 && b === 0 && c === 0) continue;
            const dx = wrapped[3 * j] - wrapped[3 * i] + a * cell[0] + b * cell[3] + c * cell[6];
            const dy = wrapped[3 * j + 1] - wrapped[3 * i + 1] + a * cell[1] + b * cell[4] + c * cell[7];
            const dz = wrapped[3 * j + 2] - wrapped[3 * i + 2] + a * cell[2] + b * cell[5] + c * cell[8];
            const r2 = dx * dx + dy * dy + dz * dz;
            if (r2 >= c2) continue;
            cen.push(i);
            nb.push(j);
            // shift relative to the unwrapped input positions
            sh.push(a + wrapShift[3 * i] - wrapShift[3 * j], b + wrapShift[3 * i + 1] - wrapShift[3 * j + 1], c + wrapShift[3 * i + 2] - wrapShift[3 * j + 2]);
            vec.push(dx, dy, dz);
            dist.push(Math.sqrt(r2));
          }
    }
  }
  offsets[n] = cen.length;
  return {
    cutoffA,
    atoms: n,
    count: cen.length,
    offsets,
    centres: Int32Array.from(cen),
    neighbours: Int32Array.from(nb),
    shifts: Int32Array.from(sh),
    vectors: Float64Array.from(vec),
    distances: Float64Array.from(dist),
  };
}
