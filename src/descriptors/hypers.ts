/**
 * Validation helpers for the long-range descriptors' hyperparameter objects (fkk, lode, lode-ms): the object itself
 * with its known keys, numbers with a range check and choices from a list. Every error is a
 * FarfieldError('INVALID_INPUT') naming the descriptor, the key, what was expected and what was given.
 */
import { FarfieldError, didYouMean } from '../core/index.js';

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
