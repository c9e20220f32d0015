/**
 * Composite descriptor (kind 'composite'): concatenates the features of several descriptor blocks, each scaled by
 * √weight, so that a plain inner product of two composite feature vectors is the weighted sum of the blocks' inner
 * products:  X = (√w₁ X₁, √w₂ X₂, …),  X·X' = Σ_b w_b X_b·X'_b.
 * This is how VASP's β⁽²⁾, β⁽³⁾ enter (science.md §1.6: "whenever inproducts are formed … the weights are implicitly
 * squared"), and how the short-range and long-range parts are combined ('sr+lr', 'sr+lode').
 *
 * Hypers (JSON): `{ blocks: [{ spec: {kind, hypers}, weight }] }`. Every block uses the composite's species universe
 * (a block spec may omit `species`; if it gives one it must equal the composite's). `weight` ≥ 0, default 1.
 * The cutoff is the largest block cutoff. Blocks share the per-structure context (and so one neighbour list per
 * cutoff). Backward splits dE/dX by block columns, multiplies by √w and sums the blocks' gradients.
 * `backwardMany` does the same for a batch of upstreams: blocks with their own batched pass get the block's columns
 * (through a column view when they accept one, else a copy); the others are looped over `backward`.
 * `backwardFactored` hands every block the same coefficients and the block's columns of the rows (× √w), leaving
 * out terms whose rows are zero on the block's columns (a block kernel's part terms).
 */
import { FarfieldError } from '../core/index.js';
import type { Structure } from '../core/index.js';
import type { ComputeContext } from './context.js';
import { backwardFactoredOf, backwardManyOf, checkFactored, type FactoredUpstream, type Descriptor, type DescriptorGradients, type DescriptorOutput, type DescriptorSpec } from './descriptor.js';
import { DESCRIPTORS, createDescriptor } from './registry.js';

/** One block of a composite: a descriptor spec (species optional: inherited) and its weight w (features × √w). */
export interface CompositeBlockSpec {
  spec: { kind: string; hypers?: Record<string, unknown>; species?: string[] };
  weight?: number;
}

export interface CompositeHypers {
  blocks: CompositeBlockSpec[];
}

/** A descriptor built from blocks; `blocks[b]` and `weights[b]` are exposed for inspection. */
export class CompositeDescriptor implements Descriptor {
  readonly kind: string;
  readonly species: readonly string[];
  readonly cutoffA: number;
  readonly labels: readonly string[];
  readonly width: number;
  readonly blocks: readonly Descriptor[];
  readonly weights: readonly number[];
  /** First column of each block (length blocks+1). */
  readonly columnOffsets: Int32Array;
  private readonly scales: Float64Array;
  /** JSON to report from toJSON (a named kind such as 'sr' reports its own hypers). */
  private readonly json: () => DescriptorSpec;

  constructor(species: readonly string[], blocks: readonly Descriptor[], weights: readonly number[], options: { kind?: string; toJSON?: () => DescriptorSpec } = {}) {
    if (blocks.length === 0) throw new FarfieldError('INVALID_INPUT', 'composite descriptor: at least one block is required');
    if (weights.length !== blocks.length) throw new FarfieldError('INVALID_INPUT', 'composite descriptor: one weight per block is required');
    weights.forEach((w, b) => {
      if (!(w >= 0) || !Number.isFinite(w)) throw new FarfieldError('INVALID_INPUT', `composite descriptor: block ${b} weight must be a finite number ≥ 0, got ${w}`);
    });
    blocks.forEach((d, b) => {
      if (d.species.length !== species.length || d.species.some((s, k) => s !== species[k]))
        throw new FarfieldError('INVALID_INPUT', `composite descriptor: block ${b} (${d.kind}) has species [${d.species.join(', ')}], expected [${species.join(', ')}]`);
    });
    this.kind = options.kind ?? 'composite';
    this.species = [...species];
    this.blocks = [...blocks];
    this.weights = [...weights];
    this.scales = Float64Array.from(weights, (w) => Math.sqrt(w));
    this.cutoffA = Math.max(...blocks.map((d) => d.cutoffA));
    this.columnOffsets = new Int32Array(blocks.length + 1);
    const labels: string[] = [];
    const seen = new Set<string>();
    blocks.forEach((d, b) => {
      this.columnOffsets[b] = labels.length;
      for (const l of d.labels) {
        // Keep block labels as they are unless two blocks would produce the same label.
        const lab = seen.has(l) ? `b${b}:${l}` : l;
        seen.add(lab);
        labels.push(lab);
      }
    });
    this.columnOffsets[blocks.length] = labels.length;
    this.labels = labels;
    this.width = labels.length;
    this.json = options.toJSON ?? (() => ({
      kind: 'composite',
      species: [...this.species],
      hypers: { blocks: this.blocks.map((d, b) => ({ spec: { kind: d.kind, hypers: d.toJSON().hypers }, weight: this.weights[b] })) },
    }));
  }

  compute(structure: Structure, ctx: ComputeContext): DescriptorOutput {
    const n = structure.species.length;
    const data = new Float64Array(n * this.width);
    const saved: unknown[] = [];
    this.blocks.forEach((d, b) => {
      const out = d.compute(structure, ctx);
      saved.push(out.saved);
      const src = out.features.data, w = d.width, off = this.columnOffsets[b], s = this.scales[b], D = this.width;
      for (let i = 0; i < n; i++) for (let k = 0; k < w; k++) data[i * D + off + k] = s * src[i * w + k];
    });
    return { features: { rows: n, cols: this.width, data, labels: [...this.labels] }, saved };
  }

  backward(structure: Structure, ctx: ComputeContext, saved: unknown, dEdX: Float64Array): DescriptorGradients {
    const n = structure.species.length;
    if (dEdX.length !== n * this.width)
      throw new FarfieldError('INVALID_INPUT', `composite backward: dE/dX has ${dEdX.length} entries, expected ${n}×${this.width}`);
    const parts = saved as unknown[];
    const positions = new Float64Array(3 * n);
    const strain = new Float64Array(9);
    this.blocks.forEach((d, b) => {
      const s = this.scales[b];
      if (s === 0) return;
      const w = d.width, off = this.columnOffsets[b], D = this.width;
      const g = new Float64Array(n * w);
      for (let i = 0; i < n; i++) for (let k = 0; k < w; k++) g[i * w + k] = s * dEdX[i * D + off + k];
      const r = d.backward(structure, ctx, parts[b], g);
      for (let k = 0; k < 3 * n; k++) positions[k] += r.positions[k];
      for (let k = 0; k < 9; k++) strain[k] += r.strain[k];
    });
    return { positions, strain };
  }

  backwardMany(structure: Structure, ctx: ComputeContext, saved: unknown, dEdX: Float64Array, count: number): DescriptorGradients {
    return this.backwardManyView(structure, ctx, saved, dEdX, count);
  }

  /**
   * Batched reverse pass reading the upstream through a column view `{stride, offset, scale}` (entry k of atom i in
   * batch entry c is scale·dEdX[(c·N + i)·stride + offset + k]); without a view the plain layout count × N × width.
   */
  backwardManyView(structure: Structure, ctx: ComputeContext, saved: unknown, dEdX: Float64Array, count: number,
    view?: { stride: number; offset: number; scale: number }): DescriptorGradients {
    const n = structure.species.length, D = this.width;
    const v = view ?? { stride: D, offset: 0, scale: 1 };
    if (!(Number.isInteger(count) && count >= 0))
      throw new FarfieldError('INVALID_INPUT', `composite backwardMany: count must be an integer ≥ 0, got ${count}`);
    if (view ? v.offset + D > v.stride || dEdX.length < count * n * v.stride : dEdX.length !== count * n * D)
      throw new FarfieldError('INVALID_INPUT', `composite backwardMany: dE/dX has ${dEdX.length} entries, expected ${count}×${n}×${D}`);
    const parts = saved as unknown[];
    const positions = new Float64Array(count * 3 * n);
    const strain = new Float64Array(count * 9);
    this.blocks.forEach((d, b) => {
      const s = this.scales[b] * v.scale;
      if (s === 0) return;
      const w = d.width, off = v.offset + this.columnOffsets[b];
      let r: DescriptorGradients;
      const viewed = (d as Partial<ViewedBackward>).backwardManyView;
      if (typeof viewed === 'function') {
        r = viewed.call(d, structure, ctx, parts[b], dEdX, count, { stride: v.stride, offset: off, scale: s });
      } else {
        const g = new Float64Array(count * n * w);
        for (let c = 0; c < count * n; c++) for (let k = 0; k < w; k++) g[c * w + k] = s * dEdX[c * v.stride + off + k];
        r = backwardManyOf(d, structure, ctx, parts[b], g, count);
      }
      for (let k = 0; k < positions.length; k++) positions[k] += r.positions[k];
      for (let k = 0; k < strain.length; k++) strain[k] += r.strain[k];
    });
    return { positions, strain };
  }

  backwardFactored(structure: Structure, ctx: ComputeContext, saved: unknown, up: FactoredUpstream): DescriptorGradients {
    const n = structure.species.length, D = this.width, count = up.count;
    checkFactored('composite', up, n, D);
    const parts = saved as unknown[];
    const positions = new Float64Array(count * 3 * n);
    const strain = new Float64Array(count * 9);
    const slice = (rows: Float64Array, nrows: number, off: number, w: number, s: number): Float64Array => {
      const out = new Float64Array(nrows * w);
      for (let r = 0; r < nrows; r++) for (let k = 0; k < w; k++) out[r * w + k] = s * rows[r * D + off + k];
      return out;
    };
    this.blocks.forEach((d, b) => {
      const s = this.scales[b];
      if (s === 0) return;
      const w = d.width, off = this.columnOffsets[b];
      // terms whose rows vanish on this block's columns contribute nothing to it (a block kernel's parts are zero
      // outside their own columns): dropped, and the block is skipped when nothing is left
      const terms = up.terms.filter((t) => !zeroColumns(t.rows, count, D, off, w)).map((t) => ({ coef: t.coef, rows: slice(t.rows, count, off, w, s) }));
      const own = up.own && !zeroColumns(up.own.rows, n, D, off, w) ? { coef: up.own.coef, rows: slice(up.own.rows, n, off, w, s) } : undefined;
      if (terms.length === 0 && !own) return;
      const sub: FactoredUpstream = own ? { count, terms, own } : { count, terms };
      const r = backwardFactoredOf(d, structure, ctx, parts[b], sub);
      for (let k = 0; k < positions.length; k++) positions[k] += r.positions[k];
      for (let k = 0; k < strain.length; k++) strain[k] += r.strain[k];
    });
    return { positions, strain };
  }

  toJSON(): DescriptorSpec {
    return this.json();
  }
}

/** A block that reads its batched upstream through a column view (short-range descriptors, nested composites). */
interface ViewedBackward {
  backwardManyView(structure: Structure, ctx: ComputeContext, saved: unknown, dEdX: Float64Array, count: number,
    view?: { stride: number; offset: number; scale: number }): DescriptorGradients;
}

/** Build a composite from JSON hypers `{blocks: [{spec, weight}]}`. */
export function createComposite(species: readonly string[], hypers: Record<string, unknown>): CompositeDescriptor {
  const extra = Object.keys(hypers).filter((k) => k !== 'blocks');
  if (extra.length) throw new FarfieldError('INVALID_INPUT', `composite descriptor: unknown hyperparameter(s) ${extra.join(', ')} (expected: blocks)`);
  const blocks = hypers.blocks;
  if (!Array.isArray(blocks) || blocks.length === 0)
    throw new FarfieldError('INVALID_INPUT', 'composite descriptor: hypers.blocks must be a non-empty array of {spec, weight}');
  const descs: Descriptor[] = [];
  const weights: number[] = [];
  blocks.forEach((raw: unknown, b) => {
    const blk = raw as CompositeBlockSpec;
    if (!blk || typeof blk !== 'object' || !blk.spec || typeof blk.spec.kind !== 'string')
      throw new FarfieldError('INVALID_INPUT', `composite descriptor: block ${b} must be {spec: {kind, hypers}, weight}`);
    const sp = blk.spec.species;
    if (sp !== undefined && (sp.length !== species.length || sp.some((s, k) => s !== species[k])))
      throw new FarfieldError('INVALID_INPUT', `composite descriptor: block ${b} species [${sp.join(', ')}] differ from [${species.join(', ')}]`);
    descs.push(createDescriptor({ kind: blk.spec.kind, species: [...species], hypers: blk.spec.hypers ?? {} }));
    const w = blk.weight ?? 1;
    if (typeof w !== 'number') throw new FarfieldError('INVALID_INPUT', `composite descriptor: block ${b} weight must be a number`);
    weights.push(w);
  });
  return new CompositeDescriptor(species, descs, weights);
}

/** Are columns [off, off + w) of every row of `rows` (nrows × D) zero? */
function zeroColumns(rows: Float64Array, nrows: number, D: number, off: number, w: number): boolean {
  for (let r = 0; r < nrows; r++) for (let k = 0; k < w; k++) if (rows[r * D + off + k] !== 0) return false;
  return true;
}

DESCRIPTORS.register('composite', (species, hypers) => createComposite(species, hypers));
