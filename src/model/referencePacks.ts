/**
 * Pre-packed GEMM operands of a kernel's reference rows (issue 17): a calculator multiplies every block of atoms
 * with the same reference rows R (n_B × D) twice per force call — S = A·Rᵀ (dot products) and G = P·R (gradient) —
 * and the plain `gemm` copies and packs all of R on every call (≈ 1000 × 568 × 8 B = 4.6 MB, twice per block).
 * `ReferencePacks` packs R once per role with `Linalg.packB` and hands the pack back while the same prepared rows
 * (object, array, shape and linear-algebra backend) are asked for; `gemmPacked` is bitwise the plain `gemm`. The
 * polynomial kernel keeps only the 'dots' pack and reads it transposed for P·R (`gemmPackedT`, also bitwise): one pack
 * per reference set instead of two (issue 17 goal 4); the 'grad' role stays for callers that want R's own layout.
 *
 * Invalidation: packs are keyed by the prepared row block (a `KernelRows` object, dropped with it) and checked
 * against the key (the array they were made from, or the rows object when its rows are immutable) and shape, so a
 * new reference set (incremental learning builds new prepared rows when it adds references) never meets a stale
 * pack. Prepared rows are never changed in place (design.ts);
 * whoever did so would have to prepare new rows. A replaced pack is freed at once; the others when their rows are
 * garbage-collected (the linalg FinalizationRegistry).
 */
import { getLinalg, type Linalg, type PackedB, type PackRowsProducer } from '../math/index.js';

/** 'dots': op(B) = Rᵀ (k = D, n = n_B) for A·Rᵀ; 'grad': op(B) = R (k = n_B, n = D) for P·R. */
export type PackRole = 'dots' | 'grad';

interface Entry {
  key: object;
  rows: number;
  cols: number;
  pack: PackedB;
}

export class ReferencePacks {
  private readonly byOwner = new WeakMap<object, Map<PackRole, Entry>>();

  /**
   * The pack in `role` of the rows × cols row-major array `source()` for the rows object `owner`: the cached one when
   * it was made from the same `key` (the array itself, or the owner when its rows cannot change) and shape by the
   * current backend; otherwise a new one when `create` (source() is read only then), else null. A 'dots' pack is
   * made from `blocks` when given (Linalg.packBTransposedFrom: the rows produced a depth block at a time, the same
   * pack without the whole source array).
   */
  get(owner: object, role: PackRole, key: object, rows: number, cols: number, create: boolean, source: () => Float64Array,
    la: Linalg = getLinalg(), blocks?: PackRowsProducer): PackedB | null {
    let m = this.byOwner.get(owner);
    const e = m?.get(role);
    if (e && e.key === key && e.rows === rows && e.cols === cols && e.pack.backend === la.backend && !e.pack.freed) return e.pack;
    if (e) {
      e.pack.free();
      m!.delete(role);
    }
    if (!create) return null;
    const pack = role === 'dots' ? (blocks ? la.packBTransposedFrom(cols, rows, blocks) : la.packB(source(), cols, rows, true)) : la.packB(source(), rows, cols, false);
    if (!m) {
      m = new Map();
      this.byOwner.set(owner, m);
    }
    m.set(role, { key, rows, cols, pack });
    return pack;
  }

  /** True when `owner` has a live pack in every one of `roles`. */
  has(owner: object, ...roles: PackRole[]): boolean {
    const m = this.byOwner.get(owner);
    return m !== undefined && roles.every((r) => m.get(r)?.pack.freed === false);
  }

  /** Free the packs of `owner` now (e.g. before dropping a reference set). */
  release(owner: object): void {
    const m = this.byOwner.get(owner);
    if (!m) return;
    for (const e of m.values()) e.pack.free();
    this.byOwner.delete(owner);
  }
}
