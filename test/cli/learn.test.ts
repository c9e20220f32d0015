/**
 * `farfield learn` shell: one-line errors before any work (missing options, unknown reference, misspelled config
 * key, a bad barostat time, --resume of a folder without a run), a short run with --json, a second run into the same folder
 * refused, and --resume of a finished run (nothing left to do: same model) with --test: the report gains parity plots.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cliInProcess.js';
import { sharedPath, skipWithoutShared } from '../helpers/paths.js';

const oneLine = (err: string): void => assert.equal(err.trim().split('\n').length, 1, err);

test('learn: refusals are one-line errors naming the problem', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-cli-learn-'));
  try {
    const start = 'data/nacl-liquid-xtb.xyz';
    let r = await runCliInProcess(['learn', start, '--steps', '3', '--out', join(dir, 'a')]);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /needs --reference/);
    r = await runCliInProcess(['learn', start, '--reference', 'vasp', '--steps', '3', '--out', join(dir, 'a')]);
    assert.match(r.err, /unknown reference 'vasp'/);
    oneLine(r.err);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ fit: { maxNewRefs: 3 } }));
    r = await runCliInProcess(['learn', start, '--reference', 'fumi-tosi', '--steps', '3', '--config', join(dir, 'bad.json'), '--out', join(dir, 'a')]);
    assert.match(r.err, /unknown key 'maxNewRefs'.*did you mean 'maxNewReferences'/);
    oneLine(r.err);
    r = await runCliInProcess(['learn', start, '--reference', 'fumi-tosi', '--steps', '3', '--pressure', '1', '--pressure-tau', '-5', '--out', join(dir, 'a')]);
    assert.match(r.err, /--pressure-tau must be a positive number of fs, got -5/);
    oneLine(r.err);
    r = await runCliInProcess(['learn', '--resume', dir]);
    assert.match(r.err, /no state\.json/);
    oneLine(r.err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('learn: a short run (--json), the same --out refused, --resume of a finished run', { skip: skipWithoutShared() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-cli-learn-'));
  try {
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ threshold: { batch: 1, minInterval: 2 }, fit: { maxNewReferences: 3, descriptorHypers: { radial: { nmax: 6, cutoffA: 5 }, angular: { nmax: 3, lmax: 2, cutoffA: 4 } } } }));
    const out = join(dir, 'run');
    const args = ['learn', sharedPath('fixtures', 'nacl-melt-64.xyz'), '--reference', 'fumi-tosi', '--steps', '4', '--temperature', '600', '--config', cfg, '--out', out];
    let r = runCli([...args, '--json']);
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out) as { steps: number; calls: number; trainingStructures: number };
    assert.equal(s.steps, 4);
    assert.ok(s.calls >= 1 && s.trainingStructures === s.calls);
    const model = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { body: { species: unknown } };
    r = runCli(args);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /already holds a run.*--resume/);
    r = runCli(['learn', '--resume', out, '--test', join(out, 'training.xyz')]);
    assert.equal(r.code, 0, r.err);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    for (const kind of ['learn-error', 'learn-calls', 'learn-temperature', 'parity-energy', 'parity-forces']) assert.match(html, new RegExp(`data-kind="${kind}"`));
    const again = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { body: { species: unknown } };
    assert.deepEqual(again.body.species, model.body.species, 'a finished run resumed refits nothing new');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
