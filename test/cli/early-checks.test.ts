/**
 * Outputs and configurations are checked before any work (issue 13 item 7): a missing output directory, an unknown
 * solver or a misspelled config key fail in the first second with a message, not after the fit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cliInProcess.js';
import { writeSmallSet, writeTinyModel } from '../helpers/tinyModel.js';

test('fit: missing output directory, unknown solver, misspelled key fail before the descriptors are computed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-early-'));
  try {
    const small = writeSmallSet(dir, 2);
    const cfg = (o: unknown) => {
      const p = join(dir, `cfg-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(p, JSON.stringify(o));
      return p;
    };
    const good = { selection: { count: 4 }, threads: 1, weights: { forces: 0, stress: 0 } };
    const cases: [string[], RegExp][] = [
      [['-o', '/nonexistent-dir/m.json', '--config', cfg(good)], /m\.json: cannot write model: directory \/nonexistent-dir does not exist/],
      [['-o', join(dir, 'm.json'), '--config', cfg({ ...good, solver: { kind: 'bayesian' } })], /unknown solver kind 'bayesian'; did you mean 'bayes'\?/],
      [['-o', join(dir, 'm.json'), '--config', cfg({ ...good, selecton: { count: 4 } })], /unknown key 'selecton'; did you mean 'selection'\?/],
    ];
    for (const [args, re] of cases) {
      const r = await runCliInProcess(['fit', small, ...args]);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.out}`);
      assert.match(r.err, re);
      assert.doesNotMatch(r.err + r.out, /^(descriptors|normal equations) /m, 'no fitting work before the error');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every writing command refuses an output in a missing directory before reading its inputs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-early-out-'));
  try {
    const small = writeSmallSet(dir, 1);
    const model = await writeTinyModel(dir);
    const nowhere = (name: string) => join(dir, 'missing', name);
    const notDir = join(dir, 'file.txt');
    writeFileSync(notDir, 'x');
    const cases: [string[], RegExp][] = [
      [['convert', small, nowhere('o.xyz')], /directory .*missing does not exist/],
      [['predict', model, small, '-o', nowhere('p.xyz')], /directory .*missing does not exist/],
      [['md', '--calculator', 'fumi-tosi', small, '--steps', '2', '-o', nowhere('t.xyz')], /cannot write trajectory: directory .*missing does not exist/],
      [['label', '--engine', 'fumi-tosi', small, '-o', nowhere('l.xyz')], /cannot write labelled frames: directory .*missing does not exist/],
      [['describe', small, '--out', nowhere('f.json')], /cannot write features: directory .*missing does not exist/],
      [['dataset', 'toy', '--n', '2', '--atoms', '8', '-o', nowhere('toy.xyz')], /directory .*missing does not exist/],
      [['analyze', small, '--rdf', '--out', join(notDir, 'rdf')], /cannot create report folder: .*file\.txt is not a directory/],
      [['compare', small, '--models', 'sr', '--train-sizes', '1', '--out', join(notDir, 'rep')], /cannot create report folder: .*file\.txt is not a directory/],
    ];
    for (const [args, re] of cases) {
      // in this process (the library loads once); `dataset`, spawned by no other test, runs as a real process
      const r = args[0] === 'dataset' ? runCli(args) : await runCliInProcess(args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.out}`);
      assert.match(r.err, re, args.join(' '));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
