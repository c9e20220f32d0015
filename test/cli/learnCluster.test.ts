/**
 * `farfield learn --scheduler local`: a few steps with every reference call as an executor job give the same training
 * set (provenance included), trajectory, log and model as the in-process run with the same seed; with asynchronous
 * labelling (`config.async`, apply 'after-lag') MD runs on while the jobs are out, and the files still equal those of
 * the in-process run with the same config. Misused options are one-line errors. The same runs through real `sbatch`
 * are learnCluster.nightly.test.ts (SLURM's own round trip stays in test/host/executor.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { skipWithoutShared } from '../helpers/paths.js';
import { sameAsInProcess } from './learnClusterRun.js';

test('learn --scheduler local: the training set and model of the in-process run', { skip: skipWithoutShared() }, () => sameAsInProcess('local'));

test('learn --scheduler local, MD running on while jobs label (async after-lag): the in-process run', { skip: skipWithoutShared() }, () => sameAsInProcess('local', true));

test('learn: --workdir needs --scheduler; --resume keeps the stored scheduler', () => {
  let r = runCli(['learn', 'x.xyz', '--reference', 'fumi-tosi', '--steps', '3', '--out', '/tmp/never', '--workdir', '/tmp/w']);
  assert.match(r.err, /--workdir needs --scheduler local \| slurm/);
  r = runCli(['learn', '--resume', '/tmp/never', '--scheduler', 'local']);
  assert.match(r.err, /continues a run with the scheduler it was started with/);
  r = runCli(['learn', 'x.xyz', '--reference', 'fumi-tosi', '--steps', '3', '--out', '/tmp/never', '--partition', 'short']);
  assert.match(r.err, /--partition needs --scheduler slurm/);
});
