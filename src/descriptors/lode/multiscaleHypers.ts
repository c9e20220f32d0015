/** Hyperparameters of the multi-scale SOAP–LODE descriptor (kind 'lode-ms', multiscale.ts): typed, validated, JSON round-trip. */
import { checkHyperObject, hyperChoice, hyperNumber, renameDeprecatedHypers } from '../hypers.js';

export interface LodeMsHypers {
  lmax: number;
  /** Density part: cutoff (Å), radial functions, smearing (Å). */
  densityCutoffA: number;
  densityCount: number;
  densitySmearingA: number;
  /** Potential part: basis cutoff R_c (Å), radial functions, Gaussian smearing σ (Å). */
  cutoffA: number;
  count: number;
  smearingA: number;
  accuracy: number;
  weight: number;
  kCutoffPerA?: number;
  /** Periodic potential part: 'auto' (cost model), 'split' (Ewald-like, as 'lode') or 'reciprocal' (unsplit). */
  method: 'auto' | 'split' | 'reciprocal';
  /** Overrides of the split width σ′ (Å, > σ) and of the short part's real-space cutoff (Å, > R_c). */
  splitWidthA?: number;
  realCutoffA?: number;
}

export const LODE_MS_DEFAULTS: Readonly<LodeMsHypers> = Object.freeze({
  lmax: 2, densityCutoffA: 4, densityCount: 4, densitySmearingA: 0.5, cutoffA: 4, count: 4, smearingA: 0.5, accuracy: 1e-6, weight: 1, method: 'auto' as const,
});

export function parseLodeMsHypers(h: Record<string, unknown>, what = 'lode-ms descriptor'): LodeMsHypers {
  h = renameDeprecatedHypers(h, what);
  checkHyperObject(h, what, [...Object.keys(LODE_MS_DEFAULTS), 'kCutoffPerA', 'splitWidthA', 'realCutoffA']);
  const num = (key: keyof LodeMsHypers, ok: (x: number) => boolean, expect: string): number =>
    hyperNumber(h, key, what, ok, expect, (LODE_MS_DEFAULTS as unknown as Record<string, number | undefined>)[key]);
  const int = (lo: number, hi: number) => (x: number) => Number.isInteger(x) && x >= lo && x <= hi;
  const out: LodeMsHypers = {
    lmax: num('lmax', int(0, 8), 'an integer in 0..8'),
    densityCutoffA: num('densityCutoffA', (x) => x > 0, 'a positive cutoff in Å'),
    densityCount: num('densityCount', int(1, 32), 'an integer in 1..32'),
    densitySmearingA: num('densitySmearingA', (x) => x > 0, 'a positive smearing in Å'),
    cutoffA: num('cutoffA', (x) => x > 0, 'a positive basis cutoff in Å'),
    count: num('count', int(1, 32), 'an integer in 1..32'),
    smearingA: num('smearingA', (x) => x > 0, 'a positive Gaussian width in Å'),
    accuracy: num('accuracy', (x) => x > 0 && x < 1, 'an absolute error target in (0, 1)'),
    weight: num('weight', (x) => x >= 0, 'a block weight ≥ 0'),
    method: 'auto',
  };
  out.method = hyperChoice(h, 'method', what, ['auto', 'split', 'reciprocal'] as const, 'auto');
  if (h.kCutoffPerA !== undefined) out.kCutoffPerA = num('kCutoffPerA', (x) => x > 0, 'a positive cutoff in Å⁻¹');
  if (h.splitWidthA !== undefined) out.splitWidthA = num('splitWidthA', (x) => x > out.smearingA, `a split width σ′ > smearingA (${out.smearingA}) in Å`);
  if (h.realCutoffA !== undefined) out.realCutoffA = num('realCutoffA', (x) => x > out.cutoffA, `a real-space cutoff > cutoffA (${out.cutoffA}) in Å`);
  return out;
}
