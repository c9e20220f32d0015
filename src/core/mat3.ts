/**
 * Tiny 3×3 / 3-vector helpers on flat row-major Float64Arrays (length 9 / 3).
 * Cell convention: rows are the lattice vectors a1, a2, a3 (Å), as in ASE.
 */

export type Mat3 = Float64Array; // length 9, row-major

export function mat3(values?: ArrayLike<number>): Mat3 {
  const m = new Float64Array(9);
  if (values) m.set(values);
  return m;
}

export function identity3(): Mat3 {
  return mat3([1, 0, 0, 0, 1, 0, 0, 0, 1]);
}

export function det3(m: ArrayLike<number>): number {
  return (
    m[0] * (m[4] * m[8] - m[5] * m[7]) -
    m[1] * (m[3] * m[8] - m[5] * m[6]) +
    m[2] * (m[3] * m[7] - m[4] * m[6])
  );
}

/** Inverse of a 3×3 matrix; throws a plain Error when singular (|det| ≤ tiny·scale³). */
export function inv3(m: ArrayLike<number>, out: Mat3 = new Float64Array(9)): Mat3 {
  const d = det3(m);
  let scale = 0;
  for (let k = 0; k < 9; k++) scale = Math.max(scale, Math.abs(m[k]));
  if (!(Math.abs(d) > 1e-12 * scale * scale * scale) || !Number.isFinite(d)) throw new Error('singular 3×3 matrix');
  const id = 1 / d;
  const r0 = (m[4] * m[8] - m[5] * m[7]) * id;
  const r1 = (m[2] * m[7] - m[1] * m[8]) * id;
  const r2 = (m[1] * m[5] - m[2] * m[4]) * id;
  const r3 = (m[5] * m[6] - m[3] * m[8]) * id;
  const r4 = (m[0] * m[8] - m[2] * m[6]) * id;
  const r5 = (m[2] * m[3] - m[0] * m[5]) * id;
  const r6 = (m[3] * m[7] - m[4] * m[6]) * id;
  const r7 = (m[1] * m[6] - m[0] * m[7]) * id;
  const r8 = (m[0] * m[4] - m[1] * m[3]) * id;
  out[0] = r0; out[1] = r1; out[2] = r2; out[3] = r3; out[4] = r4; out[5] = r5; out[6] = r6; out[7] = r7; out[8] = r8;
  return out;
}

/** C = A·B (3×3). */
export function mul3(a: ArrayLike<number>, b: ArrayLike<number>, out: Mat3 = new Float64Array(9)): Mat3 {
  const t = new Float64Array(9);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) t[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
  out.set(t);
  return out;
}

export function transpose3(a: ArrayLike<number>, out: Mat3 = new Float64Array(9)): Mat3 {
  const t = [a[0], a[3], a[6], a[1], a[4], a[7], a[2], a[5], a[8]];
  out.set(t);
  return out;
}

/**
 * Reciprocal lattice with the 2π factor: rows b_i with a_i·b_j = 2π δ_ij, i.e. B = 2π (A⁻¹)ᵀ.
 */
export function reciprocalCell(cell: ArrayLike<number>, out: Mat3 = new Float64Array(9)): Mat3 {
  const inv = inv3(cell);
  transpose3(inv, out);
  for (let k = 0; k < 9; k++) out[k] *= 2 * Math.PI;
  return out;
}

/** |det A|, the cell volume in Å³. */
export function cellVolume(cell: ArrayLike<number>): number {
  return Math.abs(det3(cell));
}

/** Perpendicular widths of the cell: distance between opposite faces, V / |a_j × a_k| (Å). */
export function cellWidths(cell: ArrayLike<number>): [number, number, number] {
  const v = cellVolume(cell);
  const w: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < 3; i++) {
    const j = (i + 1) % 3, k = (i + 2) % 3;
    const cx = cell[3 * j + 1] * cell[3 * k + 2] - cell[3 * j + 2] * cell[3 * k + 1];
    const cy = cell[3 * j + 2] * cell[3 * k] - cell[3 * j] * cell[3 * k + 2];
    const cz = cell[3 * j] * cell[3 * k + 1] - cell[3 * j + 1] * cell[3 * k];
    w[i] = v / Math.hypot(cx, cy, cz);
  }
  return w;
}
