/** Helpers shared by the short-range descriptors: species-universe validation and the pair → strain accumulation. */
import { FarfieldError } from '../../core/index.js';

export function checkSpeciesUniverse(species: readonly string[], what: string): string[] {
  if (!Array.isArray(species) || species.length === 0 || species.some((s) => typeof s !== 'string' || s.length === 0))
    throw new FarfieldError('INVALID_INPUT', `${what}: species must be a non-empty list of element symbols`);
  if (new Set(species).size !== species.length) throw new FarfieldError('INVALID_INPUT', `${what}: species list [${species.join(', ')}] has duplicates`);
  return [...species];
}

/**
 * Accumulate a pair gradient g = dE/dr_ij (r_ij = r_j + shift·A − r_i) into dE/dpositions (+g on j, −g on i) and
 * dE/dε (science.md §1.11): under r → (1+ε) r every pair vector maps to (1+ε) r_ij, so dE/dε_αβ += g_α (r_ij)_β.
 */
export function accumulatePair(
  positions: Float64Array, strain: Float64Array, i: number, j: number,
  gx: number, gy: number, gz: number, rx: number, ry: number, rz: number,
): void {
  positions[3 * j] += gx; positions[3 * j + 1] += gy; positions[3 * j + 2] += gz;
  positions[3 * i] -= gx; positions[3 * i + 1] -= gy; positions[3 * i + 2] -= gz;
  strain[0] += gx * rx; strain[1] += gx * ry; strain[2] += gx * rz;
  strain[3] += gy * rx; strain[4] += gy * ry; strain[5] += gy * rz;
  strain[6] += gz * rx; strain[7] += gz * ry; strain[8] += gz * rz;
}
