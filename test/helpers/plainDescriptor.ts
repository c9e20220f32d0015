/**
 * Test descriptors that expose only part of a real descriptor's reverse pass, to exercise the generic vjp adapters
 * (descriptors/upstream.ts): `loopedDescriptor(d)` answers every upstream by a loop of single dense passes
 * (`vjpByLoop`), `batchedDescriptor(d)` by plain batches (`vjpByBatches`). Same compute, labels and metadata as d.
 */
import type { Structure } from '../../src/core/index.js';
import {
  backwardManyOf, backwardOf, vjpByBatches, vjpByLoop, type ComputeContext, type Descriptor, type Upstream,
} from '../../src/descriptors/index.js';

function base<S>(d: Descriptor<S>, vjp: Descriptor<S>['vjp']): Descriptor<S> {
  return {
    kind: d.kind, species: d.species, cutoffA: d.cutoffA, labels: d.labels, width: d.width, columnBlocks: d.columnBlocks,
    compute: d.compute.bind(d), vjp, toJSON: d.toJSON.bind(d),
  };
}

/** d with a vjp that loops over single dense reverse passes. */
export function loopedDescriptor<S>(d: Descriptor<S>): Descriptor<S> {
  return base(d, (s: Structure, ctx: ComputeContext, saved: S, up: Upstream) =>
    vjpByLoop(up, s.species.length, d.width, (g) => backwardOf(d, s, ctx, saved, g)));
}

/** d with a vjp that materialises any upstream into plain batches. */
export function batchedDescriptor<S>(d: Descriptor<S>): Descriptor<S> {
  return base(d, (s: Structure, ctx: ComputeContext, saved: S, up: Upstream) =>
    vjpByBatches(up, s.species.length, d.width, (g, count) => backwardManyOf(d, s, ctx, saved, g, count)));
}
