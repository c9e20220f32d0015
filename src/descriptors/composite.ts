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
 * cutoff). The vjp hands every block its columns of the upstream × √w (upstream.ts `upstreamColumns`: a row view
 * for one dense gradient or a batch, sliced rows for a factored upstream, leaving out terms that are zero on the
 * block) and sums the blocks' gradients; a factored upstream whose entries are mostly zero on a block (liveEntries) is
 * handed to that block with its live entries only.
 * Column metadata: a composite of kind 'composite' has one column block per child (a block kernel's parts); a named
 * composite (e.g. 'sr' = radial + angular) is one block. Leaf groups are the children's, shifted.
 */
import { FarfieldError } from '../core/index.js';
import type { Structure } from '../core/index.js';
import type { ComputeContext } from './context.js';
import { columnGroups, type ColumnBlock, type Descriptor, type DescriptorGradients, type DescriptorOutput, type DescriptorSpec, type FeatureTarget } from './descriptor.js';
import { checkUpstream, factoredUpstream, liveEntries, selectEntries, upstreamColumns, zeroGradients, type Upstream } from './upstream.js';
import { DESCRIPTORS, createDescriptor } from './registry.js';

/** One block of a composite: a descriptor spec (species optional: inherited) and its weight w (features × √w). */
export interface CompositeBlockSpec {
  spec: { kind: string; hypers?: Record<string, unknown>; species?: string[] };
  weight?: number;
}

export interface CompositeHypers {
  blocks: CompositeBlockSpec[];
}

/** Reverse-pass state of a composite: each block's own state, in block order (typed by the block). */
export type CompositeSaved = readonly unknown[];

/** A descriptor built from blocks; `blocks[b]` and `weights[b]` are exposed for inspection. */
export class CompositeDescriptor implements Descriptor<CompositeSaved> {
  readonly kind: string;
  readonly species: readonly string[];
  readonly cutoffA: number;
  readonly labels: readonly string[];
  readonly width: number;
  readonly columnBlocks: readonly ColumnBlock[];
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
    const off = this.columnOffsets;
    const groupsOf = (d: Descriptor, b: number) => columnGroups(d).map((g) => ({ ...g, start: g.start + off[b], end: g.end + off[b] }));
    this.columnBlocks = options.kind !== undefined
      ? [{ name: this.kind, start: 0, end: this.width, weight: 1, groups: this.blocks.flatMap(groupsOf) }]
      : this.blocks.map((d, b) => ({ name: d.kind, start: off[b], end: off[b + 1], weight: this.weights[b], groups: groupsOf(d, b) }));
    this.json = options.toJSON ?? (() => ({
      kind: 'composite',
      species: [...this.species],
      hypers: { blocks: this.blocks.map((d, b) => ({ spec: { kind: d.kind, hypers: d.toJSON().hypers }, weight: this.weights[b] })) },
    }));
  }

  compute(structure: Structure, ctx: ComputeContext): DescriptorOutput<CompositeSaved> {
    const n = structure.species.length;
    const data = new Float64Array(n * this.width);
    const saved = this.computeInto(structure, ctx, { data, stride: this.width, offset: 0 });
    return { features: { rows: n, cols: this.width, data, labels: [...this.labels] }, saved };
  }

  /**
   * Every block's features written into its columns of one matrix and scaled there by √w (Descriptor.computeInto;
   * blocks without computeInto are computed and copied). Same values as scaling a copy: s · x_k either way.
   */
  computeInto(structure: Structure, ctx: ComputeContext, target: FeatureTarget): CompositeSaved {
    const n = structure.species.length, { data, stride: D } = target;
    const saved: unknown[] = [];
    this.blocks.forEach((d, b) => {
      const w = d.width, off = target.offset + this.columnOffsets[b], s = this.scales[b];
      if (d.computeInto) {
        saved.push(d.computeInto(structure, ctx, { data, stride: D, offset: off }));
        for (let i = 0; i < n; i++) for (let k = 0; k < w; k++) data[i * D + off + k] = s * data[i * D + off + k];
        return;
      }
      const out = d.compute(structure, ctx);
      saved.push(out.saved);
      const src = out.features.data;
      for (let i = 0; i < n; i++) for (let k = 0; k < w; k++) data[i * D + off + k] = s * src[i * w + k];
    });
    return saved;
  }

  vjp(structure: Structure, ctx: ComputeContext, saved: CompositeSaved, up: Upstream): DescriptorGradients {
    const n = structure.species.length, D = this.width;
    checkUpstream('composite', up, n, D);
    const { positions, strain } = zeroGradients(up.count, n);
    this.blocks.forEach((d, b) => {
      const s = this.scales[b];
      if (s === 0) return;
      const sub = upstreamColumns(up, n, D, this.columnOffsets[b], d.width, s);
      if (!sub) return;
      // a factored upstream whose entries mostly vanish on this block (a block kernel's linear-part references on the
      // short-range block, its non-linear references on the long-range block): the block runs on the live entries only
      const live = sub.form === 'factored' ? liveEntries(sub, n, d.width) : null;
      if (live && sub.form === 'factored' && 4 * live.length <= 3 * up.count) {
        if (live.length === 0) return;
        const r = d.vjp(structure, ctx, saved[b], factoredUpstream(selectEntries(sub, n, d.width, live)));
        for (let q = 0; q < live.length; q++) {
          const po = live[q] * 3 * n, ro = q * 3 * n, so = live[q] * 9;
          for (let k = 0; k < 3 * n; k++) positions[po + k] += r.positions[ro + k];
          for (let k = 0; k < 9; k++) strain[so + k] += r.strain[q * 9 + k];
        }
        return;
      }
      const r = d.vjp(structure, ctx, saved[b], sub);
      for (let k = 0; k < positions.length; k++) positions[k] += r.positions[k];
      for (let k = 0; k < strain.length; k++) strain[k] += r.strain[k];
    });
    return { positions, strain };
  }

  toJSON(): DescriptorSpec {
    return this.json();
  }
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

/**
 * The JSON of a composite (kind 'composite') with new block weights, one per top-level block (block balancing,
 * model/scaling.ts). Any other spec is refused.
 */
export function withBlockWeights(spec: DescriptorSpec, weights: readonly number[]): DescriptorSpec {
  const blocks = spec.hypers?.blocks;
  if (spec.kind !== 'composite' || !Array.isArray(blocks) || blocks.length !== weights.length)
    throw new FarfieldError('INVALID_INPUT', `composite descriptor: cannot set ${weights.length} block weight(s) on a '${spec.kind}' spec`);
  return { ...spec, hypers: { ...spec.hypers, blocks: blocks.map((blk: CompositeBlockSpec, k) => ({ ...blk, weight: weights[k] })) } };
}

DESCRIPTORS.register('composite', (species, hypers) => createComposite(species, hypers));
