/**
 * sr+q end to end through the CLI: `fit --descriptors sr+q` writes a charge-model file, `predict` loads it (kind from
 * the file's format) and writes the predicted charges as the `charges` column that sums to zero per frame, `eval` and
 * `md` run it; a bad `charges` setting is refused before any work.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStructures, saveStructures } from '../../src/api/index.js';
import { runCli } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cliInProcess.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { TINY_HYPERS } from '../helpers/tinyModel.js';

test('CLI: fit --descriptors sr+q → predict (charges column, Σq = 0) → eval → md', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-cli-q-'));
  try {
    const toy = loadStructures(join(REPO_ROOT, 'data', 'toy.xyz')).structures;
    const train = join(dir, 'train.xyz'), test_ = join(dir, 'test.xyz');
    saveStructures(train, toy.slice(0, 2));
    saveStructures(test_, toy.slice(3, 4));
    const cfg = join(dir, 'cfg.json');
    // a small sr descriptor (TINY_HYPERS): the flow, not the accuracy, is under test; the fit costs half the CPU
    writeFileSync(cfg, JSON.stringify({ selection: { count: 8 }, threads: 1, uncertainty: false, descriptorHypers: TINY_HYPERS, charges: { count: 2, iterations: 3, sigmaA: 0.3, accuracy: 1e-4 } }));
    const model = join(dir, 'q.json');
    const fit = runCli(['fit', train, '-o', model, '--descriptors', 'sr+q', '--config', cfg]);
    assert.equal(fit.code, 0, fit.err);
    assert.match(fit.out, /charges: +(Na|Cl) -?\d\.\d{4} ± \d\.\d{4} e, (Na|Cl) -?\d\.\d{4} ± \d\.\d{4} e/);
    assert.match(readFileSync(model, 'utf8'), /^\{"format":"farfield-charge-model"/);
    const out = join(dir, 'pred.xyz');
    const pr = runCli(['predict', model, test_, '-o', out]);
    assert.equal(pr.code, 0, pr.err);
    const p = loadStructures(out).structures[0];
    const q = p.labels.charges;
    assert.ok(q && q.length === 64, 'a charges column');
    assert.ok(Math.abs(q.reduce((a, b) => a + b, 0)) < 1e-6, 'Σq = 0');
    assert.notDeepEqual(Array.from(q), Array.from(toy[3].labels.charges!), 'the predicted charges, not the input column');
    const ev = runCli(['eval', model, test_]);
    assert.equal(ev.code, 0, ev.err);
    const traj = join(dir, 'traj.xyz');
    const md = runCli(['md', model, test_, '--steps', '3', '--every', '1', '--dt', '0.5', '-o', traj]);
    assert.equal(md.code, 0, md.err);
    assert.equal(loadStructures(traj).structures.length, 4);
    writeFileSync(cfg, JSON.stringify({ charges: { sigmaA: -1 } }));
    const bad = await runCliInProcess(['fit', train, '-o', join(dir, 'bad.json'), '--descriptors', 'sr+q', '--config', cfg]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /charges\.sigmaA/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
