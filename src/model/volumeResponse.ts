/**
 * When a training set cannot determine a model's volume response: periodic structures of one density (volume per
 * atom spread ≤ SINGLE_DENSITY_SPREAD) and no stress rows. A linear kernel block on FKK features is a sum of pair
 * terms per species pair (science.md §4.3); fitted to the forces of a many-body reference at one density, such terms
 * reproduce the forces but not the pressure (the representability problem of force-matched pair potentials), and no
 * prior on the weights fixes that (docs/RESULTS.md, § "Long-range block: well-posed whitening"). The api layer
 * (`api/longRangeChannels.ts`) then restricts the FKK block of a preset to its slow channels; this module holds the
 * data test and the warning the fit records when that restriction is not in force.
 */
import { volumeA3, type Structure } from '../core/index.js';
import type { KernelSpec } from './kernels.js';

/** Relative spread of the volume per atom below which a training set counts as one density. */
export const SINGLE_DENSITY_SPREAD = 0.005;

/** Opening words of the warning below (the api layer recognises and replaces it when it has acted on it). */
export const SINGLE_DENSITY_WARNING_PREFIX = 'the linear long-range block was fitted on one density';

/** Volume-per-atom range (Å³) of the periodic structures when they share one density, else null (also when none is periodic). */
export function singleDensityRange(structures: readonly Structure[]): { lo: number; hi: number } | null {
  let lo = Infinity, hi = -Infinity;
  for (const s of structures) {
    if (!s.pbc.every((p) => p) || s.species.length === 0) continue;
    const v = volumeA3(s) / s.species.length;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi >= lo) || hi - lo > SINGLE_DENSITY_SPREAD * lo) return null;
  return { lo, hi };
}

/** True when stress rows will enter a fit with these user weights (some structure carries a stress label and W_S ≠ 0). */
export function usesStressRows(structures: readonly Structure[], weights?: { stress?: number }): boolean {
  return (weights?.stress ?? 1) !== 0 && structures.some((s) => s.labels?.stressEvPerA3 !== undefined);
}

/**
 * The warning recorded in `metadata.solver.warnings` when a linear kernel block is fitted on one density without
 * stress rows (measured on the xTB NaCl MD set: 3× the sr model's stress error at its own density, 2–4× its energy
 * error at ±3 % density with the default FKK channels). Null when there is no linear block, stress rows exist, or
 * the structures span more than one density.
 */
export function singleDensityWarning(structures: readonly Structure[], kernel: KernelSpec, stressRows: number): string | null {
  const linear = kernel.kind === 'linear' || (kernel.kind === 'block' && ((kernel.hypers?.parts ?? []) as { kernel?: KernelSpec }[]).some((p) => p.kernel?.kind === 'linear'));
  if (!linear || stressRows > 0) return null;
  const r = singleDensityRange(structures);
  if (!r) return null;
  return `${SINGLE_DENSITY_WARNING_PREFIX} (volume per atom ${r.lo.toPrecision(4)}–${r.hi.toPrecision(4)} Å³) without stress labels: `
    + 'its volume response (pressure, energies at other densities) is not determined by the data and can be several times '
    + 'wrong for a many-body reference; add stress labels or frames at a second density, or keep the FKK block to slow '
    + 'channels (preset hypers {"lr": {"zetaMaxPerA": 0.5, "count": 6}}, the default for presets in this situation; '
    + 'docs/RESULTS.md, "Long-range block")';
}
