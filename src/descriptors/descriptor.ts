/**
 * The descriptor contract (DESIGN.md): a descriptor declares its hyperparameters (JSON round-trip), cutoff and column
 * labels before computing; `compute` gives the N×D row-major feature matrix plus whatever its reverse pass needs;
 * `backward` turns an upstream gradient dE/dX (N×D) into dE/d(positions) (3N) and dE/d(strain) (3×3).
 *
 * Conventions:
 * - Columns are fixed by the descriptor's species universe (`species`, given at construction), so feature vectors of
 *   different structures are comparable. A structure whose species are not in the universe is refused.
 * - Strain: r → (1+ε) r and cell rows a → (1+ε) a (ε a full 3×3 tensor, row-major). Forces = −dE/dpositions;
 *   stress = (1/V) dE/dε with ASE's sign (positive = tensile).
 * - Short-range descriptors may keep per-neighbour derivatives for one structure inside `saved`; long-range
 *   descriptors never keep per-(centre, atom) derivatives: their backward is one more reciprocal/mesh pass.
 * - Optional batched reverse pass `backwardMany` (used by the model's design rows, one upstream per reference):
 *   `count` upstream gradients at once, same results as `count` calls of `backward` up to round-off (tests: 1e-12
 *   relative). Descriptors without it are looped over `backward` by `backwardManyOf`.
 */
import { FarfieldError, type Structure } from '../core/index.js';
import type { ComputeContext } from './context.js';

/** N×D row-major feature matrix with column labels. */
export interface FeatureMatrix {
  rows: number;
  cols: number;
  /** rows·cols values, row i = atom i in structure order. */
  data: Float64Array;
  labels: string[];
}

export interface DescriptorOutput {
  features: FeatureMatrix;
  /** Opaque state for `backward` (only valid for the same structure and context). */
  saved: unknown;
}

export interface DescriptorGradients {
  /** dE/d(positions), eV/Å, Float64Array(3N). */
  positions: Float64Array;
  /** dE/dε, eV, Float64Array(9) row-major (virial = −this). */
  strain: Float64Array;
}

export interface Descriptor {
  /** Registry name of the descriptor kind, e.g. 'radial', 'angular', 'sr', 'fkk', 'lode'. */
  readonly kind: string;
  /** Species universe, in column order. */
  readonly species: readonly string[];
  /** Interaction range in Å (Infinity for long-range descriptors). */
  readonly cutoffA: number;
  /** Column labels, length = width. */
  readonly labels: readonly string[];
  readonly width: number;
  compute(structure: Structure, ctx: ComputeContext): DescriptorOutput;
  /** dE/dX → gradients. `dEdX` has the layout of `features.data` (N×width, row-major). */
  backward(structure: Structure, ctx: ComputeContext, saved: unknown, dEdX: Float64Array): DescriptorGradients;
  /**
   * Optional: `count` reverse passes at once. `dEdX` is count × N × width (row-major, one upstream gradient per batch
   * entry, each laid out like `features.data`); returns positions (count × 3N) and strain (count × 9) in that order.
   * An implementation may cache per-structure data in `saved` (e.g. per-neighbour Jacobians) on the first call;
   * `saved` stays valid for later `backward`/`backwardMany` calls on the same structure and context.
   */
  backwardMany?(structure: Structure, ctx: ComputeContext, saved: unknown, dEdX: Float64Array, count: number): DescriptorGradients;
  /** JSON form: `{kind, species, hypers}` — `createDescriptor(toJSON())` rebuilds an identical descriptor. */
  toJSON(): DescriptorSpec;
}

/** `d.backwardMany` when the descriptor has it, else a loop over `d.backward` (same layout, same results). */
export function backwardManyOf(
  d: Descriptor, structure: Structure, ctx: ComputeContext, saved: unknown, dEdX: Float64Array, count: number,
): DescriptorGradients {
  const n = structure.species.length;
  const size = n * d.width;
  if (!(Number.isInteger(count) && count >= 0) || dEdX.length !== count * size)
    throw new FarfieldError('INVALID_INPUT', `${d.kind} backwardMany: dE/dX has ${dEdX.length} entries, expected ${count}×${n}×${d.width}`);
  if (d.backwardMany) return d.backwardMany(structure, ctx, saved, dEdX, count);
  const positions = new Float64Array(count * 3 * n);
  const strain = new Float64Array(count * 9);
  for (let c = 0; c < count; c++) {
    const g = d.backward(structure, ctx, saved, dEdX.subarray(c * size, (c + 1) * size));
    positions.set(g.positions, c * 3 * n);
    strain.set(g.strain, c * 9);
  }
  return { positions, strain };
}

export interface DescriptorSpec {
  kind: string;
  species: string[];
  /** Hyperparameters (plain JSON object; each kind documents and validates its own). */
  hypers: Record<string, unknown>;
}

/** Map a structure's species table onto the descriptor's species universe (−1 never returned: throws FarfieldError INVALID_INPUT). */
export function speciesMap(structure: Structure, universe: readonly string[], what: string): Int32Array {
  const out = new Int32Array(structure.symbols.length);
  structure.symbols.forEach((sym, k) => {
    const idx = universe.indexOf(sym);
    if (idx < 0) throw new FarfieldError('INVALID_INPUT', `${what}: species '${sym}' is not in the descriptor's species list [${universe.join(', ')}]`);
    out[k] = idx;
  });
  return out;
}
