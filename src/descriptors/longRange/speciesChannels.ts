/**
 * The per-species channel descriptors (FKK `fkk`, LODE ν = 1 `lode`) on the species skeleton (speciesBase.ts, shared
 * with lode-ms): columns (species J, channel n) labelled `kind:J:n`, 3-D periodic or open boundaries; one column group
 * of body order 2 whose energy response is linear (FKK: density coefficients, LODE: potential coefficients). The forward
 * pass and the reverse pass (`vjp`, any upstream form, as one batched pass) go through two hooks a subclass
 * implements once, each serving forward (X) and reverse (g, out) alike:
 *  - `periodicPass` — lattice sums under the subclass's plan (real space, k-vectors, PME, split);
 *  - `finitePass`   — open boundaries, the direct pair sum.
 * Plans are the subclass's own (made per cell by `plan`); the reverse pass reuses the forward pass's plan and a
 * gradient-independent `store` kept in `saved`.
 */
import { FarfieldError, type Structure } from '../../core/index.js';
import type { ComputeContext } from '../context.js';
import type { ColumnGroup, DescriptorGradients, DescriptorOutput } from '../descriptor.js';
import { isPlain, materialise, type Upstream } from '../upstream.js';
import { SpeciesDescriptorBase, type SpeciesSaved } from './speciesBase.js';
import { backwardFactoredViaMany } from './factored.js';
import type { GradientSinkMany, ReciprocalStore } from './speciesReciprocal.js';

/** What `compute` leaves for the reverse passes. */
export interface SpeciesChannelSaved<P> extends SpeciesSaved {
  plan: P | null;
  /** Gradient-independent reverse-pass data, filled on the first reverse pass. */
  store: ReciprocalStore;
}

export abstract class SpeciesChannelDescriptor<P> extends SpeciesDescriptorBase<SpeciesChannelSaved<P>> {
  protected constructor(name: string, species: readonly string[], channels: number, linear: NonNullable<ColumnGroup['linear']>) {
    super({
      name,
      species,
      labels: (sp) => sp.flatMap((J) => Array.from({ length: channels }, (_, n) => `${name}:${J}:${n + 1}`)),
      group: { bodyOrder: 2, range: 'long', linear, speciesChannels: species.length },
      boundaries: 'periodic-or-open',
    });
  }

  /** The evaluation plan of a periodic structure (cached by the subclass). */
  abstract plan(structure: Structure, ctx?: ComputeContext): P;
  /** Periodic forward (X ≠ null) or reverse (g, out ≠ null: `out.count` upstream gradients) pass. */
  protected abstract periodicPass(structure: Structure, ctx: ComputeContext, plan: P, types: Int32Array, X: Float64Array | null, g: Float64Array | null, out: GradientSinkMany | null, store: ReciprocalStore): void;
  /** Open-boundary forward or reverse pass (all pairs). */
  protected abstract finitePass(structure: Structure, types: Int32Array, X: Float64Array | null, g: Float64Array | null, out: GradientSinkMany | null): void;

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
  protected dispatch(up: Upstream, N: number, many: (dEdX: Float64Array, count: number) => DescriptorGradients): DescriptorGradients {
    const W = this.width;
    if (up.form === 'factored') return backwardFactoredViaMany(up, N, W, many);
    if (isPlain(up, W)) return many(up.data.subarray(0, up.count * N * W), up.count);
    const g = new Float64Array(up.count * N * W);
    materialise(up, N, W, 0, up.count, g);
    return many(g, up.count);
  }

  protected batched(structure: Structure, ctx: ComputeContext, s: SpeciesChannelSaved<P>, dEdX: Float64Array, count: number): DescriptorGradients {
    const N = s.types.length;
    const out: GradientSinkMany = { gPos: new Float64Array(count * 3 * N), gStrain: new Float64Array(count * 9), count };
    if (s.periodic) {
      if (!s.plan) throw new FarfieldError('INVALID_INPUT', `${this.what} vjp: saved state has no plan (not from compute on this structure)`);
      this.periodicPass(structure, ctx, s.plan, s.types, null, dEdX, out, s.store);
    } else this.finitePass(structure, s.types, null, dEdX, out);
    return { positions: out.gPos, strain: out.gStrain };
  }
}
