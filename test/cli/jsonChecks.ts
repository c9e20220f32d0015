/**
 * Checks shared by the `--json` tests (json-output.test.ts and json-output.nightly.test.ts): stdout parses as exactly
 * one JSON object; the pre-0.2 keys kept one release as aliases equal their new names; no key breaks the naming
 * scheme of docs/conventions.md.
 */
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';

/** stdout must parse as exactly one JSON object (what `| jq` needs). */
export function oneObject(out: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(out);
  } catch (e) {
    assert.fail(`${what}: stdout is not one JSON value (${(e as Error).message}):\n${out.slice(0, 400)}`);
  }
  assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), `${what}: not an object`);
  return v as Record<string, unknown>;
}

/** Pre-0.2 keys kept one release as deprecated aliases of the names of docs/conventions.md: alias → new key. */
export const ALIASES: Record<string, Record<string, string>> = {
  evalSummary: { n_structures: 'structures' },
  energy: { rmse_meV_per_atom: 'rmseMevPerAtom', mae_meV_per_atom: 'maeMevPerAtom', rmspe_percent: 'rmspePercent' },
  forces: { rmse_meV_per_A: 'rmseMevPerA', mae_meV_per_A: 'maeMevPerA', rmspe_percent: 'rmspePercent' },
  stress: { rmse_meV_per_A3: 'rmseMevPerA3', mae_meV_per_A3: 'maeMevPerA3', rmspe_percent: 'rmspePercent' },
  fit: { timings_s: 'timingsS' },
  ewald: { energy: 'energyEv', forces: 'forcesEvPerA', stress: 'stressEvPerA3' },
  ewaldParameters: { alpha: 'alphaPerA' },
};

/** Every alias is present and equal to its new key. */
export function checkAliases(o: Record<string, unknown>, table: Record<string, string>, what: string): void {
  for (const [old, now] of Object.entries(table)) {
    assert.ok(now in o, `${what}: new key '${now}' missing (keys: ${Object.keys(o).join(', ')})`);
    assert.ok(old in o, `${what}: deprecated alias '${old}' missing`);
    assert.deepEqual(o[old], o[now], `${what}: '${old}' ≠ '${now}'`);
  }
}

/** Keys of an output object that break the naming scheme (snake_case, unit words) and are not a listed alias. */
export function offScheme(o: unknown, allowed: Set<string>, path = ''): string[] {
  if (o === null || typeof o !== 'object') return [];
  if (Array.isArray(o)) return o.flatMap((x, i) => offScheme(x, allowed, `${path}[${i}]`));
  return Object.entries(o).flatMap(([k, v]) => [
    ...(/^[a-z][A-Za-z0-9]*$/.test(k) && !/(meV|eV|_)/.test(k) || allowed.has(k) ? [] : [`${path}.${k}`]),
    ...offScheme(v, allowed, `${path}.${k}`),
  ]);
}

/** The listed aliases (allowed beside the scheme). */
export const ALIAS_KEYS = new Set(Object.values(ALIASES).flatMap((t) => Object.keys(t)));

/** An evaluation summary (eval, fit's errors.train): its aliases and those of its energy/forces/stress parts. */
export function checkSummaryAliases(s: Record<string, unknown>, what: string): void {
  checkAliases(s, ALIASES.evalSummary, what);
  for (const q of ['energy', 'forces', 'stress'] as const) if (s[q]) checkAliases(s[q] as Record<string, unknown>, ALIASES[q], `${what}.${q}`);
}

/** Runs each `[args, key]` with `--json` through the real CLI: exit 0, one object on stdout holding `key`; the objects by command. */
export function runJsonCases(cases: readonly (readonly [string[], string])[]): Record<string, Record<string, unknown>> {
  const outputs: Record<string, Record<string, unknown>> = {};
  for (const [args, key] of cases) {
    const r = runCli([...args, '--json']);
    assert.equal(r.code, 0, `${args[0]}: ${r.err}`);
    const o = oneObject(r.out, args[0]);
    assert.ok(key in o, `${args[0]}: key '${key}' missing in ${Object.keys(o).join(', ')}`);
    outputs[args[0]] = o;
  }
  return outputs;
}
