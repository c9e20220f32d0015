/** `farfield compare` through the CLI entry: the table on stdout, the report path, results.json; with `--energy-key KEY
 *  --targets …` the labels line and no force metrics; one-line errors (unknown model, missing key, unknown target). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/index.js';
import { saveStructures, type CompareResults } from '../../src/api/index.js';
import { label, morseCalculator, randomStructure } from '../model/helpers/data.js';
import { runCli } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cliInProcess.js';

const run = runCli;

test('compare --energy-key --targets energy: table, report path, labels line, results.json records them, no force metrics; unknown model, missing key → one-line errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-cli-compare-'));
  try {
    const rng = new Rng(4);
    const frames = label(Array.from({ length: 10 }, () => randomStructure(rng, 6, 6, ['Na', 'Cl'], 2.0)), morseCalculator()).map((s, k) => ({
      ...s, info: { inter: s.labels.energyEv! - 1 + 0.01 * k },
    }));
    const file = join(dir, 'd.xyz');
    saveStructures(file, frames);
    const r = run(['compare', file, '--energy-key', 'inter', '--targets', 'energy', '--models', 'sr', '--train-sizes', '4', '--references', '5', '--out', join(dir, 'rep')]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /labels: energy ← info 'inter' \(others not used\)/);
    assert.match(r.out, /train\s+model\s+E RMSE \[meV\/atom\]/);
    assert.match(r.out, /\n4\s+sr\s/);
    assert.match(r.out, /report: .*rep\/index\.html/);
    assert.doesNotMatch(r.out, /F RMSE/);
    const res = JSON.parse(readFileSync(join(dir, 'rep', 'results.json'), 'utf8')) as CompareResults;
    assert.deepEqual(res.dataset.labels, { energyKey: 'inter', targets: ['energy'] });
    assert.equal(res.runs[0].forces, null);
    assert.match(res.command ?? '', /--energy-key inter --targets energy/);

    saveStructures(join(dir, 'holed.xyz'), frames.map((s, k) => (k === 3 ? { ...s, info: {} } : s)));
    const bad = await runCliInProcess(['compare', join(dir, 'holed.xyz'), '--energy-key', 'inter', '--models', 'sr', '--train-sizes', '4', '--out', join(dir, 'x')]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^farfield: error: compare: .*holed\.xyz: frame 3 has no 'inter' \(the energy key\)/);
    const unknown = await runCliInProcess(['compare', file, '--models', 'sr,xx']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /^farfield: error: compare: unknown model 'xx'/);
    const t = await runCliInProcess(['compare', file, '--targets', 'energy,virial', '--out', join(dir, 'y')]);
    assert.equal(t.code, 1);
    assert.match(t.err, /unknown target 'virial' \(known: energy, forces, stress\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
