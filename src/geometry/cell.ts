/**
 * Cell coordinates: fractional ↔ Cartesian, wrapping into the cell, minimum-image vectors for general triclinic cells.
 *
 * Convention (ASE's): cell rows are the lattice vectors a1, a2, a3 (Å); a position is r = f·A = Σ_d f_d a_d, so
 * fractional coordinates are f = r·A⁻¹. Arrays of positions are flat, 3N, atom-major.
 * Only periodic directions are wrapped or reduced; non-periodic components are left as given.
 */
import { FarfieldError, cellWidths, inv3, type Structure } from '../core/index.js';

function cellInverse(cell: ArrayLike<number>, where: string): Float64Array {
  try {
    return inv3(cell);
  } catch {
    throw new FarfieldError('INVALID_STRUCTURE', `${where}: the cell is singular; fractional coordinates need a 3-D cell`);
  }
}

function checkFlat3(a: ArrayLike<number>, where: string): void {
  if (a.length % 3 !== 0) throw new FarfieldError('INVALID_INPUT', `${where}: expected a flat 3N array, got ${a.length} entries`);
}

/** r = f·A for every row of `frac` (3N, atom-major). Returns a new Float64Array(3N), Å. */
export function fractionalToCartesian(cell: ArrayLike<number>, frac: ArrayLike<number>): Float64Array {
  checkFlat3(frac, 'fractionalToCartesian');
  const out = new Float64Array(frac.length);
  for (let k = 0; k < frac.length; k += 3) {
    const a = frac[k], b = frac[k + 1], c = frac[k + 2];
    out[k] = a * cell[0] + b * cell[3] + c * cell[6];
    out[k + 1] = a * cell[1] + b * cell[4] + c * cell[7];
    out[k + 2] = a * cell[2] + b * cell[5] + c * cell[8];
  }
  return out;
}

/** f = r·A⁻¹ for every row of `positions` (3N, Å). Throws INVALID_STRUCTURE for a singular cell. */
export function cartesianToFractional(cell: ArrayLike<number>, positions: ArrayLike<number>): Float64Array {
  checkFlat3(positions, 'cartesianToFractional');
  const inv = cellInverse(cell, 'cartesianToFractional');
  const out = new Float64Array(positions.length);
  for (let k = 0; k < positions.length; k += 3) {
    const x = positions[k], y = positions[k + 1], z = positions[k + 2];
    out[k] = x * inv[0] + y * inv[3] + z * inv[6];
    out[k + 1] = x * inv[1] + y * inv[4] + z * inv[7];
    out[k + 2] = x * inv[2] + y * inv[5] + z * inv[8];
  }
  return out;
}

/**
 * Positions moved by lattice vectors so that the fractional coordinate along every periodic direction lies in
 * [0, 1) (up to rounding of the Cartesian subtraction). Non-periodic components unchanged. Returns a new array.
 */
export function wrapPositionsArray(cell: ArrayLike<number>, pbc: readonly boolean[], positions: ArrayLike<number>): Float64Array {
  checkFlat3(positions, 'wrapPositions');
  const out = Float64Array.from(positions);
  if (!(pbc[0] || pbc[1] || pbc[2])) return out;
  const inv = cellInverse(cell, 'wrapPositions');
  for (let k = 0; k < out.length; k += 3) {
    const x = out[k], y = out[k + 1], z = out[k + 2];
    for (let d = 0; d < 3; d++) {
      if (!pbc[d]) continue;
      const f = x * inv[d] + y * inv[3 + d] + z * inv[6 + d];
      const m = Math.floor(f);
      if (m === 0) continue;
      out[k] -= m * cell[3 * d];
      out[k + 1] -= m * cell[3 * d + 1];
      out[k + 2] -= m * cell[3 * d + 2];
    }
  }
  return out;
}

/** The same structure with positions wrapped into the cell (labels kept: a lattice translation changes nothing). */
export function wrapPositions(s: Structure): Structure {
  return { ...s, positions: wrapPositionsArray(s.cell, s.pbc, s.positions) };
}

/** Reduces displacement vectors to their shortest periodic image; create once per cell, call in loops. */
export type MinimumImage = (v: ArrayLike<number>, out?: Float64Array) => Float64Array;

/**
 * Minimum-image reduction for a general triclinic cell (also very skewed ones, where rounding fractional
 * coordinates alone is wrong).
 *
 * Method: d₀ = v − round(f)·A over periodic directions (f = v·A⁻¹) has |f_k(d₀)| ≤ ½. Any image d₀ + n·A at least
 * as short as d₀ has fractional component |f_k + n_k| ≤ |d₀| / w_k (w_k = perpendicular width), hence
 * |n_k| ≤ |d₀|/w_k + ½; all such n are searched and the shortest vector is returned (ties: the first found).
 * Cost: O(1) per call for reasonable cells (usually 3³ candidates).
 */
export function minimumImageFunction(cell: ArrayLike<number>, pbc: readonly boolean[]): MinimumImage {
  const periodic = pbc[0] || pbc[1] || pbc[2];
  if (!periodic) return (v, out = new Float64Array(3)) => { out[0] = v[0]; out[1] = v[1]; out[2] = v[2]; return out; };
  const inv = cellInverse(cell, 'minimumImage');
  const w = cellWidths(cell);
  const A = Float64Array.from(cell);
  const p = [pbc[0], pbc[1], pbc[2]];
  return (v, out = new Float64Array(3)) => {
    let x = v[0], y = v[1], z = v[2];
    for (let d = 0; d < 3; d++) {
      if (!p[d]) continue;
      const m = Math.round(x * inv[d] + y * inv[3 + d] + z * inv[6 + d]);
      x -= m * A[3 * d];
      y -= m * A[3 * d + 1];
      z -= m * A[3 * d + 2];
    }
    const len = Math.sqrt(x * x + y * y + z * z);
    const r = [0, 1, 2].map((d) => (p[d] ? Math.ceil(len / w[d] + 0.5) : 0));
    let bx = x, by = y, bz = z, best = len * len;
    for (let a = -r[0]; a <= r[0]; a++)
      for (let b = -r[1]; b <= r[1]; b++)
        for (let c = -r[2]; c <= r[2]; c++) {
          const cx = x + a * A[0] + b * A[3] + c * A[6];
          const cy = y + a * A[1] + b * A[4] + c * A[7];
          const cz = z + a * A[2] + b * A[5] + c * A[8];
          const l2 = cx * cx + cy * cy + cz * cz;
          if (l2 < best) { best = l2; bx = cx; by = cy; bz = cz; }
        }
    out[0] = bx; out[1] = by; out[2] = bz;
    return out;
  };
}

/** Shortest periodic image of the displacement `v` (Å). For many calls use `minimumImageFunction`. */
export function minimumImageVector(cell: ArrayLike<number>, pbc: readonly boolean[], v: ArrayLike<number>): Float64Array {
  return minimumImageFunction(cell, pbc)(v);
}

/** Minimum-image distance between atoms i and j of a structure, Å. */
export function minimumImageDistance(s: Structure, i: number, j: number): number {
  const n = s.species.length;
  if (!(i >= 0 && i < n && j >= 0 && j < n))
    throw new FarfieldError('INVALID_INPUT', `minimumImageDistance: atom indices ${i}, ${j} outside 0..${n - 1}`);
  const p = s.positions;
  const d = minimumImageVector(s.cell, s.pbc, [p[3 * j] - p[3 * i], p[3 * j + 1] - p[3 * i + 1], p[3 * j + 2] - p[3 * i + 2]]);
  return Math.hypot(d[0], d[1], d[2]);
}
