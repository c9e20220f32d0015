/**
 * Per-structure compute context: shares one neighbour list per cutoff (and other cell-keyed caches) between the
 * descriptor blocks of one structure. Create one per structure; never reuse it after the structure changes.
 */
import type { Structure } from '../core/index.js';
import { buildNeighbourList, type NeighbourList } from '../geometry/index.js';

export class ComputeContext {
  private readonly lists = new Map<number, NeighbourList>();
  /** Free-form per-structure cache for descriptor kinds (e.g. k-vectors, structure factors). */
  readonly cache = new Map<string, unknown>();

  constructor(readonly structure: Structure) {}

  /** Full neighbour list with the given cutoff (built once, then shared). */
  neighbours(cutoffA: number): NeighbourList {
    let nl = this.lists.get(cutoffA);
    if (!nl) {
      nl = buildNeighbourList(this.structure, cutoffA);
      this.lists.set(cutoffA, nl);
    }
    return nl;
  }
}
