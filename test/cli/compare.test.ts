/** `farfield compare --energy-key KEY --targets …` through the CLI entry: the labels line, results.json, one-line errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/index.js';
import { saveStructures, type CompareResults } from '../../src/api/index.js';
import { label, morseCalculator, randomStructure } from '../model/helpers/data.js';
import { runCli } from '../helpers/cli.js';

const run = runCli;

test('compare --energy-key --targets energy: labels line, results.json records them, no force metrics; missing key → one-line error', () => {
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
    assert.doesNotMatch(r.out, /F RMSE/);
    const res = JSON.parse(readFileSync(join(dir, 'rep', 'results.json'), 'utf8')) as CompareResults;
    assert.deepEqual(res.dataset.labels, { energyKey: 'inter', targets: ['energy'] });
    assert.equal(res.runs[0].forces, null);
    assert.match(res.command ?? '', /--energy-key inter --targets energy/);

    saveStructures(join(dir, 'holed.xyz'), frames.map((s, k) => (k === 3 ? { ...s, info: {} } : s)));
    const bad = run(['compare', join(dir, 'holed.xyz'), '--energy-key', 'inter', '--models', 'sr', '--train-sizes', '4', '--out', join(dir, 'x')]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^farfield: error: compare: .*holed\.xyz: frame 3 has no 'inter' \(the energy key\)/);
    const t = run(['compare', file, '--targets', 'energy,virial', '--out', join(dir, 'y')]);
    assert.equal(t.code, 1);
    assert.match(t.err, /unknown target 'virial' \(known: energy, forces, stress\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
