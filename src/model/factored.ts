/**
 * The kernel-specific factoring of the model's upstream gradients (kernels.ts `factoredGradient`).
 *
 * The force/stress design column of reference b needs the descriptor's vjp with the upstream
 * dE_b/dX_i = ∂K(X_i, X_b)/∂X_i on the atoms i of b's species. For the kernels of this folder that gradient is a
 * short sum of separable terms,
 *   ∂K(X_i, X_b)/∂X_i = Σ_r P_r[b, i] T_r[b, :] + Q[b, i] U[i, :],
 * e.g. the polynomial kernel K = (X̂_i·X̂_b)^ζ: P = ζ S^{ζ−1}/|X_i|, T = X̂_b, Q = −P S, U = X̂_i (S = X̂_i·X̂_b);
 * gaussian: P = (2/s) K, T = X_b, Q = −P, U = X_i; linear: P = 1, T = ∂K/∂X (no own term). This is the
 * descriptors' factored upstream form (descriptors/upstream.ts FactoredTerms), so a batch of references never
 * materialises count × N × D: `asUpstream` hands it to `Descriptor.vjp` as it is.
 */
import { factoredUpstream, type FactoredFormUpstream, type FactoredTerms } from '../descriptors/index.js';

/** `count` per-reference kernel gradients in factored form (coef: count × N; term rows: count × D; own rows: N × D). */
export type FactoredUpstream = FactoredTerms;

/** The factored kernel gradients as a descriptor upstream. */
export function asUpstream(f: FactoredUpstream): FactoredFormUpstream {
  return factoredUpstream(f);
}
