/**
 * compareModels on a tiny labelled set: identical nested splits for every model, the validation split is carved
 * from the pool (disjoint from test and training), the LODE weight is tuned on it and recorded, metrics are
 * reported in meV units, the report is written; and the CLI shell prints the table and the report path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { Rng } from '../../src/core/index.js';
import { compareModels, saveStructures, type CompareResults } from '../../src/api/index.js';
import { label, morseCalculator, randomStructure } from '../model/helpers/data.js';
import { REPO_ROOT } from '../helpers/paths.js';

const rng = new Rng(11);
const data = label(Array.from({ length: 12 }, () => randomStructure(rng, 8, 6.5, ['Na', 'Cl'], 2.0)), morseCalculator());

test('compareModels: shared splits, tuned LODE weight from validation, metrics, parity data, report files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-compare-'));
  try {
    const stages: string[] = [];
    const { results, written } = await compareModels({
      data, dataName: 'tiny.xyz', models: ['sr', 'sr+lode'], trainSizes: [3, 6, 50], seed: 3, testFraction: 0.25, validationSize: 2,
      lodeWeights: [0.1, 1], fit: { selection: { count: 6 } }, out: join(dir, 'rep'), onStage: (s) => stages.push(s),
    });
    assert.deepEqual(results.trainSizes, [3, 6]);
    assert.match(results.notes[0], /training sizes 50 skipped: the training pool has only 7 structures/);
    assert.equal(results.dataset.test.structures, 3);
    assert.equal(results.dataset.split.validationSize, 2);
    assert.equal(results.runs.length, 4);
    assert.equal(stages.filter((s) => s.startsWith('tuning')).length, 2);
    const t = results.hyperparameters.tuned[0];
    assert.equal(t.model, 'sr+lode');
    assert.deepEqual(t.tried.map((x) => x.value), [0.1, 1]);
    assert.equal(t.chosen, t.tried.reduce((a, b) => (b.score < a.score ? b : a)).value);
    const lode = results.hyperparameters.perModel['sr+lode'] as { descriptor: { kind: string }; kernel: { kind: string }; tuned: Record<string, number> };
    assert.equal(lode.descriptor.kind, 'composite');
    assert.ok(lode.kernel.kind);
    assert.deepEqual(lode.tuned, { lodeWeight: t.chosen });
    for (const r of results.runs) {
      assert.ok(r.energy && r.forces && r.energy.rmse > 0 && r.forces.rmse > 0);
      assert.equal(r.energy.count, 3);
      assert.equal(r.forces.count, 3 * 8 * 3);
      assert.ok(r.fitTimeS > 0);
      assert.deepEqual(Object.keys(r.references!).sort(), ['Cl', 'Na']);
    }
    assert.equal(results.parity.length, 2);
    const p = results.parity[0];
    assert.equal(p.trainSize, 6);
    assert.equal(p.forces.total, 72);
    assert.equal(p.forceErrorsBySpecies.Na.length + p.forceErrorsBySpecies.Cl.length, 72);
    // The parity RMSE equals the run's RMSE (all points kept here): same predictions, same units.
    const rms = Math.sqrt(p.forces.ref.reduce((s, r, i) => s + (p.forces.pred[i] - r) ** 2, 0) / 72) * 1000;
    assert.ok(Math.abs(rms - results.runs[1].forces!.rmse) < 1e-9 * rms);
    const json = JSON.parse(readFileSync(written!.json, 'utf8')) as CompareResults;
    assert.equal(json.runs.length, 4);
    assert.match(readFileSync(written!.html, 'utf8'), /data-kind="learning-curve"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('farfield compare: table on stdout, report path, one-line errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-compare-cli-'));
  try {
    const file = join(dir, 'tiny.xyz');
    saveStructures(file, data);
    const main = pathToFileURL(join(REPO_ROOT, 'src', 'cli', 'main.ts')).href;
    const script = `const { main } = await import(${JSON.stringify(main)}); process.exitCode = await main(['node', 'farfield', ...process.argv.slice(1)]);`;
    const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, ...args], { encoding: 'utf8', cwd: REPO_ROOT, env: { ...process.env, FARFIELD_PROGRESS: '0' } });
    const r = run(['compare', file, '--models', 'sr', '--train-sizes', '4,8', '--references', '5', '--out', join(dir, 'rep')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /train\s+model\s+E RMSE \[meV\/atom\]/);
    assert.match(r.stdout, /\n4\s+sr\s/);
    assert.match(r.stdout, /report: .*rep\/index\.html/);
    assert.ok(existsSync(join(dir, 'rep', 'results.json')));
    const bad = run(['compare', file, '--models', 'sr,xx']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^farfield: error: compare: unknown model 'xx'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
