/**
 * `farfield learn --scheduler …`: misused options are one-line errors. Nightly (learnCluster.nightly.test.ts): a few
 * steps with every reference call as an executor job (`--scheduler local`, and through real `sbatch`), synchronous
 * and with asynchronous labelling, give the same training set (provenance included), trajectory, log and model as
 * the in-process run with the same seed; here that flow is test/api/learnCluster.test.ts (the same run through the
 * local executor at the api level, killed with a call in flight and resumed), SLURM's own round trip
 * test/host/executor.test.ts and the async semantics test/api/learnAsync.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCliInProcess } from '../helpers/cliInProcess.js';

test('learn: --workdir needs --scheduler; --resume keeps the stored scheduler', async () => {
  let r = await runCliInProcess(['learn', 'x.xyz', '--reference', 'fumi-tosi', '--steps', '3', '--out', '/tmp/never', '--workdir', '/tmp/w']);
  assert.match(r.err, /--workdir needs --scheduler local \| slurm/);
  r = await runCliInProcess(['learn', '--resume', '/tmp/never', '--scheduler', 'local']);
  assert.match(r.err, /continues a run with the scheduler it was started with/);
  r = await runCliInProcess(['learn', 'x.xyz', '--reference', 'fumi-tosi', '--steps', '3', '--out', '/tmp/never', '--partition', 'short']);
  assert.match(r.err, /--partition needs --scheduler slurm/);
});
