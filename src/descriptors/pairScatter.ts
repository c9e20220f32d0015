/**
 * The pair-scatter primitive shared by every descriptor's reverse pass (radial, angular, FKK, LODE, lode-ms): a
 * gradient g = dE/d(r_ij) on a pair vector r_ij = r_j (+ image shift) − r_i adds +g to atom j and −g to atom i, and
 * g ⊗ r_ij to dE/dε (under r → (1+ε) r every pair vector maps to (1+ε) r_ij, so dE/dε_αβ += g_α (r_ij)_β,
 * science.md §1.11). `po` / `so` are the offsets of one batch entry's 3N position block and 9-strain block.
 */
export function scatterPair(
  positions: Float64Array, po: number, strain: Float64Array, so: number, i: number, j: number,
  gx: number, gy: number, gz: number, rx: number, ry: number, rz: number,
): void {
  positions[po + 3 * j] += gx; positions[po + 3 * j + 1] += gy; positions[po + 3 * j + 2] += gz;
  positions[po + 3 * i] -= gx; positions[po + 3 * i + 1] -= gy; positions[po + 3 * i + 2] -= gz;
  strain[so] += gx * rx; strain[so + 1] += gx * ry; strain[so + 2] += gx * rz;
  strain[so + 3] += gy * rx; strain[so + 4] += gy * ry; strain[so + 5] += gy * rz;
  strain[so + 6] += gz * rx; strain[so + 7] += gz * ry; strain[so + 8] += gz * rz;
}
