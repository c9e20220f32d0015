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
      [['ewald', small, '--charges', 'Na=1,Cl=-1'], 'energy'],
      [['describe', small], 'features'],
      [['fit', small, '-o', join(dir, 'm.json'), '--config', cfg], 'solver'],
      [['eval', model, small], 'n_structures'],
      [['md', '--calculator', 'fumi-tosi', small, '--steps', '4', '--log-every', '1', '-o', join(dir, 't.xyz')], 'meanTemperatureK'],
      [['analyze', small, '--rdf', '--out', join(dir, 'rdf')], 'sets'],
      [['compare', small, '--models', 'sr', '--train-sizes', '1', '--references', '4', '--config', cfg, '--out', join(dir, 'rep')], 'runs'],
    ];
    for (const [args, key] of cases) {
      const r = runCli([...args, '--json']);
      assert.equal(r.code, 0, `${args[0]}: ${r.err}`);
      const o = oneObject(r.out, args[0]);
      assert.ok(key in o, `${args[0]}: key '${key}' missing in ${Object.keys(o).join(', ')}`);
    }
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
