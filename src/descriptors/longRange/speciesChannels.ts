/**
 * Shared skeleton of the per-species channel descriptors (FKK `fkk`, LODE ν = 1 `lode`): columns (species J, channel n)
 * labelled `kind:J:n`, infinite range, 3-D periodic or open boundaries (mixed refused). The forward pass and every
 * reverse pass (`backward`, batched `backwardMany`, factored `backwardFactored`) go through two hooks a subclass
 * implements once, each serving forward (X) and reverse (g, out) alike:
 *  - `periodicPass` — lattice sums under the subclass's plan (real space, k-vectors, PME, split);
 *  - `finitePass`   — open boundaries, the direct pair sum.
 * Plans are the subclass's own (made per cell by `plan`); the reverse pass reuses the forward pass's plan and a
 * gradient-independent `store` kept in `saved`.
 */
import { FarfieldError, isFullyPeriodic, isPeriodic, type Structure } from '../../core/index.js';
import type { ComputeContext } from '../context.js';
import { checkFactored, checkUpstreamBatch, speciesMap, type Descriptor, type DescriptorGradients, type DescriptorOutput, type DescriptorSpec, type FactoredUpstream } from '../descriptor.js';
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

export abstract class SpeciesChannelDescriptor<P> implements Descriptor {
  abstract readonly kind: string;
  readonly species: readonly string[];
  readonly cutoffA = Infinity;
  readonly labels: readonly string[];
  readonly width: number;
  /** 'fkk descriptor', 'lode descriptor' — used in messages (the subclass's `kind` is not set yet in our constructor). */
  private readonly what: string;
  private readonly name: string;

  protected constructor(name: string, species: readonly string[], channels: number) {
    this.name = name;
    this.what = `${name} descriptor`;
    if (species.length === 0) throw new FarfieldError('INVALID_INPUT', `${this.what}: the species list is empty`);
    this.species = [...species];
    const labels: string[] = [];
    for (const J of this.species) for (let n = 0; n < channels; n++) labels.push(`${name}:${J}:${n + 1}`);
    this.labels = labels;
    this.width = labels.length;
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

  compute(structure: Structure, ctx: ComputeContext): DescriptorOutput {
    const { periodic, types } = this.setup(structure);
    const X = new Float64Array(types.length * this.width);
    const saved: SpeciesChannelSaved<P> = { periodic, types, plan: null, store: {} };
    if (periodic) {
      saved.plan = this.plan(structure, ctx);
      this.periodicPass(structure, ctx, saved.plan, types, X, null, null, saved.store);
    } else this.finitePass(structure, types, X, null, null);
    return { features: { rows: types.length, cols: this.width, data: X, labels: [...this.labels] }, saved };
  }

  backward(structure: Structure, ctx: ComputeContext, saved: unknown, dEdX: Float64Array): DescriptorGradients {
    const N = (saved as SpeciesChannelSaved<P>).types.length;
    if (dEdX.length !== N * this.width)
      throw new FarfieldError('INVALID_INPUT', `${this.name} backward: dE/dX has ${dEdX.length} entries, expected ${N}×${this.width}`);
    return this.backwardMany(structure, ctx, saved, dEdX, 1);
  }

  /** `count` reverse passes at once (batched k-vector pass, one pair loop for all upstreams). */
  backwardMany(structure: Structure, ctx: ComputeContext, saved: unknown, dEdX: Float64Array, count: number): DescriptorGradients {
    const s = saved as SpeciesChannelSaved<P>;
    const N = s.types.length;
    checkUpstreamBatch(this.name, dEdX, count, N, this.width);
    const out: GradientSinkMany = { gPos: new Float64Array(count * 3 * N), gStrain: new Float64Array(count * 9), count };
    if (s.periodic) this.periodicPass(structure, ctx, s.plan as P, s.types, null, dEdX, out, s.store);
    else this.finitePass(structure, s.types, null, dEdX, out);
    return { positions: out.gPos, strain: out.gStrain };
  }

  /**
   * Factored upstream (descriptor.ts FactoredUpstream): zero entries skipped, entries sharing a coefficient vector
   * through basis upstreams, all as channels of one `backwardMany` (factored.ts). Same results as backwardMany.
   */
  backwardFactored(structure: Structure, ctx: ComputeContext, saved: unknown, up: FactoredUpstream): DescriptorGradients {
    const N = (saved as SpeciesChannelSaved<P>).types.length;
    checkFactored(this.name, up, N, this.width);
    return backwardFactoredViaMany(up, N, this.width, (g, c) => this.backwardMany(structure, ctx, saved, g, c));
  }
}
