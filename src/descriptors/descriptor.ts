/**
 * The descriptor contract (DESIGN.md): a descriptor declares its hyperparameters (JSON round-trip), cutoff, column
 * labels and column metadata (`columnBlocks`: body order, range, linear response, species channels) before
 * computing; `compute` gives the N×D row-major feature matrix plus its typed reverse-pass state; `vjp` — the one
 * reverse entry point — turns `count` upstream gradients dE/dX (an `Upstream`: dense, row view or factored, see
 * upstream.ts) into dE/d(positions) (count × 3N) and dE/d(strain) (count × 9).
 *
 * Conventions:
 * - Columns are fixed by the descriptor's species universe (`species`, given at construction), so feature vectors of
 *   different structures are comparable. A structure whose species are not in the universe is refused.
 * - Strain: r → (1+ε) r and cell rows a → (1+ε) a (ε a full 3×3 tensor, row-major). Forces = −dE/dpositions;
 *   stress = (1/V) dE/dε with ASE's sign (positive = tensile).
 * - Short-range descriptors may keep per-neighbour derivatives for one structure inside `saved` (filled on the first
 *   batched vjp); long-range descriptors never keep per-(centre, atom) derivatives: their vjp is one more
 *   reciprocal/mesh pass. `saved` is only valid for the same structure and context.
 * - Every upstream form gives the same results up to round-off (tests: 1e-12 relative); a descriptor picks its
 *   algorithm from the form (e.g. the pair loop for one dense gradient, Jacobian GEMMs for batches).
 */
import { FarfieldError, type Structure } from '../core/index.js';
import type { ComputeContext } from './context.js';
import type { Upstream } from './upstream.js';

/** N×D row-major feature matrix with column labels. */
export interface FeatureMatrix {
  rows: number;
  cols: number;
  /** rows·cols values, row i = atom i in structure order. */
  data: Float64Array;
  labels: string[];
}

export interface DescriptorOutput<S = unknown> {
  features: FeatureMatrix;
  /** The descriptor's reverse-pass state (only valid for the same structure and context). */
  saved: S;
}

export interface DescriptorGradients {
  /** dE/d(positions), eV/Å, Float64Array(3N) per batch entry. */
  positions: Float64Array;
  /** dE/dε, eV, Float64Array(9) row-major per batch entry (virial = −this). */
  strain: Float64Array;
}

/**
 * A run of columns with one physical character (one leaf descriptor). The model binds its kernels from these
 * fields, never from descriptor kinds or labels.
 */
export interface ColumnGroup {
  /** Name for messages and reports (the leaf descriptor's kind, e.g. 'radial'). */
  readonly name: string;
  /** Columns [start, end) of the descriptor. */
  readonly start: number;
  readonly end: number;
  /** Body order of the invariants: 2 for pair densities (radial, FKK, LODE), 3 for triplets (angular power
   * spectrum, density ⊗ potential of lode-ms). */
  readonly bodyOrder: number;
  /** 'short' (finite cutoff) or 'long' (lattice sums, Fourier space). */
  readonly range: 'short' | 'long';
  /**
   * Whether the energy of point charges is linear in these columns per central species (E = ½ Σ_i q_i φ_i,
   * science.md §4.3, §4.7), and what they are coefficients of: 'density' (smeared species densities, with the
   * uniform G = 0 family: FKK), 'potential' (the potential, k = 0 omitted: LODE ν = 1); null: not linear.
   */
  readonly linear: 'density' | 'potential' | null;
  /** Number of neighbour-species channels when the columns are channel-major (channel J = the J-th equal run);
   * null otherwise. */
  readonly speciesChannels: number | null;
}

/**
 * A top-level block of columns: what a block kernel gives one part and block balancing one weight. A single
 * descriptor is one block; a composite has one block per child ('sr', itself radial + angular, is one block).
 */
export interface ColumnBlock {
  /** Name for messages and reports (the block's descriptor kind, e.g. 'sr', 'fkk'). */
  readonly name: string;
  readonly start: number;
  readonly end: number;
  /** Configured weight w of the block (features × √w; 1 for a single descriptor). */
  readonly weight: number;
  /** Leaf groups of the block, in column order, covering [start, end). */
  readonly groups: readonly ColumnGroup[];
}

/** Column metadata as the model reads it (a descriptor, or any object giving the same fields). */
export interface ColumnLayout {
  readonly kind: string;
  readonly width: number;
  readonly columnBlocks: readonly ColumnBlock[];
}

/** The one block of a single (leaf) descriptor with one group. */
export function singleBlock(kind: string, width: number, group: Omit<ColumnGroup, 'name' | 'start' | 'end'>): ColumnBlock[] {
  return [{ name: kind, start: 0, end: width, weight: 1, groups: [{ name: kind, start: 0, end: width, ...group }] }];
}

/** Every leaf group of a layout, in column order. */
export function columnGroups(layout: { readonly columnBlocks: readonly ColumnBlock[] }): ColumnGroup[] {
  return layout.columnBlocks.flatMap((b) => b.groups);
}

/** Columns [offset, offset + width) of a row-major matrix with `stride` columns: feature k of atom i goes to data[i·stride + offset + k]. */
export interface FeatureTarget {
  readonly data: Float64Array;
  readonly stride: number;
  readonly offset: number;
}

export interface Descriptor<S = unknown> {
  /** Registry name of the descriptor kind, e.g. 'radial', 'angular', 'sr', 'fkk', 'lode'. */
  readonly kind: string;
  /** Species universe, in column order. */
  readonly species: readonly string[];
  /** Interaction range in Å (Infinity for long-range descriptors). */
  readonly cutoffA: number;
  /** Column labels, length = width. */
  readonly labels: readonly string[];
  readonly width: number;
  /** Column metadata: top-level blocks and their leaf groups (see ColumnBlock, ColumnGroup). */
  readonly columnBlocks: readonly ColumnBlock[];
  compute(structure: Structure, ctx: ComputeContext): DescriptorOutput<S>;
  /**
   * Optional form of `compute` that writes the features into columns [offset, offset + width) of a wider row-major
   * matrix (a composite's, so that no block matrix is allocated and copied) and returns the reverse-pass state. Those
   * columns must be zero on entry; the values written are bit for bit those of `compute`. The caller may overwrite
   * them once it returns (KernelModel puts dE/dX there): the returned state must not refer to `target.data`.
   */
  computeInto?(structure: Structure, ctx: ComputeContext, target: FeatureTarget): S;
  /**
   * The vector–Jacobian product: `upstream.count` upstream gradients dE/dX (upstream.ts) → positions (count × 3N)
   * and strain (count × 9), in batch order. `saved` comes from `compute` on the same structure and context; an
   * implementation may fill it with per-structure data (e.g. pair Jacobians) on the first call.
   */
  vjp(structure: Structure, ctx: ComputeContext, saved: S, upstream: Upstream): DescriptorGradients;
  /** JSON form: `{kind, species, hypers}` — `createDescriptor(toJSON())` rebuilds an identical descriptor. */
  toJSON(): DescriptorSpec;
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
