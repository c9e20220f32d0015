/**
 * `farfield label --scheduler local`: 6 frames in 2 chunks give the same file (byte for byte) as a local run; a chunk
 * with a bad frame fails with its stderr tail shown and no output written; after the input is fixed, `--resume`
 * re-submits only that chunk (labelClusterRun.ts). The same run through real `sbatch` is labelCluster.nightly.test.ts
 * (the task wrapper is the same; SLURM's own round trip stays in test/host/executor.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { runCliInProcess } from '../helpers/cliInProcess.js';
import { chunkedLabelRun, LABEL_DATA } from './labelClusterRun.js';

test('label --scheduler local --array-size 2: same output as a local run; a failed chunk is reported and resumed alone', { skip: existsSync(LABEL_DATA) ? false : `${LABEL_DATA} missing` }, () => chunkedLabelRun('local'));

test('label: --resume and --array-size need --scheduler; --scheduler expects local | slurm', async () => {
  const a = await runCliInProcess(['label', '--engine', 'fumi-tosi', 'x.xyz', '-o', '/tmp/never.xyz', '--resume']);
  assert.equal(a.code, 1);
  assert.match(a.err, /--array-size and --resume need --scheduler local \| slurm/);
  const b = await runCliInProcess(['fit', 'x.xyz', '-o', '/tmp/never.json', '--scheduler', 'pbs']);
  assert.match(b.err, /--scheduler expects local \| slurm, got 'pbs'/);
  const c = await runCliInProcess(['fit', 'x.xyz', '-o', '/tmp/never.json', '--partition', 'short']);
  assert.match(c.err, /--partition needs --scheduler slurm/);
});
