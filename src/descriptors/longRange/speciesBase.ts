/**
 * The skeleton every species-resolved long-range descriptor shares (FKK `fkk`, LODE ν = 1 `lode`, multi-scale
 * SOAP–LODE `lode-ms`): the species universe and its validation, the column labels and their one column group,
 * the boundary policy (3-D periodic, and open boundaries where the subclass has a direct pair sum; mixed
 * periodicity refused), the atom → species-index map, and the reverse pass's upstream check and dispatch to one
 * batched hook. What differs is only how columns are computed: per-species channels whose energy response is
 * linear (speciesChannels.ts: FKK and LODE) or a product of density and potential coefficients (lode/multiscale.ts).
 */
import { FarfieldError, isFullyPeriodic, isPeriodic, type Structure } from '../../core/index.js';
import type { ComputeContext } from '../context.js';
import { singleBlock, speciesMap, type ColumnBlock, type ColumnGroup, type Descriptor, type DescriptorGradients, type DescriptorOutput, type DescriptorSpec } from '../descriptor.js';
import { checkUpstream, type Upstream } from '../upstream.js';

/** Which boundaries the subclass can evaluate: both 3-D periodic and open, or 3-D periodic only. */
export type Boundaries = 'periodic-or-open' | 'periodic';

/** What every species-resolved saved state carries. */
export interface SpeciesSaved {
  periodic: boolean;
  /** Atom → descriptor species index. */
  types: Int32Array;
}

export interface SpeciesDescriptorLayout {
  /** Kind name, used in labels and messages. */
  name: string;
  species: readonly string[];
  /** Column labels, given the validated species list. */
  labels: (species: readonly string[]) => string[];
  /** The one column group's metadata. */
  group: Omit<ColumnGroup, 'name' | 'start' | 'end'>;
  boundaries: Boundaries;
}

export abstract class SpeciesDescriptorBase<S extends SpeciesSaved> implements Descriptor<S> {
  abstract readonly kind: string;
  readonly species: readonly string[];
  readonly cutoffA = Infinity;
  readonly labels: readonly string[];
  readonly width: number;
  readonly columnBlocks: readonly ColumnBlock[];
  /** 'fkk descriptor', … — used in messages (the subclass's `kind` is not set yet in our constructor). */
  protected readonly what: string;
  protected readonly name: string;
  private readonly boundaries: Boundaries;

  protected constructor(layout: SpeciesDescriptorLayout) {
    this.name = layout.name;
    this.what = `${layout.name} descriptor`;
    if (layout.species.length === 0) throw new FarfieldError('INVALID_INPUT', `${this.what}: the species list is empty`);
    this.species = [...layout.species];
    this.labels = layout.labels(this.species);
    this.width = this.labels.length;
    this.columnBlocks = singleBlock(layout.name, this.width, layout.group);
    this.boundaries = layout.boundaries;
  }

  abstract toJSON(): DescriptorSpec;
  abstract compute(structure: Structure, ctx: ComputeContext): DescriptorOutput<S>;
  /** The reverse pass for `count` dense upstreams dE/dX (count × N × width), one batched pass. */
  protected abstract batched(structure: Structure, ctx: ComputeContext, saved: S, dEdX: Float64Array, count: number): DescriptorGradients;
  /** Hands any upstream form to `batched` (dense directly; views and factored upstreams as the subclass chooses). */
  protected abstract dispatch(up: Upstream, N: number, many: (dEdX: Float64Array, count: number) => DescriptorGradients): DescriptorGradients;

  /** Boundary policy and the atom → species-index map. */
  protected setup(structure: Structure): SpeciesSaved {
    const periodic = isFullyPeriodic(structure);
    if (this.boundaries === 'periodic' && !periodic)
      throw new FarfieldError('UNSUPPORTED', `${this.what}: only 3-D periodic structures are supported (pbc [${structure.pbc.join(', ')}])`);
    if (isPeriodic(structure) && !periodic)
      throw new FarfieldError('UNSUPPORTED', `${this.what}: mixed periodicity [${structure.pbc.join(', ')}] is not supported (use 3-D periodic or none)`);
    const map = speciesMap(structure, this.species, this.what);
    return { periodic, types: Int32Array.from(structure.species, (s) => map[s]) };
  }

  vjp(structure: Structure, ctx: ComputeContext, saved: S, up: Upstream): DescriptorGradients {
    checkUpstream(this.name, up, saved.types.length, this.width);
    return this.dispatch(up, saved.types.length, (g, count) => this.batched(structure, ctx, saved, g, count));
  }
}
