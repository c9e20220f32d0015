/**
 * `farfield learn --scheduler local`: a few steps with every reference call as an executor job give the same training
 * set (provenance included), trajectory, log and model as the in-process run with the same seed. Misused options are
 * one-line errors. Nightly (learnCluster.nightly.test.ts): the same with asynchronous labelling (`config.async`,
 * 'after-lag': MD runs on while the jobs are out; its semantics are test/api/learnAsync.test.ts), and both through
 * real `sbatch` (SLURM's own round trip stays in test/host/executor.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { skipWithoutShared } from '../helpers/paths.js';
import { sameAsInProcess } from './learnClusterRun.js';

test('learn --scheduler local: the training set and model of the in-process run', { skip: skipWithoutShared() }, () => sameAsInProcess('local'));

test('learn: --workdir needs --scheduler; --resume keeps the stored scheduler', () => {
  let r = runCli(['learn', 'x.xyz', '--reference', 'fumi-tosi', '--steps', '3', '--out', '/tmp/never', '--workdir', '/tmp/w']);
  assert.match(r.err, /--workdir needs --scheduler local \| slurm/);
  r = runCli(['learn', '--resume', '/tmp/never', '--scheduler', 'local']);
  assert.match(r.err, /continues a run with the scheduler it was started with/);
  r = runCli(['learn', 'x.xyz', '--reference', 'fumi-tosi', '--steps', '3', '--out', '/tmp/never', '--partition', 'short']);
  assert.match(r.err, /--partition needs --scheduler slurm/);
});
