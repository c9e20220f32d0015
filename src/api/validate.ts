/**
 * Up-front validation of user configuration (what `fit --config` and `compare --config` read), so a misspelled key or
 * an unknown solver fails in a second instead of after the descriptors and normal equations were computed.
 *
 * Unknown keys are errors naming the closest known key by Levenshtein distance (the minimum number of single-character
 * insertions, deletions and substitutions), e.g. 'selecton' → "did you mean 'selection'?". The key lists are typed
 * as `Record<keyof Config, …>`, so adding a field to a config interface without listing it here is a compile error.
 */
import { FarfieldError, didYouMean } from '../core/index.js';
import { KERNELS, type ChargeFitOptions, type FitConfig, type SelectionConfig, type SolverConfig } from '../model/index.js';
import type { FitModelConfig } from './fit.js';

export { closestName, levenshtein } from '../core/index.js';

/** "unknown key 'x' in WHERE; did you mean 'y'? (known: …)" */
export function unknownNameMessage(what: string, name: string, known: readonly string[], where: string): string {
  return `${where}: unknown ${what} '${name}'${didYouMean(name, known)} (known: ${known.join(', ')})`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Throw on keys of `obj` not in `known` (FarfieldError naming the closest known key). */
export function checkKeys(obj: Record<string, unknown>, known: readonly string[], where: string): void {
  for (const k of Object.keys(obj)) if (!known.includes(k)) throw new FarfieldError('INVALID_INPUT', unknownNameMessage('key', k, known, where));
}

function expectObject(v: unknown, where: string): Record<string, unknown> {
  if (!isObject(v)) throw new FarfieldError('INVALID_INPUT', `${where} must be a JSON object, got ${JSON.stringify(v)}`);
  return v;
}

function expectNumber(v: unknown, where: string, test: (x: number) => boolean = Number.isFinite, what = 'a finite number'): void {
  if (v !== undefined && (typeof v !== 'number' || !test(v))) throw new FarfieldError('INVALID_INPUT', `${where} must be ${what}, got ${JSON.stringify(v)}`);
}

type KeysOf<T> = Record<keyof T, true>;
const keys = <T>(r: KeysOf<T>): string[] => Object.keys(r);

const FIT_CONFIG_KEYS = keys<FitModelConfig>({
  descriptors: true, descriptorHypers: true, species: true, kernel: true, balance: true, selection: true, weights: true, solver: true,
  uncertainty: true, batch: true, threads: true, charges: true,
});
const CHARGE_KEYS = keys<ChargeFitOptions>({ count: true, sigmaA: true, accuracy: true, iterations: true, tolerance: true, initial: true, seed: true, totalChargeKeys: true, ridge: true, hardness: true, fitHardness: true, fragments: true, hardnessRidge: true });
const SELECTION_KEYS = keys<SelectionConfig>({ method: true, count: true, seed: true, epsCur: true, blockSize: true });
const WEIGHT_KEYS = keys<NonNullable<FitConfig['weights']>>({ energy: true, forces: true, stress: true });
const SELECTION_METHODS = ['fps', 'cur', 'random'] satisfies SelectionConfig['method'][];
type SolverKind = SolverConfig['kind'];
const SOLVER_KEYS: { [K in SolverKind]: string[] } = {
  svd: keys<Extract<SolverConfig, { kind: 'svd' }>>({ kind: true, rcond: true }),
  bayes: keys<Extract<SolverConfig, { kind: 'bayes' }>>({ kind: true, sigmaV0: true, sigmaW0: true, maxIterations: true, tolerance: true }),
  ridge: keys<Extract<SolverConfig, { kind: 'ridge' }>>({ kind: true, lambda: true }),
};

/** Validate the solver part of a fit configuration. */
export function validateSolverConfig(v: unknown, where = 'solver'): void {
  const s = expectObject(v, where);
  const kinds = Object.keys(SOLVER_KEYS);
  if (typeof s.kind !== 'string') throw new FarfieldError('INVALID_INPUT', `${where}: 'kind' is required (one of ${kinds.join(', ')})`);
  if (!kinds.includes(s.kind)) throw new FarfieldError('INVALID_INPUT', unknownNameMessage('solver kind', s.kind, kinds, where));
  checkKeys(s, SOLVER_KEYS[s.kind as SolverKind], `${where} (${s.kind})`);
  for (const k of Object.keys(s)) if (k !== 'kind') expectNumber(s[k], `${where}.${k}`);
}

/**
 * Validate a fit configuration (FitModelConfig, e.g. the content of `fit --config`) before any work: unknown keys at
 * every level, solver kind and its parameters, kernel kind, selection method and counts, weights, flags.
 * `shared` = the compare form, where descriptor choices come from the command line (descriptors, species not allowed).
 */
export function validateFitConfig(cfg: unknown, where = 'fit configuration', shared = false): void {
  const c = expectObject(cfg, where);
  const known = shared ? FIT_CONFIG_KEYS.filter((k) => k !== 'descriptors' && k !== 'species') : FIT_CONFIG_KEYS;
  checkKeys(c, known, where);
  if (c.descriptors !== undefined && typeof c.descriptors !== 'string' && !isObject(c.descriptors))
    throw new FarfieldError('INVALID_INPUT', `${where}: 'descriptors' must be a preset name or a descriptor spec object`);
  if (c.descriptorHypers !== undefined) expectObject(c.descriptorHypers, `${where}: 'descriptorHypers'`);
  if (c.species !== undefined && !(Array.isArray(c.species) && c.species.every((x) => typeof x === 'string')))
    throw new FarfieldError('INVALID_INPUT', `${where}: 'species' must be a list of element symbols`);
  if (c.kernel !== undefined) {
    const k = expectObject(c.kernel, `${where}: 'kernel'`);
    checkKeys(k, ['kind', 'hypers'], `${where}: kernel`);
    if (typeof k.kind !== 'string') throw new FarfieldError('INVALID_INPUT', `${where}: kernel needs a 'kind' (one of ${KERNELS.names().join(', ')})`);
    if (!KERNELS.has(k.kind)) throw new FarfieldError('INVALID_INPUT', unknownNameMessage('kernel kind', k.kind, KERNELS.names(), `${where}: kernel`));
    if (k.hypers !== undefined) expectObject(k.hypers, `${where}: kernel.hypers`);
  }
  if (c.selection !== undefined) {
    const s = expectObject(c.selection, `${where}: 'selection'`);
    checkKeys(s, SELECTION_KEYS, `${where}: selection`);
    if (s.method !== undefined && (typeof s.method !== 'string' || !(SELECTION_METHODS as string[]).includes(s.method)))
      throw new FarfieldError('INVALID_INPUT', unknownNameMessage('selection method', String(s.method), SELECTION_METHODS, `${where}: selection`));
    const posInt = (x: number) => Number.isInteger(x) && x >= 1;
    if (isObject(s.count)) for (const [sym, n] of Object.entries(s.count)) expectNumber(n, `${where}: selection.count.${sym}`, posInt, 'an integer ≥ 1');
    else expectNumber(s.count, `${where}: selection.count`, posInt, 'an integer ≥ 1 or {symbol: count}');
    expectNumber(s.seed, `${where}: selection.seed`, Number.isInteger, 'an integer');
    expectNumber(s.epsCur, `${where}: selection.epsCur`, (x) => x > 0, 'a positive number');
    expectNumber(s.blockSize, `${where}: selection.blockSize`, posInt, 'an integer ≥ 1');
  }
  if (c.weights !== undefined) {
    const w = expectObject(c.weights, `${where}: 'weights'`);
    checkKeys(w, WEIGHT_KEYS, `${where}: weights`);
    for (const k of Object.keys(w)) expectNumber(w[k], `${where}: weights.${k}`, (x) => x >= 0 && Number.isFinite(x), 'a number ≥ 0');
  }
  if (c.solver !== undefined) validateSolverConfig(c.solver, `${where}: solver`);
  for (const k of ['balance', 'uncertainty'] as const)
    if (c[k] !== undefined && typeof c[k] !== 'boolean') throw new FarfieldError('INVALID_INPUT', `${where}: '${k}' must be true or false`);
  expectNumber(c.batch, `${where}: batch`, (x) => Number.isInteger(x) && x >= 1, 'an integer ≥ 1');
  if (c.threads !== undefined && c.threads !== 1 && c.threads !== 2) throw new FarfieldError('INVALID_INPUT', `${where}: 'threads' must be 1 or 2`);
  if (c.charges !== undefined) {
    const q = expectObject(c.charges, `${where}: 'charges'`);
    checkKeys(q, CHARGE_KEYS, `${where}: charges`);
    expectNumber(q.sigmaA, `${where}: charges.sigmaA`, (x) => x > 0 && Number.isFinite(x), 'a positive width in Å');
    expectNumber(q.accuracy, `${where}: charges.accuracy`, (x) => x > 0 && x < 1, 'a relative accuracy in (0, 1)');
    expectNumber(q.iterations, `${where}: charges.iterations`, (x) => Number.isInteger(x) && x >= 0, 'an integer ≥ 0');
    expectNumber(q.tolerance, `${where}: charges.tolerance`, (x) => x >= 0 && Number.isFinite(x), 'a number ≥ 0');
    expectNumber(q.seed, `${where}: charges.seed`, Number.isInteger, 'an integer');
    expectNumber(q.ridge, `${where}: charges.ridge`, (x) => x >= 0 && Number.isFinite(x), 'a number ≥ 0');
    expectNumber(q.hardnessRidge, `${where}: charges.hardnessRidge`, (x) => x >= 0 && Number.isFinite(x), 'a number ≥ 0 (relative ridge on ln J)');
    if (q.count !== undefined && typeof q.count !== 'number' && (typeof q.count !== 'object' || q.count === null))
      throw new FarfieldError('INVALID_INPUT', `${where}: charges.count must be a number or {species: number}`);
    if (q.hardness !== undefined && (typeof q.hardness !== 'object' || q.hardness === null || Object.values(q.hardness).some((j) => typeof j !== 'number' || !(j > 0))))
      throw new FarfieldError('INVALID_INPUT', `${where}: charges.hardness must be {species: J > 0 (eV/e²)}`);
    if (q.fragments !== undefined) {
      const fr = q.fragments as { startKeys?: unknown; chargeKeys?: unknown } | null;
      const strings = (v: unknown) => Array.isArray(v) && v.every((k) => typeof k === 'string');
      if (!fr || typeof fr !== 'object' || !strings(fr.startKeys) || !strings(fr.chargeKeys) || (fr.chargeKeys as string[]).length !== (fr.startKeys as string[]).length + 1)
        throw new FarfieldError('INVALID_INPUT', `${where}: charges.fragments must be {startKeys: [info keys], chargeKeys: [one more info key]}, e.g. {"startKeys": ["indexB"], "chargeKeys": ["chargeA", "chargeB"]}`);
    }
    if (q.fitHardness !== undefined && typeof q.fitHardness !== 'boolean')
      throw new FarfieldError('INVALID_INPUT', `${where}: charges.fitHardness must be true or false`);
    if (q.totalChargeKeys !== undefined && (!Array.isArray(q.totalChargeKeys) || q.totalChargeKeys.some((k) => typeof k !== 'string')))
      throw new FarfieldError('INVALID_INPUT', `${where}: charges.totalChargeKeys must be a list of info keys`);
  }
}
