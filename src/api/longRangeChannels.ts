/**
 * The FKK channels a preset gets from the training data. With periodic structures of one density and no stress rows
 * the volume response of the long-range block is not determined by the data (model/volumeResponse.ts): the fast
 * default channels (ζ up to 2 Å⁻¹) overlap the short-range cutoff and act as force-matched pair terms whose pressure
 * is wrong by several times (xTB NaCl MD, 81 frames at one density: stress error 75–87 meV/Å³ against sr's 24–35,
 * energy 2–3.7× sr's at ±3.4 % density). The slow channels alone (ζ = 0.5 Å⁻¹ · 2⁻ⁿ, n < 6, i.e. decay lengths
 * 2–64 Å) are the part of the block the forces do determine: there the same fit gives 8–15 meV/Å³ and 0.3–0.7× sr's
 * energy error off density (docs/RESULTS.md, § "Long-range block"). So a preset with an FKK block ('lr', 'sr+lr')
 * uses the slow channels in that situation unless the user set `zetaMaxPerA` or `count` of that block; any other
 * data keeps the defaults. The choice is reported (a note in the fit's warnings), never silent.
 */
import type { Structure } from '../core/index.js';
import { SINGLE_DENSITY_WARNING_PREFIX, singleDensityRange, usesStressRows } from '../model/index.js';

/** FKK channels used when the data cannot determine the block's volume response. */
export const SLOW_FKK_CHANNELS = Object.freeze({ zetaMaxPerA: 0.5, count: 6 });

export interface LongRangeChoice {
  /** Preset hypers to use (the input object when nothing changed). */
  hypers: Record<string, unknown> | undefined;
  /** What was chosen and why (null when the defaults stand). */
  note: string | null;
}

/** Where a preset keeps its FKK hypers: the whole object ('lr') or its 'lr' key ('sr+lr'); null for presets without FKK. */
function fkkSlot(preset: string): 'self' | 'lr' | null {
  return preset === 'lr' ? 'self' : preset === 'sr+lr' ? 'lr' : null;
}

/**
 * Preset hypers for these training structures: `SLOW_FKK_CHANNELS` merged into the FKK block's hypers when the
 * structures are periodic at one density, no stress rows will be fitted (`weights.stress` 0 or no stress labels), and
 * the user fixed neither `zetaMaxPerA` nor `count` of that block.
 */
export function longRangeHypersFor(preset: string, hypers: Record<string, unknown> | undefined, train: readonly Structure[], weights?: { stress?: number }): LongRangeChoice {
  const slot = fkkSlot(preset);
  if (!slot) return { hypers, note: null };
  const raw = slot === 'self' ? hypers : hypers?.lr;
  const lr = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : raw === undefined ? {} : null;
  if (lr === null || 'zetaMaxPerA' in lr || 'count' in lr) return { hypers, note: null };
  if (usesStressRows(train, weights)) return { hypers, note: null };
  const range = singleDensityRange(train);
  if (!range) return { hypers, note: null };
  const slow = { ...SLOW_FKK_CHANNELS, ...lr };
  const out = slot === 'self' ? slow : { ...(hypers ?? {}), lr: slow };
  const note = `one density (volume per atom ${range.lo.toPrecision(4)} Å³) and no stress labels: the FKK block uses its slow `
    + `channels only (zetaMaxPerA ${SLOW_FKK_CHANNELS.zetaMaxPerA}, count ${SLOW_FKK_CHANNELS.count}), the part of it the forces `
    + 'determine; its volume response still rests on forces alone — stress labels or a second density make it reliable '
    + '(set lr.zetaMaxPerA / lr.count to override; docs/model.md, "Long-range block")';
  return { hypers: out, note };
}

/** The fit's warnings with the generic one-density warning replaced by the note of the choice made (when one was made). */
export function withLongRangeNote(warnings: readonly string[] | undefined, note: string | null): string[] | undefined {
  if (!note) return warnings ? [...warnings] : undefined;
  return [...(warnings ?? []).filter((w) => !w.startsWith(SINGLE_DENSITY_WARNING_PREFIX)), note];
}
