/**
 * Lattice basis reduction for the PME mesh: the same lattice with short, nearly orthogonal rows. A sheared cell such
 * as `a 0 0 / a a 0 / −a −a a` (simple cubic written with long rows) needs a mesh sized from its row lengths (tune.ts),
 * up to several times more points than the reduced cell `a 0 0 / 0 a 0 / 0 0 a` of the same lattice; energies,
 * forces and stress do not depend on the basis (positions are Cartesian, the strain derivative is Cartesian).
 * Greedy pairwise (Lagrange–Gauss) reduction: replace a_i by a_i − round(a_i·a_j/|a_j|²) a_j while that shortens it;
 * each step is unimodular (determinant and handedness kept). Returns the input itself when nothing changes.
 */
export function reduceCell(cell: Float64Array): Float64Array {
  const c = Float64Array.from(cell);
  let changed = false;
  for (let sweep = 0; sweep < 50; sweep++) {
    let any = false;
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        if (i === j) continue;
        const ij = c[3 * i] * c[3 * j] + c[3 * i + 1] * c[3 * j + 1] + c[3 * i + 2] * c[3 * j + 2];
        const jj = c[3 * j] ** 2 + c[3 * j + 1] ** 2 + c[3 * j + 2] ** 2;
        const k = Math.round(ij / jj);
        if (k === 0) continue;
        const before = c[3 * i] ** 2 + c[3 * i + 1] ** 2 + c[3 * i + 2] ** 2;
        const after = before - 2 * k * ij + k * k * jj;
        if (after >= before * (1 - 1e-12)) continue;
        for (let d = 0; d < 3; d++) c[3 * i + d] -= k * c[3 * j + d];
        any = changed = true;
      }
    if (!any) break;
  }
  return changed ? c : cell;
}
