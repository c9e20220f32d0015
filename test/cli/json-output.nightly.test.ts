/**
 * `--json` (issue 13 item 12) for fit and compare, nightly: one JSON object on stdout (summaries and warnings go to
 * stderr), the pre-0.2 keys as aliases equal to their new names, no key off the naming scheme of docs/conventions.md.
 * The other commands are json-output.test.ts; `fit --json` is also checked in vasp-commands.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSmallSet } from '../helpers/tinyModel.js';
import { ALIASES, ALIAS_KEYS, checkAliases, checkSummaryAliases, offScheme, runJsonCases } from './jsonChecks.js';

test('--json: one JSON object on stdout for fit and compare; aliases and key names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-json-'));
  try {
    const small = writeSmallSet(dir, 3);
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ selection: { count: 4 }, threads: 1, weights: { forces: 0, stress: 0 } }));
    const cases: [string[], string][] = [
      [['fit', small, '-o', join(dir, 'm.json'), '--config', cfg], 'solver'],
      [['compare', small, '--models', 'sr', '--train-sizes', '1', '--references', '4', '--config', cfg, '--out', join(dir, 'rep')], 'runs'],
    ];
    const outputs = runJsonCases(cases);
    checkSummaryAliases((outputs.fit.errors as Record<string, Record<string, unknown>>).train, 'fit errors.train');
    checkAliases(outputs.fit, ALIASES.fit, 'fit');
    assert.deepEqual(offScheme(outputs.fit, ALIAS_KEYS), [], 'fit: keys off the naming scheme of docs/conventions.md');
    const run = (outputs.compare.runs as Record<string, Record<string, unknown>>[])[0];
    checkAliases(run.energy, { rmse: 'rmseMevPerAtom', mae: 'maeMevPerAtom' }, 'compare runs[0].energy');
    checkAliases(run.forces, { rmse: 'rmseMevPerA', mae: 'maeMevPerA' }, 'compare runs[0].forces');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
