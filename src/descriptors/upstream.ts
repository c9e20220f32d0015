/**
 * Upstream gradients of the descriptor contract's one reverse entry point, `Descriptor.vjp` (descriptor.ts), and
 * every adapter between their forms. `count` upstream gradients dE_c/dX (each N × D, laid out like
 * `features.data`) come in one of three forms:
 *
 *   dense     data = count × N × D row-major. With count = 1 this is the single reverse pass of a prediction
 *             (descriptors may use their cheapest unbatched algorithm for it).
 *   rows      a (batched) view of a wider row-major array: entry k of atom i in batch entry c is
 *             scale · data[(c·N + i)·stride + offset + k]. The plain batch is {stride: D, offset: 0, scale: 1};
 *             a composite hands each block its columns (× √w) as such a view, without copying. With count = 1
 *             descriptors run their single-gradient pass on it, as for dense with count = 1.
 *   factored  a sum of separable terms, never materialised as count × N × D:
 *               dE_c/dX_{i,k} = Σ_r terms[r].coef[c·N + i] · terms[r].rows[c·D + k] + own.coef[c·N + i] · own.rows[i·D + k]
 *             (per-(entry, atom) coefficients times one row per entry, plus per-(entry, atom) coefficients times
 *             one row per atom). A descriptor can apply its Jacobians to the shared rows with one GEMM. Which
 *             model produces this form, and how, is the model's business (model/factored.ts).
 *
 * Results of a vjp are positions (count × 3N, dE/dr) and strain (count × 9, dE/dε) in batch order. Every form
 * gives the same results up to round-off (tests: 1e-12 relative).
 *
 * Adapters here: constructors (`denseUpstream`, `rowsUpstream`, `factoredUpstream`), the size check
 * (`checkUpstream`), a block's columns of an upstream (`upstreamColumns`, used by composites), materialisation
 * (`materialise`, `expandFactored`), generic vjp implementations for descriptors with only a single-gradient or
 * only a plain batched reverse pass (`vjpByLoop`, `vjpByBatches`), and the call-site helpers `backwardOf`,
 * `backwardManyOf`, `backwardFactoredOf` (thin wrappers over `vjp`, kept for callers of the former entry points).
 */
import { FarfieldError, type Structure } from '../core/index.js';
import type { ComputeContext } from './context.js';
import type { Descriptor, DescriptorGradients } from './descriptor.js';

/** count × N × D upstream, row-major. */
export interface DenseUpstream {
  readonly form: 'dense';
  readonly count: number;
  readonly data: Float64Array;
}

/** count × N rows of width D read through a column view of a wider array (see the module doc). */
export interface RowsUpstream {
  readonly form: 'rows';
  readonly count: number;
  readonly data: Float64Array;
  readonly stride: number;
  readonly offset: number;
  readonly scale: number;
}

/** One separable term: coef (count × N) times rows (count × D for a term, N × D for the own part). */
export interface SeparableTerm {
  coef: Float64Array;
  rows: Float64Array;
}

/** The separable terms of a factored upstream (without the form tag). */
export interface FactoredTerms {
  count: number;
  /** coef: count × N; rows: count × D. */
  terms: SeparableTerm[];
  /** coef: count × N; rows: N × D. */
  own?: SeparableTerm;
}

export interface FactoredFormUpstream extends FactoredTerms {
  readonly form: 'factored';
}

export type Upstream = DenseUpstream | RowsUpstream | FactoredFormUpstream;

export function denseUpstream(data: Float64Array, count = 1): DenseUpstream {
  return { form: 'dense', count, data };
}

export function rowsUpstream(data: Float64Array, count: number, stride: number, offset = 0, scale = 1): RowsUpstream {
  return { form: 'rows', count, data, stride, offset, scale };
}

export function factoredUpstream(f: FactoredTerms): FactoredFormUpstream {
  return f.own ? { form: 'factored', count: f.count, terms: f.terms, own: f.own } : { form: 'factored', count: f.count, terms: f.terms };
}

function countOk(what: string, count: number): void {
  if (!(Number.isInteger(count) && count >= 0))
    throw new FarfieldError('INVALID_INPUT', `${what} vjp: count must be an integer ≥ 0, got ${count}`);
}

/** Check the sizes of an upstream for N atoms and width D (FarfieldError INVALID_INPUT naming the descriptor). */
export function checkUpstream(what: string, up: Upstream, nat: number, width: number): void {
  countOk(what, up.count);
  const { count } = up;
  if (up.form === 'dense' || (up.form === 'rows' && up.stride === width && up.offset === 0)) {
    if (up.data.length !== count * nat * width)
      throw new FarfieldError('INVALID_INPUT', `${what} vjp: dE/dX has ${up.data.length} entries, expected ${count}×${nat}×${width}`);
  } else if (up.form === 'rows') {
    if (up.offset + width > up.stride || up.data.length < count * nat * up.stride)
      throw new FarfieldError('INVALID_INPUT', `${what} vjp: upstream view (stride ${up.stride}, offset ${up.offset}) does not fit ${count}×${nat} rows of width ${width}`);
  } else {
    up.terms.forEach((t, r) => {
      if (t.coef.length !== count * nat || t.rows.length !== count * width)
        throw new FarfieldError('INVALID_INPUT', `${what} vjp: factored term ${r} has coef ${t.coef.length} / rows ${t.rows.length} entries, expected ${count}×${nat} / ${count}×${width}`);
    });
    if (up.own && (up.own.coef.length !== count * nat || up.own.rows.length !== nat * width))
      throw new FarfieldError('INVALID_INPUT', `${what} vjp: factored own part has coef ${up.own.coef.length} / rows ${up.own.rows.length} entries, expected ${count}×${nat} / ${nat}×${width}`);
  }
}

/** Where a batched pass reads its rows: entry k of atom i in batch entry c is scale · data[(c·N + i)·stride + offset + k]. */
export interface RowView {
  stride: number;
  offset: number;
  scale: number;
}

/** A dense or rows upstream as a row view (the plain batch {D, 0, 1} for dense). */
export function rowView(up: DenseUpstream | RowsUpstream, width: number): RowView {
  return up.form === 'dense' ? { stride: width, offset: 0, scale: 1 } : { stride: up.stride, offset: up.offset, scale: up.scale };
}

/** Is a dense or rows upstream laid out as the plain count × N × D batch (usable without a copy)? */
export function isPlain(up: DenseUpstream | RowsUpstream, width: number): boolean {
  return up.form === 'dense' || (up.stride === width && up.offset === 0 && up.scale === 1);
}

/** Materialise entries [c0, c1) of a factored upstream as (c1 − c0) × N × D into out. */
export function expandFactored(up: FactoredTerms, nat: number, width: number, c0: number, c1: number, out: Float64Array): void {
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

/** Materialise entries [c0, c1) of any upstream as (c1 − c0) × N × D into out (row views are scaled). */
export function materialise(up: Upstream, nat: number, width: number, c0: number, c1: number, out: Float64Array): void {
  if (up.form === 'factored') return expandFactored(up, nat, width, c0, c1, out);
  if (up.form === 'dense') {
    out.set(up.data.subarray(c0 * nat * width, c1 * nat * width));
    return;
  }
  const { data, stride, offset, scale } = up;
  for (let r = c0 * nat; r < c1 * nat; r++) {
    const o = (r - c0 * nat) * width, s = r * stride + offset;
    for (let k = 0; k < width; k++) out[o + k] = scale * data[s + k];
  }
}

/** Are columns [off, off + w) of every row of `rows` (nrows × D) zero? */
function zeroColumns(rows: Float64Array, nrows: number, D: number, off: number, w: number): boolean {
  for (let r = 0; r < nrows; r++) for (let k = 0; k < w; k++) if (rows[r * D + off + k] !== 0) return false;
  return true;
}

/**
 * Columns [offset, offset + width) of an upstream for N atoms and width D, times `scale` (a composite's block,
 * × √w). A dense or rows upstream becomes a row view (no copy; a block's single-gradient pass reads one gradient
 * through it, a batched pass gathers from it); a factored upstream keeps its coefficients and slices its rows, leaving
 * out terms whose rows are zero on these columns (a block kernel's part terms). Null when nothing reaches the columns.
 * Nested composites multiply their scales into one (s₂·s₁)·x, which may differ from s₂·(s₁·x) in the last bit.
 */
export function upstreamColumns(up: Upstream, nat: number, D: number, offset: number, width: number, scale: number): Upstream | null {
  const count = up.count;
  if (up.form !== 'factored') {
    const v = rowView(up, D);
    return rowsUpstream(up.data, count, v.stride, v.offset + offset, scale * v.scale);
  }
  const slice = (rows: Float64Array, nrows: number): Float64Array => {
    const out = new Float64Array(nrows * width);
    for (let r = 0; r < nrows; r++) for (let k = 0; k < width; k++) out[r * width + k] = scale * rows[r * D + offset + k];
    return out;
  };
  const terms = up.terms.filter((t) => !zeroColumns(t.rows, count, D, offset, width)).map((t) => ({ coef: t.coef, rows: slice(t.rows, count) }));
  const own = up.own && !zeroColumns(up.own.rows, nat, D, offset, width) ? { coef: up.own.coef, rows: slice(up.own.rows, nat) } : undefined;
  if (terms.length === 0 && !own) return null;
  return factoredUpstream({ count, terms, own });
}

/** Empty gradients for a batch of `count` (count × 3N positions, count × 9 strain). */
export function zeroGradients(count: number, nat: number): DescriptorGradients {
  return { positions: new Float64Array(count * 3 * nat), strain: new Float64Array(count * 9) };
}

/**
 * vjp of a descriptor that only has a single-gradient reverse pass `one(dEdX: N × D)`: each batch entry is
 * materialised and passed on in turn (same results as `count` calls of `one`).
 */
export function vjpByLoop(up: Upstream, nat: number, width: number, one: (dEdX: Float64Array) => DescriptorGradients): DescriptorGradients {
  const count = up.count, size = nat * width;
  if (up.form === 'dense' && count === 1) return one(up.data);
  const out = zeroGradients(count, nat);
  const buf = new Float64Array(size);
  for (let c = 0; c < count; c++) {
    let g: Float64Array;
    if (up.form === 'dense') g = up.data.subarray(c * size, (c + 1) * size);
    else {
      materialise(up, nat, width, c, c + 1, buf);
      g = buf;
    }
    const r = one(g);
    out.positions.set(r.positions, c * 3 * nat);
    out.strain.set(r.strain, c * 9);
  }
  return out;
}

/** Upstream bytes materialised at once when a factored upstream is expanded for a plain batched pass. */
const FACTORED_FALLBACK_BYTES = 32 * 2 ** 20;

/**
 * vjp of a descriptor whose reverse pass takes plain batches `many(dEdX: count × N × D, count)`: dense batches go
 * straight through, a row view is copied once (scaled), a factored upstream is expanded in chunks of at most
 * FACTORED_FALLBACK_BYTES.
 */
export function vjpByBatches(up: Upstream, nat: number, width: number, many: (dEdX: Float64Array, count: number) => DescriptorGradients): DescriptorGradients {
  const count = up.count, size = nat * width;
  if (up.form === 'dense') return many(up.data, count);
  if (up.form === 'rows') {
    if (isPlain(up, width)) return many(up.data.subarray(0, count * size), count);
    const g = new Float64Array(count * size);
    materialise(up, nat, width, 0, count, g);
    return many(g, count);
  }
  const out = zeroGradients(count, nat);
  const chunk = Math.max(1, Math.min(count, Math.floor(FACTORED_FALLBACK_BYTES / (8 * Math.max(1, size)))));
  const buf = new Float64Array(chunk * size);
  for (let c0 = 0; c0 < count; c0 += chunk) {
    const c1 = Math.min(count, c0 + chunk);
    expandFactored(up, nat, width, c0, c1, buf);
    const g = many(buf.subarray(0, (c1 - c0) * size), c1 - c0);
    out.positions.set(g.positions, c0 * 3 * nat);
    out.strain.set(g.strain, c0 * 9);
  }
  return out;
}

/** One reverse pass: dE/dX (N × D) → gradients (the prediction path). */
export function backwardOf<S>(d: Descriptor<S>, structure: Structure, ctx: ComputeContext, saved: S, dEdX: Float64Array): DescriptorGradients {
  return d.vjp(structure, ctx, saved, denseUpstream(dEdX, 1));
}

/** `count` reverse passes of a plain batch dE/dX (count × N × D): the batched algorithm of the descriptor. */
export function backwardManyOf<S>(d: Descriptor<S>, structure: Structure, ctx: ComputeContext, saved: S, dEdX: Float64Array, count: number): DescriptorGradients {
  return d.vjp(structure, ctx, saved, rowsUpstream(dEdX, count, d.width));
}

/** The batched reverse pass of a factored upstream. */
export function backwardFactoredOf<S>(d: Descriptor<S>, structure: Structure, ctx: ComputeContext, saved: S, up: FactoredTerms): DescriptorGradients {
  return d.vjp(structure, ctx, saved, factoredUpstream(up));
}

/**
 * Entries of a factored upstream (N atoms, width D) that can reach the gradients: c is live when a term has a
 * nonzero coefficient and a nonzero row for c, or the own part a nonzero coefficient for c. The others are
 * identically zero upstreams (zero gradients). A block kernel gives such entries per block: the references of its
 * linear parts are zero on the non-linear blocks' columns and vice versa (model/blockKernel.ts blockReferences).
 */
export function liveEntries(up: FactoredTerms, nat: number, width: number): Int32Array {
  const live = new Uint8Array(up.count);
  const nonzero = (a: Float64Array, o: number, len: number): boolean => {
    for (let k = 0; k < len; k++) if (a[o + k] !== 0) return true;
    return false;
  };
  for (let c = 0; c < up.count; c++) {
    if (up.own && nonzero(up.own.coef, c * nat, nat)) live[c] = 1;
    for (let r = 0; r < up.terms.length && !live[c]; r++)
      if (nonzero(up.terms[r].rows, c * width, width) && nonzero(up.terms[r].coef, c * nat, nat)) live[c] = 1;
  }
  let n = 0;
  for (let c = 0; c < up.count; c++) n += live[c];
  const out = new Int32Array(n);
  for (let c = 0, q = 0; c < up.count; c++) if (live[c]) out[q++] = c;
  return out;
}

/** Entries `index` of a factored upstream (N atoms, width D), in that order: coefficients and term rows copied. */
export function selectEntries(up: FactoredTerms, nat: number, width: number, index: Int32Array): FactoredTerms {
  const m = index.length;
  const pick = (a: Float64Array, len: number): Float64Array => {
    const out = new Float64Array(m * len);
    for (let q = 0; q < m; q++) out.set(a.subarray(index[q] * len, index[q] * len + len), q * len);
    return out;
  };
  const terms = up.terms.map((t) => ({ coef: pick(t.coef, nat), rows: pick(t.rows, width) }));
  return up.own ? { count: m, terms, own: { coef: pick(up.own.coef, nat), rows: up.own.rows } } : { count: m, terms };
}
