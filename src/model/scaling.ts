/**
 * Automatic block balancing of composite descriptors (fit time).
 *
 * A composite descriptor X = (√w₁ X₁, √w₂ X₂, …) (descriptors/composite.ts) carries configured block weights β_k
 * (for 'sr+lr': β_sr = 1, β_lr = `lrWeight`). The raw blocks can differ by orders of magnitude: on NaCl the FKK
 * block has RMS norm ≈ 250 against ≈ 0.3 for the short-range block (its G = 0 mean-density part grows like
 * (N_J/V)·ζ_n^{-3/2}, science.md §4.6), so |X| — and any kernel on the whole vector — sees only the long-range block.
 * Balancing rescales every block so that its mean contribution to |X|² over the training environments follows the
 * configured weights:
 *
 *   m_k = ⟨|X_k^raw|²⟩_train (all environments of every species),   w_k' = (β_k / Σ_j β_j) / m_k
 *   ⇒ ⟨|√w_k' X_k^raw|²⟩ = β_k/Σβ,   ⟨|X|²⟩ = 1.
 *
 * The balanced weights replace the composite's weights in the descriptor spec, so they are saved in the model file
 * and applied at prediction; scaling is linear, so forces and stress stay exact derivatives. Blocks with β_k = 0 or
 * m_k = 0 keep their weight. Only the top-level column blocks of a composite descriptor are balanced ('sr', one
 * block, keeps VASP's β⁽²⁾ = 0.1, β⁽³⁾ = 0.9 inside). Cost: one pass over the training features, O(N_env·D).
 */
import { withBlockWeights, type ColumnLayout, type DescriptorSpec } from '../descriptors/index.js';

export interface BlockBalanceInfo {
  /** Block descriptor kind ('sr', 'fkk', …). */
  kind: string;
  /** Columns [start, end) of the block in the composite. */
  columns: [number, number];
  /** Configured weight β_k (the composite weight before balancing). */
  configuredWeight: number;
  /** RMS norm √m_k of the unweighted block over the training environments. */
  rmsNorm: number;
  /** Balanced composite weight w_k' (features × √w_k'). */
  weight: number;
}

export interface BlockBalance {
  /** The descriptor spec with balanced block weights. */
  spec: DescriptorSpec;
  /** Per column: √(w_k'/β_k), the factor that turns features computed with β into balanced features. */
  columnFactors: Float64Array;
  blocks: BlockBalanceInfo[];
}

/** A descriptor as block balancing reads it: column blocks (with their configured weights) and its JSON. */
interface Balanceable extends ColumnLayout {
  toJSON(): DescriptorSpec;
}

/** Whether `descriptor` has several top-level column blocks (a composite; what `balanceBlocks` acts on). */
export function isBalanceable(descriptor: ColumnLayout): boolean {
  return descriptor.columnBlocks.length > 1;
}

/**
 * Balanced block weights from the training features (`features[s]` = N_s × D rows of structure s, computed with
 * the configured weights). Returns null when the descriptor is not a multi-block composite.
 */
export function balanceBlocks(descriptor: Balanceable, features: readonly Float64Array[]): BlockBalance | null {
  if (!isBalanceable(descriptor)) return null;
  const d = descriptor, cb = d.columnBlocks;
  const nb = cb.length, width = d.width;
  const off = Int32Array.from({ length: nb + 1 }, (_, k) => (k < nb ? cb[k].start : cb[nb - 1].end));
  const beta = cb.map((b) => b.weight);
  const sum = new Float64Array(nb);
  let count = 0;
  for (const f of features) {
    const rows = f.length / width;
    for (let i = 0; i < rows; i++) {
      for (let k = 0; k < nb; k++) {
        let s = 0;
        for (let c = off[k]; c < off[k + 1]; c++) s += f[i * width + c] * f[i * width + c];
        sum[k] += s;
      }
      count++;
    }
  }
  let betaSum = 0;
  for (const b of beta) betaSum += b;
  const blocks: BlockBalanceInfo[] = [];
  const columnFactors = new Float64Array(width).fill(1);
  for (let k = 0; k < nb; k++) {
    const b = beta[k];
    // mean |X_k|² of the features as computed (× β_k) → raw mean m_k = that / β_k
    const m = b > 0 && count > 0 ? sum[k] / count / b : 0;
    const w = b > 0 && m > 0 ? b / betaSum / m : b;
    blocks.push({ kind: cb[k].name, columns: [off[k], off[k + 1]], configuredWeight: b, rmsNorm: Math.sqrt(m), weight: w });
    const f = b > 0 ? Math.sqrt(w / b) : 1;
    for (let c = off[k]; c < off[k + 1]; c++) columnFactors[c] = f;
  }
  const spec = withBlockWeights(d.toJSON(), blocks.map((b) => b.weight));
  return { spec, columnFactors, blocks };
}

/** Multiply the columns of row-major features (· × D) in place by `factors` (length D). */
export function scaleColumns(features: Float64Array, factors: Float64Array): void {
  const d = factors.length;
  for (let k = 0; k < features.length; k++) features[k] *= factors[k % d];
}
