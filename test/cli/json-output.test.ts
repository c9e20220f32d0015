/**
 * `--json` (issue 13 item 12): every command that has the flag prints exactly one JSON object on stdout — progress,
 * MD thermo tables, fit warnings and summaries go to stderr — so `farfield CMD --json | jq` works; a failing command
 * prints one `{"error": {code, message}}` object. Here info, ewald, describe, eval, md, analyze and the errors; `fit
 * --json` is checked the same way in vasp-commands.test.ts, and the whole set with fit and compare is
 * json-output.nightly.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cliInProcess.js';
import { writeSmallSet, writeTinyModel } from '../helpers/tinyModel.js';
import { ALIASES, ALIAS_KEYS, checkAliases, checkSummaryAliases, offScheme, oneObject, runJsonCases } from './jsonChecks.js';

test('--json: one JSON object on stdout for info, ewald, describe, eval, md, analyze; errors too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-json-'));
  try {
    const small = writeSmallSet(dir, 3);
    const model = await writeTinyModel(dir);
    const cases: [string[], string][] = [
      [['info', small], 'frames'],
      [['ewald', small, '--charges', 'Na=1,Cl=-1'], 'energyEv'],
      [['describe', small], 'features'],
      [['eval', model, small], 'structures'],
      [['md', '--calculator', 'fumi-tosi', small, '--steps', '4', '--log-every', '1', '-o', join(dir, 't.xyz')], 'meanTemperatureK'],
      [['analyze', small, '--rdf', '--out', join(dir, 'rdf')], 'sets'],
    ];
    const outputs = runJsonCases(cases);
    checkUnitNames(outputs);
    const md = runCli(['md', '--calculator', 'fumi-tosi', small, '--steps', '4', '--log-every', '1', '--json']);
    assert.match(md.err, /# md: 64 atoms/, 'the thermo table goes to stderr');
    const bad = await runCliInProcess(['eval', join(dir, 'missing.json'), small, '--json']);
    assert.equal(bad.code, 1);
    const err = oneObject(bad.out, 'eval error') as { error: { code: string; message: string } };
    assert.equal(err.error.code, 'IO');
    assert.match(err.error.message, /missing\.json/);
    assert.match(bad.err, /^farfield: error: .*missing\.json/m);
    const usage = await runCliInProcess(['eval', model, '--json']); // missing argument: a commander usage error
    assert.equal(usage.code, 1);
    assert.equal((oneObject(usage.out, 'usage error') as { error: { code: string } }).error.code, 'USAGE');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function checkUnitNames(outputs: Record<string, Record<string, unknown>>): void {
  checkSummaryAliases(outputs.eval, 'eval');
  checkAliases(outputs.ewald, ALIASES.ewald, 'ewald');
  checkAliases(outputs.ewald.parameters as Record<string, unknown>, ALIASES.ewaldParameters, 'ewald.parameters');
  const sets = outputs.analyze.sets as Record<string, unknown>[];
  checkAliases(sets[0], { r: 'rA' }, 'analyze sets[0]');
  for (const c of ['eval', 'ewald', 'md', 'describe'])
    assert.deepEqual(offScheme(outputs[c], ALIAS_KEYS), [], `${c}: keys off the naming scheme of docs/conventions.md`);
}
