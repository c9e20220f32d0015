/**
 * `--json` (issue 13 item 12): every command that has the flag prints exactly one JSON object on stdout — progress,
 * MD thermo tables, fit warnings and summaries go to stderr — so `farfield CMD --json | jq` works; a failing command
 * prints one `{"error": {code, message}}` object.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { writeSmallSet, writeTinyModel } from '../helpers/tinyModel.js';

/** stdout must parse as exactly one JSON object (what `| jq` needs). */
function oneObject(out: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(out);
  } catch (e) {
    assert.fail(`${what}: stdout is not one JSON value (${(e as Error).message}):\n${out.slice(0, 400)}`);
  }
  assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), `${what}: not an object`);
  return v as Record<string, unknown>;
}

test('--json: one JSON object on stdout for info, ewald, describe, fit, eval, md, analyze, compare; errors too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-json-'));
  try {
    const small = writeSmallSet(dir, 3);
    const model = await writeTinyModel(dir);
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ selection: { count: 4 }, threads: 1, weights: { forces: 0, stress: 0 } }));
    const cases: [string[], string][] = [
      [['info', small], 'frames'],
      [['ewald', small, '--charges', 'Na=1,Cl=-1'], 'energyEv'],
      [['describe', small], 'features'],
      [['fit', small, '-o', join(dir, 'm.json'), '--config', cfg], 'solver'],
      [['eval', model, small], 'structures'],
      [['md', '--calculator', 'fumi-tosi', small, '--steps', '4', '--log-every', '1', '-o', join(dir, 't.xyz')], 'meanTemperatureK'],
      [['analyze', small, '--rdf', '--out', join(dir, 'rdf')], 'sets'],
      [['compare', small, '--models', 'sr', '--train-sizes', '1', '--references', '4', '--config', cfg, '--out', join(dir, 'rep')], 'runs'],
    ];
    const outputs: Record<string, Record<string, unknown>> = {};
    for (const [args, key] of cases) {
      const r = runCli([...args, '--json']);
      assert.equal(r.code, 0, `${args[0]}: ${r.err}`);
      const o = oneObject(r.out, args[0]);
      assert.ok(key in o, `${args[0]}: key '${key}' missing in ${Object.keys(o).join(', ')}`);
      outputs[args[0]] = o;
    }
    checkUnitNames(outputs);
    const md = runCli(['md', '--calculator', 'fumi-tosi', small, '--steps', '4', '--log-every', '1', '--json']);
    assert.match(md.err, /# md: 64 atoms/, 'the thermo table goes to stderr');
    const bad = runCli(['eval', join(dir, 'missing.json'), small, '--json']);
    assert.equal(bad.code, 1);
    const err = oneObject(bad.out, 'eval error') as { error: { code: string; message: string } };
    assert.equal(err.error.code, 'IO');
    assert.match(err.error.message, /missing\.json/);
    assert.match(bad.err, /^farfield: error: .*missing\.json/m);
    const usage = runCli(['eval', model, '--json']); // missing argument: a commander usage error
    assert.equal(usage.code, 1);
    assert.equal((oneObject(usage.out, 'usage error') as { error: { code: string } }).error.code, 'USAGE');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Pre-0.2 keys kept one release as deprecated aliases of the names of docs/conventions.md: alias → new key. */
const ALIASES: Record<string, Record<string, string>> = {
  evalSummary: { n_structures: 'structures' },
  energy: { rmse_meV_per_atom: 'rmseMevPerAtom', mae_meV_per_atom: 'maeMevPerAtom', rmspe_percent: 'rmspePercent' },
  forces: { rmse_meV_per_A: 'rmseMevPerA', mae_meV_per_A: 'maeMevPerA', rmspe_percent: 'rmspePercent' },
  stress: { rmse_meV_per_A3: 'rmseMevPerA3', mae_meV_per_A3: 'maeMevPerA3', rmspe_percent: 'rmspePercent' },
  fit: { timings_s: 'timingsS' },
  ewald: { energy: 'energyEv', forces: 'forcesEvPerA', stress: 'stressEvPerA3' },
  ewaldParameters: { alpha: 'alphaPerA' },
};

/** Every alias is present and equal to its new key. */
function checkAliases(o: Record<string, unknown>, table: Record<string, string>, what: string): void {
  for (const [old, now] of Object.entries(table)) {
    assert.ok(now in o, `${what}: new key '${now}' missing (keys: ${Object.keys(o).join(', ')})`);
    assert.ok(old in o, `${what}: deprecated alias '${old}' missing`);
    assert.deepEqual(o[old], o[now], `${what}: '${old}' ≠ '${now}'`);
  }
}

/** Keys of an output object that break the naming scheme (snake_case, unit words) and are not a listed alias. */
function offScheme(o: unknown, allowed: Set<string>, path = ''): string[] {
  if (o === null || typeof o !== 'object') return [];
  if (Array.isArray(o)) return o.flatMap((x, i) => offScheme(x, allowed, `${path}[${i}]`));
  return Object.entries(o).flatMap(([k, v]) => [
    ...(/^[a-z][A-Za-z0-9]*$/.test(k) && !/(meV|eV|_)/.test(k) || allowed.has(k) ? [] : [`${path}.${k}`]),
    ...offScheme(v, allowed, `${path}.${k}`),
  ]);
}

function checkUnitNames(outputs: Record<string, Record<string, unknown>>): void {
  const summaries: [Record<string, unknown>, string][] = [
    [outputs.eval, 'eval'],
    [(outputs.fit.errors as Record<string, Record<string, unknown>>).train, 'fit errors.train'],
  ];
  for (const [s, what] of summaries) {
    checkAliases(s, ALIASES.evalSummary, what);
    for (const q of ['energy', 'forces', 'stress'] as const) if (s[q]) checkAliases(s[q] as Record<string, unknown>, ALIASES[q], `${what}.${q}`);
  }
  checkAliases(outputs.fit, ALIASES.fit, 'fit');
  checkAliases(outputs.ewald, ALIASES.ewald, 'ewald');
  checkAliases(outputs.ewald.parameters as Record<string, unknown>, ALIASES.ewaldParameters, 'ewald.parameters');
  const sets = outputs.analyze.sets as Record<string, unknown>[];
  checkAliases(sets[0], { r: 'rA' }, 'analyze sets[0]');
  const run = (outputs.compare.runs as Record<string, Record<string, unknown>>[])[0];
  checkAliases(run.energy, { rmse: 'rmseMevPerAtom', mae: 'maeMevPerAtom' }, 'compare runs[0].energy');
  checkAliases(run.forces, { rmse: 'rmseMevPerA', mae: 'maeMevPerA' }, 'compare runs[0].forces');
  const allowed = new Set(Object.values(ALIASES).flatMap((t) => Object.keys(t)));
  for (const c of ['eval', 'fit', 'ewald', 'md', 'describe'])
    assert.deepEqual(offScheme(outputs[c], allowed), [], `${c}: keys off the naming scheme of docs/conventions.md`);
}

