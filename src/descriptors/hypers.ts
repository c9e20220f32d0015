/**
 * Validation helpers for the long-range descriptors' hyperparameter objects (fkk, lode, lode-ms): the object itself
 * with its known keys, numbers with a range check and choices from a list. Every error is a
 * FarfieldError('INVALID_INPUT') naming the descriptor, the key, what was expected and what was given.
 */
import { FarfieldError, didYouMean } from '../core/index.js';

/**
 * Pre-0.2 spellings of hyperparameters → their one name (docs/conventions.md): the Gaussian width of the atoms is
 * `smearingA` everywhere (as in the short-range descriptors), the width of the Gaussian that splits a lattice sum into
 * a short and a long part is `splitWidthA` everywhere. Accepted one release with a warning, so model files and
 * configs written before still load.
 */
export const DEPRECATED_HYPERS: Readonly<Record<string, string>> = Object.freeze({ sigmaA: 'smearingA', splitSigmaA: 'splitWidthA', kCutoff: 'kCutoffPerA' });

/** `h` with deprecated keys renamed (a copy; `h` itself is returned when it has none), with a console.warn per renamed
 * key each time (no module state: descriptors are built a few times per run); an old and a new spelling together are
 * refused. Non-objects pass through for the caller's check. */
export function renameDeprecatedHypers<T>(h: T, what: string): T {
  if (h === null || typeof h !== 'object' || Array.isArray(h)) return h;
  const src = h as Record<string, unknown>;
  if (!Object.keys(DEPRECATED_HYPERS).some((k) => k in src)) return h;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    const now = DEPRECATED_HYPERS[k];
    if (now === undefined) {
      out[k] = v;
      continue;
    }
    if (now in src) throw new FarfieldError('INVALID_INPUT', `${what}: '${k}' and '${now}' are the same hyperparameter (old and new name); give only '${now}'`);
    out[now] = v;
    console.warn(`farfield: ${what}: hyperparameter '${k}' is deprecated, read as '${now}' (the old name is accepted until the next release)`);
  }
  return out as T;
}

/** `h` must be a plain object whose keys are all in `known`. */
export function checkHyperObject(h: unknown, what: string, known: Iterable<string>): asserts h is Record<string, unknown> {
  if (h === null || typeof h !== 'object' || Array.isArray(h)) throw new FarfieldError('INVALID_INPUT', `${what}: hypers must be an object`);
  const keys = [...known];
  for (const k of Object.keys(h))
    if (!keys.includes(k)) throw new FarfieldError('INVALID_INPUT', `${what}: unknown hyperparameter '${k}'${didYouMean(k, keys)} (known: ${keys.join(', ')})`);
}

/** h[key] (or `dflt` when absent) as a finite number satisfying `ok`. */
export function hyperNumber(h: Record<string, unknown>, key: string, what: string, ok: (x: number) => boolean, expect: string, dflt?: number): number {
  const v = h[key] ?? dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v))
    throw new FarfieldError('INVALID_INPUT', `${what}: hyperparameter '${key}' must be ${expect}, got ${JSON.stringify(h[key])}`);
  return v;
}

/** h[key] (or `dflt`) as one of `allowed`. */
export function hyperChoice<T extends string>(h: Record<string, unknown>, key: string, what: string, allowed: readonly T[], dflt: T): T {
  const v = h[key] ?? dflt;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
    throw new FarfieldError('INVALID_INPUT', `${what}: hyperparameter '${key}' must be one of ${allowed.join(', ')}, got ${JSON.stringify(h[key])}`);
  return v as T;
}
