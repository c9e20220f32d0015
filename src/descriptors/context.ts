/**
 * Per-structure compute context: shares one neighbour list per cutoff, and per-structure data of the descriptor
 * kinds (plans, k-vector sets, structure factors, radial tables), between the descriptor blocks of one structure.
 * Create one per structure; never reuse it after the structure changes; drop it to free everything it holds.
 *
 * Per-structure data are typed: a module declares a `ContextSlot<T>` once (its kind of data) and asks the context
 * for the value of that slot under an id (the hyperparameters it depends on); no string-keyed bag, no casts at the
 * call sites.
 *
 * State that outlives one structure lives in a `ComputeWorkspace` the caller owns (a calculator along an MD
 * trajectory) and passes to each context: neighbour lists with a skin (geometry/verlet.ts). A list is built at
 * cutoff + skin only once the workspace sees a trajectory — a structure of the same system (atom count, cell,
 * pbc) whose atoms moved less than the skin since the previous call — and is then reused, refreshed in O(pairs),
 * until an atom has moved more than skin/2; unrelated structures (frames of a data set) get a plain list at the
 * cutoff, as without a workspace. Lists from the workspace hold the same pairs as fresh ones (order within a centre
 * may differ, so sums over pairs can differ in the last bits). Drop the workspace to free it.
 *
 * Half pair lists (`halfPairs`, 3-D periodic only; geometry/pairList.ts `VerletPairList`) serve pair sums that read
 * each unordered pair once and filter by distance themselves (the FKK real space): along a trajectory the list at
 * cutoff + skin is kept and used as it stands — no refreshed copy at the cutoff — at 4 + 4 + 24 bytes per unordered
 * pair instead of the full list's 4 + 4 + 12 + 24 + 8 per directed pair plus its stored skin list; unrelated
 * structures get a list at the cutoff itself (skin 0), the same as a context without a workspace.
 *
 * Buffers: a structure that does not continue the trajectory (the first of a run, or an unrelated one) gets its
 * plain list written into the buffers the workspace keeps for that cutoff — those the refreshed full list and the
 * skinned half list then reuse — so a run allocates its list buffers once, not once for the first call and again
 * for the trajectory. Every list the workspace hands out is therefore valid until the next request for the same
 * cutoff (one per ComputeContext).
 */
import type { Structure } from '../core/index.js';
import { VerletPairList, buildNeighbourList, neighbourListCache, type NeighbourList, type NeighbourListCache } from '../geometry/index.js';

/** Default neighbour-list skin of a ComputeWorkspace, Å. */
export const DEFAULT_SKIN_A = 1;

interface ListEntry {
  cache: NeighbourListCache;
  /** The structure of the previous request (positions copied), to tell a trajectory from unrelated structures. */
  last: { positions: Float64Array; cell: Float64Array; pbc: boolean[] } | null;
  /** The plain list served for `last`, when it was one (served again for the same structure). */
  plain: NeighbourList | null;
}

/** Caller-owned state reused from structure to structure along a trajectory (see the module header). */
export class ComputeWorkspace {
  private readonly lists = new Map<number, ListEntry>();
  private readonly halfLists = new Map<number, { list: VerletPairList; last: ListEntry['last'] }>();
  private readonly buffers = new Map<object, Map<string, Float64Array>>();

  constructor(readonly skinA = DEFAULT_SKIN_A) {}

  /**
   * A zeroed Float64Array of `length` kept under (`owner`, `name`) and handed out again, zeroed, by the next call
   * with the same key and length: per-call state of a descriptor (its `saved` coefficients) without a new large
   * allocation per MD step. The previous call's contents are overwritten, so a buffer must not outlive its call.
   */
  buffer(owner: object, name: string, length: number): Float64Array {
    let m = this.buffers.get(owner);
    if (!m) this.buffers.set(owner, (m = new Map()));
    let b = m.get(name);
    if (!b || b.length !== length) m.set(name, (b = new Float64Array(length)));
    else b.fill(0);
    return b;
  }

  /** Full neighbour list of `structure` at `cutoffA` (reused along a trajectory). */
  neighbours(structure: Structure, cutoffA: number): NeighbourList {
    let e = this.lists.get(cutoffA);
    if (!e) {
      e = { cache: neighbourListCache(cutoffA, this.skinA), last: null, plain: null };
      this.lists.set(cutoffA, e);
    }
    if (e.cache.valid(structure)) {
      e.plain = null; // its buffers are rewritten now
      return e.cache.get(structure);
    }
    // the same structure again (e.g. the uncertainty of MD step 0): the plain list it was served, still in the buffers
    if (e.plain && e.last && continues(e.last, structure, 0)) return e.plain;
    const onTrajectory = e.last !== null && continues(e.last, structure, this.skinA);
    e.last = { positions: structure.positions.slice(), cell: structure.cell.slice(), pbc: [...structure.pbc] };
    e.plain = onTrajectory ? null : e.cache.plain(structure);
    return e.plain ?? e.cache.get(structure);
  }

  /**
   * Half pair list of a 3-D periodic `structure` holding every unordered pair within `cutoffA` (and, along a
   * trajectory, some beyond it, up to cutoff + skin: the caller filters). Valid until the next call with this cutoff.
   */
  halfPairs(structure: Structure, cutoffA: number): VerletPairList {
    let e = this.halfLists.get(cutoffA);
    if (!e) {
      e = { list: new VerletPairList(cutoffA, this.skinA), last: null };
      this.halfLists.set(cutoffA, e);
    }
    if (e.list.valid(structure.positions, structure.cell)) return e.list;
    const onTrajectory = e.last !== null && continues(e.last, structure, this.skinA);
    e.last = { positions: structure.positions.slice(), cell: structure.cell.slice(), pbc: [...structure.pbc] };
    // not on a trajectory: the exact list at the cutoff (= freshHalfPairs), in the buffers of the skinned one
    e.list.update(structure.positions, structure.cell, onTrajectory ? this.skinA : 0);
    return e.list;
  }

  /** The cutoffs (Å) full lists have been asked for. */
  get cutoffsA(): number[] {
    return [...this.lists.keys()];
  }

  /** The cutoffs (Å) half pair lists have been asked for. */
  get halfCutoffsA(): number[] {
    return [...this.halfLists.keys()];
  }

  /** Full rebuilds at cutoff + skin so far, over all cutoffs. */
  get rebuilds(): number {
    let r = 0;
    for (const e of this.lists.values()) r += e.cache.rebuilds;
    for (const e of this.halfLists.values()) r += e.list.rebuilds - e.list.exactBuilds;
    return r;
  }
}

/** A half pair list at the cutoff itself (no skin), for one structure. */
function freshHalfPairs(structure: Structure, cutoffA: number): VerletPairList {
  const l = new VerletPairList(cutoffA, 0);
  l.update(structure.positions, structure.cell);
  return l;
}

/** Same system as `prev` (atom count, cell, pbc) with every atom moved by less than `maxMove`. */
function continues(prev: NonNullable<ListEntry['last']>, s: Structure, maxMove: number): boolean {
  const p = s.positions;
  if (p.length !== prev.positions.length) return false;
  for (let k = 0; k < 9; k++) if (s.cell[k] !== prev.cell[k]) return false;
  for (let d = 0; d < 3; d++) if (s.pbc[d] !== prev.pbc[d]) return false;
  const m2 = maxMove * maxMove, q = prev.positions;
  for (let k = 0; k < p.length; k += 3) {
    const dx = p[k] - q[k], dy = p[k + 1] - q[k + 1], dz = p[k + 2] - q[k + 2];
    if (dx * dx + dy * dy + dz * dz > m2) return false;
  }
  return true;
}

/** A typed slot of per-structure data (one per kind of data; values are kept per id string). */
export class ContextSlot<T> {
  /** Brand so that slots of different types are not interchangeable. */
  declare private readonly type: T;
  constructor(readonly name: string) {}
}

export class ComputeContext {
  private readonly lists = new Map<number, NeighbourList>();
  private readonly halfLists = new Map<number, VerletPairList>();
  private readonly slots = new Map<ContextSlot<unknown>, Map<string, unknown>>();

  /**
   * Whether the caller reads the strain derivative of the reverse passes on this context (default true). False (a
   * calculation without stress, e.g. MD without a barostat): descriptors may skip work that only the strain needs
   * and then return NaN for the strain, so a misread cannot pass for a value.
   */
  readonly strain: boolean;

  /** `workspace`: state reused from structure to structure (neighbour lists with a skin); none by default. */
  constructor(readonly structure: Structure, readonly workspace: ComputeWorkspace | null = null, options: { strain?: boolean } = {}) {
    this.strain = options.strain ?? true;
  }

  /**
   * A zeroed Float64Array for per-call state (see ComputeWorkspace.buffer): reused from call to call under
   * (`owner`, `name`) when the context has a workspace, a new array otherwise.
   */
  buffer(owner: object, name: string, length: number): Float64Array {
    return this.workspace ? this.workspace.buffer(owner, name, length) : new Float64Array(length);
  }

  /** Full neighbour list with the given cutoff (built once, then shared). */
  neighbours(cutoffA: number): NeighbourList {
    let nl = this.lists.get(cutoffA);
    if (!nl) {
      nl = this.workspace ? this.workspace.neighbours(this.structure, cutoffA) : buildNeighbourList(this.structure, cutoffA);
      this.lists.set(cutoffA, nl);
    }
    return nl;
  }

  /**
   * Half pair list (3-D periodic structures; see the module header) holding every unordered pair within `cutoffA`,
   * possibly more (up to cutoff + the workspace's skin): callers drop pairs at |r| ≥ cutoff. Built once, then shared.
   */
  halfPairs(cutoffA: number): VerletPairList {
    let l = this.halfLists.get(cutoffA);
    if (!l) {
      l = this.workspace ? this.workspace.halfPairs(this.structure, cutoffA) : freshHalfPairs(this.structure, cutoffA);
      this.halfLists.set(cutoffA, l);
    }
    return l;
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
