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
 * - Optional factored reverse pass `backwardFactored`: the same batch when every upstream has the form a kernel
 *   model produces, dE_c/dX_i = Σ_r P_r[c,i] T_r[c,:] + Q[c,i] U[i,:] (one row per batch entry, one per atom, and
 *   per-(entry, atom) coefficients; see FactoredUpstream). It never materialises count × N × D upstreams, and a
 *   descriptor can apply its Jacobians to the shared rows T_r with one GEMM. `backwardFactoredOf` falls back to
 *   materialising the upstream in chunks and calling `backwardManyOf`.
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
  /** Optional: the batched reverse pass for a factored upstream (see FactoredUpstream); same results as backwardMany. */
  backwardFactored?(structure: Structure, ctx: ComputeContext, saved: unknown, upstream: FactoredUpstream): DescriptorGradients;
  /** JSON form: `{kind, species, hypers}` — `createDescriptor(toJSON())` rebuilds an identical descriptor. */
  toJSON(): DescriptorSpec;
}

/**
 * `count` upstream gradients in factored form (N atoms, width D, row-major arrays):
 *   dE_c/dX_{i,k} = Σ_r terms[r].coef[c·N + i] · terms[r].rows[c·D + k] + own.coef[c·N + i] · own.rows[i·D + k].
 * A kernel model's upstream for reference b is of this form (polynomial kernel: P = ζ S^{ζ−1}/|X_i|, T = X̂_b,
 * Q = −P S, U = X̂_i).
 */
export interface FactoredUpstream {
  count: number;
  /** coef: count × N; rows: count × D. */
  terms: { coef: Float64Array; rows: Float64Array }[];
  /** coef: count × N; rows: N × D. */
  own?: { coef: Float64Array; rows: Float64Array };
}

/** Check the sizes of a factored upstream for N atoms and width D. */
export function checkFactored(what: string, up: FactoredUpstream, nat: number, width: number): void {
  const { count } = up;
  if (!(Number.isInteger(count) && count >= 0)) throw new FarfieldError('INVALID_INPUT', `${what} backwardFactored: count must be an integer ≥ 0, got ${count}`);
  up.terms.forEach((t, r) => {
    if (t.coef.length !== count * nat || t.rows.length !== count * width)
      throw new FarfieldError('INVALID_INPUT', `${what} backwardFactored: term ${r} has coef ${t.coef.length} / rows ${t.rows.length} entries, expected ${count}×${nat} / ${count}×${width}`);
  });
  if (up.own && (up.own.coef.length !== count * nat || up.own.rows.length !== nat * width))
    throw new FarfieldError('INVALID_INPUT', `${what} backwardFactored: own part has coef ${up.own.coef.length} / rows ${up.own.rows.length} entries, expected ${count}×${nat} / ${nat}×${width}`);
}

/** Materialise entries [c0, c1) of a factored upstream as (c1 − c0) × N × D into out. */
export function expandFactored(up: FactoredUpstream, nat: number, width: number, c0: number, c1: number, out: Float64Array): void {
  out.fill(0, 0, (c1 - c0) * nat * width);
  for (let c = c0; c < c1; c++)
    for (let i = 0; i < nat; i++) {
      const o = ((c - c0) * nat + i) * width;
      for (const t of up.terms) {
        const p = t.coef[c * nat + i];
        if (p === 0) continue;
        const ro = c * width;
        for (let k = 0; k < width; k++) out[o + k] += p * t.rows[ro + k];
      }
      if (up.own) {
        const q = up.own.coef[c * nat + i];
        if (q === 0) continue;
        const ro = i * width;
        for (let k = 0; k < width; k++) out[o + k] += q * up.own.rows[ro + k];
      }
    }
}

/** Upstream bytes materialised at once by the fallback of `backwardFactoredOf`. */
const FACTORED_FALLBACK_BYTES = 32 * 2 ** 20;

/** `d.backwardFactored` when present, else the upstream is materialised in chunks and passed to `backwardManyOf`. */
export function backwardFactoredOf(
  d: Descriptor, structure: Structure, ctx: ComputeContext, saved: unknown, up: FactoredUpstream,
): DescriptorGradients {
  const n = structure.species.length, D = d.width;
  checkFactored(d.kind, up, n, D);
  if (d.backwardFactored) return d.backwardFactored(structure, ctx, saved, up);
  const count = up.count;
  const positions = new Float64Array(count * 3 * n), strain = new Float64Array(count * 9);
  const chunk = Math.max(1, Math.min(count, Math.floor(FACTORED_FALLBACK_BYTES / (8 * Math.max(1, n * D)))));
  const buf = new Float64Array(chunk * n * D);
  for (let c0 = 0; c0 < count; c0 += chunk) {
    const c1 = Math.min(count, c0 + chunk);
    expandFactored(up, n, D, c0, c1, buf);
    const g = backwardManyOf(d, structure, ctx, saved, buf.subarray(0, (c1 - c0) * n * D), c1 - c0);
    positions.set(g.positions, c0 * 3 * n);
    strain.set(g.strain, c0 * 9);
  }
  return { positions, strain };
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

/**
 * Validate a batched upstream gradient for `backwardMany` (count × atoms × width, row-major) and its count;
 * throws FarfieldError('INVALID_INPUT') naming the descriptor. Shared by every descriptor's batched reverse pass.
 */
export function checkUpstreamBatch(what: string, dEdX: Float64Array, count: number, atoms: number, width: number): void {
  if (!(Number.isInteger(count) && count >= 0))
    throw new FarfieldError('INVALID_INPUT', `${what} backwardMany: count must be an integer ≥ 0, got ${count}`);
  if (dEdX.length !== count * atoms * width)
    throw new FarfieldError('INVALID_INPUT', `${what} backwardMany: dE/dX has ${dEdX.length} entries, expected ${count}×${atoms}×${width}`);
}
