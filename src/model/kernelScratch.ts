/**
 * Work buffers and row views of the weighted kernel evaluation (`Kernel.weighted`, kernels.ts), the path a
 * calculator takes for energies and dE/dX (kernelModel.ts):
 *
 *   e_i += Σ_b w_b K(x_i, x_b),      g_i += Σ_b w_b ∂K(x_i, x_b)/∂x_i
 *
 * - `RowView`: rows of a larger row-major array, row i at data[(index ? index[i] : i)·stride + col0 …], so a kernel
 *   reads an atom's features straight from the descriptor output and adds its gradient straight into dE/dX
 *   (no gathered copies, no per-block gradient array).
 * - `KernelScratch`: named buffers that grow to the largest size asked for and are then reused from block to block
 *   and call to call (one per KernelModel; not shared between concurrent calls). Contents are NOT cleared: a user
 *   overwrites what it reads.
 */

export interface RowView {
  data: Float64Array;
  stride: number;
  col0: number;
  /** Row i is row index[i] of data; null: row i. */
  index: ArrayLike<number> | null;
}

/** Offset of row i's first column in view.data. */
export function rowOffset(v: RowView, i: number): number {
  return (v.index ? v.index[i] : i) * v.stride + v.col0;
}

export class KernelScratch {
  private readonly bufs = new Map<string, Float64Array>();
  /**
   * Kernels may pre-pack the reference rows of their GEMMs once and reuse the packs (referencePacks.ts; same bits).
   * false: plain GEMMs that pack the references on every call (the code before; kept for A/B benches and tests).
   */
  packReferences = true;

  /** A buffer of exactly n values (stale contents), backed by one growing allocation per key. */
  get(key: string, n: number): Float64Array {
    let b = this.bufs.get(key);
    if (!b || b.length < n) {
      b = new Float64Array(Math.max(n, Math.ceil((b?.length ?? 0) * 1.5)));
      this.bufs.set(key, b);
    }
    return b.length === n ? b : b.subarray(0, n);
  }

  /** Total values held (for memory accounting in tests and benches). */
  get size(): number {
    let s = 0;
    for (const b of this.bufs.values()) s += b.length;
    return s;
  }
}
