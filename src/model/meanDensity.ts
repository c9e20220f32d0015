/**
 * Mean-density (G = 0) directions of a descriptor's long-range blocks, for the whitening of linear kernels
 * (blockKernel.ts `whitening`).
 *
 * The FKK coefficients with the G = 0 term (science.md §4.3) are c^{iJ}_n = c'^{iJ}_n + ρ_J γ_{J,n}: the uniform
 * density ρ_J = N_J/V of species J adds ρ_J times a FIXED vector γ_J (γ_{J,n} = Y₀₀N_n Ŝ_{ζ_n}(0) = Y₀₀N_n 8π/ζ_n³ in
 * the columns of species J, × the block weight). So a change of density moves every environment along
 * span{γ_J}, by an amount that is known exactly, whatever the structure. Here γ_J is measured, not re-derived: the
 * descriptor is evaluated on a probe (one atom of species J in a periodic cube of volume V) with the long-range
 * blocks as configured and without their G = 0 terms (descriptors' `withoutMeanDensity`); the difference of the two rows is γ_J / V. This uses the
 * descriptor's own code, so the directions match the features exactly (block weights, balancing, column layout).
 *
 * Blocks without a G = 0 term (LODE omits k = 0, `includeZero: false`, non-FKK blocks) give zero directions, and
 * descriptors without such blocks give an empty list. Cost: two descriptor evaluations of a one-atom cell per
 * species, at fit time only.
 */
import { makeStructure } from '../core/index.js';
import { ComputeContext, createDescriptor, withoutMeanDensity, type DescriptorSpec } from '../descriptors/index.js';

/** Probe cell edge (Å): the result does not depend on it (γ is exact), it only has to be a valid periodic cell. */
const PROBE_EDGE_A = 10;

/**
 * γ_J for every species J of the descriptor's universe (in its order), each a vector over the descriptor's
 * columns (width D): the feature change of any environment per unit number density (Å⁻³) of species J.
 * Empty when the descriptor has no mean-density term.
 */
export function meanDensityDirections(spec: DescriptorSpec): Float64Array[] {
  const off = withoutMeanDensity(spec);
  if (!off) return [];
  const full = createDescriptor(spec), zero = createDescriptor(off);
  const d = full.width, L = PROBE_EDGE_A, V = L * L * L;
  return full.species.map((sym) => {
    const probe = makeStructure({ symbols: [sym], positions: [[0, 0, 0]], cell: [L, 0, 0, 0, L, 0, 0, 0, L], pbc: true });
    const a = full.compute(probe, new ComputeContext(probe)).features.data;
    const b = zero.compute(probe, new ComputeContext(probe)).features.data;
    return Float64Array.from({ length: d }, (_, k) => (a[k] - b[k]) * V);
  });
}
