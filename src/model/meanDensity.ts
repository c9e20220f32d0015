/**
 * Mean-density (G = 0) directions of a descriptor's long-range blocks, for the whitening of linear kernels
 * (blockKernel.ts `whitening`).
 *
 * The FKK coefficients with the G = 0 term (science.md §4.3) are c^{iJ}_n = c'^{iJ}_n + ρ_J γ_{J,n}: the uniform
 * density ρ_J = N_J/V of species J adds ρ_J times a FIXED vector γ_J (γ_{J,n} = Y₀₀N_n Ŝ_{ζ_n}(0) = Y₀₀N_n 8π/ζ_n³ in
 * the columns of species J, × the block weight). So a change of density moves every environment along
 * span{γ_J}, by an amount that is known exactly, whatever the structure. Here γ_J is measured, not re-derived: the
 * descriptor is evaluated on a probe (one atom of species J in a periodic cube of volume V) with the long-range
 * blocks as configured and with `includeZero: false`; the difference of the two rows is γ_J / V. This uses the
 * descriptor's own code, so the directions match the features exactly (block weights, balancing, column layout).
 *
 * Blocks without a G = 0 term (LODE omits k = 0, `includeZero: false`, non-FKK blocks) give zero directions, and
 * descriptors without such blocks give an empty list. Cost: two descriptor evaluations of a one-atom cell per
 * species, at fit time only.
 */
import { makeStructure, type Structure } from '../core/index.js';
import { ComputeContext, createDescriptor, type DescriptorSpec } from '../descriptors/index.js';

/** Probe cell edge (Å): the result does not depend on it (γ is exact), it only has to be a valid periodic cell. */
const PROBE_EDGE_A = 10;

/** The spec with `includeZero: false` on every FKK block that has the G = 0 term; null if there is none. */
function withoutZero(spec: DescriptorSpec): DescriptorSpec | null {
  const h = (spec.hypers ?? {}) as Record<string, unknown>;
  if (spec.kind === 'fkk') return h.includeZero === false ? null : { ...spec, hypers: { ...h, includeZero: false } };
  if (spec.kind !== 'composite' || !Array.isArray(h.blocks)) return null;
  let changed = false;
  const blocks = (h.blocks as { spec: DescriptorSpec; weight?: number }[]).map((b) => {
    const s = withoutZero(b.spec);
    if (!s) return b;
    changed = true;
    return { ...b, spec: s };
  });
  return changed ? { ...spec, hypers: { ...h, blocks } } : null;
}

/**
 * γ_J for every species J of the descriptor's universe (in its order), each a vector over the descriptor's
 * columns (width D): the feature change of any environment per unit number density (Å⁻³) of species J.
 * Empty when the descriptor has no mean-density term.
 */
export function meanDensityDirections(spec: DescriptorSpec): Float64Array[] {
  const off = withoutZero(spec);
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

/** Relative volume step of the dilation probe (central difference, ±1 %). */
const DILATION_STEP = 0.01;

/**
 * Dilation directions of the structure-mean features: for every species J of the descriptor (in its order), the
 * mean over sample frames of d x̄_J / d ln V, x̄_J = the mean feature row of the atoms of species J, under a uniform
 * dilation of cell and positions (central difference at ln V ± 0.01). Zero vectors for species absent from the
 * samples; empty when no sample is fully periodic. Each is a vector over the descriptor's columns (width D). Cost:
 * two descriptor evaluations per sample frame, at fit time only.
 */
export function dilationDirections(spec: DescriptorSpec, samples: readonly Structure[]): Float64Array[] {
  const desc = createDescriptor(spec);
  const d = desc.width, ns = desc.species.length;
  const sum = Array.from({ length: ns }, () => new Float64Array(d));
  const cnt = new Float64Array(ns);
  const periodic = samples.filter((s) => s.pbc.every((p) => p) && s.species.length > 0);
  if (periodic.length === 0) return [];
  for (const s of periodic) {
    const syms = Array.from(s.species, (t) => s.symbols[t]);
    const rows: Float64Array[] = [];
    for (const sign of [1, -1]) {
      const f = Math.cbrt(1 + sign * DILATION_STEP);
      const t = makeStructure({ symbols: syms, positions: Float64Array.from(s.positions, (v) => v * f), cell: Float64Array.from(s.cell, (v) => v * f), pbc: true });
      rows.push(desc.compute(t, new ComputeContext(t)).features.data);
    }
    const h = Math.log(1 + DILATION_STEP) - Math.log(1 - DILATION_STEP);
    const per = Array.from({ length: ns }, () => new Float64Array(d));
    const nper = new Float64Array(ns);
    for (let i = 0; i < syms.length; i++) {
      const j = desc.species.indexOf(syms[i]);
      if (j < 0) continue;
      nper[j]++;
      for (let k = 0; k < d; k++) per[j][k] += (rows[0][i * d + k] - rows[1][i * d + k]) / h;
    }
    for (let j = 0; j < ns; j++)
      if (nper[j] > 0) {
        cnt[j]++;
        for (let k = 0; k < d; k++) sum[j][k] += per[j][k] / nper[j];
      }
  }
  return sum.map((v, j) => (cnt[j] > 0 ? v.map((a) => a / cnt[j]) : v));
}
