/**
 * Shared skeleton of the per-species channel descriptors (FKK `fkk`, LODE ν = 1 `lode`): columns (species J, channel n)
 * labelled `kind:J:n`, infinite range, 3-D periodic or open boundaries (mixed refused); one column group of body
 * order 2 whose energy response is linear (FKK: density coefficients, LODE: potential coefficients). The forward
 * pass and the reverse pass (`vjp`, any upstream form, as one batched pass) go through two hooks a subclass
 * implements once, each serving forward (X) and reverse (g, out) alike:
 *  - `periodicPass` — lattice sums under the subclass's plan (real space, k-vectors, PME, split);
 *  - `finitePass`   — open boundaries, the direct pair sum.
 * Plans are the subclass's own (made per cell by `plan`); the reverse pass reuses the forward pass's plan and a
 * gradient-independent `store` kept in `saved`.
 */
import { FarfieldError, isFullyPeriodic, isPeriodic, type Structure } from '../../core/index.js';
import type { ComputeContext } from '../context.js';
import { singleBlock, speciesMap, type ColumnBlock, type ColumnGroup, type Descriptor, type DescriptorGradients, type DescriptorOutput, type DescriptorSpec } from '../descriptor.js';
import { checkUpstream, isPlain, materialise, type Upstream } from '../upstream.js';
import { backwardFactoredViaMany } from './factored.js';
import type { GradientSinkMany, ReciprocalStore } from './speciesReciprocal.js';

/** What `compute` leaves for the reverse passes. */
export interface SpeciesChannelSaved<P> {
  periodic: boolean;
  /** Atom → descriptor species index. */
  types: Int32Array;
  plan: P | null;
  /** Gradient-independent reverse-pass data, filled on the first reverse pass. */
  store: ReciprocalStore;
}

export abstract class SpeciesChannelDescriptor<P> implements Descriptor<SpeciesChannelSaved<P>> {
  abstract readonly kind: string;
  readonly species: readonly string[];
  readonly cutoffA = Infinity;
  readonly labels: readonly string[];
  readonly width: number;
  readonly columnBlocks: readonly ColumnBlock[];
  /** 'fkk descriptor', 'lode descriptor' — used in messages (the subclass's `kind` is not set yet in our constructor). */
  private readonly what: string;
  private readonly name: string;

  protected constructor(name: string, species: readonly string[], channels: number, linear: NonNullable<ColumnGroup['linear']>) {
    this.name = name;
    this.what = `${name} descriptor`;
    if (species.length === 0) throw new FarfieldError('INVALID_INPUT', `${this.what}: the species list is empty`);
    this.species = [...species];
    const labels: string[] = [];
    for (const J of this.species) for (let n = 0; n < channels; n++) labels.push(`${name}:${J}:${n + 1}`);
    this.labels = labels;
    this.width = labels.length;
    this.columnBlocks = singleBlock(name, this.width, { bodyOrder: 2, range: 'long', linear, speciesChannels: this.species.length });
  }

  abstract toJSON(): DescriptorSpec;
  /** The evaluation plan of a periodic structure (cached by the subclass). */
  abstract plan(structure: Structure, ctx?: ComputeContext): P;
  /** Periodic forward (X ≠ null) or reverse (g, out ≠ null: `out.count` upstream gradients) pass. */
  protected abstract periodicPass(structure: Structure, ctx: ComputeContext, plan: P, types: Int32Array, X: Float64Array | null, g: Float64Array | null, out: GradientSinkMany | null, store: ReciprocalStore): void;
  /** Open-boundary forward or reverse pass (all pairs). */
  protected abstract finitePass(structure: Structure, types: Int32Array, X: Float64Array | null, g: Float64Array | null, out: GradientSinkMany | null): void;

  private setup(structure: Structure): { periodic: boolean; types: Int32Array } {
    if (isPeriodic(structure) && !isFullyPeriodic(structure))
      throw new FarfieldError('UNSUPPORTED', `${this.what}: mixed periodicity [${structure.pbc.join(', ')}] is not supported (use 3-D periodic or none)`);
    const map = speciesMap(structure, this.species, this.what);
    return { periodic: isFullyPeriodic(structure), types: Int32Array.from(structure.species, (s) => map[s]) };
  }

  compute(structure: Structure, ctx: ComputeContext): DescriptorOutput<SpeciesChannelSaved<P>> {
    const { periodic, types } = this.setup(structure);
    const X = new Float64Array(types.length * this.width);
    const saved: SpeciesChannelSaved<P> = { periodic, types, plan: null, store: {} };
    if (periodic) {
      saved.plan = this.plan(structure, ctx);
      this.periodicPass(structure, ctx, saved.plan, types, X, null, null, saved.store);
    } else this.finitePass(structure, types, X, null, null);
    return { features: { rows: types.length, cols: this.width, data: X, labels: [...this.labels] }, saved };
  }

  /**
   * Every upstream form as one batched pass (batched k-vector pass, one pair loop for all upstreams): dense batches
   * directly, a row view copied once, a factored upstream through basis channels (factored.ts).
   */
  vjp(structure: Structure, ctx: ComputeContext, saved: SpeciesChannelSaved<P>, up: Upstream): DescriptorGradients {
    const N = saved.types.length, W = this.width;
    checkUpstream(this.name, up, N, W);
    const many = (g: Float64Array, count: number): DescriptorGradients => this.batched(structure, ctx, saved, g, count);
    if (up.form === 'factored') return backwardFactoredViaMany(up, N, W, many);
    if (isPlain(up, W)) return many(up.data.subarray(0, up.count * N * W), up.count);
    const g = new Float64Array(up.count * N * W);
    materialise(up, N, W, 0, up.count, g);
    return many(g, up.count);
  }

  private batched(structure: Structure, ctx: ComputeContext, s: SpeciesChannelSaved<P>, dEdX: Float64Array, count: number): DescriptorGradients {
    const N = s.types.length;
    const out: GradientSinkMany = { gPos: new Float64Array(count * 3 * N), gStrain: new Float64Array(count * 9), count };
    if (s.periodic) {
      if (!s.plan) throw new FarfieldError('INVALID_INPUT', `${this.what} vjp: saved state has no plan (not from compute on this structure)`);
      this.periodicPass(structure, ctx, s.plan, s.types, null, dEdX, out, s.store);
    } else this.finitePass(structure, s.types, null, dEdX, out);
    return { positions: out.gPos, strain: out.gStrain };
  }
}
