/**
 * Per-structure compute context: shares one neighbour list per cutoff, and per-structure data of the descriptor
 * kinds (plans, k-vector sets, structure factors, radial tables), between the descriptor blocks of one structure.
 * Create one per structure; never reuse it after the structure changes; drop it to free everything it holds.
 *
 * Per-structure data are typed: a module declares a `ContextSlot<T>` once (its kind of data) and asks the context
 * for the value of that slot under an id (the hyperparameters it depends on); no string-keyed bag, no casts at the
 * call sites.
 */
import type { Structure } from '../core/index.js';
import { buildNeighbourList, type NeighbourList } from '../geometry/index.js';

/** A typed slot of per-structure data (one per kind of data; values are kept per id string). */
export class ContextSlot<T> {
  /** Brand so that slots of different types are not interchangeable. */
  declare private readonly type: T;
  constructor(readonly name: string) {}
}

export class ComputeContext {
  private readonly lists = new Map<number, NeighbourList>();
  private readonly slots = new Map<ContextSlot<unknown>, Map<string, unknown>>();

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

  /** The value of `slot` under `id`, or undefined. */
  get<T>(slot: ContextSlot<T>, id: string): T | undefined {
    // the map of a slot only ever receives values of the slot's type (set below)
    return this.slots.get(slot)?.get(id) as T | undefined;
  }

  /** Store the value of `slot` under `id`. */
  set<T>(slot: ContextSlot<T>, id: string, value: T): void {
    let m = this.slots.get(slot);
    if (!m) {
      m = new Map<string, unknown>();
      this.slots.set(slot, m);
    }
    m.set(id, value);
  }

  /** The value of `slot` under `id`, made by `make` on the first request. */
  memo<T>(slot: ContextSlot<T>, id: string, make: () => T): T {
    const hit = this.get(slot, id);
    if (hit !== undefined) return hit;
    const v = make();
    this.set(slot, id, v);
    return v;
  }
}
