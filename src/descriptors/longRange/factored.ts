/**
 * The factored vjp for descriptors that have a plain batched reverse pass but no Jacobian-level factored pass (FKK,
 * LODE): the factored upstream (upstream.ts FactoredTerms)
 *   g_c[i, k] = Σ_r P_r[c, i] T_r[c, k] + Q[c, i] U[i, k]
 * is turned into as few upstream channels of ONE batched reverse pass as the structure of the coefficients allows,
 * using only that the reverse pass is linear in the upstream:
 * - entries whose contribution is zero (coefficient row or row vector all zero) are skipped. A block kernel's
 *   selected references have the long-range block at its neutral value, so their long-range upstream is zero; only
 *   the pseudo-references of the linear part reach the long-range pass (blockKernel.ts `blockReferences`).
 * - term entries sharing one coefficient vector a (a linear kernel's P is the species indicator for every reference)
 *   use the D basis upstreams a ⊗ e_k when the group has more than D entries: result_c = Σ_k T_r[c, k] R(a ⊗ e_k).
 * - the own term uses the N basis upstreams e_i ⊗ U_i when more than N entries have it: result_c = Σ_i Q[c, i] R_i.
 * - everything else is expanded to its own upstream (N × D each).
 * Results equal the batched pass on the materialised upstream up to round-off. Memory: the channels of one batch
 * (≤ FACTORED_LR_BYTES of upstream), never count × N × D for the whole batch.
 */
import type { DescriptorGradients } from '../descriptor.js';
import type { FactoredTerms } from '../upstream.js';

/** Upstream bytes per batched reverse pass call. */
export const FACTORED_LR_BYTES = 32 * 2 ** 20;

type Many = (dEdX: Float64Array, count: number) => DescriptorGradients;

/** A channel of the batched pass: an upstream N × D generator and where its result goes. */
interface Channel {
  fill(out: Float64Array): void;
  /** Add w · result to entry c for every (c, w). */
  targets: { c: number; w: number }[] | null;
  /** Direct channel: the result is entry c's whole contribution from this part (weight 1). */
  entry: number;
}

function allZero(a: Float64Array, o: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (a[o + k] !== 0) return false;
  return true;
}

/** The factored reverse pass through `many(dEdX, count)` (the descriptor's batched pass on the same structure). */
export function backwardFactoredViaMany(up: FactoredTerms, nat: number, width: number, many: Many): DescriptorGradients {
  const count = up.count, P3 = 3 * nat, D = width;
  const positions = new Float64Array(count * P3), strain = new Float64Array(count * 9);
  if (count === 0 || nat === 0 || D === 0) return { positions, strain };
  const channels: Channel[] = [];

  for (const t of up.terms) {
    // group the non-zero entries by their coefficient vector (exact equality)
    const groups = new Map<string, number[]>();
    for (let c = 0; c < count; c++) {
      if (allZero(t.rows, c * D, D) || allZero(t.coef, c * nat, nat)) continue;
      const key = Array.prototype.join.call(t.coef.subarray(c * nat, (c + 1) * nat), ',');
      const g = groups.get(key);
      if (g) g.push(c);
      else groups.set(key, [c]);
    }
    for (const list of groups.values()) {
      if (list.length > D) {
        const ao = list[0] * nat;
        for (let k = 0; k < D; k++) {
          const targets: { c: number; w: number }[] = [];
          for (const c of list) {
            const w = t.rows[c * D + k];
            if (w !== 0) targets.push({ c, w });
          }
          if (targets.length === 0) continue;
          channels.push({
            fill: (out) => { for (let i = 0; i < nat; i++) out[i * D + k] = t.coef[ao + i]; },
            targets, entry: -1,
          });
        }
      } else
        for (const c of list)
          channels.push({
            fill: (out) => {
              for (let i = 0; i < nat; i++) {
                const p = t.coef[c * nat + i];
                if (p === 0) continue;
                for (let k = 0; k < D; k++) out[i * D + k] = p * t.rows[c * D + k];
              }
            },
            targets: null, entry: c,
          });
    }
  }

  const own = up.own;
  if (own) {
    const live: number[] = [];
    for (let c = 0; c < count; c++) if (!allZero(own.coef, c * nat, nat)) live.push(c);
    const liveAtoms: number[] = [];
    for (let i = 0; i < nat; i++) if (!allZero(own.rows, i * D, D)) liveAtoms.push(i);
    if (liveAtoms.length > 0) {
      if (live.length > liveAtoms.length)
        for (const i of liveAtoms) {
          const targets: { c: number; w: number }[] = [];
          for (const c of live) {
            const w = own.coef[c * nat + i];
            if (w !== 0) targets.push({ c, w });
          }
          if (targets.length === 0) continue;
          channels.push({ fill: (out) => out.set(own.rows.subarray(i * D, (i + 1) * D), i * D), targets, entry: -1 });
        }
      else
        for (const c of live)
          channels.push({
            fill: (out) => {
              for (const i of liveAtoms) {
                const q = own.coef[c * nat + i];
                if (q === 0) continue;
                for (let k = 0; k < D; k++) out[i * D + k] += q * own.rows[i * D + k];
              }
            },
            targets: null, entry: c,
          });
    }
  }

  if (channels.length === 0) return { positions, strain };
  const size = nat * D;
  const chunk = Math.max(1, Math.min(channels.length, Math.floor(FACTORED_LR_BYTES / (8 * size))));
  const buf = new Float64Array(chunk * size);
  for (let h0 = 0; h0 < channels.length; h0 += chunk) {
    const h1 = Math.min(channels.length, h0 + chunk), cnt = h1 - h0;
    buf.fill(0, 0, cnt * size);
    for (let h = h0; h < h1; h++) channels[h].fill(buf.subarray((h - h0) * size, (h - h0 + 1) * size));
    const g = many(buf.subarray(0, cnt * size), cnt);
    for (let h = h0; h < h1; h++) {
      const ch = channels[h], go = (h - h0) * P3, so = (h - h0) * 9;
      const list = ch.targets ?? [{ c: ch.entry, w: 1 }];
      for (const { c, w } of list) {
        const po = c * P3;
        for (let k = 0; k < P3; k++) positions[po + k] += w * g.positions[go + k];
        for (let k = 0; k < 9; k++) strain[c * 9 + k] += w * g.strain[so + k];
      }
    }
  }
  return { positions, strain };
}
